/*
 * x-query-kvm-stats and "info kvm-stats" / "info exits": the accelerator's
 * exit counters by KVM_EXIT_* reason (kvm_exit_count) and, when the
 * provider reports it, the number of guest instructions retired.
 *
 * The accelerator is linked by the emulator binary, not by the monitor
 * library, so its functions are referenced weakly: without it (unit tests
 * of the monitor alone) the answer is accelerator "none" with no exits.
 * Counters are read with relaxed atomics by kvm_exit_count(); a sample
 * taken while vCPUs run is a consistent-enough snapshot for rates.
 */
#include "monitor-internal.h"
#include "hmp.h"
#include "qapi/qapi-commands.h"
#include "accel/kvm.h"

#include <inttypes.h>
#include <time.h>

extern KvmState *kvm_state(void) __attribute__((weak));
extern const char *kvm_accel_name(const KvmState *s) __attribute__((weak));
extern unsigned kvm_cpu_count(KvmState *s) __attribute__((weak));
extern uint64_t kvm_exit_count(KvmState *s, unsigned reason)
    __attribute__((weak));
extern const char *kvm_exit_reason_name(unsigned reason)
    __attribute__((weak));
extern bool kvm_insns_retired(KvmState *s, uint64_t *sum)
    __attribute__((weak));
extern KvmCpu *kvm_cpu_by_index(KvmState *s, uint32_t index)
    __attribute__((weak));
extern uint64_t kvm_cpu_exit_total(KvmCpu *cpu) __attribute__((weak));
extern bool kvm_cpu_insns_retired(KvmCpu *cpu, uint64_t *out)
    __attribute__((weak));

static int64_t host_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static char *reason_name(unsigned code)
{
    const char *n = kvm_exit_reason_name ? kvm_exit_reason_name(code) : NULL;

    if (n) {
        return g_strdup(n);
    }
    return code == KVM_EXIT_COUNTERS - 1 ? g_strdup("other")
                                         : g_strdup_printf("reason-%u", code);
}

KvmStats *qmp_x_query_kvm_stats(GError **errp)
{
    KvmStats *st = g_new0(KvmStats, 1);
    KvmState *s = kvm_state ? kvm_state() : NULL;
    KvmExitCountList **tail = &st->exits_by_reason;

    st->host_ns = host_ns();
    if (!s || !kvm_exit_count) {
        st->accelerator = g_strdup("none");
        return st;
    }
    st->accelerator = g_strdup(kvm_accel_name ? kvm_accel_name(s) : "kvm");
    st->vcpus = kvm_cpu_count ? kvm_cpu_count(s) : 0;
    for (unsigned r = 0; r < KVM_EXIT_COUNTERS; r++) {
        uint64_t n = kvm_exit_count(s, r);
        KvmExitCountList *e;

        if (!n) {
            continue;
        }
        e = g_new0(KvmExitCountList, 1);
        e->value = g_new0(KvmExitCount, 1);
        e->value->reason = reason_name(r);
        e->value->code = r;
        e->value->count = (int64_t)n;
        st->exits += (int64_t)n;
        *tail = e;
        tail = &e->next;
    }
    uint64_t insns;
    if (kvm_insns_retired && kvm_insns_retired(s, &insns)) {
        st->has_instructions_retired = true;
        st->instructions_retired = (int64_t)insns;
    }
    if (kvm_cpu_by_index && kvm_cpu_exit_total && kvm_cpu_insns_retired) {
        KvmVcpuStatsList **vt = &st->per_vcpu;
        KvmCpu *cpu;

        for (uint32_t i = 0; i < st->vcpus; i++) {
            KvmVcpuStatsList *e;

            if (!(cpu = kvm_cpu_by_index(s, i))) {
                continue;
            }
            e = g_new0(KvmVcpuStatsList, 1);
            e->value = g_new0(KvmVcpuStats, 1);
            e->value->cpu_index = i;
            e->value->exits = (int64_t)kvm_cpu_exit_total(cpu);
            if (kvm_cpu_insns_retired(cpu, &insns)) {
                e->value->has_instructions_retired = true;
                e->value->instructions_retired = (int64_t)insns;
            }
            *vt = e;
            vt = &e->next;
        }
    }
    return st;
}

void hmp_info_kvm_stats(Monitor *mon, char **argv)
{
    KvmStats *st = qmp_x_query_kvm_stats(NULL);

    monitor_printf(mon, "accelerator: %s, %" PRId64 " vCPU%s\n",
                   st->accelerator, st->vcpus, st->vcpus == 1 ? "" : "s");
    monitor_printf(mon, "exits: %" PRId64 "\n", st->exits);
    for (KvmExitCountList *e = st->exits_by_reason; e; e = e->next) {
        monitor_printf(mon, "  %-16s %20" PRId64 "\n", e->value->reason,
                       e->value->count);
    }
    if (st->has_instructions_retired) {
        monitor_printf(mon, "instructions retired: %" PRId64 "\n",
                       st->instructions_retired);
    } else {
        monitor_printf(mon, "instructions retired: not reported by this "
                       "accelerator\n");
    }
    for (KvmVcpuStatsList *e = st->per_vcpu; e; e = e->next) {
        monitor_printf(mon, "  cpu %" PRId64 ": exits %" PRId64,
                       e->value->cpu_index, e->value->exits);
        if (e->value->has_instructions_retired) {
            monitor_printf(mon, ", instructions retired %" PRId64,
                           e->value->instructions_retired);
        }
        monitor_printf(mon, "\n");
    }
    qapi_free_KvmStats(st);
}
