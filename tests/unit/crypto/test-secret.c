/*
 * The secret object: data= and file= (raw and base64), the lookup API
 * (bytes and UTF-8), and the errors: neither or both sources, bad base64,
 * an unreadable file, keyid/iv (refused), properties fixed once loaded,
 * lookups of a missing id or of an object that is not a secret.
 */
#include "crypto/secret.h"
#include "qom/object.h"
#include "qom/user-creatable.h"
#include "util/error.h"

#include <string.h>
#include <unistd.h>

static Object *add(const char *id, GError **errp, ...)
{
    GHashTable *h = g_hash_table_new(g_str_hash, g_str_equal);
    va_list ap;
    const char *k;

    g_hash_table_insert(h, (char *)"qom-type", (char *)"secret");
    g_hash_table_insert(h, (char *)"id", (char *)id);
    va_start(ap, errp);
    while ((k = va_arg(ap, const char *))) {
        g_hash_table_insert(h, (char *)k, va_arg(ap, char *));
    }
    va_end(ap);
    Object *obj = user_creatable_add(h, errp);
    g_hash_table_destroy(h);
    return obj;
}

static void want_error(const char *text, Object *obj, GError *err)
{
    g_assert_null(obj);
    g_assert_nonnull(err);
    if (!strstr(err->message, text)) {
        g_test_message("error: %s", err->message);
    }
    g_assert_nonnull(strstr(err->message, text));
    g_error_free(err);
}

#define WANT_ERROR(text, ...)                                                 \
    do {                                                                      \
        GError *err_ = NULL;                                                  \
        Object *o_ = add("bad", &err_, __VA_ARGS__, NULL);                    \
        want_error(text, o_, err_);                                           \
    } while (0)

static void test_sources(void)
{
    GError *err = NULL;
    g_autofree char *dir = g_dir_make_tmp("test-secret-XXXXXX", NULL);
    g_autofree char *raw = g_build_filename(dir, "raw", NULL);
    g_autofree char *b64 = g_build_filename(dir, "b64", NULL);
    uint8_t *data;
    size_t len;

    g_assert_true(g_file_set_contents(raw, "a\0b", 3, NULL));
    g_assert_true(g_file_set_contents(b64, "aGVsbG8=\n", -1, NULL));
    g_assert_nonnull(add("s1", &err, "data", "pass word", NULL));
    g_assert_nonnull(add("s2", &err, "file", raw, NULL));
    g_assert_nonnull(add("s3", &err, "file", b64, "format", "base64", NULL));
    g_assert_nonnull(add("s4", &err, "data", "AAEC", "format", "base64",
                         NULL));
    g_assert_no_error(err);

    g_autofree char *s1 = secret_lookup_as_utf8("s1", &err);
    g_assert_cmpstr(s1, ==, "pass word");
    g_assert_true(secret_lookup("s2", &data, &len, &err));
    g_assert_cmpmem(data, len, "a\0b", 3);
    g_free(data);
    g_autofree char *s3 = secret_lookup_as_utf8("s3", &err);
    g_assert_cmpstr(s3, ==, "hello");
    g_assert_true(secret_lookup("s4", &data, &len, &err));
    g_assert_cmpmem(data, len, "\0\1\2", 3);
    g_free(data);
    /* s2's NUL byte is valid UTF-8; s4 is too; 0xff is not */
    g_assert_true(g_file_set_contents(raw, "\xff\xfe", 2, NULL));
    g_assert_nonnull(add("s5", &err, "file", raw, NULL));
    g_assert_null(secret_lookup_as_utf8("s5", &err));
    g_assert_nonnull(strstr(err->message, "not valid UTF-8"));
    g_clear_error(&err);

    /* loaded: fixed */
    Object *o = object_resolve_path_component(object_get_objects_root(),
                                              "s1");
    g_assert_true(object_property_get_bool(o, "loaded", NULL));
    g_assert_false(object_property_parse(o, "data", "other", &err));
    g_assert_nonnull(strstr(err->message, "cannot be changed once loaded"));
    g_clear_error(&err);

    g_assert_false(secret_lookup("nope", &data, &len, &err));
    g_assert_nonnull(strstr(err->message, "No secret with id 'nope'"));
    g_clear_error(&err);
    unlink(raw);
    unlink(b64);
    rmdir(dir);
}

static void test_errors(void)
{
    WANT_ERROR("Either 'data' or 'file' must be provided", "format", "raw");
    WANT_ERROR("mutually exclusive", "data", "x", "file", "/dev/null");
    WANT_ERROR("invalid base64", "data", "@@@@", "format", "base64");
    WANT_ERROR("invalid base64", "data", "abc", "format", "base64");
    WANT_ERROR("invalid base64", "data", "a=bc", "format", "base64");
    WANT_ERROR("Unable to read /nonexistent/secret", "file",
               "/nonexistent/secret");
    WANT_ERROR("not supported by kvmu yet", "data", "abcd", "keyid", "s1",
               "iv", "AAAAAAAAAAAAAAAAAAAAAA==");
    WANT_ERROR("does not accept value", "data", "x", "format", "hex");
    g_assert_null(object_resolve_path_component(object_get_objects_root(),
                                                "bad"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/crypto/secret/sources", test_sources);
    g_test_add_func("/crypto/secret/errors", test_errors);
    return g_test_run();
}
