/*
 * ukvm: the KVM ioctl ABI implemented in user space on the software x86-64
 * CPU (target/i386).
 *
 * Who calls it: only accel/kvm (through its provider table) and the ABI
 * tests. Nothing else speaks KVM.
 *
 * What it looks like: exactly the kernel's ABI with <linux/kvm.h> structs.
 *   int sys = ukvm_open();                     -- stands for open("/dev/kvm")
 *   int vm  = ukvm_ioctl(sys, KVM_CREATE_VM, 0);
 *   int cpu = ukvm_ioctl(vm, KVM_CREATE_VCPU, (void *)0);
 *   struct kvm_run *run = mmap(NULL, ukvm_ioctl(sys, KVM_GET_VCPU_MMAP_SIZE,
 *                              0), PROT_READ | PROT_WRITE, MAP_SHARED, cpu, 0);
 *   ukvm_ioctl(cpu, KVM_RUN, 0);
 *   ukvm_close(cpu); ukvm_close(vm); ukvm_close(sys);
 * Every fd is a real file descriptor (an eventfd for the system and VM fds,
 * a memfd holding struct kvm_run and the PIO data page for a vCPU fd), so
 * mmap(), poll() and fd passing behave as with the kernel. Close them with
 * ukvm_close(), which also frees ukvm's state behind them.
 *
 * Errors: ukvm_ioctl() returns -1 and sets errno as the kernel does
 * (EINVAL, EFAULT, EEXIST, ENOENT, E2BIG, EINTR, ENXIO, EBADF, ENOTTY...).
 * Pointer arguments are copied with the kernel's EFAULT semantics: a bad
 * pointer gives EFAULT, never a crash.
 *
 * Threads and locks: every fd may be used from any thread. Each vCPU has a
 * mutex held for the whole of any vCPU ioctl (as the kernel's vcpu->mutex),
 * so a second KVM_RUN on the same vCPU waits. VM ioctls take the VM lock;
 * memslot and dirty-log changes wait until every running vCPU has dropped
 * its cached translations (as the kernel's SRCU + TLB flush), so when
 * KVM_SET_USER_MEMORY_REGION returns, no vCPU touches the old memory.
 *
 * Kicks (how this matches the kernel): KVM_RUN returns -1/EINTR with
 * exit_reason KVM_EXIT_INTR when
 *   - run->immediate_exit is set on entry (also noticed while running:
 *     ukvm re-reads it between guest instruction slices, so a signal
 *     handler that sets it stops the vCPU promptly, as QEMU relies on), or
 *   - a signal is pending for the thread that the run-time signal mask
 *     (KVM_SET_SIGNAL_MASK, or else the thread's own mask) does not block.
 *     While guest code executes, ukvm blocks asynchronous signals on the
 *     vCPU thread and checks for pending ones between slices of a bounded
 *     number of guest instructions; the signal stays pending and is
 *     delivered (or stays blocked) when KVM_RUN returns, as with the kernel.
 *   - ukvm_vcpu_kick() (thread-safe, async-signal-safe) is called.
 */
#ifndef LINUX_UKVM_H
#define LINUX_UKVM_H

#include <stdbool.h>
#include <stdint.h>

/* Open a new "/dev/kvm": returns a system fd, or -1 with errno. */
int ukvm_open(void);

/* The ioctl entry point for system, VM and vCPU fds. */
int ukvm_ioctl(int fd, unsigned long request, void *arg);

/* Close a ukvm fd and release what it stands for; other fds: plain close. */
int ukvm_close(int fd);

/* True if fd is a live ukvm fd. */
bool ukvm_is_fd(int fd);

/*
 * Ask the vCPU behind vcpu_fd to leave KVM_RUN promptly with EINTR /
 * KVM_EXIT_INTR (like a signal to its thread). Async-signal-safe.
 * Returns 0, or -1/EBADF if vcpu_fd is not a ukvm vCPU fd.
 */
int ukvm_vcpu_kick(int vcpu_fd);

/*
 * The VMM wrote guest RAM behind the vCPUs' back (DMA, loaders): decoded
 * guest code in [gpa, gpa + len) is dropped before it runs again. The
 * kernel needs no such call (hardware snoops); the accelerator calls it
 * from its RAM write notifier. Thread-safe. -1/EBADF if not a VM fd.
 */
int ukvm_vm_notify_write(int vm_fd, uint64_t gpa, uint64_t len);

/*
 * Guest instructions the vCPU behind vcpu_fd has retired since it was
 * created (the engine's counter; the kernel has no such number). The value
 * is published each time the engine returns to ukvm, so while the vCPU
 * runs it lags by at most one time slice (UKVM_TIME_SLICE_BLOCKS blocks or
 * one kick). Any thread, lock-free. Returns 0, or -1/EBADF if vcpu_fd is
 * not a ukvm vCPU fd.
 */
int ukvm_vcpu_insns_retired(int vcpu_fd, uint64_t *out);

#endif
