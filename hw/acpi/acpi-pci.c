/*
 * The DSDT's PCI part for the i440FX/PIIX board (ACPI 6.5 §6.2.13 _PRT,
 * §6.2 _CRS/_PRS/_SRS/_DIS, PCI Firmware Spec 3.0 for PNP0A03):
 * \_SB.PCI0 (root bridge, bus 0, its I/O and memory windows), the PIIX3
 * PIRQ route control registers as a PCI_Config field of \_SB.PCI0.ISA,
 * the interrupt links LNKA-LNKD (PNP0C0F) reading and writing them, LNKS
 * (the PM function's INTA, fixed on the SCI), and a _PRT for slots 1-31
 * wired as i440fx_slot_pirq() says (01.3's INTA to LNKS, as QEMU's).
 */
#include "hw/acpi/acpi-build.h"
#include "hw/acpi/acpi-pm.h"
#include "hw/acpi/aml.h"
#include "hw/pci-host/i440fx.h"

#include <stdio.h>
#include <string.h>

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) {
        p[i] = v >> (8 * i);
    }
}

/* Word/DWord/QWord address space descriptors (ACPI 6.5 §6.4.3.5). */
static void res_addr(GByteArray *r, uint8_t tag, int width, uint8_t type,
                     uint8_t tflags, uint64_t min, uint64_t max)
{
    uint8_t d[3 + 3 + 5 * 8];
    size_t len = 3 + 5 * width;     /* after the 3-byte header */
    d[0] = tag;
    d[1] = len & 0xff;
    d[2] = len >> 8;
    d[3] = type;
    d[4] = 0x0c;                    /* MinFixed, MaxFixed, producer */
    d[5] = tflags;
    uint8_t *p = d + 6;
    put_le(p, 0, width);                        /* granularity */
    put_le(p + width, min, width);
    put_le(p + 2 * width, max, width);
    put_le(p + 3 * width, 0, width);            /* translation */
    put_le(p + 4 * width, max - min + 1, width);
    g_byte_array_append(r, d, 3 + len);
}

static Aml *pci0_crs(const AcpiBuildConfig *cfg)
{
    GByteArray *r = g_byte_array_new();
    /* bus numbers 0-255 */
    res_addr(r, 0x88, 2, 2, 0, 0, 0xff);
    /* the configuration ports themselves: consumed, not forwarded */
    static const uint8_t cf8[] = { 0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c,
                                   0x01, 0x08 };
    g_byte_array_append(r, cf8, sizeof(cf8));
    res_addr(r, 0x88, 2, 1, 0x03, 0x0000, 0x0cf7);
    res_addr(r, 0x88, 2, 1, 0x03, 0x0d00, 0xffff);
    /* VGA window and the 32-bit hole up to the IOAPIC */
    res_addr(r, 0x87, 4, 0, 0x03, 0xa0000, 0xbffff);
    if (cfg->pci_hole_start < 0xfec00000u) {
        res_addr(r, 0x87, 4, 0, 0x03, cfg->pci_hole_start, 0xfebfffff);
    }
    if (cfg->pci_hole64_size) {
        res_addr(r, 0x8a, 8, 0, 0x03, cfg->pci_hole64_start,
                 cfg->pci_hole64_start + cfg->pci_hole64_size - 1);
    }
    static const uint8_t end[] = { 0x79, 0x00 };
    g_byte_array_append(r, end, sizeof(end));
    Aml *buf = aml_buffer(r->data, r->len);
    g_byte_array_free(r, TRUE);
    return buf;
}

/* Interrupt(ResourceConsumer, Level, ActiveHigh, Shared) { irqs } */
static Aml *ext_irq_template(const uint8_t *irqs, int n)
{
    uint8_t d[5 + 4 * 8 + 2];
    size_t len = 2 + 4 * n;
    d[0] = 0x89;
    d[1] = len;
    d[2] = 0;
    d[3] = 0x09;                    /* consumer, level, high, shared */
    d[4] = n;
    for (int i = 0; i < n; i++) {
        put_le(d + 5 + 4 * i, irqs[i], 4);
    }
    d[5 + 4 * n] = 0x79;
    d[6 + 4 * n] = 0x00;
    return aml_buffer(d, 7 + 4 * n);
}

static Aml *pci0_prt(void)
{
    Aml *entries = aml_new();
    int count = 0;
    for (int slot = 1; slot < 32; slot++) {
        for (int pin = 0; pin < PCI_NUM_PINS; pin++) {
            char link[16];
            /* 01.3's INTA is the PIIX4 PM's SCI: LNKS (as QEMU) */
            if (slot == 1 && pin == 0) {
                snprintf(link, sizeof(link), "\\_SB.LNKS");
            } else {
                snprintf(link, sizeof(link), "\\_SB.LNK%c",
                         'A' + i440fx_slot_pirq(slot, pin));
            }
            Aml *e = aml_new();
            aml_append(e, aml_int(((uint64_t)slot << 16) | 0xffff));
            aml_append(e, aml_int(pin));
            aml_append(e, aml_name(link));
            aml_append(e, aml_int(0));
            aml_append(entries, aml_package(4, e));
            count++;
        }
    }
    return aml_name_decl("_PRT", aml_package(count, entries));
}

