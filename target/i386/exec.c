/*
 * The execution loop: decoded-block cache keyed by guest-physical address
 * and decode mode, self-modifying-code invalidation, event injection at
 * instruction boundaries, single-step, and the exits to the embedder.
 */
#include "target/i386/engine.h"
#include "target/i386/jit.h"
#include "target/i386/tlb.h"

#define MAX_BLOCKS 65536

/* ---- code pages and block cache ---- */

static unsigned block_hash(uint64_t gpa, uint32_t key)
{
    uint64_t h = (gpa ^ (gpa >> 12) ^ ((uint64_t)key << 7)) * 0x9e3779b97f4a7c15ULL;

    return (h >> 40) & (X86_BLOCK_HASH - 1);
}

static unsigned page_hash(uint64_t page)
{
    return ((page * 0x9e3779b97f4a7c15ULL) >> 40) & (X86_PAGE_HASH - 1);
}

static inline uint64_t jcache_tag(uint64_t gpa, uint32_t key)
{
    return (gpa << 3) | (key << 1) | 1;
}

static inline unsigned jcache_idx(uint64_t gpa, uint32_t key)
{
    return (gpa ^ (gpa >> 11) ^ (key << 9)) & (X86_JCACHE_SIZE - 1);
}

void x86_blocks_free_dead(X86CPU *cpu)
{
    while (cpu->dead_blocks) {
        X86Block *b = cpu->dead_blocks;
        cpu->dead_blocks = b->next;
        if (b->insns != (X86Insn *)(b + 1)) {
            g_free(b->insns);
        }
        g_free(b);
    }
}

void x86_blocks_flush(X86CPU *cpu)
{
    for (unsigned i = 0; i < X86_BLOCK_HASH; i++) {
        X86Block *b = cpu->blocks[i];
        while (b) {
            X86Block *n = b->next;
            b->next = cpu->dead_blocks;
            cpu->dead_blocks = b;
            b = n;
        }
        cpu->blocks[i] = NULL;
    }
    memset(cpu->page_blocks, 0, X86_PAGE_HASH * sizeof(X86Block *));
    cpu->nblocks = 0;
    cpu->chain_gen++;
    memset(cpu->jcache, 0, sizeof(cpu->jcache));
    cpu->check |= CHECK_STALE;
    x86_jit_flush(cpu);
}

/* Drop this vCPU's blocks on page @page (guest-physical page number):
 * the page list finds them, each is unlinked from its hash chain. */
static void blocks_drop_page(X86CPU *cpu, uint64_t page)
{
    X86Block **pp = &cpu->page_blocks[page_hash(page)];

    while (*pp) {
        X86Block *b = *pp, **hp;
        unsigned j;

        if ((b->gpa >> 12) != page) {
            pp = &b->page_next;
            continue;
        }
        *pp = b->page_next;
        for (hp = &cpu->blocks[block_hash(b->gpa, b->key)]; *hp;
             hp = &(*hp)->next) {
            if (*hp == b) {
                *hp = b->next;
                break;
            }
        }
        j = jcache_idx(b->gpa, b->key);
        if (cpu->jcache[j].b == b) {
            cpu->jcache[j].tag = 0;
            cpu->jcache[j].b = NULL;
        }
        b->next = cpu->dead_blocks;
        cpu->dead_blocks = b;
        cpu->nblocks--;
    }
    cpu->chain_gen++;
    cpu->check |= CHECK_STALE;
}

/* With vm->lock held: guest page @page stopped holding code (it is being
 * written); the other vCPUs drop their blocks on it at their next block
 * boundary, as x86_code_notify_write drops the writer's own at once. Only
 * that page's blocks go; past X86_DROP_MAX queued pages a vCPU drops all
 * its blocks instead. */
static void request_drop_others(X86VM *vm, X86CPU *self, uint64_t page)
{
    for (unsigned i = 0; i < vm->cpus->len; i++) {
        X86CPU *c = g_ptr_array_index(vm->cpus, i);
        if (c == self) {
            continue;
        }
        if (c->ndrop < X86_DROP_MAX) {
            c->drop_pages[c->ndrop] = page;
        }
        c->ndrop++;
        __atomic_store_n(&c->drop_req, 1, __ATOMIC_RELEASE);
        __atomic_store_n(&c->req, 1, __ATOMIC_RELEASE);
    }
}

/* At a block boundary of @cpu's thread: drop the queued pages' blocks. */
static void take_page_drops(X86CPU *cpu)
{
    uint64_t pages[X86_DROP_MAX];
    unsigned n;

    g_mutex_lock(&cpu->vm->lock);
    n = cpu->ndrop;
    memcpy(pages, cpu->drop_pages, MIN(n, X86_DROP_MAX) * sizeof(pages[0]));
    cpu->ndrop = 0;
    g_mutex_unlock(&cpu->vm->lock);
    if (n > X86_DROP_MAX) {
        x86_blocks_flush(cpu);
        return;
    }
    for (unsigned i = 0; i < n; i++) {
        blocks_drop_page(cpu, pages[i]);
    }
}

/* Other vCPUs must stop writing page-fast (a page just became code):
 * dropping their writable TLB entries is enough. */
static void request_wflush_others(X86VM *vm, X86CPU *self)
{
    for (unsigned i = 0; i < vm->cpus->len; i++) {
        X86CPU *c = g_ptr_array_index(vm->cpus, i);
        if (c != self) {
            __atomic_add_fetch(&vm->wflush_pending, 1, __ATOMIC_SEQ_CST);
            __atomic_add_fetch(&c->wflush_seq, 1, __ATOMIC_SEQ_CST);
            __atomic_store_n(&c->req, 1, __ATOMIC_SEQ_CST);
        }
    }
}

