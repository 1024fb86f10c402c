/*
 * Linear and guest-physical memory: segmentation limit checks, the page
 * walk (SDM Vol. 3A ch. 4: 32-bit, PAE and 4-level paging; 4K/2M/4M/1G
 * pages; NX, WP, SMEP, SMAP; A/D bits set with compare-and-swap), the
 * software TLB (per MMU index and access kind, host-pointer addends) and
 * the MMIO exit/completion protocol for accesses outside RAM.
 * #AC alignment checks on the slow data path (cpu->slow_data).
 * Not modelled: PKU, PCID tagging (not advertised).
 */
#include "target/i386/tlb.h"

#define PTE_P   (1ULL << 0)
#define PTE_RW  (1ULL << 1)
#define PTE_US  (1ULL << 2)
#define PTE_A   (1ULL << 5)
#define PTE_D   (1ULL << 6)
#define PTE_PS  (1ULL << 7)
#define PTE_G   (1ULL << 8)
#define PTE_NX  (1ULL << 63)
#define PHYS_BITS 40
#define PTE_ADDR (((1ULL << PHYS_BITS) - 1) & ~0xfffULL)
#define PTE_RSVD_HIGH (((1ULL << 52) - 1) & ~((1ULL << PHYS_BITS) - 1))

#define PFERR_P    0x01
#define PFERR_W    0x02
#define PFERR_U    0x04
#define PFERR_RSVD 0x08
#define PFERR_I    0x10

static GMutex global_lock;

void x86_lock_global(void)
{
    g_mutex_lock(&global_lock);
}

void x86_unlock_global(void)
{
    g_mutex_unlock(&global_lock);
}

void x86_update_mmu_idx(X86CPU *cpu)
{
    if (cpu->cpl == 3) {
        cpu->mmu_idx = MMU_USER;
    } else if ((cpu->cr4 & CR4_SMAP) && !(cpu->eflags & F_AC)) {
        cpu->mmu_idx = MMU_SUPER_SMAP;
    } else {
        cpu->mmu_idx = MMU_SUPER;
    }
    /* alignment checking (SDM Vol. 3A 6.15, #AC): CPL 3 only, so the
     * kernel's STAC/CLAC with CR0.AM set never slows its accesses */
    if (cpu->cpl == 3 && (cpu->cr0 & CR0_AM) && (cpu->eflags & F_AC)) {
        cpu->slow_data |= SLOW_DATA_AC;
    } else {
        cpu->slow_data &= ~SLOW_DATA_AC;
    }
}

/* Host pointer to the guest-physical 8-byte-aligned entry at @gpa. */
static void *pte_ptr(X86CPU *cpu, uint64_t gpa, bool write)
{
    uint8_t *page;

    gpa &= cpu->vm->a20_mask;
    page = cpu->vm->ops.map_page(cpu->vm->opaque, gpa & ~0xfffULL, write);
    return page ? page + (gpa & 0xfff) : NULL;
}

static uint64_t pte_load(X86CPU *cpu, uint64_t gpa, bool wide)
{
    void *p = pte_ptr(cpu, gpa, false);

    if (!p) {
        return 0;                   /* tables outside RAM: not present */
    }
    return wide ? __atomic_load_n((uint64_t *)p, __ATOMIC_ACQUIRE)
                : __atomic_load_n((uint32_t *)p, __ATOMIC_ACQUIRE);
}

/* Set @bits in the entry if it still holds @old (another vCPU may race). */
static void pte_set_bits(X86CPU *cpu, uint64_t gpa, bool wide, uint64_t old,
                         uint64_t bits)
{
    void *p;

    if ((old & bits) == bits) {
        return;
    }
    p = pte_ptr(cpu, gpa, true);
    if (!p) {
        return;
    }
    if (wide) {
        uint64_t cur = old;
        while (!__atomic_compare_exchange_n((uint64_t *)p, &cur, cur | bits,
                                            false, __ATOMIC_ACQ_REL,
                                            __ATOMIC_ACQUIRE)) {
            if (!(cur & PTE_P)) {
                return;
            }
        }
    } else {
        uint32_t cur = (uint32_t)old;
        while (!__atomic_compare_exchange_n((uint32_t *)p, &cur,
                                            cur | (uint32_t)bits, false,
                                            __ATOMIC_ACQ_REL,
                                            __ATOMIC_ACQUIRE)) {
            if (!(cur & PTE_P)) {
                return;
            }
        }
    }
    x86_code_notify_write(cpu, gpa & ~0xfffULL);
}

/* A #PF for @lin, or (@probe: x86_probe_fetch) only a failed walk: no
 * exception, CR2 unchanged */
static bool page_fault(X86CPU *cpu, uint64_t lin, uint32_t err, bool probe)
{
    if (probe) {
        return false;
    }
    cpu->cr2 = lin;
    x86_raise_err(cpu, EXC_PF, err);
    return false;
}

/*
 * Walk the page tables for @lin. On success *gpa is the physical address
 * of the byte, *global the G bit, *page_off the offset mask of the page
 * that mapped it (0xfff, or that of a 2M/4M/1G page).
 */
static bool page_walk(X86CPU *cpu, uint64_t lin, int acc, int mmu,
                      uint64_t *gpa, bool *global, uint64_t *page_off,
                      bool probe)
{
    bool nxe = cpu->efer & EFER_NXE;
    bool user = mmu == MMU_USER;
    bool wide = cpu->cr4 & CR4_PAE;
    uint64_t table, pte = 0;
    uint64_t ptes[5], addrs[5];
    int level, n = 0;
    bool us = true, rw = true, nx = false;
    uint32_t err = (acc == ACC_WRITE ? PFERR_W : 0) | (user ? PFERR_U : 0);
    uint64_t page_mask = 0xfff;

    if (acc == ACC_FETCH && (nxe || (cpu->cr4 & CR4_SMEP))) {
        err |= PFERR_I;
    }
    *global = false;
    if (!wide) {
        level = 2;
        table = cpu->cr3 & 0xfffff000;
    } else if (cpu->efer & EFER_LMA) {
        level = 4;
        table = cpu->cr3 & PTE_ADDR;
    } else {
        uint64_t pa = (cpu->cr3 & 0xffffffe0) + ((lin >> 30) & 3) * 8;
        pte = pte_load(cpu, pa, true);
        if (!(pte & PTE_P)) {
            return page_fault(cpu, lin, err, probe);
        }
        if (pte & (PTE_RSVD_HIGH | 0x1e6 | PTE_NX)) {
            return page_fault(cpu, lin, err | PFERR_P | PFERR_RSVD, probe);
        }
        level = 2;
        table = pte & PTE_ADDR;
    }

    for (;;) {
        unsigned shift = 12 + (wide ? 9 : 10) * (level - 1);
        unsigned idx = (lin >> shift) & (wide ? 511 : 1023);
        uint64_t pa = table + idx * (wide ? 8 : 4);

        pte = pte_load(cpu, pa, wide);
        if (!(pte & PTE_P)) {
            return page_fault(cpu, lin, err, probe);
        }
        if (wide && ((pte & PTE_RSVD_HIGH) || (!nxe && (pte & PTE_NX)))) {
            return page_fault(cpu, lin, err | PFERR_P | PFERR_RSVD, probe);
        }
        us &= !!(pte & PTE_US);
        rw &= !!(pte & PTE_RW);
        nx |= nxe && (pte & PTE_NX);
        ptes[n] = pte;
        addrs[n++] = pa;
        if (level == 1) {
            table = pte & (wide ? PTE_ADDR : 0xfffff000);
            break;
        }
        if ((pte & PTE_PS) && (level == 2 ? (wide || (cpu->cr4 & CR4_PSE))
                                          : level == 3 && wide &&
                                            (cpu->efer & EFER_LMA))) {
            page_mask = (1ULL << shift) - 1;
            if (wide) {
                if (pte & (page_mask & ~0x1fffULL)) {
                    return page_fault(cpu, lin,
                                      err | PFERR_P | PFERR_RSVD, probe);
                }
                table = pte & PTE_ADDR & ~page_mask;
            } else {
                /* PSE-36: bits 13..20 are physical address bits 32..39 */
                table = (pte & 0xffc00000) | ((pte & 0x1fe000ULL) << 19);
            }
            break;
        }
        table = pte & (wide ? PTE_ADDR : 0xfffff000);
        level--;
    }
    *global = (pte & PTE_G) && (cpu->cr4 & CR4_PGE);

    /* permissions (SDM 4.6) */
    if (acc == ACC_FETCH) {
        if (nx || (user && !us) ||
            (!user && us && (cpu->cr4 & CR4_SMEP))) {
            return page_fault(cpu, lin, err | PFERR_P, probe);
        }
    } else if (user) {
        if (!us || (acc == ACC_WRITE && !rw)) {
            return page_fault(cpu, lin, err | PFERR_P, probe);
        }
    } else {
        if (us && mmu == MMU_SUPER_SMAP) {
            return page_fault(cpu, lin, err | PFERR_P, probe);
        }
        if (acc == ACC_WRITE && !rw && (cpu->cr0 & CR0_WP)) {
            return page_fault(cpu, lin, err | PFERR_P, probe);
        }
    }

    /* accessed on every level, dirty on the leaf for writes */
    for (int i = 0; i < n; i++) {
        uint64_t bits = PTE_A;
        if (i == n - 1 && acc == ACC_WRITE) {
            bits |= PTE_D;
        }
        pte_set_bits(cpu, addrs[i], wide, ptes[i], bits);
    }
    *gpa = (table & ~page_mask) | (lin & page_mask);
    *page_off = page_mask;
    return true;
}

