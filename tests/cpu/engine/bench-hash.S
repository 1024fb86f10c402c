/*
 * Hash-like kernels for engine-bench-hash (bench-hash.c): the instruction
 * mix of busybox md5sum/sha256sum/gzip inner loops (32-bit ALU, rotates
 * by immediate, shifts, table loads). Each is a SysV function
 *   uint64_t k(const uint32_t *buf, uint64_t iterations)
 * run natively on the host and in the engine; the results must agree.
 * Position-independent: no absolute addresses, no data of its own.
 */
    .section .note.GNU-stack, "", @progbits
    .text

/* md5 round-1 style step: a = b + rol(a + F(b,c,d) + buf[k] + t, s) */
.macro FF a b c d k s t
    mov \c, %r9d
    xor \d, %r9d
    and \b, %r9d
    xor \d, %r9d
    add \k*4(%rdi), \a
    add $\t, \a
    add %r9d, \a
    rol $\s, \a
    add \b, \a
.endm

/* md5 round-4 style: I(b,c,d) = c ^ (b | ~d), and a ror */
.macro II a b c d k s t
    mov \d, %r9d
    not %r9d
    or \b, %r9d
    xor \c, %r9d
    add $\t, \a
    add \k*4(%rdi), \a
    add %r9d, \a
    ror $\s, \a
    add \b, \a
.endm

    .globl bench_md5ish
    .type bench_md5ish, @function
bench_md5ish:
    push %rbx
    mov $0x67452301, %eax
    mov $0xefcdab89, %ebx
    mov $0x98badcfe, %ecx
    mov $0x10325476, %edx
1:
    FF %eax, %ebx, %ecx, %edx, 0, 7, 0xd76aa478
    FF %edx, %eax, %ebx, %ecx, 1, 12, 0xe8c7b756
    FF %ecx, %edx, %eax, %ebx, 2, 17, 0x242070db
    FF %ebx, %ecx, %edx, %eax, 3, 22, 0xc1bdceee
    FF %eax, %ebx, %ecx, %edx, 4, 7, 0xf57c0faf
    FF %edx, %eax, %ebx, %ecx, 5, 12, 0x4787c62a
    FF %ecx, %edx, %eax, %ebx, 6, 17, 0xa8304613
    FF %ebx, %ecx, %edx, %eax, 7, 22, 0xfd469501
    II %eax, %ebx, %ecx, %edx, 8, 26, 0x698098d8
    II %edx, %eax, %ebx, %ecx, 9, 22, 0x8b44f7af
    II %ecx, %edx, %eax, %ebx, 10, 17, 0xffff5bb1
    II %ebx, %ecx, %edx, %eax, 11, 11, 0x895cd7be
    II %eax, %ebx, %ecx, %edx, 12, 26, 0x6b901122
    II %edx, %eax, %ebx, %ecx, 13, 22, 0xfd987193
    II %ecx, %edx, %eax, %ebx, 14, 17, 0xa679438e
    II %ebx, %ecx, %edx, %eax, 15, 11, 0x49b40821
    dec %rsi
    jnz 1b
    shl $32, %rbx
    or %rbx, %rax
    xor %rcx, %rax
    shl $16, %rdx
    xor %rdx, %rax
    pop %rbx
    ret
    .size bench_md5ish, . - bench_md5ish

/* sha256 round style: h += Sigma1(e) + Ch(e,f,g) + w[k] + t; then a bswap
 * and a shr-based schedule word, as the compiled message schedule does */
.macro SS e f g h k t
    mov \e, %r9d
    mov \e, %r10d
    ror $6, %r9d
    ror $11, %r10d
    xor %r10d, %r9d
    mov \e, %r10d
    rol $7, %r10d
    xor %r10d, %r9d
    mov \e, %r10d
    mov \e, %r11d
    not %r10d
    and \g, %r10d
    and \f, %r11d
    xor %r11d, %r10d
    add %r10d, %r9d
    add \k*4(%rdi), %r9d
    add $\t, %r9d
    add %r9d, \h
    mov \k*4(%rdi), %r11d
    bswap %r11d
    mov %r11d, %r10d
    shr $3, %r11d
    ror $7, %r10d
    xor %r10d, %r11d
    add %r11d, \h
.endm

    .globl bench_sha256ish
    .type bench_sha256ish, @function
bench_sha256ish:
    push %rbx
    push %r12
    push %r13
    mov $0x6a09e667, %eax
    mov $0xbb67ae85, %ebx
    mov $0x3c6ef372, %ecx
    mov $0xa54ff53a, %edx
    mov $0x510e527f, %r12d
    xor %r8d, %r8d
1:
    SS %eax, %ebx, %ecx, %edx, 0, 0x428a2f98
    SS %edx, %eax, %ebx, %ecx, 1, 0x71374491
    SS %ecx, %edx, %eax, %ebx, 2, 0xb5c0fbcf
    SS %ebx, %ecx, %edx, %eax, 3, 0xe9b5dba5
    SS %eax, %ebx, %r12d, %edx, 4, 0x3956c25b
    SS %edx, %eax, %ebx, %r12d, 5, 0x59f111f1
    SS %r12d, %edx, %eax, %ebx, 6, 0x923f82a4
    SS %ebx, %r12d, %edx, %eax, 7, 0xab1c5ed5
    inc %r8
    cmp %rsi, %r8
    jne 1b
    shl $32, %rbx
    or %rbx, %rax
    xor %rcx, %rax
    shl $16, %rdx
    xor %rdx, %rax
    xor %r12, %rax
    pop %r13
    pop %r12
    pop %rbx
    ret
    .size bench_sha256ish, . - bench_sha256ish

/* deflate/crc style: byte loads, table-free crc step with shr/and/xor,
 * shifts by %cl, sar, shld/shrd, adc/sbb after shifts, setc, 64-bit rol */
    .globl bench_bitsish
    .type bench_bitsish, @function
bench_bitsish:
    push %rbx
    push %r12
    mov $0xffffffff, %eax
    mov $0x12345678, %r12d
    xor %edx, %edx
    xor %r8d, %r8d
1:
    mov %r8d, %r10d
    and $63, %r10d
    movzbl (%rdi, %r10), %r9d
    xor %r9d, %eax
    mov %eax, %r11d
    shr $1, %eax
    and $1, %r11d
    neg %r11d
    and $0xedb88320, %r11d
    xor %r11d, %eax
    mov %eax, %ecx
    and $15, %ecx
    mov %r12, %rbx
    shl %cl, %rbx
    shr %cl, %r12d
    sar %cl, %rbx
    add %rbx, %rdx
    adc $0, %r12d
    shld $5, %eax, %r12d
    shrd %cl, %eax, %edx
    sbb %r9d, %edx
    setc %bl
    movzbl %bl, %ebx
    add %ebx, %r12d
    rol $13, %rdx
    shr $2, %r9w
    sal $3, %r9b
    add %r9d, %r12d
    inc %r8
    cmp %rsi, %r8
    jne 1b
    shl $32, %rdx
    xor %rdx, %rax
    xor %r12, %rax
    pop %r12
    pop %rbx
    ret
    .size bench_bitsish, . - bench_bitsish

    .globl bench_hash_end
bench_hash_end:
