/*
 * Intel 8254 PIT (8254 datasheet): three 16-bit counters clocked at
 * 1.193182 MHz, modes 0-5, binary counting (BCD mode is accepted and
 * reported in the status but counts in binary), LSB/MSB/word access,
 * counter latch, read-back command with status.
 *
 * The counters are not ticked: each channel remembers when its count was
 * loaded (virtual clock, which stops while the VM is paused) and computes
 * its value and output from the elapsed time. Channel 0's output drives
 * IRQ0 through a timer armed for its next output transition.
 *
 * Port 0x61 (PC "NMI status and control"): bit 0 channel 2 gate, bit 1
 * speaker data enable, bit 4 refresh toggle (every 15.085 us), bit 5
 * channel 2 output. Left out: the gate of channels 0/1 (tied high on a
 * PC), counting pause while a mode 0/4 gate is low, real BCD counting.
 */
#include "hw/timer/i8254.h"
#include "migration/vmstate.h"
#include "system/timer.h"
#include "util/error.h"

enum { RW_LATCH = 0, RW_LSB = 1, RW_MSB = 2, RW_WORD0 = 3, RW_WORD1 = 4 };

typedef struct PITChannel {
    uint32_t count;            /* loaded count, 1..0x10000 */
    uint16_t latched_count;
    uint8_t count_latched;     /* RW_* of a pending latched read, or 0 */
    uint8_t status_latched;
    uint8_t status;
    uint8_t read_state;
    uint8_t write_state;
    uint8_t write_latch;
    uint8_t rw_mode;
    uint8_t mode;
    uint8_t bcd;
    uint8_t gate;
    uint8_t null_count;        /* control word written, no count yet */
    int64_t count_load_time;   /* virtual ns */
    int64_t next_transition;   /* virtual ns, -1 none (channel 0) */
    uint64_t irq_periods;      /* channel 0: periods already signalled */
} PITChannel;

typedef struct PITState {
    ISADevice parent;
    PITChannel ch[3];
    uint8_t speaker_enable;
    bool irq_enabled;
    uint8_t irq_level;
    qemu_irq irq;
    QEMUTimer *timer;
    MemoryRegion io, port61;
} PITState;

#define I8254(obj) OBJECT_CHECK(PITState, (obj), TYPE_I8254)

