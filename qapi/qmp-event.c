/* QMP event envelope and delivery; see include/qapi/qmp-event.h. */
#include "qapi/qmp-event.h"

static QapiEventHandler *event_handler;
static void *event_opaque;

void qapi_event_set_handler(QapiEventHandler *fn, void *opaque)
{
    event_handler = fn;
    event_opaque = opaque;
}

QDict *qapi_event_build(const char *name, QDict *data)
{
    QDict *msg = qdict_new(), *ts = qdict_new();
    gint64 now = g_get_real_time();

    qdict_put_int(ts, "seconds", now / G_USEC_PER_SEC);
    qdict_put_int(ts, "microseconds", now % G_USEC_PER_SEC);
    qdict_put(msg, "timestamp", ts);
    qdict_put_str(msg, "event", name);
    if (data) {
        qdict_put(msg, "data", data);
    }
    return msg;
}

void qapi_event_emit(int event, const char *name, QDict *data)
{
    QDict *msg = qapi_event_build(name, data);

    if (event_handler) {
        event_handler(event, msg, event_opaque);
    }
    qobject_unref(msg);
}
