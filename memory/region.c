/*
 * MemoryRegion: creation, the subregion tree, attribute changes and
 * transactions. Every change marks the views stale; they are rebuilt at the
 * outermost transaction commit (an unbatched change is its own
 * transaction). All of this runs under the BQL.
 */
#include "memory-internal.h"
#include "util/error.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static unsigned transaction_depth;
static bool update_pending;
bool memory_global_dirty_log;

u128 mr_size128(const MemoryRegion *mr)
{
    return mr->size == UINT64_MAX ? (u128)1 << 64 : mr->size;
}

MemoryRegion *mr_resolve_alias(MemoryRegion *mr, hwaddr *offset)
{
    while (mr && mr->kind == MR_KIND_ALIAS) {
        *offset += mr->alias_offset;
        mr = mr->alias;
    }
    return mr;
}

static void mr_init_common(MemoryRegion *mr, struct Object *owner,
                           const char *name, uint64_t size,
                           MemoryRegionKind kind)
{
    memset(mr, 0, sizeof(*mr));
    mr->owner = owner;
    mr->name = g_strdup(name ? name : "anonymous");
    mr->size = size;
    mr->kind = kind;
    mr->enabled = true;
    mr->initialized = true;
}

void memory_region_init(MemoryRegion *mr, struct Object *owner,
                        const char *name, uint64_t size)
{
    mr_init_common(mr, owner, name, size, MR_KIND_CONTAINER);
}

bool memory_region_init_ram(MemoryRegion *mr, struct Object *owner,
                            const char *name, uint64_t size, GError **errp)
{
    RAMBlock *rb = ram_block_new_memfd(name, size, errp);

    if (!rb) {
        memset(mr, 0, sizeof(*mr));
        return false;
    }
    mr_init_common(mr, owner, name, size, MR_KIND_RAM);
    mr->ram_block = rb;
    ram_block_set_region(rb, mr);
    return true;
}

bool memory_region_init_ram_from_fd(MemoryRegion *mr, struct Object *owner,
                                    const char *name, uint64_t size, int fd,
                                    uint64_t offset, bool shared, GError **errp)
{
    RAMBlock *rb = ram_block_new_fd(name, size, fd, offset, shared, errp);

    if (!rb) {
        memset(mr, 0, sizeof(*mr));
        return false;
    }
    mr_init_common(mr, owner, name, size, MR_KIND_RAM);
    mr->ram_block = rb;
    ram_block_set_region(rb, mr);
    return true;
}

bool memory_region_init_ram_from_file(MemoryRegion *mr, struct Object *owner,
                                      const char *name, uint64_t size,
                                      const char *path, bool shared,
                                      GError **errp)
{
    struct stat st;
    int fd;
    bool ok;

    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        /* A directory (e.g. a hugetlbfs mount): an unlinked file in it. */
        fd = open(path, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (fd < 0) {
            g_autofree char *tmpl =
                g_build_filename(path, "kvmu_back_mem.XXXXXX", NULL);
            fd = g_mkstemp_full(tmpl, O_RDWR | O_CLOEXEC, 0600);
            if (fd >= 0) {
                unlink(tmpl);
            }
        }
    } else {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    }
    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot open memory backing file '%s'",
                         path);
        memset(mr, 0, sizeof(*mr));
        return false;
    }
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        (uint64_t)st.st_size < size && ftruncate(fd, (off_t)size) < 0) {
        error_setg_errno(errp, errno, "cannot size memory backing file '%s'",
                         path);
        close(fd);
        memset(mr, 0, sizeof(*mr));
        return false;
    }
    ok = memory_region_init_ram_from_fd(mr, owner, name, size, fd, 0, shared,
                                        errp);
    close(fd); /* the region keeps its own dup */
    if (!ok) {
        error_prepend(errp, "%s: ", path);
    }
    return ok;
}

bool memory_region_init_rom(MemoryRegion *mr, struct Object *owner,
                            const char *name, uint64_t size, GError **errp)
{
    if (!memory_region_init_ram(mr, owner, name, size, errp)) {
        return false;
    }
    mr->rom = true;
    mr->readonly = true;
    return true;
}

void memory_region_init_ram_ptr(MemoryRegion *mr, struct Object *owner,
                                const char *name, uint64_t size, void *ptr)
{
    mr_init_common(mr, owner, name, size, MR_KIND_RAM_PTR);
    mr->ram_block = ram_block_new_ptr(name, size, ptr);
    ram_block_set_region(mr->ram_block, mr);
}

void memory_region_init_ram_device_ptr(MemoryRegion *mr, struct Object *owner,
                                       const char *name, uint64_t size,
                                       void *ptr)
{
    memory_region_init_ram_ptr(mr, owner, name, size, ptr);
    mr->ram_device = true;
}

void memory_region_init_io(MemoryRegion *mr, struct Object *owner,
                           const MemoryRegionOps *ops, void *opaque,
                           const char *name, uint64_t size)
{
    static const MemoryRegionOps no_ops;

    mr_init_common(mr, owner, name, size, MR_KIND_IO);
    mr->ops = ops ? ops : &no_ops;
    mr->opaque = opaque;
}