static int64_t now_ns(void)
{
    return clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

static uint64_t ticks_since(PITChannel *c, int64_t now)
{
    int64_t dt = now - c->count_load_time;
    if (dt <= 0) {
        return 0;
    }
    return (uint64_t)((unsigned __int128)dt * PIT_FREQ / 1000000000ull);
}

static int64_t ticks_to_ns(uint64_t ticks)
{
    /* round up so the transition has happened when the timer fires */
    return (int64_t)(((unsigned __int128)ticks * 1000000000ull + PIT_FREQ - 1)
                     / PIT_FREQ);
}

static uint16_t channel_counter(PITChannel *c, int64_t now)
{
    uint64_t d = ticks_since(c, now);
    uint32_t n = c->count;

    switch (c->mode) {
    case 0:
    case 1:
    case 4:
    case 5:
        return (n - d) & 0xffff;
    case 3:
        return n - ((2 * d) % n);
    default:                   /* 2 */
        return n - (d % n);
    }
}

static int channel_out(PITChannel *c, int64_t now)
{
    uint64_t d = ticks_since(c, now);
    uint32_t n = c->count;

    if (c->null_count) {
        return c->mode != 0;
    }
    switch (c->mode) {
    case 0:
    case 1:
        return d >= n;
    case 2:
        return (d % n) != n - 1;
    case 3:
        return (d % n) < ((n + 1) >> 1);
    default:                   /* 4, 5: one low tick at terminal count */
        return d != n;
    }
}

/* Virtual time of the next output change after now, or -1. */
static int64_t channel_next_transition(PITChannel *c, int64_t now)
{
    uint64_t d = ticks_since(c, now);
    uint32_t n = c->count;
    uint64_t next;

    if (c->null_count) {
        return -1;
    }
    switch (c->mode) {
    case 0:
    case 1:
        if (d >= n) {
            return -1;
        }
        next = n;
        break;
    case 2: {
        uint64_t base = d - (d % n);
        next = (d - base < n - 1) ? base + n - 1 : base + n;
        if (n == 1) {
            next = d + 1;
        }
        break;
    }
    case 3: {
        uint64_t base = d - (d % n);
        uint64_t half = (n + 1) >> 1;
        next = (d - base < half) ? base + half : base + n;
        break;
    }
    default:
        if (d < n) {
            next = n;
        } else if (d == n) {
            next = n + 1;
        } else {
            return -1;
        }
    }
    int64_t t = c->count_load_time + ticks_to_ns(next);
    return t > now ? t : now + 1;
}

/*
 * Channel 0 -> IRQ0. The IRQ is edge-triggered at the PIC, and the timer
 * callback runs some time after the transition it was armed for, so the
 * output is not merely sampled: in the periodic modes every elapsed period
 * boundary produces a low->high pulse, and the one-tick strobe of modes
 * 4/5 is pulsed too. Otherwise the line follows the computed output.
 */
static void pit_irq_update(PITState *s, int64_t now)
{
    PITChannel *c = &s->ch[0];
    int out = channel_out(c, now);

    if (s->irq_enabled && !c->null_count) {
        uint64_t d = ticks_since(c, now);
        bool pulse = false;
        if (c->mode == 2 || c->mode == 3) {
            uint64_t periods = d / c->count;
            pulse = periods > c->irq_periods;
            c->irq_periods = periods;
        } else if (c->mode >= 4) {
            pulse = d >= c->count && !c->irq_periods;
            c->irq_periods = d >= c->count;
        }
        if (pulse) {
            qemu_set_irq(s->irq, 0);
            qemu_set_irq(s->irq, 1);
        }
        qemu_set_irq(s->irq, out);
    }
    s->irq_level = out;
    c->next_transition = channel_next_transition(c, now);
    if (c->next_transition >= 0 && s->irq_enabled) {
        timer_mod_ns(s->timer, c->next_transition);
    } else {
        timer_del(s->timer);
    }
}

static void pit_timer_cb(void *opaque)
{
    PITState *s = opaque;
    pit_irq_update(s, now_ns());
}

static void load_count(PITState *s, int ch, uint32_t val)
{
    PITChannel *c = &s->ch[ch];
    c->count = val ? val : 0x10000;
    c->count_load_time = now_ns();
    c->null_count = 0;
    c->irq_periods = 0;
    if (ch == 0) {
        pit_irq_update(s, c->count_load_time);
    }
}

static void latch_count(PITChannel *c, int64_t now)
{
    if (!c->count_latched) {
        c->latched_count = channel_counter(c, now);
        c->count_latched = c->rw_mode;
    }
}

static void latch_status(PITChannel *c, int64_t now)
{
    if (!c->status_latched) {
        c->status = (channel_out(c, now) << 7) | (c->null_count << 6) |
                    (c->rw_mode << 4) | (c->mode << 1) | c->bcd;
        c->status_latched = 1;
    }
}

static void pit_write_control(PITState *s, uint8_t val)
{
    int64_t now = now_ns();
    int ch = val >> 6;

    if (ch == 3) {             /* read-back */
        for (int i = 0; i < 3; i++) {
            if (val & (2 << i)) {
                if (!(val & 0x20)) {
                    latch_count(&s->ch[i], now);
                }
                if (!(val & 0x10)) {
                    latch_status(&s->ch[i], now);
                }
            }
        }
        return;
    }
    PITChannel *c = &s->ch[ch];
    int access = (val >> 4) & 3;
    if (access == RW_LATCH) {
        latch_count(c, now);
        return;
    }
    c->rw_mode = access;
    c->read_state = access;
    c->write_state = access;
    c->mode = (val >> 1) & 7;
    if (c->mode > 5) {
        c->mode -= 4;          /* 6, 7 alias 2, 3 */
    }
    c->bcd = val & 1;
    c->null_count = 1;
    c->count_latched = 0;
    if (ch == 0) {
        pit_irq_update(s, now);
    }
}

static void pit_ioport_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    PITState *s = opaque;
    int ch = addr & 3;

    if (ch == 3) {
        pit_write_control(s, val);
        return;
    }
    PITChannel *c = &s->ch[ch];
    switch (c->write_state) {
    case RW_LSB:
        load_count(s, ch, val & 0xff);
        break;
    case RW_MSB:
        load_count(s, ch, (val & 0xff) << 8);
        break;
    case RW_WORD0:
        c->write_latch = val;
        c->write_state = RW_WORD1;
        break;
    case RW_WORD1:
        load_count(s, ch, c->write_latch | ((val & 0xff) << 8));
        c->write_state = RW_WORD0;
        break;
    default:
        break;                 /* no access mode programmed yet */
    }
}

