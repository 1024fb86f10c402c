/*
 * Decompress a bzImage payload on the host (Documentation/arch/x86/
 * boot.rst, fields payload_offset/payload_length, protocol 2.08+), with
 * the distro's libraries: zlib (gzip), libbz2, liblzma (xz and the legacy
 * .lzma format), liblz4 (the kernel uses lz4's legacy frame: magic, then
 * blocks of [32-bit compressed size][data], each at most 8 MiB out) and
 * libzstd. The kernel build appends the uncompressed size (32-bit LE) to
 * the compressed stream; it bounds the output buffer.
 * Left out: LZO (no library at hand): reported as unsupported, so the
 * caller falls back to the kernel's own decompressor.
 */
#include "hw/i386/linux-decompress.h"
#include "util/ldst.h"
#include "util/error.h"

#include <bzlib.h>
#include <lz4.h>
#include <lzma.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#define HDR_SETUP_SECTS 0x1f1
#define HDR_VERSION 0x206
#define HDR_PAYLOAD_OFFSET 0x248
#define HDR_PAYLOAD_LENGTH 0x24c

#define LZ4_LEGACY_MAGIC 0x184c2102u
#define LZ4_LEGACY_BLOCK (8u << 20)
#define XZ_MEMLIMIT (256ull << 20)    /* decoder state, not output */

static const struct {
    LinuxCompression c;
    const char *name;
    uint8_t magic[6];
    size_t magic_len;
} methods[] = {
    { LINUX_COMP_GZIP, "gzip", { 0x1f, 0x8b }, 2 },
    { LINUX_COMP_BZIP2, "bzip2", { 'B', 'Z', 'h' }, 3 },
    { LINUX_COMP_LZMA, "lzma", { 0x5d, 0x00, 0x00 }, 3 },
    { LINUX_COMP_XZ, "xz", { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6 },
    { LINUX_COMP_LZO, "lzo", { 0x89, 'L', 'Z', 'O' }, 4 },
    { LINUX_COMP_LZ4, "lz4", { 0x02, 0x21, 0x4c, 0x18 }, 4 },
    { LINUX_COMP_ZSTD, "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4 },
};

LinuxCompression linux_payload_compression(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < G_N_ELEMENTS(methods); i++) {
        if (len >= methods[i].magic_len &&
            !memcmp(p, methods[i].magic, methods[i].magic_len)) {
            return methods[i].c;
        }
    }
    return LINUX_COMP_UNKNOWN;
}

const char *linux_compression_name(LinuxCompression c)
{
    for (size_t i = 0; i < G_N_ELEMENTS(methods); i++) {
        if (methods[i].c == c) {
            return methods[i].name;
        }
    }
    return "unknown";
}

bool linux_payload_find(const uint8_t *kdata, size_t klen,
                        const uint8_t **payload, size_t *plen,
                        GError **errp)
{
    if (klen < 0x250 || memcmp(kdata + 0x202, "HdrS", 4)) {
        error_setg(errp, "not a Linux bzImage");
        return false;
    }
    uint16_t version = kdata[HDR_VERSION] | (kdata[HDR_VERSION + 1] << 8);
    if (version < 0x208) {
        error_setg(errp, "boot protocol %x.%02x has no payload fields "
                   "(2.08 or later needed)", version >> 8, version & 0xff);
        return false;
    }
    unsigned sects = kdata[HDR_SETUP_SECTS] ? kdata[HDR_SETUP_SECTS] : 4;
    uint64_t start = (uint64_t)(sects + 1) * 512 +
                     ldl_le_p(kdata + HDR_PAYLOAD_OFFSET);
    uint64_t len = ldl_le_p(kdata + HDR_PAYLOAD_LENGTH);
    if (start > klen || len > klen - start || len < 8) {
        error_setg(errp, "payload (offset 0x%" G_GINT64_MODIFIER "x, %"
                   G_GUINT64_FORMAT " bytes) lies outside the %zu-byte "
                   "file", start, len, klen);
        return false;
    }
    *payload = kdata + start;
    *plen = len;
    return true;
}

/* Each decoder fills out[0..cap) from in[0..inlen) and returns the bytes
 * produced, or -1 with errp set. "Overflow" means more output than the
 * payload declared. */

static const char overflow_msg[] = "payload decompresses past its declared "
                                   "size (corrupt, or a decompression bomb)";
static const char short_msg[] = "payload is truncated";

static int64_t dec_gzip(const uint8_t *in, size_t inlen, uint8_t *out,
                        size_t cap, GError **errp)
{
    z_stream z = { 0 };
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        error_setg(errp, "zlib: cannot initialise");
        return -1;
    }
    z.next_in = (Bytef *)in;
    z.avail_in = inlen;
    z.next_out = out;
    z.avail_out = cap;
    int r = inflate(&z, Z_FINISH);
    int64_t done = z.total_out;
    bool full = z.avail_out == 0, starved = z.avail_in == 0;
    inflateEnd(&z);
    if (r == Z_STREAM_END) {
        return done;
    }
    if (r == Z_BUF_ERROR && full) {
        error_setg(errp, "%s", overflow_msg);
    } else if (r == Z_BUF_ERROR && starved) {
        error_setg(errp, "%s", short_msg);
    } else {
        error_setg(errp, "gzip data is corrupt (%s)", z.msg ? z.msg : "?");
    }
    return -1;
}

