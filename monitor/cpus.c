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

#include <string.h>

extern KvmState *kvm_state(void) __attribute__((weak));
extern unsigned kvm_cpu_count(KvmState *s) __attribute__((weak));
extern KvmCpu *kvm_cpu_by_index(KvmState *s, uint32_t index)
    __attribute__((weak));
extern void kvm_cpu_nmi(KvmCpu *cpu) __attribute__((weak));
extern void kvm_cpu_dump_state(KvmCpu *cpu, GString *out)
    __attribute__((weak));

/* Number of vCPUs (0 without an accelerator or a board). */
static unsigned monitor_cpu_count(KvmState **s)
{
    *s = kvm_state ? kvm_state() : NULL;
    return *s && kvm_cpu_count ? kvm_cpu_count(*s) : 0;
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

void hmp_info_registers(Monitor *mon, char **argv)
{
    KvmState *s;
    unsigned n = monitor_cpu_count(&s);
    bool all = argv[0] && !strcmp(argv[0], "-a");

    if (!n || !kvm_cpu_dump_state) {
        monitor_puts(mon, "No CPU available\n");
        return;
    }
    for (unsigned i = 0; i < (all ? n : 1); i++) {
        GString *out = g_string_new(NULL);
        if (all) {
            monitor_printf(mon, "\nCPU#%u\n", i);
        }
        kvm_cpu_dump_state(kvm_cpu_by_index(s, i), out);
        monitor_puts(mon, out->str);
        g_string_free(out, TRUE);
    }
}

void hmp_info_cpus(Monitor *mon, char **argv)
{
    KvmState *s;
    unsigned n = monitor_cpu_count(&s);

    for (unsigned i = 0; i < n; i++) {
        monitor_printf(mon, "%c CPU #%u\n", i == 0 ? '*' : ' ', i);
    }
}
