/*
 * The block translator: a hot decoded block of 64-bit code becomes host
 * x86-64 code (see jit.h for the contract with exec.c).
 *
 * Guest and host share the instruction set, so most integer instructions
 * are re-emitted with their operands moved: a guest register lives in a
 * host register for the block ("home": up to nine, loaded at entry and
 * stored back when written), or in cpu->regs[] (a memory operand off RBX);
 * a guest memory operand becomes [RSI] after an inline lookup of the
 * software TLB. The host executes the operation itself, so results and
 * arithmetic flags are those of the hardware, as under KVM.
 *
 * Flags: the guest's arithmetic flags are either in cpu->cc (the
 * interpreter's lazy form) or in the host's RFLAGS while translated
 * instructions produce and consume them (Jcc, SETcc, CMOVcc, ADC read
 * them natively). They are stored to cpu->cc as CC_EFLAGS (LAHF, SETO)
 * before an interpreter handler runs and when the block ends, and loaded
 * (SAHF, OF by an overflowing ADD) when a translated instruction needs
 * them after a handler. A backward liveness pass skips both where no
 * instruction reads them. Where host flags are live, the TLB lookup uses no
 * flag-writing instruction (RORX/SHRX/SHLX, LEA, JRCXZ), so flags stay in
 * RFLAGS across memory accesses.
 *
 * Anything else (and every TLB miss) calls the record's interpreter
 * handler with cpu->rip/next_ip set, registers stored and flags in
 * cpu->cc; its status decides whether the block goes on. Host registers:
 * RBX = cpu, RAX RCX RDX RSI RDI scratch, [RSP] = RIP of the block's first
 * instruction (a block can run at any linear address mapping its page).
 */
#include <cpuid.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "target/i386/jit-internal.h"
#include "target/i386/tlb.h"

/* Host registers that hold guest registers, callee-saved first: a call
 * to C (flag conversion) need not save them. */
static const uint8_t homes[] = { R12, R13, R14, R15, RBP, R8, R9, R10, R11 };
#define NHOMES ((int)sizeof(homes))

/* ---- translation of one record ---------------------------------------- */

/* Guest operand @o of record @insn at @sz bytes (memory: [RSI]) */
static Loc operand(Ctx *c, const X86Insn *insn, int o, unsigned sz)
{
    switch (o) {
    case O_E:
        if (insn->mod != 3) {
            return MEM(RSI, 0);
        }
        return jit_gloc(c, insn, insn->rm, sz);
    case O_G:
        return jit_gloc(c, insn, insn->reg, sz);
    case O_ACC:
        return jit_gloc(c, insn, R_EAX, sz);
    case O_RMREG:
        return jit_gloc(c, insn, insn->rm, sz);
    default:
        return IMM((int64_t)insn->imm);
    }
}

/* A guest register operand copied into RAX (64 bits) */
static void greg_to_rax(Ctx *c, const X86Insn *insn, unsigned g)
{
    Loc s = jit_gloc(c, insn, g, 8);

    if (s.kind == L_REG) {
        jit_mov_rr(c, RAX, s.reg);
    } else {
        jit_load64(c, RAX, s);
    }
}

/* guest RSP += @delta */
static void adjust_rsp(Ctx *c, int delta)
{
    int h = c->home[R_ESP];

    if (h >= 0) {
        jit_lea64(c, h, MEM(h, delta));
        c->dirty |= 1u << R_ESP;
    } else {
        jit_load64(c, RAX, MEM(RBX, OFF_REG(R_ESP)));
        jit_lea64(c, RAX, MEM(RAX, delta));
        jit_store64(c, MEM(RBX, OFF_REG(R_ESP)), RAX);
    }
}

/* RSI = guest RSP + @delta */
static void rsp_to_rsi(Ctx *c, int delta)
{
    int h = c->home[R_ESP];

    if (h >= 0) {
        jit_lea64(c, RSI, MEM(h, delta));
    } else {
        jit_load64(c, RSI, MEM(RBX, OFF_REG(R_ESP)));
        if (delta) {
            jit_lea64(c, RSI, MEM(RSI, delta));
        }
    }
}

