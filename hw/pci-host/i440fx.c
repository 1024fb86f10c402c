/*
 * Intel 440FX PCIset host bridge (82441FX PMC datasheet, 1996): PCI
 * configuration mechanism #1 (CONFADD at 0xcf8, CONFDATA at 0xcfc-0xcff)
 * and the bridge's own function 00.0.
 * PAM (0x59-0x5f, BIOS shadowing): the registers are stored here and
 * every change is passed to the board's notifier (i440fx_set_pam_notify),
 * which owns the memory map below 1 MiB; reset clears them (reads go to
 * the BIOS ROM again). Left out: SMRAM only stores what is written.
 */
#include "hw/pci-host/i440fx.h"
#include "hw/sysbus.h"
#include "migration/vmstate.h"
#include "util/error.h"

#define I440FX_PAM 0x59          /* 7 PAM registers */
#define I440FX_PAM_COUNT 7
#define I440FX_SMRAM 0x72

typedef struct I440FXHost {
    SysBusDevice parent;
    PCIBus *bus;
    uint32_t config_addr;
    MemoryRegion conf_io, data_io;
    const MemoryRegionOps *rcr_ops;   /* the PIIX3's byte at 0xcf9 */
    void *rcr_opaque;
    I440FXPamNotify *pam_notify;
    void *pam_opaque;
} I440FXHost;

#define I440FX_HOST(obj) OBJECT_CHECK(I440FXHost, (obj), TYPE_I440FX_PCI_HOST)

/* Bit 31 enables; bus number 0 is ours (no bridges yet): others float. */
static bool i440fx_conf_target(I440FXHost *h, hwaddr off, uint32_t *addr)
{
    uint32_t ca = h->config_addr;
    if (!(ca & 0x80000000u) || ((ca >> 16) & 0xff) != 0) {
        return false;
    }
    *addr = (ca & 0xfffc) | (off & 3);
    return true;
}

/*
 * Only dword accesses to 0xcf8 are CONFADD. A byte at 0xcf9 is the
 * PIIX3's reset control register: it is forwarded here rather than mapped
 * over this region, so that a dword to 0xcf8 stays one access. Other
 * byte/word accesses decode to nothing.
 */
static uint64_t conf_read(void *opaque, hwaddr off, unsigned size)
{
    I440FXHost *h = opaque;
    if (size == 1) {
        return h->rcr_ops->read(h->rcr_opaque, 0, 1);
    }
    return h->config_addr;
}

static void conf_write(void *opaque, hwaddr off, uint64_t val, unsigned size)
{
    I440FXHost *h = opaque;
    if (size == 1) {
        h->rcr_ops->write(h->rcr_opaque, 0, val, 1);
        return;
    }
    h->config_addr = val & 0x80fffffcu;
}

static bool conf_accepts(void *opaque, hwaddr off, unsigned size,
                         bool is_write, MemTxAttrs attrs)
{
    I440FXHost *h = opaque;
    return (size == 4 && off == 0) ||
           (size == 1 && off == 1 && h->rcr_ops);
}

void i440fx_set_reset_control(PCIBus *bus, const MemoryRegionOps *ops,
                              void *opaque)
{
    I440FXHost *h = I440FX_HOST(BUS(bus)->parent);
    h->rcr_ops = ops;
    h->rcr_opaque = opaque;
}

static const MemoryRegionOps conf_ops = {
    .read = conf_read,
    .write = conf_write,
    .valid = { .min_access_size = 1, .max_access_size = 4,
               .accepts = conf_accepts },
};

static uint64_t data_read(void *opaque, hwaddr off, unsigned size)
{
    I440FXHost *h = opaque;
    uint32_t addr;
    if (!i440fx_conf_target(h, off, &addr)) {
        return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
    }
    return pci_bus_config_read(h->bus, addr, size);
}

static void data_write(void *opaque, hwaddr off, uint64_t val, unsigned size)
{
    I440FXHost *h = opaque;
    uint32_t addr;
    if (i440fx_conf_target(h, off, &addr)) {
        pci_bus_config_write(h->bus, addr, val, size);
    }
}

static const MemoryRegionOps data_ops = {
    .read = data_read,
    .write = data_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
};

static bool i440fx_host_realize(DeviceState *dev, GError **errp)
{
    I440FXHost *h = I440FX_HOST(dev);
    memory_region_init_io(&h->conf_io, OBJECT(dev), &conf_ops, h,
                          "pci-conf-idx", 4);
    memory_region_init_io(&h->data_io, OBJECT(dev), &data_ops, h,
                          "pci-conf-data", 4);
    sysbus_add_io(SYS_BUS_DEVICE(dev), 0xcf8, &h->conf_io);
    sysbus_add_io(SYS_BUS_DEVICE(dev), 0xcfc, &h->data_io);
    return true;
}

static void i440fx_host_reset(DeviceState *dev)
{
    I440FX_HOST(dev)->config_addr = 0;
}

static const VMStateDescription vmstate_i440fx_host = {
    .name = "i440FX-pcihost",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(config_addr, I440FXHost),
        VMSTATE_END_OF_LIST(),
    },
};

static void i440fx_host_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    dc->desc = "i440FX PCI host bridge";
    dc->user_creatable = false;
    dc->realize = i440fx_host_realize;
    dc->reset = i440fx_host_reset;
    dc->vmsd = &vmstate_i440fx_host;
}

/* ---- function 00.0 ---------------------------------------------------- */

static I440FXHost *i440fx_host_of(PCIDevice *d)
{
    BusState *bus = qdev_get_parent_bus(DEVICE(d));
    return bus ? I440FX_HOST(bus->parent) : NULL;
}

static void i440fx_pam_changed(PCIDevice *d)
{
    I440FXHost *h = i440fx_host_of(d);
    if (h && h->pam_notify) {
        h->pam_notify(h->pam_opaque, &d->config[I440FX_PAM]);
    }
}

static void i440fx_pci_write_config(PCIDevice *d, uint32_t addr,
                                    uint32_t val, int len)
{
    pci_default_write_config(d, addr, val, len);
    if (addr < I440FX_PAM + I440FX_PAM_COUNT &&
        addr + len > I440FX_PAM) {
        i440fx_pam_changed(d);
    }
}

static void i440fx_pci_reset(PCIDevice *d)
{
    memset(&d->config[I440FX_PAM], 0, I440FX_PAM_COUNT);
    i440fx_pam_changed(d);
}

void i440fx_set_pam_notify(PCIBus *bus, I440FXPamNotify *fn, void *opaque)
{
    I440FXHost *h = I440FX_HOST(BUS(bus)->parent);
    h->pam_notify = fn;
    h->pam_opaque = opaque;
    PCIDevice *d = bus->devices[PCI_DEVFN(0, 0)];
    if (d) {
        i440fx_pam_changed(d);
    }
}

/* The PCI device's own state (same stream as every PCI function); after
 * loading it the board's BIOS mappings follow the loaded PAM bytes. */
static int i440fx_pci_post_load(void *opaque, int version_id)
{
    int ret = pci_device_post_load(opaque);
    i440fx_pam_changed(opaque);
    return ret;
}

static const VMStateDescription vmstate_i440fx_pci = {
    .name = "PCIDevice",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = i440fx_pci_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8_ARRAY(config, PCIDevice, PCI_CONFIG_SPACE_SIZE),
        VMSTATE_UINT8(irq_state, PCIDevice),
        VMSTATE_END_OF_LIST(),
    },
};

static bool i440fx_pci_realize(PCIDevice *d, GError **errp)
{
    for (int i = 0; i < I440FX_PAM_COUNT; i++) {
        d->wmask[I440FX_PAM + i] = i ? 0x33 : 0x30;
    }
    d->wmask[I440FX_SMRAM] = 0x78;
    d->config[I440FX_SMRAM] = 0x02;
    return true;
}

static void i440fx_pci_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(klass);
    dc->desc = "Host bridge";
    dc->user_creatable = false;
    dc->hotpluggable = false;
    pc->realize = i440fx_pci_realize;
    pc->config_write = i440fx_pci_write_config;
    dc->vmsd = &vmstate_i440fx_pci;
    pc->reset = i440fx_pci_reset;
    pc->vendor_id = PCI_VENDOR_ID_INTEL;
    pc->device_id = PCI_DEVICE_ID_INTEL_82441;
    pc->revision = 0x02;
    pc->class_id = PCI_CLASS_BRIDGE_HOST;
}

PCIBus *i440fx_init(MemoryRegion *mem, MemoryRegion *io, GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_I440FX_PCI_HOST);
    I440FXHost *h = I440FX_HOST(dev);
    h->bus = pci_bus_new(dev, "pci.0", mem, io, mem);
    if (!sysbus_realize_and_unref(SYS_BUS_DEVICE(dev), errp)) {
        return NULL;
    }
    if (!pci_create_simple(h->bus, PCI_DEVFN(0, 0), TYPE_I440FX_PCI_DEVICE,
                           errp)) {
        return NULL;
    }
    return h->bus;
}

static const TypeInfo i440fx_types[] = {
    {
        .name = TYPE_I440FX_PCI_HOST,
        .parent = TYPE_SYS_BUS_DEVICE,
        .instance_size = sizeof(I440FXHost),
        .class_init = i440fx_host_class_init,
    },
    {
        .name = TYPE_I440FX_PCI_DEVICE,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(PCIDevice),
        .class_init = i440fx_pci_class_init,
    },
};

static void i440fx_register_types(void)
{
    type_register_static_array(i440fx_types, G_N_ELEMENTS(i440fx_types));
}
type_init(i440fx_register_types)
