/*
 * hw/smbios: the structure table (every structure well formed: formatted
 * length, string set, unique handles, count and largest size as the entry
 * points say), Type 1 strings and UUID byte order, Type 4 per socket,
 * Type 17 per 16 GiB, Type 19 ranges above 4 GiB (and the extended
 * fields past 4 TiB), both entry points' checksums, and -smbios: each
 * type's keys, QEMU's error messages, file= structures.
 */
#include "hw/smbios/smbios.h"
#include "util/ldst.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct Struct {
    const uint8_t *p;
    size_t len;                     /* with the strings */
    const char *strings[32];
    unsigned nstrings;
} Struct;

/* Walk the table checking its shape; returns the structures. */
static GArray *walk(const SmbiosTables *t)
{
    GArray *a = g_array_new(false, true, sizeof(Struct));
    GHashTable *handles = g_hash_table_new(NULL, NULL);
    size_t off = 0, max = 0;

    while (off < t->len) {
        Struct s = { .p = t->data + off };
        g_assert_cmpuint(t->len - off, >=, 6);
        g_assert_cmpuint(s.p[1], >=, 4);
        size_t i = s.p[1];
        g_assert_cmpuint(i + 2, <=, t->len - off);
        if (!s.p[i] && !s.p[i + 1]) {
            i += 2;                 /* no strings */
        } else {
            while (s.p[i]) {
                g_assert_cmpuint(s.nstrings, <, 32);
                s.strings[s.nstrings++] = (const char *)s.p + i;
                i += strlen((const char *)s.p + i) + 1;
                g_assert_cmpuint(i, <, t->len - off);
            }
            i++;
        }
        s.len = i;
        max = MAX(max, s.len);
        uint16_t h = lduw_le_p(s.p + 2);
        g_assert_false(g_hash_table_contains(handles, GUINT_TO_POINTER(h)));
        g_hash_table_add(handles, GUINT_TO_POINTER(h));
        g_array_append_val(a, s);
        off += s.len;
        if (s.p[0] == 127) {
            break;
        }
    }
    g_assert_cmpuint(off, ==, t->len);
    g_assert_cmpuint(a->len, ==, t->count);
    g_assert_cmpuint(g_array_index(a, Struct, a->len - 1).p[0], ==, 127);
    g_assert_cmpuint(max, ==, t->max_struct);
    g_hash_table_unref(handles);
    return a;
}

static const char *str(const Struct *s, unsigned off)
{
    unsigned n = s->p[off];
    g_assert_cmpuint(n, <=, s->nstrings);
    return n ? s->strings[n - 1] : "";
}

static unsigned count_type(GArray *a, unsigned type, const Struct **first)
{
    unsigned n = 0;
    for (guint i = 0; i < a->len; i++) {
        const Struct *s = &g_array_index(a, Struct, i);
        if (s->p[0] == type) {
            if (!n && first) {
                *first = s;
            }
            n++;
        }
    }
    return n;
}

static const uint8_t test_uuid[16] = {
    0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78,
    0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78,
};

static SmbiosConfig base_config(void)
{
    return (SmbiosConfig) {
        .major = 3, .minor = 0,
        .bios_vendor = "kvmu", .bios_version = "0.1.0",
        .bios_date = "11/26/2026",
        .manufacturer = "QEMU",
        .product = "Standard PC (i440FX + PIIX, 1996)",
        .version = "pc-i440fx-8.2", .uuid = test_uuid,
        .sockets = 1, .cores_per_socket = 1, .threads_per_core = 1,
        .cpuid_1_eax = 0x00060fb1, .cpuid_1_edx = 0x078bfbfd,
        .ram_below_4g = 512ull << 20,
    };
}

static GArray *build(const SmbiosConfig *c, const SmbiosOptions *o,
                     SmbiosTables *t)
{
    smbios_build(c, o, t);
    return walk(t);
}

