/*
 * TYPE_DEVICE: creation, the "realized" property (realize/unrealize with
 * hotplug handler calls), bus attachment and teardown.
 */
#include "hw/qdev.h"
#include "hw/hotplug.h"
#include "hw/core/qdev-internal.h"
#include "util/error.h"

#include <string.h>

static bool machine_created;

void qdev_machine_creation_done(void)
{
    machine_created = true;
}

bool qdev_machine_is_created(void)
{
    return machine_created;
}

void qdev_machine_creation_reset(void)
{
    machine_created = false;
}

static Object *(*machine_hotplug_hook)(DeviceState *dev);

void qdev_set_machine_hotplug_hook(Object *(*hook)(DeviceState *dev))
{
    machine_hotplug_hook = hook;
}

Object *qdev_get_hotplug_handler(DeviceState *dev)
{
    Object *handler = machine_hotplug_hook ? machine_hotplug_hook(dev) : NULL;

    if (!handler && dev->parent_bus) {
        handler = dev->parent_bus->hotplug_handler;
    }
    return handler;
}

Object *qdev_get_machine(void)
{
    return container_get(object_get_root(), "/machine");
}

bool qdev_install_machine(Object *machine, GError **errp)
{
    Object *root = object_get_root();
    Object *old = object_resolve_path_component(root, "machine");

    if (old == machine) {
        return true;
    }
    if (old && strcmp(object_get_typename(old), TYPE_CONTAINER)) {
        error_setg(errp, "a machine (type '%s') is already installed",
                   object_get_typename(old));
        return false;
    }
    if (old) {
        if (!object_move_children(old, machine, errp)) {
            return false;
        }
        object_unparent(old);
    }
    if (!object_property_try_add_child(root, "machine", machine, errp)) {
        return false;
    }
    /* qom-list shows these from the start, as in QEMU. */
    container_get(machine, "unattached");
    container_get(machine, "peripheral");
    container_get(machine, "peripheral-anon");
    object_get_objects_root();
    return true;
}

/* ------------------------------------------------------------- creation */

DeviceState *qdev_new(const char *typename)
{
    ObjectClass *oc = object_class_by_name(typename);

    if (!oc) {
        g_error("qdev_new: unknown device type '%s'", typename);
    }
    return DEVICE(object_new(typename));
}

DeviceClass *qdev_class_lookup(const char *typename, GError **errp)
{
    ObjectClass *oc = object_class_by_name(typename);

    if (!oc) {
        error_setg(errp, "'%s' is not a valid device model name", typename);
        return NULL;
    }
    if (!object_class_dynamic_cast(oc, TYPE_DEVICE)) {
        error_setg(errp, "Parameter 'driver' expects a device type");
        return NULL;
    }
    if (object_class_is_abstract(oc)) {
        error_setg(errp, "Parameter 'driver' expects a non-abstract device "
                         "type");
        return NULL;
    }
    return DEVICE_CLASS(oc);
}

DeviceState *qdev_try_new(const char *typename, GError **errp)
{
    return qdev_class_lookup(typename, errp) ? DEVICE(object_new(typename))
                                             : NULL;
}

void qdev_set_id(DeviceState *dev, const char *id)
{
    g_free(dev->id);
    dev->id = g_strdup(id);
}

char *qdev_get_dev_path(DeviceState *dev)
{
    return object_get_canonical_path(OBJECT(dev));
}

BusState *qdev_get_parent_bus(DeviceState *dev)
{
    return dev->parent_bus;
}

bool qdev_set_parent_bus(DeviceState *dev, BusState *bus, GError **errp)
{
    if (dev->realized) {
        error_setg(errp, "device '%s' is realized and cannot change bus",
                   object_get_typename(OBJECT(dev)));
        return false;
    }
    if (dev->parent_bus == bus) {
        return true;
    }
    if (qbus_is_full(bus)) {
        error_setg(errp, "Bus '%s' is full", bus->name);
        return false;
    }
    object_ref(dev); /* the bus's reference */
    if (dev->parent_bus) {
        qbus_remove_child(dev->parent_bus, dev);
    }
    dev->parent_bus = bus;
    bus->children = g_list_append(bus->children, dev);
    bus->num_children++;
    return true;
}

/* ------------------------------------------------------ realize/unrealize */

static bool device_realize(DeviceState *dev, GError **errp)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);
    Object *obj = OBJECT(dev);
    BusState *bus = dev->parent_bus;
    Object *handler = qdev_get_hotplug_handler(dev);
    bool attached_here = false;

    if (dev->global_error) {
        g_propagate_error(errp, g_error_copy(dev->global_error));
        return false;
    }
    /*
     * Realize code may assume fresh state (regions not yet initialised):
     * qom-set realized=on after off must not run it twice.
     */
    if (dev->was_unrealized) {
        error_setg(errp,
                   "Device '%s' was unrealized and cannot be "
                   "realized again",
                   dev->id ? dev->id : object_get_typename(obj));
        return false;
    }
    if (!obj->parent) {
        Object *unattached = container_get(qdev_get_machine(), "unattached");
        object_property_add_child(unattached, "device[*]", obj);
        attached_here = true;
    }
    if (handler && !hotplug_handler_pre_plug(handler, dev, errp)) {
        goto fail;
    }
    if (bus) {
        BusClass *bc = BUS_GET_CLASS(bus);
        if (bc->check_address && !bc->check_address(bus, dev, errp)) {
            goto fail;
        }
    }
    if (dc->realize && !dc->realize(dev, errp)) {
        goto fail;
    }
    dev->realized = true;
    dev->hotplugged = qdev_machine_is_created();
    for (GSList *l = dev->child_buses; l; l = l->next) {
        ((BusState *)l->data)->realized = true;
    }
    if (handler && !hotplug_handler_plug(handler, dev, errp)) {
        qdev_unrealize(dev);
        goto fail;
    }
    if (dev->hotplugged) {
        device_cold_reset(dev);
    }
    return true;

fail:
    if (attached_here) {
        object_unparent(obj);
    }
    return false;
}

static void device_unrealize(DeviceState *dev)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);

    for (GSList *l = dev->child_buses; l; l = l->next) {
        qbus_unrealize_children(l->data);
    }
    if (dc->unrealize) {
        dc->unrealize(dev);
    }
    dev->realized = false;
    dev->was_unrealized = true;
}

static bool device_get_realized(Object *obj, GError **errp)
{
    return DEVICE(obj)->realized;
}

static bool device_set_realized(Object *obj, bool value, GError **errp)
{
    DeviceState *dev = DEVICE(obj);

    if (value == dev->realized) {
        return true;
    }
    if (value) {
        return device_realize(dev, errp);
    }
    device_unrealize(dev);
    return true;
}

bool qdev_realize(DeviceState *dev, BusState *bus, GError **errp)
{
    if (bus) {
        const char *bus_type = DEVICE_GET_CLASS(dev)->bus_type;
        /* Plugging into the wrong kind of bus is a board bug. */
        g_assert(bus_type && object_dynamic_cast(OBJECT(bus), bus_type));
        if (!qdev_set_parent_bus(dev, bus, errp)) {
            return false;
        }
    }
    return object_property_set_bool(OBJECT(dev), "realized", true, errp);
}

bool qdev_realize_and_unref(DeviceState *dev, BusState *bus, GError **errp)
{
    bool ok = qdev_realize(dev, bus, errp);

    object_unref(dev);
    return ok;
}

void qdev_unrealize(DeviceState *dev)
{
    object_property_set_bool(OBJECT(dev), "realized", false, NULL);
}

/* --------------------------------------------------------- the type */

static bool device_get_hotpluggable(Object *obj, GError **errp)
{
    DeviceState *dev = DEVICE(obj);
    DeviceClass *dc = DEVICE_GET_CLASS(dev);

    return dc->hotpluggable &&
           (!dev->parent_bus || qbus_is_hotpluggable(dev->parent_bus));
}

static bool device_get_hotplugged(Object *obj, GError **errp)
{
    return DEVICE(obj)->hotplugged;
}

static GVariant *device_get_parent_bus(Object *obj, ObjectProperty *prop,
                                       GError **errp)
{
    DeviceState *dev = DEVICE(obj);
    char *path = dev->parent_bus
                     ? object_get_canonical_path(OBJECT(dev->parent_bus))
                     : NULL;
    GVariant *v = g_variant_new_string(path ? path : "");

    g_free(path);
    return v;
}

static void device_instance_init(Object *obj)
{
    DeviceState *dev = DEVICE(obj);

    qdev_class_register_props(DEVICE_GET_CLASS(dev));
    qdev_props_apply_defaults(dev);
}

static void device_post_init(Object *obj)
{
    qdev_globals_apply(DEVICE(obj));
}

static QdevDeletedFn *deleted_fn;
static void *deleted_opaque;

void qdev_set_deleted_notifier(QdevDeletedFn *fn, void *opaque)
{
    deleted_fn = fn;
    deleted_opaque = opaque;
}

static void device_unparent(Object *obj)
{
    DeviceState *dev = DEVICE(obj);
    bool was_live = dev->realized || dev->was_unrealized;
    char *path = was_live && deleted_fn ? object_get_canonical_path(obj) : NULL;

    if (dev->realized) {
        qdev_unrealize(dev);
    }
    while (dev->child_buses) {
        BusState *bus = dev->child_buses->data;
        object_unparent(OBJECT(bus));
    }
    if (dev->parent_bus) {
        qbus_remove_child(dev->parent_bus, dev);
    }
    if (path) {
        deleted_fn(dev, dev->id, path, deleted_opaque);
        g_free(path);
    }
}

static void device_finalize(Object *obj)
{
    DeviceState *dev = DEVICE(obj);

    g_free(dev->id);
    qdev_gpio_free_all(dev);
    if (dev->global_error) {
        g_error_free(dev->global_error);
    }
}

/* After each device class_init: its props table becomes properties. */
static void device_class_post_init(ObjectClass *oc)
{
    qdev_class_register_props(DEVICE_CLASS(oc));
}

static void device_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    oc->unparent = device_unparent;
    oc->class_post_init = device_class_post_init;
    dc->user_creatable = true;
    dc->hotpluggable = true;
    object_class_property_add_bool(oc, "realized", device_get_realized,
                                   device_set_realized);
    object_class_property_add_bool(oc, "hotpluggable", device_get_hotpluggable,
                                   NULL);
    object_class_property_add_bool(oc, "hotplugged", device_get_hotplugged,
                                   NULL);
    object_class_property_add(oc, "parent_bus", "link<bus>",
                              device_get_parent_bus, NULL, NULL, NULL);
}

void device_class_set_parent_realize(DeviceClass *dc, DeviceRealize *realize,
                                     DeviceRealize **parent)
{
    *parent = dc->realize;
    dc->realize = realize;
}

void device_class_set_parent_unrealize(DeviceClass *dc,
                                       DeviceUnrealize *unrealize,
                                       DeviceUnrealize **parent)
{
    *parent = dc->unrealize;
    dc->unrealize = unrealize;
}

void device_class_set_parent_reset(DeviceClass *dc, DeviceReset *reset,
                                   DeviceReset **parent)
{
    *parent = dc->reset;
    dc->reset = reset;
}

static const TypeInfo device_type_info = {
    .name = TYPE_DEVICE,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(DeviceState),
    .instance_init = device_instance_init,
    .instance_post_init = device_post_init,
    .instance_finalize = device_finalize,
    .abstract = true,
    .class_size = sizeof(DeviceClass),
    .class_init = device_class_init,
};

static void qdev_register_types(void)
{
    type_register_static(&device_type_info);
}

type_init(qdev_register_types)
