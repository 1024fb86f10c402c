/*
 * Hotplug handler interface: the object (a bridge, a controller, the
 * machine) that wires a device into a bus when it is plugged after machine
 * creation (device_add) and takes it out on device_del.
 *
 * qdev calls pre_plug before realize and plug after it for every device
 * on a bus that has a handler (cold-plugged ones too, so the handler sees
 * every device). unplug_request starts a guest-visible unplug (the device
 * goes away later, when the guest acks, through qdev_unrealize +
 * object_unparent); unplug removes it at once. Main thread, big lock.
 */
#ifndef HW_HOTPLUG_H
#define HW_HOTPLUG_H

#include "hw/qdev.h"

#define TYPE_HOTPLUG_HANDLER "hotplug-handler"

struct HotplugHandler; /* an Object * implementing the interface */

typedef bool HotplugFn(Object *handler, DeviceState *dev, GError **errp);

typedef struct HotplugHandlerClass {
    InterfaceClass parent_class;
    HotplugFn *pre_plug;
    HotplugFn *plug;
    HotplugFn *unplug_request;
    HotplugFn *unplug;
} HotplugHandlerClass;

#define HOTPLUG_HANDLER_CLASS(klass)                                           \
    OBJECT_CLASS_CHECK(HotplugHandlerClass, (klass), TYPE_HOTPLUG_HANDLER)
#define HOTPLUG_HANDLER_GET_CLASS(obj)                                         \
    OBJECT_GET_CLASS(HotplugHandlerClass, (obj), TYPE_HOTPLUG_HANDLER)

bool hotplug_handler_pre_plug(Object *handler, DeviceState *dev, GError **errp);
bool hotplug_handler_plug(Object *handler, DeviceState *dev, GError **errp);
bool hotplug_handler_unplug_request(Object *handler, DeviceState *dev,
                                    GError **errp);
bool hotplug_handler_unplug(Object *handler, DeviceState *dev, GError **errp);

#endif
