/*
 * QObject core: reference counting, scalar types, equality and cloning.
 * Containers live in qdict.c and qlist.c.
 */
#include "qobject/qobject.h"

#include <math.h>
#include <string.h>

void qdict_destroy(QDict *d);
void qlist_destroy(QList *l);

static QNull qnull_singleton = { { QTYPE_QNULL, 1 } };

QObject *qobject_ref_impl(QObject *obj)
{
    if (obj) {
        g_assert(obj->refcnt > 0);
        obj->refcnt++;
    }
    return obj;
}

void qobject_unref_impl(QObject *obj)
{
    if (!obj) {
        return;
    }
    g_assert(obj->refcnt > 0);
    if (--obj->refcnt > 0) {
        return;
    }
    switch (obj->type) {
    case QTYPE_QNULL:
        /* the singleton never reaches zero in correct code */
        obj->refcnt = 1;
        return;
    case QTYPE_QSTRING:
        g_free(((QString *)obj)->str);
        break;
    case QTYPE_QDICT:
        qdict_destroy((QDict *)obj);
        break;
    case QTYPE_QLIST:
        qlist_destroy((QList *)obj);
        break;
    default:
        break;
    }
    g_free(obj);
}

const char *qtype_name(QType type)
{
    static const char *const names[] = {
        [QTYPE_NONE] = "none", [QTYPE_QNULL] = "null",
        [QTYPE_QNUM] = "number", [QTYPE_QSTRING] = "string",
        [QTYPE_QDICT] = "dict", [QTYPE_QLIST] = "list",
        [QTYPE_QBOOL] = "bool",
    };
    return type < QTYPE__MAX ? names[type] : "?";
}

#define DOWNCAST(fn, T, tag) \
    T *fn(QObject *obj) \
    { \
        return obj && obj->type == tag ? (T *)obj : NULL; \
    }
DOWNCAST(qobject_to_qnull, QNull, QTYPE_QNULL)
DOWNCAST(qobject_to_qbool, QBool, QTYPE_QBOOL)
DOWNCAST(qobject_to_qnum, QNum, QTYPE_QNUM)
DOWNCAST(qobject_to_qstring, QString, QTYPE_QSTRING)
DOWNCAST(qobject_to_qdict, QDict, QTYPE_QDICT)
DOWNCAST(qobject_to_qlist, QList, QTYPE_QLIST)

QNull *qnull(void)
{
    qnull_singleton.base.refcnt++;
    return &qnull_singleton;
}

QBool *qbool_from_bool(bool value)
{
    QBool *b = g_new0(QBool, 1);

    b->base = (QObject){ QTYPE_QBOOL, 1 };
    b->value = value;
    return b;
}

bool qbool_get_bool(const QBool *b)
{
    return b->value;
}

static QNum *qnum_new(QNumKind kind)
{
    QNum *n = g_new0(QNum, 1);

    n->base = (QObject){ QTYPE_QNUM, 1 };
    n->kind = kind;
    return n;
}

QNum *qnum_from_int(int64_t value)
{
    QNum *n = qnum_new(QNUM_I64);
    n->u.i64 = value;
    return n;
}

QNum *qnum_from_uint(uint64_t value)
{
    QNum *n = qnum_new(QNUM_U64);
    n->u.u64 = value;
    return n;
}

QNum *qnum_from_double(double value)
{
    QNum *n = qnum_new(QNUM_DOUBLE);
    n->u.dbl = value;
    return n;
}

bool qnum_get_try_int(const QNum *n, int64_t *val)
{
    switch (n->kind) {
    case QNUM_I64:
        *val = n->u.i64;
        return true;
    case QNUM_U64:
        if (n->u.u64 > INT64_MAX) {
            return false;
        }
        *val = (int64_t)n->u.u64;
        return true;
    default:
        return false;
    }
}

bool qnum_get_try_uint(const QNum *n, uint64_t *val)
{
    switch (n->kind) {
    case QNUM_I64:
        if (n->u.i64 < 0) {
            return false;
        }
        *val = (uint64_t)n->u.i64;
        return true;
    case QNUM_U64:
        *val = n->u.u64;
        return true;
    default:
        return false;
    }
}

double qnum_get_double(const QNum *n)
{
    switch (n->kind) {
    case QNUM_I64:
        return (double)n->u.i64;
    case QNUM_U64:
        return (double)n->u.u64;
    default:
        return n->u.dbl;
    }
}

char *qnum_to_string(const QNum *n)
{
    switch (n->kind) {
    case QNUM_I64:
        return g_strdup_printf("%" G_GINT64_FORMAT, n->u.i64);
    case QNUM_U64:
        return g_strdup_printf("%" G_GUINT64_FORMAT, n->u.u64);
    default:
        if (!isfinite(n->u.dbl)) {
            /* JSON has no inf/nan; QEMU emits them as-is, we do too */
            return g_strdup_printf("%g", n->u.dbl);
        }
        /* QEMU prints doubles with %.17g; so do we, for parity */
        return g_strdup_printf("%.17g", n->u.dbl);
    }
}

QString *qstring_take(char *str)
{
    QString *s = g_new0(QString, 1);

    s->base = (QObject){ QTYPE_QSTRING, 1 };
    s->str = str;
    return s;
}

QString *qstring_from_str(const char *str)
{
    return qstring_take(g_strdup(str ? str : ""));
}

QString *qstring_from_substr(const char *str, size_t start, size_t end)
{
    return qstring_take(g_strndup(str + start, end - start));
}

const char *qstring_get_str(const QString *s)
{
    return s->str;
}

bool qobject_is_equal(const QObject *a, const QObject *b)
{
    if (a == b) {
        return true;
    }
    if (!a || !b) {
        return false;
    }
    if (a->type != b->type) {
        return false;
    }
    switch (a->type) {
    case QTYPE_QNULL:
        return true;
    case QTYPE_QBOOL:
        return ((QBool *)a)->value == ((QBool *)b)->value;
    case QTYPE_QNUM: {
        const QNum *x = (QNum *)a, *y = (QNum *)b;
        int64_t xi, yi;
        uint64_t xu, yu;
        if (x->kind != QNUM_DOUBLE && y->kind != QNUM_DOUBLE) {
            if (qnum_get_try_int(x, &xi) && qnum_get_try_int(y, &yi)) {
                return xi == yi;
            }
            if (qnum_get_try_uint(x, &xu) && qnum_get_try_uint(y, &yu)) {
                return xu == yu;
            }
            return false;
        }
        return qnum_get_double(x) == qnum_get_double(y);
    }
    case QTYPE_QSTRING:
        return !strcmp(((QString *)a)->str, ((QString *)b)->str);
    case QTYPE_QLIST: {
        const QList *x = (QList *)a, *y = (QList *)b;
        if (qlist_size(x) != qlist_size(y)) {
            return false;
        }
        for (size_t i = 0; i < qlist_size(x); i++) {
            if (!qobject_is_equal(qlist_get(x, i), qlist_get(y, i))) {
                return false;
            }
        }
        return true;
    }
    case QTYPE_QDICT: {
        const QDict *x = (QDict *)a, *y = (QDict *)b;
        if (qdict_size(x) != qdict_size(y)) {
            return false;
        }
        for (const QDictEntry *e = qdict_first(x); e; e = qdict_next(x, e)) {
            if (!qobject_is_equal(e->value, qdict_get(y, e->key))) {
                return false;
            }
        }
        return true;
    }
    default:
        return false;
    }
}

QObject *qobject_clone(const QObject *obj)
{
    if (!obj) {
        return NULL;
    }
    switch (obj->type) {
    case QTYPE_QNULL:
        return QOBJECT(qnull());
    case QTYPE_QBOOL:
        return QOBJECT(qbool_from_bool(((QBool *)obj)->value));
    case QTYPE_QNUM: {
        QNum *n = qnum_new(((QNum *)obj)->kind);
        n->u = ((QNum *)obj)->u;
        return QOBJECT(n);
    }
    case QTYPE_QSTRING:
        return QOBJECT(qstring_from_str(((QString *)obj)->str));
    case QTYPE_QLIST: {
        const QList *l = (QList *)obj;
        QList *c = qlist_new();
        for (size_t i = 0; i < qlist_size(l); i++) {
            qlist_append_obj(c, qobject_clone(qlist_get(l, i)));
        }
        return QOBJECT(c);
    }
    case QTYPE_QDICT: {
        const QDict *d = (QDict *)obj;
        QDict *c = qdict_new();
        for (const QDictEntry *e = qdict_first(d); e; e = qdict_next(d, e)) {
            qdict_put_obj(c, e->key, qobject_clone(e->value));
        }
        return QOBJECT(c);
    }
    default:
        return NULL;
    }
}
