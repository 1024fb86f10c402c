/*
 * Handlers for the rest of the accepted options: boot images, identity,
 * chardevs and monitors, devices/objects/globals, display, process
 * control (-daemonize, -pidfile, -D, -d, -msg), -rtc, -boot, -sandbox,
 * -overcommit.
 */
#include "cli/options.h"
#include "cli/sandbox.h"
#include "hw/boards.h"
#include "util/cutils.h"
#include "util/error.h"
#include "util/log.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

static void set_str(char **field, const char *arg)
{
    g_free(*field);
    *field = g_strdup(arg);
}

bool opt_kernel(VmConfig *cfg, const char *arg, GError **errp)
{
    set_str(&cfg->kernel, arg);
    return true;
}

bool opt_initrd(VmConfig *cfg, const char *arg, GError **errp)
{
    set_str(&cfg->initrd, arg);
    return true;
}

bool opt_append(VmConfig *cfg, const char *arg, GError **errp)
{
    set_str(&cfg->append, arg);
    return true;
}

bool opt_bios(VmConfig *cfg, const char *arg, GError **errp)
{
    set_str(&cfg->bios, arg);
    return true;
}

bool opt_name(VmConfig *cfg, const char *arg, GError **errp)
{
    g_autoptr(KeyvalList) kv = keyval_parse(arg, "guest", 0, errp);

    if (!kv || !opts_check(&cli_group_name, kv, errp) ||
        !keyval_get_bool(kv, "debug-threads", &cfg->debug_threads, errp)) {
        return false;
    }
    if (keyval_get(kv, "guest")) {
        set_str(&cfg->name, keyval_get(kv, "guest"));
    }
    if (keyval_get(kv, "process")) {
        set_str(&cfg->process_name, keyval_get(kv, "process"));
    }
    return true;
}

bool cli_parse_uuid(const char *str, uint8_t out[16])
{
    static const int dash_at[] = {8, 13, 18, 23};
    int n = 0;

    if (strlen(str) != 36) {
        return false;
    }
    for (int i = 0, d = 0; i < 36;) {
        if (d < 4 && i == dash_at[d]) {
            if (str[i] != '-') {
                return false;
            }
            i++;
            d++;
            continue;
        }
        if (!g_ascii_isxdigit(str[i]) || !g_ascii_isxdigit(str[i + 1])) {
            return false;
        }
        out[n++] = g_ascii_xdigit_value(str[i]) << 4 |
                   g_ascii_xdigit_value(str[i + 1]);
        i += 2;
    }
    return n == 16;
}

bool opt_uuid(VmConfig *cfg, const char *arg, GError **errp)
{
    if (!cli_parse_uuid(arg, cfg->uuid)) {
        error_setg(errp, "failed to parse UUID string: wrong format");
        return false;
    }
    cfg->has_uuid = true;
    return true;
}

bool opt_S(VmConfig *cfg, const char *arg, GError **errp)
{
    cfg->start_paused = true;
    return true;
}

bool opt_nographic(VmConfig *cfg, const char *arg, GError **errp)
{
    cfg->nographic = true;
    return true;
}

bool opt_display(VmConfig *cfg, const char *arg, GError **errp)
{
    static const char *const known[] = {
        "none", "gtk",       "sdl", "egl-headless", "curses", "cocoa",
        "dbus", "spice-app", "vnc", "default",      NULL};
    g_autoptr(KeyvalList) kv = keyval_parse(arg, "type", 0, errp);

    if (!kv) {
        return false;
    }
    if (kv->help) {
        printf("Available display backend types:\nnone\n");
        cli_help_printed = true;
        return true;
    }
    const char *type = keyval_get(kv, "type");
    if (!type) {
        error_setg(errp, "Parameter 'type' is missing");
        return false;
    }
    int idx = keyval_get_enum(kv, "type", known, errp);
    if (idx < 0) {
        return false;
    }
    if (strcmp(type, "none")) {
        error_setg(errp, "Display '%s' is not available.", type);
        return false;
    }
    for (guint i = 0; i < kv->pairs->len; i++) {
        KeyvalPair *p = g_ptr_array_index(kv->pairs, i);
        if (strcmp(p->key, "type")) {
            error_setg(errp, "Parameter '%s' is unexpected", p->key);
            return false;
        }
    }
    set_str(&cfg->display, type);
    return true;
}

bool opt_no_reboot(VmConfig *cfg, const char *arg, GError **errp)
{
    cfg->no_reboot = true;
    return true;
}

bool opt_no_shutdown(VmConfig *cfg, const char *arg, GError **errp)
{
    cfg->no_shutdown = true;
    return true;
}

bool opt_serial(VmConfig *cfg, const char *arg, GError **errp)
{
    if (cfg->serials->len >= 4) {
        error_setg(errp, "too many serial ports (at most 4)");
        return false;
    }
    if (!*arg) {
        error_setg(errp, "empty serial device specification");
        return false;
    }
    g_ptr_array_add(cfg->serials, g_strdup(arg));
    cfg->serials_given = true;
    return true;
}

/*
 * -debugcon DEV: QEMU's shorthand for "-chardev <DEV as a legacy spec>,
 * id=debugcon -device isa-debugcon,chardev=debugcon,id=debugcon" (port
 * 0xe9). One at most; "none" gives no device at all.
 */
bool opt_debugcon(VmConfig *cfg, const char *arg, GError **errp)
{
    KeyvalList *kv;

    if (cfg->debugcon) {
        error_setg(errp, "already have a debugcon device");
        return false;
    }
    if (!*arg) {
        error_setg(errp, "empty debugcon device specification");
        return false;
    }
    cfg->debugcon = g_strdup(arg);
    if (!strcmp(arg, "none")) {
        return true;
    }
    kv = cli_opts_parse("isa-debugcon,chardev=debugcon,id=debugcon",
                        "driver", KEYVAL_BARE_FLAGS, errp);
    if (!kv) {
        return false;
    }
    vm_config_set_origin(cfg, kv, "isa-debugcon,chardev=debugcon,"
                         "id=debugcon");
    g_ptr_array_add(cfg->devices, kv);
    return true;
}

bool opt_chardev(VmConfig *cfg, const char *arg, GError **errp)
{
    KeyvalList *kv = keyval_parse(arg, "backend", KEYVAL_BARE_FLAGS, errp);

    if (!kv) {
        return false;
    }
    if (kv->help && !keyval_get(kv, "backend")) {
        cfg->chardev_help = true;
        keyval_free(kv);
        return true;
    }
    if (!keyval_get(kv, "id") || !*keyval_get(kv, "id")) {
        error_setg(errp, "chardev: no id specified");
        keyval_free(kv);
        return false;
    }
    if (!keyval_get(kv, "backend")) {
        error_setg(errp, "chardev: \"%s\" missing backend",
                   keyval_get(kv, "id"));
        keyval_free(kv);
        return false;
    }
    for (guint i = 0; i < cfg->chardevs->len; i++) {
        KeyvalList *other = g_ptr_array_index(cfg->chardevs, i);
        if (!strcmp(keyval_get(other, "id"), keyval_get(kv, "id"))) {
            error_setg(errp, "Duplicate ID '%s' for chardev",
                       keyval_get(kv, "id"));
            keyval_free(kv);
            return false;
        }
    }
    vm_config_set_origin(cfg, kv, arg);
    g_ptr_array_add(cfg->chardevs, kv);
    return true;
}

