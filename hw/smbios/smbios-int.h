/*
 * What the -smbios parser (smbios-opts.c) hands the table builder
 * (smbios.c). Private to hw/smbios/.
 */
#ifndef HW_SMBIOS_SMBIOS_INT_H
#define HW_SMBIOS_SMBIOS_INT_H

#include "hw/smbios/smbios.h"
#include "util/keyval.h"

#define SMBIOS_MAX_TYPE 127

struct SmbiosOptions {
    /* -smbios type=N: every key=value given for N, in order (the last
     * one of a key wins; Type 11 keeps all its "value"s) */
    KeyvalList *fields[SMBIOS_MAX_TYPE + 1];
    /* -smbios type=8: one port connector structure per option */
    GPtrArray *ports;               /* KeyvalList * */
    /* -smbios file=: whole structures, checked, concatenated */
    GByteArray *file_tables;
    unsigned file_count;
    size_t file_max_struct;
    bool file_types[256];
};

/* Length of the structure at p (formatted area, strings, double NUL) or
 * 0 if it does not fit in len or is malformed. */
size_t smbios_struct_len(const uint8_t *p, size_t len);

/* "M.m", both 0..255 (-smbios type=0,release=) */
bool smbios_parse_release(const char *s, uint8_t *major, uint8_t *minor);
/* RFC 4122 text form; out in text order */
bool smbios_parse_uuid(const char *s, uint8_t out[16]);

#endif
