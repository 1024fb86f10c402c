/*
 * QDict: string-keyed dictionary that remembers insertion order (a hash
 * index over a doubly linked list), and QList: a growable array.
 */
#include "qobject/qobject.h"

#include <string.h>

void qdict_destroy(QDict *d);
void qlist_destroy(QList *l);

QDict *qdict_new(void)
{
    QDict *d = g_new0(QDict, 1);

    d->base = (QObject){ QTYPE_QDICT, 1 };
    d->index = g_hash_table_new(g_str_hash, g_str_equal);
    return d;
}

void qdict_destroy(QDict *d)
{
    QDictEntry *e = d->head;

    while (e) {
        QDictEntry *next = e->next;
        qobject_unref_impl(e->value);
        g_free(e->key);
        g_free(e);
        e = next;
    }
    g_hash_table_destroy(d->index);
}

void qdict_put_obj(QDict *d, const char *key, QObject *value)
{
    QDictEntry *e = g_hash_table_lookup(d->index, key);

    if (e) {
        qobject_unref_impl(e->value);
        e->value = value;
        return;
    }
    e = g_new0(QDictEntry, 1);
    e->key = g_strdup(key);
    e->value = value;
    e->prev = d->tail;
    if (d->tail) {
        d->tail->next = e;
    } else {
        d->head = e;
    }
    d->tail = e;
    d->size++;
    g_hash_table_insert(d->index, e->key, e);
}

void qdict_put_int(QDict *d, const char *key, int64_t value)
{
    qdict_put_obj(d, key, QOBJECT(qnum_from_int(value)));
}

void qdict_put_uint(QDict *d, const char *key, uint64_t value)
{
    qdict_put_obj(d, key, QOBJECT(qnum_from_uint(value)));
}

void qdict_put_double(QDict *d, const char *key, double value)
{
    qdict_put_obj(d, key, QOBJECT(qnum_from_double(value)));
}

void qdict_put_bool(QDict *d, const char *key, bool value)
{
    qdict_put_obj(d, key, QOBJECT(qbool_from_bool(value)));
}

void qdict_put_str(QDict *d, const char *key, const char *value)
{
    qdict_put_obj(d, key, QOBJECT(qstring_from_str(value)));
}

void qdict_put_null(QDict *d, const char *key)
{
    qdict_put_obj(d, key, QOBJECT(qnull()));
}

QObject *qdict_get(const QDict *d, const char *key)
{
    QDictEntry *e = g_hash_table_lookup(d->index, key);

    return e ? e->value : NULL;
}

bool qdict_haskey(const QDict *d, const char *key)
{
    return g_hash_table_contains(d->index, key);
}

void qdict_del(QDict *d, const char *key)
{
    QDictEntry *e = g_hash_table_lookup(d->index, key);

    if (!e) {
        return;
    }
    g_hash_table_remove(d->index, key);
    if (e->prev) {
        e->prev->next = e->next;
    } else {
        d->head = e->next;
    }
    if (e->next) {
        e->next->prev = e->prev;
    } else {
        d->tail = e->prev;
    }
    d->size--;
    qobject_unref_impl(e->value);
    g_free(e->key);
    g_free(e);
}

size_t qdict_size(const QDict *d)
{
    return d->size;
}

const QDictEntry *qdict_first(const QDict *d)
{
    return d->head;
}

const QDictEntry *qdict_next(const QDict *d, const QDictEntry *e)
{
    return e->next;
}

const char *qdict_get_try_str(const QDict *d, const char *key)
{
    QString *s = qobject_to_qstring(qdict_get(d, key));

    return s ? s->str : NULL;
}

QDict *qdict_get_qdict(const QDict *d, const char *key)
{
    return qobject_to_qdict(qdict_get(d, key));
}

QList *qdict_get_qlist(const QDict *d, const char *key)
{
    return qobject_to_qlist(qdict_get(d, key));
}

int64_t qdict_get_try_int(const QDict *d, const char *key, int64_t def)
{
    QNum *n = qobject_to_qnum(qdict_get(d, key));
    int64_t v;

    return n && qnum_get_try_int(n, &v) ? v : def;
}

bool qdict_get_try_bool(const QDict *d, const char *key, bool def)
{
    QBool *b = qobject_to_qbool(qdict_get(d, key));

    return b ? b->value : def;
}

QList *qlist_new(void)
{
    QList *l = g_new0(QList, 1);

    l->base = (QObject){ QTYPE_QLIST, 1 };
    l->items = g_ptr_array_new();
    return l;
}

void qlist_destroy(QList *l)
{
    for (guint i = 0; i < l->items->len; i++) {
        qobject_unref_impl(g_ptr_array_index(l->items, i));
    }
    g_ptr_array_free(l->items, TRUE);
}

void qlist_append_obj(QList *l, QObject *value)
{
    g_ptr_array_add(l->items, value);
}

void qlist_append_int(QList *l, int64_t value)
{
    qlist_append_obj(l, QOBJECT(qnum_from_int(value)));
}

void qlist_append_str(QList *l, const char *value)
{
    qlist_append_obj(l, QOBJECT(qstring_from_str(value)));
}

size_t qlist_size(const QList *l)
{
    return l->items->len;
}

QObject *qlist_get(const QList *l, size_t i)
{
    return i < l->items->len ? g_ptr_array_index(l->items, i) : NULL;
}
