/*
 * Bare-metal guests for test-jit-smp.c: several vCPUs (one host thread
 * each) share memory; writers change what runners execute while the
 * runners run translated, chained code. Loaded at SMP_BASE (absolute
 * addresses below are guest-physical = linear, identity-mapped).
 *
 *   SD_ROUND  shoot-down round (writer: page-table entry changed, IPI sent)
 *   SD_GEN    code generation (writer: functions rewritten)
 *   SD_ACK+8i vCPU i's last round / generation done
 *   SD_ERR+8i vCPU i's wrong results; SD_CALLS+8i its checked rounds;
 *   SD_BAD+8i the last wrong value
 *
 * Per vCPU: RDI = 8 * its index (offset into those arrays), R12 = rounds,
 * [R14, R13) = the vCPUs a writer waits for.
 */
#define SMP_BASE  0x180000
#define SD_ROUND  0x300000
#define SD_GEN    0x300008
#define SD_ACK    0x300100
#define SD_ERR    0x300200
#define SD_CALLS  0x300300
#define SD_BAD    0x300400
#define LPAGE     0xa00000          /* 4K PTE at PTE_L: PFN_K + 4K * k */
#define PTE_L     0x15000
#define PFN_K     0xa01000
#define QFN       0x600000          /* rewritten function, another page */
#define Q2        0x610000          /* smp_race_*: mov $G, %eax; ret at +3 */
#define SD_GEN2   0x300010
#define DOORBELL  0x10000000        /* MMIO: the harness sends the IPIs */
/* a direct CALL rel32 to absolute guest address x */
#define AT(x)     (g_smp_start + (x) - SMP_BASE)
#define ABS(l)    (SMP_BASE + ((l) - g_smp_start))

    .section .note.GNU-stack, "", @progbits
    .section .rodata
    .code64
    .globl g_smp_start, g_smp_end
    .globl smp_ipi, smp_ipi_noflush, smp_sd_run, smp_sd_write, smp_smc_run, smp_smc_write
    .globl smp_race_run, smp_race_write
    .p2align 12
g_smp_start:

/* ---- the IPI (vector 0x20, sent at the writer's doorbell): flush the
 * runner's translation of LPAGE (INVLPG on even rounds, a CR3 reload on
 * odd ones), then acknowledge the round ------------------------------ */
smp_ipi:
    push %rax
    mov SD_ROUND, %rax
    test $1, %al
    jz 1f
    mov %cr3, %rax
    mov %rax, %cr3
    mov SD_ROUND, %rax
    jmp 2f
1:  invlpg LPAGE
2:  mov %rax, SD_ACK(%rdi)
    pop %rax
    iretq

/* the same without the flush (KVMU_JIT_SMP_NOFLUSH=1: a guest bug the
 * shoot-down runners must report, which shows the check can fail) */
smp_ipi_noflush:
    push %rax
    mov SD_ROUND, %rax
    mov %rax, SD_ACK(%rdi)
    pop %rax
    iretq

/* ---- shoot-down runner: with IF=0, read the acknowledged round R and
 * call LPAGE (directly: a chained exit to another page; and through RBX:
 * the indirect-target cache); the function at PFN_K + 4K*k returns k.
 * After round R's flush the page is R % 3, or already (R + 1) % 3 (the
 * writer may have changed the entry, not flushed yet); never (R - 1) % 3
 * (a stale translation). Ends when round R12 is acknowledged. -------- */
smp_sd_run:
1:  cli
    mov SD_ACK(%rdi), %r8
    call AT(LPAGE)
    mov %eax, %r9d
    mov $LPAGE, %ebx
    call *%rbx
    sti
    mov %eax, %r10d
    incq SD_CALLS(%rdi)
    mov %r8, %rax
    xor %edx, %edx
    mov $3, %ecx
    div %rcx                            /* RDX = R % 3 */
    lea 1(%rdx), %ecx
    cmp $3, %ecx
    jne 3f
    xor %ecx, %ecx                      /* RCX = (R + 1) % 3 */
3:  cmp %rdx, %r9
    je 4f
    cmp %rcx, %r9
    je 4f
    incq SD_ERR(%rdi)
    mov %r9, SD_BAD(%rdi)
4:  cmp %rdx, %r10
    je 5f
    cmp %rcx, %r10
    je 5f
    incq SD_ERR(%rdi)
    mov %r10, SD_BAD(%rdi)
5:  cmp %r12, %r8
    jne 1b
    hlt

/* ---- shoot-down writer: round R maps LPAGE to PFN_K + 4K * (R % 3),
 * rings the doorbell (IPIs to the runners), waits for every runner's
 * acknowledgement ------------------------------------------------------ */
