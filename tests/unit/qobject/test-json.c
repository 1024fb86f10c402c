/*
 * JSON parser and writer: round trips, QEMU's extensions, a bad-input
 * table, streaming in arbitrary pieces, limits and resynchronisation.
 */
#include "qobject/json.h"

#include <string.h>

static void test_round_trip_compact(void)
{
    static const struct { const char *in, *out; } cases[] = {
        { "{\"a\":1,\"b\":[true,false,null],\"c\":\"x\"}",
          "{\"a\": 1, \"b\": [true, false, null], \"c\": \"x\"}" },
        { "[]", "[]" },
        { "{}", "{}" },
        { "-0", "0" },
        { "18446744073709551615", "18446744073709551615" },
        { "-9223372036854775808", "-9223372036854775808" },
        { "1.5", "1.5" },
        { "1e3", "1000" },
        { "'single \"quoted\"'", "\"single \\\"quoted\\\"\"" },
        { "\"\\u00e9\\ud83d\\ude00\"", "\"\\u00E9\\uD83D\\uDE00\"" },
        { "\"caf\xc3\xa9\"", "\"caf\\u00E9\"" },
        { "\"\\u0000\"", "\"\\u0000\"" },
        { "\"tab\\tnl\\n\\/\"", "\"tab\\tnl\\n/\"" },
        { "  [ 1 , { \"k\" : [ ] } ]  ", "[1, {\"k\": []}]" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        GError *err = NULL;
        QObject *v = qobject_from_json(cases[i].in, &err);
        g_assert_no_error(err);
        char *s = qobject_to_json(v);
        g_assert_cmpstr(s, ==, cases[i].out);
        g_free(s);
        qobject_unref(v);
    }
}

static void test_pretty_output(void)
{
    QObject *v = qobject_from_json("{\"a\": [1, 2], \"e\": {}}", NULL);
    char *s = qobject_to_json_pretty(v);

    g_assert_cmpstr(s, ==,
                    "{\n    \"a\": [\n        1,\n        2\n    ],\n"
                    "    \"e\": {}\n}");
    g_free(s);
    qobject_unref(v);
}

static void test_bad_input_table(void)
{
    static const struct { const char *in, *err; } cases[] = {
        { "{", "premature EOF" },
        { "[1,", "premature EOF" },
        { "}", "expecting value" },
        { "{\"a\" 1}", "missing : in object pair" },
        { "{1: 2}", "key is not a string in object" },
        { "{\"a\": 1 \"b\": 2}", "expected separator in dict" },
        { "[1 2]", "expected separator in list" },
        { "[1,]", "expecting value" },
        { "{\"a\": 1, \"a\": 2}", "duplicate key" },
        { "tru", "invalid keyword 'tru'" },
        { "01", "stray" },
        { "1.", "stray" },
        { "-", "stray" },
        { "\"a\x01b\"", "stray" },
        { "\"\\x\"", "invalid escape sequence" },
        { "\"\\u12\"", "\\u12\" is not a valid Unicode character" },
        { "\"\\ud800\"", "\\ud800 is not a valid Unicode character" },
        { "\"\\ud800\\u0041\"", "\\ud800 is not a valid Unicode" },
        { "\"\\udc00\"", "\\udc00 is not a valid Unicode character" },
        { "\"\xff\"", "invalid UTF-8" },
        { "\"\xc0\xaf\"", "invalid UTF-8" },             /* overlong '/' */
        { "\"\xed\xa0\x80\"", "invalid UTF-8" },         /* encoded surrogate */
        { "\"\xf4\x90\x80\x80\"", "invalid UTF-8" },     /* > U+10FFFF */
        { "\"\xe2\x82\"", "invalid UTF-8" },             /* truncated */
        { "@", "stray '@'" },
        { "\"unterminated", "premature EOF" },
        { "", "expecting value" },
        { "1 2", "more than one value" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        GError *err = NULL;
        QObject *v = qobject_from_json(cases[i].in, &err);
        if (v || !err || !strstr(err->message, cases[i].err)) {
            g_test_message("input %zu '%s': expected error containing '%s',"
                           " got %s", i, cases[i].in, cases[i].err,
                           err ? err->message : "a value");
            g_test_fail();
        }
        qobject_unref(v);
        g_clear_error(&err);
    }
}

typedef struct {
    GPtrArray *values;
    GPtrArray *errors;
} Sink;

static void sink_emit(void *opaque, QObject *value, GError *err)
{
    Sink *s = opaque;

    if (err) {
        g_ptr_array_add(s->errors, g_strdup(err->message));
        g_error_free(err);
    } else {
        char *j = qobject_to_json(value);
        g_ptr_array_add(s->values, j);
        qobject_unref(value);
    }
}

static void sink_init(Sink *s)
{
    s->values = g_ptr_array_new_with_free_func(g_free);
    s->errors = g_ptr_array_new_with_free_func(g_free);
}

static void sink_free(Sink *s)
{
    g_ptr_array_free(s->values, TRUE);
    g_ptr_array_free(s->errors, TRUE);
}

static void test_stream_byte_by_byte(void)
{
    const char *in = "{\"execute\": \"a\", \"id\": [1]}{'x': 'y'}\r\n"
                     "[\"\\ud83d\\ude00\"] 42 ";
    Sink sink;
    sink_init(&sink);
    JsonStreamer *js = json_streamer_new(sink_emit, &sink);

    for (size_t i = 0; in[i]; i++) {
        json_streamer_feed(js, in + i, 1);
    }
    g_assert_cmpuint(sink.errors->len, ==, 0);
    g_assert_cmpuint(sink.values->len, ==, 4);
    g_assert_cmpstr(sink.values->pdata[0], ==,
                    "{\"execute\": \"a\", \"id\": [1]}");
    g_assert_cmpstr(sink.values->pdata[1], ==, "{\"x\": \"y\"}");
    g_assert_cmpstr(sink.values->pdata[3], ==, "42");
    json_streamer_free(js);
    sink_free(&sink);
}

static void test_error_then_resync(void)
{
    /* one error per bad value; the next value parses */
    const char *in = "{\"a\": @@@ junk junk\n{\"ok\": 1}"
                     "{\"broken\": \xff{\"ok\": 2}";
    Sink sink;
    sink_init(&sink);
    JsonStreamer *js = json_streamer_new(sink_emit, &sink);

    json_streamer_feed(js, in, strlen(in));
    g_assert_cmpuint(sink.errors->len, ==, 2);
    g_assert_cmpuint(sink.values->len, ==, 2);
    g_assert_cmpstr(sink.values->pdata[1], ==, "{\"ok\": 2}");
    json_streamer_free(js);
    sink_free(&sink);
}

static void test_nesting_limit(void)
{
    Sink sink;
    sink_init(&sink);
    JsonStreamer *js = json_streamer_new(sink_emit, &sink);
    GString *deep = g_string_new(NULL);

    for (int i = 0; i < JSON_MAX_DEPTH; i++) {
        g_string_append_c(deep, '[');
    }
    for (int i = 0; i < JSON_MAX_DEPTH; i++) {
        g_string_append_c(deep, ']');
    }
    json_streamer_feed(js, deep->str, deep->len);  /* exactly at the limit */
    g_assert_cmpuint(sink.values->len, ==, 1);
    g_assert_cmpuint(sink.errors->len, ==, 0);

    g_string_truncate(deep, 0);
    for (int i = 0; i < 100000; i++) {
        g_string_append_c(deep, '[');
    }
    /* a lexical error (0xFF) forces the reset QEMU documents */
    g_string_append(deep, "\xff{\"after\": true}");
    json_streamer_feed(js, deep->str, deep->len);
    g_assert_cmpuint(sink.errors->len, >=, 1);
    g_assert_cmpstr(sink.errors->pdata[0], ==,
                    "JSON nesting depth limit exceeded");
    g_assert_cmpstr(sink.values->pdata[sink.values->len - 1], ==,
                    "{\"after\": true}");
    g_string_free(deep, TRUE);
    json_streamer_free(js);
    sink_free(&sink);
}

static void test_size_and_count_limits(void)
{
    Sink sink;
    sink_init(&sink);
    JsonStreamer *js = json_streamer_new(sink_emit, &sink);
    json_streamer_set_limits(js, 1000, 50, 0);
    GString *big = g_string_new("[\"");

    for (int i = 0; i < 5000; i++) {
        g_string_append_c(big, 'x');
    }
    g_string_append(big, "\"]\n");
    json_streamer_feed(js, big->str, big->len);
    g_assert_cmpuint(sink.errors->len, >=, 1);
    g_assert_cmpstr(sink.errors->pdata[0], ==,
                    "JSON token size limit exceeded");

    g_ptr_array_set_size(sink.errors, 0);
    g_string_assign(big, "\n[");
    for (int i = 0; i < 100; i++) {
        g_string_append(big, "1,");
    }
    g_string_append(big, "1]\n");
    json_streamer_feed(js, big->str, big->len);
    g_assert_cmpuint(sink.errors->len, >=, 1);
    g_assert_cmpstr(sink.errors->pdata[0], ==,
                    "JSON token count limit exceeded");

    g_ptr_array_set_size(sink.values, 0);
    json_streamer_feed(js, "\n[1]", 4);
    g_assert_cmpuint(sink.values->len, ==, 1);
    g_string_free(big, TRUE);
    json_streamer_free(js);
    sink_free(&sink);
}

static void test_writer_escapes_like_qemu(void)
{
    QString *s = qstring_from_str("q\" b\\ \x01 \x7f \xff end");
    char *j = qobject_to_json(QOBJECT(s));

    g_assert_cmpstr(j, ==,
                    "\"q\\\" b\\\\ \\u0001 \\u007F \\uFFFD end\"");
    g_free(j);
    qobject_unref(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/json/round-trip-compact", test_round_trip_compact);
    g_test_add_func("/json/pretty-output", test_pretty_output);
    g_test_add_func("/json/bad-input-table", test_bad_input_table);
    g_test_add_func("/json/stream-byte-by-byte", test_stream_byte_by_byte);
    g_test_add_func("/json/error-then-resync", test_error_then_resync);
    g_test_add_func("/json/nesting-limit", test_nesting_limit);
    g_test_add_func("/json/size-and-count-limits",
                    test_size_and_count_limits);
    g_test_add_func("/json/writer-escapes-like-qemu",
                    test_writer_escapes_like_qemu);
    return g_test_run();
}
