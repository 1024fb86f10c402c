/*
 * The main loop and the big VMM lock (BQL).
 *
 * The main thread runs GLib's default GMainContext: chardevs, the monitor,
 * timers (see system/timer.h) and bottom halves are all GSources on it.
 * main_loop_run() iterates it until a shutdown request is serviced (see
 * system/runstate.h).
 *
 * Who calls what:
 *  - cli/ calls main_loop_init() early (before any thread is created: it
 *    blocks SIGTERM/SIGINT/SIGHUP in the calling thread so every later
 *    thread inherits the mask and the signals arrive through a signalfd),
 *    then main_loop_run().
 *  - chardevs, the monitor, devices: qemu_set_fd_handler(), qemu_bh_*().
 *  - any thread: main_loop_wake(), qemu_bh_schedule(), main_loop_invoke().
 *
 * Locking (lock order, outermost first):
 *     BQL  ->  timer-list lock (system/timer.c, leaf)
 *          ->  virtual-clock writer lock (system/timer.c, leaf; readers
 *              are lock-free)
 *          ->  GLib's GMainContext lock (internal to GLib, leaf)
 * The main loop holds the BQL while it dispatches any handler (fd handler,
 * bottom half, timer callback, signal handling, request servicing) and
 * drops it only while it polls. vCPU threads take the BQL only while they
 * handle an exit. Device state, chardevs and the run state are protected
 * by the BQL. Never take the BQL while holding the timer-list lock.
 */
#ifndef SYSTEM_MAIN_LOOP_H
#define SYSTEM_MAIN_LOOP_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Set up the main loop on the default GMainContext: the timer source, the
 * signalfd for SIGTERM/SIGINT/SIGHUP (-> shutdown request, cause
 * host-signal), SIGPIPE ignored. Call once from the main thread before
 * creating threads. Idempotent.
 */
void main_loop_init(void);

/* The context the main loop runs (GLib's default context). */
GMainContext *main_loop_context(void);

/* True in the thread that called main_loop_init(). */
bool qemu_in_main_thread(void);

/*
 * Run until a shutdown request is serviced (runstate_service_requests()
 * returns true). Takes the BQL itself: call it WITHOUT the BQL held.
 * Returns the process exit status to use (0 normally).
 */
int main_loop_run(void);

/*
 * One iteration (poll + dispatch) for tests and for code that waits for
 * something on the main thread. Call without the BQL; it is taken while
 * dispatching. Returns true if something was dispatched.
 */
bool main_loop_iteration(bool blocking);

/* Make a blocked main loop poll return soon. Any thread, any lock. */
void main_loop_wake(void);

/*
 * For code that must block the main thread outside the loop (a socket
 * chardev with server=on,wait=on waiting for its client): the signalfd to
 * poll alongside (-1 if none), and the function that consumes pending
 * SIGTERM/SIGINT/SIGHUP (recording the host-signal shutdown request);
 * returns true if one arrived.
 */
int main_loop_signal_fd(void);
bool main_loop_take_signals(void);

/*
 * In a child process after fork(), before exec(): unblock the signals
 * main_loop_init() blocked (a blocked mask survives exec, and a helper
 * that ignores SIGTERM would be a surprise) and restore SIGPIPE. Only
 * async-signal-safe calls; usable as a g_spawn child_setup function.
 */
void main_loop_child_setup(void *unused);

/* ---- the big VMM lock ---- */
void bql_lock(void);
void bql_unlock(void);
bool bql_locked(void); /* held by the calling thread? */
/* Wait on cond with the BQL held; the BQL is dropped while waiting. */
void bql_cond_wait(GCond *cond);
/* Same, with a monotonic deadline (g_get_monotonic_time() units, us).
 * Returns false on timeout. */
bool bql_cond_wait_until(GCond *cond, gint64 end_time_us);

/* ---- fd handlers ---- */
typedef void IOHandler(void *opaque);

/*
 * Watch fd on the main loop: fd_read is called (with the BQL) when the fd
 * is readable or hung up / in error, fd_write when it is writable. Calling
 * it again for the same fd replaces the callbacks; both NULL removes the
 * handler. Safe to call from inside a handler (including removing
 * itself). Call with the BQL held (or from the main thread before the
 * loop runs).
 */
void qemu_set_fd_handler(int fd, IOHandler *fd_read, IOHandler *fd_write,
                         void *opaque);

/* ---- bottom halves ---- */
typedef void QEMUBHFunc(void *opaque);
typedef struct QEMUBH QEMUBH;

/* A reusable deferred callback, run on the main loop with the BQL. */
QEMUBH *qemu_bh_new(QEMUBHFunc *cb, void *opaque);
/* Run it once soon; scheduling an already scheduled BH is a no-op. Any
 * thread, no lock needed, cheap (no allocation). */
void qemu_bh_schedule(QEMUBH *bh);
/* Unschedule (if not yet run). Any thread. */
void qemu_bh_cancel(QEMUBH *bh);
/* Cancel and free. BQL or main thread. */
void qemu_bh_delete(QEMUBH *bh);

/* One-shot: run cb(opaque) on the main loop with the BQL, from any
 * thread (g_main_context_invoke style, always deferred). */
void main_loop_invoke(QEMUBHFunc *cb, void *opaque);

#endif
