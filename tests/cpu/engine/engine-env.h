/*
 * Shared scaffolding of the engine tests (test-engine.c, test-events.c):
 * a vCPU on a 16 MiB fake RAM with an MMIO hole at 256 MiB, and a 64-bit
 * kernel environment to run bare-metal guest code in.
 */
#ifndef TESTS_CPU_ENGINE_ENV_H
#define TESTS_CPU_ENGINE_ENV_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "target/i386/cpu.h"

#define RAM_SIZE (16u << 20)
#define GDT 0x1000
#define IDT 0x2000
#define TSS 0x4000

typedef struct Env {
    int write_maps;                 /* map_page(write=true) of 0x500000 */
    int ferr_calls;                 /* FERR# hook calls (env_wire_ferr) */
    bool ferr;                      /* last FERR# level reported */
    uint8_t *ram;
    X86VM *vm;
    X86CPU *cpu;
} Env;

Env *env_new(void);
/* Like env_new, with the FERR# hook of X86MemOps recording into the Env */
Env *env_new_ferr(void);
void env_free(Env *e);
void put64(Env *e, uint64_t a, uint64_t v);
void put32(Env *e, uint64_t a, uint32_t v);
uint64_t get64(Env *e, uint64_t a);
void seg(X86Segment *s, uint16_t sel, bool code, bool l, int dpl);
/* 64-bit interrupt gate (kernel CS 0x10) */
void set_gate(Env *e, int vec, uint64_t off, int dpl);
/*
 * A 64-bit kernel on @e: Linux-like GDT (0x10 kernel CS, 0x18 DS, 0x2b user
 * DS, 0x33 user CS64, 0x40 TSS with RSP0 0x9000), an IDT at IDT (no gates
 * yet), page tables identity-mapping 16 MiB (user-accessible, a read-only
 * 2 MiB page at 8 MiB) and the MMIO hole at 256 MiB; CR0 PG WP NE ET PE,
 * RSP 0x8000, RFLAGS 2. Code and gates are the caller's.
 */
void env_setup_long(Env *e);
void set_rip(Env *e, uint64_t rip);
X86Regs run_expect(Env *e, X86ExitReason want, X86Exit *ex);

#endif
