/* Error helpers and user-facing message printing; see include/util/error.h. */
#include "util/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

G_DEFINE_QUARK(kvmu-error-quark, kvmu_error)

static char *progname;
static bool msg_timestamps;

static void error_setv(GError **errp, KvmuErrorCode code, int errnum,
                       const char *fmt, va_list ap)
{
    if (!errp) {
        return;
    }
    g_return_if_fail(*errp == NULL);
    char *msg = g_strdup_vprintf(fmt, ap);
    if (errnum) {
        char *full = g_strdup_printf("%s: %s", msg, g_strerror(errnum));
        g_free(msg);
        msg = full;
    }
    *errp = g_error_new_literal(KVMU_ERROR, code, msg);
    g_free(msg);
}

void error_setg(GError **errp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_setv(errp, KVMU_ERROR_GENERIC, 0, fmt, ap);
    va_end(ap);
}

void error_set(GError **errp, KvmuErrorCode code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_setv(errp, code, 0, fmt, ap);
    va_end(ap);
}

void error_setg_errno(GError **errp, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_setv(errp, KVMU_ERROR_GENERIC, errnum, fmt, ap);
    va_end(ap);
}

void error_prepend(GError **errp, const char *fmt, ...)
{
    if (!errp || !*errp) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    char *prefix = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    char *msg = g_strconcat(prefix, (*errp)->message, NULL);
    g_free((*errp)->message);
    (*errp)->message = msg;
    g_free(prefix);
}

void error_set_progname(const char *argv0)
{
    g_free(progname);
    progname = g_path_get_basename(argv0);
}

const char *error_get_progname(void)
{
    return progname ? progname : "kvmu";
}

void error_set_timestamps(bool on)
{
    msg_timestamps = on;
}

static void vreport(const char *kind, const char *fmt, va_list ap)
{
    GString *s = g_string_new(NULL);
    if (msg_timestamps) {
        GDateTime *now = g_date_time_new_now_utc();
        char *ts = g_date_time_format_iso8601(now);
        g_string_append_printf(s, "%s ", ts);
        g_free(ts);
        g_date_time_unref(now);
    }
    g_string_append_printf(s, "%s: %s", error_get_progname(), kind);
    g_string_append_vprintf(s, fmt, ap);
    g_string_append_c(s, '\n');
    fputs(s->str, stderr);
    fflush(stderr);
    g_string_free(s, TRUE);
}

void error_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("", fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("warning: ", fmt, ap);
    va_end(ap);
}

void info_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("info: ", fmt, ap);
    va_end(ap);
}

void error_report_err(GError *err)
{
    if (err) {
        error_report("%s", err->message);
        g_error_free(err);
    }
}
