/*
 * Engine tests of events (SDM Vol. 3A 6.9 priorities, 6.15 #AC, Vol. 3B
 * 17.3 single-step, Vol. 1 D CR0.NE=0): bare-metal guests in
 * guests-events.S whose handlers log {vector, RIP, RFLAGS, extra} in guest
 * RAM; each test checks the order and the frames.
 */
#include <glib.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>

#include "target/i386/cpu.h"
#include "engine-env.h"
#include "events-log.h"

#define RF      0x10000ULL
#define TF      0x100ULL
#define IF      0x200ULL
#define AC      0x40000ULL

#define SYMS(X) X(g_ev_start) X(g_ev_end) X(h_db) X(h_db_rf) X(h_nmi) \
    X(h_irq40) X(h_ac) X(h_pf) X(h_ud) X(h_mf) X(h_ferr) X(h_int81) X(h_bp) \
    X(ev_to_user) X(u_load) X(u_store) X(u_push) X(u_movups) X(u_stos) \
    X(u_fldt) X(u_fnstenv) X(u_popf_ac) X(u_load8) X(u_movs) X(k_load) \
    X(k_tf_rep) X(k_tf_rep_after) X(k_data_tf) X(k_data_tf_after) \
    X(k_movss) X(k_movss1) X(k_movss2) X(k_movss3) X(k_movss_int3) \
    X(k_movss_int3_hlt) X(k_sti) X(k_sti_hlt) X(k_nops) X(k_ud) X(k_ferr) \
    X(k_ferr_wait) X(k_ferr_end) X(k_rep_bp) X(k_int3) X(k_int3_hlt) \
    X(k_jmp_np)
#define DECL(s) extern const uint8_t s[];
SYMS(DECL)

static uint64_t ev(const uint8_t *sym)
{
    return EV_BASE + (sym - g_ev_start);
}

/* A 64-bit kernel with the event handlers installed (#AC needs CR0.AM:
 * @cr0_or). */
static Env *env_events(bool ferr, uint64_t cr0_or, uint64_t cr0_and)
{
    Env *e = ferr ? env_new_ferr() : env_new();
    X86SRegs s;

    env_setup_long(e);
    memcpy(e->ram + EV_BASE, g_ev_start, g_ev_end - g_ev_start);
    set_gate(e, 1, ev(h_db), 0);
    set_gate(e, 2, ev(h_nmi), 0);
    set_gate(e, 3, ev(h_bp), 3);
    set_gate(e, 6, ev(h_ud), 0);
    set_gate(e, 14, ev(h_pf), 0);
    set_gate(e, 16, ev(h_mf), 0);
    set_gate(e, 17, ev(h_ac), 0);
    set_gate(e, 0x40, ev(h_irq40), 0);
    set_gate(e, 0x4d, ev(h_ferr), 0);
    set_gate(e, 0x81, ev(h_int81), 3);
    x86_cpu_get_sregs(e->cpu, &s);
    s.cr0 = (s.cr0 | cr0_or) & ~cr0_and;
    s.cr4 |= 0x200;                                 /* OSFXSR */
    g_assert_true(x86_cpu_set_sregs(e->cpu, &s));
    return e;
}

static void set_regs_at(Env *e, uint64_t rip, uint64_t rflags)
{
    X86Regs r;

    x86_cpu_get_regs(e->cpu, &r);
    r.rip = rip;
    r.rflags = rflags | 2;
    x86_cpu_set_regs(e->cpu, &r);
}

/* ---- #AC ---- */

typedef void NativeFn(void *a, void *b);
extern void ac_call(NativeFn *fn, void *a, void *b);
extern NativeFn n_load4, n_load8, n_store2, n_push, n_stosl, n_movsw;
extern NativeFn n_fldt, n_fnstenv, n_movups;

typedef struct AcCase {
    const char *name;
    const uint8_t *code;
    uint64_t rbx, rsp, rsi, rdi, rcx;
    bool fault;
    NativeFn *native;               /* the same access on the host */
    uint64_t na, nb;                /* its arguments: offsets in a buffer */
} AcCase;

/* Run @c at CPL 3 with CR0.AM=@am, RFLAGS.AC=@ac: either #AC(0) at the
 * instruction (logged 17 with RIP = the code, error 0) or INT 0x81. That
 * INT 0x81 from CPL 3 with AC on reads the IDT, the GDT and RSP0 at TSS+4
 * (8 bytes, misaligned): implicit supervisor accesses, never #AC. */
static void run_ac_case(const AcCase *c, bool am, bool ac)
{
    Env *e = env_events(false, am ? AC : 0, 0);
    X86Regs r;
    X86Exit ex;
    LogEnt l;

    x86_cpu_get_regs(e->cpu, &r);
    r.rip = ev(ev_to_user);
    r.r8 = ev(c->code);
    r.r9 = 2 | (ac ? AC : 0);
    r.r10 = c->rsp ? c->rsp : 0x300000;
    r.rbx = c->rbx;
    r.rsi = c->rsi;
    r.rdi = c->rdi;
    r.rcx = c->rcx;
    r.rax = 0x1122334455667788ULL;
    x86_cpu_set_regs(e->cpu, &r);
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_test_message("%s am=%d ac=%d", c->name, am, ac);
    dump_log(e);
    g_assert_cmpint(log_n(e), ==, 1);
    l = log_at(e, 0);
    if (c->fault && am && ac) {
        g_assert_cmphex(l.vec, ==, 17);
        g_assert_cmphex(l.rip, ==, ev(c->code));
        g_assert_cmphex(l.extra, ==, 0);
        g_assert_cmphex(r.rcx, ==, c->rcx);         /* no element done */
    } else {
        g_assert_cmphex(l.vec, ==, 0x81);
    }
    env_free(e);
}

/*
 * MOVUPS: the SDM's rule (Intel: no #AC for 16-byte accesses of the
 * "unaligned" SSE forms); AMD CPUs raise #AC there, so the host is not
 * asked (na = nb = 0 with a native function means "do not compare").
 */
static const AcCase ac_cases[] = {
    { "load4 +1", u_load, .rbx = 0x600001, .fault = true, n_load4, 1 },
    { "load4 +2", u_load, .rbx = 0x600002, .fault = true, n_load4, 2 },
    { "load4 aligned", u_load, .rbx = 0x600004, .native = n_load4, .na = 4 },
    { "load8 +4", u_load8, .rbx = 0x600004, .fault = true, n_load8, 4 },
    { "load8 aligned", u_load8, .rbx = 0x600008, .native = n_load8,
      .na = 8 },
    { "store2 +1", u_store, .rbx = 0x600001, .fault = true, n_store2, 1 },
    { "store2 aligned", u_store, .rbx = 0x600002, .native = n_store2,
      .na = 2 },
    { "push rsp+4", u_push, .rsp = 0x300004, .fault = true, n_push, 8 },
    { "movups +1 (Intel: never #AC)", u_movups, .rbx = 0x600001 },
    { "rep stosl +2", u_stos, .rdi = 0x600002, .rcx = 3, .fault = true,
      n_stosl, 2 },
    { "rep stosl aligned", u_stos, .rdi = 0x600004, .rcx = 3,
      .native = n_stosl, .na = 4 },
    { "rep movsw src +1", u_movs, .rsi = 0x600001, .rdi = 0x601000,
      .rcx = 4, .fault = true, n_movsw, 0x400, 1 },
    { "fldt +4 (8 needed)", u_fldt, .rbx = 0x600004, .fault = true, n_fldt,
      4 },
    { "fldt aligned", u_fldt, .rbx = 0x600008, .native = n_fldt, .na = 8 },
    { "fnstenv +2", u_fnstenv, .rbx = 0x600002, .fault = true, n_fnstenv,
      2 },
    { "fnstenv +4", u_fnstenv, .rbx = 0x600004, .native = n_fnstenv,
      .na = 4 },
};

static void test_ac_user(void)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(ac_cases); i++) {
        run_ac_case(&ac_cases[i], true, true);
        run_ac_case(&ac_cases[i], false, true);     /* CR0.AM=0 */
        run_ac_case(&ac_cases[i], true, false);     /* EFLAGS.AC=0 */
    }
}

static sigjmp_buf ac_jmp;
static volatile sig_atomic_t ac_sig;

static void ac_sigbus(int sig, siginfo_t *si, void *uc)
{
    /* the kernel leaves EFLAGS.AC set in the handler */
    __asm__ volatile("pushf; andl $~0x40000, (%%rsp); popf" ::: "cc",
                     "memory");
    (void)si;
    (void)uc;
    ac_sig = sig;
    siglongjmp(ac_jmp, 1);
}

/* Run @fn natively with EFLAGS.AC set: true if it raised #AC (SIGBUS) */
static bool host_ac(NativeFn *fn, void *a, void *b)
{
    struct sigaction sa, old;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = ac_sigbus;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, &old);
    ac_sig = 0;
    if (!sigsetjmp(ac_jmp, 1)) {
        ac_call(fn, a, b);
    }
    sigaction(SIGBUS, &old, NULL);
    return ac_sig == SIGBUS;
}

