/*
 * -smbios type=N,key=value,... | file=BINARY: checked and collected
 * here (hw/smbios/smbios-opts.c knows the keys); the board builds the
 * tables from them (MachineOptions.smbios).
 */
#include "cli/options.h"
#include "hw/smbios/smbios.h"

#include <string.h>

static SmbiosOptions *cli_smbios;

const SmbiosOptions *cli_smbios_options(void)
{
    return cli_smbios;
}

bool opt_smbios(VmConfig *cfg, const char *arg, GError **errp)
{
    if (!cli_smbios) {
        cli_smbios = smbios_options_new();
    }
    if (!smbios_options_add(cli_smbios, arg, errp)) {
        return false;
    }
    /* as QEMU: type=1,uuid= is the machine's UUID too (-uuid, fw_cfg,
     * query-uuid); the later of it and -uuid wins */
    g_autoptr(KeyvalList) kv = keyval_parse(arg, NULL, 0, NULL);
    const char *uuid = kv ? keyval_get(kv, "uuid") : NULL;
    if (uuid && !g_strcmp0(keyval_get(kv, "type"), "1") &&
        cli_parse_uuid(uuid, cfg->uuid)) {
        cfg->has_uuid = true;
    }
    return true;
}
