/*
 * A multiboot (v1) test kernel for the pc board's test pieces: the
 * pc-testdev scratch register at 0xe0 (every width and lane), its MMIO
 * scratch at 0xff000000, GSI line control at
 * 0x2000+n seen in the master 8259's IRR, and the MP tables (floating
 * pointer in 0xf0000-0xfffff, checksums, processor entries counted).
 * Prints over port 0xe9 (-debugcon) and exits through isa-debug-exit
 * (port 0xf4): 0x21 when every check passed (status 0x43), else the
 * failing check's number n as (n << 1) (status (n << 2) | 1).
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
    mov $stack_top, %esp
    lea msg_start, %esi
    call puts

    /* 1: 32-bit write, 32/16/8-bit reads */
    mov $1, %ebx
    mov $0xe0, %dx
    mov $0x12345678, %eax
    outl %eax, %dx
    inl %dx, %eax
    cmp $0x12345678, %eax
    jne fail
    mov $0xe2, %dx
    inw %dx, %ax
    cmp $0x1234, %ax
    jne fail
    mov $0xe3, %dx
    inb %dx, %al
    cmp $0x12, %al
    jne fail
    /* 2: a byte write replaces one lane */
    mov $2, %ebx
    mov $0xaa, %al
    outb %al, $0xe1
    inl $0xe0, %eax
    cmp $0x1234aa78, %eax
    jne fail
    /* 3: MMIO scratch, dword write, byte and unaligned word reads */
    mov $3, %ebx
    movl $0xdeadbeef, 0xff000004
    cmpl $0xdeadbeef, 0xff000004
    jne fail
    cmpb $0xbe, 0xff000005
    jne fail
    cmpw $0xadbe, 0xff000005
    jne fail
    /* 4: raising GSI 5 sets IRR bit 5 of the master 8259 */
    mov $4, %ebx
    mov $0x0a, %al                  /* OCW3: read IRR */
    outb %al, $0x20
    mov $1, %al
    mov $0x2005, %dx
    outb %al, %dx
    inb $0x20, %al
    test $0x20, %al
    jz fail
    mov $0, %al
    outb %al, %dx
    lea msg_testdev, %esi
    call puts

    /* 5: the MP floating pointer in the BIOS area, its checksum */
    mov $5, %ebx
    mov $0xf0000, %esi
1:  cmpl $0x5f504d5f, (%esi)        /* "_MP_" */
    je 2f
    add $16, %esi
    cmp $0x100000, %esi
    jb 1b
    jmp fail
2:  mov $16, %ecx
    call checksum
    jnz fail
    /* 6: the PCMP table, its checksum over its length */
    mov $6, %ebx
    mov 4(%esi), %esi
    cmpl $0x504d4350, (%esi)        /* "PCMP" */
    jne fail
    movzwl 4(%esi), %ecx
    call checksum
    jnz fail
    /* 7: walk the entries, count enabled processors (20 bytes each) */
    mov $7, %ebx
    movzwl 34(%esi), %ecx           /* entry count */
    lea 44(%esi), %edi
    xor %edx, %edx
3:  test %ecx, %ecx
    jz 5f
    cmpb $0, (%edi)
    jne 4f
    inc %edx
    add $20, %edi
    dec %ecx
    jmp 3b
4:  cmpb $4, (%edi)
    ja fail
    add $8, %edi
    dec %ecx
    jmp 3b
5:  test %edx, %edx
    jz fail
    lea msg_mp, %esi
    call puts
    mov %dl, %al
    add $'0', %al
    outb %al, $0xe9
    mov $'\n', %al
    outb %al, $0xe9

    mov $0x21, %al
    outb %al, $0xf4
    hlt
fail:
    lea msg_fail, %esi
    call puts
    mov %bl, %al
    add $'0', %al
    outb %al, $0xe9
    mov $'\n', %al
    outb %al, $0xe9
    mov %bl, %al
    shl $1, %al
    outb %al, $0xf4
    hlt

/* ZF set when the %ecx bytes at %esi sum to 0 mod 256 */
checksum:
    push %esi
    push %ecx
    xor %al, %al
6:  add (%esi), %al
    inc %esi
    loop 6b
    test %al, %al
    pop %ecx
    pop %esi
    ret

puts:
    push %esi
7:  lodsb
    test %al, %al
    jz 8f
    outb %al, $0xe9
    jmp 7b
8:  pop %esi
    ret

msg_start:
    .asciz "pc-board start\n"
msg_testdev:
    .asciz "pc-testdev ok\n"
msg_mp:
    .asciz "mp cpus "
msg_fail:
    .asciz "FAIL check "

    .section .bss
    .align 16
stack:
    .skip 4096
stack_top:
