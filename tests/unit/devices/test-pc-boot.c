/*
 * Pieces of the pc board that need no CPU: the bzImage setup-header
 * parser (good header and a bad-input table), the e820 layout, and the
 * ACPI tables (checksums, RSDP -> RSDT -> FADT -> DSDT chain, MADT).
 */
#include "hw/acpi/acpi-build.h"
#include "util/ldst.h"
#include "hw/acpi/acpi-pm.h"
#include "hw/i386/x86-boot.h"

#include <string.h>

static void make_bzimage(uint8_t *img, size_t len, uint16_t version)
{
    memset(img, 0, len);
    img[0x1f1] = 4;                       /* setup_sects: 5*512 bytes */
    img[0x1fe] = 0x55;
    img[0x1ff] = 0xaa;
    img[0x200] = 0xeb;
    img[0x201] = 0x6a;                    /* header ends at 0x26c */
    memcpy(img + 0x202, "HdrS", 4);
    img[0x206] = version & 0xff;
    img[0x207] = version >> 8;
    img[0x211] = 0x01;                    /* LOADED_HIGH */
    img[0x214 + 2] = 0x10;                /* code32_start 0x100000 */
    img[0x22c] = 0xff;                    /* initrd_addr_max 0x7fffffff */
    img[0x22d] = 0xff;
    img[0x22e] = 0xff;
    img[0x22f] = 0x7f;
    img[0x238] = 0xff;                    /* cmdline_size 2047 */
    img[0x239] = 0x07;
    img[0x262] = 0x10;                    /* init_size 0x100000 */
}

static void test_setup_good(void)
{
    uint8_t img[8192];
    LinuxSetupInfo info;
    GError *err = NULL;

    make_bzimage(img, sizeof(img), 0x20f);
    g_assert_true(linux_parse_setup(img, sizeof(img), &info, &err));
    g_assert_no_error(err);
    g_assert_cmphex(info.protocol, ==, 0x20f);
    g_assert_cmpuint(info.setup_size, ==, 5 * 512);
    g_assert_cmpuint(info.kernel_size, ==, sizeof(img) - 5 * 512);
    g_assert_cmphex(info.code32_start, ==, 0x100000);
    g_assert_cmphex(info.initrd_addr_max, ==, 0x7fffffff);
    g_assert_cmpuint(info.cmdline_size, ==, 2047);
    g_assert_cmphex(info.init_size, ==, 0x100000);
    g_assert_cmphex(info.header_end, ==, 0x26c);
}

typedef void (*Corrupt)(uint8_t *img);

static void no_magic(uint8_t *img) { img[0x202] = 'X'; }
static void no_boot_flag(uint8_t *img) { img[0x1fe] = 0; }
static void old_protocol(uint8_t *img) { img[0x206] = 0x01; }
static void zimage(uint8_t *img) { img[0x211] = 0; }
static void huge_setup(uint8_t *img) { img[0x1f1] = 0xff; }
static void header_past_end(uint8_t *img) { img[0x201] = 0xff; }

static void test_setup_bad(void)
{
    static const struct {
        const char *what;
        Corrupt corrupt;
        size_t len;
    } cases[] = {
        { "no HdrS magic", no_magic, 8192 },
        { "no 0xaa55 boot flag", no_boot_flag, 8192 },
        { "protocol 2.01", old_protocol, 8192 },
        { "zImage", zimage, 8192 },
        { "setup larger than the file", huge_setup, 8192 },
        { "header past the end of the file", header_past_end, 0x280 },
        { "truncated to 600 bytes", NULL, 600 },
        { "empty", NULL, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        uint8_t img[8192];
        LinuxSetupInfo info;
        GError *err = NULL;
        make_bzimage(img, sizeof(img), 0x20f);
        if (cases[i].corrupt) {
            cases[i].corrupt(img);
        }
        bool ok = linux_parse_setup(img, cases[i].len, &info, &err);
        if (ok) {
            g_test_message("case '%s' was accepted", cases[i].what);
        }
        g_assert_false(ok);
        g_assert_nonnull(err);
        g_test_message("%s -> %s", cases[i].what, err->message);
        g_clear_error(&err);
    }
    /* Random bytes never crash the parser. */
    GRand *r = g_rand_new_with_seed(42);
    for (int i = 0; i < 5000; i++) {
        uint8_t img[1024];
        make_bzimage(img, sizeof(img), 0x20f);
        for (int j = 0; j < 8; j++) {
            img[0x1f0 + g_rand_int_range(r, 0, 0x80)] = g_rand_int_range(r, 0, 256);
        }
        LinuxSetupInfo info;
        GError *err = NULL;
        if (linux_parse_setup(img, g_rand_int_range(r, 0, sizeof(img) + 1),
                              &info, &err)) {
            g_assert_cmpuint(info.setup_size + info.kernel_size, <=, sizeof(img));
            g_assert_cmpuint(info.header_end, <=, info.setup_size);
        }
        g_clear_error(&err);
    }
    g_rand_free(r);
}

static void test_e820(void)
{
    X86MemoryLayout l;
    x86_memory_layout_init(&l, 0xc0000000ull, 0x40000000ull);
    uint64_t ram = 0;
    for (unsigned i = 0; i < l.e820_count; i++) {
        if (l.e820[i].type == E820_RAM) {
            ram += l.e820[i].size;
        }
        for (unsigned j = 0; j < i; j++) {     /* no overlaps */
            g_assert_true(l.e820[i].addr >= l.e820[j].addr + l.e820[j].size ||
                          l.e820[j].addr >= l.e820[i].addr + l.e820[i].size);
        }
    }
    /* all RAM but the 640K-1M hole and the EBDA */
    g_assert_cmpuint(ram, ==, 0x100000000ull - 0x60000 - 0x400);
    g_assert_cmphex(l.e820[l.e820_count - 1].addr, ==, 0x100000000ull);
}

static const uint8_t *find_table(const uint8_t *buf, uint32_t base,
                                 uint32_t addr)
{
    return buf + (addr - base);
}

static void test_acpi_tables(void)
{
    uint8_t buf[4096];
    const uint32_t base = 0xe0000;
    AcpiBuildConfig cfg = { .num_cpus = 2, .lapic_addr = 0xfee00000,
                            .has_ioapic = true, .ioapic_addr = 0xfec00000 };
    size_t len = acpi_build_tables(buf, sizeof(buf), base, &cfg);
    g_assert_cmpuint(len, >, 0);

    g_assert_cmpmem(buf, 8, "RSD PTR ", 8);
    g_assert_cmpuint(acpi_checksum(buf, 20), ==, 0);
    const uint8_t *rsdt = find_table(buf, base, ldl_le_p(buf + 16));
    g_assert_cmpmem(rsdt, 4, "RSDT", 4);
    g_assert_cmpuint(acpi_checksum(rsdt, ldl_le_p(rsdt + 4)), ==, 0);
    g_assert_cmpuint(ldl_le_p(rsdt + 4), ==, 36 + 8);

    const uint8_t *fadt = find_table(buf, base, ldl_le_p(rsdt + 36));
    g_assert_cmpmem(fadt, 4, "FACP", 4);
    g_assert_cmpuint(acpi_checksum(fadt, ldl_le_p(fadt + 4)), ==, 0);
    g_assert_cmphex(ldl_le_p(fadt + 64), ==, ACPI_PM1_CNT);
    g_assert_cmphex(ldl_le_p(fadt + 76), ==, ACPI_PM_TMR);
    const uint8_t *facs = find_table(buf, base, ldl_le_p(fadt + 36));
    g_assert_cmpmem(facs, 4, "FACS", 4);
    g_assert_cmpuint((ldl_le_p(fadt + 36) & 63), ==, 0);
    const uint8_t *dsdt = find_table(buf, base, ldl_le_p(fadt + 40));
    g_assert_cmpmem(dsdt, 4, "DSDT", 4);
    g_assert_cmpuint(acpi_checksum(dsdt, ldl_le_p(dsdt + 4)), ==, 0);
    g_assert_nonnull(memmem(dsdt, ldl_le_p(dsdt + 4), "_S5_", 4));

    const uint8_t *madt = find_table(buf, base, ldl_le_p(rsdt + 40));
    g_assert_cmpmem(madt, 4, "APIC", 4);
    g_assert_cmpuint(acpi_checksum(madt, ldl_le_p(madt + 4)), ==, 0);
    g_assert_cmpuint(ldl_le_p(madt + 4), ==, 36 + 8 + 2 * 8 + 12 + 10);

    /* Too small a buffer: refused, nothing claimed. */
    g_assert_cmpuint(acpi_build_tables(buf, 64, base, &cfg), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pc/linux-setup/good", test_setup_good);
    g_test_add_func("/pc/linux-setup/bad", test_setup_bad);
    g_test_add_func("/pc/e820", test_e820);
    g_test_add_func("/pc/acpi-tables", test_acpi_tables);
    return g_test_run();
}