/* The host CPU at CPL 3 (Linux keeps CR0.AM=1) agrees with every #AC
 * expectation above: the rules are checked against hardware */
static void test_ac_host_oracle(void)
{
    uint8_t *buf = g_malloc0(0x2000 + 64);
    uint8_t *base = (uint8_t *)(((uintptr_t)buf + 63) & ~(uintptr_t)63);

    if (!host_ac(n_load4, base + 1, NULL)) {
        g_free(buf);
        g_test_skip("host does not raise #AC at CPL 3 (CR0.AM=0?)");
        return;
    }
    for (unsigned i = 0; i < G_N_ELEMENTS(ac_cases); i++) {
        const AcCase *c = &ac_cases[i];
        bool fault;

        if (!c->native) {
            continue;
        }
        fault = host_ac(c->native, base + c->na, base + c->nb);
        g_test_message("host: %s: %s", c->name, fault ? "#AC" : "ok");
        g_assert_cmpint(fault, ==, c->fault);
    }
    g_free(buf);
}

/* POPF at CPL 3 turns AC on: the next access is checked */
static void test_ac_popf(void)
{
    static const AcCase c = { "popf then load", u_popf_ac, .rbx = 0x600003,
                              .fault = true };
    Env *e = env_events(false, AC, 0);
    X86Regs r;
    X86Exit ex;

    x86_cpu_get_regs(e->cpu, &r);
    r.rip = ev(ev_to_user);
    r.r8 = ev(c.code);
    r.r9 = 2;
    r.r10 = 0x300000;
    r.rbx = c.rbx;
    x86_cpu_set_regs(e->cpu, &r);
    run_expect(e, X86_EXIT_HLT, &ex);
    dump_log(e);
    g_assert_cmpint(log_n(e), ==, 1);
    g_assert_cmphex(log_at(e, 0).vec, ==, 17);
    g_assert_cmphex(log_at(e, 0).rip, ==, ev(u_popf_ac) + 9);
    env_free(e);
}

/* CPL 0 with CR0.AM and EFLAGS.AC (Linux's STAC): never #AC */
static void test_ac_kernel(void)
{
    Env *e = env_events(false, AC, 0);
    X86Regs r;
    X86Exit ex;

    set_regs_at(e, ev(k_load), AC);
    x86_cpu_get_regs(e->cpu, &r);
    r.rbx = 0x600001;
    x86_cpu_set_regs(e->cpu, &r);
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmpint(log_n(e), ==, 0);
    g_assert_cmphex(r.rip, ==, ev(k_load) + 3);
    env_free(e);
}

/* ---- single-step ---- */

/* TF over REP MOVSB: a #DB after each iteration, RIP at the REP until the
 * last one, RF=1 pushed between iterations */
static void test_tf_rep(void)
{
    Env *e = env_events(false, 0, 0);
    X86Regs r;
    X86Exit ex;

    for (int i = 0; i < 3; i++) {
        e->ram[0x600000 + i] = 0xa0 + i;
    }
    set_regs_at(e, ev(k_tf_rep), TF);
    x86_cpu_get_regs(e->cpu, &r);
    r.rsi = 0x600000;
    r.rdi = 0x601000;
    r.rcx = 3;
    x86_cpu_set_regs(e->cpu, &r);
    run_expect(e, X86_EXIT_HLT, &ex);
    dump_log(e);
    g_assert_cmpint(log_n(e), ==, 4);
    for (int i = 0; i < 2; i++) {
        g_assert_cmphex(log_at(e, i).vec, ==, 1);
        g_assert_cmphex(log_at(e, i).rip, ==, ev(k_tf_rep));
        g_assert_cmphex(log_at(e, i).rflags & (RF | TF), ==, RF | TF);
        g_assert_cmphex(log_at(e, i).extra & 0x400f, ==, 0x4000);
    }
    g_assert_cmphex(log_at(e, 2).rip, ==, ev(k_tf_rep_after));
    g_assert_cmphex(log_at(e, 2).rflags & RF, ==, 0);
    g_assert_cmphex(log_at(e, 3).rip, ==, ev(k_tf_rep_after) + 1);
    g_assert_cmpmem(e->ram + 0x601000, 3, e->ram + 0x600000, 3);
    env_free(e);
}

extern void tf_call(NativeFn *fn, void *a, void *b);
extern NativeFn n_rep_movsb;
extern const uint8_t n_rep_movsb_insn[];
static uint64_t tf_rips[64];
static volatile int tf_n;

