/*
 * fw_cfg, the firmware configuration device, I/O port flavour (QEMU's
 * docs/specs/fw_cfg.rst): selector (0x510, 16-bit writes), data (0x511,
 * byte reads advancing an offset, zeros past the end), the file
 * directory, and the DMA interface (0x514: big-endian FWCfgDmaAccess
 * address; control/length/address read from guest RAM, read/skip/select,
 * the control word written back 0 or with the error bit).
 * DMA writes reach only files added writable (fw_cfg_add_file_writable),
 * within their size; every other write fails with the error bit, as the
 * spec says for read-only items. The boot device list ("bootorder")
 * is collected here too (fw_cfg_boot_add/fw_cfg_boot_list).
 * Left out: the old port write channel (ignored, as in QEMU since 2.4),
 * the MMIO flavour, read callbacks.
 */
#include "hw/nvram/fw_cfg.h"
#include "hw/sysbus.h"
#include "migration/vmstate.h"
#include "util/error.h"

#include <string.h>

#define FW_CFG_ENTRIES (FW_CFG_FILE_FIRST + FW_CFG_FILE_SLOTS)
#define FW_CFG_INVALID 0xffff
#define FW_CFG_DMA_CHUNK 4096

typedef struct FWCfgEntry {
    uint8_t *data;
    uint32_t len;
} FWCfgEntry;

typedef struct FWCfgFile {
    char name[FW_CFG_MAX_FILE_PATH];
    uint8_t *data;
    uint32_t len;
    bool writable;
    FWCfgWriteCb *write_cb;
    void *write_opaque;
} FWCfgFile;

struct FWCfgState {
    SysBusDevice parent;
    FWCfgEntry entries[2][FW_CFG_FILE_FIRST]; /* [arch-local][key] */
    FWCfgFile files[FW_CFG_FILE_SLOTS];       /* sorted by name */
    unsigned nfiles;
    uint8_t *dir;                             /* FW_CFG_FILE_DIR contents */
    uint32_t dir_len;
    uint16_t cur_key;
    uint32_t cur_offset;
    uint64_t dma_addr;
    AddressSpace *dma_as;
    bool has_dma;
    MemoryRegion comb_io, dma_io;
};

#define FW_CFG(obj) OBJECT_CHECK(FWCfgState, (obj), TYPE_FW_CFG_IO)

static FWCfgState *fw_cfg_the;   /* the machine's one fw_cfg device */

FWCfgState *fw_cfg_find(void)
{
    return fw_cfg_the;
}

bool fw_cfg_dma_enabled(FWCfgState *s)
{
    return s->has_dma;
}

/* The bytes of item key, or NULL (len 0) if there is none. */
static const uint8_t *fw_cfg_item(FWCfgState *s, uint16_t key, uint32_t *len)
{
    uint16_t idx = key & ~(FW_CFG_ARCH_LOCAL | FW_CFG_WRITE_CHANNEL);
    bool arch = key & FW_CFG_ARCH_LOCAL;

    *len = 0;
    if (key == FW_CFG_INVALID) {
        return NULL;
    }
    if (!arch && idx == FW_CFG_FILE_DIR) {
        *len = s->dir_len;
        return s->dir;
    }
    if (!arch && idx >= FW_CFG_FILE_FIRST && idx < FW_CFG_ENTRIES) {
        unsigned n = idx - FW_CFG_FILE_FIRST;
        if (n >= s->nfiles) {
            return NULL;
        }
        *len = s->files[n].len;
        return s->files[n].data;
    }
    if (idx < FW_CFG_FILE_FIRST) {
        *len = s->entries[arch][idx].len;
        return s->entries[arch][idx].data;
    }
    return NULL;
}

