/* The hotplug handler interface (include/hw/hotplug.h). */
#include "hw/hotplug.h"

static HotplugHandlerClass *handler_class(Object *handler)
{
    return HOTPLUG_HANDLER_GET_CLASS(handler);
}

bool hotplug_handler_pre_plug(Object *handler, DeviceState *dev, GError **errp)
{
    HotplugHandlerClass *hc = handler_class(handler);

    return hc->pre_plug ? hc->pre_plug(handler, dev, errp) : true;
}

bool hotplug_handler_plug(Object *handler, DeviceState *dev, GError **errp)
{
    HotplugHandlerClass *hc = handler_class(handler);

    return hc->plug ? hc->plug(handler, dev, errp) : true;
}

bool hotplug_handler_unplug_request(Object *handler, DeviceState *dev,
                                    GError **errp)
{
    HotplugHandlerClass *hc = handler_class(handler);

    return hc->unplug_request ? hc->unplug_request(handler, dev, errp) : true;
}

bool hotplug_handler_unplug(Object *handler, DeviceState *dev, GError **errp)
{
    HotplugHandlerClass *hc = handler_class(handler);

    return hc->unplug ? hc->unplug(handler, dev, errp) : true;
}

static const TypeInfo hotplug_handler_info = {
    .name = TYPE_HOTPLUG_HANDLER,
    .parent = TYPE_INTERFACE,
    .class_size = sizeof(HotplugHandlerClass),
};

static void hotplug_register_types(void)
{
    type_register_static(&hotplug_handler_info);
}

type_init(hotplug_register_types)
