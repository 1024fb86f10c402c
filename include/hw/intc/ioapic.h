/*
 * I/O APIC (Intel 82093AA datasheet, version 0x20 with the EOI register)
 * at 0xfec00000: 24 input pins, a redirection table, edge and level
 * triggering with remote IRR, delivery to the local APICs by physical or
 * logical destination through apic_bus_deliver() — hw/intc/ioapic.c.
 *
 * The board creates it with ioapic_create() and drives its pins with the
 * qemu_irqs ioapic_get_irqs() returns (GSI n = pin n). The local APICs
 * tell it about EOIs of level-triggered vectors (apic_set_eoi_listener is
 * installed by ioapic_create). Pin polarity is recorded but not applied:
 * every line here is active high, whatever the guest programs (as QEMU).
 * Big VMM lock held throughout.
 */
#ifndef HW_INTC_IOAPIC_H
#define HW_INTC_IOAPIC_H

#include "hw/sysbus.h"

#define TYPE_IOAPIC "ioapic"
#define IOAPIC_DEFAULT_ADDRESS 0xfec00000
#define IOAPIC_NUM_PINS 24

/* Create, realize, map at 0xfec00000 with APIC ID @id. */
DeviceState *ioapic_create(uint8_t id, GError **errp);
/* Its IOAPIC_NUM_PINS input lines (owned by the device). */
qemu_irq *ioapic_get_irqs(DeviceState *dev);
/* `info pic`-style text for @dev, or for the board's IOAPIC (if any). */
void ioapic_info(DeviceState *dev, GString *out);
void ioapic_info_all(GString *out);

/* `info irq` text: raised edges per pin since start (non-zero only). */
void ioapic_irq_stats(GString *out);

#endif
