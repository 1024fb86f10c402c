/*
 * dump-guest-memory (QMP) / dump-guest-memory (HMP): an ELF64 core file of
 * guest-physical memory, readable by crash and gdb as QEMU's is:
 *   ELF header (ET_CORE, EM_X86_64),
 *   PT_NOTE: per vCPU an NT_PRSTATUS note ("CORE": the general registers
 *   in the x86-64 elf_prstatus layout) and a "QEMU" note (QEMUCPUState:
 *   general registers, segments with descriptor flags, GDT/IDT, CR0-CR4,
 *   KERNEL_GS_BASE),
 *   PT_LOAD per RAM section of the address space (p_paddr = guest-physical
 *   address, p_vaddr 0) with paging=false; with paging=true one per
 *   virtually and physically contiguous run of vCPU 0's page-table
 *   mappings onto RAM (p_vaddr its virtual address), as gdb wants with
 *   the kernel's vmlinux; both clipped to guest-physical
 *   [begin, begin+length).
 * The VM is stopped while the file is written and resumed after if it
 * was running. Only format=elf; the dump runs to its end before the
 * command returns (detach=true is accepted, and DUMP_COMPLETED is sent
 * either way).
 */
#include "monitor-internal.h"
#include "hmp.h"
#include "x86-paging.h"
#include "accel/kvm.h"
#include "memory/memory.h"
#include "qapi/qapi-commands.h"
#include "qapi/qapi-events.h"
#include "system/runstate.h"
#include "util/cutils.h"
#include "util/error.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define QEMU_NOTE_VERSION 1

typedef struct {
    uint32_t selector, limit, flags, pad;
    uint64_t base;
} QemuSeg;

typedef struct {
    uint32_t version, size;
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
    QemuSeg cs, ds, es, fs, gs, ss, ldt, tr, gdt, idt;
    uint64_t cr[5];
    uint64_t kernel_gs_base;
} QemuCpuState;

/* x86-64 struct elf_prstatus (336 bytes) */
typedef struct {
    int32_t si_signo, si_code, si_errno;
    int16_t cursig;
    uint16_t pad0;
    uint64_t sigpend, sighold;
    uint32_t pid, ppid, pgrp, sid;
    uint64_t times[8];
    uint64_t regs[27];
    uint32_t fpvalid, pad1;
} PrStatus;

G_STATIC_ASSERT(sizeof(PrStatus) == 336);
G_STATIC_ASSERT(sizeof(QemuCpuState) == 8 + 18 * 8 + 10 * 24 + 6 * 8);

typedef struct {
    hwaddr gpa;
    uint64_t size;
    const uint8_t *host;
    uint64_t va;                    /* paging=true: the virtual address */
} DumpRange;

typedef struct {
    GArray *ranges;                 /* DumpRange */
    uint64_t begin, end;            /* the filter */
} Collect;

/* The guest's page tables may map all of RAM many times over (every
 * entry pointing at the same pages): a paging=true dump stops collecting
 * mappings once they cover this many times the guest's RAM. */
#define DUMP_PAGING_MAX_RAM_MULTIPLE 4

typedef struct {
    GArray *ram;                    /* DumpRange: the RAM sections */
    GArray *out;                    /* DumpRange: the mappings */
    uint64_t begin, end;
    uint64_t total, limit;          /* bytes collected, and the cap */
    bool truncated;
} Mappings;

static DumpStatus dump_status = DUMP_STATUS_NONE;
static uint64_t dump_total, dump_done;

static void collect(const RamSection *s, void *opaque)
{
    Collect *c = opaque;
    uint64_t a = MAX(s->gpa, c->begin);
    uint64_t e = MIN(s->gpa + s->size, c->end);

    if (a < e) {
        DumpRange r = { a, e - a, (const uint8_t *)s->host + (a - s->gpa) };
        g_array_append_val(c->ranges, r);
    }
}

/* paging=true: the part of a leaf that lies in RAM (and the filter),
 * appended to the last range when contiguous in both spaces */
static bool add_leaf(void *opaque, uint64_t va, uint64_t pa, uint64_t size,
                     uint64_t pte, uint64_t prot)
{
    Mappings *m = opaque;

    for (guint i = 0; i < m->ram->len; i++) {
        DumpRange *r = &g_array_index(m->ram, DumpRange, i);
        uint64_t a = MAX(MAX(pa, r->gpa), m->begin);
        uint64_t e = MIN(MIN(pa + size, r->gpa + r->size), m->end);
        if (a >= e) {
            continue;
        }
        if (m->total + (e - a) > m->limit) {
            m->truncated = true;
            return false;           /* stops the walk */
        }
        m->total += e - a;
        uint64_t v = va + (a - pa);
        if (m->out->len) {
            DumpRange *last = &g_array_index(m->out, DumpRange, m->out->len - 1);
            if (last->va + last->size == v && last->gpa + last->size == a &&
                last->host + last->size == r->host + (a - r->gpa)) {
                last->size += e - a;
                continue;
            }
        }
        DumpRange d = { a, e - a, r->host + (a - r->gpa), v };
        g_array_append_val(m->out, d);
    }
    return true;
}

