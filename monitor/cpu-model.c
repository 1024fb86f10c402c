/*
 * CPU models for query-cpu-definitions / query-cpu-model-expansion, taken
 * from target/i386 (x86_cpu_model_names(), x86_cpuid_model_entries()) and
 * described with QEMU's feature property names from the CPUID bits a model
 * sets. target/i386 is linked by the emulator binary (through accel/), not
 * by the monitor library, so it is referenced weakly: where it is absent
 * (unit tests) the monitor falls back to its basic list.
 */
#include "monitor-internal.h"
#include "target/i386/cpu.h"

#include <string.h>

extern const char *const *x86_cpu_model_names(void) __attribute__((weak));
extern int x86_cpuid_model_entries(const char *model, const X86Topology *topo,
                                   uint32_t apic_id, X86CpuidEntry *out,
                                   int max) __attribute__((weak));

typedef struct FeatureWord {
    uint32_t leaf, subleaf;
    char reg;                   /* 'a', 'b', 'c', 'd' */
    const char *names[32];
} FeatureWord;

/* QEMU's property names for the CPUID feature bits. */
static const FeatureWord feature_words[] = {
    { 1, 0, 'd', {
        "fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic",
        NULL, "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "pn",
        "clflush", NULL, "ds", "acpi", "mmx", "fxsr", "sse", "sse2", "ss",
        "ht", "tm", "ia64", "pbe" } },
    { 1, 0, 'c', {
        "pni", "pclmulqdq", "dtes64", "monitor", "ds-cpl", "vmx", "smx",
        "est", "tm2", "ssse3", "cid", NULL, "fma", "cx16", "xtpr", "pdcm",
        NULL, "pcid", "dca", "sse4.1", "sse4.2", "x2apic", "movbe",
        "popcnt", "tsc-deadline", "aes", "xsave", NULL, "avx", "f16c",
        "rdrand", "hypervisor" } },
    { 7, 0, 'b', {
        "fsgsbase", "tsc-adjust", "sgx", "bmi1", "hle", "avx2", NULL,
        "smep", "bmi2", "erms", "invpcid", "rtm", NULL, NULL, "mpx", NULL,
        "avx512f", "avx512dq", "rdseed", "adx", "smap", "avx512ifma",
        "pcommit", "clflushopt", "clwb", "intel-pt", "avx512pf",
        "avx512er", "avx512cd", "sha-ni", "avx512bw", "avx512vl" } },
    { 7, 0, 'c', {
        NULL, "avx512vbmi", "umip", "pku", NULL, "waitpkg", "avx512vbmi2",
        NULL, "gfni", "vaes", "vpclmulqdq", "avx512vnni", "avx512bitalg",
        NULL, "avx512-vpopcntdq", NULL, "la57", NULL, NULL, NULL, NULL,
        NULL, "rdpid", NULL, "bus-lock-detect", "cldemote", NULL,
        "movdiri", "movdir64b", NULL, "sgxlc", "pks" } },
    { 0x80000001, 0, 'd', {
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        "syscall", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "nx",
        NULL, "mmxext", NULL, NULL, "fxsr-opt", "pdpe1gb", "rdtscp", NULL,
        "lm", "3dnowext", "3dnow" } },
    { 0x80000001, 0, 'c', {
        "lahf-lm", "cmp-legacy", "svm", "extapic", "cr8legacy", "abm",
        "sse4a", "misalignsse", "3dnowprefetch", "osvw", "ibs", "xop",
        "skinit", "wdt", NULL, "lwp", "fma4", "tce", NULL, "nodeid-msr",
        NULL, "tbm", "topoext", "perfctr-core", "perfctr-nb" } },
    { 0xD, 1, 'a', { "xsaveopt", "xsavec", "xgetbv1", "xsaves" } },
};

static uint32_t entry_reg(const X86CpuidEntry *e, char reg)
{
    switch (reg) {
    case 'a': return e->eax;
    case 'b': return e->ebx;
    case 'c': return e->ecx;
    default:  return e->edx;
    }
}

/* Every known feature as true/false for the model (QEMU's "full"). */
static QDict *cpuid_model_expand(const char *model, bool full, GError **errp)
{
    X86CpuidEntry entries[X86_CPUID_MAX_ENTRIES];
    X86Topology topo = { 1, 1, 1, 1, 1 };
    int n = x86_cpuid_model_entries(model, &topo, 0, entries,
                                    X86_CPUID_MAX_ENTRIES);
    QDict *props;

    if (n < 0) {
        error_setg(errp, "The CPU type '%s' is not a recognized X86 CPU "
                   "type", model);
        return NULL;
    }
    props = qdict_new();
    for (size_t w = 0; w < G_N_ELEMENTS(feature_words); w++) {
        const FeatureWord *fw = &feature_words[w];
        uint32_t bits = 0;

        for (int i = 0; i < n; i++) {
            if (entries[i].function == fw->leaf &&
                entries[i].index == fw->subleaf) {
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
        monitor_cpu_models()) {
        return;         /* engine not linked in, or the cli registered */
    }
    names = x86_cpu_model_names();
    for (int i = 0; names && names[i]; i++) {
        /* "max" follows the host/provider: not migration-safe */
        monitor_register_cpu_model(names[i], strcmp(names[i], "max") != 0);
    }
    if (!monitor_cpu_model_expander()) {
        monitor_set_cpu_model_expander(cpuid_model_expand);
    }
}
