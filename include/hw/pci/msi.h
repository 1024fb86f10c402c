/*
 * MSI capability (PCI Local Bus Specification 3.0, §6.8.1): 32- or
 * 64-bit message address, 1-32 vectors (Multiple Message Enable), and
 * optional per-vector masking with pending bits. A device adds it in its
 * realize with msi_init() and raises vector v with msi_notify(); messages
 * aimed at the local APICs (0xfeexxxxx) go to the handler the board set
 * with pci_set_msi_handler(), others are 32-bit DMA writes (RAM only).
 * Nothing is sent while MSI or Bus Master Enable is off.
 * Big VMM lock held throughout.
 */
#ifndef HW_PCI_MSI_H
#define HW_PCI_MSI_H

#include "hw/pci/pci.h"

#define PCI_CAP_ID_MSI 0x05
#define PCI_MSI_FLAGS 2
#define  PCI_MSI_FLAGS_ENABLE 0x0001
#define  PCI_MSI_FLAGS_QMASK 0x000e     /* vectors capable, log2 */
#define  PCI_MSI_FLAGS_QSIZE 0x0070     /* vectors enabled, log2 */
#define  PCI_MSI_FLAGS_64BIT 0x0080
#define  PCI_MSI_FLAGS_MASKBIT 0x0100
#define PCI_MSI_ADDRESS_LO 4
#define PCI_MSI_ADDRESS_HI 8           /* 64-bit only */

/* The board's delivery of APIC-bound messages (apic_deliver_msi). */
void pci_set_msi_handler(void (*deliver)(uint64_t addr, uint32_t data));

/* Add the capability at offset (0x40-0xff, 4-aligned, free); nvectors
 * a power of two 1-32. */
bool msi_init(PCIDevice *dev, uint8_t offset, unsigned nvectors, bool msi64,
              bool per_vector_mask, GError **errp);
bool msi_enabled(PCIDevice *dev);
/* Send vector (or latch it pending while masked). */
void msi_notify(PCIDevice *dev, unsigned vector);
/* Is vector pending (masked when it fired)? */
bool msi_is_pending(PCIDevice *dev, unsigned vector);

/* For hw/pci/pci.c: config writes into the capability, and reset. */
void msi_write_config(PCIDevice *dev, uint32_t addr, uint32_t val, int len);
void msi_reset(PCIDevice *dev);

#endif
