/*
 * "isa-serial": a 16550A at a PC COM port. Defaults by index, as on PCs:
 * COM1 0x3f8/IRQ4, COM2 0x2f8/IRQ3, COM3 0x3e8/IRQ4, COM4 0x2e8/IRQ3.
 */
#include "hw/char/serial.h"
#include "hw/isa.h"
#include "migration/vmstate.h"
#include "util/error.h"

typedef struct ISASerialState {
    ISADevice parent;
    int32_t index;
    uint32_t iobase;
    uint32_t isairq;
    SerialState state;
} ISASerialState;

#define ISA_SERIAL(obj) OBJECT_CHECK(ISASerialState, (obj), TYPE_ISA_SERIAL)

static const uint16_t com_iobase[4] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
static const uint8_t com_irq[4] = { 4, 3, 4, 3 };
static int next_index;

static bool isa_serial_realize(DeviceState *dev, GError **errp)
{
    ISASerialState *isa = ISA_SERIAL(dev);
    SerialState *s = &isa->state;

    if (isa->index == -1) {
        isa->index = next_index;
    }
    if (isa->index < 0 || isa->index >= 4) {
        error_setg(errp, "Max. supported number of ISA serial ports is 4.");
        return false;
    }
    next_index = isa->index + 1;
    if (isa->iobase == UINT32_MAX) {
        isa->iobase = com_iobase[isa->index];
    }
    if (isa->isairq == UINT32_MAX) {
        isa->isairq = com_irq[isa->index];
    }
    if (isa->isairq >= ISA_NUM_IRQS) {
        error_setg(errp, "isa-serial: irq %u is not an ISA IRQ (0-15)",
                   isa->isairq);
        return false;
    }
    s->irq = isa_get_irq(ISA_DEVICE(dev), isa->isairq);
    if (!serial_realize_core(s, OBJECT(dev), errp)) {
        return false;
    }
    return isa_register_ioport(ISA_DEVICE(dev), &s->io, isa->iobase, errp);
}

static void isa_serial_unrealize(DeviceState *dev)
{
    ISASerialState *isa = ISA_SERIAL(dev);
    isa_unregister_ioport(ISA_DEVICE(dev), &isa->state.io);
    memory_region_finalize(&isa->state.io);
    serial_unrealize_core(&isa->state);
}

static void isa_serial_reset(DeviceState *dev)
{
    serial_reset(&ISA_SERIAL(dev)->state);
}

static const VMStateDescription vmstate_isa_serial = {
    .name = "serial",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(state, ISASerialState, vmstate_serial, SerialState),
        VMSTATE_END_OF_LIST(),
    },
};

static const Property isa_serial_props[] = {
    DEFINE_PROP_INT32("index", ISASerialState, index, -1),
    DEFINE_PROP_UINT32("iobase", ISASerialState, iobase, UINT32_MAX),
    DEFINE_PROP_UINT32("irq", ISASerialState, isairq, UINT32_MAX),
    DEFINE_PROP_STRING("chardev", ISASerialState, state.chardev_id),
    DEFINE_PROP_END_OF_LIST(),
};

static void isa_serial_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    dc->desc = "16550A UART on the ISA bus";
    dc->categories = 1u << DEVICE_CATEGORY_INPUT;
    dc->realize = isa_serial_realize;
    dc->unrealize = isa_serial_unrealize;
    dc->reset = isa_serial_reset;
    dc->vmsd = &vmstate_isa_serial;
    device_class_set_props(dc, isa_serial_props);
}

static const TypeInfo isa_serial_info = {
    .name = TYPE_ISA_SERIAL,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(ISASerialState),
    .class_init = isa_serial_class_init,
};

static void isa_serial_register(void)
{
    type_register_static_array(&isa_serial_info, 1);
}
type_init(isa_serial_register)
