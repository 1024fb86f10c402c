/*
 * Private declarations shared by the engine's own files (decoder, block
 * cache, instruction handlers, exception delivery). The FPU/SSE engineer
 * needs only internal.h.
 */
#ifndef TARGET_I386_ENGINE_H
#define TARGET_I386_ENGINE_H

#include "target/i386/internal.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* decode-table.h flags */
enum {
    M = 1 << 0, B = 1 << 1, I8 = 1 << 2, S8 = 1 << 3, IZ = 1 << 4,
    IV = 1 << 5, IW = 1 << 6, IAP = 1 << 7, MOFFS = 1 << 8, D64 = 1 << 9,
    F64 = 1 << 10, I64 = 1 << 11, LK = 1 << 12, SSE = 1 << 13,
    X87 = 1 << 14, GRP3 = 1 << 15, ENTER = 1 << 16, NOMODRM_MEM = 1 << 17,
    VEXONLY = 1 << 18, VEXOK = 1 << 19,
};

/* Decode one instruction from @b (at most @avail bytes readable).
 * Returns the length, or DEC_MORE (need bytes past @avail), or DEC_LONG
 * (longer than 15 bytes: #GP). Undefined opcodes decode to op_ud. */
#define DEC_MORE (-1)
#define DEC_LONG (-2)
int x86_decode(X86CPU *cpu, const uint8_t *b, unsigned avail, X86Insn *insn);
void x86_decode_init(void);

/* Decoded blocks */
#define X86_BLOCK_MAX 32
#define X86_BLOCK_HASH 65536         /* buckets of cpu->blocks */
#define X86_PAGE_HASH 16384         /* buckets of cpu->page_blocks */
struct X86Block {
    X86Block *next;                 /* hash chain */
    X86Block *page_next;            /* chain of cpu->page_blocks */
    uint64_t gpa;                   /* guest-physical address of insn 0 */
    uint32_t key;                   /* decode mode */
    uint16_t n;
    /* jit.c: host code of this block (translated for MMU index jit_mmu),
     * or NULL; runs counts executions up to the translation threshold */
    uint8_t jit_mmu;
    uint8_t jit_fail;               /* not translatable: don't try again */
    uint32_t runs;
    void *jit;
    /* Chaining: blocks that ran after this one, found again without
     * block_get while cpu->chain_gen (bumped by every block
     * invalidation) still equals gen and the fetch TLB still maps lin to
     * the block's page (x86_fetch_tlb_maps), checked only when a TLB
     * flush happened since the last check (tgen != cpu->tlb_flushes).
     * jkey: key | mmu_idx << 2. */
    struct {
        uint64_t lin;
        uint64_t gen;
        X86Block *b;
        uint64_t tgen;
        uint32_t jkey;
    } succ[2];
    X86Insn *insns;                 /* n records: after the struct, or
                                     * their own allocation once
                                     * x86_block_extend() grew the block */
};
void x86_blocks_flush(X86CPU *cpu);
/* Free the dropped blocks (at a block boundary). */
void x86_blocks_free_dead(X86CPU *cpu);
/* Before translating hot block @b (at cpu->rip): decode it on past its
 * final Jcc (the not-taken path, same page, up to X86_BLOCK_MAX records)
 * so that one translation covers it; the interpreter still stops at
 * each Jcc (its handlers return X86_END). */
void x86_block_extend(X86CPU *cpu, X86Block *b);
/* Handlers specialised by operation, size and form (ops-fast.c): swapped
 * into a freshly decoded block of @n records; fuses a flag-setting
 * instruction with the block's final Jcc (insn->fused). */
void x86_block_specialise(X86CPU *cpu, X86Insn *insns, unsigned n);
/* The generic handler of a decoded record (what the decoder chose before
 * specialisation; valid for any record x86_block_specialise changed). */
X86Handler x86_generic_handler(const X86Insn *insn);
/* A write to guest-physical page @gpa_page is about to happen. */
void x86_code_notify_write(X86CPU *cpu, uint64_t gpa_page);
/* Host pointer for linear @lin (valid to the page end) for access @acc;
 * *host NULL: not RAM. false: fault raised. */
bool x86_lin_host(X86CPU *cpu, uint64_t lin, int acc, uint8_t **host);
bool x86_translate_fetch(X86CPU *cpu, uint64_t lin, uint8_t **host,
                         uint64_t *gpa);

/* Data breakpoints (mmu.c): recompute after DR7 changes. */
void x86_dbg_update(X86CPU *cpu);
void x86_dbg_check_data(X86CPU *cpu, uint64_t lin, unsigned size,
                        bool write);

