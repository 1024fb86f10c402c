/*
 * ELF images for direct kernel boot (hw/i386/elf-load.c): the PT_LOAD
 * segments of a 32- or 64-bit little-endian ELF, checked against guest
 * RAM and written there, and its ELF notes (PT_NOTE) for the PVH entry.
 *
 * Callers: the multiboot / plain ELF loader (multiboot.c), the PVH loader
 * (pvh.c). Parsing touches only the buffer given; elf_load_segments()
 * writes guest memory through x86_write_guest(). No locks: kernel loading
 * runs once at machine creation, on the main thread.
 */
#ifndef HW_I386_ELF_LOAD_H
#define HW_I386_ELF_LOAD_H

#include "hw/i386/x86-boot.h"

#define ELF_MAX_SEGMENTS 64

typedef struct ElfSegment {
    uint64_t paddr, filesz, memsz, offset;
} ElfSegment;

/* Is the buffer an ELF at all (magic only)? */
bool elf_is_elf(const uint8_t *d, size_t len);

/*
 * Collect the PT_LOAD segments (at most ELF_MAX_SEGMENTS, at p_paddr) and
 * e_entry; false + errp when the file is malformed (header or a segment
 * outside the file). path names the file in messages.
 */
bool elf_segments(const uint8_t *d, size_t len, const char *path,
                  ElfSegment *segs, unsigned *nsegs, uint64_t *entry,
                  GError **errp);

/*
 * Every segment lies in RAM below 4 GiB and above 1 MiB, and no two
 * overlap; *end = the highest segment end.
 */
bool elf_check_segments(const ElfSegment *segs, unsigned n,
                        const X86MemoryLayout *l, const char *path,
                        uint64_t *end, GError **errp);

/* Copy each segment's file bytes to guest memory and zero the rest. */
bool elf_load_segments(const uint8_t *d, const ElfSegment *segs, unsigned n,
                       GError **errp);

/*
 * Find the note (name, type) in the PT_NOTE segments; *desc points into d.
 * False when absent or when the note area is malformed (no error: a
 * broken note is treated as no note).
 */
bool elf_find_note(const uint8_t *d, size_t len, const char *name,
                   uint32_t type, const uint8_t **desc, uint32_t *desclen);

#endif
