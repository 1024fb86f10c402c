/*
 * HMP commands about devices and diagnostics: info lapic, info pic (the
 * 8259s and the IOAPIC), sendkey and QMP send-key (PS/2 set-2 scancodes
 * into the i8042, keys released after hold_ms; QEMU key numbers map to
 * names through key_nums), log and logfile (util/log.h).
 * Devices are looked up in the QOM tree by type, so without a board
 * (-machine none, unit tests) the commands say what is missing.
 */
#include "monitor-internal.h"
#include "hmp.h"
#include "hw/input/i8042.h"
#include "hw/intc/apic.h"
#include "hw/intc/i8259.h"
#include "hw/intc/ioapic.h"
#include "qom/object.h"
#include "system/timer.h"
#include "util/cutils.h"
#include "util/log.h"
#include "util/error.h"
#include "qapi/qapi-commands.h"

#include <inttypes.h>
#include <string.h>

typedef struct {
    const char *type;
    Object *found;
} FindCtx;

static int find_child(Object *obj, void *opaque)
{
    FindCtx *f = opaque;

    if (f->found) {
        return 1;
    }
    if (object_dynamic_cast(obj, f->type)) {
        f->found = obj;
        return 1;
    }
    return object_child_foreach(obj, find_child, f);
}

/* The first object of type under /machine, or NULL. */
static Object *find_device(const char *type)
{
    Object *machine = object_resolve_path("/machine", NULL);
    FindCtx f = { type, NULL };

    if (machine) {
        object_child_foreach(machine, find_child, &f);
    }
    return f.found;
}

void hmp_info_lapic(Monitor *mon, char **argv)
{
    uint64_t idx = mon->cpu_index;
    APICState *apic;
    GString *out;

    if (argv[0] && parse_uint64(argv[0], 0, &idx) < 0) {
        monitor_puts(mon, "info lapic: usage: info lapic [apic-id]\n");
        return;
    }
    apic = idx <= APIC_MAX_CPUS ? apic_by_index((uint32_t)idx) : NULL;
    if (!apic) {
        monitor_puts(mon, "local apic state not available\n");
        return;
    }
    out = g_string_new(NULL);
    apic_info(apic, out);
    monitor_puts(mon, out->str);
    g_string_free(out, TRUE);
}

void hmp_info_irq(Monitor *mon, char **argv)
{
    GString *out = g_string_new(NULL);
    if (find_device(TYPE_I8259)) {
        i8259_irq_stats(out);
    }
    ioapic_irq_stats(out);
    monitor_puts(mon, out->len ? out->str
                               : "no interrupt controller in this machine\n");
    g_string_free(out, TRUE);
}

void hmp_info_pic(Monitor *mon, char **argv)
{
    GString *out = g_string_new(NULL);
    Object *ioapic = find_device(TYPE_IOAPIC);

    i8259_info(out);
    if (ioapic) {
        ioapic_info(DEVICE(ioapic), out);
    }
    monitor_puts(mon, out->len ? out->str : "PIC not present\n");
    g_string_free(out, TRUE);
}

/* ---- sendkey ---- */

typedef struct {
    const char *name;
    uint8_t code;       /* set 2 make code */
    bool ext;           /* E0 prefix */
} KeyDef;

/* QEMU key numbers (XT set 1 scancodes, 0x80 | code for E0 keys) of the
 * keys above, for QMP send-key's {"type": "number"}. */
typedef struct {
    const char *name;
    uint8_t qnum;
} KeyNum;

