/*
 * pc-testdev as kvm-unit-tests drive it: the 0xe0 scratch register at
 * every width and byte offset (0xe8-0xeb left free), the page-flush
 * port, GSI line control at 0x2000+n (ISA lines through the bus, 16-23
 * through the board's lines), and the 64 KiB MMIO scratch at 0xff000000.
 */
#include "hw/isa.h"
#include "hw/misc/pc-testdev.h"
#include "hw/qdev.h"
#include "memory/memory.h"
#include "system/main-loop.h"

#define IO (&address_space_io)
#define MEM (&address_space_memory)
#define A MEMTXATTRS_UNSPECIFIED

static ISABus *isa;
static int isa_level[ISA_NUM_IRQS];
static int gsi_level[PC_TESTDEV_NUM_GSI];

static void isa_irq(void *opaque, int n, int level)
{
    isa_level[n] = level;
}

static void gsi_irq(void *opaque, int n, int level)
{
    gsi_level[n] = level;
}

static DeviceState *new_testdev(void)
{
    GError *err = NULL;
    DeviceState *dev = qdev_new(TYPE_PC_TESTDEV);
    g_assert_true(qdev_realize_and_unref(dev, BUS(isa), &err));
    g_assert_no_error(err);
    return dev;
}

static void test_scratch_widths(void)
{
    DeviceState *dev = new_testdev();

    address_space_stl_le(IO, 0xe0, 0x12345678, A, NULL);
    g_assert_cmphex(address_space_ldl_le(IO, 0xe0, A, NULL), ==, 0x12345678);
    g_assert_cmphex(address_space_lduw_le(IO, 0xe0, A, NULL), ==, 0x5678);
    g_assert_cmphex(address_space_lduw_le(IO, 0xe2, A, NULL), ==, 0x1234);
    g_assert_cmphex(address_space_ldub(IO, 0xe3, A, NULL), ==, 0x12);
    /* a narrow write replaces only its lanes */
    address_space_stb(IO, 0xe1, 0xaa, A, NULL);
    g_assert_cmphex(address_space_ldl_le(IO, 0xe0, A, NULL), ==, 0x1234aa78);
    address_space_stw_le(IO, 0xe2, 0xbeef, A, NULL);
    g_assert_cmphex(address_space_ldl_le(IO, 0xe0, A, NULL), ==, 0xbeefaa78);
    /* 0xe8-0xeb stay free (0xe9 is the debug console) */
    g_assert_cmphex(address_space_ldub(IO, 0xe9, A, NULL), ==, 0xff);
    /* reset clears it */
    device_cold_reset(dev);
    g_assert_cmphex(address_space_ldl_le(IO, 0xe0, A, NULL), ==, 0);
    object_unparent(OBJECT(dev));
}

static void test_flush_port(void)
{
    DeviceState *dev = new_testdev();
    MemTxResult r = MEMTX_ERROR;

    address_space_stl_le(IO, 0xe4, 0x100000, A, &r);
    g_assert_cmpint(r, ==, MEMTX_OK);
    g_assert_cmphex(address_space_ldl_le(IO, 0xe4, A, NULL), ==, 0);
    object_unparent(OBJECT(dev));
}

static void test_irq_lines(void)
{
    DeviceState *dev = new_testdev();

    /* ISA GSIs go through the bus */
    address_space_stb(IO, 0x2000 + 14, 1, A, NULL);
    g_assert_cmpint(isa_level[14], ==, 1);
    g_assert_cmpint(gsi_level[14], ==, 0);
    g_assert_cmpuint(address_space_ldub(IO, 0x2000 + 14, A, NULL), ==, 1);
    address_space_stb(IO, 0x2000 + 14, 0, A, NULL);
    g_assert_cmpint(isa_level[14], ==, 0);
    /* any non-zero value raises */
    address_space_stb(IO, 0x2000 + 5, 0x80, A, NULL);
    g_assert_cmpint(isa_level[5], ==, 1);
    /* 16-23: the board's lines */
    address_space_stb(IO, 0x2000 + 16, 1, A, NULL);
    address_space_stb(IO, 0x2000 + 23, 1, A, NULL);
    g_assert_cmpint(gsi_level[16], ==, 1);
    g_assert_cmpint(gsi_level[23], ==, 1);
    address_space_stb(IO, 0x2000 + 23, 0, A, NULL);
    g_assert_cmpint(gsi_level[23], ==, 0);
    /* reset lowers what the guest left raised */
    device_cold_reset(dev);
    g_assert_cmpint(isa_level[5], ==, 0);
    g_assert_cmpint(gsi_level[16], ==, 0);
    object_unparent(OBJECT(dev));
}

/* a guest's odd accesses: wide writes set one line per byte, ports past
 * GSI 23 are not the device's */
static void test_irq_wide_and_out_of_range(void)
{
    DeviceState *dev = new_testdev();

    /* bytes 01 00 80 00: GSI 20 and 22 up (any non-zero byte) */
    address_space_stl_le(IO, 0x2000 + 20, 0x00800001, A, NULL);
    g_assert_cmpint(gsi_level[20], ==, 1);
    g_assert_cmpint(gsi_level[21], ==, 0);
    g_assert_cmpint(gsi_level[22], ==, 1);
    g_assert_cmpint(gsi_level[23], ==, 0);
    g_assert_cmphex(address_space_ldl_le(IO, 0x2000 + 20, A, NULL), ==,
                    0x00010001);
    g_assert_cmphex(address_space_ldub(IO, 0x2000 + 24, A, NULL), ==, 0xff);
    address_space_stb(IO, 0x2000 + 24, 1, A, NULL);     /* not ours */
    device_cold_reset(dev);
    g_assert_cmpint(gsi_level[22], ==, 0);
    object_unparent(OBJECT(dev));
}

static void test_irq_unwired_is_contained(void)
{
    DeviceState *dev = new_testdev();

    pc_testdev_set_gsi_lines(NULL, 0);
    address_space_stb(IO, 0x2000 + 20, 1, A, NULL);   /* dropped, logged */
    g_assert_cmpint(gsi_level[20], ==, 0);
    object_unparent(OBJECT(dev));
}

static void test_iomem(void)
{
    DeviceState *dev = new_testdev();
    uint8_t buf[16];

    stq_le_phys(MEM, PC_TESTDEV_IOMEM_BASE + 8, 0x0102030405060708ull);
    g_assert_cmphex(ldq_le_phys(MEM, PC_TESTDEV_IOMEM_BASE + 8), ==,
                    0x0102030405060708ull);
    g_assert_cmphex(ldl_le_phys(MEM, PC_TESTDEV_IOMEM_BASE + 9), ==,
                    0x04050607);                        /* unaligned */
    stl_le_phys(MEM, PC_TESTDEV_IOMEM_BASE + PC_TESTDEV_IOMEM_SIZE - 4,
                0xcafef00d);
    address_space_read(MEM, PC_TESTDEV_IOMEM_BASE + PC_TESTDEV_IOMEM_SIZE -
                       4, A, buf, 4);
    g_assert_cmphex(buf[0], ==, 0x0d);
    g_assert_cmphex(buf[3], ==, 0xca);
    object_unparent(OBJECT(dev));
    /* unplugged: the window is gone */
    g_assert_cmphex(ldl_le_phys(MEM, PC_TESTDEV_IOMEM_BASE), ==, 0xffffffff);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    memory_init();
    isa = isa_bus_new(NULL, get_system_io());
    qemu_irq *irqs = qemu_allocate_irqs(isa_irq, NULL, ISA_NUM_IRQS);
    qemu_irq *gsis = qemu_allocate_irqs(gsi_irq, NULL, PC_TESTDEV_NUM_GSI);
    isa_bus_set_irqs(isa, irqs);
    pc_testdev_set_gsi_lines(gsis, PC_TESTDEV_NUM_GSI);

    g_test_add_func("/pc-testdev/scratch-widths", test_scratch_widths);
    g_test_add_func("/pc-testdev/flush-port", test_flush_port);
    g_test_add_func("/pc-testdev/irq-lines", test_irq_lines);
    g_test_add_func("/pc-testdev/irq-wide-and-out-of-range",
                    test_irq_wide_and_out_of_range);
    g_test_add_func("/pc-testdev/irq-unwired-is-contained",
                    test_irq_unwired_is_contained);
    g_test_add_func("/pc-testdev/iomem", test_iomem);
    int rc = g_test_run();
    qemu_free_irqs(irqs, ISA_NUM_IRQS);
    qemu_free_irqs(gsis, PC_TESTDEV_NUM_GSI);
    object_unparent(OBJECT(isa));
    return rc;
}
