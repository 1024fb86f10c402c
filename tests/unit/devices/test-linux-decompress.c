/*
 * Fast Linux boot pieces: host-side decompression of a bzImage payload
 * for every method (round trip against the real libraries, then a
 * bad-input table: truncated, corrupt, bomb, lying size, unknown magic),
 * the payload fields, ELF notes / the PVH note, the PVH loader writing
 * hvm_start_info into guest RAM, and x86_load_kernel choosing the host
 * path or falling back to the 32-bit bzImage entry.
 */
#include "hw/i386/elf-load.h"
#include "util/ldst.h"
#include "hw/i386/linux-decompress.h"
#include "hw/i386/x86-boot.h"
#include "memory/memory.h"
#include "system/main-loop.h"

#include <bzlib.h>
#include <elf.h>
#include <stddef.h>
#include <lz4.h>
#include <lzma.h>
#include <string.h>
#include <zlib.h>
#include <unistd.h>
#include <zstd.h>

#define MiB (1024 * 1024)

/* Compressible but not trivial test data. */
static GByteArray *sample(size_t len)
{
    GByteArray *a = g_byte_array_sized_new(len);
    GRand *r = g_rand_new_with_seed(42);
    for (size_t i = 0; i < len; i++) {
        uint8_t b = (i % 97 < 60) ? (uint8_t)(i / 13) :
                    (uint8_t)g_rand_int_range(r, 0, 8);
        g_byte_array_append(a, &b, 1);
    }
    g_rand_free(r);
    return a;
}

/* ---- compressors: method -> the kernel's payload format ------------ */

static GByteArray *comp_gzip(const uint8_t *d, size_t n)
{
    z_stream z = { 0 };
    g_assert_cmpint(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8,
                                 Z_DEFAULT_STRATEGY), ==, Z_OK);
    GByteArray *out = g_byte_array_new();
    g_byte_array_set_size(out, deflateBound(&z, n) + 64);
    z.next_in = (Bytef *)d;
    z.avail_in = n;
    z.next_out = out->data;
    z.avail_out = out->len;
    g_assert_cmpint(deflate(&z, Z_FINISH), ==, Z_STREAM_END);
    g_byte_array_set_size(out, z.total_out);
    deflateEnd(&z);
    return out;
}

static GByteArray *comp_bzip2(const uint8_t *d, size_t n)
{
    GByteArray *out = g_byte_array_new();
    unsigned int olen = n + n / 100 + 1024;
    g_byte_array_set_size(out, olen);
    g_assert_cmpint(BZ2_bzBuffToBuffCompress((char *)out->data, &olen,
                                             (char *)d, n, 9, 0, 0), ==,
                    BZ_OK);
    g_byte_array_set_size(out, olen);
    return out;
}

static GByteArray *comp_lzma_stream(lzma_stream *s, const uint8_t *d,
                                    size_t n)
{
    GByteArray *out = g_byte_array_new();
    g_byte_array_set_size(out, n + n / 2 + 4096);
    s->next_in = d;
    s->avail_in = n;
    s->next_out = out->data;
    s->avail_out = out->len;
    g_assert_cmpint(lzma_code(s, LZMA_FINISH), ==, LZMA_STREAM_END);
    g_byte_array_set_size(out, s->total_out);
    lzma_end(s);
    return out;
}

static GByteArray *comp_xz(const uint8_t *d, size_t n)
{
    lzma_stream s = LZMA_STREAM_INIT;
    g_assert_cmpint(lzma_easy_encoder(&s, 6, LZMA_CHECK_CRC32), ==, LZMA_OK);
    return comp_lzma_stream(&s, d, n);
}

static GByteArray *comp_lzma(const uint8_t *d, size_t n)
{
    lzma_stream s = LZMA_STREAM_INIT;
    lzma_options_lzma opt;
    lzma_lzma_preset(&opt, 6);
    g_assert_cmpint(lzma_alone_encoder(&s, &opt), ==, LZMA_OK);
    return comp_lzma_stream(&s, d, n);
}

/* lz4's legacy frame, as `lz4 -l` writes it for the kernel. Small blocks
 * (64 KiB) so a test image has several. */
