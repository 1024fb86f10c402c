/*
 * Fast system calls (SYSCALL/SYSRET, SYSENTER/SYSEXIT), group 9
 * (CMPXCHG8B/16B, RDRAND, RDSEED, RDPID), group 15 (fences, FSGSBASE,
 * the FXSAVE/XSAVE family) and the availability gates in front of the
 * x87/SSE handlers (CR0.EM/TS, CR4.OSFXSR).
 */
#include "target/i386/engine.h"

/* ---- fast system calls ---- */

static void flat_seg(X86Segment *s, uint16_t sel, bool code, bool l,
                     unsigned dpl)
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

int op_syscall(X86CPU *cpu, const X86Insn *insn)
{
    uint16_t sel = (cpu->star >> 32) & 0xffff;
    uint64_t fl = x86_get_flags(cpu);

    if (!(cpu->efer & EFER_SCE) || !(cpu->cr0 & CR0_PE)) {
        return x86_ud(cpu);
    }
    if (cpu->efer & EFER_LMA) {
        cpu->regs[R_ECX] = cpu->next_ip;
        cpu->regs[R_R11] = fl & ~(uint64_t)F_RF;
        flat_seg(&cpu->seg[SEG_CS], sel & ~3, true, true, 0);
        flat_seg(&cpu->seg[SEG_SS], (sel + 8) & ~3, false, false, 0);
        cpu->next_ip = cpu->code64 ? cpu->lstar : cpu->cstar;
        x86_set_flags(cpu, fl & ~(cpu->sfmask | F_RF));
    } else {
        cpu->regs[R_ECX] = (uint32_t)cpu->next_ip;
        flat_seg(&cpu->seg[SEG_CS], sel & ~3, true, false, 0);
        flat_seg(&cpu->seg[SEG_SS], (sel + 8) & ~3, false, false, 0);
        cpu->next_ip = (uint32_t)cpu->star;
        x86_set_flags(cpu, fl & ~(uint64_t)(F_VM | F_IF | F_RF));
    }
    cpu->cpl = 0;
    x86_update_modes(cpu);
    return X86_END;
}

int op_sysret(X86CPU *cpu, const X86Insn *insn)
{
    uint16_t sel = (cpu->star >> 48) & 0xffff;
    bool to64 = insn->rex & 8;

    if (!(cpu->efer & EFER_SCE) || !(cpu->cr0 & CR0_PE)) {
        return x86_ud(cpu);
    }
    if (cpu->cpl != 0) {
        return x86_gp0(cpu);
    }
    if (cpu->efer & EFER_LMA) {
        if (to64 && !x86_canonical(cpu->regs[R_ECX])) {
            return x86_gp0(cpu);
        }
        if (to64) {
            flat_seg(&cpu->seg[SEG_CS], (sel + 16) | 3, true, true, 3);
            cpu->next_ip = cpu->regs[R_ECX];
        } else {
            flat_seg(&cpu->seg[SEG_CS], sel | 3, true, false, 3);
            cpu->next_ip = (uint32_t)cpu->regs[R_ECX];
        }
        x86_set_flags(cpu, (cpu->regs[R_R11] & 0x3c7fd7) | 2);
    } else {
        flat_seg(&cpu->seg[SEG_CS], sel | 3, true, false, 3);
        cpu->next_ip = (uint32_t)cpu->regs[R_ECX];
        cpu->eflags |= F_IF;
    }
    /* SS: fixed flat attributes (SDM SYSRET: base 0, limit 4G, DPL 3) */
    flat_seg(&cpu->seg[SEG_SS], (sel + 8) | 3, false, false, 3);
    cpu->cpl = 3;
    x86_update_modes(cpu);
    return X86_END;
}

int op_sysenter(X86CPU *cpu, const X86Insn *insn)
{
    uint16_t sel = cpu->sysenter_cs & 0xffff;
    bool lma = cpu->efer & EFER_LMA;

    if (!(cpu->cr0 & CR0_PE) || (sel & ~3) == 0) {
        return x86_gp0(cpu);
    }
    flat_seg(&cpu->seg[SEG_CS], sel & ~3, true, lma, 0);
    flat_seg(&cpu->seg[SEG_SS], (sel + 8) & ~3, false, false, 0);
    cpu->eflags &= ~(uint64_t)(F_VM | F_IF | F_RF);
    cpu->regs[R_ESP] = lma ? cpu->sysenter_esp : (uint32_t)cpu->sysenter_esp;
    cpu->next_ip = lma ? cpu->sysenter_eip : (uint32_t)cpu->sysenter_eip;
    cpu->cpl = 0;
    x86_update_modes(cpu);
    return X86_END;
}

