/*
 * Ready-made property kinds: callback-backed bool/str/enum properties,
 * struct-field-backed properties (what qdev property tables become), and
 * pointer-backed integers. Values reach the setters already coerced and
 * range-checked by object_property_set().
 */
#include "qom/object.h"
#include "qom/qom-internal.h"
#include "util/error.h"

#include <string.h>

/* --------------------------------------------------- callback-backed */

typedef struct {
    bool (*get_bool)(Object *, GError **);
    bool (*set_bool)(Object *, bool, GError **);
    char *(*get_str)(Object *, GError **);
    bool (*set_str)(Object *, const char *, GError **);
    int (*get_enum)(Object *, GError **);
    bool (*set_enum)(Object *, int, GError **);
} CallbackProp;

static void callback_release(Object *obj, ObjectProperty *prop)
{
    g_free(prop->opaque);
}

static GVariant *bool_get(Object *obj, ObjectProperty *prop, GError **errp)
{
    CallbackProp *cb = prop->opaque;
    GError *err = NULL;
    bool v = cb->get_bool(obj, &err);

    if (err) {
        g_propagate_error(errp, err);
        return NULL;
    }
    return g_variant_new_boolean(v);
}

static bool bool_set(Object *obj, ObjectProperty *prop, GVariant *value,
                     GError **errp)
{
    CallbackProp *cb = prop->opaque;

    return cb->set_bool(obj, g_variant_get_boolean(value), errp);
}

static ObjectProperty *add_cb(Object *obj, ObjectClass *klass, const char *name,
                              const char *type, ObjectPropertyGet *get,
                              ObjectPropertySet *set, CallbackProp *cb)
{
    if (obj) {
        return object_property_add(obj, name, type, get, set, callback_release,
                                   cb);
    }
    return object_class_property_add(klass, name, type, get, set, NULL, cb);
}

void object_property_add_bool(Object *obj, const char *name,
                              bool (*get)(Object *, GError **),
                              bool (*set)(Object *, bool, GError **))
{
    CallbackProp *cb = g_new0(CallbackProp, 1);

    cb->get_bool = get;
    cb->set_bool = set;
    add_cb(obj, NULL, name, "bool", get ? bool_get : NULL,
           set ? bool_set : NULL, cb);
}

void object_class_property_add_bool(ObjectClass *klass, const char *name,
                                    bool (*get)(Object *, GError **),
                                    bool (*set)(Object *, bool, GError **))
{
    CallbackProp *cb = g_new0(CallbackProp, 1);

    cb->get_bool = get;
    cb->set_bool = set;
    add_cb(NULL, klass, name, "bool", get ? bool_get : NULL,
           set ? bool_set : NULL, cb);
}

static GVariant *str_get(Object *obj, ObjectProperty *prop, GError **errp)
{
    CallbackProp *cb = prop->opaque;
    GError *err = NULL;
    char *s = cb->get_str(obj, &err);

    if (err) {
        g_free(s);
        g_propagate_error(errp, err);
        return NULL;
    }
    GVariant *v = g_variant_new_string(s ? s : "");
    g_free(s);
    return v;
}

static bool str_set(Object *obj, ObjectProperty *prop, GVariant *value,
                    GError **errp)
{
    CallbackProp *cb = prop->opaque;

    return cb->set_str(obj, g_variant_get_string(value, NULL), errp);
}

void object_property_add_str(Object *obj, const char *name,
                             char *(*get)(Object *, GError **),
                             bool (*set)(Object *, const char *, GError **))
{
    CallbackProp *cb = g_new0(CallbackProp, 1);

    cb->get_str = get;
    cb->set_str = set;
    add_cb(obj, NULL, name, "str", get ? str_get : NULL, set ? str_set : NULL,
           cb);
}

void object_class_property_add_str(ObjectClass *klass, const char *name,
                                   char *(*get)(Object *, GError **),
                                   bool (*set)(Object *, const char *,
                                               GError **))
{
    CallbackProp *cb = g_new0(CallbackProp, 1);

    cb->get_str = get;
    cb->set_str = set;
    add_cb(NULL, klass, name, "str", get ? str_get : NULL, set ? str_set : NULL,
           cb);
}

static int enum_lookup(ObjectProperty *prop, const char *s, GError **errp)
{
    for (int i = 0; prop->enum_table && prop->enum_table[i]; i++) {
        if (!strcmp(prop->enum_table[i], s)) {
            return i;
        }
    }
    error_setg(errp, "Parameter '%s' does not accept value '%s'", prop->name,
               s);
    return -1;
}

static GVariant *enum_to_variant(ObjectProperty *prop, int v, GError **errp)
{
    int n = 0;

    while (prop->enum_table && prop->enum_table[n]) {
        n++;
    }
    if (v < 0 || v >= n) {
        error_setg(errp, "property '%s' holds an invalid enum value %d",
                   prop->name, v);
        return NULL;
    }
    return g_variant_new_string(prop->enum_table[v]);
}

static GVariant *enum_get(Object *obj, ObjectProperty *prop, GError **errp)
{
    CallbackProp *cb = prop->opaque;
    GError *err = NULL;
    int v = cb->get_enum(obj, &err);

    if (err) {
        g_propagate_error(errp, err);
        return NULL;
    }
    return enum_to_variant(prop, v, errp);
}

static bool enum_set(Object *obj, ObjectProperty *prop, GVariant *value,
                     GError **errp)
{
    CallbackProp *cb = prop->opaque;
    int v = enum_lookup(prop, g_variant_get_string(value, NULL), errp);

    return v >= 0 && cb->set_enum(obj, v, errp);
}

static void add_enum(Object *obj, ObjectClass *klass, const char *name,
                     const char *type, const char *const *table,
                     int (*get)(Object *, GError **),
                     bool (*set)(Object *, int, GError **))
{
    CallbackProp *cb = g_new0(CallbackProp, 1);

    cb->get_enum = get;
    cb->set_enum = set;
    ObjectProperty *prop = add_cb(obj, klass, name, type, get ? enum_get : NULL,
                                  set ? enum_set : NULL, cb);
    prop->kind = OBJ_PROP_ENUM;
    prop->enum_table = table;
}

void object_property_add_enum(Object *obj, const char *name, const char *type,
                              const char *const *table,
                              int (*get)(Object *, GError **),
                              bool (*set)(Object *, int, GError **))
{
    add_enum(obj, NULL, name, type, table, get, set);
}

void object_class_property_add_enum(ObjectClass *klass, const char *name,
                                    const char *type, const char *const *table,
                                    int (*get)(Object *, GError **),
                                    bool (*set)(Object *, int, GError **))
{
    add_enum(NULL, klass, name, type, table, get, set);
}

/* ------------------------------------------------------- field-backed */

static void *field_ptr(Object *obj, const ObjectField *f)
{
    return (char *)obj + f->offset;
}

static GVariant *field_get(Object *obj, ObjectProperty *prop, GError **errp)
{
    const ObjectField *f = prop->opaque;
    void *p = field_ptr(obj, f);

    switch (f->kind) {
    case OBJ_PROP_BOOL:
        return g_variant_new_boolean(*(bool *)p);
    case OBJ_PROP_INT8:
        return g_variant_new_int64(*(int8_t *)p);
    case OBJ_PROP_INT16:
        return g_variant_new_int64(*(int16_t *)p);
    case OBJ_PROP_INT32:
        return g_variant_new_int64(*(int32_t *)p);
    case OBJ_PROP_INT64:
        return g_variant_new_int64(*(int64_t *)p);
    case OBJ_PROP_UINT8:
        return g_variant_new_uint64(*(uint8_t *)p);
    case OBJ_PROP_UINT16:
        return g_variant_new_uint64(*(uint16_t *)p);
    case OBJ_PROP_UINT32:
        return g_variant_new_uint64(*(uint32_t *)p);
    case OBJ_PROP_UINT64:
    case OBJ_PROP_SIZE:
        return g_variant_new_uint64(*(uint64_t *)p);
    case OBJ_PROP_STRING: {
        char *s = *(char **)p;
        return g_variant_new_string(s ? s : "");
    }
    case OBJ_PROP_ENUM:
        return enum_to_variant(prop, *(int *)p, errp);
    case OBJ_PROP_LINK: {
        Object *target = *(Object **)p;
        char *path = target ? object_get_canonical_path(target) : NULL;
        GVariant *v = g_variant_new_string(path ? path : "");
        g_free(path);
        return v;
    }
    case OBJ_PROP_CUSTOM: {
        char *s = f->custom_get ? f->custom_get(obj, p) : NULL;
        GVariant *v = g_variant_new_string(s ? s : "");
        g_free(s);
        return v;
    }
    default:
        error_setg(errp, "Property '%s' cannot be read", prop->name);
        return NULL;
    }
}

bool object_field_set_value(Object *obj, ObjectProperty *prop, GVariant *value,
                            GError **errp)
{
    const ObjectField *f = prop->opaque;
    void *p = field_ptr(obj, f);
    GVariant *v = object_property_coerce(prop, value, errp);
    bool ok = true;

    if (!v) {
        return false;
    }
    switch (f->kind) {
    case OBJ_PROP_BOOL:
        *(bool *)p = g_variant_get_boolean(v);
        break;
    case OBJ_PROP_INT8:
        *(int8_t *)p = g_variant_get_int64(v);
        break;
    case OBJ_PROP_INT16:
        *(int16_t *)p = g_variant_get_int64(v);
        break;
    case OBJ_PROP_INT32:
        *(int32_t *)p = g_variant_get_int64(v);
        break;
    case OBJ_PROP_INT64:
        *(int64_t *)p = g_variant_get_int64(v);
        break;
    case OBJ_PROP_UINT8:
        *(uint8_t *)p = g_variant_get_uint64(v);
        break;
    case OBJ_PROP_UINT16:
        *(uint16_t *)p = g_variant_get_uint64(v);
        break;
    case OBJ_PROP_UINT32:
        *(uint32_t *)p = g_variant_get_uint64(v);
        break;
    case OBJ_PROP_UINT64:
    case OBJ_PROP_SIZE:
        *(uint64_t *)p = g_variant_get_uint64(v);
        break;
    case OBJ_PROP_STRING:
        g_free(*(char **)p);
        *(char **)p = g_variant_dup_string(v, NULL);
        break;
    case OBJ_PROP_ENUM: {
        int e = enum_lookup(prop, g_variant_get_string(v, NULL), errp);
        if (e < 0) {
            ok = false;
        } else {
            *(int *)p = e;
        }
        break;
    }
    case OBJ_PROP_LINK: {
        const char *path = g_variant_get_string(v, NULL);
        Object *target = NULL;
        if (*path) {
            target = object_resolve_link(prop->name, f->link_type, path, errp);
            if (!target) {
                ok = false;
                break;
            }
        }
        Object *old = *(Object **)p;
        *(Object **)p = object_ref(target);
        object_unref(old);
        break;
    }
    case OBJ_PROP_CUSTOM:
        if (!f->custom_set) {
            error_setg(errp, "Insufficient permission to perform this "
                             "operation");
            ok = false;
            break;
        }
        ok = f->custom_set(obj, p, g_variant_get_string(v, NULL), errp);
        break;
    default:
        error_setg(errp, "Insufficient permission to perform this operation");
        ok = false;
    }
    g_variant_unref(v);
    return ok;
}

static bool field_set(Object *obj, ObjectProperty *prop, GVariant *value,
                      GError **errp)
{
    const ObjectField *f = prop->opaque;

    if (f->allow_set && !f->allow_set(obj, prop, errp)) {
        return false;
    }
    return object_field_set_value(obj, prop, value, errp);
}

static void field_release(Object *obj, ObjectProperty *prop)
{
    const ObjectField *f = prop->opaque;
    void *p = field_ptr(obj, f);

    switch (f->kind) {
    case OBJ_PROP_STRING:
        g_free(*(char **)p);
        *(char **)p = NULL;
        break;
    case OBJ_PROP_LINK: {
        Object *old = *(Object **)p;
        *(Object **)p = NULL;
        object_unref(old);
        break;
    }
    case OBJ_PROP_CUSTOM:
        if (f->custom_release) {
            f->custom_release(obj, p);
        }
        break;
    default:
        break;
    }
}

static const char *const kind_type_names[] = {
    [OBJ_PROP_CUSTOM] = "str",    [OBJ_PROP_BOOL] = "bool",
    [OBJ_PROP_INT8] = "int8",     [OBJ_PROP_INT16] = "int16",
    [OBJ_PROP_INT32] = "int32",   [OBJ_PROP_INT64] = "int64",
    [OBJ_PROP_UINT8] = "uint8",   [OBJ_PROP_UINT16] = "uint16",
    [OBJ_PROP_UINT32] = "uint32", [OBJ_PROP_UINT64] = "uint64",
    [OBJ_PROP_SIZE] = "size",     [OBJ_PROP_STRING] = "str",
    [OBJ_PROP_ENUM] = "enum",
};

ObjectProperty *object_class_property_add_field(ObjectClass *klass,
                                                const char *name,
                                                const ObjectField *field)
{
    char *type;

    g_assert(field->kind != OBJ_PROP_CHILD);
    if (field->kind == OBJ_PROP_LINK) {
        g_assert(field->link_type);
        type = g_strdup_printf("link<%s>", field->link_type);
    } else if (field->type_name) {
        type = g_strdup(field->type_name);
    } else {
        type = g_strdup(kind_type_names[field->kind]);
    }
    ObjectProperty *prop = object_class_property_add(
        klass, name, type, field_get, field->read_only ? NULL : field_set,
        field_release, (void *)field);
    prop->kind = field->kind;
    prop->enum_table = field->enum_table;
    g_free(type);
    return prop;
}

/* ----------------------------------------------------- pointer-backed */

typedef struct {
    void *ptr;
    ObjectPropKind kind;
} PtrProp;

static GVariant *ptr_get(Object *obj, ObjectProperty *prop, GError **errp)
{
    PtrProp *pp = prop->opaque;

    switch (pp->kind) {
    case OBJ_PROP_UINT8:
        return g_variant_new_uint64(*(uint8_t *)pp->ptr);
    case OBJ_PROP_UINT16:
        return g_variant_new_uint64(*(uint16_t *)pp->ptr);
    case OBJ_PROP_UINT32:
        return g_variant_new_uint64(*(uint32_t *)pp->ptr);
    default:
        return g_variant_new_uint64(*(uint64_t *)pp->ptr);
    }
}

static bool ptr_set(Object *obj, ObjectProperty *prop, GVariant *value,
                    GError **errp)
{
    PtrProp *pp = prop->opaque;
    uint64_t v = g_variant_get_uint64(value);

    switch (pp->kind) {
    case OBJ_PROP_UINT8:
        *(uint8_t *)pp->ptr = v;
        break;
    case OBJ_PROP_UINT16:
        *(uint16_t *)pp->ptr = v;
        break;
    case OBJ_PROP_UINT32:
        *(uint32_t *)pp->ptr = v;
        break;
    default:
        *(uint64_t *)pp->ptr = v;
    }
    return true;
}

static void ptr_release(Object *obj, ObjectProperty *prop)
{
    g_free(prop->opaque);
}

static void add_ptr(Object *obj, const char *name, void *ptr,
                    ObjectPropKind kind, bool read_only)
{
    PtrProp *pp = g_new0(PtrProp, 1);

    pp->ptr = ptr;
    pp->kind = kind;
    object_property_add(obj, name, kind_type_names[kind], ptr_get,
                        read_only ? NULL : ptr_set, ptr_release, pp);
}

void object_property_add_uint8_ptr(Object *obj, const char *name, uint8_t *v,
                                   bool read_only)
{
    add_ptr(obj, name, v, OBJ_PROP_UINT8, read_only);
}

void object_property_add_uint16_ptr(Object *obj, const char *name, uint16_t *v,
                                    bool read_only)
{
    add_ptr(obj, name, v, OBJ_PROP_UINT16, read_only);
}

void object_property_add_uint32_ptr(Object *obj, const char *name, uint32_t *v,
                                    bool read_only)
{
    add_ptr(obj, name, v, OBJ_PROP_UINT32, read_only);
}

void object_property_add_uint64_ptr(Object *obj, const char *name, uint64_t *v,
                                    bool read_only)
{
    add_ptr(obj, name, v, OBJ_PROP_UINT64, read_only);
}

/* ---------------------------------------------------------------- alias */

typedef struct {
    Object *target;
    char *target_name;
} AliasProp;

static GVariant *alias_get(Object *obj, ObjectProperty *prop, GError **errp)
{
    AliasProp *ap = prop->opaque;

    return object_property_get(ap->target, ap->target_name, errp);
}

static bool alias_set(Object *obj, ObjectProperty *prop, GVariant *value,
                      GError **errp)
{
    AliasProp *ap = prop->opaque;

    return object_property_set(ap->target, ap->target_name, value, errp);
}

static void alias_release(Object *obj, ObjectProperty *prop)
{
    AliasProp *ap = prop->opaque;

    g_free(ap->target_name);
    g_free(ap);
}

ObjectProperty *object_property_add_alias(Object *obj, const char *name,
                                          Object *target,
                                          const char *target_name)
{
    ObjectProperty *tp = object_property_find(target, target_name);

    g_assert(tp); /* aliasing a missing property: a bug */
    AliasProp *ap = g_new0(AliasProp, 1);
    ap->target = target;
    ap->target_name = g_strdup(target_name);
    /* A child<> seen through an alias is a link to that child. */
    char *type = g_str_has_prefix(tp->type, "child<")
                     ? g_strdup_printf("link%s", tp->type + 5)
                     : g_strdup(tp->type);
    ObjectProperty *prop =
        object_property_add(obj, name, type, tp->get ? alias_get : NULL,
                            tp->set ? alias_set : NULL, alias_release, ap);
    g_free(type);
    prop->kind = tp->kind == OBJ_PROP_CHILD ? OBJ_PROP_LINK : tp->kind;
    prop->enum_table = tp->enum_table;
    if (tp->description) {
        prop->description = g_strdup(tp->description);
    }
    if (tp->defval) {
        prop->defval = g_variant_ref(tp->defval);
    }
    return prop;
}
