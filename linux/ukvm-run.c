/*
 * ukvm KVM_RUN: runs the engine on the caller's thread and turns its exits
 * into struct kvm_run exits (api.rst 5. "The kvm_run structure"; order of
 * checks from arch/x86/kvm/x86.c kvm_arch_vcpu_ioctl_run and vcpu_run).
 *
 * Per KVM_RUN: complete the exit user space just handled (IN data from the
 * PIO page, MMIO read data), take cr8 from kvm_run, honour immediate_exit
 * and pending signals, run, and on the way out publish if_flag, cr8,
 * apic_base and ready_for_interrupt_injection.
 *
 * Signals: see include/linux/ukvm.h. Asynchronous signals are blocked while
 * the engine runs (one pthread_sigmask on the way in, one on the way out:
 * the caller's own mask must be in force between two KVM_RUNs). The engine
 * returns after each time slice (UKVM_TIME_SLICE_BLOCKS blocks) and at
 * once when kicked (ukvm_vcpu_kick); ukvm then reads the kick flag and
 * immediate_exit (memory only), and the pending signals (a syscall) when
 * SIGNAL_CHECK_NS has passed since it last did. No helper thread wakes
 * the vCPU: a running guest costs no host context switches of ukvm's own.
 *
 * At entry, a pending signal the run-time mask lets through ends KVM_RUN
 * before the guest runs. The pending set is read only when the run-time
 * mask (KVM_SET_SIGNAL_MASK) unblocks a signal the thread's mask blocks:
 * otherwise every signal pending at entry is blocked by the thread's mask
 * (an unblocked one is delivered before pthread_sigmask returns), hence by
 * the run-time mask too, and one that arrives later is found within
 * SIGNAL_CHECK_NS like any signal arriving while the guest runs.
 */
#include <string.h>
#include <time.h>

#include "ukvm-internal.h"

#define KVM_INTERNAL_ERROR_EMULATION_ 1

/* Pending signals are read at most this often while the guest runs. */
#define SIGNAL_CHECK_NS 1000000

static bool sync_signal(int sig)
{
    return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE ||
           sig == SIGILL || sig == SIGTRAP || sig == SIGSYS;
}

/* Every signal but the synchronous ones: blocked while the engine runs. */
static sigset_t async_signals;
static pthread_once_t async_once = PTHREAD_ONCE_INIT;

static void async_signals_init(void)
{
    sigfillset(&async_signals);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sync_signal(sig)) {
            sigdelset(&async_signals, sig);
        }
    }
}

/* Does @outer block every signal @inner blocks? */
static bool mask_covers(const sigset_t *outer, const sigset_t *inner)
{
    sigset_t both;
    sigorset(&both, outer, inner);
    return !memcmp(&both, outer, sizeof(both));
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);    /* vDSO: no syscall */
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A pending signal that @runmask does not block? */
static bool signal_deliverable(const sigset_t *runmask)
{
    sigset_t pend;
    if (sigpending(&pend) < 0) {
        return false;
    }
    for (int sig = 1; sig < NSIG; sig++) {
        if (sigismember(&pend, sig) == 1 && sigismember(runmask, sig) != 1) {
            return true;
        }
    }
    return false;
}

/* Between slices and after exits handled inside ukvm. */
static bool must_stop(UkvmVcpu *v, const sigset_t *runmask)
{
    if (atomic_load_explicit(&v->kick, memory_order_relaxed) &&
        atomic_exchange(&v->kick, false)) {
        return true;
    }
    if (__atomic_load_n(&v->run->immediate_exit, __ATOMIC_RELAXED)) {
        return true;
    }
    int64_t now = mono_ns();
    if (now - v->sig_check_ns < SIGNAL_CHECK_NS) {
        return false;
    }
    v->sig_check_ns = now;
    return signal_deliverable(runmask);
}

