/*
 * QMP commands for the object model and devices: qom-list/get/set,
 * qom-list-types, qom-list-properties, device-list-properties,
 * device_add/device_del. QOM property values are GVariants ("b", "x",
 * "t", "s"); QMP speaks JSON, so values are converted both ways here.
 */
#include "monitor-internal.h"
#include "qapi/qapi-commands.h"
#include "qapi/visit.h"
#include "qom/object.h"
#include "qom/user-creatable.h"
#include "hw/qdev.h"
#include "util/error.h"

#include <string.h>

QObject *qobject_from_gvariant(GVariant *v)
{
    const GVariantType *t = g_variant_get_type(v);

    if (g_variant_type_equal(t, G_VARIANT_TYPE_BOOLEAN)) {
        return QOBJECT(qbool_from_bool(g_variant_get_boolean(v)));
    } else if (g_variant_type_equal(t, G_VARIANT_TYPE_INT64)) {
        return QOBJECT(qnum_from_int(g_variant_get_int64(v)));
    } else if (g_variant_type_equal(t, G_VARIANT_TYPE_INT32)) {
        return QOBJECT(qnum_from_int(g_variant_get_int32(v)));
    } else if (g_variant_type_equal(t, G_VARIANT_TYPE_INT16)) {
        return QOBJECT(qnum_from_int(g_variant_get_int16(v)));
    } else if (g_variant_type_equal(t, G_VARIANT_TYPE_UINT64)) {
        return qapi_out_uint(g_variant_get_uint64(v));
    } else if (g_variant_type_equal(t, G_VARIANT_TYPE_UINT32)) {
        return qapi_out_uint(g_variant_get_uint32(v));
    } else if (g_variant_type_equal(t, G_VARIANT_TYPE_UINT16)) {
        return qapi_out_uint(g_variant_get_uint16(v));
    } else if (g_variant_type_equal(t, G_VARIANT_TYPE_BYTE)) {
        return qapi_out_uint(g_variant_get_byte(v));
    } else if (g_variant_type_equal(t, G_VARIANT_TYPE_DOUBLE)) {
        return QOBJECT(qnum_from_double(g_variant_get_double(v)));
    } else if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING) ||
               g_variant_is_of_type(v, G_VARIANT_TYPE_OBJECT_PATH)) {
        return QOBJECT(qstring_from_str(g_variant_get_string(v, NULL)));
    } else if (g_variant_is_container(v)) {
        QList *l = qlist_new();
        for (gsize i = 0; i < g_variant_n_children(v); i++) {
            GVariant *c = g_variant_get_child_value(v, i);
            qlist_append_obj(l, qobject_from_gvariant(c));
            g_variant_unref(c);
        }
        return QOBJECT(l);
    }
    return QOBJECT(qstring_take(g_variant_print(v, FALSE)));
}

/* JSON value -> the GVariant type a property of kind takes. */
static GVariant *gvariant_for_kind(ObjectPropKind kind, QObject *value,
                                   GError **errp)
{
    const GVariantType *t = object_prop_kind_variant_type(kind);

    if (g_variant_type_equal(t, G_VARIANT_TYPE_BOOLEAN)) {
        bool b;
        return qapi_in_bool(value, "value", &b, errp)
               ? g_variant_new_boolean(b) : NULL;
    } else if (g_variant_type_equal(t, G_VARIANT_TYPE_INT64)) {
        int64_t i;
        return qapi_in_int(value, "value", &i, errp)
               ? g_variant_new_int64(i) : NULL;
    } else if (g_variant_type_equal(t, G_VARIANT_TYPE_UINT64)) {
        uint64_t u;
        return qapi_in_uint64(value, "value", &u, errp)
               ? g_variant_new_uint64(u) : NULL;
    } else {
        QString *s = qobject_to_qstring(value);
        if (!s) {
            qapi_err_type("value", "string", errp);
            return NULL;
        }
        return g_variant_new_string(qstring_get_str(s));
    }
}

static Object *resolve_or_error(const char *path, GError **errp)
{
    bool ambiguous = false;
    Object *obj = object_resolve_path(path, &ambiguous);

    if (!obj) {
        if (ambiguous) {
            error_setg(errp, "Path '%s' is ambiguous", path);
        } else {
            error_set(errp, KVMU_ERROR_DEVICE_NOT_FOUND,
                      "Device '%s' not found", path);
        }
    }
    return obj;
}

