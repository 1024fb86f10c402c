/*
 * Handlers for the machine-shaping options: -machine, -accel, -enable-kvm,
 * -m, -smp, -cpu. Syntax and value checks here; the cross-option checks
 * (topology, maxmem, accel conflicts) are in config.c.
 */
#include "cli/machine.h"
#include "cli/options.h"
#include "util/cutils.h"
#include "util/error.h"
#if CLI_HAVE_ACCEL
#include "target/i386/cpu.h"
#endif

#include <string.h>

static const char *const machine_onoffauto_keys[] = {"vmport", "smm", "acpi",
                                                     "pic", NULL};

static bool in_list(const char *key, const char *const *list)
{
    for (int i = 0; list[i]; i++) {
        if (!strcmp(key, list[i])) {
            return true;
        }
    }
    return false;
}

static bool check_machine_key(const char *key, const char *value, GError **errp)
{
    const OptParam *p = opts_group_param(&cli_group_machine, key);
    bool b;
    uint64_t u;

    if (!p) {
        error_setg(errp, "Invalid parameter '%s'", key);
        return false;
    }
    switch (p->type) {
    case OPT_TYPE_BOOL:
        if (!parse_bool(value, &b)) {
            error_setg(errp, "Parameter '%s' expects 'on' or 'off'", key);
            return false;
        }
        return true;
    case OPT_TYPE_SIZE:
        if (parse_size(value, 1, &u) < 0) {
            error_setg(errp,
                       "Parameter '%s' expects a non-negative number "
                       "below 2^64",
                       key);
            return false;
        }
        return true;
    default:
        break;
    }
    if ((in_list(key, machine_onoffauto_keys) && strcmp(value, "auto") &&
         !parse_bool(value, &b)) ||
        (!strcmp(key, "kernel-irqchip") && strcmp(value, "split") &&
         !parse_bool(value, &b))) {
        error_setg(errp, "Parameter '%s' does not accept value '%s'", key,
                   value);
        return false;
    }
    return true;
}

bool opt_machine(VmConfig *cfg, const char *arg, GError **errp)
{
    g_autoptr(KeyvalList) kv =
        keyval_parse(arg, "type", KEYVAL_BARE_FLAGS, errp);
    if (!kv) {
        return false;
    }
    const char *type = keyval_get(kv, "type");
    if (kv->help && !type) {
        machine_type_print_list(stdout);
        cli_help_printed = true;
        return true;
    }
    if (kv->help) {
        printf("%s-machine options:\n", type);
        for (const OptParam *p = cli_group_machine.params; p->name; p++) {
            printf("  %s=<%s>%s%s\n", p->name, opt_type_name(p->type),
                   p->help ? " - " : "", p->help ? p->help : "");
        }
        cli_help_printed = true;
        return true;
    }
    for (guint i = 0; i < kv->pairs->len; i++) {
        KeyvalPair *p = g_ptr_array_index(kv->pairs, i);
        if (!check_machine_key(p->key, p->value, errp)) {
            return false;
        }
        keyval_add(cfg->machine, p->key, p->value);
    }
    return true;
}

static bool accel_name_valid(const char *name)
{
    return !strcmp(name, "kvm") || !strcmp(name, "tcg") ||
           !strcmp(name, "qtest");
}

static bool add_accels(VmConfig *cfg, const char *list, GError **errp)
{
    g_auto(GStrv) names = g_strsplit(list, ":", -1);

    for (int i = 0; names[i]; i++) {
        if (!accel_name_valid(names[i])) {
            error_setg(errp, "invalid accelerator %s", names[i]);
            return false;
        }
        g_ptr_array_add(cfg->accels, g_strdup(names[i]));
    }
    return true;
}

bool opt_accel(VmConfig *cfg, const char *arg, GError **errp)
{
    static const char *const kvm_keys[] = {"accel",
                                           "kernel-irqchip",
                                           "kvm-shadow-mem",
                                           "dirty-ring-size",
                                           "notify-vmexit",
                                           "notify-window",
                                           NULL};
    static const char *const tcg_keys[] = {
        "accel", "thread", "tb-size", "split-wx", "one-insn-per-tb", NULL};
    static const char *const qtest_keys[] = {"accel", NULL};
    g_autoptr(KeyvalList) kv = keyval_parse(arg, "accel", 0, errp);

    if (!kv) {
        return false;
    }
    const char *name = keyval_get(kv, "accel");
    if (kv->help) {
        printf("Accelerators supported in QEMU binary:\ntcg\nkvm\n");
        cli_help_printed = true;
        return true;
    }
    if (!name) {
        error_setg(errp, "Parameter 'accel' is missing");
        return false;
    }
    if (!accel_name_valid(name)) {
        error_setg(errp, "invalid accelerator %s", name);
        return false;
    }
    const char *const *keys = !strcmp(name, "kvm")   ? kvm_keys
                              : !strcmp(name, "tcg") ? tcg_keys
                                                     : qtest_keys;
    for (guint i = 0; i < kv->pairs->len; i++) {
        KeyvalPair *p = g_ptr_array_index(kv->pairs, i);
        if (!in_list(p->key, keys)) {
            error_setg(errp, "Property '%s-accel.%s' not found", name, p->key);
            return false;
        }
    }
    const char *thread = keyval_get(kv, "thread");
    if (thread && strcmp(thread, "single") && strcmp(thread, "multi")) {
        error_setg(errp, "Invalid 'thread' setting %s", thread);
        return false;
    }
    uint64_t u;
    if (!keyval_get_uint(kv, "tb-size", &u, errp) ||
        !keyval_get_size(kv, "kvm-shadow-mem", &u, errp) ||
        !keyval_get_uint(kv, "dirty-ring-size", &u, errp)) {
        return false;
    }
    const char *irqchip = keyval_get(kv, "kernel-irqchip");
    bool b;
    if (irqchip && strcmp(irqchip, "split") && !parse_bool(irqchip, &b)) {
        error_setg(errp,
                   "Parameter 'kernel-irqchip' does not accept value "
                   "'%s'",
                   irqchip);
        return false;
    }
    if (irqchip) {
        keyval_add(cfg->machine, "kernel-irqchip", irqchip);
    }
    cfg->accel_from_option = true;
    g_ptr_array_add(cfg->accels, g_strdup(name));
    return true;
}

bool opt_enable_kvm(VmConfig *cfg, const char *arg, GError **errp)
{
    cfg->accel_from_option = true;
    return add_accels(cfg, "kvm", errp);
}

bool cli_machine_accels(VmConfig *cfg, const char *list, GError **errp)
{
    cfg->accel_from_machine = true;
    return add_accels(cfg, list, errp);
}

bool opt_m(VmConfig *cfg, const char *arg, GError **errp)
{
    g_autoptr(KeyvalList) kv = keyval_parse(arg, "size", 0, errp);

    if (!kv || !opts_check_keys(&cli_group_memory, kv, errp)) {
        return false;
    }
    const char *size = keyval_get(kv, "size");
    if (size) {
        uint64_t sz;
        if (!*size) {
            error_setg(errp, "missing 'size' option value");
            return false;
        }
        /* a bare number is MiB, as QEMU's legacy -m */
        if (parse_size(size, 1 << 20, &sz) < 0) {
            error_setg(errp, "Parameter 'size' expects a non-negative number "
                             "below 2^64");
            return false;
        }
        if (sz > UINT64_MAX - 8191) {
            error_setg(errp, "ram size too large");
            return false;
        }
        cfg->ram_size = (sz + 8191) & ~(uint64_t)8191;
        cfg->ram_size_given = true;
    }
    if (!keyval_get_uint(kv, "slots", &cfg->slots, errp) ||
        !keyval_get_size(kv, "maxmem", &cfg->maxmem, errp)) {
        return false;
    }
    return true;
}

bool opt_smp(VmConfig *cfg, const char *arg, GError **errp)
{
    g_autoptr(KeyvalList) kv = keyval_parse(arg, "cpus", 0, errp);

    return kv && smp_parse(kv, &cfg->smp, errp);
}

#if CLI_HAVE_ACCEL
static gint cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* QEMU's "Recognized CPUID flags:" list, sorted, wrapped at 75 columns. */
static void print_cpu_flags(void)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    int nwords, col = 0;
    const X86FeatureWord *w = x86_cpu_feature_words(&nwords);

    for (int i = 0; i < nwords; i++) {
        for (int b = 0; b < 32; b++) {
            const char *n = w[i].names[b];
            bool dup = false;
            for (guint j = 0; n && j < names->len; j++) {
                dup |= !strcmp(g_ptr_array_index(names, j), n);
            }
            if (n && !dup) {
                g_ptr_array_add(names, (gpointer)n);
            }
        }
    }
    g_ptr_array_sort(names, cmp_str);
    printf("\nRecognized CPUID flags:\n");
    for (guint j = 0; j < names->len; j++) {
        const char *n = g_ptr_array_index(names, j);
        if (col && col + 1 + (int)strlen(n) > 75) {
            printf("\n");
            col = 0;
        }
        col += printf("%s%s", col ? " " : "  ", n);
    }
    printf("\n");
}
#endif

/* -cpu model[,+feat][,-feat][,feat=value][,feat] */
bool opt_cpu(VmConfig *cfg, const char *arg, GError **errp)
{
    g_auto(GStrv) parts = g_strsplit(arg, ",", -1);

    if (!parts[0] || !*parts[0]) {
        error_setg(errp, "CPU model name is missing");
        return false;
    }
    if (!strcmp(parts[0], "help") || !strcmp(parts[0], "?")) {
        printf("Available CPUs:\n");
#if CLI_HAVE_ACCEL
        /* the models the x86 engine offers (target/i386/cpu.h) */
        for (const char *const *m = x86_cpu_model_names(); *m; m++) {
            const char *desc = x86_cpu_model_description(*m);
            printf("x86 %-22s%s\n", *m, desc ? desc : "");
        }
        print_cpu_flags();
#else
        printf("x86 qemu64\nx86 max\n");
#endif
        cli_help_printed = true;
        return true;
    }
    g_free(cfg->cpu_model);
    cfg->cpu_model = g_strdup(parts[0]);
    keyval_free(cfg->cpu_features);
    cfg->cpu_features = keyval_new();
    for (int i = 1; parts[i]; i++) {
        const char *f = parts[i];
        const char *eq = strchr(f, '=');
        if (!*f) {
            continue;
        }
        if (f[0] == '+' || f[0] == '-') {
            if (!f[1] || eq) {
                error_setg(errp, "Invalid CPU feature '%s'", f);
                return false;
            }
            keyval_add(cfg->cpu_features, f + 1, f[0] == '+' ? "on" : "off");
        } else if (eq) {
            g_autofree char *k = g_strndup(f, eq - f);
            if (!*k) {
                error_setg(errp, "Invalid CPU feature '%s'", f);
                return false;
            }
            keyval_add(cfg->cpu_features, k, eq + 1);
        } else {
            keyval_add(cfg->cpu_features, f, "on");
        }
    }
    return true;
}
