/*
 * The block translator (target/i386/jit.c) against the interpreter: each
 * guest of guests-jit.S (loops, so blocks are translated and chained)
 * runs in a child process of this test with KVMU_JIT=off, KVMU_JIT=1
 * (every block translated on its first run) and KVMU_JIT=2 (interpreted
 * once, then translated); the child prints the final state (exit,
 * registers, the exception record, the guest's log and data pages, the
 * stack) and the three must be identical. The translated run must have
 * translated something (KVMU_JIT_DUMP counts the translations).
 *
 * The mode is a child's environment because x86_jit_threshold() reads
 * KVMU_JIT once per process. Cases that show a translator bug not fixed
 * yet run only with KVMU_JIT_TEST_PENDING=1.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/i386/cpu.h"
#include "engine-env.h"

#define JIT_BASE 0x100000ULL
#define EXC_REC  0xf0000ULL
#define LOG      0x400000ULL
#define IST1     0xb000ULL
#define STUBS    0xe0000ULL             /* per-vector handler entries */

extern const uint8_t g_jit_start[], g_jit_end[];
extern const uint8_t jit_exc_noec[], jit_exc_ec[], jit_irq[];
extern const uint8_t j_alu[], j_ops[], j_stack[], j_pf_flags[], j_pf_push[];
extern const uint8_t j_ret_nc[], j_jmpi_nc[], j_cross[], j_ro_write[];
extern const uint8_t j_smc_self[], j_smc_next[], j_alias[], j_mmio_flags[];
extern const uint8_t j_div[], j_stac[], j_popf_ac[], j_hibyte[];
extern const uint8_t j_cmov_bsf[], j_shifts[], j_pushpop_rsp[];
extern const uint8_t j_far_page[], j_pf_flags_helper[], j_calli_mem[];
extern const uint8_t j_smc_far[], j_dbp[], j_mmio_loop[], j_cli_sti[];
extern const uint8_t j_ud_mid[], j_pf_flags_inc[];
extern const uint8_t j_remap_body[], j_remap_body_end[], j_popf_if[];
extern const uint8_t j_pressure[], j_bt_regmem[], j_bt_imm[], j_uk_pf[];
extern const uint8_t j_ext_smc[], j_ext_data[], j_flag_forms[];
extern const uint8_t j_ext_cr2[], j_ext_cr2_back[];
/* guests-jit-rand.S (gen-jit-rand.py): random loops */
extern const uint8_t g_jit_rand_start[], g_jit_rand_end[];
extern const uint64_t g_jit_rand_table[];
extern const uint32_t g_jit_rand_count;
#define RAND_BASE 0x140000ULL

extern const uint8_t g_jit2_start[], g_jit2_end[];   /* guests-jit2.S */
#define JIT2_BASE 0x130000ULL

static uint64_t sym(const uint8_t *s)
{
    if (s >= g_jit2_start && s < g_jit2_end) {
        return JIT2_BASE + (s - g_jit2_start);
    }
    return JIT_BASE + (s - g_jit_start);
}

static void set_rsi(Env *e, uint64_t v)
{
    X86Regs r;

    x86_cpu_get_regs(e->cpu, &r);
    r.rsi = v;
    x86_cpu_set_regs(e->cpu, &r);
}

/* linear 12-14 MiB is physical 0-2 MiB too (j_alias) */
static bool setup_alias(Env *e)
{
    put64(e, 0x12000 + 6 * 8, 0x87);
    set_rsi(e, 0xc00000);
    return true;
}

/* CR4.SMAP, the first 2 MiB (code, tables, stacks, EXC_REC) supervisor */
static bool setup_smap(Env *e)
{
    X86SRegs s;

    put64(e, 0x12000, 0x83);
    x86_cpu_get_sregs(e->cpu, &s);
    s.cr4 |= 1u << 21;
    return x86_cpu_set_sregs(e->cpu, &s);
}