/* The file behind key if it was added writable, else NULL. */
static FWCfgFile *fw_cfg_writable_file(FWCfgState *s, uint16_t key)
{
    uint16_t idx = key & ~(FW_CFG_ARCH_LOCAL | FW_CFG_WRITE_CHANNEL);
    if (key == FW_CFG_INVALID || (key & FW_CFG_ARCH_LOCAL) ||
        idx < FW_CFG_FILE_FIRST || idx >= FW_CFG_ENTRIES ||
        idx - FW_CFG_FILE_FIRST >= s->nfiles) {
        return NULL;
    }
    FWCfgFile *f = &s->files[idx - FW_CFG_FILE_FIRST];
    return f->writable ? f : NULL;
}

static void fw_cfg_select(FWCfgState *s, uint16_t key)
{
    uint16_t idx = key & ~(FW_CFG_ARCH_LOCAL | FW_CFG_WRITE_CHANNEL);
    s->cur_offset = 0;
    s->cur_key = idx < FW_CFG_ENTRIES ? key : FW_CFG_INVALID;
}

/* ---- items ------------------------------------------------------------ */

void fw_cfg_add_bytes(FWCfgState *s, uint16_t key, const void *data,
                      size_t len)
{
    uint16_t idx = key & ~FW_CFG_ARCH_LOCAL;
    g_assert(idx < FW_CFG_FILE_FIRST && idx != FW_CFG_FILE_DIR &&
             len <= UINT32_MAX);
    FWCfgEntry *e = &s->entries[!!(key & FW_CFG_ARCH_LOCAL)][idx];
    g_free(e->data);
    e->data = g_memdup2(data, len);
    e->len = len;
}

void fw_cfg_add_string(FWCfgState *s, uint16_t key, const char *value)
{
    fw_cfg_add_bytes(s, key, value, strlen(value) + 1);
}

void fw_cfg_add_i16(FWCfgState *s, uint16_t key, uint16_t value)
{
    uint16_t le = GUINT16_TO_LE(value);
    fw_cfg_add_bytes(s, key, &le, sizeof(le));
}

void fw_cfg_add_i32(FWCfgState *s, uint16_t key, uint32_t value)
{
    uint32_t le = GUINT32_TO_LE(value);
    fw_cfg_add_bytes(s, key, &le, sizeof(le));
}

void fw_cfg_add_i64(FWCfgState *s, uint16_t key, uint64_t value)
{
    uint64_t le = GUINT64_TO_LE(value);
    fw_cfg_add_bytes(s, key, &le, sizeof(le));
}

/* Directory: u32 count, then {u32 size, u16 select, u16 0, name[56]},
 * all big-endian, files in name order. */
static void fw_cfg_rebuild_dir(FWCfgState *s)
{
    g_free(s->dir);
    s->dir_len = 4 + 64 * s->nfiles;
    s->dir = g_malloc0(s->dir_len);
    uint32_t count = GUINT32_TO_BE(s->nfiles);
    memcpy(s->dir, &count, 4);
    for (unsigned i = 0; i < s->nfiles; i++) {
        uint8_t *e = s->dir + 4 + 64 * i;
        uint32_t size = GUINT32_TO_BE(s->files[i].len);
        uint16_t sel = GUINT16_TO_BE(FW_CFG_FILE_FIRST + i);
        memcpy(e, &size, 4);
        memcpy(e + 4, &sel, 2);
        memcpy(e + 8, s->files[i].name, FW_CFG_MAX_FILE_PATH);
    }
}

