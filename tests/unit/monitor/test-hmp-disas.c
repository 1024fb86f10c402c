/*
 * HMP x/i and xp/i (monitor/hmp-cmds-mem.c over disas/x86.c), through
 * human-monitor-command: QEMU's capstone layout (address, up to 8 bytes,
 * mnemonic padded to 8, operands separated by ", ", further bytes on
 * continuation lines), "x/Ni" written as one word,
 * number and +/- address expressions, $register addresses, and the code
 * size taken from the monitor's CPU (ukvm: real mode 16-bit, CS.D
 * 32-bit, long mode with CS.L 64-bit; 64-bit without a CPU).
 */
#include <string.h>

#include "accel/kvm/kvm-internal.h"
#include "memory/memory.h"
#include "monitor/monitor.h"
#include "monitor/monitor-internal.h"
#include "qapi/qapi-commands.h"
#include "system/main-loop.h"
#include "system/runstate.h"

static MemoryRegion ram;

static const uint8_t code[] = {
    0x48, 0x8d, 0x3d, 0x00, 0x01, 0x00, 0x00,   /* lea 0x100(%rip),%rdi */
    0xe8, 0xfb, 0xff, 0xff, 0xff,               /* call */
    0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00, /* nopw */
    0xd6,                                       /* (bad) */
};

static void setup_ram(void)
{
    memory_init();
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x20000, NULL));
    memory_region_add_subregion(get_system_memory(), 0, &ram);
    memcpy((uint8_t *)memory_region_get_ram_ptr(&ram) + 0x1000, code,
           sizeof(code));
}

static void teardown_ram(void)
{
    memory_region_del_subregion(get_system_memory(), &ram);
    memory_region_finalize(&ram);
}

static void check(const char *cmd, const char *want)
{
    g_autofree char *out = qmp_human_monitor_command(cmd, false, 0, NULL);

    if (strcmp(out, want)) {
        g_test_message("%s:\n got  '%s'\n want '%s'", cmd, out, want);
    }
    g_assert_cmpstr(out, ==, want);
}

static void test_no_cpu(void)
{
    setup_ram();
    check("xp/4i 0x1000",
          "0x00001000:  48 8d 3d 00 01 00 00     "
          "lea      0x100(%rip), %rdi        # 0x1107\r\n"
          "0x00001007:  e8 fb ff ff ff           call     0x1007\r\n"
          "0x0000100c:  66 2e 0f 1f 84 00 00 00  "
          "cs nopw  0x0(%rax,%rax,1)\r\n"
          "0x00001014:  00 00\r\n"
          "0x00001016:  d6                       (bad)\r\n");
    /* the spaced spelling, and an address expression */
    check("xp /1i 0x1000+7",
          "0x00001007:  e8 fb ff ff ff           call     0x1007\r\n");
    check("xp /1i 0x1010 - 4",
          "0x0000100c:  66 2e 0f 1f 84 00 00 00  "
          "cs nopw  0x0(%rax,%rax,1)\r\n0x00001014:  00 00\r\n");
    /* the other formats still work as one word too */
    check("xp/2xb 0x1007", "0000000000001007: 0xe8 0xfb\r\n");
    /* $registers need a CPU; x needs one to translate */
    check("xp/1i $pc", "xp: usage: xp /fmt addr (fmt: count, x|d|u|o|c|i, "
          "b|h|w|g; addr: number or $register, +/- terms)\r\n");
    check("x/1i 0x1000", "No CPU available: x needs a CPU to translate "
          "virtual addresses; use xp for physical memory\r\n");
    check("xp/0i 0x1000", "xp: usage: xp /fmt addr (fmt: count, x|d|u|o|c|i, "
          "b|h|w|g; addr: number or $register, +/- terms)\r\n");
    check("xp/1q 0x1000", "xp: usage: xp /fmt addr (fmt: count, x|d|u|o|c|i, "
          "b|h|w|g; addr: number or $register, +/- terms)\r\n");
    check("xp/1i 0x1000+", "xp: usage: xp /fmt addr (fmt: count, x|d|u|o|c|i, "
          "b|h|w|g; addr: number or $register, +/- terms)\r\n");
    check("xp/1i 0x10zz", "xp: usage: xp /fmt addr (fmt: count, x|d|u|o|c|i, "
          "b|h|w|g; addr: number or $register, +/- terms)\r\n");
    /* beyond RAM: unassigned memory reads as ones, ff ff is (bad) */
    check("xp/1i 0x7ffff0", "0x007ffff0:  ff                       "
          "(bad)\r\n");
    teardown_ram();
}

