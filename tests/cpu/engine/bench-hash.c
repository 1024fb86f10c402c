/*
 * engine-bench-hash: a deterministic engine-only microbenchmark of the
 * instruction mix of guest hash/compression loops (md5, sha256, deflate:
 * 32-bit ALU, rotates, shifts, bswap, adc/sbb after shifts; see
 * bench-hash.S). Each kernel runs natively on the host and then in the
 * software CPU in 64-bit mode with the same input; the results must be
 * equal (exit status 1 otherwise). Prints retired instructions, the
 * process CPU time and M instr/s per kernel. Not built by default:
 *
 *   ninja -C build tests/cpu/engine/engine-bench-hash
 *   build/tests/cpu/engine/engine-bench-hash [ITERATIONS [KERNEL]]
 *
 * KERNEL: md5, sha256, bits or all (default; ITERATIONS default 200000).
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "target/i386/cpu.h"

#define RAM_SIZE (16ULL << 20)
#define PML4 0x9000
#define HLT_AT 0x1000
#define STACK 0x80000
#define CODE 0x100000
#define BUF 0x200000

typedef uint64_t (*Kernel)(const uint32_t *buf, uint64_t iterations);

extern uint64_t bench_md5ish(const uint32_t *buf, uint64_t iterations);
extern uint64_t bench_sha256ish(const uint32_t *buf, uint64_t iterations);
extern uint64_t bench_bitsish(const uint32_t *buf, uint64_t iterations);
extern const uint8_t bench_hash_end[];

static const struct {
    const char *name;
    Kernel fn;
} kernels[] = {
    { "md5", bench_md5ish },
    { "sha256", bench_sha256ish },
    { "bits", bench_bitsish },
};

static uint8_t *ram;

static void *map_page(void *opaque, uint64_t gpa, bool write)
{
    return gpa < RAM_SIZE ? ram + gpa : NULL;
}

static void put(uint64_t a, uint64_t v, unsigned n)
{
    memcpy(ram + a, &v, n);
}

static void flat(X86Segment *s, uint16_t sel, bool code)
{
    memset(s, 0, sizeof(*s));
    s->limit = 0xffffffff;
    s->selector = sel;
    s->type = code ? 0xb : 0x3;
    s->present = 1;
    s->s = 1;
    s->l = code;
    s->db = !code;
    s->g = 1;
}

static double cpu_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run kernel @k in the engine; false on an unexpected exit. */
static bool run_guest(Kernel k, uint64_t iters, uint64_t *result,
                      uint64_t *insns, double *sec)
{
    X86MemOps ops = { .map_page = map_page };
    X86VM *vm = x86_vm_new(&ops, NULL);
    X86CPU *cpu = x86_cpu_new(vm, 0);
    X86SRegs s;
    X86Regs r;
    X86Exit ex;
    bool ok = false;
    double t0;

    x86_cpu_get_sregs(cpu, &s);
    flat(&s.cs, 0x10, true);
    flat(&s.ds, 0x18, false);
    s.es = s.ss = s.fs = s.gs = s.ds;
    s.cr0 = 0x80050033;
    s.cr3 = PML4;
    s.cr4 = 0x620;
    s.efer = 0x500;
    x86_cpu_set_sregs(cpu, &s);
    memset(&r, 0, sizeof(r));
    r.rip = CODE + (uint64_t)((const uint8_t *)k -
                              (const uint8_t *)bench_md5ish);
    r.rsp = STACK - 8;
    put(STACK - 8, HLT_AT, 8);                      /* return address */
    r.rdi = BUF;
    r.rsi = iters;
    r.rflags = 2;
    x86_cpu_set_regs(cpu, &r);
    x86_cpu_set_time_slice(cpu, 200000);

    t0 = cpu_seconds();
    while (x86_cpu_run(cpu, &ex) == 0) {
        if (ex.reason == X86_EXIT_KICKED) {
            continue;
        }
        x86_cpu_get_regs(cpu, &r);
        if (ex.reason == X86_EXIT_HLT && r.rip == HLT_AT + 1) {
            ok = true;
        } else {
            fprintf(stderr, "unexpected exit %d at rip %#llx\n", ex.reason,
                    (unsigned long long)r.rip);
        }
        break;
    }
    *sec = cpu_seconds() - t0;
    *insns = x86_cpu_insns_retired(cpu);
    *result = r.rax;
    x86_cpu_free(cpu);
    x86_vm_free(vm);
    return ok;
}

int main(int argc, char **argv)
{
    uint64_t iters = argc > 1 ? g_ascii_strtoull(argv[1], NULL, 0) : 200000;
    const char *which = argc > 2 ? argv[2] : "all";
    size_t code_len = bench_hash_end - (const uint8_t *)bench_md5ish;
    int status = 0, ran = 0;

    ram = g_malloc0(RAM_SIZE);
    /* identity map of the first 1 GiB with 2 MiB pages */
    put(PML4, (PML4 + 0x1000) | 3, 8);
    put(PML4 + 0x1000, (PML4 + 0x2000) | 3, 8);
    for (int j = 0; j < 512; j++) {
        put(PML4 + 0x2000 + j * 8, ((uint64_t)j << 21) | 0x83, 8);
    }
    ram[HLT_AT] = 0xf4;
    memcpy(ram + CODE, (const void *)bench_md5ish, code_len);
    for (unsigned i = 0; i < 64; i++) {
        ram[BUF + i] = (uint8_t)(i * 37 + 11);
    }

    for (size_t i = 0; i < G_N_ELEMENTS(kernels); i++) {
        uint64_t want, got = 0, n = 0;
        double sec = 0;
        bool ok;

        if (strcmp(which, "all") && strcmp(which, kernels[i].name)) {
            continue;
        }
        ran++;
        want = kernels[i].fn((const uint32_t *)(ram + BUF), iters);
        ok = run_guest(kernels[i].fn, iters, &got, &n, &sec);
        printf("%-7s %llu instructions in %.3f s cpu (%.1f M/s) %s\n",
               kernels[i].name, (unsigned long long)n, sec,
               sec > 0 ? n / sec / 1e6 : 0,
               ok && got == want ? "ok" : "MISMATCH");
        if (!ok || got != want) {
            fprintf(stderr, "%s: engine %#llx host %#llx\n",
                    kernels[i].name, (unsigned long long)got,
                    (unsigned long long)want);
            status = 1;
        }
    }
    g_free(ram);
    if (!ran) {
        fprintf(stderr, "unknown kernel %s\n", which);
        return 2;
    }
    return status;
}
