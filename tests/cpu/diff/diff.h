/*
 * Differential CPU test harness: shared definitions.
 *
 * A test case is a short x86-64 instruction sequence plus an input machine
 * state (GPRs, RFLAGS, the FXSAVE image holding x87/MMX/XMM/MXCSR, and a
 * data area).  It is run twice: natively on the host CPU (native.c, the
 * oracle) and in kvmu's software CPU (engine.c).  compare.c checks the two
 * output states with the architecturally undefined parts masked out.
 *
 * Both runs use the same virtual addresses (DIFF_CODE_ADDR, DIFF_DATA_ADDR,
 * DIFF_STACK_ADDR): the native side maps them with MAP_FIXED_NOREPLACE, the
 * engine side identity-maps them in its guest memory.  Everything here is
 * single-threaded test code.
 */
#ifndef TESTS_CPU_DIFF_H
#define TESTS_CPU_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fixed addresses shared by the native run and the guest (identity mapped). */
#define DIFF_CODE_ADDR   0x00100000ULL   /* snippet, one page */
#define DIFF_DATA_ADDR   0x00200000ULL   /* memory operands */
#define DIFF_DATA_SIZE   0x2000u         /* two pages: page-crossing accesses */
#define DIFF_STACK_ADDR  0x00300000ULL   /* one page; RSP starts mid-page */
#define DIFF_STACK_SIZE  0x1000u
#define DIFF_CTL_ADDR    0x00400000ULL   /* native only: prologue/epilogue */
#define DIFF_CODE_MAX    64              /* snippet bytes */

/* GPRs in hardware encoding order (rax rcx rdx rbx rsp rbp rsi rdi r8..r15). */
enum {
    R_AX, R_CX, R_DX, R_BX, R_SP, R_BP, R_SI, R_DI,
    R_8, R_9, R_10, R_11, R_12, R_13, R_14, R_15,
};

/* RFLAGS bits */
#define FL_CF 0x0001u
#define FL_PF 0x0004u
#define FL_AF 0x0010u
#define FL_ZF 0x0040u
#define FL_SF 0x0080u
#define FL_DF 0x0400u
#define FL_OF 0x0800u
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)
#define FL_ALL   (FL_ARITH | FL_DF)

/* x87 status word condition bits (for per-instruction undefined masks) */
#define FSW_C0 0x0100u
#define FSW_C1 0x0200u
#define FSW_C2 0x0400u
#define FSW_C3 0x4000u

/* FXSAVE image (Intel SDM Vol. 1 Table 10-2), 64-bit format. */
typedef struct DiffFx {
    uint16_t fcw;
    uint16_t fsw;
    uint8_t ftw;          /* abridged tag: bit i = physical register i valid */
    uint8_t rsvd1;
    uint16_t fop;
    uint64_t fip;
    uint64_t fdp;
    uint32_t mxcsr;
    uint32_t mxcsr_mask;
    uint8_t st[8][16];    /* ST0..7 (80 bits used) / MM0..7 (low 64 bits) */
    uint8_t xmm[16][16];
    uint8_t rsvd2[96];
} __attribute__((aligned(16))) DiffFx;

/* One machine state: input or output of a run. */
typedef struct DiffState {
    uint64_t gpr[16];
    uint64_t rflags;
    uint64_t rip;         /* output: address of the fault (if any) */
    DiffFx fx;
    int32_t vector;       /* output: -1 = ran to the end, else exception */
    uint32_t error_code;  /* output: valid for #GP/#PF/... */
    uint8_t data[DIFF_DATA_SIZE];
    uint8_t stack[DIFF_STACK_SIZE];
} DiffState;

/* What the comparison ignores for one case. */
typedef struct DiffMask {
    uint32_t flags_undef;     /* RFLAGS bits that are undefined */
    uint16_t fsw_undef;       /* FSW bits that are undefined (C0-C3) */
    uint16_t gpr_undef;       /* GPRs whose value is undefined (bit = reg) */
    bool ignore_fault_regs;   /* on a fault, compare the vector only */
    bool gpr_low32;           /* 32-bit code: low halves of RAX..RDI only */
    /* data bytes [off, off+len) that hold host-specific values (saved
     * FPU instruction pointers, MXCSR_MASK) */
    struct {
        uint32_t off, len;
    } data_ignore[2];
} DiffMask;

