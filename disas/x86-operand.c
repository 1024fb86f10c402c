/*
 * x86 disassembler operands: the fetch of instruction bytes (bounded by
 * the buffer and by 15 bytes), operand and address sizes, register
 * names, modrm/SIB memory operands and the AT&T text of each operand
 * code of the opcode tables (see x86-internal.h).
 */
#include "x86-internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const reg64[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
static const char *const reg32[16] = {
    "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
    "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d" };
static const char *const reg16[16] = {
    "ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
    "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w" };
static const char *const reg8[16] = {
    "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
    "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b" };
static const char *const reg8_legacy[8] = {
    "al", "cl", "dl", "bl", "ah", "ch", "dh", "bh" };
static const char *const sregs[6] = { "es", "cs", "ss", "ds", "fs", "gs" };

/* Append to a fixed buffer, cutting at its end. */
void x86_app(char *dst, size_t size, const char *fmt, ...)
{
    size_t l = strlen(dst);
    va_list ap;

    if (l + 1 >= size) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(dst + l, size - l, fmt, ap);
    va_end(ap);
}

uint64_t x86_fetch(Dis *d, int n)
{
    uint64_t v = 0;

    if (d->fail || d->pos + n > d->len || d->pos + n > MAX_INSN) {
        d->fail = true;
        return 0;
    }
    for (int i = n - 1; i >= 0; i--) {
        v = (v << 8) | d->buf[d->pos + i];
    }
    d->pos += n;
    return v;
}

int64_t x86_sext(uint64_t v, int bits)
{
    return bits >= 64 ? (int64_t)v : (int64_t)(v << (64 - bits)) >> (64 - bits);
}

uint64_t x86_mask(uint64_t v, int bits)
{
    return bits >= 64 ? v : v & ((1ull << bits) - 1);
}

bool x86_rexw(Dis *d)
{
    return d->rex & 8;
}

/* Operand size consulted: 66 and REX.W count as used. */
int x86_osize(Dis *d)
{
    if (!x86_rexw(d)) {
        d->used66 = true;
    } else if (!(d->flags & (F_D64 | F_F64))) {
        d->rex_used |= 8;
    }
    return d->opsize;
}

int x86_size_of(Dis *d, char c)
{
    switch (c) {
    case 'b': return 8;
    case 'w': return 16;
    case 'd': return 32;
    case 'q': return 64;
    case 'z':
        d->used66 |= !x86_rexw(d);
        return d->opsize == 16 ? 16 : 32;
    case 'r':   /* 64-bit in 64-bit mode (invpcid) */
        return d->mode == 64 ? 64 : 32;
    case 'y':
        if (d->mode == 64 && x86_rexw(d)) {
            d->rex_used |= 8;
            return 64;
        }
        return 32;
    default:  return x86_osize(d);
    }
}

const char *x86_gpr(Dis *d, int size, int n)
{
    switch (size) {
    case 8:
        if (d->rex) {
            d->byte_rex |= n >= 4 && n < 8;
            return reg8[n];
        }
        return reg8_legacy[n & 7];
    case 16: return reg16[n];
    case 32: return reg32[n];
    default: return reg64[n];
    }
}

static void hex_signed(char *o, size_t size, int64_t v)
{
    if (v < 0) {
        x86_app(o, size, "-0x%" PRIx64, (uint64_t)-v);
    } else {
        x86_app(o, size, "0x%" PRIx64, (uint64_t)v);
    }
}

static void seg_prefix(Dis *d, char *o, size_t size, bool def_ds)
{
    if (d->lastseg >= 0 && d->mode == 64) {
        /* es/cs/ss/ds are ignored; an fs or gs anywhere applies (and,
         * as objdump counts it, takes the last segment prefix) */
        int fsgs = 0;
        for (int i = 0; i < d->npfx; i++) {
            fsgs = d->pfx[i] == 0x64 || d->pfx[i] == 0x65 ? d->pfx[i] : fsgs;
        }
        if (fsgs) {
            d->usedseg = true;
            x86_app(o, size, "%%%s:", fsgs == 0x64 ? "fs" : "gs");
            return;
        }
    } else if (d->lastseg >= 0) {
        int s = d->pfx[d->lastseg];
        int n = s == 0x26 ? 0 : s == 0x2e ? 1 : s == 0x36 ? 2 :
                s == 0x3e ? 3 : s == 0x64 ? 4 : 5;
        d->usedseg = true;
        x86_app(o, size, "%%%s:", sregs[n]);
        return;
    }
    if (def_ds) {
        x86_app(o, size, "%%ds:");
    }
}

