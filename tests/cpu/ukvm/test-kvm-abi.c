/*
 * KVM ABI tests without guest code: system/VM/vCPU fds, memslots, the dirty
 * log's bookkeeping, ioeventfd/irqfd and every ioctl's bad-argument table
 * with the kernel's errno. Each test runs against every provider.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "abi-common.h"

#define PAGE 4096

static void test_system(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_vm(&c, data)) {
        return;
    }
    const KvmProvider *p = c.p;
    g_assert_cmpint(p->ioctl(c.sys, KVM_GET_API_VERSION, 0), ==, 12);
    g_assert_cmpint(p->ioctl(c.sys, KVM_CHECK_EXTENSION,
                             (void *)KVM_CAP_USER_MEMORY), ==, 1);
    g_assert_cmpint(p->ioctl(c.sys, KVM_CHECK_EXTENSION,
                             (void *)KVM_CAP_IMMEDIATE_EXIT), ==, 1);
    g_assert_cmpint(p->ioctl(c.sys, KVM_CHECK_EXTENSION,
                             (void *)KVM_CAP_READONLY_MEM), ==, 1);
    g_assert_cmpint(p->ioctl(c.sys, KVM_CHECK_EXTENSION,
                             (void *)KVM_CAP_IOEVENTFD), ==, 1);
    g_assert_cmpint(p->ioctl(c.sys, KVM_CHECK_EXTENSION, (void *)99999),
                    ==, 0);
    g_assert_cmpint(p->ioctl(c.vm, KVM_CHECK_EXTENSION,
                             (void *)KVM_CAP_NR_MEMSLOTS), >=, 32);
    int sz = p->ioctl(c.sys, KVM_GET_VCPU_MMAP_SIZE, 0);
    g_assert_cmpint(sz, >=, 2 * PAGE);
    g_assert_cmpint(sz % PAGE, ==, 0);
    /* unknown requests: system and vCPU say EINVAL, VM says ENOTTY */
    g_assert_cmpint(p->ioctl(c.sys, _IO(KVMIO, 0x7f), 0), ==, -EINVAL);
    g_assert_cmpint(p->ioctl(c.vm, _IO(KVMIO, 0x7f), 0), ==, -ENOTTY);
    g_assert_cmpint(p->ioctl(c.sys, KVM_CREATE_VM, (void *)5), ==, -EINVAL);
    abi_close(&c);
}

static void test_supported_cpuid(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_vm(&c, data)) {
        return;
    }
    struct kvm_cpuid2 *cpuid = g_malloc0(sizeof(*cpuid) +
                                         300 * sizeof(cpuid->entries[0]));
    cpuid->nent = 0;
    g_assert_cmpint(c.p->ioctl(c.sys, KVM_GET_SUPPORTED_CPUID, cpuid), ==,
                    -E2BIG);
    cpuid->nent = 1;
    g_assert_cmpint(c.p->ioctl(c.sys, KVM_GET_SUPPORTED_CPUID, cpuid), ==,
                    -E2BIG);
    g_assert_cmpint(c.p->ioctl(c.sys, KVM_GET_SUPPORTED_CPUID, NULL), ==,
                    -EFAULT);
    cpuid->nent = 300;              /* more than the maximum is clamped */
    g_assert_cmpint(c.p->ioctl(c.sys, KVM_GET_SUPPORTED_CPUID, cpuid), ==, 0);
    g_assert_cmpint(cpuid->nent, >, 1);
    g_assert_cmpint(cpuid->nent, <=, 256);
    bool sig = false, leaf0 = false;
    for (uint32_t i = 0; i < cpuid->nent; i++) {
        struct kvm_cpuid_entry2 *e = &cpuid->entries[i];
        if (e->function == 0) {
            leaf0 = true;
        }
        if (e->function == 0x40000000) {
            char s[13] = { 0 };
            memcpy(s, &e->ebx, 4);
            memcpy(s + 4, &e->ecx, 4);
            memcpy(s + 8, &e->edx, 4);
            g_assert_cmpstr(s, ==, "KVMKVMKVM");
            sig = true;
        }
    }
    g_assert_true(leaf0);
    g_assert_true(sig);
    g_free(cpuid);

    struct kvm_msr_list *l = g_malloc0(sizeof(*l) + 1024 * sizeof(uint32_t));
    l->nmsrs = 0;
    g_assert_cmpint(c.p->ioctl(c.sys, KVM_GET_MSR_INDEX_LIST, l), ==, -E2BIG);
    uint32_t n = l->nmsrs;
    g_assert_cmpint(n, >, 0);
    g_assert_cmpint(n, <=, 1024);
    g_assert_cmpint(c.p->ioctl(c.sys, KVM_GET_MSR_INDEX_LIST, l), ==, 0);
    g_assert_cmpint(l->nmsrs, ==, n);
    g_free(l);
    abi_close(&c);
}