static void tf_sigtrap(int sig, siginfo_t *si, void *uc)
{
    ucontext_t *u = uc;

    (void)sig;
    (void)si;
    if (tf_n < (int)G_N_ELEMENTS(tf_rips)) {
        tf_rips[tf_n++] = u->uc_mcontext.gregs[REG_RIP];
    }
}

/* The host CPU single-stepping the same REP MOVSB (3 bytes) from user
 * space: the trap RIPs (SIGTRAP) show a trap after each iteration with RIP
 * at the REP, as test_tf_rep expects from the engine */
static void test_tf_rep_host_oracle(void)
{
    struct sigaction sa, old;
    char src[8] = "abc", dst[8] = "";
    int at = 0, after = 0;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = tf_sigtrap;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGTRAP, &sa, &old);
    tf_n = 0;
    tf_call(n_rep_movsb, dst, src);
    sigaction(SIGTRAP, &old, NULL);
    for (int i = 0; i < tf_n; i++) {
        at += tf_rips[i] == (uintptr_t)n_rep_movsb_insn;
        after += tf_rips[i] == (uintptr_t)n_rep_movsb_insn + 2;
    }
    g_test_message("host: %d traps, %d at the REP, %d after it", tf_n, at,
                   after);
    if (tf_n == 0) {
        g_test_skip("no SIGTRAP for user single-step on this host");
        return;
    }
    g_assert_cmpstr(dst, ==, "abc");
    g_assert_cmpint(at, ==, 1 + 2);     /* after MOV ECX, after 2 iterations */
    g_assert_cmpint(after, ==, 1);
}

extern NativeFn n_movss;
extern const uint8_t n_movss_nop1[], n_movss_nop2[];

/* ... and for MOV SS: no trap between MOV SS and the next instruction */
static void test_tf_mov_ss_host_oracle(void)
{
    struct sigaction sa, old;
    int at1 = 0, at2 = 0;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = tf_sigtrap;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGTRAP, &sa, &old);
    tf_n = 0;
    tf_call(n_movss, NULL, NULL);
    sigaction(SIGTRAP, &old, NULL);
    for (int i = 0; i < tf_n; i++) {
        at1 += tf_rips[i] == (uintptr_t)n_movss_nop1;
        at2 += tf_rips[i] == (uintptr_t)n_movss_nop2;
    }
    g_test_message("host: %d traps, %d before NOP 1, %d before NOP 2", tf_n,
                   at1, at2);
    if (tf_n == 0) {
        g_test_skip("no SIGTRAP for user single-step on this host");
        return;
    }
    g_assert_cmpint(at1, ==, 0);
    g_assert_cmpint(at2, ==, 1);
}

/* TF and a data breakpoint on the same instruction: ONE #DB, B0 and BS */
static void test_db_data_and_tf(void)
{
    Env *e = env_events(false, 0, 0);
    X86DebugRegs d;
    X86Exit ex;

    x86_cpu_get_debugregs(e->cpu, &d);
    d.db[0] = 0x500000;
    d.dr7 = 0x400 | 1 | (1u << 16) | (3u << 18);    /* L0, write, 4 bytes */
    x86_cpu_set_debugregs(e->cpu, &d);
    set_regs_at(e, ev(k_data_tf), TF);
    run_expect(e, X86_EXIT_HLT, &ex);
    dump_log(e);
    g_assert_cmpint(log_n(e), ==, 2);
    g_assert_cmphex(log_at(e, 0).rip, ==, ev(k_data_tf_after));
    g_assert_cmphex(log_at(e, 0).extra & 0x400f, ==, 0x4001);
    g_assert_cmphex(log_at(e, 1).rip, ==, ev(k_data_tf_after) + 1);
    g_assert_cmphex(log_at(e, 1).extra & 0x400f, ==, 0x4000);
    env_free(e);
}

/* MOV SS holds the single-step trap until after the next instruction */
static void test_tf_mov_ss(void)
{
    Env *e = env_events(false, 0, 0);
    X86Exit ex;

    set_regs_at(e, ev(k_movss), TF);
    run_expect(e, X86_EXIT_HLT, &ex);
    dump_log(e);
    g_assert_cmpint(log_n(e), ==, 3);
    g_assert_cmphex(log_at(e, 0).rip, ==, ev(k_movss1));
    g_assert_cmphex(log_at(e, 1).rip, ==, ev(k_movss3));   /* not movss2 */
    g_assert_cmphex(log_at(e, 2).rip, ==, ev(k_movss3) + 1);
    env_free(e);
}

/* MOV SS; INT3 with TF: INT3 completes by entering its handler, the held
 * #DB comes at the handler's first instruction (as on hardware) */
