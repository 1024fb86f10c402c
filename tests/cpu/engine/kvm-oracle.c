/*
 * The host CPU as an oracle through /dev/kvm: see kvm-oracle.h.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm-oracle.h"

#define MSIZE 0x400000

static void guest_tables(uint8_t *mem, const KvmOracle *o)
{
    uint64_t *pt = (uint64_t *)mem;
    uint64_t u = o->user ? 4 : 0, dpl = o->user ? 0x60ULL << 40 : 0;
    uint64_t h = 0x11000;

    pt[0x1000 / 8] = 0x2000 | 3 | u;                /* PML4 */
    pt[0x2000 / 8] = 0x3000 | 3 | u;                /* PDPT */
    pt[0x3000 / 8] = 0x83 | u;                      /* 2 x 2 MiB */
    pt[0x3008 / 8] = (1ULL << 21) | 0x83 | u;
    pt[0x4008 / 8] = 0x00af9b000000ffffULL | dpl;   /* 0x08 code64 */
    pt[0x4010 / 8] = 0x00cf93000000ffffULL | dpl;   /* 0x10 data */
    if (o->hdb) {                                   /* #DB: interrupt gate */
        pt[0x5000 / 8 + 2] = (h & 0xffff) | (0x08ULL << 16) |
                             (0x8eULL << 40) | ((h >> 16 & 0xffff) << 48);
        memcpy(mem + 0x11000, o->hdb, o->hlen);
    }
    memcpy(mem + 0x10000, o->code, o->len);
}

static bool guest_state(int vcpu, const KvmOracle *o)
{
    unsigned dpl = o->user ? 3 : 0;
    struct kvm_segment cs = {
        .limit = 0xffffffff, .selector = 0x08 | dpl, .type = 0xb,
        .present = 1, .dpl = dpl, .s = 1, .l = 1, .g = 1,
    };
    struct kvm_segment ds = {
        .limit = 0xffffffff, .selector = 0x10 | dpl, .type = 3,
        .present = 1, .dpl = dpl, .db = 1, .s = 1, .g = 1,
    };
    struct kvm_sregs s;
    struct kvm_regs r = { 0 };
    struct kvm_debugregs d;

    if (ioctl(vcpu, KVM_GET_SREGS, &s)) {
        return false;
    }
    s.cs = cs;
    s.ds = s.es = s.fs = s.gs = s.ss = ds;
    s.gdt.base = 0x4000;
    s.gdt.limit = 23;
    s.idt.base = 0x5000;
    s.idt.limit = o->hdb ? 0xfff : 0;
    s.cr3 = 0x1000;
    s.cr4 = 0x20;                               /* PAE, no UMIP */
    s.cr0 = 0x80010033 | (o->user ? 0x40000 : 0);   /* PG WP NE ET MP PE */
    s.efer = 0x500;                             /* LMA LME */
    r.rip = 0x10000;
    r.rflags = 2 | (o->user ? 0x3000 | 0x40000 : 0);    /* IOPL 3, AC */
    r.rsp = 0x30000;
    r.rbx = o->rbx;
    if (ioctl(vcpu, KVM_SET_SREGS, &s) || ioctl(vcpu, KVM_SET_REGS, &r)) {
        return false;
    }
    if (o->dr7) {
        if (ioctl(vcpu, KVM_GET_DEBUGREGS, &d)) {
            return false;
        }
        d.dr7 = o->dr7;
        if (ioctl(vcpu, KVM_SET_DEBUGREGS, &d)) {
            return false;
        }
    }
    return true;
}

bool kvm_oracle_run(KvmOracle *o)
{
    int kvm, vm = -1, vcpu = -1;
    uint8_t *mem = MAP_FAILED;
    struct kvm_run *run = MAP_FAILED;
    long rsize = 0;
    struct kvm_userspace_memory_region reg = { 0 };
    struct kvm_debugregs d;
    bool ok = false;

    kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) {
        return false;
    }
    vm = ioctl(kvm, KVM_CREATE_VM, 0);
    mem = mmap(NULL, MSIZE, PROT_READ | PROT_WRITE,
               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (vm < 0 || mem == MAP_FAILED) {
        goto out;
    }
    reg.memory_size = MSIZE;
    reg.userspace_addr = (uintptr_t)mem;
    vcpu = ioctl(vm, KVM_SET_USER_MEMORY_REGION, &reg) ? -1 :
           ioctl(vm, KVM_CREATE_VCPU, 0);
    rsize = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (vcpu < 0 || rsize <= 0) {
        goto out;
    }
    run = mmap(NULL, rsize, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (run == MAP_FAILED) {
        goto out;
    }
    guest_tables(mem, o);
    if (!guest_state(vcpu, o) || ioctl(vcpu, KVM_RUN, 0) ||
        ioctl(vcpu, KVM_GET_DEBUGREGS, &d)) {
        goto out;
    }
    o->exit_reason = run->exit_reason;
    o->port = run->exit_reason == KVM_EXIT_IO ? run->io.port : 0;
    memcpy(o->data, mem + 0x20000, sizeof(o->data));
    o->dr6_after = d.dr6;
    o->dr7_after = d.dr7;
    ok = true;
out:
    if (run != MAP_FAILED) {
        munmap(run, rsize);
    }
    if (mem != MAP_FAILED) {
        munmap(mem, MSIZE);
    }
    if (vcpu >= 0) {
        close(vcpu);
    }
    if (vm >= 0) {
        close(vm);
    }
    close(kvm);
    return ok;
}
