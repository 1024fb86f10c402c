/*
 * util/opts: the option-group registry behind query-command-line-options,
 * and the groups the command line registers (what libvirt probes).
 */
#include "cli/options.h"
#include "util/opts.h"

#include <string.h>

static const OptParam demo_params[] = {
    { "flag", OPT_TYPE_BOOL, NULL, NULL },
    { "count", OPT_TYPE_NUMBER, NULL, NULL },
    { "len", OPT_TYPE_SIZE, NULL, NULL },
    { "name", OPT_TYPE_STRING, NULL, NULL },
    { NULL, 0, NULL, NULL },
};
static const OptGroup demo = { "demo", demo_params };

static void test_opts_check_table(void)
{
    static const struct {
        const char *arg;
        const char *error;
    } cases[] = {
        { "flag=on,count=3,len=4k,name=x", NULL },
        { "flag=yes,count=0x10", NULL },
        { "bogus=1", "Invalid parameter 'bogus'" },
        { "flag=maybe", "Parameter 'flag' expects 'on' or 'off'" },
        { "flag=maybe,flag=on", "Parameter 'flag' expects 'on' or 'off'" },
        { "count=x", "Parameter 'count' expects a number" },
        { "count=-1", "Parameter 'count' expects a number" },
        { "len=1Q", "Parameter 'len' expects a non-negative number below "
          "2^64" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        GError *err = NULL;
        KeyvalList *kv = keyval_parse(cases[i].arg, NULL, 0, NULL);
        bool ok = opts_check(&demo, kv, &err);

        if (cases[i].error) {
            g_assert_false(ok);
            g_assert_cmpstr(err->message, ==, cases[i].error);
        } else {
            g_assert_no_error(err);
            g_assert_true(ok);
        }
        g_clear_error(&err);
        keyval_free(kv);
    }
}

static void test_opts_registry(void)
{
    opts_reset_for_test();
    g_assert_null(opts_group_find("demo"));
    opts_group_register(&demo);
    g_assert_true(opts_group_find("demo") == &demo);
    g_assert_cmpuint(opts_groups()->len, ==, 1);
    g_assert_cmpint(opts_group_param(&demo, "len")->type, ==, OPT_TYPE_SIZE);
    g_assert_null(opts_group_param(&demo, "nope"));
    g_assert_cmpstr(opt_type_name(OPT_TYPE_BOOL), ==, "boolean");
    g_assert_cmpstr(opt_type_name(OPT_TYPE_NUMBER), ==, "number");
    g_assert_cmpstr(opt_type_name(OPT_TYPE_SIZE), ==, "size");
    g_assert_cmpstr(opt_type_name(OPT_TYPE_STRING), ==, "string");
    opts_reset_for_test();
}

/* What libvirt asks query-command-line-options about. */
static void test_cli_groups_answer_libvirt_probes(void)
{
    opts_reset_for_test();
    cli_register_opt_groups();
    cli_register_opt_groups();      /* idempotent */
    g_assert_nonnull(opts_group_find("sandbox"));
    g_assert_nonnull(opts_group_find("overcommit"));
    g_assert_nonnull(opts_group_param(opts_group_find("smp-opts"), "dies"));
    g_assert_nonnull(opts_group_param(opts_group_find("machine"),
                                      "mem-merge"));
    g_assert_nonnull(opts_group_param(opts_group_find("boot-opts"),
                                      "strict"));
    g_assert_nonnull(opts_group_param(opts_group_find("name"),
                                      "debug-threads"));
    g_assert_nonnull(opts_group_param(opts_group_find("chardev"), "fd"));
    /* unsupported options are absent, so probes see them missing */
    g_assert_null(opts_group_find("netdev"));
    g_assert_null(opts_group_find("drive"));
    g_assert_null(opts_group_find("spice"));
    opts_reset_for_test();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/opts/check-table", test_opts_check_table);
    g_test_add_func("/opts/registry", test_opts_registry);
    g_test_add_func("/opts/cli-groups-answer-libvirt-probes",
                    test_cli_groups_answer_libvirt_probes);
    return g_test_run();
}