/*
 * Translate one page for @acc and fill the TLB when it is RAM.
 * Returns false on a fault. *host is NULL for MMIO/ROM-write.
 */
static bool translate_ex(X86CPU *cpu, uint64_t lin, int acc, int mmu,
                         uint8_t **host, uint64_t *gpa_out, bool probe)
{
    uint64_t gpa;
    bool global = false;
    uint64_t page_off = 0xfff;
    unsigned size_class;
    uint8_t *page;

    if (x86_tlb_refill(cpu, mmu, acc, lin, host, gpa_out)) {
        return true;
    }
    if (cpu->cr0 & CR0_PG) {
        if (!page_walk(cpu, lin, acc, mmu, &gpa, &global, &page_off,
                       probe)) {
            return false;
        }
    } else {
        gpa = lin & 0xffffffffULL;
    }
    gpa &= cpu->vm->a20_mask;
    *gpa_out = gpa;
    size_class = x86_tlb_size_class(page_off);
    if (size_class) {
        cpu->large_pages_used = true;
    }
    if (acc == ACC_WRITE) {
        x86_code_notify_write(cpu, gpa & ~0xfffULL);
    }
    page = cpu->vm->ops.map_page(cpu->vm->opaque, gpa & ~0xfffULL,
                                 acc == ACC_WRITE);
    if (!page) {
        *host = NULL;
        return true;
    }
    x86_tlb_fill(cpu, mmu, acc, lin, gpa, page, global, size_class);
    *host = page + (lin & 0xfff);
    return true;
}

static bool translate(X86CPU *cpu, uint64_t lin, int acc, int mmu,
                      uint8_t **host, uint64_t *gpa_out)
{
    return translate_ex(cpu, lin, acc, mmu, host, gpa_out, false);
}

