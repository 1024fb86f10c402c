/*
 * Data movement and the stack: MOV forms, LEA, MOVZX/MOVSX/MOVSXD, XCHG
 * with eAX, XLAT, PUSH/POP (registers, memory, immediates, flags, all),
 * ENTER/LEAVE, segment register moves and far-pointer loads.
 */
#include "target/i386/engine.h"

int op_mov_rm(X86CPU *cpu, const X86Insn *insn)
{
    unsigned size = insn->opsize;
    uint64_t v;

    if (insn->opcode & 2) {                 /* 8A/8B: G <- E */
        if (!x86_rm_read(cpu, insn, size, &v)) {
            return X86_EXC;
        }
        x86_set_reg(cpu, insn, insn->reg, size, v);
        return X86_NEXT;
    }
    v = x86_get_reg(cpu, insn, insn->reg, size);
    return x86_rm_write(cpu, insn, size, v) ? X86_NEXT : X86_EXC;
}

int op_mov_r_imm(X86CPU *cpu, const X86Insn *insn)
{
    x86_set_reg(cpu, insn, insn->rm, insn->opsize, insn->imm);
    return X86_NEXT;
}

int op_mov_rm_imm(X86CPU *cpu, const X86Insn *insn)
{
    if ((insn->modrm >> 3) & 7) {
        return x86_ud(cpu);
    }
    return x86_rm_write(cpu, insn, insn->opsize, insn->imm) ? X86_NEXT
                                                           : X86_EXC;
}

int op_mov_moffs(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t v = 0, ea = (uint64_t)insn->disp & x86_mask(insn->addrsize);
    unsigned size = insn->opsize;

    if (insn->opcode < 0xa2) {
        if (!x86_read(cpu, insn->seg, ea, &v, size)) {
            return X86_EXC;
        }
        x86_set_reg(cpu, insn, R_EAX, size, v);
        return X86_NEXT;
    }
    v = cpu->regs[R_EAX];
    return x86_write(cpu, insn->seg, ea, &v, size) ? X86_NEXT : X86_EXC;
}

int op_lea(X86CPU *cpu, const X86Insn *insn)
{
    if (insn->mod == 3) {
        return x86_ud(cpu);
    }
    x86_set_reg(cpu, insn, insn->reg, insn->opsize, x86_insn_ea(cpu, insn));
    return X86_NEXT;
}

int op_movzx(X86CPU *cpu, const X86Insn *insn)
{
    unsigned ssize = insn->opcode & 1 ? 2 : 1;
    uint64_t v;
    X86Insn tmp;

    if (ssize == 1) {
        /* byte register operands follow the byte register rules */
        if (insn->mod == 3) {
            v = x86_get_reg(cpu, insn, insn->rm, 1);
        } else if (!x86_rm_read(cpu, insn, 1, &v)) {
            return X86_EXC;
        }
    } else {
        tmp = *insn;
        if (!x86_rm_read(cpu, &tmp, 2, &v)) {
            return X86_EXC;
        }
    }
    x86_set_reg(cpu, insn, insn->reg, insn->opsize, v);
    return X86_NEXT;
}

int op_movsx(X86CPU *cpu, const X86Insn *insn)
{
    unsigned ssize = insn->opcode & 1 ? 2 : 1;
    uint64_t v;

    if (!x86_rm_read(cpu, insn, ssize, &v)) {
        return X86_EXC;
    }
    v = ssize == 1 ? (uint64_t)(int8_t)v : (uint64_t)(int16_t)v;
    x86_set_reg(cpu, insn, insn->reg, insn->opsize, v);
    return X86_NEXT;
}

/* 63: ARPL outside 64-bit mode, MOVSXD in it */
int op_arpl_movsxd(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t v;

    if (cpu->code64) {
        unsigned ssize = insn->opsize == 8 ? 4 : insn->opsize;
        if (!x86_rm_read(cpu, insn, ssize, &v)) {
            return X86_EXC;
        }
        if (insn->opsize == 8) {
            v = (uint64_t)(int32_t)v;
        }
        x86_set_reg(cpu, insn, insn->reg, insn->opsize, v);
        return X86_NEXT;
    }
    if (x86_is_real(cpu) || (cpu->eflags & F_VM)) {
        return x86_ud(cpu);
    }
    {
        uint64_t src = x86_get_reg(cpu, insn, insn->reg, 2);
        uint32_t f = x86_cc_compute(&cpu->cc) & ~F_ZF;
        if (!x86_rm_read(cpu, insn, 2, &v)) {
            return X86_EXC;
        }
        if ((v & 3) < (src & 3)) {
            v = (v & ~3ULL) | (src & 3);
            if (!x86_rm_write(cpu, insn, 2, v)) {
                return X86_EXC;
            }
            f |= F_ZF;
        }
        x86_set_arith_flags(cpu, f);
        return X86_NEXT;
    }
}

