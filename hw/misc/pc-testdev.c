/*
 * "pc-testdev": the ISA device kvm-unit-tests use to check port I/O of
 * every width, MMIO emulation and interrupt delivery (the guest toggles
 * a GSI and watches the IOAPIC/PIC react). The port map is in
 * include/hw/misc/pc-testdev.h. Left out: the page-flush port drops no
 * host mapping (there is none to drop behind our memory API); no vmstate
 * (a test device, never migrated). Nothing at 0xe8-0xeb: port 0xe9 is
 * the debug console kvm-unit-tests print to.
 */
#include "hw/isa.h"
#include "hw/misc/pc-testdev.h"
#include "util/log.h"

#include <string.h>

#define PC_TESTDEV_IOPORT 0xe0
#define PC_TESTDEV_FLUSH 0xe4
#define PC_TESTDEV_IRQ 0x2000

typedef struct PCTestdev {
    ISADevice parent;
    MemoryRegion ioport, flush, irq, iomem;
    bool iomem_mapped;
    uint8_t scratch[4];             /* little-endian 32-bit register */
    uint8_t level[PC_TESTDEV_NUM_GSI];
    uint64_t flushes;
    uint8_t *iomem_buf;
} PCTestdev;

#define PC_TESTDEV(obj) OBJECT_CHECK(PCTestdev, (obj), TYPE_PC_TESTDEV)

static qemu_irq *gsi_lines;
static unsigned gsi_count;

void pc_testdev_set_gsi_lines(qemu_irq *lines, unsigned count)
{
    gsi_lines = lines;
    gsi_count = count;
}

/* 0xe0: one byte lane per call (impl.max_access_size = 1) */
static uint64_t scratch_read(void *opaque, hwaddr addr, unsigned size)
{
    return PC_TESTDEV(opaque)->scratch[addr & 3];
}

static void scratch_write(void *opaque, hwaddr addr, uint64_t val,
                          unsigned size)
{
    PC_TESTDEV(opaque)->scratch[addr & 3] = val;
}

static const MemoryRegionOps scratch_ops = {
    .read = scratch_read,
    .write = scratch_write,
    .valid = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

static uint64_t flush_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void flush_write(void *opaque, hwaddr addr, uint64_t val,
                        unsigned size)
{
    /* The guest names a page whose host mapping KVM should drop. Our
     * RAM has one mapping for life, so there is nothing to do but count. */
    PC_TESTDEV(opaque)->flushes++;
}

static const MemoryRegionOps flush_ops = {
    .read = flush_read,
    .write = flush_write,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
};

static qemu_irq gsi_line(PCTestdev *s, unsigned gsi)
{
    if (gsi < ISA_NUM_IRQS && isa_device_bus(&s->parent)) {
        qemu_irq irq = isa_get_irq(&s->parent, gsi);
        if (irq) {
            return irq;
        }
    }
    return gsi < gsi_count && gsi_lines ? gsi_lines[gsi] : NULL;
}

static uint64_t irq_read(void *opaque, hwaddr addr, unsigned size)
{
    PCTestdev *s = PC_TESTDEV(opaque);
    return addr < PC_TESTDEV_NUM_GSI ? s->level[addr] : 0;
}

static void irq_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PCTestdev *s = PC_TESTDEV(opaque);
    qemu_irq irq;

    if (addr >= PC_TESTDEV_NUM_GSI) {
        return;
    }
    s->level[addr] = val != 0;
    irq = gsi_line(s, addr);
    if (irq) {
        qemu_set_irq(irq, s->level[addr]);
    } else {
        log_guest_error("pc-testdev: GSI %u is not wired\n", (unsigned)addr);
    }
}

static const MemoryRegionOps irq_ops = {
    .read = irq_read,
    .write = irq_write,
    .valid = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

static uint64_t iomem_read(void *opaque, hwaddr addr, unsigned size)
{
    PCTestdev *s = PC_TESTDEV(opaque);
    return addr < PC_TESTDEV_IOMEM_SIZE ? s->iomem_buf[addr] : 0;
}

static void iomem_write(void *opaque, hwaddr addr, uint64_t val,
                        unsigned size)
{
    PCTestdev *s = PC_TESTDEV(opaque);
    if (addr < PC_TESTDEV_IOMEM_SIZE) {
        s->iomem_buf[addr] = val;
    }
}

static const MemoryRegionOps iomem_ops = {
    .read = iomem_read,
    .write = iomem_write,
    .valid = { .min_access_size = 1, .max_access_size = 8, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

static void pc_testdev_unrealize(DeviceState *dev)
{
    PCTestdev *s = PC_TESTDEV(dev);
    ISADevice *isa = ISA_DEVICE(dev);

    isa_unregister_ioport(isa, &s->ioport);
    isa_unregister_ioport(isa, &s->flush);
    isa_unregister_ioport(isa, &s->irq);
    if (s->iomem_mapped) {
        memory_region_del_subregion(get_system_memory(), &s->iomem);
        s->iomem_mapped = false;
    }
    g_clear_pointer(&s->iomem_buf, g_free);
    memory_region_finalize(&s->ioport);
    memory_region_finalize(&s->flush);
    memory_region_finalize(&s->irq);
    memory_region_finalize(&s->iomem);
}

static bool pc_testdev_realize(DeviceState *dev, GError **errp)
{
    PCTestdev *s = PC_TESTDEV(dev);
    ISADevice *isa = ISA_DEVICE(dev);
    Object *o = OBJECT(dev);

    memory_region_init_io(&s->ioport, o, &scratch_ops, s,
                          "pc-testdev-ioport", 4);
    memory_region_init_io(&s->flush, o, &flush_ops, s,
                          "pc-testdev-flush-page", 4);
    memory_region_init_io(&s->irq, o, &irq_ops, s, "pc-testdev-irq-line",
                          PC_TESTDEV_NUM_GSI);
    memory_region_init_io(&s->iomem, o, &iomem_ops, s, "pc-testdev-iomem",
                          PC_TESTDEV_IOMEM_SIZE);
    if (!isa_register_ioport(isa, &s->ioport, PC_TESTDEV_IOPORT, errp) ||
        !isa_register_ioport(isa, &s->flush, PC_TESTDEV_FLUSH, errp) ||
        !isa_register_ioport(isa, &s->irq, PC_TESTDEV_IRQ, errp)) {
        pc_testdev_unrealize(dev);
        return false;
    }
    s->iomem_buf = g_malloc0(PC_TESTDEV_IOMEM_SIZE);
    memory_region_add_subregion(get_system_memory(), PC_TESTDEV_IOMEM_BASE,
                                &s->iomem);
    s->iomem_mapped = true;
    return true;
}

static void pc_testdev_reset(DeviceState *dev)
{
    PCTestdev *s = PC_TESTDEV(dev);

    memset(s->scratch, 0, sizeof(s->scratch));
    for (unsigned n = 0; n < PC_TESTDEV_NUM_GSI; n++) {
        if (s->level[n]) {
            irq_write(s, n, 0, 1);
        }
    }
    if (s->iomem_buf) {
        memset(s->iomem_buf, 0, PC_TESTDEV_IOMEM_SIZE);
    }
}

static void pc_testdev_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->desc = "PC testdev (kvm-unit-tests)";
    dc->categories = 1u << DEVICE_CATEGORY_MISC;
    dc->realize = pc_testdev_realize;
    dc->unrealize = pc_testdev_unrealize;
    dc->reset = pc_testdev_reset;
}

static const TypeInfo pc_testdev_info = {
    .name = TYPE_PC_TESTDEV,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(PCTestdev),
    .class_init = pc_testdev_class_init,
};

static void pc_testdev_register(void)
{
    type_register_static_array(&pc_testdev_info, 1);
}
type_init(pc_testdev_register)
