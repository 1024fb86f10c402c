/*
 * The IOAPIC at 0xfec00000 driven through IOREGSEL/IOWIN as Linux does,
 * delivering to two local APICs: ID/version registers, masked pins,
 * edge pins (one delivery per rising edge), level pins with remote IRR
 * cleared by the local APIC's EOI broadcast or by the EOI register,
 * physical and logical destinations, vmstate, and random MMIO writes and
 * pin toggles that must never crash.
 */
#include "hw/intc/apic.h"
#include "hw/intc/ioapic.h"
#include "hw/qdev.h"
#include "migration/vmstate.h"
#include "system/main-loop.h"
#include "system/timer.h"

#define L 0xfee00000u
#define IO 0xfec00000u

static int cpus[2];
static int *current;
static APICState *apic[2];
static DeviceState *ioapic;
static qemu_irq *pins;

static void h_interrupt(void *cpu)
{
}

static void *h_current(void)
{
    return current;
}

static void lapic_wr(int cpu, uint32_t reg, uint32_t v)
{
    current = &cpus[cpu];
    address_space_stl_le(&address_space_memory, L + reg, v,
                         MEMTXATTRS_UNSPECIFIED, NULL);
}

static void io_wr(uint8_t idx, uint32_t v)
{
    address_space_stl_le(&address_space_memory, IO, idx,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    address_space_stl_le(&address_space_memory, IO + 0x10, v,
                         MEMTXATTRS_UNSPECIFIED, NULL);
}

static uint32_t io_rd(uint8_t idx)
{
    address_space_stl_le(&address_space_memory, IO, idx,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    return address_space_ldl_le(&address_space_memory, IO + 0x10,
                                MEMTXATTRS_UNSPECIFIED, NULL);
}

static void route(int pin, uint64_t entry)
{
    io_wr(0x11 + 2 * pin, entry >> 32);
    io_wr(0x10 + 2 * pin, (uint32_t)entry);
}

static void setup(void)
{
    device_cold_reset(ioapic);
    for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
        qemu_set_irq(pins[i], 0);
    }
    for (int i = 0; i < 2; i++) {
        device_cold_reset(DEVICE(apic[i]));
        lapic_wr(i, 0x20, (uint32_t)i << 24);
        lapic_wr(i, 0xf0, 0x1ff);
        lapic_wr(i, 0xe0, 0xffffffff);
        lapic_wr(i, 0xd0, (1u << i) << 24);
    }
}

static void eoi(int cpu)
{
    lapic_wr(cpu, 0xb0, 0);
}

static void test_registers(void)
{
    setup();
    io_wr(0, 5u << 24);
    g_assert_cmphex(io_rd(0), ==, 5u << 24);
    g_assert_cmphex(io_rd(1), ==, 0x00170020);
    g_assert_cmphex(io_rd(0x10), ==, 1u << 16);     /* masked at reset */
    route(3, 0x0100000000008031ull);
    g_assert_cmphex(io_rd(0x16), ==, 0x8031);
    g_assert_cmphex(io_rd(0x17), ==, 0x01000000);
    io_wr(0x16, 0x5031);                 /* remote IRR/status read-only */
    g_assert_cmphex(io_rd(0x16), ==, 0x1031 & ~0x1000u);
    g_assert_cmphex(io_rd(0x60), ==, 0xffffffff);   /* past the table */
    g_autoptr(GString) info = g_string_new(NULL);
    ioapic_info_all(info);
    g_assert_nonnull(strstr(info->str, "ioapic0: ver=0x20 id=0x05"));
    g_assert_nonnull(strstr(info->str,
                            "pin 3  0x0100000000000031 dest=1 vec=49"));
}

static void test_edge(void)
{
    setup();
    route(4, 0x0000000000000034ull);     /* edge, fixed, phys dest 0 */
    qemu_set_irq(pins[4], 1);
    g_assert_cmpint(apic_ack_interrupt(apic[0]), ==, 0x34);
    eoi(0);
    qemu_set_irq(pins[4], 1);            /* no new edge */
    g_assert_false(apic_has_interrupt(apic[0]));
    qemu_set_irq(pins[4], 0);
    qemu_set_irq(pins[4], 1);
    g_assert_cmpint(apic_ack_interrupt(apic[0]), ==, 0x34);
    eoi(0);
    /* masked: the edge is remembered and delivered on unmask */
    route(4, 0x0000000000010034ull);
    qemu_set_irq(pins[4], 0);
    qemu_set_irq(pins[4], 1);
    g_assert_false(apic_has_interrupt(apic[0]));
    route(4, 0x0000000000000034ull);
    g_assert_cmpint(apic_ack_interrupt(apic[0]), ==, 0x34);
    eoi(0);
}

static void test_level_remote_irr(void)
{
    setup();
    route(9, 0x0100000000008039ull);     /* level, phys dest 1 */
    qemu_set_irq(pins[9], 1);
    g_assert_cmpint(apic_ack_interrupt(apic[1]), ==, 0x39);
    g_assert_cmphex(io_rd(0x22) & 0x4000, ==, 0x4000);   /* remote IRR */
    g_assert_false(apic_has_interrupt(apic[1]));
    eoi(1);                              /* still asserted: again */
    g_assert_cmpint(apic_ack_interrupt(apic[1]), ==, 0x39);
    qemu_set_irq(pins[9], 0);
    eoi(1);
    g_assert_cmphex(io_rd(0x22) & 0x4000, ==, 0);
    g_assert_false(apic_has_interrupt(apic[1]));
    /* the EOI register (version 0x20) clears remote IRR too */
    qemu_set_irq(pins[9], 1);
    g_assert_cmpint(apic_ack_interrupt(apic[1]), ==, 0x39);
    qemu_set_irq(pins[9], 0);
    address_space_stl_le(&address_space_memory, IO + 0x40, 0x39,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    g_assert_cmphex(io_rd(0x22) & 0x4000, ==, 0);
    eoi(1);
}

static void test_logical(void)
{
    setup();
    route(10, 0x030000000000083aull);    /* logical, mask 3: both */
    qemu_set_irq(pins[10], 1);
    g_assert_cmpint(apic_ack_interrupt(apic[0]), ==, 0x3a);
    g_assert_cmpint(apic_ack_interrupt(apic[1]), ==, 0x3a);
    eoi(0);
    eoi(1);
    qemu_set_irq(pins[10], 0);
    route(11, 0x020000000000093bull);    /* logical lowest priority */
    lapic_wr(1, 0x80, 0x10);
    qemu_set_irq(pins[11], 1);
    g_assert_false(apic_has_interrupt(apic[0]));
    g_assert_cmpint(apic_ack_interrupt(apic[1]), ==, 0x3b);
    eoi(1);
}

static void test_vmstate(void)
{
    GError *err = NULL;
    setup();
    route(5, 0x0100000000008035ull);
    const VMStateDescription *vmsd = DEVICE_GET_CLASS(ioapic)->vmsd;
    VMStream s;
    vmstream_init_save(&s);
    g_assert_true(vmstate_save(&s, vmsd, ioapic, &err));
    setup();
    VMStream l;
    vmstream_init_load(&l, s.out->data, s.out->len);
    g_assert_true(vmstate_load(&l, vmsd, ioapic, 1, &err));
    g_assert_no_error(err);
    g_assert_cmphex(io_rd(0x1a), ==, 0x8035);
    g_assert_cmphex(io_rd(0x1b), ==, 0x01000000);
    vmstream_init_load(&l, s.out->data, 3);
    g_assert_false(vmstate_load(&l, vmsd, ioapic, 1, &err));
    g_clear_error(&err);
    g_byte_array_unref(s.out);
}

static void test_random(void)
{
    GRand *r = g_rand_new_with_seed(24);
    setup();
    for (int i = 0; i < 20000; i++) {
        uint64_t v = ((uint64_t)g_rand_int(r) << 32) | g_rand_int(r);
        uint32_t off = g_rand_int_range(r, 0, 0x100);
        unsigned size = 1u << g_rand_int_range(r, 0, 4);
        switch (g_rand_int_range(r, 0, 4)) {
        case 0:
            address_space_write(&address_space_memory, IO + off,
                                MEMTXATTRS_UNSPECIFIED, &v, size);
            break;
        case 1:
            address_space_read(&address_space_memory, IO + off,
                               MEMTXATTRS_UNSPECIFIED, &v, size);
            break;
        case 2:
            qemu_set_irq(pins[g_rand_int_range(r, 0, IOAPIC_NUM_PINS)],
                         g_rand_boolean(r));
            break;
        default: {
            int cpu = g_rand_int_range(r, 0, 2);
            if (apic_has_interrupt(apic[cpu])) {
                apic_ack_interrupt(apic[cpu]);
            }
            eoi(cpu);
            break;
        }
        }
    }
    g_rand_free(r);
    setup();
}

int main(int argc, char **argv)
{
    GError *err = NULL;
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    memory_init();
    virtual_clock_set_running(true);
    static const ApicHooks hooks = {
        .interrupt = h_interrupt, .current_cpu = h_current,
    };
    apic_set_hooks(&hooks);
    apic_mmio_init(get_system_memory());
    for (int i = 0; i < 2; i++) {
        apic[i] = apic_create(i, i, &cpus[i], &err);
        g_assert_no_error(err);
    }
    ioapic = ioapic_create(2, &err);
    g_assert_no_error(err);
    pins = ioapic_get_irqs(ioapic);

    g_test_add_func("/ioapic/registers", test_registers);
    g_test_add_func("/ioapic/edge", test_edge);
    g_test_add_func("/ioapic/level-remote-irr", test_level_remote_irr);
    g_test_add_func("/ioapic/logical", test_logical);
    g_test_add_func("/ioapic/vmstate", test_vmstate);
    g_test_add_func("/ioapic/random", test_random);
    int rc = g_test_run();
    object_unparent(OBJECT(ioapic));
    apic_destroy_all();
    return rc;
}
