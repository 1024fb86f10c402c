/*
 * The three-byte opcode maps 0f 38 and 0f 3a of the x86 disassembler:
 * the common SSSE3 / SSE4.1 / SSE4.2 / AES / CLMUL forms and a few
 * system instructions (invpcid, movbe, crc32). A short list looked up
 * by opcode and mandatory prefix; anything else there is (bad).
 */
#include "x86-internal.h"

#include <stddef.h>

typedef struct Op3 {
    uint8_t op;
    uint8_t pfx;        /* 0 none, 1 66, 2 f3, 3 f2 */
    const char *name;
    const char *args;
} Op3;

/* SSSE3: mmx without a prefix, xmm with 66 */
#define MX(o, n) { o, 0, n, "P Q" }, { o, 1, n, "V W" }
#define X66(o, n) { o, 1, n, "V W" }

static const Op3 map38[] = {
    MX(0x00, "pshufb"), MX(0x01, "phaddw"), MX(0x02, "phaddd"),
    MX(0x03, "phaddsw"), MX(0x04, "pmaddubsw"), MX(0x05, "phsubw"),
    MX(0x06, "phsubd"), MX(0x07, "phsubsw"), MX(0x08, "psignb"),
    MX(0x09, "psignw"), MX(0x0a, "psignd"), MX(0x0b, "pmulhrsw"),
    { 0x10, 1, "pblendvb", "V W =%xmm0" },
    { 0x14, 1, "blendvps", "V W =%xmm0" },
    { 0x15, 1, "blendvpd", "V W =%xmm0" },
    X66(0x17, "ptest"),
    MX(0x1c, "pabsb"), MX(0x1d, "pabsw"), MX(0x1e, "pabsd"),
    X66(0x20, "pmovsxbw"), X66(0x21, "pmovsxbd"), X66(0x22, "pmovsxbq"),
    X66(0x23, "pmovsxwd"), X66(0x24, "pmovsxwq"), X66(0x25, "pmovsxdq"),
    X66(0x28, "pmuldq"), X66(0x29, "pcmpeqq"), { 0x2a, 1, "movntdqa", "V M" },
    X66(0x2b, "packusdw"),
    X66(0x30, "pmovzxbw"), X66(0x31, "pmovzxbd"), X66(0x32, "pmovzxbq"),
    X66(0x33, "pmovzxwd"), X66(0x34, "pmovzxwq"), X66(0x35, "pmovzxdq"),
    X66(0x37, "pcmpgtq"), X66(0x38, "pminsb"), X66(0x39, "pminsd"),
    X66(0x3a, "pminuw"), X66(0x3b, "pminud"), X66(0x3c, "pmaxsb"),
    X66(0x3d, "pmaxsd"), X66(0x3e, "pmaxuw"), X66(0x3f, "pmaxud"),
    X66(0x40, "pmulld"), X66(0x41, "phminposuw"),
    { 0x80, 1, "invept", "Gr M" }, { 0x81, 1, "invvpid", "Gr M" },
    { 0x82, 1, "invpcid", "Gr M" },
    X66(0xdb, "aesimc"), X66(0xdc, "aesenc"), X66(0xdd, "aesenclast"),
    X66(0xde, "aesdec"), X66(0xdf, "aesdeclast"),
    { 0xf0, 0, "movbe", "Gv M" }, { 0xf1, 0, "movbe", "M Gv" },
    { 0xf0, 3, "crc32", "Gy Eb" }, { 0xf1, 3, "crc32", "Gy Ev" },
};

static const Op3 map3a[] = {
    { 0x08, 1, "roundps", "V W Ib" }, { 0x09, 1, "roundpd", "V W Ib" },
    { 0x0a, 1, "roundss", "V W Ib" }, { 0x0b, 1, "roundsd", "V W Ib" },
    { 0x0c, 1, "blendps", "V W Ib" }, { 0x0d, 1, "blendpd", "V W Ib" },
    { 0x0e, 1, "pblendw", "V W Ib" },
    { 0x0f, 0, "palignr", "P Q Ib" }, { 0x0f, 1, "palignr", "V W Ib" },
    { 0x14, 1, "pextrb", "Ed V Ib" }, { 0x15, 1, "pextrw", "Ed V Ib" },
    { 0x16, 1, "pextrd", "Ey V Ib" }, { 0x17, 1, "extractps", "Ed V Ib" },
    { 0x20, 1, "pinsrb", "V Ed Ib" }, { 0x21, 1, "insertps", "V W Ib" },
    { 0x22, 1, "pinsrd", "V Ey Ib" },
    { 0x40, 1, "dpps", "V W Ib" }, { 0x41, 1, "dppd", "V W Ib" },
    { 0x42, 1, "mpsadbw", "V W Ib" }, { 0x44, 1, "pclmulqdq", "V W Ib" },
    { 0x60, 1, "pcmpestrm", "V W Ib" }, { 0x61, 1, "pcmpestri", "V W Ib" },
    { 0x62, 1, "pcmpistrm", "V W Ib" }, { 0x63, 1, "pcmpistri", "V W Ib" },
    { 0xdf, 1, "aeskeygenassist", "V W Ib" },
};

bool x86_lookup_3byte(int map, int op, int pfx, X86Insn *out)
{
    const Op3 *t = map == 0x38 ? map38 : map3a;
    size_t n = map == 0x38 ? sizeof(map38) / sizeof(map38[0])
                           : sizeof(map3a) / sizeof(map3a[0]);

    for (size_t i = 0; i < n; i++) {
        if (t[i].op == op && t[i].pfx == pfx) {
            *out = (X86Insn){ t[i].name, t[i].args, 0, K_PLAIN, 0 };
            return true;
        }
    }
    return false;
}
