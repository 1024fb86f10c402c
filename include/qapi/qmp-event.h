/*
 * QMP event delivery (qapi/qmp-event.c). Generated qapi_event_send_*()
 * call qapi_event_emit(), which builds {"timestamp": {"seconds",
 * "microseconds"}, "event": NAME, "data": {...}} and hands it to the
 * registered handler (the monitor broadcasts it to every negotiated QMP
 * client). Without a handler events are dropped. Main loop / BQL.
 */
#ifndef QAPI_QMP_EVENT_H
#define QAPI_QMP_EVENT_H

#include "qapi/util.h"

/* The handler borrows msg; it must take a reference to keep it. */
typedef void QapiEventHandler(int event, QDict *msg, void *opaque);

void qapi_event_set_handler(QapiEventHandler *fn, void *opaque);
/* Takes ownership of data (may be NULL). */
void qapi_event_emit(int event, const char *name, QDict *data);
/* The envelope alone, for tests and for QMP clients' own use. */
QDict *qapi_event_build(const char *name, QDict *data);

#endif
