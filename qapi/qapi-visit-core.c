/*
 * Runtime of the generated QAPI visitors: builtin types, member lookup,
 * strictness checks, and the error texts of QEMU's QObject input visitor.
 */
#include "qapi/visit.h"

#include <string.h>

const char *qapi_enum_lookup(const QEnumLookup *lookup, int val)
{
    return val >= 0 && val < lookup->size ? lookup->array[val] : "";
}

int qapi_enum_parse(const QEnumLookup *lookup, const char *name, int def,
                    GError **errp)
{
    if (!name) {
        return def;
    }
    for (int i = 0; i < lookup->size; i++) {
        if (!g_strcmp0(lookup->array[i], name)) {
            return i;
        }
    }
    error_setg(errp, "Invalid parameter '%s'", name);
    return def;
}

char *qapi_member_name(const char *prefix, const char *member)
{
    return prefix ? g_strdup_printf("%s.%s", prefix, member)
                  : g_strdup(member);
}

char *qapi_elem_name(const char *name, size_t i)
{
    return g_strdup_printf("%s[%zu]", name ? name : "", i);
}

static const char *nm(const char *name)
{
    return name ? name : "null";
}

void qapi_err_missing(const char *name, GError **errp)
{
    error_setg(errp, "Parameter '%s' is missing", nm(name));
}

void qapi_err_type(const char *name, const char *expected, GError **errp)
{
    error_setg(errp, "Invalid parameter type for '%s', expected: %s",
               nm(name), expected);
}

GHashTable *qapi_in_unseen_new(QDict *d)
{
    GHashTable *h = g_hash_table_new(g_str_hash, g_str_equal);

    for (const QDictEntry *e = qdict_first(d); e; e = qdict_next(d, e)) {
        g_hash_table_add(h, e->key);
    }
    return h;
}

QObject *qapi_in_take(QDict *d, GHashTable *unseen, const char *key)
{
    g_hash_table_remove(unseen, key);
    return qdict_get(d, key);
}

bool qapi_in_check_unseen(QDict *d, const char *prefix, GHashTable *unseen,
                          GError **errp)
{
    for (const QDictEntry *e = qdict_first(d); e; e = qdict_next(d, e)) {
        if (g_hash_table_contains(unseen, e->key)) {
            g_autofree char *n = qapi_member_name(prefix, e->key);
            error_setg(errp, "Parameter '%s' is unexpected", n);
            return false;
        }
    }
    return true;
}

QDict *qapi_in_dict(QObject *src, const char *name, GError **errp)
{
    QDict *d = qobject_to_qdict(src);

    if (!d) {
        qapi_err_type(name, "object", errp);
    }
    return d;
}

QList *qapi_in_list(QObject *src, const char *name, GError **errp)
{
    QList *l = qobject_to_qlist(src);

    if (!l) {
        qapi_err_type(name, "array", errp);
    }
    return l;
}

bool qapi_in_enum(QObject *src, const char *name, const QEnumLookup *lookup,
                  int *out, GError **errp)
{
    QString *s = qobject_to_qstring(src);

    if (!s) {
        qapi_err_type(name, "string", errp);
        return false;
    }
    for (int i = 0; i < lookup->size; i++) {
        if (!strcmp(lookup->array[i], s->str)) {
            *out = i;
            return true;
        }
    }
    error_setg(errp, "Parameter '%s' does not accept value '%s'", nm(name),
               s->str);
    return false;
}

bool qapi_in_str(QObject *src, const char *name, char **out, GError **errp)
{
    QString *s = qobject_to_qstring(src);

    if (!s) {
        qapi_err_type(name, "string", errp);
        return false;
    }
    *out = g_strdup(s->str);
    return true;
}

bool qapi_in_number(QObject *src, const char *name, double *out,
                    GError **errp)
{
    QNum *n = qobject_to_qnum(src);

    if (!n) {
        qapi_err_type(name, "number", errp);
        return false;
    }
    *out = qnum_get_double(n);
    return true;
}

bool qapi_in_bool(QObject *src, const char *name, bool *out, GError **errp)
{
    QBool *b = qobject_to_qbool(src);

    if (!b) {
        qapi_err_type(name, "boolean", errp);
        return false;
    }
    *out = b->value;
    return true;
}

bool qapi_in_any(QObject *src, const char *name, QObject **out,
                 GError **errp)
{
    *out = qobject_ref(src);
    return true;
}

