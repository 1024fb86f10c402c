/*
 * PCI expansion ROM BARs (hw/pci/pci-rom.c) on pci-testdev behind the
 * i440FX, driven through ports 0xcf8/0xcfc as firmware does: sizing with
 * all-ones (the file's size rounded up to a power of two, 2 KiB at
 * least), decoding only with the enable bit and Memory Space both set,
 * the ROM's bytes at the BAR address, guest writes dropped, reset and
 * unplug unmapping it, no ROM BAR without romfile=, rombar=0 putting the
 * file in fw_cfg instead, bootindex= in the boot list (QEMU's device
 * path, duplicates refused, unplug removes it), and bad files refused
 * with QEMU's messages.
 */
#include "hw/nvram/fw_cfg.h"
#include "hw/pci-host/i440fx.h"
#include "hw/pci/pci.h"
#include "hw/qdev.h"
#include "system/main-loop.h"

#include <glib/gstdio.h>
#include <string.h>

#define ROM_ADDR 0xfeb00000u

static PCIBus *bus;
static char *tmpdir;

static uint32_t cfg_read(int devfn, int reg)
{
    address_space_stl_le(&address_space_io, 0xcf8,
                         0x80000000u | (devfn << 8) | reg,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    return address_space_ldl_le(&address_space_io, 0xcfc,
                                MEMTXATTRS_UNSPECIFIED, NULL);
}

static void cfg_write(int devfn, int reg, uint32_t val)
{
    address_space_stl_le(&address_space_io, 0xcf8,
                         0x80000000u | (devfn << 8) | reg,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    address_space_stl_le(&address_space_io, 0xcfc, val,
                         MEMTXATTRS_UNSPECIFIED, NULL);
}

static uint32_t mem_readl(hwaddr a)
{
    return address_space_ldl_le(&address_space_memory, a,
                                MEMTXATTRS_UNSPECIFIED, NULL);
}

static char *rom_file(const char *name, size_t len)
{
    g_autofree uint8_t *rom = g_malloc(len);
    for (size_t i = 0; i < len; i++) {
        rom[i] = i * 7 + 1;
    }
    rom[0] = 0x55;
    rom[1] = 0xaa;
    rom[2] = len / 512;
    char *path = g_build_filename(tmpdir, name, NULL);
    g_assert(g_file_set_contents(path, (char *)rom, len, NULL));
    return path;
}

/* pci-testdev at slot with romfile=path (and rombar=), or NULL + err */
static PCIDevice *testdev(int slot, const char *path, const char *rombar,
                          GError **errp)
{
    DeviceState *dev = qdev_new("pci-testdev");
    PCI_DEVICE(dev)->devfn = PCI_DEVFN(slot, 0);
    if (path) {
        g_assert(object_property_parse(OBJECT(dev), "romfile", path, NULL));
    }
    if (rombar) {
        g_assert(object_property_parse(OBJECT(dev), "rombar", rombar, NULL));
    }
    if (!qdev_realize_and_unref(dev, BUS(bus), errp)) {
        return NULL;
    }
    return PCI_DEVICE(dev);
}

static void test_rom_bar(void)
{
    g_autofree char *path = rom_file("t.rom", 3 * 512);
    GError *err = NULL;
    PCIDevice *d = testdev(6, path, NULL, &err);
    int devfn = PCI_DEVFN(6, 0);
    g_assert_no_error(err);

    /* 1536 bytes -> a 2 KiB BAR; sizing with the enable bit clear/set */
    g_assert_cmphex(cfg_read(devfn, PCI_ROM_ADDRESS), ==, 0);
    cfg_write(devfn, PCI_ROM_ADDRESS, 0xfffffffe);
    g_assert_cmphex(cfg_read(devfn, PCI_ROM_ADDRESS), ==, 0xfffff800);
    cfg_write(devfn, PCI_ROM_ADDRESS, 0xffffffff);
    g_assert_cmphex(cfg_read(devfn, PCI_ROM_ADDRESS), ==, 0xfffff801);
    g_assert_cmphex(pci_get_rom_addr(d), ==, PCI_BAR_UNMAPPED);

    /* address + enable, but Memory Space off: not decoded */
    cfg_write(devfn, PCI_ROM_ADDRESS, ROM_ADDR | 1);
    g_assert_cmphex(cfg_read(devfn, PCI_ROM_ADDRESS), ==, ROM_ADDR | 1);
    g_assert_cmphex(pci_get_rom_addr(d), ==, PCI_BAR_UNMAPPED);
    /* Memory Space on: the file's bytes, zeros after its end */
    cfg_write(devfn, PCI_COMMAND, PCI_COMMAND_MEMORY);
    g_assert_cmphex(pci_get_rom_addr(d), ==, ROM_ADDR);
    g_assert_cmphex(mem_readl(ROM_ADDR), ==, 0x1603aa55);
    g_assert_cmphex(mem_readl(ROM_ADDR + 0x100),
                    ==, (uint32_t)(uint8_t)(0x100 * 7 + 1) |
                        (uint32_t)(uint8_t)(0x101 * 7 + 1) << 8 |
                        (uint32_t)(uint8_t)(0x102 * 7 + 1) << 16 |
                        (uint32_t)(uint8_t)(0x103 * 7 + 1) << 24);
    g_assert_cmphex(mem_readl(ROM_ADDR + 0x7fc), ==, 0);
    /* read-only */
    address_space_stl_le(&address_space_memory, ROM_ADDR, 0x12345678,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    g_assert_cmphex(mem_readl(ROM_ADDR), ==, 0x1603aa55);
    /* moved, then the enable bit cleared: unmapped */
    cfg_write(devfn, PCI_ROM_ADDRESS, (ROM_ADDR + 0x10000) | 1);
    g_assert_cmphex(pci_get_rom_addr(d), ==, ROM_ADDR + 0x10000);
    g_assert_cmphex(mem_readl(ROM_ADDR + 0x10000), ==, 0x1603aa55);
    g_assert_cmphex(mem_readl(ROM_ADDR), !=, 0x1603aa55);
    cfg_write(devfn, PCI_ROM_ADDRESS, ROM_ADDR + 0x10000);
    g_assert_cmphex(pci_get_rom_addr(d), ==, PCI_BAR_UNMAPPED);
    g_assert_cmphex(mem_readl(ROM_ADDR + 0x10000), !=, 0x1603aa55);
    /* an all-ones address with enable is no mapping either */
    cfg_write(devfn, PCI_ROM_ADDRESS, 0xffffffff);
    g_assert_cmphex(pci_get_rom_addr(d), ==, PCI_BAR_UNMAPPED);

    /* reset: address and enable cleared */
    cfg_write(devfn, PCI_ROM_ADDRESS, ROM_ADDR | 1);
    g_assert_cmphex(pci_get_rom_addr(d), ==, ROM_ADDR);
    device_cold_reset(DEVICE(d));
    g_assert_cmphex(cfg_read(devfn, PCI_ROM_ADDRESS), ==, 0);
    g_assert_cmphex(pci_get_rom_addr(d), ==, PCI_BAR_UNMAPPED);

    /* unplug while mapped: unmapped and freed */
    cfg_write(devfn, PCI_COMMAND, PCI_COMMAND_MEMORY);
    cfg_write(devfn, PCI_ROM_ADDRESS, ROM_ADDR | 1);
    g_assert_cmphex(mem_readl(ROM_ADDR), ==, 0x1603aa55);
    object_unparent(OBJECT(d));
    g_assert_null(bus->devices[devfn]);
    g_assert_cmphex(mem_readl(ROM_ADDR), !=, 0x1603aa55);
    g_unlink(path);
}

static void test_big_rom(void)
{
    /* 9 KiB -> 16 KiB BAR */
    g_autofree char *path = rom_file("big.rom", 18 * 512);
    GError *err = NULL;
    PCIDevice *d = testdev(7, path, NULL, &err);
    g_assert_no_error(err);
    cfg_write(PCI_DEVFN(7, 0), PCI_ROM_ADDRESS, 0xfffffffe);
    g_assert_cmphex(cfg_read(PCI_DEVFN(7, 0), PCI_ROM_ADDRESS), ==,
                    0xffffc000);
    object_unparent(OBJECT(d));
    g_unlink(path);
}

static void test_small_rom(void)
{
    /* 512 bytes: a 512-byte region (QEMU's romsize), 2 KiB decoded */
    g_autofree char *path = rom_file("small.rom", 512);
    GError *err = NULL;
    PCIDevice *d = testdev(7, path, NULL, &err);
    g_assert_no_error(err);
    cfg_write(PCI_DEVFN(7, 0), PCI_ROM_ADDRESS, 0xfffffffe);
    g_assert_cmphex(cfg_read(PCI_DEVFN(7, 0), PCI_ROM_ADDRESS), ==,
                    0xfffff800);
    /* `info qtree`: QEMU's region 6 line */
    g_autofree char *tree = qdev_info_qtree();
    g_assert_nonnull(strstr(tree, "bar 6: mem at 0xffffffffffffffff "
                                  "[0x1fe]"));
    cfg_write(PCI_DEVFN(7, 0), PCI_COMMAND, PCI_COMMAND_MEMORY);
    cfg_write(PCI_DEVFN(7, 0), PCI_ROM_ADDRESS, ROM_ADDR | 0x800 | 1);
    g_assert_cmphex(pci_get_rom_addr(d), ==, ROM_ADDR | 0x800);
    g_assert_cmphex(mem_readl(ROM_ADDR | 0x800), ==, 0x1601aa55);
    g_autofree char *tree2 = qdev_info_qtree();
    g_assert_nonnull(strstr(tree2, "bar 6: mem at 0xfeb00800 "
                                   "[0xfeb009ff]"));
    object_unparent(OBJECT(d));
    g_unlink(path);
}

static void test_romsize(void)
{
    g_autofree char *path = rom_file("rs.rom", 512);
    GError *err = NULL;
    static const struct {
        const char *romsize;
        const char *error;       /* NULL: fine */
    } cases[] = {
        { "3000", "ROM size 3000 is not a power of two" },
        { "0", "ROM size 0 is not a power of two" },
        { "256", "(512 bytes) is too large for ROM size 256" },
        { "16384", NULL },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        DeviceState *dev = qdev_new("pci-testdev");
        PCI_DEVICE(dev)->devfn = PCI_DEVFN(13, 0);
        g_assert(object_property_parse(OBJECT(dev), "romfile", path, NULL));
        g_assert(object_property_parse(OBJECT(dev), "romsize",
                                       cases[i].romsize, NULL));
        bool ok = qdev_realize_and_unref(dev, BUS(bus), &err);
        g_assert_cmpint(ok, ==, !cases[i].error);
        if (!ok) {
            g_assert(err && strstr(err->message, cases[i].error));
            g_clear_error(&err);
            continue;
        }
        /* a 16 KiB BAR for the 512-byte file */
        cfg_write(PCI_DEVFN(13, 0), PCI_ROM_ADDRESS, 0xfffffffe);
        g_assert_cmphex(cfg_read(PCI_DEVFN(13, 0), PCI_ROM_ADDRESS), ==,
                        0xffffc000);
        object_unparent(OBJECT(dev));
    }
    g_unlink(path);
}

static void test_no_rom(void)
{
    GError *err = NULL;
    PCIDevice *d = testdev(8, NULL, NULL, &err);
    g_assert_no_error(err);
    cfg_write(PCI_DEVFN(8, 0), PCI_ROM_ADDRESS, 0xffffffff);
    g_assert_cmphex(cfg_read(PCI_DEVFN(8, 0), PCI_ROM_ADDRESS), ==, 0);
    g_assert_cmphex(pci_get_rom_addr(d), ==, PCI_BAR_UNMAPPED);
    object_unparent(OBJECT(d));
}

static void test_rombar_off(void)
{
    g_autofree char *path = rom_file("fwcfg.rom", 512);
    GError *err = NULL;
    FWCfgState *fw = fw_cfg_find();
    g_assert(fw);
    PCIDevice *d = testdev(9, path, "0", &err);
    g_assert_no_error(err);
    /* no BAR; the bytes are fw_cfg's genroms/fwcfg.rom */
    cfg_write(PCI_DEVFN(9, 0), PCI_ROM_ADDRESS, 0xffffffff);
    g_assert_cmphex(cfg_read(PCI_DEVFN(9, 0), PCI_ROM_ADDRESS), ==, 0);
    size_t len;
    const uint8_t *p = fw_cfg_file_data(fw, "genroms/fwcfg.rom", &len);
    g_assert(p);
    g_assert_cmpuint(len, ==, 512);
    g_assert_cmphex(p[0] | p[1] << 8, ==, 0xaa55);
    object_unparent(OBJECT(d));
    g_unlink(path);
}

static void test_bootindex(void)
{
    GError *err = NULL;
    size_t len;

    fw_cfg_boot_clear();
    DeviceState *dev = qdev_new("pci-testdev");
    PCI_DEVICE(dev)->devfn = PCI_DEVFN(11, 2);
    g_assert(object_property_parse(OBJECT(dev), "bootindex", "4", NULL));
    g_assert(qdev_realize_and_unref(dev, BUS(bus), &err));
    g_assert_no_error(err);
    g_autofree char *path = pci_dev_fw_path(PCI_DEVICE(dev));
    g_assert_cmpstr(path, ==, "/pci@i0cf8/pci1b36,0005@b,2");
    g_autofree uint8_t *list = fw_cfg_boot_list(false, &len);
    g_assert_cmpmem(list, len, "/pci@i0cf8/pci1b36,0005@b,2", 28);
    /* the same index again: QEMU's error, nothing added */
    DeviceState *dup = qdev_new("pci-testdev");
    PCI_DEVICE(dup)->devfn = PCI_DEVFN(12, 0);
    g_assert(object_property_parse(OBJECT(dup), "bootindex", "4", NULL));
    g_assert(!qdev_realize_and_unref(dup, BUS(bus), &err));
    g_assert(err && strstr(err->message,
                           "The bootindex 4 has already been used"));
    g_clear_error(&err);
    g_assert_null(bus->devices[PCI_DEVFN(12, 0)]);
    /* unplug takes it out of the list */
    object_unparent(OBJECT(dev));
    g_assert_null(fw_cfg_boot_list(false, &len));
}

/* Random configuration writes (biased to the command register and the
 * ROM BAR) and memory accesses around the ROM: no crash, the mapping
 * always what the registers say, the ROM never written. */
static void test_random(void)
{
    g_autofree char *path = rom_file("rnd.rom", 4 * 512);
    GError *err = NULL;
    PCIDevice *d = testdev(14, path, NULL, &err);
    int devfn = PCI_DEVFN(14, 0);
    GRand *r = g_rand_new_with_seed(4242);
    int mapped = 0;
    g_assert_no_error(err);

    for (int i = 0; i < 20000; i++) {
        int pick = g_rand_int_range(r, 0, 8);
        int reg = pick == 0 ? PCI_COMMAND : pick == 1 ? PCI_ROM_ADDRESS :
                  g_rand_int_range(r, 0, 64) * 4;
        uint32_t v = g_rand_int(r);
        if (g_rand_boolean(r)) {
            v = (ROM_ADDR + g_rand_int_range(r, 0, 64) * 0x800) |
                g_rand_int_range(r, 0, 2);
        }
        cfg_write(devfn, reg, v);
        uint64_t at = pci_get_rom_addr(d);
        uint32_t bar = cfg_read(devfn, PCI_ROM_ADDRESS);
        uint16_t cmd = cfg_read(devfn, PCI_COMMAND);
        bool on = (bar & 1) && (cmd & PCI_COMMAND_MEMORY) &&
                  (bar & 0xfffff800) && (bar & 0xfffff800) != 0xfffff800;
        g_assert_cmphex(at, ==, on ? (bar & 0xfffff800) : PCI_BAR_UNMAPPED);
        if (at != PCI_BAR_UNMAPPED) {
            mapped++;
            address_space_stl_le(&address_space_memory, at, v,
                                 MEMTXATTRS_UNSPECIFIED, NULL);
            g_assert_cmphex(mem_readl(at), ==, 0x1604aa55);
        }
        hwaddr a = ROM_ADDR + g_rand_int_range(r, 0, 0x20000);
        (void)mem_readl(a);
    }
    g_rand_free(r);
    /* the walk did map the ROM now and then */
    g_assert_cmpint(mapped, >, 100);
    object_unparent(OBJECT(d));
    g_unlink(path);
}

static void test_bad_files(void)
{
    GError *err = NULL;
    g_autofree char *missing = g_build_filename(tmpdir, "missing.rom", NULL);
    g_assert_null(testdev(10, missing, NULL, &err));
    g_assert(err && strstr(err->message, "failed to find romfile"));
    g_clear_error(&err);
    g_assert_null(bus->devices[PCI_DEVFN(10, 0)]);

    g_autofree char *empty = g_build_filename(tmpdir, "empty.rom", NULL);
    g_assert(g_file_set_contents(empty, "", 0, NULL));
    g_assert_null(testdev(10, empty, NULL, &err));
    g_assert(err && strstr(err->message, "is empty"));
    g_clear_error(&err);

    g_autofree char *junk = g_build_filename(tmpdir, "junk.rom", NULL);
    g_assert(g_file_set_contents(junk, "MZ junk", 7, NULL));
    g_assert_null(testdev(10, junk, NULL, &err));
    g_assert(err && strstr(err->message, "0x55 0xAA"));
    g_clear_error(&err);
    g_assert_null(bus->devices[PCI_DEVFN(10, 0)]);
    /* the slot is still usable */
    PCIDevice *d = testdev(10, NULL, NULL, &err);
    g_assert_no_error(err);
    object_unparent(OBJECT(d));
    g_unlink(empty);
    g_unlink(junk);
}

int main(int argc, char **argv)
{
    GError *err = NULL;
    static MemoryRegion ram;     /* static: still reachable at exit */

    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    memory_init();
    g_assert(memory_region_init_ram(&ram, NULL, "ram", 16 << 20, &err));
    memory_region_add_subregion(get_system_memory(), 0, &ram);
    bus = i440fx_init(get_system_memory(), get_system_io(), &err);
    g_assert_no_error(err);
    g_assert(fw_cfg_init_io_dma(FW_CFG_IO_BASE, FW_CFG_DMA_IO_BASE,
                                &address_space_memory, &err));
    tmpdir = g_dir_make_tmp("pcirom-XXXXXX", NULL);
    g_assert(tmpdir);

    g_test_add_func("/pci-rom/bar", test_rom_bar);
    g_test_add_func("/pci-rom/big", test_big_rom);
    g_test_add_func("/pci-rom/small", test_small_rom);
    g_test_add_func("/pci-rom/romsize", test_romsize);
    g_test_add_func("/pci-rom/none", test_no_rom);
    g_test_add_func("/pci-rom/rombar-off", test_rombar_off);
    g_test_add_func("/pci-rom/bootindex", test_bootindex);
    g_test_add_func("/pci-rom/bad-files", test_bad_files);
    g_test_add_func("/pci-rom/random", test_random);
    int ret = g_test_run();
    g_rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
