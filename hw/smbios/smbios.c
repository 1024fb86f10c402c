/*
 * The SMBIOS structure table (DMTF DSP0134) of a PC as QEMU's pc board
 * describes it: Type 0 BIOS (only when the board or -smbios asks: SeaBIOS
 * adds its own), 1 system, 2 baseboard (only with -smbios type=2), 3
 * chassis, 4 processor per socket, 8 port connectors and 11 OEM strings
 * (only with -smbios type=8/11), 16 memory array, 17 memory device per 16 GiB, 19 mapped
 * address ranges (below and above 4 GiB), 32 boot information, 127 end;
 * and the 2.1 (32-bit) and 3.0 (64-bit) entry points. Layouts follow
 * DSP0134 3.x with the lengths QEMU 7.2 uses (Type 4: 2.6's 42 bytes,
 * Type 17: 2.8's 40 bytes), so the guest sees the same fields.
 * Not built: caches (Type 7), slots (9), onboard devices (41).
 */
#include "hw/smbios/smbios-int.h"
#include "util/ldst.h"

#include <stdio.h>
#include <string.h>

typedef struct SmbiosBuilder {
    GByteArray *buf;
    size_t start;                   /* of the structure being built */
    GPtrArray *strings;             /* its string set (borrowed) */
    unsigned count;
    size_t max_struct;
    const SmbiosOptions *opts;
} SmbiosBuilder;

static void t_begin(SmbiosBuilder *b, uint8_t type, uint16_t handle,
                    uint8_t len)
{
    static const uint8_t zeros[256];

    b->start = b->buf->len;
    g_byte_array_append(b->buf, zeros, len);
    b->buf->data[b->start] = type;
    b->buf->data[b->start + 1] = len;
    stw_le_p(b->buf->data + b->start + 2, handle);
    g_ptr_array_set_size(b->strings, 0);
}

static uint8_t *t_at(SmbiosBuilder *b, unsigned off)
{
    return b->buf->data + b->start + off;
}

static void t_u8(SmbiosBuilder *b, unsigned off, uint8_t v)
{
    *t_at(b, off) = v;
}

static void t_u16(SmbiosBuilder *b, unsigned off, uint16_t v)
{
    stw_le_p(t_at(b, off), v);
}

static void t_u32(SmbiosBuilder *b, unsigned off, uint32_t v)
{
    stl_le_p(t_at(b, off), v);
}

static void t_u64(SmbiosBuilder *b, unsigned off, uint64_t v)
{
    stq_le_p(t_at(b, off), v);
}

/* A string field: its number in the set, or 0 for none/empty. The
 * string must live until t_end(). */
static void t_str(SmbiosBuilder *b, unsigned off, const char *s)
{
    if (!s || !*s) {
        t_u8(b, off, 0);
        return;
    }
    for (guint i = 0; i < b->strings->len; i++) {
        if (!strcmp(g_ptr_array_index(b->strings, i), s)) {
            t_u8(b, off, i + 1);
            return;
        }
    }
    g_ptr_array_add(b->strings, (gpointer)s);
    t_u8(b, off, b->strings->len);
}

static void t_end(SmbiosBuilder *b)
{
    for (guint i = 0; i < b->strings->len; i++) {
        const char *s = g_ptr_array_index(b->strings, i);
        g_byte_array_append(b->buf, (const guint8 *)s, strlen(s) + 1);
    }
    if (!b->strings->len) {
        g_byte_array_append(b->buf, (const guint8 *)"", 1);
    }
    g_byte_array_append(b->buf, (const guint8 *)"", 1);
    b->count++;
    b->max_struct = MAX(b->max_struct, b->buf->len - b->start);
}

/* -smbios type=N,key=... if given, else dflt */
static const char *opt(const SmbiosBuilder *b, unsigned type,
                       const char *key, const char *dflt)
{
    const KeyvalList *kv = b->opts ? b->opts->fields[type] : NULL;
    const char *v = kv ? keyval_get(kv, key) : NULL;
    return v ? v : dflt;
}

static uint64_t opt_uint(const SmbiosBuilder *b, unsigned type,
                         const char *key, uint64_t dflt)
{
    const char *v = opt(b, type, key, NULL);
    return v ? g_ascii_strtoull(v, NULL, 0) : dflt;     /* checked */
}

static bool generated(const SmbiosBuilder *b, unsigned type)
{
    return !b->opts || !b->opts->file_types[type];
}

static void build_type0(SmbiosBuilder *b, const SmbiosConfig *cfg)
{
    uint8_t major = cfg->bios_major, minor = cfg->bios_minor;
    const char *release = opt(b, 0, "release", NULL);

    if (release) {
        smbios_parse_release(release, &major, &minor);
    }
    t_begin(b, 0, 0x0000, 0x18);
    t_str(b, 0x04, opt(b, 0, "vendor", cfg->bios_vendor));
    t_str(b, 0x05, opt(b, 0, "version", cfg->bios_version));
    t_u16(b, 0x06, 0xe800);                 /* starting segment */
    t_str(b, 0x08, opt(b, 0, "date", cfg->bios_date));
    t_u8(b, 0x09, 0);                       /* ROM size: 64 KiB */
    t_u64(b, 0x0a, 1 << 3);                 /* characteristics unsupp. */
    /* extension byte 2: targeted content distribution, virtual machine,
     * UEFI if -smbios type=0,uefi=on */
    t_u8(b, 0x13, 0x14 | (!g_strcmp0(opt(b, 0, "uefi", "off"), "on") << 3));
    t_u8(b, 0x14, major);
    t_u8(b, 0x15, minor);
    t_u8(b, 0x16, 0xff);                    /* no embedded controller */
    t_u8(b, 0x17, 0xff);
    t_end(b);
}

static void build_type1(SmbiosBuilder *b, const SmbiosConfig *cfg)
{
    uint8_t uuid[16] = { 0 };
    const char *u = opt(b, 1, "uuid", NULL);

    /* the board's UUID is the machine's (the command line already made
     * -smbios type=1,uuid= that, as QEMU does) */
    if (cfg->uuid) {
        memcpy(uuid, cfg->uuid, 16);
    } else if (u) {
        smbios_parse_uuid(u, uuid);
    }
    t_begin(b, 1, 0x0100, 0x1b);
    t_str(b, 0x04, opt(b, 1, "manufacturer", cfg->manufacturer));
    t_str(b, 0x05, opt(b, 1, "product", cfg->product));
    t_str(b, 0x06, opt(b, 1, "version", cfg->version));
    t_str(b, 0x07, opt(b, 1, "serial", NULL));
    /* DSP0134 7.2.1: time_low, time_mid, time_hi little-endian */
    t_u32(b, 0x08, (uint32_t)uuid[0] << 24 | uuid[1] << 16 | uuid[2] << 8 |
                   uuid[3]);
    t_u16(b, 0x0c, uuid[4] << 8 | uuid[5]);
    t_u16(b, 0x0e, uuid[6] << 8 | uuid[7]);
    memcpy(t_at(b, 0x10), uuid + 8, 8);
    t_u8(b, 0x18, 0x06);                    /* wake-up: power switch */
    t_str(b, 0x19, opt(b, 1, "sku", NULL));
    t_str(b, 0x1a, opt(b, 1, "family", NULL));
    t_end(b);
}

static void build_type2(SmbiosBuilder *b, const SmbiosConfig *cfg)
{
    t_begin(b, 2, 0x0200, 0x0f);
    t_str(b, 0x04, opt(b, 2, "manufacturer", cfg->manufacturer));
    t_str(b, 0x05, opt(b, 2, "product", cfg->product));
    t_str(b, 0x06, opt(b, 2, "version", cfg->version));
    t_str(b, 0x07, opt(b, 2, "serial", NULL));
    t_str(b, 0x08, opt(b, 2, "asset", NULL));
    t_u8(b, 0x09, 0x01);                    /* a hosting board */
    t_str(b, 0x0a, opt(b, 2, "location", NULL));
    t_u16(b, 0x0b, 0x0300);                 /* in the Type 3 chassis */
    t_u8(b, 0x0d, 0x0a);                    /* motherboard */
    t_end(b);
}

static void build_type3(SmbiosBuilder *b, const SmbiosConfig *cfg)
{
    t_begin(b, 3, 0x0300, 0x16);
    t_str(b, 0x04, opt(b, 3, "manufacturer", cfg->manufacturer));
    t_u8(b, 0x05, 0x01);                    /* other */
    t_str(b, 0x06, opt(b, 3, "version", cfg->version));
    t_str(b, 0x07, opt(b, 3, "serial", NULL));
    t_str(b, 0x08, opt(b, 3, "asset", NULL));
    t_u8(b, 0x09, 0x03);                    /* boot-up state: safe */
    t_u8(b, 0x0a, 0x03);                    /* power supply: safe */
    t_u8(b, 0x0b, 0x03);                    /* thermal: safe */
    t_u8(b, 0x0c, 0x02);                    /* security: unknown */
    t_str(b, 0x15, opt(b, 3, "sku", NULL));
    t_end(b);
}

static void build_type4(SmbiosBuilder *b, const SmbiosConfig *cfg,
                        unsigned socket)
{
    unsigned cores = MAX(cfg->cores_per_socket, 1);
    unsigned threads = cores * MAX(cfg->threads_per_core, 1);
    uint64_t id = (uint64_t)cfg->cpuid_1_edx << 32 | cfg->cpuid_1_eax;
    g_autofree char *sock = g_strdup_printf("%s%2x",
                                            opt(b, 4, "sock_pfx", "CPU"),
                                            socket);

    t_begin(b, 4, 0x0400 + socket, 0x2a);
    t_str(b, 0x04, sock);
    t_u8(b, 0x05, 0x03);                    /* central processor */
    /* family: other, or -smbios type=4,processor-family= (values past
     * 0xfd only in the Processor Family 2 field) */
    uint16_t family = opt_uint(b, 4, "processor-family", 0x01);
    t_u8(b, 0x06, family < 0xfe ? family : 0xfe);
    t_str(b, 0x07, opt(b, 4, "manufacturer", cfg->manufacturer));
    t_u64(b, 0x08, opt_uint(b, 4, "processor-id", id));
    t_str(b, 0x10, opt(b, 4, "version", cfg->version));
    t_u16(b, 0x14, opt_uint(b, 4, "max-speed", 2000));
    t_u16(b, 0x16, opt_uint(b, 4, "current-speed", 2000));
    t_u8(b, 0x18, 0x41);                    /* populated, enabled */
    t_u8(b, 0x19, 0x01);                    /* upgrade: other */
    t_u16(b, 0x1a, 0xffff);                 /* no cache structures */
    t_u16(b, 0x1c, 0xffff);
    t_u16(b, 0x1e, 0xffff);
    t_str(b, 0x20, opt(b, 4, "serial", NULL));
    t_str(b, 0x21, opt(b, 4, "asset", NULL));
    t_str(b, 0x22, opt(b, 4, "part", NULL));
    t_u8(b, 0x23, MIN(cores, 255));         /* core count, enabled */
    t_u8(b, 0x24, MIN(cores, 255));
    t_u8(b, 0x25, MIN(threads, 255));       /* threads per socket */
    t_u16(b, 0x26, 0x0002);                 /* characteristics: unknown */
    t_u16(b, 0x28, family);
    t_end(b);
}

static void build_type8(SmbiosBuilder *b, unsigned i)
{
    const KeyvalList *kv = g_ptr_array_index(b->opts->ports, i);
    const char *conn = keyval_get(kv, "connector_type");
    const char *port = keyval_get(kv, "port_type");

    t_begin(b, 8, 0x0800 + i, 0x09);
    t_str(b, 0x04, keyval_get(kv, "internal_reference"));
    t_u8(b, 0x05, 0);                       /* internal connector: none */
    t_str(b, 0x06, keyval_get(kv, "external_reference"));
    t_u8(b, 0x07, conn ? g_ascii_strtoull(conn, NULL, 0) : 0);  /* checked */
    t_u8(b, 0x08, port ? g_ascii_strtoull(port, NULL, 0) : 0);
    t_end(b);
}

static void build_type11(SmbiosBuilder *b)
{
    g_autoptr(GPtrArray) values = keyval_get_all(b->opts->fields[11],
                                                 "value");
    unsigned n = 0;

    t_begin(b, 11, 0x0b00, 0x05);
    /* the string set is not de-duplicated here: OEM strings are
     * numbered by position */
    for (guint i = 0; i < values->len && n < 255; i++) {
        const char *s = g_ptr_array_index(values, i);
        g_ptr_array_add(b->strings, (gpointer)(*s ? s : " "));
        n++;
    }
    t_u8(b, 0x04, n);
    t_end(b);
}

static unsigned dimm_count(const SmbiosConfig *cfg)
{
    uint64_t ram = cfg->ram_below_4g + cfg->ram_above_4g;
    return MAX((ram + SMBIOS_DIMM_MAX - 1) / SMBIOS_DIMM_MAX, 1);
}

static void build_type16(SmbiosBuilder *b, const SmbiosConfig *cfg)
{
    uint64_t ram = cfg->ram_below_4g + cfg->ram_above_4g;

    t_begin(b, 16, 0x1000, 0x17);
    t_u8(b, 0x04, 0x01);                    /* location: other */
    t_u8(b, 0x05, 0x03);                    /* system memory */
    t_u8(b, 0x06, 0x06);                    /* multi-bit ECC */
    if (ram / 1024 < 0x80000000ull) {
        t_u32(b, 0x07, ram / 1024);         /* KiB */
    } else {
        t_u32(b, 0x07, 0x80000000u);
        t_u64(b, 0x0f, ram);                /* bytes */
    }
    t_u16(b, 0x0b, 0xfffe);                 /* no error information */
    t_u16(b, 0x0d, dimm_count(cfg));
    t_end(b);
}

static void build_type17(SmbiosBuilder *b, const SmbiosConfig *cfg,
                         unsigned i)
{
    uint64_t ram = cfg->ram_below_4g + cfg->ram_above_4g;
    uint64_t size = MIN(ram - (uint64_t)i * SMBIOS_DIMM_MAX,
                        SMBIOS_DIMM_MAX);
    uint64_t mib = size >> 20;
    uint16_t speed = opt_uint(b, 17, "speed", 0);
    g_autofree char *loc = g_strdup_printf("%s %u",
                                           opt(b, 17, "loc_pfx", "DIMM"), i);

    t_begin(b, 17, 0x1100 + i, 0x28);
    t_u16(b, 0x04, 0x1000);                 /* in the Type 16 array */
    t_u16(b, 0x06, 0xfffe);
    t_u16(b, 0x08, 0xffff);                 /* widths unknown */
    t_u16(b, 0x0a, 0xffff);
    if (mib < 0x7fff) {
        t_u16(b, 0x0c, mib);                /* MiB, granularity bit 0 */
    } else {
        t_u16(b, 0x0c, 0x7fff);
        t_u32(b, 0x1c, mib);
    }
    t_u8(b, 0x0e, 0x09);                    /* DIMM */
    t_str(b, 0x10, loc);
    t_str(b, 0x11, opt(b, 17, "bank", NULL));
    t_u8(b, 0x12, 0x07);                    /* RAM */
    t_u16(b, 0x13, 0x0002);                 /* type detail: other */
    t_u16(b, 0x15, speed);
    t_str(b, 0x17, opt(b, 17, "manufacturer", cfg->manufacturer));
    t_str(b, 0x18, opt(b, 17, "serial", NULL));
    t_str(b, 0x19, opt(b, 17, "asset", NULL));
    t_str(b, 0x1a, opt(b, 17, "part", NULL));
    t_u16(b, 0x20, speed);                  /* configured speed */
    t_end(b);
}

static void build_type19(SmbiosBuilder *b, const SmbiosConfig *cfg,
                         unsigned i, uint64_t start, uint64_t size)
{
    uint64_t end = start + size - 1;
    /* after the Type 17 handles even past 8 TiB of RAM */
    unsigned base = MAX(0x1300, 0x1100 + dimm_count(cfg));

    t_begin(b, 19, base + i, 0x1f);
    if (end / 1024 < 0xffffffffull) {
        t_u32(b, 0x04, start / 1024);       /* KiB */
        t_u32(b, 0x08, end / 1024);
    } else {
        t_u32(b, 0x04, 0xffffffffu);
        t_u32(b, 0x08, 0xffffffffu);
        t_u64(b, 0x0f, start);              /* bytes */
        t_u64(b, 0x17, end);
    }
    t_u16(b, 0x0c, 0x1000);
    t_u8(b, 0x0e, 1);                       /* partition width */
    t_end(b);
}

void smbios_build(const SmbiosConfig *cfg, const SmbiosOptions *opts,
                  SmbiosTables *out)
{
    SmbiosBuilder b = {
        .buf = g_byte_array_new(),
        .strings = g_ptr_array_new(),
        .opts = opts,
    };

    if (generated(&b, 0) && (cfg->bios_vendor || (opts && opts->fields[0]))) {
        build_type0(&b, cfg);
    }
    if (generated(&b, 1)) {
        build_type1(&b, cfg);
    }
    if (generated(&b, 2) && opts && opts->fields[2]) {
        build_type2(&b, cfg);
    }
    if (generated(&b, 3)) {
        build_type3(&b, cfg);
    }
    if (generated(&b, 4)) {
        for (unsigned s = 0; s < MAX(cfg->sockets, 1); s++) {
            build_type4(&b, cfg, s);
        }
    }
    for (guint i = 0; generated(&b, 8) && opts && i < opts->ports->len &&
                      i < 256; i++) {
        build_type8(&b, i);
    }
    if (generated(&b, 11) && opts && opts->fields[11]) {
        build_type11(&b);
    }
    if (generated(&b, 16)) {
        build_type16(&b, cfg);
    }
    if (generated(&b, 17)) {
        for (unsigned i = 0; i < dimm_count(cfg); i++) {
            build_type17(&b, cfg, i);
        }
    }
    if (generated(&b, 19)) {
        unsigned n = 0;
        if (cfg->ram_below_4g) {
            build_type19(&b, cfg, n++, 0, cfg->ram_below_4g);
        }
        if (cfg->ram_above_4g) {
            build_type19(&b, cfg, n++, 1ull << 32, cfg->ram_above_4g);
        }
    }
    if (generated(&b, 32)) {
        t_begin(&b, 32, 0x2000, 0x0b);      /* boot status 0: no errors */
        t_end(&b);
    }
    if (opts && opts->file_tables->len) {
        g_byte_array_append(b.buf, opts->file_tables->data,
                            opts->file_tables->len);
        b.count += opts->file_count;
        b.max_struct = MAX(b.max_struct, opts->file_max_struct);
    }
    t_begin(&b, 127, 0x7f00, 0x04);
    t_end(&b);

    out->count = b.count;
    out->max_struct = b.max_struct;
    out->len = b.buf->len;
    out->data = g_byte_array_free(b.buf, false);
    g_ptr_array_unref(b.strings);
}

static uint8_t checksum(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;
    while (len--) {
        sum += *p++;
    }
    return -sum;
}

bool smbios_entry_point_21(uint8_t ep[SMBIOS_EP21_LEN],
                           const SmbiosConfig *cfg, const SmbiosTables *t,
                           uint32_t table_addr)
{
    if (t->len > UINT16_MAX || t->count > UINT16_MAX) {
        return false;
    }
    memset(ep, 0, SMBIOS_EP21_LEN);
    memcpy(ep, "_SM_", 4);
    ep[5] = SMBIOS_EP21_LEN;
    ep[6] = cfg->major;
    ep[7] = cfg->minor;
    stw_le_p(ep + 8, MIN(t->max_struct, UINT16_MAX));
    memcpy(ep + 0x10, "_DMI_", 5);
    stw_le_p(ep + 0x16, t->len);
    stl_le_p(ep + 0x18, table_addr);
    stw_le_p(ep + 0x1c, t->count);
    ep[0x1e] = (cfg->major & 0xf) << 4 | (cfg->minor & 0xf);  /* BCD */
    ep[0x15] = checksum(ep + 0x10, 0x0f);   /* intermediate: _DMI_.. */
    ep[4] = checksum(ep, SMBIOS_EP21_LEN);
    return true;
}

void smbios_entry_point_30(uint8_t ep[SMBIOS_EP30_LEN],
                           const SmbiosConfig *cfg, const SmbiosTables *t,
                           uint64_t table_addr)
{
    memset(ep, 0, SMBIOS_EP30_LEN);
    memcpy(ep, "_SM3_", 5);
    ep[6] = SMBIOS_EP30_LEN;
    ep[7] = cfg->major;
    ep[8] = cfg->minor;
    ep[9] = 0;                              /* docrev */
    ep[10] = 1;                             /* entry point revision 3.0 */
    stl_le_p(ep + 0x0c, MIN(t->len, UINT32_MAX));
    stq_le_p(ep + 0x10, table_addr);
    ep[5] = checksum(ep, SMBIOS_EP30_LEN);
}
