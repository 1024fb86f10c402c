/*
 * Internals shared by the files of memory/: RAM blocks, flat views and the
 * helpers that walk them. Not for use outside memory/.
 */
#ifndef MEMORY_INTERNAL_H
#define MEMORY_INTERNAL_H

#include "memory/memory.h"

typedef unsigned __int128 u128;

/* Host memory behind a RAM, ROM, RAM_PTR or ROM_DEVICE region. Reference
 * counted: the region holds one reference, each FlatView range mapping it
 * another, each dma_memory_map() another. */
struct RAMBlock {
    gint refcount;
    void *host;
    uint64_t size;   /* bytes usable (the region size) */
    uint64_t mapped; /* bytes mmap()ed (page-rounded), 0 if not ours */
    int fd;          /* memfd, or -1 */
    uint64_t npages;
    unsigned long *dirty[DIRTY_MEMORY_NUM];
    char *name;
    MemoryRegion *mr; /* owning region, NULL once finalized */
};

/* How a flat range behaves; decided at render time so that RAM accesses
 * never dereference the MemoryRegion (which the BQL protects). */
enum FlatRangeType {
    FR_RAM,  /* reads and writes go to host memory */
    FR_ROM,  /* reads from host memory, writes dropped */
    FR_ROMD, /* reads from host memory, writes to the region's ops */
    FR_MMIO, /* both through ops */
};

typedef struct FlatRange {
    hwaddr start;     /* first byte in the address space */
    hwaddr last;      /* last byte (inclusive: 2^64 - 1 fits) */
    MemoryRegion *mr; /* terminal region; deref only under the BQL */
    hwaddr offset_in_region;
    uint8_t type;  /* enum FlatRangeType */
    bool readonly; /* FR_ROM or FR_ROMD */
    uint8_t dirty_log_mask;
    int priority;  /* of the terminal region, for dumps */
    RAMBlock *ram; /* referenced, or NULL for FR_MMIO */
    uint8_t *host; /* host address of start, or NULL */
} FlatRange;

struct FlatView {
    gint refcount;
    unsigned nr;
    unsigned alloc;
    FlatRange *ranges;  /* sorted by start, non-overlapping */
    MemoryRegion *root; /* effective root (see flatview.c), NULL if empty */
};

/* ram.c */
RAMBlock *ram_block_new_memfd(const char *name, uint64_t size, GError **errp);
RAMBlock *ram_block_new_ptr(const char *name, uint64_t size, void *host);
RAMBlock *ram_block_new_fd(const char *name, uint64_t size, int fd,
                           uint64_t offset, bool shared, GError **errp);
void ram_block_set_region(RAMBlock *rb, MemoryRegion *mr);
bool ram_block_prealloc(RAMBlock *rb, GError **errp);
void ram_block_ref(RAMBlock *rb);
void ram_block_unref(RAMBlock *rb);
void ram_block_set_dirty(RAMBlock *rb, uint64_t offset, uint64_t len);
RAMBlock *ram_block_find_by_host(const void *host, uint64_t *offset);
void ram_block_set_all_dirty(RAMBlock *rb, unsigned client);
extern RamWriteNotifier *ram_write_notifiers;
void ram_write_notify(AddressSpace *as, hwaddr gpa, void *host, uint64_t len);

/* Dirty-mark and notify after the VMM wrote guest RAM: one branch when no
 * notifier is registered. */
static inline void ram_written(AddressSpace *as, hwaddr gpa, RAMBlock *rb,
                               uint8_t *host, uint64_t len)
{
    ram_block_set_dirty(rb, host - (uint8_t *)rb->host, len);
    if (G_UNLIKELY(__atomic_load_n(&ram_write_notifiers, __ATOMIC_RELAXED))) {
        ram_write_notify(as, gpa, host, len);
    }
}

/* region.c */
u128 mr_size128(const MemoryRegion *mr);
/* Follow aliases to the region that holds RAM; adds alias offsets. */
MemoryRegion *mr_resolve_alias(MemoryRegion *mr, hwaddr *offset);
void memory_update_pending(void);
extern bool memory_global_dirty_log;

/* flatview.c */
MemoryRegion *flatview_effective_root(MemoryRegion *mr);
FlatView *flatview_render(MemoryRegion *root);
FlatView *flatview_ref_current(AddressSpace *as);
void flatview_ref(FlatView *v);
bool flatrange_same(const FlatRange *a, const FlatRange *b);
bool flatviews_equal(const FlatView *a, const FlatView *b);
/* Index of the range containing addr, or -1; *next is the index of the
 * first range starting after addr (for gap sizes). */
int flatview_lookup(const FlatView *view, hwaddr addr, unsigned *next);
GPtrArray *memory_address_spaces(void);

/* listener.c */
void memory_update_all_address_spaces(void);
void flatrange_to_section(const FlatRange *fr, AddressSpace *as,
                          MemoryRegionSection *s);

/* ioeventfd.c */
GArray *ioeventfds_render(FlatView *v);
bool ioeventfds_equal(GArray *a, GArray *b);
void ioeventfds_diff(AddressSpace *as, GArray *old, GArray *new);
void ioeventfd_notify_one(MemoryListener *l, AddressSpace *as,
                          const MemoryRegionIoeventfd *ev, bool add);
bool memory_region_ioeventfd_fire(MemoryRegion *mr, hwaddr addr, unsigned size,
                                  uint64_t data);

/* dispatch.c */
void memory_log_unassigned(AddressSpace *as, hwaddr addr, unsigned size,
                           bool is_write);

#endif