bool opt_mon(VmConfig *cfg, const char *arg, GError **errp)
{
    static const char *const modes[] = {"readline", "control", NULL};
    g_autoptr(KeyvalList) kv = keyval_parse(arg, "chardev", 0, errp);
    bool pretty = false;

    if (!kv || !opts_check_keys(&cli_group_mon, kv, errp)) {
        return false;
    }
    int mode = keyval_get_enum(kv, "mode", modes, errp);
    if (mode == -2 || !keyval_get_bool(kv, "pretty", &pretty, errp)) {
        return false;
    }
    if (!keyval_get(kv, "chardev")) {
        error_setg(errp, "Parameter 'chardev' is missing");
        return false;
    }
    MonitorSpec *m = g_new0(MonitorSpec, 1);
    m->chardev = g_strdup(keyval_get(kv, "chardev"));
    m->control = mode == 1;
    m->pretty = pretty;
    g_ptr_array_add(cfg->monitors, m);
    return true;
}

static bool add_legacy_monitor(VmConfig *cfg, const char *arg, bool control,
                               bool pretty, GError **errp)
{
    if (!*arg) {
        error_setg(errp, "empty monitor device specification");
        return false;
    }
    LegacyMonitor *m = g_new0(LegacyMonitor, 1);
    m->spec = g_strdup(arg);
    m->control = control;
    m->pretty = pretty;
    g_ptr_array_add(cfg->legacy_monitors, m);
    return true;
}

bool opt_qmp(VmConfig *cfg, const char *arg, GError **errp)
{
    return add_legacy_monitor(cfg, arg, true, false, errp);
}

bool opt_qmp_pretty(VmConfig *cfg, const char *arg, GError **errp)
{
    return add_legacy_monitor(cfg, arg, true, true, errp);
}

bool opt_monitor(VmConfig *cfg, const char *arg, GError **errp)
{
    cfg->monitor_given = true;
    return add_legacy_monitor(cfg, arg, false, false, errp);
}

bool opt_device(VmConfig *cfg, const char *arg, GError **errp)
{
    KeyvalList *kv = cli_opts_parse(arg, "driver", KEYVAL_BARE_FLAGS, errp);

    if (!kv) {
        return false;
    }
    if (!kv->help && !keyval_get(kv, "driver")) {
        error_setg(errp, "Parameter 'driver' is missing");
        keyval_free(kv);
        return false;
    }
    vm_config_set_origin(cfg, kv, arg);
    g_ptr_array_add(cfg->devices, kv);
    return true;
}

bool opt_object(VmConfig *cfg, const char *arg, GError **errp)
{
    KeyvalList *kv = cli_opts_parse(arg, "qom-type", 0, errp);

    if (!kv) {
        return false;
    }
    if (!kv->help && !keyval_get(kv, "qom-type")) {
        error_setg(errp, "Parameter 'qom-type' is missing");
        keyval_free(kv);
        return false;
    }
    if (!kv->help && (!keyval_get(kv, "id") || !*keyval_get(kv, "id"))) {
        error_setg(errp, "Parameter 'id' is missing");
        keyval_free(kv);
        return false;
    }
    vm_config_set_origin(cfg, kv, arg);
    g_ptr_array_add(cfg->objects, kv);
    return true;
}

bool opt_global(VmConfig *cfg, const char *arg, GError **errp)
{
    const char *dot = strchr(arg, '.');
    const char *eq = strchr(arg, '=');

    /* driver.prop=value */
    if (dot && eq && dot < eq && dot > arg && eq > dot + 1) {
        g_ptr_array_add(cfg->globals, g_strdup(arg));
        return true;
    }
    static const char *const keys[] = {"driver", "property", "value", NULL};
    g_autoptr(KeyvalList) kv = keyval_parse(arg, NULL, 0, errp);
    if (!kv) {
        /* a bare word: QEMU's message names it as a parameter */
        g_clear_error(errp);
        error_setg(errp, "Invalid parameter '%s'", arg);
        return false;
    }
    if (!keyval_check_keys(kv, keys, errp)) {
        return false;
    }
    for (int i = 0; keys[i]; i++) {
        if (!keyval_get(kv, keys[i])) {
            error_setg(errp, "Parameter '%s' is missing", keys[i]);
            return false;
        }
    }
    g_ptr_array_add(cfg->globals,
                    g_strdup_printf("%s.%s=%s", keyval_get(kv, "driver"),
                                    keyval_get(kv, "property"),
                                    keyval_get(kv, "value")));
    return true;
}

