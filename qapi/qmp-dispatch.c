/*
 * QMP command registry and request dispatch, following QEMU's QMP
 * specification (docs/interop/qmp-spec): request validation messages,
 * error classes, "id" echo.
 */
#include "qapi/qmp-dispatch.h"

#include <string.h>

void qmp_command_list_init(QmpCommandList *list)
{
    list->cmds = g_ptr_array_new_with_free_func(g_free);
    list->by_name = g_hash_table_new(g_str_hash, g_str_equal);
}

void qmp_register_command(QmpCommandList *list, const char *name,
                          QmpCommandFunc *fn, unsigned options,
                          unsigned features)
{
    QmpCommand *cmd = g_new0(QmpCommand, 1);

    g_assert(!g_hash_table_contains(list->by_name, name));
    cmd->name = name;
    cmd->fn = fn;
    cmd->options = options;
    cmd->features = features;
    cmd->enabled = true;
    g_ptr_array_add(list->cmds, cmd);
    g_hash_table_insert(list->by_name, (char *)name, cmd);
}

const QmpCommand *qmp_find_command(const QmpCommandList *list,
                                   const char *name)
{
    return list->by_name ? g_hash_table_lookup(list->by_name, name) : NULL;
}

void qmp_disable_command(QmpCommandList *list, const char *name)
{
    QmpCommand *cmd = g_hash_table_lookup(list->by_name, name);

    if (cmd) {
        cmd->enabled = false;
    }
}

const char *qmp_error_class(const GError *err)
{
    if (err->domain == KVMU_ERROR) {
        switch (err->code) {
        case KVMU_ERROR_COMMAND_NOT_FOUND:
            return "CommandNotFound";
        case KVMU_ERROR_DEVICE_NOT_FOUND:
            return "DeviceNotFound";
        case KVMU_ERROR_DEVICE_NOT_ACTIVE:
            return "DeviceNotActive";
        case KVMU_ERROR_KVM_MISSING_CAP:
            return "KVMMissingCap";
        default:
            break;
        }
    }
    return "GenericError";
}

QDict *qmp_error_dict(const GError *err)
{
    QDict *e = qdict_new();

    qdict_put_str(e, "class", qmp_error_class(err));
    qdict_put_str(e, "desc", err->message);
    return e;
}

static QDict *error_reply(GError *err, QObject *id)
{
    QDict *rsp = qdict_new();

    qdict_put(rsp, "error", qmp_error_dict(err));
    if (id) {
        qdict_put_obj(rsp, "id", qobject_ref(id));
    }
    g_error_free(err);
    return rsp;
}

const char *qmp_dispatch_check(const QmpCommandList *cmds, QObject *request,
                               bool allow_oob, bool *is_oob, QDict **reply)
{
    QDict *dict = qobject_to_qdict(request);
    QObject *id = dict ? qdict_get(dict, "id") : NULL;
    const char *exec_key = NULL, *name;
    const QmpCommand *cmd;
    GError *err = NULL;

    *reply = NULL;
    if (is_oob) {
        *is_oob = false;
    }
    if (!dict) {
        error_setg(&err, "QMP input must be a JSON object");
        goto fail;
    }
    for (const QDictEntry *e = qdict_first(dict); e; e = qdict_next(dict, e)) {
        if (!strcmp(e->key, "execute") ||
            (!strcmp(e->key, "exec-oob") && allow_oob)) {
            if (qobject_type(e->value) != QTYPE_QSTRING) {
                error_setg(&err, "QMP input member '%s' must be a string",
                           e->key);
                goto fail;
            }
            if (exec_key) {
                error_setg(&err, "QMP input member '%s' clashes with '%s'",
                           e->key, exec_key);
                goto fail;
            }
            exec_key = e->key;
        } else if (!strcmp(e->key, "arguments")) {
            if (qobject_type(e->value) != QTYPE_QDICT) {
                error_setg(&err,
                           "QMP input member 'arguments' must be an object");
                goto fail;
            }
        } else if (strcmp(e->key, "id")) {
            error_setg(&err, "QMP input member '%s' is unexpected", e->key);
            goto fail;
        }
    }
    if (!exec_key) {
        error_setg(&err, "QMP input lacks member 'execute'");
        goto fail;
    }
    name = qdict_get_try_str(dict, exec_key);
    if (is_oob) {
        *is_oob = !strcmp(exec_key, "exec-oob");
    }
    cmd = qmp_find_command(cmds, name);
    if (!cmd) {
        error_set(&err, KVMU_ERROR_COMMAND_NOT_FOUND,
                  "The command %s has not been found", name);
        goto fail;
    }
    if (!cmd->enabled) {
        error_set(&err, KVMU_ERROR_COMMAND_NOT_FOUND,
                  "Command %s has been disabled", name);
        goto fail;
    }
    if (!strcmp(exec_key, "exec-oob") && !(cmd->options & QCO_ALLOW_OOB)) {
        error_setg(&err, "The command %s does not support OOB", name);
        goto fail;
    }
    return name;

fail:
    *reply = error_reply(err, id);
    return NULL;
}

QDict *qmp_dispatch(const QmpCommandList *cmds, QObject *request,
                    bool allow_oob, bool *is_oob)
{
    QDict *reply, *dict, *args, *rsp;
    const char *name = qmp_dispatch_check(cmds, request, allow_oob, is_oob,
                                          &reply);
    const QmpCommand *cmd;
    QObject *ret = NULL;
    GError *err = NULL;

    if (!name) {
        return reply;
    }
    dict = qobject_to_qdict(request);
    cmd = qmp_find_command(cmds, name);
    args = qdict_get_qdict(dict, "arguments");
    if (args) {
        qobject_ref(args);
    } else {
        args = qdict_new();
    }
    cmd->fn(args, &ret, &err);
    qobject_unref(args);
    if (err) {
        qobject_unref(ret);
        return error_reply(err, qdict_get(dict, "id"));
    }
    if (cmd->options & QCO_NO_SUCCESS_RESP) {
        qobject_unref(ret);
        return NULL;
    }
    rsp = qdict_new();
    qdict_put_obj(rsp, "return", ret ? ret : QOBJECT(qdict_new()));
    if (qdict_get(dict, "id")) {
        qdict_put_obj(rsp, "id", qobject_ref(qdict_get(dict, "id")));
    }
    return rsp;
}
