/*
 * Engine tests of the debug-register and legacy-FPU corners (SDM Vol. 3B
 * 17.2-17.3): DR7.GD general detect, I/O breakpoints (CR4.DE, R/W=10b),
 * the TSS T bit, MMX instructions under IGNNE# with CR0.NE=0, SGDT/SIDT
 * and #AC (the host CPU under /dev/kvm as the oracle). The
 * 64-bit guests and their logging handlers are those of test-events
 * (guests-events.S: {vector, RIP, RFLAGS, extra = DR6 for #DB}); the task
 * switches run the 32-bit guest of guests-debug.S.
 */
#include <glib.h>
#include <linux/kvm.h>
#include <string.h>

#include "target/i386/cpu.h"
#include "engine-env.h"
#include "events-log.h"
#include "kvm-oracle.h"

#define RF      0x10000ULL
#define CR4_DE  0x8ULL
#define DR7_GD  0x2000ULL
#define DR6_BD  0x2000ULL
#define DR6_BT  0x8000ULL

#define SYMS(X) X(g_ev_start) X(g_ev_end) X(h_db) X(h_ud) X(h_mf) \
    X(k_gd_read) X(k_gd_write) X(k_dr4) X(k_out_dx) X(k_in_imm) \
    X(k_rep_outsb) X(k_rep_insb) X(k_mmx_ferr) X(k_mmx_op) X(k_mmx_end) \
    X(g_dbg32_start) X(g_dbg32_end) X(t32_call) X(t32_int) X(t32_task2) \
    X(t32_h_db) X(ev_to_user) X(h_ac) X(h_int81) X(u_sgdt) X(u_sidt) \
    X(h_irq40) X(k_rep_bp) X(k_movss_mem) X(k_movss_mem_nop) \
    X(k_icebp) X(k_icebp_hlt)
#define DECL(s) extern const uint8_t s[];
SYMS(DECL)

static uint64_t ev(const uint8_t *sym)
{
    return EV_BASE + (sym - g_ev_start);
}

/* The 64-bit kernel of test-events with #DB, #UD and #MF handlers;
 * CR0 bits @cr0_and cleared, CR4 bits @cr4_or set */
static Env *env_dbg(bool ferr, uint64_t cr0_and, uint64_t cr4_or)
{
    Env *e = ferr ? env_new_ferr() : env_new();
    X86SRegs s;

    env_setup_long(e);
    memcpy(e->ram + EV_BASE, g_ev_start, g_ev_end - g_ev_start);
    set_gate(e, 1, ev(h_db), 0);
    set_gate(e, 6, ev(h_ud), 0);
    set_gate(e, 16, ev(h_mf), 0);
    x86_cpu_get_sregs(e->cpu, &s);
    s.cr0 &= ~cr0_and;
    s.cr4 |= cr4_or;
    g_assert_true(x86_cpu_set_sregs(e->cpu, &s));
    return e;
}

/* RIP @rip, RFLAGS 2, and RAX/RBX/RCX/RDX/RSI/RDI */
static void set_start(Env *e, uint64_t rip, uint64_t rbx, uint64_t rcx,
                      uint64_t rdx, uint64_t rsi, uint64_t rdi)
{
    X86Regs r;

    x86_cpu_get_regs(e->cpu, &r);
    r.rip = rip;
    r.rflags = 2;
    r.rax = 0x5a;
    r.rbx = rbx;
    r.rcx = rcx;
    r.rdx = rdx;
    r.rsi = rsi;
    r.rdi = rdi;
    x86_cpu_set_regs(e->cpu, &r);
}

static void set_dr(Env *e, int n, uint64_t addr, uint64_t dr7)
{
    X86DebugRegs d;

    x86_cpu_get_debugregs(e->cpu, &d);
    if (n >= 0) {
        d.db[n] = addr;
    }
    d.dr7 = dr7;
    x86_cpu_set_debugregs(e->cpu, &d);
}

