/*
 * The named CPU models (-cpu qemu64, Westmere, Haswell, EPYC, ...) as CPUID
 * tables, "max" (everything the engine implements) and "host" (the
 * provider's supported set, x86_cpuid_host_entries). Topology leaves 0x1,
 * 0x4, 0xB and 0x1F follow X86Topology.
 *
 * The feature sets are those the vendors document for each generation
 * (Intel SDM vol. 2 CPUID and the ARK product pages, AMD's family 17h
 * PPRs): signature, level/xlevel, leaf 1/7/0x80000001/0xD.1 bits, and
 * QEMU's model-id strings so that guests and tools see the same names.
 * SSE-family bits describe the FPU/SSE engine (x87, MMX, SSE to SSE4.2):
 * they run on the host, whose SSE3+ set bounds what a model offers.
 */
#include <cpuid.h>

#include "target/i386/engine.h"

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
#define BASE_EDX (D_FPU | D_DE | D_PSE | D_TSC | D_MSR | D_PAE | D_CX8 | \
                  D_APIC | D_SEP | D_MTRR | D_PGE | D_CMOV | D_PAT | \
                  D_PSE36 | D_CLFSH | D_MMX | D_FXSR | D_SSE | D_SSE2)
/* CPUID.1:ECX */
#define C_SSE3 (1u << 0)
#define C_PCLMUL (1u << 1)
#define C_MONITOR (1u << 3)
#define C_SSSE3 (1u << 9)
#define C_FMA (1u << 12)
#define C_CX16 (1u << 13)
#define C_PCID (1u << 17)
#define C_SSE41 (1u << 19)
#define C_SSE42 (1u << 20)
#define C_X2APIC (1u << 21)
#define C_MOVBE (1u << 22)
#define C_POPCNT (1u << 23)
#define C_TSC_DEADLINE (1u << 24)
#define C_AES (1u << 25)
#define C_XSAVE (1u << 26)
#define C_AVX (1u << 28)
#define C_F16C (1u << 29)
#define C_RDRAND (1u << 30)
#define C_HYPERVISOR (1u << 31)
/* CPUID.7.0:EBX */
#define B_FSGSBASE (1u << 0)
#define B_BMI1 (1u << 3)
#define B_HLE (1u << 4)
#define B_AVX2 (1u << 5)
#define B_SMEP (1u << 7)
#define B_BMI2 (1u << 8)
#define B_ERMS (1u << 9)
#define B_INVPCID (1u << 10)
#define B_RTM (1u << 11)
#define B_AVX512F (1u << 16)
#define B_AVX512DQ (1u << 17)
#define B_RDSEED (1u << 18)
#define B_ADX (1u << 19)
#define B_SMAP (1u << 20)
#define B_AVX512IFMA (1u << 21)
#define B_CLFLUSHOPT (1u << 23)
#define B_CLWB (1u << 24)
#define B_AVX512CD (1u << 28)
#define B_SHA (1u << 29)
#define B_AVX512BW (1u << 30)
#define B_AVX512VL (1u << 31)
/* CPUID.7.0:ECX */
#define X_AVX512VBMI (1u << 1)
#define X_UMIP (1u << 2)
#define X_PKU (1u << 3)
#define X_AVX512VBMI2 (1u << 6)
#define X_GFNI (1u << 8)
#define X_VAES (1u << 9)
#define X_VPCLMULQDQ (1u << 10)
#define X_AVX512VNNI (1u << 11)
#define X_AVX512BITALG (1u << 12)
#define X_AVX512VPOPCNTDQ (1u << 14)
#define X_LA57 (1u << 16)
#define X_RDPID (1u << 22)
/* CPUID.7.0:EDX */
#define DX_FSRM (1u << 4)
#define DX_SPEC_CTRL (1u << 26)
/* CPUID.80000001H */
#define EC_LAHF (1u << 0)
#define EC_ABM (1u << 5)
#define EC_SSE4A (1u << 6)
#define EC_MISALIGNSSE (1u << 7)
#define EC_3DNOWPREFETCH (1u << 8)
#define EC_OSVW (1u << 9)
#define EC_XOP (1u << 11)
#define EC_FMA4 (1u << 16)
#define EC_TBM (1u << 21)
#define ED_SYSCALL (1u << 11)
#define ED_NX (1u << 20)
#define ED_MMXEXT (1u << 22)
#define ED_FXSR_OPT (1u << 25)
#define ED_1GB (1u << 26)
#define ED_RDTSCP (1u << 27)
#define ED_LM (1u << 29)
#define ED_INTEL64 (ED_SYSCALL | ED_NX | ED_LM)
/* CPUID.0DH.1:EAX */
#define XS_OPT (1u << 0)
#define XS_C (1u << 1)
#define XS_GETBV1 (1u << 2)

/* family/model/stepping as CPUID.1:EAX encodes them (SDM vol. 2 CPUID) */
#define SIG(f, m, s) ((((f) > 15 ? 15u : (f)) << 8) | \
                      (((f) > 15 ? (f) - 15u : 0) << 20) | \
                      (((m) & 0xfu) << 4) | (((m) >> 4) << 16) | (s))

#define INTEL "GenuineIntel"
#define AMD "AuthenticAMD"

typedef struct Model {
    const char *name;
    const char *vendor;
    uint32_t level, xlevel;
    uint32_t sig;
    uint32_t f1_ecx, f1_edx, f7_ebx, f7_ecx, e1_ecx, e1_edx, d1_eax;
    const char *brand;
    uint32_t f7_edx;
    bool ibrs;                      /* QEMU has a Name-IBRS variant */
} Model;

/* leaf 1 ECX of a generation = its predecessor's plus these */
#define NHM_ECX (C_SSE3 | C_SSSE3 | C_CX16 | C_SSE41 | C_SSE42 | C_POPCNT)
#define WSM_ECX (NHM_ECX | C_PCLMUL | C_AES)
#define SNB_ECX (WSM_ECX | C_X2APIC | C_TSC_DEADLINE | C_XSAVE | C_AVX)
#define IVB_ECX (SNB_ECX | C_F16C | C_RDRAND)
#define HSW_ECX (IVB_ECX | C_FMA | C_MOVBE | C_PCID)
#define IVB_7B (B_FSGSBASE | B_SMEP | B_ERMS)
#define HSW_7B (IVB_7B | B_BMI1 | B_HLE | B_AVX2 | B_BMI2 | B_INVPCID | B_RTM)
#define BDW_7B (HSW_7B | B_RDSEED | B_ADX | B_SMAP)
#define SKL_7B (BDW_7B | B_CLFLUSHOPT)
#define SKX_7B (SKL_7B | B_AVX512F | B_AVX512DQ | B_AVX512CD | B_AVX512BW | \
                B_AVX512VL | B_CLWB)
#define ICX_7B (SKX_7B | B_AVX512IFMA | B_SHA)
#define ICX_7C (X_AVX512VBMI | X_UMIP | X_PKU | X_AVX512VBMI2 | X_GFNI | \
                X_VAES | X_VPCLMULQDQ | X_AVX512VNNI | X_AVX512BITALG | \
                X_AVX512VPOPCNTDQ | X_LA57 | X_RDPID)
#define ZEN_ECX (C_SSE3 | C_PCLMUL | C_SSSE3 | C_FMA | C_CX16 | C_SSE41 | \
                 C_SSE42 | C_MOVBE | C_POPCNT | C_AES | C_XSAVE | C_AVX | \
                 C_F16C | C_RDRAND)
#define ZEN_7B (B_FSGSBASE | B_BMI1 | B_AVX2 | B_SMEP | B_BMI2 | B_RDSEED | \
                B_ADX | B_SMAP | B_CLFLUSHOPT | B_SHA)
#define ZEN_E1C (EC_LAHF | EC_ABM | EC_SSE4A | EC_MISALIGNSSE | \
                 EC_3DNOWPREFETCH | EC_OSVW)
#define ZEN_E1D (ED_SYSCALL | ED_NX | ED_MMXEXT | ED_FXSR_OPT | ED_1GB | \
                 ED_RDTSCP | ED_LM)

