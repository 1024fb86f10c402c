/*
 * keyval: "key=val,key2=val2" option arguments; see include/util/keyval.h.
 * The syntax follows QEMU's documented command-line conventions
 * (docs/system/invocation: ",," escapes a comma, an implied first key,
 * bare "help"/"?").
 */
#include "util/keyval.h"
#include "util/cutils.h"
#include "util/error.h"

#include <string.h>

static void pair_free(gpointer p)
{
    KeyvalPair *pair = p;

    g_free(pair->key);
    g_free(pair->value);
    g_free(pair);
}

KeyvalList *keyval_new(void)
{
    KeyvalList *kv = g_new0(KeyvalList, 1);

    kv->pairs = g_ptr_array_new_with_free_func(pair_free);
    kv->map = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return kv;
}

void keyval_free(KeyvalList *kv)
{
    if (!kv) {
        return;
    }
    g_ptr_array_unref(kv->pairs);
    g_hash_table_unref(kv->map);
    g_free(kv);
}

void keyval_add(KeyvalList *kv, const char *key, const char *value)
{
    KeyvalPair *pair = g_new(KeyvalPair, 1);

    pair->key = g_strdup(key);
    pair->value = g_strdup(value);
    g_ptr_array_add(kv->pairs, pair);
    g_hash_table_insert(kv->map, g_strdup(key), g_strdup(value));
}

static bool is_help(const char *s)
{
    return !strcmp(s, "help") || !strcmp(s, "?");
}

/*
 * Read a value starting at *p up to a single ',' or the end; ",," is a
 * literal comma. Leaves *p on the terminating ',' or NUL.
 */
static char *read_value(const char **p)
{
    GString *v = g_string_new(NULL);
    const char *s = *p;

    while (*s) {
        if (*s == ',') {
            if (s[1] != ',') {
                break;
            }
            s++; /* ",," -> "," */
        }
        g_string_append_c(v, *s);
        s++;
    }
    *p = s;
    return g_string_free(v, FALSE);
}

static bool add_bare(KeyvalList *kv, const char *word, KeyvalFlags flags,
                     GError **errp)
{
    if (is_help(word)) {
        kv->help = true;
        return true;
    }
    if (!*word) {
        error_setg(errp, "Invalid parameter ''");
        return false;
    }
    if (!(flags & KEYVAL_BARE_FLAGS)) {
        error_setg(errp, "Expected '=' after parameter '%s'", word);
        return false;
    }
    if (g_str_has_prefix(word, "no") && word[2]) {
        keyval_add(kv, word + 2, "off");
    } else {
        keyval_add(kv, word, "on");
    }
    return true;
}

KeyvalList *keyval_parse(const char *str, const char *implied_key,
                         KeyvalFlags flags, GError **errp)
{
    const char *p = str;
    bool first = true;

    g_autoptr(KeyvalList) kv = keyval_new();
    while (*p) {
        size_t n = strcspn(p, "=,");

        if (p[n] == '=') {
            g_autofree char *key = g_strndup(p, n);
            if (!*key) {
                error_setg(errp, "Invalid parameter ''");
                return NULL;
            }
            p += n + 1;
            g_autofree char *value = read_value(&p);
            if (implied_key && !strcmp(key, implied_key) && is_help(value)) {
                kv->help = true; /* "driver=help" as "help" */
            } else {
                keyval_add(kv, key, value);
            }
        } else if (first && implied_key) {
            g_autofree char *value = read_value(&p);
            if (is_help(value)) {
                kv->help = true;
            } else {
                keyval_add(kv, implied_key, value);
            }
        } else {
            g_autofree char *word = g_strndup(p, n);
            p += n;
            /* a trailing comma ends the list */
            if (!*word && !*p && !first) {
                break;
            }
            if (!add_bare(kv, word, flags, errp)) {
                return NULL;
            }
        }
        first = false;
        if (*p == ',') {
            p++;
            if (!*p) {
                break; /* "a=1," */
            }
        }
    }
    return g_steal_pointer(&kv);
}

const char *keyval_get(const KeyvalList *kv, const char *key)
{
    return g_hash_table_lookup(kv->map, key);
}

