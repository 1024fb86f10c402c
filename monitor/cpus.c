/*
 * The vCPUs as the monitor sees them (inject-nmi, info registers, info
 * cpus), through accel/kvm. The accelerator is linked by the emulator
 * binary, not by the monitor library, so its functions are referenced
 * weakly: without it (unit tests) there are no vCPUs.
 */
#include "monitor-internal.h"
#include "hmp.h"
#include "qapi/qapi-commands.h"
#include "accel/kvm.h"
#include "util/error.h"
#include "util/cutils.h"
#include "memory/memory.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern KvmState *kvm_state(void) __attribute__((weak));
extern unsigned kvm_cpu_count(KvmState *s) __attribute__((weak));
extern KvmCpu *kvm_cpu_by_index(KvmState *s, uint32_t index)
    __attribute__((weak));
extern void kvm_cpu_nmi(KvmCpu *cpu) __attribute__((weak));
extern void kvm_cpu_dump_state(KvmCpu *cpu, GString *out)
    __attribute__((weak));
extern bool kvm_cpu_get_state(KvmCpu *cpu, KvmCpuState *st, GError **errp)
    __attribute__((weak));
extern int kvm_cpu_thread_id(KvmCpu *cpu) __attribute__((weak));
extern char *kvm_cpu_qom_path(KvmCpu *cpu) __attribute__((weak));
extern bool kvm_cpu_is_halted(KvmCpu *cpu) __attribute__((weak));

/* Number of vCPUs (0 without an accelerator or a board). */
static unsigned monitor_cpu_count(KvmState **s)
{
    *s = kvm_state ? kvm_state() : NULL;
    return *s && kvm_cpu_count ? kvm_cpu_count(*s) : 0;
}

unsigned monitor_cpu_total(void)
{
    KvmState *s;

    return monitor_cpu_count(&s);
}

void qmp_inject_nmi(GError **errp)
{
    KvmState *s;
    unsigned n = monitor_cpu_count(&s);

    if (!n || !kvm_cpu_nmi) {
        error_setg(errp, "this feature or command is not currently "
                   "supported");
        return;
    }
    /* as QEMU on x86: an NMI to every CPU */
    for (unsigned i = 0; i < n; i++) {
        kvm_cpu_nmi(kvm_cpu_by_index(s, i));
    }
}

/* The monitor's current CPU ("cpu N"; 0 by default), or NULL. */
static KvmCpu *monitor_cpu(Monitor *mon, unsigned *index)
{
    KvmState *s;
    unsigned n = monitor_cpu_count(&s);
    unsigned i = mon && mon->cpu_index < n ? mon->cpu_index : 0;

    if (!n) {
        return NULL;
    }
    if (index) {
        *index = i;
    }
    return kvm_cpu_by_index(s, i);
}

static bool phys_read(void *opaque, uint64_t gpa, void *buf, unsigned len)
{
    return address_space_read(&address_space_memory, gpa,
                              MEMTXATTRS_UNSPECIFIED, buf, len) == MEMTX_OK;
}

bool monitor_cpu_state(unsigned index, KvmCpuState *st)
{
    KvmState *s;

    if (index >= monitor_cpu_count(&s) || !kvm_cpu_get_state) {
        return false;
    }
    return kvm_cpu_get_state(kvm_cpu_by_index(s, index), st, NULL);
}

bool monitor_cpu_paging(Monitor *mon, PagingCtx *pc)
{
    KvmCpu *cpu = monitor_cpu(mon, NULL);
    KvmCpuState *st;
    bool ok;

    if (!cpu || !kvm_cpu_get_state) {
        return false;
    }
    st = g_new0(KvmCpuState, 1);
    ok = kvm_cpu_get_state(cpu, st, NULL);
    if (ok) {
        *pc = (PagingCtx){
            .cr0 = st->sregs.cr0, .cr3 = st->sregs.cr3,
            .cr4 = st->sregs.cr4, .efer = st->sregs.efer,
            .read = phys_read,
        };
    }
    g_free(st);
    return ok;
}

void hmp_cpu(Monitor *mon, char **argv)
{
    KvmState *s;
    unsigned n = monitor_cpu_count(&s);
    uint64_t idx;

    if (!argv[0] || parse_uint64(argv[0], 10, &idx) < 0) {
        monitor_puts(mon, "cpu: usage: cpu index\n");
        return;
    }
    if (idx >= n) {
        monitor_puts(mon, "invalid CPU index\n");
        return;
    }
    mon->cpu_index = (unsigned)idx;
}

void hmp_info_registers(Monitor *mon, char **argv)
{
    KvmState *s;
    unsigned n = monitor_cpu_count(&s);
    bool all = argv[0] && !strcmp(argv[0], "-a");
    unsigned cur = 0;

    if (!n || !kvm_cpu_dump_state) {
        monitor_puts(mon, "No CPU available\n");
        return;
    }
    monitor_cpu(mon, &cur);
    for (unsigned i = all ? 0 : cur; i < (all ? n : cur + 1); i++) {
        GString *out = g_string_new(NULL);
        if (all) {
            monitor_printf(mon, "\nCPU#%u\n", i);
        }
        kvm_cpu_dump_state(kvm_cpu_by_index(s, i), out);
        monitor_puts(mon, out->str);
        g_string_free(out, TRUE);
    }
}

static int64_t cpu_thread_id(KvmCpu *cpu)
{
    return kvm_cpu_thread_id ? kvm_cpu_thread_id(cpu) : (int64_t)getpid();
}

void hmp_info_cpus(Monitor *mon, char **argv)
{
    KvmState *s;
    unsigned n = monitor_cpu_count(&s);
    unsigned cur = 0;

    monitor_cpu(mon, &cur);
    for (unsigned i = 0; i < n; i++) {
        KvmCpu *cpu = kvm_cpu_by_index(s, i);
        monitor_printf(mon, "%c CPU #%u: thread_id=%" PRId64 "%s\n",
                       i == cur ? '*' : ' ', i, cpu_thread_id(cpu),
                       kvm_cpu_is_halted && kvm_cpu_is_halted(cpu)
                           ? " (halted)" : "");
    }
}

/* Where CPU i sits in the -smp topology, as QEMU's x86 boards number it:
 * threads within cores within clusters within dies within sockets. */
static CpuInstanceProperties *cpu_props(unsigned i)
{
    const MonitorMachineSize *m = &monitor_machine_size;
    CpuInstanceProperties *p = g_new0(CpuInstanceProperties, 1);

    p->has_thread_id = true;
    p->thread_id = i % m->threads;
    i /= m->threads;
    p->has_core_id = true;
    p->core_id = i % m->cores;
    i /= m->cores;
    if (m->clusters > 1) {
        p->has_cluster_id = true;
        p->cluster_id = i % m->clusters;
    }
    i /= m->clusters;
    if (m->dies > 1) {
        p->has_die_id = true;
        p->die_id = i % m->dies;
    }
    i /= m->dies;
    p->has_socket_id = true;
    p->socket_id = i;
    return p;
}

CpuInfoFastList *qmp_query_cpus_fast(GError **errp)
{
    KvmState *s;
    unsigned n = monitor_cpu_count(&s);
    CpuInfoFastList *head = NULL, **tail = &head;

    for (unsigned i = 0; i < n; i++) {
        KvmCpu *cpu = kvm_cpu_by_index(s, i);
        CpuInfoFastList *e = g_new0(CpuInfoFastList, 1);
        CpuInfoFast *info = g_new0(CpuInfoFast, 1);

        info->cpu_index = i;
        info->qom_path = kvm_cpu_qom_path ? kvm_cpu_qom_path(cpu)
                                          : g_strdup_printf("/machine/cpu[%u]",
                                                            i);
        info->thread_id = cpu_thread_id(cpu);
        info->target = SYS_EMU_TARGET_X86_64;
        info->props = cpu_props(i);
        e->value = info;
        *tail = e;
        tail = &e->next;
    }
    return head;
}
