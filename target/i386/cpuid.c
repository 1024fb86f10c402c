/*
 * CPUID: the guest's table (set by the embedder, KVM_SET_CPUID2 style) and
 * the lookup used by the CPUID instruction. The models that fill it are in
 * cpu-models.c, QEMU's names for the feature bits in cpu-features.c.
 */
#include "target/i386/engine.h"

void x86_cpuid_refresh_features(X86CPU *cpu)
{
    uint32_t r[4];

    x86_cpuid_lookup(cpu, 1, 0, r);
    cpu->feat_1_ecx = r[2];
    cpu->feat_1_edx = r[3];
    x86_cpuid_lookup(cpu, 7, 0, r);
    cpu->feat_7_ebx = r[1];
    cpu->feat_7_ecx = r[2];
    cpu->feat_7_edx = r[3];
    x86_cpuid_lookup(cpu, 0x80000001, 0, r);
    cpu->feat_e1_ecx = r[2];
    cpu->feat_e1_edx = r[3];
}

static const X86CpuidEntry *find(X86CPU *cpu, uint32_t leaf, uint32_t sub)
{
    for (int i = 0; i < cpu->ncpuid; i++) {
        const X86CpuidEntry *e = &cpu->cpuid[i];
        if (e->function == leaf &&
            (!(e->flags & X86_CPUID_FLAG_SIGNIFICANT_INDEX) ||
             e->index == sub)) {
            return e;
        }
    }
    return NULL;
}

void x86_cpuid_lookup(X86CPU *cpu, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    const X86CpuidEntry *e = find(cpu, leaf, sub);
    const X86CpuidEntry *top;

    if (!e) {
        /* out of range: Intel returns the highest basic leaf */
        top = find(cpu, leaf >= 0x80000000 ? 0x80000000 : 0, 0);
        if (top && ((leaf < 0x80000000 && leaf > top->eax) ||
                    (leaf >= 0x80000000 && leaf > top->eax))) {
            const X86CpuidEntry *b0 = find(cpu, 0, 0);
            e = b0 ? find(cpu, b0->eax, sub) : NULL;
        }
    }
    if (!e) {
        r[0] = r[1] = r[2] = r[3] = 0;
        if (leaf == 0xb || leaf == 0x1f) {
            r[3] = cpu->apic_base ? cpu->index : 0;
        }
        return;
    }
    r[0] = e->eax;
    r[1] = e->ebx;
    r[2] = e->ecx;
    r[3] = e->edx;
    if (leaf == 1) {
        r[2] &= ~CPUID_1_ECX_OSXSAVE;
        if (cpu->cr4 & CR4_OSXSAVE) {
            r[2] |= CPUID_1_ECX_OSXSAVE;
        }
    }
    if (leaf == 0xd && sub == 0 && r[0]) {
        r[1] = (cpu->xcr0 & ~3ULL) ? r[2] : 576;
    }
}

bool x86_cpu_set_cpuid(X86CPU *cpu, const X86CpuidEntry *entries, int n)
{
    if (n < 0 || n > X86_CPUID_MAX_ENTRIES) {
        return false;
    }
    memcpy(cpu->cpuid, entries, n * sizeof(*entries));
    cpu->ncpuid = n;
    x86_cpuid_refresh_features(cpu);
    return true;
}

int x86_cpu_get_cpuid(X86CPU *cpu, X86CpuidEntry *out, int max)
{
    int n = MIN(cpu->ncpuid, max);

    memcpy(out, cpu->cpuid, n * sizeof(*out));
    return cpu->ncpuid;
}