bool x86_probe_fetch(X86CPU *cpu, uint64_t lin, uint8_t **host,
                     uint64_t *gpa)
{
    unsigned idx = (lin >> 12) & (X86_TLB_SIZE - 1);
    X86TLBEntry *e = &cpu->tlb[cpu->mmu_idx][ACC_FETCH][idx];

    if (e->tag == ((lin & ~0xfffULL) | 1)) {
        *host = (uint8_t *)(uintptr_t)(lin + e->addend);
        *gpa = (e->gpa & ~0xfffULL) | (lin & 0xfff);
        return true;
    }
    if (cpu->code64 && !x86_canonical(lin)) {
        return false;
    }
    return translate_ex(cpu, lin, ACC_FETCH, cpu->mmu_idx, host, gpa, true);
}

bool x86_translate_fetch(X86CPU *cpu, uint64_t lin, uint8_t **host,
                         uint64_t *gpa)
{
    unsigned idx = (lin >> 12) & (X86_TLB_SIZE - 1);
    X86TLBEntry *e = &cpu->tlb[cpu->mmu_idx][ACC_FETCH][idx];

    if (e->tag == ((lin & ~0xfffULL) | 1)) {
        *host = (uint8_t *)(uintptr_t)(lin + e->addend);
        *gpa = (e->gpa & ~0xfffULL) | (lin & 0xfff);
        return true;
    }
    if (cpu->code64 && !x86_canonical(lin)) {
        /* sequential fetch past 0x7fffffffffff (a branch to a
         * non-canonical target faults on the branch itself) */
        x86_raise_err(cpu, EXC_GP, 0);
        return false;
    }
    return translate(cpu, lin, ACC_FETCH, cpu->mmu_idx, host, gpa);
}

bool x86_lin_host(X86CPU *cpu, uint64_t lin, int acc, uint8_t **host)
{
    unsigned idx = (lin >> 12) & (X86_TLB_SIZE - 1);
    X86TLBEntry *e = &cpu->tlb[cpu->mmu_idx][acc][idx];
    uint64_t gpa;

    if (e->tag == ((lin & ~0xfffULL) | 1)) {
        *host = (uint8_t *)(uintptr_t)(lin + e->addend);
        return true;
    }
    return translate(cpu, lin, acc, cpu->mmu_idx, host, &gpa);
}

/* ---- MMIO ------------------------------------------------------------- */

static int mmio_find(X86CPU *cpu, uint64_t gpa, unsigned len, bool write)
{
    for (int i = 0; i < cpu->n_mmio_done; i++) {
        if (cpu->mmio_done[i].gpa == gpa && cpu->mmio_done[i].len == len &&
            cpu->mmio_done[i].write == write) {
            return i;
        }
    }
    return -1;
}

/*
 * One MMIO exit per run. An access that needs a second exit stops the
 * instruction (CHECK_EXIT_NOW, not retired); when it is executed again
 * after the exit, accesses already done are satisfied from mmio_done.
 */
static bool mmio_stop(X86CPU *cpu)
{
    cpu->check |= CHECK_EXIT_NOW;
    cpu->check &= ~CHECK_EXIT_AFTER;
    return false;
}

static bool mmio_read(X86CPU *cpu, uint64_t gpa, uint8_t *dst, unsigned len)
{
    while (len) {
        unsigned n = len > 8 ? 8 : len;
        int i = mmio_find(cpu, gpa, n, false);

        if (i < 0) {
            if (cpu->check & (CHECK_EXIT_AFTER | CHECK_EXIT_NOW)) {
                return mmio_stop(cpu);
            }
            cpu->pending.active = true;
            cpu->pending.is_io = false;
            cpu->pending.addr = gpa;
            cpu->pending.len = n;
            memset(cpu->mmio_buf, 0, sizeof(cpu->mmio_buf));
            cpu->exit->reason = X86_EXIT_MMIO;
            cpu->exit->mmio.addr = gpa;
            cpu->exit->mmio.len = n;
            cpu->exit->mmio.write = false;
            cpu->exit->mmio.data = cpu->mmio_buf;
            cpu->check |= CHECK_EXIT_NOW;
            return false;
        }
        memcpy(dst, cpu->mmio_done[i].data, n);
        dst += n;
        gpa += n;
        len -= n;
    }
    return true;
}

static bool mmio_write(X86CPU *cpu, uint64_t gpa, const uint8_t *src,
                       unsigned len)
{
    while (len) {
        unsigned n = len > 8 ? 8 : len;

        if (mmio_find(cpu, gpa, n, true) < 0) {
            X86MmioDone *d;

            if (cpu->check & (CHECK_EXIT_AFTER | CHECK_EXIT_NOW) ||
                cpu->n_mmio_done >= (int)G_N_ELEMENTS(cpu->mmio_done)) {
                return mmio_stop(cpu);
            }
            d = &cpu->mmio_done[cpu->n_mmio_done++];
            d->gpa = gpa;
            d->len = n;
            d->write = true;
            memcpy(cpu->mmio_buf, src, n);
            cpu->exit->reason = X86_EXIT_MMIO;
            cpu->exit->mmio.addr = gpa;
            cpu->exit->mmio.len = n;
            cpu->exit->mmio.write = true;
            cpu->exit->mmio.data = cpu->mmio_buf;
            cpu->check |= CHECK_EXIT_AFTER;
        }
        src += n;
        gpa += n;
        len -= n;
    }
    return true;
}

/* ---- linear accesses ------------------------------------------------------ */

static inline int access_mmu(X86CPU *cpu, bool implicit_super)
{
    if (implicit_super) {
        return (cpu->cr4 & CR4_SMAP) ? MMU_SUPER_SMAP : MMU_SUPER;
    }
    return cpu->mmu_idx;
}

static inline uint64_t lin_wrap(X86CPU *cpu, uint64_t lin)
{
    return (cpu->efer & EFER_LMA) ? lin : (lin & 0xffffffffULL);
}

static bool read_lin(X86CPU *cpu, uint64_t lin, void *dst, unsigned size,
                     bool implicit_super)
{
    int mmu = access_mmu(cpu, implicit_super);
    unsigned idx = (lin >> 12) & (X86_TLB_SIZE - 1);
    X86TLBEntry *e = &cpu->tlb[mmu][ACC_READ][idx];
    unsigned first = 0x1000 - (lin & 0xfff);
    uint8_t *h1, *h2 = NULL;
    uint64_t g1, g2 = 0, lin2;

    if (likely(e->tag == ((lin & ~0xfffULL) | 1) && size <= first)) {
        const void *h = (const void *)(uintptr_t)(lin + e->addend);
        switch (size) {
        case 1: memcpy(dst, h, 1); break;
        case 2: memcpy(dst, h, 2); break;
        case 4: memcpy(dst, h, 4); break;
        case 8: memcpy(dst, h, 8); break;
        default: memcpy(dst, h, size); break;
        }
        return true;
    }
    if (!translate(cpu, lin, ACC_READ, mmu, &h1, &g1)) {
        return false;
    }
    if (size <= first) {
        if (h1) {
            memcpy(dst, h1, size);
            return true;
        }
        return mmio_read(cpu, g1, dst, size);
    }
    lin2 = lin_wrap(cpu, lin + first);
    if (!translate(cpu, lin2, ACC_READ, mmu, &h2, &g2)) {
        return false;
    }
    if (h1) {
        memcpy(dst, h1, first);
    } else if (!mmio_read(cpu, g1, dst, first)) {
        return false;
    }
    if (h2) {
        memcpy((uint8_t *)dst + first, h2, size - first);
        return true;
    }
    return mmio_read(cpu, g2, (uint8_t *)dst + first, size - first);
}

static bool write_lin(X86CPU *cpu, uint64_t lin, const void *src,
                      unsigned size, bool implicit_super)
{
    int mmu = access_mmu(cpu, implicit_super);
    unsigned idx = (lin >> 12) & (X86_TLB_SIZE - 1);
    X86TLBEntry *e = &cpu->tlb[mmu][ACC_WRITE][idx];
    unsigned first = 0x1000 - (lin & 0xfff);
    uint8_t *h1, *h2 = NULL;
    uint64_t g1, g2 = 0, lin2;

    if (likely(e->tag == ((lin & ~0xfffULL) | 1) && size <= first)) {
        void *h = (void *)(uintptr_t)(lin + e->addend);
        switch (size) {
        case 1: memcpy(h, src, 1); break;
        case 2: memcpy(h, src, 2); break;
        case 4: memcpy(h, src, 4); break;
        case 8: memcpy(h, src, 8); break;
        default: memcpy(h, src, size); break;
        }
        return true;
    }
    if (!translate(cpu, lin, ACC_WRITE, mmu, &h1, &g1)) {
        return false;
    }
    if (size <= first) {
        if (h1) {
            memcpy(h1, src, size);
            return true;
        }
        return mmio_write(cpu, g1, src, size);
    }
    /* both halves are checked before either is written */
    lin2 = lin_wrap(cpu, lin + first);
    if (!translate(cpu, lin2, ACC_WRITE, mmu, &h2, &g2)) {
        return false;
    }
    if (h1) {
        memcpy(h1, src, first);
    } else if (!mmio_write(cpu, g1, src, first)) {
        return false;
    }
    if (h2) {
        memcpy(h2, (const uint8_t *)src + first, size - first);
        return true;
    }
    return mmio_write(cpu, g2, (const uint8_t *)src + first, size - first);
}

/*
 * Alignment of a data access of @size bytes for #AC (SDM Vol. 3A Table
 * 6-7): word 2, dword 4, qword 8, x87 extended/BCD (10 bytes) 8. Accesses
 * of other sizes are pieces of larger operands whose alignment the
 * instruction checks itself (x86_check_ac), or 16-byte SSE operands,
 * which never raise #AC (MOVAPS-class ones #GP instead).
 */
static inline uint64_t ac_mask(unsigned size)
{
    switch (size) {
    case 2: case 4: case 8:
        return size - 1;
    case 10:
        return 7;
    default:
        return 0;
    }
}

bool x86_check_ac(X86CPU *cpu, uint64_t lin, uint64_t mask)
{
    if ((cpu->slow_data & SLOW_DATA_AC) && (lin & mask)) {
        x86_raise_err(cpu, EXC_AC, 0);
        return false;
    }
    return true;
}

/* The checking path: #AC before the access, data breakpoints after. */
static bool __attribute__((noinline)) read_lin_checked(X86CPU *cpu,
                                                       uint64_t lin,
                                                       void *dst,
                                                       unsigned size)
{
    if (!x86_check_ac(cpu, lin, ac_mask(size)) ||
        !read_lin(cpu, lin, dst, size, false)) {
        return false;
    }
    if (cpu->slow_data & SLOW_DATA_DBG) {
        x86_dbg_check_data(cpu, lin, size, false);
    }
    return true;
}

static bool __attribute__((noinline)) write_lin_checked(X86CPU *cpu,
                                                        uint64_t lin,
                                                        const void *src,
                                                        unsigned size)
{
    if (!x86_check_ac(cpu, lin, ac_mask(size)) ||
        !write_lin(cpu, lin, src, size, false)) {
        return false;
    }
    if (cpu->slow_data & SLOW_DATA_DBG) {
        x86_dbg_check_data(cpu, lin, size, true);
    }
    return true;
}

/* Implicit supervisor accesses (descriptor tables, TSS, IDT) are neither
 * alignment-checked nor watched by data breakpoints. */
bool x86_read_lin(X86CPU *cpu, uint64_t lin, void *dst, unsigned size,
                  bool implicit_super)
{
    if (unlikely(cpu->slow_data) && !implicit_super) {
        return read_lin_checked(cpu, lin, dst, size);
    }
    return read_lin(cpu, lin, dst, size, implicit_super);
}

bool x86_write_lin(X86CPU *cpu, uint64_t lin, const void *src, unsigned size,
                   bool implicit_super)
{
    if (unlikely(cpu->slow_data) && !implicit_super) {
        return write_lin_checked(cpu, lin, src, size);
    }
    return write_lin(cpu, lin, src, size, implicit_super);
}

/* ---- debug registers: data breakpoints (SDM Vol. 3B 17.2) ---- */

static uint64_t bp_len(uint64_t dr7, int i)
{
    static const uint8_t len[4] = { 1, 2, 8, 4 };

    return len[(dr7 >> (18 + i * 4)) & 3];
}

static bool any_data_bp(uint64_t dr7)
{
    for (int i = 0; i < 4; i++) {
        unsigned rw = (dr7 >> (16 + i * 4)) & 3;
        if (((dr7 >> (i * 2)) & 3) && (rw == 1 || rw == 3)) {
            return true;
        }
    }
    return false;
}

void x86_dbg_update(X86CPU *cpu)
{
    bool any = any_data_bp(cpu->dr[7]) ||
               ((cpu->gdbg_control & X86_GUESTDBG_USE_HW_BP) &&
                any_data_bp(cpu->gdbg_dr[7]));

    if (any != !!(cpu->slow_data & SLOW_DATA_DBG) || any) {
        x86_tlb_flush(cpu, true);
    }
    cpu->slow_data = (cpu->slow_data & ~SLOW_DATA_DBG) |
                     (any ? SLOW_DATA_DBG : 0);
}

/* Hits of breakpoint set @dr (DR0-3, DR7) on [lin, lin+size): bits 0-3 */
static unsigned bp_hits(const uint64_t *dr, uint64_t dr7, uint64_t lin,
                        unsigned size, bool write)
{
    unsigned hits = 0;

    for (int i = 0; i < 4; i++) {
        unsigned rw = (dr7 >> (16 + i * 4)) & 3;
        uint64_t len = bp_len(dr7, i), a = dr[i] & ~(len - 1);
        if (!((dr7 >> (i * 2)) & 3) || !(rw == 3 || (rw == 1 && write))) {
            continue;
        }
        if (lin < a + len && a < lin + size) {
            hits |= 1u << i;
        }
    }
    return hits;
}

void x86_dbg_check_data(X86CPU *cpu, uint64_t lin, unsigned size,
                        bool write)
{
    unsigned h = bp_hits(cpu->dr, cpu->dr[7], lin, size, write);

    if (h) {
        cpu->dr[6] |= h;
        cpu->dbg_hit = true;
    }
    if (cpu->gdbg_control & X86_GUESTDBG_USE_HW_BP) {
        h = bp_hits(cpu->gdbg_dr, cpu->gdbg_dr[7], lin, size, write);
        if (h) {
            cpu->host_dr6 = 0xffff0ff0 | h;
            cpu->host_hit = true;
            cpu->dbg_hit = true;
        }
    }
}

/* ---- segmentation ------------------------------------------------------------ */

static bool seg_fault(X86CPU *cpu, int seg)
{
    x86_raise_err(cpu, seg == SEG_SS ? EXC_SS : EXC_GP, 0);
    return false;
}

bool x86_seg_linear(X86CPU *cpu, int seg, uint64_t off, unsigned size,
                    int acc, uint64_t *linear)
{
    const X86Segment *s;
    uint64_t end;

    if (cpu->code64) {
        uint64_t lin = off;
        if (seg == SEG_FS || seg == SEG_GS) {
            lin += cpu->seg[seg].base;
        }
        if (!x86_canonical(lin) || !x86_canonical(lin + size - 1)) {
            return seg_fault(cpu, seg);
        }
        *linear = lin;
        return true;
    }
    if (seg == SEG_NONE) {
        *linear = off & 0xffffffffULL;
        return true;
    }
    s = &cpu->seg[seg];
    if (cpu->cr0 & CR0_PE && !(cpu->eflags & F_VM)) {
        if (s->unusable || !s->present) {
            return seg_fault(cpu, seg);
        }
        if (s->type & 8) {                        /* code */
            if ((acc == ACC_WRITE) || !(s->type & 2)) {
                if (acc != ACC_FETCH) {
                    return seg_fault(cpu, seg);
                }
            }
        } else if (acc == ACC_WRITE && !(s->type & 2)) {
            return seg_fault(cpu, seg);
        }
    }
    end = off + size - 1;
    if (!(s->type & 8) && (s->type & 4)) {        /* expand-down data */
        uint64_t upper = s->db ? 0xffffffffULL : 0xffffULL;
        if (off <= s->limit || end > upper) {
            return seg_fault(cpu, seg);
        }
    } else if (end > s->limit) {
        return seg_fault(cpu, seg);
    }
    *linear = (s->base + off) & 0xffffffffULL;
    return true;
}

bool x86_read(X86CPU *cpu, int seg, uint64_t off, void *dst, unsigned size)
{
    uint64_t lin;

    if (!x86_seg_linear(cpu, seg, off, size, ACC_READ, &lin)) {
        return false;
    }
    return x86_read_lin(cpu, lin, dst, size, false);
}

bool x86_write(X86CPU *cpu, int seg, uint64_t off, const void *src,
               unsigned size)
{
    uint64_t lin;

    if (!x86_seg_linear(cpu, seg, off, size, ACC_WRITE, &lin)) {
        return false;
    }
    return x86_write_lin(cpu, lin, src, size, false);
}

bool x86_probe_write(X86CPU *cpu, int seg, uint64_t off, unsigned size)
{
    uint64_t lin, g;
    uint8_t *h;
    unsigned first;

    if (!x86_seg_linear(cpu, seg, off, size, ACC_WRITE, &lin)) {
        return false;
    }
    if (!translate(cpu, lin, ACC_WRITE, cpu->mmu_idx, &h, &g)) {
        return false;
    }
    first = 0x1000 - (lin & 0xfff);
    if (size > first) {
        return translate(cpu, lin_wrap(cpu, lin + first), ACC_WRITE,
                         cpu->mmu_idx, &h, &g);
    }
    return true;
}

bool x86_atomic_ptr(X86CPU *cpu, int seg, uint64_t off, unsigned size,
                    void **host)
{
    uint64_t lin, g;
    uint8_t *h;

    *host = NULL;
    if (!x86_seg_linear(cpu, seg, off, size, ACC_WRITE, &lin)) {
        return false;
    }
    if ((lin & 0xfff) + size > 0x1000 || (lin & (size - 1)) ||
        (cpu->slow_data & SLOW_DATA_DBG)) {
        /* split or misaligned, or data breakpoints to check: global lock
         * and x86_read/x86_write */
        return true;
    }
    /* a write-TLB hit: the page was walked for a write at this MMU index
     * (so it is readable too), is RAM, dirty and not code */
    h = (uint8_t *)x86_lin_fast_ptr(cpu, lin, size, ACC_WRITE);
    if (h) {
        *host = h;
        return true;
    }
    if (!translate(cpu, lin, ACC_READ, cpu->mmu_idx, &h, &g) ||
        !translate(cpu, lin, ACC_WRITE, cpu->mmu_idx, &h, &g)) {
        return false;
    }
    *host = h;
    return true;
}

/* ---- ModRM operands ---------------------------------------------------------- */

uint64_t x86_insn_ea(X86CPU *cpu, const X86Insn *insn)
{
    return x86_insn_ea_inline(cpu, insn);
}

bool x86_rm_read_slow(X86CPU *cpu, const X86Insn *insn, unsigned size,
                      uint64_t *val)
{
    if (insn->mod == 3) {
        *val = x86_get_reg(cpu, insn, insn->rm, size);
        return true;
    }
    *val = 0;
    return x86_read(cpu, insn->seg, x86_insn_ea(cpu, insn), val, size);
}

bool x86_rm_write_slow(X86CPU *cpu, const X86Insn *insn, unsigned size,
                       uint64_t val)
{
    if (insn->mod == 3) {
        x86_set_reg(cpu, insn, insn->rm, size, val);
        return true;
    }
    return x86_write(cpu, insn->seg, x86_insn_ea(cpu, insn), &val, size);
}
