/*
 * A multiboot guest that throws random I/O at the board: port writes and
 * reads of every size to random ports, PCI configuration writes through
 * 0xcf8/0xcfc (BARs, command registers, bridges' windows), and MMIO
 * reads and writes in the PCI hole and the IOAPIC/HPET/LAPIC pages. The
 * seed is the sum of the command line's bytes after the kernel's path;
 * the iteration count is the first decimal number there ("seed=7
 * n=200000"). Interrupts stay off
 * (IF=0); every vector has a handler that returns, so an NMI or a fault
 * does not stop it. Left alone (its own reset/exit paths would end the
 * run early, not test anything): the reset ports (0x92, 0x64, 0xcf9),
 * isa-debug-exit (0xf4), fw_cfg (0x510-0x51b: its DMA would overwrite
 * this program; fw_cfg's DMA bounds have unit tests), the PIIX4 PM
 * function's config space (moving the ACPI PM block onto random ports
 * would power off early) and the LAPIC ICR (an INIT to itself stops it).
 * Prints a '.' every 8192 rounds to the debug console (0xe9) and exits
 * through isa-debug-exit with 0x21 (status 0x43) when done.
 */
    .code32
    .section .text
    .align 4
mb_header:
    .long 0x1badb002
    .long 0x00000003
    .long -(0x1badb002 + 0x00000003)

    .globl _start
_start:
    cli
    mov $stack_top, %esp
    cmp $0x2badb002, %eax
    jne bad
    /* seed and count from the command line */
    mov $0x9e3779b9, %edx           /* seed */
    mov $100000, %ebp               /* default count */
    testl $4, (%ebx)
    jz 3f
    mov 16(%ebx), %esi
6:  movzbl (%esi), %eax             /* skip the kernel's path (the first */
    test %eax, %eax                 /* word: its digits are no count) */
    jz 7f
    inc %esi
    cmp $' ', %eax
    jne 6b
7:  xor %ecx, %ecx                  /* the number being read */
    xor %edi, %edi                  /* 1: in the first number, 2: done */
1:  movzbl (%esi), %eax
    test %eax, %eax
    jz 2f
    imul $31, %edx, %edx
    add %eax, %edx
    inc %esi
    cmp $2, %edi
    je 1b
    sub $'0', %eax
    cmp $9, %eax
    ja 4f
    imul $10, %ecx, %ecx
    add %eax, %ecx
    mov $1, %edi
    jmp 1b
4:  cmp $1, %edi                    /* a non-digit after the number */
    jne 1b
    mov $2, %edi
    jmp 1b
2:  test %ecx, %ecx
    jz 3f
    mov %ecx, %ebp
3:  test %edx, %edx
    jnz 5f
    inc %edx
5:  mov %edx, seed
    call idt_setup
    lidt idt_desc

    xor %edi, %edi                  /* rounds done */
round:
    call rand
    mov %eax, %ebx                  /* the operation's bits */
    call rand
    mov %eax, %ecx                  /* its value */
    mov %ebx, %eax
    and $7, %eax
    jmp *ops(, %eax, 4)

op_out:
    call rand
    mov %eax, %edx
    and $0xffff, %edx
    call port_ok
    jc next
    mov %ecx, %eax
    test $0x100, %ebx
    jz 1f
    outb %al, %dx
    jmp next
1:  test $0x200, %ebx
    jz 2f
    outw %ax, %dx
    jmp next
2:  outl %eax, %dx
    jmp next

op_in:
    call rand
    mov %eax, %edx
    and $0xffff, %edx
    call port_ok
    jc next
    test $0x100, %ebx
    jz 1f
    inb %dx, %al
    jmp next
1:  test $0x200, %ebx
    jz 2f
    inw %dx, %ax
    jmp next
2:  inl %dx, %eax
    jmp next

op_pci:                             /* bus 0 (or a random bus), any reg */
    mov %ebx, %eax
    shr $8, %eax
    and $0x00fffffc, %eax
    test $0x80000000, %ebx
    jnz 1f
    and $0x0000fffc, %eax           /* mostly bus 0 */
1:  mov %eax, %edx
    shr $8, %edx
    and $0xffff, %edx
    cmp $0x000b, %edx               /* bus 0, device 1 function 3 */
    je next
    or $0x80000000, %eax
    mov $0xcf8, %dx
    outl %eax, %dx
    mov $0xcfc, %dx
    mov %ecx, %eax
    test $0x100, %ebx
    jz 2f
    and $3, %ebx
    add %ebx, %edx
    outb %al, %dx
    jmp next
2:  outl %eax, %dx
    jmp next

op_mmio_w:
    call mmio_addr
    jc next
    test $0x100, %ebx
    jz 1f
    mov %cl, (%eax)
    jmp next
1:  mov %ecx, (%eax)
    jmp next

op_mmio_r:
    call mmio_addr
    jc next
    mov (%eax), %eax
    jmp next

next:
    inc %edi
    test $8191, %edi
    jnz 1f
    mov $'.', %al
    outb %al, $0xe9
1:  cmp %ebp, %edi
    jb round
    mov $'\n', %al
    outb %al, $0xe9
    lea msg_done, %esi
    call puts
    mov $0x21, %al
    outb %al, $0xf4
    hlt
bad:
    mov $0x01, %al
    outb %al, $0xf4
    hlt

/* CF set: leave port %dx alone (an access of up to 4 bytes there could
 * reach one of the ports in the blocks of 8 listed in deny) */
port_ok:
    push %ecx
    push %esi
    mov %edx, %eax
    and $0xfff8, %eax               /* the port's block */
    mov $deny, %ecx
1:  movzwl (%ecx), %esi
    cmp $0xffff, %esi
    je 8f
    cmp %eax, %esi
    je 9f
    sub $8, %esi                    /* the block before: an access at its */
    cmp %eax, %esi                  /* last ports spills into this one */
    je 9f
    add $2, %ecx
    jmp 1b
8:  pop %esi
    pop %ecx
    clc
    ret
9:  pop %esi
    pop %ecx
    stc
    ret

/* %eax: an MMIO address from %ebx (CF set: skipped), 4-byte aligned */
mmio_addr:
    mov %ebx, %eax
    shr $3, %eax
    and $3, %eax                    /* which window */
    mov mmio_masks(, %eax, 4), %edx
    mov mmio_base(, %eax, 4), %eax
    push %ecx
    mov %ebx, %ecx
    shr $8, %ecx
    and %edx, %ecx
    and $~3, %ecx
    add %ecx, %eax
    pop %ecx
    cmp $0xfee00300, %eax           /* LAPIC ICR low / high */
    je 9f
    cmp $0xfee00310, %eax
    je 9f
    clc
    ret
9:  stc
    ret

rand:                               /* xorshift32 */
    mov seed, %eax
    mov %eax, %edx
    shl $13, %edx
    xor %edx, %eax
    mov %eax, %edx
    shr $17, %edx
    xor %edx, %eax
    mov %eax, %edx
    shl $5, %edx
    xor %edx, %eax
    mov %eax, seed
    ret

puts:
    lodsb
    test %al, %al
    jz 2f
    outb %al, $0xe9
    jmp puts
2:  ret

/* 256 interrupt gates: the ones with an error code drop it, all return */
idt_setup:
    xor %ecx, %ecx
1:  mov $h_noec, %eax
    cmp $8, %ecx
    je 2f
    cmp $10, %ecx
    jb 3f
    cmp $14, %ecx
    jbe 2f
    cmp $17, %ecx
    je 2f
    cmp $21, %ecx
    je 2f
    jmp 3f
2:  mov $h_ec, %eax
3:  mov %ax, idt(, %ecx, 8)
    movw %cs, %dx
    mov %dx, idt + 2(, %ecx, 8)
    movw $0x8e00, idt + 4(, %ecx, 8)
    shr $16, %eax
    mov %ax, idt + 6(, %ecx, 8)
    inc %ecx
    cmp $256, %ecx
    jb 1b
    ret

h_ec:
    add $4, %esp
h_noec:
    iret

    .section .data
    .align 4
ops:
    .long op_out, op_out, op_in, op_pci, op_pci, op_mmio_w, op_mmio_w
    .long op_mmio_r
mmio_base:
    .long 0xfec00000, 0xfed00000, 0xfee00000, 0xe0000000
mmio_masks:
    .long 0x00000fff, 0x000003ff, 0x00000fff, 0x0effffff
seed:
    .long 0
deny:                               /* 8-port blocks left alone */
    .word 0x0060, 0x0090, 0x00e8, 0x00f0, 0x0cf8, 0x0510, 0x0518
    .word 0x0600, 0x0608, 0x0610, 0x0618, 0x0620, 0x0628, 0x0630, 0x0638
    .word 0x00b0, 0x0500
    .word 0xffff
idt_desc:
    .word 256 * 8 - 1
    .long idt
msg_done:
    .asciz "fuzz done\n"

    .section .bss
    .align 16
idt:
    .skip 256 * 8
stack:
    .skip 4096
stack_top:
