/*
 * MMX, SSE, SSE2, SSE3, SSSE3, SSE4.1, SSE4.2 (incl. PCMPxSTRx, CRC32) and
 * LDMXCSR/STMXCSR/EMMS.  Each instruction is checked here (opcode table,
 * register/memory form, alignment, pending x87 exception for MMX), its
 * memory operand is read through the guest MMU, and the operation itself
 * runs on the host through a thunk (fpu-host.h) on copies of the guest
 * registers (staged in host registers 0..2) with the guest's MXCSR; when
 * the guest unmasked exceptions it runs under fpu_host_call_checked(), so
 * that the host decides exactly when #XM happens and which flags it sets.
 * MASKMOVQ/MASKMOVDQU are done here in C (their memory operand is
 * implicit).  Not implemented: SHA/SSE4a (#UD), and SSE3 and later
 * extensions the host lacks (#UD).
 */
#include "target/i386/fpu-host.h"
#include "target/i386/sse-table.h"

#define MXCSR_FLAGS   0x003fu
#define MXCSR_MASKS   0x1f80u
#define MXCSR_VALID   0xffffu       /* MXCSR_MASK reported by FXSAVE */
#define FSW_ES        0x0080u

/* An MMX instruction reports a pending x87 error (#MF, or FERR# with
 * CR0.NE=0) first, like a waiting x87 instruction: not while the embedder
 * asserts IGNNE# with CR0.NE=0 (as x87.c's mf_pending) */
static inline bool mmx_mf_pending(X86CPU *cpu)
{
    return (cpu->fpu.fsw & FSW_ES) &&
           !(cpu->ignne && !(cpu->cr0 & CR0_NE));
}

static bool has_imm(const X86Insn *insn)
{
    if (insn->map == MAP_0F3A) {
        return true;
    }
    if (insn->map != MAP_0F) {
        return false;
    }
    return (insn->opcode >= 0x70 && insn->opcode <= 0x73) ||
           insn->opcode == 0xc2 ||
           (insn->opcode >= 0xc4 && insn->opcode <= 0xc6);
}

static int sse_mxcsr(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t ea;
    uint32_t v;

    if (insn->mod == 3 || insn->mandatory != MP_NONE ||
        (insn->prefix & PFX_LOCK)) {
        return x86_ud(cpu);
    }
    ea = x86_insn_ea(cpu, insn);
    if ((insn->reg & 7) == 2) {                 /* LDMXCSR */
        if (!x86_read(cpu, insn->seg, ea, &v, 4)) {
            return X86_EXC;
        }
        if (v & ~MXCSR_VALID) {
            return x86_gp0(cpu);
        }
        cpu->fpu.mxcsr = v;
        return X86_NEXT;
    }
    if ((insn->reg & 7) == 3) {                 /* STMXCSR */
        v = cpu->fpu.mxcsr;
        return x86_write(cpu, insn->seg, ea, &v, 4) ? X86_NEXT : X86_EXC;
    }
    return x86_ud(cpu);
}

/*
 * Guest registers are staged in host registers 0..2 so that the thunk does
 * not depend on register numbers (bounded thunk count): the implicit XMM0
 * stays 0, the ModRM.reg operand becomes 1 and ModRM.rm 2, sharing a host
 * register when they name the same guest register.
 */
static unsigned host_reg(const X86Insn *insn, const SseInfo *si)
{
    unsigned reg = si->reg == K_MM ? (insn->reg & 7u) : insn->reg;

    return (si->flags & SI_XMM0) && si->reg == K_XMM && reg == 0 ? 0 : 1;
}

static unsigned host_rm(const X86Insn *insn, const SseInfo *si)
{
    unsigned reg = si->reg == K_MM ? (insn->reg & 7u) : insn->reg;
    unsigned rm = si->rm == K_MM ? (insn->rm & 7u) : insn->rm;

    if (si->rm == si->reg && rm == reg) {
        return host_reg(insn, si);
    }
    return (si->flags & SI_XMM0) && si->rm == K_XMM && rm == 0 ? 0 : 2;
}

