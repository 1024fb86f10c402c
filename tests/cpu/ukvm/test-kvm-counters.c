/*
 * The retired-instruction counter behind x-query-kvm-stats, and the signal
 * semantics of KVM_RUN that ukvm keeps while avoiding syscalls and wake-ups
 * on its run path (docs/perf-notes.md R1/R2). Every test runs against each
 * provider (abi-common.h); the kernel is the oracle for the signal tests.
 *
 * - counter: a real-mode guest retires a known number of instructions
 *   (MOV, 1000 x LOOP, OUT, HLT); the provider's count is 0 before the
 *   first KVM_RUN, exact at each exit, and grows only while the guest runs.
 *   The kernel provider reports no counter at all (NULL entry). Read
 *   from another thread, the count grows while KVM_RUN is in progress.
 * - a signal pending and blocked in the thread's own mask does not stop
 *   KVM_RUN (no KVM_SET_SIGNAL_MASK); blocked again after the thread's mask
 *   changed between two KVM_RUNs; a signal unblocked by the thread's mask
 *   and sent while the guest spins ends KVM_RUN with EINTR, many times in a
 *   row, each within a bounded time; the thread's mask is the same after
 *   KVM_RUN as before; a signal KVM_SET_SIGNAL_MASK blocks (the thread
 *   does not) does not end KVM_RUN and is delivered after it.
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "abi-common.h"

#define CODE 0x1000

static uint64_t insns(AbiCtx *c)
{
    uint64_t n = ~0ULL;
    g_assert_cmpint(c->p->insns_retired(c->vcpu, &n), ==, 0);
    return n;
}

static void test_insns_retired(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    if (!c.p->insns_retired) {
        /* the kernel: no counter, and accel/kvm reports "not available" */
        g_assert_true(c.p == &kvm_provider_kernel);
        abi_close(&c);
        return;
    }
    static const uint8_t code[] = {
        0xb9, 0xe8, 0x03,           /* mov cx, 1000 */
        0xe2, 0xfe,                 /* 1: loop 1b */
        0xe6, 0x10,                 /* out 0x10, al */
        0xf4,                       /* hlt */
        0xe6, 0x11,                 /* out 0x11, al */
        0xeb, 0xfe,                 /* jmp $ */
    };
    memcpy(c.mem + CODE, code, sizeof(code));
    abi_real_mode(&c, CODE);

    g_assert_cmpuint(insns(&c), ==, 0);         /* nothing ran yet */
    uint64_t n;
    g_assert_cmpint(c.p->insns_retired(c.vm, &n), ==, -EBADF);
    g_assert_cmpint(c.p->insns_retired(-1, &n), ==, -EBADF);

    abi_expect_exit(&c, KVM_EXIT_IO);               /* out 0x10 */
    g_assert_cmpint(c.run->io.port, ==, 0x10);
    g_assert_cmpuint(insns(&c), ==, 1 + 1000 + 1);
    g_assert_cmpuint(insns(&c), ==, 1002);      /* stable between runs */
    abi_expect_exit(&c, KVM_EXIT_HLT);
    g_assert_cmpuint(insns(&c), ==, 1003);
    abi_expect_exit(&c, KVM_EXIT_IO);               /* out 0x11 */
    g_assert_cmpuint(insns(&c), ==, 1004);

    /* spins on jmp $ until immediate_exit is noticed between slices */
    c.run->immediate_exit = 1;
    g_assert_cmpint(abi_run(&c), ==, -EINTR);
    g_assert_cmpuint(insns(&c), ==, 1004);      /* did not enter the guest */
    abi_close(&c);
}

/* The count moves while KVM_RUN is in progress (read from another thread,
 * as the monitor does), and stops when the vCPU is out of the guest. */
typedef struct Runner {
    AbiCtx *c;
    int r;
} Runner;

static void *runner_main(void *opaque)
{
    Runner *rn = opaque;
    rn->r = abi_run(rn->c);
    return NULL;
}

