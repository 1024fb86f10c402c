/*
 * Opcode tables of the x86 disassembler: the one-byte and 0f maps, the
 * modrm.reg groups, the SSE mandatory-prefix rows and the x87 names
 * (AT&T spellings as GNU objdump prints them). Operand codes: see
 * x86-internal.h and operand() in x86.c.
 */
#include "x86-internal.h"

#include <stddef.h>

#define I(n, a, f)  { n, a, f, K_PLAIN, 0 }
#define N(n)        { n, "", 0, K_PLAIN, 0 }
#define NF(n, f)    { n, "", f, K_PLAIN, 0 }
#define BAD         { NULL, NULL, 0, K_PLAIN, 0 }
#define GP(g, a, f) { NULL, a, f, K_GROUP, g }
#define SS(i)       { NULL, NULL, 0, K_SSE, i }
#define MM(n, a)    { n, a, 0, K_MMX, 0 }
#define SP(i, a, f) { NULL, a, f, K_SPECIAL, i }

#define ALU(n) I(n, "Eb Gb", F_SUF | F_LOCK), I(n, "Ev Gv", F_SUF | F_LOCK), \
               I(n, "Gb Eb", 0), I(n, "Gv Ev", 0), \
               I(n, "AL Ib", 0), I(n, "AX Iz", 0)
#define X8(e) e, e, e, e, e, e, e, e

/* SSE rows: none, 66, f3, f2. */
enum {
    S10, S11, S12, S13, S14, S15, S16, S17, S28, S29, S2A, S2B, S2C, S2D,
    S2E, S2F, S50, S51, S52, S53, S54, S55, S56, S57, S58, S59, S5A, S5B,
    S5C, S5D, S5E, S5F, S6C, S6D, S6E, S6F, S70, S7E, S7F, SC2, SC6, SD6,
    SE6, SE7, SF7, S73_3, S73_7, SD0, S7C, S7D,
};

#define PSSD(n) { I(n "ps", "V W", 0), I(n "pd", "V W", 0), \
                  I(n "ss", "V W", 0), I(n "sd", "V W", 0) }
#define PSPD(n) { I(n "ps", "V W", 0), I(n "pd", "V W", 0), BAD, BAD }

