/*
 * ukvm VM fds: KVM_CREATE_VM and the VM ioctls (api.rst 4.x "vm ioctl").
 *
 * The VM has no in-kernel irqchip, PIT or SMM address space; the ioctls for
 * those fail as the kernel's do when they are not enabled. There is no
 * helper thread: a running vCPU notices signals itself between engine time
 * slices (ukvm-run.c).
 */
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "ukvm-internal.h"

static const X86MemOps ukvm_mem_ops = {
    .map_page = ukvm_map_page,
    .msr_read = ukvm_msr_read,          /* filter, then PV, then exits */
    .msr_write = ukvm_msr_write,
};

int ukvm_create_vm(unsigned long type)
{
    if (type != 0) {                /* only KVM_X86_DEFAULT_VM */
        return -EINVAL;
    }
    int fd = eventfd(0, EFD_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    UkvmVM *vm = g_new0(UkvmVM, 1);
    vm->obj.kind = UKVM_FD_VM;
    atomic_init(&vm->refs, 1);
    pthread_mutex_init(&vm->lock, NULL);
    pthread_rwlock_init(&vm->slots_lock, NULL);
    pthread_mutex_init(&vm->ioev_lock, NULL);
    vm->slots = g_ptr_array_new();
    vm->ioeventfds = g_array_new(false, true, sizeof(UkvmIoeventfd));
    vm->tsc_khz = 0;                /* engine default */
    ukvm_msr_vm_init(vm);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    /* kvmclock starts near 0 for a new VM, as the kernel's does */
    vm->kvmclock_offset = -((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
    vm->engine = x86_vm_new(&ukvm_mem_ops, vm);
    if (!vm->engine) {
        close(fd);
        g_ptr_array_free(vm->slots, true);
        g_array_free(vm->ioeventfds, true);
        g_free(vm);
        return -ENOMEM;
    }
    int r = ukvm_register(&vm->obj, fd);
    if (r < 0) {
        close(fd);
        ukvm_vm_unref(vm);
    }
    return r;
}

void ukvm_vm_unref(UkvmVM *vm)
{
    if (atomic_fetch_sub(&vm->refs, 1) != 1) {
        return;
    }
    ukvm_slots_free(vm);
    ukvm_ioeventfds_free(vm);
    x86_vm_free(vm->engine);
    g_ptr_array_free(vm->slots, true);
    g_array_free(vm->ioeventfds, true);
    ukvm_msr_vm_free(vm);
    pthread_mutex_destroy(&vm->ioev_lock);
    pthread_rwlock_destroy(&vm->slots_lock);
    pthread_mutex_destroy(&vm->lock);
    g_free(vm);
}

/* ---- clock ---------------------------------------------------------------- */

static uint64_t realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

uint64_t ukvm_kvmclock_ns(UkvmVM *vm)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec +
           (uint64_t)__atomic_load_n(&vm->kvmclock_offset, __ATOMIC_RELAXED);
}

static int vm_get_clock(UkvmVM *vm, void *arg)
{
    struct kvm_clock_data d;
    memset(&d, 0, sizeof(d));
    d.clock = ukvm_kvmclock_ns(vm);
    d.realtime = realtime_ns();
    d.flags = KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME;
    return ukvm_copy_to_user(arg, &d, sizeof(d));
}

static int vm_set_clock(UkvmVM *vm, void *arg)
{
    struct kvm_clock_data d;
    if (ukvm_copy_from_user(&d, arg, sizeof(d))) {
        return -EFAULT;
    }
    if (d.flags & ~(KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME |
                    KVM_CLOCK_HOST_TSC)) {
        return -EINVAL;
    }
    uint64_t clock = d.clock;
    if (d.flags & KVM_CLOCK_REALTIME) {
        uint64_t now = realtime_ns();
        if (now > d.realtime) {
            clock += now - d.realtime;
        }
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t mono = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    __atomic_store_n(&vm->kvmclock_offset, (int64_t)clock - mono,
                     __ATOMIC_RELAXED);
    atomic_fetch_add(&vm->clock_gen, 1);
    return 0;
}

/* ---- dispatch -------------------------------------------------------------- */

int ukvm_vm_ioctl(UkvmVM *vm, unsigned long req, void *arg)
{
    switch (req) {
    case KVM_CREATE_VCPU:
        return ukvm_create_vcpu(vm, (unsigned long)arg);
    case KVM_CHECK_EXTENSION:
        return ukvm_check_extension(vm, (long)arg);
    case KVM_SET_USER_MEMORY_REGION: {
        struct kvm_userspace_memory_region m;
        if (ukvm_copy_from_user(&m, arg, sizeof(m))) {
            return -EFAULT;
        }
        return ukvm_set_memory_region(vm, &m);
    }
    case KVM_GET_DIRTY_LOG: {
        struct kvm_dirty_log log;
        if (ukvm_copy_from_user(&log, arg, sizeof(log))) {
            return -EFAULT;
        }
        return ukvm_get_dirty_log(vm, &log);
    }
    case KVM_SET_TSS_ADDR:
        if ((unsigned long)arg > (unsigned int)(-3 * (int)UKVM_PAGE_SIZE)) {
            return -EINVAL;
        }
        pthread_mutex_lock(&vm->lock);
        vm->tss_addr = (unsigned long)arg;
        pthread_mutex_unlock(&vm->lock);
        return 0;
    case KVM_SET_IDENTITY_MAP_ADDR: {
        uint64_t addr;
        int r = 0;
        pthread_mutex_lock(&vm->lock);
        if (vm->nr_vcpus) {
            r = -EINVAL;            /* checked before the copy, as Linux */
        } else if (ukvm_copy_from_user(&addr, arg, sizeof(addr))) {
            r = -EFAULT;
        } else {
            vm->identity_map_addr = addr;
        }
        pthread_mutex_unlock(&vm->lock);
        return r;
    }
    case KVM_GET_CLOCK:
        return vm_get_clock(vm, arg);
    case KVM_SET_CLOCK:
        return vm_set_clock(vm, arg);
    case KVM_IOEVENTFD: {
        struct kvm_ioeventfd a;
        if (ukvm_copy_from_user(&a, arg, sizeof(a))) {
            return -EFAULT;
        }
        return ukvm_ioeventfd(vm, &a);
    }
    case KVM_IRQFD: {
        struct kvm_irqfd a;
        if (ukvm_copy_from_user(&a, arg, sizeof(a))) {
            return -EFAULT;
        }
        return ukvm_irqfd(vm, &a);
    }
    case KVM_SET_TSC_KHZ:
        if ((unsigned long)arg == 0 || (unsigned long)arg > UINT32_MAX) {
            return -EINVAL;
        }
        pthread_mutex_lock(&vm->lock);
        vm->tsc_khz = (unsigned long)arg;
        pthread_mutex_unlock(&vm->lock);
        return 0;
    case KVM_GET_TSC_KHZ:
        return vm->tsc_khz ? (int)vm->tsc_khz : -EIO;
    case KVM_IRQ_LINE:
    case KVM_IRQ_LINE_STATUS: {
        struct kvm_irq_level l;
        return ukvm_copy_from_user(&l, arg, sizeof(l)) ? -EFAULT : -ENXIO;
    }
    case KVM_SET_GSI_ROUTING: {
        struct kvm_irq_routing h;
        return ukvm_copy_from_user(&h, arg, sizeof(h)) ? -EFAULT : -EINVAL;
    }
    case KVM_SIGNAL_MSI: {
        struct kvm_msi m;
        return ukvm_copy_from_user(&m, arg, sizeof(m)) ? -EFAULT : -EINVAL;
    }
    case KVM_ENABLE_CAP: {
        /* only KVM_CAP_X86_USER_SPACE_MSR can be enabled on a ukvm VM */
        struct kvm_enable_cap c;
        if (ukvm_copy_from_user(&c, arg, sizeof(c))) {
            return -EFAULT;
        }
        if (c.flags || c.cap != KVM_CAP_X86_USER_SPACE_MSR) {
            return -EINVAL;
        }
        return ukvm_msr_enable_cap(vm, c.args[0]);
    }
    case KVM_X86_SET_MSR_FILTER:
        return ukvm_msr_set_filter(vm, arg);
    default:
        return -ENOTTY;             /* kvm_arch_vm_ioctl's default */
    }
}
