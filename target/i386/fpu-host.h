/*
 * x87/MMX/SSE execution on the host CPU ("same ISA: use the host").
 *
 * The FPU/SSE handlers (x87*.c, sse*.c) decode and check a guest
 * instruction (availability, alignment, memory access), then run the very
 * same operation on the host: fpu-host.c builds a small thunk per distinct
 * instruction (canonical bytes re-encoded from the decoded record, never
 * raw guest bytes) that loads the guest's registers and control state,
 * executes the instruction with its memory operand redirected to a scratch
 * buffer and its GPR operands mapped to RAX/RCX/RDX, and stores the state
 * back.  Results, flags and exception bits are then bit-exact with the
 * host, which is what KVM gives a guest too.
 *
 * Thunks are cached (global table under a mutex, per-thread direct-mapped
 * cache in front); the code lives in RWX pages allocated once per 256 KiB,
 * at most 64 MiB in all.  Callers stage guest registers in host registers
 * 0..2 (sse.c), so thunks never depend on guest register numbers.
 * Private to target/i386's FPU/SSE files.
 */
#ifndef TARGET_I386_FPU_HOST_H
#define TARGET_I386_FPU_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "target/i386/internal.h"

/* Scratch state a thunk reads and writes (RDI points here). */
typedef struct FpuHostCtx {
    uint8_t mem[128];           /* memory operand (x87 env/state <= 108) */
    uint8_t fx[512];            /* x87 thunks: FXSAVE image in and out */
    uint64_t gpr[3];            /* RAX, RCX, RDX */
    uint64_t rflags;            /* arithmetic flags in/out */
    uint32_t mxcsr;             /* guest MXCSR in/out (SSE thunks) */
    uint32_t host_mxcsr;
    uint16_t host_fcw;
    uint16_t pad[3];
    uint64_t mm[8];             /* MMX registers in/out (SSE thunks) */
} __attribute__((aligned(64))) FpuHostCtx;

enum {
    FPU_THUNK_SSE = 0,          /* xmm/mm/gpr/mxcsr operands */
    FPU_THUNK_X87 = 1,          /* fx image */
};

#define FPU_THUNK_FLAGS_IN   0x01   /* load guest arithmetic flags first */
#define FPU_THUNK_FLAGS_OUT  0x02   /* store flags after */
#define FPU_THUNK_NO_MXCSR   0x04   /* SSE thunk of an instruction that
                                       neither reads nor writes MXCSR: it
                                       runs under the host's MXCSR */

typedef struct FpuThunkKey {
    uint8_t insn[16];           /* canonical instruction bytes */
    uint8_t len;
    uint8_t kind;               /* FPU_THUNK_* */
    uint8_t flags;              /* FPU_THUNK_FLAGS_* */
    uint8_t mm_mask;            /* MMX registers to load/store */
    uint16_t xmm_mask;          /* XMM registers to load/store */
    uint8_t pad[10];
} FpuThunkKey;

typedef void (*FpuThunk)(FpuHostCtx *ctx, X86XMMReg *xmm);

/* Map the first code chunk now (vCPU creation), before a process
 * sandbox (seccomp) might forbid executable mappings. */
void fpu_host_prealloc(void);

/* The thunk for @key (created on first use); NULL if the host cannot
 * provide executable memory. */
FpuThunk fpu_host_thunk(const FpuThunkKey *key);

/*
 * Run an SSE thunk with the guest's exception masks really applied: an
 * unmasked SIMD exception (#XM) in the host instruction is caught by a
 * SIGFPE handler (installed on first use) that abandons the thunk.
 * Returns true if it faulted; ctx->mxcsr then holds MXCSR at the fault
 * (the exception flags the hardware set), and no register was written.
 */
bool fpu_host_call_checked(FpuThunk thunk, FpuHostCtx *ctx, X86XMMReg *xmm);

/* The memory operand of a thunk: [RDI + disp32] with ModRM.reg = @reg. */
static inline unsigned fpu_host_emit_mem(uint8_t *b, unsigned reg)
{
    b[0] = (uint8_t)(0x80 | (reg & 7) << 3 | 7);   /* mod=2, rm=RDI */
    b[1] = (uint8_t)__builtin_offsetof(FpuHostCtx, mem);
    b[2] = b[3] = b[4] = 0;
    return 5;
}

#endif