const X86Insn x86_sse[][4] = {
    [S10] = { I("movups", "V W", 0), I("movupd", "V W", 0),
              I("movss", "V W", 0), I("movsd", "V W", 0) },
    [S11] = { I("movups", "W V", 0), I("movupd", "W V", 0),
              I("movss", "W V", 0), I("movsd", "W V", 0) },
    [S12] = { I("movlps/movhlps", "V W", 0), I("movlpd", "V M", 0),
              I("movsldup", "V W", 0), I("movddup", "V W", 0) },
    [S13] = { I("movlps", "M V", 0), I("movlpd", "M V", 0), BAD, BAD },
    [S14] = PSPD("unpckl"),
    [S15] = PSPD("unpckh"),
    [S16] = { I("movhps/movlhps", "V W", 0), I("movhpd", "V M", 0),
              I("movshdup", "V W", 0), BAD },
    [S17] = { I("movhps", "M V", 0), I("movhpd", "M V", 0), BAD, BAD },
    [S28] = PSPD("mova"),
    [S29] = { I("movaps", "W V", 0), I("movapd", "W V", 0), BAD, BAD },
    [S2A] = { I("cvtpi2ps", "V Q", 0), I("cvtpi2pd", "V Q", 0),
              I("cvtsi2ss", "V Ey", F_SUF), I("cvtsi2sd", "V Ey", F_SUF) },
    [S2B] = { I("movntps", "M V", 0), I("movntpd", "M V", 0), BAD, BAD },
    [S2C] = { I("cvttps2pi", "P W", 0), I("cvttpd2pi", "P W", 0),
              I("cvttss2si", "Gy W", 0), I("cvttsd2si", "Gy W", 0) },
    [S2D] = { I("cvtps2pi", "P W", 0), I("cvtpd2pi", "P W", 0),
              I("cvtss2si", "Gy W", 0), I("cvtsd2si", "Gy W", 0) },
    [S2E] = { I("ucomiss", "V W", 0), I("ucomisd", "V W", 0), BAD, BAD },
    [S2F] = { I("comiss", "V W", 0), I("comisd", "V W", 0), BAD, BAD },
    [S50] = { I("movmskps", "Gd U", 0), I("movmskpd", "Gd U", 0), BAD, BAD },
    [S51] = PSSD("sqrt"),
    [S52] = { I("rsqrtps", "V W", 0), BAD, I("rsqrtss", "V W", 0), BAD },
    [S53] = { I("rcpps", "V W", 0), BAD, I("rcpss", "V W", 0), BAD },
    [S54] = PSPD("and"),
    [S55] = PSPD("andn"),
    [S56] = PSPD("or"),
    [S57] = PSPD("xor"),
    [S58] = PSSD("add"),
    [S59] = PSSD("mul"),
    [S5A] = { I("cvtps2pd", "V W", 0), I("cvtpd2ps", "V W", 0),
              I("cvtss2sd", "V W", 0), I("cvtsd2ss", "V W", 0) },
    [S5B] = { I("cvtdq2ps", "V W", 0), I("cvtps2dq", "V W", 0),
              I("cvttps2dq", "V W", 0), BAD },
    [S5C] = PSSD("sub"),
    [S5D] = PSSD("min"),
    [S5E] = PSSD("div"),
    [S5F] = PSSD("max"),
    [S6C] = { BAD, I("punpcklqdq", "V W", 0), BAD, BAD },
    [S6D] = { BAD, I("punpckhqdq", "V W", 0), BAD, BAD },
    [S6E] = { I("movd", "P Ey", 0), I("movd", "V Ey", 0), BAD, BAD },
    [S6F] = { I("movq", "P Q", 0), I("movdqa", "V W", 0),
              I("movdqu", "V W", 0), BAD },
    [S70] = { I("pshufw", "P Q Ib", 0), I("pshufd", "V W Ib", 0),
              I("pshufhw", "V W Ib", 0), I("pshuflw", "V W Ib", 0) },
    [S7E] = { I("movd", "Ey P", 0), I("movd", "Ey V", 0),
              I("movq", "V W", 0), BAD },
    [S7F] = { I("movq", "Q P", 0), I("movdqa", "W V", 0),
              I("movdqu", "W V", 0), BAD },
    [SC2] = { I("cmp%ps", "V W Ib", 0), I("cmp%pd", "V W Ib", 0),
              I("cmp%ss", "V W Ib", 0), I("cmp%sd", "V W Ib", 0) },
    [SC6] = { I("shufps", "V W Ib", 0), I("shufpd", "V W Ib", 0), BAD, BAD },
    [SD6] = { BAD, I("movq", "W V", 0), I("movq2dq", "V N", 0),
              I("movdq2q", "P U", 0) },
    [SE6] = { BAD, I("cvttpd2dq", "V W", 0), I("cvtdq2pd", "V W", 0),
              I("cvtpd2dq", "V W", 0) },
    [SE7] = { I("movntq", "M P", 0), I("movntdq", "M V", 0), BAD, BAD },
    [SF7] = { I("maskmovq", "P N", 0), I("maskmovdqu", "V U", 0), BAD, BAD },
    [S73_3] = { BAD, I("psrldq", "U Ib", 0), BAD, BAD },
    [S73_7] = { BAD, I("pslldq", "U Ib", 0), BAD, BAD },
    [SD0] = { BAD, I("addsubpd", "V W", 0), BAD, I("addsubps", "V W", 0) },
    [S7C] = { BAD, I("haddpd", "V W", 0), BAD, I("haddps", "V W", 0) },
    [S7D] = { BAD, I("hsubpd", "V W", 0), BAD, I("hsubps", "V W", 0) },
};

const X86Insn x86_groups[GR_COUNT][8] = {
    [GR_1] = { I("add", NULL, F_LOCK), I("or", NULL, F_LOCK),
               I("adc", NULL, F_LOCK), I("sbb", NULL, F_LOCK),
               I("and", NULL, F_LOCK), I("sub", NULL, F_LOCK),
               I("xor", NULL, F_LOCK), I("cmp", NULL, 0) },
    [GR_2] = { I("rol", NULL, 0), I("ror", NULL, 0), I("rcl", NULL, 0),
               I("rcr", NULL, 0), I("shl", NULL, 0), I("shr", NULL, 0),
               I("shl", NULL, 0), I("sar", NULL, 0) },
    [GR_3B] = { I("test", "Eb Ib", F_SUF), I("test", "Eb Ib", F_SUF),
                I("not", "Eb", F_SUF | F_LOCK), I("neg", "Eb", F_SUF | F_LOCK),
                I("mul", "Eb", F_SUF), I("imul", "Eb", F_SUF),
                I("div", "Eb", F_SUF), I("idiv", "Eb", F_SUF) },
    [GR_3V] = { I("test", "Ev Iz", F_SUF), I("test", "Ev Iz", F_SUF),
                I("not", "Ev", F_SUF | F_LOCK), I("neg", "Ev", F_SUF | F_LOCK),
                I("mul", "Ev", F_SUF), I("imul", "Ev", F_SUF),
                I("div", "Ev", F_SUF), I("idiv", "Ev", F_SUF) },
    [GR_4] = { I("inc", "Eb", F_SUF | F_LOCK), I("dec", "Eb", F_SUF | F_LOCK),
               BAD, BAD, BAD, BAD, BAD, BAD },
    [GR_5] = { I("inc", "Ev", F_SUF | F_LOCK), I("dec", "Ev", F_SUF | F_LOCK),
               I("call", "*Ev", F_D64 | F_BND | F_PSUFM),
               I("lcall", "*M", F_PSUFM),
               I("jmp", "*Ev", F_D64 | F_BND | F_PSUFM),
               I("ljmp", "*M", F_PSUFM),
               I("push", "Ev", F_D64 | F_PSUFM), BAD },
    [GR_6] = { I("sldt", "Ev", 0), I("str", "Ev", 0), I("lldt", "Ew", 0),
               I("ltr", "Ew", 0), I("verr", "Ew", 0), I("verw", "Ew", 0),
               BAD, BAD },
    [GR_7] = { I("sgdt", "M", F_DT), I("sidt", "M", F_DT), I("lgdt", "M", F_DT),
               I("lidt", "M", F_DT), I("smsw", "Ev", 0), BAD,
               I("lmsw", "Ew", 0), I("invlpg", "M", 0) },
    [GR_8] = { BAD, BAD, BAD, BAD, I("bt", "Ev Ib", F_SUF),
               I("bts", "Ev Ib", F_SUF | F_LOCK),
               I("btr", "Ev Ib", F_SUF | F_LOCK),
               I("btc", "Ev Ib", F_SUF | F_LOCK) },
    [GR_11B] = { I("mov", "Eb Ib", F_SUF), BAD, BAD, BAD, BAD, BAD, BAD,
                 BAD },
    [GR_11V] = { I("mov", "Ev Iz", F_SUF), BAD, BAD, BAD, BAD, BAD, BAD,
                 BAD },
    [GR_12] = { BAD, BAD, MM("psrlw", "N Ib"), BAD, MM("psraw", "N Ib"),
                BAD, MM("psllw", "N Ib"), BAD },
    [GR_13] = { BAD, BAD, MM("psrld", "N Ib"), BAD, MM("psrad", "N Ib"),
                BAD, MM("pslld", "N Ib"), BAD },
    [GR_14] = { BAD, BAD, MM("psrlq", "N Ib"), SS(S73_3), BAD, BAD,
                MM("psllq", "N Ib"), SS(S73_7) },
    [GR_16] = { I("prefetchnta", "M", 0), I("prefetcht0", "M", 0),
                I("prefetcht1", "M", 0), I("prefetcht2", "M", 0),
                I("nop", "Ev", F_SUF), I("nop", "Ev", F_SUF),
                I("nop", "Ev", F_SUF), I("nop", "Ev", F_SUF) },
    [GR_8F] = { I("pop", "Ev", F_D64 | F_PSUFM), BAD, BAD, BAD, BAD, BAD,
                BAD, BAD },
    [GR_PF] = { I("prefetch", "M", 0), I("prefetchw", "M", 0),
                I("prefetchwt1", "M", 0), I("prefetch", "M", 0),
                I("prefetch", "M", 0), I("prefetch", "M", 0),
                I("prefetch", "M", 0), I("prefetch", "M", 0) },
};

const X86Insn x86_op1[256] = {
    ALU("add"), I("push", "sES", F_I64 | F_PSUF),
    I("pop", "sES", F_I64 | F_PSUF),
    ALU("or"), I("push", "sCS", F_I64 | F_PSUF), BAD,
    ALU("adc"), I("push", "sSS", F_I64 | F_PSUF),
    I("pop", "sSS", F_I64 | F_PSUF),
    ALU("sbb"), I("push", "sDS", F_I64 | F_PSUF),
    I("pop", "sDS", F_I64 | F_PSUF),
    ALU("and"), BAD, NF("daa", F_I64),
    ALU("sub"), BAD, NF("das", F_I64),
    ALU("xor"), BAD, NF("aaa", F_I64),
    I("cmp", "Eb Gb", F_SUF), I("cmp", "Ev Gv", F_SUF), I("cmp", "Gb Eb", 0),
    I("cmp", "Gv Ev", 0), I("cmp", "AL Ib", 0), I("cmp", "AX Iz", 0), BAD,
    NF("aas", F_I64),
    /* 0x40 */
    X8(I("inc", "Zv", F_I64)), X8(I("dec", "Zv", F_I64)),
    X8(I("push", "Zv", F_D64)), X8(I("pop", "Zv", F_D64)),
    /* 0x60 */
    NF("pusha", F_I64 | F_PSUF), NF("popa", F_I64 | F_PSUF),
    I("bound", "Gv M", F_I64 | F_NOREV), SP(SP_63, NULL, 0), BAD, BAD, BAD, BAD,
    I("push", "Iz", F_D64 | F_PSUF), I("imul", "Gv Ev Iz", 0),
    I("push", "Ibs", F_D64 | F_PSUF), I("imul", "Gv Ev Ibs", 0),
    I("ins", "Yb DX", F_SUF | F_REP), I("ins", "Yz DX", F_SUF | F_REP),
    I("outs", "DX Xb", F_SUF | F_REP), I("outs", "DX Xz", F_SUF | F_REP),
    /* 0x70 */
    I("jo", "Jb", F_BND), I("jno", "Jb", F_BND), I("jb", "Jb", F_BND),
    I("jae", "Jb", F_BND), I("je", "Jb", F_BND), I("jne", "Jb", F_BND),
    I("jbe", "Jb", F_BND), I("ja", "Jb", F_BND), I("js", "Jb", F_BND),
    I("jns", "Jb", F_BND), I("jp", "Jb", F_BND), I("jnp", "Jb", F_BND),
    I("jl", "Jb", F_BND), I("jge", "Jb", F_BND), I("jle", "Jb", F_BND),
    I("jg", "Jb", F_BND),
    /* 0x80 */
    GP(GR_1, "Eb Ib", F_SUF), GP(GR_1, "Ev Iz", F_SUF),
    GP(GR_1, "Eb Ib", F_SUF | F_I64), GP(GR_1, "Ev Ibs", F_SUF),
    I("test", "Eb Gb", 0), I("test", "Ev Gv", 0), I("xchg", "Eb Gb", F_LOCK),
    I("xchg", "Ev Gv", F_LOCK), I("mov", "Eb Gb", 0), I("mov", "Ev Gv", 0),
    I("mov", "Gb Eb", 0), I("mov", "Gv Ev", 0), I("mov", "Esw Sw", 0),
    I("lea", "Gv M", 0), I("mov", "Sw Esw", 0), GP(GR_8F, NULL, 0),
    /* 0x90 */
    SP(SP_NOP90, NULL, 0), I("xchg", "Zv AX", 0), I("xchg", "Zv AX", 0),
    I("xchg", "Zv AX", 0), I("xchg", "Zv AX", 0), I("xchg", "Zv AX", 0),
    I("xchg", "Zv AX", 0), I("xchg", "Zv AX", 0),
    NF("cbtw|cwtl|cltq", F_ALT), NF("cwtd|cltd|cqto", F_ALT),
    I("lcall", "Ap", F_I64 | F_PSUF), N("fwait"), NF("pushf", F_D64 | F_PSUF),
    NF("popf", F_D64 | F_PSUF), N("sahf"), N("lahf"),
    /* 0xa0 */
    SP(SP_MOVABS_O, "AL Ob", 0), SP(SP_MOVABS_O, "AX Ov", 0),
    SP(SP_MOVABS_O, "Ob AL", 0), SP(SP_MOVABS_O, "Ov AX", 0),
    I("movs", "Yb Xb", F_SUF | F_REP), I("movs", "Yv Xv", F_SUF | F_REP),
    I("cmps", "Xb Yb", F_SUF | F_REPZ), I("cmps", "Xv Yv", F_SUF | F_REPZ),
    I("test", "AL Ib", 0), I("test", "AX Iz", 0),
    I("stos", "Yb AL", F_SUF | F_REP), I("stos", "Yv AX", F_SUF | F_REP),
    I("lods", "AL Xb", F_SUF | F_REP), I("lods", "AX Xv", F_SUF | F_REP),
    I("scas", "AL Yb", F_SUF | F_REPZ), I("scas", "AX Yv", F_SUF | F_REPZ),
    /* 0xb0 */
    X8(I("mov", "Zb Ib", 0)), X8(SP(SP_MOVIMM, "Zv Iv", 0)),
    /* 0xc0 */
    GP(GR_2, "Eb Ib", F_SUF), GP(GR_2, "Ev Ib", F_SUF),
    I("ret", "Iw", F_D64 | F_BND | F_PSUF),
    NF("ret", F_D64 | F_BND | F_PSUF),
    SP(SP_LES, "Gz M", 0), SP(SP_LES, "Gz M", 0),
    GP(GR_11B, NULL, 0), GP(GR_11V, NULL, 0),
    I("enter", "Iw Ib", F_D64 | F_PSUF | F_NOREV), NF("leave", F_D64 | F_PSUF),
    I("lret", "Iw", F_PSUF), NF("lret", F_PSUF), N("int3"),
    I("int", "Ib", 0), NF("into", F_I64), NF("iret", F_PSUF),
    /* 0xd0 */
    GP(GR_2, "Eb 1", F_SUF), GP(GR_2, "Ev 1", F_SUF),
    GP(GR_2, "Eb CL", F_SUF), GP(GR_2, "Ev CL", F_SUF),
    I("aam", "Ib", F_I64), I("aad", "Ib", F_I64), BAD, I("xlat", "XL", 0),
    X8(SP(SP_X87, NULL, 0)),
    /* 0xe0 */
    I("loopne", "Jb", 0), I("loope", "Jb", 0), I("loop", "Jb", 0),
    SP(SP_JCXZ, "Jb", 0), I("in", "AL Ib", 0), I("in", "eAX Ib", 0),
    I("out", "Ib AL", 0), I("out", "Ib eAX", 0),
    I("call", "Jz", F_D64 | F_PSUF | F_BND),
    I("jmp", "Jz", F_D64 | F_PSUF | F_BND), I("ljmp", "Ap", F_I64 | F_PSUF),
    I("jmp", "Jb", F_BND), I("in", "AL DX", 0), I("in", "eAX DX", 0),
    I("out", "DX AL", 0), I("out", "DX eAX", 0),
    /* 0xf0 */
    BAD, N("int1"), BAD, BAD, N("hlt"), N("cmc"), GP(GR_3B, NULL, 0),
    GP(GR_3V, NULL, 0), N("clc"), N("stc"), N("cli"), N("sti"), N("cld"),
    N("std"), GP(GR_4, NULL, 0), GP(GR_5, NULL, 0),
};

