/*
 * Bare-metal guests for test-tlb.c (64-bit kernel, position-independent,
 * loaded at TLB_BASE, engine-env.c's identity map of 16 MiB in 2 MiB
 * pages with the page directory at 0x12000): TLB invalidation by INVLPG
 * and CR3 writes, for data and for code reached through chained blocks,
 * also past the limits of tlb.c's bookkeeping.
 * Each ends with HLT; the test checks registers.
 */
    .section .note.GNU-stack, "", @progbits
    .section .rodata
    .code64
    .globl g_tlb_start, g_tlb_end
    .globl t_invlpg_data, t_invlpg_code, t_cr3_code, t_invlpg_1g
    .globl t_lock_dbp, tlb_db_handler
    .globl t_cr3_many, t_invlpg_many_large, t_l2_4k, t_l2_large
    .globl t_evicted_code
g_tlb_start:

/* PDE 5 (10-12 MiB) in %rdi before the call, the new one in %rsi:
 * fill two 4K pieces of the 2 MiB page, remap it, INVLPG one piece;
 * the other must read through the new mapping. */
t_invlpg_data:
    mov 0xa01000, %rax
    mov 0xa05000, %rbx
    mov %rsi, 0x12028
    invlpg 0xa01000
    mov 0xa05000, %rcx
    mov 0xa01000, %rdx
    hlt

/* call the code at 10 MiB four times; after the second call remap its
 * 2 MiB page to 12 MiB (PDE in %rsi) and INVLPG: the chained call must
 * not keep running the old block. %r8 sums the returned values. */
t_invlpg_code:
    mov $0xa00000, %rbx
    xor %ecx, %ecx
    xor %r8d, %r8d
1:  call *%rbx
    add %rax, %r8
    inc %ecx
    cmp $2, %ecx
    jne 2f
    mov %rsi, 0x12028
    invlpg (%rbx)
2:  cmp $4, %ecx
    jne 1b
    hlt

/* the same with a CR3 write to a second hierarchy (in %rdx) that maps
 * 10 MiB elsewhere */
t_cr3_code:
    mov $0xa00000, %rbx
    xor %ecx, %ecx
    xor %r8d, %r8d
1:  call *%rbx
    add %rax, %r8
    inc %ecx
    cmp $2, %ecx
    jne 2f
    mov %rdx, %cr3
2:  cmp $4, %ecx
    jne 1b
    hlt

/* 1 GiB page at 1 GiB (PDPTE 1 = %rsi on entry, physical 0): read two
 * pieces, make it not present (%rdi), INVLPG one piece; reading the
 * other must fault (#PF handler: RAX = CR2, RBX = error code, HLT). */
t_invlpg_1g:
    mov %rsi, 0x11008
    mov 0x40a01000, %rax
    mov 0x40a05000, %rax
    mov %rdi, 0x11008
    invlpg 0x40a01000
    xor %eax, %eax
    mov 0x40a05000, %rcx
    hlt
    .globl tlb_pf_handler
tlb_pf_handler:
    mov %cr2, %rax
    pop %rbx
    hlt

/* a LOCKed add to a page already in the write TLB, with a data write
 * breakpoint on it (DR0 = %rsi, DR7 = %rdi): #DB after the add */
t_lock_dbp:
    movq $5, (%rsi)
    mov %rsi, %dr0
    mov %rdi, %dr7
    xor %eax, %eax
    lock addq $1, (%rsi)
    hlt
tlb_db_handler:
    mov %dr6, %rax
    mov (%rsi), %rbx
    hlt

/* 600 fills of two pages at the same TLB index (10 MiB + 4K and 64 MiB
 * above it, the same 4K page table), then one of 10 MiB + 8K (RBX);
 * remap that page (its PTE := %rsi), reload CR3 and read it again (RCX):
 * a CR3 write after more non-global fills than tlb.c lists */
t_cr3_many:
    mov $600, %ecx
1:  mov 0xa01000, %rax
    mov 0x4a01000, %rax
    dec %ecx
    jnz 1b
    mov 0xa02000, %rbx
    mov %rsi, 0x20010
    mov %cr3, %rax
    mov %rax, %cr3
    mov 0xa02000, %rcx
    hlt

/* pieces of 1024 distinct 2 MiB pages (1 GiB up, one physical page),
 * then t_invlpg_data: INVLPG after more large pages than tlb.c's set */
t_invlpg_many_large:
    mov $0x40000000, %rbx
    mov $1024, %ecx
1:  mov (%rbx), %rax
    add $0x200000, %rbx
    dec %ecx
    jnz 1b
    mov 0xa01000, %rax
    mov 0xa05000, %rbx
    mov %rsi, 0x12028
    invlpg 0xa01000
    mov 0xa05000, %rcx
    mov 0xa01000, %rdx
    hlt

/* tlb.c's second level: a page read (10 MiB + 8K), pushed out of the
 * first level by a read of (%rdx) at the same index, remapped (PTE :=
 * %rsi), then a CR3 write (%edi = 0) or INVLPG of it (%edi != 0): the
 * read after must not be refilled from the second level */
t_l2_4k:
    mov 0xa02000, %rax
    mov (%rdx), %rbx
    mov %rsi, 0x20010
    test %edi, %edi
    jnz 1f
    mov %cr3, %rcx
    mov %rcx, %cr3
    jmp 2f
1:  invlpg 0xa02000
2:  mov 0xa02000, %rcx
    hlt

/* the same for a 4K piece of a 2 MiB page (PDE 5 := %rsi), dropped by
 * INVLPG of another piece */
t_l2_large:
    mov 0xa01000, %rax
    mov 0xa05000, %rbx
    mov (%rdx), %r8
    mov %rsi, 0x12028
    invlpg 0xa01000
    mov 0xa05000, %rcx
    hlt

/* t_invlpg_code with a 4K page at 10 MiB (PTE := %rsi) whose fetch entry
 * a call of the code at %rdx (the same TLB index) pushed out before the
 * remapping and INVLPG: the chained call must not run the old block */
t_evicted_code:
    mov $0xa00000, %rbx
    xor %ecx, %ecx
    xor %r8d, %r8d
1:  call *%rbx
    add %rax, %r8
    inc %ecx
    cmp $2, %ecx
    jne 2f
    call *%rdx
    mov %rsi, 0x20000
    invlpg (%rbx)
2:  cmp $4, %ecx
    jne 1b
    hlt

g_tlb_end:
