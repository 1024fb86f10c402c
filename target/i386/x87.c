/*
 * x87 FPU instructions (D8-DF, 9B FWAIT) and the 0F AE state group
 * (FXSAVE/FXRSTOR/XSAVE/XRSTOR via fpu-state.c).  Each instruction is
 * validated here (reserved encodings are #UD, pending unmasked exceptions
 * raise #MF before a waiting instruction), its memory operand is read or
 * written through the guest MMU, and the operation runs on the host's x87
 * with the guest's complete x87 state (control word included) loaded by
 * FXRSTOR64 and stored back by FXSAVE64 (fpu-host.h), so results, flags,
 * C0-C3, tags and the masked/unmasked exception responses are the host's.
 * Unmasked exceptions only set ES/B as on hardware; #MF comes with the
 * next waiting instruction (x86_raise(EXC_MF): with CR0.NE=0 and an
 * embedder FERR# hook, excp.c turns it into FERR# and a frozen
 * instruction instead).  While the embedder asserts IGNNE# (port F0h)
 * with CR0.NE=0 a pending error is ignored; FERR# (and the IGNNE# latch)
 * drop when ES is cleared.  The 16-bit real-mode FLDENV/FSTENV/FSAVE/
 * FRSTOR layouts are those of protected mode.
 */
#include "target/i386/fpu-host.h"
#include "target/i386/fpu-state.h"
#include "target/i386/sse-table.h"

#define FSW_ES 0x0080u

enum { XM_NONE, XM_R, XM_W };

typedef struct X87Mem {
    uint8_t acc;                /* XM_* */
    uint8_t size;
    bool nowait;
} X87Mem;

/* memory forms: [opcode - 0xd8][reg] */
static X87Mem x87_mem(unsigned op, unsigned reg, unsigned opsize)
{
    static const X87Mem tab[8][8] = {
        /* D8 m32fp */
        { {XM_R, 4}, {XM_R, 4}, {XM_R, 4}, {XM_R, 4}, {XM_R, 4}, {XM_R, 4},
          {XM_R, 4}, {XM_R, 4} },
        /* D9 */
        { {XM_R, 4}, {XM_NONE, 0}, {XM_W, 4}, {XM_W, 4}, {XM_R, 28},
          {XM_R, 2}, {XM_W, 28, true}, {XM_W, 2, true} },
        /* DA m32int */
        { {XM_R, 4}, {XM_R, 4}, {XM_R, 4}, {XM_R, 4}, {XM_R, 4}, {XM_R, 4},
          {XM_R, 4}, {XM_R, 4} },
        /* DB */
        { {XM_R, 4}, {XM_W, 4}, {XM_W, 4}, {XM_W, 4}, {XM_NONE, 0},
          {XM_R, 10}, {XM_NONE, 0}, {XM_W, 10} },
        /* DC m64fp */
        { {XM_R, 8}, {XM_R, 8}, {XM_R, 8}, {XM_R, 8}, {XM_R, 8}, {XM_R, 8},
          {XM_R, 8}, {XM_R, 8} },
        /* DD */
        { {XM_R, 8}, {XM_W, 8}, {XM_W, 8}, {XM_W, 8}, {XM_R, 108},
          {XM_NONE, 0}, {XM_W, 108, true}, {XM_W, 2, true} },
        /* DE m16int */
        { {XM_R, 2}, {XM_R, 2}, {XM_R, 2}, {XM_R, 2}, {XM_R, 2}, {XM_R, 2},
          {XM_R, 2}, {XM_R, 2} },
        /* DF */
        { {XM_R, 2}, {XM_W, 2}, {XM_W, 2}, {XM_W, 2}, {XM_R, 10},
          {XM_R, 8}, {XM_W, 10}, {XM_W, 8} },
    };
    X87Mem m = tab[op - 0xd8][reg];

    if (opsize == 2 && m.size == 28) {
        m.size = 14;                    /* 16-bit environment */
    } else if (opsize == 2 && m.size == 108) {
        m.size = 94;
    }
    return m;
}

/* register forms: -1 #UD, 0 run on host, 1 no-op */
static int x87_reg_kind(unsigned op, unsigned modrm)
{
    unsigned lo = modrm & 0x3f;         /* modrm - 0xc0 */

    switch (op) {
    case 0xd8:
        return 0;
    case 0xd9:
        if (lo == 0x10 || lo < 0x10) {
            return 0;                   /* FLD, FXCH, FNOP */
        }
        if (lo < 0x20 || lo == 0x22 || lo == 0x23 || lo == 0x26 ||
            lo == 0x27 || lo == 0x2f) {
            return -1;
        }
        return 0;
    case 0xda:
        return lo < 0x20 || lo == 0x29 ? 0 : -1;
    case 0xdb:
        if (lo < 0x20 || lo == 0x22 || lo == 0x23 ||
            (lo >= 0x28 && lo < 0x38)) {
            return 0;
        }
        if (lo == 0x20 || lo == 0x21 || lo == 0x24) {
            return 1;                   /* FENI, FDISI, FSETPM: no-ops */
        }
        return -1;
    case 0xdc:
        return lo >= 0x10 && lo < 0x20 ? -1 : 0;
    case 0xdd:
        return lo < 0x08 || (lo >= 0x10 && lo < 0x30) ? 0 : -1;
    case 0xde:
        return (lo >= 0x10 && lo < 0x20 && lo != 0x19) ? -1 : 0;
    case 0xdf:
        return (lo >= 0x28 && lo < 0x38) || lo == 0x20 ? 0 : -1;
    default:
        return -1;
    }
}

/* A waiting instruction must report the pending error first (IGNNE#
 * counts only with CR0.NE=0). */
static inline bool mf_pending(X86CPU *cpu)
{
    return (cpu->fpu.fsw & FSW_ES) &&
           !(cpu->ignne && !(cpu->cr0 & CR0_NE));
}

static int fwait(X86CPU *cpu)
{
    return mf_pending(cpu) ? x86_raise(cpu, EXC_MF) : X86_NEXT;
}

/* FERR# follows ES: once an instruction cleared it, tell the embedder. */
static int ferr_update(X86CPU *cpu, int st)
{
    if (__builtin_expect(cpu->ferr, 0) && !(cpu->fpu.fsw & FSW_ES)) {
        x86_ferr_signal(cpu, false);
    }
    return st;
}

/* Put the guest's FIP/FOP/FDP into a 32-bit protected-mode environment
 * image (FNSTENV/FNSAVE), so no host address leaks into the guest. */
static void patch_env(const X86FPUState *f, uint8_t *env)
{
    uint32_t ip = (uint32_t)f->fip, dp = (uint32_t)f->fdp;
    uint32_t csop = f->fcs | (uint32_t)(f->fop & 0x7ff) << 16;
    uint32_t ds = f->fds;

    memcpy(env + 12, &ip, 4);
    memcpy(env + 16, &csop, 4);
    memcpy(env + 20, &dp, 4);
    memcpy(env + 24, &ds, 4);
}

