/*
 * Run state machine, vm_stop/vm_start, state-change notifiers, and the
 * servicing of system requests (shutdown, reset, powerdown, suspend,
 * wakeup) on the main loop. Names and transition table follow QEMU's
 * RunState and ShutdownCause (qapi/run-state.json).
 *
 * Requests are atomics written from any thread; everything else runs
 * under the BQL.
 */
#include "system/runstate.h"
#include "system/main-loop.h"
#include "system/timer.h"
#include "util/error.h"

#include <string.h>

bool no_reboot;
bool no_shutdown;

static const char *const runstate_names[RUN_STATE__MAX] = {
    [RUN_STATE_DEBUG] = "debug",
    [RUN_STATE_INMIGRATE] = "inmigrate",
    [RUN_STATE_INTERNAL_ERROR] = "internal-error",
    [RUN_STATE_IO_ERROR] = "io-error",
    [RUN_STATE_PAUSED] = "paused",
    [RUN_STATE_POSTMIGRATE] = "postmigrate",
    [RUN_STATE_PRELAUNCH] = "prelaunch",
    [RUN_STATE_FINISH_MIGRATE] = "finish-migrate",
    [RUN_STATE_RESTORE_VM] = "restore-vm",
    [RUN_STATE_RUNNING] = "running",
    [RUN_STATE_SAVE_VM] = "save-vm",
    [RUN_STATE_SHUTDOWN] = "shutdown",
    [RUN_STATE_SUSPENDED] = "suspended",
    [RUN_STATE_WATCHDOG] = "watchdog",
    [RUN_STATE_GUEST_PANICKED] = "guest-panicked",
    [RUN_STATE_COLO] = "colo",
};

static const char *const cause_names[SHUTDOWN_CAUSE__MAX] = {
    [SHUTDOWN_CAUSE_NONE] = "none",
    [SHUTDOWN_CAUSE_HOST_ERROR] = "host-error",
    [SHUTDOWN_CAUSE_HOST_QMP_QUIT] = "host-qmp-quit",
    [SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET] = "host-qmp-system-reset",
    [SHUTDOWN_CAUSE_HOST_SIGNAL] = "host-signal",
    [SHUTDOWN_CAUSE_HOST_UI] = "host-ui",
    [SHUTDOWN_CAUSE_GUEST_SHUTDOWN] = "guest-shutdown",
    [SHUTDOWN_CAUSE_GUEST_RESET] = "guest-reset",
    [SHUTDOWN_CAUSE_GUEST_PANIC] = "guest-panic",
    [SHUTDOWN_CAUSE_SUBSYSTEM_RESET] = "subsystem-reset",
    [SHUTDOWN_CAUSE_SNAPSHOT_LOAD] = "snapshot-load",
};

const char *runstate_name(RunState s)
{
    return (unsigned)s < RUN_STATE__MAX ? runstate_names[s] : "unknown";
}

bool runstate_from_name(const char *name, RunState *out)
{
    for (int i = 0; i < RUN_STATE__MAX; i++) {
        if (name && strcmp(name, runstate_names[i]) == 0) {
            *out = i;
            return true;
        }
    }
    return false;
}

const char *shutdown_cause_name(ShutdownCause c)
{
    return (unsigned)c < SHUTDOWN_CAUSE__MAX ? cause_names[c] : "none";
}

bool shutdown_cause_is_guest(ShutdownCause c)
{
    return c > SHUTDOWN_CAUSE_HOST_UI;
}

/* ---- transition table ---- */

typedef struct {
    RunState from, to;
} RunStateTransition;

/* clang-format off */
static const RunStateTransition transitions[] = {
    { RUN_STATE_PRELAUNCH, RUN_STATE_INMIGRATE },
    { RUN_STATE_PRELAUNCH, RUN_STATE_RUNNING },
    { RUN_STATE_PRELAUNCH, RUN_STATE_FINISH_MIGRATE },
    { RUN_STATE_PRELAUNCH, RUN_STATE_PAUSED },

    { RUN_STATE_DEBUG, RUN_STATE_RUNNING },
    { RUN_STATE_DEBUG, RUN_STATE_FINISH_MIGRATE },
    { RUN_STATE_DEBUG, RUN_STATE_PRELAUNCH },
    { RUN_STATE_DEBUG, RUN_STATE_SUSPENDED },

    { RUN_STATE_INMIGRATE, RUN_STATE_INTERNAL_ERROR },
    { RUN_STATE_INMIGRATE, RUN_STATE_IO_ERROR },
    { RUN_STATE_INMIGRATE, RUN_STATE_PAUSED },
    { RUN_STATE_INMIGRATE, RUN_STATE_RUNNING },
    { RUN_STATE_INMIGRATE, RUN_STATE_SHUTDOWN },
    { RUN_STATE_INMIGRATE, RUN_STATE_SUSPENDED },
    { RUN_STATE_INMIGRATE, RUN_STATE_WATCHDOG },
    { RUN_STATE_INMIGRATE, RUN_STATE_GUEST_PANICKED },
    { RUN_STATE_INMIGRATE, RUN_STATE_FINISH_MIGRATE },
    { RUN_STATE_INMIGRATE, RUN_STATE_PRELAUNCH },
    { RUN_STATE_INMIGRATE, RUN_STATE_POSTMIGRATE },
    { RUN_STATE_INMIGRATE, RUN_STATE_COLO },

    { RUN_STATE_INTERNAL_ERROR, RUN_STATE_PAUSED },
    { RUN_STATE_INTERNAL_ERROR, RUN_STATE_FINISH_MIGRATE },
    { RUN_STATE_INTERNAL_ERROR, RUN_STATE_PRELAUNCH },

    { RUN_STATE_IO_ERROR, RUN_STATE_RUNNING },
    { RUN_STATE_IO_ERROR, RUN_STATE_FINISH_MIGRATE },
    { RUN_STATE_IO_ERROR, RUN_STATE_PRELAUNCH },

    { RUN_STATE_PAUSED, RUN_STATE_RUNNING },
    { RUN_STATE_PAUSED, RUN_STATE_FINISH_MIGRATE },
    { RUN_STATE_PAUSED, RUN_STATE_POSTMIGRATE },
    { RUN_STATE_PAUSED, RUN_STATE_PRELAUNCH },
    { RUN_STATE_PAUSED, RUN_STATE_COLO },
    { RUN_STATE_PAUSED, RUN_STATE_SAVE_VM },
    { RUN_STATE_PAUSED, RUN_STATE_RESTORE_VM },
    { RUN_STATE_PAUSED, RUN_STATE_SHUTDOWN },

    { RUN_STATE_POSTMIGRATE, RUN_STATE_RUNNING },
    { RUN_STATE_POSTMIGRATE, RUN_STATE_FINISH_MIGRATE },
    { RUN_STATE_POSTMIGRATE, RUN_STATE_PRELAUNCH },

    { RUN_STATE_FINISH_MIGRATE, RUN_STATE_RUNNING },
    { RUN_STATE_FINISH_MIGRATE, RUN_STATE_PAUSED },
    { RUN_STATE_FINISH_MIGRATE, RUN_STATE_POSTMIGRATE },
    { RUN_STATE_FINISH_MIGRATE, RUN_STATE_PRELAUNCH },
    { RUN_STATE_FINISH_MIGRATE, RUN_STATE_COLO },
    { RUN_STATE_FINISH_MIGRATE, RUN_STATE_INTERNAL_ERROR },
    { RUN_STATE_FINISH_MIGRATE, RUN_STATE_IO_ERROR },
    { RUN_STATE_FINISH_MIGRATE, RUN_STATE_SHUTDOWN },
    { RUN_STATE_FINISH_MIGRATE, RUN_STATE_SUSPENDED },
    { RUN_STATE_FINISH_MIGRATE, RUN_STATE_WATCHDOG },
    { RUN_STATE_FINISH_MIGRATE, RUN_STATE_GUEST_PANICKED },

    { RUN_STATE_RESTORE_VM, RUN_STATE_RUNNING },
    { RUN_STATE_RESTORE_VM, RUN_STATE_PRELAUNCH },
    { RUN_STATE_RESTORE_VM, RUN_STATE_PAUSED },

    { RUN_STATE_COLO, RUN_STATE_RUNNING },
    { RUN_STATE_COLO, RUN_STATE_PRELAUNCH },
    { RUN_STATE_COLO, RUN_STATE_SHUTDOWN },

    { RUN_STATE_RUNNING, RUN_STATE_DEBUG },
    { RUN_STATE_RUNNING, RUN_STATE_INTERNAL_ERROR },
    { RUN_STATE_RUNNING, RUN_STATE_IO_ERROR },
    { RUN_STATE_RUNNING, RUN_STATE_PAUSED },
    { RUN_STATE_RUNNING, RUN_STATE_FINISH_MIGRATE },
    { RUN_STATE_RUNNING, RUN_STATE_RESTORE_VM },
    { RUN_STATE_RUNNING, RUN_STATE_SAVE_VM },
    { RUN_STATE_RUNNING, RUN_STATE_SHUTDOWN },
    { RUN_STATE_RUNNING, RUN_STATE_WATCHDOG },
    { RUN_STATE_RUNNING, RUN_STATE_GUEST_PANICKED },
    { RUN_STATE_RUNNING, RUN_STATE_COLO },
    { RUN_STATE_RUNNING, RUN_STATE_SUSPENDED },

    { RUN_STATE_SAVE_VM, RUN_STATE_RUNNING },
    { RUN_STATE_SAVE_VM, RUN_STATE_PAUSED },

    { RUN_STATE_SHUTDOWN, RUN_STATE_PAUSED },
    { RUN_STATE_SHUTDOWN, RUN_STATE_FINISH_MIGRATE },
    { RUN_STATE_SHUTDOWN, RUN_STATE_PRELAUNCH },
    { RUN_STATE_SHUTDOWN, RUN_STATE_COLO },

    { RUN_STATE_SUSPENDED, RUN_STATE_RUNNING },
    { RUN_STATE_SUSPENDED, RUN_STATE_FINISH_MIGRATE },
    { RUN_STATE_SUSPENDED, RUN_STATE_PRELAUNCH },
    { RUN_STATE_SUSPENDED, RUN_STATE_COLO },
    { RUN_STATE_SUSPENDED, RUN_STATE_PAUSED },
    { RUN_STATE_SUSPENDED, RUN_STATE_SHUTDOWN },

    { RUN_STATE_WATCHDOG, RUN_STATE_RUNNING },
    { RUN_STATE_WATCHDOG, RUN_STATE_FINISH_MIGRATE },
    { RUN_STATE_WATCHDOG, RUN_STATE_PRELAUNCH },
    { RUN_STATE_WATCHDOG, RUN_STATE_COLO },

    { RUN_STATE_GUEST_PANICKED, RUN_STATE_RUNNING },
    { RUN_STATE_GUEST_PANICKED, RUN_STATE_FINISH_MIGRATE },
    { RUN_STATE_GUEST_PANICKED, RUN_STATE_PRELAUNCH },
    { RUN_STATE_GUEST_PANICKED, RUN_STATE_SHUTDOWN },
};
/* clang-format on */

