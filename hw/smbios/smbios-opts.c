/*
 * -smbios: QEMU's keys for the structure types kvmu builds (DSP0134
 * types 0, 1, 2, 3, 4, 11, 17) and file=BINARY with ready-made
 * structures. Values are checked here, so that the board's build cannot
 * fail; the table builder (smbios.c) reads them back by key.
 * Type 8 (port connector) makes one structure per option.
 * Not handled: QEMU 8's types 9 and 41 (slots, onboard devices: they
 * name PCI devices, which exist only after the board is built).
 */
#include "hw/smbios/smbios-int.h"
#include "util/error.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>
#include <string.h>

typedef struct SmbiosTypeKeys {
    unsigned type;
    const char *const keys[12];
} SmbiosTypeKeys;

static const SmbiosTypeKeys smbios_type_keys[] = {
    { 0, { "type", "vendor", "version", "date", "release", "uefi", NULL } },
    { 1, { "type", "manufacturer", "product", "version", "serial", "uuid",
           "sku", "family", NULL } },
    { 2, { "type", "manufacturer", "product", "version", "serial", "asset",
           "location", NULL } },
    { 3, { "type", "manufacturer", "version", "serial", "asset", "sku",
           NULL } },
    { 4, { "type", "sock_pfx", "manufacturer", "version", "serial", "asset",
           "part", "max-speed", "current-speed", "processor-id",
           "processor-family", NULL } },
    { 8, { "type", "internal_reference", "external_reference",
           "connector_type", "port_type", NULL } },
    { 11, { "type", "value", "path", NULL } },
    { 17, { "type", "loc_pfx", "bank", "manufacturer", "serial", "asset",
            "part", "speed", NULL } },
};

SmbiosOptions *smbios_options_new(void)
{
    SmbiosOptions *o = g_new0(SmbiosOptions, 1);
    o->file_tables = g_byte_array_new();
    o->ports = g_ptr_array_new_with_free_func((GDestroyNotify)keyval_free);
    return o;
}

void smbios_options_free(SmbiosOptions *o)
{
    if (!o) {
        return;
    }
    for (unsigned i = 0; i <= SMBIOS_MAX_TYPE; i++) {
        if (o->fields[i]) {
            keyval_free(o->fields[i]);
        }
    }
    g_byte_array_unref(o->file_tables);
    g_ptr_array_unref(o->ports);
    g_free(o);
}

bool smbios_options_have_type(const SmbiosOptions *o, unsigned type)
{
    return o && type < G_N_ELEMENTS(o->file_types) &&
           ((type <= SMBIOS_MAX_TYPE && o->fields[type]) ||
            (type == 8 && o->ports->len) || o->file_types[type]);
}

size_t smbios_struct_len(const uint8_t *p, size_t len)
{
    if (len < 4 || p[1] < 4 || p[1] > len - 2) {
        return 0;
    }
    /* the strings end at the first double NUL at or after the end of
     * the formatted area (an empty set is just the double NUL) */
    for (size_t i = p[1]; i + 1 < len; i++) {
        if (!p[i] && !p[i + 1]) {
            return i + 2;
        }
    }
    return 0;
}

