/*
 * Local APICs through their MSR interface, as the accelerator drives them
 * from KVM_EXIT_X86_RDMSR/WRMSR (apic_msr_read/apic_msr_write) and from
 * kvm_run.apic_base (apic_set_base), with two fake vCPUs: x2APIC mode
 * (register map, 32-bit IDs, derived LDR, the MMIO page no longer
 * decoded, every #GP case), the 64-bit ICR and SELF IPI, x2APIC physical,
 * cluster-logical and broadcast destinations, INIT/SIPI, IOAPIC/MSI
 * delivery to x2APIC-mode APICs, global disable and re-enable, the
 * TSC-deadline timer (arm/fire/disarm/past deadline/mode switches/mask),
 * migration of the new state, and random MSR accesses that must not crash.
 */
#include "hw/intc/apic.h"
#include "hw/qdev.h"
#include "migration/vmstate.h"
#include "system/main-loop.h"
#include "system/timer.h"

#define A 0xfee00000u
#define EN (1ULL << 11)
#define EXTD (1ULL << 10)
#define KHZ 1000000u                /* a 1 GHz TSC: 1 tick = 1 ns */
#define TSC0 1000000000000ULL

typedef struct FakeCpu {
    int inits, sipis, sipi_vector;
} FakeCpu;

static FakeCpu cpus[2];
static FakeCpu *current;
static APICState *apic[2];

