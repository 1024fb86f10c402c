/*
 * Handing the SMBIOS tables to the guest: as the fw_cfg files a
 * firmware reads (SeaBIOS: etc/smbios/smbios-anchor, a 2.1 entry point
 * whose table address it fills in, and etc/smbios/smbios-tables), or as
 * one blob for a board without firmware to copy into the BIOS area
 * (direct kernel boot), where Linux's DMI scan finds the 16-byte
 * aligned "_SM3_" anchor between 0xf0000 and 0xfffff (and older
 * software the "_SM_" one after it).
 */
#include "hw/smbios/smbios.h"
#include "hw/nvram/fw_cfg.h"
#include "util/error.h"

#include <string.h>

bool smbios_add_fw_cfg(FWCfgState *fw, const SmbiosConfig *cfg,
                       const SmbiosOptions *opts, GError **errp)
{
    SmbiosTables t;
    uint8_t ep[SMBIOS_EP21_LEN];
    bool ok;

    smbios_build(cfg, opts, &t);
    if (!smbios_entry_point_21(ep, cfg, &t, 0)) {
        error_setg(errp, "SMBIOS tables too large (%zu bytes) for the "
                   "2.1 entry point", t.len);
        g_free(t.data);
        return false;
    }
    ok = fw_cfg_add_file(fw, "etc/smbios/smbios-tables", t.data, t.len,
                         errp) &&
         fw_cfg_add_file(fw, "etc/smbios/smbios-anchor", ep, sizeof(ep),
                         errp);
    g_free(t.data);
    return ok;
}

uint8_t *smbios_build_blob(const SmbiosConfig *cfg, const SmbiosOptions *opts,
                           uint64_t addr, size_t max, size_t *len,
                           GError **errp)
{
    /* the 3.0 anchor, then a 2.1 one for software that only knows it
     * (Linux before 3.19, scanners of /dev/mem), each 16-byte aligned */
    enum { EP21_OFF = 0x20, TABLES_OFF = 0x40 };
    SmbiosConfig cfg21 = *cfg;
    SmbiosTables t;

    smbios_build(cfg, opts, &t);
    if (TABLES_OFF + t.len > max) {
        error_setg(errp, "SMBIOS tables too large (%zu bytes, room for "
                   "%zu)", t.len, max - MIN(max, TABLES_OFF));
        g_free(t.data);
        return NULL;
    }
    uint8_t *blob = g_malloc0(TABLES_OFF + t.len);
    smbios_entry_point_30(blob, cfg, &t, addr + TABLES_OFF);
    cfg21.major = MIN(cfg->major, 2);
    cfg21.minor = cfg->major > 2 ? 8 : cfg->minor;
    if (addr + TABLES_OFF > UINT32_MAX ||
        !smbios_entry_point_21(blob + EP21_OFF, &cfg21, &t,
                               addr + TABLES_OFF)) {
        memset(blob + EP21_OFF, 0, SMBIOS_EP21_LEN);  /* only 3.0 then */
    }
    memcpy(blob + TABLES_OFF, t.data, t.len);
    *len = TABLES_OFF + t.len;
    g_free(t.data);
    return blob;
}
