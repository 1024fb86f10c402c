/*
 * fw_cfg: QEMU's firmware configuration interface (docs/specs/fw_cfg.rst)
 * as the x86 boards have it: a 16-bit selector at I/O 0x510, a byte-wide
 * data port at 0x511, and the DMA address register at 0x514 (64-bit,
 * big-endian; writing its low half starts a transfer). Items are numbered
 * by key; named files get keys from FW_CFG_FILE_FIRST on and are listed,
 * sorted by name, in the directory at FW_CFG_FILE_DIR.
 *
 * Who calls it: boards create it (fw_cfg_init_io_dma) and add items
 * (sizes, kernel/initrd/cmdline, etc/e820, bootorder) before the guest
 * runs; SeaBIOS, the linuxboot option ROM and Linux's qemu_fw_cfg driver
 * read it. Items are owned (copied) by fw_cfg; the board may replace a
 * file's bytes (fw_cfg_modify_file) before the guest runs. Files added
 * writable take DMA writes within their size; nothing else is writable.
 * Devices and -option-rom put their firmware paths in the boot device
 * list (fw_cfg_boot_add), which the board turns into "bootorder".
 * Big VMM lock held throughout.
 */
#ifndef HW_NVRAM_FW_CFG_H
#define HW_NVRAM_FW_CFG_H

#include "hw/qdev.h"
#include "memory/memory.h"

#define TYPE_FW_CFG_IO "fw_cfg_io"

#define FW_CFG_SIGNATURE 0x00
#define FW_CFG_ID 0x01
#define FW_CFG_UUID 0x02
#define FW_CFG_RAM_SIZE 0x03
#define FW_CFG_NOGRAPHIC 0x04
#define FW_CFG_NB_CPUS 0x05
#define FW_CFG_MACHINE_ID 0x06
#define FW_CFG_KERNEL_ADDR 0x07
#define FW_CFG_KERNEL_SIZE 0x08
#define FW_CFG_KERNEL_CMDLINE 0x09
#define FW_CFG_INITRD_ADDR 0x0a
#define FW_CFG_INITRD_SIZE 0x0b
#define FW_CFG_BOOT_DEVICE 0x0c
#define FW_CFG_NUMA 0x0d
#define FW_CFG_BOOT_MENU 0x0e
#define FW_CFG_MAX_CPUS 0x0f
#define FW_CFG_KERNEL_ENTRY 0x10
#define FW_CFG_KERNEL_DATA 0x11
#define FW_CFG_INITRD_DATA 0x12
#define FW_CFG_CMDLINE_ADDR 0x13
#define FW_CFG_CMDLINE_SIZE 0x14
#define FW_CFG_CMDLINE_DATA 0x15
#define FW_CFG_SETUP_ADDR 0x16
#define FW_CFG_SETUP_SIZE 0x17
#define FW_CFG_SETUP_DATA 0x18
#define FW_CFG_FILE_DIR 0x19
#define FW_CFG_FILE_FIRST 0x20
#define FW_CFG_FILE_SLOTS 0x20
#define FW_CFG_WRITE_CHANNEL 0x4000
#define FW_CFG_ARCH_LOCAL 0x8000
#define FW_CFG_MAX_FILE_PATH 56

/* FW_CFG_ID feature bits */
#define FW_CFG_VERSION 0x01
#define FW_CFG_VERSION_DMA 0x02

/* DMA control bits (FWCfgDmaAccess.control, big-endian in guest memory) */
#define FW_CFG_DMA_CTL_ERROR 0x01
#define FW_CFG_DMA_CTL_READ 0x02
#define FW_CFG_DMA_CTL_SKIP 0x04
#define FW_CFG_DMA_CTL_SELECT 0x08
#define FW_CFG_DMA_CTL_WRITE 0x10
#define FW_CFG_DMA_SIGNATURE 0x51454d5520434647ull   /* "QEMU CFG" */

