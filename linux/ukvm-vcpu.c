/*
 * ukvm vCPU fds: KVM_CREATE_VCPU and the vCPU state ioctls (api.rst 4.x
 * "vcpu ioctl"; errno from arch/x86/kvm/x86.c kvm_arch_vcpu_ioctl).
 *
 * A vCPU fd is a memfd of KVM_GET_VCPU_MMAP_SIZE bytes: page 0 holds
 * struct kvm_run, page 1 the PIO data (KVM_PIO_PAGE_OFFSET), so
 * mmap(vcpu_fd) shares them with ukvm exactly as with the kernel.
 * The state structs of target/i386 are laid out as <linux/kvm.h>'s, so the
 * GET/SET ioctls are copies (checked by the static asserts below).
 */
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ukvm-internal.h"

_Static_assert(sizeof(X86Regs) == sizeof(struct kvm_regs), "kvm_regs");
_Static_assert(sizeof(X86Segment) == sizeof(struct kvm_segment), "seg");
_Static_assert(sizeof(X86SRegs) == sizeof(struct kvm_sregs), "kvm_sregs");
_Static_assert(offsetof(X86SRegs, apic_base) ==
               offsetof(struct kvm_sregs, apic_base), "kvm_sregs layout");
_Static_assert(sizeof(X86FPU) == sizeof(struct kvm_fpu), "kvm_fpu");
_Static_assert(offsetof(X86FPU, mxcsr) == offsetof(struct kvm_fpu, mxcsr),
               "kvm_fpu layout");
_Static_assert(sizeof(X86XSave) == sizeof(struct kvm_xsave), "kvm_xsave");
_Static_assert(sizeof(X86DebugRegs) == sizeof(struct kvm_debugregs),
               "kvm_debugregs");
_Static_assert(sizeof(X86CpuidEntry) == sizeof(struct kvm_cpuid_entry2),
               "kvm_cpuid_entry2");

#define XCR_XFEATURE_ENABLED_MASK 0

int ukvm_create_vcpu(UkvmVM *vm, unsigned long id)
{
    if (id >= UKVM_MAX_VCPU_ID) {
        return -EINVAL;
    }
    pthread_mutex_lock(&vm->lock);
    int r = 0;
    if (vm->nr_vcpus >= UKVM_MAX_VCPUS) {
        r = -EINVAL;
    } else if (vm->vcpus[id]) {
        r = -EEXIST;
    }
    if (r) {
        pthread_mutex_unlock(&vm->lock);
        return r;
    }
    int fd = memfd_create("kvm-vcpu", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, UKVM_MMAP_SIZE) < 0) {
        r = -errno;
        if (fd >= 0) {
            close(fd);
        }
        pthread_mutex_unlock(&vm->lock);
        return r;
    }
    void *run = mmap(NULL, UKVM_MMAP_SIZE, PROT_READ | PROT_WRITE,
                     MAP_SHARED, fd, 0);
    if (run == MAP_FAILED) {
        r = -errno;
        close(fd);
        pthread_mutex_unlock(&vm->lock);
        return r;
    }
    UkvmVcpu *v = g_new0(UkvmVcpu, 1);
    v->obj.kind = UKVM_FD_VCPU;
    v->vm = vm;
    v->id = id;
    v->run = run;
    pthread_mutex_init(&v->lock, NULL);
    v->cpu = x86_cpu_new(vm->engine, id);
    if (!v->cpu) {
        munmap(run, UKVM_MMAP_SIZE);
        close(fd);
        g_free(v);
        pthread_mutex_unlock(&vm->lock);
        return -ENOMEM;
    }
    /* bounded guest work per engine call: signals are seen promptly */
    x86_cpu_set_time_slice(v->cpu, UKVM_TIME_SLICE_BLOCKS);
    /* no in-kernel LAPIC: every vCPU is RUNNABLE from the start */
    x86_cpu_set_mp_state(v->cpu, X86_MP_RUNNABLE);
    if (vm->tsc_khz) {
        x86_cpu_set_tsc_khz(v->cpu, vm->tsc_khz);
    } else {
        vm->tsc_khz = x86_cpu_get_tsc_khz(v->cpu);
    }
    X86SRegs sregs;
    x86_cpu_get_sregs(v->cpu, &sregs);
    v->run->apic_base = sregs.apic_base;
    v->run->cr8 = sregs.cr8;
    v->last_cr8 = sregs.cr8;
    atomic_fetch_add(&vm->refs, 1);
    vm->vcpus[id] = v;
    vm->nr_vcpus++;
    pthread_mutex_unlock(&vm->lock);
    return ukvm_register(&v->obj, fd);
}

