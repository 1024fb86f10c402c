/*
 * The x86 disassembler (disas/x86.c) against a table of encodings and
 * the text GNU objdump 2.40 prints for them (-D -b binary, whitespace
 * collapsed): every general-purpose group, x87, SSE/SSE2, the common
 * SSSE3/SSE4 0f 38 / 0f 3a forms, their VEX (AVX/AVX2) forms, AVX2
 * permutes/broadcasts/inserts, FMA, BMI,
 * system instructions, 16/32/64-bit modes. Then what it must refuse as "(bad)"
 * (length 1), truncated instructions, small output buffers, and random
 * buffers of every length 0..15 in exactly-sized heap blocks, so that
 * ASan sees any read past the end.
 */
#include "disas/x86.h"

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef struct Case {
    int mode;
    const char *hex;
    int len;
    const char *text;
} Case;

static const Case cases[] = {
    /* ALU */
    { 64, "01d8", 2, "add %ebx,%eax" },
    { 64, "480307", 3, "add (%rdi),%rax" },
    { 64, "800001", 3, "addb $0x1,(%rax)" },
    { 64, "83c0ff", 3, "add $0xffffffff,%eax" },
    { 64, "4881c178563412", 7, "add $0x12345678,%rcx" },
    { 64, "30c0", 2, "xor %al,%al" },
    { 64, "6629d8", 3, "sub %bx,%ax" },
    { 64, "3c05", 2, "cmp $0x5,%al" },
    { 64, "f0830001", 4, "lock addl $0x1,(%rax)" },
    { 64, "f0ff08", 3, "lock decl (%rax)" },
    { 64, "4d01c8", 3, "add %r9,%r8" },
    /* moves */
    { 64, "89c8", 2, "mov %ecx,%eax" },
    { 64, "488b0510000000", 7, "mov 0x10(%rip),%rax # 0x17" },
    { 64, "c60001", 3, "movb $0x1,(%rax)" },
    { 64, "48c7c0ffffffff", 7, "mov $0xffffffffffffffff,%rax" },
    { 64, "48b88877665544332211", 10, "movabs $0x1122334455667788,%rax" },
    { 64, "a18877665544332211", 9, "movabs 0x1122334455667788,%eax" },
    { 64, "8cd8", 2, "mov %ds,%eax" },
    { 64, "8ed8", 2, "mov %eax,%ds" },
    { 64, "8ad4", 2, "mov %ah,%dl" },
    { 64, "4088c6", 3, "mov %al,%sil" },
    { 64, "8b0424", 3, "mov (%rsp),%eax" },
    { 64, "8b4c2408", 4, "mov 0x8(%rsp),%ecx" },
    { 64, "8b04c500000000", 7, "mov 0x0(,%rax,8),%eax" },
    { 64, "418b04c4", 4, "mov (%r12,%rax,8),%eax" },
    { 64, "8b040a", 3, "mov (%rdx,%rcx,1),%eax" },
    { 64, "678b00", 3, "mov (%eax),%eax" },
    /* movzx movsx */
    { 64, "0fb6c0", 3, "movzbl %al,%eax" },
    { 64, "480fbfc8", 4, "movswq %ax,%rcx" },
    { 64, "4863c1", 3, "movslq %ecx,%rax" },
    { 64, "0fbe00", 3, "movsbl (%rax),%eax" },
    { 64, "660fb6c0", 4, "movzbw %al,%ax" },
    { 64, "0fb70e", 3, "movzwl (%rsi),%ecx" },
    /* lea */
    { 64, "488d0488", 4, "lea (%rax,%rcx,4),%rax" },
    { 64, "8d442408", 4, "lea 0x8(%rsp),%eax" },
    { 64, "488d3d00010000", 7, "lea 0x100(%rip),%rdi # 0x107" },
    /* shifts */
    { 64, "d1e0", 2, "shl %eax" },
    { 64, "c1e804", 3, "shr $0x4,%eax" },
    { 64, "d3f8", 2, "sar %cl,%eax" },
    { 64, "48c1c003", 4, "rol $0x3,%rax" },
    { 64, "d008", 2, "rorb (%rax)" },
    { 64, "d320", 2, "shll %cl,(%rax)" },
    { 64, "0fa4c204", 4, "shld $0x4,%eax,%edx" },
    { 64, "0fadc2", 3, "shrd %cl,%eax,%edx" },
    /* mul div */
    { 64, "f7e1", 2, "mul %ecx" },
    { 64, "f7f3", 2, "div %ebx" },
    { 64, "48f77d00", 4, "idivq 0x0(%rbp)" },
    { 64, "0fafc1", 3, "imul %ecx,%eax" },
    { 64, "6bc00a", 3, "imul $0xa,%eax,%eax" },
    { 64, "69c0e8030000", 6, "imul $0x3e8,%eax,%eax" },
    { 64, "f6e3", 2, "mul %bl" },
    { 64, "f638", 2, "idivb (%rax)" },
    /* inc dec neg not */
    { 64, "ffc0", 2, "inc %eax" },
    { 64, "fe08", 2, "decb (%rax)" },
    { 64, "48f7d8", 3, "neg %rax" },
    { 64, "f7d0", 2, "not %eax" },
    { 64, "ff00", 2, "incl (%rax)" },
    /* test xchg */
    { 64, "85c0", 2, "test %eax,%eax" },
    { 64, "a801", 2, "test $0x1,%al" },
    { 64, "f6c102", 3, "test $0x2,%cl" },
    { 64, "f70001000000", 6, "testl $0x1,(%rax)" },
    { 64, "87d8", 2, "xchg %ebx,%eax" },
    { 64, "91", 1, "xchg %eax,%ecx" },
    { 64, "48870b", 3, "xchg %rcx,(%rbx)" },
    { 64, "4991", 2, "xchg %rax,%r9" },
    /* cmpxchg xadd */
    { 64, "f00fb10a", 4, "lock cmpxchg %ecx,(%rdx)" },
    { 64, "0fc1c1", 3, "xadd %eax,%ecx" },
    { 64, "f0480fc70e", 5, "lock cmpxchg16b (%rsi)" },
    { 64, "0fc70f", 3, "cmpxchg8b (%rdi)" },
    /* bt */
    { 64, "0fa3c8", 3, "bt %ecx,%eax" },
    { 64, "0fbae003", 4, "bt $0x3,%eax" },
    { 64, "0fab07", 3, "bts %eax,(%rdi)" },
    { 64, "0fb3c8", 3, "btr %ecx,%eax" },
    { 64, "480fbbc8", 4, "btc %rcx,%rax" },
    { 64, "0fbaf81f", 4, "btc $0x1f,%eax" },
    /* bsf bsr */
    { 64, "0fbcc1", 3, "bsf %ecx,%eax" },
    { 64, "0fbdc1", 3, "bsr %ecx,%eax" },
    { 64, "f30fbcc1", 4, "tzcnt %ecx,%eax" },
    { 64, "f30fb8c1", 4, "popcnt %ecx,%eax" },
    { 64, "f30fbdc1", 4, "lzcnt %ecx,%eax" },
    /* setcc cmov */
    { 64, "0f94c0", 3, "sete %al" },
    { 64, "0f9f00", 3, "setg (%rax)" },
    { 64, "0f44c1", 3, "cmove %ecx,%eax" },
    { 64, "480f4fc2", 4, "cmovg %rdx,%rax" },
    /* branches */
    { 64, "7405", 2, "je 0x7" },
    { 64, "0f8500010000", 6, "jne 0x106" },
    { 64, "ebfe", 2, "jmp 0x0" },
    { 64, "e900000000", 5, "jmp 0x5" },
    { 64, "e8fbffffff", 5, "call 0x0" },
    { 64, "ffd0", 2, "call *%rax" },
    { 64, "ff24c500000000", 7, "jmp *0x0(,%rax,8)" },
    { 64, "ff5008", 3, "call *0x8(%rax)" },
    { 64, "c3", 1, "ret" },
    { 64, "c20800", 3, "ret $0x8" },
    { 64, "e2fe", 2, "loop 0x0" },
    { 64, "e3fe", 2, "jrcxz 0x0" },
    { 64, "e0fe", 2, "loopne 0x0" },
    { 64, "e1fe", 2, "loope 0x0" },
    { 64, "f3c3", 2, "repz ret" },
    { 64, "3effe0", 3, "notrack jmp *%rax" },
    { 64, "2e7400", 3, "je,pn 0x3" },
    /* push pop */
    { 64, "50", 1, "push %rax" },
    { 64, "4157", 2, "push %r15" },
    { 64, "6a01", 2, "push $0x1" },
    { 64, "6800100000", 5, "push $0x1000" },
    { 64, "ff30", 2, "push (%rax)" },
    { 64, "8f00", 2, "pop (%rax)" },
    { 64, "9c", 1, "pushf" },
    { 64, "9d", 1, "popf" },
    { 64, "0fa0", 2, "push %fs" },
    { 64, "0fa9", 2, "pop %gs" },
    { 64, "6650", 2, "push %ax" },
    /* strings */
    { 64, "f3a4", 2, "rep movsb %ds:(%rsi),%es:(%rdi)" },
    { 64, "f348ab", 3, "rep stos %rax,%es:(%rdi)" },
    { 64, "a6", 1, "cmpsb %es:(%rdi),%ds:(%rsi)" },
    { 64, "f2ae", 2, "repnz scas %es:(%rdi),%al" },
    { 64, "ac", 1, "lods %ds:(%rsi),%al" },
    { 64, "f3a5", 2, "rep movsl %ds:(%rsi),%es:(%rdi)" },
    { 64, "6c", 1, "insb (%dx),%es:(%rdi)" },
    { 64, "6f", 1, "outsl %ds:(%rsi),(%dx)" },
    { 64, "aa", 1, "stos %al,%es:(%rdi)" },
    { 64, "66ad", 2, "lods %ds:(%rsi),%ax" },
    /* segments */
    { 64, "64488b042528000000", 9, "mov %fs:0x28,%rax" },
    { 64, "65488b042500000000", 9, "mov %gs:0x0,%rax" },
    { 64, "2e8b00", 3, "cs mov (%rax),%eax" },
    /* enter leave int */
    { 64, "c8100000", 4, "enter $0x10,$0x0" },
    { 64, "c9", 1, "leave" },
    { 64, "cc", 1, "int3" },
    { 64, "cd80", 2, "int $0x80" },
    { 64, "48cf", 2, "iretq" },
    { 64, "cf", 1, "iret" },
    { 64, "f1", 1, "int1" },
    /* io */
    { 64, "e460", 2, "in $0x60,%al" },
    { 64, "e680", 2, "out %al,$0x80" },
    { 64, "ec", 1, "in (%dx),%al" },
    { 64, "ef", 1, "out %eax,(%dx)" },
    { 64, "66ed", 2, "in (%dx),%ax" },
    /* system */
    { 64, "0fa2", 2, "cpuid" },
    { 64, "0f31", 2, "rdtsc" },
    { 64, "0f32", 2, "rdmsr" },
    { 64, "0f30", 2, "wrmsr" },
    { 64, "f4", 1, "hlt" },
    { 64, "fa", 1, "cli" },
    { 64, "fb", 1, "sti" },
    { 64, "0f20c0", 3, "mov %cr0,%rax" },
    { 64, "0f22d8", 3, "mov %rax,%cr3" },
    { 64, "440f20c0", 4, "mov %cr8,%rax" },
    { 64, "0f21f8", 3, "mov %db7,%rax" },
    { 64, "0f23c0", 3, "mov %rax,%db0" },
    { 64, "0f0110", 3, "lgdt (%rax)" },
    { 64, "0f0118", 3, "lidt (%rax)" },
    { 64, "0f00d8", 3, "ltr %ax" },
    { 64, "0f0138", 3, "invlpg (%rax)" },
    { 64, "0f05", 2, "syscall" },
    { 64, "480f07", 3, "sysretq" },
    { 64, "0f07", 2, "sysretl" },
    { 64, "0f01f8", 3, "swapgs" },
    { 64, "0f01d0", 3, "xgetbv" },
    { 64, "0f01d1", 3, "xsetbv" },
    { 64, "0f09", 2, "wbinvd" },
    { 64, "0f0b", 2, "ud2" },
    { 64, "0f01f9", 3, "rdtscp" },
    { 64, "0faee8", 3, "lfence" },
    { 64, "0faef0", 3, "mfence" },
    { 64, "0faef8", 3, "sfence" },
    { 64, "0fae00", 3, "fxsave (%rax)" },
    { 64, "0fae5dfc", 4, "stmxcsr -0x4(%rbp)" },
    /* nop forms */
    { 64, "90", 1, "nop" },
    { 64, "0f1f00", 3, "nopl (%rax)" },
    { 64, "0f1f440000", 5, "nopl 0x0(%rax,%rax,1)" },
    { 64, "660f1f840000000000", 9, "nopw 0x0(%rax,%rax,1)" },
    { 64, "662e0f1f840000000000", 10, "cs nopw 0x0(%rax,%rax,1)" },
    { 64, "6690", 2, "xchg %ax,%ax" },
    { 64, "f30f1efa", 4, "endbr64" },
    { 64, "f390", 2, "pause" },
    /* x87 */
    { 32, "d9c0", 2, "fld %st(0)" },
    { 64, "ddd8", 2, "fstp %st(0)" },
    { 64, "d90500000000", 6, "flds 0x0(%rip) # 0x6" },
    { 64, "dd00", 2, "fldl (%rax)" },
    { 64, "db28", 2, "fldt (%rax)" },
    { 64, "dfe0", 2, "fnstsw %ax" },
    { 64, "9bdfe0", 3, "fstsw %ax" },
    { 64, "dec1", 2, "faddp %st,%st(1)" },
    { 64, "d8c9", 2, "fmul %st(1),%st" },
    { 64, "d9e8", 2, "fld1" },
    { 64, "d9ee", 2, "fldz" },
    { 64, "dbe3", 2, "fninit" },
    { 64, "d97dfe", 3, "fnstcw -0x2(%rbp)" },
    { 64, "d96dfc", 3, "fldcw -0x4(%rbp)" },
    { 64, "df3c24", 3, "fistpll (%rsp)" },
    { 64, "dee9", 2, "fsubrp %st,%st(1)" },
    { 64, "dce1", 2, "fsub %st,%st(1)" },
    { 64, "d9c9", 2, "fxch %st(1)" },
    { 64, "dae9", 2, "fucompp" },
    { 64, "dbe8", 2, "fucomi %st(0),%st" },
    { 64, "dfe9", 2, "fucomip %st(1),%st" },
    { 64, "9b", 1, "fwait" },
    /* sse */
    { 64, "0f28c1", 3, "movaps %xmm1,%xmm0" },
    { 64, "0f1000", 3, "movups (%rax),%xmm0" },
    { 64, "660f6f00", 4, "movdqa (%rax),%xmm0" },
    { 64, "f30f6f00", 4, "movdqu (%rax),%xmm0" },
    { 64, "660f7f07", 4, "movdqa %xmm0,(%rdi)" },
    { 64, "66480f6ec0", 5, "movq %rax,%xmm0" },
    { 64, "660f7ec0", 4, "movd %xmm0,%eax" },
    { 64, "f30f7ec1", 4, "movq %xmm1,%xmm0" },
    { 64, "660fd607", 4, "movq %xmm0,(%rdi)" },
    { 64, "660fefc0", 4, "pxor %xmm0,%xmm0" },
    { 64, "0f57c0", 3, "xorps %xmm0,%xmm0" },
    { 64, "f20f58c1", 4, "addsd %xmm1,%xmm0" },
    { 64, "f30f5cc1", 4, "subss %xmm1,%xmm0" },
    { 64, "0f59c1", 3, "mulps %xmm1,%xmm0" },
    { 64, "660f5ec1", 4, "divpd %xmm1,%xmm0" },
    { 64, "f20f2ac0", 4, "cvtsi2sd %eax,%xmm0" },
    { 64, "f2480f2cc0", 5, "cvttsd2si %xmm0,%rax" },
    { 64, "f30f5ac0", 4, "cvtss2sd %xmm0,%xmm0" },
    { 64, "660f2ec1", 4, "ucomisd %xmm1,%xmm0" },
    { 64, "0f2ec1", 3, "ucomiss %xmm1,%xmm0" },
    { 64, "660f74c1", 4, "pcmpeqb %xmm1,%xmm0" },
    { 64, "660f701b1b", 5, "pshufd $0x1b,(%rbx),%xmm3" },
    { 64, "f20f2a00", 4, "cvtsi2sdl (%rax),%xmm0" },
    { 64, "0fc2c101", 4, "cmpltps %xmm1,%xmm0" },
    { 64, "0f6fc1", 3, "movq %mm1,%mm0" },
    { 64, "0fefc0", 3, "pxor %mm0,%mm0" },
    { 64, "660f73d808", 5, "psrldq $0x8,%xmm0" },
    { 64, "0f2903", 3, "movaps %xmm0,(%rbx)" },
    { 64, "660fd4c1", 4, "paddq %xmm1,%xmm0" },
    { 64, "660ffec1", 4, "paddd %xmm1,%xmm0" },
    { 64, "660f62c1", 4, "punpckldq %xmm1,%xmm0" },
    { 64, "660f6cc1", 4, "punpcklqdq %xmm1,%xmm0" },
    { 64, "0f12c1", 3, "movhlps %xmm1,%xmm0" },
    { 64, "0f1600", 3, "movhps (%rax),%xmm0" },
    { 64, "f20f1000", 4, "movsd (%rax),%xmm0" },
    { 64, "f20f1108", 4, "movsd %xmm1,(%rax)" },
    { 64, "660f28c1", 4, "movapd %xmm1,%xmm0" },
    { 64, "f30f2dc0", 4, "cvtss2si %xmm0,%eax" },
    { 64, "660fe6c1", 4, "cvttpd2dq %xmm1,%xmm0" },
    { 64, "f30fe6c1", 4, "cvtdq2pd %xmm1,%xmm0" },
    { 64, "0f5bc1", 3, "cvtdq2ps %xmm1,%xmm0" },
    { 64, "660fd7c1", 4, "pmovmskb %xmm1,%eax" },
    { 64, "0fc6c11b", 4, "shufps $0x1b,%xmm1,%xmm0" },
    { 64, "0f0d08", 3, "prefetchw (%rax)" },
    { 64, "0f1808", 3, "prefetcht0 (%rax)" },
    { 64, "0f01c8", 3, "monitor %rax,%ecx,%edx" },
    /* 32-bit */
    { 32, "8b4508", 3, "mov 0x8(%ebp),%eax" },
    { 32, "60", 1, "pusha" },
    { 32, "61", 1, "popa" },
    { 32, "0f0110", 3, "lgdtl (%eax)" },
    { 32, "6660", 2, "pushaw" },
    { 32, "27", 1, "daa" },
    { 32, "40", 1, "inc %eax" },
    { 32, "c400", 2, "les (%eax),%eax" },
    { 32, "9a78563412cdab", 7, "lcall $0xabcd,$0x12345678" },
    { 32, "a178563412", 5, "mov 0x12345678,%eax" },
    { 32, "2e8b00", 3, "mov %cs:(%eax),%eax" },
    { 32, "e8fbffffff", 5, "call 0x0" },
    { 32, "6a01", 2, "push $0x1" },
    { 32, "ff30", 2, "push (%eax)" },
    { 32, "cf", 1, "iret" },
    { 32, "0f20c0", 3, "mov %cr0,%eax" },
    { 32, "0f22d8", 3, "mov %eax,%cr3" },
    { 32, "fe08", 2, "decb (%eax)" },
    { 32, "0fc70f", 3, "cmpxchg8b (%edi)" },
    { 32, "8d0425ffffffff", 7, "lea -0x1(,%eiz,1),%eax" },
    /* 16-bit */
    { 16, "8b4604", 3, "mov 0x4(%bp),%ax" },
    { 16, "668b07", 3, "mov (%bx),%eax" },
    { 16, "e80000", 3, "call 0x3" },
    { 16, "cd10", 2, "int $0x10" },
    { 16, "ea007c0000", 5, "ljmp $0x0,$0x7c00" },
    { 16, "8b1e3412", 4, "mov 0x1234,%bx" },
    { 16, "c3", 1, "ret" },
    { 16, "60", 1, "pusha" },
    { 16, "0f0110", 3, "lgdtw (%bx,%si)" },
    { 16, "e2fe", 2, "loop 0x0" },
    { 16, "8b00", 2, "mov (%bx,%si),%ax" },
    { 16, "f3a4", 2, "rep movsb %ds:(%si),%es:(%di)" },
    /* more system */
    { 64, "0f01cf", 3, "encls" },
    { 64, "0f01d9", 3, "vmmcall" },
    { 64, "0f01e8", 3, "serialize" },
    { 64, "0f01ee", 3, "rdpkru" },
    { 64, "0f01ef", 3, "wrpkru" },
    { 64, "f30f01d9", 4, "vmgexit" },
    { 64, "480fc71f", 4, "xrstors64 (%rdi)" },
    { 64, "0fc727", 3, "xsavec (%rdi)" },
    { 64, "f3480faec0", 5, "rdfsbase %rax" },
    { 64, "f30faed2", 4, "wrfsbase %edx" },
    { 64, "660f38820424", 6, "invpcid (%rsp),%rax" },
    /* 0f 38 / 0f 3a */
    { 64, "660f3800c1", 5, "pshufb %xmm1,%xmm0" },
    { 64, "0f3800c1", 4, "pshufb %mm1,%mm0" },
    { 64, "66410f3800dc", 6, "pshufb %xmm12,%xmm3" },
    { 64, "660f3817c1", 5, "ptest %xmm1,%xmm0" },
    { 64, "660f3830c1", 5, "pmovzxbw %xmm1,%xmm0" },
    { 64, "660f3829c1", 5, "pcmpeqq %xmm1,%xmm0" },
    { 64, "660f38dcc1", 5, "aesenc %xmm1,%xmm0" },
    { 64, "660f3810c1", 5, "pblendvb %xmm0,%xmm1,%xmm0" },
    { 64, "0f38f006", 4, "movbe (%rsi),%eax" },
    { 64, "660f38f106", 5, "movbe %ax,(%rsi)" },
    { 64, "f20f38f0c1", 5, "crc32 %cl,%eax" },
    { 64, "f2480f38f1c1", 6, "crc32 %rcx,%rax" },
    { 64, "660f3a0fc108", 6, "palignr $0x8,%xmm1,%xmm0" },
    { 64, "660f3a16c001", 6, "pextrd $0x1,%xmm0,%eax" },
    { 64, "66480f3a16c001", 7, "pextrq $0x1,%xmm0,%rax" },
    { 64, "660f3a22c003", 6, "pinsrd $0x3,%eax,%xmm0" },
    { 64, "660f3a4400c1", 6, "pclmulqdq $0xc1,(%rax),%xmm0" },
    { 64, "660f3a44c111", 6, "pclmulhqhqdq %xmm1,%xmm0" },
    { 64, "660f3a63c10c", 6, "pcmpistri $0xc,%xmm1,%xmm0" },
    { 64, "660f3a0bc104", 6, "roundsd $0x4,%xmm1,%xmm0" },
    { 64, "f20f38f006", 5, "crc32b (%rsi),%eax" },
    { 64, "66f20f38f106", 6, "crc32w (%rsi),%eax" },
    /* x87/ud0 extras */
    { 64, "dfc1", 2, "ffreep %st(1)" },
    { 64, "0fff18", 3, "ud0 (%rax),%ebx" },
    /* VEX */
    { 64, "c5f877", 3, "vzeroupper" },
    { 64, "c5fc77", 3, "vzeroall" },
    { 64, "c5f1efc2", 4, "vpxor %xmm2,%xmm1,%xmm0" },
    { 64, "c5fdefc1", 4, "vpxor %ymm1,%ymm0,%ymm0" },
    { 64, "c5fe6f06", 4, "vmovdqu (%rsi),%ymm0" },
    { 64, "c5fa7f07", 4, "vmovdqu %xmm0,(%rdi)" },
    { 64, "c4417dfcc2", 5, "vpaddb %ymm10,%ymm0,%ymm8" },
    { 64, "c5ed74ca", 4, "vpcmpeqb %ymm2,%ymm2,%ymm1" },
    { 64, "c5fdd7c1", 4, "vpmovmskb %ymm1,%eax" },
    { 64, "c5f2580e", 4, "vaddss (%rsi),%xmm1,%xmm1" },
    { 64, "c5fa10c1", 4, "vmovss %xmm1,%xmm0,%xmm0" },
    { 64, "c5fa1006", 4, "vmovss (%rsi),%xmm0" },
    { 64, "c4e1fa2ac0", 5, "vcvtsi2ss %rax,%xmm0,%xmm0" },
    { 64, "c5fa2a00", 4, "vcvtsi2ssl (%rax),%xmm0,%xmm0" },
    { 64, "c5f9c2c101", 5, "vcmpltpd %xmm1,%xmm0,%xmm0" },
    { 64, "c5fcc2c11d", 5, "vcmpge_oqps %ymm1,%ymm0,%ymm0" },
    { 64, "c5f5f1c2", 4, "vpsllw %xmm2,%ymm1,%ymm0" },
    { 64, "c5f573d004", 5, "vpsrlq $0x4,%ymm0,%ymm1" },
    { 64, "c4e2790001", 5, "vpshufb (%rcx),%xmm0,%xmm0" },
    { 64, "c4e27d1cc1", 5, "vpabsb %ymm1,%ymm0" },
    { 64, "c4e37d0fc101", 6, "vpalignr $0x1,%ymm1,%ymm0,%ymm0" },
    { 64, "c4e3f916c001", 6, "vpextrq $0x1,%xmm0,%rax" },
    { 64, "c4e27917c1", 5, "vptest %xmm1,%xmm0" },
    { 64, "c4e270f2c3", 5, "andn %ebx,%ecx,%eax" },
    { 64, "c4e278f3c9", 5, "blsr %ecx,%eax" },
    { 64, "c4e2f2f7c3", 5, "sarx %rcx,%rbx,%rax" },
    { 64, "c4e37bf0c105", 6, "rorx $0x5,%ecx,%eax" },
    { 64, "c4e2fbf6c1", 5, "mulx %rcx,%rax,%rax" },
    { 64, "c5f9d6c1", 4, "vmovq %xmm0,%xmm1" },
    { 64, "c5f96ec0", 4, "vmovd %eax,%xmm0" },
    { 64, "c4e1f97ec0", 5, "vmovq %xmm0,%rax" },
    { 32, "c5f1efc2", 4, "vpxor %xmm2,%xmm1,%xmm0" },
    /* AVX2 and FMA */
    { 64, "c4e27d58c1", 5, "vpbroadcastd %xmm1,%ymm0" },
    { 64, "c4e27d1806", 5, "vbroadcastss (%rsi),%ymm0" },
    { 64, "c4e37d39c101", 6, "vextracti128 $0x1,%ymm0,%xmm1" },
    { 64, "c4e36d38c101", 6, "vinserti128 $0x1,%xmm1,%ymm2,%ymm0" },
    { 64, "c4e3fd00c11b", 6, "vpermq $0x1b,%ymm1,%ymm0" },
    { 64, "c4e37546c220", 6, "vperm2i128 $0x20,%ymm2,%ymm1,%ymm0" },
    { 64, "c4e2f14702", 5, "vpsllvq (%rdx),%xmm1,%xmm0" },
    { 64, "c4e2e9a8c3", 5, "vfmadd213pd %xmm3,%xmm2,%xmm0" },
    { 64, "c4e269b9c3", 5, "vfmadd231ss %xmm3,%xmm2,%xmm0" },
    { 64, "c4e2f9bfc3", 5, "vfnmsub231sd %xmm3,%xmm0,%xmm0" },
    { 64, "c4e27596c3", 5, "vfmaddsub132ps %ymm3,%ymm1,%ymm0" },
    { 64, "0f01fa", 3, "monitorx %rax,%ecx,%edx" },
    { 64, "0f01fb", 3, "mwaitx %eax,%ecx,%ebx" },
    { 64, "0f01fc", 3, "clzero" },
    { 64, "0f78c3", 3, "vmread %rax,%rbx" },
    { 64, "0f7818", 3, "vmread %rbx,(%rax)" },
    { 64, "0f79d8", 3, "vmwrite %rax,%rbx" },
    { 64, "0fc730", 3, "vmptrld (%rax)" },
    { 64, "660fc730", 4, "vmclear (%rax)" },
    { 64, "f30fc730", 4, "vmxon (%rax)" },
    { 64, "0fc738", 3, "vmptrst (%rax)" },
    { 64, "f30fc7f8", 4, "rdpid %rax" },
    { 64, "660fae38", 4, "clflushopt (%rax)" },
    { 64, "660fae30", 4, "clwb (%rax)" },
    { 64, "660faef1", 4, "tpause %ecx" },
    { 64, "f30faef0", 4, "umonitor %rax" },
    { 64, "f20faef1", 4, "umwait %ecx" },
    { 64, "f3480faee8", 5, "incsspq %rax" },
    { 64, "f30faee8", 4, "incsspd %eax" },
    { 64, "f3480f1ec8", 5, "rdsspq %rax" },
    { 64, "f30f01e8", 4, "setssbsy" },
    { 64, "f30f01ea", 4, "saveprevssp" },
    { 32, "0f78c3", 3, "vmread %eax,%ebx" },
    { 32, "f30fc7f8", 4, "rdpid %eax" },
    { 32, "f30faee8", 4, "incsspd %eax" },
    { 64, "8ef0", 2, "mov %eax,%?" },
    { 64, "8c36", 2, "mov %?,(%rsi)" },
    { 32, "8e3d00000000", 6, "mov 0x0,%?" },
    { 64, "dbe0", 2, "fneni(8087 only)" },
    { 64, "dbe4", 2, "fnsetpm(287 only)" },
    { 64, "0f0e", 2, "femms" },
    { 64, "0f0d10", 3, "prefetchwt1 (%rax)" },
    { 64, "0f0d20", 3, "prefetch (%rax)" },
    { 64, "0f1c00", 3, "cldemote (%rax)" },
    { 64, "0f1cc0", 3, "nop %eax" },
    { 64, "660f1c00", 4, "nopw (%rax)" },
    { 64, "0f1c08", 3, "nopl (%rax)" },
};

