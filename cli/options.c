/*
 * The option table and argv parsing. Options follow QEMU's -help; each
 * accepted one has a handler, the rest are parsed for syntax and refused
 * with "'-x' is not supported by kvmu yet": nothing is silently ignored.
 * Error lines follow QEMU's format: "PROG: -opt arg: message".
 */
#include "config-host.h"
#include "cli/options.h"
#include "util/error.h"

#include <string.h>

bool cli_help_printed;

#define OPT(n, a, h, text) { n, a, h, text, NULL }
#define UNSUPPORTED(n, a, text) { n, a, NULL, text, NULL }
#define UNSUPPORTED_KV(n, a, key, text) { n, a, NULL, text, key }

const CliOption cli_options[] = {
    OPT("h", NULL, NULL, "display this help and exit"),
    OPT("help", NULL, NULL, "display this help and exit"),
    OPT("version", NULL, NULL, "display version information and exit"),
    /* machine */
    OPT("machine", "[type=]name[,prop[=value][,...]]", opt_machine,
        "selects emulated machine ('-machine help' for list)"),
    OPT("M", "[type=]name[,prop[=value][,...]]", opt_machine,
        "same as -machine"),
    OPT("accel", "[accel=]name[,prop=value][,...]", opt_accel,
        "select accelerator (kvm, tcg; '-accel help' for list)"),
    OPT("enable-kvm", NULL, opt_enable_kvm, "enable KVM full virtualization"),
    OPT("cpu", "model[,+feat|-feat|feat=value...]", opt_cpu,
        "select CPU ('-cpu help' for list)"),
    OPT("smp", "[[cpus=]n][,maxcpus=][,sockets=][,dies=][,clusters=]"
        "[,cores=][,threads=]", opt_smp, "set the number of CPUs and topology"),
    OPT("m", "[size=]megs[,slots=n,maxmem=size]", opt_m,
        "configure guest RAM (default unit MiB)"),
    OPT("overcommit", "[mem-lock=on|off][,cpu-pm=on|off]", opt_overcommit,
        "lock guest memory / pass CPU power management to the guest"),
    OPT("boot", "[order=drives][,once=drives][,menu=on|off][,splash-time=ms]"
        "[,reboot-timeout=ms][,strict=on|off]", opt_boot,
        "boot order and boot menu"),
    OPT("name", "[guest=]name[,debug-threads=on|off][,process=name]", opt_name,
        "set the name of the guest (and of the process)"),
    OPT("uuid", "%08x-%04x-%04x-%04x-%012x", opt_uuid,
        "specify machine UUID"),
    OPT("rtc", "[base=utc|localtime|datetime][,clock=host|rt|vm]"
        "[,driftfix=none|slew]", opt_rtc, "set the RTC base and clock"),
    /* boot images */
    OPT("kernel", "bzImage", opt_kernel, "use 'bzImage' as kernel image"),
    OPT("initrd", "file", opt_initrd, "use 'file' as initial ram disk"),
    OPT("append", "cmdline", opt_append, "use 'cmdline' as kernel command line"),
    OPT("bios", "file", opt_bios, "set the filename for the BIOS"),
    /* devices, objects */
    OPT("device", "driver[,prop[=value][,...]]", opt_device,
        "add device driver ('-device help' for list); JSON accepted"),
    OPT("object", "TYPENAME[,PROP1=VALUE1,...]", opt_object,
        "create a new object of type TYPENAME ('-object help' for list)"),
    OPT("global", "driver.property=value", opt_global,
        "set a default value of a driver's property"),
    /* chardevs, monitors */
    OPT("chardev", "backend,id=id[,...]", opt_chardev,
        "create a character device ('-chardev help' for list)"),
    OPT("serial", "dev", opt_serial,
        "redirect the next serial port to char device 'dev' (up to 4)"),
    OPT("mon", "[chardev=]name[,mode=readline|control][,pretty=on|off]",
        opt_mon, "attach a monitor to a chardev"),
    OPT("monitor", "dev", opt_monitor, "redirect the HMP monitor to 'dev'"),
    OPT("qmp", "dev", opt_qmp, "like -monitor but opens a QMP monitor"),
    OPT("qmp-pretty", "dev", opt_qmp_pretty,
        "like -qmp but uses pretty JSON formatting"),
    /* display */
    OPT("display", "none", opt_display, "select display backend type"),
    OPT("nographic", NULL, opt_nographic,
        "disable graphical output; serial and monitor on stdio"),
    /* run control */
    OPT("S", NULL, opt_S, "freeze CPU at startup (use 'cont' to start)"),
    OPT("no-reboot", NULL, opt_no_reboot, "exit instead of rebooting"),
    OPT("no-shutdown", NULL, opt_no_shutdown,
        "stop before shutdown instead of exiting"),
    OPT("nodefaults", NULL, opt_nodefaults, "don't create default devices"),
    OPT("no-user-config", NULL, opt_no_user_config,
        "do not load default user-provided config files"),
    /* process */
    OPT("daemonize", NULL, opt_daemonize,
        "daemonize QEMU after initializing"),
    OPT("pidfile", "file", opt_pidfile, "write PID to 'file'"),
    OPT("D", "logfile", opt_D, "output log to logfile (default stderr)"),
    OPT("d", "item1,...", opt_d, "enable logging of items ('-d help' for list)"),
    OPT("msg", "[timestamp=on|off][,guest-name=on|off]", opt_msg,
        "control error message format"),
    OPT("sandbox", "on|off[,obsolete=allow|deny][,elevateprivileges=allow|"
        "deny|children][,spawn=allow|deny][,resourcecontrol=allow|deny]",
        opt_sandbox, "enable the seccomp system call filter"),
    /* not yet */
    UNSUPPORTED_KV("netdev", "type,id=str[,...]", "type",
                   "configure a network backend"),
    UNSUPPORTED_KV("nic", "type[,...]", "type", "create a NIC and its backend"),
    UNSUPPORTED_KV("net", "type[,...]", "type", "legacy network setup"),
    UNSUPPORTED_KV("blockdev", "driver=d[,node-name=n][,...]", NULL,
                   "configure a block backend"),
    UNSUPPORTED_KV("drive", "[file=file][,if=type][,...]", "file",
                   "use 'file' as a drive image"),
    UNSUPPORTED("hda", "file", "use 'file' as hard disk 0 image"),
    UNSUPPORTED("hdb", "file", "use 'file' as hard disk 1 image"),
    UNSUPPORTED("hdc", "file", "use 'file' as hard disk 2 image"),
    UNSUPPORTED("hdd", "file", "use 'file' as hard disk 3 image"),
    UNSUPPORTED("cdrom", "file", "use 'file' as CD-ROM image"),
    UNSUPPORTED("fda", "file", "use 'file' as floppy disk 0 image"),
    UNSUPPORTED("fdb", "file", "use 'file' as floppy disk 1 image"),
    UNSUPPORTED("snapshot", NULL, "write to temporary files instead of images"),
    UNSUPPORTED_KV("audiodev", "driver,id=id[,...]", "driver",
                   "configure an audio backend"),
    OPT("vga", "type", opt_vga, "select video card type (kvmu: none only, "
        "so far)"),
    UNSUPPORTED("usb", NULL, "enable on-board USB host controller"),
    UNSUPPORTED("usbdevice", "name", "add a USB device"),
    UNSUPPORTED("vnc", "display[,option[,option[,...]]]", "start a VNC server"),
    UNSUPPORTED_KV("spice", "[port=0][,...]", NULL, "start a SPICE server"),
    UNSUPPORTED("incoming", "uri", "wait for an incoming migration"),
    UNSUPPORTED("loadvm", "tag", "start right away with a saved state"),
    UNSUPPORTED_KV("fsdev", "fsdriver,id=id[,...]", "fsdriver",
                   "configure a filesystem backend"),
    UNSUPPORTED("virtfs", "local,path=path,...", "9p filesystem passthrough"),
    UNSUPPORTED_KV("tpmdev", "type,id=id[,...]", "type",
                   "configure a TPM backend"),
    UNSUPPORTED_KV("numa", "node[,...]", "type", "configure NUMA nodes"),
    OPT("mem-path", "file", opt_mem_path,
        "provide backing storage for guest RAM"),
    OPT("mem-prealloc", NULL, opt_mem_prealloc, "preallocate guest memory"),
    UNSUPPORTED("parallel", "dev", "redirect the parallel port to 'dev'"),
    OPT("debugcon", "dev", opt_debugcon,
        "redirect the debug console (isa-debugcon, port 0xe9) to 'dev'"),
    UNSUPPORTED("gdb", "dev", "accept a gdb connection on 'dev'"),
    UNSUPPORTED("s", NULL, "shorthand for -gdb tcp::1234"),
    UNSUPPORTED_KV("icount", "[shift=N|auto][,...]", "shift",
                   "enable virtual instruction counter"),
    OPT("action", "reboot=reset|shutdown[,shutdown=poweroff|pause]"
        "[,panic=pause|shutdown|exit-failure|none][,watchdog=reset|shutdown|"
        "poweroff|pause|debug|none|inject-nmi]", opt_action,
        "set actions for events"),
    OPT("watchdog-action", "reset|shutdown|poweroff|inject-nmi|pause|debug|"
        "none", opt_watchdog_action, "set the watchdog action (-action "
        "watchdog=)"),
    OPT("smbios", "type=0|1|2|3|4|8|11|17[,field=value][,...]|file=binary",
        opt_smbios, "set SMBIOS fields"),
    OPT("fw_cfg", "[name=]<name>,file=<file>|string=<str>", opt_fw_cfg,
        "add named fw_cfg entry with contents from file or string"),
    OPT("option-rom", "rom[,bootindex=N]", opt_option_rom,
        "load a file, rom, into the option ROM space"),
    UNSUPPORTED("acpitable", "[sig=str][,...]", "add an ACPI table"),
    UNSUPPORTED("add-fd", "fd=fd,set=set[,opaque=opaque]",
                "add a file descriptor to an fd set"),
    UNSUPPORTED("trace", "[[enable=]pattern][,events=file][,file=file]",
                "specify tracing options"),
    UNSUPPORTED("plugin", "[file=]file[,arg=value]", "load a TCG plugin"),
    UNSUPPORTED("qtest", "chardev", "enable the qtest protocol"),
    UNSUPPORTED("qtest-log", "file", "qtest protocol log"),
    UNSUPPORTED("k", "language", "use keyboard layout (e.g. 'fr')"),
    UNSUPPORTED("L", "path", "set the directory for BIOS and VGA BIOS"),
    UNSUPPORTED("readconfig", "file", "read config file"),
    UNSUPPORTED("writeconfig", "file", "write the configuration to 'file'"),
    UNSUPPORTED("runas", "user", "change to user id after startup"),
    UNSUPPORTED("chroot", "dir", "chroot to dir just before starting the VM"),
    UNSUPPORTED_KV("run-with", "[async-teardown=on|off][,chroot=dir]", NULL,
                   "set miscellaneous runtime options"),
    UNSUPPORTED("no-acpi", NULL, "disable ACPI"),
    OPT("no-hpet", NULL, opt_no_hpet, "disable HPET"),
    UNSUPPORTED("full-screen", NULL, "start in full screen"),
    UNSUPPORTED("g", "WxH[xDEPTH]", "set the initial graphical resolution"),
    UNSUPPORTED("semihosting", NULL, "semihosting mode"),
    UNSUPPORTED_KV("iscsi", "[user=user][,...]", NULL, "iSCSI parameters"),
    UNSUPPORTED("pflash", "file", "use 'file' as a parallel flash image"),
    UNSUPPORTED("sd", "file", "use 'file' as SecureDigital card image"),
    UNSUPPORTED("mtdblock", "file", "use 'file' as on-board Flash image"),
    UNSUPPORTED("portrait", NULL, "rotate graphical output 90 deg left"),
    UNSUPPORTED("rotate", "deg", "rotate graphical output some deg left"),
    UNSUPPORTED("sdl", NULL, "shorthand for -display sdl"),
    UNSUPPORTED("curses", NULL, "shorthand for -display curses"),
    UNSUPPORTED("alt-grab", NULL, "use Ctrl-Alt-Shift to grab mouse"),
    UNSUPPORTED("ctrl-grab", NULL, "use Right-Ctrl to grab mouse"),
    UNSUPPORTED("enable-sync-profile", NULL, "enable sync profiling"),
    UNSUPPORTED("preconfig", NULL, "pause before machine is initialized"),
    UNSUPPORTED_KV("compat", "[deprecated-input=...][,...]", NULL,
                   "policy for deprecated interfaces"),
    UNSUPPORTED("only-migratable", NULL, "allow only migratable devices"),
    UNSUPPORTED("xen-domid", "id", "specify xen guest domain id"),
    UNSUPPORTED("xen-attach", NULL, "attach to an existing xen domain"),
    UNSUPPORTED("xen-domid-restrict", NULL, "restrict xen privileges"),
    UNSUPPORTED("set", "group.id.arg=value", "set a parameter of an item"),
    UNSUPPORTED("echr", "chr", "set the terminal escape character"),
    UNSUPPORTED("dfilter", "range,..", "filter debug output to ranges"),
    UNSUPPORTED("seed", "number", "seed for the pseudo-random generator"),
    UNSUPPORTED("prom-env", "variable=value", "set OpenBIOS nvram variables"),
    UNSUPPORTED_KV("semihosting-config", "[enable=on|off][,...]", "enable",
                   "semihosting configuration"),
    UNSUPPORTED("dump-vmstate", "file", "dump the vmstate description as "
                "JSON"),
    UNSUPPORTED("perfmap", NULL, "generate a /tmp/perf-${pid}.map file"),
    UNSUPPORTED("jitdump", NULL, "generate a jit-${pid}.dump file"),
    UNSUPPORTED_KV("audio", "[driver=]driver[,model=value][,...]", "driver",
                   "configure audio backend and model"),
    UNSUPPORTED("dtb", "file", "use 'file' as device tree image"),
    UNSUPPORTED("win2k-hack", NULL, "use it when installing Windows 2000"),
    UNSUPPORTED("no-fd-bootchk", NULL, "disable boot signature checking"),
    UNSUPPORTED("virtfs_synth", NULL, "synthetic 9p filesystem"),
    UNSUPPORTED("async-teardown", NULL, "enable asynchronous teardown"),
    UNSUPPORTED("singlestep", NULL, "deprecated: -accel tcg,one-insn-per-tb=on"),
    UNSUPPORTED("watchdog", "model", "removed: use -device"),
    { NULL, NULL, NULL, NULL, NULL },
};

