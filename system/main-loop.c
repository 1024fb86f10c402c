/*
 * The main loop: GLib's default GMainContext driven with a poll function
 * that drops the BQL while it blocks and waits with ns precision (ppoll)
 * for the next timer deadline; fd handlers and bottom halves as GSources.
 *
 * Lock order (outermost first): BQL -> timer-list lock -> GLib's context
 * lock. The main loop holds the BQL from main_loop_run() entry to exit
 * except inside bql_poll(); every dispatch therefore runs with it.
 */
#include "system/main-loop.h"
#include "system/runstate.h"
#include "system/timer.h"
#include "util/error.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

static GMutex bql;
static __thread bool bql_held;
static GThread *main_thread;
static bool main_loop_ready;

/* ---- BQL ---- */

void bql_lock(void)
{
    g_assert(!bql_held);
    g_mutex_lock(&bql);
    bql_held = true;
}

void bql_unlock(void)
{
    g_assert(bql_held);
    bql_held = false;
    g_mutex_unlock(&bql);
}

bool bql_locked(void)
{
    return bql_held;
}

void bql_cond_wait(GCond *cond)
{
    g_assert(bql_held);
    bql_held = false;
    g_cond_wait(cond, &bql);
    bql_held = true;
}

bool bql_cond_wait_until(GCond *cond, gint64 end_time_us)
{
    g_assert(bql_held);
    bql_held = false;
    bool ok = g_cond_wait_until(cond, &bql, end_time_us);
    bql_held = true;
    return ok;
}

/* Dispatchers run with the BQL; take it if someone drives the context
 * without main_loop_run()/main_loop_iteration() (GLib-only code, tests). */
static bool bql_ensure(void)
{
    if (bql_held) {
        return false;
    }
    bql_lock();
    return true;
}

static void bql_release(bool taken)
{
    if (taken) {
        bql_unlock();
    }
}

/* ---- poll ---- */

/*
 * GLib hands us its millisecond timeout; the timer lists know the next
 * deadline in ns, so we poll with ppoll() and the smaller of the two.
 * The BQL is dropped only here.
 */
static gint bql_poll(GPollFD *fds, guint nfds, gint timeout_ms)
{
    int64_t timeout_ns = timeout_ms < 0 ? -1 : (int64_t)timeout_ms * SCALE_MS;
    int64_t timer_ns = timers_deadline_ns();
    if (timer_ns >= 0 && (timeout_ns < 0 || timer_ns < timeout_ns)) {
        timeout_ns = timer_ns;
    }
    struct timespec ts, *tsp = NULL;
    if (timeout_ns >= 0) {
        ts.tv_sec = timeout_ns / NANOSECONDS_PER_SECOND;
        ts.tv_nsec = timeout_ns % NANOSECONDS_PER_SECOND;
        tsp = &ts;
    }
    bool held = bql_held;
    if (held) {
        bql_unlock();
    }
    /* GPollFD and struct pollfd share their layout on Linux (GLib
     * guarantees it: G_POLLFD_FORMAT / g_poll is poll there). */
    G_STATIC_ASSERT(sizeof(GPollFD) == sizeof(struct pollfd));
    int r = ppoll((struct pollfd *)fds, nfds, tsp, NULL);
    int saved = errno;
    if (held) {
        bql_lock();
    }
    errno = saved;
    if (r < 0 && errno == EINTR) {
        r = 0;
    }
    return r;
}

GMainContext *main_loop_context(void)
{
    return g_main_context_default();
}

bool qemu_in_main_thread(void)
{
    return main_thread == NULL || g_thread_self() == main_thread;
}

void main_loop_wake(void)
{
    g_main_context_wakeup(main_loop_context());
}

/* ---- signals ---- */

static int signal_fd = -1;

static bool signals_drain(void)
{
    struct signalfd_siginfo info;
    bool any = false;

    if (signal_fd < 0) {
        return false;
    }
    for (;;) {
        ssize_t n = read(signal_fd, &info, sizeof(info));
        if (n != sizeof(info)) {
            break;
        }
        switch (info.ssi_signo) {
        case SIGTERM:
        case SIGINT:
        case SIGHUP:
            qemu_system_killed(info.ssi_signo, (pid_t)info.ssi_pid);
            any = true;
            break;
        default:
            break;
        }
    }
    return any;
}

static void signalfd_read(void *opaque)
{
    signals_drain();
}

int main_loop_signal_fd(void)
{
    return signal_fd;
}

bool main_loop_take_signals(void)
{
    return signals_drain();
}

static void signals_init(void)
{
    sigset_t set;

    /* A client that goes away mid-write must not kill us: EPIPE instead. */
    signal(SIGPIPE, SIG_IGN);

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (signal_fd < 0) {
        warn_report("signalfd: %s; termination signals ignored",
                    g_strerror(errno));
        return;
    }
    qemu_set_fd_handler(signal_fd, signalfd_read, NULL, NULL);
}

void main_loop_child_setup(void *unused)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    signal(SIGPIPE, SIG_DFL);
}

void main_loop_init(void)
{
    if (main_loop_ready) {
        return;
    }
    main_loop_ready = true;
    main_thread = g_thread_self();
    /* The default 50 us timer slack would make every sub-ms deadline of
     * an emulated PIT/LAPIC late by up to that much. */
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    g_main_context_set_poll_func(main_loop_context(), bql_poll);
    timers_init();
    signals_init();
}

