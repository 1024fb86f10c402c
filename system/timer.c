/*
 * Clocks and timers (see include/system/timer.h).
 *
 * One sorted singly linked list of armed timers per clock, under
 * timers_lock (a leaf lock: callbacks run without it). The main loop's
 * timer GSource reports the earliest deadline; the poll function in
 * main-loop.c sleeps with ns precision until then.
 *
 * The virtual clock is REALTIME plus an offset while running and a frozen
 * value while stopped, published with a sequence counter so readers never
 * take a lock.
 */
#include "system/timer.h"
#include "system/main-loop.h"

#include <time.h>

struct QEMUTimer {
    QEMUClockType type;
    int scale;
    QEMUTimerCB *cb;
    void *opaque;
    int64_t expire_ns; /* valid while pending */
    bool pending;
    QEMUTimer *next;
};

static GMutex timers_lock;
static QEMUTimer *active[QEMU_CLOCK_MAX];

/* ---- clocks ---- */

static int64_t read_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * NANOSECONDS_PER_SECOND + ts.tv_nsec;
}

/* Virtual clock: writers hold vclock_lock; readers use vclock_seq. */
static GMutex vclock_lock;
static unsigned vclock_seq;
static bool vclock_running;
static int64_t vclock_offset; /* virtual = realtime + offset (running) */
static int64_t vclock_frozen; /* virtual value while stopped */

/* Sequentially consistent atomics throughout: no fences to reason about
 * (and none that ThreadSanitizer cannot model); plain loads on x86. */
static int64_t virtual_clock_read(void)
{
    for (;;) {
        unsigned seq = __atomic_load_n(&vclock_seq, __ATOMIC_SEQ_CST);
        if (seq & 1) {
            continue;
        }
        bool running = __atomic_load_n(&vclock_running, __ATOMIC_SEQ_CST);
        int64_t offset = __atomic_load_n(&vclock_offset, __ATOMIC_SEQ_CST);
        int64_t frozen = __atomic_load_n(&vclock_frozen, __ATOMIC_SEQ_CST);
        /* Read the host clock inside the window: a stop that samples its
         * "now" after our read forces a retry, so the frozen value is
         * never below a value we returned (monotonic across stops). */
        int64_t now = running ? read_clock(CLOCK_MONOTONIC) : 0;
        if (__atomic_load_n(&vclock_seq, __ATOMIC_SEQ_CST) != seq) {
            continue;
        }
        return running ? now + offset : frozen;
    }
}

int64_t clock_get_ns(QEMUClockType type)
{
    switch (type) {
    case QEMU_CLOCK_REALTIME:
        return read_clock(CLOCK_MONOTONIC);
    case QEMU_CLOCK_VIRTUAL:
        return virtual_clock_read();
    case QEMU_CLOCK_HOST:
        return read_clock(CLOCK_REALTIME);
    default:
        g_assert_not_reached();
    }
}

void virtual_clock_set_running(bool running)
{
    g_mutex_lock(&vclock_lock);
    if (running != vclock_running) {
        __atomic_store_n(&vclock_seq, vclock_seq + 1, __ATOMIC_SEQ_CST);
        int64_t now = read_clock(CLOCK_MONOTONIC); /* after: see reader */
        if (running) {
            __atomic_store_n(&vclock_offset, vclock_frozen - now,
                             __ATOMIC_SEQ_CST);
        } else {
            __atomic_store_n(&vclock_frozen, now + vclock_offset,
                             __ATOMIC_SEQ_CST);
        }
        __atomic_store_n(&vclock_running, running, __ATOMIC_SEQ_CST);
        __atomic_store_n(&vclock_seq, vclock_seq + 1, __ATOMIC_SEQ_CST);
    }
    g_mutex_unlock(&vclock_lock);
    /* Virtual timers just gained or lost their deadline. */
    if (!qemu_in_main_thread()) {
        main_loop_wake();
    }
}

bool virtual_clock_is_running(void)
{
    return __atomic_load_n(&vclock_running, __ATOMIC_ACQUIRE);
}

/* ---- timers ---- */

static QEMUTimer *timer_new_scale(QEMUClockType type, int scale,
                                  QEMUTimerCB *cb, void *opaque)
{
    g_assert(type >= 0 && type < QEMU_CLOCK_MAX);
    QEMUTimer *t = g_new0(QEMUTimer, 1);
    t->type = type;
    t->scale = scale;
    t->cb = cb;
    t->opaque = opaque;
    return t;
}

QEMUTimer *timer_new_ns(QEMUClockType type, QEMUTimerCB *cb, void *opaque)
{
    return timer_new_scale(type, SCALE_NS, cb, opaque);
}

QEMUTimer *timer_new_us(QEMUClockType type, QEMUTimerCB *cb, void *opaque)
{
    return timer_new_scale(type, SCALE_US, cb, opaque);
}

QEMUTimer *timer_new_ms(QEMUClockType type, QEMUTimerCB *cb, void *opaque)
{
    return timer_new_scale(type, SCALE_MS, cb, opaque);
}

/* timers_lock held */
static void timer_unlink_locked(QEMUTimer *t)
{
    QEMUTimer **pp = &active[t->type];
    while (*pp) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
        pp = &(*pp)->next;
    }
    t->next = NULL;
    t->pending = false;
}

/* timers_lock held; returns true if t became the list head. */
static bool timer_insert_locked(QEMUTimer *t, int64_t expire_ns)
{
    QEMUTimer **pp = &active[t->type];
    while (*pp && (*pp)->expire_ns <= expire_ns) {
        pp = &(*pp)->next;
    }
    t->expire_ns = expire_ns;
    t->next = *pp;
    *pp = t;
    t->pending = true;
    return pp == &active[t->type];
}

