/*
 * The block translator: what each decoded record becomes (its kind,
 * operands, flags read and written, memory access) and which guest
 * registers a block uses; see jit.c.
 */
#include "target/i386/jit-internal.h"
/* ---- classification ----------------------------------------------------- */

static bool hi_byte(const X86Insn *insn, unsigned g, unsigned sz)
{
    return sz == 1 && !(insn->prefix & PFX_REX) && g >= 4 && g < 8;
}

static void set_alu(Info *f, int op, unsigned sz, int dst, int src)
{
    f->kind = K_ALU;
    f->op = op;
    f->sz = sz;
    f->dst = dst;
    f->src = src;
}

/* Decide how record @insn is translated. */
void jit_classify(const X86Insn *insn, Info *f)
{
    unsigned op = insn->opcode, d = insn->reg & 7;
    bool m = insn->mod != 3, bytef;

    memset(f, 0, sizeof(*f));
    f->kind = K_HELPER;
    f->sz = insn->opsize;
    f->acc = ACC_READ;
    if (insn->prefix & (PFX_LOCK | PFX_VEX) ||
        (insn->prefix & (PFX_REP | PFX_REPNE) && !(insn->map == MAP_1B &&
                                                  op == 0xc3))) {
        return;
    }
    if (insn->map == MAP_1B) {
        bytef = !(op & 1);
        if (op < 0x40 && (op & 7) < 6) {
            f->kind = K_ALU;
            f->op = op >> 3;
            f->sz = bytef ? 1 : insn->opsize;
            switch (op & 7) {
            case 0: case 1: f->dst = O_E; f->src = O_G; break;
            case 2: case 3: f->dst = O_G; f->src = O_E; break;
            default: f->dst = O_ACC; f->src = O_IMM; break;
            }
            if ((op & 7) == 4) {
                f->sz = 1;
            }
        } else if (op == 0x80 || op == 0x81 || op == 0x83) {
            set_alu(f, d, op == 0x80 ? 1 : insn->opsize, O_E, O_IMM);
        } else if (op == 0x84 || op == 0x85) {
            set_alu(f, A_TEST, op == 0x84 ? 1 : insn->opsize, O_E, O_G);
        } else if (op == 0xa8 || op == 0xa9) {
            set_alu(f, A_TEST, op == 0xa8 ? 1 : insn->opsize, O_ACC, O_IMM);
        } else if (op >= 0x88 && op <= 0x8b) {
            set_alu(f, A_MOV, bytef ? 1 : insn->opsize, op < 0x8a ? O_E : O_G, op < 0x8a ? O_G : O_E);
        } else if ((op == 0xc6 || op == 0xc7) && d == 0) {
            set_alu(f, A_MOV, op == 0xc6 ? 1 : insn->opsize, O_E, O_IMM);
        } else if (op >= 0xb0 && op <= 0xbf) {
            set_alu(f, A_MOV, op < 0xb8 ? 1 : insn->opsize, O_RMREG, O_IMM);
        } else if (op == 0x8d && m) {
            f->kind = K_LEA;
        } else if (op == 0x63 && insn->opsize == 8) {
            f->kind = K_MOVX;
        } else if ((op == 0xf6 || op == 0xf7) && d == 0) {
            set_alu(f, A_TEST, op == 0xf6 ? 1 : insn->opsize, O_E, O_IMM);
        } else if ((op == 0xf6 || op == 0xf7) && (d == 2 || d == 3)) {
            f->kind = K_UNARY;
            f->sz = op == 0xf6 ? 1 : insn->opsize;
        } else if (op == 0xff && (d == 2 || d == 4)) {
            f->kind = d == 2 ? K_CALLI : K_JMPI;
            f->sz = 8;
        } else if ((op == 0xfe || op == 0xff) && d < 2) {
            f->kind = K_UNARY;
            f->sz = op == 0xfe ? 1 : insn->opsize;
        } else if (op == 0xc0 || op == 0xc1 || (op >= 0xd0 && op <= 0xd3)) {
            f->kind = K_SHIFT;
            f->sz = bytef ? 1 : insn->opsize;
        } else if (op == 0x69 || op == 0x6b) {
            f->kind = K_IMUL3;
        } else if (op == 0x87 && !m) {
            f->kind = K_XCHG;
        } else if (op >= 0x91 && op <= 0x97) {
            f->kind = K_XCHG;
        } else if (op == 0x90 && !(insn->rex & 1)) {
            f->kind = K_NOP;
        } else if (op == 0x98 || op == 0x99) {
            f->kind = K_CXX;
        } else if (op >= 0x50 && op <= 0x57 && insn->opsize == 8) {
            f->kind = K_PUSH;
        } else if ((op == 0x68 || op == 0x6a) && insn->opsize == 8) {
            f->kind = K_PUSH;
        } else if (op >= 0x58 && op <= 0x5f && insn->opsize == 8) {
            f->kind = K_POP;
        } else if (op >= 0x70 && op <= 0x7f && insn->opsize == 8) {
            f->kind = K_JCC;
        } else if ((op == 0xe9 || op == 0xeb) && insn->opsize == 8) {
            f->kind = K_JMP;
        } else if (op == 0xe8 && insn->opsize == 8) {
            f->kind = K_CALL;
        } else if (op == 0xc3 && insn->opsize == 8) {
            f->kind = K_RET;
        }
    } else if (insn->map == MAP_0F && !(insn->prefix & (PFX_REP |
                                                        PFX_REPNE))) {
        if (op >= 0x80 && op <= 0x8f && insn->opsize == 8) {
            f->kind = K_JCC;
        } else if (op >= 0x40 && op <= 0x4f) {
            f->kind = K_CMOV;
        } else if (op >= 0x90 && op <= 0x9f) {
            f->kind = K_SETCC;
            f->sz = 1;
        } else if (op == 0xaf) {
            f->kind = K_IMUL2;
        } else if (op == 0xb6 || op == 0xb7 || op == 0xbe || op == 0xbf) {
            f->kind = K_MOVX;
        } else if (op >= 0xc8 && op <= 0xcf && insn->opsize >= 4) {
            f->kind = K_BSWAP;
        } else if ((op == 0xa3 || op == 0xab || op == 0xb3 || op == 0xbb) &&
                   !m) {
            f->kind = K_BT;
        } else if (op == 0xba && d >= 4) {
            f->kind = K_BT;
        } else if (op == 0xbc || op == 0xbd) {
            f->kind = K_BSX;
        } else if (op == 0xa4 || op == 0xa5 || op == 0xac || op == 0xad) {
            f->kind = K_SHD;
        } else if (op == 0x1f) {
            f->kind = K_NOP;
        }
    }
    if ((f->kind == K_JMPI || f->kind == K_CALLI) && m) {
        f->mem = true;
    } else if (f->kind == K_ALU && (f->dst == O_E || f->src == O_E) && m) {
        f->mem = true;
    } else if (m && (f->kind == K_UNARY || f->kind == K_SHIFT ||
                     f->kind == K_IMUL2 || f->kind == K_IMUL3 ||
                     f->kind == K_MOVX || f->kind == K_CMOV ||
                     f->kind == K_SETCC || f->kind == K_BT ||
                     f->kind == K_BSX || f->kind == K_SHD)) {
        f->mem = true;
    }
    if (f->kind == K_NOP) {
        f->mem = false;
    }
    /* flags and the memory access */
    switch (f->kind) {
    case K_ALU:
        f->rd = f->op == A_ADC || f->op == A_SBB;
        f->wr = f->op != A_MOV;
        f->acc = (f->dst == O_E && f->op != A_CMP && f->op != A_TEST) ?
                 ACC_WRITE : ACC_READ;
        break;
    case K_UNARY:
        if (insn->opcode == 0xf6 || insn->opcode == 0xf7) {
            f->wr = d == 3;         /* NEG; NOT leaves flags */
        } else {
            f->pr = f->wr = true;   /* INC/DEC keep CF */
        }
        f->acc = ACC_WRITE;
        break;
    case K_SHIFT: {
        unsigned cnt = insn->opcode >= 0xd2 ? 0x100 :
                       insn->opcode >= 0xd0 ? 1 : (unsigned)insn->imm;
        unsigned mask = f->sz == 8 ? 63 : 31;
        if (cnt != 0x100 && (cnt & mask) == 0) {
            /* flags kept; a 32-bit register is still zero-extended */
            if (m || d == 6) {
                f->kind = K_HELPER;
            }
            break;
        }
        if (cnt == 0x100 || d < 4 || d == 6) {
            /* CL may be 0; ROL/ROR/RCL/RCR keep SF ZF AF PF; /6 is
             * undocumented: leave it to the interpreter */
            if (d == 6) {
                f->kind = K_HELPER;
                break;
            }
            /* RCL/RCR read CF; the others keep what they don't write */
            f->rd = d == 2 || d == 3;
            f->pr = true;
        }
        f->wr = true;
        f->acc = ACC_WRITE;
        break;
    }
    case K_SHD:
        f->pr = f->wr = true;
        f->acc = ACC_WRITE;
        if (insn->opsize == 2) {
            f->kind = K_HELPER;     /* counts > 16: host-specific */
        }
        break;
    case K_IMUL2:
    case K_IMUL3:
    case K_BSX:
        f->wr = true;
        f->pr = f->kind == K_BSX;   /* source 0: ZF=1, rest kept */
        break;
    case K_BT:
        f->pr = f->wr = true;       /* CF only */
        f->acc = (insn->opcode == 0xa3 ||
                  (insn->opcode == 0xba && d == 4)) ? ACC_READ : ACC_WRITE;
        break;
    case K_CMOV:
    case K_SETCC:
    case K_JCC:
        f->rd = true;
        f->acc = f->kind == K_SETCC ? ACC_WRITE : ACC_READ;
        break;
    case K_MOVX:
        f->msz = insn->opcode == 0x63 ? 4 :
                 (insn->opcode & 1) ? 2 : 1;
        break;
    case K_PUSH:
    case K_CALL:
        f->mem = true;
        f->acc = ACC_WRITE;
        f->msz = 8;
        break;
    case K_POP:
    case K_RET:
        f->mem = true;
        f->acc = ACC_READ;
        f->msz = 8;
        break;
    default:
        break;
    }
    if (!f->msz) {
        f->msz = f->sz;
    }
    if (f->kind == K_HELPER) {
        f->rd = true;               /* unknown: may read them */
        f->wr = false;
        f->mem = false;
    }
}

