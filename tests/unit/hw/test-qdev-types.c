/* Test-only device and bus types (see test-qdev-types.h). */
#include "test-qdev-types.h"
#include "hw/hotplug.h"
#include "util/error.h"

#include <string.h>

GString *test_log;
int test_finalized;

void test_log_reset(void)
{
    g_string_truncate(test_log, 0);
}

static void log_dev(const char *what, DeviceState *dev)
{
    if (test_log->len) {
        g_string_append_c(test_log, ',');
    }
    g_string_append_printf(test_log, "%s:%s", what,
                           dev->id ? dev->id : "(null)");
}

static void log_str(const char *what)
{
    if (test_log->len) {
        g_string_append_c(test_log, ',');
    }
    g_string_append(test_log, what);
}

static void count_finalize(Object *obj)
{
    test_finalized++;
}

/* ----------------------------------------------------------- buses */

static void test_bus_reset(BusState *bus)
{
    log_str("busreset:");
    g_string_append(test_log, bus->name);
}

static bool test_bus_check_address(BusState *bus, DeviceState *dev,
                                   GError **errp)
{
    TestDev *t = (TestDev *)object_dynamic_cast(OBJECT(dev), TYPE_TEST_DEV);

    if (t && t->iobase == 0xdead) {
        error_setg(errp, "iobase 0xdead is taken");
        return false;
    }
    return true;
}

static void test_bus_class_init(ObjectClass *oc, void *data)
{
    BUS_CLASS(oc)->reset = test_bus_reset;
    BUS_CLASS(oc)->check_address = test_bus_check_address;
}

static void one_bus_class_init(ObjectClass *oc, void *data)
{
    BUS_CLASS(oc)->max_dev = 1;
}

/* --------------------------------------------------------- bridges */

static bool bridge_realize(DeviceState *dev, GError **errp)
{
    qbus_new(TYPE_TEST_BUS, dev, NULL);
    return true;
}

static void dev_reset(DeviceState *dev)
{
    log_dev("reset", dev);
}

static void dev_unrealize(DeviceState *dev)
{
    log_dev("unrealize", dev);
}

static void bridge_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->bus_type = TYPE_SYSTEM_BUS;
    dc->realize = bridge_realize;
    dc->unrealize = dev_unrealize;
    dc->reset = dev_reset;
    dc->desc = "test bridge";
    dc->categories = 1u << DEVICE_CATEGORY_BRIDGE;
}

static bool hp_bridge_realize(DeviceState *dev, GError **errp)
{
    BusState *bus = qbus_new(TYPE_TEST_BUS, dev, NULL);

    qbus_set_hotplug_handler(bus, OBJECT(dev));
    return true;
}

static const char *dev_name(DeviceState *dev)
{
    TestDev *t = (TestDev *)object_dynamic_cast(OBJECT(dev), TYPE_TEST_DEV);

    return t && t->name ? t->name : "";
}

static bool hp_pre_plug(Object *handler, DeviceState *dev, GError **errp)
{
    if (!strcmp(dev_name(dev), "reject-pre")) {
        error_setg(errp, "pre_plug refused");
        return false;
    }
    return true;
}

static bool hp_plug(Object *handler, DeviceState *dev, GError **errp)
{
    if (!strcmp(dev_name(dev), "reject-plug")) {
        error_setg(errp, "plug refused");
        return false;
    }
    log_dev("plug", dev);
    return true;
}

static bool hp_unplug(Object *handler, DeviceState *dev, GError **errp)
{
    log_dev("unplug", dev);
    return true;
}

static void hp_bridge_class_init(ObjectClass *oc, void *data)
{
    HotplugHandlerClass *hc = HOTPLUG_HANDLER_CLASS(oc);

    DEVICE_CLASS(oc)->realize = hp_bridge_realize;
    hc->pre_plug = hp_pre_plug;
    hc->plug = hp_plug;
    hc->unplug = hp_unplug;
}

/* --------------------------------------------------------- devices */

static const char *const mode_names[] = {"off", "on", "auto", NULL};

