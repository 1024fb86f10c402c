/*
 * Differential harness: x87, MMX and SSE..SSE4.2 instruction forms.
 * The SSE/MMX forms are enumerated from the engine's opcode table
 * (target/i386/sse-table.c), so every encoding the engine accepts is run
 * against the host; a few encodings the table rejects are added to check
 * that both sides raise #UD.  x87 forms cover every valid register and
 * memory encoding of D8-DF (FNSTENV/FNSAVE/FXSAVE images are compared
 * without the saved instruction/operand pointers, which are the host's).
 */
#include <glib.h>
#include <string.h>

#include "forms.h"
#include "target/i386/internal.h"
#include "target/i386/sse-table.h"

static const uint8_t mp_byte[4] = { 0, 0x66, 0xf3, 0xf2 };
static const char *const mp_name[4] = { "", "66 ", "f3 ", "f2 " };

static uint8_t rc_of(uint8_t k)
{
    switch (k) {
    case K_MM:
        return RC_MMX;
    case K_GPR:
        return RC_GPR;
    default:
        return RC_XMM;
    }
}

static bool sse_has_imm(unsigned map, unsigned op)
{
    return map == MAP_0F3A || (map == MAP_0F && ((op >= 0x70 && op <= 0x73) ||
                                                 op == 0xc2 ||
                                                 (op >= 0xc4 && op <= 0xc6)));
}

static void add_sse(unsigned map, unsigned op, unsigned mp,
                    const SseInfo *si, int digit, unsigned w,
                    unsigned opsize)
{
    static const char *const mapname[4] = { "", "0f", "0f38", "0f3a" };
    DiffForm f;
    unsigned n = 0;

    memset(&f, 0, sizeof(f));
    if (mp) {
        f.pfx[0] = mp_byte[mp];
        f.npfx = 1;
    }
    f.op[n++] = 0x0f;
    if (map == MAP_0F38) {
        f.op[n++] = 0x38;
    } else if (map == MAP_0F3A) {
        f.op[n++] = 0x3a;
    }
    f.op[n++] = (uint8_t)op;
    f.nop = (uint8_t)n;
    f.kind = digit >= 0 ? FK_DIGIT : FK_RM;
    f.digit = (uint8_t)(digit >= 0 ? digit : 0);
    f.regclass = rc_of(si->reg);
    f.rmclass = rc_of(si->rm);
    f.rm_mode = (si->flags & SI_REGONLY) ? RM_REG :
                (si->flags & SI_MEMONLY) ? RM_MEM : RM_BOTH;
    f.opsize = (uint8_t)(opsize ? opsize : (w ? 8 : 0));
    f.memsize = si->msize == MSZ_W ? (w ? 8 : 4) :
                si->msize == MSZ_OP ? (uint8_t)opsize : si->msize;
    if (!f.memsize) {
        f.memsize = 16;
    }
    f.imm = sse_has_imm(map, op) ? 1 : 0;
    f.setup = SU_MXCSR | SU_NOSP;
    if ((si->flags & SI_A16) && f.memsize == 16) {
        f.setup |= SU_ALIGN16;
    }
    if (opsize == 1) {
        f.setup &= ~SU_NOSP;
    }
    f.family = (si->reg == K_MM || si->rm == K_MM) ? "mmx" :
               map == MAP_0F ? ((si->flags & SI_NOFP) ? "sse-int" : "sse-fp")
                             : "sse4";
    if (map == MAP_0F38 && op >= 0xf0) {
        f.family = "crc32";
    }
    if ((map == MAP_0F38 && op >= 0xdb && op <= 0xdf) ||
        (map == MAP_0F3A && (op == 0x44 || op == 0xdf))) {
        f.family = "aes-clmul";
    }
    f.name = diff_form_printf("%s%s%s %02x%s%s%s", mp_name[mp], w ? "rex.w " : "",
                             mapname[map], op,
                             digit >= 0 ? " /" : "",
                             digit >= 0 ? (const char *[]){ "0", "1", "2", "3",
                                                            "4", "5", "6",
                                                            "7" }[digit]
                                        : "",
                             opsize == 2 ? " (66)" : "");
    diff_form_add(&f);
}

