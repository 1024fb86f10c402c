/*
 * Model-specific registers the engine owns (SDM Vol. 4), the TSC, and the
 * embedder's hook for the rest (kvmclock, x2APIC, Hyper-V, ...).
 * Machine-check banks are not modelled (MCE/MCA are not advertised).
 *
 * MSR exits: when the hook answers X86_MSR_EXIT for a guest RDMSR/WRMSR,
 * the instruction stops unretired (CHECK_EXIT_NOW, like an IN or an MMIO
 * read) with X86_EXIT_MSR. The embedder completes it with
 * x86_cpu_complete_msr(); when the instruction runs again the completion
 * is consumed (same RIP, index, direction and value) instead of asking
 * the hook. The run loop executes that instruction first, with no
 * interrupt injected in between (as KVM's complete_userspace_io), the way
 * it finishes an MMIO or I/O completion; after that first instruction an
 * unconsumed completion is dropped.
 */
#include <time.h>

#include "target/i386/engine.h"

#define MSR_TSC              0x10
#define MSR_APIC_BASE        0x1b
#define MSR_FEATURE_CONTROL  0x3a
#define MSR_TSC_ADJUST       0x3b
#define MSR_SPEC_CTRL        0x48
#define MSR_UCODE_REV        0x8b
#define MSR_MTRRCAP          0xfe
#define MSR_SYSENTER_CS      0x174
#define MSR_SYSENTER_ESP     0x175
#define MSR_SYSENTER_EIP     0x176
#define MSR_MCG_CAP          0x179
#define MSR_MCG_STATUS       0x17a
#define MSR_MISC_ENABLE      0x1a0
#define MSR_MTRR_VAR0        0x200
#define MSR_MTRR_FIX64K      0x250
#define MSR_MTRR_FIX16K0     0x258
#define MSR_MTRR_FIX16K1     0x259
#define MSR_MTRR_FIX4K0      0x268
#define MSR_PAT              0x277
#define MSR_MTRR_DEF_TYPE    0x2ff
#define MSR_EFER             0xc0000080
#define MSR_STAR             0xc0000081
#define MSR_LSTAR            0xc0000082
#define MSR_CSTAR            0xc0000083
#define MSR_SFMASK           0xc0000084
#define MSR_FS_BASE          0xc0000100
#define MSR_GS_BASE          0xc0000101
#define MSR_KERNEL_GS_BASE   0xc0000102
#define MSR_TSC_AUX          0xc0000103
#define MSR_AMD_SYSCFG       0xc0010010
#define MSR_AMD_HWCR         0xc0010015
#define MSR_AMD_NB_CFG       0xc001001f

#define APIC_BASE_BSP        (1ULL << 8)
#define APIC_BASE_EXTD       (1ULL << 10)
#define APIC_BASE_EN         (1ULL << 11)
#define CPUID_1_ECX_X2APIC_  (1u << 21)

static const uint32_t owned_msrs[] = {
    MSR_TSC, MSR_APIC_BASE, MSR_FEATURE_CONTROL, MSR_TSC_ADJUST,
    MSR_UCODE_REV, MSR_MTRRCAP, MSR_SYSENTER_CS, MSR_SYSENTER_ESP,
    MSR_SYSENTER_EIP, MSR_MCG_CAP, MSR_MCG_STATUS, MSR_MISC_ENABLE,
    0x200, 0x201, 0x202, 0x203, 0x204, 0x205, 0x206, 0x207,
    0x208, 0x209, 0x20a, 0x20b, 0x20c, 0x20d, 0x20e, 0x20f,
    MSR_MTRR_FIX64K, MSR_MTRR_FIX16K0, MSR_MTRR_FIX16K1,
    0x268, 0x269, 0x26a, 0x26b, 0x26c, 0x26d, 0x26e, 0x26f,
    MSR_PAT, MSR_MTRR_DEF_TYPE, MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_CSTAR,
    MSR_SFMASK, MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_TSC_AUX,
    MSR_AMD_HWCR,
};

int x86_msr_index_list(uint32_t *out, int max)
{
    int n = G_N_ELEMENTS(owned_msrs);

    for (int i = 0; i < n && i < max; i++) {
        out[i] = owned_msrs[i];
    }
    return n;
}

static uint64_t host_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Guest TSC = host CLOCK_MONOTONIC ns * tsc_khz / 10^6 + offset, computed
 * as (ns * mul) >> 32 with mul = tsc_khz * 2^32 / 10^6 rounded (relative
 * rate error < 2^-32 * 10^6 / tsc_khz: 1.2e-10 at 2 GHz), so an RDTSC costs
 * a multiply instead of a 128-bit division. Still linear in
 * CLOCK_MONOTONIC (kvmclock relies on it, ukvm-pv.c) and monotonic. mul is
 * memoised per thread (a vCPU is one thread; all share one tsc_khz). */
