/*
 * Bare-metal guests for test-events.c (64-bit, position-independent,
 * loaded at EV_BASE): event priorities, single-step, #AC, CR0.NE=0.
 * Handlers append {vector, pushed RIP, pushed RFLAGS, extra} to the log
 * at EV_LOG (count at EV_LOGN); extra is DR6 for #DB, the error code for
 * #AC/#PF... The test reads the log from guest RAM.
 */
#define EV_LOGN 0x6ff000
#define EV_LOG  0x700000
    .section .note.GNU-stack, "", @progbits
    .section .rodata
    .code64
    .globl g_ev_start, g_ev_end
g_ev_start:

/* log \vec; \err: 1 when the CPU pushed an error code (logged as extra) */
.macro LOGV vec, err
    push %rax
    push %rbx
    mov EV_LOGN, %rax
    shl $5, %rax
    movq $\vec, EV_LOG(%rax)
    mov 16+8*\err(%rsp), %rbx
    mov %rbx, EV_LOG+8(%rax)
    mov 32+8*\err(%rsp), %rbx
    mov %rbx, EV_LOG+16(%rax)
    .if \err
    mov 16(%rsp), %rbx
    mov %rbx, EV_LOG+24(%rax)
    .endif
    incq EV_LOGN
    pop %rbx
    pop %rax
.endm

    .globl h_db, h_db_rf, h_nmi, h_irq40, h_ac, h_pf, h_ud, h_mf, h_ferr
    .globl h_int81, h_bp
/* #DB: log DR6 too, reset it, go on */
h_db:
    LOGV 1, 0
    push %rax
    push %rbx
    mov EV_LOGN, %rax
    shl $5, %rax
    mov %dr6, %rbx
    mov %rbx, EV_LOG-32+24(%rax)
    mov $0xffff0ff0, %ebx
    mov %rbx, %dr6
    pop %rbx
    pop %rax
    iretq
/* #DB for an instruction breakpoint: also set RF so the retry runs */
h_db_rf:
    LOGV 1, 0
    orq $0x10000, 16(%rsp)
    iretq
h_nmi:
    LOGV 2, 0
    iretq
h_irq40:
    LOGV 0x40, 0
    iretq
h_bp:
    LOGV 3, 0
    iretq
h_ac:
    LOGV 17, 1
    hlt
h_pf:
    LOGV 14, 1
    hlt
h_ud:
    LOGV 6, 0
    hlt
h_mf:
    LOGV 16, 0
    hlt
h_int81:
    LOGV 0x81, 0
    hlt
/* IRQ 13 of a PC (FERR#), remapped to vector 0x4d: clear the error */
h_ferr:
    LOGV 0x4d, 0
    fnclex
    iretq

/* to CPL 3 at %r8 with RFLAGS %r9 and RSP %r10 */
    .globl ev_to_user
ev_to_user:
    push $0x2b
    push %r10
    push %r9
    push $0x33
    push %r8
    iretq

/* ---- user code for #AC (each ends with INT 0x81 when nothing faults) */
    .globl u_load, u_store, u_push, u_movups, u_stos, u_fldt, u_fnstenv
    .globl u_popf_ac, u_load8, u_movs
u_load:
    mov (%rbx), %eax
    int $0x81
u_load8:
    mov (%rbx), %rax
    int $0x81
u_store:
    mov %ax, (%rbx)
    int $0x81
u_push:
    push %rax
    int $0x81
u_movups:
    movups (%rbx), %xmm0
    movups %xmm0, (%rbx)
    int $0x81
u_stos:
    rep stosl
    int $0x81
u_movs:
    rep movsw
    int $0x81
u_fldt:
    fldt (%rbx)
    int $0x81
u_fnstenv:
    fnstenv (%rbx)
    int $0x81
/* SGDT/SIDT at CPL 3 (test-debug.c: never #AC) */
    .globl u_sgdt, u_sidt
u_sgdt:
    sgdt (%rbx)
    int $0x81
u_sidt:
    sidt (%rbx)
    int $0x81
/* AC set by POPF in user mode, then a misaligned load */
u_popf_ac:
    pushf
    orl $0x40000, (%rsp)
    popf
    mov (%rbx), %eax
    int $0x81

/* ---- kernel code ---- */
    .globl k_load, k_tf_rep, k_tf_rep_after, k_data_tf, k_data_tf_after
    .globl k_movss, k_movss1, k_movss2, k_movss3, k_movss_int3
    .globl k_movss_int3_hlt, k_sti, k_sti_hlt, k_nops, k_ud, k_ferr
    .globl k_ferr_wait, k_ferr_end, k_rep_bp, k_int3, k_int3_hlt, k_jmp_np
k_load:
    mov (%rbx), %eax                /* CPL 0 with AC: never #AC */
    hlt

k_tf_rep:
    rep movsb
k_tf_rep_after:
    nop
    hlt

k_data_tf:
    movl $7, 0x500000
k_data_tf_after:
    nop
    hlt

k_movss:
    mov %ss, %eax
k_movss1:
    mov %eax, %ss
k_movss2:
    nop
k_movss3:
    nop
    hlt

