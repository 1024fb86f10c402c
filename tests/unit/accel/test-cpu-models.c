/*
 * -cpu models through accel/kvm, against each provider ("tcg" = ukvm
 * always; "kvm" = /dev/kvm, SKIP when absent):
 *  - "host" is the provider's KVM_GET_SUPPORTED_CPUID: every feature word
 *    equal (hypervisor and HTT aside), its vendor/signature/brand, the
 *    -smp topology in leaves 1 and 0xB, +feat/-feat applied;
 *  - every named model asks for what its table says and gets exactly that
 *    ANDed with the provider's set;
 *  - spot checks written from the Intel SDM / AMD APM (Haswell has
 *    AVX2/BMI2/FMA, Westmere AES/PCLMULQDQ, EPYC is AuthenticAMD family
 *    17h, qemu32 has no long mode, ...), "-v1"/"-IBRS"/"-noTSX" names,
 *    unknown names, ",enforce", family=/model=/stepping=/vendor=/
 *    model-id=/level=/xlevel= and kvm=off with QEMU's errors.
 */
#include <cpuid.h>
#include <string.h>

#include "accel/kvm/kvm-internal.h"
#include "memory/memory.h"
#include "system/main-loop.h"
#include "target/i386/cpu.h"

static KvmState *init_accel(const char *accel)
{
    GError *err = NULL;
    KvmState *s;

    memory_init();
    bql_lock();
    s = kvm_accel_init(accel, &err);
    if (!s) {
        g_autofree char *msg = g_strdup_printf("accelerator %s unavailable: "
                                               "%s", accel, err->message);
        g_test_skip(msg);
        g_error_free(err);
        bql_unlock();
    }
    return s;
}

static void fini_accel(KvmState *s)
{
    kvm_accel_destroy(s);
    bql_unlock();
}

static const struct kvm_cpuid_entry2 *find(const struct kvm_cpuid2 *c,
                                           uint32_t fn, uint32_t index)
{
    for (uint32_t i = 0; i < c->nent; i++) {
        const struct kvm_cpuid_entry2 *e = &c->entries[i];
        if (e->function == fn &&
            (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
             e->index == index)) {
            return e;
        }
    }
    return NULL;
}

static uint32_t reg_of(const struct kvm_cpuid_entry2 *e, int reg)
{
    if (!e) {
        return 0;
    }
    return reg == 0 ? e->eax : reg == 1 ? e->ebx : reg == 2 ? e->ecx
                                                            : e->edx;
}

/* A register of the model's own table (before the provider's filter). */
static uint32_t model_reg(const char *model, uint32_t fn, uint32_t index,
                          int reg)
{
    X86CpuidEntry e[X86_CPUID_MAX_ENTRIES];
    X86Topology t = { 1, 1, 1, 1, 1 };
    int n = x86_cpuid_model_entries(model, &t, 0, e, X86_CPUID_MAX_ENTRIES);

    g_assert_cmpint(n, >, 0);
    for (int i = 0; i < MIN(n, X86_CPUID_MAX_ENTRIES); i++) {
        if (e[i].function == fn && e[i].index == index) {
            return reg == 0 ? e[i].eax : reg == 1 ? e[i].ebx
                 : reg == 2 ? e[i].ecx : e[i].edx;
        }
    }
    return 0;
}

static struct kvm_cpuid2 *cpuid_of(KvmState *s, const char *model,
                                   const X86Topology *t, KeyvalList *feat)
{
    KvmCpuConfig cfg = { .model = model, .features = feat };
    GError *err = NULL;
    struct kvm_cpuid2 *c;

    if (t) {
        cfg.sockets = t->sockets;
        cfg.cores = t->cores;
        cfg.threads = t->threads;
        cfg.apic_id = 3;
    }
    c = kvm_cpu_model_cpuid(s, &cfg, &err);
    g_assert_no_error(err);
    g_assert_nonnull(c);
    return c;
}

