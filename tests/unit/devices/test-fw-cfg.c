/*
 * fw_cfg through its ports as SeaBIOS and Linux use it: signature and
 * id, the sorted file directory, file reads through the data port and by
 * DMA (select+read, skip, zero fill past the end), DMA refused for
 * addresses outside RAM (error bit, nothing written), the DMA signature,
 * bad selectors and random port writes.
 */
#include "hw/nvram/fw_cfg.h"
#include "system/main-loop.h"

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
    /* writes are refused: no writable items */
    g_assert_cmphex(dma(0x1000, FW_CFG_DMA_CTL_WRITE, 3, 0x3000), ==,
                    FW_CFG_DMA_CTL_ERROR);
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
    g_assert_no_error(err);

    g_test_add_func("/fw_cfg/signature-and-id", test_signature_and_id);
    g_test_add_func("/fw_cfg/directory", test_directory);
    g_test_add_func("/fw_cfg/file-read", test_file_read);
    g_test_add_func("/fw_cfg/dma-read", test_dma_read);
    g_test_add_func("/fw_cfg/dma-bad-address", test_dma_bad_address);
    g_test_add_func("/fw_cfg/add-file-errors", test_add_file_errors);
    g_test_add_func("/fw_cfg/random-writes", test_random_writes);
    return g_test_run();
}
