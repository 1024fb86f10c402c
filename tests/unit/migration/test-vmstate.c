/* VMState save/load: round trips, versions, subsections, untrusted input. */
#include "migration/vmstate.h"

#include <string.h>

typedef struct Inner {
    uint16_t a;
    uint8_t b[3];
} Inner;

typedef struct Dev {
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    bool flag;
    uint32_t regs[4];
    uint8_t buf[5];
    Inner inner[2];
    uint32_t added_in_v2;
    uint64_t optional;      /* subsection, sent when non-zero */
    int post_loads;
} Dev;

static const VMStateDescription vmstate_inner = {
    .name = "inner",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT16(a, Inner),
        VMSTATE_UINT8_ARRAY(b, Inner, 3),
        VMSTATE_END_OF_LIST(),
    },
};

static bool optional_needed(void *opaque)
{
    return ((Dev *)opaque)->optional != 0;
}

static const VMStateDescription vmstate_dev_optional = {
    .name = "dev/optional",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = optional_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(optional, Dev),
        VMSTATE_END_OF_LIST(),
    },
};

static int dev_post_load(void *opaque, int version_id)
{
    ((Dev *)opaque)->post_loads++;
    return 0;
}

static const VMStateDescription vmstate_dev = {
    .name = "dev",
    .version_id = 2,
    .minimum_version_id = 1,
    .post_load = dev_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(u8, Dev),
        VMSTATE_UINT16(u16, Dev),
        VMSTATE_UINT32(u32, Dev),
        VMSTATE_UINT64(u64, Dev),
        VMSTATE_BOOL(flag, Dev),
        VMSTATE_UINT32_ARRAY(regs, Dev, 4),
        VMSTATE_BUFFER(buf, Dev),
        VMSTATE_STRUCT_ARRAY(inner, Dev, 2, vmstate_inner, Inner),
        VMSTATE_UINT32_V(added_in_v2, Dev, 2),
        VMSTATE_END_OF_LIST(),
    },
    .subsections = (const VMStateDescription *const[]) {
        &vmstate_dev_optional,
        NULL,
    },
};

static void fill(Dev *d)
{
    memset(d, 0, sizeof(*d));
    d->u8 = 0xab;
    d->u16 = 0x1234;
    d->u32 = 0xdeadbeef;
    d->u64 = 0x0102030405060708ull;
    d->flag = true;
    for (int i = 0; i < 4; i++) {
        d->regs[i] = 0x1000 + i;
    }
    memcpy(d->buf, "hello", 5);
    d->inner[0].a = 7;
    d->inner[1].b[2] = 9;
    d->added_in_v2 = 42;
}

static GByteArray *save(Dev *d)
{
    VMStream s;
    GError *err = NULL;
    vmstream_init_save(&s);
    g_assert_true(vmstate_save(&s, &vmstate_dev, d, &err));
    g_assert_no_error(err);
    return s.out;
}