static uint32_t seg_flags(const struct kvm_segment *s)
{
    /* the descriptor's high dword bits 8-23 (type, S, DPL, P, AVL, L,
     * D/B, G), as QEMU keeps them */
    return (uint32_t)s->type << 8 | (uint32_t)s->s << 12 |
           (uint32_t)s->dpl << 13 | (uint32_t)s->present << 15 |
           (uint32_t)s->avl << 20 | (uint32_t)s->l << 21 |
           (uint32_t)s->db << 22 | (uint32_t)s->g << 23;
}

static QemuSeg seg(const struct kvm_segment *s)
{
    return (QemuSeg){ s->selector, s->limit, seg_flags(s), 0, s->base };
}

static void note(GByteArray *out, const char *name, uint32_t type,
                 const void *desc, uint32_t len)
{
    static const uint8_t zero[4];
    uint32_t nlen = (uint32_t)strlen(name) + 1;
    Elf64_Nhdr h = { nlen, len, type };

    g_byte_array_append(out, (const uint8_t *)&h, sizeof(h));
    g_byte_array_append(out, (const uint8_t *)name, nlen);
    g_byte_array_append(out, zero, (4 - nlen % 4) % 4);
    g_byte_array_append(out, desc, len);
    g_byte_array_append(out, zero, (4 - len % 4) % 4);
}

static uint64_t msr(const KvmCpuState *st, uint32_t index)
{
    for (uint32_t i = 0; i < st->nmsrs; i++) {
        if (st->msrs[i].index == index) {
            return st->msrs[i].data;
        }
    }
    return 0;
}

static void cpu_notes(GByteArray *out, unsigned index, const KvmCpuState *st)
{
    const struct kvm_regs *r = &st->regs;
    const struct kvm_sregs *s = &st->sregs;
    PrStatus ps = { .pid = index + 1 };
    const uint64_t regs[27] = {
        r->r15, r->r14, r->r13, r->r12, r->rbp, r->rbx, r->r11, r->r10,
        r->r9, r->r8, r->rax, r->rcx, r->rdx, r->rsi, r->rdi, r->rax,
        r->rip, s->cs.selector, r->rflags, r->rsp, s->ss.selector,
        s->fs.base, s->gs.base, s->ds.selector, s->es.selector,
        s->fs.selector, s->gs.selector,
    };
    memcpy(ps.regs, regs, sizeof(regs));
    note(out, "CORE", NT_PRSTATUS, &ps, sizeof(ps));

    QemuCpuState q = {
        .version = QEMU_NOTE_VERSION, .size = sizeof(q),
        .rax = r->rax, .rbx = r->rbx, .rcx = r->rcx, .rdx = r->rdx,
        .rsi = r->rsi, .rdi = r->rdi, .rsp = r->rsp, .rbp = r->rbp,
        .r8 = r->r8, .r9 = r->r9, .r10 = r->r10, .r11 = r->r11,
        .r12 = r->r12, .r13 = r->r13, .r14 = r->r14, .r15 = r->r15,
        .rip = r->rip, .rflags = r->rflags,
        .cs = seg(&s->cs), .ds = seg(&s->ds), .es = seg(&s->es),
        .fs = seg(&s->fs), .gs = seg(&s->gs), .ss = seg(&s->ss),
        .ldt = seg(&s->ldt), .tr = seg(&s->tr),
        .gdt = { 0, s->gdt.limit, 0, 0, s->gdt.base },
        .idt = { 0, s->idt.limit, 0, 0, s->idt.base },
        .cr = { s->cr0, 0, s->cr2, s->cr3, s->cr4 },
        .kernel_gs_base = msr(st, 0xc0000102),
    };
    note(out, "QEMU", 0, &q, sizeof(q));
}

static bool write_all(int fd, const void *buf, size_t len, GError **errp)
{
    const uint8_t *p = buf;

    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            error_setg_errno(errp, n < 0 ? errno : EIO,
                             "dump: failed to save memory");
            return false;
        }
        p += n;
        len -= (size_t)n;
        dump_done += (uint64_t)n;
    }
    return true;
}

static bool write_elf(int fd, const PagingCtx *pc, uint64_t begin,
                      uint64_t end, GError **errp)
{
    Collect c = { g_array_new(false, false, sizeof(DumpRange)), begin, end };
    GByteArray *notes = g_byte_array_new();
    unsigned ncpu = monitor_cpu_total();
    KvmCpuState *st = g_new0(KvmCpuState, 1);
    bool ok = true;

    memory_init();
    if (pc) {
        Collect ram = { g_array_new(false, false, sizeof(DumpRange)), 0,
                        UINT64_MAX };
        address_space_foreach_ram_section(&address_space_memory, collect,
                                          &ram);
        Mappings m = { ram.ranges, c.ranges, begin, end };
        for (guint i = 0; i < ram.ranges->len; i++) {
            m.limit += g_array_index(ram.ranges, DumpRange, i).size;
        }
        m.limit *= DUMP_PAGING_MAX_RAM_MULTIPLE;
        paging_walk(pc, add_leaf, &m);  /* truncated walks: what was seen */
        if (m.truncated) {
            warn_report("dump-guest-memory: the guest's mappings cover more "
                        "than %dx its RAM; the dump holds the first ones",
                        DUMP_PAGING_MAX_RAM_MULTIPLE);
        }
        g_array_free(ram.ranges, true);
    } else {
        address_space_foreach_ram_section(&address_space_memory, collect,
                                          &c);
    }
    for (unsigned i = 0; i < ncpu; i++) {
        if (monitor_cpu_state(i, st)) {
            cpu_notes(notes, i, st);
        }
    }
    g_free(st);

    /* more than 65534 program headers (paging=true with many scattered
     * mappings): ELF extended numbering, e_phnum = PN_XNUM and the count
     * in section header 0's sh_info */
    size_t nph = 1 + c.ranges->len;
    bool xnum = nph >= PN_XNUM;
    uint64_t off = sizeof(Elf64_Ehdr) + (uint64_t)nph * sizeof(Elf64_Phdr) +
                   (xnum ? sizeof(Elf64_Shdr) : 0);
    Elf64_Ehdr eh = {
        .e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64,
                     ELFDATA2LSB, EV_CURRENT },
        .e_type = ET_CORE, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
        .e_phoff = sizeof(Elf64_Ehdr), .e_ehsize = sizeof(Elf64_Ehdr),
        .e_phentsize = sizeof(Elf64_Phdr),
        .e_phnum = xnum ? PN_XNUM : (Elf64_Half)nph,
    };
    Elf64_Shdr sh = { .sh_info = (Elf64_Word)nph };
    if (xnum) {
        eh.e_shoff = sizeof(Elf64_Ehdr) + (uint64_t)nph * sizeof(Elf64_Phdr);
        eh.e_shentsize = sizeof(Elf64_Shdr);
        eh.e_shnum = 1;
    }
    Elf64_Phdr *ph = g_new0(Elf64_Phdr, nph);
    ph[0] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = off,
                          .p_filesz = notes->len, .p_memsz = notes->len };
    off += notes->len;
    dump_total = off;
    for (guint i = 0; i < c.ranges->len; i++) {
        DumpRange *r = &g_array_index(c.ranges, DumpRange, i);
        ph[i + 1] = (Elf64_Phdr){
            .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X,
            .p_offset = off, .p_vaddr = r->va, .p_paddr = r->gpa,
            .p_filesz = r->size,
            .p_memsz = r->size,
        };
        off += r->size;
        dump_total += r->size;
    }
    dump_done = 0;
    ok = write_all(fd, &eh, sizeof(eh), errp) &&
         write_all(fd, ph, nph * sizeof(*ph), errp) &&
         (!xnum || write_all(fd, &sh, sizeof(sh), errp)) &&
         write_all(fd, notes->data, notes->len, errp);
    for (guint i = 0; ok && i < c.ranges->len; i++) {
        DumpRange *r = &g_array_index(c.ranges, DumpRange, i);
        ok = write_all(fd, r->host, r->size, errp);
    }
    g_free(ph);
    g_byte_array_free(notes, true);
    g_array_free(c.ranges, true);
    return ok;
}

static int open_protocol(const char *protocol, GError **errp)
{
    const char *p;

    if ((p = g_str_has_prefix(protocol, "file:") ? protocol + 5 : NULL)) {
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) {
            error_setg_errno(errp, errno, "Could not open '%s'", p);
        }
        return fd;
    }
    if ((p = g_str_has_prefix(protocol, "fd:") ? protocol + 3 : NULL)) {
        return monitor_take_named_fd(p, errp);
    }
    error_setg(errp, "Invalid parameter 'protocol'");
    return -1;
}

void qmp_dump_guest_memory(bool paging, const char *protocol,
                           bool has_detach, bool detach, bool has_begin,
                           int64_t begin, bool has_length, int64_t length,
                           bool has_format, DumpGuestMemoryFormat format,
                           GError **errp)
{
    GError *err = NULL;

    if (dump_status == DUMP_STATUS_ACTIVE) {
        error_setg(errp, "Dump not allowed during incoming migration or "
                   "while a dump is in progress");
        return;
    }
    if (has_format && format != DUMP_GUEST_MEMORY_FORMAT_ELF) {
        error_setg(errp, "dump-guest-memory: format '%s' is not supported "
                   "by kvmu yet (elf is)",
                   DumpGuestMemoryFormat_str(format));
        return;
    }
    if (paging && !monitor_cpu_total()) {
        error_setg(errp, "dump-guest-memory: paging=true needs a vCPU");
        return;
    }
    if (has_begin != has_length) {
        error_setg(errp, has_begin ? "Missing parameter 'length'" :
                   "Missing parameter 'begin'");
        return;
    }
    if (has_begin && (begin < 0 || length <= 0 ||
                      (uint64_t)begin + (uint64_t)length < (uint64_t)begin)) {
        error_setg(errp, "Invalid parameter 'length'");
        return;
    }
    int fd = open_protocol(protocol, errp);
    if (fd < 0) {
        return;
    }
    bool was_running = runstate_is_running();
    if (was_running) {
        vm_stop(RUN_STATE_SAVE_VM, NULL);
    }
    dump_status = DUMP_STATUS_ACTIVE;
    /* vCPU 0's paging registers once it is stopped */
    Monitor tmp = { .recv_fd = -1, .cpu_index = 0 };
    PagingCtx pc;
    bool have_pc = paging && monitor_cpu_paging(&tmp, &pc);
    bool ok = false;
    if (paging && !have_pc) {
        error_setg(&err, "dump-guest-memory: cannot read vCPU 0's paging "
                   "registers");
    } else {
        ok = write_elf(fd, have_pc ? &pc : NULL,
                       has_begin ? (uint64_t)begin : 0,
                       has_begin ? (uint64_t)begin + (uint64_t)length :
                       UINT64_MAX, &err);
    }
    if (close(fd) < 0 && ok) {
        error_setg_errno(&err, errno, "dump: failed to save memory");
        ok = false;
    }
    dump_status = ok ? DUMP_STATUS_COMPLETED : DUMP_STATUS_FAILED;
    if (was_running) {
        vm_start(NULL);
    }
    DumpQueryResult res = { dump_status, (int64_t)dump_done,
                            (int64_t)dump_total };
    qapi_event_send_dump_completed(&res, err ? err->message : NULL);
    (void)has_detach;
    (void)detach;
    if (err) {
        g_propagate_error(errp, err);
    }
}

DumpQueryResult *qmp_query_dump(GError **errp)
{
    DumpQueryResult *r = g_new0(DumpQueryResult, 1);

    r->status = dump_status;
    r->completed = (int64_t)dump_done;
    r->total = (int64_t)dump_total;
    return r;
}

DumpGuestMemoryCapability *qmp_query_dump_guest_memory_capability(
    GError **errp)
{
    DumpGuestMemoryCapability *c = g_new0(DumpGuestMemoryCapability, 1);

    c->formats = g_new0(DumpGuestMemoryFormatList, 1);
    c->formats->value = DUMP_GUEST_MEMORY_FORMAT_ELF;
    return c;
}

/* dump-guest-memory [-p] filename [begin length] */
void hmp_dump_guest_memory(Monitor *mon, char **argv)
{
    GError *err = NULL;
    bool paging = argv[0] && !strcmp(argv[0], "-p");
    char **a = argv + (paging ? 1 : 0);
    uint64_t begin = 0, length = 0;

    if (!a[0] || (a[1] && (!a[2] || parse_uint64(a[1], 0, &begin) < 0 ||
                           parse_uint64(a[2], 0, &length) < 0))) {
        monitor_puts(mon, "dump-guest-memory: usage: dump-guest-memory [-p] "
                     "filename [begin length]\n");
        return;
    }
    g_autofree char *proto = g_strdup_printf("file:%s", a[0]);
    qmp_dump_guest_memory(paging, proto, false, false, a[1] != NULL,
                          (int64_t)begin, a[1] != NULL, (int64_t)length,
                          false, DUMP_GUEST_MEMORY_FORMAT_ELF, &err);
    if (err) {
        monitor_printf(mon, "Error: %s\n", err->message);
        g_error_free(err);
    }
}
