/*
 * The secret object (include/crypto/secret.h). Properties may be set until
 * the object is complete; complete() loads the bytes (from data= or the
 * file=), decodes base64 and keeps them. format=base64 data must be
 * canonical base64 (only the alphabet, '=' padding, length a multiple of
 * 4), as QEMU requires. With keyid= and iv=, the data (base64 with
 * format=base64) is AES-256-CBC ciphertext under the 32-byte secret
 * keyid names, with PKCS#7-style padding, as QEMU and libvirt use it.
 */
#include "crypto/aes.h"
#include "crypto/secret.h"
#include "qom/object.h"
#include "qom/user-creatable.h"
#include "util/error.h"

#include <string.h>

typedef struct Secret {
    Object parent;
    char *data, *file, *keyid, *iv;
    int format;                     /* 0 raw, 1 base64 */
    bool loaded;
    uint8_t *raw;
    size_t rawlen;
} Secret;

static const char *const format_names[] = { "raw", "base64", NULL };

static Secret *secret(Object *obj)
{
    return (Secret *)obj;
}

static bool allow_set(Object *obj, ObjectProperty *prop, GError **errp)
{
    if (secret(obj)->loaded) {
        error_setg(errp, "Secret properties cannot be changed once loaded");
        return false;
    }
    return true;
}

static bool base64_ok(const char *s)
{
    size_t n = strlen(s), pad = 0;

    if (n % 4) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '=') {
            pad++;
            if (i < n - 2 || pad > 2) {
                return false;
            }
        } else if (pad || !(g_ascii_isalnum(c) || c == '+' || c == '/')) {
            return false;
        }
    }
    return true;
}

/* base64 text -> bytes (g_free), NULL if not canonical base64 */
static uint8_t *b64_decode(const char *text, size_t *len)
{
    gsize n;

    if (!base64_ok(text)) {
        return NULL;
    }
    uint8_t *d = g_base64_decode(text, &n);
    *len = n;
    return d;
}

/* Decrypt @in (@len bytes) with secret @keyid and base64 @iv into *out */
static bool decrypt(const char *keyid, const char *iv_b64, const uint8_t *in,
                    size_t len, uint8_t **out, size_t *outlen, GError **errp)
{
    uint8_t *key = NULL, *iv = NULL;
    size_t keylen = 0, ivlen = 0;
    bool ok = false;

    if (!secret_lookup(keyid, &key, &keylen, errp)) {
        return false;
    }
    if (keylen != 32) {
        error_setg(errp, "Key secret size %zu != 32", keylen);
        goto out;
    }
    if (!iv_b64 || !(iv = b64_decode(iv_b64, &ivlen)) || ivlen != 16) {
        error_setg(errp, "IV size %zu != 16", iv ? ivlen : (size_t)0);
        goto out;
    }
    *out = g_malloc(len + 1);
    if (!len || !aes256_cbc_decrypt(key, iv, in, len, *out)) {
        error_setg(errp, "Invalid ciphertext length %zu: not a multiple of "
                   "the AES block size", len);
        g_free(*out);
        *out = NULL;
        goto out;
    }
    uint8_t pad = (*out)[len - 1];
    if (pad == 0 || pad > 16 || pad > len) {
        error_setg(errp, "Incorrect number of padding bytes (%u) found on "
                   "decrypted data", pad);
        memset(*out, 0, len);
        g_free(*out);
        *out = NULL;
        goto out;
    }
    *outlen = len - pad;
    (*out)[*outlen] = 0;
    ok = true;
out:
    if (key) {
        memset(key, 0, keylen);
    }
    g_free(key);
    g_free(iv);
    return ok;
}

static bool secret_complete(Object *obj, GError **errp)
{
    Secret *s = secret(obj);
    g_autofree char *buf = NULL;
    gsize len;

    if (s->data && s->file) {
        error_setg(errp, "'data' and 'file' are mutually exclusive");
        return false;
    }
    if (!s->data && !s->file) {
        error_setg(errp, "Either 'data' or 'file' must be provided");
        return false;
    }
    if (s->iv && !s->keyid) {
        error_setg(errp, "'iv' requires 'keyid'");
        return false;
    }
    if (s->file) {
        GError *e = NULL;
        if (!g_file_get_contents(s->file, &buf, &len, &e)) {
            error_setg(errp, "Unable to read %s: %s", s->file, e->message);
            g_error_free(e);
            return false;
        }
    } else {
        buf = g_strdup(s->data);
        len = strlen(buf);
    }
    if (s->keyid) {
        g_autofree uint8_t *ct = NULL;
        size_t ctlen = len;
        if (s->format == 1) {
            if (s->file && len && buf[len - 1] == '\n') {
                buf[--len] = '\0';
            }
            if (strlen(buf) != len || !(ct = b64_decode(buf, &ctlen))) {
                error_setg(errp, "Unable to decode secret: invalid base64 "
                           "data");
                return false;
            }
        } else {
            ct = g_memdup2(buf, len);
        }
        if (!decrypt(s->keyid, s->iv, ct, ctlen, &s->raw, &s->rawlen,
                     errp)) {
            return false;
        }
    } else if (s->format == 1) {
        /* a file may end with a newline; the data itself may not */
        if (s->file && len && buf[len - 1] == '\n') {
            buf[--len] = '\0';
        }
        if (strlen(buf) != len || !base64_ok(buf)) {
            error_setg(errp, "Unable to decode secret: invalid base64 data");
            return false;
        }
        gsize n;
        guchar *dec = g_base64_decode(buf, &n);
        s->raw = g_realloc(dec, n + 1);
        s->raw[n] = 0;
        s->rawlen = n;
    } else {
        s->raw = g_malloc(len + 1);
        memcpy(s->raw, buf, len);
        s->raw[len] = 0;
        s->rawlen = len;
    }
    s->loaded = true;
    return true;
}

static void secret_finalize(Object *obj)
{
    Secret *s = secret(obj);

    if (s->raw) {
        memset(s->raw, 0, s->rawlen);   /* not left in freed memory */
        g_free(s->raw);
    }
}

#define STR_FIELD(name_, member)                                              \
    { .kind = OBJ_PROP_STRING, .offset = offsetof(Secret, member),            \
      .allow_set = allow_set }

static const struct {
    const char *name, *desc;
    ObjectField f;
} secret_props[] = {
    { "data", "the secret's value", STR_FIELD("data", data) },
    { "file", "a file holding the secret's value", STR_FIELD("file", file) },
    { "keyid", "the secret that encrypts this one", STR_FIELD("keyid",
                                                                 keyid) },
    { "iv", "the AES initialization vector (base64)", STR_FIELD("iv", iv) },
    { "format", "raw or base64",
      { .kind = OBJ_PROP_ENUM, .offset = offsetof(Secret, format),
        .type_name = "QCryptoSecretFormat", .enum_table = format_names,
        .allow_set = allow_set } },
};

static bool get_loaded(Object *obj, GError **errp)
{
    return secret(obj)->loaded;
}

static void secret_class_init(ObjectClass *oc, void *data)
{
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(oc);

    ucc->complete = secret_complete;
    for (size_t i = 0; i < G_N_ELEMENTS(secret_props); i++) {
        object_class_property_add_field(oc, secret_props[i].name,
                                        &secret_props[i].f);
        object_class_property_set_description(oc, secret_props[i].name,
                                              secret_props[i].desc);
    }
    object_class_property_add_bool(oc, "loaded", get_loaded, NULL);
}

static const InterfaceInfo secret_ifaces[] = {
    { TYPE_USER_CREATABLE }, { NULL }
};

static const TypeInfo secret_info = {
    .name = TYPE_SECRET,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(Secret),
    .instance_finalize = secret_finalize,
    .class_init = secret_class_init,
    .interfaces = secret_ifaces,
};

static void secret_register_types(void)
{
    type_register_static(&secret_info);
}

type_init(secret_register_types)

bool secret_lookup(const char *id, uint8_t **data, size_t *len,
                   GError **errp)
{
    Object *obj = id ? object_resolve_path_component(
                           object_get_objects_root(), id) : NULL;

    if (!obj) {
        error_setg(errp, "No secret with id '%s'", id ? id : "");
        return false;
    }
    if (!object_dynamic_cast(obj, TYPE_SECRET)) {
        error_setg(errp, "Object with id '%s' is not a secret", id);
        return false;
    }
    Secret *s = secret(obj);
    *data = g_memdup2(s->raw, s->rawlen + 1);
    *len = s->rawlen;
    return true;
}

char *secret_lookup_as_utf8(const char *id, GError **errp)
{
    uint8_t *data;
    size_t len;

    if (!secret_lookup(id, &data, &len, errp)) {
        return NULL;
    }
    if (!g_utf8_validate((const char *)data, (gssize)len, NULL)) {
        error_setg(errp, "Data from secret %s is not valid UTF-8", id);
        memset(data, 0, len);
        g_free(data);
        return NULL;
    }
    return (char *)data;
}
