/*
 * The AML encoder (hw/acpi/aml.c) and the pc DSDT's PCI part: package
 * lengths at their 1/2/3-byte boundaries, name strings (root, parent,
 * dual, multi), integer widths, EISA ids, and a DSDT that carries
 * \_SB.PCI0, the links and a checksum that sums to zero. With
 * KVMU_DUMP_DSDT=file the DSDT is written out (for iasl -d).
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
    const char *dump = g_getenv("KVMU_DUMP_DSDT");
    if (dump) {
        g_assert(g_file_set_contents(dump, (const char *)dsdt, dlen, NULL));
    }
    /* too small a buffer is refused, not overrun */
    g_assert_cmpuint(acpi_build_tables(buf, 512, 0xe0000, &cfg), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/aml/integers", test_integers);
    g_test_add_func("/aml/names", test_names);
    g_test_add_func("/aml/pkg-length", test_pkg_length);
    g_test_add_func("/aml/dsdt", test_dsdt);
    return g_test_run();
}