static uint64_t tsc_mul(uint32_t khz)
{
    static __thread uint32_t memo_khz;
    static __thread uint64_t memo_mul;

    if (unlikely(khz != memo_khz)) {
        memo_mul = (((uint64_t)khz << 32) + 500000) / 1000000;
        memo_khz = khz;
    }
    return memo_mul;
}

uint64_t x86_tsc_ticks(X86CPU *cpu, uint64_t ns)
{
    return (uint64_t)(((unsigned __int128)ns * tsc_mul(cpu->tsc_khz)) >> 32);
}

uint64_t x86_host_ns(void)
{
    return host_ns();
}

uint64_t x86_tsc_now(X86CPU *cpu)
{
    unsigned __int128 t = (unsigned __int128)host_ns() * tsc_mul(cpu->tsc_khz);

    return (uint64_t)(t >> 32) + cpu->tsc_offset;
}

static bool mtrr_type_ok(uint64_t t)
{
    return t == 0 || t == 1 || t == 4 || t == 5 || t == 6;
}

static bool pat_ok(uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        uint64_t t = (v >> (i * 8)) & 0xff;
        if (!(mtrr_type_ok(t) || t == 7)) {
            return false;
        }
    }
    return true;
}

static int fixed_index(uint32_t idx)
{
    if (idx == MSR_MTRR_FIX64K) {
        return 0;
    }
    if (idx == MSR_MTRR_FIX16K0 || idx == MSR_MTRR_FIX16K1) {
        return 1 + idx - MSR_MTRR_FIX16K0;
    }
    if (idx >= MSR_MTRR_FIX4K0 && idx <= MSR_MTRR_FIX4K0 + 7) {
        return 3 + idx - MSR_MTRR_FIX4K0;
    }
    return -1;
}

/* Stop the RDMSR/WRMSR at RIP with X86_EXIT_MSR (see the header). */
static bool msr_exit(X86CPU *cpu, uint32_t idx, bool write, uint64_t v)
{
    cpu->msr_exit.exited = true;
    cpu->msr_exit.done = false;
    cpu->msr_exit.write = write;
    cpu->msr_exit.index = idx;
    cpu->msr_exit.data = write ? v : 0;
    cpu->msr_exit.rip = cpu->rip;
    cpu->exit->reason = X86_EXIT_MSR;
    cpu->exit->msr.index = idx;
    cpu->exit->msr.write = write;
    cpu->exit->msr.data = write ? v : 0;
    cpu->check |= CHECK_EXIT_NOW;
    return false;           /* the #GP op_rdmsr/op_wrmsr raise is dropped */
}

/* The completion of this very access, if the embedder gave one. */
static bool msr_completed(X86CPU *cpu, uint32_t idx, bool write, uint64_t v)
{
    if (!cpu->msr_exit.done || cpu->msr_exit.index != idx ||
        cpu->msr_exit.write != write || cpu->msr_exit.rip != cpu->rip ||
        (write && cpu->msr_exit.data != v)) {
        return false;
    }
    cpu->msr_exit.done = false;
    return true;
}

void x86_cpu_complete_msr(X86CPU *cpu, uint64_t data, bool error)
{
    if (!cpu->msr_exit.exited) {
        return;
    }
    cpu->msr_exit.exited = false;
    cpu->msr_exit.done = true;
    cpu->msr_exit.error = error;
    if (!cpu->msr_exit.write) {
        cpu->msr_exit.data = data;
    }
}