/* CPL3 (user CS 0x33, SS 0x2b) with CR0.AM */
static bool setup_user_am(Env *e)
{
    X86SRegs s;

    x86_cpu_get_sregs(e->cpu, &s);
    seg(&s.cs, 0x33, true, true, 3);
    seg(&s.ss, 0x2b, false, false, 3);
    s.ds = s.es = s.fs = s.gs = s.ss;
    s.cr0 |= 1u << 18;
    return x86_cpu_set_sregs(e->cpu, &s);
}

/*
 * The last 2 MiB of the lower canonical half (linear 0x7fffffe00000) map
 * physical 0-2 MiB: @code (at physical @at) runs up to the canonical
 * end, RAX counting its loop.
 */
#define TOP_LIN 0x7fffffe00000ULL

static void setup_top(Env *e, uint64_t at, const char *code, size_t len)
{
    put64(e, 0x10000 + 255 * 8, 0x13000 | 7);
    put64(e, 0x13000 + 511 * 8, 0x14000 | 7);
    put64(e, 0x14000 + 511 * 8, 0x87);
    memcpy(e->ram + at, code, len);
    set_rip(e, TOP_LIN + at);
}

/* add $1,%rax; cmp $30,%rax; je +0x200 (non-canonical); jmp back */
static bool setup_top_jcc(Env *e)
{
    static const char code[] = "\x48\x83\xc0\x01\x48\x83\xf8\x1e"
                               "\x0f\x84\x00\x02\x00\x00\xeb\xf0";
    setup_top(e, 0x1fff00, code, sizeof(code) - 1);
    return true;
}

/* add $1,%rax; cmp $30,%rax; jne +5; call +0x200 (non-canonical);
 * jmp back */
static bool setup_top_call(Env *e)
{
    static const char code[] = "\x48\x83\xc0\x01\x48\x83\xf8\x1e"
                               "\x75\x05\xe8\x00\x02\x00\x00\xeb\xef";
    setup_top(e, 0x1fff00, code, sizeof(code) - 1);
    return true;
}

/* a loop in the last bytes, then NOPs up to the canonical end: add
 * $1,%rax; cmp $30,%rax; jne back; 6 NOPs */
static bool setup_top_fall(Env *e)
{
    static const char code[] = "\x48\x83\xc0\x01\x48\x83\xf8\x1e"
                               "\x75\xf6\x90\x90\x90\x90\x90\x90";
    setup_top(e, 0x200000 - 16, code, sizeof(code) - 1);
    return true;
}

/* j_remap_body at 10 MiB, and at 12 MiB adding 0x100; 10 rounds */
static bool setup_remap(Env *e)
{
    size_t len = j_remap_body_end - j_remap_body;
    X86Regs r;

    memcpy(e->ram + 0xa00000, j_remap_body, len);
    memcpy(e->ram + 0xc00000, j_remap_body, len);
    put32(e, 0xc00000 + 3, 0x100);
    x86_cpu_get_regs(e->cpu, &r);
    r.rsi = (6ULL << 21) | 0x87;
    r.rcx = 10;
    r.rip = 0xa00000;
    x86_cpu_set_regs(e->cpu, &r);
    return true;
}

/*
 * CPL3 code on a user page (2-4 MiB; the first 2 MiB supervisor-only)
 * jumps 20 times to j_uk_pf, the #PF handler on a supervisor page: each
 * jump faults (U/S, fetch) and the handler returns to RCX with R14 +=
 * its CS (0x10). The exit of the user block is left with its slot unlinked
 * (its target faults); the run loop then runs the handler's block, for
 * the supervisor MMU index. Linking the user block's slot to it would let
 * the next jump run the handler's translation at CPL3 (R14 += 0x33, and
 * its memory accesses through the supervisor TLB). Ends with #UD (the
 * stub's HLT).
 */
#define UK_CODE 0x300000ULL
#define UK_STACK 0x3f0000ULL

