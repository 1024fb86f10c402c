/*
 * Intel 8254 programmable interval timer (hw/timer/i8254.c) at 0x40-0x43,
 * with the PC's port 0x61 (channel 2 gate, speaker enable, refresh toggle,
 * channel 2 output). Channel 0 drives ISA IRQ0.
 *
 * The board creates it with i8254_create(); the HPET's legacy replacement
 * mode silences channel 0's interrupt with i8254_set_irq_enabled().
 */
#ifndef HW_TIMER_I8254_H
#define HW_TIMER_I8254_H

#include "hw/isa.h"

#define TYPE_I8254 "isa-pit"
#define PIT_FREQ 1193182

DeviceState *i8254_create(ISABus *bus, GError **errp);
void i8254_set_irq_enabled(DeviceState *pit, bool enabled);

#endif
