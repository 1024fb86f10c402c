/*
 * Bit operations and small integer instructions: BT/BTS/BTR/BTC, BSF/BSR,
 * TZCNT/LZCNT/POPCNT, BSWAP, SETcc/CMOVcc, MOVBE, ADCX/ADOX, BMI1/BMI2,
 * BCD adjustments, CBW/CWD, LAHF/SAHF and the flag instructions.
 */
#include "target/i386/engine.h"

static inline uint32_t cur_flags(X86CPU *cpu)
{
    return x86_cc_compute(&cpu->cc);
}

static void set_result_flags(X86CPU *cpu, unsigned size, uint64_t r)
{
    x86_set_cc(cpu, CC_LOGIC, size, r, 0, 0);
}

/* BT/BTS/BTR/BTC: 0F A3/AB/B3/BB (reg offset) and 0F BA /4-/7 (imm) */
int op_bt(X86CPU *cpu, const X86Insn *insn)
{
    unsigned size = insn->opsize, bits = size * 8, op;
    uint64_t off, v, ea, mask;
    int64_t bitoff;
    uint32_t f;
    bool locked = insn->prefix & PFX_LOCK;

    if (insn->opcode == 0xba) {
        op = (insn->modrm >> 3) & 7;
        if (op < 4) {
            return x86_ud(cpu);
        }
        op -= 4;
        bitoff = insn->imm & (bits - 1);
    } else {
        op = (insn->opcode >> 3) & 3;
        bitoff = (int64_t)x86_get_reg(cpu, insn, insn->reg, size);
        if (size < 8) {
            unsigned sh = 64 - bits;
            bitoff = (int64_t)((uint64_t)bitoff << sh) >> sh;
        }
    }
    if (op == 0 && locked) {
        return x86_ud(cpu);
    }
    if (insn->mod == 3) {
        v = x86_get_reg(cpu, insn, insn->rm, size);
        off = (uint64_t)bitoff & (bits - 1);
        mask = 1ULL << off;
        f = cur_flags(cpu) & ~F_CF;
        f |= (v & mask) ? F_CF : 0;
        switch (op) {
        case 1: v |= mask; break;
        case 2: v &= ~mask; break;
        case 3: v ^= mask; break;
        }
        if (op) {
            x86_set_reg(cpu, insn, insn->rm, size, v);
        }
        x86_set_arith_flags(cpu, f);
        return X86_NEXT;
    }
    ea = x86_insn_ea(cpu, insn);
    if (insn->opcode != 0xba) {
        ea += (uint64_t)((bitoff >> 3) & ~(int64_t)(size - 1));
        ea &= x86_mask(insn->addrsize);
    }
    off = (uint64_t)bitoff & (bits - 1);
    mask = 1ULL << off;
    if (locked && op) {
        void *host;
        if (!x86_atomic_ptr(cpu, insn->seg, ea, size, &host)) {
            return X86_EXC;
        }
        if (host) {
            uint64_t old;
            switch (size) {
            case 2:
                old = op == 1 ? __atomic_fetch_or((uint16_t *)host, mask, 5)
                    : op == 2 ? __atomic_fetch_and((uint16_t *)host, ~mask, 5)
                    : __atomic_fetch_xor((uint16_t *)host, mask, 5);
                break;
            case 4:
                old = op == 1 ? __atomic_fetch_or((uint32_t *)host, mask, 5)
                    : op == 2 ? __atomic_fetch_and((uint32_t *)host, ~mask, 5)
                    : __atomic_fetch_xor((uint32_t *)host, mask, 5);
                break;
            default:
                old = op == 1 ? __atomic_fetch_or((uint64_t *)host, mask, 5)
                    : op == 2 ? __atomic_fetch_and((uint64_t *)host, ~mask, 5)
                    : __atomic_fetch_xor((uint64_t *)host, mask, 5);
                break;
            }
            f = cur_flags(cpu) & ~F_CF;
            x86_set_arith_flags(cpu, f | ((old & mask) ? F_CF : 0));
            return X86_NEXT;
        }
        x86_lock_global();
    }
    v = 0;
    if (!x86_read(cpu, insn->seg, ea, &v, size)) {
        goto fail;
    }
    f = cur_flags(cpu) & ~F_CF;
    f |= (v & mask) ? F_CF : 0;
    if (op) {
        switch (op) {
        case 1: v |= mask; break;
        case 2: v &= ~mask; break;
        default: v ^= mask; break;
        }
        if (!x86_write(cpu, insn->seg, ea, &v, size)) {
            goto fail;
        }
    }
    if (locked && op) {
        x86_unlock_global();
    }
    x86_set_arith_flags(cpu, f);
    return X86_NEXT;
fail:
    if (locked && op) {
        x86_unlock_global();
    }
    return X86_EXC;
}