static void register_sse(void)
{
    for (unsigned map = MAP_0F; map <= MAP_0F3A; map++) {
        for (unsigned op = 0; op < 256; op++) {
            for (unsigned mp = 0; mp < 4; mp++) {
                SseInfo si;

                if (!sse_lookup(map, op, mp, &si)) {
                    continue;
                }
                if (map == MAP_0F38 && op == 0xf0) {
                    add_sse(map, op, mp, &si, -1, 0, 1);
                    add_sse(map, op, mp, &si, -1, 1, 0);
                    continue;
                }
                if (map == MAP_0F38 && op == 0xf1) {
                    add_sse(map, op, mp, &si, -1, 0, 2);
                    add_sse(map, op, mp, &si, -1, 0, 4);
                    add_sse(map, op, mp, &si, -1, 1, 8);
                    continue;
                }
                if (si.reg == K_DIGIT) {
                    for (int d = 0; d < 8; d++) {
                        if (si.digits & (1u << d)) {
                            add_sse(map, op, mp, &si, d, 0, 0);
                        }
                    }
                    continue;
                }
                add_sse(map, op, mp, &si, -1, 0, 0);
                if (si.msize == MSZ_W || si.reg == K_GPR ||
                    si.rm == K_GPR) {
                    add_sse(map, op, mp, &si, -1, 1, 0);
                }
            }
        }
    }
}

/* ---- x87 ---- */

typedef struct X87MemForm {
    uint8_t op, digit, size;
    const char *name;
} X87MemForm;

static const X87MemForm x87_mem_forms[] = {
    { 0xd8, 0, 4, "fadd m32" }, { 0xd8, 1, 4, "fmul m32" },
    { 0xd8, 2, 4, "fcom m32" }, { 0xd8, 3, 4, "fcomp m32" },
    { 0xd8, 4, 4, "fsub m32" }, { 0xd8, 5, 4, "fsubr m32" },
    { 0xd8, 6, 4, "fdiv m32" }, { 0xd8, 7, 4, "fdivr m32" },
    { 0xd9, 0, 4, "fld m32" }, { 0xd9, 2, 4, "fst m32" },
    { 0xd9, 3, 4, "fstp m32" }, { 0xd9, 4, 28, "fldenv" },
    { 0xd9, 5, 2, "fldcw" }, { 0xd9, 6, 28, "fnstenv" },
    { 0xd9, 7, 2, "fnstcw" },
    { 0xda, 0, 4, "fiadd m32" }, { 0xda, 1, 4, "fimul m32" },
    { 0xda, 2, 4, "ficom m32" }, { 0xda, 3, 4, "ficomp m32" },
    { 0xda, 4, 4, "fisub m32" }, { 0xda, 5, 4, "fisubr m32" },
    { 0xda, 6, 4, "fidiv m32" }, { 0xda, 7, 4, "fidivr m32" },
    { 0xdb, 0, 4, "fild m32" }, { 0xdb, 1, 4, "fisttp m32" },
    { 0xdb, 2, 4, "fist m32" }, { 0xdb, 3, 4, "fistp m32" },
    { 0xdb, 5, 10, "fld m80" }, { 0xdb, 7, 10, "fstp m80" },
    { 0xdc, 0, 8, "fadd m64" }, { 0xdc, 1, 8, "fmul m64" },
    { 0xdc, 2, 8, "fcom m64" }, { 0xdc, 3, 8, "fcomp m64" },
    { 0xdc, 4, 8, "fsub m64" }, { 0xdc, 5, 8, "fsubr m64" },
    { 0xdc, 6, 8, "fdiv m64" }, { 0xdc, 7, 8, "fdivr m64" },
    { 0xdd, 0, 8, "fld m64" }, { 0xdd, 1, 8, "fisttp m64" },
    { 0xdd, 2, 8, "fst m64" }, { 0xdd, 3, 8, "fstp m64" },
    { 0xdd, 4, 108, "frstor" }, { 0xdd, 6, 108, "fnsave" },
    { 0xdd, 7, 2, "fnstsw m16" },
    { 0xde, 0, 2, "fiadd m16" }, { 0xde, 1, 2, "fimul m16" },
    { 0xde, 2, 2, "ficom m16" }, { 0xde, 3, 2, "ficomp m16" },
    { 0xde, 4, 2, "fisub m16" }, { 0xde, 5, 2, "fisubr m16" },
    { 0xde, 6, 2, "fidiv m16" }, { 0xde, 7, 2, "fidivr m16" },
    { 0xdf, 0, 2, "fild m16" }, { 0xdf, 1, 2, "fisttp m16" },
    { 0xdf, 2, 2, "fist m16" }, { 0xdf, 3, 2, "fistp m16" },
    { 0xdf, 4, 10, "fbld" }, { 0xdf, 5, 8, "fild m64" },
    { 0xdf, 6, 10, "fbstp" }, { 0xdf, 7, 8, "fistp m64" },
};

