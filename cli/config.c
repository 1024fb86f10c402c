/*
 * VmConfig lifetime and the cross-option checks run after parsing:
 * accelerator list, -machine type resolution, memory, -smp topology,
 * monitors' chardevs, -nographic defaults. Messages follow QEMU's.
 */
#include "cli/machine.h"
#include "cli/options.h"
#include "qobject/json.h"
#include "util/error.h"

#include <stddef.h>
#include <string.h>

static void monitor_spec_free(gpointer p)
{
    MonitorSpec *m = p;

    g_free(m->chardev);
    g_free(m);
}

static void legacy_monitor_free(gpointer p)
{
    LegacyMonitor *m = p;

    g_free(m->spec);
    g_free(m);
}

static void fw_cfg_user_file_free(gpointer p)
{
    FwCfgUserFile *f = p;
    g_free(f->name);
    g_free(f->data);
    g_free(f->origin);
    g_free(f);
}

VmConfig *vm_config_new(void)
{
    VmConfig *cfg = g_new0(VmConfig, 1);

    cfg->machine = keyval_new();
    cfg->panic_action = -1;
    cfg->watchdog_action = -1;
    cfg->boot = keyval_new();
    cfg->option_roms =
        g_ptr_array_new_with_free_func((GDestroyNotify)keyval_free);
    cfg->fw_cfg_files = g_ptr_array_new_with_free_func(fw_cfg_user_file_free);
    cfg->cpu_features = keyval_new();
    cfg->accels = g_ptr_array_new_with_free_func(g_free);
    cfg->chardevs = g_ptr_array_new_with_free_func((GDestroyNotify)keyval_free);
    cfg->serials = g_ptr_array_new_with_free_func(g_free);
    cfg->monitors = g_ptr_array_new_with_free_func(monitor_spec_free);
    cfg->legacy_monitors = g_ptr_array_new_with_free_func(legacy_monitor_free);
    cfg->devices = g_ptr_array_new_with_free_func((GDestroyNotify)keyval_free);
    cfg->objects = g_ptr_array_new_with_free_func((GDestroyNotify)keyval_free);
    cfg->globals = g_ptr_array_new_with_free_func(g_free);
    cfg->origins = g_hash_table_new_full(NULL, NULL, NULL, g_free);
    return cfg;
}

void vm_config_set_origin(VmConfig *cfg, const KeyvalList *kv, const char *arg)
{
    g_hash_table_insert(cfg->origins, (gpointer)kv, g_strdup(arg));
}

const char *vm_config_origin(VmConfig *cfg, const KeyvalList *kv)
{
    const char *arg = g_hash_table_lookup(cfg->origins, kv);

    return arg ? arg : "";
}

void vm_config_free(VmConfig *cfg)
{
    if (!cfg) {
        return;
    }
    keyval_free(cfg->machine);
    keyval_free(cfg->board_props);
    keyval_free(cfg->boot);
    g_ptr_array_unref(cfg->option_roms);
    g_ptr_array_unref(cfg->fw_cfg_files);
    keyval_free(cfg->cpu_features);
    g_ptr_array_unref(cfg->accels);
    g_ptr_array_unref(cfg->chardevs);
    g_ptr_array_unref(cfg->serials);
    g_free(cfg->debugcon);
    g_free(cfg->mem_path);
    g_ptr_array_unref(cfg->monitors);
    g_ptr_array_unref(cfg->legacy_monitors);
    g_ptr_array_unref(cfg->devices);
    g_ptr_array_unref(cfg->objects);
    g_ptr_array_unref(cfg->globals);
    g_hash_table_unref(cfg->origins);
    char **strs[] = {
        &cfg->cpu_model, &cfg->kernel,       &cfg->initrd,       &cfg->append,
        &cfg->bios,      &cfg->name,         &cfg->process_name, &cfg->display,
        &cfg->pidfile,   &cfg->logfile,      &cfg->log_items,    &cfg->rtc_base,
        &cfg->rtc_clock, &cfg->rtc_driftfix,
    };
    for (size_t i = 0; i < G_N_ELEMENTS(strs); i++) {
        g_free(*strs[i]);
    }
    g_free(cfg);
}

/* ---- JSON arguments ---- */

static bool flatten(KeyvalList *kv, const char *prefix, QObject *obj,
                    GError **errp)
{
    switch (qobject_type(obj)) {
    case QTYPE_QNULL:
        return true;
    case QTYPE_QBOOL:
        keyval_add(kv, prefix,
                   qbool_get_bool(qobject_to_qbool(obj)) ? "on" : "off");
        return true;
    case QTYPE_QNUM: {
        g_autofree char *s = qnum_to_string(qobject_to_qnum(obj));
        keyval_add(kv, prefix, s);
        return true;
    }
    case QTYPE_QSTRING:
        keyval_add(kv, prefix, qstring_get_str(qobject_to_qstring(obj)));
        return true;
    case QTYPE_QDICT: {
        QDict *d = qobject_to_qdict(obj);
        for (const QDictEntry *e = qdict_first(d); e; e = qdict_next(d, e)) {
            g_autofree char *key =
                *prefix ? g_strdup_printf("%s.%s", prefix, e->key)
                        : g_strdup(e->key);
            if (!flatten(kv, key, e->value, errp)) {
                return false;
            }
        }
        return true;
    }
    case QTYPE_QLIST: {
        QList *l = qobject_to_qlist(obj);
        for (size_t i = 0; i < qlist_size(l); i++) {
            g_autofree char *key = g_strdup_printf("%s.%zu", prefix, i);
            if (!flatten(kv, key, qlist_get(l, i), errp)) {
                return false;
            }
        }
        return true;
    }
    default:
        error_setg(errp, "unexpected JSON value");
        return false;
    }
}