/* Drop this vCPU's writable TLB entries if another vCPU asked. */
static void take_wflush(X86CPU *cpu)
{
    uint32_t s = __atomic_load_n(&cpu->wflush_seq, __ATOMIC_SEQ_CST);
    uint32_t old = __atomic_load_n(&cpu->wflush_done, __ATOMIC_RELAXED);

    if (s != old) {
        for (int m = 0; m < MMU_NR; m++) {
            for (unsigned i = 0; i < X86_TLB_SIZE; i++) {
                cpu->tlb[m][ACC_WRITE][i].tag = 0;
            }
        }
        __atomic_store_n(&cpu->wflush_done, s, __ATOMIC_SEQ_CST);
        __atomic_sub_fetch(&cpu->vm->wflush_pending, (uint32_t)(s - old),
                           __ATOMIC_SEQ_CST);
    }
}

/* Wait until every other vCPU running guest code has dropped its writable
 * TLB entries (@seq: what request_wflush_others asked of each, @cpus: the
 * vCPUs then): until then one of them could still store to the page that
 * just became code without the store being seen (cross-modifying code, SDM
 * Vol. 3A 8.1.3: after the writer's signal and a serializing instruction
 * the new code must run). A vCPU outside x86_cpu_run takes the request
 * before it runs again. Our own requests are taken meanwhile (two vCPUs
 * may wait for each other). The others reach a block boundary within a
 * string-instruction chunk once scheduled; the wait is still bounded (1 s,
 * for a host that does not schedule them: 50 ms was too short for 4 vCPU
 * threads on 2 loaded host cores under ASan) so that it can never hang. */
static void wait_wflush_others(X86CPU *self, X86CPU **cpus, uint32_t *seq,
                               unsigned n)
{
    gint64 end = 0;

    for (unsigned i = 0; i < n; i++) {
        X86CPU *c = cpus[i];

        while (c != self && __atomic_load_n(&c->in_run, __ATOMIC_SEQ_CST) &&
               (int32_t)(__atomic_load_n(&c->wflush_done, __ATOMIC_SEQ_CST) -
                         seq[i]) < 0) {
            take_wflush(self);
            if (!end) {
                end = g_get_monotonic_time() + 1000000;
            } else if (g_get_monotonic_time() > end) {
                return;
            }
            g_thread_yield();
        }
    }
}

#define CODE_CHUNK_SHIFT 18             /* pages per GiB */
#define CODE_CHUNK_WORDS ((1u << CODE_CHUNK_SHIFT) / 64)

static bool code_test(X86VM *vm, uint64_t page)
{
    uint64_t chunk = page >> CODE_CHUNK_SHIFT, *bits;
    unsigned idx = page & ((1u << CODE_CHUNK_SHIFT) - 1);

    if (chunk >= G_N_ELEMENTS(vm->code_bits)) {
        return __atomic_load_n(&vm->ncode_pages, __ATOMIC_ACQUIRE) != 0;
    }
    bits = __atomic_load_n(&vm->code_bits[chunk], __ATOMIC_ACQUIRE);
    return bits && (__atomic_load_n(&bits[idx / 64], __ATOMIC_RELAXED) >>
                    (idx % 64)) & 1;
}

/* With vm->lock held: set or clear the code bit; returns the old state. */
static bool code_update_locked(X86VM *vm, uint64_t page, bool set)
{
    uint64_t chunk = page >> CODE_CHUNK_SHIFT, *bits, bit, old;
    unsigned idx = page & ((1u << CODE_CHUNK_SHIFT) - 1);

    if (chunk >= G_N_ELEMENTS(vm->code_bits)) {
        gpointer key = GSIZE_TO_POINTER(page + 1);
        bool had = g_hash_table_contains(vm->code_pages, key);
        if (set && !had) {
            g_hash_table_add(vm->code_pages, key);
            vm->ncode_pages++;
        } else if (!set && had) {
            g_hash_table_remove(vm->code_pages, key);
            vm->ncode_pages--;
        }
        return had;
    }
    bits = vm->code_bits[chunk];
    if (!bits) {
        if (!set) {
            return false;
        }
        bits = g_new0(uint64_t, CODE_CHUNK_WORDS);
        __atomic_store_n(&vm->code_bits[chunk], bits, __ATOMIC_RELEASE);
    }
    bit = 1ULL << (idx % 64);
    if (set) {
        old = __atomic_fetch_or(&bits[idx / 64], bit, __ATOMIC_ACQ_REL);
    } else {
        old = __atomic_fetch_and(&bits[idx / 64], ~bit, __ATOMIC_ACQ_REL);
    }
    return old & bit;
}

/* A write to guest-physical page @gpa_page is about to happen through a
 * writable translation (TLB fill, A/D update). Lock-free unless the page
 * holds decoded code. */
void x86_code_notify_write(X86CPU *cpu, uint64_t gpa_page)
{
    X86VM *vm = cpu->vm;
    uint64_t page = gpa_page >> 12;
    bool was_code;

    if (!code_test(vm, page)) {
        return;
    }
    g_mutex_lock(&vm->lock);
    was_code = code_update_locked(vm, page, false);
    if (was_code) {
        request_drop_others(vm, cpu, page);
    }
    g_mutex_unlock(&vm->lock);
    if (was_code) {
        blocks_drop_page(cpu, page);
    }
}

/* Page @page now holds decoded code: no vCPU may keep a fast write entry
 * for it. */
