/*
 * Motorola MC146818A RTC + CMOS RAM (datasheet), as PCs have it.
 *
 * Time is not ticked: the guest's time is the chosen clock (host, rt or
 * vm) plus an offset; the time registers are computed on read. Setting
 * the SET bit freezes the registers for the guest to write; clearing it
 * takes the new time as the offset. BCD and binary modes, 12/24-hour
 * mode, UIP for the last 244 us of each second, periodic interrupts
 * (rate select in register A), update-ended and alarm interrupts with
 * "don't care" alarm bytes, register C cleared on read, IRQ 8 level
 * follows IRQF.
 * Left out: daylight-saving auto adjust (DSE is stored, not acted on),
 * square-wave output pin, the divider chain's reset/test states other
 * than "stopped", the extended 128-byte bank.
 */
#include "hw/rtc/mc146818rtc.h"
#include "migration/vmstate.h"
#include "util/error.h"

#include <string.h>
#include <time.h>

#define REG_SEC 0
#define REG_SEC_ALARM 1
#define REG_MIN 2
#define REG_MIN_ALARM 3
#define REG_HOUR 4
#define REG_HOUR_ALARM 5
#define REG_WDAY 6
#define REG_MDAY 7
#define REG_MONTH 8
#define REG_YEAR 9
#define REG_A 10
#define REG_B 11
#define REG_C 12
#define REG_D 13
#define REG_CENTURY 0x32

#define A_UIP 0x80
#define B_SET 0x80
#define B_PIE 0x40
#define B_AIE 0x20
#define B_UIE 0x10
#define B_DM 0x04
#define B_24H 0x02
#define C_IRQF 0x80
#define C_PF 0x40
#define C_AF 0x20
#define C_UF 0x10

#define NS 1000000000LL
#define UIP_NS 244000
/* 2200-01-01: guest ns since the epoch stay far below 2^63. */
#define RTC_MAX_TIME 7258118400LL

typedef struct RTCState {
    ISADevice parent;
    uint8_t cmos[RTC_CMOS_SIZE];
    uint8_t index;
    int64_t offset_ns;         /* guest time = clock + offset */
    int64_t last_update_s;     /* last second whose UF/AF was handled */
    RTCConfig cfg;
    qemu_irq irq;
    QEMUTimer *periodic_timer;
    QEMUTimer *second_timer;
    MemoryRegion io;
} RTCState;

#define MC146818_RTC(obj) OBJECT_CHECK(RTCState, (obj), TYPE_MC146818_RTC)

static RTCChangeHook *change_hook;

void rtc_set_change_hook(RTCChangeHook *hook)
{
    change_hook = hook;
}

static int64_t clock_now(RTCState *s)
{
    return clock_get_ns(s->cfg.clock);
}

static int64_t guest_ns(RTCState *s)
{
    return clock_now(s) + s->offset_ns;
}

static uint8_t to_reg(RTCState *s, int v)
{
    if (s->cmos[REG_B] & B_DM) {
        return v;
    }
    return ((v / 10) << 4) | (v % 10);
}

static int from_reg(RTCState *s, uint8_t v)
{
    if (s->cmos[REG_B] & B_DM) {
        return v;
    }
    return ((v >> 4) & 0x0f) * 10 + (v & 0x0f);
}

static uint8_t hour_to_reg(RTCState *s, int hour)
{
    if (s->cmos[REG_B] & B_24H) {
        return to_reg(s, hour);
    }
    int h12 = hour % 12 ? hour % 12 : 12;
    return to_reg(s, h12) | (hour >= 12 ? 0x80 : 0);
}

static int hour_from_reg(RTCState *s, uint8_t v)
{
    if (s->cmos[REG_B] & B_24H) {
        return from_reg(s, v);
    }
    int h = from_reg(s, v & 0x7f) % 12;
    return (v & 0x80) ? h + 12 : h;
}

/* Write the time registers from guest time (not while SET is on). */
static void rtc_refresh_regs(RTCState *s)
{
    if (s->cmos[REG_B] & B_SET) {
        return;
    }
    time_t t = guest_ns(s) / NS;
    struct tm tm;
    if (s->cfg.localtime) {
        localtime_r(&t, &tm);
    } else {
        gmtime_r(&t, &tm);
    }
    s->cmos[REG_SEC] = to_reg(s, tm.tm_sec);
    s->cmos[REG_MIN] = to_reg(s, tm.tm_min);
    s->cmos[REG_HOUR] = hour_to_reg(s, tm.tm_hour);
    s->cmos[REG_WDAY] = to_reg(s, tm.tm_wday + 1);
    s->cmos[REG_MDAY] = to_reg(s, tm.tm_mday);
    s->cmos[REG_MONTH] = to_reg(s, tm.tm_mon + 1);
    s->cmos[REG_YEAR] = to_reg(s, tm.tm_year % 100);
    s->cmos[REG_CENTURY] = to_reg(s, (tm.tm_year + 1900) / 100);
}

/* The guest wrote a new time: take it as the new offset. */
static void rtc_take_regs(RTCState *s)
{
    struct tm tm = { 0 };
    tm.tm_sec = from_reg(s, s->cmos[REG_SEC]);
    tm.tm_min = from_reg(s, s->cmos[REG_MIN]);
    tm.tm_hour = hour_from_reg(s, s->cmos[REG_HOUR]);
    tm.tm_mday = from_reg(s, s->cmos[REG_MDAY]);
    tm.tm_mon = from_reg(s, s->cmos[REG_MONTH]) - 1;
    tm.tm_year = from_reg(s, s->cmos[REG_CENTURY]) * 100 +
                 from_reg(s, s->cmos[REG_YEAR]) - 1900;
    tm.tm_isdst = -1;
    /* Out-of-range guest values are normalised by timegm/mktime. */
    time_t t = s->cfg.localtime ? mktime(&tm) : timegm(&tm);
    if (t < 0 || t > RTC_MAX_TIME) {
        /* Garbage or a date our ns arithmetic cannot hold: ignored. */
        return;
    }
    int64_t now = clock_now(s);
    s->offset_ns = (int64_t)t * NS - (now - now % NS);
    s->last_update_s = t;
    if (change_hook) {
        change_hook((int64_t)t - clock_get_ns(QEMU_CLOCK_HOST) / NS);
    }
}

static void rtc_update_irq(RTCState *s)
{
    uint8_t pending = s->cmos[REG_C] & s->cmos[REG_B] & (C_PF | C_AF | C_UF);
    if (pending) {
        s->cmos[REG_C] |= C_IRQF;
    }
    qemu_set_irq(s->irq, (s->cmos[REG_C] & C_IRQF) != 0);
}

static bool divider_running(RTCState *s)
{
    return ((s->cmos[REG_A] >> 4) & 7) == 2;
}

/* Periodic interrupt period in ns, or 0 when off. */
static int64_t periodic_period_ns(RTCState *s)
{
    unsigned rate = s->cmos[REG_A] & 0x0f;
    if (!rate || !divider_running(s)) {
        return 0;
    }
    if (rate <= 2) {
        rate += 7;             /* 256 Hz and 128 Hz, as the datasheet */
    }
    uint64_t ticks = 1u << (rate - 1);   /* of the 32768 Hz clock */
    return (int64_t)(ticks * NS / 32768);
}

static void rtc_arm_periodic(RTCState *s)
{
    int64_t period = periodic_period_ns(s);
    if (!period || !(s->cmos[REG_B] & B_PIE)) {
        /* PF is still set by hardware with PIE off, but nobody is
         * interrupted; reads of C compute it lazily below. */
        timer_del(s->periodic_timer);
        return;
    }
    int64_t now = guest_ns(s);
    int64_t next = (now / period + 1) * period - s->offset_ns;
    timer_mod_ns(s->periodic_timer, next);
}

static void rtc_periodic_cb(void *opaque)
{
    RTCState *s = opaque;
    s->cmos[REG_C] |= C_PF;
    rtc_update_irq(s);
    rtc_arm_periodic(s);
}

static bool alarm_matches(RTCState *s)
{
    static const int pairs[3][2] = {
        { REG_SEC_ALARM, REG_SEC },
        { REG_MIN_ALARM, REG_MIN },
        { REG_HOUR_ALARM, REG_HOUR },
    };
    for (int i = 0; i < 3; i++) {
        uint8_t alarm = s->cmos[pairs[i][0]];
        if ((alarm & 0xc0) == 0xc0) {
            continue;          /* don't care */
        }
        if (alarm != s->cmos[pairs[i][1]]) {
            return false;
        }
    }
    return true;
}

/* Handle the update cycles of the seconds that have passed. */
static void rtc_catch_up(RTCState *s)
{
    if ((s->cmos[REG_B] & B_SET) || !divider_running(s)) {
        return;
    }
    int64_t now_s = guest_ns(s) / NS;
    if (now_s <= s->last_update_s) {
        return;
    }
    s->last_update_s = now_s;
    rtc_refresh_regs(s);
    s->cmos[REG_C] |= C_UF;
    if (alarm_matches(s)) {
        s->cmos[REG_C] |= C_AF;
    }
    rtc_update_irq(s);
}

static void rtc_arm_second(RTCState *s)
{
    if (!(s->cmos[REG_B] & (B_UIE | B_AIE)) || (s->cmos[REG_B] & B_SET)) {
        timer_del(s->second_timer);
        return;
    }
    int64_t now = guest_ns(s);
    timer_mod_ns(s->second_timer, (now / NS + 1) * NS - s->offset_ns);
}

static void rtc_second_cb(void *opaque)
{
    RTCState *s = opaque;
    rtc_catch_up(s);
    rtc_arm_second(s);
}

static uint64_t rtc_ioport_read(void *opaque, hwaddr addr, unsigned size)
{
    RTCState *s = opaque;
    if (!(addr & 1)) {
        return 0xff;
    }
    uint8_t idx = s->index;
    switch (idx) {
    case REG_SEC ... REG_YEAR:
    case REG_CENTURY:
        rtc_catch_up(s);
        rtc_refresh_regs(s);
        return s->cmos[idx];
    case REG_A: {
        uint8_t a = s->cmos[REG_A] & ~A_UIP;
        if (divider_running(s) && !(s->cmos[REG_B] & B_SET) &&
            NS - guest_ns(s) % NS <= UIP_NS) {
            a |= A_UIP;
        }
        return a;
    }
    case REG_C: {
        rtc_catch_up(s);
        uint8_t c = s->cmos[REG_C];
        s->cmos[REG_C] = 0;
        qemu_set_irq(s->irq, 0);
        return c;
    }
    case REG_D:
        return 0x80;           /* valid RAM and time */
    default:
        return s->cmos[idx];
    }
}

static void rtc_ioport_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    RTCState *s = opaque;
    if (!(addr & 1)) {
        s->index = val & 0x7f;  /* bit 7 is NMI disable: not modelled */
        return;
    }
    uint8_t idx = s->index;
    switch (idx) {
    case REG_SEC ... REG_YEAR:
    case REG_CENTURY:
        s->cmos[idx] = val;
        if (!(s->cmos[REG_B] & B_SET) && idx != REG_SEC_ALARM &&
            idx != REG_MIN_ALARM && idx != REG_HOUR_ALARM) {
            /* Writing a time register without SET: take it at once. */
            rtc_take_regs(s);
        }
        break;
    case REG_A:
        s->cmos[REG_A] = (val & ~A_UIP) | (s->cmos[REG_A] & A_UIP);
        rtc_arm_periodic(s);
        break;
    case REG_B: {
        uint8_t old = s->cmos[REG_B];
        uint8_t b = val;
        if (b & B_SET) {
            b &= ~B_UIE;       /* SET clears UIE, per the datasheet */
        }
        if ((old & B_SET) && !(b & B_SET)) {
            s->cmos[REG_B] = b;
            rtc_take_regs(s);
        } else if (!(old & B_SET) && (b & B_SET)) {
            rtc_refresh_regs(s);   /* freeze what the guest sees */
            s->cmos[REG_B] = b;
        } else {
            /* A change of DM/24H re-renders the registers. */
            s->cmos[REG_B] = b;
            rtc_refresh_regs(s);
        }
        rtc_update_irq(s);
        rtc_arm_periodic(s);
        rtc_arm_second(s);
        break;
    }
    case REG_C:
    case REG_D:
        break;                 /* read-only */
    default:
        s->cmos[idx] = val;
    }
}

static const MemoryRegionOps rtc_io_ops = {
    .read = rtc_ioport_read,
    .write = rtc_ioport_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

static void rtc_reset(DeviceState *dev)
{
    RTCState *s = MC146818_RTC(dev);
    /* Reset clears the interrupt enables and flags; time and RAM stay. */
    s->cmos[REG_B] &= ~(B_PIE | B_AIE | B_UIE | 0x08);
    s->cmos[REG_C] = 0;
    qemu_set_irq(s->irq, 0);
    timer_del(s->periodic_timer);
    timer_del(s->second_timer);
}

static void rtc_set_initial_time(RTCState *s)
{
    int64_t base_s;
    if (s->cfg.has_base_date) {
        base_s = s->cfg.base_date;
    } else {
        base_s = clock_get_ns(QEMU_CLOCK_HOST) / NS;
    }
    int64_t now = clock_now(s);
    s->offset_ns = base_s * NS - now;
    s->last_update_s = base_s;
}

static bool rtc_realize(DeviceState *dev, GError **errp)
{
    RTCState *s = MC146818_RTC(dev);

    s->irq = isa_get_irq(ISA_DEVICE(dev), 8);
    s->periodic_timer = timer_new_ns(s->cfg.clock, rtc_periodic_cb, s);
    s->second_timer = timer_new_ns(s->cfg.clock, rtc_second_cb, s);
    s->cmos[REG_A] = 0x26;     /* 32.768 kHz divider, 1024 Hz rate */
    s->cmos[REG_B] = B_24H;
    rtc_set_initial_time(s);
    rtc_refresh_regs(s);
    memory_region_init_io(&s->io, OBJECT(dev), &rtc_io_ops, s, "rtc", 2);
    return isa_register_ioport(ISA_DEVICE(dev), &s->io, 0x70, errp);
}

static void rtc_unrealize(DeviceState *dev)
{
    RTCState *s = MC146818_RTC(dev);
    isa_unregister_ioport(ISA_DEVICE(dev), &s->io);
    memory_region_finalize(&s->io);
    timer_free(s->periodic_timer);
    timer_free(s->second_timer);
    s->periodic_timer = s->second_timer = NULL;
}

DeviceState *mc146818_rtc_create(ISABus *bus, const RTCConfig *cfg,
                                 GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_MC146818_RTC);
    RTCState *s = MC146818_RTC(dev);
    if (cfg) {
        s->cfg = *cfg;
    } else {
        s->cfg.clock = QEMU_CLOCK_HOST;
    }
    if (!qdev_realize_and_unref(dev, BUS(bus), errp)) {
        return NULL;
    }
    return dev;
}

void rtc_set_memory(DeviceState *rtc, unsigned addr, uint8_t val)
{
    if (addr < RTC_CMOS_SIZE) {
        MC146818_RTC(rtc)->cmos[addr] = val;
    }
}

uint8_t rtc_get_memory(DeviceState *rtc, unsigned addr)
{
    return addr < RTC_CMOS_SIZE ? MC146818_RTC(rtc)->cmos[addr] : 0xff;
}

int64_t rtc_guest_time(DeviceState *rtc)
{
    return guest_ns(MC146818_RTC(rtc)) / NS;
}

static int rtc_post_load(void *opaque, int version_id)
{
    RTCState *s = opaque;
    s->index &= 0x7f;
    rtc_update_irq(s);
    rtc_arm_periodic(s);
    rtc_arm_second(s);
    return 0;
}

static const VMStateDescription vmstate_rtc = {
    .name = "mc146818rtc",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = rtc_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_BUFFER(cmos, RTCState),
        VMSTATE_UINT8(index, RTCState),
        VMSTATE_INT64(offset_ns, RTCState),
        VMSTATE_INT64(last_update_s, RTCState),
        VMSTATE_END_OF_LIST(),
    },
};

static void rtc_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    dc->desc = "MC146818 RTC and CMOS";
    dc->user_creatable = false;
    dc->realize = rtc_realize;
    dc->unrealize = rtc_unrealize;
    dc->reset = rtc_reset;
    dc->vmsd = &vmstate_rtc;
}

static const TypeInfo rtc_info = {
    .name = TYPE_MC146818_RTC,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(RTCState),
    .class_init = rtc_class_init,
};

static void rtc_register(void)
{
    type_register_static_array(&rtc_info, 1);
}
type_init(rtc_register)
