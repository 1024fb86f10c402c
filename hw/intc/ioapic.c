/*
 * I/O APIC (82093AA datasheet; version 0x20 adds the EOI register at
 * 0x40). Registers are reached indirectly: IOREGSEL at 0x00 selects,
 * IOWIN at 0x10 reads/writes. Index 0 ID, 1 version, 2 arbitration,
 * 0x10 + 2n / 0x11 + 2n the low/high halves of redirection entry n.
 *
 * Pins: an edge pin latches a rising edge into irr and delivers it once;
 * a level pin delivers while asserted, sets remote IRR and waits for the
 * EOI of its vector (broadcast by a local APIC, or written to the EOI
 * register) before it delivers again.
 */
#include "hw/intc/ioapic.h"
#include "hw/intc/apic.h"
#include "migration/vmstate.h"
#include "util/error.h"

#define IOAPIC_VERSION 0x20
#define RTE_MASKED (1ull << 16)
#define RTE_LEVEL (1ull << 15)
#define RTE_REMOTE_IRR (1ull << 14)
#define RTE_POLARITY (1ull << 13)
#define RTE_DELIVS (1ull << 12)
#define RTE_LOGICAL (1ull << 11)
#define RTE_RO_BITS (RTE_REMOTE_IRR | RTE_DELIVS)
/* vector, delivery mode, dest mode, polarity, trigger, mask, destination */
#define RTE_WRITABLE (0xff000000000000ffull | 0x1af00ull)

typedef struct IOAPICState {
    SysBusDevice parent;
    uint8_t id;
    uint8_t ioregsel;
    uint32_t irr;                 /* pending requests */
    uint32_t level;               /* current input levels */
    uint64_t rte[IOAPIC_NUM_PINS];
    uint64_t irq_count[IOAPIC_NUM_PINS];   /* info irq; not migrated */
    MemoryRegion mmio;
    qemu_irq *in;
} IOAPICState;

#define IOAPIC(obj) OBJECT_CHECK(IOAPICState, (obj), TYPE_IOAPIC)

static IOAPICState *ioapic_instance;   /* for `info pic` */

static void ioapic_service(IOAPICState *s)
{
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        uint32_t mask = 1u << pin;
        uint64_t e = s->rte[pin];
        if (!(s->irr & mask) || (e & RTE_MASKED)) {
            continue;
        }
        if (e & RTE_LEVEL) {
            if (e & RTE_REMOTE_IRR) {
                continue;
            }
            s->rte[pin] |= RTE_REMOTE_IRR;
        } else {
            s->irr &= ~mask;
        }
        apic_bus_deliver(e >> 56, e & RTE_LOGICAL, (e >> 8) & 7, e & 0xff,
                         e & RTE_LEVEL);
    }
}

static void ioapic_set_irq(void *opaque, int pin, int level)
{
    IOAPICState *s = opaque;
    uint32_t mask = 1u << pin;

    if (pin < 0 || pin >= IOAPIC_NUM_PINS) {
        return;
    }
    bool was = s->level & mask;
    if (level && !was) {
        s->irq_count[pin]++;
    }
    if (level) {
        s->level |= mask;
    } else {
        s->level &= ~mask;
    }
    if (s->rte[pin] & RTE_LEVEL) {
        if (level) {
            s->irr |= mask;
        } else {
            s->irr &= ~mask;
        }
    } else if (level && !was) {
        s->irr |= mask;
    }
    ioapic_service(s);
}

/* EOI of @vector: level pins waiting on it may deliver again. */
static void ioapic_eoi_vector(void *opaque, uint8_t vector)
{
    IOAPICState *s = opaque;
    bool again = false;
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        uint64_t e = s->rte[pin];
        if ((e & RTE_LEVEL) && (e & RTE_REMOTE_IRR) &&
            (e & 0xff) == vector) {
            s->rte[pin] &= ~RTE_REMOTE_IRR;
            if (s->level & (1u << pin)) {
                s->irr |= 1u << pin;
                again = true;
            }
        }
    }
    if (again) {
        ioapic_service(s);
    }
}