k_movss_int3:
    mov %ss, %eax
    mov %eax, %ss
    int3
k_movss_int3_hlt:
    hlt

k_sti:
    sti
    nop
k_sti_hlt:
    hlt

k_nops:
    nop
    nop
    hlt

k_ud:
    ud2

k_int3:
    int3
k_int3_hlt:
    hlt

/* jump to a linear address whose page is not present */
k_jmp_np:
    mov $0x40000000, %eax
    jmp *%rax

/* instruction breakpoint on a REP with a pending-then-yielding count */
k_rep_bp:
    rep stosb
    hlt

k_ferr:
    fninit
    push $0x37b                     /* ZE unmasked */
    fldcw (%rsp)
    pop %rax
    fldz
    fld1
    fdiv %st(1), %st                /* 1/0: ES set, no #MF yet */
k_ferr_wait:
    fwait
    nop
    fnclex
k_ferr_end:
    hlt

/* ---- debug registers and the x87 error (test-debug.c) ---- */
    .globl k_gd_read, k_gd_write, k_dr4, k_out_dx, k_in_imm, k_rep_outsb
    .globl k_rep_insb, k_mmx_ferr, k_mmx_op, k_mmx_emms, k_mmx_end
/* MOV from/to a debug register (DR7.GD: #DB before each) */
k_gd_read:
    mov %dr0, %rax
    hlt
k_gd_write:
    mov %rbx, %dr1
    hlt
    .globl k_icebp, k_icebp_hlt
k_icebp:
    .byte 0xf1                      /* INT1 (ICEBP) */
k_icebp_hlt:
    hlt
k_dr4:
    .byte 0x0f, 0x21, 0xe0          /* mov %dr4, %rax */
    hlt
k_out_dx:
    out %al, (%dx)
    nop
    hlt
k_in_imm:
    in $0x7e, %eax
    nop
    hlt
k_rep_outsb:
    rep outsb
    nop
    hlt
k_rep_insb:
    rep insb
    nop
    hlt
/* MOV SS from memory (a data breakpoint on it is held by the shadow) */
    .globl k_movss_mem, k_movss_mem_nop
k_movss_mem:
    mov (%rbx), %ss
k_movss_mem_nop:
    nop
    hlt
/* an x87 error pending (ES), then MMX instructions */
k_mmx_ferr:
    fninit
    push $0x37b                     /* ZE unmasked */
    fldcw (%rsp)
    pop %rax
    fldz
    fld1
    fdiv %st(1), %st                /* 1/0: ES set */
k_mmx_op:
    paddb %mm1, %mm0
k_mmx_emms:
    emms
    fnclex
k_mmx_end:
    hlt
g_ev_end:

/*
 * The same accesses run natively (test-events.c: the host CPU at CPL 3,
 * with Linux's CR0.AM=1, is the oracle for the #AC rules). SysV calls:
 * ac_call(fn, a, b) runs fn(a, b) with EFLAGS.AC set.
 */
    .text
    .globl ac_call, n_load4, n_load8, n_store2, n_push, n_stosl, n_movsw
    .globl n_fldt, n_fnstenv, n_movups
ac_call:
    push %rbx
    mov %rdi, %rbx
    mov %rsi, %rdi
    mov %rdx, %rsi
    pushf
    orl $0x40000, (%rsp)
    popf
    call *%rbx
    pushf
    andl $~0x40000, (%rsp)
    popf
    pop %rbx
    ret
n_load4:
    mov (%rdi), %eax
    ret
n_load8:
    mov (%rdi), %rax
    ret
n_store2:
    mov %ax, (%rdi)
    ret
/* push at RSP - 4 (misaligned for 8 bytes) */
n_push:
    mov %rsp, %rax
    sub $4, %rsp
    push %rcx
    mov %rax, %rsp
    ret
n_stosl:
    mov $3, %ecx
    rep stosl
    ret
/* a = destination, b = source */
n_movsw:
    mov $4, %ecx
    rep movsw
    ret
n_fldt:
    fldt (%rdi)
    fstp %st(0)
    ret
n_fnstenv:
    fnstenv (%rdi)
    fldenv (%rdi)
    ret
n_movups:
    movups (%rdi), %xmm0
    ret

/* tf_call(fn, a, b): fn(a, b) single-stepped (EFLAGS.TF set) */
    .globl tf_call, n_rep_movsb, n_rep_movsb_insn
tf_call:
    push %rbx
    mov %rdi, %rbx
    mov %rsi, %rdi
    mov %rdx, %rsi
    pushf
    orl $0x100, (%rsp)
    popf
    call *%rbx
    pushf
    andl $~0x100, (%rsp)
    popf
    pop %rbx
    ret
/* a = destination, b = source: REP MOVSB of 3 bytes */
n_rep_movsb:
    mov $3, %ecx
n_rep_movsb_insn:
    rep movsb
    ret

/* MOV SS with the same selector, then two NOPs */
    .globl n_movss, n_movss_nop1, n_movss_nop2
n_movss:
    mov %ss, %eax
    mov %eax, %ss
n_movss_nop1:
    nop
n_movss_nop2:
    nop
    ret
