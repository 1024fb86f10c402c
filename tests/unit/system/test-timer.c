/* Clocks and timers: virtual clock pause/resume, ordering, cancellation,
 * cross-thread arming, and sub-millisecond periodic precision. */
#include "system/main-loop.h"
#include "system/timer.h"

#include <unistd.h>

static void noop_cb(void *opaque)
{
}

static void run_loop_for_ns(int64_t ns)
{
    int64_t end = clock_get_ns(QEMU_CLOCK_REALTIME) + ns;
    QEMUTimer *stop = timer_new_ns(QEMU_CLOCK_REALTIME, noop_cb, NULL);
    /* A dummy deadline so the blocking iteration wakes at `end`. */
    timer_mod_ns(stop, end);
    while (clock_get_ns(QEMU_CLOCK_REALTIME) < end) {
        main_loop_iteration(true);
    }
    timer_free(stop);
}

static void test_virtual_clock_stops_while_paused(void)
{
    virtual_clock_set_running(true);
    int64_t a = clock_get_ns(QEMU_CLOCK_VIRTUAL);
    g_usleep(2000);
    int64_t b = clock_get_ns(QEMU_CLOCK_VIRTUAL);
    g_assert_cmpint(b, >, a);
    virtual_clock_set_running(false);
    int64_t c = clock_get_ns(QEMU_CLOCK_VIRTUAL);
    g_usleep(300000);
    int64_t d = clock_get_ns(QEMU_CLOCK_VIRTUAL);
    g_assert_cmpint(c, ==, d); /* frozen */
    int64_t r0 = clock_get_ns(QEMU_CLOCK_REALTIME);
    virtual_clock_set_running(true);
    int64_t e = clock_get_ns(QEMU_CLOCK_VIRTUAL);
    int64_t r1 = clock_get_ns(QEMU_CLOCK_REALTIME);
    /* No jump: the 300 ms pause is not added on resume; the virtual clock
     * advanced at most the real time spent resuming (a fixed bound fails
     * when a loaded host preempts the test right there). */
    g_assert_cmpint(e, >=, d);
    g_assert_cmpint(e - d, <=, r1 - r0 + SCALE_MS);
    virtual_clock_set_running(false);
}

static void test_clocks_monotonic_and_host(void)
{
    int64_t a = clock_get_ns(QEMU_CLOCK_REALTIME);
    int64_t b = clock_get_ns(QEMU_CLOCK_REALTIME);
    g_assert_cmpint(b, >=, a);
    int64_t host = clock_get_ns(QEMU_CLOCK_HOST);
    int64_t wall = g_get_real_time() * 1000;
    g_assert_cmpint(ABS(host - wall), <, NANOSECONDS_PER_SECOND);
}

static GString *order_log;

static void log_cb(void *opaque)
{
    g_string_append(order_log, opaque);
}

static void test_timer_ordering_and_cancel(void)
{
    order_log = g_string_new("");
    int64_t now = clock_get_ns(QEMU_CLOCK_REALTIME);
    QEMUTimer *a = timer_new_ns(QEMU_CLOCK_REALTIME, log_cb, "a");
    QEMUTimer *b = timer_new_ns(QEMU_CLOCK_REALTIME, log_cb, "b");
    QEMUTimer *c = timer_new_ns(QEMU_CLOCK_REALTIME, log_cb, "c");
    QEMUTimer *d = timer_new_us(QEMU_CLOCK_REALTIME, log_cb, "d");

    timer_mod_ns(c, now + 3 * SCALE_MS);
    timer_mod_ns(a, now + 1 * SCALE_MS);
    timer_mod_ns(b, now + 2 * SCALE_MS);
    timer_mod(d, (now + 4 * SCALE_MS) / SCALE_US);
    g_assert_true(timer_pending(b));
    g_assert_cmpint(timer_expire_time_ns(a), ==, now + SCALE_MS);
    timer_del(b);
    g_assert_false(timer_pending(b));
    g_assert_cmpint(timer_expire_time_ns(b), ==, -1);
    /* anticipate: a later time does not move c, an earlier one does. */
    timer_mod_anticipate_ns(c, now + 10 * SCALE_MS);
    g_assert_cmpint(timer_expire_time_ns(c), ==, now + 3 * SCALE_MS);
    timer_mod_anticipate_ns(c, now + 500 * SCALE_US);
    g_assert_cmpint(timer_expire_time_ns(c), ==, now + 500 * SCALE_US);

    run_loop_for_ns(10 * SCALE_MS);
    g_assert_cmpstr(order_log->str, ==, "cad");
    g_assert_false(timer_pending(a));
    timer_free(a);
    timer_free(b);
    timer_free(c);
    timer_free(d);
    g_string_free(order_log, TRUE);
}

static void test_virtual_timer_waits_while_paused(void)
{
    order_log = g_string_new("");
    virtual_clock_set_running(false);
    QEMUTimer *t = timer_new_ns(QEMU_CLOCK_VIRTUAL, log_cb, "v");
    timer_mod_ns(t, clock_get_ns(QEMU_CLOCK_VIRTUAL) + SCALE_MS);
    run_loop_for_ns(5 * SCALE_MS);
    g_assert_cmpstr(order_log->str, ==, ""); /* clock stopped */
    virtual_clock_set_running(true);
    run_loop_for_ns(5 * SCALE_MS);
    g_assert_cmpstr(order_log->str, ==, "v");
    virtual_clock_set_running(false);
    timer_free(t);
    g_string_free(order_log, TRUE);
}

