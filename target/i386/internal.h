/*
 * The software x86-64 CPU engine: internal interface between its parts.
 *
 * Who uses it: every file of target/i386, including the x87/MMX/SSE
 * execution (fpu*.c, sse*.c, x87*.c, owned by the FPU/SSE engineer).
 * Not for use outside target/i386 and tests/cpu.
 *
 * Conventions
 * - A vCPU (struct X86CPU) is touched only by the thread running it,
 *   except the atomics marked "any thread".
 * - The decoder turns one guest instruction into an X86Insn record (decode
 *   once, cached per block); the dispatcher then calls insn->handler.
 * - Before a handler runs, cpu->next_ip = RIP + insn->len (masked to the
 *   code size). A handler that jumps writes cpu->next_ip. On X86_NEXT the
 *   dispatcher commits RIP = next_ip. On X86_EXC RIP stays at the faulting
 *   instruction and the recorded exception is delivered: a handler must
 *   not have changed architectural state before it fails (do every load and
 *   every check first, then the stores, then register writes).
 * - Memory helpers return false when they raised an exception (or started
 *   an MMIO exit); the handler must then return X86_EXC at once.
 * - Handlers for x87/SSE instructions: see "FPU/SSE routing" below.
 */
#ifndef TARGET_I386_INTERNAL_H
#define TARGET_I386_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "target/i386/cpu.h"

/* ---- register numbers ------------------------------------------------- */

enum {
    R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI,
    R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15,
};

enum {                              /* segment register numbers (encoding) */
    SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS,
    SEG_LDTR, SEG_TR,
    SEG_NONE = 15,                  /* no segment (linear address) */
};

/* exception vectors */
enum {
    EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5,
    EXC_UD = 6, EXC_NM = 7, EXC_DF = 8, EXC_TS = 10, EXC_NP = 11,
    EXC_SS = 12, EXC_GP = 13, EXC_PF = 14, EXC_MF = 16, EXC_AC = 17,
    EXC_MC = 18, EXC_XM = 19,
};

/* RFLAGS */
#define F_CF   0x0001u
#define F_PF   0x0004u
#define F_AF   0x0010u
#define F_ZF   0x0040u
#define F_SF   0x0080u
#define F_TF   0x0100u
#define F_IF   0x0200u
#define F_DF   0x0400u
#define F_OF   0x0800u
#define F_IOPL 0x3000u
#define F_NT   0x4000u
#define F_RF   0x10000u
#define F_VM   0x20000u
#define F_AC   0x40000u
#define F_VIF  0x80000u
#define F_VIP  0x100000u
#define F_ID   0x200000u
#define F_ARITH (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)

/* control registers / EFER */
#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR0_ET (1u << 4)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_AM (1u << 18)
#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)
#define CR4_VME (1u << 0)
#define CR4_PVI (1u << 1)
#define CR4_TSD (1u << 2)
#define CR4_DE  (1u << 3)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define CR4_MCE (1u << 6)
#define CR4_PGE (1u << 7)
#define CR4_PCE (1u << 8)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_UMIP (1u << 11)
#define CR4_FSGSBASE (1u << 16)
#define CR4_PCIDE (1u << 17)
#define CR4_OSXSAVE (1u << 18)
#define CR4_SMEP (1u << 20)
#define CR4_SMAP (1u << 21)
#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)

/* ---- lazy flags ----------------------------------------------------------- */
/*
 * The arithmetic flags are kept as the last flag-setting operation: its
 * kind (CC_<op> + size) and operands/result; x86_get_flags() computes them.
 * CC_EFLAGS means cc_src holds the flags themselves.
 */
typedef enum {
    CC_EFLAGS,                      /* cc_src = flags (F_ARITH bits) */
    CC_ADD, CC_ADC, CC_SUB, CC_SBB, /* dst=result, src1, src2 */
    CC_LOGIC,                       /* CF=OF=0, AF=0 */
    CC_INC, CC_DEC,                 /* cc_aux = carry-in CF preserved */
    CC_SHL, CC_SAR, CC_SHR,         /* src1 = value shifted by count-1 */
    CC_MUL,                         /* src1 != 0: CF=OF=1 */
    CC_NR,
} X86CCOp;
/*
 * Or'ed into X86Flags.op by ROL/ROR/SHLD/SHRD (x86_cc_set_cfof): CF and OF
 * are X86Flags.rotf, the other flags those of the operation in the low
 * bits. Any full write of .op (x86_set_cc, x86_set_arith_flags) drops it,
 * so code that tests .op against a CC_* value sees "not that op" and must
 * take the x86_cc_compute() path.
 */
#define CC_CFOF 0x80

