/*
 * "pc-testdev": the ISA test device kvm-unit-tests drive (hw/misc/).
 *
 *   0xe0-0xe3    32-bit scratch register, any width, byte lanes
 *   0xe4-0xe7    page flush: a write names a guest page (no-op here: no
 *                host mapping to drop; the write is counted)
 *   0x2000+n     write: GSI n (0-23) at level (value != 0); read: level
 *   0xff000000   64 KiB MMIO scratch memory, any width, unaligned allowed
 *
 * Who calls it: -device pc-testdev; the pc board hands the GSI lines the
 * device cannot reach through the ISA bus (16-23, the IOAPIC's PCI pins)
 * with pc_testdev_set_gsi_lines(). Runs under the big VMM lock.
 */
#ifndef HW_MISC_PC_TESTDEV_H
#define HW_MISC_PC_TESTDEV_H

#include "hw/irq.h"

#define TYPE_PC_TESTDEV "pc-testdev"
#define PC_TESTDEV_NUM_GSI 24
#define PC_TESTDEV_IOMEM_BASE 0xff000000u
#define PC_TESTDEV_IOMEM_SIZE 0x10000u

/* GSI lines 0..count-1 (the IOAPIC's inputs); lines 0-15 still go
 * through the ISA bus (PIC + IOAPIC) when the device sits on one. */
void pc_testdev_set_gsi_lines(qemu_irq *lines, unsigned count);

#endif
