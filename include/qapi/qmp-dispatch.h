/*
 * QMP command registry and dispatcher (qapi/qmp-dispatch.c).
 *
 * Generated qmp_init_marshal() fills a QmpCommandList with one entry per
 * schema command; qmp_dispatch() validates a request object the way QEMU
 * does ("execute"/"exec-oob", "arguments", "id" and nothing else), runs the
 * command and returns the reply dict ({"return": ..} or {"error": {"class",
 * "desc"}}, with "id" echoed), or NULL for a command with
 * success-response false that succeeded. Called by the monitor from the
 * main loop with the BQL held (OOB commands: from the monitor I/O path).
 */
#ifndef QAPI_QMP_DISPATCH_H
#define QAPI_QMP_DISPATCH_H

#include "qapi/util.h"

typedef void QmpCommandFunc(QDict *args, QObject **ret, GError **errp);

typedef enum QmpCommandOptions {
    QCO_NO_SUCCESS_RESP = 1 << 0,
    QCO_ALLOW_OOB = 1 << 1,
    QCO_ALLOW_PRECONFIG = 1 << 2,
} QmpCommandOptions;

typedef struct QmpCommand {
    const char *name;
    QmpCommandFunc *fn;
    unsigned options;           /* QmpCommandOptions */
    unsigned features;          /* QAPI_FEATURE_* */
    bool enabled;
} QmpCommand;

typedef struct QmpCommandList {
    GPtrArray *cmds;            /* of QmpCommand *, registration order */
    GHashTable *by_name;
} QmpCommandList;

void qmp_command_list_init(QmpCommandList *list);
void qmp_register_command(QmpCommandList *list, const char *name,
                          QmpCommandFunc *fn, unsigned options,
                          unsigned features);
const QmpCommand *qmp_find_command(const QmpCommandList *list,
                                   const char *name);
void qmp_disable_command(QmpCommandList *list, const char *name);

/* QMP error class name for an error ("GenericError", ...). */
const char *qmp_error_class(const GError *err);
/* {"class": ..., "desc": ...} */
QDict *qmp_error_dict(const GError *err);

/*
 * Dispatch one request. allow_oob: the client negotiated the "oob"
 * capability (otherwise "exec-oob" is rejected). *is_oob tells whether the
 * request used exec-oob (may be NULL).
 */
QDict *qmp_dispatch(const QmpCommandList *cmds, QObject *request,
                    bool allow_oob, bool *is_oob);

/*
 * Validation only (no execution): returns the command name on success,
 * so the monitor can decide in-band vs out-of-band before running it.
 * On failure returns NULL and a ready error reply in *reply.
 */
const char *qmp_dispatch_check(const QmpCommandList *cmds, QObject *request,
                               bool allow_oob, bool *is_oob, QDict **reply);

#endif