typedef struct X86Flags {
    uint64_t dst, src1, src2;
    uint32_t aux;                   /* preserved CF for INC/DEC, etc. */
    uint8_t op;                     /* X86CCOp, maybe | CC_CFOF */
    uint8_t size;                   /* operand size in bytes: 1, 2, 4, 8 */
    uint16_t rotf;                  /* with CC_CFOF: F_CF | F_OF bits */
} X86Flags;

/* ---- decoded instruction --------------------------------------------------- */

struct X86Insn;
/* Handler status */
enum {
    X86_NEXT = 0,                   /* retired: RIP = next_ip, continue */
    X86_END = 1,                    /* retired, end the block (mode change) */
    X86_EXC = 2,                    /* exception recorded (cpu->exc) */
    X86_EXIT = 3,                   /* exit to embedder (cpu->exit filled) */
};
typedef int (*X86Handler)(X86CPU *cpu, const struct X86Insn *insn);

/* insn->prefix bits */
#define PFX_LOCK   0x01
#define PFX_REP    0x02             /* F3 */
#define PFX_REPNE  0x04             /* F2 */
#define PFX_OPSIZE 0x08             /* 66 */
#define PFX_ADDR   0x10             /* 67 */
#define PFX_REX    0x20             /* any REX present */
#define PFX_VEX    0x40
#define PFX_SEG    0x80             /* explicit segment override */

/* insn->mandatory: SSE mandatory prefix (the last of 66/F3/F2 that counts) */
enum { MP_NONE = 0, MP_66 = 1, MP_F3 = 2, MP_F2 = 3 };

/* insn->map */
enum { MAP_1B = 0, MAP_0F = 1, MAP_0F38 = 2, MAP_0F3A = 3 };

#define X86_NOREG 0xff

typedef struct X86Insn {
    X86Handler handler;
    uint64_t imm;                   /* immediate (sign-extended as the op wants) */
    uint64_t imm2;                  /* second immediate (ENTER, far ptr sel) */
    int64_t disp;                   /* displacement (moffs: full address) */
    uint8_t len;                    /* total length in bytes (1..15) */
    uint8_t opsize;                 /* operand size in bytes: 2, 4, 8 */
    uint8_t addrsize;               /* address size in bytes: 2, 4, 8 */
    uint8_t prefix;                 /* PFX_* */
    uint8_t mandatory;              /* MP_* */
    uint8_t map;                    /* MAP_* */
    uint8_t opcode;                 /* the opcode byte within the map */
    uint8_t modrm;                  /* raw ModRM byte (0 if none) */
    uint8_t mod;                    /* ModRM.mod; 3 = register operand */
    uint8_t reg;                    /* ModRM.reg | REX.R<<3 */
    uint8_t rm;                     /* ModRM.rm | REX.B<<3 (mod == 3) */
    uint8_t seg;                    /* effective segment of the memory operand */
    uint8_t base;                   /* base register or X86_NOREG */
    uint8_t index;                  /* index register or X86_NOREG */
    uint8_t scale;                  /* 0..3 (shift) */
    uint8_t rex;                    /* REX byte (0x40..0x4f) or 0 */
    uint8_t riprel;                 /* 1: disp is relative to next_ip */
    uint8_t vex_v;                  /* VEX.vvvv (register number) */
    uint8_t vex_l;                  /* VEX.L */
    uint8_t vex_w;                  /* VEX.W / REX.W */
    uint8_t aux;                    /* per-handler decode data */
    /* set by x86_block_specialise() (ops-fast.c) for its handlers */
    uint8_t dreg, sreg;             /* destination / source register */
    uint8_t spec;                   /* X86_SPEC_* */
    uint8_t idx;                    /* index of this record in its block */
} X86Insn;
#define X86_SPEC_ANY   0x01         /* handler chosen by x86_block_specialise */
#define X86_SPEC_FUSED 0x02         /* also runs the Jcc at insn + 1 */
#define X86_SPEC_CHAIN 0x04         /* runs insn + 1's handler itself */

/* ---- x87 / SSE state -------------------------------------------------------- */

typedef union X86FloatReg {         /* one 80-bit x87 register (16 bytes) */
    long double ld;                 /* host x87 extended format */
    struct {
        uint64_t mant;              /* MMX register aliases this */
        uint16_t sexp;              /* sign + exponent; 0xffff after MMX write */
    } x;
    uint8_t bytes[16];
} X86FloatReg;

typedef union X86XMMReg {
    uint8_t b[16];
    uint16_t w[8];
    uint32_t d[4];
    uint64_t q[2];
    float s[4];
    double f[2];
} __attribute__((aligned(16))) X86XMMReg;