/* The guest's CL (a shift count) into the host's CL */
static void count_to_cl(Ctx *c, const X86Insn *insn)
{
    Loc cl = jit_gloc(c, insn, R_ECX, 8);

    if (cl.kind == L_REG) {
        jit_emit_modrm(c, 4, 0x8b, 1, RCX, false, cl, false);  /* mov */
    } else {
        jit_emit_modrm(c, 4, 0x0fb6, 2, RCX, false, cl, false); /* movzx */
    }
}

/* Record @i's branch to its RIP + length + imm (registers stored, flags
 * in cpu->cc): round again if that is the block's start, else leave by a
 * chainable exit (@s: the record's stub, for a non-canonical target) */
static bool branch_exit(Ctx *c, unsigned i, Stub *s)
{
    const X86Insn *insn = &c->b->insns[i];
    int64_t rel = insn->len + (int64_t)insn->imm;

    if (c->off[i] + rel == 0) {
        jit_emit_backedge(c, i, -(int64_t)c->off[i]);
        return true;
    }
    if (!jit_target_rdx(c, i, rel, s)) {
        return false;
    }
    jit_exit_rdx(c, i, jit_on_page(c, i, rel));
    return true;
}

static bool emit_record(Ctx *c, unsigned i)
{
    const X86Insn *insn = &c->b->insns[i];
    const Info *f = &c->inf[i];
    unsigned op = insn->opcode, sz = f->sz, d = insn->reg & 7;
    int nst = c->nstubs;
    Loc dst, src;

    if (f->rd || f->pr) {
        jit_flags_load(c);
    }
    if (f->kind == K_JCC || f->kind == K_JMP || f->kind == K_CALL ||
        f->kind == K_RET || f->kind == K_JMPI || f->kind == K_CALLI) {
        jit_flags_store(c);             /* the exits need them in cpu->cc */
        jit_writeback(c, c->dirty & ~(1u << R_ESP));
        c->dirty &= 1u << R_ESP;
    }
    if (f->mem) {
        if (f->kind == K_PUSH || f->kind == K_CALL) {
            rsp_to_rsi(c, -8);
        } else if (f->kind == K_POP || f->kind == K_RET) {
            rsp_to_rsi(c, 0);
        } else if (!jit_emit_ea(c, i, insn, RSI, true)) {
            return false;
        }
        jit_emit_lookup(c, i, f->msz, f->acc);
        if (f->kind == K_CALL || f->kind == K_RET || f->kind == K_JMPI ||
            f->kind == K_CALLI) {
            c->stubs[nst].ender = true;
        }
    }
    switch (f->kind) {
    case K_NOP:
        break;
    case K_ALU:
        dst = operand(c, insn, f->dst, sz);
        src = operand(c, insn, f->src, sz);
        if (f->src == O_IMM && f->op == A_MOV && sz == 8 &&
            (op >= 0xb8 && op <= 0xbf)) {
            src = IMM((int64_t)insn->imm);  /* full 64-bit immediate */
        }
        jit_emit_alu(c, f->op, sz, dst, src, false);
        if (f->op != A_CMP && f->op != A_TEST) {
            jit_wrote(c, dst, sz);
        }
        break;
    case K_UNARY:
        dst = operand(c, insn, O_E, sz);
        jit_emit_modrm(c, sz == 1 ? 1 : sz, op, 1, d, false, dst, sz == 1);
        jit_wrote(c, dst, sz);
        break;
    case K_SHIFT:
        dst = operand(c, insn, O_E, sz);
        if (op == 0xd2 || op == 0xd3) {
            count_to_cl(c, insn);
        }
        jit_emit_modrm(c, sz == 1 ? 1 : sz, op, 1, d, false, dst, sz == 1);
        if (op == 0xc0 || op == 0xc1) {
            e8(c, insn->imm & 0xff);
        }
        jit_wrote(c, dst, sz);
        break;
    case K_SHD:
        dst = operand(c, insn, O_E, sz);
        src = jit_gloc(c, insn, insn->reg, sz);
        if (op == 0xa5 || op == 0xad) {
            count_to_cl(c, insn);
        }
        if (src.kind != L_REG) {
            jit_load64(c, RDX, src);
            src = R(RDX);
        }
        jit_emit_modrm(c, sz, 0x0f00 | op, 2, src.reg, false, dst, false);
        if (op == 0xa4 || op == 0xac) {
            e8(c, insn->imm & 0xff);
        }
        jit_wrote(c, dst, sz);
        break;
    case K_IMUL2:
    case K_IMUL3:
    case K_CMOV:
    case K_BSX:
    case K_MOVX: {
        unsigned ms = f->kind == K_MOVX ? f->msz : sz;
        Loc g = jit_gloc(c, insn, insn->reg, sz);
        unsigned r = g.kind == L_REG ? g.reg : RAX;
        uint32_t opc = f->kind == K_IMUL3 ? op : 0x0f00 | op;
        src = operand(c, insn, O_E, ms);
        if (r == RAX && (f->kind == K_CMOV || f->kind == K_BSX ||
                         f->kind == K_IMUL2)) {
            greg_to_rax(c, insn, insn->reg);    /* may be kept */
        }
        if (f->kind == K_MOVX && op == 0x63) {
            jit_emit_modrm(c, 8, 0x63, 1, r, false, src, false);
        } else {
            jit_emit_modrm(c, sz, opc, f->kind == K_IMUL3 ? 1 : 2, r, false,
                       src, ms == 1);
        }
        if (f->kind == K_IMUL3) {
            jit_emit_imm(c, op == 0x6b ? 1 : (sz == 2 ? 2 : 4), insn->imm);
        }
        if (r == RAX) {
            jit_store_from_rax(c, insn, insn->reg, sz);
        } else {
            jit_wrote(c, g, 8);
        }
        break;
    }
    case K_LEA: {
        Loc g = jit_gloc(c, insn, insn->reg, sz);
        unsigned r = g.kind == L_REG ? g.reg : RDI;
        if (!jit_emit_ea(c, i, insn, r == RDI ? RDI : RSI, false)) {
            return false;
        }
        if (r != RDI) {
            jit_emit_alu(c, A_MOV, sz, g, R(RSI), false);
            jit_wrote(c, g, sz);
        } else {
            jit_mov_rr(c, RAX, RDI);
            if (sz == 4) {
                jit_emit_modrm(c, 4, 0x89, 1, RAX, false, R(RAX), false);
            }
            jit_store_from_rax(c, insn, insn->reg, sz);
        }
        break;
    }
    case K_SETCC:
        dst = operand(c, insn, O_E, 1);
        jit_emit_modrm(c, 1, 0x0f00 | op, 2, 0, false, dst, true);
        jit_wrote(c, dst, 1);
        break;
    case K_BSWAP:
        dst = jit_gloc(c, insn, insn->rm, sz);
        if (dst.kind == L_REG) {
            e8(c, 0x40 | (sz == 8 ? 8 : 0) | ((dst.reg & 8) ? 1 : 0));
            e8(c, 0x0f);
            e8(c, 0xc8 + (dst.reg & 7));
        } else {
            greg_to_rax(c, insn, insn->rm);
            e8(c, sz == 8 ? 0x48 : 0x40);
            e8(c, 0x0f);
            e8(c, 0xc8);
            jit_store_from_rax(c, insn, insn->rm, sz);
            break;
        }
        jit_wrote(c, dst, sz);
        break;
    case K_BT:
        dst = operand(c, insn, O_E, sz);
        if (op == 0xba) {
            jit_emit_modrm(c, sz, 0x0fba, 2, d, false, dst, false);
            e8(c, insn->imm & 0xff);
        } else {
            /* register forms only: the offset wraps at the size, so a
             * register kept in cpu->regs goes through RAX (in memory the
             * offset would address past it) */
            bool via = dst.kind == L_MEM;
            src = jit_gloc(c, insn, insn->reg, sz);
            if (src.kind != L_REG) {
                jit_load64(c, RDX, src);
                src = R(RDX);
            }
            if (via) {
                jit_load64(c, RAX, dst);
            }
            jit_emit_modrm(c, sz, 0x0f00 | op, 2, src.reg, false,
                       via ? R(RAX) : dst, false);
            if (via && f->acc == ACC_WRITE) {
                jit_store_from_rax(c, insn, insn->rm, sz);
                break;
            }
        }
        if (f->acc == ACC_WRITE) {
            jit_wrote(c, dst, sz);
        }
        break;
    case K_XCHG: {
        unsigned a = op == 0x87 ? insn->rm : R_EAX;
        unsigned b = op == 0x87 ? insn->reg : insn->rm;
        Loc la = jit_gloc(c, insn, a, sz), lb = jit_gloc(c, insn, b, sz);
        if (a == b && sz != 4) {
            break;
        }
        jit_emit_alu(c, A_MOV, sz, R(RAX), la, false);
        jit_emit_alu(c, A_MOV, sz, R(RDX), lb, false);
        jit_emit_alu(c, A_MOV, sz, la, R(RDX), false);
        jit_wrote(c, la, sz);
        jit_emit_alu(c, A_MOV, sz, lb, R(RAX), false);
        jit_wrote(c, lb, sz);
        break;
    }
    case K_CXX:
        greg_to_rax(c, insn, R_EAX);
        if (op == 0x99) {
            Loc l = jit_gloc(c, insn, R_EDX, 8);
            if (l.kind == L_REG) {
                jit_mov_rr(c, RDX, l.reg);
            } else {
                jit_load64(c, RDX, l);
            }
        }
        if (sz == 2) {
            e8(c, 0x66);
        } else if (sz == 8) {
            e8(c, 0x48);
        }
        e8(c, op);
        if (op == 0x98) {
            jit_store_from_rax(c, insn, R_EAX, sz);
        } else {
            jit_mov_rr(c, RAX, RDX);
            jit_store_from_rax(c, insn, R_EDX, sz);
        }
        break;
    case K_PUSH:
        if (op >= 0x50 && op <= 0x57) {
            src = jit_gloc(c, insn, insn->rm, 8);
            if (src.kind != L_REG) {
                jit_load64(c, RAX, src);
                src = R(RAX);
            }
            jit_store64(c, MEM(RSI, 0), src.reg);
        } else {
            jit_emit_modrm(c, 8, 0xc7, 1, 0, false, MEM(RSI, 0), false);
            e32(c, insn->imm);
        }
        adjust_rsp(c, -8);
        break;
    case K_POP:
        jit_load64(c, RDX, MEM(RSI, 0));
        adjust_rsp(c, 8);
        dst = jit_gloc(c, insn, insn->rm, 8);
        if (dst.kind == L_REG) {
            jit_mov_rr(c, dst.reg, RDX);
        } else {
            jit_store64(c, dst, RDX);
        }
        jit_wrote(c, dst, 8);
        break;
    case K_JCC: {
        uint8_t *taken;
        Stub *s = jit_new_stub(c, i);
        s->ender = true;
        jit_writeback(c, c->dirty);
        c->dirty = 0;
        if (i + 1 < c->b->n) {
            /* a Jcc inside an extended block (x86_block_extend): taken
             * leaves, not taken goes on */
            uint8_t *cont = jit_jmp32(c, (op & 15) ^ 1, NULL);
            if (!branch_exit(c, i, s)) {
                return false;
            }
            jit_patch32(cont, c->p);
            break;
        }
        taken = jit_jmp32(c, op & 15, NULL);
        jit_rip_of(c, RDX, i, insn->len);
        jit_exit_rdx(c, i, jit_on_page(c, i, insn->len));
        jit_patch32(taken, c->p);
        return branch_exit(c, i, s);
    }
    case K_JMP: {
        Stub *s = jit_new_stub(c, i);
        s->ender = true;
        jit_writeback(c, c->dirty);
        c->dirty = 0;
        return branch_exit(c, i, s);
    }
    case K_CALL:
        /* target checked before the push and the RSP update */
        if (!jit_target_rdx(c, i, insn->len + (int64_t)insn->imm,
                        &c->stubs[nst])) {
            return false;
        }
        jit_rip_of(c, RAX, i, insn->len);
        jit_store64(c, MEM(RSI, 0), RAX);
        adjust_rsp(c, -8);
        jit_writeback(c, c->dirty);
        c->dirty = 0;
        jit_exit_rdx(c, i, jit_on_page(c, i, insn->len + (int64_t)insn->imm));
        return true;
    case K_JMPI:
    case K_CALLI: {
        Loc t = operand(c, insn, O_E, 8);
        Stub *s = f->mem ? &c->stubs[nst] : jit_new_stub(c, i);
        s->ender = true;
        if (t.kind == L_REG) {
            jit_mov_rr(c, RDX, t.reg);
        } else {
            jit_load64(c, RDX, t);
        }
        jit_canon_rdx(c, s);
        if (f->kind == K_CALLI) {
            int k = c->nstubs;
            jit_mov_rr(c, RDI, RDX);
            rsp_to_rsi(c, -8);
            jit_emit_lookup(c, i, 8, ACC_WRITE);
            c->stubs[k].ender = true;
            jit_rip_of(c, RAX, i, insn->len);
            jit_store64(c, MEM(RSI, 0), RAX);
            adjust_rsp(c, -8);
            jit_mov_rr(c, RDX, RDI);
        }
        jit_writeback(c, c->dirty);
        c->dirty = 0;
        jit_exit_to(c, i, false, true);
        return true;
    }
    case K_RET:
        jit_load64(c, RDX, MEM(RSI, 0));
        jit_canon_rdx(c, &c->stubs[nst]);
        adjust_rsp(c, 8);
        jit_writeback(c, c->dirty);
        c->dirty = 0;
        jit_exit_to(c, i, false, true);
        return true;
    default:
        return false;
    }
    if (f->wr) {
        c->fs = FS_HOST;
    }
    for (int k = nst; k < c->nstubs; k++) {
        c->stubs[k].resume = c->p;
        c->stubs[k].fs_after = c->fs;
    }
    return true;
}

