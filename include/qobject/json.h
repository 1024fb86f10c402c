/*
 * JSON for QMP: a streaming parser and a writer, both speaking QEMU's
 * dialect.
 *
 * Parser (json-lexer.c + json-parser.c): feed bytes as they arrive from a
 * socket with json_streamer_feed(); each complete top-level value is handed
 * to the emit callback. Extensions accepted as QEMU does: single-quoted
 * strings, \uXXXX with surrogate pairs (\u0000 is stored as the modified
 * UTF-8 pair C0 80). Rejected: invalid UTF-8, bare control characters in
 * strings, unknown keywords, nesting deeper than max_depth (1024), values
 * larger than max_bytes (64 MiB) or with more than max_tokens (2M) tokens.
 * On an error the callback gets one GError (message "JSON parse error, ...")
 * and the streamer resynchronises the way QEMU's lexer does: it skips input
 * up to the next structural character ([]{}:,), ASCII control character
 * (e.g. newline) or byte 0xFE/0xFF, so a client gets one error per bad
 * value and can force a reset by sending such a byte.
 *
 * Writer (json-writer.c): compact ("{"a": 1, "b": [true]}", QEMU's spacing)
 * or pretty (4-space indent); non-ASCII is written as \uXXXX.
 *
 * Callers: the QMP monitor (one streamer per connection), tests, tools.
 * A streamer is not thread-safe; use it from one thread.
 */
#ifndef QOBJECT_JSON_H
#define QOBJECT_JSON_H

#include "qobject/qobject.h"

#define JSON_MAX_BYTES  (64u << 20)
#define JSON_MAX_TOKENS (2u << 20)
#define JSON_MAX_DEPTH  1024

/*
 * Exactly one of value / err is non-NULL; the callee owns it (unref the
 * value, g_error_free the error).
 */
typedef void JsonEmitFn(void *opaque, QObject *value, GError *err);

typedef struct JsonStreamer JsonStreamer;

JsonStreamer *json_streamer_new(JsonEmitFn *emit, void *opaque);
/* Lower the limits (tests); 0 keeps a limit unchanged. */
void json_streamer_set_limits(JsonStreamer *s, size_t max_bytes,
                              size_t max_tokens, unsigned max_depth);
void json_streamer_feed(JsonStreamer *s, const char *buf, size_t len);
/* End of input: completes a pending number/keyword, reports a truncated value. */
void json_streamer_flush(JsonStreamer *s);
/* Forget any partial value (e.g. a new client on the same chardev). */
void json_streamer_reset(JsonStreamer *s);
void json_streamer_free(JsonStreamer *s);

/* Parse exactly one value from a string; NULL + error otherwise. */
QObject *qobject_from_json(const char *str, GError **errp);

/* Serialise; the caller frees the result. */
char *qobject_to_json(const QObject *obj);
char *qobject_to_json_pretty(const QObject *obj);
void qobject_to_json_append(GString *out, const QObject *obj, bool pretty);

/* Internal between lexer and parser. */
typedef enum {
    JSON_LCURLY, JSON_RCURLY, JSON_LSQUARE, JSON_RSQUARE, JSON_COLON,
    JSON_COMMA, JSON_INTEGER, JSON_FLOAT, JSON_KEYWORD, JSON_STRING,
} JsonTokenType;

typedef struct JsonToken {
    JsonTokenType type;
    char *text;
    size_t len;
} JsonToken;

QObject *json_parse_tokens(GPtrArray *tokens, GError **errp);

#endif
