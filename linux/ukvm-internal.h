/*
 * ukvm internals: the objects behind system, VM and vCPU fds.
 *
 * Lock order (outer first): UkvmVcpu.lock -> UkvmVM.lock -> UkvmVM.slots_lock
 * -> fd table lock. VM ioctls that must wait for running vCPUs (memslot and
 * dirty-log changes) never hold a vCPU lock: they flush through the engine
 * (x86_vm_flush) and wait for each running vCPU to acknowledge.
 */
#ifndef UKVM_INTERNAL_H
#define UKVM_INTERNAL_H

#include <errno.h>
#include <glib.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "linux/ukvm.h"
#include "target/i386/cpu.h"

#define UKVM_PAGE_SIZE 4096ULL
#define UKVM_PAGE_SHIFT 12
#define UKVM_MMAP_SIZE (2 * UKVM_PAGE_SIZE)  /* kvm_run + PIO data page */
#define UKVM_PIO_OFFSET UKVM_PAGE_SIZE        /* KVM_PIO_PAGE_OFFSET * 4K */
#define UKVM_USER_MEM_SLOTS 32764             /* x86 KVM_USER_MEM_SLOTS */
#define UKVM_MAX_NR_PAGES ((1ULL << 31) - 1)  /* KVM_MEM_MAX_NR_PAGES */
#define UKVM_MAX_VCPUS 256
#define UKVM_MAX_VCPU_ID 1024
#define UKVM_MAX_CPUID_ENTRIES 256
#define UKVM_MAX_IO_MSRS 256
#define UKVM_TASK_SIZE_MAX 0x7ffffffff000ULL
#define UKVM_MAX_IOEVENTFDS 1000              /* kernel: NR_IOBUS_DEVS */
#define UKVM_TIME_SLICE_BLOCKS 8192          /* decoded blocks per slice */

typedef enum {
    UKVM_FD_SYSTEM = 1,
    UKVM_FD_VM,
    UKVM_FD_VCPU,
} UkvmFdKind;

typedef struct UkvmObj {
    UkvmFdKind kind;
    int fd;
} UkvmObj;

typedef struct UkvmSlot {
    uint32_t id;
    uint32_t flags;
    uint64_t gfn;
    uint64_t npages;
    uint64_t uaddr;
    _Atomic unsigned long *dirty;   /* npages bits, when LOG_DIRTY_PAGES */
} UkvmSlot;

/*
 * An immutable copy of the memslot table for the engine's TLB-miss path
 * (ukvm_map_page on a vCPU thread inside the engine): read without a lock,
 * replaced on every memslot change, freed only after every running vCPU
 * has left the engine once (vm_flush_and_wait is the grace period).
 */
typedef struct UkvmSlotViewEntry {
    uint64_t gfn;
    uint64_t npages;
    uint64_t uaddr;
    uint32_t flags;
    _Atomic unsigned long *dirty;
} UkvmSlotViewEntry;

typedef struct UkvmSlotView {
    unsigned n;
    UkvmSlotViewEntry e[];          /* sorted by gfn */
} UkvmSlotView;

typedef struct UkvmIoeventfd {
    uint64_t addr;
    uint32_t len;                   /* 0: any length */
    bool pio;
    bool wildcard;                  /* no DATAMATCH */
    uint64_t datamatch;
    int fd;
} UkvmIoeventfd;

typedef struct UkvmVcpu UkvmVcpu;
typedef struct UkvmMsrFilter UkvmMsrFilter;

typedef struct UkvmVM {
    UkvmObj obj;
    X86VM *engine;
    _Atomic int refs;               /* the VM fd + one per vCPU */
    pthread_mutex_t lock;           /* everything below but slots */
    UkvmVcpu *vcpus[UKVM_MAX_VCPU_ID];  /* by vCPU id */
    int nr_vcpus;
    uint64_t tss_addr;
    uint64_t identity_map_addr;
    int64_t kvmclock_offset;        /* kvmclock ns = CLOCK_MONOTONIC + this */
    _Atomic uint32_t clock_gen;     /* bumped by KVM_SET_CLOCK */
    uint32_t tsc_khz;               /* default for new vCPUs */
    /* memslots: sorted by gfn; changes take slots_lock for writing */
    pthread_rwlock_t slots_lock;
    GPtrArray *slots;               /* UkvmSlot *, sorted by gfn */
    _Atomic(UkvmSlotView *) view;   /* lock-free copy for the engine */
    /* ioeventfds: looked up on vCPU threads under ioev_lock */
    pthread_mutex_t ioev_lock;
    GArray *ioeventfds;             /* UkvmIoeventfd */
    /* user-space MSR exits (ukvm-msr.c) */
    _Atomic uint32_t user_msr_mask; /* KVM_MSR_EXIT_REASON_* enabled */
    pthread_rwlock_t msr_lock;      /* msr_filter */
    UkvmMsrFilter *msr_filter;      /* KVM_X86_SET_MSR_FILTER, or NULL */
} UkvmVM;

typedef struct UkvmKvmclock {
    uint64_t system_time_msr;       /* MSR_KVM_SYSTEM_TIME(_NEW) value */
    uint64_t wall_clock_msr;
    uint64_t pv_eoi_msr;
    uint64_t async_pf_msr;
    uint64_t steal_time_msr;
    uint32_t version;
    uint32_t clock_gen;             /* vm->clock_gen when last written */
} UkvmKvmclock;

