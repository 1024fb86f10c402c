/*
 * ACPI tables for the pc board (hw/acpi/acpi-build.c): RSDP, RSDT, FADT
 * (PIIX4 PM addresses from acpi-pm.h), FACS, DSDT with \_S5, and a MADT
 * when the board has local APICs. Written into guest memory in the BIOS
 * area where the OS scans for the RSDP (0xe0000-0xfffff).
 */
#ifndef HW_ACPI_ACPI_BUILD_H
#define HW_ACPI_ACPI_BUILD_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define ACPI_MAX_SERIALS 4

typedef struct AcpiBuildConfig {
    unsigned num_cpus;       /* MADT entries (0: no MADT) */
    const uint8_t *apic_ids; /* num_cpus local APIC IDs (NULL: 0..n-1) */
    uint32_t lapic_addr;
    bool has_ioapic;
    uint32_t ioapic_addr;
    bool sci_override;       /* MADT: SCI (IRQ9) level, active high */
    bool has_hpet;           /* HPET table */
    uint32_t hpet_addr;
    bool has_pci;            /* DSDT: \_SB.PCI0, PIRQ links, _PRT */
    uint32_t pci_hole_start; /* 32-bit MMIO window: here to 0xfebfffff */
    uint64_t pci_hole64_start, pci_hole64_size; /* 64-bit window (0: none) */
    uint16_t fw_cfg_port;    /* DSDT: \_SB.FWCF at this port (0: none) */
    /* DSDT ISA devices (hw/acpi/acpi-isa.c); acpi_build_scan_devices()
     * sets them from the devices the board has */
    bool has_rtc;            /* RTC: PNP0B00 */
    bool has_i8042;          /* KBD + MOU: PNP0303, PNP0F13 */
    unsigned num_serials;    /* COM1..: PNP0501 */
    struct {
        uint16_t iobase;
        uint8_t irq;
    } serial[ACPI_MAX_SERIALS];
    uint16_t pvpanic_port;   /* PEVT: QEMU0001 at this port (0: none) */
} AcpiBuildConfig;

/* Build the tables into buf (which starts at guest address base; the
 * RSDP is first, 16-byte aligned). Returns bytes used, 0 if buf_size is
 * too small. */
size_t acpi_build_tables(uint8_t *buf, size_t buf_size, uint32_t base,
                         const AcpiBuildConfig *cfg);

/* The DSDT's PCI part (hw/acpi/acpi-pci.c), appended to dsdt's AML. */
void acpi_dsdt_add_pci(GByteArray *dsdt, const AcpiBuildConfig *cfg);

/* The DSDT's ISA devices and the HPET (hw/acpi/acpi-isa.c). */
void acpi_dsdt_add_isa(GByteArray *dsdt, const AcpiBuildConfig *cfg);

/* Set cfg's ISA device fields (has_rtc, has_i8042, serial[], pvpanic_port)
 * from the realized devices on the system bus and the buses below it. */
void acpi_build_scan_devices(AcpiBuildConfig *cfg);

/* The DSDT's processor devices \_SB.CPUS.Cnnn (hw/acpi/acpi-cpu.c). */
void acpi_dsdt_add_cpus(GByteArray *dsdt, const AcpiBuildConfig *cfg);

/* The DSDT's fw_cfg device (hw/acpi/acpi-fw-cfg.c). */
void acpi_dsdt_add_fw_cfg(GByteArray *dsdt, uint16_t port);

/* Sum of bytes (tables must sum to 0). */
uint8_t acpi_checksum(const uint8_t *data, size_t len);

#endif