int op_xchg_ax(X86CPU *cpu, const X86Insn *insn)
{
    unsigned size = insn->opsize, r = insn->rm;
    uint64_t a, b;

    if (r == R_EAX) {
        return X86_NEXT;                    /* NOP / PAUSE */
    }
    a = x86_get_reg(cpu, insn, R_EAX, size);
    b = x86_get_reg(cpu, insn, r, size);
    x86_set_reg(cpu, insn, R_EAX, size, b);
    x86_set_reg(cpu, insn, r, size, a);
    return X86_NEXT;
}

int op_xlat(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t ea = (cpu->regs[R_EBX] + (cpu->regs[R_EAX] & 0xff)) &
                  x86_mask(insn->addrsize);
    uint8_t v;

    if (!x86_read(cpu, insn->seg, ea, &v, 1)) {
        return X86_EXC;
    }
    x86_set_reg(cpu, insn, R_EAX, 1, v);
    return X86_NEXT;
}

int op_movnti(X86CPU *cpu, const X86Insn *insn)
{
    if (insn->mod == 3 || insn->opsize == 2) {
        return x86_ud(cpu);
    }
    return x86_rm_write(cpu, insn, insn->opsize,
                        cpu->regs[insn->reg]) ? X86_NEXT : X86_EXC;
}

int op_nop_modrm(X86CPU *cpu, const X86Insn *insn)
{
    return X86_NEXT;
}

/* ---- stack ---- */

unsigned x86_stack_size(X86CPU *cpu)
{
    return cpu->code64 ? 8 : (cpu->seg[SEG_SS].db ? 4 : 2);
}

static void set_sp(X86CPU *cpu, unsigned ss, uint64_t sp)
{
    if (ss == 2) {
        cpu->regs[R_ESP] = (cpu->regs[R_ESP] & ~0xffffULL) | (sp & 0xffff);
    } else if (ss == 4) {
        cpu->regs[R_ESP] = (uint32_t)sp;
    } else {
        cpu->regs[R_ESP] = sp;
    }
}

bool x86_push(X86CPU *cpu, unsigned size, uint64_t v)
{
    unsigned ss;
    uint64_t sp;

    if (likely(cpu->code64 && !cpu->slow_data)) {
        /* 64-bit stack: flat, no limit; TLB hit inside one page */
        void *h = x86_lin_fast_ptr(cpu, cpu->regs[R_ESP] - size, size,
                                   ACC_WRITE);
        if (likely(h)) {
            x86_host_store(h, size, v);
            cpu->regs[R_ESP] -= size;
            return true;
        }
    }
    ss = x86_stack_size(cpu);
    sp = (cpu->regs[R_ESP] - size) & x86_mask(ss);

    if (!x86_write(cpu, SEG_SS, sp, &v, size)) {
        return false;
    }
    set_sp(cpu, ss, sp);
    return true;
}

bool x86_pop(X86CPU *cpu, unsigned size, uint64_t *v)
{
    unsigned ss;
    uint64_t sp;

    if (likely(cpu->code64 && !cpu->slow_data)) {
        void *h = x86_lin_fast_ptr(cpu, cpu->regs[R_ESP], size, ACC_READ);
        if (likely(h)) {
            *v = x86_host_load(h, size);
            cpu->regs[R_ESP] += size;
            return true;
        }
    }
    ss = x86_stack_size(cpu);
    sp = cpu->regs[R_ESP] & x86_mask(ss);
    *v = 0;
    if (!x86_read(cpu, SEG_SS, sp, v, size)) {
        return false;
    }
    set_sp(cpu, ss, sp + size);
    return true;
}

int op_push_r(X86CPU *cpu, const X86Insn *insn)
{
    return x86_push(cpu, insn->opsize, cpu->regs[insn->rm]) ? X86_NEXT
                                                            : X86_EXC;
}

int op_pop_r(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t v;

    if (!x86_pop(cpu, insn->opsize, &v)) {
        return X86_EXC;
    }
    x86_set_reg(cpu, insn, insn->rm, insn->opsize, v);
    return X86_NEXT;
}

int op_push_imm(X86CPU *cpu, const X86Insn *insn)
{
    return x86_push(cpu, insn->opsize, insn->imm) ? X86_NEXT : X86_EXC;
}

int op_pop_rm(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t v, old_sp = cpu->regs[R_ESP];

    if ((insn->modrm >> 3) & 7) {
        return x86_ud(cpu);
    }
    if (!x86_pop(cpu, insn->opsize, &v)) {
        return X86_EXC;
    }
    /* the address is computed with the incremented stack pointer */
    if (!x86_rm_write(cpu, insn, insn->opsize, v)) {
        cpu->regs[R_ESP] = old_sp;
        return X86_EXC;
    }
    return X86_NEXT;
}