/* register forms: opcode, first modrm, count, name */
static const struct {
    uint8_t op, modrm, count;
    const char *name;
} x87_reg_forms[] = {
    { 0xd8, 0xc0, 8, "fadd st,st(i)" }, { 0xd8, 0xc8, 8, "fmul st,st(i)" },
    { 0xd8, 0xd0, 8, "fcom st(i)" }, { 0xd8, 0xd8, 8, "fcomp st(i)" },
    { 0xd8, 0xe0, 8, "fsub st,st(i)" }, { 0xd8, 0xe8, 8, "fsubr st,st(i)" },
    { 0xd8, 0xf0, 8, "fdiv st,st(i)" }, { 0xd8, 0xf8, 8, "fdivr st,st(i)" },
    { 0xd9, 0xc0, 8, "fld st(i)" }, { 0xd9, 0xc8, 8, "fxch st(i)" },
    { 0xd9, 0xd0, 1, "fnop" }, { 0xd9, 0xe0, 1, "fchs" },
    { 0xd9, 0xe1, 1, "fabs" }, { 0xd9, 0xe4, 1, "ftst" },
    { 0xd9, 0xe5, 1, "fxam" }, { 0xd9, 0xe8, 1, "fld1" },
    { 0xd9, 0xe9, 1, "fldl2t" }, { 0xd9, 0xea, 1, "fldl2e" },
    { 0xd9, 0xeb, 1, "fldpi" }, { 0xd9, 0xec, 1, "fldlg2" },
    { 0xd9, 0xed, 1, "fldln2" }, { 0xd9, 0xee, 1, "fldz" },
    { 0xd9, 0xf0, 1, "f2xm1" }, { 0xd9, 0xf1, 1, "fyl2x" },
    { 0xd9, 0xf2, 1, "fptan" }, { 0xd9, 0xf3, 1, "fpatan" },
    { 0xd9, 0xf4, 1, "fxtract" }, { 0xd9, 0xf5, 1, "fprem1" },
    { 0xd9, 0xf6, 1, "fdecstp" }, { 0xd9, 0xf7, 1, "fincstp" },
    { 0xd9, 0xf8, 1, "fprem" }, { 0xd9, 0xf9, 1, "fyl2xp1" },
    { 0xd9, 0xfa, 1, "fsqrt" }, { 0xd9, 0xfb, 1, "fsincos" },
    { 0xd9, 0xfc, 1, "frndint" }, { 0xd9, 0xfd, 1, "fscale" },
    { 0xd9, 0xfe, 1, "fsin" }, { 0xd9, 0xff, 1, "fcos" },
    { 0xda, 0xc0, 8, "fcmovb" }, { 0xda, 0xc8, 8, "fcmove" },
    { 0xda, 0xd0, 8, "fcmovbe" }, { 0xda, 0xd8, 8, "fcmovu" },
    { 0xda, 0xe9, 1, "fucompp" },
    { 0xdb, 0xc0, 8, "fcmovnb" }, { 0xdb, 0xc8, 8, "fcmovne" },
    { 0xdb, 0xd0, 8, "fcmovnbe" }, { 0xdb, 0xd8, 8, "fcmovnu" },
    { 0xdb, 0xe2, 1, "fnclex" }, { 0xdb, 0xe3, 1, "fninit" },
    { 0xdb, 0xe8, 8, "fucomi" }, { 0xdb, 0xf0, 8, "fcomi" },
    { 0xdc, 0xc0, 8, "fadd st(i),st" }, { 0xdc, 0xc8, 8, "fmul st(i),st" },
    { 0xdc, 0xe0, 8, "fsubr st(i),st" }, { 0xdc, 0xe8, 8, "fsub st(i),st" },
    { 0xdc, 0xf0, 8, "fdivr st(i),st" }, { 0xdc, 0xf8, 8, "fdiv st(i),st" },
    { 0xdd, 0xc0, 8, "ffree" }, { 0xdd, 0xd0, 8, "fst st(i)" },
    { 0xdd, 0xd8, 8, "fstp st(i)" }, { 0xdd, 0xe0, 8, "fucom" },
    { 0xdd, 0xe8, 8, "fucomp" },
    { 0xde, 0xc0, 8, "faddp" }, { 0xde, 0xc8, 8, "fmulp" },
    { 0xde, 0xd9, 1, "fcompp" }, { 0xde, 0xe0, 8, "fsubrp" },
    { 0xde, 0xe8, 8, "fsubp" }, { 0xde, 0xf0, 8, "fdivrp" },
    { 0xde, 0xf8, 8, "fdivp" },
    { 0xdf, 0xe0, 1, "fnstsw ax" }, { 0xdf, 0xe8, 8, "fucomip" },
    { 0xdf, 0xf0, 8, "fcomip" },
};