static const Model models[] = {
    /*
     * QEMU's qemu64 is family 15 model 107 (SIG(15, 107, 1)), but Linux
     * then reads AMD K8 MSRs (SYSCFG 0xc0010010) that the engine does not
     * implement yet; until it does, kvmu's historical signature (0xf06b1,
     * read as family 6) stays.
     */
    { "qemu64", AMD, 0xd, 0x80000008, 0x000f06b1,
      C_SSE3 | C_CX16, BASE_EDX, 0, 0, EC_LAHF, ED_INTEL64, 0,
      "QEMU Virtual CPU version 2.5+" },
    { "qemu32", INTEL, 4, 0x80000004, SIG(6, 6, 3),
      C_SSE3, BASE_EDX, 0, 0, 0, 0, 0,
      "QEMU Virtual CPU version 2.5+" },
    { "kvm64", INTEL, 0xd, 0x80000008, SIG(15, 6, 1),
      C_SSE3 | C_CX16, BASE_EDX, 0, 0, 0, ED_INTEL64, 0,
      "Common KVM processor" },
    { "kvm32", INTEL, 5, 0x80000008, SIG(15, 6, 1),
      C_SSE3, BASE_EDX, 0, 0, 0, 0, 0,
      "Common 32-bit KVM processor" },
    { "core2duo", INTEL, 10, 0x80000008, SIG(6, 15, 11),
      C_SSE3 | C_MONITOR | C_SSSE3 | C_CX16, BASE_EDX, 0, 0, EC_LAHF,
      ED_INTEL64, 0,
      "Intel(R) Core(TM)2 Duo CPU     T7700  @ 2.40GHz" },
    { "Penryn", INTEL, 0xd, 0x80000008, SIG(6, 23, 3),
      C_SSE3 | C_SSSE3 | C_CX16 | C_SSE41, BASE_EDX, 0, 0, EC_LAHF,
      ED_INTEL64, 0,
      "Intel Core 2 Duo P9xxx (Penryn Class Core 2)" },
    { "Conroe", INTEL, 10, 0x80000008, SIG(6, 15, 3),
      C_SSE3 | C_SSSE3, BASE_EDX, 0, 0, EC_LAHF, ED_INTEL64, 0,
      "Intel Celeron_4x0 (Conroe/Merom Class Core 2)" },
    { "Nehalem", INTEL, 0xd, 0x80000008, SIG(6, 26, 2),
      NHM_ECX, BASE_EDX, 0, 0, EC_LAHF, ED_INTEL64, 0,
      "Intel Core i7 9xx (Nehalem Class Core i7)", 0, true },
    { "Westmere", INTEL, 0xb, 0x80000008, SIG(6, 44, 1),
      WSM_ECX, BASE_EDX, 0, 0, EC_LAHF, ED_INTEL64 | ED_RDTSCP, 0,
      "Westmere E56xx/L56xx/X56xx (Nehalem-C)", 0, true },
    { "SandyBridge", INTEL, 0xd, 0x80000008, SIG(6, 42, 1),
      SNB_ECX, BASE_EDX, 0, 0, EC_LAHF, ED_INTEL64 | ED_RDTSCP, XS_OPT,
      "Intel Xeon E312xx (Sandy Bridge)", 0, true },
    { "IvyBridge", INTEL, 0xd, 0x80000008, SIG(6, 58, 9),
      IVB_ECX, BASE_EDX, IVB_7B, 0, EC_LAHF, ED_INTEL64 | ED_RDTSCP, XS_OPT,
      "Intel Xeon E3-12xx v2 (Ivy Bridge)", 0, true },
    { "Haswell", INTEL, 0xd, 0x80000008, SIG(6, 60, 4),
      HSW_ECX, BASE_EDX, HSW_7B, 0, EC_LAHF | EC_ABM,
      ED_INTEL64 | ED_RDTSCP, XS_OPT,
      "Intel Core Processor (Haswell)", 0, true },
    { "Broadwell", INTEL, 0xd, 0x80000008, SIG(6, 61, 2),
      HSW_ECX, BASE_EDX, BDW_7B, 0, EC_LAHF | EC_ABM | EC_3DNOWPREFETCH,
      ED_INTEL64 | ED_RDTSCP, XS_OPT,
      "Intel Core Processor (Broadwell)", 0, true },
    { "Skylake-Client", INTEL, 0xd, 0x80000008, SIG(6, 94, 3),
      HSW_ECX, BASE_EDX, SKL_7B, 0, EC_LAHF | EC_ABM | EC_3DNOWPREFETCH,
      ED_INTEL64 | ED_RDTSCP, XS_OPT | XS_C | XS_GETBV1,
      "Intel Core Processor (Skylake)", 0, true },
    { "Skylake-Server", INTEL, 0xd, 0x80000008, SIG(6, 85, 4),
      HSW_ECX, BASE_EDX, SKX_7B, X_PKU, EC_LAHF | EC_ABM | EC_3DNOWPREFETCH,
      ED_INTEL64 | ED_RDTSCP | ED_1GB, XS_OPT | XS_C | XS_GETBV1,
      "Intel Xeon Processor (Skylake)", 0, true },
    { "Cascadelake-Server", INTEL, 0xd, 0x80000008, SIG(6, 85, 6),
      HSW_ECX, BASE_EDX, SKX_7B, X_PKU | X_AVX512VNNI,
      EC_LAHF | EC_ABM | EC_3DNOWPREFETCH, ED_INTEL64 | ED_RDTSCP | ED_1GB,
      XS_OPT | XS_C | XS_GETBV1,
      "Intel Xeon Processor (Cascadelake)" },
    { "Icelake-Server", INTEL, 0xd, 0x80000008, SIG(6, 106, 6),
      HSW_ECX, BASE_EDX, ICX_7B, ICX_7C,
      EC_LAHF | EC_ABM | EC_3DNOWPREFETCH, ED_INTEL64 | ED_RDTSCP | ED_1GB,
      XS_OPT | XS_C | XS_GETBV1,
      "Intel Xeon Processor (Icelake)" },
    { "EPYC", AMD, 0xd, 0x80000008, SIG(23, 1, 2),
      ZEN_ECX, BASE_EDX, ZEN_7B, 0, ZEN_E1C, ZEN_E1D,
      XS_OPT | XS_C | XS_GETBV1,
      "AMD EPYC Processor" },
    { "EPYC-Rome", AMD, 0xd, 0x80000008, SIG(23, 49, 0),
      ZEN_ECX, BASE_EDX, ZEN_7B | B_CLWB, X_UMIP | X_RDPID, ZEN_E1C,
      ZEN_E1D, XS_OPT | XS_C | XS_GETBV1,
      "AMD EPYC-Rome Processor" },
    { "EPYC-Milan", AMD, 0xd, 0x80000008, SIG(25, 1, 1),
      ZEN_ECX | C_PCID, BASE_EDX, ZEN_7B | B_CLWB | B_ERMS | B_INVPCID,
      X_UMIP | X_PKU | X_VAES | X_VPCLMULQDQ | X_RDPID, ZEN_E1C, ZEN_E1D,
      XS_OPT | XS_C | XS_GETBV1,
      "AMD EPYC-Milan Processor", DX_FSRM },
    /* AMD's Opteron generations: K8 rev E, rev F, family 10h, 15h, 15h */
    { "Opteron_G1", AMD, 5, 0x80000008, SIG(15, 6, 1),
      C_SSE3, BASE_EDX, 0, 0, 0, ED_INTEL64, 0,
      "AMD Opteron 240 (Gen 1 Class Opteron)" },
    { "Opteron_G2", AMD, 5, 0x80000008, SIG(15, 6, 1),
      C_SSE3 | C_CX16, BASE_EDX, 0, 0, EC_LAHF, ED_INTEL64 | ED_RDTSCP, 0,
      "AMD Opteron 22xx (Gen 2 Class Opteron)" },
    { "Opteron_G3", AMD, 5, 0x80000008, SIG(16, 2, 3),
      C_SSE3 | C_CX16 | C_POPCNT, BASE_EDX, 0, 0,
      EC_LAHF | EC_ABM | EC_SSE4A | EC_MISALIGNSSE,
      ED_INTEL64 | ED_RDTSCP, 0,
      "AMD Opteron 23xx (Gen 3 Class Opteron)" },
    { "Opteron_G4", AMD, 0xd, 0x80000008, SIG(21, 1, 2),
      C_SSE3 | C_PCLMUL | C_SSSE3 | C_CX16 | C_SSE41 | C_SSE42 | C_POPCNT |
      C_AES | C_XSAVE | C_AVX, BASE_EDX, 0, 0,
      EC_LAHF | EC_ABM | EC_SSE4A | EC_MISALIGNSSE | EC_3DNOWPREFETCH |
      EC_XOP | EC_FMA4, ED_INTEL64 | ED_RDTSCP | ED_1GB, 0,
      "AMD Opteron 62xx class CPU" },
    { "Opteron_G5", AMD, 0xd, 0x80000008, SIG(21, 2, 0),
      C_SSE3 | C_PCLMUL | C_SSSE3 | C_FMA | C_CX16 | C_SSE41 | C_SSE42 |
      C_POPCNT | C_AES | C_XSAVE | C_AVX | C_F16C, BASE_EDX, 0, 0,
      EC_LAHF | EC_ABM | EC_SSE4A | EC_MISALIGNSSE | EC_3DNOWPREFETCH |
      EC_XOP | EC_FMA4 | EC_TBM, ED_INTEL64 | ED_RDTSCP | ED_1GB, 0,
      "AMD Opteron 63xx class CPU" },
    { "max", INTEL, 0x1f, 0x80000008, SIG(6, 154, 3),
      C_SSE3 | C_SSSE3 | C_CX16 | C_SSE41 | C_SSE42 | C_MOVBE | C_POPCNT |
      C_XSAVE | C_RDRAND | C_X2APIC | C_TSC_DEADLINE,
      BASE_EDX,
      B_FSGSBASE | B_BMI1 | B_SMEP | B_BMI2 | B_ERMS | B_RDSEED | B_ADX |
      B_SMAP,
      X_RDPID, EC_LAHF | EC_ABM,
      ED_INTEL64 | ED_1GB | ED_RDTSCP, XS_OPT,
      "kvmu software CPU (max)" },
};