void ukvm_vcpu_destroy(UkvmVcpu *v)
{
    UkvmVM *vm = v->vm;
    pthread_mutex_lock(&v->lock);
    pthread_mutex_lock(&vm->lock);
    vm->vcpus[v->id] = NULL;
    /* the kernel never lets a vCPU id be reused; neither do we */
    pthread_mutex_unlock(&vm->lock);
    x86_cpu_free(v->cpu);
    munmap(v->run, UKVM_MMAP_SIZE);
    pthread_mutex_unlock(&v->lock);
    pthread_mutex_destroy(&v->lock);
    g_free(v);
    ukvm_vm_unref(vm);
}

/* ---- events --------------------------------------------------------------- */

static void events_to_kvm(const X86Events *e, struct kvm_vcpu_events *k)
{
    memset(k, 0, sizeof(*k));
    /* without KVM_CAP_EXCEPTION_PAYLOAD, "pending" reads as injected */
    k->exception.injected = e->exception.injected || e->exception.pending;
    k->exception.nr = e->exception.nr;
    k->exception.has_error_code = e->exception.has_error_code;
    k->exception.error_code = e->exception.error_code;
    k->interrupt.injected = e->interrupt.injected;
    k->interrupt.nr = e->interrupt.nr;
    k->interrupt.soft = e->interrupt.soft;
    k->interrupt.shadow = e->interrupt.shadow;
    k->nmi.injected = e->nmi.injected;
    k->nmi.pending = e->nmi.pending;
    k->nmi.masked = e->nmi.masked;
    k->sipi_vector = e->sipi_vector;
    k->flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW |
               KVM_VCPUEVENT_VALID_SMM;
}

static int set_events(UkvmVcpu *v, const struct kvm_vcpu_events *k)
{
    const uint32_t valid = KVM_VCPUEVENT_VALID_NMI_PENDING |
                           KVM_VCPUEVENT_VALID_SIPI_VECTOR |
                           KVM_VCPUEVENT_VALID_SHADOW |
                           KVM_VCPUEVENT_VALID_SMM;
    if (k->flags & ~valid) {
        return -EINVAL;             /* PAYLOAD/TRIPLE_FAULT not enabled */
    }
    if (k->exception.injected &&
        (k->exception.nr > 31 || k->exception.nr == 2)) {
        return -EINVAL;
    }
    if ((k->flags & KVM_VCPUEVENT_VALID_SMM) && k->smi.smm) {
        return -EINVAL;             /* no SMM */
    }
    X86Events e;
    x86_cpu_get_events(v->cpu, &e);
    e.exception.injected = k->exception.injected;
    e.exception.pending = false;
    e.exception.nr = k->exception.nr;
    e.exception.has_error_code = k->exception.has_error_code;
    e.exception.error_code = k->exception.error_code;
    e.interrupt.injected = k->interrupt.injected;
    e.interrupt.nr = k->interrupt.nr;
    e.interrupt.soft = k->interrupt.soft;
    if (k->flags & KVM_VCPUEVENT_VALID_SHADOW) {
        e.interrupt.shadow = k->interrupt.shadow;
    }
    e.nmi.injected = k->nmi.injected;
    if (k->flags & KVM_VCPUEVENT_VALID_NMI_PENDING) {
        e.nmi.pending = k->nmi.pending;
    }
    e.nmi.masked = k->nmi.masked;
    if (k->flags & KVM_VCPUEVENT_VALID_SIPI_VECTOR) {
        e.sipi_vector = k->sipi_vector;
    }
    x86_cpu_set_events(v->cpu, &e);
    return 0;
}

/* ---- MSRs, CPUID, XCRs, signal mask ----------------------------------------- */

static int vcpu_msrs(UkvmVcpu *v, void *arg, bool set)
{
    struct kvm_msrs hdr;
    if (ukvm_copy_from_user(&hdr, arg, sizeof(hdr))) {
        return -EFAULT;
    }
    if (hdr.nmsrs >= UKVM_MAX_IO_MSRS) {
        return -E2BIG;
    }
    struct kvm_msr_entry *e = g_new0(struct kvm_msr_entry, hdr.nmsrs + 1);
    struct kvm_msrs *u = arg;
    size_t size = hdr.nmsrs * sizeof(*e);
    int r;
    if (ukvm_copy_from_user(e, u->entries, size)) {
        r = -EFAULT;
        goto out;
    }
    uint32_t i;
    for (i = 0; i < hdr.nmsrs; i++) {
        bool ok = set ? x86_cpu_set_msr(v->cpu, e[i].index, e[i].data)
                      : x86_cpu_get_msr(v->cpu, e[i].index,
                                        (uint64_t *)&e[i].data);
        if (!ok) {
            break;
        }
    }
    r = i;
    if (!set && ukvm_copy_to_user(u->entries, e, size)) {
        r = -EFAULT;
    }
out:
    g_free(e);
    return r;
}

static int set_cpuid2(UkvmVcpu *v, void *arg)
{
    struct kvm_cpuid2 hdr;
    if (ukvm_copy_from_user(&hdr, arg, sizeof(hdr))) {
        return -EFAULT;
    }
    if (hdr.nent > UKVM_MAX_CPUID_ENTRIES) {
        return -E2BIG;
    }
    X86CpuidEntry *e = g_new0(X86CpuidEntry, hdr.nent + 1);
    int r = 0;
    if (ukvm_copy_from_user(e, ((struct kvm_cpuid2 *)arg)->entries,
                            hdr.nent * sizeof(*e))) {
        r = -EFAULT;
    } else if (v->has_run) {
        /* after KVM_RUN the kernel only accepts an identical table */
        X86CpuidEntry *cur = g_new0(X86CpuidEntry, UKVM_MAX_CPUID_ENTRIES);
        int n = x86_cpu_get_cpuid(v->cpu, cur, UKVM_MAX_CPUID_ENTRIES);
        if (n != (int)hdr.nent || memcmp(cur, e, n * sizeof(*e))) {
            r = -EBUSY;
        }
        g_free(cur);
    } else if (!x86_cpu_set_cpuid(v->cpu, e, hdr.nent)) {
        r = -EINVAL;
    }
    g_free(e);
    return r;
}

static int get_cpuid2(UkvmVcpu *v, void *arg)
{
    struct kvm_cpuid2 hdr;
    if (ukvm_copy_from_user(&hdr, arg, sizeof(hdr))) {
        return -EFAULT;
    }
    X86CpuidEntry *e = g_new0(X86CpuidEntry, UKVM_MAX_CPUID_ENTRIES);
    int n = x86_cpu_get_cpuid(v->cpu, e, UKVM_MAX_CPUID_ENTRIES);
    int r = 0;
    if (hdr.nent < (uint32_t)n) {
        r = -E2BIG;
    } else {
        hdr.nent = n;
        struct kvm_cpuid2 *u = arg;
        if (ukvm_copy_to_user(u->entries, e, n * sizeof(*e)) ||
            ukvm_copy_to_user(u, &hdr, sizeof(hdr))) {
            r = -EFAULT;
        }
    }
    g_free(e);
    return r;
}

static int set_xcrs(UkvmVcpu *v, const struct kvm_xcrs *x)
{
    if (x->nr_xcrs > KVM_MAX_XCRS || x->flags) {
        return -EINVAL;
    }
    for (uint32_t i = 0; i < x->nr_xcrs; i++) {
        if (x->xcrs[i].xcr == XCR_XFEATURE_ENABLED_MASK) {
            return x86_cpu_set_xcr0(v->cpu, x->xcrs[i].value) ? 0 : -EINVAL;
        }
    }
    return 0;
}

static int set_signal_mask(UkvmVcpu *v, void *arg)
{
    if (!arg) {
        v->sigmask_set = false;
        return 0;
    }
    struct kvm_signal_mask hdr;
    uint64_t ksig;
    if (ukvm_copy_from_user(&hdr, arg, sizeof(hdr))) {
        return -EFAULT;
    }
    if (hdr.len != sizeof(ksig)) {  /* the kernel's sigset_t */
        return -EINVAL;
    }
    if (ukvm_copy_from_user(&ksig, ((struct kvm_signal_mask *)arg)->sigset,
                            sizeof(ksig))) {
        return -EFAULT;
    }
    sigemptyset(&v->sigmask);
    for (int sig = 1; sig <= 64; sig++) {
        if (ksig & (1ULL << (sig - 1))) {
            sigaddset(&v->sigmask, sig);
        }
    }
    v->sigmask_set = true;
    return 0;
}

static int set_guest_debug(UkvmVcpu *v, const struct kvm_guest_debug *d)
{
    /* x86 KVM accepts unknown control bits (no VALID_MASK check) */
    v->guest_debug = d->control;
    uint32_t c = 0;
    if (d->control & KVM_GUESTDBG_ENABLE) {
        c |= X86_GUESTDBG_ENABLE;
        if (d->control & KVM_GUESTDBG_SINGLESTEP) {
            c |= X86_GUESTDBG_SINGLESTEP;
        }
        if (d->control & KVM_GUESTDBG_USE_SW_BP) {
            c |= X86_GUESTDBG_USE_SW_BP;
        }
        if (d->control & KVM_GUESTDBG_USE_HW_BP) {
            c |= X86_GUESTDBG_USE_HW_BP;
        }
        if (d->control & KVM_GUESTDBG_INJECT_DB) {
            c |= X86_GUESTDBG_INJECT_DB;
        }
        if (d->control & KVM_GUESTDBG_INJECT_BP) {
            c |= X86_GUESTDBG_INJECT_BP;
        }
    }
    uint64_t dr[8];
    memcpy(dr, d->arch.debugreg, sizeof(dr));
    x86_cpu_set_guest_debug_ex(v->cpu, c, dr);
    return 0;
}

/* ---- dispatch --------------------------------------------------------------- */

/* Copy a fixed-size ioctl argument in, with EFAULT. */
#define ARG_IN(var) \
    do { if (ukvm_copy_from_user(&(var), arg, sizeof(var))) { \
        r = -EFAULT; goto out; } } while (0)
#define ARG_OUT(var) \
    do { r = ukvm_copy_to_user(arg, &(var), sizeof(var)); } while (0)