static void test_tf_mov_ss_int3(void)
{
    Env *e = env_events(false, 0, 0);
    X86Exit ex;

    set_regs_at(e, ev(k_movss_int3), TF);
    run_expect(e, X86_EXIT_HLT, &ex);
    dump_log(e);
    g_assert_cmpint(log_n(e), >=, 3);
    g_assert_cmphex(log_at(e, 0).vec, ==, 1);
    g_assert_cmphex(log_at(e, 1).vec, ==, 1);
    g_assert_cmphex(log_at(e, 1).rip, ==, ev(h_bp));
    g_assert_cmphex(log_at(e, 2).vec, ==, 3);
    g_assert_cmphex(log_at(e, 2).rip, ==, ev(k_movss_int3_hlt));
    env_free(e);
}

/* ---- interrupt shadows and priorities ---- */

static void test_sti_shadow(void)
{
    Env *e = env_events(false, 0, 0);
    X86Exit ex;

    set_regs_at(e, ev(k_sti), 0);
    g_assert_true(x86_cpu_inject_irq(e->cpu, 0x40));
    run_expect(e, X86_EXIT_HLT, &ex);
    dump_log(e);
    g_assert_cmpint(log_n(e), ==, 1);
    g_assert_cmphex(log_at(e, 0).vec, ==, 0x40);
    g_assert_cmphex(log_at(e, 0).rip, ==, ev(k_sti_hlt));  /* after NOP */
    env_free(e);
}

/* Shadow from KVM_SET_VCPU_EVENTS (MOV SS): NMI and IRQ wait one insn */
static void test_mov_ss_shadow_events(void)
{
    Env *e = env_events(false, 0, 0);
    X86Events evs;
    X86Exit ex;

    set_regs_at(e, ev(k_movss2), IF);
    x86_cpu_get_events(e->cpu, &evs);
    evs.interrupt.shadow = X86_SHADOW_MOV_SS;
    x86_cpu_set_events(e->cpu, &evs);
    g_assert_true(x86_cpu_inject_irq(e->cpu, 0x40));
    x86_cpu_inject_nmi(e->cpu);
    run_expect(e, X86_EXIT_HLT, &ex);
    dump_log(e);
    g_assert_cmpint(log_n(e), ==, 2);
    g_assert_cmphex(log_at(e, 0).vec, ==, 2);       /* NMI before INTR */
    g_assert_cmphex(log_at(e, 0).rip, ==, ev(k_movss3));
    g_assert_cmphex(log_at(e, 1).vec, ==, 0x40);
    g_assert_cmphex(log_at(e, 1).rip, ==, ev(k_movss3));
    env_free(e);
}

/*
 * TF trap, NMI and INTR all pending after one instruction: #DB is
 * delivered first, the NMI is taken before the #DB handler's first
 * instruction, INTR once the #DB handler's IRET sets IF again.
 */
static void test_db_nmi_intr_order(void)
{
    Env *e = env_events(false, 0, 0);
    X86Events evs;
    X86Exit ex;

    set_regs_at(e, ev(k_nops), TF | IF);
    x86_cpu_get_events(e->cpu, &evs);
    evs.interrupt.shadow = X86_SHADOW_STI;          /* hold them one insn */
    x86_cpu_set_events(e->cpu, &evs);
    g_assert_true(x86_cpu_inject_irq(e->cpu, 0x40));
    x86_cpu_inject_nmi(e->cpu);
    run_expect(e, X86_EXIT_HLT, &ex);
    dump_log(e);
    g_assert_cmpint(log_n(e), >=, 3);
    g_assert_cmphex(log_at(e, 0).vec, ==, 2);
    g_assert_cmphex(log_at(e, 0).rip, ==, ev(h_db));
    g_assert_cmphex(log_at(e, 1).vec, ==, 1);
    g_assert_cmphex(log_at(e, 1).rip, ==, ev(k_nops) + 1);
    g_assert_cmphex(log_at(e, 2).vec, ==, 0x40);
    g_assert_cmphex(log_at(e, 2).rip, ==, ev(k_nops) + 1);
    env_free(e);
}

/* An instruction breakpoint (priority 7) waits for a pending INTR (6);
 * its #DB pushes RF=0, a fault (#UD) pushes RF=1 */
