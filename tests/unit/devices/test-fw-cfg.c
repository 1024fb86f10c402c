/*
 * fw_cfg through its ports as SeaBIOS and Linux use it: signature and
 * id, the sorted file directory, file reads through the data port and by
 * DMA (select+read, skip, zero fill past the end), DMA refused for
 * addresses outside RAM (error bit, nothing written), the DMA signature,
 * bad selectors and random port writes. DMA writes: only into files
 * added writable, within their size, from RAM (error bit otherwise,
 * nothing changed). Option ROM files (option_rom_load's checks) as
 * "genroms/..." files, the "bootorder" list (order, HALT), and
 * -device vmcoreinfo's writable etc/vmcoreinfo.
 */
#include "hw/nvram/fw_cfg.h"
#include "hw/nvram/option-rom.h"
#include "migration/vmstate.h"
#include "system/main-loop.h"
#include "system/runstate.h"

#include <glib/gstdio.h>
#include <string.h>

#define RAM_SIZE (1 << 20)

static FWCfgState *fw;

static void outw(uint16_t port, uint16_t v)
{
    address_space_stw_le(&address_space_io, port, v, MEMTXATTRS_UNSPECIFIED,
                         NULL);
}

static uint8_t inb(uint16_t port)
{
    return address_space_ldub(&address_space_io, port,
                               MEMTXATTRS_UNSPECIFIED, NULL);
}

static void read_item(uint16_t key, void *buf, size_t len)
{
    outw(FW_CFG_IO_BASE, key);
    for (size_t i = 0; i < len; i++) {
        ((uint8_t *)buf)[i] = inb(FW_CFG_IO_BASE + 1);
    }
}

/* Write the descriptor at desc in RAM and kick DMA as Linux does
 * (two big-endian dwords, high half first). Returns the control word. */
static uint32_t dma(uint64_t desc, uint32_t control, uint32_t len,
                    uint64_t addr)
{
    uint8_t d[16];
    uint32_t c = GUINT32_TO_BE(control), l = GUINT32_TO_BE(len);
    uint64_t a = GUINT64_TO_BE(addr);
    memcpy(d, &c, 4);
    memcpy(d + 4, &l, 4);
    memcpy(d + 8, &a, 8);
    address_space_write(&address_space_memory, desc, MEMTXATTRS_UNSPECIFIED,
                        d, 16);
    address_space_stl_le(&address_space_io, FW_CFG_DMA_IO_BASE,
                         GUINT32_TO_BE((uint32_t)(desc >> 32)),
                         MEMTXATTRS_UNSPECIFIED, NULL);
    address_space_stl_le(&address_space_io, FW_CFG_DMA_IO_BASE + 4,
                         GUINT32_TO_BE((uint32_t)desc),
                         MEMTXATTRS_UNSPECIFIED, NULL);
    uint32_t back = 0;
    address_space_read(&address_space_memory, desc, MEMTXATTRS_UNSPECIFIED,
                       &back, 4);
    return GUINT32_FROM_BE(back);
}

static void test_signature_and_id(void)
{
    char sig[5] = "";
    read_item(FW_CFG_SIGNATURE, sig, 4);
    g_assert_cmpstr(sig, ==, "QEMU");
    uint32_t id;
    read_item(FW_CFG_ID, &id, 4);
    g_assert_cmphex(GUINT32_FROM_LE(id), ==, 3);    /* traditional + DMA */
    /* DMA register reads "QEMU CFG" */
    char dsig[9] = "";
    for (int i = 0; i < 8; i++) {
        dsig[i] = inb(FW_CFG_DMA_IO_BASE + i);
    }
    g_assert_cmpstr(dsig, ==, "QEMU CFG");
    uint64_t ram;
    read_item(FW_CFG_RAM_SIZE, &ram, 8);
    g_assert_cmphex(GUINT64_FROM_LE(ram), ==, 0x40000000);
}