static void register_x87(void)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(x87_mem_forms); i++) {
        DiffForm f;

        memset(&f, 0, sizeof(f));
        f.op[0] = x87_mem_forms[i].op;
        f.nop = 1;
        f.kind = FK_DIGIT;
        f.digit = x87_mem_forms[i].digit;
        f.rm_mode = RM_MEM;
        f.regclass = f.rmclass = RC_X87;
        f.memsize = x87_mem_forms[i].size;
        f.setup = SU_X87 | SU_FCW | SU_X87EMPTY | SU_NOSP;
        if (f.digit == 6 && (f.op[0] == 0xd9 || f.op[0] == 0xdd)) {
            f.setup |= SU_IGN_ENV;      /* FNSTENV, FNSAVE */
        }
        f.family = "x87";
        f.name = x87_mem_forms[i].name;
        diff_form_add(&f);
    }
    for (unsigned i = 0; i < G_N_ELEMENTS(x87_reg_forms); i++) {
        DiffForm f;

        memset(&f, 0, sizeof(f));
        f.op[0] = x87_reg_forms[i].op;
        f.op[1] = x87_reg_forms[i].modrm;
        f.nop = 2;
        f.kind = x87_reg_forms[i].count == 8 ? FK_OPREG : FK_NONE;
        f.regclass = f.rmclass = RC_X87;
        f.setup = SU_X87 | SU_FCW | SU_X87EMPTY;
        f.family = "x87";
        f.name = x87_reg_forms[i].name;
        diff_form_add(&f);
    }
    {
        /* FWAIT after an operation that may leave an unmasked exception */
        static const uint8_t seq[] = { 0xd8, 0xf1, 0x9b };  /* fdiv; fwait */
        DiffForm f;

        memset(&f, 0, sizeof(f));
        memcpy(f.op, seq, sizeof(seq));
        f.nop = sizeof(seq);
        f.kind = FK_NONE;
        f.setup = SU_X87 | SU_FCW | SU_X87EMPTY;
        f.family = "x87";
        f.name = "fdiv st,st(1); fwait";
        diff_form_add(&f);
    }
}

static void register_env16(void)
{
    /* 66-prefixed environment forms use the 16-bit layouts (14/94 bytes) */
    static const struct { uint8_t op, digit; uint16_t size; const char *n; }
    e[] = {
        { 0xd9, 4, 14, "fldenv (16-bit)" }, { 0xd9, 6, 14, "fnstenv (16-bit)" },
        { 0xdd, 4, 94, "frstor (16-bit)" }, { 0xdd, 6, 94, "fnsave (16-bit)" },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(e); i++) {
        DiffForm f;

        memset(&f, 0, sizeof(f));
        f.op[0] = e[i].op;
        f.nop = 1;
        f.kind = FK_DIGIT;
        f.digit = e[i].digit;
        f.rm_mode = RM_MEM;
        f.regclass = f.rmclass = RC_X87;
        f.opsize = 2;
        f.memsize = e[i].size;
        f.setup = SU_X87 | SU_FCW | SU_NOSP |
                  (e[i].digit == 6 ? SU_IGN_ENV16 : 0);
        f.family = "x87";
        f.name = e[i].n;
        diff_form_add(&f);
    }
}

static void register_fxrstor(void)
{
    /* FXRSTOR/FXRSTOR64 from a plausible image (FXSAVE stores host
     * pointers and MXCSR_MASK, so only the restore side is compared) */
    for (unsigned w = 0; w < 2; w++) {
        DiffForm f;

        memset(&f, 0, sizeof(f));
        f.op[0] = 0x0f;
        f.op[1] = 0xae;
        f.nop = 2;
        f.kind = FK_DIGIT;
        f.digit = 1;
        f.rm_mode = RM_MEM;
        f.memsize = 512;
        f.opsize = w ? 8 : 0;
        f.setup = SU_FXIMG | SU_ALIGN16 | SU_NOSP;
        f.family = "x87";
        f.name = w ? "fxrstor64" : "fxrstor";
        diff_form_add(&f);
        f.digit = 0;
        f.setup = SU_IGN_FXPTR | SU_ALIGN16 | SU_NOSP | SU_X87 | SU_MXCSR;
        f.name = w ? "fxsave64" : "fxsave";
        diff_form_add(&f);
    }
}

static void register_xsave(void)
{
    static const struct { uint8_t digit; const char *name; } x[] = {
        { 4, "xsave" }, { 5, "xrstor" },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(x); i++) {
        for (unsigned w = 0; w < 2; w++) {
            DiffForm f;

            memset(&f, 0, sizeof(f));
            f.op[0] = 0x0f;
            f.op[1] = 0xae;
            f.nop = 2;
            f.kind = FK_DIGIT;
            f.digit = x[i].digit;
            f.rm_mode = RM_MEM;
            f.memsize = 576;
            f.opsize = w ? 8 : 0;
            f.setup = SU_XSAVE | SU_NOSP | SU_X87 | SU_MXCSR |
                      (x[i].digit == 4 ? SU_IGN_FXPTR : SU_FXIMG);
            f.family = "xsave";
            f.name = diff_form_printf("%s%s", x[i].name, w ? "64" : "");
            diff_form_add(&f);
        }
    }
}

static void register_ud(void)
{
    /* encodings both sides must reject */
    static const struct {
        uint8_t b[5];
        uint8_t n;
        const char *name;
    } ud[] = {
        { { 0xf2, 0x0f, 0x5b, 0xc1 }, 4, "#UD f2 0f 5b" },
        { { 0x0f, 0x2b, 0xc1 }, 3, "#UD movntps reg" },
        { { 0x66, 0x0f, 0x73, 0xe1, 0x01 }, 5, "#UD 66 0f 73 /4" },
        { { 0xd9, 0xd1 }, 2, "#UD d9 d1" },
        { { 0xdb, 0xe5 }, 2, "#UD db e5" },
        { { 0xf0, 0x0f, 0x58, 0xc1 }, 4, "#UD lock addps" },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(ud); i++) {
        DiffForm f;

        memset(&f, 0, sizeof(f));
        memcpy(f.op, ud[i].b, ud[i].n);
        f.nop = ud[i].n;
        f.kind = FK_NONE;
        f.family = "sse-ud";
        f.name = ud[i].name;
        diff_form_add(&f);
    }
}

static void register_maskmov(void)
{
    for (unsigned x = 0; x < 2; x++) {
        DiffForm f;

        memset(&f, 0, sizeof(f));
        if (x) {
            f.pfx[0] = 0x66;
            f.npfx = 1;
        }
        f.op[0] = 0x0f;
        f.op[1] = 0xf7;
        f.nop = 2;
        f.kind = FK_RM;
        f.rm_mode = RM_REG;
        f.regclass = f.rmclass = x ? RC_XMM : RC_MMX;
        f.setup = SU_STRING;
        f.family = x ? "sse-int" : "mmx";
        f.name = x ? "maskmovdqu" : "maskmovq";
        diff_form_add(&f);
    }
}

