/*
 * PIIX3 PCI-to-ISA bridge function (82371SB datasheet, 1996: PIRQRC[A:D]
 * at 0x60-0x63, reset control register at I/O 0xcf9) and the PIIX4
 * power-management function (82371AB datasheet, 1997: PMBA at 0x40,
 * PMREGMISC at 0x80). The ISA devices themselves (PIC, PIT, RTC ...) are
 * qdev children of the PIIX3 through the ISA bus the board creates.
 * Left out: the PIIX3's IDE and USB functions, the PIIX4 SMBus
 * controller (SMBBA reads 0), device activity/resource registers.
 */
#include "hw/acpi/acpi-pm.h"
#include "hw/isa.h"
#include "hw/pci-host/i440fx.h"
#include "migration/vmstate.h"
#include "system/runstate.h"
#include "util/error.h"

#define PIIX_RCR_SRST 0x02
#define PIIX_RCR_RCPU 0x04

typedef struct PIIX3State {
    PCIDevice parent;
    qemu_irq isa_irqs[ISA_NUM_IRQS];
    uint8_t pirq_levels;     /* bit n: PIRQ n asserted by some device */
    uint16_t isa_levels;     /* bit n: we drive ISA IRQ n high */
    uint8_t rcr;
} PIIX3State;

#define PIIX3(obj) OBJECT_CHECK(PIIX3State, (obj), TYPE_PIIX3_DEVICE)

/* ISA IRQs a PIRQ may be steered to (0, 1, 2, 8 and 13 are reserved). */
static bool piix3_irq_routable(unsigned irq)
{
    return irq < 16 && !(0x2107u & (1u << irq));
}

static int piix3_pirq_target(PIIX3State *s, int pirq)
{
    uint8_t r = s->parent.config[PIIX_PIRQRC + pirq];
    return !(r & 0x80) && piix3_irq_routable(r & 0x0f) ? (r & 0x0f) : -1;
}

static void piix3_update_isa(PIIX3State *s)
{
    uint16_t want = 0;
    for (int pirq = 0; pirq < PIIX_NUM_PIRQS; pirq++) {
        int irq = piix3_pirq_target(s, pirq);
        if (irq >= 0 && (s->pirq_levels & (1u << pirq))) {
            want |= 1u << irq;
        }
    }
    uint16_t changed = want ^ s->isa_levels;
    s->isa_levels = want;
    for (int irq = 0; irq < ISA_NUM_IRQS; irq++) {
        if ((changed & (1u << irq)) && s->isa_irqs[irq]) {
            qemu_set_irq(s->isa_irqs[irq], !!(want & (1u << irq)));
        }
    }
}

static void piix3_set_pirq(void *opaque, int pirq, int level)
{
    PIIX3State *s = opaque;
    if (level) {
        s->pirq_levels |= 1u << pirq;
    } else {
        s->pirq_levels &= ~(1u << pirq);
    }
    piix3_update_isa(s);
}

static int piix3_map_irq(PCIDevice *d, int pin)
{
    return i440fx_slot_pirq(PCI_SLOT(d->devfn), pin);
}

static void piix3_config_write(PCIDevice *d, uint32_t addr, uint32_t val,
                               int len)
{
    pci_default_write_config(d, addr, val, len);
    if (addr < PIIX_PIRQRC + PIIX_NUM_PIRQS && addr + len > PIIX_PIRQRC) {
        piix3_update_isa(PIIX3(d));
    }
}

static uint64_t rcr_read(void *opaque, hwaddr off, unsigned size)
{
    return ((PIIX3State *)opaque)->rcr;
}

static void rcr_write(void *opaque, hwaddr off, uint64_t val, unsigned size)
{
    PIIX3State *s = opaque;
    if (val & PIIX_RCR_RCPU) {
        /* hard (SRST) and soft resets are the same for a VM */
        qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    }
    s->rcr = val & PIIX_RCR_SRST;
}

