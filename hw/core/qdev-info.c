/*
 * `info qtree`: the device tree from the system bus down, in the layout
 * of QEMU's HMP command, with property values printed for humans.
 */
#include "hw/qdev.h"
#include "hw/core/qdev-internal.h"
#include "util/cutils.h"

#include <inttypes.h>
#include <string.h>

static void indent_printf(GString *out, int indent, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static void indent_printf(GString *out, int indent, const char *fmt, ...)
{
    va_list ap;

    g_string_append_printf(out, "%*s", indent, "");
    va_start(ap, fmt);
    g_string_append_vprintf(out, fmt, ap);
    va_end(ap);
}

static char *human_value(ObjectProperty *prop, GVariant *v)
{
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_INT64)) {
        int64_t i = g_variant_get_int64(v);
        return g_strdup_printf("%" PRId64 " (0x%" PRIx64 ")", i, (uint64_t)i);
    }
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_UINT64)) {
        uint64_t u = g_variant_get_uint64(v);
        if (prop->kind == OBJ_PROP_SIZE) {
            char *sz = size_to_str(u);
            char *s = g_strdup_printf("%" PRIu64 " (%s)", u, sz);
            g_free(sz);
            return s;
        }
        return g_strdup_printf("%" PRIu64 " (0x%" PRIx64 ")", u, u);
    }
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING) &&
        (prop->kind == OBJ_PROP_STRING || prop->kind == OBJ_PROP_CUSTOM)) {
        return g_strdup_printf("\"%s\"", g_variant_get_string(v, NULL));
    }
    return object_property_value_to_string(prop, v);
}

static void print_props(GString *out, DeviceState *dev, const Property *props,
                        int indent)
{
    for (const Property *p = props; p && p->name; p++) {
        ObjectProperty *prop = object_property_find(OBJECT(dev), p->name);
        GVariant *v = object_property_get(OBJECT(dev), p->name, NULL);
        if (!prop || !v) {
            continue;
        }
        char *s = human_value(prop, v);
        indent_printf(out, indent, "%s = %s\n", p->name, *s ? s : "<null>");
        g_free(s);
        g_variant_unref(v);
    }
}

static void print_bus(GString *out, BusState *bus, int indent);

typedef struct {
    GString *out;
    int indent;
} GpioPrint;

static void print_gpio(const char *name, int n_in, int n_out, void *opaque)
{
    GpioPrint *gp = opaque;

    if (n_in) {
        indent_printf(gp->out, gp->indent, "gpio-in \"%s\" %d\n",
                      name ? name : "", n_in);
    }
    if (n_out) {
        indent_printf(gp->out, gp->indent, "gpio-out \"%s\" %d\n",
                      name ? name : "", n_out);
    }
}

static void print_dev(GString *out, DeviceState *dev, int indent)
{
    indent_printf(out, indent, "dev: %s, id \"%s\"\n",
                  object_get_typename(OBJECT(dev)), dev->id ? dev->id : "");
    indent += 2;
    qdev_gpio_foreach(dev, print_gpio, &(GpioPrint){out, indent});
    /* Table properties, the device's own class first, then its parents. */
    ObjectClass *oc = object_get_class(OBJECT(dev));
    while (oc && object_class_dynamic_cast(oc, TYPE_DEVICE)) {
        DeviceClass *dc = (DeviceClass *)oc;
        ObjectClass *parent = object_class_get_parent(oc);
        const Property *inherited =
            parent && object_class_dynamic_cast(parent, TYPE_DEVICE)
                ? ((DeviceClass *)parent)->props
                : NULL;
        if (dc->props != inherited) {
            print_props(out, dev, dc->props, indent);
        }
        oc = parent;
    }
    if (dev->parent_bus) {
        BusClass *bc = BUS_GET_CLASS(dev->parent_bus);
        if (bc->print_dev) {
            bc->print_dev(dev->parent_bus, dev, out, indent);
        }
    }
    for (GSList *l = dev->child_buses; l; l = l->next) {
        print_bus(out, l->data, indent);
    }
}

static void print_bus(GString *out, BusState *bus, int indent)
{
    indent_printf(out, indent, "bus: %s\n", bus->name);
    indent += 2;
    indent_printf(out, indent, "type %s\n", object_get_typename(OBJECT(bus)));
    for (GList *l = bus->children; l; l = l->next) {
        print_dev(out, l->data, indent);
    }
}

char *qdev_info_qtree(void)
{
    GString *out = g_string_new(NULL);

    for (GList *l = qbus_root_buses(); l; l = l->next) {
        print_bus(out, l->data, 0);
    }
    return g_string_free(out, false);
}
