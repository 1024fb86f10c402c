/*
 * JSON parser: turns the tokens of one balanced top-level value (from the
 * streamer in json-lexer.c) into a QObject. Recursive descent; the depth is
 * bounded by the streamer's nesting limit. Error texts follow QEMU's
 * ("JSON parse error, ...").
 */
#include "qobject/json.h"
#include "util/error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    GPtrArray *tokens;
    guint pos;
    GError *err;
} ParseCtx;

static void G_GNUC_PRINTF(2, 3) parse_error(ParseCtx *c, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    if (c->err) {
        return;
    }
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    c->err = g_error_new(KVMU_ERROR, KVMU_ERROR_GENERIC,
                         "JSON parse error, %s", msg);
    g_free(msg);
}

static JsonToken *peek(ParseCtx *c)
{
    return c->pos < c->tokens->len ? g_ptr_array_index(c->tokens, c->pos)
                                   : NULL;
}

static JsonToken *next(ParseCtx *c)
{
    JsonToken *t = peek(c);

    if (t) {
        c->pos++;
    }
    return t;
}

static int hex4(const char *p)
{
    int v = 0;

    for (int i = 0; i < 4; i++) {
        int d = g_ascii_xdigit_value(p[i]);
        if (d < 0) {
            return -1;
        }
        v = v * 16 + d;
    }
    return v;
}

/* Length of a valid UTF-8 sequence at p (at most avail bytes), or 0. */
static int utf8_valid_len(const unsigned char *p, size_t avail)
{
    unsigned cp;
    int n;

    if (p[0] < 0x80) {
        return 1;
    } else if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        n = 2;
        cp = p[0] & 0x1F;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        n = 3;
        cp = p[0] & 0x0F;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        n = 4;
        cp = p[0] & 0x07;
    } else {
        return 0;
    }
    if ((size_t)n > avail) {
        return 0;
    }
    for (int i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return n;
}

static void append_utf8(GString *out, unsigned cp)
{
    if (cp == 0) {
        /* modified UTF-8 keeps C strings NUL-free */
        g_string_append_c(out, (char)0xC0);
        g_string_append_c(out, (char)0x80);
    } else {
        g_string_append_unichar(out, cp);
    }
}

static QObject *parse_string(ParseCtx *c, JsonToken *t)
{
    const char *p = t->text + 1;
    const char *end = t->text + t->len - 1;   /* the closing quote */
    GString *out = g_string_sized_new(t->len);

    while (p < end) {
        if (*p != '\\') {
            int n = utf8_valid_len((const unsigned char *)p, end - p);
            if (!n) {
                parse_error(c, "invalid UTF-8 sequence in string");
                goto fail;
            }
            g_string_append_len(out, p, n);
            p += n;
            continue;
        }
        p++;
        switch (*p) {
        case '"': case '\'': case '\\': case '/':
            g_string_append_c(out, *p);
            p++;
            break;
        case 'b': g_string_append_c(out, '\b'); p++; break;
        case 'f': g_string_append_c(out, '\f'); p++; break;
        case 'n': g_string_append_c(out, '\n'); p++; break;
        case 'r': g_string_append_c(out, '\r'); p++; break;
        case 't': g_string_append_c(out, '\t'); p++; break;
        case 'u': {
            /* QEMU's wording quotes the escape as written */
            const char *esc = p - 1;
            int shown = (int)MIN(6, end + 1 - esc);
            int cp = end - p >= 5 ? hex4(p + 1) : -1;
            if (cp < 0) {
                parse_error(c, "%.*s is not a valid Unicode character",
                            shown, esc);
                goto fail;
            }
            p += 5;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                int lo = (end - p >= 6 && p[0] == '\\' && p[1] == 'u')
                         ? hex4(p + 2) : -1;
                if (lo < 0xDC00 || lo > 0xDFFF) {
                    parse_error(c, "%.*s is not a valid Unicode character",
                                shown, esc);
                    goto fail;
                }
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                parse_error(c, "%.*s is not a valid Unicode character",
                            shown, esc);
                goto fail;
            }
            append_utf8(out, cp);
            break;
        }
        default:
            parse_error(c, "invalid escape sequence in string");
            goto fail;
        }
    }
    return QOBJECT(qstring_take(g_string_free(out, FALSE)));

fail:
    g_string_free(out, TRUE);
    return NULL;
}

static QObject *parse_number(ParseCtx *c, JsonToken *t)
{
    char *endp;

    if (t->type == JSON_INTEGER) {
        errno = 0;
        long long v = strtoll(t->text, &endp, 10);
        if (errno != ERANGE) {
            return QOBJECT(qnum_from_int(v));
        }
        if (t->text[0] != '-') {
            errno = 0;
            unsigned long long u = strtoull(t->text, &endp, 10);
            if (errno != ERANGE) {
                return QOBJECT(qnum_from_uint(u));
            }
        }
        /* too large for 64 bits: fall back to a double, as QEMU does */
    }
    return QOBJECT(qnum_from_double(g_ascii_strtod(t->text, NULL)));
}

static QObject *parse_value(ParseCtx *c);

static QObject *parse_object(ParseCtx *c)
{
    QDict *dict = qdict_new();
    JsonToken *t = peek(c);

    if (t && t->type == JSON_RCURLY) {
        next(c);
        return QOBJECT(dict);
    }
    for (;;) {
        t = next(c);
        if (!t) {
            parse_error(c, "premature EOF");
            goto fail;
        }
        if (t->type != JSON_STRING) {
            parse_error(c, "key is not a string in object");
            goto fail;
        }
        QObject *key = parse_string(c, t);
        if (!key) {
            goto fail;
        }
        const char *k = qstring_get_str(qobject_to_qstring(key));
        t = next(c);
        if (!t || t->type != JSON_COLON) {
            parse_error(c, t ? "missing : in object pair" : "premature EOF");
            qobject_unref_impl(key);
            goto fail;
        }
        QObject *value = parse_value(c);
        if (!value) {
            qobject_unref_impl(key);
            goto fail;
        }
        if (qdict_haskey(dict, k)) {
            parse_error(c, "duplicate key");
            qobject_unref_impl(key);
            qobject_unref_impl(value);
            goto fail;
        }
        qdict_put_obj(dict, k, value);
        qobject_unref_impl(key);

        t = next(c);
        if (!t) {
            parse_error(c, "premature EOF");
            goto fail;
        }
        if (t->type == JSON_RCURLY) {
            return QOBJECT(dict);
        }
        if (t->type != JSON_COMMA) {
            parse_error(c, "expected separator in dict");
            goto fail;
        }
    }
fail:
    qobject_unref(dict);
    return NULL;
}

static QObject *parse_array(ParseCtx *c)
{
    QList *list = qlist_new();
    JsonToken *t = peek(c);

    if (t && t->type == JSON_RSQUARE) {
        next(c);
        return QOBJECT(list);
    }
    for (;;) {
        QObject *value = parse_value(c);
        if (!value) {
            goto fail;
        }
        qlist_append_obj(list, value);
        t = next(c);
        if (!t) {
            parse_error(c, "premature EOF");
            goto fail;
        }
        if (t->type == JSON_RSQUARE) {
            return QOBJECT(list);
        }
        if (t->type != JSON_COMMA) {
            parse_error(c, "expected separator in list");
            goto fail;
        }
    }
fail:
    qobject_unref(list);
    return NULL;
}

static QObject *parse_value(ParseCtx *c)
{
    JsonToken *t = next(c);

    if (!t) {
        parse_error(c, "premature EOF");
        return NULL;
    }
    switch (t->type) {
    case JSON_LCURLY:
        return parse_object(c);
    case JSON_LSQUARE:
        return parse_array(c);
    case JSON_STRING:
        return parse_string(c, t);
    case JSON_INTEGER:
    case JSON_FLOAT:
        return parse_number(c, t);
    case JSON_KEYWORD:
        if (!strcmp(t->text, "true")) {
            return QOBJECT(qbool_from_bool(true));
        } else if (!strcmp(t->text, "false")) {
            return QOBJECT(qbool_from_bool(false));
        } else if (!strcmp(t->text, "null")) {
            return QOBJECT(qnull());
        }
        parse_error(c, "invalid keyword '%.32s'", t->text);
        return NULL;
    default:
        parse_error(c, "expecting value");
        return NULL;
    }
}

QObject *json_parse_tokens(GPtrArray *tokens, GError **errp)
{
    ParseCtx c = { tokens, 0, NULL };
    QObject *value = parse_value(&c);

    if (value && c.pos != tokens->len) {
        parse_error(&c, "unexpected token after value");
        qobject_unref_impl(value);
        value = NULL;
    }
    if (!value) {
        g_propagate_error(errp, c.err);
        return NULL;
    }
    return value;
}
