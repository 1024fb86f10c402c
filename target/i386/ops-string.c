/*
 * String instructions (MOVS CMPS STOS LODS SCAS INS OUTS) with REP/REPE/
 * REPNE, and port I/O (IN OUT) as exits (SDM Vol. 2; I/O permission: Vol. 1
 * ch. 19). Each iteration commits RSI/RDI/RCX, so a fault or an exit in
 * the middle of a REP leaves them consistent; long REPs yield every
 * STR_CHUNK iterations so interrupts and kicks are seen. With TF set a REP
 * yields after every iteration, so the single-step #DB comes after each
 * one with RIP still at the instruction (SDM Vol. 3B 17.3.1.4); an event
 * delivered between iterations pushes RF=1 (cpu->rep_mid, excp.c).
 */
#include "target/i386/engine.h"

#define STR_CHUNK 4096

static inline int64_t step(X86CPU *cpu, unsigned size)
{
    return (cpu->eflags & F_DF) ? -(int64_t)size : (int64_t)size;
}

static inline uint64_t areg(X86CPU *cpu, const X86Insn *insn, int r)
{
    return cpu->regs[r] & x86_mask(insn->addrsize);
}

static inline void areg_add(X86CPU *cpu, const X86Insn *insn, int r,
                            int64_t d)
{
    x86_set_reg(cpu, insn, r, insn->addrsize, cpu->regs[r] + d);
}

static inline bool rep(const X86Insn *insn)
{
    return insn->prefix & (PFX_REP | PFX_REPNE);
}

/* Single-stepping (TF, or the embedder's KVM_GUESTDBG_SINGLESTEP): one
 * iteration per step */
static inline bool stepping(X86CPU *cpu)
{
    return (cpu->eflags & F_TF) || cpu->guest_single_step;
}

/* Stop a REP between iterations: it runs again from the same RIP. */
static inline int rep_yield(X86CPU *cpu)
{
    cpu->next_ip = cpu->rip;
    cpu->rep_mid = true;
    return X86_END;
}

/* The REP finished (or never yielded). */
static inline int rep_done(X86CPU *cpu)
{
    cpu->rep_mid = false;
    return X86_NEXT;
}

/*
 * Run @body for each iteration. Returns the handler status. @cond: for
 * CMPS/SCAS, stop when ZF says so.
 */
typedef bool (*IterFn)(X86CPU *cpu, const X86Insn *insn);

static int string_loop(X86CPU *cpu, const X86Insn *insn, IterFn fn,
                       bool cond)
{
    unsigned n = 0;

    if (!rep(insn)) {
        return fn(cpu, insn) ? X86_NEXT : X86_EXC;
    }
    for (;;) {
        if (areg(cpu, insn, R_ECX) == 0) {
            return rep_done(cpu);
        }
        if (!fn(cpu, insn)) {
            return X86_EXC;
        }
        areg_add(cpu, insn, R_ECX, -1);
        cpu->n_mmio_done = 0;
        if (cond) {
            bool zf = x86_cond(cpu, 4);
            if ((insn->prefix & PFX_REP) ? !zf : zf) {
                return rep_done(cpu);
            }
        }
        if (areg(cpu, insn, R_ECX) == 0) {
            return rep_done(cpu);
        }
        /* a data breakpoint traps after the iteration that hit it */
        if (++n >= STR_CHUNK || (cpu->check & CHECK_EXIT_AFTER) ||
            stepping(cpu) || cpu->dbg_hit) {
            return rep_yield(cpu);      /* resume the REP later */
        }
    }
}

static bool it_movs(X86CPU *cpu, const X86Insn *insn)
{
    unsigned size = insn->opsize;
    uint64_t v = 0;

    if (!x86_read(cpu, insn->seg, areg(cpu, insn, R_ESI), &v, size) ||
        !x86_write(cpu, SEG_ES, areg(cpu, insn, R_EDI), &v, size)) {
        return false;
    }
    areg_add(cpu, insn, R_ESI, step(cpu, size));
    areg_add(cpu, insn, R_EDI, step(cpu, size));
    return true;
}