int op_pushf(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t f = x86_get_flags(cpu) & ~(uint64_t)(F_VM | F_RF);

    if ((cpu->eflags & F_VM) && ((cpu->eflags >> 12) & 3) < 3) {
        if (!(cpu->cr4 & CR4_VME) || insn->opsize != 2) {
            return x86_gp0(cpu);
        }
        f = (f & ~(uint64_t)F_IF) | ((cpu->eflags & F_VIF) ? F_IF : 0) |
            F_IOPL;
    }
    return x86_push(cpu, insn->opsize, f) ? X86_NEXT : X86_EXC;
}

int op_popf(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t v, old = x86_get_flags(cpu), mask;
    unsigned iopl = (old >> 12) & 3;

    if ((cpu->eflags & F_VM) && iopl < 3) {
        return x86_gp0(cpu);
    }
    if (!x86_pop(cpu, insn->opsize, &v)) {
        return X86_EXC;
    }
    mask = F_ARITH | F_TF | F_DF | F_NT | F_AC | F_ID | F_IF | F_IOPL;
    if (cpu->cpl > 0 && (cpu->cr0 & CR0_PE)) {
        mask &= ~(uint64_t)F_IOPL;
        if (cpu->cpl > iopl) {
            mask &= ~(uint64_t)F_IF;
        }
    }
    if (cpu->eflags & F_VM) {
        mask &= ~(uint64_t)F_IOPL;
    }
    if (insn->opsize == 2) {
        mask &= 0xffff;
    }
    x86_set_flags(cpu, (old & ~mask) | (v & mask));
    cpu->eflags &= ~(uint64_t)F_RF;
    x86_update_mmu_idx(cpu);
    return X86_END;
}

static const uint8_t pusha_order[8] = {
    R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI
};

int op_pusha(X86CPU *cpu, const X86Insn *insn)
{
    unsigned size = insn->opsize, ss = x86_stack_size(cpu);
    uint64_t sp = cpu->regs[R_ESP];
    uint8_t buf[32];

    for (int i = 0; i < 8; i++) {
        uint64_t v = cpu->regs[pusha_order[7 - i]];
        memcpy(buf + i * size, &v, size);
    }
    sp = (sp - 8 * size) & x86_mask(ss);
    if (!x86_write(cpu, SEG_SS, sp, buf, 8 * size)) {
        return X86_EXC;
    }
    set_sp(cpu, ss, sp);
    return X86_NEXT;
}

int op_popa(X86CPU *cpu, const X86Insn *insn)
{
    unsigned size = insn->opsize, ss = x86_stack_size(cpu);
    uint64_t sp = cpu->regs[R_ESP] & x86_mask(ss);
    uint8_t buf[32];

    if (!x86_read(cpu, SEG_SS, sp, buf, 8 * size)) {
        return X86_EXC;
    }
    for (int i = 0; i < 8; i++) {
        uint64_t v = 0;
        unsigned r = pusha_order[7 - i];
        memcpy(&v, buf + i * size, size);
        if (r != R_ESP) {
            x86_set_reg(cpu, insn, r, size, v);
        }
    }
    set_sp(cpu, ss, sp + 8 * size);
    return X86_NEXT;
}

int op_enter(X86CPU *cpu, const X86Insn *insn)
{
    unsigned size = insn->opsize, ss = x86_stack_size(cpu);
    unsigned level = insn->imm2 & 31;
    uint64_t m = x86_mask(ss);
    uint64_t sp = cpu->regs[R_ESP], bp = cpu->regs[R_EBP], frame;
    uint64_t v;

    sp = (sp - size) & m;
    if (!x86_write(cpu, SEG_SS, sp, &bp, size)) {
        return X86_EXC;
    }
    frame = sp;
    for (unsigned i = 1; i < level; i++) {
        bp = (bp - size) & m;
        v = 0;
        if (!x86_read(cpu, SEG_SS, bp & x86_mask(ss), &v, size)) {
            return X86_EXC;
        }
        sp = (sp - size) & m;
        if (!x86_write(cpu, SEG_SS, sp, &v, size)) {
            return X86_EXC;
        }
    }
    if (level) {
        sp = (sp - size) & m;
        if (!x86_write(cpu, SEG_SS, sp, &frame, size)) {
            return X86_EXC;
        }
    }
    sp = (sp - insn->imm) & m;
    if (!x86_probe_write(cpu, SEG_SS, sp, 1)) {
        return X86_EXC;
    }
    x86_set_reg(cpu, insn, R_EBP, size == 8 ? 8 : size, frame);
    set_sp(cpu, ss, sp);
    return X86_NEXT;
}

