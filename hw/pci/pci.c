/*
 * The PCI bus and the PCI device base type (PCI Local Bus Specification
 * 3.0, chapter 6): type-0 configuration header with write masks, BARs
 * (I/O, 32/64-bit memory, prefetchable) mapped while the command register
 * enables their decoding, INTx pins with the Interrupt Disable bit and
 * Interrupt Status, and a bus-master address space per device.
 * The expansion ROM BAR ("romfile"/"rombar") is in pci-rom.c.
 * Left out: MSI-X, PCI-PCI bridges,
 * 66 MHz/fast back-to-back flags beyond their read-only bits.
 */
#include "hw/pci/pci.h"
#include "hw/pci/msi.h"
#include "migration/vmstate.h"
#include "util/error.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static PCIBus *first_pci_bus;

static bool ranges_overlap(uint32_t a, uint32_t alen, uint32_t b,
                           uint32_t blen)
{
    return a < b + blen && b < a + alen;
}

/* ---- the bus ---------------------------------------------------------- */

PCIBus *pci_bus_new(DeviceState *parent, const char *name, MemoryRegion *mem,
                    MemoryRegion *io, MemoryRegion *dma_root)
{
    PCIBus *bus = PCI_BUS(qbus_new(TYPE_PCI_BUS, parent, name));
    bus->mem = mem;
    bus->io = io;
    bus->dma_root = dma_root;
    if (!first_pci_bus) {
        first_pci_bus = bus;
    }
    return bus;
}

void pci_bus_irqs(PCIBus *bus, PCISetIrqFn set_irq, PCIMapIrqFn map_irq,
                  void *opaque, int nirq)
{
    g_free(bus->irq_count);
    bus->set_irq = set_irq;
    bus->map_irq = map_irq;
    bus->irq_opaque = opaque;
    bus->nirq = nirq;
    bus->irq_count = g_new0(int, nirq);
}

PCIBus *pci_bus_find(void)
{
    return first_pci_bus;
}

static void pci_bus_finalize(Object *obj)
{
    PCIBus *bus = PCI_BUS(obj);
    g_free(bus->irq_count);
    bus->irq_count = NULL;
    if (first_pci_bus == bus) {
        first_pci_bus = NULL;
    }
}

static PCIBus *pci_device_bus(PCIDevice *d)
{
    BusState *b = qdev_get_parent_bus(DEVICE(d));
    return b ? PCI_BUS(b) : NULL;
}

static bool pci_access_ok(uint32_t reg, int len)
{
    return (len == 1 || len == 2 || len == 4) && !(reg & (len - 1)) &&
           reg + len <= PCI_CONFIG_SPACE_SIZE;
}

static uint32_t all_ones(int len)
{
    return len >= 4 ? 0xffffffffu : (1u << (len * 8)) - 1;
}

uint32_t pci_bus_config_read(PCIBus *bus, uint32_t addr, int len)
{
    uint32_t reg = addr & 0xff;
    PCIDevice *d = bus->devices[(addr >> 8) & 0xff];

    if (!d || !pci_access_ok(reg, len)) {
        return all_ones(len);
    }
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(d);
    uint32_t v = pc->config_read ? pc->config_read(d, reg, len)
                                 : pci_default_read_config(d, reg, len);
    return v & all_ones(len);
}

void pci_bus_config_write(PCIBus *bus, uint32_t addr, uint32_t val, int len)
{
    uint32_t reg = addr & 0xff;
    PCIDevice *d = bus->devices[(addr >> 8) & 0xff];

    if (!d || !pci_access_ok(reg, len)) {
        return;
    }
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(d);
    val &= all_ones(len);
    if (pc->config_write) {
        pc->config_write(d, reg, val, len);
    } else {
        pci_default_write_config(d, reg, val, len);
    }
}

/* ---- INTx ------------------------------------------------------------- */

int pci_device_route_pin(PCIDevice *d, int pin)
{
    PCIBus *bus = pci_device_bus(d);
    if (!bus || !bus->map_irq || pin < 0 || pin >= PCI_NUM_PINS) {
        return -1;
    }
    int line = bus->map_irq(d, pin);
    return line >= 0 && line < bus->nirq ? line : -1;
}

