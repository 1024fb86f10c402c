/*
 * Dispatch: impl splitting and widening (with read-modify-write), unaligned
 * accesses, accesses spanning regions, valid-size rejection, unassigned
 * accesses, big-endian devices, ld/st helpers, error propagation, and a
 * RAM fast path that does not allocate.
 */
#include "memory/memory.h"

#include <malloc.h>
#include <string.h>

/* A fake device: 16 bytes of registers and a log of its callbacks. */
typedef struct Call {
    bool is_write;
    hwaddr addr;
    unsigned size;
    uint64_t val;
} Call;

typedef struct FakeDev {
    uint8_t regs[16];
    Call log[32];
    unsigned ncalls;
    bool fail_writes;
} FakeDev;

static uint64_t fake_read(void *opaque, hwaddr addr, unsigned size)
{
    FakeDev *d = opaque;
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)d->regs[(addr + i) % 16] << (8 * i);
    }
    if (d->ncalls < G_N_ELEMENTS(d->log)) {
        d->log[d->ncalls++] = (Call){false, addr, size, v};
    }
    return v;
}

static void fake_write(void *opaque, hwaddr addr, uint64_t v, unsigned size)
{
    FakeDev *d = opaque;

    for (unsigned i = 0; i < size; i++) {
        d->regs[(addr + i) % 16] = v >> (8 * i);
    }
    if (d->ncalls < G_N_ELEMENTS(d->log)) {
        d->log[d->ncalls++] = (Call){true, addr, size, v};
    }
}

static MemTxResult fake_write_attrs(void *opaque, hwaddr addr, uint64_t v,
                                    unsigned size, MemTxAttrs attrs)
{
    FakeDev *d = opaque;

    fake_write(opaque, addr, v, size);
    return d->fail_writes ? MEMTX_ERROR : MEMTX_OK;
}

static void expect_call(FakeDev *d, unsigned i, bool is_write, hwaddr addr,
                        unsigned size, uint64_t val)
{
    g_assert_cmpuint(i, <, d->ncalls);
    g_assert_cmpint(d->log[i].is_write, ==, is_write);
    g_assert_cmphex(d->log[i].addr, ==, addr);
    g_assert_cmpuint(d->log[i].size, ==, size);
    g_assert_cmphex(d->log[i].val, ==, val);
}

/* A fixture: root container (1 MiB) with the device at 0x1000 and 4 KiB of
 * RAM at 0x0. */
typedef struct Bench {
    MemoryRegion root, dev, ram;
    AddressSpace as;
    FakeDev fd;
} Bench;

static void bench_init(Bench *b, const MemoryRegionOps *ops)
{
    memset(b, 0, sizeof(*b));
    for (unsigned i = 0; i < 16; i++) {
        b->fd.regs[i] = 0x10 + i;
    }
    memory_region_init(&b->root, NULL, "root", 0x100000);
    memory_region_init_io(&b->dev, NULL, ops, &b->fd, "dev", 16);
    g_assert_true(memory_region_init_ram(&b->ram, NULL, "ram", 0x1000, NULL));
    memory_region_add_subregion(&b->root, 0x1000, &b->dev);
    memory_region_add_subregion(&b->root, 0x0, &b->ram);
    address_space_init(&b->as, &b->root, "bench");
}

static void bench_fini(Bench *b)
{
    address_space_destroy(&b->as);
    memory_region_del_subregion(&b->root, &b->dev);
    memory_region_del_subregion(&b->root, &b->ram);
    memory_region_finalize(&b->dev);
    memory_region_finalize(&b->ram);
    memory_region_finalize(&b->root);
}

static const MemTxAttrs A = {.unspecified = 1};

