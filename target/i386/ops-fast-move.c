/*
 * Specialised handlers (see ops-fast.c) for the moves, XCHG r,r, BSWAP,
 * MOVZX/MOVSX/MOVSXD, CMOVcc/SETcc/IMUL, LEA, and in 64-bit code
 * PUSH/POP r64 and near Jcc/JMP/CALL/RET.
 */
#include "target/i386/ops-fast.h"

/* ---- MOV ---- */

enum { MV_RR, MV_LOAD, MV_STORE, MV_RIMM, MV_SIMM, MV_NR };

static X86_ALWAYS_INLINE int mov_body(X86CPU *cpu, const X86Insn *insn,
                                      unsigned size, unsigned form)
{
    void *h;

    switch (form) {
    case MV_RR:
        wr(cpu, insn, insn->dreg, size, rd(cpu, insn, insn->sreg, size));
        return next_insn(cpu, insn);
    case MV_LOAD:
        h = mem_ptr(cpu, insn, size, ACC_READ);
        if (unlikely(!h)) {
            RET(op_mov_rm(cpu, insn));
        }
        wr(cpu, insn, insn->dreg, size, x86_host_load(h, size));
        return next_insn(cpu, insn);
    case MV_STORE:
        h = mem_ptr(cpu, insn, size, ACC_WRITE);
        if (unlikely(!h)) {
            RET(op_mov_rm(cpu, insn));
        }
        x86_host_store(h, size, rd(cpu, insn, insn->sreg, size));
        return next_insn(cpu, insn);
    case MV_RIMM:
        wr(cpu, insn, insn->dreg, size, insn->imm);
        return next_insn(cpu, insn);
    default:
        h = mem_ptr(cpu, insn, size, ACC_WRITE);
        if (unlikely(!h)) {
            RET(op_mov_rm_imm(cpu, insn));
        }
        x86_host_store(h, size, insn->imm);
        return next_insn(cpu, insn);
    }
}

#define DEF_MOV1(sz, f)                                                    \
    static int mov_##sz##_##f(X86CPU *cpu, const X86Insn *insn)            \
    {                                                                      \
        return mov_body(cpu, insn, sz, f);                                 \
    }
#define DEF_MOVS(sz) DEF_MOV1(sz, 0) DEF_MOV1(sz, 1) DEF_MOV1(sz, 2)       \
    DEF_MOV1(sz, 3) DEF_MOV1(sz, 4)
DEF_MOVS(1) DEF_MOVS(2) DEF_MOVS(4) DEF_MOVS(8)
#define MOV_S(sz) { mov_##sz##_0, mov_##sz##_1, mov_##sz##_2, mov_##sz##_3, \
                    mov_##sz##_4 }
static const X86Handler mov_tab[4][MV_NR] = { MOV_S(1), MOV_S(2), MOV_S(4),
                                              MOV_S(8) };

/* ---- XCHG r, r (86/87, register form: no implicit LOCK); BSWAP r ---- */

static X86_ALWAYS_INLINE int xchg_body(X86CPU *cpu, const X86Insn *insn,
                                       unsigned size)
{
    uint64_t a = rd(cpu, insn, insn->dreg, size);
    uint64_t b = rd(cpu, insn, insn->sreg, size);

    wr(cpu, insn, insn->dreg, size, b);
    wr(cpu, insn, insn->sreg, size, a);
    return next_insn(cpu, insn);
}

static int xchg_1(X86CPU *cpu, const X86Insn *insn)
{
    return xchg_body(cpu, insn, 1);
}

static int xchg_2(X86CPU *cpu, const X86Insn *insn)
{
    return xchg_body(cpu, insn, 2);
}

static int xchg_4(X86CPU *cpu, const X86Insn *insn)
{
    return xchg_body(cpu, insn, 4);
}

static int xchg_8(X86CPU *cpu, const X86Insn *insn)
{
    return xchg_body(cpu, insn, 8);
}

static const X86Handler xchg_tab[4] = { xchg_1, xchg_2, xchg_4, xchg_8 };

static int bswap_4(X86CPU *cpu, const X86Insn *insn)
{
    uint32_t v = (uint32_t)cpu->regs[insn->dreg];

    cpu->regs[insn->dreg] = __builtin_bswap32(v);
    return next_insn(cpu, insn);
}

static int bswap_8(X86CPU *cpu, const X86Insn *insn)
{
    cpu->regs[insn->dreg] = __builtin_bswap64(cpu->regs[insn->dreg]);
    return next_insn(cpu, insn);
}

/* ---- MOVZX / MOVSX / MOVSXD ---- */

static X86_ALWAYS_INLINE int movx_body(X86CPU *cpu, const X86Insn *insn,
                                       unsigned size, unsigned ssize,
                                       bool sign, bool mem)
{
    uint64_t v;

    if (mem) {
        void *h = mem_ptr(cpu, insn, ssize, ACC_READ);
        if (unlikely(!h)) {
            RET(ssize == 4 ? op_arpl_movsxd(cpu, insn)
                : sign ? op_movsx(cpu, insn) : op_movzx(cpu, insn));
        }
        v = x86_host_load(h, ssize);
    } else {
        v = rd(cpu, insn, insn->sreg, ssize);
    }
    if (sign) {
        v = ssize == 1 ? (uint64_t)(int8_t)v
          : ssize == 2 ? (uint64_t)(int16_t)v : (uint64_t)(int32_t)v;
    }
    wr(cpu, insn, insn->dreg, size, v);
    return next_insn(cpu, insn);
}

#define DEF_MX1(sz, ss, sg, mem)                                           \
    static int mx_##sz##_##ss##_##sg##_##mem(X86CPU *cpu,                  \
                                             const X86Insn *insn)          \
    {                                                                      \
        return movx_body(cpu, insn, sz, ss, sg, mem);                      \
    }
#define DEF_MXM(sz, ss, sg) DEF_MX1(sz, ss, sg, 0) DEF_MX1(sz, ss, sg, 1)
#define DEF_MXS(sz) DEF_MXM(sz, 1, 0) DEF_MXM(sz, 2, 0) DEF_MXM(sz, 1, 1)  \
    DEF_MXM(sz, 2, 1)
DEF_MXS(4) DEF_MXS(8) DEF_MXM(8, 4, 1)

#define MX_M(sz, ss, sg) { mx_##sz##_##ss##_##sg##_0, mx_##sz##_##ss##_##sg##_1 }
#define MX_S(sz) { { MX_M(sz, 1, 0), MX_M(sz, 2, 0) },                     \
                   { MX_M(sz, 1, 1), MX_M(sz, 2, 1) } }
/* [size 4/8][sign][source 1/2][mem] */
static const X86Handler movx_tab[2][2][2][2] = { MX_S(4), MX_S(8) };

/* ---- CMOVcc, SETcc, IMUL ---- */

static X86_ALWAYS_INLINE int cmov_body(X86CPU *cpu, const X86Insn *insn,
                                       unsigned size, bool mem)
{
    uint64_t v;

    if (mem) {
        void *h = mem_ptr(cpu, insn, size, ACC_READ);
        if (unlikely(!h)) {
            RET(op_cmov(cpu, insn));
        }
        v = x86_host_load(h, size);
    } else {
        v = rd(cpu, insn, insn->sreg, size);
    }
    if (x86_cond(cpu, insn->opcode & 15)) {
        wr(cpu, insn, insn->dreg, size, v);
    } else if (size == 4) {
        /* a 32-bit CMOV zero-extends its destination either way */
        cpu->regs[insn->dreg] = (uint32_t)cpu->regs[insn->dreg];
    }
    return next_insn(cpu, insn);
}

static X86_ALWAYS_INLINE int setcc_body(X86CPU *cpu, const X86Insn *insn,
                                        bool mem)
{
    uint64_t v;

    if (mem) {
        void *h = mem_ptr(cpu, insn, 1, ACC_WRITE);
        if (unlikely(!h)) {
            RET(op_setcc(cpu, insn));
        }
        v = x86_cond(cpu, insn->opcode & 15);
        x86_host_store(h, 1, v);
    } else {
        v = x86_cond(cpu, insn->opcode & 15);
        wr(cpu, insn, insn->dreg, 1, v);
    }
    return next_insn(cpu, insn);
}

/* IMUL r, r/m (0F AF) and IMUL r, r/m, imm (69, 6B) */
static X86_ALWAYS_INLINE int imul_body(X86CPU *cpu, const X86Insn *insn,
                                       unsigned size, bool mem, bool imm3)
{
    uint64_t a, b, lo;
    bool ovf;

    if (mem) {
        void *h = mem_ptr(cpu, insn, size, ACC_READ);
        if (unlikely(!h)) {
            RET(imm3 ? op_imul3(cpu, insn) : op_imul_rm(cpu, insn));
        }
        a = x86_host_load(h, size);
    } else {
        a = rd(cpu, insn, insn->sreg, size);
    }
    b = imm3 ? insn->imm : rd(cpu, insn, insn->dreg, size);
    if (size == 8) {
        __int128 p = (__int128)(int64_t)a * (int64_t)b;
        lo = (uint64_t)p;
        ovf = p != (__int128)(int64_t)lo;
    } else {
        int64_t p = (int64_t)(int32_t)a * (int32_t)b;
        lo = (uint32_t)p;
        ovf = p != (int32_t)p;
    }
    x86_set_cc(cpu, CC_MUL, size, lo, ovf, 0);
    wr(cpu, insn, insn->dreg, size, lo);
    return next_insn(cpu, insn);
}

