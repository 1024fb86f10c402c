/*
 * Bare-metal guest programs for test-engine.c, assembled by the test
 * build. Each blob is position-independent (64-bit, RIP-relative) or
 * assembled for a fixed load address given below.
 */
    .section .note.GNU-stack, "", @progbits
    .section .rodata

/* ---- boot: real -> protected -> long mode; loaded at 0x7c00 ---- */
#define BOOT(x) ((x) - g_boot_start + 0x7c00)
    .globl g_boot_start, g_boot_end
    .code16
g_boot_start:
    cli
    xor %ax, %ax
    mov %ax, %ds
    mov %ax, %ss
    mov $0x7000, %sp
    /* a real-mode interrupt: IVT[0x20] -> rm_handler */
    movw $BOOT(rm_handler), 0x80
    movw $0, 0x82
    int $0x20
    mov %bl, %al
    out %al, $0x80                  /* 0xab: real-mode INT and IRET */
    lgdtl BOOT(gdtr)
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmpl $0x08, $BOOT(pm32)
rm_handler:
    mov $0xab, %bl
    iret

    .code32
pm32:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $0x7000, %esp
    mov $0x32, %al
    out %al, $0x80                  /* 0x32: in 32-bit protected mode */
    movl $0x21003, 0x20000
    movl $0, 0x20004
    movl $0x22003, 0x21000
    movl $0, 0x21004
    movl $0x83, 0x22000
    movl $0, 0x22004
    mov $0x20000, %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $0x20, %eax
    mov %eax, %cr4
    mov $0xc0000080, %ecx
    rdmsr
    or $0x100, %eax
    wrmsr
    mov %cr0, %eax
    or $0x80000000, %eax
    mov %eax, %cr0
    ljmp $0x18, $BOOT(lm64)

    .code64
lm64:
    mov $0x64, %al
    out %al, $0x80                  /* 0x64: in 64-bit mode */
    movabs $0x1234567890, %rax
    hlt

    .p2align 3
gdt:
    .quad 0
    .quad 0x00cf9a000000ffff        /* 0x08 code32 */
    .quad 0x00cf92000000ffff        /* 0x10 data */
    .quad 0x00af9a000000ffff        /* 0x18 code64 */
gdtr:
    .word gdtr - gdt - 1
    .long BOOT(gdt)
g_boot_end:

/* ---- 64-bit kernel tests (position-independent) ---- */
    .code64
    .globl g_k64_start, g_k64_end
    .globl t_pf_read, t_pf_write, pf_handler
    .globl t_user, user_code, int80_handler, int81_handler
    .globl t_syscall, sys_user, syscall_entry
    .globl t_hlt_irq, irq40_handler, t_io, t_outs, t_smc, t_ud
g_k64_start:

t_pf_read:
    movabs $0x40000123, %rcx        /* PDPT[1] not present */
    mov (%rcx), %rdx
    hlt
t_pf_write:
    movq $1, 0x800010               /* read-only 2M page, CR0.WP=1 */
    hlt
pf_handler:
    pop %rbx                        /* error code */
    mov %cr2, %rax
    hlt

/* enter user mode with IRETQ, come back through INT gates */
t_user:
    push $0x2b                      /* SS */
    push $0x300000                  /* RSP */
    push $0x2                       /* RFLAGS */
    push $0x33                      /* CS */
    lea user_code(%rip), %rax
    push %rax
    iretq
user_code:
    mov $0x77, %rdi
    int $0x80
    mov $0x99, %rsi
    int $0x81
int80_handler:
    mov %rsp, %r15
    mov 8(%rsp), %r14               /* pushed CS */
    mov 32(%rsp), %r13              /* pushed SS */
    mov 24(%rsp), %r11              /* pushed RSP */
    mov %cs, %r12
    iretq
int81_handler:
    mov 8(%rsp), %rbp               /* CS of the interrupted code */
    hlt

t_syscall:
    push $0x2b
    push $0x300000
    push $0x202
    push $0x33
    lea sys_user(%rip), %rax
    push %rax
    iretq
sys_user:
    mov $1, %rax
    syscall
    mov %rax, %r9
    pushf
    pop %r8                         /* RFLAGS after SYSRET (from R11) */
    int $0x81
syscall_entry:
    mov %rcx, %r10
    mov %r11, %rdx
    mov %cs, %r13
    mov %ss, %r14
    pushf
    pop %rdi                        /* IF masked by SFMASK */
    mov $42, %rax
    sysretq

t_hlt_irq:
    sti
    hlt
    mov $5, %r8
    hlt
irq40_handler:
    mov $0x40, %r9
    mov (%rsp), %r10                /* return RIP */
    iretq

t_io:
    mov $0x1234, %dx
    in %dx, %eax
    mov %eax, %r8d
    mov $0x10000000, %ebx
    mov (%rbx), %ecx                /* MMIO read */
    movl $0x55aa, 4(%rbx)           /* MMIO write */
    mov $0x66, %al
    out %al, $0x70
    hlt

