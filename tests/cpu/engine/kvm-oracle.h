/*
 * The host CPU as an oracle through /dev/kvm (test-debug.c): a 64-bit
 * guest in 4 MiB of RAM runs a few bytes of code natively (under KVM) and
 * reports how it ended. Rules checked this way are the hardware's (as far
 * as KVM lets the instruction run natively: say which in each test).
 */
#ifndef TESTS_CPU_ENGINE_KVM_ORACLE_H
#define TESTS_CPU_ENGINE_KVM_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct KvmOracle {
    const uint8_t *code;            /* at 0x10000 (end it with an OUT) */
    size_t len;
    const uint8_t *hdb;             /* CPL 0: #DB handler at 0x11000 */
    size_t hlen;
    bool user;                      /* CPL 3, IOPL 3, CR0.AM, EFLAGS.AC,
                                     * no IDT: any fault is a shutdown */
    uint64_t rbx;
    uint64_t dr7;                   /* set by KVM_SET_DEBUGREGS if not 0 */
    /* results */
    uint32_t exit_reason;           /* KVM_EXIT_IO, KVM_EXIT_SHUTDOWN... */
    uint16_t port;                  /* the OUT's port for KVM_EXIT_IO */
    uint64_t data[4];               /* guest RAM at 0x20000 afterwards */
    uint64_t dr6_after, dr7_after;  /* KVM_GET_DEBUGREGS afterwards */
} KvmOracle;

/* Run @o once (identity-mapped 4 MiB, GDT 0x08 code64 / 0x10 data, RSP
 * 0x30000); false if /dev/kvm cannot be used here. */
bool kvm_oracle_run(KvmOracle *o);

#endif
