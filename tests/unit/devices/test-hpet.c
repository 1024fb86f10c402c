/*
 * The HPET at 0xfed00000 as Linux programs it: capabilities, the main
 * counter at 100 MHz (loose bounds on the running virtual clock), halt
 * and counter writes, one-shot and periodic timer 0 in legacy
 * replacement mode (IRQ0, with PIT channel 0 silenced), timer 1 on IRQ8,
 * level interrupts with the status register, IOAPIC routing for timer 2,
 * 32-bit mode, vmstate, and random MMIO writes that must never crash.
 */
#include "hw/acpi/acpi-build.h"
#include "util/ldst.h"
#include "hw/acpi/acpi-pm.h"
#include "hw/isa.h"
#include "hw/qdev.h"
#include "hw/timer/hpet.h"
#include "hw/timer/i8254.h"
#include "io-helpers.h"
#include "migration/vmstate.h"
#include "system/main-loop.h"
#include "system/timer.h"

#define H 0xfed00000u

static int edges[3], levels[3];   /* irq0, irq8, ioapic pin 20 */
static int pit_edges, pit_level;
static DeviceState *hpet, *pit;
static ISABus *isa;

static void line(void *opaque, int n, int level)
{
    if (level && !levels[n]) {
        edges[n]++;
    }
    levels[n] = level;
}

static void isa_irq(void *opaque, int n, int level)
{
    if (n == 0) {
        if (level && !pit_level) {
            pit_edges++;
        }
        pit_level = level;
    }
}

static uint64_t rq(uint32_t off)
{
    return address_space_ldq_le(&address_space_memory, H + off,
                                MEMTXATTRS_UNSPECIFIED, NULL);
}

static uint32_t rl(uint32_t off)
{
    return address_space_ldl_le(&address_space_memory, H + off,
                                MEMTXATTRS_UNSPECIFIED, NULL);
}

static void wq(uint32_t off, uint64_t v)
{
    address_space_stq_le(&address_space_memory, H + off, v,
                         MEMTXATTRS_UNSPECIFIED, NULL);
}

static void wl(uint32_t off, uint32_t v)
{
    address_space_stl_le(&address_space_memory, H + off, v,
                         MEMTXATTRS_UNSPECIFIED, NULL);
}

/* Run the main loop for ms; its last iterations come after the ms are
 * over, so every timer due by then has fired even if a loaded host
 * stalled the test for the whole window. */
static void run_ms(int ms)
{
    int64_t end = clock_get_ns(QEMU_CLOCK_REALTIME) + ms * SCALE_MS;
    while (clock_get_ns(QEMU_CLOCK_REALTIME) < end) {
        main_loop_iteration(false);
        g_usleep(200);
    }
    for (int i = 0; i < 100 && main_loop_iteration(false); i++) {
    }
}

/* Wait (bounded) for a line level: timers fire late on a loaded host. */
static void run_until_level(int line, int want, int max_ms)
{
    int64_t end = clock_get_ns(QEMU_CLOCK_REALTIME) + max_ms * SCALE_MS;
    while (levels[line] != want && clock_get_ns(QEMU_CLOCK_REALTIME) < end) {
        main_loop_iteration(false);
        g_usleep(200);
    }
}

static void setup(void)
{
    device_cold_reset(hpet);
    memset(edges, 0, sizeof(edges));
    memset(levels, 0, sizeof(levels));
    pit_edges = 0;
}

static void test_capabilities(void)
{
    setup();
    uint64_t cap = rq(0);
    g_assert_cmphex((uint32_t)cap, ==, 0x8086a201);
    g_assert_cmpuint(cap >> 32, ==, 10000000);        /* fs: 100 MHz */
    g_assert_cmphex(rl(4), ==, 10000000);             /* upper half */
    for (int i = 0; i < 3; i++) {
        uint64_t c = rq(0x100 + 0x20 * i);
        g_assert_cmphex(c & (1u << 5), ==, 1u << 5);  /* 64-bit capable */
        g_assert_cmphex(c >> 32, ==, 0x00f00000);     /* IOAPIC 20-23 */
        g_assert_cmphex(c & (1u << 4), ==, i == 0 ? 1u << 4 : 0);
    }
}

static void test_counter(void)
{
    setup();
    g_assert_cmpuint(rq(0xf0), ==, 0);               /* halted */
    wq(0xf0, 1000);
    g_assert_cmpuint(rq(0xf0), ==, 1000);
    int64_t t0 = clock_get_ns(QEMU_CLOCK_REALTIME);
    wq(0x10, 1);                                      /* enable */
    run_ms(20);
    uint64_t c = rq(0xf0);
    int64_t ns = clock_get_ns(QEMU_CLOCK_REALTIME) - t0;
    g_test_message("counter after ~20 ms: %" G_GUINT64_FORMAT, c);
    g_assert_cmpuint(c, >, 1000 + 1000000);           /* > 10 ms */
    /* 100 MHz: at most the time it ran (+1 s; a loaded host can make
     * the 20 ms much longer) */
    g_assert_cmpuint(c, <, 1000 + (ns + NANOSECONDS_PER_SECOND) / 10);
    wq(0xf0, 5);                                      /* ignored: running */
    g_assert_cmpuint(rq(0xf0), >=, c);
    wq(0x10, 0);
    uint64_t frozen = rq(0xf0);
    run_ms(2);
    g_assert_cmpuint(rq(0xf0), ==, frozen);
    /* 32-bit halves */
    g_assert_cmphex(rl(0xf0), ==, (uint32_t)frozen);
    g_assert_cmphex(rl(0xf4), ==, (uint32_t)(frozen >> 32));
}

static void test_legacy_oneshot_and_periodic(void)
{
    setup();
    /* the PIT runs channel 0 at ~1 kHz */
    outb(0x43, 0x34);
    outb(0x40, 0xa9);
    outb(0x40, 0x04);
    run_ms(10);
    g_assert_cmpint(pit_edges, >, 0);
    /* legacy replacement: PIT silenced, timer 0 -> IRQ0 */
    wq(0x100, 1u << 2);                               /* int enabled */
    wq(0x108, 200000);                                /* 2 ms */
    wq(0x10, 3);
    g_assert_true(hpet_legacy_mode(hpet));
    pit_edges = 0;
    run_ms(30);
    g_assert_cmpint(pit_edges, ==, 0);
    g_assert_cmpint(edges[0], ==, 1);                 /* one-shot */
    /* periodic 1 ms, programmed as Linux does (VAL_SET, then period) */
    wq(0x10, 2);
    wq(0xf0, 0);
    wq(0x100, (1u << 2) | (1u << 3) | (1u << 6));
    wq(0x108, 100000);
    wq(0x108, 100000);
    wq(0x10, 3);
    /* 5 to 80 edges in a 50 ms window; a window a loaded host stalled
     * for most of its time gets fewer: up to five windows */
    for (int attempt = 0; attempt < 5; attempt++) {
        edges[0] = 0;
        run_ms(50);
        g_test_message("periodic 1 ms HPET timer: %d edges in ~50 ms",
                       edges[0]);
        g_assert_cmpint(edges[0], <=, 80);
        if (edges[0] >= 5) {
            break;
        }
    }
    g_assert_cmpint(edges[0], >=, 5);
    /* leaving legacy mode gives IRQ0 back to the PIT */
    wq(0x10, 0);
    g_assert_false(hpet_legacy_mode(hpet));
    pit_edges = 0;
    run_ms(10);
    g_assert_cmpint(pit_edges, >, 0);
    outb(0x43, 0x30);                                 /* PIT idle */
}

static void test_level_and_routing(void)
{
    setup();
    /* timer 1 level-triggered on IRQ8 in legacy mode */
    wq(0x120, (1u << 1) | (1u << 2));
    wq(0x128, 10000);                                 /* 100 us */
    wq(0x10, 3);
    run_ms(10);
    g_assert_cmpint(levels[1], ==, 1);
    g_assert_cmphex(rq(0x20) & 2, ==, 2);
    wq(0x20, 2);                                      /* clear status */
    g_assert_cmpint(levels[1], ==, 0);
    g_assert_cmphex(rq(0x20), ==, 0);
    /* timer 2 routed to IOAPIC pin 20, 32-bit mode, edge */
    wq(0x10, 0);
    wq(0x140, (1u << 2) | (1u << 8) | (20u << 9));
    g_assert_cmphex((rq(0x140) >> 9) & 0x1f, ==, 20);
    wl(0x148, (uint32_t)rq(0xf0) + 20000);
    g_assert_cmphex(rl(0x14c), ==, 0);               /* 32-bit comparator */
    wq(0x10, 1);
    run_ms(10);
    g_assert_cmpint(edges[2], ==, 1);
    /* a route the capabilities do not offer goes nowhere */
    wq(0x140, (1u << 2) | (3u << 9));
    wq(0x148, rq(0xf0) + 100);
    run_ms(5);
    g_assert_cmpint(edges[2], ==, 1);
    /* periodic is refused on timer 1 */
    wq(0x120, 1u << 3);
    g_assert_cmphex(rq(0x120) & (1u << 3), ==, 0);
    wq(0x10, 0);
}

/* Spin without running the main loop: the emulator "late" by `us`. */
static void stall_us(int us)
{
    int64_t end = clock_get_ns(QEMU_CLOCK_REALTIME) + us * SCALE_US;
    while (clock_get_ns(QEMU_CLOCK_REALTIME) < end) {
        /* nothing */
    }
}

/*
 * Matches are timed from the event that defines them, never from a later
 * clock read: a comparator one tick (10 ns) after the counter at enable
 * fires although arming takes longer than that, and register writes that
 * do not change a timer's timing do not push a due but not yet delivered
 * match to the counter's wrap.
 */
static void test_match_timing(void)
{
    setup();
    wq(0x120, (1u << 1) | (1u << 2));                 /* level, enabled */
    wq(0x128, 1);
    wq(0x10, 3);
    run_until_level(1, 1, 2000);
    g_assert_cmpint(levels[1], ==, 1);

    /* due while the emulator is busy, then unrelated writes */
    setup();
    wq(0x120, (1u << 1) | (1u << 2));
    wq(0x128, 1000);                                  /* 10 us */
    wq(0x10, 1);
    stall_us(200);
    wq(0x10, 3);                                      /* legacy on */
    wq(0x120, (1u << 1) | (1u << 2) | (21u << 9));    /* route only */
    wq(0x100, 0);                                     /* other timer */
    run_until_level(1, 1, 2000);
    g_assert_cmpint(levels[1], ==, 1);
    g_assert_cmphex(rq(0x20), ==, 2);

    /* same for an edge timer behind a 32-bit comparator */
    setup();
    wq(0x140, (1u << 2) | (1u << 8) | (20u << 9));
    wl(0x148, 2000);
    wq(0x10, 1);
    stall_us(200);
    wq(0x140, (1u << 2) | (1u << 8) | (20u << 9));    /* same value */
    wq(0x10, 1);
    run_ms(5);
    g_assert_cmpint(edges[2], ==, 1);
    wq(0x10, 0);
    setup();
}

