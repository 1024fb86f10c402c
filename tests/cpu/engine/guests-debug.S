/*
 * 32-bit bare-metal guest for test-debug.c (loaded at 0x100000): task
 * switches to a TSS whose T bit is set, by CALL and by INT n through a
 * task gate. The #DB handler (interrupt gate) records the pushed EIP, DR6
 * and ECX at 0x5100..: ECX is 0x1234 only once the new task's first
 * instruction ran.
 */
    .section .note.GNU-stack, "", @progbits
    .section .rodata
    .code32
    .globl g_dbg32_start, g_dbg32_end, t32_call, t32_int, t32_task2
    .globl t32_h_db
g_dbg32_start:
t32_call:
    lcall $0x20, $0                 /* CALL to TSS 2 */
    hlt
t32_int:
    int $0x30                       /* task gate to TSS 2 */
    hlt
t32_task2:
    mov $0x1234, %ecx               /* the new task's first instruction */
    iret                            /* NT: back to task 1 */
t32_h_db:
    push %eax
    cmpl $0, 0x510c
    jne 1f                          /* the first #DB's only */
    mov 4(%esp), %eax
    mov %eax, 0x5100                /* pushed EIP */
    mov %dr6, %eax
    mov %eax, 0x5104
    mov %ecx, 0x5108
1:  incl 0x510c                     /* #DB count */
    andl $~0x100, 0x3024            /* no TF back in task 1 (TSS 1) */
    mov $0xffff0ff0, %eax
    mov %eax, %dr6
    pop %eax
    iret
g_dbg32_end:
