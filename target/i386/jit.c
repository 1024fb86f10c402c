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

#include "target/i386/jit.h"

#define JIT_BUF_SIZE (64u << 20)
#define JIT_MARGIN 8192             /* never fewer bytes left per record */

/* TLB index extraction (tlb_index()): a power of two, at most 64K */
G_STATIC_ASSERT((X86_TLB_SIZE & (X86_TLB_SIZE - 1)) == 0 &&
                X86_TLB_SIZE <= 65536 && X86_TLB_SIZE >= 2);
G_STATIC_ASSERT(sizeof(X86TLBEntry) == 24);

#define IBTC_SIZE 2048             /* entries of the indirect-target cache */

struct X86Jit {
    struct JitSlot *ibtc;           /* RET/indirect exits: by target RIP */
    uint8_t *buf;
    size_t used, base;              /* base: end of the trampolines */
    uint8_t *leave;
    int (*enter)(X86CPU *cpu, void *code);
};

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
       R8, R9, R10, R11, R12, R13, R14, R15 };
#define NOIDX 0xff

/* Host registers that hold guest registers, callee-saved first: a call
 * to C (flag conversion) need not save them. */
static const uint8_t homes[] = { R12, R13, R14, R15, RBP, R8, R9, R10, R11 };
#define NHOMES ((int)sizeof(homes))

enum { L_REG, L_MEM, L_IMM };
typedef struct Loc {
    uint8_t kind;
    uint8_t reg;                    /* L_REG: register; L_MEM: base */
    uint8_t idx, scale;             /* L_MEM index (NOIDX: none) */
    int8_t greg;                    /* L_MEM: cpu->regs[greg] itself */
    int32_t disp;
    int64_t imm;
} Loc;

enum { FS_CC, FS_HOST, FS_BOTH };   /* where the guest flags are */

typedef struct Stub {
    uint8_t *jmp[2];                /* rel32 fields jumping here */
    uint8_t *resume;
    uint8_t i, fs_before, fs_after;
    bool ender;                     /* the record ends the block */
    uint16_t dirty;
} Stub;

/* instruction kinds the translator emits natively */
enum {
    K_HELPER, K_ALU, K_UNARY, K_SHIFT, K_IMUL2, K_IMUL3, K_MOVX, K_LEA,
    K_CMOV, K_SETCC, K_BSWAP, K_BT, K_BSX, K_XCHG, K_CXX, K_NOP,
    K_PUSH, K_POP, K_JCC, K_JMP, K_CALL, K_RET, K_SHD, K_JMPI, K_CALLI,
};
/* ALU operations: the ModRM /digit of 80-83, then TEST and MOV */
enum { A_ADD, A_OR, A_ADC, A_SBB, A_AND, A_SUB, A_XOR, A_CMP, A_TEST, A_MOV };
/* operand sources */
enum { O_NONE, O_E, O_G, O_ACC, O_IMM, O_RMREG };

typedef struct Info {
    uint8_t kind, op, sz;
    uint8_t dst, src;               /* O_* (K_ALU) */
    bool rd, wr;                    /* reads flags / writes all of them */
    bool pr;                        /* keeps some flags (needs them only
                                     * if they are live after it) */
    bool mem;                       /* has a guest memory operand */
    uint8_t acc;                    /* its TLB: ACC_READ / ACC_WRITE */
    uint8_t msz;                    /* its size */
} Info;

typedef struct Ctx {
    X86CPU *cpu;
    X86Block *b;
    X86Jit *jit;
    uint8_t *p, *end;
    bool full;
    uint8_t mmu;
    int8_t home[16];
    uint16_t mapped, dirty;
    int fs;
    bool live[X86_BLOCK_MAX + 1];   /* flags live before record i */
    uint32_t off[X86_BLOCK_MAX + 1];/* byte offset of record i */
    Info inf[X86_BLOCK_MAX];
    Stub stubs[X86_BLOCK_MAX];
    int nstubs;
    uint8_t *head;                  /* after the prologue: loop target */
} Ctx;

#define OFF_REG(g) ((int32_t)(offsetof(X86CPU, regs) + 8 * (g)))
#define OFF(f) ((int32_t)offsetof(X86CPU, f))

/* ---- emitter ------------------------------------------------------------ */

static void e8(Ctx *c, unsigned v)
{
    if (c->p < c->end) {
        *c->p++ = v;
    } else {
        c->full = true;
    }
}

static void e32(Ctx *c, uint32_t v)
{
    for (int k = 0; k < 4; k++) {
        e8(c, v >> (8 * k));
    }
}

static void e64(Ctx *c, uint64_t v)
{
    e32(c, v);
    e32(c, v >> 32);
}

static bool fits8(int64_t v)
{
    return v == (int8_t)v;
}

static bool fits32(int64_t v)
{
    return v == (int32_t)v;
}

static Loc R(unsigned r)
{
    return (Loc){ .kind = L_REG, .reg = r, .idx = NOIDX, .greg = -1 };
}

static Loc MEM(unsigned base, int32_t disp)
{
    return (Loc){ .kind = L_MEM, .reg = base, .idx = NOIDX, .greg = -1,
                  .disp = disp };
}

static Loc MI(unsigned base, unsigned idx, unsigned scale, int32_t disp)
{
    return (Loc){ .kind = L_MEM, .reg = base, .idx = idx, .scale = scale,
                  .greg = -1, .disp = disp };
}

static Loc IMM(int64_t v)
{
    return (Loc){ .kind = L_IMM, .idx = NOIDX, .greg = -1, .imm = v };
}

/*
 * [66] [REX] opcode ModRM [SIB] [disp]. @w: operand size (2: 66 prefix,
 * 8: REX.W); @rf: ModRM.reg (a register or a /digit); @brf/@brm: that
 * operand is an 8-bit register (a REX makes 4-7 SPL..DIL, not AH..BH).
 */
static void emit_modrm(Ctx *c, unsigned w, uint32_t opc, int nopc,
                       unsigned rf, bool brf, Loc rm, bool brm)
{
    unsigned rex = 0, mod;
    bool force = brf && rf >= 4 && rf < 8;

    if (w == 2) {
        e8(c, 0x66);
    }
    if (w == 8) {
        rex |= 8;
    }
    if (rf & 8) {
        rex |= 4;
    }
    if (rm.reg & 8) {
        rex |= 1;
    }
    if (rm.kind == L_REG) {
        force |= brm && rm.reg >= 4 && rm.reg < 8;
    } else if (rm.idx != NOIDX && (rm.idx & 8)) {
        rex |= 2;
    }
    if (rex || force) {
        e8(c, 0x40 | rex);
    }
    for (int k = nopc - 1; k >= 0; k--) {
        e8(c, (opc >> (8 * k)) & 0xff);
    }
    if (rm.kind == L_REG) {
        e8(c, 0xc0 | (rf & 7) << 3 | (rm.reg & 7));
        return;
    }
    mod = (rm.disp == 0 && (rm.reg & 7) != 5) ? 0 : fits8(rm.disp) ? 1 : 2;
    if (rm.idx != NOIDX || (rm.reg & 7) == 4) {
        e8(c, mod << 6 | (rf & 7) << 3 | 4);
        e8(c, rm.scale << 6 | ((rm.idx == NOIDX ? 4 : rm.idx) & 7) << 3 |
              (rm.reg & 7));
    } else {
        e8(c, mod << 6 | (rf & 7) << 3 | (rm.reg & 7));
    }
    if (mod == 1) {
        e8(c, rm.disp & 0xff);
    } else if (mod == 2) {
        e32(c, rm.disp);
    }
}

static void emit_imm(Ctx *c, unsigned sz, int64_t v)
{
    if (sz == 1) {
        e8(c, v & 0xff);
    } else if (sz == 2) {
        e8(c, v & 0xff);
        e8(c, (v >> 8) & 0xff);
    } else {
        e32(c, v);
    }
}

static void mov_rr(Ctx *c, unsigned d, unsigned s)      /* 64-bit */
{
    emit_modrm(c, 8, 0x89, 1, s, false, R(d), false);
}

static void load64(Ctx *c, unsigned r, Loc m)
{
    emit_modrm(c, 8, 0x8b, 1, r, false, m, false);
}

static void store64(Ctx *c, Loc m, unsigned r)
{
    emit_modrm(c, 8, 0x89, 1, r, false, m, false);
}

static void lea64(Ctx *c, unsigned r, Loc m)
{
    emit_modrm(c, 8, 0x8d, 1, r, false, m, false);
}

static void mov_imm(Ctx *c, unsigned r, uint64_t v)
{
    if (v == (uint32_t)v) {
        if (r & 8) {
            e8(c, 0x41);
        }
        e8(c, 0xb8 + (r & 7));
        e32(c, v);
    } else if (fits32((int64_t)v)) {
        emit_modrm(c, 8, 0xc7, 1, 0, false, R(r), false);
        e32(c, v);
    } else {
        e8(c, 0x48 | ((r & 8) ? 1 : 0));
        e8(c, 0xb8 + (r & 7));
        e64(c, v);
    }
}

static void call_abs(Ctx *c, const void *fn)
{
    mov_imm(c, RAX, (uintptr_t)fn);
    e8(c, 0xff);                    /* call rax */
    e8(c, 0xd0);
}

/* jmp/jcc rel32 to @target (NULL: patched later; returns the field) */
static uint8_t *jmp32(Ctx *c, int cc, const uint8_t *target)
{
    uint8_t *f;

    if (cc < 0) {
        e8(c, 0xe9);
    } else {
        e8(c, 0x0f);
        e8(c, 0x80 + cc);
    }
    f = c->p;
    e32(c, target ? (uint32_t)(target - (c->p + 4)) : 0);
    return c->full ? NULL : f;
}

static void patch32(uint8_t *f, const uint8_t *target)
{
    int32_t rel;

    if (!f) {
        return;
    }
    rel = (int32_t)(target - (f + 4));
    memcpy(f, &rel, 4);
}

/* short jump (cc < 0: jmp) with its rel8 patched by fix8() */
static uint8_t *jmp8(Ctx *c, int cc)
{
    e8(c, cc < 0 ? 0xeb : 0x70 + cc);
    e8(c, 0);
    return c->full ? NULL : c->p - 1;
}

static void fix8(Ctx *c, uint8_t *f)
{
    if (f && !c->full) {
        if (c->p - (f + 1) > 127) {
            c->full = true;         /* out of reach: no translation */
            return;
        }
        *f = (uint8_t)(c->p - (f + 1));
    }
}

/* ALU operation @k at @sz bytes: d = d op s (TEST/CMP: flags only). */
static void emit_alu(Ctx *c, int k, unsigned sz, Loc d, Loc s, bool lock)
{
    bool byte = sz == 1;
    unsigned w = byte ? 1 : sz;

    if (s.kind == L_IMM) {
        if (k == A_MOV && sz == 8 && !fits32(s.imm)) {
            if (d.kind == L_REG) {
                mov_imm(c, d.reg, s.imm);
                return;
            }
            mov_imm(c, RAX, s.imm);
            emit_alu(c, A_MOV, 8, d, R(RAX), false);
            return;
        }
        if (lock) {
            e8(c, 0xf0);
        }
        if (k == A_MOV) {
            emit_modrm(c, w, byte ? 0xc6 : 0xc7, 1, 0, false, d, byte);
            emit_imm(c, sz, s.imm);
        } else if (k == A_TEST) {
            emit_modrm(c, w, byte ? 0xf6 : 0xf7, 1, 0, false, d, byte);
            emit_imm(c, sz, s.imm);
        } else if (!byte && fits8(s.imm)) {
            emit_modrm(c, w, 0x83, 1, k, false, d, false);
            e8(c, s.imm & 0xff);
        } else {
            emit_modrm(c, w, byte ? 0x80 : 0x81, 1, k, false, d, byte);
            emit_imm(c, sz, s.imm);
        }
        return;
    }
    if (k == A_TEST && d.kind == L_REG && s.kind != L_REG) {
        Loc t = d;
        d = s;
        s = t;
    }
    if (d.kind == L_REG && k != A_TEST) {
        emit_modrm(c, w, (k == A_MOV ? 0x8a : (k << 3) | 2) + !byte, 1,
                   d.reg, byte, s, byte);
    } else if (s.kind == L_REG) {
        if (lock) {
            e8(c, 0xf0);
        }
        emit_modrm(c, w, (k == A_MOV ? 0x88 : k == A_TEST ? 0x84 : k << 3) +
                   !byte, 1, s.reg, byte, d, byte);
    } else {
        emit_alu(c, A_MOV, sz, R(RAX), s, false);
        emit_alu(c, k, sz, d, R(RAX), lock);
    }
}

/* ---- guest state in host registers ---------------------------------- */

static void writeback(Ctx *c, uint16_t mask)
{
    for (int g = 0; g < 16; g++) {
        if ((mask & c->mapped) & (1u << g)) {
            store64(c, MEM(RBX, OFF_REG(g)), c->home[g]);
        }
    }
}

static void reload(Ctx *c)
{
    for (int g = 0; g < 16; g++) {
        if (c->mapped & (1u << g)) {
            load64(c, c->home[g], MEM(RBX, OFF_REG(g)));
        }
    }
}

/* Where guest register @g is at @sz bytes (AH..BH: its byte in memory). */
static Loc gloc(Ctx *c, const X86Insn *insn, unsigned g, unsigned sz)
{
    Loc l;

    if (sz == 1 && !(insn->prefix & PFX_REX) && g >= 4 && g < 8) {
        return MEM(RBX, OFF_REG(g - 4) + 1);
    }
    if (c->home[g] >= 0) {
        return R(c->home[g]);
    }
    l = MEM(RBX, OFF_REG(g));
    l.greg = g;
    return l;
}

/* @d (from gloc) was written at @sz bytes: a 32-bit write clears the top
 * half of a register kept in memory; a home becomes dirty. */
static void wrote(Ctx *c, Loc d, unsigned sz)
{
    if (d.kind == L_REG) {
        for (int g = 0; g < 16; g++) {
            if (c->home[g] == d.reg) {
                c->dirty |= 1u << g;
            }
        }
    } else if (d.greg >= 0 && sz == 4) {
        emit_modrm(c, 4, 0xc7, 1, 0, false, MEM(RBX, d.disp + 4), false);
        e32(c, 0);
    }
}

/* RAX (already computed at @sz, zero-extended when 4) into guest @g */
static void store_from_rax(Ctx *c, const X86Insn *insn, unsigned g,
                           unsigned sz)
{
    Loc d = gloc(c, insn, g, sz);

    if (d.kind == L_REG && sz >= 4) {
        mov_rr(c, d.reg, RAX);      /* 64-bit: RAX is zero-extended */
    } else if (d.kind == L_MEM && sz == 4) {
        store64(c, d, RAX);
        return;
    } else {
        emit_alu(c, A_MOV, sz, d, R(RAX), false);
    }
    wrote(c, d, 8);
}

/* ---- flags ------------------------------------------------------------- */

/* cpu->cc in CC_EFLAGS form (called from translated code) */
static void jit_cc_to_eflags(X86CPU *cpu)
{
    cpu->cc.src1 = x86_cc_compute(&cpu->cc);
    cpu->cc.op = CC_EFLAGS;
}

/* Host flags -> cpu->cc (host flags unchanged) */
static void flags_store(Ctx *c)
{
    if (c->fs != FS_HOST) {
        return;
    }
    /* LAHF/SETO rather than PUSHFQ (microcoded): cc.src1's byte 0 =
     * SF ZF AF PF CF, byte 1 = OF << 3; the other bits are ignored
     * (x86_cc_compute masks CC_EFLAGS with F_ARITH) */
    e8(c, 0x9f);                                /* lahf */
    e8(c, 0x0f); e8(c, 0x90); e8(c, 0xc1);      /* seto cl */
    e8(c, 0x0f); e8(c, 0xb6); e8(c, 0xc9);      /* movzx ecx, cl */
    e8(c, 0x8d); e8(c, 0x0c); e8(c, 0xcd); e32(c, 0);  /* lea ecx,[rcx*8] */
    e8(c, 0x88); e8(c, 0xa3); e32(c, OFF(cc.src1));    /* mov [..], ah */
    e8(c, 0x88); e8(c, 0x8b); e32(c, OFF(cc.src1) + 1); /* mov [..], cl */
    emit_modrm(c, 1, 0xc6, 1, 0, false, MEM(RBX, OFF(cc.op)), false);
    e8(c, CC_EFLAGS);
    c->fs = FS_BOTH;
}

/* cpu->cc -> host flags */
static void flags_load(Ctx *c)
{
    uint8_t *f;
    unsigned n = 0;
    uint8_t saved[4];

    if (c->fs != FS_CC) {
        return;
    }
    emit_modrm(c, 1, 0x80, 1, 7, false, MEM(RBX, OFF(cc.op)), false);
    e8(c, CC_EFLAGS);               /* cmp byte [cc.op], CC_EFLAGS */
    f = jmp8(c, 0x4);               /* je */
    for (int g = 0; g < 16; g++) {
        if ((c->mapped & (1u << g)) && c->home[g] >= R8 &&
            c->home[g] <= R11) {
            saved[n++] = c->home[g];
        }
    }
    for (unsigned k = 0; k < n; k++) {
        e8(c, 0x41);
        e8(c, 0x50 + (saved[k] & 7));
    }
    if (n & 1) {
        e8(c, 0x48); e8(c, 0x83); e8(c, 0xec); e8(c, 8);   /* sub rsp,8 */
    }
    mov_rr(c, RDI, RBX);
    call_abs(c, (const void *)jit_cc_to_eflags);
    if (n & 1) {
        e8(c, 0x48); e8(c, 0x83); e8(c, 0xc4); e8(c, 8);   /* add rsp,8 */
    }
    for (unsigned k = n; k-- > 0;) {
        e8(c, 0x41);
        e8(c, 0x58 + (saved[k] & 7));
    }
    fix8(c, f);
    /* OF by an overflowing ADD, the rest by SAHF (not POPFQ) */
    load64(c, RAX, MEM(RBX, OFF(cc.src1)));
    e8(c, 0x89); e8(c, 0xc1);                   /* mov ecx, eax */
    e8(c, 0xc1); e8(c, 0xe9); e8(c, 11);        /* shr ecx, 11 */
    e8(c, 0x83); e8(c, 0xe1); e8(c, 1);         /* and ecx, 1 */
    e8(c, 0x80); e8(c, 0xc1); e8(c, 0x7f);      /* add cl, 0x7f */
    e8(c, 0x88); e8(c, 0xc4);                   /* mov ah, al */
    e8(c, 0x9e);                                /* sahf */
    c->fs = FS_BOTH;
}

/* ---- addresses and the TLB -------------------------------------------- */

/* RIP of record @i (+@extra) into @r */
static void rip_of(Ctx *c, unsigned r, unsigned i, int64_t extra)
{
    load64(c, r, MEM(RSP, 0));
    lea64(c, r, MEM(r, (int32_t)(c->off[i] + extra)));
}

/* Effective address (with the FS/GS base when @seg) of @insn into RSI.
 * false: not expressible (a RIP-relative displacement out of range). */
static bool emit_ea(Ctx *c, unsigned i, const X86Insn *insn, unsigned dst,
                    bool seg)
{
    int64_t disp = insn->disp;
    int b = -1, x = -1;

    if (insn->riprel) {
        disp += c->off[i] + insn->len;
        if (!fits32(disp)) {
            return false;
        }
        load64(c, dst, MEM(RSP, 0));
        b = dst;
    } else {
        if (insn->base != X86_NOREG) {
            b = c->home[insn->base];
            if (b < 0) {
                load64(c, dst, MEM(RBX, OFF_REG(insn->base)));
                b = dst;
            }
        }
        if (insn->index != X86_NOREG) {
            x = c->home[insn->index];
            if (x < 0) {
                load64(c, RAX, MEM(RBX, OFF_REG(insn->index)));
                x = RAX;
            }
        }
    }
    if (b < 0 && x < 0) {
        mov_imm(c, dst, (uint64_t)disp);
    } else if (x < 0 && disp == 0) {
        if (b != (int)dst) {
            mov_rr(c, dst, b);
        }
    } else if (b < 0) {
        /* no base: [index*scale + disp32] */
        e8(c, 0x48 | ((dst & 8) ? 4 : 0) | ((x & 8) ? 2 : 0));
        e8(c, 0x8d);
        e8(c, (dst & 7) << 3 | 4);
        e8(c, insn->scale << 6 | (x & 7) << 3 | 5);
        e32(c, (uint32_t)disp);
    } else {
        lea64(c, dst, x < 0 ? MEM(b, (int32_t)disp) :
                             MI(b, x, insn->scale, (int32_t)disp));
    }
    if (insn->addrsize == 4) {
        emit_modrm(c, 4, 0x89, 1, dst, false, R(dst), false);
    }
    if (seg && (insn->seg == SEG_FS || insn->seg == SEG_GS)) {
        load64(c, RAX, MEM(RBX, OFF(seg) + insn->seg * sizeof(X86Segment) +
                            offsetof(X86Segment, base)));
        lea64(c, dst, MI(dst, RAX, 0, 0));
    }
    return true;
}

/* @dst (RAX or RCX) = TLB index of the linear address in @src times 3
 * (entries are 24 bytes): no flag written unless @flags_free. */
static void tlb_index(Ctx *c, unsigned dst, unsigned src, bool flags_free)
{
    unsigned bits = __builtin_ctz(X86_TLB_SIZE);

    /* rorx dst, src, 12 */
    e8(c, 0xc4); e8(c, 0xe3); e8(c, 0xfb); e8(c, 0xf0);
    e8(c, 0xc0 | (dst & 7) << 3 | (src & 7)); e8(c, 12);
    if (bits == 8 || bits == 16) {
        /* movzx dst32, dst8 / dst16 */
        e8(c, 0x0f); e8(c, bits == 8 ? 0xb6 : 0xb7);
        e8(c, 0xc0 | (dst & 7) << 3 | (dst & 7));
    } else if (flags_free) {
        emit_modrm(c, 4, 0x81, 1, 4, false, R(dst), false);   /* and */
        e32(c, X86_TLB_SIZE - 1);
    } else {
        /* shlx/shrx dst, dst, rdx with rdx = 64 - bits */
        mov_imm(c, RDX, 64 - bits);
        e8(c, 0xc4); e8(c, 0xe2); e8(c, 0xe9); e8(c, 0xf7);
        e8(c, 0xc0 | (dst & 7) << 3 | (dst & 7));
        e8(c, 0xc4); e8(c, 0xe2); e8(c, 0xeb); e8(c, 0xf7);
        e8(c, 0xc0 | (dst & 7) << 3 | (dst & 7));
    }
    lea64(c, dst, MI(dst, dst, 1, 0));          /* lea dst, [dst+dst*2] */
}

/*
 * RSI = host pointer for @sz bytes at linear RSI through the TLB @acc, or
 * a jump to record @i's stub (the interpreter runs it). No flags change.
 */
static void emit_lookup(Ctx *c, unsigned i, unsigned sz, int acc)
{
    int32_t tlb = OFF(tlb) + (int32_t)(((size_t)c->mmu * ACC_NR + acc) *
                                        X86_TLB_SIZE * sizeof(X86TLBEntry));
    static const uint8_t mask[] = {
        0xba, 0x0c, 0x00, 0x00, 0x00,           /* mov edx, 12 */
        0xc4, 0xe2, 0xeb, 0xf7, 0xc9,           /* shrx rcx, rcx, rdx */
        0xc4, 0xe2, 0xe9, 0xf7, 0xc9,           /* shlx rcx, rcx, rdx */
        0x48, 0xf7, 0xd1,                       /* not rcx */
    };
    Stub *s = &c->stubs[c->nstubs++];
    bool keep = c->live[i] && c->fs != FS_CC;   /* host flags matter */

    tlb_index(c, RAX, RSI, !keep);
    lea64(c, RCX, MEM(RSI, sz - 1));
    memset(s, 0, sizeof(*s));
    if (keep) {
        for (size_t k = 0; k < sizeof(mask); k++) {
            e8(c, mask[k]);
        }
        load64(c, RDX, MI(RBX, RAX, 3, tlb));  /* tag */
        lea64(c, RCX, MI(RCX, RDX, 0, 0));     /* tag - (page | 1) */
        e8(c, 0xe3);                            /* jrcxz hit */
        e8(c, 5);
        s->jmp[0] = jmp32(c, -1, NULL);
    } else {
        /* flags are free: and rcx, -4096; or rcx, 1; cmp rcx, [tag] */
        e8(c, 0x48); e8(c, 0x81); e8(c, 0xe1); e32(c, 0xfffff000);
        e8(c, 0x48); e8(c, 0x83); e8(c, 0xc9); e8(c, 0x01);
        emit_modrm(c, 8, 0x3b, 1, RCX, false, MI(RBX, RAX, 3, tlb), false);
        s->jmp[0] = jmp32(c, 0x5, NULL);
    }
    s->i = i;
    s->fs_before = c->fs;
    s->dirty = c->dirty;
    load64(c, RCX, MI(RBX, RAX, 3, tlb + 8));  /* addend */
    lea64(c, RSI, MI(RSI, RCX, 0, 0));
}

/* ---- interpreter handlers ------------------------------------------- */

/* Exit with status RAX | @i << 8 (RAX: an 8-bit status) */
static void exit_status(Ctx *c, unsigned i)
{
    if (i) {
        e8(c, 0x0d);                /* or eax, imm32 */
        e32(c, i << 8);
    }
    jmp32(c, -1, c->jit->leave);
}

/* Run record @i's handler (registers stored, flags in cpu->cc) and leave
 * the block unless it retired with nothing to check. */
static void call_handler(Ctx *c, unsigned i)
{
    const X86Insn *insn = &c->b->insns[i];
    X86Handler h = (insn->spec & (X86_SPEC_FUSED | X86_SPEC_CHAIN)) ?
                   x86_generic_handler(insn) : insn->handler;
    uint8_t *st, *nx[3], *cont;

    rip_of(c, RAX, i, 0);
    store64(c, MEM(RBX, OFF(rip)), RAX);
    lea64(c, RAX, MEM(RAX, insn->len));
    store64(c, MEM(RBX, OFF(next_ip)), RAX);
    mov_rr(c, RDI, RBX);
    mov_imm(c, RSI, (uintptr_t)insn);
    call_abs(c, (const void *)h);
    e8(c, 0x0f); e8(c, 0xb6); e8(c, 0xc0);      /* movzx eax, al */
    e8(c, 0x85); e8(c, 0xc0);                   /* test eax, eax */
    st = jmp8(c, 0x5);                          /* jne */
    emit_modrm(c, 1, 0x80, 1, 7, false, MEM(RBX, OFF(check)), false);
    e8(c, 0);
    nx[0] = jmp8(c, 0x5);
    emit_modrm(c, 1, 0x80, 1, 7, false, MEM(RBX, OFF(mmu_idx)), false);
    e8(c, c->mmu);
    nx[1] = jmp8(c, 0x5);
    emit_modrm(c, 1, 0x80, 1, 7, false, MEM(RBX, OFF(slow_data)), false);
    e8(c, 0);
    nx[2] = jmp8(c, 0x5);
    cont = jmp8(c, -1);
    for (int k = 0; k < 3; k++) {
        fix8(c, nx[k]);
    }
    e8(c, 0x31); e8(c, 0xc0);                   /* xor eax, eax */
    fix8(c, st);
    exit_status(c, i);
    fix8(c, cont);
}

