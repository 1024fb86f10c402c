/*
 * Local APIC, one per vCPU (Intel SDM vol. 3, chapter 11): the xAPIC
 * register file and MMIO page, and the APIC bus between the local APICs
 * and the IOAPIC (the x2APIC MSR interface is apic-x2apic.c, the timer
 * apic-timer.c). See include/hw/intc/apic.h for what is modelled.
 *
 * Interrupt state: IRR/ISR/TMR as 256-bit maps. An interrupt is
 * deliverable when the highest IRR vector's priority class is above the
 * PPR's; the INTA cycle (apic_ack_interrupt) moves it to ISR; EOI retires
 * the highest ISR vector and, if TMR says it was level-triggered, tells
 * the IOAPIC. The 8259 reaches the CPU through LINT0 when LINT0 is
 * unmasked in ExtINT mode (or the APIC is hardware-disabled).
 *
 * The timer counts on the virtual clock at APIC_BUS_FREQ_HZ >> divide.
 */
#include "apic-internal.h"
#include "migration/vmstate.h"
#include "system/timer.h"
#include "util/error.h"

#include <string.h>

#define APIC(obj) OBJECT_CHECK(APICState, (obj), TYPE_APIC)

static APICState *apics[APIC_MAX_CPUS];
static ApicHooks hooks;
static MemoryRegion apic_mmio;
static MemoryRegion *apic_mmio_parent;
static int pic_level;
static int (*pic_ack_fn)(void);
static void (*eoi_listener)(void *opaque, uint8_t vector);
static void *eoi_opaque;

/* ---- bitmaps ------------------------------------------------------- */

static void bit_set(uint32_t *map, unsigned v)
{
    map[v >> 5] |= 1u << (v & 31);
}

static void bit_clear(uint32_t *map, unsigned v)
{
    map[v >> 5] &= ~(1u << (v & 31));
}

static bool bit_test(const uint32_t *map, unsigned v)
{
    return map[v >> 5] & (1u << (v & 31));
}

/* Highest set vector, or -1. */
static int bit_highest(const uint32_t *map)
{
    for (int i = 7; i >= 0; i--) {
        if (map[i]) {
            return i * 32 + 31 - __builtin_clz(map[i]);
        }
    }
    return -1;
}

/* ---- priorities and the INTR output --------------------------------- */

static uint32_t apic_ppr(APICState *s)
{
    int isrv = bit_highest(s->isr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
    if ((s->tpr & 0xf0) >= isr_class) {
        return s->tpr & 0xff;
    }
    return isr_class;
}

static bool apic_sw_enabled(APICState *s)
{
    return s->svr & APIC_SVR_ENABLE;
}

/* The highest IRR vector the CPU may take now, or -1. */
static int apic_deliverable(APICState *s)
{
    if (!apic_sw_enabled(s)) {
        return -1;
    }
    int v = bit_highest(s->irr);
    if (v < 0 || ((uint32_t)v & 0xf0) <= (apic_ppr(s) & 0xf0)) {
        return -1;
    }
    return v;
}

static bool apic_accepts_pic(APICState *s)
{
    uint32_t lint0 = s->lvt[APIC_LVT_LINT0];
    if (s->hw_disabled) {
        return s->index == 0;
    }
    return !(lint0 & APIC_LVT_MASKED) &&
           ((lint0 >> 8) & 7) == APIC_DM_EXTINT;
}

void apic_update(APICState *s)
{
    if (hooks.interrupt && s->cpu) {
        hooks.interrupt(s->cpu);
    }
}

bool apic_has_interrupt(void *opaque)
{
    APICState *s = opaque;
    if (apic_deliverable(s) >= 0) {
        return true;
    }
    return pic_level && (apic_accepts_pic(s) || s->extint_pending);
}

int apic_ack_interrupt(void *opaque)
{
    APICState *s = opaque;
    int v = apic_deliverable(s);
    if (v >= 0) {
        bit_clear(s->irr, v);
        bit_set(s->isr, v);
        return v;
    }
    if (pic_level && (apic_accepts_pic(s) || s->extint_pending) &&
        pic_ack_fn) {
        s->extint_pending = false;
        return pic_ack_fn();
    }
    if (!apic_sw_enabled(s)) {
        return -1;
    }
    return s->svr & 0xff;           /* spurious */
}

void apic_set_pic_level(int level)
{
    pic_level = level;
    for (unsigned i = 0; i < APIC_MAX_CPUS; i++) {
        if (apics[i] && apic_accepts_pic(apics[i])) {
            apic_update(apics[i]);
        }
    }
}

void apic_set_pic_ack(int (*ack)(void))
{
    pic_ack_fn = ack;
}

/* ---- accepting interrupts ------------------------------------------- */

static void apic_error(APICState *s, uint32_t bits)
{
    s->esr_pending |= bits;
    uint32_t lvt = s->lvt[APIC_LVT_ERROR];
    if (!(lvt & APIC_LVT_MASKED) && (lvt & 0xff) >= 16) {
        bit_set(s->irr, lvt & 0xff);
        bit_clear(s->tmr, lvt & 0xff);
        apic_update(s);
    }
}

void apic_set_irq(APICState *s, uint8_t vector, bool level)
{
    if (vector < 16) {
        apic_error(s, APIC_ESR_RECV_ILLEGAL);
        return;
    }
    bit_set(s->irr, vector);
    if (level) {
        bit_set(s->tmr, vector);
    } else {
        bit_clear(s->tmr, vector);
    }
    apic_update(s);
}

/* Power-on / INIT state of the registers (the ID survives INIT). */
void apic_reset_regs(APICState *s, bool power_on)
{
    s->tpr = 0;
    s->ldr = 0;
    s->dfr = 0xffffffff;
    s->svr = 0xff;
    memset(s->isr, 0, sizeof(s->isr));
    memset(s->tmr, 0, sizeof(s->tmr));
    memset(s->irr, 0, sizeof(s->irr));
    s->esr = s->esr_pending = 0;
    s->extint_pending = false;
    s->icr[0] = s->icr[1] = 0;
    for (int i = 0; i < APIC_LVT_NB; i++) {
        s->lvt[i] = APIC_LVT_MASKED;
    }
    /* As firmware leaves it: the BSP's LINT0 passes the 8259 through
     * (virtual wire mode), so PIC mode works before the OS sets it up. */
    if (power_on && s->index == 0) {
        s->lvt[APIC_LVT_LINT0] = APIC_DM_EXTINT << 8;
    }
    s->divide_conf = 0;
    s->initial_count = 0;
    s->tsc_deadline = 0;
    s->load_time = s->next_fire = 0;
    if (s->timer) {
        timer_del(s->timer);
    }
}

static void apic_deliver_one(APICState *s, uint8_t mode, uint8_t vector,
                             bool level)
{
    switch (mode) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWPRI:
        apic_set_irq(s, vector, level);
        break;
    case APIC_DM_NMI:
        if (hooks.nmi && s->cpu) {
            hooks.nmi(s->cpu);
        }
        break;
    case APIC_DM_INIT:
        apic_reset_regs(s, false);
        if (hooks.init && s->cpu) {
            hooks.init(s->cpu);
        }
        apic_update(s);
        break;
    case APIC_DM_STARTUP:
        if (hooks.sipi && s->cpu) {
            hooks.sipi(s->cpu, vector);
        }
        break;
    case APIC_DM_EXTINT:         /* the CPU will INTA the 8259 */
        s->extint_pending = true;
        apic_update(s);
        break;
    default:                     /* SMI and reserved modes: ignored */
        break;
    }
}

static bool apic_match_logical(APICState *s, uint32_t dest, bool x2dest)
{
    uint8_t ldr = s->ldr >> 24;
    if (dest == (x2dest ? 0xffffffffu : 0xffu)) {
        return true;
    }
    if (s->x2apic) {
        /* x2APIC logical: cluster in bits 31:16, member mask 15:0 (an
         * 8-bit xAPIC-format destination only matches as broadcast) */
        uint32_t l = apic_x2apic_ldr(s);
        return x2dest && (dest >> 16) == (l >> 16) && (dest & l & 0xffff);
    }
    dest &= 0xff;
    if ((s->dfr >> 28) == 0xf) {        /* flat model */
        return ldr & dest;
    }
    /* cluster model: high nibble cluster, low nibble member mask */
    return (ldr >> 4) == (dest >> 4) && (ldr & dest & 0xf);
}