static void h_interrupt(void *cpu)
{
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

static uint64_t mrd(int cpu, uint32_t index)
{
    uint64_t v = 0xdead;
    g_assert_true(apic_msr_read(apic[cpu], index, &v));
    return v;
}

static void mwr(int cpu, uint32_t index, uint64_t v)
{
    g_assert_true(apic_msr_write(apic[cpu], index, v, 0, 0));
}

static bool gp_rd(int cpu, uint32_t index)
{
    uint64_t v;
    return !apic_msr_read(apic[cpu], index, &v);
}

static bool gp_wr(int cpu, uint32_t index, uint64_t v)
{
    return !apic_msr_write(apic[cpu], index, v, 0, 0);
}

static uint64_t base(int cpu, bool x2)
{
    return A | EN | (cpu == 0 ? 1u << 8 : 0) | (x2 ? EXTD : 0);
}

/* Both APICs reset, software-enabled; in x2APIC mode if @x2. */
static void setup(bool x2)
{
    for (int i = 0; i < 2; i++) {
        device_cold_reset(DEVICE(apic[i]));
        apic_set_base(apic[i], base(i, x2));
        if (x2) {
            mwr(i, 0x80f, 0x1ff);
        } else {
            wr(i, 0xf0, 0x1ff);
        }
        memset(&cpus[i], 0, sizeof(cpus[i]));
    }
}

static int drain(int cpu, int vector)
{
    int n = 0;
    while (apic_has_interrupt(apic[cpu])) {
        g_assert_cmpint(apic_ack_interrupt(apic[cpu]), ==, vector);
        if (gp_wr(cpu, 0x80b, 0)) {
            wr(cpu, 0xb0, 0);           /* xAPIC mode: MMIO EOI */
        }
        n++;
    }
    return n;
}

static void test_register_map(void)
{
    setup(false);
    g_assert_true(gp_rd(0, 0x802));             /* xAPIC: MSRs #GP */
    g_assert_true(gp_wr(0, 0x808, 0));
    setup(true);
    g_assert_cmphex(mrd(0, 0x802), ==, 0);
    g_assert_cmphex(mrd(1, 0x802), ==, 1);
    g_assert_cmphex(mrd(0, 0x803), ==, 0x50014);
    g_assert_cmphex(mrd(0, 0x80d), ==, 1);     /* cluster 0, bit 0 */
    g_assert_cmphex(mrd(1, 0x80d), ==, 2);
    g_assert_cmphex(mrd(0, 0x80f), ==, 0x1ff);
    mwr(0, 0x808, 0x20);
    g_assert_cmphex(mrd(0, 0x808), ==, 0x20);
    g_assert_cmphex(mrd(0, 0x80a), ==, 0x20);  /* PPR */
    /* the MMIO page is not decoded */
    g_assert_cmphex(rd(0, 0x80), ==, 0);
    wr(0, 0x80, 0x40);
    g_assert_cmphex(mrd(0, 0x808), ==, 0x20);
    mwr(0, 0x808, 0);
    /* LVT, divide, initial count */
    mwr(0, 0x835, 0x700);
    g_assert_cmphex(mrd(0, 0x835), ==, 0x700);
    mwr(0, 0x83e, 0xb);
    g_assert_cmphex(mrd(0, 0x83e), ==, 0xb);
    mwr(0, 0x838, 1000000000);
    g_assert_cmpuint(mrd(0, 0x839), <=, 1000000000);
    g_assert_cmpuint(mrd(0, 0x839), >, 0);
    mwr(0, 0x838, 0);
    g_autoptr(GString) info = g_string_new(NULL);
    apic_info(apic[1], info);
    g_assert_nonnull(strstr(info->str, "CPU#1 LAPIC id=1 x2APIC"));
}

static void test_gp_cases(void)
{
    static const uint32_t no_read[] = {
        0x800, 0x801, 0x804, 0x809, 0x80b, 0x80c, 0x80e, 0x82f, 0x831,
        0x83a, 0x83f, 0x840, 0x8ff,
    };
    static const uint32_t read_only[] = {
        0x802, 0x803, 0x80a, 0x80d, 0x810, 0x817, 0x818, 0x820, 0x827,
        0x839, 0x809, 0x80e, 0x831, 0x840,
    };
    setup(true);
    for (size_t i = 0; i < G_N_ELEMENTS(no_read); i++) {
        g_assert_true(gp_rd(0, no_read[i]));
    }
    for (size_t i = 0; i < G_N_ELEMENTS(read_only); i++) {
        g_assert_true(gp_wr(0, read_only[i], 0));
    }
    g_assert_true(gp_rd(0, 0x7ff));
    g_assert_true(gp_rd(0, 0x900));
    g_assert_true(gp_wr(0, 0x80b, 1));          /* EOI: only 0 */
    g_assert_true(gp_wr(0, 0x828, 1));          /* ESR: only 0 */
    g_assert_true(gp_wr(0, 0x808, 0x100));      /* TPR bits 31:8 */
    g_assert_true(gp_wr(0, 0x808, 1ULL << 32)); /* bits 63:32 */
    g_assert_true(gp_wr(0, 0x835, 1ULL << 40));
    g_assert_true(gp_wr(0, 0x83f, 0x100));      /* SELF IPI bits 31:8 */
    g_assert_true(gp_wr(0, 0x830, 1u << 13));   /* ICR reserved bits */
    g_assert_true(gp_wr(0, 0x830, 1u << 16));
    g_assert_true(gp_wr(0, 0x830, 1u << 17));
    g_assert_true(gp_wr(0, 0x830, 1u << 20));
    g_assert_true(gp_wr(0, 0x830, 1u << 31));
    g_assert_false(apic_has_interrupt(apic[0]));
    g_assert_false(apic_has_interrupt(apic[1]));
    mwr(0, 0x828, 0);
    g_assert_cmphex(mrd(0, 0x828), ==, 0);      /* nothing went wrong */
}

static void test_icr_and_self_ipi(void)
{
    setup(true);
    mwr(0, 0x83f, 0x55);                        /* SELF IPI */
    g_assert_false(apic_has_interrupt(apic[1]));
    g_assert_cmpint(apic_ack_interrupt(apic[0]), ==, 0x55);
    g_assert_cmphex(mrd(0, 0x812), ==, 1u << (0x55 - 64));   /* ISR */
    mwr(0, 0x80b, 0);
    g_assert_cmphex(mrd(0, 0x812), ==, 0);
    /* physical, destination in bits 63:32; reads back, no busy bit */
    uint64_t icr = (1ULL << 32) | (1u << 14) | 0x66;
    mwr(0, 0x830, icr | (1u << 12));
    g_assert_cmphex(mrd(0, 0x830), ==, icr);
    g_assert_cmpint(drain(1, 0x66), ==, 1);
    g_assert_cmpint(drain(0, 0), ==, 0);
    /* an 8-bit-looking ID in the old place does not match */
    mwr(0, 0x830, (1ULL << 56) | 0x67);
    g_assert_false(apic_has_interrupt(apic[1]));
    /* cluster logical: cluster 0, members 1 and 2; cluster 1: nobody */
    mwr(0, 0x830, (2ULL << 32) | (1u << 11) | 0x68);
    g_assert_cmpint(drain(1, 0x68), ==, 1);
    g_assert_false(apic_has_interrupt(apic[0]));
    mwr(0, 0x830, (3ULL << 32) | (1u << 11) | 0x69);
    g_assert_cmpint(drain(0, 0x69), ==, 1);
    g_assert_cmpint(drain(1, 0x69), ==, 1);
    mwr(0, 0x830, (0x10003ULL << 32) | (1u << 11) | 0x6a);
    g_assert_false(apic_has_interrupt(apic[0]));
    g_assert_false(apic_has_interrupt(apic[1]));
    /* broadcast 0xffffffff, and all-but-self */
    mwr(1, 0x830, (0xffffffffULL << 32) | 0x6b);
    g_assert_cmpint(drain(0, 0x6b), ==, 1);
    g_assert_cmpint(drain(1, 0x6b), ==, 1);
    mwr(1, 0x830, (3u << 18) | 0x6c);
    g_assert_cmpint(drain(0, 0x6c), ==, 1);
    g_assert_cmpint(drain(1, 0), ==, 0);
    /* IOAPIC / MSI (8-bit destinations) reach x2APIC-mode APICs */
    apic_bus_deliver(1, false, APIC_DM_FIXED, 0x70, false);
    g_assert_cmpint(drain(1, 0x70), ==, 1);
    apic_deliver_msi(0xfee00000, 0x71);
    g_assert_cmpint(drain(0, 0x71), ==, 1);
    /* INIT and SIPI; the APIC stays in x2APIC mode after INIT */
    mwr(0, 0x830, (1ULL << 32) | 0x4500);
    g_assert_cmpint(cpus[1].inits, ==, 1);
    g_assert_cmphex(mrd(1, 0x80f), ==, 0xff);
    g_assert_cmphex(mrd(1, 0x802), ==, 1);
    mwr(0, 0x830, (1ULL << 32) | 0x4600 | 0x9a);
    g_assert_cmpint(cpus[1].sipis, ==, 1);
    g_assert_cmpint(cpus[1].sipi_vector, ==, 0x9a);
    /* a vector below 16 is a send error, nothing delivered */
    mwr(0, 0x830, (1ULL << 32) | 0x05);
    mwr(0, 0x828, 0);
    g_assert_cmphex(mrd(0, 0x828), ==, 1u << 5);
}

static void test_disable_enable(void)
{
    setup(true);
    mwr(1, 0x808, 0x30);
    apic_set_base(apic[1], A);                  /* EN clear */
    g_assert_true(gp_rd(1, 0x802));
    g_assert_cmphex(rd(1, 0x80), ==, 0);
    apic_bus_deliver(1, false, APIC_DM_FIXED, 0x72, false);
    mwr(0, 0x830, (0xffffffffULL << 32) | 0x73);
    g_assert_false(apic_has_interrupt(apic[1]));
    g_assert_cmpint(drain(0, 0x73), ==, 1);
    /* enabled again: xAPIC mode, power-on registers, ID kept */
    apic_set_base(apic[1], base(1, false));
    g_assert_cmphex(rd(1, 0x20), ==, 1u << 24);
    g_assert_cmphex(rd(1, 0x80), ==, 0);
    g_assert_cmphex(rd(1, 0xf0), ==, 0xff);
    apic_set_base(apic[1], base(1, true));
    g_assert_cmphex(mrd(1, 0x802), ==, 1);
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

static void deadline(int cpu, uint64_t ticks_from_now)
{
    g_assert_true(apic_msr_write(apic[cpu], 0x6e0, TSC0 + ticks_from_now,
                                 TSC0, KHZ));
}

static void test_tsc_deadline(void)
{
    setup(false);                               /* works in xAPIC mode */
    wr(0, 0x320, (2u << 17) | 0x50);
    g_assert_cmphex(rd(0, 0x320), ==, (2u << 17) | 0x50);
    wr(0, 0x380, 1000);                         /* ignored */
    g_assert_cmpuint(rd(0, 0x380), ==, 0);
    g_assert_cmpuint(rd(0, 0x390), ==, 0);
    /* arm 5 ms ahead: reads back, fires once, then reads 0 */
    deadline(0, 5000000);
    g_assert_cmphex(mrd(0, 0x6e0), ==, TSC0 + 5000000);
    g_assert_false(apic_has_interrupt(apic[0]));
    run_main_loop_ms(30);
    g_assert_cmpint(drain(0, 0x50), ==, 1);
    g_assert_cmphex(mrd(0, 0x6e0), ==, 0);
    /* in the past: fires at once */
    g_assert_true(apic_msr_write(apic[0], 0x6e0, TSC0 - 1, TSC0, KHZ));
    run_main_loop_ms(2);
    g_assert_cmpint(drain(0, 0x50), ==, 1);
    /* at a 2 GHz TSC, 2e9 ticks are 1 s: not yet after 2 ms, then not
     * before 1 s (a 10 ms deadline "not yet" after a 2 ms run failed
     * when a loaded host stalled the test 8 ms) */
    int64_t t0 = clock_get_ns(QEMU_CLOCK_REALTIME);
    g_assert_true(apic_msr_write(apic[0], 0x6e0, TSC0 + 2000000000ULL, TSC0,
                                 2000000));
    run_main_loop_ms(2);
    g_assert_cmpint(drain(0, 0x50), ==, 0);
    int64_t end = t0 + 10 * NANOSECONDS_PER_SECOND;
    while (!apic_has_interrupt(apic[0]) &&
           clock_get_ns(QEMU_CLOCK_REALTIME) < end) {
        main_loop_iteration(false);
        g_usleep(200);
    }
    g_assert_cmpint(clock_get_ns(QEMU_CLOCK_REALTIME) - t0, >=,
                    NANOSECONDS_PER_SECOND);
    g_assert_cmpint(drain(0, 0x50), ==, 1);
    /* writing 0 disarms */
    deadline(0, 10000000);
    mwr(0, 0x6e0, 0);
    g_assert_cmphex(mrd(0, 0x6e0), ==, 0);
    run_main_loop_ms(25);
    g_assert_cmpint(drain(0, 0x50), ==, 0);
    /* leaving TSC-deadline mode disarms; other modes ignore the MSR */
    deadline(0, 10000000);
    wr(0, 0x320, 0x50);
    g_assert_cmphex(mrd(0, 0x6e0), ==, 0);
    deadline(0, 1000);
    g_assert_cmphex(mrd(0, 0x6e0), ==, 0);
    wr(0, 0x320, (2u << 17) | 0x50);
    g_assert_cmphex(mrd(0, 0x6e0), ==, 0);
    run_main_loop_ms(25);
    g_assert_cmpint(drain(0, 0x50), ==, 0);
    /* entering it stops a one-shot count */
    wr(0, 0x320, 0x50);
    wr(0, 0x380, 5000000);
    wr(0, 0x320, (2u << 17) | 0x50);
    g_assert_cmpuint(rd(0, 0x380), ==, 0);
    run_main_loop_ms(20);
    g_assert_cmpint(drain(0, 0x50), ==, 0);
    /* masked: it expires (reads 0) without an interrupt */
    wr(0, 0x320, (2u << 17) | 0x10050);
    deadline(0, 1000000);
    run_main_loop_ms(20);
    g_assert_cmphex(mrd(0, 0x6e0), ==, 0);
    g_assert_cmpint(drain(0, 0x50), ==, 0);
    /* in x2APIC mode, through the LVT MSR */
    setup(true);
    mwr(1, 0x832, (2u << 17) | 0x51);
    deadline(1, 3000000);
    run_main_loop_ms(25);
    g_assert_cmpint(drain(1, 0x51), ==, 1);
}

static void test_vmstate(void)
{
    GError *err = NULL;
    const VMStateDescription *vmsd = DEVICE_GET_CLASS(apic[1])->vmsd;
    VMStream s, x, l;

    setup(false);                               /* an xAPIC stream */
    vmstream_init_save(&x);
    g_assert_true(vmstate_save(&x, vmsd, apic[1], &err));
    setup(true);
    mwr(1, 0x808, 0x30);
    mwr(1, 0x832, (2u << 17) | 0x52);
    deadline(1, 60ULL * 1000000000);            /* a minute away */
    vmstream_init_save(&s);
    g_assert_true(vmstate_save(&s, vmsd, apic[1], &err));
    g_assert_cmpuint(s.out->len, >, x.out->len);    /* the subsection */
    setup(false);
    vmstream_init_load(&l, s.out->data, s.out->len);
    g_assert_true(vmstate_load(&l, vmsd, apic[1], 1, &err));
    g_assert_no_error(err);
    g_assert_cmphex(mrd(1, 0x802), ==, 1);      /* x2APIC mode again */
    g_assert_cmphex(mrd(1, 0x808), ==, 0x30);
    g_assert_cmphex(mrd(1, 0x6e0), ==, TSC0 + 60ULL * 1000000000);
    g_assert_cmphex(rd(1, 0x80), ==, 0);        /* MMIO not decoded */
    /* the xAPIC stream (no subsection) brings xAPIC mode back */
    vmstream_init_load(&l, x.out->data, x.out->len);
    g_assert_true(vmstate_load(&l, vmsd, apic[1], 1, &err));
    g_assert_no_error(err);
    g_assert_true(gp_rd(1, 0x802));
    g_assert_cmphex(mrd(1, 0x6e0), ==, 0);
    g_assert_cmphex(rd(1, 0x20), ==, 1u << 24);
    g_byte_array_unref(s.out);
    g_byte_array_unref(x.out);
}

static void test_random_msrs(void)
{
    GRand *r = g_rand_new_with_seed(6);
    setup(true);
    for (int i = 0; i < 20000; i++) {
        int cpu = g_rand_int_range(r, 0, 2);
        uint32_t index = g_rand_int_range(r, 0, 8) ? 0x800 +
                         g_rand_int_range(r, 0, 0x100) : 0x6e0;
        uint64_t v = g_rand_int_range(r, 0, 4) ?
                     g_rand_int(r) & (g_rand_boolean(r) ? 0xff : ~0u) :
                     ((uint64_t)g_rand_int(r) << 32) | g_rand_int(r);
        if (g_rand_boolean(r)) {
            apic_msr_write(apic[cpu], index, v, g_rand_int(r),
                           g_rand_int(r));
        } else {
            apic_msr_read(apic[cpu], index, &v);
        }
        if (!g_rand_int_range(r, 0, 500)) {
            apic_set_base(apic[cpu], base(cpu, g_rand_boolean(r)) |
                          (g_rand_boolean(r) ? 0 : EN));
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
    setup(false);
}

int main(int argc, char **argv)
{
    GError *err = NULL;
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    memory_init();
    virtual_clock_set_running(true);
    static const ApicHooks hooks = {
        .interrupt = h_interrupt, .init = h_init, .sipi = h_sipi,
        .current_cpu = h_current,
    };
    apic_set_hooks(&hooks);
    apic_mmio_init(get_system_memory());
    for (int i = 0; i < 2; i++) {
        apic[i] = apic_create(i, i, &cpus[i], &err);
        g_assert_no_error(err);
    }
    g_test_add_func("/x2apic/register-map", test_register_map);
    g_test_add_func("/x2apic/gp-cases", test_gp_cases);
    g_test_add_func("/x2apic/icr-self-ipi", test_icr_and_self_ipi);
    g_test_add_func("/x2apic/disable-enable", test_disable_enable);
    g_test_add_func("/x2apic/tsc-deadline", test_tsc_deadline);
    g_test_add_func("/x2apic/vmstate", test_vmstate);
    g_test_add_func("/x2apic/random-msrs", test_random_msrs);
    int rc = g_test_run();
    apic_destroy_all();
    return rc;
}
