/*
 * pci-testdev (1b36:0005) driven as kvm-unit-tests' pci-testdev test
 * does: for each BAR select each test, write `data` of `width` at
 * `offset` N times, read `count` back; eventfd tests count through their
 * ioeventfd. Also: unknown tests read width 0, membar sizing, bad
 * membar values, random writes.
 */
#include "hw/pci-host/i440fx.h"
#include "hw/pci/pci.h"
#include "system/main-loop.h"

#include <string.h>

#define SLOT 3
#define DEVFN PCI_DEVFN(SLOT, 0)
#define MMIO_BASE 0xfe000000u
#define IO_BASE 0xc000u

static PCIBus *bus;

static uint32_t cfg_read(int devfn, int reg)
{
    return pci_bus_config_read(bus, (devfn << 8) | reg, 4);
}

static void cfg_write(int devfn, int reg, uint32_t v, int len)
{
    pci_bus_config_write(bus, (devfn << 8) | reg, v, len);
}

static uint32_t rd(AddressSpace *as, hwaddr a, unsigned size)
{
    uint64_t v = 0;
    address_space_read(as, a, MEMTXATTRS_UNSPECIFIED, &v, size);
    return v;
}

static void wr(AddressSpace *as, hwaddr a, uint32_t v, unsigned size)
{
    address_space_write(as, a, MEMTXATTRS_UNSPECIFIED, &v, size);
}

static int run_tests(AddressSpace *as, hwaddr base)
{
    int passed = 0;
    for (int t = 0; t < 8; t++) {
        wr(as, base, t, 1);
        g_assert_cmpuint(rd(as, base + 12, 4), ==, 0);
        unsigned width = rd(as, base + 1, 1);
        if (width != 1 && width != 2 && width != 4) {
            g_assert_cmpint(t, >=, 3);       /* tests 0-2 always exist */
            break;
        }
        uint32_t data = rd(as, base + 8, 4), off = rd(as, base + 4, 4);
        char name[32] = "";
        for (int i = 0; i < 31; i++) {
            name[i] = rd(as, base + 16 + i, 1);
        }
        g_assert_cmpuint(strlen(name), >, 0);
        for (int n = 0; n < 5; n++) {
            wr(as, base + off, data, width);
        }
        /* a wrong value does not count on the datamatch/no-eventfd tests */
        if (strcmp(name, "wildcard-eventfd")) {
            wr(as, base + off, data ^ 1, width);
        }
        g_assert_cmpuint(rd(as, base + 12, 4), ==, 5);
        passed++;
    }
    return passed;
}

static void test_ids(void)
{
    g_assert_cmphex(cfg_read(DEVFN, 0), ==, 0x00051b36);
    g_assert_cmphex(cfg_read(DEVFN, PCI_SUBSYSTEM_VENDOR_ID), ==, 0x11001af4);
    g_assert_cmphex(cfg_read(DEVFN, 0x08) >> 8, ==, 0x00ff00);
}

static void test_bars(void)
{
    cfg_write(DEVFN, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(DEVFN, PCI_BASE_ADDRESS_0), ==, 0xfffff000);
    cfg_write(DEVFN, PCI_BASE_ADDRESS_0 + 4, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(DEVFN, PCI_BASE_ADDRESS_0 + 4), ==, 0xffffff01);
    /* membar=1G: 64-bit prefetchable */
    cfg_write(DEVFN, PCI_BASE_ADDRESS_0 + 8, 0xffffffff, 4);
    cfg_write(DEVFN, PCI_BASE_ADDRESS_0 + 12, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(DEVFN, PCI_BASE_ADDRESS_0 + 8), ==, 0xc000000c);
    g_assert_cmphex(cfg_read(DEVFN, PCI_BASE_ADDRESS_0 + 12), ==, 0xffffffff);
    cfg_write(DEVFN, PCI_BASE_ADDRESS_0 + 8, 0, 4);
    cfg_write(DEVFN, PCI_BASE_ADDRESS_0 + 12, 0x1, 4);  /* 4 GiB */
    cfg_write(DEVFN, PCI_BASE_ADDRESS_0, MMIO_BASE, 4);
    cfg_write(DEVFN, PCI_BASE_ADDRESS_0 + 4, IO_BASE, 4);
    cfg_write(DEVFN, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
    /* the membar has no storage: reads float */
    g_assert_cmphex(rd(&address_space_memory, 0x100000000ull, 4), ==,
                    0xffffffff);
}

static void test_protocol(void)
{
    g_assert_cmpint(run_tests(&address_space_memory, MMIO_BASE), ==, 3);
    g_assert_cmpint(run_tests(&address_space_io, IO_BASE), ==, 3);
}

static void test_random_writes(void)
{
    GRand *r = g_rand_new_with_seed(5);
    for (int i = 0; i < 20000; i++) {
        bool io = g_rand_boolean(r);
        hwaddr off = g_rand_int_range(r, 0, io ? 0x100 : 0x1000);
        unsigned size = 1 << g_rand_int_range(r, 0, 3);
        AddressSpace *as = io ? &address_space_io : &address_space_memory;
        hwaddr base = io ? IO_BASE : MMIO_BASE;
        if (g_rand_boolean(r)) {
            wr(as, base + off, g_rand_int(r), size);
        } else {
            (void)rd(as, base + off, size);
        }
    }
    g_rand_free(r);
    /* still speaks the protocol afterwards */
    g_assert_cmpint(run_tests(&address_space_memory, MMIO_BASE), ==, 3);
}

static void test_bad_membar(void)
{
    static const char *const bad[] = { "3", "8", "1000", "12345" };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *err = NULL;
        DeviceState *dev = qdev_new("pci-testdev");
        qdev_prop_set_parse(dev, "membar", bad[i]);
        g_assert(!qdev_realize_and_unref(dev, BUS(bus), &err));
        g_assert(err && strstr(err->message, "membar"));
        g_clear_error(&err);
    }
}

int main(int argc, char **argv)
{
    GError *err = NULL;
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    memory_init();
    bus = i440fx_init(get_system_memory(), get_system_io(), &err);
    g_assert_no_error(err);
    DeviceState *dev = qdev_new("pci-testdev");
    qdev_prop_set_parse(dev, "addr", "03.0");
    qdev_prop_set_parse(dev, "membar", "1G");
    g_assert(qdev_realize_and_unref(dev, BUS(bus), &err));
    g_assert_no_error(err);

    g_test_add_func("/pci-testdev/ids", test_ids);
    g_test_add_func("/pci-testdev/bars", test_bars);
    g_test_add_func("/pci-testdev/protocol", test_protocol);
    g_test_add_func("/pci-testdev/random-writes", test_random_writes);
    g_test_add_func("/pci-testdev/bad-membar", test_bad_membar);
    return g_test_run();
}
