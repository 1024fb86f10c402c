/*
 * Shared scaffolding of the engine tests: see engine-env.h.
 */
#include <string.h>

#include "engine-env.h"

static void *env_map(void *opaque, uint64_t gpa, bool write)
{
    Env *e = opaque;

    if (write && gpa == 0x500000) {
        e->write_maps++;
    }
    return gpa < RAM_SIZE ? e->ram + gpa : NULL;
}

static void env_ferr(void *opaque, X86CPU *cpu, bool asserted)
{
    Env *e = opaque;

    (void)cpu;
    e->ferr_calls++;
    e->ferr = asserted;
}

static Env *env_create(bool ferr)
{
    Env *e = g_new0(Env, 1);
    X86MemOps ops = { .map_page = env_map };

    if (ferr) {
        ops.ferr = env_ferr;
    }
    e->ram = g_malloc0(RAM_SIZE);
    e->vm = x86_vm_new(&ops, e);
    e->cpu = x86_cpu_new(e->vm, 0);
    return e;
}

Env *env_new(void)
{
    return env_create(false);
}

Env *env_new_ferr(void)
{
    return env_create(true);
}

void env_free(Env *e)
{
    x86_cpu_free(e->cpu);
    x86_vm_free(e->vm);
    g_free(e->ram);
    g_free(e);
}

void put64(Env *e, uint64_t a, uint64_t v)
{
    memcpy(e->ram + a, &v, 8);
}

void put32(Env *e, uint64_t a, uint32_t v)
{
    memcpy(e->ram + a, &v, 4);
}

uint64_t get64(Env *e, uint64_t a)
{
    uint64_t v;

    memcpy(&v, e->ram + a, 8);
    return v;
}

void seg(X86Segment *s, uint16_t sel, bool code, bool l, int dpl)
{
    memset(s, 0, sizeof(*s));
    s->selector = sel;
    s->limit = 0xffffffff;
    s->type = code ? 0xb : 0x3;
    s->s = 1;
    s->dpl = dpl;
    s->present = 1;
    s->l = l;
    s->db = !l;
    s->g = 1;
}

void set_gate(Env *e, int vec, uint64_t off, int dpl)
{
    uint64_t lo = (off & 0xffff) | (0x10ULL << 16) | (0xeULL << 40) |
                  ((uint64_t)dpl << 45) | (1ULL << 47) |
                  ((off >> 16 & 0xffff) << 48);

    put64(e, IDT + vec * 16, lo);
    put64(e, IDT + vec * 16 + 8, off >> 32);
}

void env_setup_long(Env *e)
{
    X86SRegs s;
    X86Regs r;

    put64(e, GDT + 0x08, 0x00cf9a000000ffffULL);
    put64(e, GDT + 0x10, 0x00af9a000000ffffULL);
    put64(e, GDT + 0x18, 0x00cf92000000ffffULL);
    put64(e, GDT + 0x20, 0x00cffa000000ffffULL);
    put64(e, GDT + 0x28, 0x00cff2000000ffffULL);
    put64(e, GDT + 0x30, 0x00affa000000ffffULL);
    put64(e, GDT + 0x40, 0x67 | ((uint64_t)TSS << 16) | (0x8bULL << 40));
    put64(e, GDT + 0x48, 0);
    put64(e, TSS + 4, 0x9000);                      /* RSP0 */
    put64(e, 0x10000, 0x11000 | 7);
    put64(e, 0x11000, 0x12000 | 7);
    for (int i = 0; i < 8; i++) {
        put64(e, 0x12000 + i * 8, ((uint64_t)i << 21) | 0x87);
    }
    put64(e, 0x12000 + 4 * 8, (4ULL << 21) | 0x85);  /* read-only */
    put64(e, 0x12000 + 128 * 8, 0x10000000ULL | 0x87);

    x86_cpu_get_sregs(e->cpu, &s);
    seg(&s.cs, 0x10, true, true, 0);
    seg(&s.ss, 0x18, false, false, 0);
    s.ds = s.es = s.fs = s.gs = s.ss;
    memset(&s.tr, 0, sizeof(s.tr));
    s.tr.selector = 0x40;
    s.tr.base = TSS;
    s.tr.limit = 0x67;
    s.tr.type = 0xb;
    s.tr.present = 1;
    s.gdt.base = GDT;
    s.gdt.limit = 0x4f;
    s.idt.base = IDT;
    s.idt.limit = 0xfff;
    s.cr0 = 0x80010031;                             /* PG WP NE ET PE */
    s.cr3 = 0x10000;
    s.cr4 = 0x20;
    s.efer = 0xd01;                                 /* NXE LMA LME SCE */
    g_assert_true(x86_cpu_set_sregs(e->cpu, &s));
    memset(&r, 0, sizeof(r));
    r.rflags = 2;
    r.rsp = 0x8000;
    x86_cpu_set_regs(e->cpu, &r);
}

void set_rip(Env *e, uint64_t rip)
{
    X86Regs r;

    x86_cpu_get_regs(e->cpu, &r);
    r.rip = rip;
    x86_cpu_set_regs(e->cpu, &r);
}

X86Regs run_expect(Env *e, X86ExitReason want, X86Exit *ex)
{
    X86Regs r;

    g_assert_cmpint(x86_cpu_run(e->cpu, ex), ==, 0);
    x86_cpu_get_regs(e->cpu, &r);
    if (ex->reason != want) {
        g_test_message("exit %d (want %d) at rip %#llx", ex->reason, want,
                       (unsigned long long)r.rip);
        if (ex->reason == X86_EXIT_SHUTDOWN) {
            g_test_message("shutdown after exception %u",
                           ex->shutdown.last_exception);
        }
    }
    g_assert_cmpint(ex->reason, ==, want);
    return r;
}
