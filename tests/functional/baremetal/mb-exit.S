/*
 * A multiboot (v1) test kernel: checks the boot magic and the info
 * structure, prints to the debug console (port 0xe9), echoes its command
 * line and first module, and exits through isa-debug-exit (port 0xf4) with
 * value 0x21 on success (process status 0x43) or 0x01 on failure (0x03).
 */
    .code32
    .section .text
    .align 4
mb_header:
    .long 0x1badb002
    .long 0x00000003                /* page-align modules, memory info */
    .long -(0x1badb002 + 0x00000003)

    .globl _start
_start:
    mov $stack_top, %esp            /* multiboot leaves %esp undefined */
    cmp $0x2badb002, %eax
    jne fail
    mov %ebx, %edi                  /* the info structure */
    lea msg_ok, %esi
    call puts
    testl $1, (%edi)                /* mem_lower/mem_upper valid */
    jz fail
    cmpl $(64 * 1024), 8(%edi)      /* at least 64 MiB above 1 MiB */
    jb fail
    testl $4, (%edi)                /* command line */
    jz fail
    mov 16(%edi), %esi
    call puts
    mov $'\n', %al
    outb %al, $0xe9
    testl $8, (%edi)                /* modules */
    jz done
    cmpl $1, 20(%edi)
    jb done
    mov 24(%edi), %edx              /* first module: start, end, string */
    mov 8(%edx), %esi
    call puts
    mov $':', %al
    outb %al, $0xe9
    mov (%edx), %esi                /* its contents (a short text file) */
    mov 4(%edx), %ecx
1:  cmp %ecx, %esi
    jae done
    lodsb
    outb %al, $0xe9
    jmp 1b
done:
    mov $0x21, %al
    outb %al, $0xf4
    hlt
fail:
    mov $0x01, %al
    outb %al, $0xf4
    hlt

puts:                               /* print the NUL-terminated %esi */
    lodsb
    test %al, %al
    jz 2f
    outb %al, $0xe9
    jmp puts
2:  ret

msg_ok:
    .asciz "multiboot ok\n"

    .section .bss
    .align 16
stack:
    .skip 4096
stack_top:
