/*
 * qdev: realize/unrealize/reset order, bus attach and naming, property
 * tables (defaults, after-realize veto), -global (subtypes, bad values,
 * unused warnings), lookups. The device and bus types here are test-only.
 */
#include "hw/qdev.h"
#include "hw/irq.h"
#include "test-qdev-types.h"

#include <stdio.h>
#include <string.h>

/* A device with a custom string-valued property (a MAC address). */
#define TYPE_TEST_MAC_DEV "test-mac-dev"

typedef struct {
    DeviceState parent;
    uint8_t mac[6];
    bool mac_set;
    uint32_t vectors;
    int released;
} TestMacDev;

static bool mac_set(Object *obj, void *field, const char *value, GError **errp)
{
    uint8_t *mac = field;
    unsigned int b[6];
    char tail;

    if (sscanf(value, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4],
               &b[5], &tail) != 6) {
        g_set_error(errp, g_quark_from_static_string("test"), 1,
                    "Property '%s.mac' doesn't take value '%s'",
                    object_get_typename(obj), value);
        return false;
    }
    for (int i = 0; i < 6; i++) {
        if (b[i] > 0xff) {
            g_set_error(errp, g_quark_from_static_string("test"), 1,
                        "Property '%s.mac' doesn't take value '%s'",
                        object_get_typename(obj), value);
            return false;
        }
        mac[i] = b[i];
    }
    ((TestMacDev *)obj)->mac_set = true;
    return true;
}

static char *mac_get(Object *obj, void *field)
{
    uint8_t *m = field;

    return g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
                           m[3], m[4], m[5]);
}

static int mac_released;

static void mac_release(Object *obj, void *field)
{
    ((TestMacDev *)obj)->released++;
    mac_released++;
}

static const Property mac_props[] = {
    DEFINE_PROP_CUSTOM("mac", TestMacDev, mac, "macaddr", mac_get, mac_set,
                       mac_release),
    {.name = "vectors",
     .field = {.kind = OBJ_PROP_UINT32,
               .offset = offsetof(TestMacDev, vectors)},
     .has_default = true,
     .defval.u = 3,
     .description = "number of vectors"},
    DEFINE_PROP_END_OF_LIST(),
};

static void mac_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->user_creatable = false;
    device_class_set_props(dc, mac_props);
}

static const TypeInfo mac_info = {
    .name = TYPE_TEST_MAC_DEV,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(TestMacDev),
    .class_init = mac_class_init,
};

static void test_custom_prop_and_setters(void)
{
    GError *err = NULL;
    DeviceState *dev = qdev_new(TYPE_TEST_MAC_DEV);
    TestMacDev *m = (TestMacDev *)dev;

    g_assert_true(
        object_property_parse(OBJECT(dev), "mac", "52:54:00:12:34:56", &err));
    g_assert_no_error(err);
    g_assert_cmphex(m->mac[5], ==, 0x56);
    char *s = object_property_print(OBJECT(dev), "mac", &err);
    g_assert_cmpstr(s, ==, "52:54:00:12:34:56");
    g_free(s);
    static const char *const bad[] = {
        "52:54:00:12:34",
        "52:54:00:12:34:56:78",
        "zz:54:00:12:34:56",
        "152:54:00:12:34:56",
        "",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_false(object_property_parse(OBJECT(dev), "mac", bad[i], &err));
        g_assert_true(g_str_has_prefix(err->message,
                                       "Property 'test-mac-dev.mac' doesn't "
                                       "take value"));
        g_clear_error(&err);
    }
    ObjectProperty *prop = object_property_find(OBJECT(dev), "mac");
    g_assert_cmpstr(prop->type, ==, "macaddr");
    char *help =
        object_property_help(object_property_find(OBJECT(dev), "vectors"));
    g_assert_cmpstr(help, ==,
                    "  vectors=<uint32>       - number of vectors "
                    "(default: 3)");
    g_free(help);

    /* Board setters. */
    g_assert_cmpuint(m->vectors, ==, 3);
    qdev_prop_set_uint32(dev, "vectors", 9);
    g_assert_cmpuint(m->vectors, ==, 9);
    qdev_prop_set_parse(dev, "mac", "00:00:00:00:00:01");
    g_assert_cmphex(m->mac[5], ==, 1);

    DeviceState *t = qdev_new(TYPE_TEST_DEV);
    qdev_prop_set_uint8(t, "irq", 11);
    qdev_prop_set_bit(t, "enabled", false);
    qdev_prop_set_string(t, "name", "n");
    qdev_prop_set_uint64(t, "size", 4096);
    qdev_prop_set_parse(t, "mode", "on");
    TestDev *td = (TestDev *)t;
    g_assert_cmpuint(td->irq, ==, 11);
    g_assert_false(td->enabled);
    g_assert_cmpstr(td->name, ==, "n");
    g_assert_cmpuint(td->size, ==, 4096);
    g_assert_cmpint(td->mode, ==, 1);
    object_unref(t);

    m->released = 0;
    object_ref(dev);
    object_unref(dev);
    g_assert_cmpint(m->released, ==, 0);
    /* The custom release hook runs once, at finalize. */
    int before = mac_released;
    object_unref(dev);
    g_assert_cmpint(mac_released, ==, before + 1);
}

static void test_realize_reset_order(void)
{
    GError *err = NULL;
    DeviceState *br = qdev_new(TYPE_TEST_BRIDGE);
    qdev_set_id(br, "brA");
    g_assert_true(qdev_realize(br, sysbus_get_default(), &err));
    g_assert_no_error(err);
    BusState *bus = qdev_get_child_bus(br, "brA.0");
    g_assert_nonnull(bus);
    g_assert_true(bus->realized);

    DeviceState *d1 = qdev_new(TYPE_TEST_DEV);
    DeviceState *d2 = qdev_new(TYPE_TEST_DEV);
    qdev_set_id(d1, "d1");
    qdev_set_id(d2, "d2");
    test_log_reset();
    g_assert_true(qdev_realize_and_unref(d1, bus, &err));
    g_assert_true(qdev_realize_and_unref(d2, bus, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(test_log->str, ==, "realize:d1,realize:d2");
    g_assert_cmpint(bus->num_children, ==, 2);
    g_assert(d1->parent_bus == bus);
    g_assert_true(object_property_get_bool(OBJECT(d1), "realized", NULL));

    /* Board-created devices land in /machine/unattached. */
    char *path = object_get_canonical_path(OBJECT(d1));
    g_assert_true(g_str_has_prefix(path, "/machine/unattached/device["));
    g_free(path);
    char *pb = object_property_print(OBJECT(d1), "parent_bus", NULL);
    g_assert_cmpstr(pb, ==, "/machine/unattached/device[0]/brA.0");
    g_free(pb);

    /* Children before parents; the bus hook after its devices. */
    test_log_reset();
    device_cold_reset(br);
    g_assert_cmpstr(test_log->str, ==,
                    "reset:d1,reset:d2,busreset:brA.0,reset:brA");
    /* The machine: the system bus tree first, then bus-less devices. */
    DeviceState *cpu = qdev_new(TYPE_TEST_BUSLESS);
    qdev_set_id(cpu, "cpu0");
    g_assert_true(qdev_realize_and_unref(cpu, NULL, &err));
    test_log_reset();
    qdev_reset_machine();
    g_assert_cmpstr(test_log->str, ==,
                    "reset:d1,reset:d2,busreset:brA.0,reset:brA,reset:cpu0");
    object_unparent(OBJECT(cpu));

    /* Unrealize takes children down first, newest first. */
    test_log_reset();
    qdev_unrealize(br);
    g_assert_cmpstr(test_log->str, ==,
                    "unrealize:d2,unrealize:d1,unrealize:brA");
    g_assert_false(d1->realized);
    g_assert_false(bus->realized);
    GError *err2 = NULL;
    g_assert_false(
        object_property_set_bool(OBJECT(d1), "realized", true, &err2));
    g_assert_cmpstr(err2->message, ==,
                    "Device 'd1' was unrealized and "
                    "cannot be realized again");
    g_clear_error(&err2);

    /* Unparenting the bridge removes its bus and the devices on it. */
    int fin = test_finalized;
    object_unparent(OBJECT(d1));
    object_unparent(OBJECT(br));
    object_unref(br);
    g_assert_cmpint(test_finalized, ==, fin + 3);
}

static void test_realize_failure(void)
{
    GError *err = NULL;
    DeviceState *dev = qdev_new(TYPE_TEST_DEV);

    g_assert_true(object_property_parse(OBJECT(dev), "iobase", "0", &err));
    g_assert_false(qdev_realize(dev, NULL, &err));
    g_assert_cmpstr(err->message, ==, "iobase must not be 0");
    g_clear_error(&err);
    g_assert_false(dev->realized);
    /* It was not left in /machine/unattached. */
    g_assert_null(OBJECT(dev)->parent);
    object_unref(dev);
}

static void test_bus_naming(void)
{
    BusState *root1 = qbus_new(TYPE_TEST_BUS, NULL, NULL);
    BusState *root2 = qbus_new(TYPE_TEST_BUS, NULL, NULL);
    BusState *named = qbus_new(TYPE_TEST_BUS, NULL, "custom");

    g_assert_true(g_str_has_prefix(root1->name, "test."));
    g_assert_cmpstr(root1->name, !=, root2->name);
    g_assert_cmpstr(named->name, ==, "custom");
    object_unref(root1);
    object_unref(root2);
    object_unref(named);

    /* A bridge without id names its bus after the bus type. */
    DeviceState *br = qdev_new(TYPE_TEST_BRIDGE);
    g_assert_true(qdev_realize(br, sysbus_get_default(), NULL));
    BusState *bus = br->child_buses->data;
    g_assert_true(g_str_has_prefix(bus->name, "test."));
    ObjectProperty *prop = object_property_find(OBJECT(br), bus->name);
    g_assert_cmpstr(prop->type, ==, "child<" TYPE_TEST_BUS ">");
    object_unparent(OBJECT(br));
    object_unref(br);
}

/* A bridge whose bus is embedded in its own state (qbus_init). */
#define TYPE_TEST_EMBED_BRIDGE "test-embed-bridge"

typedef struct {
    DeviceState parent;
    BusState bus;
} TestEmbedBridge;

static bool embed_realize(DeviceState *dev, GError **errp)
{
    TestEmbedBridge *b = (TestEmbedBridge *)dev;

    qbus_init(&b->bus, sizeof(b->bus), TYPE_TEST_BUS, dev, "embedded.0");
    return true;
}

static void embed_class_init(ObjectClass *oc, void *data)
{
    DEVICE_CLASS(oc)->realize = embed_realize;
    DEVICE_CLASS(oc)->user_creatable = false;
}

static const TypeInfo embed_info = {
    .name = TYPE_TEST_EMBED_BRIDGE,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(TestEmbedBridge),
    .class_init = embed_class_init,
};

static void test_embedded_bus(void)
{
    GError *err = NULL;
    DeviceState *br = qdev_new(TYPE_TEST_EMBED_BRIDGE);
    g_assert_true(qdev_realize(br, NULL, &err));
    BusState *bus = qdev_get_child_bus(br, "embedded.0");
    g_assert(bus == &((TestEmbedBridge *)br)->bus);
    g_assert_true(bus->realized);

    DeviceState *d = qdev_new(TYPE_TEST_DEV);
    g_assert_true(qdev_realize_and_unref(d, bus, &err));
    g_assert_no_error(err);
    char *path = object_get_canonical_path(OBJECT(bus));
    g_assert_true(g_str_has_suffix(path, "/embedded.0"));
    g_free(path);

    int fin = test_finalized;
    object_unparent(OBJECT(d));
    object_unparent(OBJECT(br)); /* the embedded bus goes with it */
    g_assert_cmpint(test_finalized, ==, fin + 1);
    object_unref(br);
}

static void test_bus_limits(void)
{
    GError *err = NULL;
    BusState *one = qbus_new(TYPE_TEST_ONE_BUS, NULL, "one.0");
    DeviceState *a = qdev_new(TYPE_TEST_ONE_DEV);
    DeviceState *b = qdev_new(TYPE_TEST_ONE_DEV);

    g_assert_false(qbus_is_full(one));
    g_assert_true(qdev_realize(a, one, &err));
    g_assert_true(qbus_is_full(one));
    g_assert_false(qdev_realize(b, one, &err));
    g_assert_cmpstr(err->message, ==, "Bus 'one.0' is full");
    g_clear_error(&err);
    object_unref(b);
    object_unparent(OBJECT(a));
    object_unref(a);
    g_assert_cmpint(one->num_children, ==, 0);
    object_unref(one);
}

/* Tables are properties as soon as the class exists (device-list-props). */
static void test_class_props_without_instance(void)
{
    GPtrArray *props =
        object_class_property_list(object_class_by_name(TYPE_TEST_SUB_DEV));
    GString *names = g_string_new(NULL);

    for (guint i = 0; i < props->len; i++) {
        ObjectProperty *p = props->pdata[i];
        g_string_append_printf(names, "%s ", p->name);
    }
    g_assert_cmpstr(names->str, ==,
                    "type realized hotpluggable hotplugged "
                    "parent_bus iobase irq enabled size mode name extra ");
    g_string_free(names, true);
    g_ptr_array_free(props, true);
}

static void test_prop_defaults_and_veto(void)
{
    GError *err = NULL;
    DeviceState *dev = qdev_new(TYPE_TEST_SUB_DEV);
    TestDev *t = (TestDev *)dev;
    TestSubDev *sub = (TestSubDev *)dev;

    g_assert_cmpuint(t->iobase, ==, 0x3f8);
    g_assert_cmpuint(t->irq, ==, 4);
    g_assert_true(t->enabled);
    g_assert_cmpuint(t->size, ==, 1 << 20);
    g_assert_cmpint(t->mode, ==, 2);
    g_assert_null(t->name);
    g_assert_cmpuint(sub->extra, ==, 7);

    g_assert_true(object_property_parse(OBJECT(dev), "name", "x", &err));
    g_assert_true(object_property_parse(OBJECT(dev), "extra", "9", &err));
    g_assert_no_error(err);
    test_log_reset();
    g_assert_true(qdev_realize(dev, NULL, &err));
    g_assert_cmpstr(test_log->str, ==, "sub-realize,realize:(null)");
    g_assert_false(object_property_parse(OBJECT(dev), "irq", "5", &err));
    g_assert_cmpstr(err->message, ==,
                    "Attempt to set property 'irq' on "
                    "device '<anonymous>' (type 'test-sub-dev') after it "
                    "was realized");
    g_clear_error(&err);
    g_assert_cmpuint(t->irq, ==, 4);
    object_unparent(OBJECT(dev));
    object_unref(dev);
}

static void test_globals(void)
{
    GError *err = NULL;

    qdev_clear_globals();
    g_assert_true(qdev_add_global("test-dev", "irq", "9", &err));
    g_assert_true(qdev_add_global_str("test-sub-dev.extra=11", &err));
    g_assert_true(qdev_add_global_str("test-nohotplug.iobase=0x100", &err));
    g_assert_true(qdev_add_global_str("no-such-dev.x=1", &err));
    g_assert_no_error(err);
    static const char *const bad[] = {
        "noequals",
        "nodot=1",
        ".prop=1",
        "drv.=1",
        "driver=a,property=b",
        "driver=a,value=1",
        "driver=a,property=b,value=1,extra=2",
        "driver=a,property",
        "",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_false(qdev_add_global_str(bad[i], &err));
        g_assert_nonnull(err);
        g_clear_error(&err);
    }
    /* The keyval form, with a ",," escape (value "x,y"). */
    g_assert_true(qdev_add_global_str("driver=test-dev,property=name,"
                                      "value=x,,y",
                                      &err));
    g_assert_no_error(err);

    /* Applies to the type and its subtypes, after the table defaults. */
    DeviceState *sub = qdev_new(TYPE_TEST_SUB_DEV);
    g_assert_cmpuint(((TestDev *)sub)->irq, ==, 9);
    g_assert_cmpuint(((TestSubDev *)sub)->extra, ==, 11);
    g_assert_cmpstr(((TestDev *)sub)->name, ==, "x,y");
    object_unref(sub);

    /* Unused: warned for non-hotpluggable types and unknown names. */
    g_assert_true(qdev_check_globals());
    DeviceState *nh = qdev_new(TYPE_TEST_NOHOTPLUG);
    g_assert_cmpuint(((TestDev *)nh)->iobase, ==, 0x100);
    object_unref(nh);

    /* A value that does not fit makes realize fail. */
    qdev_clear_globals();
    g_assert_true(qdev_add_global("test-dev", "irq", "300", &err));
    DeviceState *dev = qdev_new(TYPE_TEST_DEV);
    g_assert_false(qdev_realize(dev, NULL, &err));
    g_assert_cmpstr(err->message, ==,
                    "can't apply global test-dev.irq=300: "
                    "Parameter 'irq' expects uint8_t");
    g_clear_error(&err);
    object_unref(dev);
    qdev_clear_globals();
    g_assert_false(qdev_check_globals());
}

/* Random -global strings: parsed or refused, never a crash. */
static void test_globals_random(void)
{
    static const char charset[] = "ab.=,-";
    GError *err = NULL;

    qdev_clear_globals();
    for (int round = 0; round < 3000; round++) {
        char buf[16];
        int len = g_test_rand_int_range(0, sizeof(buf));
        for (int i = 0; i < len; i++) {
            buf[i] = charset[g_test_rand_int_range(0, sizeof(charset) - 1)];
        }
        buf[len] = 0;
        if (!qdev_add_global_str(buf, &err)) {
            g_assert_nonnull(err);
            g_clear_error(&err);
        }
    }
    /* None names a device type: each is reported as an invalid class. */
    DeviceState *dev = qdev_new(TYPE_TEST_DEV);
    object_unref(dev);
    qdev_clear_globals();
}

static void test_find(void)
{
    GError *err = NULL;
    DeviceState *br = qdev_new(TYPE_TEST_BRIDGE);
    qdev_set_id(br, "brF");
    g_assert_true(qdev_realize(br, sysbus_get_default(), &err));
    BusState *bus = qdev_get_child_bus(br, "brF.0");
    DeviceState *dev = qdev_new(TYPE_TEST_DEV);
    qdev_set_id(dev, "findme");
    g_assert_true(qdev_realize_and_unref(dev, bus, &err));

    g_assert(qdev_find_recursive(sysbus_get_default(), "findme") == dev);
    g_assert(qdev_find_recursive(sysbus_get_default(), "brF") == br);
    g_assert_null(qdev_find_recursive(sysbus_get_default(), "nope"));
    g_assert(qbus_find_recursive(sysbus_get_default(), "brF.0", NULL) == bus);
    g_assert(qbus_find_recursive(sysbus_get_default(), NULL, TYPE_TEST_BUS) ==
             bus);
    g_assert_null(qbus_find_recursive(sysbus_get_default(), "x.0", NULL));
    char *path = qdev_get_dev_path(dev);
    g_assert(qdev_find_by_id_or_path(path, &err) == dev);
    g_free(path);
    g_assert_null(qdev_find_by_id_or_path("nope", &err));
    g_assert_cmpstr(err->message, ==, "Device 'nope' not found");
    g_clear_error(&err);

    object_unparent(OBJECT(br));
    object_unref(br);
}

static int irq_levels[4];

static void irq_handler(void *opaque, int n, int level)
{
    irq_levels[n] = level;
}

static void test_irq(void)
{
    qemu_irq *in = qemu_allocate_irqs(irq_handler, NULL, 4);

    qemu_irq_raise(in[2]);
    g_assert_cmpint(irq_levels[2], ==, 1);
    qemu_irq_lower(in[2]);
    g_assert_cmpint(irq_levels[2], ==, 0);
    qemu_irq inv = qemu_irq_invert(in[1]);
    g_assert_cmpint(irq_levels[1], ==, 1);
    qemu_irq_raise(inv);
    g_assert_cmpint(irq_levels[1], ==, 0);
    qemu_irq split = qemu_irq_split(in[0], in[3]);
    qemu_set_irq(split, 1);
    g_assert_cmpint(irq_levels[0], ==, 1);
    g_assert_cmpint(irq_levels[3], ==, 1);
    qemu_set_irq(NULL, 1); /* unconnected: nothing */
    qemu_free_irq(inv);
    qemu_free_irq(split);
    qemu_free_irqs(in, 4);
}

/* A test-dev with a (fake, never dereferenced) vmsd. */
#define TYPE_TEST_VM_DEV "test-vm-dev"
static const int fake_vmsd;

static void vm_dev_class_init(ObjectClass *oc, void *data)
{
    DEVICE_CLASS(oc)->vmsd = (const struct VMStateDescription *)&fake_vmsd;
}

static const TypeInfo vm_dev_info = {
    .name = TYPE_TEST_VM_DEV,
    .parent = TYPE_TEST_DEV,
    .class_init = vm_dev_class_init,
};

static void collect_id(DeviceState *dev, void *opaque)
{
    if (dev->id && g_str_has_prefix(dev->id, "w")) {
        g_string_append_printf(opaque, "%s ", dev->id);
    }
}

static void collect_vmstate(DeviceState *dev,
                            const struct VMStateDescription *vmsd,
                            int instance_id, void *opaque)
{
    g_assert(vmsd == (const void *)&fake_vmsd);
    g_string_append_printf(opaque, "%s:%d ", dev->id, instance_id);
}

static DeviceState *new_with_id(const char *type, const char *id)
{
    DeviceState *dev = qdev_new(type);

    qdev_set_id(dev, id);
    return dev;
}

static void test_foreach_order(void)
{
    GError *err = NULL;
    DeviceState *br = new_with_id(TYPE_TEST_BRIDGE, "wbr");
    g_assert_true(qdev_realize(br, sysbus_get_default(), &err));
    BusState *bus = br->child_buses->data;
    DeviceState *a = new_with_id(TYPE_TEST_VM_DEV, "wA");
    DeviceState *p = new_with_id(TYPE_TEST_DEV, "wP");
    DeviceState *b = new_with_id(TYPE_TEST_VM_DEV, "wB");
    DeviceState *cpu = new_with_id(TYPE_TEST_BUSLESS, "wcpu");
    DeviceState *unrealized = new_with_id(TYPE_TEST_VM_DEV, "wU");
    g_assert_true(qdev_realize_and_unref(a, bus, &err));
    g_assert_true(qdev_realize_and_unref(p, bus, &err));
    g_assert_true(qdev_realize_and_unref(cpu, NULL, &err));
    g_assert_true(qdev_realize_and_unref(b, bus, &err));
    g_assert_true(qdev_set_parent_bus(unrealized, bus, &err));

    GString *s = g_string_new(NULL);
    qdev_foreach_realized(collect_id, s);
    g_assert_cmpstr(s->str, ==, "wbr wA wP wB wcpu ");
    g_string_truncate(s, 0);
    qdev_foreach_vmstate(collect_vmstate, s);
    g_assert_cmpstr(s->str, ==, "wA:0 wB:1 ");
    g_string_free(s, true);

    object_unref(unrealized);
    object_unparent(OBJECT(cpu));
    object_unparent(OBJECT(br));
    object_unref(br);
}

/* Runs last: replaces the stand-in /machine container. */
static void test_install_machine(void)
{
    static const TypeInfo machine_info = {
        .name = "test-machine",
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Object),
    };
    GError *err = NULL;
    BusState *sysbus = sysbus_get_default(); /* under the stand-in */
    DeviceState *dev = qdev_new(TYPE_TEST_BUSLESS);
    g_assert_true(qdev_realize_and_unref(dev, NULL, &err));
    char *before = object_get_canonical_path(OBJECT(dev));

    type_register_static(&machine_info);
    Object *machine = object_new("test-machine");
    g_assert_true(qdev_install_machine(machine, &err));
    g_assert_no_error(err);
    g_assert(qdev_get_machine() == machine);
    g_assert(object_resolve_path("/machine", NULL) == machine);
    char *after = object_get_canonical_path(OBJECT(dev));
    g_assert_cmpstr(before, ==, after);
    g_assert(object_resolve_path("/machine/unattached/sysbus", NULL) ==
             OBJECT(sysbus));
    g_assert_true(dev->realized); /* moved, not unparented */
    g_assert_nonnull(object_resolve_path("/machine/peripheral-anon", NULL));
    g_assert_nonnull(object_resolve_path("/objects", NULL));
    g_assert_true(qdev_install_machine(machine, &err)); /* idempotent */

    Object *other = object_new("test-machine");
    g_assert_false(qdev_install_machine(other, &err));
    g_assert_cmpstr(err->message, ==,
                    "a machine (type 'test-machine') is "
                    "already installed");
    g_clear_error(&err);
    object_unref(other);
    object_unref(machine);
    g_free(before);
    g_free(after);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    test_qdev_types_register();
    type_register_static(&mac_info);
    type_register_static(&embed_info);
    type_register_static(&vm_dev_info);

    g_test_add_func("/qdev/realize-reset-order", test_realize_reset_order);
    g_test_add_func("/qdev/realize-failure", test_realize_failure);
    g_test_add_func("/qdev/bus-naming", test_bus_naming);
    g_test_add_func("/qdev/bus-limits", test_bus_limits);
    g_test_add_func("/qdev/embedded-bus", test_embedded_bus);
    g_test_add_func("/qdev/class-props-without-instance",
                    test_class_props_without_instance);
    g_test_add_func("/qdev/prop-defaults-and-veto",
                    test_prop_defaults_and_veto);
    g_test_add_func("/qdev/globals", test_globals);
    g_test_add_func("/qdev/custom-prop-and-setters",
                    test_custom_prop_and_setters);
    g_test_add_func("/qdev/globals-random", test_globals_random);
    g_test_add_func("/qdev/find", test_find);
    g_test_add_func("/qdev/irq", test_irq);
    g_test_add_func("/qdev/foreach-order", test_foreach_order);
    g_test_add_func("/qdev/zz-install-machine", test_install_machine);
    return g_test_run();
}
