/*
 * The AML encoder (hw/acpi/aml.c) and the pc DSDT's PCI part: package
 * lengths at their 1/2/3-byte boundaries, name strings (root, parent,
 * dual, multi), integer widths, EISA ids, and a DSDT that carries
 * \_SB.PCI0, the links and a checksum that sums to zero; the ISA devices
 * (RTC, keyboard, mouse, COMn, pvpanic) and the HPET byte for byte, each
 * only when the config has it. With KVMU_DUMP_DSDT=file (and
 * KVMU_DUMP_DSDT_ISA=file for the one with every device) the DSDT is
 * written out (for iasl -d).
 */
#include "hw/acpi/acpi-build.h"
#include "hw/acpi/aml.h"

#include <stdio.h>
#include <string.h>

static void check_bytes(Aml *a, const uint8_t *want, size_t len)
{
    g_assert_cmpmem(a->data, a->len, want, len);
    aml_free(a);
}

static void test_integers(void)
{
    check_bytes(aml_int(0), (const uint8_t[]){ 0x00 }, 1);
    check_bytes(aml_int(1), (const uint8_t[]){ 0x01 }, 1);
    check_bytes(aml_int(0xff), (const uint8_t[]){ 0x0a, 0xff }, 2);
    check_bytes(aml_int(0x100), (const uint8_t[]){ 0x0b, 0x00, 0x01 }, 3);
    check_bytes(aml_int(0x12345678),
                (const uint8_t[]){ 0x0c, 0x78, 0x56, 0x34, 0x12 }, 5);
    check_bytes(aml_int(0x100000000ull),
                (const uint8_t[]){ 0x0e, 0, 0, 0, 0, 1, 0, 0, 0 }, 9);
}

static void test_names(void)
{
    check_bytes(aml_name("_HID"), (const uint8_t *)"_HID", 4);
    check_bytes(aml_name("ISA"), (const uint8_t *)"ISA_", 4);
    check_bytes(aml_name("\\_SB"), (const uint8_t *)"\\_SB_", 5);
    check_bytes(aml_name("^PCI0"), (const uint8_t *)"^PCI0", 5);
    check_bytes(aml_name("\\_SB.PCI0"),
                (const uint8_t *)"\\\x2e_SB_PCI0", 10);
    check_bytes(aml_name("\\_SB.PCI0.ISA"),
                (const uint8_t *)"\\\x2f\x03_SB_PCI0ISA_", 15);
    check_bytes(aml_name("\\"), (const uint8_t[]){ 0x5c, 0x00 }, 2);
    /* EisaId("PNP0A03") is 0x030AD041 */
    check_bytes(aml_eisaid("PNP0A03"),
                (const uint8_t[]){ 0x0c, 0x41, 0xd0, 0x0a, 0x03 }, 5);
}

/* Scope's PkgLength counts itself, the name and the body. */
static void check_pkglen(size_t body_len, const uint8_t *want, size_t n)
{
    Aml *body = aml_new();
    for (size_t i = 0; i < body_len; i++) {
        aml_append_bytes(body, "\xa3", 1);     /* Noop */
    }
    Aml *s = aml_scope("ABCD", body);
    g_assert_cmpuint(s->len, ==, 1 + n + 4 + body_len);
    g_assert_cmpmem(s->data + 1, n, want, n);
    aml_free(s);
}

static void test_pkg_length(void)
{
    check_pkglen(0, (const uint8_t[]){ 5 }, 1);
    check_pkglen(58, (const uint8_t[]){ 63 }, 1);
    /* 59 + 4 + 2 = 65 = 0x41: two bytes, low nibble 1, then 0x04 */
    check_pkglen(59, (const uint8_t[]){ 0x41, 0x04 }, 2);
    /* 4089 + 4 + 2 = 4095 fits two bytes; one more needs three (4097) */
    check_pkglen(4089, (const uint8_t[]){ 0x4f, 0xff }, 2);
    check_pkglen(4090, (const uint8_t[]){ 0x81, 0x00, 0x01 }, 3);
}

