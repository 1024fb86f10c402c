/*
 * Differential harness: the instruction form table and the generator that
 * turns a form into one concrete case: prefixes, REX/VEX, ModRM with a
 * register or a memory operand (base, base+disp8, SIB, RIP-relative) that
 * points into the data area, immediates, implicit inputs (CL counts, string
 * pointers, x87 stack, MXCSR), and the per-case mask of undefined results.
 */
#include <glib.h>
#include <stdarg.h>
#include <string.h>

#include "forms.h"

static GArray *forms;
static GPtrArray *names;
static GArray *seq_cand, *seq_cand_fp;

const char *diff_form_printf(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (!names) {
        names = g_ptr_array_new_with_free_func(g_free);
    }
    g_ptr_array_add(names, s);
    return s;
}

void diff_forms_free(void)
{
    if (forms) {
        g_array_free(forms, TRUE);
        forms = NULL;
    }
    if (names) {
        g_ptr_array_free(names, TRUE);
        names = NULL;
    }
    if (seq_cand) {
        g_array_free(seq_cand, TRUE);
        g_array_free(seq_cand_fp, TRUE);
        seq_cand = seq_cand_fp = NULL;
    }
}

void diff_form_add(const DiffForm *f)
{
    if (!forms) {
        forms = g_array_new(FALSE, TRUE, sizeof(DiffForm));
    }
    g_array_append_vals(forms, f, 1);
}

static void forms_init(void)
{
    if (!forms) {
        diff_forms_int_register();
        diff_forms_fp_register();
    }
}

size_t diff_forms_count(void)
{
    forms_init();
    return forms->len;
}

const DiffForm *diff_form_get(size_t i)
{
    forms_init();
    return &g_array_index(forms, DiffForm, i);
}

const char *diff_form_name(const DiffForm *f)
{
    return f->name;
}

const char *diff_form_family(const DiffForm *f)
{
    return f->family;
}

typedef struct Emit {
    uint8_t *b;
    unsigned n;
} Emit;

static void put8(Emit *e, uint8_t v)
{
    if (e->n < DIFF_CODE_MAX) {
        e->b[e->n++] = v;
    }
}

static void put32(Emit *e, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        put8(e, (uint8_t)(v >> (8 * i)));
    }
}

static bool compat32;       /* 32-bit code: no REX, no RIP-relative, no 67 */

static unsigned pick_reg(DiffRng *r, unsigned cls, uint32_t setup)
{
    unsigned n;

    if (cls == RC_MMX || cls == RC_X87) {
        return (unsigned)diff_rng_below(r, 8);
    }
    if ((setup & SU_NOREX) || compat32) {
        return (unsigned)diff_rng_below(r, 8);
    }
    do {
        n = (unsigned)diff_rng_below(r, 16);
    } while (cls == RC_GPR && n == R_SP && (setup & SU_NOSP));
    return n;
}

/* An interesting shift/rotate count */
static uint8_t pick_count(DiffRng *r, unsigned opsize)
{
    static const uint8_t counts[] = {
        0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 0xff, 0xe1,
    };
    if (diff_rng_below(r, 4) == 0) {
        return (uint8_t)diff_rng_next(r);
    }
    if (diff_rng_below(r, 3) == 0) {
        return (uint8_t)(opsize * 8 - diff_rng_below(r, 2));
    }
    return counts[diff_rng_below(r, sizeof(counts))];
}

static uint64_t read_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n && i < 8; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

static void setup_x87(DiffRng *r, const DiffForm *f, DiffState *s)
{
    unsigned top = (unsigned)diff_rng_below(r, 8);
    unsigned depth = 2 + (unsigned)diff_rng_below(r, 7);   /* 2..8 */

    if ((f->setup & SU_X87EMPTY) && diff_rng_below(r, 8) == 0) {
        depth = (unsigned)diff_rng_below(r, 2);
    }
    if (diff_rng_below(r, 8) == 0) {
        depth = 8;
    }
    s->fx.ftw = 0;
    for (unsigned i = 0; i < depth; i++) {
        s->fx.ftw |= (uint8_t)(1u << ((top + i) & 7));
    }
    s->fx.fsw = (uint16_t)(top << 11);
    /*
     * FXSAVE stores ST(i) in slot i (stack order), not by physical
     * register; FXRSTOR reads it the same way.
     */
    if (f->setup & SU_FCW) {
        static const uint16_t pc[] = { 0x000, 0x200, 0x300, 0x300 };
        s->fx.fcw = (uint16_t)(0x007f | pc[diff_rng_below(r, 4)] |
                               (diff_rng_below(r, 4) << 10));
        if (diff_rng_below(r, 4) == 0) {
            /* unmask some exceptions: ES, pending #MF */
            s->fx.fcw &= (uint16_t)~diff_rng_below(r, 0x40);
        }
    }
}