static const MemoryRegionOps rcr_ops = {
    .read = rcr_read,
    .write = rcr_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static bool piix3_realize(PCIDevice *d, GError **errp)
{
    PIIX3State *s = PIIX3(d);
    PCIBus *bus = PCI_BUS(qdev_get_parent_bus(DEVICE(d)));

    for (int i = 0; i < PIIX_NUM_PIRQS; i++) {
        d->config[PIIX_PIRQRC + i] = 0x80;
        d->wmask[PIIX_PIRQRC + i] = 0x8f;
    }
    if (object_dynamic_cast(OBJECT(BUS(bus)->parent), TYPE_I440FX_PCI_HOST)) {
        i440fx_set_reset_control(bus, &rcr_ops, s);
    }
    pci_bus_irqs(bus, piix3_set_pirq, piix3_map_irq, s, PIIX_NUM_PIRQS);
    return true;
}

static void piix3_exit(PCIDevice *d)
{
    PCIBus *bus = PCI_BUS(qdev_get_parent_bus(DEVICE(d)));
    if (object_dynamic_cast(OBJECT(BUS(bus)->parent), TYPE_I440FX_PCI_HOST)) {
        i440fx_set_reset_control(bus, NULL, NULL);
    }
}

static void piix3_reset(PCIDevice *d)
{
    PIIX3State *s = PIIX3(d);
    for (int i = 0; i < PIIX_NUM_PIRQS; i++) {
        d->config[PIIX_PIRQRC + i] = 0x80;
    }
    s->rcr = 0;
    piix3_update_isa(s);
}

static int piix3_post_load(void *opaque, int version_id)
{
    int ret = pci_device_post_load(opaque);
    piix3_update_isa(opaque);
    return ret;
}

static const VMStateDescription vmstate_piix3 = {
    .name = "PIIX3",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = piix3_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8_ARRAY(parent.config, PIIX3State, PCI_CONFIG_SPACE_SIZE),
        VMSTATE_UINT8(parent.irq_state, PIIX3State),
        VMSTATE_UINT8(pirq_levels, PIIX3State),
        VMSTATE_UINT8(rcr, PIIX3State),
        VMSTATE_END_OF_LIST(),
    },
};

static void piix3_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(klass);
    dc->desc = "ISA bridge";
    dc->user_creatable = false;
    dc->hotpluggable = false;
    dc->vmsd = &vmstate_piix3;
    pc->realize = piix3_realize;
    pc->exit = piix3_exit;
    pc->reset = piix3_reset;
    pc->config_write = piix3_config_write;
    pc->vendor_id = PCI_VENDOR_ID_INTEL;
    pc->device_id = PCI_DEVICE_ID_INTEL_82371SB_0;
    pc->class_id = PCI_CLASS_BRIDGE_ISA;
}

PCIDevice *piix3_create(PCIBus *bus, const qemu_irq *isa_irqs, GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_PIIX3_DEVICE);
    PIIX3State *s = PIIX3(dev);
    s->parent.devfn = PCI_DEVFN(1, 0);
    s->parent.multifunction = true;
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        s->isa_irqs[i] = isa_irqs ? isa_irqs[i] : NULL;
    }
    if (!qdev_realize_and_unref(dev, BUS(bus), errp)) {
        return NULL;
    }
    return &s->parent;
}

/* ---- PIIX4 power management function ---------------------------------- */

typedef struct PIIX4PMState {
    PCIDevice parent;
    DeviceState *acpi_pm;
    /* QEMU's properties (libvirt sets them with -global): the DSDT offers
     * S5 only, so both are 1 and 0 (asking for S3/S4) is refused */
    uint8_t disable_s3, disable_s4;
} PIIX4PMState;

#define PIIX4_PM(obj) OBJECT_CHECK(PIIX4PMState, (obj), TYPE_PIIX4_PM)

static void piix4_pm_update_io(PIIX4PMState *s)
{
    uint8_t *c = s->parent.config;
    if (s->acpi_pm) {
        acpi_pm_set_io_base(s->acpi_pm, pci_get_long(c + PIIX4_PMBA) & 0xffc0,
                            c[PIIX4_PMREGMISC] & 1);
    }
}

static void piix4_pm_config_write(PCIDevice *d, uint32_t addr, uint32_t val,
                                  int len)
{
    pci_default_write_config(d, addr, val, len);
    if ((addr < PIIX4_PMBA + 4 && addr + len > PIIX4_PMBA) ||
        (addr <= PIIX4_PMREGMISC && addr + len > PIIX4_PMREGMISC)) {
        piix4_pm_update_io(PIIX4_PM(d));
    }
}

/* No firmware runs before Linux: start as the BIOS leaves it, the PM
 * block at ACPI_PM_BASE and enabled, matching the FADT. */
static void piix4_pm_reset(PCIDevice *d)
{
    pci_set_long(d->config + PIIX4_PMBA, ACPI_PM_BASE | 1);
    d->config[PIIX4_PMREGMISC] = 1;
    piix4_pm_update_io(PIIX4_PM(d));
}

static bool piix4_pm_realize(PCIDevice *d, GError **errp)
{
    PIIX4PMState *s = PIIX4_PM(d);

    if (!s->disable_s3 || !s->disable_s4) {
        error_setg(errp, "PIIX4_PM: %s is not supported by kvmu yet "
                   "(disable_s3=1 and disable_s4=1 are)",
                   !s->disable_s3 ? "S3 (suspend to RAM)" :
                   "S4 (suspend to disk)");
        return false;
    }
    pci_set_long(d->wmask + PIIX4_PMBA, 0xffc0);
    d->wmask[PIIX4_PMREGMISC] = 0x01;
    d->config[PCI_INTERRUPT_PIN] = 1;     /* the SCI, INTA (as QEMU) */
    piix4_pm_reset(d);
    return true;
}

static int piix4_pm_post_load(void *opaque, int version_id)
{
    int ret = pci_device_post_load(opaque);
    piix4_pm_update_io(opaque);
    return ret;
}

static const VMStateDescription vmstate_piix4_pm = {
    .name = "PIIX4_PM",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = piix4_pm_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8_ARRAY(parent.config, PIIX4PMState,
                            PCI_CONFIG_SPACE_SIZE),
        VMSTATE_UINT8(parent.irq_state, PIIX4PMState),
        VMSTATE_END_OF_LIST(),
    },
};

static const Property piix4_pm_props[] = {
    DEFINE_PROP_UINT8("disable_s3", PIIX4PMState, disable_s3, 1),
    DEFINE_PROP_UINT8("disable_s4", PIIX4PMState, disable_s4, 1),
    DEFINE_PROP_END_OF_LIST(),
};

static void piix4_pm_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(klass);
    dc->desc = "PM";
    dc->user_creatable = false;
    dc->hotpluggable = false;
    dc->vmsd = &vmstate_piix4_pm;
    device_class_set_props(dc, piix4_pm_props);
    pc->realize = piix4_pm_realize;
    pc->reset = piix4_pm_reset;
    pc->config_write = piix4_pm_config_write;
    pc->vendor_id = PCI_VENDOR_ID_INTEL;
    pc->device_id = PCI_DEVICE_ID_INTEL_82371AB_3;
    pc->revision = 0x03;
    pc->class_id = PCI_CLASS_BRIDGE_OTHER;
}

PCIDevice *piix4_pm_create(PCIBus *bus, DeviceState *acpi_pm, GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_PIIX4_PM);
    PIIX4PMState *s = PIIX4_PM(dev);
    s->parent.devfn = PCI_DEVFN(1, 3);
    s->acpi_pm = acpi_pm;
    if (!qdev_realize_and_unref(dev, BUS(bus), errp)) {
        return NULL;
    }
    return &s->parent;
}

static const TypeInfo piix_types[] = {
    {
        .name = TYPE_PIIX3_DEVICE,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(PIIX3State),
        .class_init = piix3_class_init,
    },
    {
        .name = TYPE_PIIX4_PM,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(PIIX4PMState),
        .class_init = piix4_pm_class_init,
    },
};

static void piix_register_types(void)
{
    type_register_static_array(piix_types, G_N_ELEMENTS(piix_types));
}
type_init(piix_register_types)
