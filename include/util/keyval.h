/*
 * keyval: QEMU's option-argument syntax, "key=val,key2=val2".
 *
 * Used by the command line (cli/) to split -machine, -device, -object,
 * -chardev ... arguments, and by anything else that accepts the same
 * syntax (HMP device_add). The parser knows no option: the caller names
 * the implied first key and validates keys and values afterwards.
 *
 * Syntax handled (keyval_parse):
 *   "key=val,key2=val2"    pairs, in order
 *   "val,key2=val2"        the first element without '=' is the value of
 *                          the implied key (if the caller gives one)
 *   "a=x,,y"               ",," is a literal comma inside a value
 *   "help" / "?"           anywhere, as the implied value, or as the
 *                          implied key's value ("driver=help"): kv->help
 *   "flag" / "noflag"      flag=on / flag=off (KEYVAL_BARE_FLAGS only)
 *   "key="                 empty value
 *   "a.b=c"                nested keys stay dotted strings
 * JSON arguments ("{...}") are not handled here: util sits below qobject/,
 * so cli/ converts them (cli_opts_parse in include/cli/opts.h) into the
 * same KeyvalList shape: dotted keys, values as strings.
 * Duplicate keys keep every occurrence in order; keyval_get() returns the
 * last one (last wins) and keyval_get_all() all of them (list options).
 *
 * A KeyvalList is a plain value: no locking; one owner frees it.
 */
#ifndef UTIL_KEYVAL_H
#define UTIL_KEYVAL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct KeyvalPair {
    char *key;
    char *value;
} KeyvalPair;

typedef struct KeyvalList {
    GPtrArray *pairs;   /* KeyvalPair *, every occurrence, in order */
    GHashTable *map;    /* key -> last value (strings owned by the table) */
    bool help;          /* "help" or "?" appeared */
} KeyvalList;

typedef enum {
    KEYVAL_DEFAULT = 0,
    /* bare "flag" means flag=on and "noflag" flag=off (QemuOpts style). */
    KEYVAL_BARE_FLAGS = 1 << 0,
} KeyvalFlags;

KeyvalList *keyval_new(void);
void keyval_free(KeyvalList *kv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(KeyvalList, keyval_free)

/* Append key=value (copied); the map's value for key becomes value. */
void keyval_add(KeyvalList *kv, const char *key, const char *value);

/*
 * Parse str. implied_key may be NULL (then a bare element is a flag with
 * KEYVAL_BARE_FLAGS, else an error). Returns NULL and sets errp on a
 * syntax error, with QEMU's wording ("Expected '=' after parameter 'x'",
 * "Invalid parameter 'x'", ...).
 */
KeyvalList *keyval_parse(const char *str, const char *implied_key,
                         KeyvalFlags flags, GError **errp);

/* Last value of key, or NULL. */
const char *keyval_get(const KeyvalList *kv, const char *key);
bool keyval_has(const KeyvalList *kv, const char *key);
/* Every value of key in order (a new array of borrowed strings; free with
 * g_ptr_array_unref). */
GPtrArray *keyval_get_all(const KeyvalList *kv, const char *key);
/* Remove every occurrence of key. */
void keyval_remove(KeyvalList *kv, const char *key);
/* Number of distinct keys. */
guint keyval_count(const KeyvalList *kv);

/*
 * Check every key against a NULL-terminated list of allowed names; an entry
 * ending in ".*" allows any "prefix.something" key. On the first unknown
 * key: error "Invalid parameter 'key'" and false.
 */
bool keyval_check_keys(const KeyvalList *kv, const char *const *allowed,
                       GError **errp);

/* Typed getters: false with QEMU's wording if present and malformed;
 * *out untouched when the key is absent. */
bool keyval_get_bool(const KeyvalList *kv, const char *key, bool *out,
                     GError **errp);
bool keyval_get_uint(const KeyvalList *kv, const char *key, uint64_t *out,
                     GError **errp);
bool keyval_get_size(const KeyvalList *kv, const char *key, uint64_t *out,
                     GError **errp);
/* Value must be one of a NULL-terminated list; returns its index, -1 if
 * absent, -2 with "Parameter 'key' does not accept value 'v'". */
int keyval_get_enum(const KeyvalList *kv, const char *key,
                    const char *const *choices, GError **errp);

/* A new GHashTable string->string (copies) of the last values: what
 * qdev_device_add() and chardev_new() take. */
GHashTable *keyval_to_hash(const KeyvalList *kv);

/* Back to "k=v,k2=v2" with commas doubled (for messages and -writeconfig). */
char *keyval_to_string(const KeyvalList *kv);

#endif