static Aml *link_device(int n)
{
    static const uint8_t irqs[] = { 5, 10, 11 };
    char name[8], reg[24];
    snprintf(name, sizeof(name), "LNK%c", 'A' + n);
    snprintf(reg, sizeof(reg), "\\_SB.PCI0.ISA.PRQ%d", n);

    Aml *dev = aml_new();
    aml_append(dev, aml_name_decl("_HID", aml_eisaid("PNP0C0F")));
    aml_append(dev, aml_name_decl("_UID", aml_int(n)));
    aml_append(dev, aml_name_decl("_PRS", ext_irq_template(irqs, 3)));

    Aml *args[1] = { aml_name(reg) };
    Aml *body = aml_new();
    aml_append(body, aml_return(aml_call("\\_SB.IQST", 1, args)));
    aml_append(dev, aml_method("_STA", 0, false, body));

    body = aml_new();
    aml_append(body, aml_or(aml_name(reg), aml_int(0x80), aml_name(reg)));
    aml_append(dev, aml_method("_DIS", 0, false, body));

    args[0] = aml_name(reg);
    body = aml_new();
    aml_append(body, aml_return(aml_call("\\_SB.IQCR", 1, args)));
    aml_append(dev, aml_method("_CRS", 0, false, body));

    /* the new IRQ is the DWord at offset 5 of the Interrupt descriptor;
     * storing it into the 8-bit register also clears the disable bit */
    body = aml_new();
    aml_append(body, aml_create_dword_field(aml_arg(0), aml_int(5), "PRRI"));
    aml_append(body, aml_store(aml_name("PRRI"), aml_name(reg)));
    aml_append(dev, aml_method("_SRS", 1, false, body));
    return aml_device(name, dev);
}

/* LNKS: the fixed link of the PM function's INTA, the SCI (IRQ 9);
 * nothing to route, so _SRS and _DIS do nothing. */
static Aml *sci_link_device(void)
{
    static const uint8_t sci[] = { ACPI_SCI_IRQ };
    Aml *dev = aml_new();
    aml_append(dev, aml_name_decl("_HID", aml_eisaid("PNP0C0F")));
    aml_append(dev, aml_name_decl("_UID", aml_int(PIIX_NUM_PIRQS)));
    aml_append(dev, aml_name_decl("_STA", aml_int(0x0b)));
    aml_append(dev, aml_name_decl("_PRS", ext_irq_template(sci, 1)));
    aml_append(dev, aml_name_decl("_CRS", ext_irq_template(sci, 1)));
    aml_append(dev, aml_method("_SRS", 1, false, aml_new()));
    aml_append(dev, aml_method("_DIS", 0, false, aml_new()));
    return aml_device("LNKS", dev);
}

void acpi_dsdt_add_pci(Aml *dsdt, const AcpiBuildConfig *cfg)
{
    Aml *sb = aml_new();

    /* IQST(reg): _STA of a link, disabled while bit 7 is set */
    Aml *then = aml_new();
    aml_append(then, aml_return(aml_int(0x09)));
    Aml *body = aml_new();
    aml_append(body, aml_if(aml_and(aml_int(0x80), aml_arg(0), NULL), then));
    aml_append(body, aml_return(aml_int(0x0b)));
    aml_append(sb, aml_method("IQST", 1, false, body));

    /* IQCR(reg): _CRS of a link, the routed IRQ (0 when disabled) */
    static const uint8_t none[] = { 0 };
    body = aml_new();
    aml_append(body, aml_name_decl("PRR0", ext_irq_template(none, 1)));
    aml_append(body, aml_create_dword_field(aml_name("PRR0"), aml_int(5),
                                            "PRRI"));
    then = aml_new();
    aml_append(then, aml_and(aml_arg(0), aml_int(0x0f), aml_name("PRRI")));
    aml_append(body, aml_if(aml_lless(aml_arg(0), aml_int(0x80)), then));
    aml_append(body, aml_return(aml_name("PRR0")));
    aml_append(sb, aml_method("IQCR", 1, true, body));

    Aml *pci = aml_new();
    aml_append(pci, aml_name_decl("_HID", aml_eisaid("PNP0A03")));
    aml_append(pci, aml_name_decl("_ADR", aml_int(0)));
    aml_append(pci, aml_name_decl("_UID", aml_int(0)));
    aml_append(pci, aml_name_decl("_CRS", pci0_crs(cfg)));
    aml_append(pci, pci0_prt());

    Aml *isa = aml_new();
    aml_append(isa, aml_name_decl("_ADR", aml_int(0x00010000)));
    aml_append(isa, aml_operation_region("P40C", AML_REGION_PCI_CONFIG,
                                         PIIX_PIRQRC, PIIX_NUM_PIRQS));
    static const char *const prq[] = { "PRQ0", "PRQ1", "PRQ2", "PRQ3" };
    aml_append(isa, aml_field_bytes("P40C", prq, PIIX_NUM_PIRQS));
    aml_append(pci, aml_device("ISA", isa));
    aml_append(sb, aml_device("PCI0", pci));

    for (int n = 0; n < PIIX_NUM_PIRQS; n++) {
        aml_append(sb, link_device(n));
    }
    aml_append(sb, sci_link_device());
    aml_append(dsdt, aml_scope("\\_SB", sb));
}
