/*
 * The block translator: the x86-64 encoder (ModRM forms, ALU operations,
 * jumps); see jit.c.
 */
#include "target/i386/jit-internal.h"
/* ---- emitter ------------------------------------------------------------ */










/*
 * [66] [REX] opcode ModRM [SIB] [disp]. @w: operand size (2: 66 prefix,
 * 8: REX.W); @rf: ModRM.reg (a register or a /digit); @brf/@brm: that
 * operand is an 8-bit register (a REX makes 4-7 SPL..DIL, not AH..BH).
 */
void jit_emit_modrm(Ctx *c, unsigned w, uint32_t opc, int nopc,
                       unsigned rf, bool brf, Loc rm, bool brm)
{
    unsigned rex = 0, mod;
    bool force = brf && rf >= 4 && rf < 8;

    if (w == 2) {
        e8(c, 0x66);
    }
    if (w == 8) {
        rex |= 8;
    }
    if (rf & 8) {
        rex |= 4;
    }
    if (rm.reg & 8) {
        rex |= 1;
    }
    if (rm.kind == L_REG) {
        force |= brm && rm.reg >= 4 && rm.reg < 8;
    } else if (rm.idx != NOIDX && (rm.idx & 8)) {
        rex |= 2;
    }
    if (rex || force) {
        e8(c, 0x40 | rex);
    }
    for (int k = nopc - 1; k >= 0; k--) {
        e8(c, (opc >> (8 * k)) & 0xff);
    }
    if (rm.kind == L_REG) {
        e8(c, 0xc0 | (rf & 7) << 3 | (rm.reg & 7));
        return;
    }
    mod = (rm.disp == 0 && (rm.reg & 7) != 5) ? 0 : fits8(rm.disp) ? 1 : 2;
    if (rm.idx != NOIDX || (rm.reg & 7) == 4) {
        e8(c, mod << 6 | (rf & 7) << 3 | 4);
        e8(c, rm.scale << 6 | ((rm.idx == NOIDX ? 4 : rm.idx) & 7) << 3 |
              (rm.reg & 7));
    } else {
        e8(c, mod << 6 | (rf & 7) << 3 | (rm.reg & 7));
    }
    if (mod == 1) {
        e8(c, rm.disp & 0xff);
    } else if (mod == 2) {
        e32(c, rm.disp);
    }
}

void jit_emit_imm(Ctx *c, unsigned sz, int64_t v)
{
    if (sz == 1) {
        e8(c, v & 0xff);
    } else if (sz == 2) {
        e8(c, v & 0xff);
        e8(c, (v >> 8) & 0xff);
    } else {
        e32(c, v);
    }
}

void jit_mov_rr(Ctx *c, unsigned d, unsigned s)      /* 64-bit */
{
    jit_emit_modrm(c, 8, 0x89, 1, s, false, R(d), false);
}

void jit_load64(Ctx *c, unsigned r, Loc m)
{
    jit_emit_modrm(c, 8, 0x8b, 1, r, false, m, false);
}

void jit_store64(Ctx *c, Loc m, unsigned r)
{
    jit_emit_modrm(c, 8, 0x89, 1, r, false, m, false);
}

void jit_lea64(Ctx *c, unsigned r, Loc m)
{
    jit_emit_modrm(c, 8, 0x8d, 1, r, false, m, false);
}

void jit_mov_imm(Ctx *c, unsigned r, uint64_t v)
{
    if (v == (uint32_t)v) {
        if (r & 8) {
            e8(c, 0x41);
        }
        e8(c, 0xb8 + (r & 7));
        e32(c, v);
    } else if (fits32((int64_t)v)) {
        jit_emit_modrm(c, 8, 0xc7, 1, 0, false, R(r), false);
        e32(c, v);
    } else {
        e8(c, 0x48 | ((r & 8) ? 1 : 0));
        e8(c, 0xb8 + (r & 7));
        e64(c, v);
    }
}

