/*
 * HMP commands that look at guest memory and devices: xp (physical
 * memory dump, QEMU's /fmt syntax), x (the same through the monitor's
 * CPU's page tables), both with /i (disas/x86.c) and $register
 * addresses, gpa2hva, info mtree, device_add.
 */
#include "monitor-internal.h"
#include "hmp.h"
#include "memory/memory.h"
#include "util/keyval.h"
#include "util/cutils.h"
#include "accel/kvm.h"
#include "disas/x86.h"

#include <inttypes.h>
#include <string.h>

void qmp_marshal_device_add(QDict *args, QObject **ret, GError **errp);

/* The accelerator is linked by the emulator binary, not the monitor
 * library: without it (unit tests) there is no CPU. */
extern KvmState *kvm_state(void) __attribute__((weak));
extern unsigned kvm_cpu_count(KvmState *s) __attribute__((weak));
extern KvmCpu *kvm_cpu_by_index(KvmState *s, uint32_t index)
    __attribute__((weak));
extern bool kvm_cpu_get_state(KvmCpu *cpu, KvmCpuState *st, GError **errp)
    __attribute__((weak));

/* The monitor's CPU's registers (g_free), or NULL without a CPU. */
static KvmCpuState *cpu_state(Monitor *mon)
{
    KvmState *s = kvm_state ? kvm_state() : NULL;
    unsigned n = s && kvm_cpu_count ? kvm_cpu_count(s) : 0;
    KvmCpuState *st;

    if (!n || !kvm_cpu_by_index || !kvm_cpu_get_state) {
        return NULL;
    }
    st = g_new0(KvmCpuState, 1);
    if (!kvm_cpu_get_state(kvm_cpu_by_index(s, mon->cpu_index < n ?
                                            mon->cpu_index : 0), st, NULL)) {
        g_free(st);
        return NULL;
    }
    return st;
}

/* Code size of the CPU's current code segment: 64, 32 or 16. */
static int cpu_code_mode(const KvmCpuState *st)
{
    if ((st->sregs.efer & (1ull << 10)) && st->sregs.cs.l) {   /* LMA */
        return 64;
    }
    return st->sregs.cs.db ? 32 : 16;
}

/* QEMU's $name registers (x86-64 target: the full 64-bit value, as
 * QEMU gives it for $eax too); $pc is CS base + RIP. */
static bool cpu_register(const KvmCpuState *st, const char *name,
                         uint64_t *v)
{
    static const char *const gpr[16][2] = {
        { "rax", "eax" }, { "rcx", "ecx" }, { "rdx", "edx" },
        { "rbx", "ebx" }, { "rsp", "esp" }, { "rbp", "ebp" },
        { "rsi", "esi" }, { "rdi", "edi" }, { "r8" }, { "r9" }, { "r10" },
        { "r11" }, { "r12" }, { "r13" }, { "r14" }, { "r15" } };
    const struct kvm_regs *r = &st->regs;
    const uint64_t val[16] = { r->rax, r->rcx, r->rdx, r->rbx, r->rsp,
        r->rbp, r->rsi, r->rdi, r->r8, r->r9, r->r10, r->r11, r->r12,
        r->r13, r->r14, r->r15 };
    const struct kvm_segment *seg[6] = { &st->sregs.es, &st->sregs.cs,
        &st->sregs.ss, &st->sregs.ds, &st->sregs.fs, &st->sregs.gs };
    static const char *const segname[6] = { "es", "cs", "ss", "ds", "fs",
                                            "gs" };

    for (int i = 0; i < 16; i++) {
        if (!g_ascii_strcasecmp(name, gpr[i][0]) ||
            (gpr[i][1] && !g_ascii_strcasecmp(name, gpr[i][1]))) {
            *v = val[i];
            return true;
        }
    }
    for (int i = 0; i < 6; i++) {
        if (!g_ascii_strcasecmp(name, segname[i])) {
            *v = seg[i]->selector;
            return true;
        }
    }
    if (!g_ascii_strcasecmp(name, "pc")) {
        *v = st->sregs.cs.base + r->rip;
    } else if (!g_ascii_strcasecmp(name, "rip") ||
               !g_ascii_strcasecmp(name, "eip")) {
        *v = r->rip;
    } else if (!g_ascii_strcasecmp(name, "sp")) {
        *v = r->rsp;
    } else if (!g_ascii_strcasecmp(name, "fp")) {
        *v = r->rbp;
    } else if (!g_ascii_strcasecmp(name, "eflags")) {
        *v = r->rflags;
    } else {
        return false;
    }
    return true;
}

