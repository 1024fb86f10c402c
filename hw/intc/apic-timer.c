/*
 * The local APIC's LVT timer (SDM 11.5.4): a 32-bit down-counter clocked
 * at APIC_BUS_FREQ_HZ (1 GHz, so one tick is 1 ns) divided by 1..128, in
 * one-shot or periodic mode. The count is derived from the virtual clock
 * (load_time); a QEMUTimer fires at next_fire.
 *
 * TSC-deadline mode (SDM 11.5.4.1, LVT timer bits 18:17 = 10b): the
 * counter is unused (initial-count writes ignored, current count 0);
 * IA32_TSC_DEADLINE arms a one-shot at a guest TSC value, converted to
 * virtual ns with the guest TSC and rate the caller read at the write;
 * 0 disarms; after it fires the MSR reads 0. Switching into or out of
 * this mode disarms everything, as KVM's apic_update_lvtt.
 */
#include "apic-internal.h"

static int apic_divide_shift(APICState *s)
{
    uint32_t v = (s->divide_conf & 3) | ((s->divide_conf >> 1) & 4);
    return (v + 1) & 7;          /* 0b111 -> divide by 1 */
}

static int64_t now_ns(void)
{
    return clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

unsigned apic_timer_mode(APICState *s)
{
    return (s->lvt[APIC_LVT_TIMER] >> 17) & 3;
}

bool apic_timer_periodic(APICState *s)
{
    return apic_timer_mode(s) == APIC_TIMER_PERIODIC;
}

static bool apic_timer_deadline_mode(APICState *s)
{
    return apic_timer_mode(s) == APIC_TIMER_TSC_DEADLINE;
}

/* Timer period in ns (APIC_BUS_FREQ_HZ is 1 GHz: a tick is 1 ns). */
static int64_t apic_timer_span(APICState *s)
{
    return (int64_t)s->initial_count << apic_divide_shift(s);
}

uint32_t apic_current_count(APICState *s)
{
    if (!s->initial_count || apic_timer_deadline_mode(s)) {
        return 0;
    }
    int64_t ticks = (now_ns() - s->load_time) >> apic_divide_shift(s);
    if (ticks < 0) {
        ticks = 0;
    }
    if (apic_timer_periodic(s)) {
        return s->initial_count - (uint32_t)(ticks % s->initial_count);
    }
    return ticks >= s->initial_count ? 0 : s->initial_count - ticks;
}

void apic_timer_arm(APICState *s)
{
    bool armed = apic_timer_deadline_mode(s) ? s->tsc_deadline != 0
                                             : s->initial_count != 0;
    if (!armed || !s->timer) {
        if (s->timer) {
            timer_del(s->timer);
        }
        return;
    }
    timer_mod_ns(s->timer, s->next_fire);
}

void apic_timer_start(APICState *s)
{
    if (apic_timer_deadline_mode(s)) {
        return;                 /* initial count is not used */
    }
    s->load_time = now_ns();
    int64_t span = apic_timer_span(s);
    if (apic_timer_periodic(s)) {
        span = MAX(span, APIC_MIN_PERIOD_NS);
    }
    s->next_fire = s->load_time + span;
    apic_timer_arm(s);
}

void apic_timer_cb(void *opaque)
{
    APICState *s = opaque;
    uint32_t lvt = s->lvt[APIC_LVT_TIMER];

    if (apic_timer_deadline_mode(s)) {
        if (!s->tsc_deadline) {
            return;
        }
        s->tsc_deadline = 0;    /* fired: the MSR reads 0 */
        if (!(lvt & APIC_LVT_MASKED)) {
            apic_set_irq(s, lvt & 0xff, false);
        }
        return;
    }
    if (!s->initial_count) {
        return;
    }
    if (!(lvt & APIC_LVT_MASKED)) {
        apic_set_irq(s, lvt & 0xff, false);
    }
    if (apic_timer_periodic(s)) {
        int64_t period = MAX(apic_timer_span(s), APIC_MIN_PERIOD_NS);
        int64_t now = now_ns();
        s->next_fire += period;
        if (s->next_fire <= now) {   /* fell behind: skip, do not flood */
            s->next_fire = now + period;
        }
        apic_timer_arm(s);
    }
}

void apic_timer_set_divide(APICState *s, uint32_t val)
{
    /* the count continues from where it is, at the new rate */
    uint32_t cur = apic_current_count(s);
    s->divide_conf = val & 0xb;
    if (s->initial_count && cur) {
        int64_t now = now_ns();
        s->load_time = now -
            ((int64_t)(s->initial_count - cur) << apic_divide_shift(s));
        int64_t left = (int64_t)cur << apic_divide_shift(s);
        s->next_fire = now + MAX(left, (int64_t)1);
        apic_timer_arm(s);
    }
}

void apic_timer_mode_changed(APICState *s, unsigned old)
{
    unsigned mode = apic_timer_mode(s);

    if ((old == APIC_TIMER_TSC_DEADLINE) != (mode == APIC_TIMER_TSC_DEADLINE)) {
        s->initial_count = 0;
        s->tsc_deadline = 0;
        s->load_time = s->next_fire = 0;
        if (s->timer) {
            timer_del(s->timer);
        }
    } else if (s->initial_count && mode != APIC_TIMER_TSC_DEADLINE) {
        apic_timer_start(s);    /* one-shot <-> periodic: count anew */
    }
}

void apic_timer_set_deadline(APICState *s, uint64_t deadline, uint64_t tsc,
                             uint32_t tsc_khz)
{
    if (!apic_timer_deadline_mode(s)) {
        return;                 /* other modes ignore the MSR */
    }
    s->tsc_deadline = deadline;
    if (!deadline) {
        s->next_fire = 0;
        apic_timer_arm(s);
        return;
    }
    uint64_t ticks = deadline > tsc ? deadline - tsc : 0;
    unsigned __int128 ns = (unsigned __int128)ticks * 1000000 /
                           (tsc_khz ? tsc_khz : 1000000);
    /* far deadlines (up to 2^64 ticks) are clamped to ~146 years */
    int64_t delta = ns > (uint64_t)INT64_MAX / 2 ? INT64_MAX / 2
                                                 : (int64_t)ns;
    s->next_fire = now_ns() + delta;
    apic_timer_arm(s);
}
