/*
 * The PC's two cascaded Intel 8259A PICs (master at 0x20, slave at 0xa0,
 * ELCR at 0x4d0/0x4d1) — hw/intc/i8259.c.
 *
 * The board calls i8259_init() with the line that interrupts the CPU; it
 * gets the sixteen ISA input lines back. The accelerator's interrupt path
 * calls i8259_read_irq() when the CPU acknowledges (INTA) and injects the
 * vector it returns. Big VMM lock held throughout.
 */
#ifndef HW_INTC_I8259_H
#define HW_INTC_I8259_H

#include "hw/irq.h"
#include "hw/isa.h"

#define TYPE_I8259 "isa-i8259"

typedef struct PICState PICState;

/* Create master+slave on bus; returns 16 input lines (g_free the array). */
qemu_irq *i8259_init(ISABus *bus, qemu_irq cpu_int, GError **errp);
/* INTA cycle: acknowledge the highest-priority request, return a vector
 * (a spurious IRQ7/IRQ15 vector when nothing is pending). */
int i8259_read_irq(void);
/* Is the master's INT output asserted? */
bool i8259_int_pending(void);
/* `info irq` text: requests per ISA IRQ since start (non-zero only). */
void i8259_irq_stats(GString *out);
/* `info pic` text. */
void i8259_info(GString *out);

#endif
