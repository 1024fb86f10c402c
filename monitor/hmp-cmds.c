/*
 * HMP commands. Most call the QMP implementation and print its result the
 * way QEMU's HMP does; errors print "Error: <message>".
 */
#include "monitor-internal.h"
#include "hmp.h"
#include "qapi/qapi-commands.h"
#include "system/runstate.h"
#include "qom/object.h"
#include "hw/qdev.h"
#include "config-host.h"

#include <inttypes.h>
#include <string.h>

typedef struct HmpCommand {
    const char *name;           /* "quit|q" */
    const char *args;           /* for help */
    const char *help;
    void (*fn)(Monitor *mon, char **argv);
} HmpCommand;

static bool hmp_error(Monitor *mon, GError *err)
{
    if (!err) {
        return false;
    }
    monitor_printf(mon, "Error: %s\n", err->message);
    g_error_free(err);
    return true;
}

static void info_status(Monitor *mon, char **argv)
{
    RunState s = runstate_get();

    if (runstate_is_running()) {
        monitor_puts(mon, "VM status: running\n");
    } else if (s == RUN_STATE_PAUSED) {
        monitor_puts(mon, "VM status: paused\n");
    } else {
        monitor_printf(mon, "VM status: paused (%s)\n", runstate_name(s));
    }
}

static void info_version(Monitor *mon, char **argv)
{
    monitor_printf(mon, "%s (kvmu %s)\n", QEMU_IFACE_VERSION, KVMU_VERSION);
}

static void info_name(Monitor *mon, char **argv)
{
    if (monitor_vm_name()) {
        monitor_printf(mon, "%s\n", monitor_vm_name());
    }
}

static void info_uuid(Monitor *mon, char **argv)
{
    UuidInfo *u = qmp_query_uuid(NULL);

    monitor_printf(mon, "%s\n", u->UUID);
    qapi_free_UuidInfo(u);
}

static void info_kvm(Monitor *mon, char **argv)
{
    KvmInfo *k = qmp_query_kvm(NULL);

    monitor_printf(mon, "kvm support: %s\n",
                   k->enabled ? "enabled" : "disabled");
    qapi_free_KvmInfo(k);
}

static void info_chardev(Monitor *mon, char **argv)
{
    ChardevInfoList *l = qmp_query_chardev(NULL);

    for (ChardevInfoList *e = l; e; e = e->next) {
        monitor_printf(mon, "%s: filename=%s\n", e->value->label,
                       e->value->filename);
    }
    qapi_free_ChardevInfoList(l);
}

static int print_qom_node(Object *obj, void *opaque);

typedef struct {
    Monitor *mon;
    int depth;
} QomTreeCtx;

static int print_qom_node(Object *obj, void *opaque)
{
    QomTreeCtx *c = opaque, sub = { c->mon, c->depth + 1 };

    monitor_printf(c->mon, "%*s/%s (%s)\n", c->depth * 2, "",
                   object_get_canonical_path_component(obj),
                   object_get_typename(obj));
    object_child_foreach(obj, print_qom_node, &sub);
    return 0;
}

static void info_qom_tree(Monitor *mon, char **argv)
{
    Object *root = argv[0] ? object_resolve_path(argv[0], NULL)
                           : object_resolve_path("/machine", NULL);
    QomTreeCtx c = { mon, 0 };

    if (!root) {
        monitor_puts(mon, argv[0] ? "Path not found\n"
                                  : "No machine (-machine none)\n");
        return;
    }
    print_qom_node(root, &c);
}

static void info_qtree(Monitor *mon, char **argv)
{
    char *out;

    if (!object_resolve_path("/machine", NULL)) {
        return;                 /* -machine none: no buses */
    }
    out = qdev_info_qtree();
    monitor_puts(mon, out);
    g_free(out);
}

/* info pci: query-pci printed in QEMU's layout (address -1 = unmapped) */
static void info_pci_device(Monitor *mon, PciDeviceInfo *dev)
{
    monitor_printf(mon, "  Bus %2" PRId64 ", device %3" PRId64
                   ", function %" PRId64 ":\n", dev->bus, dev->slot,
                   dev->function);
    if (dev->class_info->desc) {
        monitor_printf(mon, "    %s", dev->class_info->desc);
    } else {
        monitor_printf(mon, "    Class %04" PRId64, dev->class_info->class);
    }
    monitor_printf(mon, ": PCI device %04" PRIx64 ":%04" PRIx64 "\n",
                   dev->id->vendor, dev->id->device);
    if (dev->id->has_subsystem && dev->id->has_subsystem_vendor) {
        monitor_printf(mon, "      PCI subsystem %04" PRIx64 ":%04" PRIx64
                       "\n", dev->id->subsystem_vendor, dev->id->subsystem);
    }
    if (dev->has_irq) {
        char pin = dev->irq_pin >= 1 && dev->irq_pin <= 4 ?
                   (char)('A' + dev->irq_pin - 1) : '?';
        monitor_printf(mon, "      IRQ %" PRId64 ", pin %c\n", dev->irq, pin);
    }
    for (PciMemoryRegionList *r = dev->regions; r; r = r->next) {
        uint64_t addr = r->value->address, size = r->value->size;

        if (!strcmp(r->value->type, "io")) {
            monitor_printf(mon, "      BAR%" PRId64 ": I/O at 0x%04" PRIx64
                           " [0x%04" PRIx64 "].\n", r->value->bar, addr,
                           addr + size - 1);
        } else {
            monitor_printf(mon, "      BAR%" PRId64 ": %s bit%s memory at "
                           "0x%08" PRIx64 " [0x%08" PRIx64 "].\n",
                           r->value->bar,
                           r->value->mem_type_64 ? "64" : "32",
                           r->value->prefetch ? " prefetchable" : "",
                           addr, addr + size - 1);
        }
    }
    monitor_printf(mon, "      id \"%s\"\n", dev->qdev_id);
}

/* QEMU's layout: one block per memory backend */
static void info_memdev(Monitor *mon, char **argv)
{
    GError *err = NULL;
    MemdevList *list = qmp_query_memdev(&err);

    if (hmp_error(mon, err)) {
        return;
    }
    for (MemdevList *l = list; l; l = l->next) {
        Memdev *m = l->value;
        monitor_printf(mon, "memory backend: %s\n", m->id ? m->id : "");
        monitor_printf(mon, "  size:  %" PRIu64 "\n", m->size);
        monitor_printf(mon, "  merge: %s\n", m->merge ? "true" : "false");
        monitor_printf(mon, "  dump: %s\n", m->dump ? "true" : "false");
        monitor_printf(mon, "  prealloc: %s\n",
                       m->prealloc ? "true" : "false");
        monitor_printf(mon, "  share: %s\n", m->share ? "true" : "false");
        if (m->has_reserve) {
            monitor_printf(mon, "  reserve: %s\n",
                           m->reserve ? "true" : "false");
        }
        monitor_printf(mon, "  policy: %s\n", HostMemPolicy_str(m->policy));
        monitor_puts(mon, "  host nodes: \n\n");
    }
    qapi_free_MemdevList(list);
}

static void info_pci(Monitor *mon, char **argv)
{
    GError *err = NULL;
    PciInfoList *list = qmp_query_pci(&err);

    if (hmp_error(mon, err)) {
        return;
    }
    for (PciInfoList *b = list; b; b = b->next) {
        for (PciDeviceInfoList *d = b->value->devices; d; d = d->next) {
            info_pci_device(mon, d->value);
        }
    }
    qapi_free_PciInfoList(list);
}

static void info_unavailable(Monitor *mon, char **argv)
{
    monitor_puts(mon, "Error: this information is not available yet in "
                 "kvmu\n");
}

static const HmpCommand info_cmds[] = {
    { "status", "", "show the current VM status (running|paused)",
      info_status },
    { "version", "", "show the version of QEMU", info_version },
    { "name", "", "show the current VM name", info_name },
    { "uuid", "", "show the current VM UUID", info_uuid },
    { "kvm", "", "show KVM information", info_kvm },
    { "kvm-stats|exits", "", "show the accelerator's exit counters by reason "
      "(kvmu)", hmp_info_kvm_stats },
    { "chardev", "", "show the character devices", info_chardev },
    { "qom-tree", "[path]", "show QOM composition tree", info_qom_tree },
    { "cpus", "", "show infos for each CPU", hmp_info_cpus },
    { "registers", "[-a]", "show the cpu registers (-a: all CPUs)",
      hmp_info_registers },
    { "mtree", "[-f]", "show memory tree", hmp_info_mtree },
    { "qtree", "", "show device tree", info_qtree },
    { "pci", "", "show PCI info", info_pci },
    { "memdev", "", "show memory backends", info_memdev },
    { "pic", "", "show PIC state", hmp_info_pic },
    { "irq", "", "show the interrupts statistics", hmp_info_irq },
    { "lapic", "[apic-id]", "show local apic state", hmp_info_lapic },
    { "mem", "", "show the active virtual memory mappings", hmp_info_mem },
    { "tlb", "", "show virtual to physical memory mappings", hmp_info_tlb },
    { "network", "", "show the network state", info_unavailable },
    { "block", "", "show the block devices", info_unavailable },
    { "migrate", "", "show migration status", info_unavailable },
    { NULL },
};