static const KeyDef keys[] = {
    { "esc", 0x76 }, { "1", 0x16 }, { "2", 0x1e }, { "3", 0x26 },
    { "4", 0x25 }, { "5", 0x2e }, { "6", 0x36 }, { "7", 0x3d },
    { "8", 0x3e }, { "9", 0x46 }, { "0", 0x45 }, { "minus", 0x4e },
    { "equal", 0x55 }, { "backspace", 0x66 }, { "tab", 0x0d },
    { "q", 0x15 }, { "w", 0x1d }, { "e", 0x24 }, { "r", 0x2d },
    { "t", 0x2c }, { "y", 0x35 }, { "u", 0x3c }, { "i", 0x43 },
    { "o", 0x44 }, { "p", 0x4d }, { "bracket_left", 0x54 },
    { "bracket_right", 0x5b }, { "ret", 0x5a }, { "ctrl", 0x14 },
    { "a", 0x1c }, { "s", 0x1b }, { "d", 0x23 }, { "f", 0x2b },
    { "g", 0x34 }, { "h", 0x33 }, { "j", 0x3b }, { "k", 0x42 },
    { "l", 0x4b }, { "semicolon", 0x4c }, { "apostrophe", 0x52 },
    { "grave_accent", 0x0e }, { "shift", 0x12 }, { "backslash", 0x5d },
    { "z", 0x1a }, { "x", 0x22 }, { "c", 0x21 }, { "v", 0x2a },
    { "b", 0x32 }, { "n", 0x31 }, { "m", 0x3a }, { "comma", 0x41 },
    { "dot", 0x49 }, { "slash", 0x4a }, { "shift_r", 0x59 },
    { "asterisk", 0x7c }, { "kp_multiply", 0x7c }, { "alt", 0x11 },
    { "spc", 0x29 }, { "caps_lock", 0x58 }, { "f1", 0x05 },
    { "f2", 0x06 }, { "f3", 0x04 }, { "f4", 0x0c }, { "f5", 0x03 },
    { "f6", 0x0b }, { "f7", 0x83 }, { "f8", 0x0a }, { "f9", 0x01 },
    { "f10", 0x09 }, { "f11", 0x78 }, { "f12", 0x07 },
    { "num_lock", 0x77 }, { "scroll_lock", 0x7e }, { "kp_7", 0x6c },
    { "kp_8", 0x75 }, { "kp_9", 0x7d }, { "kp_subtract", 0x7b },
    { "kp_4", 0x6b }, { "kp_5", 0x73 }, { "kp_6", 0x74 },
    { "kp_add", 0x79 }, { "kp_1", 0x69 }, { "kp_2", 0x72 },
    { "kp_3", 0x7a }, { "kp_0", 0x70 }, { "kp_decimal", 0x71 },
    { "less", 0x61 },
    { "ctrl_r", 0x14, true }, { "alt_r", 0x11, true },
    { "altgr", 0x11, true }, { "kp_enter", 0x5a, true },
    { "kp_divide", 0x4a, true }, { "home", 0x6c, true },
    { "up", 0x75, true }, { "pgup", 0x7d, true }, { "left", 0x6b, true },
    { "right", 0x74, true }, { "end", 0x69, true }, { "down", 0x72, true },
    { "pgdn", 0x7a, true }, { "insert", 0x70, true },
    { "delete", 0x71, true }, { "meta_l", 0x1f, true },
    { "meta_r", 0x27, true }, { "menu", 0x2f, true },
};

static const KeyNum key_nums[] = {
    { "esc", 0x01 }, { "1", 0x02 }, { "2", 0x03 }, { "3", 0x04 },
    { "4", 0x05 }, { "5", 0x06 }, { "6", 0x07 }, { "7", 0x08 },
    { "8", 0x09 }, { "9", 0x0a }, { "0", 0x0b }, { "minus", 0x0c },
    { "equal", 0x0d }, { "backspace", 0x0e }, { "tab", 0x0f },
    { "q", 0x10 }, { "w", 0x11 }, { "e", 0x12 }, { "r", 0x13 },
    { "t", 0x14 }, { "y", 0x15 }, { "u", 0x16 }, { "i", 0x17 },
    { "o", 0x18 }, { "p", 0x19 }, { "bracket_left", 0x1a },
    { "bracket_right", 0x1b }, { "ret", 0x1c }, { "ctrl", 0x1d },
    { "a", 0x1e }, { "s", 0x1f }, { "d", 0x20 }, { "f", 0x21 },
    { "g", 0x22 }, { "h", 0x23 }, { "j", 0x24 }, { "k", 0x25 },
    { "l", 0x26 }, { "semicolon", 0x27 }, { "apostrophe", 0x28 },
    { "grave_accent", 0x29 }, { "shift", 0x2a }, { "backslash", 0x2b },
    { "z", 0x2c }, { "x", 0x2d }, { "c", 0x2e }, { "v", 0x2f },
    { "b", 0x30 }, { "n", 0x31 }, { "m", 0x32 }, { "comma", 0x33 },
    { "dot", 0x34 }, { "slash", 0x35 }, { "shift_r", 0x36 },
    { "kp_multiply", 0x37 }, { "alt", 0x38 }, { "spc", 0x39 },
    { "caps_lock", 0x3a }, { "f1", 0x3b }, { "f2", 0x3c }, { "f3", 0x3d },
    { "f4", 0x3e }, { "f5", 0x3f }, { "f6", 0x40 }, { "f7", 0x41 },
    { "f8", 0x42 }, { "f9", 0x43 }, { "f10", 0x44 }, { "num_lock", 0x45 },
    { "scroll_lock", 0x46 }, { "kp_7", 0x47 }, { "kp_8", 0x48 },
    { "kp_9", 0x49 }, { "kp_subtract", 0x4a }, { "kp_4", 0x4b },
    { "kp_5", 0x4c }, { "kp_6", 0x4d }, { "kp_add", 0x4e },
    { "kp_1", 0x4f }, { "kp_2", 0x50 }, { "kp_3", 0x51 }, { "kp_0", 0x52 },
    { "kp_decimal", 0x53 }, { "less", 0x56 }, { "f11", 0x57 },
    { "f12", 0x58 }, { "kp_enter", 0x9c }, { "ctrl_r", 0x9d },
    { "kp_divide", 0xb5 }, { "alt_r", 0xb8 }, { "home", 0xc7 },
    { "up", 0xc8 }, { "pgup", 0xc9 }, { "left", 0xcb }, { "right", 0xcd },
    { "end", 0xcf }, { "down", 0xd0 }, { "pgdn", 0xd1 },
    { "insert", 0xd2 }, { "delete", 0xd3 }, { "meta_l", 0xdb },
    { "meta_r", 0xdc }, { "menu", 0xdd },
};