bool opt_daemonize(VmConfig *cfg, const char *arg, GError **errp)
{
    cfg->daemonize = true;
    return true;
}

bool opt_pidfile(VmConfig *cfg, const char *arg, GError **errp)
{
    set_str(&cfg->pidfile, arg);
    return true;
}

bool opt_D(VmConfig *cfg, const char *arg, GError **errp)
{
    set_str(&cfg->logfile, arg);
    return true;
}

static void print_log_usage(void)
{
    printf("Log items (comma separated):\n");
    for (int i = 0; log_items[i].name; i++) {
        printf("%-15s %s\n", log_items[i].name, log_items[i].help);
    }
    printf("trace:PATTERN   enable trace events\n\n"
           "Use \"-d trace:help\" to get a list of trace events.\n\n");
}

bool opt_d(VmConfig *cfg, const char *arg, GError **errp)
{
    if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
        print_log_usage();
        cli_help_printed = true;
        return true;
    }
    int mask;
    if (!log_parse_items(arg, &mask, errp)) {
        return false;
    }
    set_str(&cfg->log_items, arg);
    return true;
}

bool opt_nodefaults(VmConfig *cfg, const char *arg, GError **errp)
{
    cfg->nodefaults = true;
    return true;
}

bool opt_no_user_config(VmConfig *cfg, const char *arg, GError **errp)
{
    cfg->no_user_config = true;
    return true;
}

bool opt_msg(VmConfig *cfg, const char *arg, GError **errp)
{
    g_autoptr(KeyvalList) kv = keyval_parse(arg, NULL, 0, errp);
    bool guest_name = false;

    if (!kv || !opts_check(&cli_group_msg, kv, errp) ||
        !keyval_get_bool(kv, "timestamp", &cfg->msg_timestamp, errp) ||
        !keyval_get_bool(kv, "guest-name", &guest_name, errp)) {
        return false;
    }
    if (guest_name) {
        error_setg(errp, "'guest-name=on' is not supported by kvmu yet");
        return false;
    }
    error_set_timestamps(cfg->msg_timestamp);
    return true;
}

/* YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, as QEMU's -rtc base= */
static bool rtc_date_valid(const char *s)
{
    int y, mo, d, h, mi, sec, n = 0;

    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
               &n) == 6 &&
        !s[n]) {
        return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 &&
               sec < 60 && y >= 1970;
    }
    n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && !s[n]) {
        return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && y >= 1970;
    }
    return false;
}

bool opt_rtc(VmConfig *cfg, const char *arg, GError **errp)
{
    static const char *const keys[] = {"base", "clock", "driftfix", NULL};
    static const char *const clocks[] = {"host", "rt", "vm", NULL};
    static const char *const drifts[] = {"none", "slew", NULL};
    g_autoptr(KeyvalList) kv = keyval_parse(arg, "base", 0, errp);

    if (!kv || !opts_check_keys(&cli_group_rtc, kv, errp)) {
        return false;
    }
    const char *base = keyval_get(kv, "base");
    if (base && strcmp(base, "utc") && strcmp(base, "localtime") &&
        !rtc_date_valid(base)) {
        error_setg(errp, "invalid datetime format; valid formats: "
                         "'2006-06-17T16:01:21' or '2006-06-17'");
        return false;
    }
    for (int i = 1; i < 3; i++) {
        const char *v = keyval_get(kv, keys[i]);
        const char *const *choices = i == 1 ? clocks : drifts;
        if (v && keyval_get_enum(kv, keys[i], choices, NULL) < 0) {
            error_setg(errp, "invalid option value '%s'", v);
            return false;
        }
    }
    if (base) {
        set_str(&cfg->rtc_base, base);
    }
    if (keyval_get(kv, "clock")) {
        set_str(&cfg->rtc_clock, keyval_get(kv, "clock"));
    }
    if (keyval_get(kv, "driftfix")) {
        set_str(&cfg->rtc_driftfix, keyval_get(kv, "driftfix"));
    }
    return true;
}

