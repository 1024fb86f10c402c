/*
 * HMP commands that look at guest memory and devices: xp (physical
 * memory dump, QEMU's /fmt syntax), gpa2hva, info mtree, device_add.
 * x (virtual addresses) needs a CPU's page tables, which the monitor
 * cannot walk yet, and says so.
 */
#include "monitor-internal.h"
#include "hmp.h"
#include "memory/memory.h"
#include "util/keyval.h"
#include "util/cutils.h"

#include <inttypes.h>
#include <string.h>

void qmp_marshal_device_add(QDict *args, QObject **ret, GError **errp);

/* "/NFU": count, format (x d u o c), unit (b h w g). */
static bool parse_fmt(const char *s, int *count, char *fmt, int *size)
{
    *count = 1;
    *fmt = 'x';
    *size = 4;
    if (!s || *s != '/') {
        return s == NULL;
    }
    s++;
    if (g_ascii_isdigit(*s)) {
        *count = (int)strtol(s, (char **)&s, 10);
    }
    for (; *s; s++) {
        switch (*s) {
        case 'x': case 'd': case 'u': case 'o': case 'c':
            *fmt = *s;
            break;
        case 'b': *size = 1; break;
        case 'h': *size = 2; break;
        case 'w': *size = 4; break;
        case 'g': *size = 8; break;
        default:
            return false;
        }
    }
    return *count > 0 && *count <= 4096;
}

void hmp_xp(Monitor *mon, char **argv)
{
    const char *fmtarg = argv[0] && argv[0][0] == '/' ? argv[0] : NULL;
    const char *addrarg = fmtarg ? argv[1] : argv[0];
    int count, size;
    char fmt;
    uint64_t addr;

    if (!parse_fmt(fmtarg, &count, &fmt, &size) || !addrarg ||
        parse_uint64(addrarg, 0, &addr) < 0) {
        monitor_puts(mon, "xp: usage: xp /fmt addr (fmt: count, x|d|u|o|c, "
                     "b|h|w|g)\n");
        return;
    }
    int per_line = fmt == 'c' ? 16 : 16 / size;
    for (int i = 0; i < count; i++) {
        uint8_t buf[8] = { 0 };
        uint64_t v = 0;

        if (i % per_line == 0) {
            monitor_printf(mon, "%s%016" PRIx64 ":", i ? "\n" : "",
                           addr + (uint64_t)i * size);
        }
        address_space_read(&address_space_memory, addr + (uint64_t)i * size,
                           MEMTXATTRS_UNSPECIFIED, buf, size);
        for (int b = size - 1; b >= 0; b--) {
            v = (v << 8) | buf[b];      /* little-endian guest */
        }
        switch (fmt) {
        case 'x':
            monitor_printf(mon, " 0x%0*" PRIx64, size * 2, v);
            break;
        case 'o':
            monitor_printf(mon, " %#" PRIo64, v);
            break;
        case 'u':
            monitor_printf(mon, " %" PRIu64, v);
            break;
        case 'd': {
            int64_t sv = size == 8 ? (int64_t)v
                         : (int64_t)(v << (64 - size * 8)) >> (64 - size * 8);
            monitor_printf(mon, " %" PRId64, sv);
            break;
        }
        case 'c':
            monitor_printf(mon, " '%c'", g_ascii_isprint(v) ? (int)v : '.');
            break;
        }
    }
    monitor_puts(mon, "\n");
}

void hmp_gpa2hva(Monitor *mon, char **argv)
{
    uint64_t addr;
    hwaddr xlat, len = 1;
    MemoryRegion *mr;

    if (!argv[0] || parse_uint64(argv[0], 0, &addr) < 0) {
        monitor_puts(mon, "gpa2hva: usage: gpa2hva addr\n");
        return;
    }
    mr = address_space_translate(&address_space_memory, addr, &xlat, &len,
                                 false, MEMTXATTRS_UNSPECIFIED);
    if (!mr) {
        monitor_printf(mon, "Error: No memory is mapped at address 0x%"
                       PRIx64 "\n", addr);
    } else if (!memory_region_is_ram(mr)) {
        monitor_printf(mon, "Error: Memory at address 0x%" PRIx64 " is not "
                       "RAM\n", addr);
    } else {
        monitor_printf(mon, "Host virtual address for 0x%" PRIx64 " (%s) is "
                       "%p\n", addr, memory_region_name(mr),
                       (uint8_t *)memory_region_get_ram_ptr(mr) + xlat);
    }
}

void hmp_x(Monitor *mon, char **argv)
{
    monitor_puts(mon, "Error: x needs a CPU to translate virtual addresses; "
                 "use xp for physical memory\n");
}

void hmp_info_mtree(Monitor *mon, char **argv)
{
    GString *out = g_string_new(NULL);
    bool flat = argv[0] && !strcmp(argv[0], "-f");

    memory_init();
    mtree_info(out, flat);
    monitor_puts(mon, out->str);
    g_string_free(out, TRUE);
}

void hmp_device_add(Monitor *mon, char **argv)
{
    GError *err = NULL;
    KeyvalList *kv;
    QDict *args;
    QObject *ret = NULL;

    if (!argv[0]) {
        monitor_puts(mon, "device_add: usage: device_add driver[,prop=value]"
                     "[,...]\n");
        return;
    }
    kv = keyval_parse(argv[0], "driver", KEYVAL_DEFAULT, &err);
    if (!kv) {
        monitor_printf(mon, "Error: %s\n", err->message);
        g_error_free(err);
        return;
    }
    args = qdict_new();
    for (guint i = 0; i < kv->pairs->len; i++) {
        KeyvalPair *p = g_ptr_array_index(kv->pairs, i);
        qdict_put_str(args, p->key, p->value);
    }
    keyval_free(kv);
    qmp_marshal_device_add(args, &ret, &err);
    qobject_unref(args);
    qobject_unref(ret);
    if (err) {
        monitor_printf(mon, "Error: %s\n", err->message);
        g_error_free(err);
    }
}
