/*
 * Instruction decoder: prefixes, REX, VEX (for BMI only), ModRM/SIB with
 * 16/32/64-bit addressing, displacements and immediates (SDM Vol. 2, ch. 2).
 * The opcode maps come from decode-table.h.
 */
#include "target/i386/engine.h"

typedef struct {
    X86Handler fn;
    uint32_t flags;
} OpEntry;

static OpEntry optab[4][256];

static void decode_init_once(void)
{
#define X(map, lo, hi, fl, f)                                   \
    for (unsigned o = (lo); o <= (hi); o++) {                   \
        optab[map][o].fn = f;                                   \
        optab[map][o].flags = (fl);                             \
    }
#include "target/i386/decode-table.h"
#undef X
}

void x86_decode_init(void)
{
    static gsize done;

    if (g_once_init_enter(&done)) {
        decode_init_once();
        g_once_init_leave(&done, 1);
    }
}

X86Handler x86_generic_handler(const X86Insn *insn)
{
    const OpEntry *e = &optab[insn->map & 3][insn->opcode];

    /* what x86_decode chose: SSE-table entries all go through op_sse */
    return (e->flags & SSE) ? op_sse : e->fn;
}

int op_ud(X86CPU *cpu, const X86Insn *insn)
{
    return x86_ud(cpu);
}

/* Fetch helpers: bounds-checked reads from the byte buffer. */
#define NEED(n)                                 \
    do {                                        \
        if (p + (n) > 15) {                     \
            return DEC_LONG;                    \
        }                                       \
        if (p + (n) > avail) {                  \
            return DEC_MORE;                    \
        }                                       \
    } while (0)

static uint64_t get_le(const uint8_t *b, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++) {
        v |= (uint64_t)b[i] << (8 * i);
    }
    return v;
}

static int64_t sext(uint64_t v, unsigned bytes)
{
    unsigned sh = 64 - bytes * 8;
    return bytes >= 8 ? (int64_t)v : ((int64_t)(v << sh)) >> sh;
}