static uint32_t ioapic_read_window(IOAPICState *s)
{
    uint8_t idx = s->ioregsel;
    switch (idx) {
    case 0x00:
        return (uint32_t)(s->id & 0xf) << 24;
    case 0x01:
        return IOAPIC_VERSION | ((IOAPIC_NUM_PINS - 1) << 16);
    case 0x02:
        return (uint32_t)(s->id & 0xf) << 24;
    default:
        if (idx >= 0x10 && idx < 0x10 + 2 * IOAPIC_NUM_PINS) {
            uint64_t e = s->rte[(idx - 0x10) / 2];
            return (idx & 1) ? e >> 32 : (uint32_t)e;
        }
        return 0xffffffff;
    }
}

static void ioapic_write_window(IOAPICState *s, uint32_t val)
{
    uint8_t idx = s->ioregsel;
    if (idx == 0x00) {
        s->id = (val >> 24) & 0xf;
        return;
    }
    if (idx < 0x10 || idx >= 0x10 + 2 * IOAPIC_NUM_PINS) {
        return;                  /* version, arbitration: read-only */
    }
    int pin = (idx - 0x10) / 2;
    uint64_t e = s->rte[pin];
    uint64_t ro = e & RTE_RO_BITS;
    if (idx & 1) {
        e = (e & 0xffffffffull) | ((uint64_t)val << 32);
    } else {
        e = (e & 0xffffffff00000000ull) | val;
    }
    e = (e & RTE_WRITABLE) | ro;
    if (!(e & RTE_LEVEL)) {
        e &= ~RTE_REMOTE_IRR;    /* edge mode has no remote IRR */
    }
    s->rte[pin] = e;
    /* a level pin that is asserted becomes pending again (unmask) */
    if ((e & RTE_LEVEL) && (s->level & (1u << pin))) {
        s->irr |= 1u << pin;
    }
    ioapic_service(s);
}

static uint64_t ioapic_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    IOAPICState *s = opaque;
    switch (addr & 0xff) {
    case 0x00:
        return s->ioregsel;
    case 0x10:
        return ioapic_read_window(s);
    default:
        return 0;
    }
}

static void ioapic_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                              unsigned size)
{
    IOAPICState *s = opaque;
    switch (addr & 0xff) {
    case 0x00:
        s->ioregsel = val;
        break;
    case 0x10:
        if (size == 4) {
            ioapic_write_window(s, val);
        }
        break;
    case 0x40:                   /* EOI register (version 0x20) */
        ioapic_eoi_vector(s, val & 0xff);
        break;
    default:
        break;
    }
}

static const MemoryRegionOps ioapic_ops = {
    .read = ioapic_mmio_read,
    .write = ioapic_mmio_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

static void ioapic_reset(DeviceState *dev)
{
    IOAPICState *s = IOAPIC(dev);
    s->ioregsel = 0;
    s->irr = 0;
    for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
        s->rte[i] = RTE_MASKED;
    }
}

static bool ioapic_realize(DeviceState *dev, GError **errp)
{
    IOAPICState *s = IOAPIC(dev);
    memory_region_init_io(&s->mmio, OBJECT(dev), &ioapic_ops, s, "ioapic",
                          0x1000);
    sysbus_init_mmio(SYS_BUS_DEVICE(dev), &s->mmio);
    s->in = qemu_allocate_irqs(ioapic_set_irq, s, IOAPIC_NUM_PINS);
    apic_set_eoi_listener(ioapic_eoi_vector, s);
    ioapic_instance = s;
    ioapic_reset(dev);
    return true;
}

static void ioapic_unrealize(DeviceState *dev)
{
    IOAPICState *s = IOAPIC(dev);
    apic_set_eoi_listener(NULL, NULL);
    if (ioapic_instance == s) {
        ioapic_instance = NULL;
    }
    sysbus_mmio_unmap(SYS_BUS_DEVICE(dev), 0);
    memory_region_finalize(&s->mmio);
    qemu_free_irqs(s->in, IOAPIC_NUM_PINS);
    s->in = NULL;
}

DeviceState *ioapic_create(uint8_t id, GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_IOAPIC);
    IOAPIC(dev)->id = id & 0xf;
    if (!sysbus_realize_and_unref(SYS_BUS_DEVICE(dev), errp)) {
        return NULL;
    }
    sysbus_mmio_map(SYS_BUS_DEVICE(dev), 0, IOAPIC_DEFAULT_ADDRESS);
    return dev;
}

qemu_irq *ioapic_get_irqs(DeviceState *dev)
{
    return IOAPIC(dev)->in;
}

void ioapic_info(DeviceState *dev, GString *out)
{
    IOAPICState *s = IOAPIC(dev);
    g_string_append_printf(out, "ioapic0: ver=0x%x id=0x%02x sel=0x%02x "
                           "(redir[%u])\n", IOAPIC_VERSION, s->id,
                           s->ioregsel, (s->ioregsel - 0x10) / 2);
    for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
        uint64_t e = s->rte[i];
        g_string_append_printf(out,
            "  pin %-2d 0x%016llx dest=%u vec=%-3u %s %s %s %s%s%s\n", i,
            (unsigned long long)e, (unsigned)(e >> 56),
            (unsigned)(e & 0xff),
            (e & RTE_LEVEL) ? "level" : "edge ",
            (e & RTE_POLARITY) ? "active-lo" : "active-hi",
            (e & RTE_LOGICAL) ? "logical " : "physical",
            (e & RTE_MASKED) ? "masked" : "",
            (e & RTE_REMOTE_IRR) ? " remote-irr" : "",
            (s->level & (1u << i)) ? " asserted" : "");
    }
}

void ioapic_irq_stats(GString *out)
{
    if (!ioapic_instance) {
        return;
    }
    g_string_append(out, "IRQ statistics for ioapic:\n");
    for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
        if (ioapic_instance->irq_count[i]) {
            g_string_append_printf(out, "%2d: %" G_GUINT64_FORMAT "\n", i,
                                   ioapic_instance->irq_count[i]);
        }
    }
}

void ioapic_info_all(GString *out)
{
    if (ioapic_instance) {
        ioapic_info(DEVICE(ioapic_instance), out);
    }
}

static int ioapic_post_load(void *opaque, int version_id)
{
    IOAPICState *s = opaque;
    s->id &= 0xf;
    for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
        s->rte[i] &= RTE_WRITABLE | RTE_RO_BITS;
    }
    s->irr &= (1u << IOAPIC_NUM_PINS) - 1;
    s->level &= (1u << IOAPIC_NUM_PINS) - 1;
    return 0;
}

static const VMStateDescription vmstate_ioapic = {
    .name = "ioapic",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = ioapic_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(id, IOAPICState),
        VMSTATE_UINT8(ioregsel, IOAPICState),
        VMSTATE_UINT32(irr, IOAPICState),
        VMSTATE_UINT32(level, IOAPICState),
        VMSTATE_UINT64_ARRAY(rte, IOAPICState, IOAPIC_NUM_PINS),
        VMSTATE_END_OF_LIST(),
    },
};

static void ioapic_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    dc->desc = "I/O APIC";
    dc->user_creatable = false;
    dc->realize = ioapic_realize;
    dc->unrealize = ioapic_unrealize;
    dc->reset = ioapic_reset;
    dc->vmsd = &vmstate_ioapic;
}

static const TypeInfo ioapic_type_info = {
    .name = TYPE_IOAPIC,
    .parent = TYPE_SYS_BUS_DEVICE,
    .instance_size = sizeof(IOAPICState),
    .class_init = ioapic_class_init,
};

static void ioapic_register(void)
{
    type_register_static_array(&ioapic_type_info, 1);
}
type_init(ioapic_register)