static void brand_of(const struct kvm_cpuid2 *c, char out[49])
{
    memset(out, 0, 49);
    for (int i = 0; i < 3; i++) {
        const struct kvm_cpuid_entry2 *e = find(c, 0x80000002 + i, 0);
        if (e) {
            memcpy(out + 16 * i, &e->eax, 4);
            memcpy(out + 16 * i + 4, &e->ebx, 4);
            memcpy(out + 16 * i + 8, &e->ecx, 4);
            memcpy(out + 16 * i + 12, &e->edx, 4);
        }
    }
}

static void check_host(const char *accel, const char *name);

/* "host", and "max" which is the same (everything the accelerator has) */
static void test_host(gconstpointer data)
{
    check_host(data, "host");
    check_host(data, "max");
}

static void check_host(const char *data, const char *name)
{
    KvmState *s = init_accel(data);
    const struct kvm_cpuid2 *sup;
    struct kvm_cpuid2 *c;
    int nwords;
    const X86FeatureWord *w = x86_cpu_feature_words(&nwords);
    char b1[49], b2[49];

    if (!s) {
        return;
    }
    sup = s->supported_cpuid;
    c = cpuid_of(s, name, NULL, NULL);
    for (int i = 0; i < nwords; i++) {
        uint32_t want = reg_of(find(sup, w[i].leaf, w[i].index), w[i].reg);
        uint32_t got = reg_of(find(c, w[i].leaf, w[i].index), w[i].reg);
        if (w[i].leaf == 1 && w[i].reg == 2) {
            g_assert_true(got & (1u << 31));        /* hypervisor */
            got &= ~(1u << 31);
            want &= ~(1u << 31);
        }
        if (w[i].leaf == 1 && w[i].reg == 3) {
            got &= ~(1u << 28);                     /* HTT: from -smp */
            want &= ~(1u << 28);
        }
        g_assert_cmphex(got, ==, want);
    }
    /* the provider's vendor, signature, levels and brand */
    for (uint32_t fn = 0; fn < 2; fn++) {
        g_assert_nonnull(find(c, fn * 0x80000000, 0));
        g_assert_cmphex(find(c, fn * 0x80000000, 0)->eax, ==,
                        find(sup, fn * 0x80000000, 0)->eax);
        g_assert_cmphex(find(c, fn * 0x80000000, 0)->ebx, ==,
                        find(sup, fn * 0x80000000, 0)->ebx);
    }
    g_assert_cmphex(find(c, 1, 0)->eax, ==, find(sup, 1, 0)->eax);
    brand_of(c, b1);
    brand_of(sup, b2);
    if (!strcmp(data, "kvm") && !b2[0]) {
        /* the kernel gives none: the host's own, as QEMU's host model */
        unsigned r[12] = { 0 };
        for (int i = 0; i < 3; i++) {
            __get_cpuid(0x80000002 + i, &r[4 * i], &r[4 * i + 1],
                        &r[4 * i + 2], &r[4 * i + 3]);
        }
        memcpy(b2, r, 48);
    }
    g_assert_cmpstr(b1, ==, b2);
    if (!strcmp(data, "tcg")) {
        g_assert_cmpstr(b1, ==, "kvmu software CPU (max)");
    }
    /* the KVM PV leaves as for the other models */
    g_assert_nonnull(find(c, 0x40000000, 0));
    g_free(c);

    /* -smp 8,sockets=2,cores=2,threads=2: leaf 1 and 0xB say so */
    X86Topology t = { .sockets = 2, .dies = 1, .clusters = 1, .cores = 2,
                      .threads = 2 };
    c = cpuid_of(s, name, &t, NULL);
    g_assert_cmphex((find(c, 1, 0)->ebx >> 16) & 0xff, ==, 4);
    g_assert_cmphex(find(c, 1, 0)->ebx >> 24, ==, 3);
    g_assert_true(find(c, 1, 0)->edx & (1u << 28));
    if (find(c, 0, 0)->eax >= 0xb) {
        g_assert_nonnull(find(c, 0xb, 1));
        g_assert_cmpuint(find(c, 0xb, 0)->ebx & 0xffff, ==, 2);
        g_assert_cmpuint(find(c, 0xb, 1)->ebx & 0xffff, ==, 4);
        g_assert_cmpuint(find(c, 0xb, 1)->edx, ==, 3);
    }
    g_free(c);

    /* host,-sse2,+hypervisor... flags by their QEMU names */
    KeyvalList *kv = keyval_new();
    keyval_add(kv, "sse2", "off");
    keyval_add(kv, "syscall", "off");
    keyval_add(kv, "invtsc", "off");
    c = cpuid_of(s, name, NULL, kv);
    g_assert_false(find(c, 0x80000007, 0)->edx & (1u << 8));
    g_assert_false(find(c, 1, 0)->edx & (1u << 26));
    g_assert_false(find(c, 0x80000001, 0)->edx & (1u << 11));
    g_assert_true(find(c, 1, 0)->edx & (1u << 25));        /* sse kept */
    g_free(c);
    keyval_free(kv);

    /* a bad value is refused like QEMU's property setter */
    kv = keyval_new();
    keyval_add(kv, "sse2", "maybe");
    KvmCpuConfig cfg = { .model = name, .features = kv };
    GError *err = NULL;
    g_assert_null(kvm_cpu_model_cpuid(s, &cfg, &err));
    g_assert_nonnull(strstr(err->message, "expects 'on' or 'off'"));
    g_error_free(err);
    keyval_free(kv);
    fini_accel(s);
}

