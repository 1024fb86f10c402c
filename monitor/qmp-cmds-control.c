/* QMP commands about QMP itself and the process: version, command list,
 * quit, and the bridge to the human monitor. */
#include "monitor-internal.h"
#include "qapi/qapi-commands.h"
#include "system/runstate.h"
#include "config-host.h"

VersionInfo *qmp_query_version(GError **errp)
{
    VersionInfo *info = g_new0(VersionInfo, 1);

    info->qemu = g_new0(VersionTriple, 1);
    info->qemu->major = QEMU_IFACE_MAJOR;
    info->qemu->minor = QEMU_IFACE_MINOR;
    info->qemu->micro = QEMU_IFACE_MICRO;
    info->package = g_strdup("kvmu " KVMU_VERSION);
    return info;
}

CommandInfoList *qmp_query_commands(GError **errp)
{
    CommandInfoList *head = NULL, **tail = &head;

    for (guint i = 0; i < qmp_commands.cmds->len; i++) {
        QmpCommand *cmd = g_ptr_array_index(qmp_commands.cmds, i);
        CommandInfoList *e;

        if (!cmd->enabled) {
            continue;
        }
        e = g_new0(CommandInfoList, 1);
        e->value = g_new0(CommandInfo, 1);
        e->value->name = g_strdup(cmd->name);
        *tail = e;
        tail = &e->next;
    }
    return head;
}

void qmp_quit(GError **errp)
{
    qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
}

char *qmp_human_monitor_command(const char *command_line, bool has_cpu_index,
                                int64_t cpu_index, GError **errp)
{
    Monitor hmp = { .recv_fd = -1 };
    char *out;

    if (has_cpu_index) {
        if (cpu_index < 0 || cpu_index >= monitor_cpu_total()) {
            error_setg(errp, "Parameter 'cpu-index' expects a CPU number");
            return NULL;
        }
        hmp.cpu_index = (unsigned)cpu_index;
    }
    hmp.capture = g_string_new(NULL);
    hmp_handle_command(&hmp, command_line);
    out = g_string_free(hmp.capture, FALSE);
    return out;
}