/* Run to HLT, completing port I/O exits (IN reads 0): their count */
static X86Regs run_io(Env *e, int *io_exits)
{
    X86Regs r;
    X86Exit ex;

    *io_exits = 0;
    for (int i = 0; i < 64; i++) {
        g_assert_cmpint(x86_cpu_run(e->cpu, &ex), ==, 0);
        if (ex.reason != X86_EXIT_IO) {
            break;
        }
        ++*io_exits;
    }
    x86_cpu_get_regs(e->cpu, &r);
    g_assert_cmpint(ex.reason, ==, X86_EXIT_HLT);
    return r;
}

/* ---- DR7.GD ---- */

/* MOV from/to a DR with GD=1: #DB fault at the MOV with DR6.BD, GD clear
 * in the handler (which reads and writes DR6), then the MOV runs */
static void test_gd(void)
{
    Env *e = env_dbg(false, 0, 0);
    X86DebugRegs d;
    X86Regs r;
    X86Exit ex;

    set_dr(e, -1, 0, 0x400 | DR7_GD);
    set_start(e, ev(k_gd_read), 0, 0, 0, 0, 0);
    r = run_expect(e, X86_EXIT_HLT, &ex);
    dump_log(e);
    g_assert_cmpint(log_n(e), ==, 1);
    g_assert_cmphex(log_at(e, 0).vec, ==, 1);
    g_assert_cmphex(log_at(e, 0).rip, ==, ev(k_gd_read));
    g_assert_cmphex(log_at(e, 0).extra & (DR6_BD | 0x400f), ==, DR6_BD);
    g_assert_cmphex(log_at(e, 0).rflags & RF, ==, 0);   /* as the host */
    g_assert_cmphex(r.rip, ==, ev(k_gd_read) + 4);
    x86_cpu_get_debugregs(e->cpu, &d);
    g_assert_cmphex(d.dr7 & DR7_GD, ==, 0);
    env_free(e);

    /* a write: nothing written before the #DB, written by the retry */
    e = env_dbg(false, 0, 0);
    set_dr(e, 1, 0, 0x400 | DR7_GD);
    set_start(e, ev(k_gd_write), 0x1234, 0, 0, 0, 0);
    r = run_expect(e, X86_EXIT_HLT, &ex);
    dump_log(e);
    g_assert_cmpint(log_n(e), ==, 1);
    g_assert_cmphex(log_at(e, 0).rip, ==, ev(k_gd_write));
    g_assert_cmphex(log_at(e, 0).extra & DR6_BD, ==, DR6_BD);
    x86_cpu_get_debugregs(e->cpu, &d);
    g_assert_cmphex(d.db[1], ==, 0x1234);
    env_free(e);

    /* GD=0: no #DB */
    e = env_dbg(false, 0, 0);
    set_start(e, ev(k_gd_read), 0, 0, 0, 0, 0);
    run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmpint(log_n(e), ==, 0);
    env_free(e);
}

/* Any #DB clears GD on entry (here a single-step trap): the handler's
 * MOV from/to DR6 does not fault */
static void test_gd_cleared_by_db(void)
{
    Env *e = env_dbg(false, 0, 0);
    X86DebugRegs d;
    X86Regs r;
    X86Exit ex;

    set_dr(e, -1, 0, 0x400 | DR7_GD);
    set_start(e, ev(k_movss_mem_nop), 0, 0, 0, 0, 0);
    x86_cpu_get_regs(e->cpu, &r);
    r.rflags |= 0x100;                              /* TF */
    x86_cpu_set_regs(e->cpu, &r);
    run_expect(e, X86_EXIT_HLT, &ex);
    dump_log(e);
    g_assert_cmpint(log_n(e), >=, 1);
    g_assert_cmphex(log_at(e, 0).rip, ==, ev(k_movss_mem_nop) + 1);
    g_assert_cmphex(log_at(e, 0).extra & (DR6_BD | 0x4000), ==, 0x4000);
    x86_cpu_get_debugregs(e->cpu, &d);
    g_assert_cmphex(d.dr7 & DR7_GD, ==, 0);
    env_free(e);

    /* INT1 (ICEBP): a #DB trap, GD cleared too */
    e = env_dbg(false, 0, 0);
    set_dr(e, -1, 0, 0x400 | DR7_GD);
    set_start(e, ev(k_icebp), 0, 0, 0, 0, 0);
    run_expect(e, X86_EXIT_HLT, &ex);
    dump_log(e);
    g_assert_cmpint(log_n(e), ==, 1);
    g_assert_cmphex(log_at(e, 0).rip, ==, ev(k_icebp_hlt));
    g_assert_cmphex(log_at(e, 0).extra & DR6_BD, ==, 0);
    x86_cpu_get_debugregs(e->cpu, &d);
    g_assert_cmphex(d.dr7 & DR7_GD, ==, 0);
    env_free(e);
}

