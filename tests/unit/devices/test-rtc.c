/*
 * MC146818 RTC through ports 0x70/0x71: time in BCD and binary against
 * the host clock, -rtc base=DATE, setting the time with the SET bit (and
 * the change hook), 12-hour mode, periodic and update-ended interrupts,
 * register C clear-on-read, CMOS RAM, migration, random port writes.
 */
#include "hw/qdev.h"
#include "hw/rtc/mc146818rtc.h"
#include "io-helpers.h"
#include "migration/vmstate.h"
#include "system/main-loop.h"

#include <time.h>

static ISABus *isa;
static int irq8_level;
static int64_t last_change = INT64_MIN;

static void irq_handler(void *opaque, int n, int level)
{
    if (n == 8) {
        irq8_level = level;
    }
}

static void change_hook(int64_t offset)
{
    last_change = offset;
}

static uint8_t cmos_read(uint8_t idx)
{
    outb(0x70, idx);
    return inb(0x71);
}

static void cmos_write(uint8_t idx, uint8_t v)
{
    outb(0x70, idx);
    outb(0x71, v);
}

static int bcd(uint8_t v)
{
    return (v >> 4) * 10 + (v & 15);
}

static DeviceState *new_rtc(const RTCConfig *cfg)
{
    GError *err = NULL;
    DeviceState *dev = mc146818_rtc_create(isa, cfg, &err);
    g_assert_no_error(err);
    return dev;
}

static time_t read_time_bcd(void)
{
    struct tm tm = { 0 };
    tm.tm_sec = bcd(cmos_read(0));
    tm.tm_min = bcd(cmos_read(2));
    tm.tm_hour = bcd(cmos_read(4));
    tm.tm_mday = bcd(cmos_read(7));
    tm.tm_mon = bcd(cmos_read(8)) - 1;
    tm.tm_year = bcd(cmos_read(0x32)) * 100 + bcd(cmos_read(9)) - 1900;
    return timegm(&tm);
}

static void test_host_time(void)
{
    DeviceState *rtc = new_rtc(NULL);
    time_t host = time(NULL);
    time_t guest = read_time_bcd();
    g_assert_cmpint(llabs((long long)(guest - host)), <=, 2);
    g_assert_cmphex(cmos_read(0x0d), ==, 0x80);     /* valid */
    g_assert_cmphex(cmos_read(0x0a) & 0x7f, ==, 0x26);

    /* Binary mode shows the same time in binary. */
    cmos_write(0x0b, 0x06);
    int min_bin = cmos_read(2);
    int hour_bin = cmos_read(4);
    struct tm tm;
    time_t now = time(NULL);
    gmtime_r(&now, &tm);
    g_assert_cmpint(hour_bin, ==, tm.tm_hour);
    g_assert_cmpint(abs(min_bin - tm.tm_min) % 59, <=, 1);
    object_unparent(OBJECT(rtc));
}

static void test_base_date_and_set(void)
{
    RTCConfig cfg = { .has_base_date = true, .base_date = 946684800,
                      .clock = QEMU_CLOCK_HOST };        /* 2000-01-01 */
    DeviceState *rtc = new_rtc(&cfg);
    g_assert_cmpint(bcd(cmos_read(9)), ==, 0);
    g_assert_cmpint(bcd(cmos_read(0x32)), ==, 20);
    g_assert_cmpint(bcd(cmos_read(8)), ==, 1);

    /* Set 2024-02-29 13:45:10 the way Linux does: SET, write, clear. */
    rtc_set_change_hook(change_hook);
    cmos_write(0x0b, cmos_read(0x0b) | 0x80);
    cmos_write(0, 0x10);
    cmos_write(2, 0x45);
    cmos_write(4, 0x13);
    cmos_write(7, 0x29);
    cmos_write(8, 0x02);
    cmos_write(9, 0x24);
    cmos_write(0x32, 0x20);
    /* While SET is on, the registers hold what was written. */
    g_assert_cmphex(cmos_read(2), ==, 0x45);
    cmos_write(0x0b, cmos_read(0x0b) & ~0x80);
    time_t t = read_time_bcd();
    g_assert_cmpint(t - 1709214310, >=, 0);
    g_assert_cmpint(t - 1709214310, <=, 2);
    g_assert_cmpint(rtc_guest_time(rtc) - 1709214310, <=, 2);
    g_assert_cmpint(last_change, !=, INT64_MIN);
    g_assert_cmpint(llabs((long long)(last_change - (1709214310 - time(NULL)))), <=, 2);
    rtc_set_change_hook(NULL);

    /* 12-hour mode: 13h reads as 1 PM. */
    cmos_write(0x0b, 0x00);
    g_assert_cmphex(cmos_read(4), ==, 0x81);
    object_unparent(OBJECT(rtc));
}

/* Run the main loop until *flag is want or ms are over; then iterations
 * that run whatever became due in the meantime (a loaded host can stall
 * the test for all of the ms). */
static void run_until(int *flag, int want, int ms)
{
    int64_t end = g_get_monotonic_time() + ms * 1000;
    while (*flag != want && g_get_monotonic_time() < end) {
        main_loop_iteration(false);
        g_usleep(200);
    }
    for (int i = 0; i < 100 && *flag != want && main_loop_iteration(false);
         i++) {
    }
}

static void test_interrupts(void)
{
    DeviceState *rtc = new_rtc(NULL);

    /* Periodic at 1024 Hz. */
    cmos_write(0x0b, 0x02 | 0x40);
    run_until(&irq8_level, 1, 5000);
    g_assert_cmpint(irq8_level, ==, 1);
    uint8_t c = cmos_read(0x0c);
    g_assert_cmphex(c & 0xc0, ==, 0xc0);            /* IRQF | PF */
    g_assert_cmpint(irq8_level, ==, 0);              /* cleared by read */
    g_assert_cmphex(cmos_read(0x0c) & 0x80, ==, 0);

    /* Update-ended: within about a second. */
    cmos_write(0x0b, 0x02 | 0x10);
    (void)cmos_read(0x0c);
    run_until(&irq8_level, 1, 2500);
    g_assert_cmpint(irq8_level, ==, 1);
    g_assert_cmphex(cmos_read(0x0c) & 0x90, ==, 0x90);
    cmos_write(0x0b, 0x02);

    /* CMOS RAM bytes keep their values. */
    cmos_write(0x40, 0xa5);
    g_assert_cmphex(cmos_read(0x40), ==, 0xa5);
    g_assert_cmphex(rtc_get_memory(rtc, 0x40), ==, 0xa5);
    rtc_set_memory(rtc, 0x5f, 3);
    g_assert_cmphex(cmos_read(0x5f), ==, 3);
    object_unparent(OBJECT(rtc));
}

static void test_vmstate_and_random(void)
{
    DeviceState *rtc = new_rtc(NULL);
    const VMStateDescription *vmsd = DEVICE_GET_CLASS(rtc)->vmsd;
    GError *err = NULL;

    cmos_write(0x41, 0x77);
    VMStream s;
    vmstream_init_save(&s);
    g_assert_true(vmstate_save(&s, vmsd, rtc, &err));
    cmos_write(0x41, 0x00);
    VMStream l;
    vmstream_init_load(&l, s.out->data, s.out->len);
    g_assert_true(vmstate_load(&l, vmsd, rtc, 1, &err));
    g_assert_no_error(err);
    g_assert_cmphex(cmos_read(0x41), ==, 0x77);
    g_byte_array_unref(s.out);

    GRand *r = g_rand_new_with_seed(146818);
    for (int i = 0; i < 20000; i++) {
        if (g_rand_boolean(r)) {
            outb(0x70 + g_rand_int_range(r, 0, 2), g_rand_int_range(r, 0, 256));
        } else {
            (void)inb(0x70 + g_rand_int_range(r, 0, 2));
        }
    }
    g_rand_free(r);
    main_loop_iteration(false);
    object_unparent(OBJECT(rtc));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    memory_init();
    virtual_clock_set_running(true);
    isa = isa_bus_new(NULL, get_system_io());
    qemu_irq *irqs = qemu_allocate_irqs(irq_handler, NULL, ISA_NUM_IRQS);
    isa_bus_set_irqs(isa, irqs);

    g_test_add_func("/rtc/host-time", test_host_time);
    g_test_add_func("/rtc/base-date-and-set", test_base_date_and_set);
    g_test_add_func("/rtc/interrupts", test_interrupts);
    g_test_add_func("/rtc/vmstate-and-random", test_vmstate_and_random);
    int rc = g_test_run();
    object_unparent(OBJECT(isa));
    qemu_free_irqs(irqs, ISA_NUM_IRQS);
    return rc;
}
