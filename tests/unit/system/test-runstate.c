/* Run state: transition table, vm_stop/vm_start notifications and events,
 * shutdown/reset/powerdown requests with no_reboot/no_shutdown. */
#include "system/main-loop.h"
#include "system/runstate.h"
#include "system/timer.h"

#include <string.h>

static GString *events;

static void event_hook(void *opaque, const char *name, bool guest,
                       const char *reason)
{
    if (events->len) {
        g_string_append_c(events, ' ');
    }
    g_string_append(events, name);
    if (reason) {
        g_string_append_printf(events, "(%s,%s)", guest ? "guest" : "host",
                               reason);
    }
}

static void setup(void)
{
    runstate_reset_for_test();
    g_string_truncate(events, 0);
}

static void test_names(void)
{
    g_assert_cmpstr(runstate_name(RUN_STATE_FINISH_MIGRATE), ==,
                    "finish-migrate");
    g_assert_cmpstr(runstate_name(RUN_STATE_GUEST_PANICKED), ==,
                    "guest-panicked");
    g_assert_cmpstr(runstate_name(RUN_STATE_COLO), ==, "colo");
    for (int i = 0; i < RUN_STATE__MAX; i++) {
        RunState s;
        g_assert_true(runstate_from_name(runstate_name(i), &s));
        g_assert_cmpint(s, ==, i);
    }
    RunState s;
    g_assert_false(runstate_from_name("bogus", &s));
    g_assert_cmpstr(shutdown_cause_name(SHUTDOWN_CAUSE_HOST_QMP_QUIT), ==,
                    "host-qmp-quit");
    g_assert_cmpstr(shutdown_cause_name(SHUTDOWN_CAUSE_GUEST_PANIC), ==,
                    "guest-panic");
    g_assert_false(shutdown_cause_is_guest(SHUTDOWN_CAUSE_HOST_SIGNAL));
    g_assert_true(shutdown_cause_is_guest(SHUTDOWN_CAUSE_GUEST_RESET));
}

static void test_transition_table(void)
{
    static const struct {
        RunState from, to;
        bool ok;
    } cases[] = {
        {RUN_STATE_PRELAUNCH, RUN_STATE_RUNNING, true},
        {RUN_STATE_PRELAUNCH, RUN_STATE_INMIGRATE, true},
        {RUN_STATE_RUNNING, RUN_STATE_PAUSED, true},
        {RUN_STATE_PAUSED, RUN_STATE_RUNNING, true},
        {RUN_STATE_RUNNING, RUN_STATE_SHUTDOWN, true},
        {RUN_STATE_SHUTDOWN, RUN_STATE_PRELAUNCH, true},
        {RUN_STATE_RUNNING, RUN_STATE_GUEST_PANICKED, true},
        {RUN_STATE_INMIGRATE, RUN_STATE_POSTMIGRATE, true},
        {RUN_STATE_RUNNING, RUN_STATE_RUNNING, true},
        {RUN_STATE_SHUTDOWN, RUN_STATE_RUNNING, false},
        {RUN_STATE_PRELAUNCH, RUN_STATE_SHUTDOWN, false},
        {RUN_STATE_INTERNAL_ERROR, RUN_STATE_RUNNING, false},
        {RUN_STATE_SAVE_VM, RUN_STATE_SHUTDOWN, false},
        {RUN_STATE_POSTMIGRATE, RUN_STATE_PAUSED, false},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_assert_cmpint(
            runstate_is_valid_transition(cases[i].from, cases[i].to), ==,
            cases[i].ok);
    }

    setup();
    GError *err = NULL;
    g_assert_false(runstate_set(RUN_STATE_SHUTDOWN, &err));
    g_assert_cmpstr(err->message, ==,
                    "invalid runstate transition: 'prelaunch' -> 'shutdown'");
    g_clear_error(&err);
    g_assert_true(runstate_check(RUN_STATE_PRELAUNCH));
    g_assert_true(runstate_set(RUN_STATE_INMIGRATE, &err));
    g_assert_cmpstr(runstate_name(runstate_get()), ==, "inmigrate");
}

static GString *notes;