static void test_instr_bp_after_intr(void)
{
    Env *e = env_events(false, 0, 0);
    X86DebugRegs d;
    X86Exit ex;

    set_gate(e, 1, ev(h_db_rf), 0);
    x86_cpu_get_debugregs(e->cpu, &d);
    d.db[0] = ev(k_nops);
    d.dr7 = 0x400 | 1;                              /* L0, execute */
    x86_cpu_set_debugregs(e->cpu, &d);
    set_regs_at(e, ev(k_nops), IF);
    g_assert_true(x86_cpu_inject_irq(e->cpu, 0x40));
    run_expect(e, X86_EXIT_HLT, &ex);
    dump_log(e);
    g_assert_cmpint(log_n(e), ==, 2);
    g_assert_cmphex(log_at(e, 0).vec, ==, 0x40);
    g_assert_cmphex(log_at(e, 0).rip, ==, ev(k_nops));
    g_assert_cmphex(log_at(e, 1).vec, ==, 1);
    g_assert_cmphex(log_at(e, 1).rip, ==, ev(k_nops));
    g_assert_cmphex(log_at(e, 1).rflags & RF, ==, 0);
    env_free(e);

    e = env_events(false, 0, 0);
    set_regs_at(e, ev(k_ud), 0);
    run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmpint(log_n(e), ==, 1);
    g_assert_cmphex(log_at(e, 0).vec, ==, 6);
    g_assert_cmphex(log_at(e, 0).rflags & RF, ==, RF);
    env_free(e);
}

/* A data breakpoint hit inside a REP traps after that iteration, RIP at
 * the REP (RF=1); the REP then completes */
static void test_data_bp_rep(void)
{
    Env *e = env_events(false, 0, 0);
    X86DebugRegs d;
    X86Regs r;
    X86Exit ex;

    x86_cpu_get_debugregs(e->cpu, &d);
    d.db[0] = 0x600002;
    d.dr7 = 0x400 | 1 | (1u << 16);                 /* L0, write, 1 byte */
    x86_cpu_set_debugregs(e->cpu, &d);
    set_regs_at(e, ev(k_rep_bp), 0);
    x86_cpu_get_regs(e->cpu, &r);
    r.rdi = 0x600000;
    r.rcx = 5;
    r.rax = 0x77;
    x86_cpu_set_regs(e->cpu, &r);
    r = run_expect(e, X86_EXIT_HLT, &ex);
    dump_log(e);
    g_assert_cmpint(log_n(e), ==, 1);
    g_assert_cmphex(log_at(e, 0).rip, ==, ev(k_rep_bp));
    g_assert_cmphex(log_at(e, 0).rflags & RF, ==, RF);
    g_assert_cmphex(log_at(e, 0).extra & 0x400f, ==, 1);
    g_assert_cmphex(r.rcx, ==, 0);
    g_assert_cmpint(e->ram[0x600004], ==, 0x77);
    env_free(e);
}

/* An interrupt taken between two iterations of a long REP: RIP at the
 * REP, RF=1 pushed; the REP then completes */
static void test_intr_mid_rep(void)
{
    Env *e = env_events(false, 0, 0);
    X86Events evs;
    X86Regs r;
    X86Exit ex;

    set_regs_at(e, ev(k_rep_bp), IF);
    x86_cpu_get_regs(e->cpu, &r);
    r.rdi = 0x600000;
    r.rcx = 200000;                     /* yields between chunks */
    r.rax = 0x33;
    x86_cpu_set_regs(e->cpu, &r);
    x86_cpu_get_events(e->cpu, &evs);
    evs.interrupt.shadow = X86_SHADOW_STI;  /* the REP starts first */
    x86_cpu_set_events(e->cpu, &evs);
    g_assert_true(x86_cpu_inject_irq(e->cpu, 0x40));
    r = run_expect(e, X86_EXIT_HLT, &ex);
    dump_log(e);
    g_assert_cmpint(log_n(e), ==, 1);
    g_assert_cmphex(log_at(e, 0).vec, ==, 0x40);
    g_assert_cmphex(log_at(e, 0).rip, ==, ev(k_rep_bp));
    g_assert_cmphex(log_at(e, 0).rflags & RF, ==, RF);
    g_assert_cmphex(r.rcx, ==, 0);
    g_assert_cmpint(e->ram[0x600000 + 199999], ==, 0x33);
    env_free(e);
}

/* KVM_GUESTDBG_SINGLESTEP over a REP: an exit after each iteration */
static void test_guest_singlestep_rep(void)
{
    Env *e = env_events(false, 0, 0);
    X86Regs r;
    X86Exit ex;

    set_regs_at(e, ev(k_rep_bp), 0);
    x86_cpu_get_regs(e->cpu, &r);
    r.rdi = 0x600000;
    r.rcx = 3;
    x86_cpu_set_regs(e->cpu, &r);
    x86_cpu_set_guest_debug_ex(e->cpu, X86_GUESTDBG_ENABLE |
                               X86_GUESTDBG_SINGLESTEP, NULL);
    for (int i = 2; i >= 0; i--) {
        r = run_expect(e, X86_EXIT_DEBUG, &ex);
        g_assert_cmphex(r.rcx, ==, i);
        g_assert_cmphex(r.rip, ==, i ? ev(k_rep_bp) : ev(k_rep_bp) + 2);
    }
    env_free(e);
}

