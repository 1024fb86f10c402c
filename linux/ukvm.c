/*
 * ukvm: fds, the ioctl entry point and the system ("/dev/kvm") ioctls.
 *
 * Follows Documentation/virt/kvm/api.rst (section 4, "API description") for
 * every request and the kernel's errno choices in virt/kvm/kvm_main.c and
 * arch/x86/kvm/x86.c. Pointers from the caller are copied with
 * process_vm_readv/writev on our own process, which fail with EFAULT exactly
 * where copy_from_user/copy_to_user would.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>
#include <fcntl.h>

#include "ukvm-internal.h"

/* ---- fd table: lock-free reads (ukvm_vcpu_kick is async-signal-safe) ---- */

#define FD_CHUNK 1024
#define FD_CHUNKS 1024

static _Atomic(UkvmObj *) *fd_chunks[FD_CHUNKS];
static pthread_mutex_t fd_lock = PTHREAD_MUTEX_INITIALIZER;

UkvmObj *ukvm_lookup(int fd)
{
    if (fd < 0 || fd >= FD_CHUNK * FD_CHUNKS) {
        return NULL;
    }
    _Atomic(UkvmObj *) *chunk = __atomic_load_n(&fd_chunks[fd / FD_CHUNK],
                                                __ATOMIC_ACQUIRE);
    if (!chunk) {
        return NULL;
    }
    return atomic_load(&chunk[fd % FD_CHUNK]);
}

static void fd_table_set(int fd, UkvmObj *obj)
{
    pthread_mutex_lock(&fd_lock);
    _Atomic(UkvmObj *) *chunk = fd_chunks[fd / FD_CHUNK];
    if (!chunk) {
        chunk = g_new0(_Atomic(UkvmObj *), FD_CHUNK);
        __atomic_store_n(&fd_chunks[fd / FD_CHUNK], chunk, __ATOMIC_RELEASE);
    }
    atomic_store(&chunk[fd % FD_CHUNK], obj);
    pthread_mutex_unlock(&fd_lock);
}

int ukvm_register(UkvmObj *obj, int fd)
{
    if (fd < 0 || fd >= FD_CHUNK * FD_CHUNKS) {
        return -EMFILE;
    }
    obj->fd = fd;
    fd_table_set(fd, obj);
    return fd;
}

bool ukvm_is_fd(int fd)
{
    return ukvm_lookup(fd) != NULL;
}

/* ---- copies with EFAULT semantics ---------------------------------------- */

int ukvm_copy_from_user(void *dst, const void *usrc, size_t len)
{
    if (!len) {
        return 0;
    }
    struct iovec local = { dst, len };
    struct iovec remote = { (void *)usrc, len };
    ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
    if (n < 0 && errno == ENOSYS) {
        memcpy(dst, usrc, len);     /* no way to probe: trust the caller */
        return 0;
    }
    return n == (ssize_t)len ? 0 : -EFAULT;
}

int ukvm_copy_to_user(void *udst, const void *src, size_t len)
{
    if (!len) {
        return 0;
    }
    struct iovec local = { (void *)src, len };
    struct iovec remote = { udst, len };
    ssize_t n = process_vm_writev(getpid(), &local, 1, &remote, 1, 0);
    if (n < 0 && errno == ENOSYS) {
        memcpy(udst, src, len);
        return 0;
    }
    return n == (ssize_t)len ? 0 : -EFAULT;
}

/* ---- system ioctls -------------------------------------------------------- */

