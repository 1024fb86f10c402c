/*
 * Option ROM image files: reading and checking a file given with
 * -option-rom FILE (exposed as fw_cfg "genroms/<basename>") or a PCI
 * device's romfile= (shown through its expansion ROM BAR). A legacy
 * option ROM starts with the bytes 0x55 0xAA, then its length in 512-byte
 * units and the init entry at offset 3 (PCI Firmware Specification 3.0,
 * 5.1); the firmware (SeaBIOS) copies it below 1 MiB and calls the entry.
 *
 * A bare name (no '/') not in the current directory is looked up in
 * /usr/share/qemu and /usr/share/seabios (e.g. -option-rom sgabios.bin),
 * as QEMU looks in its data directory. Checked here, before any guest
 * runs: the file exists and is a regular
 * file, is not empty, is at most max bytes, has the signature, and its
 * header length is nonzero and within the file. The checksum is the
 * firmware's business (SeaBIOS checks it), not refused here.
 */
#ifndef HW_NVRAM_OPTION_ROM_H
#define HW_NVRAM_OPTION_ROM_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* -option-rom images go below 1 MiB: 128 KiB at most */
#define OPTION_ROM_MAX_SIZE 0x20000
/* PCI expansion ROM files (a ROM BAR can hold several images) */
#define PCI_ROMFILE_MAX_SIZE (16u << 20)

typedef enum {
    OPTION_ROM_STYLE_OPTION,     /* -option-rom: "option rom 'X' ..." */
    OPTION_ROM_STYLE_PCI,        /* romfile=: "romfile \"X\" ..." */
} OptionRomStyle;

/* Read and check path; on success *data (g_free) and *len. Errors in
 * QEMU's words for the option that named the file (style). */
bool option_rom_load(const char *path, size_t max, OptionRomStyle style,
                     uint8_t **data, size_t *len, GError **errp);

#endif