/* Canonical re-encoding of the instruction for the host thunk. */
static void encode(const X86Insn *insn, const SseInfo *si, bool mem,
                   FpuThunkKey *k)
{
    uint8_t *b = k->insn;
    unsigned n = 0;
    uint8_t rex = 0;
    unsigned reg = insn->reg, rm = insn->rm;

    if (si->reg == K_XMM || si->reg == K_MM) {
        reg = host_reg(insn, si);
    }
    if (!mem && (si->rm == K_XMM || si->rm == K_MM)) {
        rm = host_rm(insn, si);
    }

    if (insn->mandatory == MP_66) {
        b[n++] = 0x66;
    } else if (insn->mandatory != MP_NONE) {
        if (insn->opsize == 2 && si->msize == MSZ_OP) {
            b[n++] = 0x66;                      /* CRC32 r32, r/m16 */
        }
        b[n++] = insn->mandatory == MP_F3 ? 0xf3 : 0xf2;
    }
    if (insn->rex & 8) {
        rex |= 0x48;
    }
    if (rex) {
        b[n++] = rex;
    }
    b[n++] = 0x0f;
    if (insn->map == MAP_0F38) {
        b[n++] = 0x38;
    } else if (insn->map == MAP_0F3A) {
        b[n++] = 0x3a;
    }
    b[n++] = insn->opcode;
    if (si->reg == K_GPR) {
        reg = 0;                                /* RAX */
    }
    if (mem) {
        n += fpu_host_emit_mem(b + n, reg);
    } else {
        if (si->rm == K_GPR) {
            rm = 1;                             /* RCX */
        }
        b[n++] = (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7));
    }
    if (has_imm(insn)) {
        b[n++] = (uint8_t)insn->imm;
    }
    k->len = (uint8_t)n;
}

static int emms(X86CPU *cpu, const X86Insn *insn)
{
    if (insn->mandatory != MP_NONE) {
        return x86_ud(cpu);
    }
    if (mmx_mf_pending(cpu)) {
        return x86_raise(cpu, EXC_MF);
    }
    cpu->fpu.ftwx = 0;                  /* all empty */
    cpu->fpu.top = 0;                   /* SDM Vol. 1 Table 9-2 */
    return X86_NEXT;
}

/* SI_NOFP instructions that still read MXCSR (none raises an exception,
 * but these round by MXCSR.RC): ROUNDPS/PD/SS/SD (66 0F 3A 08..0B) with
 * imm8 bit 2. Every other SI_NOFP instruction is a move, shuffle, integer
 * or bitwise operation that MXCSR does not affect (DAZ applies to
 * floating-point arithmetic only). */
static bool mxcsr_dependent(const X86Insn *insn)
{
    return insn->map == MAP_0F3A && insn->opcode >= 0x08 &&
           insn->opcode <= 0x0b;
}

/* Everything about an instruction that does not depend on the CPU state:
 * validity, operand kinds and its host thunk. */
typedef struct SsePrepared {
    SseInfo si;
    FpuThunk thunk;
    uint8_t mm_mask;            /* host MMX registers 0..2 used */
    uint8_t xmm_mask;           /* host XMM registers 0..2 used */
} SsePrepared;

static bool sse_prepare_slow(const X86Insn *insn, bool mem, SsePrepared *p)
{
    FpuThunkKey key;
    SseInfo si;

    if ((insn->prefix & (PFX_LOCK | PFX_VEX)) ||
        !sse_lookup(insn->map, insn->opcode, insn->mandatory, &si)) {
        return false;
    }
    if ((mem && (si.flags & SI_REGONLY)) ||
        (!mem && (si.flags & SI_MEMONLY)) ||
        (si.reg == K_DIGIT && !(si.digits & (1u << (insn->reg & 7))))) {
        return false;
    }

    memset(&key, 0, sizeof(key));
    key.kind = FPU_THUNK_SSE;
    encode(insn, &si, mem, &key);
    if (si.reg == K_XMM) {
        key.xmm_mask |= (uint16_t)(1u << host_reg(insn, &si));
    }
    if (!mem && si.rm == K_XMM) {
        key.xmm_mask |= (uint16_t)(1u << host_rm(insn, &si));
    }
    if (si.flags & SI_XMM0) {
        key.xmm_mask |= 1;
    }
    if (si.reg == K_MM) {
        key.mm_mask |= (uint8_t)(1u << host_reg(insn, &si));
    }
    if (!mem && si.rm == K_MM) {
        key.mm_mask |= (uint8_t)(1u << host_rm(insn, &si));
    }
    if (si.flags & SI_FLAGS) {
        key.flags |= FPU_THUNK_FLAGS_OUT;
    }
    if ((si.flags & SI_NOFP) && !mxcsr_dependent(insn)) {
        key.flags |= FPU_THUNK_NO_MXCSR;
    }

    p->si = si;
    p->mm_mask = key.mm_mask;
    p->xmm_mask = (uint8_t)key.xmm_mask;
    p->thunk = fpu_host_thunk(&key);
    return p->thunk != NULL;
}