static void test_vmstate(void)
{
    GError *err = NULL;
    setup();
    wq(0xf0, 0x1234);
    wq(0x100, (1u << 2) | (1u << 8));
    wq(0x108, 0x55aa);
    const VMStateDescription *vmsd = DEVICE_GET_CLASS(hpet)->vmsd;
    VMStream s;
    vmstream_init_save(&s);
    g_assert_true(vmstate_save(&s, vmsd, hpet, &err));
    setup();
    VMStream l;
    vmstream_init_load(&l, s.out->data, s.out->len);
    g_assert_true(vmstate_load(&l, vmsd, hpet, 1, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(rq(0xf0), ==, 0x1234);
    g_assert_cmphex(rq(0x108), ==, 0x55aa);
    g_assert_cmphex(rq(0x100) & 0xffff, ==, (1u << 2) | (1u << 8) |
                    (1u << 4) | (1u << 5));
    vmstream_init_load(&l, s.out->data, 10);
    g_assert_false(vmstate_load(&l, vmsd, hpet, 1, &err));
    g_clear_error(&err);
    g_byte_array_unref(s.out);

    /* a level interrupt pending at save time is asserted again on load */
    setup();
    wq(0x120, (1u << 1) | (1u << 2));
    wq(0x128, 100);
    wq(0x10, 3);
    run_until_level(1, 1, 2000);
    g_assert_cmpint(levels[1], ==, 1);
    vmstream_init_save(&s);
    g_assert_true(vmstate_save(&s, vmsd, hpet, &err));
    setup();
    g_assert_cmpint(levels[1], ==, 0);
    vmstream_init_load(&l, s.out->data, s.out->len);
    g_assert_true(vmstate_load(&l, vmsd, hpet, 1, &err));
    g_assert_cmpint(levels[1], ==, 1);
    g_assert_true(hpet_legacy_mode(hpet));
    g_byte_array_unref(s.out);
    setup();
}

static void test_random(void)
{
    GRand *r = g_rand_new_with_seed(8);
    setup();
    for (int i = 0; i < 20000; i++) {
        uint64_t v = ((uint64_t)g_rand_int(r) << 32) | g_rand_int(r);
        uint32_t off = g_rand_int_range(r, 0, 0x400) & ~3u;
        unsigned size = g_rand_boolean(r) ? 8 : 4;
        if (g_rand_boolean(r)) {
            address_space_write(&address_space_memory, H + off,
                                MEMTXATTRS_UNSPECIFIED, &v, size);
        } else {
            address_space_read(&address_space_memory, H + off,
                               MEMTXATTRS_UNSPECIFIED, &v, size);
        }
        if (i % 1000 == 0) {
            main_loop_iteration(false);
        }
    }
    g_rand_free(r);
    run_ms(5);
    setup();
}

/* The ACPI HPET table (and the MADT's SCI override) the pc board emits. */
static void test_acpi_table(void)
{
    static uint8_t buf[4096];
    const uint32_t base = 0xe0000;
    AcpiBuildConfig cfg = { .num_cpus = 2, .lapic_addr = 0xfee00000,
                            .has_ioapic = true, .ioapic_addr = 0xfec00000,
                            .sci_override = true, .has_hpet = true,
                            .hpet_addr = HPET_BASE };
    g_assert_cmpuint(acpi_build_tables(buf, sizeof(buf), base, &cfg), >, 0);
    const uint8_t *rsdt = buf + ldl_le_p(buf + 16) - base;
    g_assert_cmpmem(rsdt, 4, "RSDT", 4);
    g_assert_cmpuint(ldl_le_p(rsdt + 4), ==, 36 + 3 * 4);
    g_assert_cmpuint(acpi_checksum(rsdt, ldl_le_p(rsdt + 4)), ==, 0);
    const uint8_t *madt = buf + ldl_le_p(rsdt + 40) - base;
    g_assert_cmpmem(madt, 4, "APIC", 4);
    uint32_t mlen = ldl_le_p(madt + 4);
    g_assert_cmpuint(mlen, ==, 36 + 8 + 2 * 8 + 12 + 10 + 10);
    g_assert_cmpuint(acpi_checksum(madt, mlen), ==, 0);
    const uint8_t *sci = madt + mlen - 10;
    g_assert_cmpuint(sci[0], ==, 2);
    g_assert_cmpuint(sci[3], ==, ACPI_SCI_IRQ);
    g_assert_cmpuint(ldl_le_p(sci + 4), ==, ACPI_SCI_IRQ);
    g_assert_cmphex(sci[8] | (sci[9] << 8), ==, 0x000d);
    const uint8_t *hpet_t = buf + ldl_le_p(rsdt + 44) - base;
    g_assert_cmpmem(hpet_t, 4, "HPET", 4);
    g_assert_cmpuint(ldl_le_p(hpet_t + 4), ==, 56);
    g_assert_cmpuint(acpi_checksum(hpet_t, 56), ==, 0);
    /* the table repeats the device's capabilities register */
    g_assert_cmphex(ldl_le_p(hpet_t + 36), ==, (uint32_t)rq(0));
    g_assert_cmphex(ldl_le_p(hpet_t + 44), ==, HPET_BASE);
    g_assert_cmpuint(hpet_t[40], ==, 0);              /* memory space */
}

int main(int argc, char **argv)
{
    GError *err = NULL;
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    memory_init();
    virtual_clock_set_running(true);
    isa = isa_bus_new(NULL, get_system_io());
    qemu_irq *irqs = qemu_allocate_irqs(isa_irq, NULL, ISA_NUM_IRQS);
    isa_bus_set_irqs(isa, irqs);
    pit = i8254_create(isa, &err);
    g_assert_no_error(err);
    qemu_irq *lines = qemu_allocate_irqs(line, NULL, 3);
    qemu_irq ioapic[24] = { 0 };
    ioapic[20] = lines[2];
    hpet = hpet_create(HPET_BASE, lines[0], lines[1], ioapic, pit, &err);
    g_assert_no_error(err);

    g_test_add_func("/hpet/capabilities", test_capabilities);
    g_test_add_func("/hpet/counter", test_counter);
    g_test_add_func("/hpet/legacy-oneshot-and-periodic",
                    test_legacy_oneshot_and_periodic);
    g_test_add_func("/hpet/level-and-routing", test_level_and_routing);
    g_test_add_func("/hpet/match-timing", test_match_timing);
    g_test_add_func("/hpet/vmstate", test_vmstate);
    g_test_add_func("/hpet/random-mmio", test_random);
    g_test_add_func("/hpet/acpi-table", test_acpi_table);
    int rc = g_test_run();
    object_unparent(OBJECT(hpet));
    object_unparent(OBJECT(isa));
    qemu_free_irqs(lines, 3);
    qemu_free_irqs(irqs, ISA_NUM_IRQS);
    return rc;
}