static void setup_mxcsr(DiffRng *r, DiffState *s)
{
    uint32_t m = 0x1f80;

    m |= (uint32_t)diff_rng_below(r, 4) << 13;       /* rounding */
    if (diff_rng_below(r, 4) == 0) {
        m |= 0x0040;                                  /* DAZ */
    }
    if (diff_rng_below(r, 4) == 0) {
        m |= 0x8000;                                  /* FTZ */
    }
    if (diff_rng_below(r, 4) == 0) {
        m |= (uint32_t)diff_rng_below(r, 64);         /* sticky flags */
    }
    if (diff_rng_below(r, 16) == 0) {
        m &= ~(0x80u << diff_rng_below(r, 6));        /* unmask one */
    }
    s->fx.mxcsr = m;
}

static bool force_reg;

void diff_form_make_case(const DiffForm *f, DiffRng *r, DiffCase *c)
{
    Emit e = { c->code, 0 };
    DiffState *s = &c->in;
    unsigned reg = 0, rm = 0, base = 0xff, index = 0xff;
    bool mem = false, riprel = false, sib = false;
    unsigned mod = 3, disp_pos = 0, imm_pos;
    int32_t disp = 0;
    uint64_t target = 0, imm = 0;
    unsigned memsize = f->memsize ? f->memsize : (f->opsize ? f->opsize : 4);
    unsigned osz = f->opsize ? f->opsize : 4;
    uint8_t rex = 0;
    unsigned count = 0;

    memset(c->code, 0, sizeof(c->code));
    c->name = f->name;
    c->family = f->family;
    memset(&c->mask, 0, sizeof(c->mask));
    c->mask.flags_undef = f->flags_undef;
    c->mask.fsw_undef = f->fsw_undef;

    /* implicit inputs first: the operand choices below override them */
    if (f->setup & SU_MXCSR) {
        setup_mxcsr(r, s);
    }
    if (f->setup & (SU_X87 | SU_FCW)) {
        setup_x87(r, f, s);
    }
    if (f->setup & SU_CL) {
        s->gpr[R_CX] = (s->gpr[R_CX] & ~0xffULL) | pick_count(r, osz);
        if ((f->op[f->nop - 1] == 0xa5 || f->op[f->nop - 1] == 0xad) &&
            osz == 2) {
            s->gpr[R_CX] &= ~0x10ULL;   /* 16-bit SHxD: count <= 15 */
        }
    }
    if (f->setup & SU_SMALLRCX) {
        s->gpr[R_CX] = diff_rng_below(r, 20);
    }
    if (f->setup & SU_STRING) {
        s->gpr[R_SI] = DIFF_DATA_ADDR + 0x400 + diff_rng_below(r, 0x400);
        s->gpr[R_DI] = DIFF_DATA_ADDR + 0xc00 + diff_rng_below(r, 0x800);
        if (diff_rng_below(r, 4) == 0) {
            s->gpr[R_DI] = s->gpr[R_SI] + diff_rng_below(r, 32) - 16;
        }
        s->gpr[R_CX] = diff_rng_below(r, 24);
        s->rflags = (s->rflags & ~FL_DF) |
                    (diff_rng_below(r, 4) == 0 ? FL_DF : 0);
        if (diff_rng_below(r, 3) == 0) {
            /* make REPE/REPNE comparisons stop somewhere inside */
            memmove(s->data + (s->gpr[R_DI] - DIFF_DATA_ADDR),
                   s->data + (s->gpr[R_SI] - DIFF_DATA_ADDR), 64);
            s->data[s->gpr[R_DI] - DIFF_DATA_ADDR + diff_rng_below(r, 64)]
                ^= 1;
        }
    }
    if (f->setup & SU_DIVOK) {
        switch (diff_rng_below(r, 4)) {
        case 0:
            break;          /* anything, #DE likely */
        case 1:
            s->gpr[R_DX] = 0;
            break;
        default:
            s->gpr[R_DX] = (int64_t)s->gpr[R_AX] < 0 ? ~0ULL : 0;
            if (osz < 8) {
                s->gpr[R_DX] = (int64_t)(s->gpr[R_AX] << (64 - 8 * osz)) < 0
                               ? ~0ULL : 0;
            }
            break;
        }
        if (osz == 1) {
            s->gpr[R_AX] = (s->gpr[R_AX] & ~0xff00ULL) |
                           ((s->gpr[R_DX] & 0xff) << 8);
        }
    }

    /* operands */
    if (f->kind == FK_RM || f->kind == FK_DIGIT) {
        reg = f->kind == FK_DIGIT ? f->digit : pick_reg(r, f->regclass,
                                                        f->setup);
        mem = f->rm_mode == RM_MEM ||
              (f->rm_mode == RM_BOTH && !force_reg && diff_rng_below(r, 2));
        if (!mem) {
            rm = pick_reg(r, f->rmclass, f->setup);
        }
    } else if (f->kind == FK_OPREG) {
        rm = pick_reg(r, f->regclass, f->setup);
    }

    if (mem) {
        static const uint8_t bases[] = { 0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 14,
                                         15, 5, 13, 12 };
        unsigned off;
        unsigned nb = (f->setup & SU_NOREX) || compat32 ? 6 : sizeof(bases);
        /* registers the instruction uses implicitly */
        unsigned avoid = ((f->setup & SU_CL) ? 1u << R_CX : 0) |
                         ((f->setup & SU_CMPXCHG) ?
                          (1u << R_AX | 1u << R_DX) : 0) |
                         ((f->setup & SU_BITOFF) ? 1u << reg : 0) |
                         ((f->setup & SU_XSAVE) ?
                          (1u << R_AX | 1u << R_DX) : 0);

        if (f->setup & SU_XSAVE) {
            off = (unsigned)diff_rng_below(r, (DIFF_DATA_SIZE - 64 - memsize) /
                                           64) * 64;
            if (diff_rng_below(r, 32) == 0) {
                off += 16;      /* misaligned: #GP */
            }
        } else if (f->setup & SU_BITOFF) {
            /* room for a bit offset of +-512 bits = 64 bytes each side */
            off = 96 + (unsigned)diff_rng_below(r, DIFF_DATA_SIZE - 256);
        } else if (f->setup & SU_ALIGN16) {
            off = (unsigned)diff_rng_below(r, (DIFF_DATA_SIZE - 64 - memsize) /
                                           16) * 16;
            if (diff_rng_below(r, 32) == 0) {
                off += 4;      /* misaligned: #GP */
            }
        } else if (diff_rng_below(r, 4) == 0) {
            off = 0x1000 - 1 - (unsigned)diff_rng_below(r, memsize);
        } else {
            /* stay inside the data area: the sandbox maps more than it */
            off = (unsigned)diff_rng_below(r, DIFF_DATA_SIZE - 64 - memsize);
            if (diff_rng_below(r, 2) && !(memsize & (memsize - 1))) {
                off &= ~(memsize - 1);
            }
        }
        target = DIFF_DATA_ADDR + off;
        switch (diff_rng_below(r, (f->setup & SU_NOREX) || compat32 ? 3 : 4) +
                (compat32 ? 1 : 0)) {
        case 0:
            riprel = true;
            mod = 0;
            break;
        case 1: {
            unsigned pick = (unsigned)diff_rng_below(r, nb);

            base = bases[pick];
            /* avoid implicit operands as address registers */
            if (avoid & (1u << base)) {
                base = (avoid & (1u << R_SI)) ? R_DI : R_SI;
            }
            sib = (base & 7) == 4;
            mod = (base & 7) == 5 || diff_rng_below(r, 2) ? 1 : 0;
            disp = mod ? (int32_t)diff_rng_below(r, 128) - 64 : 0;
            break;
        }
        default:
            do {
                base = bases[diff_rng_below(r, nb)];
                index = (unsigned)diff_rng_below(r, (f->setup & SU_NOREX) ||
                                                 compat32 ? 8 : 16);
            } while (index == R_SP || index == base ||
                     (avoid & (1u << base)) || (avoid & (1u << index)));
            sib = true;
            mod = diff_rng_below(r, 3) ? 1 : 2;
            disp = (int32_t)diff_rng_below(r, 128) - 64;
            break;
        }
        if (!riprel) {
            uint64_t idxval = 0;
            unsigned scale = 0;

            if (index != 0xff) {
                scale = (unsigned)diff_rng_below(r, 4);
                idxval = diff_rng_below(r, 16);
                s->gpr[index] = idxval;
            }
            s->gpr[base] = target - disp - (idxval << scale);
            if (diff_rng_below(r, 64) == 0) {
                s->gpr[base] += 0x40000000;     /* unmapped: #PF */
            }
            if (index != 0xff) {
                index |= scale << 4;
            }
        }
        rm = riprel ? 5 : (sib ? 4 : base);
    }

    /* prefixes */
    if (f->opsize == 2) {
        put8(&e, 0x66);
    }
    if (mem && !(f->setup & (SU_STRING | SU_BITOFF)) && !compat32 &&
        diff_rng_below(r, 8) == 0) {
        put8(&e, 0x67);                 /* 32-bit addressing */
        if (index != 0xff) {
            /* the index register is read as 32 bits: it is small */
        }
    }
    for (unsigned i = 0; i < f->npfx; i++) {
        put8(&e, f->pfx[i]);
    }
    if (f->setup & SU_VEX) {
        unsigned x = index != 0xff ? (index & 15) >> 3 : 0;
        unsigned b = mem ? (riprel ? 0 : base >> 3) : rm >> 3;
        unsigned v = (f->setup & SU_VEX_NOV) ? 0 :
                     (unsigned)diff_rng_below(r, 16);

        put8(&e, 0xc4);
        put8(&e, (uint8_t)(((~reg >> 3) & 1) << 7 | ((~x) & 1) << 6 |
                           ((~b) & 1) << 5 | f->vex_map));
        put8(&e, (uint8_t)(f->vex_w << 7 | ((~v) & 15) << 3 | f->vex_pp));
    } else {
        if (f->opsize == 8) {
            rex |= 0x48;
        }
        if (f->regclass != RC_MMX && f->regclass != RC_X87 &&
            (f->kind == FK_RM) && (reg & 8)) {
            rex |= 0x44;
        }
        if (mem) {
            if (index != 0xff && (index & 8)) {
                rex |= 0x42;
            }
            if (!riprel && (base & 8)) {
                rex |= 0x41;
            }
        } else if ((f->kind == FK_RM || f->kind == FK_DIGIT ||
                    f->kind == FK_OPREG) && (rm & 8) &&
                   f->rmclass != RC_MMX && f->rmclass != RC_X87) {
            rex |= 0x41;
        }
        if (!rex && f->opsize == 1 && !(f->setup & SU_NOREX) && !compat32 &&
            diff_rng_below(r, 2)) {
            rex = 0x40;
        }
        if (rex) {
            put8(&e, rex);
        }
    }
    for (unsigned i = 0; i < f->nop; i++) {
        uint8_t b = f->op[i];

        if (f->kind == FK_OPREG && i == f->nop - 1) {
            b = (uint8_t)(b + (rm & 7));
        }
        put8(&e, b);
    }
    if (f->kind == FK_RM || f->kind == FK_DIGIT) {
        put8(&e, (uint8_t)(mod << 6 | (reg & 7) << 3 | (rm & 7)));
        if (sib) {
            unsigned idx = index != 0xff ? (index & 7) : 4;
            unsigned sc = index != 0xff ? (index >> 4) : 0;

            put8(&e, (uint8_t)(sc << 6 | idx << 3 | (base & 7)));
        }
        if (riprel) {
            disp_pos = e.n;
            put32(&e, 0);
        } else if (mod == 1) {
            put8(&e, (uint8_t)disp);
        } else if (mod == 2) {
            put32(&e, (uint32_t)disp);
        }
    }
    imm_pos = e.n;
    if (f->imm) {
        if (f->maskkind == MK_SHIFT || f->maskkind == MK_ROT ||
            f->maskkind == MK_SHXD) {
            imm = pick_count(r, osz);
            if (f->maskkind == MK_SHXD && osz == 2) {
                imm &= 15;
            }
        } else {
            imm = diff_gen_int(r);
        }
        for (unsigned i = 0; i < f->imm; i++) {
            put8(&e, (uint8_t)(imm >> (8 * i)));
        }
    }
    c->code_len = e.n;
    if (riprel) {
        uint64_t next = DIFF_CODE_ADDR + e.n;
        uint32_t d = (uint32_t)(target - next);

        memcpy(c->code + disp_pos, &d, 4);
    }
    (void)imm_pos;

    if (mem && (f->setup & SU_MXCSRMEM)) {
        uint32_t v = (uint32_t)diff_rng_next(r) & 0xffff;

        if (diff_rng_below(r, 8) == 0) {
            /* reserved: #GP.  Not bit 17: AMD hosts accept it (MXCSR.MM,
             * MXCSR_MASK 0x2ffff); the guest's MXCSR_MASK is 0xffff */
            v |= 1u << (18 + diff_rng_below(r, 14));
        } else if (diff_rng_below(r, 2)) {
            v |= 0x1f80;                                /* all masked */
        }
        memcpy(s->data + (target - DIFF_DATA_ADDR), &v, 4);
    }
    if (mem && (f->setup & SU_XSAVE)) {
        uint8_t *hdr = s->data + (target - DIFF_DATA_ADDR) + 512;

        s->gpr[R_AX] = diff_rng_below(r, 4) ? 3 : diff_rng_below(r, 4);
        s->gpr[R_DX] = 0;
        memset(hdr, 0, 64);
        hdr[0] = (uint8_t)diff_rng_below(r, 4);    /* XSTATE_BV x87|SSE */
        if (diff_rng_below(r, 16) == 0) {
            hdr[8 + diff_rng_below(r, 56)] = 1;     /* reserved: #GP */
        }
    }
    if (mem && (f->setup & SU_IGN_FXPTR)) {
        c->mask.data_ignore[0].off = (uint32_t)(target - DIFF_DATA_ADDR) + 6;
        c->mask.data_ignore[0].len = 18;
        c->mask.data_ignore[1].off = (uint32_t)(target - DIFF_DATA_ADDR) + 28;
        c->mask.data_ignore[1].len = 4;
    }
    if (mem && (f->setup & SU_IGN_ENV16)) {
        c->mask.data_ignore[0].off = (uint32_t)(target - DIFF_DATA_ADDR) + 6;
        c->mask.data_ignore[0].len = 8;
    }
    if (mem && (f->setup & SU_IGN_ENV)) {
        c->mask.data_ignore[0].off = (uint32_t)(target - DIFF_DATA_ADDR) + 12;
        c->mask.data_ignore[0].len = 16;
    }
    if (mem && (f->setup & SU_FXIMG) && target + 32 <=
        DIFF_DATA_ADDR + DIFF_DATA_SIZE) {
        uint8_t *img = s->data + (target - DIFF_DATA_ADDR);
        uint32_t mxcsr = 0x1f80 | (uint32_t)diff_rng_below(r, 0x40);

        if (diff_rng_below(r, 8) == 0) {
            mxcsr |= 1u << (18 + diff_rng_below(r, 14));  /* #GP; see
                                                           SU_MXCSRMEM */
        }
        memcpy(img + 24, &mxcsr, 4);
        if (diff_rng_below(r, 2)) {
            uint16_t fcw = 0x037f;
            memcpy(img, &fcw, 2);
        }
    }
    if (mem && (f->setup & SU_CMPXCHG) && diff_rng_below(r, 2)) {
        uint8_t *m = s->data + (target - DIFF_DATA_ADDR);

        memcpy(&s->gpr[R_AX], m, 8);
        memcpy(&s->gpr[R_DX], m + 8, 8);
        if (memsize == 8) {
            s->gpr[R_DX] = (uint32_t)(s->gpr[R_AX] >> 32);
            s->gpr[R_AX] = (uint32_t)s->gpr[R_AX];
        }
    }

    if (f->setup & SU_BITOFF) {
        int64_t bits = (int64_t)diff_rng_below(r, 1024) - 512;

        if (reg == base || (index != 0xff && reg == (index & 15))) {
            /* the offset register is also the address: keep it */
        } else if (osz == 2) {
            s->gpr[reg] = (s->gpr[reg] & ~0xffffULL) | (uint16_t)bits;
        } else {
            s->gpr[reg] = (uint64_t)bits;
            if (osz == 4) {
                s->gpr[reg] = (s->gpr[reg] & 0xffffffff00000000ULL) |
                              (uint32_t)bits;
            }
        }
    }
    /* address-size override on some memory operands (32-bit addressing:
     * every address here is below 4 GiB) */

    /* per-case undefined results */
    if (f->maskkind == MK_SHIFT || f->maskkind == MK_ROT ||
        f->maskkind == MK_SHXD) {
        uint8_t op = f->op[f->nop - 1];
        unsigned width = osz * 8;
        unsigned digit = f->digit;

        if (op == 0xd0 || op == 0xd1) {
            count = 1;
        } else if (op == 0xd2 || op == 0xd3 || op == 0xa5 || op == 0xad) {
            count = s->gpr[R_CX] & 0xff;
        } else {
            count = (unsigned)(imm & 0xff);
        }
        count &= osz == 8 ? 63 : 31;
        c->mask.flags_undef = 0;
        if (count != 0) {
            if (count != 1) {
                c->mask.flags_undef |= FL_OF;
            }
            if (f->maskkind != MK_ROT) {
                c->mask.flags_undef |= FL_AF;
            }
            if (f->maskkind == MK_SHIFT && count >= width) {
                c->mask.flags_undef |= FL_CF;
            }
            (void)digit;
        }
    } else if (f->maskkind == MK_BSX) {
        uint64_t src = mem ? read_le(s->data + (target - DIFF_DATA_ADDR), osz)
                           : s->gpr[rm] & (osz == 8 ? ~0ULL :
                                           ((1ULL << (8 * osz)) - 1));
        if (src == 0 && !(s->gpr[rm] & 0x40000000 && mem && 0)) {
            c->mask.gpr_undef |= (uint16_t)(1u << reg);
        }
    }
}

/*
 * Sequences: 2..6 register-only instructions whose flags are defined
 * (at most AF undefined) from the ALU, CMOVcc, SETcc and Jcc tables, so
 * that flag producers feed flag consumers (ADC/SBB/SETcc/CMOVcc/Jcc) as in
 * real code: this is what exercises lazy flags across instructions.
 */
static bool seq_candidate(const DiffForm *f, bool fp)
{
    static const char *const fam_int[] = { "alu", "cmov", "setcc", "jcc",
                                           "adx", NULL };
    static const char *const fam_fp[] = { "sse-fp", "sse-int", "sse4",
                                          "mmx", "x87", NULL };
    const char *const *fam = fp ? fam_fp : fam_int;
    bool ok = false;

    for (unsigned i = 0; fam[i]; i++) {
        ok |= !strcmp(f->family, fam[i]);
    }
    if (fp) {
        /* no memory operands; CPU-state forms stay single */
        return ok && f->rm_mode != RM_MEM && f->kind != FK_NONE &&
               f->maskkind == MK_STATIC && !(f->setup & SU_STRING) &&
               f->nop <= 4;
    }
    return ok && f->maskkind == MK_STATIC && !(f->flags_undef & ~FL_AF) &&
           f->rm_mode != RM_MEM && !strstr(f->name, "#UD") && !f->npfx;
}

