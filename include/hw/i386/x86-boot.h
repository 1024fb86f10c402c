/*
 * Direct kernel boot for x86 boards (hw/i386/linux-boot.c): load a Linux
 * bzImage per the x86 boot protocol (Documentation/arch/x86/boot.rst),
 * build its zero page with the command line, initrd and e820 map, and
 * describe the CPU state for the 32-bit protected-mode entry.
 *
 * The board gives the guest's memory layout; the loader writes guest RAM
 * through address_space_memory and fills an X86BootEntry the board
 * applies to the bootstrap CPU at every reset.
 */
#ifndef HW_I386_X86_BOOT_H
#define HW_I386_X86_BOOT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define E820_RAM 1
#define E820_RESERVED 2
#define E820_ACPI 3
#define E820_NVS 4
#define E820_MAX_ENTRIES 128

typedef struct E820Entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} E820Entry;

typedef struct X86MemoryLayout {
    uint64_t below_4g;       /* RAM from 0 */
    uint64_t above_4g;       /* RAM from 4 GiB */
    E820Entry e820[E820_MAX_ENTRIES];
    unsigned e820_count;
} X86MemoryLayout;

/* Build the PC's e820 map for this RAM split. */
void x86_memory_layout_init(X86MemoryLayout *layout, uint64_t below_4g,
                            uint64_t above_4g);

/*
 * CPU state at entry: 32-bit flat protected mode, paging off; or, with
 * long_mode (the Linux 64-bit boot protocol), 64-bit mode with CR0.PG,
 * CR4.PAE, EFER.LME/LMA, CR3 = identity-mapping page tables and a 64-bit
 * code segment (code_sel, L=1). pc_reset() applies it to the BSP.
 */
typedef struct X86BootEntry {
    uint32_t eip;
    uint32_t esi;            /* Linux: boot_params */
    uint32_t eax, ebx;       /* multiboot: magic, info structure */
    uint32_t gdt_base;
    uint16_t gdt_limit;
    uint16_t code_sel, data_sel;
    bool long_mode;
    uint32_t cr3;            /* long_mode: the PML4 */
} X86BootEntry;

/* Where the Linux loaders put the zero page (struct boot_params). */
#define X86_BOOT_PARAMS_ADDR 0x10000

/*
 * -machine kernel-decompress=on|off (default on): a bzImage whose payload
 * the host can decompress is entered through PVH (linux-boot.c, pvh.c);
 * off runs the kernel's own decompressor in the guest. Set by the board
 * before x86_load_kernel().
 */
void x86_set_kernel_decompress(bool on);

/*
 * Load a Linux bzImage (already read into kdata) with initrd and command
 * line into guest memory. Errors use QEMU's wording. Everything is
 * validated before guest memory is written.
 */
bool x86_load_linux(const uint8_t *kdata, size_t klen, const char *kernel,
                    const char *initrd, const char *cmdline,
                    const X86MemoryLayout *layout, X86BootEntry *entry,
                    GError **errp);

/*
 * Load whatever -kernel names: a Linux bzImage, a multiboot (v1) image
 * (ELF or a.out kludge; -initrd lists modules "file args,file2"), an ELF
 * with a PVH note (e.g. vmlinux), or a plain ELF entered in flat 32-bit
 * protected mode.
 */
bool x86_load_kernel(const char *kernel, const char *initrd,
                     const char *cmdline, const X86MemoryLayout *layout,
                     X86BootEntry *entry, GError **errp);

/* Multiboot v1 and plain ELF (hw/i386/multiboot.c). Returns false with
 * *errp unset when the file is neither (so the caller tries Linux). */
bool x86_load_multiboot(const uint8_t *data, size_t len, const char *path,
                        const char *initrd, const char *cmdline,
                        const X86MemoryLayout *layout, X86BootEntry *entry,
                        GError **errp);

/*
 * PVH (hw/i386/pvh.c): does this ELF carry XEN_ELFNOTE_PHYS32_ENTRY?
 * *entry (may be NULL) gets the 32-bit entry point.
 */
bool x86_pvh_note_entry(const uint8_t *d, size_t len, uint32_t *entry);

/*
 * Load an ELF kernel with a PVH note at its physical addresses and build
 * the hvm_start_info (cmdline, the initrd (idata, ilen; NULL for none) as
 * module 0 below initrd_max + 1, RSDP, memory map); entry: flat 32-bit,
 * EBX = start info.
 */
bool x86_load_pvh(const uint8_t *d, size_t len, const char *path,
                  const uint8_t *idata, size_t ilen, const char *cmdline,
                  const X86MemoryLayout *layout, uint32_t initrd_max,
                  X86BootEntry *entry, GError **errp);

/*
 * The kernel entered through PVH runs where it was linked (KASLR is the
 * in-guest decompressor's job): "" when cmdline has nokaslr, else a
 * "; KASLR not applied..." remark for the boot log line.
 */
const char *x86_pvh_kaslr_remark(const char *cmdline);

/*
 * Place an initrd of len bytes page-aligned as high as min(addr_max + 1,
 * RAM below 4 GiB) allows, above kernel_end.
 */
bool x86_place_initrd(size_t len, uint64_t addr_max, uint64_t kernel_end,
                      const X86MemoryLayout *layout, uint64_t *addr,
                      GError **errp);

/*
 * Write the Linux zero page at X86_BOOT_PARAMS_ADDR (the bzImage's setup
 * header, loader fields, initrd, e820) and the command line after it.
 */
struct LinuxSetupInfo;
bool linux_write_zero_page(const uint8_t *kdata,
                           const struct LinuxSetupInfo *info,
                           const char *cmdline, uint64_t initrd_addr,
                           size_t initrd_len, const X86MemoryLayout *layout,
                           GError **errp);

/*
 * Linux 64-bit boot protocol (hw/i386/linux64.c) for a decompressed
 * vmlinux without a PVH note: segments at p_paddr, zero page from the
 * bzImage header, identity-mapped page tables for the low 4 GiB, a 64-bit
 * GDT; entry at the physical e_entry with RSI = zero page.
 */
bool x86_load_linux64(const uint8_t *kdata,
                      const struct LinuxSetupInfo *info,
                      const uint8_t *vmlinux, size_t vlen, const char *path,
                      const uint8_t *idata, size_t ilen, const char *cmdline,
                      const X86MemoryLayout *layout, X86BootEntry *entry,
                      GError **errp);

/* Flat 32-bit GDT used by both entry paths; returns its entry fields. */
bool x86_write_boot_gdt(X86BootEntry *entry, GError **errp);

/* Read a whole file (g_free it); NULL with errno set on failure. */
uint8_t *x86_read_file(const char *path, size_t *len);

/* Write guest memory (RAM only); error text names the address. The bytes
 * are kept and written again by x86_boot_reload() at every reset. */
bool x86_write_guest(uint64_t addr, const void *buf, size_t len,
                     GError **errp);
bool x86_boot_reload(GError **errp);

/* Parse a bzImage held in memory; exposed for tests (no guest writes). */
typedef struct LinuxSetupInfo {
    uint16_t protocol;
    uint32_t setup_size;     /* bytes of real-mode setup incl. boot sector */
    uint32_t kernel_size;    /* protected-mode part */
    uint32_t code32_start;
    uint32_t initrd_addr_max;
    uint32_t cmdline_size;   /* max length, without the NUL */
    uint32_t init_size;      /* memory the kernel needs from its load addr */
    uint32_t header_end;     /* end of the setup header in the file */
    bool loaded_high;
} LinuxSetupInfo;

bool linux_parse_setup(const uint8_t *data, size_t len, LinuxSetupInfo *info,
                       GError **errp);

#endif
