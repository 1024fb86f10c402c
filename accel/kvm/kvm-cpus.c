/*
 * vCPU threads: one per vCPU, each running KVM_RUN without the BQL and
 * handling exits with it. The loop is one switch on the exit reason.
 *
 * Kicks: with the kernel, kvm_cpu_kick() sets exit_request and
 * kvm_run.immediate_exit, then signals the thread with SIG_IPI (the signal
 * makes KVM_RUN return EINTR; the handler sets immediate_exit again to
 * close the race with a KVM_RUN about to start). With ukvm it only uses the
 * provider's kick, whose flag KVM_RUN takes once (one exit per kick).
 *
 * Waiting (paused, halted with no interrupt, waiting for SIPI, stopped
 * after an internal error or a triple fault until reset) happens on the
 * vCPU's condition variable with the BQL, so wakeups from devices (under
 * the BQL) are never lost.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "kvm-internal.h"
#include "system/main-loop.h"
#include "system/runstate.h"
#include "util/error.h"

static __thread KvmCpu *current_cpu;

KvmCpu *kvm_current_cpu(void)
{
    return current_cpu;
}

static void sig_ipi_handler(int sig)
{
    KvmCpu *cpu = current_cpu;
    if (cpu) {
        __atomic_store_n(&cpu->run->immediate_exit, 1, __ATOMIC_RELAXED);
    }
}

void kvm_cpu_kick(KvmCpu *cpu)
{
    if (cpu->s->p->kick) {
        /* ukvm: its kick flag is one request, taken once by KVM_RUN (at
         * entry when the vCPU is outside it). exit_request and
         * immediate_exit as well would be a second request the vCPU could
         * take in a second KVM_RUN: two exits for one kick. */
        cpu->s->p->kick(cpu->fd);
        return;
    }
    __atomic_store_n(&cpu->exit_request, 1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&cpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
    if (cpu->thread_started) {
        pthread_kill(cpu->thread, SIG_IPI);
    }
}

void kvm_cpu_wake(KvmCpu *cpu)
{
    if (bql_locked()) {
        g_cond_broadcast(&cpu->cond);
    } else {
        bql_lock();
        g_cond_broadcast(&cpu->cond);
        bql_unlock();
    }
    kvm_cpu_kick(cpu);
}

void kvm_cpu_run_on(KvmCpu *cpu, void (*fn)(KvmCpu *cpu, void *data),
                    void *data)
{
    if (!cpu->thread_started || current_cpu == cpu) {
        fn(cpu, data);
        return;
    }
    KvmWork w = { .fn = fn, .data = data };
    w.next = cpu->work;
    cpu->work = &w;
    g_cond_broadcast(&cpu->cond);
    kvm_cpu_kick(cpu);
    while (!w.done) {
        bql_cond_wait(&cpu->s->pause_cond);
    }
}

static void run_work_locked(KvmCpu *cpu)
{
    while (cpu->work) {
        KvmWork *w = cpu->work;
        cpu->work = w->next;
        w->fn(cpu, w->data);
        w->done = true;
        g_cond_broadcast(&cpu->s->pause_cond);
    }
}

/* ---- exit handling (BQL held) ---------------------------------------------- */

static void handle_io(KvmCpu *cpu)
{
    struct kvm_run *run = cpu->run;
    uint8_t *data = (uint8_t *)run + run->io.data_offset;
    bool out = run->io.direction == KVM_EXIT_IO_OUT;
    uint64_t bytes = (uint64_t)run->io.size * run->io.count;

    if (run->io.data_offset < sizeof(*run) ||
        run->io.data_offset + bytes > cpu->run_size) {
        return;                     /* provider bug: never trust sizes */
    }
    for (uint32_t i = 0; i < run->io.count; i++) {
        address_space_rw(&address_space_io, run->io.port,
                         MEMTXATTRS_UNSPECIFIED, data, run->io.size, out);
        data += run->io.size;
    }
}

static void handle_mmio(KvmCpu *cpu)
{
    struct kvm_run *run = cpu->run;
    uint32_t len = MIN(run->mmio.len, 8);
    address_space_rw(&address_space_memory, run->mmio.phys_addr,
                     MEMTXATTRS_UNSPECIFIED, run->mmio.data, len,
                     run->mmio.is_write);
}