bool keyval_has(const KeyvalList *kv, const char *key)
{
    return g_hash_table_contains(kv->map, key);
}

GPtrArray *keyval_get_all(const KeyvalList *kv, const char *key)
{
    GPtrArray *all = g_ptr_array_new();

    for (guint i = 0; i < kv->pairs->len; i++) {
        KeyvalPair *pair = g_ptr_array_index(kv->pairs, i);
        if (!strcmp(pair->key, key)) {
            g_ptr_array_add(all, pair->value);
        }
    }
    return all;
}

void keyval_remove(KeyvalList *kv, const char *key)
{
    for (guint i = kv->pairs->len; i-- > 0;) {
        KeyvalPair *pair = g_ptr_array_index(kv->pairs, i);
        if (!strcmp(pair->key, key)) {
            g_ptr_array_remove_index(kv->pairs, i);
        }
    }
    g_hash_table_remove(kv->map, key);
}

guint keyval_count(const KeyvalList *kv)
{
    return g_hash_table_size(kv->map);
}

static bool key_allowed(const char *key, const char *const *allowed)
{
    for (int i = 0; allowed[i]; i++) {
        size_t len = strlen(allowed[i]);
        if (len >= 2 && !strcmp(allowed[i] + len - 2, ".*")) {
            if (!strncmp(key, allowed[i], len - 1)) {
                return true;
            }
        } else if (!strcmp(key, allowed[i])) {
            return true;
        }
    }
    return false;
}

bool keyval_check_keys(const KeyvalList *kv, const char *const *allowed,
                       GError **errp)
{
    for (guint i = 0; i < kv->pairs->len; i++) {
        KeyvalPair *pair = g_ptr_array_index(kv->pairs, i);
        if (!key_allowed(pair->key, allowed)) {
            error_setg(errp, "Invalid parameter '%s'", pair->key);
            return false;
        }
    }
    return true;
}

bool keyval_get_bool(const KeyvalList *kv, const char *key, bool *out,
                     GError **errp)
{
    const char *v = keyval_get(kv, key);

    if (v && !parse_bool(v, out)) {
        error_setg(errp, "Parameter '%s' expects 'on' or 'off'", key);
        return false;
    }
    return true;
}

bool keyval_get_uint(const KeyvalList *kv, const char *key, uint64_t *out,
                     GError **errp)
{
    const char *v = keyval_get(kv, key);

    if (v && parse_uint64(v, 0, out) < 0) {
        error_setg(errp, "Parameter '%s' expects a number", key);
        return false;
    }
    return true;
}

bool keyval_get_size(const KeyvalList *kv, const char *key, uint64_t *out,
                     GError **errp)
{
    const char *v = keyval_get(kv, key);

    if (v && parse_size(v, 1, out) < 0) {
        error_setg(errp,
                   "Parameter '%s' expects a non-negative number "
                   "below 2^64",
                   key);
        return false;
    }
    return true;
}

int keyval_get_enum(const KeyvalList *kv, const char *key,
                    const char *const *choices, GError **errp)
{
    const char *v = keyval_get(kv, key);

    if (!v) {
        return -1;
    }
    for (int i = 0; choices[i]; i++) {
        if (!strcmp(v, choices[i])) {
            return i;
        }
    }
    error_setg(errp, "Parameter '%s' does not accept value '%s'", key, v);
    return -2;
}

GHashTable *keyval_to_hash(const KeyvalList *kv)
{
    GHashTable *h =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    GHashTableIter it;
    gpointer k, v;

    g_hash_table_iter_init(&it, kv->map);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        g_hash_table_insert(h, g_strdup(k), g_strdup(v));
    }
    return h;
}

char *keyval_to_string(const KeyvalList *kv)
{
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < kv->pairs->len; i++) {
        KeyvalPair *pair = g_ptr_array_index(kv->pairs, i);
        if (i) {
            g_string_append_c(s, ',');
        }
        g_string_append_printf(s, "%s=", pair->key);
        for (const char *c = pair->value; *c; c++) {
            if (*c == ',') {
                g_string_append_c(s, ',');
            }
            g_string_append_c(s, *c);
        }
    }
    return g_string_free(s, FALSE);
}
