/*
 * TYPE_BUS: buses, their naming ("pci.0"), membership, lookup, the system
 * bus at the root of the device tree, and the cold reset walk (children
 * before parents; see include/hw/qdev.h).
 */
#include "hw/qdev.h"
#include "hw/core/qdev-internal.h"
#include "util/error.h"

#include <string.h>

static char *bus_auto_name(BusState *bus, DeviceState *parent)
{
    BusClass *bc = BUS_GET_CLASS(bus);

    if (parent && parent->id) {
        return g_strdup_printf("%s.%d", parent->id, parent->num_child_bus);
    }
    char *lower = g_ascii_strdown(object_get_typename(OBJECT(bus)), -1);
    char *name = g_strdup_printf("%s.%d", lower, bc->automatic_ids++);
    g_free(lower);
    return name;
}

/*
 * Buses without a parent device: the system bus first, then any a board
 * made stand-alone (an ISA bus not behind a bridge device). Lookups for
 * -device, machine reset and info qtree cover all of them.
 */
static GList *root_buses;

static void bus_attach(BusState *bus, DeviceState *parent, const char *name)
{
    bus->parent = parent;
    bus->name = name ? g_strdup(name) : bus_auto_name(bus, parent);
    if (!parent) {
        root_buses = g_list_append(root_buses, bus);
    }
    if (parent) {
        parent->child_buses = g_slist_append(parent->child_buses, bus);
        parent->num_child_bus++;
        object_property_add_child(OBJECT(parent), bus->name, OBJECT(bus));
        object_unref(bus); /* the parent's child<> holds it now */
        bus->realized = parent->realized;
    }
}

BusState *qbus_new(const char *typename, DeviceState *parent, const char *name)
{
    BusState *bus = BUS(object_new(typename));

    bus_attach(bus, parent, name);
    return bus;
}

void qbus_init(void *bus, size_t size, const char *typename,
               DeviceState *parent, const char *name)
{
    object_initialize(bus, size, typename);
    bus_attach(BUS(bus), parent, name);
}

void qbus_set_hotplug_handler(BusState *bus, Object *handler)
{
    bus->hotplug_handler = handler;
}

bool qbus_is_hotpluggable(BusState *bus)
{
    return bus->hotplug_handler != NULL;
}

bool qbus_is_full(BusState *bus)
{
    BusClass *bc = BUS_GET_CLASS(bus);

    return bc->max_dev && bus->num_children >= bc->max_dev;
}

void qbus_remove_child(BusState *bus, DeviceState *dev)
{
    GList *link = g_list_find(bus->children, dev);

    g_assert(link);
    bus->children = g_list_delete_link(bus->children, link);
    bus->num_children--;
    dev->parent_bus = NULL;
    object_unref(dev);
}

void qbus_unrealize_children(BusState *bus)
{
    GList *snapshot = g_list_copy(bus->children);

    for (GList *l = g_list_last(snapshot); l; l = l->prev) {
        DeviceState *dev = l->data;
        if (dev->realized) {
            qdev_unrealize(dev);
        }
    }
    g_list_free(snapshot);
    bus->realized = false;
}

BusState *qdev_get_child_bus(DeviceState *dev, const char *name)
{
    for (GSList *l = dev->child_buses; l; l = l->next) {
        BusState *bus = l->data;
        if (!strcmp(bus->name, name)) {
            return bus;
        }
    }
    return NULL;
}

BusState *qbus_find_recursive(BusState *from, const char *name,
                              const char *bus_typename)
{
    bool match = true;

    if (name && strcmp(from->name, name)) {
        match = false;
    }
    if (bus_typename && !object_dynamic_cast(OBJECT(from), bus_typename)) {
        match = false;
    }
    /* Without a name we look for room; a named bus is returned full. */
    if (!name && qbus_is_full(from)) {
        match = false;
    }
    if (match) {
        return from;
    }
    for (GList *l = from->children; l; l = l->next) {
        DeviceState *dev = l->data;
        for (GSList *b = dev->child_buses; b; b = b->next) {
            BusState *found = qbus_find_recursive(b->data, name, bus_typename);
            if (found) {
                return found;
            }
        }
    }
    return NULL;
}

DeviceState *qdev_find_recursive(BusState *bus, const char *id)
{
    for (GList *l = bus->children; l; l = l->next) {
        DeviceState *dev = l->data;
        if (dev->id && !strcmp(dev->id, id)) {
            return dev;
        }
        for (GSList *b = dev->child_buses; b; b = b->next) {
            DeviceState *found = qdev_find_recursive(b->data, id);
            if (found) {
                return found;
            }
        }
    }
    return NULL;
}

int qbus_walk_devices(BusState *bus, int (*fn)(DeviceState *dev, void *op),
                      void *opaque)
{
    for (GList *l = bus->children; l; l = l->next) {
        DeviceState *dev = l->data;
        int ret = fn(dev, opaque);
        if (ret) {
            return ret;
        }
        for (GSList *b = dev->child_buses; b; b = b->next) {
            ret = qbus_walk_devices(b->data, fn, opaque);
            if (ret) {
                return ret;
            }
        }
    }
    return 0;
}

/* ----------------------------------------------------------- system bus */

static BusState *main_system_bus;

BusState *sysbus_get_default(void)
{
    if (!main_system_bus) {
        main_system_bus = qbus_new(TYPE_SYSTEM_BUS, NULL, "main-system-bus");
        /* Whatever roots came before, the system bus comes first. */
        root_buses = g_list_remove(root_buses, main_system_bus);
        root_buses = g_list_prepend(root_buses, main_system_bus);
        main_system_bus->realized = true;
        Object *unattached = container_get(qdev_get_machine(), "unattached");
        object_property_add_child(unattached, "sysbus",
                                  OBJECT(main_system_bus));
        /* We keep our reference: the system bus lives for the process. */
    }
    return main_system_bus;
}

/* ---------------------------------------------------------------- reset */

void qbus_reset_all(BusState *bus)
{
    BusClass *bc = BUS_GET_CLASS(bus);

    for (GList *l = bus->children; l; l = l->next) {
        DeviceState *dev = l->data;
        if (dev->realized) {
            device_cold_reset(dev);
        }
    }
    if (bc->reset) {
        bc->reset(bus);
    }
}

void device_cold_reset(DeviceState *dev)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);

    for (GSList *l = dev->child_buses; l; l = l->next) {
        qbus_reset_all(l->data);
    }
    if (dc->reset) {
        dc->reset(dev);
    }
}

void qdev_reset_all(DeviceState *dev)
{
    device_cold_reset(dev);
}

static int reset_busless(Object *obj, void *opaque)
{
    DeviceState *dev = (DeviceState *)object_dynamic_cast(obj, TYPE_DEVICE);

    if (dev && dev->realized && !dev->parent_bus) {
        device_cold_reset(dev);
    }
    return 0;
}

GList *qbus_root_buses(void)
{
    sysbus_get_default();
    return root_buses;
}

BusState *qbus_find_in_roots(const char *name, const char *bus_typename)
{
    for (GList *l = qbus_root_buses(); l; l = l->next) {
        BusState *found = qbus_find_recursive(l->data, name, bus_typename);
        if (found) {
            return found;
        }
    }
    return NULL;
}

void qdev_reset_machine(void)
{
    GList *roots = g_list_copy(qbus_root_buses());

    for (GList *l = roots; l; l = l->next) {
        qbus_reset_all(l->data);
    }
    g_list_free(roots);
    /* Devices on no bus (CPUs, the machine's own parts) reset after. */
    object_child_foreach_recursive(qdev_get_machine(), reset_busless, NULL);
}

/* ---------------------------------------------------------------- types */

static void bus_unparent(Object *obj)
{
    BusState *bus = BUS(obj);

    while (bus->children) {
        DeviceState *dev = bus->children->data;
        if (OBJECT(dev)->parent) {
            object_unparent(OBJECT(dev)); /* leaves the bus on the way */
        } else {
            if (dev->realized) {
                qdev_unrealize(dev);
            }
            qbus_remove_child(bus, dev);
        }
    }
    if (bus->parent) {
        bus->parent->child_buses =
            g_slist_remove(bus->parent->child_buses, bus);
        bus->parent->num_child_bus--;
        bus->parent = NULL;
    }
}

static void bus_finalize(Object *obj)
{
    BusState *bus = BUS(obj);

    root_buses = g_list_remove(root_buses, bus);
    g_free(bus->name);
}

static GVariant *bus_get_realized(Object *obj, ObjectProperty *prop,
                                  GError **errp)
{
    return g_variant_new_boolean(BUS(obj)->realized);
}

static void bus_class_init(ObjectClass *oc, void *data)
{
    oc->unparent = bus_unparent;
    object_class_property_add(oc, "realized", "bool", bus_get_realized, NULL,
                              NULL, NULL);
}

static const TypeInfo bus_info = {
    .name = TYPE_BUS,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(BusState),
    .instance_finalize = bus_finalize,
    .abstract = true,
    .class_size = sizeof(BusClass),
    .class_init = bus_class_init,
};

static const TypeInfo system_bus_info = {
    .name = TYPE_SYSTEM_BUS,
    .parent = TYPE_BUS,
    .instance_size = sizeof(BusState),
};

static void bus_register_types(void)
{
    type_register_static(&bus_info);
    type_register_static(&system_bus_info);
}

type_init(bus_register_types)