int ukvm_vcpu_ioctl(UkvmVcpu *v, unsigned long req, void *arg)
{
    int r = 0;

    pthread_mutex_lock(&v->lock);
    switch (req) {
    case KVM_RUN:
        r = arg ? -EINVAL : ukvm_vcpu_run(v);
        break;
    case KVM_GET_REGS: {
        X86Regs regs;
        x86_cpu_get_regs(v->cpu, &regs);
        ARG_OUT(regs);
        break;
    }
    case KVM_SET_REGS: {
        X86Regs regs;
        ARG_IN(regs);
        x86_cpu_set_regs(v->cpu, &regs);
        break;
    }
    case KVM_GET_SREGS: {
        X86SRegs s;
        x86_cpu_get_sregs(v->cpu, &s);
        ARG_OUT(s);
        break;
    }
    case KVM_SET_SREGS: {
        X86SRegs s;
        ARG_IN(s);
        if (!x86_cpu_set_sregs(v->cpu, &s)) {
            r = -EINVAL;
        } else {
            v->run->cr8 = s.cr8;
            v->last_cr8 = s.cr8;
        }
        break;
    }
    case KVM_GET_FPU: {
        X86FPU f;
        x86_cpu_get_fpu(v->cpu, &f);
        ARG_OUT(f);
        break;
    }
    case KVM_SET_FPU: {
        X86FPU f;
        ARG_IN(f);
        x86_cpu_set_fpu(v->cpu, &f);
        break;
    }
    case KVM_GET_XSAVE: {
        X86XSave *x = g_new0(X86XSave, 1);
        x86_cpu_get_xsave(v->cpu, x);
        r = ukvm_copy_to_user(arg, x, sizeof(*x));
        g_free(x);
        break;
    }
    case KVM_SET_XSAVE: {
        X86XSave *x = g_new0(X86XSave, 1);
        if (ukvm_copy_from_user(x, arg, sizeof(*x))) {
            r = -EFAULT;
        } else if (!x86_cpu_set_xsave(v->cpu, x)) {
            r = -EINVAL;
        }
        g_free(x);
        break;
    }
    case KVM_GET_XCRS: {
        struct kvm_xcrs x;
        memset(&x, 0, sizeof(x));
        x.nr_xcrs = 1;
        x.xcrs[0].xcr = XCR_XFEATURE_ENABLED_MASK;
        x.xcrs[0].value = x86_cpu_get_xcr0(v->cpu);
        ARG_OUT(x);
        break;
    }
    case KVM_SET_XCRS: {
        struct kvm_xcrs x;
        ARG_IN(x);
        r = set_xcrs(v, &x);
        break;
    }
    case KVM_GET_DEBUGREGS: {
        X86DebugRegs d;
        x86_cpu_get_debugregs(v->cpu, &d);
        d.flags = 0;
        ARG_OUT(d);
        break;
    }
    case KVM_SET_DEBUGREGS: {
        X86DebugRegs d;
        ARG_IN(d);
        if (d.flags || (d.dr6 >> 32) || (d.dr7 >> 32)) {
            r = -EINVAL;
        } else {
            x86_cpu_set_debugregs(v->cpu, &d);
        }
        break;
    }
    case KVM_GET_VCPU_EVENTS: {
        X86Events e;
        struct kvm_vcpu_events k;
        x86_cpu_get_events(v->cpu, &e);
        events_to_kvm(&e, &k);
        ARG_OUT(k);
        break;
    }
    case KVM_SET_VCPU_EVENTS: {
        struct kvm_vcpu_events k;
        ARG_IN(k);
        r = set_events(v, &k);
        break;
    }
    case KVM_GET_MSRS:
        r = vcpu_msrs(v, arg, false);
        break;
    case KVM_SET_MSRS:
        r = vcpu_msrs(v, arg, true);
        break;
    case KVM_SET_CPUID2:
        r = set_cpuid2(v, arg);
        break;
    case KVM_GET_CPUID2:
        r = get_cpuid2(v, arg);
        break;
    case KVM_GET_MP_STATE: {
        struct kvm_mp_state mp = { x86_cpu_get_mp_state(v->cpu) };
        ARG_OUT(mp);
        break;
    }
    case KVM_SET_MP_STATE: {
        struct kvm_mp_state mp;
        ARG_IN(mp);
        /* without an in-kernel LAPIC only RUNNABLE is accepted */
        if (mp.mp_state != KVM_MP_STATE_RUNNABLE) {
            r = -EINVAL;
        } else {
            x86_cpu_set_mp_state(v->cpu, X86_MP_RUNNABLE);
        }
        break;
    }
    case KVM_INTERRUPT: {
        struct kvm_interrupt irq;
        ARG_IN(irq);
        if (irq.irq >= KVM_NR_INTERRUPTS) {
            r = -EINVAL;
        } else if (!x86_cpu_inject_irq(v->cpu, irq.irq)) {
            /* the kernel replaces a queued, undelivered vector */
            X86Events e;
            x86_cpu_get_events(v->cpu, &e);
            e.interrupt.injected = true;
            e.interrupt.nr = irq.irq;
            e.interrupt.soft = false;
            x86_cpu_set_events(v->cpu, &e);
        }
        break;
    }
    case KVM_NMI:
        x86_cpu_inject_nmi(v->cpu);
        break;
    case KVM_SET_SIGNAL_MASK:
        r = set_signal_mask(v, arg);
        break;
    case KVM_SET_GUEST_DEBUG: {
        struct kvm_guest_debug d;
        ARG_IN(d);
        r = set_guest_debug(v, &d);
        break;
    }
    case KVM_GET_TSC_KHZ:
        r = (int)x86_cpu_get_tsc_khz(v->cpu);
        if (!r) {
            r = -EIO;
        }
        break;
    case KVM_SET_TSC_KHZ:
        if ((unsigned long)arg > UINT32_MAX) {
            r = -EINVAL;
        } else {
            x86_cpu_set_tsc_khz(v->cpu, (unsigned long)arg ?
                                (uint32_t)(unsigned long)arg : v->vm->tsc_khz);
        }
        break;
    case KVM_ENABLE_CAP: {
        struct kvm_enable_cap cap;
        ARG_IN(cap);
        r = -EINVAL;                /* none can be enabled on a ukvm vCPU */
        break;
    }
    case KVM_TRANSLATE: {
        struct kvm_translation t;
        ARG_IN(t);
        r = -EINVAL;                /* not implemented (no capability) */
        break;
    }
    case KVM_CHECK_EXTENSION:
        r = -EINVAL;                /* KVM_CAP_CHECK_EXTENSION_VCPU: 0 */
        break;
    default:
        r = -EINVAL;                /* kvm_arch_vcpu_ioctl's default */
        break;
    }
out:
    pthread_mutex_unlock(&v->lock);
    return r;
}