/*
 * Per-thread cache in front of sse_prepare_slow(), keyed by the decoded
 * record's address and checked against the fields that determine the
 * result (records are reused when blocks are re-decoded).
 */
#define SSE_CACHE 512

typedef struct SseCacheEnt {
    const X86Insn *insn;
    uint64_t sig[2];
    SsePrepared prep;
} SseCacheEnt;

static __thread SseCacheEnt sse_cache[SSE_CACHE];

static void sse_sig(const X86Insn *insn, uint64_t sig[2])
{
    sig[0] = (uint64_t)insn->map | (uint64_t)insn->opcode << 8 |
             (uint64_t)insn->mandatory << 16 | (uint64_t)insn->mod << 24 |
             (uint64_t)insn->reg << 32 | (uint64_t)insn->rm << 40 |
             (uint64_t)insn->rex << 48 | (uint64_t)insn->opsize << 56;
    sig[1] = (uint64_t)insn->prefix | (uint64_t)(uint8_t)insn->imm << 8 |
             (uint64_t)insn->modrm << 16 | 1ULL << 63;
}

static bool sse_prepare(const X86Insn *insn, bool mem, SsePrepared *p)
{
    SseCacheEnt *e = &sse_cache[((uintptr_t)insn >> 4) % SSE_CACHE];
    uint64_t sig[2];

    sse_sig(insn, sig);
    if (e->insn == insn && e->sig[0] == sig[0] && e->sig[1] == sig[1]) {
        *p = e->prep;
        return true;
    }
    if (!sse_prepare_slow(insn, mem, p)) {
        return false;
    }
    e->insn = insn;
    e->sig[0] = sig[0];
    e->sig[1] = sig[1];
    e->prep = *p;
    return true;
}

/* MASKMOVQ mm1, mm2 / MASKMOVDQU xmm1, xmm2: byte stores to DS:rDI */
static int maskmov(X86CPU *cpu, const X86Insn *insn)
{
    bool is_xmm = insn->mandatory == MP_66;
    unsigned n = is_xmm ? 16 : 8;
    uint8_t src[16], mask[16];
    uint64_t off;
    bool any = false;

    if ((insn->mandatory != MP_NONE && !is_xmm) || insn->mod != 3 ||
        (insn->prefix & PFX_LOCK)) {
        return x86_ud(cpu);
    }
    if (is_xmm) {
        memcpy(src, cpu->fpu.xmm[insn->reg].b, 16);
        memcpy(mask, cpu->fpu.xmm[insn->rm].b, 16);
    } else {
        if (mmx_mf_pending(cpu)) {
            return x86_raise(cpu, EXC_MF);
        }
        memcpy(src, &cpu->fpu.st[insn->reg & 7].x.mant, 8);
        memcpy(mask, &cpu->fpu.st[insn->rm & 7].x.mant, 8);
    }
    off = cpu->regs[R_EDI] & x86_mask(insn->addrsize);
    for (unsigned i = 0; i < n; i++) {
        any |= mask[i] >> 7;
    }
    if (any) {
        if (!x86_probe_write(cpu, insn->seg, off, n)) {
            return X86_EXC;
        }
        for (unsigned i = 0; i < n; i++) {
            if ((mask[i] & 0x80) &&
                !x86_write(cpu, insn->seg, (off + i) & x86_mask(insn->addrsize),
                           &src[i], 1)) {
                return X86_EXC;
            }
        }
    }
    if (!is_xmm) {
        cpu->fpu.top = 0;
        cpu->fpu.ftwx = 0xff;
    }
    return X86_NEXT;
}