bool main_loop_iteration(bool blocking)
{
    bool taken = bql_ensure();
    bool r = g_main_context_iteration(main_loop_context(), blocking);
    bql_release(taken);
    return r;
}

int main_loop_run(void)
{
    main_loop_init();
    bql_lock();
    while (!runstate_service_requests()) {
        g_main_context_iteration(main_loop_context(), TRUE);
    }
    bql_unlock();
    return 0;
}

/* ---- fd handlers ---- */

typedef struct FdHandler {
    GSource source;
    int fd;
    gpointer tag;
    IOHandler *fd_read;
    IOHandler *fd_write;
    void *opaque;
} FdHandler;

static GHashTable *fd_handlers; /* fd -> FdHandler *; BQL */

static gboolean fd_handler_dispatch(GSource *source, GSourceFunc cb,
                                    gpointer data)
{
    FdHandler *h = (FdHandler *)source;
    GIOCondition rev = g_source_query_unix_fd(source, h->tag);
    bool taken = bql_ensure();

    if ((rev & (G_IO_IN | G_IO_HUP | G_IO_ERR | G_IO_PRI)) && h->fd_read) {
        h->fd_read(h->opaque);
    }
    /* The read callback may have removed or changed this handler. */
    if (!g_source_is_destroyed(source) && (rev & G_IO_OUT) && h->fd_write) {
        h->fd_write(h->opaque);
    }
    bql_release(taken);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs fd_handler_funcs = {
    .dispatch = fd_handler_dispatch,
};

static void fd_handler_drop(gpointer p)
{
    GSource *s = p;
    g_source_destroy(s);
    g_source_unref(s);
}

static GIOCondition fd_handler_cond(FdHandler *h)
{
    GIOCondition c = 0;
    if (h->fd_read) {
        c |= G_IO_IN | G_IO_HUP | G_IO_ERR;
    }
    if (h->fd_write) {
        c |= G_IO_OUT | G_IO_ERR;
    }
    return c;
}

void qemu_set_fd_handler(int fd, IOHandler *fd_read, IOHandler *fd_write,
                         void *opaque)
{
    if (!fd_handlers) {
        fd_handlers = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                            fd_handler_drop);
    }
    if (!fd_read && !fd_write) {
        g_hash_table_remove(fd_handlers, GINT_TO_POINTER(fd));
        return;
    }
    FdHandler *h = g_hash_table_lookup(fd_handlers, GINT_TO_POINTER(fd));
    if (!h) {
        h = (FdHandler *)g_source_new(&fd_handler_funcs, sizeof(FdHandler));
        g_source_set_name(&h->source, "kvmu-fd-handler");
        h->fd = fd;
        h->fd_read = fd_read;
        h->fd_write = fd_write;
        h->opaque = opaque;
        h->tag = g_source_add_unix_fd(&h->source, fd, fd_handler_cond(h));
        g_source_attach(&h->source, main_loop_context());
        g_hash_table_insert(fd_handlers, GINT_TO_POINTER(fd), h);
        return;
    }
    h->fd_read = fd_read;
    h->fd_write = fd_write;
    h->opaque = opaque;
    g_source_modify_unix_fd(&h->source, h->tag, fd_handler_cond(h));
}

/* ---- bottom halves ---- */

struct QEMUBH {
    GSource source;
    QEMUBHFunc *cb;
    void *opaque;
};

static gboolean bh_dispatch(GSource *source, GSourceFunc unused, gpointer d)
{
    QEMUBH *bh = (QEMUBH *)source;

    /* Unschedule first: the callback may schedule it again. */
    g_source_set_ready_time(source, -1);
    bool taken = bql_ensure();
    bh->cb(bh->opaque);
    bql_release(taken);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs bh_funcs = {
    .dispatch = bh_dispatch,
};

QEMUBH *qemu_bh_new(QEMUBHFunc *cb, void *opaque)
{
    QEMUBH *bh = (QEMUBH *)g_source_new(&bh_funcs, sizeof(QEMUBH));
    g_source_set_name(&bh->source, "kvmu-bh");
    bh->cb = cb;
    bh->opaque = opaque;
    g_source_set_ready_time(&bh->source, -1);
    g_source_attach(&bh->source, main_loop_context());
    return bh;
}

void qemu_bh_schedule(QEMUBH *bh)
{
    /* Thread-safe in GLib; wakes the context when needed. */
    g_source_set_ready_time(&bh->source, 0);
}

void qemu_bh_cancel(QEMUBH *bh)
{
    g_source_set_ready_time(&bh->source, -1);
}

void qemu_bh_delete(QEMUBH *bh)
{
    if (!bh) {
        return;
    }
    g_source_destroy(&bh->source);
    g_source_unref(&bh->source);
}

typedef struct InvokeData {
    QEMUBHFunc *cb;
    void *opaque;
} InvokeData;

static gboolean invoke_cb(gpointer p)
{
    InvokeData *d = p;
    bool taken = bql_ensure();
    d->cb(d->opaque);
    bql_release(taken);
    return G_SOURCE_REMOVE;
}

void main_loop_invoke(QEMUBHFunc *cb, void *opaque)
{
    InvokeData *d = g_new(InvokeData, 1);
    d->cb = cb;
    d->opaque = opaque;
    GSource *s = g_idle_source_new();
    g_source_set_priority(s, G_PRIORITY_DEFAULT);
    g_source_set_callback(s, invoke_cb, d, g_free);
    g_source_attach(s, main_loop_context());
    g_source_unref(s);
}