/*
 * The address: terms joined by + or -, each a number or a $register
 * ("$pc", "$rsp+8", "0x1000 + 16": the words of argv are joined).
 */
static bool parse_addr(Monitor *mon, char **argv, uint64_t *addr)
{
    g_autofree char *expr = argv[0] ? g_strjoinv("", argv) : NULL;
    g_autofree KvmCpuState *st = NULL;
    const char *p = expr;
    uint64_t sum = 0;
    int sign = 1;

    if (!expr || !*expr) {
        return false;
    }
    for (;;) {
        size_t n = strcspn(p, "+-");
        g_autofree char *term = g_strndup(p, n);
        uint64_t v;

        if (term[0] == '$') {
            if (!st && !(st = cpu_state(mon))) {
                return false;
            }
            if (!cpu_register(st, term + 1, &v)) {
                return false;
            }
        } else if (parse_uint64(term, 0, &v) < 0) {
            return false;
        }
        sum += sign > 0 ? v : -v;
        p += n;
        if (!*p) {
            break;
        }
        sign = *p++ == '-' ? -1 : 1;
    }
    *addr = sum;
    return true;
}

/* "x/10i" as one word: the command, then "/10i" as its first argument
 * (QEMU's spelling; called on every command line's words). */
char **hmp_split_fmt(char **argv)
{
    char *slash = argv && argv[0] ? strchr(argv[0], '/') : NULL;
    guint n;
    char **v;

    if (!slash || slash == argv[0]) {
        return argv;
    }
    n = g_strv_length(argv);
    v = g_new0(char *, n + 2);
    v[0] = g_strndup(argv[0], slash - argv[0]);
    v[1] = g_strdup(slash);
    memcpy(v + 2, argv + 1, (n - 1) * sizeof(char *));
    g_free(argv[0]);
    g_free(argv);
    return v;
}

/* "/NFU": count, format (x d u o c i), unit (b h w g). */
static bool parse_fmt(const char *s, int *count, char *fmt, int *size)
{
    *count = 1;
    *fmt = 'x';
    *size = 4;
    if (!s || *s != '/') {
        return s == NULL;
    }
    s++;
    if (g_ascii_isdigit(*s)) {
        *count = (int)strtol(s, (char **)&s, 10);
    }
    for (; *s; s++) {
        switch (*s) {
        case 'x': case 'd': case 'u': case 'o': case 'c': case 'i':
            *fmt = *s;
            break;
        case 'b': *size = 1; break;
        case 'h': *size = 2; break;
        case 'w': *size = 4; break;
        case 'g': *size = 8; break;
        default:
            return false;
        }
    }
    return *count > 0 && *count <= 4096;
}

/*
 * Read size bytes of the dump at addr: physical, or virtual through the
 * monitor's CPU's page tables (byte by byte, so an element may straddle
 * pages). False if some byte is not mapped.
 */
static bool dump_read(const PagingCtx *pc, uint64_t addr, uint8_t *buf,
                      int size)
{
    for (int b = 0; b < size; b++) {
        uint64_t pa = addr + b;
        if (pc && !paging_translate(pc, addr + b, &pa)) {
            return false;
        }
        if (address_space_read(&address_space_memory, pa,
                               MEMTXATTRS_UNSPECIFIED, buf + b, 1) !=
            MEMTX_OK) {
            memset(buf + b, 0xff, 1);   /* unassigned reads as ones */
        }
    }
    return true;
}

