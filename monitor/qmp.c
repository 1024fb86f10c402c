/*
 * QMP server (docs: QEMU's QMP specification, qmp-spec): greeting,
 * capabilities negotiation, request queue with out-of-band execution,
 * replies and events, one JSON streamer per connection.
 *
 * Flow: chardev read -> JSON streamer -> qmp_handle_value(): parse errors
 * are answered at once; exec-oob requests (when "oob" was negotiated) run
 * at once; other requests are queued and run by a bottom half, one per
 * main loop iteration. While QMP_REQ_QUEUE_LEN_MAX requests wait, reading
 * stops (can_read returns 0), so a flooding client is throttled, not
 * buffered without bound. Likewise while more than 1 MiB of replies
 * wait in the chardev's output queue (a client that reads slowly): no
 * reading, no running, until the queue drains, so no reply is ever
 * dropped (below that, a client may write a batch before it reads). A disconnect drops the partial input and the
 * queue; the next client gets a fresh greeting and must negotiate again.
 */
#include "monitor-internal.h"
#include "qapi/qapi-commands.h"
#include "qapi/visit.h"
#include "system/main-loop.h"
#include "util/error.h"
#include "config-host.h"

#include <string.h>

QmpCommandList qmp_commands;
QmpCommandList qmp_cap_negotiation_commands;

static QEMUBH *qmp_dispatch_bh;

void monitor_qmp_send(Monitor *mon, QDict *msg)
{
    GString *out = g_string_new(NULL);

    qobject_to_json_append(out, QOBJECT(msg), mon->pretty);
    g_string_append_c(out, '\n');
    monitor_puts(mon, out->str);
    g_string_free(out, TRUE);
}

static void qmp_send_greeting(Monitor *mon)
{
    QDict *greeting = qdict_new(), *qmp = qdict_new(), *ver = qdict_new();
    QDict *qemu = qdict_new();
    QList *caps = qlist_new();

    qdict_put_int(qemu, "major", QEMU_IFACE_MAJOR);
    qdict_put_int(qemu, "minor", QEMU_IFACE_MINOR);
    qdict_put_int(qemu, "micro", QEMU_IFACE_MICRO);
    qdict_put(ver, "qemu", qemu);
    qdict_put_str(ver, "package", "kvmu " KVMU_VERSION);
    qdict_put(qmp, "version", ver);
    qlist_append_str(caps, "oob");
    qdict_put(qmp, "capabilities", caps);
    qdict_put(greeting, "QMP", qmp);
    monitor_qmp_send(mon, greeting);
    qobject_unref(greeting);
}

static void qmp_run(Monitor *mon, QObject *req)
{
    const QmpCommandList *cmds = mon->negotiated ? &qmp_commands
                                                 : &qmp_cap_negotiation_commands;
    Monitor *saved = cur_mon;
    QDict *rsp;

    cur_mon = mon;
    rsp = qmp_dispatch(cmds, req, mon->oob_enabled, NULL);
    cur_mon = saved;
    if (!rsp) {
        return;
    }
    if (!mon->negotiated) {
        QDict *err = qdict_get_qdict(rsp, "error");
        if (err && !g_strcmp0(qdict_get_try_str(err, "class"),
                              "CommandNotFound")) {
            qdict_put_str(err, "desc", "Expecting capabilities negotiation "
                          "with 'qmp_capabilities'");
        }
    }
    monitor_qmp_send(mon, rsp);
    qobject_unref(rsp);
}

static void qmp_dispatch_bh_cb(void *opaque)
{
    /* round robin: one request per monitor per iteration */
    bool more = false;

    for (GList *l = monitor_list(); l; l = l->next) {
        Monitor *mon = l->data;
        QObject *req;

        if (!mon->is_qmp || g_queue_is_empty(&mon->requests)) {
            continue;
        }
        if (monitor_output_blocked(mon)) {
            continue;           /* qmp_write_ready() reschedules us */
        }
        req = g_queue_pop_head(&mon->requests);
        qmp_run(mon, req);
        qobject_unref(req);
        if (!g_list_find(monitor_list(), mon)) {
            break;              /* the command removed its own monitor */
        }
        if (mon->suspended &&
            g_queue_get_length(&mon->requests) < QMP_REQ_QUEUE_LEN_MAX) {
            mon->suspended = false;
            chr_fe_accept_input(&mon->fe);
        }
        more |= !g_queue_is_empty(&mon->requests);
    }
    if (more) {
        qemu_bh_schedule(qmp_dispatch_bh);
    }
}

static void qmp_handle_value(void *opaque, QObject *value, GError *err)
{
    Monitor *mon = opaque;
    QDict *dict;

    if (err) {
        QDict *rsp = qdict_new();
        qdict_put(rsp, "error", qmp_error_dict(err));
        g_error_free(err);
        monitor_qmp_send(mon, rsp);
        qobject_unref(rsp);
        return;
    }
    dict = qobject_to_qdict(value);
    if (dict && mon->oob_enabled && qdict_haskey(dict, "exec-oob")) {
        qmp_run(mon, value);        /* out-of-band: overtake the queue */
        qobject_unref(value);
        return;
    }
    g_queue_push_tail(&mon->requests, value);
    if (g_queue_get_length(&mon->requests) >= QMP_REQ_QUEUE_LEN_MAX) {
        mon->suspended = true;
    }
    qemu_bh_schedule(qmp_dispatch_bh);
}

static int qmp_can_read(void *opaque)
{
    Monitor *mon = opaque;

    /* a slow reader: its replies wait, so do its next requests */
    return mon->suspended || monitor_output_blocked(mon) ? 0 : 4096;
}

static void qmp_read(void *opaque, const uint8_t *buf, int size)
{
    Monitor *mon = opaque;
    /* a descriptor sent with these bytes (getfd, add-fd); the chardev
     * closes any further ones */
    int fd = chr_fe_get_msgfd(&mon->fe);

    if (fd >= 0) {
        monitor_set_received_fd(mon, fd);
    }
    json_streamer_feed(mon->parser, (const char *)buf, size);
}

static void qmp_write_ready(void *opaque)
{
    Monitor *mon = opaque;

    if (!g_queue_is_empty(&mon->requests)) {
        qemu_bh_schedule(qmp_dispatch_bh);
    }
    chr_fe_accept_input(&mon->fe);
}

static void qmp_drop_requests(Monitor *mon)
{
    QObject *req;

    while ((req = g_queue_pop_head(&mon->requests))) {
        qobject_unref(req);
    }
    mon->suspended = false;
}

static void qmp_event(void *opaque, ChardevEvent event)
{
    Monitor *mon = opaque;

    switch (event) {
    case CHR_EVENT_OPENED:
        json_streamer_reset(mon->parser);
        qmp_drop_requests(mon);
        mon->negotiated = false;
        mon->oob_enabled = false;
        mon->connected = true;
        mon->warned_drop = false;
        qmp_send_greeting(mon);
        break;
    case CHR_EVENT_CLOSED:
        json_streamer_reset(mon->parser);
        qmp_drop_requests(mon);
        mon->negotiated = false;
        mon->oob_enabled = false;
        mon->connected = false;
        break;
    default:
        break;
    }
}

void monitor_qmp_setup(Monitor *mon)
{
    mon->parser = json_streamer_new(qmp_handle_value, mon);
    g_queue_init(&mon->requests);
    if (!qmp_dispatch_bh) {
        qmp_dispatch_bh = qemu_bh_new(qmp_dispatch_bh_cb, NULL);
    }
    chr_fe_set_handlers(&mon->fe, qmp_can_read, qmp_read, qmp_event, mon);
    chr_fe_set_write_ready(&mon->fe, qmp_write_ready);
}

void monitor_qmp_free(Monitor *mon)
{
    qmp_drop_requests(mon);
    json_streamer_free(mon->parser);
}

/* ---- the protocol's own commands ---- */

void qmp_qmp_capabilities(QMPCapabilityList *enable, GError **errp)
{
    Monitor *mon = cur_mon;

    if (!mon || mon->negotiated) {
        error_set(errp, KVMU_ERROR_COMMAND_NOT_FOUND,
                  "Capabilities negotiation is already complete, command "
                  "ignored");
        return;
    }
    mon->oob_enabled = false;
    for (; enable; enable = enable->next) {
        if (enable->value == QMP_CAPABILITY_OOB) {
            mon->oob_enabled = true;
        }
    }
    mon->negotiated = true;
}

static void qmp_marshal_query_qmp_schema(QDict *args, QObject **ret,
                                         GError **errp)
{
    extern const char qmp_schema_json[];
    static QObject *schema;
    GHashTable *unseen = qapi_in_unseen_new(args);

    if (qapi_in_check_unseen(args, NULL, unseen, errp)) {
        if (!schema) {
            schema = qobject_from_json(qmp_schema_json, NULL);
            g_assert(schema);
        }
        *ret = qobject_ref(schema);
    }
    g_hash_table_destroy(unseen);
}

void qmp_marshal_device_add(QDict *args, QObject **ret, GError **errp);
void qmp_marshal_object_add(QDict *args, QObject **ret, GError **errp);

void monitor_qmp_init_commands(void)
{
    const QmpCommand *caps;

    qmp_command_list_init(&qmp_commands);
    qmp_init_marshal(&qmp_commands);
    /* the schema marks these 'gen': false: their marshallers are ours */
    qmp_register_command(&qmp_commands, "query-qmp-schema",
                         qmp_marshal_query_qmp_schema, QCO_ALLOW_PRECONFIG,
                         0);
    qmp_register_command(&qmp_commands, "device_add", qmp_marshal_device_add,
                         0, 0);
    qmp_register_command(&qmp_commands, "object-add", qmp_marshal_object_add,
                         QCO_ALLOW_PRECONFIG, 0);

    qmp_command_list_init(&qmp_cap_negotiation_commands);
    caps = qmp_find_command(&qmp_commands, "qmp_capabilities");
    qmp_register_command(&qmp_cap_negotiation_commands, caps->name, caps->fn,
                         caps->options, caps->features);
}
