/*
 * -device / device_add / device_del and the -device help listings, with
 * QEMU's error messages and output formats (qemu-system-x86_64 8.2).
 */
#include "hw/qdev.h"
#include "hw/hotplug.h"
#include "hw/core/qdev-internal.h"
#include "util/error.h"

#include <string.h>

static GHashTable *aliases; /* alias -> type name */

void qdev_add_alias(const char *alias, const char *typename)
{
    if (!aliases) {
        aliases =
            g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    }
    g_hash_table_insert(aliases, g_strdup(alias), g_strdup(typename));
}

static const char *alias_target(const char *name)
{
    return aliases ? g_hash_table_lookup(aliases, name) : NULL;
}

static const char *alias_of(const char *typename)
{
    GHashTableIter it;
    gpointer key, value;

    if (!aliases) {
        return NULL;
    }
    g_hash_table_iter_init(&it, aliases);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        if (!strcmp(value, typename)) {
            return key;
        }
    }
    return NULL;
}

bool qdev_id_wellformed(const char *id)
{
    if (!g_ascii_isalpha(*id)) {
        return false;
    }
    for (const char *p = id + 1; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}

static DeviceClass *device_class_for_driver(const char *driver, GError **errp)
{
    const char *name = driver;

    if (!object_class_by_name(driver) && alias_target(driver) &&
        object_class_by_name(alias_target(driver))) {
        name = alias_target(driver);
    }
    DeviceClass *dc = qdev_class_lookup(name, errp);
    if (!dc) {
        return NULL;
    }
    if (!dc->user_creatable) {
        error_setg(errp, "Parameter 'driver' expects a pluggable device "
                         "type");
        return NULL;
    }
    return dc;
}

/* ------------------------------------------------------------- bus= */

static DeviceState *bus_find_device(BusState *bus, const char *elem)
{
    for (GList *l = bus->children; l; l = l->next) {
        DeviceState *dev = l->data;
        if (dev->id && !strcmp(dev->id, elem)) {
            return dev;
        }
    }
    for (GList *l = bus->children; l; l = l->next) {
        DeviceState *dev = l->data;
        if (!strcmp(object_get_typename(OBJECT(dev)), elem)) {
            return dev;
        }
    }
    return NULL;
}

/*
 * QEMU's bus paths: "pci.0" (a bus name anywhere), "/dev/bus/dev/..."
 * from the system bus, or "busname/dev-id/busname"; a trailing device
 * with a single child bus means that bus.
 */
static BusState *qbus_find_path(const char *path, GError **errp)
{
    char **parts = g_strsplit(path, "/", -1);
    BusState *bus = NULL;
    int i = 0;

    if (!parts[0] || (path[0] != '/' && !*parts[0])) {
        /* "" (g_strsplit gives no element) or "/..."-less empty name */
        error_setg(errp, "Bus '%s' not found", path);
        goto out;
    }
    if (path[0] == '/') {
        bus = sysbus_get_default();
        i = 1;
    } else {
        bus = qbus_find_in_roots(parts[0], NULL);
        if (!bus) {
            error_setg(errp, "Bus '%s' not found", parts[0]);
            goto out;
        }
        i = 1;
    }
    for (; parts[i]; i++) {
        if (!*parts[i]) {
            continue;
        }
        DeviceState *dev = bus_find_device(bus, parts[i]);
        if (!dev) {
            error_setg(errp, "Device '%s' not found", parts[i]);
            bus = NULL;
            goto out;
        }
        if (parts[i + 1] && *parts[i + 1]) {
            i++;
            bus = qdev_get_child_bus(dev, parts[i]);
            if (!bus) {
                error_setg(errp, "Bus '%s' not found", parts[i]);
                goto out;
            }
            continue;
        }
        if (dev->num_child_bus == 1) {
            bus = dev->child_buses->data;
        } else {
            error_setg(errp,
                       dev->num_child_bus
                           ? "Device '%s' has multiple child buses"
                           : "Device '%s' has no child bus",
                       parts[i]);
            bus = NULL;
        }
        goto out;
    }
out:
    g_strfreev(parts);
    return bus;
}

static BusState *device_add_find_bus(DeviceClass *dc, const char *driver,
                                     const char *path, GError **errp)
{
    BusState *bus;

    if (path) {
        bus = qbus_find_path(path, errp);
        if (!bus) {
            return NULL;
        }
        if (!dc->bus_type || !object_dynamic_cast(OBJECT(bus), dc->bus_type)) {
            error_setg(errp, "Device '%s' can't go on %s bus", driver,
                       object_get_typename(OBJECT(bus)));
            return NULL;
        }
        if (qbus_is_full(bus)) {
            error_setg(errp, "Bus '%s' is full", path);
            return NULL;
        }
        return bus;
    }
    if (!dc->bus_type) {
        return NULL;
    }
    bus = qbus_find_in_roots(NULL, dc->bus_type);
    if (!bus) {
        error_setg(errp, "No '%s' bus found for device '%s'", dc->bus_type,
                   driver);
    }
    return bus;
}

/* ------------------------------------------------------------ device_add */

/*
 * Would the machine's hotplug hook take a device of this type? Asked on
 * a throwaway instance, since the hook looks at the device.
 */
static bool machine_claims(const char *typename)
{
    DeviceState *probe = DEVICE(object_new(typename));
    Object *handler = qdev_get_hotplug_handler(probe);

    object_unref(probe);
    return handler != NULL;
}

static gint str_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool set_props_from_opts(DeviceState *dev, GHashTable *opts,
                                GError **errp)
{
    GPtrArray *keys = g_ptr_array_new();
    GHashTableIter it;
    gpointer key;
    bool ok = true;

    g_hash_table_iter_init(&it, opts);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        if (strcmp(key, "driver") && strcmp(key, "id") && strcmp(key, "bus")) {
            g_ptr_array_add(keys, key);
        }
    }
    g_ptr_array_sort(keys, str_cmp);
    for (guint i = 0; i < keys->len && ok; i++) {
        const char *name = keys->pdata[i];
        ok = object_property_parse(OBJECT(dev), name,
                                   g_hash_table_lookup(opts, name), errp);
    }
    g_ptr_array_free(keys, true);
    return ok;
}

