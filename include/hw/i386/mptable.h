/*
 * Intel MultiProcessor Specification 1.4 tables (hw/i386/mptable.c): the
 * MP floating pointer structure and the base configuration table with
 * processor, bus (ISA, PCI), I/O APIC, I/O interrupt and local interrupt
 * entries. OSes booted without ACPI (Linux acpi=off, older kernels) find
 * CPUs and the IOAPIC here.
 *
 * Who calls it: the pc board, next to the ACPI tables, when it boots a
 * kernel without firmware (SeaBIOS writes its own). Pure function of its
 * config: no locks, no global state.
 */
#ifndef HW_I386_MPTABLE_H
#define HW_I386_MPTABLE_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#define MPTABLE_BUS_PCI 0
#define MPTABLE_BUS_ISA 1

/* One PCI INTx line: device slot on bus 0, pin 0-3 (INTA-INTD), wired
 * to IOAPIC input intin (level; active high: the board's IOAPIC inputs
 * are, as the DSDT's link descriptors say). */
typedef struct MPTablePciIrq {
    uint8_t slot, pin, intin;
} MPTablePciIrq;

typedef struct MPTableConfig {
    unsigned num_cpus;
    const uint8_t *apic_ids;    /* num_cpus entries; [0] is the BSP */
    uint32_t lapic_addr;
    uint8_t ioapic_id;
    uint32_t ioapic_addr;
    bool has_pci;               /* a PCI bus entry (bus id 0) */
    unsigned num_pci_irqs;
    const MPTablePciIrq *pci_irqs;
    /* The ISA IRQ each PIIX3 PIRQ (A-D) is routed to, as the board
     * programs it (NULL: none). Each slot 1-31's INTA-D then gets an
     * entry to that IRQ's IOAPIC input (the PIIX3 wiring,
     * i440fx_slot_pirq(); slot 1's INTA, the PM function's SCI, goes to
     * IRQ 9), and the ISA entries of those IRQs say level,
     * active high as the PCI entries do. Left out if the table would not
     * fit otherwise (very many CPUs). */
    const uint8_t *pirq_irqs;
} MPTableConfig;

/*
 * Write the floating pointer and the configuration table right after it
 * into buf (size bytes), which the guest sees at physical base (16-byte
 * aligned, in the first MiB). Returns the bytes used, or 0 if it does not
 * fit or the config is unusable (no CPUs).
 */
size_t mptable_build(uint8_t *buf, size_t size, uint32_t base,
                     const MPTableConfig *cfg);

#endif
