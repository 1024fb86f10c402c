/*
 * 16550A UART core (hw/char/serial.c) and its ISA wrapper "isa-serial"
 * (hw/char/serial-isa.c). The core is bus-independent so a PCI or MMIO
 * UART can embed it later: embed SerialState, set irq and chardev_id,
 * call serial_realize_core() and map s->io.
 */
#ifndef HW_CHAR_SERIAL_H
#define HW_CHAR_SERIAL_H

#include "chardev/char.h"
#include "hw/irq.h"
#include "memory/memory.h"
#include "qom/object.h"

struct QEMUTimer;
struct VMStateDescription;

#define SERIAL_FIFO_SIZE 16
#define TYPE_ISA_SERIAL "isa-serial"

typedef struct SerialState {
    /* registers */
    uint16_t divider;
    uint8_t ier, iir, lcr, mcr, lsr, msr, scr, fcr;
    bool thr_ipending;
    bool timeout_ipending;
    /* receive FIFO (1 deep in 16450 mode) */
    uint8_t rx_fifo[SERIAL_FIFO_SIZE];
    uint32_t rx_head, rx_count;
    /* wiring */
    qemu_irq irq;
    char *chardev_id;
    CharFrontend chr;
    MemoryRegion io;
    struct QEMUTimer *timeout_timer;
    uint64_t tx_count;         /* bytes sent, for counters/tests */
} SerialState;

extern const struct VMStateDescription vmstate_serial;

bool serial_realize_core(SerialState *s, Object *owner, GError **errp);
void serial_unrealize_core(SerialState *s);
void serial_reset(SerialState *s);
uint64_t serial_ioport_read(void *opaque, hwaddr addr, unsigned size);
void serial_ioport_write(void *opaque, hwaddr addr, uint64_t val,
                         unsigned size);

#endif