/* Each model: the table's bits ANDed with the provider's, no more. */
static void test_models_filtered(gconstpointer data)
{
    KvmState *s = init_accel(data);
    int nwords, nmodels = 0;
    const X86FeatureWord *w = x86_cpu_feature_words(&nwords);

    if (!s) {
        return;
    }
    for (const char *const *m = x86_cpu_model_names(); *m; m++) {
        struct kvm_cpuid2 *c;
        if (!strcmp(*m, "host") || !strcmp(*m, "max")) {
            continue;
        }
        nmodels++;
        g_assert_nonnull(x86_cpu_model_description(*m));
        c = cpuid_of(s, *m, NULL, NULL);
        for (int i = 0; i < nwords; i++) {
            const struct kvm_cpuid_entry2 *se =
                find(s->supported_cpuid, w[i].leaf, w[i].index);
            uint32_t want = model_reg(*m, w[i].leaf, w[i].index, w[i].reg);
            uint32_t got = reg_of(find(c, w[i].leaf, w[i].index), w[i].reg);
            if (w[i].leaf >= 0x40000000 && w[i].leaf < 0x40000100) {
                continue;
            }
            if (!se) {
                want = 0;
            } else if (w[i].leaf == 1 && w[i].reg == 2) {
                want &= reg_of(se, w[i].reg) | (1u << 31);
            } else {
                want &= reg_of(se, w[i].reg);
            }
            if (want != got) {
                g_test_message("%s CPUID %x.%u reg %d", *m, w[i].leaf,
                               w[i].index, w[i].reg);
            }
            g_assert_cmphex(got, ==, want);
        }
        /* vendor and brand are the model's, whatever the provider */
        g_assert_cmphex(find(c, 0, 0)->ebx, ==, model_reg(*m, 0, 0, 1));
        g_assert_cmphex(find(c, 1, 0)->eax, ==, model_reg(*m, 1, 0, 0));
        char brand[49];
        brand_of(c, brand);
        if (strcmp(*m, "max")) {
            g_assert_cmpstr(g_strstrip(brand), ==,
                            x86_cpu_model_description(*m));
        }
        /* XSAVE area sized for the components left */
        const struct kvm_cpuid_entry2 *d0 = find(c, 0xd, 0);
        if (d0 && d0->eax) {
            g_assert_cmpuint(d0->ecx, >=, 576);
            if (!(find(c, 1, 0)->ecx & (1u << 28))) {
                g_assert_false(d0->eax & 4);        /* no AVX state */
            }
        }
        g_free(c);
    }
    g_assert_cmpint(nmodels, >=, 25);
    fini_accel(s);
}