static bool boot_devices_valid(const char *devs, GError **errp)
{
    unsigned seen = 0;

    for (const char *c = devs; *c; c++) {
        if (*c < 'a' || *c > 'p') {
            error_setg(errp, "Invalid boot device '%c'", *c);
            return false;
        }
        if (seen & (1u << (*c - 'a'))) {
            error_setg(errp, "Boot device '%c' was given twice", *c);
            return false;
        }
        seen |= 1u << (*c - 'a');
    }
    return true;
}

bool opt_boot(VmConfig *cfg, const char *arg, GError **errp)
{
    static const char *const bools[] = {"menu", "strict", NULL};
    static const char *const ints[] = {"splash-time", "reboot-timeout", NULL};
    g_autoptr(KeyvalList) kv = keyval_parse(arg, "order", 0, errp);
    bool b;
    int64_t v;

    if (!kv || !opts_check_keys(&cli_group_boot, kv, errp)) {
        return false;
    }
    for (int i = 0; bools[i]; i++) {
        const char *s = keyval_get(kv, bools[i]);
        if (s && !parse_bool(s, &b)) {
            error_setg(errp, "Parameter 'boot.%s' expects 'on' or 'off'",
                       bools[i]);
            return false;
        }
    }
    for (int i = 0; ints[i]; i++) {
        const char *s = keyval_get(kv, ints[i]);
        if (s && parse_int64(s, 10, &v) < 0) {
            error_setg(errp, "Parameter 'boot.%s' expects integer", ints[i]);
            return false;
        }
    }
    const char *rt = keyval_get(kv, "reboot-timeout");
    if (rt && parse_int64(rt, 10, &v) == 0 && (v < -1 || v > 0xffff)) {
        error_setg(errp, "reboot timeout is invalid, it should be a value "
                         "between -1 and 65535");
        return false;
    }
    const char *st = keyval_get(kv, "splash-time");
    if (st && parse_int64(st, 10, &v) == 0 && (v < 0 || v > 0xffff)) {
        error_setg(errp, "splash-time is invalid, it should be a value "
                         "between 0 and 65535");
        return false;
    }
    if ((keyval_get(kv, "order") &&
         !boot_devices_valid(keyval_get(kv, "order"), errp)) ||
        (keyval_get(kv, "once") &&
         !boot_devices_valid(keyval_get(kv, "once"), errp))) {
        return false;
    }
    for (guint i = 0; i < kv->pairs->len; i++) {
        KeyvalPair *p = g_ptr_array_index(kv->pairs, i);
        keyval_add(cfg->boot, p->key, p->value);
    }
    return true;
}

/* -option-rom FILE[,bootindex=N]: the board reads and checks the file */
bool opt_option_rom(VmConfig *cfg, const char *arg, GError **errp)
{
    KeyvalList *kv = keyval_parse(arg, "romfile", 0, errp);
    int64_t v;

    if (!kv || !opts_check_keys(&cli_group_option_rom, kv, errp)) {
        keyval_free(kv);
        return false;
    }
    const char *bi = keyval_get(kv, "bootindex");
    if (bi && parse_int64(bi, 10, &v) < 0) {
        error_setg(errp, "Parameter 'bootindex' expects a number");
        keyval_free(kv);
        return false;
    }
    if (!keyval_get(kv, "romfile") || !*keyval_get(kv, "romfile")) {
        error_setg(errp, "Option ROM file is not specified");
        keyval_free(kv);
        return false;
    }
    g_ptr_array_add(cfg->option_roms, kv);
    return true;
}

