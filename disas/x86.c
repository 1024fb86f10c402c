/*
 * x86 disassembler: prefixes, the opcode-table walk, special encodings,
 * x87, mnemonic decorations in GNU objdump's style (size suffixes only
 * where no register gives the size, unused prefixes printed by name,
 * branch hints, "# target" comments on RIP-relative operands). Operands
 * are formatted in x86-operand.c, whose x86_fetch() never reads past
 * len or past 15 bytes; any undecodable or truncated instruction is
 * "(bad)", length 1.
 */
#include "disas/x86.h"
#include "x86-internal.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void set_name(Dis *d, const char *n)
{
    if (d->fwait && n[0] == 'f' && n[1] == 'n') {
        snprintf(d->name, sizeof(d->name), "f%s", n + 2);  /* fnstsw */
        return;
    }
    snprintf(d->name, sizeof(d->name), "%s", n);
}

static bool args_need_modrm(const char *a)
{
    for (const char *p = a; p && *p; p++) {
        if ((p == a || p[-1] == ' ' || p[-1] == '*') &&
            strchr("EGMRCDSVWUPQNB", *p) && p[1] != 'L' && p[1] != 'X') {
            return true;
        }
    }
    return false;
}

/* x87 escape d8..df: sets name and operands itself. */
static bool decode_x87(Dis *d, int op)
{
    int i = op - 0xd8;

    if (!x86_read_modrm(d)) {
        return false;
    }
    if (d->mod != 3) {
        const char *n = x86_fpu_mem[i][d->reg];
        if (!n) {
            return false;
        }
        set_name(d, n);
        x86_decode_mem(d);
        snprintf(d->ops[0], sizeof(d->ops[0]), "%s", d->mem);
        d->nops = 1;
        return true;
    }
    if (i == 1 && d->reg >= 4) {
        const char *n = x86_fpu_d9[d->modrm - 0xe0];
        set_name(d, n ? n : "");
        return n != NULL;
    }
    if (d->modrm == 0xd9 + 0x0 && i == 6) {
        set_name(d, "fcompp");
        return true;
    }
    switch (op << 8 | d->modrm) {
    case 0xd9d0: set_name(d, "fnop"); return true;
    case 0xdae9: set_name(d, "fucompp"); return true;
    case 0xdbe0: set_name(d, "fneni(8087 only)"); return true;
    case 0xdbe1: set_name(d, "fndisi(8087 only)"); return true;
    case 0xdbe4: set_name(d, "fnsetpm(287 only)"); return true;
    case 0xdbe2: set_name(d, "fnclex"); return true;
    case 0xdbe3: set_name(d, "fninit"); return true;
    case 0xdfe0:
        set_name(d, "fnstsw");
        snprintf(d->ops[0], sizeof(d->ops[0]), "%%ax");
        d->nops = 1;
        return true;
    }
    const char *n = x86_fpu_reg[i][d->reg];
    if (!n) {
        return false;
    }
    set_name(d, n + 1);
    d->nops = 0;
    /* ops[] is Intel order: printed reversed */
    if (n[0] == '=') {
        snprintf(d->ops[0], sizeof(d->ops[0]), "%%st(%d)", d->rm);
        d->nops = 1;
    } else {
        snprintf(d->ops[n[0] == '<' ? 0 : 1], sizeof(d->ops[0]), "%%st");
        snprintf(d->ops[n[0] == '<' ? 1 : 0], sizeof(d->ops[0]),
                 "%%st(%d)", d->rm);
        d->nops = 2;
    }
    return true;
}

/* 0f 01 with mod 3: fixed encodings. */
static const char *decode_0f01_reg(Dis *d)
{
    switch (d->modrm) {
    case 0xc1: return "vmcall";
    case 0xc2: return "vmlaunch";
    case 0xc3: return "vmresume";
    case 0xc4: return "vmxoff";
    case 0xcf: return "encls";
    case 0xd7: return "enclu";
    case 0xd9: return "vmmcall";
    case 0xdc: return "stgi";
    case 0xdd: return "clgi";
    case 0xe8: return "serialize";
    case 0xee: return "rdpkru";
    case 0xef: return "wrpkru";
    case 0xca: return "clac";
    case 0xcb: return "stac";
    case 0xd0: return "xgetbv";
    case 0xd1: return "xsetbv";
    case 0xd5: return "xend";
    case 0xd6: return "xtest";
    case 0xf8: return d->mode == 64 ? "swapgs" : NULL;
    case 0xf9: return "rdtscp";
    case 0xfc: return "clzero";
    }
    return NULL;
}

/* Resolve the entry for K_SPECIAL opcodes; false: (bad). */
static bool special(Dis *d, int op, X86Insn *tmp)
{
    *tmp = *d->e;
    tmp->kind = K_PLAIN;
    switch (d->e->idx) {
    case SP_NOP90:
        if (d->rex & 1) {
            tmp->name = "xchg";
            tmp->args = "Zv AX";
        } else if (d->lastrep >= 0 && d->pfx[d->lastrep] == 0xf3) {
            d->usedrep = true;
            tmp->name = "pause";
        } else if (d->last66 >= 0) {
            tmp->name = "xchg";
            tmp->args = "AX AX";
        } else {
            tmp->name = "nop";
        }
        break;
    case SP_63:
        if (d->mode != 64) {
            tmp->name = "arpl";
            tmp->args = "Ew Gw";
        } else {
            tmp->name = x86_rexw(d) ? "movslq" : "movsxd";
            tmp->args = x86_rexw(d) ? "Gv Ed" : "Gv Ed";
            d->rex_used |= d->rex & 8;
        }
        break;
    case SP_MOVIMM:
        tmp->name = d->mode == 64 && x86_rexw(d) ? "movabs" : "mov";
        break;
    case SP_MOVABS_O:
        tmp->name = d->mode == 64 && d->last67 < 0 ? "movabs" : "mov";
        break;
    case SP_JCXZ:
        d->used67 = true;
        tmp->name = d->adsize == 16 ? "jcxz" : d->adsize == 32 ? "jecxz" :
                    "jrcxz";
        break;
    case SP_LES:
        if (d->mode == 64 || d->pos >= d->len || (d->buf[d->pos] >> 6) == 3) {
            return false;
        }
        tmp->name = op == 0xc4 ? "les" : "lds";
        break;
    case SP_ENDBR:
        if (!x86_read_modrm(d)) {
            return false;
        }
        if (d->lastrep >= 0 && d->pfx[d->lastrep] == 0xf3 &&
            (d->modrm == 0xfa || d->modrm == 0xfb)) {
            d->usedrep = true;
            tmp->name = d->modrm == 0xfa ? "endbr64" : "endbr32";
            tmp->args = "";
        } else if (d->lastrep >= 0 && d->pfx[d->lastrep] == 0xf3 &&
                   d->mod == 3 && d->reg == 1) {
            d->usedrep = true;
            tmp->name = "rdssp";
            tmp->args = "Ey";
        } else {
            tmp->name = "nop";
            tmp->args = "Ev";
            tmp->flags = F_SUF;
        }
        break;
    case SP_0F01:
        if (!x86_read_modrm(d)) {
            return false;
        }
        if (d->modrm == 0xfb && d->lastrep < 0) {
            tmp->name = "mwaitx";
            tmp->args = "=%ebx =%ecx =%eax";
        } else if ((d->modrm == 0xc8 || d->modrm == 0xc9 ||
                    d->modrm == 0xfa) && d->lastrep < 0) {
            tmp->name = d->modrm == 0xc8 ? "monitor" : d->modrm == 0xfa ?
                        "monitorx" : "mwait";
            tmp->args = d->modrm == 0xc9 ? "=%ecx =%eax" :
                        d->adsize == 64 ? "=%edx =%ecx =%rax" :
                        d->adsize == 32 ? "=%edx =%ecx =%eax" :
                        "=%edx =%ecx =%ax";
        } else if (d->mod == 3 && d->lastrep >= 0 &&
                   (d->modrm == 0xd9 || d->modrm == 0xfe ||
                    d->modrm == 0xff || d->modrm == 0xe8 ||
                    d->modrm == 0xea)) {
            bool f3 = d->pfx[d->lastrep] == 0xf3;
            tmp->name = !f3 ? (d->modrm == 0xff ? "pvalidate" : NULL) :
                        d->modrm == 0xd9 ? "vmgexit" :
                        d->modrm == 0xe8 ? "setssbsy" :
                        d->modrm == 0xea ? "saveprevssp" :
                        d->modrm == 0xfe ? "rmpadjust" : NULL;
            tmp->args = "";
            d->usedrep = true;
        } else if (d->mod == 3 && d->reg != 4 && d->reg != 6) {
            tmp->name = decode_0f01_reg(d);
            tmp->args = "";
        } else {
            *tmp = x86_groups[GR_7][d->reg];
        }
        break;
    case SP_0FAE: {
        static const char *const mem[8] = {
            "fxsave", "fxrstor", "ldmxcsr", "stmxcsr", "xsave", "xrstor",
            "xsaveopt", "clflush" };
        static const char *const mem64[8] = {
            "fxsave64", "fxrstor64", "ldmxcsr", "stmxcsr", "xsave64",
            "xrstor64", "xsaveopt64", "clflush" };
        if (!x86_read_modrm(d)) {
            return false;
        }
        if (d->lastrep < 0 && d->last66 >= 0) {     /* 66 0f ae */
            d->used66 = true;
            tmp->name = d->mod != 3 ? (d->reg == 6 ? "clwb" : d->reg == 7 ?
                                       "clflushopt" : NULL)
                                    : (d->reg == 6 ? "tpause" : NULL);
            tmp->args = d->mod != 3 ? "M" : "Ed";
            break;
        }
        if (d->lastrep >= 0 && d->mod == 3 && d->reg >= 5) {
            bool f3 = d->pfx[d->lastrep] == 0xf3;
            d->usedrep = true;
            tmp->name = d->reg == 5 ? (f3 ? "incssp" : NULL) :
                        d->reg == 6 ? (f3 ? "umonitor" : "umwait") : NULL;
            tmp->args = d->reg == 5 ? "Ey" : f3 ? "Er" : "Ed";
            break;
        }
        if (d->lastrep >= 0) {          /* f3 0f ae /0-/3: fs/gs base */
            static const char *const n[4] = {
                "rdfsbase", "rdgsbase", "wrfsbase", "wrgsbase" };
            if (d->pfx[d->lastrep] != 0xf3 || d->mod != 3 || d->reg > 3 ||
                d->mode != 64) {
                return false;
            }
            d->usedrep = true;
            tmp->name = n[d->reg];
            tmp->args = "Ey";
            break;
        }
        if (d->mod == 3) {
            tmp->name = d->reg == 5 ? "lfence" : d->reg == 6 ? "mfence" :
                        d->reg == 7 ? "sfence" : NULL;
            tmp->args = "";
        } else {
            tmp->name = (x86_rexw(d) ? mem64 : mem)[d->reg];
            if (x86_rexw(d)) {
                d->rex_used |= 8;
            }
            tmp->args = "M";
        }
        break;
    }
    case SP_0FC7:
        if (!x86_read_modrm(d)) {
            return false;
        }
        if (d->mod != 3 && d->reg == 1) {
            tmp->name = x86_rexw(d) ? "cmpxchg16b" : "cmpxchg8b";
            d->rex_used |= d->rex & 8;
            tmp->args = "M";
        } else if (d->mod != 3 && d->reg >= 3 && d->reg <= 5 &&
                   d->lastrep < 0 && d->last66 < 0) {
            static const char *const n[2][3] = {
                { "xrstors", "xsavec", "xsaves" },
                { "xrstors64", "xsavec64", "xsaves64" } };
            tmp->name = n[x86_rexw(d) ? 1 : 0][d->reg - 3];
            d->rex_used |= d->rex & 8;
            tmp->args = "M";
        } else if (d->mod != 3 && d->reg == 6 && d->lastrep < 0) {
            tmp->name = d->last66 >= 0 ? "vmclear" : "vmptrld";
            d->used66 = true;
            tmp->args = "M";
        } else if (d->mod != 3 && d->reg == 6 && d->last66 < 0 &&
                   d->pfx[d->lastrep] == 0xf3) {
            tmp->name = "vmxon";
            d->usedrep = true;
            tmp->args = "M";
        } else if (d->mod != 3 && d->reg == 7 && d->lastrep < 0 &&
                   d->last66 < 0) {
            tmp->name = "vmptrst";
            tmp->args = "M";
        } else if (d->mod == 3 && d->reg == 7 && d->last66 < 0 &&
                   d->lastrep >= 0 && d->pfx[d->lastrep] == 0xf3) {
            tmp->name = "rdpid";
            d->usedrep = true;
            tmp->args = "Er";
        } else if (d->mod == 3 && (d->reg == 6 || d->reg == 7) &&
                   d->lastrep < 0) {
            tmp->name = d->reg == 6 ? "rdrand" : "rdseed";
            tmp->args = "Ev";
        } else {
            return false;
        }
        break;
    default:
        return false;
    }
    return tmp->name != NULL;
}

