/*
 * The ukvm provider: the KVM ABI in user space (linux/, include/linux/ukvm.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "accel/kvm-provider.h"
#include "linux/ukvm.h"

static int ukvm_p_open_system(void)
{
    int fd = ukvm_open();
    return fd < 0 ? -errno : fd;
}

static int ukvm_p_ioctl(int fd, unsigned long request, void *arg)
{
    int r = ukvm_ioctl(fd, request, arg);
    return r < 0 ? -errno : r;
}

static void *ukvm_p_mmap(int fd, size_t len)
{
    return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
}

static int ukvm_p_munmap(void *addr, size_t len)
{
    return munmap(addr, len) < 0 ? -errno : 0;
}

static int ukvm_p_close(int fd)
{
    return ukvm_close(fd) < 0 ? -errno : 0;
}

static int ukvm_p_kick(int vcpu_fd)
{
    return ukvm_vcpu_kick(vcpu_fd) < 0 ? -errno : 0;
}

static int ukvm_p_notify_ram_write(int vm_fd, uint64_t gpa, uint64_t len)
{
    return ukvm_vm_notify_write(vm_fd, gpa, len) < 0 ? -errno : 0;
}

static int ukvm_p_insns_retired(int vcpu_fd, uint64_t *out)
{
    return ukvm_vcpu_insns_retired(vcpu_fd, out) < 0 ? -errno : 0;
}

const KvmProvider kvm_provider_ukvm = {
    .name = "ukvm",
    .open_system = ukvm_p_open_system,
    .ioctl = ukvm_p_ioctl,
    .mmap = ukvm_p_mmap,
    .munmap = ukvm_p_munmap,
    .close = ukvm_p_close,
    .kick = ukvm_p_kick,
    .notify_ram_write = ukvm_p_notify_ram_write,
    .insns_retired = ukvm_p_insns_retired,
};
