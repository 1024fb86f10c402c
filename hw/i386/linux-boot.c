/*
 * Linux bzImage loading per the x86 boot protocol
 * (Documentation/arch/x86/boot.rst), 32-bit entry:
 *   - the real-mode setup is not run: kvmu builds the zero page
 *     (struct boot_params) itself, copying the setup header into it;
 *   - the protected-mode kernel goes to code32_start (1 MiB);
 *   - the command line goes below the 640 KiB hole, the initrd as high
 *     as initrd_addr_max and RAM allow;
 *   - the CPU starts in flat 32-bit protected mode at code32_start with
 *     %esi = zero page, as the protocol's "32-bit boot protocol" says.
 * Fast path (kernel-decompress=on, the default): with protocol 2.08+ the
 * payload (the compressed vmlinux) is decompressed on the host
 * (linux-decompress.c) and the vmlinux ELF is entered through its PVH note
 * (pvh.c), skipping the in-guest decompressor; a vmlinux without the note
 * is entered through the 64-bit boot protocol (linux64.c). Unknown
 * methods (or lzo) and host-side failures fall back to the path above
 * with one warning. The kernel then runs at its link address:
 * KASLR is done by the in-guest decompressor, so it is off on the fast
 * path and the boot log says so.
 * Requires protocol 2.02+ (bzImage, 2002 and later kernels).
 * Left out: zImage (protocol < 2.00, low kernels), EFI handover, setup_data.
 */
#include "hw/i386/linux-decompress.h"
#include "util/ldst.h"
#include "hw/i386/x86-boot.h"
#include "memory/memory.h"
#include "util/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define BOOT_PARAMS_ADDR X86_BOOT_PARAMS_ADDR
#define CMDLINE_ADDR 0x20000
#define GDT_ADDR 0x1000
#define KERNEL_LOW_LIMIT 0x9f000     /* cmdline must stay below this */

/* offsets in the setup header / boot_params */
#define HDR_SETUP_SECTS 0x1f1
#define HDR_BOOT_FLAG 0x1fe
#define HDR_JUMP 0x200
#define HDR_MAGIC 0x202
#define HDR_VERSION 0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS 0x211
#define HDR_CODE32_START 0x214
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE 0x21c
#define HDR_HEAP_END_PTR 0x224
#define HDR_CMD_LINE_PTR 0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_CMDLINE_SIZE 0x238
#define HDR_INIT_SIZE 0x260
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_E820_TABLE 0x2d0

#define LOADFLAG_LOADED_HIGH 0x01
#define LOADFLAG_CAN_USE_HEAP 0x80

static void e820_add(X86MemoryLayout *l, uint64_t addr, uint64_t size,
                     uint32_t type)
{
    if (size && l->e820_count < E820_MAX_ENTRIES) {
        l->e820[l->e820_count++] = (E820Entry){ addr, size, type };
    }
}

void x86_memory_layout_init(X86MemoryLayout *l, uint64_t below_4g,
                            uint64_t above_4g)
{
    memset(l, 0, sizeof(*l));
    l->below_4g = below_4g;
    l->above_4g = above_4g;
    uint64_t low = MIN(below_4g, 0x9fc00);
    e820_add(l, 0, low, E820_RAM);
    e820_add(l, 0x9fc00, 0x400, E820_RESERVED);         /* EBDA */
    e820_add(l, 0xf0000, 0x10000, E820_RESERVED);       /* BIOS area */
    if (below_4g > 0x100000) {
        e820_add(l, 0x100000, below_4g - 0x100000, E820_RAM);
    }
    e820_add(l, 0xfffc0000, 0x40000, E820_RESERVED);    /* BIOS ROM */
    e820_add(l, 0x100000000ull, above_4g, E820_RAM);
}

