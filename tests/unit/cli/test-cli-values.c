/*
 * Option value validation through the real handlers: -m sizes, -uuid,
 * -cpu features, -global forms, -boot, -rtc, -accel, -sandbox flags.
 */
#include "cli/options.h"
#include "cli/sandbox.h"

#include <string.h>

typedef struct {
    CliOptionHandler *fn;
    const char *arg;
    const char *error;      /* NULL: must succeed */
} ValueCase;

static const ValueCase value_cases[] = {
    { opt_m, "512", NULL },
    { opt_m, "1G", NULL },
    { opt_m, "size=2G,slots=4,maxmem=8G", NULL },
    { opt_m, "12Q",
      "Parameter 'size' expects a non-negative number below 2^64" },
    { opt_m, "-5", "Parameter 'size' expects a non-negative number below 2^64" },
    { opt_m, "1.5", "Parameter 'size' expects a non-negative number below 2^64" },
    { opt_m, "99999999999999999999",
      "Parameter 'size' expects a non-negative number below 2^64" },
    { opt_m, "1,bogus=2", "Invalid parameter 'bogus'" },
    { opt_m, "size=", "missing 'size' option value" },
    { opt_m, "1G,slots=x", "Parameter 'slots' expects a number" },
    { opt_uuid, "12345678-1234-1234-1234-1234567890ab", NULL },
    { opt_uuid, "12345678-1234-1234-1234-1234567890AB", NULL },
    { opt_uuid, "xyz", "failed to parse UUID string: wrong format" },
    { opt_uuid, "12345678-1234-1234-1234-1234567890a",
      "failed to parse UUID string: wrong format" },
    { opt_uuid, "12345678-1234-1234-1234-1234567890ag",
      "failed to parse UUID string: wrong format" },
    { opt_uuid, "123456781234-1234-1234-1234567890abc",
      "failed to parse UUID string: wrong format" },
    { opt_cpu, "qemu64,+avx,-x2apic,pmu=off,vmx", NULL },
    { opt_cpu, "", "CPU model name is missing" },
    { opt_cpu, "max,+", "Invalid CPU feature '+'" },
    { opt_global, "isa-serial.chardev=s0", NULL },
    { opt_global, "driver=e1000,property=mac,value=52:54:00:12:34:56", NULL },
    { opt_global, "foo", "Invalid parameter 'foo'" },
    { opt_global, "a=b", "Invalid parameter 'a'" },
    { opt_global, "driver=e1000,property=mac", "Parameter 'value' is missing" },
    { opt_boot, "order=cdn,menu=on,splash-time=100,strict=off", NULL },
    { opt_boot, "order=zz", "Invalid boot device 'z'" },
    { opt_boot, "cc", "Boot device 'c' was given twice" },
    { opt_boot, "menu=x", "Parameter 'boot.menu' expects 'on' or 'off'" },
    { opt_boot, "splash-time=x", "Parameter 'boot.splash-time' expects integer" },
    { opt_boot, "reboot-timeout=70000", "reboot timeout is invalid, it should "
      "be a value between -1 and 65535" },
    { opt_rtc, "base=utc,clock=host,driftfix=slew", NULL },
    { opt_rtc, "base=2006-06-17T16:01:21", NULL },
    { opt_rtc, "base=2006-06-17", NULL },
    { opt_rtc, "base=foo", "invalid datetime format; valid formats: "
      "'2006-06-17T16:01:21' or '2006-06-17'" },
    { opt_rtc, "clock=foo", "invalid option value 'foo'" },
    { opt_rtc, "driftfix=foo", "invalid option value 'foo'" },
    { opt_rtc, "base=utc,bogus=1", "Invalid parameter 'bogus'" },
    { opt_accel, "kvm,kernel-irqchip=split", NULL },
    { opt_accel, "tcg,thread=single,tb-size=64", NULL },
    { opt_accel, "foo", "invalid accelerator foo" },
    { opt_accel, "tcg,bogus=1", "Property 'tcg-accel.bogus' not found" },
    { opt_accel, "kvm,thread=single", "Property 'kvm-accel.thread' not found" },
    { opt_accel, "tcg,thread=maybe", "Invalid 'thread' setting maybe" },
    { opt_machine, "none,usb=off,vmport=auto,kernel-irqchip=split", NULL },
    { opt_machine, "pc,bogus=1", "Invalid parameter 'bogus'" },
    { opt_machine, "pc,kernel-irqchip=maybe",
      "Parameter 'kernel-irqchip' does not accept value 'maybe'" },
    { opt_machine, "pc,usb=maybe", "Parameter 'usb' expects 'on' or 'off'" },
    { opt_sandbox, "on,obsolete=deny,elevateprivileges=children,spawn=deny,"
      "resourcecontrol=deny", NULL },
    { opt_sandbox, "maybe", "Parameter 'enable' expects 'on' or 'off'" },
    { opt_sandbox, "on,spawn=maybe", "invalid argument for spawn" },
    { opt_sandbox, "on,bogus=1", "Invalid parameter 'bogus'" },
    { opt_name, "vm1,debug-threads=on,process=kvmu-vm1", NULL },
    { opt_name, "foo,debug-threads=z",
      "Parameter 'debug-threads' expects 'on' or 'off'" },
    { opt_msg, "timestamp=on", NULL },
    { opt_msg, "timestamp=maybe", "Parameter 'timestamp' expects 'on' or 'off'" },
    { opt_overcommit, "mem-lock=off,cpu-pm=on", NULL },
    { opt_overcommit, "bogus=on", "Invalid parameter 'bogus'" },
    { opt_mon, "chardev=c0,mode=control,pretty=on", NULL },
    { opt_mon, "chardev=c0,mode=foo",
      "Parameter 'mode' does not accept value 'foo'" },
    { opt_mon, "mode=control", "Parameter 'chardev' is missing" },
    { opt_chardev, "socket,id=c0,path=/tmp/x,server=on,wait=off", NULL },
    { opt_chardev, "foo", "chardev: no id specified" },
    { opt_chardev, "null,id=", "chardev: no id specified" },
    { opt_display, "none", NULL },
    { opt_display, "bogus", "Parameter 'type' does not accept value 'bogus'" },
    { opt_display, "none,bogus=1", "Parameter 'bogus' is unexpected" },
    { opt_display, "gtk", "Display 'gtk' is not available." },
    { opt_d, "guest_errors,unimp,int", NULL },
    { opt_d, "bogus", "unknown log item 'bogus' (use -d help for a list)" },
    { opt_device, "isa-serial,chardev=s0,id=com1", NULL },
    { opt_device, "{\"driver\": \"virtio-blk-pci\", \"drive\": \"d0\"}", NULL },
    { opt_device, "id=x", "Parameter 'driver' is missing" },
    { opt_object, "memory-backend-ram,id=m0,size=1G", NULL },
    { opt_object, "memory-backend-ram", "Parameter 'id' is missing" },
    { opt_object, "memory-backend-ram,id=", "Parameter 'id' is missing" },
};

static void test_option_values_table(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(value_cases); i++) {
        const ValueCase *c = &value_cases[i];
        VmConfig *cfg = vm_config_new();
        GError *err = NULL;
        bool ok = c->fn(cfg, c->arg, &err);

        if (c->error && (ok || strcmp(err->message, c->error))) {
            g_test_message("case %zu '%s': expected error '%s', got '%s'", i,
                           c->arg, c->error, ok ? "success" : err->message);
            g_test_fail();
        } else if (!c->error && !ok) {
            g_test_message("case %zu '%s': unexpected error '%s'", i, c->arg,
                           err->message);
            g_test_fail();
        }
        g_clear_error(&err);
        vm_config_free(cfg);
    }
}

static void test_m_default_unit_is_mib_and_aligned(void)
{
    VmConfig *cfg = vm_config_new();

    g_assert_true(opt_m(cfg, "512", NULL));
    g_assert_cmpuint(cfg->ram_size, ==, 512 << 20);
    g_assert_true(opt_m(cfg, "1k", NULL));
    g_assert_cmpuint(cfg->ram_size, ==, 8192);
    g_assert_true(opt_m(cfg, "size=2G,maxmem=4G,slots=2", NULL));
    g_assert_cmpuint(cfg->ram_size, ==, 2ULL << 30);
    g_assert_cmpuint(cfg->maxmem, ==, 4ULL << 30);
    g_assert_cmpuint(cfg->slots, ==, 2);
    vm_config_free(cfg);
}

static void test_uuid_bytes(void)
{
    uint8_t u[16];

    g_assert_true(cli_parse_uuid("00112233-4455-6677-8899-aabbccddeeff", u));
    for (int i = 0; i < 16; i++) {
        g_assert_cmpuint(u[i], ==, i * 0x11);
    }
}

static void test_cpu_features_recorded(void)
{
    VmConfig *cfg = vm_config_new();

    g_assert_true(opt_cpu(cfg, "qemu64,+avx,-x2apic,pmu=off", NULL));
    g_assert_cmpstr(cfg->cpu_model, ==, "qemu64");
    g_assert_cmpstr(keyval_get(cfg->cpu_features, "avx"), ==, "on");
    g_assert_cmpstr(keyval_get(cfg->cpu_features, "x2apic"), ==, "off");
    g_assert_cmpstr(keyval_get(cfg->cpu_features, "pmu"), ==, "off");
    vm_config_free(cfg);
}

static void test_json_device_flattens(void)
{
    GError *err = NULL;
    KeyvalList *kv = cli_opts_parse("{\"driver\":\"x\",\"n\":3,\"b\":true,"
                                    "\"o\":{\"p\":\"q\"},\"l\":[1,2]}",
                                    "driver", 0, &err);

    g_assert_no_error(err);
    g_assert_cmpstr(keyval_get(kv, "driver"), ==, "x");
    g_assert_cmpstr(keyval_get(kv, "n"), ==, "3");
    g_assert_cmpstr(keyval_get(kv, "b"), ==, "on");
    g_assert_cmpstr(keyval_get(kv, "o.p"), ==, "q");
    g_assert_cmpstr(keyval_get(kv, "l.1"), ==, "2");
    keyval_free(kv);
    g_assert_null(cli_opts_parse("{\"driver\":", "driver", 0, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
    g_assert_null(cli_opts_parse("{} x", "driver", 0, &err));
    g_clear_error(&err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cli/option-values-table", test_option_values_table);
    g_test_add_func("/cli/m-default-unit-is-mib-and-aligned",
                    test_m_default_unit_is_mib_and_aligned);
    g_test_add_func("/cli/uuid-bytes", test_uuid_bytes);
    g_test_add_func("/cli/cpu-features-recorded", test_cpu_features_recorded);
    g_test_add_func("/cli/json-device-flattens", test_json_device_flattens);
    return g_test_run();
}
