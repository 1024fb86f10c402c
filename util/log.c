/* -d/-D logging; see include/util/log.h. */
#include "util/log.h"
#include "util/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int log_mask_enabled;

const LogItem log_items[] = {
    { "out_asm", LOG_OUT_ASM,
      "show generated host assembly code for each compiled TB" },
    { "in_asm", LOG_IN_ASM, "show target assembly code for each compiled TB" },
    { "op", LOG_OP, "show micro ops for each compiled TB" },
    { "int", LOG_INT, "show interrupts/exceptions in short format" },
    { "exec", LOG_EXEC, "show trace before each executed TB (lots of logs)" },
    { "cpu", LOG_CPU,
      "show CPU registers before entering a TB (lots of logs)" },
    { "fpu", LOG_FPU, "include FPU registers in the 'cpu' logging" },
    { "mmu", LOG_MMU, "log MMU-related activities" },
    { "pcall", LOG_PCALL,
      "x86 only: show protected mode far calls/returns/exceptions" },
    { "cpu_reset", LOG_CPU_RESET, "show CPU state before CPU resets" },
    { "unimp", LOG_UNIMP, "log unimplemented functionality" },
    { "guest_errors", LOG_GUEST_ERROR,
      "log when the guest OS does something invalid (eg accessing a\n"
      "non-existent register)" },
    { "page", LOG_PAGE, "dump pages at beginning of user mode emulation" },
    { "nochain", LOG_NOCHAIN,
      "do not chain compiled TBs so that \"exec\" and \"cpu\" show\n"
      "complete traces" },
    { "tid", LOG_TID,
      "open a separate log file per thread; filename must contain '%d'" },
    { NULL, 0, NULL },
};

static GMutex log_lock;
static FILE *log_file;          /* NULL: stderr */
static gint64 rate_window_start;
static unsigned rate_count, rate_dropped;

bool log_parse_items(const char *items, int *mask, GError **errp)
{
    g_auto(GStrv) parts = g_strsplit(items, ",", -1);
    int m = 0;

    if (!parts[0]) {
        error_setg(errp, "unknown log item '' (use -d help for a list)");
        return false;
    }
    for (int i = 0; parts[i]; i++) {
        if (!*parts[i]) {
            error_setg(errp, "unknown log item '' (use -d help for a list)");
            return false;
        }
        if (!strcmp(parts[i], "all")) {
            for (int k = 0; log_items[k].name; k++) {
                m |= log_items[k].mask;
            }
            continue;
        }
        if (g_str_has_prefix(parts[i], "trace:")) {
            continue;           /* trace points: none are compiled in yet */
        }
        int k = 0;
        while (log_items[k].name && strcmp(parts[i], log_items[k].name)) {
            k++;
        }
        if (!log_items[k].name) {
            error_setg(errp, "unknown log item '%s' (use -d help for a list)",
                       parts[i]);
            return false;
        }
        m |= log_items[k].mask;
    }
    *mask = m;
    return true;
}

void log_set_mask(int mask)
{
    g_atomic_int_set(&log_mask_enabled, mask);
}

bool log_set_file(const char *path, GError **errp)
{
    FILE *f = NULL;
    if (path) {
        f = fopen(path, "a");
        if (!f) {
            error_setg(errp, "cannot open log file: %s", g_strerror(errno));
            return false;
        }
        setvbuf(f, NULL, _IOLBF, 0);
    }
    g_mutex_lock(&log_lock);
    if (log_file) {
        fclose(log_file);
    }
    log_file = f;
    g_mutex_unlock(&log_lock);
    return true;
}

static void log_vprintf_locked(const char *fmt, va_list ap)
{
    vfprintf(log_file ? log_file : stderr, fmt, ap);
}

void log_printf(const char *fmt, ...)
{
    va_list ap;
    g_mutex_lock(&log_lock);
    va_start(ap, fmt);
    log_vprintf_locked(fmt, ap);
    va_end(ap);
    g_mutex_unlock(&log_lock);
}

void log_guest_error_printf(const char *fmt, ...)
{
    va_list ap;
    gint64 now = g_get_monotonic_time();

    g_mutex_lock(&log_lock);
    if (now - rate_window_start >= G_USEC_PER_SEC) {
        if (rate_dropped) {
            fprintf(log_file ? log_file : stderr,
                    "(%u more guest errors not logged in the last second)\n",
                    rate_dropped);
        }
        rate_window_start = now;
        rate_count = rate_dropped = 0;
    }
    if (rate_count++ < LOG_RATE_LIMIT) {
        va_start(ap, fmt);
        log_vprintf_locked(fmt, ap);
        va_end(ap);
    } else {
        rate_dropped++;
    }
    g_mutex_unlock(&log_lock);
}