/* The provider takes every model's CPUID (KVM_SET_CPUID2) for a vCPU. */
static void test_create(gconstpointer data)
{
    KvmState *s = init_accel(data);
    uint32_t i = 0;

    if (!s) {
        return;
    }
    for (const char *const *m = x86_cpu_model_names(); *m; m++, i++) {
        KvmCpuConfig cfg = { .model = *m, .index = i, .apic_id = i,
                             .sockets = 1, .cores = 2, .threads = 2 };
        GError *err = NULL;
        KvmCpu *cpu = kvm_cpu_create(s, &cfg, &err);
        if (!cpu) {
            g_test_message("-cpu %s: %s", *m, err->message);
        }
        g_assert_no_error(err);
        g_assert_nonnull(cpu);
    }
    g_assert_cmpuint(kvm_cpu_count(s), ==, i);
    fini_accel(s);
}

#define HAS(model, fn, idx, reg, bit) \
    g_assert_true(model_reg(model, fn, idx, reg) & (1u << (bit)))
#define HASNT(model, fn, idx, reg, bit) \
    g_assert_false(model_reg(model, fn, idx, reg) & (1u << (bit)))

static uint32_t family(uint32_t sig)
{
    uint32_t f = (sig >> 8) & 0xf;
    return f == 0xf ? f + ((sig >> 20) & 0xff) : f;
}

static uint32_t model_no(uint32_t sig)
{
    return ((sig >> 4) & 0xf) | (((sig >> 16) & 0xf) << 4);
}

/* Bits written from the SDM / APM, independently of the table. */
static void test_spot_checks(void)
{
    static const char intel[] = "GenuineIntel", amd[] = "AuthenticAMD";
    uint32_t v;

    /* Westmere: AES-NI and PCLMULQDQ, RDTSCP; family 6 model 44 */
    HAS("Westmere", 1, 0, 2, 25);
    HAS("Westmere", 1, 0, 2, 1);
    HAS("Westmere", 0x80000001, 0, 3, 27);
    HASNT("Westmere", 1, 0, 2, 28);                     /* no AVX */
    g_assert_cmpuint(model_no(model_reg("Westmere", 1, 0, 0)), ==, 44);
    HASNT("Nehalem", 1, 0, 2, 25);
    /* SandyBridge: AVX, XSAVE; IvyBridge: F16C, RDRAND, FSGSBASE */
    HAS("SandyBridge", 1, 0, 2, 28);
    HAS("SandyBridge", 1, 0, 2, 26);
    HAS("IvyBridge", 1, 0, 2, 29);
    HAS("IvyBridge", 1, 0, 2, 30);
    HAS("IvyBridge", 7, 0, 1, 0);
    /* Haswell: AVX2, BMI1/2, FMA, MOVBE, LZCNT; family 6 model 60 */
    HAS("Haswell", 7, 0, 1, 5);
    HAS("Haswell", 7, 0, 1, 8);
    HAS("Haswell", 7, 0, 1, 3);
    HAS("Haswell", 1, 0, 2, 12);
    HAS("Haswell", 1, 0, 2, 22);
    HAS("Haswell", 0x80000001, 0, 2, 5);
    HASNT("Haswell", 7, 0, 1, 19);                      /* ADX: Broadwell */
    g_assert_cmpuint(model_no(model_reg("Haswell", 1, 0, 0)), ==, 60);
    /* Broadwell: ADX, RDSEED, SMAP */
    HAS("Broadwell", 7, 0, 1, 19);
    HAS("Broadwell", 7, 0, 1, 18);
    HAS("Broadwell", 7, 0, 1, 20);
    /* Skylake: CLFLUSHOPT, XSAVEC; the server part AVX-512F/BW/VL, PKU */
    HAS("Skylake-Client", 7, 0, 1, 23);
    HAS("Skylake-Client", 0xd, 1, 0, 1);
    HASNT("Skylake-Client", 7, 0, 1, 16);
    HAS("Skylake-Server", 7, 0, 1, 16);
    HAS("Skylake-Server", 7, 0, 1, 30);
    HAS("Skylake-Server", 7, 0, 1, 31);
    HAS("Skylake-Server", 7, 0, 2, 3);
    g_assert_cmphex(model_reg("Skylake-Server", 0xd, 0, 0), ==, 0x2e7);
    g_assert_cmpuint(model_reg("Skylake-Server", 0xd, 0, 2), ==, 2696);
    /* Cascade Lake: AVX512_VNNI; Ice Lake: VBMI, GFNI, VAES, LA57 */
    HAS("Cascadelake-Server", 7, 0, 2, 11);
    HASNT("Skylake-Server", 7, 0, 2, 11);
    HAS("Icelake-Server", 7, 0, 2, 1);
    HAS("Icelake-Server", 7, 0, 2, 8);
    HAS("Icelake-Server", 7, 0, 2, 9);
    HAS("Icelake-Server", 7, 0, 2, 16);
    HAS("Icelake-Server", 7, 0, 1, 29);                 /* SHA */
    /* EPYC: AuthenticAMD family 17h, SSE4A, SHA; Rome adds CLWB, RDPID */
    v = model_reg("EPYC", 0, 0, 1);
    g_assert_cmpint(memcmp(&v, amd, 4), ==, 0);
    g_assert_cmpuint(family(model_reg("EPYC", 1, 0, 0)), ==, 0x17);
    g_assert_cmpuint(family(model_reg("EPYC", 0x80000001, 0, 0)), ==, 0x17);
    HAS("EPYC", 0x80000001, 0, 2, 6);
    HAS("EPYC", 7, 0, 1, 29);
    HASNT("EPYC", 7, 0, 1, 24);
    HAS("EPYC-Rome", 7, 0, 1, 24);
    HAS("EPYC-Rome", 7, 0, 2, 22);
    g_assert_cmpuint(model_no(model_reg("EPYC-Rome", 1, 0, 0)), ==, 49);
    /* Milan (family 19h): VAES, PKU, FSRM; Opterons: SSE4A from G3,
     * XOP/FMA4 from G4 (family 15h), TBM and FMA on G5 */
    g_assert_cmpuint(family(model_reg("EPYC-Milan", 1, 0, 0)), ==, 0x19);
    HAS("EPYC-Milan", 7, 0, 2, 9);
    HAS("EPYC-Milan", 7, 0, 2, 3);
    HAS("EPYC-Milan", 7, 0, 3, 4);
    HASNT("Opteron_G2", 0x80000001, 0, 2, 6);
    HAS("Opteron_G3", 0x80000001, 0, 2, 6);
    g_assert_cmpuint(family(model_reg("Opteron_G3", 1, 0, 0)), ==, 0x10);
    HAS("Opteron_G4", 0x80000001, 0, 2, 11);
    HAS("Opteron_G4", 0x80000001, 0, 2, 16);
    HASNT("Opteron_G4", 1, 0, 2, 12);
    g_assert_cmpuint(family(model_reg("Opteron_G4", 1, 0, 0)), ==, 0x15);
    HAS("Opteron_G5", 0x80000001, 0, 2, 21);
    HAS("Opteron_G5", 1, 0, 2, 12);
    v = model_reg("Opteron_G1", 0, 0, 1);
    g_assert_cmpint(memcmp(&v, amd, 4), ==, 0);
    HASNT("Conroe", 1, 0, 2, 19);
    HAS("Conroe", 1, 0, 2, 9);
    /* the old ones: qemu32/kvm32 have no long mode, kvm64 is family 15 */
    v = model_reg("kvm64", 0, 0, 1);
    g_assert_cmpint(memcmp(&v, intel, 4), ==, 0);
    g_assert_cmpuint(family(model_reg("kvm64", 1, 0, 0)), ==, 15);
    HAS("kvm64", 0x80000001, 0, 3, 29);
    HASNT("qemu32", 0x80000001, 0, 3, 29);
    HASNT("kvm32", 0x80000001, 0, 3, 29);
    g_assert_cmphex(model_reg("qemu32", 0x80000000, 0, 0), ==, 0x80000004);
    v = model_reg("qemu64", 0, 0, 1);
    g_assert_cmpint(memcmp(&v, amd, 4), ==, 0);
    /* Core 2: SSSE3 but no SSE4.1; Penryn adds SSE4.1 */
    HAS("core2duo", 1, 0, 2, 9);
    HASNT("core2duo", 1, 0, 2, 19);
    HAS("Penryn", 1, 0, 2, 19);
    HASNT("Penryn", 1, 0, 2, 20);
    /* every model: hypervisor bit */
    for (const char *const *m = x86_cpu_model_names(); *m; m++) {
        HAS(*m, 1, 0, 2, 31);
    }
}

