/*
 * CPUID: the guest's table (set by the embedder, KVM_SET_CPUID2 style), the
 * lookup used by the CPUID instruction, and the models the engine offers:
 * "qemu64", "Nehalem" and "max" (everything implemented). Topology leaves
 * 0x1, 0x4, 0xB and 0x1F follow X86Topology.
 *
 * SSE-family bits describe the FPU/SSE engineer's work (x87, MMX, SSE to
 * SSE4.2); they are advertised as the x86-64 baseline requires.
 */
#include <cpuid.h>

#include "target/i386/engine.h"

static const char *const model_names[] = { "qemu64", "Nehalem", "max", NULL };

const char *const *x86_cpu_model_names(void)
{
    return model_names;
}

/* CPUID.1:EDX */
#define D_FPU (1u << 0)
#define D_DE (1u << 2)
#define D_PSE (1u << 3)
#define D_TSC (1u << 4)
#define D_MSR (1u << 5)
#define D_PAE (1u << 6)
#define D_CX8 (1u << 8)
#define D_APIC (1u << 9)
#define D_SEP (1u << 11)
#define D_MTRR (1u << 12)
#define D_PGE (1u << 13)
#define D_CMOV (1u << 15)
#define D_PAT (1u << 16)
#define D_PSE36 (1u << 17)
#define D_CLFSH (1u << 19)
#define D_MMX (1u << 23)
#define D_FXSR (1u << 24)
#define D_SSE (1u << 25)
#define D_SSE2 (1u << 26)
#define D_HTT (1u << 28)
#define C_HYPERVISOR (1u << 31)
/* The local APIC is the embedder's (hw/intc/apic.c through ukvm's MSR
 * exits): "max" offers x2APIC and the TSC-deadline timer it implements. */
#define C_X2APIC (1u << 21)
#define C_TSC_DEADLINE (1u << 24)
/* 0x80000001 */
#define E_ECX_LAHF (1u << 0)
#define E_EDX_SYSCALL (1u << 11)
#define E_EDX_NX (1u << 20)
#define E_EDX_1GB (1u << 26)
#define E_EDX_LM (1u << 29)

static unsigned bits_for(uint32_t n)
{
    unsigned b = 0;

    while ((1u << b) < n) {
        b++;
    }
    return b;
}

typedef struct {
    const char *vendor;
    uint32_t level, xlevel;
    uint32_t sig;
    uint32_t f1_ecx, f1_edx, f7_ebx, f7_ecx, e1_ecx, e1_edx;
    const char *brand;
} Model;