/* The main path's record @i through its handler */
static void emit_helper(Ctx *c, unsigned i)
{
    if (c->live[i]) {
        flags_store(c);
    }
    writeback(c, c->dirty);
    c->dirty = 0;
    call_handler(c, i);
    c->fs = FS_CC;
    reload(c);
}

/* ---- classification ----------------------------------------------------- */

static bool hi_byte(const X86Insn *insn, unsigned g, unsigned sz)
{
    return sz == 1 && !(insn->prefix & PFX_REX) && g >= 4 && g < 8;
}

/* Decide how record @insn is translated. */
static void classify(const X86Insn *insn, Info *f)
{
    unsigned op = insn->opcode, d = insn->reg & 7;
    bool m = insn->mod != 3, bytef;

    memset(f, 0, sizeof(*f));
    f->kind = K_HELPER;
    f->sz = insn->opsize;
    f->acc = ACC_READ;
    if (insn->prefix & (PFX_LOCK | PFX_VEX) ||
        (insn->prefix & (PFX_REP | PFX_REPNE) && !(insn->map == MAP_1B &&
                                                  op == 0xc3))) {
        return;
    }
    if (insn->map == MAP_1B) {
        bytef = !(op & 1);
        if (op < 0x40 && (op & 7) < 6) {
            f->kind = K_ALU;
            f->op = op >> 3;
            f->sz = bytef ? 1 : insn->opsize;
            switch (op & 7) {
            case 0: case 1: f->dst = O_E; f->src = O_G; break;
            case 2: case 3: f->dst = O_G; f->src = O_E; break;
            default: f->dst = O_ACC; f->src = O_IMM; break;
            }
            if ((op & 7) == 4) {
                f->sz = 1;
            }
        } else if (op == 0x80 || op == 0x81 || op == 0x83) {
            f->kind = K_ALU;
            f->op = d;
            f->sz = op == 0x80 ? 1 : insn->opsize;
            f->dst = O_E;
            f->src = O_IMM;
        } else if (op == 0x84 || op == 0x85) {
            f->kind = K_ALU;
            f->op = A_TEST;
            f->sz = op == 0x84 ? 1 : insn->opsize;
            f->dst = O_E;
            f->src = O_G;
        } else if (op == 0xa8 || op == 0xa9) {
            f->kind = K_ALU;
            f->op = A_TEST;
            f->sz = op == 0xa8 ? 1 : insn->opsize;
            f->dst = O_ACC;
            f->src = O_IMM;
        } else if (op >= 0x88 && op <= 0x8b) {
            f->kind = K_ALU;
            f->op = A_MOV;
            f->sz = bytef ? 1 : insn->opsize;
            f->dst = op < 0x8a ? O_E : O_G;
            f->src = op < 0x8a ? O_G : O_E;
        } else if ((op == 0xc6 || op == 0xc7) && d == 0) {
            f->kind = K_ALU;
            f->op = A_MOV;
            f->sz = op == 0xc6 ? 1 : insn->opsize;
            f->dst = O_E;
            f->src = O_IMM;
        } else if (op >= 0xb0 && op <= 0xbf) {
            f->kind = K_ALU;
            f->op = A_MOV;
            f->sz = op < 0xb8 ? 1 : insn->opsize;
            f->dst = O_RMREG;
            f->src = O_IMM;
        } else if (op == 0x8d && m) {
            f->kind = K_LEA;
        } else if (op == 0x63 && insn->opsize == 8) {
            f->kind = K_MOVX;
        } else if ((op == 0xf6 || op == 0xf7) && d == 0) {
            f->kind = K_ALU;
            f->op = A_TEST;
            f->sz = op == 0xf6 ? 1 : insn->opsize;
            f->dst = O_E;
            f->src = O_IMM;
        } else if ((op == 0xf6 || op == 0xf7) && (d == 2 || d == 3)) {
            f->kind = K_UNARY;
            f->sz = op == 0xf6 ? 1 : insn->opsize;
        } else if (op == 0xff && (d == 2 || d == 4)) {
            f->kind = d == 2 ? K_CALLI : K_JMPI;
            f->sz = 8;
        } else if ((op == 0xfe || op == 0xff) && d < 2) {
            f->kind = K_UNARY;
            f->sz = op == 0xfe ? 1 : insn->opsize;
        } else if (op == 0xc0 || op == 0xc1 || (op >= 0xd0 && op <= 0xd3)) {
            f->kind = K_SHIFT;
            f->sz = bytef ? 1 : insn->opsize;
        } else if (op == 0x69 || op == 0x6b) {
            f->kind = K_IMUL3;
        } else if (op == 0x87 && !m) {
            f->kind = K_XCHG;
        } else if (op >= 0x91 && op <= 0x97) {
            f->kind = K_XCHG;
        } else if (op == 0x90 && !(insn->rex & 1)) {
            f->kind = K_NOP;
        } else if (op == 0x98 || op == 0x99) {
            f->kind = K_CXX;
        } else if (op >= 0x50 && op <= 0x57 && insn->opsize == 8) {
            f->kind = K_PUSH;
        } else if ((op == 0x68 || op == 0x6a) && insn->opsize == 8) {
            f->kind = K_PUSH;
        } else if (op >= 0x58 && op <= 0x5f && insn->opsize == 8) {
            f->kind = K_POP;
        } else if (op >= 0x70 && op <= 0x7f && insn->opsize == 8) {
            f->kind = K_JCC;
        } else if ((op == 0xe9 || op == 0xeb) && insn->opsize == 8) {
            f->kind = K_JMP;
        } else if (op == 0xe8 && insn->opsize == 8) {
            f->kind = K_CALL;
        } else if (op == 0xc3 && insn->opsize == 8) {
            f->kind = K_RET;
        }
    } else if (insn->map == MAP_0F && !(insn->prefix & (PFX_REP |
                                                        PFX_REPNE))) {
        if (op >= 0x80 && op <= 0x8f && insn->opsize == 8) {
            f->kind = K_JCC;
        } else if (op >= 0x40 && op <= 0x4f) {
            f->kind = K_CMOV;
        } else if (op >= 0x90 && op <= 0x9f) {
            f->kind = K_SETCC;
            f->sz = 1;
        } else if (op == 0xaf) {
            f->kind = K_IMUL2;
        } else if (op == 0xb6 || op == 0xb7 || op == 0xbe || op == 0xbf) {
            f->kind = K_MOVX;
        } else if (op >= 0xc8 && op <= 0xcf && insn->opsize >= 4) {
            f->kind = K_BSWAP;
        } else if ((op == 0xa3 || op == 0xab || op == 0xb3 || op == 0xbb) &&
                   !m) {
            f->kind = K_BT;
        } else if (op == 0xba && d >= 4) {
            f->kind = K_BT;
        } else if (op == 0xbc || op == 0xbd) {
            f->kind = K_BSX;
        } else if (op == 0xa4 || op == 0xa5 || op == 0xac || op == 0xad) {
            f->kind = K_SHD;
        } else if (op == 0x1f) {
            f->kind = K_NOP;
        }
    }
    if ((f->kind == K_JMPI || f->kind == K_CALLI) && m) {
        f->mem = true;
    } else if (f->kind == K_ALU && (f->dst == O_E || f->src == O_E) && m) {
        f->mem = true;
    } else if (m && (f->kind == K_UNARY || f->kind == K_SHIFT ||
                     f->kind == K_IMUL2 || f->kind == K_IMUL3 ||
                     f->kind == K_MOVX || f->kind == K_CMOV ||
                     f->kind == K_SETCC || f->kind == K_BT ||
                     f->kind == K_BSX || f->kind == K_SHD)) {
        f->mem = true;
    }
    if (f->kind == K_NOP) {
        f->mem = false;
    }
    /* flags and the memory access */
    switch (f->kind) {
    case K_ALU:
        f->rd = f->op == A_ADC || f->op == A_SBB;
        f->wr = f->op != A_MOV;
        f->acc = (f->dst == O_E && f->op != A_CMP && f->op != A_TEST) ?
                 ACC_WRITE : ACC_READ;
        break;
    case K_UNARY:
        if (insn->opcode == 0xf6 || insn->opcode == 0xf7) {
            f->wr = d == 3;         /* NEG; NOT leaves flags */
        } else {
            f->pr = f->wr = true;   /* INC/DEC keep CF */
        }
        f->acc = ACC_WRITE;
        break;
    case K_SHIFT: {
        unsigned cnt = insn->opcode >= 0xd2 ? 0x100 :
                       insn->opcode >= 0xd0 ? 1 : (unsigned)insn->imm;
        unsigned mask = f->sz == 8 ? 63 : 31;
        if (cnt != 0x100 && (cnt & mask) == 0) {
            /* flags kept; a 32-bit register is still zero-extended */
            if (m || d == 6) {
                f->kind = K_HELPER;
            }
            break;
        }
        if (cnt == 0x100 || d < 4 || d == 6) {
            /* CL may be 0; ROL/ROR/RCL/RCR keep SF ZF AF PF; /6 is
             * undocumented: leave it to the interpreter */
            if (d == 6) {
                f->kind = K_HELPER;
                break;
            }
            /* RCL/RCR read CF; the others keep what they don't write */
            f->rd = d == 2 || d == 3;
            f->pr = true;
        }
        f->wr = true;
        f->acc = ACC_WRITE;
        break;
    }
    case K_SHD:
        f->pr = f->wr = true;
        f->acc = ACC_WRITE;
        if (insn->opsize == 2) {
            f->kind = K_HELPER;     /* counts > 16: host-specific */
        }
        break;
    case K_IMUL2:
    case K_IMUL3:
    case K_BSX:
        f->wr = true;
        f->pr = f->kind == K_BSX;   /* source 0: ZF=1, rest kept */
        break;
    case K_BT:
        f->pr = f->wr = true;       /* CF only */
        f->acc = (insn->opcode == 0xa3 ||
                  (insn->opcode == 0xba && d == 4)) ? ACC_READ : ACC_WRITE;
        break;
    case K_CMOV:
    case K_SETCC:
    case K_JCC:
        f->rd = true;
        f->acc = f->kind == K_SETCC ? ACC_WRITE : ACC_READ;
        break;
    case K_MOVX:
        f->msz = insn->opcode == 0x63 ? 4 :
                 (insn->opcode & 1) ? 2 : 1;
        break;
    case K_PUSH:
    case K_CALL:
        f->mem = true;
        f->acc = ACC_WRITE;
        f->msz = 8;
        break;
    case K_POP:
    case K_RET:
        f->mem = true;
        f->acc = ACC_READ;
        f->msz = 8;
        break;
    default:
        break;
    }
    if (!f->msz) {
        f->msz = f->sz;
    }
    if (f->kind == K_HELPER) {
        f->rd = true;               /* unknown: may read them */
        f->wr = false;
        f->mem = false;
    }
}