static void code_mark_page(X86CPU *cpu, uint64_t page)
{
    X86VM *vm = cpu->vm;
    bool added;
    unsigned n;
    uint32_t seq[256];
    X86CPU *cpus[256];

    /* already code, and no vCPU holds a write-flush request not taken
     * yet: nobody can still write the page unseen */
    if (code_test(vm, page) && page < (64ULL << CODE_CHUNK_SHIFT) &&
        !__atomic_load_n(&vm->wflush_pending, __ATOMIC_SEQ_CST)) {
        return;
    }
    g_mutex_lock(&vm->lock);
    added = !code_update_locked(vm, page, true);
    if (added) {
        request_wflush_others(vm, cpu);
    }
    /* wait for every request made so far: ours, and another marker's
     * that may not be taken yet (its page may be this one: that vCPU
     * found it not code and is still waiting; a second marker that found
     * it code must not read the page before the writers stopped either) */
    n = MIN(vm->cpus->len, G_N_ELEMENTS(cpus));
    for (unsigned i = 0; i < n; i++) {
        cpus[i] = g_ptr_array_index(vm->cpus, i);
        seq[i] = __atomic_load_n(&cpus[i]->wflush_seq, __ATOMIC_SEQ_CST);
    }
    g_mutex_unlock(&vm->lock);
    wait_wflush_others(cpu, cpus, seq, n);
    if (added) {
        for (int m = 0; m < MMU_NR; m++) {
            for (unsigned i = 0; i < X86_TLB_SIZE; i++) {
                X86TLBEntry *e = &cpu->tlb[m][ACC_WRITE][i];
                if ((e->gpa >> 12) == page) {
                    e->tag = 0;
                }
            }
        }
    }
}

void x86_vm_notify_write(X86VM *vm, uint64_t gpa, uint64_t len)
{
    uint64_t first = gpa >> 12, last;

    if (!len) {
        return;
    }
    last = (gpa + len - 1) >> 12;
    if (last - first > (1u << 20)) {
        x86_vm_flush(vm);
        return;
    }
    g_mutex_lock(&vm->lock);
    for (uint64_t p = first; p <= last; p++) {
        if (code_test(vm, p) && code_update_locked(vm, p, false)) {
            request_drop_others(vm, NULL, p);
        }
    }
    g_mutex_unlock(&vm->lock);
}

/* Transfers end a block at decode time (a Jcc too unless @past_jcc). */
static bool ends_block(const X86Insn *insn, bool past_jcc)
{
    X86Handler h = insn->handler;

    if (h == op_jcc) {
        return !past_jcc;
    }
    return h == op_ud || h == op_jmp_rel || h == op_ret || h == op_retf ||
           h == op_iret || h == op_jmpf_imm || h == op_callf_imm ||
           h == op_call_rel || h == op_int || h == op_int3 ||
           h == op_hlt || h == op_syscall ||
           /* FF /2../5: CALL/JMP near and far; INC/DEC/PUSH go on */
           (h == op_grp5 && ((insn->modrm >> 3) & 7) >= 2 &&
            ((insn->modrm >> 3) & 7) <= 5) ||
           h == op_sysret || h == op_sysenter || h == op_sysexit ||
           /* MOV to CRn/DRn (0F 22/23) may change the mode: reads go on */
           (h == op_mov_crdr && (insn->opcode & 2)) ||
           h == op_loop ||
           h == op_jcxz || h == op_grp7;
}

static inline uint64_t ip_mask(X86CPU *cpu)
{
    return cpu->code64 ? ~0ULL : cpu->code32 ? 0xffffffffULL : 0xffffULL;
}

static inline uint64_t fetch_lin(X86CPU *cpu, uint64_t rip)
{
    return cpu->code64 ? rip : (cpu->seg[SEG_CS].base + rip) & 0xffffffffULL;
}

/*
 * Find or decode the block at RIP. NULL: an exception was raised (fetch
 * fault) or an internal error exit was set up.
 */
static X86Block *block_get(X86CPU *cpu)
{
    uint64_t lin = fetch_lin(cpu, cpu->rip), gpa;
    uint8_t *host;
    uint32_t key = cpu->code64 | (cpu->code32 << 1);
    unsigned h, j;
    X86Block *b, *tmp;
    X86Insn insns[X86_BLOCK_MAX];
    unsigned n = 0;
    uint64_t rip = cpu->rip;
    X86TLBEntry *e = &cpu->tlb[cpu->mmu_idx][ACC_FETCH]
                              [(lin >> 12) & (X86_TLB_SIZE - 1)];

    /* fast path: fetch-TLB hit, then the (gpa, key) cache */
    if (likely(e->tag == ((lin & ~0xfffULL) | 1))) {
        host = (uint8_t *)(uintptr_t)(lin + e->addend);
        gpa = (e->gpa & ~0xfffULL) | (lin & 0xfff);
    } else if (!x86_translate_fetch(cpu, lin, &host, &gpa)) {
        return NULL;
    }
    if (unlikely(!host)) {
        x86_internal_error(cpu, "instruction fetch from MMIO at %#llx",
                           (unsigned long long)gpa);
        return NULL;
    }
    j = jcache_idx(gpa, key);
    if (likely(cpu->jcache[j].tag == jcache_tag(gpa, key))) {
        return cpu->jcache[j].b;
    }
    h = block_hash(gpa, key);
    for (b = cpu->blocks[h]; b; b = b->next) {
        if (b->gpa == gpa && b->key == key) {
            cpu->jcache[j].tag = jcache_tag(gpa, key);
            cpu->jcache[j].b = b;
            return b;
        }
    }
    /* the page holds code from now on, before its bytes are read: no
     * other vCPU's fast write path reaches it unseen any more */
    code_mark_page(cpu, gpa >> 12);
    /* decode */
    for (;;) {
        unsigned avail = 0x1000 - (lin & 0xfff);
        int len = x86_decode(cpu, host, avail, &insns[n]);

        if (len == DEC_MORE) {
            /* instruction crosses the page: decode it alone, uncached */
            uint8_t buf[16];
            uint8_t *h2;
            uint64_t g2;
            if (n > 0) {
                break;
            }
            memcpy(buf, host, avail);
            if (!x86_translate_fetch(cpu, (lin + avail) & ip_mask(cpu) &
                                     (cpu->code64 ? ~0ULL : 0xffffffffULL),
                                     &h2, &g2)) {
                return NULL;
            }
            if (!h2) {
                x86_internal_error(cpu, "instruction fetch from MMIO");
                return NULL;
            }
            memcpy(buf + avail, h2, 16 - avail > 15 ? 15 : 16 - avail);
            len = x86_decode(cpu, buf, 15, &insns[0]);
            if (len == DEC_LONG) {
                x86_raise_err(cpu, EXC_GP, 0);
                return NULL;
            }
            tmp = cpu->tmp_block;
            tmp->gpa = gpa;
            tmp->key = key;
            tmp->n = 1;
            x86_block_specialise(cpu, insns, 1);
            tmp->insns[0] = insns[0];
            return tmp;
        }
        if (len == DEC_LONG) {
            if (n > 0) {
                break;
            }
            x86_raise_err(cpu, EXC_GP, 0);
            return NULL;
        }
        rip += len;
        lin += len;
        host += len;
        n++;
        if (ends_block(&insns[n - 1], false) || n == X86_BLOCK_MAX ||
            (lin & 0xfff) == 0) {
            break;
        }
    }
    x86_block_specialise(cpu, insns, n);
    if (cpu->nblocks >= MAX_BLOCKS) {
        x86_blocks_flush(cpu);
    }
    b = g_malloc(sizeof(X86Block) + n * sizeof(X86Insn));
    b->insns = (X86Insn *)(b + 1);
    b->gpa = gpa;
    b->key = key;
    b->n = n;
    b->jit = NULL;
    b->jit_fail = 0;
    b->runs = 0;
    memset(b->succ, 0, sizeof(b->succ));
    memcpy(b->insns, insns, n * sizeof(X86Insn));
    b->next = cpu->blocks[h];
    cpu->blocks[h] = b;
    b->page_next = cpu->page_blocks[page_hash(gpa >> 12)];
    cpu->page_blocks[page_hash(gpa >> 12)] = b;
    cpu->nblocks++;
    cpu->jcache[j].tag = jcache_tag(gpa, key);
    cpu->jcache[j].b = b;
    return b;
}

