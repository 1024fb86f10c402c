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

/* "driver=D,property=P,value=V" (",," escapes a comma). */
static bool add_global_keyval(const char *str, GError **errp)
{
    char *fields[3] = {NULL, NULL, NULL};
    static const char *const keys[3] = {"driver", "property", "value"};
    const char *p = str;
    bool ok = false;

    while (*p) {
        const char *eq = strchr(p, '=');
        if (!eq) {
            goto bad;
        }
        int k;
        for (k = 0; k < 3; k++) {
            if ((size_t)(eq - p) == strlen(keys[k]) &&
                !strncmp(p, keys[k], eq - p)) {
                break;
            }
        }
        if (k == 3) {
            goto bad;
        }
        GString *val = g_string_new(NULL);
        for (p = eq + 1; *p; p++) {
            if (*p == ',' && p[1] == ',') {
                g_string_append_c(val, ',');
                p++;
            } else if (*p == ',') {
                p++;
                break;
            } else {
                g_string_append_c(val, *p);
            }
        }
        g_free(fields[k]);
        fields[k] = g_string_free(val, false);
    }
    if (!fields[0] || !fields[1] || !fields[2]) {
        goto bad;
    }
    ok = qdev_add_global(fields[0], fields[1], fields[2], errp);
    goto out;
bad:
    error_setg(errp,
               "Invalid -global '%s': expected DRIVER.PROPERTY=VALUE "
               "or driver=DRIVER,property=PROPERTY,value=VALUE",
               str);
out:
    for (int i = 0; i < 3; i++) {
        g_free(fields[i]);
    }
    return ok;
}

/* QEMU's split: the driver ends at the first '.', the property at '='. */
bool qdev_add_global_str(const char *str, GError **errp)
{
    size_t dlen = strcspn(str, ".=");

    if (str[dlen] != '.') {
        return add_global_keyval(str, errp);
    }
    const char *prop = str + dlen + 1;
    const char *eq = strchr(prop, '=');
    if (!dlen || !eq || eq == prop) {
        error_setg(errp,
                   "Invalid -global '%s': expected DRIVER.PROPERTY=VALUE "
                   "or driver=DRIVER,property=PROPERTY,value=VALUE",
                   str);
        return false;
    }
    char *driver = g_strndup(str, dlen);
    char *name = g_strndup(prop, eq - prop);
    bool ok = qdev_add_global(driver, name, eq + 1, errp);
    g_free(driver);
    g_free(name);
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