bool linux_parse_setup(const uint8_t *data, size_t len, LinuxSetupInfo *info,
                       GError **errp)
{
    memset(info, 0, sizeof(*info));
    if (len < 0x270 || memcmp(data + HDR_MAGIC, "HdrS", 4) ||
        lduw_le_p(data + HDR_BOOT_FLAG) != 0xaa55) {
        error_setg(errp, "not a Linux bzImage (no boot protocol header)");
        return false;
    }
    info->protocol = lduw_le_p(data + HDR_VERSION);
    if (info->protocol < 0x202) {
        error_setg(errp, "Linux boot protocol %x.%02x is too old "
                   "(2.02 or later needed)", info->protocol >> 8,
                   info->protocol & 0xff);
        return false;
    }
    info->loaded_high = data[HDR_LOADFLAGS] & LOADFLAG_LOADED_HIGH;
    if (!info->loaded_high) {
        error_setg(errp, "zImage kernels (not loaded high) are not supported");
        return false;
    }
    unsigned sects = data[HDR_SETUP_SECTS] ? data[HDR_SETUP_SECTS] : 4;
    info->setup_size = (sects + 1) * 512;
    if (info->setup_size >= len) {
        error_setg(errp, "kernel image is truncated: %zu bytes, setup "
                   "alone is %u", len, info->setup_size);
        return false;
    }
    info->kernel_size = len - info->setup_size;
    info->code32_start = ldl_le_p(data + HDR_CODE32_START);
    info->initrd_addr_max = info->protocol >= 0x203 ?
                            ldl_le_p(data + HDR_INITRD_ADDR_MAX) : 0x37ffffff;
    info->cmdline_size = info->protocol >= 0x206 ?
                         ldl_le_p(data + HDR_CMDLINE_SIZE) : 255;
    info->init_size = info->protocol >= 0x20a ? ldl_le_p(data + HDR_INIT_SIZE) : 0;
    if (info->init_size < info->kernel_size) {
        info->init_size = info->kernel_size;
    }
    info->header_end = 0x202 + data[HDR_JUMP + 1];
    if (info->header_end > info->setup_size || info->header_end > len) {
        error_setg(errp, "kernel setup header is malformed");
        return false;
    }
    return true;
}

/*
 * Everything the loaders write is kept, so that every system reset puts
 * the same bytes back (the guest overwrote them while it ran: Linux
 * decompresses itself over its own image). This is what a firmware's
 * option ROM reloading the kernel from fw_cfg achieves on QEMU.
 */
typedef struct BootBlob {
    uint64_t addr;
    size_t len;
    uint8_t data[];
} BootBlob;

static GPtrArray *boot_blobs;

static bool write_guest_now(uint64_t addr, const void *buf, size_t len,
                            GError **errp)
{
    MemTxResult r = address_space_write(&address_space_memory, addr,
                                        MEMTXATTRS_UNSPECIFIED, buf, len);
    if (r != MEMTX_OK) {
        error_setg(errp, "cannot write %zu bytes at guest address 0x%" PRIx64,
                   len, addr);
        return false;
    }
    return true;
}

bool x86_write_guest(uint64_t addr, const void *buf, size_t len,
                     GError **errp)
{
    if (!write_guest_now(addr, buf, len, errp)) {
        return false;
    }
    if (!boot_blobs) {
        boot_blobs = g_ptr_array_new_with_free_func(g_free);
    }
    BootBlob *b = g_malloc(sizeof(*b) + len);
    b->addr = addr;
    b->len = len;
    memcpy(b->data, buf, len);
    g_ptr_array_add(boot_blobs, b);
    return true;
}

bool x86_boot_reload(GError **errp)
{
    for (guint i = 0; boot_blobs && i < boot_blobs->len; i++) {
        BootBlob *b = g_ptr_array_index(boot_blobs, i);
        if (!write_guest_now(b->addr, b->data, b->len, errp)) {
            return false;
        }
    }
    return true;
}

/* Read a whole file; on failure errno tells why (QEMU's messages use it). */
uint8_t *x86_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    GByteArray *buf = g_byte_array_new();
    uint8_t chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        g_byte_array_append(buf, chunk, n);
    }
    int err = ferror(f) ? EIO : 0;
    fclose(f);
    if (err) {
        g_byte_array_unref(buf);
        errno = err;
        return NULL;
    }
    *len = buf->len;
    if (!buf->len) {
        g_byte_array_unref(buf);
        return g_malloc0(1);    /* empty file: not an error here */
    }
    return g_byte_array_free(buf, FALSE);
}

bool x86_write_boot_gdt(X86BootEntry *entry, GError **errp)
{
    /* Flat 4 GiB code (0x10) and data (0x18) segments, as the Linux boot
     * protocol and the multiboot spec both want. */
    static const uint64_t gdt[4] = {
        0, 0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull,
    };
    uint8_t gdt_bytes[sizeof(gdt)];
    for (int i = 0; i < 4; i++) {
        stq_le_p(gdt_bytes + 8 * i, gdt[i]);
    }
    entry->gdt_base = GDT_ADDR;
    entry->gdt_limit = sizeof(gdt) - 1;
    entry->code_sel = 0x10;
    entry->data_sel = 0x18;
    return x86_write_guest(GDT_ADDR, gdt_bytes, sizeof(gdt_bytes), errp);
}

