/*
 * PCI expansion ROM BARs (PCI Local Bus Specification 3.0, 6.2.5.2):
 * config dword 0x30 holds the ROM's base address (bits 31:11, the low
 * bits of a size-aligned address writable, so writing all-ones and
 * reading back sizes it) and bit 0, the address decode enable. The ROM
 * answers memory reads at that address (its first rom_size bytes: the
 * file rounded up to a power of two) while the enable bit and the
 * command register's Memory Space bit are both set; it is read-only
 * (guest writes are dropped).
 *
 * "romsize" (a power of two, at least the file's size) sets the ROM's
 * size instead of the file's rounded up, as in QEMU.
 * The bytes come from the device's "romfile" property (a file name,
 * checked by option_rom_load). With "rombar=0" there is no BAR and the
 * file is put in fw_cfg as "genroms/<basename>" instead, where SeaBIOS
 * finds it (as QEMU does). A "bootindex" puts the device's firmware
 * path in the fw_cfg boot list.
 */
#include "hw/pci/pci.h"
#include "hw/nvram/fw_cfg.h"
#include "hw/nvram/option-rom.h"
#include "util/error.h"

#include <string.h>

#define PCI_ROM_ENABLE 0x1u
#define PCI_ROM_ADDR_MASK 0xfffff800u
#define PCI_ROM_MIN_SIZE 0x800u

static PCIBus *rom_bus(PCIDevice *d)
{
    BusState *b = qdev_get_parent_bus(DEVICE(d));
    return b ? PCI_BUS(b) : NULL;
}

/* rombar=0: the file through fw_cfg, as -option-rom does */
static bool pci_rom_to_fw_cfg(PCIDevice *d, const uint8_t *data, size_t len,
                              GError **errp)
{
    FWCfgState *fw = fw_cfg_find();
    if (!fw) {
        error_setg(errp, "romfile \"%s\" with rombar=0 needs fw_cfg, which "
                   "this machine does not have", d->romfile);
        return false;
    }
    g_autofree char *base = g_path_get_basename(d->romfile);
    g_autofree char *name = g_strdup_printf("genroms/%s", base);
    return fw_cfg_add_file(fw, name, data, len, errp);
}

/* QEMU's firmware names for a few classes; others are "pciVVVV,DDDD" */
static const struct {
    uint16_t class_id;
    const char *name;
} pci_fw_names[] = {
    { 0x0100, "scsi" }, { 0x0101, "ide" }, { 0x0200, "ethernet" },
    { 0x0300, "display" }, { 0x0c03, "usb" },
};

char *pci_dev_fw_path(PCIDevice *d)
{
    uint16_t cls = pci_get_word(d->config + PCI_CLASS_DEVICE);
    g_autofree char *name = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(pci_fw_names); i++) {
        if (pci_fw_names[i].class_id == cls) {
            name = g_strdup(pci_fw_names[i].name);
        }
    }
    if (!name) {
        name = g_strdup_printf("pci%04x,%04x",
                               pci_get_word(d->config + PCI_VENDOR_ID),
                               pci_get_word(d->config + PCI_DEVICE_ID));
    }
    /* one root bus, the i440FX's (config mechanism #1 at port 0xcf8) */
    if (PCI_FUNC(d->devfn)) {
        return g_strdup_printf("/pci@i0cf8/%s@%x,%x", name,
                               PCI_SLOT(d->devfn), PCI_FUNC(d->devfn));
    }
    return g_strdup_printf("/pci@i0cf8/%s@%x", name, PCI_SLOT(d->devfn));
}

