/*
 * The -machine keys the pc board interprets. The command line has
 * type-checked them; here each is either acted on or refused with a clear
 * error, so nothing a user asks for is silently ignored. Values that ask
 * for what the board already is (usb=off, vmport=off, smm=off, ...) are
 * accepted; values that ask for a feature kvmu does not have are refused.
 */
#include "hw/i386/pc.h"
#include "util/cutils.h"
#include "util/error.h"

#include <string.h>

/* on|off|auto keys whose "on" asks for hardware the board lacks */
static const char *const absent_when_on[] = { "vmport", "smm", NULL };
/* bool keys whose "on" asks for hardware the board lacks */
static const char *const absent_bools[] = { "usb", "sata", "smbus", "nvdimm",
                                            "hmat", NULL };
/* on|off|auto keys whose "off" would remove hardware the board needs */
static const char *const needed_onoffauto[] = { "acpi", "pic", NULL };
/* bool keys whose "off" would remove hardware the board needs */
static const char *const needed_bools[] = { "pit", "i8042", NULL };
/* accepted, with no effect on this board by design */
static const char *const harmless[] = { "graphics", "suppress-vmdesc",
                                        "mem-merge", "dump-guest-core",
                                        "default-bus-bypass-iommu",
                                        "fd-bootchk", NULL };

static bool in_list(const char *const *list, const char *key)
{
    for (int i = 0; list[i]; i++) {
        if (!strcmp(list[i], key)) {
            return true;
        }
    }
    return false;
}

static bool value_is(const char *value, bool want)
{
    bool b;
    return parse_bool(value, &b) && b == want;
}

bool pc_parse_machine_props(const MachineOptions *o, PCMachineProps *p,
                            GError **errp)
{
    p->kernel_decompress = true;
    p->hpet = true;

    if (o->kernel_irqchip && strcmp(o->kernel_irqchip, "off") &&
        o->accel && !strcmp(o->accel, "kvm")) {
        error_setg(errp, "-machine kernel-irqchip=%s: the pc board has only "
                   "kvmu's userspace irqchip so far; use kernel-irqchip=off",
                   o->kernel_irqchip);
        return false;
    }
    for (guint i = 0; o->props && i < o->props->pairs->len; i++) {
        KeyvalPair *kv = g_ptr_array_index(o->props->pairs, i);
        const char *k = kv->key, *v = kv->value;
        bool refuse = false;

        if (!strcmp(k, "kernel-decompress")) {
            refuse = !parse_bool(v, &p->kernel_decompress);
        } else if (!strcmp(k, "hpet")) {
            refuse = !parse_bool(v, &p->hpet);
        } else if (in_list(absent_when_on, k) || in_list(absent_bools, k)) {
            refuse = !strcmp(v, "on") || value_is(v, true);
        } else if (in_list(needed_onoffauto, k) || in_list(needed_bools, k)) {
            refuse = !strcmp(v, "off") || value_is(v, false);
        } else if (!in_list(harmless, k)) {
            refuse = true;
        }
        if (refuse) {
            error_setg(errp, "-machine %s=%s: not supported by kvmu's pc "
                       "board yet", k, v);
            return false;
        }
    }
    return true;
}
