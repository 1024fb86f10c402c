/*
 * Machine construction from a finalized VmConfig, in QEMU's order:
 * chardevs (-chardev, -serial, -monitor/-qmp), -global, -object, the
 * board (or none), -device. Subsystems that have not landed in this tree
 * yet are reported as "not supported by kvmu yet" instead of being
 * skipped (CLI_HAVE_* come from cli/meson.build).
 */
#include "cli/build.h"
#include "cli/machine.h"
#include "util/error.h"

#include <string.h>

#if CLI_HAVE_CHARDEV
#include "chardev/char.h"
#endif
#if CLI_HAVE_QDEV
#include "hw/qdev.h"
#endif
#if CLI_HAVE_QOM
#include "qom/user-creatable.h"
#endif

static bool create_chardevs(VmConfig *cfg, GError **errp)
{
    bool any = cfg->chardevs->len > 0;

    for (guint i = 0; i < cfg->serials->len; i++) {
        any |= strcmp(g_ptr_array_index(cfg->serials, i), "none") != 0;
    }
    for (guint i = 0; i < cfg->legacy_monitors->len; i++) {
        LegacyMonitor *m = g_ptr_array_index(cfg->legacy_monitors, i);
        any |= strcmp(m->spec, "none") != 0;
    }
    if (!any && !cfg->monitors->len) {
        return true;
    }
#if CLI_HAVE_CHARDEV
    for (guint i = 0; i < cfg->chardevs->len; i++) {
        KeyvalList *kv = g_ptr_array_index(cfg->chardevs, i);
        g_autoptr(GHashTable) h = keyval_to_hash(kv);
        if (!chardev_new(keyval_get(kv, "id"), keyval_get(kv, "backend"), h,
                         errp)) {
            error_prepend(errp, "-chardev %s: ", keyval_get(kv, "id"));
            return false;
        }
    }
    for (guint i = 0; i < cfg->serials->len; i++) {
        const char *spec = g_ptr_array_index(cfg->serials, i);
        g_autofree char *id = g_strdup_printf("serial%u", i);
        if (chardev_legacy_is_none(spec)) {
            continue;
        }
        if (!chardev_parse_legacy(spec, id, errp)) {
            error_prepend(errp, "-serial %s: ", spec);
            return false;
        }
    }
    if (cfg->legacy_monitors->len || cfg->monitors->len) {
        /* the monitor (monitor/) has not landed yet */
        g_set_error(errp, KVMU_ERROR, 0,
                    "'-%s' is not supported by kvmu yet (no monitor)",
                    cfg->monitors->len ? "mon" : "qmp/-monitor");
        return false;
    }
    return true;
#else
    error_setg(errp, "character devices (-chardev/-serial/-monitor/-qmp) "
               "are not supported by kvmu yet");
    return false;
#endif
}

static bool apply_globals(VmConfig *cfg, GError **errp)
{
    if (!cfg->globals->len) {
        return true;
    }
#if CLI_HAVE_QDEV
    for (guint i = 0; i < cfg->globals->len; i++) {
        const char *g = g_ptr_array_index(cfg->globals, i);
        if (!qdev_add_global_str(g, errp)) {
            error_prepend(errp, "-global %s: ", g);
            return false;
        }
    }
    return true;
#else
    error_setg(errp, "'-global' is not supported by kvmu yet");
    return false;
#endif
}

static bool create_objects(VmConfig *cfg, GError **errp)
{
    for (guint i = 0; i < cfg->objects->len; i++) {
        KeyvalList *kv = g_ptr_array_index(cfg->objects, i);
        g_autoptr(GHashTable) h = keyval_to_hash(kv);
#if CLI_HAVE_QOM
        if (!user_creatable_add(h, errp)) {
            error_prepend(errp, "-object %s: ", keyval_get(kv, "qom-type"));
            return false;
        }
#else
        error_setg(errp, "'-object' is not supported by kvmu yet");
        return false;
#endif
    }
    return true;
}

static bool create_devices(VmConfig *cfg, GError **errp)
{
    if (!cfg->devices->len) {
        return true;
    }
    if (!strcmp(cfg->machine_type, "none")) {
        KeyvalList *kv = g_ptr_array_index(cfg->devices, 0);
        error_setg(errp, "-device %s: machine 'none' has no bus for devices",
                   keyval_get(kv, "driver"));
        return false;
    }
#if CLI_HAVE_QDEV
    for (guint i = 0; i < cfg->devices->len; i++) {
        KeyvalList *kv = g_ptr_array_index(cfg->devices, i);
        g_autoptr(GHashTable) h = keyval_to_hash(kv);
        if (!qdev_device_add(h, errp)) {
            error_prepend(errp, "-device %s: ", keyval_get(kv, "driver"));
            return false;
        }
    }
    return true;
#else
    error_setg(errp, "'-device' is not supported by kvmu yet");
    return false;
#endif
}

static bool build_board(VmConfig *cfg, GError **errp)
{
    const MachineType *mt = machine_type_find(cfg->machine_type);

    if (!mt->init) {
        return true;        /* "none": no board, no CPUs */
    }
    /* the accelerator (accel/kvm) has not landed yet */
    error_setg(errp, "kvmu: no board/accelerator yet");
    return false;
}

bool machine_build(VmConfig *cfg, GError **errp)
{
    if (!create_chardevs(cfg, errp) || !apply_globals(cfg, errp) ||
        !create_objects(cfg, errp) || !build_board(cfg, errp) ||
        !create_devices(cfg, errp)) {
        return false;
    }
#if CLI_HAVE_QDEV
    /* from here on device_add is hotplug; unused -global values warn */
    qdev_machine_creation_done();
    qdev_check_globals();
#endif
    return true;
}

void machine_teardown(VmConfig *cfg)
{
#if CLI_HAVE_QOM
    user_creatable_cleanup();
#endif
#if CLI_HAVE_CHARDEV
    chardev_remove_all();
#endif
}

/* -device help, -object help, -chardev help: listings from the owners. */
bool cli_print_listings(VmConfig *cfg, int *exit_code)
{
    GError *err = NULL;

    for (guint i = 0; i < cfg->devices->len; i++) {
        KeyvalList *kv = g_ptr_array_index(cfg->devices, i);
        if (!kv->help) {
            continue;
        }
#if CLI_HAVE_QDEV
        const char *driver = keyval_get(kv, "driver");
        char *text = driver ? qdev_device_help_type(driver, &err)
                            : qdev_device_help_list();
        if (!text) {
            error_report("-device %s,help: %s", driver, err->message);
            g_error_free(err);
            *exit_code = 1;
            return true;
        }
        fputs(text, stdout);
        g_free(text);
#else
        printf("No device types are available yet.\n");
#endif
        *exit_code = 0;
        return true;
    }
    for (guint i = 0; i < cfg->objects->len; i++) {
        KeyvalList *kv = g_ptr_array_index(cfg->objects, i);
        if (!kv->help) {
            continue;
        }
#if CLI_HAVE_QOM
        const char *type = keyval_get(kv, "qom-type");
        char *text = type ? user_creatable_help_type(type, &err)
                          : user_creatable_help_list();
        if (!text) {
            error_report("-object %s,help: %s", type, err->message);
            g_error_free(err);
            *exit_code = 1;
            return true;
        }
        fputs(text, stdout);
        g_free(text);
#endif
        *exit_code = 0;
        return true;
    }
    if (cfg->chardev_help) {
#if CLI_HAVE_CHARDEV
        chardev_print_help(stdout);
#else
        printf("Available chardev backend types: \n");
#endif
        *exit_code = 0;
        return true;
    }
    (void)err;
    return false;
}
