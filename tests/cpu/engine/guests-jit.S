/*
 * Bare-metal guests for test-jit.c (64-bit kernel, position-independent,
 * loaded at JIT_BASE = 1 MiB, engine-env.c's identity map of 16 MiB).
 * Each is a loop run often enough that its blocks get translated and
 * chained (test-jit.c runs it with KVMU_JIT=off and KVMU_JIT=1 and
 * compares): per iteration it stores results and flags (PUSHFQ) into
 * the log at 2 MiB (4 MiB: %rdi on entry), so a wrong iteration shows. Each
 * ends with HLT, or in jit_exc (the exception handler: vector, error
 * code, RIP, RFLAGS, RSP of the frame and CR2 into EXC_REC, then HLT
 * with the faulting context's registers otherwise unchanged).
 */
    .section .note.GNU-stack, "", @progbits
    .section .rodata
    .code64
    .globl g_jit_start, g_jit_end
    .globl jit_exc_noec, jit_exc_ec, jit_irq
    .globl j_alu, j_ops, j_stack, j_pf_flags, j_pf_push, j_ret_nc
    .globl j_jmpi_nc, j_cross, j_ro_write, j_smc_self, j_smc_next
    .globl j_alias, j_mmio_flags, j_div, j_stac, j_popf_ac, j_hibyte
    .globl j_cmov_bsf, j_shifts, j_pushpop_rsp, j_far_page
    .globl j_pf_flags_helper, j_calli_mem, j_smc_far
    .globl j_dbp, j_mmio_loop, j_cli_sti, j_pf_flags_inc
    .globl j_remap_body, j_remap_body_end

#define EXC_REC 0xf0000

g_jit_start:

/* ---- the exception handler: %rax is pushed below the frame ------------ */
jit_exc_noec:
    movq $0, EXC_REC + 8
    push %rax
    mov 8(%rsp), %rax
    mov %rax, EXC_REC + 16                  /* RIP */
    mov 24(%rsp), %rax
    mov %rax, EXC_REC + 24                  /* RFLAGS */
    mov 32(%rsp), %rax
    mov %rax, EXC_REC + 32                  /* RSP */
    jmp 1f
jit_exc_ec:
    push %rax
    mov 8(%rsp), %rax
    mov %rax, EXC_REC + 8                   /* error code */
    mov 16(%rsp), %rax
    mov %rax, EXC_REC + 16
    mov 32(%rsp), %rax
    mov %rax, EXC_REC + 24
    mov 40(%rsp), %rax
    mov %rax, EXC_REC + 32
1:  mov %cr2, %rax
    mov %rax, EXC_REC + 40
    incq EXC_REC + 48                       /* exceptions taken */
    pop %rax
    hlt

/* ---- the external interrupt (test-jit.c injects it at KICKED exits):
 * count it and log the interrupted RIP and RFLAGS in a ring ---------- */
jit_irq:
    push %rax
    push %rdx
    pushfq
    mov EXC_REC + 0x100, %rax
    and $31, %eax
    shl $4, %eax
    mov 24(%rsp), %rdx                      /* RIP */
    mov %rdx, EXC_REC + 0x108(%rax)
    mov 40(%rsp), %rdx                      /* RFLAGS */
    mov %rdx, EXC_REC + 0x110(%rax)
    incq EXC_REC + 0x100
    popfq
    pop %rdx
    pop %rax
    iretq

/* ---- arithmetic over all 15 registers (some homed, some in memory) ---- */
j_alu:
    mov $40, %r15d
    mov $0x123456789abcdef1, %rax
    mov $0x0fedcba987654321, %rbx
    mov $0x8000000000000001, %rcx
    mov $0x7fffffff, %edx
    mov $0xffffffff80000000, %rsi
    mov $3, %ebp
    mov $0x55, %r8d
    mov $-1, %r9
    mov $0xff00ff00ff00ff00, %r10
    mov $1, %r11d
    mov $0x10000, %r12d
    mov $0xfff0, %r13d
    mov $0x8000, %r14d
1:  add %rbx, %rax
    adc %rcx, %rdx
    sbb %esi, %ebp                          /* 32-bit: zero-extends */
    sub %r8w, %r9w                          /* 16-bit merge */
    xor %r10b, %r11b
    or %r12, %r13
    and $0x7ffffff0, %r14d
    rol $7, %rax
    add %eax, %ecx
    adc $0x1234, %bx
    sbb $-3, %r10d
    lea 0x11(%rax, %rbx, 4), %rsi
    lea 0x22(%edx, %ecx, 2), %r8d           /* 32-bit address size */
    lea (%r9, %r10), %r11w
    cmp %rax, %rbx
    adc $0, %rbp
    test %ecx, %edx
    sbb %r12d, %r12d
    neg %r13
    not %r14w
    inc %ebx
    dec %r11b
    add %r11, %rax
    mov %rax, (%rdi)
    mov %rbx, 8(%rdi)
    mov %rcx, 16(%rdi)
    mov %rdx, 24(%rdi)
    mov %rsi, 32(%rdi)
    mov %rbp, 40(%rdi)
    mov %r8, 48(%rdi)
    mov %r9, 56(%rdi)
    mov %r10, 64(%rdi)
    mov %r11, 72(%rdi)
    mov %r12, 80(%rdi)
    mov %r13, 88(%rdi)
    mov %r14, 96(%rdi)
    pushfq
    popq 104(%rdi)
    add $112, %rdi
    dec %r15d
    jnz 1b
    hlt

/* ---- AH..BH next to SPL..DIL, 8/16-bit merges, memory operands ------- */
j_hibyte:
    mov $40, %ecx
    mov $0x1122334455667788, %rax
    mov $0x99aabbccddeeff00, %rbx
    mov $0x0102030405060708, %rdx
    mov $0x1000, %esi
    mov $0x7f, %ebp
    mov $0x200000 + 0x8000, %r8
1:  add %ah, %al
    sub %bh, %dl
    xor %dh, %ah
    mov %ah, %bh
    add %bl, %dh
    movzbl %ah, %ebp
    add %rbp, %r9
    movsbw %bh, %bp
    add %rbp, %r10
    add %sil, %bpl                          /* REX: SIL, BPL */
    adc %dil, %r9b
    add %ah, 0x208000(,%rcx,8)
    sub 0x208000(,%rcx,8), %bh
    xchg %ax, %dx
    add %dx, %si
    mov %bx, 0x208002(,%rcx,8)
    add 0x208004(,%rcx,8), %al
    imul $3, %si, %si
    shl $1, %bh
    rcr $1, %ah
    setc %dh
    setz %bh
    cmp %dh, %bh                            /* SHL's AF is undefined */
    mov %rax, (%rdi)
    mov %rbx, 8(%rdi)
    mov %rdx, 16(%rdi)
    mov %rsi, 24(%rdi)
    mov %rbp, 32(%rdi)
    mov %r9, 40(%rdi)
    mov %r10, 48(%rdi)
    pushfq
    popq 56(%rdi)
    add $64, %rdi
    dec %ecx
    jnz 1b
    hlt

/* ---- shifts, rotates, SHLD/SHRD, BT* with CL 0 and masked counts ------ */
j_shifts:
    mov $48, %r15d
    mov $0x8123456789abcdef, %rax
    mov $0x00ff00ff00ff00ff, %rbx
    xor %ecx, %ecx
    mov $0xf00f, %edx
    mov $0x200000 + 0x8000, %r8
1:  stc
    shl %cl, %rax
    rcl %cl, %ebx                           /* CL=0: flags kept, 32-bit */
    ror %cl, %dx
    sar %cl, %r8b
    shld %cl, %rbx, %rax
    shrd $5, %eax, %edx
    shrd %cl, %edx, %ebx
    bt %rcx, %rax
    adc $0, %r9
    bts %ecx, %ebx
    btr $5, %edx
    btc %rcx, %rdx
    rcr $3, %rax
    sar $63, %r10
    shr $1, %r11d
    rol %cl, %r12w
    btq $3, (%rdi)
    btsq $7, 8(%rdi)
    mov %rax, (%rdi)
    mov %rbx, 16(%rdi)
    mov %rdx, 24(%rdi)
    mov %r8, 32(%rdi)
    mov %r9, 40(%rdi)
    mov %r10, 48(%rdi)
    mov %r11, 56(%rdi)
    mov %r12, 64(%rdi)
    cmp %r10, %r11                          /* shifts: AF undefined */
    pushfq
    popq 72(%rdi)
    add $80, %rdi
    add $3, %ecx                            /* 0, 3 ... 141: masked */
    dec %r15d
    jnz 1b
    hlt

