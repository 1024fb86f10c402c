/*
 * A self-contained x86 disassembler (16/32/64-bit code, AT&T syntax in
 * the style of GNU objdump), used by the monitor's x/i and xp/i. It
 * covers the general-purpose instruction set, system instructions, x87,
 * MMX/SSE/SSE2/SSE3, the common SSSE3/SSE4/AES/CLMUL forms, their VEX
 * (AVX/AVX2) forms, FMA and BMI1/2; anything else (EVEX/AVX-512,
 * gathers, F16C, AMX, rarer system opcodes) prints "(bad)".
 */
#ifndef DISAS_X86_H
#define DISAS_X86_H

#include <stddef.h>
#include <stdint.h>

/*
 * Disassemble the instruction at buf[0..len) (len may be anything; no
 * byte past len is read) as if it were at address pc, in mode 16, 32 or
 * 64 (the code-segment size). Writes the text, NUL-terminated and cut to
 * outlen, to out: "mnemonic operands" with the mnemonic padded to six
 * columns, as objdump prints it. Returns the instruction's length in
 * bytes (1..15); an unknown, invalid or truncated instruction prints
 * "(bad)" and returns 1. Returns 0 only for len 0 (out is then "").
 */
int disas_x86(const uint8_t *buf, size_t len, uint64_t pc, int mode,
              char *out, size_t outlen);

#endif