void x86_block_extend(X86CPU *cpu, X86Block *b)
{
    uint64_t lin = fetch_lin(cpu, cpu->rip), gpa;
    unsigned n = 0;
    uint8_t *host;
    X86Insn insns[X86_BLOCK_MAX], *rec;

    if (b->n >= X86_BLOCK_MAX || b == cpu->tmp_block ||
        x86_generic_handler(&b->insns[b->n - 1]) != op_jcc) {
        return;
    }
    /* a fetch nobody asked for: no #PF, no CR2 (the block may have been
     * reached by a chain after its page went away) */
    if (!x86_probe_fetch(cpu, lin, &host, &gpa) || !host || gpa != b->gpa) {
        return;
    }
    while (n < X86_BLOCK_MAX) {
        int len = x86_decode(cpu, host, 0x1000 - (lin & 0xfff), &insns[n]);

        if (len < 0) {
            break;                  /* crosses the page, or too long */
        }
        lin += len;
        host += len;
        n++;
        if (ends_block(&insns[n - 1], true) || (lin & 0xfff) == 0) {
            break;
        }
    }
    if (n <= b->n) {
        return;
    }
    x86_block_specialise(cpu, insns, n);
    rec = g_new(X86Insn, n);
    memcpy(rec, insns, n * sizeof(X86Insn));
    if (b->insns != (X86Insn *)(b + 1)) {
        g_free(b->insns);
    }
    b->insns = rec;
    b->n = n;
}

int x86_internal_error(X86CPU *cpu, const char *fmt, ...)
{
    va_list ap;

    cpu->exit->reason = X86_EXIT_INTERNAL_ERROR;
    cpu->exit->internal.rip = cpu->rip;
    va_start(ap, fmt);
    g_vsnprintf(cpu->exit->internal.msg, sizeof(cpu->exit->internal.msg),
                fmt, ap);
    va_end(ap);
    cpu->check |= CHECK_EXIT_NOW;
    return X86_EXC;
}

/* ---- events ---- */

bool x86_cpu_can_inject_irq(X86CPU *cpu)
{
    return (cpu->eflags & F_IF) && !cpu->shadow && cpu->irq_pending < 0 &&
           cpu->exc.vector < 0;
}

bool x86_cpu_inject_irq(X86CPU *cpu, uint8_t vector)
{
    if (cpu->irq_pending >= 0) {
        return false;
    }
    cpu->irq_pending = vector;
    if (cpu->mp_state == X86_MP_HALTED) {
        cpu->mp_state = X86_MP_RUNNABLE;
    }
    return true;
}

void x86_cpu_inject_nmi(X86CPU *cpu)
{
    cpu->nmi_pending = true;
    if (cpu->mp_state == X86_MP_HALTED) {
        cpu->mp_state = X86_MP_RUNNABLE;
    }
}

void x86_cpu_request_irq_window(X86CPU *cpu, bool request)
{
    cpu->irq_window_requested = request;
}

void x86_cpu_kick(X86CPU *cpu)
{
    __atomic_store_n(&cpu->kick, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&cpu->req, 1, __ATOMIC_RELEASE);
}

void x86_cpu_request_flush(X86CPU *cpu)
{
    __atomic_store_n(&cpu->flush_req, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&cpu->req, 1, __ATOMIC_RELEASE);
}

/* Deliver a pending NMI or interrupt if the CPU accepts it now. */
static void inject_events(X86CPU *cpu)
{
    if (cpu->shadow) {
        return;
    }
    if (cpu->nmi_pending && !cpu->events.nmi.masked) {
        cpu->nmi_pending = false;
        cpu->events.nmi.masked = true;
        x86_deliver_event(cpu, EXC_NMI, false, false, 0, true);
        return;
    }
    if (cpu->irq_pending >= 0 && (cpu->eflags & F_IF)) {
        int v = cpu->irq_pending;
        cpu->irq_pending = -1;
        x86_deliver_event(cpu, v, false, false, 0, true);
    }
}