/* The memory operand of modrm (mod != 3), into d->mem. */
void x86_decode_mem(Dis *d)
{
    char *o = d->mem;
    size_t sz = sizeof(d->mem);
    int64_t disp = 0;
    int base = -1, index = -1, scale = 0;
    bool has_disp = false, sib = false, riz = false;

    d->mem_done = true;
    d->used67 = true;
    d->rex_used |= d->rex & 1;
    o[0] = 0;
    seg_prefix(d, o, sz, false);
    if (d->adsize == 16) {
        static const char *const b16[8] = {
            "%bx,%si", "%bx,%di", "%bp,%si", "%bp,%di", "%si", "%di", "%bp",
            "%bx" };
        if (d->mod == 0 && d->rm == 6) {
            hex_signed(o, sz, x86_sext(x86_fetch(d, 2), 16));
            return;
        }
        if (d->mod == 1) {
            hex_signed(o, sz, x86_sext(x86_fetch(d, 1), 8));
        } else if (d->mod == 2) {
            hex_signed(o, sz, x86_sext(x86_fetch(d, 2), 16));
        }
        x86_app(o, sz, "(%s)", b16[d->rm]);
        return;
    }
    if (d->rm == 4) {
        uint8_t s = x86_fetch(d, 1);
        sib = true;
        scale = s >> 6;
        index = ((s >> 3) & 7) | (d->rex & 2 ? 8 : 0);
        base = (s & 7) | (d->rex & 1 ? 8 : 0);
        d->rex_used |= d->rex & 3;
        if ((s & 7) == 5 && d->mod == 0) {
            base = -1;
            disp = x86_sext(x86_fetch(d, 4), 32);
            has_disp = true;
        }
        if (index == 4) {
            index = -1;
            riz = scale != 0 || (base >= 0 && (base & 7) != 4);
        }
    } else if (d->rm == 5 && d->mod == 0) {
        disp = x86_sext(x86_fetch(d, 4), 32);
        if (d->mode == 64) {
            d->rip = true;
            d->rip_disp = disp;
            hex_signed(o, sz, disp);
            x86_app(o, sz, d->adsize == 64 ? "(%%rip)" : "(%%eip)");
            return;
        }
        x86_app(o, sz, "0x%" PRIx64, x86_mask(disp, 32));
        d->used67 = false;
        return;
    } else {
        base = d->rm | (d->rex & 1 ? 8 : 0);
        d->rex_used |= d->rex & 1;
    }
    if (d->mod == 1) {
        disp = x86_sext(x86_fetch(d, 1), 8);
        has_disp = true;
    } else if (d->mod == 2) {
        disp = x86_sext(x86_fetch(d, 4), 32);
        has_disp = true;
    }
    const char *const *r = d->adsize == 64 ? reg64 : reg32;
    if (sib && base < 0 && index < 0 && d->mode != 64) {
        riz = true;
    }
    if (base < 0 && index < 0 && !riz) {
        if (d->mode != 64) {
            d->used67 = false;
        }
        x86_app(o, sz, "0x%" PRIx64, x86_mask(disp, d->adsize));
        return;
    }
    if (has_disp) {
        hex_signed(o, sz, disp);
    }
    x86_app(o, sz, "(");
    if (base >= 0) {
        x86_app(o, sz, "%%%s", r[base]);
    }
    if (index >= 0 || riz) {
        x86_app(o, sz, ",%%%s,%d", index >= 0 ? r[index] :
            d->adsize == 64 ? "riz" : "eiz", 1 << scale);
    }
    (void)sib;
    x86_app(o, sz, ")");
}

bool x86_read_modrm(Dis *d)
{
    if (!d->has_modrm) {
        d->modrm = x86_fetch(d, 1);
        d->mod = d->modrm >> 6;
        d->reg = (d->modrm >> 3) & 7;
        d->rm = d->modrm & 7;
        d->has_modrm = true;
    }
    return !d->fail;
}

/* The r/m operand: a register of size (kind 'g' gpr, 'x' xmm, 'm' mmx)
 * or the memory operand; reg_ok/mem_ok say which forms are valid. */