bool x86_place_initrd(size_t len, uint64_t addr_max, uint64_t kernel_end,
                      const X86MemoryLayout *layout, uint64_t *addr,
                      GError **errp)
{
    uint64_t top = MIN(addr_max + 1, layout->below_4g);
    if (len > top || ((top - len) & ~0xfffull) < kernel_end) {
        error_setg(errp, "initrd is too large (%zu bytes): it does not "
                   "fit between the kernel and 0x%" PRIx64, len, top);
        return false;
    }
    *addr = (top - len) & ~0xfffull;
    return true;
}

bool linux_write_zero_page(const uint8_t *kdata, const LinuxSetupInfo *info,
                           const char *cmdline, uint64_t initrd_addr,
                           size_t initrd_len, const X86MemoryLayout *layout,
                           GError **errp)
{
    uint8_t bp[4096] = { 0 };
    memcpy(bp + HDR_SETUP_SECTS, kdata + HDR_SETUP_SECTS,
           info->header_end - HDR_SETUP_SECTS);
    bp[HDR_TYPE_OF_LOADER] = 0xff;
    bp[HDR_LOADFLAGS] |= LOADFLAG_CAN_USE_HEAP;
    stw_le_p(bp + HDR_HEAP_END_PTR, 0xfe00);
    stl_le_p(bp + HDR_CMD_LINE_PTR, CMDLINE_ADDR);
    stl_le_p(bp + BP_EXT_CMD_LINE_PTR, 0);
    stl_le_p(bp + HDR_RAMDISK_IMAGE, initrd_addr);
    stl_le_p(bp + HDR_RAMDISK_SIZE, initrd_len);
    stl_le_p(bp + BP_EXT_RAMDISK_IMAGE, initrd_addr >> 32);
    stl_le_p(bp + BP_EXT_RAMDISK_SIZE, (uint64_t)initrd_len >> 32);
    bp[BP_E820_ENTRIES] = layout->e820_count;
    for (unsigned i = 0; i < layout->e820_count; i++) {
        uint8_t *e = bp + BP_E820_TABLE + 20 * i;
        stq_le_p(e, layout->e820[i].addr);
        stq_le_p(e + 8, layout->e820[i].size);
        stl_le_p(e + 16, layout->e820[i].type);
    }
    return x86_write_guest(BOOT_PARAMS_ADDR, bp, sizeof(bp), errp) &&
           x86_write_guest(CMDLINE_ADDR, cmdline ? cmdline : "",
                           strlen(cmdline ? cmdline : "") + 1, errp);
}

static bool kernel_decompress = true;

void x86_set_kernel_decompress(bool on)
{
    kernel_decompress = on;
}

/*
 * The fast path: decompress the payload on the host and enter the vmlinux
 * through PVH, or through the 64-bit boot protocol when it has no PVH
 * note. False + errp (and guest memory possibly written, which the
 * fallback overwrites) when it cannot be used.
 */
static bool load_decompressed(const uint8_t *kdata, size_t klen,
                              const LinuxSetupInfo *info, const char *kernel,
                              const uint8_t *idata, size_t ilen,
                              const char *cmdline,
                              const X86MemoryLayout *layout,
                              X86BootEntry *entry, GError **errp)
{
    const uint8_t *payload;
    size_t plen, vlen;
    LinuxCompression method;
    uint32_t pvh_entry;

    if (!linux_payload_find(kdata, klen, &payload, &plen, errp)) {
        return false;
    }
    gint64 t0 = g_get_monotonic_time();
    g_autofree uint8_t *vmlinux = linux_payload_decompress(
        payload, plen, layout->below_4g, &vlen, &method, errp);
    if (!vmlinux) {
        error_prepend(errp, "%s payload: ", linux_compression_name(method));
        return false;
    }
    gint64 t1 = g_get_monotonic_time();
    const char *how = "PVH";
    if (x86_pvh_note_entry(vmlinux, vlen, &pvh_entry)) {
        if (!x86_load_pvh(vmlinux, vlen, kernel, idata, ilen, cmdline, layout,
                          info->initrd_addr_max, entry, errp)) {
            return false;
        }
    } else {
        /* no PVH note: the 64-bit boot protocol, with kvmu's page tables */
        if (!x86_load_linux64(kdata, info, vmlinux, vlen, kernel, idata,
                              ilen, cmdline, layout, entry, errp)) {
            error_prepend(errp, "no PVH note, 64-bit entry: ");
            return false;
        }
        how = "the 64-bit boot protocol";
        pvh_entry = entry->eip;
    }
    info_report("Linux kernel: %s payload decompressed on the host "
                "(%zu -> %zu bytes, %" G_GINT64_FORMAT " ms), entered "
                "through %s at 0x%x%s", linux_compression_name(method),
                plen, vlen, (t1 - t0) / 1000, how, pvh_entry,
                x86_pvh_kaslr_remark(cmdline));
    return true;
}

bool x86_load_kernel(const char *kernel, const char *initrd,
                     const char *cmdline, const X86MemoryLayout *layout,
                     X86BootEntry *entry, GError **errp)
{
    size_t klen = 0;
    g_autofree uint8_t *kdata = x86_read_file(kernel, &klen);
    GError *local = NULL;

    if (!kdata) {
        error_setg(errp, "could not open kernel file '%s': %s", kernel,
                   g_strerror(errno));
        return false;
    }
    memset(entry, 0, sizeof(*entry));
    if (x86_load_multiboot(kdata, klen, kernel, initrd, cmdline, layout,
                           entry, &local)) {
        return true;
    }
    if (local) {
        g_propagate_error(errp, local);
        return false;
    }
    return x86_load_linux(kdata, klen, kernel, initrd, cmdline, layout,
                          entry, errp);
}

bool x86_load_linux(const uint8_t *kdata, size_t klen, const char *kernel,
                    const char *initrd, const char *cmdline,
                    const X86MemoryLayout *layout, X86BootEntry *entry,
                    GError **errp)
{
    g_autofree uint8_t *idata = NULL;
    size_t ilen = 0;
    GError *local = NULL;
    LinuxSetupInfo info;

    if (!linux_parse_setup(kdata, klen, &info, &local)) {
        error_setg(errp, "invalid kernel header: %s: %s", kernel,
                   local->message);
        g_error_free(local);
        return false;
    }
    if (!cmdline) {
        cmdline = "";
    }
    size_t cmdlen = strlen(cmdline);
    if (cmdlen > info.cmdline_size) {
        error_setg(errp, "kernel command line is %zu bytes; this kernel "
                   "accepts at most %u", cmdlen, info.cmdline_size);
        return false;
    }
    uint64_t kernel_end = (uint64_t)info.code32_start + info.init_size;
    if (info.code32_start < 0x100000 || kernel_end > layout->below_4g) {
        error_setg(errp, "kernel needs memory up to 0x%" PRIx64 " but "
                   "only 0x%" PRIx64 " bytes of RAM are below 4 GiB",
                   kernel_end, layout->below_4g);
        return false;
    }

    /* The initrd is read and placed for the 32-bit entry first: its
     * errors are the user's, not a reason to fall back. */
    uint64_t initrd_addr = 0;
    if (initrd) {
        idata = x86_read_file(initrd, &ilen);
        if (!idata) {
            error_setg(errp, "error reading initrd %s: %s", initrd,
                       g_strerror(errno));
            return false;
        }
        if (!x86_place_initrd(ilen, info.initrd_addr_max, kernel_end, layout,
                              &initrd_addr, errp)) {
            return false;
        }
    }

    if (kernel_decompress) {
        if (load_decompressed(kdata, klen, &info, kernel, idata, ilen,
                              cmdline, layout, entry, &local)) {
            return true;
        }
        warn_report("Linux kernel: not decompressed on the host (%s); the "
                    "kernel decompresses itself in the guest",
                    local->message);
        g_clear_error(&local);
        memset(entry, 0, sizeof(*entry));
    } else {
        info_report("Linux kernel: decompressed in the guest by the "
                    "kernel itself (kernel-decompress=off)");
    }

    /* Everything is valid: now write guest memory. */
    if (!linux_write_zero_page(kdata, &info, cmdline, initrd_addr, ilen,
                               layout, errp) ||
        !x86_write_boot_gdt(entry, errp) ||
        !x86_write_guest(info.code32_start, kdata + info.setup_size,
                     info.kernel_size, errp) ||
        (idata && !x86_write_guest(initrd_addr, idata, ilen, errp))) {
        return false;
    }
    entry->eip = info.code32_start;
    entry->esi = BOOT_PARAMS_ADDR;
    return true;
}