static void test_round_trip(void)
{
    Dev a, b;
    fill(&a);
    GByteArray *bytes = save(&a);
    /* 1+2+4+8+1+16+5+2*(2+3)+4 = 51 bytes, no subsection */
    g_assert_cmpuint(bytes->len, ==, 51);
    /* big-endian on the wire */
    g_assert_cmpuint(bytes->data[1], ==, 0x12);
    g_assert_cmpuint(bytes->data[2], ==, 0x34);

    VMStream s;
    GError *err = NULL;
    memset(&b, 0, sizeof(b));
    vmstream_init_load(&s, bytes->data, bytes->len);
    g_assert_true(vmstate_load(&s, &vmstate_dev, &b, 2, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(s.pos, ==, bytes->len);
    b.post_loads = 0;
    g_assert_cmpmem(&a, sizeof(a), &b, sizeof(b));
    g_byte_array_unref(bytes);
}

static void test_subsection(void)
{
    Dev a, b;
    fill(&a);
    a.optional = 0x55;
    GByteArray *bytes = save(&a);
    g_assert_cmpuint(bytes->len, ==, 51 + 1 + 1 + strlen("dev/optional") + 4 + 8);

    VMStream s;
    GError *err = NULL;
    memset(&b, 0, sizeof(b));
    vmstream_init_load(&s, bytes->data, bytes->len);
    g_assert_true(vmstate_load(&s, &vmstate_dev, &b, 2, &err));
    g_assert_cmphex(b.optional, ==, 0x55);
    g_assert_cmpint(b.post_loads, ==, 1);

    /* A stream with a subsection this build does not know: clear error. */
    bytes->data[51 + 2] = 'X';
    memset(&b, 0, sizeof(b));
    vmstream_init_load(&s, bytes->data, bytes->len);
    g_assert_false(vmstate_load(&s, &vmstate_dev, &b, 2, &err));
    g_assert_nonnull(strstr(err->message, "unknown subsection"));
    g_clear_error(&err);
    g_byte_array_unref(bytes);
}

static void test_old_version(void)
{
    Dev a, b;
    fill(&a);
    GByteArray *bytes = save(&a);
    /* A version-1 stream lacks added_in_v2: drop its last 4 bytes. */
    VMStream s;
    GError *err = NULL;
    memset(&b, 0, sizeof(b));
    vmstream_init_load(&s, bytes->data, bytes->len - 4);
    g_assert_true(vmstate_load(&s, &vmstate_dev, &b, 1, &err));
    g_assert_cmpuint(b.added_in_v2, ==, 0);
    g_assert_cmphex(b.u64, ==, a.u64);

    /* Too new and too old versions are refused. */
    vmstream_init_load(&s, bytes->data, bytes->len);
    g_assert_false(vmstate_load(&s, &vmstate_dev, &b, 3, &err));
    g_assert_nonnull(strstr(err->message, "newer"));
    g_clear_error(&err);
    vmstream_init_load(&s, bytes->data, bytes->len);
    g_assert_false(vmstate_load(&s, &vmstate_dev, &b, 0, &err));
    g_assert_nonnull(strstr(err->message, "older"));
    g_clear_error(&err);
    g_byte_array_unref(bytes);
}

static void test_truncated_and_garbage(void)
{
    Dev a, b;
    fill(&a);
    a.optional = 1;
    GByteArray *bytes = save(&a);

    /* Every strict prefix fails cleanly (ASan checks no overread). */
    for (guint len = 0; len < bytes->len; len++) {
        uint8_t *copy = g_memdup2(bytes->data, len);
        VMStream s;
        GError *err = NULL;
        vmstream_init_load(&s, copy, len);
        memset(&b, 0, sizeof(b));
        bool ok = vmstate_load(&s, &vmstate_dev, &b, 2, &err);
        /* A prefix that ends exactly before the subsection is valid. */
        if (len == 51) {
            g_assert_true(ok);
        } else {
            g_assert_false(ok);
            g_assert_nonnull(err);
            g_clear_error(&err);
        }
        g_free(copy);
    }

    /* A bool that is neither 0 nor 1 is rejected. */
    bytes->data[15] = 2;
    VMStream s;
    GError *err = NULL;
    vmstream_init_load(&s, bytes->data, bytes->len);
    g_assert_false(vmstate_load(&s, &vmstate_dev, &b, 2, &err));
    g_assert_nonnull(strstr(err->message, "flag"));
    g_clear_error(&err);

    /* Random bytes never crash the loader. */
    GRand *r = g_rand_new_with_seed(1234);
    for (int i = 0; i < 2000; i++) {
        uint8_t junk[80];
        guint len = g_rand_int_range(r, 0, sizeof(junk));
        for (guint j = 0; j < len; j++) {
            junk[j] = g_rand_int_range(r, 0, 256);
        }
        if (len > 51 && g_rand_boolean(r)) {
            junk[51] = 0x05;
        }
        vmstream_init_load(&s, junk, len);
        vmstate_load(&s, &vmstate_dev, &b, 2, &err);
        g_clear_error(&err);
    }
    g_rand_free(r);
    g_byte_array_unref(bytes);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmstate/round-trip", test_round_trip);
    g_test_add_func("/vmstate/subsection", test_subsection);
    g_test_add_func("/vmstate/old-version", test_old_version);
    g_test_add_func("/vmstate/truncated-and-garbage", test_truncated_and_garbage);
    return g_test_run();
}