static void test_cpu_modes(gconstpointer data)
{
    GError *err = NULL;

    bql_lock();
    KvmState *s = kvm_accel_init(data, &err);
    if (!s) {
        g_autofree char *msg = g_strdup_printf("accelerator %s unavailable: "
                                               "%s", (const char *)data,
                                               err->message);
        g_test_skip(msg);
        g_error_free(err);
        bql_unlock();
        return;
    }
    setup_ram();
    KvmCpuConfig cfg = { .model = "qemu64", .index = 0 };
    KvmCpu *cpu = kvm_cpu_create(s, &cfg, &err);
    g_assert_no_error(err);
    KvmCpuState *st = g_new0(KvmCpuState, 1);
    g_assert_true(kvm_cpu_get_state(cpu, st, NULL));

    /* real mode, CS base 0x100 + IP 0xf00: $pc is 0x1000, 16-bit code */
    st->sregs.cs.selector = 0x10;
    st->sregs.cs.base = 0x100;
    st->regs.rip = 0xf00;
    st->regs.rsp = 0x1007;
    g_assert_true(kvm_cpu_set_state(cpu, st, NULL));
    check("x/2i $pc",
          "0x00001000:  48                       dec      %ax\r\n"
          "0x00001001:  8d 3d                    lea      (%di), %di\r\n");
    check("x/1i $rsp", "0x00001007:  e8 fb ff                 "
          "call     0x1005\r\n");
    check("xp/1i $sp", "0x00001007:  e8 fb ff                 "
          "call     0x1005\r\n");
    check("xp/1i $eip+0x107", "0x00001007:  e8 fb ff                 "
          "call     0x1005\r\n");
    check("x/1i $bogus", "x: usage: x /fmt addr (fmt: count, x|d|u|o|c|i, "
          "b|h|w|g; addr: number or $register, +/- terms)\r\n");

    /* CS.D: 32-bit code */
    st->sregs.cs.db = 1;
    g_assert_true(kvm_cpu_set_state(cpu, st, NULL));
    check("xp/1i 0x1007", "0x00001007:  e8 fb ff ff ff           "
          "call     0x1007\r\n");
    check("x/1i $pc", "0x00001000:  48                       "
          "dec      %eax\r\n");

    /* long mode, CS.L: 64-bit code; page tables identity-map 2 MiB */
    uint64_t *pt = (uint64_t *)((uint8_t *)memory_region_get_ram_ptr(&ram) +
                                0x10000);
    pt[0] = 0x11000 | 3;                        /* PML4 -> PDPT */
    pt[512] = 0x12000 | 3;                      /* PDPT -> PD */
    pt[1024] = 0x83;                            /* PD: 2 MiB at 0 */
    st->sregs.cr3 = 0x10000;
    st->sregs.cr4 |= 1u << 5;                   /* PAE */
    st->sregs.cr0 |= (1u << 31) | 1;            /* PG, PE */
    st->sregs.cs.db = 0;
    st->sregs.cs.l = 1;
    st->sregs.cs.type = 0xb;
    st->sregs.cs.s = 1;
    st->sregs.cs.present = 1;
    st->sregs.efer |= (1ull << 10) | (1ull << 8);       /* LMA, LME */
    if (kvm_cpu_set_state(cpu, st, NULL)) {
        g_assert_true(kvm_cpu_get_state(cpu, st, NULL));
        if (st->sregs.cs.l && (st->sregs.efer & (1ull << 10))) {
            check("xp/1i $pc", "0x00001000:  48 8d 3d 00 01 00 00     "
                  "lea      0x100(%rip), %rdi        # 0x1107\r\n");
            check("x/2i $pc+7", "0x00001007:  e8 fb ff ff ff           "
                  "call     0x1007\r\n0x0000100c:  66 2e 0f 1f 84 00 00 00  "
                  "cs nopw  0x0(%rax,%rax,1)\r\n0x00001014:  00 00\r\n");
            /* not mapped: nothing readable */
            check("x/1i 0x400000", "0x00400000: unable to read memory\r\n");
        } else {
            g_test_message("long mode without paging not kept: 64-bit "
                           "case not checked");
        }
    } else {
        g_test_message("long mode without paging refused: 64-bit case "
                       "not checked");
    }

    g_free(st);
    kvm_accel_destroy(s);
    teardown_ram();
    runstate_reset_for_test();
    bql_unlock();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    monitor_init_globals();
    g_test_add_func("/monitor/hmp-disas/no-cpu", test_no_cpu);
    g_test_add_data_func("/monitor/hmp-disas/cpu-modes/tcg", "tcg",
                         test_cpu_modes);
    return g_test_run();
}