static void test_directory(void)
{
    uint32_t count;
    read_item(FW_CFG_FILE_DIR, &count, 4);
    count = GUINT32_FROM_BE(count);
    g_assert_cmpuint(count, ==, 3);
    const char *want[] = { "bootorder", "etc/e820", "etc/zzz" };
    for (uint32_t i = 0; i < count; i++) {
        uint8_t e[64];
        for (int j = 0; j < 64; j++) {
            e[j] = inb(FW_CFG_IO_BASE + 1);
        }
        uint32_t size;
        uint16_t sel;
        memcpy(&size, e, 4);
        memcpy(&sel, e + 4, 2);
        g_assert_cmpstr((char *)e + 8, ==, want[i]);
        g_assert_cmpuint(GUINT16_FROM_BE(sel), ==, FW_CFG_FILE_FIRST + i);
        g_assert_cmpint(fw_cfg_file_key(fw, want[i]), ==,
                        FW_CFG_FILE_FIRST + i);
        if (i == 1) {
            g_assert_cmpuint(GUINT32_FROM_BE(size), ==, 40);
        }
    }
    g_assert_cmpint(fw_cfg_file_key(fw, "nope"), ==, -1);
}

static void test_file_read(void)
{
    uint8_t e820[40];
    read_item(fw_cfg_file_key(fw, "etc/e820"), e820, sizeof(e820));
    uint64_t len;
    memcpy(&len, e820 + 8, 8);
    g_assert_cmphex(GUINT64_FROM_LE(len), ==, 0x9fc00);
    /* past the end: zeros */
    g_assert_cmpuint(inb(FW_CFG_IO_BASE + 1), ==, 0);
    /* a bad selector reads zeros; data port writes are ignored */
    outw(FW_CFG_IO_BASE, 0x3fff);
    g_assert_cmpuint(inb(FW_CFG_IO_BASE + 1), ==, 0);
    outw(FW_CFG_IO_BASE, FW_CFG_SIGNATURE);
    address_space_stb(&address_space_io, FW_CFG_IO_BASE + 1, 0x55,
                      MEMTXATTRS_UNSPECIFIED, NULL);
    g_assert_cmpuint(inb(FW_CFG_IO_BASE + 1), ==, 'Q');
}

static void test_dma_read(void)
{
    uint8_t buf[16];
    int key = fw_cfg_file_key(fw, "etc/zzz");
    /* select + read 16 bytes of a 10-byte file: the rest is zero-filled */
    memset(buf, 0xaa, sizeof(buf));
    address_space_write(&address_space_memory, 0x2000, MEMTXATTRS_UNSPECIFIED,
                        buf, sizeof(buf));
    uint32_t ctl = dma(0x1000, (key << 16) | FW_CFG_DMA_CTL_SELECT |
                       FW_CFG_DMA_CTL_READ, 16, 0x2000);
    g_assert_cmphex(ctl, ==, 0);
    address_space_read(&address_space_memory, 0x2000, MEMTXATTRS_UNSPECIFIED,
                       buf, sizeof(buf));
    g_assert_cmpmem(buf, 16, "0123456789\0\0\0\0\0\0", 16);
    /* select, skip 4, read 3 */
    g_assert_cmphex(dma(0x1000, (key << 16) | FW_CFG_DMA_CTL_SELECT |
                        FW_CFG_DMA_CTL_SKIP, 4, 0), ==, 0);
    g_assert_cmphex(dma(0x1000, FW_CFG_DMA_CTL_READ, 3, 0x3000), ==, 0);
    address_space_read(&address_space_memory, 0x3000, MEMTXATTRS_UNSPECIFIED,
                       buf, 3);
    g_assert_cmpmem(buf, 3, "456", 3);
    /* writes are refused: the item is not writable */
    g_assert_cmphex(dma(0x1000, FW_CFG_DMA_CTL_WRITE, 3, 0x3000), ==,
                    FW_CFG_DMA_CTL_ERROR);
    char back[11] = "";
    read_item(key, back, 10);
    g_assert_cmpstr(back, ==, "0123456789");
}

static uint32_t wcb_off, wcb_len, wcb_calls;

static void write_cb(void *opaque, uint32_t off, uint32_t len)
{
    g_assert(opaque == &wcb_calls);
    wcb_off = off;
    wcb_len = len;
    wcb_calls++;
}

