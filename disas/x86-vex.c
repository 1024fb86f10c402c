/*
 * VEX-encoded (AVX/AVX2) forms of the SSE instructions the tables know:
 * c5/c4 prefixes, the vvvv source register ("H" operand) of the
 * non-destructive forms, ymm for VEX.L, "v" before the name; the
 * AVX2-only permutes, broadcasts, inserts/extracts and variable shifts,
 * FMA, and BMI1/BMI2. Gathers, F16C, AMX and EVEX are not covered:
 * (bad).
 */
#include "x86-internal.h"

#include <stdio.h>
#include <string.h>

static bool in(const uint8_t *set, size_t n, int op)
{
    return memchr(set, op, n) != NULL;
}

#define IN(set, op) in(set, sizeof(set), op)

/* 0f map: vvvv is a source (destructive forms get H after the first
 * operand); scalar forms ignore VEX.L; packed forms allowed with L. */
static const uint8_t nds_0f[] = {
    0x12, 0x14, 0x15, 0x16, 0x2a, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5c,
    0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
    0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x74, 0x75, 0x76, 0x7c, 0x7d, 0xc2, 0xc4,
    0xc6, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd8, 0xd9, 0xda, 0xdb, 0xdc,
    0xdd, 0xde, 0xdf, 0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe8, 0xe9, 0xea,
    0xeb, 0xec, 0xed, 0xee, 0xef, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf8,
    0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe };
static const uint8_t wide_0f[] = {
    0x10, 0x11, 0x14, 0x15, 0x28, 0x29, 0x2b, 0x50, 0x51, 0x52, 0x53, 0x54,
    0x55, 0x56, 0x57, 0x58, 0x59, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60, 0x61,
    0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d,
    0x6f, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x7c, 0x7d, 0x7f, 0xc2,
    0xc6, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd7, 0xd8, 0xd9, 0xda, 0xdb,
    0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe7, 0xe8,
    0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5,
    0xf6, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe };
static const uint8_t nds_38[] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
    0x28, 0x29, 0x2b, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
    0x40, 0xdc, 0xdd, 0xde, 0xdf };
static const uint8_t ok_38[] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
    0x17, 0x1c, 0x1d, 0x1e, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x28, 0x29,
    0x2a, 0x2b, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x37, 0x38, 0x39, 0x3a,
    0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41, 0xdb, 0xdc, 0xdd, 0xde, 0xdf };
static const uint8_t wide_38[] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
    0x17, 0x1c, 0x1d, 0x1e, 0x28, 0x29, 0x2a, 0x2b, 0x37, 0x38, 0x39, 0x3a,
    0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40 };
static const uint8_t nds_3a[] = {
    0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x20, 0x21, 0x22, 0x40, 0x41, 0x42,
    0x44 };
static const uint8_t wide_3a[] = { 0x08, 0x09, 0x0c, 0x0d, 0x0e, 0x0f, 0x40,
                                   0x42 };

/*
 * The VEX prefix whose first byte (c4 or c5) was just fetched, the
 * opcode and its entry: fills tmp (name without the "v", args with H)
 * and d's vex fields. False: (bad).
 */
