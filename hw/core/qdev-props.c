/*
 * qdev property tables: each DeviceClass's static Property table becomes
 * field-backed class properties (qom/prop-types.c) that refuse changes
 * after realize; table defaults are written into a new instance before
 * -global values apply.
 */
#include "hw/qdev.h"
#include "hw/core/qdev-internal.h"
#include "util/error.h"

#include <string.h>

static GHashTable *registered; /* DeviceClass * whose table is added */

static bool qdev_prop_allow_set(Object *obj, ObjectProperty *prop,
                                GError **errp)
{
    DeviceState *dev = DEVICE(obj);

    if (dev->realized) {
        error_setg(errp,
                   "Attempt to set property '%s' on device '%s' "
                   "(type '%s') after it was realized",
                   prop->name, dev->id ? dev->id : "<anonymous>",
                   object_get_typename(obj));
        return false;
    }
    return true;
}

static GVariant *prop_default(const Property *p)
{
    switch (p->field.kind) {
    case OBJ_PROP_BOOL:
        return p->has_default ? g_variant_new_boolean(p->defval.b) : NULL;
    case OBJ_PROP_INT8:
    case OBJ_PROP_INT16:
    case OBJ_PROP_INT32:
    case OBJ_PROP_INT64:
        return p->has_default ? g_variant_new_int64(p->defval.i) : NULL;
    case OBJ_PROP_UINT8:
    case OBJ_PROP_UINT16:
    case OBJ_PROP_UINT32:
    case OBJ_PROP_UINT64:
    case OBJ_PROP_SIZE:
        return p->has_default ? g_variant_new_uint64(p->defval.u) : NULL;
    case OBJ_PROP_ENUM:
        if (p->defval_str) {
            return g_variant_new_string(p->defval_str);
        }
        if (p->has_default && p->field.enum_table) {
            for (int64_t i = 0; p->field.enum_table[i]; i++) {
                if (i == p->defval.i) {
                    return g_variant_new_string(p->field.enum_table[i]);
                }
            }
        }
        return NULL;
    case OBJ_PROP_STRING:
    case OBJ_PROP_CUSTOM:
        return p->defval_str ? g_variant_new_string(p->defval_str) : NULL;
    default:
        return NULL;
    }
}

static const Property *parent_table(ObjectClass *oc)
{
    ObjectClass *parent = object_class_get_parent(oc);

    if (!parent || !object_class_dynamic_cast(parent, TYPE_DEVICE)) {
        return NULL;
    }
    return ((DeviceClass *)parent)->props;
}

/* The table this class declared itself (not one copied from its parent). */
static const Property *own_table(DeviceClass *dc)
{
    const Property *props = dc->props;

    return props && props != parent_table(OBJECT_CLASS(dc)) ? props : NULL;
}

static void register_table(DeviceClass *dc)
{
    const Property *props = own_table(dc);

    if (!registered) {
        registered = g_hash_table_new(NULL, NULL);
    }
    if (!props || !g_hash_table_add(registered, dc)) {
        return;
    }
    for (const Property *p = props; p->name; p++) {
        ObjectField *f = g_new(ObjectField, 1);
        memcpy(f, &p->field, sizeof(*f));
        if (!f->allow_set) {
            f->allow_set = qdev_prop_allow_set;
        }
        ObjectProperty *op =
            object_class_property_add_field(OBJECT_CLASS(dc), p->name, f);
        if (p->description) {
            op->description = g_strdup(p->description);
        }
        GVariant *def = prop_default(p);
        if (def) {
            object_property_set_default(op, def);
        }
    }
}

/* Base class first, so a subclass's entries are added after its parent's. */
void qdev_class_register_props(DeviceClass *dc)
{
    ObjectClass *oc = OBJECT_CLASS(dc);
    ObjectClass *parent = object_class_get_parent(oc);

    if (parent && object_class_dynamic_cast(parent, TYPE_DEVICE)) {
        qdev_class_register_props((DeviceClass *)parent);
    }
    register_table(dc);
}

void device_class_set_props(DeviceClass *dc, const Property *props)
{
    dc->props = props;
    qdev_class_register_props(dc);
}

static void apply_defaults(DeviceState *dev, ObjectClass *oc)
{
    ObjectClass *parent = object_class_get_parent(oc);

    if (parent && object_class_dynamic_cast(parent, TYPE_DEVICE)) {
        apply_defaults(dev, parent);
    }
    const Property *props = own_table((DeviceClass *)oc);
    for (const Property *p = props; p && p->name; p++) {
        ObjectProperty *op = g_hash_table_lookup(oc->properties, p->name);
        /* CUSTOM defaults are shown in help; the zeroed field is it. */
        if (op && op->defval && p->field.kind != OBJ_PROP_CUSTOM) {
            GError *err = NULL;
            if (!object_field_set_value(OBJECT(dev), op, op->defval, &err)) {
                /* A table default that does not fit is a device bug. */
                g_error("default of %s.%s: %s", object_class_get_name(oc),
                        p->name, err->message);
            }
        }
    }
}

void qdev_props_apply_defaults(DeviceState *dev)
{
    apply_defaults(dev, object_get_class(OBJECT(dev)));
}

/* ------------------------------------------------ board-code setters */

static void check_set(DeviceState *dev, const char *name, bool ok, GError *err)
{
    if (!ok) {
        g_error("setting %s.%s: %s", object_get_typename(OBJECT(dev)), name,
                err ? err->message : "failed");
    }
}

static void set_variant(DeviceState *dev, const char *name, GVariant *v)
{
    GError *err = NULL;

    check_set(dev, name, object_property_set(OBJECT(dev), name, v, &err), err);
}

void qdev_prop_set_bit(DeviceState *dev, const char *name, bool value)
{
    set_variant(dev, name, g_variant_new_boolean(value));
}

void qdev_prop_set_int32(DeviceState *dev, const char *name, int32_t value)
{
    set_variant(dev, name, g_variant_new_int64(value));
}

void qdev_prop_set_uint8(DeviceState *dev, const char *name, uint8_t value)
{
    set_variant(dev, name, g_variant_new_uint64(value));
}

void qdev_prop_set_uint16(DeviceState *dev, const char *name, uint16_t value)
{
    set_variant(dev, name, g_variant_new_uint64(value));
}

void qdev_prop_set_uint32(DeviceState *dev, const char *name, uint32_t value)
{
    set_variant(dev, name, g_variant_new_uint64(value));
}

void qdev_prop_set_uint64(DeviceState *dev, const char *name, uint64_t value)
{
    set_variant(dev, name, g_variant_new_uint64(value));
}

void qdev_prop_set_string(DeviceState *dev, const char *name, const char *value)
{
    set_variant(dev, name, g_variant_new_string(value ? value : ""));
}

void qdev_prop_set_parse(DeviceState *dev, const char *name, const char *value)
{
    GError *err = NULL;

    check_set(dev, name, object_property_parse(OBJECT(dev), name, value, &err),
              err);
}

void qdev_prop_set_link(DeviceState *dev, const char *name, Object *target)
{
    GError *err = NULL;

    check_set(dev, name,
              object_property_set_link(OBJECT(dev), name, target, &err), err);
}