static void test_dma_write(void)
{
    GError *err = NULL;
    g_assert(fw_cfg_add_file_writable(fw, "etc/wr", "12345xyz", 8, write_cb,
                                      &wcb_calls, &err));
    g_assert_no_error(err);
    int key = fw_cfg_file_key(fw, "etc/wr");
    int ro = fw_cfg_file_key(fw, "etc/zzz");
    char back[9] = "";
    g_assert_cmpint(key, >, 0);
    address_space_write(&address_space_memory, 0x3000,
                        MEMTXATTRS_UNSPECIFIED, "ABCDEFGH", 8);
    /* select + write 3 at offset 0, then 2 more at offset 3 */
    g_assert_cmphex(dma(0x1000, (key << 16) | FW_CFG_DMA_CTL_SELECT |
                        FW_CFG_DMA_CTL_WRITE, 3, 0x3000), ==, 0);
    g_assert_cmpuint(wcb_calls, ==, 1);
    g_assert_cmpuint(wcb_off, ==, 0);
    g_assert_cmpuint(wcb_len, ==, 3);
    g_assert_cmphex(dma(0x1000, FW_CFG_DMA_CTL_WRITE, 2, 0x3005), ==, 0);
    g_assert_cmpuint(wcb_off, ==, 3);
    read_item(key, back, 8);
    g_assert_cmpstr(back, ==, "ABCFGxyz");
    /* past the end (8 bytes): refused whole, nothing changed */
    g_assert_cmphex(dma(0x1000, (key << 16) | FW_CFG_DMA_CTL_SELECT |
                        FW_CFG_DMA_CTL_SKIP, 6, 0), ==, 0);
    g_assert_cmphex(dma(0x1000, FW_CFG_DMA_CTL_WRITE, 3, 0x3000), ==,
                    FW_CFG_DMA_CTL_ERROR);
    g_assert_cmphex(dma(0x1000, FW_CFG_DMA_CTL_WRITE, 0xffffffff, 0x3000),
                    ==, FW_CFG_DMA_CTL_ERROR);
    /* from outside RAM, or straddling its end: refused */
    g_assert_cmphex(dma(0x1000, (key << 16) | FW_CFG_DMA_CTL_SELECT |
                        FW_CFG_DMA_CTL_WRITE, 4, 0xfee00000), ==,
                    FW_CFG_DMA_CTL_ERROR);
    g_assert_cmphex(dma(0x1000, (key << 16) | FW_CFG_DMA_CTL_SELECT |
                        FW_CFG_DMA_CTL_WRITE, 8, RAM_SIZE - 4), ==,
                    FW_CFG_DMA_CTL_ERROR);
    g_assert_cmphex(dma(0x1000, (key << 16) | FW_CFG_DMA_CTL_SELECT |
                        FW_CFG_DMA_CTL_WRITE, 4, UINT64_MAX - 1), ==,
                    FW_CFG_DMA_CTL_ERROR);
    read_item(key, back, 8);
    g_assert_cmpstr(back, ==, "ABCFGxyz");
    g_assert_cmpuint(wcb_calls, ==, 2);
    /* read-only file, the directory, a fixed item, the signature: refused */
    static const uint16_t keys[] = { 0, FW_CFG_FILE_DIR, FW_CFG_RAM_SIZE,
                                     FW_CFG_SIGNATURE, 0x3fff };
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        uint16_t k = i ? keys[i] : ro;
        g_assert_cmphex(dma(0x1000, (k << 16) | FW_CFG_DMA_CTL_SELECT |
                            FW_CFG_DMA_CTL_WRITE, 1, 0x3000), ==,
                        FW_CFG_DMA_CTL_ERROR);
        g_assert_cmphex(dma(0x1000, ((k | FW_CFG_WRITE_CHANNEL) << 16) |
                            FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_WRITE, 1,
                            0x3000), ==, FW_CFG_DMA_CTL_ERROR);
    }
    char sig[5] = "";
    read_item(FW_CFG_SIGNATURE, sig, 4);
    g_assert_cmpstr(sig, ==, "QEMU");
    read_item(ro, back, 8);
    g_assert_cmpmem(back, 8, "01234567", 8);
    g_assert_cmpuint(wcb_calls, ==, 2);
}

/* A file under a fresh temp dir; returns its path (g_free). */
static char *write_tmp(const char *dir, const char *name, const void *data,
                       size_t len)
{
    char *path = g_build_filename(dir, name, NULL);
    g_assert(g_file_set_contents(path, data, len, NULL));
    return path;
}

static void expect_rom_error(const char *path, size_t max,
                             OptionRomStyle style, const char *want)
{
    uint8_t *data = (uint8_t *)"x";
    size_t len = 1;
    GError *err = NULL;
    g_assert(!option_rom_load(path, max, style, &data, &len, &err));
    g_assert(err);
    if (!strstr(err->message, want)) {
        g_test_message("got '%s', want '%s'", err->message, want);
        g_assert_not_reached();
    }
    g_assert_null(data);
    g_assert_cmpuint(len, ==, 0);
    g_error_free(err);
}

static void test_option_rom(void)
{
    g_autofree char *dir = g_dir_make_tmp("fwcfg-XXXXXX", NULL);
    uint8_t rom[1024] = { 0x55, 0xaa, 2, 0xcb };
    GError *err = NULL;
    g_assert(dir);

    g_autofree char *good = write_tmp(dir, "good.bin", rom, sizeof(rom));
    uint8_t *data;
    size_t len;
    g_assert(option_rom_load(good, OPTION_ROM_MAX_SIZE,
                             OPTION_ROM_STYLE_OPTION, &data, &len, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(len, ==, sizeof(rom));
    g_assert_cmpmem(data, len, rom, sizeof(rom));
    /* as -option-rom puts it: genroms/<basename>, listed, readable */
    g_assert(fw_cfg_add_file(fw, "genroms/good.bin", data, len, &err));
    g_free(data);
    int key = fw_cfg_file_key(fw, "genroms/good.bin");
    g_assert_cmpint(key, >, 0);
    uint32_t count;
    read_item(FW_CFG_FILE_DIR, &count, 4);
    gboolean listed = false;
    for (uint32_t i = 0; i < GUINT32_FROM_BE(count); i++) {
        uint8_t e[64];
        for (int j = 0; j < 64; j++) {
            e[j] = inb(FW_CFG_IO_BASE + 1);
        }
        if (!strcmp((char *)e + 8, "genroms/good.bin")) {
            uint32_t size;
            memcpy(&size, e, 4);
            g_assert_cmpuint(GUINT32_FROM_BE(size), ==, sizeof(rom));
            listed = true;
        }
    }
    g_assert(listed);
    uint8_t head[4];
    read_item(key, head, 4);
    g_assert_cmpmem(head, 4, rom, 4);

    /* the bad ones, in both wordings */
    g_autofree char *missing = g_build_filename(dir, "missing.bin", NULL);
    expect_rom_error(missing, OPTION_ROM_MAX_SIZE, OPTION_ROM_STYLE_OPTION,
                     "Could not open option rom '");
    expect_rom_error(missing, PCI_ROMFILE_MAX_SIZE, OPTION_ROM_STYLE_PCI,
                     "failed to find romfile \"");
    expect_rom_error(dir, OPTION_ROM_MAX_SIZE, OPTION_ROM_STYLE_OPTION,
                     "is not a regular file");
    g_autofree char *empty = write_tmp(dir, "empty.bin", "", 0);
    expect_rom_error(empty, OPTION_ROM_MAX_SIZE, OPTION_ROM_STYLE_PCI,
                     "\" is empty");
    g_autofree char *nosig = write_tmp(dir, "nosig.bin", "MZ\x02xxxx", 7);
    expect_rom_error(nosig, OPTION_ROM_MAX_SIZE, OPTION_ROM_STYLE_OPTION,
                     "no 0x55 0xAA signature");
    g_autofree char *tiny = write_tmp(dir, "tiny.bin", "\x55", 1);
    expect_rom_error(tiny, OPTION_ROM_MAX_SIZE, OPTION_ROM_STYLE_OPTION,
                     "no 0x55 0xAA signature");
    rom[2] = 3;                  /* says 1536 bytes: longer than the file */
    g_autofree char *shortf = write_tmp(dir, "short.bin", rom, sizeof(rom));
    expect_rom_error(shortf, OPTION_ROM_MAX_SIZE, OPTION_ROM_STYLE_OPTION,
                     "header length 3 x 512");
    rom[2] = 0;
    g_autofree char *zero = write_tmp(dir, "zero.bin", rom, sizeof(rom));
    expect_rom_error(zero, OPTION_ROM_MAX_SIZE, OPTION_ROM_STYLE_OPTION,
                     "header length 0");
    g_autofree uint8_t *big = g_malloc0(OPTION_ROM_MAX_SIZE + 1);
    big[0] = 0x55;
    big[1] = 0xaa;
    big[2] = 0xff;
    g_autofree char *bigf = write_tmp(dir, "big.bin", big,
                                      OPTION_ROM_MAX_SIZE + 1);
    expect_rom_error(bigf, OPTION_ROM_MAX_SIZE, OPTION_ROM_STYLE_OPTION,
                     "is too large");
    /* the same file is fine for a PCI ROM BAR */
    g_assert(option_rom_load(bigf, PCI_ROMFILE_MAX_SIZE,
                             OPTION_ROM_STYLE_PCI, &data, &len, &err));
    g_free(data);
    const char *files[] = { good, empty, nosig, tiny, shortf, zero, bigf };
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        g_unlink(files[i]);
    }
    g_rmdir(dir);
}

static void test_bootorder(void)
{
    size_t len;
    uint8_t *list;

    fw_cfg_boot_clear();
    g_assert_null(fw_cfg_boot_list(true, &len));
    g_assert_cmpuint(len, ==, 0);
    fw_cfg_boot_add(3, "/rom@genroms/c.bin");
    fw_cfg_boot_add(-1, "/rom@genroms/never.bin");
    fw_cfg_boot_add(1, "/rom@genroms/a.bin");
    fw_cfg_boot_add(3, "/rom@genroms/d.bin");
    fw_cfg_boot_add(2, "/pci@i0cf8/b@4");
    static const char want[] = "/rom@genroms/a.bin\n/pci@i0cf8/b@4\n"
                               "/rom@genroms/c.bin\n/rom@genroms/d.bin";
    list = fw_cfg_boot_list(false, &len);
    g_assert_cmpmem(list, len, want, sizeof(want));
    g_free(list);
    static const char strict[] = "/rom@genroms/a.bin\n/pci@i0cf8/b@4\n"
                                 "/rom@genroms/c.bin\n/rom@genroms/d.bin\n"
                                 "HALT";
    list = fw_cfg_boot_list(true, &len);
    g_assert_cmpmem(list, len, strict, sizeof(strict));
    /* the board puts it in "bootorder"; the guest reads it back */
    g_assert(fw_cfg_modify_file(fw, "bootorder", list, len));
    g_assert(!fw_cfg_modify_file(fw, "no-such-file", list, len));
    g_free(list);
    char back[sizeof(strict)];
    read_item(fw_cfg_file_key(fw, "bootorder"), back, sizeof(back));
    g_assert_cmpmem(back, sizeof(back), strict, sizeof(strict));
    size_t flen;
    g_assert(fw_cfg_file_data(fw, "bootorder", &flen));
    g_assert_cmpuint(flen, ==, sizeof(strict));
    uint32_t count;
    read_item(FW_CFG_FILE_DIR, &count, 4);
    for (uint32_t i = 0; i < GUINT32_FROM_BE(count); i++) {
        uint8_t e[64];
        for (int j = 0; j < 64; j++) {
            e[j] = inb(FW_CFG_IO_BASE + 1);
        }
        if (!strcmp((char *)e + 8, "bootorder")) {
            uint32_t size;
            memcpy(&size, e, 4);
            g_assert_cmpuint(GUINT32_FROM_BE(size), ==, sizeof(strict));
        }
    }
    /* a device's index must be unused; unplug takes its path out */
    GError *err = NULL;
    g_assert(!fw_cfg_boot_check(3, &err));
    g_assert(err && strstr(err->message,
                           "The bootindex 3 has already been used"));
    g_clear_error(&err);
    g_assert(fw_cfg_boot_check(4, &err));
    g_assert(fw_cfg_boot_check(-1, &err));
    g_assert_no_error(err);
    fw_cfg_boot_del("/pci@i0cf8/b@4");
    fw_cfg_boot_del("/not/there");
    fw_cfg_boot_del("/rom@genroms/c.bin");
    static const char left[] = "/rom@genroms/a.bin\n/rom@genroms/d.bin";
    list = fw_cfg_boot_list(false, &len);
    g_assert_cmpmem(list, len, left, sizeof(left));
    g_free(list);
    fw_cfg_boot_clear();
    g_assert(fw_cfg_modify_file(fw, "bootorder", "", 0));
}

static void test_dma_bad_address(void)
{
    int key = fw_cfg_file_key(fw, "etc/zzz");
    /* target beyond RAM, or straddling its end: error, nothing written */
    g_assert_cmphex(dma(0x1000, (key << 16) | FW_CFG_DMA_CTL_SELECT |
                        FW_CFG_DMA_CTL_READ, 16, 0xfee00000), ==,
                    FW_CFG_DMA_CTL_ERROR);
    uint8_t tail[8];
    memset(tail, 0x77, sizeof(tail));
    address_space_write(&address_space_memory, RAM_SIZE - 8,
                        MEMTXATTRS_UNSPECIFIED, tail, 8);
    g_assert_cmphex(dma(0x1000, (key << 16) | FW_CFG_DMA_CTL_SELECT |
                        FW_CFG_DMA_CTL_READ, 16, RAM_SIZE - 8), ==,
                    FW_CFG_DMA_CTL_ERROR);
    address_space_read(&address_space_memory, RAM_SIZE - 8,
                       MEMTXATTRS_UNSPECIFIED, tail, 8);
    g_assert_cmpmem(tail, 8, "\x77\x77\x77\x77\x77\x77\x77\x77", 8);
    /* a huge length and a wrapping address */
    g_assert_cmphex(dma(0x1000, FW_CFG_DMA_CTL_READ, 0xffffffff, 0), ==,
                    FW_CFG_DMA_CTL_ERROR);
    g_assert_cmphex(dma(0x1000, FW_CFG_DMA_CTL_READ, 16, UINT64_MAX - 4),
                    ==, FW_CFG_DMA_CTL_ERROR);
    /* the descriptor itself outside RAM: ignored, nothing to report to */
    address_space_stl_le(&address_space_io, FW_CFG_DMA_IO_BASE,
                         GUINT32_TO_BE(0x12), MEMTXATTRS_UNSPECIFIED, NULL);
    address_space_stl_le(&address_space_io, FW_CFG_DMA_IO_BASE + 4, 0,
                         MEMTXATTRS_UNSPECIFIED, NULL);
}

static void test_add_file_errors(void)
{
    GError *err = NULL;
    g_assert(!fw_cfg_add_file(fw, "etc/e820", "x", 1, &err));
    g_assert(err && strstr(err->message, "duplicate"));
    g_clear_error(&err);
    char longname[80];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = 0;
    g_assert(!fw_cfg_add_file(fw, longname, "x", 1, &err));
    g_assert(err);
    g_clear_error(&err);
}

/* -device vmcoreinfo: etc/vmcoreinfo written by DMA as Linux does */
static void test_vmcoreinfo(void)
{
    GError *err = NULL;
    uint16_t fmt;
    uint32_t size;
    uint64_t paddr;

    g_assert(!vmcoreinfo_get(&fmt, &size, &paddr));
    DeviceState *dev = qdev_new("vmcoreinfo");
    g_assert(qdev_realize_and_unref(dev, NULL, &err));
    g_assert_no_error(err);
    int key = fw_cfg_file_key(fw, "etc/vmcoreinfo");
    g_assert_cmpint(key, >, 0);
    uint8_t init[16];
    read_item(key, init, 16);
    g_assert_cmpmem(init, 4, "\x01\0\0\0", 4);    /* host format 1 */
    g_assert(!vmcoreinfo_get(&fmt, &size, &paddr));  /* nothing yet */
    static const uint8_t note[16] = { 0, 0, 1, 0, 0x24, 0x10, 0, 0,
                                      0, 0x40, 0xb5, 4, 0, 0, 0, 0 };
    address_space_write(&address_space_memory, 0x3000,
                        MEMTXATTRS_UNSPECIFIED, note, 16);
    g_assert_cmphex(dma(0x1000, (key << 16) | FW_CFG_DMA_CTL_SELECT |
                        FW_CFG_DMA_CTL_WRITE, 16, 0x3000), ==, 0);
    g_assert(vmcoreinfo_get(&fmt, &size, &paddr));
    g_assert_cmpuint(fmt, ==, 1);
    g_assert_cmphex(size, ==, 0x1024);
    g_assert_cmphex(paddr, ==, 0x4b54000);
    /* 17 bytes: refused, nothing changed */
    g_assert_cmphex(dma(0x1000, (key << 16) | FW_CFG_DMA_CTL_SELECT |
                        FW_CFG_DMA_CTL_WRITE, 17, 0x2000), ==,
                    FW_CFG_DMA_CTL_ERROR);
    g_assert(vmcoreinfo_get(&fmt, &size, &paddr));
    g_assert_cmphex(paddr, ==, 0x4b54000);
    /* migration: the written bytes go with the device */
    const VMStateDescription *vmsd = DEVICE_GET_CLASS(dev)->vmsd;
    VMStream out, in;
    vmstream_init_save(&out);
    g_assert(vmstate_save(&out, vmsd, dev, &err));
    /* reset: back to the host's offer */
    qemu_system_reset(SHUTDOWN_CAUSE_GUEST_RESET);
    g_assert(!vmcoreinfo_get(&fmt, &size, &paddr));
    read_item(fw_cfg_file_key(fw, "etc/vmcoreinfo"), init, 16);
    g_assert_cmpmem(init, 16, "\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
                    16);
    vmstream_init_load(&in, out.out->data, out.out->len);
    g_assert(vmstate_load(&in, vmsd, dev, 1, &err));
    g_assert_no_error(err);
    g_byte_array_unref(out.out);
    g_assert(vmcoreinfo_get(&fmt, &size, &paddr));
    g_assert_cmphex(paddr, ==, 0x4b54000);
    read_item(fw_cfg_file_key(fw, "etc/vmcoreinfo"), init, 16);
    g_assert_cmpmem(init, 16, note, 16);
    /* one per machine */
    DeviceState *two = qdev_new("vmcoreinfo");
    g_assert(!qdev_realize_and_unref(two, NULL, &err));
    g_assert(err && strstr(err->message,
                           "at most one vmcoreinfo device is permitted"));
    g_clear_error(&err);
}

static void test_random_writes(void)
{
    GRand *r = g_rand_new_with_seed(1337);
    static const uint16_t ports[] = { 0x510, 0x511, 0x514, 0x518 };
    for (int i = 0; i < 20000; i++) {
        uint16_t port = ports[g_rand_int_range(r, 0, 4)];
        unsigned size = 1 << g_rand_int_range(r, 0, 3);
        uint32_t v = g_rand_int(r);
        if (g_rand_int_range(r, 0, 4) == 0) {
            /* aim DMA at RAM now and then so transfers really happen */
            v = GUINT32_TO_BE(g_rand_int_range(r, 0, RAM_SIZE));
        }
        if (g_rand_boolean(r)) {
            address_space_write(&address_space_io, port,
                                MEMTXATTRS_UNSPECIFIED, &v, size);
        } else {
            address_space_read(&address_space_io, port,
                               MEMTXATTRS_UNSPECIFIED, &v, size);
        }
    }
    g_rand_free(r);
    char sig[5] = "";
    read_item(FW_CFG_SIGNATURE, sig, 4);
    g_assert_cmpstr(sig, ==, "QEMU");
}

int main(int argc, char **argv)
{
    GError *err = NULL;
    static MemoryRegion ram;     /* static: still reachable at exit */

    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    memory_init();
    g_assert(memory_region_init_ram(&ram, NULL, "ram", RAM_SIZE, &err));
    memory_region_add_subregion(get_system_memory(), 0, &ram);
    fw = fw_cfg_init_io_dma(FW_CFG_IO_BASE, FW_CFG_DMA_IO_BASE,
                            &address_space_memory, &err);
    g_assert_no_error(err);
    fw_cfg_add_i64(fw, FW_CFG_RAM_SIZE, 0x40000000);
    uint8_t e820[40] = { 0 };
    uint64_t len = GUINT64_TO_LE(0x9fc00);
    memcpy(e820 + 8, &len, 8);
    e820[16] = 1;
    g_assert(fw_cfg_add_file(fw, "etc/zzz", "0123456789", 10, &err));
    g_assert(fw_cfg_add_file(fw, "etc/e820", e820, sizeof(e820), &err));
    g_assert(fw_cfg_add_file(fw, "bootorder", "", 0, &err));
    g_assert(fw_cfg_find() == fw);
    g_assert_no_error(err);

    g_test_add_func("/fw_cfg/signature-and-id", test_signature_and_id);
    g_test_add_func("/fw_cfg/directory", test_directory);
    g_test_add_func("/fw_cfg/file-read", test_file_read);
    g_test_add_func("/fw_cfg/dma-read", test_dma_read);
    g_test_add_func("/fw_cfg/dma-bad-address", test_dma_bad_address);
    g_test_add_func("/fw_cfg/add-file-errors", test_add_file_errors);
    g_test_add_func("/fw_cfg/dma-write", test_dma_write);
    g_test_add_func("/fw_cfg/option-rom", test_option_rom);
    g_test_add_func("/fw_cfg/bootorder", test_bootorder);
    g_test_add_func("/fw_cfg/vmcoreinfo", test_vmcoreinfo);
    g_test_add_func("/fw_cfg/random-writes", test_random_writes);
    return g_test_run();
}
