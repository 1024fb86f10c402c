/*
 * Opcode tables of the x86 disassembler (x86-tables.c), read by the
 * decoder (x86.c). An entry names the mnemonic and its operands in Intel
 * order (the decoder prints them reversed, AT&T style) as space-separated
 * codes in the SDM's notation: E/G (modrm r/m and reg), I (immediate),
 * J (branch displacement), Z (register in the opcode's low bits), V/W/U
 * (xmm), P/Q/N (mmx), ... with the size letter b w d q v (16/32/64 by
 * operand size) z (16/32) y (32/64); see operand() in x86.c.
 */
#ifndef DISAS_X86_INTERNAL_H
#define DISAS_X86_INTERNAL_H

#include <stdint.h>

enum {
    K_PLAIN,        /* name + args; NULL name: (bad) */
    K_GROUP,        /* modrm reg selects x86_groups[idx][reg] */
    K_SSE,          /* mandatory prefix selects x86_sse[idx][none,66,f3,f2] */
    K_MMX,          /* mmx form; with 66 the same op on xmm (P->V, Q->W) */
    K_SPECIAL,      /* decoded by hand in x86.c (idx says which) */
};

enum {
    F_SUF   = 1 << 0,   /* b/w/l/q suffix when no register operand */
    F_OSUF  = 1 << 1,   /* w/l/q suffix always (movzbl) */
    F_D64   = 1 << 2,   /* operand size 64 by default in 64-bit mode */
    F_I64   = 1 << 3,   /* invalid in 64-bit mode */
    F_REP   = 1 << 4,   /* f3 is "rep" */
    F_REPZ  = 1 << 5,   /* f3 is "repz", f2 "repnz" */
    F_BND   = 1 << 6,   /* f2 is "bnd" */
    F_ALT   = 1 << 7,   /* name is "w|l|q" forms by operand size */
    F_PSUF  = 1 << 8,   /* w/l suffix when 66 changed the size */
    F_F64   = 1 << 9,   /* operand size 64 in 64-bit mode, 66 or not */
    F_O64   = 1 << 10,  /* valid in 64-bit mode only */
    F_NOREV = 1 << 11,  /* operands printed in Intel order (enter) */
    F_PSUFM = 1 << 12,  /* w/l suffix when 66 changed a memory operand */
    F_SYS   = 1 << 13,  /* l/q suffix in 64-bit mode (sysret) */
    F_DT    = 1 << 14,  /* w/l suffix outside 64-bit mode (lgdt) */
    F_LOCK  = 1 << 15,  /* lockable: f2/f3 print as xacquire/xrelease */
};

/* Special decoders (K_SPECIAL idx). */
enum {
    SP_NOP90 = 1, SP_63, SP_MOVIMM, SP_JCXZ, SP_0F01, SP_0FC7, SP_0FAE,
    SP_ENDBR, SP_X87, SP_LES, SP_MOVABS_O,
};

typedef struct X86Insn {
    const char *name;
    const char *args;
    uint16_t flags;
    uint8_t kind;
    uint8_t idx;
} X86Insn;

enum {
    GR_1, GR_2, GR_3B, GR_3V, GR_4, GR_5, GR_6, GR_7, GR_8, GR_11B,
    GR_11V, GR_12, GR_13, GR_14, GR_16, GR_8F, GR_PF, GR_COUNT
};

extern const X86Insn x86_op1[256];
extern const X86Insn x86_op2[256];
extern const X86Insn x86_groups[GR_COUNT][8];
extern const X86Insn x86_sse[][4];
extern const char *const x86_fpu_mem[8][8];
extern const char *const x86_fpu_reg[8][8];
extern const char *const x86_fpu_d9[32];

#include <stdbool.h>
#include <stddef.h>

#define MAX_INSN 15

/* The decoder's state for one instruction. */
typedef struct Dis {
    const uint8_t *buf;
    size_t len, pos;
    uint64_t pc;
    int mode;
    bool fail;

    uint8_t pfx[MAX_INSN];
    int npfx;
    int last66, last67, lastrep, lastseg, rexidx;
    uint8_t rex, rex_used;
    bool byte_rex, used66, used67, usedrep, usedseg;

    const X86Insn *e;
    const char *args;
    unsigned flags;
    int opsize, adsize;

    bool has_modrm, mem_done;
    uint8_t modrm, mod, reg, rm;
    char mem[96];
    bool rip;
    int64_t rip_disp;

    bool has_reg, has_mem, prefix_only, fwait, xrel;
    bool vex, vex_l, ymm;       /* VEX prefix, its L, ymm operands */
    bool vex_gpr;               /* BMI: no "v" before the name */
    bool xmm_rm;                /* r/m stays xmm under VEX.L (shift count) */
    int vvvv;
    char vargs[32];
    char vname[24];
    int memsize;
    char ops[4][96];
    int nops;
    char name[48];
} Dis;

void x86_app(char *dst, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
uint64_t x86_fetch(Dis *d, int n);
int64_t x86_sext(uint64_t v, int bits);
uint64_t x86_mask(uint64_t v, int bits);
bool x86_rexw(Dis *d);
int x86_osize(Dis *d);
int x86_size_of(Dis *d, char c);
const char *x86_gpr(Dis *d, int size, int n);
bool x86_read_modrm(Dis *d);
void x86_decode_mem(Dis *d);
void x86_operand(Dis *d, const char *c, char *o, size_t sz);
/* 0f 38 / 0f 3a (map 0x38 / 0x3a) entry for op under mandatory prefix
 * pfx (0 none, 1 66, 2 f3, 3 f2); false: (bad). x86-3byte.c */
bool x86_lookup_3byte(int map, int op, int pfx, X86Insn *out);
/* VEX after its first byte (first: c4 or c5); x86-vex.c */
bool x86_decode_vex(Dis *d, int first, X86Insn *tmp);

#endif