bool pci_rom_realize(PCIDevice *d, GError **errp)
{
    g_autofree uint8_t *data = NULL;
    size_t len;

    d->rom_size = 0;
    d->rom_addr = PCI_BAR_UNMAPPED;
    if (d->romsize != UINT32_MAX &&
        (!d->romsize || (d->romsize & (d->romsize - 1)))) {
        error_setg(errp, "ROM size %u is not a power of two", d->romsize);
        return false;
    }
    if (d->bootindex >= 0) {
        if (!fw_cfg_boot_check(d->bootindex, errp)) {
            return false;
        }
        d->boot_path = pci_dev_fw_path(d);
        fw_cfg_boot_add(d->bootindex, d->boot_path);
    }
    if (!d->romfile || !*d->romfile) {
        return true;
    }
    if (!option_rom_load(d->romfile, PCI_ROMFILE_MAX_SIZE,
                         OPTION_ROM_STYLE_PCI, &data, &len, errp)) {
        return false;
    }
    if (!d->rombar) {
        return pci_rom_to_fw_cfg(d, data, len, errp);
    }
    /* the region is the file rounded up to a power of two (as QEMU's
     * romsize); the BAR decodes at least 2 KiB (address bits 31:11) */
    uint64_t size = 1;
    while (size < len) {
        size <<= 1;
    }
    if (d->romsize != UINT32_MAX) {
        if (len > d->romsize) {
            error_setg(errp, "romfile \"%s\" (%zu bytes) is too large for "
                       "ROM size %u", d->romfile, len, d->romsize);
            return false;
        }
        size = d->romsize;       /* romsize=: a bigger BAR than the file */
    }
    g_autofree char *name = g_strdup_printf("%s.rom",
                                            object_get_typename(OBJECT(d)));
    if (!memory_region_init_rom(&d->rom, OBJECT(d), name, size, errp)) {
        return false;
    }
    uint8_t *p = memory_region_get_ram_ptr(&d->rom);
    memcpy(p, data, len);
    memset(p + len, 0, size - len);
    d->rom_size = size;
    pci_set_long(d->config + PCI_ROM_ADDRESS, 0);
    pci_set_long(d->wmask + PCI_ROM_ADDRESS,
                 ((uint32_t)~(MAX(size, PCI_ROM_MIN_SIZE) - 1) &
                  PCI_ROM_ADDR_MASK) | PCI_ROM_ENABLE);
    return true;
}

static uint64_t pci_rom_address(PCIDevice *d)
{
    uint32_t v = pci_get_long(d->config + PCI_ROM_ADDRESS);
    uint16_t cmd = pci_get_word(d->config + PCI_COMMAND);
    uint64_t addr = v & pci_get_long(d->wmask + PCI_ROM_ADDRESS) &
                    PCI_ROM_ADDR_MASK;

    if (!(v & PCI_ROM_ENABLE) || !(cmd & PCI_COMMAND_MEMORY) || !addr ||
        addr + d->rom_size - 1 >= UINT32_MAX) {
        return PCI_BAR_UNMAPPED;
    }
    return addr;
}

void pci_rom_update(PCIDevice *d)
{
    PCIBus *bus = rom_bus(d);
    if (!d->rom_size || !bus || !bus->mem) {
        return;
    }
    uint64_t addr = pci_rom_address(d);
    if (addr == d->rom_addr) {
        return;
    }
    if (d->rom_addr != PCI_BAR_UNMAPPED) {
        memory_region_del_subregion(bus->mem, &d->rom);
    }
    d->rom_addr = addr;
    if (addr != PCI_BAR_UNMAPPED) {
        memory_region_add_subregion_overlap(bus->mem, addr, &d->rom, 1);
    }
}

void pci_rom_exit(PCIDevice *d)
{
    PCIBus *bus = rom_bus(d);
    if (d->boot_path) {
        fw_cfg_boot_del(d->boot_path);
        g_clear_pointer(&d->boot_path, g_free);
    }
    if (!d->rom_size) {
        return;
    }
    if (d->rom_addr != PCI_BAR_UNMAPPED && bus && bus->mem) {
        memory_region_del_subregion(bus->mem, &d->rom);
    }
    d->rom_addr = PCI_BAR_UNMAPPED;
    memory_region_finalize(&d->rom);
    d->rom_size = 0;
}

uint64_t pci_get_rom_addr(PCIDevice *d)
{
    return d->rom_size ? d->rom_addr : PCI_BAR_UNMAPPED;
}
