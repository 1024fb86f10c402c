/*
 * HPET (IA-PC HPET specification 1.0a) at 0xfed00000 — hw/timer/hpet.c:
 * a 64-bit main counter at 100 MHz and three comparators (timer 0 with
 * periodic mode; all 32- or 64-bit, edge or level), legacy replacement
 * routing (timer 0 -> IRQ0, timer 1 -> IRQ8, silencing PIT channel 0
 * and the RTC's IRQ8) and routing to IOAPIC pins 20-23 otherwise. No FSB
 * (MSI) delivery. The capabilities' low half is 0x8086a201, which the
 * ACPI HPET table repeats.
 *
 * The board calls hpet_create() with the ISA IRQ lines it uses in legacy
 * mode (irq0, irq8), the IOAPIC's input lines and the PIT; it asks
 * hpet_legacy_mode() to decide whether the RTC may still drive IRQ8.
 * Runs on the virtual clock; big VMM lock held throughout.
 */
#ifndef HW_TIMER_HPET_H
#define HW_TIMER_HPET_H

#include "hw/sysbus.h"

#define TYPE_HPET "hpet"
#define HPET_BASE 0xfed00000
#define HPET_NUM_TIMERS 3
#define HPET_CLK_PERIOD_NS 10     /* 100 MHz */

/* Create, realize and map at @base. @ioapic may be NULL (no routing but
 * legacy), @pit NULL (nothing to silence). */
DeviceState *hpet_create(hwaddr base, qemu_irq irq0, qemu_irq irq8,
                         qemu_irq *ioapic, DeviceState *pit, GError **errp);
/* Legacy replacement routing is on (IRQ0/IRQ8 belong to the HPET). */
bool hpet_legacy_mode(DeviceState *hpet);
/* `info hpet` text. */
void hpet_info(DeviceState *hpet, GString *out);

#endif