DeviceState *qdev_device_add(GHashTable *opts, GError **errp)
{
    const char *driver = g_hash_table_lookup(opts, "driver");
    const char *id = g_hash_table_lookup(opts, "id");
    const char *path = g_hash_table_lookup(opts, "bus");
    BusState *bus = NULL;
    GError *err = NULL;

    if (!driver) {
        error_setg(errp, "Parameter 'driver' is missing");
        return NULL;
    }
    DeviceClass *dc = device_class_for_driver(driver, errp);
    if (!dc) {
        return NULL;
    }
    const char *typename = object_class_get_name(OBJECT_CLASS(dc));

    bus = device_add_find_bus(dc, driver, path, &err);
    if (err) {
        g_propagate_error(errp, err);
        return NULL;
    }
    if (qdev_machine_is_created()) {
        if (bus && !qbus_is_hotpluggable(bus) && !machine_claims(typename)) {
            error_setg(errp, "Bus '%s' does not support hotplugging",
                       bus->name);
            return NULL;
        }
        if (!dc->hotpluggable) {
            error_setg(errp, "Device '%s' does not support hotplugging",
                       typename);
            return NULL;
        }
        if (!bus && !machine_claims(typename)) {
            error_setg(errp,
                       "Device '%s' can not be hotplugged on this "
                       "machine",
                       driver);
            return NULL;
        }
    }
    if (id && !qdev_id_wellformed(id)) {
        error_setg(errp, "Parameter 'id' expects an identifier");
        return NULL;
    }
    Object *machine = qdev_get_machine();
    if (id && object_resolve_path_component(
                  container_get(machine, "peripheral"), id)) {
        error_setg(errp, "Duplicate device ID '%s'", id);
        return NULL;
    }

    DeviceState *dev = DEVICE(object_new(typename));
    if (bus && !qdev_set_parent_bus(dev, bus, errp)) {
        object_unref(dev);
        return NULL;
    }
    if (id) {
        qdev_set_id(dev, id);
        object_property_add_child(container_get(machine, "peripheral"), id,
                                  OBJECT(dev));
    } else {
        object_property_add_child(container_get(machine, "peripheral-anon"),
                                  "device[*]", OBJECT(dev));
    }
    if (!set_props_from_opts(dev, opts, errp) ||
        !object_property_set_bool(OBJECT(dev), "realized", true, errp)) {
        object_unparent(OBJECT(dev));
        object_unref(dev);
        return NULL;
    }
    object_unref(dev); /* the tree holds it */
    return dev;
}

bool qdev_unplug(DeviceState *dev, GError **errp)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);
    BusState *bus = dev->parent_bus;
    Object *handler = qdev_get_hotplug_handler(dev);

    if (!dc->hotpluggable) {
        error_setg(errp, "Device '%s' does not support hotplugging",
                   object_get_typename(OBJECT(dev)));
        return false;
    }
    if (!handler) {
        if (bus) {
            error_setg(errp, "Bus '%s' does not support hotplugging",
                       bus->name);
        } else {
            error_setg(errp, "Device '%s' does not support hotplugging",
                       object_get_typename(OBJECT(dev)));
        }
        return false;
    }
    HotplugHandlerClass *hc = HOTPLUG_HANDLER_GET_CLASS(handler);
    if (hc->unplug_request) {
        /* The guest finishes the unplug; the handler removes it then. */
        return hc->unplug_request(handler, dev, errp);
    }
    if (!hotplug_handler_unplug(handler, dev, errp)) {
        return false;
    }
    qdev_unrealize(dev);
    object_unparent(OBJECT(dev));
    return true;
}

DeviceState *qdev_find_by_id_or_path(const char *id_or_path, GError **errp)
{
    Object *obj = object_resolve_path_component(
        container_get(qdev_get_machine(), "peripheral"), id_or_path);

    if (!obj) {
        obj = object_resolve_path_type(id_or_path, TYPE_DEVICE, NULL);
    }
    if (!obj) {
        error_set(errp, KVMU_ERROR_DEVICE_NOT_FOUND, "Device '%s' not found",
                  id_or_path);
        return NULL;
    }
    return DEVICE(object_dynamic_cast(obj, TYPE_DEVICE));
}

/* ------------------------------------------------------------------ help */

static const char *const category_names[DEVICE_CATEGORY_MAX + 1] = {
    [DEVICE_CATEGORY_BRIDGE] = "Controller/Bridge/Hub",
    [DEVICE_CATEGORY_USB] = "USB",
    [DEVICE_CATEGORY_STORAGE] = "Storage",
    [DEVICE_CATEGORY_NETWORK] = "Network",
    [DEVICE_CATEGORY_INPUT] = "Input",
    [DEVICE_CATEGORY_DISPLAY] = "Display",
    [DEVICE_CATEGORY_SOUND] = "Sound",
    [DEVICE_CATEGORY_MISC] = "Misc",
    [DEVICE_CATEGORY_CPU] = "CPU",
    [DEVICE_CATEGORY_WATCHDOG] = "Watchdog",
    [DEVICE_CATEGORY_MAX] = "Uncategorized",
};

static void devinfo_append(GString *s, DeviceClass *dc)
{
    const char *name = object_class_get_name(OBJECT_CLASS(dc));
    const char *alias = alias_of(name);

    g_string_append_printf(s, "name \"%s\"", name);
    if (dc->bus_type) {
        g_string_append_printf(s, ", bus %s", dc->bus_type);
    }
    if (alias) {
        g_string_append_printf(s, ", alias \"%s\"", alias);
    }
    if (dc->desc) {
        g_string_append_printf(s, ", desc \"%s\"", dc->desc);
    }
    if (!dc->user_creatable) {
        g_string_append(s, ", no-user");
    }
    g_string_append_c(s, '\n');
}

char *qdev_device_help_list(void)
{
    GSList *list = object_class_get_list_sorted(TYPE_DEVICE, false);
    GString *s = g_string_new(NULL);
    bool first = true;

    for (int cat = 0; cat <= DEVICE_CATEGORY_MAX; cat++) {
        bool header = false;
        for (GSList *l = list; l; l = l->next) {
            DeviceClass *dc = l->data;
            bool in_cat = cat == DEVICE_CATEGORY_MAX
                              ? dc->categories == 0
                              : (dc->categories & (1u << cat)) != 0;
            if (!in_cat || !dc->user_creatable) {
                continue;
            }
            if (!header) {
                g_string_append_printf(s, "%s%s devices:\n", first ? "" : "\n",
                                       category_names[cat]);
                header = true;
                first = false;
            }
            devinfo_append(s, dc);
        }
    }
    g_slist_free(list);
    return g_string_free(s, false);
}

/* Properties every device has, which `-device X,help` leaves out. */
static bool is_internal_prop(const char *name)
{
    return !strcmp(name, "realized") || !strcmp(name, "hotpluggable") ||
           !strcmp(name, "hotplugged") || !strcmp(name, "parent_bus");
}

char *qdev_device_help_type(const char *type, GError **errp)
{
    const char *name = type;
    ObjectClass *oc = object_class_by_name(type);

    if (!oc && alias_target(type)) {
        name = alias_target(type);
        oc = object_class_by_name(name);
    }
    /* QEMU answers -device X,help through device-list-properties. */
    if (!oc) {
        error_set(errp, KVMU_ERROR_DEVICE_NOT_FOUND, "Device '%s' not found",
                  type);
        return NULL;
    }
    if (!object_class_dynamic_cast(oc, TYPE_DEVICE)) {
        error_setg(errp, "Parameter 'typename' expects device");
        return NULL;
    }
    if (object_class_is_abstract(oc)) {
        error_setg(errp, "Parameter 'typename' expects a non-abstract device "
                         "type");
        return NULL;
    }
    /* Some properties exist only on instances: list those of one. */
    Object *obj = object_new(name);
    GPtrArray *props = object_property_list(obj);
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < props->len; i++) {
        ObjectProperty *prop = props->pdata[i];
        if (prop->set && !is_internal_prop(prop->name) &&
            prop->kind != OBJ_PROP_CHILD) {
            g_ptr_array_add(lines, object_property_help(prop));
        }
    }
    g_ptr_array_free(props, true);
    object_unref(obj);
    return object_help_text(name, lines);
}

bool qdev_device_wants_help(GHashTable *opts)
{
    const char *driver = g_hash_table_lookup(opts, "driver");

    return g_hash_table_contains(opts, "help") ||
           (driver && (!strcmp(driver, "help") || !strcmp(driver, "?")));
}
