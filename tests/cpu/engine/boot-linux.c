/*
 * engine-boot-linux: boot a bzImage on the software CPU alone, through the
 * Linux/x86 64-bit boot protocol (Documentation/arch/x86/boot.rst), with a
 * minimal machine: RAM, an e820 map, a serial port that only transmits
 * (0x3f8), every other port and MMIO reading as zeros/ones. Enough to run
 * the decompressor and start_kernel up to timer calibration, which needs
 * the real board. A manual smoke test (not built by default):
 *
 *   ninja -C build tests/cpu/engine/engine-boot-linux
 *   build/tests/cpu/engine/engine-boot-linux tests/guest/out/bzImage \
 *       "console=ttyS0 earlyprintk=serial,ttyS0,115200 nokaslr" 6e9 \
 *       [tests/guest/out/initrd.img]
 * Without timers, pass "lpj=1000000 no_timer_check" to get past delay
 * calibration.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/i386/cpu.h"

#define RAM_SIZE (512ULL << 20)
#define LOAD 0x1000000ULL               /* protected-mode kernel */
#define BOOT_PARAMS 0x7000
#define CMDLINE 0x20000
#define GDT 0x8000
#define PML4 0x9000

static uint8_t *ram;

static void *map_page(void *opaque, uint64_t gpa, bool write)
{
    return gpa < RAM_SIZE ? ram + gpa : NULL;
}

static void put(uint64_t a, uint64_t v, unsigned n)
{
    memcpy(ram + a, &v, n);
}

static void flat(X86Segment *s, uint16_t sel, bool code)
{
    memset(s, 0, sizeof(*s));
    s->limit = 0xffffffff;
    s->selector = sel;
    s->type = code ? 0xb : 0x3;
    s->present = 1;
    s->s = 1;
    s->l = code;
    s->db = !code;
    s->g = 1;
}

int main(int argc, char **argv)
{
    gchar *img;
    gsize len;
    const uint8_t *k;
    size_t pm_off;
    X86VM *vm;
    X86CPU *cpu;
    X86MemOps ops = { .map_page = map_page };
    X86SRegs s;
    X86Regs r;
    X86Exit ex;
    uint64_t limit, report = 1000000000ULL;
    gint64 t0;
    int halts = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s BZIMAGE [CMDLINE [MAX_INSNS [INITRD]]]\n",
                argv[0]);
        return 2;
    }
    if (!g_file_get_contents(argv[1], &img, &len, NULL) || len < 0x1000) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 1;
    }
    k = (const uint8_t *)img;
    pm_off = ((k[0x1f1] ? k[0x1f1] : 4) + 1) * 512;
    if (memcmp(k + 0x202, "HdrS", 4) || pm_off >= len ||
        len - pm_off > RAM_SIZE - LOAD) {
        fprintf(stderr, "%s: not a bzImage\n", argv[1]);
        return 1;
    }
    ram = g_malloc0(RAM_SIZE);
    memcpy(ram + LOAD, k + pm_off, len - pm_off);
    memcpy(ram + BOOT_PARAMS + 0x1f1, k + 0x1f1, 0x202 + k[0x201] - 0x1f1);
    ram[BOOT_PARAMS + 0x210] = 0xff;                /* type_of_loader */
    ram[BOOT_PARAMS + 0x211] |= 0x81;               /* heap, loaded high */
    put(BOOT_PARAMS + 0x224, 0xde00, 2);            /* heap_end_ptr */
    g_strlcpy((char *)ram + CMDLINE,
              argc > 2 ? argv[2] : "console=ttyS0 earlyprintk=serial nokaslr",
              4096);
    put(BOOT_PARAMS + 0x228, CMDLINE, 4);
    ram[BOOT_PARAMS + 0x1e8] = 2;                   /* e820 entries */
    put(BOOT_PARAMS + 0x2d0, 0, 8);
    put(BOOT_PARAMS + 0x2d8, 0x9fc00, 8);
    put(BOOT_PARAMS + 0x2e0, 1, 4);
    put(BOOT_PARAMS + 0x2e4, 0x100000, 8);
    put(BOOT_PARAMS + 0x2ec, RAM_SIZE - 0x100000, 8);
    put(BOOT_PARAMS + 0x2f4, 1, 4);
    /* identity map of the first 4 GiB with 2 MiB pages */
    put(PML4, (PML4 + 0x1000) | 3, 8);
    for (int i = 0; i < 4; i++) {
        uint64_t pd = PML4 + 0x2000 + i * 0x1000;
        put(PML4 + 0x1000 + i * 8, pd | 3, 8);
        for (int j = 0; j < 512; j++) {
            put(pd + j * 8, ((uint64_t)(i * 512 + j) << 21) | 0x83, 8);
        }
    }
    if (argc > 4) {
        gchar *rd;
        gsize rdlen;
        uint64_t at = 0x10000000;               /* 256 MiB */
        if (!g_file_get_contents(argv[4], &rd, &rdlen, NULL) ||
            rdlen > RAM_SIZE - at) {
            fprintf(stderr, "cannot load initrd %s\n", argv[4]);
            return 1;
        }
        memcpy(ram + at, rd, rdlen);
        put(BOOT_PARAMS + 0x218, at, 4);            /* ramdisk_image */
        put(BOOT_PARAMS + 0x21c, rdlen, 4);         /* ramdisk_size */
        g_free(rd);
    }
    put(GDT + 0x10, 0x00af9a000000ffffULL, 8);     /* __BOOT_CS */
    put(GDT + 0x18, 0x00cf92000000ffffULL, 8);     /* __BOOT_DS */

    vm = x86_vm_new(&ops, NULL);
    cpu = x86_cpu_new(vm, 0);
    x86_cpu_get_sregs(cpu, &s);
    flat(&s.cs, 0x10, true);
    flat(&s.ds, 0x18, false);
    s.es = s.ss = s.fs = s.gs = s.ds;
    s.gdt.base = GDT;
    s.gdt.limit = 0x1f;
    s.cr0 = 0x80050033;
    s.cr3 = PML4;
    s.cr4 = 0x620;
    s.efer = 0x500;
    x86_cpu_set_sregs(cpu, &s);
    memset(&r, 0, sizeof(r));
    r.rip = LOAD + 0x200;                           /* 64-bit entry */
    r.rsi = BOOT_PARAMS;
    r.rsp = BOOT_PARAMS;
    r.rflags = 2;
    x86_cpu_set_regs(cpu, &r);
    x86_cpu_set_time_slice(cpu, 200000);
    limit = argc > 3 ? (uint64_t)g_ascii_strtod(argv[3], NULL) : 6000000000ULL;

    t0 = g_get_monotonic_time();
    while (x86_cpu_run(cpu, &ex) == 0) {
        uint64_t n = x86_cpu_insns_retired(cpu);

        if (n >= limit) {
            break;
        }
        if (ex.reason == X86_EXIT_IO) {
            if (!ex.io.in && ex.io.port == 0x3f8) {
                for (unsigned i = 0; i < ex.io.count; i++) {
                    putchar(ex.io.data[i * ex.io.size]);
                }
                fflush(stdout);
            } else if (ex.io.in) {
                memset(ex.io.data, 0, ex.io.count * ex.io.size);
                if (ex.io.port == 0x3fd) {
                    ex.io.data[0] = 0x60;           /* LSR: THR empty */
                }
            }
        } else if (ex.reason == X86_EXIT_MMIO) {
            if (!ex.mmio.write) {
                memset(ex.mmio.data, 0xff, ex.mmio.len);
            }
        } else if (ex.reason == X86_EXIT_KICKED) {
            if (n >= report) {
                x86_cpu_get_regs(cpu, &r);
                fprintf(stderr, "[%.1fG insns, rip %#llx]\n", n / 1e9,
                        (unsigned long long)r.rip);
                report += 1000000000ULL;
            }
        } else if (ex.reason == X86_EXIT_HLT && ++halts < 4) {
            continue;
        } else {
            x86_cpu_get_regs(cpu, &r);
            fprintf(stderr, "\n[exit %d at rip %#llx", ex.reason,
                    (unsigned long long)r.rip);
            if (ex.reason == X86_EXIT_SHUTDOWN) {
                fprintf(stderr, ", exception %u",
                        ex.shutdown.last_exception);
            } else if (ex.reason == X86_EXIT_INTERNAL_ERROR) {
                fprintf(stderr, ": %s", ex.internal.msg);
            }
            fprintf(stderr, "]\n");
            break;
        }
    }
    {
        double sec = (g_get_monotonic_time() - t0) / 1e6;
        uint64_t n = x86_cpu_insns_retired(cpu);
        fprintf(stderr, "%llu instructions in %.1f s (%.1f M/s)\n",
                (unsigned long long)n, sec, sec > 0 ? n / sec / 1e6 : 0);
    }
    x86_cpu_free(cpu);
    x86_vm_free(vm);
    g_free(ram);
    g_free(img);
    return 0;
}
