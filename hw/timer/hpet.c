/*
 * HPET (IA-PC HPET specification 1.0a, section 2.3): general capabilities
 * at 0x000, configuration at 0x010, interrupt status at 0x020, the main
 * counter at 0x0f0, timer n's configuration, comparator and FSB route at
 * 0x100 + 0x20 * n (+0, +8, +0x10). Registers are 64-bit; 32-bit accesses
 * reach either half.
 *
 * The main counter is derived from the virtual clock while enabled:
 * counter = counter_base + (now - enable_time) / 10 ns. Each timer with
 * interrupts enabled arms a QEMUTimer for the moment the counter reaches
 * its comparator (modulo 2^32 in 32-bit mode); periodic timer 0 then adds
 * its period to the comparator. Comparator writes in periodic mode follow
 * the usual "VAL_SET" protocol: the comparator changes only with VAL_SET
 * set, the period changes on every write.
 */
#include "hw/timer/hpet.h"
#include "hw/timer/i8254.h"
#include "migration/vmstate.h"
#include "system/timer.h"
#include "util/error.h"

#define HPET_CAP_LOW 0x8086a201u  /* rev 1, 3 timers, 64-bit, legacy cap */
#define HPET_PERIOD_FS 10000000ull
#define HPET_CFG_ENABLE 1u
#define HPET_CFG_LEGACY 2u

#define TN_LEVEL (1u << 1)
#define TN_INT_ENB (1u << 2)
#define TN_PERIODIC (1u << 3)
#define TN_PER_CAP (1u << 4)
#define TN_SIZE_CAP (1u << 5)
#define TN_VAL_SET (1u << 6)
#define TN_32BIT (1u << 8)
#define TN_ROUTE_SHIFT 9
#define TN_ROUTE_MASK (0x1fu << TN_ROUTE_SHIFT)
#define TN_WRITABLE (TN_LEVEL | TN_INT_ENB | TN_PERIODIC | TN_VAL_SET | \
                     TN_32BIT | TN_ROUTE_MASK)
#define TN_ROUTE_CAP 0x00f00000u  /* IOAPIC pins 20-23 */
/* comparators never fire closer together than this (guest-chosen periods
 * of one tick would otherwise flood the main loop) */
#define HPET_MIN_PERIOD_NS 10000
#define HPET_MAX_ARM_NS (1ll << 40)

typedef struct HPETState HPETState;

typedef struct HPETTimer {
    HPETState *s;
    int n;
    uint64_t config;
    uint64_t cmp;
    uint64_t period;
    QEMUTimer *qtimer;
} HPETTimer;

struct HPETState {
    SysBusDevice parent;
    uint64_t config;
    uint64_t isr;
    uint64_t counter_base;       /* counter value at enable_time */
    int64_t enable_time;
    HPETTimer timer[HPET_NUM_TIMERS];
    MemoryRegion mmio;
    qemu_irq irq0, irq8;
    qemu_irq *ioapic;
    DeviceState *pit;
    int line_level[HPET_NUM_TIMERS];
};

#define HPET(obj) OBJECT_CHECK(HPETState, (obj), TYPE_HPET)

static int64_t now_ns(void)
{
    return clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

static bool hpet_enabled(HPETState *s)
{
    return s->config & HPET_CFG_ENABLE;
}

/* Ticks counted between enable_time and `when`. */
static uint64_t hpet_ticks_since_enable(HPETState *s, int64_t when)
{
    int64_t d = when - s->enable_time;
    return (uint64_t)(d > 0 ? d : 0) / HPET_CLK_PERIOD_NS;
}

/* The main counter at virtual time `when`. */
static uint64_t hpet_counter_at(HPETState *s, int64_t when)
{
    if (!hpet_enabled(s)) {
        return s->counter_base;
    }
    return s->counter_base + hpet_ticks_since_enable(s, when);
}

static uint64_t hpet_counter(HPETState *s)
{
    return hpet_counter_at(s, now_ns());
}

/* The line timer n drives now, or NULL. */
static qemu_irq hpet_line(HPETState *s, int n)
{
    if ((s->config & HPET_CFG_LEGACY) && n < 2) {
        return n == 0 ? s->irq0 : s->irq8;
    }
    unsigned pin = (s->timer[n].config & TN_ROUTE_MASK) >> TN_ROUTE_SHIFT;
    if (!s->ioapic || !(TN_ROUTE_CAP & (1u << pin))) {
        return NULL;
    }
    return s->ioapic[pin];
}

static void hpet_set_line(HPETState *s, int n, int level)
{
    qemu_irq line = hpet_line(s, n);
    s->line_level[n] = level;
    if (line) {
        qemu_set_irq(line, level);
    }
}

static void hpet_raise(HPETTimer *t)
{
    HPETState *s = t->s;
    if (!(t->config & TN_INT_ENB)) {
        return;
    }
    if (t->config & TN_LEVEL) {
        s->isr |= 1u << t->n;
        hpet_set_line(s, t->n, 1);
    } else {
        qemu_irq line = hpet_line(s, t->n);
        if (line) {
            qemu_irq_pulse(line);
        }
    }
}

/* Ticks until the counter reaches the comparator, 1..2^64-1 or 2^32. */
static uint64_t hpet_ticks_to_cmp(HPETTimer *t, uint64_t counter)
{
    uint64_t diff;
    if (t->config & TN_32BIT) {
        diff = (uint32_t)((uint32_t)t->cmp - (uint32_t)counter);
        return diff ? diff : 1ull << 32;
    }
    diff = t->cmp - counter;
    return diff ? diff : UINT64_MAX;
}

/*
 * Arm timer t for the first comparator match after virtual time `ref`:
 * the moment of the event that (re)defines the match (the enable, the
 * comparator write, the previous match). The counter and the deadline
 * both derive from that one instant, and the deadline is absolute on the
 * counter's time base (enable_time + ticks * period): however long the
 * emulator takes to get here, a comparator ahead of the counter at `ref`
 * fires at its exact time, at once if that has passed already. (Reading
 * the clock afresh here instead made a comparator 1 us after an enable
 * look already passed on a slow host, so it waited for the 64-bit wrap.)
 */
static void hpet_arm_at(HPETTimer *t, int64_t ref)
{
    HPETState *s = t->s;
    if (!hpet_enabled(s) || !(t->config & TN_INT_ENB)) {
        timer_del(t->qtimer);
        return;
    }
    uint64_t elapsed = hpet_ticks_since_enable(s, ref);
    uint64_t ticks = hpet_ticks_to_cmp(t, s->counter_base + elapsed);
    uint64_t cap = (uint64_t)HPET_MAX_ARM_NS / HPET_CLK_PERIOD_NS;
    if (ticks > cap) {
        /* far away: look again then (hpet_timer_cb re-arms) */
        timer_mod_ns(t->qtimer, ref + HPET_MAX_ARM_NS);
        return;
    }
    timer_mod_ns(t->qtimer, s->enable_time +
                 (int64_t)(elapsed + ticks) * HPET_CLK_PERIOD_NS);
}

static void hpet_arm(HPETTimer *t)
{
    hpet_arm_at(t, now_ns());
}

static void hpet_timer_cb(void *opaque)
{
    HPETTimer *t = opaque;
    HPETState *s = t->s;
    int64_t now = now_ns();
    uint64_t counter = hpet_counter_at(s, now);
    uint64_t mask = (t->config & TN_32BIT) ? 0xffffffffull : UINT64_MAX;

    /* reached? (the arm may have been capped for a far comparator) */
    if (((counter - t->cmp) & mask) > (mask >> 1)) {
        hpet_arm_at(t, now);
        return;
    }
    hpet_raise(t);
    if ((t->config & TN_PERIODIC) && t->period) {
        uint64_t period = MAX(t->period & mask,
                              (uint64_t)HPET_MIN_PERIOD_NS /
                              HPET_CLK_PERIOD_NS);
        t->cmp = (t->cmp + period) & mask;
        if (((counter - t->cmp) & mask) <= (mask >> 1)) {
            /* fell behind: skip missed periods rather than flood */
            t->cmp = (counter + period) & mask;
        }
        hpet_arm_at(t, now);
    }
}

/* ---- registers --------------------------------------------------------- */

static uint64_t hpet_reg_read(HPETState *s, hwaddr reg)
{
    switch (reg) {
    case 0x000:
        return HPET_CAP_LOW | (HPET_PERIOD_FS << 32);
    case 0x010:
        return s->config;
    case 0x020:
        return s->isr;
    case 0x0f0:
        return hpet_counter(s);
    }
    if (reg >= 0x100 && reg < 0x100 + 0x20 * HPET_NUM_TIMERS) {
        HPETTimer *t = &s->timer[(reg - 0x100) / 0x20];
        switch (reg & 0x1f) {
        case 0x00:
            return t->config | ((uint64_t)TN_ROUTE_CAP << 32);
        case 0x08:
            return (t->config & TN_32BIT) ? (uint32_t)t->cmp : t->cmp;
        default:
            return 0;            /* FSB route: not supported */
        }
    }
    return 0;
}

static void hpet_config_write(HPETState *s, uint64_t val)
{
    uint64_t old = s->config;
    int levels[HPET_NUM_TIMERS];

    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        levels[i] = s->line_level[i];
        if (levels[i]) {
            hpet_set_line(s, i, 0);   /* drop it from the old route */
        }
    }
    if (!(old & HPET_CFG_ENABLE) && (val & HPET_CFG_ENABLE)) {
        s->enable_time = now_ns();
    } else if ((old & HPET_CFG_ENABLE) && !(val & HPET_CFG_ENABLE)) {
        s->counter_base = hpet_counter(s);
    }
    s->config = val & (HPET_CFG_ENABLE | HPET_CFG_LEGACY);
    if ((old ^ s->config) & HPET_CFG_LEGACY && s->pit) {
        i8254_set_irq_enabled(s->pit, !(s->config & HPET_CFG_LEGACY));
    }
    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        if (levels[i] && hpet_enabled(s)) {
            hpet_set_line(s, i, 1);
        }
        /* Only starting or halting the counter moves the matches: a
         * timer armed already keeps its deadline (re-arming it from a
         * later "now" could skip a match that is due but not yet run). */
        if ((old ^ s->config) & HPET_CFG_ENABLE) {
            hpet_arm_at(&s->timer[i], s->enable_time);
        }
    }
}