static void use_reg(const X86Insn *insn, unsigned g, unsigned sz,
                    unsigned *cnt, uint16_t *nohome)
{
    if (hi_byte(insn, g, sz)) {
        *nohome |= 1u << (g - 4);
    } else {
        cnt[g] += 2;
    }
}

/* Guest registers a translated record names (homes are chosen from
 * these), and those it names as AH..BH (their 64-bit register must stay
 * in memory). */
void jit_reg_uses(const X86Insn *insn, const Info *f, unsigned *cnt,
                     uint16_t *nohome)
{
    unsigned op = insn->opcode;

#define USE(g, s) use_reg(insn, (g), (s), cnt, nohome)

    if (f->kind == K_HELPER || f->kind == K_NOP) {
        return;
    }
    if (f->mem && insn->mod != 3 && f->kind != K_PUSH && f->kind != K_POP) {
        if (insn->base != X86_NOREG) {
            cnt[insn->base] += 2;
        }
        if (insn->index != X86_NOREG) {
            cnt[insn->index] += 2;
        }
    } else if (f->kind == K_LEA) {
        if (insn->base != X86_NOREG) {
            cnt[insn->base] += 2;
        }
        if (insn->index != X86_NOREG) {
            cnt[insn->index] += 2;
        }
    }
    switch (f->kind) {
    case K_ALU:
        if (f->dst == O_ACC) {
            USE(R_EAX, f->sz);
        }
        if (f->dst == O_RMREG) {
            USE(insn->rm, f->sz);
        }
        if ((f->dst == O_E || f->src == O_E) && insn->mod == 3) {
            USE(insn->rm, f->sz);
        }
        if (f->dst == O_G || f->src == O_G) {
            USE(insn->reg, f->sz);
        }
        break;
    case K_UNARY:
    case K_SETCC:
        if (insn->mod == 3) {
            USE(insn->rm, f->sz);
        }
        break;
    case K_SHIFT:
        if (insn->mod == 3) {
            USE(insn->rm, f->sz);
        }
        if (op == 0xd2 || op == 0xd3) {
            cnt[R_ECX]++;
        }
        break;
    case K_SHD:
        if (insn->mod == 3) {
            USE(insn->rm, 8);
        }
        USE(insn->reg, 8);
        if (op == 0xa5 || op == 0xad) {
            cnt[R_ECX]++;
        }
        break;
    case K_MOVX:
        if (insn->mod == 3) {
            USE(insn->rm, f->msz);
        }
        USE(insn->reg, 8);
        break;
    case K_LEA:
    case K_IMUL2:
    case K_IMUL3:
    case K_CMOV:
    case K_BSX:
    case K_BT:
        if (insn->mod == 3) {
            USE(insn->rm, 8);
        }
        if (f->kind != K_BT || op != 0xba) {
            USE(insn->reg, 8);
        }
        break;
    case K_BSWAP:
        USE(insn->rm, 8);
        break;
    case K_XCHG:
        if (op == 0x87) {
            USE(insn->rm, 8);
            USE(insn->reg, 8);
        } else {
            USE(insn->rm, 8);
            USE(R_EAX, 8);
        }
        break;
    case K_CXX:
        cnt[R_EAX]++;
        cnt[R_EDX]++;
        break;
    case K_PUSH:
        if (op >= 0x50 && op <= 0x57) {
            USE(insn->rm, 8);
        }
        cnt[R_ESP] += 2;
        break;
    case K_POP:
        USE(insn->rm, 8);
        cnt[R_ESP] += 2;
        break;
    case K_CALL:
    case K_RET:
        cnt[R_ESP] += 2;
        break;
    case K_JMPI:
    case K_CALLI:
        if (insn->mod == 3) {
            USE(insn->rm, 8);
        }
        if (f->kind == K_CALLI) {
            cnt[R_ESP] += 2;
        }
        break;
    default:
        break;
    }
#undef USE
}

