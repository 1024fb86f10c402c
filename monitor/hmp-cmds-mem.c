/*
 * HMP commands that look at guest memory and devices: xp (physical
 * memory dump, QEMU's /fmt syntax), x (the same through the monitor's
 * CPU's page tables), gpa2hva, info mtree, device_add.
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

/*
 * Read size bytes of the dump at addr: physical, or virtual through the
 * monitor's CPU's page tables (byte by byte, so an element may straddle
 * pages). False if some byte is not mapped.
 */
static bool dump_read(const PagingCtx *pc, uint64_t addr, uint8_t *buf,
                      int size)
{
    for (int b = 0; b < size; b++) {
        uint64_t pa = addr + b;
        if (pc && !paging_translate(pc, addr + b, &pa)) {
            return false;
        }
        if (address_space_read(&address_space_memory, pa,
                               MEMTXATTRS_UNSPECIFIED, buf + b, 1) !=
            MEMTX_OK) {
            memset(buf + b, 0xff, 1);   /* unassigned reads as ones */
        }
    }
    return true;
}

static void memory_dump(Monitor *mon, char **argv, const PagingCtx *pc,
                        const char *name)
{
    const char *fmtarg = argv[0] && argv[0][0] == '/' ? argv[0] : NULL;
    const char *addrarg = fmtarg ? argv[1] : argv[0];
    int count, size;
    char fmt;
    uint64_t addr;

    if (!parse_fmt(fmtarg, &count, &fmt, &size) || !addrarg ||
        parse_uint64(addrarg, 0, &addr) < 0) {
        monitor_printf(mon, "%s: usage: %s /fmt addr (fmt: count, x|d|u|o|c, "
                       "b|h|w|g)\n", name, name);
        return;
    }
    int per_line = fmt == 'c' ? 16 : 16 / size;
    memory_init();              /* idempotent */
    for (int i = 0; i < count; i++) {
        uint8_t buf[8] = { 0 };
        uint64_t v = 0;
        uint64_t a = addr + (uint64_t)i * size;

        if (i % per_line == 0) {
            monitor_printf(mon, "%s%016" PRIx64 ":", i ? "\n" : "", a);
        }
        if (!dump_read(pc, a, buf, size)) {
            monitor_puts(mon, "\nCannot access memory\n");
            return;
        }
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

void hmp_xp(Monitor *mon, char **argv)
{
    memory_dump(mon, argv, NULL, "xp");
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
    PagingCtx pc;

    if (!monitor_cpu_paging(mon, &pc)) {
        monitor_puts(mon, "No CPU available: x needs a CPU to translate "
                     "virtual addresses; use xp for physical memory\n");
        return;
    }
    memory_dump(mon, argv, &pc, "x");
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
