/*
 * Exceptions and interrupts (SDM Vol. 3A ch. 6): raising an exception from
 * a handler, delivery through the real-mode IVT or the protected/long-mode
 * IDT (interrupt, trap and task gates, privilege change with stack switch,
 * IST, virtual-8086 entry), the double-fault rules, triple fault, and IRET
 * in every mode; RF in the pushed RFLAGS; CR0.NE=0 FERR#. The order of
 * events at an instruction boundary (6.9: #DB traps, NMI, INTR, code
 * breakpoint, fetch faults) is kept by exec.c's loop (debug_traps after
 * the instruction, then inject_events, then the breakpoint and the fetch).
 */
#include "target/i386/engine.h"

static bool has_error_code(int vec)
{
    switch (vec) {
    case EXC_DF: case EXC_TS: case EXC_NP: case EXC_SS: case EXC_GP:
    case EXC_PF: case EXC_AC:
        return true;
    default:
        return false;
    }
}

/*
 * CR0.NE=0 (SDM Vol. 1 8.7, D.2): a pending unmasked x87 error found by a
 * waiting instruction asserts FERR# (the board's IRQ 13) and the
 * instruction waits, not retired, for an interrupt: the run ends as a HLT
 * exit with RIP at it. Only with an embedder that wires FERR#.
 */
static int ferr_freeze(X86CPU *cpu)
{
    if (!cpu->ferr) {
        x86_ferr_signal(cpu, true);
    }
    cpu->exc.vector = -1;
    cpu->exit->reason = X86_EXIT_HLT;
    cpu->check |= CHECK_EXIT_NOW;
    return X86_EXC;
}

void x86_cpu_set_ignne(X86CPU *cpu, bool asserted)
{
    cpu->ignne = asserted;
}

int x86_raise_err(X86CPU *cpu, int vec, uint32_t error_code)
{
    if (unlikely(vec == EXC_MF) && !(cpu->cr0 & CR0_NE) && cpu->vm->ops.ferr) {
        return ferr_freeze(cpu);
    }
    cpu->exc.vector = vec;
    cpu->exc.error_code = error_code;
    cpu->exc.has_error_code = has_error_code(vec);
    cpu->exc.soft = false;
    cpu->exc.trap = false;
    return X86_EXC;
}

int x86_raise(X86CPU *cpu, int vec)
{
    return x86_raise_err(cpu, vec, 0);
}

/* ---- real mode ---- */

static bool deliver_real(X86CPU *cpu, int vec, uint64_t ret_ip)
{
    uint32_t ent;
    uint64_t fl = x86_get_flags(cpu);

    if ((uint64_t)vec * 4 + 3 > cpu->idt.limit) {
        x86_raise_err(cpu, EXC_GP, vec * 8 + 2);
        return false;
    }
    if (!x86_read_lin(cpu, cpu->idt.base + vec * 4, &ent, 4, true)) {
        return false;
    }
    if (!x86_push(cpu, 2, fl) ||
        !x86_push(cpu, 2, cpu->seg[SEG_CS].selector) ||
        !x86_push(cpu, 2, ret_ip)) {
        return false;
    }
    cpu->eflags &= ~(uint64_t)(F_IF | F_TF | F_AC | F_RF);
    x86_seg_load_real(cpu, SEG_CS, ent >> 16);
    cpu->rip = ent & 0xffff;
    x86_update_modes(cpu);
    return true;
}

/* ---- protected and long mode ---- */

static bool deliver_pm(X86CPU *cpu, int vec, bool soft, bool has_err,
                       uint32_t err, bool external, uint64_t ret_ip)
{
    bool lma = cpu->efer & EFER_LMA;
    unsigned esz = lma ? 16 : 8, type, dpl, gsize, tdpl;
    /* EXT: the event is not a software interrupt (SDM 6.13) */
    uint32_t ext = (external || !soft) ? 1 : 0;
    uint64_t d, hi = 0, td, off;
    uint16_t sel;
    uint64_t fl = x86_get_flags(cpu);
    bool v86 = fl & F_VM;

    if ((uint64_t)vec * esz + esz - 1 > cpu->idt.limit) {
        x86_raise_err(cpu, EXC_GP, vec * 8 + 2 + ext);
        return false;
    }
    if (!x86_read_lin(cpu, cpu->idt.base + vec * esz, &d, 8, true)) {
        return false;
    }
    if (lma && !x86_read_lin(cpu, cpu->idt.base + vec * esz + 8, &hi, 8,
                             true)) {
        return false;
    }
    type = (d >> 40) & 0x1f;                /* includes S bit */
    dpl = (d >> 45) & 3;
    switch (type) {
    case 5:
        if (lma) {
            goto bad_gate;
        }
        break;
    case 6: case 7:
        if (lma) {
            goto bad_gate;
        }
        break;
    case 14: case 15:
        break;
    default:
bad_gate:
        x86_raise_err(cpu, EXC_GP, vec * 8 + 2 + ext);
        return false;
    }
    if (soft && dpl < cpu->cpl) {
        x86_raise_err(cpu, EXC_GP, vec * 8 + 2);
        return false;
    }
    if (!((d >> 47) & 1)) {
        x86_raise_err(cpu, EXC_NP, vec * 8 + 2 + ext);
        return false;
    }
    if (type == 5) {
        uint64_t tss;
        sel = (d >> 16) & 0xffff;
        if (!x86_desc_read(cpu, sel, &tss, EXC_GP)) {
            return false;
        }
        cpu->rip = ret_ip;
        return x86_task_switch(cpu, sel, tss, TS_INT, has_err, err);
    }
    sel = (d >> 16) & 0xffff;
    off = (d & 0xffff) | ((d >> 32) & 0xffff0000ULL);
    if (lma) {
        off |= (hi & 0xffffffffULL) << 32;
    }
    gsize = lma ? 8 : (type & 8) ? 4 : 2;
    if ((sel & ~3) == 0) {
        x86_raise_err(cpu, EXC_GP, ext);
        return false;
    }
    if (!x86_desc_read(cpu, sel, &td, EXC_GP)) {
        return false;
    }
    tdpl = (td >> 45) & 3;
    if (!((td >> 44) & 1) || !((td >> 43) & 1) || tdpl > cpu->cpl) {
        x86_raise_err(cpu, EXC_GP, (sel & ~3) + ext);
        return false;
    }
    if (!((td >> 47) & 1)) {
        x86_raise_err(cpu, EXC_NP, (sel & ~3) + ext);
        return false;
    }
    if (lma && (!((td >> 53) & 1) || ((td >> 54) & 1))) {
        x86_raise_err(cpu, EXC_GP, (sel & ~3) + ext);
        return false;
    }
    {
        bool conforming = (td >> 42) & 1;
        unsigned ncpl = conforming ? cpu->cpl : tdpl;
        unsigned ist = lma ? (d >> 32) & 7 : 0;
        unsigned old_cpl = cpu->cpl;
        X86Segment nss = cpu->seg[SEG_SS];
        uint64_t sp = cpu->regs[R_ESP];
        bool flat = lma;
        bool switch_stack = ncpl < cpu->cpl || ist;
        uint16_t nss_sel;

        if (v86 && ncpl != 0) {
            x86_raise_err(cpu, EXC_GP, (sel & ~3) + ext);
            return false;
        }
        cpu->cpl = ncpl;
        x86_update_mmu_idx(cpu);
        if (switch_stack) {
            if (ist) {
                uint64_t a = cpu->seg[SEG_TR].base + 0x24 + (ist - 1) * 8;
                if (0x24 + ist * 8 - 1 > cpu->seg[SEG_TR].limit) {
                    x86_raise_err(cpu, EXC_TS, cpu->seg[SEG_TR].selector &
                                  ~3);
                    goto undo;
                }
                if (!x86_read_lin(cpu, a, &sp, 8, true)) {
                    goto undo;
                }
                if (ncpl < old_cpl) {
                    memset(&nss, 0, sizeof(nss));
                    nss.selector = ncpl;
                    nss.dpl = ncpl;
                    nss.db = 1;
                    nss.type = 3;
                    nss.s = 1;
                    nss.present = 1;
                }
            } else if (!x86_load_inner_stack(cpu, ncpl, &nss_sel, &sp,
                                             &nss)) {
                goto undo;
            }
        } else if (!lma) {
            sp &= cpu->seg[SEG_SS].db ? 0xffffffffULL : 0xffff;
        }
        if (lma) {
            sp &= ~0xfULL;
        }
        if (v86) {
            if (!x86_push_on(cpu, &nss, &sp, gsize,
                             cpu->seg[SEG_GS].selector, flat) ||
                !x86_push_on(cpu, &nss, &sp, gsize,
                             cpu->seg[SEG_FS].selector, flat) ||
                !x86_push_on(cpu, &nss, &sp, gsize,
                             cpu->seg[SEG_DS].selector, flat) ||
                !x86_push_on(cpu, &nss, &sp, gsize,
                             cpu->seg[SEG_ES].selector, flat)) {
                goto undo;
            }
        }
        if (switch_stack || lma) {
            if (!x86_push_on(cpu, &nss, &sp, gsize,
                             cpu->seg[SEG_SS].selector, flat) ||
                !x86_push_on(cpu, &nss, &sp, gsize, cpu->regs[R_ESP],
                             flat)) {
                goto undo;
            }
        }
        if (!x86_push_on(cpu, &nss, &sp, gsize, fl, flat) ||
            !x86_push_on(cpu, &nss, &sp, gsize, cpu->seg[SEG_CS].selector,
                         flat) ||
            !x86_push_on(cpu, &nss, &sp, gsize, ret_ip, flat) ||
            (has_err && !x86_push_on(cpu, &nss, &sp, gsize, err, flat))) {
            goto undo;
        }
        /* committed */
        if (v86) {
            for (int s = SEG_ES; s <= SEG_GS; s++) {
                if (s != SEG_CS && s != SEG_SS) {
                    memset(&cpu->seg[s], 0, sizeof(X86Segment));
                    cpu->seg[s].unusable = 1;
                }
            }
        }
        if (switch_stack) {
            cpu->seg[SEG_SS] = nss;
        }
        if (lma || nss.db) {
            cpu->regs[R_ESP] = sp;
        } else {
            cpu->regs[R_ESP] = (cpu->regs[R_ESP] & ~0xffffULL) |
                               (sp & 0xffff);
        }
        if (!((td >> 40) & 1)) {
            td |= 1ULL << 40;
            x86_desc_write_hi(cpu, sel, td >> 32);
        }
        x86_desc_to_seg(&cpu->seg[SEG_CS], (sel & ~3) | ncpl, td, 0);
        cpu->eflags &= ~(uint64_t)(F_TF | F_VM | F_RF | F_NT);
        if (!(type & 1)) {
            cpu->eflags &= ~(uint64_t)F_IF;
        }
        cpu->rip = lma ? off : off & x86_mask(gsize);
        x86_update_modes(cpu);
        return true;
undo:
        cpu->cpl = old_cpl;
        x86_update_mmu_idx(cpu);
        return false;
    }
}

static bool deliver_one(X86CPU *cpu, int vec, bool soft, bool has_err,
                        uint32_t err, bool external, uint64_t ret_ip)
{
    if (x86_is_real(cpu)) {
        return deliver_real(cpu, vec, ret_ip);
    }
    return deliver_pm(cpu, vec, soft, has_err, err, external, ret_ip);
}

static bool contributory(int v)
{
    return v == EXC_DE || (v >= EXC_TS && v <= EXC_GP);
}

/*
 * Deliver @vector; exceptions raised while doing so are combined per the
 * double-fault rules (SDM Table 6-5). Sets cpu->shutdown on triple fault.
 */
void x86_deliver_event(X86CPU *cpu, int vector, bool soft, bool has_err,
                       uint32_t err, bool external)
{
    int prev = -1, first = vector;
    uint64_t ret_ip = (soft || cpu->exc.trap) ? cpu->next_ip : cpu->rip;

    /*
     * RF in the pushed RFLAGS (SDM Vol. 3B 17.3.1.1, Vol. 3A 6.12): 1 for a
     * fault-class exception other than an instruction-breakpoint #DB (so
     * the restarted instruction does not hit its breakpoint again), and
     * for any event between two iterations of a REP string instruction;
     * otherwise the current RF. Delivery then clears RF.
     */
    if (cpu->rep_mid ||
        (!soft && !external && !cpu->exc.trap && vector != EXC_DB)) {
        cpu->eflags |= F_RF;
    }
    cpu->rep_mid = false;
    cpu->exc.vector = -1;
    cpu->exc.trap = false;
    for (int tries = 0; tries < 4; tries++) {
        if (deliver_one(cpu, vector, soft, has_err, err, external, ret_ip)) {
            cpu->exc.vector = -1;
            if (vector == EXC_DB || !soft) {
                /* nothing */
            }
            return;
        }
        if (cpu->check & CHECK_EXIT_NOW) {
            /* an MMIO descriptor table: can't complete; give up */
            cpu->check &= ~CHECK_EXIT_NOW;
            cpu->pending.active = false;
        }
        if (cpu->exc.vector < 0) {
            break;
        }
        prev = vector;
        vector = cpu->exc.vector;
        has_err = cpu->exc.has_error_code;
        err = cpu->exc.error_code;
        soft = false;
        external = false;
        cpu->exc.vector = -1;
        if (prev == EXC_DF) {
            break;
        }
        if ((contributory(prev) && contributory(vector)) ||
            (prev == EXC_PF && (contributory(vector) || vector == EXC_PF))) {
            vector = EXC_DF;
            has_err = true;
            err = 0;
        }
        ret_ip = cpu->rip;
    }
    cpu->shutdown = true;
    cpu->shutdown_vector = first;
}

