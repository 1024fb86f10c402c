/*
 * QAPI runtime basics shared by generated code: enum lookup tables.
 * Generated code (build dir qapi/qapi-types.h) includes this.
 */
#ifndef QAPI_UTIL_H
#define QAPI_UTIL_H

#include "qobject/qobject.h"
#include "util/error.h"

typedef struct QEnumLookup {
    const char *const *array;
    int size;
} QEnumLookup;

/* Name of value, or "" for an out-of-range value. */
const char *qapi_enum_lookup(const QEnumLookup *lookup, int val);
/* Index of name, or def when name is NULL; error when unknown. */
int qapi_enum_parse(const QEnumLookup *lookup, const char *name, int def,
                    GError **errp);

/* Special features of commands and members (bit mask). */
enum {
    QAPI_FEATURE_DEPRECATED = 1,
    QAPI_FEATURE_UNSTABLE = 2,
};

#endif
