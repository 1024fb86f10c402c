/*
 * PC "system control port A" at 0x92: bit 1 A20 gate (stored and
 * reported; kvmu does not wrap addresses at 1 MiB, as KVM does not either
 * once firmware has enabled A20), bit 0 fast reset (a 0->1 write resets
 * the machine).
 */
#include "hw/i386/pc.h"
#include "migration/vmstate.h"
#include "system/runstate.h"

typedef struct Port92State {
    ISADevice parent;
    uint8_t value;
    MemoryRegion io;
} Port92State;

#define PORT92(obj) OBJECT_CHECK(Port92State, (obj), TYPE_PORT92)

static uint64_t port92_read(void *opaque, hwaddr addr, unsigned size)
{
    return ((Port92State *)opaque)->value;
}

static void port92_write(void *opaque, hwaddr addr, uint64_t val,
                         unsigned size)
{
    Port92State *s = opaque;
    uint8_t old = s->value;
    s->value = val & ~1;
    if ((val & 1) && !(old & 1)) {
        qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    }
}

static const MemoryRegionOps port92_ops = {
    .read = port92_read,
    .write = port92_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static bool port92_realize(DeviceState *dev, GError **errp)
{
    Port92State *s = PORT92(dev);
    memory_region_init_io(&s->io, OBJECT(dev), &port92_ops, s, "port92", 1);
    return isa_register_ioport(ISA_DEVICE(dev), &s->io, 0x92, errp);
}

static void port92_unrealize(DeviceState *dev)
{
    Port92State *s = PORT92(dev);
    isa_unregister_ioport(ISA_DEVICE(dev), &s->io);
    memory_region_finalize(&s->io);
}

static void port92_reset(DeviceState *dev)
{
    PORT92(dev)->value = 0x02;     /* A20 on */
}

static const VMStateDescription vmstate_port92 = {
    .name = "port92",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(value, Port92State),
        VMSTATE_END_OF_LIST(),
    },
};

static void port92_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    dc->desc = "system control port A (0x92)";
    dc->user_creatable = false;
    dc->realize = port92_realize;
    dc->unrealize = port92_unrealize;
    dc->reset = port92_reset;
    dc->vmsd = &vmstate_port92;
}

static const TypeInfo port92_info = {
    .name = TYPE_PORT92,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(Port92State),
    .class_init = port92_class_init,
};

static void port92_register(void)
{
    type_register_static_array(&port92_info, 1);
}
type_init(port92_register)
