/*
 * Segmentation (SDM Vol. 3A ch. 3 and 5): descriptor reads, segment
 * register loads with their protection checks, far JMP/CALL/RET through
 * code segments and call gates with stack switching.
 */
#include "target/i386/engine.h"

bool x86_is_real(X86CPU *cpu)
{
    return !(cpu->cr0 & CR0_PE);
}

void x86_update_modes(X86CPU *cpu)
{
    const X86Segment *cs = &cpu->seg[SEG_CS];

    cpu->code64 = (cpu->efer & EFER_LMA) && cs->l && !(cpu->eflags & F_VM);
    cpu->code32 = cpu->code64 || (cs->db && (cpu->cr0 & CR0_PE) &&
                                  !(cpu->eflags & F_VM)) ||
                  (cs->db && !(cpu->cr0 & CR0_PE));
    cpu->stack32 = cpu->seg[SEG_SS].db;
    if (!(cpu->cr0 & CR0_PE)) {
        cpu->cpl = 0;
    } else if (cpu->eflags & F_VM) {
        cpu->cpl = 3;
    }
    x86_update_mmu_idx(cpu);
}

void x86_seg_load_real(X86CPU *cpu, int seg, uint16_t sel)
{
    X86Segment *s = &cpu->seg[seg];

    s->selector = sel;
    s->base = (uint64_t)sel << 4;
    s->present = 1;
    s->unusable = 0;
    s->s = 1;
    if (cpu->eflags & F_VM) {
        s->limit = 0xffff;
        s->type = seg == SEG_CS ? 0xb : 0x3;
        s->dpl = 3;
        s->db = 0;
        s->g = 0;
        s->l = 0;
    } else if (seg == SEG_CS) {
        s->type = 0xb;
    } else if (!(s->type & 2) || (s->type & 8)) {
        s->type = 0x3;
    }
}