/* An instruction breakpoint (priority 7) comes before the fetch fault
 * of the same instruction (8) */
static void test_instr_bp_before_fetch_fault(void)
{
    Env *e = env_events(false, 0, 0);
    X86DebugRegs d;
    X86Exit ex;

    set_gate(e, 1, ev(h_db_rf), 0);
    x86_cpu_get_debugregs(e->cpu, &d);
    d.db[0] = 0x40000000;
    d.dr7 = 0x400 | 1;
    x86_cpu_set_debugregs(e->cpu, &d);
    set_regs_at(e, ev(k_jmp_np), 0);
    run_expect(e, X86_EXIT_HLT, &ex);
    dump_log(e);
    g_assert_cmpint(log_n(e), ==, 2);
    g_assert_cmphex(log_at(e, 0).vec, ==, 1);
    g_assert_cmphex(log_at(e, 0).rip, ==, 0x40000000);
    g_assert_cmphex(log_at(e, 1).vec, ==, 14);
    g_assert_cmphex(log_at(e, 1).rip, ==, 0x40000000);
    g_assert_cmphex(log_at(e, 1).extra, ==, 0x10);  /* fetch, not present */
    env_free(e);
}

/* TF on an instruction that faults or raises a software interrupt: the
 * exception only; the handler runs with TF clear */
static void test_tf_with_exception(void)
{
    Env *e = env_events(false, 0, 0);
    X86Exit ex;

    set_regs_at(e, ev(k_ud), TF);
    run_expect(e, X86_EXIT_HLT, &ex);
    dump_log(e);
    g_assert_cmpint(log_n(e), ==, 1);
    g_assert_cmphex(log_at(e, 0).vec, ==, 6);
    g_assert_cmphex(log_at(e, 0).rflags & TF, ==, TF);
    env_free(e);

    e = env_events(false, 0, 0);
    set_regs_at(e, ev(k_int3), TF);
    run_expect(e, X86_EXIT_HLT, &ex);
    dump_log(e);
    g_assert_cmpint(log_n(e), ==, 1);               /* #DB comes after HLT */
    g_assert_cmphex(log_at(e, 0).vec, ==, 3);
    g_assert_cmphex(log_at(e, 0).rip, ==, ev(k_int3_hlt));
    env_free(e);
}

/* An instruction breakpoint on the REP fires once: the handler's RF
 * survives the REP's internal yields (STR chunks) */
static void test_instr_bp_rep(void)
{
    Env *e = env_events(false, 0, 0);
    X86DebugRegs d;
    X86Regs r;
    X86Exit ex;

    set_gate(e, 1, ev(h_db_rf), 0);
    x86_cpu_get_debugregs(e->cpu, &d);
    d.db[0] = ev(k_rep_bp);
    d.dr7 = 0x400 | 1;
    x86_cpu_set_debugregs(e->cpu, &d);
    set_regs_at(e, ev(k_rep_bp), 0);
    x86_cpu_get_regs(e->cpu, &r);
    r.rdi = 0x600000;
    r.rcx = 20000;                                  /* several chunks */
    r.rax = 0x5a;
    x86_cpu_set_regs(e->cpu, &r);
    /* a data breakpoint elsewhere forces the per-element path */
    d.db[1] = 0x7ff000;
    d.dr7 |= 4 | (1u << 20);
    x86_cpu_set_debugregs(e->cpu, &d);
    r = run_expect(e, X86_EXIT_HLT, &ex);
    dump_log(e);
    g_assert_cmpint(log_n(e), ==, 1);
    g_assert_cmphex(r.rcx, ==, 0);
    g_assert_cmpint(e->ram[0x600000 + 19999], ==, 0x5a);
    env_free(e);
}

/* ---- CR0.NE=0: FERR# ---- */

