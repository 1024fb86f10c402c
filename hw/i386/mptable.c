/*
 * MP tables, Intel MultiProcessor Specification 1.4 (May 1997), chapter 4:
 * the 16-byte floating pointer ("_MP_", 4.1) and the base configuration
 * table ("PCMP", 4.2) with processor (4.3.1), bus (4.3.2), I/O APIC
 * (4.3.3), I/O interrupt assignment (4.3.4) and local interrupt
 * assignment (4.3.5) entries, in the spec's order. The PC layout it
 * describes is the one the ACPI MADT describes: ISA IRQ0 on INTIN2, the
 * other ISA IRQs identity-mapped, the 8259 as ExtINT on LINT0 (not on an
 * IOAPIC input: the board has no such wire) and LINT1 NMI on every local
 * APIC. PCI INTx (with cfg->pirq_irqs):
 * each slot's pins through the PIIX3 PIRQ links to the ISA IRQ, and so
 * the IOAPIC input, the board routed that PIRQ to (level, active high);
 * 01.3's INTA is the PIIX4 PM's SCI, on IRQ 9 (the DSDT's LNKS).
 * Left out: the extended table (no system address space or bus hierarchy
 * entries) and the IMCR.
 */
#include "hw/i386/mptable.h"
#include "hw/acpi/acpi-pm.h"
#include "hw/pci-host/i440fx.h"

#include <string.h>

#define MP_SPEC_REV 4              /* 1.4 */
#define MP_LAPIC_VERSION 0x14
#define MP_IOAPIC_VERSION 0x11
#define MP_CPU_SIGNATURE 0x000600  /* family 6 */
#define MP_CPU_FEATURES 0x0201     /* FPU, APIC (CPUID.1:EDX) */

enum {
    MP_ENTRY_PROCESSOR = 0,
    MP_ENTRY_BUS = 1,
    MP_ENTRY_IOAPIC = 2,
    MP_ENTRY_IOINT = 3,
    MP_ENTRY_LINT = 4,
};

enum { MP_INT = 0, MP_NMI = 1, MP_SMI = 2, MP_EXTINT = 3 };

/* interrupt flags: polarity bits 1:0, trigger bits 3:2 (0 = conforming) */
#define MP_POLARITY_HIGH 0x1
#define MP_POLARITY_LOW 0x3
#define MP_TRIGGER_EDGE (0x1 << 2)
#define MP_TRIGGER_LEVEL (0x3 << 2)

#define MP_FLOATING_SIZE 16
#define MP_HEADER_SIZE 44

typedef struct MPWriter {
    uint8_t *buf;
    size_t size, pos;
    bool overflow;
    unsigned entries;
} MPWriter;

static void put(MPWriter *w, const void *data, size_t len)
{
    if (w->overflow || len > w->size - w->pos) {
        w->overflow = true;
        return;
    }
    memcpy(w->buf + w->pos, data, len);
    w->pos += len;
}

static void put8(MPWriter *w, uint8_t v)
{
    put(w, &v, 1);
}

static void put16(MPWriter *w, uint16_t v)
{
    uint8_t b[2] = { v, v >> 8 };
    put(w, b, 2);
}

static void put32(MPWriter *w, uint32_t v)
{
    uint8_t b[4] = { v, v >> 8, v >> 16, v >> 24 };
    put(w, b, 4);
}

static void set16(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static void set32(uint8_t *p, uint32_t v)
{
    set16(p, v);
    set16(p + 2, v >> 16);
}

static uint8_t checksum(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++) {
        sum += p[i];
    }
    return (uint8_t)-sum;
}

static void put_bus(MPWriter *w, uint8_t id, const char type[7])
{
    put8(w, MP_ENTRY_BUS);
    put8(w, id);
    put(w, type, 6);
    w->entries++;
}

static void put_ioint(MPWriter *w, uint8_t type, uint16_t flags, uint8_t bus,
                      uint8_t irq, uint8_t ioapic, uint8_t intin)
{
    put8(w, MP_ENTRY_IOINT);
    put8(w, type);
    put16(w, flags);
    put8(w, bus);
    put8(w, irq);
    put8(w, ioapic);
    put8(w, intin);
    w->entries++;
}

static void put_lint(MPWriter *w, uint8_t type, uint8_t lintin)
{
    put8(w, MP_ENTRY_LINT);
    put8(w, type);
    put16(w, 0);                       /* conforming */
    put8(w, MPTABLE_BUS_ISA);
    put8(w, 0);
    put8(w, 0xff);                     /* every local APIC */
    put8(w, lintin);
    w->entries++;
}

static size_t mptable_build_one(uint8_t *buf, size_t size, uint32_t base,
                                const MPTableConfig *cfg, bool pirq_slots)
{
    MPWriter w = { .buf = buf, .size = size };
    uint16_t pci_isa = 0;              /* ISA IRQs PCI INTx are routed to */
    static const uint8_t zero[MP_HEADER_SIZE];
    size_t table;

    if (!cfg->num_cpus || !cfg->apic_ids) {
        return 0;
    }
    /* floating pointer, completed once the table is written */
    put(&w, zero, MP_FLOATING_SIZE);
    table = w.pos;
    put(&w, zero, MP_HEADER_SIZE);

    for (unsigned i = 0; i < cfg->num_cpus; i++) {
        put8(&w, MP_ENTRY_PROCESSOR);
        put8(&w, cfg->apic_ids[i]);
        put8(&w, MP_LAPIC_VERSION);
        put8(&w, 0x01 | (i == 0 ? 0x02 : 0));  /* enabled, BSP */
        put32(&w, MP_CPU_SIGNATURE);
        put32(&w, MP_CPU_FEATURES);
        put32(&w, 0);
        put32(&w, 0);
        w.entries++;
    }
    if (cfg->has_pci) {
        put_bus(&w, MPTABLE_BUS_PCI, "PCI   ");
    }
    put_bus(&w, MPTABLE_BUS_ISA, "ISA   ");

    put8(&w, MP_ENTRY_IOAPIC);
    put8(&w, cfg->ioapic_id);
    put8(&w, MP_IOAPIC_VERSION);
    put8(&w, 0x01);                    /* enabled */
    put32(&w, cfg->ioapic_addr);
    w.entries++;

    for (int i = 0; pirq_slots && i < PIIX_NUM_PIRQS; i++) {
        if (cfg->pirq_irqs[i] < 16) {
            pci_isa |= 1u << cfg->pirq_irqs[i];
        }
    }
    /* ISA IRQs as the MADT maps them. No ExtINT entry for INTIN0: the
     * board does not wire the 8259's output there (only to LINT0), and
     * Linux warns "ExtINT not setup in hardware but reported by MP table"
     * if one is listed (SeaBIOS's tables for QEMU list none either). */
    for (unsigned irq = 0; irq < 16; irq++) {
        if (irq == 2) {
            continue;                  /* the cascade: no ISA device */
        }
        uint16_t flags = irq == 9 || (pci_isa & (1u << irq))
                         ? MP_POLARITY_HIGH | MP_TRIGGER_LEVEL : 0;
        put_ioint(&w, MP_INT, flags, MPTABLE_BUS_ISA, irq, cfg->ioapic_id,
                  irq == 0 ? 2 : irq);
    }
    for (unsigned i = 0; cfg->has_pci && i < cfg->num_pci_irqs; i++) {
        const MPTablePciIrq *p = &cfg->pci_irqs[i];
        /* PCI source irq: bits 6:2 device, 1:0 pin (spec 4.3.4 note) */
        put_ioint(&w, MP_INT, MP_POLARITY_HIGH | MP_TRIGGER_LEVEL,
                  MPTABLE_BUS_PCI, (uint8_t)(((p->slot & 0x1f) << 2) |
                                             (p->pin & 3)),
                  cfg->ioapic_id, p->intin);
    }
    /* every slot's INTA-D through the PIRQ it is wired to (slot 0, the
     * host bridge, has no INTx) */
    for (unsigned slot = 1; pirq_slots && slot < 32; slot++) {
        for (unsigned pin = 0; pin < PCI_NUM_PINS; pin++) {
            uint8_t irq = cfg->pirq_irqs[i440fx_slot_pirq(slot, pin)];
            if (slot == 1 && pin == 0) {
                irq = ACPI_SCI_IRQ;    /* 01.3's INTA: the PM's SCI */
            }
            if (irq < 16 && irq != 2) {
                put_ioint(&w, MP_INT, MP_POLARITY_HIGH | MP_TRIGGER_LEVEL,
                          MPTABLE_BUS_PCI, (uint8_t)((slot << 2) | pin),
                          cfg->ioapic_id, irq);
            }
        }
    }
    put_lint(&w, MP_EXTINT, 0);
    put_lint(&w, MP_NMI, 1);

    if (w.overflow || w.pos - table > UINT16_MAX) {
        return 0;
    }

    uint8_t *h = buf + table;
    memcpy(h, "PCMP", 4);
    set16(h + 4, (uint16_t)(w.pos - table));
    h[6] = MP_SPEC_REV;
    memcpy(h + 8, "KVMU    ", 8);               /* OEM ID */
    memcpy(h + 16, "PC          ", 12);         /* product ID */
    set16(h + 34, (uint16_t)w.entries);
    set32(h + 36, cfg->lapic_addr);
    h[7] = checksum(h, w.pos - table);

    uint8_t *f = buf;
    memcpy(f, "_MP_", 4);
    set32(f + 4, base + (uint32_t)table);
    f[8] = 1;                                    /* length in 16 bytes */
    f[9] = MP_SPEC_REV;
    f[10] = checksum(f, MP_FLOATING_SIZE);
    return w.pos;
}

size_t mptable_build(uint8_t *buf, size_t size, uint32_t base,
                     const MPTableConfig *cfg)
{
    bool pirq_slots = cfg->has_pci && cfg->pirq_irqs;
    size_t len = mptable_build_one(buf, size, base, cfg, pirq_slots);
    if (!len && pirq_slots) {
        /* too many CPUs for both: the CPUs matter more */
        len = mptable_build_one(buf, size, base, cfg, false);
    }
    return len;
}
