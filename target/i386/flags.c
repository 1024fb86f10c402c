/*
 * Lazy arithmetic flags (SDM Vol. 1, 3.4.3; Appendix A of Vol. 1 lists which
 * instruction sets which flag). The vCPU keeps the last flag-setting
 * operation and its operands; flags are computed only when read.
 */
#include "target/i386/internal.h"

static inline uint32_t parity(uint64_t v)
{
    return __builtin_parity((unsigned)(v & 0xff)) ? 0 : F_PF;
}

/* All arithmetic flags of operation @op (without CC_CFOF) */
static uint32_t cc_compute_op(const X86Flags *cc, unsigned op)
{
    unsigned bits = cc->size * 8;
    uint64_t m = x86_mask(cc->size);
    uint64_t sb = 1ULL << ((bits - 1) & 63);
    uint64_t r = cc->dst & m, a = cc->src1 & m, b = cc->src2 & m;
    uint32_t f = 0;

    switch (op) {
    case CC_EFLAGS:
        return (uint32_t)cc->src1 & F_ARITH;
    case CC_ADD:
    case CC_ADC:
        if (cc->op == CC_ADC && cc->aux) {
            f |= r <= a ? F_CF : 0;
        } else {
            f |= r < a ? F_CF : 0;
        }
        f |= ((a ^ r) & (b ^ r) & sb) ? F_OF : 0;
        f |= (a ^ b ^ r) & 0x10 ? F_AF : 0;
        break;
    case CC_SUB:
    case CC_SBB:
        if (cc->op == CC_SBB && cc->aux) {
            f |= a <= b ? F_CF : 0;
        } else {
            f |= a < b ? F_CF : 0;
        }
        f |= ((a ^ b) & (a ^ r) & sb) ? F_OF : 0;
        f |= (a ^ b ^ r) & 0x10 ? F_AF : 0;
        break;
    case CC_LOGIC:
        break;
    case CC_INC:
        f |= cc->aux ? F_CF : 0;
        f |= r == sb ? F_OF : 0;
        f |= (r & 0xf) == 0 ? F_AF : 0;
        break;
    case CC_DEC:
        f |= cc->aux ? F_CF : 0;
        f |= r == sb - 1 ? F_OF : 0;
        f |= (r & 0xf) == 0xf ? F_AF : 0;
        break;
    case CC_SHL:
        /* src1 = operand shifted left by count-1: CF is its top bit */
        f |= (a & sb) ? F_CF : 0;
        f |= (((a & sb) != 0) ^ ((r & sb) != 0)) ? F_OF : 0;
        break;
    case CC_SHR:
        /* src1 = operand shifted right by count-1; src2 = operand */
        f |= (a & 1) ? F_CF : 0;
        f |= (b & sb) ? F_OF : 0;
        break;
    case CC_SAR:
        f |= (a & 1) ? F_CF : 0;
        break;
    case CC_MUL:
        f |= cc->src1 ? (F_CF | F_OF) : 0;
        break;
    default:
        return 0;
    }
    f |= r == 0 ? F_ZF : 0;
    f |= (r & sb) ? F_SF : 0;
    f |= parity(r);
    return f;
}

uint32_t x86_cc_compute(const X86Flags *cc)
{
    if (__builtin_expect(cc->op & CC_CFOF, 0)) {
        return (cc_compute_op(cc, cc->op & ~CC_CFOF) & ~(F_CF | F_OF)) |
               (cc->rotf & (F_CF | F_OF));
    }
    return cc_compute_op(cc, cc->op);
}

unsigned x86_cc_cf_slow(const X86Flags *cc)
{
    uint64_t m = x86_mask(cc->size);
    uint64_t a = cc->src1 & m;

    switch (cc->op) {
    case CC_EFLAGS:
        return cc->src1 & F_CF;
    case CC_ADD:
        return (cc->dst & m) < a;
    case CC_ADC:
        return cc->aux ? (cc->dst & m) <= a : (cc->dst & m) < a;
    case CC_SUB:
        return a < (cc->src2 & m);
    case CC_SBB:
        return cc->aux ? a <= (cc->src2 & m) : a < (cc->src2 & m);
    case CC_LOGIC:
        return 0;
    case CC_INC:
    case CC_DEC:
        return cc->aux != 0;
    case CC_SHL:
        return a > (m >> 1);        /* top bit of the operand's size */
    case CC_SHR:
    case CC_SAR:
        return a & 1;
    case CC_MUL:
        return cc->src1 != 0;
    default:
        if (cc->op & CC_CFOF) {
            return cc->rotf & F_CF;
        }
        return x86_cc_compute(cc) & F_CF;
    }
}

void x86_set_flags(X86CPU *cpu, uint64_t flags)
{
    uint64_t old = cpu->eflags;

    cpu->eflags = (flags & ~(uint64_t)F_ARITH & 0x3f7fd7) | 2;
    if ((old ^ cpu->eflags) & F_AC) {
        x86_update_mmu_idx(cpu);    /* SMAP and #AC checking follow AC */
    }
    cpu->cc.op = CC_EFLAGS;
    cpu->cc.size = 4;
    cpu->cc.src1 = flags & F_ARITH;
    if ((flags & (F_TF | F_RF)) || (cpu->eflags & ~old & F_IF)) {
        /* exec_block_fast must stop: per-instruction checks, or an
         * interrupt may now be taken (translated blocks chain on while
         * IF=0 with one pending) */
        cpu->check |= CHECK_MODE;
    }
}

/* x86_cond() (internal.h) for what its inline part does not answer */
bool x86_cond_slow(const X86Flags *cc, unsigned cond)
{
    uint32_t f = x86_cc_compute(cc);
    bool r;

    switch (cond >> 1) {
    case 0: r = f & F_OF; break;
    case 1: r = f & F_CF; break;
    case 2: r = f & F_ZF; break;
    case 3: r = f & (F_CF | F_ZF); break;
    case 4: r = f & F_SF; break;
    case 5: r = f & F_PF; break;
    case 6: r = !(f & F_SF) != !(f & F_OF); break;
    default: r = (f & F_ZF) || (!(f & F_SF) != !(f & F_OF)); break;
    }
    return r ^ (cond & 1);
}
