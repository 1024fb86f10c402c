/*
 * Runtime of the generated QAPI visitors (qapi/qapi-visit-core.c).
 *
 * Input helpers turn a QObject into a C value, strictly and with QEMU's
 * error texts ("Parameter 'x' is missing", "Invalid parameter type for
 * 'x', expected: integer", "Parameter 'x' is unexpected", "Parameter 'x'
 * does not accept value 'y'", "Parameter 'x' expects uint8"). Names are
 * full paths: "a.b", "list[2]". Output helpers build new QObjects.
 * Generated per-type functions (qapi_in_<Type>, qapi_out_<Type>) follow the
 * same conventions; hand-written code may call both.
 */
#ifndef QAPI_VISIT_H
#define QAPI_VISIT_H

#include "qapi/util.h"

/* "prefix.member" or "member"; "name[i]". g_free the result. */
char *qapi_member_name(const char *prefix, const char *member);
char *qapi_elem_name(const char *name, size_t i);

void qapi_err_missing(const char *name, GError **errp);
void qapi_err_type(const char *name, const char *expected, GError **errp);

/* Keys of d not yet visited; qapi_in_take() marks one visited. */
GHashTable *qapi_in_unseen_new(QDict *d);
QObject *qapi_in_take(QDict *d, GHashTable *unseen, const char *key);
/* Fails with "Parameter '...' is unexpected" for the first key left. */
bool qapi_in_check_unseen(QDict *d, const char *prefix, GHashTable *unseen,
                          GError **errp);

QDict *qapi_in_dict(QObject *src, const char *name, GError **errp);
QList *qapi_in_list(QObject *src, const char *name, GError **errp);
bool qapi_in_enum(QObject *src, const char *name, const QEnumLookup *lookup,
                  int *out, GError **errp);

bool qapi_in_str(QObject *src, const char *name, char **out, GError **errp);
bool qapi_in_number(QObject *src, const char *name, double *out,
                    GError **errp);
bool qapi_in_bool(QObject *src, const char *name, bool *out, GError **errp);
bool qapi_in_any(QObject *src, const char *name, QObject **out,
                 GError **errp);
bool qapi_in_null(QObject *src, const char *name, QNull **out,
                  GError **errp);
bool qapi_in_int(QObject *src, const char *name, int64_t *out,
                 GError **errp);
bool qapi_in_int8(QObject *src, const char *name, int8_t *out, GError **errp);
bool qapi_in_int16(QObject *src, const char *name, int16_t *out,
                   GError **errp);
bool qapi_in_int32(QObject *src, const char *name, int32_t *out,
                   GError **errp);
bool qapi_in_int64(QObject *src, const char *name, int64_t *out,
                   GError **errp);
bool qapi_in_uint8(QObject *src, const char *name, uint8_t *out,
                   GError **errp);
bool qapi_in_uint16(QObject *src, const char *name, uint16_t *out,
                    GError **errp);
bool qapi_in_uint32(QObject *src, const char *name, uint32_t *out,
                    GError **errp);
bool qapi_in_uint64(QObject *src, const char *name, uint64_t *out,
                    GError **errp);
bool qapi_in_size(QObject *src, const char *name, uint64_t *out,
                  GError **errp);

QObject *qapi_out_str(const char *s);      /* NULL becomes "" */
QObject *qapi_out_int(int64_t v);
QObject *qapi_out_uint(uint64_t v);
QObject *qapi_out_number(double v);
QObject *qapi_out_bool(bool v);
QObject *qapi_out_any(QObject *v);         /* new reference; NULL -> null */
QObject *qapi_out_null(QNull *v);

#endif
