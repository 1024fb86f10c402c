/*
 * MP tables (MP spec 1.4) as an OS reads them: the floating pointer's
 * signature, checksum and table address; the configuration table's
 * checksum, length and entry count; then every entry walked by type and
 * size as Linux's mpparse does. Bad configs and small buffers give 0.
 */
#include "hw/i386/mptable.h"
#include "util/ldst.h"

#include <glib.h>
#include <string.h>

#define BASE 0xf0000u

static uint8_t sum(const uint8_t *p, size_t len)
{
    uint8_t s = 0;
    for (size_t i = 0; i < len; i++) {
        s += p[i];
    }
    return s;
}

typedef struct Parsed {
    unsigned cpus, bsp_count, buses, ioapics, ioints, lints;
    uint8_t cpu_ids[256];
    char bus_types[2][7];
    uint8_t ioapic_id;
    uint32_t ioapic_addr, lapic_addr;
    int isa_intin[16];          /* -1: no entry */
    uint16_t isa_flags[16];
    bool extint_on_intin0, lint0_extint, lint1_nmi;
    uint8_t pci_src[128], pci_intin[128];
    uint16_t pci_flags[128];
    unsigned pci_count;
} Parsed;

static void parse(const uint8_t *buf, size_t len, Parsed *p)
{
    memset(p, 0, sizeof(*p));
    for (int i = 0; i < 16; i++) {
        p->isa_intin[i] = -1;
    }
    g_assert_cmpmem(buf, 4, "_MP_", 4);
    g_assert_cmpuint(buf[8], ==, 1);
    g_assert_cmpuint(buf[9], ==, 4);
    g_assert_cmpuint(sum(buf, 16), ==, 0);
    g_assert_cmpuint(buf[11], ==, 0);      /* feature 1: table present */
    uint32_t table = ldl_le_p(buf + 4);
    g_assert_cmpuint(table, >=, BASE + 16);
    const uint8_t *h = buf + (table - BASE);
    g_assert_cmpmem(h, 4, "PCMP", 4);
    uint16_t tlen = lduw_le_p(h + 4);
    g_assert_cmpuint((h - buf) + tlen, ==, len);
    g_assert_cmpuint(h[6], ==, 4);
    g_assert_cmpuint(sum(h, tlen), ==, 0);
    p->lapic_addr = ldl_le_p(h + 36);
    unsigned count = lduw_le_p(h + 34);
    const uint8_t *e = h + 44, *end = h + tlen;
    int isa_bus = -1, pci_bus = -1;

    for (unsigned i = 0; i < count; i++) {
        g_assert_true(e < end);
        switch (e[0]) {
        case 0:
            g_assert_true(e[3] & 1);
            if (e[3] & 2) {
                p->bsp_count++;
            }
            g_assert_cmpuint(p->cpus, <, G_N_ELEMENTS(p->cpu_ids));
            p->cpu_ids[p->cpus++] = e[1];
            e += 20;
            break;
        case 1:
            memcpy(p->bus_types[p->buses++ & 1], e + 2, 6);
            if (!memcmp(e + 2, "ISA   ", 6)) {
                isa_bus = e[1];
            } else if (!memcmp(e + 2, "PCI   ", 6)) {
                pci_bus = e[1];
            }
            e += 8;
            break;
        case 2:
            p->ioapics++;
            p->ioapic_id = e[1];
            g_assert_true(e[3] & 1);
            p->ioapic_addr = ldl_le_p(e + 4);
            e += 8;
            break;
        case 3:
            p->ioints++;
            g_assert_cmpuint(e[6], ==, p->ioapic_id);
            if (e[1] == 3 && e[4] == isa_bus && e[7] == 0) {
                p->extint_on_intin0 = true;
            } else if (e[1] == 0 && e[4] == isa_bus && e[5] < 16) {
                p->isa_intin[e[5]] = e[7];
                p->isa_flags[e[5]] = lduw_le_p(e + 2);
            } else if (e[1] == 0 && e[4] == pci_bus && p->pci_count < 128) {
                p->pci_src[p->pci_count] = e[5];
                p->pci_flags[p->pci_count] = lduw_le_p(e + 2);
                p->pci_intin[p->pci_count++] = e[7];
            }
            e += 8;
            break;
        case 4:
            p->lints++;
            g_assert_cmpuint(e[6], ==, 0xff);
            if (e[1] == 3 && e[7] == 0) {
                p->lint0_extint = true;
            }
            if (e[1] == 1 && e[7] == 1) {
                p->lint1_nmi = true;
            }
            e += 8;
            break;
        default:
            g_assert_not_reached();
        }
    }
    g_assert_true(e == end);
}

static void test_pc_layout(void)
{
    static const uint8_t ids[] = { 0, 1, 2, 4 };
    MPTableConfig cfg = {
        .num_cpus = 4, .apic_ids = ids, .lapic_addr = 0xfee00000,
        .ioapic_id = 4, .ioapic_addr = 0xfec00000, .has_pci = true,
    };
    uint8_t buf[4096];
    Parsed p;

    size_t len = mptable_build(buf, sizeof(buf), BASE, &cfg);
    g_assert_cmpuint(len, >, 0);
    parse(buf, len, &p);
    g_assert_cmpuint(p.cpus, ==, 4);
    g_assert_cmpuint(p.bsp_count, ==, 1);
    g_assert_cmpuint(p.cpu_ids[3], ==, 4);
    g_assert_cmpuint(p.buses, ==, 2);
    g_assert_cmpuint(p.ioapics, ==, 1);
    g_assert_cmpuint(p.ioapic_id, ==, 4);
    g_assert_cmphex(p.ioapic_addr, ==, 0xfec00000);
    g_assert_cmphex(p.lapic_addr, ==, 0xfee00000);
    g_assert_false(p.extint_on_intin0);   /* the 8259 reaches LINT0 only */
    g_assert_cmpint(p.isa_intin[0], ==, 2);           /* as the MADT's ISO */
    g_assert_cmpint(p.isa_intin[2], ==, -1);          /* the cascade */
    for (int irq = 1; irq < 16; irq++) {
        if (irq != 2) {
            g_assert_cmpint(p.isa_intin[irq], ==, irq);
        }
    }
    g_assert_true(p.lint0_extint);
    g_assert_true(p.lint1_nmi);
    g_assert_cmpuint(p.pci_count, ==, 0);
}

static void test_pci_irq_entries(void)
{
    static const uint8_t ids[] = { 0 };
    static const MPTablePciIrq irqs[] = { { 3, 0, 11 }, { 31, 3, 19 } };
    MPTableConfig cfg = {
        .num_cpus = 1, .apic_ids = ids, .lapic_addr = 0xfee00000,
        .ioapic_id = 1, .ioapic_addr = 0xfec00000, .has_pci = true,
        .num_pci_irqs = 2, .pci_irqs = irqs,
    };
    uint8_t buf[1024];
    Parsed p;

    size_t len = mptable_build(buf, sizeof(buf), BASE, &cfg);
    parse(buf, len, &p);
    g_assert_cmpuint(p.pci_count, ==, 2);
    g_assert_cmphex(p.pci_src[0], ==, 3 << 2);
    g_assert_cmpuint(p.pci_intin[0], ==, 11);
    g_assert_cmphex(p.pci_src[1], ==, (31 << 2) | 3);
    g_assert_cmpuint(p.pci_intin[1], ==, 19);
    g_assert_cmphex(p.pci_flags[0], ==, 0xd);        /* level, active high */
}

/*
 * PIRQ routing as a PC firmware programs it (A, B -> IRQ 10; C, D -> 11):
 * every slot 1-31 and pin, through the PIIX3 wiring (slot + pin - 1) mod
 * 4, to the IOAPIC input of the routed IRQ (01.3's INTA, the PM's SCI,
 * to IRQ 9); the ISA entries of 10 and 11
 * turn level/high like the SCI's. Too many CPUs: the PCI entries go, the
 * table stays.
 */
static void test_pirq_routing(void)
{
    static const uint8_t ids[150] = { 0 };
    static const uint8_t pirqs[4] = { 10, 10, 11, 11 };
    MPTableConfig cfg = {
        .num_cpus = 2, .apic_ids = ids, .lapic_addr = 0xfee00000,
        .ioapic_id = 2, .ioapic_addr = 0xfec00000, .has_pci = true,
        .pirq_irqs = pirqs,
    };
    uint8_t buf[4096];
    Parsed p;

    parse(buf, mptable_build(buf, sizeof(buf), BASE, &cfg), &p);
    g_assert_cmpuint(p.pci_count, ==, 31 * 4);
    for (unsigned i = 0; i < p.pci_count; i++) {
        unsigned slot = p.pci_src[i] >> 2, pin = p.pci_src[i] & 3;
        g_assert_cmpuint(slot, ==, 1 + i / 4);
        g_assert_cmpuint(pin, ==, i % 4);
        g_assert_cmpuint(p.pci_intin[i], ==, slot == 1 && pin == 0 ? 9 :
                         pirqs[(slot + pin - 1) & 3]);
        g_assert_cmphex(p.pci_flags[i], ==, 0xd);
    }
    /* 02.0 INTA is PIRQB (IRQ 10); 03.0 INTA is PIRQC (IRQ 11) */
    g_assert_cmphex(p.pci_src[4], ==, 2 << 2);
    g_assert_cmpuint(p.pci_intin[4], ==, 10);
    g_assert_cmpuint(p.pci_intin[8], ==, 11);
    g_assert_cmphex(p.isa_flags[10], ==, 0xd);
    g_assert_cmphex(p.isa_flags[11], ==, 0xd);
    g_assert_cmphex(p.isa_flags[9], ==, 0xd);
    g_assert_cmphex(p.isa_flags[5], ==, 0);
    g_assert_cmpint(p.isa_intin[10], ==, 10);

    /* a disabled PIRQ (0x80) or one routed to the cascade: no entries */
    static const uint8_t some[4] = { 0x80, 10, 2, 11 };
    cfg.pirq_irqs = some;
    parse(buf, mptable_build(buf, sizeof(buf), BASE, &cfg), &p);
    g_assert_cmpuint(p.pci_count, ==, 31 * 2 + 1);      /* + 01.3 INTA */
    g_assert_cmphex(p.isa_flags[11], ==, 0xd);

    cfg.pirq_irqs = pirqs;
    cfg.num_cpus = 150;
    size_t len = mptable_build(buf, sizeof(buf), BASE, &cfg);
    g_assert_cmpuint(len, >, 0);
    parse(buf, len, &p);
    g_assert_cmpuint(p.cpus, ==, 150);
    g_assert_cmpuint(p.pci_count, ==, 0);
    g_assert_cmphex(p.isa_flags[10], ==, 0);
}

static void test_no_pci_bus(void)
{
    static const uint8_t ids[] = { 0 };
    static const MPTablePciIrq irqs[] = { { 3, 0, 11 } };
    MPTableConfig cfg = {
        .num_cpus = 1, .apic_ids = ids, .ioapic_id = 1,
        .num_pci_irqs = 1, .pci_irqs = irqs,
    };
    uint8_t buf[1024];
    Parsed p;

    parse(buf, mptable_build(buf, sizeof(buf), BASE, &cfg), &p);
    g_assert_cmpuint(p.buses, ==, 1);
    g_assert_cmpmem(p.bus_types[0], 6, "ISA   ", 6);
    g_assert_cmpuint(p.pci_count, ==, 0);
}

static void test_bad_configs(void)
{
    static const uint8_t ids[255] = { 0 };
    MPTableConfig cfg = { .num_cpus = 0, .apic_ids = ids };
    uint8_t buf[4096];

    g_assert_cmpuint(mptable_build(buf, sizeof(buf), BASE, &cfg), ==, 0);
    cfg.num_cpus = 1;
    cfg.apic_ids = NULL;
    g_assert_cmpuint(mptable_build(buf, sizeof(buf), BASE, &cfg), ==, 0);
    cfg.apic_ids = ids;
    /* every size short of the whole table is refused, never overrun */
    size_t need = mptable_build(buf, sizeof(buf), BASE, &cfg);
    g_assert_cmpuint(need, >, 0);
    for (size_t n = 0; n < need; n++) {
        g_autofree uint8_t *small = g_malloc(n ? n : 1);
        g_assert_cmpuint(mptable_build(small, n, BASE, &cfg), ==, 0);
    }
    cfg.num_cpus = 255;
    g_assert_cmpuint(mptable_build(buf, 1024, BASE, &cfg), ==, 0);
    g_autofree uint8_t *big = g_malloc(8192);
    g_assert_cmpuint(mptable_build(big, 8192, BASE, &cfg), >, 5100);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mptable/pc-layout", test_pc_layout);
    g_test_add_func("/mptable/pci-irq-entries", test_pci_irq_entries);
    g_test_add_func("/mptable/pirq-routing", test_pirq_routing);
    g_test_add_func("/mptable/no-pci-bus", test_no_pci_bus);
    g_test_add_func("/mptable/bad-configs", test_bad_configs);
    return g_test_run();
}
