/*
 * QOM property tables: adding, finding, listing and deleting properties
 * of objects and classes, descriptions and defaults. Values: see
 * property-value.c.
 */
#include "qom/object.h"
#include "qom/qom-internal.h"
#include "util/error.h"

#include <string.h>

static uint64_t prop_seq;

static const struct {
    const char *name;
    ObjectPropKind kind;
} kind_names[] = {
    {"bool", OBJ_PROP_BOOL},     {"int8", OBJ_PROP_INT8},
    {"int16", OBJ_PROP_INT16},   {"int32", OBJ_PROP_INT32},
    {"int64", OBJ_PROP_INT64},   {"int", OBJ_PROP_INT64},
    {"uint8", OBJ_PROP_UINT8},   {"uint16", OBJ_PROP_UINT16},
    {"uint32", OBJ_PROP_UINT32}, {"uint64", OBJ_PROP_UINT64},
    {"size", OBJ_PROP_SIZE},     {"str", OBJ_PROP_STRING},
    {"string", OBJ_PROP_STRING},
};

ObjectPropKind object_prop_kind_from_type(const char *type)
{
    for (size_t i = 0; i < G_N_ELEMENTS(kind_names); i++) {
        if (!strcmp(type, kind_names[i].name)) {
            return kind_names[i].kind;
        }
    }
    if (g_str_has_prefix(type, "link<")) {
        return OBJ_PROP_LINK;
    }
    if (g_str_has_prefix(type, "child<")) {
        return OBJ_PROP_CHILD;
    }
    return OBJ_PROP_CUSTOM;
}

const GVariantType *object_prop_kind_variant_type(ObjectPropKind kind)
{
    switch (kind) {
    case OBJ_PROP_BOOL:
        return G_VARIANT_TYPE_BOOLEAN;
    case OBJ_PROP_INT8:
    case OBJ_PROP_INT16:
    case OBJ_PROP_INT32:
    case OBJ_PROP_INT64:
        return G_VARIANT_TYPE_INT64;
    case OBJ_PROP_UINT8:
    case OBJ_PROP_UINT16:
    case OBJ_PROP_UINT32:
    case OBJ_PROP_UINT64:
    case OBJ_PROP_SIZE:
        return G_VARIANT_TYPE_UINT64;
    default:
        return G_VARIANT_TYPE_STRING;
    }
}

/* ------------------------------------------------------- add/find/del */

static ObjectProperty *property_new(const char *name, const char *type,
                                    ObjectPropertyGet *get,
                                    ObjectPropertySet *set,
                                    ObjectPropertyRelease *release,
                                    void *opaque)
{
    ObjectProperty *prop = g_new0(ObjectProperty, 1);

    prop->name = g_strdup(name);
    prop->type = g_strdup(type);
    prop->kind = object_prop_kind_from_type(type);
    prop->get = get;
    prop->set = set;
    prop->release = release;
    prop->opaque = opaque;
    prop->seq = ++prop_seq;
    return prop;
}

static void property_free(ObjectProperty *prop)
{
    g_free(prop->name);
    g_free(prop->type);
    g_free(prop->description);
    if (prop->defval) {
        g_variant_unref(prop->defval);
    }
    g_free(prop);
}

ObjectProperty *object_property_try_add(Object *obj, const char *name,
                                        const char *type,
                                        ObjectPropertyGet *get,
                                        ObjectPropertySet *set,
                                        ObjectPropertyRelease *release,
                                        void *opaque, GError **errp)
{
    if (object_property_find(obj, name)) {
        error_setg(errp,
                   "attempt to add duplicate property '%s' to object "
                   "(type '%s')",
                   name, object_get_typename(obj));
        return NULL;
    }
    ObjectProperty *prop = property_new(name, type, get, set, release, opaque);
    g_hash_table_insert(obj->properties, prop->name, prop);
    return prop;
}

ObjectProperty *object_property_add(Object *obj, const char *name,
                                    const char *type, ObjectPropertyGet *get,
                                    ObjectPropertySet *set,
                                    ObjectPropertyRelease *release,
                                    void *opaque)
{
    GError *err = NULL;
    ObjectProperty *prop = object_property_try_add(obj, name, type, get, set,
                                                   release, opaque, &err);
    if (!prop) {
        g_error("%s", err->message);
    }
    return prop;
}

ObjectProperty *object_class_property_add(ObjectClass *klass, const char *name,
                                          const char *type,
                                          ObjectPropertyGet *get,
                                          ObjectPropertySet *set,
                                          ObjectPropertyRelease *release,
                                          void *opaque)
{
    if (g_hash_table_lookup(klass->properties, name)) {
        g_error("attempt to add duplicate property '%s' to class '%s'", name,
                object_class_get_name(klass));
    }
    ObjectProperty *prop = property_new(name, type, get, set, release, opaque);
    g_hash_table_insert(klass->properties, prop->name, prop);
    return prop;
}

ObjectProperty *object_class_property_find(ObjectClass *klass, const char *name)
{
    for (; klass; klass = object_class_get_parent(klass)) {
        ObjectProperty *prop = g_hash_table_lookup(klass->properties, name);
        if (prop) {
            return prop;
        }
    }
    return NULL;
}

