/*
 * Local APIC (xAPIC, one per vCPU) and the "APIC bus" that connects the
 * local APICs with each other and with the IOAPIC — hw/intc/apic.c.
 *
 * What it models (Intel SDM vol. 3, chapter 11): ID, version, TPR/PPR,
 * EOI (with EOI broadcast to the IOAPIC for level-triggered vectors),
 * LDR/DFR (flat and cluster logical destinations), spurious vector and
 * software enable, ISR/TMR/IRR, error status register, ICR (fixed,
 * lowest-priority, NMI, INIT, STARTUP, destination shorthands), the LVT
 * (timer, thermal, perf, LINT0, LINT1, error), the timer in one-shot and
 * periodic mode (1 GHz bus clock divided by the divide configuration).
 * LINT0 in ExtINT mode passes the 8259's INT through, which is how PIC
 * mode keeps working before the OS switches to APIC mode.
 * x2APIC mode (SDM 11.12: registers as MSRs 0x800-0x8ff, 64-bit ICR,
 * SELF IPI, 32-bit IDs and cluster logical destinations) and the timer's
 * TSC-deadline mode (IA32_TSC_DEADLINE, 0x6e0) come through
 * apic_msr_read/apic_msr_write, which the accelerator calls for the MSR
 * accesses KVM hands to user space (KVM_EXIT_X86_RDMSR/WRMSR); the mode
 * follows IA32_APIC_BASE.EN/EXTD as the vCPU reports it (apic_set_base).
 * Left out: relocating the xAPIC page (IA32_APIC_BASE's address: the page
 * stays at 0xfee00000), CR8 (the guest's TPR is the MMIO/MSR one),
 * arbitration priority, the CMCI LVT, directed EOI.
 *
 * Every vCPU sees its own APIC at 0xfee00000: apic_mmio_init() maps one
 * region (0xfee00000-0xfeefffff) shared by all APICs, and the handler asks
 * the current-CPU hook (apic_set_hooks) which APIC is accessed. 32-bit
 * writes above the first page, or from a thread that is not a vCPU (a
 * device doing DMA), are MSIs (apic_deliver_msi). Devices that DMA on a
 * vCPU thread should call apic_deliver_msi() for their MSIs directly.
 *
 * Who calls it: the board creates one APIC per vCPU (apic_create), installs
 * the hooks that reach the accelerator (interrupt, NMI, INIT, SIPI, who is
 * the current CPU) and makes apic_has_interrupt()/apic_ack_interrupt() the
 * vCPU's interrupt source. The IOAPIC delivers through apic_bus_deliver()
 * and hears EOIs through apic_set_eoi_listener(). The 8259's INT output
 * is apic_set_pic_level(); apic_set_pic_ack() gives the INTA function.
 *
 * Locking: everything runs under the big VMM lock (BQL): MMIO exits,
 * timer callbacks, irq-source callbacks on vCPU threads.
 */
#ifndef HW_INTC_APIC_H
#define HW_INTC_APIC_H

#include "hw/sysbus.h"

#define TYPE_APIC "apic"
#define APIC_DEFAULT_ADDRESS 0xfee00000
#define APIC_MSI_SIZE 0x100000
#define APIC_MAX_CPUS 255
#define APIC_BUS_FREQ_HZ 1000000000ull   /* timer input before dividing */

typedef struct APICState APICState;

/* Delivery modes (ICR, LVT, IOAPIC redirection entries). */
enum {
    APIC_DM_FIXED = 0,
    APIC_DM_LOWPRI = 1,
    APIC_DM_SMI = 2,
    APIC_DM_NMI = 4,
    APIC_DM_INIT = 5,
    APIC_DM_STARTUP = 6,
    APIC_DM_EXTINT = 7,
};

/* How an APIC reaches its vCPU; cpu is the pointer given to apic_create. */
typedef struct ApicHooks {
    void (*interrupt)(void *cpu);     /* INTR output may have changed */
    void (*nmi)(void *cpu);
    void (*init)(void *cpu);          /* INIT IPI received */
    void (*sipi)(void *cpu, uint8_t vector);
    /* The cpu pointer of the vCPU doing the current MMIO access, or NULL
     * (not a vCPU thread: reads see APIC 0, writes are MSIs). */
    void *(*current_cpu)(void);
} ApicHooks;

void apic_set_hooks(const ApicHooks *hooks);

/* A local APIC for vCPU @index (0 = BSP) with @apic_id. */
APICState *apic_create(uint32_t index, uint8_t apic_id, void *cpu,
                       GError **errp);
/* Map the shared xAPIC page at 0xfee00000 into @sysmem (once). */
void apic_mmio_init(MemoryRegion *sysmem);
/* Unmap it and destroy every APIC (tests). */
void apic_destroy_all(void);
APICState *apic_by_index(uint32_t index);

/* The vCPU's interrupt source (KvmIrqSource callbacks; opaque = APIC). */
bool apic_has_interrupt(void *apic);
int apic_ack_interrupt(void *apic);

/* The 8259's INT output (ExtINT through LINT0), and its INTA function. */
void apic_set_pic_level(int level);
void apic_set_pic_ack(int (*ack)(void));

/* Deliver an interrupt message on the APIC bus (IOAPIC, MSI). */
void apic_bus_deliver(uint8_t dest, bool logical, uint8_t delivery_mode,
                      uint8_t vector, bool level_trigger);
/* An MSI write (address 0xfeexxxxx, data) from a device. */
void apic_deliver_msi(uint64_t addr, uint32_t data);
/* Called with the vector on every EOI of a level-triggered interrupt. */
void apic_set_eoi_listener(void (*fn)(void *opaque, uint8_t vector),
                           void *opaque);

/*
 * The MSR interface (opaque = APIC, as KvmIrqSource's): x2APIC registers
 * 0x800-0x8ff and IA32_TSC_DEADLINE from a guest RDMSR/WRMSR; false means
 * #GP. @tsc is the guest's TSC at the write and @tsc_khz its rate (used
 * for IA32_TSC_DEADLINE only).
 */
bool apic_msr_read(void *apic, uint32_t index, uint64_t *value);
bool apic_msr_write(void *apic, uint32_t index, uint64_t value,
                    uint64_t tsc, uint32_t tsc_khz);
/* IA32_APIC_BASE as the vCPU now has it: EN and EXTD pick the mode. */
void apic_set_base(void *apic, uint64_t base);

/* `info lapic` text for one APIC. */
void apic_info(APICState *s, GString *out);

#endif
