/*
 * AES-256 decryption (FIPS-197) in CBC mode (NIST SP 800-38A), for
 * secrets encrypted with a master key (crypto/secret.c). Byte-oriented
 * and table-light: secrets are a few hundred bytes, speed does not
 * matter; the S-boxes are computed once from their definition (the
 * multiplicative inverse in GF(2^8) followed by the affine map).
 */
#include "crypto/aes.h"

#include <string.h>

static uint8_t sbox[256], inv_sbox[256];

static uint8_t xtime(uint8_t x)
{
    return (uint8_t)((x << 1) ^ ((x & 0x80) ? 0x1b : 0));
}

static uint8_t gmul(uint8_t a, uint8_t b)
{
    uint8_t r = 0;

    while (b) {
        if (b & 1) {
            r ^= a;
        }
        a = xtime(a);
        b >>= 1;
    }
    return r;
}

static uint8_t rotl8(uint8_t x, unsigned n)
{
    return (uint8_t)((x << n) | (x >> (8 - n)));
}

static void init_sboxes(void)
{
    static bool done;

    if (done) {
        return;
    }
    for (unsigned x = 0; x < 256; x++) {
        uint8_t inv = 0;
        for (unsigned y = 1; x && y < 256; y++) {
            if (gmul((uint8_t)x, (uint8_t)y) == 1) {
                inv = (uint8_t)y;
                break;
            }
        }
        uint8_t s = inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^
                    rotl8(inv, 4) ^ 0x63;
        sbox[x] = s;
        inv_sbox[s] = (uint8_t)x;
    }
    done = true;
}

/* 15 round keys of 16 bytes from the 32-byte key */
static void expand_key(const uint8_t key[32], uint8_t rk[240])
{
    uint8_t rcon = 1;

    memcpy(rk, key, 32);
    for (unsigned i = 8; i < 60; i++) {
        uint8_t t[4];
        memcpy(t, rk + (i - 1) * 4, 4);
        if (i % 8 == 0) {
            uint8_t t0 = t[0];
            t[0] = sbox[t[1]] ^ rcon;
            t[1] = sbox[t[2]];
            t[2] = sbox[t[3]];
            t[3] = sbox[t0];
            rcon = xtime(rcon);
        } else if (i % 8 == 4) {
            for (int k = 0; k < 4; k++) {
                t[k] = sbox[t[k]];
            }
        }
        for (int k = 0; k < 4; k++) {
            rk[i * 4 + k] = rk[(i - 8) * 4 + k] ^ t[k];
        }
    }
}

static void add_round_key(uint8_t s[16], const uint8_t *k)
{
    for (int i = 0; i < 16; i++) {
        s[i] ^= k[i];
    }
}

/* state in column order: s[c * 4 + r] */
static void inv_shift_rows(uint8_t s[16])
{
    uint8_t t[16];

    for (int c = 0; c < 4; c++) {
        for (int r = 0; r < 4; r++) {
            t[((c + r) % 4) * 4 + r] = s[c * 4 + r];
        }
    }
    memcpy(s, t, 16);
}

static void inv_sub_bytes(uint8_t s[16])
{
    for (int i = 0; i < 16; i++) {
        s[i] = inv_sbox[s[i]];
    }
}

static void inv_mix_columns(uint8_t s[16])
{
    for (int c = 0; c < 4; c++) {
        uint8_t *a = s + c * 4, b[4];
        for (int r = 0; r < 4; r++) {
            b[r] = gmul(a[r], 14) ^ gmul(a[(r + 1) % 4], 11) ^
                   gmul(a[(r + 2) % 4], 13) ^ gmul(a[(r + 3) % 4], 9);
        }
        memcpy(a, b, 4);
    }
}

static void decrypt_block(const uint8_t rk[240], const uint8_t in[16],
                          uint8_t out[16])
{
    uint8_t s[16];

    memcpy(s, in, 16);
    add_round_key(s, rk + 14 * 16);
    for (int round = 13; round >= 1; round--) {
        inv_shift_rows(s);
        inv_sub_bytes(s);
        add_round_key(s, rk + round * 16);
        inv_mix_columns(s);
    }
    inv_shift_rows(s);
    inv_sub_bytes(s);
    add_round_key(s, rk);
    memcpy(out, s, 16);
}

bool aes256_cbc_decrypt(const uint8_t key[32], const uint8_t iv[16],
                        const uint8_t *in, size_t len, uint8_t *out)
{
    uint8_t rk[240], prev[16], cur[16];

    if (len % 16) {
        return false;
    }
    init_sboxes();
    expand_key(key, rk);
    memcpy(prev, iv, 16);
    for (size_t off = 0; off < len; off += 16) {
        memcpy(cur, in + off, 16);          /* in may equal out */
        decrypt_block(rk, cur, out + off);
        for (int i = 0; i < 16; i++) {
            out[off + i] ^= prev[i];
        }
        memcpy(prev, cur, 16);
    }
    memset(rk, 0, sizeof(rk));
    return true;
}
