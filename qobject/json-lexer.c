/*
 * Streaming JSON lexer and value splitter ("streamer").
 *
 * The lexer turns bytes into tokens one byte at a time, so input may arrive
 * in arbitrary pieces. The streamer counts braces and brackets and, when a
 * top-level value is balanced, hands its tokens to json_parse_tokens().
 * Error handling follows QEMU's json-lexer/json-streamer: a lexical error
 * or an exceeded limit emits one error, drops the partial value, and the
 * lexer skips input until a resynchronisation point (structural character,
 * ASCII control character other than tab, or byte 0xFE/0xFF).
 */
#include "qobject/json.h"
#include "util/error.h"

#include <string.h>

typedef enum {
    LEX_START,
    LEX_STRING,
    LEX_STRING_ESC,
    LEX_NUMBER,
    LEX_KEYWORD,
    LEX_RECOVERY,
} LexState;

struct JsonStreamer {
    JsonEmitFn *emit;
    void *opaque;

    LexState state;
    char quote;                 /* ' or " inside a string */
    GString *tok;               /* text of the token being lexed */

    GPtrArray *tokens;          /* of JsonToken *, the value being built */
    size_t token_bytes;
    int brace_count, bracket_count;

    size_t max_bytes, max_tokens;
    unsigned max_depth;
};

static void token_free(gpointer p)
{
    JsonToken *t = p;

    g_free(t->text);
    g_free(t);
}

JsonStreamer *json_streamer_new(JsonEmitFn *emit, void *opaque)
{
    JsonStreamer *s = g_new0(JsonStreamer, 1);

    s->emit = emit;
    s->opaque = opaque;
    s->tok = g_string_new(NULL);
    s->tokens = g_ptr_array_new_with_free_func(token_free);
    s->max_bytes = JSON_MAX_BYTES;
    s->max_tokens = JSON_MAX_TOKENS;
    s->max_depth = JSON_MAX_DEPTH;
    return s;
}

void json_streamer_set_limits(JsonStreamer *s, size_t max_bytes,
                              size_t max_tokens, unsigned max_depth)
{
    if (max_bytes) {
        s->max_bytes = max_bytes;
    }
    if (max_tokens) {
        s->max_tokens = max_tokens;
    }
    if (max_depth) {
        s->max_depth = max_depth;
    }
}

static void streamer_drop_value(JsonStreamer *s)
{
    g_ptr_array_set_size(s->tokens, 0);
    s->token_bytes = 0;
    s->brace_count = 0;
    s->bracket_count = 0;
}

void json_streamer_reset(JsonStreamer *s)
{
    streamer_drop_value(s);
    g_string_truncate(s->tok, 0);
    s->state = LEX_START;
}

void json_streamer_free(JsonStreamer *s)
{
    if (!s) {
        return;
    }
    g_ptr_array_free(s->tokens, TRUE);
    g_string_free(s->tok, TRUE);
    g_free(s);
}

static void streamer_emit_error(JsonStreamer *s, GError *err)
{
    streamer_drop_value(s);
    s->emit(s->opaque, NULL, err);
}

static void streamer_parse(JsonStreamer *s)
{
    GError *err = NULL;
    QObject *value = json_parse_tokens(s->tokens, &err);

    streamer_drop_value(s);
    s->emit(s->opaque, value, err);
}

/* A lexical error: report it and skip to a resynchronisation point. */
static void lexer_error(JsonStreamer *s)
{
    GError *err = g_error_new(KVMU_ERROR, KVMU_ERROR_GENERIC,
                              "JSON parse error, stray '%.*s'",
                              (int)MIN(s->tok->len, 64), s->tok->str);

    g_string_truncate(s->tok, 0);
    s->state = LEX_RECOVERY;
    streamer_emit_error(s, err);
}

