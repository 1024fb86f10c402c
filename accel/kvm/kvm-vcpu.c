/*
 * KVM vCPUs: creation (KVM_CREATE_VCPU, the kvm_run mapping, CPUID from the
 * -cpu model filtered by KVM_GET_SUPPORTED_CPUID), state save/restore both
 * ways, power-on reset and the register dump used for internal errors and
 * "info registers".
 */
#include <cpuid.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "kvm-internal.h"
#include "target/i386/cpu.h"
#include "util/error.h"

/* ---- CPUID ---------------------------------------------------------------- */

static const char *const reg_names[] = { "EAX", "EBX", "ECX", "EDX" };

static uint32_t *entry_reg(struct kvm_cpuid_entry2 *e, int reg)
{
    switch (reg) {
    case 0: return &e->eax;
    case 1: return &e->ebx;
    case 2: return &e->ecx;
    default: return &e->edx;
    }
}

static struct kvm_cpuid_entry2 *find_entry(struct kvm_cpuid2 *c, uint32_t fn,
                                           uint32_t index)
{
    for (uint32_t i = 0; i < c->nent; i++) {
        struct kvm_cpuid_entry2 *e = &c->entries[i];
        if (e->function == fn &&
            (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || e->index == index)) {
            return e;
        }
    }
    return NULL;
}

static bool find_any(struct kvm_cpuid2 *c, uint32_t fn)
{
    for (uint32_t i = 0; i < c->nent; i++) {
        if (c->entries[i].function == fn) {
            return true;
        }
    }
    return false;
}

/*
 * -cpu model,+feat/-feat: set or clear the named CPUID flags in @e. Keys
 * that name no CPUID flag (QEMU's non-flag properties) are left alone.
 */
static bool apply_features(struct kvm_cpuid_entry2 *e, const char *model,
                           const KeyvalList *features, GError **errp)
{
    if (!features) {
        return true;
    }
    for (guint i = 0; i < features->pairs->len; i++) {
        const KeyvalPair *kv = g_ptr_array_index(features->pairs, i);
        for (int reg = 0; reg < 4; reg++) {
            const X86FeatureWord *w =
                x86_cpu_feature_word(e->function, e->index, reg);
            for (int bit = 0; w && bit < 32; bit++) {
                if (!w->names[bit] || strcmp(w->names[bit], kv->key)) {
                    continue;
                }
                bool on = !strcmp(kv->value, "on");
                if (!on && strcmp(kv->value, "off")) {
                    error_setg(errp, "can't apply global %s-x86_64-cpu.%s=%s:"
                               " Parameter '%s' expects 'on' or 'off'",
                               model, kv->key, kv->value, kv->key);
                    return false;
                }
                if (on) {
                    *entry_reg(e, reg) |= 1u << bit;
                } else {
                    *entry_reg(e, reg) &= ~(1u << bit);
                }
            }
        }
    }
    return true;
}

/*
 * Clear the bits of @e the provider's @se lacks, recording them per
 * feature word in @missing_words (x86_cpu_feature_words() order); true if
 * there were any.
 */
static bool filter_entry(struct kvm_cpuid_entry2 *e,
                         struct kvm_cpuid_entry2 *se, uint32_t *missing_words)
{
    int nwords;
    const X86FeatureWord *words = x86_cpu_feature_words(&nwords);
    bool any = false;

    for (int reg = 0; reg < 4; reg++) {
        const X86FeatureWord *w = x86_cpu_feature_word(e->function, e->index,
                                                       reg);
        if (!w) {
            continue;
        }
        uint32_t *want = entry_reg(e, reg);
        uint32_t missing = *want & ~*entry_reg(se, reg);
        /* derived from -smp, not features: never filtered (as QEMU) */
        if (e->function == 1 && reg == 3) {
            missing &= ~(1u << 28);             /* HT */
        } else if (e->function == 1 && reg == 2) {
            missing &= ~(1u << 31);             /* hypervisor */
        } else if (e->function == 0x80000001 && reg == 2) {
            missing &= ~(1u << 1);              /* CmpLegacy */
        }
        *want &= ~missing;
        missing_words[w - words] |= missing;
        any |= missing != 0;
    }
    return any;
}

