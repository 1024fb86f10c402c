/* Main loop: BQL ownership in handlers, bottom halves from other threads,
 * fd handlers, main_loop_invoke, and SIGTERM -> shutdown request. */
#include "system/main-loop.h"
#include "system/runstate.h"
#include "system/timer.h"
#include "util/error.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

static int bh_runs;

static void bh_cb(void *opaque)
{
    g_assert_true(bql_locked());
    g_assert_true(qemu_in_main_thread());
    bh_runs++;
}

static void spin_until(int *counter, int target)
{
    int64_t end =
        clock_get_ns(QEMU_CLOCK_REALTIME) + 5 * NANOSECONDS_PER_SECOND;
    while (__atomic_load_n(counter, __ATOMIC_SEQ_CST) < target &&
           clock_get_ns(QEMU_CLOCK_REALTIME) < end) {
        main_loop_iteration(true);
    }
}

static void test_bql(void)
{
    g_assert_false(bql_locked());
    bql_lock();
    g_assert_true(bql_locked());
    bql_unlock();
    g_assert_false(bql_locked());
}

static gpointer schedule_thread(gpointer bh)
{
    g_usleep(10000);
    qemu_bh_schedule(bh);
    return NULL;
}

static void test_bh_schedule_cancel_and_cross_thread(void)
{
    bh_runs = 0;
    QEMUBH *bh = qemu_bh_new(bh_cb, NULL);
    qemu_bh_schedule(bh);
    qemu_bh_schedule(bh); /* coalesced */
    while (main_loop_iteration(false)) {
    }
    g_assert_cmpint(bh_runs, ==, 1);

    qemu_bh_schedule(bh);
    qemu_bh_cancel(bh);
    while (main_loop_iteration(false)) {
    }
    g_assert_cmpint(bh_runs, ==, 1);

    GThread *th = g_thread_new("sched", schedule_thread, bh);
    spin_until(&bh_runs, 2); /* blocking poll must be woken */
    g_thread_join(th);
    g_assert_cmpint(bh_runs, ==, 2);
    qemu_bh_delete(bh);
}

static int invoked;

static void invoke_cb(void *opaque)
{
    g_assert_true(bql_locked());
    __atomic_add_fetch(&invoked, GPOINTER_TO_INT(opaque), __ATOMIC_SEQ_CST);
}

static gpointer invoke_thread(gpointer p)
{
    main_loop_invoke(invoke_cb, GINT_TO_POINTER(1));
    return NULL;
}

static void test_invoke_from_thread(void)
{
    invoked = 0;
    GThread *th = g_thread_new("inv", invoke_thread, NULL);
    spin_until(&invoked, 1);
    g_thread_join(th);
    g_assert_cmpint(invoked, ==, 1);
}

typedef struct {
    int fd;
    GString *got;
    int writes;
} FdState;

static void fd_read_cb(void *opaque)
{
    FdState *s = opaque;
    char buf[64];
    g_assert_true(bql_locked());
    ssize_t n = read(s->fd, buf, sizeof(buf));
    if (n > 0) {
        g_string_append_len(s->got, buf, n);
    } else {
        /* EOF: remove ourselves from inside the callback */
        qemu_set_fd_handler(s->fd, NULL, NULL, NULL);
        g_string_append(s->got, "<eof>");
    }
}

static void fd_write_cb(void *opaque)
{
    FdState *s = opaque;
    s->writes++;
    qemu_set_fd_handler(s->fd, NULL, NULL, NULL);
}

static void test_fd_handlers(void)
{
    int p[2];
    g_assert_cmpint(pipe(p), ==, 0);
    FdState r = {.fd = p[0], .got = g_string_new("")};
    FdState w = {.fd = p[1]};
    qemu_set_fd_handler(p[0], fd_read_cb, NULL, &r);
    qemu_set_fd_handler(p[1], NULL, fd_write_cb, &w);
    g_assert_cmpint(write(p[1], "hello", 5), ==, 5);
    for (int i = 0; i < 10 && r.got->len < 5; i++) {
        main_loop_iteration(true);
    }
    g_assert_cmpint(w.writes, ==, 1); /* writable once, then removed */
    close(p[1]);
    for (int i = 0; i < 10 && !g_str_has_suffix(r.got->str, "<eof>"); i++) {
        main_loop_iteration(true);
    }
    g_assert_cmpstr(r.got->str, ==, "hello<eof>");
    close(p[0]);
    g_string_free(r.got, TRUE);
}