bool memory_region_init_rom_device(MemoryRegion *mr, struct Object *owner,
                                   const MemoryRegionOps *ops, void *opaque,
                                   const char *name, uint64_t size,
                                   GError **errp)
{
    if (!memory_region_init_ram(mr, owner, name, size, errp)) {
        return false;
    }
    mr->kind = MR_KIND_ROM_DEVICE;
    mr->ops = ops;
    mr->opaque = opaque;
    mr->romd_mode = true;
    return true;
}

void memory_region_init_alias(MemoryRegion *mr, struct Object *owner,
                              const char *name, MemoryRegion *orig,
                              hwaddr offset, uint64_t size)
{
    g_assert(orig && orig->initialized);
    mr_init_common(mr, owner, name, size, MR_KIND_ALIAS);
    mr->alias = orig;
    mr->alias_offset = offset;
    orig->alias_users++;
}

void memory_region_finalize(MemoryRegion *mr)
{
    if (!mr->initialized) {
        return;
    }
    g_assert(!mr->container && !mr->subregions);
    g_assert(mr->alias_users == 0 && mr->mapped_in_as == 0);
    if (mr->kind == MR_KIND_ALIAS) {
        mr->alias->alias_users--;
    }
    if (mr->ram_block) {
        ram_block_set_region(mr->ram_block, NULL);
    }
    ram_block_unref(mr->ram_block);
    if (mr->ioeventfds) {
        g_array_free(mr->ioeventfds, TRUE);
    }
    g_free(mr->name);
    memset(mr, 0, sizeof(*mr));
}

/* ---- transactions ---- */

void memory_region_transaction_begin(void)
{
    transaction_depth++;
}

void memory_region_transaction_commit(void)
{
    static bool in_update;

    g_assert(transaction_depth > 0);
    if (--transaction_depth > 0 || in_update) {
        /* A change made by a listener callback during an update is
         * applied by the loop below once the current update is done. */
        return;
    }
    in_update = true;
    while (update_pending) {
        update_pending = false;
        memory_update_all_address_spaces();
    }
    in_update = false;
}

void memory_update_pending(void)
{
    memory_region_transaction_begin();
    update_pending = true;
    memory_region_transaction_commit();
}

/* Does a change to mr affect any view? Unmapped subtrees do not. */
static void mr_changed(MemoryRegion *mr)
{
    memory_update_pending();
    (void)mr;
}

/* ---- the tree ---- */

static void subregion_link(MemoryRegion *parent, MemoryRegion *child)
{
    MemoryRegion **p = &parent->subregions;

    /* Highest priority first; a new region goes above equal priorities. */
    while (*p && (*p)->priority > child->priority) {
        p = &(*p)->next_sibling;
    }
    child->next_sibling = *p;
    *p = child;
    child->container = parent;
}

static void subregion_unlink(MemoryRegion *parent, MemoryRegion *child)
{
    for (MemoryRegion **p = &parent->subregions; *p; p = &(*p)->next_sibling) {
        if (*p == child) {
            *p = child->next_sibling;
            child->next_sibling = NULL;
            child->container = NULL;
            return;
        }
    }
    g_assert_not_reached();
}

static void add_subregion_common(MemoryRegion *parent, hwaddr offset,
                                 MemoryRegion *child)
{
    g_assert(parent->initialized && child->initialized);
    g_assert(parent->kind != MR_KIND_ALIAS);
    g_assert(!child->container);
    g_assert(child != parent);
    child->addr = offset;
    subregion_link(parent, child);
    mr_changed(parent);
}

void memory_region_add_subregion(MemoryRegion *parent, hwaddr offset,
                                 MemoryRegion *child)
{
    child->may_overlap = false;
    child->priority = 0;
    add_subregion_common(parent, offset, child);
}

void memory_region_add_subregion_overlap(MemoryRegion *parent, hwaddr offset,
                                         MemoryRegion *child, int priority)
{
    child->may_overlap = true;
    child->priority = priority;
    add_subregion_common(parent, offset, child);
}

void memory_region_del_subregion(MemoryRegion *parent, MemoryRegion *child)
{
    g_assert(child->container == parent);
    subregion_unlink(parent, child);
    mr_changed(parent);
}

void memory_region_set_enabled(MemoryRegion *mr, bool enabled)
{
    if (mr->enabled == enabled) {
        return;
    }
    mr->enabled = enabled;
    mr_changed(mr);
}

void memory_region_set_address(MemoryRegion *mr, hwaddr addr)
{
    MemoryRegion *parent = mr->container;

    if (mr->addr == addr) {
        return;
    }
    if (!parent) {
        mr->addr = addr;
        return;
    }
    memory_region_transaction_begin();
    subregion_unlink(parent, mr);
    mr->addr = addr;
    subregion_link(parent, mr);
    mr_changed(parent);
    memory_region_transaction_commit();
}

void memory_region_set_size(MemoryRegion *mr, uint64_t size)
{
    if (mr->size == size) {
        return;
    }
    if (mr->ram_block && size > mr->ram_block->size) {
        /* RAM cannot grow past its host block. */
        size = mr->ram_block->size;
    }
    mr->size = size;
    mr_changed(mr);
}

void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset)
{
    g_assert(mr->kind == MR_KIND_ALIAS);
    if (mr->alias_offset == offset) {
        return;
    }
    mr->alias_offset = offset;
    mr_changed(mr);
}

void memory_region_set_readonly(MemoryRegion *mr, bool readonly)
{
    if (mr->readonly == readonly) {
        return;
    }
    mr->readonly = readonly;
    mr_changed(mr);
}

void memory_region_rom_device_set_romd(MemoryRegion *mr, bool romd_mode)
{
    if (mr->romd_mode == romd_mode) {
        return;
    }
    mr->romd_mode = romd_mode;
    mr_changed(mr);
}

/* ---- accessors ---- */

const char *memory_region_name(const MemoryRegion *mr)
{
    return mr->name;
}

struct Object *memory_region_owner(const MemoryRegion *mr)
{
    return mr->owner;
}

uint64_t memory_region_size(const MemoryRegion *mr)
{
    return mr->size;
}

bool memory_region_is_ram(const MemoryRegion *mr)
{
    return mr->kind == MR_KIND_RAM || mr->kind == MR_KIND_RAM_PTR;
}

bool memory_region_is_rom(const MemoryRegion *mr)
{
    return memory_region_is_ram(mr) && mr->readonly;
}

bool memory_region_is_ram_device(const MemoryRegion *mr)
{
    return mr->ram_device;
}

bool memory_region_is_romd(const MemoryRegion *mr)
{
    return mr->kind == MR_KIND_ROM_DEVICE && mr->romd_mode;
}

bool memory_region_is_enabled(const MemoryRegion *mr)
{
    return mr->enabled;
}

bool memory_region_is_readonly(const MemoryRegion *mr)
{
    return mr->readonly;
}

bool memory_region_is_mapped(const MemoryRegion *mr)
{
    return mr->container != NULL || mr->mapped_in_as > 0;
}

void *memory_region_get_ram_ptr(MemoryRegion *mr)
{
    hwaddr offset = 0;

    mr = mr_resolve_alias(mr, &offset);
    if (!mr || !mr->ram_block) {
        return NULL;
    }
    return (uint8_t *)mr->ram_block->host + offset;
}

int memory_region_get_fd(MemoryRegion *mr)
{
    hwaddr offset = 0;

    mr = mr_resolve_alias(mr, &offset);
    return mr && mr->ram_block ? mr->ram_block->fd : -1;
}

bool memory_region_write_rom(MemoryRegion *mr, hwaddr offset, const void *buf,
                             uint64_t len)
{
    RAMBlock *rb;

    if (offset >= mr_size128(mr) || len > mr_size128(mr) - offset) {
        return false;
    }
    mr = mr_resolve_alias(mr, &offset);
    if (!mr || !(rb = mr->ram_block)) {
        return false;
    }
    if (offset > rb->size || len > rb->size - offset) {
        return false;
    }
    memcpy((uint8_t *)rb->host + offset, buf, len);
    ram_written(NULL, HWADDR_MAX, rb, (uint8_t *)rb->host + offset, len);
    return true;
}

bool memory_region_prealloc(MemoryRegion *mr, GError **errp)
{
    hwaddr offset = 0;

    mr = mr_resolve_alias(mr, &offset);
    if (!mr || !mr->ram_block) {
        error_setg(errp, "memory region is not RAM");
        return false;
    }
    return ram_block_prealloc(mr->ram_block, errp);
}

/* ---- dirty logging ---- */

void memory_region_set_log(MemoryRegion *mr, bool log, unsigned client)
{
    uint8_t mask = 1u << client;
    uint8_t new_mask;
    hwaddr offset = 0;

    g_assert(client < DIRTY_MEMORY_NUM);
    mr = mr_resolve_alias(mr, &offset);
    new_mask = log ? (mr->dirty_log_mask | mask) : (mr->dirty_log_mask & ~mask);
    if (new_mask == mr->dirty_log_mask) {
        return;
    }
    mr->dirty_log_mask = new_mask;
    mr_changed(mr);
}

uint8_t memory_region_get_dirty_log_mask(MemoryRegion *mr)
{
    hwaddr offset = 0;
    uint8_t mask;

    mr = mr_resolve_alias(mr, &offset);
    if (!mr || !mr->ram_block) {
        return 0;
    }
    mask = mr->dirty_log_mask;
    if (memory_global_dirty_log) {
        mask |= 1u << DIRTY_MEMORY_MIGRATION;
    }
    return mask;
}

bool memory_global_dirty_log_enabled(void)
{
    return memory_global_dirty_log;
}