/* Make the bus's per-line counts reflect the pins this device drives now
 * (asserted and not masked by Interrupt Disable). */
static void pci_sync_irq(PCIDevice *d)
{
    PCIBus *bus = pci_device_bus(d);
    bool disabled = pci_get_word(d->config + PCI_COMMAND) &
                    PCI_COMMAND_INTX_DISABLE;
    uint8_t want = disabled ? 0 : d->irq_state;

    if (d->irq_state) {
        d->config[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
    } else {
        d->config[PCI_STATUS] &= ~PCI_STATUS_INTERRUPT;
    }
    if (!bus || !bus->set_irq) {
        return;
    }
    for (int pin = 0; pin < PCI_NUM_PINS; pin++) {
        bool was = d->irq_routed & (1u << pin), now = want & (1u << pin);
        if (was == now) {
            continue;
        }
        d->irq_routed ^= 1u << pin;
        int line = pci_device_route_pin(d, pin);
        if (line < 0) {
            continue;
        }
        bus->irq_count[line] += now ? 1 : -1;
        bus->set_irq(bus->irq_opaque, line, bus->irq_count[line] != 0);
    }
}

void pci_set_irq(PCIDevice *d, int level)
{
    int pin = d->config[PCI_INTERRUPT_PIN] - 1;
    if (pin < 0 || pin >= PCI_NUM_PINS) {
        return;
    }
    if (level) {
        d->irq_state |= 1u << pin;
    } else {
        d->irq_state &= ~(1u << pin);
    }
    pci_sync_irq(d);
}

/* ---- BARs ------------------------------------------------------------- */

void pci_register_bar(PCIDevice *d, int n, uint8_t type, MemoryRegion *mr)
{
    uint64_t size = memory_region_size(mr);
    bool is64 = !(type & PCI_BASE_ADDRESS_SPACE_IO) &&
                (type & PCI_BASE_ADDRESS_MEM_TYPE_64);

    g_assert(n >= 0 && n < PCI_NUM_BARS && (!is64 || n + 1 < PCI_NUM_BARS));
    g_assert(size && !(size & (size - 1)));
    g_assert(size >= ((type & PCI_BASE_ADDRESS_SPACE_IO) ? 4 : 16));

    PCIBar *b = &d->bars[n];
    b->size = size;
    b->type = type;
    b->mr = mr;
    b->addr = PCI_BAR_UNMAPPED;

    uint64_t mask = ~(size - 1);
    uint8_t *cfg = d->config + PCI_BASE_ADDRESS_0 + 4 * n;
    uint8_t *wm = d->wmask + PCI_BASE_ADDRESS_0 + 4 * n;
    pci_set_long(cfg, type);
    pci_set_long(wm, (uint32_t)mask & ((type & PCI_BASE_ADDRESS_SPACE_IO)
                                           ? 0xfffffffcu : 0xfffffff0u));
    if (is64) {
        pci_set_long(cfg + 4, 0);
        pci_set_long(wm + 4, mask >> 32);
    }
}

static uint64_t pci_bar_address(PCIDevice *d, int n)
{
    PCIBar *b = &d->bars[n];
    uint16_t cmd = pci_get_word(d->config + PCI_COMMAND);
    uint32_t lo = pci_get_long(d->config + PCI_BASE_ADDRESS_0 + 4 * n);
    uint64_t addr, last;

    if (b->type & PCI_BASE_ADDRESS_SPACE_IO) {
        if (!(cmd & PCI_COMMAND_IO)) {
            return PCI_BAR_UNMAPPED;
        }
        addr = lo & ~(uint32_t)(b->size - 1) & 0xfffffffcu;
        last = addr + b->size - 1;
        /* x86 port space is 64 KiB; port 0 is never a valid BAR */
        if (!addr || last > 0xffff) {
            return PCI_BAR_UNMAPPED;
        }
        return addr;
    }
    if (!(cmd & PCI_COMMAND_MEMORY)) {
        return PCI_BAR_UNMAPPED;
    }
    addr = lo & 0xfffffff0u;
    if (b->type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
        addr |= (uint64_t)pci_get_long(d->config + PCI_BASE_ADDRESS_0 +
                                       4 * (n + 1)) << 32;
    }
    addr &= ~(b->size - 1);
    last = addr + b->size - 1;
    /* an all-ones (sizing) value or a wrapped range is not a mapping */
    if (!addr || last < addr || last == UINT64_MAX ||
        (!(b->type & PCI_BASE_ADDRESS_MEM_TYPE_64) && last >= UINT32_MAX)) {
        return PCI_BAR_UNMAPPED;
    }
    return addr;
}

static void pci_update_mappings(PCIDevice *d)
{
    PCIBus *bus = pci_device_bus(d);

    for (int n = 0; n < PCI_NUM_BARS; n++) {
        PCIBar *b = &d->bars[n];
        if (!b->size) {
            continue;
        }
        MemoryRegion *space = (b->type & PCI_BASE_ADDRESS_SPACE_IO) ?
                              (bus ? bus->io : NULL) : (bus ? bus->mem : NULL);
        uint64_t addr = space ? pci_bar_address(d, n) : PCI_BAR_UNMAPPED;
        if (addr == b->addr) {
            continue;
        }
        if (b->addr != PCI_BAR_UNMAPPED) {
            memory_region_del_subregion(space, b->mr);
        }
        b->addr = addr;
        if (addr != PCI_BAR_UNMAPPED) {
            /* above RAM: a guest may place a BAR anywhere, even over RAM */
            memory_region_add_subregion_overlap(space, addr, b->mr, 1);
        }
    }
    pci_rom_update(d);
}

uint64_t pci_get_bar_addr(PCIDevice *d, int n)
{
    return n >= 0 && n < PCI_NUM_BARS ? d->bars[n].addr : PCI_BAR_UNMAPPED;
}

static void pci_unmap_bars(PCIDevice *d)
{
    PCIBus *bus = pci_device_bus(d);
    for (int n = 0; n < PCI_NUM_BARS; n++) {
        PCIBar *b = &d->bars[n];
        if (b->size && b->addr != PCI_BAR_UNMAPPED && bus) {
            memory_region_del_subregion((b->type & PCI_BASE_ADDRESS_SPACE_IO)
                                        ? bus->io : bus->mem, b->mr);
        }
        b->addr = PCI_BAR_UNMAPPED;
    }
}

/* ---- configuration space ---------------------------------------------- */

uint32_t pci_default_read_config(PCIDevice *d, uint32_t addr, int len)
{
    uint32_t v = 0;
    for (int i = 0; i < len && addr + i < PCI_CONFIG_SPACE_SIZE; i++) {
        v |= (uint32_t)d->config[addr + i] << (8 * i);
    }
    return v;
}

static void pci_update_bus_master(PCIDevice *d)
{
    bool on = pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_MASTER;
    if (memory_region_is_enabled(&d->bus_master_alias) != on) {
        memory_region_set_enabled(&d->bus_master_alias, on);
    }
}

void pci_default_write_config(PCIDevice *d, uint32_t addr, uint32_t val,
                              int len)
{
    for (int i = 0; i < len && addr + i < PCI_CONFIG_SPACE_SIZE; i++) {
        uint32_t a = addr + i;
        uint8_t b = val >> (8 * i);
        d->config[a] = (d->config[a] & ~d->wmask[a]) | (b & d->wmask[a]);
        d->config[a] &= ~(b & d->w1cmask[a]);
    }
    bool cmd = ranges_overlap(addr, len, PCI_COMMAND, 2);
    if (cmd || ranges_overlap(addr, len, PCI_BASE_ADDRESS_0, 24) ||
        ranges_overlap(addr, len, PCI_ROM_ADDRESS, 4)) {
        pci_update_mappings(d);
    }
    if (d->msi_cap && ranges_overlap(addr, len, d->msi_cap, 24)) {
        msi_write_config(d, addr, val, len);
    }
    if (cmd) {
        pci_update_bus_master(d);
        pci_sync_irq(d);
    }
}

bool pci_add_capability(PCIDevice *d, uint8_t id, uint8_t offset,
                        uint8_t size, GError **errp)
{
    if (offset < 0x40 || (offset & 3) || !size ||
        offset + size > PCI_CONFIG_SPACE_SIZE) {
        error_setg(errp, "PCI capability 0x%x: bad place 0x%x+%u", id,
                   offset, size);
        return false;
    }
    for (unsigned i = offset; i < offset + size; i++) {
        if (d->cap_used[i / 8] & (1u << (i % 8))) {
            error_setg(errp, "PCI capability 0x%x at 0x%x overlaps another",
                       id, offset);
            return false;
        }
    }
    for (unsigned i = offset; i < offset + size; i++) {
        d->cap_used[i / 8] |= 1u << (i % 8);
    }
    d->config[offset] = id;
    d->config[offset + 1] = d->config[PCI_CAPABILITY_LIST];
    d->config[PCI_CAPABILITY_LIST] = offset;
    d->config[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
    return true;
}

/* ---- DMA -------------------------------------------------------------- */

AddressSpace *pci_get_address_space(PCIDevice *d)
{
    return &d->bus_master_as;
}

MemTxResult pci_dma_read(PCIDevice *d, dma_addr_t addr, void *buf,
                         dma_addr_t len)
{
    return dma_memory_read(&d->bus_master_as, addr, buf, len);
}

MemTxResult pci_dma_write(PCIDevice *d, dma_addr_t addr, const void *buf,
                          dma_addr_t len)
{
    return dma_memory_write(&d->bus_master_as, addr, buf, len);
}

/* ---- the device type -------------------------------------------------- */

static int pci_find_free_devfn(PCIBus *bus)
{
    for (int slot = 0; slot < 32; slot++) {
        bool used = false;
        for (int fn = 0; fn < 8; fn++) {
            used |= bus->devices[PCI_DEVFN(slot, fn)] != NULL;
        }
        if (!used) {
            return PCI_DEVFN(slot, 0);
        }
    }
    return -1;
}

/* Function 0 announces other functions in the slot (header bit 7). */
static void pci_update_multifunction(PCIBus *bus, int slot)
{
    PCIDevice *f0 = bus->devices[PCI_DEVFN(slot, 0)];
    if (!f0) {
        return;
    }
    bool multi = f0->multifunction;
    for (int fn = 1; fn < 8; fn++) {
        multi |= bus->devices[PCI_DEVFN(slot, fn)] != NULL;
    }
    if (multi) {
        f0->config[PCI_HEADER_TYPE] |= PCI_HEADER_TYPE_MULTI_FUNCTION;
    } else {
        f0->config[PCI_HEADER_TYPE] &= ~PCI_HEADER_TYPE_MULTI_FUNCTION;
    }
}

static void pci_config_init(PCIDevice *d, PCIDeviceClass *pc)
{
    memset(d->config, 0, sizeof(d->config));
    memset(d->wmask, 0, sizeof(d->wmask));
    memset(d->w1cmask, 0, sizeof(d->w1cmask));
    memset(d->cap_used, 0, sizeof(d->cap_used));
    d->msi_cap = 0;
    pci_set_word(d->config + PCI_VENDOR_ID, pc->vendor_id);
    pci_set_word(d->config + PCI_DEVICE_ID, pc->device_id);
    d->config[PCI_REVISION_ID] = pc->revision;
    d->config[PCI_CLASS_PROG] = pc->prog_if;
    pci_set_word(d->config + PCI_CLASS_DEVICE, pc->class_id);
    /* QEMU's default subsystem: "Red Hat, Qemu virtual machine" */
    pci_set_word(d->config + PCI_SUBSYSTEM_VENDOR_ID,
                 pc->subsystem_vendor_id ? pc->subsystem_vendor_id
                                         : PCI_SUBVENDOR_ID_REDHAT_QUMRANET);
    pci_set_word(d->config + PCI_SUBSYSTEM_ID,
                 pc->subsystem_vendor_id ? pc->subsystem_id
                                         : PCI_SUBDEVICE_ID_QEMU);
    pci_set_word(d->config + PCI_STATUS, PCI_STATUS_DEVSEL_MEDIUM);
    pci_set_word(d->wmask + PCI_COMMAND,
                 PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
                 PCI_COMMAND_SPECIAL | PCI_COMMAND_INVALIDATE |
                 PCI_COMMAND_VGA_PALETTE | PCI_COMMAND_PARITY |
                 PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
    pci_set_word(d->w1cmask + PCI_STATUS, PCI_STATUS_W1C);
    d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    d->wmask[PCI_LATENCY_TIMER] = 0xff;
    d->wmask[PCI_INTERRUPT_LINE] = 0xff;
}

static bool pci_device_realize(DeviceState *dev, GError **errp)
{
    PCIDevice *d = PCI_DEVICE(dev);
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(d);
    PCIBus *bus = pci_device_bus(d);

    if (!bus) {
        error_setg(errp, "PCI device is not on a PCI bus");
        return false;
    }
    int devfn = d->devfn;
    if (devfn == PCI_DEVFN_AUTO) {
        devfn = pci_find_free_devfn(bus);
        if (devfn < 0) {
            error_setg(errp, "PCI: no slot/function available for %s, "
                       "all in use", object_get_typename(OBJECT(d)));
            return false;
        }
    } else if (devfn < 0 || devfn > 0xff) {
        error_setg(errp, "PCI: invalid devfn %d", devfn);
        return false;
    } else if (bus->devices[devfn]) {
        error_setg(errp, "PCI: slot %d function %d not available for %s, "
                   "in use by %s", PCI_SLOT(devfn), PCI_FUNC(devfn),
                   object_get_typename(OBJECT(d)),
                   object_get_typename(OBJECT(bus->devices[devfn])));
        return false;
    }
    d->devfn = devfn;
    pci_config_init(d, pc);
    for (int n = 0; n < PCI_NUM_BARS; n++) {
        d->bars[n].addr = PCI_BAR_UNMAPPED;
    }
    d->dma_name = g_strdup_printf("%s-bus-master",
                                  object_get_typename(OBJECT(d)));
    memory_region_init(&d->bus_master_root, OBJECT(d), d->dma_name,
                       UINT64_MAX);
    memory_region_init_alias(&d->bus_master_alias, OBJECT(d), d->dma_name,
                             bus->dma_root, 0,
                             memory_region_size(bus->dma_root));
    memory_region_set_enabled(&d->bus_master_alias, false);
    memory_region_add_subregion(&d->bus_master_root, 0, &d->bus_master_alias);
    address_space_init(&d->bus_master_as, &d->bus_master_root, d->dma_name);

    if (!pci_rom_realize(d, errp) || (pc->realize && !pc->realize(d, errp))) {
        pci_rom_exit(d);
        address_space_destroy(&d->bus_master_as);
        memory_region_del_subregion(&d->bus_master_root, &d->bus_master_alias);
        memory_region_finalize(&d->bus_master_alias);
        memory_region_finalize(&d->bus_master_root);
        g_clear_pointer(&d->dma_name, g_free);
        return false;
    }
    bus->devices[devfn] = d;
    pci_update_multifunction(bus, PCI_SLOT(devfn));
    return true;
}

static void pci_device_unrealize(DeviceState *dev)
{
    PCIDevice *d = PCI_DEVICE(dev);
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(d);
    PCIBus *bus = pci_device_bus(d);

    d->irq_state = 0;
    pci_sync_irq(d);
    pci_unmap_bars(d);
    pci_rom_exit(d);
    if (pc->exit) {
        pc->exit(d);
    }
    address_space_destroy(&d->bus_master_as);
    memory_region_del_subregion(&d->bus_master_root, &d->bus_master_alias);
    memory_region_finalize(&d->bus_master_alias);
    memory_region_finalize(&d->bus_master_root);
    g_clear_pointer(&d->dma_name, g_free);
    if (bus && d->devfn >= 0 && d->devfn <= 0xff &&
        bus->devices[d->devfn] == d) {
        bus->devices[d->devfn] = NULL;
        pci_update_multifunction(bus, PCI_SLOT(d->devfn));
    }
}

static void pci_device_reset(DeviceState *dev)
{
    PCIDevice *d = PCI_DEVICE(dev);
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(d);

    d->irq_state = 0;
    pci_set_word(d->config + PCI_COMMAND, 0);
    pci_set_word(d->config + PCI_STATUS,
                 pci_get_word(d->config + PCI_STATUS) & ~PCI_STATUS_W1C);
    d->config[PCI_CACHE_LINE_SIZE] = 0;
    d->config[PCI_LATENCY_TIMER] = 0;
    d->config[PCI_INTERRUPT_LINE] = 0;
    for (int n = 0; n < PCI_NUM_BARS; n++) {
        PCIBar *b = &d->bars[n];
        if (!b->size) {
            continue;
        }
        pci_set_long(d->config + PCI_BASE_ADDRESS_0 + 4 * n, b->type);
        if (!(b->type & PCI_BASE_ADDRESS_SPACE_IO) &&
            (b->type & PCI_BASE_ADDRESS_MEM_TYPE_64)) {
            pci_set_long(d->config + PCI_BASE_ADDRESS_0 + 4 * (n + 1), 0);
        }
    }
    if (d->rom_size) {
        pci_set_long(d->config + PCI_ROM_ADDRESS, 0);
    }
    msi_reset(d);
    pci_update_mappings(d);
    pci_update_bus_master(d);
    pci_sync_irq(d);
    if (pc->reset) {
        pc->reset(d);
    }
}

/* One hex number (0x allowed), the whole of [p, end); -1 if not. */
static long pci_addr_hex(const char *p, const char *end)
{
    if (end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        p += 2;
    }
    if (p == end || end - p > 4) {
        return -1;
    }
    long v = 0;
    for (; p < end; p++) {
        if (!g_ascii_isxdigit(*p)) {
            return -1;
        }
        v = v * 16 + g_ascii_xdigit_value(*p);
    }
    return v;
}

/* addr=SLOT[.FN] in hex, as QEMU spells it */
static bool pci_addr_set(Object *obj, void *field, const char *value,
                         GError **errp)
{
    const char *dot = strchr(value, '.');
    const char *end = value + strlen(value);
    long slot = pci_addr_hex(value, dot ? dot : end);
    long fn = dot ? pci_addr_hex(dot + 1, end) : 0;
    if (slot < 0 || slot > 31 || fn < 0 || fn > 7) {
        error_setg(errp, "Property 'addr' doesn't take value '%s'", value);
        return false;
    }
    *(int32_t *)field = PCI_DEVFN(slot, fn);
    return true;
}

static char *pci_addr_get(Object *obj, void *field)
{
    int32_t devfn = *(int32_t *)field;
    if (devfn < 0) {
        return g_strdup("");
    }
    return g_strdup_printf("%02x.%x", PCI_SLOT(devfn), PCI_FUNC(devfn));
}

static const Property pci_device_props[] = {
    DEFINE_PROP_CUSTOM("addr", PCIDevice, devfn, "int32", pci_addr_get,
                       pci_addr_set, NULL),
    DEFINE_PROP_BOOL("multifunction", PCIDevice, multifunction, false),
    DEFINE_PROP_STRING("romfile", PCIDevice, romfile),
    DEFINE_PROP_UINT32("rombar", PCIDevice, rombar, 1),
    DEFINE_PROP_UINT32("romsize", PCIDevice, romsize, UINT32_MAX),
    DEFINE_PROP_INT32("bootindex", PCIDevice, bootindex, -1),
    DEFINE_PROP_END_OF_LIST(),
};

int pci_device_post_load(PCIDevice *d)
{
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(d);
    int ret = 0;

    /* a stream for another device (ids differ) is refused */
    if (pci_get_word(d->config + PCI_VENDOR_ID) != pc->vendor_id ||
        pci_get_word(d->config + PCI_DEVICE_ID) != pc->device_id ||
        pci_get_word(d->config + PCI_CLASS_DEVICE) != pc->class_id) {
        pci_set_word(d->config + PCI_VENDOR_ID, pc->vendor_id);
        pci_set_word(d->config + PCI_DEVICE_ID, pc->device_id);
        pci_set_word(d->config + PCI_CLASS_DEVICE, pc->class_id);
        ret = -EINVAL;
    }
    d->irq_state &= (1u << PCI_NUM_PINS) - 1;
    pci_update_mappings(d);
    pci_update_bus_master(d);
    pci_sync_irq(d);
    return ret;
}

static int pci_device_vmstate_post_load(void *opaque, int version_id)
{
    return pci_device_post_load(opaque);
}

static const VMStateDescription vmstate_pci_device = {
    .name = "PCIDevice",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = pci_device_vmstate_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8_ARRAY(config, PCIDevice, PCI_CONFIG_SPACE_SIZE),
        VMSTATE_UINT8(irq_state, PCIDevice),
        VMSTATE_END_OF_LIST(),
    },
};

static void pci_device_instance_init(Object *obj)
{
    PCI_DEVICE(obj)->devfn = PCI_DEVFN_AUTO;
}

static void pci_device_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    dc->bus_type = TYPE_PCI_BUS;
    dc->realize = pci_device_realize;
    dc->unrealize = pci_device_unrealize;
    dc->reset = pci_device_reset;
    dc->vmsd = &vmstate_pci_device;
    device_class_set_props(dc, pci_device_props);
}

PCIDevice *pci_create_simple(PCIBus *bus, int devfn, const char *type,
                             GError **errp)
{
    DeviceState *dev = qdev_try_new(type, errp);
    if (!dev) {
        return NULL;
    }
    PCI_DEVICE(dev)->devfn = devfn;
    if (!qdev_realize_and_unref(dev, BUS(bus), errp)) {
        return NULL;
    }
    return PCI_DEVICE(dev);
}

void pci_for_each_device(PCIBus *bus,
                         void (*fn)(PCIBus *bus, PCIDevice *dev, void *opaque),
                         void *opaque)
{
    for (int devfn = 0; devfn < 256; devfn++) {
        if (bus->devices[devfn]) {
            fn(bus, bus->devices[devfn], opaque);
        }
    }
}

/* `info qtree` lines, as QEMU prints them for a PCI device */
static void pci_bus_print_dev(BusState *b, DeviceState *dev, GString *out,
                              int indent)
{
    PCIDevice *d = PCI_DEVICE(dev);
    g_string_append_printf(out, "%*sclass %s, addr 00:%02x.%x, "
                           "pci id %04x:%04x (sub %04x:%04x)\n", indent, "",
                           DEVICE_GET_CLASS(dev)->desc ?
                           DEVICE_GET_CLASS(dev)->desc : "Class",
                           PCI_SLOT(d->devfn), PCI_FUNC(d->devfn),
                           pci_get_word(d->config + PCI_VENDOR_ID),
                           pci_get_word(d->config + PCI_DEVICE_ID),
                           pci_get_word(d->config + PCI_SUBSYSTEM_VENDOR_ID),
                           pci_get_word(d->config + PCI_SUBSYSTEM_ID));
    for (int n = 0; n < PCI_NUM_BARS; n++) {
        PCIBar *bar = &d->bars[n];
        if (!bar->size) {
            continue;
        }
        bool io = bar->type & PCI_BASE_ADDRESS_SPACE_IO;
        uint64_t base = bar->addr == PCI_BAR_UNMAPPED ? ~0ull : bar->addr;
        g_string_append_printf(out, "%*sbar %d: %s at 0x%" PRIx64
                               " [0x%" PRIx64 "]\n", indent, "", n,
                               io ? "i/o" : "mem", base,
                               base + bar->size - 1);
    }
    if (d->rom_size) {
        /* the expansion ROM is QEMU's region 6 */
        uint64_t base = pci_get_rom_addr(d);
        g_string_append_printf(out, "%*sbar 6: mem at 0x%" PRIx64
                               " [0x%" PRIx64 "]\n", indent, "", base,
                               base + d->rom_size - 1);
    }
}

static void pci_bus_class_init(ObjectClass *klass, void *data)
{
    BUS_CLASS(klass)->print_dev = pci_bus_print_dev;
}

static const TypeInfo pci_types[] = {
    {
        .name = TYPE_PCI_BUS,
        .parent = TYPE_BUS,
        .instance_size = sizeof(PCIBus),
        .instance_finalize = pci_bus_finalize,
        .class_size = sizeof(BusClass),
        .class_init = pci_bus_class_init,
    },
    {
        .name = TYPE_PCI_DEVICE,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(PCIDevice),
        .instance_init = pci_device_instance_init,
        .abstract = true,
        .class_size = sizeof(PCIDeviceClass),
        .class_init = pci_device_class_init,
    },
};

static void pci_register_types(void)
{
    type_register_static_array(pci_types, G_N_ELEMENTS(pci_types));
}
type_init(pci_register_types)