static RunState current_state = RUN_STATE_PRELAUNCH;

bool runstate_is_valid_transition(RunState from, RunState to)
{
    if (from == to) {
        return true;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(transitions); i++) {
        if (transitions[i].from == from && transitions[i].to == to) {
            return true;
        }
    }
    return false;
}

RunState runstate_get(void)
{
    return current_state;
}

bool runstate_check(RunState s)
{
    return current_state == s;
}

bool runstate_is_running(void)
{
    return current_state == RUN_STATE_RUNNING;
}

bool runstate_set(RunState s, GError **errp)
{
    if ((unsigned)s >= RUN_STATE__MAX) {
        error_setg(errp, "invalid runstate %d", (int)s);
        return false;
    }
    if (!runstate_is_valid_transition(current_state, s)) {
        error_setg(errp, "invalid runstate transition: '%s' -> '%s'",
                   runstate_name(current_state), runstate_name(s));
        return false;
    }
    current_state = s;
    return true;
}

/* ---- notifiers and hooks ---- */

struct VMChangeStateEntry {
    VMChangeStateHandler *cb;
    void *opaque;
};

typedef struct {
    RunstateEventHook *fn;
    void *opaque;
} EventHook;

typedef struct {
    void (*fn)(void *opaque);
    void *opaque;
} HandlerEntry;

