/*
 * The local APIC's LVT timer (SDM 11.5.4): a 32-bit down-counter clocked
 * at APIC_BUS_FREQ_HZ (1 GHz, so one tick is 1 ns) divided by 1..128, in
 * one-shot or periodic mode. The count is derived from the virtual clock
 * (load_time); a QEMUTimer fires at next_fire.
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

bool apic_timer_periodic(APICState *s)
{
    return ((s->lvt[APIC_LVT_TIMER] >> 17) & 3) == 1;
}

/* Timer period in ns (APIC_BUS_FREQ_HZ is 1 GHz: a tick is 1 ns). */
static int64_t apic_timer_span(APICState *s)
{
    return (int64_t)s->initial_count << apic_divide_shift(s);
}

uint32_t apic_current_count(APICState *s)
{
    if (!s->initial_count) {
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
    if (!s->initial_count || !s->timer) {
        if (s->timer) {
            timer_del(s->timer);
        }
        return;
    }
    timer_mod_ns(s->timer, s->next_fire);
}

void apic_timer_start(APICState *s)
{
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