typedef struct X86FPUState {
    /* Physical registers R0..R7: ST(i) is st[(top + i) & 7]; MMi is
     * st[i].x.mant (MMX ops set top=0, all tags valid, sexp=0xffff). */
    X86FloatReg st[8];
    uint16_t fcw;                   /* control word */
    uint16_t fsw;                   /* status word, TOP bits (13:11) not used */
    uint8_t top;                    /* 0..7 */
    uint8_t ftwx;                   /* abridged tag: bit i = physical Ri valid */
    uint16_t fop;                   /* last opcode (11 bits) */
    uint64_t fip, fdp;              /* last instruction / operand pointers */
    uint16_t fcs, fds;
    uint32_t mxcsr;
    X86XMMReg xmm[16];
} X86FPUState;

/* ---- software TLB ------------------------------------------------------------ */

#define X86_TLB_BITS 10
#define X86_TLB_SIZE (1u << X86_TLB_BITS)
enum { ACC_READ, ACC_WRITE, ACC_FETCH, ACC_NR };
/* MMU index: which privilege checks an entry was filled under */
enum { MMU_USER, MMU_SUPER, MMU_SUPER_SMAP, MMU_NR };

typedef struct X86TLBEntry {
    uint64_t tag;                   /* linear page | 1 (valid) or 0 */
    uintptr_t addend;               /* host = linear + addend */
    uint64_t gpa;                   /* guest-physical page | flags (mmu.c) */
} X86TLBEntry;

/* Guest-physical address space shared by the vCPUs (cpu.h's X86VM). */
struct X86VM {
    X86MemOps ops;
    void *opaque;
    uint64_t a20_mask;              /* ~0 or ~(1 << 20) */
    uint64_t tsc_epoch_ns;          /* every vCPU's TSC counts from here */
    int64_t wflush_pending;         /* atomic: write-flush requests not
                                     * yet taken, over all vCPUs (exec.c) */
    GMutex lock;                    /* protects cpus, code_pages */
    GPtrArray *cpus;
    GHashTable *code_pages;         /* (gpa>>12)+1 for gpa >= 64 GiB */
    unsigned ncode_pages;           /* atomic read without the lock */
    /* "page holds decoded code" bits for the first 64 GiB, one 32 KiB
     * array per GiB allocated on first use; read without the lock */
    uint64_t *code_bits[64];
    int flush_gen;                  /* atomic; bumped by x86_vm_flush() */
    int tlb_gen;                    /* atomic; bumped by x86_vm_flush_tlb */
};

typedef struct X86Block X86Block;
#define X86_JCACHE_SIZE 32768
#define X86_DROP_MAX 32             /* cpu->drop_pages: queued page drops */

typedef struct X86MmioDone {
    uint64_t gpa;
    uint32_t len;
    bool write;
    uint8_t data[8];
} X86MmioDone;

/* ---- the vCPU ---------------------------------------------------------------- */

struct X86CPU {
    /* hot: used by nearly every instruction */
    uint64_t regs[16];
    uint64_t rip;
    uint64_t next_ip;
    uint64_t eflags;                /* non-arithmetic bits (+ bit 1) */
    X86Flags cc;                    /* arithmetic flags, lazily */
    X86Segment seg[8];              /* ES CS SS DS FS GS LDTR TR */
    uint8_t cpl;
    uint8_t code64;                 /* CS.L with EFER.LMA */
    uint8_t code32;                 /* CS.D (or code64) */
    uint8_t stack32;                /* SS.B */
    uint8_t mmu_idx;
    uint8_t pad0[3];
    X86TLBEntry tlb[MMU_NR][ACC_NR][X86_TLB_SIZE];

    /* control state */
    uint64_t cr0, cr2, cr3, cr4, cr8, efer, xcr0;
    X86DTable gdt, idt;
    uint64_t dr[8];                 /* DR0-3, DR6 in [6], DR7 in [7] */

    /* exception being raised by the current instruction */
    struct {
        int vector;                 /* -1: none */
        uint32_t error_code;
        bool has_error_code;
        bool soft;                  /* INT n / INT3 / INTO: gate DPL check */
        bool trap;                  /* push next_ip (INT n, INT1, ...) */
    } exc;
    bool shutdown;                  /* triple fault: exit SHUTDOWN */
    int shutdown_vector;
    X86Events events;
    X86MPState mp_state;
    bool irq_window_requested;
    bool halted;
    int irq_pending;                /* vector queued by inject_irq, or -1 */
    bool nmi_pending;
    uint8_t shadow;                 /* X86_SHADOW_* for the next insn */
    bool rep_mid;                   /* a REP string insn stopped between
                                     * iterations: an event now pushes RF=1 */
    uint32_t db_defer;              /* DR6 B0-3/BS bits of #DB traps held
                                     * back by a MOV SS/POP SS shadow */
    bool db_task;                   /* #DB trap (DR6.BT: T bit of the new
                                     * TSS) due before the next insn */