static void test_insns_grow_while_running(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    if (!c.p->insns_retired) {
        abi_close(&c);
        return;
    }
    static const uint8_t code[] = { 0xeb, 0xfe };  /* jmp $ */
    memcpy(c.mem + CODE, code, sizeof(code));
    abi_real_mode(&c, CODE);
    Runner rn = { .c = &c };
    pthread_t th;
    pthread_create(&th, NULL, runner_main, &rn);
    uint64_t first = 0, later = 0;
    for (int i = 0; i < 500 && !first; i++) {    /* up to 5 s */
        usleep(10000);
        first = insns(&c);
    }
    g_assert_cmpuint(first, >, 0);
    for (int i = 0; i < 500 && later <= first; i++) {
        usleep(10000);
        later = insns(&c);
    }
    g_assert_cmpuint(later, >, first);
    g_assert_cmpint(c.p->kick(c.vcpu), ==, 0);
    pthread_join(th, NULL);
    g_assert_cmpint(rn.r, ==, -EINTR);
    uint64_t stopped = insns(&c);
    g_assert_cmpuint(stopped, >=, later);
    usleep(20000);
    g_assert_cmpuint(insns(&c), ==, stopped);
    abi_close(&c);
}

/* ---- signals ---------------------------------------------------------- */

static volatile sig_atomic_t got_signal;
static void on_sigusr1(int sig)
{
    got_signal++;
}

static void set_signal_mask_ioctl_unset(AbiCtx *c)
{
    /* KVM_SET_SIGNAL_MASK with a NULL argument: use the thread's mask */
    g_assert_cmpint(abi_ioctl(c, c->vcpu, KVM_SET_SIGNAL_MASK, NULL), ==, 0);
}

/* Pending, blocked by the thread's mask: KVM_RUN runs (the kernel too) */
static void test_blocked_pending_signal(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    static const uint8_t code[] = { 0xf4, 0xf4, 0xf4, 0xe6, 0x10 };
    memcpy(c.mem + CODE, code, sizeof(code));
    abi_real_mode(&c, CODE);
    set_signal_mask_ioctl_unset(&c);
    struct sigaction sa = { .sa_handler = on_sigusr1 }, old_sa;
    sigaction(SIGUSR1, &sa, &old_sa);
    got_signal = 0;

    sigset_t usr1, old, now;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &usr1, &old);
    pthread_kill(pthread_self(), SIGUSR1);          /* pending, blocked */
    abi_expect_exit(&c, KVM_EXIT_HLT);
    abi_expect_exit(&c, KVM_EXIT_HLT);                  /* still blocked */
    pthread_sigmask(SIG_BLOCK, NULL, &now);
    g_assert_cmpint(sigismember(&now, SIGUSR1), ==, 1);   /* mask kept */
    g_assert_cmpint(sigismember(&now, SIGUSR2), ==,
                    sigismember(&old, SIGUSR2));
    g_assert_cmpint(got_signal, ==, 0);

    /* the thread's mask changes between KVM_RUNs: delivered at once on
     * unblocking, and the next KVM_RUN runs normally */
    pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
    g_assert_cmpint(got_signal, ==, 1);
    abi_expect_exit(&c, KVM_EXIT_HLT);
    pthread_sigmask(SIG_BLOCK, NULL, &now);
    g_assert_cmpint(sigismember(&now, SIGUSR1), ==, 0);

    pthread_sigmask(SIG_SETMASK, &old, NULL);
    sigaction(SIGUSR1, &old_sa, NULL);
    abi_close(&c);
}

typedef struct Sender {
    pthread_t target;
    volatile int sent;
    volatile bool done;
} Sender;

