/*
 * QOM property core: adding, finding and listing properties, typed
 * get/set through GVariant, and the string forms used by the command
 * line (parse) and by humans (print, help).
 *
 * Integer values are range-checked here against the property's kind, so
 * setters receive values that fit their field.
 */
#include "qom/object.h"
#include "qom/qom-internal.h"
#include "util/cutils.h"
#include "util/error.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

static uint64_t prop_seq;

static const struct {
    const char *name;
    ObjectPropKind kind;
} kind_names[] = {
    { "bool", OBJ_PROP_BOOL },
    { "int8", OBJ_PROP_INT8 },
    { "int16", OBJ_PROP_INT16 },
    { "int32", OBJ_PROP_INT32 },
    { "int64", OBJ_PROP_INT64 },
    { "int", OBJ_PROP_INT64 },
    { "uint8", OBJ_PROP_UINT8 },
    { "uint16", OBJ_PROP_UINT16 },
    { "uint32", OBJ_PROP_UINT32 },
    { "uint64", OBJ_PROP_UINT64 },
    { "size", OBJ_PROP_SIZE },
    { "str", OBJ_PROP_STRING },
    { "string", OBJ_PROP_STRING },
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
        error_setg(errp, "attempt to add duplicate property '%s' to object "
                   "(type '%s')", name, object_get_typename(obj));
        return NULL;
    }
    ObjectProperty *prop = property_new(name, type, get, set, release,
                                        opaque);
    g_hash_table_insert(obj->properties, prop->name, prop);
    return prop;
}