static void use_reg(const X86Insn *insn, unsigned g, unsigned sz,
                    unsigned *cnt, uint16_t *nohome)
{
    if (hi_byte(insn, g, sz)) {
        *nohome |= 1u << (g - 4);
    } else {
        cnt[g] += 2;
    }
}

/* Guest registers a translated record names (homes are chosen from
 * these), and those it names as AH..BH (their 64-bit register must stay
 * in memory). */
static void reg_uses(const X86Insn *insn, const Info *f, unsigned *cnt,
                     uint16_t *nohome)
{
    unsigned op = insn->opcode;

#define USE(g, s) use_reg(insn, (g), (s), cnt, nohome)

    if (f->kind == K_HELPER || f->kind == K_NOP) {
        return;
    }
    if (f->mem && insn->mod != 3 && f->kind != K_PUSH && f->kind != K_POP) {
        if (insn->base != X86_NOREG) {
            cnt[insn->base] += 2;
        }
        if (insn->index != X86_NOREG) {
            cnt[insn->index] += 2;
        }
    } else if (f->kind == K_LEA) {
        if (insn->base != X86_NOREG) {
            cnt[insn->base] += 2;
        }
        if (insn->index != X86_NOREG) {
            cnt[insn->index] += 2;
        }
    }
    switch (f->kind) {
    case K_ALU:
        if (f->dst == O_ACC) {
            USE(R_EAX, f->sz);
        }
        if (f->dst == O_RMREG) {
            USE(insn->rm, f->sz);
        }
        if ((f->dst == O_E || f->src == O_E) && insn->mod == 3) {
            USE(insn->rm, f->sz);
        }
        if (f->dst == O_G || f->src == O_G) {
            USE(insn->reg, f->sz);
        }
        break;
    case K_UNARY:
    case K_SETCC:
        if (insn->mod == 3) {
            USE(insn->rm, f->sz);
        }
        break;
    case K_SHIFT:
        if (insn->mod == 3) {
            USE(insn->rm, f->sz);
        }
        if (op == 0xd2 || op == 0xd3) {
            cnt[R_ECX]++;
        }
        break;
    case K_SHD:
        if (insn->mod == 3) {
            USE(insn->rm, 8);
        }
        USE(insn->reg, 8);
        if (op == 0xa5 || op == 0xad) {
            cnt[R_ECX]++;
        }
        break;
    case K_MOVX:
        if (insn->mod == 3) {
            USE(insn->rm, f->msz);
        }
        USE(insn->reg, 8);
        break;
    case K_LEA:
    case K_IMUL2:
    case K_IMUL3:
    case K_CMOV:
    case K_BSX:
    case K_BT:
        if (insn->mod == 3) {
            USE(insn->rm, 8);
        }
        if (f->kind != K_BT || op != 0xba) {
            USE(insn->reg, 8);
        }
        break;
    case K_BSWAP:
        USE(insn->rm, 8);
        break;
    case K_XCHG:
        if (op == 0x87) {
            USE(insn->rm, 8);
            USE(insn->reg, 8);
        } else {
            USE(insn->rm, 8);
            USE(R_EAX, 8);
        }
        break;
    case K_CXX:
        cnt[R_EAX]++;
        cnt[R_EDX]++;
        break;
    case K_PUSH:
        if (op >= 0x50 && op <= 0x57) {
            USE(insn->rm, 8);
        }
        cnt[R_ESP] += 2;
        break;
    case K_POP:
        USE(insn->rm, 8);
        cnt[R_ESP] += 2;
        break;
    case K_CALL:
    case K_RET:
        cnt[R_ESP] += 2;
        break;
    case K_JMPI:
    case K_CALLI:
        if (insn->mod == 3) {
            USE(insn->rm, 8);
        }
        if (f->kind == K_CALLI) {
            cnt[R_ESP] += 2;
        }
        break;
    default:
        break;
    }
#undef USE
}

/* ---- translation of one record ---------------------------------------- */

/* Guest operand @o of record @insn at @sz bytes (memory: [RSI]) */
static Loc operand(Ctx *c, const X86Insn *insn, int o, unsigned sz)
{
    switch (o) {
    case O_E:
        if (insn->mod != 3) {
            return MEM(RSI, 0);
        }
        return gloc(c, insn, insn->rm, sz);
    case O_G:
        return gloc(c, insn, insn->reg, sz);
    case O_ACC:
        return gloc(c, insn, R_EAX, sz);
    case O_RMREG:
        return gloc(c, insn, insn->rm, sz);
    default:
        return IMM((int64_t)insn->imm);
    }
}

/* A guest register operand copied into RAX (64 bits) */
static void greg_to_rax(Ctx *c, const X86Insn *insn, unsigned g)
{
    Loc s = gloc(c, insn, g, 8);

    if (s.kind == L_REG) {
        mov_rr(c, RAX, s.reg);
    } else {
        load64(c, RAX, s);
    }
}

/* guest RSP += @delta */
static void adjust_rsp(Ctx *c, int delta)
{
    int h = c->home[R_ESP];

    if (h >= 0) {
        lea64(c, h, MEM(h, delta));
        c->dirty |= 1u << R_ESP;
    } else {
        load64(c, RAX, MEM(RBX, OFF_REG(R_ESP)));
        lea64(c, RAX, MEM(RAX, delta));
        store64(c, MEM(RBX, OFF_REG(R_ESP)), RAX);
    }
}

/* RSI = guest RSP + @delta */
static void rsp_to_rsi(Ctx *c, int delta)
{
    int h = c->home[R_ESP];

    if (h >= 0) {
        lea64(c, RSI, MEM(h, delta));
    } else {
        load64(c, RSI, MEM(RBX, OFF_REG(R_ESP)));
        if (delta) {
            lea64(c, RSI, MEM(RSI, delta));
        }
    }
}

/* Canonical check of RDX (flags free); not canonical: to @stub */
static void canon_rdx(Ctx *c, Stub *s)
{
    static const uint8_t code[] = {
        0x48, 0x89, 0xd1,                   /* mov rcx, rdx */
        0x48, 0xc1, 0xe1, 0x10,             /* shl rcx, 16 */
        0x48, 0xc1, 0xf9, 0x10,             /* sar rcx, 16 */
        0x48, 0x39, 0xd1,                   /* cmp rcx, rdx */
    };

    for (size_t k = 0; k < sizeof(code); k++) {
        e8(c, code[k]);
    }
    s->jmp[1] = jmp32(c, 0x5, NULL);        /* jne stub */
}

/* An exit slot (in the code buffer, after its exit's code; or an entry of
 * the indirect-target cache, which exits with a computed target share) */
