/*
 * VmConfig: everything the command line asked for, filled by the option
 * handlers (cli/options*.c), checked by vm_config_finalize(), and consumed
 * by machine construction (cli/machine.c). Private to cli/; one instance,
 * owned by main(), main thread only.
 */
#ifndef CLI_VMCONFIG_H
#define CLI_VMCONFIG_H

#include "cli/smp.h"
#include "util/keyval.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum { IRQCHIP_DEFAULT, IRQCHIP_ON, IRQCHIP_OFF, IRQCHIP_SPLIT }
    IrqchipMode;

typedef struct MonitorSpec {
    char *chardev;      /* chardev id */
    bool control;       /* mode=control (QMP) vs readline (HMP) */
    bool pretty;
} MonitorSpec;

typedef struct VmConfig {
    /* -machine (merged over repeated -machine options) */
    KeyvalList *machine;
    const char *machine_type;       /* NULL: the default machine type */
    IrqchipMode kernel_irqchip;
    KeyvalList *board_props;        /* -machine keys passed to the board */
    /* -accel / -enable-kvm / -machine accel=: ordered list of names */
    GPtrArray *accels;              /* char *: "kvm", "tcg" */
    bool accel_from_machine, accel_from_option;
    const char *accel_chosen;       /* set by machine_build() */
    /* -m */
    uint64_t ram_size;              /* bytes; 0: machine default */
    bool ram_size_given;            /* -m size= was on the command line */
    char *mem_path;                 /* -mem-path */
    bool mem_prealloc;              /* -mem-prealloc */
    uint64_t maxmem;
    uint64_t slots;
    /* -smp */
    SmpInput smp;
    SmpTopology topology;           /* after finalize */
    /* -cpu model,+feat,-feat,feat=on */
    char *cpu_model;
    KeyvalList *cpu_features;       /* feature -> "on"/"off"/value */
    /* boot */
    char *kernel, *initrd, *append, *bios;
    KeyvalList *boot;               /* order, once, menu, ... (validated) */
    GPtrArray *option_roms;         /* KeyvalList *: romfile[, bootindex] */
    GPtrArray *fw_cfg_files;        /* FwCfgUserFile * (-fw_cfg) */
    /* identity */
    char *name;
    bool debug_threads;
    char *process_name;
    uint8_t uuid[16];
    bool has_uuid;
    /* run control */
    bool start_paused;              /* -S */
    bool no_reboot, no_shutdown;    /* also -action reboot=/shutdown= */
    int panic_action, watchdog_action;  /* -action; -1: default */
    bool nographic;
    char *display;                  /* "none", "default" */
    bool nodefaults, no_user_config;
    /* chardevs, monitors */
    GPtrArray *chardevs;            /* KeyvalList * (backend, id, ...) */
    GPtrArray *serials;             /* char * legacy specs */
    bool serials_given;             /* -serial on the command line */
    char *debugcon;                 /* -debugcon legacy spec, or NULL */
    GPtrArray *monitors;            /* MonitorSpec * (-mon) */
    bool monitor_given;             /* -monitor (even "none") */
    bool chardev_help;              /* -chardev help */
    GPtrArray *legacy_monitors;     /* LegacyMonitor * (-monitor/-qmp) */
    /* devices and objects */
    GPtrArray *devices;             /* KeyvalList * */
    GPtrArray *objects;             /* KeyvalList * */
    GPtrArray *globals;             /* char * "driver.prop=value" */
    /* KeyvalList * -> the argument as typed, for error locations */
    GHashTable *origins;
    /* process */
    bool daemonize;
    char *pidfile;
    char *logfile;
    char *log_items;
    bool msg_timestamp;
    /* -rtc */
    char *rtc_base;                 /* "utc", "localtime" or a date */
    char *rtc_clock;                /* "host", "rt", "vm" */
    char *rtc_driftfix;             /* "none", "slew" */
    /* -sandbox */
    bool sandbox;
    unsigned sandbox_flags;         /* SANDBOX_* from cli/sandbox.h */
    /* -overcommit */
    bool mem_lock, cpu_pm;
} VmConfig;

/* One legacy monitor: "-monitor SPEC" / "-qmp SPEC" / "-qmp-pretty SPEC". */
typedef struct LegacyMonitor {
    char *spec;
    bool control;
    bool pretty;
} LegacyMonitor;

VmConfig *vm_config_new(void);
/* Remember / look up the argument text a KeyvalList came from. */
void vm_config_set_origin(VmConfig *cfg, const KeyvalList *kv,
                          const char *arg);
const char *vm_config_origin(VmConfig *cfg, const KeyvalList *kv);
void vm_config_free(VmConfig *cfg);

/*
 * Parse argv into cfg. Handles -h/-version/-X help listings itself:
 * returns false with *exit_code set (0 after help, 1 after an error,
 * already reported). true: go on.
 */
bool cli_parse(VmConfig *cfg, int argc, char **argv, int *exit_code);

/* Cross-option checks and defaults after parsing (smp, memory, accel,
 * -nographic's implied serial/monitor). Errors reported; false on any. */
bool vm_config_finalize(VmConfig *cfg);

/* Parse a UUID "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"; hex either case. */
bool cli_parse_uuid(const char *str, uint8_t out[16]);

/* A keyval argument, or JSON when it starts with '{' (via qobject/). */
KeyvalList *cli_opts_parse(const char *str, const char *implied_key,
                           KeyvalFlags flags, GError **errp);

#endif