/* Errors the engine can't continue from: X86_EXIT_INTERNAL_ERROR */
int x86_internal_error(X86CPU *cpu, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Exceptions and interrupts (excp.c) */
/* Deliver an event through the IDT (vector, soft: INT n, error code). */
void x86_deliver_event(X86CPU *cpu, int vector, bool soft, bool has_err,
                       uint32_t err, bool external);
void x86_deliver_pending_exception(X86CPU *cpu);
int x86_do_iret(X86CPU *cpu, const X86Insn *insn);

/* Segments (seg.c) */
void x86_seg_load_real(X86CPU *cpu, int seg, uint16_t sel);
/* Load a data/stack segment register in protected mode with checks. */
bool x86_seg_load(X86CPU *cpu, int seg, uint16_t sel);
bool x86_desc_read(X86CPU *cpu, uint16_t sel, uint64_t *desc, int exc);
bool x86_desc_write_hi(X86CPU *cpu, uint16_t sel, uint32_t hi);
void x86_desc_to_seg(X86Segment *s, uint16_t sel, uint64_t d, uint64_t hi);
void x86_update_modes(X86CPU *cpu);  /* after CS/SS/CR0/EFER changes */
bool x86_is_real(X86CPU *cpu);
bool x86_far_jump(X86CPU *cpu, uint16_t sel, uint64_t off, bool call,
                  unsigned opsize, uint64_t ret_ip);
bool x86_far_return(X86CPU *cpu, unsigned opsize, unsigned pop_extra);
bool x86_task_switch(X86CPU *cpu, uint16_t sel, uint64_t desc, int reason,
                     bool has_err, uint32_t err);
enum { TS_JMP, TS_CALL, TS_IRET, TS_INT };
bool x86_push_on(X86CPU *cpu, const X86Segment *ss, uint64_t *sp,
                 unsigned size, uint64_t v, bool flat64);
bool x86_load_inner_stack(X86CPU *cpu, unsigned dpl, uint16_t *ss_sel,
                          uint64_t *sp, X86Segment *ss_out);
void x86_fixup_data_segs(X86CPU *cpu);

/* Stack helpers (ops-stack.c) */
unsigned x86_stack_size(X86CPU *cpu);
bool x86_push(X86CPU *cpu, unsigned size, uint64_t v);
bool x86_pop(X86CPU *cpu, unsigned size, uint64_t *v);

/* Control registers (ops-sys.c) */
bool x86_set_cr0(X86CPU *cpu, uint64_t v);
bool x86_set_cr3(X86CPU *cpu, uint64_t v);
bool x86_set_cr4(X86CPU *cpu, uint64_t v);
bool x86_set_efer(X86CPU *cpu, uint64_t v);

/* MSRs (msr.c). guest: from RDMSR/WRMSR (false -> #GP) */
bool x86_msr_read(X86CPU *cpu, uint32_t idx, uint64_t *v, bool host);
bool x86_msr_write(X86CPU *cpu, uint32_t idx, uint64_t v, bool host);
uint64_t x86_tsc_now(X86CPU *cpu);
/* Guest TSC ticks (without cpu->tsc_offset) at host CLOCK_MONOTONIC @ns,
 * and that clock now */
uint64_t x86_tsc_ticks(X86CPU *cpu, uint64_t ns);
uint64_t x86_host_ns(void);

/* CPUID (cpuid.c) */
void x86_cpuid_lookup(X86CPU *cpu, uint32_t leaf, uint32_t sub, uint32_t r[4]);
void x86_cpuid_refresh_features(X86CPU *cpu);

/* I/O (ops-io.c) */
bool x86_io_allowed(X86CPU *cpu, uint16_t port, unsigned size);

/* Handlers (decode-table.h) */
#define X(map, lo, hi, flags, fn) int fn(X86CPU *cpu, const X86Insn *insn);
#include "target/i386/decode-table.h"
#undef X
int op_ud(X86CPU *cpu, const X86Insn *insn);
int x86_grp5_incdec(X86CPU *cpu, const X86Insn *insn);

/* feature bits */
#define CPUID_1_ECX_SSE3 (1u << 0)
#define CPUID_1_ECX_PCLMUL (1u << 1)
#define CPUID_1_ECX_MONITOR (1u << 3)
#define CPUID_1_ECX_SSSE3 (1u << 9)
#define CPUID_1_ECX_CX16 (1u << 13)
#define CPUID_1_ECX_SSE41 (1u << 19)
#define CPUID_1_ECX_SSE42 (1u << 20)
#define CPUID_1_ECX_MOVBE (1u << 22)
#define CPUID_1_ECX_POPCNT (1u << 23)
#define CPUID_1_ECX_XSAVE (1u << 26)
#define CPUID_1_ECX_OSXSAVE (1u << 27)
#define CPUID_1_ECX_RDRAND (1u << 30)
#define CPUID_7_EBX_FSGSBASE (1u << 0)
#define CPUID_7_EBX_BMI1 (1u << 3)
#define CPUID_7_EBX_BMI2 (1u << 8)
#define CPUID_7_EBX_SMEP (1u << 7)
#define CPUID_7_EBX_ERMS (1u << 9)
#define CPUID_7_EBX_RDSEED (1u << 18)
#define CPUID_7_EBX_ADX (1u << 19)
#define CPUID_7_EBX_SMAP (1u << 20)
#define CPUID_7_ECX_RDPID (1u << 22)
#define CPUID_E1_ECX_LZCNT (1u << 5)
#define CPUID_E1_EDX_RDTSCP (1u << 27)

#endif
