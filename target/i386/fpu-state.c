/*
 * x87/SSE state: reset (FNINIT + MXCSR default), the FXSAVE image
 * (SDM Vol. 1 10.5.1, Table 10-2/10-3) used by FXSAVE/FXRSTOR and by the
 * host x87 thunks, and XSAVE/XRSTOR/XSAVEOPT of the x87 and SSE components
 * in the standard (non-compacted) format (SDM Vol. 1 13.4-13.8).
 * Not implemented: XSAVEC/XSAVES/XRSTORS, components above SSE (#GP/#UD
 * as CPUID does not advertise them).
 */
#include "target/i386/fpu-host.h"
#include "target/i386/fpu-state.h"

void x86_fpu_reset(X86CPU *cpu)
{
    X86FPUState *f = &cpu->fpu;

    fpu_host_prealloc();
    memset(f, 0, sizeof(*f));
    f->fcw = 0x037f;
    f->mxcsr = 0x1f80;
}

void fpu_state_to_fx(const X86FPUState *f, uint8_t *fx, bool rex_w)
{
    uint16_t fsw = (uint16_t)((f->fsw & ~0x3800u) | (f->top & 7u) << 11);
    uint32_t mxcsr_mask = 0xffff;

    memset(fx, 0, 512);
    memcpy(fx + 0, &f->fcw, 2);
    memcpy(fx + 2, &fsw, 2);
    fx[4] = f->ftwx;
    memcpy(fx + 6, &f->fop, 2);
    if (rex_w) {
        memcpy(fx + 8, &f->fip, 8);
        memcpy(fx + 16, &f->fdp, 8);
    } else {
        uint32_t ip = (uint32_t)f->fip, dp = (uint32_t)f->fdp;

        memcpy(fx + 8, &ip, 4);
        memcpy(fx + 12, &f->fcs, 2);
        memcpy(fx + 16, &dp, 4);
        memcpy(fx + 20, &f->fds, 2);
    }
    memcpy(fx + 24, &f->mxcsr, 4);
    memcpy(fx + 28, &mxcsr_mask, 4);
    for (unsigned i = 0; i < 8; i++) {
        memcpy(fx + 32 + 16 * i, f->st[(f->top + i) & 7].bytes, 10);
    }
    memcpy(fx + 160, f->xmm, 256);
}

void fpu_state_to_fx_x87(const X86FPUState *f, uint8_t *fx, uint32_t mxcsr)
{
    uint16_t fsw = (uint16_t)((f->fsw & ~0x3800u) | (f->top & 7u) << 11);
    uint32_t mxcsr_mask = 0xffff;

    memset(fx, 0, 32);
    memcpy(fx + 0, &f->fcw, 2);
    memcpy(fx + 2, &fsw, 2);
    fx[4] = f->ftwx;
    memcpy(fx + 6, &f->fop, 2);
    memcpy(fx + 8, &f->fip, 8);
    memcpy(fx + 16, &f->fdp, 8);
    memcpy(fx + 24, &mxcsr, 4);
    memcpy(fx + 28, &mxcsr_mask, 4);
    for (unsigned i = 0; i < 8; i++) {
        memcpy(fx + 32 + 16 * i, f->st[(f->top + i) & 7].bytes, 16);
    }
}

void fpu_state_from_fx_x87(X86FPUState *f, const uint8_t *fx, bool rex_w)
{
    uint16_t fsw;

    memcpy(&f->fcw, fx + 0, 2);
    /* as the hardware loads it: bit 6 reads as 1, 7 and 13-15 as 0 */
    f->fcw = (f->fcw & 0x1f3f) | 0x0040;
    memcpy(&fsw, fx + 2, 2);
    f->top = (fsw >> 11) & 7;
    /* ES (and B, its copy) follow the unmasked exception flags */
    fsw &= ~0xb880u;
    if (fsw & ~f->fcw & 0x3f) {
        fsw |= 0x8080;
    }
    f->fsw = fsw;
    f->ftwx = fx[4];
    memcpy(&f->fop, fx + 6, 2);
    f->fop &= 0x7ff;
    if (rex_w) {
        memcpy(&f->fip, fx + 8, 8);
        memcpy(&f->fdp, fx + 16, 8);
    } else {
        uint32_t ip, dp;

        memcpy(&ip, fx + 8, 4);
        memcpy(&f->fcs, fx + 12, 2);
        memcpy(&dp, fx + 16, 4);
        memcpy(&f->fds, fx + 20, 2);
        f->fip = ip;
        f->fdp = dp;
    }
    for (unsigned i = 0; i < 8; i++) {
        X86FloatReg *r = &f->st[(f->top + i) & 7];

        memset(r->bytes, 0, sizeof(r->bytes));
        memcpy(r->bytes, fx + 32 + 16 * i, 10);
    }
}

