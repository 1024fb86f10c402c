/*
 * TYPE_SYS_BUS_DEVICE: devices on the system bus with MMIO regions mapped
 * into system memory and interrupt outputs (include/hw/sysbus.h).
 */
#include "hw/sysbus.h"
#include "util/error.h"

int sysbus_init_mmio(SysBusDevice *dev, MemoryRegion *memory)
{
    g_assert(dev->num_mmio < SYSBUS_MAX_MMIO);
    int n = dev->num_mmio++;

    dev->mmio[n].addr = (hwaddr)-1;
    dev->mmio[n].memory = memory;
    return n;
}

bool sysbus_has_mmio(SysBusDevice *dev, int n)
{
    return n >= 0 && n < dev->num_mmio;
}

MemoryRegion *sysbus_mmio_get_region(SysBusDevice *dev, int n)
{
    g_assert(sysbus_has_mmio(dev, n));
    return dev->mmio[n].memory;
}

void sysbus_mmio_unmap(SysBusDevice *dev, int n)
{
    g_assert(sysbus_has_mmio(dev, n));
    if (dev->mmio[n].addr != (hwaddr)-1) {
        memory_region_del_subregion(get_system_memory(), dev->mmio[n].memory);
        dev->mmio[n].addr = (hwaddr)-1;
    }
}

void sysbus_mmio_map_overlap(SysBusDevice *dev, int n, hwaddr addr,
                             int priority)
{
    g_assert(sysbus_has_mmio(dev, n));
    if (dev->mmio[n].addr == addr) {
        return;
    }
    sysbus_mmio_unmap(dev, n);
    dev->mmio[n].addr = addr;
    memory_region_add_subregion_overlap(get_system_memory(), addr,
                                        dev->mmio[n].memory, priority);
}

void sysbus_mmio_map(SysBusDevice *dev, int n, hwaddr addr)
{
    sysbus_mmio_map_overlap(dev, n, addr, 0);
}

void sysbus_add_io(SysBusDevice *dev, hwaddr port, MemoryRegion *mem)
{
    memory_region_add_subregion(get_system_io(), port, mem);
}

void sysbus_init_irq(SysBusDevice *dev, qemu_irq *p)
{
    qdev_init_gpio_out_named(DEVICE(dev), p, SYSBUS_DEVICE_GPIO_IRQ, 1);
}

void sysbus_connect_irq(SysBusDevice *dev, int n, qemu_irq irq)
{
    qdev_connect_gpio_out_named(DEVICE(dev), SYSBUS_DEVICE_GPIO_IRQ, n, irq);
}

bool sysbus_has_irq(SysBusDevice *dev, int n)
{
    return n >= 0 &&
           n < qdev_gpio_count_out(DEVICE(dev), SYSBUS_DEVICE_GPIO_IRQ);
}

bool sysbus_realize(SysBusDevice *dev, GError **errp)
{
    return qdev_realize(DEVICE(dev), sysbus_get_default(), errp);
}

bool sysbus_realize_and_unref(SysBusDevice *dev, GError **errp)
{
    return qdev_realize_and_unref(DEVICE(dev), sysbus_get_default(), errp);
}

DeviceState *sysbus_create_simple(const char *typename, hwaddr addr,
                                  qemu_irq irq)
{
    DeviceState *dev = qdev_new(typename);
    GError *err = NULL;

    if (!sysbus_realize_and_unref(SYS_BUS_DEVICE(dev), &err)) {
        /* Board wiring of a built-in device: a failure is a board bug. */
        g_error("%s: %s", typename, err->message);
    }
    if (addr != (hwaddr)-1) {
        sysbus_mmio_map(SYS_BUS_DEVICE(dev), 0, addr);
    }
    if (irq) {
        sysbus_connect_irq(SYS_BUS_DEVICE(dev), 0, irq);
    }
    return dev;
}

static void sysbus_device_unrealize(DeviceState *dev)
{
    SysBusDevice *sbd = SYS_BUS_DEVICE(dev);

    for (int i = 0; i < sbd->num_mmio; i++) {
        sysbus_mmio_unmap(sbd, i);
    }
}

static void sysbus_device_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->bus_type = TYPE_SYSTEM_BUS;
    dc->user_creatable = false;
    /* Subclasses chain to this through device_class_set_parent_unrealize. */
    dc->unrealize = sysbus_device_unrealize;
}

static const TypeInfo sysbus_device_info = {
    .name = TYPE_SYS_BUS_DEVICE,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(SysBusDevice),
    .abstract = true,
    .class_init = sysbus_device_class_init,
};

static void sysbus_register_types(void)
{
    type_register_static(&sysbus_device_info);
}

type_init(sysbus_register_types)
