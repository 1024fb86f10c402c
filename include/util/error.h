/*
 * Errors and user-facing messages.
 *
 * Fallible functions take GError **errp last and return bool/pointer/-errno
 * (STYLE.md). Everything uses one GError domain, KVMU_ERROR, with codes that
 * mirror QMP's error classes so the monitor can map a GError to a reply.
 * error_report() prints "PROGNAME: message" to stderr, QEMU's format, and
 * honours -msg timestamp=on.
 */
#ifndef UTIL_ERROR_H
#define UTIL_ERROR_H

#include <glib.h>
#include <stdbool.h>

#define KVMU_ERROR (kvmu_error_quark())
GQuark kvmu_error_quark(void);

typedef enum {
    KVMU_ERROR_GENERIC,          /* QMP GenericError */
    KVMU_ERROR_COMMAND_NOT_FOUND,
    KVMU_ERROR_DEVICE_NOT_FOUND,
    KVMU_ERROR_DEVICE_NOT_ACTIVE,
    KVMU_ERROR_KVM_MISSING_CAP,
} KvmuErrorCode;

/* Set *errp (if errp is non-NULL) to a new KVMU_ERROR_GENERIC error. */
void error_setg(GError **errp, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Same with an explicit error class. */
void error_set(GError **errp, KvmuErrorCode code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
/* Same, appending ": strerror(errnum)". */
void error_setg_errno(GError **errp, int errnum, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
/* Prefix an existing error's message: "prefix: old message". */
void error_prepend(GError **errp, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* The program name used as the message prefix (default "kvmu"). */
void error_set_progname(const char *argv0);
const char *error_get_progname(void);
/* -msg timestamp=on */
void error_set_timestamps(bool on);

/* Print "progname: message\n" to stderr. */
void error_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void warn_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void info_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* Print an error's message with error_report() and free it. */
void error_report_err(GError *err);

#endif
