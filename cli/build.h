/*
 * Machine construction (cli/machine.c): turns a finalized VmConfig into
 * chardevs, globals, objects, the board and its devices. Main thread.
 */
#ifndef CLI_BUILD_H
#define CLI_BUILD_H

#include "cli/vmconfig.h"

/* Build everything; false + errp on the first failure. */
bool machine_build(VmConfig *cfg, GError **errp);
/* Undo at exit (objects, chardevs: restores the terminal). */
void machine_teardown(VmConfig *cfg);
/* Print the -device/-object/-chardev help listings that were asked for;
 * true if one was printed (exit with *exit_code). */
bool cli_print_listings(VmConfig *cfg, int *exit_code);

#endif
