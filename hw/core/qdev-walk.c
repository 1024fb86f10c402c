/*
 * Stable walks over every realized device (include/hw/qdev.h): the
 * order migration sections and per-device counters are listed in.
 */
#include "hw/qdev.h"
#include "hw/core/qdev-internal.h"

typedef struct {
    void (*fn)(DeviceState *dev, void *opaque);
    void *opaque;
    GHashTable *seen;
} Walk;

static void visit(Walk *w, DeviceState *dev);

static void visit_bus(Walk *w, BusState *bus)
{
    for (GList *l = bus->children; l; l = l->next) {
        visit(w, l->data);
    }
}

static void visit(Walk *w, DeviceState *dev)
{
    if (!g_hash_table_add(w->seen, dev)) {
        return;
    }
    if (dev->realized) {
        w->fn(dev, w->opaque);
    }
    for (GSList *l = dev->child_buses; l; l = l->next) {
        visit_bus(w, l->data);
    }
}

static int visit_busless(Object *obj, void *opaque)
{
    DeviceState *dev = (DeviceState *)object_dynamic_cast(obj, TYPE_DEVICE);

    if (dev && !dev->parent_bus) {
        visit(opaque, dev);
    }
    return 0;
}

void qdev_foreach_realized(void (*fn)(DeviceState *dev, void *opaque),
                           void *opaque)
{
    Walk w = {fn, opaque, g_hash_table_new(NULL, NULL)};

    for (GList *l = qbus_root_buses(); l; l = l->next) {
        visit_bus(&w, l->data);
    }
    object_child_foreach_recursive(qdev_get_machine(), visit_busless, &w);
    g_hash_table_unref(w.seen);
}

typedef struct {
    QdevVMStateFn *fn;
    void *opaque;
    GHashTable *counts; /* vmsd -> next instance id */
} VMStateWalk;

static void vmstate_one(DeviceState *dev, void *opaque)
{
    VMStateWalk *vw = opaque;
    const struct VMStateDescription *vmsd = DEVICE_GET_CLASS(dev)->vmsd;

    if (!vmsd) {
        return;
    }
    int id = GPOINTER_TO_INT(g_hash_table_lookup(vw->counts, vmsd));
    g_hash_table_insert(vw->counts, (gpointer)vmsd, GINT_TO_POINTER(id + 1));
    vw->fn(dev, vmsd, id, vw->opaque);
}

void qdev_foreach_vmstate(QdevVMStateFn *fn, void *opaque)
{
    VMStateWalk vw = {fn, opaque, g_hash_table_new(NULL, NULL)};

    qdev_foreach_realized(vmstate_one, &vw);
    g_hash_table_unref(vw.counts);
}