static void register_mxcsr_emms(void)
{
    static const struct { uint8_t digit; const char *name; } m[] = {
        { 2, "ldmxcsr" }, { 3, "stmxcsr" },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(m); i++) {
        DiffForm f;

        memset(&f, 0, sizeof(f));
        f.op[0] = 0x0f;
        f.op[1] = 0xae;
        f.nop = 2;
        f.kind = FK_DIGIT;
        f.digit = m[i].digit;
        f.rm_mode = RM_MEM;
        f.memsize = 4;
        f.setup = SU_MXCSR | SU_MXCSRMEM | SU_NOSP;
        f.family = "sse-fp";
        f.name = m[i].name;
        diff_form_add(&f);
    }
    {
        /* EMMS alone and after an MMX write; an x87 load after EMMS */
        static const struct { uint8_t b[8]; uint8_t n; const char *name; }
        e[] = {
            { { 0x0f, 0x77 }, 2, "emms" },
            { { 0x0f, 0xfc, 0xc1, 0x0f, 0x77 }, 5, "paddb mm0,mm1; emms" },
            { { 0x0f, 0xfc, 0xc1, 0xd9, 0xe8 }, 5, "paddb mm0,mm1; fld1" },
            { { 0x0f, 0x77, 0xd9, 0xe8 }, 4, "emms; fld1" },
            /* a pending unmasked x87 exception meets MMX / no-wait ops */
            { { 0xd8, 0xf1, 0x0f, 0xfc, 0xc1 }, 5, "fdiv; paddb (#MF?)" },
            { { 0xd8, 0xf1, 0x0f, 0x77 }, 4, "fdiv; emms (#MF?)" },
            { { 0xd8, 0xf1, 0xdf, 0xe0, 0xdb, 0xe2 }, 6,
              "fdiv; fnstsw ax; fnclex" },
            { { 0xd8, 0xf1, 0xdb, 0xe3, 0xd9, 0xe8 }, 6,
              "fdiv; fninit; fld1" },
            { { 0xd8, 0xf1, 0x66, 0x0f, 0xfc, 0xc1 }, 6,
              "fdiv; paddb xmm (no #MF)" },
        };
        for (unsigned i = 0; i < G_N_ELEMENTS(e); i++) {
            DiffForm f;

            memset(&f, 0, sizeof(f));
            memcpy(f.op, e[i].b, e[i].n);
            f.nop = e[i].n;
            f.kind = FK_NONE;
            f.setup = SU_X87 | SU_FCW | SU_X87EMPTY;
            f.family = "mmx";
            f.name = e[i].name;
            diff_form_add(&f);
        }
    }
}

static void register_prefix_mix(void)
{
    /* several of 66/F2/F3 before an SSE opcode: which one is mandatory */
    static const struct { uint8_t b[8]; uint8_t n; const char *name; } p[] = {
        { { 0x66, 0xf3, 0x0f, 0x58, 0xc1 }, 5, "66 f3 0f 58 (addss)" },
        { { 0xf3, 0x66, 0x0f, 0x58, 0xc1 }, 5, "f3 66 0f 58" },
        { { 0xf2, 0xf3, 0x0f, 0x58, 0xc1 }, 5, "f2 f3 0f 58" },
        { { 0xf3, 0xf2, 0x0f, 0x58, 0xc1 }, 5, "f3 f2 0f 58" },
        { { 0x66, 0xf2, 0x0f, 0x10, 0xca }, 5, "66 f2 0f 10 (movsd)" },
        { { 0xf2, 0x66, 0x0f, 0x10, 0xca }, 5, "f2 66 0f 10" },
        { { 0x66, 0x66, 0x0f, 0xfe, 0xc1 }, 5, "66 66 0f fe (paddd)" },
        { { 0xf3, 0x66, 0x0f, 0x6f, 0xc1 }, 5, "f3 66 0f 6f" },
        { { 0x66, 0xf3, 0x48, 0x0f, 0x2a, 0xc0 }, 6, "66 f3 rex.w 0f 2a" },
        { { 0x2e, 0x66, 0x0f, 0x3a, 0x0f, 0xc1, 0x03 }, 7,
          "cs 66 0f3a 0f (palignr)" },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(p); i++) {
        DiffForm f;

        memset(&f, 0, sizeof(f));
        memcpy(f.op, p[i].b, p[i].n);
        f.nop = p[i].n;
        f.kind = FK_NONE;
        f.setup = SU_MXCSR;
        f.family = "sse-prefix";
        f.name = p[i].name;
        diff_form_add(&f);
    }
}

