/*
 * System bus devices: devices that sit directly on the board's system bus
 * (TYPE_SYSTEM_BUS, sysbus_get_default()) and expose MMIO regions, I/O
 * port regions and interrupt outputs that the board maps and wires:
 *
 *     DeviceState *dev = qdev_new(TYPE_HPET);
 *     sysbus_realize_and_unref(SYS_BUS_DEVICE(dev), &error);
 *     sysbus_mmio_map(SYS_BUS_DEVICE(dev), 0, 0xfed00000);
 *     sysbus_connect_irq(SYS_BUS_DEVICE(dev), 0, gsi[2]);
 *
 * A device registers its regions in realize (or instance_init) with
 * sysbus_init_mmio()/sysbus_init_irq(); mapping puts them into
 * get_system_memory() / get_system_io(). Not user-creatable by default.
 * Board code, main thread, big lock held.
 */
#ifndef HW_SYSBUS_H
#define HW_SYSBUS_H

#include "hw/qdev.h"
#include "hw/irq.h"
#include "memory/memory.h"

#define TYPE_SYS_BUS_DEVICE "sys-bus-device"
#define SYSBUS_MAX_MMIO 32
#define SYSBUS_DEVICE_GPIO_IRQ "sysbus-irq"

typedef struct SysBusDevice {
    DeviceState parent;
    int num_mmio;
    struct {
        hwaddr addr; /* (hwaddr)-1 while unmapped */
        MemoryRegion *memory;
    } mmio[SYSBUS_MAX_MMIO];
} SysBusDevice;

#define SYS_BUS_DEVICE(obj)                                                    \
    OBJECT_CHECK(SysBusDevice, (obj), TYPE_SYS_BUS_DEVICE)

/* Returns the region's index (g_asserts there is room). */
int sysbus_init_mmio(SysBusDevice *dev, MemoryRegion *memory);
MemoryRegion *sysbus_mmio_get_region(SysBusDevice *dev, int n);
bool sysbus_has_mmio(SysBusDevice *dev, int n);
/* Map (or move) region n into system memory at addr. */
void sysbus_mmio_map(SysBusDevice *dev, int n, hwaddr addr);
void sysbus_mmio_map_overlap(SysBusDevice *dev, int n, hwaddr addr,
                             int priority);
void sysbus_mmio_unmap(SysBusDevice *dev, int n);
/* Put an I/O port region into the system I/O space at port. */
void sysbus_add_io(SysBusDevice *dev, hwaddr port, MemoryRegion *mem);

/* One more interrupt output; *p is what the device raises. */
void sysbus_init_irq(SysBusDevice *dev, qemu_irq *p);
void sysbus_connect_irq(SysBusDevice *dev, int n, qemu_irq irq);
bool sysbus_has_irq(SysBusDevice *dev, int n);

/* qdev_realize() on the system bus. */
bool sysbus_realize(SysBusDevice *dev, GError **errp);
bool sysbus_realize_and_unref(SysBusDevice *dev, GError **errp);
/* qdev_new + realize + map region 0 at addr (if not -1) + irq 0. */
DeviceState *sysbus_create_simple(const char *typename, hwaddr addr,
                                  qemu_irq irq);

#endif