static void test_wide_access_split_to_impl_max(void)
{
    static const MemoryRegionOps ops = {
        .read = fake_read,
        .write = fake_write,
        .valid = {.min_access_size = 1, .max_access_size = 8},
        .impl = {.min_access_size = 4, .max_access_size = 4},
    };
    Bench b;
    MemTxResult r;

    bench_init(&b, &ops);
    uint64_t v = address_space_ldq_le(&b.as, 0x1000, A, &r);
    g_assert_cmpuint(r, ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0x1716151413121110ull);
    g_assert_cmpuint(b.fd.ncalls, ==, 2);
    expect_call(&b.fd, 0, false, 0, 4, 0x13121110);
    expect_call(&b.fd, 1, false, 4, 4, 0x17161514);

    b.fd.ncalls = 0;
    address_space_stq_le(&b.as, 0x1008, 0x8877665544332211ull, A, &r);
    g_assert_cmpuint(r, ==, MEMTX_OK);
    g_assert_cmpuint(b.fd.ncalls, ==, 2);
    expect_call(&b.fd, 0, true, 8, 4, 0x44332211);
    expect_call(&b.fd, 1, true, 12, 4, 0x88776655);
    bench_fini(&b);
}

static void test_narrow_access_widened_with_rmw(void)
{
    static const MemoryRegionOps ops = {
        .read = fake_read,
        .write = fake_write,
        .impl = {.min_access_size = 4, .max_access_size = 4},
    };
    Bench b;

    bench_init(&b, &ops);
    g_assert_cmphex(address_space_ldub(&b.as, 0x1005, A, NULL), ==, 0x15);
    g_assert_cmpuint(b.fd.ncalls, ==, 1);
    expect_call(&b.fd, 0, false, 4, 4, 0x17161514);

    b.fd.ncalls = 0;
    address_space_stb(&b.as, 0x1005, 0xaa, A, NULL);
    g_assert_cmpuint(b.fd.ncalls, ==, 2);
    expect_call(&b.fd, 0, false, 4, 4, 0x17161514);
    expect_call(&b.fd, 1, true, 4, 4, 0x1716aa14);

    b.fd.ncalls = 0;
    address_space_stw_le(&b.as, 0x100a, 0xbbcc, A, NULL);
    expect_call(&b.fd, 1, true, 8, 4, 0xbbcc1918);
    bench_fini(&b);
}

static void test_unaligned_access_split_when_impl_aligned(void)
{
    static const MemoryRegionOps ops = {
        .read = fake_read,
        .write = fake_write,
        .valid = {.max_access_size = 4, .unaligned = true},
        .impl = {.min_access_size = 4, .max_access_size = 4},
    };
    Bench b;

    bench_init(&b, &ops);
    g_assert_cmphex(address_space_ldl_le(&b.as, 0x1002, A, NULL), ==,
                    0x15141312);
    g_assert_cmpuint(b.fd.ncalls, ==, 2);
    expect_call(&b.fd, 0, false, 0, 4, 0x13121110);
    expect_call(&b.fd, 1, false, 4, 4, 0x17161514);

    b.fd.ncalls = 0;
    address_space_stl_le(&b.as, 0x1002, 0xddccbbaa, A, NULL);
    g_assert_cmpuint(b.fd.ncalls, ==, 4);
    expect_call(&b.fd, 1, true, 0, 4, 0xbbaa1110);
    expect_call(&b.fd, 3, true, 4, 4, 0x1716ddcc);
    bench_fini(&b);
}

static void test_access_spanning_ram_and_mmio(void)
{
    static const MemoryRegionOps ops = {
        .read = fake_read,
        .write = fake_write,
        .valid = {.max_access_size = 8},
        .impl = {.max_access_size = 8},
    };
    Bench b;
    uint8_t buf[8];
    MemTxResult r;

    bench_init(&b, &ops);
    uint8_t *ram = memory_region_get_ram_ptr(&b.ram);
    memcpy(ram + 0xffc, "\x01\x02\x03\x04", 4);
    r = address_space_read(&b.as, 0xffc, A, buf, 8);
    g_assert_cmpuint(r, ==, MEMTX_OK);
    g_assert_cmpmem(buf, 8, "\x01\x02\x03\x04\x10\x11\x12\x13", 8);
    g_assert_cmpuint(b.fd.ncalls, ==, 1);
    expect_call(&b.fd, 0, false, 0, 4, 0x13121110);

    /* MMIO then a hole: the hole reads all-ones, the result says so. */
    r = address_space_read(&b.as, 0x100c, A, buf, 8);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    g_assert_cmpmem(buf, 8, "\x1c\x1d\x1e\x1f\xff\xff\xff\xff", 8);

    /* Write spanning both. */
    b.fd.ncalls = 0;
    r = address_space_write(&b.as, 0xffe, A, "\xa0\xa1\xa2\xa3", 4);
    g_assert_cmpuint(r, ==, MEMTX_OK);
    g_assert_cmpmem(ram + 0xffe, 2, "\xa0\xa1", 2);
    expect_call(&b.fd, 0, true, 0, 2, 0xa3a2);
    bench_fini(&b);
}

static bool refuse_writes_to_zero(void *opaque, hwaddr addr, unsigned size,
                                  bool is_write, MemTxAttrs attrs)
{
    return !(is_write && addr == 0);
}

static void test_invalid_access_rejected(void)
{
    static const MemoryRegionOps ops = {
        .read = fake_read,
        .write = fake_write,
        .valid = {.min_access_size = 4,
                  .max_access_size = 4,
                  .accepts = refuse_writes_to_zero},
    };
    Bench b;
    MemTxResult r;

    bench_init(&b, &ops);
    /* Too small. */
    g_assert_cmphex(address_space_ldub(&b.as, 0x1000, A, &r), ==, 0xff);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    g_assert_cmphex(address_space_lduw_le(&b.as, 0x1000, A, &r), ==, 0xffff);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    address_space_stb(&b.as, 0x1000, 0, A, &r);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    /* Unaligned when !valid.unaligned. */
    g_assert_cmphex(address_space_ldl_le(&b.as, 0x1002, A, &r), ==, 0xffffffff);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    /* Refused by accepts(). */
    address_space_stl_le(&b.as, 0x1000, 0, A, &r);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    g_assert_cmpuint(b.fd.ncalls, ==, 0);
    /* Valid ones get through; an 8-byte access is two valid 4-byte ones. */
    g_assert_cmphex(address_space_ldl_le(&b.as, 0x1004, A, &r), ==, 0x17161514);
    g_assert_cmpuint(r, ==, MEMTX_OK);
    g_assert_cmphex(address_space_ldq_le(&b.as, 0x1008, A, &r), ==,
                    0x1f1e1d1c1b1a1918ull);
    g_assert_cmpuint(b.fd.ncalls, ==, 3);

    /* Direct dispatch: size and bounds checks. */
    uint64_t v;
    g_assert_cmpuint(memory_region_dispatch_read(&b.dev, 16, &v, 4, A), ==,
                     MEMTX_DECODE_ERROR);
    g_assert_cmpuint(memory_region_dispatch_read(&b.dev, 0, &v, 16, A), ==,
                     MEMTX_DECODE_ERROR);
    bench_fini(&b);
}

static void test_unassigned_reads_all_ones(void)
{
    Bench b;
    MemTxResult r;
    static const MemoryRegionOps ops = {.read = fake_read};

    bench_init(&b, &ops);
    g_assert_cmphex(address_space_ldub(&b.as, 0x5000, A, &r), ==, 0xff);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    g_assert_cmphex(address_space_lduw_le(&b.as, 0x5000, A, &r), ==, 0xffff);
    g_assert_cmphex(address_space_ldl_le(&b.as, 0x5000, A, &r), ==, 0xffffffff);
    g_assert_cmphex(address_space_ldq_le(&b.as, 0x5000, A, &r), ==, UINT64_MAX);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    /* An access running past 2^64 - 1 wraps to 0 (RAM, zero here). */
    g_assert_cmphex(address_space_ldl_le(&b.as, UINT64_MAX - 1, A, &r), ==,
                    0x0000ffff);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    /* Writes are dropped; with logging on they are reported (rate-limited)
     * and still harmless. */
    g_assert_false(memory_get_log_unassigned());
    memory_set_log_unassigned(true);
    for (int i = 0; i < 30; i++) {
        address_space_stl_le(&b.as, 0x5000 + 4 * i, 0, A, &r);
        g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    }
    memory_set_log_unassigned(false);
    /* A device without a write callback drops writes. */
    address_space_stl_le(&b.as, 0x1000, 0, A, &r);
    g_assert_cmpuint(r, ==, MEMTX_OK);
    g_assert_cmphex(address_space_ldl_le(&b.as, 0x1000, A, &r), ==, 0x13121110);
    bench_fini(&b);
}