static void fpu_x87_init(X86FPUState *f)
{
    f->fcw = 0x037f;
    f->fsw = 0;
    f->top = 0;
    f->ftwx = 0;
    f->fop = 0;
    f->fip = f->fdp = 0;
    f->fcs = f->fds = 0;
    memset(f->st, 0, sizeof(f->st));
}

static bool mem_operand(X86CPU *cpu, const X86Insn *insn, unsigned align,
                        int acc, uint64_t *ea)
{
    uint64_t lin;

    *ea = x86_insn_ea(cpu, insn);
    if (!x86_seg_linear(cpu, insn->seg, *ea, 1, acc, &lin)) {
        return false;
    }
    if (lin & (align - 1)) {
        x86_gp0(cpu);
        return false;
    }
    return true;
}

static int op_fxsave(X86CPU *cpu, const X86Insn *insn)
{
    uint8_t fx[512];
    uint64_t ea;

    if (!mem_operand(cpu, insn, 16, ACC_WRITE, &ea)) {
        return X86_EXC;
    }
    fpu_state_to_fx(&cpu->fpu, fx, insn->rex & 8);
    /* bytes 416..511 (reserved, then available to software) are not
     * written, as on hardware */
    return fpu_write_block(cpu, insn->seg, ea, fx, 416) ? X86_NEXT : X86_EXC;
}

static int op_fxrstor(X86CPU *cpu, const X86Insn *insn)
{
    uint8_t fx[512];
    uint64_t ea;
    uint32_t mxcsr;

    if (!mem_operand(cpu, insn, 16, ACC_READ, &ea) ||
        !fpu_read_block(cpu, insn->seg, ea, fx, 512)) {
        return X86_EXC;
    }
    memcpy(&mxcsr, fx + 24, 4);
    if (mxcsr & ~0xffffu) {
        return x86_gp0(cpu);
    }
    fpu_state_from_fx_x87(&cpu->fpu, fx, insn->rex & 8);
    cpu->fpu.mxcsr = mxcsr;
    memcpy(cpu->fpu.xmm, fx + 160, 256);
    return X86_NEXT;
}

/*
 * XINUSE (SDM Vol. 1 13.6): a component is "in use" unless it is in its
 * initial configuration; XSAVE reports that in XSTATE_BV.
 */
static uint64_t fpu_xinuse(const X86FPUState *f)
{
    static const X86XMMReg zero[16];
    uint64_t in_use = 0;

    if (f->fcw != 0x037f || f->fsw != 0 || f->top != 0 || f->ftwx != 0 ||
        f->fop != 0 || f->fip != 0 || f->fdp != 0) {
        in_use |= 1;
    } else {
        for (unsigned i = 0; i < 8; i++) {
            if (f->st[i].x.mant || f->st[i].x.sexp) {
                in_use |= 1;
            }
        }
    }
    if (memcmp(f->xmm, zero, sizeof(zero)) || f->mxcsr != 0x1f80) {
        in_use |= 2;
    }
    return in_use;
}

/* requested-feature bitmap: EDX:EAX & XCR0, only x87 (0) and SSE (1) */
static uint64_t xsave_rfbm(X86CPU *cpu)
{
    uint64_t rfbm = ((cpu->regs[R_EDX] << 32) | (uint32_t)cpu->regs[R_EAX]);

    return rfbm & cpu->xcr0 & 3;
}

