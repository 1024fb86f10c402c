/*
 * MSR accesses KVM hands to user space, for a userspace LAPIC's x2APIC
 * registers and TSC-deadline timer (api.rst: KVM_CAP_X86_USER_SPACE_MSR,
 * KVM_X86_SET_MSR_FILTER, KVM_EXIT_X86_RDMSR/WRMSR).
 *
 * When an irq source with MSR callbacks is installed (the board's local
 * APIC), the VM gets KVM_MSR_EXIT_REASON_INVAL | _FILTER: without an
 * in-kernel LAPIC the kernel refuses x2APIC MSRs (0x800-0x8ff) with an
 * INVAL exit, and a filter denying IA32_TSC_DEADLINE (which the kernel
 * would otherwise silently ignore) brings it as a FILTER exit. Both work
 * the same on /dev/kvm and ukvm (tests/cpu/ukvm/test-kvm-msr.c). Each exit
 * goes to the vCPU's irq source; false from it, or any other MSR, is #GP
 * (msr.error = 1). IA32_TSC_DEADLINE writes also carry the guest TSC at
 * the exit (KVM_GET_MSRS of IA32_TSC) and its rate (KVM_GET_TSC_KHZ).
 *
 * IA32_APIC_BASE stays in the kernel/engine (it checks the x2APIC mode
 * transitions); like KVM's other userspace-irqchip users we read
 * kvm_run.apic_base after each KVM_RUN and tell the irq source when it
 * changed (the APIC follows EN and EXTD).
 */
#include <string.h>

#include "kvm-internal.h"
#include "util/error.h"

#define MSR_IA32_TSC_ 0x10
#define MSR_TSC_DEADLINE_ 0x6e0

void kvm_msr_enable(KvmCpu *cpu)
{
    KvmState *s = cpu->s;
    static uint8_t deny[8];                         /* one bit, 0: deny */

    if (!cpu->irq.msr_read || !cpu->irq.msr_write ||
        s->p->ioctl(s->sys_fd, KVM_CHECK_EXTENSION,
                    (void *)(long)KVM_CAP_X86_USER_SPACE_MSR) <= 0) {
        return;
    }
    struct kvm_enable_cap cap = {
        .cap = KVM_CAP_X86_USER_SPACE_MSR,
        .args = { KVM_MSR_EXIT_REASON_INVAL | KVM_MSR_EXIT_REASON_FILTER },
    };
    struct kvm_msr_filter f;
    memset(&f, 0, sizeof(f));
    f.flags = KVM_MSR_FILTER_DEFAULT_ALLOW;
    f.ranges[0].flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE;
    f.ranges[0].nmsrs = 1;
    f.ranges[0].base = MSR_TSC_DEADLINE_;
    f.ranges[0].bitmap = deny;
    /* per VM, so the same for every vCPU: doing it again is harmless */
    int r = kvm_vm_ioctl(s, KVM_ENABLE_CAP, &cap);
    if (r == 0) {
        r = kvm_vm_ioctl(s, KVM_X86_SET_MSR_FILTER, &f);
    }
    if (r < 0) {
        warn_report("KVM: user-space MSR exits unavailable (%s): no x2APIC "
                    "or TSC-deadline timer", g_strerror(-r));
    }
}

static uint64_t guest_tsc(KvmCpu *cpu)
{
    struct {
        struct kvm_msrs h;
        struct kvm_msr_entry e;
    } buf;

    memset(&buf, 0, sizeof(buf));
    buf.h.nmsrs = 1;
    buf.e.index = MSR_IA32_TSC_;
    return kvm_vcpu_ioctl(cpu, KVM_GET_MSRS, &buf) == 1 ? buf.e.data : 0;
}

void kvm_msr_handle_exit(KvmCpu *cpu)
{
    struct kvm_run *run = cpu->run;
    bool ok = false;

    if (run->exit_reason == KVM_EXIT_X86_RDMSR) {
        uint64_t v = 0;
        ok = cpu->irq.msr_read && cpu->irq.msr_read(cpu->irq.opaque,
                                                    run->msr.index, &v);
        run->msr.data = ok ? v : 0;
    } else if (cpu->irq.msr_write) {
        uint64_t tsc = 0;
        uint32_t khz = 0;
        if (run->msr.index == MSR_TSC_DEADLINE_) {
            int r = kvm_vcpu_ioctl(cpu, KVM_GET_TSC_KHZ, NULL);
            khz = r > 0 ? (uint32_t)r : 0;
            tsc = guest_tsc(cpu);
        }
        ok = cpu->irq.msr_write(cpu->irq.opaque, run->msr.index,
                                run->msr.data, tsc, khz);
    }
    run->msr.error = ok ? 0 : 1;
}

void kvm_msr_sync_apic_base(KvmCpu *cpu)
{
    uint64_t base = cpu->run->apic_base;

    if (base != cpu->apic_base_seen && cpu->irq.set_apic_base) {
        cpu->apic_base_seen = base;
        cpu->irq.set_apic_base(cpu->irq.opaque, base);
    }
}