static void streamer_push(JsonStreamer *s, JsonTokenType type)
{
    GError *err = NULL;
    JsonToken *t;

    switch (type) {
    case JSON_LCURLY:
        s->brace_count++;
        break;
    case JSON_RCURLY:
        s->brace_count--;
        break;
    case JSON_LSQUARE:
        s->bracket_count++;
        break;
    case JSON_RSQUARE:
        s->bracket_count--;
        break;
    default:
        break;
    }

    if (s->token_bytes + s->tok->len + 1 > s->max_bytes) {
        err = g_error_new(KVMU_ERROR, KVMU_ERROR_GENERIC,
                          "JSON token size limit exceeded");
    } else if (s->tokens->len + 1 > s->max_tokens) {
        err = g_error_new(KVMU_ERROR, KVMU_ERROR_GENERIC,
                          "JSON token count limit exceeded");
    } else if (s->brace_count + s->bracket_count > (int)s->max_depth) {
        err = g_error_new(KVMU_ERROR, KVMU_ERROR_GENERIC,
                          "JSON nesting depth limit exceeded");
    }
    if (err) {
        g_string_truncate(s->tok, 0);
        streamer_emit_error(s, err);
        return;
    }

    t = g_new(JsonToken, 1);
    t->type = type;
    t->len = s->tok->len;
    t->text = g_strndup(s->tok->str, s->tok->len);
    s->token_bytes += s->tok->len + 1;
    g_ptr_array_add(s->tokens, t);
    g_string_truncate(s->tok, 0);

    if ((s->brace_count > 0 || s->bracket_count > 0) &&
        s->brace_count >= 0 && s->bracket_count >= 0) {
        return;                 /* value still open */
    }
    streamer_parse(s);
}

static bool is_number_char(unsigned char c)
{
    return g_ascii_isdigit(c) || c == '-' || c == '+' || c == '.' ||
           c == 'e' || c == 'E';
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? ; *is_float set */
static bool number_valid(const char *p, bool *is_float)
{
    *is_float = false;
    if (*p == '-') {
        p++;
    }
    if (*p == '0') {
        p++;
    } else if (g_ascii_isdigit(*p)) {
        while (g_ascii_isdigit(*p)) {
            p++;
        }
    } else {
        return false;
    }
    if (*p == '.') {
        *is_float = true;
        p++;
        if (!g_ascii_isdigit(*p)) {
            return false;
        }
        while (g_ascii_isdigit(*p)) {
            p++;
        }
    }
    if (*p == 'e' || *p == 'E') {
        *is_float = true;
        p++;
        if (*p == '+' || *p == '-') {
            p++;
        }
        if (!g_ascii_isdigit(*p)) {
            return false;
        }
        while (g_ascii_isdigit(*p)) {
            p++;
        }
    }
    return *p == '\0';
}

static void finish_number(JsonStreamer *s)
{
    bool is_float;

    s->state = LEX_START;
    if (!number_valid(s->tok->str, &is_float)) {
        lexer_error(s);
        return;
    }
    streamer_push(s, is_float ? JSON_FLOAT : JSON_INTEGER);
}

/* Returns true if the byte was consumed, false to reprocess it in START. */
static bool lex_byte(JsonStreamer *s, unsigned char c)
{
    switch (s->state) {
    case LEX_RECOVERY:
        if (c && strchr("[]{}:,\r\n", c)) {
            s->state = LEX_START;       /* promising: reprocess it */
            return false;
        }
        if ((c < 0x20 && c != '\t') || c >= 0xFE) {
            s->state = LEX_START;       /* client-forced reset: swallow */
        }
        return true;

    case LEX_STRING:
        if (c < 0x20) {
            g_string_append_c(s->tok, c);
            lexer_error(s);
            return true;
        }
        g_string_append_c(s->tok, c);
        if (c == '\\') {
            s->state = LEX_STRING_ESC;
        } else if (c == (unsigned char)s->quote) {
            s->state = LEX_START;
            streamer_push(s, JSON_STRING);
        }
        break;

    case LEX_STRING_ESC:
        g_string_append_c(s->tok, c);
        if (c < 0x20) {
            lexer_error(s);
            return true;
        }
        s->state = LEX_STRING;
        break;

    case LEX_NUMBER:
        if (is_number_char(c)) {
            g_string_append_c(s->tok, c);
            break;
        }
        finish_number(s);
        return false;

    case LEX_KEYWORD:
        if (g_ascii_isalpha(c)) {
            g_string_append_c(s->tok, c);
            break;
        }
        s->state = LEX_START;
        streamer_push(s, JSON_KEYWORD);
        return false;

    case LEX_START:
        switch (c) {
        case ' ': case '\t': case '\r': case '\n':
            return true;
        case '{':
            g_string_append_c(s->tok, c);
            streamer_push(s, JSON_LCURLY);
            return true;
        case '}':
            g_string_append_c(s->tok, c);
            streamer_push(s, JSON_RCURLY);
            return true;
        case '[':
            g_string_append_c(s->tok, c);
            streamer_push(s, JSON_LSQUARE);
            return true;
        case ']':
            g_string_append_c(s->tok, c);
            streamer_push(s, JSON_RSQUARE);
            return true;
        case ':':
            g_string_append_c(s->tok, c);
            streamer_push(s, JSON_COLON);
            return true;
        case ',':
            g_string_append_c(s->tok, c);
            streamer_push(s, JSON_COMMA);
            return true;
        case '"': case '\'':
            g_string_append_c(s->tok, c);
            s->quote = c;
            s->state = LEX_STRING;
            return true;
        default:
            break;
        }
        g_string_append_c(s->tok, c);
        if (c == '-' || g_ascii_isdigit(c)) {
            s->state = LEX_NUMBER;
        } else if (g_ascii_isalpha(c)) {
            s->state = LEX_KEYWORD;
        } else {
            lexer_error(s);
        }
        return true;
    }

    /* a single token may not outgrow the per-value budget */
    if (s->tok->len + s->token_bytes > s->max_bytes) {
        g_string_truncate(s->tok, 0);
        s->state = LEX_RECOVERY;
        streamer_emit_error(s, g_error_new(KVMU_ERROR, KVMU_ERROR_GENERIC,
                                           "JSON token size limit exceeded"));
    }
    return true;
}

void json_streamer_feed(JsonStreamer *s, const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        while (!lex_byte(s, (unsigned char)buf[i])) {
            /* reprocess in the new state */
        }
    }
}

void json_streamer_flush(JsonStreamer *s)
{
    if (s->state == LEX_NUMBER) {
        finish_number(s);
    } else if (s->state == LEX_KEYWORD) {
        s->state = LEX_START;
        streamer_push(s, JSON_KEYWORD);
    } else if (s->state == LEX_STRING || s->state == LEX_STRING_ESC) {
        g_string_truncate(s->tok, 0);
        s->state = LEX_START;
        streamer_emit_error(s, g_error_new(KVMU_ERROR, KVMU_ERROR_GENERIC,
                                           "JSON parse error, premature EOF"));
        return;
    }
    s->state = LEX_START;
    if (s->tokens->len) {
        streamer_parse(s);
    }
}

typedef struct {
    GPtrArray *values;
    GError *err;
} CollectCtx;

static void collect_value(void *opaque, QObject *value, GError *err)
{
    CollectCtx *c = opaque;

    if (err) {
        if (!c->err) {
            c->err = err;
        } else {
            g_error_free(err);
        }
        return;
    }
    g_ptr_array_add(c->values, value);
}

QObject *qobject_from_json(const char *str, GError **errp)
{
    CollectCtx c = { g_ptr_array_new(), NULL };
    JsonStreamer *s = json_streamer_new(collect_value, &c);
    QObject *result = NULL;

    json_streamer_feed(s, str, strlen(str));
    json_streamer_flush(s);
    json_streamer_free(s);

    if (c.err) {
        g_propagate_error(errp, c.err);
    } else if (c.values->len == 0) {
        g_set_error(errp, KVMU_ERROR, KVMU_ERROR_GENERIC,
                    "JSON parse error, expecting value");
    } else if (c.values->len > 1) {
        g_set_error(errp, KVMU_ERROR, KVMU_ERROR_GENERIC,
                    "JSON parse error, more than one value");
    } else {
        result = g_ptr_array_index(c.values, 0);
        c.values->len = 0;
    }
    for (guint i = 0; i < c.values->len; i++) {
        qobject_unref_impl(g_ptr_array_index(c.values, i));
    }
    g_ptr_array_free(c.values, TRUE);
    return result;
}
