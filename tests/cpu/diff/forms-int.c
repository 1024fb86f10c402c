/*
 * Differential harness: integer instruction forms (64-bit mode).  Undefined
 * flags follow the Intel SDM Vol. 2 "Flags Affected" sections; where AMD
 * and Intel document different results for an undefined case (BSF/BSR with
 * a zero source), the result is masked.
 */
#include <cpuid.h>
#include <glib.h>
#include <string.h>

#include "forms.h"

/* Forms of extensions the host lacks are not generated: the native side
 * would #UD (or, for TZCNT/LZCNT, run BSF/BSR). */
static bool host_feature(unsigned leaf, unsigned reg, unsigned bit)
{
    unsigned r[4] = { 0, 0, 0, 0 };

    if (!__get_cpuid_count(leaf, 0, &r[0], &r[1], &r[2], &r[3])) {
        return false;
    }
    return (r[reg] >> bit) & 1;
}

enum { EAX_, EBX_, ECX_, EDX_ };
#define HAS_POPCNT() host_feature(1, ECX_, 23)
#define HAS_MOVBE()  host_feature(1, ECX_, 22)
#define HAS_LZCNT()  host_feature(0x80000001, ECX_, 5)
#define HAS_BMI1()   host_feature(7, EBX_, 3)
#define HAS_BMI2()   host_feature(7, EBX_, 8)
#define HAS_ADX()    host_feature(7, EBX_, 19)

static const unsigned sizes[] = { 1, 2, 4, 8 };
static const char *const szname[] = { "", "8", "16", "", "32", "", "", "",
                                      "64" };

static DiffForm base_form(const char *family, unsigned opsize)
{
    DiffForm f;

    memset(&f, 0, sizeof(f));
    f.family = family;
    f.opsize = (uint8_t)opsize;
    f.regclass = RC_GPR;
    f.rmclass = RC_GPR;
    return f;
}

static void set_op(DiffForm *f, int n, const uint8_t *op)
{
    memcpy(f->op, op, n);
    f->nop = (uint8_t)n;
}

/* opcode with the byte form at op, word forms at op+1 (most 1-byte ops) */
static void add_rm(const char *family, const char *mn, uint8_t op8,
                   bool has8, int kind, int digit, int imm8, int immfull,
                   uint32_t undef, int maskkind, uint32_t setup,
                   bool reg_only, bool two_byte)
{
    for (unsigned i = 0; i < 4; i++) {
        unsigned sz = sizes[i];
        DiffForm f = base_form(family, sz);
        uint8_t op[2];
        int n = 0;

        if ((sz == 1 && !has8) || (op8 == 0xb8 && sz == 8)) {
            continue;                   /* B8+r with REX.W: imm64 below */
        }
        if (two_byte) {
            op[n++] = 0x0f;
        }
        op[n++] = (uint8_t)(has8 && sz != 1 ? op8 + 1 : op8);
        set_op(&f, n, op);
        f.kind = (uint8_t)kind;
        f.digit = (uint8_t)digit;
        f.imm = (uint8_t)(imm8 ? 1 : (immfull ? (sz == 1 ? 1 : sz == 2 ? 2
                                                           : 4) : 0));
        f.flags_undef = undef;
        f.maskkind = (uint8_t)maskkind;
        f.setup = setup;
        f.rm_mode = reg_only ? RM_REG : RM_BOTH;
        f.name = diff_form_printf("%s%s", mn, szname[sz]);
        diff_form_add(&f);
    }
}

static void add_raw(const char *family, const char *name, const uint8_t *b,
                    int n, uint32_t undef, uint32_t setup, unsigned opsize)
{
    DiffForm f = base_form(family, 0);

    memcpy(f.op, b, n);
    f.nop = (uint8_t)n;
    f.kind = FK_NONE;
    f.flags_undef = undef;
    f.setup = setup;
    f.name = name;
    if (opsize == 2) {
        f.opsize = 2;
    } else if (opsize == 8) {
        f.opsize = 8;
    }
    diff_form_add(&f);
}

static void add_vex(const char *name, uint8_t map, uint8_t pp, uint8_t w,
                    uint8_t op, uint32_t undef, int kind, int digit, int imm)
{
    DiffForm f = base_form("bmi", 0);
    static const char *const bmi2[] = { "bzhi", "pdep", "pext", "mulx",
                                        "sarx", "shlx", "shrx", "rorx" };
    bool is_bmi2 = false;

    for (unsigned i = 0; i < G_N_ELEMENTS(bmi2); i++) {
        is_bmi2 |= !strncmp(name, bmi2[i], strlen(bmi2[i]));
    }
    if (is_bmi2 ? !HAS_BMI2() : !HAS_BMI1()) {
        return;
    }

    if (map == 3) {
        f.setup |= SU_VEX_NOV;          /* RORX: VEX.vvvv must be 1111b */
    }
    f.op[0] = op;
    f.nop = 1;
    f.kind = (uint8_t)kind;
    f.digit = (uint8_t)digit;
    f.vex_map = map;
    f.vex_pp = pp;
    f.vex_w = w;
    f.imm = (uint8_t)imm;
    f.memsize = w ? 8 : 4;
    f.flags_undef = undef;
    f.setup |= SU_VEX;
    f.name = name;
    diff_form_add(&f);
}

