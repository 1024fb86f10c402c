/*
 * The software TLB's fill and flushes (tlb.c), shared with the page walk
 * (mmu.c). Entries live in cpu->tlb (internal.h); see tlb.c.
 */
#ifndef TARGET_I386_TLB_H
#define TARGET_I386_TLB_H

#include "target/i386/engine.h"

/*
 * A TLB entry's gpa field holds the 4K guest-physical page, TLB_G when the
 * translation is global, and in TLB_SIZE_MASK the size class of the page
 * that mapped it (large pages are entered one 4K piece at a time).
 */
#define TLB_G          1ULL
#define TLB_SIZE_SHIFT 1
#define TLB_SIZE_MASK  (3ULL << TLB_SIZE_SHIFT)

/* Size class of a page whose offset mask is @page_mask: 0 for 4K, 1 for
 * 2M, 2 for 4M, 3 for 1G. */
unsigned x86_tlb_size_class(uint64_t page_mask);

/* Enter the 4K piece of @lin for (@mmu, @acc): guest-physical page @gpa,
 * host page @page (RAM), from a page of @size_class, global or not. */
void x86_tlb_fill(X86CPU *cpu, int mmu, int acc, uint64_t lin, uint64_t gpa,
                  uint8_t *page, bool global, unsigned size_class);

/* A first-level miss for (@mmu, @acc) at @lin that the second level
 * holds (reads and fetches): refilled from it, *host and *gpa set. */
bool x86_tlb_refill(X86CPU *cpu, int mmu, int acc, uint64_t lin,
                    uint8_t **host, uint64_t *gpa);

/* x86_translate_fetch without side effects on failure (mmu.c): a fetch
 * the guest has not asked for (exec.c's block extension) fails without
 * raising #PF or changing CR2; accessed flags may still be set, as a
 * processor may do for a speculative fetch. */
/* Free the flush lists and second level of @cpu (x86_cpu_free). */
void x86_tlb_aux_free(X86CPU *cpu);

bool x86_probe_fetch(X86CPU *cpu, uint64_t lin, uint8_t **host,
                     uint64_t *gpa);

#endif