static void timer_head_changed(void)
{
    /* The main thread recomputes its deadline before it polls again;
     * another thread must interrupt a poll that may be sleeping. */
    if (!qemu_in_main_thread()) {
        main_loop_wake();
    }
}

static int64_t scale_to_ns(QEMUTimer *t, int64_t expire)
{
    if (expire > INT64_MAX / t->scale) {
        return INT64_MAX;
    }
    if (expire < 0) {
        return 0;
    }
    return expire * t->scale;
}

void timer_mod_ns(QEMUTimer *t, int64_t expire_ns)
{
    g_mutex_lock(&timers_lock);
    if (t->pending) {
        timer_unlink_locked(t);
    }
    bool head = timer_insert_locked(t, expire_ns < 0 ? 0 : expire_ns);
    g_mutex_unlock(&timers_lock);
    if (head) {
        timer_head_changed();
    }
}

void timer_mod(QEMUTimer *t, int64_t expire)
{
    timer_mod_ns(t, scale_to_ns(t, expire));
}

void timer_mod_anticipate_ns(QEMUTimer *t, int64_t expire_ns)
{
    bool head = false;

    if (expire_ns < 0) {
        expire_ns = 0;
    }
    g_mutex_lock(&timers_lock);
    if (!t->pending || expire_ns < t->expire_ns) {
        if (t->pending) {
            timer_unlink_locked(t);
        }
        head = timer_insert_locked(t, expire_ns);
    }
    g_mutex_unlock(&timers_lock);
    if (head) {
        timer_head_changed();
    }
}

void timer_mod_anticipate(QEMUTimer *t, int64_t expire)
{
    timer_mod_anticipate_ns(t, scale_to_ns(t, expire));
}

void timer_del(QEMUTimer *t)
{
    g_mutex_lock(&timers_lock);
    if (t->pending) {
        timer_unlink_locked(t);
    }
    g_mutex_unlock(&timers_lock);
}

bool timer_pending(QEMUTimer *t)
{
    g_mutex_lock(&timers_lock);
    bool p = t->pending;
    g_mutex_unlock(&timers_lock);
    return p;
}

int64_t timer_expire_time_ns(QEMUTimer *t)
{
    g_mutex_lock(&timers_lock);
    int64_t e = t->pending ? t->expire_ns : -1;
    g_mutex_unlock(&timers_lock);
    return e;
}

void timer_free(QEMUTimer *t)
{
    if (!t) {
        return;
    }
    timer_del(t);
    g_free(t);
}

int64_t timers_deadline_ns(void)
{
    int64_t best = -1;

    g_mutex_lock(&timers_lock);
    for (int c = 0; c < QEMU_CLOCK_MAX; c++) {
        QEMUTimer *t = active[c];
        if (!t || (c == QEMU_CLOCK_VIRTUAL && !virtual_clock_is_running())) {
            continue;
        }
        int64_t d = t->expire_ns - clock_get_ns(c);
        if (d < 0) {
            d = 0;
        }
        /* The wall clock can be set while we sleep: look again at least
         * once a second so a host-clock timer fires near its time. */
        if (c == QEMU_CLOCK_HOST && d > NANOSECONDS_PER_SECOND) {
            d = NANOSECONDS_PER_SECOND;
        }
        if (best < 0 || d < best) {
            best = d;
        }
    }
    g_mutex_unlock(&timers_lock);
    return best;
}

bool timers_run_expired(void)
{
    bool ran = false;

    for (int c = 0; c < QEMU_CLOCK_MAX; c++) {
        if (c == QEMU_CLOCK_VIRTUAL && !virtual_clock_is_running()) {
            continue;
        }
        /* One "now" per pass: a callback re-arming in the past runs on the
         * next pass, not in an endless loop here. */
        int64_t now = clock_get_ns(c);
        for (;;) {
            g_mutex_lock(&timers_lock);
            QEMUTimer *t = active[c];
            if (!t || t->expire_ns > now) {
                g_mutex_unlock(&timers_lock);
                break;
            }
            active[c] = t->next;
            t->next = NULL;
            t->pending = false;
            QEMUTimerCB *cb = t->cb;
            void *opaque = t->opaque;
            g_mutex_unlock(&timers_lock);
            cb(opaque); /* may free or re-arm t */
            ran = true;
        }
    }
    return ran;
}

/* ---- the main loop source ---- */

static gboolean timer_source_prepare(GSource *s, gint *timeout)
{
    int64_t d = timers_deadline_ns();
    if (d == 0) {
        *timeout = 0;
        return TRUE;
    }
    /* Rounded up: main-loop.c's poll function refines it to the ns. */
    *timeout = d < 0 ? -1 : (gint)MIN((d + SCALE_MS - 1) / SCALE_MS, G_MAXINT);
    return FALSE;
}

static gboolean timer_source_check(GSource *s)
{
    return timers_deadline_ns() == 0;
}

static gboolean timer_source_dispatch(GSource *s, GSourceFunc cb, gpointer d)
{
    bool taken = false;
    if (!bql_locked()) {
        bql_lock();
        taken = true;
    }
    timers_run_expired();
    if (taken) {
        bql_unlock();
    }
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs timer_source_funcs = {
    .prepare = timer_source_prepare,
    .check = timer_source_check,
    .dispatch = timer_source_dispatch,
};

void timers_init(void)
{
    static bool done;
    if (done) {
        return;
    }
    done = true;
    GSource *s = g_source_new(&timer_source_funcs, sizeof(GSource));
    g_source_set_name(s, "kvmu-timers");
    g_source_attach(s, main_loop_context());
    g_source_unref(s);
}
