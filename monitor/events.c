/*
 * Event delivery: generated qapi_event_send_*() -> every negotiated QMP
 * monitor; run-state changes (system/runstate.h hook) -> the STOP,
 * RESUME, SHUTDOWN, RESET, POWERDOWN, SUSPEND, WAKEUP, GUEST_PANICKED
 * events from the schema; qdev's deleted notifier -> DEVICE_DELETED; the
 * RTC's change hook -> RTC_CHANGE (rate-limited to one a second);
 * pvpanic's crash-loaded hook -> GUEST_CRASHLOADED.
 */
#include "monitor-internal.h"
#include "qapi/qapi-events.h"
#include "system/runstate.h"
#include "system/timer.h"
#include "hw/qdev.h"
#include "hw/misc/pvpanic.h"
#include "hw/rtc/mc146818rtc.h"
#include "qom/object.h"

#include <string.h>

static void monitor_send_event(QDict *msg)
{
    for (GList *l = monitor_list(); l; l = l->next) {
        Monitor *mon = l->data;
        if (mon->is_qmp && mon->connected && mon->negotiated) {
            monitor_qmp_send(mon, msg);
        }
    }
}

/*
 * Events a guest can raise at will are rate-limited as in QEMU: the first
 * goes out at once, later ones within the period are coalesced and only
 * the latest is sent when the period ends.
 */
#define EVENT_THROTTLE_MS 1000

typedef struct ThrottleState {
    QEMUTimer *timer;
    QDict *pending;
} ThrottleState;

static ThrottleState rtc_throttle;

static void throttle_expired(void *opaque)
{
    ThrottleState *t = opaque;

    if (!t->pending) {
        return;                 /* quiet period over: next one goes at once */
    }
    monitor_send_event(t->pending);
    qobject_unref(t->pending);
    t->pending = NULL;
    timer_mod(t->timer, clock_get_ms(QEMU_CLOCK_REALTIME) + EVENT_THROTTLE_MS);
}

static void monitor_broadcast_event(int event, QDict *msg, void *opaque)
{
    ThrottleState *t = event == QAPI_EVENT_RTC_CHANGE ? &rtc_throttle : NULL;

    if (!t) {
        monitor_send_event(msg);
        return;
    }
    if (!t->timer) {
        t->timer = timer_new_ms(QEMU_CLOCK_REALTIME, throttle_expired, t);
    }
    if (timer_pending(t->timer)) {
        qobject_unref(t->pending);
        t->pending = qobject_ref(msg);
        return;
    }
    monitor_send_event(msg);
    timer_mod(t->timer, clock_get_ms(QEMU_CLOCK_REALTIME) + EVENT_THROTTLE_MS);
}

static QMPShutdownCause cause_from_name(const char *reason)
{
    GError *err = NULL;
    int v = qapi_enum_parse(&QMPShutdownCause_lookup, reason,
                            QMP_SHUTDOWN_CAUSE_NONE, &err);

    g_clear_error(&err);
    return v;
}

static void runstate_event(void *opaque, const char *name, bool guest,
                           const char *reason)
{
    if (!strcmp(name, "STOP")) {
        qapi_event_send_stop();
    } else if (!strcmp(name, "RESUME")) {
        qapi_event_send_resume();
    } else if (!strcmp(name, "SHUTDOWN")) {
        qapi_event_send_shutdown(guest, cause_from_name(reason));
    } else if (!strcmp(name, "RESET")) {
        qapi_event_send_reset(guest, cause_from_name(reason));
    } else if (!strcmp(name, "POWERDOWN")) {
        qapi_event_send_powerdown();
    } else if (!strcmp(name, "SUSPEND")) {
        qapi_event_send_suspend();
    } else if (!strcmp(name, "WAKEUP")) {
        qapi_event_send_wakeup();
    } else if (!strcmp(name, "GUEST_PANICKED")) {
        GError *err = NULL;
        int action = qapi_enum_parse(&GuestPanicAction_lookup, reason,
                                     GUEST_PANIC_ACTION_PAUSE, &err);
        g_clear_error(&err);
        qapi_event_send_guest_panicked(action, NULL);
    }
}

/* pvpanic's "crash loaded": the guest's crash kernel runs; so does the VM */
static void guest_crashloaded(void)
{
    qapi_event_send_guest_crashloaded(GUEST_PANIC_ACTION_RUN, NULL);
}

static void device_deleted(DeviceState *dev, const char *id,
                           const char *path, void *opaque)
{
    qapi_event_send_device_deleted(id, path);
}

static void rtc_changed(int64_t offset_s)
{
    Object *rtc = object_resolve_path_type("", TYPE_MC146818_RTC, NULL);
    char *path = rtc ? object_get_canonical_path(rtc) : NULL;

    qapi_event_send_rtc_change(offset_s, path ? path : "");
    g_free(path);
}

void monitor_events_init(void)
{
    qapi_event_set_handler(monitor_broadcast_event, NULL);
    runstate_add_event_hook(runstate_event, NULL);
    qdev_set_deleted_notifier(device_deleted, NULL);
    rtc_set_change_hook(rtc_changed);
    pvpanic_set_crashloaded_hook(guest_crashloaded);
}
