/*
 * Handlers specialised at decode time for the hottest integer forms: the
 * operation, operand size and register/memory form are fixed per handler,
 * so a handler does no switch on the opcode. x86_block_specialise() swaps
 * them into a freshly decoded block; the generic handler stays the
 * fallback for everything a specialised one does not take (memory operand
 * missing the TLB, data breakpoints, non-canonical targets, LOCK, ...), so
 * the semantics are the generic handler's. This file: ALU, TEST, INC/DEC,
 * the fused records and the choosing; ops-fast-move.c: the other forms.
 *
 * Fused records: a flag-setting ALU/TEST/INC/DEC instruction followed by
 * the block's final Jcc runs both in one handler (insn + 1 is the Jcc's
 * record), when the first one took its fast path and the branch target is
 * canonical; otherwise it returns X86_NEXT after the first instruction and
 * the Jcc's own record runs.
 *
 * Memory forms are chosen only for blocks decoded in 64-bit code (the
 * decode key keeps such a block from running in any other mode).
 *
 * Threaded dispatch: a specialised handler returns its status with its
 * record's index (insn->idx) in bits 8 and up. After its fast path it
 * runs the next record's handler itself, as a tail call, when that one is
 * specialised too (X86_SPEC_CHAIN), so a run of such records goes from
 * handler to handler without going back to exec_block_fast's loop; the
 * loop learns from the index where the run stopped. exec_block (every
 * check per instruction) never calls a chaining or fused handler.
 */
#include "target/i386/ops-fast.h"

enum { F_RR, F_RI, F_RM, F_MR, F_MI, F_NR };     /* ALU forms */
enum { OP_ADD, OP_OR, OP_ADC, OP_SBB, OP_AND, OP_SUB, OP_XOR, OP_CMP,
       OP_TEST };

/* CF of the current lazy flags, inline for the common producers. */
static X86_ALWAYS_INLINE uint32_t cf_fast(X86CPU *cpu)
{
    const X86Flags *cc = &cpu->cc;
    uint64_t m;

    switch (cc->op) {
    case CC_LOGIC:
        return 0;
    case CC_SUB:
        m = x86_mask(cc->size);
        return (cc->src1 & m) < (cc->src2 & m);
    case CC_ADD:
        m = x86_mask(cc->size);
        return (cc->dst & m) < (cc->src1 & m);
    case CC_INC:
    case CC_DEC:
        return cc->aux != 0;
    default:
        return (x86_cc_compute(cc) & F_CF) != 0;
    }
}

/* Condition @cond (0..15) from the flags of an operation known here. */
enum { K_ADD, K_SUB, K_LOGIC, K_INC, K_DEC };

static X86_ALWAYS_INLINE bool cond_of(unsigned kind, unsigned size,
                                      uint64_t a, uint64_t b, uint64_t r,
                                      uint32_t cf_in, unsigned cond)
{
    uint64_t sb = 1ULL << (size * 8 - 1);
    bool cf, of, zf = r == 0, sf = (r & sb) != 0, res;

    switch (kind) {
    case K_ADD:
        cf = r < a;
        of = ((a ^ r) & (b ^ r) & sb) != 0;
        break;
    case K_SUB:
        cf = a < b;
        of = ((a ^ b) & (a ^ r) & sb) != 0;
        break;
    case K_INC:
        cf = cf_in;
        of = r == sb;
        break;
    case K_DEC:
        cf = cf_in;
        of = r == sb - 1;
        break;
    default:
        cf = of = false;
        break;
    }
    switch (cond >> 1) {
    case 0: res = of; break;
    case 1: res = cf; break;
    case 2: res = zf; break;
    case 3: res = cf || zf; break;
    case 4: res = sf; break;
    case 5: res = !__builtin_parity((unsigned)(r & 0xff)); break;
    case 6: res = sf != of; break;
    default: res = zf || sf != of; break;
    }
    return res ^ (cond & 1);
}

/* The Jcc that ends the block (insn + 1), after the fused first half
 * retired: next_ip is the Jcc's address. */
static X86_ALWAYS_INLINE int jcc_tail(X86CPU *cpu, const X86Insn *insn,
                                      bool take)
{
    const X86Insn *j = insn + 1;
    uint64_t next = cpu->next_ip + j->len;

    if (take) {
        uint64_t t = next + j->imm;
        if (unlikely(!x86_canonical(t))) {
            RET(X86_NEXT);          /* the Jcc's own record raises #GP */
        }
        next = t;
    }
    cpu->insns_retired++;           /* the first half; the loop counts
                                     * the Jcc */
    cpu->next_ip = next;
    RET(X86_END);
}

/* ---- ALU: ADD OR AND SUB XOR CMP TEST ---- */

static X86_ALWAYS_INLINE int alu_body(X86CPU *cpu, const X86Insn *insn,
                                      unsigned op, unsigned size,
                                      unsigned form, bool fuse)
{
    uint64_t m = x86_mask(size), a, b, r;
    void *h = NULL;
    bool wb = op != OP_CMP && op != OP_TEST;
    unsigned kind;

    switch (form) {
    case F_RR:
        a = rd(cpu, insn, insn->dreg, size);
        b = rd(cpu, insn, insn->sreg, size);
        break;
    case F_RI:
        a = rd(cpu, insn, insn->dreg, size);
        b = insn->imm & m;
        break;
    case F_RM:
        h = mem_ptr(cpu, insn, size, ACC_READ);
        if (unlikely(!h)) {
            RET(op_alu(cpu, insn));
        }
        a = rd(cpu, insn, insn->dreg, size);
        b = x86_host_load(h, size);
        h = NULL;
        break;
    case F_MR:
        h = mem_ptr(cpu, insn, size, wb ? ACC_WRITE : ACC_READ);
        if (unlikely(!h)) {
            RET(op == OP_TEST ? op_test_rm(cpu, insn) : op_alu(cpu, insn));
        }
        a = x86_host_load(h, size);
        b = rd(cpu, insn, insn->sreg, size);
        break;
    default:
        h = mem_ptr(cpu, insn, size, wb ? ACC_WRITE : ACC_READ);
        if (unlikely(!h)) {
            RET(op == OP_TEST ? op_grp3(cpu, insn) : op_grp1(cpu, insn));
        }
        a = x86_host_load(h, size);
        b = insn->imm & m;
        break;
    }
    switch (op) {
    case OP_ADD:
        r = (a + b) & m;
        x86_set_cc(cpu, CC_ADD, size, r, a, b);
        kind = K_ADD;
        break;
    case OP_ADC:
    case OP_SBB: {                  /* never fused */
        uint32_t c = cf_fast(cpu);
        r = (op == OP_ADC ? a + b + c : a - b - c) & m;
        x86_set_cc(cpu, op == OP_ADC ? CC_ADC : CC_SBB, size, r, a, b);
        cpu->cc.aux = c;
        kind = K_LOGIC;
        break;
    }
    case OP_OR:
        r = a | b;
        x86_set_cc(cpu, CC_LOGIC, size, r, 0, 0);
        kind = K_LOGIC;
        break;
    case OP_AND:
    case OP_TEST:
        r = a & b;
        x86_set_cc(cpu, CC_LOGIC, size, r, 0, 0);
        kind = K_LOGIC;
        break;
    case OP_XOR:
        r = a ^ b;
        x86_set_cc(cpu, CC_LOGIC, size, r, 0, 0);
        kind = K_LOGIC;
        break;
    default:                        /* SUB, CMP */
        r = (a - b) & m;
        x86_set_cc(cpu, CC_SUB, size, r, a, b);
        kind = K_SUB;
        break;
    }
    if (wb) {
        if (h) {
            x86_host_store(h, size, r);
        } else {
            wr(cpu, insn, insn->dreg, size, r);
        }
    }
    if (fuse) {
        return jcc_tail(cpu, insn, cond_of(kind, size, a, b, r, 0,
                                           insn[1].opcode & 15));
    }
    return next_insn(cpu, insn);
}

#define DEF_ALU1(op, sz, f)                                                \
    static int alu_##op##_##sz##_##f(X86CPU *cpu, const X86Insn *insn)    \
    {                                                                      \
        return alu_body(cpu, insn, op, sz, f, false);                      \
    }                                                                      \
    static int aluj_##op##_##sz##_##f(X86CPU *cpu, const X86Insn *insn)   \
    {                                                                      \
        return alu_body(cpu, insn, op, sz, f, true);                       \
    }
#define DEF_ALUF(op, sz) DEF_ALU1(op, sz, 0) DEF_ALU1(op, sz, 1)           \
    DEF_ALU1(op, sz, 2) DEF_ALU1(op, sz, 3) DEF_ALU1(op, sz, 4)
#define DEF_ALUS(op) DEF_ALUF(op, 1) DEF_ALUF(op, 2) DEF_ALUF(op, 4)     \
    DEF_ALUF(op, 8)
DEF_ALUS(0) DEF_ALUS(1) DEF_ALUS(4) DEF_ALUS(5) DEF_ALUS(6) DEF_ALUS(7)
DEF_ALUS(8)
/* ADC, SBB: not fused (their CF input would need cond_of's care) */
#define DEF_ALUN1(op, sz, f)                                               \
    static int alu_##op##_##sz##_##f(X86CPU *cpu, const X86Insn *insn)    \
    {                                                                      \
        return alu_body(cpu, insn, op, sz, f, false);                      \
    }
#define DEF_ALUNF(op, sz) DEF_ALUN1(op, sz, 0) DEF_ALUN1(op, sz, 1)        \
    DEF_ALUN1(op, sz, 2) DEF_ALUN1(op, sz, 3) DEF_ALUN1(op, sz, 4)
#define DEF_ALUNS(op) DEF_ALUNF(op, 1) DEF_ALUNF(op, 2) DEF_ALUNF(op, 4)  \
    DEF_ALUNF(op, 8)
DEF_ALUNS(2) DEF_ALUNS(3)

#define TAB_F(p, op, sz) { p##_##op##_##sz##_0, p##_##op##_##sz##_1,       \
                           p##_##op##_##sz##_2, p##_##op##_##sz##_3,       \
                           p##_##op##_##sz##_4 }
#define TAB_S(p, op) { TAB_F(p, op, 1), TAB_F(p, op, 2), TAB_F(p, op, 4), \
                       TAB_F(p, op, 8) }
#define TAB_NONE { { NULL } }
/* [fused][op][size index: 1, 2, 4, 8][form] */
static const X86Handler alu_tab[2][9][4][F_NR] = {
    { TAB_S(alu, 0), TAB_S(alu, 1), TAB_S(alu, 2), TAB_S(alu, 3),
      TAB_S(alu, 4),
      TAB_S(alu, 5), TAB_S(alu, 6), TAB_S(alu, 7), TAB_S(alu, 8) },
    { TAB_S(aluj, 0), TAB_S(aluj, 1), TAB_NONE, TAB_NONE, TAB_S(aluj, 4),
      TAB_S(aluj, 5), TAB_S(aluj, 6), TAB_S(aluj, 7), TAB_S(aluj, 8) },
};

/* ---- INC / DEC (FE/FF /0 /1) ---- */

static X86_ALWAYS_INLINE int incdec_body(X86CPU *cpu, const X86Insn *insn,
                                         bool dec, unsigned size, bool mem,
                                         bool fuse)
{
    uint64_t m = x86_mask(size), a, r;
    uint32_t cf;
    void *h = NULL;

    if (mem) {
        h = mem_ptr(cpu, insn, size, ACC_WRITE);
        if (unlikely(!h)) {
            RET(size == 1 ? op_grp4(cpu, insn) : op_grp5(cpu, insn));
        }
        a = x86_host_load(h, size);
    } else {
        a = rd(cpu, insn, insn->dreg, size);
    }
    cf = cf_fast(cpu);
    r = (dec ? a - 1 : a + 1) & m;
    x86_set_cc(cpu, dec ? CC_DEC : CC_INC, size, r, a, 1);
    cpu->cc.aux = cf;
    if (mem) {
        x86_host_store(h, size, r);
    } else {
        wr(cpu, insn, insn->dreg, size, r);
    }
    if (fuse) {
        return jcc_tail(cpu, insn, cond_of(dec ? K_DEC : K_INC, size, a, 1,
                                           r, cf, insn[1].opcode & 15));
    }
    return next_insn(cpu, insn);
}

#define DEF_ID1(d, sz, mem)                                                \
    static int id_##d##_##sz##_##mem(X86CPU *cpu, const X86Insn *insn)     \
    {                                                                      \
        return incdec_body(cpu, insn, d, sz, mem, false);                  \
    }                                                                      \
    static int idj_##d##_##sz##_##mem(X86CPU *cpu, const X86Insn *insn)    \
    {                                                                      \
        return incdec_body(cpu, insn, d, sz, mem, true);                   \
    }
#define DEF_IDS(d, sz) DEF_ID1(d, sz, 0) DEF_ID1(d, sz, 1)
DEF_IDS(0, 1) DEF_IDS(0, 2) DEF_IDS(0, 4) DEF_IDS(0, 8)
DEF_IDS(1, 1) DEF_IDS(1, 2) DEF_IDS(1, 4) DEF_IDS(1, 8)

#define ID_M(p, d, sz) { p##_##d##_##sz##_0, p##_##d##_##sz##_1 }
#define ID_S(p, d) { ID_M(p, d, 1), ID_M(p, d, 2), ID_M(p, d, 4),          \
                     ID_M(p, d, 8) }
/* [fused][dec][size index][mem] */
static const X86Handler id_tab[2][2][4][2] = {
    { ID_S(id, 0), ID_S(id, 1) },
    { ID_S(idj, 0), ID_S(idj, 1) },
};

/* ---- NOT / NEG (F6/F7 /2 /3) ---- */

static X86_ALWAYS_INLINE int notneg_body(X86CPU *cpu, const X86Insn *insn,
                                         bool neg, unsigned size, bool mem)
{
    uint64_t m = x86_mask(size), a, r;
    void *h = NULL;

    if (mem) {
        h = mem_ptr(cpu, insn, size, ACC_WRITE);
        if (unlikely(!h)) {
            RET(op_grp3(cpu, insn));
        }
        a = x86_host_load(h, size);
    } else {
        a = rd(cpu, insn, insn->dreg, size);
    }
    if (neg) {
        r = (0 - a) & m;
        x86_set_cc(cpu, CC_SUB, size, r, 0, a);
    } else {
        r = ~a & m;                 /* no flags */
    }
    if (mem) {
        x86_host_store(h, size, r);
    } else {
        wr(cpu, insn, insn->dreg, size, r);
    }
    return next_insn(cpu, insn);
}

#define DEF_NN1(n, sz, mem)                                                \
    static int nn_##n##_##sz##_##mem(X86CPU *cpu, const X86Insn *insn)     \
    {                                                                      \
        return notneg_body(cpu, insn, n, sz, mem);                         \
    }
#define DEF_NNS(n, sz) DEF_NN1(n, sz, 0) DEF_NN1(n, sz, 1)
DEF_NNS(0, 1) DEF_NNS(0, 2) DEF_NNS(0, 4) DEF_NNS(0, 8)
DEF_NNS(1, 1) DEF_NNS(1, 2) DEF_NNS(1, 4) DEF_NNS(1, 8)

#define NN_M(n, sz) { nn_##n##_##sz##_0, nn_##n##_##sz##_1 }
#define NN_S(n) { NN_M(n, 1), NN_M(n, 2), NN_M(n, 4), NN_M(n, 8) }
/* [neg][size index][mem] */
static const X86Handler nn_tab[2][4][2] = { NN_S(0), NN_S(1) };

/* ---- choosing ---- */

static int size_index(unsigned size)
{
    return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : size == 8 ? 3 : -1;
}