bool fw_cfg_add_file(FWCfgState *s, const char *name, const void *data,
                     size_t len, GError **errp)
{
    if (strlen(name) >= FW_CFG_MAX_FILE_PATH) {
        error_setg(errp, "fw_cfg: file name too long: %s", name);
        return false;
    }
    if (len > UINT32_MAX) {
        error_setg(errp, "fw_cfg: file %s is too large", name);
        return false;
    }
    if (s->nfiles == FW_CFG_FILE_SLOTS) {
        error_setg(errp, "fw_cfg: no room for file %s (%d files max)", name,
                   FW_CFG_FILE_SLOTS);
        return false;
    }
    unsigned pos = 0;
    while (pos < s->nfiles && strcmp(s->files[pos].name, name) < 0) {
        pos++;
    }
    if (pos < s->nfiles && !strcmp(s->files[pos].name, name)) {
        error_setg(errp, "fw_cfg: duplicate fw_cfg file name: %s", name);
        return false;
    }
    memmove(&s->files[pos + 1], &s->files[pos],
            (s->nfiles - pos) * sizeof(s->files[0]));
    memset(&s->files[pos], 0, sizeof(s->files[pos]));
    g_strlcpy(s->files[pos].name, name, FW_CFG_MAX_FILE_PATH);
    s->files[pos].data = g_memdup2(data, len);
    s->files[pos].len = len;
    s->nfiles++;
    fw_cfg_rebuild_dir(s);
    return true;
}

bool fw_cfg_add_file_writable(FWCfgState *s, const char *name,
                              const void *data, size_t len,
                              FWCfgWriteCb *cb, void *opaque, GError **errp)
{
    if (!fw_cfg_add_file(s, name, data, len, errp)) {
        return false;
    }
    FWCfgFile *f = &s->files[fw_cfg_file_key(s, name) - FW_CFG_FILE_FIRST];
    f->writable = true;
    f->write_cb = cb;
    f->write_opaque = opaque;
    return true;
}

bool fw_cfg_modify_file(FWCfgState *s, const char *name, const void *data,
                        size_t len)
{
    int key = fw_cfg_file_key(s, name);
    if (key < 0 || len > UINT32_MAX) {
        return false;
    }
    FWCfgFile *f = &s->files[key - FW_CFG_FILE_FIRST];
    g_free(f->data);
    f->data = g_memdup2(data, len);
    f->len = len;
    if (s->cur_key == key) {
        s->cur_offset = MIN(s->cur_offset, f->len);
    }
    fw_cfg_rebuild_dir(s);
    return true;
}

const void *fw_cfg_file_data(FWCfgState *s, const char *name, size_t *len)
{
    int key = fw_cfg_file_key(s, name);
    if (key < 0) {
        *len = 0;
        return NULL;
    }
    *len = s->files[key - FW_CFG_FILE_FIRST].len;
    return s->files[key - FW_CFG_FILE_FIRST].data;
}

int fw_cfg_file_key(FWCfgState *s, const char *name)
{
    for (unsigned i = 0; i < s->nfiles; i++) {
        if (!strcmp(s->files[i].name, name)) {
            return FW_CFG_FILE_FIRST + i;
        }
    }
    return -1;
}

/* ---- the boot device list ("bootorder") ------------------------------ */

typedef struct FWBootEntry {
    int32_t bootindex;
    char *path;
} FWBootEntry;

static GArray *boot_entries;     /* FWBootEntry, in bootindex order */

void fw_cfg_boot_add(int32_t bootindex, const char *path)
{
    if (bootindex < 0) {
        return;                  /* -1: not in the list */
    }
    if (!boot_entries) {
        boot_entries = g_array_new(false, false, sizeof(FWBootEntry));
    }
    guint pos = 0;
    /* equal indexes keep their order of arrival */
    while (pos < boot_entries->len &&
           g_array_index(boot_entries, FWBootEntry, pos).bootindex <=
           bootindex) {
        pos++;
    }
    FWBootEntry e = { bootindex, g_strdup(path) };
    g_array_insert_val(boot_entries, pos, e);
}

void fw_cfg_boot_del(const char *path)
{
    for (guint i = 0; boot_entries && i < boot_entries->len; i++) {
        FWBootEntry *e = &g_array_index(boot_entries, FWBootEntry, i);
        if (!strcmp(e->path, path)) {
            g_free(e->path);
            g_array_remove_index(boot_entries, i);
            return;
        }
    }
}

