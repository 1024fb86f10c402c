/*
 * Unit test of the FPU/SSE execution (target/i386 x87.c, sse.c,
 * fpu-state.c, fpu-host.c) in isolation: the engine's memory and
 * exception functions are replaced by stubs over a flat 4 KiB buffer, and
 * decoded instruction records are built by hand.  The differential test
 * (cpu-diff) covers the same code through the whole engine.
 */
#include <glib.h>
#include <string.h>

#include "target/i386/internal.h"

static uint8_t gmem[4096] __attribute__((aligned(64)));
static int raised = -1;

int x86_raise_err(X86CPU *cpu, int vec, uint32_t e)
{
    raised = vec;
    return X86_EXC;
}

int x86_raise(X86CPU *cpu, int vec)
{
    raised = vec;
    return X86_EXC;
}

uint64_t x86_insn_ea(X86CPU *cpu, const X86Insn *insn)
{
    return (uint64_t)insn->disp;
}

bool x86_seg_linear(X86CPU *cpu, int seg, uint64_t off, unsigned size,
                    int acc, uint64_t *lin)
{
    *lin = off;
    return true;
}

bool x86_read(X86CPU *cpu, int seg, uint64_t off, void *dst, unsigned size)
{
    if (off + size > sizeof(gmem)) {
        raised = EXC_PF;
        return false;
    }
    memcpy(dst, gmem + off, size);
    return true;
}

bool x86_write(X86CPU *cpu, int seg, uint64_t off, const void *src,
               unsigned size)
{
    if (off + size > sizeof(gmem)) {
        raised = EXC_PF;
        return false;
    }
    memcpy(gmem + off, src, size);
    return true;
}

bool x86_probe_write(X86CPU *cpu, int seg, uint64_t off, unsigned size)
{
    if (off + size > sizeof(gmem)) {
        raised = EXC_PF;
        return false;
    }
    return true;
}

uint32_t x86_cc_compute(const X86Flags *cc)
{
    return cc->op == CC_EFLAGS ? (uint32_t)cc->src1 : 0;
}

static X86CPU *cpu_new(void)
{
    X86CPU *c = g_new0(X86CPU, 1);

    x86_fpu_reset(c);
    c->cr4 = CR4_OSXMMEXCPT | CR4_OSFXSR | CR4_OSXSAVE;
    c->xcr0 = 3;
    raised = -1;
    return c;
}

static X86Insn insn(int map, int op, int mp, int mod, int reg, int rm,
                    uint64_t disp, uint8_t rex)
{
    X86Insn i;

    memset(&i, 0, sizeof(i));
    i.map = (uint8_t)map;
    i.opcode = (uint8_t)op;
    i.mandatory = (uint8_t)mp;
    i.mod = (uint8_t)mod;
    i.reg = (uint8_t)reg;
    i.rm = (uint8_t)rm;
    i.disp = (int64_t)disp;
    i.rex = rex;
    i.opsize = (rex & 8) ? 8 : 4;
    i.seg = SEG_DS;
    i.modrm = (uint8_t)(mod << 6 | (reg & 7) << 3 | (rm & 7));
    if (rex) {
        i.prefix |= PFX_REX;
    }
    return i;
}

static void test_sse_arith_reg_and_mem(void)
{
    X86CPU *c = cpu_new();
    X86Insn i = insn(MAP_0F, 0x58, MP_NONE, 3, 1, 2, 0, 0);  /* addps */
    double d = 3.0;

    c->fpu.xmm[1].s[0] = 1.5f;
    c->fpu.xmm[2].s[0] = 2.25f;
    g_assert_cmpint(x86_sse_exec(c, &i), ==, X86_NEXT);
    g_assert_cmpfloat(c->fpu.xmm[1].s[0], ==, 3.75f);

    memcpy(gmem + 16, &d, 8);                              /* addsd x9,[16] */
    c->fpu.xmm[9].f[0] = 0.5;
    i = insn(MAP_0F, 0x58, MP_F2, 0, 9, 0, 16, 0x44);
    g_assert_cmpint(x86_sse_exec(c, &i), ==, X86_NEXT);
    g_assert_cmpfloat(c->fpu.xmm[9].f[0], ==, 3.5);
    g_free(c);
}

