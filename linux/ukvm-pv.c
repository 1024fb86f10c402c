/*
 * ukvm's guest-visible paravirtual interface, as KVM's
 * (Documentation/virt/kvm/x86/cpuid.rst, msr.rst, hypercalls.rst):
 *
 * - CPUID 0x40000000 "KVMKVMKVM\0\0\0", 0x40000001 features: CLOCKSOURCE,
 *   NOP_IO_DELAY, CLOCKSOURCE2 and CLOCKSOURCE_STABLE_BIT — only what works.
 * - kvmclock: MSR_KVM_WALL_CLOCK(_NEW) writes the wall clock at kvmclock 0,
 *   MSR_KVM_SYSTEM_TIME(_NEW) with bit 0 set publishes a pvclock_vcpu_time_
 *   info. The engine's TSC is linear in CLOCK_MONOTONIC (tsc_khz), so one
 *   (tsc_timestamp, system_time, mul, shift) tuple stays exact; it is
 *   rewritten when KVM_SET_CLOCK moves the clock.
 * - Hypercalls (VMCALL/VMMCALL): KVM_HC_VAPIC_POLL_IRQ returns 0; every
 *   other number returns -KVM_ENOSYS, and any call from CPL > 0 returns
 *   -KVM_EPERM, as the kernel. KVM_HC_KICK_CPU and KVM_HC_SEND_IPI need an
 *   in-kernel LAPIC (PV_UNHALT, PV_SEND_IPI): not advertised, so -KVM_ENOSYS
 *   exactly as the kernel answers when those features are off.
 * Left out: PV EOI, async PF, steal time, PV TLB flush (not advertised).
 */
#include <string.h>
#include <time.h>

#include "ukvm-internal.h"

#define KVM_CPUID_SIGNATURE_ 0x40000000
#define KVM_CPUID_FEATURES_ 0x40000001
#define FEAT_CLOCKSOURCE (1u << 0)
#define FEAT_NOP_IO_DELAY (1u << 1)
#define FEAT_CLOCKSOURCE2 (1u << 3)
#define FEAT_CLOCKSOURCE_STABLE (1u << 24)

#define MSR_IA32_TSC_ 0x10
#define MSR_KVM_WALL_CLOCK_ 0x11
#define MSR_KVM_SYSTEM_TIME_ 0x12
#define MSR_KVM_WALL_CLOCK_NEW_ 0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW_ 0x4b564d01

#define HC_VAPIC_POLL_IRQ 1
#define HC_ENOSYS 1000
#define HC_EPERM 1

#define PVCLOCK_TSC_STABLE_BIT 1

typedef struct PvclockTimeInfo {
    uint32_t version;
    uint32_t pad0;
    uint64_t tsc_timestamp;
    uint64_t system_time;
    uint32_t tsc_to_system_mul;
    int8_t tsc_shift;
    uint8_t flags;
    uint8_t pad[2];
} PvclockTimeInfo;

typedef struct PvclockWallClock {
    uint32_t version;
    uint32_t sec;
    uint32_t nsec;
} PvclockWallClock;

int ukvm_pv_cpuid_entries(X86CpuidEntry *out, int max)
{
    if (max < 2) {
        return 0;
    }
    memset(out, 0, 2 * sizeof(*out));
    out[0].function = KVM_CPUID_SIGNATURE_;
    out[0].eax = KVM_CPUID_FEATURES_;
    memcpy(&out[0].ebx, "KVMK", 4);
    memcpy(&out[0].ecx, "VMKV", 4);
    memcpy(&out[0].edx, "M\0\0\0", 4);
    out[1].function = KVM_CPUID_FEATURES_;
    out[1].eax = FEAT_CLOCKSOURCE | FEAT_NOP_IO_DELAY | FEAT_CLOCKSOURCE2 |
                 FEAT_CLOCKSOURCE_STABLE;
    return 2;
}

int ukvm_pv_msr_list(uint32_t *out, int max)
{
    static const uint32_t msrs[] = {
        MSR_KVM_WALL_CLOCK_, MSR_KVM_SYSTEM_TIME_,
        MSR_KVM_WALL_CLOCK_NEW_, MSR_KVM_SYSTEM_TIME_NEW_,
    };
    int n = G_N_ELEMENTS(msrs);
    for (int i = 0; i < n && i < max; i++) {
        out[i] = msrs[i];
    }
    return n;
}

static UkvmVcpu *vcpu_of(UkvmVM *vm, X86CPU *cpu)
{
    uint32_t id = x86_cpu_index(cpu);
    return id < UKVM_MAX_VCPU_ID ? vm->vcpus[id] : NULL;
}

/* mul/shift so that ns = ((tsc << shift) or >> -shift) * mul >> 32 */
static void time_scale(uint64_t tsc_hz, uint32_t *mul, int8_t *shift)
{
    uint64_t scaled = 1000000000ULL, tps = tsc_hz;
    int s = 0;

    while (tps > scaled * 2 || (tps >> 32)) {
        tps >>= 1;
        s--;
    }
    uint32_t tps32 = (uint32_t)tps;
    while (tps32 <= scaled || (scaled >> 32)) {
        if ((scaled >> 32) || (tps32 & 0x80000000u)) {
            scaled >>= 1;
        } else {
            tps32 <<= 1;
        }
        s++;
    }
    *mul = (uint32_t)((scaled << 32) / tps32);
    *shift = (int8_t)s;
}

static void write_system_time(UkvmVcpu *v)
{
    uint64_t msr = v->pv.system_time_msr;
    if (!(msr & 1)) {
        return;
    }
    uint64_t gpa = msr & ~1ULL;
    PvclockTimeInfo t;
    uint32_t khz = x86_cpu_get_tsc_khz(v->cpu);
    uint64_t tsc = 0;

    memset(&t, 0, sizeof(t));
    x86_cpu_get_msr(v->cpu, MSR_IA32_TSC_, &tsc);
    t.system_time = ukvm_kvmclock_ns(v->vm);
    t.tsc_timestamp = tsc;
    time_scale((uint64_t)(khz ? khz : 1000000) * 1000, &t.tsc_to_system_mul,
               &t.tsc_shift);
    t.flags = PVCLOCK_TSC_STABLE_BIT;
    v->pv.version += 2;
    uint32_t odd = v->pv.version - 1;
    t.version = v->pv.version;
    /* version odd while the record changes, as pvclock readers expect */
    ukvm_guest_rw(v->vm, gpa, &odd, sizeof(odd), true);
    ukvm_guest_rw(v->vm, gpa + 4, (uint8_t *)&t + 4, sizeof(t) - 4, true);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    ukvm_guest_rw(v->vm, gpa, &t.version, sizeof(t.version), true);
    v->pv.clock_gen = atomic_load(&v->vm->clock_gen);
}

static void write_wall_clock(UkvmVcpu *v, uint64_t gpa)
{
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    uint64_t now = (uint64_t)rt.tv_sec * 1000000000 + rt.tv_nsec;
    uint64_t boot = now - ukvm_kvmclock_ns(v->vm);
    PvclockWallClock w;
    uint32_t version = 0;

    ukvm_guest_rw(v->vm, gpa, &version, sizeof(version), false);
    version = (version + 1) | 1;
    ukvm_guest_rw(v->vm, gpa, &version, sizeof(version), true);
    w.sec = boot / 1000000000;
    w.nsec = boot % 1000000000;
    ukvm_guest_rw(v->vm, gpa + 4, &w.sec, 8, true);
    version++;
    ukvm_guest_rw(v->vm, gpa, &version, sizeof(version), true);
}

void ukvm_pv_update(UkvmVcpu *v)
{
    if ((v->pv.system_time_msr & 1) &&
        v->pv.clock_gen != atomic_load(&v->vm->clock_gen)) {
        write_system_time(v);
    }
}

X86MsrResult ukvm_pv_msr_read(void *opaque, X86CPU *cpu, uint32_t index,
                              uint64_t *value)
{
    UkvmVcpu *v = vcpu_of(opaque, cpu);
    if (!v) {
        return X86_MSR_UNHANDLED;
    }
    switch (index) {
    case MSR_KVM_WALL_CLOCK_:
    case MSR_KVM_WALL_CLOCK_NEW_:
        *value = v->pv.wall_clock_msr;
        return X86_MSR_OK;
    case MSR_KVM_SYSTEM_TIME_:
    case MSR_KVM_SYSTEM_TIME_NEW_:
        *value = v->pv.system_time_msr;
        return X86_MSR_OK;
    default:
        return X86_MSR_UNHANDLED;
    }
}

X86MsrResult ukvm_pv_msr_write(void *opaque, X86CPU *cpu, uint32_t index,
                               uint64_t value)
{
    UkvmVcpu *v = vcpu_of(opaque, cpu);
    if (!v) {
        return X86_MSR_UNHANDLED;
    }
    switch (index) {
    case MSR_KVM_WALL_CLOCK_:
    case MSR_KVM_WALL_CLOCK_NEW_:
        v->pv.wall_clock_msr = value;
        write_wall_clock(v, value);
        return X86_MSR_OK;
    case MSR_KVM_SYSTEM_TIME_:
    case MSR_KVM_SYSTEM_TIME_NEW_:
        v->pv.system_time_msr = value;
        write_system_time(v);
        return X86_MSR_OK;
    default:
        return X86_MSR_UNHANDLED;
    }
}

void ukvm_pv_hypercall(UkvmVcpu *v, const X86Exit *ex)
{
    X86Regs regs;
    X86SRegs sregs;
    x86_cpu_get_regs(v->cpu, &regs);
    x86_cpu_get_sregs(v->cpu, &sregs);

    bool long64 = (sregs.efer & (1u << 10)) && sregs.cs.l;
    unsigned cpl = (sregs.cr0 & 1) ? sregs.ss.dpl : 0;
    if (regs.rflags & (1u << 17)) {
        cpl = 3;                    /* virtual-8086 mode */
    }
    uint64_t nr = long64 ? ex->hypercall.nr : (uint32_t)ex->hypercall.nr;
    uint64_t ret;
    if (cpl != 0) {
        ret = (uint64_t)-HC_EPERM;
    } else if (nr == HC_VAPIC_POLL_IRQ) {
        ret = 0;
    } else {
        ret = (uint64_t)-HC_ENOSYS;
    }
    regs.rax = long64 ? ret : (uint32_t)ret;
    x86_cpu_set_regs(v->cpu, &regs);
}