ObjectProperty *object_property_add(Object *obj, const char *name,
                                    const char *type,
                                    ObjectPropertyGet *get,
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

ObjectProperty *object_class_property_add(ObjectClass *klass,
                                          const char *name,
                                          const char *type,
                                          ObjectPropertyGet *get,
                                          ObjectPropertySet *set,
                                          ObjectPropertyRelease *release,
                                          void *opaque)
{
    if (g_hash_table_lookup(klass->properties, name)) {
        g_error("attempt to add duplicate property '%s' to class '%s'",
                name, object_class_get_name(klass));
    }
    ObjectProperty *prop = property_new(name, type, get, set, release,
                                        opaque);
    g_hash_table_insert(klass->properties, prop->name, prop);
    return prop;
}

ObjectProperty *object_class_property_find(ObjectClass *klass,
                                           const char *name)
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
        error_setg(errp, "Property '%s.%s' not found",
                   object_get_typename(obj), name);
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
        GPtrArray *props = table_sorted(((ObjectClass *)chain->pdata[i])
                                        ->properties);
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

void object_class_property_set_description(ObjectClass *klass,
                                           const char *name,
                                           const char *description)
{
    set_description(g_hash_table_lookup(klass->properties, name),
                    description);
}

void object_property_set_default(ObjectProperty *prop, GVariant *value)
{
    if (prop->defval) {
        g_variant_unref(prop->defval);
    }
    prop->defval = value ? g_variant_ref_sink(value) : NULL;
}

/* ------------------------------------------------------------ get/set */

static const char *kind_c_name(ObjectPropKind kind)
{
    switch (kind) {
    case OBJ_PROP_INT8: return "int8_t";
    case OBJ_PROP_INT16: return "int16_t";
    case OBJ_PROP_INT32: return "int32_t";
    case OBJ_PROP_UINT8: return "uint8_t";
    case OBJ_PROP_UINT16: return "uint16_t";
    case OBJ_PROP_UINT32: return "uint32_t";
    default: return "int64_t";
    }
}

static bool kind_range(ObjectPropKind kind, int64_t *min, int64_t *max,
                       uint64_t *umax)
{
    *min = INT64_MIN;
    *max = INT64_MAX;
    *umax = UINT64_MAX;
    switch (kind) {
    case OBJ_PROP_INT8: *min = INT8_MIN; *max = INT8_MAX; return true;
    case OBJ_PROP_INT16: *min = INT16_MIN; *max = INT16_MAX; return true;
    case OBJ_PROP_INT32: *min = INT32_MIN; *max = INT32_MAX; return true;
    case OBJ_PROP_INT64: return true;
    case OBJ_PROP_UINT8: *umax = UINT8_MAX; return false;
    case OBJ_PROP_UINT16: *umax = UINT16_MAX; return false;
    case OBJ_PROP_UINT32: *umax = UINT32_MAX; return false;
    default: return false;
    }
}

/* Reads any integer GVariant; false if v is not an integer. */
static bool variant_to_int(GVariant *v, bool *negative, int64_t *s,
                           uint64_t *u)
{
    const GVariantType *t = g_variant_get_type(v);
    int64_t sv = 0;
    uint64_t uv = 0;
    bool is_signed = true;

    if (g_variant_type_equal(t, G_VARIANT_TYPE_INT64)) {
        sv = g_variant_get_int64(v);
    } else if (g_variant_type_equal(t, G_VARIANT_TYPE_INT32)) {
        sv = g_variant_get_int32(v);
    } else if (g_variant_type_equal(t, G_VARIANT_TYPE_INT16)) {
        sv = g_variant_get_int16(v);
    } else if (g_variant_type_equal(t, G_VARIANT_TYPE_UINT64)) {
        uv = g_variant_get_uint64(v);
        is_signed = false;
    } else if (g_variant_type_equal(t, G_VARIANT_TYPE_UINT32)) {
        uv = g_variant_get_uint32(v);
        is_signed = false;
    } else if (g_variant_type_equal(t, G_VARIANT_TYPE_UINT16)) {
        uv = g_variant_get_uint16(v);
        is_signed = false;
    } else if (g_variant_type_equal(t, G_VARIANT_TYPE_BYTE)) {
        uv = g_variant_get_byte(v);
        is_signed = false;
    } else {
        return false;
    }
    if (is_signed) {
        *negative = sv < 0;
        *s = sv;
        *u = (uint64_t)sv;
    } else {
        *negative = false;
        *u = uv;
        *s = (int64_t)uv;
    }
    return true;
}

static const char *kind_json_name(ObjectPropKind kind)
{
    switch (kind) {
    case OBJ_PROP_BOOL:
        return "boolean";
    case OBJ_PROP_CUSTOM:
    case OBJ_PROP_STRING:
    case OBJ_PROP_ENUM:
    case OBJ_PROP_LINK:
    case OBJ_PROP_CHILD:
        return "string";
    default:
        return "integer";
    }
}

GVariant *object_property_coerce(ObjectProperty *prop, GVariant *value,
                                 GError **errp)
{
    const GVariantType *want = object_prop_kind_variant_type(prop->kind);
    bool neg;
    int64_t s, min, max;
    uint64_t u, umax;

    if (g_variant_is_of_type(value, G_VARIANT_TYPE_VARIANT)) {
        GVariant *inner = g_variant_get_variant(value);
        GVariant *ret = object_property_coerce(prop, inner, errp);
        g_variant_unref(inner);
        return ret;
    }
    if (!g_variant_type_equal(want, G_VARIANT_TYPE_INT64) &&
        !g_variant_type_equal(want, G_VARIANT_TYPE_UINT64)) {
        if (!g_variant_is_of_type(value, want)) {
            error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                       prop->name, kind_json_name(prop->kind));
            return NULL;
        }
        return g_variant_ref(value);
    }
    if (!variant_to_int(value, &neg, &s, &u)) {
        error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                   prop->name, kind_json_name(prop->kind));
        return NULL;
    }
    if (kind_range(prop->kind, &min, &max, &umax)) {
        bool unsigned_too_big = !neg && u > (uint64_t)INT64_MAX;
        if (unsigned_too_big || s < min || s > max) {
            error_setg(errp, "Parameter '%s' expects %s", prop->name,
                       kind_c_name(prop->kind));
            return NULL;
        }
        return g_variant_ref_sink(g_variant_new_int64(s));
    }
    if (neg || u > umax) {
        error_setg(errp, "Parameter '%s' expects %s", prop->name,
                   prop->kind == OBJ_PROP_SIZE ? "a size value"
                   : prop->kind == OBJ_PROP_UINT64 ? "uint64_t"
                   : kind_c_name(prop->kind));
        return NULL;
    }
    return g_variant_ref_sink(g_variant_new_uint64(u));
}

GVariant *object_property_get(Object *obj, const char *name, GError **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);

    if (!prop) {
        return NULL;
    }
    if (!prop->get) {
        error_setg(errp, "Property '%s.%s' is not readable",
                   object_get_typename(obj), name);
        return NULL;
    }
    GVariant *v = prop->get(obj, prop, errp);
    return v ? g_variant_ref_sink(v) : NULL;
}

bool object_property_set(Object *obj, const char *name, GVariant *value,
                         GError **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);
    bool ok = false;

    g_variant_ref_sink(value);
    if (!prop) {
        goto out;
    }
    if (!prop->set) {
        error_setg(errp, "Insufficient permission to perform this operation");
        goto out;
    }
    GVariant *v = object_property_coerce(prop, value, errp);
    if (v) {
        ok = prop->set(obj, prop, v, errp);
        g_variant_unref(v);
    }
out:
    g_variant_unref(value);
    return ok;
}

GVariant *object_property_value_from_string(ObjectProperty *prop,
                                            const char *str, GError **errp)
{
    int64_t s;
    uint64_t u;
    bool b;
    int ret;

    switch (prop->kind) {
    case OBJ_PROP_BOOL:
        if (!parse_bool(str, &b)) {
            error_setg(errp, "Parameter '%s' expects 'on' or 'off'",
                       prop->name);
            return NULL;
        }
        return g_variant_ref_sink(g_variant_new_boolean(b));
    case OBJ_PROP_INT8:
    case OBJ_PROP_INT16:
    case OBJ_PROP_INT32:
    case OBJ_PROP_INT64:
        ret = parse_int64(str, 0, &s);
        if (ret < 0) {
            error_setg(errp, "Parameter '%s' expects %s", prop->name,
                       kind_c_name(prop->kind));
            return NULL;
        }
        return g_variant_ref_sink(g_variant_new_int64(s));
    case OBJ_PROP_UINT8:
    case OBJ_PROP_UINT16:
    case OBJ_PROP_UINT32:
    case OBJ_PROP_UINT64:
        ret = parse_uint64(str, 0, &u);
        if (ret < 0) {
            error_setg(errp, "Parameter '%s' expects %s", prop->name,
                       prop->kind == OBJ_PROP_UINT64 ? "uint64_t"
                       : kind_c_name(prop->kind));
            return NULL;
        }
        return g_variant_ref_sink(g_variant_new_uint64(u));
    case OBJ_PROP_SIZE:
        ret = parse_size(str, 1, &u);
        if (ret < 0) {
            error_setg(errp, "Parameter '%s' expects a non-negative number "
                       "below 2^64", prop->name);
            return NULL;
        }
        return g_variant_ref_sink(g_variant_new_uint64(u));
    default:
        return g_variant_ref_sink(g_variant_new_string(str));
    }
}

bool object_property_parse(Object *obj, const char *name, const char *str,
                           GError **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);

    if (!prop) {
        return false;
    }
    GVariant *v = object_property_value_from_string(prop, str, errp);
    if (!v) {
        return false;
    }
    bool ok = object_property_set(obj, name, v, errp);
    g_variant_unref(v);
    return ok;
}

char *object_property_value_to_string(ObjectProperty *prop, GVariant *v)
{
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN)) {
        return g_strdup(g_variant_get_boolean(v) ? "true" : "false");
    }
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_INT64)) {
        return g_strdup_printf("%" PRId64, g_variant_get_int64(v));
    }
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_UINT64)) {
        return g_strdup_printf("%" PRIu64, g_variant_get_uint64(v));
    }
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING)) {
        return g_variant_dup_string(v, NULL);
    }
    return g_variant_print(v, false);
}

char *object_property_print(Object *obj, const char *name, GError **errp)
{
    GVariant *v = object_property_get(obj, name, errp);

    if (!v) {
        return NULL;
    }
    char *s = object_property_value_to_string(object_property_find(obj, name),
                                              v);
    g_variant_unref(v);
    return s;
}

char *object_property_value_to_json(GVariant *v)
{
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING)) {
        const char *s = g_variant_get_string(v, NULL);
        GString *out = g_string_new("\"");
        for (; *s; s++) {
            unsigned char c = *s;
            switch (c) {
            case '"': g_string_append(out, "\\\""); break;
            case '\\': g_string_append(out, "\\\\"); break;
            case '\n': g_string_append(out, "\\n"); break;
            case '\t': g_string_append(out, "\\t"); break;
            case '\r': g_string_append(out, "\\r"); break;
            default:
                if (c < 0x20) {
                    g_string_append_printf(out, "\\u%04x", c);
                } else {
                    g_string_append_c(out, c);
                }
            }
        }
        g_string_append_c(out, '"');
        return g_string_free(out, false);
    }
    return object_property_value_to_string(NULL, v);
}

char *object_property_help(ObjectProperty *prop)
{
    GString *s = g_string_new(NULL);

    g_string_append_printf(s, "  %s=<%s>", prop->name, prop->type);
    if (prop->description || prop->defval) {
        while (s->len < 24) {
            g_string_append_c(s, ' ');
        }
        g_string_append(s, " - ");
    }
    if (prop->description) {
        g_string_append(s, prop->description);
    }
    if (prop->defval) {
        char *json = object_property_value_to_json(prop->defval);
        g_string_append_printf(s, " (default: %s)", json);
        g_free(json);
    }
    return g_string_free(s, false);
}

/* --------------------------------------------------------- typed helpers */

bool object_property_set_bool(Object *obj, const char *name, bool value,
                              GError **errp)
{
    return object_property_set(obj, name, g_variant_new_boolean(value),
                               errp);
}

bool object_property_get_bool(Object *obj, const char *name, GError **errp)
{
    GVariant *v = object_property_get(obj, name, errp);
    bool ret = false;

    if (v && g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN)) {
        ret = g_variant_get_boolean(v);
    } else if (v) {
        error_setg(errp, "Invalid parameter type for '%s', expected: boolean",
                   name);
    }
    if (v) {
        g_variant_unref(v);
    }
    return ret;
}

bool object_property_set_int(Object *obj, const char *name, int64_t value,
                             GError **errp)
{
    return object_property_set(obj, name, g_variant_new_int64(value), errp);
}

bool object_property_set_uint(Object *obj, const char *name, uint64_t value,
                              GError **errp)
{
    return object_property_set(obj, name, g_variant_new_uint64(value), errp);
}

static bool get_integer(Object *obj, const char *name, int64_t *s,
                        uint64_t *u, bool *neg, GError **errp)
{
    GVariant *v = object_property_get(obj, name, errp);
    bool ok;

    if (!v) {
        return false;
    }
    ok = variant_to_int(v, neg, s, u);
    if (!ok) {
        error_setg(errp, "Invalid parameter type for '%s', expected: integer",
                   name);
    }
    g_variant_unref(v);
    return ok;
}

int64_t object_property_get_int(Object *obj, const char *name, GError **errp)
{
    int64_t s;
    uint64_t u;
    bool neg;

    return get_integer(obj, name, &s, &u, &neg, errp) ? s : -1;
}

uint64_t object_property_get_uint(Object *obj, const char *name,
                                  GError **errp)
{
    int64_t s;
    uint64_t u;
    bool neg;

    return get_integer(obj, name, &s, &u, &neg, errp) ? u : 0;
}

bool object_property_set_str(Object *obj, const char *name,
                             const char *value, GError **errp)
{
    return object_property_set(obj, name, g_variant_new_string(value), errp);
}

char *object_property_get_str(Object *obj, const char *name, GError **errp)
{
    GVariant *v = object_property_get(obj, name, errp);
    char *ret = NULL;

    if (v && g_variant_is_of_type(v, G_VARIANT_TYPE_STRING)) {
        ret = g_variant_dup_string(v, NULL);
    } else if (v) {
        error_setg(errp, "Invalid parameter type for '%s', expected: string",
                   name);
    }
    if (v) {
        g_variant_unref(v);
    }
    return ret;
}

bool object_property_set_link(Object *obj, const char *name, Object *target,
                              GError **errp)
{
    char *path = target ? object_get_canonical_path(target) : g_strdup("");

    if (!path) {
        error_setg(errp, "link target for '%s' is not in the object tree",
                   name);
        return false;
    }
    bool ok = object_property_set_str(obj, name, path, errp);
    g_free(path);
    return ok;
}

Object *object_property_get_link(Object *obj, const char *name,
                                 GError **errp)
{
    char *path = object_property_get_str(obj, name, errp);
    Object *target = NULL;

    if (path && *path) {
        target = object_resolve_path(path, NULL);
    }
    g_free(path);
    return target;
}