static bool setup_ukjmp(Env *e)
{
    uint64_t t = sym(j_uk_pf);
    uint8_t code[64];
    size_t n = 0, rel_at, next_at, loop_at;
    X86SRegs s;
    X86Regs r;

#define B(...) do { const uint8_t b_[] = { __VA_ARGS__ }; \
        memcpy(code + n, b_, sizeof(b_)); n += sizeof(b_); } while (0)
    loop_at = n;
    B(0x48, 0xc7, 0xc4);                    /* mov $UK_STACK, %rsp */
    B(UK_STACK & 0xff, (UK_STACK >> 8) & 0xff, (UK_STACK >> 16) & 0xff, 0);
    B(0x6a, 0x2b);                          /* push $0x2b (SS) */
    B(0x68);                                /* push $UK_STACK */
    B(UK_STACK & 0xff, (UK_STACK >> 8) & 0xff, (UK_STACK >> 16) & 0xff, 0);
    B(0x9c);                                /* pushfq */
    B(0x6a, 0x33);                          /* push $0x33 (CS) */
    B(0x48, 0x8d, 0x0d, 8, 0, 0, 0);        /* lea next(%rip), %rcx */
    B(0x51);                                /* push %rcx */
    B(0x6a, 0x00);                          /* push $0 (error code) */
    B(0xe9);                                /* jmp j_uk_pf */
    rel_at = n;
    B(0, 0, 0, 0);
    next_at = n;
    B(0x49, 0xff, 0xcf);                    /* dec %r15 */
    B(0x75, 0);                             /* jnz loop */
    code[n - 1] = (uint8_t)(loop_at - n);
    B(0x0f, 0x0b);                          /* ud2 */
#undef B
    memcpy(e->ram + UK_CODE, code, n);
    put32(e, UK_CODE + rel_at, (uint32_t)(t - (UK_CODE + next_at)));
    put64(e, 0x12000, 0x83);                /* 0-2 MiB: supervisor */
    set_gate(e, 14, t, 0);
    x86_cpu_get_regs(e->cpu, &r);
    r.rip = UK_CODE;
    r.r15 = 20;
    r.r14 = 0;
    x86_cpu_set_regs(e->cpu, &r);
    x86_cpu_get_sregs(e->cpu, &s);
    seg(&s.cs, 0x33, true, true, 3);
    seg(&s.ss, 0x2b, false, false, 3);
    s.ds = s.es = s.fs = s.gs = s.ss;
    return x86_cpu_set_sregs(e->cpu, &s);
}

/* j_ext_cr2: linear 10-12 MiB through a page table of 4K pages
 * (identity), at 0xa00000 "cmp %rbx, %rbx; je j_ext_cr2_back"; linear
 * 26-28 MiB (4K pages) is physical 14-16 MiB, a RET at 0x1a00000: the
 * same slot as 0xa00000 in both TLB levels (256 and 4096 entries) */
static bool setup_extcr2(Env *e)
{
    uint64_t back = sym(j_ext_cr2_back);
    X86Regs r;

    put64(e, 0x12000 + 5 * 8, 0x15000 | 7);
    put64(e, 0x12000 + 13 * 8, 0x16000 | 7);
    for (int k = 0; k < 512; k++) {
        put64(e, 0x15000 + 8 * k, (0xa00000ULL + 0x1000 * k) | 3);
        put64(e, 0x16000 + 8 * k, (0xe00000ULL + 0x1000 * k) | 3);
    }
    memcpy(e->ram + 0xa00000, "\x48\x39\xdb\x0f\x84", 5);
    put32(e, 0xa00005, (uint32_t)(back - 0xa00009));
    e->ram[0xe00000] = 0xc3;
    x86_cpu_get_regs(e->cpu, &r);
    r.rbx = 0xa00000;
    r.r12 = 0;
    x86_cpu_set_regs(e->cpu, &r);
    return true;
}

typedef struct Case {
    const char *name;
    const uint8_t *code;
    X86ExitReason want;
    bool (*setup)(Env *e);
    bool pending;                   /* a known translator bug */
    bool smc;                       /* blocks never run twice unchanged */
    uint32_t undef;                 /* flags undefined where an interrupt
                                     * may come (IMUL, shifts) */
    bool mmio_noflags;              /* RFLAGS at MMIO exits not compared */
    bool noslice;                   /* no time-slice runs (the state
                                     * at a slice end changes the case) */
    int rnd;                        /* 0, or N + 1: j_rand_N of
                                     * guests-jit-rand.S */
    int exc;                        /* 0, or N + 1: the last exception
                                     * taken is vector N, error code 0 */
} Case;