static bool is_builtin(const CliOption *o)
{
    return !o->handler && (!strcmp(o->name, "h") || !strcmp(o->name, "help") ||
                           !strcmp(o->name, "version"));
}

void cli_print_help(FILE *out)
{
    fprintf(out, "QEMU emulator version %s (kvmu %s)\n"
            "usage: %s [options] [disk_image]\n\n"
            "'disk_image' is a raw hard disk image for IDE hard disk 0 "
            "(not supported yet)\n\n"
            "Standard options:\n", QEMU_IFACE_VERSION, KVMU_VERSION,
            error_get_progname());
    for (const CliOption *o = cli_options; o->name; o++) {
        GString *line = g_string_new(NULL);
        g_string_append_printf(line, "-%s", o->name);
        if (o->args) {
            g_string_append_printf(line, " %s", o->args);
        }
        const char *note = o->handler || is_builtin(o)
                           ? "" : " (not supported yet)";
        if (line->len < 24) {
            fprintf(out, "%-24s%s%s\n", line->str, o->help, note);
        } else {
            fprintf(out, "%s\n%-24s%s%s\n", line->str, "", o->help, note);
        }
        g_string_free(line, TRUE);
    }
    fprintf(out, "\nDuring emulation, the following keys are useful:\n"
            "ctrl-alt-f      toggle full screen\n"
            "ctrl-alt-n      switch to virtual console 'n'\n"
            "ctrl-alt        toggle mouse and keyboard grab\n\n"
            "When using -nographic, press 'ctrl-a h' to get some help.\n");
}