typedef struct SlotCase {
    const char *what;
    uint32_t slot;
    uint32_t flags;
    uint64_t gpa;
    uint64_t size;
    int64_t uoff;                   /* offset from a valid, aligned buffer */
    uint64_t uabs;                  /* absolute user address if non-zero */
    int expect;                     /* 0 or -errno */
} SlotCase;

/*
 * Run against a VM holding slot 0 = [0x100000, +0x10000) at buffer+0 and
 * slot 1 = [0x200000, +0x4000) at buffer+0x20000. Each case is applied and,
 * if it succeeded, undone (so cases are independent).
 */
static const SlotCase slot_cases[] = {
    { "unknown flag", 5, 1u << 7, 0x400000, PAGE, 0x30000, 0, -EINVAL },
    { "size not page aligned", 5, 0, 0x400000, 100, 0x30000, 0, -EINVAL },
    { "gpa not page aligned", 5, 0, 0x400010, PAGE, 0x30000, 0, -EINVAL },
    { "uaddr not page aligned", 5, 0, 0x400000, PAGE, 0x30008, 0, -EINVAL },
    { "uaddr beyond user space", 5, 0, 0x400000, PAGE, 0,
      0x800000000000ULL, -EINVAL },
    { "slot id too large", 32767, 0, 0x400000, PAGE, 0x30000, 0, -EINVAL },
    { "address space 2", 2u << 16, 0, 0x400000, PAGE, 0x30000, 0, -EINVAL },
    { "gpa wraps", 5, 0, 0xfffffffffffff000ULL, 2 * PAGE, 0x30000, 0,
      -EINVAL },
    { "delete missing slot", 7, 0, 0, 0, 0x30000, 0, -EINVAL },
    { "overlaps slot 0 start", 5, 0, 0xff000, 2 * PAGE, 0x30000, 0, -EEXIST },
    { "inside slot 0", 5, 0, 0x104000, PAGE, 0x30000, 0, -EEXIST },
    { "covers slot 1", 5, 0, 0x1ff000, 0x10000, 0x30000, 0, -EEXIST },
    { "resize slot 1", 1, 0, 0x200000, 0x8000, 0x20000, 0, -EINVAL },
    { "change uaddr of slot 1", 1, 0, 0x200000, 0x4000, 0x30000, 0,
      -EINVAL },
    { "toggle readonly on slot 1", 1, KVM_MEM_READONLY, 0x200000, 0x4000,
      0x20000, 0, -EINVAL },
    { "move slot 1 onto slot 0", 1, 0, 0x100000, 0x4000, 0x20000, 0,
      -EEXIST },
    { "adjacent new slot", 5, 0, 0x110000, PAGE, 0x30000, 0, 0 },
    { "new readonly slot", 6, KVM_MEM_READONLY, 0x500000, PAGE, 0x30000, 0,
      0 },
    { "move slot 1", 1, 0, 0x300000, 0x4000, 0x20000, 0, 0 },
    { "dirty logging on slot 1", 1, KVM_MEM_LOG_DIRTY_PAGES, 0x200000,
      0x4000, 0x20000, 0, 0 },
    { "same again", 1, 0, 0x200000, 0x4000, 0x20000, 0, 0 },
};