static void test_default_pc(void)
{
    SmbiosConfig c = base_config();
    SmbiosTables t;
    g_autoptr(GArray) a = build(&c, NULL, &t);
    static const uint8_t types[] = { 0, 1, 3, 4, 16, 17, 19, 32, 127 };
    const Struct *s = NULL;

    g_assert_cmpuint(a->len, ==, sizeof(types));
    for (guint i = 0; i < a->len; i++) {
        g_assert_cmpuint(g_array_index(a, Struct, i).p[0], ==, types[i]);
    }
    count_type(a, 0, &s);
    g_assert_cmpuint(s->p[1], ==, 0x18);
    g_assert_cmpstr(str(s, 4), ==, "kvmu");
    g_assert_cmpstr(str(s, 5), ==, "0.1.0");
    g_assert_cmpstr(str(s, 8), ==, "11/26/2026");
    g_assert_cmpuint(s->p[0x13], ==, 0x14);         /* VM, no UEFI */

    count_type(a, 1, &s);
    g_assert_cmpuint(s->p[1], ==, 0x1b);
    g_assert_cmpstr(str(s, 4), ==, "QEMU");
    g_assert_cmpstr(str(s, 5), ==, "Standard PC (i440FX + PIIX, 1996)");
    g_assert_cmpstr(str(s, 6), ==, "pc-i440fx-8.2");
    g_assert_cmpstr(str(s, 7), ==, "");
    /* what QEMU 7.2 gives for the same UUID: first 3 fields swapped */
    static const uint8_t enc[16] = {
        0x78, 0x56, 0x34, 0x12, 0x34, 0x12, 0x78, 0x56,
        0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78,
    };
    g_assert_cmpmem(s->p + 8, 16, enc, 16);
    g_assert_cmpuint(s->p[0x18], ==, 6);

    /* Type 3 exactly as QEMU 7.2's (structure bytes and strings) */
    count_type(a, 3, &s);
    static const uint8_t t3[22] = {
        3, 0x16, 0, 3, 1, 1, 2, 0, 0, 3, 3, 3, 2,
    };
    g_assert_cmpmem(s->p, 22, t3, 22);
    g_assert_cmpuint(s->nstrings, ==, 2);

    count_type(a, 4, &s);
    g_assert_cmpuint(s->p[1], ==, 42);
    g_assert_cmpstr(str(s, 4), ==, "CPU 0");
    g_assert_cmphex(ldq_le_p(s->p + 8), ==, 0x078bfbfd00060fb1ull);
    g_assert_cmpuint(lduw_le_p(s->p + 0x14), ==, 2000);
    g_assert_cmpuint(lduw_le_p(s->p + 0x16), ==, 2000);

    /* 16/17/19/32 as QEMU 7.2 builds them for -m 512 */
    static const uint8_t t16[23] = {
        16, 23, 0, 0x10, 1, 3, 6, 0, 0, 8, 0, 0xfe, 0xff, 1, 0,
    };
    count_type(a, 16, &s);
    g_assert_cmpmem(s->p, 23, t16, 23);
    static const uint8_t t17[40] = {
        17, 40, 0, 0x11, 0, 0x10, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff,
        0, 2, 9, 0, 1, 0, 7, 2, 0, 0, 0, 2,
    };
    count_type(a, 17, &s);
    g_assert_cmpmem(s->p, 40, t17, 40);
    g_assert_cmpstr(str(s, 0x10), ==, "DIMM 0");
    static const uint8_t t19[31] = {
        19, 31, 0, 0x13, 0, 0, 0, 0, 0xff, 0xff, 7, 0, 0, 0x10, 1,
    };
    count_type(a, 19, &s);
    g_assert_cmpmem(s->p, 31, t19, 31);
    static const uint8_t t32[13] = { 32, 11, 0, 0x20, 0, 0, 0, 0, 0, 0, 0,
                                     0, 0 };
    count_type(a, 32, &s);
    g_assert_cmpmem(s->p, 13, t32, 13);
    g_free(t.data);
}

static void test_no_type0_for_firmware(void)
{
    SmbiosConfig c = base_config();
    SmbiosTables t;

    c.bios_vendor = NULL;
    g_autoptr(GArray) a = build(&c, NULL, &t);
    g_assert_cmpuint(count_type(a, 0, NULL), ==, 0);
    g_assert_cmpuint(g_array_index(a, Struct, 0).p[0], ==, 1);
    g_free(t.data);
}

static void test_type4_per_socket(void)
{
    SmbiosConfig c = base_config();
    SmbiosTables t;
    const Struct *s = NULL;

    c.sockets = 3;
    c.cores_per_socket = 4;
    c.threads_per_core = 2;
    g_autoptr(GArray) a = build(&c, NULL, &t);
    g_assert_cmpuint(count_type(a, 4, &s), ==, 3);
    for (unsigned i = 0; i < 3; i++) {
        g_autofree char *name = g_strdup_printf("CPU %u", i);
        g_assert_cmpuint(s[i].p[0], ==, 4);
        g_assert_cmpuint(lduw_le_p(s[i].p + 2), ==, 0x400 + i);
        g_assert_cmpstr(str(&s[i], 4), ==, name);
        g_assert_cmpuint(s[i].p[0x23], ==, 4);      /* cores */
        g_assert_cmpuint(s[i].p[0x24], ==, 4);      /* enabled */
        g_assert_cmpuint(s[i].p[0x25], ==, 8);      /* threads/socket */
    }
    g_free(t.data);
}

static void test_memory_devices(void)
{
    SmbiosConfig c = base_config();
    SmbiosTables t;
    const Struct *s = NULL;

    /* 3 GiB below 4G, 37 GiB above: 16 + 16 + 8 GiB DIMMs */
    c.ram_below_4g = 3ull << 30;
    c.ram_above_4g = 37ull << 30;
    g_autoptr(GArray) a = build(&c, NULL, &t);
    count_type(a, 16, &s);
    g_assert_cmpuint(ldl_le_p(s->p + 7), ==, 40u << 20);   /* KiB */
    g_assert_cmpuint(lduw_le_p(s->p + 0xd), ==, 3);
    g_assert_cmpuint(count_type(a, 17, &s), ==, 3);
    static const unsigned mib[3] = { 16384, 16384, 8192 };
    for (unsigned i = 0; i < 3; i++) {
        g_autofree char *loc = g_strdup_printf("DIMM %u", i);
        g_assert_cmpuint(lduw_le_p(s[i].p + 0xc), ==, mib[i]);
        g_assert_cmpuint(lduw_le_p(s[i].p + 4), ==, 0x1000);
        g_assert_cmpstr(str(&s[i], 0x10), ==, loc);
    }
    g_assert_cmpuint(count_type(a, 19, &s), ==, 2);
    g_assert_cmpuint(ldl_le_p(s[0].p + 4), ==, 0);
    g_assert_cmpuint(ldl_le_p(s[0].p + 8), ==, (3u << 20) - 1);
    g_assert_cmpuint(ldl_le_p(s[1].p + 4), ==, 4u << 20);
    g_assert_cmpuint(ldl_le_p(s[1].p + 8), ==, (41u << 20) - 1);
    g_free(t.data);

    /* 6 TiB: Type 16's and the high Type 19's extended fields */
    c.ram_above_4g = (6ull << 40) - c.ram_below_4g;
    g_autoptr(GArray) b = build(&c, NULL, &t);
    count_type(b, 16, &s);
    g_assert_cmphex(ldl_le_p(s->p + 7), ==, 0x80000000u);
    g_assert_cmpuint(ldq_le_p(s->p + 0xf), ==, 6ull << 40);
    g_assert_cmpuint(lduw_le_p(s->p + 0xd), ==, 6 * 64);
    g_assert_cmpuint(count_type(b, 17, NULL), ==, 6 * 64);
    g_assert_cmpuint(count_type(b, 19, &s), ==, 2);
    g_assert_cmphex(ldl_le_p(s[1].p + 4), ==, 0xffffffffu);
    g_assert_cmphex(ldq_le_p(s[1].p + 0xf), ==, 1ull << 32);
    g_assert_cmphex(ldq_le_p(s[1].p + 0x17), ==,
                    (1ull << 32) + c.ram_above_4g - 1);
    g_free(t.data);

    /* 10 TiB: 640 DIMMs; handles stay unique (walk() checks) */
    c.ram_above_4g = (10ull << 40) - c.ram_below_4g;
    g_autoptr(GArray) d = build(&c, NULL, &t);
    g_assert_cmpuint(count_type(d, 17, NULL), ==, 640);
    g_free(t.data);
}

static uint8_t sum(const uint8_t *p, size_t len)
{
    uint8_t s = 0;
    while (len--) {
        s += *p++;
    }
    return s;
}

static void test_entry_points(void)
{
    SmbiosConfig c = base_config();
    SmbiosTables t;
    uint8_t ep21[SMBIOS_EP21_LEN], ep30[SMBIOS_EP30_LEN];

    c.major = 2;
    c.minor = 8;
    smbios_build(&c, NULL, &t);
    g_assert_true(smbios_entry_point_21(ep21, &c, &t, 0xf5a00));
    g_assert_cmpmem(ep21, 4, "_SM_", 4);
    g_assert_cmpuint(sum(ep21, sizeof(ep21)), ==, 0);
    g_assert_cmpmem(ep21 + 0x10, 5, "_DMI_", 5);
    g_assert_cmpuint(sum(ep21 + 0x10, 0x0f), ==, 0);
    g_assert_cmpuint(ep21[5], ==, 0x1f);
    g_assert_cmpuint(ep21[6], ==, 2);
    g_assert_cmpuint(ep21[7], ==, 8);
    g_assert_cmpuint(ep21[0x1e], ==, 0x28);
    g_assert_cmpuint(lduw_le_p(ep21 + 8), ==, t.max_struct);
    g_assert_cmpuint(lduw_le_p(ep21 + 0x16), ==, t.len);
    g_assert_cmphex(ldl_le_p(ep21 + 0x18), ==, 0xf5a00);
    g_assert_cmpuint(lduw_le_p(ep21 + 0x1c), ==, t.count);

    c.major = 3;
    c.minor = 0;
    smbios_entry_point_30(ep30, &c, &t, 0x123456789ull);
    g_assert_cmpmem(ep30, 5, "_SM3_", 5);
    g_assert_cmpuint(sum(ep30, sizeof(ep30)), ==, 0);
    g_assert_cmpuint(ep30[6], ==, 24);
    g_assert_cmpuint(ep30[7], ==, 3);
    g_assert_cmpuint(ep30[10], ==, 1);
    g_assert_cmpuint(ldl_le_p(ep30 + 0xc), ==, t.len);
    g_assert_cmphex(ldq_le_p(ep30 + 0x10), ==, 0x123456789ull);
    g_free(t.data);

    /* the direct-boot blob: anchor then tables, 16-byte aligned */
    size_t len;
    GError *err = NULL;
    g_autofree uint8_t *blob = smbios_build_blob(&c, NULL, 0xf1000, 0xf000,
                                                 &len, &err);
    g_assert_no_error(err);
    g_assert_cmpmem(blob, 5, "_SM3_", 5);
    g_assert_cmpuint(sum(blob, SMBIOS_EP30_LEN), ==, 0);
    g_assert_cmphex(ldq_le_p(blob + 0x10), ==, 0xf1040);
    g_assert_cmpuint(len, ==, 0x40 + ldl_le_p(blob + 0xc));
    g_assert_cmpmem(blob + 0x20, 4, "_SM_", 4);
    g_assert_cmpuint(sum(blob + 0x20, SMBIOS_EP21_LEN), ==, 0);
    g_assert_cmpuint(blob[0x26], ==, 2);
    g_assert_cmpuint(blob[0x27], ==, 8);
    g_assert_cmphex(ldl_le_p(blob + 0x38), ==, 0xf1040);
    g_assert_cmpuint(blob[0x40], ==, 0);                /* Type 0 first */
    g_assert_cmpuint(blob[0x41], ==, 0x18);
    g_assert_null(smbios_build_blob(&c, NULL, 0xf1000, 64, &len, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
}

static void add_ok(SmbiosOptions *o, const char *arg)
{
    GError *err = NULL;
    if (!smbios_options_add(o, arg, &err)) {
        g_test_message("'%s': %s", arg, err->message);
        g_test_fail();
        g_error_free(err);
    }
}

static void test_options_override(void)
{
    g_autoptr(SmbiosOptions) o = smbios_options_new();
    SmbiosConfig c = base_config();
    SmbiosTables t;
    const Struct *s = NULL;

    c.bios_vendor = NULL;                   /* firmware boot */
    c.uuid = NULL;                          /* else the machine's wins */
    c.sockets = 2;
    add_ok(o, "type=0,vendor=V0,version=VV,date=01/02/2023,release=1.2,"
              "uefi=on");
    add_ok(o, "type=1,manufacturer=M1,product=P1,version=V1,serial=S1,"
              "sku=K1,family=F1,uuid=00112233-4455-6677-8899-aabbccddeeff");
    add_ok(o, "type=1,serial=S1b");         /* a later value wins */
    add_ok(o, "type=2,manufacturer=M2,location=L2");
    add_ok(o, "type=3,manufacturer=M3,sku=K3");
    add_ok(o, "type=4,sock_pfx=SP,max-speed=3000,current-speed=2500,"
              "part=P4,processor-family=0x118,processor-id=0x1234");
    add_ok(o, "type=8,internal_reference=JUSB1,external_reference=USB1,"
              "connector_type=0x12,port_type=0x10");
    add_ok(o, "type=8,internal_reference=PS2,external_reference=Mouse,"
              "connector_type=0x0f,port_type=0x0e");
    add_ok(o, "type=11,value=hello,value=world");
    add_ok(o, "type=11,value=again");
    add_ok(o, "type=17,loc_pfx=LP,bank=B,speed=1600,manufacturer=M17");
    g_assert_true(smbios_options_have_type(o, 0));
    g_assert_false(smbios_options_have_type(o, 16));

    g_autoptr(GArray) a = build(&c, o, &t);
    count_type(a, 0, &s);
    g_assert_cmpstr(str(s, 4), ==, "V0");
    g_assert_cmpstr(str(s, 5), ==, "VV");
    g_assert_cmpstr(str(s, 8), ==, "01/02/2023");
    g_assert_cmpuint(s->p[0x14], ==, 1);
    g_assert_cmpuint(s->p[0x15], ==, 2);
    g_assert_cmpuint(s->p[0x13], ==, 0x1c);         /* UEFI bit too */
    count_type(a, 1, &s);
    g_assert_cmpstr(str(s, 4), ==, "M1");
    g_assert_cmpstr(str(s, 5), ==, "P1");
    g_assert_cmpstr(str(s, 6), ==, "V1");
    g_assert_cmpstr(str(s, 7), ==, "S1b");
    g_assert_cmpstr(str(s, 0x19), ==, "K1");
    g_assert_cmpstr(str(s, 0x1a), ==, "F1");
    g_assert_cmphex(ldl_le_p(s->p + 8), ==, 0x00112233);
    g_assert_cmpuint(s->p[0x10], ==, 0x88);
    g_assert_cmpuint(count_type(a, 2, &s), ==, 1);
    g_assert_cmpstr(str(s, 4), ==, "M2");
    g_assert_cmpstr(str(s, 5), ==, "Standard PC (i440FX + PIIX, 1996)");
    g_assert_cmpstr(str(s, 0xa), ==, "L2");
    g_assert_cmphex(lduw_le_p(s->p + 0xb), ==, 0x300);
    count_type(a, 3, &s);
    g_assert_cmpstr(str(s, 4), ==, "M3");
    g_assert_cmpstr(str(s, 0x15), ==, "K3");
    g_assert_cmpuint(count_type(a, 4, &s), ==, 2);
    g_assert_cmpstr(str(&s[0], 4), ==, "SP 0");
    g_assert_cmpstr(str(&s[1], 4), ==, "SP 1");
    g_assert_cmpstr(str(&s[1], 0x22), ==, "P4");
    g_assert_cmpuint(lduw_le_p(s->p + 0x14), ==, 3000);
    g_assert_cmpuint(lduw_le_p(s->p + 0x16), ==, 2500);
    g_assert_cmpuint(s->p[6], ==, 0xfe);            /* see family 2 */
    g_assert_cmphex(lduw_le_p(s->p + 0x28), ==, 0x118);
    g_assert_cmphex(ldq_le_p(s->p + 8), ==, 0x1234);
    g_assert_true(smbios_options_have_type(o, 8));
    g_assert_cmpuint(count_type(a, 8, &s), ==, 2);
    g_assert_cmpuint(s[0].p[1], ==, 9);
    g_assert_cmpstr(str(&s[0], 4), ==, "JUSB1");
    g_assert_cmpstr(str(&s[0], 6), ==, "USB1");
    g_assert_cmphex(s[0].p[7], ==, 0x12);
    g_assert_cmphex(s[0].p[8], ==, 0x10);
    g_assert_cmphex(lduw_le_p(s[1].p + 2), ==, 0x801);
    g_assert_cmpstr(str(&s[1], 6), ==, "Mouse");
    g_assert_cmphex(s[1].p[8], ==, 0x0e);
    g_assert_cmpuint(count_type(a, 11, &s), ==, 1);
    g_assert_cmpuint(s->p[4], ==, 3);
    g_assert_cmpstr(s->strings[0], ==, "hello");
    g_assert_cmpuint(s->nstrings, ==, 3);
    g_assert_cmpstr(s->strings[1], ==, "world");
    g_assert_cmpstr(s->strings[2], ==, "again");
    count_type(a, 17, &s);
    g_assert_cmpstr(str(s, 0x10), ==, "LP 0");
    g_assert_cmpstr(str(s, 0x11), ==, "B");
    g_assert_cmpstr(str(s, 0x17), ==, "M17");
    g_assert_cmpuint(lduw_le_p(s->p + 0x15), ==, 1600);
    g_assert_cmpuint(lduw_le_p(s->p + 0x20), ==, 1600);
    g_free(t.data);
}

/* What libvirt/OpenStack pass: spaces, ",," for a comma, empty values */
static void test_options_libvirt_style(void)
{
    g_autoptr(SmbiosOptions) o = smbios_options_new();
    SmbiosConfig c = base_config();
    SmbiosTables t;
    const Struct *s = NULL;

    add_ok(o, "type=1,manufacturer=OpenStack Foundation,product=OpenStack "
              "Nova,version=27.1.0,serial=a,,b,uuid=00112233-4455-6677-"
              "8899-aabbccddeeff,family=Virtual Machine,sku=");
    g_autoptr(GArray) a = build(&c, o, &t);
    count_type(a, 1, &s);
    g_assert_cmpstr(str(s, 4), ==, "OpenStack Foundation");
    g_assert_cmpstr(str(s, 5), ==, "OpenStack Nova");
    g_assert_cmpstr(str(s, 6), ==, "27.1.0");
    g_assert_cmpstr(str(s, 7), ==, "a,b");
    g_assert_cmpuint(s->p[0x19], ==, 0);            /* empty: no string */
    g_assert_cmpstr(str(s, 0x1a), ==, "Virtual Machine");
    g_free(t.data);
}

static void test_options_errors(void)
{
    static const char *const bad[][2] = {
        { "foo=bar", "Must specify type= or file=" },
        { "", "Must specify type= or file=" },
        { "type=5", "Don't know how to build fields for SMBIOS type 5" },
        { "type=abc", "Parameter 'type' expects a number" },
        { "type=1,foo=bar", "Invalid parameter 'foo'" },
        { "type=2,sku=x", "Invalid parameter 'sku'" },
        { "type=3,location=x", "Invalid parameter 'location'" },
        { "type=0,release=x", "Invalid release" },
        { "type=0,release=1", "Invalid release" },
        { "type=0,uefi=maybe", "Parameter 'uefi' expects 'on' or 'off'" },
        { "type=1,uuid=zz", "Invalid UUID" },
        { "type=4,max-speed=abc", "Parameter 'max-speed' expects a number" },
        { "type=4,current-speed=70000",
          "SMBIOS CPU speed is too large (> 65535)" },
        { "type=1,file=/x", "Invalid parameter 'type'" },
        { "type=8,port_type=256",
          "SMBIOS port type is too large (> 255)" },
        { "type=8,foo=1", "Invalid parameter 'foo'" },
        { "type=4,processor-family=0x10000",
          "SMBIOS processor family is too large (> 65535)" },
        { "file=/nonexistent/smbios.bin",
          "Cannot read SMBIOS file /nonexistent/smbios.bin" },
        { "type=11,path=/nonexistent/oem",
          "Could not open '/nonexistent/oem': No such file or directory" },
        { "type=11,path=/dev/zero",
          "Could not read '/dev/zero': not a regular file" },
    };
    g_autoptr(SmbiosOptions) o = smbios_options_new();

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *err = NULL;
        g_assert_false(smbios_options_add(o, bad[i][0], &err));
        g_assert_nonnull(err);
        g_assert_cmpstr(err->message, ==, bad[i][1]);
        g_error_free(err);
    }
    for (unsigned ty = 0; ty < 128; ty++) {
        g_assert_false(smbios_options_have_type(o, ty));
    }
}

static void test_options_file(void)
{
    g_autofree char *dir = g_dir_make_tmp("smbios-XXXXXX", NULL);
    g_autofree char *good = g_build_filename(dir, "good.bin", NULL);
    g_autofree char *bad = g_build_filename(dir, "bad.bin", NULL);
    g_autofree char *arg = g_strdup_printf("file=%s", good);
    g_autofree char *badarg = g_strdup_printf("file=%s", bad);
    /* a Type 1 with two strings and a vendor Type 200 without strings */
    static const uint8_t blob[] = {
        1, 0x1b, 0x34, 0x12, 1, 2, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0,
        'F', 'i', 'l', 'e', 0, 'B', 'o', 'x', 0, 0,
        200, 5, 0x00, 0xc8, 0x42, 0, 0,
    };
    static const uint8_t truncated[] = { 1, 0x1b, 0, 1, 'x', 0 };
    g_autoptr(SmbiosOptions) o = smbios_options_new();
    SmbiosConfig c = base_config();
    SmbiosTables t;
    GError *err = NULL;
    const Struct *s = NULL;

    g_assert_true(g_file_set_contents(good, (const char *)blob,
                                      sizeof(blob), NULL));
    g_assert_true(g_file_set_contents(bad, (const char *)truncated,
                                      sizeof(truncated), NULL));
    g_assert_false(smbios_options_add(o, badarg, &err));
    g_assert_true(g_str_has_prefix(err->message, "SMBIOS file "));
    g_clear_error(&err);
    /* a type comes from fields or a file, not both (QEMU's errors) */
    g_autoptr(SmbiosOptions) mixed = smbios_options_new();
    add_ok(mixed, "type=1,serial=x");
    g_assert_false(smbios_options_add(mixed, arg, &err));
    g_assert_cmpstr(err->message, ==,
                    "can't load type 1 struct, fields already specified!");
    g_clear_error(&err);
    add_ok(o, arg);
    g_assert_false(smbios_options_add(o, "type=1,serial=x", &err));
    g_assert_cmpstr(err->message, ==,
                    "can't add fields, binary file already loaded!");
    g_clear_error(&err);
    add_ok(o, "type=3,serial=S3");          /* other types still can */
    /* type=11,path=: the file's text is one more OEM string, in order */
    g_autofree char *oem = g_build_filename(dir, "oem.txt", NULL);
    g_autofree char *oemarg = g_strdup_printf("type=11,value=first,path=%s,"
                                              "value=last", oem);
    g_assert_true(g_file_set_contents(oem, "from-file", -1, NULL));
    add_ok(o, oemarg);
    g_assert_true(smbios_options_have_type(o, 200));

    g_autoptr(GArray) a = build(&c, o, &t);
    g_assert_cmpuint(count_type(a, 1, &s), ==, 1);
    g_assert_cmphex(lduw_le_p(s->p + 2), ==, 0x1234);
    g_assert_cmpstr(str(s, 4), ==, "File");
    g_assert_cmpstr(str(s, 5), ==, "Box");
    g_assert_cmpuint(count_type(a, 200, &s), ==, 1);
    g_assert_cmpuint(s->len, ==, 7);
    g_assert_cmpuint(count_type(a, 4, NULL), ==, 1);   /* still built */
    g_assert_cmpuint(count_type(a, 11, &s), ==, 1);
    g_assert_cmpuint(s->nstrings, ==, 3);
    g_assert_cmpstr(s->strings[0], ==, "first");
    g_assert_cmpstr(s->strings[1], ==, "from-file");
    g_assert_cmpstr(s->strings[2], ==, "last");
    g_free(t.data);
    g_unlink(oem);
    g_unlink(good);
    g_unlink(bad);
    g_rmdir(dir);
}

/* Random -smbios arguments and files: never a crash, and whatever is
 * accepted still builds a well-formed table. */
static void test_options_random(void)
{
    static const char *const words[] = {
        "type=", "0", "1", "2", "3", "4", "11", "17", "127", "-1", "x",
        ",", ",,", "=", "vendor=", "serial=", "uuid=", "release=", "uefi=",
        "value=", "path=", "file=", "max-speed=", "speed=", "loc_pfx=",
        "sock_pfx=", "processor-family=", "on", "1.2", "65536", "",
        "12345678-1234-5678-9abc-def012345678", "\xff", "help", "?",
    };
    g_autofree char *dir = g_dir_make_tmp("smbios-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "rand.bin", NULL);
    GRand *rand = g_rand_new_with_seed(0x5eed);

    for (int round = 0; round < 300; round++) {
        g_autoptr(SmbiosOptions) o = smbios_options_new();
        for (int n = 0; n < 6; n++) {
            g_autoptr(GString) arg = g_string_new(NULL);
            int len = g_rand_int_range(rand, 0, 8);
            for (int i = 0; i < len; i++) {
                g_string_append(arg, words[g_rand_int_range(
                    rand, 0, G_N_ELEMENTS(words))]);
            }
            GError *err = NULL;
            if (!smbios_options_add(o, arg->str, &err)) {
                g_assert_nonnull(err);
                g_error_free(err);
            }
        }
        /* a file of random structures, sometimes well formed */
        uint8_t blob[96];
        size_t blen = g_rand_int_range(rand, 0, sizeof(blob));
        for (size_t i = 0; i < blen; i++) {
            blob[i] = g_rand_boolean(rand) ? 0 : g_rand_int(rand);
        }
        g_assert_true(g_file_set_contents(path, (const char *)blob, blen,
                                          NULL));
        g_autofree char *arg = g_strdup_printf("file=%s", path);
        GError *err = NULL;
        if (!smbios_options_add(o, arg, &err)) {
            g_error_free(err);
        }
        SmbiosConfig c = base_config();
        SmbiosTables t;
        c.sockets = g_rand_int_range(rand, 0, 5);
        g_autoptr(GArray) a = build(&c, o, &t);
        g_assert_cmpuint(a->len, >=, 2);
        g_free(t.data);
    }
    g_rand_free(rand);
    g_unlink(path);
    g_rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/smbios/default-pc", test_default_pc);
    g_test_add_func("/smbios/no-type0-for-firmware",
                    test_no_type0_for_firmware);
    g_test_add_func("/smbios/type4-per-socket", test_type4_per_socket);
    g_test_add_func("/smbios/memory-devices", test_memory_devices);
    g_test_add_func("/smbios/entry-points", test_entry_points);
    g_test_add_func("/smbios/options-override", test_options_override);
    g_test_add_func("/smbios/options-errors", test_options_errors);
    g_test_add_func("/smbios/options-libvirt-style",
                    test_options_libvirt_style);
    g_test_add_func("/smbios/options-file", test_options_file);
    g_test_add_func("/smbios/options-random", test_options_random);
    return g_test_run();
}
