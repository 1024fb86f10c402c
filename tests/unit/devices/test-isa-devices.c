/*
 * ISA devices driven through the I/O address space, as a guest would:
 * the 16550A (registers, THRE interrupt as Linux probes it, FIFO and
 * trigger levels, loopback, divisor latch, overrun, vmstate round trip,
 * bad migration state), isa-debugcon and isa-debug-exit.
 */
#include "chardev/char.h"
#include "hw/char/serial.h"
#include "hw/isa.h"
#include "hw/misc/debug.h"
#include "hw/qdev.h"
#include "memory/memory.h"
#include "migration/vmstate.h"
#include "system/main-loop.h"
#include "io-helpers.h"

#include <string.h>

static ISABus *isa;
static int irq_level[ISA_NUM_IRQS];

static void irq_handler(void *opaque, int n, int level)
{
    irq_level[n] = level;
}

static Chardev *new_ringbuf(const char *id)
{
    GError *err = NULL;
    GHashTable *opts = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_insert(opts, "size", "1024");
    Chardev *chr = chardev_new(id, "ringbuf", opts, &err);
    g_hash_table_unref(opts);
    g_assert_no_error(err);
    return chr;
}

static char *drain(Chardev *chr)
{
    size_t len;
    GError *err = NULL;
    uint8_t *data = ringbuf_read(chr, 1024, &len, &err);
    g_assert_no_error(err);
    char *s = g_strndup((char *)data, len);
    g_free(data);
    return s;
}

static DeviceState *new_isa_device(const char *type, const char *const *props)
{
    GError *err = NULL;
    DeviceState *dev = qdev_new(type);
    for (int i = 0; props && props[i]; i += 2) {
        g_assert_true(object_property_parse(OBJECT(dev), props[i], props[i + 1],
                                            &err));
        g_assert_no_error(err);
    }
    qdev_realize_and_unref(dev, BUS(isa), &err);
    g_assert_no_error(err);
    return dev;
}

#define COM1 0x3f8

static void test_serial_tx_and_thre_irq(void)
{
    Chardev *chr = new_ringbuf("com1");
    const char *props[] = { "chardev", "com1", "index", "0", NULL };
    DeviceState *dev = new_isa_device(TYPE_ISA_SERIAL, props);

    /* After reset: THR empty, no interrupt pending, OUT2 set. */
    g_assert_cmphex(inb(COM1 + 5) & 0x60, ==, 0x60);
    g_assert_cmphex(inb(COM1 + 2), ==, 0x01);
    g_assert_cmpint(irq_level[4], ==, 0);

    outb(COM1, 'h');
    outb(COM1, 'i');
    char *out = drain(chr);
    g_assert_cmpstr(out, ==, "hi");
    g_free(out);

    /* Linux's probe: enabling ETBEI with THR empty raises THRE at once. */
    outb(COM1 + 1, 0x02);
    g_assert_cmpint(irq_level[4], ==, 1);
    g_assert_cmphex(inb(COM1 + 2) & 0x0f, ==, 0x02);
    /* ...and reading IIR acknowledged it. */
    g_assert_cmpint(irq_level[4], ==, 0);
    g_assert_cmphex(inb(COM1 + 2) & 0x0f, ==, 0x01);
    /* Writing THR raises it again once the byte is gone. */
    outb(COM1, 'x');
    g_assert_cmpint(irq_level[4], ==, 1);
    outb(COM1 + 1, 0x00);
    g_assert_cmpint(irq_level[4], ==, 0);
    g_free(drain(chr));

    object_unparent(OBJECT(dev));
    chardev_remove("com1", NULL);
}

static void test_serial_rx_fifo(void)
{
    Chardev *chr = new_ringbuf("com1");
    const char *props[] = { "chardev", "com1", "index", "0", NULL };
    DeviceState *dev = new_isa_device(TYPE_ISA_SERIAL, props);

    /* 16450 mode: one byte of buffering, the rest is refused upstream. */
    chardev_be_feed(chr, (const uint8_t *)"ab", 2);
    g_assert_cmphex(inb(COM1 + 5) & 1, ==, 1);
    g_assert_cmpint(inb(COM1), ==, 'a');
    g_assert_cmphex(inb(COM1 + 5) & 1, ==, 0);

    /* FIFO on, trigger level 4: RDA only at 4 bytes. */
    outb(COM1 + 2, 0x41);
    g_assert_cmphex(inb(COM1 + 2) & 0xc0, ==, 0xc0);
    outb(COM1 + 1, 0x01);
    chardev_be_feed(chr, (const uint8_t *)"123", 3);
    g_assert_cmpint(irq_level[4], ==, 0);
    chardev_be_feed(chr, (const uint8_t *)"4", 1);
    g_assert_cmpint(irq_level[4], ==, 1);
    g_assert_cmphex(inb(COM1 + 2) & 0x0f, ==, 0x04);
    char got[5] = { 0 };
    for (int i = 0; i < 4; i++) {
        got[i] = inb(COM1);
    }
    g_assert_cmpstr(got, ==, "1234");
    g_assert_cmpint(irq_level[4], ==, 0);
    g_assert_cmphex(inb(COM1 + 5) & 1, ==, 0);
    /* Reading an empty RBR is harmless. */
    (void)inb(COM1);

    object_unparent(OBJECT(dev));
    chardev_remove("com1", NULL);
}

