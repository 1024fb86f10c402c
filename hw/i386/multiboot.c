/*
 * Multiboot (version 1, "Multiboot Specification 0.6.96") and plain ELF
 * kernels for -kernel.
 *
 * A multiboot image has its header in the first 8 KiB: either the
 * address fields (flag 16, "a.out kludge") say where to load the file, or
 * the file is an ELF whose PT_LOAD segments are loaded. The info
 * structure gets the memory sizes, the e820 map as mmap entries, the
 * command line and the modules (-initrd "file args,file2 args"; ",," for
 * a literal comma, as QEMU). Entry: flat 32-bit protected mode,
 * EAX = 0x2BADB002, EBX = the info structure.
 * A plain ELF (32- or 64-bit class, no multiboot header) is loaded the
 * same way and entered at e_entry in 32-bit protected mode.
 * An ELF without a multiboot header but with a PVH entry note goes to
 * the PVH loader (pvh.c), as QEMU does.
 * Left out: video mode requests (flag 2) are refused; symbol tables are
 * not passed.
 */
#include "hw/i386/elf-load.h"
#include "util/ldst.h"
#include "hw/i386/x86-boot.h"
#include "util/error.h"

#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#define MB_MAGIC 0x1badb002
#define MB_BOOT_MAGIC 0x2badb002
#define MB_SEARCH 8192
#define MB_FLAG_ALIGN 0x00000001
#define MB_FLAG_MEMINFO 0x00000002
#define MB_FLAG_VIDEO 0x00000004
#define MB_FLAG_AOUT 0x00010000
#define MB_SUPPORTED (MB_FLAG_ALIGN | MB_FLAG_MEMINFO)

#define MBI_MEM 0x001
#define MBI_CMDLINE 0x004
#define MBI_MODS 0x008
#define MBI_MMAP 0x040
#define MBI_LOADER 0x200

#define MB_MAX_MODULES 32

/* Split -initrd "a args,b args" (",," = literal comma). */
static GPtrArray *split_modules(const char *spec)
{
    GPtrArray *mods = g_ptr_array_new_with_free_func(g_free);
    GString *cur = g_string_new(NULL);
    for (const char *p = spec; ; p++) {
        if (*p == ',' && p[1] == ',') {
            g_string_append_c(cur, ',');
            p++;
        } else if (*p == ',' || !*p) {
            if (cur->len) {
                g_ptr_array_add(mods, g_strdup(cur->str));
            }
            g_string_truncate(cur, 0);
            if (!*p) {
                break;
            }
        } else {
            g_string_append_c(cur, *p);
        }
    }
    g_string_free(cur, TRUE);
    return mods;
}

/* Guest-memory bump allocator for the info area, modules and strings. */
typedef struct Placer {
    uint64_t next, limit;
} Placer;

static bool place(Placer *p, uint64_t len, uint64_t align, uint64_t *addr,
                  GError **errp)
{
    uint64_t a = (p->next + align - 1) & ~(align - 1);
    if (a > p->limit || len > p->limit - a) {
        error_setg(errp, "multiboot modules and info do not fit in guest "
                   "RAM (0x%" PRIx64 " bytes more needed)", len);
        return false;
    }
    *addr = a;
    p->next = a + len;
    return true;
}

static bool place_string(Placer *p, const char *s, uint64_t *addr,
                         GError **errp)
{
    size_t len = strlen(s) + 1;
    return place(p, len, 1, addr, errp) && x86_write_guest(*addr, s, len, errp);
}

static bool write_info(const X86MemoryLayout *l, const char *path,
                       const char *initrd, const char *cmdline,
                       uint64_t kernel_end, X86BootEntry *entry,
                       GError **errp)
{
    Placer pl = { .next = (kernel_end + 0xfff) & ~0xfffull,
                  .limit = l->below_4g };
    uint8_t info[88] = { 0 };
    uint32_t flags = MBI_MEM | MBI_CMDLINE | MBI_MMAP | MBI_LOADER;
    uint64_t addr;

    stl_le_p(info + 4, 640);                                   /* mem_lower */
    stl_le_p(info + 8, (uint32_t)MIN((l->below_4g - 0x100000) / 1024,
                                 0xffffffffu));            /* mem_upper */
    g_autofree char *full_cmdline = g_strdup_printf("%s%s%s", path,
                                                    cmdline && *cmdline ? " " : "",
                                                    cmdline ? cmdline : "");
    if (!place_string(&pl, full_cmdline, &addr, errp)) {
        return false;
    }
    stl_le_p(info + 16, addr);
    if (!place_string(&pl, "kvmu", &addr, errp)) {
        return false;
    }
    stl_le_p(info + 64, addr);                                 /* loader name */

    if (initrd && *initrd) {
        g_autoptr(GPtrArray) mods = split_modules(initrd);
        if (mods->len > MB_MAX_MODULES) {
            error_setg(errp, "too many multiboot modules (%u, at most %d)",
                       mods->len, MB_MAX_MODULES);
            return false;
        }
        uint8_t modtab[MB_MAX_MODULES * 16] = { 0 };
        for (guint i = 0; i < mods->len; i++) {
            const char *spec = g_ptr_array_index(mods, i);
            g_autofree char *file = g_strdup(spec);
            char *space = strchr(file, ' ');
            if (space) {
                *space = '\0';
            }
            size_t mlen;
            g_autofree uint8_t *mdata = x86_read_file(file, &mlen);
            if (!mdata) {
                error_setg(errp, "Failed to open file '%s'", file);
                return false;
            }
            uint64_t maddr, saddr;
            if (!place(&pl, mlen, 4096, &maddr, errp) ||
                !x86_write_guest(maddr, mdata, mlen, errp) ||
                !place_string(&pl, spec, &saddr, errp)) {
                return false;
            }
            stl_le_p(modtab + 16 * i, maddr);
            stl_le_p(modtab + 16 * i + 4, maddr + mlen);
            stl_le_p(modtab + 16 * i + 8, saddr);
        }
        if (!place(&pl, 16 * mods->len, 16, &addr, errp) ||
            !x86_write_guest(addr, modtab, 16 * mods->len, errp)) {
            return false;
        }
        flags |= MBI_MODS;
        stl_le_p(info + 20, mods->len);
        stl_le_p(info + 24, addr);
    }

    uint8_t mmap[E820_MAX_ENTRIES * 24];
    for (unsigned i = 0; i < l->e820_count; i++) {
        uint8_t *e = mmap + 24 * i;
        stl_le_p(e, 20);
        stq_le_p(e + 4, l->e820[i].addr);
        stq_le_p(e + 12, l->e820[i].size);
        stl_le_p(e + 20, l->e820[i].type);
    }
    if (!place(&pl, 24 * l->e820_count, 8, &addr, errp) ||
        !x86_write_guest(addr, mmap, 24 * l->e820_count, errp)) {
        return false;
    }
    stl_le_p(info + 44, 24 * l->e820_count);
    stl_le_p(info + 48, addr);
    stl_le_p(info + 0, flags);
    if (!place(&pl, sizeof(info), 8, &addr, errp) ||
        !x86_write_guest(addr, info, sizeof(info), errp)) {
        return false;
    }
    entry->eax = MB_BOOT_MAGIC;
    entry->ebx = addr;
    return true;
}

bool x86_load_multiboot(const uint8_t *d, size_t len, const char *path,
                        const char *initrd, const char *cmdline,
                        const X86MemoryLayout *layout, X86BootEntry *entry,
                        GError **errp)
{
    const uint8_t *hdr = NULL;
    size_t hdr_off = 0;
    for (size_t off = 0; off + 12 <= MIN(len, MB_SEARCH); off += 4) {
        uint32_t magic = ldl_le_p(d + off), flags = ldl_le_p(d + off + 4);
        if (magic == MB_MAGIC && magic + flags + ldl_le_p(d + off + 8) == 0) {
            hdr = d + off;
            hdr_off = off;
            break;
        }
    }
    bool is_elf = len >= EI_NIDENT && !memcmp(d, ELFMAG, SELFMAG);
    if (!hdr && !is_elf) {
        return false;               /* neither: let the caller try Linux */
    }
    uint32_t pvh_entry;
    if (!hdr && x86_pvh_note_entry(d, len, &pvh_entry)) {
        g_autofree uint8_t *idata = NULL;
        size_t ilen = 0;
        if (initrd && !(idata = x86_read_file(initrd, &ilen))) {
            error_setg(errp, "error reading initrd %s: %s", initrd,
                       g_strerror(errno));
            return false;
        }
        if (!x86_load_pvh(d, len, path, idata, ilen, cmdline, layout,
                          UINT32_MAX, entry, errp)) {
            return false;
        }
        info_report("ELF kernel entered through PVH at 0x%x%s", pvh_entry,
                    x86_pvh_kaslr_remark(cmdline));
        return true;
    }
    ElfSegment segs[ELF_MAX_SEGMENTS];
    unsigned nsegs = 0;
    uint64_t entry_addr = 0, end = 0;

    if (hdr) {
        uint32_t flags = ldl_le_p(hdr + 4);
        if (flags & 0xffff & ~MB_SUPPORTED) {
            error_setg(errp, "%s: multiboot header requests unsupported "
                       "features (flags 0x%x)", path, flags & 0xffff);
            return false;
        }
        if (flags & MB_FLAG_AOUT) {
            if (hdr_off + 32 > len) {
                error_setg(errp, "%s: truncated multiboot header", path);
                return false;
            }
            uint32_t header_addr = ldl_le_p(hdr + 12), load_addr = ldl_le_p(hdr + 16);
            uint32_t load_end = ldl_le_p(hdr + 20), bss_end = ldl_le_p(hdr + 24);
            entry_addr = ldl_le_p(hdr + 28);
            if (header_addr < load_addr || header_addr - load_addr > hdr_off) {
                error_setg(errp, "%s: invalid multiboot load address", path);
                return false;
            }
            uint64_t file_off = hdr_off - (header_addr - load_addr);
            uint64_t filesz = load_end ? (uint64_t)load_end - load_addr
                                       : len - file_off;
            if (load_end && load_end < load_addr) {
                error_setg(errp, "%s: multiboot load_end_addr below "
                           "load_addr", path);
                return false;
            }
            if (filesz > len - file_off) {
                error_setg(errp, "%s: multiboot image is truncated", path);
                return false;
            }
            uint64_t memsz = bss_end > load_addr + filesz
                             ? (uint64_t)bss_end - load_addr : filesz;
            segs[0] = (ElfSegment){ load_addr, filesz, memsz, file_off };
            nsegs = 1;
        } else if (!is_elf) {
            error_setg(errp, "%s: multiboot image is not ELF and has no "
                       "load addresses", path);
            return false;
        }
    }
    if (!nsegs && !elf_segments(d, len, path, segs, &nsegs, &entry_addr,
                                errp)) {
        return false;
    }
    if (!elf_check_segments(segs, nsegs, layout, path, &end, errp)) {
        return false;
    }
    if (entry_addr > 0xffffffffull) {
        error_setg(errp, "%s: entry point 0x%" PRIx64 " is above 4 GiB", path,
                   entry_addr);
        return false;
    }
    if (!elf_load_segments(d, segs, nsegs, errp) ||
        !x86_write_boot_gdt(entry, errp)) {
        return false;
    }
    entry->eip = entry_addr;
    if (hdr) {
        return write_info(layout, path, initrd, cmdline, end, entry, errp);
    }
    return true;
}