static bool legacy_prefix(uint8_t b)
{
    return b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3 ||
           b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 ||
           b == 0x65;
}

static const char *const cmp_pred[32] = {
    "eq", "lt", "le", "unord", "neq", "nlt", "nle", "ord",
    "eq_uq", "nge", "ngt", "false", "neq_oq", "ge", "gt", "true",
    "eq_os", "lt_oq", "le_oq", "unord_s", "neq_us", "nlt_uq", "nle_uq",
    "ord_s", "eq_us", "nge_uq", "ngt_uq", "false_os", "neq_os", "ge_oq",
    "gt_oq", "true_us" };

static bool decode(Dis *d)
{
    X86Insn tmp;
    int op;

    d->last66 = d->last67 = d->lastrep = d->lastseg = d->rexidx = -1;
    for (;;) {
        uint8_t b = x86_fetch(d, 1);
        if (d->fail) {
            return false;
        }
        bool is_rex = d->mode == 64 && (b & 0xf0) == 0x40;
        bool legacy = legacy_prefix(b);
        if (d->rex && (is_rex || legacy || b == 0x9b)) {
            d->pos--;           /* objdump: the REX stands alone */
            d->prefix_only = true;
            return true;
        }
        if (b == 0x9b && !d->fwait) {
            size_t k = d->pos;
            while (k < d->len && k < MAX_INSN &&
                   (legacy_prefix(d->buf[k]) ||
                    (d->mode == 64 && (d->buf[k] & 0xf0) == 0x40))) {
                k++;
            }
            if (k < d->len && d->buf[k] >= 0xd8 && d->buf[k] <= 0xdf) {
                d->fwait = true;        /* fstsw & co: printed without n */
                continue;
            }
        }
        if (legacy) {
            int i = d->npfx++;
            d->pfx[i] = b;
            d->rex = 0;
            if (b == 0x66) {
                d->last66 = i;
            } else if (b == 0x67) {
                d->last67 = i;
            } else if (b == 0xf2 || b == 0xf3) {
                d->lastrep = i;
            } else if (b != 0xf0) {
                d->lastseg = i;
            }
            continue;
        }
        if (is_rex) {
            d->rexidx = d->npfx;
            d->pfx[d->npfx++] = b;
            d->rex = b;
            continue;
        }
        op = b;
        break;
    }
    if (d->rexidx >= 0 && d->rexidx != d->npfx - 1) {
        d->rexidx = -1;                 /* a prefix followed it: ignored */
    }
    if (d->mode == 64) {
        d->adsize = d->last67 >= 0 ? 32 : 64;
    } else {
        d->adsize = (d->mode == 32) != (d->last67 >= 0) ? 32 : 16;
    }
    if ((op == 0xc4 || op == 0xc5) && d->pos < d->len &&
        (d->mode == 64 || (d->buf[d->pos] >> 6) == 3)) {
        if (!x86_decode_vex(d, op, &tmp)) {
            return false;
        }
        d->e = &tmp;
        op = 0x300;                     /* no one-byte special applies */
    } else if (op == 0x0f) {
        op = 0x100 | x86_fetch(d, 1);
        if (d->fail) {
            return false;
        }
        d->e = &x86_op2[op & 0xff];
        if (op == 0x138 || op == 0x13a) {
            int op3 = x86_fetch(d, 1);
            int pfx = d->lastrep >= 0 ? (d->pfx[d->lastrep] == 0xf3 ? 2 : 3)
                      : d->last66 >= 0 ? 1 : 0;
            /* movbe/crc32: 66 is the operand size, not a mandatory one */
            bool sized = op == 0x138 && op3 >= 0xf0;
            if (d->fail ||
                (!x86_lookup_3byte(op & 0xff, op3, pfx, &tmp) &&
                 !(sized && pfx == 1 &&
                   x86_lookup_3byte(op & 0xff, op3, 0, &tmp)))) {
                return false;
            }
            if (pfx >= 2) {
                d->usedrep = true;
            } else if (pfx == 1 && !sized) {
                d->used66 = true;
            }
            d->e = &tmp;
            op = 0x200 | op3;           /* no one-byte special applies */
        }
        if (op == 0x11c && d->last66 < 0 && d->lastrep < 0 &&
            d->pos < d->len && (d->buf[d->pos] & 0xc0) != 0xc0 &&
            (d->buf[d->pos] & 0x38) == 0) {
            tmp = (X86Insn){ "cldemote", "M", 0, K_PLAIN, 0 };
            d->e = &tmp;
        }
        if (d->lastrep >= 0 && d->pfx[d->lastrep] == 0xf3 &&
            (op == 0x1b8 || op == 0x1bc || op == 0x1bd)) {
            d->usedrep = true;
            tmp = (X86Insn){ op == 0x1b8 ? "popcnt" : op == 0x1bc ?
                             "tzcnt" : "lzcnt", "Gv Ev", 0, K_PLAIN, 0 };
            d->e = &tmp;
        }
    } else if (op < 0x100) {
        d->e = &x86_op1[op];
    }
    d->flags = d->e->flags;
    d->args = d->e->args;
    d->xrel = op == 0x88 || op == 0x89 || op == 0xc6 || op == 0xc7;

    bool p66 = d->last66 >= 0;
    for (int guard = 0; guard < 4; guard++) {
        const X86Insn *e = d->e;
        if (e->kind == K_GROUP) {
            if (!x86_read_modrm(d)) {
                return false;
            }
            d->e = &x86_groups[e->idx][d->reg];
            if ((e->idx == GR_11B || e->idx == GR_11V) && d->modrm == 0xf8) {
                tmp = (X86Insn){ e->idx == GR_11B ? "xabort" : "xbegin",
                                 e->idx == GR_11B ? "Ib" : "Jz", 0,
                                 K_PLAIN, 0 };
                d->e = &tmp;
                d->flags = 0;
            }
            d->flags |= d->e->flags;
            if (d->e->args) {
                d->args = d->e->args;
            }
        } else if (e->kind == K_SSE) {
            int v = 0;
            if (d->lastrep >= 0) {
                v = d->pfx[d->lastrep] == 0xf3 ? 2 : 3;
                d->usedrep = true;
            } else if (p66) {
                v = 1;
                d->used66 = true;
            }
            d->e = &x86_sse[e->idx][v];
            d->flags |= d->e->flags;
            d->args = d->e->args;
        } else if (e->kind == K_SPECIAL) {
            if (op >= 0xd8 && op <= 0xdf) {
                return decode_x87(d, op);
            }
            if (!special(d, op, &tmp)) {
                return false;
            }
            d->e = &tmp;
            d->flags |= tmp.flags;
            d->args = tmp.args;
        } else {
            break;
        }
    }
    if (!d->e->name || (d->mode == 64 && (d->flags & F_I64))) {
        return false;
    }
    set_name(d, d->e->name);

    /* operand and address sizes */
    if (d->mode == 64) {
        d->opsize = x86_rexw(d) ? 64 : (d->flags & (F_D64 | F_F64)) ?
                    (p66 && !(d->flags & F_F64) ? 16 : 64) : p66 ? 16 : 32;
    } else {
        d->opsize = (d->mode == 32) != p66 ? 32 : 16;
    }

    const char *args = d->args ? d->args : "";
    char xargs[32];
    if (d->e->kind == K_MMX) {
        if (d->lastrep >= 0) {
            return false;
        }
        if (p66) {      /* the xmm form */
            d->used66 = true;
            snprintf(xargs, sizeof(xargs), "%s", args);
            for (char *p = xargs; *p; p++) {
                if ((p == xargs || p[-1] == ' ') && strchr("PQN", *p)) {
                    *p = *p == 'P' ? 'V' : *p == 'Q' ? 'W' : 'U';
                }
            }
            args = xargs;
        }
    }
    if (args_need_modrm(args) && !x86_read_modrm(d)) {
        return false;
    }
    if (d->has_modrm && d->mod != 3 && !strchr(args, 'R') && !d->mem_done) {
        x86_decode_mem(d);
    }

    /* operands, Intel order */
    char code[24];
    for (const char *a = args; *a && d->nops < 4;) {
        size_t n = strcspn(a, " ");
        if (n && n < sizeof(code)) {
            memcpy(code, a, n);
            code[n] = 0;
            if (strcmp(code, "1")) {
                d->ops[d->nops][0] = 0;
                x86_operand(d, code, d->ops[d->nops], sizeof(d->ops[0]));
                d->nops++;
            }
        }
        a += n;
        while (*a == ' ') {
            a++;
        }
    }
    if (d->fail) {
        return false;
    }

    /* name decorations */
    char *slash = strchr(d->name, '/');
    if (slash) {
        if (d->mod == 3) {
            memmove(d->name, slash + 1, strlen(slash + 1) + 1);
        } else {
            *slash = 0;
        }
    }
    char *pct = strchr(d->name, '%');
    if (pct) {          /* cmp%ps: predicate pseudo-op from the imm8 */
        uint8_t imm = d->buf[d->pos - 1];
        char tail[8];
        snprintf(tail, sizeof(tail), "%s", pct + 1);
        *pct = 0;
        if (imm < (d->vex ? 32 : 8)) {
            x86_app(d->name, sizeof(d->name), "%s%s", cmp_pred[imm], tail);
            d->nops--;
        } else {
            x86_app(d->name, sizeof(d->name), "%s", tail);
        }
    }
    bool loop = !strncmp(d->name, "loop", 4);
    if (loop && d->last67 >= 0) {
        d->used67 = true;
        x86_app(d->name, sizeof(d->name), "%c", d->adsize == 16 ? 'w' : 'l');
    }
    if ((loop || (d->name[0] == 'j' && strcmp(d->name, "jmp"))) &&
        d->lastseg >= 0) {
        int hint = 0;
        for (int i = 0; i < d->npfx; i++) {
            hint = d->pfx[i] == 0x2e || d->pfx[i] == 0x3e ? d->pfx[i] : hint;
        }
        if (hint) {
            d->usedseg = true;
            x86_app(d->name, sizeof(d->name), hint == 0x2e ? ",pn" : ",pt");
        }
    }
    if ((!strcmp(d->name, "pextrd") || !strcmp(d->name, "pinsrd")) &&
        x86_rexw(d)) {
        d->name[5] = 'q';
        d->rex_used |= 8;
    }
    if (!strcmp(d->name, "incssp") || !strcmp(d->name, "rdssp")) {
        x86_app(d->name, sizeof(d->name), "%c", x86_rexw(d) ? 'q' : 'd');
    }
    if (!strcmp(d->name, "crc32") && d->has_mem) {
        int s = d->memsize;
        x86_app(d->name, sizeof(d->name), "%c", s == 8 ? 'b' : s == 16 ?
                'w' : s == 32 ? 'l' : 'q');
    }
    if (!strcmp(d->name, "pclmulqdq")) {
        uint8_t imm = d->buf[d->pos - 1];
        if ((imm & 0xee) == 0) {
            snprintf(d->name, sizeof(d->name), "pclmul%sq%sqdq",
                     imm & 1 ? "h" : "l", imm & 0x10 ? "h" : "l");
            d->nops--;
        }
    }
    if (!strcmp(d->name, "movd") && x86_rexw(d)) {
        set_name(d, "movq");
        d->rex_used |= 8;
    }
    if (d->vex && !d->vex_gpr) {
        memmove(d->name + 1, d->name, strnlen(d->name, sizeof(d->name) - 2)
                + 1);
        d->name[0] = 'v';
    }
    if (d->flags & F_ALT) {
        int s = x86_osize(d);
        char alt[3][16] = { "", "", "" };
        sscanf(d->e->name, "%15[^|]|%15[^|]|%15s", alt[0], alt[1], alt[2]);
        set_name(d, alt[s == 16 ? 0 : s == 32 ? 1 : 2]);
    }
    if (d->flags & F_OSUF) {
        int s = x86_osize(d);
        x86_app(d->name, sizeof(d->name), "%c", s == 16 ? 'w' : s == 32 ? 'l' :
            'q');
    } else if ((d->flags & F_PSUF) && d->mode == 64 && x86_rexw(d) &&
               !(d->flags & F_D64)) {
        d->rex_used |= 8;
        x86_app(d->name, sizeof(d->name), "q");
    } else if ((d->flags & F_PSUF) && p66 && !x86_rexw(d)) {
        int s = x86_osize(d);
        x86_app(d->name, sizeof(d->name), "%c", s == 16 ? 'w' : 'l');
    } else if ((d->flags & F_PSUFM) && p66 && !x86_rexw(d) && d->has_mem) {
        d->used66 = true;
        x86_app(d->name, sizeof(d->name), "%c", d->opsize == 16 ? 'w' : 'l');
    } else if ((d->flags & F_DT) && d->mode != 64) {
        x86_app(d->name, sizeof(d->name), "%c", x86_osize(d) == 16 ? 'w' : 'l');
    } else if ((d->flags & F_SYS) && d->mode == 64) {
        d->rex_used |= d->rex & 8;
        x86_app(d->name, sizeof(d->name), "%c", x86_rexw(d) ? 'q' : 'l');
    } else if ((d->flags & F_SUF) && d->has_mem && !d->has_reg &&
               !(d->mode == 64 && (d->flags & F_D64) && d->opsize == 64)) {
        int s = d->memsize;
        x86_app(d->name, sizeof(d->name), "%c", s == 8 ? 'b' : s == 16 ? 'w' :
            s == 32 ? 'l' : 'q');
    }
    return true;
}

static void prefix_names(Dis *d, char *o, size_t sz)
{
    for (int i = 0; i < d->npfx; i++) {
        uint8_t b = d->pfx[i];
        const char *n = NULL;
        char rexname[16];

        if (b == 0xf0) {
            n = "lock";
        } else if (b == 0xf2 || b == 0xf3) {
            if (i == d->lastrep && d->usedrep) {
                continue;
            }
            bool locked = false;
            for (int k = 0; k < d->npfx; k++) {
                locked |= d->pfx[k] == 0xf0;
            }
            if (i == d->lastrep && (d->flags & (F_REP | F_REPZ))) {
                n = b == 0xf2 ? "repnz" : (d->flags & F_REP) ? "rep" : "repz";
            } else if (d->has_mem && (d->flags & F_LOCK) &&
                       (locked || !strncmp(d->name, "xchg", 4))) {
                n = b == 0xf2 ? "xacquire" : "xrelease";
            } else if (d->has_mem && b == 0xf3 && d->xrel) {
                n = b == 0xf2 ? "xacquire" : "xrelease";
            } else if (b == 0xf2 && (d->flags & F_BND)) {
                n = "bnd";
            } else {
                n = b == 0xf2 ? "repnz" : "repz";
            }
        } else if (b == 0x66) {
            if (i == d->last66 && d->used66) {
                continue;
            }
            n = d->mode == 16 ? "data32" : "data16";
        } else if (b == 0x67) {
            if (i == d->last67 && d->used67) {
                continue;
            }
            n = d->mode == 32 ? "addr16" : "addr32";
        } else if ((b & 0xf0) == 0x40 && d->mode == 64) {
            if (i == d->rexidx && !d->prefix_only &&
                !((b & 0xf) & ~d->rex_used) &&
                (b != 0x40 || d->byte_rex)) {
                continue;
            }
            snprintf(rexname, sizeof(rexname), "rex%s%s%s%s%s",
                     b & 0xf ? "." : "", b & 8 ? "W" : "", b & 4 ? "R" : "",
                     b & 2 ? "X" : "", b & 1 ? "B" : "");
            n = rexname;
        } else {
            if (i == d->lastseg && d->usedseg) {
                continue;
            }
            n = b == 0x26 ? "es" : b == 0x2e ? "cs" : b == 0x36 ? "ss" :
                b == 0x3e ? "ds" : b == 0x64 ? "fs" : "gs";
            if (b == 0x3e && i == d->lastseg && d->nops == 1 &&
                d->ops[0][0] == '*' && (d->flags & F_BND)) {
                n = "notrack";
            }
        }
        x86_app(o, sz, "%s ", n);
    }
}