/* QEMU's warning per missing feature, in its feature-word order. */
static void warn_missing(KvmState *s, const uint32_t *missing_words)
{
    int nwords;
    const X86FeatureWord *w = x86_cpu_feature_words(&nwords);

    for (int i = 0; i < nwords; i++) {
        for (int bit = 0; bit < 32; bit++) {
            if (!(missing_words[i] & (1u << bit))) {
                continue;
            }
            char leaf[16];
            if (w[i].leaf >= 0x80000000) {
                g_snprintf(leaf, sizeof(leaf), "%08XH", w[i].leaf);
            } else {
                g_snprintf(leaf, sizeof(leaf), "%02XH", w[i].leaf);
            }
            warn_report("%s doesn't support requested feature: "
                        "CPUID.%s:%s%s%s [bit %d]",
                        s->p == &kvm_provider_kernel ? "host" : "TCG",
                        leaf, reg_names[w[i].reg], w[i].names[bit] ? "." : "",
                        w[i].names[bit] ? w[i].names[bit] : "", bit);
        }
    }
}

/*
 * Leaf 0xD after filtering: keep the XSAVE components both the provider
 * and the remaining features (AVX, AVX-512, PKU) allow, drop the
 * sub-leaves of the others and size the area for what is left.
 */
static void fix_xsave(struct kvm_cpuid2 *out, struct kvm_cpuid2 *sup)
{
    struct kvm_cpuid_entry2 *d0 = find_entry(out, 0xd, 0);
    struct kvm_cpuid_entry2 *s0 = find_entry(sup, 0xd, 0);
    struct kvm_cpuid_entry2 *l1 = find_entry(out, 1, 0);
    struct kvm_cpuid_entry2 *l7 = find_entry(out, 7, 0);
    uint32_t size = 576;

    if (!d0 || !d0->eax) {
        return;
    }
    d0->eax &= s0 ? s0->eax : 3;
    d0->edx &= s0 ? s0->edx : 0;
    if (!l1 || !(l1->ecx & (1u << 28))) {
        d0->eax &= ~(1u << 2);                          /* AVX */
    }
    if (!l7 || !(l7->ebx & (1u << 16))) {
        d0->eax &= ~(7u << 5);                          /* AVX-512 */
    }
    if (!l7 || !(l7->ecx & (1u << 3))) {
        d0->eax &= ~(1u << 9);                          /* PKRU */
    }
    for (uint32_t i = 0; i < out->nent; i++) {
        struct kvm_cpuid_entry2 *e = &out->entries[i];
        if (e->function != 0xd || e->index < 2 || e->index >= 64) {
            continue;
        }
        if (e->ecx & 1) {
            continue;                   /* supervisor state (XSS) */
        }
        if (!(((uint64_t)d0->edx << 32 | d0->eax) & (1ull << e->index))) {
            out->entries[i--] = out->entries[--out->nent];
        } else {
            size = MAX(size, e->eax + e->ebx);
        }
    }
    d0->ebx = d0->ecx = size;
}

static bool bad_value(GError **errp, const char *model, const char *key,
                      const char *v, uint64_t max)
{
    if (max) {
        error_setg(errp, "can't apply global %s-x86_64-cpu.%s=%s: Property "
                   ".%s doesn't take value %s (minimum: 0, maximum: %" PRIu64
                   ")", model, key, v, key, v, max);
    } else {
        error_setg(errp, "can't apply global %s-x86_64-cpu.%s=%s: Property "
                   "'.%s' doesn't take value '%s'", model, key, v, key, v);
    }
    return false;
}

/*
 * QEMU's identity properties: family=, model=, stepping= (CPUID.1 EAX and
 * its AMD copy in 0x80000001), level=, xlevel=, vendor= (12 characters),
 * model-id= (the brand string, up to 48).
 */
