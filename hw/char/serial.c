/*
 * 16550A UART (National Semiconductor PC16550D datasheet), as the ISA
 * device "isa-serial" at the PC's COM1-COM4 addresses.
 *
 * Modelled: divisor latch, IER/IIR/FCR/LCR/MCR/LSR/MSR/SCR, 16-byte
 * receive FIFO with trigger levels and the character-timeout interrupt,
 * transmit that completes at once (so THRE is set again immediately, and
 * the THRE interrupt fires when ETBEI is enabled with THR empty: Linux's
 * 8250 driver probes exactly that), interrupt priorities, loopback, modem
 * status (CTS/DSR/DCD asserted while the backend is connected), break.
 * Left out: transmit FIFO timing (bytes leave at once), parity/framing
 * errors (a host chardev delivers clean bytes), the 16750's 64-byte FIFO.
 */
#include "hw/char/serial.h"
#include "migration/vmstate.h"
#include "system/timer.h"
#include "util/error.h"

#include <string.h>

#define UART_IER_RDI 0x01
#define UART_IER_THRI 0x02
#define UART_IER_RLSI 0x04
#define UART_IER_MSI 0x08

#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI 0x00
#define UART_IIR_THRI 0x02
#define UART_IIR_RDI 0x04
#define UART_IIR_RLSI 0x06
#define UART_IIR_CTI 0x0c
#define UART_IIR_FIFO 0xc0

#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLEAR_RCVR 0x02
#define UART_FCR_CLEAR_XMIT 0x04

#define UART_LCR_DLAB 0x80
#define UART_LCR_SBC 0x40

#define UART_MCR_DTR 0x01
#define UART_MCR_RTS 0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10

#define UART_LSR_DR 0x01
#define UART_LSR_OE 0x02
#define UART_LSR_BI 0x10
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_LSR_ERRS 0x1e

#define UART_MSR_DCTS 0x01
#define UART_MSR_DDSR 0x02
#define UART_MSR_TERI 0x04
#define UART_MSR_DDCD 0x08
#define UART_MSR_CTS 0x10
#define UART_MSR_DSR 0x20
#define UART_MSR_RI 0x40
#define UART_MSR_DCD 0x80
#define UART_MSR_DELTAS 0x0f

static const uint8_t fifo_trigger[4] = { 1, 4, 8, 14 };

static bool fifo_enabled(SerialState *s)
{
    return s->fcr & UART_FCR_ENABLE;
}

static unsigned rx_capacity(SerialState *s)
{
    return fifo_enabled(s) ? SERIAL_FIFO_SIZE : 1;
}

static int64_t char_time_ns(SerialState *s)
{
    /* 1 start + 5..8 data + parity + 1..2 stop bits at 115200/divisor */
    unsigned bits = 1 + 5 + (s->lcr & 3) + ((s->lcr >> 3) & 1) +
                    1 + ((s->lcr >> 2) & 1);
    uint64_t divider = s->divider ? s->divider : 1;
    return (int64_t)(bits * divider * (1000000000ull / 115200));
}

static void serial_update_irq(SerialState *s)
{
    uint8_t iir = UART_IIR_NO_INT;

    if ((s->ier & UART_IER_RLSI) && (s->lsr & UART_LSR_ERRS)) {
        iir = UART_IIR_RLSI;
    } else if ((s->ier & UART_IER_RDI) && s->timeout_ipending) {
        iir = UART_IIR_CTI;
    } else if ((s->ier & UART_IER_RDI) && (s->lsr & UART_LSR_DR) &&
               (!fifo_enabled(s) ||
                s->rx_count >= fifo_trigger[s->fcr >> 6])) {
        iir = UART_IIR_RDI;
    } else if ((s->ier & UART_IER_THRI) && s->thr_ipending) {
        iir = UART_IIR_THRI;
    } else if ((s->ier & UART_IER_MSI) && (s->msr & UART_MSR_DELTAS)) {
        iir = UART_IIR_MSI;
    }
    s->iir = iir | (fifo_enabled(s) ? UART_IIR_FIFO : 0);
    qemu_set_irq(s->irq, iir != UART_IIR_NO_INT);
}

static void rx_push(SerialState *s, uint8_t byte)
{
    if (s->rx_count >= rx_capacity(s)) {
        s->lsr |= UART_LSR_OE;     /* overrun: the byte is lost */
        return;
    }
    s->rx_fifo[(s->rx_head + s->rx_count) % SERIAL_FIFO_SIZE] = byte;
    s->rx_count++;
    s->lsr |= UART_LSR_DR;
    if (fifo_enabled(s) && s->timeout_timer) {
        /* character timeout: 4 character times without FIFO activity */
        s->timeout_ipending = false;
        timer_mod_ns(s->timeout_timer,
                     clock_get_ns(QEMU_CLOCK_VIRTUAL) + 4 * char_time_ns(s));
    }
}

static uint8_t rx_pop(SerialState *s)
{
    if (!s->rx_count) {
        return 0;
    }
    uint8_t byte = s->rx_fifo[s->rx_head];
    s->rx_head = (s->rx_head + 1) % SERIAL_FIFO_SIZE;
    s->rx_count--;
    if (!s->rx_count) {
        s->lsr &= ~UART_LSR_DR;
        if (s->timeout_timer) {
            timer_del(s->timeout_timer);
        }
    } else if (fifo_enabled(s) && s->timeout_timer) {
        timer_mod_ns(s->timeout_timer,
                     clock_get_ns(QEMU_CLOCK_VIRTUAL) + 4 * char_time_ns(s));
    }
    s->timeout_ipending = false;
    return byte;
}

static void rx_clear(SerialState *s)
{
    s->rx_head = s->rx_count = 0;
    s->lsr &= ~UART_LSR_DR;
    s->timeout_ipending = false;
    if (s->timeout_timer) {
        timer_del(s->timeout_timer);
    }
}

static void serial_timeout(void *opaque)
{
    SerialState *s = opaque;
    if (s->rx_count) {
        s->timeout_ipending = true;
        serial_update_irq(s);
    }
}

/* Modem status inputs: loopback from MCR, else "connected" lines. */
static uint8_t modem_inputs(SerialState *s)
{
    if (s->mcr & UART_MCR_LOOP) {
        return ((s->mcr & UART_MCR_RTS) ? UART_MSR_CTS : 0) |
               ((s->mcr & UART_MCR_DTR) ? UART_MSR_DSR : 0) |
               ((s->mcr & UART_MCR_OUT1) ? UART_MSR_RI : 0) |
               ((s->mcr & UART_MCR_OUT2) ? UART_MSR_DCD : 0);
    }
    return UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
}

static void update_msr(SerialState *s)
{
    uint8_t now = modem_inputs(s);
    uint8_t old = s->msr & 0xf0;
    uint8_t delta = 0;

    if ((now ^ old) & UART_MSR_CTS) {
        delta |= UART_MSR_DCTS;
    }
    if ((now ^ old) & UART_MSR_DSR) {
        delta |= UART_MSR_DDSR;
    }
    if ((now ^ old) & UART_MSR_DCD) {
        delta |= UART_MSR_DDCD;
    }
    if ((old & UART_MSR_RI) && !(now & UART_MSR_RI)) {
        delta |= UART_MSR_TERI;
    }
    s->msr = now | (s->msr & UART_MSR_DELTAS) | delta;
}

static void serial_transmit(SerialState *s, uint8_t byte)
{
    if (s->mcr & UART_MCR_LOOP) {
        rx_push(s, byte);
    } else if (!(s->lcr & UART_LCR_SBC)) {
        chr_fe_write(&s->chr, &byte, 1);
    }
    s->tx_count++;
    /* The byte left at once: THR and the shift register are empty. */
    s->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
    s->thr_ipending = true;
}

uint64_t serial_ioport_read(void *opaque, hwaddr addr, unsigned size)
{
    SerialState *s = opaque;
    uint8_t ret = 0xff;

    switch (addr & 7) {
    case 0:
        if (s->lcr & UART_LCR_DLAB) {
            ret = s->divider & 0xff;
        } else {
            ret = rx_pop(s);
            serial_update_irq(s);
            chr_fe_accept_input(&s->chr);
        }
        break;
    case 1:
        ret = (s->lcr & UART_LCR_DLAB) ? s->divider >> 8 : s->ier;
        break;
    case 2:
        ret = s->iir;
        /* Reading IIR acknowledges a THRE interrupt it reports. */
        if ((ret & 0x0f) == UART_IIR_THRI) {
            s->thr_ipending = false;
            serial_update_irq(s);
        }
        break;
    case 3:
        ret = s->lcr;
        break;
    case 4:
        ret = s->mcr;
        break;
    case 5:
        ret = s->lsr;
        if (s->lsr & (UART_LSR_BI | UART_LSR_OE)) {
            s->lsr &= ~(UART_LSR_BI | UART_LSR_OE);
            serial_update_irq(s);
        }
        break;
    case 6:
        update_msr(s);
        ret = s->msr;
        s->msr &= ~UART_MSR_DELTAS;
        serial_update_irq(s);
        break;
    case 7:
        ret = s->scr;
        break;
    }
    return ret;
}

void serial_ioport_write(void *opaque, hwaddr addr, uint64_t val,
                         unsigned size)
{
    SerialState *s = opaque;
    uint8_t v = val;

    switch (addr & 7) {
    case 0:
        if (s->lcr & UART_LCR_DLAB) {
            s->divider = (s->divider & 0xff00) | v;
        } else {
            s->thr_ipending = false;
            serial_transmit(s, v);
        }
        break;
    case 1:
        if (s->lcr & UART_LCR_DLAB) {
            s->divider = (s->divider & 0x00ff) | (v << 8);
        } else {
            uint8_t old = s->ier;
            s->ier = v & 0x0f;
            /* Enabling ETBEI with THR empty raises THRE at once. */
            if ((s->ier & UART_IER_THRI) && !(old & UART_IER_THRI) &&
                (s->lsr & UART_LSR_THRE)) {
                s->thr_ipending = true;
            }
        }
        break;
    case 2: {
        bool was_enabled = fifo_enabled(s);
        if ((v & UART_FCR_ENABLE) != was_enabled ||
            (v & UART_FCR_CLEAR_RCVR)) {
            rx_clear(s);       /* toggling the FIFO mode clears it */
        }
        s->fcr = v & 0xc9;     /* trigger level, DMA mode, enable */
        break;
    }
    case 3:
        s->lcr = v;
        break;
    case 4: {
        s->mcr = v & 0x1f;
        update_msr(s);
        break;
    }
    case 5:
        break;                 /* LSR is read-only (factory test only) */
    case 6:
        break;
    case 7:
        s->scr = v;
        break;
    }
    serial_update_irq(s);
}

static const MemoryRegionOps serial_io_ops = {
    .read = serial_ioport_read,
    .write = serial_ioport_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

static int serial_can_receive(void *opaque)
{
    SerialState *s = opaque;
    if (s->mcr & UART_MCR_LOOP) {
        return 0;
    }
    return rx_capacity(s) - s->rx_count;
}

static void serial_receive(void *opaque, const uint8_t *buf, int size)
{
    SerialState *s = opaque;
    for (int i = 0; i < size; i++) {
        rx_push(s, buf[i]);
    }
    serial_update_irq(s);
}

static void serial_event(void *opaque, ChardevEvent event)
{
    SerialState *s = opaque;
    if (event == CHR_EVENT_BREAK) {
        s->lsr |= UART_LSR_BI | UART_LSR_DR;
        serial_update_irq(s);
    }
}

void serial_reset(SerialState *s)
{
    s->divider = 12;          /* 9600 baud */
    s->ier = 0;
    s->iir = UART_IIR_NO_INT;
    s->lcr = 0;
    s->mcr = UART_MCR_OUT2;
    s->lsr = UART_LSR_THRE | UART_LSR_TEMT;
    s->msr = modem_inputs(s);
    s->scr = 0;
    s->fcr = 0;
    s->thr_ipending = false;
    rx_clear(s);
    qemu_set_irq(s->irq, 0);
}

bool serial_realize_core(SerialState *s, Object *owner, GError **errp)
{
    if (s->chardev_id) {
        Chardev *chr = chardev_find(s->chardev_id);
        if (!chr) {
            error_setg(errp, "Property 'chardev' can't find value '%s'",
                       s->chardev_id);
            return false;
        }
        if (!chr_fe_init(&s->chr, chr, errp)) {
            return false;
        }
        chr_fe_set_handlers(&s->chr, serial_can_receive, serial_receive,
                            serial_event, s);
    }
    s->timeout_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, serial_timeout, s);
    memory_region_init_io(&s->io, owner, &serial_io_ops, s, "serial", 8);
    serial_reset(s);
    return true;
}

void serial_unrealize_core(SerialState *s)
{
    chr_fe_deinit(&s->chr);
    if (s->timeout_timer) {
        timer_free(s->timeout_timer);
        s->timeout_timer = NULL;
    }
}

static int serial_post_load(void *opaque, int version_id)
{
    SerialState *s = opaque;
    /* Never trust indices from a stream. */
    if (s->rx_head >= SERIAL_FIFO_SIZE || s->rx_count > SERIAL_FIFO_SIZE) {
        return -1;
    }
    if (s->rx_count && fifo_enabled(s) && s->timeout_timer) {
        timer_mod_ns(s->timeout_timer,
                     clock_get_ns(QEMU_CLOCK_VIRTUAL) + 4 * char_time_ns(s));
    }
    serial_update_irq(s);
    return 0;
}

const VMStateDescription vmstate_serial = {
    .name = "serial",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = serial_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT16(divider, SerialState),
        VMSTATE_UINT8(ier, SerialState),
        VMSTATE_UINT8(iir, SerialState),
        VMSTATE_UINT8(lcr, SerialState),
        VMSTATE_UINT8(mcr, SerialState),
        VMSTATE_UINT8(lsr, SerialState),
        VMSTATE_UINT8(msr, SerialState),
        VMSTATE_UINT8(scr, SerialState),
        VMSTATE_UINT8(fcr, SerialState),
        VMSTATE_BOOL(thr_ipending, SerialState),
        VMSTATE_BOOL(timeout_ipending, SerialState),
        VMSTATE_UINT8_ARRAY(rx_fifo, SerialState, SERIAL_FIFO_SIZE),
        VMSTATE_UINT32(rx_head, SerialState),
        VMSTATE_UINT32(rx_count, SerialState),
        VMSTATE_END_OF_LIST(),
    },
};