int op_sysexit(X86CPU *cpu, const X86Insn *insn)
{
    uint16_t sel = cpu->sysenter_cs & 0xffff;
    bool to64 = insn->rex & 8;

    if (!(cpu->cr0 & CR0_PE) || (sel & ~3) == 0 || cpu->cpl != 0 ||
        (cpu->eflags & F_VM)) {
        return x86_gp0(cpu);
    }
    if (to64) {
        flat_seg(&cpu->seg[SEG_CS], (sel + 32) | 3, true, true, 3);
        flat_seg(&cpu->seg[SEG_SS], (sel + 40) | 3, false, false, 3);
        cpu->regs[R_ESP] = cpu->regs[R_ECX];
        cpu->next_ip = cpu->regs[R_EDX];
    } else {
        flat_seg(&cpu->seg[SEG_CS], (sel + 16) | 3, true, false, 3);
        flat_seg(&cpu->seg[SEG_SS], (sel + 24) | 3, false, false, 3);
        cpu->regs[R_ESP] = (uint32_t)cpu->regs[R_ECX];
        cpu->next_ip = (uint32_t)cpu->regs[R_EDX];
    }
    cpu->cpl = 3;
    x86_update_modes(cpu);
    return X86_END;
}

/* ---- group 9: CMPXCHG8B/16B, RDRAND, RDSEED, RDPID ---- */

/* RDRAND/RDSEED: GLib's generator (seeded from the OS); the host's RDRAND
 * may not exist. */
static void guest_random(uint64_t *v)
{
    *v = g_random_int() | ((uint64_t)g_random_int() << 32);
}

int op_grp9(X86CPU *cpu, const X86Insn *insn)
{
    unsigned op = (insn->modrm >> 3) & 7;

    if (insn->mod == 3) {
        if (insn->prefix & PFX_LOCK) {
            return x86_ud(cpu);
        }
        if (op == 7 && insn->mandatory == MP_F3) {  /* RDPID */
            if (!(cpu->feat_7_ecx & CPUID_7_ECX_RDPID)) {
                return x86_ud(cpu);
            }
            cpu->regs[insn->rm] = cpu->code64 ? cpu->tsc_aux
                                              : (uint32_t)cpu->tsc_aux;
            return X86_NEXT;
        }
        if ((op == 6 && (cpu->feat_1_ecx & CPUID_1_ECX_RDRAND)) ||
            (op == 7 && (cpu->feat_7_ebx & CPUID_7_EBX_RDSEED))) {
            uint64_t v;
            guest_random(&v);
            x86_set_reg(cpu, insn, insn->rm, insn->opsize, v);
            x86_set_arith_flags(cpu, F_CF);
            return X86_NEXT;
        }
        return x86_ud(cpu);
    }
    if (op != 1) {
        return x86_ud(cpu);
    }
    {
        bool wide = insn->rex & 8;
        unsigned size = wide ? 16 : 8;
        uint64_t ea = x86_insn_ea(cpu, insn);
        uint64_t cmp_lo = wide ? cpu->regs[R_EAX] : (uint32_t)cpu->regs[R_EAX];
        uint64_t cmp_hi = wide ? cpu->regs[R_EDX] : (uint32_t)cpu->regs[R_EDX];
        uint64_t new_lo = wide ? cpu->regs[R_EBX] : (uint32_t)cpu->regs[R_EBX];
        uint64_t new_hi = wide ? cpu->regs[R_ECX] : (uint32_t)cpu->regs[R_ECX];
        uint64_t old[2] = { 0, 0 };
        uint32_t f = x86_cc_compute(&cpu->cc) & ~F_ZF;
        bool eq;
        void *host = NULL;

        if (wide && !(cpu->feat_1_ecx & CPUID_1_ECX_CX16)) {
            return x86_ud(cpu);
        }
        if (wide && (ea & 15)) {
            return x86_gp0(cpu);
        }
        if (!x86_atomic_ptr(cpu, insn->seg, ea, size, &host)) {
            return X86_EXC;
        }
        if (host && !wide) {
            uint64_t expect = cmp_lo | (cmp_hi << 32);
            uint64_t cur = expect;
            eq = __atomic_compare_exchange_n((uint64_t *)host, &cur,
                                             new_lo | (new_hi << 32), false,
                                             __ATOMIC_SEQ_CST,
                                             __ATOMIC_SEQ_CST);
            old[0] = (uint32_t)cur;
            old[1] = cur >> 32;
        } else if (host) {
            /* host CMPXCHG16B (x86-64 hosts all have it) */
            uint64_t lo = cmp_lo, hi = cmp_hi;
            unsigned char ok;
            __asm__ volatile("lock cmpxchg16b %1; sete %0"
                             : "=q"(ok), "+m"(*(unsigned __int128 *)host),
                               "+a"(lo), "+d"(hi)
                             : "b"(new_lo), "c"(new_hi)
                             : "memory", "cc");
            eq = ok;
            old[0] = lo;
            old[1] = hi;
        } else {
            uint8_t buf[16];
            x86_lock_global();
            if (!x86_read(cpu, insn->seg, ea, buf, size)) {
                x86_unlock_global();
                return X86_EXC;
            }
            if (wide) {
                memcpy(old, buf, 16);
            } else {
                uint32_t w[2];
                memcpy(w, buf, 8);
                old[0] = w[0];
                old[1] = w[1];
            }
            eq = old[0] == cmp_lo && old[1] == cmp_hi;
            if (eq) {
                if (wide) {
                    memcpy(buf, &new_lo, 8);
                    memcpy(buf + 8, &new_hi, 8);
                } else {
                    uint32_t w[2] = { new_lo, new_hi };
                    memcpy(buf, w, 8);
                }
            }
            if (!x86_write(cpu, insn->seg, ea, buf, size)) {
                x86_unlock_global();
                return X86_EXC;
            }
            x86_unlock_global();
        }
        if (eq) {
            f |= F_ZF;
        } else if (wide) {
            cpu->regs[R_EAX] = old[0];
            cpu->regs[R_EDX] = old[1];
        } else {
            cpu->regs[R_EAX] = (uint32_t)old[0];
            cpu->regs[R_EDX] = (uint32_t)old[1];
        }
        x86_set_arith_flags(cpu, f);
        return X86_NEXT;
    }
}

