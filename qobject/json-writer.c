/*
 * JSON writer in QEMU's style: compact output separates with ", " and ": ";
 * pretty output indents by 4 spaces. Strings are escaped as QEMU does:
 * quote, backslash and control characters as escapes, every non-ASCII
 * character as \uXXXX (surrogate pairs above U+FFFF), the stored C0 80 as
 * \u0000 and any invalid UTF-8 byte as \uFFFD.
 */
#include "qobject/json.h"

static void write_string(GString *out, const char *str)
{
    const unsigned char *p = (const unsigned char *)str;

    g_string_append_c(out, '"');
    while (*p) {
        unsigned char c = *p;

        if (c < 0x80) {
            switch (c) {
            case '"': g_string_append(out, "\\\""); break;
            case '\\': g_string_append(out, "\\\\"); break;
            case '\b': g_string_append(out, "\\b"); break;
            case '\f': g_string_append(out, "\\f"); break;
            case '\n': g_string_append(out, "\\n"); break;
            case '\r': g_string_append(out, "\\r"); break;
            case '\t': g_string_append(out, "\\t"); break;
            default:
                if (c < 0x20 || c == 0x7F) {
                    g_string_append_printf(out, "\\u%04X", c);
                } else {
                    g_string_append_c(out, c);
                }
            }
            p++;
            continue;
        }
        if (c == 0xC0 && p[1] == 0x80) {
            g_string_append(out, "\\u0000");
            p += 2;
            continue;
        }
        gunichar cp = g_utf8_get_char_validated((const char *)p, -1);
        if (cp == (gunichar)-1 || cp == (gunichar)-2) {
            g_string_append(out, "\\uFFFD");
            p++;
            continue;
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            g_string_append_printf(out, "\\u%04X\\u%04X",
                                   0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
        } else {
            g_string_append_printf(out, "\\u%04X", cp);
        }
        p = (const unsigned char *)g_utf8_next_char(p);
    }
    g_string_append_c(out, '"');
}

static void indent(GString *out, bool pretty, int level)
{
    if (pretty) {
        g_string_append_c(out, '\n');
        for (int i = 0; i < level; i++) {
            g_string_append(out, "    ");
        }
    }
}

static void write_value(GString *out, const QObject *obj, bool pretty,
                        int level)
{
    switch (qobject_type(obj)) {
    case QTYPE_QNULL:
        g_string_append(out, "null");
        break;
    case QTYPE_QBOOL:
        g_string_append(out, ((QBool *)obj)->value ? "true" : "false");
        break;
    case QTYPE_QNUM: {
        char *s = qnum_to_string((QNum *)obj);
        g_string_append(out, s);
        g_free(s);
        break;
    }
    case QTYPE_QSTRING:
        write_string(out, ((QString *)obj)->str);
        break;
    case QTYPE_QDICT: {
        const QDict *d = (QDict *)obj;
        g_string_append_c(out, '{');
        for (const QDictEntry *e = qdict_first(d); e; e = qdict_next(d, e)) {
            if (e != qdict_first(d)) {
                g_string_append(out, pretty ? "," : ", ");
            }
            indent(out, pretty, level + 1);
            write_string(out, e->key);
            g_string_append(out, ": ");
            write_value(out, e->value, pretty, level + 1);
        }
        if (qdict_size(d)) {
            indent(out, pretty, level);
        }
        g_string_append_c(out, '}');
        break;
    }
    case QTYPE_QLIST: {
        const QList *l = (QList *)obj;
        g_string_append_c(out, '[');
        for (size_t i = 0; i < qlist_size(l); i++) {
            if (i) {
                g_string_append(out, pretty ? "," : ", ");
            }
            indent(out, pretty, level + 1);
            write_value(out, qlist_get(l, i), pretty, level + 1);
        }
        if (qlist_size(l)) {
            indent(out, pretty, level);
        }
        g_string_append_c(out, ']');
        break;
    }
    default:
        g_string_append(out, "null");
        break;
    }
}

void qobject_to_json_append(GString *out, const QObject *obj, bool pretty)
{
    write_value(out, obj, pretty, 0);
}

char *qobject_to_json(const QObject *obj)
{
    GString *out = g_string_new(NULL);

    write_value(out, obj, false, 0);
    return g_string_free(out, FALSE);
}

char *qobject_to_json_pretty(const QObject *obj)
{
    GString *out = g_string_new(NULL);

    write_value(out, obj, true, 0);
    return g_string_free(out, FALSE);
}
