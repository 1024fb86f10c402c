/*
 * x-query-kvm-stats and "info kvm-stats" / "info exits" against a real
 * accelerator (ukvm, "tcg"; /dev/kvm too when present, else SKIP): a
 * real-mode guest does five OUTs and halts; the counters the monitor reports
 * are the accelerator's, by reason, with a total that is their sum and a
 * host timestamp that moves forward. Without an accelerator the answer is
 * "none" with no exits.
 */
#include <inttypes.h>
#include <string.h>

#include "accel/kvm/kvm-internal.h"
#include "memory/memory.h"
#include "monitor/monitor.h"
#include "monitor/monitor-internal.h"
#include "qapi/qapi-commands.h"
#include "system/main-loop.h"
#include "system/runstate.h"

static GCond outs_cond;
static int nouts;

static void port10_write(void *opaque, hwaddr addr, uint64_t v, unsigned size)
{
    nouts++;
    g_cond_broadcast(&outs_cond);
}

static const MemoryRegionOps port10_ops = { .write = port10_write };

static int64_t exits_for(KvmStats *st, const char *reason)
{
    for (KvmExitCountList *e = st->exits_by_reason; e; e = e->next) {
        if (!strcmp(e->value->reason, reason)) {
            return e->value->count;
        }
    }
    return 0;
}

static void test_no_accelerator(void)
{
    KvmStats *a = qmp_x_query_kvm_stats(NULL);
    KvmStats *b = qmp_x_query_kvm_stats(NULL);

    g_assert_cmpstr(a->accelerator, ==, "none");
    g_assert_cmpint(a->exits, ==, 0);
    g_assert_null(a->exits_by_reason);
    g_assert_false(a->has_instructions_retired);
    g_assert_null(a->per_vcpu);
    g_assert_cmpint(b->host_ns, >=, a->host_ns);
    qapi_free_KvmStats(a);
    qapi_free_KvmStats(b);

    g_autofree char *out = qmp_human_monitor_command("info exits", false, 0,
                                                     NULL);
    g_assert_nonnull(strstr(out, "accelerator: none, 0 vCPUs\r\n"));
    g_assert_nonnull(strstr(out, "exits: 0"));
}

static void test_counts_guest_exits(gconstpointer data)
{
    GError *err = NULL;

    memory_init();
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
    nouts = 0;
    g_cond_init(&outs_cond);
    MemoryRegion ram, p10;
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x20000, NULL));
    memory_region_add_subregion(get_system_memory(), 0, &ram);
    memory_region_init_io(&p10, NULL, &port10_ops, NULL, "p10", 1);
    memory_region_add_subregion(get_system_io(), 0x10, &p10);

    static const uint8_t code[] = {
        0xb9, 0x05, 0x00,           /* mov cx, 5 */
        0xe6, 0x10,                 /* 1: out 0x10, al */
        0xe2, 0xfc,                 /* loop 1b */
        0xfa,                       /* cli */
        0xf4,                       /* hlt */
        0xeb, 0xfd,                 /* jmp back to cli */
    };
    memcpy((uint8_t *)memory_region_get_ram_ptr(&ram) + 0x1000, code,
           sizeof(code));
    KvmCpuConfig cfg = { .model = "qemu64", .index = 0 };
    KvmCpu *cpu = kvm_cpu_create(s, &cfg, &err);
    g_assert_no_error(err);
    KvmCpuState st;
    g_assert_true(kvm_cpu_get_state(cpu, &st, NULL));
    st.sregs.cs.selector = 0;
    st.sregs.cs.base = 0;
    st.regs.rip = 0x1000;
    st.regs.rsp = 0x8000;
    g_assert_true(kvm_cpu_set_state(cpu, &st, NULL));

    KvmStats *before = qmp_x_query_kvm_stats(NULL);
    g_assert_cmpstr(before->accelerator, ==, kvm_accel_name(s));
    g_assert_cmpint(before->vcpus, ==, 1);
    g_assert_cmpint(before->exits, ==, 0);

    g_assert_true(kvm_cpus_start(s, NULL));
    g_assert_true(vm_start(NULL));
    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (nouts < 5) {
        g_assert_true(bql_cond_wait_until(&outs_cond, end));
    }
    g_assert_true(vm_stop(RUN_STATE_PAUSED, NULL));

    KvmStats *after = qmp_x_query_kvm_stats(NULL);
    int64_t sum = 0;
    for (KvmExitCountList *e = after->exits_by_reason; e; e = e->next) {
        g_assert_cmpint(e->value->count, >, 0);
        g_assert_cmpint(e->value->code, >=, 0);
        g_assert_cmpint(e->value->code, <, KVM_EXIT_COUNTERS);
        g_assert_cmpint(e->value->count, ==,
                        (int64_t)kvm_exit_count(s, e->value->code));
        sum += e->value->count;
    }
    g_assert_cmpint(after->exits, ==, sum);
    g_assert_cmpint(exits_for(after, "io"), ==, 5);
    g_assert_cmpint(after->host_ns, >, before->host_ns);

    /* instructions retired: ukvm counts them (mov + 5 x out + at least
     * 4 x loop, at most up to the hlt); the kernel does not report them */
    bool counts = !strcmp(kvm_accel_name(s), "tcg");
    g_assert_cmpint(before->has_instructions_retired, ==, counts);
    g_assert_cmpint(after->has_instructions_retired, ==, counts);
    if (counts) {
        g_assert_cmpint(before->instructions_retired, ==, 0);
        g_assert_cmpint(after->instructions_retired, >=, 10);
        g_assert_cmpint(after->instructions_retired, <=, 13);
    }
    g_assert_nonnull(after->per_vcpu);
    g_assert_null(after->per_vcpu->next);
    g_assert_cmpint(after->per_vcpu->value->cpu_index, ==, 0);
    g_assert_cmpint(after->per_vcpu->value->exits, ==, after->exits);
    g_assert_cmpint(after->per_vcpu->value->has_instructions_retired, ==,
                    counts);
    g_assert_cmpint(after->per_vcpu->value->instructions_retired, ==,
                    after->instructions_retired);

    g_autofree char *out = qmp_human_monitor_command("info kvm-stats", false,
                                                     0, NULL);
    g_autofree char *want = g_strdup_printf("accelerator: %s, 1 vCPU\r\n",
                                            kvm_accel_name(s));
    g_assert_nonnull(strstr(out, want));
    g_assert_true(g_regex_match_simple("\n  io +5\r\n", out, 0, 0));
    g_autofree char *out2 = qmp_human_monitor_command("info exits", false, 0,
                                                      NULL);
    g_assert_cmpstr(out2, ==, out);     /* same command, two names */
    if (counts) {
        g_autofree char *line = g_strdup_printf(
            "\ninstructions retired: %" PRId64 "\r\n  cpu 0: exits %" PRId64
            ", instructions retired %" PRId64 "\r\n",
            after->instructions_retired, after->exits,
            after->instructions_retired);
        g_assert_nonnull(strstr(out, line));
    } else {
        g_assert_nonnull(strstr(out, "instructions retired: not reported"));
        g_autofree char *line = g_strdup_printf("  cpu 0: exits %" PRId64
                                                "\r\n", after->exits);
        g_assert_nonnull(strstr(out, line));
    }

    qapi_free_KvmStats(before);
    qapi_free_KvmStats(after);
    kvm_accel_destroy(s);
    memory_region_del_subregion(get_system_memory(), &ram);
    memory_region_del_subregion(get_system_io(), &p10);
    memory_region_finalize(&ram);
    memory_region_finalize(&p10);
    runstate_reset_for_test();
    bql_unlock();
    g_cond_clear(&outs_cond);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    monitor_init_globals();
    g_test_add_func("/monitor/kvm-stats/no-accelerator", test_no_accelerator);
    g_test_add_data_func("/monitor/kvm-stats/counts-guest-exits/tcg", "tcg",
                         test_counts_guest_exits);
    g_test_add_data_func("/monitor/kvm-stats/counts-guest-exits/kvm", "kvm",
                         test_counts_guest_exits);
    return g_test_run();
}