void x86_desc_to_seg(X86Segment *s, uint16_t sel, uint64_t d, uint64_t hi)
{
    uint32_t limit = (d & 0xffff) | ((d >> 32) & 0xf0000);

    s->selector = sel;
    s->base = ((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000);
    s->type = (d >> 40) & 0xf;
    s->s = (d >> 44) & 1;
    s->dpl = (d >> 45) & 3;
    s->present = (d >> 47) & 1;
    s->avl = (d >> 52) & 1;
    s->l = (d >> 53) & 1;
    s->db = (d >> 54) & 1;
    s->g = (d >> 55) & 1;
    s->limit = s->g ? (limit << 12) | 0xfff : limit;
    s->unusable = 0;
    if (!s->s) {
        s->base |= hi << 32;
    }
}

bool x86_desc_read(X86CPU *cpu, uint16_t sel, uint64_t *desc, int exc)
{
    uint64_t base, limit;
    unsigned off = sel & ~7;

    if (sel & 4) {
        if (cpu->seg[SEG_LDTR].unusable || !cpu->seg[SEG_LDTR].present) {
            x86_raise_err(cpu, exc, sel & ~3);
            return false;
        }
        base = cpu->seg[SEG_LDTR].base;
        limit = cpu->seg[SEG_LDTR].limit;
    } else {
        base = cpu->gdt.base;
        limit = cpu->gdt.limit;
    }
    if (off + 7 > limit) {
        x86_raise_err(cpu, exc, sel & ~3);
        return false;
    }
    return x86_read_lin(cpu, base + off, desc, 8, true);
}

/* Read the upper half of a 16-byte system descriptor. */
static bool desc_read_hi(X86CPU *cpu, uint16_t sel, uint64_t *hi, int exc)
{
    uint16_t s2 = (sel & ~7) + 8;

    *hi = 0;
    return x86_desc_read(cpu, (s2 & ~7) | (sel & 4), hi, exc);
}

bool x86_desc_write_hi(X86CPU *cpu, uint16_t sel, uint32_t hi)
{
    uint64_t base = (sel & 4) ? cpu->seg[SEG_LDTR].base : cpu->gdt.base;

    return x86_write_lin(cpu, base + (sel & ~7) + 4, &hi, 4, true);
}

static bool set_accessed(X86CPU *cpu, uint16_t sel, uint64_t *d)
{
    if (*d & (1ULL << 40)) {
        return true;
    }
    *d |= 1ULL << 40;
    return x86_desc_write_hi(cpu, sel, *d >> 32);
}

static bool fail(X86CPU *cpu, int exc, uint32_t err)
{
    x86_raise_err(cpu, exc, err);
    return false;
}

bool x86_seg_load(X86CPU *cpu, int seg, uint16_t sel)
{
    X86Segment *s = &cpu->seg[seg];
    uint64_t d;
    unsigned rpl = sel & 3, dpl, type;

    if ((sel & ~3) == 0) {
        if (seg == SEG_SS && !(cpu->code64 && cpu->cpl < 3 &&
                               rpl == cpu->cpl)) {
            return fail(cpu, EXC_GP, 0);
        }
        memset(s, 0, sizeof(*s));
        s->selector = sel;
        s->unusable = 1;
        if (seg == SEG_SS) {
            s->dpl = cpu->cpl;
            s->db = 1;
            s->type = 3;
            s->s = 1;
            s->present = 1;
            s->unusable = 0;
        }
        return true;
    }
    if (!x86_desc_read(cpu, sel, &d, EXC_GP)) {
        return false;
    }
    dpl = (d >> 45) & 3;
    type = (d >> 40) & 0xf;
    if (!((d >> 44) & 1)) {
        return fail(cpu, EXC_GP, sel & ~3);
    }
    if (seg == SEG_SS) {
        if (rpl != cpu->cpl || dpl != cpu->cpl || (type & 8) ||
            !(type & 2)) {
            return fail(cpu, EXC_GP, sel & ~3);
        }
        if (!((d >> 47) & 1)) {
            return fail(cpu, EXC_SS, sel & ~3);
        }
    } else {
        if ((type & 0xa) == 0x8) {          /* execute-only code */
            return fail(cpu, EXC_GP, sel & ~3);
        }
        if (!((type & 8) && (type & 4))) {  /* not conforming code */
            if (rpl > dpl || cpu->cpl > dpl) {
                return fail(cpu, EXC_GP, sel & ~3);
            }
        }
        if (!((d >> 47) & 1)) {
            return fail(cpu, EXC_NP, sel & ~3);
        }
    }
    if (!set_accessed(cpu, sel, &d)) {
        return false;
    }
    x86_desc_to_seg(s, sel, d, 0);
    return true;
}

/* Load CS from descriptor @d for a transfer to privilege @cpl. */
static void load_cs(X86CPU *cpu, uint16_t sel, uint64_t d, unsigned cpl)
{
    x86_desc_to_seg(&cpu->seg[SEG_CS], (sel & ~3) | cpl, d, 0);
    cpu->cpl = cpl;
    x86_update_modes(cpu);
}

/* Check a code segment descriptor for JMP/CALL (no gate). */
static bool check_code_direct(X86CPU *cpu, uint16_t sel, uint64_t d)
{
    unsigned dpl = (d >> 45) & 3, type = (d >> 40) & 0xf, rpl = sel & 3;

    if (!((d >> 44) & 1) || !(type & 8)) {
        return fail(cpu, EXC_GP, sel & ~3);
    }
    if (type & 4) {
        if (dpl > cpu->cpl) {
            return fail(cpu, EXC_GP, sel & ~3);
        }
    } else if (rpl > cpu->cpl || dpl != cpu->cpl) {
        return fail(cpu, EXC_GP, sel & ~3);
    }
    if (!((d >> 47) & 1)) {
        return fail(cpu, EXC_NP, sel & ~3);
    }
    if ((cpu->efer & EFER_LMA) && ((d >> 53) & 1) && ((d >> 54) & 1)) {
        return fail(cpu, EXC_GP, sel & ~3);
    }
    return true;
}

/* Read the inner stack for privilege @dpl from the TSS. */
static bool tss_stack(X86CPU *cpu, unsigned dpl, uint16_t *ss, uint64_t *sp)
{
    X86Segment *tr = &cpu->seg[SEG_TR];

    if (cpu->efer & EFER_LMA) {
        uint64_t off = 4 + dpl * 8;
        if (off + 7 > tr->limit) {
            return fail(cpu, EXC_TS, tr->selector & ~3);
        }
        *ss = dpl;                          /* null selector, RPL = dpl */
        return x86_read_lin(cpu, tr->base + off, sp, 8, true);
    }
    if (!(tr->type & 8)) {                 /* 16-bit TSS */
        uint16_t v[2];
        uint64_t off = 2 + dpl * 4;
        if (off + 3 > tr->limit) {
            return fail(cpu, EXC_TS, tr->selector & ~3);
        }
        if (!x86_read_lin(cpu, tr->base + off, v, 4, true)) {
            return false;
        }
        *sp = v[0];
        *ss = v[1];
        return true;
    }
    {
        uint32_t esp;
        uint16_t s;
        uint64_t off = 4 + dpl * 8;
        if (off + 5 > tr->limit) {
            return fail(cpu, EXC_TS, tr->selector & ~3);
        }
        if (!x86_read_lin(cpu, tr->base + off, &esp, 4, true) ||
            !x86_read_lin(cpu, tr->base + off + 4, &s, 2, true)) {
            return false;
        }
        *sp = esp;
        *ss = s;
        return true;
    }
}

bool x86_load_inner_stack(X86CPU *cpu, unsigned dpl, uint16_t *ss_sel,
                          uint64_t *sp, X86Segment *ss_out)
{
    uint64_t d;
    unsigned type;

    if (!tss_stack(cpu, dpl, ss_sel, sp)) {
        return false;
    }
    if (cpu->efer & EFER_LMA) {
        memset(ss_out, 0, sizeof(*ss_out));
        ss_out->selector = dpl;
        ss_out->unusable = 0;
        ss_out->dpl = dpl;
        ss_out->db = 1;
        ss_out->type = 3;
        ss_out->s = 1;
        ss_out->present = 1;
        return true;
    }
    if ((*ss_sel & ~3) == 0) {
        return fail(cpu, EXC_TS, *ss_sel & ~3);
    }
    if (!x86_desc_read(cpu, *ss_sel, &d, EXC_TS)) {
        return false;
    }
    type = (d >> 40) & 0xf;
    if ((*ss_sel & 3) != dpl || ((d >> 45) & 3) != dpl ||
        !((d >> 44) & 1) || (type & 8) || !(type & 2)) {
        return fail(cpu, EXC_TS, *ss_sel & ~3);
    }
    if (!((d >> 47) & 1)) {
        return fail(cpu, EXC_SS, *ss_sel & ~3);
    }
    set_accessed(cpu, *ss_sel, &d);
    x86_desc_to_seg(ss_out, *ss_sel, d, 0);
    return true;
}

/* Push @v of @size on a stack that is not loaded yet (@ss, *@sp):
 * @flat64 for 64-bit stacks, else SS.B selects 32/16-bit. */
bool x86_push_on(X86CPU *cpu, const X86Segment *ss, uint64_t *sp,
                 unsigned size, uint64_t v, bool flat64)
{
    uint64_t m = flat64 ? ~0ULL : ss->db ? 0xffffffffULL : 0xffffULL;
    uint64_t lin;

    *sp = (*sp - size) & m;
    if (flat64) {
        lin = *sp;
    } else {
        if (*sp + size - 1 > ss->limit) {
            return fail(cpu, EXC_SS, ss->selector & ~3);
        }
        lin = (ss->base + *sp) & 0xffffffffULL;
    }
    return x86_write_lin(cpu, lin, &v, size, cpu->cpl < 3);
}

bool x86_far_jump(X86CPU *cpu, uint16_t sel, uint64_t off, bool call,
                  unsigned opsize, uint64_t ret_ip)
{
    uint64_t d, hi = 0;
    unsigned type, dpl;

    if (x86_is_real(cpu) || (cpu->eflags & F_VM)) {
        if (call) {
            uint16_t cs = cpu->seg[SEG_CS].selector;
            if (!x86_push(cpu, opsize, cs) || !x86_push(cpu, opsize, ret_ip)) {
                return false;
            }
        }
        x86_seg_load_real(cpu, SEG_CS, sel);
        cpu->next_ip = off & x86_mask(opsize);
        return true;
    }
    if ((sel & ~3) == 0) {
        return fail(cpu, EXC_GP, 0);
    }
    if (!x86_desc_read(cpu, sel, &d, EXC_GP)) {
        return false;
    }
    type = (d >> 40) & 0xf;
    dpl = (d >> 45) & 3;
    if ((d >> 44) & 1) {                    /* code segment */
        if (!check_code_direct(cpu, sel, d)) {
            return false;
        }
        if (!((d >> 53) & 1 && cpu->efer & EFER_LMA)) {
            uint32_t limit = (d & 0xffff) | ((d >> 32) & 0xf0000);
            if ((d >> 55) & 1) {
                limit = (limit << 12) | 0xfff;
            }
            off &= x86_mask(opsize);
            if (off > limit) {
                return fail(cpu, EXC_GP, 0);
            }
        }
        if (call) {
            uint16_t cs = cpu->seg[SEG_CS].selector;
            if (!x86_push(cpu, opsize, cs) || !x86_push(cpu, opsize, ret_ip)) {
                return false;
            }
        }
        set_accessed(cpu, sel, &d);
        load_cs(cpu, sel, d, cpu->cpl);
        cpu->next_ip = off;
        return true;
    }
    switch (type) {
    case 1: case 9:                         /* available TSS */
    case 5:                                 /* task gate */
        if (cpu->efer & EFER_LMA) {
            return fail(cpu, EXC_GP, sel & ~3);
        }
        if (dpl < cpu->cpl || dpl < (sel & 3)) {
            return fail(cpu, EXC_GP, sel & ~3);
        }
        return x86_task_switch(cpu, sel, d, call ? TS_CALL : TS_JMP,
                               false, 0);
    case 4: case 12:                        /* call gate */
        break;
    default:
        return fail(cpu, EXC_GP, sel & ~3);
    }
    if ((cpu->efer & EFER_LMA) && type != 12) {
        return fail(cpu, EXC_GP, sel & ~3);
    }
    if (dpl < cpu->cpl || dpl < (sel & 3)) {
        return fail(cpu, EXC_GP, sel & ~3);
    }
    if (!((d >> 47) & 1)) {
        return fail(cpu, EXC_NP, sel & ~3);
    }
    if (cpu->efer & EFER_LMA) {
        if (!desc_read_hi(cpu, sel, &hi, EXC_GP)) {
            return false;
        }
        if ((hi >> 40) & 0x1f) {
            return fail(cpu, EXC_GP, sel & ~3);
        }
    }
    {
        uint16_t tsel = (d >> 16) & 0xffff;
        uint64_t toff = (d & 0xffff) | ((d >> 32) & 0xffff0000ULL);
        unsigned gsize = (type & 8) ? ((cpu->efer & EFER_LMA) ? 8 : 4) : 2;
        unsigned params = d >> 32 & 0x1f;
        uint64_t td;
        unsigned tdpl, ttype;

        if (cpu->efer & EFER_LMA) {
            toff |= (hi & 0xffffffffULL) << 32;
            params = 0;
        }
        if ((tsel & ~3) == 0) {
            return fail(cpu, EXC_GP, 0);
        }
        if (!x86_desc_read(cpu, tsel, &td, EXC_GP)) {
            return false;
        }
        tdpl = (td >> 45) & 3;
        ttype = (td >> 40) & 0xf;
        if (!((td >> 44) & 1) || !(ttype & 8) || tdpl > cpu->cpl) {
            return fail(cpu, EXC_GP, tsel & ~3);
        }
        if (!call && !(ttype & 4) && tdpl != cpu->cpl) {
            return fail(cpu, EXC_GP, tsel & ~3);
        }
        if (!((td >> 47) & 1)) {
            return fail(cpu, EXC_NP, tsel & ~3);
        }
        if ((cpu->efer & EFER_LMA) && !(((td >> 53) & 1) && !((td >> 54) & 1))) {
            return fail(cpu, EXC_GP, tsel & ~3);
        }
        if (call && !(ttype & 4) && tdpl < cpu->cpl) {
            /* call to a more privileged level: switch stacks */
            X86Segment nss;
            uint16_t nss_sel;
            uint64_t nsp, osp = cpu->regs[R_ESP];
            uint16_t oss = cpu->seg[SEG_SS].selector;
            uint64_t pv[32];
            unsigned ss_size = x86_stack_size(cpu);
            unsigned saved_cpl = cpu->cpl;
            bool lma = cpu->efer & EFER_LMA;

            for (unsigned i = 0; i < params; i++) {
                pv[i] = 0;
                if (!x86_read(cpu, SEG_SS, (osp + i * gsize) &
                              x86_mask(ss_size), &pv[i], gsize)) {
                    return false;
                }
            }
            cpu->cpl = tdpl;                /* TSS and new stack at tdpl */
            if (!x86_load_inner_stack(cpu, tdpl, &nss_sel, &nsp, &nss)) {
                cpu->cpl = saved_cpl;
                return false;
            }
            x86_update_mmu_idx(cpu);
            if (!x86_push_on(cpu, &nss, &nsp, gsize, oss, lma) ||
                !x86_push_on(cpu, &nss, &nsp, gsize, osp, lma)) {
                goto undo;
            }
            for (int i = params - 1; i >= 0; i--) {
                if (!x86_push_on(cpu, &nss, &nsp, gsize, pv[i], lma)) {
                    goto undo;
                }
            }
            if (!x86_push_on(cpu, &nss, &nsp, gsize,
                             cpu->seg[SEG_CS].selector, lma) ||
                !x86_push_on(cpu, &nss, &nsp, gsize, ret_ip, lma)) {
                goto undo;
            }
            cpu->seg[SEG_SS] = nss;
            cpu->regs[R_ESP] = nsp;
            set_accessed(cpu, tsel, &td);
            load_cs(cpu, tsel, td, tdpl);
            cpu->next_ip = toff & x86_mask(gsize);
            return true;
undo:
            cpu->cpl = saved_cpl;
            x86_update_mmu_idx(cpu);
            return false;
        }
        if (call) {
            if (!x86_push(cpu, gsize, cpu->seg[SEG_CS].selector) ||
                !x86_push(cpu, gsize, ret_ip)) {
                return false;
            }
        }
        set_accessed(cpu, tsel, &td);
        load_cs(cpu, tsel, td, cpu->cpl);
        cpu->next_ip = toff & x86_mask(gsize);
        return true;
    }
}

/* After a return to an outer level: null data segments the new CPL may
 * not use (SDM RET/IRET pseudo-code). */
void x86_fixup_data_segs(X86CPU *cpu)
{
    static const int segs[] = { SEG_ES, SEG_DS, SEG_FS, SEG_GS };

    for (unsigned i = 0; i < G_N_ELEMENTS(segs); i++) {
        X86Segment *s = &cpu->seg[segs[i]];
        bool conforming_code = (s->type & 0xc) == 0xc;
        if (!s->unusable && s->s && !conforming_code && s->dpl < cpu->cpl) {
            s->unusable = 1;
            s->selector = 0;
        }
    }
}

bool x86_far_return(X86CPU *cpu, unsigned opsize, unsigned pop_extra)
{
    unsigned ss_size = x86_stack_size(cpu);
    uint64_t sp = cpu->regs[R_ESP], ip = 0, cs = 0, d;
    unsigned rpl;

    if (!x86_read(cpu, SEG_SS, sp & x86_mask(ss_size), &ip, opsize) ||
        !x86_read(cpu, SEG_SS, (sp + opsize) & x86_mask(ss_size), &cs,
                  opsize)) {
        return false;
    }
    cs &= 0xffff;
    if (x86_is_real(cpu) || (cpu->eflags & F_VM)) {
        x86_seg_load_real(cpu, SEG_CS, cs);
        cpu->next_ip = ip & x86_mask(opsize);
        sp += 2 * opsize + pop_extra;
        goto set_sp;
    }
    if ((cs & ~3) == 0) {
        return fail(cpu, EXC_GP, 0);
    }
    if (!x86_desc_read(cpu, cs, &d, EXC_GP)) {
        return false;
    }
    rpl = cs & 3;
    {
        unsigned dpl = (d >> 45) & 3, type = (d >> 40) & 0xf;
        if (!((d >> 44) & 1) || !(type & 8) || rpl < cpu->cpl ||
            ((type & 4) ? dpl > rpl : dpl != rpl)) {
            return fail(cpu, EXC_GP, cs & ~3);
        }
        if (!((d >> 47) & 1)) {
            return fail(cpu, EXC_NP, cs & ~3);
        }
    }
    if (rpl == cpu->cpl) {
        set_accessed(cpu, cs, &d);
        load_cs(cpu, cs, d, rpl);
        cpu->next_ip = cpu->code64 ? ip : ip & x86_mask(opsize);
        sp += 2 * opsize + pop_extra;
        goto set_sp;
    }
    {
        /* return to an outer level: pop SS:SP too */
        uint64_t nsp = 0, nss = 0, sd;
        uint64_t base = sp + 2 * opsize + pop_extra;
        X86Segment ss;
        if (!x86_read(cpu, SEG_SS, base & x86_mask(ss_size), &nsp, opsize) ||
            !x86_read(cpu, SEG_SS, (base + opsize) & x86_mask(ss_size), &nss,
                      opsize)) {
            return false;
        }
        nss &= 0xffff;
        if ((nss & ~3) == 0) {
            if (!(cpu->efer & EFER_LMA) || rpl == 3 || !((d >> 53) & 1)) {
                return fail(cpu, EXC_GP, 0);
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
                return false;
            }
            st = (sd >> 40) & 0xf;
            if ((nss & 3) != rpl || ((sd >> 45) & 3) != rpl ||
                !((sd >> 44) & 1) || (st & 8) || !(st & 2)) {
                return fail(cpu, EXC_GP, nss & ~3);
            }
            if (!((sd >> 47) & 1)) {
                return fail(cpu, EXC_SS, nss & ~3);
            }
            set_accessed(cpu, nss, &sd);
            x86_desc_to_seg(&ss, nss, sd, 0);
        }
        set_accessed(cpu, cs, &d);
        load_cs(cpu, cs, d, rpl);
        cpu->seg[SEG_SS] = ss;
        x86_update_modes(cpu);
        cpu->next_ip = cpu->code64 ? ip : ip & x86_mask(opsize);
        ss_size = x86_stack_size(cpu);
        sp = nsp + pop_extra;
        x86_fixup_data_segs(cpu);
    }
set_sp:
    if (ss_size == 2) {
        cpu->regs[R_ESP] = (cpu->regs[R_ESP] & ~0xffffULL) | (sp & 0xffff);
    } else if (ss_size == 4) {
        cpu->regs[R_ESP] = (uint32_t)sp;
    } else {
        cpu->regs[R_ESP] = sp;
    }
    return true;
}