/*
 * Fast path for the SSE2 moves and integer logic on XMM registers that
 * glibc's string and memory functions are made of: MOVDQA/MOVDQU (66/F3
 * 0F 6F/7F), MOVAPS/MOVUPS/MOVAPD/MOVUPD (0F 28/29/10/11, none or 66),
 * PXOR/POR/PAND/PANDN, PCMPEQB/W/D, PCMPGTB, PMINUB, PADDB, PSUBB,
 * PUNPCKLBW, PSHUFD (66 0F), PMOVMSKB r, xmm (66 0F D7), PSRLDQ/PSLLDQ
 * (66 0F 73 /3 /7), MOVD/MOVQ (66 0F 6E/7E, F3 0F 7E, 66 0F D6). None of them reads or writes MXCSR or the arithmetic flags
 * or can raise a SIMD exception, so they run here in C without staging
 * registers for a host thunk. A memory operand is used only through the
 * TLB-hit path in 64-bit code (x86_lin_fast_ptr: no breakpoints, inside
 * one page) and only when it is 16-byte aligned where the instruction
 * requires it; everything else returns -1 and takes the generic path,
 * which faults, checks and reads exactly as before.
 */
enum { SF_NONE, SF_LOAD, SF_STORE, SF_XOR, SF_OR, SF_AND, SF_ANDN,
       SF_EQB, SF_EQW, SF_EQD, SF_MINUB, SF_MSKB, SF_GTB, SF_ADDB, SF_SUBB,
       SF_PUNPCKLBW, SF_PSHUFD, SF_BSHIFT, SF_MOVD_IN, SF_MOVD_OUT,
       SF_MOVQ_IN, SF_MOVQ_OUT };

static int sse_fast_kind(const X86Insn *insn, bool *align)
{
    uint8_t op = insn->opcode;

    *align = false;
    if (insn->map != MAP_0F) {
        return SF_NONE;
    }
    switch (insn->mandatory) {
    case MP_F3:
        return op == 0x6f ? SF_LOAD : op == 0x7f ? SF_STORE :
               op == 0x7e ? SF_MOVQ_IN : SF_NONE;
    case MP_NONE:
    case MP_66:
        if (op == 0x28 || op == 0x29) {
            *align = true;
            return op == 0x28 ? SF_LOAD : SF_STORE;
        }
        if (op == 0x10 || op == 0x11) {
            return op == 0x10 ? SF_LOAD : SF_STORE;
        }
        if (insn->mandatory == MP_NONE) {
            return SF_NONE;
        }
        *align = true;
        switch (op) {
        case 0x6f: return SF_LOAD;
        case 0x7f: return SF_STORE;
        case 0xef: return SF_XOR;
        case 0xeb: return SF_OR;
        case 0xdb: return SF_AND;
        case 0xdf: return SF_ANDN;
        case 0x74: return SF_EQB;
        case 0x75: return SF_EQW;
        case 0x76: return SF_EQD;
        case 0xda: return SF_MINUB;
        case 0xd7: return insn->mod == 3 ? SF_MSKB : SF_NONE;
        case 0x64: return SF_GTB;
        case 0xfc: return SF_ADDB;
        case 0xf8: return SF_SUBB;
        case 0x60: return SF_PUNPCKLBW;
        case 0x70: return SF_PSHUFD;
        case 0x73:                      /* PSRLDQ /3, PSLLDQ /7 */
            return insn->mod == 3 && ((insn->modrm >> 3) & 3) == 3
                   ? SF_BSHIFT : SF_NONE;
        }
        *align = false;
        switch (op) {
        case 0x6e: return SF_MOVD_IN;
        case 0x7e: return SF_MOVD_OUT;
        case 0xd6: return SF_MOVQ_OUT;
        default: return SF_NONE;
        }
    default:
        return SF_NONE;
    }
}

