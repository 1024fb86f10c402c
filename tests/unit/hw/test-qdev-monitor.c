/*
 * -device / device_add / device_del: placement under /machine/peripheral,
 * bus selection, QEMU's error messages (a table), hotplug through a
 * handler, aliases, and the `-device help` / `-device X,help` output.
 */
#include "hw/qdev.h"
#include "test-qdev-types.h"

#include <string.h>

static DeviceState *br0, *hp0;

static GHashTable *opts_parse(const char *text)
{
    /* "driver=x,id=y,..." for brevity; values here contain no commas. */
    GHashTable *h =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    char **parts = g_strsplit(text, ",", -1);

    for (int i = 0; parts[i]; i++) {
        if (!*parts[i]) {
            continue;
        }
        char *eq = strchr(parts[i], '=');
        if (eq) {
            g_hash_table_insert(h, g_strndup(parts[i], eq - parts[i]),
                                g_strdup(eq + 1));
        } else {
            g_hash_table_insert(h, g_strdup(parts[i]), g_strdup(""));
        }
    }
    g_strfreev(parts);
    return h;
}

static DeviceState *device_add(const char *text, GError **errp)
{
    GHashTable *h = opts_parse(text);
    DeviceState *dev = qdev_device_add(h, errp);

    g_hash_table_unref(h);
    return dev;
}

static int count_children(const char *path)
{
    Object *obj = object_resolve_path(path, NULL);
    int n = 0;

    GPtrArray *props = object_property_list(obj);
    for (guint i = 0; i < props->len; i++) {
        ObjectProperty *p = props->pdata[i];
        n += p->kind == OBJ_PROP_CHILD;
    }
    g_ptr_array_free(props, true);
    return n;
}

static void test_device_add_ok(void)
{
    GError *err = NULL;
    DeviceState *dev = device_add("driver=test-dev,id=ok1,irq=7,mode=on,"
                                  "size=2M,name=hello",
                                  &err);
    g_assert_no_error(err);
    g_assert_nonnull(dev);
    char *path = object_get_canonical_path(OBJECT(dev));
    g_assert_cmpstr(path, ==, "/machine/peripheral/ok1");
    g_free(path);
    TestDev *t = (TestDev *)dev;
    g_assert_cmpuint(t->irq, ==, 7);
    g_assert_cmpint(t->mode, ==, 1);
    g_assert_cmpuint(t->size, ==, 2 << 20);
    g_assert_cmpstr(t->name, ==, "hello");
    g_assert_true(dev->realized);
    g_assert_false(dev->hotplugged);
    g_assert_cmpstr(dev->id, ==, "ok1");
    g_assert_cmpstr(dev->parent_bus->name, ==, "br0.0");

    /* Anonymous devices; explicit bus paths; an alias as driver. */
    DeviceState *anon = device_add("driver=tdev,bus=br0.0", &err);
    g_assert_no_error(err);
    path = object_get_canonical_path(OBJECT(anon));
    g_assert_cmpstr(path, ==, "/machine/peripheral-anon/device[0]");
    g_free(path);
    g_assert_cmpstr(object_get_typename(OBJECT(anon)), ==, TYPE_TEST_DEV);
    DeviceState *p2 = device_add("driver=test-dev,bus=/br0/br0.0,id=p2", &err);
    g_assert_no_error(err);
    DeviceState *p3 = device_add("driver=test-dev,bus=/br0,id=p3", &err);
    g_assert_no_error(err);
    g_assert(p2->parent_bus == p3->parent_bus);

    g_assert(qdev_find_by_id_or_path("ok1", &err) == dev);
    object_unparent(OBJECT(dev));
    object_unparent(OBJECT(anon));
    object_unparent(OBJECT(p2));
    object_unparent(OBJECT(p3));
    g_assert_cmpint(br0->child_buses
                        ? ((BusState *)br0->child_buses->data)->num_children
                        : -1,
                    ==, 0);
}

static void test_device_add_errors(void)
{
    static const struct {
        const char *opts;
        const char *error;
    } cases[] = {
        {"id=x", "Parameter 'driver' is missing"},
        {"driver=nope", "'nope' is not a valid device model name"},
        {"driver=TEST", "Parameter 'driver' expects a device type"},
        {"driver=test-abstract-dev",
         "Parameter 'driver' expects a non-abstract device type"},
        {"driver=test-nouser",
         "Parameter 'driver' expects a pluggable device type"},
        {"driver=test-dev,bus=nope.0", "Bus 'nope.0' not found"},
        {"driver=test-dev,bus=", "Bus '' not found"},
        {"driver=test-dev,bus=/br0/br0.0/nodev", "Device 'nodev' not found"},
        {"driver=test-dev,bus=main-system-bus",
         "Device 'test-dev' can't go on System bus"},
        {"driver=test-dev,bus=/nodev", "Device 'nodev' not found"},
        {"driver=test-dev,bus=/br0/nobus.0", "Bus 'nobus.0' not found"},
        {"driver=test-one-dev", "No 'ONE' bus found for device "
                                "'test-one-dev'"},
        {"driver=test-dev,id=0x", "Parameter 'id' expects an identifier"},
        {"driver=test-dev,id=a b", "Parameter 'id' expects an identifier"},
        {"driver=test-dev,id=dupe", "Duplicate device ID 'dupe'"},
        {"driver=test-dev,foo=1", "Property 'test-dev.foo' not found"},
        {"driver=test-dev,irq=999", "Parameter 'irq' expects uint8_t"},
        {"driver=test-dev,enabled=perhaps",
         "Parameter 'enabled' expects 'on' or 'off'"},
        {"driver=test-dev,mode=never",
         "Parameter 'mode' does not accept value 'never'"},
        {"driver=test-dev,iobase=0,id=fails", "iobase must not be 0"},
        {"driver=test-dev,iobase=0xdead", "iobase 0xdead is taken"},
        {"driver=test-dev,bus=hp0.0,name=reject-pre", "pre_plug refused"},
        {"driver=test-dev,bus=hp0.0,name=reject-plug,id=rp", "plug refused"},
        {"driver=test-dev,hotplugged=on",
         "Insufficient permission to perform this operation"},
    };
    GError *err = NULL;
    DeviceState *dupe = device_add("driver=test-dev,id=dupe", &err);
    g_assert_no_error(err);
    BusState *bus = qdev_get_child_bus(br0, "br0.0");
    BusState *hp_bus = qdev_get_child_bus(hp0, "hp0.0");
    int on_bus = bus->num_children;
    int on_hp_bus = hp_bus->num_children;
    int peripherals = count_children("/machine/peripheral");
    int anons = count_children("/machine/peripheral-anon");

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        DeviceState *dev = device_add(cases[i].opts, &err);
        if (dev || !err) {
            g_error("case %zu (%s): expected error '%s'", i, cases[i].opts,
                    cases[i].error);
        }
        if (strcmp(err->message, cases[i].error)) {
            g_error("case %zu (%s): expected '%s', got '%s'", i, cases[i].opts,
                    cases[i].error, err->message);
        }
        g_clear_error(&err);
        /* A failed device_add leaves nothing behind. */
        g_assert_cmpint(bus->num_children, ==, on_bus);
        g_assert_cmpint(hp_bus->num_children, ==, on_hp_bus);
        g_assert_cmpint(count_children("/machine/peripheral"), ==, peripherals);
        g_assert_cmpint(count_children("/machine/peripheral-anon"), ==, anons);
    }
    object_unparent(OBJECT(dupe));
}

static void on_deleted(DeviceState *dev, const char *id, const char *path,
                       void *opaque)
{
    g_string_append_printf(opaque, "deleted:%s:%s", id ? id : "-", path);
}

static void test_hotplug(void)
{
    GString *deleted = g_string_new(NULL);
    qdev_set_deleted_notifier(on_deleted, deleted);
    GError *err = NULL;
    DeviceState *cold = device_add("driver=test-dev,id=cold", &err);
    g_assert_no_error(err);

    qdev_machine_creation_done();
    g_assert_null(device_add("driver=test-dev,id=h0", &err));
    g_assert_cmpstr(err->message, ==,
                    "Bus 'br0.0' does not support hotplugging");
    g_clear_error(&err);
    g_assert_null(device_add("driver=test-nohotplug,bus=hp0.0", &err));
    g_assert_cmpstr(err->message, ==,
                    "Device 'test-nohotplug' does not support hotplugging");
    g_clear_error(&err);

    test_log_reset();
    DeviceState *h1 = device_add("driver=test-dev,bus=hp0.0,id=h1", &err);
    g_assert_no_error(err);
    g_assert_true(h1->hotplugged);
    /* Plugged after realize; a hotplugged device is reset once. */
    g_assert_cmpstr(test_log->str, ==, "realize:h1,plug:h1,reset:h1");
    g_assert_true(object_property_get_bool(OBJECT(h1), "hotpluggable", NULL));
    g_assert_false(
        object_property_get_bool(OBJECT(cold), "hotpluggable", NULL));

    test_log_reset();
    g_assert_true(qdev_unplug(h1, &err));
    g_assert_cmpstr(test_log->str, ==, "unplug:h1,unrealize:h1");
    g_assert_null(object_resolve_path("/machine/peripheral/h1", NULL));
    g_assert_cmpstr(deleted->str, ==, "deleted:h1:/machine/peripheral/h1");
    qdev_set_deleted_notifier(NULL, NULL);
    g_string_free(deleted, true);

    g_assert_false(qdev_unplug(cold, &err));
    g_assert_cmpstr(err->message, ==,
                    "Bus 'br0.0' does not support hotplugging");
    g_clear_error(&err);
    qdev_machine_creation_reset();
    object_unparent(OBJECT(cold));
}

/* The board's hook claims test-busless devices for the hp0 handler. */
static Object *machine_hook(DeviceState *dev)
{
    return object_dynamic_cast(OBJECT(dev), TYPE_TEST_BUSLESS) ? OBJECT(hp0)
                                                               : NULL;
}

static void test_machine_hotplug_hook(void)
{
    GError *err = NULL;

    qdev_machine_creation_done();
    g_assert_null(device_add("driver=test-busless,id=cpu1", &err));
    g_assert_cmpstr(err->message, ==,
                    "Device 'test-busless' can not be "
                    "hotplugged on this machine");
    g_clear_error(&err);

    qdev_set_machine_hotplug_hook(machine_hook);
    test_log_reset();
    DeviceState *cpu = device_add("driver=test-busless,id=cpu1", &err);
    g_assert_no_error(err);
    g_assert_cmpstr(test_log->str, ==, "plug:cpu1,reset:cpu1");
    test_log_reset();
    g_assert_true(qdev_unplug(cpu, &err));
    g_assert_cmpstr(test_log->str, ==, "unplug:cpu1");
    g_assert_null(object_resolve_path("/machine/peripheral/cpu1", NULL));
    qdev_set_machine_hotplug_hook(NULL);
    qdev_machine_creation_reset();
}

/*
 * The test-only devices of `-device help`, each with its section header
 * (real devices linked into hw_dep are listed too and skipped here).
 */
static const char expected_list[] =
    "Controller/Bridge/Hub devices:|"
    "name \"test-bridge\", bus System, desc \"test bridge\"\n"
    "Controller/Bridge/Hub devices:|"
    "name \"test-hp-bridge\", bus System, desc \"test bridge\"\n"
    "Storage devices:|"
    "name \"test-dev\", bus TEST, alias \"tdev\", desc \"a test device\"\n"
    "Storage devices:|"
    "name \"test-nohotplug\", bus TEST, desc \"cold plug only\"\n"
    "Network devices:|name \"test-one-dev\", bus ONE\n"
    "Misc devices:|"
    "name \"test-dev\", bus TEST, alias \"tdev\", desc \"a test device\"\n"
    "Misc devices:|"
    "name \"test-nohotplug\", bus TEST, desc \"cold plug only\"\n"
    "CPU devices:|name \"test-busless\"\n"
    "Uncategorized devices:|name \"test-sub-dev\", bus TEST\n";

/* Checks the layout; returns "header|line" for each test-* device. */
static char *help_list_test_entries(const char *list)
{
    char **lines = g_strsplit(list, "\n", -1);
    GString *out = g_string_new(NULL);
    const char *header = NULL;

    g_assert_true(g_str_has_suffix(lines[0], " devices:"));
    for (int i = 0; lines[i] && lines[i + 1]; i++) {
        if (g_str_has_suffix(lines[i], " devices:")) {
            /* Sections are separated by one empty line. */
            g_assert_true(i == 0 || !*lines[i - 1]);
            header = lines[i];
        } else if (*lines[i]) {
            g_assert_true(g_str_has_prefix(lines[i], "name \""));
            if (g_str_has_prefix(lines[i], "name \"test-")) {
                g_string_append_printf(out, "%s|%s\n", header, lines[i]);
            }
        }
    }
    g_strfreev(lines);
    return g_string_free(out, false);
}

static const char expected_dev_help[] =
    "test-sub-dev options:\n"
    "  enabled=<bool>         -  (default: true)\n"
    "  extra=<uint16>         -  (default: 7)\n"
    "  iobase=<uint32>        -  (default: 1016)\n"
    "  irq=<uint8>            -  (default: 4)\n"
    "  mode=<OnOffAuto>       -  (default: \"auto\")\n"
    "  name=<str>\n"
    "  size=<size>            -  (default: 1048576)\n";

static void test_help(void)
{
    GError *err = NULL;
    char *list = qdev_device_help_list();
    char *entries = help_list_test_entries(list);

    g_assert_cmpstr(entries, ==, expected_list);
    /* Non-user-creatable and abstract devices are not listed. */
    g_assert_null(strstr(list, "test-nouser"));
    g_assert_null(strstr(list, "test-abstract-dev"));
    g_free(entries);
    g_free(list);

    char *help = qdev_device_help_type(TYPE_TEST_SUB_DEV, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(help, ==, expected_dev_help);
    g_free(help);
    help = qdev_device_help_type(TYPE_TEST_BUSLESS, &err);
    g_assert_cmpstr(help, ==, "There are no options for test-busless.\n");
    g_free(help);
    help = qdev_device_help_type("tdev", &err);
    g_assert_true(g_str_has_prefix(help, "test-dev options:\n"));
    g_free(help);
    static const struct {
        const char *type, *error;
    } bad_help[] = {
        {"nope", "Device 'nope' not found"},
        {"TEST", "Parameter 'typename' expects device"},
        {"test-abstract-dev",
         "Parameter 'typename' expects a non-abstract device type"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad_help); i++) {
        g_assert_null(qdev_device_help_type(bad_help[i].type, &err));
        g_assert_cmpstr(err->message, ==, bad_help[i].error);
        g_clear_error(&err);
    }
    /* Options of non-user-creatable devices can still be listed. */
    help = qdev_device_help_type(TYPE_TEST_NOUSER, &err);
    g_assert_true(g_str_has_prefix(help, "test-nouser options:\n"));
    g_free(help);

    static const struct {
        const char *opts;
        bool help;
    } wants[] = {
        {"driver=help", true},
        {"driver=?", true},
        {"driver=test-dev,help", true},
        {"driver=test-dev", false},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(wants); i++) {
        GHashTable *h = opts_parse(wants[i].opts);
        g_assert_cmpint(qdev_device_wants_help(h), ==, wants[i].help);
        g_hash_table_unref(h);
    }
}

static void test_info_qtree(void)
{
    GError *err = NULL;
    DeviceState *dev = device_add("driver=test-dev,id=q1,irq=12,name=nm", &err);
    g_assert_no_error(err);
    char *tree = qdev_info_qtree();

    g_assert_true(g_str_has_prefix(tree, "bus: main-system-bus\n"
                                         "  type System\n"));
    const char *expected = "  dev: test-bridge, id \"br0\"\n"
                           "    bus: br0.0\n"
                           "      type TEST\n"
                           "      dev: test-dev, id \"q1\"\n"
                           "        iobase = 1016 (0x3f8)\n"
                           "        irq = 12 (0xc)\n"
                           "        enabled = true\n"
                           "        size = 1048576 (1 MiB)\n"
                           "        mode = auto\n"
                           "        name = \"nm\"\n"
                           "  dev: test-hp-bridge, id \"hp0\"\n";
    if (!strstr(tree, expected)) {
        g_error("qtree:\n%s\nlacks:\n%s", tree, expected);
    }
    g_free(tree);
    object_unparent(OBJECT(dev));
}

/* Random -device option sets: errors or devices, never a crash or leak. */
static void test_random_device_add(void)
{
    static const char *const drivers[] = {
        "test-dev", "test-sub-dev", "tdev",         "test-nouser",       "TEST",
        "nope",     "test-bridge",  "test-one-dev", "test-abstract-dev", "",
    };
    static const char *const keys[] = {
        "iobase", "irq", "enabled",  "size",       "mode", "name", "extra",
        "bus",    "id",  "realized", "parent_bus", "type", "nope",
    };
    static const char *const values[] = {
        "0",    "1",  "0x3f8",  "-1",          "300",  "on",
        "auto", "1M", "br0.0",  "hp0.0",       "/br0", "/",
        "x",    "",   "0xdead", "reject-plug", "a,,b", "4294967296",
    };
    GError *err = NULL;

    for (int round = 0; round < 400; round++) {
        GHashTable *h = g_hash_table_new(g_str_hash, g_str_equal);
        g_hash_table_insert(
            h, "driver",
            (char *)drivers[g_test_rand_int_range(0, G_N_ELEMENTS(drivers))]);
        int n = g_test_rand_int_range(0, 4);
        for (int i = 0; i < n; i++) {
            g_hash_table_insert(
                h, (char *)keys[g_test_rand_int_range(0, G_N_ELEMENTS(keys))],
                (char *)values[g_test_rand_int_range(0, G_N_ELEMENTS(values))]);
        }
        DeviceState *dev = qdev_device_add(h, &err);
        if (dev) {
            g_assert_no_error(err);
            object_unparent(OBJECT(dev));
        } else {
            g_assert_nonnull(err);
            g_clear_error(&err);
        }
        g_hash_table_unref(h);
    }
}

/* A bus the board left without a parent device is still found. */
static void test_standalone_root_bus(void)
{
    GError *err = NULL;
    BusState *one = qbus_new(TYPE_TEST_ONE_BUS, NULL, "one.0");
    DeviceState *dev = device_add("driver=test-one-dev,id=solo", &err);

    g_assert_no_error(err);
    g_assert(dev->parent_bus == one);
    DeviceState *again = device_add("driver=test-one-dev,bus=one.0", &err);
    g_assert_null(again);
    g_assert_cmpstr(err->message, ==, "Bus 'one.0' is full");
    g_clear_error(&err);
    char *tree = qdev_info_qtree();
    g_assert_true(g_str_has_prefix(tree, "bus: main-system-bus\n"));
    g_assert_nonnull(strstr(tree, "bus: one.0\n  type ONE\n"
                                  "  dev: test-one-dev, id \"solo\"\n"));
    g_free(tree);
    object_unparent(OBJECT(dev));
    object_unref(one);
}

int main(int argc, char **argv)
{
    GError *err = NULL;

    g_test_init(&argc, &argv, NULL);
    test_qdev_types_register();
    qdev_add_alias("tdev", TYPE_TEST_DEV);

    /* The "board": two bridges on the system bus. */
    br0 = qdev_new(TYPE_TEST_BRIDGE);
    qdev_set_id(br0, "br0");
    g_assert_true(qdev_realize_and_unref(br0, sysbus_get_default(), &err));
    hp0 = qdev_new(TYPE_TEST_HP_BRIDGE);
    qdev_set_id(hp0, "hp0");
    g_assert_true(qdev_realize_and_unref(hp0, sysbus_get_default(), &err));

    g_test_add_func("/qdev-monitor/device-add-ok", test_device_add_ok);
    g_test_add_func("/qdev-monitor/device-add-errors", test_device_add_errors);
    g_test_add_func("/qdev-monitor/hotplug", test_hotplug);
    g_test_add_func("/qdev-monitor/machine-hotplug-hook",
                    test_machine_hotplug_hook);
    g_test_add_func("/qdev-monitor/help", test_help);
    g_test_add_func("/qdev-monitor/info-qtree", test_info_qtree);
    g_test_add_func("/qdev-monitor/random-device-add", test_random_device_add);
    g_test_add_func("/qdev-monitor/standalone-root-bus",
                    test_standalone_root_bus);
    return g_test_run();
}
