/*
 * Control transfer: Jcc, JMP, CALL, RET (near and far), LOOP/JCXZ, group 5,
 * INT n/INT3/INTO/INT1, IRET, BOUND.
 */
#include "target/i386/engine.h"

/* Near branch to @target with operand size @size; #GP(0) if outside CS. */
static int branch(X86CPU *cpu, uint64_t target, unsigned size)
{
    if (cpu->code64) {
        if (size != 8) {
            target &= x86_mask(size);
        }
        if (!x86_canonical(target)) {
            return x86_gp0(cpu);
        }
    } else {
        target &= x86_mask(size);
        if (target > cpu->seg[SEG_CS].limit) {
            return x86_gp0(cpu);
        }
    }
    cpu->next_ip = target;
    return X86_END;
}

int op_jcc(X86CPU *cpu, const X86Insn *insn)
{
    if (!x86_cond(cpu, insn->opcode & 15)) {
        return X86_END;
    }
    return branch(cpu, cpu->next_ip + insn->imm, insn->opsize);
}

int op_jmp_rel(X86CPU *cpu, const X86Insn *insn)
{
    return branch(cpu, cpu->next_ip + insn->imm, insn->opsize);
}

int op_call_rel(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t target = cpu->next_ip + insn->imm;
    uint64_t ret = cpu->next_ip;
    uint64_t sp = cpu->regs[R_ESP];
    int st = branch(cpu, target, insn->opsize);

    if (st == X86_EXC) {
        return st;
    }
    if (!x86_push(cpu, insn->opsize, ret)) {
        cpu->regs[R_ESP] = sp;
        return X86_EXC;
    }
    return X86_END;
}

int op_ret(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t ip, sp = cpu->regs[R_ESP];
    unsigned ss = x86_stack_size(cpu);
    int st;

    if (!x86_pop(cpu, insn->opsize, &ip)) {
        return X86_EXC;
    }
    st = branch(cpu, ip, insn->opsize);
    if (st == X86_EXC) {
        cpu->regs[R_ESP] = sp;
        return st;
    }
    if (insn->opcode == 0xc2) {
        uint64_t nsp = (cpu->regs[R_ESP] + insn->imm) & x86_mask(ss);
        if (ss == 2) {
            cpu->regs[R_ESP] = (cpu->regs[R_ESP] & ~0xffffULL) | nsp;
        } else {
            cpu->regs[R_ESP] = nsp;
        }
    }
    return X86_END;
}

int op_loop(X86CPU *cpu, const X86Insn *insn)
{
    unsigned as = insn->addrsize;
    uint64_t c = (cpu->regs[R_ECX] - 1) & x86_mask(as);
    bool take = c != 0;

    x86_set_reg(cpu, insn, R_ECX, as, c);
    if (insn->opcode == 0xe0) {
        take = take && !x86_cond(cpu, 4);
    } else if (insn->opcode == 0xe1) {
        take = take && x86_cond(cpu, 4);
    }
    if (!take) {
        return X86_END;
    }
    return branch(cpu, cpu->next_ip + insn->imm, insn->opsize);
}

int op_jcxz(X86CPU *cpu, const X86Insn *insn)
{
    if (cpu->regs[R_ECX] & x86_mask(insn->addrsize)) {
        return X86_END;
    }
    return branch(cpu, cpu->next_ip + insn->imm, insn->opsize);
}

int op_jmpf_imm(X86CPU *cpu, const X86Insn *insn)
{
    if (!x86_far_jump(cpu, insn->imm2, insn->imm, false, insn->opsize, 0)) {
        return X86_EXC;
    }
    return X86_END;
}

int op_callf_imm(X86CPU *cpu, const X86Insn *insn)
{
    uint64_t sp = cpu->regs[R_ESP];

    if (!x86_far_jump(cpu, insn->imm2, insn->imm, true, insn->opsize,
                      cpu->next_ip)) {
        cpu->regs[R_ESP] = sp;
        return X86_EXC;
    }
    return X86_END;
}

int op_retf(X86CPU *cpu, const X86Insn *insn)
{
    unsigned extra = insn->opcode == 0xca ? insn->imm : 0;

    if (!x86_far_return(cpu, insn->opsize, extra)) {
        return X86_EXC;
    }
    return X86_END;
}

int op_grp5(X86CPU *cpu, const X86Insn *insn)
{
    unsigned op = (insn->modrm >> 3) & 7;
    unsigned size = insn->opsize;
    uint64_t v = 0;

    if (op < 2) {
        return x86_grp5_incdec(cpu, insn);
    }
    if (insn->prefix & PFX_LOCK || op == 7) {
        return x86_ud(cpu);
    }
    if (cpu->code64 && (op == 2 || op == 4)) {
        size = 8;
    } else if (cpu->code64 && op == 6) {
        size = (insn->prefix & PFX_OPSIZE) && !(insn->rex & 8) ? 2 : 8;
    }
    if (op == 3 || op == 5) {
        uint64_t ea, off = 0, sp = cpu->regs[R_ESP];
        uint16_t sel;
        if (insn->mod == 3) {
            return x86_ud(cpu);
        }
        ea = x86_insn_ea(cpu, insn);
        if (!x86_read(cpu, insn->seg, ea, &off, size) ||
            !x86_read(cpu, insn->seg, (ea + size) & x86_mask(insn->addrsize),
                      &sel, 2)) {
            return X86_EXC;
        }
        if (!x86_far_jump(cpu, sel, off, op == 3, size, cpu->next_ip)) {
            cpu->regs[R_ESP] = sp;
            return X86_EXC;
        }
        return X86_END;
    }
    if (!x86_rm_read(cpu, insn, size, &v)) {
        return X86_EXC;
    }
    if (op == 6) {
        return x86_push(cpu, size, v) ? X86_NEXT : X86_EXC;
    }
    if (op == 2) {
        uint64_t ret = cpu->next_ip, sp = cpu->regs[R_ESP];
        if (branch(cpu, v, size) == X86_EXC) {
            return X86_EXC;
        }
        if (!x86_push(cpu, size, ret)) {
            cpu->regs[R_ESP] = sp;
            return X86_EXC;
        }
        return X86_END;
    }
    return branch(cpu, v, size);
}

static int soft_int(X86CPU *cpu, int vec)
{
    if ((cpu->eflags & F_VM) && ((cpu->eflags >> 12) & 3) < 3) {
        return x86_gp0(cpu);
    }
    cpu->exc.vector = vec;
    cpu->exc.has_error_code = false;
    cpu->exc.error_code = 0;
    cpu->exc.soft = true;
    cpu->exc.trap = true;
    return X86_EXC;
}

int op_int(X86CPU *cpu, const X86Insn *insn)
{
    return soft_int(cpu, insn->imm & 0xff);
}

int op_int3(X86CPU *cpu, const X86Insn *insn)
{
    if (cpu->gdbg_control & X86_GUESTDBG_USE_SW_BP) {
        /* the embedder's software breakpoint: exit before the INT3 */
        cpu->exit->reason = X86_EXIT_DEBUG;
        cpu->exit->debug.exception = EXC_BP;
        cpu->exit->debug.pc = cpu->rip;
        cpu->exit->debug.dr6 = cpu->dr[6];
        cpu->exit->debug.dr7 = cpu->dr[7];
        cpu->check |= CHECK_EXIT_NOW;
        return X86_EXC;
    }
    return soft_int(cpu, EXC_BP);
}

int op_into(X86CPU *cpu, const X86Insn *insn)
{
    if (!(x86_cc_compute(&cpu->cc) & F_OF)) {
        return X86_NEXT;
    }
    return soft_int(cpu, EXC_OF);
}

int op_int1(X86CPU *cpu, const X86Insn *insn)
{
    cpu->exc.vector = EXC_DB;
    cpu->exc.has_error_code = false;
    cpu->exc.soft = false;
    cpu->exc.trap = true;
    return X86_EXC;
}

int op_iret(X86CPU *cpu, const X86Insn *insn)
{
    return x86_do_iret(cpu, insn);
}

int op_bound(X86CPU *cpu, const X86Insn *insn)
{
    unsigned size = insn->opsize;
    uint64_t ea, lo = 0, hi = 0;
    int64_t idx, l, h;
    unsigned sh = 64 - size * 8;

    if (insn->mod == 3) {
        return x86_ud(cpu);
    }
    ea = x86_insn_ea(cpu, insn);
    if (!x86_read(cpu, insn->seg, ea, &lo, size) ||
        !x86_read(cpu, insn->seg, (ea + size) & x86_mask(insn->addrsize),
                  &hi, size)) {
        return X86_EXC;
    }
    idx = (int64_t)(cpu->regs[insn->reg] << sh) >> sh;
    l = (int64_t)(lo << sh) >> sh;
    h = (int64_t)(hi << sh) >> sh;
    if (idx < l || idx > h) {
        return x86_raise(cpu, EXC_BR);
    }
    return X86_NEXT;
}
