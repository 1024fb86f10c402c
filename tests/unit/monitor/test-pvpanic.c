/* pvpanic through the monitor: the port advertises its events, a
 * "crash loaded" write gives GUEST_CRASHLOADED and the VM runs on, a
 * "panicked" write gives GUEST_PANICKED and the guest-panicked state;
 * undefined bits are ignored; bad properties are refused. set-action
 * (QMP) chooses what a panic does: pause, shutdown (a pause while
 * shutdown=pause), exit-failure (exit status 1), none. */
#include "monitor/monitor-internal.h"
#include "hw/isa.h"
#include "hw/misc/pvpanic.h"
#include "hw/qdev.h"
#include "memory/memory.h"
#include "system/main-loop.h"
#include "system/runstate.h"

#include <string.h>

static ISABus *isa;
static Chardev *chr;

static char *drain(void)
{
    size_t len;
    for (int idle = 0, i = 0; idle < 5 && i < 100000; i++) {
        idle = main_loop_iteration(false) ? 0 : idle + 1;
    }
    uint8_t *buf = ringbuf_read(chr, 1 << 20, &len, NULL);
    char *s = g_strndup((char *)buf, len);
    g_free(buf);
    return s;
}

static uint8_t inb(uint16_t port)
{
    uint8_t v = 0;
    address_space_read(&address_space_io, port, MEMTXATTRS_UNSPECIFIED, &v,
                       1);
    return v;
}

static void outb(uint16_t port, uint8_t v)
{
    address_space_write(&address_space_io, port, MEMTXATTRS_UNSPECIFIED, &v,
                        1);
}

static DeviceState *pvpanic_new(const char *key, const char *val,
                                GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_PVPANIC);
    if (key) {
        g_assert_true(object_property_parse(OBJECT(dev), key, val, NULL));
    }
    if (!qdev_realize_and_unref(dev, BUS(isa), errp)) {
        return NULL;
    }
    return dev;
}

static void test_events(void)
{
    DeviceState *dev = pvpanic_new(NULL, NULL, NULL);
    g_assert_nonnull(dev);
    g_assert_cmphex(inb(PVPANIC_IOPORT), ==, 3);
    g_free(drain());

    outb(PVPANIC_IOPORT, PVPANIC_CRASH_LOADED);
    runstate_service_requests();
    char *out = drain();
    g_assert_nonnull(strstr(out, "\"event\": \"GUEST_CRASHLOADED\", "
                             "\"data\": {\"action\": \"run\"}"));
    g_assert_cmpint(runstate_get(), ==, RUN_STATE_RUNNING);
    g_free(out);

    outb(PVPANIC_IOPORT, 0xfc);          /* undefined bits only */
    runstate_service_requests();
    out = drain();
    g_assert_cmpstr(out, ==, "");
    g_free(out);

    runstate_set_panic_shutdown(false);  /* -action panic=pause */
    outb(PVPANIC_IOPORT, PVPANIC_PANICKED | 0x80);
    runstate_service_requests();
    out = drain();
    g_assert_nonnull(strstr(out, "\"event\": \"GUEST_PANICKED\", "
                             "\"data\": {\"action\": \"pause\"}"));
    g_assert_cmpint(runstate_get(), ==, RUN_STATE_GUEST_PANICKED);
    g_free(out);
    object_unparent(OBJECT(dev));
}

static void test_events_property(void)
{
    /* a device offering only "panicked" ignores "crash loaded" */
    DeviceState *dev = pvpanic_new("events", "1", NULL);
    g_assert_nonnull(dev);
    g_assert_cmphex(inb(PVPANIC_IOPORT), ==, 1);
    g_free(drain());
    outb(PVPANIC_IOPORT, PVPANIC_CRASH_LOADED);
    char *out = drain();
    g_assert_cmpstr(out, ==, "");
    g_free(out);
    object_unparent(OBJECT(dev));
}

