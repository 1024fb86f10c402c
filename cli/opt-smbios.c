/*
 * -smbios type=N,key=value,... | file=BINARY: checked and collected
 * here (hw/smbios/smbios-opts.c knows the keys); the board builds the
 * tables from them (MachineOptions.smbios).
 */
#include "cli/options.h"
#include "hw/smbios/smbios.h"

static SmbiosOptions *cli_smbios;

const SmbiosOptions *cli_smbios_options(void)
{
    return cli_smbios;
}

bool opt_smbios(VmConfig *cfg, const char *arg, GError **errp)
{
    (void)cfg;
    if (!cli_smbios) {
        cli_smbios = smbios_options_new();
    }
    return smbios_options_add(cli_smbios, arg, errp);
}
