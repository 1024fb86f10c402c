/*
 * The DSDT's ISA devices (ACPI 6.5 §6.1.5 _HID, §6.2.2 _CRS, §6.4.2
 * small resource descriptors), the ones a guest expects from a PC as
 * QEMU's pc board describes them, each only when the board has it:
 *
 *   \_SB.PCI0.ISA.RTC   PNP0B00  IO 0x70-0x77, IRQ 8
 *   \_SB.PCI0.ISA.KBD   PNP0303  IO 0x60, 0x64, IRQ 1
 *   \_SB.PCI0.ISA.MOU   PNP0F13  IRQ 12
 *   \_SB.PCI0.ISA.COMn  PNP0501  IO base..base+7, its IRQ (_UID n)
 *   \_SB.PCI0.ISA.PEVT  QEMU0001 pvpanic: IO port, RDPT/WRPT methods
 *   \_SB.HPET           PNP0103  Memory32Fixed base, 0x400
 *
 * (Under \_SB directly when the board has no PCI.) Linux binds rtc_cmos,
 * i8042 and 8250_pnp to them, and pvpanic's ACPI driver to PEVT.
 * acpi_build_scan_devices() fills the config from the devices present.
 */
#include "hw/acpi/acpi-build.h"
#include "hw/acpi/aml.h"
#include "hw/char/serial.h"
#include "hw/input/i8042.h"
#include "hw/misc/pvpanic.h"
#include "hw/qdev.h"
#include "hw/rtc/mc146818rtc.h"
#include "hw/sysbus.h"

#include <stdio.h>
#include <string.h>

#define AML_REGION_SYSTEM_IO 0x01

typedef struct ResBuf {
    uint8_t b[64];
    size_t n;
} ResBuf;

/* IO(Decode16, base, base, align, len) (§6.4.2.5) */
static void res_io(ResBuf *r, uint16_t base, uint8_t align, uint8_t len)
{
    const uint8_t d[] = { 0x47, 0x01, base & 0xff, base >> 8, base & 0xff,
                          base >> 8, align, len };
    memcpy(r->b + r->n, d, sizeof(d));
    r->n += sizeof(d);
}

/* IRQNoFlags() {irq} (§6.4.2.1, 2-byte form: edge, active high) */
static void res_irq(ResBuf *r, unsigned irq)
{
    r->b[r->n++] = 0x22;
    r->b[r->n++] = (1u << irq) & 0xff;
    r->b[r->n++] = (1u << irq) >> 8;
}

/* Memory32Fixed(ReadOnly|ReadWrite, base, len) (§6.4.3.4) */
static void res_mem32(ResBuf *r, bool rw, uint32_t base, uint32_t len)
{
    const uint8_t d[] = { 0x86, 0x09, 0x00, rw ? 1 : 0,
                          base, base >> 8, base >> 16, base >> 24,
                          len, len >> 8, len >> 16, len >> 24 };
    memcpy(r->b + r->n, d, sizeof(d));
    r->n += sizeof(d);
}

static Aml *res_end(ResBuf *r)
{
    r->b[r->n++] = 0x79;              /* End Tag, checksum 0: "ignore" */
    r->b[r->n++] = 0x00;
    return aml_buffer(r->b, r->n);
}

static Aml *isa_device(const char *name, const char *hid, int uid,
                       ResBuf *crs, Aml *extra)
{
    Aml *dev = aml_new();
    aml_append(dev, aml_name_decl("_HID", hid[0] == 'Q' ? aml_string(hid)
                                                        : aml_eisaid(hid)));
    if (uid >= 0) {
        aml_append(dev, aml_name_decl("_UID", aml_int(uid)));
    }
    aml_append(dev, aml_name_decl("_STA", aml_int(0x0f)));
    aml_append(dev, aml_name_decl("_CRS", res_end(crs)));
    aml_append(dev, extra);
    return aml_device(name, dev);
}

/* pvpanic: the port as an 8-bit field, RDPT() reads the events it offers,
 * WRPT(x) reports one, as QEMU's PEVT does (Linux's driver calls them) */
static Aml *pvpanic_methods(uint16_t port)
{
    static const char *const pept[] = { "PEPT" };
    Aml *m = aml_new();
    aml_append(m, aml_operation_region("PEOR", AML_REGION_SYSTEM_IO, port,
                                       1));
    aml_append(m, aml_field_bytes("PEOR", pept, 1));
    Aml *body = aml_new();
    aml_append(body, aml_store(aml_name("PEPT"), aml_local(0)));
    aml_append(body, aml_return(aml_local(0)));
    aml_append(m, aml_method("RDPT", 0, false, body));
    body = aml_new();
    aml_append(body, aml_store(aml_arg(0), aml_name("PEPT")));
    aml_append(m, aml_method("WRPT", 1, false, body));
    return m;
}

void acpi_dsdt_add_isa(Aml *dsdt, const AcpiBuildConfig *cfg)
{
    Aml *isa = aml_new();
    ResBuf r;

    if (cfg->has_rtc) {
        r.n = 0;
        res_io(&r, 0x70, 0x01, 0x08);
        res_irq(&r, 8);
        aml_append(isa, isa_device("RTC", "PNP0B00", -1, &r, NULL));
    }
    if (cfg->has_i8042) {
        r.n = 0;
        res_io(&r, 0x60, 0x01, 0x01);
        res_io(&r, 0x64, 0x01, 0x01);
        res_irq(&r, 1);
        aml_append(isa, isa_device("KBD", "PNP0303", -1, &r, NULL));
        r.n = 0;
        res_irq(&r, 12);
        aml_append(isa, isa_device("MOU", "PNP0F13", -1, &r, NULL));
    }
    for (unsigned i = 0; i < cfg->num_serials && i < ACPI_MAX_SERIALS; i++) {
        char name[8];
        snprintf(name, sizeof(name), "COM%u", i + 1);
        r.n = 0;
        res_io(&r, cfg->serial[i].iobase, 0x00, 0x08);
        res_irq(&r, cfg->serial[i].irq & 0x0f);
        aml_append(isa, isa_device(name, "PNP0501", i + 1, &r, NULL));
    }
    if (cfg->pvpanic_port) {
        r.n = 0;
        res_io(&r, cfg->pvpanic_port, 0x01, 0x01);
        aml_append(isa, isa_device("PEVT", "QEMU0001", -1, &r,
                                   pvpanic_methods(cfg->pvpanic_port)));
    }
    if (isa->len) {
        aml_append(dsdt, aml_scope(cfg->has_pci ? "\\_SB.PCI0.ISA" : "\\_SB",
                                   isa));
    } else {
        aml_free(isa);
    }

    if (cfg->has_hpet) {
        r.n = 0;
        res_mem32(&r, false, cfg->hpet_addr, 0x400);
        Aml *sb = aml_new();
        aml_append(sb, isa_device("HPET", "PNP0103", 0, &r, NULL));
        aml_append(dsdt, aml_scope("\\_SB", sb));
    }
}

/* ---- what the board has ------------------------------------------------ */

static int scan_one(DeviceState *dev, void *opaque)
{
    AcpiBuildConfig *cfg = opaque;
    Object *o = OBJECT(dev);

    if (!dev->realized) {
        return 0;
    }
    if (object_dynamic_cast(o, TYPE_MC146818_RTC)) {
        cfg->has_rtc = true;
    } else if (object_dynamic_cast(o, TYPE_I8042)) {
        cfg->has_i8042 = true;
    } else if (object_dynamic_cast(o, TYPE_ISA_SERIAL) &&
               cfg->num_serials < ACPI_MAX_SERIALS) {
        uint64_t base = object_property_get_uint(o, "iobase", NULL);
        uint64_t irq = object_property_get_uint(o, "irq", NULL);
        if (base <= 0xfff8 && irq < 16) {
            cfg->serial[cfg->num_serials].iobase = base;
            cfg->serial[cfg->num_serials].irq = irq;
            cfg->num_serials++;
        }
    } else if (object_dynamic_cast(o, TYPE_PVPANIC)) {
        uint64_t port = object_property_get_uint(o, "ioport", NULL);
        if (port && port <= 0xffff) {
            cfg->pvpanic_port = port;
        }
    }
    return 0;
}

void acpi_build_scan_devices(AcpiBuildConfig *cfg)
{
    cfg->has_rtc = cfg->has_i8042 = false;
    cfg->num_serials = 0;
    cfg->pvpanic_port = 0;
    qbus_walk_devices(sysbus_get_default(), scan_one, cfg);
}
