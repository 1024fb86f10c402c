/*
 * PCI (conventional, PCI Local Bus Specification 3.0): the bus, the
 * device base type with its 256-byte configuration space, BARs mapped
 * into the bus's memory and I/O regions, INTx pins routed through the
 * host bridge, and a bus-master DMA address space per device.
 *
 * Who calls it: host bridges (hw/pci-host/) create a bus with
 * pci_bus_new() and forward configuration cycles with
 * pci_bus_config_read/write(); PCI devices derive from TYPE_PCI_DEVICE,
 * fill PCIDeviceClass (ids, realize), declare BARs with
 * pci_register_bar(), raise INTx with pci_set_irq() and do DMA with
 * pci_dma_read/write(). Boards wire the bus's IRQ routing with
 * pci_bus_irqs().
 *
 * Configuration writes go through per-byte masks: wmask (writable
 * bits), w1cmask (write-1-to-clear bits); everything else is read-only.
 * A device's config_write hook, if any, replaces pci_default_write_config
 * and usually calls it first. All of it runs with the big VMM lock held.
 */
#ifndef HW_PCI_PCI_H
#define HW_PCI_PCI_H

#include "hw/irq.h"
#include "hw/qdev.h"
#include "hw/pci/pci_regs.h"
#include "memory/memory.h"

#define TYPE_PCI_BUS "PCI"
#define TYPE_PCI_DEVICE "pci-device"

#define PCI_DEVFN(slot, fn) ((((slot) & 0x1f) << 3) | ((fn) & 0x07))
#define PCI_SLOT(devfn) (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn) ((devfn) & 0x07)
#define PCI_NUM_BARS 6
#define PCI_NUM_PINS 4
#define PCI_DEVFN_AUTO (-1)

typedef struct PCIBus PCIBus;
typedef struct PCIDevice PCIDevice;

/* Board routing: a device's pin (0 = INTA) -> one of the bus's nirq lines */
typedef int (*PCIMapIrqFn)(PCIDevice *dev, int pin);
typedef void (*PCISetIrqFn)(void *opaque, int line, int level);

struct PCIBus {
    BusState parent;
    MemoryRegion *mem;          /* where memory BARs are mapped */
    MemoryRegion *io;           /* where I/O BARs are mapped */
    MemoryRegion *dma_root;     /* what bus masters see (system memory) */
    PCIDevice *devices[256];
    PCIMapIrqFn map_irq;
    PCISetIrqFn set_irq;
    void *irq_opaque;
    int nirq;
    int *irq_count;             /* asserted pins per routed line */
};

typedef struct PCIBar {
    uint64_t size;              /* 0: not implemented */
    uint8_t type;               /* PCI_BASE_ADDRESS_* flag bits */
    MemoryRegion *mr;
    uint64_t addr;              /* PCI_BAR_UNMAPPED when not mapped */
} PCIBar;

#define PCI_BAR_UNMAPPED UINT64_MAX

struct PCIDevice {
    DeviceState parent;
    uint8_t config[PCI_CONFIG_SPACE_SIZE];
    uint8_t wmask[PCI_CONFIG_SPACE_SIZE];
    uint8_t w1cmask[PCI_CONFIG_SPACE_SIZE];
    int32_t devfn;              /* "addr" property; PCI_DEVFN_AUTO */
    bool multifunction;         /* "multifunction" property */
    PCIBar bars[PCI_NUM_BARS];
    uint8_t irq_state;          /* bit n: pin n asserted by the device */
    uint8_t irq_routed;         /* pins counted on the bus's lines */
    uint8_t msi_cap;            /* MSI capability offset, 0: none */
    uint8_t cap_used[PCI_CONFIG_SPACE_SIZE / 8]; /* bytes taken by caps */
    /* expansion ROM (hw/pci/pci-rom.c): "romfile"/"rombar" properties */
    char *romfile;
    uint32_t rombar;            /* 0: no ROM BAR (the file goes to fw_cfg) */
    uint32_t romsize;           /* "romsize": UINT32_MAX = the file's */
    int32_t bootindex;          /* "bootindex": -1, or its boot priority */
    char *boot_path;            /* its firmware path while in the list */
    uint64_t rom_size;          /* 0: no ROM BAR */
    uint64_t rom_addr;          /* PCI_BAR_UNMAPPED when not mapped */
    MemoryRegion rom;
    AddressSpace bus_master_as; /* DMA; RAM only while BME is set */
    MemoryRegion bus_master_root, bus_master_alias;
    char *dma_name;
};

typedef struct PCIDeviceClass {
    DeviceClass parent_class;
    bool (*realize)(PCIDevice *dev, GError **errp);
    void (*exit)(PCIDevice *dev);
    void (*reset)(PCIDevice *dev); /* after the generic header reset */
    uint32_t (*config_read)(PCIDevice *dev, uint32_t addr, int len);
    void (*config_write)(PCIDevice *dev, uint32_t addr, uint32_t val,
                         int len);
    uint16_t vendor_id, device_id;
    uint16_t subsystem_vendor_id, subsystem_id; /* 0: QEMU's 1af4:1100 */
    uint8_t revision;
    uint16_t class_id;          /* base class << 8 | subclass */
    uint8_t prog_if;
} PCIDeviceClass;

#define PCI_BUS(obj) OBJECT_CHECK(PCIBus, (obj), TYPE_PCI_BUS)
#define PCI_DEVICE(obj) OBJECT_CHECK(PCIDevice, (obj), TYPE_PCI_DEVICE)
#define PCI_DEVICE_CLASS(klass)                                                \
    OBJECT_CLASS_CHECK(PCIDeviceClass, (klass), TYPE_PCI_DEVICE)