ObjectProperty *object_property_find(Object *obj, const char *name)
{
    ObjectProperty *prop = g_hash_table_lookup(obj->properties, name);

    return prop ? prop : object_class_property_find(obj->klass, name);
}

ObjectProperty *object_property_find_err(Object *obj, const char *name,
                                         GError **errp)
{
    ObjectProperty *prop = object_property_find(obj, name);

    if (!prop) {
        error_setg(errp, "Property '%s.%s' not found", object_get_typename(obj),
                   name);
    }
    return prop;
}

void object_property_del(Object *obj, const char *name)
{
    ObjectProperty *prop = g_hash_table_lookup(obj->properties, name);

    if (!prop) {
        return;
    }
    /* name may die in release (a child's parent_prop): use prop->name. */
    if (prop->release) {
        prop->release(obj, prop);
    }
    g_hash_table_remove(obj->properties, prop->name);
    property_free(prop);
}

static gint prop_seq_cmp(gconstpointer a, gconstpointer b)
{
    const ObjectProperty *pa = *(ObjectProperty *const *)a;
    const ObjectProperty *pb = *(ObjectProperty *const *)b;

    return pa->seq < pb->seq ? -1 : pa->seq > pb->seq;
}

static GPtrArray *table_sorted(GHashTable *table)
{
    GPtrArray *arr = g_ptr_array_new();
    GHashTableIter it;
    gpointer value;

    g_hash_table_iter_init(&it, table);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        g_ptr_array_add(arr, value);
    }
    g_ptr_array_sort(arr, prop_seq_cmp);
    return arr;
}

/* Append class chain properties (base first) not shadowed by `seen`. */
static void class_props_collect(ObjectClass *klass, GPtrArray *out,
                                GHashTable *seen)
{
    GPtrArray *chain = g_ptr_array_new();

    for (; klass; klass = object_class_get_parent(klass)) {
        g_ptr_array_add(chain, klass);
    }
    /* Walk leaf first to decide shadowing, emit base first. */
    GPtrArray *picked = g_ptr_array_new();
    for (guint i = 0; i < chain->len; i++) {
        GPtrArray *props =
            table_sorted(((ObjectClass *)chain->pdata[i])->properties);
        GPtrArray *level = g_ptr_array_new();
        for (guint j = 0; j < props->len; j++) {
            ObjectProperty *p = props->pdata[j];
            if (g_hash_table_add(seen, p->name)) {
                g_ptr_array_add(level, p);
            }
        }
        g_ptr_array_free(props, true);
        g_ptr_array_add(picked, level);
    }
    for (guint i = picked->len; i-- > 0;) {
        GPtrArray *level = picked->pdata[i];
        for (guint j = 0; j < level->len; j++) {
            g_ptr_array_add(out, level->pdata[j]);
        }
        g_ptr_array_free(level, true);
    }
    g_ptr_array_free(picked, true);
    g_ptr_array_free(chain, true);
}

GPtrArray *object_class_property_list(ObjectClass *klass)
{
    GPtrArray *out = g_ptr_array_new();
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);

    class_props_collect(klass, out, seen);
    g_hash_table_unref(seen);
    return out;
}

GPtrArray *object_property_list(Object *obj)
{
    GPtrArray *out = g_ptr_array_new();
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    GPtrArray *inst = table_sorted(obj->properties);

    for (guint i = 0; i < inst->len; i++) {
        g_hash_table_add(seen, ((ObjectProperty *)inst->pdata[i])->name);
    }
    class_props_collect(obj->klass, out, seen);
    for (guint i = 0; i < inst->len; i++) {
        g_ptr_array_add(out, inst->pdata[i]);
    }
    g_ptr_array_free(inst, true);
    g_hash_table_unref(seen);
    return out;
}

void object_property_del_all(Object *obj)
{
    /* Instance properties, newest first (children added last go first). */
    for (;;) {
        GPtrArray *inst = table_sorted(obj->properties);
        if (!inst->len) {
            g_ptr_array_free(inst, true);
            break;
        }
        ObjectProperty *last = inst->pdata[inst->len - 1];
        g_ptr_array_free(inst, true);
        object_property_del(obj, last->name);
    }
    /* Class properties release their per-instance storage (fields). */
    GPtrArray *cls = object_class_property_list(obj->klass);
    for (guint i = 0; i < cls->len; i++) {
        ObjectProperty *p = cls->pdata[i];
        if (p->release) {
            p->release(obj, p);
        }
    }
    g_ptr_array_free(cls, true);
}

static void set_description(ObjectProperty *prop, const char *description)
{
    if (prop) {
        g_free(prop->description);
        prop->description = g_strdup(description);
    }
}

void object_property_set_description(Object *obj, const char *name,
                                     const char *description)
{
    set_description(g_hash_table_lookup(obj->properties, name), description);
}

void object_class_property_set_description(ObjectClass *klass, const char *name,
                                           const char *description)
{
    set_description(g_hash_table_lookup(klass->properties, name), description);
}

void object_property_set_default(ObjectProperty *prop, GVariant *value)
{
    if (prop->defval) {
        g_variant_unref(prop->defval);
    }
    prop->defval = value ? g_variant_ref_sink(value) : NULL;
}
