/*
 * PVH direct boot (Xen's "x86/HVM direct boot ABI", docs/misc/pvh.pandoc,
 * and public/arch-x86/hvm/start_info.h): a kernel ELF whose
 * XEN_ELFNOTE_PHYS32_ENTRY note gives a 32-bit physical entry point is
 * loaded segment by segment at p_paddr and entered in flat 32-bit
 * protected mode, paging off, with EBX = an hvm_start_info (version 1)
 * carrying the command line, the initrd as module 0, the RSDP address
 * and the memory map (e820 types).
 *
 * The low structures live where the bzImage path keeps its zero page and
 * command line (below 640 KiB); the initrd goes as high as RAM below
 * 4 GiB (and the caller's limit) allow, above the kernel.
 */
#include "hw/i386/elf-load.h"
#include "util/ldst.h"
#include "hw/i386/x86-boot.h"
#include "memory/memory.h"
#include "util/error.h"

#include <string.h>

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define HVM_START_MAGIC 0x336ec578u

#define START_INFO_ADDR 0x10000
#define MODLIST_ADDR (START_INFO_ADDR + 0x40)
#define MEMMAP_ADDR (START_INFO_ADDR + 0x80)
#define CMDLINE_ADDR 0x20000
#define CMDLINE_MAX (64 * 1024)
#define BIOS_AREA 0xe0000
#define BIOS_AREA_SIZE 0x20000

bool x86_pvh_note_entry(const uint8_t *d, size_t len, uint32_t *entry)
{
    const uint8_t *desc;
    uint32_t dlen;

    if (!elf_is_elf(d, len) ||
        !elf_find_note(d, len, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &desc,
                       &dlen)) {
        return false;
    }
    /* 4 bytes (Linux: .long), or 8 with a zero high half */
    if (dlen != 4 && (dlen != 8 || desc[4] || desc[5] || desc[6] || desc[7])) {
        return false;
    }
    if (entry) {
        *entry = desc[0] | (desc[1] << 8) | (desc[2] << 16) |
                 ((uint32_t)desc[3] << 24);
    }
    return true;
}

/* The board's ACPI tables are already in guest memory: find the RSDP the
 * way the ACPI spec tells an OS to (16-byte aligned in the BIOS area). */
static uint64_t find_rsdp(void)
{
    g_autofree uint8_t *buf = g_malloc(BIOS_AREA_SIZE);
    if (address_space_read(&address_space_memory, BIOS_AREA,
                           MEMTXATTRS_UNSPECIFIED, buf, BIOS_AREA_SIZE) !=
        MEMTX_OK) {
        return 0;
    }
    for (size_t off = 0; off + 20 <= BIOS_AREA_SIZE; off += 16) {
        if (!memcmp(buf + off, "RSD PTR ", 8)) {
            uint8_t sum = 0;
            for (int i = 0; i < 20; i++) {
                sum += buf[off + i];
            }
            if (!sum) {
                return BIOS_AREA + off;
            }
        }
    }
    return 0;
}

const char *x86_pvh_kaslr_remark(const char *cmdline)
{
    g_auto(GStrv) words = g_strsplit_set(cmdline ? cmdline : "", " \t\n",
                                         -1);
    for (char **w = words; *w; w++) {
        if (!strcmp(*w, "nokaslr")) {
            return "";
        }
    }
    return "; KASLR not applied: the kernel runs at its link address";
}

bool x86_load_pvh(const uint8_t *d, size_t len, const char *path,
                  const uint8_t *idata, size_t ilen, const char *cmdline,
                  const X86MemoryLayout *layout, uint32_t initrd_max,
                  X86BootEntry *entry, GError **errp)
{
    ElfSegment segs[ELF_MAX_SEGMENTS];
    unsigned nsegs;
    uint64_t elf_entry, end;
    uint32_t pvh_entry;

    if (!x86_pvh_note_entry(d, len, &pvh_entry)) {
        error_setg(errp, "%s: no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)",
                   path);
        return false;
    }
    if (!elf_segments(d, len, path, segs, &nsegs, &elf_entry, errp) ||
        !elf_check_segments(segs, nsegs, layout, path, &end, errp)) {
        return false;
    }
    bool in_kernel = false;
    for (unsigned i = 0; i < nsegs; i++) {
        in_kernel |= pvh_entry >= segs[i].paddr &&
                     pvh_entry - segs[i].paddr < segs[i].filesz;
    }
    if (!in_kernel) {
        error_setg(errp, "%s: PVH entry 0x%x is not in a loaded segment",
                   path, pvh_entry);
        return false;
    }
    if (!cmdline) {
        cmdline = "";
    }
    size_t cmdlen = strlen(cmdline);
    if (cmdlen >= CMDLINE_MAX) {
        error_setg(errp, "kernel command line is %zu bytes; at most %d "
                   "are passed", cmdlen, CMDLINE_MAX - 1);
        return false;
    }
    uint64_t initrd_addr = 0;
    if (idata && !x86_place_initrd(ilen, initrd_max, end, layout,
                                   &initrd_addr, errp)) {
        return false;
    }

    /* Everything is valid: now write guest memory. */
    uint8_t info[56] = { 0 }, mod[32] = { 0 };
    uint8_t memmap[E820_MAX_ENTRIES * 24] = { 0 };
    stl_le_p(info, HVM_START_MAGIC);
    stl_le_p(info + 4, 1);                          /* version: has memmap */
    stq_le_p(info + 24, CMDLINE_ADDR);
    stq_le_p(info + 32, find_rsdp());
    stq_le_p(info + 40, MEMMAP_ADDR);
    stl_le_p(info + 48, layout->e820_count);
    for (unsigned i = 0; i < layout->e820_count; i++) {
        stq_le_p(memmap + 24 * i, layout->e820[i].addr);
        stq_le_p(memmap + 24 * i + 8, layout->e820[i].size);
        stl_le_p(memmap + 24 * i + 16, layout->e820[i].type);
    }
    if (idata) {
        stl_le_p(info + 12, 1);                     /* nr_modules */
        stq_le_p(info + 16, MODLIST_ADDR);
        stq_le_p(mod, initrd_addr);
        stq_le_p(mod + 8, ilen);
    }
    if (!elf_load_segments(d, segs, nsegs, errp) ||
        !x86_write_guest(START_INFO_ADDR, info, sizeof(info), errp) ||
        !x86_write_guest(MODLIST_ADDR, mod, sizeof(mod), errp) ||
        !x86_write_guest(MEMMAP_ADDR, memmap, 24 * layout->e820_count,
                         errp) ||
        !x86_write_guest(CMDLINE_ADDR, cmdline, cmdlen + 1, errp) ||
        (idata && !x86_write_guest(initrd_addr, idata, ilen, errp)) ||
        !x86_write_boot_gdt(entry, errp)) {
        return false;
    }
    entry->eip = pvh_entry;
    entry->ebx = START_INFO_ADDR;
    entry->esi = 0;
    entry->eax = 0;
    return true;
}
