/*
 * pci-testdev (1b36:0005), the PCI test device QEMU documents in
 * docs/specs/pci-testdev.rst: BAR0 (4 KiB MMIO) and BAR1 (256 ports)
 * each start with a header
 *
 *     u8 test (write: select), u8 width_type, u8 pad[2], u32 offset,
 *     u32 data, u32 count, char name[] (NUL-terminated)
 *
 * A guest selects test N, reads width/offset/data, writes `data` of that
 * width at `offset`, and reads `count` back to see how many writes the
 * device (or its ioeventfd) saw. Tests on each BAR: 0 "no-eventfd" (the
 * write reaches the device), 1 "wildcard-eventfd" (any value signals an
 * eventfd), 2 "datamatch-eventfd" (only `data` does). Selecting a test
 * zeroes its count; an unknown test number reads width_type 0.
 * BAR2: with membar=SIZE, a 64-bit prefetchable memory BAR of that size
 * without backing storage (reads all-ones), for BAR-sizing tests.
 */
#include "hw/pci/pci.h"
#include "migration/vmstate.h"
#include "util/error.h"

#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define TYPE_PCI_TESTDEV "pci-testdev"
#define TESTDEV_MMIO_SIZE 0x1000
#define TESTDEV_IO_SIZE 0x100
#define TESTDEV_HDR_NAME 16
#define TESTDEV_NAME_MAX 32
#define TESTDEV_TEST_OFF 0x80
#define TESTDEV_WIDTH 4

enum { TEST_NO_EVENTFD, TEST_WILDCARD, TEST_DATAMATCH, TEST_COUNT };

static const char *const test_names[TEST_COUNT] = {
    "no-eventfd", "wildcard-eventfd", "datamatch-eventfd",
};

typedef struct TestBar {
    MemoryRegion mr;
    uint8_t test;             /* selected test number */
    uint32_t count;
    int efd;                  /* this BAR's eventfd, -1 if none */
    bool efd_registered;
    bool reg_datamatch;       /* how it is registered, for removal */
    uint32_t data;            /* per-BAR signature */
} TestBar;

typedef struct PCITestDev {
    PCIDevice parent;
    TestBar bar[2];           /* 0: MMIO, 1: port I/O */
    MemoryRegion membar;
    uint64_t membar_size;     /* "membar" property, 0: no BAR2 */
} PCITestDev;

#define PCI_TESTDEV(obj) OBJECT_CHECK(PCITestDev, (obj), TYPE_PCI_TESTDEV)

static bool test_valid(TestBar *b)
{
    return b->test < TEST_COUNT && (b->test == TEST_NO_EVENTFD || b->efd >= 0);
}

static void testbar_unregister(TestBar *b)
{
    if (b->efd_registered) {
        memory_region_del_eventfd(&b->mr, TESTDEV_TEST_OFF, TESTDEV_WIDTH,
                                  b->reg_datamatch, b->data, b->efd);
        b->efd_registered = false;
    }
}

/* Drain the eventfd's counter into count (writes it caught). */
static void testbar_drain(TestBar *b)
{
    uint64_t n;
    if (b->efd >= 0 && read(b->efd, &n, sizeof(n)) == sizeof(n)) {
        b->count += (uint32_t)n;
    }
}

static void testbar_select(TestBar *b, uint8_t test)
{
    testbar_unregister(b);
    testbar_drain(b);
    b->test = test;
    b->count = 0;
    if (test_valid(b) && test != TEST_NO_EVENTFD) {
        b->reg_datamatch = test == TEST_DATAMATCH;
        memory_region_add_eventfd(&b->mr, TESTDEV_TEST_OFF, TESTDEV_WIDTH,
                                  b->reg_datamatch, b->data, b->efd);
        b->efd_registered = true;
    }
}

static void testbar_header(TestBar *b, uint8_t *h, size_t len)
{
    memset(h, 0, len);
    bool valid = test_valid(b);
    h[1] = valid ? TESTDEV_WIDTH : 0;
    pci_set_long(h + 4, valid ? TESTDEV_TEST_OFF : 0);
    pci_set_long(h + 8, valid ? b->data : 0);
    pci_set_long(h + 12, b->count);
    if (valid) {
        g_strlcpy((char *)h + TESTDEV_HDR_NAME, test_names[b->test],
                  TESTDEV_NAME_MAX);
    }
}

static uint64_t testbar_read(void *opaque, hwaddr off, unsigned size)
{
    TestBar *b = opaque;
    uint8_t h[TESTDEV_HDR_NAME + TESTDEV_NAME_MAX];
    uint64_t v = 0;

    testbar_drain(b);
    testbar_header(b, h, sizeof(h));
    for (unsigned i = 0; i < size; i++) {
        if (off + i < sizeof(h)) {
            v |= (uint64_t)h[off + i] << (8 * i);
        }
    }
    return v;
}