typedef struct JitSlot {
    uint64_t lin;                   /* target RIP it was linked for */
    void *code;                     /* that block's host code */
    X86Block *b;
    uint64_t gpa;                   /* guest-physical page of b */
    uint32_t gen;                   /* cpu->chain_gen */
    uint32_t tgen;                  /* cpu->tlb_flushes when last checked */
    uint64_t same;                  /* a static target on the exiting
                                     * block's page: that page | 1 */
    uint32_t mmu;                   /* b->jit_mmu (checked by the cache) */
    uint32_t pad[3];
} JitSlot;
G_STATIC_ASSERT(sizeof(JitSlot) == 64);

static void exit_to(Ctx *c, unsigned i, bool same, bool dyn);

/*
 * End of block at target RDX (flags in cpu->cc, registers stored): jump
 * straight to the linked block when the slot still holds (same target,
 * no block invalidated, the fetch TLB still maps the target to it) and
 * the run loop has nothing to do between the blocks (no request from
 * another thread; budget left: the run loop gives none while an event
 * waits, see x86_cpu_run); else back to the run loop with next_ip = RDX.
 */
static void exit_rdx(Ctx *c, unsigned i, bool same)
{
    exit_to(c, i, same, false);
}

/* ... with @dyn: a computed target (RET, indirect JMP/CALL), looked up in
 * the indirect-target cache (by RIP; the entry's MMU index must match)
 * rather than in a slot of its own */
static void exit_to(Ctx *c, unsigned i, bool same, bool dyn)
{
    uint8_t *slotref = NULL, *out[10];
    int no = 0;
    JitSlot slot = { .lin = ~0ULL,
                     .same = same ? (c->b->gpa & ~0xfffULL) | 1 : 0 };

    if (dyn) {
        static const uint8_t hash[] = {
            0x48, 0x89, 0xd0,                   /* mov rax, rdx */
            0x48, 0xc1, 0xe8, 0x0b,             /* shr rax, 11 */
            0x48, 0x31, 0xd0,                   /* xor rax, rdx */
            0x25, (IBTC_SIZE - 1) & 0xff, (IBTC_SIZE - 1) >> 8, 0, 0,
            0xc1, 0xe0, 0x06,                   /* shl eax, 6 */
        };
        for (size_t k = 0; k < sizeof(hash); k++) {
            e8(c, hash[k]);
        }
        mov_imm(c, RCX, (uintptr_t)c->jit->ibtc);
        e8(c, 0x48); e8(c, 0x01); e8(c, 0xc8);  /* add rax, rcx */
        emit_modrm(c, 1, 0x80, 1, 7, false,
                   MEM(RAX, offsetof(JitSlot, mmu)), false);
        e8(c, c->mmu);                          /* cmp byte [mmu], M */
        out[no++] = jmp32(c, 0x5, NULL);
    } else {
        e8(c, 0x48); e8(c, 0x8d); e8(c, 0x05);  /* lea rax, [rip+slot] */
        slotref = c->p;
        e32(c, 0);
    }
    emit_modrm(c, 8, 0x3b, 1, RDX, false, MEM(RAX, 0), false);
    out[no++] = jmp32(c, 0x5, NULL);
    emit_modrm(c, 4, 0x8b, 1, RCX, false, MEM(RBX, OFF(chain_gen)), false);
    emit_modrm(c, 4, 0x3b, 1, RCX, false,
               MEM(RAX, offsetof(JitSlot, gen)), false);
    out[no++] = jmp32(c, 0x5, NULL);
    /* no TLB invalidation since the target was last checked, or the fetch
     * TLB still maps the target's page to the block's (then noted); for a
     * target on this block's own page (which this block runs from), the
     * link made sure of it (x86_jit_link) */
    if (!same) {
        uint8_t *ok;
        emit_modrm(c, 4, 0x8b, 1, RCX, false, MEM(RBX, OFF(tlb_flushes)),
                   false);
        emit_modrm(c, 4, 0x3b, 1, RCX, false,
                   MEM(RAX, offsetof(JitSlot, tgen)), false);
        ok = jmp8(c, 0x4);                      /* je ok */
        static const uint8_t code[] = {
            0x48, 0x89, 0xd6,                   /* mov rsi, rdx */
            0x48, 0xc1, 0xee, 0x0c,             /* shr rsi, 12 */
            0x48, 0xc1, 0xe6, 0x0c,             /* shl rsi, 12 */
            0x48, 0x83, 0xce, 0x01,             /* or rsi, 1 */
        };
        int32_t ftlb = OFF(tlb) + (int32_t)(((size_t)c->mmu * ACC_NR +
                                             ACC_FETCH) * X86_TLB_SIZE *
                                            sizeof(X86TLBEntry));
        tlb_index(c, RCX, RDX, true);
        for (size_t k = 0; k < sizeof(code); k++) {
            e8(c, code[k]);
        }
        emit_modrm(c, 8, 0x3b, 1, RSI, false, MI(RBX, RCX, 3, ftlb), false);
        out[no++] = jmp32(c, 0x5, NULL);
        load64(c, RSI, MI(RBX, RCX, 3, ftlb + 16));
        emit_modrm(c, 8, 0x33, 1, RSI, false,
                   MEM(RAX, offsetof(JitSlot, gpa)), false);
        e8(c, 0x48); e8(c, 0xc1); e8(c, 0xee); e8(c, 0x0c);  /* shr rsi,12 */
        out[no++] = jmp32(c, 0x5, NULL);
        emit_modrm(c, 4, 0x8b, 1, RCX, false, MEM(RBX, OFF(tlb_flushes)),
                   false);
        emit_modrm(c, 4, 0x89, 1, RCX, false,
                   MEM(RAX, offsetof(JitSlot, tgen)), false);
        fix8(c, ok);
    }
    emit_modrm(c, 4, 0x83, 1, 7, false, MEM(RBX, OFF(req)), false);
    e8(c, 0);
    out[no++] = jmp32(c, 0x5, NULL);
    emit_modrm(c, 4, 0x83, 1, 7, false, MEM(RBX, OFF(jit_budget)), false);
    e8(c, 0);
    out[no++] = jmp32(c, 0x4, NULL);            /* je */
    emit_modrm(c, 4, 0xff, 1, 1, false, MEM(RBX, OFF(jit_budget)), false);
    emit_modrm(c, 8, 0x83, 1, 0, false, MEM(RBX, OFF(insns_retired)),
               false);
    e8(c, i + 1);                               /* add: records retired */
    store64(c, MEM(RBX, OFF(rip)), RDX);
    load64(c, RCX, MEM(RAX, offsetof(JitSlot, b)));
    store64(c, MEM(RBX, OFF(jit_cur)), RCX);
    emit_modrm(c, 4, 0xff, 1, 4, false, MEM(RAX, offsetof(JitSlot, code)),
               false);                          /* jmp [rax+code] */
    for (int k = 0; k < no; k++) {
        patch32(out[k], c->p);
    }
    store64(c, MEM(RBX, OFF(next_ip)), RDX);
    store64(c, MEM(RBX, OFF(jit_slot)), RAX);
    e8(c, 0xb8);                                /* mov eax, i << 8 */
    e32(c, i << 8);
    jmp32(c, -1, c->jit->leave);
    if (dyn) {
        return;
    }
    while ((uintptr_t)c->p & 7) {
        e8(c, 0xcc);
    }
    if (!c->full) {
        patch32(slotref, c->p);
    }
    for (size_t k = 0; k < sizeof(slot); k++) {
        e8(c, ((uint8_t *)&slot)[k]);
    }
}

void x86_jit_link(X86CPU *cpu, void *slot, X86Block *b)
{
    JitSlot *s = slot;

    if (s->same && (s->same ^ b->gpa) >> 12) {
        return;                     /* not the page it was translated on */
    }
    s->lin = cpu->rip;
    s->code = b->jit;
    s->b = b;
    s->gpa = b->gpa & ~0xfffULL;
    s->gen = cpu->chain_gen;
    s->tgen = cpu->tlb_flushes;
    s->mmu = b->jit_mmu;
}

/* A branch of record @i back to the block's start (registers stored,
 * flags in cpu->cc and host flags): round again while nothing waits for
 * the run loop, as a chained exit would. */
static void emit_backedge(Ctx *c, unsigned i, int64_t rel)
{
    uint8_t *out[2];

    emit_modrm(c, 4, 0x83, 1, 7, false, MEM(RBX, OFF(req)), false);
    e8(c, 0);
    out[0] = jmp32(c, 0x5, NULL);
    emit_modrm(c, 4, 0x83, 1, 7, false, MEM(RBX, OFF(jit_budget)), false);
    e8(c, 0);
    out[1] = jmp32(c, 0x4, NULL);
    emit_modrm(c, 4, 0xff, 1, 1, false, MEM(RBX, OFF(jit_budget)), false);
    emit_modrm(c, 8, 0x83, 1, 0, false, MEM(RBX, OFF(insns_retired)),
               false);
    e8(c, i + 1);
    jmp32(c, -1, c->head);
    patch32(out[0], c->p);
    patch32(out[1], c->p);
    rip_of(c, RDX, i, rel);
    store64(c, MEM(RBX, OFF(next_ip)), RDX);
    e8(c, 0xb8);                                /* mov eax, i << 8 */
    e32(c, i << 8);
    jmp32(c, -1, c->jit->leave);
}