void jit_call_abs(Ctx *c, const void *fn)
{
    jit_mov_imm(c, RAX, (uintptr_t)fn);
    e8(c, 0xff);                    /* call rax */
    e8(c, 0xd0);
}

/* jmp/jcc rel32 to @target (NULL: patched later; returns the field) */
uint8_t *jit_jmp32(Ctx *c, int cc, const uint8_t *target)
{
    uint8_t *f;

    if (cc < 0) {
        e8(c, 0xe9);
    } else {
        e8(c, 0x0f);
        e8(c, 0x80 + cc);
    }
    f = c->p;
    e32(c, target ? (uint32_t)(target - (c->p + 4)) : 0);
    return c->full ? NULL : f;
}

void jit_patch32(uint8_t *f, const uint8_t *target)
{
    int32_t rel;

    if (!f) {
        return;
    }
    rel = (int32_t)(target - (f + 4));
    memcpy(f, &rel, 4);
}

/* short jump (cc < 0: jmp) with its rel8 patched by jit_fix8() */
uint8_t *jit_jmp8(Ctx *c, int cc)
{
    e8(c, cc < 0 ? 0xeb : 0x70 + cc);
    e8(c, 0);
    return c->full ? NULL : c->p - 1;
}

void jit_fix8(Ctx *c, uint8_t *f)
{
    if (f && !c->full) {
        if (c->p - (f + 1) > 127) {
            c->full = true;         /* out of reach: no translation */
            return;
        }
        *f = (uint8_t)(c->p - (f + 1));
    }
}

/* ALU operation @k at @sz bytes: d = d op s (TEST/CMP: flags only). */
void jit_emit_alu(Ctx *c, int k, unsigned sz, Loc d, Loc s, bool lock)
{
    bool byte = sz == 1;
    unsigned w = byte ? 1 : sz;

    if (s.kind == L_IMM) {
        if (k == A_MOV && sz == 8 && !fits32(s.imm)) {
            if (d.kind == L_REG) {
                jit_mov_imm(c, d.reg, s.imm);
                return;
            }
            jit_mov_imm(c, RAX, s.imm);
            jit_emit_alu(c, A_MOV, 8, d, R(RAX), false);
            return;
        }
        if (lock) {
            e8(c, 0xf0);
        }
        if (k == A_MOV) {
            jit_emit_modrm(c, w, byte ? 0xc6 : 0xc7, 1, 0, false, d, byte);
            jit_emit_imm(c, sz, s.imm);
        } else if (k == A_TEST) {
            jit_emit_modrm(c, w, byte ? 0xf6 : 0xf7, 1, 0, false, d, byte);
            jit_emit_imm(c, sz, s.imm);
        } else if (!byte && fits8(s.imm)) {
            jit_emit_modrm(c, w, 0x83, 1, k, false, d, false);
            e8(c, s.imm & 0xff);
        } else {
            jit_emit_modrm(c, w, byte ? 0x80 : 0x81, 1, k, false, d, byte);
            jit_emit_imm(c, sz, s.imm);
        }
        return;
    }
    if (k == A_TEST && d.kind == L_REG && s.kind != L_REG) {
        Loc t = d;
        d = s;
        s = t;
    }
    if (d.kind == L_REG && k != A_TEST) {
        jit_emit_modrm(c, w, (k == A_MOV ? 0x8a : (k << 3) | 2) + !byte, 1,
                   d.reg, byte, s, byte);
    } else if (s.kind == L_REG) {
        if (lock) {
            e8(c, 0xf0);
        }
        jit_emit_modrm(c, w, (k == A_MOV ? 0x88 : k == A_TEST ? 0x84 : k << 3) +
                   !byte, 1, s.reg, byte, d, byte);
    } else {
        jit_emit_alu(c, A_MOV, sz, R(RAX), s, false);
        jit_emit_alu(c, k, sz, d, R(RAX), lock);
    }
}

