/*
 * The pc board's firmware: the BIOS ROM below 4 GiB and the PAM-controlled
 * BIOS segments below 1 MiB (see include/hw/i386/pc-firmware.h).
 *
 * PAM (82441FX datasheet, PAM0-PAM6): 13 segments, 0xf0000-0xfffff (PAM0
 * bits 5:4) and 0xc0000-0xeffff in 16 KiB pieces (low nibble, then high
 * nibble, of PAM1..PAM6). Per nibble: bit 0 RE (reads from DRAM), bit 1
 * WE (writes to DRAM). Each segment has two overlays above the RAM:
 *   - "rom": the image's bytes at that address (only inside the isa-bios
 *     window), shown while RE is clear; writes to it are dropped;
 *   - "ram-ro": the RAM itself, read-only, shown while RE is set and WE
 *     is clear.
 * With RE and WE set neither is shown and the plain RAM is there. Write-
 * only mode (RE clear, WE set: reads from ROM, writes to RAM) reads the
 * ROM and drops writes: SeaBIOS never uses it.
 */
#include "hw/i386/pc-firmware.h"
#include "util/ldst.h"

#include "hw/boards.h"
#include "hw/nvram/option-rom.h"
#include "hw/pci-host/i440fx.h"
#include "system/runstate.h"
#include "util/cutils.h"
#include "util/error.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#define PAM_SEGMENTS 13
#define PAM_RE 0x1
#define PAM_WE 0x2
#define ONE_MIB 0x100000u

typedef struct PamSegment {
    hwaddr base;
    uint64_t size;
    MemoryRegion rom, ram_ro;
    bool has_rom, has_ram;
} PamSegment;

typedef struct PCFirmware {
    MemoryRegion bios;
    uint64_t bios_size, isa_size;
    PamSegment seg[PAM_SEGMENTS];
} PCFirmware;

static PCFirmware firmware;

static const char *const firmware_dirs[] = {
    "/usr/share/seabios",
    "/usr/share/qemu",
};

char *pc_firmware_find(const char *name)
{
    if (strchr(name, '/') || g_file_test(name, G_FILE_TEST_EXISTS)) {
        return g_strdup(name);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(firmware_dirs); i++) {
        char *p = g_build_filename(firmware_dirs[i], name, NULL);
        if (g_file_test(p, G_FILE_TEST_IS_REGULAR)) {
            return p;
        }
        g_free(p);
    }
    return g_strdup(name);
}

bool pc_firmware_size_ok(uint64_t size)
{
    return size && size % 0x10000 == 0 && size <= PC_FIRMWARE_MAX_SIZE;
}

static void pam_segment_geometry(unsigned i, hwaddr *base, uint64_t *size)
{
    if (i == 0) {
        *base = 0xf0000;
        *size = 0x10000;
    } else {
        *base = 0xc0000 + (hwaddr)(i - 1) * 0x4000;
        *size = 0x4000;
    }
}

static unsigned pam_nibble(const uint8_t *pam, unsigned i)
{
    if (i == 0) {
        return (pam[0] >> 4) & 3;
    }
    return (pam[(i + 1) / 2] >> ((i - 1) & 1 ? 4 : 0)) & 3;
}

static void pc_firmware_pam_update(void *opaque, const uint8_t *pam)
{
    PCFirmware *fw = opaque;

    memory_region_transaction_begin();
    for (unsigned i = 0; i < PAM_SEGMENTS; i++) {
        PamSegment *s = &fw->seg[i];
        unsigned mode = pam_nibble(pam, i);
        bool re = mode & PAM_RE, we = mode & PAM_WE;
        if (s->has_rom) {
            memory_region_set_enabled(&s->rom, !re);
        }
        if (s->has_ram) {
            memory_region_set_enabled(&s->ram_ro, re && !we);
        }
    }
    memory_region_transaction_commit();
}

bool pc_firmware_boot_order(const char *order, uint8_t *cmos3d,
                            uint8_t *cmos38, GError **errp)
{
    uint8_t dev[3] = { 0 };
    size_t n = 0;

    if (!order) {
        order = "cad";
    }
    for (const char *p = order; *p; p++) {
        uint8_t code;
        switch (*p) {
        case 'a':
        case 'b':
            code = 1;
            break;
        case 'c':
            code = 2;
            break;
        case 'd':
            code = 3;
            break;
        case 'n':
            code = 4;
            break;
        default:
            error_setg(errp, "Invalid boot device for PC: '%c'", *p);
            return false;
        }
        if (n == G_N_ELEMENTS(dev)) {
            error_setg(errp, "Too many boot devices for PC");
            return false;
        }
        dev[n++] = code;
    }
    *cmos3d = dev[1] << 4 | dev[0];
    *cmos38 = dev[2] << 4;
    return true;
}