bool fw_cfg_boot_check(int32_t bootindex, GError **errp)
{
    for (guint i = 0; bootindex >= 0 && boot_entries &&
                      i < boot_entries->len; i++) {
        if (g_array_index(boot_entries, FWBootEntry, i).bootindex ==
            bootindex) {
            error_setg(errp, "The bootindex %d has already been used",
                       bootindex);
            return false;
        }
    }
    return true;
}

void fw_cfg_boot_clear(void)
{
    if (!boot_entries) {
        return;
    }
    for (guint i = 0; i < boot_entries->len; i++) {
        g_free(g_array_index(boot_entries, FWBootEntry, i).path);
    }
    g_array_set_size(boot_entries, 0);
}

/* The paths one a line ("\n" between them), NUL-terminated, and "HALT"
 * last if strict; an empty list is 0 bytes (QEMU's layout). */
uint8_t *fw_cfg_boot_list(bool strict, size_t *len)
{
    GString *s = g_string_new(NULL);
    guint n = boot_entries ? boot_entries->len : 0;
    for (guint i = 0; i < n; i++) {
        g_string_append(s, g_array_index(boot_entries, FWBootEntry,
                                         i).path);
        g_string_append_c(s, '\n');
    }
    if (strict && n) {
        g_string_append(s, "HALT\n");
    }
    if (!s->len) {
        *len = 0;
        g_string_free(s, true);
        return NULL;
    }
    s->str[s->len - 1] = 0;      /* the last newline becomes the NUL */
    *len = s->len;
    return (uint8_t *)g_string_free(s, false);
}

/* ---- port I/O --------------------------------------------------------- */

/*
 * One 2-byte region: a word write at offset 0 selects, a byte read at
 * offset 1 is the data port (writes there are ignored, as QEMU has done
 * since 2.4). Two regions would split the selector's word access.
 */
static uint64_t comb_read(void *opaque, hwaddr off, unsigned size)
{
    FWCfgState *s = opaque;
    uint32_t len;
    const uint8_t *p = fw_cfg_item(s, s->cur_key, &len);
    if (off != 1 || !p || s->cur_offset >= len) {
        return 0;
    }
    return p[s->cur_offset++];
}

static void comb_write(void *opaque, hwaddr off, uint64_t val, unsigned size)
{
    if (off == 0 && size == 2) {
        fw_cfg_select(opaque, val);
    }
}

static bool comb_accepts(void *opaque, hwaddr off, unsigned size,
                         bool is_write, MemTxAttrs attrs)
{
    return (off == 0 && size == 2) || (off == 1 && size == 1);
}

static const MemoryRegionOps comb_ops = {
    .read = comb_read,
    .write = comb_write,
    .valid = { .min_access_size = 1, .max_access_size = 2,
               .unaligned = true, .accepts = comb_accepts },
    .impl = { .min_access_size = 1, .max_access_size = 2,
              .unaligned = true },
};

/* ---- DMA -------------------------------------------------------------- */

static bool dma_zero(FWCfgState *s, uint64_t addr, uint32_t len)
{
    static const uint8_t zeros[FW_CFG_DMA_CHUNK];
    while (len) {
        uint32_t n = MIN(len, FW_CFG_DMA_CHUNK);
        if (dma_memory_write(s->dma_as, addr, zeros, n) != MEMTX_OK) {
            return false;
        }
        addr += n;
        len -= n;
    }
    return true;
}

/*
 * DMA write: length bytes from guest RAM at addr into the selected item
 * at the current offset. Only a writable file takes it, and only wholly
 * inside its size and from RAM; anything else changes nothing.
 */