bool x86_decode_vex(Dis *d, int first, X86Insn *tmp)
{
    int r, x = 0, b = 0, w = 0, map = 1, pp, op;
    uint8_t b1;

    if (d->last66 >= 0 || d->lastrep >= 0 || d->rexidx >= 0 ||
        memchr(d->pfx, 0xf0, d->npfx)) {
        return false;
    }
    b1 = x86_fetch(d, 1);
    r = !(b1 & 0x80);
    if (first == 0xc5) {
        d->vvvv = (~b1 >> 3) & 15;
        d->vex_l = (b1 >> 2) & 1;
        pp = b1 & 3;
    } else {
        uint8_t b2 = x86_fetch(d, 1);
        x = !(b1 & 0x40);
        b = !(b1 & 0x20);
        map = b1 & 0x1f;
        w = b2 >> 7;
        d->vvvv = (~b2 >> 3) & 15;
        d->vex_l = (b2 >> 2) & 1;
        pp = b2 & 3;
    }
    if (d->mode != 64) {
        r = x = b = 0;
        d->vvvv &= 7;
    }
    d->rex = 0x40 | w << 3 | r << 2 | x << 1 | b;
    d->vex = true;
    op = x86_fetch(d, 1);
    if (d->fail || map < 1 || map > 3) {
        return false;
    }

    /* BMI1/BMI2: general registers, vvvv as a y-sized source ("B") */
    static const struct {
        uint8_t map, op, pp, reg;       /* reg: group digit + 1, or 0 */
        const char *name, *args;
    } bmi[] = {
        { 2, 0xf2, 0, 0, "andn", "Gy By Ey" },
        { 2, 0xf3, 0, 2, "blsr", "By Ey" },
        { 2, 0xf3, 0, 3, "blsmsk", "By Ey" },
        { 2, 0xf3, 0, 4, "blsi", "By Ey" },
        { 2, 0xf5, 0, 0, "bzhi", "Gy Ey By" },
        { 2, 0xf5, 2, 0, "pext", "Gy By Ey" },
        { 2, 0xf5, 3, 0, "pdep", "Gy By Ey" },
        { 2, 0xf6, 3, 0, "mulx", "Gy By Ey" },
        { 2, 0xf7, 0, 0, "bextr", "Gy Ey By" },
        { 2, 0xf7, 1, 0, "shlx", "Gy Ey By" },
        { 2, 0xf7, 2, 0, "sarx", "Gy Ey By" },
        { 2, 0xf7, 3, 0, "shrx", "Gy Ey By" },
        { 3, 0xf0, 3, 0, "rorx", "Gy Ey Ib" },
    };
    for (size_t i = 0; i < sizeof(bmi) / sizeof(bmi[0]); i++) {
        if (bmi[i].map == map && bmi[i].op == op && bmi[i].pp == pp) {
            if (!x86_read_modrm(d) || d->vex_l ||
                (bmi[i].reg && d->reg != bmi[i].reg - 1)) {
                continue;
            }
            if (!strchr(bmi[i].args, 'B') && d->vvvv) {
                return false;
            }
            *tmp = (X86Insn){ bmi[i].name, bmi[i].args, 0, K_PLAIN, 0 };
            d->vex_gpr = true;
            return true;
        }
    }

    /* AVX/AVX2-only forms and FMA: explicit operand lists */
    enum { XR = 1, L1 = 2, WS = 4, SC = 8, WQ = 16 };
    static const struct {
        uint8_t map, op, flags;
        const char *name, *args;
    } avx[] = {
        { 2, 0x18, XR, "broadcastss", "V W" },
        { 2, 0x19, XR | L1, "broadcastsd", "V W" },
        { 2, 0x1a, L1, "broadcastf128", "V M" },
        { 2, 0x58, XR, "pbroadcastd", "V W" },
        { 2, 0x59, XR, "pbroadcastq", "V W" },
        { 2, 0x5a, L1, "broadcasti128", "V M" },
        { 2, 0x78, XR, "pbroadcastb", "V W" },
        { 2, 0x79, XR, "pbroadcastw", "V W" },
        { 2, 0x16, L1, "permps", "V H W" },
        { 2, 0x36, L1, "permd", "V H W" },
        { 2, 0x45, WQ, "psrlv", "V H W" },
        { 2, 0x46, 0, "psravd", "V H W" },
        { 2, 0x47, WQ, "psllv", "V H W" },
        { 3, 0x00, L1, "permq", "V W Ib" },
        { 3, 0x01, L1, "permpd", "V W Ib" },
        { 3, 0x02, 0, "pblendd", "V H W Ib" },
        { 3, 0x06, L1, "perm2f128", "V H W Ib" },
        { 3, 0x46, L1, "perm2i128", "V H W Ib" },
        { 3, 0x18, L1 | XR, "insertf128", "V H W Ib" },
        { 3, 0x38, L1 | XR, "inserti128", "V H W Ib" },
        { 3, 0x19, L1 | XR, "extractf128", "W V Ib" },
        { 3, 0x39, L1 | XR, "extracti128", "W V Ib" },
    };
    static const char *const fma[8] = {
        "fmaddsub", "fmsubadd", "fmadd", "fmadd", "fmsub", "fmsub",
        "fnmadd", "fnmadd" };
    if (pp == 1 && map == 2 && ((op >= 0x96 && op <= 0x9f) ||
                                (op >= 0xa6 && op <= 0xaf) ||
                                (op >= 0xb6 && op <= 0xbf))) {
        int k = (op & 0xf) - 6;                 /* 0..9 */
        bool sc = k >= 3 && (k & 1);            /* odd from 99: scalar */
        const char *base = k < 8 ? fma[k] : "fnmsub";
        const char *order = op < 0xa0 ? "132" : op < 0xb0 ? "213" : "231";
        if (!x86_read_modrm(d)) {
            return false;
        }
        snprintf(d->vname, sizeof(d->vname), "%s%s%s%s", base, order,
                 sc ? "s" : "p", w ? "d" : "s");
        *tmp = (X86Insn){ d->vname, "V H W", 0, K_PLAIN, 0 };
        d->ymm = d->vex_l && !sc;
        return true;
    }
    for (size_t i = 0; i < sizeof(avx) / sizeof(avx[0]); i++) {
        if (avx[i].map != map || avx[i].op != op || pp != 1) {
            continue;
        }
        if (!x86_read_modrm(d) || ((avx[i].flags & L1) && !d->vex_l) ||
            (!strchr(avx[i].args, 'H') && d->vvvv) ||
            (w != ((avx[i].flags & WQ) ? w : (map == 3 && op <= 0x01))) ||
            (avx[i].args[2] == 'M' && d->mod == 3)) {
            return false;
        }
        snprintf(d->vname, sizeof(d->vname), "%s%s", avx[i].name,
                 (avx[i].flags & WQ) ? (w ? "q" : "d") : "");
        *tmp = (X86Insn){ d->vname, avx[i].args, 0, K_PLAIN, 0 };
        d->ymm = d->vex_l;
        d->xmm_rm = avx[i].flags & XR;
        return true;
    }

    const char *args;
    bool nds, wide, scalar = false, shift = false;
    if (map == 1) {
        const X86Insn *e = &x86_op2[op];
        if (op == 0x77 && pp == 0 && d->vvvv == 0) {
            *tmp = (X86Insn){ d->vex_l ? "zeroall" : "zeroupper", "", 0,
                              K_PLAIN, 0 };
            return true;
        }
        if (e->kind == K_GROUP && op >= 0x71 && op <= 0x73) {
            if (!x86_read_modrm(d) || d->mod != 3) {
                return false;
            }
            e = &x86_groups[e->idx][d->reg];
            shift = true;
        }
        if (e->kind == K_SSE) {
            e = &x86_sse[e->idx][pp];
            if (e->args && strpbrk(e->args, "PQN")) {
                return false;   /* mmx forms have no VEX encoding */
            }
        } else if (e->kind != K_MMX || pp != 1) {
            return false;
        }
        if (!e->name) {
            return false;
        }
        *tmp = *e;
        scalar = pp >= 2 && op != 0x12 && op != 0x16 && op != 0x5b &&
                 op != 0x6f && op != 0x70 && op != 0x7f && op != 0xe6 &&
                 op != 0xd0 && op != 0x7c && op != 0x7d;
        if (!x86_read_modrm(d)) {
            return false;
        }
        nds = IN(nds_0f, op) ||
              ((op == 0x10 || op == 0x11) && scalar && d->mod == 3) ||
              ((op == 0x51 || op == 0x52 || op == 0x53 || op == 0x5a) &&
               scalar);
        if ((op == 0x12 || op == 0x16) && pp >= 2) {
            nds = false;        /* movsldup, movshdup, movddup */
        }
        wide = IN(wide_0f, op) || ((op == 0x12 || op == 0x16) && pp >= 2);
    } else {
        int m = map == 2 ? 0x38 : 0x3a;
        if (pp != 1 || (map == 2 && !IN(ok_38, op)) ||
            !x86_lookup_3byte(m, op, pp, tmp)) {
            return false;
        }
        nds = map == 2 ? IN(nds_38, op) : IN(nds_3a, op);
        wide = map == 2 ? IN(wide_38, op) : IN(wide_3a, op);
        scalar = map == 3 && (op == 0x0a || op == 0x0b);
        if (map == 3 && !strcmp(tmp->name, "pclmulqdq")) {
            wide = false;
        }
    }
    if (d->vex_l && !wide && !scalar) {
        return false;
    }
    d->ymm = d->vex_l && !scalar;
    /* shifts by a count in an xmm register or m128 */
    d->xmm_rm = map == 1 && (op == 0xd1 || op == 0xd2 || op == 0xd3 ||
                             op == 0xe1 || op == 0xe2 || op == 0xf1 ||
                             op == 0xf2 || op == 0xf3);
    if (!nds && !shift && d->vvvv != 0) {
        return false;           /* vvvv must be 1111b when unused */
    }

    /* args: mmx codes to xmm, H after the first operand (before it for
     * the shifts by an immediate, where vvvv is the destination) */
    args = tmp->args ? tmp->args : "";
    snprintf(d->vargs, sizeof(d->vargs), "%s%s", shift ? "H " : "", args);
    if (nds) {
        size_t k = strcspn(args, " ");
        snprintf(d->vargs, sizeof(d->vargs), "%.*s H%s", (int)k, args,
                 args + k);
    }
    for (char *p = d->vargs; *p; p++) {
        if (p == d->vargs || p[-1] == ' ') {
            *p = *p == 'P' ? 'V' : *p == 'Q' ? 'W' : *p == 'N' ? 'U' : *p;
        }
    }
    tmp->args = d->vargs;
    tmp->kind = K_PLAIN;
    return true;
}