static int set_slot(AbiCtx *c, uint32_t slot, uint32_t flags, uint64_t gpa,
                    uint64_t size, uint64_t uaddr)
{
    struct kvm_userspace_memory_region m = {
        .slot = slot, .flags = flags, .guest_phys_addr = gpa,
        .memory_size = size, .userspace_addr = uaddr,
    };
    return c->p->ioctl(c->vm, KVM_SET_USER_MEMORY_REGION, &m);
}

static void test_memslot_table(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_vm(&c, data)) {
        return;
    }
    size_t len = 0x40000;
    uint8_t *buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint64_t base = (uintptr_t)buf;
    g_assert_cmpint(set_slot(&c, 0, 0, 0x100000, 0x10000, base), ==, 0);
    g_assert_cmpint(set_slot(&c, 1, 0, 0x200000, 0x4000, base + 0x20000),
                    ==, 0);
    for (size_t i = 0; i < G_N_ELEMENTS(slot_cases); i++) {
        const SlotCase *t = &slot_cases[i];
        uint64_t ua = t->uabs ? t->uabs : base + t->uoff;
        int r = set_slot(&c, t->slot, t->flags, t->gpa, t->size, ua);
        if (r != t->expect) {
            g_error("%s: expected %d (%s), got %d (%s)", t->what, t->expect,
                    g_strerror(-t->expect), r, g_strerror(-r));
        }
        if (!r) {                   /* undo */
            if (t->slot == 1) {
                g_assert_cmpint(set_slot(&c, 1, 0, 0x200000, 0x4000,
                                         base + 0x20000), ==, 0);
            } else {
                g_assert_cmpint(set_slot(&c, t->slot, t->flags, t->gpa, 0,
                                         ua), ==, 0);
            }
        }
    }
    g_assert_cmpint(c.p->ioctl(c.vm, KVM_SET_USER_MEMORY_REGION, NULL), ==,
                    -EFAULT);
    /* delete then re-create with another size: the way to resize */
    g_assert_cmpint(set_slot(&c, 1, 0, 0x200000, 0, base + 0x20000), ==, 0);
    g_assert_cmpint(set_slot(&c, 1, 0, 0x200000, 0x8000, base + 0x20000),
                    ==, 0);
    abi_close(&c);
    munmap(buf, len);
}

static void test_dirty_log_args(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_vm(&c, data)) {
        return;
    }
    uint8_t *buf = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    g_assert_cmpint(set_slot(&c, 0, 0, 0, 0x8000, (uintptr_t)buf), ==, 0);
    g_assert_cmpint(set_slot(&c, 1, KVM_MEM_LOG_DIRTY_PAGES, 0x100000,
                             0x8000, (uintptr_t)buf + 0x8000), ==, 0);
    uint64_t bitmap[2] = { ~0ULL, ~0ULL };
    struct kvm_dirty_log log = { .slot = 0, .dirty_bitmap = bitmap };
    g_assert_cmpint(c.p->ioctl(c.vm, KVM_GET_DIRTY_LOG, &log), ==, -ENOENT);
    log.slot = 9;
    g_assert_cmpint(c.p->ioctl(c.vm, KVM_GET_DIRTY_LOG, &log), ==, -ENOENT);
    log.slot = 40000;
    g_assert_cmpint(c.p->ioctl(c.vm, KVM_GET_DIRTY_LOG, &log), ==, -EINVAL);
    log.slot = 1;
    log.dirty_bitmap = NULL;
    g_assert_cmpint(c.p->ioctl(c.vm, KVM_GET_DIRTY_LOG, &log), ==, -EFAULT);
    log.dirty_bitmap = bitmap;
    g_assert_cmpint(c.p->ioctl(c.vm, KVM_GET_DIRTY_LOG, &log), ==, 0);
    g_assert_cmphex(bitmap[0], ==, 0);   /* nothing written yet */
    g_assert_cmphex(bitmap[1], ==, ~0ULL); /* one long for 8 pages */
    abi_close(&c);
    munmap(buf, 0x10000);
}

static void test_vcpu_args(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    const KvmProvider *p = c.p;
    g_assert_cmpint(p->ioctl(c.vm, KVM_CREATE_VCPU, 0), ==, -EEXIST);
    g_assert_cmpint(p->ioctl(c.vm, KVM_CREATE_VCPU, (void *)0x7fffffffUL),
                    ==, -EINVAL);
    int v1 = p->ioctl(c.vm, KVM_CREATE_VCPU, (void *)1);
    g_assert_cmpint(v1, >=, 0);
    g_assert_cmpint(p->ioctl(c.vcpu, KVM_RUN, (void *)1), ==, -EINVAL);
    g_assert_cmpint(p->ioctl(c.vcpu, KVM_GET_REGS, NULL), ==, -EFAULT);
    g_assert_cmpint(p->ioctl(c.vcpu, KVM_SET_REGS, NULL), ==, -EFAULT);
    g_assert_cmpint(p->ioctl(c.vcpu, KVM_GET_SREGS, NULL), ==, -EFAULT);
    g_assert_cmpint(p->ioctl(c.vcpu, _IO(KVMIO, 0x7f), 0), ==, -EINVAL);

    struct kvm_interrupt irq = { .irq = 256 };
    g_assert_cmpint(p->ioctl(c.vcpu, KVM_INTERRUPT, &irq), ==, -EINVAL);
    irq.irq = 0x30;
    g_assert_cmpint(p->ioctl(c.vcpu, KVM_INTERRUPT, &irq), ==, 0);
    irq.irq = 0x31;                 /* replaces the queued vector */
    g_assert_cmpint(p->ioctl(c.vcpu, KVM_INTERRUPT, &irq), ==, 0);

    struct {
        struct kvm_msrs h;
        struct kvm_msr_entry e[2];
    } msrs = { .h = { .nmsrs = 256 } };
    g_assert_cmpint(p->ioctl(c.vcpu, KVM_GET_MSRS, &msrs), ==, -E2BIG);
    msrs.h.nmsrs = 2;
    msrs.e[0].index = 0x174;        /* IA32_SYSENTER_CS */
    msrs.e[1].index = 0x12345678;   /* no such MSR: stops the walk */
    g_assert_cmpint(p->ioctl(c.vcpu, KVM_GET_MSRS, &msrs), ==, 1);
    msrs.h.nmsrs = 1;
    msrs.e[0].data = 0x10;
    g_assert_cmpint(p->ioctl(c.vcpu, KVM_SET_MSRS, &msrs), ==, 1);
    msrs.e[0].data = 0;
    g_assert_cmpint(p->ioctl(c.vcpu, KVM_GET_MSRS, &msrs), ==, 1);
    g_assert_cmphex(msrs.e[0].data, ==, 0x10);

    struct kvm_cpuid2 big = { .nent = 257 };
    g_assert_cmpint(p->ioctl(c.vcpu, KVM_SET_CPUID2, &big), ==, -E2BIG);
    struct kvm_cpuid2 small = { .nent = 0 };
    g_assert_cmpint(p->ioctl(c.vcpu, KVM_GET_CPUID2, &small), ==, -E2BIG);

    struct {
        struct kvm_signal_mask h;
        uint8_t set[8];
    } sm = { .h = { .len = 4 } };
    g_assert_cmpint(p->ioctl(c.vcpu, KVM_SET_SIGNAL_MASK, &sm), ==, -EINVAL);
    sm.h.len = 8;
    g_assert_cmpint(p->ioctl(c.vcpu, KVM_SET_SIGNAL_MASK, &sm), ==, 0);
    g_assert_cmpint(p->ioctl(c.vcpu, KVM_SET_SIGNAL_MASK, NULL), ==, 0);

    struct kvm_mp_state mp;
    g_assert_cmpint(p->ioctl(c.vcpu, KVM_GET_MP_STATE, &mp), ==, 0);
    g_assert_cmpint(mp.mp_state, ==, KVM_MP_STATE_RUNNABLE);

    struct kvm_vcpu_events ev;
    g_assert_cmpint(p->ioctl(c.vcpu, KVM_GET_VCPU_EVENTS, &ev), ==, 0);
    ev.flags = 1u << 30;
    g_assert_cmpint(p->ioctl(c.vcpu, KVM_SET_VCPU_EVENTS, &ev), ==, -EINVAL);

    /* x86 KVM does not reject unknown control bits; neither do we */
    struct kvm_guest_debug dbg = { .control = KVM_GUESTDBG_ENABLE |
                                              KVM_GUESTDBG_SINGLESTEP };
    g_assert_cmpint(p->ioctl(c.vcpu, KVM_SET_GUEST_DEBUG, &dbg), ==, 0);
    dbg.control = 0;
    g_assert_cmpint(p->ioctl(c.vcpu, KVM_SET_GUEST_DEBUG, &dbg), ==, 0);

    struct kvm_xcrs xcrs = { .nr_xcrs = 17 };
    g_assert_cmpint(p->ioctl(c.vcpu, KVM_SET_XCRS, &xcrs), ==, -EINVAL);
    g_assert_cmpint(p->ioctl(c.vcpu, KVM_GET_XCRS, &xcrs), ==, 0);
    g_assert_cmpint(xcrs.nr_xcrs, ==, 1);
    g_assert_cmphex(xcrs.xcrs[0].value & 1, ==, 1);   /* x87 always on */

    g_assert_cmpint(p->ioctl(c.vcpu, KVM_GET_TSC_KHZ, 0), >, 0);
    p->close(v1);
    abi_close(&c);
}

static void test_vm_args(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_vm(&c, data)) {
        return;
    }
    const KvmProvider *p = c.p;
    struct kvm_clock_data clk = { .flags = 1u << 20 };
    g_assert_cmpint(p->ioctl(c.vm, KVM_SET_CLOCK, &clk), ==, -EINVAL);
    g_assert_cmpint(p->ioctl(c.vm, KVM_GET_CLOCK, &clk), ==, 0);
    uint64_t t0 = clk.clock;
    clk.flags = 0;
    clk.clock = t0 + 1000000000000ULL;
    g_assert_cmpint(p->ioctl(c.vm, KVM_SET_CLOCK, &clk), ==, 0);
    g_assert_cmpint(p->ioctl(c.vm, KVM_GET_CLOCK, &clk), ==, 0);
    g_assert_cmpuint(clk.clock, >=, t0 + 1000000000000ULL);
    g_assert_cmpuint(clk.clock, <, t0 + 1001000000000ULL);

    uint64_t ident = 0xfeffc000;
    g_assert_cmpint(p->ioctl(c.vm, KVM_SET_IDENTITY_MAP_ADDR, NULL), ==,
                    -EFAULT);
    g_assert_cmpint(p->ioctl(c.vm, KVM_SET_IDENTITY_MAP_ADDR, &ident), ==, 0);
    g_assert_cmpint(p->ioctl(c.vm, KVM_SET_TSS_ADDR, (void *)0xfffff000UL),
                    ==, -EINVAL);

    /* no in-kernel irqchip: irqfd cannot be assigned; deassign is fine */
    int efd = eventfd(0, EFD_CLOEXEC);
    struct kvm_irqfd irqfd = { .fd = efd, .gsi = 5 };
    g_assert_cmpint(p->ioctl(c.vm, KVM_IRQFD, &irqfd), ==, -EINVAL);
    irqfd.flags = KVM_IRQFD_FLAG_DEASSIGN;
    g_assert_cmpint(p->ioctl(c.vm, KVM_IRQFD, &irqfd), ==, 0);
    irqfd.flags = 1u << 5;
    g_assert_cmpint(p->ioctl(c.vm, KVM_IRQFD, &irqfd), ==, -EINVAL);

    /* ioeventfd bad-argument table */
    int pipefd[2];
    g_assert_cmpint(pipe(pipefd), ==, 0);
    struct {
        const char *what;
        struct kvm_ioeventfd a;
        int expect;
    } cases[] = {
        { "len 3", { .addr = 0x30, .len = 3, .fd = efd,
                     .flags = KVM_IOEVENTFD_FLAG_PIO }, -EINVAL },
        { "bad fd", { .addr = 0x30, .len = 1, .fd = -1,
                      .flags = KVM_IOEVENTFD_FLAG_PIO }, -EBADF },
        { "not an eventfd", { .addr = 0x30, .len = 1, .fd = pipefd[0],
                              .flags = KVM_IOEVENTFD_FLAG_PIO }, -EINVAL },
        { "datamatch with len 0", { .addr = 0x30, .len = 0, .fd = efd,
            .flags = KVM_IOEVENTFD_FLAG_PIO | KVM_IOEVENTFD_FLAG_DATAMATCH },
          -EINVAL },
        { "unknown flag", { .addr = 0x30, .len = 1, .fd = efd,
                            .flags = 1u << 20 }, -EINVAL },
        { "wraps", { .addr = ~0ULL, .len = 4, .fd = efd }, -EINVAL },
        { "good pio", { .addr = 0x30, .len = 1, .fd = efd,
                        .flags = KVM_IOEVENTFD_FLAG_PIO }, 0 },
        { "duplicate pio", { .addr = 0x30, .len = 1, .fd = efd,
                             .flags = KVM_IOEVENTFD_FLAG_PIO }, -EEXIST },
        { "same address any length", { .addr = 0x30, .len = 0, .fd = efd,
                                        .flags = KVM_IOEVENTFD_FLAG_PIO },
          -EEXIST },
        { "same address on the MMIO bus", { .addr = 0x30, .len = 1,
                                            .fd = efd }, 0 },
        { "deassign missing", { .addr = 0x40, .len = 1, .fd = efd,
            .flags = KVM_IOEVENTFD_FLAG_PIO | KVM_IOEVENTFD_FLAG_DEASSIGN },
          -ENOENT },
        { "deassign pio", { .addr = 0x30, .len = 1, .fd = efd,
            .flags = KVM_IOEVENTFD_FLAG_PIO | KVM_IOEVENTFD_FLAG_DEASSIGN },
          0 },
        { "deassign again", { .addr = 0x30, .len = 1, .fd = efd,
            .flags = KVM_IOEVENTFD_FLAG_PIO | KVM_IOEVENTFD_FLAG_DEASSIGN },
          -ENOENT },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        int r = p->ioctl(c.vm, KVM_IOEVENTFD, &cases[i].a);
        if (r != cases[i].expect) {
            g_error("ioeventfd %s: expected %d, got %d (%s)", cases[i].what,
                    cases[i].expect, r, g_strerror(-r));
        }
    }
    close(pipefd[0]);
    close(pipefd[1]);
    close(efd);
    abi_close(&c);
}

static void test_vcpu_mmap(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    /* two mappings of the same vCPU fd see the same kvm_run */
    struct kvm_run *second = c.p->mmap(c.vcpu, c.run_size);
    g_assert(second != MAP_FAILED);
    c.run->request_interrupt_window = 1;
    g_assert_cmpint(second->request_interrupt_window, ==, 1);
    c.run->request_interrupt_window = 0;
    c.p->munmap(second, c.run_size);
    abi_close(&c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    abi_add_test("/kvm-abi/system", test_system);
    abi_add_test("/kvm-abi/supported-cpuid-msrs", test_supported_cpuid);
    abi_add_test("/kvm-abi/memslot-bad-args", test_memslot_table);
    abi_add_test("/kvm-abi/dirty-log-args", test_dirty_log_args);
    abi_add_test("/kvm-abi/vcpu-args", test_vcpu_args);
    abi_add_test("/kvm-abi/vm-args", test_vm_args);
    abi_add_test("/kvm-abi/vcpu-mmap-shared", test_vcpu_mmap);
    return g_test_run();
}