static void test_big_endian_device(void)
{
    static const MemoryRegionOps ops = {
        .read = fake_read,
        .write = fake_write,
        .endianness = DEVICE_BIG_ENDIAN,
    };
    Bench b;

    bench_init(&b, &ops);
    /* The device returns 0x13121110 as a big-endian value: in memory that
     * is 13 12 11 10, read little-endian as 0x10111213. */
    g_assert_cmphex(address_space_ldl_le(&b.as, 0x1000, A, NULL), ==,
                    0x10111213);
    address_space_stl_le(&b.as, 0x1004, 0x11223344, A, NULL);
    expect_call(&b.fd, 1, true, 4, 4, 0x44332211);
    bench_fini(&b);
}

static void test_error_propagates(void)
{
    static const MemoryRegionOps ops = {
        .read = fake_read,
        .write_with_attrs = fake_write_attrs,
    };
    Bench b;
    MemTxResult r;

    bench_init(&b, &ops);
    b.fd.fail_writes = true;
    address_space_stl_le(&b.as, 0x1000, 1, A, &r);
    g_assert_cmpuint(r, ==, MEMTX_ERROR);
    b.fd.fail_writes = false;
    address_space_stl_le(&b.as, 0x1000, 1, A, &r);
    g_assert_cmpuint(r, ==, MEMTX_OK);
    bench_fini(&b);
}

static void test_ram_ld_st_and_no_allocation(void)
{
    static const MemoryRegionOps ops = {.read = fake_read};
    Bench b;
    uint8_t buf[64];

    bench_init(&b, &ops);
    address_space_stq_le(&b.as, 0x100, 0x0102030405060708ull, A, NULL);
    g_assert_cmphex(address_space_ldq_le(&b.as, 0x100, A, NULL), ==,
                    0x0102030405060708ull);
    g_assert_cmphex(address_space_ldl_le(&b.as, 0x104, A, NULL), ==,
                    0x01020304);
    g_assert_cmphex(address_space_lduw_le(&b.as, 0x106, A, NULL), ==, 0x0102);
    g_assert_cmphex(address_space_ldub(&b.as, 0x107, A, NULL), ==, 0x01);
    stl_le_phys(&b.as, 0x200, 0xabcdef01);
    g_assert_cmphex(ldl_le_phys(&b.as, 0x200), ==, 0xabcdef01);

    /* Warm up, then count heap bytes in use around many RAM accesses. */
    address_space_rw(&b.as, 0x300, A, buf, sizeof(buf), true);
    struct mallinfo2 before = mallinfo2();
    for (int i = 0; i < 1000; i++) {
        address_space_rw(&b.as, 0x300, A, buf, sizeof(buf), i & 1);
        address_space_ldl_le(&b.as, 0x300, A, NULL);
    }
    struct mallinfo2 after = mallinfo2();
    g_assert_cmpuint(after.uordblks, ==, before.uordblks);
    g_assert_cmpuint(after.hblkhd, ==, before.hblkhd);
    bench_fini(&b);
}

static void test_io_port_space(void)
{
    static const MemoryRegionOps ops = {
        .read = fake_read,
        .write = fake_write,
        .valid = {.min_access_size = 1, .max_access_size = 4},
    };
    MemoryRegion io_root, port;
    AddressSpace ios;
    FakeDev d = {.regs = {0x42}};

    memory_region_init(&io_root, NULL, "io", 0x10000);
    memory_region_init_io(&port, NULL, &ops, &d, "port", 8);
    memory_region_add_subregion(&io_root, 0x3f8, &port);
    address_space_init(&ios, &io_root, "I/O-test");
    g_assert_cmphex(address_space_ldub(&ios, 0x3f8, A, NULL), ==, 0x42);
    address_space_stb(&ios, 0x3f9, 0x7, A, NULL);
    expect_call(&d, 1, true, 1, 1, 0x7);
    /* Past the 64 KiB I/O space. */
    g_assert_cmphex(address_space_ldub(&ios, 0x10000, A, NULL), ==, 0xff);
    address_space_destroy(&ios);
    memory_region_del_subregion(&io_root, &port);
    memory_region_finalize(&port);
    memory_region_finalize(&io_root);
}

static uint64_t romd_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0x77;
}

static void test_rom_device_modes(void)
{
    static const MemoryRegionOps ops = {
        .read = romd_read,
        .write = fake_write,
    };
    MemoryRegion root, flash;
    AddressSpace as;
    FakeDev d = {0};

    memory_region_init(&root, NULL, "root", 0x10000);
    g_assert_true(memory_region_init_rom_device(&flash, NULL, &ops, &d, "flash",
                                                0x1000, NULL));
    memory_region_add_subregion(&root, 0, &flash);
    address_space_init(&as, &root, "t");
    ((uint8_t *)memory_region_get_ram_ptr(&flash))[0] = 0x55;
    g_assert_true(memory_region_is_romd(&flash));
    g_assert_cmphex(address_space_ldub(&as, 0, A, NULL), ==, 0x55);
    address_space_stb(&as, 0, 0x99, A, NULL); /* to ops, not RAM */
    g_assert_cmpuint(d.ncalls, ==, 1);
    g_assert_cmphex(address_space_ldub(&as, 0, A, NULL), ==, 0x55);
    memory_region_rom_device_set_romd(&flash, false);
    g_assert_cmphex(address_space_ldub(&as, 0, A, NULL), ==, 0x77);
    address_space_destroy(&as);
    memory_region_del_subregion(&root, &flash);
    memory_region_finalize(&flash);
    memory_region_finalize(&root);
}

static MemTxResult attrs_read(void *opaque, hwaddr addr, uint64_t *data,
                              unsigned size, MemTxAttrs attrs)
{
    *data = attrs.secure ? 0x5ec : 0x123;
    return attrs.user ? MEMTX_ERROR : MEMTX_OK;
}

static void test_rom_device_direct_dispatch_and_loader(void)
{
    static const MemoryRegionOps ops = {
        .read_with_attrs = attrs_read,
        .write = fake_write,
        .valid = {.max_access_size = 8},
    };
    MemoryRegion root, flash;
    AddressSpace as;
    FakeDev d = {0};
    uint64_t v = 0;

    memory_region_init(&root, NULL, "root", 0x10000);
    g_assert_true(memory_region_init_rom_device(&flash, NULL, &ops, &d, "flash",
                                                0x1000, NULL));
    memory_region_add_subregion(&root, 0x2000, &flash);
    address_space_init(&as, &root, "t");

    /* The loader path writes the backing RAM of a romd device. */
    g_assert_cmpuint(address_space_write_rom(&as, 0x2000, A, "\x11\x22", 2), ==,
                     MEMTX_OK);
    g_assert_cmpuint(d.ncalls, ==, 0);
    g_assert_cmpuint(memory_region_dispatch_read(&flash, 0, &v, 2, A), ==,
                     MEMTX_OK);
    g_assert_cmphex(v, ==, 0x2211);
    g_assert_cmpuint(memory_region_dispatch_write(&flash, 0, 0x7, 1, A), ==,
                     MEMTX_OK);
    g_assert_cmpuint(d.ncalls, ==, 1);

    /* Out of romd mode: reads reach read_with_attrs with the attrs. */
    memory_region_rom_device_set_romd(&flash, false);
    MemTxAttrs secure = {.secure = 1}, user = {.user = 1};
    g_assert_cmpuint(memory_region_dispatch_read(&flash, 0, &v, 4, secure), ==,
                     MEMTX_OK);
    g_assert_cmphex(v, ==, 0x5ec);
    MemTxResult r;
    g_assert_cmphex(address_space_ldl_le(&as, 0x2000, user, &r), ==, 0x123);
    g_assert_cmpuint(r, ==, MEMTX_ERROR);
    /* Loaders never write device (non-romd) memory. */
    g_assert_cmpuint(address_space_write_rom(&as, 0x2000, A, "\x33", 1), ==,
                     MEMTX_OK);
    g_assert_cmpuint(d.ncalls, ==, 1);

    address_space_destroy(&as);
    memory_region_del_subregion(&root, &flash);
    memory_region_finalize(&flash);
    memory_region_finalize(&root);
}

static void test_ram_from_host_pointer(void)
{
    MemoryRegion root, ram, bar;
    AddressSpace as;
    uint8_t *buf = g_malloc0(0x2000), *dev = g_malloc0(0x1000);
    GString *out = g_string_new("");

    memory_region_init(&root, NULL, "root", 0x100000);
    memory_region_init_ram_ptr(&ram, NULL, "hostbuf", 0x2000, buf);
    memory_region_init_ram_device_ptr(&bar, NULL, "bar", 0x1000, dev);
    g_assert_true(memory_region_is_ram(&ram));
    g_assert_false(memory_region_is_ram_device(&ram));
    g_assert_true(memory_region_is_ram_device(&bar));
    g_assert_cmpint(memory_region_get_fd(&ram), ==, -1);
    g_assert_true(memory_region_get_ram_ptr(&ram) == buf);
    memory_region_add_subregion(&root, 0x10000, &ram);
    memory_region_add_subregion(&root, 0x20000, &bar);
    address_space_init(&as, &root, "t");

    address_space_stl_le(&as, 0x10010, 0xfeedface, A, NULL);
    g_assert_cmphex(*(uint32_t *)(buf + 0x10), ==, 0xfeedface);
    g_assert_cmpuint(dma_memory_write(&as, 0x20000, "xy", 2), ==, MEMTX_OK);
    g_assert_cmpmem(dev, 2, "xy", 2);
    mtree_info(out, false);
    g_assert_nonnull(strstr(out->str, " (prio 0, ramd): bar\n"));
    g_assert_nonnull(strstr(out->str, " (prio 0, ram): hostbuf\n"));
    g_string_free(out, TRUE);

    address_space_destroy(&as);
    memory_region_del_subregion(&root, &ram);
    memory_region_del_subregion(&root, &bar);
    memory_region_finalize(&ram);
    memory_region_finalize(&bar);
    memory_region_finalize(&root);
    /* The caller's memory is still the caller's. */
    buf[0x1fff] = 1;
    g_free(buf);
    g_free(dev);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/memory/dispatch/wide-access-split-to-impl-max",
                    test_wide_access_split_to_impl_max);
    g_test_add_func("/memory/dispatch/narrow-access-widened-with-rmw",
                    test_narrow_access_widened_with_rmw);
    g_test_add_func("/memory/dispatch/unaligned-split-when-impl-aligned",
                    test_unaligned_access_split_when_impl_aligned);
    g_test_add_func("/memory/dispatch/access-spanning-ram-and-mmio",
                    test_access_spanning_ram_and_mmio);
    g_test_add_func("/memory/dispatch/invalid-access-rejected",
                    test_invalid_access_rejected);
    g_test_add_func("/memory/dispatch/unassigned-reads-all-ones",
                    test_unassigned_reads_all_ones);
    g_test_add_func("/memory/dispatch/big-endian-device",
                    test_big_endian_device);
    g_test_add_func("/memory/dispatch/error-propagates", test_error_propagates);
    g_test_add_func("/memory/dispatch/ram-ld-st-and-no-allocation",
                    test_ram_ld_st_and_no_allocation);
    g_test_add_func("/memory/dispatch/io-port-space", test_io_port_space);
    g_test_add_func("/memory/dispatch/rom-device-modes", test_rom_device_modes);
    g_test_add_func("/memory/dispatch/rom-device-direct-dispatch-and-loader",
                    test_rom_device_direct_dispatch_and_loader);
    g_test_add_func("/memory/dispatch/ram-from-host-pointer",
                    test_ram_from_host_pointer);
    return g_test_run();
}
