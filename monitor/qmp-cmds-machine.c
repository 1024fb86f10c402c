/*
 * QMP commands about the machine, run state and accelerator. What needs
 * parts of kvmu that do not exist yet (CPUs, PCI, memory backends) answers
 * as QEMU does for "-machine none": empty lists and zero sizes; features
 * kvmu lacks (SEV, SGX, TPM) answer with QEMU's errors or empty lists.
 */
#include "monitor-internal.h"
#include "qapi/qapi-commands.h"
#include "system/runstate.h"
#include "util/error.h"
#include "qapi/visit.h"
#include "hw/hostmem.h"
#include "hw/pci/pci.h"

#include <string.h>
#include <unistd.h>

StatusInfo *qmp_query_status(GError **errp)
{
    StatusInfo *info = g_new0(StatusInfo, 1);
    RunState s = runstate_get();
    GError *err = NULL;

    info->running = runstate_is_running();
    info->singlestep = false;
    info->status = qapi_enum_parse(&QMPRunState_lookup, runstate_name(s),
                                   QMP_RUN_STATE_PRELAUNCH, &err);
    g_clear_error(&err);
    return info;
}

/* The QAPI enums list the actions in runstate.h's order. */
G_STATIC_ASSERT((int)REBOOT_ACTION_SHUTDOWN == REBOOT_ACT_SHUTDOWN);
G_STATIC_ASSERT((int)SHUTDOWN_ACTION_PAUSE == SHUTDOWN_ACT_PAUSE);
G_STATIC_ASSERT((int)PANIC_ACTION_NONE == PANIC_ACT_NONE);
G_STATIC_ASSERT((int)PANIC_ACTION_EXIT_FAILURE == PANIC_ACT_EXIT_FAILURE);
G_STATIC_ASSERT((int)WATCHDOG_ACTION_INJECT_NMI == WATCHDOG_ACT_INJECT_NMI);
G_STATIC_ASSERT((int)WATCHDOG_ACTION_NONE == WATCHDOG_ACT_NONE);
void qmp_set_action(bool has_reboot, RebootAction reboot, bool has_shutdown,
                    ShutdownAction shutdown, bool has_panic, PanicAction panic,
                    bool has_watchdog, WatchdogAction watchdog, GError **errp)
{
    runstate_set_actions(has_reboot ? (int)reboot : -1,
                         has_shutdown ? (int)shutdown : -1,
                         has_panic ? (int)panic : -1,
                         has_watchdog ? (int)watchdog : -1);
}

void qmp_stop(GError **errp)
{
    /* QEMU: stopping an incoming-migration VM only clears autostart */
    if (runstate_check(RUN_STATE_INMIGRATE)) {
        return;
    }
    vm_stop(RUN_STATE_PAUSED, errp);
}

void qmp_cont(GError **errp)
{
    if (runstate_check(RUN_STATE_INTERNAL_ERROR) ||
        runstate_check(RUN_STATE_SHUTDOWN)) {
        error_setg(errp, "Resetting the Virtual Machine is required");
        return;
    }
    if (runstate_check(RUN_STATE_SUSPENDED)) {
        return;
    }
    vm_start(errp);
}