static void *sender_main(void *opaque)
{
    Sender *s = opaque;
    while (!s->done) {
        usleep(3000);
        if (!s->done) {
            s->sent++;
            pthread_kill(s->target, SIGUSR1);
        }
    }
    return NULL;
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * A guest spinning in jmp $, signals from another thread every 3 ms: each
 * KVM_RUN ends with EINTR and the handler has run by the time it returns.
 * 50 rounds must take well under 50 x (3 ms + the provider's latency).
 */
static void test_signal_during_run(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    static const uint8_t code[] = { 0xeb, 0xfe };  /* jmp $ */
    memcpy(c.mem + CODE, code, sizeof(code));
    abi_real_mode(&c, CODE);
    struct sigaction sa = { .sa_handler = on_sigusr1 }, old_sa;
    sigaction(SIGUSR1, &sa, &old_sa);
    sigset_t usr1, old;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &usr1, &old);
    got_signal = 0;

    Sender s = { .target = pthread_self() };
    pthread_t th;
    pthread_create(&th, NULL, sender_main, &s);
    int64_t t0 = now_us();
    for (int i = 0; i < 50; i++) {
        int before = got_signal;
        int r = abi_run(&c);
        g_assert_cmpint(r, ==, -EINTR);
        g_assert_cmpint(c.run->exit_reason, ==, KVM_EXIT_INTR);
        g_assert_cmpint(got_signal, >, before);     /* handler ran */
    }
    int64_t elapsed = now_us() - t0;
    s.done = true;
    pthread_join(th, NULL);
    /* 50 x 3 ms = 150 ms; allow a loaded machine 4 s */
    g_assert_cmpint(elapsed, <, 4000000);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    sigaction(SIGUSR1, &old_sa, NULL);
    abi_close(&c);
}

/*
 * KVM_SET_SIGNAL_MASK blocks SIGUSR1 although the thread does not: signals
 * sent while the guest runs do not end KVM_RUN (it returns at the guest's
 * OUT), and the handler runs once KVM_RUN has restored the thread's mask.
 */
static void test_signal_blocked_by_run_mask(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    /* mov ecx, N; 1: dec ecx; jnz 1b; out 0x10 (long mode). N: ~0.1 s of
     * guest on ukvm; this host's nested KVM runs such a loop ~1000 times
     * slower, so the kernel gets a short one */
    uint8_t code[] = { 0xb9, 0, 0, 0, 0, 0xff, 0xc9, 0x75, 0xfc, 0xe6, 0x10 };
    uint32_t n = c.p == &kvm_provider_kernel ? 100000 : 20000000;
    memcpy(code + 1, &n, 4);
    memcpy(c.mem + CODE, code, sizeof(code));
    abi_long_mode(&c, CODE);
    struct sigaction sa = { .sa_handler = on_sigusr1 }, old_sa;
    sigaction(SIGUSR1, &sa, &old_sa);
    sigset_t usr1, old;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &usr1, &old);
    uint8_t sm[12];
    uint32_t len = 8;
    uint64_t set = 1ULL << (SIGUSR1 - 1);
    memcpy(sm, &len, 4);
    memcpy(sm + 4, &set, 8);
    g_assert_cmpint(abi_ioctl(&c, c.vcpu, KVM_SET_SIGNAL_MASK, sm), ==, 0);
    got_signal = 0;

    Sender s = { .target = pthread_self() };
    pthread_t th;
    pthread_create(&th, NULL, sender_main, &s);
    int r = abi_run(&c);
    int sent_during = s.sent;
    s.done = true;
    pthread_join(th, NULL);
    g_assert_cmpint(r, ==, 0);
    g_assert_cmpint(c.run->exit_reason, ==, KVM_EXIT_IO);
    g_assert_cmpint(c.run->io.port, ==, 0x10);
    if (sent_during) {
        g_assert_cmpint(got_signal, >, 0);  /* delivered after KVM_RUN */
    }
    g_test_message("%d signal(s) sent while the guest ran", sent_during);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    sigaction(SIGUSR1, &old_sa, NULL);
    abi_close(&c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    abi_add_test("/kvm-counters/insns-retired", test_insns_retired);
    abi_add_test("/kvm-counters/insns-grow-while-running",
                 test_insns_grow_while_running);
    abi_add_test("/kvm-counters/blocked-pending-signal",
                 test_blocked_pending_signal);
    abi_add_test("/kvm-counters/signal-during-run", test_signal_during_run);
    abi_add_test("/kvm-counters/signal-blocked-by-run-mask",
                 test_signal_blocked_by_run_mask);
    return g_test_run();
}
