/*
 * CPU models for query-cpu-definitions / query-cpu-model-expansion, taken
 * from target/i386 (x86_cpu_model_names(), x86_cpuid_model_entries()) and
 * described with QEMU's feature property names (x86_cpu_feature_words(),
 * the table accel/kvm uses for -cpu +feat) from the CPUID bits a model
 * sets. "host" and "max" are the running accelerator's supported set when
 * there is one (kvm_cpu_model_cpuid()), else what the engine (ukvm)
 * implements.
 * target/i386 and accel/ are linked by the emulator binary, not by the
 * monitor library, so they are referenced weakly: where they are absent
 * (unit tests) the monitor falls back to its basic list.
 */
#include "monitor-internal.h"
#include "accel/kvm.h"
#include "target/i386/cpu.h"

#include <string.h>

extern const char *const *x86_cpu_model_names(void) __attribute__((weak));
extern int x86_cpuid_model_entries(const char *model, const X86Topology *topo,
                                   uint32_t apic_id, X86CpuidEntry *out,
                                   int max) __attribute__((weak));
extern const X86FeatureWord *x86_cpu_feature_words(int *n)
    __attribute__((weak));
extern KvmState *kvm_state(void) __attribute__((weak));
extern struct kvm_cpuid2 *kvm_cpu_model_cpuid(KvmState *s,
                                              const KvmCpuConfig *cfg,
                                              GError **errp)
    __attribute__((weak));

static uint32_t entry_reg(const X86CpuidEntry *e, int reg)
{
    switch (reg) {
    case 0: return e->eax;
    case 1: return e->ebx;
    case 2: return e->ecx;
    default: return e->edx;
    }
}

/* "host"/"max" from the running accelerator's provider; -1 without. */
static int host_entries(const char *model, X86CpuidEntry *out, int max)
{
    KvmState *s = kvm_state && kvm_cpu_model_cpuid ? kvm_state() : NULL;
    KvmCpuConfig cfg = { .model = model };
    struct kvm_cpuid2 *c = s ? kvm_cpu_model_cpuid(s, &cfg, NULL) : NULL;
    int n;

    if (!c) {
        return -1;
    }
    n = MIN((int)c->nent, max);
    memcpy(out, c->entries, n * sizeof(*out));
    g_free(c);
    return n;
}

/* Every known feature as true/false for the model (QEMU's "full"). */
static QDict *cpuid_model_expand(const char *model, bool full, GError **errp)
{
    X86CpuidEntry entries[X86_CPUID_MAX_ENTRIES];
    X86Topology topo = { 1, 1, 1, 1, 1 };
    int n = -1, nwords;
    const X86FeatureWord *words = x86_cpu_feature_words(&nwords);
    QDict *props;

    G_STATIC_ASSERT(sizeof(X86CpuidEntry) == sizeof(struct kvm_cpuid_entry2));
    if (!g_ascii_strcasecmp(model, "host") ||
        !g_ascii_strcasecmp(model, "max")) {
        n = host_entries(model, entries, X86_CPUID_MAX_ENTRIES);
    }
    if (n < 0) {
        n = x86_cpuid_model_entries(model, &topo, 0, entries,
                                    X86_CPUID_MAX_ENTRIES);
    }
    if (n < 0) {
        error_setg(errp, "The CPU type '%s' is not a recognized X86 CPU "
                   "type", model);
        return NULL;
    }
    n = MIN(n, X86_CPUID_MAX_ENTRIES);
    props = qdict_new();
    for (int w = 0; w < nwords; w++) {
        const X86FeatureWord *fw = &words[w];
        uint32_t bits = 0;

        if (fw->leaf >= 0x40000000 && fw->leaf < 0x40000100) {
            continue;           /* the accelerator's, not the model's */
        }
        for (int i = 0; i < n; i++) {
            if (entries[i].function == fw->leaf &&
                entries[i].index == fw->index) {
                bits = entry_reg(&entries[i], fw->reg);
                break;
            }
        }
        for (int b = 0; b < 32; b++) {
            if (fw->names[b]) {
                qdict_put_bool(props, fw->names[b], bits & (1u << b));
            }
        }
    }
    return props;
}

void monitor_cpu_models_init(void)
{
    const char *const *names;

    if (!x86_cpu_model_names || !x86_cpuid_model_entries ||
        !x86_cpu_feature_words || monitor_cpu_models()) {
        return;         /* engine not linked in, or the cli registered */
    }
    names = x86_cpu_model_names();
    for (int i = 0; names && names[i]; i++) {
        /* "max" and "host" follow the host/provider: not migration-safe */
        monitor_register_cpu_model(names[i], strcmp(names[i], "max") != 0 &&
                                             strcmp(names[i], "host") != 0);
    }
    if (!monitor_cpu_model_expander()) {
        monitor_set_cpu_model_expander(cpuid_model_expand);
    }
}