#define FW_CFG_IO_BASE 0x510
#define FW_CFG_DMA_IO_BASE 0x514

typedef struct FWCfgState FWCfgState;

/*
 * Create the device on the system bus with its ports at iobase (2-byte
 * selector, data at +1) and, if dma_iobase is nonzero, the DMA register
 * there; DMA goes to dma_as (RAM only: other addresses fail the request).
 */
FWCfgState *fw_cfg_init_io_dma(uint16_t iobase, uint16_t dma_iobase,
                               AddressSpace *dma_as, GError **errp);

/* The device fw_cfg_init_io_dma made last (devices with a ROM use it),
 * or NULL if there is none. */
FWCfgState *fw_cfg_find(void);
/* Whether the guest can use the DMA interface (writes need it). */
bool fw_cfg_dma_enabled(FWCfgState *s);

/* -device vmcoreinfo (hw/nvram/vmcoreinfo.c): what the guest wrote to
 * etc/vmcoreinfo; false if there is no such device or nothing written. */
bool vmcoreinfo_get(uint16_t *guest_format, uint32_t *size,
                    uint64_t *paddr);

/* Set item key (< FW_CFG_FILE_FIRST or arch-local) to a copy of data. */
void fw_cfg_add_bytes(FWCfgState *s, uint16_t key, const void *data,
                      size_t len);
void fw_cfg_add_string(FWCfgState *s, uint16_t key, const char *value);
void fw_cfg_add_i16(FWCfgState *s, uint16_t key, uint16_t value); /* LE */
void fw_cfg_add_i32(FWCfgState *s, uint16_t key, uint32_t value);
void fw_cfg_add_i64(FWCfgState *s, uint16_t key, uint64_t value);
/* A named file; false + errp for a duplicate, overlong name or no room. */
bool fw_cfg_add_file(FWCfgState *s, const char *name, const void *data,
                     size_t len, GError **errp);
/* The key of a named file, or -1. */
int fw_cfg_file_key(FWCfgState *s, const char *name);
/* A file's current bytes (owned by fw_cfg), or NULL with *len 0. */
const void *fw_cfg_file_data(FWCfgState *s, const char *name, size_t *len);
/* Replace an existing file's bytes (size may change); false if absent. */
bool fw_cfg_modify_file(FWCfgState *s, const char *name, const void *data,
                        size_t len);

/* Called after a guest DMA write of len bytes at offset into a file. */
typedef void FWCfgWriteCb(void *opaque, uint32_t offset, uint32_t len);
/* A file the guest may overwrite by DMA (never grow); cb may be NULL. */
bool fw_cfg_add_file_writable(FWCfgState *s, const char *name,
                              const void *data, size_t len,
                              FWCfgWriteCb *cb, void *opaque, GError **errp);

/*
 * The boot device list (docs/specs/fw_cfg.rst "bootorder", SeaBIOS's
 * boot order): firmware device paths such as "/rom@genroms/x.bin" or
 * "/pci@i0cf8/...", lowest bootindex first (negative: not listed; equal
 * indexes in the order added). fw_cfg_boot_list() gives the file's
 * bytes: the paths separated by newlines, "HALT" last if strict (and
 * the list is not empty), NUL-terminated; NULL and 0 for an empty list.
 * Caller frees. fw_cfg_boot_clear() empties the list (tests, re-init).
 */
void fw_cfg_boot_add(int32_t bootindex, const char *path);
/* Take path out of the list again (device unplug); absent: nothing. */
void fw_cfg_boot_del(const char *path);
/* A device's bootindex property: false + QEMU's error if another entry
 * has it already (-option-rom entries may share one, as in QEMU). */
bool fw_cfg_boot_check(int32_t bootindex, GError **errp);
uint8_t *fw_cfg_boot_list(bool strict, size_t *len);
void fw_cfg_boot_clear(void);

#endif