KeyvalList *cli_opts_parse(const char *str, const char *implied_key,
                           KeyvalFlags flags, GError **errp)
{
    if (str[0] != '{') {
        return keyval_parse(str, implied_key, flags, errp);
    }
    QObject *obj = qobject_from_json(str, errp);
    if (!obj) {
        return NULL;
    }
    KeyvalList *kv = keyval_new();
    if (qobject_type(obj) != QTYPE_QDICT) {
        error_setg(errp, "JSON argument must be an object");
        keyval_free(kv);
        kv = NULL;
    } else if (!flatten(kv, "", obj, errp)) {
        keyval_free(kv);
        kv = NULL;
    }
    qobject_unref(obj);
    return kv;
}

/* ---- cross-option checks ---- */

static bool finalize_accel(VmConfig *cfg)
{
    GError *err = NULL;
    const char *list = keyval_get(cfg->machine, "accel");

    if (list) {
        if (cfg->accel_from_option) {
            error_report("The -accel and \"-machine accel=\" options are "
                         "incompatible");
            return false;
        }
        if (!cli_machine_accels(cfg, list, &err)) {
            error_report_err(err);
            return false;
        }
    }
    if (!cfg->accels->len) {
        /* QEMU's default: tcg; kvm only when asked */
        g_ptr_array_add(cfg->accels, g_strdup("tcg"));
    }
    return true;
}

static bool finalize_memory(VmConfig *cfg, const MachineType *mt)
{
    if (!cfg->ram_size) {
        cfg->ram_size = mt->default_ram_size;
    }
    if (cfg->maxmem && cfg->maxmem < cfg->ram_size) {
        error_report("invalid value of maxmem: maximum memory size "
                     "(0x%" G_GINT64_MODIFIER "x) must be at least the initial "
                     "memory size (0x%" G_GINT64_MODIFIER "x)",
                     cfg->maxmem, cfg->ram_size);
        return false;
    }
    if (cfg->slots && !cfg->maxmem) {
        error_report("slots specified but no max-size");
        return false;
    }
    if (cfg->slots > 256) {
        error_report("unsupported number of memory slots: %" G_GUINT64_FORMAT
                     ", maximum supported number of slots: 256",
                     cfg->slots);
        return false;
    }
    return true;
}

static bool finalize_monitors(VmConfig *cfg)
{
    for (guint i = 0; i < cfg->monitors->len; i++) {
        MonitorSpec *m = g_ptr_array_index(cfg->monitors, i);
        bool found = false;
        for (guint k = 0; k < cfg->chardevs->len; k++) {
            KeyvalList *c = g_ptr_array_index(cfg->chardevs, k);
            found |= !strcmp(keyval_get(c, "id"), m->chardev);
        }
        if (!found) {
            error_report("-mon chardev=%s: chardev \"%s\" not found",
                         m->chardev, m->chardev);
            return false;
        }
    }
    if (cfg->nographic) {
        if (!cfg->display) {
            cfg->display = g_strdup("none");
        } else if (strcmp(cfg->display, "none")) {
            error_report("-nographic cannot be used with -display");
            return false;
        }
    }
    return true;
}

/*
 * QEMU's defaults: without -nodefaults, a serial port exists unless
 * -serial (or -device isa-serial) placed one, and a monitor unless
 * -monitor/-qmp/-mon did.
 */
static bool default_serial(VmConfig *cfg)
{
    if (cfg->serials_given || cfg->nodefaults) {
        return false;
    }
    for (guint i = 0; i < cfg->devices->len; i++) {
        const char *driver =
            keyval_get(g_ptr_array_index(cfg->devices, i), "driver");
        if (driver && !strcmp(driver, "isa-serial")) {
            return false;
        }
    }
    return true;
}

static bool default_monitor(VmConfig *cfg)
{
    return !cfg->monitor_given && !cfg->legacy_monitors->len &&
           !cfg->monitors->len && !cfg->nodefaults;
}

/*
 * -nographic: serial and monitor on stdio (multiplexed when both are
 * defaults). Otherwise QEMU puts them on a virtual console; kvmu has no
 * consoles, so the default serial port goes to "null" (the guest still
 * has its COM1) and there is no default monitor.
 */