    /* MSRs the engine owns */
    uint64_t apic_base, tsc_aux, star, lstar, cstar, sfmask, kernel_gs_base;
    uint64_t amd_hwcr;              /* MSR 0xc0010015's kept bits */
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t pat, misc_enable, mtrr_def_type, mtrr_fixed[11], mtrr_var[16];
    uint64_t mcg_status, tsc_adjust, spec_ctrl, feature_control;
    int64_t tsc_offset;
    uint32_t tsc_khz;

    /* FPU / SSE (owned by the FPU/SSE engineer's code) */
    X86FPUState fpu;
    bool ferr;                      /* FERR# asserted (CR0.NE=0 error) */
    bool ignne;                     /* IGNNE# asserted by the embedder */

    /* CPUID */
    X86CpuidEntry cpuid[X86_CPUID_MAX_ENTRIES];
    int ncpuid;
    /* cached feature bits of the current CPUID table */
    uint32_t feat_1_ecx, feat_1_edx, feat_7_ebx, feat_7_ecx, feat_7_edx;
    uint32_t feat_e1_ecx, feat_e1_edx;

    /* exits and completions */
    X86Exit *exit;                  /* where the current run reports */
    X86Exit exit_scratch;           /* ... when not running */
    struct {
        bool active;                /* an IN/MMIO read awaits completion */
        bool is_io;
        uint64_t addr;              /* port or gpa */
        uint32_t len;               /* bytes */
        uint32_t count;             /* REP INS elements */
    } pending;
    X86MmioDone mmio_done[8];       /* MMIO accesses done by this insn */
    int n_mmio_done;
    bool large_pages_used;          /* INVLPG scans for large-page pieces */
    uint8_t check;                  /* CHECK_*: stop the block after this insn */
    bool io_completed;              /* io_buf holds completed IN data */
    uint32_t io_count;              /* elements of the pending INS chunk */
    uint8_t io_buf[X86_IO_DATA_MAX];
    uint8_t mmio_buf[8];
    /* ---- msr.c: an RDMSR/WRMSR handed to the embedder (X86_MSR_EXIT) */
    struct {
        bool exited;                /* X86_EXIT_MSR reported */
        bool done;                  /* x86_cpu_complete_msr() called */
        bool write, error;
        uint32_t index;
        uint64_t data, rip;
    } msr_exit;

    /* cross-thread requests (any thread) */
    int kick;                       /* atomic */
    int flush_req;                  /* atomic */
    uint32_t wflush_seq;            /* atomic: requests to drop the
                                     * writable TLB entries (another vCPU
                                     * made a page code) ... */
    uint32_t wflush_done;           /* atomic: ... the last one done */
    int in_run;                     /* atomic: inside x86_cpu_run */
    int drop_req;                   /* atomic: drop_pages[] has entries */
    unsigned ndrop;                 /* vm->lock: queued pages (may exceed
                                     * X86_DROP_MAX: then drop all) */
    uint64_t drop_pages[X86_DROP_MAX]; /* vm->lock: guest pages whose
                                     * blocks another thread overwrote */
    int req;                        /* atomic: any request above was set */
    int flush_gen_seen;
    int tlb_gen_seen;

    /* debug */
    bool guest_debug, guest_single_step;
    /* Data accesses must take the checking slow path (the fast-path
     * gates test this one byte): SLOW_DATA_DBG a data breakpoint is
     * armed (x86_dbg_update), SLOW_DATA_AC alignment checking is on
     * (CPL 3 && CR0.AM && EFLAGS.AC: x86_update_mmu_idx) */
    uint8_t slow_data;
    bool dbg_hit;                   /* data breakpoint hit by this insn */
    uint32_t gdbg_control;          /* X86_GUESTDBG_* from the embedder */
    uint64_t gdbg_dr[8];            /* embedder's DR0-3, DR7 (USE_HW_BP) */
    bool host_hit;                  /* ... one of them was hit */
    uint64_t host_dr6;
    uint64_t host_bp_skip_rip;      /* resume over a host breakpoint */
    uint32_t time_slice;            /* blocks per x86_cpu_run, 0: no limit */