#define CC(p, a, f) I(p "o", a, f), I(p "no", a, f), I(p "b", a, f), \
    I(p "ae", a, f), I(p "e", a, f), I(p "ne", a, f), I(p "be", a, f), \
    I(p "a", a, f), I(p "s", a, f), I(p "ns", a, f), I(p "p", a, f), \
    I(p "np", a, f), I(p "l", a, f), I(p "ge", a, f), I(p "le", a, f), \
    I(p "g", a, f)

const X86Insn x86_op2[256] = {
    /* 0x00 */
    GP(GR_6, NULL, 0), SP(SP_0F01, NULL, 0), I("lar", "Gv Esw", 0),
    I("lsl", "Gv Esw", 0), BAD, N("syscall"), N("clts"), NF("sysret", F_SYS),
    N("invd"), N("wbinvd"), BAD, N("ud2"), BAD, GP(GR_PF, NULL, 0),
    N("femms"), BAD,
    /* 0x10 */
    SS(S10), SS(S11), SS(S12), SS(S13), SS(S14), SS(S15), SS(S16), SS(S17),
    GP(GR_16, NULL, 0), I("nop", "Ev", F_SUF), BAD, BAD,
    I("nop", "Ev", F_SUF), I("nop", "Ev", F_SUF),
    SP(SP_ENDBR, NULL, 0), I("nop", "Ev", F_SUF),
    /* 0x20 */
    I("mov", "Ry Cd", 0), I("mov", "Ry Dd", 0), I("mov", "Cd Ry", 0),
    I("mov", "Dd Ry", 0), BAD, BAD, BAD, BAD,
    SS(S28), SS(S29), SS(S2A), SS(S2B), SS(S2C), SS(S2D), SS(S2E), SS(S2F),
    /* 0x30 */
    N("wrmsr"), N("rdtsc"), N("rdmsr"), N("rdpmc"), N("sysenter"),
    NF("sysexit", F_SYS), BAD, N("getsec"), BAD, BAD, BAD, BAD, BAD, BAD,
    BAD, BAD,
    /* 0x40 */
    CC("cmov", "Gv Ev", 0),
    /* 0x50 */
    SS(S50), SS(S51), SS(S52), SS(S53), SS(S54), SS(S55), SS(S56), SS(S57),
    SS(S58), SS(S59), SS(S5A), SS(S5B), SS(S5C), SS(S5D), SS(S5E), SS(S5F),
    /* 0x60 */
    MM("punpcklbw", "P Q"), MM("punpcklwd", "P Q"), MM("punpckldq", "P Q"),
    MM("packsswb", "P Q"), MM("pcmpgtb", "P Q"), MM("pcmpgtw", "P Q"),
    MM("pcmpgtd", "P Q"), MM("packuswb", "P Q"), MM("punpckhbw", "P Q"),
    MM("punpckhwd", "P Q"), MM("punpckhdq", "P Q"), MM("packssdw", "P Q"),
    SS(S6C), SS(S6D), SS(S6E), SS(S6F),
    /* 0x70 */
    SS(S70), GP(GR_12, NULL, 0), GP(GR_13, NULL, 0), GP(GR_14, NULL, 0),
    MM("pcmpeqb", "P Q"), MM("pcmpeqw", "P Q"), MM("pcmpeqd", "P Q"),
    N("emms"), I("vmread", "Er Gr", 0), I("vmwrite", "Gr Er", 0), BAD, BAD,
    SS(S7C), SS(S7D), SS(S7E), SS(S7F),
    /* 0x80 */
    CC("j", "Jz", F_D64 | F_BND),
    /* 0x90 */
    CC("set", "Eb", 0),
    /* 0xa0 */
    I("push", "sFS", F_D64 | F_PSUF), I("pop", "sFS", F_D64 | F_PSUF),
    N("cpuid"),
    I("bt", "Ev Gv", 0), I("shld", "Ev Gv Ib", 0), I("shld", "Ev Gv CL", 0),
    BAD, BAD, I("push", "sGS", F_D64 | F_PSUF),
    I("pop", "sGS", F_D64 | F_PSUF), N("rsm"),
    I("bts", "Ev Gv", F_LOCK), I("shrd", "Ev Gv Ib", 0),
    I("shrd", "Ev Gv CL", 0),
    SP(SP_0FAE, NULL, 0), I("imul", "Gv Ev", 0),
    /* 0xb0 */
    I("cmpxchg", "Eb Gb", F_LOCK), I("cmpxchg", "Ev Gv", F_LOCK),
    I("lss", "Gv M", 0),
    I("btr", "Ev Gv", F_LOCK), I("lfs", "Gv M", 0), I("lgs", "Gv M", 0),
    I("movzb", "Gv Eb", F_OSUF), I("movzw", "Gv Ew", F_OSUF), BAD,
    I("ud1", "Gv Ev", 0), GP(GR_8, NULL, 0), I("btc", "Ev Gv", F_LOCK),
    I("bsf", "Gv Ev", 0), I("bsr", "Gv Ev", 0),
    I("movsb", "Gv Eb", F_OSUF), I("movsw", "Gv Ew", F_OSUF),
    /* 0xc0 */
    I("xadd", "Eb Gb", F_LOCK), I("xadd", "Ev Gv", F_LOCK), SS(SC2),
    I("movnti", "M Gy", F_SUF), MM("pinsrw", "P Ed Ib"),
    MM("pextrw", "Gd N Ib"), SS(SC6), SP(SP_0FC7, NULL, 0),
    X8(I("bswap", "Zv", 0)),
    /* 0xd0 */
    SS(SD0), MM("psrlw", "P Q"), MM("psrld", "P Q"), MM("psrlq", "P Q"),
    MM("paddq", "P Q"), MM("pmullw", "P Q"), SS(SD6), MM("pmovmskb", "Gd N"),
    MM("psubusb", "P Q"), MM("psubusw", "P Q"), MM("pminub", "P Q"),
    MM("pand", "P Q"), MM("paddusb", "P Q"), MM("paddusw", "P Q"),
    MM("pmaxub", "P Q"), MM("pandn", "P Q"),
    /* 0xe0 */
    MM("pavgb", "P Q"), MM("psraw", "P Q"), MM("psrad", "P Q"),
    MM("pavgw", "P Q"), MM("pmulhuw", "P Q"), MM("pmulhw", "P Q"), SS(SE6),
    SS(SE7), MM("psubsb", "P Q"), MM("psubsw", "P Q"), MM("pminsw", "P Q"),
    MM("por", "P Q"), MM("paddsb", "P Q"), MM("paddsw", "P Q"),
    MM("pmaxsw", "P Q"), MM("pxor", "P Q"),
    /* 0xf0 */
    BAD, MM("psllw", "P Q"), MM("pslld", "P Q"), MM("psllq", "P Q"),
    MM("pmuludq", "P Q"), MM("pmaddwd", "P Q"), MM("psadbw", "P Q"),
    SS(SF7), MM("psubb", "P Q"), MM("psubw", "P Q"), MM("psubd", "P Q"),
    MM("psubq", "P Q"), MM("paddb", "P Q"), MM("paddw", "P Q"),
    MM("paddd", "P Q"), I("ud0", "Gv Ev", 0),
};

