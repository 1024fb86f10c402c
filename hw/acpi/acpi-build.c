/*
 * Build the pc board's ACPI tables (ACPI 6.5 spec, chapter 5): RSDP 1.0,
 * RSDT, FADT revision 1 (116 bytes: enough for Linux and SeaBIOS-era
 * OSes), FACS, a DSDT whose AML defines \_S5 (sleep type 0, matching
 * acpi-pm.c), a MADT (local APIC per CPU, IOAPIC, IRQ0->GSI2 override,
 * optionally the SCI and, with PCI, the links' IRQs 5/10/11 as
 * level/active-high, as QEMU's) when the board has APICs, and
 * an HPET table (IA-PC HPET spec 1.0a) when it has an HPET.
 * With cfg->has_pci the DSDT also describes \_SB.PCI0, its windows, _PRT
 * and the PIRQ interrupt links (hw/acpi/acpi-pci.c); the ISA devices and
 * the HPET the config lists are described too (hw/acpi/acpi-isa.c), and
 * with a MADT one processor device per CPU (hw/acpi/acpi-cpu.c).
 * Left out: XSDT/RSDP 2.0.
 */
#include "hw/acpi/acpi-build.h"
#include "util/ldst.h"
#include "hw/acpi/acpi-pm.h"
#include "hw/acpi/aml.h"

#include <string.h>

#define ACPI_HEADER_SIZE 36
#define ACPI_HPET_LEN 56

uint8_t acpi_checksum(const uint8_t *data, size_t len)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++) {
        sum += data[i];
    }
    return sum;
}

typedef struct TableBuf {
    uint8_t *buf;
    size_t size;
    size_t used;
    uint32_t base;
    bool overflow;
} TableBuf;

static uint8_t *tb_alloc(TableBuf *t, size_t len, size_t align)
{
    size_t start = (t->used + align - 1) & ~(align - 1);
    if (start + len > t->size) {
        t->overflow = true;
        return NULL;
    }
    t->used = start + len;
    memset(t->buf + start, 0, len);
    return t->buf + start;
}

static uint32_t tb_addr(TableBuf *t, const uint8_t *p)
{
    return t->base + (uint32_t)(p - t->buf);
}

static void header(uint8_t *p, const char *sig, uint32_t len, uint8_t rev)
{
    memcpy(p, sig, 4);
    stl_le_p(p + 4, len);
    p[8] = rev;
    memcpy(p + 10, "KVMU  ", 6);
    memcpy(p + 16, "KVMUPC  ", 8);
    stl_le_p(p + 24, 1);
    memcpy(p + 28, "KVMU", 4);
    stl_le_p(p + 32, 1);
}

static void finish(uint8_t *p, uint32_t len)
{
    p[9] = 0;
    p[9] = -acpi_checksum(p, len);
}

/* The ISA IRQs the DSDT's PCI links offer (acpi-pci.c's _PRS). */
static const uint8_t pci_link_irqs[] = { 5, 10, 11 };

/* DSDT body: DefinitionBlock contents as AML bytes. */
static const uint8_t dsdt_aml[] = {
    /* Name (_S5, Package (4) { 0, 0, 0, 0 }) */
    0x08, '_', 'S', '5', '_',
    0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00,
};

size_t acpi_build_tables(uint8_t *buf, size_t buf_size, uint32_t base,
                         const AcpiBuildConfig *cfg)
{
    TableBuf t = { .buf = buf, .size = buf_size, .base = base };
    g_autoptr(GByteArray) aml = g_byte_array_new();
    g_byte_array_append(aml, dsdt_aml, sizeof(dsdt_aml));
    if (cfg->has_pci) {
        acpi_dsdt_add_pci(aml, cfg);
    }
    acpi_dsdt_add_isa(aml, cfg);
    if (cfg->num_cpus) {
        acpi_dsdt_add_cpus(aml, cfg);
    }
    if (cfg->fw_cfg_port) {
        acpi_dsdt_add_fw_cfg(aml, cfg->fw_cfg_port);
    }

    uint8_t *rsdp = tb_alloc(&t, 20, 16);
    uint8_t *facs = tb_alloc(&t, 64, 64);
    uint32_t dsdt_len = ACPI_HEADER_SIZE + aml->len;
    uint8_t *dsdt = tb_alloc(&t, dsdt_len, 8);
    uint8_t *fadt = tb_alloc(&t, 116, 8);
    uint32_t madt_len = 0;
    uint8_t *madt = NULL;
    if (cfg->num_cpus) {
        madt_len = ACPI_HEADER_SIZE + 8 + 8 * cfg->num_cpus +
                   (cfg->has_ioapic ? 12 + 10 : 0) +
                   (cfg->has_ioapic && cfg->sci_override ? 10 : 0) +
                   (cfg->has_ioapic && cfg->has_pci ?
                    10 * G_N_ELEMENTS(pci_link_irqs) : 0);
        madt = tb_alloc(&t, madt_len, 8);
    }
    uint8_t *hpet = cfg->has_hpet ? tb_alloc(&t, ACPI_HPET_LEN, 8) : NULL;
    unsigned n_tables = 1 + (madt ? 1 : 0) + (hpet ? 1 : 0);
    uint32_t rsdt_len = ACPI_HEADER_SIZE + 4 * n_tables;
    uint8_t *rsdt = tb_alloc(&t, rsdt_len, 8);
    if (t.overflow) {
        return 0;
    }

    memcpy(facs, "FACS", 4);
    stl_le_p(facs + 4, 64);

    header(dsdt, "DSDT", dsdt_len, 1);
    memcpy(dsdt + ACPI_HEADER_SIZE, aml->data, aml->len);
    finish(dsdt, dsdt_len);

    header(fadt, "FACP", 116, 1);
    stl_le_p(fadt + 36, tb_addr(&t, facs));
    stl_le_p(fadt + 40, tb_addr(&t, dsdt));
    stw_le_p(fadt + 46, ACPI_SCI_IRQ);
    stl_le_p(fadt + 56, ACPI_PM1_EVT);
    stl_le_p(fadt + 64, ACPI_PM1_CNT);
    stl_le_p(fadt + 76, ACPI_PM_TMR);
    stl_le_p(fadt + 80, ACPI_GPE0);
    fadt[88] = 4;            /* PM1_EVT_LEN */
    fadt[89] = 2;            /* PM1_CNT_LEN */
    fadt[91] = 4;            /* PM_TMR_LEN */
    fadt[92] = 4;            /* GPE0_BLK_LEN */
    stw_le_p(fadt + 96, 0xfff); /* no C2 */
    stw_le_p(fadt + 98, 0xfff); /* no C3 */
    fadt[108] = 0x32;        /* RTC century index */
    /* WBINVD | PROC_C1 | SLP_BUTTON (none) | RTC_S4 */
    stl_le_p(fadt + 112, (1 << 0) | (1 << 2) | (1 << 5) | (1 << 7));
    finish(fadt, 116);

    if (madt) {
        header(madt, "APIC", madt_len, 1);
        stl_le_p(madt + 36, cfg->lapic_addr);
        stl_le_p(madt + 40, 1);             /* PCAT_COMPAT: has 8259s */
        uint8_t *e = madt + 44;
        for (unsigned i = 0; i < cfg->num_cpus; i++, e += 8) {
            e[0] = 0;                    /* processor local APIC */
            e[1] = 8;
            e[2] = i;                    /* ACPI processor UID */
            e[3] = cfg->apic_ids ? cfg->apic_ids[i] : i;   /* APIC ID */
            stl_le_p(e + 4, 1);             /* enabled */
        }
        if (cfg->has_ioapic) {
            e[0] = 1;                    /* I/O APIC */
            e[1] = 12;
            e[2] = cfg->num_cpus;        /* its APIC ID */
            stl_le_p(e + 4, cfg->ioapic_addr);
            stl_le_p(e + 8, 0);             /* GSI base */
            e += 12;
            e[0] = 2;                    /* interrupt source override */
            e[1] = 10;
            e[2] = 0;                    /* ISA bus */
            e[3] = 0;                    /* IRQ0 */
            stl_le_p(e + 4, 2);             /* -> GSI2 */
            stw_le_p(e + 8, 0);             /* conforms to bus */
            e += 10;
            /* level, active high: the SCI, and the IRQs the PCI links
             * may route to (their _PRS), as QEMU's MADT has them */
            for (unsigned irq = 1; irq < 16; irq++) {
                bool pci = cfg->has_pci &&
                           memchr(pci_link_irqs, irq, sizeof(pci_link_irqs));
                if (pci || (irq == ACPI_SCI_IRQ && cfg->sci_override)) {
                    e[0] = 2;
                    e[1] = 10;
                    e[2] = 0;
                    e[3] = irq;
                    stl_le_p(e + 4, irq);
                    stw_le_p(e + 8, 0x000d);
                    e += 10;
                }
            }
        }
        finish(madt, madt_len);
    }

    if (hpet) {
        header(hpet, "HPET", ACPI_HPET_LEN, 1);
        /* event timer block ID = the HPET's capabilities register low
         * half: vendor 8086, legacy route capable, 64-bit, 3 timers */
        stl_le_p(hpet + 36, 0x8086a201);
        hpet[40] = 0;                    /* GAS: system memory */
        hpet[41] = 64;                   /* register width */
        hpet[42] = 0;
        hpet[43] = 0;
        stl_le_p(hpet + 44, cfg->hpet_addr);
        stl_le_p(hpet + 48, 0);
        hpet[52] = 0;                    /* HPET number */
        stw_le_p(hpet + 53, 128);           /* minimum periodic tick */
        hpet[55] = 0;                    /* no page protection */
        finish(hpet, ACPI_HPET_LEN);
    }

    header(rsdt, "RSDT", rsdt_len, 1);
    stl_le_p(rsdt + ACPI_HEADER_SIZE, tb_addr(&t, fadt));
    unsigned slot = 1;
    if (madt) {
        stl_le_p(rsdt + ACPI_HEADER_SIZE + 4 * slot++, tb_addr(&t, madt));
    }
    if (hpet) {
        stl_le_p(rsdt + ACPI_HEADER_SIZE + 4 * slot++, tb_addr(&t, hpet));
    }
    finish(rsdt, rsdt_len);

    memcpy(rsdp, "RSD PTR ", 8);
    memcpy(rsdp + 9, "KVMU  ", 6);
    rsdp[15] = 0;            /* ACPI 1.0 RSDP */
    stl_le_p(rsdp + 16, tb_addr(&t, rsdt));
    rsdp[8] = -acpi_checksum(rsdp, 20);
    return t.used;
}
