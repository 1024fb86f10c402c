/*
 * bench-kvm-exits: the cost of KVM_RUN round trips and of running guest
 * code, per provider (not a test; built next to the ABI tests, run by hand
 * or by bench/exits). Usage: bench-kvm-exits [ukvm|kernel] [N [SPIN]]
 *   io:   N x (KVM_RUN -> OUT exit -> back), wall and CPU ns per exit;
 *   spin: a guest looping on "dec ecx; jnz" for SPIN (N x 1000) times in
 *         one KVM_RUN, CPU time of the process (includes any helper
 *         thread ukvm runs) and the host context switches it caused;
 *   spin64: SPIN iterations of a 10-instruction 64-bit loop (translated
 *         blocks chained to themselves): CPU ns per iteration, which the
 *         engine's returns to ukvm between time slices add to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "abi-common.h"

static double now_s(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long ctxsw(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_nvcsw + ru.ru_nivcsw;
}

int main(int argc, char **argv)
{
    const KvmProvider *p = &kvm_provider_ukvm;
    long n = argc > 2 ? atol(argv[2]) : 200000;
    AbiCtx c;

    if (argc > 1 && !strcmp(argv[1], "kernel")) {
        p = &kvm_provider_kernel;
    }
    g_test_init(&argc, &argv, NULL);   /* abi_open_vm may g_test_skip */
    if (!abi_open_guest(&c, p)) {
        fprintf(stderr, "%s: unavailable\n", p->name);
        return 77;
    }
    static const uint8_t io[] = { 0xe6, 0x10, 0xeb, 0xfc };  /* out; jmp */
    memcpy(c.mem + 0x1000, io, sizeof(io));
    abi_real_mode(&c, 0x1000);
    double w0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    long s0 = ctxsw();
    for (long i = 0; i < n; i++) {
        if (abi_run(&c) != 0 || c.run->exit_reason != KVM_EXIT_IO) {
            fprintf(stderr, "unexpected exit %u\n", c.run->exit_reason);
            return 1;
        }
    }
    double w1 = now_s(CLOCK_MONOTONIC), c1 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    printf("%s io: %ld exits, %.0f ns wall, %.0f ns CPU per exit, "
           "%ld context switches\n", p->name, n, (w1 - w0) / n * 1e9,
           (c1 - c0) / n * 1e9, ctxsw() - s0);

    /* mov ecx, n*1000; 1: dec ecx; jnz 1b; out 0x11 */
    uint32_t iters = (uint32_t)MIN(argc > 3 ? atol(argv[3]) : n * 1000,
                                   0xffffffffL);
    if (!iters) {
        abi_close(&c);
        return 0;
    }
    uint8_t spin[] = { 0x66, 0xb9, 0, 0, 0, 0, 0x66, 0x49, 0x75, 0xfc,
                       0xe6, 0x11 };
    memcpy(spin + 2, &iters, 4);
    memcpy(c.mem + 0x2000, spin, sizeof(spin));
    abi_real_mode(&c, 0x2000);
    w0 = now_s(CLOCK_MONOTONIC);
    c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    s0 = ctxsw();
    int r;
    do {
        r = abi_run(&c);
    } while (r == -EINTR);
    w1 = now_s(CLOCK_MONOTONIC);
    c1 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    if (r != 0 || c.run->exit_reason != KVM_EXIT_IO || c.run->io.port != 0x11) {
        fprintf(stderr, "spin: unexpected exit r=%d %u\n", r,
                c.run->exit_reason);
        return 1;
    }
    printf("%s spin: %u iterations, %.3f s wall, %.3f s CPU, "
           "%ld context switches\n", p->name, iters, w1 - w0, c1 - c0,
           ctxsw() - s0);

    /* the same count in 64-bit mode (the translator's blocks, chained to
     * themselves): 8 ALU instructions + dec/jnz per iteration */
    static const uint8_t spin64[] = {
        0x31, 0xc0,                 /* xor eax, eax */
        0x31, 0xdb,                 /* xor ebx, ebx */
        0x01, 0xc8,                 /* 1: add eax, ecx */
        0x31, 0xc3,                 /* xor ebx, eax */
        0xc1, 0xc0, 0x05,           /* rol eax, 5 */
        0x01, 0xd8,                 /* add eax, ebx */
        0x89, 0xc2,                 /* mov edx, eax */
        0xc1, 0xea, 0x03,           /* shr edx, 3 */
        0x31, 0xd3,                 /* xor ebx, edx */
        0x83, 0xc0, 0x07,           /* add eax, 7 */
        0x48, 0xff, 0xc9,           /* dec rcx */
        0x75, 0xe6,                 /* jnz 1b */
        0xe6, 0x11,                 /* out 0x11, al */
    };
    memcpy(c.mem + 0x3000, spin64, sizeof(spin64));
    abi_long_mode(&c, 0x3000);
    struct kvm_regs regs;
    abi_get_regs(&c, &regs);
    regs.rcx = iters;
    abi_set_regs(&c, &regs);
    w0 = now_s(CLOCK_MONOTONIC);
    c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    do {
        r = abi_run(&c);
    } while (r == -EINTR);
    w1 = now_s(CLOCK_MONOTONIC);
    c1 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    if (r != 0 || c.run->exit_reason != KVM_EXIT_IO || c.run->io.port != 0x11) {
        fprintf(stderr, "spin64: unexpected exit r=%d %u\n", r,
                c.run->exit_reason);
        return 1;
    }
    printf("%s spin64: %u iterations, %.3f s wall, %.3f s CPU, "
           "%.2f ns CPU per iteration\n", p->name, iters, w1 - w0, c1 - c0,
           (c1 - c0) / iters * 1e9);
    abi_close(&c);
    return 0;
}
