/*
 * HMP "info mem" and "info tlb": the monitor's CPU's page tables
 * (x86-paging.c), printed as QEMU's x86 monitor does. info mem merges
 * contiguous ranges with the same effective protection; info tlb lists
 * every leaf with its flags.
 */
#include "monitor-internal.h"
#include "hmp.h"

#include <inttypes.h>

typedef struct {
    Monitor *mon;
    bool open;
    uint64_t start, end, prot;  /* the range being merged */
} MemRange;

static void mem_flush(MemRange *r)
{
    if (r->open) {
        monitor_printf(r->mon, "%016" PRIx64 "-%016" PRIx64 " %016" PRIx64
                       " %c%c%c\n", r->start, r->end, r->end - r->start,
                       r->prot & PG_USER ? 'u' : '-', 'r',
                       r->prot & PG_RW ? 'w' : '-');
        r->open = false;
    }
}

static bool mem_leaf(void *opaque, uint64_t va, uint64_t pa, uint64_t size,
                     uint64_t pte, uint64_t prot)
{
    MemRange *r = opaque;
    uint64_t p = prot & (PG_USER | PG_RW);

    if (r->open && r->end == va && r->prot == p) {
        r->end = va + size;
        return true;
    }
    mem_flush(r);
    *r = (MemRange){ r->mon, true, va, va + size, p };
    return true;
}

static bool paging_ctx(Monitor *mon, PagingCtx *pc)
{
    if (!monitor_cpu_paging(mon, pc)) {
        monitor_puts(mon, "No CPU available\n");
        return false;
    }
    if (!paging_enabled(pc)) {
        monitor_puts(mon, "PG disabled\n");
        return false;
    }
    return true;
}

void hmp_info_mem(Monitor *mon, char **argv)
{
    PagingCtx pc;
    MemRange r = { .mon = mon };

    if (!paging_ctx(mon, &pc)) {
        return;
    }
    bool whole = paging_walk(&pc, mem_leaf, &r);
    mem_flush(&r);
    if (!whole) {
        monitor_puts(mon, "(truncated: too many mappings)\n");
    }
}

static bool tlb_leaf(void *opaque, uint64_t va, uint64_t pa, uint64_t size,
                     uint64_t pte, uint64_t prot)
{
    Monitor *mon = opaque;

    monitor_printf(mon, "%016" PRIx64 ": %016" PRIx64
                   " %c%c%c%c%c%c%c%c%c\n", va, pa,
                   pte & PG_NX ? 'X' : '-',
                   pte & PG_GLOBAL ? 'G' : '-',
                   size > 4096 ? 'P' : '-',
                   pte & PG_DIRTY ? 'D' : '-',
                   pte & PG_ACCESSED ? 'A' : '-',
                   pte & PG_PCD ? 'C' : '-',
                   pte & PG_PWT ? 'T' : '-',
                   pte & PG_USER ? 'U' : '-',
                   pte & PG_RW ? 'W' : '-');
    return true;
}

void hmp_info_tlb(Monitor *mon, char **argv)
{
    PagingCtx pc;

    if (!paging_ctx(mon, &pc)) {
        return;
    }
    if (!paging_walk(&pc, tlb_leaf, mon)) {
        monitor_puts(mon, "(truncated: too many mappings)\n");
    }
}