static void test_ferr(void)
{
    Env *e = env_events(true, 0, 0x20);             /* NE=0 */
    X86Regs r;
    X86Exit ex;

    /* FERR# asserted, FWAIT frozen; IRQ 13's handler clears the error */
    set_regs_at(e, ev(k_ferr), IF);
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.rip, ==, ev(k_ferr_wait));
    g_assert_true(e->ferr);
    g_assert_cmpint(e->ferr_calls, ==, 1);
    g_assert_cmpint(log_n(e), ==, 0);
    r = run_expect(e, X86_EXIT_HLT, &ex);           /* still frozen */
    g_assert_cmphex(r.rip, ==, ev(k_ferr_wait));
    g_assert_cmpint(e->ferr_calls, ==, 1);
    g_assert_true(x86_cpu_inject_irq(e->cpu, 0x4d));
    r = run_expect(e, X86_EXIT_HLT, &ex);
    dump_log(e);
    g_assert_cmpint(log_n(e), ==, 1);
    g_assert_cmphex(log_at(e, 0).vec, ==, 0x4d);
    g_assert_cmphex(log_at(e, 0).rip, ==, ev(k_ferr_wait));
    g_assert_false(e->ferr);
    g_assert_cmpint(e->ferr_calls, ==, 2);
    g_assert_cmphex(r.rip, ==, ev(k_ferr_end) + 1);
    env_free(e);

    /* IGNNE# (port F0h): the waiting instruction ignores the error; FERR#
     * drops at FNCLEX */
    e = env_events(true, 0, 0x20);
    set_regs_at(e, ev(k_ferr), 0);
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.rip, ==, ev(k_ferr_wait));
    x86_cpu_set_ignne(e->cpu, true);
    r = run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmphex(r.rip, ==, ev(k_ferr_end) + 1);
    g_assert_false(e->ferr);
    g_assert_cmpint(e->ferr_calls, ==, 2);
    g_assert_cmpint(log_n(e), ==, 0);
    env_free(e);

    /* NE=1: #MF at the FWAIT, no FERR# */
    e = env_events(true, 0, 0);
    set_regs_at(e, ev(k_ferr), 0);
    run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmpint(log_n(e), ==, 1);
    g_assert_cmphex(log_at(e, 0).vec, ==, 16);
    g_assert_cmphex(log_at(e, 0).rip, ==, ev(k_ferr_wait));
    g_assert_cmpint(e->ferr_calls, ==, 0);
    env_free(e);

    /* NE=0 without a FERR# hook (KVM's behaviour): #MF */
    e = env_events(false, 0, 0x20);
    set_regs_at(e, ev(k_ferr), 0);
    run_expect(e, X86_EXIT_HLT, &ex);
    g_assert_cmpint(log_n(e), ==, 1);
    g_assert_cmphex(log_at(e, 0).vec, ==, 16);
    env_free(e);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cpu/events/ac-user-alignment", test_ac_user);
    g_test_add_func("/cpu/events/ac-host-oracle", test_ac_host_oracle);
    g_test_add_func("/cpu/events/ac-popf-user", test_ac_popf);
    g_test_add_func("/cpu/events/ac-never-at-cpl0", test_ac_kernel);
    g_test_add_func("/cpu/events/tf-rep-each-iteration", test_tf_rep);
    g_test_add_func("/cpu/events/tf-rep-host-oracle",
                    test_tf_rep_host_oracle);
    g_test_add_func("/cpu/events/db-data-and-tf-one-db",
                    test_db_data_and_tf);
    g_test_add_func("/cpu/events/tf-mov-ss-held", test_tf_mov_ss);
    g_test_add_func("/cpu/events/tf-mov-ss-host-oracle",
                    test_tf_mov_ss_host_oracle);
    g_test_add_func("/cpu/events/tf-mov-ss-int3", test_tf_mov_ss_int3);
    g_test_add_func("/cpu/events/sti-shadow-intr", test_sti_shadow);
    g_test_add_func("/cpu/events/mov-ss-shadow-nmi-intr",
                    test_mov_ss_shadow_events);
    g_test_add_func("/cpu/events/db-nmi-intr-order", test_db_nmi_intr_order);
    g_test_add_func("/cpu/events/instr-bp-after-intr-rf",
                    test_instr_bp_after_intr);
    g_test_add_func("/cpu/events/instr-bp-rep-once", test_instr_bp_rep);
    g_test_add_func("/cpu/events/instr-bp-before-fetch-fault",
                    test_instr_bp_before_fetch_fault);
    g_test_add_func("/cpu/events/tf-with-exception", test_tf_with_exception);
    g_test_add_func("/cpu/events/data-bp-rep-iteration", test_data_bp_rep);
    g_test_add_func("/cpu/events/intr-mid-rep-rf", test_intr_mid_rep);
    g_test_add_func("/cpu/events/guest-singlestep-rep",
                    test_guest_singlestep_rep);
    g_test_add_func("/cpu/events/ferr-ne0-irq13-ignne", test_ferr);
    return g_test_run();
}