static void op_rm(Dis *d, char *o, size_t sz, char kind, int size,
                  bool reg_ok, bool mem_ok)
{
    if (d->mod == 3) {
        if (!reg_ok) {
            d->fail = true;
            return;
        }
        int n = d->rm | (kind != 'm' && (d->rex & 1) ? 8 : 0);
        if (kind != 'm') {
            d->rex_used |= d->rex & 1;
        }
        if (kind == 'x' || kind == 'X') {
            x86_app(o, sz, "%%%cmm%d", d->ymm && kind == 'x' ? 'y' : 'x', n);
        } else if (kind == 'm') {
            x86_app(o, sz, "%%mm%d", n);
        } else {
            x86_app(o, sz, "%%%s", x86_gpr(d, size, n));
            d->has_reg = true;
        }
        return;
    }
    if (!mem_ok) {
        d->fail = true;
        return;
    }
    if (!d->mem_done) {
        x86_decode_mem(d);
    }
    x86_app(o, sz, "%s", d->mem);
    d->has_mem = true;
    d->memsize = size;
}

static void op_imm(Dis *d, char *o, size_t sz, int bytes, int size,
                   bool sign)
{
    uint64_t v = x86_fetch(d, bytes);
    if (sign) {
        v = (uint64_t)x86_sext(v, bytes * 8);
    }
    x86_app(o, sz, "$0x%" PRIx64, x86_mask(v, size));
}

static void op_string(Dis *d, char *o, size_t sz, bool src, int size)
{
    const char *const *r = d->adsize == 64 ? reg64 : d->adsize == 32 ?
                           reg32 : reg16;
    d->used67 = true;
    if (src && d->mode == 64 && d->lastseg >= 0) {
        const char *s = "ds";           /* es/cs/ss/ds: taken, ignored */
        for (int i = 0; i < d->npfx; i++) {
            s = d->pfx[i] == 0x64 ? "fs" : d->pfx[i] == 0x65 ? "gs" : s;
        }
        d->usedseg = true;
        x86_app(o, sz, "%%%s:", s);
    } else if (src) {
        seg_prefix(d, o, sz, true);
    } else {
        x86_app(o, sz, "%%es:");
    }
    x86_app(o, sz, "(%%%s)", r[src ? 6 : 7]);
    d->has_mem = true;
    d->memsize = size;
}

