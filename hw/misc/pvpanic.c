/*
 * "pvpanic" (include/hw/misc/pvpanic.h): one ISA port that tells the
 * guest which events it may report and takes its panic / crash-loaded
 * notifications. Bits the device does not offer (events=) or that are
 * undefined are ignored, with a guest-error log line.
 */
#include "hw/isa.h"
#include "hw/misc/pvpanic.h"
#include "system/runstate.h"
#include "util/error.h"
#include "util/log.h"

#include <inttypes.h>

typedef struct PvpanicState {
    ISADevice parent;
    uint32_t ioport;
    uint32_t events;
    MemoryRegion io;
} PvpanicState;

#define PVPANIC(obj) OBJECT_CHECK(PvpanicState, (obj), TYPE_PVPANIC)

static PvpanicCrashLoadedHook *crashloaded_hook;

void pvpanic_set_crashloaded_hook(PvpanicCrashLoadedHook *fn)
{
    crashloaded_hook = fn;
}

static uint64_t pvpanic_read(void *opaque, hwaddr addr, unsigned size)
{
    PvpanicState *s = opaque;
    return s->events;
}

static void pvpanic_write(void *opaque, hwaddr addr, uint64_t val,
                          unsigned size)
{
    PvpanicState *s = opaque;
    uint64_t ev = val & s->events;

    if (val & ~(uint64_t)s->events) {
        log_guest_error("pvpanic: unknown event 0x%" PRIx64 "\n",
                        val & ~(uint64_t)s->events);
    }
    if (ev & PVPANIC_PANICKED) {
        qemu_system_guest_panicked();
        return;
    }
    if ((ev & PVPANIC_CRASH_LOADED) && crashloaded_hook) {
        crashloaded_hook();
    }
}

static const MemoryRegionOps pvpanic_ops = {
    .read = pvpanic_read,
    .write = pvpanic_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static bool pvpanic_realize(DeviceState *dev, GError **errp)
{
    PvpanicState *s = PVPANIC(dev);

    if (s->ioport > 0xffff) {
        error_setg(errp, "pvpanic: ioport 0x%x is not a valid port",
                   s->ioport);
        return false;
    }
    if (s->events & ~(PVPANIC_PANICKED | PVPANIC_CRASH_LOADED)) {
        error_setg(errp, "pvpanic: events 0x%x: only bits 0 (panicked) "
                   "and 1 (crash-loaded) exist", s->events);
        return false;
    }
    memory_region_init_io(&s->io, OBJECT(dev), &pvpanic_ops, s, "pvpanic", 1);
    return isa_register_ioport(ISA_DEVICE(dev), &s->io, s->ioport, errp);
}

static void pvpanic_unrealize(DeviceState *dev)
{
    isa_unregister_ioport(ISA_DEVICE(dev), &PVPANIC(dev)->io);
    memory_region_finalize(&PVPANIC(dev)->io);
}

static const Property pvpanic_props[] = {
    DEFINE_PROP_UINT32("ioport", PvpanicState, ioport, PVPANIC_IOPORT),
    DEFINE_PROP_UINT32("events", PvpanicState, events,
                       PVPANIC_PANICKED | PVPANIC_CRASH_LOADED),
    DEFINE_PROP_END_OF_LIST(),
};

static void pvpanic_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    dc->desc = "pvpanic device (ISA port 0x505)";
    dc->categories = 1u << DEVICE_CATEGORY_MISC;
    dc->realize = pvpanic_realize;
    dc->unrealize = pvpanic_unrealize;
    device_class_set_props(dc, pvpanic_props);
}

static const TypeInfo pvpanic_info = {
    .name = TYPE_PVPANIC,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(PvpanicState),
    .class_init = pvpanic_class_init,
};

static void pvpanic_register(void)
{
    type_register_static_array(&pvpanic_info, 1);
}
type_init(pvpanic_register)