t_outs:
    mov $0x500ffc, %esi             /* 4 bytes before a page end */
    mov $10, %ecx
    mov $0x3f8, %dx
    cld
    rep outsb
    hlt

t_smc:
    lea smc_patch(%rip), %rbx
    call *%rbx
    mov %eax, %r8d
    movb $2, 1(%rbx)                /* patch the immediate */
    call *%rbx
    mov %eax, %r9d
    movb $3, 1f+1(%rip)             /* patch the next instruction */
1:  mov $1, %eax
    mov %eax, %r10d
    hlt
smc_patch:
    mov $1, %eax
    ret

t_ud:
    ud2

    .globl t_sysenter, sysenter_entry, sysexit_user, df_handler
t_sysenter:
    push $0x2b
    push $0x300000
    push $0x2
    push $0x33
    lea sysexit_user(%rip), %rax
    push %rax
    iretq                           /* to CPL 3 */
sysexit_user:
    lea 1f(%rip), %rdx              /* SYSEXIT returns to RDX, RSP = RCX */
    mov %rsp, %rcx
    sysenter
1:  mov %cs, %r14
    int $0x81
sysenter_entry:
    mov %cs, %r12
    mov %rsp, %r13
    rex64 sysexit                   /* back to 64-bit user code */
df_handler:
    pop %rbx                        /* error code 0 */
    mov $0xdf, %r8
    hlt

    .globl t_dbg, t_dbg_after, db_handler
t_dbg:
    mov 0x500000, %edx              /* read: not a write breakpoint */
    movl $7, 0x500002               /* write hits DR0 (4 bytes) */
t_dbg_after:
    mov $1, %ecx
    hlt
db_handler:
    mov %dr6, %rax
    mov (%rsp), %rbx
    hlt
g_k64_end:

/* ---- 32-bit task switch test; loaded at 0x100000 ---- */
    .code32
    .globl g_task_start, g_task_end, task2_entry
#define T32(x) ((x) - g_task_start + 0x100000)
g_task_start:
    mov $0xaaaa, %eax
    lcall $0x20, $0                 /* CALL to TSS 2 */
    mov $0x2222, %ecx
    str %dx                         /* TR after IRET */
    hlt
task2_entry:
    mov %eax, 0x5000                /* EAX loaded from TSS 2 */
    str 0x5004                      /* TR in task 2 */
    pushf
    popl 0x5008                     /* NT is set */
    iret                            /* back to task 1 */
g_task_end:

/* ---- 32-bit protected-mode tests; loaded at 0x200000 ---- */
    .code32
    .globl g_leg_start, g_leg_end, leg_paging, leg_nx, pf32_handler
    .globl leg_gate, user32, gate_target, int80_32, leg_v86, gp32_handler
    .globl v86_code, v86_code_end
g_leg_start:
leg_paging:
    movl $0x1234, 0x400010          /* user page, writable */
    mov 0x401000, %eax              /* read-only page */
    movl $1, 0x401004               /* write with CR0.WP: #PF */
    hlt
leg_nx:
    mov $0x400000, %ecx
    call *%ecx                      /* NX page: #PF on fetch */
    hlt
pf32_handler:
    pop %ebx
    mov %cr2, %eax
    hlt

leg_gate:
    push $0x23                      /* SS (DPL 3) */
    push $0x7000                    /* ESP */
    push $0x2                       /* EFLAGS */
    push $0x1b                      /* CS (DPL 3) */
    push $(user32 - g_leg_start + 0x200000)
    iret
user32:
    push $0x11111111
    push $0x22222222
    lcall $0x33, $0                 /* call gate, 2 parameters */
    mov $0xcafe, %eax
    int $0x80
gate_target:
    mov %esp, %ebp
    mov 8(%esp), %esi
    mov 12(%esp), %edi
    mov 20(%esp), %edx              /* caller SS */
    mov %cs, %ecx
    lret $8
int80_32:
    mov 12(%esp), %ebx              /* user ESP after LRET $8 */
    hlt

leg_v86:
    push $0                         /* GS */
    push $0                         /* FS */
    push $0x2000                    /* DS */
    push $0                         /* ES */
    push $0x2000                    /* SS */
    push $0x100                     /* SP */
    push $0x20002                   /* EFLAGS: VM, IOPL 0 */
    push $0x1000                    /* CS */
    push $0                         /* IP */
    iret
gp32_handler:
    pop %ebx                        /* error code */
    mov (%esp), %ecx                /* IP of the INT */
    mov 4(%esp), %edx               /* CS */
    mov 8(%esp), %esi               /* EFLAGS */
    mov 12(%esp), %edi              /* SP */
    hlt
    .code16
v86_code:
    mov $0x1234, %ax
    push %ax
    int $0x21                       /* IOPL < 3: #GP(0) */
v86_code_end:
    .code32
g_leg_end:
