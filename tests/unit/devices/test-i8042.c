/*
 * The i8042 through ports 0x60/0x64 as Linux's driver and firmware use
 * it: self test, command byte, the aux loopback probe with IRQ 12,
 * keyboard reset/identify with IRQ 1, CPU reset via 0xFE and the output
 * port, A20, migration, and random port writes.
 */
#include "hw/input/i8042.h"
#include "hw/qdev.h"
#include "io-helpers.h"
#include "migration/vmstate.h"
#include "system/main-loop.h"
#include "system/runstate.h"

static ISABus *isa;
static DeviceState *kbc;
static int irq_level[ISA_NUM_IRQS];
static int irq_edges[ISA_NUM_IRQS];         /* rising edges seen */
static int resets;

static void irq_handler(void *opaque, int n, int level)
{
    if (level && !irq_level[n]) {
        irq_edges[n]++;
    }
    irq_level[n] = level;
}

static void count_reset(void *opaque)
{
    resets++;
}

static uint8_t read_data(void)
{
    g_assert_cmphex(inb(0x64) & 1, ==, 1);      /* OBF */
    return inb(0x60);
}

static void test_self_test_and_cmdbyte(void)
{
    outb(0x64, 0xaa);
    g_assert_cmphex(read_data(), ==, 0x55);
    g_assert_cmphex(inb(0x64) & 0x04, ==, 0x04);  /* system flag */
    outb(0x64, 0x20);
    uint8_t ctr = read_data();
    outb(0x64, 0x60);
    outb(0x60, ctr & ~0x03);                     /* IRQs off */
    outb(0x64, 0x20);
    g_assert_cmphex(read_data(), ==, ctr & ~0x03);
    outb(0x64, 0x60);
    outb(0x60, ctr);
    outb(0x64, 0xab);
    g_assert_cmphex(read_data(), ==, 0x00);
    g_assert_cmphex(inb(0x64) & 1, ==, 0);
}

static void test_aux_loopback_irq12(void)
{
    /* Linux detects the aux port by writing through 0xD3 and expecting
     * the byte back with AUXB set and IRQ 12. */
    outb(0x64, 0xa8);
    outb(0x64, 0xd3);
    outb(0x60, 0x5a);
    g_assert_cmpint(irq_level[12], ==, 1);
    g_assert_cmphex(inb(0x64) & 0x21, ==, 0x21);
    g_assert_cmphex(inb(0x60), ==, 0x5a);
    g_assert_cmpint(irq_level[12], ==, 0);

    /* mouse reset through 0xD4: ACK, BAT, id */
    outb(0x64, 0xd4);
    outb(0x60, 0xff);
    g_assert_cmphex(read_data(), ==, 0xfa);
    g_assert_cmphex(read_data(), ==, 0xaa);
    g_assert_cmphex(read_data(), ==, 0x00);
}

static void test_loopback_port_disabled(void)
{
    /* Linux's MUX probe (i8042_set_mux_mode) loops bytes back through
     * 0xD3 with both ports disabled in the command byte (0x74): they still
     * reach the output buffer (the driver waited 0.5 s for each before) */
    outb(0x64, 0x20);
    uint8_t ctr = read_data();
    outb(0x64, 0x60);
    outb(0x60, 0x74);
    outb(0x64, 0xd3);
    outb(0x60, 0xf0);
    g_assert_cmphex(inb(0x64) & 0x21, ==, 0x21);
    g_assert_cmphex(inb(0x60), ==, 0xf0);
    outb(0x64, 0xd2);
    outb(0x60, 0x42);
    g_assert_cmphex(inb(0x64) & 0x21, ==, 0x01);
    g_assert_cmphex(inb(0x60), ==, 0x42);
    g_assert_cmphex(inb(0x64) & 1, ==, 0);
    outb(0x64, 0x60);
    outb(0x60, ctr);
}

static void test_keyboard(void)
{
    outb(0x60, 0xff);                            /* keyboard reset */
    g_assert_cmpint(irq_level[1], ==, 1);
    g_assert_cmphex(read_data(), ==, 0xfa);
    g_assert_cmphex(read_data(), ==, 0xaa);
    g_assert_cmpint(irq_level[1], ==, 0);
    /* identify: each byte of the reply is its own IRQ 1 edge (Linux
     * reads one byte per interrupt on an edge-triggered line) */
    int edges = irq_edges[1];
    outb(0x60, 0xf2);
    g_assert_cmphex(read_data(), ==, 0xfa);
    g_assert_cmphex(read_data(), ==, 0xab);
    g_assert_cmphex(read_data(), ==, 0x83);
    g_assert_cmpint(irq_edges[1] - edges, ==, 3);
    g_assert_cmpint(irq_level[1], ==, 0);
    outb(0x60, 0xed);                            /* LEDs + parameter */
    g_assert_cmphex(read_data(), ==, 0xfa);
    outb(0x60, 0x07);
    g_assert_cmphex(read_data(), ==, 0xfa);
    outb(0x60, 0x12);                            /* unknown: resend */
    g_assert_cmphex(read_data(), ==, 0xfe);

    uint8_t key[] = { 0x1c, 0xf0, 0x1c };        /* 'a' make/break */
    i8042_put_kbd_bytes(kbc, key, 3);
    g_assert_cmphex(read_data(), ==, 0x1c);
    g_assert_cmphex(read_data(), ==, 0xf0);
    g_assert_cmphex(read_data(), ==, 0x1c);

    /* a disabled keyboard port holds its bytes */
    outb(0x64, 0xad);
    i8042_put_kbd_bytes(kbc, key, 1);
    g_assert_cmphex(inb(0x64) & 1, ==, 0);
    outb(0x64, 0xae);
    g_assert_cmphex(read_data(), ==, 0x1c);
}

static void test_reset_and_a20(void)
{
    outb(0x64, 0xdd);
    g_assert_false(i8042_a20(kbc));
    outb(0x64, 0xdf);
    g_assert_true(i8042_a20(kbc));
    outb(0x64, 0xd0);
    g_assert_cmphex(read_data() & 0x03, ==, 0x03);

    int before = resets;
    outb(0x64, 0xfe);                            /* pulse reset line */
    runstate_service_requests();
    g_assert_cmpint(resets, ==, before + 1);
    outb(0x64, 0xd1);                            /* output port, reset=0 */
    outb(0x60, 0x00);
    runstate_service_requests();
    g_assert_cmpint(resets, ==, before + 2);
    outb(0x64, 0xff);                            /* pulse nothing */
    runstate_service_requests();
    g_assert_cmpint(resets, ==, before + 2);
}

static void test_vmstate_and_random(void)
{
    const VMStateDescription *vmsd = DEVICE_GET_CLASS(kbc)->vmsd;
    GError *err = NULL;
    uint8_t key[] = { 0x2a };
    i8042_put_kbd_bytes(kbc, key, 1);
    VMStream s;
    vmstream_init_save(&s);
    g_assert_true(vmstate_save(&s, vmsd, kbc, &err));
    (void)inb(0x60);
    VMStream l;
    vmstream_init_load(&l, s.out->data, s.out->len);
    g_assert_true(vmstate_load(&l, vmsd, kbc, 1, &err));
    g_assert_cmphex(read_data(), ==, 0x2a);
    g_byte_array_unref(s.out);

    GRand *r = g_rand_new_with_seed(8042);
    for (int i = 0; i < 50000; i++) {
        uint16_t port = g_rand_boolean(r) ? 0x60 : 0x64;
        if (g_rand_boolean(r)) {
            uint8_t v = g_rand_int_range(r, 0, 256);
            if (port == 0x64 && v >= 0xf0) {
                continue;      /* resets are tested above */
            }
            if (port == 0x60) {
                outb(0x64, 0x60);   /* keep the CPU out of reset: never
                                     * leave 0xD1 pending */
            }
            outb(port, v);
        } else {
            (void)inb(port);
        }
    }
    g_rand_free(r);
    runstate_service_requests();
}

int main(int argc, char **argv)
{
    GError *err = NULL;
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    memory_init();
    isa = isa_bus_new(NULL, get_system_io());
    qemu_irq *irqs = qemu_allocate_irqs(irq_handler, NULL, ISA_NUM_IRQS);
    isa_bus_set_irqs(isa, irqs);
    kbc = i8042_create(isa, &err);
    g_assert_no_error(err);
    qemu_register_reset(count_reset, NULL);
    runstate_set(RUN_STATE_RUNNING, NULL);

    g_test_add_func("/i8042/self-test-and-cmdbyte", test_self_test_and_cmdbyte);
    g_test_add_func("/i8042/aux-loopback-irq12", test_aux_loopback_irq12);
    g_test_add_func("/i8042/loopback-port-disabled",
                    test_loopback_port_disabled);
    g_test_add_func("/i8042/keyboard", test_keyboard);
    g_test_add_func("/i8042/reset-and-a20", test_reset_and_a20);
    g_test_add_func("/i8042/vmstate-and-random", test_vmstate_and_random);
    int rc = g_test_run();
    object_unparent(OBJECT(kbc));
    object_unparent(OBJECT(isa));
    qemu_free_irqs(irqs, ISA_NUM_IRQS);
    return rc;
}