static void internal_error(KvmCpu *cpu)
{
    struct kvm_run *run = cpu->run;
    g_autoptr(GString) msg = g_string_new(NULL);

    if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR) {
        g_string_append_printf(msg, "KVM internal error. Suberror: %u",
                               run->internal.suberror);
        for (uint32_t i = 0; i < MIN(run->internal.ndata, 16u); i++) {
            g_string_append_printf(msg, "\nextra data[%u]: 0x%016llx", i,
                                   (unsigned long long)run->internal.data[i]);
        }
        if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION) {
            g_string_append(msg, "\nemulation failure");
        }
    } else if (run->exit_reason == KVM_EXIT_FAIL_ENTRY) {
        g_string_append_printf(msg, "KVM: entry failed, hardware error 0x%llx",
            (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
    } else {
        g_string_append_printf(msg, "KVM: unhandled exit 0x%x",
                               run->exit_reason);
    }
    kvm_cpu_report_error(cpu, msg->str);
    cpu->stopped = true;
    qemu_system_vmstop_request(RUN_STATE_INTERNAL_ERROR);
}

static void handle_exit(KvmCpu *cpu)
{
    struct kvm_run *run = cpu->run;

    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        handle_io(cpu);
        break;
    case KVM_EXIT_MMIO:
        handle_mmio(cpu);
        break;
    case KVM_EXIT_HLT:
        cpu->halted = true;
        break;
    case KVM_EXIT_IRQ_WINDOW_OPEN:
    case KVM_EXIT_INTR:
        break;
    case KVM_EXIT_SHUTDOWN:
        /* triple fault: reset (or exit with -no-reboot) */
        cpu->stopped = true;
        qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
        break;
    case KVM_EXIT_SYSTEM_EVENT:
        cpu->stopped = true;
        switch (run->system_event.type) {
        case KVM_SYSTEM_EVENT_SHUTDOWN:
            qemu_system_shutdown_request(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
            break;
        case KVM_SYSTEM_EVENT_RESET:
            qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
            break;
        case KVM_SYSTEM_EVENT_CRASH:
            qemu_system_guest_panicked();
            break;
        default:
            cpu->stopped = false;
            break;
        }
        break;
    case KVM_EXIT_DEBUG:
        qemu_system_debug_request();
        break;
    case KVM_EXIT_X86_RDMSR:
    case KVM_EXIT_X86_WRMSR:
        kvm_msr_handle_exit(cpu);
        break;
    default:
        internal_error(cpu);
        break;
    }
}

/* ---- the loop --------------------------------------------------------------- */

/* Wait until the vCPU may run; false when the thread must exit. BQL. */
static bool wait_runnable_locked(KvmCpu *cpu)
{
    KvmState *s = cpu->s;
    for (;;) {
        run_work_locked(cpu);
        if (s->stopping) {
            return false;
        }
        kvm_irq_handle_startup(cpu);
        if (s->pause_requested) {
            if (!cpu->paused) {
                cpu->paused = true;
                g_cond_broadcast(&s->pause_cond);
            }
            bql_cond_wait(&cpu->cond);
            continue;
        }
        cpu->paused = false;
        if (cpu->stopped || cpu->wait_sipi) {
            bql_cond_wait(&cpu->cond);
            continue;
        }
        if (cpu->halted) {
            if (!kvm_irq_cpu_has_work(cpu)) {
                bql_cond_wait(&cpu->cond);
                continue;
            }
            cpu->halted = false;
        }
        return true;
    }
}

static void *vcpu_thread(void *opaque)
{
    KvmCpu *cpu = opaque;
    struct kvm_run *run = cpu->run;
    sigset_t ipi;

    current_cpu = cpu;
    sigemptyset(&ipi);
    sigaddset(&ipi, SIG_IPI);
    pthread_sigmask(SIG_UNBLOCK, &ipi, NULL);

    bql_lock();
    while (wait_runnable_locked(cpu)) {
        bql_unlock();
        kvm_irq_pre_run(cpu);
        if (__atomic_exchange_n(&cpu->exit_request, 0, __ATOMIC_SEQ_CST)) {
            __atomic_store_n(&run->immediate_exit, 1, __ATOMIC_SEQ_CST);
        }
        int r = kvm_vcpu_ioctl(cpu, KVM_RUN, NULL);
        __atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
        /* a kick that came during KVM_RUN has done its job: what it asked
         * for (work, pause, INIT/SIPI, irq/NMI hints) is checked below
         * before the next KVM_RUN; a later kick sets immediate_exit */
        __atomic_store_n(&cpu->exit_request, 0, __ATOMIC_SEQ_CST);
        bql_lock();
        kvm_msr_sync_apic_base(cpu);
        if (r == -EINTR || r == -EAGAIN) {
            __atomic_fetch_add(&cpu->exits[KVM_EXIT_INTR], 1,
                               __ATOMIC_RELAXED);
            continue;
        }
        if (r < 0) {
            error_report("error: kvm run failed %s", g_strerror(-r));
            kvm_cpu_report_error(cpu, "KVM_RUN failed");
            cpu->stopped = true;
            qemu_system_vmstop_request(RUN_STATE_INTERNAL_ERROR);
            continue;
        }
        unsigned reason = MIN(run->exit_reason, KVM_EXIT_COUNTERS - 1u);
        __atomic_fetch_add(&cpu->exits[reason], 1, __ATOMIC_RELAXED);
        handle_exit(cpu);
    }
    cpu->paused = true;
    g_cond_broadcast(&cpu->s->pause_cond);
    bql_unlock();
    current_cpu = NULL;
    return NULL;
}

bool kvm_cpus_start(KvmState *s, GError **errp)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = sig_ipi_handler;
    sigaction(SIG_IPI, &sa, NULL);

    for (guint i = 0; i < s->cpus->len; i++) {
        KvmCpu *cpu = g_ptr_array_index(s->cpus, i);
        if (!cpu || cpu->thread_started) {
            continue;
        }
        int r = pthread_create(&cpu->thread, NULL, vcpu_thread, cpu);
        if (r) {
            error_setg(errp, "cannot start vCPU %u thread: %s", cpu->index,
                       g_strerror(r));
            return false;
        }
        cpu->thread_started = true;
    }
    return true;
}