static void test_bad_properties(void)
{
    static const char *const bad[][2] = {
        { "events", "4" }, { "events", "0xff" }, { "ioport", "0x10000" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *err = NULL;
        g_assert_null(pvpanic_new(bad[i][0], bad[i][1], &err));
        g_assert_nonnull(err);
        g_assert_nonnull(strstr(err->message, "pvpanic"));
        g_error_free(err);
    }
    /* another port works */
    DeviceState *dev = pvpanic_new("ioport", "0x600", NULL);
    g_assert_nonnull(dev);
    g_assert_cmphex(inb(0x600), ==, 3);
    object_unparent(OBJECT(dev));
}

static char *qmp(const char *cmd)
{
    chardev_be_feed(chr, (const uint8_t *)cmd, strlen(cmd));
    return drain();
}

/* A panic after @action (set-action arguments): the event's action, the
 * run state, whether the main loop ends, the exit status. */
static void panic_after(const char *action, const char *event_action,
                        RunState state, bool quits, int status)
{
    runstate_reset_for_test();
    runstate_set(RUN_STATE_RUNNING, NULL);
    g_free(drain());
    g_autofree char *cmd = g_strdup_printf(
        "{\"execute\": \"set-action\", \"arguments\": %s}", action);
    g_autofree char *r = qmp(cmd);
    g_assert_nonnull(strstr(r, "\"return\": {}"));

    DeviceState *dev = pvpanic_new(NULL, NULL, NULL);
    g_assert_nonnull(dev);
    outb(PVPANIC_IOPORT, PVPANIC_PANICKED);
    bool quit = runstate_service_requests();    /* the panic */
    quit = runstate_service_requests() || quit; /* a shutdown it asked */
    g_autofree char *out = drain();
    g_autofree char *want = g_strdup_printf(
        "\"event\": \"GUEST_PANICKED\", \"data\": {\"action\": \"%s\"}",
        event_action);
    if (!strstr(out, want)) {
        g_test_message("after %s: %s", action, out);
    }
    g_assert_nonnull(strstr(out, want));
    g_assert_cmpint(runstate_get(), ==, state);
    g_assert_cmpint(quit, ==, quits);
    g_assert_cmpint(runstate_exit_status(), ==, status);
    object_unparent(OBJECT(dev));
}

static void test_set_action(void)
{
    panic_after("{\"panic\": \"pause\"}", "pause",
                RUN_STATE_GUEST_PANICKED, false, 0);
    panic_after("{\"panic\": \"shutdown\"}", "poweroff",
                RUN_STATE_GUEST_PANICKED, true, 0);
    /* -no-shutdown's shutdown=pause turns panic=shutdown into a pause */
    panic_after("{\"panic\": \"shutdown\", \"shutdown\": \"pause\"}",
                "pause", RUN_STATE_GUEST_PANICKED, false, 0);
    panic_after("{\"panic\": \"exit-failure\", \"shutdown\": \"pause\"}",
                "poweroff", RUN_STATE_GUEST_PANICKED, true, 1);
    panic_after("{\"panic\": \"none\"}", "run", RUN_STATE_RUNNING, false,
                0);
    g_autofree char *r = qmp("{\"execute\": \"set-action\", "
                             "\"arguments\": {\"panic\": \"explode\"}}");
    g_assert_nonnull(strstr(r, "\"error\""));
    runstate_reset_for_test();
    runstate_set(RUN_STATE_RUNNING, NULL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    memory_init();
    monitor_init_globals();
    isa = isa_bus_new(NULL, get_system_io());
    GHashTable *opts = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_insert(opts, "size", "65536");
    chr = chardev_new("qmp", "ringbuf", opts, NULL);
    g_hash_table_unref(opts);
    g_assert_nonnull(monitor_new(chr, true, false, NULL));
    const char *neg = "{\"execute\": \"qmp_capabilities\"}";
    chardev_be_feed(chr, (const uint8_t *)neg, strlen(neg));
    runstate_set(RUN_STATE_RUNNING, NULL);

    g_test_add_func("/monitor/pvpanic/events", test_events);
    g_test_add_func("/monitor/pvpanic/events-property", test_events_property);
    g_test_add_func("/monitor/pvpanic/bad-properties", test_bad_properties);
    g_test_add_func("/monitor/pvpanic/set-action", test_set_action);
    int rc = g_test_run();
    monitor_cleanup();
    chardev_remove_all();
    object_unparent(OBJECT(isa));
    return rc;
}
