/*
 * Dispatch: address_space_rw and the ld/st helpers walk the current FlatView
 * piece by piece. RAM pieces are memcpy'd (no allocation, any thread);
 * MMIO/PIO pieces go through memory_region_dispatch_*, which applies the
 * region's `valid` checks and its `impl` splitting/widening (caller holds
 * the BQL). Unassigned pieces read as all-ones and drop writes.
 */
#include "memory-internal.h"
#include "util/error.h"

#include <string.h>

/* ---- unassigned accesses ---- */

static bool log_unassigned;
static GMutex log_lock;
static gint64 log_window_start;
static unsigned log_in_window;
static unsigned log_suppressed;

#define LOG_BURST 10 /* messages per window */
#define LOG_WINDOW_US 1000000

void memory_set_log_unassigned(bool on)
{
    log_unassigned = on;
}

bool memory_get_log_unassigned(void)
{
    return log_unassigned;
}

void memory_log_unassigned(AddressSpace *as, hwaddr addr, unsigned size,
                           bool is_write)
{
    gint64 now;

    if (G_LIKELY(!log_unassigned)) {
        return;
    }
    now = g_get_monotonic_time();
    g_mutex_lock(&log_lock);
    if (now - log_window_start >= LOG_WINDOW_US) {
        if (log_suppressed) {
            warn_report("guest-error: %u unassigned accesses not logged",
                        log_suppressed);
        }
        log_window_start = now;
        log_in_window = 0;
        log_suppressed = 0;
    }
    if (log_in_window < LOG_BURST) {
        log_in_window++;
        g_mutex_unlock(&log_lock);
        warn_report("guest-error: unassigned %s of %u bytes at 0x%" PRIx64
                    " in address space %s",
                    is_write ? "write" : "read", size, addr,
                    as && as->name ? as->name : "?");
        return;
    }
    log_suppressed++;
    g_mutex_unlock(&log_lock);
}

/* ---- value <-> bytes ---- */

static uint64_t ldn_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

static void stn_le(uint8_t *p, unsigned n, uint64_t v)
{
    for (unsigned i = 0; i < n; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
}

static uint64_t bswap_n(uint64_t v, unsigned size)
{
    switch (size) {
    case 2:
        return GUINT16_SWAP_LE_BE((uint16_t)v);
    case 4:
        return GUINT32_SWAP_LE_BE((uint32_t)v);
    case 8:
        return GUINT64_SWAP_LE_BE(v);
    default:
        return v;
    }
}

/* ---- one access to an ops region ---- */

static unsigned ops_valid_max(const MemoryRegionOps *ops)
{
    return ops->valid.max_access_size ? ops->valid.max_access_size : 4;
}

static bool access_valid(MemoryRegion *mr, hwaddr addr, unsigned size,
                         bool is_write, MemTxAttrs attrs)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned min = ops->valid.min_access_size ? ops->valid.min_access_size : 1;

    if (size < min || size > ops_valid_max(ops)) {
        return false;
    }
    if (!ops->valid.unaligned && (addr & (size - 1))) {
        return false;
    }
    if (ops->valid.accepts &&
        !ops->valid.accepts(mr->opaque, addr, size, is_write, attrs)) {
        return false;
    }
    return true;
}

/* One impl-sized callback; data in memory (little-endian) order. */
static MemTxResult ops_read(MemoryRegion *mr, hwaddr addr, unsigned size,
                            uint64_t *data, MemTxAttrs attrs)
{
    const MemoryRegionOps *ops = mr->ops;
    MemTxResult r = MEMTX_OK;
    uint64_t v = 0;

    if (ops->read_with_attrs) {
        r = ops->read_with_attrs(mr->opaque, addr, &v, size, attrs);
    } else if (ops->read) {
        v = ops->read(mr->opaque, addr, size);
    }
    v &= size_mask(size);
    if (ops->endianness == DEVICE_BIG_ENDIAN) {
        v = bswap_n(v, size);
    }
    *data = v;
    return r;
}

static MemTxResult ops_write(MemoryRegion *mr, hwaddr addr, unsigned size,
                             uint64_t v, MemTxAttrs attrs)
{
    const MemoryRegionOps *ops = mr->ops;

    v &= size_mask(size);
    if (ops->endianness == DEVICE_BIG_ENDIAN) {
        v = bswap_n(v, size);
    }
    if (ops->write_with_attrs) {
        return ops->write_with_attrs(mr->opaque, addr, v, size, attrs);
    }
    if (ops->write) {
        ops->write(mr->opaque, addr, v, size);
    }
    return MEMTX_OK;
}

/*
 * Cover [addr, addr + size) with impl-sized chunks (aligned unless
 * impl.unaligned) and combine. Writes of partial chunks read-modify-write.
 */