/*
 * A register shift/rotate by 1 (group 2 C0/C1 imm 1 or D0/D1, or SHLD/
 * SHRD r,r,1) for the integer sequences: with a count of 1 every flag but
 * AF of the shifts is defined, and ROL/ROR/RCL/RCR leave SF/ZF/AF/PF as
 * the previous instruction set them, so a flag consumer after it checks
 * the lazy CF/OF-only update. Returns the length written to @code.
 */
static unsigned seq_shift1(DiffRng *r, uint8_t *code, uint32_t *undef)
{
    static const uint8_t sizes[] = { 1, 2, 4, 8 };
    unsigned size = sizes[diff_rng_below(r, 4)];
    unsigned op = (unsigned)diff_rng_below(r, 9);   /* 8: SHLD/SHRD */
    unsigned rm = (unsigned)diff_rng_below(r, 15), reg;
    unsigned n = 0;
    uint8_t rex = 0x40;

    rm += rm >= R_SP;                               /* never RSP */
    reg = (unsigned)diff_rng_below(r, 15);
    reg += reg >= R_SP;
    if (op == 8 && size == 1) {
        size = 4;
    }
    if (size == 2) {
        code[n++] = 0x66;
    }
    rex |= (size == 8 ? 8 : 0) | (rm >> 3) | (op == 8 ? (reg >> 3) << 2 : 0);
    if (rex != 0x40 || (size == 1 && diff_rng_below(r, 2))) {
        code[n++] = rex;
    }
    if (op == 8) {
        code[n++] = 0x0f;
        code[n++] = diff_rng_below(r, 2) ? 0xa4 : 0xac;
        code[n++] = 0xc0 | (reg & 7) << 3 | (rm & 7);
        code[n++] = 1;
        *undef |= FL_AF;
        return n;
    }
    if (diff_rng_below(r, 2)) {
        code[n++] = size == 1 ? 0xc0 : 0xc1;
        code[n++] = 0xc0 | op << 3 | (rm & 7);
        code[n++] = 1;
    } else {
        code[n++] = size == 1 ? 0xd0 : 0xd1;
        code[n++] = 0xc0 | op << 3 | (rm & 7);
    }
    if (op >= 4) {
        *undef |= FL_AF;                            /* SHL/SHR/SAL/SAR */
    }
    return n;
}

