/*
 * The pc board's firmware plumbing without a CPU: the BIOS image at the
 * top of 4 GiB and its isa-bios window under the i440FX PAM registers
 * (ROM, RAM read/write, RAM read-only, reset back to ROM), the image size
 * rules (bad-input table), -boot order to CMOS bytes (with bad input),
 * and the ACPI tables' fw_cfg files run through
 * a table-loader interpreter as SeaBIOS runs them (pointer chain and
 * checksums at the addresses it picked).
 */
#include "hw/acpi/acpi-build.h"
#include "hw/i386/pc-firmware.h"
#include "hw/nvram/fw_cfg.h"
#include "hw/pci-host/i440fx.h"
#include "hw/qdev.h"
#include "memory/memory.h"
#include "system/main-loop.h"

#include <glib/gstdio.h>
#include <string.h>

#define BIOS_SIZE 0x20000
#define TABLES_AT 0x100000u
#define RSDP_AT 0xf5000u

static MemoryRegion ram;
static PCIBus *bus;
static uint8_t image[BIOS_SIZE];

static uint8_t rd8(hwaddr a)
{
    uint8_t v = 0;
    address_space_read(&address_space_memory, a, MEMTXATTRS_UNSPECIFIED,
                       &v, 1);
    return v;
}

static void wr8(hwaddr a, uint8_t v)
{
    address_space_write(&address_space_memory, a, MEMTXATTRS_UNSPECIFIED,
                        &v, 1);
}

static void pam_write(int reg, uint8_t v)
{
    uint32_t addr = 0x80000000u | (reg & 0xfc);
    address_space_stl_le(&address_space_io, 0xcf8, addr,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    address_space_write(&address_space_io, 0xcfc + (reg & 3),
                        MEMTXATTRS_UNSPECIFIED, &v, 1);
}

static void test_rom_at_reset_vector(void)
{
    /* the reset vector and the isa-bios window show the image's end */
    g_assert_cmphex(rd8(0xfffffff0), ==, image[BIOS_SIZE - 16]);
    g_assert_cmphex(rd8(0xffff0), ==, image[BIOS_SIZE - 16]);
    g_assert_cmphex(rd8(0xe0000), ==, image[0]);
    g_assert_cmphex(rd8(0x100000000ull - BIOS_SIZE), ==, image[0]);
    /* ROM: writes dropped */
    wr8(0xf0000, image[0x10000] ^ 0xff);
    g_assert_cmphex(rd8(0xf0000), ==, image[0x10000]);
    wr8(0xfffffff0, 0);
    g_assert_cmphex(rd8(0xfffffff0), ==, image[BIOS_SIZE - 16]);
}

static void test_pam_modes(void)
{
    pam_write(0x59, 0x30);                 /* 0xf0000: RAM read/write */
    wr8(0xf0000, 0x5a);
    g_assert_cmphex(rd8(0xf0000), ==, 0x5a);
    g_assert_cmphex(rd8(0xfffffff0), ==, image[BIOS_SIZE - 16]);
    /* 0xe0000 (PAM5 low nibble) is still ROM */
    g_assert_cmphex(rd8(0xe0000), ==, image[0]);

    pam_write(0x59, 0x10);                 /* RAM read-only */
    wr8(0xf0000, 0xa5);
    g_assert_cmphex(rd8(0xf0000), ==, 0x5a);

    pam_write(0x59, 0x00);                 /* back to ROM; RAM kept */
    g_assert_cmphex(rd8(0xf0000), ==, image[0x10000]);
    pam_write(0x59, 0x30);
    g_assert_cmphex(rd8(0xf0000), ==, 0x5a);

    pam_write(0x5e, 0x03);                 /* 0xe0000-0xe3fff only */
    wr8(0xe0000, 0x77);
    g_assert_cmphex(rd8(0xe0000), ==, 0x77);
    g_assert_cmphex(rd8(0xe4000), ==, image[0x4000]);

    /* reset: PAM cleared, the ROM is back everywhere */
    device_cold_reset(DEVICE(bus->devices[0]));
    g_assert_cmphex(rd8(0xf0000), ==, image[0x10000]);
    g_assert_cmphex(rd8(0xe0000), ==, image[0]);
}

static void test_sizes(void)
{
    static const struct {
        uint64_t size;
        bool ok;
    } sizes[] = {
        { 0, false }, { 1, false }, { 1000, false }, { 0xffff, false },
        { 0x10000, true }, { 0x20000, true }, { 0x40000, true },
        { 0x30001, false }, { 16u << 20, true }, { (16u << 20) + 0x10000, false },
        { 1ull << 32, false },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        g_assert_cmpint(pc_firmware_size_ok(sizes[i].size), ==, sizes[i].ok);
    }
    g_autofree char *p = pc_firmware_find("/x/y.bin");
    g_assert_cmpstr(p, ==, "/x/y.bin");
}

static void test_boot_order(void)
{
    static const struct {
        const char *order;
        bool ok;
        uint8_t r3d, r38;
        const char *err;
    } cases[] = {
        { NULL, true, 0x12, 0x30, NULL },       /* "cad" */
        { "c", true, 0x02, 0x00, NULL },
        { "dc", true, 0x23, 0x00, NULL },
        { "nab", true, 0x14, 0x10, NULL },
        { "", true, 0x00, 0x00, NULL },
        { "cadn", false, 0, 0, "Too many boot devices for PC" },
        { "e", false, 0, 0, "Invalid boot device for PC: 'e'" },
        { "cz", false, 0, 0, "Invalid boot device for PC: 'z'" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        uint8_t r3d = 0xff, r38 = 0xff;
        GError *err = NULL;
        bool ok = pc_firmware_boot_order(cases[i].order, &r3d, &r38, &err);
        g_assert_cmpint(ok, ==, cases[i].ok);
        if (ok) {
            g_assert_no_error(err);
            g_assert_cmphex(r3d, ==, cases[i].r3d);
            g_assert_cmphex(r38, ==, cases[i].r38);
        } else {
            g_assert_nonnull(err);
            g_assert_cmpstr(err->message, ==, cases[i].err);
            g_error_free(err);
        }
    }
}

/* ---- table-loader interpreter ----------------------------------------- */

static uint8_t *fw_file(FWCfgState *fw, const char *name, uint32_t *len)
{
    int key = fw_cfg_file_key(fw, name);
    g_assert_cmpint(key, >=, 0);
    /* the directory's size field, then the bytes through the data port */
    uint16_t sel = FW_CFG_FILE_DIR;
    address_space_write(&address_space_io, FW_CFG_IO_BASE,
                        MEMTXATTRS_UNSPECIFIED, &sel, 2);
    uint8_t dir[4 + 64 * FW_CFG_FILE_SLOTS];
    for (size_t i = 0; i < sizeof(dir); i++) {
        address_space_read(&address_space_io, FW_CFG_IO_BASE + 1,
                           MEMTXATTRS_UNSPECIFIED, &dir[i], 1);
    }
    uint8_t *e = dir + 4 + 64 * (key - FW_CFG_FILE_FIRST);
    *len = (uint32_t)e[0] << 24 | e[1] << 16 | e[2] << 8 | e[3];
    uint8_t *buf = g_malloc0(*len + 1);
    sel = key;
    address_space_write(&address_space_io, FW_CFG_IO_BASE,
                        MEMTXATTRS_UNSPECIFIED, &sel, 2);
    for (uint32_t i = 0; i < *len; i++) {
        address_space_read(&address_space_io, FW_CFG_IO_BASE + 1,
                           MEMTXATTRS_UNSPECIFIED, &buf[i], 1);
    }
    return buf;
}

static uint32_t le32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t sum(const uint8_t *p, uint32_t n)
{
    uint8_t s = 0;
    while (n--) {
        s += *p++;
    }
    return s;
}

typedef struct LFile {
    const char *name;
    uint8_t *data;
    uint32_t len, addr;
} LFile;

static LFile *lfile(LFile *f, const char *name)
{
    for (int i = 0; i < 2; i++) {
        if (!strncmp(f[i].name, name, 56)) {
            return &f[i];
        }
    }
    g_assert_not_reached();
}

/* Guest address -> host pointer in one of the two loaded files. */
static uint8_t *at(LFile *f, uint32_t addr, uint32_t n)
{
    for (int i = 0; i < 2; i++) {
        if (addr >= f[i].addr && addr - f[i].addr + (uint64_t)n <= f[i].len) {
            return f[i].data + (addr - f[i].addr);
        }
    }
    g_assert_not_reached();
}

static void test_acpi_loader(void)
{
    GError *err = NULL;
    FWCfgState *fw = fw_cfg_init_io_dma(FW_CFG_IO_BASE, 0, NULL, &err);
    g_assert_no_error(err);
    static const uint8_t ids[2] = { 0, 1 };
    AcpiBuildConfig cfg = {
        .num_cpus = 2, .apic_ids = ids, .lapic_addr = 0xfee00000,
        .has_ioapic = true, .ioapic_addr = 0xfec00000, .sci_override = true,
        .has_hpet = true, .hpet_addr = 0xfed00000, .has_pci = true,
        .pci_hole_start = 0x08000000, .fw_cfg_port = FW_CFG_IO_BASE,
    };
    g_assert_true(pc_firmware_acpi_fw_cfg(fw, &cfg, &err));
    g_assert_no_error(err);

    LFile f[2] = {
        { "etc/acpi/tables", NULL, 0, TABLES_AT },
        { "etc/acpi/rsdp", NULL, 0, RSDP_AT },
    };
    for (int i = 0; i < 2; i++) {
        f[i].data = fw_file(fw, f[i].name, &f[i].len);
    }
    uint32_t ldlen;
    g_autofree uint8_t *ld = fw_file(fw, "etc/table-loader", &ldlen);
    g_assert_cmpuint(ldlen % 128, ==, 0);
    unsigned allocs = 0, ptrs = 0, sums = 0;
    for (uint32_t o = 0; o < ldlen; o += 128) {
        const uint8_t *e = ld + o;
        const char *n1 = (const char *)e + 4, *n2 = (const char *)e + 60;
        switch (le32(e)) {
        case 1: {                       /* ALLOCATE: zone matches file */
            LFile *lf = lfile(f, n1);
            g_assert_cmpuint(lf->addr % le32(e + 60), ==, 0);
            g_assert_cmpuint(e[64], ==, lf == &f[1] ? 2 : 1);
            allocs++;
            break;
        }
        case 2: {                       /* ADD_POINTER */
            LFile *d = lfile(f, n1), *s = lfile(f, n2);
            uint32_t off = le32(e + 116);
            g_assert_cmpuint(e[120], ==, 4);
            g_assert_cmpuint(off + 4, <=, d->len);
            uint32_t v = le32(d->data + off) + s->addr;
            memcpy(d->data + off, &v, 4);
            ptrs++;
            break;
        }
        case 3: {                       /* ADD_CHECKSUM */
            LFile *lf = lfile(f, n1);
            uint32_t csum = le32(e + 60), start = le32(e + 64);
            uint32_t n = le32(e + 68);
            g_assert_cmpuint(start + (uint64_t)n, <=, lf->len);
            g_assert_cmpuint(csum, <, lf->len);
            lf->data[csum] -= sum(lf->data + start, n);
            sums++;
            break;
        }
        default:
            g_assert_not_reached();
        }
    }
    g_assert_cmpuint(allocs, ==, 2);
    g_assert_cmpuint(ptrs, ==, 1 + 3 + 2);   /* RSDT, 3 entries, FADT 2 */
    g_assert_cmpuint(sums, ==, 3);           /* RSDP, RSDT, FADT */

    /* follow the chain at the chosen addresses */
    uint8_t *rsdp = f[1].data;
    g_assert_cmpuint(f[1].len, ==, 20);
    g_assert(!memcmp(rsdp, "RSD PTR ", 8));
    g_assert_cmpuint(sum(rsdp, 20), ==, 0);
    uint8_t *rsdt = at(f, le32(rsdp + 16), 36);
    g_assert(!memcmp(rsdt, "RSDT", 4));
    uint32_t rl = le32(rsdt + 4);
    g_assert_cmpuint(sum(at(f, le32(rsdp + 16), rl), rl), ==, 0);
    bool seen_fadt = false;
    for (uint32_t i = 36; i < rl; i += 4) {
        uint32_t ta = le32(rsdt + i);
        uint8_t *t = at(f, ta, 36);
        uint32_t tl = le32(t + 4);
        g_assert_cmpuint(sum(at(f, ta, tl), tl), ==, 0);
        if (!memcmp(t, "FACP", 4)) {
            seen_fadt = true;
            uint32_t facs = le32(t + 36), dsdt = le32(t + 40);
            g_assert_cmpuint(facs % 64, ==, 0);
            g_assert(!memcmp(at(f, facs, 64), "FACS", 4));
            uint8_t *d = at(f, dsdt, 36);
            g_assert(!memcmp(d, "DSDT", 4));
            g_assert_cmpuint(sum(at(f, dsdt, le32(d + 4)), le32(d + 4)),
                             ==, 0);
        }
    }
    g_assert_true(seen_fadt);
    for (int i = 0; i < 2; i++) {
        g_free(f[i].data);
    }
}

int main(int argc, char **argv)
{
    GError *err = NULL;

    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    memory_init();
    g_assert(memory_region_init_ram(&ram, NULL, "ram", 16 << 20, &err));
    memory_region_add_subregion(get_system_memory(), 0, &ram);
    bus = i440fx_init(get_system_memory(), get_system_io(), &err);
    g_assert_no_error(err);

    for (size_t i = 0; i < sizeof(image); i++) {
        image[i] = (i * 7 + (i >> 8)) & 0xff;
    }
    g_autofree char *dir = g_dir_make_tmp("pcfw-XXXXXX", &err);
    g_assert_no_error(err);
    g_autofree char *path = g_build_filename(dir, "bios.bin", NULL);
    g_assert(g_file_set_contents(path, (char *)image, sizeof(image), &err));
    g_assert_true(pc_firmware_init(path, get_system_memory(), &ram, bus,
                                   &err));
    g_assert_no_error(err);
    g_unlink(path);
    g_rmdir(dir);

    g_test_add_func("/pc-firmware/rom-at-reset-vector",
                    test_rom_at_reset_vector);
    g_test_add_func("/pc-firmware/pam-modes", test_pam_modes);
    g_test_add_func("/pc-firmware/image-sizes", test_sizes);
    g_test_add_func("/pc-firmware/acpi-table-loader", test_acpi_loader);
    g_test_add_func("/pc-firmware/boot-order", test_boot_order);
    return g_test_run();
}
