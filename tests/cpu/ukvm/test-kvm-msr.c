/*
 * KVM ABI tests for MSR accesses handed to user space
 * (KVM_CAP_X86_USER_SPACE_MSR, KVM_X86_SET_MSR_FILTER, KVM_EXIT_X86_RDMSR/
 * WRMSR) and for IA32_APIC_BASE's x2APIC transitions, against every
 * provider (abi-common.h): the kernel's answers are the reference.
 *
 * The guests run in real mode; #GP (vector 13) goes through the IVT to a
 * handler that reports on port 0x13.
 */
#include <string.h>

#include "abi-common.h"

#define CODE 0x1000
#define GP_HALT 0x3000              /* out 0x13, al; hlt */
#define GP_IRET 0x3100              /* out 0x13, al; iret (retries) */
#define GP_SKIP 0x3200              /* out 0x13, al; skip the 2-byte insn */
#define DATA 0x2000

static void expect_port(AbiCtx *c, uint16_t port)
{
    abi_expect_exit(c, KVM_EXIT_IO);
    g_assert_cmphex(c->run->io.port, ==, port);
}

static void expect_msr(AbiCtx *c, bool write, uint32_t index,
                       uint32_t reason)
{
    abi_expect_exit(c, write ? KVM_EXIT_X86_WRMSR : KVM_EXIT_X86_RDMSR);
    g_assert_cmphex(c->run->msr.index, ==, index);
    g_assert_cmphex(c->run->msr.reason, ==, reason);
    g_assert_cmpint(c->run->msr.error, ==, 0);
}

/* A real-mode guest at CODE with both #GP handlers; @gp picks one. */
static bool guest(AbiCtx *c, gconstpointer data, const uint8_t *code,
                  size_t len, uint16_t gp)
{
    static const uint8_t gp_halt[] = { 0xe6, 0x13, 0xf4 };
    static const uint8_t gp_iret[] = { 0xe6, 0x13, 0xcf };
    static const uint8_t gp_skip[] = {
        0xe6, 0x13,                 /* out 0x13, al */
        0x55, 0x89, 0xe5,           /* push bp; mov bp, sp */
        0x83, 0x46, 0x02, 0x02,     /* add word [bp+2], 2 */
        0x5d, 0xcf,                 /* pop bp; iret */
    };

    if (!abi_open_guest(c, data)) {
        return false;
    }
    abi_load(c, CODE, code, len);
    abi_load(c, GP_HALT, gp_halt, sizeof(gp_halt));
    abi_load(c, GP_IRET, gp_iret, sizeof(gp_iret));
    abi_load(c, GP_SKIP, gp_skip, sizeof(gp_skip));
    uint16_t ivt[2] = { gp, 0 };
    memcpy(c->mem + 13 * 4, ivt, sizeof(ivt));
    abi_real_mode(c, CODE);
    return true;
}

static int enable(AbiCtx *c, uint64_t mask)
{
    struct kvm_enable_cap cap = {
        .cap = KVM_CAP_X86_USER_SPACE_MSR, .args = { mask },
    };
    return abi_ioctl(c, c->vm, KVM_ENABLE_CAP, &cap);
}

static int set_filter(AbiCtx *c, struct kvm_msr_filter *f)
{
    return abi_ioctl(c, c->vm, KVM_X86_SET_MSR_FILTER, f);
}

