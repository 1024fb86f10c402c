/*
 * The cascaded 8259A pair programmed as Linux and SeaBIOS do, driven
 * through the I/O space: vectors, priorities, EOI, cascade, edge vs
 * level (ELCR), masking, spurious IRQs, poll mode, rotation, migration,
 * and random port writes that must never crash.
 */
#include "hw/intc/i8259.h"
#include "hw/qdev.h"
#include "io-helpers.h"
#include "migration/vmstate.h"
#include "system/main-loop.h"

#include <string.h>

static int cpu_int_level;
static qemu_irq *isa_irqs;

static void cpu_int(void *opaque, int n, int level)
{
    cpu_int_level = level;
}

static void init_like_linux(void)
{
    outb(0x20, 0x11);  /* ICW1: edge, cascade, ICW4 */
    outb(0x21, 0x20);  /* ICW2: vectors 0x20-0x27 */
    outb(0x21, 0x04);  /* ICW3: slave on IRQ2 */
    outb(0x21, 0x01);  /* ICW4: 8086 mode */
    outb(0xa0, 0x11);
    outb(0xa1, 0x28);
    outb(0xa1, 0x02);
    outb(0xa1, 0x01);
    outb(0x21, 0x00);  /* unmask all */
    outb(0xa1, 0x00);
    outb(0x4d0, 0);
    outb(0x4d1, 0);
    for (int i = 0; i < 16; i++) {
        qemu_set_irq(isa_irqs[i], 0);
    }
}

static void test_vectors_and_eoi(void)
{
    init_like_linux();
    g_assert_cmpint(cpu_int_level, ==, 0);

    qemu_set_irq(isa_irqs[4], 1);
    g_assert_cmpint(cpu_int_level, ==, 1);
    g_assert_cmphex(i8259_read_irq(), ==, 0x24);
    g_assert_cmpint(cpu_int_level, ==, 0);   /* edge consumed, in service */
    outb(0x20, 0x0b);                        /* OCW3: read ISR */
    g_assert_cmphex(inb(0x20), ==, 0x10);

    /* A lower-priority request waits behind IRQ4 in service. */
    qemu_set_irq(isa_irqs[5], 1);
    g_assert_cmpint(cpu_int_level, ==, 0);
    /* A higher-priority one interrupts it (fully nested). */
    qemu_set_irq(isa_irqs[1], 1);
    g_assert_cmpint(cpu_int_level, ==, 1);
    g_assert_cmphex(i8259_read_irq(), ==, 0x21);
    outb(0x20, 0x20);                        /* EOI IRQ1 */
    outb(0x20, 0x20);                        /* EOI IRQ4 */
    g_assert_cmpint(cpu_int_level, ==, 1);   /* IRQ5 now */
    g_assert_cmphex(i8259_read_irq(), ==, 0x25);
    outb(0x20, 0x65);                        /* specific EOI IRQ5 */
    g_assert_cmphex(inb(0x20), ==, 0x00);    /* ISR empty */

    /* `info irq` counts the requests per line */
    GString *stats = g_string_new(NULL);
    i8259_irq_stats(stats);
    g_assert_nonnull(strstr(stats->str, "IRQ statistics for isa-i8259:"));
    g_assert_nonnull(strstr(stats->str, " 4: "));
    g_assert_nonnull(strstr(stats->str, " 1: "));
    g_string_free(stats, TRUE);
}

static void test_cascade(void)
{
    init_like_linux();
    qemu_set_irq(isa_irqs[12], 1);
    g_assert_cmpint(cpu_int_level, ==, 1);
    g_assert_cmphex(i8259_read_irq(), ==, 0x2c);
    outb(0xa0, 0x20);
    outb(0x20, 0x20);
    g_assert_cmpint(cpu_int_level, ==, 0);
}

static void test_level_and_mask(void)
{
    init_like_linux();
    outb(0x4d1, 0x08);                       /* IRQ11 level-triggered */
    g_assert_cmphex(inb(0x4d1), ==, 0x08);
    outb(0x4d0, 0xff);                       /* only 3,5,6,7 may be level */
    g_assert_cmphex(inb(0x4d0), ==, 0xf8);
    outb(0x4d0, 0x00);

    qemu_set_irq(isa_irqs[11], 1);
    g_assert_cmphex(i8259_read_irq(), ==, 0x2b);
    outb(0xa0, 0x20);
    outb(0x20, 0x20);
    /* Still asserted: level requests come back after EOI. */
    g_assert_cmpint(cpu_int_level, ==, 1);
    /* Dropped before INTA: the latched cascade edge gives the spurious
     * IRQ15 vector, as on hardware, and then nothing is pending. */
    qemu_set_irq(isa_irqs[11], 0);
    g_assert_cmphex(i8259_read_irq(), ==, 0x2f);
    outb(0x20, 0x20);
    g_assert_cmpint(cpu_int_level, ==, 0);

    /* Masked lines do not interrupt; unmasking delivers the edge. */
    outb(0x21, 0x40);
    qemu_set_irq(isa_irqs[6], 1);
    g_assert_cmpint(cpu_int_level, ==, 0);
    g_assert_cmphex(inb(0x21), ==, 0x40);
    outb(0x21, 0x00);
    g_assert_cmpint(cpu_int_level, ==, 1);
    g_assert_cmphex(i8259_read_irq(), ==, 0x26);
    outb(0x20, 0x20);
}

static void test_spurious_and_poll(void)
{
    init_like_linux();
    /* An INTA with nothing pending yields the spurious IRQ7 vector. */
    g_assert_cmphex(i8259_read_irq(), ==, 0x27);
    outb(0x20, 0x0b);
    g_assert_cmphex(inb(0x20), ==, 0x00);    /* spurious: not in service */

    qemu_set_irq(isa_irqs[3], 1);
    outb(0x20, 0x0c);                        /* OCW3 poll */
    g_assert_cmphex(inb(0x20), ==, 0x83);
    outb(0x20, 0x0c);
    g_assert_cmphex(inb(0x20), ==, 0x00);    /* nothing else pending */
    outb(0x20, 0x20);
}

static void test_rotation(void)
{
    init_like_linux();
    outb(0x20, 0xc4);                        /* set priority: IRQ5 highest */
    qemu_set_irq(isa_irqs[1], 1);
    qemu_set_irq(isa_irqs[6], 1);
    g_assert_cmphex(i8259_read_irq(), ==, 0x26);
    outb(0x20, 0xa0);                        /* rotate on non-specific EOI */
    g_assert_cmphex(i8259_read_irq(), ==, 0x21);
    outb(0x20, 0x20);
}

static ISABus *isa;

static int find_master(DeviceState *dev, void *opaque)
{
    if (object_dynamic_cast(OBJECT(dev), TYPE_I8259) &&
        !*(DeviceState **)opaque) {
        *(DeviceState **)opaque = dev;   /* created first: the master */
    }
    return 0;
}

static void test_vmstate(void)
{
    DeviceState *master = NULL;
    GError *err = NULL;

    init_like_linux();
    outb(0x21, 0x5a);
    qbus_walk_devices(BUS(isa), find_master, &master);
    g_assert_nonnull(master);
    const VMStateDescription *vmsd = DEVICE_GET_CLASS(master)->vmsd;

    VMStream s;
    vmstream_init_save(&s);
    g_assert_true(vmstate_save(&s, vmsd, master, &err));
    outb(0x21, 0x00);
    outb(0x20, 0x11);                        /* start re-initialising */

    VMStream l;
    vmstream_init_load(&l, s.out->data, s.out->len);
    g_assert_true(vmstate_load(&l, vmsd, master, 1, &err));
    g_assert_no_error(err);
    g_assert_cmphex(inb(0x21), ==, 0x5a);    /* IMR back, not in ICW2 */

    /* init_state 9 is impossible: refused. */
    s.out->data[9] = 9;
    vmstream_init_load(&l, s.out->data, s.out->len);
    g_assert_false(vmstate_load(&l, vmsd, master, 1, &err));
    g_clear_error(&err);
    g_byte_array_unref(s.out);
    init_like_linux();
}

static void test_random_writes(void)
{
    GRand *r = g_rand_new_with_seed(8259);
    static const uint16_t ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1 };
    for (int i = 0; i < 100000; i++) {
        uint16_t port = ports[g_rand_int_range(r, 0, G_N_ELEMENTS(ports))];
        if (g_rand_boolean(r)) {
            outb(port, g_rand_int_range(r, 0, 256));
        } else {
            (void)inb(port);
        }
        if (g_rand_int_range(r, 0, 4) == 0) {
            qemu_set_irq(isa_irqs[g_rand_int_range(r, 0, 16)],
                         g_rand_boolean(r));
        }
        if (cpu_int_level) {
            int v = i8259_read_irq();
            g_assert_cmpint(v, >=, 0);
            g_assert_cmpint(v, <=, 255);
        }
    }
    g_rand_free(r);
    init_like_linux();
}

int main(int argc, char **argv)
{
    GError *err = NULL;
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    memory_init();
    isa = isa_bus_new(NULL, get_system_io());
    qemu_irq cpu = qemu_allocate_irq(cpu_int, NULL, 0);
    isa_irqs = i8259_init(isa, cpu, &err);
    g_assert_no_error(err);

    g_test_add_func("/i8259/vectors-and-eoi", test_vectors_and_eoi);
    g_test_add_func("/i8259/cascade", test_cascade);
    g_test_add_func("/i8259/level-and-mask", test_level_and_mask);
    g_test_add_func("/i8259/spurious-and-poll", test_spurious_and_poll);
    g_test_add_func("/i8259/rotation", test_rotation);
    g_test_add_func("/i8259/random-writes", test_random_writes);
    g_test_add_func("/i8259/vmstate", test_vmstate);
    int rc = g_test_run();
    qemu_free_irqs(isa_irqs, 16);
    qemu_free_irq(cpu);
    object_unparent(OBJECT(isa));
    return rc;
}