static void change_cb(void *opaque, bool running, RunState state)
{
    g_string_append_printf(notes, "%s:%d:%s ", (const char *)opaque, running,
                           runstate_name(state));
}

static void test_vm_stop_start_notify(void)
{
    setup();
    notes = g_string_new("");
    VMChangeStateEntry *a = qemu_add_vm_change_state_handler(change_cb, "a");
    VMChangeStateEntry *b = qemu_add_vm_change_state_handler(change_cb, "b");

    g_assert_false(virtual_clock_is_running());
    g_assert_true(vm_start(NULL));
    g_assert_true(runstate_is_running());
    g_assert_true(virtual_clock_is_running());
    g_assert_true(vm_stop(RUN_STATE_PAUSED, NULL));
    g_assert_false(virtual_clock_is_running());
    g_assert_cmpstr(runstate_name(runstate_get()), ==, "paused");
    /* start in registration order, stop in reverse */
    g_assert_cmpstr(notes->str, ==,
                    "a:1:running b:1:running b:0:paused a:0:paused ");
    g_assert_cmpstr(events->str, ==, "RESUME STOP");

    /* invalid: nothing notified, error returned */
    GError *err = NULL;
    g_string_truncate(notes, 0);
    g_assert_false(vm_stop(RUN_STATE_INTERNAL_ERROR, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
    g_assert_cmpstr(runstate_name(runstate_get()), ==, "paused");
    g_assert_true(vm_start(NULL));
    g_assert_true(vm_stop(RUN_STATE_INTERNAL_ERROR, NULL));
    g_assert_false(vm_start(&err));
    g_assert_cmpstr(err->message, ==,
                    "invalid runstate transition: 'internal-error' -> "
                    "'running'");
    g_clear_error(&err);
    g_assert_cmpstr(notes->str, ==,
                    "a:1:running b:1:running "
                    "b:0:internal-error a:0:internal-error ");

    qemu_del_vm_change_state_handler(a);
    qemu_del_vm_change_state_handler(b);
    g_string_free(notes, TRUE);
}

static int resets;

static void reset_cb(void *opaque)
{
    resets++;
}

static void test_shutdown_request_exits(void)
{
    setup();
    vm_start(NULL);
    qemu_system_shutdown_request(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
    g_assert_true(qemu_system_shutdown_pending());
    g_assert_true(runstate_service_requests());
    g_assert_cmpstr(events->str, ==, "RESUME SHUTDOWN(guest,guest-shutdown)");
    g_assert_cmpint(runstate_last_shutdown_cause(), ==,
                    SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
}

static void test_no_shutdown_pauses(void)
{
    setup();
    no_shutdown = true;
    vm_start(NULL);
    qemu_system_shutdown_request(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
    g_assert_false(runstate_service_requests());
    g_assert_cmpstr(runstate_name(runstate_get()), ==, "shutdown");
    g_assert_cmpstr(events->str, ==,
                    "RESUME SHUTDOWN(guest,guest-shutdown) STOP");
    /* system_reset brings it back to prelaunch, cont runs it again */
    resets = 0;
    qemu_register_reset(reset_cb, NULL);
    qemu_system_reset_request(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
    g_assert_false(runstate_service_requests());
    g_assert_cmpint(resets, ==, 1);
    g_assert_cmpstr(runstate_name(runstate_get()), ==, "prelaunch");
    g_assert_true(vm_start(NULL));
    /* a signal (or quit) exits even with -no-shutdown */
    qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
    g_assert_true(runstate_service_requests());
    qemu_unregister_reset(reset_cb, NULL);
}

static void test_reset_and_no_reboot(void)
{
    setup();
    resets = 0;
    qemu_register_reset(reset_cb, NULL);
    vm_start(NULL);
    qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    g_assert_false(runstate_service_requests());
    g_assert_cmpint(resets, ==, 1);
    g_assert_true(runstate_is_running());
    g_assert_cmpstr(events->str, ==, "RESUME RESET(guest,guest-reset)");

    g_string_truncate(events, 0);
    no_reboot = true;
    qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    g_assert_true(runstate_service_requests());
    g_assert_cmpint(resets, ==, 1);
    g_assert_cmpstr(events->str, ==, "SHUTDOWN(guest,guest-reset)");

    /* subsystem resets are never turned into a shutdown, and are silent */
    setup();
    no_reboot = true;
    qemu_system_reset_request(SHUTDOWN_CAUSE_SUBSYSTEM_RESET);
    g_assert_false(runstate_service_requests());
    g_assert_cmpint(resets, ==, 2);
    g_assert_cmpstr(events->str, ==, "");
    qemu_unregister_reset(reset_cb, NULL);
}

static int powerdowns;

static void powerdown_cb(void *opaque)
{
    powerdowns++;
}

static void test_powerdown_and_vmstop_request(void)
{
    setup();
    qemu_register_powerdown_handler(powerdown_cb, NULL);
    vm_start(NULL);
    qemu_system_powerdown_request();
    g_assert_false(runstate_service_requests());
    g_assert_cmpint(powerdowns, ==, 1);
    qemu_system_vmstop_request(RUN_STATE_IO_ERROR);
    g_assert_false(runstate_service_requests());
    g_assert_cmpstr(runstate_name(runstate_get()), ==, "io-error");
    g_assert_cmpstr(events->str, ==, "RESUME POWERDOWN STOP");
}

static gpointer stop_from_thread(gpointer p)
{
    bql_lock();
    vm_stop(RUN_STATE_PAUSED, NULL); /* deferred to the main loop */
    bql_unlock();
    return NULL;
}

static void test_vm_stop_from_vcpu_thread_is_deferred(void)
{
    setup();
    vm_start(NULL);
    g_thread_join(g_thread_new("vcpu", stop_from_thread, NULL));
    g_assert_true(runstate_is_running());
    bql_lock();
    g_assert_false(runstate_service_requests());
    bql_unlock();
    g_assert_cmpstr(runstate_name(runstate_get()), ==, "paused");
}

static void test_suspend_wakeup(void)
{
    setup();
    vm_start(NULL);
    qemu_system_suspend_request();
    g_assert_false(runstate_service_requests());
    g_assert_cmpstr(runstate_name(runstate_get()), ==, "suspended");
    qemu_system_wakeup_request();
    g_assert_false(runstate_service_requests());
    g_assert_true(runstate_is_running());
    g_assert_cmpstr(events->str, ==, "RESUME SUSPEND WAKEUP");
}

static void test_guest_panic_actions(void)
{
    /* default: panic=shutdown */
    setup();
    vm_start(NULL);
    qemu_system_guest_panicked();
    g_assert_true(runstate_is_running()); /* deferred to the loop */
    g_assert_true(runstate_service_requests());
    g_assert_cmpstr(events->str, ==,
                    "RESUME GUEST_PANICKED(guest,poweroff) STOP "
                    "SHUTDOWN(guest,guest-panic)");
    /* -no-shutdown: pause in guest-panicked */
    setup();
    no_shutdown = true;
    vm_start(NULL);
    qemu_system_guest_panicked();
    g_assert_false(runstate_service_requests());
    g_assert_cmpstr(runstate_name(runstate_get()), ==, "guest-panicked");
    g_assert_cmpstr(events->str, ==, "RESUME GUEST_PANICKED(guest,pause) STOP");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    events = g_string_new("");
    runstate_add_event_hook(event_hook, NULL);
    g_test_add_func("/runstate/names", test_names);
    g_test_add_func("/runstate/transition-table", test_transition_table);
    g_test_add_func("/runstate/vm-stop-start-notify",
                    test_vm_stop_start_notify);
    g_test_add_func("/runstate/shutdown-request-exits",
                    test_shutdown_request_exits);
    g_test_add_func("/runstate/no-shutdown-pauses", test_no_shutdown_pauses);
    g_test_add_func("/runstate/reset-and-no-reboot", test_reset_and_no_reboot);
    g_test_add_func("/runstate/powerdown-and-vmstop-request",
                    test_powerdown_and_vmstop_request);
    g_test_add_func("/runstate/vm-stop-from-vcpu-thread-is-deferred",
                    test_vm_stop_from_vcpu_thread_is_deferred);
    g_test_add_func("/runstate/suspend-wakeup", test_suspend_wakeup);
    g_test_add_func("/runstate/guest-panic-actions", test_guest_panic_actions);
    return g_test_run();
}
