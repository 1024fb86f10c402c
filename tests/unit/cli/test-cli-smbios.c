/*
 * -smbios on the command line: accepted forms reach the settings the
 * board reads (cli_smbios_options()), bad ones stop parsing with QEMU's
 * "PROG: -smbios ARG: message" line, and -h lists the option.
 */
#include "cli/machine.h"
#include "cli/options.h"
#include "hw/smbios/smbios.h"

#include <string.h>

static bool fake_init(const MachineOptions *o, GError **errp)
{
    return true;
}

static const MachineType fake_pc = {
    .name = "test-pc-1.0", .alias = "test-pc", .desc = "test board",
    .is_default = true, .init = fake_init, .default_ram_size = 128 << 20,
    .min_cpus = 1, .max_cpus = 255, .default_cpu = "qemu64",
};

static uint8_t parsed_uuid[16];
static bool parsed_has_uuid;

static bool parse(const char *line)
{
    g_auto(GStrv) words = g_strsplit(line, " ", -1);
    int argc = g_strv_length(words) + 1;
    g_autofree char **argv = g_new0(char *, argc + 1);
    VmConfig *cfg = vm_config_new();
    int status;

    argv[0] = (char *)"kvmu-system-x86_64";
    for (int i = 1; i < argc; i++) {
        argv[i] = words[i - 1];
    }
    bool ok = cli_parse(cfg, argc, argv, &status) && vm_config_finalize(cfg);
    memcpy(parsed_uuid, cfg->uuid, 16);
    parsed_has_uuid = cfg->has_uuid;
    vm_config_free(cfg);
    return ok;
}

static void test_smbios_accepted(void)
{
    g_assert_null(cli_smbios_options());
    g_assert_true(parse("-smbios type=1,serial=kvmu-test-123,"
                        "uuid=12345678-1234-5678-9abc-def012345678 "
                        "-smbios type=11,value=a,value=b "
                        "-smbios type=17,loc_pfx=Slot"));
    const SmbiosOptions *o = cli_smbios_options();
    g_assert_nonnull(o);
    g_assert_true(smbios_options_have_type(o, 1));
    g_assert_true(smbios_options_have_type(o, 11));
    g_assert_true(smbios_options_have_type(o, 17));
    g_assert_false(smbios_options_have_type(o, 0));
    g_assert_true(parsed_has_uuid);
    g_assert_cmphex(parsed_uuid[0], ==, 0x12);
    g_assert_cmphex(parsed_uuid[15], ==, 0x78);

    /* with -uuid: the later one is the machine's UUID, as QEMU */
    g_assert_true(parse("-uuid 11111111-1111-1111-1111-111111111111 "
                        "-smbios type=1,uuid=22222222-2222-2222-2222-"
                        "222222222222"));
    g_assert_cmphex(parsed_uuid[0], ==, 0x22);
    g_assert_true(parse("-smbios type=1,uuid=22222222-2222-2222-2222-"
                        "222222222222 -uuid "
                        "11111111-1111-1111-1111-111111111111"));
    g_assert_cmphex(parsed_uuid[0], ==, 0x11);
    g_assert_true(parse("-smbios type=1,serial=x"));
    g_assert_false(parsed_has_uuid);
}

static void test_smbios_errors(void)
{
    static const char *const bad[][2] = {
        { "-smbios type=1,foo=bar",
          "*: -smbios type=1,foo=bar: Invalid parameter "
          "'foo'\n" },
        { "-smbios type=7", "*: -smbios type=7: Don't know "
          "how to build fields for SMBIOS type 7\n" },
        { "-smbios serial=x", "*: -smbios serial=x: Must "
          "specify type= or file=\n" },
        { "-smbios type=4,max-speed=65536", "*: -smbios "
          "type=4,max-speed=65536: SMBIOS CPU speed is too large (> "
          "65535)\n" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        if (g_test_subprocess()) {
            /* the child runs one line, chosen by the environment */
            const char *which = g_getenv("SMBIOS_CASE");
            if (which && atoi(which) == (int)i) {
                exit(parse(bad[i][0]) ? 0 : 1);
            }
            continue;
        }
        g_autofree char *n = g_strdup_printf("%zu", i);
        g_setenv("SMBIOS_CASE", n, true);
        g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
        g_test_trap_assert_failed();
        g_test_trap_assert_stderr(bad[i][1]);
    }
}

static void test_smbios_help(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cli_print_help(f);
    fclose(f);
    g_assert_nonnull(strstr(buf, "-smbios type=0|1|2|3|4|8|11|17"));
    free(buf);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    cli_register_opt_groups();
    machine_type_register(&fake_pc);
    g_test_add_func("/cli-smbios/accepted", test_smbios_accepted);
    g_test_add_func("/cli-smbios/errors", test_smbios_errors);
    g_test_add_func("/cli-smbios/help", test_smbios_help);
    return g_test_run();
}
