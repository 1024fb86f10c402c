/*
 * The pc board's PCI chipset: the i440FX host bridge (configuration
 * mechanism #1 at ports 0xcf8/0xcfc, PCI function 00.0 8086:1237), the
 * PIIX3 PCI-to-ISA bridge (01.0, 8086:7000: PIRQA-D routing registers
 * 0x60-0x63 steering PCI INTx to ISA IRQs, reset control at 0xcf9) and
 * the PIIX4 power-management function (01.3, 8086:7113: PMBA/PMREGMISC
 * place the ACPI PM1/PM-timer block of hw/acpi/acpi-pm.c).
 *
 * Who calls it: hw/i386/pc.c builds the chipset; hw/acpi/acpi-build.c
 * uses i440fx_slot_pirq() so the DSDT's _PRT matches the wiring.
 * Big VMM lock held throughout.
 */
#ifndef HW_PCI_HOST_I440FX_H
#define HW_PCI_HOST_I440FX_H

#include "hw/irq.h"
#include "hw/pci/pci.h"

#define TYPE_I440FX_PCI_HOST "i440FX-pcihost"
#define TYPE_I440FX_PCI_DEVICE "i440FX"
#define TYPE_PIIX3_DEVICE "PIIX3"
#define TYPE_PIIX4_PM "PIIX4_PM"

#define PIIX_PIRQRC 0x60        /* PIRQA..D route control, 4 bytes */
#define PIIX_NUM_PIRQS 4
#define PIIX4_PMBA 0x40
#define PIIX4_PMREGMISC 0x80

/* The host bridge on the system bus with its bus "pci.0" (BARs go to
 * mem/io) and the 00.0 function. */
PCIBus *i440fx_init(MemoryRegion *mem, MemoryRegion *io, GError **errp);

/* The PIIX3 registers its reset control register (I/O 0xcf9, a byte
 * inside the host's 0xcf8 dword): ops->read/write get offset 0, size 1;
 * ops NULL removes it. */
void i440fx_set_reset_control(PCIBus *bus, const MemoryRegionOps *ops,
                              void *opaque);

/*
 * PAM: fn(opaque, pam) runs with the 7 PAM register bytes (0x59-0x5f:
 * 0x59 bits 5:4 for 0xf0000-0xfffff, then two 16 KiB segments a byte
 * from 0xc0000 up; per nibble bit 0 = reads from RAM, bit 1 = writes to
 * RAM) at registration, after every write touching them and at reset.
 */
typedef void I440FXPamNotify(void *opaque, const uint8_t *pam);
void i440fx_set_pam_notify(PCIBus *bus, I440FXPamNotify *fn, void *opaque);

/* PIIX3 at 01.0: PCI INTx of bus go, through PIRQA-D, to isa_irqs[0-15]. */
PCIDevice *piix3_create(PCIBus *bus, const qemu_irq *isa_irqs, GError **errp);

/* PIIX4 PM at 01.3, owning acpi_pm's PM1/timer ports (hw/acpi/acpi-pm.h). */
PCIDevice *piix4_pm_create(PCIBus *bus, DeviceState *acpi_pm, GError **errp);

/* The PIRQ (0 = PIRQA) that INTx pin (0 = INTA) of a device in slot uses. */
static inline int i440fx_slot_pirq(int slot, int pin)
{
    return (slot + pin - 1) & 3;
}

#endif
