/*
 * libFuzzer harness for the streaming JSON parser: the input is fed in
 * pieces whose sizes come from the first byte, every emitted value is
 * written back out and re-parsed, which must give an equal value (except
 * for doubles that overflowed to infinity, which JSON cannot spell).
 */
#include "qobject/json.h"

#include <stdint.h>
#include <string.h>

static void check_emit(void *opaque, QObject *value, GError *err)
{
    if (err) {
        g_error_free(err);
        return;
    }
    char *text = qobject_to_json(value);
    QObject *again = qobject_from_json(text, NULL);
    /* huge exponents overflow to inf, which JSON cannot spell (QEMU too) */
    bool nonfinite = strstr(text, "inf") || strstr(text, "nan");
    if (!nonfinite && (!again || !qobject_is_equal(value, again))) {
        /* a value we print must read back as itself */
        __builtin_trap();
    }
    qobject_unref(again);
    g_free(text);
    text = qobject_to_json_pretty(value);
    g_free(text);
    qobject_unref(value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    JsonStreamer *js = json_streamer_new(check_emit, NULL);
    size_t chunk = size ? (data[0] % 16) + 1 : 1;

    json_streamer_set_limits(js, 1 << 20, 1 << 16, 0);
    for (size_t off = 0; off < size; off += chunk) {
        json_streamer_feed(js, (const char *)data + off,
                           MIN(chunk, size - off));
    }
    json_streamer_flush(js);
    json_streamer_free(js);
    return 0;
}
