/*
 * Engine tests of TLB invalidation (guests-tlb.S): INVLPG of one 4K piece
 * of a 2 MiB or 1 GiB page drops every piece of that page, global or not;
 * a CR3 write drops non-global translations; code reached through chained
 * blocks follows a remapping made by either. A LOCKed operation on a page
 * in the write TLB still checks data breakpoints. Code another vCPU (or
 * the VMM) overwrites is not run stale by a vCPU that decoded it.
 */
#include <glib.h>
#include <string.h>

#include "target/i386/cpu.h"
#include "target/i386/internal.h"          /* X86_TLB_SIZE */
#include "target/i386/tlb.h"               /* x86_probe_fetch */
#include "engine-env.h"

#define TLB_BASE 0x100000ULL
#define PDE5     0x12028                    /* maps 10-12 MiB */

extern const uint8_t g_tlb_start[], g_tlb_end[];
extern const uint8_t t_invlpg_data[], t_invlpg_code[], t_cr3_code[];
extern const uint8_t t_invlpg_1g[], tlb_pf_handler[];
extern const uint8_t t_lock_dbp[], tlb_db_handler[];
extern const uint8_t t_cr3_many[], t_invlpg_many_large[];
extern const uint8_t t_l2_4k[], t_l2_large[], t_evicted_code[];

static uint64_t sym(const uint8_t *s)
{
    return TLB_BASE + (s - g_tlb_start);
}

static Env *env_tlb(bool pge)
{
    Env *e = env_new();
    X86SRegs s;

    env_setup_long(e);
    memcpy(e->ram + TLB_BASE, g_tlb_start, g_tlb_end - g_tlb_start);
    set_gate(e, 14, sym(tlb_pf_handler), 0);
    if (pge) {
        x86_cpu_get_sregs(e->cpu, &s);
        s.cr4 |= 0x80;                              /* PGE */
        g_assert_true(x86_cpu_set_sregs(e->cpu, &s));
    }
    return e;
}

static void set_reg(Env *e, int which, uint64_t v)
{
    X86Regs r;

    x86_cpu_get_regs(e->cpu, &r);
    if (which == 'S') {
        r.rsi = v;
    } else if (which == 'D') {
        r.rdi = v;
    } else {
        r.rdx = v;
    }
    x86_cpu_set_regs(e->cpu, &r);
}

/* data: both pieces read the new page after INVLPG of one of them */
static void test_invlpg_large_data(gconstpointer global)
{
    uint64_t g = global ? 0x100 : 0;
    Env *e = env_tlb(global != NULL);
    X86Regs r;
    X86Exit ex;

    put64(e, PDE5, (5ULL << 21) | 0x87 | g);
    put64(e, 0xa01000, 0x1111);
    put64(e, 0xa05000, 0x5555);
    put64(e, 0xc01000, 0x2222);
    put64(e, 0xc05000, 0x6666);
    set_rip(e, sym(t_invlpg_data));
    set_reg(e, 'S', (6ULL << 21) | 0x87 | g);
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.rax, ==, 0x1111);
    g_assert_cmphex(r.rbx, ==, 0x5555);
    g_assert_cmphex(r.rcx, ==, 0x6666);
    g_assert_cmphex(r.rdx, ==, 0x2222);
    env_free(e);
}

/* "mov $v, %eax; ret" at guest-physical @pa */
static void put_ret_value(Env *e, uint64_t pa, uint8_t v)
{
    static const uint8_t code[] = { 0xb8, 0, 0, 0, 0, 0xc3 };

    memcpy(e->ram + pa, code, sizeof(code));
    e->ram[pa + 1] = v;
}

static void test_invlpg_large_code(gconstpointer global)
{
    uint64_t g = global ? 0x100 : 0;
    Env *e = env_tlb(global != NULL);
    X86Regs r;
    X86Exit ex;

    put64(e, PDE5, (5ULL << 21) | 0x87 | g);
    put_ret_value(e, 0xa00000, 1);
    put_ret_value(e, 0xc00000, 2);
    set_rip(e, sym(t_invlpg_code));
    set_reg(e, 'S', (6ULL << 21) | 0x87 | g);
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.r8, ==, 1 + 1 + 2 + 2);
    env_free(e);
}

/* a second hierarchy at 0x14000 like the first but 10 MiB -> 12 MiB */
static void test_cr3_code(void)
{
    Env *e = env_tlb(false);
    X86Regs r;
    X86Exit ex;

    memcpy(e->ram + 0x14000, e->ram + 0x10000, 0x1000);
    memcpy(e->ram + 0x15000, e->ram + 0x11000, 0x1000);
    memcpy(e->ram + 0x16000, e->ram + 0x12000, 0x1000);
    put64(e, 0x14000, 0x15000 | 7);
    put64(e, 0x15000, 0x16000 | 7);
    put64(e, 0x16028, (6ULL << 21) | 0x87);
    put_ret_value(e, 0xa00000, 1);
    put_ret_value(e, 0xc00000, 2);
    set_rip(e, sym(t_cr3_code));
    set_reg(e, 'd', 0x14000);
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.r8, ==, 1 + 1 + 2 + 2);
    env_free(e);
}

static void test_invlpg_1g(gconstpointer global)
{
    uint64_t g = global ? 0x100 : 0;
    Env *e = env_tlb(global != NULL);
    X86Regs r;
    X86Exit ex;

    set_rip(e, sym(t_invlpg_1g));
    set_reg(e, 'S', 0x87 | g);                      /* 1 GiB page at 0 */
    set_reg(e, 'D', 0);
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.rax, ==, 0x40a05000);         /* CR2 */
    g_assert_cmphex(r.rbx, ==, 0);                  /* not present, read */
    env_free(e);
}

/* tlb.c lists the slots of non-global fills for the next CR3 write, up to
 * a limit: past it the write must still drop them all, the last one too */
static void test_cr3_many_fills(void)
{
    Env *e = env_tlb(false);
    X86Regs r;
    X86Exit ex;

    for (unsigned i = 0; i < 512; i++) {            /* 10 MiB in 4K pages */
        put64(e, 0x20000 + i * 8, (0xa00000ULL + i * 0x1000) | 3);
    }
    put64(e, PDE5, 0x20000 | 3);
    put64(e, 0x12000 + 37 * 8, 0x20000 | 3);        /* and 74 MiB */
    put64(e, 0xa02000, 0x1111);
    put64(e, 0xc02000, 0x2222);
    set_rip(e, sym(t_cr3_many));
    set_reg(e, 'S', 0xc02000 | 3);
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.rbx, ==, 0x1111);
    g_assert_cmphex(r.rcx, ==, 0x2222);
    env_free(e);
}

/* tlb.c's set of large pages in the TLB has a limit: past it INVLPG must
 * still drop every piece of the page (the 2 MiB-data case after pieces of
 * 1024 other 2 MiB pages) */
static void test_invlpg_many_large(gconstpointer global)
{
    uint64_t g = global ? 0x100 : 0;
    Env *e = env_tlb(global != NULL);
    X86Regs r;
    X86Exit ex;

    for (unsigned i = 0; i < 512; i++) {            /* 2 MiB at 0, 512x */
        put64(e, 0x21000 + i * 8, 0x83 | g);
    }
    put64(e, 0x11008, 0x21000 | 3);                 /* 1 GiB - 3 GiB */
    put64(e, 0x11010, 0x21000 | 3);
    put64(e, PDE5, (5ULL << 21) | 0x87 | g);
    put64(e, 0xa01000, 0x1111);
    put64(e, 0xa05000, 0x5555);
    put64(e, 0xc01000, 0x2222);
    put64(e, 0xc05000, 0x6666);
    set_rip(e, sym(t_invlpg_many_large));
    set_reg(e, 'S', (6ULL << 21) | 0x87 | g);
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.rax, ==, 0x1111);
    g_assert_cmphex(r.rbx, ==, 0x5555);
    g_assert_cmphex(r.rcx, ==, 0x6666);
    g_assert_cmphex(r.rdx, ==, 0x2222);
    env_free(e);
}