/* ---- group 15, x87 and SSE gates ---- */

static int sse_avail(X86CPU *cpu, bool mmx)
{
    if (cpu->cr0 & CR0_EM) {
        return x86_ud(cpu);
    }
    if (!mmx && !(cpu->cr4 & CR4_OSFXSR)) {
        return x86_ud(cpu);
    }
    if (cpu->cr0 & CR0_TS) {
        return x86_raise(cpu, EXC_NM);
    }
    return X86_NEXT;
}

static int x87_avail(X86CPU *cpu)
{
    if (cpu->cr0 & (CR0_EM | CR0_TS)) {
        return x86_raise(cpu, EXC_NM);
    }
    return X86_NEXT;
}

int op_grp15(X86CPU *cpu, const X86Insn *insn)
{
    unsigned op = (insn->modrm >> 3) & 7;

    if (insn->mod == 3) {
        if (insn->mandatory == MP_F3 && op <= 3) {
            uint64_t *base;
            if (!cpu->code64 || !(cpu->cr4 & CR4_FSGSBASE)) {
                return x86_ud(cpu);
            }
            base = &cpu->seg[op & 1 ? SEG_GS : SEG_FS].base;
            if (op < 2) {
                x86_set_reg(cpu, insn, insn->rm, insn->opsize == 8 ? 8 : 4,
                            *base);
            } else {
                uint64_t v = cpu->regs[insn->rm];
                if (insn->opsize != 8) {
                    v = (uint32_t)v;
                } else if (!x86_canonical(v)) {
                    return x86_gp0(cpu);
                }
                *base = v;
            }
            return X86_NEXT;
        }
        if (op >= 5 && insn->mandatory == MP_NONE) {
            __atomic_thread_fence(__ATOMIC_SEQ_CST);    /* fences */
            return X86_NEXT;
        }
        return x86_ud(cpu);
    }
    switch (op) {
    case 0: case 1:                         /* FXSAVE FXRSTOR */
        if (cpu->cr0 & (CR0_EM | CR0_TS)) {
            return x86_raise(cpu, EXC_NM);
        }
        return x86_x87_exec(cpu, insn);
    case 2: case 3:                         /* LDMXCSR STMXCSR */
        if (sse_avail(cpu, false) != X86_NEXT) {
            return X86_EXC;
        }
        return x86_sse_exec(cpu, insn);
    case 4: case 5: case 6:                 /* XSAVE XRSTOR XSAVEOPT */
        if (!(cpu->cr4 & CR4_OSXSAVE)) {
            return x86_ud(cpu);
        }
        if (cpu->cr0 & CR0_TS) {
            return x86_raise(cpu, EXC_NM);
        }
        return x86_x87_exec(cpu, insn);
    default:                                /* CLFLUSH */
        return X86_NEXT;
    }
}

int op_x87(X86CPU *cpu, const X86Insn *insn)
{
    if (x87_avail(cpu) != X86_NEXT) {
        return X86_EXC;
    }
    return x86_x87_exec(cpu, insn);
}

int op_fwait(X86CPU *cpu, const X86Insn *insn)
{
    if ((cpu->cr0 & (CR0_TS | CR0_MP)) == (CR0_TS | CR0_MP)) {
        return x86_raise(cpu, EXC_NM);
    }
    return x86_x87_exec(cpu, insn);
}

static bool mmx_form(const X86Insn *insn)
{
    uint8_t op = insn->opcode;

    if (insn->mandatory != MP_NONE) {
        return false;
    }
    switch (insn->map) {
    case MAP_0F:
        return (op >= 0x60 && op <= 0x7f) || op >= 0xd0 ||
               op == 0xc4 || op == 0xc5;
    case MAP_0F38:
        return op <= 0x1e;
    default:
        return op == 0x0f;
    }
}

int op_sse(X86CPU *cpu, const X86Insn *insn)
{
    if (insn->prefix & (PFX_LOCK | PFX_VEX)) {
        return x86_ud(cpu);
    }
    if (sse_avail(cpu, mmx_form(insn)) != X86_NEXT) {
        return X86_EXC;
    }
    return x86_sse_exec(cpu, insn);
}
