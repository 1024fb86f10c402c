/*
 * The KVM accelerator: creates the VM and its vCPUs through a KVM provider
 * (kernel /dev/kvm or ukvm, include/accel/kvm-provider.h), keeps memslots in
 * sync with the memory API, runs one thread per vCPU and dispatches port
 * I/O and MMIO exits into address_space_io / address_space_memory.
 *
 * Who calls it:
 *  - cli/: kvm_accel_init() with the -accel list ("kvm", "tcg", "kvm:tcg"),
 *    then the board creates vCPUs (kvm_cpu_create) and cli calls
 *    kvm_cpus_start(); vm_start() (system/runstate) lets them run.
 *  - the board's interrupt controller (hw/intc, userspace irqchip):
 *    kvm_cpu_set_irq_source() once per vCPU, then kvm_cpu_interrupt()
 *    whenever the source's output may have changed; kvm_cpu_nmi(),
 *    kvm_cpu_init_request(), kvm_cpu_sipi() for NMI and SMP start-up.
 *  - monitor/: kvm_cpu_get_state()/kvm_cpu_dump_state() (info registers,
 *    query-cpus-fast), kvm_exit_count() (kvm_stat-like counters).
 *
 * Locking: everything here is called with the BQL held unless marked
 * "any thread". vCPU threads run guest code without the BQL and take it
 * while they handle an exit, query the irq source, or wait (paused, halted,
 * waiting for SIPI). Irq-source callbacks run on vCPU threads with the BQL.
 *
 * Provider selection: "kvm" is the kernel (/dev/kvm); "tcg" is ukvm, the
 * same ABI in user space. A failure to open /dev/kvm prints QEMU's
 * "Could not access KVM kernel module: ..." and fails with
 * "-accel kvm: failed to initialize kvm: ..." (or falls back to the next
 * accelerator of the list, saying so).
 */
#ifndef ACCEL_KVM_H
#define ACCEL_KVM_H

#include <glib.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

#include "accel/kvm-provider.h"
#include "util/keyval.h"

typedef struct KvmState KvmState;
typedef struct KvmCpu KvmCpu;

/* ---- VM ------------------------------------------------------------------ */

/*
 * Open the first usable accelerator of @accel_list (NULL or "" means
 * "tcg", QEMU's default), create the VM and register memory listeners on
 * address_space_memory and address_space_io plus the vCPU pause/resume
 * ops with system/runstate. Main thread, BQL.
 */
KvmState *kvm_accel_init(const char *accel_list, GError **errp);
/* The VM created by kvm_accel_init, or NULL. */
KvmState *kvm_state(void);
/* "kvm" (kernel) or "tcg" (ukvm). */
const char *kvm_accel_name(const KvmState *s);
const KvmProvider *kvm_accel_provider(const KvmState *s);
/* Stop and join the vCPU threads, unregister listeners, close the VM. */
void kvm_accel_destroy(KvmState *s);

/* ---- vCPUs ---------------------------------------------------------------- */

typedef struct KvmCpuConfig {
    const char *model;          /* -cpu model: "max", "qemu64", ... */
    uint32_t index;             /* 0 = bootstrap processor */
    uint32_t apic_id;
    uint32_t sockets, dies, clusters, cores, threads;  /* -smp topology */
    /* -cpu model,+feat,-feat,feat=on|off (may be NULL): CPUID flags by
     * their QEMU names, set or cleared before the provider's filter */
    const KeyvalList *features;
} KvmCpuConfig;

/*
 * Create a vCPU: KVM_CREATE_VCPU, mmap kvm_run, CPUID from the model
 * filtered by KVM_GET_SUPPORTED_CPUID (warning, as QEMU, for each requested
 * feature the provider lacks). Application processors (index > 0) wait for
 * INIT/SIPI before they run.
 */
KvmCpu *kvm_cpu_create(KvmState *s, const KvmCpuConfig *cfg, GError **errp);
/* The CPUID kvm_cpu_create() would give @cfg, without warnings (for
 * query-cpu-model-expansion "host"): g_free() it. */
struct kvm_cpuid2 *kvm_cpu_model_cpuid(KvmState *s, const KvmCpuConfig *cfg,
                                       GError **errp);
