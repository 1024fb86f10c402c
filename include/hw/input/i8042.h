/*
 * The PC keyboard controller (Intel 8042) with a PS/2 keyboard and mouse
 * behind it (hw/input/i8042.c): ports 0x60/0x64, IRQ 1 and 12, CPU reset
 * through command 0xFE / output port bit 0, A20 through the output port.
 */
#ifndef HW_INPUT_I8042_H
#define HW_INPUT_I8042_H

#include "hw/isa.h"

#define TYPE_I8042 "i8042"

DeviceState *i8042_create(ISABus *bus, GError **errp);
/* Queue keyboard scancode bytes (set 1 or 2 as the guest configured:
 * callers send set 2; translation to set 1 follows the command byte). */
void i8042_put_kbd_bytes(DeviceState *dev, const uint8_t *bytes, int n);
/* A20 line as the guest last set it through the output port. */
bool i8042_a20(DeviceState *dev);

#endif