static bool apply_identity(struct kvm_cpuid2 *out, const char *model,
                           const KeyvalList *f, GError **errp)
{
    static const struct {
        const char *key;
        uint64_t max;
    } nums[] = {
        { "family", 0xff + 0xf }, { "model", 0xff }, { "stepping", 0xf },
        { "level", UINT32_MAX }, { "xlevel", UINT32_MAX },
    };
    struct kvm_cpuid_entry2 *l0 = find_entry(out, 0, 0);
    struct kvm_cpuid_entry2 *l1 = find_entry(out, 1, 0);
    struct kvm_cpuid_entry2 *x0 = find_entry(out, 0x80000000, 0);
    struct kvm_cpuid_entry2 *x1 = find_entry(out, 0x80000001, 0);
    const char *v;

    for (size_t i = 0; f && i < G_N_ELEMENTS(nums); i++) {
        char *end;
        if (!(v = keyval_get(f, nums[i].key))) {
            continue;
        }
        errno = 0;
        uint64_t n = g_ascii_strtoull(v, &end, 0);
        if (*v == '-' && end != v && !*end) {
            return bad_value(errp, model, nums[i].key, v, nums[i].max);
        }
        if (!*v || *end || errno || *v == '-') {
            error_setg(errp, "can't apply global %s-x86_64-cpu.%s=%s: "
                       "Parameter '%s' expects int64", model, nums[i].key, v,
                       nums[i].key);
            return false;
        }
        if (n > nums[i].max) {
            return bad_value(errp, model, nums[i].key, v, nums[i].max);
        }
        uint32_t sig = l1 ? l1->eax : 0;
        if (i == 0) {
            sig &= ~0x0ff00f00u;
            sig |= n > 0xf ? (0xfu << 8) | ((n - 0xf) << 20) : n << 8;
        } else if (i == 1) {
            sig = (sig & ~0x000f00f0u) | ((n & 0xf) << 4) | ((n >> 4) << 16);
        } else if (i == 2) {
            sig = (sig & ~0xfu) | n;
        } else if (i == 3 && l0) {
            l0->eax = n;
        } else if (i == 4 && x0) {
            x0->eax = n;
        }
        if (i < 3 && l1) {
            if (x1 && x1->eax == l1->eax) {
                x1->eax = sig;
            }
            l1->eax = sig;
        }
    }
    if (f && (v = keyval_get(f, "vendor"))) {
        if (strlen(v) != 12) {
            return bad_value(errp, model, "vendor", v, 0);
        }
        for (struct kvm_cpuid_entry2 *e = l0; e; e = e == l0 ? x0 : NULL) {
            memcpy(&e->ebx, v, 4);
            memcpy(&e->edx, v + 4, 4);
            memcpy(&e->ecx, v + 8, 4);
        }
    }
    if (f && (v = keyval_get(f, "model-id"))) {
        char brand[48] = { 0 };
        memcpy(brand, v, MIN(strlen(v), sizeof(brand)));
        for (int i = 0; i < 3; i++) {
            struct kvm_cpuid_entry2 *e = find_entry(out, 0x80000002 + i, 0);
            if (e) {
                memcpy(&e->eax, brand + 16 * i, 4);
                memcpy(&e->ebx, brand + 16 * i + 4, 4);
                memcpy(&e->ecx, brand + 16 * i + 8, 4);
                memcpy(&e->edx, brand + 16 * i + 12, 4);
            }
        }
    }
    return true;
}

/*
 * The model's CPUID with each feature word ANDed with what the provider
 * supports (a warning per requested feature it lacks, as QEMU), leaves the
 * provider does not know dropped, and the provider's KVM leaves added.
 * "host" and "max" are the provider's own set (x86_cpuid_host_entries):
 * the same code for ukvm and the kernel, so -cpu host,+feat/-feat work on
 * both (under ukvm that is the engine's "max" table).
 */
static struct kvm_cpuid2 *build_cpuid(KvmState *s, const KvmCpuConfig *cfg,
                                      bool quiet, GError **errp)
{
    X86Topology topo = {
        .sockets = cfg->sockets ? cfg->sockets : 1,
        .dies = cfg->dies ? cfg->dies : 1,
        .clusters = cfg->clusters ? cfg->clusters : 1,
        .cores = cfg->cores ? cfg->cores : 1,
        .threads = cfg->threads ? cfg->threads : 1,
    };
    X86CpuidEntry model[X86_CPUID_MAX_ENTRIES];
    const char *name = cfg->model ? cfg->model : "qemu64";
    struct kvm_cpuid2 *sup = s->supported_cpuid;
    int n;

    G_STATIC_ASSERT(sizeof(X86CpuidEntry) == sizeof(struct kvm_cpuid_entry2));
    /* max: everything the accelerator offers, i.e. host (as QEMU's) */
    bool host = !g_ascii_strcasecmp(name, "host") ||
                !g_ascii_strcasecmp(name, "max");
    bool missing = false;
    int nwords;
    x86_cpu_feature_words(&nwords);
    g_autofree uint32_t *missing_words = g_new0(uint32_t, nwords);
    if (host) {
        X86CpuidEntry provider[X86_CPUID_MAX_ENTRIES];
        int nsup = MIN(sup->nent, X86_CPUID_MAX_ENTRIES);
        memcpy(provider, sup->entries, nsup * sizeof(provider[0]));
        n = x86_cpuid_host_entries(provider, nsup, &topo, cfg->apic_id,
                                   model, X86_CPUID_MAX_ENTRIES);
    } else {
        n = x86_cpuid_model_entries(name, &topo, cfg->apic_id, model,
                                    X86_CPUID_MAX_ENTRIES);
    }
    if (n < 0) {
        error_setg(errp, "unable to find CPU model '%s'", name);
        return NULL;
    }
    n = MIN(n, X86_CPUID_MAX_ENTRIES);
    struct kvm_cpuid2 *out = g_malloc0(sizeof(*out) + (n + 8) *
                                       sizeof(struct kvm_cpuid_entry2));
    for (int i = 0; i < n; i++) {
        struct kvm_cpuid_entry2 e;
        memcpy(&e, &model[i], sizeof(e));
        if (e.function >= 0x40000000 && e.function < 0x40000100) {
            continue;               /* hypervisor leaves come from KVM */
        }
        if (!apply_features(&e, name, cfg->features, errp)) {
            g_free(out);
            return NULL;
        }
        struct kvm_cpuid_entry2 *se = find_entry(sup, e.function, e.index);
        if (se) {
            missing |= filter_entry(&e, se, missing_words);
        } else if (!(e.flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
                   !find_any(sup, e.function)) {
            continue;
        }
        /* else a sub-leaf (topology, XSAVE) of a leaf the provider has */
        if (host && s->p == &kvm_provider_kernel &&
            e.function >= 0x80000002 && e.function <= 0x80000004 &&
            !e.eax && !e.ebx && !e.ecx && !e.edx) {
            /* the kernel gives no brand string: the host's, as QEMU */
            unsigned r[4] = { 0 };
            __get_cpuid(e.function, &r[0], &r[1], &r[2], &r[3]);
            e.eax = r[0], e.ebx = r[1], e.ecx = r[2], e.edx = r[3];
        }
        out->entries[out->nent++] = e;
    }
    if (!quiet) {
        warn_missing(s, missing_words);
    }
    if (missing && cfg->features &&
        !g_strcmp0(keyval_get(cfg->features, "enforce"), "on")) {
        /* -cpu model,enforce: a missing feature is an error (QEMU) */
        error_setg(errp, "%s doesn't support requested features",
                   s->p == &kvm_provider_kernel ? "Host" : "TCG");
        g_free(out);
        return NULL;
    }
    fix_xsave(out, sup);
    if (!apply_identity(out, name, cfg->features, errp)) {
        g_free(out);
        return NULL;
    }
    /* kvm=off hides the KVM leaves (QEMU's, for guests that look) */
    bool pv = !cfg->features ||
              g_strcmp0(keyval_get(cfg->features, "kvm"), "off");
    for (uint32_t fn = 0x40000000; pv && fn <= 0x40000001; fn++) {
        struct kvm_cpuid_entry2 *se = find_entry(sup, fn, 0);
        if (se) {
            out->entries[out->nent++] = *se;
        }
    }
    return out;
}

struct kvm_cpuid2 *kvm_cpu_model_cpuid(KvmState *s, const KvmCpuConfig *cfg,
                                       GError **errp)
{
    return build_cpuid(s, cfg, true, errp);
}

/* ---- creation --------------------------------------------------------------- */

/*
 * KVM_GET/SET_MSRS stop at the first MSR they refuse and return how many
 * they did: walk the list, skipping refused ones.
 */
static uint32_t msrs_io(KvmCpu *cpu, struct kvm_msr_entry *e, uint32_t n,
                        bool set)
{
    struct {
        struct kvm_msrs h;
        struct kvm_msr_entry e[KVM_CPU_STATE_MAX_MSRS];
    } buf;
    uint32_t done = 0, out = 0;

    while (done < n) {
        memset(&buf.h, 0, sizeof(buf.h));
        buf.h.nmsrs = n - done;
        memcpy(buf.e, e + done, (n - done) * sizeof(*e));
        int r = kvm_vcpu_ioctl(cpu, set ? KVM_SET_MSRS : KVM_GET_MSRS, &buf);
        if (r < 0) {
            break;
        }
        for (int i = 0; i < r; i++) {
            e[out++] = buf.e[i];
        }
        done += r + 1;                  /* skip the refused one */
    }
    return out;
}

static bool capture_state(KvmCpu *cpu, KvmCpuState *st)
{
    KvmState *s = cpu->s;
    memset(st, 0, sizeof(*st));
    if (kvm_vcpu_ioctl(cpu, KVM_GET_REGS, &st->regs) < 0 ||
        kvm_vcpu_ioctl(cpu, KVM_GET_SREGS, &st->sregs) < 0 ||
        kvm_vcpu_ioctl(cpu, KVM_GET_FPU, &st->fpu) < 0 ||
        kvm_vcpu_ioctl(cpu, KVM_GET_VCPU_EVENTS, &st->events) < 0 ||
        kvm_vcpu_ioctl(cpu, KVM_GET_DEBUGREGS, &st->debugregs) < 0) {
        return false;
    }
    struct kvm_xcrs x;
    if (kvm_vcpu_ioctl(cpu, KVM_GET_XCRS, &x) == 0 && x.nr_xcrs) {
        st->xcr0 = x.xcrs[0].value;
    } else {
        st->xcr0 = 1;
    }
    st->has_xsave = s->has_xsave &&
                    kvm_vcpu_ioctl(cpu, KVM_GET_XSAVE, &st->xsave) == 0;
    for (uint32_t i = 0; i < s->n_msrs; i++) {
        st->msrs[i].index = s->msr_list[i];
    }
    st->nmsrs = msrs_io(cpu, st->msrs, s->n_msrs, false);
    return true;
}

#define STATE_FPU 1u
#define STATE_MSRS 2u

static bool apply_state(KvmCpu *cpu, const KvmCpuState *st, unsigned what)
{
    struct kvm_xcrs x = { .nr_xcrs = 1 };
    x.xcrs[0].xcr = 0;
    x.xcrs[0].value = st->xcr0;
    bool ok = kvm_vcpu_ioctl(cpu, KVM_SET_SREGS, (void *)&st->sregs) == 0 &&
              kvm_vcpu_ioctl(cpu, KVM_SET_REGS, (void *)&st->regs) == 0;
    if (what & STATE_FPU) {
        kvm_vcpu_ioctl(cpu, KVM_SET_XCRS, &x);
        ok = ok && kvm_vcpu_ioctl(cpu, KVM_SET_FPU, (void *)&st->fpu) == 0;
        if (st->has_xsave) {
            ok = ok && kvm_vcpu_ioctl(cpu, KVM_SET_XSAVE,
                                      (void *)&st->xsave) == 0;
        }
    }
    if ((what & STATE_MSRS) && st->nmsrs <= KVM_CPU_STATE_MAX_MSRS) {
        struct kvm_msr_entry e[KVM_CPU_STATE_MAX_MSRS];
        memcpy(e, st->msrs, st->nmsrs * sizeof(e[0]));
        ok = ok && msrs_io(cpu, e, st->nmsrs, true) == st->nmsrs;
    }
    ok = ok && kvm_vcpu_ioctl(cpu, KVM_SET_VCPU_EVENTS,
                              (void *)&st->events) == 0;
    kvm_vcpu_ioctl(cpu, KVM_SET_DEBUGREGS, (void *)&st->debugregs);
    return ok;
}

KvmCpu *kvm_cpu_create(KvmState *s, const KvmCpuConfig *cfg, GError **errp)
{
    if (kvm_cpu_by_index(s, cfg->index)) {
        error_setg(errp, "vCPU %u already exists", cfg->index);
        return NULL;
    }
    struct kvm_cpuid2 *cpuid = build_cpuid(s, cfg, false, errp);
    if (!cpuid) {
        return NULL;
    }
    KvmCpu *cpu = g_new0(KvmCpu, 1);
    cpu->s = s;
    cpu->index = cfg->index;
    cpu->apic_id = cfg->apic_id;
    g_cond_init(&cpu->cond);
    cpu->fd = s->p->ioctl(s->vm_fd, KVM_CREATE_VCPU,
                          (void *)(uintptr_t)cfg->apic_id);
    if (cpu->fd < 0) {
        error_setg(errp, "kvm_init_vcpu: KVM_CREATE_VCPU failed (%u): %s",
                   cfg->apic_id, g_strerror(-cpu->fd));
        goto fail;
    }
    cpu->run_size = s->vcpu_mmap_size;
    cpu->run = s->p->mmap(cpu->fd, cpu->run_size);
    if (cpu->run == MAP_FAILED) {
        error_setg_errno(errp, errno, "kvm_init_vcpu: mmap'ing vcpu state "
                         "failed");
        cpu->run = NULL;
        goto fail;
    }
    int r = kvm_vcpu_ioctl(cpu, KVM_SET_CPUID2, cpuid);
    if (r < 0) {
        error_setg(errp, "kvm_init_vcpu: KVM_SET_CPUID2 failed: %s",
                   g_strerror(-r));
        goto fail;
    }
    if (!capture_state(cpu, &cpu->reset_state)) {
        error_setg(errp, "kvm_init_vcpu: reading the initial state failed");
        goto fail;
    }
    /* an in-kernel LAPIC holds APs in wait-for-SIPI itself */
    cpu->wait_sipi = cfg->index != 0 && s->irqchip == KVM_IRQCHIP_OFF;
    g_free(cpuid);
    if (s->cpus->len <= cfg->index) {
        g_ptr_array_set_size(s->cpus, cfg->index + 1);
    }
    g_ptr_array_index(s->cpus, cfg->index) = cpu;
    return cpu;

fail:
    g_free(cpuid);
    if (cpu->run) {
        s->p->munmap(cpu->run, cpu->run_size);
    }
    if (cpu->fd >= 0) {
        s->p->close(cpu->fd);
    }
    g_cond_clear(&cpu->cond);
    g_free(cpu);
    return NULL;
}

KvmCpu *kvm_cpu_by_index(KvmState *s, uint32_t index)
{
    return index < s->cpus->len ? g_ptr_array_index(s->cpus, index) : NULL;
}

unsigned kvm_cpu_count(KvmState *s)
{
    unsigned n = 0;
    for (guint i = 0; i < s->cpus->len; i++) {
        n += g_ptr_array_index(s->cpus, i) != NULL;
    }
    return n;
}

void kvm_cpu_destroy(KvmCpu *cpu)
{
    if (!cpu) {
        return;
    }
    cpu->s->p->munmap(cpu->run, cpu->run_size);
    cpu->s->p->close(cpu->fd);
    g_cond_clear(&cpu->cond);
    g_free(cpu);
}

/* ---- state ---------------------------------------------------------------- */

typedef struct StateReq {
    KvmCpuState *st;
    bool set;
    bool ok;
} StateReq;

static void state_on_cpu(KvmCpu *cpu, void *data)
{
    StateReq *req = data;
    req->ok = req->set ? apply_state(cpu, req->st, STATE_FPU | STATE_MSRS)
                       : capture_state(cpu, req->st);
}

bool kvm_cpu_get_state(KvmCpu *cpu, KvmCpuState *st, GError **errp)
{
    StateReq req = { .st = st, .set = false };
    kvm_cpu_run_on(cpu, state_on_cpu, &req);
    if (!req.ok) {
        error_setg(errp, "cannot read the state of vCPU %u", cpu->index);
    }
    return req.ok;
}

bool kvm_cpu_set_state(KvmCpu *cpu, const KvmCpuState *st, GError **errp)
{
    StateReq req = { .st = (KvmCpuState *)st, .set = true };
    kvm_cpu_run_on(cpu, state_on_cpu, &req);
    if (!req.ok) {
        error_setg(errp, "invalid state for vCPU %u", cpu->index);
    }
    return req.ok;
}

void kvm_cpu_reset_one(KvmCpu *cpu)
{
    apply_state(cpu, &cpu->reset_state, STATE_FPU);
    /* kvmclock and other paravirtual MSRs off, as after power-on */
    struct {
        struct kvm_msrs h;
        struct kvm_msr_entry e[4];
    } msrs = { .h = { .nmsrs = 4 } };
    static const uint32_t pv[] = { 0x11, 0x12, 0x4b564d00, 0x4b564d01 };
    for (int i = 0; i < 4; i++) {
        msrs.e[i].index = pv[i];
    }
    kvm_vcpu_ioctl(cpu, KVM_SET_MSRS, &msrs);
    cpu->wait_sipi = cpu->index != 0 && cpu->s->irqchip == KVM_IRQCHIP_OFF;
    cpu->halted = false;
    cpu->stopped = false;
    cpu->run->request_interrupt_window = 0;
}

void kvm_cpu_enter_init_state(KvmCpu *cpu)
{
    /* INIT: like RESET but x87/SSE state and MSRs are kept (SDM 10.1) */
    apply_state(cpu, &cpu->reset_state, 0);
    cpu->wait_sipi = cpu->index != 0;
    cpu->halted = false;
}

static void seg_line(GString *out, const char *name,
                     const struct kvm_segment *sg)
{
    g_string_append_printf(out, "%-3s=%04x %016" PRIx64 " %08x "
                           "type=%x dpl=%u p=%u s=%u db=%u l=%u g=%u\n",
                           name, sg->selector, (uint64_t)sg->base, sg->limit,
                           sg->type, sg->dpl, sg->present, sg->s, sg->db,
                           sg->l, sg->g);
}

static void dump_regs(GString *out, const KvmCpuState *st)
{
    const struct kvm_regs *r = &st->regs;
    const struct kvm_sregs *s = &st->sregs;
    g_string_append_printf(out,
        "RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx\n"
        "RSI=%016llx RDI=%016llx RBP=%016llx RSP=%016llx\n"
        "R8 =%016llx R9 =%016llx R10=%016llx R11=%016llx\n"
        "R12=%016llx R13=%016llx R14=%016llx R15=%016llx\n"
        "RIP=%016llx RFL=%08llx\n",
        r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rbp, r->rsp,
        r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15,
        r->rip, r->rflags);
    seg_line(out, "ES", &s->es);
    seg_line(out, "CS", &s->cs);
    seg_line(out, "SS", &s->ss);
    seg_line(out, "DS", &s->ds);
    seg_line(out, "FS", &s->fs);
    seg_line(out, "GS", &s->gs);
    seg_line(out, "LDT", &s->ldt);
    seg_line(out, "TR", &s->tr);
    g_string_append_printf(out,
        "GDT=     %016llx %08x\nIDT=     %016llx %08x\n"
        "CR0=%08llx CR2=%016llx CR3=%016llx CR4=%08llx\n"
        "EFER=%016llx APIC_BASE=%016llx XCR0=%016" PRIx64 "\n",
        s->gdt.base, s->gdt.limit, s->idt.base, s->idt.limit,
        s->cr0, s->cr2, s->cr3, s->cr4, s->efer, s->apic_base, st->xcr0);
}

void kvm_cpu_dump_state(KvmCpu *cpu, GString *out)
{
    KvmCpuState st;
    if (!kvm_cpu_get_state(cpu, &st, NULL)) {
        g_string_append_printf(out, "CPU#%u: state unavailable\n",
                               cpu->index);
        return;
    }
    g_string_append_printf(out, "CPU#%u\n", cpu->index);
    dump_regs(out, &st);
}

/* On the vCPU thread: print the exit and the registers (QEMU's format). */
void kvm_cpu_report_error(KvmCpu *cpu, const char *what)
{
    KvmCpuState st;
    g_autoptr(GString) out = g_string_new(NULL);
    if (capture_state(cpu, &st)) {
        dump_regs(out, &st);
    }
    error_report("%s", what);
    fputs(out->str, stderr);
}
