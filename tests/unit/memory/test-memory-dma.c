/*
 * DMA helpers: the refusal table (outside RAM, spanning RAM and MMIO,
 * wrapping past 2^64, len 0, ...) proving a refused access changes
 * nothing, ROM handling, and zero-copy map/unmap.
 */
#include "memory/memory.h"

#include <string.h>

static unsigned mmio_calls;

static uint64_t mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    mmio_calls++;
    return 0;
}

static void mmio_write(void *opaque, hwaddr addr, uint64_t v, unsigned size)
{
    mmio_calls++;
}

static const MemoryRegionOps mmio_ops = {
    .read = mmio_read,
    .write = mmio_write,
};

/* Layout: RAM [0x0, 0x10000), MMIO [0x10000, 0x11000),
 * RAM2 [0x11000, 0x12000), ROM [0x20000, 0x21000),
 * RAM3 [2^64 - 0x1000, 2^64). */
typedef struct Bench {
    MemoryRegion root, ram, mmio, ram2, rom, ram3;
    AddressSpace as;
} Bench;

static void bench_init(Bench *b)
{
    memset(b, 0, sizeof(*b));
    memory_region_init(&b->root, NULL, "root", UINT64_MAX);
    g_assert_true(memory_region_init_ram(&b->ram, NULL, "ram", 0x10000, NULL));
    memory_region_init_io(&b->mmio, NULL, &mmio_ops, NULL, "mmio", 0x1000);
    g_assert_true(memory_region_init_ram(&b->ram2, NULL, "ram2", 0x1000, NULL));
    g_assert_true(memory_region_init_rom(&b->rom, NULL, "rom", 0x1000, NULL));
    g_assert_true(memory_region_init_ram(&b->ram3, NULL, "ram3", 0x1000, NULL));
    memory_region_add_subregion(&b->root, 0, &b->ram);
    memory_region_add_subregion(&b->root, 0x10000, &b->mmio);
    memory_region_add_subregion(&b->root, 0x11000, &b->ram2);
    memory_region_add_subregion(&b->root, 0x20000, &b->rom);
    memory_region_add_subregion(&b->root, UINT64_MAX - 0xfff, &b->ram3);
    address_space_init(&b->as, &b->root, "dma");
}

static void bench_fini(Bench *b)
{
    MemoryRegion *all[] = {&b->ram, &b->mmio, &b->ram2, &b->rom, &b->ram3};

    address_space_destroy(&b->as);
    for (unsigned i = 0; i < G_N_ELEMENTS(all); i++) {
        memory_region_del_subregion(&b->root, all[i]);
        memory_region_finalize(all[i]);
    }
    memory_region_finalize(&b->root);
}

static void test_dma_refusal_table(void)
{
    static const struct {
        const char *what;
        hwaddr addr;
        hwaddr len;
        bool ok;
    } cases[] = {
        {"inside RAM", 0x100, 0x100, true},
        {"all of RAM", 0, 0x10000, true},
        {"len 0 anywhere", 0x50000, 0, true},
        {"len 0 at 2^64-1", UINT64_MAX, 0, true},
        {"last byte of RAM3", UINT64_MAX, 1, true},
        {"all of RAM3", UINT64_MAX - 0xfff, 0x1000, true},
        {"outside RAM", 0x50000, 16, false},
        {"MMIO only", 0x10000, 4, false},
        {"RAM then MMIO", 0xfff0, 0x20, false},
        {"MMIO then RAM2", 0x10ff0, 0x20, false},
        {"RAM across MMIO to RAM2", 0xff00, 0x2000, false},
        {"RAM2 into hole", 0x11ff0, 0x20, false},
        {"hole below 0", 0x30000, 0x1000, false},
        {"wraps past 2^64", UINT64_MAX - 0xf, 0x20, false},
        {"huge length", 0x100, UINT64_MAX, false},
        {"len 2^64-1 from 1", 1, UINT64_MAX, false},
    };
    Bench b;
    uint8_t *ram, *ram3;
    uint8_t *src = g_malloc(0x20000), *dst = g_malloc(0x20000);

    bench_init(&b);
    ram = memory_region_get_ram_ptr(&b.ram);
    ram3 = memory_region_get_ram_ptr(&b.ram3);
    memset(src, 0xab, 0x20000);
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        hwaddr a = cases[i].addr, n = cases[i].len;
        hwaddr copy = MIN(n, (hwaddr)0x20000);
        MemTxResult want = cases[i].ok ? MEMTX_OK : MEMTX_ACCESS_ERROR;

        g_test_message("case %u: %s", i, cases[i].what);
        memset(ram, 0, 0x10000);
        memset(ram3, 0, 0x1000);
        mmio_calls = 0;
        g_assert_cmpint(dma_memory_valid(&b.as, a, n, true), ==, cases[i].ok);
        g_assert_cmpuint(dma_memory_write(&b.as, a, src, cases[i].ok ? n : 0),
                         ==, MEMTX_OK);
        if (!cases[i].ok) {
            /* A refused write leaves RAM untouched and calls no device.
             * (src is shorter than huge lengths; nothing may be read.) */
            g_assert_cmpuint(dma_memory_write(&b.as, a, src, n), ==, want);
            g_assert_cmpuint(dma_memory_set(&b.as, a, 0x5a, n), ==, want);
            g_assert_true(ram[0xfff0] == 0 && ram[0x100] == 0 &&
                          ram[0xffff] == 0 && ram3[0xff0] == 0);
            memset(dst, 0x11, 16);
            g_assert_cmpuint(dma_memory_read(&b.as, a, dst, n), ==, want);
            g_assert_cmpuint(dst[0], ==, 0x11); /* nothing copied */
            g_assert_cmpuint(mmio_calls, ==, 0);
        } else if (n) {
            g_assert_cmpuint(dma_memory_read(&b.as, a, dst, n), ==, want);
            g_assert_cmpmem(dst, copy, src, copy);
            g_assert_cmpuint(dma_memory_set(&b.as, a, 0, n), ==, want);
            g_assert_cmpuint(dma_memory_read(&b.as, a, dst, 1), ==, want);
            g_assert_cmpuint(dst[0], ==, 0);
        }
    }
    g_free(src);
    g_free(dst);
    bench_fini(&b);
}