void diff_forms_int_register(void)
{
    static const char *const alu[] = { "add", "or", "adc", "sbb", "and",
                                       "sub", "xor", "cmp" };
    static const char *const grp2[] = { "rol", "ror", "rcl", "rcr", "shl",
                                        "shr", "sal", "sar" };
    static const char *const cc[] = { "o", "no", "b", "ae", "e", "ne", "be",
                                      "a", "s", "ns", "p", "np", "l", "ge",
                                      "le", "g" };

    for (int i = 0; i < 8; i++) {
        uint32_t u = (i == 1 || i == 4 || i == 6) ? FL_AF : 0;
        const char *n;

        n = diff_form_printf("%s r/m,r", alu[i]);
        add_rm("alu", n, (uint8_t)(i * 8), true, FK_RM, 0, 0, 0, u,
               MK_STATIC, 0, false, false);
        n = diff_form_printf("%s r,r/m", alu[i]);
        add_rm("alu", n, (uint8_t)(i * 8 + 2), true, FK_RM, 0, 0, 0, u,
               MK_STATIC, 0, false, false);
        n = diff_form_printf("%s r/m,imm", alu[i]);
        add_rm("alu", n, 0x80, true, FK_DIGIT, i, 0, 1, u, MK_STATIC, 0,
               false, false);
        n = diff_form_printf("%s r/m,imm8", alu[i]);
        add_rm("alu", n, 0x83, false, FK_DIGIT, i, 1, 0, u, MK_STATIC, 0,
               false, false);
    }
    add_rm("alu", "test r/m,r", 0x84, true, FK_RM, 0, 0, 0, FL_AF,
           MK_STATIC, 0, false, false);
    add_rm("alu", "test r/m,imm", 0xf6, true, FK_DIGIT, 0, 0, 1, FL_AF,
           MK_STATIC, 0, false, false);
    add_rm("alu", "not", 0xf6, true, FK_DIGIT, 2, 0, 0, 0, MK_STATIC, 0,
           false, false);
    add_rm("alu", "neg", 0xf6, true, FK_DIGIT, 3, 0, 0, 0, MK_STATIC, 0,
           false, false);
    add_rm("alu", "inc", 0xfe, true, FK_DIGIT, 0, 0, 0, 0, MK_STATIC, 0,
           false, false);
    add_rm("alu", "dec", 0xfe, true, FK_DIGIT, 1, 0, 0, 0, MK_STATIC, 0,
           false, false);

    add_rm("mul", "mul", 0xf6, true, FK_DIGIT, 4, 0, 0,
           FL_SF | FL_ZF | FL_AF | FL_PF, MK_STATIC, 0, false, false);
    add_rm("mul", "imul", 0xf6, true, FK_DIGIT, 5, 0, 0,
           FL_SF | FL_ZF | FL_AF | FL_PF, MK_STATIC, 0, false, false);
    add_rm("mul", "imul r,r/m", 0xaf, false, FK_RM, 0, 0, 0,
           FL_SF | FL_ZF | FL_AF | FL_PF, MK_STATIC, 0, false, true);
    add_rm("mul", "imul r,r/m,imm", 0x69, false, FK_RM, 0, 0, 1,
           FL_SF | FL_ZF | FL_AF | FL_PF, MK_STATIC, 0, false, false);
    add_rm("mul", "imul r,r/m,imm8", 0x6b, false, FK_RM, 0, 1, 0,
           FL_SF | FL_ZF | FL_AF | FL_PF, MK_STATIC, 0, false, false);
    add_rm("div", "div", 0xf6, true, FK_DIGIT, 6, 0, 0, FL_ARITH, MK_STATIC,
           SU_DIVOK, false, false);
    add_rm("div", "idiv", 0xf6, true, FK_DIGIT, 7, 0, 0, FL_ARITH, MK_STATIC,
           SU_DIVOK, false, false);

    for (int i = 0; i < 8; i++) {
        int mk = i < 4 ? MK_ROT : MK_SHIFT;
        const char *n;

        n = diff_form_printf("%s r/m,1", grp2[i]);
        add_rm("shift", n, 0xd0, true, FK_DIGIT, i, 0, 0, 0, mk, 0, false,
               false);
        n = diff_form_printf("%s r/m,cl", grp2[i]);
        add_rm("shift", n, 0xd2, true, FK_DIGIT, i, 0, 0, 0, mk, SU_CL,
               false, false);
        n = diff_form_printf("%s r/m,imm8", grp2[i]);
        add_rm("shift", n, 0xc0, true, FK_DIGIT, i, 1, 0, 0, mk, 0, false,
               false);
    }
    add_rm("shift", "shld r/m,r,imm8", 0xa4, false, FK_RM, 0, 1, 0, 0,
           MK_SHXD, 0, false, true);
    add_rm("shift", "shld r/m,r,cl", 0xa5, false, FK_RM, 0, 0, 0, 0,
           MK_SHXD, SU_CL, false, true);
    add_rm("shift", "shrd r/m,r,imm8", 0xac, false, FK_RM, 0, 1, 0, 0,
           MK_SHXD, 0, false, true);
    add_rm("shift", "shrd r/m,r,cl", 0xad, false, FK_RM, 0, 0, 0, 0,
           MK_SHXD, SU_CL, false, true);

    /* bit operations: register bit offsets only (memory forms address
     * outside the operand with large offsets) */
    add_rm("bit", "bt r/m,r", 0xa3, false, FK_RM, 0, 0, 0,
           FL_OF | FL_SF | FL_AF | FL_PF, MK_STATIC, 0, true, true);
    add_rm("bit", "bts r/m,r", 0xab, false, FK_RM, 0, 0, 0,
           FL_OF | FL_SF | FL_AF | FL_PF, MK_STATIC, 0, true, true);
    add_rm("bit", "btr r/m,r", 0xb3, false, FK_RM, 0, 0, 0,
           FL_OF | FL_SF | FL_AF | FL_PF, MK_STATIC, 0, true, true);
    add_rm("bit", "btc r/m,r", 0xbb, false, FK_RM, 0, 0, 0,
           FL_OF | FL_SF | FL_AF | FL_PF, MK_STATIC, 0, true, true);
    {
        /* bit-string addressing: memory operand + signed register offset */
        static const struct { const char *n; uint8_t op; } bm[] = {
            { "bt m,r (bit string)", 0xa3 }, { "bts m,r (bit string)", 0xab },
            { "btr m,r (bit string)", 0xb3 }, { "btc m,r (bit string)", 0xbb },
        };
        for (unsigned i = 0; i < G_N_ELEMENTS(bm); i++) {
            for (unsigned sz = 1; sz < 4; sz++) {
                DiffForm f = base_form("bit", sizes[sz]);

                f.op[0] = 0x0f;
                f.op[1] = bm[i].op;
                f.nop = 2;
                f.kind = FK_RM;
                f.rm_mode = RM_MEM;
                f.flags_undef = FL_OF | FL_SF | FL_AF | FL_PF;
                f.setup = SU_BITOFF;
                f.name = diff_form_printf("%s%s", bm[i].n, szname[sizes[sz]]);
                diff_form_add(&f);
            }
        }
    }
    for (int i = 4; i < 8; i++) {
        static const char *const bn[] = { "bt", "bts", "btr", "btc" };
        const char *n = diff_form_printf("%s r/m,imm8", bn[i - 4]);

        add_rm("bit", n, 0xba, false, FK_DIGIT, i, 1, 0,
               FL_OF | FL_SF | FL_AF | FL_PF, MK_STATIC, 0, false, true);
    }
    add_rm("bit", "bsf", 0xbc, false, FK_RM, 0, 0, 0, FL_ARITH & ~FL_ZF,
           MK_BSX, 0, false, true);
    add_rm("bit", "bsr", 0xbd, false, FK_RM, 0, 0, 0, FL_ARITH & ~FL_ZF,
           MK_BSX, 0, false, true);
    {
        static const struct { const char *n; uint8_t op; uint32_t u; } f3[] = {
            { "popcnt", 0xb8, 0 },
            { "tzcnt", 0xbc, FL_OF | FL_SF | FL_PF | FL_AF },
            { "lzcnt", 0xbd, FL_OF | FL_SF | FL_PF | FL_AF },
        };
        const bool have[3] = { HAS_POPCNT(), HAS_BMI1(), HAS_LZCNT() };

        for (unsigned i = 0; i < 3; i++) {
            for (unsigned s = 1; s < 4 && have[i]; s++) {
                DiffForm f = base_form("bit", sizes[s]);

                f.pfx[0] = 0xf3;
                f.npfx = 1;
                f.op[0] = 0x0f;
                f.op[1] = f3[i].op;
                f.nop = 2;
                f.kind = FK_RM;
                f.flags_undef = f3[i].u;
                f.name = diff_form_printf("%s%s", f3[i].n, szname[sizes[s]]);
                diff_form_add(&f);
            }
        }
    }

    /* moves, extensions, exchanges */
    add_rm("mov", "mov r/m,r", 0x88, true, FK_RM, 0, 0, 0, 0, MK_STATIC, 0,
           false, false);
    add_rm("mov", "mov r,r/m", 0x8a, true, FK_RM, 0, 0, 0, 0, MK_STATIC, 0,
           false, false);
    add_rm("mov", "mov r/m,imm", 0xc6, true, FK_DIGIT, 0, 0, 1, 0,
           MK_STATIC, 0, false, false);
    add_rm("mov", "mov r,imm", 0xb8, false, FK_OPREG, 0, 0, 1, 0, MK_STATIC,
           0, false, false);
    {
        /* the only 8-byte immediate: B8+r with REX.W */
        DiffForm f = base_form("mov", 8);

        f.op[0] = 0xb8;
        f.nop = 1;
        f.kind = FK_OPREG;
        f.imm = 8;
        f.name = "movabs r64,imm64";
        diff_form_add(&f);
    }
    add_rm("mov", "lea", 0x8d, false, FK_RM, 0, 0, 0, 0, MK_STATIC, 0,
           false, false);
    add_rm("mov", "movzx r,r/m8", 0xb6, false, FK_RM, 0, 0, 0, 0, MK_STATIC,
           SU_NOREX, false, true);
    add_rm("mov", "movzx r,r/m16", 0xb7, false, FK_RM, 0, 0, 0, 0,
           MK_STATIC, 0, false, true);
    add_rm("mov", "movsx r,r/m8", 0xbe, false, FK_RM, 0, 0, 0, 0, MK_STATIC,
           SU_NOREX, false, true);
    add_rm("mov", "movsx r,r/m16", 0xbf, false, FK_RM, 0, 0, 0, 0,
           MK_STATIC, 0, false, true);
    add_rm("mov", "movsxd r,r/m32", 0x63, false, FK_RM, 0, 0, 0, 0,
           MK_STATIC, 0, false, false);
    add_rm("mov", "xchg r/m,r", 0x86, true, FK_RM, 0, 0, 0, 0, MK_STATIC, 0,
           false, false);
    add_rm("mov", "xadd r/m,r", 0xc0, true, FK_RM, 0, 0, 0, 0, MK_STATIC, 0,
           false, true);
    add_rm("mov", "cmpxchg r/m,r", 0xb0, true, FK_RM, 0, 0, 0, 0, MK_STATIC,
           0, false, true);
    for (int i = 0; i < 16; i++) {
        const char *n = diff_form_printf("cmov%s", cc[i]);

        add_rm("cmov", n, (uint8_t)(0x40 + i), false, FK_RM, 0, 0, 0, 0,
               MK_STATIC, 0, false, true);
        n = diff_form_printf("set%s", cc[i]);
        {
            DiffForm f = base_form("setcc", 1);

            f.op[0] = 0x0f;
            f.op[1] = (uint8_t)(0x90 + i);
            f.nop = 2;
            f.kind = FK_DIGIT;
            f.name = n;
            diff_form_add(&f);
        }
    }
    {
        DiffForm f = base_form("mov", 4);

        f.op[0] = 0x0f;
        f.op[1] = 0xc8;
        f.nop = 2;
        f.kind = FK_OPREG;
        f.name = "bswap32";
        diff_form_add(&f);
        f.opsize = 8;
        f.name = "bswap64";
        diff_form_add(&f);
    }
    {
        /* MOVBE: 0F 38 F0/F1, memory only */
        for (unsigned s = 1; s < 4 && HAS_MOVBE(); s++) {
            DiffForm f = base_form("mov", sizes[s]);

            f.op[0] = 0x0f;
            f.op[1] = 0x38;
            f.op[2] = 0xf0;
            f.nop = 3;
            f.kind = FK_RM;
            f.rm_mode = RM_MEM;
            f.name = diff_form_printf("movbe r,m%s", szname[sizes[s]]);
            diff_form_add(&f);
            f.op[2] = 0xf1;
            f.name = diff_form_printf("movbe m,r%s", szname[sizes[s]]);
            diff_form_add(&f);
        }
    }
    {
        /* ADCX (66) / ADOX (F3) 0F 38 F6 */
        for (unsigned s = 2; s < 4 && HAS_ADX(); s++) {
            DiffForm f = base_form("adx", sizes[s]);

            f.pfx[0] = 0x66;
            f.npfx = 1;
            f.op[0] = 0x0f;
            f.op[1] = 0x38;
            f.op[2] = 0xf6;
            f.nop = 3;
            f.kind = FK_RM;
            f.name = diff_form_printf("adcx%s", szname[sizes[s]]);
            diff_form_add(&f);
            f.pfx[0] = 0xf3;
            f.name = diff_form_printf("adox%s", szname[sizes[s]]);
            diff_form_add(&f);
        }
    }

    /* BMI1/BMI2 (VEX) */
    for (uint8_t w = 0; w < 2; w++) {
        const char *sfx = w ? "64" : "32";

        add_vex(diff_form_printf("andn%s", sfx), 2, 0, w, 0xf2,
                FL_AF | FL_PF, FK_RM, 0, 0);
        add_vex(diff_form_printf("bextr%s", sfx), 2, 0, w, 0xf7,
                FL_AF | FL_SF | FL_PF, FK_RM, 0, 0);
        add_vex(diff_form_printf("blsr%s", sfx), 2, 0, w, 0xf3,
                FL_AF | FL_PF, FK_DIGIT, 1, 0);
        add_vex(diff_form_printf("blsmsk%s", sfx), 2, 0, w, 0xf3,
                FL_AF | FL_PF, FK_DIGIT, 2, 0);
        add_vex(diff_form_printf("blsi%s", sfx), 2, 0, w, 0xf3,
                FL_AF | FL_PF, FK_DIGIT, 3, 0);
        add_vex(diff_form_printf("bzhi%s", sfx), 2, 0, w, 0xf5,
                FL_AF | FL_PF, FK_RM, 0, 0);
        add_vex(diff_form_printf("pdep%s", sfx), 2, 3, w, 0xf5, 0, FK_RM, 0,
                0);
        add_vex(diff_form_printf("pext%s", sfx), 2, 2, w, 0xf5, 0, FK_RM, 0,
                0);
        add_vex(diff_form_printf("mulx%s", sfx), 2, 3, w, 0xf6, 0, FK_RM, 0,
                0);
        add_vex(diff_form_printf("sarx%s", sfx), 2, 2, w, 0xf7, 0, FK_RM, 0,
                0);
        add_vex(diff_form_printf("shlx%s", sfx), 2, 1, w, 0xf7, 0, FK_RM, 0,
                0);
        add_vex(diff_form_printf("shrx%s", sfx), 2, 3, w, 0xf7, 0, FK_RM, 0,
                0);
        add_vex(diff_form_printf("rorx%s", sfx), 3, 3, w, 0xf0, 0, FK_RM, 0,
                1);
    }

    /* no-operand forms */
    {
        static const struct {
            const char *n; uint8_t b[10]; int len; uint32_t u; uint32_t su;
            unsigned osz;
        } raw[] = {
            { "cbw", { 0x98 }, 1, 0, 0, 2 },
            { "cwde", { 0x98 }, 1, 0, 0, 4 },
            { "cdqe", { 0x98 }, 1, 0, 0, 8 },
            { "cwd", { 0x99 }, 1, 0, 0, 2 },
            { "cdq", { 0x99 }, 1, 0, 0, 4 },
            { "cqo", { 0x99 }, 1, 0, 0, 8 },
            { "clc", { 0xf8 }, 1, 0, 0, 0 },
            { "stc", { 0xf9 }, 1, 0, 0, 0 },
            { "cmc", { 0xf5 }, 1, 0, 0, 0 },
            { "lahf", { 0x9f }, 1, 0, 0, 0 },
            { "sahf", { 0x9e }, 1, 0, 0, 0 },
            /* IF/IOPL differ (CPL 3 vs 0): mask, push back the result */
            { "pushfq/pop/and", { 0x9c, 0x58, 0x48, 0x25, 0xd5, 0x0c, 0, 0,
                                  0x50, 0x58 }, 10, FL_AF, 0, 0 },
            { "push/pop r64", { 0x53, 0x5f }, 2, 0, 0, 0 },
            { "push imm8", { 0x6a, 0x85 }, 2, 0, 0, 0 },
            { "xchg eax,ecx", { 0x91 }, 1, 0, 0, 4 },
            { "nop", { 0x90 }, 1, 0, 0, 0 },
            { "movsb", { 0xa4 }, 1, 0, SU_STRING, 0 },
            { "movsq", { 0xa5 }, 1, 0, SU_STRING, 8 },
            { "rep movsb", { 0xf3, 0xa4 }, 2, 0, SU_STRING, 0 },
            { "movsw", { 0xa5 }, 1, 0, SU_STRING, 2 },
            { "rep movsd", { 0xf3, 0xa5 }, 2, 0, SU_STRING, 4 },
            { "rep movsq", { 0xf3, 0xa5 }, 2, 0, SU_STRING, 8 },
            { "rep stosb", { 0xf3, 0xaa }, 2, 0, SU_STRING, 0 },
            { "rep stosq", { 0xf3, 0xab }, 2, 0, SU_STRING, 8 },
            { "rep stosw", { 0xf3, 0xab }, 2, 0, SU_STRING, 2 },
            { "lodsb", { 0xac }, 1, 0, SU_STRING, 0 },
            { "lodsq", { 0xad }, 1, 0, SU_STRING, 8 },
            { "cmpsb", { 0xa6 }, 1, 0, SU_STRING, 0 },
            { "repe cmpsb", { 0xf3, 0xa6 }, 2, 0, SU_STRING, 0 },
            { "repne cmpsb", { 0xf2, 0xa6 }, 2, 0, SU_STRING, 0 },
            { "repe cmpsd", { 0xf3, 0xa7 }, 2, 0, SU_STRING, 4 },
            { "repe cmpsq", { 0xf3, 0xa7 }, 2, 0, SU_STRING, 8 },
            { "scasb", { 0xae }, 1, 0, SU_STRING, 0 },
            { "repne scasb", { 0xf2, 0xae }, 2, 0, SU_STRING, 0 },
            { "repe scasq", { 0xf3, 0xaf }, 2, 0, SU_STRING, 8 },
            { "loop", { 0xe2, 0x00 }, 2, 0, SU_SMALLRCX, 0 },
            { "jrcxz", { 0xe3, 0x01, 0x90 }, 3, 0, SU_SMALLRCX, 0 },
            { "aaa (#UD in 64-bit)", { 0x37 }, 1, 0, 0, 0 },
            { "daa (#UD in 64-bit)", { 0x27 }, 1, 0, 0, 0 },
            { "pusha (#UD in 64-bit)", { 0x60 }, 1, 0, 0, 0 },
            { "into (#UD in 64-bit)", { 0xce }, 1, 0, 0, 0 },
            { "ud2", { 0x0f, 0x0b }, 2, 0, 0, 0 },
            { "int3", { 0xcc }, 1, 0, 0, 0 },
        };
        for (unsigned i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
            add_raw((raw[i].su & SU_STRING) ? "string" : "misc", raw[i].n,
                    raw[i].b, raw[i].len, raw[i].u, raw[i].su, raw[i].osz);
        }
    }
    {
        /* CMPXCHG8B / CMPXCHG16B (0F C7 /1), LOCK forms */
        DiffForm f = base_form("mov", 4);

        f.op[0] = 0x0f;
        f.op[1] = 0xc7;
        f.nop = 2;
        f.kind = FK_DIGIT;
        f.digit = 1;
        f.rm_mode = RM_MEM;
        f.memsize = 8;
        f.setup = SU_CMPXCHG;
        f.name = "cmpxchg8b";
        diff_form_add(&f);
        f.opsize = 8;
        f.memsize = 16;
        f.setup = SU_CMPXCHG | SU_ALIGN16;
        f.name = "cmpxchg16b";
        diff_form_add(&f);
        f = base_form("alu", 8);
        f.pfx[0] = 0xf0;
        f.npfx = 1;
        f.op[0] = 0x01;
        f.nop = 1;
        f.kind = FK_RM;
        f.rm_mode = RM_MEM;
        f.name = "lock add m64,r64";
        diff_form_add(&f);
        f.op[0] = 0x0f;
        f.op[1] = 0xc1;
        f.nop = 2;
        f.name = "lock xadd m64,r64";
        diff_form_add(&f);
        f.op[1] = 0xb1;
        f.name = "lock cmpxchg m64,r64";
        diff_form_add(&f);
        f = base_form("alu", 4);
        f.pfx[0] = 0xf0;
        f.npfx = 1;
        f.op[0] = 0x01;
        f.nop = 1;
        f.kind = FK_RM;
        f.rm_mode = RM_REG;
        f.name = "lock add r,r (#UD)";
        diff_form_add(&f);
        f = base_form("mov", 4);
        f.op[0] = 0x0f;
        f.op[1] = 0xc3;
        f.nop = 2;
        f.kind = FK_RM;
        f.rm_mode = RM_BOTH;
        f.name = "movnti m32,r32";
        diff_form_add(&f);
        f = base_form("mov", 8);
        f.op[0] = 0xff;
        f.nop = 1;
        f.kind = FK_DIGIT;
        f.digit = 6;
        f.opsize = 0;
        f.memsize = 8;
        f.name = "push r/m64";
        diff_form_add(&f);
        f.op[0] = 0x8f;
        f.digit = 0;
        f.name = "pop r/m64";
        diff_form_add(&f);
    }
    {
        static const struct {
            const char *n; uint8_t b[16]; int len;
        } misc2[] = {
            { "call rel32; pop", { 0xe8, 0, 0, 0, 0, 0x58 }, 6 },
            { "enter 16,0", { 0xc8, 0x10, 0x00, 0x00 }, 4 },
            /* lea rbp,[rip -> stack+0x900]; leave */
            { "leave", { 0x48, 0x8d, 0x2d, 0xf9, 0x08, 0x20, 0x00, 0xc9 }, 8 },
            /* lea rbx,[rip -> data+0x100]; xlatb */
            { "xlatb", { 0x48, 0x8d, 0x1d, 0xf9, 0x00, 0x10, 0x00, 0xd7 }, 8 },
            { "push imm32; pop r11", { 0x68, 0x78, 0x56, 0x34, 0x12,
                                       0x41, 0x5b }, 7 },
            /* lea rbp,[rip -> stack+0x900]; enter 16,2 */
            { "enter 16,2", { 0x48, 0x8d, 0x2d, 0xf9, 0x08, 0x20, 0x00,
                              0xc8, 0x10, 0x00, 0x02 }, 11 },
            /* lea rax,[rip+4]; jmp rax; inc ecx (skipped); inc ecx */
            { "jmp r64", { 0x48, 0x8d, 0x05, 0x04, 0, 0, 0, 0xff, 0xe0,
                           0xff, 0xc1, 0xff, 0xc1 }, 13 },
            /* lea rax,[rip+4]; call rax; jmp +3; inc ecx; ret */
            { "call r64; ret", { 0x48, 0x8d, 0x05, 0x04, 0, 0, 0, 0xff, 0xd0,
                                 0xeb, 0x03, 0xff, 0xc1, 0xc3 }, 14 },
        };
        for (unsigned i = 0; i < G_N_ELEMENTS(misc2); i++) {
            add_raw("misc", misc2[i].n, misc2[i].b, misc2[i].len, 0,
                    0, 0);
        }
    }
    for (int i = 0; i < 16; i++) {
        /* jcc +2 over "inc eax": the taken path skips it */
        uint8_t j[4] = { (uint8_t)(0x70 + i), 0x02, 0xff, 0xc0 };

        add_raw("jcc", diff_form_printf("j%s rel8", cc[i]), j, 4, 0, 0, 0);
    }
    {
        /*
         * Family "fused": a flag-setting instruction with a memory operand
         * right before a Jcc (the engine runs the pair as one record).
         * add dword [rsp-16],0 first (a read and a write), so that the
         * read and write TLB entries of the stack page are there and the
         * pair takes the engine's fast path.
         */
        static const struct { const char *n; uint8_t b[6]; int len; }
        first[] = {
            { "cmp [m],r64", { 0x48, 0x39, 0x44, 0x24, 0xf8 }, 5 },
            { "cmp r32,[m]", { 0x3b, 0x44, 0x24, 0xf8 }, 4 },
            { "sub [m],r64", { 0x48, 0x29, 0x44, 0x24, 0xf8 }, 5 },
            { "cmp [m32],5", { 0x83, 0x7c, 0x24, 0xf8, 0x05 }, 5 },
            { "cmp [m8],0x80", { 0x80, 0x7c, 0x24, 0xf8, 0x80 }, 5 },
            { "test [m8],0x81", { 0xf6, 0x44, 0x24, 0xf8, 0x81 }, 5 },
            { "test [m],r64", { 0x48, 0x85, 0x44, 0x24, 0xf8 }, 5 },
            { "dec [m32]", { 0xff, 0x4c, 0x24, 0xf8 }, 4 },
            { "add [m16],r16", { 0x66, 0x01, 0x44, 0x24, 0xf8 }, 5 },
        };
        static const uint8_t warm[5] = { 0x83, 0x44, 0x24, 0xf0, 0x00 };
        for (unsigned k = 0; k < G_N_ELEMENTS(first); k++) {
            for (int i = 0; i < 16; i++) {
                uint8_t b[16];
                int n = 0;

                memcpy(b, warm, sizeof(warm));
                n += sizeof(warm);
                memcpy(b + n, first[k].b, first[k].len);
                n += first[k].len;
                b[n++] = (uint8_t)(0x70 + i);
                b[n++] = 0x02;
                b[n++] = 0xff;
                b[n++] = 0xc0;
                add_raw("fused", diff_form_printf("%s; j%s", first[k].n,
                                                  cc[i]), b, n, 0, 0, 0);
            }
        }
        /* the same warm-up before memory forms of IMUL, CMOVcc, SETcc
         * (their TLB-hit handlers); flags from a CMP of RAX and RCX */
        static const struct { const char *n; uint8_t b[7]; int len;
                              uint32_t undef; }
        hot[] = {
            { "imul r64,[m]", { 0x48, 0x0f, 0xaf, 0x44, 0x24, 0xf8 }, 6,
              FL_SF | FL_ZF | FL_AF | FL_PF },
            { "imul r32,[m],imm8", { 0x6b, 0x44, 0x24, 0xf8, 0x81 }, 5,
              FL_SF | FL_ZF | FL_AF | FL_PF },
            { "cmovb r64,[m]", { 0x48, 0x0f, 0x42, 0x44, 0x24, 0xf8 }, 6, 0 },
            { "cmovle r32,[m]", { 0x0f, 0x4e, 0x44, 0x24, 0xf8 }, 5, 0 },
            { "setg [m8]", { 0x0f, 0x9f, 0x44, 0x24, 0xf8 }, 5, 0 },
            { "adc [m32],eax", { 0x11, 0x44, 0x24, 0xf8 }, 4, 0 },
            { "sbb r64,[m]", { 0x48, 0x1b, 0x44, 0x24, 0xf8 }, 5, 0 },
            { "sbb [m8],0x7f", { 0x80, 0x5c, 0x24, 0xf8, 0x7f }, 5, 0 },
        };
        for (unsigned k = 0; k < G_N_ELEMENTS(hot); k++) {
            uint8_t b[16];
            int n = 0;

            memcpy(b, warm, sizeof(warm));
            n += sizeof(warm);
            b[n++] = 0x48;                          /* cmp rax, rcx */
            b[n++] = 0x39;
            b[n++] = 0xc8;
            memcpy(b + n, hot[k].b, hot[k].len);
            n += hot[k].len;
            add_raw("fused", diff_form_printf("cmp; %s", hot[k].n), b, n,
                    hot[k].undef, 0, 0);
        }
    }
    {
        /*
         * Family "threaded": register shifts/rotates between specialised
         * ALU records in one block, so the engine runs the whole block
         * handler to handler (ops-shift.c's threaded forms), with the
         * flags of the last record (a shift or rotate) compared too.
         */
        static const struct { const char *n; uint8_t b[16]; int len; }
        thr[] = {             /* AF after a shift is undefined */
            /* add eax,ecx; rol eax,7; xor edx,eax; ror rdx,13;
             * shl rcx,cl; add eax,edx */
            { "add;rol;xor;ror;shl cl;add",
              { 0x01, 0xc8, 0xc1, 0xc0, 0x07, 0x31, 0xc2, 0x48, 0xc1,
                0xca, 0x0d, 0x48, 0xd3, 0xe1, 0x01, 0xd0 }, 16 },
            /* sub eax,ecx; shld edx,eax,5; shr rax,1; and ecx,edx;
             * sar ecx,3; rol edx,1 */
            { "sub;shld;shr;and;sar;rol",
              { 0x29, 0xc8, 0x0f, 0xa4, 0xc2, 0x05, 0x48, 0xd1, 0xe8,
                0x21, 0xd1, 0xc1, 0xf9, 0x03, 0xd1, 0xc2 }, 16 },
            /* xor eax,edx; shrd ecx,eax,9; ror ecx,cl; or edx,ecx;
             * sar rax,cl; rol edx,1 */
            { "xor;shrd;ror cl;or;sar cl;rol",
              { 0x31, 0xd0, 0x0f, 0xac, 0xc1, 0x09, 0xd3, 0xc9, 0x09,
                0xca, 0x48, 0xd3, 0xf8, 0xd1, 0xc2 }, 15 },
            /* add eax,ecx; not eax; neg rdx; ror eax,5; not ah;
             * neg cx */
            { "add;not;neg;ror;not r8;neg r16",
              { 0x01, 0xc8, 0xf7, 0xd0, 0x48, 0xf7, 0xda, 0xc1, 0xc8,
                0x05, 0xf6, 0xd4, 0x66, 0xf7, 0xd9 }, 15 },
            /* neg dword [rsp-8]; not qword [rsp-8]; mov rax,[rsp-8];
             * neg eax (the first one fills the TLB, the second hits) */
            { "neg m32;not m64;mov;neg",
              { 0xf7, 0x5c, 0x24, 0xf8, 0x48, 0xf7, 0x54, 0x24, 0xf8,
                0x48, 0x8b, 0x44, 0x24, 0xf8, 0xf7, 0xd8 }, 16 },
            /* neg byte [rsp-8]; not word [rsp-8]; mov rax,[rsp-8] */
            { "neg m8;not m16;mov",
              { 0xf6, 0x5c, 0x24, 0xf8, 0x66, 0xf7, 0x54, 0x24, 0xf8,
                0x48, 0x8b, 0x44, 0x24, 0xf8 }, 14 },
            /* add eax,ecx; xchg eax,edx; bswap eax; bswap rcx;
             * xchg cl,ah; xchg dx,cx */
            { "add;xchg;bswap;bswap;xchg r8;xchg r16",
              { 0x01, 0xc8, 0x87, 0xd0, 0x0f, 0xc8, 0x48, 0x0f, 0xc9,
                0x86, 0xe1, 0x66, 0x87, 0xca }, 14 },
            /* xchg r8d,r9d; xchg rcx,rax; bswap r10d; xchg sil,dl;
             * sub eax,edx */
            { "xchg r32;xchg r64;bswap;xchg;sub",
              { 0x45, 0x87, 0xc8, 0x48, 0x87, 0xc1, 0x41, 0x0f, 0xca,
                0x40, 0x86, 0xd6, 0x29, 0xd0 }, 14 },
            /* add eax,ecx; shr cx,5; rol al,3; sar dh,1; shl bx,cl;
             * ror ah,cl */
            { "add;shr r16;rol r8;sar r8;shl r16 cl;ror r8 cl",
              { 0x01, 0xc8, 0x66, 0xc1, 0xe9, 0x05, 0xc0, 0xc0, 0x03,
                0xd0, 0xfe, 0x66, 0xd3, 0xe3, 0xd2, 0xcc }, 16 },
            /* sar ax,15; shl r9b,1; shr sil,cl; rol dx,1 */
            { "sar r16;shl r8;shr r8 cl;rol r16",
              { 0x66, 0xc1, 0xf8, 0x0f, 0x41, 0xd0, 0xe1, 0x40, 0xd2,
                0xee, 0x66, 0xd1, 0xc2 }, 13 },
            /* add ecx,eax; ror eax,5; jb +2; inc eax */
            { "add;ror;jb;inc",
              { 0x01, 0xc1, 0xc1, 0xc8, 0x05, 0x72, 0x02, 0xff, 0xc0 }, 9 },
        };
        for (unsigned k = 0; k < G_N_ELEMENTS(thr); k++) {
            add_raw("threaded", thr[k].n, thr[k].b, thr[k].len, FL_AF, 0,
                    0);
        }
    }
}