/* MOV DR4 with CR4.DE=1 is #UD, before the GD check; with CR4.DE=0 it is
 * DR6 and GD applies */
static void test_gd_dr4(void)
{
    Env *e = env_dbg(false, 0, CR4_DE);
    X86Exit ex;

    set_dr(e, -1, 0, 0x400 | DR7_GD);
    set_start(e, ev(k_dr4), 0, 0, 0, 0, 0);
    run_expect(e, X86_EXIT_HLT, &ex);
    dump_log(e);
    g_assert_cmpint(log_n(e), ==, 1);
    g_assert_cmphex(log_at(e, 0).vec, ==, 6);
    env_free(e);

    e = env_dbg(false, 0, 0);
    set_dr(e, -1, 0, 0x400 | DR7_GD);
    set_start(e, ev(k_dr4), 0, 0, 0, 0, 0);
    run_expect(e, X86_EXIT_HLT, &ex);
    dump_log(e);
    g_assert_cmpint(log_n(e), ==, 1);
    g_assert_cmphex(log_at(e, 0).vec, ==, 1);
    g_assert_cmphex(log_at(e, 0).rip, ==, ev(k_dr4));
    env_free(e);
}

/*
 * The host CPU through /dev/kvm (KVM lets the guest own DR0-7 after its
 * first intercepted MOV DR, so the MOV re-runs natively): MOV from DR0
 * with GD=1 faults at the MOV, the handler sees DR6.BD, GD clear, RF=0
 * pushed, as test_gd expects from the engine
 */
static void test_gd_host_oracle(void)
{
    static const uint8_t code[] = {
        0x0f, 0x21, 0xc0,                           /* mov %dr0, %rax */
        0xe6, 0x81,                                 /* out %al, $0x81 */
    };
    static const uint8_t hdb[] = {
        0x0f, 0x21, 0xf0,                           /* mov %dr6, %rax */
        0x48, 0x89, 0x04, 0x25, 0x00, 0x00, 0x02, 0x00,
        0x0f, 0x21, 0xf8,                           /* mov %dr7, %rax */
        0x48, 0x89, 0x04, 0x25, 0x08, 0x00, 0x02, 0x00,
        0x48, 0x8b, 0x04, 0x24,                     /* pushed RIP */
        0x48, 0x89, 0x04, 0x25, 0x10, 0x00, 0x02, 0x00,
        0x48, 0x8b, 0x44, 0x24, 0x10,               /* pushed RFLAGS */
        0x48, 0x89, 0x04, 0x25, 0x18, 0x00, 0x02, 0x00,
        0xe6, 0x80,                                 /* out %al, $0x80 */
    };
    KvmOracle o = { .code = code, .len = sizeof(code), .hdb = hdb,
                    .hlen = sizeof(hdb), .dr7 = 0x400 | DR7_GD };

    if (!kvm_oracle_run(&o)) {
        g_test_skip("no usable /dev/kvm");
        return;
    }
    g_test_message("host: exit %u port %#x DR6 %#llx DR7 %#llx RIP %#llx "
                   "RFLAGS %#llx", o.exit_reason, o.port,
                   (unsigned long long)o.data[0],
                   (unsigned long long)o.data[1],
                   (unsigned long long)o.data[2],
                   (unsigned long long)o.data[3]);
    g_assert_cmpint(o.exit_reason, ==, KVM_EXIT_IO);
    g_assert_cmphex(o.port, ==, 0x80);              /* the #DB handler */
    g_assert_cmphex(o.data[0] & (DR6_BD | 0x400f), ==, DR6_BD);
    g_assert_cmphex(o.data[1] & DR7_GD, ==, 0);
    g_assert_cmphex(o.data[2], ==, 0x10000);        /* a fault */
    g_assert_cmphex(o.data[3] & RF, ==, 0);
}

