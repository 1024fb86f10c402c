/*
 * Hardware task switches through a 32-bit (or 16-bit) TSS (SDM Vol. 3A
 * ch. 7): JMP/CALL to a TSS or task gate, interrupts through task gates,
 * IRET with NT. Not available in long mode.
 */
#include "target/i386/engine.h"

static bool tfail(X86CPU *cpu, int exc, uint32_t err)
{
    x86_raise_err(cpu, exc, err);
    return false;
}

bool x86_task_switch(X86CPU *cpu, uint16_t sel, uint64_t desc, int reason,
                     bool has_err, uint32_t err)
{
    X86Segment ntr;
    unsigned type = (desc >> 40) & 0xf;
    bool t32 = type & 8;
    uint64_t nbase, obase = cpu->seg[SEG_TR].base;
    uint64_t fl = x86_get_flags(cpu);
    uint32_t r32[8], eip, eflags, cr3 = 0, ldt;
    uint16_t segs[6];
    uint8_t buf[104];
    uint16_t old_sel = cpu->seg[SEG_TR].selector;

    /* a task gate refers to the TSS */
    if (type == 5) {
        sel = (desc >> 16) & 0xffff;
        if (sel & 4) {
            return tfail(cpu, EXC_GP, sel & ~3);
        }
        if (!x86_desc_read(cpu, sel, &desc, EXC_GP)) {
            return false;
        }
        type = (desc >> 40) & 0xf;
        t32 = type & 8;
    }
    if (reason == TS_IRET ? (type != 3 && type != 11)
                          : (type != 1 && type != 9)) {
        return tfail(cpu, reason == TS_IRET ? EXC_TS : EXC_GP, sel & ~3);
    }
    if (!((desc >> 47) & 1)) {
        return tfail(cpu, EXC_NP, sel & ~3);
    }
    x86_desc_to_seg(&ntr, sel, desc, 0);
    if (ntr.limit < (t32 ? 0x67u : 0x2bu)) {
        return tfail(cpu, EXC_TS, sel & ~3);
    }
    nbase = ntr.base;

    /* read the new task's state */
    if (!x86_read_lin(cpu, nbase, buf, t32 ? 104 : 44, true)) {
        return false;
    }
    if (t32) {
        memcpy(&cr3, buf + 0x1c, 4);
        memcpy(&eip, buf + 0x20, 4);
        memcpy(&eflags, buf + 0x24, 4);
        memcpy(r32, buf + 0x28, 32);
        for (int i = 0; i < 6; i++) {
            memcpy(&segs[i], buf + 0x48 + i * 4, 2);
        }
        ldt = 0;
        memcpy(&ldt, buf + 0x60, 2);
    } else {
        uint16_t w;
        memcpy(&w, buf + 0x0e, 2); eip = w;
        memcpy(&w, buf + 0x10, 2); eflags = w;
        for (int i = 0; i < 8; i++) {
            memcpy(&w, buf + 0x12 + i * 2, 2);
            r32[i] = w | 0xffff0000u;       /* upper halves: kept below */
        }
        for (int i = 0; i < 4; i++) {
            memcpy(&segs[i], buf + 0x22 + i * 2, 2);
        }
        segs[4] = segs[5] = 0;
        ldt = 0;
        memcpy(&ldt, buf + 0x2a, 2);
    }

    /* save the current state into the old TSS */
    {
        bool o32 = cpu->seg[SEG_TR].type & 8;
        uint32_t ofl = fl;
        uint32_t oip = cpu->rip;
        if (reason == TS_JMP || reason == TS_IRET) {
            ofl &= ~F_NT;
        }
        if (reason != TS_INT) {
            oip = cpu->next_ip;
        }
        if (o32) {
            uint8_t ob[0x48 + 24];
            memcpy(ob + 0, &oip, 4);
            memcpy(ob + 4, &ofl, 4);
            for (int i = 0; i < 8; i++) {
                uint32_t v = cpu->regs[i];
                memcpy(ob + 8 + i * 4, &v, 4);
            }
            for (int i = 0; i < 6; i++) {
                uint32_t v = cpu->seg[i].selector;
                memcpy(ob + 40 + i * 4, &v, 4);
            }
            if (!x86_write_lin(cpu, obase + 0x20, ob, 64, true)) {
                return false;
            }
        } else {
            uint16_t ob[22];
            ob[0] = oip;
            ob[1] = ofl;
            for (int i = 0; i < 8; i++) {
                ob[2 + i] = cpu->regs[i];
            }
            for (int i = 0; i < 4; i++) {
                ob[10 + i] = cpu->seg[i].selector;
            }
            if (!x86_write_lin(cpu, obase + 0x0e, ob, 28, true)) {
                return false;
            }
        }
    }
    /* busy bits and back link */
    if (reason == TS_JMP || reason == TS_IRET) {
        uint64_t od;
        if (x86_desc_read(cpu, old_sel, &od, EXC_GP)) {
            od &= ~(2ULL << 40);
            x86_desc_write_hi(cpu, old_sel, od >> 32);
        }
        cpu->exc.vector = -1;
    }
    if (reason == TS_CALL || reason == TS_INT) {
        uint16_t link = old_sel;
        if (!x86_write_lin(cpu, nbase, &link, 2, true)) {
            return false;
        }
        eflags |= F_NT;
    }
    if (reason != TS_IRET) {
        desc |= 2ULL << 40;
        x86_desc_write_hi(cpu, sel, desc >> 32);
        ntr.type |= 2;
    }

    /* load the new state */
    cpu->seg[SEG_TR] = ntr;
    cpu->cr0 |= CR0_TS;
    if (t32 && (cpu->cr0 & CR0_PG)) {
        cpu->cr3 = cr3;
        x86_tlb_flush(cpu, false);
    }
    for (int i = 0; i < 8; i++) {
        if (t32) {
            cpu->regs[i] = r32[i];
        } else {
            cpu->regs[i] = (cpu->regs[i] & ~0xffffULL) | (r32[i] & 0xffff);
        }
    }
    x86_set_flags(cpu, eflags | 2);
    cpu->rip = eip;
    cpu->next_ip = eip;
    if (eflags & F_VM) {
        cpu->cpl = 3;
        for (int i = 0; i < 6; i++) {
            x86_seg_load_real(cpu, i, segs[i]);
        }
        x86_update_modes(cpu);
    } else {
        /* selectors first (faults below are in the new task's context) */
        for (int i = 0; i < 6; i++) {
            cpu->seg[i].selector = segs[i];
        }
        cpu->cpl = segs[SEG_CS] & 3;
        /* LDT */
        if ((ldt & ~3) == 0) {
            memset(&cpu->seg[SEG_LDTR], 0, sizeof(X86Segment));
            cpu->seg[SEG_LDTR].unusable = 1;
        } else {
            uint64_t ld;
            if (ldt & 4 || !x86_desc_read(cpu, ldt, &ld, EXC_TS) ||
                ((ld >> 40) & 0x1f) != 2) {
                if (cpu->exc.vector < 0) {
                    x86_raise_err(cpu, EXC_TS, ldt & ~3);
                }
                return false;
            }
            x86_desc_to_seg(&cpu->seg[SEG_LDTR], ldt, ld, 0);
        }
        /* CS */
        {
            uint64_t cd;
            uint16_t cs = segs[SEG_CS];
            if ((cs & ~3) == 0 || !x86_desc_read(cpu, cs, &cd, EXC_TS)) {
                if (cpu->exc.vector < 0) {
                    x86_raise_err(cpu, EXC_TS, cs & ~3);
                }
                return false;
            }
            if (!((cd >> 43) & 1) || !((cd >> 44) & 1)) {
                return tfail(cpu, EXC_TS, cs & ~3);
            }
            if (!((cd >> 47) & 1)) {
                return tfail(cpu, EXC_NP, cs & ~3);
            }
            x86_desc_to_seg(&cpu->seg[SEG_CS], cs, cd, 0);
        }
        x86_update_modes(cpu);
        if (!x86_seg_load(cpu, SEG_SS, segs[SEG_SS])) {
            if (cpu->exc.vector == EXC_GP) {
                cpu->exc.vector = EXC_TS;
            }
            return false;
        }
        for (int i = SEG_ES; i <= SEG_GS; i++) {
            if (i == SEG_CS || i == SEG_SS) {
                continue;
            }
            if (!x86_seg_load(cpu, i, segs[i])) {
                if (cpu->exc.vector == EXC_GP) {
                    cpu->exc.vector = EXC_TS;
                }
                return false;
            }
        }
        x86_update_modes(cpu);
    }
    if (has_err) {
        if (!x86_push(cpu, t32 ? 4 : 2, err)) {
            return false;
        }
    }
    if (t32 && (buf[0x64] & 1)) {
        /* T flag (SDM Vol. 3B 17.2.3): a #DB trap with DR6.BT before the
         * new task's first instruction (exec.c delivers it) */
        cpu->dr[6] |= 0x8000;
        cpu->db_task = true;
    }
    return true;
}
