/*
 * ACPI fixed-hardware power management registers as the PIIX4 has them at
 * I/O 0x600 (hw/acpi/acpi-pm.c): PM1a event (status/enable), PM1a
 * control (SCI_EN, SLP_TYP/SLP_EN: S5 powers off), the 24-bit 3.579545
 * MHz PM timer, GPE0 block, and the SCI on ISA IRQ 9. The power button
 * (system_powerdown) sets PWRBTN_STS.
 */
#ifndef HW_ACPI_ACPI_PM_H
#define HW_ACPI_ACPI_PM_H

#include "hw/isa.h"

#define TYPE_ACPI_PM "acpi-pm"
#define ACPI_PM_BASE 0x600
#define ACPI_PM1_EVT (ACPI_PM_BASE + 0x00)    /* 4 bytes */
#define ACPI_PM1_CNT (ACPI_PM_BASE + 0x04)    /* 2 bytes */
#define ACPI_PM_TMR (ACPI_PM_BASE + 0x08)     /* 4 bytes */
#define ACPI_GPE0 0xafe0                      /* 4 bytes: sts, en */
#define ACPI_SCI_IRQ 9
#define ACPI_PM_TIMER_FREQ 3579545
#define ACPI_S5_SLP_TYP 0                     /* matches the DSDT's \_S5 */

DeviceState *acpi_pm_create(ISABus *bus, GError **errp);
/*
 * Move the PM1 event/control and PM timer block (64 ports, offsets as at
 * ACPI_PM_BASE) to base, or stop decoding it (enabled false). The PIIX4
 * PM function calls it when the guest writes PMBA/PMREGMISC. GPE0 stays.
 */
void acpi_pm_set_io_base(DeviceState *pm, uint16_t base, bool enabled);
/* Press the power button (QMP system_powerdown). */
void acpi_pm_power_button(DeviceState *pm);

#endif