/* ---- the loop ---- */

static void handle_requests(X86CPU *cpu)
{
    int gen = __atomic_load_n(&cpu->vm->flush_gen, __ATOMIC_ACQUIRE);
    int tgen = __atomic_load_n(&cpu->vm->tlb_gen, __ATOMIC_ACQUIRE);

    if (!__atomic_load_n(&cpu->req, __ATOMIC_ACQUIRE) &&
        gen == cpu->flush_gen_seen && tgen == cpu->tlb_gen_seen &&
        !cpu->dead_blocks && !cpu->check) {
        return;
    }
    if (tgen != cpu->tlb_gen_seen) {
        cpu->tlb_gen_seen = tgen;
        x86_tlb_flush(cpu, true);
    }
    __atomic_store_n(&cpu->req, 0, __ATOMIC_RELAXED);
    if (__atomic_load_n(&cpu->kick, __ATOMIC_ACQUIRE)) {
        __atomic_store_n(&cpu->req, 1, __ATOMIC_RELAXED);  /* seen below */
    }
    take_wflush(cpu);
    if (__atomic_exchange_n(&cpu->flush_req, 0, __ATOMIC_ACQ_REL) ||
        gen != cpu->flush_gen_seen) {
        cpu->flush_gen_seen = gen;
        x86_tlb_flush(cpu, true);
        x86_blocks_flush(cpu);
    }
    if (__atomic_exchange_n(&cpu->drop_req, 0, __ATOMIC_ACQ_REL)) {
        take_page_drops(cpu);
    }
    x86_blocks_free_dead(cpu);
    cpu->check &= ~CHECK_STALE;
}

static bool instr_breakpoint(X86CPU *cpu)
{
    uint64_t dr7 = cpu->dr[7], lin;
    bool hit = false;

    if (!(dr7 & 0xff) || (cpu->eflags & F_RF)) {
        return false;
    }
    lin = fetch_lin(cpu, cpu->rip);
    for (int i = 0; i < 4; i++) {
        if ((dr7 >> (i * 2)) & 3 && ((dr7 >> (16 + i * 4)) & 3) == 0 &&
            cpu->dr[i] == lin) {
            cpu->dr[6] |= 1u << i;
            hit = true;
        }
    }
    return hit;
}

static inline uint32_t chain_jkey(X86CPU *cpu)
{
    return cpu->code64 | (cpu->code32 << 1) | (cpu->mmu_idx << 2);
}

/* The block at RIP if @prev, run while cpu->chain_gen was @gen, has it as
 * a successor still valid (TLB flushes do not bump chain_gen: after one,
 * the fetch TLB must still map RIP's page to the block's); else NULL. */
static inline X86Block *chain_find(X86CPU *cpu, X86Block *prev, uint64_t gen)
{
    uint64_t lin;
    uint32_t jkey;

    if (!prev || gen != cpu->chain_gen) {
        return NULL;
    }
    lin = fetch_lin(cpu, cpu->rip);
    jkey = chain_jkey(cpu);
    for (int k = 0; k < 2; k++) {
        if (prev->succ[k].lin == lin && prev->succ[k].jkey == jkey &&
            prev->succ[k].gen == gen && prev->succ[k].b) {
            /* no TLB flush since it was checked, or still mapped */
            if (prev->succ[k].tgen == cpu->tlb_flushes) {
                return prev->succ[k].b;
            }
            if (x86_fetch_tlb_maps(cpu, lin, prev->succ[k].b->gpa)) {
                prev->succ[k].tgen = cpu->tlb_flushes;
                return prev->succ[k].b;
            }
        }
    }
    return NULL;
}

/* Remember @b as a successor of @prev (unless a flush or invalidation
 * happened since @prev ran: @prev may then be on the dead list). */
static inline void chain_add(X86CPU *cpu, X86Block *prev, uint64_t gen,
                             X86Block *b)
{
    int k;

    if (!prev || gen != cpu->chain_gen) {
        return;
    }
    k = prev->succ[0].gen == gen && prev->succ[0].b ? 1 : 0;
    prev->succ[k].lin = fetch_lin(cpu, cpu->rip);
    prev->succ[k].jkey = chain_jkey(cpu);
    prev->succ[k].gen = gen;
    prev->succ[k].tgen = cpu->tlb_flushes;
    prev->succ[k].b = b;
}

/* After the handler of one instruction returned @st (@pre: its TF and RF
 * before it ran): retire it and do the per-instruction checks. Returns
 * TAIL_NEXT to go on with the block, TAIL_END to leave it, TAIL_EXIT to
 * leave the run loop (exit filled). */
enum { TAIL_NEXT, TAIL_END, TAIL_EXIT };

/* A #DB trap or breakpoint fault: entering the handler clears DR7.GD
 * (SDM Vol. 3B 17.2.4) so that it can use the debug registers */
static void deliver_db(X86CPU *cpu)
{
    cpu->dr[7] &= ~0x2000ULL;
    x86_deliver_event(cpu, EXC_DB, false, false, 0, false);
}

#define DB_PEND_DATA 0x1            /* cpu->db_defer: data breakpoint hit */
#define DB_PEND_BS   0x4000         /* ... single-step (DR6.BS) */

/*
 * The #DB traps of a retired instruction (SDM Vol. 3A 6.9, priority 4:
 * before NMI and INTR, which the run loop injects afterwards): data
 * breakpoints and TF single-step make ONE #DB with every DR6 bit. After
 * MOV SS/POP SS they wait until the end of the next instruction (which
 * then reports them together with its own).
 */
static int __attribute__((noinline)) debug_traps(X86CPU *cpu, bool tf)
{
    uint32_t pend = cpu->db_defer;

    cpu->db_defer = 0;
    if (cpu->dbg_hit) {
        cpu->dbg_hit = false;
        if (cpu->host_hit) {
            /* the embedder's data breakpoint (USE_HW_BP) */
            cpu->host_hit = false;
            cpu->exit->reason = X86_EXIT_DEBUG;
            cpu->exit->debug.exception = EXC_DB;
            cpu->exit->debug.pc = cpu->rip;
            cpu->exit->debug.dr6 = cpu->host_dr6;
            cpu->exit->debug.dr7 = cpu->gdbg_dr[7];
            cpu->check = 0;
            return TAIL_EXIT;
        }
        pend |= DB_PEND_DATA;
    }
    if (tf) {
        pend |= DB_PEND_BS;
    }
    if (pend && (cpu->shadow & X86_SHADOW_MOV_SS)) {
        cpu->db_defer = pend;
        cpu->dbg_hit = true;        /* look again after the next insn */
        pend = 0;
    }
    if (pend) {
        if (pend & DB_PEND_BS) {
            cpu->dr[6] |= 0x4000;
        }
        cpu->db_task = false;       /* the same #DB reports DR6.BT */
        deliver_db(cpu);
    }
    if (cpu->guest_single_step) {
        cpu->exit->reason = X86_EXIT_DEBUG;
        cpu->exit->debug.exception = EXC_DB;
        cpu->exit->debug.pc = cpu->rip;
        cpu->exit->debug.dr6 = 0xffff4ff0;   /* BS */
        cpu->exit->debug.dr7 = cpu->dr[7];
        cpu->check = 0;
        return TAIL_EXIT;
    }
    return pend ? TAIL_END : TAIL_NEXT;
}

/* An instruction after MOV SS faulted or raised a software interrupt
 * while #DB traps were held back: a fault drops them (the instruction did
 * not complete); INT n/INT3/INTO complete by entering their handler, so
 * the #DB comes at its first instruction (as on hardware: the POP SS;
 * INT3 case). */
static void __attribute__((noinline)) debug_traps_after_exc(X86CPU *cpu,
                                                            bool soft)
{
    uint32_t pend = cpu->db_defer;

    cpu->db_defer = 0;
    if (!soft || cpu->exc.vector >= 0 || cpu->shutdown) {
        return;
    }
    if (pend & DB_PEND_BS) {
        cpu->dr[6] |= 0x4000;
    }
    deliver_db(cpu);
}

static inline int insn_tail(X86CPU *cpu, int st, uint64_t pre)
{
    bool tf = pre & F_TF;

    if (likely(st <= X86_END)) {
        cpu->rip = cpu->next_ip;
        cpu->insns_retired++;
        if (unlikely(cpu->n_mmio_done)) {
            cpu->n_mmio_done = 0;
        }
        if (unlikely(pre & F_RF) && !cpu->rep_mid) {
            /* RF set when the instruction began is cleared once it
             * completes (not when IRET/POPF just loaded it; a REP stopped
             * between iterations keeps it) */
            cpu->eflags &= ~(uint64_t)F_RF;
        }
        if (unlikely(cpu->dbg_hit || tf || cpu->guest_single_step)) {
            int t = debug_traps(cpu, tf);
            if (t == TAIL_EXIT) {
                return TAIL_EXIT;
            }
            if (t == TAIL_END) {
                st = X86_END;
            }
        }
        if (unlikely(cpu->check)) {
            if (cpu->check & CHECK_EXIT_AFTER) {
                cpu->check = 0;
                return TAIL_EXIT;
            }
            cpu->check &= ~CHECK_MODE;
            return TAIL_END;
        }
        return st == X86_END ? TAIL_END : TAIL_NEXT;
    }
    /* X86_EXC: an exception, or an exit before retiring */
    cpu->dbg_hit = false;
    if (cpu->check & (CHECK_EXIT_NOW | CHECK_EXIT_AFTER)) {
        cpu->check = 0;
        cpu->exc.vector = -1;
        cpu->dbg_hit = cpu->db_defer != 0;  /* still held for it */
        return TAIL_EXIT;
    }
    cpu->check &= ~CHECK_MODE;
    if (unlikely(cpu->exc.vector == EXC_DB) && !cpu->exc.soft) {
        cpu->dr[7] &= ~0x2000ULL;   /* INT1 (ICEBP), GD: as deliver_db */
    }
    if (unlikely(cpu->db_defer)) {
        bool soft = cpu->exc.soft;
        x86_deliver_pending_exception(cpu);
        debug_traps_after_exc(cpu, soft);
        cpu->n_mmio_done = 0;
        return TAIL_END;
    }
    x86_deliver_pending_exception(cpu);
    cpu->n_mmio_done = 0;
    return TAIL_END;
}

/* Execute up to @max instructions of block @b with every per-instruction
 * check (TF, interrupt shadow, breakpoints, MMIO completion, CS limit).
 * Returns true to leave the run loop (exit filled). The mode cannot change
 * inside a block (handlers that change it return X86_END), so the IP mask
 * is computed once. */
static bool exec_block(X86CPU *cpu, X86Block *b, unsigned max)
{
    uint64_t ipm = ip_mask(cpu);
    bool check_limit = !cpu->code64;
    unsigned n = MIN(b->n, max);

    for (unsigned i = 0; i < n; i++) {
        const X86Insn *insn = &b->insns[i];
        uint64_t pre = cpu->eflags & (F_TF | F_RF);
        int st, t;

        if (unlikely(cpu->shadow)) {
            cpu->shadow = 0;
        }
        cpu->next_ip = (cpu->rip + insn->len) & ipm;
        if (check_limit &&
            cpu->rip + insn->len - 1 > cpu->seg[SEG_CS].limit) {
            st = x86_raise_err(cpu, EXC_GP, 0);
        } else if (unlikely(insn->spec & (X86_SPEC_FUSED |
                                          X86_SPEC_CHAIN))) {
            /* one instruction at a time here: not the fused pair, not
             * the threaded handlers */
            st = x86_generic_handler(insn)(cpu, insn);
        } else {
            st = insn->handler(cpu, insn) & 0xff;
        }
        t = insn_tail(cpu, st, pre);
        if (t != TAIL_NEXT) {
            return t == TAIL_EXIT;
        }
    }
    return false;
}

/*
 * The common case: 64-bit code, no TF, RF, interrupt shadow, breakpoint or
 * pending MMIO completion at the block's start. Anything that would need a
 * per-instruction check later in the block shows up as a status other than
 * X86_NEXT or as a cpu->check bit (MMIO writes set CHECK_EXIT_AFTER; STI and
 * MOV SS return X86_END; x86_set_flags sets CHECK_MODE when TF or RF becomes
 * set), so after each handler one status test and one check test suffice.
 */
static bool exec_block_fast(X86CPU *cpu, X86Block **bp)
{
    X86Block *b = *bp;
    unsigned n = b->n, i = 0;

    if (b->jit) {
        /* translated (jit.c) for this MMU index, fast data paths on; it
         * may run other translated blocks (chaining): the one it stopped
         * in is cpu->jit_cur */
        if (likely(b->jit_mmu == cpu->mmu_idx && !cpu->slow_data)) {
            unsigned r, k;
            int st;

            cpu->jit_cur = b;
            cpu->jit_slot = NULL;
            r = x86_jit_run(cpu, b);
            k = r >> 8;
            st = r & 0xff;
            b = *bp = cpu->jit_cur;
            n = b->n;
            cpu->jit_slot_gen = cpu->chain_gen;

            if (unlikely(st > X86_END || cpu->check)) {
                cpu->insns_retired += k;
                return insn_tail(cpu, st, 0) == TAIL_EXIT;
            }
            cpu->rip = cpu->next_ip;
            i = k + 1;
            if (st == X86_END || i == n) {
                /* a branch left the block (maybe mid-way: an extended
                 * block's Jcc) */
                cpu->insns_retired += i;
                return false;
            }
            /* X86_NEXT mid-way: a handler changed the MMU index or the
             * data-path mode; the interpreter goes on */
        }
    } else if (!b->jit_fail && ++b->runs >= x86_jit_thr && x86_jit_thr) {
        x86_block_extend(cpu, b);
        n = b->n;
        x86_jit_compile(cpu, b);
        if (b->jit && !cpu->check) {
            return exec_block_fast(cpu, bp);
        }
    }
    for (; i < n;) {
        const X86Insn *insn = &b->insns[i];
        unsigned r, k;
        int st;

        cpu->next_ip = cpu->rip + insn->len;
        /* threaded: a specialised handler may have run the records after
         * its own; it returns the index of the one its status is for
         * (records before that one retired) in bits 8 and up */
        r = insn->handler(cpu, insn);
        st = r & 0xff;
        k = MAX(i, r >> 8);
        if (likely(st == X86_NEXT && !cpu->check)) {
            cpu->rip = cpu->next_ip;
            i = k + 1;
            continue;
        }
        cpu->insns_retired += k;
        return insn_tail(cpu, st, 0) == TAIL_EXIT;
    }
    cpu->insns_retired += n;
    return false;
}

static int cpu_run(X86CPU *cpu, X86Exit *exit);

int x86_cpu_run(X86CPU *cpu, X86Exit *exit)
{
    int r;

    /* seen by wait_wflush_others (SEQ_CST pairs with its wflush_seq) */
    __atomic_store_n(&cpu->in_run, 1, __ATOMIC_SEQ_CST);
    r = cpu_run(cpu, exit);
    /* take what was asked before leaving: a vCPU outside the run loop
     * (halted, say) leaves no request untaken behind it, so the others'
     * code_mark_page keeps its lock-free fast path */
    take_wflush(cpu);
    __atomic_store_n(&cpu->in_run, 0, __ATOMIC_SEQ_CST);
    return r;
}

static int cpu_run(X86CPU *cpu, X86Exit *exit)
{
    bool complete_one = false;
    uint32_t slice, blocks_run = 0, budget;
    uint64_t prev_gen = 0;
    X86Block *prev = NULL;              /* last block run, for chaining */

    memset(exit, 0, sizeof(*exit));
    cpu->exit = exit;
    cpu->check = 0;
    switch (cpu->mp_state) {
    case X86_MP_UNINITIALIZED:
        return -1;
    case X86_MP_INIT_RECEIVED:
        exit->reason = X86_EXIT_HLT;
        return 0;
    case X86_MP_SIPI_RECEIVED:
        x86_cpu_reset(cpu, true);
        x86_seg_load_real(cpu, SEG_CS, cpu->events.sipi_vector << 8);
        cpu->rip = 0;
        cpu->mp_state = X86_MP_RUNNABLE;
        break;
    case X86_MP_HALTED:
        if ((cpu->irq_pending >= 0 && (cpu->eflags & F_IF)) ||
            cpu->nmi_pending) {
            cpu->mp_state = X86_MP_RUNNABLE;
            break;
        }
        exit->reason = X86_EXIT_HLT;
        return 0;
    default:
        break;
    }
    if (cpu->pending.active) {
        cpu->pending.active = false;
        if (cpu->pending.is_io) {
            cpu->io_completed = true;
        } else if (cpu->n_mmio_done < (int)G_N_ELEMENTS(cpu->mmio_done)) {
            X86MmioDone *d = &cpu->mmio_done[cpu->n_mmio_done++];
            d->gpa = cpu->pending.addr;
            d->len = cpu->pending.len;
            d->write = false;
            memcpy(d->data, cpu->mmio_buf, sizeof(d->data));
        }
        complete_one = true;
    } else if (cpu->n_mmio_done || cpu->msr_exit.done) {
        /* finish after a write exit; re-run a completed RDMSR/WRMSR */
        complete_one = true;
    }

    if (cpu->exc.vector >= 0) {
        if (cpu->exc.vector == EXC_DB) {
            cpu->dr[7] &= ~0x2000ULL;           /* as deliver_db */
        }
        x86_deliver_pending_exception(cpu);    /* from x86_cpu_set_events */
    }
    slice = cpu->time_slice;
    for (;;) {
        X86Block *b;
        unsigned max = X86_BLOCK_MAX;

        if (unlikely(cpu->db_task)) {
            /* a task switch to a TSS with T=1 (task.c) */
            cpu->db_task = false;
            deliver_db(cpu);
        }
        handle_requests(cpu);
        if (slice && !complete_one && blocks_run >= slice) {
            exit->reason = X86_EXIT_KICKED;
            return 0;
        }
        if (cpu->shutdown) {
            cpu->shutdown = false;
            exit->reason = X86_EXIT_SHUTDOWN;
            exit->shutdown.last_exception = cpu->shutdown_vector;
            return 0;
        }
        if (!complete_one) {
            if (unlikely(__atomic_load_n(&cpu->req, __ATOMIC_RELAXED)) &&
                __atomic_exchange_n(&cpu->kick, 0, __ATOMIC_ACQ_REL)) {
                /* req stays set: a request that came with the kick (a
                 * page drop, a flush) is taken on the next entry */
                exit->reason = X86_EXIT_KICKED;
                return 0;
            }
            inject_events(cpu);
            if (cpu->shutdown) {
                continue;
            }
            if (cpu->irq_window_requested && x86_cpu_can_inject_irq(cpu)) {
                exit->reason = X86_EXIT_IRQ_WINDOW_OPEN;
                return 0;
            }
        }
        if (cpu->shadow || (cpu->eflags & (F_TF | F_RF)) || complete_one ||
            cpu->guest_single_step || (cpu->dr[7] & 0xff) ||
            (cpu->gdbg_control & X86_GUESTDBG_USE_HW_BP)) {
            max = 1;                /* per-instruction checks needed */
        }
        if (unlikely(cpu->gdbg_control & X86_GUESTDBG_USE_HW_BP) &&
            cpu->rip != cpu->host_bp_skip_rip) {
            uint64_t lin = fetch_lin(cpu, cpu->rip), d7 = cpu->gdbg_dr[7];
            for (int i = 0; i < 4; i++) {
                if (((d7 >> (i * 2)) & 3) &&
                    ((d7 >> (16 + i * 4)) & 3) == 0 &&
                    cpu->gdbg_dr[i] == lin) {
                    /* resuming at this RIP executes the instruction */
                    cpu->host_bp_skip_rip = cpu->rip;
                    exit->reason = X86_EXIT_DEBUG;
                    exit->debug.exception = EXC_DB;
                    exit->debug.pc = cpu->rip;
                    exit->debug.dr6 = 0xffff0ff0 | (1u << i);
                    exit->debug.dr7 = d7;
                    return 0;
                }
            }
        }
        cpu->host_bp_skip_rip = ~0ULL;
        if (unlikely(cpu->dr[7] & 0xff) && instr_breakpoint(cpu)) {
            deliver_db(cpu);
            continue;
        }
        if (unlikely(cpu->msr_exit.done) && !complete_one) {
            cpu->msr_exit.done = false; /* its instruction ran without it */
        }
        complete_one = false;
        b = chain_find(cpu, prev, prev_gen);
        if (!b) {
            b = block_get(cpu);
            if (!b) {
                if (cpu->check & CHECK_EXIT_NOW) {
                    cpu->check = 0;
                    return 0;
                }
                x86_deliver_pending_exception(cpu);
                prev = NULL;
                continue;
            }
            if (b == cpu->tmp_block) {
                prev = NULL;
            } else {
                chain_add(cpu, prev, prev_gen, b);
                prev = b;
            }
        } else {
            prev = b;
        }
        if (cpu->jit_slot) {
            /* the last translated block's exit leads here */
            if (b->jit && cpu->jit_slot_gen == cpu->chain_gen &&
                b->jit_mmu == cpu->mmu_idx && cpu->code64) {
                x86_jit_link(cpu, cpu->jit_slot, b);
            }
            cpu->jit_slot = NULL;
        }
        prev_gen = cpu->chain_gen;
        blocks_run++;
        if (max == X86_BLOCK_MAX && cpu->code64 && !cpu->n_mmio_done) {
            bool ex;

            /* chaining only while no event waits for the run loop (an
             * NMI, an IRQ or IRQ window with IF set): events change only
             * outside translated code, and IF rises only at block ends
             * (STI, IRET, SYSRET; POPF sets CHECK_MODE) */
            cpu->jit_budget = cpu->nmi_pending ||
                              ((cpu->irq_pending >= 0 ||
                                cpu->irq_window_requested) &&
                               (cpu->eflags & F_IF)) ? 0 :
                              !slice ? UINT32_MAX :
                              slice > blocks_run ? slice - blocks_run : 0;
            budget = cpu->jit_budget;
            ex = exec_block_fast(cpu, &b);
            blocks_run += budget - cpu->jit_budget;
            if (b != prev && prev_gen == cpu->chain_gen) {
                prev = b;           /* chained: the block it ended in */
            }
            if (ex) {
                return 0;
            }
        } else if (exec_block(cpu, b, max)) {
            return 0;
        }
    }
}
