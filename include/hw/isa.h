/*
 * The ISA bus: legacy PC devices behind the PIIX3 (serial ports, PIT, PIC,
 * RTC, i8042, debug ports). A device on it registers port ranges in the
 * I/O address space and raises one of the sixteen ISA IRQ lines, which the
 * board wires to the PICs/IOAPIC with isa_bus_set_irqs().
 *
 * Who calls it: the PC board (creates the bus, wires IRQs) and ISA devices.
 * Runs with the big VMM lock held, like all device code.
 */
#ifndef HW_ISA_H
#define HW_ISA_H

#include "hw/irq.h"
#include "hw/qdev.h"
#include "memory/memory.h"

#define TYPE_ISA_BUS "ISA"
#define TYPE_ISA_DEVICE "isa-device"
#define ISA_NUM_IRQS 16

typedef struct ISABus {
    BusState parent;
    MemoryRegion *io;            /* where devices map their ports */
    qemu_irq irqs[ISA_NUM_IRQS];
} ISABus;

typedef struct ISADevice {
    DeviceState parent;
} ISADevice;

#define ISA_BUS(obj) OBJECT_CHECK(ISABus, (obj), TYPE_ISA_BUS)
#define ISA_DEVICE(obj) OBJECT_CHECK(ISADevice, (obj), TYPE_ISA_DEVICE)

/* Create the bus under parent (NULL: a bus for tests) over the io region. */
ISABus *isa_bus_new(DeviceState *parent, MemoryRegion *io);
void isa_bus_set_irqs(ISABus *bus, const qemu_irq *irqs);
/* The first ISA bus in the machine, or NULL. */
ISABus *isa_bus_find(void);

ISABus *isa_device_bus(ISADevice *dev);
/* The line for ISA IRQ isairq (0-15); NULL if out of range or unwired. */
qemu_irq isa_get_irq(ISADevice *dev, unsigned isairq);
/* Map mr at port in the bus's I/O space. */
bool isa_register_ioport(ISADevice *dev, MemoryRegion *mr, uint16_t port,
                         GError **errp);

/* Undo isa_register_ioport (call from unrealize); no-op if unmapped. */
void isa_unregister_ioport(ISADevice *dev, MemoryRegion *mr);

#endif
