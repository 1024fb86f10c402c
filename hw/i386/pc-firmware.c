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

#include "hw/pci-host/i440fx.h"
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
    bool has_rom;
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
        memory_region_set_enabled(&s->ram_ro, re && !we);
    }
    memory_region_transaction_commit();
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

bool pc_firmware_acpi_fw_cfg(FWCfgState *fw, const AcpiBuildConfig *cfg,
                             GError **errp)
{
    return true;
}
