/*
 * DMA helpers: the guard between guest-supplied DMA addresses and host
 * memory. An access is checked in full against one FlatView before any
 * byte moves, so a refused access has no effect; only RAM and ROM (and ROM
 * devices in romd mode) of the address space are reachable. No BQL needed:
 * RAM is reached through the view's referenced RAM blocks.
 */
#include "memory-internal.h"

#include <string.h>

/* Is every byte of [addr, addr + len) RAM-like in v? (len > 0, no wrap) */
static bool view_range_is_ram(FlatView *v, hwaddr addr, hwaddr len,
                              bool need_writable)
{
    hwaddr last = addr + len - 1;

    for (;;) {
        unsigned next;
        int idx = flatview_lookup(v, addr, &next);
        FlatRange *fr;

        if (idx < 0) {
            return false;
        }
        fr = &v->ranges[idx];
        if (!fr->host || (need_writable && fr->type != FR_RAM)) {
            return false;
        }
        if (fr->last >= last) {
            return true;
        }
        addr = fr->last + 1;
    }
}

static bool dma_range_ok(hwaddr addr, hwaddr len)
{
    return len == 0 || addr + (len - 1) >= addr;
}

bool dma_memory_valid(AddressSpace *as, dma_addr_t addr, dma_addr_t len,
                      bool is_write)
{
    FlatView *v;
    bool ok;

    if (!dma_range_ok(addr, len)) {
        return false;
    }
    if (len == 0) {
        return true;
    }
    v = flatview_ref_current(as);
    ok = view_range_is_ram(v, addr, len, is_write);
    flatview_unref(v);
    return ok;
}

enum dma_op { DMA_READ, DMA_WRITE, DMA_SET };

static MemTxResult dma_access(AddressSpace *as, hwaddr addr, uint8_t *buf,
                              uint8_t c, hwaddr len, enum dma_op op)
{
    FlatView *v;

    if (len == 0) {
        return MEMTX_OK;
    }
    if (!dma_range_ok(addr, len)) {
        return MEMTX_ACCESS_ERROR;
    }
    v = flatview_ref_current(as);
    if (!view_range_is_ram(v, addr, len, false)) {
        flatview_unref(v);
        memory_log_unassigned(as, addr, len > UINT32_MAX ? UINT32_MAX : len,
                              op != DMA_READ);
        return MEMTX_ACCESS_ERROR;
    }
    while (len) {
        unsigned next;
        FlatRange *fr = &v->ranges[flatview_lookup(v, addr, &next)];
        hwaddr off = addr - fr->start;
        hwaddr piece = fr->last - addr;

        piece = piece >= len ? len : piece + 1;
        if (op == DMA_READ) {
            memcpy(buf, fr->host + off, piece);
            buf += piece;
        } else if (fr->type == FR_RAM) {
            if (op == DMA_WRITE) {
                memcpy(fr->host + off, buf, piece);
            } else {
                memset(fr->host + off, c, piece);
            }
            ram_written(as, addr, fr->ram, fr->host + off, piece);
        }
        /* else: DMA into ROM is dropped, as a guest write would be */
        if (op == DMA_WRITE) {
            buf += piece;
        }
        len -= piece;
        addr += piece;
    }
    flatview_unref(v);
    return MEMTX_OK;
}

MemTxResult dma_memory_read(AddressSpace *as, dma_addr_t addr, void *buf,
                            dma_addr_t len)
{
    return dma_access(as, addr, buf, 0, len, DMA_READ);
}

MemTxResult dma_memory_write(AddressSpace *as, dma_addr_t addr, const void *buf,
                             dma_addr_t len)
{
    return dma_access(as, addr, (uint8_t *)buf, 0, len, DMA_WRITE);
}

MemTxResult dma_memory_set(AddressSpace *as, dma_addr_t addr, uint8_t c,
                           dma_addr_t len)
{
    return dma_access(as, addr, NULL, c, len, DMA_SET);
}

void *dma_memory_map(AddressSpace *as, dma_addr_t addr, dma_addr_t *len,
                     bool is_write)
{
    FlatView *v;
    unsigned next;
    int idx;
    FlatRange *fr;
    void *host = NULL;

    if (*len == 0) {
        return NULL;
    }
    v = flatview_ref_current(as);
    idx = flatview_lookup(v, addr, &next);
    if (idx >= 0) {
        fr = &v->ranges[idx];
        if (fr->host && (!is_write || fr->type == FR_RAM)) {
            hwaddr left = fr->last - addr; /* bytes left - 1 */
            if (*len - 1 > left) {
                *len = left + 1;
            }
            host = fr->host + (addr - fr->start);
            ram_block_ref(fr->ram); /* dropped by unmap */
        }
    }
    flatview_unref(v);
    return host;
}

/* Where in as does host memory of rb at offset show up? HWADDR_MAX if not
 * mapped. */
static hwaddr gpa_of_block_offset(AddressSpace *as, RAMBlock *rb,
                                  uint64_t offset)
{
    FlatView *v = flatview_ref_current(as);
    hwaddr gpa = HWADDR_MAX;

    for (unsigned i = 0; i < v->nr; i++) {
        FlatRange *fr = &v->ranges[i];
        uint64_t start = fr->host - (uint8_t *)rb->host;
        if (fr->ram == rb && offset >= start &&
            offset - start <= fr->last - fr->start) {
            gpa = fr->start + (offset - start);
            break;
        }
    }
    flatview_unref(v);
    return gpa;
}

void dma_memory_unmap(AddressSpace *as, void *buffer, dma_addr_t len,
                      bool is_write, dma_addr_t access_len)
{
    uint64_t offset;
    RAMBlock *rb;

    if (!buffer) {
        return;
    }
    rb = ram_block_find_by_host(buffer, &offset); /* takes a reference */
    if (!rb) {
        return;
    }
    if (is_write && access_len) {
        if (access_len > len) {
            access_len = len;
        }
        ram_block_set_dirty(rb, offset, access_len);
        if (__atomic_load_n(&ram_write_notifiers, __ATOMIC_RELAXED)) {
            ram_write_notify(as, gpa_of_block_offset(as, rb, offset), buffer,
                             access_len);
        }
    }
    ram_block_unref(rb); /* the lookup's */
    ram_block_unref(rb); /* dma_memory_map's */
}
