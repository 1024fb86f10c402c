/*
 * The block translator: block exits (chained through slots and the
 * indirect-target cache, self-loops), branch targets, stubs; see jit.c.
 */
#include "target/i386/jit-internal.h"
/* Canonical check of RDX (flags free); not canonical: to @stub */
void jit_canon_rdx(Ctx *c, Stub *s)
{
    static const uint8_t code[] = {
        0x48, 0x89, 0xd1,                   /* mov rcx, rdx */
        0x48, 0xc1, 0xe1, 0x10,             /* shl rcx, 16 */
        0x48, 0xc1, 0xf9, 0x10,             /* sar rcx, 16 */
        0x48, 0x39, 0xd1,                   /* cmp rcx, rdx */
    };

    for (size_t k = 0; k < sizeof(code); k++) {
        e8(c, code[k]);
    }
    s->jmp[1] = jit_jmp32(c, 0x5, NULL);        /* jne stub */
}



/*
 * End of block at target RDX (flags in cpu->cc, registers stored): jump
 * straight to the linked block when the slot still holds (same target,
 * no block invalidated, the fetch TLB still maps the target to it) and
 * the run loop has nothing to do between the blocks (no request from
 * another thread; budget left: the run loop gives none while an event
 * waits, see x86_cpu_run); else back to the run loop with next_ip = RDX.
 */
void jit_exit_rdx(Ctx *c, unsigned i, bool same)
{
    jit_exit_to(c, i, same, false);
}

/* ... with @dyn: a computed target (RET, indirect JMP/CALL), looked up in
 * the indirect-target cache (by RIP; the entry's MMU index must match)
 * rather than in a slot of its own */