static const Case cases[] = {
    { "alu", j_alu, X86_EXIT_HLT, NULL, false },
    { "hibyte", j_hibyte, X86_EXIT_HLT, NULL, false, false, 0x814 },
    { "shifts", j_shifts, X86_EXIT_HLT, NULL, false, false, 0x8d5 },
    { "cmov-bsf", j_cmov_bsf, X86_EXIT_HLT, NULL, false, false, 0x8d5 },
    { "ops", j_ops, X86_EXIT_HLT, NULL, false },
    { "stack", j_stack, X86_EXIT_HLT, NULL, false },
    { "pushpop-rsp", j_pushpop_rsp, X86_EXIT_HLT, NULL, false },
    { "pf-flags", j_pf_flags, X86_EXIT_HLT, NULL, false },
    { "pf-flags-inc", j_pf_flags_inc, X86_EXIT_HLT, NULL, false },
    { "pf-flags-helper", j_pf_flags_helper, X86_EXIT_HLT, NULL, false },
    { "pf-push", j_pf_push, X86_EXIT_HLT, NULL, false },
    { "ret-noncanonical", j_ret_nc, X86_EXIT_HLT, NULL, false },
    { "jmpi-noncanonical", j_jmpi_nc, X86_EXIT_HLT, NULL, false },
    { "calli-mem-noncanonical", j_calli_mem, X86_EXIT_HLT, NULL, false },
    { "page-cross", j_cross, X86_EXIT_HLT, NULL, false },
    { "ro-write", j_ro_write, X86_EXIT_HLT, NULL, false },
    { "smc-self", j_smc_self, X86_EXIT_HLT, NULL, false, true },
    { "smc-next", j_smc_next, X86_EXIT_HLT, NULL, false, true },
    { "smc-far", j_smc_far, X86_EXIT_HLT, NULL, false },
    { "alias", j_alias, X86_EXIT_HLT, setup_alias, false },
    { "mmio-flags", j_mmio_flags, X86_EXIT_HLT, NULL, false },
    { "div", j_div, X86_EXIT_HLT, NULL, false },
    { "stac-clac", j_stac, X86_EXIT_HLT, setup_smap, false },
    { "popf-ac", j_popf_ac, X86_EXIT_HLT, setup_user_am, false },
    { "page-end", j_far_page, X86_EXIT_HLT, NULL, false, false, 0x8d5 },
    { "top-jcc-noncanonical", j_alu, X86_EXIT_HLT, setup_top_jcc, false },
    { "top-call-noncanonical", j_alu, X86_EXIT_HLT, setup_top_call, false },
    /* the fetch past 0x7fffffffffff: #GP(0), not a page fault */
    { "top-fall-noncanonical", j_alu, X86_EXIT_HLT, setup_top_fall, false,
      false, 0, false, false, 0, 13 + 1 },
    { "invlpg-own-page-loop", j_alu, X86_EXIT_HLT, setup_remap, false },
    { "mmio-loop", j_mmio_loop, X86_EXIT_HLT, NULL, false },
    { "mmio-loop-noflags", j_mmio_loop, X86_EXIT_HLT, NULL, false, false, 0,
      true },
    { "data-breakpoint", j_dbp, X86_EXIT_HLT, NULL, false },
    { "cli-sti", j_cli_sti, X86_EXIT_HLT, NULL, false },
    { "popf-if", j_popf_if, X86_EXIT_HLT, NULL, false },
    { "bt-reg-offset-regmem", j_bt_regmem, X86_EXIT_HLT, NULL, false },
    { "bt-imm-offset", j_bt_imm, X86_EXIT_HLT, NULL, false },
    { "register-pressure", j_pressure, X86_EXIT_HLT, NULL, false, false,
      0x8d5 },
    { "ud-mid-block", j_ud_mid, X86_EXIT_HLT, NULL, false },
    { "user-jmp-kernel-handler", j_alu, X86_EXIT_HLT, setup_ukjmp, false },
    { "extend-smc", j_ext_smc, X86_EXIT_HLT, NULL, false, true },
    { "extend-data", j_ext_data, X86_EXIT_HLT, NULL, false },
    { "flag-forms", j_flag_forms, X86_EXIT_HLT, NULL, false },
    { "extend-cr2", j_ext_cr2, X86_EXIT_HLT, setup_extcr2, false, false, 0,
      false, true },
};