/* Format one operand code (see x86-internal.h) into o. */
void x86_operand(Dis *d, const char *c, char *o, size_t sz)
{
    if (*c == '*') {
        x86_app(o, sz, "*");
        c++;
    }
    switch (c[0]) {
    case 'E':
        if (!strcmp(c, "Esw")) {
            bool m = d->mod != 3;
            op_rm(d, o, sz, 'g', m ? 16 : x86_osize(d), true, true);
        } else {
            op_rm(d, o, sz, 'g', x86_size_of(d, c[1]), true, true);
        }
        break;
    case 'M':
        op_rm(d, o, sz, 'g', d->opsize, false, true);
        break;
    case 'R':
        x86_app(o, sz, "%%%s", (d->mode == 64 ? reg64 : reg32)
            [d->rm | (d->rex & 1 ? 8 : 0)]);
        d->rex_used |= d->rex & 1;
        d->has_reg = true;
        break;
    case 'G':
        x86_app(o, sz, "%%%s", x86_gpr(d, x86_size_of(d, c[1]),
                               d->reg | (d->rex & 4 ? 8 : 0)));
        d->rex_used |= d->rex & 4;
        d->has_reg = true;
        break;
    case 'I': {
        int s = c[1] == 'b' ? 8 : c[1] == 'w' ? 16 : x86_size_of(d, c[1]);
        if (c[1] == 'b' && c[2] == 's') {
            op_imm(d, o, sz, 1, x86_osize(d), true);
        } else if (c[1] == 'z') {
            int os = x86_osize(d);
            op_imm(d, o, sz, os == 16 ? 2 : 4, os, true);
        } else {
            op_imm(d, o, sz, s / 8, s, false);
        }
        break;
    }
    case 'J': {
        bool z = c[1] == 'z';
        int os = z ? x86_osize(d) : d->opsize;
        int bytes = !z ? 1 : os == 16 ? 2 : 4;
        int64_t rel = bytes == 2 ? (int64_t)x86_fetch(d, 2)  /* as objdump */
                      : x86_sext(x86_fetch(d, bytes), bytes * 8);
        uint64_t t = d->pc + d->pos + rel;
        int bits = z && os == 16 ? 16 : d->mode == 64 ? 64 : 32;
        if (bits == 16 && d->mode == 16) {      /* stays in pc's 64 KiB */
            t = (d->pc & ~0xffffull) | (t & 0xffff);
            bits = 32;
        }
        x86_app(o, sz, "0x%" PRIx64, x86_mask(t, bits));
        break;
    }
    case 'O': {
        uint64_t a = x86_fetch(d, d->adsize / 8);
        seg_prefix(d, o, sz, false);
        x86_app(o, sz, "0x%" PRIx64, a);
        d->has_mem = true;
        d->memsize = x86_size_of(d, c[1]);
        break;
    }
    case 'A': {
        if (c[1] == 'p') {
            uint64_t off = x86_fetch(d, x86_osize(d) == 16 ? 2 : 4);
            uint64_t seg = x86_fetch(d, 2);
            x86_app(o, sz, "$0x%" PRIx64 ",$0x%" PRIx64, seg, off);
        } else if (c[1] == 'L') {
            x86_app(o, sz, "%%al");
            d->has_reg = true;
        } else {
            x86_app(o, sz, "%%%s", x86_gpr(d, x86_osize(d), 0));
            d->has_reg = true;
        }
        break;
    }
    case 'e':   /* eAX */
        x86_app(o, sz, "%%%s", x86_gpr(d, x86_size_of(d, 'z'), 0));
        d->has_reg = true;
        break;
    case 'C':
        if (c[1] == 'L') {
            x86_app(o, sz, "%%cl");
        } else {
            x86_app(o, sz, "%%cr%d", d->reg | (d->rex & 4 ? 8 : 0));
            d->rex_used |= d->rex & 4;
        }
        break;
    case 'D':
        if (c[1] == 'X') {
            x86_app(o, sz, "(%%dx)");
        } else {
            x86_app(o, sz, "%%db%d", d->reg | (d->rex & 4 ? 8 : 0));
            d->rex_used |= d->rex & 4;
        }
        break;
    case 'S':   /* segment registers 6 and 7 do not exist: objdump's %? */
        x86_app(o, sz, "%%%s", d->reg > 5 ? "?" : sregs[d->reg]);
        d->has_reg = true;
        break;
    case 'Z': {
        int n = (d->buf[d->pos - 1] & 7) | (d->rex & 1 ? 8 : 0);
        d->rex_used |= d->rex & 1;
        x86_app(o, sz, "%%%s", x86_gpr(d, x86_size_of(d, c[1]), n));
        d->has_reg = true;
        break;
    }
    case 'X':
        if (c[1] == 'L') {
            op_string(d, o, sz, true, 8);
            o[strlen(o) - 3] = 0;       /* (%rsi) -> (%rbx) */
            x86_app(o, sz, "bx)");
            d->has_mem = false;
            d->has_reg = true;
        } else {
            op_string(d, o, sz, true, x86_size_of(d, c[1]));
        }
        break;
    case 'Y':
        op_string(d, o, sz, false, x86_size_of(d, c[1]));
        break;
    case 'B':   /* VEX.vvvv, a general register */
        x86_app(o, sz, "%%%s", x86_gpr(d, x86_size_of(d, c[1]), d->vvvv));
        d->has_reg = true;
        break;
    case 'H':   /* VEX.vvvv */
        x86_app(o, sz, "%%%cmm%d", d->ymm ? 'y' : 'x', d->vvvv);
        break;
    case 'V':
        x86_app(o, sz, "%%%cmm%d", d->ymm ? 'y' : 'x',
                d->reg | (d->rex & 4 ? 8 : 0));
        d->rex_used |= d->rex & 4;
        break;
    case 'W':
        op_rm(d, o, sz, d->xmm_rm ? 'X' : 'x', 128, true, true);
        break;
    case 'U':
        op_rm(d, o, sz, 'x', 128, true, false);
        break;
    case 'P':
        x86_app(o, sz, "%%mm%d", d->reg);
        break;
    case 'Q':
        op_rm(d, o, sz, 'm', 64, true, true);
        break;
    case 'N':
        op_rm(d, o, sz, 'm', 64, true, false);
        break;
    case '=':   /* literal text */
        x86_app(o, sz, "%s", c + 1);
        break;
    case 's':   /* sES sCS sSS sDS sFS sGS */
        for (int i = 0; i < 6; i++) {
            if (c[1] == sregs[i][0] - 'a' + 'A') {
                x86_app(o, sz, "%%%s", sregs[i]);
                d->has_reg = true;
                return;
            }
        }
        d->fail = true;
        break;
    default:
        d->fail = true;
    }
}