void x86_deliver_pending_exception(X86CPU *cpu)
{
    int vec = cpu->exc.vector;

    if (vec < 0) {
        return;
    }
    if (!(cpu->cr0 & CR0_PE) || cpu->halted) {
        /* real mode: no error codes */
    }
    x86_deliver_event(cpu, vec, cpu->exc.soft,
                      cpu->exc.has_error_code && (cpu->cr0 & CR0_PE),
                      cpu->exc.error_code, false);
}

/* ---- IRET ---- */

static int iret_real(X86CPU *cpu, const X86Insn *insn)
{
    unsigned size = insn->opsize, ss = x86_stack_size(cpu);
    uint64_t sp = cpu->regs[R_ESP], ip = 0, cs = 0, fl = 0, mask;

    if (!x86_read(cpu, SEG_SS, sp & x86_mask(ss), &ip, size) ||
        !x86_read(cpu, SEG_SS, (sp + size) & x86_mask(ss), &cs, size) ||
        !x86_read(cpu, SEG_SS, (sp + 2 * size) & x86_mask(ss), &fl, size)) {
        return X86_EXC;
    }
    mask = F_ARITH | F_TF | F_IF | F_DF | F_NT | F_IOPL | F_AC | F_ID |
           F_RF;
    if (cpu->eflags & F_VM) {
        mask &= ~(uint64_t)F_IOPL;
    }
    if (size == 2) {
        mask &= 0xffff;
    }
    x86_seg_load_real(cpu, SEG_CS, cs);
    cpu->next_ip = ip & x86_mask(size);
    sp += 3 * size;
    if (ss == 2) {
        cpu->regs[R_ESP] = (cpu->regs[R_ESP] & ~0xffffULL) | (sp & 0xffff);
    } else {
        cpu->regs[R_ESP] = (uint32_t)sp;
    }
    x86_set_flags(cpu, (x86_get_flags(cpu) & ~mask) | (fl & mask));
    x86_update_modes(cpu);
    return X86_END;
}

int x86_do_iret(X86CPU *cpu, const X86Insn *insn)
{
    unsigned size = insn->opsize, ss_size = x86_stack_size(cpu);
    uint64_t sp = cpu->regs[R_ESP], ip = 0, cs = 0, fl = 0, d;
    uint64_t m = x86_mask(ss_size), mask, old = x86_get_flags(cpu);
    unsigned rpl, old_cpl = cpu->cpl, iopl = (old >> 12) & 3;

    cpu->events.nmi.masked = false;
    if (x86_is_real(cpu)) {
        return iret_real(cpu, insn);
    }
    if (old & F_VM) {
        if (iopl < 3) {
            return x86_gp0(cpu);
        }
        return iret_real(cpu, insn);
    }
    if (old & F_NT) {
        uint16_t link;
        uint64_t tss;
        if (cpu->efer & EFER_LMA) {
            return x86_gp0(cpu);
        }
        if (!x86_read_lin(cpu, cpu->seg[SEG_TR].base, &link, 2, true)) {
            return X86_EXC;
        }
        if (link & 4) {
            return x86_raise_err(cpu, EXC_TS, link & ~3);
        }
        if (!x86_desc_read(cpu, link, &tss, EXC_TS)) {
            return X86_EXC;
        }
        if (!x86_task_switch(cpu, link, tss, TS_IRET, false, 0)) {
            return X86_EXC;
        }
        cpu->next_ip = cpu->rip;
        return X86_END;
    }
    if (!x86_read(cpu, SEG_SS, sp & m, &ip, size) ||
        !x86_read(cpu, SEG_SS, (sp + size) & m, &cs, size) ||
        !x86_read(cpu, SEG_SS, (sp + 2 * size) & m, &fl, size)) {
        return X86_EXC;
    }
    cs &= 0xffff;
    if ((fl & F_VM) && size == 4 && old_cpl == 0 &&
        !(cpu->efer & EFER_LMA)) {
        /* return to virtual-8086 mode */
        uint32_t v[6] = { 0 };
        for (int i = 0; i < 6; i++) {
            if (!x86_read(cpu, SEG_SS, (sp + 12 + i * 4) & m, &v[i], 4)) {
                return X86_EXC;
            }
        }
        x86_set_flags(cpu, fl);
        cpu->eflags |= F_VM;
        x86_seg_load_real(cpu, SEG_CS, cs);
        x86_seg_load_real(cpu, SEG_SS, v[1]);
        x86_seg_load_real(cpu, SEG_ES, v[2]);
        x86_seg_load_real(cpu, SEG_DS, v[3]);
        x86_seg_load_real(cpu, SEG_FS, v[4]);
        x86_seg_load_real(cpu, SEG_GS, v[5]);
        cpu->regs[R_ESP] = v[0];
        cpu->next_ip = ip & 0xffff;
        cpu->cpl = 3;
        x86_update_modes(cpu);
        return X86_END;
    }
    if ((cs & ~3) == 0) {
        return x86_gp0(cpu);
    }
    if (!x86_desc_read(cpu, cs, &d, EXC_GP)) {
        return X86_EXC;
    }
    rpl = cs & 3;
    {
        unsigned dpl = (d >> 45) & 3, type = (d >> 40) & 0xf;
        if (!((d >> 44) & 1) || !(type & 8) || rpl < old_cpl ||
            ((type & 4) ? dpl > rpl : dpl != rpl)) {
            return x86_raise_err(cpu, EXC_GP, cs & ~3);
        }
        if (!((d >> 47) & 1)) {
            return x86_raise_err(cpu, EXC_NP, cs & ~3);
        }
    }
    mask = F_ARITH | F_TF | F_DF | F_NT | F_AC | F_ID | F_RF;
    if (old_cpl <= iopl) {
        mask |= F_IF;
    }
    if (old_cpl == 0) {
        mask |= F_IOPL | F_VIF | F_VIP;
    }
    if (size == 2) {
        mask &= 0xffff;
    }
    if (rpl == old_cpl && !cpu->code64) {
        d |= 1ULL << 40;
        x86_desc_to_seg(&cpu->seg[SEG_CS], cs, d, 0);
        cpu->cpl = rpl;
        sp += 3 * size;
        if (ss_size == 2) {
            cpu->regs[R_ESP] = (cpu->regs[R_ESP] & ~0xffffULL) | (sp & 0xffff);
        } else {
            cpu->regs[R_ESP] = (uint32_t)sp;
        }
    } else {
        uint64_t nsp = 0, nss = 0, sd;
        X86Segment ss;
        if (!x86_read(cpu, SEG_SS, (sp + 3 * size) & m, &nsp, size) ||
            !x86_read(cpu, SEG_SS, (sp + 4 * size) & m, &nss, size)) {
            return X86_EXC;
        }
        nss &= 0xffff;
        if ((nss & ~3) == 0) {
            if (!(cpu->efer & EFER_LMA) || rpl == 3 ||
                !((d >> 53) & 1)) {
                return x86_gp0(cpu);
            }
            memset(&ss, 0, sizeof(ss));
            ss.selector = nss;
            ss.dpl = rpl;
            ss.db = 1;
            ss.type = 3;
            ss.s = 1;
            ss.present = 1;
        } else {
            unsigned st;
            if (!x86_desc_read(cpu, nss, &sd, EXC_GP)) {
                return X86_EXC;
            }
            st = (sd >> 40) & 0xf;
            if ((nss & 3) != rpl || ((sd >> 45) & 3) != rpl ||
                !((sd >> 44) & 1) || (st & 8) || !(st & 2)) {
                return x86_raise_err(cpu, EXC_GP, nss & ~3);
            }
            if (!((sd >> 47) & 1)) {
                return x86_raise_err(cpu, EXC_SS, nss & ~3);
            }
            if (!((sd >> 40) & 1)) {
                sd |= 1ULL << 40;
                x86_desc_write_hi(cpu, nss, sd >> 32);
            }
            x86_desc_to_seg(&ss, nss, sd, 0);
        }
        d |= 1ULL << 40;
        x86_desc_to_seg(&cpu->seg[SEG_CS], cs, d, 0);
        cpu->seg[SEG_SS] = ss;
        cpu->cpl = rpl;
        if ((cpu->efer & EFER_LMA) && cpu->seg[SEG_CS].l) {
            cpu->regs[R_ESP] = nsp;
        } else if (ss.db) {
            cpu->regs[R_ESP] = (uint32_t)nsp;
        } else {
            cpu->regs[R_ESP] = (cpu->regs[R_ESP] & ~0xffffULL) |
                               (nsp & 0xffff);
        }
        if (rpl > old_cpl) {
            x86_fixup_data_segs(cpu);
        }
    }
    x86_set_flags(cpu, (old & ~mask) | (fl & mask));
    x86_update_modes(cpu);
    cpu->next_ip = cpu->code64 ? ip : ip & x86_mask(size);
    return X86_END;
}
