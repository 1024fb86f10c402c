/*
 * Boards as the command line sees them: the description of a machine
 * type (name, alias, -machine help text, CPU topology rules, default RAM)
 * and the options its init function receives.
 *
 * A board (hw/i386/pc.c, ...) defines a `const MachineType` and its init
 * function; cli/machines.c lists every board's MachineType in
 * machines_register_all(), so imports stay downward (cli -> hw). The
 * init function runs once on the main thread with the BQL held, after
 * chardevs, -global and -object exist and before -device devices are
 * created. Everything in MachineOptions stays valid until exit.
 */
#ifndef HW_BOARDS_H
#define HW_BOARDS_H

#include "util/keyval.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* One -fw_cfg name=NAME,file=F|string=S: the bytes already read. */
typedef struct FwCfgUserFile {
    char *name;
    uint8_t *data;
    size_t len;
    char *origin;                   /* the option's argument, for errors */
} FwCfgUserFile;

/* What a board's init function gets: the validated machine options. */
typedef struct MachineOptions {
    const char *type;               /* resolved machine type name */
    uint64_t ram_size;              /* bytes */
    uint64_t maxmem;                /* 0: no hotplug memory */
    uint64_t slots;
    unsigned cpus, sockets, dies, clusters, cores, threads, max_cpus;
    const char *cpu_model;          /* NULL: the board's default */
    const KeyvalList *cpu_features; /* feature -> value; may be empty */
    const char *kernel, *initrd, *append, *bios;   /* NULL if not given */
    const char *boot_order, *boot_once;            /* NULL if not given */
    bool boot_menu;
    /* every -boot key as given (order once menu splash splash-time
     * reboot-timeout strict), values checked */
    const KeyvalList *boot;
    /* -option-rom, in order: KeyvalList * with "romfile" and optionally
     * "bootindex" (an integer); the files are not checked yet */
    const GPtrArray *option_roms;
    const GPtrArray *fw_cfg_files;  /* FwCfgUserFile *, in order */
    bool cpu_pm;                    /* -overcommit cpu-pm=on */
    const char *kernel_irqchip;     /* "on", "off", "split" or NULL */
    const char *accel;              /* the accelerator that was set up */
    /* the -machine keys the command line does not interpret itself
     * (vmport, smm, hpet, usb, acpi, ...), values already type-checked */
    const KeyvalList *props;
    const char *rtc_base, *rtc_clock, *rtc_driftfix;
    const uint8_t *uuid;            /* 16 bytes or NULL */
    const char *name;               /* -name guest= or NULL */
    bool nodefaults;
    /* -serial chardevs exist as "serial0".."serial3" (chardev_find());
     * "none" entries are counted but have no chardev */
    int serial_count;
    /* the board's RAM: the region of -machine memory-backend=ID if
     * set (claimed, its size is ram_size), else from the -mem-path
     * file or directory if set, else anonymous; -mem-prealloc */
    struct MemoryRegion *ram_backend;
    const char *mem_path;
    bool mem_prealloc;
    /* -smbios (hw/smbios/smbios.h), NULL if none given */
    const struct SmbiosOptions *smbios;
} MachineOptions;

/*
 * Build the board: RAM, CPUs through the chosen accelerator, devices,
 * firmware/kernel loading. Called once, after chardevs, -global and
 * -object and before -device. The pointers in opts live until exit.
 */
typedef bool MachineInitFn(const MachineOptions *opts, GError **errp);

typedef struct MachineType {
    const char *name;
    const char *alias;              /* e.g. "pc" for "pc-i440fx-8.2" */
    const char *desc;
    bool is_default;
    MachineInitFn *init;            /* NULL only for "none" */
    uint64_t default_ram_size;      /* bytes */
    unsigned min_cpus, max_cpus;
    bool dies_supported, clusters_supported, prefer_sockets;
    const char *default_cpu;
} MachineType;

#endif
