/*
 * Differential harness: 32-bit-only instructions (AAA, AAS, DAA, DAS, AAM,
 * AAD, PUSHA/POPA, BOUND, INTO).  The host kernel refuses 32-bit code in a
 * 64-bit process, so these run in the engine's compatibility mode (CS.L=0,
 * CS.D=1 under long mode) and are checked against models written from the
 * SDM Vol. 2 pseudo-code, with the flags the SDM leaves undefined masked.
 */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "diff.h"
#include "known-failures.h"
#include "legacy32.h"
#include "target/i386/cpu.h"

#pragma weak x86_sandbox_cpu
#pragma weak x86_sandbox_mem
#pragma weak x86_sandbox_run
#pragma weak x86_cpu_get_regs
#pragma weak x86_cpu_set_regs
#pragma weak x86_cpu_get_sregs
#pragma weak x86_cpu_set_sregs

typedef struct L32 {
    uint32_t r[8];          /* eax ecx edx ebx esp ebp esi edi */
    uint32_t fl;
    int vector;
} L32;

static unsigned parity(uint8_t v)
{
    return (__builtin_popcount(v) & 1) ? 0 : FL_PF;
}

static uint32_t szp8(uint8_t v)
{
    return (v ? 0 : FL_ZF) | (v & 0x80 ? FL_SF : 0) | parity(v);
}

static void set_al(L32 *s, uint8_t al)
{
    s->r[0] = (s->r[0] & ~0xffu) | al;
}

/* SDM: AAA */
static void m_aaa(L32 *s)
{
    uint16_t ax = (uint16_t)s->r[0];

    if ((ax & 0xf) > 9 || (s->fl & FL_AF)) {
        ax = (uint16_t)(ax + 0x106);
        s->fl |= FL_AF | FL_CF;
    } else {
        s->fl &= ~(FL_AF | FL_CF);
    }
    ax &= 0xff0f;
    s->r[0] = (s->r[0] & ~0xffffu) | ax;
}

static void m_aas(L32 *s)
{
    uint16_t ax = (uint16_t)s->r[0];

    if ((ax & 0xf) > 9 || (s->fl & FL_AF)) {
        ax = (uint16_t)(ax - 6);
        ax = (uint16_t)(ax - 0x100);
        s->fl |= FL_AF | FL_CF;
    } else {
        s->fl &= ~(FL_AF | FL_CF);
    }
    ax &= 0xff0f;
    s->r[0] = (s->r[0] & ~0xffffu) | ax;
}

static void m_daa(L32 *s)
{
    uint8_t al = (uint8_t)s->r[0], old_al = al;
    bool old_cf = s->fl & FL_CF;

    s->fl &= ~FL_CF;
    if ((al & 0xf) > 9 || (s->fl & FL_AF)) {
        bool carry = al + 6 > 0xff;

        al = (uint8_t)(al + 6);
        if (old_cf || carry) {
            s->fl |= FL_CF;
        }
        s->fl |= FL_AF;
    } else {
        s->fl &= ~FL_AF;
    }
    if (old_al > 0x99 || old_cf) {
        al = (uint8_t)(al + 0x60);
        s->fl |= FL_CF;
    } else {
        s->fl &= ~FL_CF;
    }
    set_al(s, al);
    s->fl = (s->fl & ~(FL_SF | FL_ZF | FL_PF)) | szp8(al);
}

static void m_das(L32 *s)
{
    uint8_t al = (uint8_t)s->r[0], old_al = al;
    bool old_cf = s->fl & FL_CF;

    s->fl &= ~FL_CF;
    if ((al & 0xf) > 9 || (s->fl & FL_AF)) {
        bool borrow = al < 6;

        al = (uint8_t)(al - 6);
        if (old_cf || borrow) {
            s->fl |= FL_CF;
        }
        s->fl |= FL_AF;
    } else {
        s->fl &= ~FL_AF;
    }
    if (old_al > 0x99 || old_cf) {
        al = (uint8_t)(al - 0x60);
        s->fl |= FL_CF;
    }
    set_al(s, al);
    s->fl = (s->fl & ~(FL_SF | FL_ZF | FL_PF)) | szp8(al);
}

static void m_aam(L32 *s, uint8_t imm)
{
    uint8_t al = (uint8_t)s->r[0];

    if (!imm) {
        s->vector = 0;
        return;
    }
    s->r[0] = (s->r[0] & ~0xffffu) | (uint32_t)(al / imm) << 8 | (al % imm);
    s->fl = (s->fl & ~(FL_SF | FL_ZF | FL_PF)) | szp8(al % imm);
}

