/*
 * KVM providers: the one table through which accel/kvm speaks the KVM ABI.
 *
 * Two providers fill it: "kernel" (open("/dev/kvm"), ioctl(), mmap(),
 * close()) and "ukvm" (linux/: the same ABI in user space). Nothing above
 * accel/ calls these; the ABI tests (tests/cpu/ukvm) run against both.
 *
 * Conventions: every function returns a value >= 0 on success and -errno on
 * failure (never -1 with errno). mmap returns MAP_FAILED with errno set, as
 * mmap(2). kick (may be NULL) asks a vCPU inside KVM_RUN to return with
 * EINTR; it is async-signal-safe. The kernel provider has no kick of its
 * own: a signal to the vCPU thread does it.
 *
 * Threads: all functions may be called from any thread; see the KVM API
 * documentation for which ioctls may run concurrently.
 */
#ifndef ACCEL_KVM_PROVIDER_H
#define ACCEL_KVM_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

typedef struct KvmProvider {
    const char *name;
    int (*open_system)(void);
    int (*ioctl)(int fd, unsigned long request, void *arg);
    void *(*mmap)(int fd, size_t len);
    int (*munmap)(void *addr, size_t len);
    int (*close)(int fd);
    int (*kick)(int vcpu_fd);
    /* VMM wrote guest RAM (ukvm drops decoded code); NULL: not needed */
    int (*notify_ram_write)(int vm_fd, uint64_t gpa, uint64_t len);
    /* guest instructions retired by a vCPU (lock-free, any thread, may lag
     * by one time slice); NULL: the provider does not count them (the
     * kernel: hardware counters are not exposed through KVM) */
    int (*insns_retired)(int vcpu_fd, uint64_t *out);
} KvmProvider;

extern const KvmProvider kvm_provider_kernel;
extern const KvmProvider kvm_provider_ukvm;

/* "kernel"/"kvm" or "ukvm"/"tcg"; NULL if unknown. */
const KvmProvider *kvm_provider_find(const char *name);

#endif