static Case *rand_cases;           /* "rand-N": guests-jit-rand.S */

static void make_rand_cases(void)
{
    rand_cases = g_new0(Case, g_jit_rand_count);
    for (uint32_t i = 0; i < g_jit_rand_count; i++) {
        rand_cases[i].name = g_strdup_printf("rand-%u", i);
        rand_cases[i].want = X86_EXIT_HLT;
        rand_cases[i].undef = 0x8d5;    /* IMUL, BSF...: see the generator */
        rand_cases[i].rnd = i + 1;
    }
}

static const Case *find_case(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        if (!strcmp(cases[i].name, name)) {
            return &cases[i];
        }
    }
    for (uint32_t i = 0; i < g_jit_rand_count; i++) {
        if (!strcmp(rand_cases[i].name, name)) {
            return &rand_cases[i];
        }
    }
    return NULL;
}

static void dump_range(Env *e, GString *out, uint64_t a, uint64_t end)
{
    for (; a < end; a += 8) {
        uint64_t v = get64(e, a);
        if (v) {
            g_string_append_printf(out, "%06llx: %016llx\n",
                                   (unsigned long long)a,
                                   (unsigned long long)v);
        }
    }
}

static void print_regs(GString *out, const X86Regs *r)
{
    g_string_append_printf(out,
        "\nrax %llx rbx %llx rcx %llx rdx %llx\n"
        "rsi %llx rdi %llx rsp %llx rbp %llx\n"
        "r8 %llx r9 %llx r10 %llx r11 %llx\n"
        "r12 %llx r13 %llx r14 %llx r15 %llx\n"
        "rip %llx rflags %llx\n",
        (unsigned long long)r->rax, (unsigned long long)r->rbx,
        (unsigned long long)r->rcx, (unsigned long long)r->rdx,
        (unsigned long long)r->rsi, (unsigned long long)r->rdi,
        (unsigned long long)r->rsp, (unsigned long long)r->rbp,
        (unsigned long long)r->r8, (unsigned long long)r->r9,
        (unsigned long long)r->r10, (unsigned long long)r->r11,
        (unsigned long long)r->r12, (unsigned long long)r->r13,
        (unsigned long long)r->r14, (unsigned long long)r->r15,
        (unsigned long long)r->rip, (unsigned long long)r->rflags);
}

/* The child: run case @name, print the final state; exit 0. @slice:
 * x86_cpu_set_time_slice (0: none); @irq: RFLAGS.IF set, and vector 0x20
 * injected at every 4th X86_EXIT_KICKED where it can be (@queue: queued
 * even while RFLAGS.IF=0, to come when the guest sets IF). */
