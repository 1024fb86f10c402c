/*
 * The secret object: data= and file= (raw and base64), the lookup API
 * (bytes and UTF-8), and the errors: neither or both sources, bad base64,
 * an unreadable file, keyid/iv (refused), properties fixed once loaded,
 * lookups of a missing id or of an object that is not a secret; AES-256
 * against FIPS-197 and SP 800-38A vectors, and a secret encrypted with a
 * master key by openssl (as libvirt does).
 */
#include "crypto/aes.h"
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
    WANT_ERROR("'iv' requires 'keyid'", "data", "abcd", "iv",
               "AAAAAAAAAAAAAAAAAAAAAA==");
    WANT_ERROR("does not accept value", "data", "x", "format", "hex");
    g_assert_null(object_resolve_path_component(object_get_objects_root(),
                                                "bad"));
}

static void unhex(const char *h, uint8_t *out)
{
    for (size_t i = 0; h[2 * i]; i++) {
        char b[3] = { h[2 * i], h[2 * i + 1], 0 };
        out[i] = (uint8_t)strtoul(b, NULL, 16);
    }
}

static void test_aes_vectors(void)
{
    uint8_t key[32], iv[16] = { 0 }, ct[32], pt[32], want[32];

    /* FIPS-197 C.3: one block, IV 0 (CBC of one block = ECB ^ IV) */
    unhex("000102030405060708090a0b0c0d0e0f"
          "101112131415161718191a1b1c1d1e1f", key);
    unhex("8ea2b7ca516745bfeafc49904b496089", ct);
    unhex("00112233445566778899aabbccddeeff", want);
    g_assert_true(aes256_cbc_decrypt(key, iv, ct, 16, pt));
    g_assert_cmpmem(pt, 16, want, 16);
    /* SP 800-38A F.2.6 CBC-AES256.Decrypt, two blocks */
    unhex("603deb1015ca71be2b73aef0857d7781"
          "1f352c073b6108d72d9810a30914dff4", key);
    unhex("000102030405060708090a0b0c0d0e0f", iv);
    unhex("f58c4c04d6e5f1ba779eabfb5f7bfbd6"
          "9cfc4e967edb808d679f777bc6702c7d", ct);
    unhex("6bc1bee22e409f96e93d7e117393172a"
          "ae2d8a571e03ac9c9eb76fac45af8e51", want);
    g_assert_true(aes256_cbc_decrypt(key, iv, ct, 32, pt));
    g_assert_cmpmem(pt, 32, want, 32);
    g_assert_true(aes256_cbc_decrypt(key, iv, ct, 32, ct));  /* in place */
    g_assert_cmpmem(ct, 32, want, 32);
    g_assert_false(aes256_cbc_decrypt(key, iv, ct, 17, pt));
}

/* libvirt's scheme: a 32-byte master key secret, others encrypted with it
 * (ciphertext and IV base64); made with `openssl enc -aes-256-cbc` */
static void test_encrypted(void)
{
    GError *err = NULL;

    g_assert_nonnull(add("master", &err, "data",
                         "0123456789abcdef0123456789abcdef", NULL));
    g_assert_nonnull(add("pw", &err, "data",
                         "oHk5H7WR+5ui/Dt3VL4TEbWO6fdc99q9AoxeOCodDsI=",
                         "format", "base64", "keyid", "master",
                         "iv", "AAECAwQFBgcICQoLDA0ODw==", NULL));
    g_assert_no_error(err);
    g_autofree char *pw = secret_lookup_as_utf8("pw", &err);
    g_assert_cmpstr(pw, ==, "libvirt-secret-pw");

    /* wrong IV: the first block decrypts to garbage; the padding byte of
     * the last block is still right (CBC), so only the text differs */
    g_assert_nonnull(add("pw2", &err, "data",
                         "oHk5H7WR+5ui/Dt3VL4TEbWO6fdc99q9AoxeOCodDsI=",
                         "format", "base64", "keyid", "master",
                         "iv", "AAAAAAAAAAAAAAAAAAAAAA==", NULL));
    uint8_t *d;
    size_t n;
    g_assert_true(secret_lookup("pw2", &d, &n, &err));
    g_assert_cmpuint(n, ==, 17);
    g_assert_true(memcmp(d, "libvirt-secret-pw", 17) != 0);
    g_free(d);

    g_assert_nonnull(add("short", &err, "data", "abc", NULL));
    WANT_ERROR("Key secret size 3 != 32", "data", "AAAAAAAAAAAAAAAAAAAAAA==",
               "format", "base64", "keyid", "short", "iv",
               "AAECAwQFBgcICQoLDA0ODw==");
    WANT_ERROR("No secret with id 'nokey'", "data", "abcd", "keyid",
               "nokey", "iv", "AAECAwQFBgcICQoLDA0ODw==");
    WANT_ERROR("IV size", "data", "AAAAAAAAAAAAAAAAAAAAAA==", "format",
               "base64", "keyid", "master", "iv", "AAAA");
    WANT_ERROR("IV size", "data", "AAAAAAAAAAAAAAAAAAAAAA==", "format",
               "base64", "keyid", "master");
    WANT_ERROR("not a multiple", "data", "AAAAAAAAAAAAAAAAAAAAAAAA",
               "format", "base64", "keyid", "master", "iv",
               "AAECAwQFBgcICQoLDA0ODw==");
    /* these 16 bytes decrypt (openssl -nopad) to ...77 13: a padding
     * byte of 0x13 is refused, not used as a length */
    WANT_ERROR("padding", "data", "0123456789abcdef", "keyid", "master",
               "iv", "AAECAwQFBgcICQoLDA0ODw==");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/crypto/aes/vectors", test_aes_vectors);
    g_test_add_func("/crypto/secret/encrypted", test_encrypted);
    g_test_add_func("/crypto/secret/sources", test_sources);
    g_test_add_func("/crypto/secret/errors", test_errors);
    return g_test_run();
}
