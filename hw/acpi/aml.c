/*
 * AML encoder (ACPI 6.5, chapter 20): package lengths, name strings,
 * integers, and the few terms the pc board's DSDT needs. See
 * include/hw/acpi/aml.h.
 */
#include "hw/acpi/aml.h"

#include <string.h>

#define AML_ZERO 0x00
#define AML_ONE 0x01
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_STRING_PREFIX 0x0d
#define AML_QWORD_PREFIX 0x0e
#define AML_SCOPE_OP 0x10
#define AML_BUFFER_OP 0x11
#define AML_PACKAGE_OP 0x12
#define AML_METHOD_OP 0x14
#define AML_DUAL_NAME_PREFIX 0x2e
#define AML_MULTI_NAME_PREFIX 0x2f
#define AML_EXT_OP 0x5b
#define AML_EXT_REGION_OP 0x80
#define AML_EXT_FIELD_OP 0x81
#define AML_EXT_DEVICE_OP 0x82
#define AML_ROOT_CHAR 0x5c
#define AML_PARENT_PREFIX 0x5e
#define AML_LOCAL0 0x60
#define AML_ARG0 0x68
#define AML_STORE_OP 0x70
#define AML_AND_OP 0x7b
#define AML_OR_OP 0x7d
#define AML_CREATE_DWORD_FIELD_OP 0x8a
#define AML_NAME_OP 0x08
#define AML_LLESS_OP 0x95
#define AML_IF_OP 0xa0
#define AML_RETURN_OP 0xa4

Aml *aml_new(void)
{
    return g_byte_array_new();
}

void aml_free(Aml *a)
{
    if (a) {
        g_byte_array_free(a, TRUE);
    }
}

void aml_append_bytes(Aml *a, const void *bytes, size_t len)
{
    g_byte_array_append(a, bytes, len);
}

static void aml_byte(Aml *a, uint8_t b)
{
    g_byte_array_append(a, &b, 1);
}

void aml_append(Aml *parent, Aml *child)
{
    if (child) {
        aml_append_bytes(parent, child->data, child->len);
        aml_free(child);
    }
}

/* PkgLength counts itself: 1 byte up to 63, then 2-4 bytes (20.2.4). */
static void aml_pkg_length(Aml *a, size_t body)
{
    size_t total;
    if (body + 1 <= 0x3f) {
        aml_byte(a, body + 1);
        return;
    }
    int extra = body + 2 < (1u << 12) ? 1 : body + 3 < (1u << 20) ? 2 : 3;
    total = body + 1 + extra;
    g_assert(total < (1u << 28));
    aml_byte(a, (extra << 6) | (total & 0x0f));
    for (int i = 0; i < extra; i++) {
        aml_byte(a, total >> (4 + 8 * i));
    }
}

static void aml_name_seg(Aml *a, const char *seg, size_t len)
{
    g_assert(len >= 1 && len <= 4);
    char s[4] = { '_', '_', '_', '_' };
    memcpy(s, seg, len);
    aml_append_bytes(a, s, 4);
}

static void aml_name_string(Aml *a, const char *name)
{
    while (*name == '\\' || *name == '^') {
        aml_byte(a, *name == '\\' ? AML_ROOT_CHAR : AML_PARENT_PREFIX);
        name++;
    }
    if (!*name) {
        aml_byte(a, 0x00);             /* NullName */
        return;
    }
    gchar **segs = g_strsplit(name, ".", -1);
    guint n = g_strv_length(segs);
    if (n == 2) {
        aml_byte(a, AML_DUAL_NAME_PREFIX);
    } else if (n > 2) {
        aml_byte(a, AML_MULTI_NAME_PREFIX);
        aml_byte(a, n);
    }
    for (guint i = 0; i < n; i++) {
        aml_name_seg(a, segs[i], strlen(segs[i]));
    }
    g_strfreev(segs);
}

Aml *aml_int(uint64_t v)
{
    Aml *a = aml_new();
    int n;
    if (v == 0 || v == 1) {
        aml_byte(a, v ? AML_ONE : AML_ZERO);
        return a;
    }
    if (v <= 0xff) {
        aml_byte(a, AML_BYTE_PREFIX);
        n = 1;
    } else if (v <= 0xffff) {
        aml_byte(a, AML_WORD_PREFIX);
        n = 2;
    } else if (v <= 0xffffffffu) {
        aml_byte(a, AML_DWORD_PREFIX);
        n = 4;
    } else {
        aml_byte(a, AML_QWORD_PREFIX);
        n = 8;
    }
    for (int i = 0; i < n; i++) {
        aml_byte(a, v >> (8 * i));
    }
    return a;
}

Aml *aml_string(const char *s)
{
    Aml *a = aml_new();
    aml_byte(a, AML_STRING_PREFIX);
    aml_append_bytes(a, s, strlen(s) + 1);
    return a;
}

/* Three 5-bit letters and four hex digits, stored big-endian. */
Aml *aml_eisaid(const char *id)
{
    g_assert(strlen(id) == 7);
    uint16_t mfg = ((id[0] - 0x40) & 0x1f) << 10 |
                   ((id[1] - 0x40) & 0x1f) << 5 | ((id[2] - 0x40) & 0x1f);
    uint16_t prod = (uint16_t)g_ascii_strtoull(id + 3, NULL, 16);
    uint32_t v = (mfg >> 8) | (mfg & 0xff) << 8 | (uint32_t)(prod >> 8) << 16 |
                 (uint32_t)(prod & 0xff) << 24;
    Aml *a = aml_new();
    aml_byte(a, AML_DWORD_PREFIX);
    for (int i = 0; i < 4; i++) {
        aml_byte(a, v >> (8 * i));
    }
    return a;
}

Aml *aml_name(const char *name)
{
    Aml *a = aml_new();
    aml_name_string(a, name);
    return a;
}

Aml *aml_buffer(const uint8_t *data, size_t len)
{
    Aml *size = aml_int(len);
    Aml *a = aml_new();
    aml_byte(a, AML_BUFFER_OP);
    aml_pkg_length(a, size->len + len);
    aml_append(a, size);
    aml_append_bytes(a, data, len);
    return a;
}

Aml *aml_package(uint8_t n, Aml *elements)
{
    Aml *a = aml_new();
    aml_byte(a, AML_PACKAGE_OP);
    aml_pkg_length(a, 1 + elements->len);
    aml_byte(a, n);
    aml_append(a, elements);
    return a;
}

Aml *aml_arg(int n)
{
    g_assert(n >= 0 && n <= 6);
    Aml *a = aml_new();
    aml_byte(a, AML_ARG0 + n);
    return a;
}

Aml *aml_local(int n)
{
    g_assert(n >= 0 && n <= 7);
    Aml *a = aml_new();
    aml_byte(a, AML_LOCAL0 + n);
    return a;
}

Aml *aml_name_decl(const char *name, Aml *value)
{
    Aml *a = aml_new();
    aml_byte(a, AML_NAME_OP);
    aml_name_string(a, name);
    aml_append(a, value);
    return a;
}

/* op [ext] PkgLength NameString [extra bytes] body */
static Aml *aml_named_block(const uint8_t *op, size_t oplen, const char *name,
                            const uint8_t *extra, size_t nextra, Aml *body)
{
    Aml *head = aml_new();
    aml_name_string(head, name);
    aml_append_bytes(head, extra, nextra);
    Aml *a = aml_new();
    aml_append_bytes(a, op, oplen);
    aml_pkg_length(a, head->len + body->len);
    aml_append(a, head);
    aml_append(a, body);
    return a;
}

Aml *aml_scope(const char *name, Aml *body)
{
    static const uint8_t op[] = { AML_SCOPE_OP };
    return aml_named_block(op, 1, name, NULL, 0, body);
}

Aml *aml_device(const char *name, Aml *body)
{
    static const uint8_t op[] = { AML_EXT_OP, AML_EXT_DEVICE_OP };
    return aml_named_block(op, 2, name, NULL, 0, body);
}

Aml *aml_method(const char *name, int nargs, bool serialized, Aml *body)
{
    static const uint8_t op[] = { AML_METHOD_OP };
    uint8_t flags = (nargs & 7) | (serialized ? 0x08 : 0);
    return aml_named_block(op, 1, name, &flags, 1, body);
}

Aml *aml_operation_region(const char *name, uint8_t space, uint64_t offset,
                          uint64_t len)
{
    Aml *a = aml_new();
    aml_byte(a, AML_EXT_OP);
    aml_byte(a, AML_EXT_REGION_OP);
    aml_name_string(a, name);
    aml_byte(a, space);
    aml_append(a, aml_int(offset));
    aml_append(a, aml_int(len));
    return a;
}

Aml *aml_field_bytes(const char *region, const char *const *names, int n)
{
    static const uint8_t op[] = { AML_EXT_OP, AML_EXT_FIELD_OP };
    uint8_t flags = 0x01;              /* ByteAcc, NoLock, Preserve */
    Aml *body = aml_new();
    for (int i = 0; i < n; i++) {
        aml_name_seg(body, names[i], strlen(names[i]));
        aml_byte(body, 8);             /* PkgLength-encoded bit count */
    }
    return aml_named_block(op, 2, region, &flags, 1, body);
}

Aml *aml_create_dword_field(Aml *buf, Aml *index, const char *name)
{
    Aml *a = aml_new();
    aml_byte(a, AML_CREATE_DWORD_FIELD_OP);
    aml_append(a, buf);
    aml_append(a, index);
    aml_name_string(a, name);
    return a;
}

Aml *aml_return(Aml *v)
{
    Aml *a = aml_new();
    aml_byte(a, AML_RETURN_OP);
    aml_append(a, v);
    return a;
}

Aml *aml_if(Aml *predicate, Aml *body)
{
    Aml *a = aml_new();
    aml_byte(a, AML_IF_OP);
    aml_pkg_length(a, predicate->len + body->len);
    aml_append(a, predicate);
    aml_append(a, body);
    return a;
}

Aml *aml_store(Aml *src, Aml *dst)
{
    Aml *a = aml_new();
    aml_byte(a, AML_STORE_OP);
    aml_append(a, src);
    aml_append(a, dst);
    return a;
}

static Aml *aml_binop(uint8_t op, Aml *x, Aml *y, Aml *target)
{
    Aml *a = aml_new();
    aml_byte(a, op);
    aml_append(a, x);
    aml_append(a, y);
    if (target) {
        aml_append(a, target);
    } else {
        aml_byte(a, 0x00);
    }
    return a;
}

Aml *aml_and(Aml *x, Aml *y, Aml *target)
{
    return aml_binop(AML_AND_OP, x, y, target);
}

Aml *aml_or(Aml *x, Aml *y, Aml *target)
{
    return aml_binop(AML_OR_OP, x, y, target);
}

Aml *aml_lless(Aml *x, Aml *y)
{
    Aml *a = aml_new();
    aml_byte(a, AML_LLESS_OP);
    aml_append(a, x);
    aml_append(a, y);
    return a;
}

Aml *aml_call(const char *name, int n, Aml **args)
{
    Aml *a = aml_new();
    aml_name_string(a, name);
    for (int i = 0; i < n; i++) {
        aml_append(a, args[i]);
    }
    return a;
}
