/* Private glue between the files of qom/; not for use outside qom/. */
#ifndef QOM_QOM_INTERNAL_H
#define QOM_QOM_INTERNAL_H

#include "qom/object.h"

/* Release and drop every property of obj (finalize). */
void object_property_del_all(Object *obj);
/* Registers TYPE_USER_CREATABLE (called with the core types). */
void user_creatable_register_types(void);
/* Normalise an integer/bool/string GVariant to the kind's type. */
GVariant *object_property_coerce(ObjectProperty *prop, GVariant *value,
                                 GError **errp);
/* link<> set: resolve path to an object of target_type (QEMU's errors). */
Object *object_resolve_link(const char *prop_name, const char *target_type,
                            const char *path, GError **errp);

#endif