/* ---- CMOV/BSF/BSR/IMUL/MOVX/BSWAP/CXX/XCHG/SETcc --------------------- */
j_cmov_bsf:
    mov $40, %r15d
    mov $-1, %rax
    mov $-1, %rbx
    mov $0x100, %rcx
    mov $-1, %rdx
    xor %esi, %esi
    mov $-1, %rbp
    mov $-1, %r8
    mov $5, %r9d
1:  cmp %r9, %r15
    cmovl %ecx, %eax                        /* false: still zero-extends */
    cmovg %cx, %bx
    cmovb (%rdi), %rbp
    bsf %rsi, %rdx                          /* source 0: ZF=1, kept */
    bsr %rcx, %r8
    imul %r9, %rcx
    imul $-7, %r9d, %r10d
    imul $300, %rcx, %r11
    movzwl %cx, %r12d
    movsbw %cl, %r13w
    movslq %ecx, %r14
    bswap %r12d
    bswap %r14
    cdqe
    cqo
    cwd
    cbw
    cdq
    xchg %r12, %r13
    xchg %eax, %r14d
    setnz (%rdi)
    setge %sil
    mov %rax, (%rdi)
    mov %rbx, 8(%rdi)
    mov %rcx, 16(%rdi)
    mov %rdx, 24(%rdi)
    mov %rbp, 32(%rdi)
    mov %r8, 40(%rdi)
    mov %r10, 48(%rdi)
    mov %r11, 56(%rdi)
    mov %r12, 64(%rdi)
    mov %r13, 72(%rdi)
    mov %r14, 80(%rdi)
    mov %rsi, 88(%rdi)
    cmp %r10, %r11                          /* IMUL: SF ZF AF PF undefined */
    pushfq
    popq 96(%rdi)
    add $104, %rdi
    add $0x35, %ecx
    and $0xffff, %ecx
    inc %r9
    dec %r15d
    jnz 1b
    hlt

/* ---- a mix of translated and interpreted records (CPUID, XADD ...) --- */
j_ops:
    mov $40, %r15d
    mov $7, %r14d
1:  add $0x11, %r14
    xadd %r14, %r13
    cmp $0x100, %r13
    setb %al
    lock incq 8(%rdi)
    movsbl %al, %ebx
    add %ebx, %r12d
    popcnt %r13, %r11
    bsr %r11, %r10
    cmc
    adc %r10, %r9
    xor %eax, %eax
    cpuid
    xor %eax, %eax
    xor %ebx, %ebx
    xor %edx, %edx
    xor %ecx, %ecx
    mov %r9, (%rdi)
    mov %r12, 16(%rdi)
    mov %r13, 24(%rdi)
    pushfq
    popq 32(%rdi)
    add $40, %rdi
    dec %r15d
    jnz 1b
    hlt

/* ---- push/pop, call/ret, indirect calls and jumps --------------------- */
j_stack:
    mov $40, %r15d
    lea j_leaf(%rip), %r14
1:  push %r15
    push $-5
    push $0x12345
    call j_leaf
    call *%r14
    mov %r14, (%rdi)
    call *(%rdi)
    lea 2f(%rip), %r13
    jmp *%r13
2:  pop %rax
    pop %rbx
    pop %rcx
    add %rax, %rbx
    add %rbx, %rcx
    mov %rcx, 8(%rdi)
    mov %rsp, 16(%rdi)
    mov %r12, 24(%rdi)
    add $32, %rdi
    dec %r15d
    jnz 1b
    hlt