static bool fw_cfg_dma_write_item(FWCfgState *s, uint64_t addr,
                                  uint32_t length)
{
    FWCfgFile *f = fw_cfg_writable_file(s, s->cur_key);
    if (!f || s->cur_offset > f->len || length > f->len - s->cur_offset) {
        return false;
    }
    if (!length) {
        return true;
    }
    if (!dma_memory_valid(s->dma_as, addr, length, false)) {
        return false;
    }
    g_autofree uint8_t *buf = g_malloc(length);
    if (dma_memory_read(s->dma_as, addr, buf, length) != MEMTX_OK) {
        return false;
    }
    uint32_t off = s->cur_offset;
    memcpy(f->data + off, buf, length);
    s->cur_offset += length;
    if (f->write_cb) {
        f->write_cb(f->write_opaque, off, length);
    }
    return true;
}

static void fw_cfg_dma_transfer(FWCfgState *s)
{
    uint64_t desc_addr = s->dma_addr;
    uint8_t desc[16];

    s->dma_addr = 0;
    if (dma_memory_read(s->dma_as, desc_addr, desc, sizeof(desc)) !=
        MEMTX_OK) {
        return;                  /* nowhere to report the error */
    }
    uint32_t control = (uint32_t)desc[0] << 24 | desc[1] << 16 |
                       desc[2] << 8 | desc[3];
    uint32_t length = (uint32_t)desc[4] << 24 | desc[5] << 16 |
                      desc[6] << 8 | desc[7];
    uint64_t addr = 0;
    for (int i = 8; i < 16; i++) {
        addr = addr << 8 | desc[i];
    }
    if (control & FW_CFG_DMA_CTL_SELECT) {
        fw_cfg_select(s, control >> 16);
    }

    bool error = false;
    if (control & FW_CFG_DMA_CTL_READ) {
        uint32_t len;
        const uint8_t *p = fw_cfg_item(s, s->cur_key, &len);
        /* all or nothing: the whole target must be RAM */
        if (!dma_memory_valid(s->dma_as, addr, length, true)) {
            error = true;
        } else {
            uint32_t avail = p && s->cur_offset < len ? len - s->cur_offset
                                                      : 0;
            uint32_t n = MIN(avail, length);
            if (n && dma_memory_write(s->dma_as, addr, p + s->cur_offset,
                                      n) != MEMTX_OK) {
                error = true;
            } else if (!dma_zero(s, addr + n, length - n)) {
                error = true;
            }
            s->cur_offset += n;
        }
    } else if (control & FW_CFG_DMA_CTL_WRITE) {
        error = !fw_cfg_dma_write_item(s, addr, length);
    } else if (control & FW_CFG_DMA_CTL_SKIP) {
        uint32_t len;
        fw_cfg_item(s, s->cur_key, &len);
        uint64_t end = (uint64_t)s->cur_offset + length;
        s->cur_offset = MIN(end, (uint64_t)MAX(len, s->cur_offset));
    }
    uint8_t done[4] = { 0, 0, 0, error ? FW_CFG_DMA_CTL_ERROR : 0 };
    dma_memory_write(s->dma_as, desc_addr, done, sizeof(done));
}

static uint64_t dma_read(void *opaque, hwaddr off, unsigned size)
{
    /* the signature, big-endian: bytes "QEMU CFG" */
    uint64_t sig = FW_CFG_DMA_SIGNATURE;
    uint64_t v = 0;
    for (unsigned i = 0; i < size && off + i < 8; i++) {
        v |= ((sig >> (8 * (7 - off - i))) & 0xff) << (8 * i);
    }
    return v;
}

static void dma_write(void *opaque, hwaddr off, uint64_t val, unsigned size)
{
    FWCfgState *s = opaque;
    if (size == 8 && off == 0) {
        s->dma_addr = GUINT64_FROM_BE(val);
        fw_cfg_dma_transfer(s);
    } else if (size == 4 && off == 0) {
        s->dma_addr = (uint64_t)GUINT32_FROM_BE((uint32_t)val) << 32;
    } else if (size == 4 && off == 4) {
        s->dma_addr |= GUINT32_FROM_BE((uint32_t)val);
        fw_cfg_dma_transfer(s);
    }
}