static void hpet_timer_write(HPETState *s, HPETTimer *t, hwaddr off,
                             uint64_t val, uint64_t wmask)
{
    if (off == 0x00) {
        uint64_t v = (t->config & ~wmask) | (val & wmask);
        uint64_t old_config = t->config;
        bool level_was = s->line_level[t->n];
        if (level_was) {
            hpet_set_line(s, t->n, 0);
        }
        t->config = (v & TN_WRITABLE) | TN_SIZE_CAP |
                    (t->n == 0 ? TN_PER_CAP : 0);
        if (t->n != 0) {
            t->config &= ~TN_PERIODIC;
        }
        if (t->config & TN_32BIT) {
            t->cmp = (uint32_t)t->cmp;
            t->period = (uint32_t)t->period;
        }
        if (level_was && (t->config & TN_LEVEL) &&
            (t->config & TN_INT_ENB)) {
            hpet_set_line(s, t->n, 1);
        }
        /* a pending match stays armed unless its timing changed */
        if (((old_config ^ t->config) &
             (TN_INT_ENB | TN_PERIODIC | TN_32BIT)) ||
            !timer_pending(t->qtimer)) {
            hpet_arm(t);
        }
    } else if (off == 0x08) {
        uint64_t old = (t->config & TN_PERIODIC) && !(t->config & TN_VAL_SET)
                       ? t->period : t->cmp;
        uint64_t v = (old & ~wmask) | (val & wmask);
        if (t->config & TN_32BIT) {
            v = (uint32_t)v;
        }
        if (!(t->config & TN_PERIODIC) || (t->config & TN_VAL_SET)) {
            t->cmp = v;
        }
        if (t->config & TN_PERIODIC) {
            t->period = v;
        }
        t->config &= ~TN_VAL_SET;
        hpet_arm(t);
    }
}

