/*
 * -d / -D logging: categories the user switches on (QEMU's item names),
 * written to the -D file or stderr. A disabled category costs one load
 * and a predictable branch, so device and CPU code may log freely.
 *
 * Guest errors (a guest writing a non-existent register, a bad DMA
 * address) go through log_guest_error(): logged only with -d
 * guest_errors, and rate-limited so a misbehaving guest cannot flood the
 * host's disk. Any thread; the file is written under a private lock.
 */
#ifndef UTIL_LOG_H
#define UTIL_LOG_H

#include <glib.h>
#include <stdbool.h>

enum {
    LOG_OUT_ASM = 1 << 0,
    LOG_IN_ASM = 1 << 1,
    LOG_OP = 1 << 2,
    LOG_INT = 1 << 3,
    LOG_EXEC = 1 << 4,
    LOG_CPU = 1 << 5,
    LOG_FPU = 1 << 6,
    LOG_MMU = 1 << 7,
    LOG_PCALL = 1 << 8,
    LOG_CPU_RESET = 1 << 9,
    LOG_UNIMP = 1 << 10,
    LOG_GUEST_ERROR = 1 << 11,
    LOG_PAGE = 1 << 12,
    LOG_NOCHAIN = 1 << 13,
    LOG_TID = 1 << 14,
};

extern int log_mask_enabled;

static inline bool log_enabled(int mask)
{
    return __builtin_expect((log_mask_enabled & mask) != 0, 0);
}

/* The item table ("-d help"): NULL-terminated {name, help} pairs. */
typedef struct LogItem {
    const char *name;
    int mask;
    const char *help;
} LogItem;
extern const LogItem log_items[];

/* Parse "-d int,guest_errors" ("all" and trace:PATTERN accepted). */
bool log_parse_items(const char *items, int *mask, GError **errp);
void log_set_mask(int mask);
/* -D: append to path (NULL: back to stderr). */
bool log_set_file(const char *path, GError **errp);

void log_printf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

#define log_mask(mask, ...)                                                  \
    do {                                                                     \
        if (log_enabled(mask)) {                                             \
            log_printf(__VA_ARGS__);                                         \
        }                                                                    \
    } while (0)

/* At most LOG_RATE_LIMIT lines per second, then a count of the rest. */
#define LOG_RATE_LIMIT 100
void log_guest_error_printf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
#define log_guest_error(...)                                                 \
    do {                                                                     \
        if (log_enabled(LOG_GUEST_ERROR)) {                                  \
            log_guest_error_printf(__VA_ARGS__);                             \
        }                                                                    \
    } while (0)

#endif
