/*
 * SSE/MMX opcode table (SDM Vol. 2 Appendix A, opcode maps 0F, 0F38, 0F3A
 * with the 66/F3/F2 mandatory prefixes): MMX, SSE, SSE2, SSE3, SSSE3,
 * SSE4.1, SSE4.2, AES-NI and PCLMULQDQ (each only when the host has it).
 * SHA and SSE4a are not implemented: #UD.
 */
#include <cpuid.h>

#include "target/i386/internal.h"
#include "target/i386/sse-table.h"

/* CPUID.1:ECX bits of the extensions above SSE2 */
#define HOST_SSE3   (1u << 0)
#define HOST_SSSE3  (1u << 9)
#define HOST_SSE41  (1u << 19)
#define HOST_SSE42  (1u << 20)
#define HOST_PCLMUL (1u << 1)
#define HOST_AES    (1u << 25)

static bool host_has(uint32_t bit);

/*
 * The operations run on the host, so an extension the host lacks is #UD
 * in the guest too (and must not be advertised in the guest's CPUID).
 */
bool sse_host_has_sse3(void)
{
    return host_has(HOST_SSE3);
}

static bool host_has(uint32_t bit)
{
    static uint32_t ecx1;
    static bool done;

    if (!__atomic_load_n(&done, __ATOMIC_ACQUIRE)) {
        unsigned a, b, c, d;

        if (__get_cpuid(1, &a, &b, &c, &d)) {
            __atomic_store_n(&ecx1, c, __ATOMIC_RELAXED);
        }
        __atomic_store_n(&done, true, __ATOMIC_RELEASE);
    }
    return (__atomic_load_n(&ecx1, __ATOMIC_RELAXED) & bit) == bit;
}

static uint32_t required_feature(unsigned map, unsigned op, unsigned mp)
{
    switch (map) {
    case MAP_0F:
        if ((op == 0xf0 && mp == MP_F2) || op == 0x7c || op == 0x7d ||
            op == 0xd0 || (op == 0x12 && mp >= MP_F3) ||
            (op == 0x16 && mp == MP_F3)) {
            return HOST_SSE3;
        }
        return 0;
    case MAP_0F38:
        if (op <= 0x0b || (op >= 0x1c && op <= 0x1e)) {
            return HOST_SSSE3;
        }
        if (op == 0x37 || op >= 0xf0) {
            return HOST_SSE42;
        }
        if (op >= 0xdb && op <= 0xdf) {
            return HOST_AES;
        }
        return HOST_SSE41;
    default:
        if (op == 0x0f) {
            return HOST_SSSE3;
        }
        if (op >= 0x60 && op <= 0x63) {
            return HOST_SSE42;
        }
        if (op == 0x44) {
            return HOST_PCLMUL;
        }
        if (op == 0xdf) {
            return HOST_AES;
        }
        return HOST_SSE41;
    }
}

static bool set(SseInfo *si, uint8_t reg, uint8_t rm, uint8_t msize,
                uint16_t flags)
{
    si->reg = reg;
    si->rm = rm;
    si->msize = msize;
    si->flags = flags;
    si->digits = 0;
    return true;
}

/* MMX form without prefix, XMM form with 66 (integer ops, aligned) */
static bool mmx_or_xmm(unsigned mp, SseInfo *si, uint8_t mmx_msize)
{
    if (mp == MP_NONE) {
        return set(si, K_MM, K_MM, mmx_msize, SI_NOFP);
    }
    if (mp == MP_66) {
        return set(si, K_XMM, K_XMM, 16, SI_A16 | SI_NOFP);
    }
    return false;
}

/* packed/scalar float arithmetic: ps, pd, ss, sd */
static bool fp4(unsigned mp, SseInfo *si, uint16_t extra)
{
    static const uint8_t sz[4] = { 16, 16, 4, 8 };

    return set(si, K_XMM, K_XMM, sz[mp], (mp < 2 ? SI_A16 : 0) | extra);
}

