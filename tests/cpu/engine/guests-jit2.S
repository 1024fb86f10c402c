/*
 * More bare-metal guests for test-jit.c (see guests-jit.S; loaded at
 * JIT2_BASE, position-independent): registers kept in memory under
 * register pressure, BT* offsets, POPFQ raising IF, #UD mid-block.
 */
    .section .note.GNU-stack, "", @progbits
    .section .rodata
    .code64
    .globl g_jit2_start, g_jit2_end
    .globl j_pressure, j_bt_regmem, j_bt_imm, j_popf_if, j_ud_mid
    .globl j_uk_pf, j_ext_smc, j_ext_data, j_flag_forms
    .globl j_ext_cr2, j_ext_cr2_back
g_jit2_start:

/* ---- register pressure: R8-R14 and RBP, used most, take the homes, so
 * the block's shifts, CMOV, BSF, IMUL, XCHG, BSWAP, CDQ... work on
 * RAX-RSI kept in memory (32-bit results zero-extend there) ---------- */
j_pressure:
    mov $48, %r15d
    mov $0x8000000180000003, %rax
    mov $0xffffffff00000010, %rbx
    xor %ecx, %ecx
    mov $-1, %rdx
    mov $0x0000000100000000, %rsi
1:  add %r8, %r9
    add %r10, %r11
    add %r12, %r13
    add %r14, %rbp
    add %r9, %r10
    add %r11, %r12
    add %r13, %r14
    add %rbp, %r8
    lea 1(%r8, %r11), %r9
    lea 3(%r10, %r13), %r12
    lea 5(%r14, %r9), %rbp
    lea 7(%r12, %rbp), %r11
    shl %cl, %ebx                           /* CL 0: still zero-extends */
    cmovz %edx, %eax                        /* taken or not: zero-extends */
    bsf %esi, %edx                          /* ESI 0: RDX kept */
    imul $7, %ebx, %esi
    xchg %eax, %ebx
    bswap %edx
    cdq
    sar %cl, %eax
    jmp 2f
2:  mov %rax, (%rdi)
    mov %rbx, 8(%rdi)
    mov %rcx, 16(%rdi)
    mov %rdx, 24(%rdi)
    mov %rsi, 32(%rdi)
    mov %rbp, 40(%rdi)
    mov %r11, 48(%rdi)
    add $56, %rdi
    mov %r15d, %ecx
    and $3, %ecx                            /* 0 every 4th round */
    bts %r15, %rsi
    sub $0x11, %rax
    dec %r15d
    jnz 1b
    hlt

/* ---- BTS/BTR/BTC/BT with a register bit offset on a register kept in
 * memory (R8-R13, RBP, RAX, RBX take the homes): the offset is taken
 * modulo 64, it must not address the bytes after the register --------- */
j_bt_regmem:
    mov $40, %r15d
    mov $515, %ecx                          /* bit 3; byte 64 further */
    xor %esi, %esi
    xor %edx, %edx
    xor %r14d, %r14d
1:  add %r8, %r9
    add %r10, %r11
    add %r12, %r13
    add %rbp, %rax
    add %rbx, %r8
    add %r9, %r10
    add %r11, %r12
    add %r13, %rbp
    add %rax, %rbx
    lea 1(%r8, %r9), %r10
    lea 1(%r11, %r12), %r13
    lea 1(%rbp, %rax), %rbx
    bts %rcx, %rsi
    btc %ecx, %edx
    bt %rcx, %rsi
    adc $0, %r14
    jmp 2f
2:  mov %rsi, (%rdi)
    mov %rdx, 8(%rdi)
    mov %r14, 16(%rdi)
    add $24, %rdi
    add $64, %ecx
    dec %r15d
    jnz 1b
    hlt

/* the immediate forms with offsets past the operand size (taken modulo
 * it) on registers homed and kept in memory, and on memory */
j_bt_imm:
    mov $40, %r15d
    xor %esi, %esi
    xor %edx, %edx
