/*
 * x86 page-table walking for the monitor (x, info mem, info tlb): pure
 * functions over a guest-physical read callback, so they can be tested
 * without a machine. Modes: paging off, 32-bit (4 KiB / 4 MiB with PSE),
 * PAE (3 levels) and long mode (4 levels, 5 with CR4.LA57).
 *
 * The tables belong to the guest and may be hostile (every entry pointing
 * back at the same table makes 512^4 leaves): enumeration stops after
 * PAGING_MAX_LEAVES leaves or PAGING_MAX_TABLES tables and reports that
 * it was truncated.
 */
#ifndef MONITOR_X86_PAGING_H
#define MONITOR_X86_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#define PG_PRESENT (1ull << 0)
#define PG_RW (1ull << 1)
#define PG_USER (1ull << 2)
#define PG_PWT (1ull << 3)
#define PG_PCD (1ull << 4)
#define PG_ACCESSED (1ull << 5)
#define PG_DIRTY (1ull << 6)
#define PG_PSE (1ull << 7)
#define PG_GLOBAL (1ull << 8)
#define PG_NX (1ull << 63)

#define PAGING_MAX_LEAVES (1u << 20)
#define PAGING_MAX_TABLES (1u << 16)

/* Read len bytes of guest-physical memory; false if unreadable. */
typedef bool PagingReadFn(void *opaque, uint64_t gpa, void *buf, unsigned len);

typedef struct PagingCtx {
    uint64_t cr0, cr3, cr4, efer;
    PagingReadFn *read;
    void *opaque;
} PagingCtx;

/* One leaf mapping: va (sign-extended in long mode) of size bytes to pa;
 * pte is the leaf entry; prot the AND of the U/W/P bits along the walk
 * and the OR of NX. Return false to stop. */
typedef bool PagingLeafFn(void *opaque, uint64_t va, uint64_t pa,
                          uint64_t size, uint64_t pte, uint64_t prot);

bool paging_enabled(const PagingCtx *c);
/* Translate va; false if not mapped. */
bool paging_translate(const PagingCtx *c, uint64_t va, uint64_t *pa);
/* Every present leaf in ascending va order; returns false when stopped
 * early (by fn or PAGING_MAX_LEAVES). */
bool paging_walk(const PagingCtx *c, PagingLeafFn *fn, void *opaque);

#endif
