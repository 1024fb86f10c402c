/*
 * ukvm KVM_IOEVENTFD and KVM_IRQFD (api.rst 4.59 and 4.75; semantics and
 * errno from virt/kvm/eventfd.c).
 *
 * ioeventfd: a guest write to a registered PIO port or MMIO address whose
 * length matches (or any length for len=0) and whose value matches the
 * datamatch (when given) signals the eventfd and completes the write with
 * no exit to user space. ukvm keeps a dup of the eventfd, as the kernel
 * keeps a reference to its context.
 *
 * irqfd: needs an in-kernel irqchip (the kernel's kvm_arch_irqfd_allowed);
 * ukvm has none, so assigning fails with EINVAL exactly as the kernel does
 * for a VM without KVM_CREATE_IRQCHIP, and KVM_CAP_IRQFD reads 0.
 * De-assigning succeeds (the kernel returns 0 when nothing matched).
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ukvm-internal.h"

#define KCMP_FILE 0

/* 0, -EBADF (not an fd) or -EINVAL (not an eventfd), as eventfd_ctx_fdget */
static int check_eventfd(int fd)
{
    char path[64], target[64];
    if (fd < 0 || fcntl(fd, F_GETFD) < 0) {
        return -EBADF;
    }
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, target, sizeof(target) - 1);
    if (n < 0) {
        return 0;                   /* no /proc: accept */
    }
    target[n] = 0;
    return strcmp(target, "anon_inode:[eventfd]") ? -EINVAL : 0;
}

static bool same_file(int a, int b)
{
    long r = syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, a, b);
    if (r < 0) {
        return a == b;
    }
    return r == 0;
}

static bool collides(const UkvmIoeventfd *a, const UkvmIoeventfd *b)
{
    return a->pio == b->pio && a->addr == b->addr &&
           (!a->len || !b->len ||
            (a->len == b->len &&
             (a->wildcard || b->wildcard || a->datamatch == b->datamatch)));
}

int ukvm_ioeventfd(UkvmVM *vm, const struct kvm_ioeventfd *args)
{
    const uint32_t valid = KVM_IOEVENTFD_FLAG_DATAMATCH |
                           KVM_IOEVENTFD_FLAG_PIO |
                           KVM_IOEVENTFD_FLAG_DEASSIGN;
    UkvmIoeventfd e = {
        .addr = args->addr,
        .len = args->len,
        .pio = args->flags & KVM_IOEVENTFD_FLAG_PIO,
        .wildcard = !(args->flags & KVM_IOEVENTFD_FLAG_DATAMATCH),
        .datamatch = args->datamatch,
    };

    if (args->flags & KVM_IOEVENTFD_FLAG_DEASSIGN) {
        int r = -ENOENT;
        pthread_mutex_lock(&vm->ioev_lock);
        for (guint i = 0; i < vm->ioeventfds->len; i++) {
            UkvmIoeventfd *p = &g_array_index(vm->ioeventfds,
                                              UkvmIoeventfd, i);
            if (p->pio == e.pio && p->addr == e.addr && p->len == e.len &&
                p->wildcard == e.wildcard &&
                (p->wildcard || p->datamatch == e.datamatch) &&
                same_file(p->fd, args->fd)) {
                close(p->fd);
                g_array_remove_index(vm->ioeventfds, i);
                r = 0;
                break;
            }
        }
        pthread_mutex_unlock(&vm->ioev_lock);
        return r;
    }

    switch (args->len) {
    case 0: case 1: case 2: case 4: case 8:
        break;
    default:
        return -EINVAL;
    }
    if (args->addr + args->len < args->addr) {
        return -EINVAL;
    }
    if (args->flags & ~valid) {
        return -EINVAL;
    }
    if (!args->len && (args->flags & KVM_IOEVENTFD_FLAG_DATAMATCH)) {
        return -EINVAL;
    }
    int r = check_eventfd(args->fd);
    if (r) {
        return r;
    }
    if (!e.wildcard && e.len < 8) {
        e.datamatch &= (1ULL << (8 * e.len)) - 1;
    }

    pthread_mutex_lock(&vm->ioev_lock);
    for (guint i = 0; i < vm->ioeventfds->len; i++) {
        if (collides(&g_array_index(vm->ioeventfds, UkvmIoeventfd, i), &e)) {
            r = -EEXIST;
            break;
        }
    }
    if (!r && vm->ioeventfds->len >= UKVM_MAX_IOEVENTFDS) {
        r = -ENOSPC;
    }
    if (!r) {
        e.fd = fcntl(args->fd, F_DUPFD_CLOEXEC, 0);
        if (e.fd < 0) {
            r = -errno;
        } else {
            g_array_append_val(vm->ioeventfds, e);
        }
    }
    pthread_mutex_unlock(&vm->ioev_lock);
    return r;
}

bool ukvm_ioeventfd_signal(UkvmVM *vm, bool pio, uint64_t addr,
                           uint32_t len, const void *data)
{
    bool hit = false;
    uint64_t val = 0;

    if (len > 8) {
        return false;
    }
    memcpy(&val, data, len);        /* little-endian host */
    pthread_mutex_lock(&vm->ioev_lock);
    for (guint i = 0; i < vm->ioeventfds->len; i++) {
        UkvmIoeventfd *p = &g_array_index(vm->ioeventfds, UkvmIoeventfd, i);
        if (p->pio != pio || p->addr != addr) {
            continue;
        }
        if (p->len && (p->len != len ||
                       (!p->wildcard && p->datamatch != val))) {
            continue;
        }
        uint64_t one = 1;
        if (write(p->fd, &one, sizeof(one)) < 0) {
            /* counter saturated: the kernel's eventfd_signal drops it too */
        }
        hit = true;
        break;
    }
    pthread_mutex_unlock(&vm->ioev_lock);
    return hit;
}

void ukvm_ioeventfds_free(UkvmVM *vm)
{
    for (guint i = 0; i < vm->ioeventfds->len; i++) {
        close(g_array_index(vm->ioeventfds, UkvmIoeventfd, i).fd);
    }
    g_array_set_size(vm->ioeventfds, 0);
}

int ukvm_irqfd(UkvmVM *vm, const struct kvm_irqfd *args)
{
    if (args->flags & ~(KVM_IRQFD_FLAG_DEASSIGN | KVM_IRQFD_FLAG_RESAMPLE)) {
        return -EINVAL;
    }
    if (args->flags & KVM_IRQFD_FLAG_DEASSIGN) {
        return 0;
    }
    return -EINVAL;                 /* no in-kernel irqchip */
}