static void complete_pending(UkvmVcpu *v)
{
    X86Exit *p = &v->pending;
    if (p->reason == X86_EXIT_IO && p->io.in) {
        size_t n = (size_t)p->io.count * p->io.size;
        if (n > X86_IO_DATA_MAX) {
            n = X86_IO_DATA_MAX;
        }
        memcpy(p->io.data, (uint8_t *)v->run + UKVM_PIO_OFFSET, n);
    } else if (p->reason == X86_EXIT_MMIO && !p->mmio.write) {
        memcpy(p->mmio.data, v->run->mmio.data, MIN(p->mmio.len, 8));
    } else if (p->reason == X86_EXIT_MSR) {
        ukvm_msr_complete(v);
    }
    v->io_pending = false;
}

static void post_run(UkvmVcpu *v)
{
    X86Regs regs;
    X86SRegs sregs;
    struct kvm_run *run = v->run;

    x86_cpu_get_regs(v->cpu, &regs);
    x86_cpu_get_sregs(v->cpu, &sregs);
    run->if_flag = (regs.rflags >> 9) & 1;
    run->cr8 = sregs.cr8;
    v->last_cr8 = sregs.cr8;
    run->apic_base = sregs.apic_base;
    run->ready_for_interrupt_injection = x86_cpu_can_inject_irq(v->cpu);
    run->flags = 0;
}

/* Fill kvm_run for an engine exit; false: handled here, keep running. */
static bool exit_to_user(UkvmVcpu *v, X86Exit *ex)
{
    struct kvm_run *run = v->run;

    switch (ex->reason) {
    case X86_EXIT_IO: {
        size_t n = (size_t)ex->io.count * ex->io.size;
        if (!ex->io.in && ex->io.count == 1 &&
            ukvm_ioeventfd_signal(v->vm, true, ex->io.port, ex->io.size,
                                  ex->io.data)) {
            return false;
        }
        if (n > X86_IO_DATA_MAX) {
            n = X86_IO_DATA_MAX;
        }
        run->exit_reason = KVM_EXIT_IO;
        run->io.direction = ex->io.in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
        run->io.size = ex->io.size;
        run->io.port = ex->io.port;
        run->io.count = ex->io.count;
        run->io.data_offset = UKVM_PIO_OFFSET;
        if (!ex->io.in) {
            memcpy((uint8_t *)run + UKVM_PIO_OFFSET, ex->io.data, n);
        }
        v->pending = *ex;
        v->io_pending = true;
        return true;
    }
    case X86_EXIT_MMIO:
        if (ex->mmio.write &&
            ukvm_ioeventfd_signal(v->vm, false, ex->mmio.addr, ex->mmio.len,
                                  ex->mmio.data)) {
            return false;
        }
        run->exit_reason = KVM_EXIT_MMIO;
        run->mmio.phys_addr = ex->mmio.addr;
        run->mmio.len = MIN(ex->mmio.len, 8);
        run->mmio.is_write = ex->mmio.write;
        memset(run->mmio.data, 0, sizeof(run->mmio.data));
        if (ex->mmio.write) {
            memcpy(run->mmio.data, ex->mmio.data, run->mmio.len);
        }
        v->pending = *ex;
        v->io_pending = true;
        return true;
    case X86_EXIT_HLT:
        /*
         * Without an in-kernel LAPIC the kernel does not keep the vCPU
         * halted: the next KVM_RUN continues after the HLT.
         */
        x86_cpu_set_mp_state(v->cpu, X86_MP_RUNNABLE);
        run->exit_reason = KVM_EXIT_HLT;
        return true;
    case X86_EXIT_SHUTDOWN:
        run->exit_reason = KVM_EXIT_SHUTDOWN;
        return true;
    case X86_EXIT_IRQ_WINDOW_OPEN:
        run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
        return true;
    case X86_EXIT_DEBUG:
        run->exit_reason = KVM_EXIT_DEBUG;
        memset(&run->debug, 0, sizeof(run->debug));
        run->debug.arch.exception = ex->debug.exception;
        run->debug.arch.pc = ex->debug.pc;
        run->debug.arch.dr6 = ex->debug.dr6;
        run->debug.arch.dr7 = ex->debug.dr7;
        return true;
    case X86_EXIT_HYPERCALL:
        ukvm_pv_hypercall(v, ex);
        return false;
    case X86_EXIT_MSR:              /* KVM_CAP_X86_USER_SPACE_MSR */
        ukvm_msr_exit_to_user(v, ex);
        v->pending = *ex;
        v->io_pending = true;
        return true;
    case X86_EXIT_INTERNAL_ERROR:
    default:
        run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
        memset(&run->internal, 0, sizeof(run->internal));
        run->internal.suberror = KVM_INTERNAL_ERROR_EMULATION_;
        run->internal.ndata = 2;
        run->internal.data[0] = ex->reason == X86_EXIT_INTERNAL_ERROR ?
                                ex->internal.rip : 0;
        run->internal.data[1] = ex->reason;
        return true;
    }
}