/* ---- I/O breakpoints ---- */

/* DR7 for breakpoint @n: L@n, R/W=10b (I/O), LEN field @lenf */
static uint64_t io_dr7(int n, unsigned lenf)
{
    return 0x400 | (1ULL << (n * 2)) | (2ULL << (16 + n * 4)) |
           ((uint64_t)lenf << (18 + n * 4));
}

typedef struct IoCase {
    const char *name;
    bool de;                        /* CR4.DE */
    int n;                          /* DRn */
    uint64_t addr;
    unsigned lenf;                  /* LEN field: 0 1, 1 2, 3 4 bytes */
    uint16_t dx;
    bool hit;
} IoCase;

/* OUT AL, DX (one byte at DX) */
static const IoCase io_cases[] = {
    { "port = DR0", true, 0, 0x80, 0, 0x80, true },
    { "CR4.DE=0: R/W=10b undefined, no breakpoint", false, 0, 0x80, 0, 0x80,
      false },
    { "port below DR3", true, 3, 0x81, 0, 0x80, false },
    { "4-byte range 0x80-0x83 (DR1 0x82)", true, 1, 0x82, 3, 0x83, true },
    { "past the 4-byte range", true, 1, 0x82, 3, 0x84, false },
};

static void test_io_out(void)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(io_cases); i++) {
        const IoCase *c = &io_cases[i];
        Env *e = env_dbg(false, 0, c->de ? CR4_DE : 0);
        int io;

        g_test_message("%s", c->name);
        set_dr(e, c->n, c->addr, io_dr7(c->n, c->lenf));
        set_start(e, ev(k_out_dx), 0, 0, c->dx, 0, 0);
        run_io(e, &io);
        dump_log(e);
        g_assert_cmpint(io, ==, 1);
        g_assert_cmpint(log_n(e), ==, c->hit);
        if (c->hit) {
            LogEnt l = log_at(e, 0);
            g_assert_cmphex(l.vec, ==, 1);
            g_assert_cmphex(l.rip, ==, ev(k_out_dx) + 1);   /* a trap */
            g_assert_cmphex(l.rflags & RF, ==, 0);
            g_assert_cmphex(l.extra & 0x400f, ==, 1u << c->n);
        }
        env_free(e);
    }
}

/* IN EAX, imm8: ports 0x7e-0x81 overlap DR2 = 0x80; the trap comes after
 * the IN completed (EAX loaded) */
static void test_io_in(void)
{
    Env *e = env_dbg(false, 0, CR4_DE);
    X86Regs r;
    int io;

    set_dr(e, 2, 0x80, io_dr7(2, 0));
    set_start(e, ev(k_in_imm), 0, 0, 0, 0, 0);
    r = run_io(e, &io);
    dump_log(e);
    g_assert_cmpint(io, ==, 1);
    g_assert_cmpint(log_n(e), ==, 1);
    g_assert_cmphex(log_at(e, 0).rip, ==, ev(k_in_imm) + 2);
    g_assert_cmphex(log_at(e, 0).extra & 0x400f, ==, 4);
    g_assert_cmphex(r.rax, ==, 0);
    env_free(e);
}

/* REP OUTSB / REP INSB on a breakpoint port: a trap after each iteration
 * (SDM: after the first iteration), RIP at the REP with RF=1 until the
 * last */