static bool it_stos(X86CPU *cpu, const X86Insn *insn)
{
    unsigned size = insn->opsize;
    uint64_t v = cpu->regs[R_EAX];

    if (!x86_write(cpu, SEG_ES, areg(cpu, insn, R_EDI), &v, size)) {
        return false;
    }
    areg_add(cpu, insn, R_EDI, step(cpu, size));
    return true;
}

static bool it_lods(X86CPU *cpu, const X86Insn *insn)
{
    unsigned size = insn->opsize;
    uint64_t v = 0;

    if (!x86_read(cpu, insn->seg, areg(cpu, insn, R_ESI), &v, size)) {
        return false;
    }
    x86_set_reg(cpu, insn, R_EAX, size, v);
    areg_add(cpu, insn, R_ESI, step(cpu, size));
    return true;
}

static bool it_cmps(X86CPU *cpu, const X86Insn *insn)
{
    unsigned size = insn->opsize;
    uint64_t a = 0, b = 0, m = x86_mask(size);

    if (!x86_read(cpu, insn->seg, areg(cpu, insn, R_ESI), &a, size) ||
        !x86_read(cpu, SEG_ES, areg(cpu, insn, R_EDI), &b, size)) {
        return false;
    }
    x86_set_cc(cpu, CC_SUB, size, (a - b) & m, a, b);
    areg_add(cpu, insn, R_ESI, step(cpu, size));
    areg_add(cpu, insn, R_EDI, step(cpu, size));
    return true;
}

static bool it_scas(X86CPU *cpu, const X86Insn *insn)
{
    unsigned size = insn->opsize;
    uint64_t m = x86_mask(size), a = cpu->regs[R_EAX] & m, b = 0;

    if (!x86_read(cpu, SEG_ES, areg(cpu, insn, R_EDI), &b, size)) {
        return false;
    }
    x86_set_cc(cpu, CC_SUB, size, (a - b) & m, a, b);
    areg_add(cpu, insn, R_EDI, step(cpu, size));
    return true;
}

/*
 * Fast path for REP MOVS/STOS going up: whole runs of elements inside one
 * page of RAM are copied with host pointers. Returns the elements done
 * (0: let the generic loop do the next element: page split, MMIO, a
 * fault to report, ...).
 */
#define FAST_BYTES (64 * 1024)

static uint64_t fast_run(X86CPU *cpu, const X86Insn *insn, bool movs)
{
    unsigned size = insn->opsize;
    uint64_t count = areg(cpu, insn, R_ECX), n, lin_d, lin_s = 0;
    uint64_t di = areg(cpu, insn, R_EDI), si = areg(cpu, insn, R_ESI);
    uint64_t amask = x86_mask(insn->addrsize);
    uint8_t *hd, *hs = NULL;

    n = count;
    if (n > FAST_BYTES / size) {
        n = FAST_BYTES / size;
    }
    /* stay inside the address-size range (no wrap) and the pages */
    if (di + n * size - 1 > amask || (movs && si + n * size - 1 > amask)) {
        return 0;
    }
    if (!x86_seg_linear(cpu, SEG_ES, di, size, ACC_WRITE, &lin_d) ||
        (movs && !x86_seg_linear(cpu, insn->seg, si, size, ACC_READ,
                                 &lin_s))) {
        cpu->exc.vector = -1;
        return 0;
    }
    n = MIN(n, (0x1000 - (lin_d & 0xfff)) / size);
    if (movs) {
        n = MIN(n, (0x1000 - (lin_s & 0xfff)) / size);
    }
    if (n < 2) {
        return 0;
    }
    /* the whole run must pass the segment checks too */
    if (!x86_seg_linear(cpu, SEG_ES, di, n * size, ACC_WRITE, &lin_d) ||
        (movs && !x86_seg_linear(cpu, insn->seg, si, n * size, ACC_READ,
                                 &lin_s))) {
        cpu->exc.vector = -1;
        return 0;
    }
    if (movs) {
        if (!x86_lin_host(cpu, lin_s, ACC_READ, &hs) || !hs) {
            cpu->exc.vector = -1;
            return 0;
        }
    }
    if (!x86_lin_host(cpu, lin_d, ACC_WRITE, &hd) || !hd) {
        cpu->exc.vector = -1;
        return 0;
    }
    if (movs) {
        if (hd > hs && hd < hs + n * size) {
            /* forward overlap: element after element, each read after
             * the previous one was written, as the hardware does */
            for (uint64_t i = 0; i < n; i++) {
                uint64_t v;
                memcpy(&v, hs + i * size, size);
                memcpy(hd + i * size, &v, size);
            }
        } else {
            memmove(hd, hs, n * size);
        }
    } else {
        uint64_t v = cpu->regs[R_EAX];
        if (size == 1) {
            memset(hd, (uint8_t)v, n);
        } else {
            for (uint64_t i = 0; i < n; i++) {
                memcpy(hd + i * size, &v, size);
            }
        }
    }
    areg_add(cpu, insn, R_EDI, n * size);
    if (movs) {
        areg_add(cpu, insn, R_ESI, n * size);
    }
    areg_add(cpu, insn, R_ECX, -(int64_t)n);
    return n;
}