/* BSF/BSR, and TZCNT/LZCNT with F3 when advertised */
int op_bsf_bsr(X86CPU *cpu, const X86Insn *insn)
{
    unsigned size = insn->opsize, bits = size * 8;
    bool fwd = insn->opcode == 0xbc;
    uint64_t v, r;
    uint32_t f;

    if (!x86_rm_read(cpu, insn, size, &v)) {
        return X86_EXC;
    }
    if (insn->mandatory == MP_F3 &&
        (fwd ? (cpu->feat_7_ebx & CPUID_7_EBX_BMI1)
             : (cpu->feat_e1_ecx & CPUID_E1_ECX_LZCNT))) {
        if (v == 0) {
            r = bits;
        } else if (fwd) {
            r = __builtin_ctzll(v);
        } else {
            r = __builtin_clzll(v) - (64 - bits);
        }
        f = cur_flags(cpu) & ~(F_CF | F_ZF);
        f |= v == 0 ? F_CF : 0;
        f |= r == 0 ? F_ZF : 0;
        x86_set_reg(cpu, insn, insn->reg, size, r);
        x86_set_arith_flags(cpu, f);
        return X86_NEXT;
    }
    f = cur_flags(cpu) & ~F_ZF;
    if (v == 0) {
        /* destination unchanged (but 32-bit writes still zero-extend) */
        x86_set_arith_flags(cpu, f | F_ZF);
        return X86_NEXT;
    }
    r = fwd ? (uint64_t)__builtin_ctzll(v) : (uint64_t)(63 - __builtin_clzll(v));
    x86_set_reg(cpu, insn, insn->reg, size, r);
    x86_set_arith_flags(cpu, f);
    return X86_NEXT;
}

int op_popcnt(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t v;

    if (insn->mandatory != MP_F3 || !(cpu->feat_1_ecx & CPUID_1_ECX_POPCNT)) {
        return x86_ud(cpu);
    }
    if (!x86_rm_read(cpu, insn, insn->opsize, &v)) {
        return X86_EXC;
    }
    x86_set_reg(cpu, insn, insn->reg, insn->opsize, __builtin_popcountll(v));
    x86_set_arith_flags(cpu, v == 0 ? F_ZF : 0);
    return X86_NEXT;
}

int op_bswap(X86CPU *cpu, const X86Insn *insn)
{
    unsigned r = insn->rm;

    if (insn->opsize == 8) {
        cpu->regs[r] = __builtin_bswap64(cpu->regs[r]);
    } else if (insn->opsize == 4) {
        cpu->regs[r] = __builtin_bswap32((uint32_t)cpu->regs[r]);
    } else {
        x86_set_reg(cpu, insn, r, 2, 0);   /* undefined; Intel gives 0 */
    }
    return X86_NEXT;
}

int op_setcc(X86CPU *cpu, const X86Insn *insn)
{
    return x86_rm_write(cpu, insn, 1, x86_cond(cpu, insn->opcode & 15))
           ? X86_NEXT : X86_EXC;
}

