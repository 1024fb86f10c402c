/*
 * The "secret" user-creatable object (-object secret,id=ID,data=...|
 * file=...[,format=raw|base64]): passwords and keys handed to kvmu
 * without putting them on the command line in clear (libvirt passes its
 * per-domain master key this way, then every other secret encrypted with
 * it: keyid=MASTER,iv=BASE64, AES-256-CBC).
 */
#ifndef CRYPTO_SECRET_H
#define CRYPTO_SECRET_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TYPE_SECRET "secret"

/* The secret's bytes (a copy, g_free it; NUL-terminated beyond *len). */
bool secret_lookup(const char *id, uint8_t **data, size_t *len,
                   GError **errp);
/* The same as a UTF-8 string; an error if it is not valid UTF-8. */
char *secret_lookup_as_utf8(const char *id, GError **errp);

#endif
