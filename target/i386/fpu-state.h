/*
 * x87/SSE state helpers shared by fpu-state.c, x87.c and sse.c: the FXSAVE
 * image conversion, FXSAVE/FXRSTOR/XSAVE/XRSTOR, and block memory access.
 * Private to target/i386's FPU/SSE files.
 */
#ifndef TARGET_I386_FPU_STATE_H
#define TARGET_I386_FPU_STATE_H

#include "target/i386/internal.h"

/* 512-byte FXSAVE image of @f (64-bit format with @rex_w). */
void fpu_state_to_fx(const X86FPUState *f, uint8_t *fx, bool rex_w);
/* Only the x87 part (bytes 0..159, 64-bit format) with @mxcsr. */
void fpu_state_to_fx_x87(const X86FPUState *f, uint8_t *fx, uint32_t mxcsr);
/* Load the x87 part (FCW..ST7) of an FXSAVE image. */
void fpu_state_from_fx_x87(X86FPUState *f, const uint8_t *fx, bool rex_w);
/* 0F AE /0 /1 /4 /5 /6 with a memory operand. */
int fpu_state_exec_0fae(X86CPU *cpu, const X86Insn *insn);
/* Guest memory blocks larger than 16 bytes (write: probed first). */
bool fpu_read_block(X86CPU *cpu, int seg, uint64_t off, void *dst,
                    unsigned size);
bool fpu_write_block(X86CPU *cpu, int seg, uint64_t off, const void *src,
                     unsigned size);

#endif