/*
 * @x2dest: a 32-bit x2APIC destination (ICR in x2APIC mode; broadcast
 * 0xffffffff) rather than an 8-bit one (xAPIC ICR, IOAPIC, MSI; 0xff).
 */
static bool apic_match(APICState *s, uint32_t dest, bool logical,
                       bool x2dest)
{
    if (s->hw_disabled) {
        return false;
    }
    if (logical) {
        return apic_match_logical(s, dest, x2dest);
    }
    if (dest == (x2dest ? 0xffffffffu : 0xffu)) {
        return true;
    }
    return dest == (s->x2apic ? s->initial_id : s->id);
}

static void apic_deliver_dest(uint32_t dest, bool logical, bool x2dest,
                              uint8_t delivery_mode, uint8_t vector,
                              bool level_trigger)
{
    if (delivery_mode == APIC_DM_LOWPRI) {
        /* the matching APIC with the lowest task priority */
        APICState *best = NULL;
        for (unsigned i = 0; i < APIC_MAX_CPUS; i++) {
            APICState *s = apics[i];
            if (s && apic_match(s, dest, logical, x2dest) &&
                (!best || (s->tpr & 0xff) < (best->tpr & 0xff))) {
                best = s;
            }
        }
        if (best) {
            apic_deliver_one(best, delivery_mode, vector, level_trigger);
        }
        return;
    }
    for (unsigned i = 0; i < APIC_MAX_CPUS; i++) {
        if (apics[i] && apic_match(apics[i], dest, logical, x2dest)) {
            apic_deliver_one(apics[i], delivery_mode, vector, level_trigger);
        }
    }
}

void apic_bus_deliver(uint8_t dest, bool logical, uint8_t delivery_mode,
                      uint8_t vector, bool level_trigger)
{
    apic_deliver_dest(dest, logical, false, delivery_mode, vector,
                      level_trigger);
}

void apic_deliver_msi(uint64_t addr, uint32_t data)
{
    uint8_t dest = (addr >> 12) & 0xff;
    bool logical = (addr >> 2) & 1;
    uint8_t mode = (data >> 8) & 7;
    bool level = (data >> 15) & 1;
    apic_bus_deliver(dest, logical, mode, data & 0xff, level);
}

void apic_set_eoi_listener(void (*fn)(void *opaque, uint8_t vector),
                           void *opaque)
{
    eoi_listener = fn;
    eoi_opaque = opaque;
}

/* ---- IPIs ----------------------------------------------------------- */

void apic_send_ipi(APICState *s)
{
    uint32_t lo = s->icr[0];
    uint8_t vector = lo & 0xff;
    uint8_t mode = (lo >> 8) & 7;
    bool logical = (lo >> 11) & 1;
    bool assert = (lo >> 14) & 1;
    bool level = (lo >> 15) & 1;
    unsigned shorthand = (lo >> 18) & 3;
    uint32_t dest = s->x2apic ? s->icr[1] : s->icr[1] >> 24;

    if (mode == APIC_DM_INIT && level && !assert) {
        return;                  /* INIT level de-assert: arbitration only */
    }
    if ((mode == APIC_DM_FIXED || mode == APIC_DM_LOWPRI) && vector < 16) {
        apic_error(s, APIC_ESR_SEND_ILLEGAL);
        return;
    }
    /* IPIs are edge-triggered messages (the level bit only matters for
     * INIT de-assert) */
    switch (shorthand) {
    case 0:
        apic_deliver_dest(dest, logical, s->x2apic, mode, vector, false);
        break;
    case 1:
        apic_deliver_one(s, mode, vector, false);
        break;
    default:
        for (unsigned i = 0; i < APIC_MAX_CPUS; i++) {
            if (apics[i] && !apics[i]->hw_disabled &&
                (shorthand == 2 || apics[i] != s)) {
                apic_deliver_one(apics[i], mode, vector, false);
            }
        }
        break;
    }
}

void apic_eoi(APICState *s)
{
    int v = bit_highest(s->isr);
    if (v < 0) {
        return;
    }
    bit_clear(s->isr, v);
    if (bit_test(s->tmr, v)) {
        bit_clear(s->tmr, v);
        if (eoi_listener) {
            eoi_listener(eoi_opaque, v);
        }
    }
    apic_update(s);
}

/* ---- registers ------------------------------------------------------- */

static void *apic_current_cpu(void)
{
    return hooks.current_cpu ? hooks.current_cpu() : NULL;
}

static APICState *apic_current(void)
{
    void *cpu = apic_current_cpu();
    if (cpu) {
        for (unsigned i = 0; i < APIC_MAX_CPUS; i++) {
            if (apics[i] && apics[i]->cpu == cpu) {
                return apics[i];
            }
        }
    }
    return apics[0];
}

uint32_t apic_reg_read(APICState *s, unsigned reg)
{
    switch (reg) {
    case 0x02:
        return (uint32_t)s->id << 24;
    case 0x03:                   /* version, max LVT entry, no EOI-supp. */
        return APIC_VERSION | ((APIC_LVT_NB - 1) << 16);
    case 0x08:
        return s->tpr;
    case 0x09:                   /* arbitration priority: not modelled */
        return 0;
    case 0x0a:
        return apic_ppr(s);
    case 0x0b:                   /* EOI: write-only */
        return 0;
    case 0x0d:
        return s->ldr;
    case 0x0e:
        return s->dfr;
    case 0x0f:
        return s->svr;
    case 0x10 ... 0x17:
        return s->isr[reg - 0x10];
    case 0x18 ... 0x1f:
        return s->tmr[reg - 0x18];
    case 0x20 ... 0x27:
        return s->irr[reg - 0x20];
    case 0x28:
        return s->esr;
    case 0x30:
        return s->icr[0] & ~(1u << 12);   /* delivery status: idle */
    case 0x31:
        return s->icr[1];
    case 0x32 ... 0x37:
        return s->lvt[reg - 0x32];
    case 0x38:
        return s->initial_count;
    case 0x39:
        return apic_current_count(s);
    case 0x3e:
        return s->divide_conf;
    default:
        apic_error(s, APIC_ESR_ILLEGAL_REG);
        return 0;
    }
}

static void apic_lvt_write(APICState *s, int n, uint32_t val)
{
    static const uint32_t writable[APIC_LVT_NB] = {
        [APIC_LVT_TIMER] = 0x600ff | APIC_LVT_MASKED,  /* mode 18:17 */
        [APIC_LVT_THERMAL] = 0x7ff | APIC_LVT_MASKED,
        [APIC_LVT_PERF] = 0x7ff | APIC_LVT_MASKED,
        [APIC_LVT_LINT0] = 0xa7ff | APIC_LVT_MASKED,   /* remote IRR: RO */
        [APIC_LVT_LINT1] = 0xa7ff | APIC_LVT_MASKED,
        [APIC_LVT_ERROR] = 0xff | APIC_LVT_MASKED,
    };
    unsigned old_mode = apic_timer_mode(s);
    val &= writable[n];
    if (n == APIC_LVT_TIMER && ((val >> 17) & 3) == 3) {
        val &= ~(3u << 17);      /* reserved mode: one-shot */
    }
    if (!apic_sw_enabled(s)) {
        val |= APIC_LVT_MASKED;
    }
    s->lvt[n] = val;
    if (n == APIC_LVT_TIMER && old_mode != apic_timer_mode(s)) {
        apic_timer_mode_changed(s, old_mode);
    }
    if (n == APIC_LVT_LINT0) {
        apic_update(s);          /* the 8259 path may have opened/closed */
    }
}

void apic_reg_write(APICState *s, unsigned reg, uint32_t val)
{
    switch (reg) {
    case 0x02:
        s->id = val >> 24;
        break;
    case 0x08:
        s->tpr = val & 0xff;
        apic_update(s);
        break;
    case 0x0b:
        apic_eoi(s);
        break;
    case 0x0d:
        s->ldr = val & 0xff000000;
        break;
    case 0x0e:
        s->dfr = val | 0x0fffffff;
        break;
    case 0x0f:
        s->svr = val & 0x3ff;    /* vector, enable, focus check */
        if (!apic_sw_enabled(s)) {
            for (int i = 0; i < APIC_LVT_NB; i++) {
                s->lvt[i] |= APIC_LVT_MASKED;
            }
        }
        apic_update(s);
        break;
    case 0x28:                   /* a write latches the pending errors */
        s->esr = s->esr_pending;
        s->esr_pending = 0;
        break;
    case 0x30:
        s->icr[0] = val & 0x000cdfff;
        apic_send_ipi(s);
        break;
    case 0x31:
        s->icr[1] = val & 0xff000000;
        break;
    case 0x32 ... 0x37:
        apic_lvt_write(s, reg - 0x32, val);
        break;
    case 0x38:
        if (apic_timer_mode(s) != APIC_TIMER_TSC_DEADLINE) {
            s->initial_count = val;     /* ignored in TSC-deadline mode */
            apic_timer_start(s);
        }
        break;
    case 0x3e:
        apic_timer_set_divide(s, val);
        break;
    case 0x03: case 0x09: case 0x0a: case 0x0c:
    case 0x10 ... 0x27: case 0x39:
        break;                   /* read-only */
    default:
        apic_error(s, APIC_ESR_ILLEGAL_REG);
        break;
    }
}

static uint64_t apic_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    APICState *s = apic_current();
    if (!s || addr >= 0x1000 || s->x2apic || s->hw_disabled) {
        return 0;                /* x2APIC mode: the page is not decoded */
    }
    uint32_t val = apic_reg_read(s, addr >> 4);
    unsigned shift = (addr & 3) * 8;
    if ((addr & 0xf) >= 4) {
        return 0;
    }
    return (val >> shift) & (size >= 4 ? 0xffffffffu : (1u << size * 8) - 1);
}

static void apic_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                            unsigned size)
{
    /* Outside the first page, or from a device rather than a vCPU, a
     * 32-bit write is an MSI (SDM 11.11: address 0xfeeXXXXX, data). */
    if (addr >= 0x1000 || !apic_current_cpu()) {
        if (size == 4 && !(addr & 3)) {
            apic_deliver_msi(APIC_DEFAULT_ADDRESS + addr, (uint32_t)val);
        }
        return;
    }
    APICState *s = apic_current();
    if (!s || (addr & 0xf) || size < 4 || s->x2apic || s->hw_disabled) {
        return;                  /* only aligned 32-bit writes count */
    }
    apic_reg_write(s, addr >> 4, (uint32_t)val);
}

static const MemoryRegionOps apic_mmio_ops = {
    .read = apic_mmio_read,
    .write = apic_mmio_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

void apic_mmio_init(MemoryRegion *sysmem)
{
    if (apic_mmio_parent) {
        return;
    }
    memory_region_init_io(&apic_mmio, NULL, &apic_mmio_ops, NULL, "apic-msi",
                          APIC_MSI_SIZE);
    memory_region_add_subregion_overlap(sysmem, APIC_DEFAULT_ADDRESS,
                                        &apic_mmio, 1);
    apic_mmio_parent = sysmem;
}

void apic_set_hooks(const ApicHooks *h)
{
    hooks = *h;
}

APICState *apic_by_index(uint32_t index)
{
    return index < APIC_MAX_CPUS ? apics[index] : NULL;
}

/* ---- device -------------------------------------------------------- */

static bool apic_realize(DeviceState *dev, GError **errp)
{
    APICState *s = APIC(dev);
    if (s->index >= APIC_MAX_CPUS || apics[s->index]) {
        error_setg(errp, "apic: index %u is taken or out of range",
                   s->index);
        return false;
    }
    s->timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, apic_timer_cb, s);
    apics[s->index] = s;
    apic_reset_regs(s, true);
    return true;
}

static void apic_unrealize(DeviceState *dev)
{
    APICState *s = APIC(dev);
    if (s->index < APIC_MAX_CPUS && apics[s->index] == s) {
        apics[s->index] = NULL;
    }
    timer_free(s->timer);
    s->timer = NULL;
}

static void apic_device_reset(DeviceState *dev)
{
    APICState *s = APIC(dev);
    s->id = s->initial_id;
    s->x2apic = false;
    s->hw_disabled = false;
    s->apic_base = APIC_DEFAULT_ADDRESS | APIC_BASE_EN |
                   (s->index == 0 ? APIC_BASE_BSP : 0);
    apic_reset_regs(s, true);
}

APICState *apic_create(uint32_t index, uint8_t apic_id, void *cpu,
                       GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_APIC);
    APICState *s = APIC(dev);
    s->index = index;
    s->id = s->initial_id = apic_id;
    s->cpu = cpu;
    s->apic_base = APIC_DEFAULT_ADDRESS | APIC_BASE_EN |
                   (index == 0 ? APIC_BASE_BSP : 0);
    if (!sysbus_realize_and_unref(SYS_BUS_DEVICE(dev), errp)) {
        return NULL;
    }
    return s;
}

void apic_destroy_all(void)
{
    for (unsigned i = 0; i < APIC_MAX_CPUS; i++) {
        if (apics[i]) {
            object_unparent(OBJECT(apics[i]));
        }
    }
    if (apic_mmio_parent) {
        memory_region_del_subregion(apic_mmio_parent, &apic_mmio);
        memory_region_finalize(&apic_mmio);
        apic_mmio_parent = NULL;
    }
    pic_level = 0;
}

void apic_info(APICState *s, GString *out)
{
    static const char *lvt_names[APIC_LVT_NB] = {
        "LVTT", "LVTTHMR", "LVTPC", "LVT0", "LVT1", "LVTERR",
    };
    g_string_append_printf(out, "CPU#%u LAPIC id=%u%s\n", s->index,
                           s->x2apic ? s->initial_id : s->id,
                           s->x2apic ? " x2APIC" :
                           s->hw_disabled ? " (globally disabled)" : "");
    for (int i = 0; i < APIC_LVT_NB; i++) {
        uint32_t l = s->lvt[i];
        g_string_append_printf(out, "%-7s 0x%08x %s vec %u mode %u%s\n",
                               lvt_names[i], l,
                               (l & APIC_LVT_LEVEL) ? "level" : "edge",
                               l & 0xff, (l >> 8) & 7,
                               (l & APIC_LVT_MASKED) ? " masked" : "");
    }
    g_string_append_printf(out,
        "Timer   DCR=0x%x initial_count=%u current_count=%u %s\n",
        s->divide_conf, s->initial_count, apic_current_count(s),
        apic_timer_mode(s) == APIC_TIMER_TSC_DEADLINE ? "tsc-deadline" :
        apic_timer_periodic(s) ? "periodic" : "one-shot");
    if (apic_timer_mode(s) == APIC_TIMER_TSC_DEADLINE) {
        g_string_append_printf(out, "TSC_DEADLINE 0x%" PRIx64 "\n",
                               s->tsc_deadline);
    }
    g_string_append_printf(out,
        "SPIV    0x%08x APIC %s\nICR     0x%08x ICR2 0x%08x\n"
        "ESR     0x%08x\nLDR     0x%08x DFR 0x%08x\n"
        "PPR     0x%02x TPR 0x%02x\nIRR    ",
        s->svr, apic_sw_enabled(s) ? "enabled" : "disabled", s->icr[0],
        s->icr[1], s->esr, s->x2apic ? apic_x2apic_ldr(s) : s->ldr, s->dfr,
        apic_ppr(s), s->tpr);
    for (unsigned v = 0; v < 256; v++) {
        if (bit_test(s->irr, v)) {
            g_string_append_printf(out, " %u%s", v,
                                   bit_test(s->tmr, v) ? "(level)" : "");
        }
    }
    g_string_append(out, "\nISR    ");
    for (unsigned v = 0; v < 256; v++) {
        if (bit_test(s->isr, v)) {
            g_string_append_printf(out, " %u", v);
        }
    }
    g_string_append(out, "\n");
}

static void apic_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    dc->desc = "local APIC";
    dc->user_creatable = false;
    dc->realize = apic_realize;
    dc->unrealize = apic_unrealize;
    dc->reset = apic_device_reset;
    dc->vmsd = &vmstate_apic;
}

static const TypeInfo apic_type_info = {
    .name = TYPE_APIC,
    .parent = TYPE_SYS_BUS_DEVICE,
    .instance_size = sizeof(APICState),
    .class_init = apic_class_init,
};

static void apic_register(void)
{
    type_register_static_array(&apic_type_info, 1);
}
type_init(apic_register)
