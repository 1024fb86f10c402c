/*
 * QObject: reference-counted JSON-like values (null, bool, number, string,
 * dict, list) used by QMP, the QAPI visitors and the JSON parser/writer.
 *
 * Every value embeds a QObject header first; QOBJECT(x) upcasts, the
 * qobject_to_*() helpers downcast (NULL on a type mismatch). A fresh value
 * has one reference; containers take ownership of what is put into them
 * (qdict_put_obj/qlist_append_obj steal the caller's reference).
 *
 * Numbers keep QEMU's distinction between int64, uint64 and double so that
 * an integer from the wire is never silently turned into a float. QDict
 * keeps insertion order so output is stable.
 *
 * Callers: anyone; values are not thread-safe (reference counts are not
 * atomic), they belong to the thread that built them (the main loop).
 */
#ifndef QOBJECT_QOBJECT_H
#define QOBJECT_QOBJECT_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum QType {
    QTYPE_NONE,
    QTYPE_QNULL,
    QTYPE_QNUM,
    QTYPE_QSTRING,
    QTYPE_QDICT,
    QTYPE_QLIST,
    QTYPE_QBOOL,
    QTYPE__MAX,
} QType;

typedef struct QObject {
    QType type;
    unsigned refcnt;
} QObject;

typedef struct QNull { QObject base; } QNull;
typedef struct QBool { QObject base; bool value; } QBool;

typedef enum { QNUM_I64, QNUM_U64, QNUM_DOUBLE } QNumKind;
typedef struct QNum {
    QObject base;
    QNumKind kind;
    union {
        int64_t i64;
        uint64_t u64;
        double dbl;
    } u;
} QNum;

typedef struct QString {
    QObject base;
    char *str;
} QString;

typedef struct QDictEntry {
    char *key;
    QObject *value;
    struct QDictEntry *prev, *next;
} QDictEntry;

typedef struct QDict {
    QObject base;
    GHashTable *index;          /* key -> QDictEntry */
    QDictEntry *head, *tail;    /* insertion order */
    size_t size;
} QDict;

typedef struct QList {
    QObject base;
    GPtrArray *items;           /* of QObject * (owned) */
} QList;

#define QOBJECT(x) (&(x)->base)

/* Reference counting; both accept NULL. */
QObject *qobject_ref_impl(QObject *obj);
void qobject_unref_impl(QObject *obj);
#define qobject_ref(x) ({ __typeof__(x) qref_ = (x); \
    if (qref_) { qobject_ref_impl((QObject *)qref_); } qref_; })
#define qobject_unref(x) do { if (x) { qobject_unref_impl((QObject *)(x)); } } while (0)

static inline QType qobject_type(const QObject *obj)
{
    return obj ? obj->type : QTYPE_NONE;
}
const char *qtype_name(QType type);

QNull *qobject_to_qnull(QObject *obj);
QBool *qobject_to_qbool(QObject *obj);
QNum *qobject_to_qnum(QObject *obj);
QString *qobject_to_qstring(QObject *obj);
QDict *qobject_to_qdict(QObject *obj);
QList *qobject_to_qlist(QObject *obj);

/* Deep structural equality (numbers compare by value across kinds). */
bool qobject_is_equal(const QObject *a, const QObject *b);
/* Deep copy. */
QObject *qobject_clone(const QObject *obj);

/* null */
QNull *qnull(void);

/* bool */
QBool *qbool_from_bool(bool value);
bool qbool_get_bool(const QBool *b);

/* numbers */
QNum *qnum_from_int(int64_t value);
QNum *qnum_from_uint(uint64_t value);
QNum *qnum_from_double(double value);
/* false if the value does not fit (or is a double). */
bool qnum_get_try_int(const QNum *n, int64_t *val);
bool qnum_get_try_uint(const QNum *n, uint64_t *val);
double qnum_get_double(const QNum *n);
char *qnum_to_string(const QNum *n);

/* strings (NUL-terminated; a JSON \u0000 is stored as C0 80) */
QString *qstring_from_str(const char *str);
QString *qstring_from_substr(const char *str, size_t start, size_t end);
QString *qstring_take(char *str);   /* adopts a g_malloc'd string */
const char *qstring_get_str(const QString *s);

/* dicts */
QDict *qdict_new(void);
/* Steals the reference to value; replaces an existing key in place. */
void qdict_put_obj(QDict *d, const char *key, QObject *value);
#define qdict_put(d, key, obj) qdict_put_obj(d, key, QOBJECT(obj))
void qdict_put_int(QDict *d, const char *key, int64_t value);
void qdict_put_uint(QDict *d, const char *key, uint64_t value);
void qdict_put_double(QDict *d, const char *key, double value);
void qdict_put_bool(QDict *d, const char *key, bool value);
void qdict_put_str(QDict *d, const char *key, const char *value);
void qdict_put_null(QDict *d, const char *key);
/* Borrowed reference or NULL. */
QObject *qdict_get(const QDict *d, const char *key);
bool qdict_haskey(const QDict *d, const char *key);
/* Removes and unrefs; no-op when absent. */
void qdict_del(QDict *d, const char *key);
size_t qdict_size(const QDict *d);
const QDictEntry *qdict_first(const QDict *d);
const QDictEntry *qdict_next(const QDict *d, const QDictEntry *e);
/* Typed getters; NULL / default when absent or of another type. */
const char *qdict_get_try_str(const QDict *d, const char *key);
QDict *qdict_get_qdict(const QDict *d, const char *key);
QList *qdict_get_qlist(const QDict *d, const char *key);
int64_t qdict_get_try_int(const QDict *d, const char *key, int64_t def);
bool qdict_get_try_bool(const QDict *d, const char *key, bool def);

/* lists */
QList *qlist_new(void);
void qlist_append_obj(QList *l, QObject *value);   /* steals */
#define qlist_append(l, obj) qlist_append_obj(l, QOBJECT(obj))
void qlist_append_int(QList *l, int64_t value);
void qlist_append_str(QList *l, const char *value);
size_t qlist_size(const QList *l);
QObject *qlist_get(const QList *l, size_t i);      /* borrowed */

#endif