static void test_sse_gpr_operands(void)
{
    X86CPU *c = cpu_new();
    X86Insn i = insn(MAP_0F, 0x2a, MP_F2, 3, 3, 11, 0, 0x49); /* cvtsi2sd */

    c->regs[11] = (uint64_t)-7;
    g_assert_cmpint(x86_sse_exec(c, &i), ==, X86_NEXT);
    g_assert_cmpfloat(c->fpu.xmm[3].f[0], ==, -7.0);

    c->fpu.xmm[1].q[0] = 0x8000000000000080ULL;            /* pmovmskb */
    c->fpu.xmm[1].q[1] = 0x80;
    c->regs[12] = ~0ULL;
    i = insn(MAP_0F, 0xd7, MP_66, 3, 12, 1, 0, 0x44);
    g_assert_cmpint(x86_sse_exec(c, &i), ==, X86_NEXT);
    g_assert_cmphex(c->regs[12], ==, 0x181);
    g_free(c);
}

static void test_sse_alignment_and_ud(void)
{
    X86CPU *c = cpu_new();
    X86Insn i = insn(MAP_0F, 0x28, MP_NONE, 0, 0, 0, 4, 0); /* movaps */

    g_assert_cmpint(x86_sse_exec(c, &i), ==, X86_EXC);
    g_assert_cmpint(raised, ==, EXC_GP);
    raised = -1;
    i = insn(MAP_0F, 0x5b, MP_F2, 3, 0, 1, 0, 0);           /* undefined */
    g_assert_cmpint(x86_sse_exec(c, &i), ==, X86_EXC);
    g_assert_cmpint(raised, ==, EXC_UD);
    raised = -1;
    i = insn(MAP_0F, 0x2b, MP_NONE, 3, 0, 1, 0, 0);         /* movntps reg */
    g_assert_cmpint(x86_sse_exec(c, &i), ==, X86_EXC);
    g_assert_cmpint(raised, ==, EXC_UD);
    g_free(c);
}

static void test_sse_unmasked_exception(void)
{
    X86CPU *c = cpu_new();
    X86Insn i = insn(MAP_0F, 0x5e, MP_F3, 3, 4, 5, 0, 0);   /* divss */

    c->fpu.mxcsr = 0x1f80 & ~0x200u;                       /* ZE unmasked */
    c->fpu.xmm[4].s[0] = 1;
    c->fpu.xmm[5].s[0] = 0;
    g_assert_cmpint(x86_sse_exec(c, &i), ==, X86_EXC);
    g_assert_cmpint(raised, ==, EXC_XM);
    g_assert_cmphex(c->fpu.mxcsr & 0x3f, ==, 0x04);
    g_assert_cmpfloat(c->fpu.xmm[4].s[0], ==, 1.0f);        /* unchanged */
    g_free(c);
}

static void test_pcmpistri(void)
{
    X86CPU *c = cpu_new();
    X86Insn i = insn(MAP_0F3A, 0x63, MP_66, 3, 2, 1, 0, 0);

    memcpy(c->fpu.xmm[1].b, "hello world\0\0\0\0", 16);
    memcpy(c->fpu.xmm[2].b, "world\0\0\0\0\0\0\0\0\0\0", 16);
    i.imm = 0x0c;                                          /* equal ordered */
    g_assert_cmpint(x86_sse_exec(c, &i), ==, X86_NEXT);
    g_assert_cmpuint(c->regs[R_ECX], ==, 6);
    g_assert_cmphex(x86_cc_compute(&c->cc) & F_CF, ==, F_CF);
    g_free(c);
}

static void test_mmx_state(void)
{
    X86CPU *c = cpu_new();
    X86Insn i = insn(MAP_0F, 0xfc, MP_NONE, 3, 0, 1, 0, 0); /* paddb */

    c->fpu.st[0].x.mant = 0x0102030405060708ULL;
    c->fpu.st[1].x.mant = 0x0101010101010101ULL;
    c->fpu.top = 3;
    g_assert_cmpint(x86_sse_exec(c, &i), ==, X86_NEXT);
    g_assert_cmphex(c->fpu.st[0].x.mant, ==, 0x0203040506070809ULL);
    g_assert_cmphex(c->fpu.st[0].x.sexp, ==, 0xffff);
    g_assert_cmpuint(c->fpu.top, ==, 0);
    g_assert_cmphex(c->fpu.ftwx, ==, 0xff);
    i = insn(MAP_0F, 0x77, MP_NONE, 3, 0, 0, 0, 0);         /* emms */
    g_assert_cmpint(x86_sse_exec(c, &i), ==, X86_NEXT);
    g_assert_cmphex(c->fpu.ftwx, ==, 0);
    g_free(c);
}

