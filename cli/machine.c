/*
 * Machine construction from a finalized VmConfig, in QEMU's order:
 * chardevs (-chardev, -serial, -monitor/-qmp), -global, -object, the
 * board (or none), -device. Subsystems that have not landed in this tree
 * yet are reported as "not supported by kvmu yet" instead of being
 * skipped (CLI_HAVE_* come from cli/meson.build).
 */
#include "cli/build.h"
#include "cli/machine.h"
#include "cli/options.h"
#include "util/cutils.h"
#include "util/error.h"

#include <string.h>

#if CLI_HAVE_CHARDEV
#include "chardev/char.h"
#endif
#if CLI_HAVE_QDEV
#include "hw/hostmem.h"
#include "hw/qdev.h"
#endif
#if CLI_HAVE_QOM
#include "qom/user-creatable.h"
#endif
#if CLI_HAVE_ACCEL
#include "accel/kvm.h"
#include "memory/memory.h"
#endif
#if CLI_HAVE_MONITOR
#include "monitor/monitor.h"
#include "util/opts.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

/*
 * Set up the first accelerator of the list that initialises, as QEMU does
 * for "-machine accel=kvm:tcg" and repeated -accel: kvm is /dev/kvm, tcg
 * is ukvm (the software CPU behind the same KVM ABI), see accel/kvm.h.
 */
static bool select_accel(VmConfig *cfg, GError **errp)
{
    g_autoptr(GString) list = g_string_new(NULL);

    for (guint i = 0; i < cfg->accels->len; i++) {
        const char *name = g_ptr_array_index(cfg->accels, i);
        if (!strcmp(name, "qtest")) {
            error_setg(errp, "'-accel qtest' is not supported by kvmu yet");
            return false;
        }
        g_string_append_printf(list, "%s%s", i ? ":" : "", name);
    }
#if CLI_HAVE_ACCEL
    memory_init();      /* the address spaces the accelerator listens to */
    KvmState *s = kvm_accel_init(list->str, errp);
    if (!s) {
        return false;
    }
    cfg->accel_chosen = kvm_accel_name(s);
    return true;
#else
    /* without accel/kvm in this build: kvm needs /dev/kvm, tcg works */
    for (guint i = 0; i < cfg->accels->len; i++) {
        const char *name = g_ptr_array_index(cfg->accels, i);
        if (strcmp(name, "kvm")) {
            cfg->accel_chosen = name;
            return true;
        }
        int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        if (fd >= 0) {
            close(fd);
            cfg->accel_chosen = name;
            return true;
        }
        if (cfg->accels->len == 1) {
            error_setg(errp, "failed to initialize kvm: %s",
                       g_strerror(errno));
            return false;
        }
        error_report("failed to initialize kvm: %s", g_strerror(errno));
    }
    error_setg(errp, "no accelerator found");
    return false;
#endif
}

#if CLI_HAVE_MONITOR
static bool start_monitor(Chardev *chr, bool control, bool pretty,
                          GError **errp)
{
    return monitor_new(chr, control, pretty, errp) != NULL;
}

static void monitor_register_machine_type(const MachineType *mt, void *opaque)
{
    monitor_register_machine(mt->name, mt->alias, mt->is_default, mt->max_cpus,
                             mt->default_cpu);
}

/* Tell the monitor what the command line decided (query-* commands). */
static void monitor_setup(VmConfig *cfg)
{
    const GPtrArray *groups = opts_groups();

    monitor_init_globals();
    if (cfg->name) {
        monitor_set_vm_name(cfg->name);
    }
    if (cfg->has_uuid) {
        monitor_set_vm_uuid(cfg->uuid);
    }
    monitor_set_accel(!strcmp(cfg->accel_chosen, "kvm"));
    monitor_set_machine_size(cfg->ram_size, cfg->topology.sockets,
                             cfg->topology.dies, cfg->topology.clusters,
                             cfg->topology.cores, cfg->topology.threads);
    for (guint i = 0; i < groups->len; i++) {
        const OptGroup *g = g_ptr_array_index(groups, i);
        GPtrArray *params = g_ptr_array_new_with_free_func(g_free);
        for (const OptParam *p = g->params; p->name; p++) {
            g_ptr_array_add(params, g_strdup_printf("%s:%s", p->name,
                                                    opt_type_name(p->type)));
        }
        g_ptr_array_add(params, NULL);
        monitor_register_cli_option(g->name,
                                    (const char *const *)params->pdata);
        g_ptr_array_unref(params);
    }
    machine_types_foreach(monitor_register_machine_type, NULL);
}
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
    any |= cfg->debugcon && strcmp(cfg->debugcon, "none") != 0;
    if (!any && !cfg->monitors->len) {
        return true;
    }
#if CLI_HAVE_CHARDEV
    for (guint i = 0; i < cfg->chardevs->len; i++) {
        KeyvalList *kv = g_ptr_array_index(cfg->chardevs, i);
        g_autoptr(GHashTable) h = keyval_to_hash(kv);
        if (!chardev_new(keyval_get(kv, "id"), keyval_get(kv, "backend"), h,
                         errp)) {
            error_prepend(errp, "-chardev %s: ", vm_config_origin(cfg, kv));
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
    if (cfg->debugcon && !chardev_legacy_is_none(cfg->debugcon) &&
        !chardev_parse_legacy(cfg->debugcon, "debugcon", errp)) {
        error_prepend(errp, "-debugcon %s: ", cfg->debugcon);
        return false;
    }
#if CLI_HAVE_MONITOR
    monitor_setup(cfg);
    for (guint i = 0; i < cfg->serials->len; i++) {
        const char *spec = g_ptr_array_index(cfg->serials, i);
        g_autofree char *id = g_strdup_printf("serial%u", i);
        /* "mon:..." multiplexes an HMP monitor onto the serial line */
        if (chardev_legacy_is_mon(spec) &&
            !start_monitor(chardev_find(id), false, false, errp)) {
            error_prepend(errp, "-serial %s: ", spec);
            return false;
        }
    }
    for (guint i = 0; i < cfg->legacy_monitors->len; i++) {
        LegacyMonitor *m = g_ptr_array_index(cfg->legacy_monitors, i);
        g_autofree char *id = g_strdup_printf("compat_monitor%u", i);
        if (chardev_legacy_is_none(m->spec)) {
            continue;
        }
        Chardev *chr = chardev_parse_legacy(m->spec, id, errp);
        if (!chr || !start_monitor(chr, m->control, m->pretty, errp)) {
            error_prepend(errp, "-%s %s: ",
                          m->control ? (m->pretty ? "qmp-pretty" : "qmp")
                                     : "monitor",
                          m->spec);
            return false;
        }
    }
    for (guint i = 0; i < cfg->monitors->len; i++) {
        MonitorSpec *m = g_ptr_array_index(cfg->monitors, i);
        Chardev *chr = chardev_find(m->chardev);
        if (!chr) {
            error_setg(errp, "-mon chardev=%s: chardev \"%s\" not found",
                       m->chardev, m->chardev);
            return false;
        }
        if (!start_monitor(chr, m->control, m->pretty, errp)) {
            error_prepend(errp, "-mon chardev=%s: ", m->chardev);
            return false;
        }
    }
#else
    if (cfg->legacy_monitors->len || cfg->monitors->len) {
        error_setg(errp, "'-%s' is not supported by kvmu yet (no monitor)",
                   cfg->monitors->len ? "mon" : "qmp/-monitor");
        return false;
    }
#endif
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
            error_prepend(errp, "-object %s: ", vm_config_origin(cfg, kv));
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
                   vm_config_origin(cfg, kv));
        return false;
    }
#if CLI_HAVE_QDEV
    for (guint i = 0; i < cfg->devices->len; i++) {
        KeyvalList *kv = g_ptr_array_index(cfg->devices, i);
        g_autoptr(GHashTable) h = keyval_to_hash(kv);
        if (!qdev_device_add(h, errp)) {
            error_prepend(errp, "-device %s: ", vm_config_origin(cfg, kv));
            return false;
        }
    }
    return true;
#else
    error_setg(errp, "'-device' is not supported by kvmu yet");
    return false;
#endif
}

/*
 * -machine memory-backend=ID: the backend's region is the board's RAM
 * (claimed), its size the RAM size when -m gives none; *mr stays NULL
 * without the key.
 */
static bool ram_backend(VmConfig *cfg, const MachineType *mt,
                        struct MemoryRegion **mr, GError **errp)
{
    const char *id = keyval_get(cfg->machine, "memory-backend");

    *mr = NULL;
    if (!id) {
        return true;
    }
    if (!mt->init) {
        error_setg(errp, "-machine memory-backend=%s: machine '%s' has no "
                   "RAM of its own", id, mt->name);
        return false;
    }
    if (cfg->mem_path) {
        error_setg(errp, "'-mem-path' can't be used together with "
                   "'-machine memory-backend'");
        return false;
    }
#if CLI_HAVE_QDEV
    HostMemoryBackend *b = host_memory_backend_find(id, errp);
    if (!b) {
        return false;
    }
    uint64_t size = host_memory_backend_size(b);
    if (cfg->ram_size_given && size != cfg->ram_size) {
        error_setg(errp, "Machine memory size does not match the size of the "
                   "memory backend");
        return false;
    }
    cfg->ram_size = size;
#if CLI_HAVE_MONITOR
    monitor_set_machine_size(cfg->ram_size, cfg->topology.sockets,
                             cfg->topology.dies, cfg->topology.clusters,
                             cfg->topology.cores, cfg->topology.threads);
#endif
    *mr = host_memory_backend_claim(b, errp);
    return *mr != NULL;
#else
    error_setg(errp, "-machine memory-backend: not supported by kvmu yet");
    return false;
#endif
}