void diff_seq_make_case(DiffRng *r, DiffCase *c, bool fp)
{
    GArray *cand;
    unsigned n = 2 + (unsigned)diff_rng_below(r, 5);
    uint8_t code[DIFF_CODE_MAX];
    unsigned len = 0;
    uint32_t undef = 0;

    if (!seq_cand) {
        seq_cand = g_array_new(FALSE, FALSE, sizeof(const DiffForm *));
        seq_cand_fp = g_array_new(FALSE, FALSE, sizeof(const DiffForm *));
        for (size_t i = 0; i < diff_forms_count(); i++) {
            const DiffForm *f = diff_form_get(i);

            if (seq_candidate(f, false)) {
                g_array_append_val(seq_cand, f);
            }
            if (seq_candidate(f, true)) {
                g_array_append_val(seq_cand_fp, f);
            }
        }
    }
    cand = fp ? seq_cand_fp : seq_cand;
    force_reg = true;
    for (unsigned k = 0; k < n; k++) {
        const DiffForm *f = g_array_index(cand, const DiffForm *,
                                          diff_rng_below(r, cand->len));

        if (!fp && k > 0 && len + 8 <= DIFF_CODE_MAX - 8 &&
            diff_rng_below(r, 3) == 0) {
            /* shifts/rotates between producers and consumers */
            len += seq_shift1(r, code + len, &undef);
            continue;
        }
        diff_form_make_case(f, r, c);
        if (len + c->code_len > DIFF_CODE_MAX - 8) {
            break;
        }
        memcpy(code + len, c->code, c->code_len);
        len += c->code_len;
        undef |= f->flags_undef;
    }
    force_reg = false;
    memcpy(c->code, code, len);
    c->code_len = len;
    c->name = fp ? "sequence-fp" : "sequence";
    c->family = c->name;
    c->mask.flags_undef = undef;
}

/*
 * 32-bit code run in the engine's compatibility mode and compared with the
 * same bytes run natively in 64-bit mode: for 8/16/32-bit operations with
 * 32-bit registers and no REX the low 32 bits must agree.
 */
bool diff_form_compat32_ok(const DiffForm *f)
{
    static const char *const fam[] = { "alu", "shift", "mul", "div", "bit",
                                       "cmov", "setcc", "jcc", "adx", "mov",
                                       "sse-int", "sse-fp", "sse4", NULL };
    bool ok = false;

    for (unsigned i = 0; fam[i]; i++) {
        ok |= !strcmp(f->family, fam[i]);
    }
    return ok && f->opsize != 8 && !(f->setup & (SU_VEX | SU_STRING)) &&
           f->regclass != RC_MMX && f->rmclass != RC_MMX &&
           !strstr(f->name, "movsxd") && !strstr(f->name, "push") &&
           !strstr(f->name, "pop") && !strstr(f->name, "rex.w") &&
           !strstr(f->name, "cmpxchg16b") && !strstr(f->name, "movabs") &&
           f->kind != FK_NONE;
}

void diff_form_make_case_compat32(const DiffForm *f, DiffRng *r,
                                  DiffCase *c)
{
    compat32 = true;
    diff_form_make_case(f, r, c);
    compat32 = false;
}
