/*
 * Local APIC internals shared by hw/intc/apic.c (registers, delivery,
 * device), hw/intc/apic-timer.c (the LVT timer, TSC-deadline mode) and
 * hw/intc/apic-x2apic.c (x2APIC MSR interface, IA32_APIC_BASE).
 * Big VMM lock held.
 */
#ifndef HW_INTC_APIC_INTERNAL_H
#define HW_INTC_APIC_INTERNAL_H

#include "hw/intc/apic.h"
#include "migration/vmstate.h"
#include "system/timer.h"

#define APIC_LVT_TIMER 0
#define APIC_LVT_THERMAL 1
#define APIC_LVT_PERF 2
#define APIC_LVT_LINT0 3
#define APIC_LVT_LINT1 4
#define APIC_LVT_ERROR 5
#define APIC_LVT_NB 6

#define APIC_LVT_MASKED (1u << 16)
#define APIC_LVT_LEVEL (1u << 15)
#define APIC_LVT_TIMER_PERIODIC (1u << 17)
#define APIC_TIMER_ONESHOT 0        /* LVT timer bits 18:17 */
#define APIC_TIMER_PERIODIC 1
#define APIC_TIMER_TSC_DEADLINE 2
#define APIC_BASE_BSP (1ULL << 8)
#define APIC_BASE_EXTD (1ULL << 10)
#define APIC_BASE_EN (1ULL << 11)
#define APIC_SVR_ENABLE (1u << 8)
#define APIC_VERSION 0x14
#define APIC_ESR_SEND_ILLEGAL (1u << 5)
#define APIC_ESR_RECV_ILLEGAL (1u << 6)
#define APIC_ESR_ILLEGAL_REG (1u << 7)
/* a periodic timer never fires faster than this (guest-chosen periods
 * of a few ns would otherwise flood the main loop) */
#define APIC_MIN_PERIOD_NS 10000

struct APICState {
    SysBusDevice parent;
    uint32_t index;
    uint8_t id;
    uint8_t initial_id;         /* power-on ID (the guest may change id) */
    void *cpu;
    /* registers */
    uint32_t tpr;
    uint32_t ldr, dfr, svr;
    uint32_t isr[8], tmr[8], irr[8];
    uint32_t esr, esr_pending;
    uint32_t icr[2];
    uint32_t lvt[APIC_LVT_NB];
    uint32_t divide_conf;
    uint32_t initial_count;
    int64_t load_time;          /* virtual ns when initial_count was set */
    int64_t next_fire;          /* virtual ns of the next timer interrupt */
    bool extint_pending;        /* ExtINT message (IOAPIC virtual wire) */
    bool hw_disabled;           /* IA32_APIC_BASE.EN clear */
    bool x2apic;                /* IA32_APIC_BASE.EXTD: x2APIC mode */
    uint64_t apic_base;         /* as last told by apic_set_base */
    uint64_t tsc_deadline;      /* IA32_TSC_DEADLINE armed, 0: disarmed */
    bool mode_loaded;           /* migration: the subsection came */
    QEMUTimer *timer;
};

/* apic.c */
void apic_set_irq(APICState *s, uint8_t vector, bool level);
void apic_update(APICState *s);             /* INTR output may change */
uint32_t apic_reg_read(APICState *s, unsigned reg);   /* offset >> 4 */
void apic_reg_write(APICState *s, unsigned reg, uint32_t val);
void apic_eoi(APICState *s);
void apic_send_ipi(APICState *s);           /* from icr[0], icr[1] */
void apic_reset_regs(APICState *s, bool power_on);
/* x2APIC mode: LDR derived from the ID (cluster << 16 | 1 << (id & 15)) */
uint32_t apic_x2apic_ldr(APICState *s);

/* apic-vmstate.c */
extern const VMStateDescription vmstate_apic;

/* apic-timer.c */
bool apic_timer_periodic(APICState *s);
unsigned apic_timer_mode(APICState *s);     /* APIC_TIMER_* */
/* the LVT timer's mode changed from @old: switching to or from
 * TSC-deadline mode disarms the timer (initial count and deadline 0) */
void apic_timer_mode_changed(APICState *s, unsigned old);
/* IA32_TSC_DEADLINE write; @tsc is the guest TSC now, @tsc_khz its rate */
void apic_timer_set_deadline(APICState *s, uint64_t deadline, uint64_t tsc,
                             uint32_t tsc_khz);
uint32_t apic_current_count(APICState *s);
/* initial count or mode written: (re)start counting from now */
void apic_timer_start(APICState *s);
/* re-arm for next_fire (after a migration) or stop */
void apic_timer_arm(APICState *s);
void apic_timer_cb(void *opaque);
/* divide configuration register write */
void apic_timer_set_divide(APICState *s, uint32_t val);

#endif
