/*
 * vCPU and VM objects, reset/INIT state (SDM Vol. 3A 10.1), and the state
 * accessors that map 1:1 onto the KVM ABI structs (see cpu.h).
 */
#include "target/i386/engine.h"
#include "target/i386/jit.h"
#include "target/i386/tlb.h"
#include "target/i386/fpu-state.h"

/* ---- VM ---- */

X86VM *x86_vm_new(const X86MemOps *ops, void *opaque)
{
    X86VM *vm = g_new0(X86VM, 1);

    vm->tsc_epoch_ns = x86_host_ns();

    x86_decode_init();
    vm->ops = *ops;
    vm->opaque = opaque;
    vm->a20_mask = ~0ULL;
    g_mutex_init(&vm->lock);
    vm->cpus = g_ptr_array_new();
    vm->code_pages = g_hash_table_new(g_direct_hash, g_direct_equal);
    return vm;
}

void x86_vm_free(X86VM *vm)
{
    if (!vm) {
        return;
    }
    g_ptr_array_free(vm->cpus, true);
    for (unsigned i = 0; i < G_N_ELEMENTS(vm->code_bits); i++) {
        g_free(vm->code_bits[i]);
    }
    g_hash_table_destroy(vm->code_pages);
    g_mutex_clear(&vm->lock);
    g_free(vm);
}

void x86_vm_flush(X86VM *vm)
{
    g_mutex_lock(&vm->lock);
    g_hash_table_remove_all(vm->code_pages);
    vm->ncode_pages = 0;
    for (unsigned i = 0; i < G_N_ELEMENTS(vm->code_bits); i++) {
        for (unsigned w = 0; vm->code_bits[i] && w < (1u << 18) / 64; w++) {
            __atomic_store_n(&vm->code_bits[i][w], 0, __ATOMIC_RELAXED);
        }
    }
    __atomic_add_fetch(&vm->flush_gen, 1, __ATOMIC_ACQ_REL);
    g_mutex_unlock(&vm->lock);
}

void x86_vm_flush_tlb(X86VM *vm)
{
    __atomic_add_fetch(&vm->tlb_gen, 1, __ATOMIC_ACQ_REL);
}

void x86_vm_set_a20(X86VM *vm, bool enabled)
{
    uint64_t m = enabled ? ~0ULL : ~(1ULL << 20);

    if (vm->a20_mask != m) {
        vm->a20_mask = m;
        x86_vm_flush(vm);
    }
}

/* ---- vCPU ---- */

static void seg_init(X86Segment *s, uint16_t sel, uint64_t base, uint8_t type)
{
    memset(s, 0, sizeof(*s));
    s->selector = sel;
    s->base = base;
    s->limit = 0xffff;
    s->type = type;
    s->s = 1;
    s->present = 1;
}

void x86_cpu_reset(X86CPU *cpu, bool init_only)
{
    uint32_t sig[4];

    memset(cpu->regs, 0, sizeof(cpu->regs));
    x86_cpuid_lookup(cpu, 1, 0, sig);
    cpu->regs[R_EDX] = sig[0] ? sig[0] : 0x600;
    cpu->rip = 0xfff0;
    x86_set_flags(cpu, 2);
    seg_init(&cpu->seg[SEG_CS], 0xf000, 0xffff0000, 0xb);
    for (int s = SEG_ES; s <= SEG_GS; s++) {
        if (s != SEG_CS) {
            seg_init(&cpu->seg[s], 0, 0, 3);
        }
    }
    seg_init(&cpu->seg[SEG_LDTR], 0, 0, 2);
    cpu->seg[SEG_LDTR].s = 0;
    seg_init(&cpu->seg[SEG_TR], 0, 0, 0xb);
    cpu->seg[SEG_TR].s = 0;
    cpu->gdt.base = cpu->idt.base = 0;
    cpu->gdt.limit = cpu->idt.limit = 0xffff;
    cpu->cr0 = 0x60000010;
    cpu->cr2 = cpu->cr3 = cpu->cr4 = cpu->cr8 = 0;
    cpu->efer = 0;
    cpu->xcr0 = 1;
    memset(cpu->dr, 0, sizeof(cpu->dr));
    cpu->dr[6] = 0xffff0ff0;
    cpu->dr[7] = 0x400;
    cpu->slow_data = 0;
    cpu->dbg_hit = false;
    cpu->cpl = 0;
    cpu->exc.vector = -1;
    cpu->shutdown = false;
    cpu->irq_pending = -1;
    cpu->nmi_pending = false;
    cpu->shadow = 0;
    cpu->rep_mid = false;
    cpu->db_defer = 0;
    cpu->db_task = false;
    cpu->ferr = cpu->ignne = false;
    memset(&cpu->events, 0, sizeof(cpu->events));
    cpu->pending.active = false;
    cpu->io_completed = false;
    cpu->n_mmio_done = 0;
    if (!init_only) {
        cpu->apic_base = 0xfee00000ULL | 0x800 | (cpu->index == 0 ? 0x100 : 0);
        cpu->tsc_aux = 0;
        cpu->star = cpu->lstar = cpu->cstar = cpu->sfmask = 0;
        cpu->kernel_gs_base = 0;
        cpu->amd_hwcr = 0;
        cpu->sysenter_cs = cpu->sysenter_esp = cpu->sysenter_eip = 0;
        cpu->pat = 0x0007040600070406ULL;
        cpu->misc_enable = 1;
        cpu->mtrr_def_type = 0;
        memset(cpu->mtrr_fixed, 0, sizeof(cpu->mtrr_fixed));
        memset(cpu->mtrr_var, 0, sizeof(cpu->mtrr_var));
        cpu->mcg_status = cpu->tsc_adjust = cpu->feature_control = 0;
        x86_fpu_reset(cpu);
    }
    x86_update_modes(cpu);
    x86_tlb_flush(cpu, true);
}

X86CPU *x86_cpu_new(X86VM *vm, uint32_t index)
{
    X86CPU *cpu = g_malloc0(sizeof(X86CPU));
    X86CpuidEntry *e = g_new(X86CpuidEntry, X86_CPUID_MAX_ENTRIES);
    int n;

    cpu->vm = vm;
    cpu->index = index;
    cpu->blocks = g_new0(X86Block *, X86_BLOCK_HASH);
    cpu->page_blocks = g_new0(X86Block *, X86_PAGE_HASH);
    cpu->tmp_block = g_malloc0(sizeof(X86Block) + sizeof(X86Insn));
    cpu->tmp_block->insns = (X86Insn *)(cpu->tmp_block + 1);
    cpu->tsc_khz = 1000000;
    cpu->tsc_offset = -(int64_t)x86_tsc_ticks(cpu, vm->tsc_epoch_ns);
    cpu->exit = &cpu->exit_scratch;
    cpu->host_bp_skip_rip = ~0ULL;
    x86_jit_threshold();
    n = x86_cpuid_model_entries("max", NULL, index, e, X86_CPUID_MAX_ENTRIES);
    x86_cpu_set_cpuid(cpu, e, MIN(n, X86_CPUID_MAX_ENTRIES));
    g_free(e);
    cpu->mp_state = X86_MP_RUNNABLE;
    cpu->flush_gen_seen = __atomic_load_n(&vm->flush_gen, __ATOMIC_ACQUIRE);
    cpu->tlb_gen_seen = __atomic_load_n(&vm->tlb_gen, __ATOMIC_ACQUIRE);
    x86_cpu_reset(cpu, false);
    g_mutex_lock(&vm->lock);
    g_ptr_array_add(vm->cpus, cpu);
    g_mutex_unlock(&vm->lock);
    return cpu;
}

void x86_cpu_free(X86CPU *cpu)
{
    if (!cpu) {
        return;
    }
    g_mutex_lock(&cpu->vm->lock);
    g_ptr_array_remove(cpu->vm->cpus, cpu);
    /* its write-flush requests will never be taken */
    __atomic_sub_fetch(&cpu->vm->wflush_pending,
                       (uint32_t)(__atomic_load_n(&cpu->wflush_seq,
                                                  __ATOMIC_SEQ_CST) -
                                  cpu->wflush_done), __ATOMIC_SEQ_CST);
    g_mutex_unlock(&cpu->vm->lock);
    x86_blocks_flush(cpu);
    x86_blocks_free_dead(cpu);
    g_free(cpu->blocks);
    g_free(cpu->page_blocks);
    g_free(cpu->tmp_block);
    x86_jit_free(cpu);
    x86_tlb_aux_free(cpu);
    g_free(cpu);
}

uint32_t x86_cpu_index(const X86CPU *cpu)
{
    return cpu->index;
}

/* ---- registers ---- */

void x86_cpu_get_regs(X86CPU *cpu, X86Regs *r)
{
    r->rax = cpu->regs[R_EAX];
    r->rbx = cpu->regs[R_EBX];
    r->rcx = cpu->regs[R_ECX];
    r->rdx = cpu->regs[R_EDX];
    r->rsi = cpu->regs[R_ESI];
    r->rdi = cpu->regs[R_EDI];
    r->rsp = cpu->regs[R_ESP];
    r->rbp = cpu->regs[R_EBP];
    memcpy(&r->r8, &cpu->regs[R_R8], 8 * sizeof(uint64_t));
    r->rip = cpu->rip;
    r->rflags = x86_get_flags(cpu);
    if (cpu->rep_mid) {
        /* stopped between two iterations of a REP: RF=1, as a VM exit
         * there saves it (an event delivered now pushes it) */
        r->rflags |= F_RF;
    }
}

void x86_cpu_set_regs(X86CPU *cpu, const X86Regs *r)
{
    cpu->regs[R_EAX] = r->rax;
    cpu->regs[R_EBX] = r->rbx;
    cpu->regs[R_ECX] = r->rcx;
    cpu->regs[R_EDX] = r->rdx;
    cpu->regs[R_ESI] = r->rsi;
    cpu->regs[R_EDI] = r->rdi;
    cpu->regs[R_ESP] = r->rsp;
    cpu->regs[R_EBP] = r->rbp;
    memcpy(&cpu->regs[R_R8], &r->r8, 8 * sizeof(uint64_t));
    if (r->rip != cpu->rip) {
        /* moved elsewhere: the pending IN/MMIO completion is dropped */
        cpu->pending.active = false;
        cpu->n_mmio_done = 0;
        cpu->msr_exit.done = false;
    }
    cpu->rip = r->rip;
    x86_set_flags(cpu, r->rflags);
    x86_update_modes(cpu);
}

void x86_cpu_get_sregs(X86CPU *cpu, X86SRegs *s)
{
    memset(s, 0, sizeof(*s));
    s->es = cpu->seg[SEG_ES];
    s->cs = cpu->seg[SEG_CS];
    s->ss = cpu->seg[SEG_SS];
    s->ds = cpu->seg[SEG_DS];
    s->fs = cpu->seg[SEG_FS];
    s->gs = cpu->seg[SEG_GS];
    s->ldt = cpu->seg[SEG_LDTR];
    s->tr = cpu->seg[SEG_TR];
    s->gdt = cpu->gdt;
    s->idt = cpu->idt;
    s->cr0 = cpu->cr0;
    s->cr2 = cpu->cr2;
    s->cr3 = cpu->cr3;
    s->cr4 = cpu->cr4;
    s->cr8 = cpu->cr8;
    s->efer = cpu->efer;
    s->apic_base = cpu->apic_base;
    if (cpu->irq_pending >= 0) {
        s->interrupt_bitmap[cpu->irq_pending / 64] |=
            1ULL << (cpu->irq_pending % 64);
    }
}