/* What we print "(bad)", length 1 (objdump knows some of them). */
static const struct {
    int mode;
    const char *hex;
} bad_cases[] = {
    { 64, "d6" },               /* undefined */
    { 64, "0f04" },
    { 64, "0f38c8c1" },         /* sha1nexte: not covered */
    { 64, "660f3acec100" },     /* gf2p8affineqb: not covered */
    { 64, "f30f3800c1" },       /* pshufb has no f3 form */
    { 64, "c4e27d13c0" },       /* vcvtph2ps: not covered */
    { 64, "c4e2f990c1" },       /* gathers: not covered */
    { 64, "c4e3fd02c101" },     /* vpblendd with VEX.W1 */
    { 64, "c5f077" },           /* vzeroupper with vvvv != 1111b */
    { 64, "66c5f1efc2" },       /* a 66 before VEX */
    { 64, "62f17c4828c1" },     /* EVEX (bound in 32-bit) */
    { 64, "06" },               /* push %es: invalid in 64-bit */
    { 64, "27" },               /* daa */
    { 64, "8200ff" },           /* 82: invalid in 64-bit */
    { 64, "8df8" },             /* lea with a register source */
    { 64, "0fc3c0" },           /* movnti with a register */
    { 64, "fe10" },             /* fe /2 */
    { 64, "ff38" },             /* ff /7 */
    { 64, "c60801" },           /* c6 /1 */
    { 64, "d908" },             /* d9 /1 memory */
    { 64, "f30f5400" },         /* andps has no f3 form */
    { 32, "c4c0" },             /* VEX in 32-bit mode too */
    { 64, "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f090" },   /* 16 bytes > 15 */
};

/* Valid instructions cut short: "(bad)", length 1. */
static const struct {
    int mode;
    const char *hex;
} truncated[] = {
    { 64, "48" }, { 64, "488b" }, { 64, "488b05000000" }, { 64, "e8000000" },
    { 64, "0f" }, { 64, "66" }, { 64, "f3" }, { 64, "0f1f4400" },
    { 64, "48b888776655443322" }, { 64, "8b0c" }, { 64, "d9" },
    { 64, "660f3a" }, { 32, "9a785634" }, { 16, "8b1e34" }, { 16, "ea007c00" },
};

static int unhex(const char *hex, uint8_t *b, int max)
{
    int n = 0;

    for (; hex[0] && hex[1] && n < max; hex += 2) {
        unsigned v;
        g_assert_true(sscanf(hex, "%2x", &v) == 1);
        b[n++] = v;
    }
    return n;
}

/* collapse whitespace runs to one blank, trim */
static char *norm(const char *s)
{
    GString *o = g_string_new(NULL);
    bool sp = false;

    for (; *s; s++) {
        if (*s == ' ' || *s == '\t') {
            sp = o->len > 0;
            continue;
        }
        if (sp) {
            g_string_append_c(o, ' ');
            sp = false;
        }
        g_string_append_c(o, *s);
    }
    return g_string_free(o, FALSE);
}

static void test_table(void)
{
    int failed = 0;

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        uint8_t b[16];
        char out[256];
        int n = unhex(cases[i].hex, b, sizeof(b));
        /* exactly-sized heap copy: ASan catches any read past it */
        uint8_t *h = g_memdup2(b, n);
        int l = disas_x86(h, n, 0, cases[i].mode, out, sizeof(out));
        g_autofree char *got = norm(out);
        g_autofree char *want = norm(cases[i].text);

        if (l != cases[i].len || strcmp(got, want)) {
            g_test_message("mode %d %s: want %d '%s', got %d '%s'",
                           cases[i].mode, cases[i].hex, cases[i].len, want,
                           l, got);
            failed++;
        }
        g_free(h);
    }
    g_assert_cmpint(failed, ==, 0);
}

static void test_bad(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        uint8_t b[16];
        char out[64];
        int n = unhex(bad_cases[i].hex, b, sizeof(b));
        int l = disas_x86(b, n, 0, bad_cases[i].mode, out, sizeof(out));

        g_test_message("%s -> %d '%s'", bad_cases[i].hex, l, out);
        g_assert_cmpint(l, ==, 1);
        g_assert_cmpstr(out, ==, "(bad)");
    }
    for (size_t i = 0; i < G_N_ELEMENTS(truncated); i++) {
        uint8_t b[16];
        char out[64];
        int n = unhex(truncated[i].hex, b, sizeof(b));
        uint8_t *h = g_memdup2(b, n);
        int l = disas_x86(h, n, 0, truncated[i].mode, out, sizeof(out));

        g_test_message("%s -> %d '%s'", truncated[i].hex, l, out);
        g_assert_cmpint(l, ==, 1);
        g_assert_cmpstr(out, ==, "(bad)");
        g_free(h);
    }
}

