/*
 * -global DRIVER.PROP=VALUE: defaults applied to every new instance of
 * DRIVER or of its subtypes, in the order given, after the property-table
 * defaults. Unused globals are reported after machine creation with
 * warn_report(), as QEMU does (only for drivers whose devices cannot be
 * hotplugged later, since a hotpluggable one may still use it).
 */
#include "hw/qdev.h"
#include "hw/core/qdev-internal.h"
#include "util/error.h"

#include <string.h>

typedef struct {
    char *driver;
    char *property;
    char *value;
    bool used;
} GlobalProperty;

static GPtrArray *globals;

static void global_free(gpointer p)
{
    GlobalProperty *g = p;

    g_free(g->driver);
    g_free(g->property);
    g_free(g->value);
    g_free(g);
}

bool qdev_add_global(const char *driver, const char *prop, const char *value,
                     GError **errp)
{
    if (!driver || !*driver || !prop || !*prop || !value) {
        error_setg(errp, "Invalid -global: expected DRIVER.PROPERTY=VALUE");
        return false;
    }
    if (!globals) {
        globals = g_ptr_array_new_with_free_func(global_free);
    }
    GlobalProperty *g = g_new0(GlobalProperty, 1);
    g->driver = g_strdup(driver);
    g->property = g_strdup(prop);
    g->value = g_strdup(value);
    g_ptr_array_add(globals, g);
    return true;
}

bool qdev_add_global_str(const char *str, GError **errp)
{
    const char *eq = strchr(str, '=');
    /* The driver ends at the last '.' before '=' (drivers contain '.'). */
    const char *dot = NULL;

    for (const char *p = str; eq && p < eq; p++) {
        if (*p == '.') {
            dot = p;
        }
    }
    if (!eq || !dot || dot == str || dot + 1 == eq) {
        error_setg(errp,
                   "Invalid -global '%s': expected "
                   "DRIVER.PROPERTY=VALUE",
                   str);
        return false;
    }
    char *driver = g_strndup(str, dot - str);
    char *prop = g_strndup(dot + 1, eq - dot - 1);
    bool ok = qdev_add_global(driver, prop, eq + 1, errp);
    g_free(driver);
    g_free(prop);
    return ok;
}

void qdev_globals_apply(DeviceState *dev)
{
    Object *obj = OBJECT(dev);

    for (guint i = 0; globals && i < globals->len; i++) {
        GlobalProperty *g = globals->pdata[i];
        GError *err = NULL;

        if (!object_dynamic_cast(obj, g->driver)) {
            continue;
        }
        g->used = true;
        if (!object_property_parse(obj, g->property, g->value, &err)) {
            if (!dev->global_error) {
                error_prepend(&err, "can't apply global %s.%s=%s: ", g->driver,
                              g->property, g->value);
                dev->global_error = err;
            } else {
                g_error_free(err);
            }
        }
    }
}

bool qdev_check_globals(void)
{
    bool warned = false;

    for (guint i = 0; globals && i < globals->len; i++) {
        GlobalProperty *g = globals->pdata[i];
        if (g->used) {
            continue;
        }
        ObjectClass *oc = object_class_dynamic_cast(
            object_class_by_name(g->driver), TYPE_DEVICE);
        if (!oc) {
            warn_report("global %s.%s has invalid class name", g->driver,
                        g->property);
            warned = true;
            continue;
        }
        if (!((DeviceClass *)oc)->hotpluggable) {
            warn_report("global %s.%s=%s not used", g->driver, g->property,
                        g->value);
            warned = true;
        }
    }
    return warned;
}

void qdev_clear_globals(void)
{
    if (globals) {
        g_ptr_array_free(globals, true);
        globals = NULL;
    }
}