int x86_x87_exec(X86CPU *cpu, const X86Insn *insn)
{
    FpuHostCtx ctx;
    FpuThunkKey key;
    FpuThunk thunk;
    X87Mem m = { XM_NONE, 0, false };
    bool mem = insn->mod != 3;
    unsigned op = insn->opcode;
    uint64_t ea = 0;
    uint64_t save_fip = cpu->fpu.fip, save_fdp = cpu->fpu.fdp;
    uint16_t save_fop = cpu->fpu.fop;
    bool control;
    unsigned n = 0;

    if (insn->map == MAP_0F && op == 0xae) {
        return ferr_update(cpu, fpu_state_exec_0fae(cpu, insn));
    }
    if (insn->map == MAP_1B && op == 0x9b) {
        return fwait(cpu);
    }
    if (insn->map != MAP_1B || op < 0xd8 || op > 0xdf ||
        (insn->prefix & PFX_LOCK)) {
        return x86_ud(cpu);
    }

    memset(&key, 0, sizeof(key));
    key.kind = FPU_THUNK_X87;
    if (mem) {
        m = x87_mem(op, insn->reg & 7, insn->opsize);
        if (m.acc == XM_NONE ||
            ((insn->reg & 7) == 1 && (op == 0xdb || op == 0xdd || op == 0xdf) &&
             !sse_host_has_sse3())) {
            return x86_ud(cpu);                 /* FISTTP is SSE3 */
        }
        control = m.nowait || (op == 0xd9 && (insn->reg & 7) >= 4) ||
                  (op == 0xdd && (insn->reg & 7) == 4);
    } else {
        int kind = x87_reg_kind(op, insn->modrm);

        if (kind < 0) {
            return x86_ud(cpu);
        }
        if (op == 0xdb && (insn->modrm == 0xe2 || insn->modrm == 0xe3)) {
            m.nowait = true;            /* FNCLEX, FNINIT */
        }
        if (op == 0xdf && insn->modrm == 0xe0) {
            m.nowait = true;            /* FNSTSW AX */
        }
        if (!m.nowait && mf_pending(cpu)) {
            return x86_raise(cpu, EXC_MF);
        }
        if (kind == 1) {
            return X86_NEXT;
        }
        if (op == 0xdf && insn->modrm == 0xe0) {
            uint16_t sw = (uint16_t)((cpu->fpu.fsw & ~0x3800u) |
                                     (cpu->fpu.top & 7u) << 11);

            cpu->regs[R_EAX] = (cpu->regs[R_EAX] & ~0xffffULL) | sw;
            return X86_NEXT;
        }
        control = m.nowait;
        if ((op == 0xda || op == 0xdb) && (insn->modrm & 0x3f) < 0x20) {
            key.flags |= FPU_THUNK_FLAGS_IN;            /* FCMOVcc */
        }
        if ((op == 0xdb || op == 0xdf) && (insn->modrm & 0x3f) >= 0x28 &&
            (insn->modrm & 0x3f) < 0x38) {
            key.flags |= FPU_THUNK_FLAGS_OUT;           /* FCOMI family */
        }
    }
    if (mem && !m.nowait && mf_pending(cpu)) {
        return x86_raise(cpu, EXC_MF);
    }

    /* canonical bytes */
    if (insn->opsize == 2 && m.size >= 14 && m.size != 108 && m.size != 28) {
        key.insn[n++] = 0x66;
    }
    key.insn[n++] = (uint8_t)op;
    if (mem) {
        n += fpu_host_emit_mem(key.insn + n, insn->reg & 7);
    } else {
        key.insn[n++] = insn->modrm;
    }
    key.len = (uint8_t)n;

    if (mem) {
        ea = x86_insn_ea(cpu, insn);
        if (__builtin_expect(cpu->slow_data & SLOW_DATA_AC, 0) &&
            m.size >= 14) {
            /* FLDENV/FSTENV/FRSTOR/FSAVE areas: 4-byte aligned (2 with a
             * 16-bit operand size) for #AC; the block accesses below are
             * not checked by size (SDM Vol. 3A Table 6-7) */
            uint64_t lin;

            if (!x86_seg_linear(cpu, insn->seg, ea, m.size,
                                m.acc == XM_R ? ACC_READ : ACC_WRITE, &lin)) {
                return X86_EXC;
            }
            if (lin & (insn->opsize == 2 ? 1 : 3)) {
                return x86_raise_err(cpu, EXC_AC, 0);
            }
        }
        if (m.acc == XM_R &&
            !fpu_read_block(cpu, insn->seg, ea, ctx.mem, m.size)) {
            return X86_EXC;
        }
        if (m.acc == XM_W && !x86_probe_write(cpu, insn->seg, ea, m.size)) {
            return X86_EXC;
        }
    }
    /* only the x87 part: FXRSTOR loads stale XMM contents into the host's
     * caller-saved XMM registers, which is harmless */
    fpu_state_to_fx_x87(&cpu->fpu, ctx.fx, 0x1f80);
    ctx.rflags = (x86_get_flags(cpu) & F_ARITH) | 2;
    ctx.host_fcw = 0x037f;

    thunk = fpu_host_thunk(&key);
    if (!thunk) {
        return x86_ud(cpu);
    }
    if (mem && m.acc == XM_W) {
        memset(ctx.mem, 0, sizeof(ctx.mem));    /* never leak host stack */
    }
    thunk(&ctx, cpu->fpu.xmm);

    if (mem && m.acc == XM_W) {
        uint16_t fcw_after, fsw_after;

        memcpy(&fcw_after, ctx.fx + 0, 2);
        memcpy(&fsw_after, ctx.fx + 2, 2);
        /*
         * A store that raised an unmasked exception other than precision
         * leaves memory alone (FST/FIST/FBSTP...). No unmasked flag can be
         * set before a waiting instruction (it would have raised #MF), so
         * any unmasked flag now is this instruction's.
         */
        if (!m.nowait && (fsw_after & ~fcw_after & 0x1f)) {
            goto stored;
        }
        if (m.size == 28 || m.size == 108) {
            patch_env(&cpu->fpu, ctx.mem);
        }
        if (!fpu_write_block(cpu, insn->seg, ea, ctx.mem, m.size)) {
            return X86_EXC;
        }
    }
stored:
    fpu_state_from_fx_x87(&cpu->fpu, ctx.fx, true);
    if (key.flags & FPU_THUNK_FLAGS_OUT) {
        x86_set_arith_flags(cpu, (uint32_t)ctx.rflags);
    }
    if (control) {
        /* control instructions leave the last-instruction pointers */
        bool init = !mem && op == 0xdb && insn->modrm == 0xe3;

        cpu->fpu.fip = init ? 0 : save_fip;
        cpu->fpu.fdp = init ? 0 : save_fdp;
        cpu->fpu.fop = init ? 0 : save_fop;
        if (mem && (m.size == 28 || m.size == 14 || m.size == 108 ||
                    m.size == 94) && m.acc == XM_R) {
            /* FLDENV/FRSTOR loaded pointers: keep what the image held */
            uint32_t ip, dp;
            uint16_t fop;

            if (m.size == 28 || m.size == 108) {
                memcpy(&ip, ctx.mem + 12, 4);
                memcpy(&fop, ctx.mem + 18, 2);
                memcpy(&dp, ctx.mem + 20, 4);
                cpu->fpu.fip = ip;
                cpu->fpu.fdp = dp;
                cpu->fpu.fop = fop & 0x7ff;
            }
        }
    } else {
        cpu->fpu.fop = (uint16_t)(((op & 7) << 8) | insn->modrm);
        cpu->fpu.fip = cpu->rip;
        cpu->fpu.fcs = cpu->seg[SEG_CS].selector;
        if (mem) {
            cpu->fpu.fdp = ea;
            cpu->fpu.fds = cpu->seg[insn->seg < 6 ? insn->seg : SEG_DS]
                               .selector;
        }
    }
    return ferr_update(cpu, X86_NEXT);
}
