/*
 * Shifts and rotates: group 2 (ROL ROR RCL RCR SHL SHR SAL SAR, C0/C1/D0-D3)
 * and SHLD/SHRD (SDM Vol. 2B). Flags stay lazy: SHL/SHR/SAR record their
 * operands (CC_SHL/CC_SHR/CC_SAR), ROL/ROR/SHLD/SHRD only overwrite CF and
 * OF on top of the previous operation (x86_cc_set_cfof), so a rotate
 * computes no flags at all. x86_shift_pick() chooses, at decode time,
 * handlers specialised by operation and operand size for the register
 * forms with an immediate, 1 or CL count (md5/sha256 rounds are made of
 * them; not RCL/RCR, not SHLD/SHRD by CL). They follow ops-fast.h's
 * threaded protocol: ops-fast.c's picker marks them specialised, so a
 * run of specialised records goes through them without leaving the
 * handlers (exec_block runs a chaining record through op_grp2 or
 * op_shld_shrd, one instruction at a time).
 */
#include "target/i386/ops-fast.h"

enum { ROL, ROR, RCL, RCR, SHL, SHR, SAL, SAR };

/* CF/OF of a rotate from its result @r of @bits bits (SDM: OF defined for
 * a count of 1; this is what the host gives for other counts too) */
static inline uint32_t rol_cfof(uint64_t r, unsigned bits)
{
    return (uint32_t)(r & 1) | (uint32_t)(((r >> (bits - 1)) ^ r) & 1) << 11;
}

static inline uint32_t ror_cfof(uint64_t r, unsigned bits)
{
    return (uint32_t)((r >> (bits - 1)) & 1) |
           (uint32_t)(((r >> (bits - 1)) ^ (r >> (bits - 2))) & 1) << 11;
}

/* Group-2 operation @op on @a (@size bytes) by @count; sets the flags,
 * returns the result. */
static uint64_t shift_op(X86CPU *cpu, unsigned op, unsigned size,
                         uint64_t a, uint64_t count)
{
    unsigned bits = size * 8;
    uint64_t m = x86_mask(size), sb = 1ULL << (bits - 1), r;
    unsigned c;

    a &= m;
    count &= size == 8 ? 63 : 31;
    if (count == 0) {
        return a;                   /* flags unchanged */
    }
    switch (op) {
    case ROL:
        c = count & (bits - 1);
        r = c ? ((a << c) | (a >> (bits - c))) & m : a;
        x86_cc_set_cfof(cpu, rol_cfof(r, bits));
        return r;
    case ROR:
        c = count & (bits - 1);
        r = c ? ((a >> c) | (a << (bits - c))) & m : a;
        x86_cc_set_cfof(cpu, ror_cfof(r, bits));
        return r;
    case RCL:
    case RCR: {
        unsigned cf = x86_cc_cf(&cpu->cc);
        unsigned n = count % (bits + 1);
        uint32_t of = 0;

        r = a;
        if (op == RCR) {
            of = (!!(a & sb) ^ cf) ? F_OF : 0;
        }
        for (unsigned i = 0; i < n; i++) {
            unsigned out;
            if (op == RCL) {
                out = !!(r & sb);
                r = ((r << 1) | cf) & m;
            } else {
                out = r & 1;
                r = (r >> 1) | (cf ? sb : 0);
            }
            cf = out;
        }
        if (op == RCL) {
            of = (!!(r & sb) ^ cf) ? F_OF : 0;
        }
        x86_cc_set_cfof(cpu, (cf ? F_CF : 0) | of);
        return r;
    }
    case SHL:
    case SAL:
        r = (count >= 64 ? 0 : a << count) & m;
        x86_set_cc(cpu, CC_SHL, size, r, (a << (count - 1)) & m, a);
        return r;
    case SHR:
        r = a >> count;
        x86_set_cc(cpu, CC_SHR, size, r, a >> (count - 1), a);
        return r;
    default: {                      /* SAR */
        int64_t s = (int64_t)(a << (64 - bits)) >> (64 - bits);
        r = (uint64_t)(s >> count) & m;
        x86_set_cc(cpu, CC_SAR, size, r, (uint64_t)(s >> (count - 1)), a);
        return r;
    }
    }
}