#define N_MODELS G_N_ELEMENTS(models)
#define HOST_DESC "processor with all supported host features"
#define MAX_DESC "Enables all features supported by the accelerator in the " \
                 "current host"

static const char *model_names[N_MODELS + 2];

const char *const *x86_cpu_model_names(void)
{
    if (!model_names[0]) {
        for (size_t i = 0; i < N_MODELS; i++) {
            model_names[i] = models[i].name;
        }
        model_names[N_MODELS] = "host";
    }
    return model_names;
}

/*
 * @name, @name-v1 (QEMU's first version of each model), and QEMU's
 * variants @name-IBRS (+spec-ctrl), @name-noTSX (no HLE/RTM) and
 * @name-noTSX-IBRS of the Intel generations that have them.
 */
static bool find_model(const char *name, Model *out)
{
    g_autofree char *base = g_strdup(name);
    bool ibrs = false, notsx = false;

    if (g_str_has_suffix(base, "-v1")) {
        base[strlen(base) - 3] = 0;
    } else {
        if (g_str_has_suffix(base, "-IBRS")) {
            ibrs = true;
            base[strlen(base) - 5] = 0;
        }
        if (g_str_has_suffix(base, "-noTSX")) {
            notsx = true;
            base[strlen(base) - 6] = 0;
        }
    }
    if (!g_ascii_strcasecmp(base, "host") && !ibrs && !notsx) {
        base[3] = 0;
        memcpy(base, "max", 3);     /* the engine's supported set */
    }
    for (size_t i = 0; i < N_MODELS; i++) {
        const Model *m = &models[i];
        if (g_ascii_strcasecmp(base, m->name)) {
            continue;
        }
        if ((ibrs && !m->ibrs) || (notsx && !(m->f7_ebx & B_HLE))) {
            return false;
        }
        *out = *m;
        if (ibrs) {
            out->f7_edx |= DX_SPEC_CTRL;
        }
        if (notsx) {
            out->f7_ebx &= ~(B_HLE | B_RTM);
        }
        return true;
    }
    return false;
}

const char *x86_cpu_model_description(const char *model)
{
    Model m;

    if (!find_model(model, &m)) {
        return NULL;
    }
    if (!g_ascii_strcasecmp(model, "host")) {
        return HOST_DESC;
    }
    return strcmp(m.name, "max") ? m.brand : MAX_DESC;
}

static unsigned bits_for(uint32_t n)
{
    unsigned b = 0;

    while ((1u << b) < n) {
        b++;
    }
    return b;
}

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

static X86Topology norm_topo(const X86Topology *topo)
{
    X86Topology t = { 1, 1, 1, 1, 1 };

    if (topo) {
        t = *topo;
        t.sockets = MAX(t.sockets, 1);
        t.dies = MAX(t.dies, 1);
        t.clusters = MAX(t.clusters, 1);
        t.cores = MAX(t.cores, 1);
        t.threads = MAX(t.threads, 1);
    }
    return t;
}

static uint32_t logical_per_pkg(const X86Topology *t)
{
    return t->threads * t->cores * t->clusters * t->dies;
}

/* Leaf 1 EBX: CLFLUSH line size in 8-byte units, logical count, APIC id. */
static uint32_t leaf1_ebx(const X86Topology *t, uint32_t apic_id)
{
    return (8u << 8) | (MIN(logical_per_pkg(t), 255u) << 16) |
           (apic_id << 24);
}