static void test_names(void)
{
    X86CpuidEntry e[X86_CPUID_MAX_ENTRIES];
    bool host = false;

    /* QEMU's first versions are the models themselves */
    g_assert_cmpint(x86_cpuid_model_entries("Westmere-v1", NULL, 0, e,
                                            X86_CPUID_MAX_ENTRIES), ==,
                    x86_cpuid_model_entries("Westmere", NULL, 0, e,
                                            X86_CPUID_MAX_ENTRIES));
    g_assert_cmpint(x86_cpuid_model_entries("Westmere-v9", NULL, 0, e,
                                            X86_CPUID_MAX_ENTRIES), ==, -1);
    g_assert_cmpint(x86_cpuid_model_entries("no-such", NULL, 0, e,
                                            X86_CPUID_MAX_ENTRIES), ==, -1);
    g_assert_cmpint(x86_cpuid_model_entries("", NULL, 0, e,
                                            X86_CPUID_MAX_ENTRIES), ==, -1);
    g_assert_cmpint(x86_cpuid_model_entries("-v1", NULL, 0, e,
                                            X86_CPUID_MAX_ENTRIES), ==, -1);
    /* QEMU's -IBRS / -noTSX variants of the Intel generations */
    g_assert_true(model_reg("Skylake-Client-IBRS", 7, 0, 3) & (1u << 26));
    g_assert_false(model_reg("Skylake-Client", 7, 0, 3) & (1u << 26));
    g_assert_true(model_reg("Haswell-noTSX", 7, 0, 1) & (1u << 5));
    g_assert_false(model_reg("Haswell-noTSX", 7, 0, 1) & (1u << 4));
    g_assert_false(model_reg("Haswell-noTSX-IBRS", 7, 0, 1) & (1u << 11));
    g_assert_true(model_reg("Haswell-noTSX-IBRS", 7, 0, 3) & (1u << 26));
    g_assert_true(model_reg("Haswell", 7, 0, 1) & (1u << 11));
    g_assert_cmpstr(x86_cpu_model_description("Westmere-IBRS"), ==,
                    x86_cpu_model_description("Westmere"));
    for (size_t i = 0; i < 5; i++) {
        static const char *const bad[] = {
            "Nehalem-noTSX", "EPYC-IBRS", "qemu64-IBRS", "host-IBRS",
            "Haswell-IBRS-noTSX",
        };
        g_assert_cmpint(x86_cpuid_model_entries(bad[i], NULL, 0, e,
                                                X86_CPUID_MAX_ENTRIES),
                        ==, -1);
    }
    g_assert_null(x86_cpu_model_description("no-such"));
    g_assert_cmpstr(x86_cpu_model_description("host"), ==,
                    "processor with all supported host features");
    for (const char *const *m = x86_cpu_model_names(); *m; m++) {
        host |= !strcmp(*m, "host");
    }
    g_assert_true(host);
    /* a short buffer: the count, only @max written */
    g_assert_cmpint(x86_cpuid_model_entries("Icelake-Server", NULL, 0, e, 2),
                    >, 2);
}

static struct kvm_cpuid2 *with_props(KvmState *s, const char *model,
                                     const char *const *kv, GError **errp)
{
    KeyvalList *f = keyval_new();
    KvmCpuConfig cfg = { .model = model, .features = f };
    struct kvm_cpuid2 *c;

    for (int i = 0; kv[i]; i += 2) {
        keyval_add(f, kv[i], kv[i + 1]);
    }
    c = kvm_cpu_model_cpuid(s, &cfg, errp);
    keyval_free(f);
    return c;
}

/* QEMU's identity properties and kvm=off, with their errors. */
static void test_identity(void)
{
    static const char *const ok[] = {
        "family", "23", "model", "0x31", "stepping", "2",
        "vendor", "AuthenticAMD", "model-id", "My CPU", "level", "11",
        "xlevel", "0x80000006", "kvm", "off", NULL,
    };
    static const char *const bad[][3] = {
        { "family", "271", "Property .family doesn't take value 271 "
          "(minimum: 0, maximum: 270)" },
        { "model", "-1", "Property .model doesn't take value -1 "
          "(minimum: 0, maximum: 255)" },
        { "stepping", "x", "Parameter 'stepping' expects int64" },
        { "vendor", "Intel", "Property '.vendor' doesn't take value "
          "'Intel'" },
    };
    KvmState *s = init_accel("tcg");
    GError *err = NULL;
    char brand[49];

    if (!s) {
        return;
    }
    struct kvm_cpuid2 *c = with_props(s, "Westmere", ok, &err);
    g_assert_no_error(err);
    /* family 17h = 0xf + 8, model 0x31 = ext 3 / base 1, stepping 2 */
    g_assert_cmphex(find(c, 1, 0)->eax, ==, 0x00830f12);
    g_assert_cmphex(find(c, 0x80000001, 0)->eax, ==, 0x00830f12);
    g_assert_cmphex(find(c, 0, 0)->eax, ==, 11);
    g_assert_cmphex(find(c, 0x80000000, 0)->eax, ==, 0x80000006);
    uint32_t vend[4] = { find(c, 0, 0)->ebx, find(c, 0, 0)->edx,
                         find(c, 0, 0)->ecx, 0 };
    g_assert_cmpstr((const char *)vend, ==, "AuthenticAMD");
    brand_of(c, brand);
    g_assert_cmpstr(brand, ==, "My CPU");
    g_assert_null(find(c, 0x40000000, 0));          /* kvm=off */
    g_free(c);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        const char *const kv[] = { bad[i][0], bad[i][1], NULL };
        g_autofree char *want = g_strdup_printf(
            "can't apply global Westmere-x86_64-cpu.%s=%s: %s", bad[i][0],
            bad[i][1], bad[i][2]);
        g_assert_null(with_props(s, "Westmere", kv, &err));
        g_assert_cmpstr(err->message, ==, want);
        g_clear_error(&err);
    }
    fini_accel(s);
}

static void test_unknown_model(void)
{
    KvmState *s = init_accel("tcg");
    KvmCpuConfig cfg = { .model = "Pentium9" };
    GError *err = NULL;

    if (!s) {
        return;
    }
    g_assert_null(kvm_cpu_model_cpuid(s, &cfg, &err));
    g_assert_cmpstr(err->message, ==, "unable to find CPU model 'Pentium9'");
    g_error_free(err);
    err = NULL;

    /* -cpu Haswell,enforce: ukvm has no AVX, so an error (QEMU's) */
    KeyvalList *kv = keyval_new();
    keyval_add(kv, "enforce", "on");
    cfg.model = "Haswell";
    cfg.features = kv;
    g_assert_null(kvm_cpu_model_cpuid(s, &cfg, &err));
    g_assert_cmpstr(err->message, ==, "TCG doesn't support requested "
                    "features");
    g_error_free(err);
    err = NULL;
    /* what ukvm has, enforced, is fine; so is host */
    cfg.model = "qemu64";
    g_free(kvm_cpu_model_cpuid(s, &cfg, &err));
    g_assert_no_error(err);
    cfg.model = "host";
    g_free(kvm_cpu_model_cpuid(s, &cfg, &err));
    g_assert_no_error(err);
    keyval_free(kv);
    fini_accel(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_data_func("/accel/cpu-models/host/tcg", "tcg", test_host);
    g_test_add_data_func("/accel/cpu-models/host/kvm", "kvm", test_host);
    g_test_add_data_func("/accel/cpu-models/filtered/tcg", "tcg",
                         test_models_filtered);
    g_test_add_data_func("/accel/cpu-models/filtered/kvm", "kvm",
                         test_models_filtered);
    g_test_add_data_func("/accel/cpu-models/create/tcg", "tcg",
                         test_create);
    g_test_add_data_func("/accel/cpu-models/create/kvm", "kvm",
                         test_create);
    g_test_add_func("/accel/cpu-models/spot-checks", test_spot_checks);
    g_test_add_func("/accel/cpu-models/names", test_names);
    g_test_add_func("/accel/cpu-models/unknown", test_unknown_model);
    g_test_add_func("/accel/cpu-models/identity", test_identity);
    return g_test_run();
}