typedef struct DiffCase {
    uint8_t code[DIFF_CODE_MAX];
    unsigned code_len;
    const char *name;         /* instruction form, e.g. "add r64, r/m64" */
    const char *family;       /* "alu", "shift", "sse2", "x87", ... */
    DiffMask mask;
    DiffState in;
} DiffCase;

/* ---- native.c: the host CPU as oracle ---- */

/*
 * Map the fixed pages and install the fault handlers.  Returns false (with
 * a message on stderr) if the host cannot give us the fixed addresses.
 */
bool diff_native_init(void);

/*
 * Run cases[0..n) natively, writing outs[i].  The runs happen in a forked
 * child; a child that dies unexpectedly marks its case with vector -2 and
 * the rest of the batch continues in a fresh child.
 */
void diff_native_run_batch(const DiffCase *cases, DiffState *outs, size_t n);

/* ---- engine.c: kvmu's software CPU ---- */

/* Returns false if the engine is not built into this harness. */
bool diff_engine_available(void);
bool diff_engine_init(void);
void diff_engine_run(const DiffCase *c, DiffState *out);
/* The same in compatibility mode (CS.L=0, CS.D=1): 32-bit code. */
void diff_engine_run_compat32(const DiffCase *c, DiffState *out);
void diff_engine_fini(void);
/* 32-bit-only instructions vs SDM models (legacy32.c); returns cases run */
unsigned diff_engine_legacy32(uint64_t seed, unsigned per_form,
                              unsigned *fails, unsigned *xfails);

/* ---- gen.c: deterministic case generation ---- */

typedef struct DiffRng {
    uint64_t s[2];
} DiffRng;

void diff_rng_seed(DiffRng *r, uint64_t seed);
uint64_t diff_rng_next(DiffRng *r);
uint64_t diff_rng_below(DiffRng *r, uint64_t n);

/* An interesting integer of up to 64 bits: edge value or random. */
uint64_t diff_gen_int(DiffRng *r);
/* Interesting floating point bit patterns. */
uint32_t diff_gen_f32(DiffRng *r);
uint64_t diff_gen_f64(DiffRng *r);
void diff_gen_f80(DiffRng *r, uint8_t out[10]);
/* Fill a whole input state with interesting values. */
void diff_gen_state(DiffRng *r, DiffState *s);

/* ---- forms.c/forms-*.c: the instruction form tables ---- */

typedef struct DiffForm DiffForm;

/* Number of form families and their iteration. */
size_t diff_forms_count(void);
void diff_forms_free(void);
const DiffForm *diff_form_get(size_t i);
const char *diff_form_name(const DiffForm *f);
const char *diff_form_family(const DiffForm *f);
/* Build one random case of form f into c (c->in must be generated). */
void diff_form_make_case(const DiffForm *f, DiffRng *r, DiffCase *c);
/* Forms whose 32-bit encoding means the same in compatibility mode, and
 * a case encoded without REX, RIP-relative or 67 for them. */
bool diff_form_compat32_ok(const DiffForm *f);
void diff_form_make_case_compat32(const DiffForm *f, DiffRng *r,
                                  DiffCase *c);
/* A random sequence of register instructions (forms.c): flag-defined
 * integer ones, or (fp) x87/MMX/SSE ones. */
void diff_seq_make_case(DiffRng *r, DiffCase *c, bool fp);

/* ---- compare.c ---- */

/* Returns true if equal under c->mask; otherwise prints a report. */
bool diff_compare(const DiffCase *c, const DiffState *expect,
                  const DiffState *actual, uint64_t seed, uint64_t index,
                  bool quiet);
void diff_print_case(const DiffCase *c);

#endif
