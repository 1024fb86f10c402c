/*
 * The i440FX/PIIX chipset driven as a guest does, through ports
 * 0xcf8/0xcfc without a CPU: ids, write masks, BAR sizing with all-ones,
 * BAR remap in memory and I/O space, INTx routing through the PIIX3 PIRQ
 * registers, bus-master DMA gating, bad configuration accesses, PMBA
 * relocating the ACPI PM block, and random port writes.
 */
#include "hw/acpi/acpi-pm.h"
#include "hw/isa.h"
#include "hw/pci-host/i440fx.h"
#include "hw/pci/msi.h"
#include "hw/pci/pci.h"
#include "migration/vmstate.h"
#include "system/main-loop.h"

#include <string.h>

#define TEST_SLOT 5
#define TYPE_TEST_PCI "test-pci-dev"

static PCIBus *bus;
static int isa_level[16];
static qemu_irq *isa_irqs;

typedef struct TestPCI {
    PCIDevice parent;
    MemoryRegion io, mmio, mmio64;
    uint32_t last_write;
} TestPCI;

#define TEST_PCI(obj) OBJECT_CHECK(TestPCI, (obj), TYPE_TEST_PCI)

static uint64_t t_read(void *opaque, hwaddr off, unsigned size)
{
    return 0x11223344u + off;
}

static void t_write(void *opaque, hwaddr off, uint64_t v, unsigned size)
{
    ((TestPCI *)opaque)->last_write = v;
}