int op_cmov(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t v;

    if (!x86_rm_read(cpu, insn, insn->opsize, &v)) {
        return X86_EXC;
    }
    if (x86_cond(cpu, insn->opcode & 15)) {
        x86_set_reg(cpu, insn, insn->reg, insn->opsize, v);
    } else if (insn->opsize == 4) {
        x86_set_reg(cpu, insn, insn->reg, 4, cpu->regs[insn->reg]);
    }
    return X86_NEXT;
}

static uint64_t bswap_n(uint64_t v, unsigned size)
{
    switch (size) {
    case 2: return __builtin_bswap16((uint16_t)v);
    case 4: return __builtin_bswap32((uint32_t)v);
    default: return __builtin_bswap64(v);
    }
}

/* 0F38 F0/F1: MOVBE, or CRC32 with F2 (SSE4.2, FPU/SSE engineer) */
int op_movbe_crc32(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t v;

    if (insn->prefix & PFX_REPNE) {
        return x86_sse_exec(cpu, insn);
    }
    if (insn->mod == 3 || insn->mandatory == MP_F3 ||
        !(cpu->feat_1_ecx & CPUID_1_ECX_MOVBE)) {
        return x86_ud(cpu);
    }
    if (insn->opcode == 0xf0) {
        if (!x86_rm_read(cpu, insn, insn->opsize, &v)) {
            return X86_EXC;
        }
        x86_set_reg(cpu, insn, insn->reg, insn->opsize,
                    bswap_n(v, insn->opsize));
        return X86_NEXT;
    }
    v = bswap_n(x86_get_reg(cpu, insn, insn->reg, insn->opsize),
                insn->opsize);
    return x86_rm_write(cpu, insn, insn->opsize, v) ? X86_NEXT : X86_EXC;
}

static unsigned bmi_size(X86CPU *cpu, const X86Insn *insn)
{
    return (cpu->code64 && insn->vex_w) ? 8 : 4;
}

/* 0F38 F6: ADCX (66), ADOX (F3), MULX (VEX F2) */
int op_adx_mulx(X86CPU *cpu, const X86Insn *insn)
{
    if (insn->prefix & PFX_VEX) {
        unsigned size = bmi_size(cpu, insn);
        uint64_t s, d;
        unsigned __int128 p;
        if (insn->mandatory != MP_F2 || insn->vex_l ||
            !(cpu->feat_7_ebx & CPUID_7_EBX_BMI2)) {
            return x86_ud(cpu);
        }
        if (!x86_rm_read(cpu, insn, size, &s)) {
            return X86_EXC;
        }
        d = cpu->regs[R_EDX] & x86_mask(size);
        p = (unsigned __int128)d * s;
        x86_set_reg(cpu, insn, insn->vex_v, size, (uint64_t)p);
        x86_set_reg(cpu, insn, insn->reg, size,
                    size == 8 ? (uint64_t)(p >> 64) : (uint64_t)(p >> 32));
        return X86_NEXT;
    }
    if ((insn->mandatory != MP_66 && insn->mandatory != MP_F3) ||
        !(cpu->feat_7_ebx & CPUID_7_EBX_ADX)) {
        return x86_ud(cpu);
    }
    {
        unsigned size = (insn->rex & 8) ? 8 : 4;
        uint64_t s, d, r;
        uint32_t f = cur_flags(cpu), bit = insn->mandatory == MP_66 ? F_CF
                                                                    : F_OF;
        unsigned c = !!(f & bit);
        bool out;
        if (!x86_rm_read(cpu, insn, size, &s)) {
            return X86_EXC;
        }
        d = cpu->regs[insn->reg] & x86_mask(size);
        r = (d + s + c) & x86_mask(size);
        out = c ? r <= d : r < d;
        x86_set_reg(cpu, insn, insn->reg, size, r);
        x86_set_arith_flags(cpu, (f & ~bit) | (out ? bit : 0));
        return X86_NEXT;
    }
}

