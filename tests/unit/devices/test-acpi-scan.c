/*
 * acpi_build_scan_devices() on a board built as the pc board builds it
 * (i440FX, PIIX3 with the ISA bus below it): it finds the RTC, the
 * i8042, each 16550A with the port and IRQ it took (index 0/1 defaults,
 * a custom one) and pvpanic at its ioport=, only once they are realized,
 * and the DSDT then describes exactly those.
 */
#include "hw/acpi/acpi-build.h"
#include "hw/char/serial.h"
#include "hw/input/i8042.h"
#include "hw/isa.h"
#include "hw/misc/pvpanic.h"
#include "hw/pci-host/i440fx.h"
#include "hw/pci/pci.h"
#include "hw/qdev.h"
#include "hw/rtc/mc146818rtc.h"
#include "system/main-loop.h"

#include <string.h>

static ISABus *isa;

static void isa_irq(void *opaque, int n, int level)
{
}

static DeviceState *add_isa(const char *type, const char *const *props)
{
    GError *err = NULL;
    DeviceState *dev = qdev_new(type);
    for (int i = 0; props && props[i]; i += 2) {
        g_assert_true(object_property_parse(OBJECT(dev), props[i],
                                            props[i + 1], &err));
    }
    g_assert_true(qdev_realize_and_unref(dev, BUS(isa), &err));
    g_assert_no_error(err);
    return dev;
}

static void test_scan(void)
{
    GError *err = NULL;
    AcpiBuildConfig cfg = { .num_serials = 3, .pvpanic_port = 1 };

    /* nothing yet: the scan also clears what was there */
    acpi_build_scan_devices(&cfg);
    g_assert_false(cfg.has_rtc);
    g_assert_false(cfg.has_i8042);
    g_assert_cmpuint(cfg.num_serials, ==, 0);
    g_assert_cmpuint(cfg.pvpanic_port, ==, 0);

    RTCConfig rc = { .clock = QEMU_CLOCK_HOST };
    g_assert_nonnull(mc146818_rtc_create(isa, &rc, &err));
    g_assert_nonnull(i8042_create(isa, &err));
    g_assert_no_error(err);
    add_isa(TYPE_ISA_SERIAL, (const char *const[]){ "index", "0", NULL });
    add_isa(TYPE_ISA_SERIAL, (const char *const[]){ "index", "1", NULL });
    add_isa(TYPE_ISA_SERIAL, (const char *const[]){ "iobase", "0x2e0",
                                                    "irq", "5", NULL });
    add_isa(TYPE_PVPANIC, (const char *const[]){ "ioport", "0x600", NULL });
    /* created, not realized: not there */
    DeviceState *later = qdev_new(TYPE_ISA_SERIAL);

    acpi_build_scan_devices(&cfg);
    g_assert_true(cfg.has_rtc);
    g_assert_true(cfg.has_i8042);
    g_assert_cmpuint(cfg.num_serials, ==, 3);
    g_assert_cmphex(cfg.serial[0].iobase, ==, 0x3f8);
    g_assert_cmpuint(cfg.serial[0].irq, ==, 4);
    g_assert_cmphex(cfg.serial[1].iobase, ==, 0x2f8);
    g_assert_cmpuint(cfg.serial[1].irq, ==, 3);
    g_assert_cmphex(cfg.serial[2].iobase, ==, 0x2e0);
    g_assert_cmpuint(cfg.serial[2].irq, ==, 5);
    g_assert_cmphex(cfg.pvpanic_port, ==, 0x600);

    /* the DSDT built from it: COM3 at 0x2e0 IRQ 5, PEVT at 0x600 */
    static uint8_t buf[0x10000];
    cfg.has_pci = true;
    cfg.pci_hole_start = 0x20000000;
    g_assert_cmpuint(acpi_build_tables(buf, sizeof(buf), 0xe0000, &cfg), >,
                     0);
    static const uint8_t com3[] = { 0x47, 0x01, 0xe0, 0x02, 0xe0, 0x02, 0x00,
                                    0x08, 0x22, 0x20, 0x00, 0x79, 0x00 };
    static const uint8_t pevt[] = { 0x47, 0x01, 0x00, 0x06, 0x00, 0x06, 0x01,
                                    0x01, 0x79, 0x00 };
    g_assert_nonnull(memmem(buf, sizeof(buf), "COM3", 4));
    g_assert_nonnull(memmem(buf, sizeof(buf), com3, sizeof(com3)));
    g_assert_nonnull(memmem(buf, sizeof(buf), pevt, sizeof(pevt)));
    g_assert_null(memmem(buf, sizeof(buf), "COM4", 4));

    /* the fourth: COM4's defaults */
    add_isa(TYPE_ISA_SERIAL, (const char *const[]){ "index", "3", NULL });
    acpi_build_scan_devices(&cfg);
    g_assert_cmpuint(cfg.num_serials, ==, ACPI_MAX_SERIALS);
    g_assert_cmphex(cfg.serial[3].iobase, ==, 0x2e8);
    g_assert_cmpuint(cfg.serial[3].irq, ==, 3);
    object_unref(OBJECT(later));
}

int main(int argc, char **argv)
{
    GError *err = NULL;

    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    memory_init();
    PCIBus *bus = i440fx_init(get_system_memory(), get_system_io(), &err);
    g_assert_no_error(err);
    qemu_irq *irqs = qemu_allocate_irqs(isa_irq, NULL, ISA_NUM_IRQS);
    PCIDevice *piix3 = piix3_create(bus, irqs, &err);
    g_assert_no_error(err);
    isa = isa_bus_new(DEVICE(piix3), get_system_io());
    isa_bus_set_irqs(isa, irqs);

    g_test_add_func("/acpi-scan/devices", test_scan);
    int rc = g_test_run();
    qemu_free_irqs(irqs, ISA_NUM_IRQS);
    return rc;
}