struct UkvmVcpu {
    UkvmObj obj;
    UkvmVM *vm;
    uint32_t id;
    X86CPU *cpu;
    pthread_mutex_t lock;           /* held by every vCPU ioctl */
    struct kvm_run *run;            /* our mapping of the memfd */
    /* an exit waiting for user space to complete it (IN, MMIO read) */
    bool io_pending;
    X86Exit pending;
    bool has_run;
    uint64_t last_cr8;              /* cr8 as last published in kvm_run */
    bool sigmask_set;
    sigset_t sigmask;               /* KVM_SET_SIGNAL_MASK */
    int64_t sig_check_ns;           /* when pending signals were last read */
    _Atomic bool kick;              /* ukvm_vcpu_kick() */
    _Atomic bool running;           /* inside the engine */
    _Atomic uint64_t run_gen;       /* +1 each time the engine returns */
    _Atomic uint64_t insns;         /* engine's insns_retired, published
                                     * each time the engine returns */
    uint32_t guest_debug;           /* KVM_GUESTDBG_* */
    UkvmKvmclock pv;
    uint32_t msr_reason;            /* of the X86_EXIT_MSR being reported */
    uint64_t exits[32];             /* by KVM exit reason, for tests */
};

/* ukvm.c: fd table and user-memory copies with the kernel's EFAULT */
UkvmObj *ukvm_lookup(int fd);
int ukvm_register(UkvmObj *obj, int fd);
int ukvm_copy_from_user(void *dst, const void *usrc, size_t len);
int ukvm_copy_to_user(void *udst, const void *src, size_t len);
int ukvm_check_extension(UkvmVM *vm, long cap);

/* ukvm-vm.c */
int ukvm_create_vm(unsigned long type);
int ukvm_vm_ioctl(UkvmVM *vm, unsigned long req, void *arg);
void ukvm_vm_unref(UkvmVM *vm);

/* ukvm-mem.c: memslots and the dirty log */
int ukvm_set_memory_region(UkvmVM *vm,
                           const struct kvm_userspace_memory_region *m);
int ukvm_get_dirty_log(UkvmVM *vm, struct kvm_dirty_log *log);
void ukvm_slots_free(UkvmVM *vm);
void *ukvm_map_page(void *opaque, uint64_t gpa, bool write);
/* Set while this thread runs guest code in the engine (ukvm-run.c): its
 * ukvm_map_page calls read the slot view without a lock. */
extern __thread bool ukvm_in_engine;
/* Copy to/from guest RAM (ukvm's own accesses); false outside RAM. */
bool ukvm_guest_rw(UkvmVM *vm, uint64_t gpa, void *buf, uint64_t len,
                   bool write);

/* ukvm-eventfd.c */
int ukvm_ioeventfd(UkvmVM *vm, const struct kvm_ioeventfd *args);
int ukvm_irqfd(UkvmVM *vm, const struct kvm_irqfd *args);
bool ukvm_ioeventfd_signal(UkvmVM *vm, bool pio, uint64_t addr,
                           uint32_t len, const void *data);
void ukvm_ioeventfds_free(UkvmVM *vm);

/* ukvm-vcpu.c */
int ukvm_create_vcpu(UkvmVM *vm, unsigned long id);
int ukvm_vcpu_ioctl(UkvmVcpu *v, unsigned long req, void *arg);
void ukvm_vcpu_destroy(UkvmVcpu *v);

/* ukvm-run.c */
int ukvm_vcpu_run(UkvmVcpu *v);

/* ukvm-pv.c: KVM's paravirtual interface (CPUID leaves, MSRs, hypercalls) */
int ukvm_pv_cpuid_entries(X86CpuidEntry *out, int max);
X86MsrResult ukvm_pv_msr_read(void *opaque, X86CPU *cpu, uint32_t index,
                              uint64_t *value);
X86MsrResult ukvm_pv_msr_write(void *opaque, X86CPU *cpu, uint32_t index,
                               uint64_t value);
int ukvm_pv_msr_list(uint32_t *out, int max);
void ukvm_pv_hypercall(UkvmVcpu *v, const X86Exit *ex);
uint64_t ukvm_kvmclock_ns(UkvmVM *vm);
void ukvm_pv_update(UkvmVcpu *v);   /* refresh kvmclock page if stale */

/* ukvm-msr.c: KVM_CAP_X86_USER_SPACE_MSR and KVM_X86_SET_MSR_FILTER */
void ukvm_msr_vm_init(UkvmVM *vm);
void ukvm_msr_vm_free(UkvmVM *vm);
int ukvm_msr_enable_cap(UkvmVM *vm, uint64_t mask);
int ukvm_msr_set_filter(UkvmVM *vm, void *arg);
X86MsrResult ukvm_msr_read(void *opaque, X86CPU *cpu, uint32_t index,
                           uint64_t *value);
X86MsrResult ukvm_msr_write(void *opaque, X86CPU *cpu, uint32_t index,
                            uint64_t value);
void ukvm_msr_exit_to_user(UkvmVcpu *v, const X86Exit *ex);
void ukvm_msr_complete(UkvmVcpu *v);   /* next KVM_RUN after the exit */

#endif
