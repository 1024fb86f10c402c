/*
 * "isa-debug-exit": a write to its port ends the emulator with exit status
 * (value << 1) | 1, so a guest test can report pass/fail through the
 * process status (status 0 stays reserved for a normal shutdown). The
 * exit goes through a hook so the emulator can flush chardevs and restore
 * the terminal first; tests install their own hook.
 */
#include "hw/isa.h"
#include "hw/misc/debug.h"

#include <stdlib.h>

typedef struct DebugExitState {
    ISADevice parent;
    uint32_t iobase;
    uint32_t iosize;
    MemoryRegion io;
} DebugExitState;

#define DEBUG_EXIT(obj) OBJECT_CHECK(DebugExitState, (obj), TYPE_ISA_DEBUG_EXIT)

static void default_exit(int status)
{
    exit(status);
}

static DebugExitHook *exit_hook = default_exit;

void debug_exit_set_hook(DebugExitHook *hook)
{
    exit_hook = hook ? hook : default_exit;
}

static uint64_t debug_exit_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void debug_exit_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    /* The device's documented purpose: the guest chooses the status. */
    exit_hook((int)(((val << 1) | 1) & 0xff));
}

static const MemoryRegionOps debug_exit_ops = {
    .read = debug_exit_read,
    .write = debug_exit_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

static bool debug_exit_realize(DeviceState *dev, GError **errp)
{
    DebugExitState *s = DEBUG_EXIT(dev);
    memory_region_init_io(&s->io, OBJECT(dev), &debug_exit_ops, s,
                          "isa-debug-exit", s->iosize ? s->iosize : 1);
    return isa_register_ioport(ISA_DEVICE(dev), &s->io, s->iobase, errp);
}

static void debug_exit_unrealize(DeviceState *dev)
{
    isa_unregister_ioport(ISA_DEVICE(dev), &DEBUG_EXIT(dev)->io);
    memory_region_finalize(&DEBUG_EXIT(dev)->io);
}

static const Property debug_exit_props[] = {
    DEFINE_PROP_UINT32("iobase", DebugExitState, iobase, 0x501),
    DEFINE_PROP_UINT32("iosize", DebugExitState, iosize, 0x02),
    DEFINE_PROP_END_OF_LIST(),
};

static void debug_exit_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    dc->desc = "exits the emulator with status (value << 1) | 1";
    dc->categories = 1u << DEVICE_CATEGORY_MISC;
    dc->realize = debug_exit_realize;
    dc->unrealize = debug_exit_unrealize;
    device_class_set_props(dc, debug_exit_props);
}

static const TypeInfo debug_exit_info = {
    .name = TYPE_ISA_DEBUG_EXIT,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(DebugExitState),
    .class_init = debug_exit_class_init,
};

static void debug_exit_register(void)
{
    type_register_static_array(&debug_exit_info, 1);
}
type_init(debug_exit_register)
