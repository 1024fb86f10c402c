/*
 * The local APIC's MSR interface: x2APIC mode (SDM vol. 3, 11.12) and
 * IA32_TSC_DEADLINE (11.5.4.1), plus IA32_APIC_BASE's EN/EXTD bits as the
 * vCPU reports them (apic_set_base).
 *
 * x2APIC: MSR 0x800 + (xAPIC offset >> 4) maps the registers; 32-bit APIC
 * ID (the initial one, read-only); LDR read-only, derived from the ID
 * (cluster = id >> 4 in bits 31:16, 1 << (id & 15) below); no DFR, ICR2 or
 * arbitration priority (#GP); the ICR is one 64-bit MSR (0x830) with the
 * destination in bits 63:32 and no delivery-status bit; SELF IPI (0x83f)
 * sends a fixed edge interrupt to this APIC. #GP (false) for: any access
 * while not in x2APIC mode, registers that do not exist, reads of the
 * write-only EOI and SELF IPI, writes of read-only registers, bits 63:32
 * set (all but the ICR), a non-zero EOI or ESR write, TPR/SELF IPI bits
 * 31:8, and the ICR's reserved bits (31:20, 17:16, 13). The xAPIC MMIO
 * page is not decoded in x2APIC mode (apic.c).
 *
 * The CPU checks IA32_APIC_BASE writes (target/i386/msr.c: reserved bits,
 * the invalid EXTD-without-EN state, x2APIC -> xAPIC and disabled ->
 * x2APIC refused); the APIC only follows: EN 1 -> 0 resets it to its
 * power-on register state and stops it accepting interrupts; EXTD set
 * switches it to x2APIC mode; EN clear leaves x2APIC mode too.
 */
#include "apic-internal.h"

#define MSR_X2APIC_FIRST 0x800
#define MSR_X2APIC_LAST 0x8ff
#define MSR_TSC_DEADLINE 0x6e0
#define X2APIC_ICR_RESERVED (0xfff00000ULL | (3ULL << 16) | (1ULL << 13))

uint32_t apic_x2apic_ldr(APICState *s)
{
    uint32_t id = s->initial_id;
    return ((id >> 4) << 16) | (1u << (id & 15));
}

void apic_set_base(void *opaque, uint64_t base)
{
    APICState *s = opaque;
    bool en = base & APIC_BASE_EN;

    if (!en && !s->hw_disabled) {
        apic_reset_regs(s, false);      /* keeps the ID */
        s->hw_disabled = true;
    } else if (en && s->hw_disabled) {
        s->hw_disabled = false;
    }
    s->x2apic = en && (base & APIC_BASE_EXTD);
    s->apic_base = base;
    apic_update(s);
}

bool apic_msr_read(void *opaque, uint32_t index, uint64_t *value)
{
    APICState *s = opaque;

    if (index == MSR_TSC_DEADLINE) {
        *value = apic_timer_mode(s) == APIC_TIMER_TSC_DEADLINE ?
                 s->tsc_deadline : 0;
        return true;
    }
    if (index < MSR_X2APIC_FIRST || index > MSR_X2APIC_LAST || !s->x2apic) {
        return false;
    }
    unsigned reg = index - MSR_X2APIC_FIRST;
    switch (reg) {
    case 0x02:
        *value = s->initial_id;
        return true;
    case 0x0d:
        *value = apic_x2apic_ldr(s);
        return true;
    case 0x30:
        *value = (s->icr[0] & ~(1u << 12)) | (uint64_t)s->icr[1] << 32;
        return true;
    case 0x03: case 0x08: case 0x0a: case 0x0f:
    case 0x10 ... 0x27: case 0x28:
    case 0x32 ... 0x37: case 0x38: case 0x39: case 0x3e:
        *value = apic_reg_read(s, reg);
        return true;
    default:            /* APR, EOI, RRD, DFR, ICR2, SELF IPI, reserved */
        return false;
    }
}

bool apic_msr_write(void *opaque, uint32_t index, uint64_t value,
                    uint64_t tsc, uint32_t tsc_khz)
{
    APICState *s = opaque;

    if (index == MSR_TSC_DEADLINE) {
        apic_timer_set_deadline(s, value, tsc, tsc_khz);
        return true;
    }
    if (index < MSR_X2APIC_FIRST || index > MSR_X2APIC_LAST || !s->x2apic) {
        return false;
    }
    unsigned reg = index - MSR_X2APIC_FIRST;
    if (reg == 0x30) {
        if (value & X2APIC_ICR_RESERVED) {
            return false;
        }
        s->icr[1] = value >> 32;
        s->icr[0] = (uint32_t)value & 0x000ccfff;
        apic_send_ipi(s);
        return true;
    }
    if (value >> 32) {
        return false;
    }
    uint32_t v = value;
    switch (reg) {
    case 0x08:                          /* TPR */
        if (v & ~0xffu) {
            return false;
        }
        break;
    case 0x0b:                          /* EOI */
        if (v) {
            return false;
        }
        apic_eoi(s);
        return true;
    case 0x28:                          /* ESR: write 0 latches */
        if (v) {
            return false;
        }
        break;
    case 0x3f:                          /* SELF IPI */
        if (v & ~0xffu) {
            return false;
        }
        apic_set_irq(s, v & 0xff, false);
        return true;
    case 0x0f: case 0x32 ... 0x37: case 0x38: case 0x3e:
        break;
    default:                            /* read-only or not there */
        return false;
    }
    apic_reg_write(s, reg, v);
    return true;
}
