/*
 * Local APICs driven through their MMIO page at 0xfee00000 as a guest
 * does, with two fake vCPUs: per-CPU registers (each CPU sees its own
 * APIC), TPR/PPR and priority classes, EOI order, IPIs (fixed, self,
 * all-but-self, logical flat/cluster destinations, lowest priority, NMI,
 * INIT/SIPI), the LINT0 ExtINT path to the 8259, the spurious vector,
 * the error status register, the timer (one-shot, periodic, loose bounds),
 * migration, and random MMIO writes that must never crash.
 */
#include "hw/intc/apic.h"
#include "hw/qdev.h"
#include "migration/vmstate.h"
#include "system/main-loop.h"
#include "system/timer.h"

#define A 0xfee00000u

typedef struct FakeCpu {
    int kicks, nmis, inits, sipis;
    int sipi_vector;
} FakeCpu;

static FakeCpu cpus[2];
static FakeCpu *current;
static APICState *apic[2];
static int pic_level, pic_acks;

static void h_interrupt(void *cpu)
{
    ((FakeCpu *)cpu)->kicks++;
}

static void h_nmi(void *cpu)
{
    ((FakeCpu *)cpu)->nmis++;
}

static void h_init(void *cpu)
{
    ((FakeCpu *)cpu)->inits++;
}

static void h_sipi(void *cpu, uint8_t v)
{
    ((FakeCpu *)cpu)->sipis++;
    ((FakeCpu *)cpu)->sipi_vector = v;
}

static void *h_current(void)
{
    return current;
}

static int fake_pic_ack(void)
{
    pic_acks++;
    return 0x30;
}

static void wr(int cpu, uint32_t reg, uint32_t v)
{
    current = &cpus[cpu];
    address_space_stl_le(&address_space_memory, A + reg, v,
                         MEMTXATTRS_UNSPECIFIED, NULL);
}

static uint32_t rd(int cpu, uint32_t reg)
{
    current = &cpus[cpu];
    return address_space_ldl_le(&address_space_memory, A + reg,
                                MEMTXATTRS_UNSPECIFIED, NULL);
}

/* Software-enable both APICs in flat logical mode, LDR = 1 << cpu. */
static void setup(void)
{
    for (int i = 0; i < 2; i++) {
        device_cold_reset(DEVICE(apic[i]));
        wr(i, 0x20, (uint32_t)i << 24);   /* ID */
        wr(i, 0xf0, 0x1ff);               /* SVR: enabled, spurious 0xff */
        wr(i, 0xe0, 0xffffffff);          /* DFR flat */
        wr(i, 0xd0, (1u << i) << 24);     /* LDR */
        wr(i, 0x80, 0);                   /* TPR */
        memset(&cpus[i], 0, sizeof(cpus[i]));
    }
    apic_set_pic_level(0);
}

static void test_ids_and_version(void)
{
    setup();
    g_assert_cmphex(rd(0, 0x20), ==, 0u << 24);
    g_assert_cmphex(rd(1, 0x20), ==, 1u << 24);   /* each its own page */
    g_assert_cmphex(rd(0, 0x30) & 0xff, ==, 0x14);
    g_assert_cmphex((rd(0, 0x30) >> 16) & 0xff, ==, 5);
    g_assert_cmphex(rd(1, 0xd0), ==, 2u << 24);
    /* the guest may move the ID; a system reset brings it back */
    wr(1, 0x20, 9u << 24);
    g_assert_cmphex(rd(1, 0x20), ==, 9u << 24);
    device_cold_reset(DEVICE(apic[1]));
    g_assert_cmphex(rd(1, 0x20), ==, 1u << 24);
    g_assert_cmphex(rd(1, 0xf0), ==, 0xff);       /* software-disabled */
    g_assert_cmphex(rd(1, 0x350), ==, 0x10000);   /* AP: LINT0 masked */
    g_assert_cmphex(rd(0, 0x350), ==, 0x700);     /* BSP: ExtINT */
    g_autoptr(GString) info = g_string_new(NULL);
    apic_info(apic_by_index(1), info);
    g_assert_nonnull(strstr(info->str, "CPU#1 LAPIC id=1"));
    g_assert_nonnull(strstr(info->str, "APIC disabled"));
    g_assert_null(apic_by_index(2));
}