static int64_t dec_bzip2(const uint8_t *in, size_t inlen, uint8_t *out,
                         size_t cap, GError **errp)
{
    bz_stream s = { 0 };
    if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK) {
        error_setg(errp, "bzip2: cannot initialise");
        return -1;
    }
    s.next_in = (char *)in;
    s.avail_in = inlen;
    s.next_out = (char *)out;
    s.avail_out = cap;
    int r;
    do {
        r = BZ2_bzDecompress(&s);
    } while (r == BZ_OK && s.avail_in && s.avail_out);
    int64_t done = cap - s.avail_out;
    bool full = s.avail_out == 0;
    BZ2_bzDecompressEnd(&s);
    if (r == BZ_STREAM_END) {
        return done;
    }
    if (r == BZ_OK) {
        error_setg(errp, "%s", full ? overflow_msg : short_msg);
    } else {
        error_setg(errp, "bzip2 data is corrupt (error %d)", r);
    }
    return -1;
}

static int64_t dec_lzma(bool xz, const uint8_t *in, size_t inlen,
                        uint8_t *out, size_t cap, GError **errp)
{
    lzma_stream s = LZMA_STREAM_INIT;
    lzma_ret r = xz ? lzma_stream_decoder(&s, XZ_MEMLIMIT, 0)
                    : lzma_alone_decoder(&s, XZ_MEMLIMIT);
    if (r != LZMA_OK) {
        error_setg(errp, "liblzma: cannot initialise (%d)", r);
        return -1;
    }
    s.next_in = in;
    s.avail_in = inlen;
    s.next_out = out;
    s.avail_out = cap;
    do {
        r = lzma_code(&s, LZMA_FINISH);
    } while (r == LZMA_OK && s.avail_out);
    int64_t done = s.total_out;
    bool full = s.avail_out == 0;
    lzma_end(&s);
    if (r == LZMA_STREAM_END) {
        return done;
    }
    if (r == LZMA_OK && full) {
        error_setg(errp, "%s", overflow_msg);
    } else if (r == LZMA_BUF_ERROR) {
        error_setg(errp, "%s", full ? overflow_msg : short_msg);
    } else if (r == LZMA_MEMLIMIT_ERROR) {
        error_setg(errp, "%s stream needs more than %llu MiB to decode",
                   xz ? "xz" : "lzma", XZ_MEMLIMIT >> 20);
    } else {
        error_setg(errp, "%s data is corrupt (liblzma error %d)",
                   xz ? "xz" : "lzma", r);
    }
    return -1;
}

static int64_t dec_lz4(const uint8_t *in, size_t inlen, uint8_t *out,
                       size_t cap, GError **errp)
{
    size_t pos = 4, done = 0;       /* past the magic */
    while (inlen - pos >= 4) {
        uint32_t csize = ldl_le_p(in + pos);
        pos += 4;
        if (csize == LZ4_LEGACY_MAGIC) {
            continue;               /* a concatenated frame */
        }
        if (!csize || csize > inlen - pos || csize > INT32_MAX) {
            error_setg(errp, "%s", short_msg);
            return -1;
        }
        size_t room = MIN(cap - done, LZ4_LEGACY_BLOCK);
        int n = LZ4_decompress_safe((const char *)in + pos,
                                    (char *)out + done, csize, room);
        if (n < 0) {
            error_setg(errp, "lz4 data is corrupt%s",
                       room < LZ4_LEGACY_BLOCK ? " or decompresses past its "
                       "declared size" : "");
            return -1;
        }
        done += n;
        pos += csize;
    }
    if (pos != inlen) {
        error_setg(errp, "%s", short_msg);
        return -1;
    }
    return done;
}

static int64_t dec_zstd(const uint8_t *in, size_t inlen, uint8_t *out,
                        size_t cap, GError **errp)
{
    size_t flen = ZSTD_findFrameCompressedSize(in, inlen);
    if (ZSTD_isError(flen)) {
        error_setg(errp, "zstd frame is corrupt or truncated (%s)",
                   ZSTD_getErrorName(flen));
        return -1;
    }
    size_t n = ZSTD_decompress(out, cap, in, flen);
    if (ZSTD_isError(n)) {
        if (ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall) {
            error_setg(errp, "%s", overflow_msg);
        } else {
            error_setg(errp, "zstd data is corrupt (%s)",
                       ZSTD_getErrorName(n));
        }
        return -1;
    }
    return n;
}

uint8_t *linux_payload_decompress(const uint8_t *payload, size_t plen,
                                  uint64_t max_out, size_t *outlen,
                                  LinuxCompression *method, GError **errp)
{
    LinuxCompression c = linux_payload_compression(payload, plen);
    *method = c;
    if (c == LINUX_COMP_UNKNOWN) {
        error_setg(errp, "unknown compression (payload starts %02x %02x "
                   "%02x %02x)", plen > 0 ? payload[0] : 0,
                   plen > 1 ? payload[1] : 0, plen > 2 ? payload[2] : 0,
                   plen > 3 ? payload[3] : 0);
        return NULL;
    }
    if (c == LINUX_COMP_LZO) {
        error_setg(errp, "lzo-compressed kernels cannot be decompressed on "
                   "the host (no LZO library)");
        return NULL;
    }
    if (plen < 8) {
        error_setg(errp, "%s", short_msg);
        return NULL;
    }
    uint64_t declared = ldl_le_p(payload + plen - 4);
    max_out = MIN(max_out, LINUX_DECOMPRESS_MAX);
    if (!declared || declared > max_out) {
        error_setg(errp, "payload declares %" G_GUINT64_FORMAT " bytes "
                   "decompressed; at most %" G_GUINT64_FORMAT " fit",
                   declared, max_out);
        return NULL;
    }
    uint8_t *out = g_try_malloc(declared);
    if (!out) {
        error_setg(errp, "cannot allocate %" G_GUINT64_FORMAT " bytes for "
                   "the decompressed kernel", declared);
        return NULL;
    }
    const uint8_t *in = payload;
    size_t inlen = plen - 4;
    int64_t n = -1;
    switch (c) {
    case LINUX_COMP_GZIP:
        n = dec_gzip(in, inlen, out, declared, errp);
        break;
    case LINUX_COMP_BZIP2:
        n = dec_bzip2(in, inlen, out, declared, errp);
        break;
    case LINUX_COMP_LZMA:
    case LINUX_COMP_XZ:
        n = dec_lzma(c == LINUX_COMP_XZ, in, inlen, out, declared, errp);
        break;
    case LINUX_COMP_LZ4:
        n = dec_lz4(in, inlen, out, declared, errp);
        break;
    case LINUX_COMP_ZSTD:
        n = dec_zstd(in, inlen, out, declared, errp);
        break;
    default:
        g_assert_not_reached();
    }
    if (n >= 0 && (uint64_t)n != declared) {
        error_setg(errp, "payload decompresses to %" G_GINT64_FORMAT
                   " bytes but declares %" G_GUINT64_FORMAT, n, declared);
        n = -1;
    }
    if (n < 0) {
        g_free(out);
        return NULL;
    }
    *outlen = n;
    return out;
}