static GList *change_handlers;    /* VMChangeStateEntry * */
static GList *event_hooks;        /* EventHook * */
static GList *reset_handlers;     /* HandlerEntry * */
static GList *powerdown_handlers; /* HandlerEntry * */
static GList *suspend_handlers;   /* HandlerEntry * */
static VcpuControlOps vcpu_ops;
static PanicActionKind panic_action = PANIC_ACT_SHUTDOWN; /* -action */
static WatchdogActionKind watchdog_action = WATCHDOG_ACT_RESET;
static bool exit_failure;         /* panic=exit-failure happened */
static ShutdownCause last_shutdown_cause;

VMChangeStateEntry *qemu_add_vm_change_state_handler(VMChangeStateHandler *cb,
                                                     void *opaque)
{
    VMChangeStateEntry *e = g_new(VMChangeStateEntry, 1);
    e->cb = cb;
    e->opaque = opaque;
    change_handlers = g_list_append(change_handlers, e);
    return e;
}

void qemu_del_vm_change_state_handler(VMChangeStateEntry *e)
{
    if (e) {
        change_handlers = g_list_remove(change_handlers, e);
        g_free(e);
    }
}

void vm_state_notify(bool running, RunState state)
{
    /* Start: in registration order; stop: reverse, so what started last
     * stops first. Copy: a handler may unregister itself. */
    GList *copy = g_list_copy(change_handlers);
    if (!running) {
        copy = g_list_reverse(copy);
    }
    for (GList *l = copy; l; l = l->next) {
        if (g_list_find(change_handlers, l->data)) {
            VMChangeStateEntry *e = l->data;
            e->cb(e->opaque, running, state);
        }
    }
    g_list_free(copy);
}

void runstate_add_event_hook(RunstateEventHook *fn, void *opaque)
{
    EventHook *h = g_new(EventHook, 1);
    h->fn = fn;
    h->opaque = opaque;
    event_hooks = g_list_append(event_hooks, h);
}

void runstate_remove_event_hook(RunstateEventHook *fn, void *opaque)
{
    for (GList *l = event_hooks; l; l = l->next) {
        EventHook *h = l->data;
        if (h->fn == fn && h->opaque == opaque) {
            event_hooks = g_list_delete_link(event_hooks, l);
            g_free(h);
            return;
        }
    }
}

static void emit_event(const char *name, bool guest, const char *reason)
{
    GList *copy = g_list_copy(event_hooks);
    for (GList *l = copy; l; l = l->next) {
        if (g_list_find(event_hooks, l->data)) {
            EventHook *h = l->data;
            h->fn(h->opaque, name, guest, reason);
        }
    }
    g_list_free(copy);
}

static GList *handler_add(GList *list, void (*fn)(void *), void *opaque)
{
    HandlerEntry *h = g_new(HandlerEntry, 1);
    h->fn = fn;
    h->opaque = opaque;
    return g_list_append(list, h);
}

static void handlers_run(GList *list)
{
    for (GList *l = list; l; l = l->next) {
        HandlerEntry *h = l->data;
        h->fn(h->opaque);
    }
}

void qemu_register_reset(QEMUResetHandler *fn, void *opaque)
{
    reset_handlers = handler_add(reset_handlers, fn, opaque);
}

void qemu_unregister_reset(QEMUResetHandler *fn, void *opaque)
{
    for (GList *l = reset_handlers; l; l = l->next) {
        HandlerEntry *h = l->data;
        if (h->fn == fn && h->opaque == opaque) {
            reset_handlers = g_list_delete_link(reset_handlers, l);
            g_free(h);
            return;
        }
    }
}

void qemu_register_powerdown_handler(RunstateHandler *fn, void *opaque)
{
    powerdown_handlers = handler_add(powerdown_handlers, fn, opaque);
}

void qemu_register_suspend_handler(RunstateHandler *fn, void *opaque)
{
    suspend_handlers = handler_add(suspend_handlers, fn, opaque);
}

void runstate_set_vcpu_ops(const VcpuControlOps *ops)
{
    if (ops) {
        vcpu_ops = *ops;
    } else {
        memset(&vcpu_ops, 0, sizeof(vcpu_ops));
    }
}

void runstate_set_panic_shutdown(bool shutdown)
{
    panic_action = shutdown ? PANIC_ACT_SHUTDOWN : PANIC_ACT_PAUSE;
}

void runstate_set_actions(int reboot, int shutdown, int panic, int watchdog)
{
    if (reboot >= 0) {
        __atomic_store_n(&no_reboot, reboot == REBOOT_ACT_SHUTDOWN,
                         __ATOMIC_RELAXED);
    }
    if (shutdown >= 0) {
        no_shutdown = shutdown == SHUTDOWN_ACT_PAUSE;
    }
    if (panic >= 0) {
        panic_action = (PanicActionKind)panic;
    }
    if (watchdog >= 0) {
        watchdog_action = (WatchdogActionKind)watchdog;
    }
}

WatchdogActionKind runstate_watchdog_action(void)
{
    return watchdog_action;
}

int runstate_exit_status(void)
{
    return exit_failure ? 1 : 0;
}

static void pause_all_vcpus(void)
{
    if (vcpu_ops.pause_all) {
        vcpu_ops.pause_all(vcpu_ops.opaque);
    }
}

static void resume_all_vcpus(void)
{
    if (vcpu_ops.resume_all) {
        vcpu_ops.resume_all(vcpu_ops.opaque);
    }
}

void qemu_system_reset(ShutdownCause cause)
{
    handlers_run(reset_handlers);
    if (cause != SHUTDOWN_CAUSE_NONE &&
        cause != SHUTDOWN_CAUSE_SUBSYSTEM_RESET) {
        emit_event("RESET", shutdown_cause_is_guest(cause),
                   shutdown_cause_name(cause));
    }
}

/* ---- vm_stop / vm_start ---- */

static int vmstop_requested; /* RunState + 1, 0 = none; atomic */

bool vm_stop(RunState state, GError **errp)
{
    if (!qemu_in_main_thread()) {
        qemu_system_vmstop_request(state);
        return true;
    }
    if (!runstate_is_valid_transition(current_state, state)) {
        return runstate_set(state, errp); /* sets the error */
    }
    if (!runstate_is_running()) {
        return runstate_set(state, errp);
    }
    pause_all_vcpus();
    virtual_clock_set_running(false);
    runstate_set(state, NULL);
    vm_state_notify(false, state);
    emit_event("STOP", false, NULL);
    return true;
}

bool vm_start(GError **errp)
{
    if (runstate_is_running()) {
        return true;
    }
    if (!runstate_is_valid_transition(current_state, RUN_STATE_RUNNING)) {
        return runstate_set(RUN_STATE_RUNNING, errp);
    }
    emit_event("RESUME", false, NULL);
    virtual_clock_set_running(true);
    runstate_set(RUN_STATE_RUNNING, NULL);
    vm_state_notify(true, RUN_STATE_RUNNING);
    resume_all_vcpus();
    return true;
}

/* ---- requests ---- */

static int shutdown_requested; /* ShutdownCause; atomic */
static int reset_requested;    /* ShutdownCause; atomic */
static int powerdown_requested;
static int suspend_requested;
static int wakeup_requested;
static int debug_requested;
static int shutdown_signal;
static int shutdown_pid;
static bool force_quit; /* host-signal / quit override no_shutdown */