int op_grp2(X86CPU *cpu, const X86Insn *insn)
{
    unsigned op = (insn->modrm >> 3) & 7, size = insn->opsize;
    uint64_t count, old, nv, ea;
    X86Flags saved;
    void *h;

    switch (insn->opcode) {
    case 0xd0:
    case 0xd1:
        count = 1;
        break;
    case 0xd2:
    case 0xd3:
        count = cpu->regs[R_ECX] & 0xff;
        break;
    default:
        count = insn->imm;
        break;
    }
    if (insn->mod == 3) {
        old = x86_get_reg(cpu, insn, insn->rm, size);
        x86_set_reg(cpu, insn, insn->rm, size,
                    shift_op(cpu, op, size, old, count));
        return X86_NEXT;
    }
    /* memory: read-modify-write (no LOCK form: the decoder refuses it);
     * a write TLB entry also allows the read */
    h = x86_rm_fast_ptr(cpu, insn, size, ACC_WRITE);
    if (likely(h)) {
        old = x86_host_load(h, size);
        x86_host_store(h, size, shift_op(cpu, op, size, old, count));
        return X86_NEXT;
    }
    ea = x86_insn_ea(cpu, insn);
    old = 0;
    if (!x86_read(cpu, insn->seg, ea, &old, size)) {
        return X86_EXC;
    }
    saved = cpu->cc;
    nv = shift_op(cpu, op, size, old, count);
    if (!x86_write(cpu, insn->seg, ea, &nv, size)) {
        cpu->cc = saved;
        return X86_EXC;
    }
    return X86_NEXT;
}

/* SHLD / SHRD: 0F A4/A5 (left), 0F AC/AD (right) */
int op_shld_shrd(X86CPU *cpu, const X86Insn *insn)
{
    unsigned size = insn->opsize, bits = size * 8;
    bool left = insn->opcode < 0xa8;
    unsigned count = (insn->opcode & 1) ? cpu->regs[R_ECX] : insn->imm;
    uint64_t m = x86_mask(size), sb = 1ULL << (bits - 1);
    uint64_t dst, src = x86_get_reg(cpu, insn, insn->reg, size), r;
    unsigned __int128 both;
    bool cf;

    count &= size == 8 ? 63 : 31;
    if (!x86_rm_read(cpu, insn, size, &dst)) {
        return X86_EXC;
    }
    if (count == 0) {
        return x86_rm_write(cpu, insn, size, dst) ? X86_NEXT : X86_EXC;
    }
    if (count > bits) {
        /* undefined result for 16-bit operands: model as a 32-bit
         * rotate through the combined value */
        count %= bits;
        if (!count) {
            count = bits;
        }
    }
    if (left) {
        both = ((unsigned __int128)dst << bits) | src;
        r = (uint64_t)(both << count >> bits) & m;
        cf = (uint64_t)(both >> (2 * bits - count)) & 1;
        if (count == bits) {
            r = src;
        }
    } else {
        both = ((unsigned __int128)src << bits) | dst;
        r = (uint64_t)(both >> count) & m;
        cf = (uint64_t)(both >> (count - 1)) & 1;
    }
    if (insn->mod != 3) {
        /* flags only once the write has succeeded */
        if (!x86_rm_write(cpu, insn, size, r)) {
            return X86_EXC;
        }
    } else {
        x86_set_reg(cpu, insn, insn->rm, size, r);
    }
    /* SF/ZF/PF from the result, AF 0 (undefined), CF/OF as computed */
    x86_set_cc(cpu, CC_LOGIC, size, r, 0, 0);
    x86_cc_set_cfof(cpu, (cf ? F_CF : 0) | (((r ^ dst) & sb) ? F_OF : 0));
    return X86_NEXT;
}

/* ---- register forms, specialised at decode ---- */
/*
 * _ri: count in insn->imm, already masked and non-zero (x86_shift_pick);
 * _rc: count in CL, masked here; a zero count leaves the flags alone but
 * still writes the register (a 32-bit write zero-extends).
 */

#define SHIFT_BODIES(N, T, ST)                                               \
static inline void rol##N(X86CPU *cpu, unsigned rm, unsigned c)             \
{                                                                            \
    T v = (T)cpu->regs[rm];                                                  \
    T r = (T)(v << c) | (T)(v >> (N - c));                                   \
                                                                             \
    cpu->regs[rm] = r;                                                       \
    x86_cc_set_cfof(cpu, rol_cfof(r, N));                                    \
}                                                                            \
static inline void ror##N(X86CPU *cpu, unsigned rm, unsigned c)             \
{                                                                            \
    T v = (T)cpu->regs[rm];                                                  \
    T r = (T)(v >> c) | (T)(v << (N - c));                                   \
                                                                             \
    cpu->regs[rm] = r;                                                       \
    x86_cc_set_cfof(cpu, ror_cfof(r, N));                                    \
}                                                                            \
static inline void shl##N(X86CPU *cpu, unsigned rm, unsigned c)             \
{                                                                            \
    T v = (T)cpu->regs[rm];                                                  \
    T r = (T)(v << c);                                                       \
                                                                             \
    cpu->regs[rm] = r;                                                       \
    x86_set_cc(cpu, CC_SHL, N / 8, r, (T)(v << (c - 1)), v);                 \
}                                                                            \
static inline void shr##N(X86CPU *cpu, unsigned rm, unsigned c)             \
{                                                                            \
    T v = (T)cpu->regs[rm];                                                  \
    T r = v >> c;                                                            \
                                                                             \
    cpu->regs[rm] = r;                                                       \
    x86_set_cc(cpu, CC_SHR, N / 8, r, v >> (c - 1), v);                      \
}                                                                            \
static inline void sar##N(X86CPU *cpu, unsigned rm, unsigned c)             \
{                                                                            \
    T v = (T)cpu->regs[rm];                                                  \
    T r = (T)((ST)v >> c);                                                   \
                                                                             \
    cpu->regs[rm] = r;                                                       \
    x86_set_cc(cpu, CC_SAR, N / 8, r, (T)((ST)v >> (c - 1)), v);             \
}

#define SHIFT_HANDLERS(OP, N, T)                                             \
static int op_##OP##N##_ri(X86CPU *cpu, const X86Insn *insn)                \
{                                                                            \
    OP##N(cpu, insn->rm, (unsigned)insn->imm);                               \
    return next_insn(cpu, insn);                                             \
}                                                                            \
static int op_##OP##N##_rc(X86CPU *cpu, const X86Insn *insn)                \
{                                                                            \
    unsigned c = cpu->regs[R_ECX] & (N - 1);                                 \
                                                                             \
    if (likely(c)) {                                                         \
        OP##N(cpu, insn->rm, c);                                             \
    } else {                                                                 \
        cpu->regs[insn->rm] = (T)cpu->regs[insn->rm];                        \
    }                                                                        \
    return next_insn(cpu, insn);                                             \
}

SHIFT_BODIES(32, uint32_t, int32_t)
SHIFT_BODIES(64, uint64_t, int64_t)
SHIFT_HANDLERS(rol, 32, uint32_t)
SHIFT_HANDLERS(ror, 32, uint32_t)
SHIFT_HANDLERS(shl, 32, uint32_t)
SHIFT_HANDLERS(shr, 32, uint32_t)
SHIFT_HANDLERS(sar, 32, uint32_t)
SHIFT_HANDLERS(rol, 64, uint64_t)
SHIFT_HANDLERS(ror, 64, uint64_t)
SHIFT_HANDLERS(shl, 64, uint64_t)
SHIFT_HANDLERS(shr, 64, uint64_t)
SHIFT_HANDLERS(sar, 64, uint64_t)

/* SHLD/SHRD r, r, imm (0F A4 / 0F AC) at 32/64 bits: count 1..N-1 */
#define SHXD_HANDLERS(N, T)                                                  \
static int op_shld##N##_ri(X86CPU *cpu, const X86Insn *insn)                \
{                                                                            \
    unsigned c = insn->imm;                                                  \
    T dst = (T)cpu->regs[insn->rm], src = (T)cpu->regs[insn->reg];           \
    T r = (T)(dst << c) | (T)(src >> (N - c));                               \
                                                                             \
    cpu->regs[insn->rm] = r;                                                 \
    x86_set_cc(cpu, CC_LOGIC, N / 8, r, 0, 0);                               \
    x86_cc_set_cfof(cpu, (uint32_t)((dst >> (N - c)) & 1) |                  \
                         (uint32_t)(((r ^ dst) >> (N - 1)) & 1) << 11);       \
    return next_insn(cpu, insn);                                             \
}                                                                            \
static int op_shrd##N##_ri(X86CPU *cpu, const X86Insn *insn)                \
{                                                                            \
    unsigned c = insn->imm;                                                  \
    T dst = (T)cpu->regs[insn->rm], src = (T)cpu->regs[insn->reg];           \
    T r = (T)(dst >> c) | (T)(src << (N - c));                               \
                                                                             \
    cpu->regs[insn->rm] = r;                                                 \
    x86_set_cc(cpu, CC_LOGIC, N / 8, r, 0, 0);                               \
    x86_cc_set_cfof(cpu, (uint32_t)((dst >> (c - 1)) & 1) |                  \
                         (uint32_t)(((r ^ dst) >> (N - 1)) & 1) << 11);       \
    return next_insn(cpu, insn);                                             \
}

SHXD_HANDLERS(32, uint32_t)
SHXD_HANDLERS(64, uint64_t)

/* 8/16-bit register forms (C0/C1/D0-D3 /0 /1 /4-/7): the generic
 * operation with the operation and size fixed; _ri: count in insn->imm
 * (masked, non-zero), _rc: count in CL (0: no change, no flags). */
static X86_ALWAYS_INLINE int shift_small(X86CPU *cpu, const X86Insn *insn,
                                         unsigned op, unsigned size,
                                         uint64_t count)
{
    uint64_t a = x86_get_reg(cpu, insn, insn->rm, size);

    x86_set_reg(cpu, insn, insn->rm, size,
                shift_op(cpu, op, size, a, count));
    return next_insn(cpu, insn);
}

#define SMALL_HANDLERS(OP, N, SZ)                                            \
static int op_##OP##N##_ri(X86CPU *cpu, const X86Insn *insn)                \
{                                                                            \
    return shift_small(cpu, insn, OP, SZ, insn->imm);                        \
}                                                                            \
static int op_##OP##N##_rc(X86CPU *cpu, const X86Insn *insn)                \
{                                                                            \
    return shift_small(cpu, insn, OP, SZ, cpu->regs[R_ECX] & 0xff);          \
}

SMALL_HANDLERS(ROL, 8, 1)
SMALL_HANDLERS(ROR, 8, 1)
SMALL_HANDLERS(SHL, 8, 1)
SMALL_HANDLERS(SHR, 8, 1)
SMALL_HANDLERS(SAR, 8, 1)
SMALL_HANDLERS(ROL, 16, 2)
SMALL_HANDLERS(ROR, 16, 2)
SMALL_HANDLERS(SHL, 16, 2)
SMALL_HANDLERS(SHR, 16, 2)
SMALL_HANDLERS(SAR, 16, 2)

X86Handler x86_shift_pick(X86Insn *insn)
{
    /* 8/16-bit forms: [count in CL][16-bit][operation] */
    static const X86Handler hs[2][2][8] = {
        { { op_ROL8_ri, op_ROR8_ri, NULL, NULL,
            op_SHL8_ri, op_SHR8_ri, op_SHL8_ri, op_SAR8_ri },
          { op_ROL16_ri, op_ROR16_ri, NULL, NULL,
            op_SHL16_ri, op_SHR16_ri, op_SHL16_ri, op_SAR16_ri } },
        { { op_ROL8_rc, op_ROR8_rc, NULL, NULL,
            op_SHL8_rc, op_SHR8_rc, op_SHL8_rc, op_SAR8_rc },
          { op_ROL16_rc, op_ROR16_rc, NULL, NULL,
            op_SHL16_rc, op_SHR16_rc, op_SHL16_rc, op_SAR16_rc } },
    };
    /* [count in CL][64-bit][operation] */
    static const X86Handler h[2][2][8] = {
        { { op_rol32_ri, op_ror32_ri, NULL, NULL,
            op_shl32_ri, op_shr32_ri, op_shl32_ri, op_sar32_ri },
          { op_rol64_ri, op_ror64_ri, NULL, NULL,
            op_shl64_ri, op_shr64_ri, op_shl64_ri, op_sar64_ri } },
        { { op_rol32_rc, op_ror32_rc, NULL, NULL,
            op_shl32_rc, op_shr32_rc, op_shl32_rc, op_sar32_rc },
          { op_rol64_rc, op_ror64_rc, NULL, NULL,
            op_shl64_rc, op_shr64_rc, op_shl64_rc, op_sar64_rc } },
    };
    unsigned op = (insn->modrm >> 3) & 7;
    bool q = insn->opsize == 8;
    uint64_t count;

    if (insn->mod != 3) {
        return NULL;
    }
    if ((insn->opsize == 1 || insn->opsize == 2) && insn->map == MAP_1B) {
        bool w = insn->opsize == 2;

        switch (insn->opcode) {
        case 0xd2:
        case 0xd3:
            return hs[1][w][op];
        case 0xc0:
        case 0xc1:
            count = insn->imm & 31;
            break;
        case 0xd0:
        case 0xd1:
            count = 1;
            break;
        default:
            return NULL;
        }
        if (count == 0) {
            return NULL;
        }
        insn->imm = count;
        return hs[0][w][op];
    }
    if (insn->opsize != 4 && insn->opsize != 8) {
        return NULL;
    }
    if (insn->map == MAP_0F) {
        if (insn->opcode != 0xa4 && insn->opcode != 0xac) {
            return NULL;            /* CL forms: generic */
        }
        count = insn->imm & (q ? 63 : 31);
        if (count == 0) {
            return NULL;
        }
        insn->imm = count;
        if (insn->opcode == 0xa4) {
            return q ? op_shld64_ri : op_shld32_ri;
        }
        return q ? op_shrd64_ri : op_shrd32_ri;
    }
    if (insn->map != MAP_1B) {
        return NULL;
    }
    switch (insn->opcode) {
    case 0xd3:
        return h[1][q][op];
    case 0xc1:
        count = insn->imm;
        break;
    case 0xd1:
        count = 1;
        break;
    default:
        return NULL;
    }
    count &= q ? 63 : 31;
    if (count == 0) {
        return NULL;                /* no flags, zero-extension: generic */
    }
    insn->imm = count;
    return h[0][q][op];
}
