/*
 * ELF program headers and notes for direct kernel boot (System V gABI,
 * "Program Header" and "Note Section"): PT_LOAD segments are loaded at
 * their physical addresses (p_paddr), as boot loaders do for kernels whose
 * virtual addresses are in the high half; PT_NOTE segments are searched
 * for a (name, type) note. Section headers are not used.
 */
#include "hw/i386/elf-load.h"
#include "util/ldst.h"
#include "util/error.h"

#include <elf.h>
#include <inttypes.h>
#include <string.h>

/* Is [addr, addr+len) inside RAM below 4 GiB and above the low area we
 * use for the GDT and boot structures? */
static bool range_ok(const X86MemoryLayout *l, uint64_t addr, uint64_t len)
{
    return addr >= 0x100000 && len <= l->below_4g &&
           addr <= l->below_4g - len;
}

bool elf_is_elf(const uint8_t *d, size_t len)
{
    return len >= EI_NIDENT && !memcmp(d, ELFMAG, SELFMAG);
}

typedef struct ElfProgramHeader {
    uint32_t type;
    uint64_t offset, paddr, filesz, memsz;
} ElfProgramHeader;

/* The program header table: false + errp when malformed. */
static bool elf_phdrs(const uint8_t *d, size_t len, const char *path,
                      ElfProgramHeader *ph, unsigned *nph, uint64_t *entry,
                      GError **errp)
{
    if (!elf_is_elf(d, len)) {
        error_setg(errp, "%s: not an ELF file", path);
        return false;
    }
    bool is64 = d[EI_CLASS] == ELFCLASS64;
    if ((d[EI_CLASS] != ELFCLASS32 && !is64) || d[EI_DATA] != ELFDATA2LSB) {
        error_setg(errp, "%s: not a little-endian 32/64-bit ELF", path);
        return false;
    }
    size_t ehsize = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
    if (len < ehsize) {
        error_setg(errp, "%s: truncated ELF header", path);
        return false;
    }
    uint64_t phoff, phentsize, phnum;
    if (is64) {
        Elf64_Ehdr eh;
        memcpy(&eh, d, sizeof(eh));
        phoff = eh.e_phoff;
        phentsize = eh.e_phentsize;
        phnum = eh.e_phnum;
        *entry = eh.e_entry;
    } else {
        Elf32_Ehdr eh;
        memcpy(&eh, d, sizeof(eh));
        phoff = eh.e_phoff;
        phentsize = eh.e_phentsize;
        phnum = eh.e_phnum;
        *entry = eh.e_entry;
    }
    size_t want = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
    if (phentsize < want || phnum > ELF_MAX_SEGMENTS || phoff > len ||
        phnum * phentsize > len - phoff) {
        error_setg(errp, "%s: bad ELF program header table", path);
        return false;
    }
    for (uint64_t i = 0; i < phnum; i++) {
        const uint8_t *p = d + phoff + i * phentsize;
        if (is64) {
            Elf64_Phdr h;
            memcpy(&h, p, sizeof(h));
            ph[i] = (ElfProgramHeader){ h.p_type, h.p_offset, h.p_paddr,
                                        h.p_filesz, h.p_memsz };
        } else {
            Elf32_Phdr h;
            memcpy(&h, p, sizeof(h));
            ph[i] = (ElfProgramHeader){ h.p_type, h.p_offset, h.p_paddr,
                                        h.p_filesz, h.p_memsz };
        }
    }
    *nph = phnum;
    return true;
}

bool elf_segments(const uint8_t *d, size_t len, const char *path,
                  ElfSegment *segs, unsigned *nsegs, uint64_t *entry,
                  GError **errp)
{
    ElfProgramHeader ph[ELF_MAX_SEGMENTS];
    unsigned nph;

    if (!elf_phdrs(d, len, path, ph, &nph, entry, errp)) {
        return false;
    }
    *nsegs = 0;
    for (unsigned i = 0; i < nph; i++) {
        ElfSegment s = { ph[i].paddr, ph[i].filesz, ph[i].memsz,
                         ph[i].offset };
        if (ph[i].type != PT_LOAD || !s.memsz) {
            continue;
        }
        if (s.filesz > s.memsz || s.offset > len || s.filesz > len - s.offset) {
            error_setg(errp, "%s: ELF segment %u lies outside the file",
                       path, i);
            return false;
        }
        segs[(*nsegs)++] = s;
    }
    if (!*nsegs) {
        error_setg(errp, "%s: ELF has no loadable segments", path);
        return false;
    }
    return true;
}

bool elf_check_segments(const ElfSegment *segs, unsigned n,
                        const X86MemoryLayout *l, const char *path,
                        uint64_t *end, GError **errp)
{
    *end = 0;
    for (unsigned i = 0; i < n; i++) {
        if (!range_ok(l, segs[i].paddr, segs[i].memsz)) {
            error_setg(errp, "%s: segment at 0x%" PRIx64 " (0x%" PRIx64
                       " bytes) is outside guest RAM above 1 MiB", path,
                       segs[i].paddr, segs[i].memsz);
            return false;
        }
        for (unsigned j = 0; j < i; j++) {
            if (segs[i].paddr < segs[j].paddr + segs[j].memsz &&
                segs[j].paddr < segs[i].paddr + segs[i].memsz) {
                error_setg(errp, "%s: segments overlap at 0x%" PRIx64, path,
                           segs[i].paddr);
                return false;
            }
        }
        *end = MAX(*end, segs[i].paddr + segs[i].memsz);
    }
    return true;
}

bool elf_load_segments(const uint8_t *d, const ElfSegment *segs, unsigned n,
                       GError **errp)
{
    for (unsigned i = 0; i < n; i++) {
        if (!x86_write_guest(segs[i].paddr, d + segs[i].offset,
                             segs[i].filesz, errp)) {
            return false;
        }
        uint64_t zero = segs[i].memsz - segs[i].filesz;
        if (zero) {
            g_autofree uint8_t *z = g_malloc0(MIN(zero, 1 << 20));
            for (uint64_t off = 0; off < zero; off += 1 << 20) {
                uint64_t n2 = MIN(zero - off, 1 << 20);
                if (!x86_write_guest(segs[i].paddr + segs[i].filesz + off, z,
                                     n2, errp)) {
                    return false;
                }
            }
        }
    }
    return true;
}

static uint64_t align4(uint64_t v)
{
    return (v + 3) & ~3ull;
}

bool elf_find_note(const uint8_t *d, size_t len, const char *name,
                   uint32_t type, const uint8_t **desc, uint32_t *desclen)
{
    ElfProgramHeader ph[ELF_MAX_SEGMENTS];
    unsigned nph;
    uint64_t entry;
    size_t namelen = strlen(name) + 1;

    if (!elf_phdrs(d, len, "", ph, &nph, &entry, NULL)) {
        return false;
    }
    for (unsigned i = 0; i < nph; i++) {
        if (ph[i].type != PT_NOTE || ph[i].offset > len ||
            ph[i].filesz > len - ph[i].offset) {
            continue;
        }
        const uint8_t *p = d + ph[i].offset;
        uint64_t left = ph[i].filesz;
        while (left >= 12) {
            uint64_t nsz = ldl_le_p(p), dsz = ldl_le_p(p + 4);
            uint32_t ntype = ldl_le_p(p + 8);
            uint64_t total = 12 + align4(nsz) + align4(dsz);
            if (total > left) {
                break;          /* malformed: stop looking in this segment */
            }
            if (ntype == type && nsz == namelen &&
                !memcmp(p + 12, name, namelen)) {
                *desc = p + 12 + align4(nsz);
                *desclen = dsz;
                return true;
            }
            p += total;
            left -= total;
        }
    }
    return false;
}