static bool pc_firmware_read(const char *name, gchar **data, gsize *len)
{
    g_autofree char *path = pc_firmware_find(name);
    GStatBuf st;
    /* size first: never read a huge file only to refuse it */
    if (g_stat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
        !pc_firmware_size_ok(st.st_size) ||
        !g_file_get_contents(path, data, len, NULL)) {
        return false;
    }
    if (!pc_firmware_size_ok(*len)) {
        g_free(*data);
        *data = NULL;
        return false;
    }
    return true;
}

bool pc_firmware_init(const char *name, MemoryRegion *sysmem,
                      MemoryRegion *ram, PCIBus *bus, GError **errp)
{
    PCFirmware *fw = &firmware;
    g_autofree gchar *data = NULL;
    gsize len = 0;

    if (!name) {
        name = PC_FIRMWARE_DEFAULT;
    }
    if (!pc_firmware_read(name, &data, &len)) {
        error_setg(errp, "could not load PC BIOS '%s'", name);
        return false;
    }
    if (!memory_region_init_rom(&fw->bios, NULL, "pc.bios", len, errp)) {
        return false;
    }
    memcpy(memory_region_get_ram_ptr(&fw->bios), data, len);
    fw->bios_size = len;
    fw->isa_size = MIN((uint64_t)len, PC_ISA_BIOS_MAX_SIZE);

    memory_region_transaction_begin();
    memory_region_add_subregion(sysmem, 0x100000000ull - len, &fw->bios);
    hwaddr isa_base = ONE_MIB - fw->isa_size;
    for (unsigned i = 0; i < PAM_SEGMENTS; i++) {
        PamSegment *s = &fw->seg[i];
        pam_segment_geometry(i, &s->base, &s->size);
        if (s->base >= isa_base) {
            /* the image's last isa_size bytes end at 1 MiB */
            s->has_rom = true;
            memory_region_init_alias(&s->rom, NULL, "isa-bios", &fw->bios,
                                     len - (ONE_MIB - s->base), s->size);
            memory_region_add_subregion_overlap(sysmem, s->base, &s->rom, 1);
        }
        if (s->base + s->size > memory_region_size(ram)) {
            continue;            /* -m below 1 MiB: no RAM to shadow */
        }
        s->has_ram = true;
        memory_region_init_alias(&s->ram_ro, NULL, "pam-ram", ram, s->base,
                                 s->size);
        memory_region_set_readonly(&s->ram_ro, true);
        memory_region_set_enabled(&s->ram_ro, false);
        memory_region_add_subregion_overlap(sysmem, s->base, &s->ram_ro, 1);
    }
    memory_region_transaction_commit();
    /* PAM all zero until the BIOS writes it: reads from the ROM */
    i440fx_set_pam_notify(bus, pc_firmware_pam_update, fw);
    return true;
}

/* ---- ACPI tables through fw_cfg (QEMU's BIOS linker/loader) ----------- */

#define LOADER_ENTRY_SIZE 128
#define LOADER_FILE_LEN 56
#define LOADER_ALLOCATE 1
#define LOADER_ADD_POINTER 2
#define LOADER_ADD_CHECKSUM 3
#define LOADER_ZONE_HIGH 1
#define LOADER_ZONE_FSEG 2
#define ACPI_RSDP_FILE "etc/acpi/rsdp"
#define ACPI_TABLES_FILE "etc/acpi/tables"
#define ACPI_BUILD_MAX 0x10000
#define ACPI_HDR 36

static uint8_t *loader_entry(GByteArray *ld, uint32_t command)
{
    uint8_t e[LOADER_ENTRY_SIZE] = { 0 };
    stl_le_p(e, command);
    g_byte_array_append(ld, e, sizeof(e));
    return ld->data + ld->len - LOADER_ENTRY_SIZE;
}

static void loader_allocate(GByteArray *ld, const char *file, uint32_t align,
                            uint8_t zone)
{
    uint8_t *e = loader_entry(ld, LOADER_ALLOCATE);
    g_strlcpy((char *)e + 4, file, LOADER_FILE_LEN);
    stl_le_p(e + 4 + LOADER_FILE_LEN, align);
    e[8 + LOADER_FILE_LEN] = zone;
}