static bool dma_accepts(void *opaque, hwaddr off, unsigned size,
                        bool is_write, MemTxAttrs attrs)
{
    return !is_write || (off == 0 && (size == 4 || size == 8)) ||
           (off == 4 && size == 4);
}

static const MemoryRegionOps dma_ops = {
    .read = dma_read,
    .write = dma_write,
    .valid = { .min_access_size = 1, .max_access_size = 8,
               .accepts = dma_accepts },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

/* ---- the device ------------------------------------------------------- */

static void fw_cfg_reset(DeviceState *dev)
{
    FWCfgState *s = FW_CFG(dev);
    fw_cfg_select(s, FW_CFG_SIGNATURE);
    s->dma_addr = 0;
}

static void fw_cfg_instance_init(Object *obj)
{
    FWCfgState *s = FW_CFG(obj);
    s->cur_key = FW_CFG_SIGNATURE;
    fw_cfg_rebuild_dir(s);
    fw_cfg_add_bytes(s, FW_CFG_SIGNATURE, "QEMU", 4);
    fw_cfg_add_i32(s, FW_CFG_ID, FW_CFG_VERSION);
}

static void fw_cfg_instance_finalize(Object *obj)
{
    FWCfgState *s = FW_CFG(obj);
    if (fw_cfg_the == s) {
        fw_cfg_the = NULL;
    }
    for (int a = 0; a < 2; a++) {
        for (int i = 0; i < FW_CFG_FILE_FIRST; i++) {
            g_free(s->entries[a][i].data);
        }
    }
    for (unsigned i = 0; i < s->nfiles; i++) {
        g_free(s->files[i].data);
    }
    g_free(s->dir);
}

FWCfgState *fw_cfg_init_io_dma(uint16_t iobase, uint16_t dma_iobase,
                               AddressSpace *dma_as, GError **errp)
{
    DeviceState *dev = qdev_new(TYPE_FW_CFG_IO);
    FWCfgState *s = FW_CFG(dev);
    SysBusDevice *sbd = SYS_BUS_DEVICE(dev);

    if (!sysbus_realize_and_unref(sbd, errp)) {
        return NULL;
    }
    memory_region_init_io(&s->comb_io, OBJECT(dev), &comb_ops, s, "fwcfg",
                          2);
    sysbus_add_io(sbd, iobase, &s->comb_io);
    if (dma_iobase && dma_as) {
        s->has_dma = true;
        s->dma_as = dma_as;
        memory_region_init_io(&s->dma_io, OBJECT(dev), &dma_ops, s,
                              "fwcfg.dma", 8);
        sysbus_add_io(sbd, dma_iobase, &s->dma_io);
        fw_cfg_add_i32(s, FW_CFG_ID, FW_CFG_VERSION | FW_CFG_VERSION_DMA);
    }
    fw_cfg_the = s;
    return s;
}

static const VMStateDescription vmstate_fw_cfg = {
    .name = "fw_cfg",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT16(cur_key, FWCfgState),
        VMSTATE_UINT32(cur_offset, FWCfgState),
        VMSTATE_UINT64(dma_addr, FWCfgState),
        VMSTATE_END_OF_LIST(),
    },
};

static void fw_cfg_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    dc->desc = "QEMU firmware configuration (I/O ports)";
    dc->user_creatable = false;
    dc->reset = fw_cfg_reset;
    dc->vmsd = &vmstate_fw_cfg;
}

static const TypeInfo fw_cfg_info = {
    .name = TYPE_FW_CFG_IO,
    .parent = TYPE_SYS_BUS_DEVICE,
    .instance_size = sizeof(FWCfgState),
    .instance_init = fw_cfg_instance_init,
    .instance_finalize = fw_cfg_instance_finalize,
    .class_init = fw_cfg_class_init,
};

static void fw_cfg_register(void)
{
    type_register_static_array(&fw_cfg_info, 1);
}
type_init(fw_cfg_register)
