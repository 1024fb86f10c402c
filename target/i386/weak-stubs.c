/*
 * Weak defaults for the x87/SSE entry points the FPU/SSE engineer
 * implements (fpu*.c, sse*.c, x87*.c). Until their strong definitions are
 * linked in, x87 and SIMD opcodes raise #UD. The engine library is linked
 * whole (meson link_whole), so a strong definition always wins.
 */
#include "target/i386/internal.h"

__attribute__((weak)) int x86_x87_exec(X86CPU *cpu, const X86Insn *insn)
{
    return x86_ud(cpu);
}

__attribute__((weak)) int x86_sse_exec(X86CPU *cpu, const X86Insn *insn)
{
    return x86_ud(cpu);
}

__attribute__((weak)) void x86_fpu_reset(X86CPU *cpu)
{
    memset(&cpu->fpu, 0, sizeof(cpu->fpu));
    cpu->fpu.fcw = 0x37f;
    cpu->fpu.mxcsr = 0x1f80;
}
