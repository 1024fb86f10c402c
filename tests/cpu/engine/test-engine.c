/*
 * Engine tests: bare-metal guests (guests.S) run through the software CPU
 * alone, with a 16 MiB fake RAM and an MMIO hole at 256 MiB (engine-env.c).
 * Exception/interrupt priorities, #AC, single-step: test-events.c.
 */
#include <glib.h>
#include <string.h>

#include "target/i386/cpu.h"
#include "engine-env.h"

#define K64_BASE 0x100000ULL

extern const uint8_t g_boot_start[], g_boot_end[];
extern const uint8_t g_k64_start[], g_k64_end[];
extern const uint8_t t_pf_read[], t_pf_write[], pf_handler[];
extern const uint8_t t_user[], user_code[], int80_handler[], int81_handler[];
extern const uint8_t t_syscall[], sys_user[], syscall_entry[];
extern const uint8_t t_hlt_irq[], irq40_handler[], t_io[], t_outs[];
extern const uint8_t t_smc[], t_ud[], t_dbg[], t_dbg_after[], db_handler[];
extern const uint8_t t_sysenter[], sysenter_entry[], sysexit_user[];
extern const uint8_t df_handler[];
extern const uint8_t g_task_start[], g_task_end[], task2_entry[];
extern const uint8_t g_leg_start[], g_leg_end[], leg_paging[], leg_nx[];
extern const uint8_t pf32_handler[], leg_gate[], user32[], gate_target[];
extern const uint8_t int80_32[], leg_v86[], gp32_handler[];
extern const uint8_t v86_code[], v86_code_end[];

static uint64_t k64(const uint8_t *sym)
{
    return K64_BASE + (sym - g_k64_start);
}

/* A 64-bit kernel environment: Linux-like GDT, IDT, TSS, page tables
 * identity-mapping 16 MiB (user-accessible), a read-only 2 MiB page at
 * 8 MiB and the MMIO hole at 256 MiB. */
static Env *env_long(void)
{
    Env *e = env_new();

    env_setup_long(e);
    memcpy(e->ram + K64_BASE, g_k64_start, g_k64_end - g_k64_start);
    set_gate(e, 14, k64(pf_handler), 0);
    set_gate(e, 0x80, k64(int80_handler), 3);
    set_gate(e, 0x81, k64(int81_handler), 3);
    set_gate(e, 0x40, k64(irq40_handler), 0);
    return e;
}

static void test_boot_modes(void)
{
    Env *e = env_new();
    X86SRegs s;
    X86Regs r;
    X86Exit ex;
    static const uint8_t markers[] = { 0xab, 0x32, 0x64 };

    memcpy(e->ram + 0x7c00, g_boot_start, g_boot_end - g_boot_start);
    x86_cpu_get_sregs(e->cpu, &s);
    s.cs.selector = 0;
    s.cs.base = 0;
    x86_cpu_set_sregs(e->cpu, &s);
    set_rip(e, 0x7c00);
    for (unsigned i = 0; i < sizeof(markers); i++) {
        run_expect(e, X86_EXIT_IO, &ex);
        g_assert_cmpint(ex.io.port, ==, 0x80);
        g_assert_false(ex.io.in);
        g_assert_cmpint(ex.io.data[0], ==, markers[i]);
    }
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.rax, ==, 0x1234567890ULL);
    x86_cpu_get_sregs(e->cpu, &s);
    g_assert_true(s.efer & 0x400);                  /* LMA */
    g_assert_cmpint(s.cs.l, ==, 1);
    g_assert_cmphex(s.cs.selector, ==, 0x18);
    /* the walks set Accessed; the GDT accessed-bit write for the far
     * jump after paging set Dirty on the 2M page */
    g_assert_true(get64(e, 0x20000) & 0x20);
    g_assert_true(get64(e, 0x21000) & 0x20);
    g_assert_true(get64(e, 0x22000) & 0x20);
    g_assert_true(get64(e, 0x22000) & 0x40);
    env_free(e);
}

static void test_page_fault(void)
{
    Env *e = env_long();
    X86Exit ex;
    X86Regs r;
    X86SRegs s;

    set_rip(e, k64(t_pf_read));
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.rax, ==, 0x40000123);         /* CR2 */
    g_assert_cmphex(r.rbx, ==, 0);                  /* read, not present */
    x86_cpu_get_sregs(e->cpu, &s);
    g_assert_cmphex(s.cr2, ==, 0x40000123);

    set_rip(e, k64(t_pf_write));
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.rax, ==, 0x800010);
    g_assert_cmphex(r.rbx, ==, 3);                  /* P | W */
    env_free(e);
}

static void test_int_gate_privilege(void)
{
    Env *e = env_long();
    X86Exit ex;
    X86Regs r;

    set_rip(e, k64(t_user));
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.r15, ==, 0x9000 - 40);        /* TSS.RSP0 frame */
    g_assert_cmphex(r.r14, ==, 0x33);               /* user CS pushed */
    g_assert_cmphex(r.r13, ==, 0x2b);               /* user SS pushed */
    g_assert_cmphex(r.r11, ==, 0x300000);           /* user RSP pushed */
    g_assert_cmphex(r.r12, ==, 0x10);               /* handler at CPL 0 */
    g_assert_cmphex(r.rdi, ==, 0x77);
    g_assert_cmphex(r.rsi, ==, 0x99);               /* IRETQ to CPL 3 */
    g_assert_cmphex(r.rbp, ==, 0x33);
    env_free(e);
}

static void test_syscall_sysret(void)
{
    Env *e = env_long();
    X86Exit ex;
    X86Regs r;

    g_assert_true(x86_cpu_set_msr(e->cpu, 0xc0000081,
                                  (0x23ULL << 48) | (0x10ULL << 32)));
    g_assert_true(x86_cpu_set_msr(e->cpu, 0xc0000082, k64(syscall_entry)));
    g_assert_true(x86_cpu_set_msr(e->cpu, 0xc0000084, 0x200));
    set_rip(e, k64(t_syscall));
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.r13, ==, 0x10);               /* CS from STAR */
    g_assert_cmphex(r.r14, ==, 0x18);               /* SS = CS + 8 */
    g_assert_cmphex(r.r10, ==, k64(sys_user) + 7 + 2);  /* RCX */
    g_assert_cmphex(r.rdx, ==, 0x202);              /* R11 = RFLAGS */
    g_assert_cmphex(r.rdi & 0x200, ==, 0);          /* SFMASK cleared IF */
    g_assert_cmphex(r.r9, ==, 42);
    g_assert_cmphex(r.r8 & 0x200, ==, 0x200);       /* SYSRET restored IF */
    g_assert_cmphex(r.rbp, ==, 0x33);               /* back in 64-bit user */
    env_free(e);
}

/* SYSENTER from 64-bit user code, REX.W SYSEXIT back (SDM: CS from
 * IA32_SYSENTER_CS: +0 kernel, +8 SS, +32/+40 64-bit user CS/SS) */
static void test_sysenter(void)
{
    Env *e = env_long();
    X86Exit ex;
    X86Regs r;

    /* SYSEXIT to 64-bit: CS = SYSENTER_CS + 32 = 0x30 -> user CS64 */
    g_assert_true(x86_cpu_set_msr(e->cpu, 0x174, 0x10));
    g_assert_true(x86_cpu_set_msr(e->cpu, 0x175, 0x8800));
    g_assert_true(x86_cpu_set_msr(e->cpu, 0x176, k64(sysenter_entry)));
    set_rip(e, k64(t_sysenter));
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.r12, ==, 0x10);               /* kernel CS */
    g_assert_cmphex(r.r13, ==, 0x8800);             /* SYSENTER_ESP */
    g_assert_cmphex(r.r14, ==, 0x33);               /* 64-bit user CS */
    g_assert_cmphex(r.rbp, ==, 0x33);
    env_free(e);
}

/* #UD with its gate not present -> #NP; #NP not present either -> #DF */
static void test_double_fault(void)
{
    Env *e = env_long();
    X86Exit ex;
    X86Regs r;

    set_gate(e, 8, k64(df_handler), 0);
    set_rip(e, k64(t_ud));
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.r8, ==, 0xdf);
    g_assert_cmphex(r.rbx, ==, 0);                  /* #DF error code */
    env_free(e);
}

static void test_triple_fault(void)
{
    Env *e = env_long();
    X86Exit ex;
    X86SRegs s;

    x86_cpu_get_sregs(e->cpu, &s);
    s.idt.limit = 0;
    x86_cpu_set_sregs(e->cpu, &s);
    set_rip(e, k64(t_ud));
    run_expect(e, X86_EXIT_SHUTDOWN, &ex);
    g_assert_cmpint(ex.shutdown.last_exception, ==, 6);
    env_free(e);
}

static void test_hlt_irq(void)
{
    Env *e = env_long();
    X86Exit ex;
    X86Regs r;

    set_rip(e, k64(t_hlt_irq));
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.rip, ==, k64(t_hlt_irq) + 2);
    g_assert_true(x86_cpu_can_inject_irq(e->cpu));
    g_assert_true(x86_cpu_inject_irq(e->cpu, 0x40));
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.r9, ==, 0x40);
    g_assert_cmphex(r.r10, ==, k64(t_hlt_irq) + 2);
    g_assert_cmphex(r.r8, ==, 5);
    env_free(e);
}

static void test_io_mmio(void)
{
    Env *e = env_long();
    X86Exit ex;
    X86Regs r;
    uint32_t v;

    set_rip(e, k64(t_io));
    run_expect(e, X86_EXIT_IO, &ex);
    g_assert_true(ex.io.in);
    g_assert_cmphex(ex.io.port, ==, 0x1234);
    g_assert_cmpint(ex.io.size, ==, 4);
    g_assert_cmpint(ex.io.count, ==, 1);
    v = 0xdeadbeef;
    memcpy(ex.io.data, &v, 4);
    run_expect(e, X86_EXIT_MMIO, &ex);
    g_assert_false(ex.mmio.write);
    g_assert_cmphex(ex.mmio.addr, ==, 0x10000000);
    g_assert_cmpint(ex.mmio.len, ==, 4);
    v = 0xcafef00d;
    memcpy(ex.mmio.data, &v, 4);
    r = run_expect(e, X86_EXIT_MMIO, &ex);
    g_assert_true(ex.mmio.write);
    g_assert_cmphex(ex.mmio.addr, ==, 0x10000004);
    memcpy(&v, ex.mmio.data, 4);
    g_assert_cmphex(v, ==, 0x55aa);
    g_assert_cmphex(r.r8, ==, 0xdeadbeef);
    g_assert_cmphex(r.rcx, ==, 0xcafef00d);
    run_expect(e, X86_EXIT_IO, &ex);
    g_assert_false(ex.io.in);
    g_assert_cmphex(ex.io.port, ==, 0x70);
    g_assert_cmphex(ex.io.data[0], ==, 0x66);
    run_expect(e, X86_EXIT_HLT, &ex);
    env_free(e);
}

static void test_rep_outsb(void)
{
    Env *e = env_long();
    X86Exit ex;
    X86Regs r;

    for (int i = 0; i < 10; i++) {
        e->ram[0x500ffc + i] = i;
    }
    set_rip(e, k64(t_outs));
    r = run_expect(e, X86_EXIT_IO, &ex);
    g_assert_cmpint(ex.io.count, ==, 4);            /* up to the page end */
    g_assert_cmphex(ex.io.port, ==, 0x3f8);
    g_assert_cmpint(ex.io.data[3], ==, 3);
    g_assert_cmphex(r.rcx, ==, 6);
    g_assert_cmphex(r.rsi, ==, 0x501000);
    r = run_expect(e, X86_EXIT_IO, &ex);
    g_assert_cmpint(ex.io.count, ==, 6);
    g_assert_cmpint(ex.io.data[0], ==, 4);
    g_assert_cmpint(ex.io.data[5], ==, 9);
    g_assert_cmphex(r.rcx, ==, 0);
    g_assert_cmphex(r.rsi, ==, 0x501006);
    run_expect(e, X86_EXIT_HLT, &ex);
    env_free(e);
}

static void test_smc(void)
{
    Env *e = env_long();
    X86Exit ex;
    X86Regs r;

    set_rip(e, k64(t_smc));
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.r8, ==, 1);
    g_assert_cmphex(r.r9, ==, 2);                   /* patched callee */
    g_assert_cmphex(r.r10, ==, 3);                  /* patched next insn */
    env_free(e);
}

static void test_dma_invalidation(void)
{
    Env *e = env_long();
    X86Exit ex;
    X86Regs r;

    set_rip(e, k64(t_smc));
    run_expect(e, X86_EXIT_HLT, &ex);
    /* the VMM rewrites code behind the engine: mov $7, %eax at smc_patch
     * must be seen after x86_vm_notify_write() */
    set_rip(e, k64(t_ud));
    e->ram[k64(t_ud)] = 0xb8;
    put32(e, k64(t_ud) + 1, 7);
    e->ram[k64(t_ud) + 5] = 0xf4;
    x86_vm_notify_write(e->vm, k64(t_ud), 6);
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.rax, ==, 7);
    env_free(e);
}

static void test_data_breakpoint(void)
{
    Env *e = env_long();
    X86DebugRegs d;
    X86Exit ex;
    X86Regs r;

    set_gate(e, 1, k64(db_handler), 0);
    x86_cpu_get_debugregs(e->cpu, &d);
    d.db[0] = 0x500000;
    d.dr7 = 0x400 | 1 | (1u << 16) | (3u << 18);    /* L0, write, 4 bytes */
    x86_cpu_set_debugregs(e->cpu, &d);
    set_rip(e, k64(t_dbg));
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.rax & 0xf, ==, 1);            /* B0 */
    g_assert_cmphex(r.rbx, ==, k64(t_dbg_after));   /* trap after the MOV */
    g_assert_cmphex(r.rcx, ==, 0);
    g_assert_cmphex(e->ram[0x500002], ==, 7);
    env_free(e);
}

/* KVM_SET_GUEST_DEBUG: software and hardware breakpoints of the embedder,
 * and the time slice */
