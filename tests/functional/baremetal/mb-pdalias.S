/*
 * A multiboot guest with hostile page tables for dump-guest-memory
 * paging=true (test_dump_hostile.py): 32-bit paging with PSE, every one of
 * the 1024 page-directory entries a 4 MiB page at physical 0, so its 4 GiB
 * of virtual space map the same 4 MiB of RAM 1024 times. Prints 'P' to
 * the debug console (0xe9) once paging is on, then halts.
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
    mov $0x200000, %edi             /* the page directory */
    mov $0x83, %eax                 /* present, writable, 4 MiB, base 0 */
    mov $1024, %ecx
    rep stosl
    mov %cr4, %eax
    or $0x10, %eax                  /* PSE */
    mov %eax, %cr4
    mov $0x200000, %eax
    mov %eax, %cr3
    mov %cr0, %eax
    or $0x80000000, %eax            /* PG: this code maps to itself */
    mov %eax, %cr0
    jmp 1f
1:  mov $'P', %al
    outb %al, $0xe9
2:  hlt
    jmp 2b
