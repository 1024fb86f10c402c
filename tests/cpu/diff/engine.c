/*
 * Differential harness: the engine side.  Runs a case in kvmu's software
 * CPU through the sandbox helper of include/target/i386/cpu.h (64-bit
 * mode, CPL 0, identity-mapped RAM, no IDT: an exception ends the run as
 * a shutdown carrying the vector), with the same code, data and stack
 * addresses as the native run.
 *
 * The sandbox functions are referenced weakly so that the harness still
 * builds (native self-check only) while the engine lacks them.  A watchdog
 * thread kicks the vCPU if one case runs for more than two seconds.
 */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "diff.h"
#include "legacy32.h"
#include "target/i386/cpu.h"

#pragma weak x86_sandbox_new
#pragma weak x86_sandbox_free
#pragma weak x86_sandbox_cpu
#pragma weak x86_sandbox_mem
#pragma weak x86_sandbox_run
#pragma weak x86_cpu_get_regs
#pragma weak x86_cpu_set_regs
#pragma weak x86_cpu_get_fpu
#pragma weak x86_cpu_set_fpu
#pragma weak x86_cpu_kick
#pragma weak x86_cpu_get_sregs
#pragma weak x86_cpu_set_sregs
#pragma weak x86_cpu_set_xcr0

static X86Sandbox *sb;
static X86CPU *cpu;
static GThread *watchdog;
static gint running_gen;        /* bumped per case; 0 = idle */
static gint stop;

bool diff_engine_available(void)
{
    return x86_sandbox_new && x86_sandbox_run && x86_cpu_set_fpu &&
           x86_cpu_kick;
}

static gpointer watchdog_main(gpointer arg)
{
    gint last = 0;

    while (!g_atomic_int_get(&stop)) {
        gint now;

        g_usleep(2 * G_USEC_PER_SEC);
        now = g_atomic_int_get(&running_gen);
        if (now && now == last) {
            x86_cpu_kick(cpu);
        }
        last = now;
    }
    return NULL;
}

bool diff_engine_init(void)
{
    sb = x86_sandbox_new();
    if (!sb) {
        return false;
    }
    cpu = x86_sandbox_cpu(sb);
    if (!x86_sandbox_mem(sb, DIFF_DATA_ADDR, DIFF_DATA_SIZE) ||
        !x86_sandbox_mem(sb, DIFF_STACK_ADDR, DIFF_STACK_SIZE)) {
        fprintf(stderr, "cpu-diff: sandbox RAM does not cover the data and "
                "stack addresses\n");
        return false;
    }
    {
        /* XSAVE as the host kernel enables it (x87 and SSE components) */
        X86SRegs sregs;

        x86_cpu_get_sregs(cpu, &sregs);
        sregs.cr4 |= 1u << 18;                      /* CR4.OSXSAVE */
        if (!x86_cpu_set_sregs(cpu, &sregs) || !x86_cpu_set_xcr0(cpu, 3)) {
            fprintf(stderr, "cpu-diff: cannot enable XSAVE in the "
                    "sandbox\n");
        }
    }
    watchdog = g_thread_new("cpu-diff-watchdog", watchdog_main, NULL);
    return true;
}

void diff_engine_fini(void)
{
    g_atomic_int_set(&stop, 1);
    if (watchdog) {
        g_thread_join(watchdog);
    }
    x86_sandbox_free(sb);
}

/* hardware order (diff.h) <-> struct kvm_regs order */
static uint64_t *reg_slot(X86Regs *r, int i)
{
    uint64_t *slots[16] = {
        &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi,
        &r->rdi, &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13,
        &r->r14, &r->r15,
    };
    return slots[i];
}

static bool run_compat32;

void diff_engine_run_compat32(const DiffCase *c, DiffState *out)
{
    X86SRegs s, save;

    x86_cpu_get_sregs(cpu, &save);
    s = save;
    s.cs.l = 0;
    s.cs.db = 1;
    if (!x86_cpu_set_sregs(cpu, &s)) {
        *out = c->in;
        out->vector = 2000;
        return;
    }
    run_compat32 = true;
    diff_engine_run(c, out);
    run_compat32 = false;
    x86_cpu_set_sregs(cpu, &save);
}

void diff_engine_run(const DiffCase *c, DiffState *out)
{
    static gint gen;
    X86Regs regs;
    X86FPU fpu;
    X86Exit ex;
    int rc;

    *out = c->in;
    memcpy(x86_sandbox_mem(sb, DIFF_DATA_ADDR, DIFF_DATA_SIZE), c->in.data,
           DIFF_DATA_SIZE);
    memcpy(x86_sandbox_mem(sb, DIFF_STACK_ADDR, DIFF_STACK_SIZE),
           c->in.stack, DIFF_STACK_SIZE);

    memset(&regs, 0, sizeof(regs));
    for (int i = 0; i < 16; i++) {
        *reg_slot(&regs, i) = c->in.gpr[i];
    }
    regs.rflags = (c->in.rflags & FL_ALL) | 2;
    regs.rip = DIFF_CODE_ADDR;
    x86_cpu_set_regs(cpu, &regs);

    memset(&fpu, 0, sizeof(fpu));
    memcpy(fpu.fpr, c->in.fx.st, sizeof(fpu.fpr));
    fpu.fcw = c->in.fx.fcw;
    fpu.fsw = c->in.fx.fsw;
    fpu.ftwx = c->in.fx.ftw;
    memcpy(fpu.xmm, c->in.fx.xmm, sizeof(fpu.xmm));
    fpu.mxcsr = c->in.fx.mxcsr;
    x86_cpu_set_fpu(cpu, &fpu);

    gen = gen + 1 ? gen + 1 : 1;
    g_atomic_int_set(&running_gen, gen);
    memset(&ex, 0, sizeof(ex));
    rc = x86_sandbox_run(sb, c->code, c->code_len, &ex);
    g_atomic_int_set(&running_gen, 0);

    x86_cpu_get_regs(cpu, &regs);
    for (int i = 0; i < 16; i++) {
        out->gpr[i] = *reg_slot(&regs, i);
    }
    out->rflags = regs.rflags & (FL_ALL | 2);
    if (rc == 0) {
        out->vector = -1;
        out->rip = regs.rip - 1;        /* past the HLT */
    } else if (rc == X86_EXIT_SHUTDOWN) {
        out->vector = (int32_t)ex.shutdown.last_exception;
        out->rip = regs.rip;
    } else {
        /* anything else is a mismatch: report it as a pseudo-vector */
        out->vector = 1000 + rc;
        out->rip = regs.rip;
        if (rc == X86_EXIT_INTERNAL_ERROR) {
            printf("cpu-diff: engine internal error at %llx: %s\n",
                   (unsigned long long)ex.internal.rip, ex.internal.msg);
        }
    }

    x86_cpu_get_fpu(cpu, &fpu);
    memcpy(out->fx.st, fpu.fpr, sizeof(fpu.fpr));
    out->fx.fcw = fpu.fcw;
    out->fx.fsw = fpu.fsw;
    out->fx.ftw = fpu.ftwx;
    memcpy(out->fx.xmm, fpu.xmm, sizeof(fpu.xmm));
    out->fx.mxcsr = fpu.mxcsr;
    out->error_code = 0;

    memcpy(out->data, x86_sandbox_mem(sb, DIFF_DATA_ADDR, DIFF_DATA_SIZE),
           DIFF_DATA_SIZE);
    memcpy(out->stack, x86_sandbox_mem(sb, DIFF_STACK_ADDR, DIFF_STACK_SIZE),
           DIFF_STACK_SIZE);
}

unsigned diff_engine_legacy32(uint64_t seed, unsigned per_form,
                              unsigned *fails, unsigned *xfails)
{
    return diff_legacy32_run(sb, seed, per_form, fails, xfails);
}