KvmCpu *kvm_cpu_by_index(KvmState *s, uint32_t index);
unsigned kvm_cpu_count(KvmState *s);
/* Start one thread per vCPU; they run once the VM is started (vm_start). */
bool kvm_cpus_start(KvmState *s, GError **errp);

/* Run fn on the vCPU's thread (with the BQL) and wait for it; directly if
 * the thread is not started. */
void kvm_cpu_run_on(KvmCpu *cpu, void (*fn)(KvmCpu *cpu, void *data),
                    void *data);
/* Ask the vCPU to leave KVM_RUN soon (signal + immediate_exit). Any thread. */
void kvm_cpu_kick(KvmCpu *cpu);
/* The vCPU whose thread calls this (e.g. from an MMIO handler, so that a
 * per-CPU device such as the local APIC knows who accesses it), or NULL
 * on any other thread. Any thread. */
KvmCpu *kvm_current_cpu(void);

/* ---- interrupts (userspace irqchip) --------------------------------------- */

typedef struct KvmIrqSource {
    /* An external interrupt is pending for this CPU (INTR line high). */
    bool (*has_interrupt)(void *opaque);
    /* Acknowledge it (INTA): the vector, or -1 if it went away. */
    int (*ack)(void *opaque);
    /* Optional (accel/kvm/kvm-msr.c): the MSRs a userspace LAPIC owns
     * (x2APIC 0x800-0x8ff, IA32_TSC_DEADLINE), from the guest's RDMSR/
     * WRMSR; false: #GP. @tsc/@tsc_khz: the guest TSC at a write of
     * IA32_TSC_DEADLINE and its rate (0 for other MSRs). */
    bool (*msr_read)(void *opaque, uint32_t index, uint64_t *value);
    bool (*msr_write)(void *opaque, uint32_t index, uint64_t value,
                      uint64_t tsc, uint32_t tsc_khz);
    /* Optional: IA32_APIC_BASE changed (read after each KVM_RUN). */
    void (*set_apic_base)(void *opaque, uint64_t base);
    void *opaque;
} KvmIrqSource;

void kvm_cpu_set_irq_source(KvmCpu *cpu, const KvmIrqSource *src);
/* The source's output may have changed: re-evaluate soon. Any thread. */
void kvm_cpu_interrupt(KvmCpu *cpu);
void kvm_cpu_nmi(KvmCpu *cpu);               /* any thread */
void kvm_cpu_init_request(KvmCpu *cpu);      /* INIT IPI; any thread */
void kvm_cpu_sipi(KvmCpu *cpu, uint8_t vector); /* STARTUP IPI; any thread */

/* ---- in-kernel irqchip (kernel provider only) ------------------------------ */

typedef enum {
    KVM_IRQCHIP_OFF,            /* userspace PIC/IOAPIC/LAPIC (hw/intc) */
    KVM_IRQCHIP_ON,             /* KVM_CREATE_IRQCHIP: PIC, IOAPIC, LAPIC */
    KVM_IRQCHIP_SPLIT,          /* KVM_CAP_SPLIT_IRQCHIP: LAPIC in kernel */
} KvmIrqchipMode;

/*
 * -machine kernel-irqchip=on|split|off: call before creating vCPUs. "off"
 * always works; on/split need a provider that advertises KVM_CAP_IRQCHIP /
 * KVM_CAP_SPLIT_IRQCHIP (the kernel; ukvm has none: a clear error).
 * With an in-kernel LAPIC, KVM handles HLT, interrupt injection and
 * INIT/SIPI itself, and the vCPU loop leaves them alone.
 */
bool kvm_irqchip_create(KvmState *s, KvmIrqchipMode mode, GError **errp);
KvmIrqchipMode kvm_irqchip_mode(const KvmState *s);
/* KVM_IRQ_LINE on a GSI (irqchip on): 0 or -errno. Any thread. */
int kvm_irqchip_set_irq(KvmState *s, uint32_t gsi, bool level);
/* KVM_SIGNAL_MSI (irqchip on or split): >= 0 or -errno. Any thread. */
int kvm_irqchip_send_msi(KvmState *s, uint64_t addr, uint32_t data);
/* KVM_IRQFD: an eventfd that raises @gsi (irqchip on/split), optional
 * resample fd for level-triggered lines (-1: none). 0 or -errno. */
int kvm_irqchip_add_irqfd(KvmState *s, int fd, uint32_t gsi, int resample_fd);
int kvm_irqchip_remove_irqfd(KvmState *s, int fd, uint32_t gsi);

/* ---- state ---------------------------------------------------------------- */

#define KVM_CPU_STATE_MAX_MSRS 64

/*
 * Everything migration and the monitor need from a vCPU. msrs holds the
 * accelerator's save list (architectural MSRs the provider reports in
 * KVM_GET_MSR_INDEX_LIST: SYSENTER, SYSCALL, PAT, MTRRs, TSC, TSC_AUX,
 * kvmclock ...); xsave is valid when has_xsave (KVM_CAP_XSAVE).
 */
typedef struct KvmCpuState {
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    struct kvm_fpu fpu;
    struct kvm_vcpu_events events;
    struct kvm_debugregs debugregs;
    uint64_t xcr0;
    uint32_t nmsrs;
    struct kvm_msr_entry msrs[KVM_CPU_STATE_MAX_MSRS];
    bool has_xsave;
    struct kvm_xsave xsave;
} KvmCpuState;

bool kvm_cpu_get_state(KvmCpu *cpu, KvmCpuState *st, GError **errp);
bool kvm_cpu_set_state(KvmCpu *cpu, const KvmCpuState *st, GError **errp);
/* "info registers"-style text. */
void kvm_cpu_dump_state(KvmCpu *cpu, GString *out);
/* Architectural power-on reset of every vCPU (registered as a reset
 * handler by kvm_accel_init; vCPUs are paused while it runs). */
void kvm_cpus_reset(KvmState *s);

/* ---- guest debug ---------------------------------------------------------- */

/* KVM_SET_GUEST_DEBUG as given (KVM_GUESTDBG_* control: single-step,
 * USE_SW_BP for INT3, USE_HW_BP with debugreg[0-3] + [7]); runs on the vCPU.
 * KVM_CAP_GUEST_DEBUG_HW_BPS tells how many hardware breakpoints exist. */
bool kvm_cpu_set_guest_debug(KvmCpu *cpu, const struct kvm_guest_debug *dbg,
                             GError **errp);
bool kvm_cpu_set_single_step(KvmCpu *cpu, bool on, GError **errp);

/* ---- monitor accessors (query-cpus-fast, info cpus); BQL ------------------ */

/* Host thread id (gettid) of the vCPU's thread; the process id while the
 * threads are not started. May run a job on the vCPU once. */
int kvm_cpu_thread_id(KvmCpu *cpu);
/* The vCPU's QOM-style path "/machine/cpu[N]" (g_free). vCPUs are not
 * QOM objects yet: qom-get on it fails. */
char *kvm_cpu_qom_path(KvmCpu *cpu);
uint32_t kvm_cpu_apic_id(KvmCpu *cpu);
/* Halted (HLT) or waiting for INIT/SIPI. */
bool kvm_cpu_is_halted(KvmCpu *cpu);

/* ---- statistics ----------------------------------------------------------- */

#define KVM_EXIT_COUNTERS 64
/* Exits by KVM_EXIT_* reason summed over vCPUs; reason >= 64 is folded
 * into 63. Any thread. */
uint64_t kvm_exit_count(KvmState *s, unsigned reason);
/* "io", "mmio", "hlt", ... or NULL for an unnamed reason. */
const char *kvm_exit_reason_name(unsigned reason);
/* Exits of one vCPU, all reasons. Any thread. */
uint64_t kvm_cpu_exit_total(KvmCpu *cpu);
/*
 * Guest instructions retired by one vCPU / summed over the vCPUs, when the
 * provider counts them (ukvm); false (and *out untouched) when it does not
 * (the kernel provider). May lag a running vCPU by one time slice. Any
 * thread, no locks, no syscalls.
 */
bool kvm_cpu_insns_retired(KvmCpu *cpu, uint64_t *out);
bool kvm_insns_retired(KvmState *s, uint64_t *sum);

#endif