int ukvm_check_extension(UkvmVM *vm, long cap)
{
    switch (cap) {
    case KVM_CAP_USER_MEMORY:
    case KVM_CAP_SET_TSS_ADDR:
    case KVM_CAP_EXT_CPUID:
    case KVM_CAP_DESTROY_MEMORY_REGION_WORKS:
    case KVM_CAP_JOIN_MEMORY_REGIONS_WORKS:
    case KVM_CAP_SYNC_MMU:
    case KVM_CAP_IOEVENTFD:
    case KVM_CAP_IOEVENTFD_NO_LENGTH:
    case KVM_CAP_SET_IDENTITY_MAP_ADDR:
    case KVM_CAP_VCPU_EVENTS:
    case KVM_CAP_DEBUGREGS:
    case KVM_CAP_XSAVE:
    case KVM_CAP_XCRS:
    case KVM_CAP_GET_TSC_KHZ:
    case KVM_CAP_TSC_CONTROL:
    case KVM_CAP_READONLY_MEM:
    case KVM_CAP_IMMEDIATE_EXIT:
    case KVM_CAP_SET_GUEST_DEBUG:
    case KVM_CAP_MP_STATE:
    case KVM_CAP_USER_NMI:
    case KVM_CAP_INTR_SHADOW:
    case KVM_CAP_CHECK_EXTENSION_VM:
    case KVM_CAP_NOP_IO_DELAY:
    case KVM_CAP_MULTI_ADDRESS_SPACE:   /* one: no SMM address space */
    case KVM_CAP_X86_USER_SPACE_MSR:    /* ukvm-msr.c */
    case KVM_CAP_X86_MSR_FILTER:
        return 1;
    case KVM_CAP_ADJUST_CLOCK:
        return KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME;
    case KVM_CAP_NR_VCPUS:
    case KVM_CAP_MAX_VCPUS:
        return UKVM_MAX_VCPUS;
    case KVM_CAP_GUEST_DEBUG_HW_BPS:
        return 4;
    case KVM_CAP_MAX_VCPU_ID:
        return UKVM_MAX_VCPU_ID;
    case KVM_CAP_NR_MEMSLOTS:
        return UKVM_USER_MEM_SLOTS;
    default:
        /* No in-kernel irqchip, PIT, coalesced MMIO, irqfd, dirty ring... */
        return 0;
    }
}

static int get_supported_cpuid(void *arg)
{
    struct kvm_cpuid2 hdr;
    if (ukvm_copy_from_user(&hdr, arg, sizeof(hdr))) {
        return -EFAULT;
    }
    if (hdr.nent < 1) {
        return -E2BIG;
    }
    if (hdr.nent > UKVM_MAX_CPUID_ENTRIES) {
        hdr.nent = UKVM_MAX_CPUID_ENTRIES;
    }
    X86CpuidEntry *e = g_new0(X86CpuidEntry, UKVM_MAX_CPUID_ENTRIES);
    X86Topology topo = { 1, 1, 1, 1, 1 };
    int n = x86_cpuid_model_entries("max", &topo, 0, e,
                                    UKVM_MAX_CPUID_ENTRIES);
    if (n < 0) {
        n = 0;
    }
    if (n > UKVM_MAX_CPUID_ENTRIES) {
        n = UKVM_MAX_CPUID_ENTRIES;
    }
    n += ukvm_pv_cpuid_entries(e + n, UKVM_MAX_CPUID_ENTRIES - n);
    int ret = 0;
    if ((uint32_t)n > hdr.nent) {
        ret = -E2BIG;
    } else {
        hdr.nent = n;
        struct kvm_cpuid2 *u = arg;
        if (ukvm_copy_to_user(u->entries, e, n * sizeof(*e)) ||
            ukvm_copy_to_user(u, &hdr, sizeof(hdr))) {
            ret = -EFAULT;
        }
    }
    g_free(e);
    return ret;
}

static int get_msr_index_list(void *arg)
{
    struct kvm_msr_list hdr;
    if (ukvm_copy_from_user(&hdr, arg, sizeof(hdr))) {
        return -EFAULT;
    }
    int n_engine = x86_msr_index_list(NULL, 0);
    int n_pv = ukvm_pv_msr_list(NULL, 0);
    uint32_t *list = g_new0(uint32_t, n_engine + n_pv + 1);
    x86_msr_index_list(list, n_engine);
    ukvm_pv_msr_list(list + n_engine, n_pv);
    uint32_t asked = hdr.nmsrs;
    hdr.nmsrs = n_engine + n_pv;
    int ret = 0;
    struct kvm_msr_list *u = arg;
    if (ukvm_copy_to_user(u, &hdr, sizeof(hdr))) {
        ret = -EFAULT;
    } else if (asked < hdr.nmsrs) {
        ret = -E2BIG;
    } else if (ukvm_copy_to_user(u->indices, list,
                                 hdr.nmsrs * sizeof(uint32_t))) {
        ret = -EFAULT;
    }
    g_free(list);
    return ret;
}