static int child(const char *name, unsigned slice, bool irq, bool queue)
{
    const Case *c = find_case(name);
    Env *e;
    X86Regs r;
    X86Exit ex;
    GString *out = g_string_new(NULL), *mlog = g_string_new(NULL);
    char *sum;
    int rc, kicks = 0, nmmio = 0;

    if (!c) {
        return 2;
    }
    e = env_new();
    env_setup_long(e);
    memcpy(e->ram + JIT_BASE, g_jit_start, g_jit_end - g_jit_start);
    put64(e, TSS + 0x24, IST1);
    for (int v = 0; v < 32; v++) {
        bool ec = v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 ||
                  v == 29 || v == 30;
        uint64_t stub = STUBS + v * 32, h = sym(ec ? jit_exc_ec :
                                                   jit_exc_noec);
        uint8_t *p = e->ram + stub;
        /* movq $v, EXC_REC + 56; jmp handler */
        memcpy(p, "\x48\xc7\x04\x25", 4);
        put32(e, stub + 4, EXC_REC + 56);
        put32(e, stub + 8, v);
        p[12] = 0xe9;
        put32(e, stub + 13, (uint32_t)(h - (stub + 17)));
        set_gate(e, v, stub, 0);
        put64(e, IDT + v * 16, get64(e, IDT + v * 16) | (1ULL << 32));
    }
    set_gate(e, 0x20, sym(jit_irq), 0);
    put64(e, IDT + 0x20 * 16, get64(e, IDT + 0x20 * 16) | (1ULL << 32));
    memcpy(e->ram + JIT2_BASE, g_jit2_start, g_jit2_end - g_jit2_start);
    memcpy(e->ram + RAND_BASE, g_jit_rand_start,
           g_jit_rand_end - g_jit_rand_start);
    x86_cpu_get_regs(e->cpu, &r);
    r.rdi = LOG;
    r.rflags = irq ? 0x202 : 2;
    r.rip = sym(c->code);
    if (c->rnd) {
        r.rip = RAND_BASE + g_jit_rand_table[c->rnd - 1];
        r.rbp = 0x200c00;                   /* memory operands: 2 pages */
    }
    x86_cpu_set_regs(e->cpu, &r);
    if (c->setup && !c->setup(e)) {
        printf("setup refused\n");
        return 0;
    }
    x86_cpu_set_time_slice(e->cpu, slice);
    for (;;) {
        rc = x86_cpu_run(e->cpu, &ex);
        if (!rc && ex.reason == X86_EXIT_MMIO && nmmio < 1000) {
            /* the state at each MMIO exit; reads get 0x5a 0x5b ... */
            nmmio++;
            x86_cpu_get_regs(e->cpu, &r);
            if (c->mmio_noflags) {
                r.rflags = 0;
            }
            g_string_append_printf(mlog, "mmio %llx len %u write %d data ",
                                   (unsigned long long)ex.mmio.addr,
                                   (unsigned)ex.mmio.len, ex.mmio.write);
            for (unsigned k = 0; k < ex.mmio.len && k < 8; k++) {
                if (!ex.mmio.write) {
                    ex.mmio.data[k] = 0x5a + k;
                }
                g_string_append_printf(mlog, "%02x", ex.mmio.data[k]);
            }
            print_regs(mlog, &r);
            continue;
        }
        if (rc || ex.reason != X86_EXIT_KICKED || !slice || kicks > 100000) {
            break;
        }
        kicks++;
        /* every 4th: the handler is more than a slice of 1-instruction
         * blocks (as with DR7 breakpoints armed) */
        if (irq && kicks % 4 == 1 &&
            (queue || x86_cpu_can_inject_irq(e->cpu))) {
            x86_cpu_inject_irq(e->cpu, 0x20);   /* false: one is queued */
        }
    }
    x86_cpu_get_regs(e->cpu, &r);
    g_string_append_printf(out, "run %d exit %d (want %d)\n", rc, ex.reason,
                           c->want);
    if (!slice) {
        g_string_append_printf(out, "retired %llu\n", (unsigned long long)
                               x86_cpu_insns_retired(e->cpu));
    }
    if (ex.reason == X86_EXIT_MMIO) {
        g_string_append_printf(out, "mmio %llx len %u write %d\n",
                               (unsigned long long)ex.mmio.addr,
                               (unsigned)ex.mmio.len, ex.mmio.write);
    }
    if (ex.reason == X86_EXIT_SHUTDOWN) {
        g_string_append_printf(out, "shutdown after %u\n",
                               ex.shutdown.last_exception);
    }
    print_regs(out, &r);
    for (int k = 0; k < 32; k++) {
        uint64_t a = EXC_REC + 0x110 + k * 16;
        put64(e, a, get64(e, a) & ~(uint64_t)c->undef);
    }
    /* the last interrupt's frame and its handler's PUSHFQ on IST1 */
    put64(e, IST1 - 24, get64(e, IST1 - 24) & ~(uint64_t)c->undef);
    put64(e, IST1 - 64, get64(e, IST1 - 64) & ~(uint64_t)c->undef);
    /* with a time slice, where interrupts come depends on where blocks
     * end, which the translator may change (longer blocks): the
     * interrupts' ring and IST1 frames are not compared, only the
     * guest's own results (its handler preserves the state) */
    g_string_append(out, "exception record:\n");
    dump_range(e, out, EXC_REC, EXC_REC + (slice ? 0x40 : 0x400));
    g_string_append(out, "stacks:\n");
    dump_range(e, out, 0x7000, 0x8000);
    if (!slice) {
        dump_range(e, out, IST1 - 0x1000, IST1);
    }
    g_string_append(out, "data:\n");
    dump_range(e, out, 0x200000, 0x210000);
    g_string_append(out, "log:\n");
    dump_range(e, out, LOG, LOG + 0x4000);
    sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, e->ram + JIT_BASE,
                                      g_jit_end - g_jit_start);
    g_string_append_printf(out, "code: %s\n", sum);
    g_free(sum);
    g_string_append(out, "mmio exits:\n");
    g_string_append(out, mlog->str);
    g_string_free(mlog, true);
    fwrite(out->str, 1, out->len, stdout);
    g_string_free(out, true);
    env_free(e);
    return 0;
}