j_leaf:
    add $3, %r12
    mov 8(%rsp), %r11
    add %r11, %r12
    ret

/* ---- PUSH RSP / POP RSP / POP into memory-resident registers -------- */
j_pushpop_rsp:
    mov $40, %r15d
1:  push %rsp
    pop %rax
    push %rsp
    pop %rsp
    mov %rsp, %rbx
    push %rbx
    addq $8, (%rsp)
    pop %rsp                                /* RSP = its old value + 8 */
    sub $8, %rsp
    push %r15
    pop %r8
    push %rax
    push %rbx
    pop %r9
    pop %r10
    mov %rax, (%rdi)
    mov %rsp, 8(%rdi)
    mov %r8, 16(%rdi)
    mov %r9, 24(%rdi)
    mov %r10, 32(%rdi)
    add $40, %rdi
    dec %r15d
    jnz 1b
    hlt

/* ---- #PF where the flags are dead (overwritten after the fault) ------ */
/* the fault comes at iteration 30; its frame's RFLAGS must be those of
 * the ADD just before the load */
j_pf_flags:
    mov $40, %r15d
    mov $0x200000, %r8
    xor %eax, %eax
1:  cmp $11, %r15d
    jne 2f
    mov $0x1000000, %r8                     /* 16 MiB: not mapped */
2:  mov $-1, %rax
    add $1, %rax                            /* ZF CF PF AF */
    mov (%r8), %rcx
    xor %edx, %edx                          /* flags overwritten */
    mov %rcx, (%rdi)
    add $8, %rdi
    dec %r15d
    jnz 1b
    hlt

/* INC keeps CF from flags a handler left in cpu->cc; CF must be in the
 * #PF frame even though the XOR after the fault overwrites all flags */
j_pf_flags_inc:
    mov $40, %r15d
    mov $0x200000, %r8
1:  cmp $11, %r15d
    jne 2f
    mov $0x1000000, %r8
2:  mov $-1, %eax
    add $1, %eax                            /* CF ZF PF AF */
    cpuid                                   /* flags to cpu->cc */
    inc %r9
    mov (%r8), %rcx
    xor %edx, %edx
    add $8, %rdi
    dec %r15d
    jnz 1b
    hlt

/* the same with a handler-run record between the flags and the fault */
j_pf_flags_helper:
    mov $40, %r15d
    mov $0x200000, %r8
1:  cmp $11, %r15d
    jne 2f
    mov $0x1000000, %r8
2:  mov $0x7fffffff, %eax
    add $1, %eax                            /* OF SF AF PF */
    cpuid
    mov $5, %eax
    movq $1, (%r8)
    and $0, %edx
    add $8, %rdi
    dec %r15d
    jnz 1b
    hlt

/* ---- #PF on a PUSH at iteration 30: RSP and RIP of the push ---------- */
j_pf_push:
    mov $40, %r15d
1:  cmp $11, %r15d
    jne 2f
    mov $0x1000010, %rsp
2:  mov %rsp, %rbx
    push %r15
    pop %rax
    mov %rax, (%rdi)
    add $8, %rdi
    dec %r15d
    jnz 1b
    hlt

/* ---- RET to a non-canonical address (#GP, RSP unchanged) ------------ */
j_ret_nc:
    mov $40, %r15d
    lea 3f(%rip), %rbx
1:  cmp $11, %r15d
    jne 2f
    mov $0x8000000000001000, %rbx
2:  push %rbx
    add $1, %r15d
    sub $2, %r15d
    ret
3:  mov %r15, (%rdi)
    add $8, %rdi
    lea 3b(%rip), %rbx
    test %r15d, %r15d
    jnz 1b
    hlt

/* ---- JMP *reg / CALL *mem to a non-canonical address ----------------- */
j_jmpi_nc:
    mov $40, %r15d
    lea 3f(%rip), %rbx
1:  cmp $11, %r15d
    jne 2f
    mov $0x0000800000000000, %rbx
2:  dec %r15d
    jmp *%rbx
3:  mov %r15, (%rdi)
    add $8, %rdi
    test %r15d, %r15d
    jnz 1b
    hlt

j_calli_mem:
    mov $40, %r15d
    lea j_leaf(%rip), %rbx
    mov %rbx, 0x200800
1:  cmp $11, %r15d
    jne 2f
    mov $0xffff7fffffffffff, %rax
    mov %rax, 0x200800
2:  dec %r15d
    call *0x200800
    mov %r12, (%rdi)
    add $8, %rdi
    test %r15d, %r15d
    jnz 1b
    hlt

/* ---- accesses crossing a page boundary, and the RO page ------------- */
j_cross:
    mov $40, %r15d
    mov $0x200ffd, %r8
    mov $0x1122334455667788, %rax
1:  mov %rax, (%r8)                         /* 3 + 5 bytes */
    add $0x1111, %rax
    addq $7, (%r8)
    mov (%r8), %rbx
    movw $0x7777, 2(%r8)
    add 1(%r8), %ecx
    mov %rbx, (%rdi)
    mov %rcx, 8(%rdi)
    add $16, %rdi
    inc %r8
    dec %r15d
    jnz 1b
    hlt

j_ro_write:
    mov $40, %r15d
    mov $0x200000, %r8
1:  cmp $11, %r15d
    jne 2f
    mov $0x800010, %r8                      /* 8 MiB: read-only */
2:  mov (%r8), %rax
    sub $3, %rax
    mov %rax, (%r8)
    add $8, %rdi
    dec %r15d
    jnz 1b
    hlt

/* ---- self-modifying code: the immediate of a later record ------------ */
j_smc_self:
    mov $40, %r15d
    xor %ebx, %ebx
1:  incl 2f + 3(%rip)                        /* the ADD's imm32 */
2:  add $0x10000000, %rbx
    mov %rbx, (%rdi)
    add $8, %rdi
    dec %r15d
    jnz 1b
    hlt

/* the next block's code (reached by a chained jump) */
j_smc_next:
    mov $40, %r15d
    xor %ebx, %ebx
1:  incl 3f + 3(%rip)
    jmp 3f
    .p2align 4, 0x90
3:  add $0x20000000, %rbx
    mov %rbx, (%rdi)
    add $8, %rdi
    dec %r15d
    jnz 1b
    hlt

/* code on another page rewritten from here, called in a loop */
j_smc_far:
    mov $40, %r15d
    xor %ebx, %ebx
    lea j_farcode(%rip), %r14
1:  call *%r14
    incl 3(%r14)
    mov %rbx, (%rdi)
    add $8, %rdi
    dec %r15d
    jnz 1b
    hlt

/* ---- the same code at two linear addresses (RIP-relative LEA) ------- */
/* %rsi: the alias's distance from this copy */
j_alias:
    mov $40, %r15d
    lea j_alias_fn(%rip), %r14
    lea (%r14, %rsi), %r13
1:  call *%r14
    mov %rax, (%rdi)
    call *%r13
    mov %rax, 8(%rdi)
    add $16, %rdi
    dec %r15d
    jnz 1b
    hlt

/* ---- MMIO after a flag write whose flags die after it ---------------- */
j_mmio_flags:
    mov $40, %r15d
    mov $0x200000, %r8
1:  cmp $11, %r15d
    jne 2f
    mov $0x10000000, %r8                    /* the MMIO hole */
2:  mov $-1, %eax
    add $1, %eax
    mov (%r8), %rcx
    xor %edx, %edx
    add $8, %rdi
    dec %r15d
    jnz 1b
    hlt

/* ---- MMIO reads and writes every iteration (test-jit.c answers reads
 * with 0x5a.. and goes on); registers homed and in memory around them */
j_mmio_loop:
    mov $40, %r15d
    mov $0x10000000, %r8
    mov %r8, %rsi
    mov $0x1234, %r9d
    mov $0x77, %ebx
