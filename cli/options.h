/*
 * The option table: every option kvmu-system-x86_64 accepts, its argument,
 * its one-line help and its handler. Private to cli/ (options*.c, opt-*.c).
 * Handlers run while argv is parsed, in order; they check syntax and
 * values and record them in the VmConfig. Cross-option checks live in
 * vm_config_finalize() (cli/config.c).
 */
#ifndef CLI_OPTIONS_H
#define CLI_OPTIONS_H

#include "cli/vmconfig.h"
#include "util/opts.h"

#include <stdio.h>

typedef bool CliOptionHandler(VmConfig *cfg, const char *arg, GError **errp);

typedef struct CliOption {
    const char *name;           /* without the leading '-' */
    const char *args;           /* NULL: takes no argument */
    CliOptionHandler *handler;  /* NULL: parsed, then "not supported yet" */
    const char *help;
    const char *implied_key;    /* unsupported keyval options: syntax check */
} CliOption;

/* Option groups (opt-groups.c): key whitelists + query-command-line-options */
extern const OptGroup cli_group_machine, cli_group_accel, cli_group_memory,
    cli_group_smp, cli_group_name, cli_group_rtc, cli_group_boot,
    cli_group_sandbox, cli_group_msg, cli_group_overcommit, cli_group_mon,
    cli_group_chardev, cli_group_option_rom, cli_group_fw_cfg;
/* Register them in util/opts (idempotent); main() calls it first. */
void cli_register_opt_groups(void);

/* Handlers that print a listing set this; cli_parse() then exits 0. */
extern bool cli_help_printed;

/* The table; terminated by a NULL name. */
extern const CliOption cli_options[];

/* Print -h output. */
void cli_print_help(FILE *out);

/* Handlers (opt-machine.c) */
bool cli_machine_accels(VmConfig *cfg, const char *list, GError **errp);
CliOptionHandler opt_machine, opt_accel, opt_enable_kvm, opt_m, opt_smp,
    opt_cpu;
/* Handlers (opt-misc.c) */
CliOptionHandler opt_kernel, opt_initrd, opt_append, opt_bios, opt_name,
    opt_uuid, opt_S, opt_nographic, opt_display, opt_no_reboot,
    opt_no_shutdown, opt_serial, opt_chardev, opt_mon, opt_qmp,
    opt_qmp_pretty, opt_monitor, opt_device, opt_object, opt_global,
    opt_daemonize, opt_pidfile, opt_D, opt_d, opt_nodefaults,
    opt_no_user_config, opt_msg, opt_rtc, opt_boot, opt_sandbox,
    opt_overcommit, opt_debugcon, opt_option_rom, opt_fw_cfg,
    opt_mem_path, opt_mem_prealloc, opt_no_hpet, opt_vga, opt_action,
    opt_watchdog_action;

/* Handler (opt-smbios.c) and the -smbios settings (NULL: none given) */
CliOptionHandler opt_smbios;
const struct SmbiosOptions *cli_smbios_options(void);

/* -d: the known log items and their help (NULL-terminated pairs). */

#endif