static bool cmd_matches(const HmpCommand *c, const char *name)
{
    char **names = g_strsplit(c->name, "|", 0);
    bool hit = g_strv_contains((const char *const *)names, name);

    g_strfreev(names);
    return hit;
}

static const HmpCommand *find_cmd(const HmpCommand *table, const char *name)
{
    for (const HmpCommand *c = table; c->name; c++) {
        if (cmd_matches(c, name)) {
            return c;
        }
    }
    return NULL;
}

static void hmp_info(Monitor *mon, char **argv)
{
    const HmpCommand *c;

    if (!argv[0]) {
        for (c = info_cmds; c->name; c++) {
            monitor_printf(mon, "info %s %s -- %s\n", c->name, c->args,
                           c->help);
        }
        return;
    }
    c = find_cmd(info_cmds, argv[0]);
    if (!c) {
        monitor_printf(mon, "unknown info command: '%s'\n", argv[0]);
        return;
    }
    c->fn(mon, argv + 1);
}

static void hmp_stop(Monitor *mon, char **argv)
{
    GError *err = NULL;

    qmp_stop(&err);
    hmp_error(mon, err);
}

static void hmp_cont(Monitor *mon, char **argv)
{
    GError *err = NULL;

    qmp_cont(&err);
    hmp_error(mon, err);
}

static void hmp_system_reset(Monitor *mon, char **argv)
{
    qmp_system_reset(NULL);
}

static void hmp_system_powerdown(Monitor *mon, char **argv)
{
    qmp_system_powerdown(NULL);
}

static void hmp_quit(Monitor *mon, char **argv)
{
    qmp_quit(NULL);
}

static void hmp_nmi(Monitor *mon, char **argv)
{
    GError *err = NULL;

    qmp_inject_nmi(&err);
    hmp_error(mon, err);
}

static void hmp_device_del(Monitor *mon, char **argv)
{
    GError *err = NULL;

    if (!argv[0]) {
        monitor_puts(mon, "device_del: missing argument 'id'\n");
        return;
    }
    qmp_device_del(argv[0], &err);
    hmp_error(mon, err);
}

static void hmp_qom_list(Monitor *mon, char **argv)
{
    GError *err = NULL;
    ObjectPropertyInfoList *l = qmp_qom_list(argv[0] ? argv[0] : "/", &err);

    if (hmp_error(mon, err)) {
        return;
    }
    for (ObjectPropertyInfoList *e = l; e; e = e->next) {
        monitor_printf(mon, "%s (%s)\n", e->value->name, e->value->type);
    }
    qapi_free_ObjectPropertyInfoList(l);
}

static void hmp_qom_get(Monitor *mon, char **argv)
{
    GError *err = NULL;
    QObject *v;
    char *s;

    if (!argv[0] || !argv[1]) {
        monitor_puts(mon, "qom-get: usage: qom-get path property\n");
        return;
    }
    v = qmp_qom_get(argv[0], argv[1], &err);
    if (hmp_error(mon, err)) {
        return;
    }
    s = qobject_to_json_pretty(v);
    monitor_printf(mon, "%s\n", s);
    g_free(s);
    qobject_unref(v);
}

static void hmp_qom_set(Monitor *mon, char **argv)
{
    GError *err = NULL;
    QObject *v;

    if (!argv[0] || !argv[1] || !argv[2]) {
        monitor_puts(mon, "qom-set: usage: qom-set path property value\n");
        return;
    }
    /* a JSON value, or else the text as a string (as QEMU's -j-less form) */
    v = qobject_from_json(argv[2], NULL);
    if (!v) {
        v = QOBJECT(qstring_from_str(argv[2]));
    }
    qmp_qom_set(argv[0], argv[1], v, &err);
    qobject_unref(v);
    hmp_error(mon, err);
}

static void hmp_help(Monitor *mon, char **argv);

static const HmpCommand hmp_cmds[] = {
    { "help|?", "[cmd]", "show the help", hmp_help },
    { "info", "[subcommand]", "show various information about the system "
      "state", hmp_info },
    { "stop|s", "", "stop emulation", hmp_stop },
    { "cont|c", "", "resume emulation", hmp_cont },
    { "system_reset", "", "reset the system", hmp_system_reset },
    { "system_powerdown", "", "send system power down event",
      hmp_system_powerdown },
    { "quit|q", "", "quit the emulator", hmp_quit },
    { "nmi", "", "inject an NMI", hmp_nmi },
    { "cpu", "index", "set the default CPU", hmp_cpu },
    { "sendkey", "keys [hold_ms]", "send keys to the VM (e.g. 'sendkey "
      "ctrl-alt-f1', default hold time=100 ms)", hmp_sendkey },
    { "log", "item1[,...]", "activate logging of the specified items",
      hmp_log },
    { "logfile", "filename", "output logs to 'filename'", hmp_logfile },
    { "device_add", "driver[,prop=value][,...]", "add device, like -device "
      "on the command line", hmp_device_add },
    { "device_del", "device", "remove device", hmp_device_del },
    { "xp", "/fmt addr", "physical memory dump starting at 'addr'", hmp_xp },
    { "x", "/fmt addr", "virtual memory dump starting at 'addr'", hmp_x },
    { "dump-guest-memory", "[-p] filename [begin length]", "dump guest "
      "memory to filename (ELF; -p: virtual addresses from the page "
      "tables)",
      hmp_dump_guest_memory },
    { "memsave", "addr size file", "save to disk virtual memory dump "
      "starting at 'addr' of size 'size'", hmp_memsave },
    { "pmemsave", "addr size file", "save to disk physical memory dump "
      "starting at 'addr' of size 'size'", hmp_pmemsave },
    { "gpa2hva", "addr", "print the host virtual address corresponding to "
      "a guest physical address", hmp_gpa2hva },
    { "qom-list", "path", "list QOM properties", hmp_qom_list },
    { "qom-get", "path property", "print QOM property", hmp_qom_get },
    { "qom-set", "path property value", "set QOM property", hmp_qom_set },
    { NULL },
};

static void hmp_help(Monitor *mon, char **argv)
{
    for (const HmpCommand *c = hmp_cmds; c->name; c++) {
        if (argv[0] && !cmd_matches(c, argv[0])) {
            continue;
        }
        monitor_printf(mon, "%s %s -- %s\n", c->name, c->args, c->help);
        if (argv[0]) {
            break;
        }
    }
}

void hmp_handle_command(Monitor *mon, const char *cmdline)
{
    char **argv = NULL;
    const HmpCommand *c;
    GError *err = NULL;

    if (!g_shell_parse_argv(cmdline, NULL, &argv, &err)) {
        g_clear_error(&err);
        return;                 /* empty or unparsable line */
    }
    argv = hmp_split_fmt(argv);
    c = find_cmd(hmp_cmds, argv[0]);
    if (!c) {
        monitor_printf(mon, "unknown command: '%s'\n", argv[0]);
    } else {
        c->fn(mon, argv + 1);
    }
    g_strfreev(argv);
}

/* Names in table starting with prefix (aliases included), sorted. */
static void collect_names(const HmpCommand *table, const char *prefix,
                          GPtrArray *out)
{
    for (const HmpCommand *c = table; c->name; c++) {
        char **names = g_strsplit(c->name, "|", 0);
        for (char **n = names; *n; n++) {
            if (g_str_has_prefix(*n, prefix)) {
                g_ptr_array_add(out, g_strdup(*n));
            }
        }
        g_strfreev(names);
    }
}

GPtrArray *hmp_complete(const char *line)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    const char *sp = strchr(line, ' ');

    if (!sp) {
        collect_names(hmp_cmds, line, out);
    } else if (g_str_has_prefix(line, "info ") && !strchr(sp + 1, ' ')) {
        collect_names(info_cmds, sp + 1, out);
    }
    return out;
}
