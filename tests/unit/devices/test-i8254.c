/*
 * The 8254 PIT through its ports, on the running virtual clock: counting
 * down, latch and read-back, port 0x61 gate/output (how Linux calibrates
 * the TSC), periodic IRQ0 from channel 0, migration, bad migration state,
 * random port writes. Time bounds are loose (a slow host must not fail
 * them); behaviour is what is checked.
 */
#include "hw/qdev.h"
#include "hw/timer/i8254.h"
#include "io-helpers.h"
#include "migration/vmstate.h"
#include "system/main-loop.h"
#include "system/timer.h"

static ISABus *isa;
static DeviceState *pit;
static int irq0_level, irq0_rises;

static void irq_handler(void *opaque, int n, int level)
{
    if (n == 0) {
        if (level && !irq0_level) {
            irq0_rises++;
        }
        irq0_level = level;
    }
}

static uint16_t read_count(int ch)
{
    outb(0x43, ch << 6);                 /* counter latch */
    uint16_t lo = inb(0x40 + ch);
    return lo | (inb(0x40 + ch) << 8);
}

/* Run the main loop for ms; its last iterations come after the ms are
 * over, so every timer due by then has fired even if a loaded host
 * stalled the test for the whole window. */
static void run_main_loop_ms(int ms)
{
    int64_t end = clock_get_ns(QEMU_CLOCK_REALTIME) + ms * SCALE_MS;
    while (clock_get_ns(QEMU_CLOCK_REALTIME) < end) {
        main_loop_iteration(false);
        g_usleep(100);
    }
    for (int i = 0; i < 100 && main_loop_iteration(false); i++) {
    }
}

static void test_countdown_and_latch(void)
{
    /* The count wraps 55 ms after it is loaded: a pair of reads a loaded
     * host kept from it for 40 ms or more is taken again (up to ten
     * times, the count loaded again each time). */
    uint16_t a, b;
    for (int i = 0;; i++) {
        int64_t t0 = clock_get_ns(QEMU_CLOCK_REALTIME);
        outb(0x43, 0xb0);                /* ch2, word, mode 0 */
        outb(0x42, 0xff);
        outb(0x42, 0xff);
        outb(0x61, 0x01);                /* gate on, speaker off */
        a = read_count(2);
        g_usleep(2000);
        b = read_count(2);
        if (clock_get_ns(QEMU_CLOCK_REALTIME) - t0 < 40 * SCALE_MS ||
            i == 9) {
            break;
        }
    }
    g_assert_cmpuint(a, <=, 0xffff);
    g_assert_cmpuint(b, <, a);           /* it counts down */
    /* about 2386 ticks in 2 ms; allow a slow host */
    g_assert_cmpuint(a - b, >, 1000);

    /* read-back: status of channel 2 says word access, mode 0 */
    outb(0x43, 0xe8);                    /* read-back status only, ch2 */
    uint8_t status = inb(0x42);
    g_assert_cmphex(status & 0x3f, ==, 0x30);
    g_assert_cmphex(status & 0x80, ==, 0);  /* output low until TC */
}

static void test_port61_output(void)
{
    /* Linux's calibration: ch2 mode 0, short count, poll bit 5. */
    outb(0x61, 0x00);
    outb(0x43, 0xb0);
    outb(0x42, 0x0c);                    /* 12 ticks = ~10 us */
    outb(0x42, 0x00);
    outb(0x61, 0x01);
    g_usleep(1000);
    g_assert_cmphex(inb(0x61) & 0x21, ==, 0x21);

    /* Speaker enable bit reads back. */
    outb(0x61, 0x03);
    g_assert_cmphex(inb(0x61) & 0x03, ==, 0x03);
    outb(0x61, 0x00);
}

static void test_periodic_irq0(void)
{
    irq0_rises = 0;
    outb(0x43, 0x34);                    /* ch0, word, mode 2 */
    outb(0x40, 1193 & 0xff);             /* 1 kHz */
    outb(0x40, 1193 >> 8);
    /* 10 to 200 in a 60 ms window; a window a loaded host stalled for
     * most of its time gets fewer: up to five windows */
    for (int attempt = 0; attempt < 5; attempt++) {
        irq0_rises = 0;
        run_main_loop_ms(60);
        g_test_message("IRQ0 rising edges in ~60 ms at 1 kHz: %d",
                       irq0_rises);
        g_assert_cmpint(irq0_rises, <=, 200);
        if (irq0_rises >= 10) {
            break;
        }
    }
    g_assert_cmpint(irq0_rises, >=, 10);

    /* Disabled (HPET legacy replacement): no more interrupts. */
    i8254_set_irq_enabled(pit, false);
    int before = irq0_rises;
    run_main_loop_ms(20);
    g_assert_cmpint(irq0_rises, ==, before);
    i8254_set_irq_enabled(pit, true);
    outb(0x43, 0x30);                    /* back to mode 0, idle */
}

static void test_vmstate(void)
{
    const VMStateDescription *vmsd = DEVICE_GET_CLASS(pit)->vmsd;
    GError *err = NULL;

    outb(0x43, 0xb6);                    /* ch2, word, mode 3 */
    outb(0x42, 0x34);
    outb(0x42, 0x12);
    VMStream s;
    vmstream_init_save(&s);
    g_assert_true(vmstate_save(&s, vmsd, pit, &err));
    outb(0x43, 0xb0);
    outb(0x42, 0x01);
    outb(0x42, 0x00);

    VMStream l;
    vmstream_init_load(&l, s.out->data, s.out->len);
    g_assert_true(vmstate_load(&l, vmsd, pit, 1, &err));
    g_assert_no_error(err);
    outb(0x43, 0xe8);
    g_assert_cmphex(inb(0x42) & 0x3f, ==, 0x36);   /* word, mode 3 */

    /* count 0 and mode 7 are impossible: refused */
    size_t ch_size = s.out->len / 3 - 1;
    (void)ch_size;
    s.out->data[0] = s.out->data[1] = s.out->data[2] = s.out->data[3] = 0;
    vmstream_init_load(&l, s.out->data, s.out->len);
    g_assert_false(vmstate_load(&l, vmsd, pit, 1, &err));
    g_clear_error(&err);
    g_byte_array_unref(s.out);
    qdev_reset_all(pit);
}

static void test_random_writes(void)
{
    GRand *r = g_rand_new_with_seed(8254);
    for (int i = 0; i < 50000; i++) {
        uint16_t port = g_rand_boolean(r) ? 0x40 + g_rand_int_range(r, 0, 4)
                                          : 0x61;
        if (g_rand_boolean(r)) {
            outb(port, g_rand_int_range(r, 0, 256));
        } else {
            (void)inb(port);
        }
    }
    g_rand_free(r);
    qdev_reset_all(pit);
    main_loop_iteration(false);
}

int main(int argc, char **argv)
{
    GError *err = NULL;
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    memory_init();
    virtual_clock_set_running(true);
    isa = isa_bus_new(NULL, get_system_io());
    qemu_irq *irqs = qemu_allocate_irqs(irq_handler, NULL, ISA_NUM_IRQS);
    isa_bus_set_irqs(isa, irqs);
    bql_lock();
    pit = i8254_create(isa, &err);
    g_assert_no_error(err);

    g_test_add_func("/i8254/countdown-and-latch", test_countdown_and_latch);
    g_test_add_func("/i8254/port61-output", test_port61_output);
    g_test_add_func("/i8254/periodic-irq0", test_periodic_irq0);
    g_test_add_func("/i8254/vmstate", test_vmstate);
    g_test_add_func("/i8254/random-writes", test_random_writes);
    int rc = g_test_run();
    object_unparent(OBJECT(pit));
    object_unparent(OBJECT(isa));
    qemu_free_irqs(irqs, ISA_NUM_IRQS);
    bql_unlock();
    return rc;
}
