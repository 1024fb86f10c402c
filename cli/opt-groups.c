/*
 * The parameters of each keyval-style option, as QEMU names its option
 * groups; registered in util/opts for query-command-line-options and used
 * by the handlers as their key whitelist. Only options kvmu accepts are
 * registered: a missing group tells libvirt the option is absent.
 */
#include "cli/options.h"

#define P(n, t, h) { n, OPT_TYPE_##t, h, NULL }
#define END { NULL, 0, NULL, NULL }

static const OptParam machine_params[] = {
    P("type", STRING, "emulated machine"),
    P("accel", STRING, "accelerator list (kvm:tcg)"),
    P("kernel-irqchip", STRING, "use KVM in-kernel irqchip (on|off|split)"),
    P("mem-merge", BOOL, "enable/disable memory merge support"),
    P("dump-guest-core", BOOL, "include guest memory in a core dump"),
    P("usb", BOOL, "set on/off to enable/disable usb"),
    P("vmport", STRING, "VMware IO port (on|off|auto)"),
    P("smm", STRING, "SMM support (on|off|auto)"),
    P("acpi", STRING, "ACPI support (on|off|auto)"),
    P("pic", STRING, "i8259 PIC (on|off|auto)"),
    P("hpet", BOOL, "HPET"),
    P("pit", BOOL, "i8254 PIT"),
    P("sata", BOOL, "AHCI on q35"),
    P("smbus", BOOL, "SMBus controller"),
    P("i8042", BOOL, "i8042 keyboard controller"),
    P("graphics", BOOL, "graphics support"),
    P("suppress-vmdesc", BOOL, "omit the VM description in migration"),
    P("nvdimm", BOOL, "NVDIMM support"),
    P("hmat", BOOL, "ACPI HMAT"),
    P("default-bus-bypass-iommu", BOOL, "default bus bypasses the IOMMU"),
    P("fd-bootchk", BOOL, "floppy boot signature check"),
    P("max-ram-below-4g", SIZE, "maximum RAM below the 4G boundary"),
    P("memory-backend", STRING, "ID of the memory backend object"),
    P("firmware", STRING, "firmware image"),
    P("confidential-guest-support", STRING, "confidential guest object"),
    P("kernel-decompress", BOOL, "decompress a Linux bzImage on the host (kvmu)"),
    P("kernel", STRING, "Linux kernel image file"),
    P("initrd", STRING, "Linux initial ramdisk file"),
    P("append", STRING, "Linux kernel command line"),
    P("dtb", STRING, "device tree file"),
    P("pflash0", STRING, "block node for the first flash"),
    P("pflash1", STRING, "block node for the second flash"),
    END,
};

static const OptParam accel_params[] = {
    P("accel", STRING, "accelerator name (kvm, tcg)"),
    P("thread", STRING, "TCG threading (single|multi)"),
    P("tb-size", NUMBER, "TCG translation block cache size (MiB)"),
    P("split-wx", BOOL, "TCG split w^x mapping"),
    P("one-insn-per-tb", BOOL, "TCG one instruction per block"),
    P("kernel-irqchip", STRING, "KVM in-kernel irqchip (on|off|split)"),
    P("kvm-shadow-mem", SIZE, "KVM shadow MMU size"),
    P("dirty-ring-size", NUMBER, "KVM dirty ring size"),
    P("notify-vmexit", STRING, "KVM notify VM exit (run|internal-error|"
      "disable)"),
    P("notify-window", NUMBER, "KVM notify window"),
    END,
};

static const OptParam memory_params[] = {
    P("size", SIZE, "initial amount of guest memory"),
    P("slots", NUMBER, "number of hotplug slots (default: none)"),
    P("maxmem", SIZE, "maximum amount of guest memory (default: none)"),
    END,
};

static const OptParam smp_params[] = {
    P("cpus", NUMBER, NULL),
    P("sockets", NUMBER, NULL),
    P("dies", NUMBER, NULL),
    P("clusters", NUMBER, NULL),
    P("cores", NUMBER, NULL),
    P("threads", NUMBER, NULL),
    P("maxcpus", NUMBER, NULL),
    END,
};

static const OptParam name_params[] = {
    P("guest", STRING, "Sets the name of the guest."),
    P("process", STRING, "Sets the name of the QEMU process, as shown in top "
      "etc"),
    P("debug-threads", BOOL, "When enabled, name the individual threads; "
      "defaults off."),
    END,
};

static const OptParam rtc_params[] = {
    P("base", STRING, NULL),
    P("clock", STRING, NULL),
    P("driftfix", STRING, NULL),
    END,
};

static const OptParam boot_params[] = {
    P("order", STRING, NULL),
    P("once", STRING, NULL),
    P("menu", BOOL, NULL),
    P("splash", STRING, NULL),
    P("splash-time", NUMBER, NULL),
    P("reboot-timeout", NUMBER, NULL),
    P("strict", BOOL, NULL),
    END,
};

static const OptParam option_rom_params[] = {
    P("romfile", STRING, NULL),
    P("bootindex", NUMBER, NULL),
    END,
};

static const OptParam fw_cfg_params[] = {
    P("name", STRING, "Sets the fw_cfg name of the blob to be inserted"),
    P("file", STRING, "Sets the name of the file from which the fw_cfg "
      "blob will be loaded"),
    P("string", STRING, "Sets content of the blob to be inserted from a "
      "string"),
    P("gen_id", STRING, "Sets id of the object generating the fw_cfg blob "
      "to be inserted"),
    END,
};

static const OptParam sandbox_params[] = {
    P("enable", BOOL, NULL),
    P("obsolete", STRING, NULL),
    P("elevateprivileges", STRING, NULL),
    P("spawn", STRING, NULL),
    P("resourcecontrol", STRING, NULL),
    END,
};

static const OptParam msg_params[] = {
    P("timestamp", BOOL, NULL),
    P("guest-name", BOOL, "Prepends guest name for error messages but only "
      "if -name guest is set otherwise option is ignored\n"),
    END,
};

static const OptParam overcommit_params[] = {
    P("mem-lock", BOOL, NULL),
    P("cpu-pm", BOOL, NULL),
    END,
};

static const OptParam mon_params[] = {
    P("mode", STRING, NULL),
    P("chardev", STRING, NULL),
    P("pretty", BOOL, NULL),
    END,
};

static const OptParam chardev_params[] = {
    P("backend", STRING, NULL), P("path", STRING, NULL),
    P("host", STRING, NULL), P("port", STRING, NULL),
    P("fd", STRING, NULL), P("local", BOOL, NULL),
    P("localaddr", STRING, NULL), P("localport", STRING, NULL),
    P("to", NUMBER, NULL), P("ipv4", BOOL, NULL), P("ipv6", BOOL, NULL),
    P("wait", BOOL, NULL), P("server", BOOL, NULL), P("delay", BOOL, NULL),
    P("nodelay", BOOL, NULL), P("reconnect", NUMBER, NULL),
    P("telnet", BOOL, NULL), P("tn3270", BOOL, NULL),
    P("websocket", BOOL, NULL), P("tls-creds", STRING, NULL),
    P("tls-authz", STRING, NULL), P("width", NUMBER, NULL),
    P("height", NUMBER, NULL), P("cols", NUMBER, NULL),
    P("rows", NUMBER, NULL), P("mux", BOOL, NULL), P("signal", BOOL, NULL),
    P("name", STRING, NULL), P("debug", NUMBER, NULL),
    P("size", SIZE, NULL), P("chardev", STRING, NULL),
    P("append", BOOL, NULL), P("logfile", STRING, NULL),
    P("logappend", BOOL, NULL), P("abstract", BOOL, NULL),
    P("tight", BOOL, NULL), P("id", STRING, NULL),
    END,
};

static const OptParam empty_params[] = { END };

const OptGroup cli_group_machine = { "machine", machine_params };
const OptGroup cli_group_accel = { "accel", accel_params };
const OptGroup cli_group_memory = { "memory", memory_params };
const OptGroup cli_group_smp = { "smp-opts", smp_params };
const OptGroup cli_group_name = { "name", name_params };
const OptGroup cli_group_rtc = { "rtc", rtc_params };
const OptGroup cli_group_boot = { "boot-opts", boot_params };
const OptGroup cli_group_sandbox = { "sandbox", sandbox_params };
const OptGroup cli_group_option_rom = { "option-rom", option_rom_params };
const OptGroup cli_group_fw_cfg = { "fw_cfg", fw_cfg_params };
const OptGroup cli_group_msg = { "msg", msg_params };
const OptGroup cli_group_overcommit = { "overcommit", overcommit_params };
const OptGroup cli_group_mon = { "mon", mon_params };
const OptGroup cli_group_chardev = { "chardev", chardev_params };
static const OptGroup group_device = { "device", empty_params };
static const OptGroup group_object = { "object", empty_params };
/* -smbios: QEMU lists no parameters (each type checks its own keys) */
static const OptGroup group_smbios = { "smbios", empty_params };

void cli_register_opt_groups(void)
{
    static const OptGroup *const all[] = {
        &cli_group_machine, &cli_group_accel, &cli_group_memory,
        &cli_group_smp, &cli_group_name, &cli_group_rtc, &cli_group_boot,
        &cli_group_sandbox, &cli_group_msg, &cli_group_overcommit,
        &cli_group_mon, &cli_group_chardev, &group_device, &group_object,
        &cli_group_option_rom, &cli_group_fw_cfg, &group_smbios,
    };

    for (size_t i = 0; i < G_N_ELEMENTS(all); i++) {
        if (!opts_group_find(all[i]->name)) {
            opts_group_register(all[i]);
        }
    }
}