static const CliOption *find_option(const char *name)
{
    for (const CliOption *o = cli_options; o->name; o++) {
        if (!strcmp(o->name, name)) {
            return o;
        }
    }
    return NULL;
}

/* Report an error located at "-opt arg" as QEMU does. */
static void report_at(const char *opt, const char *arg, const char *msg)
{
    if (arg) {
        error_report("-%s %s: %s", opt, arg, msg);
    } else {
        error_report("-%s: %s", opt, msg);
    }
}

static bool run_unsupported(const CliOption *o, const char *arg)
{
    GError *err = NULL;

    if (arg && o->implied_key != NULL) {
        KeyvalList *kv = cli_opts_parse(arg, o->implied_key, KEYVAL_BARE_FLAGS,
                                        &err);
        if (!kv) {
            report_at(o->name, arg, err->message);
            g_error_free(err);
            return false;
        }
        keyval_free(kv);
    }
    char *msg = g_strdup_printf("'-%s' is not supported by kvmu yet", o->name);
    report_at(o->name, arg, msg);
    g_free(msg);
    return false;
}

bool cli_parse(VmConfig *cfg, int argc, char **argv, int *exit_code)
{
    *exit_code = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (a[0] != '-' || !a[1]) {
            error_report("%s: a disk image argument (-hda) is not supported "
                         "by kvmu yet", a);
            return false;
        }
        const char *name = a + 1;
        if (name[0] == '-') {
            name++;     /* --option is the same as -option */
        }
        const CliOption *o = find_option(name);
        if (!o) {
            error_report("%s: invalid option", a);
            return false;
        }
        const char *arg = NULL;
        if (o->args) {
            if (i + 1 >= argc) {
                error_report("-%s: requires an argument", o->name);
                return false;
            }
            arg = argv[++i];
        }
        if (is_builtin(o)) {
            if (!strcmp(o->name, "version")) {
                printf("QEMU emulator version %s (kvmu %s)\n"
                       "Copyright (c) 2026 the kvmu authors\n",
                       QEMU_IFACE_VERSION, KVMU_VERSION);
            } else {
                cli_print_help(stdout);
            }
            *exit_code = 0;
            return false;
        }
        if (!o->handler) {
            return run_unsupported(o, arg);
        }
        GError *err = NULL;
        if (!o->handler(cfg, arg, &err)) {
            report_at(o->name, arg, err ? err->message : "invalid argument");
            g_clear_error(&err);
            return false;
        }
        if (cli_help_printed) {
            *exit_code = 0;
            return false;
        }
    }
    return true;
}