static const MemoryRegionOps t_ops = {
    .read = t_read,
    .write = t_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

static bool t_realize(PCIDevice *d, GError **errp)
{
    TestPCI *t = TEST_PCI(d);
    memory_region_init_io(&t->io, OBJECT(d), &t_ops, t, "t-io", 0x20);
    memory_region_init_io(&t->mmio, OBJECT(d), &t_ops, t, "t-mmio", 0x1000);
    memory_region_init_io(&t->mmio64, OBJECT(d), &t_ops, t, "t-mmio64",
                          0x4000);
    pci_register_bar(d, 0, PCI_BASE_ADDRESS_SPACE_IO, &t->io);
    pci_register_bar(d, 1, PCI_BASE_ADDRESS_SPACE_MEMORY, &t->mmio);
    pci_register_bar(d, 2, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64 |
                     PCI_BASE_ADDRESS_MEM_PREFETCH, &t->mmio64);
    d->config[PCI_INTERRUPT_PIN] = 1;
    return msi_init(d, 0x50, 4, true, true, errp);
}

static void t_class_init(ObjectClass *klass, void *data)
{
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(klass);
    pc->realize = t_realize;
    pc->vendor_id = 0x1234;
    pc->device_id = 0x5678;
    pc->class_id = PCI_CLASS_OTHERS;
}

static const TypeInfo t_info = {
    .name = TYPE_TEST_PCI,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(TestPCI),
    .class_init = t_class_init,
};

static uint64_t msi_addr;
static uint32_t msi_data;
static int msi_count;

static void msi_handler(uint64_t addr, uint32_t data)
{
    msi_addr = addr;
    msi_data = data;
    msi_count++;
}

static void isa_irq_handler(void *opaque, int n, int level)
{
    isa_level[n] = level;
}

static uint32_t cfg_addr(int devfn, int reg)
{
    return 0x80000000u | (devfn << 8) | (reg & 0xfc);
}

static uint32_t cfg_read(int devfn, int reg, int len)
{
    address_space_stl_le(&address_space_io, 0xcf8, cfg_addr(devfn, reg),
                         MEMTXATTRS_UNSPECIFIED, NULL);
    uint64_t v = 0;
    address_space_read(&address_space_io, 0xcfc + (reg & 3),
                       MEMTXATTRS_UNSPECIFIED, &v, len);
    return v;
}

static void cfg_write(int devfn, int reg, uint32_t val, int len)
{
    address_space_stl_le(&address_space_io, 0xcf8, cfg_addr(devfn, reg),
                         MEMTXATTRS_UNSPECIFIED, NULL);
    address_space_write(&address_space_io, 0xcfc + (reg & 3),
                        MEMTXATTRS_UNSPECIFIED, &val, len);
}

static uint32_t io_readl(AddressSpace *as, hwaddr a)
{
    return address_space_ldl_le(as, a, MEMTXATTRS_UNSPECIFIED, NULL);
}

static void test_ids(void)
{
    g_assert_cmphex(cfg_read(PCI_DEVFN(0, 0), 0, 4), ==, 0x12378086);
    g_assert_cmphex(cfg_read(PCI_DEVFN(1, 0), 0, 4), ==, 0x70008086);
    g_assert_cmphex(cfg_read(PCI_DEVFN(1, 3), 0, 4), ==, 0x71138086);
    g_assert_cmphex(cfg_read(PCI_DEVFN(0, 0), PCI_CLASS_DEVICE, 2), ==,
                    0x0600);
    g_assert_cmphex(cfg_read(PCI_DEVFN(1, 0), PCI_CLASS_DEVICE, 2), ==,
                    0x0601);
    /* the PIIX3 announces its other functions */
    g_assert_cmphex(cfg_read(PCI_DEVFN(1, 0), PCI_HEADER_TYPE, 1), ==, 0x80);
    g_assert_cmphex(cfg_read(PCI_DEVFN(0, 0), PCI_HEADER_TYPE, 1), ==, 0x00);
    /* CONFADD reads back what was written (Linux's conf1 probe) */
    address_space_stl_le(&address_space_io, 0xcf8, 0x80000000u,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    g_assert_cmphex(io_readl(&address_space_io, 0xcf8), ==, 0x80000000u);
}

static void count_dev(PCIBus *b, PCIDevice *d, void *opaque)
{
    (*(int *)opaque)++;
}

/* info qtree shows PCI addresses, ids and BARs; the walker sees all */
static void test_qtree(void)
{
    int n = 0;
    pci_for_each_device(bus, count_dev, &n);
    g_assert_cmpint(n, ==, 4);
    g_autofree char *tree = qdev_info_qtree();
    g_assert_nonnull(strstr(tree, "class ISA bridge, addr 00:01.0, "
                                  "pci id 8086:7000 (sub 1af4:1100)"));
    g_assert_nonnull(strstr(tree, "bar 0: i/o at 0xffffffffffffffff "
                                  "[0x1e]"));
}

static void test_masks(void)
{
    int t = PCI_DEVFN(TEST_SLOT, 0);
    /* ids and class are read-only */
    cfg_write(t, 0, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(t, 0, 4), ==, 0x56781234);
    cfg_write(t, PCI_CLASS_PROG, 0xffffff, 4);
    g_assert_cmphex(cfg_read(t, PCI_CLASS_DEVICE, 2), ==, 0xff00);
    /* command: only the defined bits stick */
    cfg_write(t, PCI_COMMAND, 0xffff, 2);
    g_assert_cmphex(cfg_read(t, PCI_COMMAND, 2), ==, 0x057f);
    cfg_write(t, PCI_COMMAND, 0, 2);
    /* interrupt line is writable, pin is not */
    cfg_write(t, PCI_INTERRUPT_LINE, 0xff0b, 2);
    g_assert_cmphex(cfg_read(t, PCI_INTERRUPT_LINE, 2), ==, 0x010b);
    /* status error bits are write-1-to-clear; others read-only */
    PCIDevice *d = bus->devices[t];
    d->config[PCI_STATUS + 1] |= 0x80;          /* detected parity error */
    cfg_write(t, PCI_STATUS, 0x0000, 2);
    g_assert_cmphex(cfg_read(t, PCI_STATUS + 1, 1) & 0x80, ==, 0x80);
    cfg_write(t, PCI_STATUS, 0x8000, 2);
    g_assert_cmphex(cfg_read(t, PCI_STATUS + 1, 1) & 0x80, ==, 0);
    /* a byte write in the middle of a dword changes only that byte */
    cfg_write(t, PCI_LATENCY_TIMER, 0x40, 1);
    g_assert_cmphex(cfg_read(t, PCI_CACHE_LINE_SIZE, 4) & 0xffff, ==,
                    0x4000);
}

static void test_bar_sizing(void)
{
    int t = PCI_DEVFN(TEST_SLOT, 0);
    struct {
        int reg;
        uint32_t expect;
    } bars[] = {
        { PCI_BASE_ADDRESS_0, 0xffffffe1 },          /* 32 ports */
        { PCI_BASE_ADDRESS_0 + 4, 0xfffff000 },      /* 4 KiB MMIO */
        { PCI_BASE_ADDRESS_0 + 8, 0xffffc00c },      /* 16 KiB 64-bit pf */
        { PCI_BASE_ADDRESS_0 + 12, 0xffffffff },     /* its upper half */
        { PCI_BASE_ADDRESS_0 + 16, 0x00000000 },     /* not implemented */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bars); i++) {
        uint32_t old = cfg_read(t, bars[i].reg, 4);
        cfg_write(t, bars[i].reg, 0xffffffff, 4);
        g_assert_cmphex(cfg_read(t, bars[i].reg, 4), ==, bars[i].expect);
        cfg_write(t, bars[i].reg, old, 4);
    }
    /* decoding off while sizing: nothing mapped */
    for (int n = 0; n < PCI_NUM_BARS; n++) {
        g_assert_cmphex(pci_get_bar_addr(bus->devices[t], n), ==,
                        PCI_BAR_UNMAPPED);
    }
}

static void test_bar_remap(void)
{
    int t = PCI_DEVFN(TEST_SLOT, 0);
    PCIDevice *d = bus->devices[t];
    TestPCI *td = TEST_PCI(d);

    cfg_write(t, PCI_BASE_ADDRESS_0, 0xc000, 4);
    cfg_write(t, PCI_BASE_ADDRESS_0 + 4, 0xfe000000, 4);
    cfg_write(t, PCI_BASE_ADDRESS_0 + 8, 0x00000000, 4);
    cfg_write(t, PCI_BASE_ADDRESS_0 + 12, 0x00000010, 4);   /* 64 GiB */
    g_assert_cmphex(pci_get_bar_addr(d, 0), ==, PCI_BAR_UNMAPPED);
    g_assert_cmphex(io_readl(&address_space_io, 0xc000), ==, 0xffffffff);

    cfg_write(t, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
    g_assert_cmphex(pci_get_bar_addr(d, 0), ==, 0xc000);
    g_assert_cmphex(io_readl(&address_space_io, 0xc004), ==, 0x11223348);
    g_assert_cmphex(io_readl(&address_space_memory, 0xfe000010), ==,
                    0x11223354);
    g_assert_cmphex(pci_get_bar_addr(d, 2), ==, 0x1000000000ull);
    g_assert_cmphex(io_readl(&address_space_memory, 0x1000000000ull), ==,
                    0x11223344);
    address_space_stl_le(&address_space_memory, 0xfe000000, 0xabcd,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    g_assert_cmphex(td->last_write, ==, 0xabcd);

    /* move the I/O BAR: the old ports go dead, the new ones answer */
    cfg_write(t, PCI_BASE_ADDRESS_0, 0xd020, 4);
    g_assert_cmphex(io_readl(&address_space_io, 0xc004), ==, 0xffffffff);
    g_assert_cmphex(io_readl(&address_space_io, 0xd024), ==, 0x11223348);
    /* past the end of port space: unmapped rather than truncated */
    cfg_write(t, PCI_BASE_ADDRESS_0, 0xfffffff0, 4);
    g_assert_cmphex(pci_get_bar_addr(d, 0), ==, PCI_BAR_UNMAPPED);
    /* memory decoding off unmaps the memory BARs */
    cfg_write(t, PCI_COMMAND, PCI_COMMAND_IO, 2);
    g_assert_cmphex(io_readl(&address_space_memory, 0xfe000010), ==,
                    0xffffffff);
    g_assert_cmphex(pci_get_bar_addr(d, 1), ==, PCI_BAR_UNMAPPED);
    /* reset clears BARs and command */
    device_cold_reset(DEVICE(d));
    g_assert_cmphex(cfg_read(t, PCI_BASE_ADDRESS_0, 4), ==, 0x1);
    g_assert_cmphex(cfg_read(t, PCI_COMMAND, 2), ==, 0);
    g_assert_cmphex(pci_get_bar_addr(d, 0), ==, PCI_BAR_UNMAPPED);
}

static void test_intx_routing(void)
{
    int t = PCI_DEVFN(TEST_SLOT, 0);
    PCIDevice *d = bus->devices[t];
    int pirq = i440fx_slot_pirq(TEST_SLOT, 0);

    g_assert_cmpint(pci_device_route_pin(d, 0), ==, pirq);
    memset(isa_level, 0, sizeof(isa_level));
    /* PIRQ disabled (reset value 0x80): nothing reaches ISA */
    pci_set_irq(d, 1);
    for (int i = 0; i < 16; i++) {
        g_assert_cmpint(isa_level[i], ==, 0);
    }
    g_assert_cmphex(cfg_read(t, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, ==,
                    PCI_STATUS_INTERRUPT);
    /* route it to IRQ 11: the level follows at once */
    cfg_write(PCI_DEVFN(1, 0), PIIX_PIRQRC + pirq, 11, 1);
    g_assert_cmpint(isa_level[11], ==, 1);
    /* Interrupt Disable masks it, Interrupt Status still shows it */
    cfg_write(t, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, 2);
    g_assert_cmpint(isa_level[11], ==, 0);
    cfg_write(t, PCI_COMMAND, 0, 2);
    g_assert_cmpint(isa_level[11], ==, 1);
    /* re-route to IRQ 10: 11 drops, 10 rises */
    cfg_write(PCI_DEVFN(1, 0), PIIX_PIRQRC + pirq, 10, 1);
    g_assert_cmpint(isa_level[11], ==, 0);
    g_assert_cmpint(isa_level[10], ==, 1);
    /* reserved targets (IRQ 2, 8, 13) are refused */
    cfg_write(PCI_DEVFN(1, 0), PIIX_PIRQRC + pirq, 8, 1);
    g_assert_cmpint(isa_level[10], ==, 0);
    g_assert_cmpint(isa_level[8], ==, 0);
    cfg_write(PCI_DEVFN(1, 0), PIIX_PIRQRC + pirq, 10, 1);
    pci_set_irq(d, 0);
    g_assert_cmpint(isa_level[10], ==, 0);
    g_assert_cmphex(cfg_read(t, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, ==, 0);
    /* the PIRQ registers keep bits 7 and 3-0 only */
    cfg_write(PCI_DEVFN(1, 0), PIIX_PIRQRC, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(PCI_DEVFN(1, 0), PIIX_PIRQRC, 4), ==,
                    0x8f8f8f8f);
    cfg_write(PCI_DEVFN(1, 0), PIIX_PIRQRC, 0x80808080, 4);
}

static void test_bad_accesses(void)
{
    /* absent devices and functions read all-ones */
    g_assert_cmphex(cfg_read(PCI_DEVFN(9, 0), 0, 4), ==, 0xffffffff);
    g_assert_cmphex(cfg_read(PCI_DEVFN(0, 1), 0, 2), ==, 0xffff);
    g_assert_cmphex(cfg_read(PCI_DEVFN(31, 7), 0xfc, 1), ==, 0xff);
    cfg_write(PCI_DEVFN(9, 0), PCI_COMMAND, 0xffff, 2);  /* dropped */
    /* bus 1 does not exist */
    address_space_stl_le(&address_space_io, 0xcf8, 0x80010000u,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    g_assert_cmphex(io_readl(&address_space_io, 0xcfc), ==, 0xffffffff);
    /* configuration disabled (bit 31 clear) */
    address_space_stl_le(&address_space_io, 0xcf8, 0x00000000u,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    g_assert_cmphex(io_readl(&address_space_io, 0xcfc), ==, 0xffffffff);
    /* unaligned and out-of-range accesses at the bus level */
    g_assert_cmphex(pci_bus_config_read(bus, 0x0001, 2), ==, 0xffff);
    g_assert_cmphex(pci_bus_config_read(bus, 0x0002, 4), ==, 0xffffffff);
    g_assert_cmphex(pci_bus_config_read(bus, 0x00ff, 2), ==, 0xffff);
    g_assert_cmphex(pci_bus_config_read(bus, 0x0000, 3), ==, 0xffffff);
    pci_bus_config_write(bus, 0x0001, 0xffff, 2);
    g_assert_cmphex(pci_bus_config_read(bus, 0, 4), ==, 0x12378086);
    /* byte access to 0xcf8 is not CONFADD */
    address_space_stl_le(&address_space_io, 0xcf8, 0x80000000u,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    address_space_stb(&address_space_io, 0xcfb, 0x01,
                      MEMTXATTRS_UNSPECIFIED, NULL);
    g_assert_cmphex(io_readl(&address_space_io, 0xcf8), ==, 0x80000000u);
}

static void test_dma(void)
{
    int t = PCI_DEVFN(TEST_SLOT, 0);
    PCIDevice *d = bus->devices[t];
    uint8_t buf[16] = { 1, 2, 3 };

    /* no bus mastering yet: refused */
    g_assert_cmpint(pci_dma_write(d, 0x1000, buf, sizeof(buf)), !=,
                    MEMTX_OK);
    cfg_write(t, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
    g_assert_cmpint(pci_dma_write(d, 0x1000, buf, sizeof(buf)), ==,
                    MEMTX_OK);
    uint8_t back[16];
    g_assert_cmpint(pci_dma_read(d, 0x1000, back, sizeof(back)), ==,
                    MEMTX_OK);
    g_assert_cmpmem(back, 16, buf, 16);
    /* beyond RAM and wrapping addresses are refused */
    g_assert_cmpint(pci_dma_read(d, 0x1000000 - 8, back, 16), !=, MEMTX_OK);
    g_assert_cmpint(pci_dma_read(d, UINT64_MAX - 4, back, 16), !=, MEMTX_OK);
    cfg_write(t, PCI_COMMAND, 0, 2);
    g_assert_cmpint(pci_dma_read(d, 0x1000, back, 16), !=, MEMTX_OK);
}

static void test_pmba(void)
{
    int pm = PCI_DEVFN(1, 3);
    g_assert_cmphex(cfg_read(pm, PIIX4_PMBA, 4), ==, 0x601);
    /* the PM timer answers at 0x608 */
    uint32_t t0 = io_readl(&address_space_io, ACPI_PM_TMR);
    g_assert_cmphex(t0 & 0xff000000u, ==, 0);
    cfg_write(pm, PIIX4_PMBA, 0xb000, 4);
    g_assert_cmphex(cfg_read(pm, PIIX4_PMBA, 4), ==, 0xb001);
    g_assert_cmphex(io_readl(&address_space_io, ACPI_PM_TMR), ==,
                    0xffffffff);
    g_assert_cmphex(io_readl(&address_space_io, 0xb008) & 0xff000000u, ==,
                    0);
    /* PMIOSE off: nowhere */
    cfg_write(pm, PIIX4_PMREGMISC, 0, 1);
    g_assert_cmphex(io_readl(&address_space_io, 0xb008), ==, 0xffffffff);
    device_cold_reset(DEVICE(bus->devices[pm]));
    g_assert_cmphex(io_readl(&address_space_io, ACPI_PM_TMR) & 0xff000000u,
                    ==, 0);
}

/* Save the test device and the PIIX3 with a BAR mapped and INTA routed
 * to IRQ 11, reset both, load: mapping and the ISA level come back. */
static void test_vmstate(void)
{
    int t = PCI_DEVFN(TEST_SLOT, 0);
    PCIDevice *d = bus->devices[t], *piix3 = bus->devices[PCI_DEVFN(1, 0)];
    const VMStateDescription *tv = DEVICE_GET_CLASS(d)->vmsd;
    const VMStateDescription *pv = DEVICE_GET_CLASS(piix3)->vmsd;
    int pirq = i440fx_slot_pirq(TEST_SLOT, 0);
    GError *err = NULL;

    cfg_write(t, PCI_BASE_ADDRESS_0, 0xc100, 4);
    cfg_write(t, PCI_COMMAND, PCI_COMMAND_IO, 2);
    cfg_write(PCI_DEVFN(1, 0), PIIX_PIRQRC + pirq, 11, 1);
    pci_set_irq(d, 1);
    g_assert_cmpint(isa_level[11], ==, 1);

    VMStream ts, ps;
    vmstream_init_save(&ts);
    vmstream_init_save(&ps);
    g_assert_true(vmstate_save(&ts, tv, d, &err));
    g_assert_true(vmstate_save(&ps, pv, piix3, &err));
    device_cold_reset(DEVICE(d));
    device_cold_reset(DEVICE(piix3));
    g_assert_cmpint(isa_level[11], ==, 0);
    g_assert_cmphex(pci_get_bar_addr(d, 0), ==, PCI_BAR_UNMAPPED);

    VMStream l;
    vmstream_init_load(&l, ps.out->data, ps.out->len);
    g_assert_true(vmstate_load(&l, pv, piix3, 1, &err));
    vmstream_init_load(&l, ts.out->data, ts.out->len);
    g_assert_true(vmstate_load(&l, tv, d, 1, &err));
    g_assert_no_error(err);
    g_assert_cmphex(pci_get_bar_addr(d, 0), ==, 0xc100);
    g_assert_cmphex(io_readl(&address_space_io, 0xc100), ==, 0x11223344);
    g_assert_cmpint(isa_level[11], ==, 1);

    /* a stream whose ids are another device's is refused */
    ts.out->data[0] ^= 0xff;
    vmstream_init_load(&l, ts.out->data, ts.out->len);
    g_assert_false(vmstate_load(&l, tv, d, 1, &err));
    g_clear_error(&err);
    g_assert_cmphex(cfg_read(t, 0, 4), ==, 0x56781234);
    g_byte_array_unref(ts.out);
    g_byte_array_unref(ps.out);

    pci_set_irq(d, 0);
    device_cold_reset(DEVICE(d));
    device_cold_reset(DEVICE(piix3));
}

static void test_msi(void)
{
    int t = PCI_DEVFN(TEST_SLOT, 0);
    PCIDevice *d = bus->devices[t];
    GError *err = NULL;

    /* the capability list: one MSI capability at 0x50 */
    g_assert_cmphex(cfg_read(t, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, ==,
                    PCI_STATUS_CAP_LIST);
    g_assert_cmphex(cfg_read(t, PCI_CAPABILITY_LIST, 1), ==, 0x50);
    g_assert_cmphex(cfg_read(t, 0x50, 4), ==, 0x01840005);
    /* read-only bits (64-bit, mask capable, 4 vectors capable) hold */
    cfg_write(t, 0x52, 0x0000, 2);
    g_assert_cmphex(cfg_read(t, 0x52, 2), ==, 0x0184);

    msi_count = 0;
    cfg_write(t, 0x54, 0xfee00000, 4);
    cfg_write(t, 0x58, 0, 4);
    cfg_write(t, 0x5c, 0x4040, 2);
    msi_notify(d, 0);                    /* not enabled yet */
    g_assert_cmpint(msi_count, ==, 0);
    cfg_write(t, 0x52, 0x0021, 2);       /* enable, 4 vectors */
    g_assert_true(msi_enabled(d));
    msi_notify(d, 1);                    /* no bus mastering yet */
    g_assert_cmpint(msi_count, ==, 0);
    cfg_write(t, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
    msi_notify(d, 1);
    g_assert_cmpint(msi_count, ==, 1);
    g_assert_cmphex(msi_addr, ==, 0xfee00000);
    g_assert_cmphex(msi_data, ==, 0x4041);
    msi_notify(d, 4);                    /* beyond the enabled vectors */
    g_assert_cmpint(msi_count, ==, 1);

    /* masked: pending, sent on unmask */
    cfg_write(t, 0x60, 0x4, 4);
    msi_notify(d, 2);
    g_assert_cmpint(msi_count, ==, 1);
    g_assert_true(msi_is_pending(d, 2));
    g_assert_cmphex(cfg_read(t, 0x64, 4), ==, 0x4);
    cfg_write(t, 0x64, 0, 4);            /* pending bits are read-only */
    g_assert_true(msi_is_pending(d, 2));
    cfg_write(t, 0x60, 0x0, 4);
    g_assert_cmpint(msi_count, ==, 2);
    g_assert_cmphex(msi_data, ==, 0x4042);
    g_assert_false(msi_is_pending(d, 2));

    /* a message not aimed at the APICs is a DMA write into RAM */
    cfg_write(t, 0x54, 0x5000, 4);
    msi_notify(d, 3);
    g_assert_cmphex(io_readl(&address_space_memory, 0x5000), ==, 0x4043);
    g_assert_cmpint(msi_count, ==, 2);

    /* bad capabilities */
    g_assert_false(msi_init(d, 0x80, 3, false, false, &err));
    g_clear_error(&err);
    g_assert_false(msi_init(d, 0x54, 1, false, false, &err));  /* overlap */
    g_clear_error(&err);
    g_assert_false(pci_add_capability(d, 0x09, 0xfc, 8, &err));
    g_clear_error(&err);
    g_assert_false(pci_add_capability(d, 0x09, 0x20, 4, &err));
    g_clear_error(&err);

    /* reset turns MSI off and clears the message */
    device_cold_reset(DEVICE(d));
    g_assert_false(msi_enabled(d));
    g_assert_cmphex(cfg_read(t, 0x54, 4), ==, 0);
    g_assert_cmphex(cfg_read(t, PCI_CAPABILITY_LIST, 1), ==, 0x50);
}

static void test_random_writes(void)
{
    GRand *r = g_rand_new_with_seed(440);
    for (int i = 0; i < 50000; i++) {
        int devfn = g_rand_boolean(r) ? PCI_DEVFN(TEST_SLOT, 0)
                                      : g_rand_int_range(r, 0, 256);
        int reg = g_rand_int_range(r, 0, 256);
        int len = 1 << g_rand_int_range(r, 0, 3);
        /* keep the chipset's own functions out of reach: their
         * registers move ports under our feet, which is tested above */
        if (PCI_SLOT(devfn) < 2 && reg >= 0x40) {
            continue;
        }
        if (g_rand_boolean(r)) {
            cfg_write(devfn, reg, g_rand_int(r), len);
        } else {
            (void)cfg_read(devfn, reg, len);
        }
        if (g_rand_int_range(r, 0, 8) == 0) {
            pci_set_irq(bus->devices[PCI_DEVFN(TEST_SLOT, 0)],
                        g_rand_boolean(r));
        }
    }
    g_rand_free(r);
    pci_set_irq(bus->devices[PCI_DEVFN(TEST_SLOT, 0)], 0);
    for (int slot = 0; slot < 32; slot++) {
        for (int fn = 0; fn < 8; fn++) {
            PCIDevice *d = bus->devices[PCI_DEVFN(slot, fn)];
            if (d) {
                device_cold_reset(DEVICE(d));
            }
        }
    }
}

int main(int argc, char **argv)
{
    GError *err = NULL;
    static MemoryRegion ram;     /* static: still reachable at exit */

    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    memory_init();
    type_register_static_array(&t_info, 1);
    g_assert(memory_region_init_ram(&ram, NULL, "ram", 16 << 20, &err));
    memory_region_add_subregion(get_system_memory(), 0, &ram);

    pci_set_msi_handler(msi_handler);
    bus = i440fx_init(get_system_memory(), get_system_io(), &err);
    g_assert_no_error(err);
    isa_irqs = qemu_allocate_irqs(isa_irq_handler, NULL, 16);
    PCIDevice *piix3 = piix3_create(bus, isa_irqs, &err);
    g_assert_no_error(err);
    ISABus *isa = isa_bus_new(DEVICE(piix3), get_system_io());
    isa_bus_set_irqs(isa, isa_irqs);
    DeviceState *pm = acpi_pm_create(isa, &err);
    g_assert_no_error(err);
    g_assert(piix4_pm_create(bus, pm, &err));
    g_assert_no_error(err);
    g_assert(pci_create_simple(bus, PCI_DEVFN(TEST_SLOT, 0), TYPE_TEST_PCI,
                               &err));
    g_assert_no_error(err);
    /* a taken slot is refused with QEMU's message */
    g_assert(!pci_create_simple(bus, PCI_DEVFN(TEST_SLOT, 0), TYPE_TEST_PCI,
                                &err));
    g_assert(err && strstr(err->message, "not available"));
    g_clear_error(&err);
    /* addr= spellings: SLOT[.FN] in hex, 0x allowed; bad ones refused */
    static const struct {
        const char *addr;
        int devfn;                       /* -1: refused */
    } addrs[] = {
        { "07", PCI_DEVFN(7, 0) }, { "0x8", PCI_DEVFN(8, 0) },
        { "0a.2", PCI_DEVFN(10, 2) }, { "1f.7", PCI_DEVFN(31, 7) },
        { "20", -1 }, { "3.8", -1 }, { "zz", -1 }, { "", -1 },
        { "3.", -1 }, { "3.1.2", -1 }, { "-1", -1 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(addrs); i++) {
        DeviceState *dev = qdev_new(TYPE_TEST_PCI);
        bool ok = object_property_parse(OBJECT(dev), "addr", addrs[i].addr,
                                        &err);
        g_assert_cmpint(ok, ==, addrs[i].devfn >= 0);
        if (ok) {
            g_assert_cmpint(PCI_DEVICE(dev)->devfn, ==, addrs[i].devfn);
        } else {
            g_assert(err && strstr(err->message, "addr"));
            g_clear_error(&err);
        }
        object_unref(OBJECT(dev));
    }

    g_test_add_func("/pci/ids", test_ids);
    g_test_add_func("/pci/qtree", test_qtree);
    g_test_add_func("/pci/masks", test_masks);
    g_test_add_func("/pci/bar-sizing", test_bar_sizing);
    g_test_add_func("/pci/bar-remap", test_bar_remap);
    g_test_add_func("/pci/intx-routing", test_intx_routing);
    g_test_add_func("/pci/bad-accesses", test_bad_accesses);
    g_test_add_func("/pci/dma", test_dma);
    g_test_add_func("/pci/pmba", test_pmba);
    g_test_add_func("/pci/msi", test_msi);
    g_test_add_func("/pci/vmstate", test_vmstate);
    g_test_add_func("/pci/random-writes", test_random_writes);
    return g_test_run();
}