void jit_exit_to(Ctx *c, unsigned i, bool same, bool dyn)
{
    uint8_t *slotref = NULL, *out[10];
    int no = 0;
    JitSlot slot = { .lin = ~0ULL,
                     .same = same ? (c->b->gpa & ~0xfffULL) | 1 : 0,
                     .owner = c->mmu };

    if (dyn) {
        /* index: the top bits of RIP * golden ratio */
        jit_mov_imm(c, RAX, 0x9e3779b97f4a7c15ULL);
        e8(c, 0x48); e8(c, 0x0f); e8(c, 0xaf); e8(c, 0xc2);  /* imul rax,rdx */
        e8(c, 0x48); e8(c, 0xc1); e8(c, 0xe8);              /* shr rax, */
        e8(c, 64 - __builtin_ctz(IBTC_SIZE));
        e8(c, 0xc1); e8(c, 0xe0); e8(c, 0x06);              /* shl eax, 6 */
        jit_mov_imm(c, RCX, (uintptr_t)c->jit->ibtc);
        e8(c, 0x48); e8(c, 0x01); e8(c, 0xc8);  /* add rax, rcx */
        jit_emit_modrm(c, 1, 0x80, 1, 7, false,
                   MEM(RAX, offsetof(JitSlot, mmu)), false);
        e8(c, c->mmu);                          /* cmp byte [mmu], M */
        out[no++] = jit_jmp32(c, 0x5, NULL);
    } else {
        e8(c, 0x48); e8(c, 0x8d); e8(c, 0x05);  /* lea rax, [rip+slot] */
        slotref = c->p;
        e32(c, 0);
    }
    jit_emit_modrm(c, 8, 0x3b, 1, RDX, false, MEM(RAX, 0), false);
    out[no++] = jit_jmp32(c, 0x5, NULL);
    jit_emit_modrm(c, 8, 0x8b, 1, RCX, false, MEM(RBX, OFF(chain_gen)), false);
    jit_emit_modrm(c, 8, 0x3b, 1, RCX, false,
               MEM(RAX, offsetof(JitSlot, gen)), false);
    out[no++] = jit_jmp32(c, 0x5, NULL);
    /* no TLB invalidation since the target was last checked, or the fetch
     * TLB still maps the target's page to the block's (then noted); for a
     * target on this block's own page (which this block runs from), the
     * link made sure of it (x86_jit_link) */
    if (!same) {
        uint8_t *ok;
        jit_emit_modrm(c, 8, 0x8b, 1, RCX, false, MEM(RBX, OFF(tlb_flushes)),
                   false);
        jit_emit_modrm(c, 8, 0x3b, 1, RCX, false,
                   MEM(RAX, offsetof(JitSlot, tgen)), false);
        ok = jit_jmp8(c, 0x4);                      /* je ok */
        static const uint8_t code[] = {
            0x48, 0x89, 0xd6,                   /* mov rsi, rdx */
            0x48, 0xc1, 0xee, 0x0c,             /* shr rsi, 12 */
            0x48, 0xc1, 0xe6, 0x0c,             /* shl rsi, 12 */
            0x48, 0x83, 0xce, 0x01,             /* or rsi, 1 */
        };
        int32_t ftlb = OFF(tlb) + (int32_t)(((size_t)c->mmu * ACC_NR +
                                             ACC_FETCH) * X86_TLB_SIZE *
                                            sizeof(X86TLBEntry));
        jit_tlb_index(c, RCX, RDX, true);
        for (size_t k = 0; k < sizeof(code); k++) {
            e8(c, code[k]);
        }
        jit_emit_modrm(c, 8, 0x3b, 1, RSI, false, MI(RBX, RCX, 3, ftlb), false);
        out[no++] = jit_jmp32(c, 0x5, NULL);
        jit_load64(c, RSI, MI(RBX, RCX, 3, ftlb + 16));
        jit_emit_modrm(c, 8, 0x33, 1, RSI, false,
                   MEM(RAX, offsetof(JitSlot, gpa)), false);
        e8(c, 0x48); e8(c, 0xc1); e8(c, 0xee); e8(c, 0x0c);  /* shr rsi,12 */
        out[no++] = jit_jmp32(c, 0x5, NULL);
        jit_emit_modrm(c, 8, 0x8b, 1, RCX, false, MEM(RBX, OFF(tlb_flushes)),
                   false);
        jit_emit_modrm(c, 8, 0x89, 1, RCX, false,
                   MEM(RAX, offsetof(JitSlot, tgen)), false);
        jit_fix8(c, ok);
    }
    jit_emit_modrm(c, 4, 0x83, 1, 7, false, MEM(RBX, OFF(req)), false);
    e8(c, 0);
    out[no++] = jit_jmp32(c, 0x5, NULL);
    jit_emit_modrm(c, 4, 0x83, 1, 7, false, MEM(RBX, OFF(jit_budget)), false);
    e8(c, 0);
    out[no++] = jit_jmp32(c, 0x4, NULL);            /* je */
    jit_emit_modrm(c, 4, 0xff, 1, 1, false, MEM(RBX, OFF(jit_budget)), false);
    jit_emit_modrm(c, 8, 0x83, 1, 0, false, MEM(RBX, OFF(insns_retired)),
               false);
    e8(c, i + 1);                               /* add: records retired */
    jit_store64(c, MEM(RBX, OFF(rip)), RDX);
    jit_load64(c, RCX, MEM(RAX, offsetof(JitSlot, b)));
    jit_store64(c, MEM(RBX, OFF(jit_cur)), RCX);
    jit_emit_modrm(c, 4, 0xff, 1, 4, false, MEM(RAX, offsetof(JitSlot, code)),
               false);                          /* jmp [rax+code] */
    for (int k = 0; k < no; k++) {
        jit_patch32(out[k], c->p);
    }
    jit_store64(c, MEM(RBX, OFF(next_ip)), RDX);
    jit_store64(c, MEM(RBX, OFF(jit_slot)), RAX);
    e8(c, 0xb8);                                /* mov eax, END | i << 8 */
    e32(c, i << 8 | X86_END);
    jit_jmp32(c, -1, c->jit->leave);
    if (dyn) {
        return;
    }
    while ((uintptr_t)c->p & 7) {
        e8(c, 0xcc);
    }
    if (!c->full) {
        jit_patch32(slotref, c->p);
    }
    for (size_t k = 0; k < sizeof(slot); k++) {
        e8(c, ((uint8_t *)&slot)[k]);
    }
}

void x86_jit_link(X86CPU *cpu, void *slot, X86Block *b)
{
    JitSlot *s = slot;

    if (s->same && (s->same ^ b->gpa) >> 12) {
        return;                     /* not the page it was translated on */
    }
    if (s->owner != ~0u && s->owner != b->jit_mmu) {
        /* translated for other privilege checks (the block that ran
         * next is an exception handler's, say): never from this exit */
        return;
    }
    s->lin = cpu->rip;
    s->code = b->jit;
    s->b = b;
    s->gpa = b->gpa & ~0xfffULL;
    s->gen = cpu->chain_gen;
    s->tgen = cpu->tlb_flushes;
    s->mmu = b->jit_mmu;
}

/* A branch of record @i back to the block's start (registers stored,
 * flags in cpu->cc and host flags): round again while nothing waits for
 * the run loop, as a chained exit would. */
void jit_emit_backedge(Ctx *c, unsigned i, int64_t rel)
{
    uint8_t *out[2];

    jit_emit_modrm(c, 4, 0x83, 1, 7, false, MEM(RBX, OFF(req)), false);
    e8(c, 0);
    out[0] = jit_jmp32(c, 0x5, NULL);
    jit_emit_modrm(c, 4, 0x83, 1, 7, false, MEM(RBX, OFF(jit_budget)), false);
    e8(c, 0);
    out[1] = jit_jmp32(c, 0x4, NULL);
    jit_emit_modrm(c, 4, 0xff, 1, 1, false, MEM(RBX, OFF(jit_budget)), false);
    jit_emit_modrm(c, 8, 0x83, 1, 0, false, MEM(RBX, OFF(insns_retired)),
               false);
    e8(c, i + 1);
    jit_jmp32(c, -1, c->head);
    jit_patch32(out[0], c->p);
    jit_patch32(out[1], c->p);
    jit_rip_of(c, RDX, i, rel);
    jit_store64(c, MEM(RBX, OFF(next_ip)), RDX);
    e8(c, 0xb8);                                /* mov eax, END | i << 8 */
    e32(c, i << 8 | X86_END);
    jit_jmp32(c, -1, c->jit->leave);
}

/* Whether RIP of record @i + @rel is on the block's page */
bool jit_on_page(Ctx *c, unsigned i, int64_t rel)
{
    int64_t page_off = (int64_t)(c->b->gpa & 0xfff) + c->off[i] + rel;

    return page_off >= 0 && page_off < 0x1000;
}

/* RDX = RIP of record @i + @rel (a branch target); one off the block's
 * page is checked canonical (else to stub @s). false: out of range. */
bool jit_target_rdx(Ctx *c, unsigned i, int64_t rel, Stub *s)
{
    int64_t page_off = (int64_t)(c->b->gpa & 0xfff) + c->off[i] + rel;

    if (!fits32(c->off[i] + rel)) {
        return false;
    }
    jit_rip_of(c, RDX, i, rel);
    if (page_off < 0 || page_off >= 0x1000) {
        jit_canon_rdx(c, s);
    }
    return true;
}

/* A stub with no TLB lookup (for branch records' canonical checks) */
Stub *jit_new_stub(Ctx *c, unsigned i)
{
    Stub *s = &c->stubs[c->nstubs++];

    memset(s, 0, sizeof(*s));
    s->i = i;
    s->fs_before = c->fs;
    s->dirty = c->dirty;
    return s;
}

/* Out-of-line path of stub @s: the record through its handler, then back
 * to the main path's state after it. */
void jit_emit_stub(Ctx *c, Stub *s)
{
    uint8_t *here = c->p;

    for (int k = 0; k < 2; k++) {
        jit_patch32(s->jmp[k], here);
    }
    c->fs = s->fs_before;
    if (c->live[s->i]) {
        jit_flags_store(c);
    }
    jit_writeback(c, s->dirty);
    jit_call_handler(c, s->i);
    c->fs = FS_CC;
    if (s->ender) {
        /* the handler set next_ip and did the whole branch */
        e8(c, 0xb8);
        e32(c, s->i << 8 | X86_END);
        jit_jmp32(c, -1, c->jit->leave);
        return;
    }
    if (s->fs_after != FS_CC && c->live[s->i + 1]) {
        jit_flags_load(c);              /* may call C: registers in cpu->regs */
    }
    jit_reload(c);
    jit_jmp32(c, -1, s->resume);
}

