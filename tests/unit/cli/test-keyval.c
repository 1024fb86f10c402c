/* keyval_parse(): the "key=val,..." syntax, good and bad inputs. */
#include "util/keyval.h"

#include <string.h>

typedef struct {
    const char *input;
    const char *implied;
    KeyvalFlags flags;
    const char *expect;     /* keyval_to_string() of the result, or NULL */
    bool help;
    const char *error;      /* expected error message when expect is NULL */
} KeyvalCase;

static const KeyvalCase cases[] = {
    { "a=1,b=2", NULL, 0, "a=1,b=2", false, NULL },
    { "isa-serial,id=s0", "driver", 0, "driver=isa-serial,id=s0", false, NULL },
    { "512", "size", 0, "size=512", false, NULL },
    { "4,sockets=2", "cpus", 0, "cpus=4,sockets=2", false, NULL },
    { "a=x,,y", NULL, 0, "a=x,,y", false, NULL },
    { "a=x,,,b=2", NULL, 0, "a=x,,,b=2", false, NULL },
    { "file,,name", "path", 0, "path=file,,name", false, NULL },
    { "a=", NULL, 0, "a=", false, NULL },
    { "a=,b=", NULL, 0, "a=,b=", false, NULL },
    { "a=1,", NULL, 0, "a=1", false, NULL },
    { "", NULL, 0, "", false, NULL },
    { "a.b=c,a.d=e", NULL, 0, "a.b=c,a.d=e", false, NULL },
    { "a=1,a=2", NULL, 0, "a=1,a=2", false, NULL },
    { "a=b=c", NULL, 0, "a=b=c", false, NULL },
    { "help", "driver", 0, "", true, NULL },
    { "?", "driver", 0, "", true, NULL },
    { "e1000,help", "driver", 0, "driver=e1000", true, NULL },
    { "a=1,?", NULL, 0, "a=1", true, NULL },
    { "driver=help", "driver", 0, "", true, NULL },
    { "driver=?,id=x", "driver", 0, "id=x", true, NULL },
    { "id=help", "driver", 0, "id=help", false, NULL },
    { "help", NULL, 0, "", true, NULL },
    { "pc,usb", "type", KEYVAL_BARE_FLAGS, "type=pc,usb=on", false, NULL },
    { "pc,nousb", "type", KEYVAL_BARE_FLAGS, "type=pc,usb=off", false, NULL },
    { "on,no", "enable", KEYVAL_BARE_FLAGS, "enable=on,no=on", false, NULL },
    /* bad inputs */
    { "pc,usb", "type", 0, NULL, false,
      "Expected '=' after parameter 'usb'" },
    { "flag", NULL, 0, NULL, false, "Expected '=' after parameter 'flag'" },
    { "=1", NULL, 0, NULL, false, "Invalid parameter ''" },
    { "a=1,=2", NULL, 0, NULL, false, "Invalid parameter ''" },
    { ",a=1", NULL, 0, NULL, false, "Invalid parameter ''" },
    { "a=1,,", NULL, 0, "a=1,,", false, NULL },
    { "a=1,,,", NULL, 0, "a=1,,", false, NULL },
};

static void test_keyval_syntax_table(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const KeyvalCase *c = &cases[i];
        GError *err = NULL;
        KeyvalList *kv = keyval_parse(c->input, c->implied, c->flags, &err);

        if (!c->expect) {
            if (kv || !err || strcmp(err->message, c->error)) {
                g_test_message("input '%s': expected error '%s', got %s",
                               c->input, c->error,
                               err ? err->message : "success");
                g_test_fail();
            }
            g_clear_error(&err);
            keyval_free(kv);
            continue;
        }
        if (!kv) {
            g_test_message("input '%s': unexpected error '%s'", c->input,
                           err->message);
            g_test_fail();
            g_clear_error(&err);
            continue;
        }
        char *got = keyval_to_string(kv);
        if (strcmp(got, c->expect) || kv->help != c->help) {
            g_test_message("input '%s': expected '%s' help=%d, got '%s' "
                           "help=%d", c->input, c->expect, c->help, got,
                           kv->help);
            g_test_fail();
        }
        g_free(got);
        keyval_free(kv);
    }
}

static void test_keyval_last_wins_and_all_kept(void)
{
    KeyvalList *kv = keyval_parse("a=1,b=x,a=2,a=3", NULL, 0, NULL);

    g_assert_nonnull(kv);
    g_assert_cmpstr(keyval_get(kv, "a"), ==, "3");
    g_assert_cmpuint(keyval_count(kv), ==, 2);
    GPtrArray *all = keyval_get_all(kv, "a");
    g_assert_cmpuint(all->len, ==, 3);
    g_assert_cmpstr(g_ptr_array_index(all, 0), ==, "1");
    g_assert_cmpstr(g_ptr_array_index(all, 2), ==, "3");
    g_ptr_array_unref(all);
    keyval_remove(kv, "a");
    g_assert_null(keyval_get(kv, "a"));
    g_assert_cmpuint(kv->pairs->len, ==, 1);
    keyval_free(kv);
}

static void test_keyval_check_keys_names_unknown_key(void)
{
    static const char *const allowed[] = { "id", "chardev", "numa.*", NULL };
    GError *err = NULL;
    KeyvalList *kv = keyval_parse("id=a,numa.node=1,bogus=2", NULL, 0, NULL);

    g_assert_false(keyval_check_keys(kv, allowed, &err));
    g_assert_cmpstr(err->message, ==, "Invalid parameter 'bogus'");
    g_clear_error(&err);
    keyval_remove(kv, "bogus");
    g_assert_true(keyval_check_keys(kv, allowed, &err));
    keyval_free(kv);
}

static void test_keyval_typed_getters(void)
{
    static const char *const modes[] = { "none", "slew", NULL };
    GError *err = NULL;
    KeyvalList *kv = keyval_parse("b=on,n=0x10,s=2M,e=slew,bad=maybe,"
                                  "nn=12x,ss=1Q,ee=fast", NULL, 0, NULL);
    bool b = false;
    uint64_t u = 0;

    g_assert_true(keyval_get_bool(kv, "b", &b, &err) && b);
    g_assert_true(keyval_get_uint(kv, "n", &u, &err) && u == 16);
    g_assert_true(keyval_get_size(kv, "s", &u, &err) && u == 2 << 20);
    g_assert_cmpint(keyval_get_enum(kv, "e", modes, &err), ==, 1);
    g_assert_cmpint(keyval_get_enum(kv, "absent", modes, &err), ==, -1);
    u = 7;
    g_assert_true(keyval_get_uint(kv, "absent", &u, &err) && u == 7);

    g_assert_false(keyval_get_bool(kv, "bad", &b, &err));
    g_assert_cmpstr(err->message, ==, "Parameter 'bad' expects 'on' or 'off'");
    g_clear_error(&err);
    g_assert_false(keyval_get_uint(kv, "nn", &u, &err));
    g_assert_cmpstr(err->message, ==, "Parameter 'nn' expects a number");
    g_clear_error(&err);
    g_assert_false(keyval_get_size(kv, "ss", &u, &err));
    g_assert_cmpstr(err->message, ==, "Parameter 'ss' expects a non-negative "
                    "number below 2^64");
    g_clear_error(&err);
    g_assert_cmpint(keyval_get_enum(kv, "ee", modes, &err), ==, -2);
    g_assert_cmpstr(err->message, ==,
                    "Parameter 'ee' does not accept value 'fast'");
    g_clear_error(&err);
    keyval_free(kv);
}

static void test_keyval_to_hash_copies_last_values(void)
{
    KeyvalList *kv = keyval_parse("e1000,id=n0,id=n1", "driver", 0, NULL);
    GHashTable *h = keyval_to_hash(kv);

    keyval_free(kv);
    g_assert_cmpstr(g_hash_table_lookup(h, "driver"), ==, "e1000");
    g_assert_cmpstr(g_hash_table_lookup(h, "id"), ==, "n1");
    g_assert_cmpuint(g_hash_table_size(h), ==, 2);
    g_hash_table_unref(h);
}

/*
 * Random inputs over the syntax's alphabet: never crash, and whatever
 * parses prints back (keyval_to_string) to a string that parses to the
 * same pairs.
 */
static void test_keyval_random_inputs_roundtrip(void)
{
    static const char alphabet[] = "ab=,.?{}help no";
    GRand *rand = g_rand_new_with_seed(42);

    for (int iter = 0; iter < 20000; iter++) {
        char buf[24];
        int len = g_rand_int_range(rand, 0, sizeof(buf));
        for (int i = 0; i < len; i++) {
            buf[i] = alphabet[g_rand_int_range(rand, 0, sizeof(alphabet) - 1)];
        }
        buf[len] = 0;
        KeyvalFlags flags = iter & 1 ? KEYVAL_BARE_FLAGS : 0;
        const char *implied = iter & 2 ? "driver" : NULL;
        KeyvalList *kv = keyval_parse(buf, implied, flags, NULL);
        if (!kv) {
            continue;
        }
        char *printed = keyval_to_string(kv);
        KeyvalList *again = keyval_parse(printed, NULL, 0, NULL);
        g_assert_nonnull(again);
        g_assert_cmpuint(again->pairs->len, ==, kv->pairs->len);
        for (guint i = 0; i < kv->pairs->len; i++) {
            KeyvalPair *a = g_ptr_array_index(kv->pairs, i);
            KeyvalPair *b = g_ptr_array_index(again->pairs, i);
            g_assert_cmpstr(a->key, ==, b->key);
            g_assert_cmpstr(a->value, ==, b->value);
        }
        keyval_free(again);
        g_free(printed);
        keyval_free(kv);
    }
    g_rand_free(rand);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/keyval/syntax-table", test_keyval_syntax_table);
    g_test_add_func("/keyval/last-wins-and-all-kept",
                    test_keyval_last_wins_and_all_kept);
    g_test_add_func("/keyval/check-keys-names-unknown-key",
                    test_keyval_check_keys_names_unknown_key);
    g_test_add_func("/keyval/typed-getters", test_keyval_typed_getters);
    g_test_add_func("/keyval/to-hash-copies-last-values",
                    test_keyval_to_hash_copies_last_values);
    g_test_add_func("/keyval/random-inputs-roundtrip",
                    test_keyval_random_inputs_roundtrip);
    return g_test_run();
}