static bool build_board(VmConfig *cfg, GError **errp)
{
    const MachineType *mt = machine_type_find(cfg->machine_type);
    struct MemoryRegion *ram = NULL;

    if (!ram_backend(cfg, mt, &ram, errp)) {
        return false;
    }
    if (!mt->init) {
        return true; /* "none": no board, no CPUs */
    }
    /* the -machine keys the board interprets itself */
    KeyvalList *props = keyval_new();
    keyval_free(cfg->board_props);
    cfg->board_props = props; /* lives as long as cfg (until exit) */
    for (guint i = 0; i < cfg->machine->pairs->len; i++) {
        KeyvalPair *p = g_ptr_array_index(cfg->machine->pairs, i);
        if (strcmp(p->key, "type") && strcmp(p->key, "accel") &&
            strcmp(p->key, "kernel-irqchip") &&
            strcmp(p->key, "memory-backend")) {
            keyval_add(props, p->key, p->value);
        }
    }
    static const char *const irqchip_names[] = {
        [IRQCHIP_DEFAULT] = NULL,
        [IRQCHIP_ON] = "on",
        [IRQCHIP_OFF] = "off",
        [IRQCHIP_SPLIT] = "split",
    };
    MachineOptions o = {
        .type = mt->name,
        .ram_size = cfg->ram_size,
        .maxmem = cfg->maxmem,
        .slots = cfg->slots,
        .cpus = cfg->topology.cpus,
        .sockets = cfg->topology.sockets,
        .dies = cfg->topology.dies,
        .clusters = cfg->topology.clusters,
        .cores = cfg->topology.cores,
        .threads = cfg->topology.threads,
        .max_cpus = cfg->topology.max_cpus,
        .cpu_model = cfg->cpu_model,
        .cpu_features = cfg->cpu_features,
        .kernel = cfg->kernel,
        .initrd = cfg->initrd,
        .append = cfg->append,
        .bios = cfg->bios,
        .boot_order = keyval_get(cfg->boot, "order"),
        .boot_once = keyval_get(cfg->boot, "once"),
        .boot = cfg->boot,
        .option_roms = cfg->option_roms,
        .fw_cfg_files = cfg->fw_cfg_files,
        .cpu_pm = cfg->cpu_pm,
        .kernel_irqchip = irqchip_names[cfg->kernel_irqchip],
        .accel = cfg->accel_chosen,
        .props = props,
        .rtc_base = cfg->rtc_base,
        .rtc_clock = cfg->rtc_clock,
        .rtc_driftfix = cfg->rtc_driftfix,
        .uuid = cfg->has_uuid ? cfg->uuid : NULL,
        .name = cfg->name,
        .nodefaults = cfg->nodefaults,
        .serial_count = cfg->serials->len,
        .ram_backend = ram,
        .mem_path = cfg->mem_path,
        .mem_prealloc = cfg->mem_prealloc,
        .smbios = cli_smbios_options(),
    };
    const char *menu = keyval_get(cfg->boot, "menu");
    if (menu) {
        parse_bool(menu, &o.boot_menu); /* checked by opt_boot */
    }
    return mt->init(&o, errp);
}

bool machine_build(VmConfig *cfg, GError **errp)
{
    if (!select_accel(cfg, errp) || !create_chardevs(cfg, errp) ||
        !apply_globals(cfg, errp) || !create_objects(cfg, errp) ||
        !build_board(cfg, errp) || !create_devices(cfg, errp)) {
        return false;
    }
#if CLI_HAVE_ACCEL
    /* the board created the vCPUs; they run once vm_start() is called */
    if (!kvm_cpus_start(kvm_state(), errp)) {
        return false;
    }
#endif
#if CLI_HAVE_QDEV
    /* from here on device_add is hotplug; unused -global values warn */
    qdev_machine_creation_done();
    qdev_check_globals();
#endif
    return true;
}

void machine_teardown(VmConfig *cfg)
{
#if CLI_HAVE_ACCEL
    /* vCPUs stop first: nothing may run guest code past this point */
    if (kvm_state()) {
        kvm_accel_destroy(kvm_state());
    }
#endif
#if CLI_HAVE_MONITOR
    monitor_cleanup();
#endif
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
            error_report("-device %s: %s", vm_config_origin(cfg, kv),
                         err->message);
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
            error_report("-object %s: %s", vm_config_origin(cfg, kv),
                         err->message);
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
