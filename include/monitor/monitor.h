/*
 * The monitors: QMP (JSON, for programs) and HMP (readline-style text, for
 * humans), each attached to a chardev as its frontend.
 *
 * Who calls what:
 *  - cli/: monitor_init_globals() once after the chardevs exist and the
 *    main loop is initialised, then monitor_new() per -qmp/-monitor/-mon,
 *    and the monitor_set_*() setters with what the command line decided
 *    (VM name, UUID, accelerator, command-line option table). At exit,
 *    monitor_cleanup().
 *  - everyone else: nothing; QMP events reach the monitors through the
 *    generated qapi_event_send_*() and the runstate event hook.
 *
 * Locking: all monitor state belongs to the main loop and is protected by
 * the BQL (chardev callbacks run with it held). In-band QMP commands run
 * from a bottom half, one per main loop iteration; out-of-band commands
 * (exec-oob) run as soon as they are parsed, ahead of queued in-band ones.
 */
#ifndef MONITOR_MONITOR_H
#define MONITOR_MONITOR_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct Chardev Chardev;
typedef struct Monitor Monitor;

/* Register the QMP commands, the event hooks. Idempotent. */
void monitor_init_globals(void);

/*
 * Attach a monitor to chr. control: QMP, else HMP. pretty: QMP replies
 * pretty-printed (-qmp-pretty). Error "Device 'x' is in use" etc. from the
 * chardev layer.
 */
Monitor *monitor_new(Chardev *chr, bool control, bool pretty, GError **errp);
/* Detach and free every monitor (exit path). */
void monitor_cleanup(void);

/* What the command line decided, for query-name/-uuid/-kvm. */
void monitor_set_vm_name(const char *name);
void monitor_set_vm_uuid(const uint8_t uuid[16]);
void monitor_set_accel(bool kvm_enabled);
/* What the command line decided about the machine: guest RAM and the -smp
 * topology (query-memory-size-summary, query-cpus-fast's props). */
void monitor_set_machine_size(uint64_t ram_size, unsigned sockets,
                              unsigned dies, unsigned clusters,
                              unsigned cores, unsigned threads);

/*
 * query-command-line-options: the cli registers each option it accepts
 * with its parameters as "name:type" strings (type: string, boolean,
 * number, size), NULL-terminated. Without registrations the list is
 * empty (as QEMU's for options without a QemuOpts description).
 */
void monitor_register_cli_option(const char *option,
                                 const char *const *params);

/* query-machines: the cli (which owns the board registry) registers each. */
void monitor_register_machine(const char *name, const char *alias,
                              bool is_default, int cpu_max,
                              const char *default_cpu_type);

/*
 * query-cpu-definitions / query-cpu-model-expansion: whoever links the
 * CPU models (cli/, from target/i386's x86_cpu_model_names()) registers
 * each model, and optionally an expander that returns the model's
 * feature properties ({"sse4.2": true, ...}, a new QDict; NULL with errp
 * for an unknown model). Until then kvmu answers qemu64/max/host with no
 * properties.
 */
void monitor_register_cpu_model(const char *name, bool migration_safe);
typedef struct QDict QDict;
typedef QDict *MonitorCpuModelExpander(const char *model, bool full,
                                       GError **errp);
void monitor_set_cpu_model_expander(MonitorCpuModelExpander *fn);

#endif