bool qapi_in_null(QObject *src, const char *name, QNull **out,
                  GError **errp)
{
    if (qobject_type(src) != QTYPE_QNULL) {
        qapi_err_type(name, "null", errp);
        return false;
    }
    *out = qnull();
    return true;
}

/*
 * As QEMU's QObject input visitor: a signed member rejects anything that is
 * not an integer fitting int64 as a type error; an unsigned member accepts
 * negative integers as two's complement (backward compatibility) and
 * reports "expects uint64" otherwise; narrower types then range-check.
 */
static bool in_signed(QObject *src, const char *name, int64_t min,
                      int64_t max, const char *tname, int64_t *out,
                      GError **errp)
{
    QNum *n = qobject_to_qnum(src);
    int64_t v;

    if (!n || !qnum_get_try_int(n, &v)) {
        qapi_err_type(name, "integer", errp);
        return false;
    }
    if (v < min || v > max) {
        error_setg(errp, "Parameter '%s' expects %s", nm(name), tname);
        return false;
    }
    *out = v;
    return true;
}

static bool in_unsigned(QObject *src, const char *name, uint64_t max,
                        const char *tname, uint64_t *out, GError **errp)
{
    QNum *n = qobject_to_qnum(src);
    uint64_t v;
    int64_t iv;

    if (n && qnum_get_try_uint(n, &v)) {
        /* fits */
    } else if (n && qnum_get_try_int(n, &iv)) {
        v = (uint64_t)iv;
    } else {
        error_setg(errp, "Parameter '%s' expects uint64", nm(name));
        return false;
    }
    if (v > max) {
        error_setg(errp, "Parameter '%s' expects %s", nm(name), tname);
        return false;
    }
    *out = v;
    return true;
}

#define IN_SIGNED(fn, T, MIN, MAX, TNAME) \
    bool fn(QObject *src, const char *name, T *out, GError **errp) \
    { \
        int64_t v; \
        if (!in_signed(src, name, MIN, MAX, TNAME, &v, errp)) { \
            return false; \
        } \
        *out = (T)v; \
        return true; \
    }
#define IN_UNSIGNED(fn, T, MAX, TNAME) \
    bool fn(QObject *src, const char *name, T *out, GError **errp) \
    { \
        uint64_t v; \
        if (!in_unsigned(src, name, MAX, TNAME, &v, errp)) { \
            return false; \
        } \
        *out = (T)v; \
        return true; \
    }
IN_SIGNED(qapi_in_int, int64_t, INT64_MIN, INT64_MAX, "int64_t")
IN_SIGNED(qapi_in_int64, int64_t, INT64_MIN, INT64_MAX, "int64_t")
IN_SIGNED(qapi_in_int8, int8_t, INT8_MIN, INT8_MAX, "int8_t")
IN_SIGNED(qapi_in_int16, int16_t, INT16_MIN, INT16_MAX, "int16_t")
IN_SIGNED(qapi_in_int32, int32_t, INT32_MIN, INT32_MAX, "int32_t")
IN_UNSIGNED(qapi_in_uint8, uint8_t, UINT8_MAX, "uint8_t")
IN_UNSIGNED(qapi_in_uint16, uint16_t, UINT16_MAX, "uint16_t")
IN_UNSIGNED(qapi_in_uint32, uint32_t, UINT32_MAX, "uint32_t")
IN_UNSIGNED(qapi_in_uint64, uint64_t, UINT64_MAX, "uint64_t")
IN_UNSIGNED(qapi_in_size, uint64_t, UINT64_MAX, "uint64_t")

QObject *qapi_out_str(const char *s)
{
    return QOBJECT(qstring_from_str(s ? s : ""));
}

QObject *qapi_out_int(int64_t v)
{
    return QOBJECT(qnum_from_int(v));
}

QObject *qapi_out_uint(uint64_t v)
{
    /* QEMU prints values that fit as signed like ints */
    return v <= INT64_MAX ? QOBJECT(qnum_from_int((int64_t)v))
                          : QOBJECT(qnum_from_uint(v));
}

QObject *qapi_out_number(double v)
{
    return QOBJECT(qnum_from_double(v));
}

QObject *qapi_out_bool(bool v)
{
    return QOBJECT(qbool_from_bool(v));
}

QObject *qapi_out_any(QObject *v)
{
    return v ? qobject_ref(v) : QOBJECT(qnull());
}

QObject *qapi_out_null(QNull *v)
{
    return QOBJECT(qnull());
}