/* The 4-byte pointer at @offset in @dest gets @src's address added. */
static void loader_add_pointer(GByteArray *ld, const char *dest,
                               const char *src, uint32_t offset)
{
    uint8_t *e = loader_entry(ld, LOADER_ADD_POINTER);
    g_strlcpy((char *)e + 4, dest, LOADER_FILE_LEN);
    g_strlcpy((char *)e + 4 + LOADER_FILE_LEN, src, LOADER_FILE_LEN);
    stl_le_p(e + 4 + 2 * LOADER_FILE_LEN, offset);
    e[8 + 2 * LOADER_FILE_LEN] = 4;
}

static void loader_add_checksum(GByteArray *ld, const char *file,
                                uint32_t csum_off, uint32_t start,
                                uint32_t len)
{
    uint8_t *e = loader_entry(ld, LOADER_ADD_CHECKSUM);
    g_strlcpy((char *)e + 4, file, LOADER_FILE_LEN);
    stl_le_p(e + 4 + LOADER_FILE_LEN, csum_off);
    stl_le_p(e + 8 + LOADER_FILE_LEN, start);
    stl_le_p(e + 12 + LOADER_FILE_LEN, len);
}

/* A table at blob offset @off (blob of @len bytes) with its whole header
 * inside: its length, or 0 if it does not fit. */
static uint32_t table_len(const uint8_t *blob, uint32_t len, uint32_t off)
{
    if (off < ACPI_HDR || off > len - ACPI_HDR) {
        return 0;
    }
    uint32_t tl = ldl_le_p(blob + off + 4);
    return tl >= ACPI_HDR && tl <= len - off ? tl : 0;
}

/* Make the pointer at @at (a blob offset) relative to the tables file
 * (which starts at blob offset @base) and tell the loader to patch it. */
static bool relocate(GByteArray *ld, uint8_t *blob, uint32_t len,
                     uint32_t base, uint32_t at)
{
    uint32_t v = ldl_le_p(blob + at);
    if (v < base || v >= len) {
        return false;
    }
    stl_le_p(blob + at, v - base);
    loader_add_pointer(ld, ACPI_TABLES_FILE, ACPI_TABLES_FILE, at - base);
    return true;
}

/* Add a file, or replace its bytes when the tables are built again. */
static bool acpi_file_set(FWCfgState *fw, const char *name, const void *data,
                          size_t len, GError **errp)
{
    if (fw_cfg_file_key(fw, name) >= 0) {
        return fw_cfg_modify_file(fw, name, data, len);
    }
    return fw_cfg_add_file(fw, name, data, len, errp);
}

/*
 * acpi_build_tables() at base 0 puts the 20-byte ACPI 1.0 RSDP first and
 * the other tables after it (the FACS first, 64-byte aligned), with
 * absolute pointers: RSDP -> RSDT -> each table, FADT -> FACS and DSDT.
 * Split it into the two files and express each pointer as a loader
 * ADD_POINTER, then have every changed table's checksum redone.
 */
bool pc_firmware_acpi_fw_cfg(FWCfgState *fw, const AcpiBuildConfig *cfg,
                             GError **errp)
{
    g_autofree uint8_t *blob = g_malloc0(ACPI_BUILD_MAX);
    size_t built = acpi_build_tables(blob, ACPI_BUILD_MAX, 0, cfg);
    g_autoptr(GByteArray) ld = g_byte_array_new();
    uint32_t len = built;
    uint32_t base = 64;          /* the FACS, 64-byte aligned */

    if (!built || len <= base || memcmp(blob, "RSD PTR ", 8)) {
        error_setg(errp, "ACPI tables: unexpected layout");
        return false;
    }
    loader_allocate(ld, ACPI_TABLES_FILE, 64, LOADER_ZONE_HIGH);
    loader_allocate(ld, ACPI_RSDP_FILE, 16, LOADER_ZONE_FSEG);

    uint32_t rsdt = ldl_le_p(blob + 16);
    uint32_t rsdt_len = table_len(blob, len, rsdt);
    if (rsdt < base || !rsdt_len || memcmp(blob + rsdt, "RSDT", 4)) {
        error_setg(errp, "ACPI tables: no RSDT");
        return false;
    }
    for (uint32_t at = rsdt + ACPI_HDR; at + 4 <= rsdt + rsdt_len; at += 4) {
        uint32_t t = ldl_le_p(blob + at);
        uint32_t tl = table_len(blob, len, t);
        if (!tl || !relocate(ld, blob, len, base, at)) {
            error_setg(errp, "ACPI tables: bad RSDT entry");
            return false;
        }
        if (!memcmp(blob + t, "FACP", 4) && tl >= 44) {
            if (!relocate(ld, blob, len, base, t + 36) ||     /* FACS */
                !relocate(ld, blob, len, base, t + 40)) {     /* DSDT */
                error_setg(errp, "ACPI tables: bad FADT pointers");
                return false;
            }
            loader_add_checksum(ld, ACPI_TABLES_FILE, t - base + 9, t - base,
                                tl);
        }
    }
    loader_add_checksum(ld, ACPI_TABLES_FILE, rsdt - base + 9, rsdt - base,
                        rsdt_len);
    /* the RSDP's RSDT address, then its checksum (byte 8 over 20 bytes) */
    stl_le_p(blob + 16, rsdt - base);
    uint8_t *e = loader_entry(ld, LOADER_ADD_POINTER);
    g_strlcpy((char *)e + 4, ACPI_RSDP_FILE, LOADER_FILE_LEN);
    g_strlcpy((char *)e + 4 + LOADER_FILE_LEN, ACPI_TABLES_FILE,
              LOADER_FILE_LEN);
    stl_le_p(e + 4 + 2 * LOADER_FILE_LEN, 16);
    e[8 + 2 * LOADER_FILE_LEN] = 4;
    loader_add_checksum(ld, ACPI_RSDP_FILE, 8, 0, 20);

    return acpi_file_set(fw, ACPI_TABLES_FILE, blob + base, len - base,
                         errp) &&
           acpi_file_set(fw, ACPI_RSDP_FILE, blob, 20, errp) &&
           acpi_file_set(fw, "etc/table-loader", ld->data, ld->len, errp);
}

/* ---- boot configuration through fw_cfg -------------------------------- */

static bool boot_strict;

/* "bootorder" from the boot device list; the devices created after the
 * board (-device) are in it by the time the vCPUs first run, and those
 * plugged later by the next reset. */
static void pc_firmware_bootorder_update(FWCfgState *fw)
{
    size_t len;
    g_autofree uint8_t *list = fw_cfg_boot_list(boot_strict, &len);
    fw_cfg_modify_file(fw, "bootorder", list ? list : (uint8_t *)"", len);
}

static void pc_firmware_vm_state(void *opaque, bool running, RunState state)
{
    if (running) {
        pc_firmware_bootorder_update(opaque);
    }
}

/* at each reset too: a device plugged since boots with the next boot */
static void pc_firmware_bootorder_reset(void *opaque)
{
    pc_firmware_bootorder_update(opaque);
}

/* -option-rom FILE[,bootindex=N]: fw_cfg "genroms/<basename>", which
 * SeaBIOS copies below 1 MiB and runs; the path in the boot list is
 * "/rom@genroms/<basename>". */
static bool pc_firmware_option_roms(FWCfgState *fw, const GPtrArray *roms,
                                    GError **errp)
{
    for (guint i = 0; roms && i < roms->len; i++) {
        const KeyvalList *kv = g_ptr_array_index(roms, i);
        const char *file = keyval_get(kv, "romfile");
        const char *bi = keyval_get(kv, "bootindex");
        int64_t bootindex = -1;
        g_autofree uint8_t *data = NULL;
        size_t len;

        if (bi && (parse_int64(bi, 10, &bootindex) < 0 ||
                   bootindex > INT32_MAX || bootindex < INT32_MIN)) {
            error_setg(errp, "Parameter 'bootindex' expects a number");
            return false;
        }
        if (!option_rom_load(file, OPTION_ROM_MAX_SIZE,
                             OPTION_ROM_STYLE_OPTION, &data, &len, errp)) {
            return false;
        }
        g_autofree char *base = g_path_get_basename(file);
        g_autofree char *name = g_strdup_printf("genroms/%s", base);
        GError *local = NULL;
        if (!fw_cfg_add_file(fw, name, data, len, &local)) {
            /* QEMU's words, without fw_cfg's "fw_cfg: " */
            const char *m = local->message;
            error_setg(errp, "%s", g_str_has_prefix(m, "fw_cfg: ") ? m + 8
                                                                   : m);
            g_error_free(local);
            return false;
        }
        g_autofree char *path = g_strdup_printf("/rom@%s", name);
        fw_cfg_boot_add(bootindex, path);
    }
    return true;
}

/* -fw_cfg name=...: the user's files, after the board's own (a clash
 * with one of those is an error, as in QEMU) */
bool pc_firmware_user_fw_cfg(FWCfgState *fw, const MachineOptions *o,
                             GError **errp)
{
    const GPtrArray *files = o->fw_cfg_files;

    for (guint i = 0; files && i < files->len; i++) {
        const FwCfgUserFile *f = g_ptr_array_index(files, i);
        GError *local = NULL;
        if (!fw_cfg_add_file(fw, f->name, f->data, f->len, &local)) {
            const char *m = local->message;
            error_setg(errp, "-fw_cfg %s: %s", f->origin,
                       g_str_has_prefix(m, "fw_cfg: ") ? m + 8 : m);
            g_error_free(local);
            return false;
        }
    }
    return true;
}

/*
 * -boot splash=FILE: a JPEG or 24-bit BMP picture SeaBIOS shows with its
 * boot menu (when there is a display), as fw_cfg bootsplash.jpg/.bmp.
 * Like QEMU, a missing or unusable file is reported and boot goes on.
 */
static bool pc_firmware_splash(FWCfgState *fw, const char *name,
                               GError **errp)
{
    g_autofree char *path = pc_firmware_find(name);
    g_autofree gchar *data = NULL;
    gsize len = 0;
    GStatBuf st;

    if (g_stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
        error_report("failed to find file '%s'", name);
        return true;
    }
    if ((uint64_t)st.st_size > PC_FIRMWARE_MAX_SIZE ||
        !g_file_get_contents(path, &data, &len, NULL)) {
        error_report("failed to read splash file '%s'", path);
        return true;
    }
    const uint8_t *p = (const uint8_t *)data;
    const char *file = NULL;
    if (len >= 2 && p[0] == 0xff && p[1] == 0xd8) {
        file = "bootsplash.jpg";
    } else if (len >= 30 && p[0] == 'B' && p[1] == 'M' &&
               (p[28] | p[29] << 8) == 24) {
        file = "bootsplash.bmp";
    }
    if (!file) {
        error_report("splash file '%s' format not recognized; must be JPEG "
                     "or 24 bit BMP", path);
        return true;
    }
    return fw_cfg_add_file(fw, file, data, len, errp);
}

bool pc_firmware_boot_fw_cfg(FWCfgState *fw, const MachineOptions *o,
                             GError **errp)
{
    const KeyvalList *boot = o->boot;
    const char *v;
    int64_t n;

    if (!pc_firmware_option_roms(fw, o->option_roms, errp)) {
        return false;
    }
    if (o->kernel && o->option_roms && o->option_roms->len) {
        /* checked and in fw_cfg, but no firmware runs to start them */
        warn_report("-option-rom is ignored with -kernel: kvmu boots the "
                    "kernel directly");
    }
    /* menu=on: SeaBIOS's "Press ESC for boot menu." (its
     * etc/show-boot-menu comes from FW_CFG_BOOT_MENU) */
    fw_cfg_add_i16(fw, FW_CFG_BOOT_MENU, o->boot_menu);
    v = boot ? keyval_get(boot, "splash-time") : NULL;
    if (v) {
        if (parse_int64(v, 10, &n) < 0 || n < 0 || n > 0xffff) {
            error_setg(errp, "splash-time is invalid, it should be a value "
                       "between 0 and 65535");
            return false;
        }
        /* how long the menu prompt waits (ms), little-endian u16 */
        uint16_t wait = GUINT16_TO_LE((uint16_t)n);
        if (!fw_cfg_add_file(fw, "etc/boot-menu-wait", &wait, 2, errp)) {
            return false;
        }
    }
    v = boot ? keyval_get(boot, "splash") : NULL;
    if (v && !pc_firmware_splash(fw, v, errp)) {
        return false;
    }
    /* SeaBIOS's wait after "No bootable device." (ms; -1: none) */
    uint32_t fail_wait = UINT32_MAX;
    v = boot ? keyval_get(boot, "reboot-timeout") : NULL;
    if (v) {
        if (parse_int64(v, 10, &n) < 0 || n < -1 || n > 0xffff) {
            error_setg(errp, "reboot timeout is larger than 65535, "
                       "or is negative but not -1");
            return false;
        }
        fail_wait = (uint32_t)n;
    }
    fail_wait = GUINT32_TO_LE(fail_wait);
    if (!fw_cfg_add_file(fw, "etc/boot-fail-wait", &fail_wait, 4, errp)) {
        return false;
    }
    /* strict=on: "HALT" ends the list; no fallback to other devices */
    v = boot ? keyval_get(boot, "strict") : NULL;
    boot_strict = v && parse_bool(v, &boot_strict) && boot_strict;
    size_t len;
    g_autofree uint8_t *list = fw_cfg_boot_list(boot_strict, &len);
    if (!fw_cfg_add_file(fw, "bootorder", list ? list : (uint8_t *)"", len,
                         errp)) {
        return false;
    }
    qemu_add_vm_change_state_handler(pc_firmware_vm_state, fw);
    qemu_register_reset(pc_firmware_bootorder_reset, fw);
    return true;
}