static void test_io_rep(void)
{
    for (int ins = 0; ins < 2; ins++) {
        const uint8_t *code = ins ? k_rep_insb : k_rep_outsb;
        Env *e = env_dbg(false, 0, CR4_DE);
        X86Regs r;
        int io;

        set_dr(e, 0, 0x80, io_dr7(0, 0));
        set_start(e, ev(code), 0, 3, 0x80, 0x600000, 0x601000);
        r = run_io(e, &io);
        dump_log(e);
        g_assert_cmpint(io, ==, 3);
        g_assert_cmpint(log_n(e), ==, 3);
        for (int i = 0; i < 3; i++) {
            LogEnt l = log_at(e, i);
            g_assert_cmphex(l.vec, ==, 1);
            g_assert_cmphex(l.extra & 0x400f, ==, 1);
            g_assert_cmphex(l.rip, ==, i < 2 ? ev(code) : ev(code) + 2);
            g_assert_cmphex(l.rflags & RF, ==, i < 2 ? RF : 0);
        }
        g_assert_cmphex(r.rcx, ==, 0);
        env_free(e);
    }
}

/* ---- the TSS T bit ---- */

/* 32-bit protected mode, CALL (@via_int: INT 0x30 through a task gate) to
 * TSS 2 with T=@t: a #DB trap, DR6.BT, before the new task's first
 * instruction. @tf: the CALL single-stepped: ONE #DB with BS and BT */
static void run_task_t(bool via_int, bool t, bool tf)
{
    Env *e = env_new();
    X86SRegs s;
    X86Regs r;
    X86Exit ex;
    uint64_t tss1 = 0x3000, tss2 = 0x3100, base = 0x100000;
    uint64_t entry = base + (t32_task2 - g_dbg32_start);
    uint64_t hdb = base + (t32_h_db - g_dbg32_start);
    const uint8_t *start = via_int ? t32_int : t32_call;

    memcpy(e->ram + base, g_dbg32_start, g_dbg32_end - g_dbg32_start);
    put64(e, GDT + 0x08, 0x00cf9a000000ffffULL);
    put64(e, GDT + 0x10, 0x00cf92000000ffffULL);
    put64(e, GDT + 0x18, 0x67 | (tss1 << 16) | (0x8bULL << 40));
    put64(e, GDT + 0x20, 0x67 | (tss2 << 16) | (0x89ULL << 40));
    put32(e, tss2 + 0x20, entry);                   /* EIP */
    put32(e, tss2 + 0x24, 2);                       /* EFLAGS */
    put32(e, tss2 + 0x38, 0x7000);                  /* ESP */
    for (int i = 0; i < 6; i++) {
        put32(e, tss2 + 0x48 + i * 4, i == 1 ? 0x08 : 0x10);
    }
    e->ram[tss2 + 0x64] = t;                        /* T */
    put64(e, IDT + 8, (hdb & 0xffff) | (0x08ULL << 16) | (0x8eULL << 40) |
                      ((hdb >> 16) << 48));         /* #DB: interrupt gate */
    put64(e, IDT + 0x30 * 8, (0x20ULL << 16) | (0x85ULL << 40));

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
    s.idt.base = IDT;
    s.idt.limit = 0x30 * 8 + 7;
    s.cr0 = 0x11;
    g_assert_true(x86_cpu_set_sregs(e->cpu, &s));
    memset(&r, 0, sizeof(r));
    r.rflags = 2 | (tf ? 0x100 : 0);
    r.rsp = 0x8000;
    r.rip = base + (start - g_dbg32_start);
    x86_cpu_set_regs(e->cpu, &r);
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_test_message("via %s, T=%d: %u #DB, EIP %#x DR6 %#x ECX %#x",
                   via_int ? "INT" : "CALL", t,
                   (unsigned)get64(e, 0x510c) & 0xffffffff,
                   (unsigned)get64(e, 0x5100) & 0xffffffff,
                   (unsigned)get64(e, 0x5104) & 0xffffffff,
                   (unsigned)get64(e, 0x5108) & 0xffffffff);
    /* back in task 1 after the task's IRET */
    g_assert_cmphex(r.rip, ==, base + (start - g_dbg32_start) +
                               (via_int ? 3 : 8));
    g_assert_cmphex(get64(e, 0x510c) & 0xffffffff, ==, t || tf);
    if (t || tf) {
        g_assert_cmphex(get64(e, 0x5100) & 0xffffffff, ==, entry);
        g_assert_cmphex(get64(e, 0x5104) & (DR6_BT | 0x4000), ==,
                        (t ? DR6_BT : 0) | (tf ? 0x4000 : 0));
        g_assert_cmphex(get64(e, 0x5108) & 0xffffffff, ==, 0);
    }
    env_free(e);
}