static bool map0f(unsigned op, unsigned mp, SseInfo *si)
{
    bool n = mp == MP_NONE, p66 = mp == MP_66, f3 = mp == MP_F3,
         f2 = mp == MP_F2;

    switch (op) {
    case 0x10:
    case 0x11: {
        static const uint8_t sz[4] = { 16, 16, 4, 8 };
        return set(si, K_XMM, K_XMM, sz[mp],
                   SI_NOFP | (op == 0x11 ? SI_MEMW : 0));
    }
    case 0x12:
        if (n) {
            return set(si, K_XMM, K_XMM, 8, SI_NOFP);   /* movlps/movhlps */
        }
        if (p66) {
            return set(si, K_XMM, K_XMM, 8, SI_NOFP | SI_MEMONLY);
        }
        if (f3) {
            return set(si, K_XMM, K_XMM, 16, SI_NOFP | SI_A16);
        }
        return set(si, K_XMM, K_XMM, 8, SI_NOFP);        /* movddup */
    case 0x13:
    case 0x17:
        if (n || p66) {
            return set(si, K_XMM, K_XMM, 8, SI_NOFP | SI_MEMW | SI_MEMONLY);
        }
        return false;
    case 0x14:
    case 0x15:
        return (n || p66) && set(si, K_XMM, K_XMM, 16, SI_NOFP | SI_A16);
    case 0x16:
        if (n) {
            return set(si, K_XMM, K_XMM, 8, SI_NOFP);    /* movhps/movlhps */
        }
        if (p66) {
            return set(si, K_XMM, K_XMM, 8, SI_NOFP | SI_MEMONLY);
        }
        if (f3) {
            return set(si, K_XMM, K_XMM, 16, SI_NOFP | SI_A16);
        }
        return false;
    case 0x28:
    case 0x29:
        return (n || p66) && set(si, K_XMM, K_XMM, 16, SI_NOFP | SI_A16 |
                                 (op == 0x29 ? SI_MEMW : 0));
    case 0x2a:
        if (n || p66) {
            return set(si, K_XMM, K_MM, 8, 0);           /* cvtpi2ps/pd */
        }
        return set(si, K_XMM, K_GPR, MSZ_W, 0);          /* cvtsi2ss/sd */
    case 0x2b:
        return (n || p66) && set(si, K_XMM, K_XMM, 16, SI_NOFP | SI_A16 |
                                 SI_MEMW | SI_MEMONLY);
    case 0x2c:
    case 0x2d:
        if (n) {
            return set(si, K_MM, K_XMM, 8, 0);           /* cvt(t)ps2pi */
        }
        if (p66) {
            return set(si, K_MM, K_XMM, 16, SI_A16);     /* cvt(t)pd2pi */
        }
        return set(si, K_GPR, K_XMM, f3 ? 4 : 8, SI_GPRW_REG);
    case 0x2e:
    case 0x2f:
        return (n || p66) && set(si, K_XMM, K_XMM, n ? 4 : 8, SI_FLAGS);
    case 0x50:
        return (n || p66) && set(si, K_GPR, K_XMM, 0, SI_NOFP | SI_REGONLY |
                                 SI_GPRW_REG);
    case 0x51:
    case 0x58:
    case 0x59:
    case 0x5c:
    case 0x5d:
    case 0x5e:
    case 0x5f:
        return fp4(mp, si, 0);
    case 0x52:
    case 0x53:
        return (n || f3) && fp4(mp, si, 0);
    case 0x54:
    case 0x55:
    case 0x56:
    case 0x57:
        return (n || p66) && fp4(mp, si, SI_NOFP);
    case 0x5a: {
        static const uint8_t sz[4] = { 8, 16, 4, 8 };
        return set(si, K_XMM, K_XMM, sz[mp], p66 ? SI_A16 : 0);
    }
    case 0x5b:
        return !f2 && set(si, K_XMM, K_XMM, 16, SI_A16);
    case 0x60:
    case 0x61:
    case 0x62:
        return mmx_or_xmm(mp, si, 4);
    case 0x63 ... 0x6b:
        return mmx_or_xmm(mp, si, 8);
    case 0x6c:
    case 0x6d:
        return p66 && mmx_or_xmm(mp, si, 8);
    case 0x6e:
        return (n || p66) && set(si, n ? K_MM : K_XMM, K_GPR, MSZ_W, SI_NOFP);
    case 0x6f:
        if (n) {
            return set(si, K_MM, K_MM, 8, SI_NOFP);
        }
        return set(si, K_XMM, K_XMM, 16, SI_NOFP | (p66 ? SI_A16 : 0)) &&
               !f2;
    case 0x70:
        if (n) {
            return set(si, K_MM, K_MM, 8, SI_NOFP);
        }
        return set(si, K_XMM, K_XMM, 16, SI_NOFP | SI_A16);
    case 0x71:
    case 0x72:
    case 0x73:
        if (!n && !p66) {
            return false;
        }
        set(si, K_DIGIT, n ? K_MM : K_XMM, 0, SI_NOFP | SI_REGONLY);
        si->digits = op == 0x73 ? (p66 ? 0xcc : 0x44) : 0x54;
        return true;
    case 0x74:
    case 0x75:
    case 0x76:
        return mmx_or_xmm(mp, si, 8);
    case 0x7c:
    case 0x7d:
        return (p66 || f2) && set(si, K_XMM, K_XMM, 16, SI_A16);
    case 0x7e:
        if (f3) {
            return set(si, K_XMM, K_XMM, 8, SI_NOFP);
        }
        return !f2 && set(si, n ? K_MM : K_XMM, K_GPR, MSZ_W,
                          SI_NOFP | SI_MEMW | SI_GPRW_RM | SI_MMW_NONE);
    case 0x7f:
        if (n) {
            return set(si, K_MM, K_MM, 8, SI_NOFP | SI_MEMW | SI_MMW_RM);
        }
        return !f2 && set(si, K_XMM, K_XMM, 16, SI_NOFP | SI_MEMW |
                          (p66 ? SI_A16 : 0));
    case 0xc2:
        return fp4(mp, si, 0);
    case 0xc4:
        return (n || p66) && set(si, n ? K_MM : K_XMM, K_GPR, 2, SI_NOFP);
    case 0xc5:
        return (n || p66) && set(si, K_GPR, n ? K_MM : K_XMM, 0,
                                 SI_NOFP | SI_REGONLY | SI_GPRW_REG);
    case 0xc6:
        return (n || p66) && fp4(mp, si, SI_NOFP);
    case 0xd0:
        return (p66 || f2) && set(si, K_XMM, K_XMM, 16, SI_A16);
    case 0xd6:
        if (p66) {
            return set(si, K_XMM, K_XMM, 8, SI_NOFP | SI_MEMW);
        }
        if (f3) {
            return set(si, K_XMM, K_MM, 0, SI_NOFP | SI_REGONLY);
        }
        if (f2) {
            return set(si, K_MM, K_XMM, 0, SI_NOFP | SI_REGONLY);
        }
        return false;
    case 0xd7:
        return (n || p66) && set(si, K_GPR, n ? K_MM : K_XMM, 0,
                                 SI_NOFP | SI_REGONLY | SI_GPRW_REG);
    case 0xe6:
        if (p66 || f2) {
            return set(si, K_XMM, K_XMM, 16, SI_A16);
        }
        return f3 && set(si, K_XMM, K_XMM, 8, 0);
    case 0xe7:
        if (n) {
            return set(si, K_MM, K_MM, 8, SI_NOFP | SI_MEMW | SI_MEMONLY |
                       SI_MMW_NONE);
        }
        return p66 && set(si, K_XMM, K_XMM, 16, SI_NOFP | SI_MEMW |
                          SI_MEMONLY | SI_A16);
    case 0xf0:
        return f2 && set(si, K_XMM, K_XMM, 16, SI_NOFP | SI_MEMONLY);
    case 0xd1 ... 0xd5:
    case 0xd8 ... 0xdf:
    case 0xe0 ... 0xe5:
    case 0xe8 ... 0xef:
    case 0xf1 ... 0xf6:
    case 0xf8 ... 0xfe:
        return mmx_or_xmm(mp, si, 8);
    default:
        return false;
    }
}