1:  add $0x101, %r9d
    mov %r9d, (%r8)                         /* MMIO write */
    add %r9w, %bx
    mov 8(%rsi), %ah                        /* MMIO read into AH */
    adc %ah, %bl
    xor %r9, %r10
    movzbl 16(%r8), %r11d
    add %r11, %r12
    add %r15d, 24(%r8)                      /* read-modify-write */
    mov %r10, (%rdi)
    mov %rbx, 8(%rdi)
    mov %r12, 16(%rdi)
    pushfq
    popq 24(%rdi)
    add $32, %rdi
    dec %r15d
    jnz 1b
    hlt

/* ---- a data breakpoint armed by MOV DR7 in the loop (iteration 30) --- */
j_dbp:
    mov $40, %r15d
    mov $0x200100, %eax
    mov %rax, %dr0
    mov $0x90001, %ecx                      /* L0, write, 4 bytes */
    xor %ebx, %ebx
1:  cmp $11, %r15d
    jne 2f
    mov %rcx, %dr7
2:  add $3, %rbx
    mov %ebx, 0x200100
    add $5, %rbx
    mov %rbx, (%rdi)
    add $8, %rdi
    dec %r15d
    jnz 1b
    hlt

/* ---- CLI/STI inside a loop (the slice-irq run injects interrupts) ---- */
j_cli_sti:
    mov $60, %r15d
1:  cli
    add $1, %rax
    add %rax, %rbx
    mov %rbx, (%rdi)
    sti
    add $1, %rcx
    jmp 2f
2:  add %rcx, %rdx
    mov %rdx, 8(%rdi)
    add $16, %rdi
    dec %r15d
    jnz 1b
    hlt

/* ---- a one-block loop remapping its own page (test-jit.c copies it to
 * 10 MiB and, adding 0x100 instead of 1, to 12 MiB; %rsi: the PDE that
 * maps 10 MiB to 12 MiB): after the INVLPG the next round must run the
 * new code ---------------------------------------------------------- */
j_remap_body:
    .byte 0x48, 0x81, 0xc3                  /* add $1, %rbx: imm32 at +3 */
    .long 1
    mov %rsi, 0x12028
    invlpg 0xa00000
    dec %ecx
    jnz j_remap_body
    hlt
j_remap_body_end:

/* ---- #DE from a DIV in a translated loop ------------------------------ */
j_div:
    mov $40, %r15d
    mov $100, %ebx
1:  lea -11(%r15), %ecx
    mov $1000, %eax
    xor %edx, %edx
    sub $1, %ebx                            /* flags before the DIV */
    div %ecx
    mov %rax, (%rdi)
    add $8, %rdi
    dec %r15d
    jnz 1b
    hlt

/* ---- STAC/CLAC with CR4.SMAP (every page is a user page) ------------ */
j_stac:
    mov $40, %r15d
1:  stac
    mov 0x200000, %rax
    add $1, %rax
    mov %rax, 0x200000
    cmp $11, %r15d
    jne 2f
    clac
2:  mov 0x200008, %rbx                      /* SMAP #PF after the CLAC */
    clac
    dec %r15d
    jnz 1b
    hlt

/* ---- POPF setting AC at CPL3 (CR0.AM): misaligned access #AC ------- */
j_popf_ac:
    mov $40, %r15d
    mov $0x200001, %r8
1:  pushfq
    cmp $11, %r15d
    jne 2f
    orq $0x40000, (%rsp)
2:  popfq
    mov (%r8), %rax
    add %rax, %rbx
    mov %rbx, (%rdi)
    add $8, %rdi
    dec %r15d
    jnz 1b
    hlt

/* ---- a loop that runs across a page boundary (blocks end there) ----- */
j_far_page:
    mov $40, %r15d
    xor %eax, %eax
    .p2align 12, 0x90
    .fill 4080, 1, 0x90
1:  add $1, %rax
    add %rax, %rbx
    add %rbx, %rcx
    imul $3, %rcx, %rdx
    add %rdx, %rsi
    mov %rsi, (%rdi)
    add $8, %rdi
    dec %r15d
    jnz 1b
    hlt

    .p2align 12, 0x90
j_farcode:
    add $0x30000000, %rbx
    ret

j_alias_fn:
    lea 0(%rip), %rax
    add %rax, %r12
    mov %r12, %rdx
    ret

g_jit_end:
