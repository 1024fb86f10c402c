/*
 * RAM blocks: host memory of RAM/ROM regions (memfd + MAP_SHARED |
 * MAP_NORESERVE so -m 64G costs nothing until touched and the fd can be
 * shared), their per-client dirty bitmaps (atomic bit operations, usable
 * from any thread) and the RAM write notifier list.
 */
#include "memory-internal.h"
#include "util/error.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define BITS_PER_LONG (sizeof(unsigned long) * 8)

RamWriteNotifier *ram_write_notifiers;

/* All live blocks, for dma_memory_unmap's host -> block lookup. */
static pthread_mutex_t blocks_lock = PTHREAD_MUTEX_INITIALIZER;
static GPtrArray *blocks;

static void ram_block_register(RAMBlock *rb)
{
    pthread_mutex_lock(&blocks_lock);
    if (!blocks) {
        blocks = g_ptr_array_new();
    }
    g_ptr_array_add(blocks, rb);
    pthread_mutex_unlock(&blocks_lock);
}

static void bitmap_set_range_atomic(unsigned long *map, uint64_t first,
                                    uint64_t n);

static RAMBlock *ram_block_alloc(const char *name, uint64_t size)
{
    RAMBlock *rb = g_new0(RAMBlock, 1);

    rb->refcount = 1;
    rb->size = size;
    rb->fd = -1;
    rb->name = g_strdup(name ? name : "");
    rb->npages = (size + MEMORY_PAGE_SIZE - 1) >> MEMORY_PAGE_SHIFT;
    for (unsigned c = 0; c < DIRTY_MEMORY_NUM; c++) {
        rb->dirty[c] =
            g_new0(unsigned long,
                   (rb->npages + BITS_PER_LONG - 1) / BITS_PER_LONG + 1);
        /* New RAM is dirty for everyone: displays redraw it, a running
         * migration sends it. */
        bitmap_set_range_atomic(rb->dirty[c], 0, rb->npages);
    }
    return rb;
}

RAMBlock *ram_block_new_memfd(const char *name, uint64_t size, GError **errp)
{
    uint64_t mapped = (size + MEMORY_PAGE_SIZE - 1) & ~(MEMORY_PAGE_SIZE - 1);
    int fd;
    void *host;

    if (mapped == 0) {
        mapped = MEMORY_PAGE_SIZE;
    }
    if (size > (UINT64_MAX >> 1) || mapped < size) {
        error_setg(errp, "cannot allocate RAM '%s': size %" PRIu64 " too large",
                   name, size);
        return NULL;
    }
    fd = memfd_create(name && *name ? name : "kvmu-ram", MFD_CLOEXEC);
    if (fd >= 0) {
        if (ftruncate(fd, (off_t)mapped) < 0) {
            error_setg_errno(errp, errno, "cannot size RAM '%s' to %" PRIu64,
                             name, size);
            close(fd);
            return NULL;
        }
        host = mmap(NULL, mapped, PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_NORESERVE, fd, 0);
    } else {
        /* No memfd (old kernel, sandbox): private anonymous memory. */
        host = mmap(NULL, mapped, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    }
    if (host == MAP_FAILED) {
        error_setg_errno(errp, errno,
                         "cannot map RAM '%s' of %" PRIu64 " bytes", name,
                         size);
        if (fd >= 0) {
            close(fd);
        }
        return NULL;
    }
    /* Transparent huge pages where the host allows them (shmem needs
     * shmem_enabled=advise): fewer TLB misses for the guest. */
    madvise(host, mapped, MADV_HUGEPAGE);
    RAMBlock *rb = ram_block_alloc(name, size);
    rb->host = host;
    rb->mapped = mapped;
    rb->fd = fd;
    ram_block_register(rb);
    return rb;
}

RAMBlock *ram_block_new_fd(const char *name, uint64_t size, int fd,
                           uint64_t offset, bool shared, GError **errp)
{
    uint64_t mapped = (size + MEMORY_PAGE_SIZE - 1) & ~(MEMORY_PAGE_SIZE - 1);
    struct stat st;
    void *host;
    int dupfd;

    if (size == 0 || mapped < size || size > (UINT64_MAX >> 1) ||
        (offset & (MEMORY_PAGE_SIZE - 1)) || offset > (UINT64_MAX >> 1)) {
        error_setg(errp,
                   "cannot map RAM '%s': bad size %" PRIu64
                   " or offset %" PRIu64,
                   name, size, offset);
        return NULL;
    }
    if (fstat(fd, &st) < 0) {
        error_setg_errno(errp, errno, "cannot map RAM '%s' from fd %d", name,
                         fd);
        return NULL;
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size < offset + size) {
        error_setg(errp,
                   "cannot map RAM '%s': file of %" PRIu64
                   " bytes is smaller than offset %" PRIu64 " + size %" PRIu64,
                   name, (uint64_t)st.st_size, offset, size);
        return NULL;
    }
    host = mmap(NULL, mapped, PROT_READ | PROT_WRITE,
                (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_NORESERVE, fd,
                (off_t)offset);
    if (host == MAP_FAILED) {
        error_setg_errno(errp, errno,
                         "cannot map RAM '%s' of %" PRIu64 " bytes", name,
                         size);
        return NULL;
    }
    dupfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    RAMBlock *rb = ram_block_alloc(name, size);
    rb->host = host;
    rb->mapped = mapped;
    rb->fd = dupfd;
    ram_block_register(rb);
    return rb;
}

RAMBlock *ram_block_new_ptr(const char *name, uint64_t size, void *host)
{
    RAMBlock *rb = ram_block_alloc(name, size);

    rb->host = host;
    ram_block_register(rb);
    return rb;
}

void ram_block_ref(RAMBlock *rb)
{
    g_atomic_int_inc(&rb->refcount);
}

void ram_block_unref(RAMBlock *rb)
{
    if (!rb || !g_atomic_int_dec_and_test(&rb->refcount)) {
        return;
    }
    pthread_mutex_lock(&blocks_lock);
    g_ptr_array_remove(blocks, rb); /* keeps creation order */
    pthread_mutex_unlock(&blocks_lock);
    if (rb->mapped) {
        munmap(rb->host, rb->mapped);
    }
    if (rb->fd >= 0) {
        close(rb->fd);
    }
    for (unsigned c = 0; c < DIRTY_MEMORY_NUM; c++) {
        g_free(rb->dirty[c]);
    }
    g_free(rb->name);
    g_free(rb);
}

RAMBlock *ram_block_find_by_host(const void *host, uint64_t *offset)
{
    RAMBlock *found = NULL;
    uintptr_t p = (uintptr_t)host;

    pthread_mutex_lock(&blocks_lock);
    for (guint i = 0; blocks && i < blocks->len; i++) {
        RAMBlock *rb = g_ptr_array_index(blocks, i);
        uintptr_t base = (uintptr_t)rb->host;
        if (p >= base && p - base < rb->size) {
            /* Take a reference unless the block is already dying (its
             * last unref is waiting for the lock to unlist it). */
            gint old = g_atomic_int_get(&rb->refcount);
            while (old > 0 && !g_atomic_int_compare_and_exchange(
                                  &rb->refcount, old, old + 1)) {
                old = g_atomic_int_get(&rb->refcount);
            }
            if (old > 0) {
                found = rb;
                *offset = p - base;
                break;
            }
        }
    }
    pthread_mutex_unlock(&blocks_lock);
    return found;
}

void ram_block_set_region(RAMBlock *rb, MemoryRegion *mr)
{
    pthread_mutex_lock(&blocks_lock);
    rb->mr = mr;
    pthread_mutex_unlock(&blocks_lock);
}

/* Regions are only created and finalized under the BQL, and fn runs under
 * it: the snapshot below cannot go stale while fn runs. */
void memory_foreach_ram_region(void (*fn)(MemoryRegion *mr, void *opaque),
                               void *opaque)
{
    GPtrArray *snap = g_ptr_array_new();

    pthread_mutex_lock(&blocks_lock);
    for (guint i = 0; blocks && i < blocks->len; i++) {
        RAMBlock *rb = g_ptr_array_index(blocks, i);
        if (rb->mr) {
            g_ptr_array_add(snap, rb->mr);
        }
    }
    pthread_mutex_unlock(&blocks_lock);
    for (guint i = 0; i < snap->len; i++) {
        fn(g_ptr_array_index(snap, i), opaque);
    }
    g_ptr_array_free(snap, TRUE);
}

bool ram_block_prealloc(RAMBlock *rb, GError **errp)
{
#ifdef MADV_POPULATE_WRITE
    if (madvise(rb->host, rb->size, MADV_POPULATE_WRITE) == 0) {
        return true;
    }
    if (errno != EINVAL) {
        error_setg_errno(errp, errno, "cannot preallocate RAM '%s'", rb->name);
        return false;
    }
#endif
    /* Older kernels: touch every page (the content is kept). Running out
     * of memory here kills the process, as with QEMU's fallback. */
    for (uint64_t off = 0; off < rb->size; off += MEMORY_PAGE_SIZE) {
        volatile uint8_t *p = (uint8_t *)rb->host + off;
        *p = *p;
    }
    return true;
}

/* ---- bitmaps ---- */

static inline void bit_set_atomic(unsigned long *map, uint64_t bit)
{
    unsigned long mask = 1UL << (bit % BITS_PER_LONG);
    unsigned long *w = &map[bit / BITS_PER_LONG];

    if (!(__atomic_load_n(w, __ATOMIC_RELAXED) & mask)) {
        __atomic_fetch_or(w, mask, __ATOMIC_RELAXED);
    }
}

/* Set bits [first, first + n) in map, atomically per word. */
static void bitmap_set_range_atomic(unsigned long *map, uint64_t first,
                                    uint64_t n)
{
    while (n) {
        uint64_t bit = first % BITS_PER_LONG;
        uint64_t chunk = MIN(n, BITS_PER_LONG - bit);
        unsigned long mask =
            chunk == BITS_PER_LONG ? ~0UL : ((1UL << chunk) - 1) << bit;
        unsigned long *w = &map[first / BITS_PER_LONG];

        if ((__atomic_load_n(w, __ATOMIC_RELAXED) & mask) != mask) {
            __atomic_fetch_or(w, mask, __ATOMIC_RELAXED);
        }
        first += chunk;
        n -= chunk;
    }
}

/* Test-and-clear bits [first, first + n); true if any was set. */
static bool bitmap_test_and_clear_atomic(unsigned long *map, uint64_t first,
                                         uint64_t n, bool clear)
{
    bool any = false;

    while (n) {
        uint64_t bit = first % BITS_PER_LONG;
        uint64_t chunk = MIN(n, BITS_PER_LONG - bit);
        unsigned long mask =
            chunk == BITS_PER_LONG ? ~0UL : ((1UL << chunk) - 1) << bit;
        unsigned long *w = &map[first / BITS_PER_LONG];
        unsigned long old;

        if (clear) {
            old = __atomic_fetch_and(w, ~mask, __ATOMIC_RELAXED);
        } else {
            old = __atomic_load_n(w, __ATOMIC_RELAXED);
        }
        any |= (old & mask) != 0;
        first += chunk;
        n -= chunk;
    }
    return any;
}

/* Page range of [offset, offset + len) clipped to the block; false if
 * empty. */
static bool block_pages(RAMBlock *rb, uint64_t offset, uint64_t len,
                        uint64_t *first, uint64_t *n)
{
    if (len == 0 || offset >= rb->size) {
        return false;
    }
    if (len > rb->size - offset) {
        len = rb->size - offset;
    }
    *first = offset >> MEMORY_PAGE_SHIFT;
    *n = ((offset + len - 1) >> MEMORY_PAGE_SHIFT) - *first + 1;
    return true;
}

void ram_block_set_dirty(RAMBlock *rb, uint64_t offset, uint64_t len)
{
    uint64_t first, n;

    if (!block_pages(rb, offset, len, &first, &n)) {
        return;
    }
    for (unsigned c = 0; c < DIRTY_MEMORY_NUM; c++) {
        if (n == 1) {
            bit_set_atomic(rb->dirty[c], first);
        } else {
            bitmap_set_range_atomic(rb->dirty[c], first, n);
        }
    }
}

void ram_block_set_all_dirty(RAMBlock *rb, unsigned client)
{
    if (rb->npages) {
        bitmap_set_range_atomic(rb->dirty[client], 0, rb->npages);
    }
}

/* The RAM block of a region and the offset in it (aliases followed). */
static RAMBlock *mr_block(MemoryRegion *mr, hwaddr *offset)
{
    mr = mr_resolve_alias(mr, offset);
    return mr ? mr->ram_block : NULL;
}

void memory_region_set_dirty(MemoryRegion *mr, hwaddr offset, uint64_t size)
{
    RAMBlock *rb = mr_block(mr, &offset);

    if (rb) {
        ram_block_set_dirty(rb, offset, size);
    }
}

void memory_region_set_dirty_bits(MemoryRegion *mr, hwaddr offset,
                                  const unsigned long *bitmap, uint64_t npages)
{
    RAMBlock *rb = mr_block(mr, &offset);
    uint64_t base;

    if (!rb || offset >= rb->size) {
        return;
    }
    base = offset >> MEMORY_PAGE_SHIFT;
    if (npages > rb->npages - base) {
        npages = rb->npages - base;
    }
    for (uint64_t w = 0; w * BITS_PER_LONG < npages; w++) {
        unsigned long word = bitmap[w];

        if (word && base % BITS_PER_LONG == 0) {
            /* Word-aligned (the usual case for a memslot): one atomic OR
             * per word and client. */
            uint64_t left = npages - w * BITS_PER_LONG;
            if (left < BITS_PER_LONG) {
                word &= (1UL << left) - 1;
            }
            for (unsigned c = 0; c < DIRTY_MEMORY_NUM; c++) {
                unsigned long *dst = &rb->dirty[c][base / BITS_PER_LONG + w];
                if ((__atomic_load_n(dst, __ATOMIC_RELAXED) & word) != word) {
                    __atomic_fetch_or(dst, word, __ATOMIC_RELAXED);
                }
            }
            continue;
        }
        while (word) {
            uint64_t i = w * BITS_PER_LONG + __builtin_ctzl(word);
            word &= word - 1;
            if (i >= npages) {
                break;
            }
            for (unsigned c = 0; c < DIRTY_MEMORY_NUM; c++) {
                bit_set_atomic(rb->dirty[c], base + i);
            }
        }
    }
}

bool memory_region_get_dirty(MemoryRegion *mr, hwaddr offset, uint64_t size,
                             unsigned client)
{
    RAMBlock *rb = mr_block(mr, &offset);
    uint64_t first, n;

    g_assert(client < DIRTY_MEMORY_NUM);
    if (!rb || !block_pages(rb, offset, size, &first, &n)) {
        return false;
    }
    return bitmap_test_and_clear_atomic(rb->dirty[client], first, n, false);
}

bool memory_region_test_and_clear_dirty(MemoryRegion *mr, hwaddr offset,
                                        uint64_t size, unsigned client)
{
    RAMBlock *rb = mr_block(mr, &offset);
    uint64_t first, n;

    g_assert(client < DIRTY_MEMORY_NUM);
    if (!rb || !block_pages(rb, offset, size, &first, &n)) {
        return false;
    }
    return bitmap_test_and_clear_atomic(rb->dirty[client], first, n, true);
}

void memory_region_reset_dirty(MemoryRegion *mr, hwaddr offset, uint64_t size,
                               unsigned client)
{
    memory_region_test_and_clear_dirty(mr, offset, size, client);
}

/* ---- RAM write notifiers ---- */

void ram_write_notifier_add(RamWriteNotifier *n)
{
    n->next = ram_write_notifiers;
    __atomic_store_n(&ram_write_notifiers, n, __ATOMIC_RELEASE);
}

void ram_write_notifier_remove(RamWriteNotifier *n)
{
    for (RamWriteNotifier **p = &ram_write_notifiers; *p; p = &(*p)->next) {
        if (*p == n) {
            __atomic_store_n(p, n->next, __ATOMIC_RELEASE);
            n->next = NULL;
            return;
        }
    }
}

void ram_write_notify(AddressSpace *as, hwaddr gpa, void *host, uint64_t len)
{
    RamWriteNotifier *n =
        __atomic_load_n(&ram_write_notifiers, __ATOMIC_ACQUIRE);
    for (; n; n = n->next) {
        n->notify(n, as, gpa, host, len);
    }
}
