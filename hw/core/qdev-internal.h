/* Private glue between the files of hw/core/; not for use elsewhere. */
#ifndef HW_CORE_QDEV_INTERNAL_H
#define HW_CORE_QDEV_INTERNAL_H

#include "hw/qdev.h"

/* qdev-props.c: add the class's table(s) as class properties (once). */
void qdev_class_register_props(DeviceClass *dc);
/* qdev-props.c: write every table default into dev's fields. */
void qdev_props_apply_defaults(DeviceState *dev);
/* qdev-global.c: apply matching -global values; first error kept. */
void qdev_globals_apply(DeviceState *dev);
/* bus.c */
void qbus_remove_child(BusState *bus, DeviceState *dev);
void qbus_unrealize_children(BusState *bus);
/* bus.c: buses with no parent device, the system bus first. */
GList *qbus_root_buses(void);
/* bus.c: qbus_find_recursive over every root bus in turn. */
BusState *qbus_find_in_roots(const char *name, const char *bus_typename);
/* gpio.c: at finalize. */
void qdev_gpio_free_all(DeviceState *dev);
/* gpio.c: each GPIO list in creation order (name NULL: unnamed). */
void qdev_gpio_foreach(DeviceState *dev,
                       void (*fn)(const char *name, int n_in, int n_out,
                                  void *opaque),
                       void *opaque);
/* qdev-monitor.c: QEMU's identifier rule. */
bool qdev_id_wellformed(const char *id);

/* The concrete device class called typename, or NULL with QEMU's
 * -device error text (shared by qdev_try_new and -device/device_add). */
DeviceClass *qdev_class_lookup(const char *typename, GError **errp);

#endif