static void test_dsdt(void)
{
    static uint8_t buf[0x10000];
    AcpiBuildConfig cfg = {
        .num_cpus = 1, .lapic_addr = 0xfee00000, .has_ioapic = true,
        .ioapic_addr = 0xfec00000, .sci_override = true,
        .has_pci = true, .pci_hole_start = 0x20000000,
        .pci_hole64_start = 0x100000000ull, .pci_hole64_size = 32ull << 30,
    };
    size_t len = acpi_build_tables(buf, sizeof(buf), 0xe0000, &cfg);
    g_assert_cmpuint(len, >, 0);
    uint8_t *dsdt = memmem(buf, len, "DSDT", 4);
    g_assert_nonnull(dsdt);
    uint32_t dlen = dsdt[4] | dsdt[5] << 8 | dsdt[6] << 16 |
                    (uint32_t)dsdt[7] << 24;
    g_assert_cmpuint(acpi_checksum(dsdt, dlen), ==, 0);
    g_assert_nonnull(memmem(dsdt, dlen, "PCI0", 4));
    g_assert_nonnull(memmem(dsdt, dlen, "_PRT", 4));
    g_assert_nonnull(memmem(dsdt, dlen, "LNKD", 4));
    /* 01.3's INTA (the PM's SCI) goes to LNKS, fixed on IRQ 9 */
    static const uint8_t prt_01_3[] = { 0x0c, 0xff, 0xff, 0x01, 0x00, 0x00,
                                        '\\', 0x2e, '_', 'S', 'B', '_',
                                        'L', 'N', 'K', 'S', 0x00 };
    g_assert_nonnull(memmem(dsdt, dlen, prt_01_3, sizeof(prt_01_3)));
    static const uint8_t irq9[] = { 0x89, 0x06, 0x00, 0x09, 0x01,
                                    0x09, 0x00, 0x00, 0x00, 0x79, 0x00 };
    g_assert_nonnull(memmem(dsdt, dlen, irq9, sizeof(irq9)));
    /* the MADT: IRQ0 -> GSI2, then IRQs 5, 9 (SCI), 10, 11 level/high,
     * as QEMU's pc MADT has them */
    const uint8_t *madt = memmem(buf, len, "APIC", 4);
    g_assert_nonnull(madt);
    uint32_t mlen = madt[4] | madt[5] << 8;
    g_assert_cmpuint(mlen, ==, 36 + 8 + 8 + 12 + 10 + 4 * 10);
    g_assert_cmpuint(acpi_checksum(madt, mlen), ==, 0);
    static const uint8_t level_irqs[] = { 5, 9, 10, 11 };
    for (int i = 0; i < 4; i++) {
        const uint8_t *o = madt + 36 + 8 + 8 + 12 + 10 + 10 * i;
        g_assert_cmpuint(o[0], ==, 2);
        g_assert_cmpuint(o[3], ==, level_irqs[i]);
        g_assert_cmpuint(o[4], ==, level_irqs[i]);
        g_assert_cmphex(o[8], ==, 0x0d);
    }
    const char *dump = g_getenv("KVMU_DUMP_DSDT");
    if (dump) {
        g_assert(g_file_set_contents(dump, (const char *)dsdt, dlen, NULL));
    }
    /* too small a buffer is refused, not overrun */
    g_assert_cmpuint(acpi_build_tables(buf, 512, 0xe0000, &cfg), ==, 0);
}

/* The DSDT of a built table set (base 0xe0000), its length in *dlen. */
static const uint8_t *build_dsdt(uint8_t *buf, size_t size,
                                 const AcpiBuildConfig *cfg, uint32_t *dlen)
{
    size_t len = acpi_build_tables(buf, size, 0xe0000, cfg);
    g_assert_cmpuint(len, >, 0);
    const uint8_t *fadt = memmem(buf, len, "FACP", 4);
    g_assert_nonnull(fadt);
    uint32_t at = fadt[40] | fadt[41] << 8 | fadt[42] << 16 |
                  (uint32_t)fadt[43] << 24;
    const uint8_t *dsdt = buf + (at - 0xe0000);
    g_assert_cmpmem(dsdt, 4, "DSDT", 4);
    *dlen = dsdt[4] | dsdt[5] << 8 | dsdt[6] << 16 | (uint32_t)dsdt[7] << 24;
    g_assert_cmpuint(acpi_checksum(dsdt, *dlen), ==, 0);
    return dsdt;
}

static bool has_bytes(const uint8_t *p, size_t len, const void *want,
                      size_t n)
{
    return memmem(p, len, want, n) != NULL;
}

#define HAS(p, len, ...)                                                     \
    has_bytes(p, len, (const uint8_t[]){ __VA_ARGS__ },                      \
              sizeof((const uint8_t[]){ __VA_ARGS__ }))

/*
 * The ISA devices and the HPET: exact AML for the mouse, the resource
 * templates of the others byte for byte, and nothing for what the board
 * does not have.
 */
static void test_dsdt_isa(void)
{
    static uint8_t buf[0x10000];
    uint32_t dlen;
    AcpiBuildConfig cfg = {
        .num_cpus = 1, .lapic_addr = 0xfee00000, .has_ioapic = true,
        .ioapic_addr = 0xfec00000, .has_pci = true,
        .pci_hole_start = 0x20000000, .has_hpet = true,
        .hpet_addr = 0xfed00000, .has_rtc = true, .has_i8042 = true,
        .num_serials = 2, .serial = { { 0x3f8, 4 }, { 0x2f8, 3 } },
        .pvpanic_port = 0x505,
    };
    const uint8_t *d = build_dsdt(buf, sizeof(buf), &cfg, &dlen);
    const char *dump = g_getenv("KVMU_DUMP_DSDT_ISA");
    if (dump) {
        g_assert(g_file_set_contents(dump, (const char *)d, dlen, NULL));
    }

    /* Scope (\_SB.PCI0.ISA) holds them */
    g_assert_true(HAS(d, dlen, 0x10));
    g_assert_true(has_bytes(d, dlen, "\\\x2f\x03_SB_PCI0ISA_", 15));
    /* Device (MOU) { _HID PNP0F13, _STA 0x0F, _CRS { IRQNoFlags {12} } } */
    g_assert_true(HAS(d, dlen, 0x5b, 0x82, 0x24, 'M', 'O', 'U', '_',
                      0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0f, 0x13,
                      0x08, '_', 'S', 'T', 'A', 0x0a, 0x0f,
                      0x08, '_', 'C', 'R', 'S', 0x11, 0x08, 0x0a, 0x05,
                      0x22, 0x00, 0x10, 0x79, 0x00));
    /* KBD: IO 0x60, IO 0x64, IRQ 1 */
    g_assert_true(HAS(d, dlen, 0x0c, 0x41, 0xd0, 0x03, 0x03));
    g_assert_true(HAS(d, dlen, 0x47, 0x01, 0x60, 0x00, 0x60, 0x00, 0x01, 0x01,
                      0x47, 0x01, 0x64, 0x00, 0x64, 0x00, 0x01, 0x01,
                      0x22, 0x02, 0x00, 0x79, 0x00));
    /* RTC: PNP0B00, IO 0x70 (8 ports), IRQ 8 */
    g_assert_true(HAS(d, dlen, 0x0c, 0x41, 0xd0, 0x0b, 0x00));
    g_assert_true(HAS(d, dlen, 0x47, 0x01, 0x70, 0x00, 0x70, 0x00, 0x01, 0x08,
                      0x22, 0x00, 0x01, 0x79, 0x00));
    /* COM1 (_UID 1) at 0x3f8 IRQ 4, COM2 (_UID 2) at 0x2f8 IRQ 3 */
    g_assert_true(HAS(d, dlen, 'C', 'O', 'M', '1', 0x08, '_', 'H', 'I', 'D',
                      0x0c, 0x41, 0xd0, 0x05, 0x01,
                      0x08, '_', 'U', 'I', 'D', 0x01));
    g_assert_true(HAS(d, dlen, 0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x00, 0x08,
                      0x22, 0x10, 0x00, 0x79, 0x00));
    g_assert_true(HAS(d, dlen, 'C', 'O', 'M', '2', 0x08, '_', 'H', 'I', 'D',
                      0x0c, 0x41, 0xd0, 0x05, 0x01,
                      0x08, '_', 'U', 'I', 'D', 0x0a, 0x02));
    g_assert_true(HAS(d, dlen, 0x47, 0x01, 0xf8, 0x02, 0xf8, 0x02, 0x00, 0x08,
                      0x22, 0x08, 0x00, 0x79, 0x00));
    g_assert_false(has_bytes(d, dlen, "COM3", 4));
    /* PEVT: _HID "QEMU0001", IO 0x505, SystemIO region at 0x505 */
    g_assert_true(has_bytes(d, dlen, "PEVT\x08_HID\x0dQEMU0001", 18));
    g_assert_true(HAS(d, dlen, 0x47, 0x01, 0x05, 0x05, 0x05, 0x05, 0x01, 0x01,
                      0x79, 0x00));
    g_assert_true(HAS(d, dlen, 0x5b, 0x80, 'P', 'E', 'O', 'R', 0x01,
                      0x0b, 0x05, 0x05, 0x01));
    g_assert_true(has_bytes(d, dlen, "RDPT", 4));
    g_assert_true(has_bytes(d, dlen, "WRPT", 4));
    /* \_SB.HPET: PNP0103, Memory32Fixed(ReadOnly, 0xfed00000, 0x400) */
    g_assert_true(HAS(d, dlen, 0x0c, 0x41, 0xd0, 0x01, 0x03));
    g_assert_true(HAS(d, dlen, 0x86, 0x09, 0x00, 0x00, 0x00, 0x00, 0xd0, 0xfe,
                      0x00, 0x04, 0x00, 0x00, 0x79, 0x00));

    /* a board without them: none of it */
    AcpiBuildConfig bare = cfg;
    bare.has_hpet = bare.has_rtc = bare.has_i8042 = false;
    bare.num_serials = 0;
    bare.pvpanic_port = 0;
    d = build_dsdt(buf, sizeof(buf), &bare, &dlen);
    static const char *const gone[] = { "HPET", "RTC_", "KBD_", "MOU_",
                                        "COM1", "PEVT", "QEMU0001" };
    for (size_t i = 0; i < G_N_ELEMENTS(gone); i++) {
        g_assert_false(has_bytes(d, dlen, gone[i], strlen(gone[i])));
    }
    /* COM4 at a custom port and IRQ; no PCI: the devices sit in \_SB */
    bare.num_serials = 4;
    bare.serial[2].iobase = 0x3e8;
    bare.serial[2].irq = 4;
    bare.serial[3].iobase = 0x2e0;
    bare.serial[3].irq = 5;
    bare.has_pci = false;
    d = build_dsdt(buf, sizeof(buf), &bare, &dlen);
    g_assert_true(has_bytes(d, dlen, "COM4", 4));
    g_assert_true(HAS(d, dlen, 0x47, 0x01, 0xe0, 0x02, 0xe0, 0x02, 0x00, 0x08,
                      0x22, 0x20, 0x00, 0x79, 0x00));
    g_assert_false(has_bytes(d, dlen, "PCI0", 4));
}

/* \_SB.CPUS (ACPI0010) with one ACPI0007 device per CPU, _UID = the
 * MADT's processor UID; none without CPUs in the config. */
static void test_dsdt_cpus(void)
{
    static uint8_t buf[0x10000];
    uint32_t dlen;
    AcpiBuildConfig cfg = { .num_cpus = 3, .lapic_addr = 0xfee00000 };
    const uint8_t *d = build_dsdt(buf, sizeof(buf), &cfg, &dlen);

    g_assert_true(has_bytes(d, dlen, "CPUS\x08_HID\x0d" "ACPI0010", 18));
    /* Device (C00i) { Name (_HID, "ACPI0007") Name (_UID, i) }: UIDs 0
     * and 1 are one-byte Zero/One, 2 a BytePrefix constant */
    for (unsigned i = 0; i < 3; i++) {
        uint8_t want[40] = { 0x5b, 0x82, i < 2 ? 0x1a : 0x1b, 'C', '0', '0',
                             '0' + i };
        size_t n = 7;
        memcpy(want + n, "\x08_HID\x0d" "ACPI0007\0\x08_UID", 20);
        n += 20;
        if (i == 2) {
            want[n++] = 0x0a;
        }
        want[n++] = i;
        g_assert_true(has_bytes(d, dlen, want, n));
    }
    g_assert_false(has_bytes(d, dlen, "C003", 4));
    /* the MADT's UIDs are the same 0..n-1 */
    const uint8_t *madt = memmem(buf, sizeof(buf), "APIC", 4);
    g_assert_nonnull(madt);
    g_assert_cmpuint(madt[44 + 2 * 8 + 2], ==, 2);

    cfg.num_cpus = 0;
    d = build_dsdt(buf, sizeof(buf), &cfg, &dlen);
    g_assert_false(has_bytes(d, dlen, "ACPI0007", 8));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/aml/integers", test_integers);
    g_test_add_func("/aml/names", test_names);
    g_test_add_func("/aml/pkg-length", test_pkg_length);
    g_test_add_func("/aml/dsdt", test_dsdt);
    g_test_add_func("/aml/dsdt-isa", test_dsdt_isa);
    g_test_add_func("/aml/dsdt-cpus", test_dsdt_cpus);
    return g_test_run();
}
