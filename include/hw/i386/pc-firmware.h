/*
 * Firmware for the pc board: the BIOS image (SeaBIOS's bios-256k.bin by
 * default, or -bios FILE) as a ROM ending at 4 GiB, where the reset vector
 * F000:FFF0 (0xfffffff0) finds it, and the BIOS segments below 1 MiB
 * (0xc0000-0xfffff) under the i440FX PAM registers: a segment whose PAM
 * nibble says "read from DRAM" shows RAM (read-only unless writes are
 * enabled too), otherwise the last 128 KiB of the image (the "isa-bios"
 * window, 0xe0000-0xfffff) or, below it, the RAM underneath (where
 * SeaBIOS copies option ROMs: -option-rom files through fw_cfg
 * "genroms/", PCI devices' ROM BARs).
 *
 * Who calls it: hw/i386/pc.c, once at board init, when there is no
 * -kernel. Big VMM lock held (PAM changes come from config writes).
 */
#ifndef HW_I386_PC_FIRMWARE_H
#define HW_I386_PC_FIRMWARE_H

#include "hw/acpi/acpi-build.h"
#include "hw/boards.h"
#include "hw/nvram/fw_cfg.h"
#include "hw/pci/pci.h"
#include "memory/memory.h"

#define PC_FIRMWARE_DEFAULT "bios-256k.bin"
#define PC_FIRMWARE_MAX_SIZE (16u << 20)
#define PC_ISA_BIOS_MAX_SIZE (128u << 10)

/*
 * Where firmware file @name is: @name itself if it names a file (or has a
 * '/'), else the first of the firmware directories (/usr/share/seabios,
 * /usr/share/qemu) that holds it. Returns a new string; never NULL.
 */
char *pc_firmware_find(const char *name);

/*
 * Whether @size is a usable BIOS image size: nonzero, a multiple of
 * 64 KiB and at most PC_FIRMWARE_MAX_SIZE (as QEMU's pc checks).
 */
bool pc_firmware_size_ok(uint64_t size);

/*
 * Load firmware @name (NULL: PC_FIRMWARE_DEFAULT) into ROM at
 * 4 GiB - size, map the BIOS window below 1 MiB over @ram (the board's
 * RAM, which starts at guest address 0) in @sysmem and put it under the
 * PAM registers of the i440FX on @bus. Errors (missing or unreadable
 * file, bad size) give QEMU's "could not load PC BIOS 'NAME'".
 */
bool pc_firmware_init(const char *name, MemoryRegion *sysmem,
                      MemoryRegion *ram, PCIBus *bus, GError **errp);

/*
 * The CMOS boot-device bytes SeaBIOS reads for its legacy boot order
 * from a QEMU -boot order string (NULL: "cad"): register 0x3d holds the
 * first two devices, 0x38 bits 7:4 the third (bit 0 clear: check the
 * floppy boot signature). Letters a/b floppy, c disk, d CD-ROM, n
 * network. More than three, or another letter, fail with QEMU's errors.
 */
bool pc_firmware_boot_order(const char *order, uint8_t *cmos3d,
                            uint8_t *cmos38, GError **errp);

/*
 * The ACPI tables acpi_build_tables() makes from @cfg, as the firmware
 * takes them from fw_cfg: etc/acpi/rsdp (the RSDP, in the F segment),
 * etc/acpi/tables (everything else, high memory) and etc/table-loader
 * (QEMU's BIOS linker commands: allocate both, patch each table pointer
 * by the address the firmware chose, recompute the checksums).
 */
bool pc_firmware_acpi_fw_cfg(FWCfgState *fw, const AcpiBuildConfig *cfg,
                             GError **errp);

/*
 * The boot configuration SeaBIOS reads from fw_cfg: each -option-rom
 * file (checked: include/hw/nvram/option-rom.h) as "genroms/<basename>"
 * with its bootindex in the boot list, "bootorder" (the boot list, "HALT"
 * last with -boot strict=on; redone whenever the VM starts running, so
 * -device bootindex= entries are in it), FW_CFG_BOOT_MENU (-boot menu),
 * etc/boot-menu-wait (splash-time, ms), bootsplash.jpg/.bmp (splash=;
 * a missing or non-JPEG/24-bit-BMP file is reported, as QEMU does, and
 * left out) and etc/boot-fail-wait
 * (reboot-timeout, ms; -1 by default). Errors in QEMU's words.
 */
bool pc_firmware_boot_fw_cfg(FWCfgState *fw, const MachineOptions *o,
                             GError **errp);

/* The -fw_cfg name=...,file=|string= files; called after the board added
 * all its own, so a clash is "-fw_cfg ARG: duplicate fw_cfg file name". */
bool pc_firmware_user_fw_cfg(FWCfgState *fw, const MachineOptions *o,
                             GError **errp);

#endif
