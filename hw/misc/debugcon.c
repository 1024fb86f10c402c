/*
 * "isa-debugcon": bytes written to its port (0xe9 by default, as Bochs and
 * QEMU) go to a chardev; a read returns readback (0xe9), which is how
 * firmware detects the port.
 */
#include "chardev/char.h"
#include "hw/isa.h"
#include "hw/misc/debug.h"
#include "util/error.h"

typedef struct DebugconState {
    ISADevice parent;
    uint32_t iobase;
    uint32_t readback;
    char *chardev_id;
    CharFrontend chr;
    MemoryRegion io;
} DebugconState;

#define DEBUGCON(obj) OBJECT_CHECK(DebugconState, (obj), TYPE_ISA_DEBUGCON)

static uint64_t debugcon_read(void *opaque, hwaddr addr, unsigned size)
{
    DebugconState *s = opaque;
    return s->readback;
}

static void debugcon_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
    DebugconState *s = opaque;
    uint8_t byte = val;
    chr_fe_write(&s->chr, &byte, 1);
}

static const MemoryRegionOps debugcon_ops = {
    .read = debugcon_read,
    .write = debugcon_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static bool debugcon_realize(DeviceState *dev, GError **errp)
{
    DebugconState *s = DEBUGCON(dev);

    if (!s->chardev_id) {
        error_setg(errp, "Can't create isa-debugcon, empty char device");
        return false;
    }
    Chardev *chr = chardev_find(s->chardev_id);
    if (!chr) {
        error_setg(errp, "Property 'chardev' can't find value '%s'",
                   s->chardev_id);
        return false;
    }
    if (!chr_fe_init(&s->chr, chr, errp)) {
        return false;
    }
    memory_region_init_io(&s->io, OBJECT(dev), &debugcon_ops, s,
                          "isa-debugcon", 1);
    return isa_register_ioport(ISA_DEVICE(dev), &s->io, s->iobase, errp);
}

static void debugcon_unrealize(DeviceState *dev)
{
    isa_unregister_ioport(ISA_DEVICE(dev), &DEBUGCON(dev)->io);
    memory_region_finalize(&DEBUGCON(dev)->io);
    chr_fe_deinit(&DEBUGCON(dev)->chr);
}

static const Property debugcon_props[] = {
    DEFINE_PROP_UINT32("iobase", DebugconState, iobase, 0xe9),
    DEFINE_PROP_UINT32("readback", DebugconState, readback, 0xe9),
    DEFINE_PROP_STRING("chardev", DebugconState, chardev_id),
    DEFINE_PROP_END_OF_LIST(),
};

static void debugcon_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    dc->desc = "ISA debug console (port 0xe9)";
    dc->categories = 1u << DEVICE_CATEGORY_MISC;
    dc->realize = debugcon_realize;
    dc->unrealize = debugcon_unrealize;
    device_class_set_props(dc, debugcon_props);
}

static const TypeInfo debugcon_info = {
    .name = TYPE_ISA_DEBUGCON,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(DebugconState),
    .class_init = debugcon_class_init,
};

static void debugcon_register(void)
{
    type_register_static_array(&debugcon_info, 1);
}
type_init(debugcon_register)
