/*
 * System bus devices and GPIO lines: an MMIO region mapped, moved and
 * unmapped in system memory; I/O ports; interrupt outputs wired to a
 * controller's GPIO inputs; named GPIO lists.
 */
#include "hw/sysbus.h"

#define TYPE_T_MMIO "t-mmio-dev"
#define TYPE_T_INTC "t-intc"

typedef struct {
    SysBusDevice parent;
    MemoryRegion mmio;
    MemoryRegion pio;
    qemu_irq irq[2];
    uint32_t reg;
} TMmio;

typedef struct {
    DeviceState parent;
    int levels[8];
    int named_levels[2];
} TIntc;

static uint64_t t_read(void *opaque, hwaddr addr, unsigned size)
{
    TMmio *s = opaque;

    return addr == 0 ? s->reg : 0x1234;
}

static void t_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    TMmio *s = opaque;

    s->reg = val;
    qemu_set_irq(s->irq[val & 1], 1);
}

static const MemoryRegionOps t_ops = {
    .read = t_read,
    .write = t_write,
    .valid = {.min_access_size = 1, .max_access_size = 4},
};

static bool t_mmio_realize(DeviceState *dev, GError **errp)
{
    TMmio *s = (TMmio *)dev;
    SysBusDevice *sbd = SYS_BUS_DEVICE(dev);

    memory_region_init_io(&s->mmio, OBJECT(dev), &t_ops, s, "t-mmio", 0x100);
    memory_region_init_io(&s->pio, OBJECT(dev), &t_ops, s, "t-pio", 4);
    g_assert_cmpint(sysbus_init_mmio(sbd, &s->mmio), ==, 0);
    sysbus_init_irq(sbd, &s->irq[0]);
    sysbus_init_irq(sbd, &s->irq[1]);
    return true;
}

static void t_mmio_finalize(Object *obj)
{
    TMmio *s = (TMmio *)obj;

    memory_region_finalize(&s->mmio);
    memory_region_finalize(&s->pio);
}

static void t_mmio_class_init(ObjectClass *oc, void *data)
{
    DEVICE_CLASS(oc)->realize = t_mmio_realize;
}

static void intc_set(void *opaque, int n, int level)
{
    ((TIntc *)opaque)->levels[n] = level;
}

static void intc_set_named(void *opaque, int n, int level)
{
    ((TIntc *)opaque)->named_levels[n] = level;
}

static void intc_init(Object *obj)
{
    qdev_init_gpio_in(DEVICE(obj), intc_set, 4);
    qdev_init_gpio_in(DEVICE(obj), intc_set, 4); /* appends: 8 */
    qdev_init_gpio_in_named(DEVICE(obj), intc_set_named, "nmi", 2);
}

static const TypeInfo types[] = {
    {
        .name = TYPE_T_MMIO,
        .parent = TYPE_SYS_BUS_DEVICE,
        .instance_size = sizeof(TMmio),
        .class_init = t_mmio_class_init,
        .instance_finalize = t_mmio_finalize,
    },
    {
        .name = TYPE_T_INTC,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(TIntc),
        .instance_init = intc_init,
    },
};

static void test_sysbus_mmio_and_irq(void)
{
    GError *err = NULL;
    DeviceState *intc_dev = qdev_new(TYPE_T_INTC);
    TIntc *intc = (TIntc *)intc_dev;
    g_assert_true(qdev_realize(intc_dev, NULL, &err));
    g_assert_cmpint(qdev_gpio_count_in(intc_dev, NULL), ==, 8);
    g_assert_cmpint(qdev_gpio_count_in(intc_dev, "nmi"), ==, 2);
    g_assert_cmpint(qdev_gpio_count_in(intc_dev, "none"), ==, 0);
    g_assert_null(qdev_get_gpio_in(intc_dev, 8));
    g_assert_null(qdev_get_gpio_in(intc_dev, -1));
    g_assert_null(qdev_get_gpio_in_named(intc_dev, "none", 0));
    qdev_connect_gpio_out(intc_dev, 0, NULL); /* no outputs: ignored */

    DeviceState *dev = sysbus_create_simple(TYPE_T_MMIO, 0xfed00000,
                                            qdev_get_gpio_in(intc_dev, 5));
    TMmio *s = (TMmio *)dev;
    SysBusDevice *sbd = SYS_BUS_DEVICE(dev);
    g_assert(dev->parent_bus == sysbus_get_default());
    g_assert_true(sysbus_has_irq(sbd, 1));
    g_assert_false(sysbus_has_irq(sbd, 2));
    sysbus_connect_irq(sbd, 1, qdev_get_gpio_in_named(intc_dev, "nmi", 1));

    /* Guest-visible: MMIO at the mapped address reaches the device. */
    s->reg = 0xabcd;
    g_assert_cmphex(address_space_ldl_le(&address_space_memory, 0xfed00000,
                                         MEMTXATTRS_UNSPECIFIED, NULL),
                    ==, 0xabcd);
    uint32_t v = 0x10;
    address_space_write(&address_space_memory, 0xfed00000,
                        MEMTXATTRS_UNSPECIFIED, &v, 4);
    g_assert_cmphex(s->reg, ==, 0x10);
    g_assert_cmpint(intc->levels[5], ==, 1); /* irq 0 */
    v = 0x11;
    address_space_write(&address_space_memory, 0xfed00000,
                        MEMTXATTRS_UNSPECIFIED, &v, 4);
    g_assert_cmpint(intc->named_levels[1], ==, 1); /* irq 1 -> nmi[1] */

    /* Moving the region; the old address reads as unassigned. */
    sysbus_mmio_map(sbd, 0, 0xfee00000);
    g_assert_cmphex(address_space_ldl_le(&address_space_memory, 0xfee00000,
                                         MEMTXATTRS_UNSPECIFIED, NULL),
                    ==, 0x11);
    g_assert_cmphex(address_space_ldl_le(&address_space_memory, 0xfed00000,
                                         MEMTXATTRS_UNSPECIFIED, NULL),
                    ==, 0xffffffff);

    /* I/O ports. */
    sysbus_add_io(sbd, 0x510, &s->pio);
    g_assert_cmphex(address_space_ldl_le(&address_space_io, 0x510,
                                         MEMTXATTRS_UNSPECIFIED, NULL),
                    ==, 0x11);
    memory_region_del_subregion(get_system_io(), &s->pio);

    /* Unrealize unmaps. */
    qdev_unrealize(dev);
    g_assert_cmphex(address_space_ldl_le(&address_space_memory, 0xfee00000,
                                         MEMTXATTRS_UNSPECIFIED, NULL),
                    ==, 0xffffffff);
    object_unparent(OBJECT(dev));
    object_unparent(OBJECT(intc_dev));
    object_unref(intc_dev);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    type_register_static_array(types, G_N_ELEMENTS(types));
    g_test_add_func("/sysbus/mmio-and-irq", test_sysbus_mmio_and_irq);
    return g_test_run();
}