int x86_decode(X86CPU *cpu, const uint8_t *b, unsigned avail, X86Insn *insn)
{
    unsigned p = 0;
    bool mode64 = cpu->code64, def32 = cpu->code32;
    uint8_t rex = 0, last_rep = 0, op, map = MAP_1B;
    int seg = -1;
    uint32_t fl;
    bool vex = false;
    unsigned opsize, addrsize;

    memset(insn, 0, sizeof(*insn));
    insn->base = insn->index = X86_NOREG;

    /* legacy prefixes, REX */
    for (;;) {
        NEED(1);
        op = b[p];
        switch (op) {
        case 0xf0: insn->prefix |= PFX_LOCK; break;
        case 0xf2: insn->prefix |= PFX_REPNE; last_rep = op; break;
        case 0xf3: insn->prefix |= PFX_REP; last_rep = op; break;
        case 0x26: seg = SEG_ES; break;
        case 0x2e: seg = SEG_CS; break;
        case 0x36: seg = SEG_SS; break;
        case 0x3e: seg = SEG_DS; break;
        case 0x64: seg = SEG_FS; break;
        case 0x65: seg = SEG_GS; break;
        case 0x66: insn->prefix |= PFX_OPSIZE; break;
        case 0x67: insn->prefix |= PFX_ADDR; break;
        default:
            if (mode64 && (op & 0xf0) == 0x40) {
                rex = op;           /* only counts if the opcode follows */
                p++;
                continue;
            }
            goto prefixes_done;
        }
        rex = 0;
        p++;
    }
prefixes_done:
    if (rex) {
        insn->rex = rex;
        insn->prefix |= PFX_REX;
        insn->vex_w = (rex >> 3) & 1;
    }
    if (last_rep == 0xf3) {
        insn->mandatory = MP_F3;
    } else if (last_rep == 0xf2) {
        insn->mandatory = MP_F2;
    } else if (insn->prefix & PFX_OPSIZE) {
        insn->mandatory = MP_66;
    }

    /* opcode, escapes, VEX */
    NEED(1);
    op = b[p++];
    if (op == 0x0f) {
        NEED(1);
        op = b[p++];
        map = MAP_0F;
        if (op == 0x38 || op == 0x3a) {
            map = op == 0x38 ? MAP_0F38 : MAP_0F3A;
            NEED(1);
            op = b[p++];
        }
    } else if ((op == 0xc4 || op == 0xc5) && !(cpu->cr0 & CR0_PE &&
                                                 !(cpu->eflags & F_VM)) ) {
        /* real and v8086 mode: always LES/LDS */
    } else if (op == 0xc4 || op == 0xc5) {
        NEED(1);
        if (mode64 || (b[p] & 0xc0) == 0xc0) {
            uint8_t v1 = b[p], v2;
            if (rex || insn->prefix & (PFX_OPSIZE | PFX_REP | PFX_REPNE |
                                       PFX_LOCK)) {
                goto undefined;
            }
            vex = true;
            insn->prefix |= PFX_VEX;
            if (op == 0xc5) {
                p++;
                insn->rex = 0x40 | (v1 & 0x80 ? 0 : 4);
                v2 = v1;
                map = MAP_0F;
                insn->vex_w = 0;
            } else {
                NEED(2);
                v2 = b[p + 1];
                p += 2;
                insn->rex = 0x40 | (v1 & 0x80 ? 0 : 4) | (v1 & 0x40 ? 0 : 2) |
                            (v1 & 0x20 ? 0 : 1) | (v2 & 0x80 ? 8 : 0);
                insn->vex_w = v2 >> 7;
                switch (v1 & 0x1f) {
                case 1: map = MAP_0F; break;
                case 2: map = MAP_0F38; break;
                case 3: map = MAP_0F3A; break;
                default: goto undefined;
                }
            }
            if (!mode64) {
                insn->rex &= ~7;    /* R/X/B ignored outside 64-bit mode */
                insn->rex = insn->rex ? insn->rex : 0;
            }
            insn->prefix |= PFX_REX;
            insn->vex_v = (~v2 >> 3) & 15;
            if (!mode64) {
                insn->vex_v &= 7;
            }
            insn->vex_l = (v2 >> 2) & 1;
            insn->mandatory = v2 & 3;    /* pp: none, 66, F3, F2 */
            rex = insn->rex;
            NEED(1);
            op = b[p++];
        }
    }
    insn->map = map;
    insn->opcode = op;
    fl = optab[map][op].flags;
    insn->handler = optab[map][op].fn;
    if (!insn->handler) {
        goto undefined;
    }
    if (vex ? !(fl & (VEXONLY | VEXOK)) : !!(fl & VEXONLY)) {
        goto undefined;
    }
    if (mode64 && (fl & I64)) {
        goto undefined;
    }
    if (fl & SSE) {
        insn->handler = op_sse;
    }

    /* sizes */
    if (fl & B) {
        opsize = 1;
    } else if (mode64) {
        if (rex & 8) {
            opsize = 8;
        } else if (fl & F64) {
            opsize = 8;
        } else if (insn->prefix & PFX_OPSIZE) {
            opsize = 2;
        } else {
            opsize = (fl & D64) ? 8 : 4;
        }
    } else {
        opsize = (def32 ^ !!(insn->prefix & PFX_OPSIZE)) ? 4 : 2;
    }
    if (mode64) {
        addrsize = (insn->prefix & PFX_ADDR) ? 4 : 8;
    } else {
        addrsize = (def32 ^ !!(insn->prefix & PFX_ADDR)) ? 4 : 2;
    }
    insn->opsize = opsize;
    insn->addrsize = addrsize;
    insn->seg = SEG_DS;

    /* ModRM, SIB, displacement */
    if (fl & M) {
        uint8_t modrm, mod, rm;
        NEED(1);
        modrm = b[p++];
        insn->modrm = modrm;
        mod = modrm >> 6;
        rm = modrm & 7;
        insn->reg = ((modrm >> 3) & 7) | ((rex & 4) << 1);
        if (fl & NOMODRM_MEM) {
            mod = 3;
        }
        insn->mod = mod;
        if (mod == 3) {
            insn->rm = rm | ((rex & 1) << 3);
        } else if (addrsize == 2) {
            static const uint8_t b16[8] = { R_EBX, R_EBX, R_EBP, R_EBP,
                                            X86_NOREG, X86_NOREG, R_EBP,
                                            R_EBX };
            static const uint8_t i16[8] = { R_ESI, R_EDI, R_ESI, R_EDI,
                                            R_ESI, R_EDI, X86_NOREG,
                                            X86_NOREG };
            insn->base = b16[rm];
            insn->index = i16[rm];
            if (mod == 0 && rm == 6) {
                insn->base = X86_NOREG;
                NEED(2);
                insn->disp = sext(get_le(b + p, 2), 2);
                p += 2;
            } else if (mod == 1) {
                NEED(1);
                insn->disp = (int8_t)b[p++];
            } else if (mod == 2) {
                NEED(2);
                insn->disp = sext(get_le(b + p, 2), 2);
                p += 2;
            }
            if (insn->base == R_EBP) {
                insn->seg = SEG_SS;
            }
        } else {
            unsigned base = rm;
            if (rm == 4) {
                uint8_t sib;
                NEED(1);
                sib = b[p++];
                insn->scale = sib >> 6;
                insn->index = ((sib >> 3) & 7) | ((rex & 2) << 2);
                if (insn->index == 4) {
                    insn->index = X86_NOREG;
                }
                base = sib & 7;
                if (base == 5 && mod == 0) {
                    insn->base = X86_NOREG;
                    NEED(4);
                    insn->disp = sext(get_le(b + p, 4), 4);
                    p += 4;
                } else {
                    insn->base = base | ((rex & 1) << 3);
                }
            } else if (rm == 5 && mod == 0) {
                NEED(4);
                insn->disp = sext(get_le(b + p, 4), 4);
                p += 4;
                insn->riprel = mode64;
            } else {
                insn->base = rm | ((rex & 1) << 3);
            }
            if (mod == 1) {
                NEED(1);
                insn->disp = (int8_t)b[p++];
            } else if (mod == 2) {
                NEED(4);
                insn->disp = sext(get_le(b + p, 4), 4);
                p += 4;
            }
            if (insn->base == R_ESP || insn->base == R_EBP) {
                insn->seg = SEG_SS;
            }
        }
    } else {
        insn->mod = 3;
        insn->reg = 0;
        insn->rm = (op & 7) | ((rex & 1) << 3);
    }
    if (seg >= 0) {
        insn->prefix |= PFX_SEG;
        if (!mode64 || seg >= SEG_FS) {
            insn->seg = seg;
        }
    }
    if (mode64 && insn->seg < SEG_FS) {
        insn->seg = SEG_DS;
    }

    /* immediates */
    if ((fl & GRP3) && ((insn->modrm >> 3) & 7) >= 2) {
        fl &= ~(I8 | IZ);
    } else if (fl & GRP3) {
        fl |= (opsize == 1) ? I8 : IZ;
    }
    if (fl & (I8 | S8)) {
        if (fl & IW) {
            /* ENTER: imm16, imm8 */
        } else {
            NEED(1);
            insn->imm = (fl & S8) ? (uint64_t)(int64_t)(int8_t)b[p] : b[p];
            p++;
        }
    }
    if (fl & IZ) {
        unsigned n = opsize == 2 ? 2 : 4;
        NEED(n);
        insn->imm = sext(get_le(b + p, n), n);
        p += n;
    }
    if (fl & IV) {
        NEED(opsize);
        insn->imm = get_le(b + p, opsize);
        p += opsize;
    }
    if (fl & IW) {
        NEED(2);
        insn->imm = get_le(b + p, 2);
        p += 2;
        if (fl & ENTER) {
            NEED(1);
            insn->imm2 = b[p++];
        }
    }
    if (fl & IAP) {
        unsigned n = opsize == 2 ? 2 : 4;
        NEED(n + 2);
        insn->imm = get_le(b + p, n);
        insn->imm2 = get_le(b + p + n, 2);
        p += n + 2;
    }
    if (fl & MOFFS) {
        NEED(addrsize);
        insn->disp = (int64_t)get_le(b + p, addrsize);
        p += addrsize;
        insn->mod = 0;
    }

    /* LOCK: only on lockable instructions with a memory destination */
    if ((insn->prefix & PFX_LOCK) && (!(fl & LK) || insn->mod == 3)) {
        goto undefined_len;
    }
    if (insn->handler == op_grp2 || insn->handler == op_shld_shrd) {
        X86Handler h = x86_shift_pick(insn);    /* q1: specialised shifts */
        insn->handler = h ? h : insn->handler;
    }
    insn->len = p;
    return p;

undefined:
    /* length is not known precisely: what we consumed, at least 1 */
    insn->handler = op_ud;
    insn->len = p ? p : 1;
    return insn->len;
undefined_len:
    insn->handler = op_ud;
    insn->len = p;
    return p;
}