#define DEF_CC1(sz, mem)                                                   \
    static int cmov_##sz##_##mem(X86CPU *cpu, const X86Insn *insn)         \
    {                                                                      \
        return cmov_body(cpu, insn, sz, mem);                              \
    }                                                                      \
    static int imul_##sz##_##mem(X86CPU *cpu, const X86Insn *insn)         \
    {                                                                      \
        return imul_body(cpu, insn, sz, mem, false);                       \
    }                                                                      \
    static int imul3_##sz##_##mem(X86CPU *cpu, const X86Insn *insn)        \
    {                                                                      \
        return imul_body(cpu, insn, sz, mem, true);                        \
    }
DEF_CC1(4, 0) DEF_CC1(4, 1) DEF_CC1(8, 0) DEF_CC1(8, 1)
/* [size 4/8][mem] */
static const X86Handler cmov_tab[2][2] = {
    { cmov_4_0, cmov_4_1 }, { cmov_8_0, cmov_8_1 },
};
static const X86Handler imul_tab[2][2][2] = {
    { { imul_4_0, imul_4_1 }, { imul_8_0, imul_8_1 } },
    { { imul3_4_0, imul3_4_1 }, { imul3_8_0, imul3_8_1 } },
};

static int setcc_r(X86CPU *cpu, const X86Insn *insn)
{
    return setcc_body(cpu, insn, false);
}

static int setcc_m(X86CPU *cpu, const X86Insn *insn)
{
    return setcc_body(cpu, insn, true);
}

/* ---- LEA (64-bit addressing) ---- */

static X86_ALWAYS_INLINE int lea_body(X86CPU *cpu, const X86Insn *insn,
                                      unsigned size, int form)
{
    uint64_t ea = insn->disp;

    if (form == 0) {                /* [base + disp] */
        ea += cpu->regs[insn->base];
    } else if (form == 1) {         /* [base + index * scale + disp] */
        ea += cpu->regs[insn->base] + (cpu->regs[insn->index] << insn->scale);
    } else {
        ea = x86_insn_ea_inline(cpu, insn);
    }
    wr(cpu, insn, insn->dreg, size, ea);
    return next_insn(cpu, insn);
}

#define DEF_LEA1(sz, f)                                                    \
    static int lea_##sz##_##f(X86CPU *cpu, const X86Insn *insn)            \
    {                                                                      \
        return lea_body(cpu, insn, sz, f);                                 \
    }
DEF_LEA1(4, 0) DEF_LEA1(4, 1) DEF_LEA1(4, 2)
DEF_LEA1(8, 0) DEF_LEA1(8, 1) DEF_LEA1(8, 2)
static const X86Handler lea_tab[2][3] = {
    { lea_4_0, lea_4_1, lea_4_2 }, { lea_8_0, lea_8_1, lea_8_2 },
};

/* ---- stack and near branches in 64-bit code ---- */

static int push64(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t sp = cpu->regs[R_ESP] - 8;
    void *h;

    if (unlikely(cpu->slow_data) ||
        unlikely(!(h = x86_lin_fast_ptr(cpu, sp, 8, ACC_WRITE)))) {
        RET(op_push_r(cpu, insn));
    }
    x86_host_store(h, 8, cpu->regs[insn->dreg]);
    cpu->regs[R_ESP] = sp;
    return next_insn(cpu, insn);
}

static int pop64(X86CPU *cpu, const X86Insn *insn)
{
    void *h;
    uint64_t v;

    if (unlikely(cpu->slow_data) ||
        unlikely(!(h = x86_lin_fast_ptr(cpu, cpu->regs[R_ESP], 8,
                                         ACC_READ)))) {
        RET(op_pop_r(cpu, insn));
    }
    v = x86_host_load(h, 8);
    cpu->regs[R_ESP] += 8;
    cpu->regs[insn->dreg] = v;      /* POP RSP: the loaded value wins */
    return next_insn(cpu, insn);
}

static int jcc64(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t t;

    if (!x86_cond(cpu, insn->opcode & 15)) {
        RET(X86_END);
    }
    t = cpu->next_ip + insn->imm;
    if (unlikely(!x86_canonical(t))) {
        RET(x86_gp0(cpu));
    }
    cpu->next_ip = t;
    RET(X86_END);
}