int op_leave(X86CPU *cpu, const X86Insn *insn)
{
    unsigned ss = x86_stack_size(cpu);
    uint64_t bp = cpu->regs[R_EBP] & x86_mask(ss), v = 0;

    if (!x86_read(cpu, SEG_SS, bp, &v, insn->opsize)) {
        return X86_EXC;
    }
    set_sp(cpu, ss, bp + insn->opsize);
    x86_set_reg(cpu, insn, R_EBP, insn->opsize, v);
    return X86_NEXT;
}

/* ---- segment registers ---- */

static int load_sreg(X86CPU *cpu, int seg, uint16_t sel)
{
    if (x86_is_real(cpu) || (cpu->eflags & F_VM)) {
        x86_seg_load_real(cpu, seg, sel);
    } else if (!x86_seg_load(cpu, seg, sel)) {
        return X86_EXC;
    }
    if (seg == SEG_SS) {
        cpu->shadow |= X86_SHADOW_MOV_SS;
        x86_update_modes(cpu);
        return X86_END;
    }
    return X86_NEXT;
}

/* 06/07 0E 16/17 1E/1F, 0F A0/A1 A8/A9 */
int op_pushpop_sreg(X86CPU *cpu, const X86Insn *insn)
{
    int seg;
    bool pop;
    uint64_t v;

    if (insn->map == MAP_0F) {
        seg = insn->opcode < 0xa8 ? SEG_FS : SEG_GS;
        pop = insn->opcode & 1;
    } else {
        seg = insn->opcode >> 3;
        pop = insn->opcode & 1;
    }
    if (!pop) {
        /* recent processors write only the 16-bit selector of a wider
         * push, leaving the rest of the slot unmodified (SDM PUSH) */
        unsigned ss = x86_stack_size(cpu);
        uint64_t sp = (cpu->regs[R_ESP] - insn->opsize) & x86_mask(ss);
        uint16_t sel = cpu->seg[seg].selector;
        if (!x86_probe_write(cpu, SEG_SS, sp, insn->opsize) ||
            !x86_write(cpu, SEG_SS, sp, &sel, 2)) {
            return X86_EXC;
        }
        set_sp(cpu, ss, sp);
        return X86_NEXT;
    }
    {
        unsigned ss = x86_stack_size(cpu);
        uint64_t sp = cpu->regs[R_ESP] & x86_mask(ss), old = cpu->regs[R_ESP];
        int st;
        v = 0;
        if (!x86_read(cpu, SEG_SS, sp, &v, insn->opsize)) {
            return X86_EXC;
        }
        set_sp(cpu, ss, sp + insn->opsize);
        st = load_sreg(cpu, seg, v);
        if (st == X86_EXC) {
            cpu->regs[R_ESP] = old;
        }
        return st;
    }
}

int op_mov_from_sreg(X86CPU *cpu, const X86Insn *insn)
{
    unsigned seg = (insn->modrm >> 3) & 7;

    if (seg > SEG_GS) {
        return x86_ud(cpu);
    }
    if (insn->mod == 3) {
        x86_set_reg(cpu, insn, insn->rm, insn->opsize,
                    cpu->seg[seg].selector);
        return X86_NEXT;
    }
    return x86_rm_write(cpu, insn, 2, cpu->seg[seg].selector) ? X86_NEXT
                                                             : X86_EXC;
}

int op_mov_to_sreg(X86CPU *cpu, const X86Insn *insn)
{
    unsigned seg = (insn->modrm >> 3) & 7;
    uint64_t v;

    if (seg == SEG_CS || seg > SEG_GS) {
        return x86_ud(cpu);
    }
    if (!x86_rm_read(cpu, insn, 2, &v)) {
        return X86_EXC;
    }
    return load_sreg(cpu, seg, v);
}

/* LES LDS (C4 C5), LSS LFS LGS (0F B2 B4 B5) */
int op_lxs(X86CPU *cpu, const X86Insn *insn)
{
    int seg;
    uint64_t off = 0, ea;
    uint16_t sel;
    int st;

    if (insn->mod == 3) {
        return x86_ud(cpu);
    }
    if (insn->map == MAP_1B) {
        seg = insn->opcode == 0xc4 ? SEG_ES : SEG_DS;
    } else {
        seg = insn->opcode == 0xb2 ? SEG_SS
            : insn->opcode == 0xb4 ? SEG_FS : SEG_GS;
    }
    ea = x86_insn_ea(cpu, insn);
    if (!x86_read(cpu, insn->seg, ea, &off, insn->opsize) ||
        !x86_read(cpu, insn->seg, (ea + insn->opsize) &
                  x86_mask(insn->addrsize), &sel, 2)) {
        return X86_EXC;
    }
    st = load_sreg(cpu, seg, sel);
    if (st != X86_EXC) {
        x86_set_reg(cpu, insn, insn->reg, insn->opsize, off);
    }
    return st;
}