/* ---- blocks -------------------------------------------------------------- */

static bool host_has_bmi2(void)
{
    unsigned a, b, cc, d;

    return __get_cpuid_count(7, 0, &a, &b, &cc, &d) && (b & (1u << 8));
}

unsigned x86_jit_thr;

unsigned x86_jit_threshold(void)
{
    static gsize once;

    if (g_once_init_enter(&once)) {
        const char *s = getenv("KVMU_JIT");
        int t = 16;
        if (s && (!strcmp(s, "off") || !strcmp(s, "0"))) {
            t = 0;
        } else if (s && *s) {
            t = atoi(s) > 0 ? atoi(s) : 16;
        }
        x86_jit_thr = host_has_bmi2() ? t : 0;
        g_once_init_leave(&once, 1);
    }
    return x86_jit_thr;
}

/* KVMU_JIT_DUMP=DIR (read once): where each translation is written */
static const char *dump_dir(void)
{
    static const char *dir;
    static gsize once;

    if (g_once_init_enter(&once)) {
        dir = getenv("KVMU_JIT_DUMP");
        g_once_init_leave(&once, 1);
    }
    return dir;
}

/* KVMU_JIT_DUMP: the host code of a translation (GPA-MMU.bin) and the
 * guest bytes it came from (.guest), for objdump -b binary */
static void dump_translation(X86CPU *cpu, Ctx *c, const uint8_t *start)
{
    char *path = g_strdup_printf("%s/%llx-%d.bin", dump_dir(),
                                 (unsigned long long)c->b->gpa, (int)c->mmu);
    char *gpath = g_strconcat(path, ".guest", NULL);
    uint8_t *gh;
    uint64_t gg;

    g_file_set_contents(path, (const char *)start, c->p - start, NULL);
    if (x86_probe_fetch(cpu, cpu->rip, &gh, &gg) && gh) {
        g_file_set_contents(gpath, (const char *)gh,
                            MIN(c->off[c->b->n],
                                0x1000 - (cpu->rip & 0xfff)), NULL);
    }
    g_free(gpath);
    g_free(path);
}

/* KVMU_JIT_PERFMAP=1: name translated blocks for perf(1) in
 * /tmp/perf-PID.map */
static FILE *perf_map(void)
{
    static FILE *f;
    static gsize once;

    if (g_once_init_enter(&once)) {
        const char *s = getenv("KVMU_JIT_PERFMAP");
        if (s && *s == '1') {
            char path[64];
            snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)getpid());
            f = fopen(path, "w");
        }
        g_once_init_leave(&once, 1);
    }
    return f;
}

static X86Jit *jit_get(X86CPU *cpu)
{
    X86Jit *j = cpu->jit;
    static const uint8_t enter[] = {
        0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57,
        0x48, 0x83, 0xec, 0x08,         /* sub rsp, 8 */
        0x48, 0x89, 0xfb,               /* mov rbx, rdi */
        0xff, 0xe6,                     /* jmp rsi */
    };
    static const uint8_t leave[] = {
        0x48, 0x83, 0xc4, 0x08,         /* add rsp, 8 */
        0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d, 0x41, 0x5c, 0x5d, 0x5b,
        0xc3,
    };
    void *m;

    if (j) {
        return j;
    }
    m = mmap(NULL, JIT_BUF_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        return NULL;
    }
    j = g_new0(X86Jit, 1);
    j->buf = m;
    j->ibtc = g_new0(JitSlot, IBTC_SIZE);
    for (unsigned k = 0; k < IBTC_SIZE; k++) {
        j->ibtc[k].lin = ~0ULL;
        j->ibtc[k].mmu = ~0u;
        j->ibtc[k].owner = ~0u;
    }
    memcpy(j->buf, enter, sizeof(enter));
    j->enter = (int (*)(X86CPU *, void *))(void *)j->buf;
    j->leave = j->buf + 32;
    memcpy(j->leave, leave, sizeof(leave));
    j->base = j->used = 64;
    cpu->jit = j;
    return j;
}

