/*
 * Interrupt delivery with a userspace irqchip (no in-kernel PIC/IOAPIC/
 * LAPIC): before each KVM_RUN the vCPU asks its irq source (the board's
 * interrupt controller) whether INTR is asserted; if kvm_run says the
 * vCPU is ready_for_interrupt_injection it acknowledges the vector and
 * issues KVM_INTERRUPT, otherwise it sets request_interrupt_window and KVM
 * exits with KVM_EXIT_IRQ_WINDOW_OPEN as soon as the guest can take it.
 * NMIs go through KVM_NMI. INIT and STARTUP IPIs are applied here:
 * INIT puts the vCPU in its INIT state waiting for SIPI (application
 * processors), SIPI starts it at vector * 4 KiB in real mode.
 */
#include "kvm-internal.h"
#include "system/main-loop.h"

void kvm_cpu_set_irq_source(KvmCpu *cpu, const KvmIrqSource *src)
{
    cpu->irq = *src;
    kvm_cpu_interrupt(cpu);
}

void kvm_cpu_interrupt(KvmCpu *cpu)
{
    __atomic_store_n(&cpu->irq_hint, 1, __ATOMIC_SEQ_CST);
    kvm_cpu_wake(cpu);
}

void kvm_cpu_nmi(KvmCpu *cpu)
{
    __atomic_store_n(&cpu->nmi_pending, 1, __ATOMIC_SEQ_CST);
    kvm_cpu_wake(cpu);
}

void kvm_cpu_init_request(KvmCpu *cpu)
{
    __atomic_store_n(&cpu->init_pending, 1, __ATOMIC_SEQ_CST);
    kvm_cpu_wake(cpu);
}

void kvm_cpu_sipi(KvmCpu *cpu, uint8_t vector)
{
    __atomic_store_n(&cpu->sipi_pending, vector + 1, __ATOMIC_SEQ_CST);
    kvm_cpu_wake(cpu);
}

static bool irq_asserted(KvmCpu *cpu)
{
    return cpu->irq.has_interrupt && cpu->irq.has_interrupt(cpu->irq.opaque);
}

void kvm_irq_handle_startup(KvmCpu *cpu)
{
    if (__atomic_exchange_n(&cpu->init_pending, 0, __ATOMIC_SEQ_CST)) {
        kvm_cpu_enter_init_state(cpu);
    }
    int sipi = __atomic_load_n(&cpu->sipi_pending, __ATOMIC_SEQ_CST);
    if (sipi && cpu->wait_sipi) {
        __atomic_store_n(&cpu->sipi_pending, 0, __ATOMIC_SEQ_CST);
        uint8_t vector = sipi - 1;
        struct kvm_sregs sregs;
        struct kvm_regs regs;
        if (kvm_vcpu_ioctl(cpu, KVM_GET_SREGS, &sregs) == 0 &&
            kvm_vcpu_ioctl(cpu, KVM_GET_REGS, &regs) == 0) {
            sregs.cs.selector = vector << 8;
            sregs.cs.base = (uint64_t)vector << 12;
            regs.rip = 0;
            kvm_vcpu_ioctl(cpu, KVM_SET_SREGS, &sregs);
            kvm_vcpu_ioctl(cpu, KVM_SET_REGS, &regs);
        }
        cpu->wait_sipi = false;
        cpu->halted = false;
    } else if (sipi && !cpu->wait_sipi) {
        /* a SIPI to a running CPU is ignored (SDM 10.4.7.3) */
        __atomic_store_n(&cpu->sipi_pending, 0, __ATOMIC_SEQ_CST);
    }
}

bool kvm_irq_cpu_has_work(KvmCpu *cpu)
{
    if (__atomic_load_n(&cpu->nmi_pending, __ATOMIC_SEQ_CST) ||
        __atomic_load_n(&cpu->init_pending, __ATOMIC_SEQ_CST)) {
        return true;
    }
    return cpu->run->if_flag && irq_asserted(cpu);
}

void kvm_irq_pre_run(KvmCpu *cpu)
{
    struct kvm_run *run = cpu->run;

    if (__atomic_exchange_n(&cpu->nmi_pending, 0, __ATOMIC_SEQ_CST)) {
        kvm_vcpu_ioctl(cpu, KVM_NMI, NULL);
    }
    if (!__atomic_load_n(&cpu->irq_hint, __ATOMIC_SEQ_CST) &&
        !run->request_interrupt_window) {
        return;
    }
    bql_lock();
    if (irq_asserted(cpu)) {
        if (run->ready_for_interrupt_injection) {
            int vector = cpu->irq.ack(cpu->irq.opaque);
            if (vector >= 0) {
                struct kvm_interrupt irq = { .irq = vector };
                kvm_vcpu_ioctl(cpu, KVM_INTERRUPT, &irq);
            }
            /* another may be pending behind it: keep looking */
            run->request_interrupt_window = irq_asserted(cpu);
        } else {
            run->request_interrupt_window = 1;
        }
    } else {
        __atomic_store_n(&cpu->irq_hint, 0, __ATOMIC_SEQ_CST);
        run->request_interrupt_window = 0;
    }
    bql_unlock();
}