/* The key name for a QEMU key number, or NULL. */
const char *hmp_key_name_of_qnum(int64_t qnum)
{
    for (size_t i = 0; i < G_N_ELEMENTS(key_nums); i++) {
        if (key_nums[i].qnum == qnum) {
            return key_nums[i].name;
        }
    }
    return NULL;
}

static const KeyDef *key_find(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        if (!g_ascii_strcasecmp(keys[i].name, name)) {
            return &keys[i];
        }
    }
    return NULL;
}

#define SENDKEY_MAX 16

/* Scancode bytes of "ctrl-alt-delete": make codes in order (release
 * false) or break codes in reverse (release true). Returns the key
 * count, or -1 with the unknown key name in *bad. */
int hmp_sendkey_encode(const char *combo, bool release, GByteArray *out,
                       char **bad)
{
    char **names = g_strsplit(combo, "-", 0);
    const KeyDef *k[SENDKEY_MAX];
    int n = 0;

    *bad = NULL;
    for (char **p = names; *p; p++) {
        const KeyDef *d = **p ? key_find(*p) : NULL;
        if (!d || n == SENDKEY_MAX) {
            *bad = g_strdup(*p);
            g_strfreev(names);
            return -1;
        }
        k[n++] = d;
    }
    g_strfreev(names);
    if (n == 0) {
        *bad = g_strdup(combo);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        const KeyDef *d = release ? k[n - 1 - i] : k[i];
        if (d->ext) {
            g_byte_array_append(out, (const uint8_t *)"\xe0", 1);
        }
        if (release) {
            g_byte_array_append(out, (const uint8_t *)"\xf0", 1);
        }
        g_byte_array_append(out, &d->code, 1);
    }
    return n;
}

static struct {
    QEMUTimer *timer;
    GByteArray *release;
    DeviceState *kbd;
} sendkey_state;

static void sendkey_release(void *opaque)
{
    if (sendkey_state.release && sendkey_state.release->len) {
        i8042_put_kbd_bytes(sendkey_state.kbd, sendkey_state.release->data,
                            sendkey_state.release->len);
        g_byte_array_set_size(sendkey_state.release, 0);
    }
}

/* Press combo now, release it after hold_ms (QMP send-key, HMP sendkey). */
bool monitor_send_keys(const char *combo, int64_t hold_ms, GError **errp)
{
    char *bad;
    Object *kbd = find_device(TYPE_I8042);

    if (!kbd) {
        error_setg(errp, "no keyboard (i8042) on this machine");
        return false;
    }
    if (hold_ms < 0 || hold_ms > 60000) {
        error_setg(errp, "hold time %" PRId64 " ms out of range (0-60000)",
                   hold_ms);
        return false;
    }
    GByteArray *press = g_byte_array_new();
    if (hmp_sendkey_encode(combo, false, press, &bad) < 0) {
        error_setg(errp, "unknown key: '%s'", bad);
        g_free(bad);
        g_byte_array_free(press, TRUE);
        return false;
    }
    /* a previous combination still held: release it first */
    if (sendkey_state.timer) {
        timer_del(sendkey_state.timer);
        sendkey_release(NULL);
    } else {
        sendkey_state.timer = timer_new_ms(QEMU_CLOCK_REALTIME,
                                           sendkey_release, NULL);
        sendkey_state.release = g_byte_array_new();
    }
    sendkey_state.kbd = DEVICE(kbd);
    hmp_sendkey_encode(combo, true, sendkey_state.release, &bad);
    i8042_put_kbd_bytes(DEVICE(kbd), press->data, press->len);
    g_byte_array_free(press, TRUE);
    timer_mod(sendkey_state.timer, clock_get_ms(QEMU_CLOCK_REALTIME) + hold_ms);
    return true;
}

void hmp_sendkey(Monitor *mon, char **argv)
{
    uint64_t hold = 100;
    GError *err = NULL;

    if (!argv[0] || (argv[1] && parse_uint64(argv[1], 0, &hold) < 0) ||
        hold > 60000) {
        monitor_puts(mon, "sendkey: usage: sendkey keys [hold_ms]\n");
        return;
    }
    if (!monitor_send_keys(argv[0], (int64_t)hold, &err)) {
        if (g_str_has_prefix(err->message, "unknown key")) {
            monitor_printf(mon, "%s\n", err->message);
        } else {
            monitor_printf(mon, "Error: %s\n", err->message);
        }
        g_error_free(err);
    }
}

void qmp_send_key(KeyValueList *keys, bool has_hold_time, int64_t hold_time,
                  GError **errp)
{
    GString *combo = g_string_new(NULL);

    for (KeyValueList *k = keys; k; k = k->next) {
        const char *name = NULL;
        if (k->value->type == KEY_VALUE_KIND_QCODE) {
            name = QKeyCode_str(k->value->u.qcode.data);
            if (!key_find(name)) {
                error_setg(errp, "key '%s' is not supported by kvmu's "
                           "keyboard", name);
                g_string_free(combo, TRUE);
                return;
            }
        } else {
            name = hmp_key_name_of_qnum(k->value->u.number.data);
            if (!name) {
                error_setg(errp, "key number 0x%" PRIx64 " is not supported "
                           "by kvmu's keyboard",
                           (uint64_t)k->value->u.number.data);
                g_string_free(combo, TRUE);
                return;
            }
        }
        g_string_append_printf(combo, "%s%s", combo->len ? "-" : "", name);
    }
    if (!combo->len) {
        error_setg(errp, "Parameter 'keys' is missing keys");
        g_string_free(combo, TRUE);
        return;
    }
    monitor_send_keys(combo->str, has_hold_time ? hold_time : 100, errp);
    g_string_free(combo, TRUE);
}

/* ---- log / logfile ---- */

void hmp_log(Monitor *mon, char **argv)
{
    GError *err = NULL;
    int mask = 0;

    if (!argv[0]) {
        monitor_puts(mon, "log: usage: log item1[,...] (or none; see "
                     "'log help')\n");
        return;
    }
    if (!strcmp(argv[0], "help") || !strcmp(argv[0], "?")) {
        monitor_puts(mon, "Log items (comma separated):\n");
        for (const LogItem *it = log_items; it->name; it++) {
            monitor_printf(mon, "%-15s %s\n", it->name, it->help);
        }
        return;
    }
    if (strcmp(argv[0], "none") &&
        !log_parse_items(argv[0], &mask, &err)) {
        monitor_printf(mon, "Error: %s\n", err->message);
        g_error_free(err);
        return;
    }
    log_set_mask(mask);
}

void hmp_logfile(Monitor *mon, char **argv)
{
    GError *err = NULL;

    if (!argv[0]) {
        monitor_puts(mon, "logfile: usage: logfile filename\n");
        return;
    }
    if (!log_set_file(argv[0], &err)) {
        monitor_printf(mon, "Error: %s\n", err->message);
        g_error_free(err);
    }
}
