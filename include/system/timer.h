/*
 * Clocks and timers.
 *
 *  QEMU_CLOCK_REALTIME  monotonic host time; always runs.
 *  QEMU_CLOCK_VIRTUAL   monotonic ns of guest time: it runs only while the
 *                       VM runs (runstate calls virtual_clock_set_running())
 *                       and resumes where it stopped, without a jump.
 *  QEMU_CLOCK_HOST      wall clock (CLOCK_REALTIME); follows host time
 *                       changes (used for the RTC).
 *
 * Timer callbacks run on the main loop with the BQL held, with ns
 * resolution: the main loop's timer source arms a timerfd at the earliest
 * deadline, so sub-millisecond periodic timers (PIT, LAPIC) work.
 *
 * Threads: every function may be called from any thread that holds the
 * BQL (vCPU threads handling an exit arm timers); arming a new earliest
 * deadline wakes the main loop. clock_get_ns() needs no lock at all.
 * Internally the timer lists are protected by a leaf mutex (never held
 * while a callback runs), so timer_del() from a callback is fine.
 * The guest TSC (cpu_get_ticks) is accel's, not here.
 */
#ifndef SYSTEM_TIMER_H
#define SYSTEM_TIMER_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    QEMU_CLOCK_REALTIME = 0,
    QEMU_CLOCK_VIRTUAL = 1,
    QEMU_CLOCK_HOST = 2,
    QEMU_CLOCK_MAX
} QEMUClockType;

#define NANOSECONDS_PER_SECOND 1000000000LL
#define SCALE_MS 1000000
#define SCALE_US 1000
#define SCALE_NS 1

typedef void QEMUTimerCB(void *opaque);
typedef struct QEMUTimer QEMUTimer;

/* Current time of a clock in ns. Any thread, lock-free. */
int64_t clock_get_ns(QEMUClockType type);
static inline int64_t clock_get_ms(QEMUClockType type)
{
    return clock_get_ns(type) / SCALE_MS;
}
static inline int64_t clock_get_us(QEMUClockType type)
{
    return clock_get_ns(type) / SCALE_US;
}
/* QEMU's spellings, for device code written against them. */
static inline int64_t qemu_clock_get_ns(QEMUClockType type)
{
    return clock_get_ns(type);
}
static inline int64_t qemu_clock_get_us(QEMUClockType type)
{
    return clock_get_us(type);
}
static inline int64_t qemu_clock_get_ms(QEMUClockType type)
{
    return clock_get_ms(type);
}

/* Start/stop the virtual clock (called by runstate on vm_start/vm_stop).
 * Stopping freezes it; restarting continues from the frozen value. */
void virtual_clock_set_running(bool running);
bool virtual_clock_is_running(void);

/* A new, unarmed timer with ns scale. */
QEMUTimer *timer_new_ns(QEMUClockType type, QEMUTimerCB *cb, void *opaque);
QEMUTimer *timer_new_us(QEMUClockType type, QEMUTimerCB *cb, void *opaque);
QEMUTimer *timer_new_ms(QEMUClockType type, QEMUTimerCB *cb, void *opaque);
/* Arm (or re-arm) to fire when the clock reaches expire (in the timer's
 * scale units: ns for timer_new_ns). A time in the past fires ASAP. */
void timer_mod(QEMUTimer *t, int64_t expire);
void timer_mod_ns(QEMUTimer *t, int64_t expire_ns);
/* Arm only if that makes it fire earlier (or it is not armed). */
void timer_mod_anticipate(QEMUTimer *t, int64_t expire);
void timer_mod_anticipate_ns(QEMUTimer *t, int64_t expire_ns);
/* Disarm; no-op if not armed. */
void timer_del(QEMUTimer *t);
bool timer_pending(QEMUTimer *t);
/* Expiry in ns, or -1 when not armed. */
int64_t timer_expire_time_ns(QEMUTimer *t);
/* Disarm and free; NULL is ok. */
void timer_free(QEMUTimer *t);

/*
 * For the main loop (system/main-loop.c) and tests: ns until the earliest
 * armed deadline over all running clocks (0 = something expired, -1 =
 * nothing armed), and running all expired timers (returns true if any
 * callback ran). timers_run_expired() must be called with the BQL held.
 */
int64_t timers_deadline_ns(void);
bool timers_run_expired(void);

/* Install the timer GSource on the default context (main_loop_init()
 * does it). */
void timers_init(void);

#endif