smp_sd_write:
    xor %r8d, %r8d
1:  inc %r8
    mov %r8, %rax
    xor %edx, %edx
    mov $3, %ecx
    div %rcx
    shl $12, %rdx
    lea PFN_K + 3(%rdx), %rax
    mov %rax, PTE_L
    mov %r8, SD_ROUND
    movb $1, DOORBELL
    mov %r14d, %ecx
2:  cmp %r8, SD_ACK(, %rcx, 8)
    je 3f
    pause
    jmp 2b
3:  inc %ecx
    cmp %r13d, %ecx
    jb 2b
    cmp %r12, %r8
    jne 1b
    hlt

/* ---- code writer: generation G rewrites QFN and smp_same_fn (on the
 * SMC runner's own code page) to return 7G + 1, alternately as
 * "mov $7G+1, %eax; ret; nop; nop" and "mov $7G, %eax; inc %eax; ret"
 * (other instruction boundaries), one 8-byte store each, then publishes
 * G and waits for every runner to have checked it ------------------- */
smp_smc_write:
    xor %r8d, %r8d
1:  inc %r8
    imul $7, %r8, %rax
    test $1, %r8b
    jz 2f
    lea 1(%rax), %rdx
    mov $0x9090c3, %ecx
    jmp 3f
2:  mov %rax, %rdx
    mov $0xc3c0ff, %ecx
3:  shl $8, %rdx
    or $0xb8, %rdx
    shl $40, %rcx
    or %rcx, %rdx
    mov %rdx, QFN
    mov %rdx, ABS(smp_same_fn)
    mov %r8, SD_GEN
    mov %r14d, %ecx
4:  cmp %r8, SD_ACK(, %rcx, 8)
    je 5f
    pause
    jmp 4b
5:  inc %ecx
    cmp %r13d, %ecx
    jb 4b
    cmp %r12, %r8
    jne 1b
    hlt

/* ---- free-running code writer: generation G (1..R12) stores G as the
 * immediate of "mov $imm32, %eax; ret" at Q2 + 3, then G to SD_GEN2,
 * after 24 DIVs (interpreter handlers: the block goes on between them,
 * so another vCPU's request waits for their end); no handshake. Stores are seen in order (TSO): a
 * runner that read SD_GEN2 = G and then serialized must fetch an
 * immediate >= G (SDM Vol. 3A, cross-modifying code). ---------------- */
smp_race_write:
    xor %r8d, %r8d
    mov $7, %r10d
1:  inc %r8d
    .rept 24                                /* handlers: no exit between */
    xor %edx, %edx
    mov $1000, %eax
    div %r10
    .endr
    mov %r8d, Q2 + 4
    mov %r8d, SD_GEN2
    cmp %r12d, %r8d
    jne 1b
    hlt

smp_race_run:
1:  mov SD_GEN2, %r8d
    xor %eax, %eax
    cpuid
    call AT(Q2 + 3)
    incq SD_CALLS(%rdi)
    cmp %r8d, %eax
    jae 2f
    incq SD_ERR(%rdi)
    mov %rax, SD_BAD(%rdi)
2:  cmp %r12d, %r8d
    jne 1b
    mov %r8, SD_ACK(%rdi)
    hlt

/* ---- code runner (its own page, which the writer rewrites too): wait
 * for a new generation G, serialize (CPUID, as for cross-
 * modifying code: SDM Vol. 3A "Handling Self- and Cross-Modifying
 * Code"), call QFN directly and through RBX and smp_same_fn
 * (a chained exit on the same page): each must return 7G + 1 ---------- */
    .p2align 12
smp_smc_run:
1:  mov SD_GEN, %r8
    cmp SD_ACK(%rdi), %r8
    jne 2f
    pause
    jmp 1b
2:  xor %eax, %eax
    cpuid
    call AT(QFN)
    mov %eax, %r9d
    mov $QFN, %ebx
    call *%rbx
    mov %eax, %r10d
    call smp_same_fn
    mov %eax, %r11d
    imul $7, %r8, %rax
    inc %rax
    incq SD_CALLS(%rdi)
    cmp %rax, %r9
    jne 3f
    cmp %rax, %r10
    jne 3f
    cmp %rax, %r11
    je 4f
3:  incq SD_ERR(%rdi)
    mov %r9, SD_BAD(%rdi)
4:  mov %r8, SD_ACK(%rdi)
    cmp %r12, %r8
    jne 1b
    hlt

    .p2align 3
smp_same_fn:
    mov $1, %eax                        /* generation 0 */
    ret
    nop
    nop

    .p2align 12
g_smp_end:
