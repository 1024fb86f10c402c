/*
 * QOM property values: typed get/set through GVariant, the string forms
 * used by the command line (parse) and by humans (print, help, JSON), and
 * the typed convenience accessors.
 *
 * Integer values are range-checked here against the property's kind, so
 * setters receive values that fit their field.
 */
#include "qom/object.h"
#include "qom/qom-internal.h"
#include "util/cutils.h"
#include "util/error.h"

#include <inttypes.h>
#include <string.h>

/* ------------------------------------------------------------ get/set */

static const char *kind_c_name(ObjectPropKind kind)
{
    switch (kind) {
    case OBJ_PROP_INT8:
        return "int8_t";
    case OBJ_PROP_INT16:
        return "int16_t";
    case OBJ_PROP_INT32:
        return "int32_t";
    case OBJ_PROP_UINT8:
        return "uint8_t";
    case OBJ_PROP_UINT16:
        return "uint16_t";
    case OBJ_PROP_UINT32:
        return "uint32_t";
    default:
        return "int64_t";
    }
}

static bool kind_range(ObjectPropKind kind, int64_t *min, int64_t *max,
                       uint64_t *umax)
{
    *min = INT64_MIN;
    *max = INT64_MAX;
    *umax = UINT64_MAX;
    switch (kind) {
    case OBJ_PROP_INT8:
        *min = INT8_MIN;
        *max = INT8_MAX;
        return true;
    case OBJ_PROP_INT16:
        *min = INT16_MIN;
        *max = INT16_MAX;
        return true;
    case OBJ_PROP_INT32:
        *min = INT32_MIN;
        *max = INT32_MAX;
        return true;
    case OBJ_PROP_INT64:
        return true;
    case OBJ_PROP_UINT8:
        *umax = UINT8_MAX;
        return false;
    case OBJ_PROP_UINT16:
        *umax = UINT16_MAX;
        return false;
    case OBJ_PROP_UINT32:
        *umax = UINT32_MAX;
        return false;
    default:
        return false;
    }
}

/* Reads any integer GVariant; false if v is not an integer. */
static bool variant_to_int(GVariant *v, bool *negative, int64_t *s, uint64_t *u)
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
                   prop->kind == OBJ_PROP_SIZE     ? "a size value"
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

    if (!str) {
        str = ""; /* a bare key ("-device x,flag") */
    }
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
            error_setg(errp,
                       "Parameter '%s' expects a non-negative number "
                       "below 2^64",
                       prop->name);
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
    char *s =
        object_property_value_to_string(object_property_find(obj, name), v);
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
            case '"':
                g_string_append(out, "\\\"");
                break;
            case '\\':
                g_string_append(out, "\\\\");
                break;
            case '\n':
                g_string_append(out, "\\n");
                break;
            case '\t':
                g_string_append(out, "\\t");
                break;
            case '\r':
                g_string_append(out, "\\r");
                break;
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
    return object_property_set(obj, name, g_variant_new_boolean(value), errp);
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

static bool get_integer(Object *obj, const char *name, int64_t *s, uint64_t *u,
                        bool *neg, GError **errp)
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

uint64_t object_property_get_uint(Object *obj, const char *name, GError **errp)
{
    int64_t s;
    uint64_t u;
    bool neg;

    return get_integer(obj, name, &s, &u, &neg, errp) ? u : 0;
}

bool object_property_set_str(Object *obj, const char *name, const char *value,
                             GError **errp)
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

Object *object_property_get_link(Object *obj, const char *name, GError **errp)
{
    char *path = object_property_get_str(obj, name, errp);
    Object *target = NULL;

    if (path && *path) {
        target = object_resolve_path(path, NULL);
    }
    g_free(path);
    return target;
}

static gint help_line_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *object_help_text(const char *name, GPtrArray *lines)
{
    g_ptr_array_sort(lines, help_line_cmp);
    GString *s = g_string_new(NULL);
    if (lines->len) {
        g_string_append_printf(s, "%s options:\n", name);
    } else {
        g_string_append_printf(s, "There are no options for %s.\n", name);
    }
    for (guint i = 0; i < lines->len; i++) {
        g_string_append_printf(s, "%s\n", (char *)lines->pdata[i]);
    }
    g_ptr_array_free(lines, true);
    return g_string_free(s, false);
}
