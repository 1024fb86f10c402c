/*
 * MC146818 real-time clock and CMOS NVRAM at ports 0x70/0x71, ISA IRQ 8
 * (hw/rtc/mc146818rtc.c). The board fills the CMOS bytes firmware reads
 * (memory sizes, CPU count, boot order) with rtc_set_memory().
 */
#ifndef HW_RTC_MC146818RTC_H
#define HW_RTC_MC146818RTC_H

#include "hw/isa.h"
#include "system/timer.h"

#define TYPE_MC146818_RTC "mc146818rtc"
#define RTC_CMOS_SIZE 128

/* -rtc base=utc|localtime|DATE, clock=host|rt|vm */
typedef struct RTCConfig {
    bool localtime;          /* base=localtime */
    bool has_base_date;
    int64_t base_date;       /* base=DATE: seconds since the epoch (UTC) */
    QEMUClockType clock;     /* clock=host (default), rt, vm */
} RTCConfig;

DeviceState *mc146818_rtc_create(ISABus *bus, const RTCConfig *cfg,
                                 GError **errp);
void rtc_set_memory(DeviceState *rtc, unsigned addr, uint8_t val);
uint8_t rtc_get_memory(DeviceState *rtc, unsigned addr);
/* Guest time now, seconds since the epoch (what its registers say). */
int64_t rtc_guest_time(DeviceState *rtc);
/* Called when the guest sets the clock: offset from host time in seconds
 * (the QMP RTC_CHANGE event). */
typedef void RTCChangeHook(int64_t offset_s);
void rtc_set_change_hook(RTCChangeHook *hook);

#endif