static int run_loop(UkvmVcpu *v, const sigset_t *runmask)
{
    X86Exit ex;

    int r = 0;
    for (;;) {
        atomic_store(&v->running, true);
        ukvm_in_engine = true;
        int rc = x86_cpu_run(v->cpu, &ex);
        ukvm_in_engine = false;
        atomic_store(&v->running, false);
        atomic_fetch_add(&v->run_gen, 1);
        atomic_store_explicit(&v->insns, x86_cpu_insns_retired(v->cpu),
                              memory_order_relaxed);
        if (rc < 0) {
            memset(&ex, 0, sizeof(ex));
            ex.reason = X86_EXIT_INTERNAL_ERROR;
            g_strlcpy(ex.internal.msg, "vCPU cannot run",
                      sizeof(ex.internal.msg));
        }
        if (ex.reason == X86_EXIT_KICKED) {
            if (must_stop(v, runmask)) {
                v->run->exit_reason = KVM_EXIT_INTR;
                r = -EINTR;
                break;
            }
            continue;
        }
        if (exit_to_user(v, &ex)) {
            break;
        }
        if (must_stop(v, runmask)) {
            v->run->exit_reason = KVM_EXIT_INTR;
            r = -EINTR;
            break;
        }
    }
    if (v->run->exit_reason < G_N_ELEMENTS(v->exits)) {
        v->exits[v->run->exit_reason]++;
    }
    return r;
}

int ukvm_vcpu_run(UkvmVcpu *v)
{
    struct kvm_run *run = v->run;
    sigset_t orig, runmask;
    int r;

    run->flags = 0;
    if (run->kvm_valid_regs || run->kvm_dirty_regs) {
        return -EINVAL;             /* KVM_CAP_SYNC_REGS is not offered */
    }
    if (run->cr8 != v->last_cr8) {
        if (run->cr8 > 15) {
            return -EINVAL;
        }
        X86SRegs s;
        x86_cpu_get_sregs(v->cpu, &s);
        s.cr8 = run->cr8;
        x86_cpu_set_sregs(v->cpu, &s);
        v->last_cr8 = run->cr8;
    }
    if (v->io_pending) {
        complete_pending(v);
    }
    v->has_run = true;
    ukvm_pv_update(v);

    pthread_once(&async_once, async_signals_init);
    sigemptyset(&orig);             /* the kernel fills only 64 bits */
    pthread_sigmask(SIG_BLOCK, &async_signals, &orig);
    runmask = v->sigmask_set ? v->sigmask : orig;
    v->sig_check_ns = mono_ns();

    if (__atomic_load_n(&run->immediate_exit, __ATOMIC_RELAXED) ||
        atomic_exchange(&v->kick, false) ||
        (v->sigmask_set && !mask_covers(&runmask, &orig) &&
         signal_deliverable(&runmask))) {
        run->exit_reason = KVM_EXIT_INTR;
        r = -EINTR;
    } else {
        x86_cpu_request_irq_window(v->cpu, run->request_interrupt_window);
        r = run_loop(v, &runmask);
    }
    post_run(v);
    pthread_sigmask(SIG_SETMASK, &orig, NULL);
    return r;
}
