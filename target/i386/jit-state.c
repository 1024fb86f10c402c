/*
 * The block translator: guest registers (homes) and flags in host code,
 * effective addresses and the inline TLB lookup, calls to interpreter
 * handlers; see jit.c.
 */
#include "target/i386/jit-internal.h"
/* ---- guest state in host registers ---------------------------------- */

void jit_writeback(Ctx *c, uint16_t mask)
{
    for (int g = 0; g < 16; g++) {
        if ((mask & c->mapped) & (1u << g)) {
            jit_store64(c, MEM(RBX, OFF_REG(g)), c->home[g]);
        }
    }
}

void jit_reload(Ctx *c)
{
    for (int g = 0; g < 16; g++) {
        if (c->mapped & (1u << g)) {
            jit_load64(c, c->home[g], MEM(RBX, OFF_REG(g)));
        }
    }
}

/* Where guest register @g is at @sz bytes (AH..BH: its byte in memory). */
Loc jit_gloc(Ctx *c, const X86Insn *insn, unsigned g, unsigned sz)
{
    Loc l;

    if (sz == 1 && !(insn->prefix & PFX_REX) && g >= 4 && g < 8) {
        return MEM(RBX, OFF_REG(g - 4) + 1);
    }
    if (c->home[g] >= 0) {
        return R(c->home[g]);
    }
    l = MEM(RBX, OFF_REG(g));
    l.greg = g;
    return l;
}

/* @d (from gloc) was written at @sz bytes: a 32-bit write clears the top
 * half of a register kept in memory; a home becomes dirty. */
void jit_wrote(Ctx *c, Loc d, unsigned sz)
{
    if (d.kind == L_REG) {
        for (int g = 0; g < 16; g++) {
            if (c->home[g] == d.reg) {
                c->dirty |= 1u << g;
            }
        }
    } else if (d.greg >= 0 && sz == 4) {
        jit_emit_modrm(c, 4, 0xc7, 1, 0, false, MEM(RBX, d.disp + 4), false);
        e32(c, 0);
    }
}

/* RAX (already computed at @sz, zero-extended when 4) into guest @g */
void jit_store_from_rax(Ctx *c, const X86Insn *insn, unsigned g,
                           unsigned sz)
{
    Loc d = jit_gloc(c, insn, g, sz);

    if (d.kind == L_REG && sz >= 4) {
        jit_mov_rr(c, d.reg, RAX);      /* 64-bit: RAX is zero-extended */
    } else if (d.kind == L_MEM && sz == 4) {
        jit_store64(c, d, RAX);
        return;
    } else {
        jit_emit_alu(c, A_MOV, sz, d, R(RAX), false);
    }
    jit_wrote(c, d, 8);
}

/* ---- flags ------------------------------------------------------------- */

/* cpu->cc in CC_EFLAGS form (called from translated code) */
static void jit_cc_to_eflags(X86CPU *cpu)
{
    cpu->cc.src1 = x86_cc_compute(&cpu->cc);
    cpu->cc.op = CC_EFLAGS;
}

/* Host flags -> cpu->cc (host flags unchanged) */
void jit_flags_store(Ctx *c)
{
    if (c->fs != FS_HOST) {
        return;
    }
    /* LAHF/SETO rather than PUSHFQ (microcoded): cc.src1's byte 0 =
     * SF ZF AF PF CF, byte 1 = OF << 3; the other bits are ignored
     * (x86_cc_compute masks CC_EFLAGS with F_ARITH) */
    e8(c, 0x9f);                                /* lahf */
    e8(c, 0x0f); e8(c, 0x90); e8(c, 0xc1);      /* seto cl */
    e8(c, 0x0f); e8(c, 0xb6); e8(c, 0xc9);      /* movzx ecx, cl */
    e8(c, 0x8d); e8(c, 0x0c); e8(c, 0xcd); e32(c, 0);  /* lea ecx,[rcx*8] */
    e8(c, 0x88); e8(c, 0xa3); e32(c, OFF(cc.src1));    /* mov [..], ah */
    e8(c, 0x88); e8(c, 0x8b); e32(c, OFF(cc.src1) + 1); /* mov [..], cl */
    jit_emit_modrm(c, 1, 0xc6, 1, 0, false, MEM(RBX, OFF(cc.op)), false);
    e8(c, CC_EFLAGS);
    c->fs = FS_BOTH;
}

/* cpu->cc -> host flags */
void jit_flags_load(Ctx *c)
{
    uint8_t *f;
    unsigned n = 0;
    uint8_t saved[4];

    if (c->fs != FS_CC) {
        return;
    }
    jit_emit_modrm(c, 1, 0x80, 1, 7, false, MEM(RBX, OFF(cc.op)), false);
    e8(c, CC_EFLAGS);               /* cmp byte [cc.op], CC_EFLAGS */
    f = jit_jmp8(c, 0x4);               /* je */
    for (int g = 0; g < 16; g++) {
        if ((c->mapped & (1u << g)) && c->home[g] >= R8 &&
            c->home[g] <= R11) {
            saved[n++] = c->home[g];
        }
    }
    for (unsigned k = 0; k < n; k++) {
        e8(c, 0x41);
        e8(c, 0x50 + (saved[k] & 7));
    }
    if (n & 1) {
        e8(c, 0x48); e8(c, 0x83); e8(c, 0xec); e8(c, 8);   /* sub rsp,8 */
    }
    jit_mov_rr(c, RDI, RBX);
    jit_call_abs(c, (const void *)jit_cc_to_eflags);
    if (n & 1) {
        e8(c, 0x48); e8(c, 0x83); e8(c, 0xc4); e8(c, 8);   /* add rsp,8 */
    }
    for (unsigned k = n; k-- > 0;) {
        e8(c, 0x41);
        e8(c, 0x58 + (saved[k] & 7));
    }
    jit_fix8(c, f);
    /* OF by an overflowing ADD, the rest by SAHF (not POPFQ) */
    jit_load64(c, RAX, MEM(RBX, OFF(cc.src1)));
    e8(c, 0x89); e8(c, 0xc1);                   /* mov ecx, eax */
    e8(c, 0xc1); e8(c, 0xe9); e8(c, 11);        /* shr ecx, 11 */
    e8(c, 0x83); e8(c, 0xe1); e8(c, 1);         /* and ecx, 1 */
    e8(c, 0x80); e8(c, 0xc1); e8(c, 0x7f);      /* add cl, 0x7f */
    e8(c, 0x88); e8(c, 0xc4);                   /* mov ah, al */
    e8(c, 0x9e);                                /* sahf */
    c->fs = FS_BOTH;
}

/* ---- addresses and the TLB -------------------------------------------- */

/* RIP of record @i (+@extra) into @r */
void jit_rip_of(Ctx *c, unsigned r, unsigned i, int64_t extra)
{
    jit_load64(c, r, MEM(RSP, 0));
    jit_lea64(c, r, MEM(r, (int32_t)(c->off[i] + extra)));
}

/* Effective address (with the FS/GS base when @seg) of @insn into RSI.
 * false: not expressible (a RIP-relative displacement out of range). */
bool jit_emit_ea(Ctx *c, unsigned i, const X86Insn *insn, unsigned dst,
                    bool seg)
{
    int64_t disp = insn->disp;
    int b = -1, x = -1;

    if (insn->riprel) {
        disp += c->off[i] + insn->len;
        if (!fits32(disp)) {
            return false;
        }
        jit_load64(c, dst, MEM(RSP, 0));
        b = dst;
    } else {
        if (insn->base != X86_NOREG) {
            b = c->home[insn->base];
            if (b < 0) {
                jit_load64(c, dst, MEM(RBX, OFF_REG(insn->base)));
                b = dst;
            }
        }
        if (insn->index != X86_NOREG) {
            x = c->home[insn->index];
            if (x < 0) {
                jit_load64(c, RAX, MEM(RBX, OFF_REG(insn->index)));
                x = RAX;
            }
        }
    }
    if (b < 0 && x < 0) {
        jit_mov_imm(c, dst, (uint64_t)disp);
    } else if (x < 0 && disp == 0) {
        if (b != (int)dst) {
            jit_mov_rr(c, dst, b);
        }
    } else if (b < 0) {
        /* no base: [index*scale + disp32] */
        e8(c, 0x48 | ((dst & 8) ? 4 : 0) | ((x & 8) ? 2 : 0));
        e8(c, 0x8d);
        e8(c, (dst & 7) << 3 | 4);
        e8(c, insn->scale << 6 | (x & 7) << 3 | 5);
        e32(c, (uint32_t)disp);
    } else {
        jit_lea64(c, dst, x < 0 ? MEM(b, (int32_t)disp) :
                             MI(b, x, insn->scale, (int32_t)disp));
    }
    if (insn->addrsize == 4) {
        jit_emit_modrm(c, 4, 0x89, 1, dst, false, R(dst), false);
    }
    if (seg && (insn->seg == SEG_FS || insn->seg == SEG_GS)) {
        jit_load64(c, RAX, MEM(RBX, OFF(seg) + insn->seg * sizeof(X86Segment) +
                            offsetof(X86Segment, base)));
        jit_lea64(c, dst, MI(dst, RAX, 0, 0));
    }
    return true;
}

/* @dst (RAX or RCX) = TLB index of the linear address in @src times 3
 * (entries are 24 bytes): no flag written unless @flags_free. */
void jit_tlb_index(Ctx *c, unsigned dst, unsigned src, bool flags_free)
{
    unsigned bits = __builtin_ctz(X86_TLB_SIZE);

    /* rorx dst, src, 12 */
    e8(c, 0xc4); e8(c, 0xe3); e8(c, 0xfb); e8(c, 0xf0);
    e8(c, 0xc0 | (dst & 7) << 3 | (src & 7)); e8(c, 12);
    if (bits == 8 || bits == 16) {
        /* movzx dst32, dst8 / dst16 */
        e8(c, 0x0f); e8(c, bits == 8 ? 0xb6 : 0xb7);
        e8(c, 0xc0 | (dst & 7) << 3 | (dst & 7));
    } else if (flags_free) {
        jit_emit_modrm(c, 4, 0x81, 1, 4, false, R(dst), false);   /* and */
        e32(c, X86_TLB_SIZE - 1);
    } else {
        /* shlx/shrx dst, dst, rdx with rdx = 64 - bits */
        jit_mov_imm(c, RDX, 64 - bits);
        e8(c, 0xc4); e8(c, 0xe2); e8(c, 0xe9); e8(c, 0xf7);
        e8(c, 0xc0 | (dst & 7) << 3 | (dst & 7));
        e8(c, 0xc4); e8(c, 0xe2); e8(c, 0xeb); e8(c, 0xf7);
        e8(c, 0xc0 | (dst & 7) << 3 | (dst & 7));
    }
    jit_lea64(c, dst, MI(dst, dst, 1, 0));          /* lea dst, [dst+dst*2] */
}

/*
 * RSI = host pointer for @sz bytes at linear RSI through the TLB @acc, or
 * a jump to record @i's stub (the interpreter runs it). No flags change.
 */
void jit_emit_lookup(Ctx *c, unsigned i, unsigned sz, int acc)
{
    int32_t tlb = OFF(tlb) + (int32_t)(((size_t)c->mmu * ACC_NR + acc) *
                                        X86_TLB_SIZE * sizeof(X86TLBEntry));
    static const uint8_t mask[] = {
        0xba, 0x0c, 0x00, 0x00, 0x00,           /* mov edx, 12 */
        0xc4, 0xe2, 0xeb, 0xf7, 0xc9,           /* shrx rcx, rcx, rdx */
        0xc4, 0xe2, 0xe9, 0xf7, 0xc9,           /* shlx rcx, rcx, rdx */
        0x48, 0xf7, 0xd1,                       /* not rcx */
    };
    Stub *s = &c->stubs[c->nstubs++];
    bool keep = c->live[i] && c->fs != FS_CC;   /* host flags matter */

    jit_tlb_index(c, RAX, RSI, !keep);
    jit_lea64(c, RCX, MEM(RSI, sz - 1));
    memset(s, 0, sizeof(*s));
    if (keep) {
        for (size_t k = 0; k < sizeof(mask); k++) {
            e8(c, mask[k]);
        }
        jit_load64(c, RDX, MI(RBX, RAX, 3, tlb));  /* tag */
        jit_lea64(c, RCX, MI(RCX, RDX, 0, 0));     /* tag - (page | 1) */
        e8(c, 0xe3);                            /* jrcxz hit */
        e8(c, 5);
        s->jmp[0] = jit_jmp32(c, -1, NULL);
    } else {
        /* flags are free: and rcx, -4096; or rcx, 1; cmp rcx, [tag] */
        e8(c, 0x48); e8(c, 0x81); e8(c, 0xe1); e32(c, 0xfffff000);
        e8(c, 0x48); e8(c, 0x83); e8(c, 0xc9); e8(c, 0x01);
        jit_emit_modrm(c, 8, 0x3b, 1, RCX, false, MI(RBX, RAX, 3, tlb), false);
        s->jmp[0] = jit_jmp32(c, 0x5, NULL);
    }
    s->i = i;
    s->fs_before = c->fs;
    s->dirty = c->dirty;
    jit_load64(c, RCX, MI(RBX, RAX, 3, tlb + 8));  /* addend */
    jit_lea64(c, RSI, MI(RSI, RCX, 0, 0));
}

/* ---- interpreter handlers ------------------------------------------- */

/* Exit with status RAX | @i << 8 (RAX: an 8-bit status) */
static void exit_status(Ctx *c, unsigned i)
{
    if (i) {
        e8(c, 0x0d);                /* or eax, imm32 */
        e32(c, i << 8);
    }
    jit_jmp32(c, -1, c->jit->leave);
}

/* Run record @i's handler (registers stored, flags in cpu->cc) and leave
 * the block unless it retired with nothing to check. */
void jit_call_handler(Ctx *c, unsigned i)
{
    const X86Insn *insn = &c->b->insns[i];
    X86Handler h = (insn->spec & (X86_SPEC_FUSED | X86_SPEC_CHAIN)) ?
                   x86_generic_handler(insn) : insn->handler;
    uint8_t *st, *nx[3], *cont;

    jit_rip_of(c, RAX, i, 0);
    jit_store64(c, MEM(RBX, OFF(rip)), RAX);
    jit_lea64(c, RAX, MEM(RAX, insn->len));
    jit_store64(c, MEM(RBX, OFF(next_ip)), RAX);
    jit_mov_rr(c, RDI, RBX);
    jit_mov_imm(c, RSI, (uintptr_t)insn);
    jit_call_abs(c, (const void *)h);
    e8(c, 0x0f); e8(c, 0xb6); e8(c, 0xc0);      /* movzx eax, al */
    e8(c, 0x85); e8(c, 0xc0);                   /* test eax, eax */
    st = jit_jmp8(c, 0x5);                          /* jne */
    jit_emit_modrm(c, 1, 0x80, 1, 7, false, MEM(RBX, OFF(check)), false);
    e8(c, 0);
    nx[0] = jit_jmp8(c, 0x5);
    jit_emit_modrm(c, 1, 0x80, 1, 7, false, MEM(RBX, OFF(mmu_idx)), false);
    e8(c, c->mmu);
    nx[1] = jit_jmp8(c, 0x5);
    jit_emit_modrm(c, 1, 0x80, 1, 7, false, MEM(RBX, OFF(slow_data)), false);
    e8(c, 0);
    nx[2] = jit_jmp8(c, 0x5);
    cont = jit_jmp8(c, -1);
    for (int k = 0; k < 3; k++) {
        jit_fix8(c, nx[k]);
    }
    e8(c, 0x31); e8(c, 0xc0);                   /* xor eax, eax */
    jit_fix8(c, st);
    exit_status(c, i);
    jit_fix8(c, cont);
}

/* The main path's record @i through its handler */
void jit_emit_helper(Ctx *c, unsigned i)
{
    if (c->live[i]) {
        jit_flags_store(c);
    }
    jit_writeback(c, c->dirty);
    c->dirty = 0;
    jit_call_handler(c, i);
    c->fs = FS_CC;
    jit_reload(c);
}

