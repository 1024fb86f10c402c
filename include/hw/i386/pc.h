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

/* The -machine keys the board acts on (hw/i386/pc-props.c); every other
 * key is refused there unless it asks for what the board already is. */
typedef struct PCMachineProps {
    bool kernel_decompress;     /* kernel-decompress=on|off (kvmu's own) */
    bool hpet;                  /* hpet=on|off */
} PCMachineProps;

bool pc_parse_machine_props(const MachineOptions *o, PCMachineProps *p,
                            GError **errp);

#endif