static void test_x87_stack_and_memory(void)
{
    X86CPU *c = cpu_new();
    X86Insn i = insn(MAP_1B, 0xd9, MP_NONE, 3, 5, 0, 0, 0);
    double d = 3.0;
    long double ld = 0;

    memcpy(gmem + 16, &d, 8);
    i.modrm = 0xe8;                                        /* fld1 */
    g_assert_cmpint(x86_x87_exec(c, &i), ==, X86_NEXT);
    i = insn(MAP_1B, 0xdd, MP_NONE, 0, 0, 0, 16, 0);        /* fld m64 */
    g_assert_cmpint(x86_x87_exec(c, &i), ==, X86_NEXT);
    i = insn(MAP_1B, 0xd8, MP_NONE, 3, 0, 1, 0, 0);         /* fadd st,st1 */
    g_assert_cmpint(x86_x87_exec(c, &i), ==, X86_NEXT);
    g_assert_cmpuint(c->fpu.top, ==, 6);
    g_assert_cmphex(c->fpu.ftwx, ==, 0xc0);
    g_assert_true(c->fpu.st[6].ld == 4.0L);
    i = insn(MAP_1B, 0xdb, MP_NONE, 0, 7, 0, 64, 0);        /* fstp m80 */
    g_assert_cmpint(x86_x87_exec(c, &i), ==, X86_NEXT);
    memcpy(&ld, gmem + 64, 10);
    g_assert_true(ld == 4.0L);
    g_assert_cmpuint(c->fpu.top, ==, 7);
    i = insn(MAP_1B, 0xdf, MP_NONE, 3, 4, 0, 0, 0);         /* fnstsw ax */
    i.modrm = 0xe0;
    c->regs[R_EAX] = 0xffffffffffffffffULL;
    g_assert_cmpint(x86_x87_exec(c, &i), ==, X86_NEXT);
    g_assert_cmphex(c->regs[R_EAX], ==, 0xffffffffffff0000ULL | 7u << 11);
    g_free(c);
}

static void test_x87_pending_exception(void)
{
    X86CPU *c = cpu_new();
    X86Insn i = insn(MAP_1B, 0xd9, MP_NONE, 3, 5, 0, 0, 0);

    c->fpu.fcw = 0x037b;                                   /* ZE unmasked */
    i.modrm = 0xee;                                        /* fldz */
    x86_x87_exec(c, &i);
    i.modrm = 0xe8;                                        /* fld1 */
    x86_x87_exec(c, &i);
    i = insn(MAP_1B, 0xd8, MP_NONE, 3, 6, 1, 0, 0);         /* fdiv st,st1 */
    g_assert_cmpint(x86_x87_exec(c, &i), ==, X86_NEXT);
    g_assert_cmphex(c->fpu.fsw & 0x8084, ==, 0x8084);       /* B ES ZE */
    i = insn(MAP_1B, 0x9b, MP_NONE, 3, 0, 0, 0, 0);         /* fwait */
    g_assert_cmpint(x86_x87_exec(c, &i), ==, X86_EXC);
    g_assert_cmpint(raised, ==, EXC_MF);
    raised = -1;
    i = insn(MAP_1B, 0xdb, MP_NONE, 3, 4, 2, 0, 0);         /* fnclex */
    i.modrm = 0xe2;
    g_assert_cmpint(x86_x87_exec(c, &i), ==, X86_NEXT);
    g_assert_cmphex(c->fpu.fsw & 0x80ff, ==, 0);
    g_free(c);
}

