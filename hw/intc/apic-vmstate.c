/*
 * The local APIC's migration state: the xAPIC register file and timer
 * (version 1), and a subsection for x2APIC mode, a globally disabled APIC
 * and an armed TSC deadline, sent only when one of those is in use.
 */
#include "apic-internal.h"
#include "migration/vmstate.h"


static int apic_post_load(void *opaque, int version_id)
{
    APICState *s = opaque;
    s->tpr &= 0xff;
    s->svr &= 0x3ff;
    s->divide_conf &= 0xb;
    if (!s->mode_loaded) {      /* no subsection: an xAPIC-mode stream */
        s->x2apic = s->hw_disabled = false;
        s->tsc_deadline = 0;
        s->apic_base = APIC_DEFAULT_ADDRESS | APIC_BASE_EN |
                       (s->index == 0 ? APIC_BASE_BSP : 0);
    }
    s->mode_loaded = false;
    if (s->hw_disabled) {
        s->x2apic = false;
    }
    if (s->timer) {
        if (s->next_fire) {
            apic_timer_arm(s);  /* armed per mode: count or deadline */
        } else {
            timer_del(s->timer);
        }
    }
    apic_update(s);
    return 0;
}

/* x2APIC mode, a disabled APIC, an armed TSC deadline: only then sent,
 * so streams of xAPIC-only guests stay as before */
static bool apic_mode_needed(void *opaque)
{
    APICState *s = opaque;
    return s->x2apic || s->hw_disabled || s->tsc_deadline;
}

static int apic_mode_post_load(void *opaque, int version_id)
{
    ((APICState *)opaque)->mode_loaded = true;
    return 0;
}

static const VMStateDescription vmstate_apic_mode = {
    .name = "apic/x2apic-tsc-deadline",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = apic_mode_needed,
    .post_load = apic_mode_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(apic_base, APICState),
        VMSTATE_BOOL(x2apic, APICState),
        VMSTATE_BOOL(hw_disabled, APICState),
        VMSTATE_UINT64(tsc_deadline, APICState),
        VMSTATE_END_OF_LIST(),
    },
};

const VMStateDescription vmstate_apic = {
    .name = "apic",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = apic_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(id, APICState),
        VMSTATE_UINT32(tpr, APICState),
        VMSTATE_UINT32(ldr, APICState),
        VMSTATE_UINT32(dfr, APICState),
        VMSTATE_UINT32(svr, APICState),
        VMSTATE_UINT32_ARRAY(isr, APICState, 8),
        VMSTATE_UINT32_ARRAY(tmr, APICState, 8),
        VMSTATE_UINT32_ARRAY(irr, APICState, 8),
        VMSTATE_UINT32(esr, APICState),
        VMSTATE_UINT32(esr_pending, APICState),
        VMSTATE_UINT32_ARRAY(icr, APICState, 2),
        VMSTATE_UINT32_ARRAY(lvt, APICState, APIC_LVT_NB),
        VMSTATE_UINT32(divide_conf, APICState),
        VMSTATE_UINT32(initial_count, APICState),
        VMSTATE_INT64(load_time, APICState),
        VMSTATE_INT64(next_fire, APICState),
        VMSTATE_END_OF_LIST(),
    },
    .subsections = (const VMStateDescription *const[]) {
        &vmstate_apic_mode,
        NULL,
    },
};