const char *const x86_fpu_mem[8][8] = {
    { "fadds", "fmuls", "fcoms", "fcomps", "fsubs", "fsubrs", "fdivs",
      "fdivrs" },
    { "flds", NULL, "fsts", "fstps", "fldenv", "fldcw", "fnstenv",
      "fnstcw" },
    { "fiaddl", "fimull", "ficoml", "ficompl", "fisubl", "fisubrl",
      "fidivl", "fidivrl" },
    { "fildl", "fisttpl", "fistl", "fistpl", NULL, "fldt", NULL, "fstpt" },
    { "faddl", "fmull", "fcoml", "fcompl", "fsubl", "fsubrl", "fdivl",
      "fdivrl" },
    { "fldl", "fisttpll", "fstl", "fstpl", "frstor", NULL, "fnsave",
      "fnstsw" },
    { "fiadds", "fimuls", "ficoms", "ficomps", "fisubs", "fisubrs",
      "fidivs", "fidivrs" },
    { "filds", "fisttps", "fists", "fistps", "fbld", "fildll", "fbstp",
      "fistpll" },
};

/*
 * Register forms: a leading '<' is "%st(i),%st", '>' is "%st,%st(i)",
 * '=' is "%st(i)" alone; a NULL entry is (bad) or one of the fixed
 * encodings (d9 e0-ff, da e9, db e2/e3, de d9, df e0) handled in x86.c.
 */