#define PCI_DEVICE_GET_CLASS(obj)                                              \
    OBJECT_GET_CLASS(PCIDeviceClass, (obj), TYPE_PCI_DEVICE)

/* A root bus under parent (the host bridge) mapping BARs in mem/io. */
PCIBus *pci_bus_new(DeviceState *parent, const char *name, MemoryRegion *mem,
                    MemoryRegion *io, MemoryRegion *dma_root);
void pci_bus_irqs(PCIBus *bus, PCISetIrqFn set_irq, PCIMapIrqFn map_irq,
                  void *opaque, int nirq);
/* Call fn for each device on bus, in devfn order (query-pci, info pci). */
void pci_for_each_device(PCIBus *bus,
                         void (*fn)(PCIBus *bus, PCIDevice *dev, void *opaque),
                         void *opaque);
/* The first PCI bus in the machine (-device default), or NULL. */
PCIBus *pci_bus_find(void);

/*
 * Configuration cycles from the host bridge. addr: bits 15-8 devfn,
 * 7-0 register. An access to an absent function reads all-ones and drops
 * writes; one that is unaligned or crosses the end of the 256 bytes
 * is dropped the same way (the host bridge never issues those).
 */
uint32_t pci_bus_config_read(PCIBus *bus, uint32_t addr, int len);
void pci_bus_config_write(PCIBus *bus, uint32_t addr, uint32_t val, int len);

/* Default config space behaviour, for device hooks to chain to. */
uint32_t pci_default_read_config(PCIDevice *dev, uint32_t addr, int len);
void pci_default_write_config(PCIDevice *dev, uint32_t addr, uint32_t val,
                              int len);

/* Declare BAR n: type is PCI_BASE_ADDRESS_SPACE_IO or _MEMORY with
 * _MEM_TYPE_64 / _MEM_PREFETCH; size a power of two (>= 4 for I/O, >= 16
 * for memory). A 64-bit BAR uses n and n + 1. */
void pci_register_bar(PCIDevice *dev, int n, uint8_t type, MemoryRegion *mr);
/* Link a capability (id) of size bytes at offset into the list; it must
 * lie in 0x40-0xff, 4-aligned, and overlap no other capability. */
bool pci_add_capability(PCIDevice *dev, uint8_t id, uint8_t offset,
                        uint8_t size, GError **errp);

/*
 * Expansion ROM BAR (config 0x30, PCI 3.0 6.2.5.2) from the "romfile"
 * property: realize loads and checks the file (errors in QEMU's words)
 * and, with rombar=1 (default), makes a read-only BAR of the file's size
 * rounded up to a power of two (>= 2 KiB), decoded while its enable bit
 * and the command register's memory enable are set; with rombar=0 the
 * file goes to fw_cfg "genroms/" instead. pci_rom_update maps/unmaps it
 * after config writes/reset/load; pci_rom_exit frees it.
 */
bool pci_rom_realize(PCIDevice *dev, GError **errp);
/* bootindex=N (N >= 0): the device's firmware path, as QEMU writes it
 * for the i440FX ("/pci@i0cf8/NAME@SLOT[,FN]", NAME from the class or
 * "pciVVVV,DDDD", 4 hex digits each), goes into the fw_cfg boot list (bootorder); SeaBIOS
 * then orders the device's ROM boot entries by it. */
char *pci_dev_fw_path(PCIDevice *dev);
void pci_rom_update(PCIDevice *dev);
void pci_rom_exit(PCIDevice *dev);
/* Where the ROM BAR is mapped now, or PCI_BAR_UNMAPPED. */
uint64_t pci_get_rom_addr(PCIDevice *dev);

/* Where BAR n is mapped now, or PCI_BAR_UNMAPPED. */
uint64_t pci_get_bar_addr(PCIDevice *dev, int n);

/* Drive the device's interrupt pin (config byte 0x3d) to level. */
void pci_set_irq(PCIDevice *dev, int level);
/* Which routed line (PIRQ) pin 0-3 of dev reaches, per the board. */
int pci_device_route_pin(PCIDevice *dev, int pin);

/* Bus-master DMA: refused (MEMTX_ACCESS_ERROR) unless Bus Master Enable
 * is set and the whole range is RAM. */
AddressSpace *pci_get_address_space(PCIDevice *dev);
MemTxResult pci_dma_read(PCIDevice *dev, dma_addr_t addr, void *buf,
                         dma_addr_t len);
MemTxResult pci_dma_write(PCIDevice *dev, dma_addr_t addr, const void *buf,
                          dma_addr_t len);

/* Re-derive BAR mappings, bus mastering and INTx after config[] was
 * loaded (for subclasses with their own vmstate's post_load). Returns
 * -EINVAL if the stream's ids are not this device's (ids restored). */
int pci_device_post_load(PCIDevice *dev);

/* Create + realize a device of type at devfn on bus (PCI_DEVFN_AUTO: the
 * first free slot). Returns NULL + errp on failure. */
PCIDevice *pci_create_simple(PCIBus *bus, int devfn, const char *type,
                             GError **errp);

static inline uint16_t pci_get_word(const uint8_t *p)
{
    return p[0] | (p[1] << 8);
}

static inline uint32_t pci_get_long(const uint8_t *p)
{
    return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void pci_set_word(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static inline void pci_set_long(uint8_t *p, uint32_t v)
{
    p[0] = v;
    p[1] = v >> 8;
    p[2] = v >> 16;
    p[3] = v >> 24;
}

#endif