void qmp_system_reset(GError **errp)
{
    qemu_system_reset_request(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
}

void qmp_system_powerdown(GError **errp)
{
    qemu_system_powerdown_request();
}

void qmp_system_wakeup(GError **errp)
{
    if (!runstate_check(RUN_STATE_SUSPENDED)) {
        error_setg(errp,
                   "wake-up from suspend is not supported by this guest");
        return;
    }
    qemu_system_wakeup_request();
}

NameInfo *qmp_query_name(GError **errp)
{
    NameInfo *info = g_new0(NameInfo, 1);

    info->name = g_strdup(monitor_vm_name());
    return info;
}

UuidInfo *qmp_query_uuid(GError **errp)
{
    UuidInfo *info = g_new0(UuidInfo, 1);
    uint8_t u[16];

    monitor_vm_uuid(u);     /* all zero when none was given, as QEMU */
    info->UUID = g_strdup_printf(
        "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
        "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5],
        u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
    return info;
}

TargetInfo *qmp_query_target(GError **errp)
{
    TargetInfo *info = g_new0(TargetInfo, 1);

    info->arch = SYS_EMU_TARGET_X86_64;
    return info;
}

KvmInfo *qmp_query_kvm(GError **errp)
{
    KvmInfo *info = g_new0(KvmInfo, 1);

    info->enabled = monitor_kvm_enabled();
    /* ukvm gives every host the KVM ABI; "present" reports the kernel's */
    info->present = access("/dev/kvm", R_OK | W_OK) == 0 ||
                    info->enabled;
    return info;
}

MachineInfoList *qmp_query_machines(GError **errp)
{
    GPtrArray *ms = monitor_machines();
    MachineInfoList *head = NULL, **tail = &head;

    for (guint i = 0; ms && i < ms->len; i++) {
        MonitorMachine *m = g_ptr_array_index(ms, i);
        MachineInfoList *e = g_new0(MachineInfoList, 1);
        MachineInfo *info = g_new0(MachineInfo, 1);

        info->name = g_strdup(m->name);
        info->alias = g_strdup(m->alias);
        if (m->is_default) {
            info->has_is_default = true;
            info->is_default = true;
        }
        info->cpu_max = m->cpu_max;
        /* kvmu has no CPU hotplug (QEMU's pc says true) */
        info->hotpluggable_cpus = false;
        /* the RAM region's id for -machine memory-backend= (QEMU's x86
         * boards: "pc.ram"; "none" has no RAM of its own) */
        if (strcmp(m->name, "none")) {
            info->default_ram_id = g_strdup("pc.ram");
        }
        info->numa_mem_supported = false;
        info->deprecated = false;
        info->default_cpu_type = g_strdup(m->default_cpu_type);
        info->acpi = false;
        e->value = info;
        *tail = e;
        tail = &e->next;
    }
    return head;
}

CurrentMachineParams *qmp_query_current_machine(GError **errp)
{
    CurrentMachineParams *p = g_new0(CurrentMachineParams, 1);

    p->wakeup_suspend_support = false;
    return p;
}

HotpluggableCPUList *qmp_query_hotpluggable_cpus(GError **errp)
{
    error_setg(errp, "The feature 'query-hotpluggable-cpus' is not enabled");
    return NULL;
}

MemoryInfo *qmp_query_memory_size_summary(GError **errp)
{
    MemoryInfo *info = g_new0(MemoryInfo, 1);

    info->base_memory = monitor_machine_size.ram_size;
    info->has_plugged_memory = true;
    info->plugged_memory = 0;
    return info;
}

static void memdev_add(const HostMemoryBackendInfo *b, void *opaque)
{
    MemdevList ***tail = opaque;
    MemdevList *e = g_new0(MemdevList, 1);
    Memdev *m = g_new0(Memdev, 1);

    m->id = g_strdup(b->id);
    m->size = b->size;
    m->merge = b->merge;
    m->dump = b->dump;
    m->prealloc = b->prealloc;
    m->share = b->share;
    m->has_reserve = true;
    m->reserve = b->reserve;
    m->host_nodes = NULL;           /* host-nodes are refused: none bound */
    m->policy = (HostMemPolicy)b->policy;
    e->value = m;
    **tail = e;
    *tail = &e->next;
}

/* No pc-dimm/nvdimm/virtio-mem devices exist in kvmu yet. */
MemoryDeviceInfoList *qmp_query_memory_devices(GError **errp)
{
    return NULL;
}

/* No ACPI hot-plug slots (DIMM, CPU) on kvmu's pc board yet: an empty
 * list where the board has ACPI (the PIIX4 PM function), else QEMU's
 * error. */
static int is_acpi_pm(Object *obj, void *opaque)
{
    return object_dynamic_cast(obj, "PIIX4_PM") != NULL;
}

ACPIOSTInfoList *qmp_query_acpi_ospm_status(GError **errp)
{
    if (!object_child_foreach_recursive(object_get_root(), is_acpi_pm,
                                        NULL)) {
        error_setg(errp, "command is not supported, missing ACPI device");
    }
    return NULL;
}

GuidInfo *qmp_query_vm_generation_id(GError **errp)
{
    error_setg(errp, "VM Generation ID device not found");
    return NULL;
}

/* The memory backends (-object memory-backend-*), in creation order. */
MemdevList *qmp_query_memdev(GError **errp)
{
    MemdevList *head = NULL, **tail = &head;

    host_memory_backend_foreach(memdev_add, &tail);
    return head;
}

/* Registered models, or kvmu's basic three until the cli registers them. */
static GPtrArray *cpu_model_list(void)
{
    static GPtrArray *fallback;

    if (monitor_cpu_models()) {
        return monitor_cpu_models();
    }
    if (!fallback) {
        static MonitorCpuModel basic[] = {
            { (char *)"qemu64", true }, { (char *)"max", false },
            { (char *)"host", false },
        };
        fallback = g_ptr_array_new();
        for (size_t i = 0; i < G_N_ELEMENTS(basic); i++) {
            g_ptr_array_add(fallback, &basic[i]);
        }
    }
    return fallback;
}

/* The features @model asks for that @host (the accelerator's "host"
 * expansion) lacks, in feature-word order: what libvirt reads to tell
 * which models the host can run */
static strList *unavailable(MonitorCpuModelExpander *expand, QDict *host,
                            const char *model)
{
    strList *head = NULL, **tail = &head;
    QDict *m = expand(model, true, NULL);

    for (const QDictEntry *e = m ? qdict_first(m) : NULL; e;
         e = qdict_next(m, e)) {
        if (qdict_get_try_bool(m, e->key, false) &&
            qdict_haskey(host, e->key) &&
            !qdict_get_try_bool(host, e->key, false)) {
            strList *s = g_new0(strList, 1);
            s->value = g_strdup(e->key);
            *tail = s;
            tail = &s->next;
        }
    }
    qobject_unref(m);
    return head;
}

CpuDefinitionInfoList *qmp_query_cpu_definitions(GError **errp)
{
    GPtrArray *models = cpu_model_list();
    CpuDefinitionInfoList *head = NULL, **tail = &head;
    MonitorCpuModelExpander *expand = monitor_cpu_model_expander();
    QDict *host = expand ? expand("host", true, NULL) : NULL;

    for (guint i = 0; i < models->len; i++) {
        MonitorCpuModel *m = g_ptr_array_index(models, i);
        CpuDefinitionInfoList *e = g_new0(CpuDefinitionInfoList, 1);
        CpuDefinitionInfo *d = g_new0(CpuDefinitionInfo, 1);

        d->name = g_strdup(m->name);
        d->has_migration_safe = true;
        d->migration_safe = m->migration_safe;
        d->q_static = false;
        d->typename = g_strdup_printf("%s-x86_64-cpu", m->name);
        d->deprecated = false;
        if (host) {
            d->unavailable_features = unavailable(expand, host, m->name);
        }
        e->value = d;
        *tail = e;
        tail = &e->next;
    }
    qobject_unref(host);
    return head;
}

CpuModelExpansionInfo *qmp_query_cpu_model_expansion(
    CpuModelExpansionType type, CpuModelInfo *model, GError **errp)
{
    GPtrArray *models = cpu_model_list();
    MonitorCpuModelExpander *expand = monitor_cpu_model_expander();
    bool full = type == CPU_MODEL_EXPANSION_TYPE_FULL;
    CpuModelExpansionInfo *info;
    QDict *props = NULL;
    bool known = !strcmp(model->name, "base");

    for (guint i = 0; i < models->len && !known; i++) {
        known = !strcmp(((MonitorCpuModel *)g_ptr_array_index(models, i))
                        ->name, model->name);
    }
    if (!known) {
        error_setg(errp, "The CPU type '%s' is not a recognized X86 CPU "
                   "type", model->name);
        return NULL;
    }
    if (model->props && !qobject_to_qdict(model->props)) {
        qapi_err_type("model.props", "object", errp);
        return NULL;
    }
    if (expand) {
        props = expand(model->name, full, errp);
        if (!props) {
            return NULL;
        }
    } else {
        props = qdict_new();
    }
    /* the caller's own props override the model's, as in QEMU */
    if (model->props) {
        QDict *over = qobject_to_qdict(model->props);
        for (const QDictEntry *e = qdict_first(over); e;
             e = qdict_next(over, e)) {
            qdict_put_obj(props, e->key, qobject_ref(e->value));
        }
    }
    info = g_new0(CpuModelExpansionInfo, 1);
    info->model = g_new0(CpuModelInfo, 1);
    info->model->name = g_strdup(full ? model->name : "base");
    info->model->props = QOBJECT(props);
    return info;
}

/*
 * query-pci: QEMU's PciInfo for the one root bus (bus 0). The class
 * names are the ones QEMU prints (its own wording, e.g. "Bridge" for
 * 0x0680); an unknown class has no desc. Bridges do not exist yet, so
 * pci_bridge is never set.
 */
static const struct {
    uint16_t class_id;
    const char *desc;
} pci_class_names[] = {
    { 0x0001, "VGA controller" },
    { 0x0100, "SCSI controller" },
    { 0x0101, "IDE controller" },
    { 0x0102, "Floppy controller" },
    { 0x0103, "IPI controller" },
    { 0x0104, "RAID controller" },
    { 0x0106, "SATA controller" },
    { 0x0107, "SAS controller" },
    { 0x0180, "Storage controller" },
    { 0x0200, "Ethernet controller" },
    { 0x0201, "Token Ring controller" },
    { 0x0202, "FDDI controller" },
    { 0x0203, "ATM controller" },
    { 0x0280, "Network controller" },
    { 0x0300, "VGA controller" },
    { 0x0301, "XGA controller" },
    { 0x0302, "3D controller" },
    { 0x0380, "Display controller" },
    { 0x0400, "Video controller" },
    { 0x0401, "Audio controller" },
    { 0x0402, "Phone" },
    { 0x0403, "Audio controller" },
    { 0x0480, "Multimedia controller" },
    { 0x0500, "RAM controller" },
    { 0x0501, "Flash controller" },
    { 0x0580, "Memory controller" },
    { 0x0600, "Host bridge" },
    { 0x0601, "ISA bridge" },
    { 0x0602, "EISA bridge" },
    { 0x0603, "MC bridge" },
    { 0x0604, "PCI bridge" },
    { 0x0605, "PCMCIA bridge" },
    { 0x0606, "NUBUS bridge" },
    { 0x0607, "CARDBUS bridge" },
    { 0x0608, "RACEWAY bridge" },
    { 0x0680, "Bridge" },
    { 0x0c03, "USB controller" },
};

static const char *pci_class_desc(uint16_t class_id)
{
    for (size_t i = 0; i < G_N_ELEMENTS(pci_class_names); i++) {
        if (pci_class_names[i].class_id == class_id) {
            return pci_class_names[i].desc;
        }
    }
    return NULL;
}

static PciMemoryRegionList *pci_device_regions(PCIDevice *d)
{
    PciMemoryRegionList *head = NULL, **tail = &head;

    for (int n = 0; n < PCI_NUM_BARS; n++) {
        PCIBar *bar = &d->bars[n];
        PciMemoryRegion *r;

        if (!bar->size) {
            continue;
        }
        r = g_new0(PciMemoryRegion, 1);
        r->bar = n;
        r->address = bar->addr == PCI_BAR_UNMAPPED ? -1 : (int64_t)bar->addr;
        r->size = bar->size;
        if (bar->type & PCI_BASE_ADDRESS_SPACE_IO) {
            r->type = g_strdup("io");
        } else {
            r->type = g_strdup("memory");
            r->has_prefetch = true;
            r->prefetch = !!(bar->type & PCI_BASE_ADDRESS_MEM_PREFETCH);
            r->has_mem_type_64 = true;
            r->mem_type_64 = !!(bar->type & PCI_BASE_ADDRESS_MEM_TYPE_64);
        }
        *tail = g_new0(PciMemoryRegionList, 1);
        (*tail)->value = r;
        tail = &(*tail)->next;
    }
    return head;
}

static void query_pci_device(PCIBus *bus, PCIDevice *d, void *opaque)
{
    PciDeviceInfoList ***tail = opaque;
    PciDeviceInfo *info = g_new0(PciDeviceInfo, 1);
    uint16_t class_id = pci_get_word(d->config + PCI_CLASS_DEVICE);
    uint8_t pin = d->config[PCI_INTERRUPT_PIN];

    info->bus = 0;
    info->slot = PCI_SLOT(d->devfn);
    info->function = PCI_FUNC(d->devfn);
    info->class_info = g_new0(PciDeviceClass, 1);
    info->class_info->class = class_id;
    info->class_info->desc = g_strdup(pci_class_desc(class_id));
    info->id = g_new0(PciDeviceId, 1);
    info->id->vendor = pci_get_word(d->config + PCI_VENDOR_ID);
    info->id->device = pci_get_word(d->config + PCI_DEVICE_ID);
    info->id->has_subsystem = info->id->has_subsystem_vendor = true;
    info->id->subsystem_vendor =
        pci_get_word(d->config + PCI_SUBSYSTEM_VENDOR_ID);
    info->id->subsystem = pci_get_word(d->config + PCI_SUBSYSTEM_ID);
    info->has_irq_pin = true;
    info->irq_pin = pin;
    if (pin) {
        info->has_irq = true;
        info->irq = d->config[PCI_INTERRUPT_LINE];
    }
    info->qdev_id = g_strdup(DEVICE(d)->id ? DEVICE(d)->id : "");
    info->regions = pci_device_regions(d);

    **tail = g_new0(PciDeviceInfoList, 1);
    (**tail)->value = info;
    *tail = &(**tail)->next;
}

PciInfoList *qmp_query_pci(GError **errp)
{
    PCIBus *bus = pci_bus_find();
    PciInfoList *list;
    PciDeviceInfoList **tail;

    if (!bus) {
        return NULL;            /* -machine none: no PCI */
    }
    list = g_new0(PciInfoList, 1);
    list->value = g_new0(PciInfo, 1);
    list->value->bus = 0;
    tail = &list->value->devices;
    pci_for_each_device(bus, query_pci_device, &tail);
    return list;
}

MigrationCapabilityStatusList *qmp_query_migrate_capabilities(GError **errp)
{
    return NULL;                /* no migration yet */
}

TpmModelList *qmp_query_tpm_models(GError **errp)
{
    return NULL;
}

TpmTypeList *qmp_query_tpm_types(GError **errp)
{
    return NULL;
}

SevCapability *qmp_query_sev_capabilities(GError **errp)
{
    error_setg(errp, monitor_kvm_enabled() ? "SEV is not enabled in KVM"
                                           : "KVM not enabled");
    return NULL;
}

SgxInfo *qmp_query_sgx_capabilities(GError **errp)
{
    error_setg(errp, "SGX is not enabled in KVM");
    return NULL;
}

DisplayOptions *qmp_query_display_options(GError **errp)
{
    DisplayOptions *d = g_new0(DisplayOptions, 1);

    d->type = DISPLAY_TYPE_NONE;
    return d;
}

IOThreadInfoList *qmp_query_iothreads(GError **errp)
{
    return NULL;
}

CommandLineOptionInfoList *qmp_query_command_line_options(const char *option,
                                                          GError **errp)
{
    GPtrArray *opts = monitor_cli_options();
    CommandLineOptionInfoList *head = NULL, **tail = &head;

    for (guint i = 0; opts && i < opts->len; i++) {
        MonitorCliOption *o = g_ptr_array_index(opts, i);
        CommandLineParameterInfoList **ptail;
        CommandLineOptionInfoList *e;

        if (option && g_strcmp0(option, o->option)) {
            continue;
        }
        e = g_new0(CommandLineOptionInfoList, 1);
        e->value = g_new0(CommandLineOptionInfo, 1);
        e->value->option = g_strdup(o->option);
        ptail = &e->value->parameters;
        for (char **p = o->params; p && *p; p++) {
            CommandLineParameterInfoList *pe =
                g_new0(CommandLineParameterInfoList, 1);
            const char *colon = strchr(*p, ':');
            GError *err = NULL;
            pe->value = g_new0(CommandLineParameterInfo, 1);
            pe->value->name = colon ? g_strndup(*p, colon - *p)
                                    : g_strdup(*p);
            pe->value->type = qapi_enum_parse(
                &CommandLineParameterType_lookup, colon ? colon + 1 : NULL,
                COMMAND_LINE_PARAMETER_TYPE_STRING, &err);
            g_clear_error(&err);
            *ptail = pe;
            ptail = &pe->next;
        }
        *tail = e;
        tail = &e->next;
    }
    if (option && !head) {
        error_setg(errp, "Invalid parameter 'option'");
    }
    return head;
}
