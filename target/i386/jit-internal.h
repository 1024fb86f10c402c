/*
 * Internal interface between the parts of the block translator (see
 * jit.c's header comment): jit-emit.c (x86-64 encoder), jit-state.c (guest
 * registers and flags in host code, addresses and the TLB lookup, calls
 * to interpreter handlers), jit-classify.c (what each record becomes),
 * jit-exit.c (block exits, chaining, stubs), jit.c (records, blocks).
 */
#ifndef TARGET_I386_JIT_INTERNAL_H
#define TARGET_I386_JIT_INTERNAL_H

#include <stddef.h>

#include "target/i386/jit.h"

#define JIT_BUF_SIZE (64u << 20)
#define JIT_MARGIN 8192             /* never fewer bytes left per record */

/* TLB index extraction (tlb_index()): a power of two, at most 64K */
G_STATIC_ASSERT((X86_TLB_SIZE & (X86_TLB_SIZE - 1)) == 0 &&
                X86_TLB_SIZE <= 65536 && X86_TLB_SIZE >= 2);
G_STATIC_ASSERT(sizeof(X86TLBEntry) == 24);

#define IBTC_SIZE 16384            /* entries of the indirect-target cache */

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

/* An exit slot (in the code buffer, after its exit's code; or an entry of
 * the indirect-target cache, which exits with a computed target share) */
typedef struct JitSlot {
    uint64_t lin;                   /* target RIP it was linked for */
    void *code;                     /* that block's host code */
    X86Block *b;
    uint64_t gpa;                   /* guest-physical page of b */
    uint64_t gen;                   /* cpu->chain_gen */
    uint64_t tgen;                  /* cpu->tlb_flushes when last checked */
    uint64_t same;                  /* a static target on the exiting
                                     * block's page: that page | 1 */
    uint32_t mmu;                   /* b->jit_mmu (checked by the cache) */
    uint32_t owner;                 /* the MMU index of the block the exit
                                     * belongs to (~0: the cache, which
                                     * checks mmu when used) */
} JitSlot;
G_STATIC_ASSERT(sizeof(JitSlot) == 64);

static inline void e8(Ctx *c, unsigned v)
{
    if (c->p < c->end) {
        *c->p++ = v;
    } else {
        c->full = true;
    }
}

static inline void e32(Ctx *c, uint32_t v)
{
    for (int k = 0; k < 4; k++) {
        e8(c, v >> (8 * k));
    }
}

static inline void e64(Ctx *c, uint64_t v)
{
    e32(c, v);
    e32(c, v >> 32);
}

static inline bool fits8(int64_t v)
{
    return v == (int8_t)v;
}

static inline bool fits32(int64_t v)
{
    return v == (int32_t)v;
}

static inline Loc R(unsigned r)
{
    return (Loc){ .kind = L_REG, .reg = r, .idx = NOIDX, .greg = -1 };
}

static inline Loc MEM(unsigned base, int32_t disp)
{
    return (Loc){ .kind = L_MEM, .reg = base, .idx = NOIDX, .greg = -1,
                  .disp = disp };
}

static inline Loc MI(unsigned base, unsigned idx, unsigned scale, int32_t disp)
{
    return (Loc){ .kind = L_MEM, .reg = base, .idx = idx, .scale = scale,
                  .greg = -1, .disp = disp };
}

static inline Loc IMM(int64_t v)
{
    return (Loc){ .kind = L_IMM, .idx = NOIDX, .greg = -1, .imm = v };
}

/* ---- shared functions (jit_*: see their definitions) ---- */

void jit_emit_modrm(Ctx *c, unsigned w, uint32_t opc, int nopc, unsigned rf, bool brf, Loc rm, bool brm);
void jit_emit_imm(Ctx *c, unsigned sz, int64_t v);
void jit_mov_rr(Ctx *c, unsigned d, unsigned s);
void jit_load64(Ctx *c, unsigned r, Loc m);
void jit_store64(Ctx *c, Loc m, unsigned r);
void jit_lea64(Ctx *c, unsigned r, Loc m);
void jit_mov_imm(Ctx *c, unsigned r, uint64_t v);
void jit_call_abs(Ctx *c, const void *fn);
uint8_t *jit_jmp32(Ctx *c, int cc, const uint8_t *target);
void jit_patch32(uint8_t *f, const uint8_t *target);
uint8_t *jit_jmp8(Ctx *c, int cc);
void jit_fix8(Ctx *c, uint8_t *f);
void jit_emit_alu(Ctx *c, int k, unsigned sz, Loc d, Loc s, bool lock);
void jit_writeback(Ctx *c, uint16_t mask);
void jit_reload(Ctx *c);
Loc jit_gloc(Ctx *c, const X86Insn *insn, unsigned g, unsigned sz);
void jit_wrote(Ctx *c, Loc d, unsigned sz);
void jit_store_from_rax(Ctx *c, const X86Insn *insn, unsigned g, unsigned sz);
void jit_flags_store(Ctx *c);
void jit_flags_load(Ctx *c);
void jit_rip_of(Ctx *c, unsigned r, unsigned i, int64_t extra);
bool jit_emit_ea(Ctx *c, unsigned i, const X86Insn *insn, unsigned dst, bool seg);
void jit_tlb_index(Ctx *c, unsigned dst, unsigned src, bool flags_free);
void jit_emit_lookup(Ctx *c, unsigned i, unsigned sz, int acc);
void jit_call_handler(Ctx *c, unsigned i);
void jit_emit_helper(Ctx *c, unsigned i);
void jit_classify(const X86Insn *insn, Info *f);
void jit_reg_uses(const X86Insn *insn, const Info *f, unsigned *cnt, uint16_t *nohome);
void jit_canon_rdx(Ctx *c, Stub *s);
void jit_exit_to(Ctx *c, unsigned i, bool same, bool dyn);
void jit_exit_rdx(Ctx *c, unsigned i, bool same);
void jit_emit_backedge(Ctx *c, unsigned i, int64_t rel);
bool jit_on_page(Ctx *c, unsigned i, int64_t rel);
bool jit_target_rdx(Ctx *c, unsigned i, int64_t rel, Stub *s);
Stub *jit_new_stub(Ctx *c, unsigned i);
void jit_emit_stub(Ctx *c, Stub *s);

#endif