static void test_dma_rom(void)
{
    Bench b;
    uint8_t data[4] = {1, 2, 3, 4}, back[4];

    bench_init(&b);
    memory_region_write_rom(&b.rom, 0, data, 4);
    /* DMA can read ROM; writing it is accepted and dropped. */
    g_assert_cmpuint(dma_memory_read(&b.as, 0x20000, back, 4), ==, MEMTX_OK);
    g_assert_cmpmem(back, 4, data, 4);
    g_assert_cmpuint(dma_memory_write(&b.as, 0x20000, "\0\0\0\0", 4), ==,
                     MEMTX_OK);
    g_assert_cmpuint(dma_memory_read(&b.as, 0x20000, back, 4), ==, MEMTX_OK);
    g_assert_cmpmem(back, 4, data, 4);
    g_assert_true(dma_memory_valid(&b.as, 0x20000, 4, false));
    g_assert_false(dma_memory_valid(&b.as, 0x20000, 4, true));
    bench_fini(&b);
}

static void test_dma_map_unmap(void)
{
    Bench b;
    dma_addr_t len;
    uint8_t *p;

    bench_init(&b);
    uint8_t *ram = memory_region_get_ram_ptr(&b.ram);

    len = 0x100;
    p = dma_memory_map(&b.as, 0x1000, &len, true);
    g_assert_true(p == ram + 0x1000);
    g_assert_cmpuint(len, ==, 0x100);
    memory_region_reset_dirty(&b.ram, 0, 0x10000, DIRTY_MEMORY_MIGRATION);
    p[0] = 1;
    dma_memory_unmap(&b.as, p, len, true, 1);
    g_assert_true(
        memory_region_get_dirty(&b.ram, 0x1000, 1, DIRTY_MEMORY_MIGRATION));

    /* Shortened at the end of contiguous RAM. */
    len = 0x1000;
    p = dma_memory_map(&b.as, 0xff00, &len, false);
    g_assert_true(p == ram + 0xff00);
    g_assert_cmpuint(len, ==, 0x100);
    dma_memory_unmap(&b.as, p, len, false, len);

    /* QEMU's names do the same. */
    hwaddr plen = 0x10;
    p = address_space_map(&b.as, 0x2000, &plen, true, MEMTXATTRS_UNSPECIFIED);
    g_assert_true(p == ram + 0x2000);
    address_space_unmap(&b.as, p, plen, true, plen);

    /* Not RAM: NULL, length untouched. */
    len = 0x10;
    g_assert_null(dma_memory_map(&b.as, 0x10000, &len, false));
    g_assert_null(dma_memory_map(&b.as, 0x50000, &len, false));
    g_assert_null(dma_memory_map(&b.as, 0x20000, &len, true)); /* ROM */
    g_assert_cmpuint(len, ==, 0x10);
    len = 0;
    g_assert_null(dma_memory_map(&b.as, 0x1000, &len, false));

    /* The last page of the address space. */
    len = 0x100;
    p = dma_memory_map(&b.as, UINT64_MAX, &len, true);
    g_assert_nonnull(p);
    g_assert_cmpuint(len, ==, 1);
    dma_memory_unmap(&b.as, p, len, true, 1);

    /* A mapping keeps the RAM alive after the region goes away. */
    len = 0x1000;
    p = dma_memory_map(&b.as, 0x11000, &len, true);
    g_assert_nonnull(p);
    memory_region_del_subregion(&b.root, &b.ram2);
    memory_region_finalize(&b.ram2);
    p[0xfff] = 7; /* still mapped: no fault */
    dma_memory_unmap(&b.as, p, len, true, len);
    memory_region_init_io(&b.ram2, NULL, &mmio_ops, NULL, "stub", 1);
    memory_region_add_subregion(&b.root, 0x11000, &b.ram2);
    bench_fini(&b);
}

static void test_dma_ld_st_helpers(void)
{
    Bench b;
    uint16_t w;
    uint32_t l;
    uint64_t q;

    bench_init(&b);
    g_assert_cmpuint(stq_le_dma(&b.as, 0x100, 0x1122334455667788ull), ==,
                     MEMTX_OK);
    g_assert_cmpuint(ldq_le_dma(&b.as, 0x100, &q), ==, MEMTX_OK);
    g_assert_cmphex(q, ==, 0x1122334455667788ull);
    g_assert_cmpuint(ldl_le_dma(&b.as, 0x104, &l), ==, MEMTX_OK);
    g_assert_cmphex(l, ==, 0x11223344);
    g_assert_cmpuint(ldw_le_dma(&b.as, 0x100, &w), ==, MEMTX_OK);
    g_assert_cmphex(w, ==, 0x7788);
    g_assert_cmpuint(stl_le_dma(&b.as, 0x200, 0xa1b2c3d4), ==, MEMTX_OK);
    g_assert_cmpuint(stw_le_dma(&b.as, 0x204, 0xe5f6), ==, MEMTX_OK);
    g_assert_cmpuint(ldq_le_dma(&b.as, 0x200, &q), ==, MEMTX_OK);
    g_assert_cmphex(q, ==, 0x0000e5f6a1b2c3d4ull);
    /* Refused: MMIO, straddling, and past 2^64; the value is 0. */
    g_assert_cmpuint(ldl_le_dma(&b.as, 0x10000, &l), ==, MEMTX_ACCESS_ERROR);
    g_assert_cmphex(l, ==, 0);
    g_assert_cmpuint(ldq_le_dma(&b.as, 0xfffc, &q), ==, MEMTX_ACCESS_ERROR);
    g_assert_cmphex(q, ==, 0);
    g_assert_cmpuint(ldw_le_dma(&b.as, UINT64_MAX, &w), ==, MEMTX_ACCESS_ERROR);
    g_assert_cmpuint(stl_le_dma(&b.as, 0xfffe, 0), ==, MEMTX_ACCESS_ERROR);
    bench_fini(&b);
}

/* Readers on other threads never see freed memory while the main thread
 * keeps replacing the RAM they access (run it under ASan). */
typedef struct Race {
    AddressSpace *as;
    gint stop;
    gint reads;
} Race;

static gpointer race_reader(gpointer opaque)
{
    Race *r = opaque;
    uint8_t buf[64];
    dma_addr_t len;

    while (!g_atomic_int_get(&r->stop)) {
        address_space_read(r->as, 0x40000 - 32, MEMTXATTRS_UNSPECIFIED, buf,
                           sizeof(buf));
        dma_memory_write(r->as, 0x40000, buf, sizeof(buf));
        len = 4096;
        uint8_t *p = dma_memory_map(r->as, 0x40000, &len, true);
        if (p) {
            p[len - 1] = 1;
            dma_memory_unmap(r->as, p, len, true, len);
        }
        g_atomic_int_inc(&r->reads);
    }
    return NULL;
}

static void test_views_safe_against_concurrent_change(void)
{
    MemoryRegion root, ram;
    AddressSpace as;
    Race race = {.as = &as};
    GThread *t[2];

    memory_region_init(&root, NULL, "root", 0x100000);
    address_space_init(&as, &root, "race");
    t[0] = g_thread_new("reader0", race_reader, &race);
    t[1] = g_thread_new("reader1", race_reader, &race);
    /* the changes race with readers that run (a loaded host can keep new
     * threads waiting longer than the 300 changes take): wait for one */
    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (!g_atomic_int_get(&race.reads) && g_get_monotonic_time() < end) {
        g_usleep(1000);
    }
    for (int i = 0; i < 300; i++) {
        g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x10000, NULL));
        memory_region_add_subregion(&root, 0x40000 - (i % 2) * 0x1000, &ram);
        g_usleep(50);
        memory_region_del_subregion(&root, &ram);
        memory_region_finalize(&ram); /* host memory may still be in
                                       * use by a reader's view */
    }
    g_atomic_int_set(&race.stop, 1);
    g_thread_join(t[0]);
    g_thread_join(t[1]);
    g_assert_cmpint(g_atomic_int_get(&race.reads), >, 0);
    address_space_destroy(&as);
    memory_region_finalize(&root);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/memory/dma/refusal-table", test_dma_refusal_table);
    g_test_add_func("/memory/dma/rom", test_dma_rom);
    g_test_add_func("/memory/dma/map-unmap", test_dma_map_unmap);
    g_test_add_func("/memory/dma/ld-st-helpers", test_dma_ld_st_helpers);
    g_test_add_func("/memory/dma/views-safe-against-concurrent-change",
                    test_views_safe_against_concurrent_change);
    return g_test_run();
}