static int system_ioctl(unsigned long req, void *arg)
{
    switch (req) {
    case KVM_GET_API_VERSION:
        return arg ? -EINVAL : KVM_API_VERSION;
    case KVM_CREATE_VM:
        return ukvm_create_vm((unsigned long)arg);
    case KVM_CHECK_EXTENSION:
        return ukvm_check_extension(NULL, (long)arg);
    case KVM_GET_VCPU_MMAP_SIZE:
        return arg ? -EINVAL : (int)UKVM_MMAP_SIZE;
    case KVM_GET_SUPPORTED_CPUID:
        return get_supported_cpuid(arg);
    case KVM_GET_MSR_INDEX_LIST:
        return get_msr_index_list(arg);
    default:
        return -EINVAL;             /* kvm_arch_dev_ioctl's default */
    }
}

/* ---- entry points --------------------------------------------------------- */

int ukvm_open(void)
{
    int fd = eventfd(0, EFD_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    UkvmObj *obj = g_new0(UkvmObj, 1);
    obj->kind = UKVM_FD_SYSTEM;
    int r = ukvm_register(obj, fd);
    if (r < 0) {
        close(fd);
        g_free(obj);
        errno = -r;
        return -1;
    }
    return fd;
}

int ukvm_ioctl(int fd, unsigned long request, void *arg)
{
    UkvmObj *obj = ukvm_lookup(fd);
    int r;

    if (!obj) {
        errno = fcntl(fd, F_GETFD) < 0 ? EBADF : ENOTTY;
        return -1;
    }
    switch (obj->kind) {
    case UKVM_FD_SYSTEM:
        r = system_ioctl(request, arg);
        break;
    case UKVM_FD_VM:
        r = ukvm_vm_ioctl((UkvmVM *)obj, request, arg);
        break;
    case UKVM_FD_VCPU:
        r = ukvm_vcpu_ioctl((UkvmVcpu *)obj, request, arg);
        break;
    default:
        r = -ENOTTY;
        break;
    }
    if (r < 0) {
        errno = -r;
        return -1;
    }
    return r;
}

int ukvm_close(int fd)
{
    UkvmObj *obj = ukvm_lookup(fd);
    if (obj) {
        fd_table_set(fd, NULL);
        switch (obj->kind) {
        case UKVM_FD_VM:
            ukvm_vm_unref((UkvmVM *)obj);
            break;
        case UKVM_FD_VCPU:
            ukvm_vcpu_destroy((UkvmVcpu *)obj);
            break;
        default:
            g_free(obj);
            break;
        }
    }
    return close(fd);
}

int ukvm_vcpu_kick(int vcpu_fd)
{
    UkvmObj *obj = ukvm_lookup(vcpu_fd);
    if (!obj || obj->kind != UKVM_FD_VCPU) {
        errno = EBADF;
        return -1;
    }
    UkvmVcpu *v = (UkvmVcpu *)obj;
    atomic_store(&v->kick, true);
    x86_cpu_kick(v->cpu);
    return 0;
}

int ukvm_vcpu_insns_retired(int vcpu_fd, uint64_t *out)
{
    UkvmObj *obj = ukvm_lookup(vcpu_fd);
    if (!obj || obj->kind != UKVM_FD_VCPU) {
        errno = EBADF;
        return -1;
    }
    *out = atomic_load_explicit(&((UkvmVcpu *)obj)->insns,
                                memory_order_relaxed);
    return 0;
}

int ukvm_vm_notify_write(int vm_fd, uint64_t gpa, uint64_t len)
{
    UkvmObj *obj = ukvm_lookup(vm_fd);
    if (!obj || obj->kind != UKVM_FD_VM) {
        errno = EBADF;
        return -1;
    }
    x86_vm_notify_write(((UkvmVM *)obj)->engine, gpa, len);
    return 0;
}
