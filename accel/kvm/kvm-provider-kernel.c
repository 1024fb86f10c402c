/*
 * The kernel KVM provider: /dev/kvm with plain open/ioctl/mmap/close.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "accel/kvm-provider.h"

static int kernel_open_system(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

static int kernel_ioctl(int fd, unsigned long request, void *arg)
{
    int r = ioctl(fd, request, arg);
    return r < 0 ? -errno : r;
}

static void *kernel_mmap(int fd, size_t len)
{
    return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
}

static int kernel_munmap(void *addr, size_t len)
{
    return munmap(addr, len) < 0 ? -errno : 0;
}

static int kernel_close(int fd)
{
    return close(fd) < 0 ? -errno : 0;
}

const KvmProvider kvm_provider_kernel = {
    .name = "kernel",
    .open_system = kernel_open_system,
    .ioctl = kernel_ioctl,
    .mmap = kernel_mmap,
    .munmap = kernel_munmap,
    .close = kernel_close,
    .kick = NULL,
    .insns_retired = NULL,          /* the kernel does not count them */
};