int disas_x86(const uint8_t *buf, size_t len, uint64_t pc, int mode,
              char *out, size_t outlen)
{
    static Dis zero;
    Dis d = zero;
    char text[256] = "";

    if (outlen) {
        out[0] = 0;
    }
    if (len == 0) {
        return 0;
    }
    d.buf = buf;
    d.len = len;
    d.pc = pc;
    d.mode = mode == 16 || mode == 32 ? mode : 64;
    if (!decode(&d) || d.fail) {
        if (outlen) {
            snprintf(out, outlen, "(bad)");
        }
        return 1;
    }
    prefix_names(&d, text, sizeof(text));
    if (d.prefix_only) {
        text[strlen(text) - 1] = 0;
    }
    x86_app(text, sizeof(text), "%s", d.name);
    if (d.nops) {
        size_t l = strlen(text);
        x86_app(text, sizeof(text), "%*s", l < 6 ? (int)(7 - l) : 1, "");
        for (int k = 0; k < d.nops; k++) {
            int i = (d.flags & F_NOREV) ? k : d.nops - 1 - k;
            x86_app(text, sizeof(text), "%s%s", d.ops[i],
                k < d.nops - 1 ? "," : "");
        }
    }
    if (d.rip) {
        uint64_t t = d.pc + d.pos + d.rip_disp;
        x86_app(text, sizeof(text), "        # 0x%" PRIx64, t);
    }
    if (outlen) {
        snprintf(out, outlen, "%s", text);
    }
    return (int)d.pos;
}