const char *const x86_fpu_reg[8][8] = {
    { "<fadd", "<fmul", "=fcom", "=fcomp", "<fsub", "<fsubr", "<fdiv",
      "<fdivr" },
    { "=fld", "=fxch", NULL, NULL, NULL, NULL, NULL, NULL },
    { "<fcmovb", "<fcmove", "<fcmovbe", "<fcmovu", NULL, NULL, NULL, NULL },
    { "<fcmovnb", "<fcmovne", "<fcmovnbe", "<fcmovnu", NULL, "<fucomi",
      "<fcomi", NULL },
    { ">fadd", ">fmul", NULL, NULL, ">fsub", ">fsubr", ">fdiv", ">fdivr" },
    { "=ffree", NULL, "=fst", "=fstp", "=fucom", "=fucomp", NULL, NULL },
    { ">faddp", ">fmulp", NULL, NULL, ">fsubp", ">fsubrp", ">fdivp",
      ">fdivrp" },
    { "=ffreep", NULL, NULL, NULL, NULL, "<fucomip", "<fcomip", NULL },
};

/* d9 e0..ff */
const char *const x86_fpu_d9[32] = {
    "fchs", "fabs", NULL, NULL, "ftst", "fxam", NULL, NULL,
    "fld1", "fldl2t", "fldl2e", "fldpi", "fldlg2", "fldln2", "fldz", NULL,
    "f2xm1", "fyl2x", "fptan", "fpatan", "fxtract", "fprem1", "fdecstp",
    "fincstp", "fprem", "fyl2xp1", "fsqrt", "fsincos", "frndint", "fscale",
    "fsin", "fcos",
};
