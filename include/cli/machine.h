/*
 * The machine type registry of the command line: cli/main.c registers the
 * boards this binary has (machines_register_all), `-machine help` lists
 * them in QEMU's format, and vm_config_finalize() resolves -machine type=
 * (name or alias) or picks the default. "none" (no board: main loop and
 * monitors only, what libvirt probes with) is always registered.
 * The types themselves (MachineType, MachineOptions) are in hw/boards.h.
 *
 * Main thread only, before the machine is built; no locking.
 */
#ifndef CLI_MACHINE_H
#define CLI_MACHINE_H

#include "hw/boards.h"

#include <stdio.h>

/* Register a machine type (the struct must stay valid: use a static). */
void machine_type_register(const MachineType *mt);
/* Lookup by name or alias; NULL if unknown. */
const MachineType *machine_type_find(const char *name);
const MachineType *machine_type_default(void);
/* "Supported machines are:\nNAME  DESC (alias of X)\n..." as QEMU. */
void machine_type_print_list(FILE *out);
/* Call fn for each registered type, in registration order. */
void machine_types_foreach(void (*fn)(const MachineType *mt, void *opaque),
                           void *opaque);
/* Register every board this binary has (called by main() first). */
void machines_register_all(void);
/* QOM type names for the accelerators, machines and CPU models
 * (cli/qom-names.c); after machines_register_all(). */
void cli_register_qom_names(void);

#endif