static char *self_exe;
static GPtrArray *all_runs;          /* every Run, freed at the end */

/* Run case @name in a child with KVMU_JIT=@mode; its output, and the
 * number of blocks it translated in *@ntrans (KVMU_JIT_DUMP) */
static char *run_child(const char *name, const char *mode, const char *opt,
                       int *ntrans)
{
    char *argv[] = { self_exe, (char *)"--child", (char *)name, (char *)opt,
                     NULL };
    char **envp = g_get_environ();
    char *dir = g_dir_make_tmp("test-jit-XXXXXX", NULL);
    char *out = NULL, *err = NULL;
    int status = -1;
    GDir *d;
    const char *f;

    g_assert_nonnull(dir);
    envp = g_environ_setenv(envp, "KVMU_JIT", mode, true);
    envp = g_environ_setenv(envp, "KVMU_JIT_DUMP", dir, true);
    envp = g_environ_unsetenv(envp, "KVMU_JIT_PERFMAP");
    g_assert_true(g_spawn_sync(NULL, argv, envp, G_SPAWN_DEFAULT, NULL,
                               NULL, &out, &err, &status, NULL));
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_test_message("child %s (KVMU_JIT=%s) failed: %s", name, mode,
                       err ? err : "");
        g_assert_not_reached();
    }
    *ntrans = 0;
    d = g_dir_open(dir, 0, NULL);
    while (d && (f = g_dir_read_name(d))) {
        char *p = g_build_filename(dir, f, NULL);
        g_unlink(p);
        g_free(p);
        (*ntrans)++;
    }
    if (d) {
        g_dir_close(d);
    }
    g_rmdir(dir);
    g_free(dir);
    g_free(err);
    g_strfreev(envp);
    return out;
}

/* the first differing line of @a and @b, for the log */
static void show_diff(const char *what, const char *a, const char *b)
{
    char **la = g_strsplit(a, "\n", -1), **lb = g_strsplit(b, "\n", -1);
    int shown = 0;

    for (int i = 0; la[i] && lb[i] && shown < 12; i++) {
        if (strcmp(la[i], lb[i])) {
            g_test_message("%s line %d: off \"%s\" vs jit \"%s\"", what, i,
                           la[i], lb[i]);
            shown++;
        }
    }
    g_strfreev(la);
    g_strfreev(lb);
}

typedef struct Run {
    const Case *c;
    const char *opt;                /* the child's OPT */
} Run;