/* Whether RIP of record @i + @rel is on the block's page */
static bool on_page(Ctx *c, unsigned i, int64_t rel)
{
    int64_t page_off = (int64_t)(c->b->gpa & 0xfff) + c->off[i] + rel;

    return page_off >= 0 && page_off < 0x1000;
}

/* RDX = RIP of record @i + @rel (a branch target); one off the block's
 * page is checked canonical (else to stub @s). false: out of range. */
static bool target_rdx(Ctx *c, unsigned i, int64_t rel, Stub *s)
{
    int64_t page_off = (int64_t)(c->b->gpa & 0xfff) + c->off[i] + rel;

    if (!fits32(c->off[i] + rel)) {
        return false;
    }
    rip_of(c, RDX, i, rel);
    if (page_off < 0 || page_off >= 0x1000) {
        canon_rdx(c, s);
    }
    return true;
}

/* A stub with no TLB lookup (for branch records' canonical checks) */
static Stub *new_stub(Ctx *c, unsigned i)
{
    Stub *s = &c->stubs[c->nstubs++];

    memset(s, 0, sizeof(*s));
    s->i = i;
    s->fs_before = c->fs;
    s->dirty = c->dirty;
    return s;
}

static bool emit_record(Ctx *c, unsigned i)
{
    const X86Insn *insn = &c->b->insns[i];
    const Info *f = &c->inf[i];
    unsigned op = insn->opcode, sz = f->sz, d = insn->reg & 7;
    int nst = c->nstubs;
    Loc dst, src;

    if (f->rd || f->pr) {
        flags_load(c);
    }
    if (f->kind == K_JCC || f->kind == K_JMP || f->kind == K_CALL ||
        f->kind == K_RET || f->kind == K_JMPI || f->kind == K_CALLI) {
        flags_store(c);             /* the exits need them in cpu->cc */
        writeback(c, c->dirty & ~(1u << R_ESP));
        c->dirty &= 1u << R_ESP;
    }
    if (f->mem) {
        if (f->kind == K_PUSH || f->kind == K_CALL) {
            rsp_to_rsi(c, -8);
        } else if (f->kind == K_POP || f->kind == K_RET) {
            rsp_to_rsi(c, 0);
        } else if (!emit_ea(c, i, insn, RSI, true)) {
            return false;
        }
        emit_lookup(c, i, f->msz, f->acc);
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
        emit_alu(c, f->op, sz, dst, src, false);
        if (f->op != A_CMP && f->op != A_TEST) {
            wrote(c, dst, sz);
        }
        break;
    case K_UNARY:
        dst = operand(c, insn, O_E, sz);
        emit_modrm(c, sz == 1 ? 1 : sz, op, 1, d, false, dst, sz == 1);
        wrote(c, dst, sz);
        break;
    case K_SHIFT:
        dst = operand(c, insn, O_E, sz);
        if (op == 0xd2 || op == 0xd3) {
            Loc cl = gloc(c, insn, R_ECX, 8);
            if (cl.kind == L_REG) {
                emit_modrm(c, 4, 0x8b, 1, RCX, false, cl, false);
            } else {
                emit_modrm(c, 4, 0x0fb6, 2, RCX, false, cl, false);
            }
        }
        emit_modrm(c, sz == 1 ? 1 : sz, op, 1, d, false, dst, sz == 1);
        if (op == 0xc0 || op == 0xc1) {
            e8(c, insn->imm & 0xff);
        }
        wrote(c, dst, sz);
        break;
    case K_SHD:
        dst = operand(c, insn, O_E, sz);
        src = gloc(c, insn, insn->reg, sz);
        if (op == 0xa5 || op == 0xad) {
            Loc cl = gloc(c, insn, R_ECX, 8);
            if (cl.kind == L_REG) {
                emit_modrm(c, 4, 0x8b, 1, RCX, false, cl, false);
            } else {
                emit_modrm(c, 4, 0x0fb6, 2, RCX, false, cl, false);
            }
        }
        if (src.kind != L_REG) {
            load64(c, RDX, src);
            src = R(RDX);
        }
        emit_modrm(c, sz, 0x0f00 | op, 2, src.reg, false, dst, false);
        if (op == 0xa4 || op == 0xac) {
            e8(c, insn->imm & 0xff);
        }
        wrote(c, dst, sz);
        break;
    case K_IMUL2:
    case K_IMUL3:
    case K_CMOV:
    case K_BSX:
    case K_MOVX: {
        unsigned ms = f->kind == K_MOVX ? f->msz : sz;
        Loc g = gloc(c, insn, insn->reg, sz);
        unsigned r = g.kind == L_REG ? g.reg : RAX;
        uint32_t opc = f->kind == K_IMUL3 ? op : 0x0f00 | op;
        src = operand(c, insn, O_E, ms);
        if (r == RAX && (f->kind == K_CMOV || f->kind == K_BSX ||
                         f->kind == K_IMUL2)) {
            greg_to_rax(c, insn, insn->reg);    /* may be kept */
        }
        if (f->kind == K_MOVX && op == 0x63) {
            emit_modrm(c, 8, 0x63, 1, r, false, src, false);
        } else {
            emit_modrm(c, sz, opc, f->kind == K_IMUL3 ? 1 : 2, r, false,
                       src, ms == 1);
        }
        if (f->kind == K_IMUL3) {
            emit_imm(c, op == 0x6b ? 1 : (sz == 2 ? 2 : 4), insn->imm);
        }
        if (r == RAX) {
            store_from_rax(c, insn, insn->reg, sz);
        } else {
            wrote(c, g, 8);
        }
        break;
    }
    case K_LEA: {
        Loc g = gloc(c, insn, insn->reg, sz);
        unsigned r = g.kind == L_REG ? g.reg : RDI;
        if (!emit_ea(c, i, insn, r == RDI ? RDI : RSI, false)) {
            return false;
        }
        if (r != RDI) {
            emit_alu(c, A_MOV, sz, g, R(RSI), false);
            wrote(c, g, sz);
        } else {
            mov_rr(c, RAX, RDI);
            if (sz == 4) {
                emit_modrm(c, 4, 0x89, 1, RAX, false, R(RAX), false);
            }
            store_from_rax(c, insn, insn->reg, sz);
        }
        break;
    }
    case K_SETCC:
        dst = operand(c, insn, O_E, 1);
        emit_modrm(c, 1, 0x0f00 | op, 2, 0, false, dst, true);
        wrote(c, dst, 1);
        break;
    case K_BSWAP:
        dst = gloc(c, insn, insn->rm, sz);
        if (dst.kind == L_REG) {
            e8(c, 0x40 | (sz == 8 ? 8 : 0) | ((dst.reg & 8) ? 1 : 0));
            e8(c, 0x0f);
            e8(c, 0xc8 + (dst.reg & 7));
        } else {
            greg_to_rax(c, insn, insn->rm);
            e8(c, sz == 8 ? 0x48 : 0x40);
            e8(c, 0x0f);
            e8(c, 0xc8);
            store_from_rax(c, insn, insn->rm, sz);
            break;
        }
        wrote(c, dst, sz);
        break;
    case K_BT:
        dst = operand(c, insn, O_E, sz);
        if (op == 0xba) {
            emit_modrm(c, sz, 0x0fba, 2, d, false, dst, false);
            e8(c, insn->imm & 0xff);
        } else {
            /* register forms only: the offset wraps at the size, so a
             * register kept in cpu->regs goes through RAX (in memory the
             * offset would address past it) */
            bool via = dst.kind == L_MEM;
            src = gloc(c, insn, insn->reg, sz);
            if (src.kind != L_REG) {
                load64(c, RDX, src);
                src = R(RDX);
            }
            if (via) {
                load64(c, RAX, dst);
            }
            emit_modrm(c, sz, 0x0f00 | op, 2, src.reg, false,
                       via ? R(RAX) : dst, false);
            if (via && f->acc == ACC_WRITE) {
                store_from_rax(c, insn, insn->rm, sz);
                break;
            }
        }
        if (f->acc == ACC_WRITE) {
            wrote(c, dst, sz);
        }
        break;
    case K_XCHG: {
        unsigned a = op == 0x87 ? insn->rm : R_EAX;
        unsigned b = op == 0x87 ? insn->reg : insn->rm;
        Loc la = gloc(c, insn, a, sz), lb = gloc(c, insn, b, sz);
        if (a == b && sz != 4) {
            break;
        }
        emit_alu(c, A_MOV, sz, R(RAX), la, false);
        emit_alu(c, A_MOV, sz, R(RDX), lb, false);
        emit_alu(c, A_MOV, sz, la, R(RDX), false);
        wrote(c, la, sz);
        emit_alu(c, A_MOV, sz, lb, R(RAX), false);
        wrote(c, lb, sz);
        break;
    }
    case K_CXX:
        greg_to_rax(c, insn, R_EAX);
        if (op == 0x99) {
            Loc l = gloc(c, insn, R_EDX, 8);
            if (l.kind == L_REG) {
                mov_rr(c, RDX, l.reg);
            } else {
                load64(c, RDX, l);
            }
        }
        if (sz == 2) {
            e8(c, 0x66);
        } else if (sz == 8) {
            e8(c, 0x48);
        }
        e8(c, op);
        if (op == 0x98) {
            store_from_rax(c, insn, R_EAX, sz);
        } else {
            mov_rr(c, RAX, RDX);
            store_from_rax(c, insn, R_EDX, sz);
        }
        break;
    case K_PUSH:
        if (op >= 0x50 && op <= 0x57) {
            src = gloc(c, insn, insn->rm, 8);
            if (src.kind != L_REG) {
                load64(c, RAX, src);
                src = R(RAX);
            }
            store64(c, MEM(RSI, 0), src.reg);
        } else {
            emit_modrm(c, 8, 0xc7, 1, 0, false, MEM(RSI, 0), false);
            e32(c, insn->imm);
        }
        adjust_rsp(c, -8);
        break;
    case K_POP:
        load64(c, RDX, MEM(RSI, 0));
        adjust_rsp(c, 8);
        dst = gloc(c, insn, insn->rm, 8);
        if (dst.kind == L_REG) {
            mov_rr(c, dst.reg, RDX);
        } else {
            store64(c, dst, RDX);
        }
        wrote(c, dst, 8);
        break;
    case K_JCC: {
        uint8_t *taken;
        Stub *s = new_stub(c, i);
        s->ender = true;
        writeback(c, c->dirty);
        c->dirty = 0;
        taken = jmp32(c, op & 15, NULL);
        rip_of(c, RDX, i, insn->len);
        exit_rdx(c, i, on_page(c, i, insn->len));
        patch32(taken, c->p);
        if (c->off[i] + insn->len + (int64_t)insn->imm == 0) {
            emit_backedge(c, i, -(int64_t)c->off[i]);
            return true;
        }
        if (!target_rdx(c, i, insn->len + (int64_t)insn->imm, s)) {
            return false;
        }
        exit_rdx(c, i, on_page(c, i, insn->len + (int64_t)insn->imm));
        return true;
    }
    case K_JMP: {
        Stub *s = new_stub(c, i);
        s->ender = true;
        writeback(c, c->dirty);
        c->dirty = 0;
        if (c->off[i] + insn->len + (int64_t)insn->imm == 0) {
            emit_backedge(c, i, -(int64_t)c->off[i]);
            return true;
        }
        if (!target_rdx(c, i, insn->len + (int64_t)insn->imm, s)) {
            return false;
        }
        exit_rdx(c, i, on_page(c, i, insn->len + (int64_t)insn->imm));
        return true;
    }
    case K_CALL:
        /* target checked before the push and the RSP update */
        if (!target_rdx(c, i, insn->len + (int64_t)insn->imm,
                        &c->stubs[nst])) {
            return false;
        }
        rip_of(c, RAX, i, insn->len);
        store64(c, MEM(RSI, 0), RAX);
        adjust_rsp(c, -8);
        writeback(c, c->dirty);
        c->dirty = 0;
        exit_rdx(c, i, on_page(c, i, insn->len + (int64_t)insn->imm));
        return true;
    case K_JMPI:
    case K_CALLI: {
        Loc t = operand(c, insn, O_E, 8);
        Stub *s = f->mem ? &c->stubs[nst] : new_stub(c, i);
        s->ender = true;
        if (t.kind == L_REG) {
            mov_rr(c, RDX, t.reg);
        } else {
            load64(c, RDX, t);
        }
        canon_rdx(c, s);
        if (f->kind == K_CALLI) {
            int k = c->nstubs;
            mov_rr(c, RDI, RDX);
            rsp_to_rsi(c, -8);
            emit_lookup(c, i, 8, ACC_WRITE);
            c->stubs[k].ender = true;
            rip_of(c, RAX, i, insn->len);
            store64(c, MEM(RSI, 0), RAX);
            adjust_rsp(c, -8);
            mov_rr(c, RDX, RDI);
        }
        writeback(c, c->dirty);
        c->dirty = 0;
        exit_to(c, i, false, true);
        return true;
    }
    case K_RET:
        load64(c, RDX, MEM(RSI, 0));
        canon_rdx(c, &c->stubs[nst]);
        adjust_rsp(c, 8);
        writeback(c, c->dirty);
        c->dirty = 0;
        exit_to(c, i, false, true);
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

/* Out-of-line path of stub @s: the record through its handler, then back
 * to the main path's state after it. */
static void emit_stub(Ctx *c, Stub *s)
{
    uint8_t *here = c->p;

    for (int k = 0; k < 2; k++) {
        patch32(s->jmp[k], here);
    }
    c->fs = s->fs_before;
    if (c->live[s->i]) {
        flags_store(c);
    }
    writeback(c, s->dirty);
    call_handler(c, s->i);
    c->fs = FS_CC;
    if (s->ender) {
        /* the handler set next_ip and did the whole branch */
        e8(c, 0xb8);
        e32(c, s->i << 8);
        jmp32(c, -1, c->jit->leave);
        return;
    }
    if (s->fs_after != FS_CC && c->live[s->i + 1]) {
        flags_load(c);              /* may call C: registers in cpu->regs */
    }
    reload(c);
    jmp32(c, -1, s->resume);
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
    static int thr = -1;

    if (thr < 0) {
        const char *s = getenv("KVMU_JIT");
        int t = 16;
        if (s && (!strcmp(s, "off") || !strcmp(s, "0"))) {
            t = 0;
        } else if (s && *s) {
            t = atoi(s) > 0 ? atoi(s) : 16;
        }
        if (!host_has_bmi2()) {
            t = 0;
        }
        thr = t;
        x86_jit_thr = t;
    }
    return thr;
}

/* KVMU_JIT_PERFMAP=1: name translated blocks for perf(1) in
 * /tmp/perf-PID.map */
static FILE *perf_map(void)
{
    static FILE *f;
    static int state;

    if (!state) {
        const char *s = getenv("KVMU_JIT_PERFMAP");
        state = 2;
        if (s && *s == '1') {
            char path[64];
            snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)getpid());
            f = fopen(path, "w");
            state = f ? 1 : 2;
        }
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
        classify(&b->insns[i], &c->inf[i]);
        c->off[i + 1] = c->off[i] + b->insns[i].len;
        reg_uses(&b->insns[i], &c->inf[i], cnt, &nohome);
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
    load64(c, RAX, MEM(RBX, OFF(rip)));
    store64(c, MEM(RSP, 0), RAX);
    reload(c);
    c->head = c->p;
    for (unsigned i = 0; i < n; i++) {
        bool ok;
        int nst = c->nstubs;
        uint8_t *at = c->p;
        int fs = c->fs;
        uint16_t dirty = c->dirty;

        if (c->inf[i].kind == K_HELPER) {
            emit_helper(c, i);
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
            emit_helper(c, i);
        }
        if (c->full) {
            break;
        }
    }
    if (!c->full && c->inf[n - 1].kind == K_HELPER) {
        /* a handler ended it: next_ip is set */
        flags_store(c);
        writeback(c, c->dirty);
        e8(c, 0xb8);
        e32(c, (n - 1) << 8);
        jmp32(c, -1, j->leave);
    } else if (!c->full && c->inf[n - 1].kind != K_JCC &&
               c->inf[n - 1].kind != K_JMP && c->inf[n - 1].kind != K_CALL &&
               c->inf[n - 1].kind != K_RET && c->inf[n - 1].kind != K_JMPI &&
               c->inf[n - 1].kind != K_CALLI) {
        /* fell off the end (page end, record limit): on to the next */
        flags_store(c);
        writeback(c, c->dirty);
        rip_of(c, RDX, n - 1, b->insns[n - 1].len);
        exit_rdx(c, n - 1, on_page(c, n - 1, b->insns[n - 1].len));
    }
    for (int k = 0; k < c->nstubs && !c->full; k++) {
        emit_stub(c, &c->stubs[k]);
    }
    if (!c->full && getenv("KVMU_JIT_DUMP")) {
        /* KVMU_JIT_DUMP=DIR: each translation's host code, for objdump */
        char path[256];
        FILE *df;
        snprintf(path, sizeof(path), "%s/%llx-%d.bin", getenv("KVMU_JIT_DUMP"),
                 (unsigned long long)b->gpa, (int)c->mmu);
        df = fopen(path, "wb");
        if (df) {
            fwrite(start, 1, c->p - start, df);
            fclose(df);
        }
        {
            uint8_t *gh;
            uint64_t gg;
            strcat(path, ".guest");
            df = fopen(path, "wb");
            if (df && x86_translate_fetch(cpu, cpu->rip, &gh, &gg) && gh) {
                fwrite(gh, 1, MIN(c->off[n], 0x1000 - (cpu->rip & 0xfff)),
                       df);
            }
            if (df) {
                fclose(df);
            }
        }
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
