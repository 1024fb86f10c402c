/*
 * Integer arithmetic: the eight ALU operations, INC/DEC, NOT/NEG,
 * MUL/IMUL/DIV/IDIV, CMPXCHG, XADD, XCHG (SDM Vol. 2).
 * Memory destinations with LOCK (and XCHG) use host atomics.
 */
#include "target/i386/engine.h"

static inline bool cf_now(X86CPU *cpu)
{
    return x86_cc_cf(&cpu->cc);
}

/* One ALU operation; sets the lazy flags; returns the masked result. */
static uint64_t alu_op(X86CPU *cpu, unsigned op, unsigned size, uint64_t a,
                       uint64_t b)
{
    uint64_t m = x86_mask(size), r, c;

    a &= m;
    b &= m;
    switch (op & 7) {
    case 0:
        r = a + b;
        x86_set_cc(cpu, CC_ADD, size, r, a, b);
        break;
    case 1:
        r = a | b;
        x86_set_cc(cpu, CC_LOGIC, size, r, 0, 0);
        break;
    case 2:
        c = cf_now(cpu);
        r = a + b + c;
        x86_set_cc(cpu, CC_ADC, size, r, a, b);
        cpu->cc.aux = c;
        break;
    case 3:
        c = cf_now(cpu);
        r = a - b - c;
        x86_set_cc(cpu, CC_SBB, size, r, a, b);
        cpu->cc.aux = c;
        break;
    case 4:
        r = a & b;
        x86_set_cc(cpu, CC_LOGIC, size, r, 0, 0);
        break;
    case 6:
        r = a ^ b;
        x86_set_cc(cpu, CC_LOGIC, size, r, 0, 0);
        break;
    default:                        /* SUB, CMP */
        r = a - b;
        x86_set_cc(cpu, CC_SUB, size, r, a, b);
        break;
    }
    return r & m;
}

typedef uint64_t (*RmwFn)(X86CPU *cpu, unsigned op, unsigned size,
                          uint64_t old, uint64_t arg);

static uint64_t rmw_alu(X86CPU *cpu, unsigned op, unsigned size, uint64_t old,
                        uint64_t arg)
{
    return alu_op(cpu, op, size, old, arg);
}

static bool atomic_cas(void *p, unsigned size, uint64_t *old, uint64_t nv)
{
    switch (size) {
    case 1: {
        uint8_t o = *old;
        bool ok = __atomic_compare_exchange_n((uint8_t *)p, &o, (uint8_t)nv,
                                              false, __ATOMIC_SEQ_CST,
                                              __ATOMIC_SEQ_CST);
        *old = o;
        return ok;
    }
    case 2: {
        uint16_t o = *old;
        bool ok = __atomic_compare_exchange_n((uint16_t *)p, &o,
                                              (uint16_t)nv, false,
                                              __ATOMIC_SEQ_CST,
                                              __ATOMIC_SEQ_CST);
        *old = o;
        return ok;
    }
    case 4: {
        uint32_t o = *old;
        bool ok = __atomic_compare_exchange_n((uint32_t *)p, &o,
                                              (uint32_t)nv, false,
                                              __ATOMIC_SEQ_CST,
                                              __ATOMIC_SEQ_CST);
        *old = o;
        return ok;
    }
    default:
        return __atomic_compare_exchange_n((uint64_t *)p, old, nv, false,
                                           __ATOMIC_SEQ_CST,
                                           __ATOMIC_SEQ_CST);
    }
}

static uint64_t atomic_load_sz(void *p, unsigned size)
{
    switch (size) {
    case 1: return __atomic_load_n((uint8_t *)p, __ATOMIC_SEQ_CST);
    case 2: return __atomic_load_n((uint16_t *)p, __ATOMIC_SEQ_CST);
    case 4: return __atomic_load_n((uint32_t *)p, __ATOMIC_SEQ_CST);
    default: return __atomic_load_n((uint64_t *)p, __ATOMIC_SEQ_CST);
    }
}

/*
 * Read-modify-write of the ModRM operand; @locked: atomically (LOCK prefix
 * or XCHG). @old_out receives the old value. write=false: compare only.
 */
static int rmw(X86CPU *cpu, const X86Insn *insn, unsigned size, RmwFn fn,
               unsigned op, uint64_t arg, bool write, bool locked,
               uint64_t *old_out)
{
    uint64_t old, nv, ea;

    if (insn->mod == 3) {
        old = x86_get_reg(cpu, insn, insn->rm, size);
        nv = fn(cpu, op, size, old, arg);
        if (write) {
            x86_set_reg(cpu, insn, insn->rm, size, nv);
        }
        if (old_out) {
            *old_out = old;
        }
        return X86_NEXT;
    }
    if (!(locked && write)) {
        /* TLB hit: a write entry also allows the read */
        void *h = x86_rm_fast_ptr(cpu, insn, size,
                                  write ? ACC_WRITE : ACC_READ);
        if (likely(h)) {
            old = x86_host_load(h, size);
            nv = fn(cpu, op, size, old, arg);
            if (write) {
                x86_host_store(h, size, nv);
            }
            if (old_out) {
                *old_out = old;
            }
            return X86_NEXT;
        }
    }
    ea = x86_insn_ea(cpu, insn);
    if (locked && write) {
        void *host;
        if (!x86_atomic_ptr(cpu, insn->seg, ea, size, &host)) {
            return X86_EXC;
        }
        if (host) {
            old = atomic_load_sz(host, size);
            do {
                nv = fn(cpu, op, size, old, arg);
            } while (!atomic_cas(host, size, &old, nv));
            if (old_out) {
                *old_out = old;
            }
            return X86_NEXT;
        }
        x86_lock_global();
        old = 0;
        if (!x86_read(cpu, insn->seg, ea, &old, size)) {
            x86_unlock_global();
            return X86_EXC;
        }
        nv = fn(cpu, op, size, old, arg);
        if (!x86_write(cpu, insn->seg, ea, &nv, size)) {
            x86_unlock_global();
            return X86_EXC;
        }
        x86_unlock_global();
        if (old_out) {
            *old_out = old;
        }
        return X86_NEXT;
    }
    old = 0;
    if (!x86_read(cpu, insn->seg, ea, &old, size)) {
        return X86_EXC;
    }
    {
        X86Flags saved = cpu->cc;
        nv = fn(cpu, op, size, old, arg);
        if (write && !x86_write(cpu, insn->seg, ea, &nv, size)) {
            cpu->cc = saved;
            return X86_EXC;
        }
    }
    if (old_out) {
        *old_out = old;
    }
    return X86_NEXT;
}

static inline bool is_locked(const X86Insn *insn)
{
    return insn->prefix & PFX_LOCK;
}

/* 00-3F: op Eb,Gb / Ev,Gv / Gb,Eb / Gv,Ev / AL,Ib / eAX,Iz */
int op_alu(X86CPU *cpu, const X86Insn *insn)
{
    unsigned op = (insn->opcode >> 3) & 7, form = insn->opcode & 7;
    unsigned size = insn->opsize;
    uint64_t a, b;

    switch (form) {
    case 0:
    case 1:
        b = x86_get_reg(cpu, insn, insn->reg, size);
        if (insn->mod == 3) {               /* register: no memory path */
            a = alu_op(cpu, op, size,
                       x86_get_reg(cpu, insn, insn->rm, size), b);
            if (op != 7) {
                x86_set_reg(cpu, insn, insn->rm, size, a);
            }
            return X86_NEXT;
        }
        return rmw(cpu, insn, size, rmw_alu, op, b, op != 7, is_locked(insn),
                   NULL);
    case 2:
    case 3:
        if (!x86_rm_read(cpu, insn, size, &b)) {
            return X86_EXC;
        }
        a = x86_get_reg(cpu, insn, insn->reg, size);
        a = alu_op(cpu, op, size, a, b);
        if (op != 7) {
            x86_set_reg(cpu, insn, insn->reg, size, a);
        }
        return X86_NEXT;
    default:
        a = cpu->regs[R_EAX];
        a = alu_op(cpu, op, size, a, insn->imm);
        if (op != 7) {
            x86_set_reg(cpu, insn, R_EAX, size, a);
        }
        return X86_NEXT;
    }
}

/* 80-83 */
int op_grp1(X86CPU *cpu, const X86Insn *insn)
{
    unsigned op = (insn->modrm >> 3) & 7;

    if (op == 7 && is_locked(insn)) {
        return x86_ud(cpu);
    }
    return rmw(cpu, insn, insn->opsize, rmw_alu, op, insn->imm, op != 7,
               is_locked(insn), NULL);
}

int op_test_rm(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t a;

    if (!x86_rm_read(cpu, insn, insn->opsize, &a)) {
        return X86_EXC;
    }
    alu_op(cpu, 4, insn->opsize, a,
           x86_get_reg(cpu, insn, insn->reg, insn->opsize));
    return X86_NEXT;
}

int op_test_imm(X86CPU *cpu, const X86Insn *insn)
{
    alu_op(cpu, 4, insn->opsize, cpu->regs[R_EAX], insn->imm);
    return X86_NEXT;
}

static uint64_t rmw_incdec(X86CPU *cpu, unsigned op, unsigned size,
                           uint64_t old, uint64_t arg)
{
    uint32_t cf = cf_now(cpu);
    uint64_t r = (op ? old - 1 : old + 1) & x86_mask(size);

    x86_set_cc(cpu, op ? CC_DEC : CC_INC, size, r, old, 1);
    cpu->cc.aux = cf;
    return r;
}

int op_incdec_r(X86CPU *cpu, const X86Insn *insn)
{
    unsigned r = insn->opcode & 7;
    uint64_t v = x86_get_reg(cpu, insn, r, insn->opsize);

    v = rmw_incdec(cpu, (insn->opcode >> 3) & 1, insn->opsize, v, 0);
    x86_set_reg(cpu, insn, r, insn->opsize, v);
    return X86_NEXT;
}

int op_grp4(X86CPU *cpu, const X86Insn *insn)
{
    unsigned op = (insn->modrm >> 3) & 7;

    if (op > 1) {
        return x86_ud(cpu);
    }
    return rmw(cpu, insn, 1, rmw_incdec, op, 0, true, is_locked(insn), NULL);
}

/* FF /0 /1 (the rest of group 5 is in ops-branch.c) */
int x86_grp5_incdec(X86CPU *cpu, const X86Insn *insn)
{
    return rmw(cpu, insn, insn->opsize, rmw_incdec, (insn->modrm >> 3) & 1,
               0, true, is_locked(insn), NULL);
}

/* shifts and rotates (group 2, SHLD/SHRD): ops-shift.c */

/* ---- group 3: TEST NOT NEG MUL IMUL DIV IDIV ---- */

static uint64_t rmw_notneg(X86CPU *cpu, unsigned op, unsigned size,
                           uint64_t a, uint64_t arg)
{
    uint64_t m = x86_mask(size);

    if (op == 2) {
        return ~a & m;
    }
    return alu_op(cpu, 5, size, 0, a);
}

static int64_t sx(uint64_t v, unsigned size)
{
    unsigned sh = 64 - size * 8;
    return (int64_t)(v << sh) >> sh;
}

static int muldiv(X86CPU *cpu, const X86Insn *insn, unsigned op, uint64_t s)
{
    unsigned size = insn->opsize, bits = size * 8;
    uint64_t m = x86_mask(size);
    uint64_t a = cpu->regs[R_EAX] & m;
    uint64_t d = size == 1 ? (cpu->regs[R_EAX] >> 8) & 0xff
                           : cpu->regs[R_EDX] & m;

    switch (op) {
    case 4: {                       /* MUL */
        unsigned __int128 p = (unsigned __int128)a * s;
        uint64_t lo = (uint64_t)p & m;
        uint64_t hi = size == 8 ? (uint64_t)(p >> 64)
                                : (uint64_t)(p >> bits) & m;
        x86_set_cc(cpu, CC_MUL, size, lo, hi != 0, 0);
        if (size == 1) {
            x86_set_reg(cpu, insn, R_EAX, 2, (hi << 8) | lo);
        } else {
            x86_set_reg(cpu, insn, R_EAX, size, lo);
            x86_set_reg(cpu, insn, R_EDX, size, hi);
        }
        return X86_NEXT;
    }
    case 5: {                       /* IMUL */
        __int128 p = (__int128)sx(a, size) * sx(s, size);
        uint64_t lo = (uint64_t)p & m;
        uint64_t hi = size == 8 ? (uint64_t)(p >> 64)
                                : (uint64_t)(p >> bits) & m;
        bool ovf = p != (__int128)sx(lo, size);
        x86_set_cc(cpu, CC_MUL, size, lo, ovf, 0);
        if (size == 1) {
            x86_set_reg(cpu, insn, R_EAX, 2, (hi << 8) | lo);
        } else {
            x86_set_reg(cpu, insn, R_EAX, size, lo);
            x86_set_reg(cpu, insn, R_EDX, size, hi);
        }
        return X86_NEXT;
    }
    case 6: {                       /* DIV */
        unsigned __int128 n = ((unsigned __int128)d << bits) | a, q;
        if (size == 8) {
            n = ((unsigned __int128)d << 64) | a;
        }
        uint64_t rem;
        if (s == 0) {
            return x86_raise(cpu, EXC_DE);
        }
        if (!(uint64_t)(n >> 64)) {
            /* the dividend fits 64 bits: a native division, not the
             * 128-bit library one */
            q = (uint64_t)n / s;
            rem = (uint64_t)n % s;
        } else {
            q = n / s;
            rem = (uint64_t)(n % s);
        }
        if (q > m) {
            return x86_raise(cpu, EXC_DE);
        }
        if (size == 1) {
            x86_set_reg(cpu, insn, R_EAX, 2, (rem << 8) | (uint64_t)q);
        } else {
            x86_set_reg(cpu, insn, R_EAX, size, (uint64_t)q);
            x86_set_reg(cpu, insn, R_EDX, size, rem);
        }
        return X86_NEXT;
    }
    default: {                      /* IDIV */
        __int128 n, q, r, ds = sx(s, size);
        if (size == 8) {
            n = (__int128)(((unsigned __int128)d << 64) | a);
        } else {
            n = (__int128)sx((d << bits) | a, size * 2);
        }
        if (ds == 0) {
            return x86_raise(cpu, EXC_DE);
        }
        if (size == 8 && n == -((__int128)1 << 126) * 2 && ds == -1) {
            return x86_raise(cpu, EXC_DE);
        }
        if (n == (int64_t)n) {
            /* the dividend fits 64 bits: a native division (INT64_MIN /
             * -1 would trap on the host: negate instead) */
            if (ds == -1) {
                q = -n;
                r = 0;
            } else {
                q = (int64_t)n / (int64_t)ds;
                r = (int64_t)n % (int64_t)ds;
            }
        } else {
            q = n / ds;
            r = n % ds;
        }
        if (q > (__int128)(m >> 1) || q < -(__int128)(m >> 1) - 1) {
            return x86_raise(cpu, EXC_DE);
        }
        if (size == 1) {
            x86_set_reg(cpu, insn, R_EAX, 2,
                        (((uint64_t)r & 0xff) << 8) | ((uint64_t)q & 0xff));
        } else {
            x86_set_reg(cpu, insn, R_EAX, size, (uint64_t)q);
            x86_set_reg(cpu, insn, R_EDX, size, (uint64_t)r);
        }
        return X86_NEXT;
    }
    }
}

int op_grp3(X86CPU *cpu, const X86Insn *insn)
{
    unsigned op = (insn->modrm >> 3) & 7;
    uint64_t v;

    if (is_locked(insn) && op != 2 && op != 3) {
        return x86_ud(cpu);
    }
    switch (op) {
    case 0:
    case 1:
        if (!x86_rm_read(cpu, insn, insn->opsize, &v)) {
            return X86_EXC;
        }
        alu_op(cpu, 4, insn->opsize, v, insn->imm);
        return X86_NEXT;
    case 2:
    case 3:
        return rmw(cpu, insn, insn->opsize, rmw_notneg, op, 0, true,
                   is_locked(insn), NULL);
    default:
        if (!x86_rm_read(cpu, insn, insn->opsize, &v)) {
            return X86_EXC;
        }
        return muldiv(cpu, insn, op, v);
    }
}

static int imul_common(X86CPU *cpu, const X86Insn *insn, uint64_t a,
                       uint64_t b)
{
    unsigned size = insn->opsize;
    __int128 p = (__int128)sx(a, size) * sx(b, size);
    uint64_t lo = (uint64_t)p & x86_mask(size);

    x86_set_cc(cpu, CC_MUL, size, lo, p != (__int128)sx(lo, size), 0);
    x86_set_reg(cpu, insn, insn->reg, size, lo);
    return X86_NEXT;
}

int op_imul3(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t a;

    if (!x86_rm_read(cpu, insn, insn->opsize, &a)) {
        return X86_EXC;
    }
    return imul_common(cpu, insn, a, insn->imm);
}

int op_imul_rm(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t a;

    if (!x86_rm_read(cpu, insn, insn->opsize, &a)) {
        return X86_EXC;
    }
    return imul_common(cpu, insn,
                       x86_get_reg(cpu, insn, insn->reg, insn->opsize), a);
}

/* ---- exchange family ---- */

static uint64_t rmw_xchg(X86CPU *cpu, unsigned op, unsigned size,
                         uint64_t old, uint64_t arg)
{
    return arg;
}

int op_xchg_rm(X86CPU *cpu, const X86Insn *insn)
{
    unsigned size = insn->opsize;
    uint64_t old, src = x86_get_reg(cpu, insn, insn->reg, size);
    int st;

    if (insn->mod == 3) {
        old = x86_get_reg(cpu, insn, insn->rm, size);
        x86_set_reg(cpu, insn, insn->rm, size, src);
        x86_set_reg(cpu, insn, insn->reg, size, old);
        return X86_NEXT;
    }
    st = rmw(cpu, insn, size, rmw_xchg, 0, src, true, true, &old);
    if (st == X86_NEXT) {
        x86_set_reg(cpu, insn, insn->reg, size, old);
    }
    return st;
}

static uint64_t rmw_xadd(X86CPU *cpu, unsigned op, unsigned size,
                         uint64_t old, uint64_t arg)
{
    return alu_op(cpu, 0, size, old, arg);
}

int op_xadd(X86CPU *cpu, const X86Insn *insn)
{
    unsigned size = insn->opsize;
    uint64_t old, src = x86_get_reg(cpu, insn, insn->reg, size);
    int st = rmw(cpu, insn, size, rmw_xadd, 0, src, true, is_locked(insn),
                 &old);

    if (st == X86_NEXT) {
        if (insn->mod == 3 && insn->rm == insn->reg) {
            x86_set_reg(cpu, insn, insn->reg, size,
                        (old + src) & x86_mask(size));
        } else {
            x86_set_reg(cpu, insn, insn->reg, size, old);
        }
    }
    return st;
}

int op_cmpxchg(X86CPU *cpu, const X86Insn *insn)
{
    unsigned size = insn->opsize;
    uint64_t m = x86_mask(size);
    uint64_t acc = cpu->regs[R_EAX] & m;
    uint64_t src = x86_get_reg(cpu, insn, insn->reg, size);
    uint64_t old;

    if (insn->mod == 3) {
        old = x86_get_reg(cpu, insn, insn->rm, size);
        alu_op(cpu, 7, size, acc, old);
        if (old == acc) {
            x86_set_reg(cpu, insn, insn->rm, size, src);
        } else {
            x86_set_reg(cpu, insn, R_EAX, size, old);
        }
        return X86_NEXT;
    } else {
        uint64_t ea = x86_insn_ea(cpu, insn);
        void *host;
        if (!x86_atomic_ptr(cpu, insn->seg, ea, size, &host)) {
            return X86_EXC;
        }
        if (host) {
            old = acc;
            if (!atomic_cas(host, size, &old, src)) {
                /* failed: hardware writes the old value back; no-op */
            }
        } else {
            uint64_t nv;
            x86_lock_global();
            old = 0;
            if (!x86_read(cpu, insn->seg, ea, &old, size)) {
                x86_unlock_global();
                return X86_EXC;
            }
            nv = old == acc ? src : old;
            if (!x86_write(cpu, insn->seg, ea, &nv, size)) {
                x86_unlock_global();
                return X86_EXC;
            }
            x86_unlock_global();
        }
        alu_op(cpu, 7, size, acc, old);
        if (old != acc) {
            x86_set_reg(cpu, insn, R_EAX, size, old);
        }
        return X86_NEXT;
    }
}