    /* decoded code */
    X86Block **blocks;              /* hash table, X86_BLOCK_HASH entries */
    X86Block **page_blocks;         /* by guest page, X86_PAGE_HASH entries */
    X86Block *dead_blocks;          /* unlinked, freed at a block boundary */
    X86Block *tmp_block;            /* page-crossing instruction, uncached */
    struct {                        /* (gpa, decode key) -> block: tag is
                                     * gpa << 3 | key << 1 | 1; an entry is
                                     * cleared when its block is dropped */
        uint64_t tag;
        X86Block *b;
    } jcache[X86_JCACHE_SIZE];
    unsigned nblocks;
    uint64_t chain_gen;             /* bumped when a chain may be stale */
    uint64_t tlb_flushes;           /* bumped by every TLB flush (tlb.c);
                                     * 64-bit: never wraps to a value a
                                     * chain or slot recorded */
    uint64_t insns_retired;
    struct X86Jit *jit;             /* jit.c: code buffer, or NULL */
    struct TlbAux *tlb_aux;         /* tlb.c: flush lists, second level */
    /* jit.c chaining: translated blocks jump to each other while
     * jit_budget (blocks left in the time slice) lasts; jit_cur is the
     * block running; jit_slot the exit slot of the last unchained exit
     * (linked by the run loop to the block that came next) */
    uint32_t jit_budget;
    uint64_t jit_slot_gen;
    void *jit_slot;
    struct X86Block *jit_cur;

    X86VM *vm;
    uint32_t index;
};

#define SLOW_DATA_DBG 0x01
#define SLOW_DATA_AC  0x02

/* cpu->check bits: looked at after every instruction */
#define CHECK_EXIT_AFTER 0x01       /* exit (OUT, MMIO write) once retired */
#define CHECK_EXIT_NOW   0x02       /* exit, insn not retired (IN, MMIO read) */
#define CHECK_STALE      0x04       /* decoded code was invalidated */
#define CHECK_MODE       0x08       /* mode/flags changed: end block */

/* ---- register access ---------------------------------------------------------- */

/* A 48-bit canonical linear address (bits 63:47 all equal) */
static inline bool x86_canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

