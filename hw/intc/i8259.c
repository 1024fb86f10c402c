/*
 * Intel 8259A programmable interrupt controller, two of them cascaded as
 * on every PC (master IRQ2 <- slave INT), plus the PIIX edge/level control
 * registers (ELCR). Follows the 8259A datasheet: ICW1-ICW4 initialisation,
 * OCW1 mask, OCW2 EOI/rotation commands, OCW3 register select, poll mode
 * and special mask mode; fully nested and automatic-EOI modes.
 * Left out: 8080/8085 mode (ICW1 bit 0 = 0 behaves as 8086 mode), buffered
 * mode bits (no electrical effect here).
 */
#include "hw/intc/i8259.h"
#include "migration/vmstate.h"
#include "util/error.h"

struct PICState {
    ISADevice parent;
    /* properties */
    uint32_t iobase;
    uint32_t elcr_addr;
    uint8_t elcr_mask;
    bool master;
    /* registers */
    uint8_t irr, imr, isr;
    uint8_t last_irr;          /* line levels, for edge detection */
    uint8_t priority_add;      /* rotation: highest priority IRQ */
    uint8_t irq_base;
    uint8_t read_reg_select;   /* OCW3: 0 IRR, 1 ISR */
    uint8_t poll;
    uint8_t special_mask;
    uint8_t init_state;        /* 0 ready, 1-3 expecting ICW2-ICW4 */
    uint8_t auto_eoi;
    uint8_t rotate_on_auto_eoi;
    uint8_t special_fully_nested;
    uint8_t init4;             /* ICW4 needed */
    uint8_t single_mode;
    uint8_t ltim;              /* ICW1 level-triggered mode */
    uint8_t elcr;
    uint64_t irq_count[8];     /* requests per input (info irq); not saved */
    /* wiring */
    qemu_irq int_out;
    MemoryRegion io, elcr_io;
};

#define I8259(obj) OBJECT_CHECK(PICState, (obj), TYPE_I8259)

static PICState *pic_master, *pic_slave;

static int get_priority(PICState *s, uint8_t mask)
{
    if (!mask) {
        return 8;
    }
    int priority = 0;
    while (!(mask & (1 << ((priority + s->priority_add) & 7)))) {
        priority++;
    }
    return priority;
}

/* The IRQ this chip would deliver now, or -1. */
static int pic_get_irq(PICState *s)
{
    int priority = get_priority(s, s->irr & ~s->imr);
    if (priority == 8) {
        return -1;
    }
    uint8_t in_service = s->isr;
    if (s->special_mask) {
        in_service &= ~s->imr;
    }
    if (s->special_fully_nested && s->master) {
        in_service &= ~(1 << 2);   /* the slave may nest inside IRQ2 */
    }
    if (priority < get_priority(s, in_service)) {
        return (priority + s->priority_add) & 7;
    }
    return -1;
}

static void pic_update(PICState *s)
{
    qemu_set_irq(s->int_out, pic_get_irq(s) >= 0);
}

static bool pic_level_triggered(PICState *s, uint8_t mask)
{
    return (s->elcr & mask) || s->ltim;
}

static void pic_set_irq(void *opaque, int n, int level)
{
    PICState *s = opaque;
    uint8_t mask = 1 << (n & 7);

    if (level && !(s->last_irr & mask)) {
        s->irq_count[n & 7]++;
    }
    if (pic_level_triggered(s, mask)) {
        if (level) {
            s->irr |= mask;
            s->last_irr |= mask;
        } else {
            s->irr &= ~mask;
            s->last_irr &= ~mask;
        }
    } else if (level) {
        if (!(s->last_irr & mask)) {
            s->irr |= mask;        /* rising edge */
        }
        s->last_irr |= mask;
    } else {
        s->last_irr &= ~mask;
    }
    pic_update(s);
}

/* Input lines of the pair: 0-7 master, 8-15 slave. */
static void pic_pair_set_irq(void *opaque, int n, int level)
{
    if (n < 8) {
        pic_set_irq(pic_master, n, level);
    } else {
        pic_set_irq(pic_slave, n - 8, level);
    }
}

static void pic_ack(PICState *s, int irq)
{
    uint8_t mask = 1 << irq;
    if (s->auto_eoi) {
        if (s->rotate_on_auto_eoi) {
            s->priority_add = (irq + 1) & 7;
        }
    } else {
        s->isr |= mask;
    }
    if (!pic_level_triggered(s, mask)) {
        s->irr &= ~mask;           /* edge: the request is consumed */
    }
}

int i8259_read_irq(void)
{
    PICState *m = pic_master, *sl = pic_slave;
    int vector;

    if (!m) {
        return -1;
    }
    int irq = pic_get_irq(m);
    if (irq < 0) {
        vector = m->irq_base + 7;  /* spurious IRQ7 */
    } else {
        pic_ack(m, irq);
        if (irq == 2 && sl) {
            int irq2 = pic_get_irq(sl);
            if (irq2 >= 0) {
                pic_ack(sl, irq2);
            } else {
                irq2 = 7;          /* spurious IRQ15 */
            }
            vector = sl->irq_base + irq2;
            pic_update(sl);
        } else {
            vector = m->irq_base + irq;
        }
    }
    pic_update(m);
    return vector;
}

bool i8259_int_pending(void)
{
    return pic_master && pic_get_irq(pic_master) >= 0;
}

static void pic_init_reset(PICState *s)
{
    s->last_irr = 0;
    s->irr &= s->elcr;             /* level requests stay */
    s->imr = 0;
    s->isr = 0;
    s->priority_add = 0;
    s->irq_base = 0;
    s->read_reg_select = 0;
    s->poll = 0;
    s->special_mask = 0;
    s->init_state = 0;
    s->auto_eoi = 0;
    s->rotate_on_auto_eoi = 0;
    s->special_fully_nested = 0;
    s->init4 = 0;
    s->single_mode = 0;
    s->ltim = 0;
    pic_update(s);
}

static void pic_eoi(PICState *s, int irq, bool rotate)
{
    s->isr &= ~(1 << irq);
    if (rotate) {
        s->priority_add = (irq + 1) & 7;
    }
}

static void pic_write_command(PICState *s, uint8_t val)
{
    if (val & 0x10) {              /* ICW1 */
        pic_init_reset(s);
        s->init_state = 1;
        s->init4 = val & 1;
        s->single_mode = (val >> 1) & 1;
        s->ltim = (val >> 3) & 1;
        return;
    }
    if (val & 0x08) {              /* OCW3 */
        if (val & 0x04) {
            s->poll = 1;
        }
        if (val & 0x02) {
            s->read_reg_select = val & 1;
        }
        if (val & 0x40) {
            s->special_mask = (val >> 5) & 1;
        }
        pic_update(s);
        return;
    }
    int cmd = val >> 5;            /* OCW2 */
    switch (cmd) {
    case 0:
    case 4:
        s->rotate_on_auto_eoi = cmd >> 2;
        break;
    case 1:                        /* non-specific EOI */
    case 5: {                      /* rotate on non-specific EOI */
        int priority = get_priority(s, s->isr);
        if (priority != 8) {
            pic_eoi(s, (priority + s->priority_add) & 7, cmd == 5);
        }
        break;
    }
    case 3:                        /* specific EOI */
        pic_eoi(s, val & 7, false);
        break;
    case 6:                        /* set priority */
        s->priority_add = (val + 1) & 7;
        break;
    case 7:                        /* rotate on specific EOI */
        pic_eoi(s, val & 7, true);
        break;
    default:                       /* 2: no operation */
        break;
    }
    pic_update(s);
}

static void pic_write_data(PICState *s, uint8_t val)
{
    switch (s->init_state) {
    case 0:                        /* OCW1 */
        s->imr = val;
        pic_update(s);
        break;
    case 1:                        /* ICW2 */
        s->irq_base = val & 0xf8;
        s->init_state = s->single_mode ? (s->init4 ? 3 : 0) : 2;
        break;
    case 2:                        /* ICW3: cascade wiring is fixed */
        s->init_state = s->init4 ? 3 : 0;
        break;
    case 3:                        /* ICW4 */
        s->special_fully_nested = (val >> 4) & 1;
        s->auto_eoi = (val >> 1) & 1;
        s->init_state = 0;
        break;
    }
}

static void pic_ioport_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    PICState *s = opaque;
    if (addr & 1) {
        pic_write_data(s, val);
    } else {
        pic_write_command(s, val);
    }
}

static uint8_t pic_poll_read(PICState *s)
{
    int irq = pic_get_irq(s);
    if (irq < 0) {
        pic_update(s);
        return 0;
    }
    pic_ack(s, irq);
    pic_update(s);
    if (s->master && pic_slave && irq == 2) {
        return 0x80 | irq;
    }
    if (!s->master && pic_master) {
        /* The cascade request on master IRQ2 went with it. */
        pic_master->irr &= ~(1 << 2);
        pic_update(pic_master);
    }
    return 0x80 | irq;
}

static uint64_t pic_ioport_read(void *opaque, hwaddr addr, unsigned size)
{
    PICState *s = opaque;
    if (s->poll) {
        s->poll = 0;
        return pic_poll_read(s);
    }
    if (addr & 1) {
        return s->imr;
    }
    return s->read_reg_select ? s->isr : s->irr;
}

static const MemoryRegionOps pic_io_ops = {
    .read = pic_ioport_read,
    .write = pic_ioport_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

static uint64_t elcr_read(void *opaque, hwaddr addr, unsigned size)
{
    return ((PICState *)opaque)->elcr;
}

static void elcr_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PICState *s = opaque;
    s->elcr = val & s->elcr_mask;
}

static const MemoryRegionOps elcr_io_ops = {
    .read = elcr_read,
    .write = elcr_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static bool pic_realize(DeviceState *dev, GError **errp)
{
    PICState *s = I8259(dev);

    memory_region_init_io(&s->io, OBJECT(dev), &pic_io_ops, s, "pic", 2);
    memory_region_init_io(&s->elcr_io, OBJECT(dev), &elcr_io_ops, s, "elcr",
                          1);
    return isa_register_ioport(ISA_DEVICE(dev), &s->io, s->iobase, errp) &&
           isa_register_ioport(ISA_DEVICE(dev), &s->elcr_io, s->elcr_addr,
                               errp);
}

static void pic_unrealize(DeviceState *dev)
{
    PICState *s = I8259(dev);
    isa_unregister_ioport(ISA_DEVICE(dev), &s->io);
    isa_unregister_ioport(ISA_DEVICE(dev), &s->elcr_io);
    memory_region_finalize(&s->io);
    memory_region_finalize(&s->elcr_io);
    if (pic_master == s) {
        pic_master = NULL;
    }
    if (pic_slave == s) {
        pic_slave = NULL;
    }
}

static void pic_reset(DeviceState *dev)
{
    PICState *s = I8259(dev);
    s->elcr = 0;
    s->irr = 0;
    pic_init_reset(s);
}

static void slave_int(void *opaque, int n, int level)
{
    if (pic_master) {
        pic_set_irq(pic_master, 2, level);
    }
}

qemu_irq *i8259_init(ISABus *bus, qemu_irq cpu_int, GError **errp)
{
    static const struct {
        uint32_t iobase, elcr;
        uint8_t mask;
        bool master;
    } chips[2] = {
        { 0x20, 0x4d0, 0xf8, true },
        { 0xa0, 0x4d1, 0xde, false },
    };
    for (int i = 0; i < 2; i++) {
        DeviceState *dev = qdev_new(TYPE_I8259);
        PICState *s = I8259(dev);
        s->iobase = chips[i].iobase;
        s->elcr_addr = chips[i].elcr;
        s->elcr_mask = chips[i].mask;
        s->master = chips[i].master;
        if (!qdev_realize_and_unref(dev, BUS(bus), errp)) {
            return NULL;
        }
        if (chips[i].master) {
            pic_master = s;
            s->int_out = cpu_int;
        } else {
            pic_slave = s;
            s->int_out = qemu_allocate_irq(slave_int, NULL, 0);
        }
    }
    return qemu_allocate_irqs(pic_pair_set_irq, NULL, 16);
}

void i8259_info(GString *out)
{
    PICState *chips[2] = { pic_master, pic_slave };
    for (int i = 0; i < 2; i++) {
        PICState *s = chips[i];
        if (!s) {
            continue;
        }
        g_string_append_printf(out,
            "pic%d: irr=%02x imr=%02x isr=%02x hprio=%d irq_base=%02x "
            "rr_sel=%d elcr=%02x fnm=%d\n",
            i, s->irr, s->imr, s->isr, s->priority_add, s->irq_base,
            s->read_reg_select, s->elcr, s->special_fully_nested);
    }
}

void i8259_irq_stats(GString *out)
{
    PICState *chips[2] = { pic_master, pic_slave };
    g_string_append(out, "IRQ statistics for isa-i8259:\n");
    for (int i = 0; i < 2; i++) {
        for (int n = 0; chips[i] && n < 8; n++) {
            if (chips[i]->irq_count[n]) {
                g_string_append_printf(out, "%2d: %" G_GUINT64_FORMAT "\n",
                                       i * 8 + n, chips[i]->irq_count[n]);
            }
        }
    }
}

static int pic_post_load(void *opaque, int version_id)
{
    PICState *s = opaque;
    if (s->init_state > 3) {
        return -1;
    }
    s->priority_add &= 7;
    s->elcr &= s->elcr_mask;
    pic_update(s);
    return 0;
}

static const VMStateDescription vmstate_i8259 = {
    .name = "i8259",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = pic_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(irr, PICState),
        VMSTATE_UINT8(imr, PICState),
        VMSTATE_UINT8(isr, PICState),
        VMSTATE_UINT8(last_irr, PICState),
        VMSTATE_UINT8(priority_add, PICState),
        VMSTATE_UINT8(irq_base, PICState),
        VMSTATE_UINT8(read_reg_select, PICState),
        VMSTATE_UINT8(poll, PICState),
        VMSTATE_UINT8(special_mask, PICState),
        VMSTATE_UINT8(init_state, PICState),
        VMSTATE_UINT8(auto_eoi, PICState),
        VMSTATE_UINT8(rotate_on_auto_eoi, PICState),
        VMSTATE_UINT8(special_fully_nested, PICState),
        VMSTATE_UINT8(init4, PICState),
        VMSTATE_UINT8(single_mode, PICState),
        VMSTATE_UINT8(ltim, PICState),
        VMSTATE_UINT8(elcr, PICState),
        VMSTATE_END_OF_LIST(),
    },
};

static void pic_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    dc->desc = "Intel 8259A PIC";
    dc->user_creatable = false;
    dc->realize = pic_realize;
    dc->unrealize = pic_unrealize;
    dc->reset = pic_reset;
    dc->vmsd = &vmstate_i8259;
}

static const TypeInfo pic_info = {
    .name = TYPE_I8259,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(PICState),
    .class_init = pic_class_init,
};

static void pic_register(void)
{
    type_register_static_array(&pic_info, 1);
}
type_init(pic_register)
