/*
 * Little-endian loads and stores at unaligned byte addresses, for code
 * that builds or parses guest-format structures (ACPI/MP tables, boot
 * protocol headers, ELF notes). memcpy keeps them free of alignment and
 * aliasing trouble; the compiler turns them into single moves.
 */
#ifndef UTIL_LDST_H
#define UTIL_LDST_H

#include <glib.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t lduw_le_p(const void *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof(v));
    return GUINT16_FROM_LE(v);
}

static inline uint32_t ldl_le_p(const void *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return GUINT32_FROM_LE(v);
}

static inline uint64_t ldq_le_p(const void *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return GUINT64_FROM_LE(v);
}

static inline void stw_le_p(void *p, uint16_t v)
{
    v = GUINT16_TO_LE(v);
    memcpy(p, &v, sizeof(v));
}

static inline void stl_le_p(void *p, uint32_t v)
{
    v = GUINT32_TO_LE(v);
    memcpy(p, &v, sizeof(v));
}

static inline void stq_le_p(void *p, uint64_t v)
{
    v = GUINT64_TO_LE(v);
    memcpy(p, &v, sizeof(v));
}

#endif
