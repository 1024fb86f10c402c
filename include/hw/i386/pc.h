/*
 * The "pc" board (hw/i386/pc.c): QEMU's i440FX PC as far as kvmu builds it
 * so far, and the small PC-only devices it owns.
 */
#ifndef HW_I386_PC_H
#define HW_I386_PC_H

#include "hw/boards.h"
#include "hw/isa.h"

#define TYPE_PORT92 "port92"

extern const MachineType pc_i440fx_machine_type;

#endif