static void testbar_write(void *opaque, hwaddr off, uint64_t val,
                          unsigned size)
{
    TestBar *b = opaque;
    if (off == 0) {
        testbar_select(b, val & 0xff);
    } else if (off == TESTDEV_TEST_OFF && size == TESTDEV_WIDTH &&
               test_valid(b) && (uint32_t)val == b->data) {
        b->count++;        /* no-eventfd, or an eventfd the accel skipped */
    }
}

static const MemoryRegionOps testbar_ops = {
    .read = testbar_read,
    .write = testbar_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

static bool testdev_realize(PCIDevice *d, GError **errp)
{
    PCITestDev *s = PCI_TESTDEV(d);
    uint64_t m = s->membar_size;

    if (m && (m < 16 || (m & (m - 1)))) {
        error_setg(errp, "pci-testdev: membar must be a power of two "
                   ">= 16, not %" G_GUINT64_FORMAT, m);
        return false;
    }
    static const char *const names[2] = { "pci-testdev-mmio",
                                          "pci-testdev-portio" };
    for (int i = 0; i < 2; i++) {
        TestBar *b = &s->bar[i];
        b->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (b->efd < 0) {
            /* the eventfd tests read as unsupported; the rest works */
            b->efd = -1;
        }
        b->data = i ? 0x7e57c0de : 0x7e57da7a;
        memory_region_init_io(&b->mr, OBJECT(d), &testbar_ops, b, names[i],
                              i ? TESTDEV_IO_SIZE : TESTDEV_MMIO_SIZE);
    }
    pci_register_bar(d, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &s->bar[0].mr);
    pci_register_bar(d, 1, PCI_BASE_ADDRESS_SPACE_IO, &s->bar[1].mr);
    if (m) {
        memory_region_init(&s->membar, OBJECT(d), "pci-testdev-membar", m);
        pci_register_bar(d, 2, PCI_BASE_ADDRESS_SPACE_MEMORY |
                         PCI_BASE_ADDRESS_MEM_TYPE_64 |
                         PCI_BASE_ADDRESS_MEM_PREFETCH, &s->membar);
    }
    return true;
}

static void testdev_exit(PCIDevice *d)
{
    PCITestDev *s = PCI_TESTDEV(d);
    for (int i = 0; i < 2; i++) {
        TestBar *b = &s->bar[i];
        testbar_unregister(b);
        memory_region_finalize(&b->mr);
        if (b->efd >= 0) {
            close(b->efd);
            b->efd = -1;
        }
    }
    if (s->membar_size) {
        memory_region_finalize(&s->membar);
    }
}

static void testdev_reset(PCIDevice *d)
{
    PCITestDev *s = PCI_TESTDEV(d);
    for (int i = 0; i < 2; i++) {
        testbar_select(&s->bar[i], 0);
    }
}

static int testdev_post_load(void *opaque, int version_id)
{
    PCITestDev *s = opaque;
    int ret = pci_device_post_load(&s->parent);
    for (int i = 0; i < 2; i++) {
        uint32_t count = s->bar[i].count;
        testbar_select(&s->bar[i], s->bar[i].test);
        s->bar[i].count = count;
    }
    return ret;
}

static const VMStateDescription vmstate_testdev = {
    .name = "pci-testdev",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = testdev_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8_ARRAY(parent.config, PCITestDev, PCI_CONFIG_SPACE_SIZE),
        VMSTATE_UINT8(bar[0].test, PCITestDev),
        VMSTATE_UINT32(bar[0].count, PCITestDev),
        VMSTATE_UINT8(bar[1].test, PCITestDev),
        VMSTATE_UINT32(bar[1].count, PCITestDev),
        VMSTATE_END_OF_LIST(),
    },
};

static const Property testdev_props[] = {
    DEFINE_PROP_SIZE("membar", PCITestDev, membar_size, 0),
    DEFINE_PROP_END_OF_LIST(),
};

static void testdev_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(klass);
    dc->desc = "PCI Test Device";
    dc->categories = 1u << DEVICE_CATEGORY_MISC;
    dc->vmsd = &vmstate_testdev;
    device_class_set_props(dc, testdev_props);
    pc->realize = testdev_realize;
    pc->exit = testdev_exit;
    pc->reset = testdev_reset;
    pc->vendor_id = PCI_VENDOR_ID_REDHAT;
    pc->device_id = PCI_DEVICE_ID_REDHAT_TEST;
    pc->subsystem_vendor_id = PCI_SUBVENDOR_ID_REDHAT_QUMRANET;
    pc->subsystem_id = PCI_SUBDEVICE_ID_QEMU;
    pc->class_id = 0x00ff;    /* as QEMU's: base class 0, subclass 0xff */
}

static const TypeInfo testdev_info = {
    .name = TYPE_PCI_TESTDEV,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(PCITestDev),
    .class_init = testdev_class_init,
};

static void testdev_register(void)
{
    type_register_static_array(&testdev_info, 1);
}
type_init(testdev_register)
