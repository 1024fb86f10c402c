/*
 * Shared by the specialised handlers (ops-fast.c: ALU, INC/DEC, fused
 * records, the choosing; ops-fast-move.c: moves, CMOV/SETcc/IMUL, LEA,
 * stack and near branches): register access with a compile-time size,
 * the TLB-hit memory operand, and the threaded-dispatch return protocol
 * (see ops-fast.c).
 */
#ifndef TARGET_I386_OPS_FAST_H
#define TARGET_I386_OPS_FAST_H

#include "target/i386/engine.h"

static X86_ALWAYS_INLINE uint64_t rd(X86CPU *cpu, const X86Insn *insn,
                                     unsigned r, unsigned size)
{
    if (size == 8) {
        return cpu->regs[r];
    }
    if (size == 4) {
        return (uint32_t)cpu->regs[r];
    }
    return x86_get_reg(cpu, insn, r, size);
}

static X86_ALWAYS_INLINE void wr(X86CPU *cpu, const X86Insn *insn,
                                 unsigned r, unsigned size, uint64_t v)
{
    x86_set_reg(cpu, insn, r, size, v);
}

/* Return @st for this record (see "Threaded dispatch" above). */
#define RET(st) return (int)((unsigned)(st) | ((unsigned)insn->idx << 8))

/* This record retired (fast path: cpu->check untouched): on to the next
 * one, in this handler if it is specialised. */
static X86_ALWAYS_INLINE int next_insn(X86CPU *cpu, const X86Insn *insn)
{
    if (!(insn->spec & X86_SPEC_CHAIN)) {
        RET(X86_NEXT);
    }
    cpu->rip = cpu->next_ip;
    insn++;
    cpu->next_ip = cpu->rip + insn->len;
    return insn->handler(cpu, insn);
}

/* Host pointer of the ModRM memory operand (64-bit code only), or NULL. */
static X86_ALWAYS_INLINE void *mem_ptr(X86CPU *cpu, const X86Insn *insn,
                                       unsigned size, int acc)
{
    uint64_t lin;

    if (unlikely(cpu->slow_data)) {
        return NULL;
    }
    lin = x86_insn_ea_inline(cpu, insn);
    if (insn->seg == SEG_FS || insn->seg == SEG_GS) {
        lin += cpu->seg[insn->seg].base;
    }
    return x86_lin_fast_ptr(cpu, lin, size, acc);
}


/* The specialised handler for the moves, CMOV/SETcc/IMUL, LEA, PUSH/POP
 * and near branches (ops-fast-move.c), with insn->dreg/sreg filled in, or
 * NULL. @si: size index (1, 2, 4, 8 bytes -> 0..3); @mem: memory operand
 * (64-bit code only). */
X86Handler x86_fast_pick_move(X86CPU *cpu, X86Insn *insn, int si, bool mem);

#endif