static int fast_rep(X86CPU *cpu, const X86Insn *insn, bool movs)
{
    uint64_t done = 0;

    /* not with single-step, alignment checks or data breakpoints: those
     * need the per-element path */
    if (!rep(insn) || (cpu->eflags & F_DF) || stepping(cpu) ||
        cpu->slow_data) {
        return -1;
    }
    while (areg(cpu, insn, R_ECX) != 0) {
        uint64_t n = fast_run(cpu, insn, movs);
        if (n == 0) {
            return -1;              /* generic loop from here */
        }
        done += n * insn->opsize;
        if (done >= FAST_BYTES && areg(cpu, insn, R_ECX) != 0) {
            return rep_yield(cpu);          /* resume later */
        }
    }
    return rep_done(cpu);
}

int op_movs(X86CPU *cpu, const X86Insn *insn)
{
    int st = fast_rep(cpu, insn, true);

    return st >= 0 ? st : string_loop(cpu, insn, it_movs, false);
}

int op_stos(X86CPU *cpu, const X86Insn *insn)
{
    int st = fast_rep(cpu, insn, false);

    return st >= 0 ? st : string_loop(cpu, insn, it_stos, false);
}

int op_lods(X86CPU *cpu, const X86Insn *insn)
{
    return string_loop(cpu, insn, it_lods, false);
}

int op_cmps(X86CPU *cpu, const X86Insn *insn)
{
    return string_loop(cpu, insn, it_cmps, true);
}

int op_scas(X86CPU *cpu, const X86Insn *insn)
{
    return string_loop(cpu, insn, it_scas, true);
}

/* ---- port I/O ---- */

bool x86_io_allowed(X86CPU *cpu, uint16_t port, unsigned size)
{
    X86Segment *tr = &cpu->seg[SEG_TR];
    uint16_t base, bits;
    unsigned iopl = (cpu->eflags >> 12) & 3;

    if (!(cpu->cr0 & CR0_PE) ||
        (!(cpu->eflags & F_VM) && cpu->cpl <= iopl)) {
        return true;
    }
    if ((tr->type & 7) != 1 && (tr->type & 7) != 3) {
        goto fault;
    }
    if ((tr->type & 8) == 0 || tr->limit < 0x67) {
        goto fault;
    }
    if (!x86_read_lin(cpu, tr->base + 0x66, &base, 2, true)) {
        return false;
    }
    if ((uint32_t)base + port / 8 + 1 > tr->limit) {
        goto fault;
    }
    if (!x86_read_lin(cpu, tr->base + base + port / 8, &bits, 2, true)) {
        return false;
    }
    if ((bits >> (port & 7)) & ((1u << size) - 1)) {
        goto fault;
    }
    return true;
fault:
    x86_raise_err(cpu, EXC_GP, 0);
    return false;
}

/*
 * I/O breakpoints (SDM Vol. 3B 17.2.4-5: CR4.DE=1, R/Wn=10b; undefined,
 * so never hit, with CR4.DE=0): the DRn ranges (LENn) that [port,
 * port+size) overlaps. @arm: record them in DR6 for a #DB trap after the
 * instruction (a REP INS/OUTS traps after the iteration, RIP at the REP).
 */
static unsigned io_breakpoint(X86CPU *cpu, uint16_t port, unsigned size,
                              bool arm)
{
    static const uint8_t lens[4] = { 1, 2, 8, 4 };
    uint64_t dr7 = cpu->dr[7];
    unsigned hits = 0;

    if (likely(!(dr7 & 0xff)) || !(cpu->cr4 & CR4_DE)) {
        return 0;
    }
    for (int i = 0; i < 4; i++) {
        uint64_t len = lens[(dr7 >> (18 + i * 4)) & 3];
        uint64_t a = cpu->dr[i] & ~(len - 1);
        if (((dr7 >> (i * 2)) & 3) && ((dr7 >> (16 + i * 4)) & 3) == 2 &&
            port < a + len && a < (uint64_t)port + size) {
            hits |= 1u << i;
        }
    }
    if (hits && arm) {
        cpu->dr[6] |= hits;
        cpu->dbg_hit = true;
    }
    return hits;
}

static unsigned io_size(const X86Insn *insn)
{
    return (insn->opcode & 1) ? (insn->opsize == 2 ? 2 : 4) : 1;
}

static void io_exit(X86CPU *cpu, uint16_t port, unsigned size, bool in,
                    uint32_t count)
{
    cpu->exit->reason = X86_EXIT_IO;
    cpu->exit->io.port = port;
    cpu->exit->io.size = size;
    cpu->exit->io.in = in;
    cpu->exit->io.count = count;
    cpu->exit->io.data = cpu->io_buf;
}

int op_in(X86CPU *cpu, const X86Insn *insn)
{
    unsigned size = io_size(insn);
    uint16_t port = insn->opcode & 8 ? cpu->regs[R_EDX] : insn->imm;
    uint64_t v = 0;

    if (cpu->io_completed) {
        cpu->io_completed = false;
        memcpy(&v, cpu->io_buf, size);
        x86_set_reg(cpu, insn, R_EAX, size, v);
        io_breakpoint(cpu, port, size, true);
        return X86_NEXT;
    }
    if (!x86_io_allowed(cpu, port, size)) {
        return X86_EXC;
    }
    io_exit(cpu, port, size, true, 1);
    memset(cpu->io_buf, 0, size);
    cpu->pending.active = true;
    cpu->pending.is_io = true;
    cpu->check |= CHECK_EXIT_NOW;
    return X86_EXC;
}

int op_out(X86CPU *cpu, const X86Insn *insn)
{
    unsigned size = io_size(insn);
    uint16_t port = insn->opcode & 8 ? cpu->regs[R_EDX] : insn->imm;
    uint64_t v = cpu->regs[R_EAX];

    if (!x86_io_allowed(cpu, port, size)) {
        return X86_EXC;
    }
    memcpy(cpu->io_buf, &v, size);
    io_exit(cpu, port, size, false, 1);
    io_breakpoint(cpu, port, size, true);
    cpu->check |= CHECK_EXIT_AFTER;
    return X86_NEXT;
}

/* Elements of a string I/O chunk: bounded by RCX, the buffer and the page
 * of the memory operand (so one translation covers the chunk). */
static uint32_t io_chunk(X86CPU *cpu, const X86Insn *insn, unsigned size,
                         uint64_t off)
{
    uint64_t count = rep(insn) ? areg(cpu, insn, R_ECX) : 1;
    uint64_t room;

    if (cpu->eflags & F_DF) {
        room = (off & 0xfff) / size + 1;
    } else {
        room = (0x1000 - (off & 0xfff)) / size;
    }
    if (room == 0) {
        room = 1;
    }
    if (count > room) {
        count = room;
    }
    if (count > X86_IO_DATA_MAX / size) {
        count = X86_IO_DATA_MAX / size;
    }
    if (stepping(cpu)) {
        count = 1;                      /* single-step: #DB per element */
    }
    return count;
}

int op_ins(X86CPU *cpu, const X86Insn *insn)
{
    unsigned size = io_size(insn);
    uint16_t port = cpu->regs[R_EDX];
    uint32_t n;

    if (rep(insn) && areg(cpu, insn, R_ECX) == 0) {
        return X86_NEXT;
    }
    if (cpu->io_completed) {
        /* store the completed chunk */
        n = cpu->io_count;
        cpu->io_completed = false;
        for (uint32_t i = 0; i < n; i++) {
            if (!x86_write(cpu, SEG_ES, areg(cpu, insn, R_EDI),
                           cpu->io_buf + i * size, size)) {
                return X86_EXC;
            }
            areg_add(cpu, insn, R_EDI, step(cpu, size));
            if (rep(insn)) {
                areg_add(cpu, insn, R_ECX, -1);
            }
        }
        io_breakpoint(cpu, port, size, true);
        if (rep(insn) && areg(cpu, insn, R_ECX) != 0) {
            return rep_yield(cpu);
        }
        return rep_done(cpu);
    }
    if (!x86_io_allowed(cpu, port, size)) {
        return X86_EXC;
    }
    n = io_chunk(cpu, insn, size, areg(cpu, insn, R_EDI));
    if (io_breakpoint(cpu, port, size, false)) {
        n = 1;                          /* trap after this iteration */
    }
    /* fault before the device sees the read */
    if (!x86_probe_write(cpu, SEG_ES, areg(cpu, insn, R_EDI), size)) {
        return X86_EXC;
    }
    io_exit(cpu, port, size, true, n);
    memset(cpu->io_buf, 0, n * size);
    cpu->io_count = n;
    cpu->pending.active = true;
    cpu->pending.is_io = true;
    cpu->check |= CHECK_EXIT_NOW;
    return X86_EXC;
}

int op_outs(X86CPU *cpu, const X86Insn *insn)
{
    unsigned size = io_size(insn);
    uint16_t port = cpu->regs[R_EDX];
    uint32_t n;
    uint64_t si;

    if (rep(insn) && areg(cpu, insn, R_ECX) == 0) {
        return X86_NEXT;
    }
    if (!x86_io_allowed(cpu, port, size)) {
        return X86_EXC;
    }
    n = io_chunk(cpu, insn, size, areg(cpu, insn, R_ESI));
    if (io_breakpoint(cpu, port, size, false)) {
        n = 1;                          /* trap after this iteration */
    }
    si = cpu->regs[R_ESI];
    for (uint32_t i = 0; i < n; i++) {
        if (!x86_read(cpu, insn->seg, areg(cpu, insn, R_ESI),
                      cpu->io_buf + i * size, size)) {
            if (i == 0) {
                cpu->regs[R_ESI] = si;
                return X86_EXC;
            }
            /* MMIO source or fault mid-chunk: send what we have */
            cpu->exc.vector = -1;
            cpu->check &= ~CHECK_EXIT_NOW;
            cpu->pending.active = false;
            n = i;
            break;
        }
        areg_add(cpu, insn, R_ESI, step(cpu, size));
    }
    if (rep(insn)) {
        x86_set_reg(cpu, insn, R_ECX, insn->addrsize,
                    areg(cpu, insn, R_ECX) - n);
    }
    io_exit(cpu, port, size, false, n);
    io_breakpoint(cpu, port, size, true);
    cpu->check |= CHECK_EXIT_AFTER;
    if (rep(insn) && areg(cpu, insn, R_ECX) != 0) {
        return rep_yield(cpu);
    }
    return rep_done(cpu);
}