/* Leaves 4 (deterministic caches), 0xB and 0x1F up to @level. */
static int topology_leaves(X86CpuidEntry *out, int n, int max,
                           uint32_t level, const X86Topology *t,
                           uint32_t apic_id)
{
    unsigned smt_bits = bits_for(t->threads);
    unsigned core_bits = bits_for(t->cores * t->clusters);
    unsigned die_bits = bits_for(t->dies);
    uint32_t logical = logical_per_pkg(t);

    if (level >= 4) {
        /* L1d, L1i, L2 per core, L3 per package */
        static const uint32_t caches[4][4] = {
            /* type|level, ways-1, partitions-1 / line-1, sets-1 */
            { 0x121, 7, 63, 63 },
            { 0x122, 7, 63, 63 },
            { 0x143, 15, 63, 1023 },
            { 0x163, 15, 63, 16383 },
        };
        uint32_t cores_pkg = t->cores * t->clusters * t->dies;
        for (int i = 0; i < 4; i++) {
            uint32_t share = i < 3 ? t->threads : logical;
            uint32_t a = caches[i][0] | ((MIN(share, 4096u) - 1) << 14) |
                         ((MIN(cores_pkg, 64u) - 1) << 26);
            n = add(out, n, max, 4, i, true, a,
                    (caches[i][1] << 22) | caches[i][2], caches[i][3],
                    i == 3 ? 2 : 0);
        }
        n = add(out, n, max, 4, 4, true, 0, 0, 0, 0);
    }
    if (level >= 0xb) {
        n = add(out, n, max, 0xb, 0, true, smt_bits, t->threads,
                0x100, apic_id);
        n = add(out, n, max, 0xb, 1, true, smt_bits + core_bits + die_bits,
                logical, 0x201, apic_id);
        n = add(out, n, max, 0xb, 2, true, 0, 0, 2, apic_id);
    }
    if (level >= 0x1f) {
        n = add(out, n, max, 0x1f, 0, true, smt_bits, t->threads, 0x100,
                apic_id);
        n = add(out, n, max, 0x1f, 1, true, smt_bits + core_bits,
                t->threads * t->cores * t->clusters, 0x201, apic_id);
        n = add(out, n, max, 0x1f, 2, true,
                smt_bits + core_bits + die_bits, logical, 0x502, apic_id);
        n = add(out, n, max, 0x1f, 3, true, 0, 0, 3, apic_id);
    }
    return n;
}

/*
 * Leaf 0xD: the XSAVE components the model's features use, in the standard
 * (non-compacted) layout of SDM vol. 1 13.4: x87+SSE 0..575, AVX at 576,
 * the AVX-512 opmask/ZMM_Hi256/Hi16_ZMM at 1088/1152/1664, PKRU at 2688.
 */
static int xsave_leaves(X86CpuidEntry *out, int n, int max, const Model *m,
                        uint32_t f1_ecx)
{
    static const uint32_t comp[][3] = {     /* component, size, offset */
        { 2, 256, 576 }, { 5, 64, 1088 }, { 6, 512, 1152 },
        { 7, 1024, 1664 }, { 9, 8, 2688 },
    };
    uint32_t mask = 3, size = 576;

    if (!(f1_ecx & C_XSAVE)) {
        n = add(out, n, max, 0xd, 0, true, 0, 0, 0, 0);
        return add(out, n, max, 0xd, 1, true, 0, 0, 0, 0);
    }
    if (f1_ecx & C_AVX) {
        mask |= 1u << 2;
    }
    if (m->f7_ebx & B_AVX512F) {
        mask |= 7u << 5;
    }
    if (m->f7_ecx & X_PKU) {
        mask |= 1u << 9;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(comp); i++) {
        if (mask & (1u << comp[i][0])) {
            size = MAX(size, comp[i][1] + comp[i][2]);
        }
    }
    n = add(out, n, max, 0xd, 0, true, mask, size, size, 0);
    n = add(out, n, max, 0xd, 1, true, m->d1_eax, 0, 0, 0);
    for (size_t i = 0; i < G_N_ELEMENTS(comp); i++) {
        if (mask & (1u << comp[i][0])) {
            n = add(out, n, max, 0xd, comp[i][0], true, comp[i][1],
                    comp[i][2], 0, 0);
        }
    }
    return n;
}

int x86_cpuid_model_entries(const char *model, const X86Topology *topo,
                            uint32_t apic_id, X86CpuidEntry *out, int max)
{
    Model mm, *m = &mm;
    X86Topology t = norm_topo(topo);
    uint32_t logical = logical_per_pkg(&t), f1_ecx;
    int n = 0;
    char brand[48];

    if (!find_model(model, &mm)) {
        return -1;
    }
    {
        /* x87/SSE run on the host (fpu-host.c): its SSE3+ set bounds ours */
        unsigned a, b, c = 0, d;
        uint32_t host_dep = C_SSE3 | C_SSSE3 | C_SSE41 | C_SSE42;
        __get_cpuid(1, &a, &b, &c, &d);
        f1_ecx = (m->f1_ecx & (~host_dep | c)) | C_HYPERVISOR;
    }
    n = add(out, n, max, 0, 0, false, m->level, str4(m->vendor),
            str4(m->vendor + 8), str4(m->vendor + 4));
    n = add(out, n, max, 1, 0, false, m->sig, leaf1_ebx(&t, apic_id),
            f1_ecx, m->f1_edx | (logical > 1 ? D_HTT : 0));
    if (m->level >= 6) {
        n = add(out, n, max, 6, 0, false, 4, 0, 0, 0);  /* ARAT */
    }
    if (m->level >= 7) {
        n = add(out, n, max, 7, 0, true, 0, m->f7_ebx, m->f7_ecx,
                m->f7_edx);
    }
    if (m->level >= 0xd) {
        n = xsave_leaves(out, n, max, m, f1_ecx);
    }
    n = topology_leaves(out, n, max, m->level, &t, apic_id);
    n = add(out, n, max, 0x80000000, 0, false, m->xlevel,
            str4(m->vendor), str4(m->vendor + 8), str4(m->vendor + 4));
    n = add(out, n, max, 0x80000001, 0, false, m->sig, 0, m->e1_ecx,
            m->e1_edx);
    memset(brand, 0, sizeof(brand));
    g_strlcpy(brand, m->brand, sizeof(brand));
    for (int i = 0; i < 3 && m->xlevel >= 0x80000002 + i; i++) {
        const char *b = brand + i * 16;
        n = add(out, n, max, 0x80000002 + i, 0, false, str4(b), str4(b + 4),
                str4(b + 8), str4(b + 12));
    }
    if (m->xlevel >= 0x80000008) {
        n = add(out, n, max, 0x80000005, 0, false, 0x01ff01ff, 0x01ff01ff,
                0x40020140, 0x40020140);
        n = add(out, n, max, 0x80000006, 0, false, 0, 0x42004200,
                0x02008140, 0);
        n = add(out, n, max, 0x80000007, 0, false, 0, 0, 0, 1u << 8);
        n = add(out, n, max, 0x80000008, 0, false, 0x3028, 0,
                (logical - 1) & 0xff, 0);
    }
    return n;
}

int x86_cpuid_host_entries(const X86CpuidEntry *sup, int nsup,
                           const X86Topology *topo, uint32_t apic_id,
                           X86CpuidEntry *out, int max)
{
    X86Topology t = norm_topo(topo);
    uint32_t logical = logical_per_pkg(&t), level = 0;
    int n = 0;

    for (int i = 0; i < nsup; i++) {
        if (sup[i].function == 0) {
            level = sup[i].eax;
        }
    }
    for (int i = 0; i < nsup && n < max; i++) {
        X86CpuidEntry e = sup[i];
        if ((e.function >= 0x40000000 && e.function < 0x40000100) ||
            e.function == 4 || e.function == 0xb || e.function == 0x1f) {
            continue;       /* hypervisor leaves: the provider's; topology */
        }
        if (e.function == 1) {
            e.ebx = (e.ebx & 0xff00) | (leaf1_ebx(&t, apic_id) & ~0xff00u);
            e.ecx |= C_HYPERVISOR;
            e.edx = (e.edx & ~D_HTT) | (logical > 1 ? D_HTT : 0);
        } else if (e.function == 0x80000008) {
            e.ecx = (e.ecx & ~0xffu) | ((logical - 1) & 0xff);
        }
        out[n++] = e;
    }
    n = topology_leaves(out, n, max, level, &t, apic_id);
    return MIN(n, max);
}