/* The capabilities, and the errors of bad ENABLE_CAP / filter arguments */
static void test_caps(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_vm(&c, data)) {
        return;
    }
    g_assert_cmpint(abi_ioctl(&c, c.sys, KVM_CHECK_EXTENSION,
                              (void *)(long)KVM_CAP_X86_USER_SPACE_MSR), >,
                    0);
    g_assert_cmpint(abi_ioctl(&c, c.sys, KVM_CHECK_EXTENSION,
                              (void *)(long)KVM_CAP_X86_MSR_FILTER), >, 0);
    g_assert_cmpint(enable(&c, 8), ==, -EINVAL);
    g_assert_cmpint(enable(&c, KVM_MSR_EXIT_REASON_INVAL |
                               KVM_MSR_EXIT_REASON_UNKNOWN |
                               KVM_MSR_EXIT_REASON_FILTER), ==, 0);
    g_assert_cmpint(enable(&c, 0), ==, 0);

    uint8_t bitmap[8] = { 0 };
    struct kvm_msr_filter f;
    memset(&f, 0, sizeof(f));
    f.flags = 2;
    g_assert_cmpint(set_filter(&c, &f), ==, -EINVAL);
    f.flags = KVM_MSR_FILTER_DEFAULT_DENY;          /* deny all, no ranges */
    g_assert_cmpint(set_filter(&c, &f), ==, -EINVAL);
    f.flags = 0;
    f.ranges[3] = (struct kvm_msr_filter_range) {
        .flags = 0, .nmsrs = 1, .base = 0x6e0, .bitmap = bitmap,
    };
    g_assert_cmpint(set_filter(&c, &f), ==, -EINVAL);  /* no READ/WRITE */
    f.ranges[3].flags = 4;
    g_assert_cmpint(set_filter(&c, &f), ==, -EINVAL);
    f.ranges[3].flags = KVM_MSR_FILTER_READ;
    f.ranges[3].nmsrs = 0x600 * 8 + 1;                 /* bitmap too big */
    g_assert_cmpint(set_filter(&c, &f), ==, -EINVAL);
    f.ranges[3].nmsrs = 1;
    f.ranges[3].bitmap = NULL;
    g_assert_cmpint(set_filter(&c, &f), ==, -EFAULT);
    f.ranges[3].bitmap = bitmap;
    g_assert_cmpint(set_filter(&c, &f), ==, 0);
    memset(&f, 0, sizeof(f));                          /* allow all again */
    g_assert_cmpint(set_filter(&c, &f), ==, 0);
    abi_close(&c);
}

/* RDMSR of an x2APIC register: exit (reason INVAL without an in-kernel
 * APIC), user space supplies EDX:EAX */
static void test_x2apic_rdmsr(gconstpointer data)
{
    static const uint8_t code[] = {
        0x66, 0xb9, 0x02, 0x08, 0, 0,       /* mov ecx, 0x802 */
        0x0f, 0x32,                         /* rdmsr */
        0x66, 0xa3, 0x00, 0x20,             /* mov [0x2000], eax */
        0x66, 0x89, 0x16, 0x04, 0x20,       /* mov [0x2004], edx */
        0xf4,
    };
    AbiCtx c;
    if (!guest(&c, data, code, sizeof(code), GP_HALT)) {
        return;
    }
    g_assert_cmpint(enable(&c, KVM_MSR_EXIT_REASON_INVAL), ==, 0);
    expect_msr(&c, false, 0x802, KVM_MSR_EXIT_REASON_INVAL);
    c.run->msr.data = 0x1122334455667788ULL;
    abi_expect_exit(&c, KVM_EXIT_HLT);
    uint32_t got[2];
    memcpy(got, c.mem + DATA, sizeof(got));
    g_assert_cmphex(got[0], ==, 0x55667788);
    g_assert_cmphex(got[1], ==, 0x11223344);
    abi_close(&c);
}

/* An interrupt queued while an RDMSR exit is being completed is taken
 * after the RDMSR finishes (KVM completes the instruction first on the
 * next KVM_RUN): the handler sees the IP after the RDMSR, EAX loaded, and
 * the store after it not yet done. */
static void test_complete_before_irq(gconstpointer data)
{
    static const uint8_t code[] = {
        0xfb,                               /* sti */
        0x66, 0xb9, 0x02, 0x08, 0, 0,       /* mov ecx, 0x802 */
        0x0f, 0x32,                         /* rdmsr (IP 0x1007) */
        0x66, 0xa3, 0x00, 0x20,             /* mov [0x2000], eax (0x1009) */
        0xf4,
    };
    static const uint8_t irq_handler[] = {
        0x58,                               /* pop ax (the pushed IP) */
        0xa3, 0x10, 0x20,                   /* mov [0x2010], ax */
        0xf4,
    };
    AbiCtx c;
    if (!guest(&c, data, code, sizeof(code), GP_HALT)) {
        return;
    }
    abi_load(&c, 0x3300, irq_handler, sizeof(irq_handler));
    uint16_t ivt[2] = { 0x3300, 0 };
    memcpy(c.mem + 0x20 * 4, ivt, sizeof(ivt));
    g_assert_cmpint(enable(&c, KVM_MSR_EXIT_REASON_INVAL), ==, 0);
    expect_msr(&c, false, 0x802, KVM_MSR_EXIT_REASON_INVAL);
    c.run->msr.data = 0x1122334455667788ULL;
    struct kvm_interrupt irq = { .irq = 0x20 };
    g_assert_cmpint(abi_ioctl(&c, c.vcpu, KVM_INTERRUPT, &irq), ==, 0);
    abi_expect_exit(&c, KVM_EXIT_HLT);
    uint16_t ip;
    uint32_t stored;
    memcpy(&ip, c.mem + DATA + 0x10, sizeof(ip));
    memcpy(&stored, c.mem + DATA, sizeof(stored));
    g_assert_cmphex(ip, ==, 0x1009);
    g_assert_cmphex(stored, ==, 0);
    struct kvm_regs regs;
    abi_get_regs(&c, &regs);
    g_assert_cmphex(regs.rdx, ==, 0x11223344);
    abi_close(&c);
}

/* WRMSR exit with error=1 raises #GP at the WRMSR; the handler IRETs,
 * the WRMSR runs again, exits again, and completes */
static void test_wrmsr_error_gp(gconstpointer data)
{
    static const uint8_t code[] = {
        0x66, 0xb9, 0x30, 0x08, 0, 0,       /* mov ecx, 0x830 */
        0x66, 0xb8, 0x78, 0x56, 0x34, 0x12, /* mov eax, 0x12345678 */
        0x66, 0xba, 0xbc, 0x9a, 0, 0,       /* mov edx, 0x9abc */
        0x0f, 0x30,                         /* wrmsr */
        0xe6, 0x10,                         /* out 0x10, al */
        0xf4,
    };
    AbiCtx c;
    if (!guest(&c, data, code, sizeof(code), GP_IRET)) {
        return;
    }
    g_assert_cmpint(enable(&c, KVM_MSR_EXIT_REASON_INVAL), ==, 0);
    expect_msr(&c, true, 0x830, KVM_MSR_EXIT_REASON_INVAL);
    g_assert_cmphex(c.run->msr.data, ==, 0x9abc12345678ULL);
    c.run->msr.error = 1;
    expect_port(&c, 0x13);
    struct kvm_regs regs;
    abi_get_regs(&c, &regs);
    g_assert_cmphex(regs.rip, ==, GP_IRET + 2);
    expect_msr(&c, true, 0x830, KVM_MSR_EXIT_REASON_INVAL);
    g_assert_cmphex(c.run->msr.data, ==, 0x9abc12345678ULL);
    expect_port(&c, 0x10);
    abi_expect_exit(&c, KVM_EXIT_HLT);
    abi_close(&c);
}

/* Without the capability the same RDMSR is a #GP in the guest */
static void test_no_cap_gp(gconstpointer data)
{
    static const uint8_t code[] = {
        0x66, 0xb9, 0x02, 0x08, 0, 0,       /* mov ecx, 0x802 */
        0x0f, 0x32,                         /* rdmsr */
        0xe6, 0x10,                         /* out 0x10, al */
    };
    AbiCtx c;
    if (!guest(&c, data, code, sizeof(code), GP_HALT)) {
        return;
    }
    expect_port(&c, 0x13);
    /* UNKNOWN only: an x2APIC access is not "unknown" to KVM */
    g_assert_cmpint(enable(&c, KVM_MSR_EXIT_REASON_UNKNOWN), ==, 0);
    abi_real_mode(&c, CODE);
    expect_port(&c, 0x13);
    abi_close(&c);
}

/* An MSR nobody knows: UNKNOWN exit, error=1 -> #GP */
static void test_unknown(gconstpointer data)
{
    static const uint8_t code[] = {
        0x66, 0xb9, 0x45, 0x23, 0x01, 0,    /* mov ecx, 0x12345 */
        0x0f, 0x32,                         /* rdmsr */
        0xe6, 0x10,                         /* out 0x10, al */
    };
    AbiCtx c;
    if (!guest(&c, data, code, sizeof(code), GP_HALT)) {
        return;
    }
    g_assert_cmpint(enable(&c, KVM_MSR_EXIT_REASON_UNKNOWN), ==, 0);
    expect_msr(&c, false, 0x12345, KVM_MSR_EXIT_REASON_UNKNOWN);
    c.run->msr.error = 1;
    expect_port(&c, 0x13);
    abi_close(&c);
}

/* IA32_TSC_DEADLINE without an in-kernel APIC reads 0, ignores writes;
 * a filter that denies writes brings them to user space (FILTER), and a
 * filter never applies to x2APIC MSRs */
static void test_filter(gconstpointer data)
{
    static const uint8_t code[] = {
        0x66, 0xb9, 0xe0, 0x06, 0, 0,       /* mov ecx, 0x6e0 */
        0x66, 0xb8, 0x05, 0, 0, 0,          /* mov eax, 5 */
        0x66, 0x31, 0xd2,                   /* xor edx, edx */
        0x0f, 0x30,                         /* wrmsr: ignored */
        0x0f, 0x32,                         /* rdmsr: 0 */
        0x66, 0xa3, 0x00, 0x20,             /* mov [0x2000], eax */
        0xe6, 0x10,                         /* out 0x10, al */
        0x66, 0xb8, 0x07, 0, 0, 0,          /* mov eax, 7 */
        0x0f, 0x30,                         /* wrmsr: filtered */
        0x0f, 0x32,                         /* rdmsr: allowed */
        0x66, 0xb9, 0x02, 0x08, 0, 0,       /* mov ecx, 0x802 */
        0x0f, 0x32,                         /* rdmsr: not filtered */
        0xf4,
    };
    AbiCtx c;
    if (!guest(&c, data, code, sizeof(code), GP_HALT)) {
        return;
    }
    memset(c.mem + DATA, 0xff, 4);
    expect_port(&c, 0x10);
    uint32_t v;
    memcpy(&v, c.mem + DATA, 4);
    g_assert_cmphex(v, ==, 0);

    g_assert_cmpint(enable(&c, KVM_MSR_EXIT_REASON_FILTER |
                               KVM_MSR_EXIT_REASON_INVAL), ==, 0);
    static uint8_t deny[0x20];                     /* 0x6e0..: all 0 */
    static uint8_t deny_all[0x20];
    struct kvm_msr_filter f;
    memset(&f, 0, sizeof(f));
    f.ranges[0] = (struct kvm_msr_filter_range) {
        .flags = KVM_MSR_FILTER_WRITE, .nmsrs = 1, .base = 0x6e0,
        .bitmap = deny,
    };
    f.ranges[1] = (struct kvm_msr_filter_range) {
        .flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE, .nmsrs = 256,
        .base = 0x800, .bitmap = deny_all,
    };
    g_assert_cmpint(set_filter(&c, &f), ==, 0);
    expect_msr(&c, true, 0x6e0, KVM_MSR_EXIT_REASON_FILTER);
    g_assert_cmphex(c.run->msr.data, ==, 7);
    expect_msr(&c, false, 0x802, KVM_MSR_EXIT_REASON_INVAL);
    c.run->msr.data = 0;
    abi_expect_exit(&c, KVM_EXIT_HLT);
    abi_close(&c);
}

/*
 * IA32_APIC_BASE mode transitions (SDM 11.12.5, CPUID has x2APIC): xAPIC
 * -> x2APIC ok, x2APIC -> xAPIC #GP, x2APIC -> disabled ok, disabled ->
 * x2APIC #GP, EXTD without EN #GP, disabled -> xAPIC ok; kvm_run.apic_base
 * follows
 */
static void test_apic_base(gconstpointer data)
{
    static const uint8_t code[] = {
        0x66, 0xb9, 0x1b, 0, 0, 0,          /* mov ecx, 0x1b */
        0x0f, 0x32,                         /* rdmsr */
        0x66, 0x0d, 0x00, 0x0c, 0, 0,       /* or eax, 0xc00: x2APIC */
        0x0f, 0x30,                         /* wrmsr: ok */
        0xe6, 0x10,                         /* out 0x10, al */
        0x66, 0x25, 0xff, 0xfb, 0xff, 0xff, /* and eax, ~0x400: xAPIC */
        0x0f, 0x30,                         /* wrmsr: #GP */
        0x66, 0x25, 0xff, 0xf3, 0xff, 0xff, /* and eax, ~0xc00: off */
        0x0f, 0x30,                         /* wrmsr: ok */
        0xe6, 0x11,                         /* out 0x11, al */
        0x66, 0x0d, 0x00, 0x0c, 0, 0,       /* or eax, 0xc00: x2APIC */
        0x0f, 0x30,                         /* wrmsr: #GP */
        0x66, 0x25, 0xff, 0xf7, 0xff, 0xff, /* and eax, ~0x800: EXTD only */
        0x0f, 0x30,                         /* wrmsr: #GP */
        0x66, 0x35, 0x00, 0x0c, 0, 0,       /* xor eax, 0xc00: EN only */
        0x0f, 0x30,                         /* wrmsr: ok */
        0xe6, 0x12,                         /* out 0x12, al */
        0xf4,
    };
    AbiCtx c;
    if (!guest(&c, data, code, sizeof(code), GP_SKIP)) {
        return;
    }
    struct kvm_sregs sr;
    g_assert_cmpint(abi_ioctl(&c, c.vcpu, KVM_GET_SREGS, &sr), ==, 0);
    uint64_t base = sr.apic_base;
    g_assert_cmphex(base & 0xc00, ==, 0x800);       /* xAPIC at reset */
    expect_port(&c, 0x10);
    g_assert_cmphex(c.run->apic_base, ==, base | 0x400);
    expect_port(&c, 0x13);
    expect_port(&c, 0x11);
    g_assert_cmphex(c.run->apic_base, ==, base & ~0xc00ULL);
    expect_port(&c, 0x13);
    expect_port(&c, 0x13);
    expect_port(&c, 0x12);
    g_assert_cmphex(c.run->apic_base, ==, base);
    abi_expect_exit(&c, KVM_EXIT_HLT);
    abi_close(&c);
}

/* The AMD MSRs Linux reads on AMD models (SYSCFG, HWCR, NB_CFG): they
 * read 0 whatever the vendor; writing back 0 works for HWCR and NB_CFG,
 * while SYSCFG's write is #GP (the kernel's answers; both providers must
 * agree) */
static void test_amd_msrs(gconstpointer data)
{
    static const uint32_t idx[] = { 0xc0010010, 0xc0010015, 0xc001001f };
    static const bool write_gp[] = { true, false, false };
    uint8_t code[3 * 19 + 1];
    size_t n = 0;
    AbiCtx c;

    for (int i = 0; i < 3; i++) {
        static const uint8_t body[] = {
            0x0f, 0x32,                     /* rdmsr */
            0x66, 0xe7, 0x10,               /* out 0x10, eax */
            0x66, 0x89, 0xd0,               /* mov eax, edx */
            0x66, 0xe7, 0x11,               /* out 0x11, eax */
            0x0f, 0x30,                     /* wrmsr edx:eax = hi:hi */
        };
        code[n++] = 0x66;                   /* mov ecx, idx */
        code[n++] = 0xb9;
        memcpy(code + n, &idx[i], 4);
        n += 4;
        memcpy(code + n, body, sizeof(body));
        n += sizeof(body);
    }
    code[n++] = 0xf4;                       /* hlt */
    if (!guest(&c, data, code, n, GP_SKIP)) {
        return;
    }
    for (int i = 0; i < 3; i++) {
        uint32_t lo, hi;
        expect_port(&c, 0x10);
        memcpy(&lo, (uint8_t *)c.run + c.run->io.data_offset, 4);
        expect_port(&c, 0x11);
        memcpy(&hi, (uint8_t *)c.run + c.run->io.data_offset, 4);
        g_assert_cmphex((uint64_t)hi << 32 | lo, ==, 0);
        if (write_gp[i]) {
            expect_port(&c, 0x13);          /* #GP, skipped */
        }
    }
    abi_expect_exit(&c, KVM_EXIT_HLT);
    abi_close(&c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    abi_add_test("/kvm-msr/caps", test_caps);
    abi_add_test("/kvm-msr/x2apic-rdmsr", test_x2apic_rdmsr);
    abi_add_test("/kvm-msr/wrmsr-error-gp", test_wrmsr_error_gp);
    abi_add_test("/kvm-msr/complete-before-irq", test_complete_before_irq);
    abi_add_test("/kvm-msr/no-cap-gp", test_no_cap_gp);
    abi_add_test("/kvm-msr/unknown-index", test_unknown);
    abi_add_test("/kvm-msr/filter", test_filter);
    abi_add_test("/kvm-msr/apic-base-modes", test_apic_base);
    abi_add_test("/kvm-msr/amd-syscfg-hwcr-nbcfg", test_amd_msrs);
    return g_test_run();
}