bool x86_cpu_set_sregs(X86CPU *cpu, const X86SRegs *s)
{
    if ((s->efer & EFER_LMA) && (!(s->cr4 & CR4_PAE) ||
                                 !(s->cr0 & CR0_PG))) {
        return false;
    }
    if ((s->cr0 & CR0_PG) && !(s->cr0 & CR0_PE)) {
        return false;
    }
    cpu->seg[SEG_ES] = s->es;
    cpu->seg[SEG_CS] = s->cs;
    cpu->seg[SEG_SS] = s->ss;
    cpu->seg[SEG_DS] = s->ds;
    cpu->seg[SEG_FS] = s->fs;
    cpu->seg[SEG_GS] = s->gs;
    cpu->seg[SEG_LDTR] = s->ldt;
    cpu->seg[SEG_TR] = s->tr;
    cpu->gdt = s->gdt;
    cpu->idt = s->idt;
    cpu->cr0 = s->cr0;
    cpu->cr2 = s->cr2;
    cpu->cr3 = s->cr3;
    cpu->cr4 = s->cr4;
    cpu->cr8 = s->cr8 & 0xf;
    cpu->efer = s->efer;
    cpu->apic_base = s->apic_base;
    cpu->cpl = (s->cr0 & CR0_PE) ? s->ss.dpl : 0;
    if ((s->cr0 & CR0_PE) && (cpu->eflags & F_VM)) {
        cpu->cpl = 3;
    }
    for (int i = 0; i < X86_NR_INTERRUPTS; i++) {
        if (s->interrupt_bitmap[i / 64] & (1ULL << (i % 64))) {
            cpu->irq_pending = i;
            break;
        }
    }
    x86_update_modes(cpu);
    x86_tlb_flush(cpu, true);
    return true;
}

/* ---- FPU / XSAVE ---- */

/* One conversion for KVM_GET/SET_FPU and the XSAVE legacy area: the
 * FPU/SSE code's FXSAVE image helpers (fpu-state.h). */
void x86_cpu_get_fpu(X86CPU *cpu, X86FPU *f)
{
    uint8_t fx[512];

    fpu_state_to_fx(&cpu->fpu, fx, true);
    memset(f, 0, sizeof(*f));
    for (int i = 0; i < 8; i++) {
        memcpy(f->fpr[i], fx + 32 + i * 16, 16);
    }
    memcpy(&f->fcw, fx + 0, 2);
    memcpy(&f->fsw, fx + 2, 2);
    f->ftwx = fx[4];
    memcpy(&f->last_opcode, fx + 6, 2);
    memcpy(&f->last_ip, fx + 8, 8);
    memcpy(&f->last_dp, fx + 16, 8);
    memcpy(&f->mxcsr, fx + 24, 4);
    memcpy(f->xmm, fx + 160, 256);
}

void x86_cpu_set_fpu(X86CPU *cpu, const X86FPU *f)
{
    uint8_t fx[512];

    memset(fx, 0, sizeof(fx));
    memcpy(fx + 0, &f->fcw, 2);
    memcpy(fx + 2, &f->fsw, 2);
    fx[4] = f->ftwx;
    memcpy(fx + 6, &f->last_opcode, 2);
    memcpy(fx + 8, &f->last_ip, 8);
    memcpy(fx + 16, &f->last_dp, 8);
    for (int i = 0; i < 8; i++) {
        memcpy(fx + 32 + i * 16, f->fpr[i], 16);
    }
    fpu_state_from_fx_x87(&cpu->fpu, fx, true);
    memcpy(cpu->fpu.xmm, f->xmm, sizeof(cpu->fpu.xmm));
    cpu->fpu.mxcsr = f->mxcsr & 0xffff;
}

#define MXCSR_MASK 0xffff

void x86_cpu_get_xsave(X86CPU *cpu, X86XSave *x)
{
    uint8_t *b = (uint8_t *)x->region;
    uint64_t bv = 3;

    memset(x, 0, sizeof(*x));
    fpu_state_to_fx(&cpu->fpu, b, true);
    memcpy(b + 512, &bv, 8);
}

bool x86_cpu_set_xsave(X86CPU *cpu, const X86XSave *x)
{
    const uint8_t *b = (const uint8_t *)x->region;
    uint64_t bv, comp;
    uint32_t mxcsr;

    memcpy(&bv, b + 512, 8);
    memcpy(&comp, b + 520, 8);
    memcpy(&mxcsr, b + 24, 4);
    if ((bv & ~3ULL) || comp || (mxcsr & ~MXCSR_MASK)) {
        return false;
    }
    if (bv & 1) {
        fpu_state_from_fx_x87(&cpu->fpu, b, true);
    } else {
        uint8_t init[512];
        uint16_t fcw = 0x37f;
        memset(init, 0, sizeof(init));
        memcpy(init, &fcw, 2);
        fpu_state_from_fx_x87(&cpu->fpu, init, true);
    }
    if (bv & 2) {
        memcpy(cpu->fpu.xmm, b + 160, 256);
    } else {
        memset(cpu->fpu.xmm, 0, sizeof(cpu->fpu.xmm));
    }
    cpu->fpu.mxcsr = mxcsr;
    return true;
}

uint64_t x86_cpu_get_xcr0(X86CPU *cpu)
{
    return cpu->xcr0;
}

bool x86_cpu_set_xcr0(X86CPU *cpu, uint64_t xcr0)
{
    if (!(xcr0 & 1) || (xcr0 & ~3ULL)) {
        return false;
    }
    cpu->xcr0 = xcr0;
    return true;
}

/* ---- debug registers, events, MP state ---- */

void x86_cpu_get_debugregs(X86CPU *cpu, X86DebugRegs *d)
{
    memset(d, 0, sizeof(*d));
    memcpy(d->db, cpu->dr, 4 * sizeof(uint64_t));
    d->dr6 = cpu->dr[6];
    d->dr7 = cpu->dr[7];
}

void x86_cpu_set_debugregs(X86CPU *cpu, const X86DebugRegs *d)
{
    memcpy(cpu->dr, d->db, 4 * sizeof(uint64_t));
    cpu->dr[6] = d->dr6;
    cpu->dr[7] = d->dr7;
    x86_dbg_update(cpu);
}

void x86_cpu_get_events(X86CPU *cpu, X86Events *ev)
{
    *ev = cpu->events;
    ev->exception.injected = false;
    ev->exception.pending = false;
    ev->interrupt.injected = cpu->irq_pending >= 0;
    ev->interrupt.nr = cpu->irq_pending >= 0 ? cpu->irq_pending : 0;
    ev->interrupt.soft = false;
    ev->interrupt.shadow = cpu->shadow;
    ev->nmi.pending = cpu->nmi_pending;
    ev->nmi.injected = false;
    if (cpu->db_defer || cpu->db_task) {
        /* #DB traps held back by MOV SS or a T=1 task switch: a pending
         * #DB with its DR6 bits in DR6 (as KVM without
         * KVM_CAP_EXCEPTION_PAYLOAD); x86_cpu_set_events delivers it at
         * the next boundary (a MOV SS-held one one instruction early) */
        if (cpu->db_defer & 0x4000) {
            cpu->dr[6] |= 0x4000;
        }
        ev->exception.pending = true;
        ev->exception.nr = EXC_DB;
        ev->exception.has_error_code = false;
        ev->exception.error_code = 0;
    }
}

void x86_cpu_set_events(X86CPU *cpu, const X86Events *ev)
{
    cpu->events = *ev;
    cpu->irq_pending = ev->interrupt.injected ? ev->interrupt.nr : -1;
    cpu->shadow = ev->interrupt.shadow & 3;
    cpu->nmi_pending = ev->nmi.pending || ev->nmi.injected;
    cpu->db_defer = 0;                  /* reported as a pending #DB */
    cpu->db_task = false;
    cpu->dbg_hit = false;
    if (ev->exception.injected || ev->exception.pending) {
        /* re-deliver at the next boundary */
        cpu->exc.vector = ev->exception.nr;
        cpu->exc.has_error_code = ev->exception.has_error_code;
        cpu->exc.error_code = ev->exception.error_code;
        cpu->exc.soft = false;
        cpu->exc.trap = false;
    }
}

