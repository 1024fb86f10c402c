/*
 * Whole command lines through cli_parse() + vm_config_finalize(): machine
 * type resolution (default, alias), -machine help format, accelerator
 * lists and conflicts, -nographic's implied serial, smp with the board's
 * limits, memory defaults.
 */
#include "cli/machine.h"
#include "cli/options.h"

#include "util/error.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static bool fake_init(const MachineOptions *o, GError **errp)
{
    return true;
}

static const MachineType fake_pc = {
    .name = "test-pc-1.0", .alias = "test-pc",
    .desc = "Standard PC (i440FX + PIIX, 1996)", .is_default = true,
    .init = fake_init, .default_ram_size = 128 << 20, .min_cpus = 1,
    .max_cpus = 255, .dies_supported = true, .default_cpu = "qemu64",
};

static VmConfig *parse(const char *line, bool *ok)
{
    g_auto(GStrv) words = g_strsplit(line, " ", -1);
    int argc = g_strv_length(words) + 1;
    char **argv = g_new0(char *, argc + 1);
    VmConfig *cfg = vm_config_new();
    int status;

    argv[0] = (char *)"kvmu-system-x86_64";
    for (int i = 1; i < argc; i++) {
        argv[i] = words[i - 1];
    }
    cli_help_printed = false;
    *ok = cli_parse(cfg, argc, argv, &status) && vm_config_finalize(cfg);
    g_free(argv);
    return cfg;
}

static void test_config_default_machine_and_alias(void)
{
    bool ok;
    VmConfig *cfg = parse("-m 1G", &ok);

    g_assert_true(ok);
    g_assert_cmpstr(cfg->machine_type, ==, "test-pc-1.0");
    g_assert_cmpuint(cfg->ram_size, ==, 1 << 30);
    g_assert_cmpuint(cfg->topology.cpus, ==, 1);
    vm_config_free(cfg);

    cfg = parse("-M test-pc -smp 4", &ok);
    g_assert_true(ok);
    g_assert_cmpstr(cfg->machine_type, ==, "test-pc-1.0");
    g_assert_cmpuint(cfg->ram_size, ==, 128 << 20);
    g_assert_cmpuint(cfg->topology.cores, ==, 4);
    vm_config_free(cfg);

    cfg = parse("-machine none", &ok);
    g_assert_true(ok);
    g_assert_cmpstr(cfg->machine_type, ==, "none");
    vm_config_free(cfg);
}

static void test_config_machine_help_format(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    machine_type_print_list(f);
    fclose(f);
    g_assert_cmpstr(buf, ==,
        "Supported machines are:\n"
        "none                 empty machine\n"
        "test-pc              Standard PC (i440FX + PIIX, 1996) "
        "(alias of test-pc-1.0)\n"
        "test-pc-1.0          Standard PC (i440FX + PIIX, 1996) (default)\n");
    free(buf);
}

static void test_config_accel_lists(void)
{
    bool ok;
    VmConfig *cfg = parse("-machine none,accel=kvm:tcg", &ok);

    g_assert_true(ok);
    g_assert_cmpuint(cfg->accels->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(cfg->accels, 0), ==, "kvm");
    vm_config_free(cfg);

    cfg = parse("-accel kvm -accel tcg,thread=single", &ok);
    g_assert_true(ok);
    g_assert_cmpuint(cfg->accels->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(cfg->accels, 1), ==, "tcg");
    vm_config_free(cfg);

    cfg = parse("", &ok);
    g_assert_true(ok);
    g_assert_cmpstr(g_ptr_array_index(cfg->accels, 0), ==, "tcg");
    vm_config_free(cfg);

    cfg = parse("-enable-kvm -machine accel=tcg", &ok);
    g_assert_false(ok);
    vm_config_free(cfg);
}

static void test_config_nographic_serial(void)
{
    bool ok;
    VmConfig *cfg = parse("-nographic", &ok);

    g_assert_true(ok);
    g_assert_cmpuint(cfg->serials->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(cfg->serials, 0), ==, "mon:stdio");
    g_assert_cmpstr(cfg->display, ==, "none");
    vm_config_free(cfg);

    cfg = parse("-nographic -monitor none", &ok);
    g_assert_true(ok);
    g_assert_cmpstr(g_ptr_array_index(cfg->serials, 0), ==, "stdio");
    g_assert_cmpuint(cfg->legacy_monitors->len, ==, 1);     /* "none" */
    vm_config_free(cfg);

    /* -serial given: the default monitor alone goes to stdio */
    cfg = parse("-nographic -serial null", &ok);
    g_assert_true(ok);
    g_assert_cmpuint(cfg->legacy_monitors->len, ==, 1);
    g_assert_cmpstr(((LegacyMonitor *)g_ptr_array_index(
                        cfg->legacy_monitors, 0))->spec, ==, "stdio");
    vm_config_free(cfg);

    /* no -nographic: a default serial port on "null" */
    cfg = parse("-display none", &ok);
    g_assert_true(ok);
    g_assert_cmpuint(cfg->serials->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(cfg->serials, 0), ==, "null");
    vm_config_free(cfg);

    cfg = parse("-display none -device isa-serial", &ok);
    g_assert_true(ok);
    g_assert_cmpuint(cfg->serials->len, ==, 0);
    vm_config_free(cfg);

    cfg = parse("-nographic -serial null", &ok);
    g_assert_true(ok);
    g_assert_cmpuint(cfg->serials->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(cfg->serials, 0), ==, "null");
    vm_config_free(cfg);

    cfg = parse("-nographic -nodefaults", &ok);
    g_assert_true(ok);
    g_assert_cmpuint(cfg->serials->len, ==, 0);
    vm_config_free(cfg);
}

static void test_config_bad_lines_fail(void)
{
    static const char *const bad[] = {
        "-machine q35",             /* not registered */
        "-smp 256",                 /* above the board's max_cpus */
        "-m 1G,maxmem=512M",
        "-m 1G,slots=2",
        "-mon chardev=nope",
        "-machine none -kernel bzImage",
        "-smp 4,dies=3",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        bool ok;
        VmConfig *cfg = parse(bad[i], &ok);
        if (ok) {
            g_test_message("'%s' was accepted", bad[i]);
            g_test_fail();
        }
        vm_config_free(cfg);
    }
}

static void test_config_repeated_machine_merges(void)
{
    bool ok;
    VmConfig *cfg = parse("-machine test-pc -machine usb=off,hpet=off", &ok);

    g_assert_true(ok);
    g_assert_cmpstr(keyval_get(cfg->machine, "type"), ==, "test-pc");
    g_assert_cmpstr(keyval_get(cfg->machine, "usb"), ==, "off");
    g_assert_cmpstr(keyval_get(cfg->machine, "hpet"), ==, "off");
    vm_config_free(cfg);
}

static void test_config_machine_long_forms(void)
{
    bool ok;
    VmConfig *cfg = parse("-machine test-pc,kernel=bz,append=console=ttyS0,"
                          "firmware=bios.bin -initrd rd", &ok);

    g_assert_true(ok);
    g_assert_cmpstr(cfg->kernel, ==, "bz");
    g_assert_cmpstr(cfg->append, ==, "console=ttyS0");
    g_assert_cmpstr(cfg->bios, ==, "bios.bin");
    g_assert_cmpstr(cfg->initrd, ==, "rd");
    g_assert_null(keyval_get(cfg->machine, "kernel"));
    vm_config_free(cfg);

    cfg = parse("-kernel a -machine kernel=b", &ok);
    g_assert_true(ok);
    g_assert_cmpstr(cfg->kernel, ==, "a");
    vm_config_free(cfg);
}

/*
 * Random command lines built from the option table with arguments from
 * the syntax's alphabet: parse + finalize must never crash or abort
 * (run under ASan in CI). Output is silenced meanwhile.
 */
static void test_config_random_command_lines(void)
{
    static const char *const pieces[] = {
        "", "on", "off", "help", "?", "1", "0", "4", "-1", "1G", "12Q", "x",
        "id=a", "id=", "a=b", ",", ",,", "=", "cpus=2", "sockets=2",
        "{\"driver\":1}", "{", "stdio", "none", "mon:stdio", "chardev=a",
        "kvm:tcg", "tcg", "type=none", "2006-06-17", "cd", "a.b=c",
    };
    GRand *rand = g_rand_new_with_seed(7);
    int saved_out = dup(1), saved_err = dup(2);
    int null = open("/dev/null", O_WRONLY);
    size_t nopts = 0;

    while (cli_options[nopts].name) {
        nopts++;
    }
    fflush(stdout);
    fflush(stderr);
    dup2(null, 1);
    dup2(null, 2);
    for (int iter = 0; iter < 3000; iter++) {
        GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
        g_ptr_array_add(argv, g_strdup("kvmu-system-x86_64"));
        int n = g_rand_int_range(rand, 0, 6);
        for (int i = 0; i < n; i++) {
            const CliOption *o = &cli_options[g_rand_int_range(rand, 0,
                                                                nopts)];
            g_ptr_array_add(argv, g_strdup_printf("-%s", o->name));
            if (o->args && g_rand_boolean(rand)) {
                GString *a = g_string_new(NULL);
                int parts = g_rand_int_range(rand, 1, 4);
                for (int k = 0; k < parts; k++) {
                    g_string_append(a, pieces[g_rand_int_range(
                                           rand, 0, G_N_ELEMENTS(pieces))]);
                }
                g_ptr_array_add(argv, g_string_free(a, FALSE));
            }
        }
        VmConfig *cfg = vm_config_new();
        int status;
        cli_help_printed = false;
        if (cli_parse(cfg, argv->len, (char **)argv->pdata, &status)) {
            vm_config_finalize(cfg);
        }
        vm_config_free(cfg);
        g_ptr_array_unref(argv);
    }
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    close(null);
    error_set_timestamps(false);    /* -msg may have turned it on */
    g_rand_free(rand);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    cli_register_opt_groups();
    /* only "none" and a fake board: independent of the real boards */
    machine_type_register(&fake_pc);
    g_test_add_func("/cli-config/default-machine-and-alias",
                    test_config_default_machine_and_alias);
    g_test_add_func("/cli-config/machine-help-format",
                    test_config_machine_help_format);
    g_test_add_func("/cli-config/accel-lists", test_config_accel_lists);
    g_test_add_func("/cli-config/nographic-serial",
                    test_config_nographic_serial);
    g_test_add_func("/cli-config/bad-lines-fail", test_config_bad_lines_fail);
    g_test_add_func("/cli-config/repeated-machine-merges",
                    test_config_repeated_machine_merges);
    g_test_add_func("/cli-config/random-command-lines",
                    test_config_random_command_lines);
    g_test_add_func("/cli-config/machine-long-forms",
                    test_config_machine_long_forms);
    return g_test_run();
}