void qemu_system_shutdown_request(ShutdownCause cause)
{
    if (cause == SHUTDOWN_CAUSE_NONE) {
        cause = SHUTDOWN_CAUSE_HOST_ERROR;
    }
    if (cause == SHUTDOWN_CAUSE_HOST_QMP_QUIT ||
        cause == SHUTDOWN_CAUSE_HOST_SIGNAL) {
        __atomic_store_n(&force_quit, true, __ATOMIC_SEQ_CST);
    }
    __atomic_store_n(&shutdown_requested, cause, __ATOMIC_SEQ_CST);
    main_loop_wake();
}

void qemu_system_reset_request(ShutdownCause cause)
{
    if (cause == SHUTDOWN_CAUSE_NONE) {
        cause = SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET;
    }
    /* -no-reboot: a reboot ends the VM instead (QEMU's reboot=shutdown). */
    if (__atomic_load_n(&no_reboot, __ATOMIC_RELAXED) &&
        cause != SHUTDOWN_CAUSE_SUBSYSTEM_RESET) {
        __atomic_store_n(&shutdown_requested, cause, __ATOMIC_SEQ_CST);
    } else {
        __atomic_store_n(&reset_requested, cause, __ATOMIC_SEQ_CST);
    }
    main_loop_wake();
}

void qemu_system_powerdown_request(void)
{
    __atomic_store_n(&powerdown_requested, 1, __ATOMIC_SEQ_CST);
    main_loop_wake();
}

void qemu_system_suspend_request(void)
{
    __atomic_store_n(&suspend_requested, 1, __ATOMIC_SEQ_CST);
    main_loop_wake();
}

void qemu_system_wakeup_request(void)
{
    __atomic_store_n(&wakeup_requested, 1, __ATOMIC_SEQ_CST);
    main_loop_wake();
}

void qemu_system_vmstop_request(RunState state)
{
    __atomic_store_n(&vmstop_requested, (int)state + 1, __ATOMIC_SEQ_CST);
    main_loop_wake();
}

void qemu_system_debug_request(void)
{
    __atomic_store_n(&debug_requested, 1, __ATOMIC_SEQ_CST);
    main_loop_wake();
}

void qemu_system_killed(int signo, pid_t pid)
{
    __atomic_store_n(&shutdown_signal, signo, __ATOMIC_SEQ_CST);
    __atomic_store_n(&shutdown_pid, (int)pid, __ATOMIC_SEQ_CST);
    qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_SIGNAL);
}

static int panic_requested;

void qemu_system_guest_panicked(void)
{
    __atomic_store_n(&panic_requested, 1, __ATOMIC_SEQ_CST);
    main_loop_wake();
}

/*
 * QEMU's -action panic=: pause (also shutdown while shutdown=pause, i.e.
 * -no-shutdown), shutdown, exit-failure (shutdown, exit status 1) or none
 * (the guest runs on; the event says "run").
 */
static void service_guest_panic(void)
{
    bool pause = panic_action == PANIC_ACT_PAUSE ||
                 (panic_action == PANIC_ACT_SHUTDOWN && no_shutdown);

    if (panic_action == PANIC_ACT_NONE) {
        emit_event("GUEST_PANICKED", true, "run");
        return;
    }
    emit_event("GUEST_PANICKED", true, pause ? "pause" : "poweroff");
    if (!vm_stop(RUN_STATE_GUEST_PANICKED, NULL)) {
        current_state = RUN_STATE_GUEST_PANICKED;
    }
    if (!pause) {
        if (panic_action == PANIC_ACT_EXIT_FAILURE) {
            exit_failure = true;
            /* not held back by shutdown=pause: the process ends */
            __atomic_store_n(&force_quit, true, __ATOMIC_SEQ_CST);
        }
        qemu_system_shutdown_request(SHUTDOWN_CAUSE_GUEST_PANIC);
    }
}

bool qemu_system_shutdown_pending(void)
{
    return __atomic_load_n(&shutdown_requested, __ATOMIC_SEQ_CST) != 0;
}

ShutdownCause runstate_last_shutdown_cause(void)
{
    return last_shutdown_cause;
}

static int take(int *flag)
{
    return __atomic_exchange_n(flag, 0, __ATOMIC_SEQ_CST);
}

static void kill_report(void)
{
    int signo = take(&shutdown_signal);
    int pid = __atomic_load_n(&shutdown_pid, __ATOMIC_SEQ_CST);

    if (!signo) {
        return;
    }
    if (pid == 0) {
        error_report("terminating on signal %d", signo);
        return;
    }
    char *path = g_strdup_printf("/proc/%d/comm", pid);
    char *comm = NULL;
    if (g_file_get_contents(path, &comm, NULL, NULL)) {
        g_strchomp(comm);
    }
    error_report("terminating on signal %d from pid %d (%s)", signo, pid,
                 comm ? comm : "<unknown process>");
    g_free(comm);
    g_free(path);
}

bool runstate_service_requests(void)
{
    int r;

    if ((r = take(&vmstop_requested))) {
        vm_stop((RunState)(r - 1), NULL);
    }
    if (take(&panic_requested)) {
        service_guest_panic();
    }
    if (take(&debug_requested)) {
        vm_stop(RUN_STATE_DEBUG, NULL);
    }
    if (take(&suspend_requested) && runstate_is_running()) {
        pause_all_vcpus();
        handlers_run(suspend_handlers);
        runstate_set(RUN_STATE_SUSPENDED, NULL);
        emit_event("SUSPEND", false, NULL);
    }
    if ((r = take(&shutdown_requested))) {
        ShutdownCause cause = r;
        bool forced = __atomic_exchange_n(&force_quit, false, __ATOMIC_SEQ_CST);
        kill_report();
        last_shutdown_cause = cause;
        emit_event("SHUTDOWN", shutdown_cause_is_guest(cause),
                   shutdown_cause_name(cause));
        if (!no_shutdown || forced) {
            return true;
        }
        /* -no-shutdown: stay alive, stopped, for the management app. */
        if (!vm_stop(RUN_STATE_SHUTDOWN, NULL)) {
            current_state = RUN_STATE_SHUTDOWN;
        }
    }
    if ((r = take(&reset_requested))) {
        pause_all_vcpus();
        qemu_system_reset((ShutdownCause)r);
        resume_all_vcpus();
        if (!runstate_check(RUN_STATE_RUNNING) &&
            !runstate_check(RUN_STATE_INMIGRATE) &&
            !runstate_check(RUN_STATE_FINISH_MIGRATE)) {
            runstate_set(RUN_STATE_PRELAUNCH, NULL);
        }
    }
    if (take(&wakeup_requested) && runstate_check(RUN_STATE_SUSPENDED)) {
        pause_all_vcpus();
        qemu_system_reset(SHUTDOWN_CAUSE_NONE);
        runstate_set(RUN_STATE_RUNNING, NULL);
        resume_all_vcpus();
        emit_event("WAKEUP", false, NULL);
    }
    if (take(&powerdown_requested)) {
        emit_event("POWERDOWN", false, NULL);
        handlers_run(powerdown_handlers);
    }
    return false;
}

void runstate_reset_for_test(void)
{
    if (runstate_is_running()) {
        virtual_clock_set_running(false);
    }
    current_state = RUN_STATE_PRELAUNCH;
    take(&vmstop_requested);
    take(&debug_requested);
    take(&suspend_requested);
    take(&shutdown_requested);
    take(&reset_requested);
    take(&wakeup_requested);
    take(&powerdown_requested);
    take(&panic_requested);
    take(&shutdown_signal);
    __atomic_store_n(&force_quit, false, __ATOMIC_SEQ_CST);
    last_shutdown_cause = SHUTDOWN_CAUSE_NONE;
    no_reboot = no_shutdown = false;
    panic_action = PANIC_ACT_SHUTDOWN;
    watchdog_action = WATCHDOG_ACT_RESET;
    exit_failure = false;
}