static GByteArray *comp_lz4(const uint8_t *d, size_t n)
{
    GByteArray *out = g_byte_array_new();
    uint8_t hdr[4];
    stl_le_p(hdr, 0x184c2102);
    g_byte_array_append(out, hdr, 4);
    for (size_t off = 0; off < n; off += 65536) {
        int in = MIN(n - off, 65536);
        int bound = LZ4_compressBound(in);
        guint at = out->len;
        g_byte_array_set_size(out, at + 4 + bound);
        int c = LZ4_compress_default((const char *)d + off,
                                     (char *)out->data + at + 4, in, bound);
        g_assert_cmpint(c, >, 0);
        stl_le_p(out->data + at, c);
        g_byte_array_set_size(out, at + 4 + c);
    }
    return out;
}

static GByteArray *comp_zstd(const uint8_t *d, size_t n)
{
    GByteArray *out = g_byte_array_new();
    g_byte_array_set_size(out, ZSTD_compressBound(n));
    /* with the content checksum, as the zstd tool writes by default */
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, 19);
    ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
    size_t c = ZSTD_compress2(cc, out->data, out->len, d, n);
    ZSTD_freeCCtx(cc);
    g_assert_false(ZSTD_isError(c));
    g_byte_array_set_size(out, c);
    return out;
}

typedef struct Method {
    LinuxCompression c;
    const char *name;
    GByteArray *(*compress)(const uint8_t *d, size_t n);
} Method;

static const Method methods[] = {
    { LINUX_COMP_GZIP, "gzip", comp_gzip },
    { LINUX_COMP_BZIP2, "bzip2", comp_bzip2 },
    { LINUX_COMP_LZMA, "lzma", comp_lzma },
    { LINUX_COMP_XZ, "xz", comp_xz },
    { LINUX_COMP_LZ4, "lz4", comp_lz4 },
    { LINUX_COMP_ZSTD, "zstd", comp_zstd },
};

/* compressed stream + 32-bit size, as the kernel build appends it */
static GByteArray *payload_for(const Method *m, const uint8_t *d, size_t n,
                               uint32_t declared)
{
    GByteArray *p = m->compress(d, n);
    uint8_t sz[4];
    stl_le_p(sz, declared);
    g_byte_array_append(p, sz, 4);
    return p;
}

static void test_roundtrip(gconstpointer opaque)
{
    const Method *m = opaque;
    g_autoptr(GByteArray) data = sample(300 * 1024);
    g_autoptr(GByteArray) p = payload_for(m, data->data, data->len,
                                          data->len);
    LinuxCompression got;
    size_t outlen = 0;
    g_autoptr(GError) err = NULL;

    g_assert_cmpint(linux_payload_compression(p->data, p->len), ==, m->c);
    g_assert_cmpstr(linux_compression_name(m->c), ==, m->name);
    g_autofree uint8_t *out = linux_payload_decompress(p->data, p->len,
                                                       64 * MiB, &outlen,
                                                       &got, &err);
    g_assert_no_error(err);
    g_assert_nonnull(out);
    g_assert_cmpint(got, ==, m->c);
    g_assert_cmpuint(outlen, ==, data->len);
    g_assert_true(memcmp(out, data->data, outlen) == 0);
}

/* Every kind of bad payload fails with one message, never more output
 * than declared, never an allocation above max_out. */
static void test_bad_payloads(gconstpointer opaque)
{
    const Method *m = opaque;
    g_autoptr(GByteArray) data = sample(200 * 1024);
    g_autoptr(GByteArray) good = payload_for(m, data->data, data->len,
                                             data->len);
    size_t clen = good->len - 4;
    enum { TRUNC, CORRUPT, BOMB, SHORT_OUT, HUGE, ZERO, TINY, BIGGER_CAP };
    static const char *const what[] = {
        "truncated", "corrupt", "bomb: declares less than it holds",
        "declares more than it holds", "declares more than max_out",
        "declares 0", "8 bytes", "declared size over the hard ceiling",
    };
    for (int k = 0; k <= BIGGER_CAP; k++) {
        g_autoptr(GByteArray) p = g_byte_array_new();
        uint64_t max_out = 64 * MiB;
        uint8_t sz[4];
        g_byte_array_append(p, good->data, clen);
        uint32_t declared = data->len;
        switch (k) {
        case TRUNC:
            g_byte_array_set_size(p, clen / 2);
            break;
        case CORRUPT:
            for (size_t i = clen / 3; i < clen / 3 + 64; i++) {
                p->data[i] ^= 0x5a;
            }
            break;
        case BOMB:
            declared = data->len / 4;
            break;
        case SHORT_OUT:
            declared = data->len + 4096;
            break;
        case HUGE:
            declared = 0xfffffff0u;
            max_out = 1 * MiB;
            break;
        case ZERO:
            declared = 0;
            break;
        case TINY:
            g_byte_array_set_size(p, 4);
            break;
        case BIGGER_CAP:
            declared = 0xfffffff0u;
            max_out = UINT64_MAX;
            break;
        }
        stl_le_p(sz, declared);
        g_byte_array_append(p, sz, 4);
        LinuxCompression got;
        size_t outlen = 0;
        g_autoptr(GError) err = NULL;
        uint8_t *out = linux_payload_decompress(p->data, p->len, max_out,
                                                &outlen, &got, &err);
        if (g_test_verbose()) {
            g_test_message("%s %s: %s", m->name, what[k],
                           err ? err->message : "accepted");
        }
        if (k == CORRUPT && m->c == LINUX_COMP_LZ4 && out) {
            /* lz4's legacy frame has no checksum: flipped literals can
             * decode; the output size is still bounded */
            g_assert_cmpuint(outlen, ==, data->len);
            g_free(out);
            continue;
        }
        g_assert_null(out);
        g_assert_nonnull(err);
        g_assert_null(strchr(err->message, '\n'));
    }
}

static void test_magic_table(void)
{
    static const struct {
        const char *what;
        uint8_t bytes[8];
        size_t len;
        LinuxCompression c;
    } cases[] = {
        { "empty", { 0 }, 0, LINUX_COMP_UNKNOWN },
        { "gzip", { 0x1f, 0x8b, 8 }, 3, LINUX_COMP_GZIP },
        { "gzip cut", { 0x1f }, 1, LINUX_COMP_UNKNOWN },
        { "bzip2", { 'B', 'Z', 'h', '9' }, 4, LINUX_COMP_BZIP2 },
        { "lzma", { 0x5d, 0, 0, 0x80 }, 4, LINUX_COMP_LZMA },
        { "xz", { 0xfd, '7', 'z', 'X', 'Z', 0 }, 6, LINUX_COMP_XZ },
        { "xz cut", { 0xfd, '7', 'z', 'X', 'Z' }, 5, LINUX_COMP_UNKNOWN },
        { "lzo", { 0x89, 'L', 'Z', 'O', 0 }, 5, LINUX_COMP_LZO },
        { "lz4", { 0x02, 0x21, 0x4c, 0x18 }, 4, LINUX_COMP_LZ4 },
        { "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4, LINUX_COMP_ZSTD },
        { "ELF", { 0x7f, 'E', 'L', 'F' }, 4, LINUX_COMP_UNKNOWN },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_assert_cmpint(linux_payload_compression(cases[i].bytes,
                                                  cases[i].len), ==,
                        cases[i].c);
    }
    /* unknown and lzo payloads: one-line errors, nothing allocated */
    static const uint8_t unknown[12] = { 0x12, 0x34, 0x56, 0x78 };
    static const uint8_t lzo[12] = { 0x89, 'L', 'Z', 'O', 0 };
    const uint8_t *bad[] = { unknown, lzo };
    for (int i = 0; i < 2; i++) {
        LinuxCompression got;
        size_t outlen;
        g_autoptr(GError) err = NULL;
        g_assert_null(linux_payload_decompress(bad[i], 12, MiB, &outlen,
                                               &got, &err));
        g_assert_nonnull(err);
        g_assert_cmpint(got, ==, i ? LINUX_COMP_LZO : LINUX_COMP_UNKNOWN);
    }
}

/* ---- a synthetic bzImage around a payload --------------------------- */

#define SETUP_SIZE (5 * 512)
#define PM_STUB 0x200               /* bytes before the payload */

static GByteArray *make_bzimage(uint16_t version, const GByteArray *payload)
{
    GByteArray *img = g_byte_array_new();
    g_byte_array_set_size(img, SETUP_SIZE + PM_STUB + payload->len);
    uint8_t *d = img->data;
    memset(d, 0, img->len);
    d[0x1f1] = 4;
    d[0x1fe] = 0x55;
    d[0x1ff] = 0xaa;
    d[0x200] = 0xeb;
    d[0x201] = 0x66;                          /* header ends at 0x268 */
    memcpy(d + 0x202, "HdrS", 4);
    d[0x206] = version & 0xff;
    d[0x207] = version >> 8;
    d[0x211] = 0x01;
    stl_le_p(d + 0x214, 0x100000);
    stl_le_p(d + 0x22c, 0x7fffffff);
    stl_le_p(d + 0x238, 2047);
    stl_le_p(d + 0x248, PM_STUB);
    stl_le_p(d + 0x24c, payload->len);
    stl_le_p(d + 0x260, 4 * MiB);                /* init_size */
    memcpy(d + SETUP_SIZE + PM_STUB, payload->data, payload->len);
    return img;
}

static void test_payload_fields(void)
{
    g_autoptr(GByteArray) pl = g_byte_array_new();
    g_byte_array_set_size(pl, 64);
    memset(pl->data, 0xab, 64);
    g_autoptr(GByteArray) img = make_bzimage(0x20f, pl);
    const uint8_t *p;
    size_t plen;
    g_autoptr(GError) err = NULL;

    g_assert_true(linux_payload_find(img->data, img->len, &p, &plen, &err));
    g_assert_true(p == img->data + SETUP_SIZE + PM_STUB);
    g_assert_cmpuint(plen, ==, 64);

    static const struct {
        const char *what;
        uint32_t off, val;
        size_t cut;
    } bad[] = {
        { "protocol 2.07", 0x206, 0x0207, 0 },
        { "offset past the file", 0x248, 0x7fffffff, 0 },
        { "length past the file", 0x24c, 65, 0 },
        { "length below 8", 0x24c, 7, 0 },
        { "file cut inside the payload", 0, 0, 10 },
        { "file cut before the header", 0, 0, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GByteArray) b = g_byte_array_new();
        g_byte_array_append(b, img->data, img->len);
        if (bad[i].off == 0x206) {
            b->data[0x206] = bad[i].val & 0xff;
            b->data[0x207] = bad[i].val >> 8;
        } else if (bad[i].off) {
            stl_le_p(b->data + bad[i].off, bad[i].val);
        } else if (bad[i].cut) {
            g_byte_array_set_size(b, b->len - bad[i].cut);
        } else {
            g_byte_array_set_size(b, 0x240);
        }
        g_autoptr(GError) e = NULL;
        g_assert_false(linux_payload_find(b->data, b->len, &p, &plen, &e));
        g_assert_nonnull(e);
    }
}

/* ---- ELF with a PVH note -------------------------------------------- */

#define ELF_LOAD 0x200000
#define ELF_CODE 0x1000
#define PVH_ENTRY (ELF_LOAD + 0x10)

/* A 64-bit ELF: one PT_LOAD at ELF_LOAD (code, plus bss), one PT_NOTE
 * holding a dummy note then the Xen PHYS32_ENTRY note. */
static GByteArray *make_elf(uint32_t note_desc_len, uint64_t seg2_paddr)
{
    GByteArray *a = g_byte_array_new();
    size_t phoff = sizeof(Elf64_Ehdr), nph = seg2_paddr ? 3 : 2;
    size_t noteoff = phoff + nph * sizeof(Elf64_Phdr);
    uint8_t note[64] = { 0 };
    size_t nlen = 0;
    /* "GNU" type 3, 4-byte desc */
    stl_le_p(note, 4);
    stl_le_p(note + 4, 4);
    stl_le_p(note + 8, 3);
    memcpy(note + 12, "GNU", 4);
    nlen = 20;
    stl_le_p(note + nlen, 4);
    stl_le_p(note + nlen + 4, note_desc_len);
    stl_le_p(note + nlen + 8, 18);
    memcpy(note + nlen + 12, "Xen", 4);
    stl_le_p(note + nlen + 16, PVH_ENTRY);
    nlen += 16 + ((note_desc_len + 3) & ~3u);
    size_t codeoff = 0x1000;
    g_byte_array_set_size(a, codeoff + ELF_CODE);
    memset(a->data, 0, a->len);
    Elf64_Ehdr eh = { 0 };
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = ET_EXEC;
    eh.e_machine = EM_X86_64;
    eh.e_entry = 0xffffffff81000000ull;
    eh.e_phoff = phoff;
    eh.e_ehsize = sizeof(eh);
    eh.e_phentsize = sizeof(Elf64_Phdr);
    eh.e_phnum = nph;
    memcpy(a->data, &eh, sizeof(eh));
    Elf64_Phdr ph[3] = {
        { .p_type = PT_LOAD, .p_offset = codeoff, .p_paddr = ELF_LOAD,
          .p_vaddr = 0xffffffff80000000ull + ELF_LOAD, .p_filesz = ELF_CODE,
          .p_memsz = ELF_CODE + 0x3000 },
        { .p_type = PT_NOTE, .p_offset = noteoff, .p_filesz = nlen,
          .p_memsz = nlen },
        { .p_type = PT_LOAD, .p_offset = codeoff, .p_paddr = seg2_paddr,
          .p_filesz = 0x100, .p_memsz = 0x100 },
    };
    memcpy(a->data + phoff, ph, nph * sizeof(Elf64_Phdr));
    memcpy(a->data + noteoff, note, nlen);
    for (size_t i = 0; i < ELF_CODE; i++) {
        a->data[codeoff + i] = 0x90 + (i & 7);
    }
    return a;
}

static void test_pvh_note(void)
{
    g_autoptr(GByteArray) elf = make_elf(4, 0);
    uint32_t entry = 0;
    const uint8_t *desc;
    uint32_t dlen;

    g_assert_true(x86_pvh_note_entry(elf->data, elf->len, &entry));
    g_assert_cmphex(entry, ==, PVH_ENTRY);
    g_assert_true(elf_find_note(elf->data, elf->len, "GNU", 3, &desc,
                                &dlen));
    g_assert_false(elf_find_note(elf->data, elf->len, "Xen", 17, &desc,
                                 &dlen));
    g_assert_false(elf_find_note(elf->data, elf->len, "Xe", 18, &desc,
                                 &dlen));

    /* bad inputs: never found, never read out of bounds */
    g_autoptr(GByteArray) odd = make_elf(3, 0);
    g_assert_false(x86_pvh_note_entry(odd->data, odd->len, &entry));
    g_autoptr(GByteArray) e8 = make_elf(8, 0);
    g_assert_true(x86_pvh_note_entry(e8->data, e8->len, &entry));
    e8->data[sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr) + 20 + 16 + 5] = 1;
    g_assert_false(x86_pvh_note_entry(e8->data, e8->len, &entry));
    for (size_t cut = 0; cut < 0x200; cut += 7) {
        x86_pvh_note_entry(elf->data, cut, &entry);
    }
    g_autoptr(GByteArray) huge = make_elf(4, 0);
    size_t xen = sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr) + 20;
    stl_le_p(huge->data + xen, 0xfffffff0);        /* namesz */
    g_assert_false(x86_pvh_note_entry(huge->data, huge->len, &entry));
    stl_le_p(huge->data + xen, 4);
    stl_le_p(huge->data + xen + 4, 0xfffffffc);    /* descsz */
    g_assert_false(x86_pvh_note_entry(huge->data, huge->len, &entry));
    g_assert_false(x86_pvh_note_entry((const uint8_t *)"\x7f" "ELF", 4,
                                      &entry));
}

/* ---- loading into guest RAM ----------------------------------------- */

#define RAM_SIZE (32 * MiB)
static MemoryRegion ram;
static X86MemoryLayout layout;

static void ram_read(uint64_t addr, void *buf, size_t len)
{
    g_assert_cmpint(address_space_read(&address_space_memory, addr,
                                       MEMTXATTRS_UNSPECIFIED, buf, len), ==,
                    MEMTX_OK);
}

static void ram_clear(void)
{
    g_autofree uint8_t *z = g_malloc0(RAM_SIZE);
    g_assert_true(x86_write_guest(0, z, RAM_SIZE, NULL));
}

static char *tmp_file(const char *name, const void *d, size_t len)
{
    char *path = g_build_filename(g_get_tmp_dir(), name, NULL);
    g_autofree char *unique = g_strdup_printf("%s.%d", path, getpid());
    g_free(path);
    g_assert_true(g_file_set_contents(unique, d, len, NULL));
    return g_steal_pointer(&unique);
}

static void check_start_info(const char *cmdline, bool with_initrd)
{
    uint8_t info[56], mem[24];
    char cmd[256] = { 0 };
    ram_read(0x10000, info, sizeof(info));
    g_assert_cmphex(ldl_le_p(info), ==, 0x336ec578);
    g_assert_cmpuint(ldl_le_p(info + 4), ==, 1);
    g_assert_cmpuint(ldl_le_p(info + 12), ==, with_initrd ? 1 : 0);
    g_assert_cmpuint(ldl_le_p(info + 48), ==, layout.e820_count);
    ram_read(ldl_le_p(info + 24), cmd, sizeof(cmd) - 1);
    g_assert_cmpstr(cmd, ==, cmdline);
    ram_read(ldl_le_p(info + 40) + 24 * 3, mem, sizeof(mem));
    g_assert_cmphex(ldl_le_p(mem), ==, layout.e820[3].addr);
    g_assert_cmphex(ldl_le_p(mem + 8), ==, layout.e820[3].size);
    g_assert_cmpuint(ldl_le_p(mem + 16), ==, layout.e820[3].type);
}