static uint8_t read_part(uint16_t v, uint8_t *state)
{
    switch (*state) {
    case RW_LSB:
        return v & 0xff;
    case RW_MSB:
        return v >> 8;
    case RW_WORD0:
        *state = RW_WORD1;
        return v & 0xff;
    case RW_WORD1:
        *state = RW_WORD0;
        return v >> 8;
    default:
        return 0;
    }
}

static uint64_t pit_ioport_read(void *opaque, hwaddr addr, unsigned size)
{
    PITState *s = opaque;
    int ch = addr & 3;

    if (ch == 3) {
        return 0xff;           /* the control register is write-only */
    }
    PITChannel *c = &s->ch[ch];
    if (c->status_latched) {
        c->status_latched = 0;
        return c->status;
    }
    if (c->count_latched) {
        uint8_t st = c->count_latched;
        uint8_t ret = read_part(c->latched_count, &st);
        /* LSB/MSB latches are read once; a word latch twice */
        c->count_latched = (c->count_latched == RW_WORD0) ? RW_WORD1 : 0;
        return ret;
    }
    return read_part(channel_counter(c, now_ns()), &c->read_state);
}

static const MemoryRegionOps pit_io_ops = {
    .read = pit_ioport_read,
    .write = pit_ioport_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

static uint64_t port61_read(void *opaque, hwaddr addr, unsigned size)
{
    PITState *s = opaque;
    int64_t now = now_ns();
    int refresh = (now / 15085) & 1;
    return s->ch[2].gate | (s->speaker_enable << 1) | (refresh << 4) |
           (channel_out(&s->ch[2], now) << 5);
}

static void port61_write(void *opaque, hwaddr addr, uint64_t val,
                         unsigned size)
{
    PITState *s = opaque;
    PITChannel *c = &s->ch[2];
    uint8_t gate = val & 1;

    /* A rising gate (re)starts modes 1, 2, 3 and 5. */
    if (gate && !c->gate && c->mode != 0 && c->mode != 4) {
        c->count_load_time = now_ns();
    }
    c->gate = gate;
    s->speaker_enable = (val >> 1) & 1;
}

static const MemoryRegionOps port61_ops = {
    .read = port61_read,
    .write = port61_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static void pit_reset(DeviceState *dev)
{
    PITState *s = I8254(dev);
    int64_t now = now_ns();
    for (int i = 0; i < 3; i++) {
        PITChannel *c = &s->ch[i];
        memset(c, 0, sizeof(*c));
        c->mode = 3;
        c->gate = (i != 2);
        c->rw_mode = c->read_state = c->write_state = RW_WORD0;
        c->count = 0x10000;
        c->count_load_time = now;
    }
    s->speaker_enable = 0;
    pit_irq_update(s, now);
}

static bool pit_realize(DeviceState *dev, GError **errp)
{
    PITState *s = I8254(dev);
    s->irq = isa_get_irq(ISA_DEVICE(dev), 0);
    s->irq_enabled = true;
    s->timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, pit_timer_cb, s);
    memory_region_init_io(&s->io, OBJECT(dev), &pit_io_ops, s, "pit", 4);
    memory_region_init_io(&s->port61, OBJECT(dev), &port61_ops, s,
                          "port61", 1);
    if (!isa_register_ioport(ISA_DEVICE(dev), &s->io, 0x40, errp) ||
        !isa_register_ioport(ISA_DEVICE(dev), &s->port61, 0x61, errp)) {
        return false;
    }
    pit_reset(dev);
    return true;
}

static void pit_unrealize(DeviceState *dev)
{
    PITState *s = I8254(dev);
    isa_unregister_ioport(ISA_DEVICE(dev), &s->io);
    isa_unregister_ioport(ISA_DEVICE(dev), &s->port61);
    memory_region_finalize(&s->io);
    memory_region_finalize(&s->port61);
    timer_free(s->timer);
    s->timer = NULL;
}

void i8254_set_irq_enabled(DeviceState *pit, bool enabled)
{
    PITState *s = I8254(pit);
    s->irq_enabled = enabled;
    if (!enabled) {
        qemu_set_irq(s->irq, 0);
    }
    pit_irq_update(s, now_ns());
}

DeviceState *i8254_create(ISABus *bus, GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_I8254);
    if (!qdev_realize_and_unref(dev, BUS(bus), errp)) {
        return NULL;
    }
    return dev;
}

static int pit_post_load(void *opaque, int version_id)
{
    PITState *s = opaque;
    for (int i = 0; i < 3; i++) {
        PITChannel *c = &s->ch[i];
        if (c->count == 0 || c->count > 0x10000 || c->mode > 5 ||
            c->rw_mode > RW_WORD0 || c->read_state > RW_WORD1 ||
            c->write_state > RW_WORD1 || c->count_latched > RW_WORD1) {
            return -1;
        }
        c->gate &= 1;
        c->irq_periods = ticks_since(c, now_ns()) / c->count;
    }
    pit_irq_update(s, now_ns());
    return 0;
}

static const VMStateDescription vmstate_pit_channel = {
    .name = "pit-channel",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(count, PITChannel),
        VMSTATE_UINT16(latched_count, PITChannel),
        VMSTATE_UINT8(count_latched, PITChannel),
        VMSTATE_UINT8(status_latched, PITChannel),
        VMSTATE_UINT8(status, PITChannel),
        VMSTATE_UINT8(read_state, PITChannel),
        VMSTATE_UINT8(write_state, PITChannel),
        VMSTATE_UINT8(write_latch, PITChannel),
        VMSTATE_UINT8(rw_mode, PITChannel),
        VMSTATE_UINT8(mode, PITChannel),
        VMSTATE_UINT8(bcd, PITChannel),
        VMSTATE_UINT8(gate, PITChannel),
        VMSTATE_UINT8(null_count, PITChannel),
        VMSTATE_INT64(count_load_time, PITChannel),
        VMSTATE_END_OF_LIST(),
    },
};

static const VMStateDescription vmstate_pit = {
    .name = "i8254",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = pit_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT_ARRAY(ch, PITState, 3, vmstate_pit_channel, PITChannel),
        VMSTATE_UINT8(speaker_enable, PITState),
        VMSTATE_BOOL(irq_enabled, PITState),
        VMSTATE_END_OF_LIST(),
    },
};

static void pit_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    dc->desc = "Intel 8254 PIT (with port 0x61)";
    dc->user_creatable = false;
    dc->realize = pit_realize;
    dc->unrealize = pit_unrealize;
    dc->reset = pit_reset;
    dc->vmsd = &vmstate_pit;
}

static const TypeInfo pit_info = {
    .name = TYPE_I8254,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(PITState),
    .class_init = pit_class_init,
};

static void pit_register(void)
{
    type_register_static_array(&pit_info, 1);
}
type_init(pit_register)