/* -fw_cfg [name=]NAME,file=FILE|string=STR: read now, added by the board
 * (with a duplicate-name check against its own files) */
bool opt_fw_cfg(VmConfig *cfg, const char *arg, GError **errp)
{
    g_autoptr(KeyvalList) kv = keyval_parse(arg, "name", 0, errp);

    if (!kv || !opts_check_keys(&cli_group_fw_cfg, kv, errp)) {
        return false;
    }
    const char *name = keyval_get(kv, "name");
    const char *file = keyval_get(kv, "file");
    const char *str = keyval_get(kv, "string");
    const char *gen_id = keyval_get(kv, "gen_id");
    if (!name || (!!file + !!str + !!gen_id) != 1) {
        error_setg(errp, "name, plus exactly one of file, string and "
                         "gen_id, are needed");
        return false;
    }
    if (strlen(name) > 55) {
        error_setg(errp, "name too long (max. 55 char)");
        return false;
    }
    if (gen_id) {
        /* no vmgenid object type exists in kvmu yet */
        error_setg(errp, "Cannot find object ID '%s'", gen_id);
        return false;
    }
    if (!g_str_has_prefix(name, "opt/")) {
        error_report("-fw_cfg %s: warning: externally provided fw_cfg item "
                     "names should be prefixed with \"opt/\"", arg);
    }
    FwCfgUserFile *f = g_new0(FwCfgUserFile, 1);
    if (file) {
        gchar *data;
        gsize len;
        GError *err = NULL;
        GStatBuf st;
        /* never read a device or a huge file: an fw_cfg item is < 4 GiB */
        if (g_stat(file, &st) == 0 &&
            (!S_ISREG(st.st_mode) || (uint64_t)st.st_size >= UINT32_MAX)) {
            error_setg(errp, "can't load %s: %s", file,
                       S_ISREG(st.st_mode) ? "file too large for fw_cfg"
                                           : "not a regular file");
            g_free(f);
            return false;
        }
        if (!g_file_get_contents(file, &data, &len, &err)) {
            error_setg(errp, "can't load %s: %s", file, err->message);
            g_error_free(err);
            g_free(f);
            return false;
        }
        f->data = (uint8_t *)data;
        f->len = len;
    } else {
        f->len = strlen(str);
        f->data = g_memdup2(str, f->len);
    }
    f->name = g_strdup(name);
    f->origin = g_strdup(arg);
    g_ptr_array_add(cfg->fw_cfg_files, f);
    return true;
}

bool opt_sandbox(VmConfig *cfg, const char *arg, GError **errp)
{
    g_autoptr(KeyvalList) kv = keyval_parse(arg, "enable", 0, errp);

    if (!kv || !opts_check_keys(&cli_group_sandbox, kv, errp)) {
        return false;
    }
    if (!keyval_get(kv, "enable")) {
        error_setg(errp, "Parameter 'enable' is missing");
        return false;
    }
    if (!keyval_get_bool(kv, "enable", &cfg->sandbox, errp)) {
        return false;
    }
    return sandbox_parse_flags(kv, &cfg->sandbox_flags, errp);
}

bool opt_overcommit(VmConfig *cfg, const char *arg, GError **errp)
{
    g_autoptr(KeyvalList) kv = keyval_parse(arg, NULL, 0, errp);

    return kv && opts_check(&cli_group_overcommit, kv, errp) &&
           keyval_get_bool(kv, "mem-lock", &cfg->mem_lock, errp) &&
           keyval_get_bool(kv, "cpu-pm", &cfg->cpu_pm, errp);
}

bool opt_mem_path(VmConfig *cfg, const char *arg, GError **errp)
{
    if (!*arg) {
        error_setg(errp, "empty -mem-path");
        return false;
    }
    g_free(cfg->mem_path);
    cfg->mem_path = g_strdup(arg);
    return true;
}

bool opt_mem_prealloc(VmConfig *cfg, const char *arg, GError **errp)
{
    cfg->mem_prealloc = true;
    return true;
}

/* the legacy spelling of -machine hpet=off */
bool opt_no_hpet(VmConfig *cfg, const char *arg, GError **errp)
{
    keyval_add(cfg->machine, "hpet", "off");
    return true;
}

/* -vga none asks for what the board is (no display device yet); a video
 * card is refused until kvmu has one */
bool opt_vga(VmConfig *cfg, const char *arg, GError **errp)
{
    static const char *const cards[] = { "std", "cirrus", "vmware", "qxl",
                                         "xenfb", "tcx", "cg3", "virtio",
                                         "ati", "bochs-display", NULL };

    if (!strcmp(arg, "none")) {
        return true;
    }
    for (int i = 0; cards[i]; i++) {
        if (!strcmp(arg, cards[i])) {
            error_setg(errp, "a %s video card is not supported by kvmu yet "
                       "(-vga none is)", arg);
            return false;
        }
    }
    error_setg(errp, "unknown vga type: %s", arg);
    return false;
}

/* index of @v in the NULL-terminated @names, or -1 with QEMU's error */
static int action_index(const char *key, const char *v,
                        const char *const *names, GError **errp)
{
    for (int i = 0; names[i]; i++) {
        if (!strcmp(v, names[i])) {
            return i;
        }
    }
    error_setg(errp, "Parameter '%s' does not accept value '%s'", key, v);
    return -1;
}

static const char *const watchdog_actions[] = {
    "reset", "shutdown", "poweroff", "pause", "debug", "none", "inject-nmi",
    NULL
};

/* -watchdog-action A: the legacy spelling of -action watchdog=A */
bool opt_watchdog_action(VmConfig *cfg, const char *arg, GError **errp)
{
    for (int i = 0; watchdog_actions[i]; i++) {
        if (!strcmp(arg, watchdog_actions[i])) {
            cfg->watchdog_action = i;
            return true;
        }
    }
    error_setg(errp, "Parameter 'watchdog-action' does not accept value "
               "'%s'", arg);
    return false;
}

/* -action: applied in command-line order with -no-reboot/-no-shutdown
 * (reboot=shutdown is -no-reboot, shutdown=pause -no-shutdown) */
bool opt_action(VmConfig *cfg, const char *arg, GError **errp)
{
    static const char *const reboot[] = { "reset", "shutdown", NULL };
    static const char *const shutdown[] = { "poweroff", "pause", NULL };
    static const char *const panic[] = { "pause", "shutdown",
                                         "exit-failure", "none", NULL };
    g_autoptr(KeyvalList) kv = keyval_parse(arg, NULL, 0, errp);

    if (!kv) {
        return false;
    }
    for (guint i = 0; i < kv->pairs->len; i++) {
        KeyvalPair *p = g_ptr_array_index(kv->pairs, i);
        int v;
        if (!strcmp(p->key, "reboot")) {
            if ((v = action_index(p->key, p->value, reboot, errp)) < 0) {
                return false;
            }
            cfg->no_reboot = v == 1;
        } else if (!strcmp(p->key, "shutdown")) {
            if ((v = action_index(p->key, p->value, shutdown, errp)) < 0) {
                return false;
            }
            cfg->no_shutdown = v == 1;
        } else if (!strcmp(p->key, "panic")) {
            if ((cfg->panic_action = action_index(p->key, p->value, panic,
                                                  errp)) < 0) {
                return false;
            }
        } else if (!strcmp(p->key, "watchdog")) {
            if ((cfg->watchdog_action = action_index(
                     p->key, p->value, watchdog_actions, errp)) < 0) {
                return false;
            }
        } else {
            error_setg(errp, "Invalid parameter '%s'", p->key);
            return false;
        }
    }
    return true;
}
