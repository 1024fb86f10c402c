/*
 * ACPI PM1 event/control, PM timer and GPE0 (ACPI spec 6.5, chapter 4.8
 * "fixed hardware"), at the PIIX4 addresses QEMU's pc board uses.
 * Writing SLP_TYP=S5 with SLP_EN powers the machine off; other sleep
 * types are not advertised by the DSDT and are ignored. The timer is the
 * virtual clock at 3.579545 MHz, 24 bits wide (TMR_VAL_EXT clear), with
 * the overflow status bit and its SCI.
 * Left out: S3 (suspend-to-RAM; not in the DSDT), the global lock.
 */
#include "hw/acpi/acpi-pm.h"
#include "migration/vmstate.h"
#include "system/runstate.h"
#include "system/timer.h"

#define PM1_TMR_STS 0x0001
#define PM1_PWRBTN_STS 0x0100
#define PM1_WAK_STS 0x8000
#define PM1_TMR_EN 0x0001
#define PM1_PWRBTN_EN 0x0100
#define PM1_CNT_SCI_EN 0x0001
#define PM1_CNT_SLP_EN 0x2000

typedef struct ACPIPMState {
    ISADevice parent;
    uint16_t pm1_sts, pm1_en, pm1_cnt;
    uint8_t gpe_sts[2], gpe_en[2];
    int64_t tmr_overflow_ns;   /* virtual time of the next 2^23 flip */
    qemu_irq sci;
    QEMUTimer *tmr_timer;
    MemoryRegion evt_io, cnt_io, tmr_io, gpe_io;
} ACPIPMState;

#define ACPI_PM(obj) OBJECT_CHECK(ACPIPMState, (obj), TYPE_ACPI_PM)

static uint32_t pm_timer_value(void)
{
    int64_t now = clock_get_ns(QEMU_CLOCK_VIRTUAL);
    return (uint32_t)((unsigned __int128)now * ACPI_PM_TIMER_FREQ /
                      NANOSECONDS_PER_SECOND) & 0xffffff;
}

static void pm_update_sci(ACPIPMState *s)
{
    bool level = (s->pm1_sts & s->pm1_en & (PM1_TMR_STS | PM1_PWRBTN_STS)) ||
                 (s->gpe_sts[0] & s->gpe_en[0]) || (s->gpe_sts[1] & s->gpe_en[1]);
    qemu_set_irq(s->sci, level && (s->pm1_cnt & PM1_CNT_SCI_EN));
}

/* TMR_STS is set when bit 23 of the timer flips. */
static void pm_arm_tmr(ACPIPMState *s)
{
    if (!(s->pm1_en & PM1_TMR_EN)) {
        timer_del(s->tmr_timer);
        return;
    }
    int64_t now = clock_get_ns(QEMU_CLOCK_VIRTUAL);
    uint64_t ticks = (unsigned __int128)now * ACPI_PM_TIMER_FREQ /
                     NANOSECONDS_PER_SECOND;
    uint64_t next = (ticks | 0x7fffff) + 1;
    s->tmr_overflow_ns = (int64_t)((unsigned __int128)next *
                                   NANOSECONDS_PER_SECOND /
                                   ACPI_PM_TIMER_FREQ) + 1;
    timer_mod_ns(s->tmr_timer, s->tmr_overflow_ns);
}

static void pm_tmr_cb(void *opaque)
{
    ACPIPMState *s = opaque;
    s->pm1_sts |= PM1_TMR_STS;
    pm_update_sci(s);
    pm_arm_tmr(s);
}

static uint64_t evt_read(void *opaque, hwaddr addr, unsigned size)
{
    ACPIPMState *s = opaque;
    uint32_t v = (s->pm1_sts | ((uint32_t)s->pm1_en << 16)) >> (addr * 8);
    if (size < 4) {
        v &= (1u << (size * 8)) - 1;
    }
    return v;
}

static void evt_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    ACPIPMState *s = opaque;
    if (addr == 0) {
        s->pm1_sts &= ~(uint16_t)val;      /* write 1 to clear */
        if (size == 4) {
            s->pm1_en = val >> 16;
        }
    } else if (addr == 2) {
        s->pm1_en = val;
    }
    pm_update_sci(s);
    pm_arm_tmr(s);
}

static const MemoryRegionOps evt_ops = {
    .read = evt_read,
    .write = evt_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 2, .max_access_size = 4 },
};

static uint64_t cnt_read(void *opaque, hwaddr addr, unsigned size)
{
    return ((ACPIPMState *)opaque)->pm1_cnt;
}

static void cnt_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    ACPIPMState *s = opaque;
    s->pm1_cnt = (val & ~PM1_CNT_SLP_EN) | PM1_CNT_SCI_EN;
    if (val & PM1_CNT_SLP_EN) {
        unsigned slp_typ = (val >> 10) & 7;
        if (slp_typ == ACPI_S5_SLP_TYP) {
            qemu_system_shutdown_request(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
        }
    }
    pm_update_sci(s);
}

static const MemoryRegionOps cnt_ops = {
    .read = cnt_read,
    .write = cnt_write,
    .valid = { .min_access_size = 1, .max_access_size = 2 },
    .impl = { .min_access_size = 2, .max_access_size = 2 },
};

static uint64_t tmr_read(void *opaque, hwaddr addr, unsigned size)
{
    return pm_timer_value();
}

static void tmr_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
}

static const MemoryRegionOps tmr_ops = {
    .read = tmr_read,
    .write = tmr_write,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
};

static uint64_t gpe_read(void *opaque, hwaddr addr, unsigned size)
{
    ACPIPMState *s = opaque;
    return addr < 2 ? s->gpe_sts[addr] : s->gpe_en[addr - 2];
}

static void gpe_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    ACPIPMState *s = opaque;
    if (addr < 2) {
        s->gpe_sts[addr] &= ~val;
    } else {
        s->gpe_en[addr - 2] = val;
    }
    pm_update_sci(s);
}

static const MemoryRegionOps gpe_ops = {
    .read = gpe_read,
    .write = gpe_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

void acpi_pm_power_button(DeviceState *pm)
{
    ACPIPMState *s = ACPI_PM(pm);
    s->pm1_sts |= PM1_PWRBTN_STS;
    pm_update_sci(s);
}

void acpi_pm_set_io_base(DeviceState *pm, uint16_t base, bool enabled)
{
    ACPIPMState *s = ACPI_PM(pm);
    MemoryRegion *regions[] = { &s->evt_io, &s->cnt_io, &s->tmr_io };
    static const uint16_t offsets[] = {
        ACPI_PM1_EVT - ACPI_PM_BASE, ACPI_PM1_CNT - ACPI_PM_BASE,
        ACPI_PM_TMR - ACPI_PM_BASE,
    };

    /* a base of 0 (or one running past port 0xffff) decodes nothing */
    enabled = enabled && base && base <= 0x10000 - 64;
    memory_region_transaction_begin();
    for (size_t i = 0; i < G_N_ELEMENTS(regions); i++) {
        if (!memory_region_is_mapped(regions[i])) {
            continue;
        }
        if (enabled) {
            memory_region_set_address(regions[i], base + offsets[i]);
        }
        memory_region_set_enabled(regions[i], enabled);
    }
    memory_region_transaction_commit();
}

static void acpi_pm_reset(DeviceState *dev)
{
    ACPIPMState *s = ACPI_PM(dev);
    s->pm1_sts = s->pm1_en = 0;
    /* No SMM to switch modes: ACPI mode from the start (SCI_EN set). */
    s->pm1_cnt = PM1_CNT_SCI_EN;
    memset(s->gpe_sts, 0, sizeof(s->gpe_sts));
    memset(s->gpe_en, 0, sizeof(s->gpe_en));
    timer_del(s->tmr_timer);
    pm_update_sci(s);
}

static bool acpi_pm_realize(DeviceState *dev, GError **errp)
{
    ACPIPMState *s = ACPI_PM(dev);
    ISADevice *isa = ISA_DEVICE(dev);

    s->sci = isa_get_irq(isa, ACPI_SCI_IRQ);
    s->tmr_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, pm_tmr_cb, s);
    memory_region_init_io(&s->evt_io, OBJECT(dev), &evt_ops, s, "acpi-evt", 4);
    memory_region_init_io(&s->cnt_io, OBJECT(dev), &cnt_ops, s, "acpi-cnt", 2);
    memory_region_init_io(&s->tmr_io, OBJECT(dev), &tmr_ops, s, "acpi-tmr", 4);
    memory_region_init_io(&s->gpe_io, OBJECT(dev), &gpe_ops, s, "acpi-gpe0", 4);
    acpi_pm_reset(dev);
    return isa_register_ioport(isa, &s->evt_io, ACPI_PM1_EVT, errp) &&
           isa_register_ioport(isa, &s->cnt_io, ACPI_PM1_CNT, errp) &&
           isa_register_ioport(isa, &s->tmr_io, ACPI_PM_TMR, errp) &&
           isa_register_ioport(isa, &s->gpe_io, ACPI_GPE0, errp);
}

static void acpi_pm_unrealize(DeviceState *dev)
{
    ACPIPMState *s = ACPI_PM(dev);
    MemoryRegion *regions[] = { &s->evt_io, &s->cnt_io, &s->tmr_io,
                                &s->gpe_io };
    for (size_t i = 0; i < G_N_ELEMENTS(regions); i++) {
        isa_unregister_ioport(ISA_DEVICE(dev), regions[i]);
        memory_region_finalize(regions[i]);
    }
    timer_free(s->tmr_timer);
    s->tmr_timer = NULL;
}

DeviceState *acpi_pm_create(ISABus *bus, GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_ACPI_PM);
    if (!qdev_realize_and_unref(dev, BUS(bus), errp)) {
        return NULL;
    }
    return dev;
}

static int acpi_pm_post_load(void *opaque, int version_id)
{
    ACPIPMState *s = opaque;
    pm_update_sci(s);
    pm_arm_tmr(s);
    return 0;
}

static const VMStateDescription vmstate_acpi_pm = {
    .name = "acpi-pm",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = acpi_pm_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT16(pm1_sts, ACPIPMState),
        VMSTATE_UINT16(pm1_en, ACPIPMState),
        VMSTATE_UINT16(pm1_cnt, ACPIPMState),
        VMSTATE_UINT8_ARRAY(gpe_sts, ACPIPMState, 2),
        VMSTATE_UINT8_ARRAY(gpe_en, ACPIPMState, 2),
        VMSTATE_END_OF_LIST(),
    },
};

static void acpi_pm_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    dc->desc = "ACPI PM1/PM timer/GPE0 (PIIX4 layout)";
    dc->user_creatable = false;
    dc->realize = acpi_pm_realize;
    dc->unrealize = acpi_pm_unrealize;
    dc->reset = acpi_pm_reset;
    dc->vmsd = &vmstate_acpi_pm;
}

static const TypeInfo acpi_pm_info = {
    .name = TYPE_ACPI_PM,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(ACPIPMState),
    .class_init = acpi_pm_class_init,
};

static void acpi_pm_register(void)
{
    type_register_static_array(&acpi_pm_info, 1);
}
type_init(acpi_pm_register)