static void test_pvh_load(void)
{
    g_autoptr(GByteArray) elf = make_elf(4, 0);
    X86BootEntry entry = { 0 };
    g_autoptr(GError) err = NULL;
    uint8_t code[16], bss[16], zero[16] = { 0 };

    ram_clear();
    g_assert_true(x86_load_pvh(elf->data, elf->len, "vmlinux", NULL, 0,
                               "console=ttyS0", &layout, 0x7fffffff, &entry,
                               &err));
    g_assert_no_error(err);
    g_assert_cmphex(entry.eip, ==, PVH_ENTRY);
    g_assert_cmphex(entry.ebx, ==, 0x10000);
    g_assert_cmpuint(entry.code_sel, ==, 0x10);
    ram_read(ELF_LOAD, code, sizeof(code));
    g_assert_cmphex(code[1], ==, 0x91);
    memset(bss, 0xff, sizeof(bss));
    g_assert_true(x86_write_guest(ELF_LOAD + ELF_CODE + 16, bss, 16, NULL));
    check_start_info("console=ttyS0", false);

    /* initrd as module 0, page aligned at the top of RAM */
    static const char initrd_data[] = "initrd contents";
    g_assert_true(x86_load_pvh(elf->data, elf->len, "vmlinux",
                               (const uint8_t *)initrd_data,
                               sizeof(initrd_data), "",
                               &layout, 0x7fffffff, &entry, &err));
    g_assert_no_error(err);
    ram_read(ELF_LOAD + ELF_CODE + 16, bss, sizeof(bss));
    g_assert_true(memcmp(bss, zero, 16) == 0);       /* bss zeroed */
    check_start_info("", true);
    uint8_t mod[32];
    char got[sizeof(initrd_data)];
    ram_read(0x10040, mod, sizeof(mod));
    g_assert_cmphex(ldl_le_p(mod), ==, (RAM_SIZE - 4096));
    g_assert_cmpuint(ldl_le_p(mod + 8), ==, sizeof(initrd_data));
    ram_read(ldl_le_p(mod), got, sizeof(got));
    g_assert_cmpstr(got, ==, initrd_data);

    /* bad inputs: one error each, nothing loaded */
    static const struct {
        const char *what;
        uint64_t seg2;
    } bad[] = {
        { "segments overlap", ELF_LOAD + 0x2000 },
        { "segment past RAM", RAM_SIZE - 0x80 },
        { "segment below 1 MiB", 0x8000 },
        { "segment at 4 GiB - 1", 0xffffff00ull },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GByteArray) b = make_elf(4, bad[i].seg2);
        g_autoptr(GError) e = NULL;
        g_assert_false(x86_load_pvh(b->data, b->len, "vmlinux", NULL, 0, "",
                                    &layout, 0x7fffffff, &entry, &e));
        g_assert_nonnull(e);
        if (g_test_verbose()) {
            g_test_message("%s: %s", bad[i].what, e->message);
        }
    }
    /* the entry point outside every loaded segment */
    g_autoptr(GByteArray) b = make_elf(4, 0);
    stl_le_p(b->data + sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr) + 36,
          0x300000);
    g_autoptr(GError) e = NULL;
    g_assert_false(x86_load_pvh(b->data, b->len, "vmlinux", NULL, 0, "",
                                &layout, 0x7fffffff, &entry, &e));
    g_assert_nonnull(e);
    /* an initrd that does not fit above the kernel */
    g_autoptr(GError) e2 = NULL;
    g_autofree uint8_t *big = g_malloc0(RAM_SIZE - 2 * MiB);
    g_assert_false(x86_load_pvh(elf->data, elf->len, "vmlinux", big,
                                RAM_SIZE - 2 * MiB, "", &layout, 0x7fffffff,
                                &entry, &e2));
    g_assert_nonnull(e2);
}

/* x86_load_kernel: a bzImage whose payload is a gzip'd PVH ELF goes the
 * host path; a broken payload falls back to the 32-bit entry at
 * code32_start; -kernel on the ELF itself takes PVH too. */
static void test_load_kernel_paths(void)
{
    g_autoptr(GByteArray) elf = make_elf(4, 0);
    X86BootEntry entry;
    g_autoptr(GError) err = NULL;

    for (size_t m = 0; m < G_N_ELEMENTS(methods); m++) {
        g_autoptr(GByteArray) pl = payload_for(&methods[m], elf->data,
                                               elf->len, elf->len);
        g_autoptr(GByteArray) img = make_bzimage(0x20f, pl);
        g_autofree char *k = tmp_file("kvmu-bz", img->data, img->len);
        ram_clear();
        x86_set_kernel_decompress(true);
        g_assert_true(x86_load_kernel(k, NULL, "quiet", &layout, &entry,
                                      &err));
        g_assert_no_error(err);
        g_assert_cmphex(entry.eip, ==, PVH_ENTRY);
        g_assert_cmphex(entry.ebx, ==, 0x10000);
        check_start_info("quiet", false);

        /* kernel-decompress=off: the bzImage's own 32-bit entry */
        x86_set_kernel_decompress(false);
        g_assert_true(x86_load_kernel(k, NULL, "quiet", &layout, &entry,
                                      &err));
        g_assert_no_error(err);
        g_assert_cmphex(entry.eip, ==, 0x100000);
        g_assert_cmphex(entry.esi, ==, 0x10000);
        g_assert_cmphex(entry.ebx, ==, 0);
        x86_set_kernel_decompress(true);
        unlink(k);
    }

    /* fallbacks: a corrupt payload, an old protocol, a payload that is
     * not a PVH kernel -> the 32-bit bzImage entry, still a success */
    g_autoptr(GByteArray) pl = payload_for(&methods[0], elf->data, elf->len,
                                           elf->len);
    g_autoptr(GByteArray) plain = g_byte_array_new();
    g_byte_array_append(plain, elf->data, elf->len);
    plain->data[sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr)] = PT_NULL;
    g_autoptr(GByteArray) nopvh = payload_for(&methods[0], plain->data,
                                              plain->len, plain->len);
    for (int k = 0; k < 3; k++) {
        g_autoptr(GByteArray) img = make_bzimage(k == 1 ? 0x207 : 0x20f,
                                                 k == 2 ? nopvh : pl);
        if (k == 0) {
            img->data[SETUP_SIZE + PM_STUB + 40] ^= 0xff;
        }
        g_autofree char *kf = tmp_file("kvmu-bz-bad", img->data, img->len);
        g_assert_true(x86_load_kernel(kf, NULL, "", &layout, &entry, &err));
        g_assert_no_error(err);
        g_assert_cmphex(entry.eip, ==, 0x100000);
        g_assert_cmphex(entry.esi, ==, 0x10000);
        unlink(kf);
    }

    /* a payload without the PVH note but with a 64-bit e_entry in the
     * kernel: the 64-bit boot protocol with kvmu's page tables */
    g_autoptr(GByteArray) k64 = g_byte_array_new();
    g_byte_array_append(k64, plain->data, plain->len);
    uint64_t e64 = 0xffffffff80000000ull + ELF_LOAD + 0x20;
    memcpy(k64->data + offsetof(Elf64_Ehdr, e_entry), &e64, 8);
    g_autoptr(GByteArray) pl64 = payload_for(&methods[3], k64->data,
                                             k64->len, k64->len);
    g_autoptr(GByteArray) img64 = make_bzimage(0x20f, pl64);
    g_autofree char *kf64 = tmp_file("kvmu-bz-64", img64->data, img64->len);
    ram_clear();
    g_assert_true(x86_load_kernel(kf64, NULL, "nokaslr", &layout, &entry,
                                  &err));
    g_assert_no_error(err);
    g_assert_true(entry.long_mode);
    g_assert_cmphex(entry.eip, ==, ELF_LOAD + 0x20);
    g_assert_cmphex(entry.esi, ==, 0x10000);
    g_assert_cmphex(entry.cr3, ==, 0x9000);
    g_assert_cmpuint(entry.code_sel, ==, 0x10);
    uint8_t pte[8], gdt[32], bp[0x300];
    ram_read(0x9000, pte, 8);                       /* PML4[0] -> PDPT */
    g_assert_cmphex(ldl_le_p(pte), ==, 0xa003);
    ram_read(0xa000 + 8 * 3, pte, 8);               /* PDPT[3] -> PD 3 */
    g_assert_cmphex(ldl_le_p(pte), ==, 0xe003);
    ram_read(0xe000 + 8 * 511, pte, 8);             /* 4 GiB - 2 MiB */
    g_assert_cmphex(ldl_le_p(pte), ==, 0xffe00083);
    ram_read(entry.gdt_base, gdt, sizeof(gdt));
    g_assert_cmphex(gdt[0x10 + 6], ==, 0xaf);        /* L=1, D=0 */
    ram_read(0x10000, bp, sizeof(bp));
    g_assert_cmphex(ldl_le_p(bp + 0x228), ==, 0x20000);  /* cmd_line_ptr */
    g_assert_cmpuint(bp[0x1e8], ==, layout.e820_count);
    /* initrd errors are the user's on either path: an error, no fallback */
    g_autoptr(GError) e3 = NULL;
    g_assert_false(x86_load_kernel(kf64, "/nonexistent/initrd", "", &layout,
                                   &entry, &e3));
    g_assert_nonnull(e3);
    g_assert_nonnull(strstr(e3->message, "error reading initrd"));
    unlink(kf64);

    /* -kernel vmlinux: an ELF with the PVH note */
    g_autofree char *v = tmp_file("kvmu-vmlinux", elf->data, elf->len);
    g_assert_true(x86_load_kernel(v, NULL, "root=/dev/vda", &layout, &entry,
                                  &err));
    g_assert_no_error(err);
    g_assert_cmphex(entry.eip, ==, PVH_ENTRY);
    check_start_info("root=/dev/vda", false);
    unlink(v);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    memory_init();
    bql_lock();
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", RAM_SIZE, NULL));
    memory_region_add_subregion(get_system_memory(), 0, &ram);
    x86_memory_layout_init(&layout, RAM_SIZE, 0);

    for (size_t i = 0; i < G_N_ELEMENTS(methods); i++) {
        g_autofree char *rt = g_strdup_printf("/linux-decompress/%s/roundtrip",
                                              methods[i].name);
        g_autofree char *bad = g_strdup_printf("/linux-decompress/%s/bad",
                                               methods[i].name);
        g_test_add_data_func(rt, &methods[i], test_roundtrip);
        g_test_add_data_func(bad, &methods[i], test_bad_payloads);
    }
    g_test_add_func("/linux-decompress/magic", test_magic_table);
    g_test_add_func("/linux-decompress/payload-fields", test_payload_fields);
    g_test_add_func("/pvh/note", test_pvh_note);
    g_test_add_func("/pvh/load", test_pvh_load);
    g_test_add_func("/pvh/load-kernel-paths", test_load_kernel_paths);
    return g_test_run();
}
