/*
 * A private VM for the differential tests: 4 MiB of RAM identity-mapped
 * with 2 MiB pages, one vCPU in 64-bit mode at CPL 0, no IDT (see cpu.h).
 */
#include "target/i386/engine.h"

#define SB_RAM (4u << 20)
#define SB_PML4 0x1000
#define SB_PDPT 0x2000
#define SB_PD   0x3000

struct X86Sandbox {
    X86VM *vm;
    X86CPU *cpu;
    uint8_t *ram;
};

static void *sb_map(void *opaque, uint64_t gpa, bool write)
{
    X86Sandbox *sb = opaque;

    return gpa < SB_RAM ? sb->ram + gpa : NULL;
}

static void flat(X86Segment *s, uint16_t sel, bool code)
{
    memset(s, 0, sizeof(*s));
    s->selector = sel;
    s->limit = 0xffffffff;
    s->type = code ? 0xb : 0x3;
    s->s = 1;
    s->present = 1;
    s->l = code;
    s->db = !code;
    s->g = 1;
}

X86Sandbox *x86_sandbox_new(void)
{
    X86Sandbox *sb = g_new0(X86Sandbox, 1);
    X86MemOps ops = { .map_page = sb_map };
    X86SRegs s;
    X86Regs r;
    uint64_t e;

    sb->ram = g_malloc0(SB_RAM);
    sb->vm = x86_vm_new(&ops, sb);
    sb->cpu = x86_cpu_new(sb->vm, 0);
    e = SB_PDPT | 3;
    memcpy(sb->ram + SB_PML4, &e, 8);
    e = SB_PD | 3;
    memcpy(sb->ram + SB_PDPT, &e, 8);
    for (int i = 0; i < 2; i++) {
        e = ((uint64_t)i << 21) | 0x83;         /* P RW PS */
        memcpy(sb->ram + SB_PD + i * 8, &e, 8);
    }
    x86_cpu_get_sregs(sb->cpu, &s);
    flat(&s.cs, 8, true);
    flat(&s.ds, 16, false);
    s.es = s.ss = s.fs = s.gs = s.ds;
    s.idt.base = 0;
    s.idt.limit = 0;
    s.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_PG;
    s.cr3 = SB_PML4;
    s.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    s.efer = EFER_LME | EFER_LMA | EFER_NXE | EFER_SCE;
    x86_cpu_set_sregs(sb->cpu, &s);
    memset(&r, 0, sizeof(r));
    r.rflags = 2;
    r.rsp = X86_SANDBOX_STACK;
    r.rip = X86_SANDBOX_CODE;
    x86_cpu_set_regs(sb->cpu, &r);
    return sb;
}

void x86_sandbox_free(X86Sandbox *sb)
{
    if (!sb) {
        return;
    }
    x86_cpu_free(sb->cpu);
    x86_vm_free(sb->vm);
    g_free(sb->ram);
    g_free(sb);
}

X86CPU *x86_sandbox_cpu(X86Sandbox *sb)
{
    return sb->cpu;
}

uint8_t *x86_sandbox_mem(X86Sandbox *sb, uint64_t gpa, size_t len)
{
    if (gpa >= SB_RAM || len > SB_RAM - gpa) {
        return NULL;
    }
    return sb->ram + gpa;
}

int x86_sandbox_run(X86Sandbox *sb, const uint8_t *code, size_t len,
                    X86Exit *exit)
{
    X86Exit local;
    X86Regs r;

    if (!exit) {
        exit = &local;
    }
    if (len > (1u << 20) - 1) {
        return -1;
    }
    memcpy(sb->ram + X86_SANDBOX_CODE, code, len);
    sb->ram[X86_SANDBOX_CODE + len] = 0xf4;
    x86_vm_notify_write(sb->vm, X86_SANDBOX_CODE, len + 1);
    x86_cpu_get_regs(sb->cpu, &r);
    r.rip = X86_SANDBOX_CODE;
    x86_cpu_set_regs(sb->cpu, &r);
    for (int guard = 0; guard < 1000000; guard++) {
        if (x86_cpu_run(sb->cpu, exit) < 0) {
            return -1;
        }
        if (exit->reason == X86_EXIT_HLT) {
            return 0;
        }
        if (exit->reason != X86_EXIT_KICKED) {
            return exit->reason;
        }
    }
    return -1;
}