static void test_priority_and_eoi(void)
{
    setup();
    apic_bus_deliver(0, false, APIC_DM_FIXED, 0x41, false);
    g_assert_true(cpus[0].kicks > 0);
    g_assert_true(apic_has_interrupt(apic[0]));
    g_assert_false(apic_has_interrupt(apic[1]));
    g_assert_cmpint(apic_ack_interrupt(apic[0]), ==, 0x41);
    g_assert_cmphex(rd(0, 0xa0), ==, 0x40);      /* PPR = ISR class */
    g_assert_cmphex(rd(0, 0x100 + 0x10 * (0x41 / 32)), ==,
                    1u << (0x41 % 32));
    /* same class waits behind the one in service, higher class nests */
    apic_bus_deliver(0, false, APIC_DM_FIXED, 0x45, false);
    g_assert_false(apic_has_interrupt(apic[0]));
    apic_bus_deliver(0, false, APIC_DM_FIXED, 0x61, false);
    g_assert_cmpint(apic_ack_interrupt(apic[0]), ==, 0x61);
    wr(0, 0xb0, 0);                               /* EOI 0x61 */
    g_assert_false(apic_has_interrupt(apic[0]));
    wr(0, 0xb0, 0);                               /* EOI 0x41 */
    g_assert_cmpint(apic_ack_interrupt(apic[0]), ==, 0x45);
    wr(0, 0xb0, 0);
    /* TPR masks classes at or below it */
    wr(0, 0x80, 0x50);
    apic_bus_deliver(0, false, APIC_DM_FIXED, 0x55, false);
    g_assert_false(apic_has_interrupt(apic[0]));
    g_assert_cmphex(rd(0, 0xa0), ==, 0x50);
    wr(0, 0x80, 0x40);
    g_assert_cmpint(apic_ack_interrupt(apic[0]), ==, 0x55);
    wr(0, 0xb0, 0);
    /* nothing pending: the spurious vector */
    g_assert_cmpint(apic_ack_interrupt(apic[0]), ==, 0xff);
}

static uint8_t eoi_seen;

static void eoi_listener(void *opaque, uint8_t vector)
{
    eoi_seen = vector;
}

static void test_level_eoi_broadcast(void)
{
    setup();
    apic_set_eoi_listener(eoi_listener, NULL);
    eoi_seen = 0;
    apic_bus_deliver(1, false, APIC_DM_FIXED, 0x70, true);
    g_assert_cmpint(apic_ack_interrupt(apic[1]), ==, 0x70);
    g_assert_cmphex(rd(1, 0x180 + 0x10 * (0x70 / 32)), ==,
                    1u << (0x70 % 32));          /* TMR */
    wr(1, 0xb0, 0);
    g_assert_cmpint(eoi_seen, ==, 0x70);
    /* edge-triggered: no broadcast */
    eoi_seen = 0;
    apic_bus_deliver(1, false, APIC_DM_FIXED, 0x71, false);
    g_assert_cmpint(apic_ack_interrupt(apic[1]), ==, 0x71);
    wr(1, 0xb0, 0);
    g_assert_cmpint(eoi_seen, ==, 0);
    apic_set_eoi_listener(NULL, NULL);
}

static void test_ipis(void)
{
    setup();
    /* fixed IPI from CPU0 to APIC ID 1 */
    wr(0, 0x310, 1u << 24);
    wr(0, 0x300, 0x4050);
    g_assert_cmpint(apic_ack_interrupt(apic[1]), ==, 0x50);
    wr(1, 0xb0, 0);
    /* self */
    wr(1, 0x300, (1u << 18) | 0x51);
    g_assert_cmpint(apic_ack_interrupt(apic[1]), ==, 0x51);
    wr(1, 0xb0, 0);
    /* all but self */
    wr(0, 0x300, (3u << 18) | 0x52);
    g_assert_false(apic_has_interrupt(apic[0]));
    g_assert_cmpint(apic_ack_interrupt(apic[1]), ==, 0x52);
    wr(1, 0xb0, 0);
    /* logical flat: mask 0x3 reaches both */
    wr(0, 0x310, 0x03u << 24);
    wr(0, 0x300, (1u << 11) | 0x53);
    g_assert_cmpint(apic_ack_interrupt(apic[0]), ==, 0x53);
    g_assert_cmpint(apic_ack_interrupt(apic[1]), ==, 0x53);
    wr(0, 0xb0, 0);
    wr(1, 0xb0, 0);
    /* lowest priority: one of them, the one with the lower TPR */
    wr(0, 0x80, 0x20);
    wr(0, 0x300, (1u << 11) | (APIC_DM_LOWPRI << 8) | 0x54);
    g_assert_false(apic_has_interrupt(apic[0]));
    g_assert_cmpint(apic_ack_interrupt(apic[1]), ==, 0x54);
    wr(1, 0xb0, 0);
    wr(0, 0x80, 0);
    /* cluster model: cluster 1, member bit 0 */
    wr(1, 0xe0, 0x0fffffff);
    wr(1, 0xd0, 0x11u << 24);
    wr(0, 0x310, 0x11u << 24);
    wr(0, 0x300, (1u << 11) | 0x55);
    g_assert_cmpint(apic_ack_interrupt(apic[1]), ==, 0x55);
    wr(1, 0xb0, 0);
    /* NMI, INIT (assert; de-assert is ignored), SIPI */
    wr(0, 0x310, 1u << 24);
    wr(0, 0x300, APIC_DM_NMI << 8);
    g_assert_cmpint(cpus[1].nmis, ==, 1);
    wr(0, 0x300, 0x4500);
    g_assert_cmpint(cpus[1].inits, ==, 1);
    g_assert_cmphex(rd(1, 0xf0), ==, 0xff);      /* INIT reset the APIC */
    g_assert_cmphex(rd(1, 0x20), ==, 1u << 24);  /* but kept its ID */
    wr(0, 0x300, 0x8500);
    g_assert_cmpint(cpus[1].inits, ==, 1);
    wr(0, 0x300, 0x4600 | 0x9a);
    g_assert_cmpint(cpus[1].sipis, ==, 1);
    g_assert_cmpint(cpus[1].sipi_vector, ==, 0x9a);
    g_assert_cmpint(rd(0, 0x300) & (1u << 12), ==, 0);   /* idle */
}

static void test_msi(void)
{
    setup();
    /* a device (no current vCPU) writes an MSI: dest 1, fixed, 0x62 */
    current = NULL;
    address_space_stl_le(&address_space_memory, A + (1u << 12), 0x62,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    g_assert_cmpint(apic_ack_interrupt(apic[1]), ==, 0x62);
    wr(1, 0xb0, 0);
    /* dest 0 from a device: not a register write */
    current = NULL;
    address_space_stl_le(&address_space_memory, A + 0x80, 0x63,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    g_assert_cmphex(rd(0, 0x80), ==, 0);             /* TPR untouched */
    g_assert_cmpint(apic_ack_interrupt(apic[0]), ==, 0x63);
    wr(0, 0xb0, 0);
    /* logical MSI, level-triggered, lowest priority, to mask 3 */
    apic_deliver_msi(0xfee00000 | (3u << 12) | (1u << 2),
                     (1u << 15) | (APIC_DM_LOWPRI << 8) | 0x64);
    g_assert_true(apic_has_interrupt(apic[0]) != apic_has_interrupt(apic[1]));
}

static void test_extint_lint0(void)
{
    setup();
    /* power-on: the BSP's LINT0 is ExtINT, so the 8259 reaches CPU 0 */
    device_cold_reset(DEVICE(apic[0]));
    apic_set_pic_level(1);
    g_assert_true(apic_has_interrupt(apic[0]));
    g_assert_false(apic_has_interrupt(apic[1]));
    pic_acks = 0;
    g_assert_cmpint(apic_ack_interrupt(apic[0]), ==, 0x30);
    g_assert_cmpint(pic_acks, ==, 1);
    /* masking LINT0 closes the path */
    wr(0, 0xf0, 0x1ff);
    wr(0, 0x350, 0x10700);
    g_assert_false(apic_has_interrupt(apic[0]));
    wr(0, 0x350, 0x700 | (1u << 14) | (1u << 12));   /* RO bits ignored */
    g_assert_cmphex(rd(0, 0x350), ==, 0x700);
    g_assert_true(apic_has_interrupt(apic[0]));
    /* ExtINT as a message (IOAPIC virtual wire mode) with LINT0 masked */
    wr(0, 0x350, 0x10700);
    g_assert_false(apic_has_interrupt(apic[0]));
    apic_bus_deliver(0, false, APIC_DM_EXTINT, 0, false);
    g_assert_true(apic_has_interrupt(apic[0]));
    pic_acks = 0;
    g_assert_cmpint(apic_ack_interrupt(apic[0]), ==, 0x30);
    g_assert_cmpint(pic_acks, ==, 1);
    g_assert_false(apic_has_interrupt(apic[0]));      /* one message */
    wr(0, 0x350, 0x700);
    /* software disable masks every LVT */
    wr(0, 0xf0, 0xff);
    g_assert_cmphex(rd(0, 0x350) & 0x10000, ==, 0x10000);
    g_assert_false(apic_has_interrupt(apic[0]));
    apic_set_pic_level(0);
}

static void test_error_register(void)
{
    setup();
    wr(0, 0x370, 0xfe);                           /* LVT error vector */
    wr(0, 0x310, 1u << 24);
    wr(0, 0x300, 0x05);                           /* illegal vector */
    wr(0, 0x280, 0);                              /* latch */
    g_assert_cmphex(rd(0, 0x280), ==, 1u << 5);
    g_assert_cmpint(apic_ack_interrupt(apic[0]), ==, 0xfe);
    wr(0, 0xb0, 0);
    apic_bus_deliver(0, false, APIC_DM_FIXED, 3, false);  /* received */
    wr(0, 0x280, 0);
    g_assert_cmphex(rd(0, 0x280), ==, 1u << 6);
    rd(0, 0x3f0);                                 /* illegal register */
    wr(0, 0x280, 0);
    g_assert_cmphex(rd(0, 0x280), ==, 1u << 7);
    wr(0, 0x280, 0);
    g_assert_cmphex(rd(0, 0x280), ==, 0);
    while (apic_has_interrupt(apic[0])) {
        apic_ack_interrupt(apic[0]);
        wr(0, 0xb0, 0);
    }
}

/* Run the main loop for ms; its last iterations come after the ms are
 * over, so every timer due by then has fired even if a loaded host
 * stalled the test for the whole window. */
static void run_main_loop_ms(int ms)
{
    int64_t end = clock_get_ns(QEMU_CLOCK_REALTIME) + ms * SCALE_MS;
    while (clock_get_ns(QEMU_CLOCK_REALTIME) < end) {
        main_loop_iteration(false);
        g_usleep(200);
    }
    for (int i = 0; i < 100 && main_loop_iteration(false); i++) {
    }
}

static int drain(int cpu, int vector)
{
    int n = 0;
    while (apic_has_interrupt(apic[cpu])) {
        g_assert_cmpint(apic_ack_interrupt(apic[cpu]), ==, vector);
        wr(cpu, 0xb0, 0);
        n++;
    }
    return n;
}

static void test_timer(void)
{
    setup();
    /* one-shot, divide by 1: 5 ms */
    wr(0, 0x3e0, 0xb);
    wr(0, 0x320, 0x40);
    wr(0, 0x380, 5000000);
    uint32_t c1 = rd(0, 0x390);
    g_assert_cmpuint(c1, <=, 5000000);
    g_assert_cmpuint(c1, >, 0);
    run_main_loop_ms(30);
    g_assert_cmpuint(rd(0, 0x390), ==, 0);
    g_assert_cmpint(drain(0, 0x40), ==, 1);
    /* periodic, divide by 16: 62500 * 16 ns = 1 ms */
    wr(0, 0x3e0, 0x3);
    wr(0, 0x320, (1u << 17) | 0x41);
    wr(0, 0x380, 62500);
    /* 5 to 80 in a 50 ms window; a window a loaded host stalled for most
     * of its time gets fewer: up to five windows */
    int fired = 0;
    for (int attempt = 0; attempt < 5; attempt++) {
        fired = 0;
        int64_t end = clock_get_ns(QEMU_CLOCK_REALTIME) + 50 * SCALE_MS;
        while (clock_get_ns(QEMU_CLOCK_REALTIME) < end) {
            main_loop_iteration(false);
            g_usleep(200);
            fired += drain(0, 0x41);
        }
        g_test_message("periodic 1 ms timer fired %d times in ~50 ms",
                       fired);
        g_assert_cmpint(fired, <=, 80);
        if (fired >= 5) {
            break;
        }
    }
    g_assert_cmpint(fired, >=, 5);
    g_assert_cmpuint(rd(0, 0x390), <=, 62500);
    /* masked: counts, no interrupt; initial count 0 stops it */
    wr(0, 0x320, (1u << 17) | 0x10041);
    run_main_loop_ms(5);
    g_assert_cmpint(drain(0, 0x41), ==, 0);
    wr(0, 0x380, 0);
    g_assert_cmpuint(rd(0, 0x390), ==, 0);
}

static void test_vmstate(void)
{
    GError *err = NULL;
    setup();
    wr(1, 0x80, 0x30);
    wr(1, 0x350, 0x700);
    apic_bus_deliver(1, false, APIC_DM_FIXED, 0x66, true);
    const VMStateDescription *vmsd = DEVICE_GET_CLASS(apic[1])->vmsd;
    VMStream s;
    vmstream_init_save(&s);
    g_assert_true(vmstate_save(&s, vmsd, apic[1], &err));
    setup();
    g_assert_false(apic_has_interrupt(apic[1]));
    VMStream l;
    vmstream_init_load(&l, s.out->data, s.out->len);
    g_assert_true(vmstate_load(&l, vmsd, apic[1], 1, &err));
    g_assert_no_error(err);
    g_assert_cmphex(rd(1, 0x80), ==, 0x30);
    g_assert_cmphex(rd(1, 0x350), ==, 0x700);
    g_assert_cmpint(apic_ack_interrupt(apic[1]), ==, 0x66);
    /* a truncated stream is refused */
    vmstream_init_load(&l, s.out->data, s.out->len / 2);
    g_assert_false(vmstate_load(&l, vmsd, apic[1], 1, &err));
    g_clear_error(&err);
    g_byte_array_unref(s.out);
}

static void test_random_writes(void)
{
    GRand *r = g_rand_new_with_seed(9);
    setup();
    for (int i = 0; i < 20000; i++) {
        int cpu = g_rand_int_range(r, 0, 2);
        uint32_t off = g_rand_int_range(r, 0, 0x1000) |
                       (g_rand_int_range(r, 0, 8) ? 0 :
                        g_rand_int_range(r, 0, 256) << 12);
        unsigned size = 1u << g_rand_int_range(r, 0, 4);
        current = &cpus[cpu];
        uint64_t v = ((uint64_t)g_rand_int(r) << 32) | g_rand_int(r);
        if (g_rand_boolean(r)) {
            /* avoid tiny periodic timers only by chance: all allowed */
            address_space_write(&address_space_memory, A + off,
                                MEMTXATTRS_UNSPECIFIED, &v, size);
        } else {
            address_space_read(&address_space_memory, A + off,
                               MEMTXATTRS_UNSPECIFIED, &v, size);
        }
        if (apic_has_interrupt(apic[cpu])) {
            apic_ack_interrupt(apic[cpu]);
        }
        if (i % 1000 == 0) {
            main_loop_iteration(false);
        }
    }
    g_rand_free(r);
    run_main_loop_ms(5);
    setup();
    wr(0, 0x380, 0);
    wr(1, 0x380, 0);
}

int main(int argc, char **argv)
{
    GError *err = NULL;
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    memory_init();
    virtual_clock_set_running(true);
    static const ApicHooks hooks = {
        .interrupt = h_interrupt, .nmi = h_nmi, .init = h_init,
        .sipi = h_sipi, .current_cpu = h_current,
    };
    apic_set_hooks(&hooks);
    apic_set_pic_ack(fake_pic_ack);
    apic_mmio_init(get_system_memory());
    for (int i = 0; i < 2; i++) {
        apic[i] = apic_create(i, i, &cpus[i], &err);
        g_assert_no_error(err);
    }
    g_assert_null(apic_create(1, 7, &cpus[1], &err));   /* index taken */
    g_clear_error(&err);
    (void)pic_level;

    g_test_add_func("/apic/ids-and-version", test_ids_and_version);
    g_test_add_func("/apic/priority-and-eoi", test_priority_and_eoi);
    g_test_add_func("/apic/level-eoi-broadcast", test_level_eoi_broadcast);
    g_test_add_func("/apic/ipis", test_ipis);
    g_test_add_func("/apic/extint-lint0", test_extint_lint0);
    g_test_add_func("/apic/msi", test_msi);
    g_test_add_func("/apic/error-register", test_error_register);
    g_test_add_func("/apic/timer", test_timer);
    g_test_add_func("/apic/vmstate", test_vmstate);
    g_test_add_func("/apic/random-mmio", test_random_writes);
    int rc = g_test_run();
    apic_destroy_all();
    return rc;
}