static void test_host_debug(void)
{
    Env *e = env_long();
    uint64_t dr[8] = { 0 };
    X86Exit ex;
    X86Regs r;
    int kicks = 0;

    dr[0] = k64(t_dbg_after);
    dr[7] = 1;                                      /* L0, execute */
    x86_cpu_set_guest_debug_ex(e->cpu, X86_GUESTDBG_ENABLE |
                               X86_GUESTDBG_USE_HW_BP |
                               X86_GUESTDBG_USE_SW_BP, dr);
    set_rip(e, k64(t_dbg));
    r = run_expect(e, X86_EXIT_DEBUG, &ex);
    g_assert_cmpint(ex.debug.exception, ==, 1);
    g_assert_cmphex(ex.debug.pc, ==, k64(t_dbg_after));
    g_assert_cmphex(r.rip, ==, k64(t_dbg_after));
    r = run_expect(e, X86_EXIT_HLT, &ex);           /* resumes over it */
    g_assert_cmphex(r.rcx, ==, 1);

    e->ram[k64(t_ud)] = 0xcc;                       /* INT3 */
    x86_vm_notify_write(e->vm, k64(t_ud), 1);
    set_rip(e, k64(t_ud));
    r = run_expect(e, X86_EXIT_DEBUG, &ex);
    g_assert_cmpint(ex.debug.exception, ==, 3);
    g_assert_cmphex(r.rip, ==, k64(t_ud));          /* not executed */

    x86_cpu_set_guest_debug_ex(e->cpu, 0, NULL);
    x86_cpu_set_time_slice(e->cpu, 1);
    set_rip(e, k64(t_smc));
    for (;;) {
        g_assert_cmpint(x86_cpu_run(e->cpu, &ex), ==, 0);
        if (ex.reason != X86_EXIT_KICKED) {
            break;
        }
        kicks++;
    }
    g_assert_cmpint(ex.reason, ==, X86_EXIT_HLT);
    g_assert_cmpint(kicks, >=, 2);
    x86_cpu_get_regs(e->cpu, &r);
    g_assert_cmphex(r.r10, ==, 3);
    env_free(e);
}

/* Dirty logging: the first write after a flush asks map_page(write) */
static void test_dirty_tracking(void)
{
    Env *e = env_long();
    X86Exit ex;

    set_rip(e, k64(t_dbg));                 /* writes 0x500002 */
    run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmpint(e->write_maps, ==, 1);
    set_rip(e, k64(t_dbg));
    run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmpint(e->write_maps, ==, 1);  /* cached writable mapping */
    x86_vm_flush_tlb(e->vm);                /* dirty log cleared */
    set_rip(e, k64(t_dbg));
    run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmpint(e->write_maps, ==, 2);
    x86_vm_flush(e->vm);
    set_rip(e, k64(t_dbg));
    run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmpint(e->write_maps, ==, 3);
    env_free(e);
}

/* 32-bit protected mode: CALL to a TSS, IRET with NT back */
static void test_task_switch(void)
{
    Env *e = env_new();
    X86SRegs s;
    X86Regs r;
    X86Exit ex;
    uint64_t tss1 = 0x3000, tss2 = 0x3100;
    uint64_t entry = 0x100000 + (task2_entry - g_task_start);

    memcpy(e->ram + 0x100000, g_task_start, g_task_end - g_task_start);
    put64(e, GDT + 0x08, 0x00cf9a000000ffffULL);
    put64(e, GDT + 0x10, 0x00cf92000000ffffULL);
    put64(e, GDT + 0x18, 0x67 | (tss1 << 16) | (0x8bULL << 40));
    put64(e, GDT + 0x20, 0x67 | (tss2 << 16) | (0x89ULL << 40));
    put32(e, tss2 + 0x20, entry);                   /* EIP */
    put32(e, tss2 + 0x24, 2);                       /* EFLAGS */
    put32(e, tss2 + 0x28, 0x1111);                  /* EAX */
    put32(e, tss2 + 0x38, 0x7000);                  /* ESP */
    put32(e, tss2 + 0x48, 0x10);                    /* ES */
    put32(e, tss2 + 0x4c, 0x08);                    /* CS */
    put32(e, tss2 + 0x50, 0x10);                    /* SS */
    put32(e, tss2 + 0x54, 0x10);                    /* DS */
    put32(e, tss2 + 0x58, 0x10);                    /* FS */
    put32(e, tss2 + 0x5c, 0x10);                    /* GS */

    x86_cpu_get_sregs(e->cpu, &s);
    seg(&s.cs, 0x08, true, false, 0);
    seg(&s.ss, 0x10, false, false, 0);
    s.ds = s.es = s.fs = s.gs = s.ss;
    memset(&s.tr, 0, sizeof(s.tr));
    s.tr.selector = 0x18;
    s.tr.base = tss1;
    s.tr.limit = 0x67;
    s.tr.type = 0xb;
    s.tr.present = 1;
    s.gdt.base = GDT;
    s.gdt.limit = 0x27;
    s.cr0 = 0x11;
    g_assert_true(x86_cpu_set_sregs(e->cpu, &s));
    memset(&r, 0, sizeof(r));
    r.rflags = 2;
    r.rsp = 0x8000;
    r.rip = 0x100000;
    x86_cpu_set_regs(e->cpu, &r);
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(get64(e, 0x5000) & 0xffffffff, ==, 0x1111);
    g_assert_cmphex(get64(e, 0x5004) & 0xffff, ==, 0x20);
    g_assert_true(get64(e, 0x5008) & 0x4000);       /* NT in task 2 */
    g_assert_cmphex(r.rcx, ==, 0x2222);             /* back in task 1 */
    g_assert_cmphex(r.rdx & 0xffff, ==, 0x18);
    g_assert_cmphex(r.rax, ==, 0xaaaa);             /* from TSS 1 */
    g_assert_cmphex(get64(e, tss2) & 0xffff, ==, 0x18);  /* back link */
    g_assert_cmphex((get64(e, GDT + 0x20) >> 40) & 0xf, ==, 9);
    g_assert_cmphex((get64(e, GDT + 0x18) >> 40) & 0xf, ==, 0xb);
    env_free(e);
}

typedef struct {
    X86CPU *cpu;
    int stop;
} Kick;

/* ---- 32-bit protected mode ---- */

#define LEG_BASE 0x200000ULL

static uint64_t leg(const uint8_t *sym)
{
    return LEG_BASE + (sym - g_leg_start);
}

static void gate32(Env *e, int vec, uint64_t off, int dpl)
{
    put64(e, IDT + vec * 8, (off & 0xffff) | (0x08ULL << 16) |
          (0xeULL << 40) | ((uint64_t)dpl << 45) | (1ULL << 47) |
          ((off >> 16 & 0xffff) << 48));
}

/* Flat 32-bit kernel: GDT 0x08 code, 0x10 data, 0x18 code DPL3, 0x20
 * data DPL3, 0x28 TSS (ESP0 0x9000), 0x30 call gate DPL3 -> gate_target
 * with 2 parameters; IDT with #GP, #PF and INT 0x80 (DPL 3). */
static Env *env_prot32(void)
{
    Env *e = env_new();
    X86SRegs s;
    X86Regs r;
    uint64_t gt = leg(gate_target);

    memcpy(e->ram + LEG_BASE, g_leg_start, g_leg_end - g_leg_start);
    put64(e, GDT + 0x08, 0x00cf9a000000ffffULL);
    put64(e, GDT + 0x10, 0x00cf92000000ffffULL);
    put64(e, GDT + 0x18, 0x00cffa000000ffffULL);
    put64(e, GDT + 0x20, 0x00cff2000000ffffULL);
    put64(e, GDT + 0x28, 0x67 | ((uint64_t)0x3000 << 16) | (0x8bULL << 40));
    put64(e, GDT + 0x30, (gt & 0xffff) | (0x08ULL << 16) | (2ULL << 32) |
          (0xecULL << 40) | ((gt >> 16) << 48));
    put32(e, 0x3000 + 4, 0x9000);                   /* ESP0 */
    put32(e, 0x3000 + 8, 0x10);                     /* SS0 */
    gate32(e, 13, leg(gp32_handler), 0);
    gate32(e, 14, leg(pf32_handler), 0);
    gate32(e, 0x80, leg(int80_32), 3);

    x86_cpu_get_sregs(e->cpu, &s);
    seg(&s.cs, 0x08, true, false, 0);
    seg(&s.ss, 0x10, false, false, 0);
    s.ds = s.es = s.fs = s.gs = s.ss;
    memset(&s.tr, 0, sizeof(s.tr));
    s.tr.selector = 0x28;
    s.tr.base = 0x3000;
    s.tr.limit = 0x67;
    s.tr.type = 0xb;
    s.tr.present = 1;
    s.gdt.base = GDT;
    s.gdt.limit = 0x37;
    s.idt.base = IDT;
    s.idt.limit = 0x7ff;
    s.cr0 = 0x11;
    g_assert_true(x86_cpu_set_sregs(e->cpu, &s));
    memset(&r, 0, sizeof(r));
    r.rflags = 2;
    r.rsp = 0x8000;
    x86_cpu_set_regs(e->cpu, &r);
    return e;
}

static void test_paging32(void)
{
    Env *e = env_prot32();
    X86SRegs s;
    X86Regs r;
    X86Exit ex;

    /* 2-level: 4M page for 0-4M, a page table for 4M-8M */
    put32(e, 0x20000, 0x83);                        /* P RW PS */
    put32(e, 0x20004, 0x21000 | 7);
    put32(e, 0x21000, 0x400000 | 7);                /* user RW */
    put32(e, 0x21004, 0x401000 | 1);                /* supervisor RO */
    x86_cpu_get_sregs(e->cpu, &s);
    s.cr3 = 0x20000;
    s.cr4 = 0x10;                                   /* PSE */
    s.cr0 = 0x80010011;                             /* PG WP PE */
    g_assert_true(x86_cpu_set_sregs(e->cpu, &s));
    set_rip(e, leg(leg_paging));
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.rax, ==, 0x401004);
    g_assert_cmphex(r.rbx, ==, 3);
    g_assert_cmphex(get64(e, 0x21000) & 0x60, ==, 0x60);   /* A D */
    g_assert_cmphex(get64(e, 0x21004) & 0x60, ==, 0x20);   /* A only */
    g_assert_cmphex(get64(e, 0x20004) & 0x20, ==, 0x20);
    g_assert_cmphex(get64(e, 0x20000) & 0x20, ==, 0x20);

    /* PAE with NX: fetch from an NX page faults with I/D set */
    put64(e, 0x30000, 0x31000 | 1);
    put64(e, 0x31000, 0x83);                        /* 0-2M */
    put64(e, 0x31008, 0x200000 | 0x83);             /* 2-4M */
    put64(e, 0x31010, 0x32000 | 7);
    put64(e, 0x32000, 0x400000 | 7 | (1ULL << 63));
    e->ram[0x400000] = 0xc3;
    x86_cpu_get_sregs(e->cpu, &s);
    s.cr3 = 0x30000;
    s.cr4 = 0x20;
    s.efer = 0x800;                                 /* NXE */
    g_assert_true(x86_cpu_set_sregs(e->cpu, &s));
    set_rip(e, leg(leg_nx));
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.rax, ==, 0x400000);
    g_assert_cmphex(r.rbx, ==, 0x11);               /* P | I/D */
    env_free(e);
}

static void test_call_gate(void)
{
    Env *e = env_prot32();
    X86Regs r;
    X86Exit ex;

    set_rip(e, leg(leg_gate));
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.rbp, ==, 0x9000 - 24);        /* inner stack */
    g_assert_cmphex(r.rsi, ==, 0x22222222);         /* parameters copied */
    g_assert_cmphex(r.rdi, ==, 0x11111111);
    g_assert_cmphex(r.rdx, ==, 0x23);               /* caller SS */
    g_assert_cmphex(r.rcx & 0xffff, ==, 0x08);      /* CPL 0 code */
    g_assert_cmphex(r.rax, ==, 0xcafe);             /* back at CPL 3 */
    g_assert_cmphex(r.rbx, ==, 0x7000);             /* LRET $8 popped */
    env_free(e);
}

static void test_v86(void)
{
    Env *e = env_prot32();
    X86Regs r;
    X86SRegs s;
    X86Exit ex;

    memcpy(e->ram + 0x10000, v86_code, v86_code_end - v86_code);
    set_rip(e, leg(leg_v86));
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.rbx, ==, 0);                  /* #GP(0) */
    g_assert_cmphex(r.rcx, ==, 4);                  /* IP of INT 21h */
    g_assert_cmphex(r.rdx, ==, 0x1000);
    g_assert_true(r.rsi & 0x20000);                 /* VM in the frame */
    g_assert_cmphex(r.rdi, ==, 0xfe);               /* SP after PUSH */
    g_assert_cmphex(r.rax & 0xffff, ==, 0x1234);
    g_assert_cmphex(e->ram[0x200fe] | (e->ram[0x200ff] << 8), ==, 0x1234);
    x86_cpu_get_sregs(e->cpu, &s);
    g_assert_cmpint(s.ds.selector, ==, 0);          /* nulled on entry */
    g_assert_cmpint(s.cs.selector, ==, 0x08);
    env_free(e);
}

static gpointer kick_thread(gpointer data)
{
    Kick *k = data;

    while (!g_atomic_int_get(&k->stop)) {
        x86_cpu_kick(k->cpu);
        g_usleep(200);
    }
    return NULL;
}

/* Random bytes as code, in 64-bit mode with no IDT: any behaviour but a
 * crash or a hang is fine. */
static void test_random_code(void)
{
    GRand *rnd = g_rand_new_with_seed(1234);
    int iters = g_test_slow() ? 5000 : 500;

    for (int i = 0; i < iters; i++) {
        X86Sandbox *sb = x86_sandbox_new();
        X86CPU *cpu = x86_sandbox_cpu(sb);
        Kick k = { cpu, 0 };
        GThread *t;
        uint8_t *code = x86_sandbox_mem(sb, X86_SANDBOX_CODE, 64);
        X86Exit ex;
        X86Regs r;

        for (unsigned j = 0; j < 64; j++) {
            code[j] = g_rand_int(rnd);
        }
        memset(&r, 0, sizeof(r));
        for (int j = 0; j < 16; j++) {
            (&r.rax)[j] = g_rand_int(rnd) % 3 == 0
                          ? X86_SANDBOX_DATA + (g_rand_int(rnd) & 0xfff)
                          : ((uint64_t)g_rand_int(rnd) << 32) |
                            g_rand_int(rnd);
        }
        r.rflags = 2 | (g_rand_int(rnd) & 0x8d5);
        r.rsp = X86_SANDBOX_STACK;
        r.rip = X86_SANDBOX_CODE;
        switch (i % 5) {
        case 1:                             /* compatibility mode */
        case 2: {                           /* 16-bit protected mode */
            X86SRegs s;
            x86_cpu_get_sregs(cpu, &s);
            s.cs.l = 0;
            s.cs.db = i % 5 == 1;
            x86_cpu_set_sregs(cpu, &s);
            r.rip = 0;
            x86_cpu_get_sregs(cpu, &s);
            s.cs.base = X86_SANDBOX_CODE;
            x86_cpu_set_sregs(cpu, &s);
            break;
        }
        case 3: {                           /* garbage page tables */
            uint8_t *pt = x86_sandbox_mem(sb, 0x1000, 0x3000);
            for (int j = 0; j < 64; j++) {
                pt[g_rand_int_range(rnd, 0, 0x3000)] = g_rand_int(rnd);
            }
            break;
        }
        default:
            break;
        }
        x86_cpu_set_regs(cpu, &r);
        t = g_thread_new("kick", kick_thread, &k);
        for (int n = 0; n < 4; n++) {
            if (x86_cpu_run(cpu, &ex) < 0 || ex.reason == X86_EXIT_SHUTDOWN ||
                ex.reason == X86_EXIT_INTERNAL_ERROR) {
                break;
            }
        }
        g_atomic_int_set(&k.stop, 1);
        g_thread_join(t);
        x86_sandbox_free(sb);
    }
    g_rand_free(rnd);
}

/* REP MOVS/STOS: host-pointer runs must match element-wise semantics
 * (overlap replication, page crossings, 16-bit address wrap refusal). */
static void test_rep_string(void)
{
    X86Sandbox *sb = x86_sandbox_new();
    X86CPU *cpu = x86_sandbox_cpu(sb);
    uint8_t *m = x86_sandbox_mem(sb, X86_SANDBOX_DATA, 0x4000);
    static const uint8_t movsb[] = { 0xf3, 0xa4 };
    static const uint8_t stosq[] = { 0xf3, 0x48, 0xab };
    static const uint8_t movsd[] = { 0xf3, 0xa5 };
    X86Regs r;
    X86Exit ex;

    for (int i = 0; i < 0x4000; i++) {
        m[i] = i * 7;
    }
    /* overlapping forward copy by one byte replicates m[0] */
    memset(&r, 0, sizeof(r));
    r.rflags = 2;
    r.rsp = X86_SANDBOX_STACK;
    r.rsi = X86_SANDBOX_DATA;
    r.rdi = X86_SANDBOX_DATA + 1;
    r.rcx = 5000;                                   /* crosses pages */
    x86_cpu_set_regs(cpu, &r);
    g_assert_cmpint(x86_sandbox_run(sb, movsb, 2, &ex), ==, 0);
    for (int i = 0; i <= 5000; i++) {
        g_assert_cmpint(m[i], ==, 0);
    }
    g_assert_cmpint(m[5001], ==, (uint8_t)(5001 * 7));
    x86_cpu_get_regs(cpu, &r);
    g_assert_cmphex(r.rcx, ==, 0);
    g_assert_cmphex(r.rdi, ==, X86_SANDBOX_DATA + 5001);

    /* STOSQ from a misaligned address across a page boundary */
    r.rax = 0x1122334455667788ULL;
    r.rdi = X86_SANDBOX_DATA + 0xffd;
    r.rcx = 3;
    x86_cpu_set_regs(cpu, &r);
    g_assert_cmpint(x86_sandbox_run(sb, stosq, 3, &ex), ==, 0);
    for (int i = 0; i < 3; i++) {
        uint64_t v;
        memcpy(&v, m + 0xffd + i * 8, 8);
        g_assert_cmphex(v, ==, 0x1122334455667788ULL);
    }
    x86_cpu_get_regs(cpu, &r);
    g_assert_cmphex(r.rdi, ==, X86_SANDBOX_DATA + 0xffd + 24);

    /* MOVSD with DF=1 goes down */
    for (int i = 0; i < 64; i++) {
        m[0x2000 + i] = i;
    }
    r.rflags = 2 | 0x400;
    r.rsi = X86_SANDBOX_DATA + 0x2000 + 60;
    r.rdi = X86_SANDBOX_DATA + 0x3000 + 60;
    r.rcx = 16;
    x86_cpu_set_regs(cpu, &r);
    g_assert_cmpint(x86_sandbox_run(sb, movsd, 2, &ex), ==, 0);
    g_assert_cmpmem(m + 0x2000, 64, m + 0x3000, 64);
    x86_cpu_get_regs(cpu, &r);
    g_assert_cmphex(r.rsi, ==, X86_SANDBOX_DATA + 0x2000 - 4);
    x86_sandbox_free(sb);
}

static void test_cpuid_models(void)
{
    X86CpuidEntry ent[X86_CPUID_MAX_ENTRIES];
    X86Topology topo = { 2, 1, 1, 4, 2 };
    int n;

    n = x86_cpuid_model_entries("max", &topo, 5, ent, X86_CPUID_MAX_ENTRIES);
    g_assert_cmpint(n, >, 10);
    g_assert_cmpint(x86_cpuid_model_entries("no-such", NULL, 0, ent, 4), ==,
                    -1);
    for (int i = 0; i < n; i++) {
        if (ent[i].function == 0xb && ent[i].index == 0) {
            g_assert_cmpint(ent[i].eax, ==, 1);      /* 2 threads: 1 bit */
            g_assert_cmpint(ent[i].edx, ==, 5);
        }
        if (ent[i].function == 0xb && ent[i].index == 1) {
            g_assert_cmpint(ent[i].eax, ==, 3);      /* + 4 cores: 2 bits */
            g_assert_cmpint(ent[i].ebx, ==, 8);
        }
    }
    n = x86_cpuid_model_entries("qemu64", NULL, 0, ent, 2);
    g_assert_cmpint(n, >, 2);                       /* count, not truncated */
}

/* KVM_SET_TSC_KHZ at the rate it has must leave the TSC where it is: no
 * vCPU may fall behind another (Linux's TSC sync check sees the warp). The
 * old code read the clock twice and moved the TSC back by the gap each
 * time: after 2000 calls that is tens of microseconds. */
static void test_tsc_khz_no_skew(void)
{
    Env *e = env_new();
    X86CPU *b = x86_cpu_new(e->vm, 1);
    uint64_t ta, tb;

    x86_cpu_set_tsc_khz(e->cpu, 2000000);
    x86_cpu_set_tsc_khz(b, 2000000);
    for (int i = 0; i < 2000; i++) {
        x86_cpu_set_tsc_khz(b, 2000000);
    }
    g_assert_true(x86_cpu_get_msr(e->cpu, 0x10, &ta));
    g_assert_true(x86_cpu_get_msr(b, 0x10, &tb));
    g_assert_cmpuint(tb, >=, ta);           /* read later: not behind */
    g_assert_cmpuint(tb - ta, <, 2000000);  /* and within 1 ms */
    x86_cpu_free(b);
    env_free(e);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cpu/engine/boot-real-prot-long", test_boot_modes);
    g_test_add_func("/cpu/engine/tsc-khz-no-skew", test_tsc_khz_no_skew);
    g_test_add_func("/cpu/engine/page-fault-cr2-errcode", test_page_fault);
    g_test_add_func("/cpu/engine/int-gate-privilege-iret",
                    test_int_gate_privilege);
    g_test_add_func("/cpu/engine/syscall-sysret", test_syscall_sysret);
    g_test_add_func("/cpu/engine/sysenter-sysexit", test_sysenter);
    g_test_add_func("/cpu/engine/double-fault", test_double_fault);
    g_test_add_func("/cpu/engine/triple-fault-shutdown", test_triple_fault);
    g_test_add_func("/cpu/engine/hlt-pending-irq", test_hlt_irq);
    g_test_add_func("/cpu/engine/io-mmio-completion", test_io_mmio);
    g_test_add_func("/cpu/engine/rep-outsb-chunks", test_rep_outsb);
    g_test_add_func("/cpu/engine/self-modifying-code", test_smc);
    g_test_add_func("/cpu/engine/vmm-write-invalidation",
                    test_dma_invalidation);
    g_test_add_func("/cpu/engine/task-switch-call-iret", test_task_switch);
    g_test_add_func("/cpu/engine/data-breakpoint-trap",
                    test_data_breakpoint);
    g_test_add_func("/cpu/engine/host-debug-sw-hw-bp-slice",
                    test_host_debug);
    g_test_add_func("/cpu/engine/dirty-tracking-flush",
                    test_dirty_tracking);
    g_test_add_func("/cpu/engine/random-code-contained", test_random_code);
    g_test_add_func("/cpu/engine/rep-movs-stos", test_rep_string);
    g_test_add_func("/cpu/engine/paging-32bit-pse-pae-nx", test_paging32);
    g_test_add_func("/cpu/engine/call-gate-params-lret",
                    test_call_gate);
    g_test_add_func("/cpu/engine/v86-int-gp", test_v86);
    g_test_add_func("/cpu/engine/cpuid-models-topology", test_cpuid_models);
    return g_test_run();
}