/*
 * Family "sse-hot": the SSE2 moves and integer ops that sse.c runs without
 * a host thunk (sse_fast), with memory operands on the stack page after
 * add dword [rsp-16],0, which puts the page's read and write TLB entries
 * in place so the engine takes its TLB-hit path; aligned and misaligned
 * (#GP for the forms that require alignment). The pminub/pcmpeq chains
 * give mixed equal/unequal lanes, which random inputs alone rarely do.
 * (Register forms of every SSE opcode are in "sse-int"/"sse-fp".)
 */
static void register_sse_hot(void)
{
    static const struct { const char *n; uint8_t b[16]; int len; } hot[] = {
        { "movdqa xmm3,[m]", { 0x66, 0x0f, 0x6f, 0x5c, 0x24, 0xe0 }, 6 },
        { "movdqa xmm3,[m+8] #GP", { 0x66, 0x0f, 0x6f, 0x5c, 0x24, 0xe8 }, 6 },
        { "movdqu xmm3,[m+7]", { 0xf3, 0x0f, 0x6f, 0x5c, 0x24, 0xe7 }, 6 },
        { "movaps xmm3,[m]", { 0x0f, 0x28, 0x5c, 0x24, 0xe0 }, 5 },
        { "movapd xmm3,[m+4] #GP", { 0x66, 0x0f, 0x28, 0x5c, 0x24, 0xe4 }, 6 },
        { "movups xmm3,[m+3]", { 0x0f, 0x10, 0x5c, 0x24, 0xe3 }, 5 },
        { "movupd xmm11,[m+1]", { 0x66, 0x44, 0x0f, 0x10, 0x5c, 0x24, 0xe1 },
          7 },
        { "movdqa [m],xmm3", { 0x66, 0x0f, 0x7f, 0x5c, 0x24, 0xe0 }, 6 },
        { "movdqa [m+8],xmm3 #GP", { 0x66, 0x0f, 0x7f, 0x5c, 0x24, 0xe8 }, 6 },
        { "movdqu [m+5],xmm3", { 0xf3, 0x0f, 0x7f, 0x5c, 0x24, 0xe5 }, 6 },
        { "movaps [m],xmm12", { 0x44, 0x0f, 0x29, 0x64, 0x24, 0xe0 }, 6 },
        { "movups [m+1],xmm3", { 0x0f, 0x11, 0x5c, 0x24, 0xe1 }, 5 },
        { "movupd [m+2],xmm3", { 0x66, 0x0f, 0x11, 0x5c, 0x24, 0xe2 }, 6 },
        { "pxor xmm3,[m]", { 0x66, 0x0f, 0xef, 0x5c, 0x24, 0xe0 }, 6 },
        { "pxor xmm3,[m+4] #GP", { 0x66, 0x0f, 0xef, 0x5c, 0x24, 0xe4 }, 6 },
        { "por xmm3,[m]", { 0x66, 0x0f, 0xeb, 0x5c, 0x24, 0xe0 }, 6 },
        { "pand xmm3,[m]", { 0x66, 0x0f, 0xdb, 0x5c, 0x24, 0xe0 }, 6 },
        { "pandn xmm9,[m]", { 0x66, 0x44, 0x0f, 0xdf, 0x4c, 0x24, 0xe0 }, 7 },
        { "pminub xmm3,[m]", { 0x66, 0x0f, 0xda, 0x5c, 0x24, 0xe0 }, 6 },
        { "pcmpeqb xmm3,[m]", { 0x66, 0x0f, 0x74, 0x5c, 0x24, 0xe0 }, 6 },
        { "pcmpgtb xmm3,[m]", { 0x66, 0x0f, 0x64, 0x5c, 0x24, 0xe0 }, 6 },
        { "paddb xmm3,[m]", { 0x66, 0x0f, 0xfc, 0x5c, 0x24, 0xe0 }, 6 },
        { "psubb xmm3,[m]", { 0x66, 0x0f, 0xf8, 0x5c, 0x24, 0xe0 }, 6 },
        { "psubb xmm3,[m+8] #GP", { 0x66, 0x0f, 0xf8, 0x5c, 0x24, 0xe8 }, 6 },
        { "punpcklbw xmm3,[m]", { 0x66, 0x0f, 0x60, 0x5c, 0x24, 0xe0 }, 6 },
        { "pshufd xmm3,[m],0x1b",
          { 0x66, 0x0f, 0x70, 0x5c, 0x24, 0xe0, 0x1b }, 7 },
        { "pshufd xmm3,[m],0xe1",
          { 0x66, 0x0f, 0x70, 0x5c, 0x24, 0xe0, 0xe1 }, 7 },
        { "movd xmm3,[m+4]", { 0x66, 0x0f, 0x6e, 0x5c, 0x24, 0xe4 }, 6 },
        { "movq xmm3,[m+3] (rex.w 6e)",
          { 0x66, 0x48, 0x0f, 0x6e, 0x5c, 0x24, 0xe3 }, 7 },
        { "movd [m+1],xmm3", { 0x66, 0x0f, 0x7e, 0x5c, 0x24, 0xe1 }, 6 },
        { "movq [m+1],xmm3 (rex.w 7e)",
          { 0x66, 0x48, 0x0f, 0x7e, 0x5c, 0x24, 0xe1 }, 7 },
        { "movq [m+2],xmm3 (d6)", { 0x66, 0x0f, 0xd6, 0x5c, 0x24, 0xe2 }, 6 },
        { "movq xmm3,[m+6] (f3 7e)", { 0xf3, 0x0f, 0x7e, 0x5c, 0x24, 0xe6 }, 6 },
        /* psrldq xmm3,5; pslldq xmm3,3; psrldq xmm5,16; pslldq xmm9,15 */
        { "psrldq/pslldq",
          { 0x66, 0x0f, 0x73, 0xdb, 0x05, 0x66, 0x0f, 0x73, 0xfb, 0x03,
            0x66, 0x0f, 0x73, 0xdd, 0x10 }, 15 },
        { "pslldq xmm9,15; movd ecx,xmm9",
          { 0x66, 0x41, 0x0f, 0x73, 0xf9, 0x0f, 0x66, 0x44, 0x0f, 0x7e,
            0xc9 }, 11 },
        /* movdqa xmm3,xmm5; pminub xmm3,[m]; pcmpeqX xmm3,[m];
         * (the register chain ends with pmovmskb eax,xmm3) */
        { "pminub; pcmpeqb [m]",
          { 0x66, 0x0f, 0x6f, 0xdd, 0x66, 0x0f, 0xda, 0x5c, 0x24, 0xe0,
            0x66, 0x0f, 0x74, 0x5c, 0x24, 0xe0 }, 16 },
        { "pminub; pcmpeqw [m]",
          { 0x66, 0x0f, 0x6f, 0xdd, 0x66, 0x0f, 0xda, 0x5c, 0x24, 0xe0,
            0x66, 0x0f, 0x75, 0x5c, 0x24, 0xe0 }, 16 },
        { "pminub; pcmpeqd [m]",
          { 0x66, 0x0f, 0x6f, 0xdd, 0x66, 0x0f, 0xda, 0x5c, 0x24, 0xe0,
            0x66, 0x0f, 0x76, 0x5c, 0x24, 0xe0 }, 16 },
        { "pminub r,r; pcmpeqb r,r; pmovmskb",
          { 0x66, 0x0f, 0x6f, 0xdd, 0x66, 0x0f, 0xda, 0xdc,
            0x66, 0x0f, 0x74, 0xdc, 0x66, 0x0f, 0xd7, 0xc3 }, 16 },
    };
    static const uint8_t warm[5] = { 0x83, 0x44, 0x24, 0xf0, 0x00 };

    for (unsigned k = 0; k < G_N_ELEMENTS(hot); k++) {
        DiffForm f;
        unsigned n = 0;

        memset(&f, 0, sizeof(f));
        /* chains too long for the warm-up start with a register move and
         * a memory access on the slow path, which fills the TLB */
        if (sizeof(warm) + hot[k].len <= sizeof(f.op)) {
            memcpy(f.op, warm, sizeof(warm));
            n = sizeof(warm);
        }
        memcpy(f.op + n, hot[k].b, hot[k].len);
        f.nop = (uint8_t)(n + hot[k].len);
        f.kind = FK_NONE;
        f.family = "sse-hot";
        f.name = hot[k].n;
        f.regclass = f.rmclass = RC_XMM;
        diff_form_add(&f);
    }
}

void diff_forms_fp_register(void)
{
    register_prefix_mix();
    register_mxcsr_emms();
    register_sse();
    register_sse_hot();
    register_maskmov();
    register_x87();
    register_fxrstor();
    register_env16();
    register_xsave();
    register_ud();
}