static int fired;

static void count_cb(void *opaque)
{
    g_assert_true(bql_locked());
    g_assert_true(qemu_in_main_thread());
    fired++;
}

static gpointer arm_thread(gpointer t)
{
    g_usleep(20000); /* let the main loop block in poll first */
    bql_lock();
    timer_mod_ns(t, clock_get_ns(QEMU_CLOCK_REALTIME) + 100 * SCALE_US);
    bql_unlock();
    return NULL;
}

static void test_timer_armed_from_other_thread_fires(void)
{
    fired = 0;
    QEMUTimer *t = timer_new_ns(QEMU_CLOCK_REALTIME, count_cb, NULL);
    GThread *th = g_thread_new("arm", arm_thread, t);
    /* Block with nothing armed: only the cross-thread wake can end it. */
    int64_t start = clock_get_ns(QEMU_CLOCK_REALTIME);
    while (!fired && clock_get_ns(QEMU_CLOCK_REALTIME) - start <
                         5 * NANOSECONDS_PER_SECOND) {
        main_loop_iteration(true);
    }
    g_thread_join(th);
    g_assert_cmpint(fired, ==, 1);
    timer_free(t);
}

typedef struct {
    QEMUTimer *t;
    int64_t period, next, count, total_late, max_late;
} Periodic;

static void periodic_cb(void *opaque)
{
    Periodic *p = opaque;
    int64_t late = clock_get_ns(QEMU_CLOCK_REALTIME) - p->next;
    p->total_late += late;
    p->max_late = MAX(p->max_late, late);
    p->count++;
    p->next += p->period;
    timer_mod_ns(p->t, p->next);
}

static void test_periodic_100us_precision(void)
{
    Periodic p = {.period = 100 * SCALE_US};
    p.t = timer_new_ns(QEMU_CLOCK_REALTIME, periodic_cb, &p);
    p.next = clock_get_ns(QEMU_CLOCK_REALTIME) + p.period;
    timer_mod_ns(p.t, p.next);
    int64_t start = clock_get_ns(QEMU_CLOCK_REALTIME);
    while (clock_get_ns(QEMU_CLOCK_REALTIME) - start < 100 * SCALE_MS) {
        main_loop_iteration(true);
    }
    timer_free(p.t);
    g_test_message(
        "100us periodic timer: %" G_GINT64_FORMAT
        " firings in 100 ms (ideal 1000), mean lateness %" G_GINT64_FORMAT
        " ns, max %" G_GINT64_FORMAT " ns",
        p.count, p.count ? p.total_late / p.count : 0, p.max_late);
    /* GLib's ms timeouts would give <= ~100; loose bound for shared CI. */
    g_assert_cmpint(p.count, >=, 200);
}

static int self_del_count;
static QEMUTimer *self_del;

static void self_delete_cb(void *opaque)
{
    self_del_count++;
    timer_free(self_del);
    self_del = NULL;
}

static void test_timer_free_from_callback(void)
{
    self_del = timer_new_ms(QEMU_CLOCK_REALTIME, self_delete_cb, NULL);
    timer_mod(self_del, clock_get_ms(QEMU_CLOCK_REALTIME));
    run_loop_for_ns(2 * SCALE_MS);
    g_assert_cmpint(self_del_count, ==, 1);
    g_assert_null(self_del);
}

static gpointer toggle_thread(gpointer stop)
{
    while (!__atomic_load_n((int *)stop, __ATOMIC_SEQ_CST)) {
        virtual_clock_set_running(true);
        g_thread_yield();
        virtual_clock_set_running(false);
    }
    return NULL;
}

/* Readers racing with stop/start never see the virtual clock go back. */
static void test_virtual_clock_monotonic_under_toggling(void)
{
    int stop = 0;
    GThread *th = g_thread_new("toggle", toggle_thread, &stop);
    int64_t last = clock_get_ns(QEMU_CLOCK_VIRTUAL);
    for (int i = 0; i < 200000; i++) {
        int64_t now = clock_get_ns(QEMU_CLOCK_VIRTUAL);
        g_assert_cmpint(now, >=, last);
        last = now;
    }
    __atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
    g_thread_join(th);
    virtual_clock_set_running(false);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    g_test_add_func("/timer/virtual-clock-stops-while-paused",
                    test_virtual_clock_stops_while_paused);
    g_test_add_func("/timer/virtual-clock-monotonic-under-toggling",
                    test_virtual_clock_monotonic_under_toggling);
    g_test_add_func("/timer/realtime-monotonic-host-wall",
                    test_clocks_monotonic_and_host);
    g_test_add_func("/timer/ordering-and-cancel",
                    test_timer_ordering_and_cancel);
    g_test_add_func("/timer/virtual-timer-waits-while-paused",
                    test_virtual_timer_waits_while_paused);
    g_test_add_func("/timer/armed-from-other-thread-fires",
                    test_timer_armed_from_other_thread_fires);
    g_test_add_func("/timer/periodic-100us-precision",
                    test_periodic_100us_precision);
    g_test_add_func("/timer/free-from-callback", test_timer_free_from_callback);
    return g_test_run();
}