static int sse_fast(X86CPU *cpu, const X86Insn *insn)
{
    X86XMMReg *xmm = cpu->fpu.xmm;
    X86XMMReg a, b;
    bool align;
    int kind = sse_fast_kind(insn, &align);
    unsigned size = 16;
    bool store;
    void *h = NULL;

    if (kind == SF_NONE) {
        return -1;
    }
    if (kind == SF_MOVD_IN || kind == SF_MOVD_OUT) {
        size = (insn->rex & 8) ? 8 : 4;
    } else if (kind == SF_MOVQ_IN || kind == SF_MOVQ_OUT) {
        size = 8;
    }
    store = kind == SF_STORE || kind == SF_MOVD_OUT || kind == SF_MOVQ_OUT;
    if (insn->mod != 3) {
        uint64_t lin;

        if (!cpu->code64 || cpu->slow_data) {
            return -1;
        }
        lin = x86_insn_ea_inline(cpu, insn);
        if (insn->seg == SEG_FS || insn->seg == SEG_GS) {
            lin += cpu->seg[insn->seg].base;
        }
        if (align && (lin & 15)) {
            return -1;                  /* #GP(0): the generic path */
        }
        h = x86_lin_fast_ptr(cpu, lin, size, store ? ACC_WRITE : ACC_READ);
        if (!h) {
            return -1;
        }
    }
    switch (kind) {
    case SF_STORE:
        if (h) {
            memcpy(h, &xmm[insn->reg], 16);
        } else {
            xmm[insn->rm] = xmm[insn->reg];
        }
        return X86_NEXT;
    case SF_MOVD_OUT:                   /* MOVD/MOVQ r/m32/64, xmm */
        if (h) {
            memcpy(h, &xmm[insn->reg], size);
        } else {
            cpu->regs[insn->rm] = size == 8 ? xmm[insn->reg].q[0]
                                            : xmm[insn->reg].d[0];
        }
        return X86_NEXT;
    case SF_MOVQ_OUT:                   /* MOVQ xmm/m64, xmm */
        if (h) {
            memcpy(h, &xmm[insn->reg], 8);
        } else {
            xmm[insn->rm].q[0] = xmm[insn->reg].q[0];
            xmm[insn->rm].q[1] = 0;
        }
        return X86_NEXT;
    case SF_MOVD_IN:                    /* MOVD/MOVQ xmm, r/m32/64 */
    case SF_MOVQ_IN: {                  /* MOVQ xmm, xmm/m64 */
        uint64_t v = 0;

        if (h) {
            memcpy(&v, h, size);
        } else if (kind == SF_MOVQ_IN) {
            v = xmm[insn->rm].q[0];
        } else {
            v = size == 8 ? cpu->regs[insn->rm] : (uint32_t)cpu->regs[insn->rm];
        }
        xmm[insn->reg].q[0] = v;
        xmm[insn->reg].q[1] = 0;
        return X86_NEXT;
    }
    default:
        break;
    }
    if (h) {
        memcpy(&b, h, 16);
    } else {
        b = xmm[insn->rm];
    }
    a = xmm[insn->reg];
    switch (kind) {
    case SF_LOAD:
        a = b;
        break;
    case SF_XOR:
        a.q[0] ^= b.q[0];
        a.q[1] ^= b.q[1];
        break;
    case SF_OR:
        a.q[0] |= b.q[0];
        a.q[1] |= b.q[1];
        break;
    case SF_AND:
        a.q[0] &= b.q[0];
        a.q[1] &= b.q[1];
        break;
    case SF_ANDN:
        a.q[0] = ~a.q[0] & b.q[0];
        a.q[1] = ~a.q[1] & b.q[1];
        break;
    case SF_EQB:
        for (unsigned i = 0; i < 16; i++) {
            a.b[i] = a.b[i] == b.b[i] ? 0xff : 0;
        }
        break;
    case SF_EQW:
        for (unsigned i = 0; i < 8; i++) {
            a.w[i] = a.w[i] == b.w[i] ? 0xffff : 0;
        }
        break;
    case SF_EQD:
        for (unsigned i = 0; i < 4; i++) {
            a.d[i] = a.d[i] == b.d[i] ? 0xffffffffu : 0;
        }
        break;
    case SF_MINUB:
        for (unsigned i = 0; i < 16; i++) {
            a.b[i] = b.b[i] < a.b[i] ? b.b[i] : a.b[i];
        }
        break;
    case SF_GTB:
        for (unsigned i = 0; i < 16; i++) {
            a.b[i] = (int8_t)a.b[i] > (int8_t)b.b[i] ? 0xff : 0;
        }
        break;
    case SF_ADDB:
        for (unsigned i = 0; i < 16; i++) {
            a.b[i] = (uint8_t)(a.b[i] + b.b[i]);
        }
        break;
    case SF_SUBB:
        for (unsigned i = 0; i < 16; i++) {
            a.b[i] = (uint8_t)(a.b[i] - b.b[i]);
        }
        break;
    case SF_PUNPCKLBW: {
        X86XMMReg r;

        for (unsigned i = 0; i < 8; i++) {
            r.b[2 * i] = a.b[i];
            r.b[2 * i + 1] = b.b[i];
        }
        a = r;
        break;
    }
    case SF_PSHUFD:
        for (unsigned i = 0; i < 4; i++) {
            a.d[i] = b.d[(insn->imm >> (2 * i)) & 3];
        }
        break;
    case SF_BSHIFT: {                   /* on xmm[rm], count in bytes */
        unsigned c = (uint8_t)insn->imm;
        bool left = (insn->modrm >> 3) & 4;

        memset(&a, 0, sizeof(a));
        for (unsigned i = 0; c < 16 && i < 16 - c; i++) {
            if (left) {
                a.b[i + c] = b.b[i];
            } else {
                a.b[i] = b.b[i + c];
            }
        }
        xmm[insn->rm] = a;
        return X86_NEXT;
    }
    case SF_MSKB: {
        uint32_t m = 0;

        for (unsigned i = 0; i < 16; i++) {
            m |= (uint32_t)(b.b[i] >> 7) << i;
        }
        cpu->regs[insn->reg] = m;
        return X86_NEXT;
    }
    default:
        return -1;
    }
    xmm[insn->reg] = a;
    return X86_NEXT;
}