static void m_aad(L32 *s, uint8_t imm)
{
    uint8_t al = (uint8_t)s->r[0], ah = (uint8_t)(s->r[0] >> 8);
    uint8_t r = (uint8_t)(al + ah * imm);

    s->r[0] = (s->r[0] & ~0xffffu) | r;
    s->fl = (s->fl & ~(FL_SF | FL_ZF | FL_PF)) | szp8(r);
}

typedef struct L32Form {
    const char *name;
    uint8_t code[4];
    unsigned len;
    uint32_t undef;
} L32Form;

static const L32Form forms[] = {
    { "aaa", { 0x37 }, 1, FL_OF | FL_SF | FL_ZF | FL_PF },
    { "aas", { 0x3f }, 1, FL_OF | FL_SF | FL_ZF | FL_PF },
    { "daa", { 0x27 }, 1, FL_OF },
    { "das", { 0x2f }, 1, FL_OF },
    { "aam imm8", { 0xd4, 0 }, 2, FL_OF | FL_AF | FL_CF },
    { "aad imm8", { 0xd5, 0 }, 2, FL_OF | FL_AF | FL_CF },
    { "pusha", { 0x60 }, 1, 0 },
    { "popa", { 0x61 }, 1, 0 },
    { "bound r32,m", { 0x62, 0x06 }, 2, 0 },        /* bound eax,[esi] */
    { "into", { 0xce }, 1, 0 },
};

static bool enter_compat(X86CPU *cpu)
{
    X86SRegs s;

    x86_cpu_get_sregs(cpu, &s);
    s.cs.l = 0;
    s.cs.db = 1;
    return x86_cpu_set_sregs(cpu, &s);
}

static void leave_compat(X86CPU *cpu)
{
    X86SRegs s;

    x86_cpu_get_sregs(cpu, &s);
    s.cs.l = 1;
    s.cs.db = 0;
    x86_cpu_set_sregs(cpu, &s);
}

static void run_engine(X86Sandbox *sb, X86CPU *cpu, const uint8_t *code,
                       unsigned len, L32 *s)
{
    X86Regs regs;
    X86Exit ex;
    int rc;

    memset(&regs, 0, sizeof(regs));
    regs.rax = s->r[0];
    regs.rcx = s->r[1];
    regs.rdx = s->r[2];
    regs.rbx = s->r[3];
    regs.rsp = s->r[4];
    regs.rbp = s->r[5];
    regs.rsi = s->r[6];
    regs.rdi = s->r[7];
    regs.rflags = s->fl | 2;
    x86_cpu_set_regs(cpu, &regs);
    if (!enter_compat(cpu)) {
        s->vector = 2000;
        return;
    }
    rc = x86_sandbox_run(sb, code, len, &ex);
    x86_cpu_get_regs(cpu, &regs);
    leave_compat(cpu);
    s->r[0] = (uint32_t)regs.rax;
    s->r[1] = (uint32_t)regs.rcx;
    s->r[2] = (uint32_t)regs.rdx;
    s->r[3] = (uint32_t)regs.rbx;
    s->r[4] = (uint32_t)regs.rsp;
    s->r[5] = (uint32_t)regs.rbp;
    s->r[6] = (uint32_t)regs.rsi;
    s->r[7] = (uint32_t)regs.rdi;
    s->fl = (uint32_t)regs.rflags & FL_ALL;
    s->vector = rc == 0 ? -1 : rc == X86_EXIT_SHUTDOWN ?
                (int)ex.shutdown.last_exception : 1000 + rc;
}