static bool map0f38(unsigned op, unsigned mp, SseInfo *si)
{
    bool p66 = mp == MP_66;

    switch (op) {
    case 0x00 ... 0x0b:
    case 0x1c ... 0x1e:
        return mmx_or_xmm(mp, si, 8);
    case 0x10:
    case 0x14:
    case 0x15:
        return p66 && set(si, K_XMM, K_XMM, 16, SI_NOFP | SI_A16 | SI_XMM0);
    case 0x17:
        return p66 && set(si, K_XMM, K_XMM, 16, SI_NOFP | SI_A16 | SI_FLAGS);
    case 0x20:
    case 0x23:
    case 0x25:
    case 0x30:
    case 0x33:
    case 0x35:
        return p66 && set(si, K_XMM, K_XMM, 8, SI_NOFP);
    case 0x21:
    case 0x24:
    case 0x31:
    case 0x34:
        return p66 && set(si, K_XMM, K_XMM, 4, SI_NOFP);
    case 0x22:
    case 0x32:
        return p66 && set(si, K_XMM, K_XMM, 2, SI_NOFP);
    case 0x2a:
        return p66 && set(si, K_XMM, K_XMM, 16, SI_NOFP | SI_A16 |
                          SI_MEMONLY);
    case 0x28:
    case 0x29:
    case 0x2b:
    case 0x37 ... 0x41:
        return p66 && set(si, K_XMM, K_XMM, 16, SI_NOFP | SI_A16);
    case 0xdb ... 0xdf:                 /* AESIMC AESENC(LAST) AESDEC(LAST) */
        return p66 && set(si, K_XMM, K_XMM, 16, SI_NOFP | SI_A16);
    case 0xf0:
        return mp == MP_F2 && set(si, K_GPR, K_GPR, 1,
                                  SI_NOFP | SI_GPRW_REG | SI_GPR_RMW);
    case 0xf1:
        return mp == MP_F2 && set(si, K_GPR, K_GPR, MSZ_OP,
                                  SI_NOFP | SI_GPRW_REG | SI_GPR_RMW);
    default:
        return false;
    }
}