int x86_sse_exec(X86CPU *cpu, const X86Insn *insn)
{
    FpuHostCtx ctx;
    SsePrepared prep;
    FpuThunk thunk;
    SseInfo si;
    X86XMMReg stage[3];
    X86XMMReg *xmm = cpu->fpu.xmm;
    bool mem = insn->mod != 3;
    bool mmx, checked;
    unsigned hreg, hrm;
    unsigned size = 0;
    uint64_t ea = 0;
    uint32_t guest = cpu->fpu.mxcsr, raised;

    if (!(insn->prefix & (PFX_LOCK | PFX_VEX))) {
        int st = sse_fast(cpu, insn);

        if (st >= 0) {
            return st;
        }
    }
    if (insn->map == MAP_0F && insn->opcode == 0xae) {
        return sse_mxcsr(cpu, insn);
    }
    if (insn->map == MAP_0F && insn->opcode == 0x77) {
        return emms(cpu, insn);
    }
    if (insn->map == MAP_0F && insn->opcode == 0xf7) {
        return maskmov(cpu, insn);
    }
    if (!sse_prepare(insn, mem, &prep)) {
        return x86_ud(cpu);
    }
    si = prep.si;
    hreg = host_reg(insn, &si);
    hrm = host_rm(insn, &si);
    mmx = si.reg == K_MM || (!mem && si.rm == K_MM);
    if (mmx && mmx_mf_pending(cpu)) {
        return x86_raise(cpu, EXC_MF);
    }

    ctx.gpr[0] = ctx.gpr[1] = ctx.gpr[2] = 0;
    if (mem) {
        size = si.msize == MSZ_W ? ((insn->rex & 8) ? 8 : 4) :
               si.msize == MSZ_OP ? insn->opsize : si.msize;
        ea = x86_insn_ea(cpu, insn);
        if ((si.flags & SI_A16) && size == 16) {
            uint64_t lin;

            if (!x86_seg_linear(cpu, insn->seg, ea, 16,
                                (si.flags & SI_MEMW) ? ACC_WRITE : ACC_READ,
                                &lin)) {
                return X86_EXC;
            }
            if (lin & 15) {
                return x86_gp0(cpu);
            }
        }
        if (si.flags & SI_MEMW) {
            memset(ctx.mem, 0, 16);     /* defensive: never host bytes */
        } else if (!x86_read(cpu, insn->seg, ea, ctx.mem, size)) {
            return X86_EXC;
        }
    } else if (si.rm == K_GPR) {
        /* CRC32 r/m8 names AH..BH without REX; PINSRB reads r32 */
        ctx.gpr[1] = insn->map == MAP_0F38 && si.msize == 1
                     ? x86_get_reg(cpu, insn, insn->rm, 1)
                     : cpu->regs[insn->rm];
    }
    if (si.reg == K_GPR) {
        ctx.gpr[0] = cpu->regs[insn->reg];
    }
    if (si.flags & SI_ESTR) {
        ctx.gpr[0] = cpu->regs[R_EAX];
        ctx.gpr[2] = cpu->regs[R_EDX];
    }
    if (si.flags & SI_XMM0) {
        stage[0] = xmm[0];
    }
    if (si.reg == K_XMM) {
        stage[hreg] = xmm[insn->reg];
    }
    if (!mem && si.rm == K_XMM) {
        stage[hrm] = xmm[insn->rm];
    }
    if (si.reg == K_MM) {
        ctx.mm[hreg] = cpu->fpu.st[insn->reg & 7].x.mant;
    }
    if (!mem && si.rm == K_MM) {
        ctx.mm[hrm] = cpu->fpu.st[insn->rm & 7].x.mant;
    }
    ctx.mxcsr = (guest & ~MXCSR_FLAGS) | MXCSR_MASKS;
    ctx.rflags = 2;

    checked = !(si.flags & SI_NOFP) && (guest & MXCSR_MASKS) != MXCSR_MASKS;
    thunk = prep.thunk;
    if (!checked) {
        thunk(&ctx, stage);
    } else {
        /* the guest unmasked some exceptions: let the host apply them */
        ctx.mxcsr = guest & ~MXCSR_FLAGS;
        if (fpu_host_call_checked(thunk, &ctx, stage)) {
            cpu->fpu.mxcsr |= ctx.mxcsr & MXCSR_FLAGS;
            if (mmx) {
                cpu->fpu.top = 0;       /* the MMX transition happened */
                cpu->fpu.ftwx = 0xff;
            }
            if (!(cpu->cr4 & CR4_OSXMMEXCPT)) {
                return x86_ud(cpu);
            }
            return x86_raise(cpu, EXC_XM);
        }
    }
    raised = ctx.mxcsr & MXCSR_FLAGS;
    if (mem && (si.flags & SI_MEMW) &&
        !x86_write(cpu, insn->seg, ea, ctx.mem, size)) {
        return X86_EXC;
    }

    /* commit (unchanged staged registers are written back unchanged) */
    if (!mem && si.rm == K_XMM) {
        xmm[insn->rm] = stage[hrm];
    }
    if (si.reg == K_XMM) {
        xmm[insn->reg] = stage[hreg];
    }
    if (si.flags & SI_XMM0) {
        xmm[0] = stage[0];
    }
    cpu->fpu.mxcsr = guest | raised;
    if (si.flags & SI_GPRW_REG) {
        cpu->regs[insn->reg] = ctx.gpr[0];
    }
    if ((si.flags & SI_GPRW_RM) && !mem) {
        cpu->regs[insn->rm] = ctx.gpr[1];
    }
    if (si.flags & SI_RCXOUT) {
        cpu->regs[R_ECX] = ctx.gpr[1];
    }
    if (si.flags & SI_FLAGS) {
        x86_set_arith_flags(cpu, (uint32_t)ctx.rflags);
    }
    if (mmx) {
        int dest = -1;
        unsigned from = 0;

        if ((si.flags & SI_MMW_RM) || si.reg == K_DIGIT) {
            dest = mem ? -1 : (int)(insn->rm & 7);
            from = hrm;
        } else if (si.reg == K_MM && !(si.flags & SI_MMW_NONE)) {
            dest = insn->reg & 7;
            from = hreg;
        }
        if (dest >= 0) {
            cpu->fpu.st[dest].x.mant = ctx.mm[from];
            cpu->fpu.st[dest].x.sexp = 0xffff;
        }
        cpu->fpu.top = 0;
        cpu->fpu.ftwx = 0xff;
    }
    return X86_NEXT;
}
