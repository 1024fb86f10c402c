/*
 * SSE/MMX opcode table: for each (map, opcode, mandatory prefix) the
 * operand kinds, memory access and checks the handler in sse.c needs.
 * Private to target/i386's SSE files.
 */
#ifndef TARGET_I386_SSE_TABLE_H
#define TARGET_I386_SSE_TABLE_H

#include <stdbool.h>
#include <stdint.h>

enum { K_NONE, K_XMM, K_MM, K_GPR, K_DIGIT };

/* SseInfo.flags */
#define SI_A16       0x0001   /* 16-byte memory operand must be aligned */
#define SI_MEMW      0x0002   /* memory operand is written (else read) */
#define SI_REGONLY   0x0004   /* mod != 3 is #UD */
#define SI_MEMONLY   0x0008   /* mod == 3 is #UD */
#define SI_FLAGS     0x0010   /* writes ZF/PF/CF/... */
#define SI_XMM0      0x0020   /* implicit XMM0 (read or written) */
#define SI_ESTR      0x0040   /* reads RAX and RDX (PCMPESTRx) */
#define SI_RCXOUT    0x0080   /* writes RCX (PCMPxSTRI) */
#define SI_GPRW_REG  0x0100   /* the ModRM.reg GPR is written */
#define SI_GPRW_RM   0x0200   /* the ModRM.rm GPR is written */
#define SI_MMW_RM    0x0400   /* the rm MMX register is the destination */
#define SI_MMW_NONE  0x0800   /* no MMX register is written */
#define SI_NOFP      0x1000   /* raises no SIMD FP exception */
#define SI_GPR_RMW   0x2000   /* the ModRM.reg GPR is read too (CRC32) */

#define MSZ_W        0xfe     /* memory size 4, or 8 with REX.W */
#define MSZ_OP       0xfd     /* memory size = operand size (CRC32 F1) */

typedef struct SseInfo {
    uint8_t reg, rm;          /* K_* */
    uint8_t msize;            /* bytes, MSZ_W or MSZ_OP */
    uint16_t flags;           /* SI_* */
    uint8_t digits;           /* K_DIGIT: bit n = /n valid */
} SseInfo;

/* The host has SSE3 (x87 FISTTP needs it too). */
bool sse_host_has_sse3(void);

/* false: undefined opcode (#UD) */
bool sse_lookup(unsigned map, unsigned op, unsigned mp, SseInfo *si);

#endif