static void test_serial_loopback_and_divisor(void)
{
    Chardev *chr = new_ringbuf("com1");
    const char *props[] = { "chardev", "com1", "index", "0", NULL };
    DeviceState *dev = new_isa_device(TYPE_ISA_SERIAL, props);

    /* Divisor latch: DLAB=1 exposes DLL/DLM, not RBR/IER. */
    outb(COM1 + 3, 0x80);
    outb(COM1 + 0, 0x01);
    outb(COM1 + 1, 0x00);
    g_assert_cmpint(inb(COM1 + 0), ==, 1);
    outb(COM1 + 3, 0x03);
    g_assert_cmpint(inb(COM1 + 1), ==, 0);  /* IER untouched */

    /* Loopback: MCR bits show up in MSR, bytes come back, not out. */
    outb(COM1 + 4, 0x10 | 0x02 | 0x01);
    uint8_t msr = inb(COM1 + 6);
    g_assert_cmphex(msr & 0xf0, ==, 0x30);   /* CTS, DSR */
    outb(COM1, 'L');
    g_assert_cmpint(inb(COM1 + 5) & 1, ==, 1);
    g_assert_cmpint(inb(COM1), ==, 'L');
    char *out = drain(chr);
    g_assert_cmpstr(out, ==, "");
    g_free(out);

    /* Overrun in 16450 loopback mode sets OE, cleared by reading LSR. */
    outb(COM1, '1');
    outb(COM1, '2');
    g_assert_cmphex(inb(COM1 + 5) & 0x02, ==, 0x02);
    g_assert_cmphex(inb(COM1 + 5) & 0x02, ==, 0);

    /* Scratch register. */
    outb(COM1 + 7, 0x5a);
    g_assert_cmphex(inb(COM1 + 7), ==, 0x5a);

    object_unparent(OBJECT(dev));
    chardev_remove("com1", NULL);
}

static void test_serial_vmstate(void)
{
    const char *props[] = { "index", "0", NULL };
    DeviceState *dev = new_isa_device(TYPE_ISA_SERIAL, props);
    DeviceClass *dc = DEVICE_GET_CLASS(dev);

    outb(COM1 + 2, 0x01);
    outb(COM1 + 4, 0x10);
    outb(COM1, 'q');          /* one byte waiting in the FIFO */
    outb(COM1 + 7, 0x77);

    VMStream s;
    GError *err = NULL;
    vmstream_init_save(&s);
    g_assert_true(vmstate_save(&s, dc->vmsd, dev, &err));
    GByteArray *bytes = s.out;

    qdev_reset_all(dev);
    g_assert_cmphex(inb(COM1 + 7), ==, 0);

    VMStream l;
    vmstream_init_load(&l, bytes->data, bytes->len);
    g_assert_true(vmstate_load(&l, dc->vmsd, dev, 1, &err));
    g_assert_no_error(err);
    g_assert_cmphex(inb(COM1 + 7), ==, 0x77);
    g_assert_cmpint(inb(COM1), ==, 'q');

    /* A stream with an out-of-range FIFO index is refused. */
    bytes->data[bytes->len - 1] = 200;      /* rx_count low byte */
    vmstream_init_load(&l, bytes->data, bytes->len);
    g_assert_false(vmstate_load(&l, dc->vmsd, dev, 1, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);

    g_byte_array_unref(bytes);
    object_unparent(OBJECT(dev));
}

static void test_serial_bad_props(void)
{
    GError *err = NULL;
    DeviceState *dev = qdev_new(TYPE_ISA_SERIAL);
    g_assert_true(object_property_parse(OBJECT(dev), "chardev", "nosuch", &err));
    g_assert_false(qdev_realize(dev, BUS(isa), &err));
    g_assert_nonnull(strstr(err->message, "nosuch"));
    g_clear_error(&err);
    object_unref(OBJECT(dev));

    dev = qdev_new(TYPE_ISA_SERIAL);
    g_assert_true(object_property_parse(OBJECT(dev), "index", "7", &err));
    g_assert_false(qdev_realize(dev, BUS(isa), &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
    object_unref(OBJECT(dev));
}

static int exit_status = -1;

static void fake_exit(int status)
{
    exit_status = status;
}

static void test_debug_devices(void)
{
    Chardev *chr = new_ringbuf("dbg");
    const char *props[] = { "chardev", "dbg", NULL };
    DeviceState *con = new_isa_device(TYPE_ISA_DEBUGCON, props);
    outb(0xe9, 'o');
    outb(0xe9, 'k');
    g_assert_cmphex(inb(0xe9), ==, 0xe9);
    char *out = drain(chr);
    g_assert_cmpstr(out, ==, "ok");
    g_free(out);

    const char *eprops[] = { "iobase", "0xf4", "iosize", "4", NULL };
    DeviceState *ex = new_isa_device(TYPE_ISA_DEBUG_EXIT, eprops);
    debug_exit_set_hook(fake_exit);
    outb(0xf4, 0x10);
    g_assert_cmpint(exit_status, ==, 0x21);
    debug_exit_set_hook(NULL);

    object_unparent(OBJECT(ex));
    object_unparent(OBJECT(con));
    chardev_remove("dbg", NULL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    memory_init();
    isa = isa_bus_new(NULL, get_system_io());
    qemu_irq *irqs = qemu_allocate_irqs(irq_handler, NULL, ISA_NUM_IRQS);
    isa_bus_set_irqs(isa, irqs);

    g_test_add_func("/isa/serial/tx-and-thre-irq", test_serial_tx_and_thre_irq);
    g_test_add_func("/isa/serial/rx-fifo", test_serial_rx_fifo);
    g_test_add_func("/isa/serial/loopback-and-divisor", test_serial_loopback_and_divisor);
    g_test_add_func("/isa/serial/vmstate", test_serial_vmstate);
    g_test_add_func("/isa/serial/bad-props", test_serial_bad_props);
    g_test_add_func("/isa/debug-devices", test_debug_devices);
    int rc = g_test_run();
    qemu_free_irqs(irqs, ISA_NUM_IRQS);
    object_unparent(OBJECT(isa));
    return rc;
}
