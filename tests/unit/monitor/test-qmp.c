/*
 * QMP and HMP monitors on ringbuf chardevs: the input is fed with
 * chardev_be_feed(), the main loop runs the queued commands, and the
 * replies are read back from the ring buffer. Proves the greeting,
 * negotiation, id echo, error replies, resynchronisation after bad JSON,
 * out-of-band overtaking, flood throttling, events to every negotiated
 * monitor, and the human monitor.
 */
#include "monitor/monitor.h"
#include "monitor/monitor-internal.h"
#include "chardev/char.h"
#include "qapi/qmp-dispatch.h"
#include "qapi/qapi-events.h"
#include "qobject/json.h"
#include "system/main-loop.h"
#include "system/runstate.h"

#include <string.h>
#include <unistd.h>

extern QmpCommandList qmp_commands;

static Chardev *new_ringbuf(const char *id)
{
    GHashTable *opts = g_hash_table_new(g_str_hash, g_str_equal);
    GError *err = NULL;
    Chardev *chr;

    g_hash_table_insert(opts, (char *)"size", (char *)"1048576");
    chr = chardev_new(id, "ringbuf", opts, &err);
    g_assert_no_error(err);
    g_hash_table_destroy(opts);
    return chr;
}


/* Everything the monitor wrote so far. */
static char *drain(Chardev *chr)
{
    size_t len;
    uint8_t *buf;

    /* run until the loop has been idle a few times in a row */
    for (int idle = 0, i = 0; idle < 5 && i < 100000; i++) {
        idle = main_loop_iteration(false) ? 0 : idle + 1;
    }
    buf = ringbuf_read(chr, 1 << 20, &len, NULL);
    char *s = g_strndup((char *)buf, len);
    g_free(buf);
    return s;
}

static void feed(Chardev *chr, const char *s)
{
    size_t len = strlen(s), off = 0;

    /* a throttled monitor takes input only as its queue drains */
    for (int tries = 0; off < len && tries < 10000; tries++) {
        off += chardev_be_feed(chr, (const uint8_t *)s + off, len - off);
        if (off < len) {
            main_loop_iteration(false);
        }
    }
    g_assert_cmpuint(off, ==, len);
}

/* Send one request and return the single reply line (without CR LF). */
static char *cmd(Chardev *chr, const char *req)
{
    char *out, *nl;

    feed(chr, req);
    out = drain(chr);
    nl = strstr(out, "\r\n");
    g_assert_nonnull(nl);
    g_assert_cmpstr(nl, ==, "\r\n");    /* exactly one reply */
    *nl = 0;
    return out;
}

static void check_cmd(Chardev *chr, const char *req, const char *want)
{
    char *got = cmd(chr, req);

    if (strcmp(got, want)) {
        g_test_message("request %s\n  expected %s\n  got      %s", req, want,
                       got);
        g_test_fail();
    }
    g_free(got);
}

static Chardev *qmp_chr;
static Monitor *qmp_mon;

static void test_greeting_and_negotiation(void)
{
    char *greeting = drain(qmp_chr);

    g_assert_cmpstr(greeting, ==,
                    "{\"QMP\": {\"version\": {\"qemu\": {\"major\": 8, "
                    "\"minor\": 2, \"micro\": 0}, \"package\": \"kvmu 0.1.0\"},"
                    " \"capabilities\": [\"oob\"]}}\r\n");
    g_free(greeting);
    check_cmd(qmp_chr, "{\"execute\": \"query-version\"}",
              "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
              "\"Expecting capabilities negotiation with "
              "'qmp_capabilities'\"}}");
    check_cmd(qmp_chr, "{\"execute\": \"qmp_capabilities\", \"arguments\": "
              "{\"enable\": [\"bogus\"]}}",
              "{\"error\": {\"class\": \"GenericError\", \"desc\": "
              "\"Parameter 'enable[0]' does not accept value 'bogus'\"}}");
    check_cmd(qmp_chr, "{\"execute\": \"qmp_capabilities\", \"arguments\": "
              "{\"enable\": [\"oob\"]}, \"id\": {\"a\": [1, null]}}",
              "{\"return\": {}, \"id\": {\"a\": [1, null]}}");
    check_cmd(qmp_chr, "{\"execute\": \"qmp_capabilities\"}",
              "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
              "\"Capabilities negotiation is already complete, command "
              "ignored\"}}");
}

