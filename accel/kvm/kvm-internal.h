/*
 * accel/kvm internals.
 *
 * Lock order: BQL -> KvmState.slots_lock (leaf). Fields marked (BQL) are
 * read and written with the BQL held; (atomic) fields from any thread.
 */
#ifndef ACCEL_KVM_INTERNAL_H
#define ACCEL_KVM_INTERNAL_H

#include <pthread.h>
#include <signal.h>
#include <stddef.h>

#include "accel/kvm.h"
#include "memory/memory.h"

#define KVM_MAX_SLOTS 512
#define SIG_IPI SIGUSR1

#ifndef container_of
#define container_of(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))
#endif

typedef struct KvmSlot {
    bool used;
    uint32_t id;
    uint64_t gpa;
    uint64_t size;
    void *host;
    uint32_t flags;
    MemoryRegion *mr;
    hwaddr offset_in_mr;
} KvmSlot;

typedef struct KvmWork {
    void (*fn)(KvmCpu *cpu, void *data);
    void *data;
    bool done;
    struct KvmWork *next;
} KvmWork;

struct KvmCpu {
    KvmState *s;
    uint32_t index;
    uint32_t apic_id;
    int fd;
    struct kvm_run *run;
    size_t run_size;
    pthread_t thread;
    bool thread_started;
    GCond cond;                     /* (BQL) halt/pause/SIPI/work wakeups */
    /* requests, set from any thread, consumed by the vCPU thread */
    int irq_hint;                   /* (atomic) */
    int nmi_pending;                /* (atomic) */
    int init_pending;               /* (atomic) */
    int sipi_pending;               /* (atomic) vector + 1, or 0 */
    int exit_request;               /* (atomic) leave KVM_RUN and recheck */
    /* (BQL) */
    KvmIrqSource irq;
    uint64_t apic_base_seen;        /* kvm_run.apic_base last passed on */
    bool wait_sipi;                 /* AP not started / after INIT */
    bool halted;
    bool paused;                    /* acknowledged a pause */
    bool stopped;                   /* internal error / shutdown: waits
                                     * for a reset */
    KvmWork *work;
    /* power-on state captured at creation, for reset */
    KvmCpuState reset_state;
    uint64_t exits[KVM_EXIT_COUNTERS];  /* (atomic) */
};

struct KvmState {
    const KvmProvider *p;
    const char *accel_name;
    int sys_fd, vm_fd;
    int vcpu_mmap_size;
    GPtrArray *cpus;                /* KvmCpu *, by index (BQL) */
    bool pause_requested;           /* (BQL) */
    bool stopping;                  /* (BQL) threads must exit */
    GCond pause_cond;               /* (BQL) vCPUs acknowledge pauses */
    /* memslots */
    pthread_mutex_t slots_lock;
    KvmSlot slots[KVM_MAX_SLOTS];
    int max_user_slots;
    MemoryListener mem_listener;
    MemoryListener io_listener;
    RamWriteNotifier ram_notifier;
    bool listeners_registered;
    struct kvm_cpuid2 *supported_cpuid;
    uint32_t msr_list[KVM_CPU_STATE_MAX_MSRS];  /* saved/restored MSRs */
    uint32_t n_msrs;
    bool has_xsave;
    KvmIrqchipMode irqchip;         /* set before vCPUs exist */
};

/* kvm-vm.c */
int kvm_vm_ioctl(KvmState *s, unsigned long req, void *arg);
int kvm_vcpu_ioctl(KvmCpu *cpu, unsigned long req, void *arg);

/* kvm-mem.c */
void kvm_mem_init(KvmState *s);
void kvm_mem_cleanup(KvmState *s);

/* kvm-vcpu.c */
void kvm_cpu_destroy(KvmCpu *cpu);
void kvm_cpu_reset_one(KvmCpu *cpu);
void kvm_cpu_report_error(KvmCpu *cpu, const char *what);
void kvm_cpu_enter_init_state(KvmCpu *cpu);

/* kvm-irq.c: called by the vCPU thread before each KVM_RUN (no BQL) */
void kvm_irq_pre_run(KvmCpu *cpu);
bool kvm_irq_cpu_has_work(KvmCpu *cpu);     /* BQL */
void kvm_irq_handle_startup(KvmCpu *cpu);   /* BQL: INIT/SIPI */

/* kvm-msr.c: user-space MSR exits for a userspace LAPIC */
void kvm_msr_enable(KvmCpu *cpu);           /* irq source installed */
void kvm_msr_handle_exit(KvmCpu *cpu);      /* BQL: X86_RDMSR/WRMSR */
void kvm_msr_sync_apic_base(KvmCpu *cpu);   /* BQL: after each KVM_RUN */

/* kvm-cpus.c */
void kvm_cpus_pause_all(void *opaque);
void kvm_cpus_resume_all(void *opaque);
void kvm_cpus_stop_threads(KvmState *s);
void kvm_cpu_wake(KvmCpu *cpu);             /* cond broadcast + kick */

#endif
