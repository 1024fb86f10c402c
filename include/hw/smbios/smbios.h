/*
 * SMBIOS (DMTF DSP0134): the structure table a PC firmware leaves for
 * the OS (Linux: /sys/class/dmi/id, dmidecode), and -smbios.
 *
 * The command line parses each -smbios argument with
 * smbios_options_add() into one SmbiosOptions (cli/opt-smbios.c); the
 * board describes itself in a SmbiosConfig and calls smbios_build() for
 * the structures, then smbios_entry_point_21() (the fw_cfg file
 * etc/smbios/smbios-anchor that SeaBIOS reads next to
 * etc/smbios/smbios-tables) or smbios_entry_point_30() (the "_SM3_"
 * anchor direct kernel boot puts in the F segment). Built once, on the
 * main thread; nothing here touches guest memory.
 */
#ifndef HW_SMBIOS_SMBIOS_H
#define HW_SMBIOS_SMBIOS_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMBIOS_EP21_LEN 31
#define SMBIOS_EP30_LEN 24
/* one Type 17 memory device per this much RAM (as QEMU) */
#define SMBIOS_DIMM_MAX (16ull << 30)

/* The parsed -smbios options (opaque). */
typedef struct SmbiosOptions SmbiosOptions;

SmbiosOptions *smbios_options_new(void);
void smbios_options_free(SmbiosOptions *o);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SmbiosOptions, smbios_options_free)
/*
 * Add one -smbios argument: "type=N,key=value,..." for the types 0, 1,
 * 2, 3, 4, 8, 11 and 17 with QEMU's keys (a later value of a key wins;
 * each type=8 is one more port connector), or
 * "file=BINARY" (whole structures, which replace the generated ones of
 * their types). False with QEMU's error wording.
 */
bool smbios_options_add(SmbiosOptions *o, const char *arg, GError **errp);
/* Whether any -smbios type=0 or file with a type 0 structure was given
 * (then a firmware keeps those instead of its own BIOS information). */
bool smbios_options_have_type(const SmbiosOptions *o, unsigned type);

/* What the board is; strings may be NULL or "" for "no string". */
typedef struct SmbiosConfig {
    uint8_t major, minor;            /* the version the tables follow */
    /* Type 0: NULL vendor = none unless -smbios type=0 (firmware adds
     * its own, as SeaBIOS does) */
    const char *bios_vendor, *bios_version, *bios_date;
    uint8_t bios_major, bios_minor;  /* system BIOS release */
    const char *manufacturer;        /* types 1, 3, 4, 17: "QEMU" */
    const char *product;             /* type 1 */
    const char *version;             /* types 1, 3, 4: machine type */
    const uint8_t *uuid;             /* 16 bytes (RFC 4122 order) or NULL */
    unsigned sockets;                /* Type 4 structures */
    unsigned cores_per_socket, threads_per_core;
    uint32_t cpuid_1_eax, cpuid_1_edx;   /* Type 4 processor ID */
    uint64_t ram_below_4g, ram_above_4g; /* bytes; RAM above 4 GiB at 4G */
} SmbiosConfig;

typedef struct SmbiosTables {
    uint8_t *data;                   /* g_free() */
    size_t len;
    unsigned count;                  /* structures, incl. the end one */
    size_t max_struct;               /* largest structure, with strings */
} SmbiosTables;

/* Build every structure, ending with Type 127. opts may be NULL. */
void smbios_build(const SmbiosConfig *cfg, const SmbiosOptions *opts,
                  SmbiosTables *out);

/* The 32-bit "_SM_"/"_DMI_" entry point (SMBIOS 2.1+), checksums set;
 * false if the table is too large for it (64 KiB). */
bool smbios_entry_point_21(uint8_t ep[SMBIOS_EP21_LEN],
                           const SmbiosConfig *cfg, const SmbiosTables *t,
                           uint32_t table_addr);
/* The 64-bit "_SM3_" entry point (SMBIOS 3.0+), checksum set. */
void smbios_entry_point_30(uint8_t ep[SMBIOS_EP30_LEN],
                           const SmbiosConfig *cfg, const SmbiosTables *t,
                           uint64_t table_addr);

/* fw_cfg etc/smbios/smbios-tables and etc/smbios/smbios-anchor (a 2.1
 * entry point, table address 0: the firmware places the tables). */
struct FWCfgState;
bool smbios_add_fw_cfg(struct FWCfgState *fw, const SmbiosConfig *cfg,
                       const SmbiosOptions *opts, GError **errp);
/* For direct boot: a 3.0 entry point, a 2.1 one (version 2.8) at +0x20
 * and the tables at +0x40, to be
 * written at guest address addr (16-byte aligned) in at most max bytes;
 * g_free() it. NULL + errp if it does not fit. */
uint8_t *smbios_build_blob(const SmbiosConfig *cfg, const SmbiosOptions *opts,
                           uint64_t addr, size_t max, size_t *len,
                           GError **errp);

#endif
