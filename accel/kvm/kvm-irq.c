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
 *
 * With -machine kernel-irqchip=on|split (kernel provider) the in-kernel
 * LAPIC does all of that; kvm_irqchip_* create it and raise GSIs / MSIs.
 */
#include <errno.h>
#include <string.h>

#include "kvm-internal.h"
#include "system/main-loop.h"
#include "util/error.h"

void kvm_cpu_set_irq_source(KvmCpu *cpu, const KvmIrqSource *src)
{
    cpu->irq = *src;
    kvm_msr_enable(cpu);
    kvm_cpu_interrupt(cpu);
}

/*
 * On the vCPU's own thread (an EOI, TPR or timer register write handled
 * between two KVM_RUNs) no wakeup is needed: the thread is neither waiting
 * nor in KVM_RUN, and kvm_irq_pre_run reads the hint before the next one.
 * A kick there would only make that KVM_RUN return EINTR at once.
 */
void kvm_cpu_interrupt(KvmCpu *cpu)
{
    __atomic_store_n(&cpu->irq_hint, 1, __ATOMIC_SEQ_CST);
    if (kvm_current_cpu() == cpu) {
        return;
    }
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

    if (cpu->s->irqchip != KVM_IRQCHIP_OFF) {
        if (__atomic_exchange_n(&cpu->nmi_pending, 0, __ATOMIC_SEQ_CST)) {
            kvm_vcpu_ioctl(cpu, KVM_NMI, NULL);
        }
        return;                     /* the in-kernel LAPIC injects */
    }

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

/* ---- in-kernel irqchip -------------------------------------------------- */

bool kvm_irqchip_create(KvmState *s, KvmIrqchipMode mode, GError **errp)
{
    if (s->cpus->len) {
        error_setg(errp, "kernel-irqchip must be chosen before vCPUs exist");
        return false;
    }
    if (mode == KVM_IRQCHIP_OFF) {
        s->irqchip = mode;
        return true;
    }
    long cap = mode == KVM_IRQCHIP_ON ? KVM_CAP_IRQCHIP : KVM_CAP_SPLIT_IRQCHIP;
    if (s->p->ioctl(s->vm_fd, KVM_CHECK_EXTENSION, (void *)cap) <= 0) {
        error_setg(errp, "kernel-irqchip=%s is not supported by the %s "
                   "accelerator", mode == KVM_IRQCHIP_ON ? "on" : "split",
                   s->accel_name);
        return false;
    }
    int r;
    if (mode == KVM_IRQCHIP_ON) {
        r = kvm_vm_ioctl(s, KVM_CREATE_IRQCHIP, NULL);
    } else {
        struct kvm_enable_cap c;
        memset(&c, 0, sizeof(c));
        c.cap = KVM_CAP_SPLIT_IRQCHIP;
        c.args[0] = 24;             /* IOAPIC pins routed from user space */
        r = kvm_vm_ioctl(s, KVM_ENABLE_CAP, &c);
    }
    if (r < 0) {
        error_setg(errp, "Could not enable %s: %s",
                   mode == KVM_IRQCHIP_ON ? "the in-kernel irqchip"
                                          : "split irqchip mode",
                   g_strerror(-r));
        return false;
    }
    s->irqchip = mode;
    return true;
}

KvmIrqchipMode kvm_irqchip_mode(const KvmState *s)
{
    return s->irqchip;
}

int kvm_irqchip_set_irq(KvmState *s, uint32_t gsi, bool level)
{
    if (s->irqchip != KVM_IRQCHIP_ON) {
        return -ENXIO;
    }
    struct kvm_irq_level l = { .irq = gsi, .level = level };
    return kvm_vm_ioctl(s, KVM_IRQ_LINE, &l);
}

int kvm_irqchip_send_msi(KvmState *s, uint64_t addr, uint32_t data)
{
    if (s->irqchip == KVM_IRQCHIP_OFF) {
        return -ENXIO;
    }
    struct kvm_msi m = {
        .address_lo = (uint32_t)addr,
        .address_hi = addr >> 32,
        .data = data,
    };
    return kvm_vm_ioctl(s, KVM_SIGNAL_MSI, &m);
}

int kvm_irqchip_add_irqfd(KvmState *s, int fd, uint32_t gsi, int resample_fd)
{
    if (s->irqchip == KVM_IRQCHIP_OFF) {
        return -ENXIO;
    }
    struct kvm_irqfd a = { .fd = fd, .gsi = gsi };
    if (resample_fd >= 0) {
        a.flags = KVM_IRQFD_FLAG_RESAMPLE;
        a.resamplefd = resample_fd;
    }
    return kvm_vm_ioctl(s, KVM_IRQFD, &a);
}

int kvm_irqchip_remove_irqfd(KvmState *s, int fd, uint32_t gsi)
{
    struct kvm_irqfd a = { .fd = fd, .gsi = gsi,
                           .flags = KVM_IRQFD_FLAG_DEASSIGN };
    return kvm_vm_ioctl(s, KVM_IRQFD, &a);
}
