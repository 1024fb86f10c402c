/*
 * Differential harness: how an instruction form is described.  forms.c
 * owns the table and turns a form into concrete bytes and inputs;
 * forms-int.c and forms-fp.c fill the table.
 */
#ifndef TESTS_CPU_DIFF_FORMS_H
#define TESTS_CPU_DIFF_FORMS_H

#include <glib.h>

#include "diff.h"

enum {
    FK_NONE,          /* opcode only (+ imm) */
    FK_RM,            /* ModRM: reg = operand, rm = reg or memory */
    FK_DIGIT,         /* ModRM: reg = /digit, rm = operand */
    FK_OPREG,         /* register in the opcode's low 3 bits (+REX.B) */
    FK_RAW,           /* bytes exactly as given (fixed ModRM etc.) */
};

enum { RM_BOTH, RM_REG, RM_MEM };
enum { RC_GPR, RC_XMM, RC_MMX, RC_X87 };

/* per-case mask computation */
enum {
    MK_STATIC,        /* form->flags_undef only */
    MK_SHIFT,         /* SHL/SHR/SAR by count: AF, OF (count!=1), CF */
    MK_ROT,           /* ROL/ROR/RCL/RCR: OF if count != 1 */
    MK_SHXD,          /* SHLD/SHRD */
    MK_BSX,           /* BSF/BSR: dest undefined when the source is 0 */
};

/* setup bits */
#define SU_STRING   0x0001    /* RSI/RDI into the data area, small RCX */
#define SU_X87      0x0002    /* valid x87 stack with TOP/tags */
#define SU_MXCSR    0x0004    /* random rounding/DAZ/FTZ (+ rare unmasks) */
#define SU_FCW      0x0008    /* random x87 rounding/precision */
#define SU_NOREX    0x0010    /* never emit REX (byte regs AH..BH) */
#define SU_ALIGN16  0x0020    /* memory operand 16-byte aligned */
#define SU_CL       0x0040    /* count in CL: keep it interesting */
#define SU_DIVOK    0x0080    /* mostly avoid #DE for DIV/IDIV */
#define SU_X87EMPTY 0x0100    /* also produce empty-stack cases */
#define SU_NOSP     0x0200    /* do not pick RSP as an operand */
#define SU_VEX      0x0400    /* VEX encoded: vvvv chosen at random */
#define SU_SMALLRCX 0x0800    /* RCX small (LOOP, REP) */
#define SU_MMX      0x1000    /* MMX: registers valid in x87 terms */
#define SU_VEX_NOV  0x2000    /* VEX.vvvv unused: encode 1111b */
#define SU_FXIMG    0x4000    /* memory operand is a plausible FXSAVE image */
#define SU_CMPXCHG  0x8000    /* RDX:RAX often equal to the memory operand */
#define SU_BITOFF   0x10000   /* reg operand: small signed bit offset */
#define SU_IGN_FXPTR 0x20000  /* stores an FXSAVE image: ignore FOP/FIP/FDP
                                 and MXCSR_MASK */
#define SU_IGN_ENV  0x40000   /* stores a 32-bit x87 environment: ignore
                                 FIP/FCS/FOP/FDP/FDS */
#define SU_XSAVE    0x80000   /* EDX:EAX = x87|SSE, 64-byte aligned area */
#define SU_IGN_ENV16 0x100000 /* 16-bit environment: ignore FIP..FDS */
#define SU_MXCSRMEM 0x200000  /* memory operand: a (mostly valid) MXCSR */

struct DiffForm {
    const char *name;
    const char *family;
    uint8_t pfx[3], npfx;      /* legacy prefixes, before REX */
    uint8_t op[16], nop;       /* opcode bytes (after REX / VEX) */
    uint8_t kind;              /* FK_* */
    uint8_t digit;             /* FK_DIGIT */
    uint8_t rm_mode;           /* RM_* */
    uint8_t regclass;          /* class of ModRM.reg operand */
    uint8_t rmclass;           /* class of ModRM.rm register operand */
    uint8_t opsize;            /* 1, 2, 4, 8: 66 / REX.W; 0 = as given */
    uint16_t memsize;          /* bytes of the memory operand */
    uint8_t imm;               /* immediate bytes */
    uint8_t maskkind;          /* MK_* */
    uint8_t vex_map, vex_pp, vex_w;
    uint32_t flags_undef;
    uint16_t fsw_undef;
    uint32_t setup;            /* SU_* */
};

/* A form name that lives as long as the table (freed by diff_forms_free). */
const char *diff_form_printf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* Append a form to the table (copied). */
void diff_form_add(const DiffForm *f);
void diff_forms_int_register(void);
void diff_forms_fp_register(void);

#endif