static void test_sigterm_requests_shutdown(void)
{
    runstate_reset_for_test();
    no_shutdown = true; /* a signal must exit regardless */
    vm_start(NULL);
    kill(getpid(), SIGTERM);
    /* main_loop_run() returns once the signalfd handler's request is
     * serviced; stderr shows "terminating on signal 15 from pid ...". */
    g_assert_cmpint(main_loop_run(), ==, 0);
    g_assert_cmpint(runstate_last_shutdown_cause(), ==,
                    SHUTDOWN_CAUSE_HOST_SIGNAL);
    runstate_reset_for_test();
}

static void test_sigterm_message(void)
{
    if (g_test_subprocess()) {
        main_loop_init();
        kill(getpid(), SIGINT);
        main_loop_run();
        return;
    }
    g_test_trap_subprocess(NULL, 30 * G_USEC_PER_SEC, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr(
        "*terminating on signal 2 from pid *(test-main-loop)*");
}

static int idle_done;

static void idle_timer(void *opaque)
{
    idle_done = 1;
}

static void never_cb(void *opaque)
{
    g_assert_not_reached();
}

/* Idle sources (an fd with no data, an unscheduled BH, signalfd) must let
 * the loop sleep until the next timer instead of spinning. */
static void test_idle_loop_sleeps(void)
{
    int p[2];
    g_assert_cmpint(pipe(p), ==, 0);
    qemu_set_fd_handler(p[0], never_cb, NULL, NULL);
    QEMUBH *bh = qemu_bh_new(never_cb, NULL);
    QEMUTimer *t = timer_new_ms(QEMU_CLOCK_REALTIME, idle_timer, NULL);
    timer_mod(t, clock_get_ms(QEMU_CLOCK_REALTIME) + 50);
    int iterations = 0;
    idle_done = 0;
    while (!idle_done && iterations < 100000) {
        main_loop_iteration(true);
        iterations++;
    }
    g_test_message("%d iterations for 50 ms of idle", iterations);
    g_assert_cmpint(iterations, <, 20);
    timer_free(t);
    qemu_bh_delete(bh);
    qemu_set_fd_handler(p[0], NULL, NULL, NULL);
    close(p[0]);
    close(p[1]);
}

/* A spawned helper does not inherit the blocked termination signals. */
static void test_child_signal_mask_restored(void)
{
    gchar *out = NULL;
    gchar *argv[] = {"/bin/grep", "^SigBlk", "/proc/self/status", NULL};
    GError *err = NULL;
    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT,
                               main_loop_child_setup, NULL, &out, NULL, NULL,
                               &err));
    g_assert_no_error(err);
    /* SIGHUP(1), SIGINT(2), SIGTERM(15) bits clear */
    guint64 mask = g_ascii_strtoull(strchr(out, ':') + 1, NULL, 16);
    g_assert_cmphex(mask & ((1u << 0) | (1u << 1) | (1u << 14)), ==, 0);
    g_free(out);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    error_set_progname(argv[0]);
    main_loop_init();
    g_test_add_func("/main-loop/bql", test_bql);
    g_test_add_func("/main-loop/bh-schedule-cancel-cross-thread",
                    test_bh_schedule_cancel_and_cross_thread);
    g_test_add_func("/main-loop/invoke-from-thread", test_invoke_from_thread);
    g_test_add_func("/main-loop/fd-handlers", test_fd_handlers);
    g_test_add_func("/main-loop/idle-loop-sleeps", test_idle_loop_sleeps);
    g_test_add_func("/main-loop/child-signal-mask-restored",
                    test_child_signal_mask_restored);
    g_test_add_func("/main-loop/sigterm-requests-shutdown",
                    test_sigterm_requests_shutdown);
    g_test_add_func("/main-loop/signal-message", test_sigterm_message);
    return g_test_run();
}