static int jmp64(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t t = cpu->next_ip + insn->imm;

    if (unlikely(!x86_canonical(t))) {
        RET(x86_gp0(cpu));
    }
    cpu->next_ip = t;
    RET(X86_END);
}

static int call64(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t ret = cpu->next_ip, t = ret + insn->imm;
    uint64_t sp = cpu->regs[R_ESP] - 8;
    void *h;

    if (unlikely(!x86_canonical(t)) || unlikely(cpu->slow_data) ||
        unlikely(!(h = x86_lin_fast_ptr(cpu, sp, 8, ACC_WRITE)))) {
        RET(op_call_rel(cpu, insn));
    }
    x86_host_store(h, 8, ret);
    cpu->regs[R_ESP] = sp;
    cpu->next_ip = t;
    RET(X86_END);
}

static int ret64(X86CPU *cpu, const X86Insn *insn)
{
    void *h;
    uint64_t ip;

    if (unlikely(cpu->slow_data) ||
        unlikely(!(h = x86_lin_fast_ptr(cpu, cpu->regs[R_ESP], 8,
                                         ACC_READ)))) {
        RET(op_ret(cpu, insn));
    }
    ip = x86_host_load(h, 8);
    if (unlikely(!x86_canonical(ip))) {
        RET(op_ret(cpu, insn));   /* raises #GP with RSP unchanged */
    }
    cpu->regs[R_ESP] += 8;
    cpu->next_ip = ip;
    RET(X86_END);
}

X86Handler x86_fast_pick_move(X86CPU *cpu, X86Insn *insn, int si, bool mem)
{
    X86Handler g = insn->handler;
    bool c64 = cpu->code64;

    if (g == op_mov_rm) {
        bool load = insn->opcode & 2;
        insn->dreg = load ? insn->reg : insn->rm;
        insn->sreg = load ? insn->rm : insn->reg;
        return mov_tab[si][!mem ? MV_RR : load ? MV_LOAD : MV_STORE];
    }
    if (g == op_mov_r_imm) {
        insn->dreg = insn->rm;
        return mov_tab[si][MV_RIMM];
    }
    if (g == op_mov_rm_imm && !((insn->modrm >> 3) & 7)) {
        insn->dreg = insn->rm;
        return mov_tab[si][mem ? MV_SIMM : MV_RIMM];
    }
    if (g == op_setcc) {
        insn->dreg = insn->rm;
        return mem ? setcc_m : setcc_r;
    }
    if (g == op_xchg_rm && !mem) {
        insn->dreg = insn->rm;
        insn->sreg = insn->reg;
        return xchg_tab[si];
    }
    if (si < 2) {
        return NULL;
    }
    if (g == op_bswap) {
        insn->dreg = insn->rm;
        return si == 3 ? bswap_8 : bswap_4;
    }
    if (g == op_cmov) {
        insn->dreg = insn->reg;
        insn->sreg = insn->rm;
        return cmov_tab[si - 2][mem];
    }
    if (g == op_imul_rm || g == op_imul3) {
        insn->dreg = insn->reg;
        insn->sreg = insn->rm;
        return imul_tab[g == op_imul3][si - 2][mem];
    }
    if (g == op_movzx || g == op_movsx) {
        insn->dreg = insn->reg;
        insn->sreg = insn->rm;
        return movx_tab[si - 2][g == op_movsx][insn->opcode & 1][mem];
    }
    if (g == op_arpl_movsxd && c64 && si == 3) {
        insn->dreg = insn->reg;
        insn->sreg = insn->rm;
        return mem ? mx_8_4_1_1 : mx_8_4_1_0;
    }
    if (g == op_lea && mem && c64 && insn->addrsize == 8) {
        insn->dreg = insn->reg;
        if (insn->riprel || insn->base == X86_NOREG) {
            return lea_tab[si - 2][2];
        }
        return lea_tab[si - 2][insn->index == X86_NOREG ? 0 : 1];
    }
    if (!c64 || si != 3) {
        return NULL;
    }
    if (g == op_push_r || g == op_pop_r) {
        insn->dreg = insn->rm;
        return g == op_push_r ? push64 : pop64;
    }
    if (g == op_jcc) {
        return jcc64;
    }
    if (g == op_jmp_rel) {
        return jmp64;
    }
    if (g == op_call_rel) {
        return call64;
    }
    if (g == op_ret && insn->opcode == 0xc3) {
        return ret64;
    }
    return NULL;
}
