/*
 * The "pc" board (alias of pc-i440fx-8.2): RAM with the PC's below-4G
 * hole, the ISA legacy devices (two 8259 PICs, 8254 PIT with port 0x61,
 * MC146818 RTC/CMOS, up to four 16550A UARTs, port 0x92, i8042 keyboard
 * controller), ACPI PM at the
 * PIIX4 addresses with RSDP/RSDT/FADT/FACS/DSDT(\_S5), vCPUs through the
 * KVM accelerator with the PIC as the userspace irqchip, and direct Linux
 * boot (-kernel/-initrd/-append).
 *
 * Interrupts: one local APIC per vCPU (hw/intc/apic.c) is the vCPU's
 * interrupt source; the 8259 pair reaches the BSP through LINT0 (ExtINT),
 * the IOAPIC at 0xfec00000 gets every ISA IRQ too (IRQ0 on GSI2, as the
 * MADT says); the HPET at 0xfed00000 (legacy replacement silences PIT
 * channel 0 and takes over IRQ0/IRQ8). -smp N: APs wait for INIT/SIPI.
 *
 * PCI: the i440FX host bridge (0xcf8/0xcfc) with the PIIX3 ISA bridge at
 * 01.0 (the ISA bus is its child; PCI INTx reach ISA IRQs through its
 * PIRQ registers, which the DSDT's LNKA-D links program) and the PIIX4
 * PM function at 01.3 owning the ACPI PM ports. BARs map straight into
 * system memory/IO; the DSDT's \_SB.PCI0 _CRS gives Linux the windows
 * (RAM top to 0xfebfffff, 32 GiB above 4G RAM) to assign them in.
 *
 * fw_cfg at 0x510 (DMA at 0x514, \_SB.FWCF in the DSDT): RAM size, CPU
 * counts, UUID, etc/e820, -option-rom files (genroms/), bootorder and the
 * -boot menu/timeouts (pc_firmware_boot_fw_cfg), and the -kernel (setup +
 * rest), -initrd and -append contents (not their load addresses: kvmu
 * loads the kernel itself).
 *
 * Without -kernel the board boots firmware (hw/i386/pc-firmware.c):
 * SeaBIOS's bios-256k.bin or -bios FILE as a ROM ending at 4 GiB, its
 * last 128 KiB at 0xe0000 under the i440FX PAM registers, the BSP from
 * its power-on reset at F000:FFF0; the firmware then finds the ACPI
 * tables in fw_cfg (etc/acpi/tables, etc/acpi/rsdp, etc/table-loader)
 * instead of at 0xe0000.
 *
 * With -kernel the board also writes MP tables (hw/i386/mptable.c) at
 * 0xf0000 for kernels booted with acpi=off, and at each reset routes the
 * PIIX3 PIRQs as a BIOS would (pc_pirq_irqs); the MP table's PCI INTx
 * entries and the DSDT's links (_CRS) then report those IRQs.
 *
 * Not yet built (and so refused or absent, never faked): PIIX3 IDE/USB.
 */
#include "config-host.h"
#include "hw/i386/pc.h"

#include "accel/kvm.h"
#include "chardev/char.h"
#include "hw/acpi/acpi-build.h"
#include "hw/i386/mptable.h"
#include "hw/misc/pc-testdev.h"
#include "hw/acpi/acpi-pm.h"
#include "hw/char/serial.h"
#include "hw/i386/pc-firmware.h"
#include "hw/i386/x86-boot.h"
#include "hw/intc/apic.h"
#include "hw/input/i8042.h"
#include "hw/intc/i8259.h"
#include "hw/intc/ioapic.h"
#include "hw/nvram/fw_cfg.h"
#include "hw/pci-host/i440fx.h"
#include "hw/pci/msi.h"
#include "hw/rtc/mc146818rtc.h"
#include "hw/smbios/smbios.h"
#include "hw/timer/hpet.h"
#include "hw/timer/i8254.h"
#include "memory/memory.h"
#include "system/runstate.h"
#include "util/cutils.h"
#include "util/error.h"

#include <string.h>
#include <time.h>

#define PC_ACPI_BASE 0xe0000
#define PC_ACPI_SIZE 0x10000

typedef struct PCMachine {
    PCMachineProps props;       /* the -machine keys it acts on */
    KvmState *kvm;
    KvmCpu *bsp;
    unsigned ncpus;
    uint8_t apic_ids[APIC_MAX_CPUS];
    DeviceState *ioapic, *hpet;
    qemu_irq hpet_irq0, hpet_irq8;
    qemu_irq *ioapic_irqs;
    qemu_irq *pic_irqs;
    MemoryRegion own_ram, ram_below_4g, ram_above_4g;
    MemoryRegion *ram;          /* own_ram or a memory backend's */
    X86MemoryLayout layout;
    PCIBus *pci_bus;
    PCIDevice *piix3;
    ISABus *isa;
    qemu_irq *isa_irqs;
    qemu_irq cpu_int;
    DeviceState *pit, *rtc, *acpi_pm;
    bool has_kernel;
    X86BootEntry entry;
} PCMachine;

static PCMachine pcms;

/* ---- local APICs: each vCPU's interrupt source ------------------------ */

static void pc_apic_interrupt(void *cpu)
{
    kvm_cpu_interrupt(cpu);
}

static void pc_apic_nmi(void *cpu)
{
    kvm_cpu_nmi(cpu);
}

static void pc_apic_init(void *cpu)
{
    kvm_cpu_init_request(cpu);
}

static void pc_apic_sipi(void *cpu, uint8_t vector)
{
    kvm_cpu_sipi(cpu, vector);
}

static void *pc_apic_current_cpu(void)
{
    return kvm_current_cpu();
}

static const ApicHooks pc_apic_hooks = {
    .interrupt = pc_apic_interrupt,
    .nmi = pc_apic_nmi,
    .init = pc_apic_init,
    .sipi = pc_apic_sipi,
    .current_cpu = pc_apic_current_cpu,
};

/* The 8259's INT output goes to LINT0 of the local APICs. */
static void pc_cpu_int(void *opaque, int n, int level)
{
    apic_set_pic_level(level);
}

/* ISA IRQ n: the 8259 input n and IOAPIC pin n (IRQ0 is wired to GSI2). */
static void pc_irq_out(int n, int level)
{
    qemu_set_irq(pcms.pic_irqs[n], level);
    if (pcms.ioapic_irqs && n != 2) {
        qemu_set_irq(pcms.ioapic_irqs[n == 0 ? 2 : n], level);
    }
}

static void pc_isa_irq(void *opaque, int n, int level)
{
    /* in HPET legacy replacement mode the RTC no longer drives IRQ8 */
    if (n == 8 && pcms.hpet && hpet_legacy_mode(pcms.hpet)) {
        return;
    }
    pc_irq_out(n, level);
}

/* The HPET's legacy replacement lines: IRQ0 and IRQ8. */
static void pc_hpet_irq(void *opaque, int n, int level)
{
    pc_irq_out(n, level);
}

/* ---- CMOS contents firmware and OSes read ---------------------------- */

static void pc_cmos_init(const MachineOptions *o)
{
    DeviceState *rtc = pcms.rtc;
    uint64_t below = pcms.layout.below_4g;

    rtc_set_memory(rtc, 0x15, 640 & 0xff);            /* base memory KiB */
    rtc_set_memory(rtc, 0x16, 640 >> 8);
    uint64_t ext_kb = below > 0x100000 ? (below - 0x100000) / 1024 : 0;
    ext_kb = MIN(ext_kb, 65535);
    rtc_set_memory(rtc, 0x17, ext_kb & 0xff);          /* 1M..65M, KiB */
    rtc_set_memory(rtc, 0x18, ext_kb >> 8);
    rtc_set_memory(rtc, 0x30, ext_kb & 0xff);
    rtc_set_memory(rtc, 0x31, ext_kb >> 8);
    uint64_t hi64k = below > 0x1000000 ? (below - 0x1000000) / 65536 : 0;
    hi64k = MIN(hi64k, 65535);
    rtc_set_memory(rtc, 0x34, hi64k & 0xff);           /* above 16M, 64K */
    rtc_set_memory(rtc, 0x35, hi64k >> 8);
    uint64_t above64k = pcms.layout.above_4g / 65536;
    rtc_set_memory(rtc, 0x5b, above64k & 0xff);
    rtc_set_memory(rtc, 0x5c, (above64k >> 8) & 0xff);
    rtc_set_memory(rtc, 0x5d, (above64k >> 16) & 0xff);
    rtc_set_memory(rtc, 0x5f, o->cpus - 1);
    rtc_set_memory(rtc, 0x14, 0x06);                   /* FPU, VGA */
    rtc_set_memory(rtc, 0x0f, 0x00);                   /* shutdown: reset */
}

/* ---- reset: devices, then the BSP at the kernel entry ---------------- */

/* Direct boot: the PIIX3 PIRQ routes a PC BIOS sets (SeaBIOS's: A, B
 * -> IRQ 10, C, D -> 11); the MP table's PCI entries say the same. */
static const uint8_t pc_pirq_irqs[PIIX_NUM_PIRQS] = { 10, 10, 11, 11 };

static void pc_reset(void *opaque)
{
    qbus_reset_all(sysbus_get_default());   /* APICs, IOAPIC, HPET */
    if (!pcms.has_kernel || !pcms.bsp) {
        return;
    }
    for (int i = 0; i < PIIX_NUM_PIRQS; i++) {
        pci_bus_config_write(pcms.pci_bus, PCI_DEVFN(1, 0) << 8 |
                             (PIIX_PIRQRC + i), pc_pirq_irqs[i], 1);
    }
    KvmCpuState st;
    GError *err = NULL;
    /* the guest overwrote its kernel, boot data and tables: restore */
    if (!x86_boot_reload(&err)) {
        error_report_err(err);
        return;
    }
    if (!kvm_cpu_get_state(pcms.bsp, &st, &err)) {
        error_report_err(err);
        return;
    }
    /* Leave the TSC running: writing back the value read a moment ago
     * would put the BSP's TSC behind the APs' (Linux then measures a TSC
     * warp between CPUs and marks the TSC unstable). */
    uint32_t kept = 0;
    for (uint32_t i = 0; i < st.nmsrs && i < KVM_CPU_STATE_MAX_MSRS; i++) {
        if (st.msrs[i].index != 0x10) {         /* IA32_TIME_STAMP_COUNTER */
            st.msrs[kept++] = st.msrs[i];
        }
    }
    st.nmsrs = kept;
    struct kvm_segment code = {
        .base = 0, .limit = 0xffffffff, .selector = pcms.entry.code_sel,
        .type = 0xb, .present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
    };
    struct kvm_segment data = code;
    data.selector = pcms.entry.data_sel;
    data.type = 0x3;
    st.sregs.cs = code;
    st.sregs.ds = st.sregs.es = st.sregs.fs = st.sregs.gs = st.sregs.ss = data;
    st.sregs.gdt.base = pcms.entry.gdt_base;
    st.sregs.gdt.limit = pcms.entry.gdt_limit;
    st.sregs.cr0 = 0x11;      /* PE | ET; paging off */
    st.sregs.efer = 0;
    if (pcms.entry.long_mode) {
        /* Linux 64-bit boot protocol: paging on, identity-mapped */
        st.sregs.cs.l = 1;
        st.sregs.cs.db = 0;
        st.sregs.cr0 = 0x80000011;            /* PG | ET | PE */
        st.sregs.cr3 = pcms.entry.cr3;
        st.sregs.cr4 = 0x20;                  /* PAE */
        st.sregs.efer = 0x500;                /* LME | LMA */
    }
    memset(&st.regs, 0, sizeof(st.regs));
    st.regs.rip = pcms.entry.eip;
    st.regs.rsi = pcms.entry.esi;
    st.regs.rax = pcms.entry.eax;
    st.regs.rbx = pcms.entry.ebx;
    st.regs.rflags = 0x2;     /* interrupts off */
    if (!kvm_cpu_set_state(pcms.bsp, &st, &err)) {
        error_report_err(err);
    }
}

static void pc_powerdown(void *opaque)
{
    if (pcms.acpi_pm) {
        acpi_pm_power_button(pcms.acpi_pm);
    }
}

/* ---- building the board ---------------------------------------------- */

static bool pc_memory_init(const MachineOptions *o, GError **errp)
{
    uint64_t below = o->ram_size, above = 0;
    if (o->ram_size >= 0xe0000000ull) {
        below = 0xc0000000ull;     /* keep the PCI hole gigabyte aligned */
        above = o->ram_size - below;
    }
    if (o->ram_backend) {
        pcms.ram = o->ram_backend;
    } else if (o->mem_path) {
        pcms.ram = &pcms.own_ram;
        if (!memory_region_init_ram_from_file(pcms.ram, NULL, "pc.ram",
                                              o->ram_size, o->mem_path,
                                              false, errp)) {
            return false;
        }
    } else {
        pcms.ram = &pcms.own_ram;
        if (!memory_region_init_ram(pcms.ram, NULL, "pc.ram", o->ram_size,
                                    errp)) {
            return false;
        }
    }
    if (o->mem_prealloc && !memory_region_prealloc(pcms.ram, errp)) {
        return false;
    }
    memory_region_init_alias(&pcms.ram_below_4g, NULL, "ram-below-4g",
                             pcms.ram, 0, below);
    memory_region_add_subregion(get_system_memory(), 0, &pcms.ram_below_4g);
    if (above) {
        memory_region_init_alias(&pcms.ram_above_4g, NULL, "ram-above-4g",
                                 pcms.ram, below, above);
        memory_region_add_subregion(get_system_memory(), 0x100000000ull,
                                    &pcms.ram_above_4g);
    }
    x86_memory_layout_init(&pcms.layout, below, above);
    return true;
}

static bool pc_rtc_config(const MachineOptions *o, RTCConfig *cfg,
                          GError **errp)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->clock = QEMU_CLOCK_HOST;
    if (o->rtc_clock) {
        if (!strcmp(o->rtc_clock, "rt")) {
            cfg->clock = QEMU_CLOCK_REALTIME;
        } else if (!strcmp(o->rtc_clock, "vm")) {
            cfg->clock = QEMU_CLOCK_VIRTUAL;
        }
    }
    if (o->rtc_base && !strcmp(o->rtc_base, "localtime")) {
        cfg->localtime = true;
    } else if (o->rtc_base && strcmp(o->rtc_base, "utc")) {
        /* QEMU's formats: 2006-06-17T16:01:21 or 2006-06-17 */
        struct tm tm = { 0 };
        const char *end = strptime(o->rtc_base, "%Y-%m-%dT%H:%M:%S", &tm);
        if (!end || *end) {
            memset(&tm, 0, sizeof(tm));
            end = strptime(o->rtc_base, "%Y-%m-%d", &tm);
        }
        if (!end || *end) {
            error_setg(errp, "invalid datetime format\n"
                       "valid formats: '2006-06-17T16:01:21' or '2006-06-17'");
            return false;
        }
        cfg->has_base_date = true;
        cfg->base_date = timegm(&tm);
    }
    return true;
}

static bool pc_isa_init(const MachineOptions *o, GError **errp)
{
    RTCConfig rtc_cfg;

    /* i440FX host bridge, PIIX3 at 01.0; the ISA bus hangs off the PIIX3 */
    pcms.isa_irqs = qemu_allocate_irqs(pc_isa_irq, NULL, 16);
    pci_set_msi_handler(apic_deliver_msi);
    pcms.pci_bus = i440fx_init(get_system_memory(), get_system_io(), errp);
    pcms.piix3 = pcms.pci_bus ? piix3_create(pcms.pci_bus, pcms.isa_irqs, errp)
                              : NULL;
    if (!pcms.piix3) {
        return false;
    }
    pcms.isa = isa_bus_new(DEVICE(pcms.piix3), get_system_io());
    pcms.cpu_int = qemu_allocate_irq(pc_cpu_int, NULL, 0);
    pcms.pic_irqs = i8259_init(pcms.isa, pcms.cpu_int, errp);
    if (!pcms.pic_irqs) {
        return false;
    }
    apic_set_pic_ack(i8259_read_irq);
    /* its ID after the CPUs' (4 bits in the register; the MADT has 8) */
    pcms.ioapic = ioapic_create(pcms.ncpus, errp);
    if (!pcms.ioapic) {
        return false;
    }
    pcms.ioapic_irqs = ioapic_get_irqs(pcms.ioapic);
    pc_testdev_set_gsi_lines(pcms.ioapic_irqs, IOAPIC_NUM_PINS);
    isa_bus_set_irqs(pcms.isa, pcms.isa_irqs);
    if (!pc_rtc_config(o, &rtc_cfg, errp)) {
        return false;
    }
    pcms.pit = i8254_create(pcms.isa, errp);
    pcms.rtc = pcms.pit ? mc146818_rtc_create(pcms.isa, &rtc_cfg, errp) : NULL;
    pcms.acpi_pm = pcms.rtc ? acpi_pm_create(pcms.isa, errp) : NULL;
    PCIDevice *pm = pcms.acpi_pm ? piix4_pm_create(pcms.pci_bus,
                                                   pcms.acpi_pm, errp)
                                 : NULL;
    if (!pm) {
        return false;
    }
    /* DEVACTB APMC_EN set: there is no SMM, so SeaBIOS must not try to
     * relocate SMBASE (it would wait forever for an SMI handler) */
    pm->config[0x5b] = 0x02;
    if (pcms.props.hpet) {
        pcms.hpet_irq0 = qemu_allocate_irq(pc_hpet_irq, NULL, 0);
        pcms.hpet_irq8 = qemu_allocate_irq(pc_hpet_irq, NULL, 8);
        pcms.hpet = hpet_create(HPET_BASE, pcms.hpet_irq0, pcms.hpet_irq8,
                                pcms.ioapic_irqs, pcms.pit, errp);
        if (!pcms.hpet) {
            return false;
        }
    }
    if (!i8042_create(pcms.isa, errp)) {
        return false;
    }
    DeviceState *p92 = qdev_new(TYPE_PORT92);
    if (!qdev_realize_and_unref(p92, BUS(pcms.isa), errp)) {
        return false;
    }
    for (int i = 0; i < o->serial_count && i < 4; i++) {
        char id[16];
        snprintf(id, sizeof(id), "serial%d", i);
        if (!chardev_find(id)) {
            continue;              /* -serial none */
        }
        DeviceState *dev = qdev_new(TYPE_ISA_SERIAL);
        char index[4];
        snprintf(index, sizeof(index), "%d", i);
        if (!object_property_parse(OBJECT(dev), "chardev", id, errp) ||
            !object_property_parse(OBJECT(dev), "index", index, errp) ||
            !qdev_realize_and_unref(dev, BUS(pcms.isa), errp)) {
            return false;
        }
    }
    pc_cmos_init(o);
    return true;
}

static const AcpiBuildConfig *pc_acpi_config(void)
{
    static AcpiBuildConfig cfg;
    cfg = (AcpiBuildConfig) {
        .num_cpus = pcms.ncpus,
        .apic_ids = pcms.apic_ids,
        .lapic_addr = APIC_DEFAULT_ADDRESS,
        .has_ioapic = true,
        .ioapic_addr = IOAPIC_DEFAULT_ADDRESS,
        .sci_override = true,
        .has_hpet = pcms.props.hpet,
        .hpet_addr = HPET_BASE,
        .has_pci = true,
        .pci_hole_start = pcms.layout.below_4g,
        /* 32 GiB for 64-bit BARs above RAM, 1 GiB aligned (as QEMU) */
        .pci_hole64_start = ((0x100000000ull + pcms.layout.above_4g) +
                             (1ull << 30) - 1) & ~((1ull << 30) - 1),
        .pci_hole64_size = 32ull << 30,
        .fw_cfg_port = FW_CFG_IO_BASE,
    };
    acpi_build_scan_devices(&cfg);    /* DSDT: RTC, i8042, COMn, pvpanic */
    return &cfg;
}

static bool pc_acpi_init(const MachineOptions *o, GError **errp)
{
    g_autofree uint8_t *buf = g_malloc0(PC_ACPI_SIZE);
    size_t len = acpi_build_tables(buf, PC_ACPI_SIZE, PC_ACPI_BASE,
                                   pc_acpi_config());
    if (!len) {
        error_setg(errp, "ACPI tables do not fit in 0x%x bytes",
                   PC_ACPI_SIZE);
        return false;
    }
    if (address_space_write(&address_space_memory, PC_ACPI_BASE,
                            MEMTXATTRS_UNSPECIFIED, buf, len) != MEMTX_OK) {
        error_setg(errp, "cannot write the ACPI tables into guest memory");
        return false;
    }
    return true;
}

/* Once more when the guest first runs: -device ISA devices (pvpanic)
 * are created after the board, and the DSDT describes them too (in
 * guest memory for direct boot, in fw_cfg for the firmware to load). */
static void pc_acpi_vm_state(void *opaque, bool running, RunState state)
{
    static bool done;
    FWCfgState *fw = opaque;

    if (running && !done) {
        done = true;
        if (fw) {
            g_autoptr(GError) err = NULL;
            if (!pc_firmware_acpi_fw_cfg(fw, pc_acpi_config(), &err)) {
                warn_report("ACPI tables not rebuilt: %s", err->message);
            }
        } else {
            pc_acpi_init(NULL, NULL);
        }
    }
}

/* MP tables (MP spec 1.4) for kernels booted without ACPI: in the BIOS
 * area at 0xf0000, right after the ACPI tables' 64 KiB. */
#define PC_MPTABLE_BASE 0xf0000
#define PC_MPTABLE_SIZE 0x1000

static bool pc_mptable_init(GError **errp)
{
    uint8_t buf[PC_MPTABLE_SIZE];
    MPTableConfig cfg = {
        .num_cpus = pcms.ncpus,
        .apic_ids = pcms.apic_ids,
        .lapic_addr = APIC_DEFAULT_ADDRESS,
        .ioapic_id = pcms.ncpus,        /* as ioapic_create() numbers it */
        .ioapic_addr = IOAPIC_DEFAULT_ADDRESS,
        .has_pci = true,
        .pirq_irqs = pc_pirq_irqs,
    };
    size_t len = mptable_build(buf, sizeof(buf), PC_MPTABLE_BASE, &cfg);

    if (!len || address_space_write(&address_space_memory, PC_MPTABLE_BASE,
                                    MEMTXATTRS_UNSPECIFIED, buf, len)
                != MEMTX_OK) {
        error_setg(errp, "cannot write the MP tables into guest memory");
        return false;
    }
    return true;
}

/* SMBIOS (hw/smbios): QEMU's strings; with firmware (2.8 tables in
 * fw_cfg) SeaBIOS adds its own Type 0, with -kernel a 3.0 entry point
 * and the tables follow the MP tables in the BIOS area (e820 reserved). */
#define PC_SMBIOS_BASE (PC_MPTABLE_BASE + PC_MPTABLE_SIZE)

static void pc_smbios_config(const MachineOptions *o, SmbiosConfig *c)
{
    *c = (SmbiosConfig) {
        .major = o->kernel ? 3 : 2, .minor = o->kernel ? 0 : 8,
        .bios_vendor = o->kernel ? "kvmu" : NULL,
        .bios_version = KVMU_VERSION, .bios_date = "11/26/2026",
        .manufacturer = "QEMU", .product = "Standard PC (i440FX + PIIX, 1996)",
        .version = o->type, .uuid = o->uuid,
        .sockets = o->sockets,
        .cores_per_socket = o->dies * o->clusters * o->cores,
        .threads_per_core = o->threads,
        .ram_below_4g = pcms.layout.below_4g,
        .ram_above_4g = pcms.layout.above_4g,
    };
    /* Type 4 processor ID: the BSP's CPUID leaf 1 EAX, EDX */
    KvmCpuConfig cpu = {
        .model = o->cpu_model ? o->cpu_model : "qemu64",
        .sockets = o->sockets, .dies = o->dies, .clusters = o->clusters,
        .cores = o->cores, .threads = o->threads,
        .features = o->cpu_features,
    };
    g_autofree struct kvm_cpuid2 *id = kvm_cpu_model_cpuid(pcms.kvm, &cpu,
                                                           NULL);
    for (uint32_t i = 0; id && i < id->nent; i++) {
        if (id->entries[i].function == 1) {
            c->cpuid_1_eax = id->entries[i].eax;
            c->cpuid_1_edx = id->entries[i].edx;
        }
    }
}

static bool pc_smbios_init(const MachineOptions *o, GError **errp)
{
    SmbiosConfig c;
    size_t len;

    pc_smbios_config(o, &c);
    g_autofree uint8_t *blob = smbios_build_blob(&c, o->smbios,
        PC_SMBIOS_BASE, 0x100000 - PC_SMBIOS_BASE, &len, errp);
    return blob && x86_write_guest(PC_SMBIOS_BASE, blob, len, errp);
}

static unsigned pc_bits_for(unsigned n)
{
    unsigned b = 0;
    while ((1u << b) < n) {
        b++;
    }
    return b;
}

/* The APIC ID of CPU @index, as CPUID leaves 0xb/0x1f describe it: the
 * thread, core (x clusters), die and socket fields, each field as wide
 * as its count needs (so -smp 6,cores=3 leaves gaps, as in QEMU). */
static uint32_t pc_apic_id(const MachineOptions *o, unsigned index)
{
    unsigned threads = MAX(o->threads, 1u);
    unsigned cores = MAX(o->cores, 1u) * MAX(o->clusters, 1u);
    unsigned dies = MAX(o->dies, 1u);
    unsigned smt_bits = pc_bits_for(threads);
    unsigned core_bits = pc_bits_for(cores);
    unsigned die_bits = pc_bits_for(dies);
    uint32_t thread = index % threads;
    uint32_t core = (index / threads) % cores;
    uint32_t die = (index / (threads * cores)) % dies;
    uint32_t socket = index / (threads * cores * dies);
    return ((((socket << die_bits) | die) << core_bits | core) << smt_bits) |
           thread;
}

static bool pc_cpus_init(const MachineOptions *o, GError **errp)
{
    if (o->cpus > APIC_MAX_CPUS - 1) {
        error_setg(errp, "-smp %u: the pc board supports at most %u CPUs",
                   o->cpus, APIC_MAX_CPUS - 1);
        return false;
    }
    pcms.kvm = kvm_state();     /* the command line set it up */
    if (!pcms.kvm) {
        error_setg(errp, "the pc board needs an accelerator");
        return false;
    }
    pcms.ncpus = o->cpus ? o->cpus : 1;
    apic_set_hooks(&pc_apic_hooks);
    apic_mmio_init(get_system_memory());
    for (unsigned i = 0; i < pcms.ncpus; i++) {
        uint32_t apic_id = pc_apic_id(o, i);
        if (apic_id >= APIC_MAX_CPUS - 1) {
            error_setg(errp, "-smp %u: CPU %u would have APIC ID %u; xAPIC "
                       "IDs stop at 254", pcms.ncpus, i, apic_id);
            return false;
        }
        pcms.apic_ids[i] = apic_id;
        KvmCpuConfig cfg = {
            .model = o->cpu_model ? o->cpu_model : "qemu64",
            .index = i,
            .apic_id = apic_id,
            .sockets = o->sockets, .dies = o->dies, .clusters = o->clusters,
            .cores = o->cores, .threads = o->threads,
            .features = o->cpu_features,
        };
        KvmCpu *cpu = kvm_cpu_create(pcms.kvm, &cfg, errp);
        if (!cpu) {
            return false;
        }
        if (i == 0) {
            pcms.bsp = cpu;
        }
        APICState *apic = apic_create(i, apic_id, cpu, errp);
        if (!apic) {
            return false;
        }
        KvmIrqSource src = {
            .has_interrupt = apic_has_interrupt,
            .ack = apic_ack_interrupt,
            .msr_read = apic_msr_read,
            .msr_write = apic_msr_write,
            .set_apic_base = apic_set_base,
            .opaque = apic,
        };
        kvm_cpu_set_irq_source(cpu, &src);
    }
    return true;
}

/* ---- fw_cfg: what firmware and Linux's qemu_fw_cfg driver read ------- */

static bool pc_fw_cfg_add_boot_files(FWCfgState *fw, const MachineOptions *o,
                                     GError **errp)
{
    g_autofree gchar *kernel = NULL, *initrd = NULL;
    gsize klen = 0, ilen = 0;
    GError *local = NULL;

    if (!g_file_get_contents(o->kernel, &kernel, &klen, &local)) {
        error_setg(errp, "fw_cfg: %s", local->message);
        g_error_free(local);
        return false;
    }
    /* a bzImage's real-mode setup is its own item (x86 boot protocol) */
    gsize setup = 0;
    bool bzimage = klen >= 0x206 && !memcmp(kernel + 0x202, "HdrS", 4);
    if (bzimage) {
        unsigned sects = (uint8_t)kernel[0x1f1] ? (uint8_t)kernel[0x1f1] : 4;
        setup = MIN((gsize)(sects + 1) * 512, klen);
    }
    /* only a Linux -initrd is one file: for multiboot it lists modules */
    if (bzimage && o->initrd &&
        !g_file_get_contents(o->initrd, &initrd, &ilen, &local)) {
        error_setg(errp, "fw_cfg: %s", local->message);
        g_error_free(local);
        return false;
    }
    fw_cfg_add_i32(fw, FW_CFG_SETUP_SIZE, setup);
    fw_cfg_add_bytes(fw, FW_CFG_SETUP_DATA, kernel, setup);
    fw_cfg_add_i32(fw, FW_CFG_KERNEL_SIZE, klen - setup);
    fw_cfg_add_bytes(fw, FW_CFG_KERNEL_DATA, kernel + setup, klen - setup);
    fw_cfg_add_i32(fw, FW_CFG_INITRD_SIZE, ilen);
    fw_cfg_add_bytes(fw, FW_CFG_INITRD_DATA, initrd ? initrd : "", ilen);
    const char *cmdline = o->append ? o->append : "";
    fw_cfg_add_i32(fw, FW_CFG_CMDLINE_SIZE, strlen(cmdline) + 1);
    fw_cfg_add_string(fw, FW_CFG_CMDLINE_DATA, cmdline);
    return true;
}

static bool pc_fw_cfg_init(const MachineOptions *o, GError **errp)
{
    FWCfgState *fw = fw_cfg_init_io_dma(FW_CFG_IO_BASE, FW_CFG_DMA_IO_BASE,
                                        &address_space_memory, errp);
    if (!fw) {
        return false;
    }
    static const uint8_t no_uuid[16];
    fw_cfg_add_bytes(fw, FW_CFG_UUID, o->uuid ? o->uuid : no_uuid, 16);
    fw_cfg_add_i64(fw, FW_CFG_RAM_SIZE, o->ram_size);
    fw_cfg_add_i16(fw, FW_CFG_NB_CPUS, pcms.ncpus);
    fw_cfg_add_i16(fw, FW_CFG_MAX_CPUS, MAX(o->max_cpus, pcms.ncpus));

    /* etc/e820: packed little-endian {u64 address, u64 length, u32 type} */
    g_autoptr(GByteArray) e820 = g_byte_array_new();
    for (unsigned i = 0; i < pcms.layout.e820_count; i++) {
        const E820Entry *e = &pcms.layout.e820[i];
        uint64_t addr = GUINT64_TO_LE(e->addr), size = GUINT64_TO_LE(e->size);
        uint32_t type = GUINT32_TO_LE(e->type);
        g_byte_array_append(e820, (const guint8 *)&addr, 8);
        g_byte_array_append(e820, (const guint8 *)&size, 8);
        g_byte_array_append(e820, (const guint8 *)&type, 4);
    }
    SmbiosConfig smbios;
    pc_smbios_config(o, &smbios);
    if (!fw_cfg_add_file(fw, "etc/e820", e820->data, e820->len, errp) ||
        !pc_firmware_boot_fw_cfg(fw, o, errp) ||
        (!o->kernel && !smbios_add_fw_cfg(fw, &smbios, o->smbios, errp))) {
        return false;
    }
    if (!o->kernel) {
        /* no display device: SeaBIOS's screen output goes to COM1 */
        uint16_t sercon = GUINT16_TO_LE(0x3f8);
        if (o->serial_count > 0 && chardev_find("serial0") &&
            !fw_cfg_add_file(fw, "etc/sercon-port", &sercon, 2, errp)) {
            return false;
        }
        return pc_firmware_acpi_fw_cfg(fw, pc_acpi_config(), errp) &&
               pc_firmware_user_fw_cfg(fw, o, errp);
    }
    return pc_fw_cfg_add_boot_files(fw, o, errp) &&
           pc_firmware_user_fw_cfg(fw, o, errp);
}

/* CMOS boot-device bytes for SeaBIOS from a -boot order string. */
static bool pc_set_boot_order(const char *order, GError **errp)
{
    uint8_t r3d, r38;
    if (!pc_firmware_boot_order(order, &r3d, &r38, errp)) {
        return false;
    }
    rtc_set_memory(pcms.rtc, 0x3d, r3d);
    rtc_set_memory(pcms.rtc, 0x38, r38);
    return true;
}

static void pc_boot_once_done(void *order)
{
    static bool done;
    if (!done) {
        done = true;
        pc_set_boot_order(order, NULL);   /* checked at init */
    }
}

static bool pc_init(const MachineOptions *o, GError **errp)
{
    if (!pc_parse_machine_props(o, &pcms.props, errp)) {
        return false;
    }
    if (!pc_memory_init(o, errp) || !pc_cpus_init(o, errp) ||
        !pc_isa_init(o, errp)) {
        return false;
    }
    if (!o->kernel) {
        /* firmware boot: the vCPUs start from their power-on reset */
        if (!pc_set_boot_order(o->boot_order, errp) ||
            (o->boot_once && !pc_set_boot_order(o->boot_once, errp)) ||
            !pc_firmware_init(o->bios, get_system_memory(), pcms.ram,
                              pcms.pci_bus, errp) ||
            !pc_fw_cfg_init(o, errp)) {
            return false;
        }
        qemu_register_reset(pc_reset, NULL);
        qemu_register_powerdown_handler(pc_powerdown, NULL);
        if (fw_cfg_find()) {
            qemu_add_vm_change_state_handler(pc_acpi_vm_state, fw_cfg_find());
        }
        qemu_system_reset(SHUTDOWN_CAUSE_NONE);
        if (o->boot_once) {
            /* -boot once=: the next reset goes back to order= */
            qemu_register_reset(pc_boot_once_done, (void *)o->boot_order);
        }
        return true;
    }
    if (o->bios) {
        warn_report("-bios is ignored with -kernel: kvmu boots the kernel "
                    "directly");
    }
    if (!pc_acpi_init(o, errp) || !pc_mptable_init(errp) ||
        !pc_smbios_init(o, errp)) {
        return false;
    }
    qemu_add_vm_change_state_handler(pc_acpi_vm_state, NULL);
    x86_set_kernel_decompress(pcms.props.kernel_decompress);
    if (!x86_load_kernel(o->kernel, o->initrd, o->append, &pcms.layout,
                         &pcms.entry, errp)) {
        return false;
    }
    if (!pc_fw_cfg_init(o, errp)) {
        return false;
    }
    pcms.has_kernel = true;
    qemu_register_reset(pc_reset, NULL);
    qemu_register_powerdown_handler(pc_powerdown, NULL);
    qemu_system_reset(SHUTDOWN_CAUSE_NONE);
    return true;       /* the command line starts the vCPUs */
}

const MachineType pc_i440fx_machine_type = {
    .name = "pc-i440fx-8.2",
    .alias = "pc",
    .desc = "Standard PC (i440FX + PIIX, 1996)",
    .is_default = true,
    .init = pc_init,
    .default_ram_size = 128 * 1024 * 1024,
    .min_cpus = 1,
    .max_cpus = 255,
    .prefer_sockets = true,
    .default_cpu = "qemu64",
};