1:  add %r8, %r9
    add %r10, %r11
    add %r12, %r13
    add %rbp, %rax
    add %rbx, %r8
    add %r9, %r10
    add %r11, %r12
    add %r13, %rbp
    add %rax, %rbx
    lea 1(%r8, %r9), %r10
    lea 1(%r11, %r12), %r13
    lea 1(%rbp, %rax), %rbx
    .byte 0x48, 0x0f, 0xba, 0xee, 0xc8      /* bts $200, %rsi */
    .byte 0x0f, 0xba, 0xfa, 0x61            /* btc $97, %edx */
    .byte 0x66, 0x41, 0x0f, 0xba, 0xf6, 0x33 /* btr $51, %r14w */
    .byte 0x48, 0x0f, 0xba, 0x67, 0x08, 0x85 /* btq $133, 8(%rdi) */
    adc $0, %r14
    jmp 2f
2:  mov %rsi, (%rdi)
    mov %rdx, 16(%rdi)
    mov %r14, 24(%rdi)
    add $32, %rdi
    rol $1, %rsi
    dec %r15d
    jnz 1b
    hlt

/* ---- POPFQ setting IF again (an interrupt queued while IF=0 must come
 * right after it) ----------------------------------------------------- */
j_popf_if:
    mov $60, %r15d
1:  pushfq
    cli
    add $1, %rax
    add %rax, %rbx
    popfq
    add $1, %rcx
    mov %rbx, (%rdi)
    add $8, %rdi
    dec %r15d
    jnz 1b
    hlt

/* ---- #UD in the middle of a translated block (iteration 30) --------- */
j_ud_mid:
    mov $40, %r15d
1:  add $7, %rax
    cmp $11, %r15d
    jne 2f
    mov $-1, %rdx
    sub $1, %rdx                            /* flags of the SUB */
    ud2
2:  add %rax, %rbx
    mov %rbx, (%rdi)
    add $8, %rdi
    dec %r15d
    jnz 1b
    hlt

/* ---- the #PF handler of the user-jmp-kernel case (test-jit.c
 * setup_ukjmp: CPL3 code on a user page jumps straight to this address,
 * on a supervisor page, so every jump faults and lands here at CPL0). It
 * adds the CS it runs with to R14 (0x10 each time: never 0x33) and
 * counts in a supervisor-only word, then returns to RCX. A translated
 * user block whose exit was linked to this handler's block (translated
 * for the supervisor MMU index) must not jump there at CPL3. ---------- */
j_uk_pf:
    incq 0xf0380                            /* EXC_REC + 0x380: supervisor */
    mov %cs, %eax
    add %rax, %r14
    mov %rcx, 8(%rsp)                       /* return to RCX */
    add $8, %rsp                            /* the error code */
    iretq

/* ---- blocks extended past their final Jcc (x86_block_extend): the
 * block rewrites the immediate of an instruction after its Jcc (in the
 * extended part of its own translation) and falls through to it half
 * the time: the new immediate must be the one that runs ------------- */
j_ext_smc:
    mov $30, %r15d
    xor %ebx, %ebx
1:  lea 3f+1(%rip), %rsi
    mov %r15d, (%rsi)                       /* rewrites 3f's immediate */
    test $1, %r15b
    jz 2f
    add $1, %rbx
3:  mov $0, %eax
    add %rax, %rbx
    mov %rbx, (%rdi)
    add $8, %rdi
2:  dec %r15d
    jnz 1b
    hlt

/* ... an always-taken Jcc followed by bytes that are no code (a
 * privileged instruction, a #UD encoding, an instruction crossing into
 * the next page): decoded into the extension, never run ------------- */
j_ext_data:
    mov $40, %r15d
    xor %ebx, %ebx
1:  add %r15, %rbx
    mov %rbx, (%rdi)
    add $8, %rdi
    cmp %rbx, %rbx
    je 2f                                   /* always taken */
    mov %rax, %cr3
    wrmsr
    ud2
2:  dec %r15d
    jnz 1b
    jmp 4f
    .p2align 12
    .skip 4096 - 24
4:  mov $12, %ecx                           /* near the page end */
5:  add %rcx, %rbx
    test %rcx, %rcx
    jnz 6f                                  /* always taken */
    movabs $0x1122334455667788, %rax        /* crosses the page */
6:  dec %ecx
    jnz 5b
    mov %rbx, (%rdi)
    hlt

/* ---- flags loaded into the host (SAHF + ADD for OF) from every lazy
 * form a handler leaves in cpu->cc: each producer below runs through its
 * interpreter handler (MUL, one-operand IMUL, LOCKed read-modify-writes,
 * XADD, CMPXCHG, BTS/BTC, POPFQ, SAHF); then translated SETcc read O, B,
 * Z, BE, S, P, L, LE (into memory: the TLB lookup keeps the flags), and
 * after the producer again a translated ROL (keeps SF ZF AF PF) and
 * PUSHFQ show AF and the rest as stored back by LAHF/SETO ------------ */
.macro FLAGS_OUT
    seto (%rdi)
    setb 1(%rdi)
    setz 2(%rdi)
    setbe 3(%rdi)
    sets 4(%rdi)
    setp 5(%rdi)
    setl 6(%rdi)
    setle 7(%rdi)
    add $8, %rdi
.endm
.macro FORM insn:vararg
    \insn
    FLAGS_OUT
    \insn
    rol $1, %r9
    pushfq
    popq (%rdi)
    add $8, %rdi
.endm
.macro POPF_RCX
    pushfq
    pop %rdx
    and $~0x8d5, %rdx
    or %rcx, %rdx
    push %rdx
    popfq
.endm
j_flag_forms:
    mov $24, %r15d
    mov $0x200800, %rbp
    mov $0x8000000000000001, %r14
    mov $0x0123456789abcdef, %r9
1:  mov %r14, %rax
    xor %r15, %rax
    mov %r14, %rbx
    shl $7, %rbx
    or %r15, %rbx
    mov %rax, (%rbp)
    FORM mul %rbx
    FORM mulb 3(%rbp)
    FORM imul %rbx
    FORM lock addq %rax, (%rbp)
    FORM lock adcl %ebx, (%rbp)
    FORM lock subw %ax, (%rbp)
    FORM lock sbbb %bl, 1(%rbp)
    FORM lock andq %rbx, (%rbp)
    FORM lock orl %eax, 4(%rbp)
    FORM lock xorq %r14, (%rbp)
    FORM lock incq (%rbp)
    FORM lock decb 7(%rbp)
    FORM lock negq (%rbp)
    FORM lock xaddq %rax, (%rbp)
    FORM lock cmpxchgq %rbx, (%rbp)
    FORM lock btsq $63, (%rbp)
    mov %ebx, %ecx
    and $127, %ecx
    FORM lock btcq %rcx, (%rbp)
    mov %rax, %rcx
    and $0x8d5, %ecx
    FORM POPF_RCX
    FORM sahf
    add %rax, %r14
    rol $13, %r14
    xor $0x5555, %r14
    dec %r15d
    jnz 1b
    hlt

/* ---- x86_block_extend re-walks the page tables for the block's RIP:
 * on its second run (KVMU_JIT=2's threshold) the block at 0xa00000
 * (test-jit.c setup_extcr2: a 4K page, "cmp %rbx, %rbx; je back") is
 * reached through exec.c's successor chain while its PTE is cleared
 * without INVLPG and its fetch entries evicted (a fetch from 0x1a00000,
 * the same slot in both TLB levels): the TLB-cached translation still
 * runs it, and no #PF may show (CR2 stays 0) ------------------------ */
j_ext_cr2:
1:  jmp *%rbx
j_ext_cr2_back:
    mov %cr2, %rax
    mov %rax, (%rdi)
    add $8, %rdi
    inc %r12
    cmp $2, %r12
    je 2f
    movq $0, 0x15000                        /* 0xa00000 not present */
    mov $0x1a00000, %eax
    call *%rax                              /* evicts its fetch entries */
    jmp 1b
2:  movq $0xa00003, 0x15000
    invlpg 0xa00000
    hlt

g_jit2_end:
