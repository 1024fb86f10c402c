/*
 * The KVM accelerator's VM: provider selection (-accel kvm / tcg /
 * kvm:tcg), KVM_CREATE_VM, the VM-wide setup QEMU does on x86 (TSS and
 * identity-map addresses), exit statistics, teardown.
 */
#include <errno.h>
#include <string.h>

#include "kvm-internal.h"
#include "system/runstate.h"
#include "util/error.h"

static KvmState *the_state;

/* x86 QEMU places these just below the BIOS, under 4 GiB */
#define IDENTITY_MAP_ADDR 0xfeffc000ULL
#define TSS_ADDR (IDENTITY_MAP_ADDR + 0x1000)

int kvm_vm_ioctl(KvmState *s, unsigned long req, void *arg)
{
    return s->p->ioctl(s->vm_fd, req, arg);
}

int kvm_vcpu_ioctl(KvmCpu *cpu, unsigned long req, void *arg)
{
    return cpu->s->p->ioctl(cpu->fd, req, arg);
}

KvmState *kvm_state(void)
{
    return the_state;
}

const char *kvm_accel_name(const KvmState *s)
{
    return s->accel_name;
}

const KvmProvider *kvm_accel_provider(const KvmState *s)
{
    return s->p;
}

static void cpus_reset_handler(void *opaque)
{
    kvm_cpus_reset(opaque);
}

/*
 * The MSRs saved with a vCPU's state: architectural ones the provider
 * lists in KVM_GET_MSR_INDEX_LIST (EFER, FS/GS base are in kvm_sregs).
 */
static void build_msr_list(KvmState *s)
{
    static const uint32_t wanted[] = {
        0x10,                           /* TSC */
        0x3b,                           /* TSC_ADJUST */
        0x174, 0x175, 0x176,            /* SYSENTER_CS/ESP/EIP */
        0x1a0,                          /* MISC_ENABLE */
        0x277,                          /* PAT */
        0x2ff,                          /* MTRR_DEF_TYPE */
        0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b, 0x26c, 0x26d,
        0x26e, 0x26f,                   /* fixed MTRRs */
        0x200, 0x201, 0x202, 0x203, 0x204, 0x205, 0x206, 0x207,
        0x208, 0x209, 0x20a, 0x20b, 0x20c, 0x20d, 0x20e, 0x20f,
                                        /* variable MTRRs 0-7 */
        0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084, /* STAR.. SFMASK */
        0xc0000102,                     /* KERNEL_GS_BASE */
        0xc0000103,                     /* TSC_AUX */
        0x11, 0x12, 0x4b564d00, 0x4b564d01, /* kvmclock */
    };
    struct kvm_msr_list *l = g_malloc0(sizeof(*l) + 1024 * sizeof(uint32_t));
    l->nmsrs = 1024;
    int r = s->p->ioctl(s->sys_fd, KVM_GET_MSR_INDEX_LIST, l);
    s->n_msrs = 0;
    for (size_t i = 0; r == 0 && i < G_N_ELEMENTS(wanted); i++) {
        for (uint32_t j = 0; j < l->nmsrs; j++) {
            if (l->indices[j] == wanted[i] &&
                s->n_msrs < KVM_CPU_STATE_MAX_MSRS) {
                s->msr_list[s->n_msrs++] = wanted[i];
                break;
            }
        }
    }
    g_free(l);
}

/* Open one provider and create the VM: 0 or -errno (message printed). */
static int accel_try(KvmState *s, const char *name)
{
    bool kernel = !strcmp(name, "kvm");
    s->p = kernel ? &kvm_provider_kernel : &kvm_provider_ukvm;
    s->accel_name = kernel ? "kvm" : "tcg";
    s->sys_fd = s->p->open_system();
    if (s->sys_fd < 0) {
        if (kernel) {
            error_report("Could not access KVM kernel module: %s",
                         g_strerror(-s->sys_fd));
        }
        return s->sys_fd;
    }
    int r = s->p->ioctl(s->sys_fd, KVM_GET_API_VERSION, 0);
    if (r != KVM_API_VERSION) {
        error_report("kvm version not supported: %d", r);
        s->p->close(s->sys_fd);
        return -EINVAL;
    }
    static const int required[] = {
        KVM_CAP_USER_MEMORY, KVM_CAP_IMMEDIATE_EXIT, KVM_CAP_EXT_CPUID,
        KVM_CAP_SET_TSS_ADDR, KVM_CAP_VCPU_EVENTS,
    };
    for (size_t i = 0; i < G_N_ELEMENTS(required); i++) {
        if (s->p->ioctl(s->sys_fd, KVM_CHECK_EXTENSION,
                        (void *)(long)required[i]) <= 0) {
            error_report("kvm does not support capability %d", required[i]);
            s->p->close(s->sys_fd);
            return -ENOTSUP;
        }
    }
    do {
        s->vm_fd = s->p->ioctl(s->sys_fd, KVM_CREATE_VM, 0);
    } while (s->vm_fd == -EINTR);
    if (s->vm_fd < 0) {
        error_report("ioctl(KVM_CREATE_VM) failed: %s",
                     g_strerror(-s->vm_fd));
        r = s->vm_fd;
        s->p->close(s->sys_fd);
        return r;
    }
    return 0;
}

KvmState *kvm_accel_init(const char *accel_list, GError **errp)
{
    g_autofree char *list = g_strdup(accel_list && *accel_list ?
                                     accel_list : "tcg");
    g_auto(GStrv) names = g_strsplit(list, ":", -1);
    KvmState *s = g_new0(KvmState, 1);
    int r = -EINVAL;
    guint n = g_strv_length(names);

    if (the_state) {
        error_setg(errp, "an accelerator is already initialized");
        g_free(s);
        return NULL;
    }
    for (guint i = 0; i < n; i++) {
        const char *name = names[i];
        if (strcmp(name, "kvm") && strcmp(name, "tcg")) {
            error_setg(errp, "-accel %s: invalid accelerator %s", list, name);
            g_free(s);
            return NULL;
        }
    }
    for (guint i = 0; i < n; i++) {
        r = accel_try(s, names[i]);
        if (r == 0) {
            break;
        }
        if (i + 1 < n) {
            error_report("-accel %s: failed to initialize %s: %s", names[i],
                         names[i], g_strerror(-r));
            error_report("falling back to %s", names[i + 1]);
        } else {
            error_setg(errp, "-accel %s: failed to initialize %s: %s",
                       names[i], names[i], g_strerror(-r));
            g_free(s);
            return NULL;
        }
    }

    s->vcpu_mmap_size = s->p->ioctl(s->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    s->max_user_slots = s->p->ioctl(s->sys_fd, KVM_CHECK_EXTENSION,
                                    (void *)(long)KVM_CAP_NR_MEMSLOTS);
    if (s->max_user_slots <= 0 || s->max_user_slots > KVM_MAX_SLOTS) {
        s->max_user_slots = s->max_user_slots <= 0 ? 32 : KVM_MAX_SLOTS;
    }
    uint64_t ident = IDENTITY_MAP_ADDR;
    if (s->p->ioctl(s->sys_fd, KVM_CHECK_EXTENSION,
                    (void *)(long)KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0) {
        kvm_vm_ioctl(s, KVM_SET_IDENTITY_MAP_ADDR, &ident);
    }
    kvm_vm_ioctl(s, KVM_SET_TSS_ADDR, (void *)(uintptr_t)TSS_ADDR);

    /* supported CPUID, for filtering models */
    int nent = 256;
    s->supported_cpuid = g_malloc0(sizeof(*s->supported_cpuid) +
                                   nent * sizeof(struct kvm_cpuid_entry2));
    s->supported_cpuid->nent = nent;
    r = s->p->ioctl(s->sys_fd, KVM_GET_SUPPORTED_CPUID, s->supported_cpuid);
    if (r < 0) {
        error_setg(errp, "KVM_GET_SUPPORTED_CPUID failed: %s", g_strerror(-r));
        s->p->close(s->vm_fd);
        s->p->close(s->sys_fd);
        g_free(s->supported_cpuid);
        g_free(s);
        return NULL;
    }

    build_msr_list(s);
    s->has_xsave = s->p->ioctl(s->sys_fd, KVM_CHECK_EXTENSION,
                               (void *)(long)KVM_CAP_XSAVE) > 0;
    s->cpus = g_ptr_array_new();
    g_cond_init(&s->pause_cond);
    s->pause_requested = true;      /* vCPUs start paused until vm_start */
    pthread_mutex_init(&s->slots_lock, NULL);
    kvm_mem_init(s);

    static VcpuControlOps ops;
    ops.pause_all = kvm_cpus_pause_all;
    ops.resume_all = kvm_cpus_resume_all;
    ops.opaque = s;
    runstate_set_vcpu_ops(&ops);
    qemu_register_reset(cpus_reset_handler, s);
    the_state = s;
    return s;
}

void kvm_accel_destroy(KvmState *s)
{
    if (!s) {
        return;
    }
    kvm_cpus_stop_threads(s);
    qemu_unregister_reset(cpus_reset_handler, s);
    runstate_set_vcpu_ops(NULL);
    for (guint i = 0; i < s->cpus->len; i++) {
        kvm_cpu_destroy(g_ptr_array_index(s->cpus, i));
    }
    g_ptr_array_free(s->cpus, true);
    kvm_mem_cleanup(s);
    s->p->close(s->vm_fd);
    s->p->close(s->sys_fd);
    g_cond_clear(&s->pause_cond);
    pthread_mutex_destroy(&s->slots_lock);
    g_free(s->supported_cpuid);
    if (the_state == s) {
        the_state = NULL;
    }
    g_free(s);
}

/* ---- statistics ----------------------------------------------------------- */

uint64_t kvm_exit_count(KvmState *s, unsigned reason)
{
    uint64_t sum = 0;
    if (reason >= KVM_EXIT_COUNTERS) {
        reason = KVM_EXIT_COUNTERS - 1;
    }
    for (guint i = 0; i < s->cpus->len; i++) {
        KvmCpu *cpu = g_ptr_array_index(s->cpus, i);
        if (cpu) {
            sum += __atomic_load_n(&cpu->exits[reason], __ATOMIC_RELAXED);
        }
    }
    return sum;
}

uint64_t kvm_cpu_exit_total(KvmCpu *cpu)
{
    uint64_t sum = 0;
    for (unsigned r = 0; r < KVM_EXIT_COUNTERS; r++) {
        sum += __atomic_load_n(&cpu->exits[r], __ATOMIC_RELAXED);
    }
    return sum;
}

bool kvm_cpu_insns_retired(KvmCpu *cpu, uint64_t *out)
{
    const KvmProvider *p = cpu->s->p;
    uint64_t n;

    if (!p->insns_retired || p->insns_retired(cpu->fd, &n) < 0) {
        return false;
    }
    *out = n;
    return true;
}

bool kvm_insns_retired(KvmState *s, uint64_t *sum)
{
    uint64_t total = 0;

    if (!s->p->insns_retired) {
        return false;
    }
    for (guint i = 0; i < s->cpus->len; i++) {
        KvmCpu *cpu = g_ptr_array_index(s->cpus, i);
        uint64_t n;
        if (cpu && kvm_cpu_insns_retired(cpu, &n)) {
            total += n;
        }
    }
    *sum = total;
    return true;
}

const char *kvm_exit_reason_name(unsigned reason)
{
    static const char *const names[] = {
        [KVM_EXIT_UNKNOWN] = "unknown",
        [KVM_EXIT_EXCEPTION] = "exception",
        [KVM_EXIT_IO] = "io",
        [KVM_EXIT_HYPERCALL] = "hypercall",
        [KVM_EXIT_DEBUG] = "debug",
        [KVM_EXIT_HLT] = "hlt",
        [KVM_EXIT_MMIO] = "mmio",
        [KVM_EXIT_IRQ_WINDOW_OPEN] = "irq_window_open",
        [KVM_EXIT_SHUTDOWN] = "shutdown",
        [KVM_EXIT_FAIL_ENTRY] = "fail_entry",
        [KVM_EXIT_INTR] = "intr",
        [KVM_EXIT_SET_TPR] = "set_tpr",
        [KVM_EXIT_TPR_ACCESS] = "tpr_access",
        [KVM_EXIT_NMI] = "nmi",
        [KVM_EXIT_INTERNAL_ERROR] = "internal_error",
        [KVM_EXIT_SYSTEM_EVENT] = "system_event",
    };
    return reason < G_N_ELEMENTS(names) ? names[reason] : NULL;
}