static const Property test_dev_props[] = {
    DEFINE_PROP_UINT32("iobase", TestDev, iobase, 0x3f8),
    DEFINE_PROP_UINT8("irq", TestDev, irq, 4),
    DEFINE_PROP_BOOL("enabled", TestDev, enabled, true),
    DEFINE_PROP_SIZE("size", TestDev, size, 1 << 20),
    DEFINE_PROP_ENUM("mode", TestDev, mode, "OnOffAuto", mode_names, 2),
    DEFINE_PROP_STRING("name", TestDev, name),
    DEFINE_PROP_END_OF_LIST(),
};

static bool test_dev_realize(DeviceState *dev, GError **errp)
{
    TestDev *t = (TestDev *)dev;

    if (!t->iobase) {
        error_setg(errp, "iobase must not be 0");
        return false;
    }
    log_dev("realize", dev);
    return true;
}

static void test_dev_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->bus_type = TYPE_TEST_BUS;
    dc->realize = test_dev_realize;
    dc->unrealize = dev_unrealize;
    dc->reset = dev_reset;
    dc->desc = "a test device";
    dc->categories =
        (1u << DEVICE_CATEGORY_MISC) | (1u << DEVICE_CATEGORY_STORAGE);
    device_class_set_props(dc, test_dev_props);
}

static const Property test_sub_props[] = {
    DEFINE_PROP_UINT16("extra", TestSubDev, extra, 7),
    DEFINE_PROP_END_OF_LIST(),
};

static DeviceRealize *sub_parent_realize;

static bool sub_realize(DeviceState *dev, GError **errp)
{
    log_str("sub-realize");
    return sub_parent_realize(dev, errp);
}

static void sub_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->props = test_sub_props; /* plain assignment also works */
    dc->desc = NULL;
    dc->categories = 0;
    device_class_set_parent_realize(dc, sub_realize, &sub_parent_realize);
}

static void nouser_class_init(ObjectClass *oc, void *data)
{
    DEVICE_CLASS(oc)->user_creatable = false;
}

static void nohotplug_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->hotpluggable = false;
    dc->desc = "cold plug only";
}

static void one_dev_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->bus_type = TYPE_TEST_ONE_BUS;
    dc->categories = 1u << DEVICE_CATEGORY_NETWORK;
}

static void busless_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->reset = dev_reset;
    dc->categories = 1u << DEVICE_CATEGORY_CPU;
}

static const InterfaceInfo hp_ifaces[] = {{TYPE_HOTPLUG_HANDLER}, {NULL}};

static const TypeInfo types[] = {
    {
        .name = TYPE_TEST_BUS,
        .parent = TYPE_BUS,
        .class_init = test_bus_class_init,
    },
    {
        .name = TYPE_TEST_ONE_BUS,
        .parent = TYPE_BUS,
        .class_init = one_bus_class_init,
    },
    {
        .name = TYPE_TEST_BRIDGE,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(DeviceState),
        .class_init = bridge_class_init,
        .instance_finalize = count_finalize,
    },
    {
        .name = TYPE_TEST_HP_BRIDGE,
        .parent = TYPE_TEST_BRIDGE,
        .class_init = hp_bridge_class_init,
        .interfaces = hp_ifaces,
    },
    {
        .name = TYPE_TEST_DEV,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(TestDev),
        .class_init = test_dev_class_init,
        .instance_finalize = count_finalize,
    },
    {
        .name = TYPE_TEST_SUB_DEV,
        .parent = TYPE_TEST_DEV,
        .instance_size = sizeof(TestSubDev),
        .class_init = sub_class_init,
    },
    {
        .name = TYPE_TEST_NOUSER,
        .parent = TYPE_TEST_DEV,
        .class_init = nouser_class_init,
    },
    {
        .name = TYPE_TEST_NOHOTPLUG,
        .parent = TYPE_TEST_DEV,
        .class_init = nohotplug_class_init,
    },
    {
        .name = TYPE_TEST_ABSTRACT_DEV,
        .parent = TYPE_TEST_DEV,
        .abstract = true,
    },
    {
        .name = TYPE_TEST_ONE_DEV,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(DeviceState),
        .class_init = one_dev_class_init,
    },
    {
        .name = TYPE_TEST_BUSLESS,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(DeviceState),
        .class_init = busless_class_init,
    },
};

void test_qdev_types_register(void)
{
    test_log = g_string_new(NULL);
    type_register_static_array(types, G_N_ELEMENTS(types));
}
