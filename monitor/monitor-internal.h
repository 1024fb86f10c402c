/*
 * Shared between the files of monitor/: the Monitor object, output, the
 * current-monitor pointer that command implementations consult, and the
 * HMP command runner used by human-monitor-command.
 */
#ifndef MONITOR_INTERNAL_H
#define MONITOR_INTERNAL_H

#include "monitor/monitor.h"
#include "chardev/char.h"
#include "qobject/json.h"
#include "qapi/qmp-dispatch.h"

#define QMP_REQ_QUEUE_LEN_MAX 8

struct Monitor {
    CharFrontend fe;
    bool is_qmp;
    bool pretty;
    bool connected;
    bool warned_drop;           /* output dropped: warned this connection */

    /* QMP */
    JsonStreamer *parser;
    bool negotiated;
    bool oob_enabled;
    GQueue requests;            /* QObject * in-band requests to run */
    bool suspended;             /* stopped reading: queue full */

    /* HMP */
    GString *line;
    size_t cursor;              /* insertion point in line */
    int esc_state;              /* 0, 1 after ESC, 2 after ESC [ or ESC O */
    int esc_param;              /* numeric parameter of ESC [ n ~ */
    GPtrArray *history;
    int history_pos;
    bool mux_out;               /* on a mux without the focus */
    GString *held;              /* output while mux_out (bounded) */

    unsigned cpu_index;         /* HMP "cpu N": x, info registers/mem */

    /* descriptor received (SCM_RIGHTS) with the current input, or -1 */
    int recv_fd;

    /* capture (human-monitor-command) */
    GString *capture;
};

extern QmpCommandList qmp_commands;
extern QmpCommandList qmp_cap_negotiation_commands;
/* The monitor whose command runs now (NULL outside a command). */
extern Monitor *cur_mon;

/* Raw output (HMP text converts "\n" to "\r\n"). */
void monitor_puts(Monitor *mon, const char *str);
void monitor_printf(Monitor *mon, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Over MONITOR_OUTPUT_HIGH_WATER bytes of output wait for the client:
 * do not read or run more requests until the chardev's write_ready
 * callback says the queue drained. */
#define MONITOR_OUTPUT_HIGH_WATER (1024 * 1024)
/* HMP output held while another mux frontend has the focus */
#define MONITOR_HELD_MAX (64 * 1024)
bool monitor_output_blocked(Monitor *mon);
/* All monitors, creation order. */
GList *monitor_list(void);

/* qmp.c */
void monitor_qmp_setup(Monitor *mon);
void monitor_qmp_free(Monitor *mon);
void monitor_qmp_send(Monitor *mon, QDict *msg);
void monitor_qmp_init_commands(void);

/* qmp-cmds-fd.c: hand over a descriptor received with the input being
 * processed (takes ownership; getfd/add-fd claim it). */
void monitor_set_received_fd(Monitor *mon, int fd);
/* The fd getfd named @fdname, taken out of the table (the caller closes
 * it), or -1 with errp set. */
int monitor_take_named_fd(const char *fdname, GError **errp);

/* hmp.c */
void monitor_hmp_setup(Monitor *mon);
void monitor_hmp_free(Monitor *mon);
/* Run one HMP command line with output to mon (or its capture). */
void hmp_handle_command(Monitor *mon, const char *cmdline);
/* Completions of the last word of line (command or info subcommand). */
GPtrArray *hmp_complete(const char *line);

/* cpus.c: number of vCPUs (0 without a machine or accelerator) */
unsigned monitor_cpu_total(void);
/* vCPU @index's registers (false: no such vCPU or no accelerator). */
struct KvmCpuState;
bool monitor_cpu_state(unsigned index, struct KvmCpuState *st);

/* events.c */
void monitor_events_init(void);

/* state set by the cli (monitor.c) */
const char *monitor_vm_name(void);
bool monitor_vm_uuid(uint8_t out[16]);
bool monitor_kvm_enabled(void);

typedef struct MonitorCliOption {
    char *option;
    char **params;              /* "name:type" */
} MonitorCliOption;
GPtrArray *monitor_cli_options(void);

typedef struct MonitorMachine {
    char *name, *alias, *default_cpu_type;
    bool is_default;
    int cpu_max;
} MonitorMachine;
GPtrArray *monitor_machines(void);

typedef struct MonitorCpuModel {
    char *name;
    bool migration_safe;
} MonitorCpuModel;
GPtrArray *monitor_cpu_models(void);
MonitorCpuModelExpander *monitor_cpu_model_expander(void);
/* cpu-model.c: models and expander from target/i386 when linked in. */
void monitor_cpu_models_init(void);

/* Set by the command line (monitor_set_machine_size). */
typedef struct MonitorMachineSize {
    uint64_t ram_size;
    unsigned sockets, dies, clusters, cores, threads;
} MonitorMachineSize;
extern MonitorMachineSize monitor_machine_size;

#endif