void x86_jit_flush(X86CPU *cpu)
{
    if (cpu->jit) {
        cpu->jit->used = cpu->jit->base;
    }
}

void x86_jit_free(X86CPU *cpu)
{
    if (cpu->jit) {
        munmap(cpu->jit->buf, JIT_BUF_SIZE);
        g_free(cpu->jit->ibtc);
        g_free(cpu->jit);
        cpu->jit = NULL;
    }
}

int x86_jit_run(X86CPU *cpu, X86Block *b)
{
    return cpu->jit->enter(cpu, b->jit);
}

void x86_jit_compile(X86CPU *cpu, X86Block *b)
{
    X86Jit *j = jit_get(cpu);
    Ctx *c;
    unsigned cnt[16] = { 0 }, n = b->n;
    uint16_t nohome = 0;
    uint8_t *start;
    int nh = 0;

    b->jit_fail = 1;
    if (!j || b == cpu->tmp_block || !n) {
        return;
    }
    if (JIT_BUF_SIZE - j->used < JIT_MARGIN * (n + 2)) {
        /* full: every block goes (so no code refers to the buffer) */
        x86_blocks_flush(cpu);
        return;
    }
    c = g_new0(Ctx, 1);
    c->cpu = cpu;
    c->b = b;
    c->jit = j;
    c->mmu = cpu->mmu_idx;
    start = c->p = j->buf + j->used;
    c->end = j->buf + JIT_BUF_SIZE;
    for (unsigned i = 0; i < n; i++) {
        jit_classify(&b->insns[i], &c->inf[i]);
        c->off[i + 1] = c->off[i] + b->insns[i].len;
        jit_reg_uses(&b->insns[i], &c->inf[i], cnt, &nohome);
    }
    /* flags liveness, backwards: live at the block's end, and observable
     * wherever an exception may be taken (a memory access may fault: its
     * stub runs the handler, which pushes the flags) */
    c->live[n] = true;
    for (unsigned i = n; i-- > 0;) {
        Info *f = &c->inf[i];
        /* a record keeping some flags needs them only if they are read
         * later: else it counts as writing them all */
        if (f->pr && !c->live[i + 1]) {
            f->pr = false;
        }
        c->live[i] = f->rd || f->pr || f->mem ||
                     (!f->wr && c->live[i + 1]);
    }
    /* homes: the most used registers */
    memset(c->home, -1, sizeof(c->home));
    for (int h = 0; h < NHOMES; h++) {
        int best = -1;
        for (int g = 0; g < 16; g++) {
            if (!(nohome & (1u << g)) && c->home[g] < 0 && cnt[g] > 1 &&
                (best < 0 || cnt[g] > cnt[best])) {
                best = g;
            }
        }
        if (best < 0) {
            break;
        }
        c->home[best] = homes[nh++];
        c->mapped |= 1u << best;
    }
    c->fs = FS_CC;
    jit_load64(c, RAX, MEM(RBX, OFF(rip)));
    jit_store64(c, MEM(RSP, 0), RAX);
    jit_reload(c);
    c->head = c->p;
    for (unsigned i = 0; i < n; i++) {
        bool ok;
        int nst = c->nstubs;
        uint8_t *at = c->p;
        int fs = c->fs;
        uint16_t dirty = c->dirty;

        if (c->inf[i].kind == K_HELPER) {
            jit_emit_helper(c, i);
            continue;
        }
        ok = emit_record(c, i);
        if (!ok) {
            /* not expressible after all: undo, use the handler */
            c->p = at;
            c->nstubs = nst;
            c->fs = fs;
            c->dirty = dirty;
            c->inf[i].kind = K_HELPER;
            jit_emit_helper(c, i);
        }
        if (c->full) {
            break;
        }
    }
    if (!c->full && c->inf[n - 1].kind == K_HELPER) {
        /* a handler ended it: next_ip is set */
        jit_flags_store(c);
        jit_writeback(c, c->dirty);
        e8(c, 0xb8);
        e32(c, (n - 1) << 8);
        jit_jmp32(c, -1, j->leave);
    } else if (!c->full && c->inf[n - 1].kind != K_JCC &&
               c->inf[n - 1].kind != K_JMP && c->inf[n - 1].kind != K_CALL &&
               c->inf[n - 1].kind != K_RET && c->inf[n - 1].kind != K_JMPI &&
               c->inf[n - 1].kind != K_CALLI) {
        /* fell off the end (page end, record limit): on to the next */
        jit_flags_store(c);
        jit_writeback(c, c->dirty);
        jit_rip_of(c, RDX, n - 1, b->insns[n - 1].len);
        jit_exit_rdx(c, n - 1, jit_on_page(c, n - 1, b->insns[n - 1].len));
    }
    for (int k = 0; k < c->nstubs && !c->full; k++) {
        jit_emit_stub(c, &c->stubs[k]);
    }
    if (!c->full && dump_dir()) {
        dump_translation(cpu, c, start);
    }
    if (!c->full && perf_map()) {
        fprintf(perf_map(), "%lx %lx kvmu-jit-%llx\n", (unsigned long)start,
                (unsigned long)(c->p - start), (unsigned long long)b->gpa);
        fflush(perf_map());
    }
    if (!c->full) {
        b->jit = start;
        b->jit_mmu = c->mmu;
        b->jit_fail = 0;
        j->used = (size_t)(c->p - j->buf + 15) & ~(size_t)15;
    }
    g_free(c);
}