bool x86_msr_read(X86CPU *cpu, uint32_t idx, uint64_t *v, bool host)
{
    X86VM *vm = cpu->vm;
    int fi;

    if (!host && msr_completed(cpu, idx, false, 0)) {
        *v = cpu->msr_exit.data;
        return !cpu->msr_exit.error;
    }
    if (vm->ops.msr_read) {
        switch (vm->ops.msr_read(vm->opaque, cpu, idx, v)) {
        case X86_MSR_OK:
            return true;
        case X86_MSR_GP:
            return false;
        case X86_MSR_EXIT:
            if (!host) {
                return msr_exit(cpu, idx, false, 0);
            }
            break;
        case X86_MSR_DENY:
            if (!host) {
                return false;
            }
            break;
        default:
            break;
        }
    }
    switch (idx) {
    case MSR_TSC: *v = x86_tsc_now(cpu); return true;
    case MSR_APIC_BASE: *v = cpu->apic_base; return true;
    case MSR_FEATURE_CONTROL: *v = cpu->feature_control; return true;
    case MSR_TSC_ADJUST: *v = cpu->tsc_adjust; return true;
    case MSR_UCODE_REV: *v = 0x100000000ULL; return true;
    /* AMD's SYSCFG, HWCR and NB_CFG read as KVM makes them, whatever the
     * vendor (Linux reads them on AMD models) */
    case MSR_AMD_SYSCFG: case MSR_AMD_NB_CFG: *v = 0; return true;
    case MSR_AMD_HWCR: *v = cpu->amd_hwcr; return true;
    case MSR_MTRRCAP: *v = 0x508; return true;  /* 8 var, fixed, WC */
    case MSR_SYSENTER_CS: *v = cpu->sysenter_cs; return true;
    case MSR_SYSENTER_ESP: *v = cpu->sysenter_esp; return true;
    case MSR_SYSENTER_EIP: *v = cpu->sysenter_eip; return true;
    case MSR_MCG_CAP: *v = 0; return true;
    case MSR_MCG_STATUS: *v = cpu->mcg_status; return true;
    case MSR_MISC_ENABLE: *v = cpu->misc_enable; return true;
    case MSR_PAT: *v = cpu->pat; return true;
    case MSR_MTRR_DEF_TYPE: *v = cpu->mtrr_def_type; return true;
    case MSR_EFER: *v = cpu->efer; return true;
    case MSR_STAR: *v = cpu->star; return true;
    case MSR_LSTAR: *v = cpu->lstar; return true;
    case MSR_CSTAR: *v = cpu->cstar; return true;
    case MSR_SFMASK: *v = cpu->sfmask; return true;
    case MSR_FS_BASE: *v = cpu->seg[SEG_FS].base; return true;
    case MSR_GS_BASE: *v = cpu->seg[SEG_GS].base; return true;
    case MSR_KERNEL_GS_BASE: *v = cpu->kernel_gs_base; return true;
    case MSR_TSC_AUX:
        if (!host && !(cpu->feat_e1_edx & CPUID_E1_EDX_RDTSCP) &&
            !(cpu->feat_7_ecx & CPUID_7_ECX_RDPID)) {
            return false;
        }
        *v = cpu->tsc_aux;
        return true;
    default:
        break;
    }
    if (idx >= MSR_MTRR_VAR0 && idx < MSR_MTRR_VAR0 + 16) {
        *v = cpu->mtrr_var[idx - MSR_MTRR_VAR0];
        return true;
    }
    fi = fixed_index(idx);
    if (fi >= 0) {
        *v = cpu->mtrr_fixed[fi];
        return true;
    }
    return false;
}

/*
 * IA32_APIC_BASE (SDM 11.12.5, as KVM's kvm_set_apic_base): bits 0-7 and
 * 9 reserved, EXTD only with CPUID x2APIC; EXTD without EN is invalid;
 * the guest may not go x2APIC -> xAPIC or disabled -> x2APIC directly.
 */
static bool apic_base_write(X86CPU *cpu, uint64_t v, bool host)
{
    uint32_t r[4];

    x86_cpuid_lookup(cpu, 0x80000008, 0, r);
    unsigned phys = (r[0] & 0xff) ? MIN(r[0] & 0xff, 52u) : 36;
    /* bits 0-7, 9 and above MAXPHYADDR (KVM's kvm_set_apic_base) */
    uint64_t reserved = ~((1ULL << phys) - 1) | 0x2ff;

    if (!(cpu->feat_1_ecx & CPUID_1_ECX_X2APIC_)) {
        reserved |= APIC_BASE_EXTD;
    }
    if ((v & reserved) || (v & (APIC_BASE_EN | APIC_BASE_EXTD)) ==
        APIC_BASE_EXTD) {
        return false;
    }
    if (!host) {
        bool old_x2 = (cpu->apic_base & APIC_BASE_EXTD) != 0;
        bool old_en = (cpu->apic_base & APIC_BASE_EN) != 0;
        bool new_x2 = (v & APIC_BASE_EXTD) != 0;
        bool new_en = (v & APIC_BASE_EN) != 0;
        if (old_x2 && new_en && !new_x2) {
            return false;               /* x2APIC -> xAPIC */
        }
        if (!old_en && new_x2) {
            return false;               /* disabled -> x2APIC */
        }
    }
    cpu->apic_base = v;
    return true;
}

bool x86_msr_write(X86CPU *cpu, uint32_t idx, uint64_t v, bool host)
{
    X86VM *vm = cpu->vm;
    int fi;

    if (!host && msr_completed(cpu, idx, true, v)) {
        return !cpu->msr_exit.error;
    }
    if (vm->ops.msr_write) {
        switch (vm->ops.msr_write(vm->opaque, cpu, idx, v)) {
        case X86_MSR_OK:
            return true;
        case X86_MSR_GP:
            return false;
        case X86_MSR_EXIT:
            if (!host) {
                return msr_exit(cpu, idx, true, v);
            }
            break;
        case X86_MSR_DENY:
            if (!host) {
                return false;
            }
            break;
        default:
            break;
        }
    }
    switch (idx) {
    case MSR_TSC:
        cpu->tsc_offset += (int64_t)(v - x86_tsc_now(cpu));
        return true;
    case MSR_APIC_BASE:
        return apic_base_write(cpu, v, host);
    case MSR_FEATURE_CONTROL:
        if (!host && (cpu->feature_control & 1)) {
            return false;                   /* locked */
        }
        cpu->feature_control = v;
        return true;
    case MSR_TSC_ADJUST:
        cpu->tsc_offset += (int64_t)(v - cpu->tsc_adjust);
        cpu->tsc_adjust = v;
        return true;
    case MSR_UCODE_REV:
        return true;
    case MSR_AMD_NB_CFG:
        return true;                /* ignored, as KVM */
    case MSR_AMD_HWCR:
        /* KVM keeps McStatusWrEn (18) and TscFreqSel (24) and drops a few
         * legacy bits (3, 6, 8); anything else is #GP. SYSCFG writes are
         * #GP (not handled here). */
        if (v & ~((1ULL << 18) | (1ULL << 24) | 0x148)) {
            return false;
        }
        cpu->amd_hwcr = v & ((1ULL << 18) | (1ULL << 24));
        return true;
    case MSR_SYSENTER_CS: cpu->sysenter_cs = v & 0xffff; return true;
    case MSR_SYSENTER_ESP:
    case MSR_SYSENTER_EIP:
        if (!x86_canonical(v)) {
            return false;
        }
        if (idx == MSR_SYSENTER_ESP) {
            cpu->sysenter_esp = v;
        } else {
            cpu->sysenter_eip = v;
        }
        return true;
    case MSR_MCG_STATUS: cpu->mcg_status = v; return true;
    case MSR_MISC_ENABLE:
        cpu->misc_enable = v;
        return true;
    case MSR_PAT:
        if (!pat_ok(v)) {
            return false;
        }
        cpu->pat = v;
        return true;
    case MSR_MTRR_DEF_TYPE:
        if ((v & ~0xcffULL) || !mtrr_type_ok(v & 0xff)) {
            return false;
        }
        cpu->mtrr_def_type = v;
        return true;
    case MSR_EFER:
        if (host) {
            if (v & ~(uint64_t)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)) {
                return false;
            }
            cpu->efer = v;
            x86_tlb_flush(cpu, true);
            x86_update_modes(cpu);
            return true;
        }
        return x86_set_efer(cpu, v);
    case MSR_STAR: cpu->star = v; return true;
    case MSR_LSTAR:
    case MSR_CSTAR:
        if (!x86_canonical(v)) {
            return false;
        }
        if (idx == MSR_LSTAR) {
            cpu->lstar = v;
        } else {
            cpu->cstar = v;
        }
        return true;
    case MSR_SFMASK: cpu->sfmask = (uint32_t)v; return true;
    case MSR_FS_BASE:
    case MSR_GS_BASE:
    case MSR_KERNEL_GS_BASE:
        if (!x86_canonical(v)) {
            return false;
        }
        if (idx == MSR_FS_BASE) {
            cpu->seg[SEG_FS].base = v;
        } else if (idx == MSR_GS_BASE) {
            cpu->seg[SEG_GS].base = v;
        } else {
            cpu->kernel_gs_base = v;
        }
        return true;
    case MSR_TSC_AUX:
        if (v >> 32) {
            return false;
        }
        cpu->tsc_aux = v;
        return true;
    default:
        break;
    }
    if (idx >= MSR_MTRR_VAR0 && idx < MSR_MTRR_VAR0 + 16) {
        if ((idx & 1) == 0 && !mtrr_type_ok(v & 0xff)) {
            return false;
        }
        cpu->mtrr_var[idx - MSR_MTRR_VAR0] = v;
        return true;
    }
    fi = fixed_index(idx);
    if (fi >= 0) {
        cpu->mtrr_fixed[fi] = v;
        return true;
    }
    return false;
}

bool x86_cpu_get_msr(X86CPU *cpu, uint32_t index, uint64_t *value)
{
    return x86_msr_read(cpu, index, value, true);
}

bool x86_cpu_set_msr(X86CPU *cpu, uint32_t index, uint64_t value)
{
    return x86_msr_write(cpu, index, value, true);
}