unsigned diff_legacy32_run(X86Sandbox *sb, uint64_t seed, unsigned per_form,
                           unsigned *fails, unsigned *xfails)
{
    X86CPU *cpu = x86_sandbox_cpu(sb);
    unsigned total = 0;
    static const char *const rn[8] = { "eax", "ecx", "edx", "ebx", "esp",
                                       "ebp", "esi", "edi" };

    *fails = 0;
    *xfails = 0;
    for (unsigned fi = 0; fi < G_N_ELEMENTS(forms); fi++) {
        const L32Form *f = &forms[fi];
        bool known = diff_known_failure(f->name);
        unsigned shown = known ? 3 : 0;

        for (unsigned i = 0; i < per_form; i++) {
            DiffRng r;
            L32 in, model, eng;
            uint8_t code[4];
            uint8_t *stack = x86_sandbox_mem(sb, DIFF_STACK_ADDR,
                                             DIFF_STACK_SIZE);
            uint8_t *data = x86_sandbox_mem(sb, DIFF_DATA_ADDR, 16);
            uint8_t stack_model[DIFF_STACK_SIZE];
            uint32_t mask;
            bool ok = true;

            diff_rng_seed(&r, seed * 7919 + fi * 100003 + i);
            memcpy(code, f->code, 4);
            if (f->len == 2 && (code[0] == 0xd4 || code[0] == 0xd5)) {
                switch (diff_rng_below(&r, 8)) {
                case 0:
                    code[1] = 0;                /* AAM 0: #DE */
                    break;
                case 1:
                case 2:
                case 3:
                    code[1] = (uint8_t)diff_rng_next(&r);
                    break;
                default:
                    code[1] = 10;
                    break;
                }
            }
            for (int k = 0; k < 8; k++) {
                in.r[k] = (uint32_t)diff_gen_int(&r);
            }
            in.r[4] = (uint32_t)(DIFF_STACK_ADDR + 0x800);
            in.r[6] = (uint32_t)DIFF_DATA_ADDR;
            in.fl = (uint32_t)diff_rng_next(&r) & FL_ARITH;
            in.vector = -1;
            {
                int32_t lo = (int32_t)diff_gen_int(&r);
                int32_t hi = (int32_t)diff_gen_int(&r);

                memcpy(data, &lo, 4);
                memcpy(data + 4, &hi, 4);
            }
            for (unsigned k = 0; k < DIFF_STACK_SIZE; k++) {
                stack[k] = (uint8_t)diff_rng_next(&r);
            }
            memcpy(stack_model, stack, DIFF_STACK_SIZE);

            model = in;
            switch (code[0]) {
            case 0x37: m_aaa(&model); break;
            case 0x3f: m_aas(&model); break;
            case 0x27: m_daa(&model); break;
            case 0x2f: m_das(&model); break;
            case 0xd4: m_aam(&model, code[1]); break;
            case 0xd5: m_aad(&model, code[1]); break;
            case 0x60:
                for (int k = 0; k < 8; k++) {
                    uint32_t off = 0x800 - 4 * (k + 1);
                    memcpy(stack_model + off, &in.r[k], 4);
                }
                model.r[4] -= 32;
                break;
            case 0x61:
                for (int k = 0; k < 8; k++) {
                    uint32_t v;
                    memcpy(&v, stack_model + 0x800 + 4 * (7 - k), 4);
                    if (k != 4) {
                        model.r[k] = v;
                    }
                }
                model.r[4] += 32;
                break;
            case 0x62: {
                int32_t lo, hi;
                memcpy(&lo, data, 4);
                memcpy(&hi, data + 4, 4);
                if ((int32_t)in.r[0] < lo || (int32_t)in.r[0] > hi) {
                    model.vector = 5;
                }
                break;
            }
            case 0xce:
                if (in.fl & FL_OF) {
                    model.vector = 4;
                }
                break;
            }
            eng = in;
            run_engine(sb, cpu, code, f->len, &eng);
            total++;

            mask = FL_ALL & ~f->undef;
            if (eng.vector != model.vector) {
                ok = false;
            } else if (model.vector < 0) {
                for (int k = 0; k < 8; k++) {
                    ok &= eng.r[k] == model.r[k];
                }
                ok &= (eng.fl & mask) == (model.fl & mask);
                ok &= !memcmp(stack, stack_model, DIFF_STACK_SIZE);
            }
            if (!ok && known) {
                (*xfails)++;
            } else if (!ok) {
                (*fails)++;
                if (shown++ < 3) {
                    printf("MISMATCH (32-bit model) form %s bytes %02x %02x "
                           "seed=%llu case=%u\n", f->name, code[0],
                           f->len > 1 ? code[1] : 0,
                           (unsigned long long)seed, i);
                    printf("  vector: model %d engine %d\n", model.vector,
                           eng.vector);
                    for (int k = 0; k < 8; k++) {
                        printf("  %s in %08x model %08x engine %08x\n",
                               rn[k], in.r[k], model.r[k], eng.r[k]);
                    }
                    printf("  flags in %04x model %04x engine %04x "
                           "(compared %04x)\n", in.fl, model.fl, eng.fl,
                           mask);
                }
            }
        }
    }
    return total;
}
