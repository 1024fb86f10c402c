/*
 * Monitor core: attaching QMP/HMP monitors to chardevs, output, the list
 * of monitors, and the VM facts the cli hands us.
 */
#include "monitor-internal.h"
#include "util/error.h"

#include <string.h>
#include <unistd.h>

static GList *monitors;
Monitor *cur_mon;

static char *vm_name;
static uint8_t vm_uuid[16];
static bool vm_has_uuid;
static bool kvm_enabled;
static GPtrArray *cli_options;
static GPtrArray *machines;
static GPtrArray *cpu_models;
static MonitorCpuModelExpander *cpu_expander;

void monitor_puts(Monitor *mon, const char *str)
{
    GString *out = g_string_sized_new(strlen(str) + 16);

    /* QEMU's monitors end lines with CR LF, QMP and HMP alike */
    for (const char *p = str; *p; p++) {
        if (*p == '\n' && (p == str || p[-1] != '\r')) {
            g_string_append_c(out, '\r');
        }
        g_string_append_c(out, *p);
    }
    if (mon->capture) {
        g_string_append_len(mon->capture, out->str, out->len);
    } else if (mon->mux_out) {
        /* HMP on a mux without the focus: shown at MUX_IN */
        if (!mon->held) {
            mon->held = g_string_new(NULL);
        }
        if (mon->held->len + out->len <= MONITOR_HELD_MAX) {
            g_string_append_len(mon->held, out->str, out->len);
        }
    } else if (mon->fe.chr) {
        uint64_t dropped = chardev_dropped_bytes(mon->fe.chr);
        /*
         * No 64 KiB drop limit for monitors: they stop reading requests
         * while output is pending (monitor_output_blocked), so a client
         * that reads slowly gets every reply, only later.
         */
        chr_fe_write_all(&mon->fe, (const uint8_t *)out->str, out->len);
        if (chardev_dropped_bytes(mon->fe.chr) != dropped &&
            !mon->warned_drop) {
            mon->warned_drop = true;
            warn_report("monitor on chardev '%s': the client has not read "
                        "its output for too long, output was dropped",
                        chardev_label(mon->fe.chr));
        }
    }
    g_string_free(out, TRUE);
}

bool monitor_output_blocked(Monitor *mon)
{
    /*
     * Not at the first queued byte: a client that writes a batch of
     * requests before it reads (as QEMU allows) would deadlock with us.
     * Above the high-water mark the client is clearly behind.
     */
    return !mon->capture &&
           chr_fe_output_pending(&mon->fe) > MONITOR_OUTPUT_HIGH_WATER;
}

void monitor_printf(Monitor *mon, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    monitor_puts(mon, s);
    g_free(s);
}

GList *monitor_list(void)
{
    return monitors;
}

Monitor *monitor_new(Chardev *chr, bool control, bool pretty, GError **errp)
{
    Monitor *mon = g_new0(Monitor, 1);

    monitor_init_globals();
    mon->recv_fd = -1;
    mon->is_qmp = control;
    mon->pretty = pretty;
    if (!chr_fe_init(&mon->fe, chr, errp)) {
        g_free(mon);
        return NULL;
    }
    monitors = g_list_append(monitors, mon);
    if (control) {
        monitor_qmp_setup(mon);
    } else {
        monitor_hmp_setup(mon);
    }
    return mon;
}

static void monitor_free(gpointer p)
{
    Monitor *mon = p;

    chr_fe_deinit(&mon->fe);
    if (mon->recv_fd >= 0) {
        close(mon->recv_fd);
    }
    if (mon->is_qmp) {
        monitor_qmp_free(mon);
    } else {
        monitor_hmp_free(mon);
    }
    g_free(mon);
}

void monitor_cleanup(void)
{
    g_list_free_full(monitors, monitor_free);
    monitors = NULL;
}

void monitor_init_globals(void)
{
    static bool done;

    if (done) {
        return;
    }
    done = true;
    monitor_qmp_init_commands();
    monitor_events_init();
    monitor_cpu_models_init();
}

void monitor_set_vm_name(const char *name)
{
    g_free(vm_name);
    vm_name = g_strdup(name);
}

void monitor_set_vm_uuid(const uint8_t uuid[16])
{
    memcpy(vm_uuid, uuid, 16);
    vm_has_uuid = true;
}

void monitor_set_accel(bool kvm)
{
    kvm_enabled = kvm;
}

MonitorMachineSize monitor_machine_size = {
    .sockets = 1, .dies = 1, .clusters = 1, .cores = 1, .threads = 1,
};

void monitor_set_machine_size(uint64_t ram_size, unsigned sockets,
                              unsigned dies, unsigned clusters,
                              unsigned cores, unsigned threads)
{
    monitor_machine_size = (MonitorMachineSize) {
        .ram_size = ram_size,
        .sockets = MAX(sockets, 1), .dies = MAX(dies, 1),
        .clusters = MAX(clusters, 1), .cores = MAX(cores, 1),
        .threads = MAX(threads, 1),
    };
}

const char *monitor_vm_name(void)
{
    return vm_name;
}

bool monitor_vm_uuid(uint8_t out[16])
{
    memcpy(out, vm_uuid, 16);
    return vm_has_uuid;
}

bool monitor_kvm_enabled(void)
{
    return kvm_enabled;
}

static void cli_option_free(gpointer p)
{
    MonitorCliOption *o = p;

    g_free(o->option);
    g_strfreev(o->params);
    g_free(o);
}

void monitor_register_cli_option(const char *option,
                                 const char *const *params)
{
    MonitorCliOption *o = g_new0(MonitorCliOption, 1);

    if (!cli_options) {
        cli_options = g_ptr_array_new_with_free_func(cli_option_free);
    }
    o->option = g_strdup(option);
    o->params = g_strdupv((char **)params);
    g_ptr_array_add(cli_options, o);
}

GPtrArray *monitor_cli_options(void)
{
    return cli_options;
}

void monitor_register_machine(const char *name, const char *alias,
                              bool is_default, int cpu_max,
                              const char *default_cpu_type)
{
    MonitorMachine *m = g_new0(MonitorMachine, 1);

    if (!machines) {
        machines = g_ptr_array_new();
    }
    m->name = g_strdup(name);
    m->alias = g_strdup(alias);
    m->is_default = is_default;
    m->cpu_max = cpu_max;
    m->default_cpu_type = g_strdup(default_cpu_type);
    g_ptr_array_add(machines, m);
}

GPtrArray *monitor_machines(void)
{
    return machines;
}

void monitor_register_cpu_model(const char *name, bool migration_safe)
{
    MonitorCpuModel *m = g_new0(MonitorCpuModel, 1);

    if (!cpu_models) {
        cpu_models = g_ptr_array_new();
    }
    m->name = g_strdup(name);
    m->migration_safe = migration_safe;
    g_ptr_array_add(cpu_models, m);
}

GPtrArray *monitor_cpu_models(void)
{
    return cpu_models;
}

void monitor_set_cpu_model_expander(MonitorCpuModelExpander *fn)
{
    cpu_expander = fn;
}

MonitorCpuModelExpander *monitor_cpu_model_expander(void)
{
    return cpu_expander;
}
