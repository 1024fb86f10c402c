/*
 * Differential harness: compare the oracle's output state with the
 * engine's, ignoring what the instruction leaves undefined, and print a
 * reproducible report (bytes, inputs, both outputs) when they differ.
 */
#include <stdio.h>
#include <string.h>

#include "diff.h"

static const char *const gpr_names[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

void diff_print_case(const DiffCase *c)
{
    const DiffState *s = &c->in;

    printf("  form %s [%s], bytes:", c->name, c->family);
    for (unsigned i = 0; i < c->code_len; i++) {
        printf(" %02x", c->code[i]);
    }
    printf("\n  in:");
    for (int i = 0; i < 16; i++) {
        printf("%s %s=%016llx", i % 4 ? "" : "\n   ", gpr_names[i],
               (unsigned long long)s->gpr[i]);
    }
    printf("\n    rflags=%08llx mxcsr=%08x fcw=%04x fsw=%04x ftw=%02x\n",
           (unsigned long long)s->rflags, s->fx.mxcsr, s->fx.fcw,
           s->fx.fsw, s->fx.ftw);
    if (strncmp(c->family, "sse", 3) && strcmp(c->family, "mmx") &&
        strcmp(c->family, "x87") && strcmp(c->family, "crc32") &&
        strcmp(c->family, "xsave")) {
        return;
    }
    for (int i = 0; i < 16; i++) {
        printf("%sxmm%-2d=", i % 2 ? "  " : "    ", i);
        for (int b = 15; b >= 0; b--) {
            printf("%02x", s->fx.xmm[i][b]);
        }
        printf(i % 2 ? "\n" : "");
    }
    for (int i = 0; i < 8; i++) {
        printf("%sst%d=", i % 2 ? "  " : "    ", i);
        for (int b = 9; b >= 0; b--) {
            printf("%02x", s->fx.st[i][b]);
        }
        printf(i % 2 ? "\n" : "");
    }
}

static void hex(const uint8_t *p, unsigned n)
{
    for (unsigned i = n; i-- > 0;) {
        printf("%02x", p[i]);
    }
}

static unsigned st_slot_physical(const DiffFx *fx, unsigned i)
{
    return (((fx->fsw >> 11) & 7) + i) & 7;
}

/* Print one difference line. */
#define DIFF_LINE(...) do { if (!quiet) { printf(__VA_ARGS__); } } while (0)

bool diff_compare(const DiffCase *c, const DiffState *e, const DiffState *a,
                  uint64_t seed, uint64_t index, bool quiet)
{
    bool ok = true;
    bool header = false;

#define FAIL()                                                              \
    do {                                                                    \
        ok = false;                                                         \
        if (!header && !quiet) {                                            \
            header = true;                                                  \
            printf("MISMATCH seed=%llu case=%llu (KVMU_CPU_SEED=%llu to "   \
                   "replay)\n", (unsigned long long)seed,                   \
                   (unsigned long long)index, (unsigned long long)seed);    \
            diff_print_case(c);                                             \
        }                                                                   \
    } while (0)

    if (e->vector != a->vector) {
        FAIL();
        DIFF_LINE("  exception: expected %d, got %d\n", e->vector, a->vector);
        return false;
    }
    if (e->vector >= 0) {
        /*
         * faulted: RIP must point at the faulting instruction (RIP is
         * below 4 GiB, so its low half is all of it in 32-bit code too).  Traps
         * (#DB, #BP, #OF) report the next instruction natively; with no
         * IDT the engine's shutdown state has no such notion: skip.
         */
        bool trap = e->vector == 1 || e->vector == 3 || e->vector == 4;

        if (!trap && e->rip != a->rip) {
            FAIL();
            DIFF_LINE("  fault rip: expected %llx, got %llx\n",
                      (unsigned long long)e->rip, (unsigned long long)a->rip);
        }
        if (c->mask.ignore_fault_regs) {
            return ok;
        }
    }
    for (int i = 0; i < 16; i++) {
        uint64_t m = c->mask.gpr_low32 ? (i < 8 ? 0xffffffffULL : 0) : ~0ULL;

        if (c->mask.gpr_undef & (1u << i)) {
            continue;
        }
        if ((e->gpr[i] & m) != (a->gpr[i] & m)) {
            FAIL();
            DIFF_LINE("  %s: expected %016llx, got %016llx\n", gpr_names[i],
                      (unsigned long long)e->gpr[i],
                      (unsigned long long)a->gpr[i]);
        }
    }
    {
        uint64_t m = FL_ALL & ~(uint64_t)c->mask.flags_undef;

        if ((e->rflags & m) != (a->rflags & m)) {
            FAIL();
            DIFF_LINE("  rflags: expected %04llx, got %04llx (compared bits "
                      "%04llx)\n", (unsigned long long)(e->rflags & FL_ALL),
                      (unsigned long long)(a->rflags & FL_ALL),
                      (unsigned long long)m);
        }
    }
    if (e->fx.mxcsr != a->fx.mxcsr) {
        FAIL();
        DIFF_LINE("  mxcsr: expected %08x, got %08x\n", e->fx.mxcsr,
                  a->fx.mxcsr);
    }
    for (int i = 0; i < 16; i++) {
        if (memcmp(e->fx.xmm[i], a->fx.xmm[i], 16)) {
            FAIL();
            DIFF_LINE("  xmm%d: expected ", i);
            if (!quiet) {
                hex(e->fx.xmm[i], 16);
                printf(", got ");
                hex(a->fx.xmm[i], 16);
                printf("\n");
            }
        }
    }
    if (e->fx.fcw != a->fx.fcw) {
        FAIL();
        DIFF_LINE("  fcw: expected %04x, got %04x\n", e->fx.fcw, a->fx.fcw);
    }
    {
        uint16_t m = (uint16_t)~c->mask.fsw_undef;

        if ((e->fx.fsw & m) != (a->fx.fsw & m)) {
            FAIL();
            DIFF_LINE("  fsw: expected %04x, got %04x\n", e->fx.fsw,
                      a->fx.fsw);
        }
    }
    if (e->fx.ftw != a->fx.ftw) {
        FAIL();
        DIFF_LINE("  ftw: expected %02x, got %02x\n", e->fx.ftw, a->fx.ftw);
    }
    for (unsigned i = 0; i < 8; i++) {
        /* compare only valid (tagged) registers: empty ones hold garbage */
        unsigned phys = st_slot_physical(&e->fx, i);

        if (!(e->fx.ftw & (1u << phys))) {
            continue;
        }
        if (memcmp(e->fx.st[i], a->fx.st[i], 10)) {
            FAIL();
            DIFF_LINE("  st%u: expected ", i);
            if (!quiet) {
                hex(e->fx.st[i], 10);
                printf(", got ");
                hex(a->fx.st[i], 10);
                printf("\n");
            }
        }
    }
    for (unsigned i = 0; i < DIFF_DATA_SIZE; i++) {
        bool skip = false;

        for (unsigned k = 0; k < 2; k++) {
            skip |= i - c->mask.data_ignore[k].off <
                    c->mask.data_ignore[k].len;
        }
        if (!skip && e->data[i] != a->data[i]) {
            FAIL();
            DIFF_LINE("  data[0x%x] (addr %llx): expected %02x, got %02x\n",
                      i, (unsigned long long)(DIFF_DATA_ADDR + i),
                      e->data[i], a->data[i]);
            break;
        }
    }
    for (unsigned i = 0; i < DIFF_STACK_SIZE; i++) {
        if (e->stack[i] != a->stack[i]) {
            FAIL();
            DIFF_LINE("  stack[0x%x]: expected %02x, got %02x\n", i,
                      e->stack[i], a->stack[i]);
            break;
        }
    }
    if (!ok && !quiet) {
        printf("\n");
    }
    return ok;
#undef FAIL
}