static void hpet_reg_write(HPETState *s, hwaddr reg, uint64_t val,
                           uint64_t wmask)
{
    switch (reg) {
    case 0x010:
        hpet_config_write(s, (s->config & ~wmask) | (val & wmask));
        return;
    case 0x020:                  /* write 1 to clear level status */
        for (int i = 0; i < HPET_NUM_TIMERS; i++) {
            if ((val & wmask) & (1u << i) && (s->isr & (1u << i))) {
                s->isr &= ~(1ull << i);
                hpet_set_line(s, i, 0);
            }
        }
        return;
    case 0x0f0:                  /* writable only while halted */
        if (!hpet_enabled(s)) {
            s->counter_base = (s->counter_base & ~wmask) | (val & wmask);
        }
        return;
    }
    if (reg >= 0x100 && reg < 0x100 + 0x20 * HPET_NUM_TIMERS) {
        hpet_timer_write(s, &s->timer[(reg - 0x100) / 0x20], reg & 0x1f,
                         val, wmask);
    }
}

static uint64_t hpet_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    HPETState *s = opaque;
    uint64_t v = hpet_reg_read(s, addr & ~7ull);
    if (size == 8) {
        return v;
    }
    return (v >> ((addr & 4) * 8)) & 0xffffffffu;
}

static void hpet_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                            unsigned size)
{
    HPETState *s = opaque;
    unsigned shift = size == 8 ? 0 : (addr & 4) * 8;
    uint64_t wmask = size == 8 ? UINT64_MAX : 0xffffffffull << shift;
    hpet_reg_write(s, addr & ~7ull, val << shift, wmask);
}

static const MemoryRegionOps hpet_ops = {
    .read = hpet_mmio_read,
    .write = hpet_mmio_write,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 8 },
};

/* ---- device ------------------------------------------------------------ */

static void hpet_reset(DeviceState *dev)
{
    HPETState *s = HPET(dev);
    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        HPETTimer *t = &s->timer[i];
        if (s->line_level[i]) {
            hpet_set_line(s, i, 0);
        }
        t->config = TN_SIZE_CAP | (i == 0 ? TN_PER_CAP : 0);
        t->cmp = UINT64_MAX;
        t->period = 0;
        timer_del(t->qtimer);
    }
    if ((s->config & HPET_CFG_LEGACY) && s->pit) {
        i8254_set_irq_enabled(s->pit, true);
    }
    s->config = 0;
    s->isr = 0;
    s->counter_base = 0;
    s->enable_time = 0;
}

static bool hpet_realize(DeviceState *dev, GError **errp)
{
    HPETState *s = HPET(dev);
    memory_region_init_io(&s->mmio, OBJECT(dev), &hpet_ops, s, "hpet",
                          0x400);
    sysbus_init_mmio(SYS_BUS_DEVICE(dev), &s->mmio);
    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        s->timer[i].s = s;
        s->timer[i].n = i;
        s->timer[i].qtimer = timer_new_ns(QEMU_CLOCK_VIRTUAL, hpet_timer_cb,
                                          &s->timer[i]);
    }
    hpet_reset(dev);
    return true;
}

static void hpet_unrealize(DeviceState *dev)
{
    HPETState *s = HPET(dev);
    sysbus_mmio_unmap(SYS_BUS_DEVICE(dev), 0);
    memory_region_finalize(&s->mmio);
    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        timer_free(s->timer[i].qtimer);
        s->timer[i].qtimer = NULL;
    }
}

DeviceState *hpet_create(hwaddr base, qemu_irq irq0, qemu_irq irq8,
                         qemu_irq *ioapic, DeviceState *pit, GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_HPET);
    HPETState *s = HPET(dev);
    s->irq0 = irq0;
    s->irq8 = irq8;
    s->ioapic = ioapic;
    s->pit = pit;
    if (!sysbus_realize_and_unref(SYS_BUS_DEVICE(dev), errp)) {
        return NULL;
    }
    sysbus_mmio_map(SYS_BUS_DEVICE(dev), 0, base);
    return dev;
}

bool hpet_legacy_mode(DeviceState *dev)
{
    return dev && (HPET(dev)->config & HPET_CFG_LEGACY);
}

void hpet_info(DeviceState *dev, GString *out)
{
    HPETState *s = HPET(dev);
    g_string_append_printf(out, "hpet: config=0x%llx (%s%s) isr=0x%llx "
                           "counter=0x%016llx\n",
                           (unsigned long long)s->config,
                           hpet_enabled(s) ? "enabled" : "halted",
                           (s->config & HPET_CFG_LEGACY) ? ", legacy" : "",
                           (unsigned long long)s->isr,
                           (unsigned long long)hpet_counter(s));
    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        HPETTimer *t = &s->timer[i];
        g_string_append_printf(out, "  timer%d: config=0x%llx cmp=0x%llx "
                               "period=0x%llx\n", i,
                               (unsigned long long)t->config,
                               (unsigned long long)t->cmp,
                               (unsigned long long)t->period);
    }
}

/* ---- migration --------------------------------------------------------- */

static int hpet_post_load(void *opaque, int version_id)
{
    HPETState *s = opaque;
    s->config &= HPET_CFG_ENABLE | HPET_CFG_LEGACY;
    s->isr &= (1u << HPET_NUM_TIMERS) - 1;
    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        HPETTimer *t = &s->timer[i];
        t->config = (t->config & TN_WRITABLE) | TN_SIZE_CAP |
                    (i == 0 ? TN_PER_CAP : 0);
        if (i != 0) {
            t->config &= ~TN_PERIODIC;
        }
        s->line_level[i] = 0;
        if ((t->config & TN_LEVEL) && (s->isr & (1u << i)) &&
            (t->config & TN_INT_ENB) && hpet_enabled(s)) {
            hpet_set_line(s, i, 1);          /* still asserted */
        }
        hpet_arm(t);
    }
    if (s->pit) {
        i8254_set_irq_enabled(s->pit, !(s->config & HPET_CFG_LEGACY));
    }
    return 0;
}

static const VMStateDescription vmstate_hpet_timer = {
    .name = "hpet_timer",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(config, HPETTimer),
        VMSTATE_UINT64(cmp, HPETTimer),
        VMSTATE_UINT64(period, HPETTimer),
        VMSTATE_END_OF_LIST(),
    },
};

static const VMStateDescription vmstate_hpet = {
    .name = "hpet",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = hpet_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(config, HPETState),
        VMSTATE_UINT64(isr, HPETState),
        VMSTATE_UINT64(counter_base, HPETState),
        VMSTATE_INT64(enable_time, HPETState),
        VMSTATE_STRUCT_ARRAY(timer, HPETState, HPET_NUM_TIMERS,
                             vmstate_hpet_timer, HPETTimer),
        VMSTATE_END_OF_LIST(),
    },
};

static void hpet_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    dc->desc = "HPET";
    dc->user_creatable = false;
    dc->realize = hpet_realize;
    dc->unrealize = hpet_unrealize;
    dc->reset = hpet_reset;
    dc->vmsd = &vmstate_hpet;
}

static const TypeInfo hpet_type_info = {
    .name = TYPE_HPET,
    .parent = TYPE_SYS_BUS_DEVICE,
    .instance_size = sizeof(HPETState),
    .class_init = hpet_class_init,
};

static void hpet_register(void)
{
    type_register_static_array(&hpet_type_info, 1);
}
type_init(hpet_register)