static ObjectPropertyInfo *prop_info(ObjectProperty *p)
{
    ObjectPropertyInfo *info = g_new0(ObjectPropertyInfo, 1);

    info->name = g_strdup(p->name);
    info->type = g_strdup(p->type);
    info->description = g_strdup(p->description);
    if (p->defval) {
        info->default_value = qobject_from_gvariant(p->defval);
    }
    return info;
}

static ObjectPropertyInfoList *prop_list(GPtrArray *props,
                                         const char *const *skip)
{
    ObjectPropertyInfoList *head = NULL, **tail = &head;

    for (guint i = 0; i < props->len; i++) {
        ObjectProperty *p = g_ptr_array_index(props, i);
        ObjectPropertyInfoList *e;

        if (skip && g_strv_contains(skip, p->name)) {
            continue;
        }
        e = g_new0(ObjectPropertyInfoList, 1);
        e->value = prop_info(p);
        *tail = e;
        tail = &e->next;
    }
    return head;
}

ObjectPropertyInfoList *qmp_qom_list(const char *path, GError **errp)
{
    Object *obj = resolve_or_error(path, errp);
    ObjectPropertyInfoList *l;
    GPtrArray *props;

    if (!obj) {
        return NULL;
    }
    props = object_property_list(obj);
    l = prop_list(props, NULL);
    g_ptr_array_free(props, TRUE);
    return l;
}

QObject *qmp_qom_get(const char *path, const char *property, GError **errp)
{
    Object *obj = resolve_or_error(path, errp);
    GVariant *v;
    QObject *ret;

    if (!obj) {
        return NULL;
    }
    v = object_property_get(obj, property, errp);
    if (!v) {
        return NULL;
    }
    g_variant_ref_sink(v);
    ret = qobject_from_gvariant(v);
    g_variant_unref(v);
    return ret;
}

void qmp_qom_set(const char *path, const char *property, QObject *value,
                 GError **errp)
{
    Object *obj = resolve_or_error(path, errp);
    ObjectProperty *prop;
    GVariant *v;

    if (!obj || !(prop = object_property_find_err(obj, property, errp))) {
        return;
    }
    v = gvariant_for_kind(prop->kind, value, errp);
    if (v) {
        g_variant_ref_sink(v);
        object_property_set(obj, property, v, errp);
        g_variant_unref(v);
    }
}

ObjectTypeInfoList *qmp_qom_list_types(const char *implements,
                                       bool has_abstract, bool abstract,
                                       GError **errp)
{
    GSList *classes = object_class_get_list_sorted(implements,
                                                   has_abstract && abstract);
    ObjectTypeInfoList *head = NULL, **tail = &head;

    for (GSList *l = classes; l; l = l->next) {
        ObjectClass *k = l->data;
        ObjectClass *parent = object_class_get_parent(k);
        ObjectTypeInfoList *e = g_new0(ObjectTypeInfoList, 1);

        e->value = g_new0(ObjectTypeInfo, 1);
        e->value->name = g_strdup(object_class_get_name(k));
        if (object_class_is_abstract(k)) {
            e->value->has_abstract = true;
            e->value->abstract = true;
        }
        if (parent) {
            e->value->parent = g_strdup(object_class_get_name(parent));
        }
        *tail = e;
        tail = &e->next;
    }
    g_slist_free(classes);
    return head;
}

ObjectPropertyInfoList *qmp_qom_list_properties(const char *typename,
                                                GError **errp)
{
    ObjectClass *k = object_class_by_name(typename);
    ObjectPropertyInfoList *l;
    GPtrArray *props;

    if (!k) {
        error_set(errp, KVMU_ERROR_DEVICE_NOT_FOUND, "Class '%s' not found",
                  typename);
        return NULL;
    }
    props = object_class_property_list(k);
    l = prop_list(props, NULL);
    g_ptr_array_free(props, TRUE);
    return l;
}

ObjectPropertyInfoList *qmp_device_list_properties(const char *typename,
                                                   GError **errp)
{
    static const char *const internal[] = {
        "type", "realized", "hotpluggable", "hotplugged", "parent_bus", NULL,
    };
    ObjectClass *k = object_class_by_name(typename);
    ObjectPropertyInfoList *l;
    GPtrArray *props;

    if (!k) {
        error_set(errp, KVMU_ERROR_DEVICE_NOT_FOUND,
                  "Device '%s' not found", typename);
        return NULL;
    }
    if (!object_class_dynamic_cast(k, "device")) {
        error_setg(errp, "Parameter 'typename' expects device");
        return NULL;
    }
    if (object_class_is_abstract(k)) {
        error_setg(errp, "Parameter 'typename' expects a non-abstract "
                   "device type");
        return NULL;
    }
    props = object_class_property_list(k);
    l = prop_list(props, internal);
    g_ptr_array_free(props, TRUE);
    return l;
}

/*
 * device_add and object-add take the type's own properties besides the
 * schema's members: their raw arguments become the string options that
 * -device / -object use (numbers printed, booleans "on"/"off").
 */
static GHashTable *args_to_string_opts(QDict *args, const char *required,
                                       GError **errp)
{
    GHashTable *opts;

    if (!qdict_haskey(args, required)) {
        qapi_err_missing(required, errp);
        return NULL;
    }
    opts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (const QDictEntry *e = qdict_first(args); e; e = qdict_next(args, e)) {
        char *val;
        switch (qobject_type(e->value)) {
        case QTYPE_QSTRING:
            val = g_strdup(qstring_get_str(qobject_to_qstring(e->value)));
            break;
        case QTYPE_QBOOL:
            val = g_strdup(qbool_get_bool(qobject_to_qbool(e->value))
                           ? "on" : "off");
            break;
        case QTYPE_QNUM:
            val = qnum_to_string(qobject_to_qnum(e->value));
            break;
        default:
            qapi_err_type(e->key, "string", errp);
            g_hash_table_destroy(opts);
            return NULL;
        }
        g_hash_table_insert(opts, g_strdup(e->key), val);
    }
    return opts;
}

void qmp_marshal_device_add(QDict *args, QObject **ret, GError **errp)
{
    GHashTable *opts = args_to_string_opts(args, "driver", errp);

    if (!opts) {
        return;
    }
    if (!object_resolve_path("/machine", NULL)) {
        /* -machine none: nothing to plug into (qdev needs a machine) */
        const char *driver = g_hash_table_lookup(opts, "driver");
        ObjectClass *k = object_class_by_name(driver);
        if (!k || !object_class_dynamic_cast(k, TYPE_DEVICE) ||
            object_class_is_abstract(k)) {
            error_setg(errp, "'%s' is not a valid device model name", driver);
        } else if (DEVICE_CLASS(k)->bus_type) {
            error_setg(errp, "No '%s' bus found for device '%s'",
                       DEVICE_CLASS(k)->bus_type, driver);
        } else {
            error_setg(errp, "Device '%s' can not be hotplugged on this "
                       "machine", driver);
        }
    } else if (qdev_device_add(opts, errp)) {
        *ret = QOBJECT(qdict_new());
    }
    g_hash_table_destroy(opts);
}

void qmp_marshal_object_add(QDict *args, QObject **ret, GError **errp)
{
    GHashTable *opts = args_to_string_opts(args, "qom-type", errp);

    if (!opts) {
        return;
    }
    if (!g_hash_table_contains(opts, "id")) {
        qapi_err_missing("id", errp);
    } else if (user_creatable_add(opts, errp)) {
        *ret = QOBJECT(qdict_new());
    }
    g_hash_table_destroy(opts);
}

void qmp_object_del(const char *id, GError **errp)
{
    user_creatable_del(id, errp);
}

void qmp_device_del(const char *id, GError **errp)
{
    DeviceState *dev;

    if (!object_resolve_path("/machine", NULL)) {
        error_set(errp, KVMU_ERROR_DEVICE_NOT_FOUND, "Device '%s' not found",
                  id);
        return;
    }
    dev = qdev_find_by_id_or_path(id, errp);
    if (dev) {
        qdev_unplug(dev, errp);
    }
}