static MemTxResult access_adjusted(MemoryRegion *mr, hwaddr addr,
                                   uint64_t *data, unsigned size, bool is_write,
                                   MemTxAttrs attrs)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned imin = ops->impl.min_access_size ? ops->impl.min_access_size : 1;
    unsigned imax = ops->impl.max_access_size ? ops->impl.max_access_size : 4;
    unsigned asz = MIN(MAX(size, imin), imax);
    hwaddr end = addr + size;
    /* Widened accesses are aligned down even with impl.unaligned, so they
     * stay inside a region whose size is a multiple of impl.min. */
    hwaddr a =
        ops->impl.unaligned && size >= imin ? addr : addr & ~(hwaddr)(asz - 1);
    MemTxResult r = MEMTX_OK;
    uint64_t result = 0;

    if (asz == size && a == addr) {
        /* The common case: one callback. */
        if (is_write) {
            return ops_write(mr, addr, size, *data, attrs);
        }
        return ops_read(mr, addr, size, data, attrs);
    }
    for (; a < end; a += asz) {
        hwaddr lo = MAX(a, addr);
        hwaddr hi = MIN(a + asz, end);
        unsigned n = hi - lo;          /* bytes of this chunk we use */
        unsigned chunk_off = lo - a;   /* their position in the chunk */
        unsigned data_off = lo - addr; /* and in the access */
        uint64_t v;

        if (is_write) {
            uint64_t part = (*data >> (8 * data_off)) & size_mask(n);
            if (n == asz) {
                v = part;
            } else {
                r |= ops_read(mr, a, asz, &v, attrs);
                v &= ~(size_mask(n) << (8 * chunk_off));
                v |= part << (8 * chunk_off);
            }
            r |= ops_write(mr, a, asz, v, attrs);
        } else {
            r |= ops_read(mr, a, asz, &v, attrs);
            result |= ((v >> (8 * chunk_off)) & size_mask(n)) << (8 * data_off);
        }
    }
    if (!is_write) {
        *data = result;
    }
    return r;
}

static MemTxResult dispatch(MemoryRegion *mr, hwaddr addr, uint64_t *data,
                            unsigned size, bool is_write, MemTxAttrs attrs)
{
    if (size == 0 || size > 8 || !mr->ops || addr >= mr_size128(mr) ||
        size > mr_size128(mr) - addr ||
        !access_valid(mr, addr, size, is_write, attrs)) {
        if (!is_write) {
            *data = size_mask(size ? MIN(size, 8) : 1);
        }
        return MEMTX_DECODE_ERROR;
    }
    if (is_write && mr->ioeventfds && mr->ioeventfds->len &&
        memory_region_ioeventfd_fire(mr, addr, size, *data)) {
        return MEMTX_OK;
    }
    return access_adjusted(mr, addr, data, size, is_write, attrs);
}

MemTxResult memory_region_dispatch_read(MemoryRegion *mr, hwaddr addr,
                                        uint64_t *data, unsigned size,
                                        MemTxAttrs attrs)
{
    if (mr->kind == MR_KIND_ROM_DEVICE && mr->romd_mode &&
        addr < mr->ram_block->size && size <= 8 &&
        size <= mr->ram_block->size - addr) {
        *data = ldn_le((uint8_t *)mr->ram_block->host + addr, size);
        return MEMTX_OK;
    }
    return dispatch(mr, addr, data, size, false, attrs);
}

MemTxResult memory_region_dispatch_write(MemoryRegion *mr, hwaddr addr,
                                         uint64_t data, unsigned size,
                                         MemTxAttrs attrs)
{
    return dispatch(mr, addr, &data, size, true, attrs);
}

/* Largest power of two <= len the guest may issue to the region; whether
 * it is aligned enough is for the `valid` check to decide. */
static unsigned mmio_piece_size(MemoryRegion *mr, hwaddr len)
{
    unsigned max = MIN(ops_valid_max(mr->ops), 8);

    if (len < max) {
        max = len;
    }
    return 1u << (31 - __builtin_clz(max));
}

/* ---- address space accesses ---- */

static MemTxResult as_access(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                             uint8_t *buf, hwaddr len, bool is_write,
                             bool rom_writable)
{
    FlatView *v;
    MemTxResult r = MEMTX_OK;

    if (len == 0) {
        return MEMTX_OK;
    }
    v = flatview_ref_current(as);
    while (len) {
        unsigned next;
        int idx = flatview_lookup(v, addr, &next);
        hwaddr piece;

        if (idx < 0) {
            /* Hole up to the next range (or the end of the space). */
            hwaddr left = UINT64_MAX - addr; /* bytes to 2^64, - 1 */
            piece = left >= len ? len : left + 1;
            if (next < v->nr && v->ranges[next].start - addr < piece) {
                piece = v->ranges[next].start - addr;
            }
            if (is_write) {
                memory_log_unassigned(as, addr, piece, true);
            } else {
                memset(buf, 0xff, piece);
                memory_log_unassigned(as, addr, piece, false);
            }
            r |= MEMTX_DECODE_ERROR;
        } else {
            FlatRange *fr = &v->ranges[idx];
            hwaddr off = addr - fr->start;

            piece = fr->last - addr; /* bytes left in the range - 1 */
            piece = piece >= len ? len : piece + 1;
            if (fr->host && (!is_write || fr->type == FR_RAM)) {
                if (is_write) {
                    memcpy(fr->host + off, buf, piece);
                    ram_written(as, addr, fr->ram, fr->host + off, piece);
                } else {
                    memcpy(buf, fr->host + off, piece);
                }
            } else if (fr->type == FR_ROM) {
                if (rom_writable) {
                    memcpy(fr->host + off, buf, piece);
                    ram_written(as, addr, fr->ram, fr->host + off, piece);
                }
                /* else: guest writes to ROM are ignored */
            } else if (rom_writable) {
                if (fr->type == FR_ROMD) {
                    memcpy(fr->host + off, buf, piece);
                    ram_written(as, addr, fr->ram, fr->host + off, piece);
                }
                /* loaders do not write MMIO */
            } else {
                MemoryRegion *mr = fr->mr;
                hwaddr moff = fr->offset_in_region + off;
                hwaddr done = 0;

                while (done < piece) {
                    unsigned n = mmio_piece_size(mr, piece - done);
                    uint64_t val;

                    if (is_write) {
                        val = ldn_le(buf + done, n);
                        r |= dispatch(mr, moff + done, &val, n, true, attrs);
                    } else {
                        r |= dispatch(mr, moff + done, &val, n, false, attrs);
                        stn_le(buf + done, n, val);
                    }
                    done += n;
                }
                if (r & MEMTX_DECODE_ERROR) {
                    memory_log_unassigned(as, addr, piece, is_write);
                }
            }
        }
        buf += piece;
        len -= piece;
        addr += piece; /* wraps to 0 past 2^64 - 1, like QEMU */
    }
    flatview_unref(v);
    return r;
}

MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                             void *buf, hwaddr len, bool is_write)
{
    return as_access(as, addr, attrs, buf, len, is_write, false);
}

MemTxResult address_space_read(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                               void *buf, hwaddr len)
{
    return as_access(as, addr, attrs, buf, len, false, false);
}

MemTxResult address_space_write(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                                const void *buf, hwaddr len)
{
    return as_access(as, addr, attrs, (uint8_t *)buf, len, true, false);
}

MemTxResult address_space_write_rom(AddressSpace *as, hwaddr addr,
                                    MemTxAttrs attrs, const void *buf,
                                    hwaddr len)
{
    return as_access(as, addr, attrs, (uint8_t *)buf, len, true, true);
}

/* ---- ld/st ---- */

#define DEFINE_LD(name, type, size)                                            \
    type name(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,                 \
              MemTxResult *result)                                             \
    {                                                                          \
        uint8_t b[size];                                                       \
        MemTxResult r = as_access(as, addr, attrs, b, size, false, false);     \
        if (result) {                                                          \
            *result = r;                                                       \
        }                                                                      \
        return (type)ldn_le(b, size);                                          \
    }

#define DEFINE_ST(name, type, size)                                            \
    void name(AddressSpace *as, hwaddr addr, type val, MemTxAttrs attrs,       \
              MemTxResult *result)                                             \
    {                                                                          \
        uint8_t b[size];                                                       \
        MemTxResult r;                                                         \
        stn_le(b, size, val);                                                  \
        r = as_access(as, addr, attrs, b, size, true, false);                  \
        if (result) {                                                          \
            *result = r;                                                       \
        }                                                                      \
    }

DEFINE_LD(address_space_ldub, uint8_t, 1)
DEFINE_LD(address_space_lduw_le, uint16_t, 2)
DEFINE_LD(address_space_ldl_le, uint32_t, 4)
DEFINE_LD(address_space_ldq_le, uint64_t, 8)
DEFINE_ST(address_space_stb, uint8_t, 1)
DEFINE_ST(address_space_stw_le, uint16_t, 2)
DEFINE_ST(address_space_stl_le, uint32_t, 4)
DEFINE_ST(address_space_stq_le, uint64_t, 8)

/* ---- translation ---- */

MemoryRegion *address_space_translate(AddressSpace *as, hwaddr addr,
                                      hwaddr *xlat, hwaddr *plen, bool is_write,
                                      MemTxAttrs attrs)
{
    FlatView *v = flatview_ref_current(as);
    MemoryRegion *mr = NULL;
    unsigned next;
    int idx = flatview_lookup(v, addr, &next);

    if (idx >= 0) {
        FlatRange *fr = &v->ranges[idx];
        hwaddr left = fr->last - addr; /* bytes left - 1 */

        mr = fr->mr;
        *xlat = fr->offset_in_region + (addr - fr->start);
        if (*plen != 0 && *plen - 1 > left) {
            *plen = left + 1; /* left == 2^64 - 1 cannot exceed */
        }
    }
    flatview_unref(v);
    return mr;
}