static void test_fxsave_roundtrip(void)
{
    X86CPU *c = cpu_new();
    X86CPU *d = cpu_new();
    X86Insn i = insn(MAP_0F, 0xae, MP_NONE, 0, 0, 0, 512, 0x48);

    c->fpu.fcw = 0x027f;
    c->fpu.top = 5;
    c->fpu.ftwx = 0x60;
    c->fpu.st[5].ld = 1.25L;
    c->fpu.st[6].ld = -3.0L;
    c->fpu.mxcsr = 0x3f80;
    c->fpu.xmm[15].q[1] = 0x1122334455667788ULL;
    g_assert_cmpint(x86_x87_exec(c, &i), ==, X86_NEXT);      /* fxsave64 */
    i.reg = 1;
    g_assert_cmpint(x86_x87_exec(d, &i), ==, X86_NEXT);      /* fxrstor64 */
    g_assert_cmphex(d->fpu.fcw, ==, 0x027f);
    g_assert_cmpuint(d->fpu.top, ==, 5);
    g_assert_cmphex(d->fpu.ftwx, ==, 0x60);
    g_assert_true(d->fpu.st[5].ld == 1.25L && d->fpu.st[6].ld == -3.0L);
    g_assert_cmphex(d->fpu.mxcsr, ==, 0x3f80);
    g_assert_cmphex(d->fpu.xmm[15].q[1], ==, 0x1122334455667788ULL);

    i.disp = 520;                                          /* misaligned */
    g_assert_cmpint(x86_x87_exec(d, &i), ==, X86_EXC);
    g_assert_cmpint(raised, ==, EXC_GP);
    g_free(c);
    g_free(d);
}

static void test_xsave_init_components(void)
{
    X86CPU *c = cpu_new();
    X86Insn i = insn(MAP_0F, 0xae, MP_NONE, 0, 4, 0, 1024, 0);
    uint64_t bv;

    c->regs[R_EAX] = 3;
    c->regs[R_EDX] = 0;
    memset(gmem + 1024, 0, 1024);
    c->fpu.xmm[2].d[0] = 42;
    g_assert_cmpint(x86_x87_exec(c, &i), ==, X86_NEXT);      /* xsave */
    memcpy(&bv, gmem + 1024 + 512, 8);
    g_assert_cmphex(bv, ==, 2);                 /* x87 in init state */
    c->fpu.fcw = 0x027f;
    g_assert_cmpint(x86_x87_exec(c, &i), ==, X86_NEXT);
    memcpy(&bv, gmem + 1024 + 512, 8);
    g_assert_cmphex(bv, ==, 3);
    bv = 1;                                                /* SSE in init */
    memcpy(gmem + 1024 + 512, &bv, 8);
    i.reg = 5;
    g_assert_cmpint(x86_x87_exec(c, &i), ==, X86_NEXT);      /* xrstor */
    g_assert_cmpuint(c->fpu.xmm[2].d[0], ==, 0);
    g_assert_cmphex(c->fpu.mxcsr, ==, 0x1f80);     /* saved value */
    bv = 4;                                                /* not in XCR0 */
    memcpy(gmem + 1024 + 512, &bv, 8);
    g_assert_cmpint(x86_x87_exec(c, &i), ==, X86_EXC);
    g_assert_cmpint(raised, ==, EXC_GP);
    g_free(c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/fpu/sse/arith-reg-and-mem", test_sse_arith_reg_and_mem);
    g_test_add_func("/fpu/sse/gpr-operands", test_sse_gpr_operands);
    g_test_add_func("/fpu/sse/alignment-and-ud", test_sse_alignment_and_ud);
    g_test_add_func("/fpu/sse/unmasked-exception-is-xm-no-write",
                    test_sse_unmasked_exception);
    g_test_add_func("/fpu/sse/pcmpistri", test_pcmpistri);
    g_test_add_func("/fpu/mmx/state-transition", test_mmx_state);
    g_test_add_func("/fpu/x87/stack-and-memory", test_x87_stack_and_memory);
    g_test_add_func("/fpu/x87/pending-exception-mf",
                    test_x87_pending_exception);
    g_test_add_func("/fpu/fxsave-fxrstor-roundtrip", test_fxsave_roundtrip);
    g_test_add_func("/fpu/xsave-xrstor-init", test_xsave_init_components);
    return g_test_run();
}