static const Model models[] = {
    {
        "AuthenticAMD", 0xd, 0x80000008, 0x000f06b1,
        0x1 | (1u << 13) | C_HYPERVISOR,
        D_FPU | D_DE | D_PSE | D_TSC | D_MSR | D_PAE | D_CX8 | D_APIC |
        D_SEP | D_MTRR | D_PGE | D_CMOV | D_PAT | D_PSE36 | D_CLFSH | D_MMX |
        D_FXSR | D_SSE | D_SSE2,
        0, 0, E_ECX_LAHF, E_EDX_SYSCALL | E_EDX_NX | E_EDX_LM,
        "QEMU Virtual CPU version 2.5+",
    },
    {
        "GenuineIntel", 0xd, 0x80000008, 0x000106a2,
        CPUID_1_ECX_SSE3 | CPUID_1_ECX_SSSE3 | CPUID_1_ECX_CX16 |
        CPUID_1_ECX_SSE41 | CPUID_1_ECX_SSE42 | CPUID_1_ECX_POPCNT |
        C_HYPERVISOR,
        D_FPU | D_DE | D_PSE | D_TSC | D_MSR | D_PAE | D_CX8 | D_APIC |
        D_SEP | D_MTRR | D_PGE | D_CMOV | D_PAT | D_PSE36 | D_CLFSH | D_MMX |
        D_FXSR | D_SSE | D_SSE2,
        0, 0, E_ECX_LAHF, E_EDX_SYSCALL | E_EDX_NX | E_EDX_LM,
        "Intel Core i7 9xx (Nehalem Class Core i7)",
    },
    {
        "GenuineIntel", 0x1f, 0x80000008, 0x000906a3,
        CPUID_1_ECX_SSE3 | CPUID_1_ECX_SSSE3 | CPUID_1_ECX_CX16 |
        CPUID_1_ECX_SSE41 | CPUID_1_ECX_SSE42 | CPUID_1_ECX_MOVBE |
        CPUID_1_ECX_POPCNT | CPUID_1_ECX_XSAVE | CPUID_1_ECX_RDRAND |
        C_X2APIC | C_TSC_DEADLINE | C_HYPERVISOR,
        D_FPU | D_DE | D_PSE | D_TSC | D_MSR | D_PAE | D_CX8 | D_APIC |
        D_SEP | D_MTRR | D_PGE | D_CMOV | D_PAT | D_PSE36 | D_CLFSH | D_MMX |
        D_FXSR | D_SSE | D_SSE2,
        CPUID_7_EBX_FSGSBASE | CPUID_7_EBX_BMI1 | CPUID_7_EBX_SMEP |
        CPUID_7_EBX_BMI2 | CPUID_7_EBX_ERMS | CPUID_7_EBX_RDSEED |
        CPUID_7_EBX_ADX | CPUID_7_EBX_SMAP,
        CPUID_7_ECX_RDPID,
        E_ECX_LAHF | CPUID_E1_ECX_LZCNT,
        E_EDX_SYSCALL | E_EDX_NX | E_EDX_1GB | CPUID_E1_EDX_RDTSCP | E_EDX_LM,
        "kvmu software CPU (max)",
    },
};

static int add(X86CpuidEntry *out, int n, int max, uint32_t fn, uint32_t idx,
               bool sig_idx, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    if (n < max) {
        X86CpuidEntry *e = &out[n];
        memset(e, 0, sizeof(*e));
        e->function = fn;
        e->index = idx;
        e->flags = sig_idx ? X86_CPUID_FLAG_SIGNIFICANT_INDEX : 0;
        e->eax = a;
        e->ebx = b;
        e->ecx = c;
        e->edx = d;
    }
    return n + 1;
}

static uint32_t str4(const char *s)
{
    uint32_t v = 0;

    for (int i = 0; i < 4 && s[i]; i++) {
        v |= (uint32_t)(uint8_t)s[i] << (8 * i);
    }
    return v;
}

int x86_cpuid_model_entries(const char *model, const X86Topology *topo,
                            uint32_t apic_id, X86CpuidEntry *out, int max)
{
    const Model *m = NULL;
    X86Topology t = { 1, 1, 1, 1, 1 };
    unsigned smt_bits, core_bits, die_bits;
    uint32_t logical, f1_ecx;
    int n = 0;
    char brand[48];

    for (int i = 0; model_names[i]; i++) {
        if (!g_ascii_strcasecmp(model, model_names[i])) {
            m = &models[i];
        }
    }
    if (!m) {
        return -1;
    }
    if (topo) {
        t = *topo;
        t.sockets = MAX(t.sockets, 1);
        t.dies = MAX(t.dies, 1);
        t.clusters = MAX(t.clusters, 1);
        t.cores = MAX(t.cores, 1);
        t.threads = MAX(t.threads, 1);
    }
    smt_bits = bits_for(t.threads);
    core_bits = bits_for(t.cores * t.clusters);
    die_bits = bits_for(t.dies);
    logical = t.threads * t.cores * t.clusters * t.dies;

    {
        /* x87/SSE run on the host (fpu-host.c): its SSE3+ set bounds ours */
        unsigned a, b, c = 0, d;
        uint32_t host_dep = CPUID_1_ECX_SSE3 | CPUID_1_ECX_SSSE3 |
                            CPUID_1_ECX_SSE41 | CPUID_1_ECX_SSE42;
        __get_cpuid(1, &a, &b, &c, &d);
        f1_ecx = m->f1_ecx & (~host_dep | c);
    }
    n = add(out, n, max, 0, 0, false, m->level, str4(m->vendor),
            str4(m->vendor + 8), str4(m->vendor + 4));
    n = add(out, n, max, 1, 0, false, m->sig,
            (8u << 8) | (MIN(logical, 255u) << 16) | (apic_id << 24),
            f1_ecx, m->f1_edx | (logical > 1 ? D_HTT : 0));
    if (m->level >= 4) {
        /* deterministic cache parameters: L1d, L1i, L2 per core, L3 */
        static const uint32_t caches[4][4] = {
            /* type|level, ways-1, partitions-1 / line-1, sets-1 */
            { 0x121, 7, 63, 63 },
            { 0x122, 7, 63, 63 },
            { 0x143, 15, 63, 1023 },
            { 0x163, 15, 63, 16383 },
        };
        uint32_t cores_pkg = t.cores * t.clusters * t.dies;
        for (int i = 0; i < 4; i++) {
            uint32_t share = i < 3 ? t.threads : logical;
            uint32_t a = caches[i][0] | ((MIN(share, 4096u) - 1) << 14) |
                         ((MIN(cores_pkg, 64u) - 1) << 26);
            n = add(out, n, max, 4, i, true, a,
                    (caches[i][1] << 22) | caches[i][2], caches[i][3],
                    i == 3 ? 2 : 0);
        }
        n = add(out, n, max, 4, 4, true, 0, 0, 0, 0);
    }
    if (m->level >= 6) {
        n = add(out, n, max, 6, 0, false, 4, 0, 0, 0);  /* ARAT */
    }
    if (m->level >= 7) {
        n = add(out, n, max, 7, 0, true, 0, m->f7_ebx, m->f7_ecx, 0);
    }
    if (m->level >= 0xb) {
        n = add(out, n, max, 0xb, 0, true, smt_bits, t.threads,
                0x100, apic_id);
        n = add(out, n, max, 0xb, 1, true, smt_bits + core_bits + die_bits,
                logical, 0x201, apic_id);
        n = add(out, n, max, 0xb, 2, true, 0, 0, 2, apic_id);
    }
    if (m->level >= 0xd) {
        bool xs = m->f1_ecx & CPUID_1_ECX_XSAVE;
        n = add(out, n, max, 0xd, 0, true, xs ? 3 : 0, xs ? 576 : 0,
                xs ? 576 : 0, 0);
        n = add(out, n, max, 0xd, 1, true, xs ? 1 : 0, 0, 0, 0);
    }
    if (m->level >= 0x1f) {
        n = add(out, n, max, 0x1f, 0, true, smt_bits, t.threads, 0x100,
                apic_id);
        n = add(out, n, max, 0x1f, 1, true, smt_bits + core_bits,
                t.threads * t.cores * t.clusters, 0x201, apic_id);
        n = add(out, n, max, 0x1f, 2, true,
                smt_bits + core_bits + die_bits, logical, 0x502, apic_id);
        n = add(out, n, max, 0x1f, 3, true, 0, 0, 3, apic_id);
    }
    n = add(out, n, max, 0x80000000, 0, false, m->xlevel,
            str4(m->vendor), str4(m->vendor + 8), str4(m->vendor + 4));
    n = add(out, n, max, 0x80000001, 0, false, m->sig, 0, m->e1_ecx,
            m->e1_edx);
    memset(brand, 0, sizeof(brand));
    g_strlcpy(brand, m->brand, sizeof(brand));
    for (int i = 0; i < 3; i++) {
        const char *b = brand + i * 16;
        n = add(out, n, max, 0x80000002 + i, 0, false, str4(b), str4(b + 4),
                str4(b + 8), str4(b + 12));
    }
    n = add(out, n, max, 0x80000005, 0, false, 0x01ff01ff, 0x01ff01ff,
            0x40020140, 0x40020140);
    n = add(out, n, max, 0x80000006, 0, false, 0, 0x42004200, 0x02008140,
            0);
    n = add(out, n, max, 0x80000007, 0, false, 0, 0, 0, 1u << 8);
    n = add(out, n, max, 0x80000008, 0, false, 0x3028, 0,
            (logical - 1) & 0xff, 0);
    return n;
}

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