/*
 * objdump's "mnemonic  op1,op2  # comment" as QEMU's capstone output
 * lays it out: the mnemonic (with any prefixes) padded to 8, operands
 * separated by ", " (commas inside parentheses stay).
 */
static void capstone_layout(const char *text, char *out, size_t outlen)
{
    const char *ops = text;
    GString *o;
    int depth = 0;

    /* operands start at the first word that is not a name */
    while (*ops && !(ops != text && ops[-1] == ' ' &&
                     strchr("%$*(-0123456789", *ops))) {
        ops++;
    }
    o = g_string_new_len(text, ops - text);
    g_strchomp(o->str);
    g_string_set_size(o, strlen(o->str));
    while (o->len < 8) {
        g_string_append_c(o, ' ');
    }
    if (*ops) {
        g_string_append_c(o, ' ');
    }
    for (; *ops; ops++) {
        depth += *ops == '(' ? 1 : *ops == ')' ? -1 : 0;
        g_string_append_c(o, *ops);
        if (*ops == ',' && depth == 0) {
            g_string_append_c(o, ' ');
        }
    }
    g_strchomp(o->str);
    g_strlcpy(out, o->str, outlen);
    g_string_free(o, TRUE);
}

/*
 * x/i, xp/i: count instructions from addr in the CPU's code size (64-bit
 * without a CPU), laid out as QEMU with capstone does: address, up to
 * 8 bytes, the text; longer instructions' bytes go on on further lines.
 */
static void disas_dump(Monitor *mon, const PagingCtx *pc, uint64_t addr,
                       int count)
{
    g_autofree KvmCpuState *st = cpu_state(mon);
    int mode = st ? cpu_code_mode(st) : 64;

    for (int i = 0; i < count; i++) {
        uint8_t buf[15];
        char raw[128], text[160];
        int n = 0, len;

        while (n < (int)sizeof(buf) && dump_read(pc, addr + n, buf + n, 1)) {
            n++;
        }
        if (!n) {
            monitor_printf(mon, "0x%08" PRIx64 ": unable to read memory\n",
                           addr);
            return;
        }
        len = disas_x86(buf, n, addr, mode, raw, sizeof(raw));
        capstone_layout(raw, text, sizeof(text));
        monitor_printf(mon, "0x%08" PRIx64 ": ", addr);
        for (int b = 0; b < 8; b++) {
            monitor_printf(mon, b < len ? " %02x" : "   ",
                           b < len ? buf[b] : 0);
        }
        monitor_printf(mon, "  %s\n", text);
        for (int b = 8; b < len; b += 8) {
            monitor_printf(mon, "0x%08" PRIx64 ": ", addr + b);
            for (int k = b; k < len && k < b + 8; k++) {
                monitor_printf(mon, " %02x", buf[k]);
            }
            monitor_puts(mon, "\n");
        }
        addr += len;
    }
}

static void memory_dump(Monitor *mon, char **argv, const PagingCtx *pc,
                        const char *name)
{
    const char *fmtarg = argv[0] && argv[0][0] == '/' ? argv[0] : NULL;
    char **addrargv = fmtarg ? argv + 1 : argv;
    int count, size;
    char fmt;
    uint64_t addr;

    if (!parse_fmt(fmtarg, &count, &fmt, &size) ||
        !parse_addr(mon, addrargv, &addr)) {
        monitor_printf(mon, "%s: usage: %s /fmt addr (fmt: count, "
                       "x|d|u|o|c|i, b|h|w|g; addr: number or $register, "
                       "+/- terms)\n", name, name);
        return;
    }
    memory_init();              /* idempotent */
    if (fmt == 'i') {
        disas_dump(mon, pc, addr, count);
        return;
    }
    int per_line = fmt == 'c' ? 16 : 16 / size;
    for (int i = 0; i < count; i++) {
        uint8_t buf[8] = { 0 };
        uint64_t v = 0;
        uint64_t a = addr + (uint64_t)i * size;

        if (i % per_line == 0) {
            monitor_printf(mon, "%s%016" PRIx64 ":", i ? "\n" : "", a);
        }
        if (!dump_read(pc, a, buf, size)) {
            monitor_puts(mon, "\nCannot access memory\n");
            return;
        }
        for (int b = size - 1; b >= 0; b--) {
            v = (v << 8) | buf[b];      /* little-endian guest */
        }
        switch (fmt) {
        case 'x':
            monitor_printf(mon, " 0x%0*" PRIx64, size * 2, v);
            break;
        case 'o':
            monitor_printf(mon, " %#" PRIo64, v);
            break;
        case 'u':
            monitor_printf(mon, " %" PRIu64, v);
            break;
        case 'd': {
            int64_t sv = size == 8 ? (int64_t)v
                         : (int64_t)(v << (64 - size * 8)) >> (64 - size * 8);
            monitor_printf(mon, " %" PRId64, sv);
            break;
        }
        case 'c':
            monitor_printf(mon, " '%c'", g_ascii_isprint(v) ? (int)v : '.');
            break;
        }
    }
    monitor_puts(mon, "\n");
}

void hmp_xp(Monitor *mon, char **argv)
{
    memory_dump(mon, argv, NULL, "xp");
}

void hmp_gpa2hva(Monitor *mon, char **argv)
{
    uint64_t addr;
    hwaddr xlat, len = 1;
    MemoryRegion *mr;

    if (!argv[0] || parse_uint64(argv[0], 0, &addr) < 0) {
        monitor_puts(mon, "gpa2hva: usage: gpa2hva addr\n");
        return;
    }
    mr = address_space_translate(&address_space_memory, addr, &xlat, &len,
                                 false, MEMTXATTRS_UNSPECIFIED);
    if (!mr) {
        monitor_printf(mon, "Error: No memory is mapped at address 0x%"
                       PRIx64 "\n", addr);
    } else if (!memory_region_is_ram(mr)) {
        monitor_printf(mon, "Error: Memory at address 0x%" PRIx64 " is not "
                       "RAM\n", addr);
    } else {
        monitor_printf(mon, "Host virtual address for 0x%" PRIx64 " (%s) is "
                       "%p\n", addr, memory_region_name(mr),
                       (uint8_t *)memory_region_get_ram_ptr(mr) + xlat);
    }
}

void hmp_x(Monitor *mon, char **argv)
{
    PagingCtx pc;

    if (!monitor_cpu_paging(mon, &pc)) {
        monitor_puts(mon, "No CPU available: x needs a CPU to translate "
                     "virtual addresses; use xp for physical memory\n");
        return;
    }
    memory_dump(mon, argv, &pc, "x");
}

void hmp_info_mtree(Monitor *mon, char **argv)
{
    GString *out = g_string_new(NULL);
    bool flat = argv[0] && !strcmp(argv[0], "-f");

    memory_init();
    mtree_info(out, flat);
    monitor_puts(mon, out->str);
    g_string_free(out, TRUE);
}

void hmp_device_add(Monitor *mon, char **argv)
{
    GError *err = NULL;
    KeyvalList *kv;
    QDict *args;
    QObject *ret = NULL;

    if (!argv[0]) {
        monitor_puts(mon, "device_add: usage: device_add driver[,prop=value]"
                     "[,...]\n");
        return;
    }
    kv = keyval_parse(argv[0], "driver", KEYVAL_DEFAULT, &err);
    if (!kv) {
        monitor_printf(mon, "Error: %s\n", err->message);
        g_error_free(err);
        return;
    }
    args = qdict_new();
    for (guint i = 0; i < kv->pairs->len; i++) {
        KeyvalPair *p = g_ptr_array_index(kv->pairs, i);
        qdict_put_str(args, p->key, p->value);
    }
    keyval_free(kv);
    qmp_marshal_device_add(args, &ret, &err);
    qobject_unref(args);
    qobject_unref(ret);
    if (err) {
        monitor_printf(mon, "Error: %s\n", err->message);
        g_error_free(err);
    }
}
