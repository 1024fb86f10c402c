/*
 * The software TLB: fills and flushes whose cost does not grow with the
 * TLB's size.
 *
 * cpu->tlb is direct-mapped (one entry per (MMU index, access kind, page
 * index)). A CR3 write drops the non-global entries and INVLPG the entries
 * of one page, including every 4K piece of a large page containing it; a
 * scan of all entries for each (what this file did first) costs more than
 * the rest of the flush once the TLB is large. So each vCPU keeps, beside
 * its TLB:
 *
 * - the slots filled with non-global entries since the last flush (up to
 *   AUX_NG_MAX; past that the next flush scans): a CR3 write clears those
 *   that are still non-global;
 * - the set of large pages (base and size class) that pieces were entered
 *   from since the last flush of global entries (up to AUX_LP_MAX; past
 *   that INVLPG scans): INVLPG scans for pieces only when the page of the
 *   address, at one of the sizes in use, is in the set.
 *
 * - a second level of read and fetch entries, 4096 or four times the
 *   first's, direct-mapped by more bits of the page number, filled with
 *   every such entry: a first-level miss that it holds is refilled from it
 *   without a page walk. Write entries are not kept there: exec.c clears
 *   cpu->tlb's write entries when a page becomes code or dirty logging
 *   restarts, and a refill would bring them back. It is flushed with the
 *   first level (its non-global slots listed the same way), so it caches
 *   nothing a hardware TLB could not (SDM Vol. 3A 4.10.2).
 *
 * cpu->tlb_flushes (exec.c's chains trust a successor found under the same
 * count without looking at the fetch TLB) counts CR3 writes, global
 * flushes and every INVLPG, not entries evicted by a fill: a chain that
 * outlives its target's fetch entry is a translation cached until the
 * next invalidation, which a TLB may do (SDM Vol. 3A 4.10.2, 4.10.4.1);
 * an INVLPG of its page counts even if the entry was evicted before.
 *
 * The lists are supersets of what they stand for (an entry overwritten or
 * cleared since stays listed), which only makes a flush clear or scan
 * more. The record hangs off the vCPU (cpu->tlb_aux).
 */
#include "target/i386/tlb.h"

#define TLB_SLOTS (MMU_NR * ACC_NR * X86_TLB_SIZE)
#define AUX_NG_MAX 512
#define AUX_LP_SLOTS 1024           /* open addressing, power of two */
#define AUX_LP_MAX 768
/* second level: 4096 entries per (MMU index, read/fetch), at least 4x the
 * first (16x at 256 entries: 1 840 -> 680 page walks per fork+exec) */
#define L2_SIZE (X86_TLB_SIZE >= 1024 ? 4 * X86_TLB_SIZE : 4096)
#define L2_SLOTS (MMU_NR * 2 * L2_SIZE)


typedef struct TlbAux {
    const X86CPU *cpu;
    unsigned nng;                   /* AUX_NG_MAX + 1: overflowed */
    unsigned nlp;                   /* AUX_LP_MAX + 1: overflowed */
    uint8_t lp_classes;             /* bit c: a class-c page in the set */
    uint32_t ng[AUX_NG_MAX];        /* flat slot numbers in cpu->tlb */
    uint64_t lp[AUX_LP_SLOTS];      /* large page base | class, 0: free */
    unsigned nng2;                  /* the same for l2 */
    uint32_t ng2[AUX_NG_MAX];
    X86TLBEntry l2[MMU_NR][2][L2_SIZE];     /* [mmu][fetch][index] */
} TlbAux;

static const uint64_t tlb_size_offmask[4] = {
    0xfff, (1ULL << 21) - 1, (1ULL << 22) - 1, (1ULL << 30) - 1,
};

/* This vCPU's record (cpu->tlb_aux), made on first use; the vCPU frees it
 * (x86_tlb_aux_free). A vCPU is used by one thread at a time. */
static TlbAux *aux_get(const X86CPU *cpu)
{
    X86CPU *c = (X86CPU *)cpu;

    if (unlikely(!c->tlb_aux)) {
        c->tlb_aux = g_new0(TlbAux, 1);
        c->tlb_aux->cpu = cpu;
    }
    return c->tlb_aux;
}