static bool map0f3a(unsigned op, unsigned mp, SseInfo *si)
{
    bool p66 = mp == MP_66;

    switch (op) {
    case 0x0f:
        return mmx_or_xmm(mp, si, 8);
    case 0x08:
    case 0x09:
        return p66 && set(si, K_XMM, K_XMM, 16, SI_A16);
    case 0x0a:
        return p66 && set(si, K_XMM, K_XMM, 4, 0);
    case 0x0b:
        return p66 && set(si, K_XMM, K_XMM, 8, 0);
    case 0x0c:
    case 0x0d:
    case 0x0e:
    case 0x42:
        return p66 && set(si, K_XMM, K_XMM, 16, SI_NOFP | SI_A16);
    case 0x40:
    case 0x41:
        return p66 && set(si, K_XMM, K_XMM, 16, SI_A16);
    case 0x14:
        return p66 && set(si, K_XMM, K_GPR, 1, SI_NOFP | SI_MEMW |
                          SI_GPRW_RM);
    case 0x15:
        return p66 && set(si, K_XMM, K_GPR, 2, SI_NOFP | SI_MEMW |
                          SI_GPRW_RM);
    case 0x16:
        return p66 && set(si, K_XMM, K_GPR, MSZ_W, SI_NOFP | SI_MEMW |
                          SI_GPRW_RM);
    case 0x17:
        return p66 && set(si, K_XMM, K_GPR, 4, SI_NOFP | SI_MEMW |
                          SI_GPRW_RM);
    case 0x20:
        return p66 && set(si, K_XMM, K_GPR, 1, SI_NOFP);
    case 0x21:
        return p66 && set(si, K_XMM, K_XMM, 4, SI_NOFP);
    case 0x22:
        return p66 && set(si, K_XMM, K_GPR, MSZ_W, SI_NOFP);
    case 0x44:                          /* PCLMULQDQ */
    case 0xdf:                          /* AESKEYGENASSIST */
        return p66 && set(si, K_XMM, K_XMM, 16, SI_NOFP | SI_A16);
    case 0x60:
    case 0x62:
        return p66 && set(si, K_XMM, K_XMM, 16, SI_NOFP | SI_FLAGS |
                          SI_XMM0 | (op == 0x60 ? SI_ESTR : 0));
    case 0x61:
    case 0x63:
        return p66 && set(si, K_XMM, K_XMM, 16, SI_NOFP | SI_FLAGS |
                          SI_RCXOUT | (op == 0x61 ? SI_ESTR : 0));
    default:
        return false;
    }
}

bool sse_lookup(unsigned map, unsigned op, unsigned mp, SseInfo *si)
{
    uint32_t need = required_feature(map, op, mp);

    if (need && !host_has(need)) {
        return false;
    }
    switch (map) {
    case MAP_0F:
        return map0f(op, mp, si);
    case MAP_0F38:
        return map0f38(op, mp, si);
    case MAP_0F3A:
        return map0f3a(op, mp, si);
    default:
        return false;
    }
}
