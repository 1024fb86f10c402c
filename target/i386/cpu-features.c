/*
 * QEMU's property names for the CPUID feature bits ("-cpu model,+avx2",
 * query-cpu-model-expansion), one word per leaf/subleaf/register. Shared by
 * accel/kvm (-cpu +feat/-feat, the "doesn't support requested feature"
 * warnings) and monitor/ (model expansion). Names are the Linux/QEMU flag
 * names of the Intel SDM and AMD APM CPUID bit descriptions.
 */
#include "target/i386/engine.h"

static const X86FeatureWord words[] = {
    { 1, 0, 3, { "fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce",
                 "cx8", "apic", NULL, "sep", "mtrr", "pge", "mca", "cmov",
                 "pat", "pse36", "pn", "clflush", NULL, "ds", "acpi", "mmx",
                 "fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe" } },
    { 1, 0, 2, { "pni", "pclmulqdq", "dtes64", "monitor", "ds-cpl", "vmx",
                 "smx", "est", "tm2", "ssse3", "cid", NULL, "fma", "cx16",
                 "xtpr", "pdcm", NULL, "pcid", "dca", "sse4.1", "sse4.2",
                 "x2apic", "movbe", "popcnt", "tsc-deadline", "aes", "xsave",
                 NULL, "avx", "f16c", "rdrand", "hypervisor" } },
    { 7, 0, 1, { "fsgsbase", "tsc-adjust", "sgx", "bmi1", "hle", "avx2",
                 NULL, "smep", "bmi2", "erms", "invpcid", "rtm", NULL, NULL,
                 "mpx", NULL, "avx512f", "avx512dq", "rdseed", "adx", "smap",
                 "avx512ifma", "pcommit", "clflushopt", "clwb", "intel-pt",
                 "avx512pf", "avx512er", "avx512cd", "sha-ni", "avx512bw",
                 "avx512vl" } },
    { 7, 0, 2, { NULL, "avx512vbmi", "umip", "pku", NULL, "waitpkg",
                 "avx512vbmi2", NULL, "gfni", "vaes", "vpclmulqdq",
                 "avx512vnni", "avx512bitalg", NULL, "avx512-vpopcntdq",
                 NULL, "la57", NULL, NULL, NULL, NULL, NULL, "rdpid", NULL,
                 "bus-lock-detect", "cldemote", NULL, "movdiri",
                 "movdir64b", NULL, "sgxlc", "pks" } },
    { 7, 0, 3, { [4] = "fsrm", [10] = "md-clear", [14] = "serialize",
                 [26] = "spec-ctrl", [27] = "stibp", [29] =
                 "arch-capabilities", [31] = "ssbd" } },
    { 7, 1, 0, { [4] = "avx-vnni", [5] = "avx512-bf16" } },
    { 0x80000001, 0, 3, { [11] = "syscall", [20] = "nx", [22] = "mmxext",
                          [25] = "fxsr-opt", [26] = "pdpe1gb",
                          [27] = "rdtscp", [29] = "lm", [30] = "3dnowext",
                          [31] = "3dnow" } },
    { 0x80000001, 0, 2, { "lahf-lm", "cmp-legacy", "svm", "extapic",
                          "cr8legacy", "abm", "sse4a", "misalignsse",
                          "3dnowprefetch", "osvw", "ibs", "xop", "skinit",
                          "wdt", NULL, "lwp", "fma4", "tce", NULL,
                          "nodeid-msr", NULL, "tbm", "topoext",
                          "perfctr-core", "perfctr-nb" } },
    { 0xd, 1, 0, { "xsaveopt", "xsavec", "xgetbv1", "xsaves" } },
    { 6, 0, 0, { [2] = "arat" } },
    { 0x80000007, 0, 3, { [8] = "invtsc" } },
    { 0x80000008, 0, 1, { [0] = "clzero", [2] = "xsaveerptr",
                          [9] = "wbnoinvd", [12] = "ibpb", [14] = "ibrs",
                          [15] = "amd-stibp", [24] = "amd-ssbd",
                          [25] = "virt-ssbd", [26] = "amd-no-ssb" } },
    { 0x40000001, 0, 0, { "kvmclock", "kvm-nopiodelay", "kvm-mmu",
                          "kvmclock", "kvm-asyncpf", "kvm-steal-time",
                          "kvm-pv-eoi", "kvm-pv-unhalt", NULL,
                          "kvm-pv-tlb-flush", "kvm-asyncpf-vmexit",
                          "kvm-pv-ipi", "kvm-poll-control",
                          "kvm-pv-sched-yield", "kvm-asyncpf-int",
                          "kvm-msi-ext-dest-id",
                          [24] = "kvmclock-stable-bit" } },
};

const X86FeatureWord *x86_cpu_feature_words(int *n)
{
    *n = G_N_ELEMENTS(words);
    return words;
}

const X86FeatureWord *x86_cpu_feature_word(uint32_t leaf, uint32_t index,
                                           int reg)
{
    for (size_t i = 0; i < G_N_ELEMENTS(words); i++) {
        const X86FeatureWord *w = &words[i];
        if (w->leaf == leaf && w->index == index && w->reg == reg) {
            return w;
        }
    }
    return NULL;
}
