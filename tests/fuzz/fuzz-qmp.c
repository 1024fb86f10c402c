/*
 * libFuzzer harness for the QMP dispatcher: every value the JSON streamer
 * emits is dispatched as a request against the full kvmu command table
 * (negotiated, OOB allowed), exercising request validation, the generated
 * strict input visitors and the command implementations that make sense
 * without a machine. Commands with process-wide effects (quit, stop/cont,
 * system_*, chardev-add/remove, getfd...) are disabled first.
 */
#include "monitor/monitor.h"
#include "qapi/qmp-dispatch.h"
#include "qobject/json.h"

#include <stdint.h>

extern QmpCommandList qmp_commands;

static void dispatch_emit(void *opaque, QObject *value, GError *err)
{
    if (err) {
        g_error_free(err);
        return;
    }
    QDict *rsp = qmp_dispatch(&qmp_commands, value, true, NULL);
    if (rsp) {
        char *s = qobject_to_json(QOBJECT(rsp));
        g_free(s);
        qobject_unref(rsp);
    }
    qobject_unref(value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const unsafe[] = {
        "quit", "stop", "cont", "system_reset", "system_powerdown",
        "system_wakeup", "chardev-add", "chardev-remove", "getfd", "closefd",
        "add-fd", "remove-fd", "device_add", "device_del", "qom-set",
        "human-monitor-command", "ringbuf-write",
    };
    static bool init;
    JsonStreamer *js;

    if (!init) {
        init = true;
        monitor_init_globals();
        for (size_t i = 0; i < G_N_ELEMENTS(unsafe); i++) {
            qmp_disable_command(&qmp_commands, unsafe[i]);
        }
    }
    js = json_streamer_new(dispatch_emit, NULL);
    json_streamer_set_limits(js, 1 << 20, 1 << 16, 0);
    json_streamer_feed(js, (const char *)data, size);
    json_streamer_flush(js);
    json_streamer_free(js);
    return 0;
}
