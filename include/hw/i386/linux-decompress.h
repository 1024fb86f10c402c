/*
 * Host-side decompression of a Linux bzImage's payload
 * (hw/i386/linux-decompress.c), for the fast boot path: boot protocol
 * 2.08+ says where the compressed vmlinux is (payload_offset,
 * payload_length); the payload ends with the uncompressed size as a
 * 32-bit little-endian word (the kernel build appends it). The output is
 * the vmlinux ELF, followed by its relocation table on relocatable
 * kernels.
 *
 * Called by the Linux loader (linux-boot.c) at machine creation; pure
 * functions over host buffers (no guest memory, no locks), so the unit
 * tests call them directly.
 */
#ifndef HW_I386_LINUX_DECOMPRESS_H
#define HW_I386_LINUX_DECOMPRESS_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum LinuxCompression {
    LINUX_COMP_UNKNOWN,
    LINUX_COMP_GZIP,
    LINUX_COMP_BZIP2,
    LINUX_COMP_LZMA,
    LINUX_COMP_XZ,
    LINUX_COMP_LZO,
    LINUX_COMP_LZ4,
    LINUX_COMP_ZSTD,
} LinuxCompression;

/* Hard ceiling on a decompressed kernel, whatever the guest's RAM. */
#define LINUX_DECOMPRESS_MAX (1024ull * 1024 * 1024)

/* Which method the payload's first bytes name (the kernel's magics). */
LinuxCompression linux_payload_compression(const uint8_t *p, size_t len);

/* "gzip", "bzip2", "lzma", "xz", "lzo", "lz4", "zstd" or "unknown". */
const char *linux_compression_name(LinuxCompression c);

/*
 * Locate the payload in a bzImage held in memory. False + errp when the
 * protocol is older than 2.08 or the fields point outside the file.
 */
bool linux_payload_find(const uint8_t *kdata, size_t klen,
                        const uint8_t **payload, size_t *plen,
                        GError **errp);

/*
 * Decompress a payload (with its trailing size word). The output may be
 * at most max_out bytes (and LINUX_DECOMPRESS_MAX): the declared size is
 * checked before anything is allocated, and a stream that would produce
 * more than it declared stops with an error (decompression bomb). A
 * stream that ends short, is corrupt, or uses a method with no host
 * library (lzo) fails with a one-line message. Returns g_free()able
 * memory, *outlen bytes; *method is set whenever the magic was known.
 */
uint8_t *linux_payload_decompress(const uint8_t *payload, size_t plen,
                                  uint64_t max_out, size_t *outlen,
                                  LinuxCompression *method, GError **errp);

#endif