/* The specialised handler for @insn (decoded in the current mode), with
 * insn->dreg/sreg filled in, or NULL. @fuse: the fused form (with the Jcc
 * record that follows). */
static X86Handler pick(X86CPU *cpu, X86Insn *insn, bool fuse)
{
    X86Handler g = insn->handler;
    bool c64 = cpu->code64, mem = insn->mod != 3;
    bool lock = insn->prefix & PFX_LOCK;
    int si = size_index(insn->opsize);
    unsigned op, form;

    if (si < 0 || (mem && !c64) || lock) {
        return NULL;
    }
    if (g == op_alu) {
        op = (insn->opcode >> 3) & 7;
        form = insn->opcode & 7;
        if (form <= 1) {
            insn->dreg = insn->rm;
            insn->sreg = insn->reg;
            form = mem ? F_MR : F_RR;
        } else if (form <= 3) {
            insn->dreg = insn->reg;
            insn->sreg = insn->rm;
            form = mem ? F_RM : F_RR;
        } else {
            insn->dreg = R_EAX;
            form = F_RI;
        }
        return alu_tab[fuse][op][si][form];
    }
    if (g == op_grp1 || g == op_test_imm ||
        (g == op_grp3 && ((insn->modrm >> 3) & 7) < 2)) {
        op = g == op_grp1 ? (insn->modrm >> 3) & 7 : OP_TEST;
        insn->dreg = g == op_test_imm ? R_EAX : insn->rm;
        return alu_tab[fuse][op][si][mem ? F_MI : F_RI];
    }
    if (g == op_test_rm) {
        insn->dreg = insn->rm;
        insn->sreg = insn->reg;
        return alu_tab[fuse][OP_TEST][si][mem ? F_MR : F_RR];
    }
    if ((g == op_grp5 || g == op_grp4) && ((insn->modrm >> 3) & 7) < 2) {
        insn->dreg = insn->rm;
        return id_tab[fuse][(insn->modrm >> 3) & 1][si][mem];
    }
    if (fuse) {
        return NULL;
    }
    if (g == op_grp3 && (((insn->modrm >> 3) & 7) == 2 ||
                         ((insn->modrm >> 3) & 7) == 3)) {
        insn->dreg = insn->rm;
        return nn_tab[((insn->modrm >> 3) & 7) == 3][si][mem];
    }
    if (g != op_grp2 && g != op_shld_shrd) {
        X86Handler gen = x86_generic_handler(insn);

        if (gen == op_grp2 || gen == op_shld_shrd) {
            /* chosen by the decoder (x86_shift_pick: register shifts
             * and rotates, ops-shift.c); they follow the threaded
             * protocol */
            return g;
        }
    }
    return x86_fast_pick_move(cpu, insn, si, mem);
}

void x86_block_specialise(X86CPU *cpu, X86Insn *insns, unsigned n)
{
    unsigned fuse_at = ~0u;

    /* the block's last instruction is a Jcc and the one before sets all
     * the flags it can test: fuse them (64-bit code) */
    if (cpu->code64 && n >= 2 && insns[n - 1].handler == op_jcc) {
        fuse_at = n - 2;
    }
    for (unsigned i = 0; i < n; i++) {
        X86Insn *insn = &insns[i];
        X86Handler h = NULL;

        if (i == fuse_at) {
            X86Insn tmp = *insn;
            h = pick(cpu, &tmp, true);
            if (h) {
                *insn = tmp;
                insn->spec = X86_SPEC_FUSED;
            }
        }
        if (!h) {
            h = pick(cpu, insn, false);
        }
        if (h) {
            insn->handler = h;
            insn->spec |= X86_SPEC_ANY;
        }
        insn->idx = i;
    }
    /* threading in 64-bit code (exec_block_fast) */
    for (unsigned i = 0; cpu->code64 && i + 1 < n; i++) {
        if ((insns[i].spec & X86_SPEC_ANY) &&
            (insns[i + 1].spec & X86_SPEC_ANY)) {
            insns[i].spec |= X86_SPEC_CHAIN;
        }
    }
}
