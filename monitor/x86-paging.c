/*
 * x86 page-table walks for the monitor (see x86-paging.h). Intel SDM
 * vol. 3, chapter 4: 32-bit paging, PAE paging, 4- and 5-level paging.
 */
#include "x86-paging.h"

#include <glib.h>

#define CR0_PG (1ull << 31)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define EFER_LMA (1ull << 10)
#define ADDR_MASK 0x000ffffffffff000ull

typedef enum { MODE_OFF, MODE_32, MODE_PAE, MODE_LONG4, MODE_LONG5 } Mode;

static Mode mode_of(const PagingCtx *c)
{
    if (!(c->cr0 & CR0_PG)) {
        return MODE_OFF;
    }
    if (c->efer & EFER_LMA) {
        return c->cr4 & CR4_LA57 ? MODE_LONG5 : MODE_LONG4;
    }
    return c->cr4 & CR4_PAE ? MODE_PAE : MODE_32;
}

bool paging_enabled(const PagingCtx *c)
{
    return mode_of(c) != MODE_OFF;
}

static bool read_entry(const PagingCtx *c, uint64_t gpa, bool wide,
                       uint64_t *e)
{
    if (wide) {
        uint8_t b[8];
        if (!c->read(c->opaque, gpa, b, 8)) {
            return false;
        }
        *e = 0;
        for (int i = 7; i >= 0; i--) {
            *e = (*e << 8) | b[i];
        }
    } else {
        uint8_t b[4];
        if (!c->read(c->opaque, gpa, b, 4)) {
            return false;
        }
        *e = (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 |
             (uint64_t)b[3] << 24;
    }
    return true;
}

/* The level layout of a mode: index shifts from the top level down. */
typedef struct {
    int levels;
    int shift[5];
    int bits[5];    /* index width per level */
    bool wide;      /* 8-byte entries */
    uint64_t top;   /* table base */
} Layout;

static void layout_of(const PagingCtx *c, Mode m, Layout *l)
{
    static const int s5[] = { 48, 39, 30, 21, 12 };
    switch (m) {
    case MODE_32:
        *l = (Layout){ 2, { 22, 12 }, { 10, 10 }, false,
                       c->cr3 & 0xfffff000ull };
        break;
    case MODE_PAE:
        *l = (Layout){ 3, { 30, 21, 12 }, { 2, 9, 9 }, true,
                       c->cr3 & 0xffffffe0ull };
        break;
    case MODE_LONG4:
    case MODE_LONG5: {
        int n = m == MODE_LONG5 ? 5 : 4;
        l->levels = n;
        for (int i = 0; i < n; i++) {
            l->shift[i] = s5[5 - n + i];
            l->bits[i] = 9;
        }
        l->wide = true;
        l->top = c->cr3 & ADDR_MASK;
        break;
    }
    default:
        l->levels = 0;
        break;
    }
}

/* Can an entry at level i (0 = top) of this layout map a large page? */
static bool large_allowed(const PagingCtx *c, Mode m, const Layout *l, int i)
{
    int from_bottom = l->levels - 1 - i;  /* 0: the PTE level */
    if (from_bottom == 0) {
        return false;
    }
    if (m == MODE_32) {
        return (c->cr4 & CR4_PSE) != 0;
    }
    if (m == MODE_PAE) {
        return from_bottom == 1;        /* 2 MiB in the PD */
    }
    return from_bottom <= 2;            /* 2 MiB and 1 GiB */
}

static uint64_t leaf_pa(Mode m, uint64_t e, int shift, uint64_t va)
{
    uint64_t off = va & ((1ull << shift) - 1);
    uint64_t base;
    if (m == MODE_32 && shift == 22) {
        /* PSE-36: bits 13-20 hold physical bits 32-39 */
        base = (e & 0xffc00000ull) | ((e >> 13) & 0xffull) << 32;
    } else if (shift > 12) {
        base = e & ADDR_MASK & ~((1ull << shift) - 1);
    } else {
        base = m == MODE_32 ? (e & 0xfffff000ull) : (e & ADDR_MASK);
    }
    return base + off;
}

bool paging_translate(const PagingCtx *c, uint64_t va, uint64_t *pa)
{
    Mode m = mode_of(c);
    Layout l;

    if (m == MODE_OFF) {
        *pa = va;
        return true;
    }
    layout_of(c, m, &l);
    if (m == MODE_32 || m == MODE_PAE) {
        va &= 0xffffffffull;
    }
    uint64_t table = l.top;
    for (int i = 0; i < l.levels; i++) {
        uint64_t idx = (va >> l.shift[i]) & ((1ull << l.bits[i]) - 1);
        uint64_t e;
        if (!read_entry(c, table + idx * (l.wide ? 8 : 4), l.wide, &e) ||
            !(e & PG_PRESENT)) {
            return false;
        }
        if (i == l.levels - 1 ||
            ((e & PG_PSE) && large_allowed(c, m, &l, i))) {
            *pa = leaf_pa(m, e, l.shift[i], va);
            return true;
        }
        table = m == MODE_32 ? (e & 0xfffff000ull) : (e & ADDR_MASK);
    }
    return false;
}

typedef struct {
    const PagingCtx *c;
    Mode m;
    Layout l;
    PagingLeafFn *fn;
    void *opaque;
    unsigned leaves, tables;
    bool stopped;
} Walk;

static uint64_t canonical(const Walk *w, uint64_t va)
{
    if (w->m == MODE_LONG4 && (va & (1ull << 47))) {
        return va | 0xffff000000000000ull;
    }
    if (w->m == MODE_LONG5 && (va & (1ull << 56))) {
        return va | 0xfe00000000000000ull;
    }
    return va;
}

static void walk_table(Walk *w, int i, uint64_t table, uint64_t va_base,
                       uint64_t prot)
{
    const Layout *l = &w->l;
    unsigned n = 1u << l->bits[i];
    unsigned esz = l->wide ? 8 : 4;
    uint8_t buf[4096];

    if (++w->tables > PAGING_MAX_TABLES) {
        w->stopped = true;
        return;
    }
    if (!w->c->read(w->c->opaque, table, buf, n * esz)) {
        return;
    }
    for (unsigned idx = 0; idx < n && !w->stopped; idx++) {
        uint64_t e = 0;
        for (int b = esz - 1; b >= 0; b--) {
            e = (e << 8) | buf[idx * esz + b];
        }
        if (!(e & PG_PRESENT)) {
            continue;
        }
        uint64_t va = va_base | ((uint64_t)idx << l->shift[i]);
        uint64_t p;
        if (w->m == MODE_PAE && i == 0) {
            p = prot;                   /* PDPTEs carry no U/W/NX */
        } else {
            p = (prot & e & (PG_USER | PG_RW | PG_PRESENT)) |
                ((prot | e) & PG_NX);
            if (w->m == MODE_32) {
                p &= ~PG_NX;
            }
        }
        if (i == l->levels - 1 ||
            ((e & PG_PSE) && large_allowed(w->c, w->m, l, i))) {
            if (++w->leaves > PAGING_MAX_LEAVES ||
                !w->fn(w->opaque, canonical(w, va),
                       leaf_pa(w->m, e, l->shift[i], 0),
                       1ull << l->shift[i], e, p)) {
                w->stopped = true;
            }
            continue;
        }
        uint64_t next = w->m == MODE_32 ? (e & 0xfffff000ull)
                                        : (e & ADDR_MASK);
        walk_table(w, i + 1, next, va, p);
    }
}

bool paging_walk(const PagingCtx *c, PagingLeafFn *fn, void *opaque)
{
    Walk w = { .c = c, .m = mode_of(c), .fn = fn, .opaque = opaque };

    if (w.m == MODE_OFF) {
        return true;
    }
    layout_of(c, w.m, &w.l);
    walk_table(&w, 0, w.l.top, 0, PG_USER | PG_RW | PG_PRESENT);
    return !w.stopped;
}