/* A translation tlb.c's second level holds after the first level lost it
 * (a read at the same first-level index, X86_TLB_SIZE pages on) goes with
 * a CR3 write ("cr3") or INVLPG ("invlpg") as the first level's would */
static void test_l2_4k(gconstpointer how)
{
    Env *e = env_tlb(false);
    X86Regs r;
    X86Exit ex;

    for (unsigned i = 0; i < 512; i++) {            /* 10 MiB in 4K pages */
        put64(e, 0x20000 + i * 8, (0xa00000ULL + i * 0x1000) | 3);
    }
    put64(e, PDE5, 0x20000 | 3);
    put64(e, 0xa02000, 0x1111);
    put64(e, 0xc02000, 0x2222);
    set_rip(e, sym(t_l2_4k));
    set_reg(e, 'S', 0xc02000 | 3);
    set_reg(e, 'D', !strcmp(how, "invlpg"));
    set_reg(e, 'd', 0xa02000 + X86_TLB_SIZE * 0x1000ULL);
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.rax, ==, 0x1111);
    g_assert_cmphex(r.rcx, ==, 0x2222);
    env_free(e);
}

static void test_l2_large(gconstpointer global)
{
    uint64_t g = global ? 0x100 : 0;
    Env *e = env_tlb(global != NULL);
    X86Regs r;
    X86Exit ex;

    put64(e, PDE5, (5ULL << 21) | 0x87 | g);
    put64(e, 0xa01000, 0x1111);
    put64(e, 0xa05000, 0x5555);
    put64(e, 0xc05000, 0x6666);
    set_rip(e, sym(t_l2_large));
    set_reg(e, 'S', (6ULL << 21) | 0x87 | g);
    set_reg(e, 'd', 0xa05000 + X86_TLB_SIZE * 0x1000ULL);
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.rbx, ==, 0x5555);
    g_assert_cmphex(r.rcx, ==, 0x6666);
    env_free(e);
}

/* INVLPG of a page whose fetch entry a fill evicted still stops chains to
 * its old block (tlb.c counts every INVLPG as a flush, not evictions) */
static void test_evicted_code(void)
{
    Env *e = env_tlb(false);
    uint64_t other = 0xa00000 + X86_TLB_SIZE * 0x1000ULL;
    X86Regs r;
    X86Exit ex;

    for (unsigned i = 0; i < 512; i++) {            /* 10 MiB in 4K pages */
        put64(e, 0x20000 + i * 8, (0xa00000ULL + i * 0x1000) | 3);
    }
    put64(e, PDE5, 0x20000 | 3);
    put_ret_value(e, 0xa00000, 1);
    put_ret_value(e, 0xc00000, 2);
    put_ret_value(e, other, 9);
    set_rip(e, sym(t_evicted_code));
    set_reg(e, 'S', 0xc00000 | 3);
    set_reg(e, 'd', other);
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.r8, ==, 1 + 1 + 2 + 2);
    env_free(e);
}

/* x86_probe_fetch (for fetches the guest did not ask for) fails on an
 * unmapped page without a #PF or a CR2 change; x86_translate_fetch there
 * raises the #PF */
static void test_probe_fetch(void)
{
    Env *e = env_tlb(false);
    X86SRegs s;
    uint8_t *h;
    uint64_t g;

    x86_cpu_get_sregs(e->cpu, &s);
    s.cr2 = 0x1234;
    g_assert_true(x86_cpu_set_sregs(e->cpu, &s));
    g_assert_false(x86_probe_fetch(e->cpu, 0x40a00000, &h, &g));
    x86_cpu_get_sregs(e->cpu, &s);
    g_assert_cmphex(s.cr2, ==, 0x1234);
    g_assert_cmpint(e->cpu->exc.vector, ==, -1);
    g_assert_true(x86_probe_fetch(e->cpu, 0xa00123, &h, &g));
    g_assert_cmphex(g, ==, 0xa00123);
    g_assert_true(h == e->ram + 0xa00123);
    g_assert_false(x86_translate_fetch(e->cpu, 0x40a00000, &h, &g));
    x86_cpu_get_sregs(e->cpu, &s);
    g_assert_cmphex(s.cr2, ==, 0x40a00000);
    g_assert_cmpint(e->cpu->exc.vector, ==, 14);
    env_free(e);
}

static void test_lock_data_breakpoint(void)
{
    Env *e = env_tlb(false);
    X86Regs r;
    X86Exit ex;

    set_gate(e, 1, sym(tlb_db_handler), 0);
    set_rip(e, sym(t_lock_dbp));
    set_reg(e, 'S', 0xa03000);
    set_reg(e, 'D', 0x000d0002);                    /* G0, write, 8 bytes */
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.rax & 0x400f, ==, 1);         /* DR6.B0 */
    g_assert_cmphex(r.rbx, ==, 6);                  /* the add was done */
    env_free(e);
}

/* Run @cpu (not e->cpu) from @rip to HLT; returns its registers. */
static X86Regs run_other(X86CPU *cpu, uint64_t rip)
{
    X86Exit ex;
    X86Regs r;

    x86_cpu_get_regs(cpu, &r);
    r.rip = rip;
    x86_cpu_set_regs(cpu, &r);
    g_assert_cmpint(x86_cpu_run(cpu, &ex), ==, 0);
    g_assert_cmpint(ex.reason, ==, X86_EXIT_HLT);
    x86_cpu_get_regs(cpu, &r);
    return r;
}

/* Cross-vCPU self-modifying code: vCPU 1 has decoded a function, vCPU 0
 * (then the VMM, x86_vm_notify_write) rewrites its immediate; vCPU 1's
 * next call must see each new value. Another code page of vCPU 1 keeps
 * working. */
static void test_smc_other_vcpu(void)
{
    static const uint8_t caller[] = {
        0xbb, 0x00, 0x01, 0x60, 0x00,               /* mov $0x600100, %ebx */
        0xff, 0xd3,                                 /* call *%rbx */
        0xf4,                                       /* hlt */
    };
    static const uint8_t func[] = {
        0xb8, 0x01, 0x00, 0x00, 0x00,               /* mov $1, %eax */
        0xc3,                                       /* ret */
    };
    static const uint8_t writer[] = {
        0xc6, 0x04, 0x25, 0x01, 0x01, 0x60, 0x00, 0x02, /* movb $2, 0x600101 */
        0xf4,                                       /* hlt */
    };
    Env *e = env_tlb(false);
    X86CPU *c1 = x86_cpu_new(e->vm, 1);
    X86SRegs s;
    X86Regs r;
    X86Exit ex;

    memcpy(e->ram + 0x600000, caller, sizeof(caller));
    memcpy(e->ram + 0x600100, func, sizeof(func));
    memcpy(e->ram + 0x601000, caller, sizeof(caller));  /* other page */
    memcpy(e->ram + 0x700000, writer, sizeof(writer));
    x86_cpu_get_sregs(e->cpu, &s);
    g_assert_true(x86_cpu_set_sregs(c1, &s));
    x86_cpu_get_regs(e->cpu, &r);
    r.rsp = 0x7000;
    x86_cpu_set_regs(c1, &r);

    g_assert_cmphex(run_other(c1, 0x600000).rax, ==, 1);
    g_assert_cmphex(run_other(c1, 0x601000).rax, ==, 1);
    set_rip(e, 0x700000);
    run_expect(e, X86_EXIT_HLT, &ex);               /* vCPU 0 writes */
    g_assert_cmphex(e->ram[0x600101], ==, 2);
    g_assert_cmphex(run_other(c1, 0x601000).rax, ==, 2);
    g_assert_cmphex(run_other(c1, 0x600000).rax, ==, 2);

    e->ram[0x600101] = 3;                           /* the VMM writes */
    x86_vm_notify_write(e->vm, 0x600101, 1);
    g_assert_cmphex(run_other(c1, 0x600000).rax, ==, 3);
    x86_cpu_free(c1);
    env_free(e);
}

/* More overwritten code pages than a vCPU's drop queue holds: it drops
 * all its blocks, the last pages' included. */
static void test_smc_other_vcpu_many(void)
{
    Env *e = env_tlb(false);
    X86CPU *c1 = x86_cpu_new(e->vm, 1);
    const unsigned npages = 40;
    X86SRegs s;
    X86Regs r;

    for (unsigned i = 0; i < npages; i++) {
        uint8_t *p = e->ram + 0x620000 + i * 0x1000;
        p[0] = 0xb8;                                /* mov $1, %eax */
        put32(e, 0x620001 + i * 0x1000, 1);
        p[5] = 0xf4;                                /* hlt */
    }
    x86_cpu_get_sregs(e->cpu, &s);
    g_assert_true(x86_cpu_set_sregs(c1, &s));
    x86_cpu_get_regs(e->cpu, &r);
    r.rsp = 0x7000;
    x86_cpu_set_regs(c1, &r);
    for (unsigned i = 0; i < npages; i++) {
        g_assert_cmphex(run_other(c1, 0x620000 + i * 0x1000).rax, ==, 1);
    }
    for (unsigned i = 0; i < npages; i++) {
        e->ram[0x620001 + i * 0x1000] = 5;
    }
    x86_vm_notify_write(e->vm, 0x620000, npages * 0x1000);
    for (unsigned i = 0; i < npages; i++) {
        g_assert_cmphex(run_other(c1, 0x620000 + i * 0x1000).rax, ==, 5);
    }
    x86_cpu_free(c1);
    env_free(e);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_data_func("/cpu/tlb/invlpg-2m-data", NULL,
                         test_invlpg_large_data);
    g_test_add_data_func("/cpu/tlb/invlpg-2m-data-global", "g",
                         test_invlpg_large_data);
    g_test_add_data_func("/cpu/tlb/invlpg-2m-chained-code", NULL,
                         test_invlpg_large_code);
    g_test_add_data_func("/cpu/tlb/invlpg-2m-chained-code-global", "g",
                         test_invlpg_large_code);
    g_test_add_func("/cpu/tlb/cr3-chained-code", test_cr3_code);
    g_test_add_data_func("/cpu/tlb/invlpg-1g", NULL, test_invlpg_1g);
    g_test_add_data_func("/cpu/tlb/invlpg-1g-global", "g", test_invlpg_1g);
    g_test_add_func("/cpu/tlb/cr3-many-fills", test_cr3_many_fills);
    g_test_add_data_func("/cpu/tlb/invlpg-2m-many-large", NULL,
                         test_invlpg_many_large);
    g_test_add_data_func("/cpu/tlb/invlpg-2m-many-large-global", "g",
                         test_invlpg_many_large);
    g_test_add_data_func("/cpu/tlb/l2-4k-cr3", "cr3", test_l2_4k);
    g_test_add_data_func("/cpu/tlb/l2-4k-invlpg", "invlpg", test_l2_4k);
    g_test_add_data_func("/cpu/tlb/l2-2m-invlpg", NULL, test_l2_large);
    g_test_add_data_func("/cpu/tlb/l2-2m-invlpg-global", "g",
                         test_l2_large);
    g_test_add_func("/cpu/tlb/probe-fetch", test_probe_fetch);
    g_test_add_func("/cpu/tlb/invlpg-evicted-chained-code",
                    test_evicted_code);
    g_test_add_func("/cpu/tlb/lock-add-data-breakpoint",
                    test_lock_data_breakpoint);
    g_test_add_func("/cpu/tlb/smc-other-vcpu", test_smc_other_vcpu);
    g_test_add_func("/cpu/tlb/smc-other-vcpu-many-pages",
                    test_smc_other_vcpu_many);
    return g_test_run();
}
