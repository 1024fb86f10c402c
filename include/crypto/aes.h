/*
 * AES-256-CBC decryption (crypto/aes.c), for encrypted secrets.
 */
#ifndef CRYPTO_AES_H
#define CRYPTO_AES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decrypt @len bytes (a multiple of 16, else false) of @in into @out (may
 * be @in); no padding is removed. */
bool aes256_cbc_decrypt(const uint8_t key[32], const uint8_t iv[16],
                        const uint8_t *in, size_t len, uint8_t *out);

#endif