/* Every table case cut to each shorter length never reads past it. */
static void test_truncated_table(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        uint8_t b[16];
        int n = unhex(cases[i].hex, b, sizeof(b));

        for (int cut = 0; cut < n; cut++) {
            char out[256];
            uint8_t *h = g_memdup2(b, cut ? cut : 1);
            int l = disas_x86(h, cut, 0, cases[i].mode, out, sizeof(out));

            g_assert_cmpint(l, <=, cut);
            g_assert_cmpint(l, >=, cut ? 1 : 0);
            g_free(h);
        }
    }
}

static void test_jump_targets(void)
{
    static const uint8_t call[] = { 0xe8, 0xfb, 0xff, 0xff, 0xff };
    static const uint8_t lea[] = { 0x48, 0x8d, 0x3d, 0x00, 0x01, 0x00, 0x00 };
    char out[128];

    /* pc is where the instruction sits: targets are relative to it */
    g_assert_cmpint(disas_x86(call, 5, 0xffffffff81000000ull, 64, out,
                              sizeof(out)), ==, 5);
    g_assert_cmpstr(out, ==, "call   0xffffffff81000000");
    g_assert_cmpint(disas_x86(call, 5, 0x7c00, 32, out, sizeof(out)), ==, 5);
    g_assert_cmpstr(out, ==, "call   0x7c00");
    g_assert_cmpint(disas_x86(lea, 7, 0x1000, 64, out, sizeof(out)), ==, 7);
    g_assert_cmpstr(out, ==, "lea    0x100(%rip),%rdi        # 0x1107");
}

static void test_small_out(void)
{
    static const uint8_t mov[] = { 0x48, 0x8b, 0x05, 0x10, 0, 0, 0 };
    char out[16];

    for (size_t sz = 0; sz <= sizeof(out); sz++) {
        memset(out, 'x', sizeof(out));
        g_assert_cmpint(disas_x86(mov, sizeof(mov), 0, 64, out, sz), ==, 7);
        if (sz) {
            g_assert_cmpint(strlen(out), ==, MIN(sz - 1, 35));
            g_assert_true(!strncmp(out, "mov    0x10(%rip),%rax", sz - 1));
        }
        for (size_t k = sz; k < sizeof(out); k++) {
            g_assert_cmpint(out[k], ==, 'x');   /* nothing past outlen */
        }
    }
    g_assert_cmpint(disas_x86(mov, 0, 0, 64, out, sizeof(out)), ==, 0);
    g_assert_cmpstr(out, ==, "");
}

static void test_fuzz(void)
{
    GRand *r = g_rand_new_with_seed(0x6b766d75);
    int iters = g_test_slow() ? 400000 : 60000;

    for (int i = 0; i < iters; i++) {
        int len = i % 16;
        int mode = (int[]){ 16, 32, 64, 64 }[g_rand_int_range(r, 0, 4)];
        uint8_t *b = g_malloc(len ? len : 1);
        char out[256];

        for (int k = 0; k < len; k++) {
            /* bias towards prefixes and escapes, where the corners are */
            static const uint8_t hot[] = {
                0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x64, 0x48, 0x41, 0x0f,
                0x9b, 0xd9, 0xdf, 0xc4, 0x62, 0x8f };
            b[k] = g_rand_int_range(r, 0, 4) ? g_rand_int_range(r, 0, 256)
                                             : hot[g_rand_int_range(r, 0, 16)];
        }
        int l = disas_x86(b, len, g_rand_int(r), mode, out, sizeof(out));
        g_assert_cmpint(l, <=, len);
        g_assert_cmpint(l, >=, len ? 1 : 0);
        g_assert_cmpint(strlen(out), <, sizeof(out));
        g_free(b);
    }
    g_rand_free(r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/disas/x86/table", test_table);
    g_test_add_func("/disas/x86/bad", test_bad);
    g_test_add_func("/disas/x86/truncated-table", test_truncated_table);
    g_test_add_func("/disas/x86/jump-targets", test_jump_targets);
    g_test_add_func("/disas/x86/small-out", test_small_out);
    g_test_add_func("/disas/x86/fuzz", test_fuzz);
    return g_test_run();
}
