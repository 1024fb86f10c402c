/*
 * Shared helpers for the KVM ABI tests: one test body runs against every
 * provider (kernel /dev/kvm when it can be opened, ukvm when built in).
 * A provider that is not available makes the test SKIP with the reason.
 */
#ifndef ABI_COMMON_H
#define ABI_COMMON_H

#include <errno.h>
#include <glib.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

#include "accel/kvm-provider.h"

#define GUEST_MEM_SIZE 0x40000    /* 256 KiB of RAM at guest address 0 */

typedef struct AbiCtx {
    const KvmProvider *p;
    int sys, vm, vcpu;
    struct kvm_run *run;
    size_t run_size;
    uint8_t *mem;
    size_t mem_size;
} AbiCtx;

/* Open system + VM; false (test skipped) if the provider is unavailable. */
bool abi_open_vm(AbiCtx *c, const KvmProvider *p);
/* abi_open_vm + RAM slot 0 + vCPU 0 with mmap'ed kvm_run and CPUID set. */
bool abi_open_guest(AbiCtx *c, const KvmProvider *p);
void abi_close(AbiCtx *c);
/* Another vCPU (fd returned, kvm_run mapped into *run, CPUID set). */
int abi_create_vcpu(AbiCtx *c, unsigned long id, struct kvm_run **run);

int abi_ioctl(AbiCtx *c, int fd, unsigned long req, void *arg);
/* Put the vCPU in 16-bit real mode at 0:rip, all segment bases 0. */
void abi_real_mode(AbiCtx *c, uint64_t rip);
/* Put the vCPU in 64-bit long mode at rip with identity-mapped 4 GiB. */
void abi_long_mode(AbiCtx *c, uint64_t rip);
void abi_long_mode_fd(AbiCtx *c, int vcpu, uint64_t rip);
/* KVM_RUN; returns 0 or -errno. */
int abi_run(AbiCtx *c);
void abi_get_regs(AbiCtx *c, struct kvm_regs *r);
void abi_set_regs(AbiCtx *c, const struct kvm_regs *r);
/* Copy @len bytes of guest code or data to guest-physical @gpa. */
void abi_load(AbiCtx *c, uint64_t gpa, const uint8_t *code, size_t len);
/* KVM_RUN must return 0 with exit @reason; else the test fails (with RIP). */
void abi_expect_exit(AbiCtx *c, uint32_t reason);

/* Register /path/<provider> for each provider compiled in. */
void abi_add_test(const char *path, void (*fn)(gconstpointer));

#endif