static int op_xsave(X86CPU *cpu, const X86Insn *insn)
{
    uint8_t fx[512];
    uint64_t ea, rfbm, bv;

    if (!(cpu->cr4 & CR4_OSXSAVE)) {
        return x86_ud(cpu);
    }
    if (!mem_operand(cpu, insn, 64, ACC_WRITE, &ea) ||
        !fpu_read_block(cpu, insn->seg, ea + 512, &bv, 8)) {
        return X86_EXC;
    }
    rfbm = xsave_rfbm(cpu);
    fpu_state_to_fx(&cpu->fpu, fx, insn->rex & 8);
    bv = (bv & ~rfbm) | (fpu_xinuse(&cpu->fpu) & rfbm);
    if (rfbm & 1) {
        if (!fpu_write_block(cpu, insn->seg, ea, fx, 24) ||
            !fpu_write_block(cpu, insn->seg, ea + 32, fx + 32, 128)) {
            return X86_EXC;
        }
    }
    if (rfbm & 2) {
        if (!fpu_write_block(cpu, insn->seg, ea + 24, fx + 24, 8) ||
            !fpu_write_block(cpu, insn->seg, ea + 160, fx + 160, 256)) {
            return X86_EXC;
        }
    }
    return fpu_write_block(cpu, insn->seg, ea + 512, &bv, 8) ? X86_NEXT
                                                              : X86_EXC;
}

static int op_xrstor(X86CPU *cpu, const X86Insn *insn)
{
    uint8_t fx[512];
    uint8_t hdr[64];
    uint64_t ea, rfbm, bv, comp;
    uint32_t mxcsr;

    if (!(cpu->cr4 & CR4_OSXSAVE)) {
        return x86_ud(cpu);
    }
    if (!mem_operand(cpu, insn, 64, ACC_READ, &ea) ||
        !fpu_read_block(cpu, insn->seg, ea, fx, 512) ||
        !fpu_read_block(cpu, insn->seg, ea + 512, hdr, 64)) {
        return X86_EXC;
    }
    memcpy(&bv, hdr, 8);
    memcpy(&comp, hdr + 8, 8);
    if (comp || (bv & ~cpu->xcr0)) {
        return x86_gp0(cpu);
    }
    /* standard form: header bytes 8..23 must be zero (13.8.1) */
    for (unsigned i = 16; i < 24; i++) {
        if (hdr[i]) {
            return x86_gp0(cpu);
        }
    }
    rfbm = xsave_rfbm(cpu);
    memcpy(&mxcsr, fx + 24, 4);
    if ((rfbm & 2) && (mxcsr & ~0xffffu)) {
        return x86_gp0(cpu);
    }
    if (rfbm & 1) {
        if (bv & 1) {
            X86FPUState save = cpu->fpu;

            fpu_state_from_fx_x87(&cpu->fpu, fx, insn->rex & 8);
            cpu->fpu.mxcsr = save.mxcsr;
            memcpy(cpu->fpu.xmm, save.xmm, sizeof(save.xmm));
        } else {
            fpu_x87_init(&cpu->fpu);
        }
    }
    if (rfbm & 2) {
        /* MXCSR comes from memory whatever XSTATE_BV[1] says (13.8.1) */
        cpu->fpu.mxcsr = mxcsr;
        if (bv & 2) {
            memcpy(cpu->fpu.xmm, fx + 160, 256);
        } else {
            memset(cpu->fpu.xmm, 0, sizeof(cpu->fpu.xmm));
        }
    }
    return X86_NEXT;
}

int fpu_state_exec_0fae(X86CPU *cpu, const X86Insn *insn)
{
    if (insn->mod == 3 || (insn->prefix & PFX_LOCK) ||
        insn->mandatory != MP_NONE) {
        return x86_ud(cpu);
    }
    switch (insn->reg & 7) {
    case 0:
        return op_fxsave(cpu, insn);
    case 1:
        return op_fxrstor(cpu, insn);
    case 4:
    case 6:
        return op_xsave(cpu, insn);
    case 5:
        return op_xrstor(cpu, insn);
    default:
        return x86_ud(cpu);
    }
}

bool fpu_read_block(X86CPU *cpu, int seg, uint64_t off, void *dst,
                    unsigned size)
{
    uint8_t *d = dst;

    /* probe the last byte first: a fault leaves nothing half done */
    while (size) {
        unsigned n = size > 16 ? 16 : size;

        if (!x86_read(cpu, seg, off, d, n)) {
            return false;
        }
        off += n;
        d += n;
        size -= n;
    }
    return true;
}

bool fpu_write_block(X86CPU *cpu, int seg, uint64_t off, const void *src,
                     unsigned size)
{
    const uint8_t *s = src;

    if (!x86_probe_write(cpu, seg, off, size)) {
        return false;
    }
    while (size) {
        unsigned n = size > 16 ? 16 : size;

        if (!x86_write(cpu, seg, off, s, n)) {
            return false;
        }
        off += n;
        s += n;
        size -= n;
    }
    return true;
}
