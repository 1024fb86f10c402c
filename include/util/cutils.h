/*
 * Small string/number helpers shared by the command line, QOM properties
 * and QMP: strict integer parsing and sizes with suffixes.
 */
#ifndef UTIL_CUTILS_H
#define UTIL_CUTILS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Parse a whole string as a number; leading/trailing garbage, empty
 * strings and overflow are errors (-EINVAL / -ERANGE). base 0 accepts
 * 0x and 0 prefixes.
 */
int parse_int64(const char *s, int base, int64_t *out);
int parse_uint64(const char *s, int base, uint64_t *out);

/*
 * Parse a size such as "512", "512M", "1.5G", "4k" (suffixes B K M G T P E,
 * either case, powers of 1024). A bare number is multiplied by
 * default_unit (1 for bytes, 1 << 20 for -m's megabytes). Returns 0 or
 * -EINVAL / -ERANGE.
 */
int parse_size(const char *s, uint64_t default_unit, uint64_t *out);

/* Parse on/off/yes/no/true/false as QEMU accepts them. */
bool parse_bool(const char *s, bool *out);

/* Format a byte count as QEMU does in messages ("512 MiB"). */
char *size_to_str(uint64_t bytes);

#endif
