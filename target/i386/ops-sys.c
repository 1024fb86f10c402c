/*
 * System instructions: descriptor tables (group 6/7), control and debug
 * registers, MSRs, CPUID, TSC, HLT, SYSCALL/SYSRET, SYSENTER/SYSEXIT,
 * fences and group 9/15, and the gates into the x87/SSE handlers.
 */
#include "target/i386/engine.h"

static bool pm(X86CPU *cpu)
{
    return (cpu->cr0 & CR0_PE) && !(cpu->eflags & F_VM);
}

/* ---- control registers ---- */

bool x86_set_cr0(X86CPU *cpu, uint64_t v)
{
    uint64_t old = cpu->cr0;

    v |= CR0_ET;
    if (v >> 32) {
        return false;
    }
    if ((v & CR0_PG) && !(v & CR0_PE)) {
        return false;
    }
    if ((v & CR0_NW) && !(v & CR0_CD)) {
        return false;
    }
    if ((v & CR0_PG) && !(old & CR0_PG) && (cpu->efer & EFER_LME)) {
        if (!(cpu->cr4 & CR4_PAE) || cpu->seg[SEG_CS].l) {
            return false;
        }
        cpu->efer |= EFER_LMA;
    }
    if (!(v & CR0_PG) && (old & CR0_PG) && (cpu->efer & EFER_LMA)) {
        if (cpu->code64) {
            return false;
        }
        cpu->efer &= ~(uint64_t)EFER_LMA;
    }
    cpu->cr0 = v;
    if ((old ^ v) & (CR0_PG | CR0_WP | CR0_PE)) {
        x86_tlb_flush(cpu, true);
    }
    x86_update_modes(cpu);
    return true;
}

bool x86_set_cr3(X86CPU *cpu, uint64_t v)
{
    if ((cpu->efer & EFER_LMA) && (v >> 52)) {
        return false;
    }
    cpu->cr3 = (cpu->efer & EFER_LMA) ? v : (uint32_t)v;
    x86_tlb_flush(cpu, false);
    return true;
}

static uint64_t cr4_valid_mask(X86CPU *cpu)
{
    /* VME/PVI are not advertised (CPUID.1:EDX.VME = 0) */
    uint64_t m = CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_MCE | CR4_PGE |
                 CR4_PCE | CR4_OSFXSR | CR4_OSXMMEXCPT;

    if (cpu->feat_1_ecx & CPUID_1_ECX_XSAVE) {
        m |= CR4_OSXSAVE;
    }
    if (cpu->feat_7_ebx & CPUID_7_EBX_FSGSBASE) {
        m |= CR4_FSGSBASE;
    }
    if (cpu->feat_7_ebx & CPUID_7_EBX_SMEP) {
        m |= CR4_SMEP;
    }
    if (cpu->feat_7_ebx & CPUID_7_EBX_SMAP) {
        m |= CR4_SMAP;
    }
    return m;
}

bool x86_set_cr4(X86CPU *cpu, uint64_t v)
{
    uint64_t old = cpu->cr4;

    if (v & ~cr4_valid_mask(cpu)) {
        return false;
    }
    if ((cpu->efer & EFER_LMA) && !(v & CR4_PAE)) {
        return false;
    }
    cpu->cr4 = v;
    if ((old ^ v) & (CR4_PGE | CR4_PAE | CR4_PSE | CR4_SMEP | CR4_SMAP)) {
        x86_tlb_flush(cpu, true);
    }
    x86_update_mmu_idx(cpu);
    return true;
}

bool x86_set_efer(X86CPU *cpu, uint64_t v)
{
    uint64_t valid = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;

    if (v & ~valid) {
        return false;
    }
    if ((cpu->cr0 & CR0_PG) && ((v ^ cpu->efer) & EFER_LME)) {
        return false;
    }
    /* LMA is read-only for the guest */
    v = (v & ~(uint64_t)EFER_LMA) | (cpu->efer & EFER_LMA);
    if ((v ^ cpu->efer) & EFER_NXE) {
        x86_tlb_flush(cpu, true);
    }
    cpu->efer = v;
    x86_update_modes(cpu);
    return true;
}

int op_mov_crdr(X86CPU *cpu, const X86Insn *insn)
{
    bool to = insn->opcode & 2, dr = insn->opcode & 1;
    unsigned n = insn->reg, size = cpu->code64 ? 8 : 4;
    uint64_t v = cpu->regs[insn->rm] & x86_mask(size);

    if (cpu->cpl != 0 || (cpu->eflags & F_VM)) {
        return x86_gp0(cpu);
    }
    if (dr) {
        if (n > 7) {
            return x86_ud(cpu);
        }
        if (n == 4 || n == 5) {
            if (cpu->cr4 & CR4_DE) {
                return x86_ud(cpu);
            }
            n += 2;
        }
        if (cpu->dr[7] & 0x2000) {
            /* DR7.GD (SDM Vol. 3B 17.2.4): #DB fault before the access,
             * DR6.BD set; entering the handler clears GD */
            cpu->dr[6] |= 0x2000;
            cpu->dr[7] &= ~0x2000ULL;
            return x86_raise(cpu, EXC_DB);
        }
        if (!to) {
            uint64_t r = cpu->dr[n];
            if (n == 6) {
                r |= 0xffff0ff0;
            } else if (n == 7) {
                r |= 0x400;
            }
            cpu->regs[insn->rm] = r & x86_mask(size);
            return X86_NEXT;
        }
        if ((n == 6 || n == 7) && (v >> 32)) {
            return x86_gp0(cpu);
        }
        cpu->dr[n] = v;
        x86_dbg_update(cpu);
        return X86_END;
    }
    if (!to) {
        switch (n) {
        case 0: v = cpu->cr0; break;
        case 2: v = cpu->cr2; break;
        case 3: v = cpu->cr3; break;
        case 4: v = cpu->cr4; break;
        case 8: v = cpu->cr8; break;
        default: return x86_ud(cpu);
        }
        cpu->regs[insn->rm] = v & x86_mask(size);
        return X86_NEXT;
    }
    switch (n) {
    case 0:
        if (!x86_set_cr0(cpu, (cpu->cr0 & ~0xffffffffULL) | v)) {
            return x86_gp0(cpu);
        }
        break;
    case 2:
        cpu->cr2 = v;
        return X86_NEXT;
    case 3:
        if (!x86_set_cr3(cpu, v)) {
            return x86_gp0(cpu);
        }
        break;
    case 4:
        if (!x86_set_cr4(cpu, v)) {
            return x86_gp0(cpu);
        }
        break;
    case 8:
        if (v & ~0xfULL) {
            return x86_gp0(cpu);
        }
        cpu->cr8 = v;
        break;
    default:
        return x86_ud(cpu);
    }
    return X86_END;
}

int op_clts(X86CPU *cpu, const X86Insn *insn)
{
    if (cpu->cpl != 0 || (cpu->eflags & F_VM)) {
        return x86_gp0(cpu);
    }
    cpu->cr0 &= ~(uint64_t)CR0_TS;
    return X86_NEXT;
}

int op_wbinvd(X86CPU *cpu, const X86Insn *insn)
{
    if (cpu->cpl != 0 || (cpu->eflags & F_VM)) {
        return x86_gp0(cpu);
    }
    return X86_NEXT;
}

/* ---- group 6: SLDT STR LLDT LTR VERR VERW ---- */

static int load_ldt_tr(X86CPU *cpu, bool tr, uint16_t sel)
{
    uint64_t d, hi = 0;
    unsigned type;
    X86Segment s;

    if ((sel & ~3) == 0) {
        if (tr) {
            return x86_gp0(cpu);
        }
        memset(&cpu->seg[SEG_LDTR], 0, sizeof(X86Segment));
        cpu->seg[SEG_LDTR].selector = sel;
        cpu->seg[SEG_LDTR].unusable = 1;
        return X86_NEXT;
    }
    if (sel & 4) {
        return x86_raise_err(cpu, EXC_GP, sel & ~3);
    }
    if (!x86_desc_read(cpu, sel, &d, EXC_GP)) {
        return X86_EXC;
    }
    type = (d >> 40) & 0x1f;
    if (tr ? !(type == 9 || (type == 1 && !(cpu->efer & EFER_LMA)))
           : type != 2) {
        return x86_raise_err(cpu, EXC_GP, sel & ~3);
    }
    if (!((d >> 47) & 1)) {
        return x86_raise_err(cpu, EXC_NP, sel & ~3);
    }
    if (cpu->efer & EFER_LMA) {
        if (!x86_read_lin(cpu, cpu->gdt.base + (sel & ~7) + 8, &hi, 8, true)) {
            return X86_EXC;
        }
        if ((sel & ~7) + 15 > cpu->gdt.limit) {
            return x86_raise_err(cpu, EXC_GP, sel & ~3);
        }
    }
    x86_desc_to_seg(&s, sel, d, hi);
    if (tr) {
        d |= 2ULL << 40;                    /* busy */
        if (!x86_desc_write_hi(cpu, sel, d >> 32)) {
            return X86_EXC;
        }
        s.type |= 2;
        cpu->seg[SEG_TR] = s;
    } else {
        cpu->seg[SEG_LDTR] = s;
    }
    return X86_NEXT;
}

static bool verify(X86CPU *cpu, uint16_t sel, bool write)
{
    uint64_t d;
    unsigned type, dpl;

    if ((sel & ~3) == 0) {
        return false;
    }
    if (!x86_desc_read(cpu, sel, &d, -1)) {
        cpu->exc.vector = -1;
        return false;
    }
    type = (d >> 40) & 0xf;
    dpl = (d >> 45) & 3;
    if (!((d >> 44) & 1)) {
        return false;
    }
    if (!((type & 8) && (type & 4)) &&
        (dpl < cpu->cpl || dpl < (sel & 3))) {
        return false;
    }
    if (write) {
        return !(type & 8) && (type & 2);
    }
    return !(type & 8) || (type & 2);
}

int op_grp6(X86CPU *cpu, const X86Insn *insn)
{
    unsigned op = (insn->modrm >> 3) & 7;
    uint64_t v;

    if (!pm(cpu)) {
        return x86_ud(cpu);
    }
    switch (op) {
    case 0:
    case 1:
        if ((cpu->cr4 & CR4_UMIP) && cpu->cpl > 0) {
            return x86_gp0(cpu);
        }
        v = cpu->seg[op == 0 ? SEG_LDTR : SEG_TR].selector;
        return x86_rm_write(cpu, insn, insn->mod == 3 ? insn->opsize : 2, v)
               ? X86_NEXT : X86_EXC;
    case 2:
    case 3:
        if (cpu->cpl != 0) {
            return x86_gp0(cpu);
        }
        if (!x86_rm_read(cpu, insn, 2, &v)) {
            return X86_EXC;
        }
        return load_ldt_tr(cpu, op == 3, v);
    case 4:
    case 5: {
        uint32_t f;
        if (!x86_rm_read(cpu, insn, 2, &v)) {
            return X86_EXC;
        }
        f = x86_cc_compute(&cpu->cc) & ~F_ZF;
        if (verify(cpu, v, op == 5)) {
            f |= F_ZF;
        }
        x86_set_arith_flags(cpu, f);
        return X86_NEXT;
    }
    default:
        return x86_ud(cpu);
    }
}

/* LAR / LSL */
int op_lar_lsl(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t sel, d;
    unsigned type, dpl;
    uint32_t f;
    bool ok = false, lsl = insn->opcode == 3;

    if (!pm(cpu)) {
        return x86_ud(cpu);
    }
    if (!x86_rm_read(cpu, insn, 2, &sel)) {
        return X86_EXC;
    }
    f = x86_cc_compute(&cpu->cc) & ~F_ZF;
    if ((sel & ~3) && x86_desc_read(cpu, sel, &d, -1)) {
        type = (d >> 40) & 0x1f;
        dpl = (d >> 45) & 3;
        if (type & 0x10) {
            ok = ((type & 0xc) == 0xc) || (dpl >= cpu->cpl &&
                                          dpl >= (sel & 3));
        } else {
            static const bool lar_ok[16] = {
                [1] = 1, [2] = 1, [3] = 1, [4] = 1, [5] = 1, [9] = 1,
                [11] = 1, [12] = 1,
            };
            static const bool lsl_ok[16] = {
                [1] = 1, [2] = 1, [3] = 1, [9] = 1, [11] = 1,
            };
            unsigned t = type & 0xf;
            ok = (lsl ? lsl_ok[t] : lar_ok[t]) &&
                 (!(cpu->efer & EFER_LMA) || t == 2 || t == 9 || t == 11 ||
                  (!lsl && t == 12)) &&
                 dpl >= cpu->cpl && dpl >= (sel & 3);
        }
        if (ok) {
            uint64_t r;
            if (lsl) {
                r = (d & 0xffff) | ((d >> 32) & 0xf0000);
                if ((d >> 55) & 1) {
                    r = (r << 12) | 0xfff;
                }
            } else {
                r = (d >> 32) & 0x00f0ff00;
            }
            x86_set_reg(cpu, insn, insn->reg, insn->opsize, r);
            f |= F_ZF;
        }
    }
    cpu->exc.vector = -1;
    x86_set_arith_flags(cpu, f);
    return X86_NEXT;
}

/* ---- group 7 ---- */

static int hypercall(X86CPU *cpu)
{
    X86Exit *e = cpu->exit;

    if (cpu->cpl != 0) {
        /* KVM returns -KVM_EPERM to user-mode hypercalls */
        cpu->regs[R_EAX] = (uint64_t)-1000;
        return X86_NEXT;
    }
    e->reason = X86_EXIT_HYPERCALL;
    e->hypercall.nr = cpu->regs[R_EAX];
    e->hypercall.args[0] = cpu->regs[R_EBX];
    e->hypercall.args[1] = cpu->regs[R_ECX];
    e->hypercall.args[2] = cpu->regs[R_EDX];
    e->hypercall.args[3] = cpu->regs[R_ESI];
    e->hypercall.args[4] = cpu->regs[R_EDI];
    e->hypercall.args[5] = 0;
    cpu->check |= CHECK_EXIT_AFTER;
    return X86_NEXT;
}

int op_grp7(X86CPU *cpu, const X86Insn *insn)
{
    unsigned op = (insn->modrm >> 3) & 7;
    uint64_t ea, v;

    if (insn->mod == 3) {
        switch (insn->modrm) {
        case 0xc1:                          /* VMCALL */
        case 0xd9:                          /* VMMCALL */
            return hypercall(cpu);
        case 0xc8:                          /* MONITOR */
            if (cpu->cpl != 0) {
                return x86_ud(cpu);
            }
            return X86_NEXT;
        case 0xc9:                          /* MWAIT: like a NOP/HLT hint */
            if (cpu->cpl != 0) {
                return x86_ud(cpu);
            }
            return X86_NEXT;
        case 0xca:                          /* CLAC */
        case 0xcb:                          /* STAC */
            if (!(cpu->feat_7_ebx & CPUID_7_EBX_SMAP) || cpu->cpl != 0) {
                return x86_ud(cpu);
            }
            if (insn->modrm == 0xca) {
                cpu->eflags &= ~(uint64_t)F_AC;
            } else {
                cpu->eflags |= F_AC;
            }
            x86_update_mmu_idx(cpu);
            return X86_NEXT;
        case 0xd0:                          /* XGETBV */
            if (!(cpu->cr4 & CR4_OSXSAVE)) {
                return x86_ud(cpu);
            }
            if ((uint32_t)cpu->regs[R_ECX] != 0) {
                return x86_gp0(cpu);
            }
            cpu->regs[R_EAX] = (uint32_t)cpu->xcr0;
            cpu->regs[R_EDX] = cpu->xcr0 >> 32;
            return X86_NEXT;
        case 0xd1:                          /* XSETBV */
            if (!(cpu->cr4 & CR4_OSXSAVE)) {
                return x86_ud(cpu);
            }
            if (cpu->cpl != 0 || (uint32_t)cpu->regs[R_ECX] != 0) {
                return x86_gp0(cpu);
            }
            v = (uint32_t)cpu->regs[R_EAX] |
                (cpu->regs[R_EDX] << 32);
            if (!x86_cpu_set_xcr0(cpu, v)) {
                return x86_gp0(cpu);
            }
            return X86_NEXT;
        case 0xf8:                          /* SWAPGS */
            if (!cpu->code64) {
                return x86_ud(cpu);
            }
            if (cpu->cpl != 0) {
                return x86_gp0(cpu);
            }
            v = cpu->seg[SEG_GS].base;
            cpu->seg[SEG_GS].base = cpu->kernel_gs_base;
            cpu->kernel_gs_base = v;
            return X86_NEXT;
        case 0xf9:                          /* RDTSCP */
            if (!(cpu->feat_e1_edx & CPUID_E1_EDX_RDTSCP)) {
                return x86_ud(cpu);
            }
            if ((cpu->cr4 & CR4_TSD) && cpu->cpl != 0) {
                return x86_gp0(cpu);
            }
            v = x86_tsc_now(cpu);
            cpu->regs[R_EAX] = (uint32_t)v;
            cpu->regs[R_EDX] = v >> 32;
            cpu->regs[R_ECX] = (uint32_t)cpu->tsc_aux;
            return X86_NEXT;
        default:
            break;
        }
        if (op == 4) {
            if ((cpu->cr4 & CR4_UMIP) && cpu->cpl > 0) {
                return x86_gp0(cpu);
            }
            x86_set_reg(cpu, insn, insn->rm, insn->opsize, cpu->cr0);
            return X86_NEXT;
        }
        if (op == 6) {
            goto lmsw;
        }
        return x86_ud(cpu);
    }
    ea = x86_insn_ea(cpu, insn);
    switch (op) {
    case 0:
    case 1: {
        X86DTable *t = op == 0 ? &cpu->gdt : &cpu->idt;
        uint64_t base = t->base;
        if ((cpu->cr4 & CR4_UMIP) && cpu->cpl > 0) {
            return x86_gp0(cpu);
        }
        uint8_t pd[10], sd = cpu->slow_data;
        unsigned n = cpu->code64 ? 10 : 6;
        bool ok;
        if (!cpu->code64) {
            base &= 0xffffffff;
        }
        /* one store of the pseudo-descriptor (limit, base), never #AC:
         * the hardware's rule (an AMD EPYC under /dev/kvm at CPL 3 with
         * AC: no #AC at any offset, test-debug sgdt-sidt-ac) */
        memcpy(pd, &t->limit, 2);
        memcpy(pd + 2, &base, 8);
        cpu->slow_data &= ~SLOW_DATA_AC;
        ok = x86_probe_write(cpu, insn->seg, ea, n) &&
             x86_write(cpu, insn->seg, ea, pd, n);
        cpu->slow_data = sd;
        return ok ? X86_NEXT : X86_EXC;
    }
    case 2:
    case 3: {
        uint16_t limit;
        uint64_t base = 0;
        if (cpu->cpl != 0 && pm(cpu)) {
            return x86_gp0(cpu);
        }
        if ((cpu->eflags & F_VM)) {
            return x86_gp0(cpu);
        }
        if (!x86_read(cpu, insn->seg, ea, &limit, 2) ||
            !x86_read(cpu, insn->seg, (ea + 2) & x86_mask(insn->addrsize),
                      &base, cpu->code64 ? 8 : 4)) {
            return X86_EXC;
        }
        if (cpu->code64) {
            if (!x86_canonical(base)) {
                return x86_gp0(cpu);
            }
        } else if (insn->opsize == 2) {
            base &= 0xffffff;
        }
        if (op == 2) {
            cpu->gdt.base = base;
            cpu->gdt.limit = limit;
        } else {
            cpu->idt.base = base;
            cpu->idt.limit = limit;
        }
        return X86_NEXT;
    }
    case 4:
        if ((cpu->cr4 & CR4_UMIP) && cpu->cpl > 0) {
            return x86_gp0(cpu);
        }
        return x86_rm_write(cpu, insn, 2, cpu->cr0) ? X86_NEXT : X86_EXC;
    case 6:
lmsw:
        if (cpu->cpl != 0 && (cpu->cr0 & CR0_PE)) {
            return x86_gp0(cpu);
        }
        if (!x86_rm_read(cpu, insn, 2, &v)) {
            return X86_EXC;
        }
        /* LMSW cannot clear PE */
        v = (cpu->cr0 & ~0xeULL) | (v & 0xf) | (cpu->cr0 & CR0_PE);
        if (!x86_set_cr0(cpu, v)) {
            return x86_gp0(cpu);
        }
        return X86_END;
    case 7:                                 /* INVLPG */
        if (cpu->cpl != 0 && (cpu->cr0 & CR0_PE)) {
            return x86_gp0(cpu);
        }
        {
            uint64_t lin;
            if (x86_seg_linear(cpu, insn->seg, ea, 1, ACC_READ, &lin)) {
                x86_tlb_flush_page(cpu, lin);
            }
            cpu->exc.vector = -1;
        }
        return X86_NEXT;
    default:
        return x86_ud(cpu);
    }
}

/* ---- MSRs, TSC, CPUID ---- */

int op_rdmsr(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t v;

    if (cpu->cpl != 0 || (cpu->eflags & F_VM)) {
        return x86_gp0(cpu);
    }
    if (!x86_msr_read(cpu, (uint32_t)cpu->regs[R_ECX], &v, false)) {
        return cpu->exc.vector >= 0 ? X86_EXC : x86_gp0(cpu);
    }
    cpu->regs[R_EAX] = (uint32_t)v;
    cpu->regs[R_EDX] = v >> 32;
    return X86_NEXT;
}

int op_wrmsr(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t v = (uint32_t)cpu->regs[R_EAX] | (cpu->regs[R_EDX] << 32);

    if (cpu->cpl != 0 || (cpu->eflags & F_VM)) {
        return x86_gp0(cpu);
    }
    if (!x86_msr_write(cpu, (uint32_t)cpu->regs[R_ECX], v, false)) {
        return cpu->exc.vector >= 0 ? X86_EXC : x86_gp0(cpu);
    }
    return X86_END;
}

int op_rdtsc(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t v;

    if ((cpu->cr4 & CR4_TSD) && cpu->cpl != 0 && (cpu->cr0 & CR0_PE)) {
        return x86_gp0(cpu);
    }
    v = x86_tsc_now(cpu);
    cpu->regs[R_EAX] = (uint32_t)v;
    cpu->regs[R_EDX] = v >> 32;
    return X86_NEXT;
}

int op_rdpmc(X86CPU *cpu, const X86Insn *insn)
{
    return x86_gp0(cpu);                    /* no PMU is advertised */
}

int op_cpuid(X86CPU *cpu, const X86Insn *insn)
{
    uint32_t r[4];

    x86_cpuid_lookup(cpu, cpu->regs[R_EAX], cpu->regs[R_ECX], r);
    cpu->regs[R_EAX] = r[0];
    cpu->regs[R_EBX] = r[1];
    cpu->regs[R_ECX] = r[2];
    cpu->regs[R_EDX] = r[3];
    return X86_NEXT;
}

int op_hlt(X86CPU *cpu, const X86Insn *insn)
{
    if (cpu->cpl != 0 && (cpu->cr0 & CR0_PE)) {
        return x86_gp0(cpu);
    }
    cpu->exit->reason = X86_EXIT_HLT;
    cpu->check |= CHECK_EXIT_AFTER;
    return X86_NEXT;
}
