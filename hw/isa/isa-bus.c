/* The ISA bus and the abstract ISA device; see include/hw/isa.h. */
#include "hw/isa.h"
#include "util/error.h"

static ISABus *first_isa_bus;

ISABus *isa_bus_new(DeviceState *parent, MemoryRegion *io)
{
    ISABus *bus = ISA_BUS(qbus_new(TYPE_ISA_BUS, parent, "isa.0"));
    bus->io = io;
    if (!first_isa_bus) {
        first_isa_bus = bus;
    }
    return bus;
}

void isa_bus_set_irqs(ISABus *bus, const qemu_irq *irqs)
{
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        bus->irqs[i] = irqs[i];
    }
}

ISABus *isa_bus_find(void)
{
    return first_isa_bus;
}

ISABus *isa_device_bus(ISADevice *dev)
{
    BusState *b = qdev_get_parent_bus(DEVICE(dev));
    return b ? ISA_BUS(b) : NULL;
}

qemu_irq isa_get_irq(ISADevice *dev, unsigned isairq)
{
    ISABus *bus = isa_device_bus(dev);
    if (!bus || isairq >= ISA_NUM_IRQS) {
        return NULL;
    }
    return bus->irqs[isairq];
}

bool isa_register_ioport(ISADevice *dev, MemoryRegion *mr, uint16_t port,
                         GError **errp)
{
    ISABus *bus = isa_device_bus(dev);
    if (!bus || !bus->io) {
        error_setg(errp, "device is not on an ISA bus with I/O space");
        return false;
    }
    if ((uint64_t)port + memory_region_size(mr) > 0x10000) {
        error_setg(errp, "I/O range 0x%x+0x%" PRIx64 " is beyond port 0xffff",
                   port, memory_region_size(mr));
        return false;
    }
    memory_region_add_subregion(bus->io, port, mr);
    return true;
}

void isa_unregister_ioport(ISADevice *dev, MemoryRegion *mr)
{
    ISABus *bus = isa_device_bus(dev);
    if (bus && bus->io && memory_region_is_mapped(mr)) {
        memory_region_del_subregion(bus->io, mr);
    }
}

static void isa_bus_finalize(Object *obj)
{
    if (first_isa_bus == (ISABus *)obj) {
        first_isa_bus = NULL;
    }
}

static void isa_device_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    dc->bus_type = TYPE_ISA_BUS;
}

static const TypeInfo isa_types[] = {
    {
        .name = TYPE_ISA_BUS,
        .parent = TYPE_BUS,
        .instance_size = sizeof(ISABus),
        .instance_finalize = isa_bus_finalize,
    },
    {
        .name = TYPE_ISA_DEVICE,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(ISADevice),
        .abstract = true,
        .class_init = isa_device_class_init,
    },
};

static void isa_register_types(void)
{
    type_register_static_array(isa_types, G_N_ELEMENTS(isa_types));
}
type_init(isa_register_types)