static uint64_t pdep(uint64_t src, uint64_t mask)
{
    uint64_t r = 0;

    for (uint64_t bb = 1; mask; bb <<= 1) {
        if (src & bb) {
            r |= mask & -mask;
        }
        mask &= mask - 1;
    }
    return r;
}

static uint64_t pext(uint64_t src, uint64_t mask)
{
    uint64_t r = 0;

    for (uint64_t bb = 1; mask; bb <<= 1) {
        if (src & mask & -mask) {
            r |= bb;
        }
        mask &= mask - 1;
    }
    return r;
}

/* VEX-encoded BMI1/BMI2: ANDN BLSR BLSMSK BLSI BZHI PDEP PEXT BEXTR SHLX
 * SARX SHRX RORX */
int op_bmi(X86CPU *cpu, const X86Insn *insn)
{
    unsigned size = bmi_size(cpu, insn), bits = size * 8;
    uint64_t m = x86_mask(size), s, v = cpu->regs[insn->vex_v] & m, r;
    bool bmi1 = cpu->feat_7_ebx & CPUID_7_EBX_BMI1;
    bool bmi2 = cpu->feat_7_ebx & CPUID_7_EBX_BMI2;
    uint32_t f;

    if (insn->vex_l) {
        return x86_ud(cpu);
    }
    if (!x86_rm_read(cpu, insn, size, &s)) {
        return X86_EXC;
    }
    if (insn->map == MAP_0F3A) {            /* RORX */
        unsigned c = insn->imm & (bits - 1);
        if (insn->mandatory != MP_F2 || !bmi2) {
            return x86_ud(cpu);
        }
        r = c ? ((s >> c) | (s << (bits - c))) & m : s;
        x86_set_reg(cpu, insn, insn->reg, size, r);
        return X86_NEXT;
    }
    switch (insn->opcode) {
    case 0xf2:                              /* ANDN */
        if (insn->mandatory != MP_NONE || !bmi1) {
            return x86_ud(cpu);
        }
        r = ~v & s & m;
        set_result_flags(cpu, size, r);
        x86_set_reg(cpu, insn, insn->reg, size, r);
        return X86_NEXT;
    case 0xf3: {                            /* group 17 */
        unsigned op = (insn->modrm >> 3) & 7;
        bool cf;
        if (insn->mandatory != MP_NONE || !bmi1 || op < 1 || op > 3) {
            return x86_ud(cpu);
        }
        if (op == 1) {                      /* BLSR */
            r = s & (s - 1) & m;
            cf = s == 0;
        } else if (op == 2) {               /* BLSMSK */
            r = (s ^ (s - 1)) & m;
            cf = s == 0;
        } else {                            /* BLSI */
            r = s & -s & m;
            cf = s != 0;
        }
        set_result_flags(cpu, size, r);
        f = cur_flags(cpu) | (cf ? F_CF : 0);
        if (op == 2) {
            f &= ~F_ZF;
        }
        x86_set_arith_flags(cpu, f & ~(F_PF | F_AF));
        x86_set_reg(cpu, insn, insn->vex_v, size, r);
        return X86_NEXT;
    }
    case 0xf5:
        if (!bmi2) {
            return x86_ud(cpu);
        }
        if (insn->mandatory == MP_NONE) {   /* BZHI */
            unsigned n = v & 0xff;
            r = n < bits ? s & ((1ULL << n) - 1) : s;
            set_result_flags(cpu, size, r);
            f = cur_flags(cpu) | (n > bits - 1 ? F_CF : 0);
            x86_set_arith_flags(cpu, f & ~(F_PF | F_AF));
        } else if (insn->mandatory == MP_F2) {
            r = pdep(v, s) & m;
        } else if (insn->mandatory == MP_F3) {
            r = pext(v, s) & m;
        } else {
            return x86_ud(cpu);
        }
        x86_set_reg(cpu, insn, insn->reg, size, r);
        return X86_NEXT;
    default: {                              /* 0xf7 */
        unsigned c = v & (bits - 1);
        switch (insn->mandatory) {
        case MP_NONE: {                     /* BEXTR */
            unsigned start = v & 0xff, len = (v >> 8) & 0xff;
            if (!bmi1) {
                return x86_ud(cpu);
            }
            r = start < bits ? s >> start : 0;
            if (len < 64) {
                r &= (1ULL << len) - 1;
            }
            r &= m;
            set_result_flags(cpu, size, r);
            x86_set_arith_flags(cpu, cur_flags(cpu) & ~(F_PF | F_AF | F_SF));
            break;
        }
        case MP_66:
            if (!bmi2) {
                return x86_ud(cpu);
            }
            r = (s << c) & m;
            break;
        case MP_F3:
            if (!bmi2) {
                return x86_ud(cpu);
            }
            r = (uint64_t)(((int64_t)(s << (64 - bits)) >> (64 - bits)) >> c)
                & m;
            break;
        default:
            if (!bmi2) {
                return x86_ud(cpu);
            }
            r = s >> c;
            break;
        }
        x86_set_reg(cpu, insn, insn->reg, size, r);
        return X86_NEXT;
    }
    }
}

/* ---- BCD ---- */

int op_daa_das(X86CPU *cpu, const X86Insn *insn)
{
    uint32_t f = cur_flags(cpu);
    uint8_t al = cpu->regs[R_EAX], old_al = al;
    bool old_cf = f & F_CF, cf = false, af = false;
    bool sub = insn->opcode == 0x2f;

    if ((al & 0xf) > 9 || (f & F_AF)) {
        af = true;
        if (sub) {
            cf = old_cf || al < 6;
            al -= 6;
        } else {
            cf = old_cf || al > 0xf9;
            al += 6;
        }
    }
    if (old_al > 0x99 || old_cf) {
        al = sub ? al - 0x60 : al + 0x60;
        cf = true;
    } else if (!sub) {
        cf = false;
    }
    x86_set_reg(cpu, insn, R_EAX, 1, al);
    set_result_flags(cpu, 1, al);
    x86_set_arith_flags(cpu, cur_flags(cpu) | (cf ? F_CF : 0) |
                             (af ? F_AF : 0));
    return X86_NEXT;
}

int op_aaa_aas(X86CPU *cpu, const X86Insn *insn)
{
    uint32_t f = cur_flags(cpu);
    uint16_t ax = cpu->regs[R_EAX];
    bool sub = insn->opcode == 0x3f;

    if ((ax & 0xf) > 9 || (f & F_AF)) {
        /* SDM: AAA AX <- AX + 106H; AAS AX <- AX - 6, AH <- AH - 1 */
        ax = sub ? ax - 6 - 0x100 : ax + 0x106;
        f |= F_AF | F_CF;
    } else {
        f &= ~(F_AF | F_CF);
    }
    ax &= 0xff0f;
    x86_set_reg(cpu, insn, R_EAX, 2, ax);
    x86_set_arith_flags(cpu, f);
    return X86_NEXT;
}

int op_aam(X86CPU *cpu, const X86Insn *insn)
{
    uint8_t base = insn->imm, al = cpu->regs[R_EAX];

    if (base == 0) {
        return x86_raise(cpu, EXC_DE);
    }
    x86_set_reg(cpu, insn, R_EAX, 2, ((al / base) << 8) | (al % base));
    set_result_flags(cpu, 1, al % base);
    return X86_NEXT;
}

int op_aad(X86CPU *cpu, const X86Insn *insn)
{
    uint8_t al = cpu->regs[R_EAX], ah = cpu->regs[R_EAX] >> 8;
    uint8_t r = al + ah * (uint8_t)insn->imm;

    x86_set_reg(cpu, insn, R_EAX, 2, r);
    set_result_flags(cpu, 1, r);
    return X86_NEXT;
}

int op_salc(X86CPU *cpu, const X86Insn *insn)
{
    x86_set_reg(cpu, insn, R_EAX, 1, (cur_flags(cpu) & F_CF) ? 0xff : 0);
    return X86_NEXT;
}

int op_cbw(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t a = cpu->regs[R_EAX];

    switch (insn->opsize) {
    case 2: x86_set_reg(cpu, insn, R_EAX, 2, (uint64_t)(int8_t)a); break;
    case 4: x86_set_reg(cpu, insn, R_EAX, 4, (uint64_t)(int16_t)a); break;
    default: cpu->regs[R_EAX] = (uint64_t)(int32_t)a; break;
    }
    return X86_NEXT;
}

int op_cwd(X86CPU *cpu, const X86Insn *insn)
{
    unsigned size = insn->opsize;
    uint64_t a = cpu->regs[R_EAX];
    bool neg = (a >> (size * 8 - 1)) & 1;

    x86_set_reg(cpu, insn, R_EDX, size, neg ? ~0ULL : 0);
    return X86_NEXT;
}

int op_lahf(X86CPU *cpu, const X86Insn *insn)
{
    uint8_t ah = (cur_flags(cpu) & (F_SF | F_ZF | F_AF | F_PF | F_CF)) | 2;

    cpu->regs[R_EAX] = (cpu->regs[R_EAX] & ~0xff00ULL) | ((uint64_t)ah << 8);
    return X86_NEXT;
}

int op_sahf(X86CPU *cpu, const X86Insn *insn)
{
    uint32_t f = cur_flags(cpu) & F_OF;

    f |= (cpu->regs[R_EAX] >> 8) & (F_SF | F_ZF | F_AF | F_PF | F_CF);
    x86_set_arith_flags(cpu, f);
    return X86_NEXT;
}

/* F5 CMC, F8 CLC, F9 STC, FA CLI, FB STI, FC CLD, FD STD */
int op_flagop(X86CPU *cpu, const X86Insn *insn)
{
    uint32_t f;
    unsigned iopl = (cpu->eflags >> 12) & 3;

    switch (insn->opcode) {
    case 0xf5:
    case 0xf8:
    case 0xf9:
        f = cur_flags(cpu);
        if (insn->opcode == 0xf5) {
            f ^= F_CF;
        } else if (insn->opcode == 0xf8) {
            f &= ~F_CF;
        } else {
            f |= F_CF;
        }
        x86_set_arith_flags(cpu, f);
        return X86_NEXT;
    case 0xfc:
        cpu->eflags &= ~(uint64_t)F_DF;
        return X86_NEXT;
    case 0xfd:
        cpu->eflags |= F_DF;
        return X86_NEXT;
    case 0xfa:                              /* CLI */
        if ((cpu->cr0 & CR0_PE) && cpu->cpl > iopl) {
            if ((cpu->eflags & F_VM) ? (cpu->cr4 & CR4_VME)
                                     : (cpu->cpl == 3 &&
                                        (cpu->cr4 & CR4_PVI))) {
                cpu->eflags &= ~(uint64_t)F_VIF;
                return X86_NEXT;
            }
            return x86_gp0(cpu);
        }
        cpu->eflags &= ~(uint64_t)F_IF;
        return X86_NEXT;
    default:                                /* STI */
        if ((cpu->cr0 & CR0_PE) && cpu->cpl > iopl) {
            if (((cpu->eflags & F_VM) ? (cpu->cr4 & CR4_VME)
                                      : (cpu->cpl == 3 &&
                                         (cpu->cr4 & CR4_PVI))) &&
                !(cpu->eflags & F_VIP)) {
                cpu->eflags |= F_VIF;
                return X86_NEXT;
            }
            return x86_gp0(cpu);
        }
        if (!(cpu->eflags & F_IF)) {
            cpu->eflags |= F_IF;
            cpu->shadow |= X86_SHADOW_STI;
            return X86_END;
        }
        return X86_NEXT;
    }
}