void kvm_cpus_pause_all(void *opaque)
{
    KvmState *s = opaque;
    s->pause_requested = true;
    for (guint i = 0; i < s->cpus->len; i++) {
        KvmCpu *cpu = g_ptr_array_index(s->cpus, i);
        if (cpu) {
            g_cond_broadcast(&cpu->cond);
            kvm_cpu_kick(cpu);
        }
    }
    for (;;) {
        bool all = true;
        for (guint i = 0; i < s->cpus->len; i++) {
            KvmCpu *cpu = g_ptr_array_index(s->cpus, i);
            if (cpu && cpu->thread_started && !cpu->paused) {
                all = false;
            }
        }
        if (all) {
            return;
        }
        bql_cond_wait(&s->pause_cond);
    }
}

void kvm_cpus_resume_all(void *opaque)
{
    KvmState *s = opaque;
    s->pause_requested = false;
    for (guint i = 0; i < s->cpus->len; i++) {
        KvmCpu *cpu = g_ptr_array_index(s->cpus, i);
        if (cpu) {
            g_cond_broadcast(&cpu->cond);
        }
    }
}

/* Called with the BQL; drops it while joining. */
void kvm_cpus_stop_threads(KvmState *s)
{
    bool locked = bql_locked();
    if (!locked) {
        bql_lock();
    }
    s->stopping = true;
    for (guint i = 0; i < s->cpus->len; i++) {
        KvmCpu *cpu = g_ptr_array_index(s->cpus, i);
        if (cpu) {
            g_cond_broadcast(&cpu->cond);
            kvm_cpu_kick(cpu);
        }
    }
    bql_unlock();
    for (guint i = 0; i < s->cpus->len; i++) {
        KvmCpu *cpu = g_ptr_array_index(s->cpus, i);
        if (cpu && cpu->thread_started) {
            pthread_join(cpu->thread, NULL);
            cpu->thread_started = false;
        }
    }
    if (locked) {
        bql_lock();
    }
}

void kvm_cpus_reset(KvmState *s)
{
    for (guint i = 0; i < s->cpus->len; i++) {
        KvmCpu *cpu = g_ptr_array_index(s->cpus, i);
        if (cpu) {
            kvm_cpu_reset_one(cpu);
            __atomic_store_n(&cpu->nmi_pending, 0, __ATOMIC_SEQ_CST);
            __atomic_store_n(&cpu->init_pending, 0, __ATOMIC_SEQ_CST);
            __atomic_store_n(&cpu->sipi_pending, 0, __ATOMIC_SEQ_CST);
            g_cond_broadcast(&cpu->cond);
        }
    }
}

/* ---- monitor accessors (query-cpus-fast, info cpus) ---------------------- */

static void thread_id_on_cpu(KvmCpu *cpu, void *data)
{
    *(int *)data = (int)gettid();
}

int kvm_cpu_thread_id(KvmCpu *cpu)
{
    /* asked once per vCPU on its own thread, then remembered (BQL) */
    static GHashTable *tids;
    gpointer v;

    if (!cpu->thread_started) {
        return (int)getpid();
    }
    if (!tids) {
        tids = g_hash_table_new(NULL, NULL);
    }
    if (g_hash_table_lookup_extended(tids, cpu, NULL, &v)) {
        return GPOINTER_TO_INT(v);
    }
    int tid = -1;
    kvm_cpu_run_on(cpu, thread_id_on_cpu, &tid);
    g_hash_table_insert(tids, cpu, GINT_TO_POINTER(tid));
    return tid;
}

char *kvm_cpu_qom_path(KvmCpu *cpu)
{
    return g_strdup_printf("/machine/cpu[%u]", cpu->index);
}

uint32_t kvm_cpu_apic_id(KvmCpu *cpu)
{
    return cpu->apic_id;
}

bool kvm_cpu_is_halted(KvmCpu *cpu)
{
    return cpu->halted || cpu->wait_sipi;
}