static void test_case(gconstpointer p)
{
    const Run *run = p;
    const Case *c = run->c;
    int n_off, n_jit1, n_jit2;
    char *off, *jit1, *jit2;
    char want[64];

    if (c->pending && !g_getenv("KVMU_JIT_TEST_PENDING")) {
        g_test_skip("known translator bug: KVMU_JIT_TEST_PENDING=1 runs it");
        return;
    }
    off = run_child(c->name, "off", run->opt, &n_off);
    jit1 = run_child(c->name, "1", run->opt, &n_jit1);
    jit2 = run_child(c->name, "2", run->opt, &n_jit2);
    g_test_message("translations: off %d, KVMU_JIT=1 %d, KVMU_JIT=2 %d",
                   n_off, n_jit1, n_jit2);
    if (g_str_has_prefix(off, "setup refused")) {
        g_test_skip("the engine refused the case's setup");
        goto out;
    }
    /* the interpreter's run ended where the guest means it to */
    snprintf(want, sizeof(want), "run 0 exit %d (want %d)\n", c->want,
             c->want);
    if (!g_str_has_prefix(off, want)) {
        g_test_message("interpreter: %s", off);
    }
    g_assert_true(g_str_has_prefix(off, want));
    if (c->exc) {
        char *vec = g_strdup_printf("\n%06llx: %016x\n",
                                    (unsigned long long)EXC_REC + 56,
                                    c->exc - 1);
        /* an error code of 0 is not dumped (zero words are skipped) */
        char *ec = g_strdup_printf("\n%06llx: ",
                                   (unsigned long long)EXC_REC + 8);
        g_assert_nonnull(strstr(off, vec));
        g_assert_null(strstr(off, ec));
        g_free(vec);
        g_free(ec);
    }
    g_assert_cmpint(n_off, ==, 0);
    g_assert_cmpint(n_jit1, >, 0);
    if (!c->smc) {
        g_assert_cmpint(n_jit2, >, 0);
    }
    if (strcmp(off, jit1)) {
        show_diff("KVMU_JIT=1", off, jit1);
    }
    g_assert_true(!strcmp(off, jit1));
    if (strcmp(off, jit2)) {
        show_diff("KVMU_JIT=2", off, jit2);
    }
    g_assert_true(!strcmp(off, jit2));
out:
    g_free(off);
    g_free(jit1);
    g_free(jit2);
}

int main(int argc, char **argv)
{
    int rc;

    make_rand_cases();
    if (argc == 4 && !strcmp(argv[1], "--child")) {
        /* OPT: SLICE[i|q] (a time slice, 0: none; i: interrupts when
         * IF=1, q: queued whatever IF) */
        return child(argv[2], atoi(argv[3]),
                     strchr(argv[3], 'i') || strchr(argv[3], 'q'),
                     strchr(argv[3], 'q'));
    }
    self_exe = g_file_read_link("/proc/self/exe", NULL);
    all_runs = g_ptr_array_new_with_free_func(g_free);
    g_assert_nonnull(self_exe);
    g_test_init(&argc, &argv, NULL);
    /* each case as it is, then with a time slice of 5 blocks and
     * interrupts injected where IF allows them, then with a slice of 7
     * and interrupts queued whatever IF */
    for (size_t i = 0; i < G_N_ELEMENTS(cases) + g_jit_rand_count; i++) {
        const Case *c = i < G_N_ELEMENTS(cases) ? &cases[i] :
                        &rand_cases[i - G_N_ELEMENTS(cases)];
        static const char *const opts[] = { "0", "5i", "7q" };
        static const char *const sfx[] = { "", "/slice-irq", "/irq-queued" };
        for (size_t k = 0; k < (c->noslice ? 1 : G_N_ELEMENTS(opts));
             k++) {
            Run *run = g_new0(Run, 1);
            char *path = g_strdup_printf("/jit/%s%s", c->name, sfx[k]);
            run->c = c;
            run->opt = opts[k];
            /* kept for the whole run (not freed after the case: a case
             * named twice with -p runs twice) */
            g_ptr_array_add(all_runs, run);
            g_test_add_data_func(path, run, test_case);
            g_free(path);
        }
    }
    rc = g_test_run();
    g_ptr_array_free(all_runs, true);
    return rc;
}
