/*
 * Native side of the differential harness: enter a test snippet with the
 * whole guest register state loaded from the control page at DIFF_CTL_ADDR
 * and, when the snippet jumps back through CTL_EXIT, store the state again.
 * Absolute addresses are used because every register belongs to the snippet.
 * Layout of the control page: see native.c (CTL_* offsets) - keep in sync.
 */
#define CTL          0x00400000
#define CTL_GPR_IN   (CTL + 0x000)
#define CTL_FL_IN    (CTL + 0x080)
#define CTL_ENTRY    (CTL + 0x088)
#define CTL_HOST_RSP (CTL + 0x098)
#define CTL_FL_OUT   (CTL + 0x0a0)
#define CTL_GPR_OUT  (CTL + 0x100)
#define CTL_FX_IN    (CTL + 0x200)
#define CTL_FX_OUT   (CTL + 0x400)

    .text
    .globl diff_native_enter
    .type diff_native_enter, @function
diff_native_enter:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, CTL_HOST_RSP
    fxrstor64 CTL_FX_IN
    mov $CTL_FL_IN, %rsp
    popfq
    mov CTL_GPR_IN + 0x00, %rax
    mov CTL_GPR_IN + 0x08, %rcx
    mov CTL_GPR_IN + 0x10, %rdx
    mov CTL_GPR_IN + 0x18, %rbx
    mov CTL_GPR_IN + 0x28, %rbp
    mov CTL_GPR_IN + 0x30, %rsi
    mov CTL_GPR_IN + 0x38, %rdi
    mov CTL_GPR_IN + 0x40, %r8
    mov CTL_GPR_IN + 0x48, %r9
    mov CTL_GPR_IN + 0x50, %r10
    mov CTL_GPR_IN + 0x58, %r11
    mov CTL_GPR_IN + 0x60, %r12
    mov CTL_GPR_IN + 0x68, %r13
    mov CTL_GPR_IN + 0x70, %r14
    mov CTL_GPR_IN + 0x78, %r15
    mov CTL_GPR_IN + 0x20, %rsp
    jmp *CTL_ENTRY
    .size diff_native_enter, . - diff_native_enter

    .globl diff_native_exit
    .type diff_native_exit, @function
diff_native_exit:
    mov %rax, CTL_GPR_OUT + 0x00
    mov %rcx, CTL_GPR_OUT + 0x08
    mov %rdx, CTL_GPR_OUT + 0x10
    mov %rbx, CTL_GPR_OUT + 0x18
    mov %rsp, CTL_GPR_OUT + 0x20
    mov %rbp, CTL_GPR_OUT + 0x28
    mov %rsi, CTL_GPR_OUT + 0x30
    mov %rdi, CTL_GPR_OUT + 0x38
    mov %r8, CTL_GPR_OUT + 0x40
    mov %r9, CTL_GPR_OUT + 0x48
    mov %r10, CTL_GPR_OUT + 0x50
    mov %r11, CTL_GPR_OUT + 0x58
    mov %r12, CTL_GPR_OUT + 0x60
    mov %r13, CTL_GPR_OUT + 0x68
    mov %r14, CTL_GPR_OUT + 0x70
    mov %r15, CTL_GPR_OUT + 0x78
    mov $(CTL_FL_OUT + 8), %rsp
    pushfq
    fxsave64 CTL_FX_OUT
    cld
    mov CTL_HOST_RSP, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret
    .size diff_native_exit, . - diff_native_exit

    .section .note.GNU-stack, "", @progbits