static void test_task_t_bit(void)
{
    run_task_t(false, true, false);
    run_task_t(false, false, false);
    run_task_t(true, true, false);
    run_task_t(true, false, false);
    run_task_t(false, true, true);
    run_task_t(false, false, true);
}

/* ---- MMX and a pending x87 error ---- */

/* CR0.NE=0 with the FERR# hook: an MMX instruction with ES pending freezes
 * like FWAIT (FERR#); under IGNNE# it ignores the error as waiting x87
 * instructions do (PADDB and EMMS run); NE=1: #MF whatever IGNNE# */
static void test_mmx_ignne(void)
{
    Env *e = env_dbg(true, 0x20, 0);
    X86Regs r;
    X86Exit ex;

    set_start(e, ev(k_mmx_ferr), 0, 0, 0, 0, 0);
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.rip, ==, ev(k_mmx_op));       /* frozen, FERR# */
    g_assert_true(e->ferr);
    x86_cpu_set_ignne(e->cpu, true);
    r = run_expect(e, X86_EXIT_HLT, &ex);
    dump_log(e);
    g_assert_cmphex(r.rip, ==, ev(k_mmx_end) + 1);
    g_assert_false(e->ferr);                        /* FNCLEX */
    g_assert_cmpint(log_n(e), ==, 0);
    env_free(e);

    /* IGNNE# asserted from the start: FERR# never asserted */
    e = env_dbg(true, 0x20, 0);
    x86_cpu_set_ignne(e->cpu, true);
    set_start(e, ev(k_mmx_ferr), 0, 0, 0, 0, 0);
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.rip, ==, ev(k_mmx_end) + 1);
    g_assert_cmpint(e->ferr_calls, ==, 0);
    g_assert_cmpint(log_n(e), ==, 0);
    env_free(e);

    e = env_dbg(true, 0, 0);
    x86_cpu_set_ignne(e->cpu, true);
    set_start(e, ev(k_mmx_ferr), 0, 0, 0, 0, 0);
    run_expect(e, X86_EXIT_HLT, &ex);
    dump_log(e);
    g_assert_cmpint(log_n(e), ==, 1);
    g_assert_cmphex(log_at(e, 0).vec, ==, 16);
    g_assert_cmphex(log_at(e, 0).rip, ==, ev(k_mmx_op));
    env_free(e);
}

/* ---- SGDT/SIDT and #AC ---- */

/* SGDT/SIDT at CPL 3 with CR0.AM and EFLAGS.AC, pseudo-descriptor at
 * 0x600000 + 0..7: never #AC, all 10 bytes stored */
static void test_sgdt_ac(void)
{
    for (int sidt = 0; sidt < 2; sidt++) {
        for (int off = 0; off < 8; off++) {
            Env *e = env_dbg(false, 0, 0);
            X86SRegs s;
            X86Regs r;
            X86Exit ex;
            uint64_t base;
            uint16_t limit;

            set_gate(e, 17, ev(h_ac), 0);
            set_gate(e, 0x81, ev(h_int81), 3);
            x86_cpu_get_sregs(e->cpu, &s);
            s.cr0 |= 0x40000;                       /* AM */
            g_assert_true(x86_cpu_set_sregs(e->cpu, &s));
            memset(e->ram + 0x600000, 0xcc, 32);
            x86_cpu_get_regs(e->cpu, &r);
            r.rip = ev(ev_to_user);
            r.r8 = ev(sidt ? u_sidt : u_sgdt);
            r.r9 = 2 | 0x40000;                     /* AC */
            r.r10 = 0x300000;
            r.rbx = 0x600000 + off;
            x86_cpu_set_regs(e->cpu, &r);
            run_expect(e, X86_EXIT_HLT, &ex);
            g_test_message("%s at +%d", sidt ? "sidt" : "sgdt", off);
            dump_log(e);
            g_assert_cmpint(log_n(e), ==, 1);
            g_assert_cmphex(log_at(e, 0).vec, ==, 0x81);
            memcpy(&limit, e->ram + 0x600000 + off, 2);
            memcpy(&base, e->ram + 0x600002 + off, 8);
            g_assert_cmphex(limit, ==, sidt ? 0xfff : 0x4f);
            g_assert_cmphex(base, ==, sidt ? IDT : GDT);
            g_assert_cmphex(e->ram[0x600000 + off + 10], ==, 0xcc);
            env_free(e);
        }
    }
}

/* The same on the host CPU through /dev/kvm (kvm-oracle.c): @code at CPL
 * 3 with AC on RBX = @addr, then OUT: 1 if it faulted (#AC -> no IDT ->
 * shutdown), 0 if it reached the OUT, -1 if /dev/kvm is not usable */
static int kvm_user_access(const uint8_t *code, size_t len, uint64_t addr)
{
    KvmOracle o = { .code = code, .len = len, .user = true, .rbx = addr };

    if (!kvm_oracle_run(&o)) {
        return -1;
    }
    return o.exit_reason == KVM_EXIT_IO ? 0 :
           o.exit_reason == KVM_EXIT_SHUTDOWN ? 1 : -1;
}

/* The host CPU (under /dev/kvm) agrees: a misaligned MOV raises #AC in
 * this set-up, SGDT/SIDT at offsets 0..7 never do */
static void test_sgdt_ac_host_oracle(void)
{
    static const uint8_t load4[] = { 0x8b, 0x03, 0xe6, 0x80, 0xf4 };
    static const uint8_t sgdt[] = { 0x0f, 0x01, 0x03, 0xe6, 0x80, 0xf4 };
    static const uint8_t sidt[] = { 0x0f, 0x01, 0x0b, 0xe6, 0x80, 0xf4 };

    if (kvm_user_access(load4, sizeof(load4), 0x20000) != 0 ||
        kvm_user_access(load4, sizeof(load4), 0x20001) != 1) {
        g_test_skip("no /dev/kvm with #AC at CPL 3 on this host");
        return;
    }
    for (int off = 0; off < 8; off++) {
        g_assert_cmpint(kvm_user_access(sgdt, sizeof(sgdt), 0x20000 + off),
                        ==, 0);
        g_assert_cmpint(kvm_user_access(sidt, sizeof(sidt), 0x20000 + off),
                        ==, 0);
    }
}

/* ---- held-back #DB state across KVM_GET/SET_* (migration) ---- */

/* A fresh vCPU with @from's RAM and the state the KVM ioctls carry */
static Env *env_migrate(Env *from)
{
    Env *to = env_new();
    X86SRegs s;
    X86Regs r;
    X86DebugRegs d;
    X86Events evs;

    memcpy(to->ram, from->ram, RAM_SIZE);
    x86_cpu_get_sregs(from->cpu, &s);
    x86_cpu_get_regs(from->cpu, &r);
    x86_cpu_get_debugregs(from->cpu, &d);
    x86_cpu_get_events(from->cpu, &evs);
    g_assert_true(x86_cpu_set_sregs(to->cpu, &s));
    x86_cpu_set_regs(to->cpu, &r);
    x86_cpu_set_debugregs(to->cpu, &d);
    x86_cpu_set_events(to->cpu, &evs);
    return to;
}

/* A data breakpoint hit by MOV SS (held until after the next instruction)
 * when the vCPU stops right after the MOV SS: migrated, the #DB is not
 * lost (KVM_GET_VCPU_EVENTS reports a pending #DB, B0 in DR6) */
static void test_migrate_movss_db(void)
{
    Env *e = env_dbg(false, 0, 0), *e2;
    X86Regs r;
    X86Exit ex;

    put64(e, 0x600000, 0x18);
    set_dr(e, 0, 0x600000, 0x400 | 1 | (3u << 16) | (1u << 18));
    set_start(e, ev(k_movss_mem), 0x600000, 0, 0, 0, 0);
    x86_cpu_set_guest_debug_ex(e->cpu, X86_GUESTDBG_ENABLE |
                               X86_GUESTDBG_SINGLESTEP, NULL);
    r = run_expect(e, X86_EXIT_DEBUG, &ex);
    g_assert_cmphex(r.rip, ==, ev(k_movss_mem_nop));
    g_assert_cmpint(log_n(e), ==, 0);
    e2 = env_migrate(e);
    env_free(e);
    run_expect(e2, X86_EXIT_HLT, &ex);
    dump_log(e2);
    g_assert_cmpint(log_n(e2), ==, 1);
    g_assert_cmphex(log_at(e2, 0).vec, ==, 1);
    g_assert_cmphex(log_at(e2, 0).extra & 0xf, ==, 1);
    env_free(e2);
}

/* Stopped between two REP iterations: RF=1 in the registers, so an
 * interrupt taken on the destination pushes RF=1 as it would have */
static void test_migrate_rep_mid(void)
{
    Env *e = env_dbg(false, 0, 0), *e2;
    X86Regs r;
    X86Exit ex;

    set_gate(e, 0x40, ev(h_irq40), 0);
    set_start(e, ev(k_rep_bp), 0, 3, 0, 0, 0x600000);
    x86_cpu_set_guest_debug_ex(e->cpu, X86_GUESTDBG_ENABLE |
                               X86_GUESTDBG_SINGLESTEP, NULL);
    r = run_expect(e, X86_EXIT_DEBUG, &ex);
    g_assert_cmphex(r.rip, ==, ev(k_rep_bp));
    g_assert_cmphex(r.rcx, ==, 2);
    g_assert_cmphex(r.rflags & RF, ==, RF);
    e2 = env_migrate(e);
    env_free(e);
    x86_cpu_get_regs(e2->cpu, &r);
    r.rflags |= 0x200;                              /* IF */
    x86_cpu_set_regs(e2->cpu, &r);
    g_assert_true(x86_cpu_inject_irq(e2->cpu, 0x40));
    r = run_expect(e2, X86_EXIT_HLT, &ex);
    dump_log(e2);
    g_assert_cmpint(log_n(e2), ==, 1);
    g_assert_cmphex(log_at(e2, 0).rip, ==, ev(k_rep_bp));
    g_assert_cmphex(log_at(e2, 0).rflags & RF, ==, RF);
    g_assert_cmphex(r.rcx, ==, 0);
    g_assert_cmphex(r.rflags & RF, ==, 0);          /* cleared at the end */
    env_free(e2);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cpu/debug/gd-mov-dr-fault", test_gd);
    g_test_add_func("/cpu/debug/gd-dr4-ud-first", test_gd_dr4);
    g_test_add_func("/cpu/debug/gd-host-oracle", test_gd_host_oracle);
    g_test_add_func("/cpu/debug/gd-cleared-by-any-db",
                    test_gd_cleared_by_db);
    g_test_add_func("/cpu/debug/io-bp-out", test_io_out);
    g_test_add_func("/cpu/debug/io-bp-in", test_io_in);
    g_test_add_func("/cpu/debug/io-bp-rep-each-iteration", test_io_rep);
    g_test_add_func("/cpu/debug/tss-t-bit", test_task_t_bit);
    g_test_add_func("/cpu/debug/mmx-ignne", test_mmx_ignne);
    g_test_add_func("/cpu/debug/sgdt-sidt-ac", test_sgdt_ac);
    g_test_add_func("/cpu/debug/sgdt-sidt-ac-host-oracle",
                    test_sgdt_ac_host_oracle);
    g_test_add_func("/cpu/debug/migrate-movss-held-db",
                    test_migrate_movss_db);
    g_test_add_func("/cpu/debug/migrate-rep-mid-rf", test_migrate_rep_mid);
    return g_test_run();
}