static void add_defaults(VmConfig *cfg)
{
    bool serial = default_serial(cfg), monitor = default_monitor(cfg);

    if (cfg->nographic && serial && monitor) {
        g_ptr_array_add(cfg->serials, g_strdup("mon:stdio"));
    } else if (cfg->nographic) {
        if (serial) {
            g_ptr_array_add(cfg->serials, g_strdup("stdio"));
        }
        if (monitor) {
            LegacyMonitor *m = g_new0(LegacyMonitor, 1);
            m->spec = g_strdup("stdio");
            g_ptr_array_add(cfg->legacy_monitors, m);
        }
    } else if (serial) {
        g_ptr_array_add(cfg->serials, g_strdup("null"));
    }
}

static bool is_stdio_spec(const char *spec)
{
    return !strcmp(spec, "stdio") || !strcmp(spec, "mon:stdio");
}

/* A daemon has no terminal: QEMU refuses stdio with -daemonize. */
static bool finalize_daemonize(VmConfig *cfg)
{
    if (!cfg->daemonize) {
        return true;
    }
    /* as QEMU: -nographic is fine when nothing defaults to stdio */
    if (cfg->nographic && (default_serial(cfg) || default_monitor(cfg))) {
        error_report("-nographic cannot be used with -daemonize");
        return false;
    }
    bool stdio = false;
    for (guint i = 0; i < cfg->serials->len; i++) {
        stdio |= is_stdio_spec(g_ptr_array_index(cfg->serials, i));
    }
    for (guint i = 0; i < cfg->legacy_monitors->len; i++) {
        LegacyMonitor *m = g_ptr_array_index(cfg->legacy_monitors, i);
        stdio |= is_stdio_spec(m->spec);
    }
    for (guint i = 0; i < cfg->chardevs->len; i++) {
        const char *backend =
            keyval_get(g_ptr_array_index(cfg->chardevs, i), "backend");
        stdio |= !strcmp(backend, "stdio");
    }
    if (stdio) {
        error_report("cannot use stdio with -daemonize");
        return false;
    }
    return true;
}

bool vm_config_finalize(VmConfig *cfg)
{
    const MachineType *mt;
    GError *err = NULL;

    if (!finalize_accel(cfg)) {
        return false;
    }
    /* -machine kernel=,initrd=,append=,firmware= are the long forms of
     * -kernel, -initrd, -append, -bios; an explicit option wins */
    static const struct {
        const char *key;
        size_t off;
    } aliases[] = {
        {"kernel", offsetof(VmConfig, kernel)},
        {"initrd", offsetof(VmConfig, initrd)},
        {"append", offsetof(VmConfig, append)},
        {"firmware", offsetof(VmConfig, bios)},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(aliases); i++) {
        char **field = (char **)((char *)cfg + aliases[i].off);
        const char *v = keyval_get(cfg->machine, aliases[i].key);
        if (v && !*field) {
            *field = g_strdup(v);
        }
        keyval_remove(cfg->machine, aliases[i].key);
    }
    const char *type = keyval_get(cfg->machine, "type");
    if (type) {
        mt = machine_type_find(type);
        if (!mt) {
            error_report("unsupported machine type '%s'; use -machine help "
                         "to list supported machines",
                         type);
            return false;
        }
    } else {
        mt = machine_type_default();
        if (!mt) {
            mt = machine_type_find("none");
        }
    }
    cfg->machine_type = mt->name;
    if (!mt->init) {
        /* no board: nothing would load or run these; refuse, never ignore */
        if (cfg->kernel) {
            error_report("The -kernel parameter is not supported (use the "
                         "generic 'loader' device instead).");
            return false;
        }
        const char *needs_cpu = cfg->initrd      ? "-initrd"
                                : cfg->append    ? "-append"
                                : cfg->bios      ? "-bios"
                                : cfg->cpu_model ? "-cpu"
                                                 : NULL;
        if (needs_cpu) {
            error_report("%s: machine '%s' runs no guest CPU: kvmu: no "
                         "board/accelerator yet",
                         needs_cpu, mt->name);
            return false;
        }
    }

    const char *irqchip = keyval_get(cfg->machine, "kernel-irqchip");
    cfg->kernel_irqchip =
        !irqchip                    ? IRQCHIP_DEFAULT
        : !strcmp(irqchip, "split") ? IRQCHIP_SPLIT
        : (!strcmp(irqchip, "off") || !strcmp(irqchip, "no") ||
           !strcmp(irqchip, "false") || !strcmp(irqchip, "n"))
            ? IRQCHIP_OFF
            : IRQCHIP_ON;

    if (!finalize_memory(cfg, mt)) {
        return false;
    }
    SmpMachineProps props = {
        .dies_supported = mt->dies_supported,
        .clusters_supported = mt->clusters_supported,
        .prefer_sockets = mt->prefer_sockets,
        .min_cpus = mt->min_cpus,
        .max_cpus = mt->max_cpus ? mt->max_cpus : 1,
        .name = mt->name,
    };
    if (!smp_compute(&cfg->smp, &props, &cfg->topology, &err)) {
        error_report_err(err);
        return false;
    }
    if (!finalize_monitors(cfg) || !finalize_daemonize(cfg)) {
        return false;
    }
    add_defaults(cfg);
    return true;
}