static inline uint64_t x86_mask(unsigned size)
{
    return size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/* Read GPR @r at @size bytes; size 1 honours AH..BH without REX. */
static inline uint64_t x86_get_reg(X86CPU *cpu, const X86Insn *insn,
                                   unsigned r, unsigned size)
{
    if (size == 1 && !(insn->prefix & PFX_REX) && r >= 4 && r < 8) {
        return (cpu->regs[r - 4] >> 8) & 0xff;
    }
    return cpu->regs[r] & x86_mask(size);
}

/* Write GPR: 32-bit writes zero-extend, 8/16-bit writes merge. */
static inline void x86_set_reg(X86CPU *cpu, const X86Insn *insn,
                               unsigned r, unsigned size, uint64_t v)
{
    switch (size) {
    case 1:
        if (!(insn->prefix & PFX_REX) && r >= 4 && r < 8) {
            cpu->regs[r - 4] = (cpu->regs[r - 4] & ~0xff00ULL) |
                               ((v & 0xff) << 8);
        } else {
            cpu->regs[r] = (cpu->regs[r] & ~0xffULL) | (v & 0xff);
        }
        break;
    case 2:
        cpu->regs[r] = (cpu->regs[r] & ~0xffffULL) | (v & 0xffff);
        break;
    case 4:
        cpu->regs[r] = (uint32_t)v;
        break;
    default:
        cpu->regs[r] = v;
        break;
    }
}

/* ---- flags (flags.c) ------------------------------------------------------------ */

uint32_t x86_cc_compute(const X86Flags *cc);       /* F_ARITH bits */
static inline uint64_t x86_get_flags(X86CPU *cpu)
{
    return cpu->eflags | x86_cc_compute(&cpu->cc);
}
/* Set RFLAGS (all bits given; caller applies privilege masks). */
void x86_set_flags(X86CPU *cpu, uint64_t flags);
static inline void x86_set_cc(X86CPU *cpu, X86CCOp op, unsigned size,
                              uint64_t dst, uint64_t s1, uint64_t s2)
{
    cpu->cc.op = op;
    cpu->cc.size = size;
    cpu->cc.dst = dst;
    cpu->cc.src1 = s1;
    cpu->cc.src2 = s2;
}
/* Set arithmetic flags explicitly (e.g. from the FPU's FCOMI/COMISS). */
static inline void x86_set_arith_flags(X86CPU *cpu, uint32_t f)
{
    cpu->cc.op = CC_EFLAGS;
    cpu->cc.src1 = f & F_ARITH;
}

/* ---- q1: lazy-flag readers and shift/rotate helpers (flags.c, ops-shift.c) */
/* CF alone (ADC/SBB/INC/DEC/RCL/RCR carry-in): 0 or 1; the common
 * producers inline, the rest in x86_cc_cf_slow(). */
unsigned x86_cc_cf_slow(const X86Flags *cc);
static inline unsigned x86_cc_cf(const X86Flags *cc)
{
    uint64_t m = x86_mask(cc->size);

    switch (cc->op) {
    case CC_ADD:
        return (cc->dst & m) < (cc->src1 & m);
    case CC_SUB:
        return (cc->src1 & m) < (cc->src2 & m);
    case CC_LOGIC:
        return 0;
    case CC_INC:
    case CC_DEC:
        return cc->aux != 0;
    case CC_SHL:
        return (cc->src1 & m) > (m >> 1);   /* top bit at the size */
    case CC_SHR:
    case CC_SAR:
        return cc->src1 & 1;
    default:
        if (cc->op & CC_CFOF) {
            return cc->rotf & F_CF;
        }
        return x86_cc_cf_slow(cc);
    }
}
/*
 * Jcc/SETcc/CMOVcc condition @cond (0..15). ZF and SF come straight from
 * the last result for every operation but CC_EFLAGS (CC_CFOF changes only
 * CF and OF), CF from x86_cc_cf(); OF-based conditions after SUB/CMP and
 * logic operations by signed compare / OF=0. x86_cond_slow() computes all
 * flags for the rest.
 */
bool x86_cond_slow(const X86Flags *cc, unsigned cond);
static inline __attribute__((always_inline)) bool x86_cond(X86CPU *cpu,
                                                           unsigned cond)
{
    const X86Flags *cc = &cpu->cc;
    unsigned op = cc->op;
    uint64_t m = x86_mask(cc->size), sb = (m >> 1) + 1;
    uint64_t d = cc->dst & m;
    bool r;

    if ((op & ~CC_CFOF) == CC_EFLAGS) {
        return x86_cond_slow(cc, cond);
    }
    switch (cond >> 1) {
    case 1:                         /* B / AE */
        return x86_cc_cf(cc) ^ (cond & 1);
    case 2:                         /* Z / NZ */
        return (d == 0) ^ (cond & 1);
    case 3:                         /* BE / A */
        r = d == 0 || x86_cc_cf(cc);
        return r ^ (cond & 1);
    case 4:                         /* S / NS */
        return ((d & sb) != 0) ^ (cond & 1);
    case 6:                         /* L / GE */
    case 7:                         /* LE / G */
        if (op == CC_SUB) {
            unsigned sh = 64 - cc->size * 8;
            r = (int64_t)(cc->src1 << sh) < (int64_t)(cc->src2 << sh);
        } else if (op == CC_LOGIC) {
            r = (d & sb) != 0;      /* OF = 0: SF */
        } else {
            return x86_cond_slow(cc, cond);
        }
        if (cond >> 1 == 7) {
            r = r || d == 0;
        }
        return r ^ (cond & 1);
    case 0:                         /* O / NO */
        if (op == CC_LOGIC) {
            return cond & 1;
        }
        return x86_cond_slow(cc, cond);
    default:                        /* P / NP */
        return x86_cond_slow(cc, cond);
    }
}
/* ROL/ROR/SHLD/SHRD: CF and OF become @cfof (F_CF | F_OF bits), the other
 * flags stay those of the last operation (no computation now). */
static inline void x86_cc_set_cfof(X86CPU *cpu, uint32_t cfof)
{
    cpu->cc.op |= CC_CFOF;
    cpu->cc.rotf = cfof;
}
/* Decode-time choice of a specialised shift/rotate handler for @insn
 * (op_grp2 / op_shld_shrd forms), or NULL: keep the generic one. May
 * rewrite insn->imm to the masked count. */
X86Handler x86_shift_pick(struct X86Insn *insn);
/* ---- end q1 -------------------------------------------------------------- */

/* ---- exceptions (excp.c) ----------------------------------------------------------- */

/* Record exception @vec (with error code) for the current instruction;
 * return X86_EXC for the handler to return. */
int x86_raise_err(X86CPU *cpu, int vec, uint32_t error_code);
int x86_raise(X86CPU *cpu, int vec);               /* no error code */
/* FERR# changes (CR0.NE=0 x87 error reporting): record it and tell the
 * embedder's hook; deasserting also drops the IGNNE# latch (port F0h). */
static inline void x86_ferr_signal(X86CPU *cpu, bool asserted)
{
    cpu->ferr = asserted;
    if (!asserted) {
        cpu->ignne = false;
    }
    if (cpu->vm && cpu->vm->ops.ferr) {
        cpu->vm->ops.ferr(cpu->vm->opaque, cpu, asserted);
    }
}
static inline int x86_ud(X86CPU *cpu) { return x86_raise(cpu, EXC_UD); }
static inline int x86_gp0(X86CPU *cpu) { return x86_raise_err(cpu, EXC_GP, 0); }

/* ---- memory (mmu.c) ------------------------------------------------------------------- */

/* Effective address (offset within segment) of insn's memory operand
 * (x86_insn_ea: the same out of line). */
uint64_t x86_insn_ea(X86CPU *cpu, const X86Insn *insn);
static inline uint64_t x86_insn_ea_inline(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t ea = (uint64_t)insn->disp;

    if (insn->base != X86_NOREG) {
        ea += cpu->regs[insn->base];
    }
    if (insn->index != X86_NOREG) {
        ea += cpu->regs[insn->index] << insn->scale;
    }
    if (insn->riprel) {
        ea += cpu->next_ip;
    }
    return ea & x86_mask(insn->addrsize);
}
/* Segment base + offset with limit/type checks for @size bytes of access
 * @acc (ACC_READ/ACC_WRITE). false: #GP/#SS raised. */
bool x86_seg_linear(X86CPU *cpu, int seg, uint64_t off, unsigned size,
                    int acc, uint64_t *linear);

/* Guest virtual (segment:offset) accesses of 1..16 bytes, little endian.
 * false: an exception was raised or an MMIO exit started. */
bool x86_read(X86CPU *cpu, int seg, uint64_t off, void *dst, unsigned size);
bool x86_write(X86CPU *cpu, int seg, uint64_t off, const void *src,
               unsigned size);
/* Same on a linear address; @implicit_super: a supervisor access
 * regardless of CPL (descriptor tables, TSS, IDT). */
bool x86_read_lin(X86CPU *cpu, uint64_t lin, void *dst, unsigned size,
                  bool implicit_super);
bool x86_write_lin(X86CPU *cpu, uint64_t lin, const void *src, unsigned size,
                   bool implicit_super);
/* #AC(0) if alignment checking is on (cpu->slow_data & SLOW_DATA_AC) and
 * linear @lin has any of the @mask bits set; false: raised. For operands
 * whose alignment is not their access size (FSTENV/FSAVE areas). */
bool x86_check_ac(X86CPU *cpu, uint64_t lin, uint64_t mask);
/* Check a write to [seg:off, +size) would succeed, without writing. */
bool x86_probe_write(X86CPU *cpu, int seg, uint64_t off, unsigned size);

/* Integer helpers on the ModRM operand: register or memory (the
 * out-of-line slow paths of x86_rm_read/x86_rm_write below). */
bool x86_rm_read_slow(X86CPU *cpu, const X86Insn *insn, unsigned size,
                      uint64_t *val);
bool x86_rm_write_slow(X86CPU *cpu, const X86Insn *insn, unsigned size,
                       uint64_t val);

/*
 * Fast path of a ModRM memory operand: in 64-bit code (no limit checks;
 * a TLB hit implies a canonical page), with no data breakpoint armed and
 * no alignment checking (cpu->slow_data clear), the
 * host pointer for @size bytes of access @acc (ACC_READ/ACC_WRITE) when the
 * TLB entry hits and the access stays in the page; NULL: take the slow
 * path. A write entry implies the page is readable, not code, not MMIO and
 * already dirty (the TLB's write fill guarantees it).
 */
#define X86_ALWAYS_INLINE inline __attribute__((always_inline))

/* The TLB-hit part of the fast paths: host pointer for @size bytes at
 * linear @lin (64-bit code, cpu->slow_data clear: checked by the caller),
 * or NULL. */
static X86_ALWAYS_INLINE void *x86_lin_fast_ptr(X86CPU *cpu, uint64_t lin,
                                                unsigned size, int acc)
{
    const X86TLBEntry *e =
        &cpu->tlb[cpu->mmu_idx][acc][(lin >> 12) & (X86_TLB_SIZE - 1)];

    if (e->tag != ((lin & ~0xfffULL) | 1) || (lin & 0xfff) + size > 0x1000) {
        return NULL;
    }
    return (void *)(uintptr_t)(lin + e->addend);
}

/* Whether the fetch TLB (current MMU index) maps linear @lin to the
 * guest-physical page of @gpa: a chained block (exec.c) decoded at @gpa
 * from @lin is still the code at @lin. Chains are checked this way rather
 * than invalidated by TLB flushes (CR3 writes, INVLPG), which leave the
 * fetch TLB empty or refilled for the pages they concern. */
static inline bool x86_fetch_tlb_maps(X86CPU *cpu, uint64_t lin,
                                      uint64_t gpa)
{
    const X86TLBEntry *e =
        &cpu->tlb[cpu->mmu_idx][ACC_FETCH][(lin >> 12) & (X86_TLB_SIZE - 1)];

    return e->tag == ((lin & ~0xfffULL) | 1) && !((e->gpa ^ gpa) >> 12);
}

static X86_ALWAYS_INLINE void *x86_rm_fast_ptr(X86CPU *cpu,
                                               const X86Insn *insn,
                                               unsigned size, int acc)
{
    uint64_t lin;

    if (!cpu->code64 || cpu->slow_data) {
        return NULL;
    }
    lin = x86_insn_ea_inline(cpu, insn);
    if (insn->seg == SEG_FS || insn->seg == SEG_GS) {
        lin += cpu->seg[insn->seg].base;
    }
    return x86_lin_fast_ptr(cpu, lin, size, acc);
}

static inline uint64_t x86_host_load(const void *h, unsigned size)
{
    uint8_t b;
    uint16_t w;
    uint32_t l;
    uint64_t q = 0;

    switch (size) {
    case 1: memcpy(&b, h, 1); return b;
    case 2: memcpy(&w, h, 2); return w;
    case 4: memcpy(&l, h, 4); return l;
    case 8: memcpy(&q, h, 8); return q;
    default: memcpy(&q, h, size); return q;
    }
}

static inline void x86_host_store(void *h, unsigned size, uint64_t v)
{
    uint8_t b = v;
    uint16_t w = v;
    uint32_t l = v;

    switch (size) {
    case 1: memcpy(h, &b, 1); break;
    case 2: memcpy(h, &w, 2); break;
    case 4: memcpy(h, &l, 4); break;
    default: memcpy(h, &v, size); break;
    }
}

static X86_ALWAYS_INLINE bool x86_rm_read(X86CPU *cpu, const X86Insn *insn,
                                          unsigned size, uint64_t *val)
{
    void *h;

    if (insn->mod == 3) {
        *val = x86_get_reg(cpu, insn, insn->rm, size);
        return true;
    }
    h = x86_rm_fast_ptr(cpu, insn, size, ACC_READ);
    if (__builtin_expect(h != NULL, 1)) {
        *val = x86_host_load(h, size);
        return true;
    }
    return x86_rm_read_slow(cpu, insn, size, val);
}

static X86_ALWAYS_INLINE bool x86_rm_write(X86CPU *cpu, const X86Insn *insn,
                                           unsigned size, uint64_t val)
{
    void *h;

    if (insn->mod == 3) {
        x86_set_reg(cpu, insn, insn->rm, size, val);
        return true;
    }
    h = x86_rm_fast_ptr(cpu, insn, size, ACC_WRITE);
    if (__builtin_expect(h != NULL, 1)) {
        x86_host_store(h, size, val);
        return true;
    }
    return x86_rm_write_slow(cpu, insn, size, val);
}

/* For LOCKed read-modify-write: *host is a host pointer to the operand
 * (RAM, writable, not crossing a page), or NULL when the caller must fall
 * back to x86_read + x86_write under x86_lock_global(). */
bool x86_atomic_ptr(X86CPU *cpu, int seg, uint64_t off, unsigned size,
                    void **host);
void x86_lock_global(void);
void x86_unlock_global(void);

/* TLB maintenance */
void x86_tlb_flush(X86CPU *cpu, bool include_global);
void x86_tlb_flush_page(X86CPU *cpu, uint64_t lin);
void x86_update_mmu_idx(X86CPU *cpu);

/* ---- FPU/SSE routing -------------------------------------------------------------- */
/*
 * The decoder sends these opcodes to the FPU/SSE engineer's functions
 * (weak defaults in weak-stubs.c raise #UD). Before calling, the
 * dispatcher has already checked availability:
 *   x87 (D8-DF, 9B WAIT): CR0.EM or CR0.TS -> #NM (WAIT: TS&&MP -> #NM).
 *   SSE (MAP_0F/0F38/0F3A SIMD): CR0.EM -> #UD, CR4.OSFXSR=0 -> #UD,
 *   CR0.TS -> #NM. MMX forms (mandatory == MP_NONE on MMX opcodes):
 *   CR0.EM -> #UD, CR0.TS -> #NM.
 * x86_x87_exec(): opcodes D8-DF (insn->opcode, insn->modrm), 9B FWAIT,
 *   and 0F AE /0 FXSAVE, /1 FXRSTOR, /4 XSAVE, /5 XRSTOR, /6 XSAVEOPT
 *   (memory forms; insn->map == MAP_0F, opcode 0xAE, reg = /n).
 * x86_sse_exec(): MAP_0F opcodes 10-17 28-2F 50-7F C2 C4-C6 D0-FE (except
 *   integer ones listed in decode-table.h) and 0F AE /2 LDMXCSR, /3
 *   STMXCSR, 0F 77 EMMS; all of MAP_0F38 except MOVBE/CRC32/ADX/BMI;
 *   all of MAP_0F3A (imm8 in insn->imm); F2 0F38 F0/F1 CRC32.
 *   Immediate bytes are already decoded into insn->imm for 0F 70-73,
 *   C2, C4-C6 and 0F3A.
 * Both return X86_NEXT or X86_EXC (via x86_raise*).
 * x86_fpu_reset(): FNINIT + MXCSR=0x1f80 + XMM zero (RESET/INIT).
 */
int x86_x87_exec(X86CPU *cpu, const X86Insn *insn);
int x86_sse_exec(X86CPU *cpu, const X86Insn *insn);
void x86_fpu_reset(X86CPU *cpu);

#endif
