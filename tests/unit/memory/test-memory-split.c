/*
 * Property test for access splitting: for random valid/impl settings and
 * random accesses, a region backed by a plain byte array behaves like
 * memory for every valid access (reads return its bytes, writes change
 * exactly the bytes written, whatever the widening and read-modify-write),
 * invalid pieces read as 0xff and change nothing, and every callback obeys
 * impl (size, alignment, inside the region). Reproduce with --seed.
 */
#include "memory/memory.h"

#include <string.h>

#define REGION 64

typedef struct Dev {
    uint8_t bytes[REGION];
    MemoryRegionOps ops;
    unsigned imin, imax;
    bool iunaligned;
} Dev;

static void check_call(Dev *d, hwaddr addr, unsigned size)
{
    g_assert_cmpuint(size, >=, d->imin);
    g_assert_cmpuint(size, <=, d->imax);
    g_assert_true((size & (size - 1)) == 0);
    if (!d->iunaligned) {
        g_assert_cmpuint(addr & (size - 1), ==, 0);
    }
    g_assert_cmpuint(addr + size, <=, REGION);
}

static uint64_t dev_read(void *opaque, hwaddr addr, unsigned size)
{
    Dev *d = opaque;
    uint64_t v = 0;

    check_call(d, addr, size);
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)d->bytes[addr + i] << (8 * i);
    }
    return v;
}

static void dev_write(void *opaque, hwaddr addr, uint64_t v, unsigned size)
{
    Dev *d = opaque;

    check_call(d, addr, size);
    for (unsigned i = 0; i < size; i++) {
        d->bytes[addr + i] = v >> (8 * i);
    }
}

static unsigned pow2_between(unsigned lo_log, unsigned hi_log)
{
    return 1u << g_test_rand_int_range(lo_log, hi_log + 1);
}

static void test_random_splitting_behaves_like_memory(void)
{
    for (int round = 0; round < 300; round++) {
        Dev d = {0};
        MemoryRegion root, dev;
        AddressSpace as;
        uint8_t model[REGION];
        unsigned vmin = pow2_between(0, 3), vmax = pow2_between(0, 3);
        unsigned imin = pow2_between(0, 3), imax = pow2_between(0, 3);

        if (vmin > vmax) {
            unsigned t = vmin;
            vmin = vmax;
            vmax = t;
        }
        if (imin > imax) {
            unsigned t = imin;
            imin = imax;
            imax = t;
        }
        d.imin = imin;
        d.imax = imax;
        d.iunaligned = g_test_rand_bit();
        d.ops = (MemoryRegionOps){
            .read = dev_read,
            .write = dev_write,
            .valid = {.min_access_size = vmin,
                      .max_access_size = vmax,
                      .unaligned = g_test_rand_bit()},
            .impl = {.min_access_size = imin,
                     .max_access_size = imax,
                     .unaligned = d.iunaligned},
        };
        for (unsigned i = 0; i < REGION; i++) {
            d.bytes[i] = model[i] = g_test_rand_int();
        }
        memory_region_init(&root, NULL, "root", 0x1000);
        memory_region_init_io(&dev, NULL, &d.ops, &d, "dev", REGION);
        memory_region_add_subregion(&root, 0x100, &dev);
        address_space_init(&as, &root, "split");

        for (int k = 0; k < 40; k++) {
            unsigned len = pow2_between(0, 3);
            hwaddr off = g_test_rand_int_range(0, REGION - len + 1);
            bool is_write = g_test_rand_bit();
            uint8_t buf[8], want[8];
            bool valid;
            MemTxResult r;

            /* The AS splits to pieces of min(len, vmax); each piece must
             * be >= vmin and, unless valid.unaligned, aligned. */
            unsigned piece = MIN(len, vmax);
            valid = piece >= vmin;
            for (unsigned p = 0; p < len; p += piece) {
                if (!d.ops.valid.unaligned && ((off + p) & (piece - 1))) {
                    valid = false;
                }
            }
            for (unsigned i = 0; i < len; i++) {
                buf[i] = g_test_rand_int();
            }
            if (is_write) {
                r = address_space_write(&as, 0x100 + off,
                                        MEMTXATTRS_UNSPECIFIED, buf, len);
                if (valid) {
                    memcpy(model + off, buf, len);
                }
            } else {
                r = address_space_read(&as, 0x100 + off, MEMTXATTRS_UNSPECIFIED,
                                       buf, len);
                if (valid) {
                    memcpy(want, model + off, len);
                } else {
                    memset(want, 0xff, len);
                }
                g_assert_cmpmem(buf, len, want, len);
            }
            g_assert_cmpuint(r, ==, valid ? MEMTX_OK : MEMTX_DECODE_ERROR);
            g_assert_cmpmem(d.bytes, REGION, model, REGION);
        }
        address_space_destroy(&as);
        memory_region_del_subregion(&root, &dev);
        memory_region_finalize(&dev);
        memory_region_finalize(&root);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/memory/split/random-splitting-behaves-like-memory",
                    test_random_splitting_behaves_like_memory);
    return g_test_run();
}
