/* Strict number and size parsing; see include/util/cutils.h. */
#include "util/cutils.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int parse_int64(const char *s, int base, int64_t *out)
{
    char *end;

    if (!s || !*s || g_ascii_isspace(*s)) {
        return -EINVAL;
    }
    errno = 0;
    long long v = strtoll(s, &end, base);
    if (errno == ERANGE) {
        return -ERANGE;
    }
    if (end == s || *end) {
        return -EINVAL;
    }
    *out = v;
    return 0;
}

int parse_uint64(const char *s, int base, uint64_t *out)
{
    char *end;

    if (!s || !*s || g_ascii_isspace(*s) || *s == '-') {
        return -EINVAL;
    }
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    if (errno == ERANGE) {
        return -ERANGE;
    }
    if (end == s || *end) {
        return -EINVAL;
    }
    *out = v;
    return 0;
}

static int suffix_shift(char c)
{
    switch (g_ascii_toupper(c)) {
    case 'B': return 0;
    case 'K': return 10;
    case 'M': return 20;
    case 'G': return 30;
    case 'T': return 40;
    case 'P': return 50;
    case 'E': return 60;
    default: return -1;
    }
}

int parse_size(const char *s, uint64_t default_unit, uint64_t *out)
{
    char *end;
    uint64_t unit = default_unit;

    if (!s || !*s || g_ascii_isspace(*s) || *s == '-') {
        return -EINVAL;
    }
    /* Integers are parsed exactly; a fraction only with a suffix. */
    errno = 0;
    unsigned long long ival = strtoull(s, &end, 0);
    if (errno == ERANGE) {
        return -ERANGE;
    }
    if (end == s) {
        return -EINVAL;
    }
    double frac = 0;
    if (*end == '.') {
        char *fend;
        double d = strtod(s, &fend);
        if (fend == end + 1 && !g_ascii_isdigit(end[1])) {
            return -EINVAL;
        }
        frac = d - (double)ival;
        end = fend;
        if (!*end) {
            return -EINVAL;     /* "1.5" without a unit is ambiguous */
        }
    }
    if (*end) {
        int shift = suffix_shift(*end);
        if (shift < 0 || end[1]) {
            return -EINVAL;
        }
        unit = UINT64_C(1) << shift;
    }
    if (unit && ival > UINT64_MAX / unit) {
        return -ERANGE;
    }
    uint64_t val = ival * unit;
    double extra = frac * (double)unit;
    if (extra >= 18446744073709551616.0 - (double)val) {
        return -ERANGE;
    }
    val += (uint64_t)extra;
    *out = val;
    return 0;
}

bool parse_bool(const char *s, bool *out)
{
    static const char *const on[] = { "on", "yes", "true", "y", NULL };
    static const char *const off[] = { "off", "no", "false", "n", NULL };

    for (int i = 0; on[i]; i++) {
        if (!strcmp(s, on[i])) {
            *out = true;
            return true;
        }
        if (!strcmp(s, off[i])) {
            *out = false;
            return true;
        }
    }
    return false;
}

char *size_to_str(uint64_t bytes)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB",
                                         "PiB", "EiB" };
    int i = 0;
    double v = bytes;

    while (v >= 1024 && i < 6) {
        v /= 1024;
        i++;
    }
    if (v == floor(v)) {
        return g_strdup_printf("%.0f %s", v, units[i]);
    }
    return g_strdup_printf("%.3g %s", v, units[i]);
}
