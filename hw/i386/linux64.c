/*
 * Linux 64-bit boot protocol (Documentation/arch/x86/boot.rst, "64-bit
 * Boot Protocol") for a vmlinux decompressed on the host that has no PVH
 * note: what the kernel's own decompressor does before it jumps to the
 * kernel, done by kvmu.
 *   - PT_LOAD segments at p_paddr (the link-time physical address, so no
 *     relocation is needed and KASLR is not applied);
 *   - the zero page built from the bzImage's setup header, as for the
 *     32-bit entry, with RSI pointing at it;
 *   - page tables identity-mapping the low 4 GiB with 2 MiB pages
 *     (PML4 -> one PDPT -> four page directories), CR3 = PML4;
 *   - a GDT with __BOOT_CS (0x10) a 64-bit code segment and __BOOT_DS
 *     (0x18) flat data; interrupts off;
 *   - RIP = e_entry translated from __START_KERNEL_map to physical
 *     (startup_64 in arch/x86/kernel/head_64.S).
 */
#include "hw/i386/elf-load.h"
#include "util/ldst.h"
#include "hw/i386/x86-boot.h"
#include "util/error.h"

#include <elf.h>
#include <inttypes.h>
#include <string.h>

#define GDT64_ADDR 0x1000
#define PML4_ADDR 0x9000          /* then PDPT, then 4 page directories */
#define START_KERNEL_MAP 0xffffffff80000000ull

#define PTE_P 0x1
#define PTE_RW 0x2
#define PTE_PS 0x80

static bool write_page_tables(GError **errp)
{
    g_autofree uint8_t *pt = g_malloc0(6 * 4096);
    uint64_t pdpt = PML4_ADDR + 4096;
    stq_le_p(pt, pdpt | PTE_P | PTE_RW);
    for (int i = 0; i < 4; i++) {
        uint64_t pd = PML4_ADDR + (2 + i) * 4096;
        stq_le_p(pt + 4096 + 8 * i, pd | PTE_P | PTE_RW);
        for (int j = 0; j < 512; j++) {
            uint64_t addr = ((uint64_t)i << 30) | ((uint64_t)j << 21);
            stq_le_p(pt + (2 + i) * 4096 + 8 * j, addr | PTE_P | PTE_RW | PTE_PS);
        }
    }
    return x86_write_guest(PML4_ADDR, pt, 6 * 4096, errp);
}

static bool write_gdt64(X86BootEntry *entry, GError **errp)
{
    static const uint64_t gdt[4] = {
        0, 0, 0x00af9a000000ffffull, 0x00cf92000000ffffull,
    };
    uint8_t bytes[sizeof(gdt)];
    for (int i = 0; i < 4; i++) {
        stq_le_p(bytes + 8 * i, gdt[i]);
    }
    entry->gdt_base = GDT64_ADDR;
    entry->gdt_limit = sizeof(gdt) - 1;
    entry->code_sel = 0x10;
    entry->data_sel = 0x18;
    return x86_write_guest(GDT64_ADDR, bytes, sizeof(bytes), errp);
}

bool x86_load_linux64(const uint8_t *kdata, const LinuxSetupInfo *info,
                      const uint8_t *vmlinux, size_t vlen, const char *path,
                      const uint8_t *idata, size_t ilen, const char *cmdline,
                      const X86MemoryLayout *layout, X86BootEntry *entry,
                      GError **errp)
{
    ElfSegment segs[ELF_MAX_SEGMENTS];
    unsigned nsegs;
    uint64_t e_entry, end, initrd_addr = 0;

    if (vlen < EI_NIDENT || vmlinux[EI_CLASS] != ELFCLASS64) {
        error_setg(errp, "the decompressed kernel is not a 64-bit ELF");
        return false;
    }
    if (!elf_segments(vmlinux, vlen, path, segs, &nsegs, &e_entry, errp) ||
        !elf_check_segments(segs, nsegs, layout, path, &end, errp)) {
        return false;
    }
    uint64_t rip = e_entry >= START_KERNEL_MAP ? e_entry - START_KERNEL_MAP
                                               : e_entry;
    bool in_kernel = false;
    for (unsigned i = 0; i < nsegs; i++) {
        in_kernel |= rip >= segs[i].paddr &&
                     rip - segs[i].paddr < segs[i].filesz;
    }
    if (!in_kernel) {
        error_setg(errp, "the kernel's entry 0x%" PRIx64 " is not in a "
                   "loaded segment", e_entry);
        return false;
    }
    if (idata && !x86_place_initrd(ilen, info->initrd_addr_max, end, layout,
                                   &initrd_addr, errp)) {
        return false;
    }

    /* Everything is valid: now write guest memory. */
    if (!elf_load_segments(vmlinux, segs, nsegs, errp) ||
        !linux_write_zero_page(kdata, info, cmdline, initrd_addr, ilen,
                               layout, errp) ||
        (idata && !x86_write_guest(initrd_addr, idata, ilen, errp)) ||
        !write_page_tables(errp) || !write_gdt64(entry, errp)) {
        return false;
    }
    entry->eip = rip;
    entry->esi = X86_BOOT_PARAMS_ADDR;
    entry->eax = entry->ebx = 0;
    entry->long_mode = true;
    entry->cr3 = PML4_ADDR;
    return true;
}