X86MPState x86_cpu_get_mp_state(X86CPU *cpu)
{
    return cpu->mp_state;
}

void x86_cpu_set_mp_state(X86CPU *cpu, X86MPState state)
{
    cpu->mp_state = state;
}

void x86_cpu_deliver_init(X86CPU *cpu)
{
    x86_cpu_reset(cpu, true);
    cpu->mp_state = cpu->index == 0 ? X86_MP_RUNNABLE : X86_MP_INIT_RECEIVED;
}

void x86_cpu_deliver_sipi(X86CPU *cpu, uint8_t vector)
{
    if (cpu->mp_state == X86_MP_INIT_RECEIVED) {
        cpu->events.sipi_vector = vector;
        cpu->mp_state = X86_MP_SIPI_RECEIVED;
    }
}

void x86_cpu_set_guest_debug(X86CPU *cpu, bool enable, bool single_step)
{
    x86_cpu_set_guest_debug_ex(cpu, (enable ? X86_GUESTDBG_ENABLE : 0) |
                               (single_step ? X86_GUESTDBG_SINGLESTEP : 0),
                               NULL);
}

void x86_cpu_set_guest_debug_ex(X86CPU *cpu, uint32_t kvm_control,
                                const uint64_t debugreg[8])
{
    bool enable = kvm_control & X86_GUESTDBG_ENABLE;

    cpu->guest_debug = enable;
    cpu->guest_single_step = enable &&
                             (kvm_control & X86_GUESTDBG_SINGLESTEP);
    cpu->gdbg_control = enable ? kvm_control : 0;
    if (!debugreg) {
        cpu->gdbg_control &= ~X86_GUESTDBG_USE_HW_BP;
    } else {
        memcpy(cpu->gdbg_dr, debugreg, sizeof(cpu->gdbg_dr));
    }
    cpu->host_bp_skip_rip = ~0ULL;
    if (enable && (kvm_control & (X86_GUESTDBG_INJECT_DB |
                                  X86_GUESTDBG_INJECT_BP))) {
        cpu->exc.vector = (kvm_control & X86_GUESTDBG_INJECT_DB) ? EXC_DB
                                                                : EXC_BP;
        cpu->exc.has_error_code = false;
        cpu->exc.error_code = 0;
        cpu->exc.soft = false;
        cpu->exc.trap = false;
    }
    x86_dbg_update(cpu);
}

void x86_cpu_set_time_slice(X86CPU *cpu, uint32_t blocks)
{
    cpu->time_slice = blocks;
}

uint64_t x86_cpu_insns_retired(X86CPU *cpu)
{
    return cpu->insns_retired;
}

void x86_cpu_set_tsc_khz(X86CPU *cpu, uint32_t khz)
{
    /* Every vCPU of a VM counts from the VM's creation at its rate, so
     * vCPUs at the same rate read the same TSC at the same instant (KVM
     * matches the TSCs of vCPUs set up together). Keeping each vCPU's TSC
     * continuous across the change skewed the vCPUs by (new - old rate) x
     * the time between their changes, and re-reading the clock moved it
     * back a little more each call: Linux saw warps between CPUs and
     * marked the TSC unstable (check_tsc_sync_source, test_smp). */
    cpu->tsc_khz = khz ? khz : 1;
    cpu->tsc_offset = -(int64_t)x86_tsc_ticks(cpu, cpu->vm->tsc_epoch_ns);
}

uint32_t x86_cpu_get_tsc_khz(X86CPU *cpu)
{
    return cpu->tsc_khz;
}

void x86_cpu_set_tsc_offset(X86CPU *cpu, int64_t offset)
{
    cpu->tsc_offset = offset;
}
