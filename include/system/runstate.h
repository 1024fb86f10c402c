/*
 * Run state, state-change notifiers, and system requests (shutdown, reset,
 * powerdown, wakeup, vm stop).
 *
 * The run state names are QEMU's RunState enum strings (query-status);
 * the shutdown causes are QEMU's ShutdownCause strings (the SHUTDOWN and
 * RESET events' "reason"). Transitions follow a table; an invalid one
 * fails with an error.
 *
 * Who calls what:
 *  - devices and vCPU threads (any thread, any lock): the *_request()
 *    functions; they only record the request and wake the main loop.
 *  - the main loop: runstate_service_requests() each iteration, with the
 *    BQL; it runs reset handlers, vm_stop()/vm_start(), emits events, and
 *    returns true when the process should exit.
 *  - the board / cli: qemu_register_reset(), the no_reboot/no_shutdown
 *    flags, runstate_set_vcpu_ops() (accel), runstate_add_event_hook()
 *    (monitor: QMP events).
 *  - monitor: vm_stop(RUN_STATE_PAUSED) for "stop", vm_start() for "cont",
 *    runstate_get()/runstate_name() for query-status.
 *
 * Locking: everything except the *_request() functions needs the BQL.
 * vm_stop() called from a non-main thread becomes a vmstop request.
 */
#ifndef SYSTEM_RUNSTATE_H
#define SYSTEM_RUNSTATE_H

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

typedef enum {
    RUN_STATE_DEBUG,
    RUN_STATE_INMIGRATE,
    RUN_STATE_INTERNAL_ERROR,
    RUN_STATE_IO_ERROR,
    RUN_STATE_PAUSED,
    RUN_STATE_POSTMIGRATE,
    RUN_STATE_PRELAUNCH,
    RUN_STATE_FINISH_MIGRATE,
    RUN_STATE_RESTORE_VM,
    RUN_STATE_RUNNING,
    RUN_STATE_SAVE_VM,
    RUN_STATE_SHUTDOWN,
    RUN_STATE_SUSPENDED,
    RUN_STATE_WATCHDOG,
    RUN_STATE_GUEST_PANICKED,
    RUN_STATE_COLO,
    RUN_STATE__MAX
} RunState;

typedef enum {
    SHUTDOWN_CAUSE_NONE,                  /* "none": no shutdown requested */
    SHUTDOWN_CAUSE_HOST_ERROR,            /* "host-error" */
    SHUTDOWN_CAUSE_HOST_QMP_QUIT,         /* "host-qmp-quit" */
    SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET, /* "host-qmp-system-reset" */
    SHUTDOWN_CAUSE_HOST_SIGNAL,           /* "host-signal" */
    SHUTDOWN_CAUSE_HOST_UI,               /* "host-ui" */
    SHUTDOWN_CAUSE_GUEST_SHUTDOWN,        /* "guest-shutdown" */
    SHUTDOWN_CAUSE_GUEST_RESET,           /* "guest-reset" */
    SHUTDOWN_CAUSE_GUEST_PANIC,           /* "guest-panic" */
    SHUTDOWN_CAUSE_SUBSYSTEM_RESET,       /* "subsystem-reset" */
    SHUTDOWN_CAUSE_SNAPSHOT_LOAD,         /* "snapshot-load" */
    SHUTDOWN_CAUSE__MAX
} ShutdownCause;

const char *runstate_name(RunState s); /* "running", ... */
bool runstate_from_name(const char *name, RunState *out);
const char *shutdown_cause_name(ShutdownCause c); /* "guest-reset", ... */
/* QEMU's rule: causes after host-ui are the guest's doing. */
bool shutdown_cause_is_guest(ShutdownCause c);

/* ---- state ---- */
RunState runstate_get(void);
bool runstate_check(RunState s);
bool runstate_is_running(void);
/* Checked against the transition table; same state is a no-op success.
 * Error: "invalid runstate transition: 'a' -> 'b'". */
bool runstate_is_valid_transition(RunState from, RunState to);
bool runstate_set(RunState s, GError **errp);
/* Reset to prelaunch and clear pending requests (tests only). */
void runstate_reset_for_test(void);

/* ---- change notifiers: called with (running, new state) ---- */
typedef void VMChangeStateHandler(void *opaque, bool running, RunState state);
typedef struct VMChangeStateEntry VMChangeStateEntry;
VMChangeStateEntry *qemu_add_vm_change_state_handler(VMChangeStateHandler *cb,
                                                     void *opaque);
void qemu_del_vm_change_state_handler(VMChangeStateEntry *e);
/* Notify every handler (on start: registration order; on stop: reverse). */
void vm_state_notify(bool running, RunState state);

/*
 * vCPU control, registered by accel: pause_all must return only when no
 * vCPU runs guest code (it may drop the BQL with bql_cond_wait while it
 * waits); resume_all lets them run again.
 */
typedef struct VcpuControlOps {
    void (*pause_all)(void *opaque);
    void (*resume_all)(void *opaque);
    void *opaque;
} VcpuControlOps;
void runstate_set_vcpu_ops(const VcpuControlOps *ops);

/*
 * Stop the VM: pause vCPUs, stop the virtual clock, set the state, notify,
 * emit STOP. If already stopped only the state is changed (no event).
 * From a non-main thread it turns into a request serviced by the main
 * loop. Returns false with *errp on an invalid transition.
 */
bool vm_stop(RunState state, GError **errp);
/* Start/resume: notify, start the virtual clock, set running, resume
 * vCPUs, emit RESUME. No-op if already running. */
bool vm_start(GError **errp);

/* ---- requests: any thread, no lock needed ---- */
void qemu_system_shutdown_request(ShutdownCause cause);
void qemu_system_reset_request(ShutdownCause cause);
void qemu_system_powerdown_request(void);
void qemu_system_suspend_request(void);
void qemu_system_wakeup_request(void);
void qemu_system_vmstop_request(RunState state);
void qemu_system_debug_request(void);
/* From the signalfd handler: records the signal and sender for the
 * "terminating on signal N from pid P (comm)" message. */
void qemu_system_killed(int signo, pid_t pid);
/* The guest reported a panic (pvpanic, any thread): serviced by the main
 * loop as QEMU's -action panic=shutdown (the default) or, with
 * runstate_set_panic_shutdown(false) or no_shutdown, panic=pause. */
void qemu_system_guest_panicked(void);
void runstate_set_panic_shutdown(bool shutdown);

/* -action / set-action (QEMU's RebootAction, ShutdownAction, PanicAction,
 * WatchdogAction, values in the QAPI enums' order); -1 leaves one as is.
 * reboot=shutdown is no_reboot, shutdown=pause is no_shutdown. */
typedef enum { REBOOT_ACT_RESET, REBOOT_ACT_SHUTDOWN } RebootActionKind;
typedef enum { SHUTDOWN_ACT_POWEROFF, SHUTDOWN_ACT_PAUSE } ShutdownActionKind;
typedef enum {
    PANIC_ACT_PAUSE, PANIC_ACT_SHUTDOWN, PANIC_ACT_EXIT_FAILURE,
    PANIC_ACT_NONE,
} PanicActionKind;
typedef enum {
    WATCHDOG_ACT_RESET, WATCHDOG_ACT_SHUTDOWN, WATCHDOG_ACT_POWEROFF,
    WATCHDOG_ACT_PAUSE, WATCHDOG_ACT_DEBUG, WATCHDOG_ACT_NONE,
    WATCHDOG_ACT_INJECT_NMI,
} WatchdogActionKind;
void runstate_set_actions(int reboot, int shutdown, int panic, int watchdog);
/* for watchdog devices (none yet): what an expiry does */
WatchdogActionKind runstate_watchdog_action(void);
/* The process's exit status after the main loop: 1 after a panic with
 * panic=exit-failure, else 0. */
int runstate_exit_status(void);

/* True if a shutdown request is pending (not yet serviced). */
bool qemu_system_shutdown_pending(void);
/* Cause of the last serviced shutdown (for tests and exit status). */
ShutdownCause runstate_last_shutdown_cause(void);

/*
 * Main loop only, with the BQL: service pending requests in order
 * (vmstop, debug, suspend, shutdown, reset, wakeup, powerdown). Returns
 * true when the process should exit.
 *
 * shutdown: emit SHUTDOWN {guest, reason}; with no_shutdown (and a guest
 *   cause) stop in state "shutdown" instead of exiting; host-signal and
 *   host-qmp-quit always exit.
 * reset: with no_reboot a guest reset becomes a shutdown (same cause);
 *   else pause vCPUs, run the reset handlers, emit RESET {guest, reason},
 *   resume; a VM not running/inmigrate/finish-migrate (e.g. stopped in
 *   shutdown or guest-panicked) goes to prelaunch, and "cont" runs it.
 * guest panic: GUEST_PANICKED {action}; stop in guest-panicked, and with
 *   the shutdown action (default, unless no_shutdown) request a shutdown
 *   with cause guest-panic.
 * powerdown: emit POWERDOWN, call the powerdown handlers (ACPI button).
 * wakeup: if suspended: reset, running, emit WAKEUP.
 */
bool runstate_service_requests(void);

/* ---- board/cli hooks ---- */
extern bool no_reboot;   /* -no-reboot / -action reboot=shutdown */
extern bool no_shutdown; /* -no-shutdown / -action shutdown=pause */

typedef void QEMUResetHandler(void *opaque);
/* Called in registration order by every system reset. */
void qemu_register_reset(QEMUResetHandler *fn, void *opaque);
void qemu_unregister_reset(QEMUResetHandler *fn, void *opaque);
/* Run all reset handlers now (board init calls it once before start). */
void qemu_system_reset(ShutdownCause cause);

/* Powerdown / suspend / wakeup handlers (ACPI PM, board). */
typedef void RunstateHandler(void *opaque);
void qemu_register_powerdown_handler(RunstateHandler *fn, void *opaque);
void qemu_register_suspend_handler(RunstateHandler *fn, void *opaque);

/*
 * Events for the monitor. name is the QMP event name: "SHUTDOWN",
 * "RESET" (guest and reason set), "STOP", "RESUME", "POWERDOWN",
 * "SUSPEND", "WAKEUP", "GUEST_PANICKED" (reason = "pause"/"poweroff"
 * action). reason is NULL when the event has no data.
 */
typedef void RunstateEventHook(void *opaque, const char *name, bool guest,
                               const char *reason);
void runstate_add_event_hook(RunstateEventHook *fn, void *opaque);
void runstate_remove_event_hook(RunstateEventHook *fn, void *opaque);

#endif