static void test_queries(void)
{
    check_cmd(qmp_chr, "{\"execute\": \"query-version\", \"id\": 7}",
              "{\"return\": {\"qemu\": {\"major\": 8, \"minor\": 2, "
              "\"micro\": 0}, \"package\": \"kvmu 0.1.0\"}, \"id\": 7}");
    check_cmd(qmp_chr, "{\"execute\": \"query-target\"}",
              "{\"return\": {\"arch\": \"x86_64\"}}");
    check_cmd(qmp_chr, "{\"execute\": \"query-name\"}", "{\"return\": {}}");
    check_cmd(qmp_chr, "{\"execute\": \"query-tpm-models\"}",
              "{\"return\": []}");
    check_cmd(qmp_chr, "{\"execute\": \"query-sgx-capabilities\"}",
              "{\"error\": {\"class\": \"GenericError\", \"desc\": "
              "\"SGX is not enabled in KVM\"}}");

    char *r = cmd(qmp_chr, "{\"execute\": \"query-commands\"}");
    g_assert_nonnull(strstr(r, "{\"name\": \"query-qmp-schema\"}"));
    g_assert_nonnull(strstr(r, "{\"name\": \"device_add\"}"));
    g_assert_nonnull(strstr(r, "{\"name\": \"qmp_capabilities\"}"));
    g_free(r);

    r = cmd(qmp_chr, "{\"execute\": \"query-qmp-schema\"}");
    QObject *v = qobject_from_json(r, NULL);
    QList *l = qdict_get_qlist(qobject_to_qdict(v), "return");
    g_assert_nonnull(l);
    g_assert_cmpuint(qlist_size(l), >, 100);
    qobject_unref(v);
    g_free(r);
}

static void test_bad_input_gets_error_then_recovers(void)
{
    static const struct { const char *in, *desc; } cases[] = {
        { "{\"execute\": }", "JSON parse error, expecting value" },
        { "[1, 2]", "QMP input must be a JSON object" },
        { "{\"execute\": \"query-status\", \"arguments\": {\"x\": 1}}",
          "Parameter 'x' is unexpected" },
        { "{\"execute\": \"qom-list\"}", "Parameter 'path' is missing" },
        { "{\"execute\": \"qom-list\", \"arguments\": {\"path\": 1}}",
          "Invalid parameter type for 'path', expected: string" },
        { "{\"execute\": \"no-such-command\"}",
          "The command no-such-command has not been found" },
        { "{\"execute\": \"query-status\", \"exec-oob\": \"x\"}",
          "QMP input member 'exec-oob' clashes with 'execute'" },
        { "{\"execute\": \"ringbuf-read\", \"arguments\": "
          "{\"device\": \"nope\", \"size\": 1}}", "Device 'nope' not found" },
        { "\"\xff\xfe\"", "JSON parse error, invalid UTF-8" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *r = cmd(qmp_chr, cases[i].in);
        QObject *v = qobject_from_json(r, NULL);
        QDict *e = qdict_get_qdict(qobject_to_qdict(v), "error");
        const char *desc = e ? qdict_get_try_str(e, "desc") : NULL;
        if (!desc || strncmp(desc, cases[i].desc, strlen(cases[i].desc))) {
            g_test_message("case %zu: expected %s, got %s", i, cases[i].desc,
                           r);
            g_test_fail();
        }
        qobject_unref(v);
        g_free(r);
        /* and the monitor still answers */
        check_cmd(qmp_chr, "{\"execute\": \"query-target\"}",
                  "{\"return\": {\"arch\": \"x86_64\"}}");
    }
}

static void test_oob_overtakes_queue(void)
{
    char *out;

    /* exec-oob runs as soon as it is parsed; in-band waits for the loop */
    feed(qmp_chr, "{\"execute\": \"query-target\", \"id\": \"inband\"}"
                  "{\"exec-oob\": \"x-test-oob\", \"id\": \"oob\"}");
    out = drain(qmp_chr);
    g_assert_cmpstr(out, ==, "{\"return\": {}, \"id\": \"oob\"}\r\n"
                    "{\"return\": {\"arch\": \"x86_64\"}, \"id\": "
                    "\"inband\"}\r\n");
    g_free(out);
    check_cmd(qmp_chr, "{\"exec-oob\": \"query-target\"}",
              "{\"error\": {\"class\": \"GenericError\", \"desc\": "
              "\"The command query-target does not support OOB\"}}");
}

static void test_flood_is_throttled_not_lost(void)
{
    GString *flood = g_string_new(NULL);
    char *out;
    int replies = 0;

    for (int i = 0; i < 200; i++) {
        g_string_append_printf(flood, "{\"execute\": \"query-name\", "
                               "\"id\": %d}", i);
    }
    feed(qmp_chr, flood->str);      /* waits while the queue is full */
    out = drain(qmp_chr);
    for (char *p = out; (p = strstr(p, "\"return\"")); p++) {
        replies++;
    }
    g_assert_cmpint(replies, ==, 200);
    g_assert_nonnull(strstr(out, "\"id\": 199}"));
    g_free(out);
    g_string_free(flood, TRUE);
}

static void test_events_reach_every_negotiated_monitor(void)
{
    Chardev *second = new_ringbuf("qmp-second");
    Chardev *third = new_ringbuf("qmp-third");
    char *out;

    g_assert_nonnull(monitor_new(second, true, false, NULL));
    g_assert_nonnull(monitor_new(third, true, false, NULL));
    g_free(drain(second));
    g_free(drain(third));
    check_cmd(second, "{\"execute\": \"qmp_capabilities\"}",
              "{\"return\": {}}");
    /* third is not negotiated: it gets no events */

    feed(qmp_chr, "{\"execute\": \"cont\"}");
    out = drain(qmp_chr);
    g_assert_nonnull(strstr(out, "{\"return\": {}}\r\n"));
    g_assert_nonnull(strstr(out, "\"event\": \"RESUME\""));
    g_free(out);
    out = drain(second);
    g_assert_nonnull(strstr(out, "\"event\": \"RESUME\""));
    g_assert_nonnull(strstr(out, "{\"timestamp\": {\"seconds\": "));
    g_free(out);
    out = drain(third);
    g_assert_cmpstr(out, ==, "");
    g_free(out);

    feed(qmp_chr, "{\"execute\": \"stop\"}");
    out = drain(qmp_chr);
    g_assert_nonnull(strstr(out, "\"event\": \"STOP\""));
    g_assert_nonnull(strstr(out, "{\"return\": {}}"));
    g_free(out);
    g_free(drain(second));
    check_cmd(qmp_chr, "{\"execute\": \"query-status\"}",
              "{\"return\": {\"running\": false, \"singlestep\": false, "
              "\"status\": \"paused\"}}");
    /* a bad request on one monitor leaves the other alone */
    feed(third, "{{{{");
    out = drain(third);
    g_assert_cmpstr(out, ==, "");           /* incomplete: no reply yet */
    g_free(out);
    check_cmd(third, "\xff", "{\"error\": {\"class\": \"GenericError\", "
              "\"desc\": \"JSON parse error, stray '\\uFFFD'\"}}");
    check_cmd(second, "{\"execute\": \"query-target\"}",
              "{\"return\": {\"arch\": \"x86_64\"}}");
}

static void test_rtc_change_is_rate_limited(void)
{
    char *out;
    gint64 end;
    GString *all = g_string_new(NULL);

    g_free(drain(qmp_chr));
    for (int i = 0; i < 5; i++) {
        qapi_event_send_rtc_change(i, "/machine/rtc");
    }
    out = drain(qmp_chr);
    g_assert_nonnull(strstr(out, "\"offset\": 0"));
    g_assert_null(strstr(out, "\"offset\": 1"));
    g_free(out);
    /* the latest of the coalesced ones arrives when the second is over */
    end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (!strstr(all->str, "\"offset\": 4") &&
           g_get_monotonic_time() < end) {
        main_loop_iteration(true);
        out = drain(qmp_chr);
        g_string_append(all, out);
        g_free(out);
    }
    g_assert_nonnull(strstr(all->str, "\"event\": \"RTC_CHANGE\", \"data\": "
                            "{\"offset\": 4, \"qom-path\": \"/machine/rtc\"}"));
    g_assert_null(strstr(all->str, "\"offset\": 2"));
    g_string_free(all, TRUE);
}

static QDict *test_expander(const char *model, bool full, GError **errp)
{
    QDict *d = qdict_new();

    qdict_put_bool(d, "sse", true);
    qdict_put_bool(d, "avx", full);
    return d;
}

static void test_cpu_models_from_registration(void)
{
    monitor_register_cpu_model("qemu64", true);
    monitor_register_cpu_model("Skylake-Client", false);
    monitor_set_cpu_model_expander(test_expander);
    check_cmd(qmp_chr, "{\"execute\": \"query-cpu-definitions\"}",
              "{\"return\": [{\"name\": \"qemu64\", \"migration-safe\": "
              "true, \"static\": false, \"typename\": \"qemu64-x86_64-cpu\", "
              "\"deprecated\": false}, {\"name\": \"Skylake-Client\", "
              "\"migration-safe\": false, \"static\": false, \"typename\": "
              "\"Skylake-Client-x86_64-cpu\", \"deprecated\": false}]}");
    check_cmd(qmp_chr, "{\"execute\": \"query-cpu-model-expansion\", "
              "\"arguments\": {\"type\": \"full\", \"model\": "
              "{\"name\": \"Skylake-Client\", \"props\": {\"sse\": false}}}}",
              "{\"return\": {\"model\": {\"name\": \"Skylake-Client\", "
              "\"props\": {\"sse\": false, \"avx\": true}}}}");
    check_cmd(qmp_chr, "{\"execute\": \"query-cpu-model-expansion\", "
              "\"arguments\": {\"type\": \"static\", \"model\": "
              "{\"name\": \"nope\"}}}",
              "{\"error\": {\"class\": \"GenericError\", \"desc\": "
              "\"The CPU type 'nope' is not a recognized X86 CPU type\"}}");
    monitor_set_cpu_model_expander(NULL);
}

/* A fresh descriptor, "received" with the next command (as SCM_RIGHTS). */
static int inject_fd(void)
{
    int p[2];

    g_assert_cmpint(pipe(p), ==, 0);
    close(p[1]);
    monitor_set_received_fd(qmp_mon, p[0]);
    return p[0];
}

static void test_fd_passing(void)
{
    char *want;
    int fd0, fd1;

    check_cmd(qmp_chr, "{\"execute\": \"getfd\", \"arguments\": "
              "{\"fdname\": \"x\"}}",
              "{\"error\": {\"class\": \"GenericError\", \"desc\": "
              "\"No file descriptor supplied via SCM_RIGHTS\"}}");
    inject_fd();
    check_cmd(qmp_chr, "{\"execute\": \"getfd\", \"arguments\": "
              "{\"fdname\": \"x\"}}", "{\"return\": {}}");
    check_cmd(qmp_chr, "{\"execute\": \"closefd\", \"arguments\": "
              "{\"fdname\": \"x\"}}", "{\"return\": {}}");
    check_cmd(qmp_chr, "{\"execute\": \"closefd\", \"arguments\": "
              "{\"fdname\": \"x\"}}",
              "{\"error\": {\"class\": \"GenericError\", \"desc\": "
              "\"File descriptor named 'x' not found\"}}");

    fd0 = inject_fd();
    want = g_strdup_printf("{\"return\": {\"fdset-id\": 0, \"fd\": %d}}", fd0);
    check_cmd(qmp_chr, "{\"execute\": \"add-fd\"}", want);
    g_free(want);
    fd1 = inject_fd();
    want = g_strdup_printf("{\"return\": {\"fdset-id\": 0, \"fd\": %d}}", fd1);
    check_cmd(qmp_chr, "{\"execute\": \"add-fd\", \"arguments\": "
              "{\"fdset-id\": 0, \"opaque\": \"rw\"}}", want);
    g_free(want);
    want = g_strdup_printf("{\"return\": [{\"fdset-id\": 0, \"fds\": "
                           "[{\"fd\": %d}, {\"fd\": %d, \"opaque\": "
                           "\"rw\"}]}]}", fd0, fd1);
    check_cmd(qmp_chr, "{\"execute\": \"query-fdsets\"}", want);
    g_free(want);
    want = g_strdup_printf("{\"execute\": \"remove-fd\", \"arguments\": "
                           "{\"fdset-id\": 0, \"fd\": %d}}", fd0);
    check_cmd(qmp_chr, want, "{\"return\": {}}");
    g_free(want);
    check_cmd(qmp_chr, "{\"execute\": \"remove-fd\", \"arguments\": "
              "{\"fdset-id\": 0}}", "{\"return\": {}}");
    check_cmd(qmp_chr, "{\"execute\": \"remove-fd\", \"arguments\": "
              "{\"fdset-id\": 0}}",
              "{\"error\": {\"class\": \"GenericError\", \"desc\": "
              "\"File descriptor named 'fdset-id:0' not found\"}}");
    check_cmd(qmp_chr, "{\"execute\": \"query-fdsets\"}", "{\"return\": []}");
    /* an unclaimed descriptor does not leak into the next command */
    inject_fd();
    check_cmd(qmp_chr, "{\"execute\": \"getfd\", \"arguments\": "
              "{\"fdname\": \"1bad\"}}",
              "{\"error\": {\"class\": \"GenericError\", \"desc\": "
              "\"Parameter 'fdname' name of fd may not begin with a "
              "digit\"}}");
}

static void test_hmp_bridge(void)
{
    check_cmd(qmp_chr, "{\"execute\": \"human-monitor-command\", "
              "\"arguments\": {\"command-line\": \"info status\"}}",
              "{\"return\": \"VM status: paused\\r\\n\"}");
    check_cmd(qmp_chr, "{\"execute\": \"human-monitor-command\", "
              "\"arguments\": {\"command-line\": \"info version\"}}",
              "{\"return\": \"8.2.0 (kvmu 0.1.0)\\r\\n\"}");
    check_cmd(qmp_chr, "{\"execute\": \"human-monitor-command\", "
              "\"arguments\": {\"command-line\": \"bogus\"}}",
              "{\"return\": \"unknown command: 'bogus'\\r\\n\"}");
}

static void test_send_key(void)
{
    check_cmd(qmp_chr, "{\"execute\": \"send-key\", \"arguments\": "
              "{\"keys\": [{\"type\": \"qcode\", \"data\": \"ctrl\"}, "
              "{\"type\": \"number\", \"data\": 30}]}}",
              "{\"error\": {\"class\": \"GenericError\", \"desc\": "
              "\"no keyboard (i8042) on this machine\"}}");
    check_cmd(qmp_chr, "{\"execute\": \"send-key\", \"arguments\": "
              "{\"keys\": [{\"type\": \"qcode\", \"data\": \"sysrq\"}]}}",
              "{\"error\": {\"class\": \"GenericError\", \"desc\": "
              "\"key 'sysrq' is not supported by kvmu's keyboard\"}}");
    check_cmd(qmp_chr, "{\"execute\": \"send-key\", \"arguments\": "
              "{\"keys\": [{\"type\": \"number\", \"data\": 4096}]}}",
              "{\"error\": {\"class\": \"GenericError\", \"desc\": "
              "\"key number 0x1000 is not supported by kvmu's keyboard\"}}");
    check_cmd(qmp_chr, "{\"execute\": \"send-key\", \"arguments\": "
              "{\"keys\": []}}",
              "{\"error\": {\"class\": \"GenericError\", \"desc\": "
              "\"Parameter 'keys' is missing keys\"}}");
    check_cmd(qmp_chr, "{\"execute\": \"send-key\", \"arguments\": "
              "{\"keys\": [{\"type\": \"qcode\", \"data\": \"nokey\"}]}}",
              "{\"error\": {\"class\": \"GenericError\", \"desc\": "
              "\"Parameter 'keys[0].data' does not accept value 'nokey'\"}}");
}

static void test_memsave(void)
{
    g_autofree char *dir = g_dir_make_tmp("kvmu-memsave-XXXXXX", NULL);
    g_autofree char *file = g_build_filename(dir, "dump", NULL);
    g_autofree char *req = g_strdup_printf(
        "{\"execute\": \"pmemsave\", \"arguments\": {\"val\": 16, "
        "\"size\": 5000, \"filename\": \"%s\"}}", file);
    gchar *data = NULL;
    gsize len = 0;

    /* no RAM under -machine none: unassigned memory reads as ones */
    check_cmd(qmp_chr, req, "{\"return\": {}}");
    g_assert_true(g_file_get_contents(file, &data, &len, NULL));
    g_assert_cmpuint(len, ==, 5000);
    g_assert_cmpint((uint8_t)data[0], ==, 0xff);
    g_assert_cmpint((uint8_t)data[4999], ==, 0xff);
    g_free(data);
    unlink(file);
    check_cmd(qmp_chr, "{\"execute\": \"pmemsave\", \"arguments\": "
              "{\"val\": 0, \"size\": -1, \"filename\": \"/x\"}}",
              "{\"error\": {\"class\": \"GenericError\", \"desc\": "
              "\"Parameter 'size' expects a non-negative size\"}}");
    check_cmd(qmp_chr, "{\"execute\": \"pmemsave\", \"arguments\": "
              "{\"val\": 0, \"size\": 68719476737, \"filename\": "
              "\"/x\"}}",
              "{\"error\": {\"class\": \"GenericError\", \"desc\": "
              "\"Parameter 'size' expects at most 64 GiB\"}}");
    check_cmd(qmp_chr, "{\"execute\": \"pmemsave\", \"arguments\": "
              "{\"val\": 0, \"size\": 1, \"filename\": "
              "\"/nonexistent/dir/f\"}}",
              "{\"error\": {\"class\": \"GenericError\", \"desc\": "
              "\"Could not open '/nonexistent/dir/f': No such file or "
              "directory\"}}");
    check_cmd(qmp_chr, "{\"execute\": \"memsave\", \"arguments\": "
              "{\"val\": 0, \"size\": 1, \"filename\": \"/x\"}}",
              "{\"error\": {\"class\": \"GenericError\", \"desc\": "
              "\"No CPU available\"}}");
    check_cmd(qmp_chr, "{\"execute\": \"memsave\", \"arguments\": "
              "{\"val\": 0, \"size\": 1, \"filename\": \"/x\", "
              "\"cpu-index\": 0}}",
              "{\"error\": {\"class\": \"GenericError\", \"desc\": "
              "\"Parameter 'cpu-index' expects a CPU number\"}}");
    rmdir(dir);
}

static void test_hmp_cpu_index(void)
{
    /* no vCPUs without a machine: every index is refused */
    check_cmd(qmp_chr, "{\"execute\": \"human-monitor-command\", "
              "\"arguments\": {\"command-line\": \"info cpus\", "
              "\"cpu-index\": 0}}",
              "{\"error\": {\"class\": \"GenericError\", \"desc\": "
              "\"Parameter 'cpu-index' expects a CPU number\"}}");
    check_cmd(qmp_chr, "{\"execute\": \"human-monitor-command\", "
              "\"arguments\": {\"command-line\": \"info cpus\", "
              "\"cpu-index\": -1}}",
              "{\"error\": {\"class\": \"GenericError\", \"desc\": "
              "\"Parameter 'cpu-index' expects a CPU number\"}}");
}

static void test_hmp_command_table(void)
{
    static const struct { const char *cmd, *prefix; } cases[] = {
        { "info mtree", "address-space: memory\r\n" },
        { "xp /2xb 0x10", "0000000000000010: 0xff 0xff\r\n" },
        { "xp /1dw 0", "0000000000000000: -1\r\n" },
        { "xp /zz 0", "xp: usage" },
        { "info registers", "No CPU available" },
        { "info qtree", "" },
        { "device_add nope", "Error: 'nope' is not a valid device model" },
        { "device_add", "device_add: usage" },
        { "device_del nope", "Error: Device 'nope' not found" },
        { "qom-get / nope", "Error: " },
        { "qom-list /", "type (string)" },
        { "nmi", "Error: this feature or command is not currently" },
        { "info", "info status  -- show the current VM status" },
        { "info bogus", "unknown info command: 'bogus'" },
        { "help quit", "quit|q  -- quit the emulator\r\n" },
        { "\"unterminated", "" },
        { "gpa2hva 0x1000", "Error: " },
        { "info lapic", "local apic state not available" },
        { "info lapic zz", "info lapic: usage" },
        { "info mem", "No CPU available" },
        { "info tlb", "No CPU available" },
        { "info cpus", "" },
        { "x /4xb 0x1000", "No CPU available: x needs a CPU" },
        { "cpu 0", "invalid CPU index" },
        { "cpu", "cpu: usage" },
        { "sendkey", "sendkey: usage" },
        { "sendkey ctrl-alt-delete 99999999", "sendkey: usage" },
        { "sendkey ctrl-alt-delete", "Error: no keyboard (i8042)" },
        { "log", "log: usage" },
        { "log help", "Log items (comma separated):" },
        { "log bogus_item", "Error: " },
        { "logfile", "logfile: usage" },
        { "info pic", "PIC not present" },
        { "info irq", "no interrupt controller in this machine" },
        { "pmemsave 0 zz /tmp/x", "pmemsave: usage" },
        { "memsave 0", "memsave: usage" },
        { "memsave 0 1 /tmp/kvmu-none", "Error: No CPU available" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        /* the command line goes into a JSON string: escape its quotes */
        g_auto(GStrv) parts = g_strsplit(cases[i].cmd, "\"", -1);
        g_autofree char *fixed = g_strjoinv("\\\"", parts);
        g_autofree char *req = g_strdup_printf(
            "{\"execute\": \"human-monitor-command\", "
            "\"arguments\": {\"command-line\": \"%s\"}}", fixed);
        char *r = cmd(qmp_chr, req);
        QObject *v = qobject_from_json(r, NULL);
        const char *out = qdict_get_try_str(qobject_to_qdict(v), "return");
        if (!out || !g_str_has_prefix(out, cases[i].prefix)) {
            g_test_message("HMP '%s': expected prefix '%s', got %s",
                           cases[i].cmd, cases[i].prefix, r);
            g_test_fail();
        }
        qobject_unref(v);
        g_free(r);
    }
}

static void test_hmp_monitor(void)
{
    Chardev *chr = new_ringbuf("hmp0");
    char *out;

    g_assert_nonnull(monitor_new(chr, false, false, NULL));
    out = drain(chr);
    g_assert_cmpstr(out, ==, "QEMU 8.2.0 monitor - type 'help' for more "
                    "information\r\n(qemu) ");
    g_free(out);
    feed(chr, "info kvm\r");
    out = drain(chr);
    g_assert_cmpstr(out, ==, "info kvm\r\nkvm support: disabled\r\n(qemu) ");
    g_free(out);
    feed(chr, "info namx\x7f" "e\r");      /* backspace edits the line */
    out = drain(chr);
    g_assert_nonnull(strstr(out, "\b \b"));
    g_assert_true(g_str_has_suffix(out, "\r\n(qemu) "));
    g_free(out);
    feed(chr, "\x1b[A");                   /* Up recalls "info name" */
    out = drain(chr);
    if (!strstr(out, "info name")) {
        g_test_message("after Up: '%s'", g_strescape(out, NULL));
    }
    g_assert_nonnull(strstr(out, "info name"));
    g_free(out);
    /* cursor editing: "info sttus", Left x3, insert 'a' -> "info status" */
    feed(chr, "\x03info sttus\x1b[D\x1b[D\x1b[Da\x1b[F\r");
    out = drain(chr);
    g_assert_nonnull(strstr(out, "VM status: "));
    g_free(out);
    /* Home, Delete x5, type "help " -> "help info" */
    feed(chr, "info info\x1b[H\x1b[3~\x1b[3~\x1b[3~\x1b[3~\x1b[3~help \r");
    out = drain(chr);
    g_assert_nonnull(strstr(out, "info [subcommand] -- show various"));
    g_free(out);
    /* ^A ^K kills the line; ^U too */
    feed(chr, "bogus\x01\x0binfo name\x15info kvm\r");
    out = drain(chr);
    g_assert_nonnull(strstr(out, "kvm support:"));
    g_assert_null(strstr(out, "unknown command"));
    g_free(out);
    /* Tab completes "info ver" to "info version " */
    feed(chr, "info ver\t\r");
    out = drain(chr);
    g_assert_nonnull(strstr(out, "info version \r\n8.2.0 (kvmu"));
    g_free(out);
    /* ambiguous: "sys" lists system_reset and system_powerdown */
    feed(chr, "sys\t\t");       /* 1st: common prefix, 2nd: list */
    out = drain(chr);
    g_assert_nonnull(strstr(out, "system_reset"));
    g_assert_nonnull(strstr(out, "system_powerdown"));
    g_free(out);
    feed(chr, "\x03help info\r");
    out = drain(chr);
    g_assert_nonnull(strstr(out, "info [subcommand] -- show various"));
    g_free(out);
}

/* -nographic: on a mux the HMP monitor is silent until C-a c. */
static void test_hmp_mux_quiet_until_focus(void)
{
    GHashTable *opts = g_hash_table_new(g_str_hash, g_str_equal);
    GError *err = NULL;
    CharFrontend serial;
    char *out;

    g_hash_table_insert(opts, (char *)"size", (char *)"65536");
    g_hash_table_insert(opts, (char *)"mux", (char *)"on");
    Chardev *chr = chardev_new("mux0", "ringbuf", opts, &err);
    g_hash_table_destroy(opts);
    g_assert_no_error(err);
    g_assert_nonnull(monitor_new(chr, false, false, NULL));
    /* the guest's serial port attaches last and gets the focus */
    g_assert_true(chr_fe_init(&serial, chr, NULL));
    chr_fe_set_handlers(&serial, NULL, NULL, NULL, NULL);
    out = drain(chr);
    g_assert_cmpstr(out, ==, "");
    g_free(out);
    feed(chr, "\x01" "c");
    out = drain(chr);
    g_assert_nonnull(strstr(out, "QEMU 8.2.0 monitor - type 'help'"));
    g_assert_true(g_str_has_suffix(out, "(qemu) "));
    g_free(out);
    /* away and back: the prompt again, not the banner */
    feed(chr, "\x01" "c");
    g_free(drain(chr));
    feed(chr, "\x01" "c");
    out = drain(chr);
    g_assert_null(strstr(out, "monitor - type"));
    g_assert_nonnull(strstr(out, "(qemu) "));
    g_free(out);
    chr_fe_deinit(&serial);
}

static void oob_test_cmd(QDict *args, QObject **ret, GError **errp)
{
    *ret = QOBJECT(qdict_new());
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    monitor_init_globals();
    qmp_register_command(&qmp_commands, "x-test-oob", oob_test_cmd,
                         QCO_ALLOW_OOB, 0);
    qmp_chr = new_ringbuf("qmp0");
    qmp_mon = monitor_new(qmp_chr, true, false, NULL);
    g_assert_nonnull(qmp_mon);
    runstate_set(RUN_STATE_PAUSED, NULL);

    g_test_add_func("/monitor/qmp/greeting-and-negotiation",
                    test_greeting_and_negotiation);
    g_test_add_func("/monitor/qmp/queries", test_queries);
    g_test_add_func("/monitor/qmp/bad-input-gets-error-then-recovers",
                    test_bad_input_gets_error_then_recovers);
    g_test_add_func("/monitor/qmp/oob-overtakes-queue",
                    test_oob_overtakes_queue);
    g_test_add_func("/monitor/qmp/flood-is-throttled-not-lost",
                    test_flood_is_throttled_not_lost);
    g_test_add_func("/monitor/qmp/events-reach-every-negotiated-monitor",
                    test_events_reach_every_negotiated_monitor);
    g_test_add_func("/monitor/qmp/rtc-change-is-rate-limited",
                    test_rtc_change_is_rate_limited);
    g_test_add_func("/monitor/qmp/cpu-models-from-registration",
                    test_cpu_models_from_registration);
    g_test_add_func("/monitor/qmp/fd-passing", test_fd_passing);
    g_test_add_func("/monitor/qmp/hmp-bridge", test_hmp_bridge);
    g_test_add_func("/monitor/qmp/send-key", test_send_key);
    g_test_add_func("/monitor/hmp/command-table", test_hmp_command_table);
    g_test_add_func("/monitor/hmp/cpu-index", test_hmp_cpu_index);
    g_test_add_func("/monitor/qmp/memsave", test_memsave);
    g_test_add_func("/monitor/hmp/mux-quiet-until-focus",
                    test_hmp_mux_quiet_until_focus);
    g_test_add_func("/monitor/hmp/line-editing-and-info", test_hmp_monitor);
    int rc = g_test_run();
    monitor_cleanup();
    chardev_remove_all();
    return rc;
}