void x86_tlb_aux_free(X86CPU *cpu)
{
    g_free(cpu->tlb_aux);
    cpu->tlb_aux = NULL;
}

static inline unsigned lp_hash(uint64_t key)
{
    return (key * 0x9e3779b97f4a7c15ULL) >> (64 - 10);
}
G_STATIC_ASSERT(AUX_LP_SLOTS == 1 << 10);

/* @key (large page base | class) is in the set, or the set overflowed */
static bool lp_maybe(const TlbAux *a, uint64_t key)
{
    if (a->nlp > AUX_LP_MAX) {
        return true;
    }
    for (unsigned i = lp_hash(key), n = 0; n < AUX_LP_SLOTS;
         i = (i + 1) & (AUX_LP_SLOTS - 1), n++) {
        if (a->lp[i] == key) {
            return true;
        }
        if (!a->lp[i]) {
            return false;
        }
    }
    return false;
}

static void lp_add(TlbAux *a, uint64_t key)
{
    unsigned i;

    if (a->nlp > AUX_LP_MAX) {
        return;
    }
    for (i = lp_hash(key); a->lp[i]; i = (i + 1) & (AUX_LP_SLOTS - 1)) {
        if (a->lp[i] == key) {
            return;
        }
    }
    if (a->nlp == AUX_LP_MAX) {
        a->nlp++;                   /* overflowed: INVLPG scans */
        return;
    }
    a->lp[i] = key;
    a->nlp++;
    a->lp_classes |= 1u << (key & 3);
}

unsigned x86_tlb_size_class(uint64_t page_mask)
{
    return page_mask == tlb_size_offmask[3] ? 3 :
           page_mask == tlb_size_offmask[2] ? 2 :
           page_mask == tlb_size_offmask[1] ? 1 : 0;
}

static void list_slot(unsigned *n, uint32_t *list, unsigned slot)
{
    if (*n < AUX_NG_MAX) {
        list[(*n)++] = slot;
    } else {
        *n = AUX_NG_MAX + 1;
    }
}

/* Clear the non-global entries of @flat (@nslots) listed in @list */
static void flush_listed(X86TLBEntry *flat, unsigned nslots, unsigned *n,
                         const uint32_t *list)
{
    if (*n <= AUX_NG_MAX) {
        for (unsigned k = 0; k < *n; k++) {
            X86TLBEntry *e = &flat[list[k]];
            if (!(e->gpa & TLB_G)) {
                e->tag = 0;
            }
        }
    } else {
        for (unsigned i = 0; i < nslots; i++) {
            if (!(flat[i].gpa & TLB_G)) {
                flat[i].tag = 0;
            }
        }
    }
    *n = 0;
}

/* The first-level entry for (@mmu, @acc, @lin) becomes @src's contents */
static void l1_set(X86CPU *cpu, TlbAux *a, int mmu, int acc, uint64_t lin,
                   const X86TLBEntry *src)
{
    unsigned idx = (lin >> 12) & (X86_TLB_SIZE - 1);
    X86TLBEntry *e = &cpu->tlb[mmu][acc][idx];

    if (!(src->gpa & TLB_G)) {
        list_slot(&a->nng, a->ng, (mmu * ACC_NR + acc) * X86_TLB_SIZE + idx);
    }
    *e = *src;
}

bool x86_tlb_refill(X86CPU *cpu, int mmu, int acc, uint64_t lin,
                    uint8_t **host, uint64_t *gpa)
{
    TlbAux *a = aux_get(cpu);
    const X86TLBEntry *v;

    if (acc == ACC_WRITE) {
        return false;
    }
    v = &a->l2[mmu][acc == ACC_FETCH][(lin >> 12) & (L2_SIZE - 1)];
    if (v->tag != ((lin & ~0xfffULL) | 1)) {
        return false;
    }
    l1_set(cpu, a, mmu, acc, lin, v);
    *host = (uint8_t *)(uintptr_t)(lin + v->addend);
    *gpa = (v->gpa & ~0xfffULL) | (lin & 0xfff);
    return true;
}