static bool smbios_add_file(SmbiosOptions *o, const char *path,
                            GError **errp)
{
    g_autofree gchar *data = NULL;
    gsize len;
    GStatBuf st;

    if (g_stat(path, &st) || !S_ISREG(st.st_mode) ||
        st.st_size > 0x10000 ||
        !g_file_get_contents(path, &data, &len, NULL)) {
        error_setg(errp, "Cannot read SMBIOS file %s", path);
        return false;
    }
    const uint8_t *p = (const uint8_t *)data;
    for (size_t off = 0; off < len;) {
        size_t n = smbios_struct_len(p + off, len - off);
        if (!n) {
            error_setg(errp, "SMBIOS file %s: malformed structure at offset "
                       "%zu", path, off);
            return false;
        }
        if (p[off] == 127) {
            error_setg(errp, "SMBIOS file %s: end-of-table structure (type "
                       "127) at offset %zu", path, off);
            return false;
        }
        off += n;
    }
    if (!len) {
        error_setg(errp, "SMBIOS file %s is empty", path);
        return false;
    }
    /* as QEMU: a type comes from a file or from fields, not both */
    for (size_t off = 0; off < len; off += smbios_struct_len(p + off,
                                                             len - off)) {
        unsigned t = p[off];
        if ((t <= SMBIOS_MAX_TYPE && o->fields[t]) ||
            (t == 8 && o->ports->len)) {
            error_setg(errp, "can't load type %u struct, fields already "
                       "specified!", t);
            return false;
        }
    }
    for (size_t off = 0; off < len;) {
        size_t n = smbios_struct_len(p + off, len - off);
        o->file_types[p[off]] = true;
        o->file_count++;
        o->file_max_struct = MAX(o->file_max_struct, n);
        off += n;
    }
    g_byte_array_append(o->file_tables, p, len);
    return true;
}

static bool smbios_check_uint(const KeyvalList *kv, const char *key,
                              uint64_t max, const char *what, GError **errp)
{
    const char *s = keyval_get(kv, key);
    char *end;
    uint64_t v;

    if (!s) {
        return true;
    }
    errno = 0;
    v = g_ascii_strtoull(s, &end, 0);
    if (!*s || *end || errno || s[0] == '-') {
        error_setg(errp, "Parameter '%s' expects a number", key);
        return false;
    }
    if (v > max) {
        error_setg(errp, "%s is too large (> %" PRIu64 ")", what, max);
        return false;
    }
    return true;
}

/* "M.m" with both parts 0..255 */
bool smbios_parse_release(const char *s, uint8_t *major, uint8_t *minor)
{
    unsigned a, b;
    int n = -1;

    if (sscanf(s, "%3u.%3u%n", &a, &b, &n) != 2 || n < 0 || s[n] ||
        !g_ascii_isdigit(s[0]) || a > 255 || b > 255) {
        return false;
    }
    *major = a;
    *minor = b;
    return true;
}

/* RFC 4122 text form, 16 bytes in text order */
bool smbios_parse_uuid(const char *s, uint8_t out[16])
{
    unsigned n = 0;

    if (strlen(s) != 36) {
        return false;
    }
    for (unsigned i = 0; i < 36;) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i++] != '-') {
                return false;
            }
            continue;
        }
        if (!g_ascii_isxdigit(s[i]) || !g_ascii_isxdigit(s[i + 1])) {
            return false;
        }
        out[n++] = g_ascii_xdigit_value(s[i]) << 4 |
                   g_ascii_xdigit_value(s[i + 1]);
        i += 2;
    }
    return n == 16;
}

static bool smbios_check_values(unsigned type, KeyvalList *kv,
                                GError **errp)
{
    uint8_t b[16];
    const char *s;

    switch (type) {
    case 0:
        s = keyval_get(kv, "release");
        if (s && !smbios_parse_release(s, &b[0], &b[1])) {
            error_setg(errp, "Invalid release");
            return false;
        }
        s = keyval_get(kv, "uefi");
        if (s && strcmp(s, "on") && strcmp(s, "off")) {
            error_setg(errp, "Parameter 'uefi' expects 'on' or 'off'");
            return false;
        }
        return true;
    case 1:
        s = keyval_get(kv, "uuid");
        if (s && !smbios_parse_uuid(s, b)) {
            error_setg(errp, "Invalid UUID");
            return false;
        }
        return true;
    case 4:
        return smbios_check_uint(kv, "max-speed", UINT16_MAX,
                                 "SMBIOS CPU speed", errp) &&
               smbios_check_uint(kv, "current-speed", UINT16_MAX,
                                 "SMBIOS CPU speed", errp) &&
               smbios_check_uint(kv, "processor-id", UINT64_MAX,
                                 "SMBIOS processor ID", errp) &&
               smbios_check_uint(kv, "processor-family", UINT16_MAX,
                                 "SMBIOS processor family", errp);
    case 8:
        return smbios_check_uint(kv, "connector_type", UINT8_MAX,
                                 "SMBIOS connector type", errp) &&
               smbios_check_uint(kv, "port_type", UINT8_MAX,
                                 "SMBIOS port type", errp);
    case 11: {
        /* path=FILE: its text becomes one more OEM string, in order */
        for (guint i = 0; i < kv->pairs->len; i++) {
            KeyvalPair *p = g_ptr_array_index(kv->pairs, i);
            g_autofree gchar *text = NULL;
            GStatBuf st;
            if (strcmp(p->key, "path")) {
                continue;
            }
            /* a regular file of at most 64 KiB (never a device) */
            if (g_stat(p->value, &st)) {
                error_setg(errp, "Could not open '%s': %s", p->value,
                           g_strerror(errno));
                return false;
            }
            if (!S_ISREG(st.st_mode) || st.st_size > 0x10000 ||
                !g_file_get_contents(p->value, &text, NULL, NULL)) {
                error_setg(errp, "Could not read '%s': %s", p->value,
                           !S_ISREG(st.st_mode) ? "not a regular file"
                           : "larger than 64 KiB or unreadable");
                return false;
            }
            g_free(p->key);
            p->key = g_strdup("value");
            g_free(p->value);
            p->value = g_steal_pointer(&text);
        }
        return true;
    }
    case 17:
        return smbios_check_uint(kv, "speed", UINT16_MAX,
                                 "SMBIOS memory speed", errp);
    default:
        return true;
    }
}

bool smbios_options_add(SmbiosOptions *o, const char *arg, GError **errp)
{
    g_autoptr(KeyvalList) kv = keyval_parse(arg, NULL, 0, errp);
    const char *file, *type_str;

    if (!kv) {
        return false;
    }
    file = keyval_get(kv, "file");
    type_str = keyval_get(kv, "type");
    if (file) {
        static const char *const file_keys[] = { "file", NULL };
        if (type_str) {
            error_setg(errp, "Invalid parameter 'type'");
            return false;
        }
        return keyval_check_keys(kv, file_keys, errp) &&
               smbios_add_file(o, file, errp);
    }
    if (!type_str) {
        error_setg(errp, "Must specify type= or file=");
        return false;
    }
    char *end;
    errno = 0;
    uint64_t type = g_ascii_strtoull(type_str, &end, 0);
    if (!*type_str || *end || errno || type_str[0] == '-') {
        error_setg(errp, "Parameter 'type' expects a number");
        return false;
    }
    const SmbiosTypeKeys *tk = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(smbios_type_keys); i++) {
        if (smbios_type_keys[i].type == type) {
            tk = &smbios_type_keys[i];
        }
    }
    if (!tk) {
        error_setg(errp, "Don't know how to build fields for SMBIOS type %"
                   PRIu64, type);
        return false;
    }
    if (!keyval_check_keys(kv, tk->keys, errp) ||
        !smbios_check_values(tk->type, kv, errp)) {
        return false;
    }
    if (o->file_types[type]) {
        error_setg(errp, "can't add fields, binary file already loaded!");
        return false;
    }
    if (type == 8) {
        keyval_remove(kv, "type");
        g_ptr_array_add(o->ports, g_steal_pointer(&kv));
        return true;
    }
    if (!o->fields[type]) {
        o->fields[type] = keyval_new();
    }
    for (guint i = 0; i < kv->pairs->len; i++) {
        KeyvalPair *p = g_ptr_array_index(kv->pairs, i);
        if (strcmp(p->key, "type")) {
            keyval_add(o->fields[type], p->key, p->value);
        }
    }
    return true;
}
