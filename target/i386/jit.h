/*
 * The block translator (jit.c): hot decoded blocks of 64-bit code become
 * host x86-64 code. A translated block is entered from exec_block_fast()
 * in place of its first record's handler and follows the threaded-dispatch
 * return protocol (status | index of the last record it ran << 8, with
 * cpu->next_ip where execution goes on), so the interpreter picks up
 * after any record the translated code stopped at.
 *
 * What the host code relies on, checked by the caller before entering:
 * the block was translated for this cpu->mmu_idx (its TLB lookups are
 * inline for that index) and cpu->slow_data is clear. Instructions it
 * does not translate run through their interpreter handlers; a TLB miss
 * runs the instruction's handler too, so faults, MMIO and page-crossing
 * accesses all take the interpreter's path.
 */
#ifndef TARGET_I386_JIT_H
#define TARGET_I386_JIT_H

#include "target/i386/engine.h"

/* Per-vCPU translator state (code buffer); NULL until first use. */
typedef struct X86Jit X86Jit;

/* Runs of a block before it is translated; 0: translation off. From
 * KVMU_JIT (a number, or "off") at the first vCPU's creation. */
unsigned x86_jit_threshold(void);
extern unsigned x86_jit_thr;        /* its value, once a vCPU exists */

/* Translate @b (64-bit code) for cpu->mmu_idx; on success b->jit is set,
 * else b->jit_fail. */
void x86_jit_compile(X86CPU *cpu, X86Block *b);

/* Run @b's translation (cpu->mmu_idx == b->jit_mmu, slow_data clear). */
int x86_jit_run(X86CPU *cpu, X86Block *b);

/* The last translated block left through chainable exit slot @slot
 * (cpu->jit_slot) and @b (translated for cpu->mmu_idx) runs next at
 * cpu->rip: that exit jumps straight to @b from now on while
 * cpu->chain_gen and cpu->tlb_flushes keep their current values. */
void x86_jit_link(X86CPU *cpu, void *slot, X86Block *b);

/* All blocks were dropped: the code buffer can be reused. */
void x86_jit_flush(X86CPU *cpu);
void x86_jit_free(X86CPU *cpu);

#endif