void x86_tlb_fill(X86CPU *cpu, int mmu, int acc, uint64_t lin, uint64_t gpa,
                  uint8_t *page, bool global, unsigned size_class)
{
    TlbAux *a = aux_get(cpu);
    X86TLBEntry n = {
        .tag = (lin & ~0xfffULL) | 1,
        .addend = (uintptr_t)page - (uintptr_t)(lin & ~0xfffULL),
        .gpa = (gpa & ~0xfffULL) | (global ? TLB_G : 0) |
               ((uint64_t)size_class << TLB_SIZE_SHIFT),
    };

    if (size_class) {
        lp_add(a, (lin & ~tlb_size_offmask[size_class]) | size_class);
    }
    l1_set(cpu, a, mmu, acc, lin, &n);
    if (acc != ACC_WRITE) {
        unsigned j = (lin >> 12) & (L2_SIZE - 1);
        a->l2[mmu][acc == ACC_FETCH][j] = n;
        if (!global) {
            list_slot(&a->nng2, a->ng2,
                      (mmu * 2 + (acc == ACC_FETCH)) * L2_SIZE + j);
        }
    }
}

void x86_tlb_flush(X86CPU *cpu, bool include_global)
{
    TlbAux *a = aux_get(cpu);

    cpu->tlb_flushes++;
    if (include_global) {
        memset(cpu->tlb, 0, sizeof(cpu->tlb));
        cpu->large_pages_used = false;
        a->nng = a->nng2 = 0;
        a->nlp = 0;
        a->lp_classes = 0;
        memset(a->lp, 0, sizeof(a->lp));
        memset(a->l2, 0, sizeof(a->l2));
        return;
    }
    flush_listed((X86TLBEntry *)cpu->tlb, TLB_SLOTS, &a->nng, a->ng);
    flush_listed((X86TLBEntry *)a->l2, L2_SLOTS, &a->nng2, a->ng2);
}

/* Clear the entries of @flat (@n) that came from a large page holding
 * @lin */
static void drop_large(X86TLBEntry *flat, unsigned n, uint64_t lin)
{

    for (unsigned i = 0; i < n; i++) {
        X86TLBEntry *e = &flat[i];
        uint64_t sz = (e->gpa & TLB_SIZE_MASK) >> TLB_SIZE_SHIFT;
        if (sz && e->tag &&
            !((e->tag ^ lin) & ~tlb_size_offmask[sz] & ~1ULL)) {
            e->tag = 0;
        }
    }
}

/*
 * INVLPG (SDM Vol. 3A 4.10.4.1): drop the entries for the page holding
 * @lin, global or not. A large page is entered as 4K pieces in many slots,
 * so when pieces of a large page containing @lin may be in the TLB, every
 * entry that came from such a page goes too (each entry records its page
 * size); the other entries, kernel globals included, stay.
 */
void x86_tlb_flush_page(X86CPU *cpu, uint64_t lin)
{
    unsigned idx = (lin >> 12) & (X86_TLB_SIZE - 1);
    uint64_t tag = (lin & ~0xfffULL) | 1;
    TlbAux *a;
    bool scan = false;

    /* exec.c's chains recheck their targets after it, whether or not the
     * page's fetch entry was still here */
    cpu->tlb_flushes++;
    for (int m = 0; m < MMU_NR; m++) {
        for (int acc = 0; acc < ACC_NR; acc++) {
            if (cpu->tlb[m][acc][idx].tag == tag) {
                cpu->tlb[m][acc][idx].tag = 0;
            }
        }
    }
    a = aux_get(cpu);
    for (int m = 0; m < MMU_NR; m++) {
        for (int k = 0; k < 2; k++) {
            X86TLBEntry *v = &a->l2[m][k][(lin >> 12) & (L2_SIZE - 1)];
            if (v->tag == tag) {
                v->tag = 0;
            }
        }
    }
    if (!cpu->large_pages_used) {
        return;
    }
    for (unsigned c = 1; c < 4 && !scan; c++) {
        scan = (a->nlp > AUX_LP_MAX || (a->lp_classes & (1u << c))) &&
               lp_maybe(a, (lin & ~tlb_size_offmask[c]) | c);
    }
    if (!scan) {
        return;
    }
    drop_large((X86TLBEntry *)cpu->tlb, TLB_SLOTS, lin);
    drop_large((X86TLBEntry *)a->l2, L2_SLOTS, lin);
}
