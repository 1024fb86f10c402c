/*
 * The memory API: regions, address spaces, flat views, listeners, dispatch,
 * dirty logging and DMA helpers.
 *
 * What for: every guest-visible address decode. Boards build a tree of
 * MemoryRegions (RAM, ROM, MMIO and I/O port regions with MemoryRegionOps,
 * aliases, containers with priorities) under the roots of
 * address_space_memory and address_space_io. Each AddressSpace flattens its
 * tree into a FlatView (sorted, non-overlapping ranges each pointing at a
 * terminal region), rebuilt when the tree changes (once per outermost
 * transaction). MemoryListeners (accel/kvm memslots, migration) are told
 * which sections appeared or went away.
 *
 * Who calls it: boards and devices (init/add/del regions, DMA,
 * ioeventfds), accel/kvm (listeners for memslots, ioeventfds and dirty-log
 * sync; address_space_rw on MMIO/PIO exits), migration and display (dirty
 * bitmaps, memory_foreach_ram_region), monitor (mtree_info), software CPU
 * (RAM write notifier).
 *
 * Lifetime: a MemoryRegion is embedded in its owner's state, initialised by
 * one memory_region_init_*() and released by memory_region_finalize() once
 * it is out of every container (see there). Host RAM outlives the region
 * while a FlatView or a DMA mapping still uses it.
 *
 * A device, typically:
 *     memory_region_init_io(&s->mmio, OBJECT(s), &hpet_ops, s, "hpet", 0x400);
 *     memory_region_add_subregion(get_system_memory(), 0xfed00000, &s->mmio);
 *     ...
 *     if (dma_memory_read(s->dma_as, desc_addr, &desc, sizeof(desc))) {
 *         ... guest gave a bad address: report a device error, do not crash
 *     }
 *
 * Overlap rule: inside a container, the subregion with the higher priority
 * wins; among equal priorities the one added LATER is on top (as in QEMU).
 * Priorities only compare siblings: a container's own priority places the
 * whole container among its siblings.
 *
 * Locking:
 *  - The region tree, AddressSpaces and listener lists are changed only with
 *    the big VMM lock (BQL) held (normally by the main thread). Listener
 *    callbacks run under it. This module does not take the BQL itself.
 *  - Each AddressSpace publishes its current FlatView through an atomic
 *    pointer; readers take a reference under a tiny per-AS lock, so a view
 *    is never freed while any thread uses it. A RAMBlock (host memory of a
 *    RAM/ROM region) is reference counted by the views that map it, so a RAM
 *    access from any thread never touches unmapped host memory even if the
 *    region is removed and finalized concurrently.
 *  - RAM accesses through address_space_rw()/dma_memory_*() may be issued
 *    from any thread without the BQL. A thread without the BQL should use
 *    dma_memory_*(), which never reach a device callback.
 *  - Dispatch to MMIO/PIO MemoryRegionOps callbacks requires the caller to
 *    hold the BQL (the accelerator takes it around exit handling; devices
 *    run under it). This module does not lock around device callbacks.
 *  - Dirty bitmaps are set/cleared with atomic bit operations and may be
 *    used from any thread.
 */
#ifndef MEMORY_MEMORY_H
#define MEMORY_MEMORY_H

#include <glib.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct Object; /* include/qom/object.h; opaque here */

typedef uint64_t hwaddr;
#define HWADDR_MAX UINT64_MAX
#define HWADDR_PRIx PRIx64

typedef uint64_t dma_addr_t;

/* Who issues a transaction. Small and passed by value. */
typedef struct MemTxAttrs {
    unsigned int unspecified : 1; /* no attributes given */
    unsigned int secure : 1;
    unsigned int user : 1;
    unsigned int memory : 1;        /* requester asked for memory semantics */
    unsigned int requester_id : 16; /* PCI requester id for DMA */
} MemTxAttrs;

#define MEMTXATTRS_UNSPECIFIED ((MemTxAttrs){.unspecified = 1})

typedef uint32_t MemTxResult;
#define MEMTX_OK 0
#define MEMTX_ERROR (1U << 0)        /* device returned an error */
#define MEMTX_DECODE_ERROR (1U << 1) /* nothing at that address */
#define MEMTX_ACCESS_ERROR (1U << 2) /* refused (e.g. DMA to non-RAM) */

typedef struct MemoryRegion MemoryRegion;
typedef struct MemoryRegionOps MemoryRegionOps;
typedef struct MemoryRegionSection MemoryRegionSection;
typedef struct MemoryListener MemoryListener;
typedef struct AddressSpace AddressSpace;
typedef struct FlatView FlatView;
typedef struct RAMBlock RAMBlock;

/* Only little-endian (and native == little on x86 hosts) is exercised;
 * DEVICE_BIG_ENDIAN is honoured by byte-swapping. */
enum device_endian {
    DEVICE_NATIVE_ENDIAN,
    DEVICE_BIG_ENDIAN,
    DEVICE_LITTLE_ENDIAN,
};

/*
 * Callbacks of an MMIO or I/O port region. Handlers get an offset into
 * their region, never an absolute address. Called with the BQL held.
 *
 * valid: what the guest may issue. Zero max_access_size means 4, zero
 * min_access_size means 1. An address-space access longer than valid.max
 * (an 8-byte access to a 4-byte device) is first cut into valid.max pieces,
 * as in QEMU. A piece outside [min, max], or unaligned when
 * !valid.unaligned, or refused by accepts(), is treated as unassigned
 * (reads all-ones, writes dropped, MEMTX_DECODE_ERROR).
 *
 * impl: what the callbacks implement. Zero max means 4, zero min means 1.
 * Wider accesses are split into impl.max pieces (little-endian order);
 * narrower ones are widened to impl.min, aligned down: reads shift out the
 * wanted bytes, writes do read-modify-write. Unaligned accesses are split
 * into aligned pieces when !impl.unaligned. Callbacks never see an access
 * past the end of a region whose size is a multiple of impl.min.
 *
 * Either read/write or the *_with_attrs variants may be given; with_attrs
 * wins when both are set. A missing read returns 0, a missing write drops.
 */
struct MemoryRegionOps {
    uint64_t (*read)(void *opaque, hwaddr addr, unsigned size);
    void (*write)(void *opaque, hwaddr addr, uint64_t data, unsigned size);
    MemTxResult (*read_with_attrs)(void *opaque, hwaddr addr, uint64_t *data,
                                   unsigned size, MemTxAttrs attrs);
    MemTxResult (*write_with_attrs)(void *opaque, hwaddr addr, uint64_t data,
                                    unsigned size, MemTxAttrs attrs);
    enum device_endian endianness;
    struct {
        unsigned min_access_size;
        unsigned max_access_size;
        bool unaligned;
        bool (*accepts)(void *opaque, hwaddr addr, unsigned size, bool is_write,
                        MemTxAttrs attrs);
    } valid;
    struct {
        unsigned min_access_size;
        unsigned max_access_size;
        bool unaligned;
    } impl;
};

typedef enum MemoryRegionKind {
    MR_KIND_CONTAINER,  /* only subregions; holes are unassigned */
    MR_KIND_RAM,        /* memfd-backed host memory */
    MR_KIND_RAM_PTR,    /* RAM over a caller-supplied host pointer */
    MR_KIND_IO,         /* MMIO or I/O ports: MemoryRegionOps */
    MR_KIND_ROM_DEVICE, /* reads from RAM when romd, writes to ops */
    MR_KIND_ALIAS,      /* window onto another region */
} MemoryRegionKind;

/* Dirty-memory clients (bits of a dirty-log mask). */
#define DIRTY_MEMORY_VGA 0
#define DIRTY_MEMORY_CODE 1
#define DIRTY_MEMORY_MIGRATION 2
#define DIRTY_MEMORY_NUM 3

#define MEMORY_PAGE_SHIFT 12
#define MEMORY_PAGE_SIZE (1ull << MEMORY_PAGE_SHIFT)

/*
 * A region. Embed it in the owner's state and initialise it with one of the
 * memory_region_init_*() functions. All fields are private: use the
 * accessors below. Size UINT64_MAX means 2^64 ("all"), for root containers.
 */
struct MemoryRegion {
    /* private */
    struct Object *owner;
    char *name;
    uint64_t size;
    MemoryRegionKind kind;
    bool initialized;
    bool enabled;
    bool readonly;   /* guest writes ignored (ROM) */
    bool rom;        /* created by memory_region_init_rom */
    bool romd_mode;  /* ROM_DEVICE: reads go straight to RAM */
    bool ram_device; /* RAM_PTR made by init_ram_device_ptr */
    bool may_overlap;
    uint8_t dirty_log_mask;
    int priority;
    hwaddr addr; /* offset in container */
    MemoryRegion *container;
    MemoryRegion *subregions; /* highest priority (then newest) first */
    MemoryRegion *next_sibling;
    MemoryRegion *alias;
    hwaddr alias_offset;
    unsigned alias_users;  /* aliases pointing at this region */
    unsigned mapped_in_as; /* address spaces using it as root */
    const MemoryRegionOps *ops;
    void *opaque;
    RAMBlock *ram_block;
    GArray *ioeventfds; /* of MemoryRegionIoeventfd */
};

/*
 * A piece of a FlatView as listeners see it: [offset_within_address_space,
 * + size) maps mr at offset_within_region. size is UINT64_MAX for a section
 * covering all 2^64 bytes (only possible for a region of size "all").
 */
struct MemoryRegionSection {
    MemoryRegion *mr;
    AddressSpace *address_space;
    hwaddr offset_within_region;
    hwaddr offset_within_address_space;
    uint64_t size;
    bool readonly;
};

/* ---- region creation and lifetime (BQL) ---- */

/* A container: holds subregions, holes are unassigned. */
void memory_region_init(MemoryRegion *mr, struct Object *owner,
                        const char *name, uint64_t size);
/* RAM backed by memfd_create + mmap(MAP_SHARED | MAP_NORESERVE); the fd is
 * available through memory_region_get_fd(). */
bool memory_region_init_ram(MemoryRegion *mr, struct Object *owner,
                            const char *name, uint64_t size, GError **errp);
/* RAM mapped from an existing fd at offset (page-aligned), MAP_SHARED if
 * shared else MAP_PRIVATE: memory-backend-file/memfd. The region keeps a
 * dup of fd (memory_region_get_fd); the caller still owns fd. */
bool memory_region_init_ram_from_fd(MemoryRegion *mr, struct Object *owner,
                                    const char *name, uint64_t size, int fd,
                                    uint64_t offset, bool shared,
                                    GError **errp);
/* RAM from a file (created and grown to size if needed), or from an
 * unlinked file in it if path is a directory (hugetlbfs mount). */
bool memory_region_init_ram_from_file(MemoryRegion *mr, struct Object *owner,
                                      const char *name, uint64_t size,
                                      const char *path, bool shared,
                                      GError **errp);
/* Like memory_region_init_ram, read-only for the guest (writes dropped);
 * loaders write with memory_region_write_rom() or address_space_write_rom().
 */
bool memory_region_init_rom(MemoryRegion *mr, struct Object *owner,
                            const char *name, uint64_t size, GError **errp);
/* RAM over existing host memory (not freed by us). */
void memory_region_init_ram_ptr(MemoryRegion *mr, struct Object *owner,
                                const char *name, uint64_t size, void *ptr);
/* Same, for device memory (e.g. a BAR mapped from the host). */
void memory_region_init_ram_device_ptr(MemoryRegion *mr, struct Object *owner,
                                       const char *name, uint64_t size,
                                       void *ptr);
/* MMIO or I/O ports (which one depends on the address space it lands in). */
void memory_region_init_io(MemoryRegion *mr, struct Object *owner,
                           const MemoryRegionOps *ops, void *opaque,
                           const char *name, uint64_t size);
/* Flash-like: reads from RAM while in romd mode (the default), writes
 * always go to ops; with romd off, reads go to ops too. */
bool memory_region_init_rom_device(MemoryRegion *mr, struct Object *owner,
                                   const MemoryRegionOps *ops, void *opaque,
                                   const char *name, uint64_t size,
                                   GError **errp);
/* A window of `size` bytes onto orig starting at `offset` in orig. */
void memory_region_init_alias(MemoryRegion *mr, struct Object *owner,
                              const char *name, MemoryRegion *orig,
                              hwaddr offset, uint64_t size);
/*
 * Release what init allocated. The region must not be in a container,
 * must have no subregions and no alias may point at it. Host RAM is
 * unmapped once no FlatView or DMA mapping references it anymore.
 * Finalize (or free the owner) only after the commit that unmapped it, not
 * inside a transaction that removed it: listeners are told about the
 * removal at that commit and may still look at the region then.
 */
void memory_region_finalize(MemoryRegion *mr);

/* ---- tree changes (BQL); each rebuilds views unless in a transaction ---- */

/* Any region but an alias may have subregions: they are above it, and a
 * terminal parent (RAM, MMIO) shows through their holes. */

/* Add child at offset in parent with priority 0. Overlapping a sibling is
 * allowed but not meaningful; use the _overlap form to say which wins. */
void memory_region_add_subregion(MemoryRegion *parent, hwaddr offset,
                                 MemoryRegion *child);
/* Add child which may overlap its siblings; priority decides. */
void memory_region_add_subregion_overlap(MemoryRegion *parent, hwaddr offset,
                                         MemoryRegion *child, int priority);
void memory_region_del_subregion(MemoryRegion *parent, MemoryRegion *child);
void memory_region_set_enabled(MemoryRegion *mr, bool enabled);
/* Move a region within its container (keeps priority). */
void memory_region_set_address(MemoryRegion *mr, hwaddr addr);
void memory_region_set_size(MemoryRegion *mr, uint64_t size);
void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset);
void memory_region_set_readonly(MemoryRegion *mr, bool readonly);
void memory_region_rom_device_set_romd(MemoryRegion *mr, bool romd_mode);

/* Batch changes: views are rebuilt and listeners told once, at the
 * outermost commit. Nestable. Changes made from listener callbacks are
 * applied in a further update right after the current one. */
void memory_region_transaction_begin(void);
void memory_region_transaction_commit(void);

/* ---- accessors ---- */

const char *memory_region_name(const MemoryRegion *mr);
struct Object *memory_region_owner(const MemoryRegion *mr);
uint64_t memory_region_size(const MemoryRegion *mr); /* UINT64_MAX = 2^64 */
/* RAM, ROM or RAM_PTR. False for ROM devices, as in QEMU: to know whether
 * a section can be mapped directly (read-only for ROM and romd ROM
 * devices), use memory_region_section_get_host(section) != NULL. */
bool memory_region_is_ram(const MemoryRegion *mr);
bool memory_region_is_rom(const MemoryRegion *mr);
bool memory_region_is_ram_device(const MemoryRegion *mr);
bool memory_region_is_romd(const MemoryRegion *mr);
bool memory_region_is_enabled(const MemoryRegion *mr);
bool memory_region_is_readonly(const MemoryRegion *mr);
bool memory_region_is_mapped(const MemoryRegion *mr);
/* Host address of offset 0 of a RAM-backed region (aliases followed), or
 * NULL for non-RAM. */
void *memory_region_get_ram_ptr(MemoryRegion *mr);
/* The fd behind a memory_region_init_ram/rom/ram_from_fd/ram_from_file
 * region (a memfd for init_ram/rom), or -1. Still owned by the region:
 * dup() it to keep it. */
int memory_region_get_fd(MemoryRegion *mr);
/* -mem-prealloc: populate all of a RAM region's host memory now. */
bool memory_region_prealloc(MemoryRegion *mr, GError **errp);
/* Write into a ROM (or RAM) region, ignoring readonly: for loaders. Returns
 * false if the range is outside the region or the region has no RAM. */
bool memory_region_write_rom(MemoryRegion *mr, hwaddr offset, const void *buf,
                             uint64_t len);

/* ---- dispatch ---- */

/*
 * Read or write len bytes at addr. Accesses crossing section boundaries are
 * split per section. Unassigned bytes read as 0xff, writes to them are
 * dropped; the result ORs every piece's result. RAM accesses do not
 * allocate and may come from any thread; MMIO/PIO need the BQL.
 */
MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                             void *buf, hwaddr len, bool is_write);
MemTxResult address_space_read(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                               void *buf, hwaddr len);
MemTxResult address_space_write(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                                const void *buf, hwaddr len);
/* Like address_space_write but also writes ROM (for loaders). */
MemTxResult address_space_write_rom(AddressSpace *as, hwaddr addr,
                                    MemTxAttrs attrs, const void *buf,
                                    hwaddr len);

/* One 1/2/4/8-byte access to a region at an offset, through valid/impl
 * checks and splitting (used by address_space_rw; exported for qtest).
 * *data/data is the little-endian value of the bytes at addr. */
MemTxResult memory_region_dispatch_read(MemoryRegion *mr, hwaddr addr,
                                        uint64_t *data, unsigned size,
                                        MemTxAttrs attrs);
MemTxResult memory_region_dispatch_write(MemoryRegion *mr, hwaddr addr,
                                         uint64_t data, unsigned size,
                                         MemTxAttrs attrs);

/* Little-endian loads/stores; result may be NULL. */
uint8_t address_space_ldub(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                           MemTxResult *result);
uint16_t address_space_lduw_le(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                               MemTxResult *result);
uint32_t address_space_ldl_le(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                              MemTxResult *result);
uint64_t address_space_ldq_le(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                              MemTxResult *result);
void address_space_stb(AddressSpace *as, hwaddr addr, uint8_t val,
                       MemTxAttrs attrs, MemTxResult *result);
void address_space_stw_le(AddressSpace *as, hwaddr addr, uint16_t val,
                          MemTxAttrs attrs, MemTxResult *result);
void address_space_stl_le(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *result);
void address_space_stq_le(AddressSpace *as, hwaddr addr, uint64_t val,
                          MemTxAttrs attrs, MemTxResult *result);

/*
 * Find what backs addr. Returns the terminal region (aliases resolved) or
 * NULL if unassigned; *xlat is the offset in that region and *plen is
 * clipped to the end of the section (never grown). Does not dispatch.
 * The returned region stays valid only while the BQL is held.
 */
MemoryRegion *address_space_translate(AddressSpace *as, hwaddr addr,
                                      hwaddr *xlat, hwaddr *plen, bool is_write,
                                      MemTxAttrs attrs);

/* Unassigned-access logging (guest-error category), off by default;
 * rate-limited when on. */
void memory_set_log_unassigned(bool on);
bool memory_get_log_unassigned(void);

/* ---- ioeventfds (virtio notify without a device callback) ---- */

/*
 * A guest write of `size` bytes (0: any size) at offset addr of mr, with
 * value `data` if match_data, signals eventfd fd instead of calling the
 * region's ops. Listeners are told (eventfd_add/del) so the accelerator can
 * have KVM catch such writes without an exit; a write that still reaches
 * dispatch signals fd here. The fd stays owned by the caller. BQL.
 */
typedef struct MemoryRegionIoeventfd {
    hwaddr addr; /* in the region; in the address space for AS
                  * lists */
    unsigned size;
    bool match_data;
    uint64_t data;
    int fd;
    MemoryRegion *mr;        /* AS lists only */
    hwaddr offset_in_region; /* AS lists only */
} MemoryRegionIoeventfd;

void memory_region_add_eventfd(MemoryRegion *mr, hwaddr addr, unsigned size,
                               bool match_data, uint64_t data, int fd);
void memory_region_del_eventfd(MemoryRegion *mr, hwaddr addr, unsigned size,
                               bool match_data, uint64_t data, int fd);

/* ---- RAM sections, for the accelerator ---- */

typedef struct RamSection {
    hwaddr gpa;
    uint64_t size;
    void *host;
    bool readonly;  /* ROM, readonly region, or romd ROM device */
    bool dirty_log; /* some dirty-log client is enabled on it */
    MemoryRegion *mr;
    hwaddr offset_within_region;
} RamSection;

typedef void (*RamSectionFn)(const RamSection *s, void *opaque);
/* Call fn for each RAM-backed section of the current view, in address
 * order. Returns the number of sections. */
unsigned address_space_foreach_ram_section(AddressSpace *as, RamSectionFn fn,
                                           void *opaque);
/* Host pointer for a RAM section a listener got, or NULL if not RAM. */
void *memory_region_section_get_host(const MemoryRegionSection *s);

/* ---- listeners (BQL) ---- */

/*
 * Order of calls on a view change of an AddressSpace:
 *   begin (all listeners, ascending priority)
 *   region_del for each removed section (listeners in DEscending priority)
 *   region_add for each new section (listeners in ascending priority)
 *   region_nop for each unchanged section (ascending), preceded by
 *     log_start/log_stop if its dirty-log mask changed
 *   commit (all listeners, ascending priority)
 * Equal priorities keep registration order (reversed for region_del).
 * A section whose mr, offsets, size or readonly changed is a del + add.
 * ioeventfd changes come after the region_add/nop calls: eventfd_del
 * (descending) for those gone, then eventfd_add (ascending) for new ones.
 * On register, existing sections of the filtered address space are
 * replayed as log_global_start (if the global dirty log is on), begin,
 * region_add (+ log_start when logged), eventfd_add, commit. On unregister,
 * as begin, log_global_stop, region_del, eventfd_del, commit, in address
 * order.
 */
struct MemoryListener {
    void (*begin)(MemoryListener *listener);
    void (*commit)(MemoryListener *listener);
    void (*region_add)(MemoryListener *listener, MemoryRegionSection *section);
    void (*region_del)(MemoryListener *listener, MemoryRegionSection *section);
    void (*region_nop)(MemoryListener *listener, MemoryRegionSection *section);
    void (*log_start)(MemoryListener *listener, MemoryRegionSection *section,
                      int old_mask, int new_mask);
    void (*log_stop)(MemoryListener *listener, MemoryRegionSection *section,
                     int old_mask, int new_mask);
    /* Pull the dirty log of a section into the region's bitmaps (the
     * accelerator calls memory_region_set_dirty_bits from here). */
    void (*log_sync)(MemoryListener *listener, MemoryRegionSection *section);
    void (*log_global_start)(MemoryListener *listener);
    void (*log_global_stop)(MemoryListener *listener);
    /* An ioeventfd appeared/went at section->offset_within_address_space,
     * section->size bytes (0: any size); the accelerator registers it with
     * KVM_IOEVENTFD. Called between begin and commit, dels before adds. */
    void (*eventfd_add)(MemoryListener *listener, MemoryRegionSection *section,
                        bool match_data, uint64_t data, int fd);
    void (*eventfd_del)(MemoryListener *listener, MemoryRegionSection *section,
                        bool match_data, uint64_t data, int fd);
    const char *name;
    unsigned priority;
    /* private */
    AddressSpace *address_space; /* set by memory_listener_register */
    bool registered;
};

/* Register for one address space (as != NULL). */
void memory_listener_register(MemoryListener *listener, AddressSpace *as);
void memory_listener_unregister(MemoryListener *listener);

/* ---- dirty logging ---- */

/* Every live region that owns RAM (RAM, ROM, RAM_PTR, ROM_DEVICE), in
 * creation order: what migration sends. BQL. */
void memory_foreach_ram_region(void (*fn)(MemoryRegion *mr, void *opaque),
                               void *opaque);

/* Enable/disable dirty logging of one client on a RAM region. */
void memory_region_set_log(MemoryRegion *mr, bool log, unsigned client);
/* Mask of clients logging this region (the migration bit reflects the
 * global dirty log). */
uint8_t memory_region_get_dirty_log_mask(MemoryRegion *mr);
/* Migration: turn logging on everywhere (log_global_start on listeners,
 * all pages initially dirty in the MIGRATION bitmap). */
void memory_global_dirty_log_start(void);
void memory_global_dirty_log_stop(void);
bool memory_global_dirty_log_enabled(void);
/* Ask listeners (log_sync) to pull their dirty logs. */
void memory_global_dirty_log_sync(void);
void memory_region_sync_dirty_bitmap(MemoryRegion *mr);

/* New RAM starts dirty for every client (displays redraw it, a running
 * migration sends it).
 * Mark [offset, offset + size) of a RAM region dirty for all clients. */
void memory_region_set_dirty(MemoryRegion *mr, hwaddr offset, uint64_t size);
/* Merge a KVM_GET_DIRTY_LOG style bitmap (bit i = page offset/4K + i,
 * unsigned long words, little bit order) into all clients' bitmaps. */
void memory_region_set_dirty_bits(MemoryRegion *mr, hwaddr offset,
                                  const unsigned long *bitmap, uint64_t npages);
/* Is any page of the range dirty for client? */
bool memory_region_get_dirty(MemoryRegion *mr, hwaddr offset, uint64_t size,
                             unsigned client);
/* Test and clear atomically, page by page; true if any was dirty. */
bool memory_region_test_and_clear_dirty(MemoryRegion *mr, hwaddr offset,
                                        uint64_t size, unsigned client);
void memory_region_reset_dirty(MemoryRegion *mr, hwaddr offset, uint64_t size,
                               unsigned client);

/* ---- RAM write notifier ---- */

/*
 * Called after the VMM itself (address_space_write, dma_memory_write/set,
 * dma_memory_unmap of a writable mapping, address_space_write_rom) writes
 * guest RAM. as/gpa are where the write was issued (as NULL and gpa
 * HWADDR_MAX for memory_region_write_rom, which has no address), host is the
 * written host memory. The software CPU uses it to drop decoded code. May be
 * called from any thread that writes guest RAM. Register/unregister under the
 * BQL while no such writes run (normally at accelerator init).
 */
typedef struct RamWriteNotifier RamWriteNotifier;
struct RamWriteNotifier {
    void (*notify)(RamWriteNotifier *n, AddressSpace *as, hwaddr gpa,
                   void *host, uint64_t len);
    /* private */
    RamWriteNotifier *next;
};
void ram_write_notifier_add(RamWriteNotifier *n);
void ram_write_notifier_remove(RamWriteNotifier *n);

/* ---- DMA helpers: devices use these with guest-supplied addresses ---- */

/*
 * Each refuses the whole access, with MEMTX_ACCESS_ERROR and without
 * touching anything, unless every byte of [addr, addr + len) is RAM or ROM
 * of as and the range does not wrap past 2^64. len 0 is MEMTX_OK.
 * Writes into ROM are dropped (as for the guest). No BQL needed.
 */
MemTxResult dma_memory_read(AddressSpace *as, dma_addr_t addr, void *buf,
                            dma_addr_t len);
MemTxResult dma_memory_write(AddressSpace *as, dma_addr_t addr, const void *buf,
                             dma_addr_t len);
MemTxResult dma_memory_set(AddressSpace *as, dma_addr_t addr, uint8_t c,
                           dma_addr_t len);
/* Little-endian loads/stores of guest structures (descriptors, rings) with
 * the same guard; *val is 0 when refused. */
static inline MemTxResult ldw_le_dma(AddressSpace *as, dma_addr_t addr,
                                     uint16_t *val)
{
    uint8_t b[2] = {0, 0};
    MemTxResult r = dma_memory_read(as, addr, b, 2);

    *val = r == MEMTX_OK ? (uint16_t)(b[0] | b[1] << 8) : 0;
    return r;
}

static inline MemTxResult ldl_le_dma(AddressSpace *as, dma_addr_t addr,
                                     uint32_t *val)
{
    uint8_t b[4];
    MemTxResult r = dma_memory_read(as, addr, b, 4);

    *val = r == MEMTX_OK ? (uint32_t)b[0] | (uint32_t)b[1] << 8 |
                               (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24
                         : 0;
    return r;
}

static inline MemTxResult ldq_le_dma(AddressSpace *as, dma_addr_t addr,
                                     uint64_t *val)
{
    uint8_t b[8];
    MemTxResult r = dma_memory_read(as, addr, b, 8);

    *val = 0;
    for (int i = 7; r == MEMTX_OK && i >= 0; i--) {
        *val = *val << 8 | b[i];
    }
    return r;
}

static inline MemTxResult stw_le_dma(AddressSpace *as, dma_addr_t addr,
                                     uint16_t val)
{
    uint8_t b[2] = {(uint8_t)val, (uint8_t)(val >> 8)};

    return dma_memory_write(as, addr, b, 2);
}

static inline MemTxResult stl_le_dma(AddressSpace *as, dma_addr_t addr,
                                     uint32_t val)
{
    uint8_t b[4];

    for (int i = 0; i < 4; i++) {
        b[i] = (uint8_t)(val >> (8 * i));
    }
    return dma_memory_write(as, addr, b, 4);
}

static inline MemTxResult stq_le_dma(AddressSpace *as, dma_addr_t addr,
                                     uint64_t val)
{
    uint8_t b[8];

    for (int i = 0; i < 8; i++) {
        b[i] = (uint8_t)(val >> (8 * i));
    }
    return dma_memory_write(as, addr, b, 8);
}

/* Is [addr, addr + len) all RAM (writable RAM if is_write)? */
bool dma_memory_valid(AddressSpace *as, dma_addr_t addr, dma_addr_t len,
                      bool is_write);
/*
 * Zero-copy: host pointer to the RAM at addr, *len shortened to the
 * contiguous RAM part (writable RAM if is_write). NULL, *len untouched,
 * if addr is not RAM. Must be followed by dma_memory_unmap with the same
 * pointer; access_len bytes are then marked dirty and notified.
 */
void *dma_memory_map(AddressSpace *as, dma_addr_t addr, dma_addr_t *len,
                     bool is_write);
void dma_memory_unmap(AddressSpace *as, void *buffer, dma_addr_t len,
                      bool is_write, dma_addr_t access_len);

/* QEMU's names for dma_memory_map/unmap (attrs unused). */
static inline void *address_space_map(AddressSpace *as, hwaddr addr,
                                      hwaddr *plen, bool is_write,
                                      MemTxAttrs attrs)
{
    (void)attrs;
    return dma_memory_map(as, addr, plen, is_write);
}

static inline void address_space_unmap(AddressSpace *as, void *buffer,
                                       hwaddr len, bool is_write,
                                       hwaddr access_len)
{
    dma_memory_unmap(as, buffer, len, is_write, access_len);
}

/* ---- address spaces ---- */

struct AddressSpace {
    /* private */
    char *name;
    MemoryRegion *root;
    FlatView *current_map;    /* atomic pointer, see locking above */
    pthread_mutex_t map_lock; /* guards load+ref of current_map */
    GPtrArray *listeners;     /* sorted by priority */
    GArray *ioeventfds;       /* MemoryRegionIoeventfd, sorted */
    bool initialized;
};

void address_space_init(AddressSpace *as, MemoryRegion *root, const char *name);
/* Listeners must be unregistered first, and no thread may still be
 * accessing as (stop a device's DMA before destroying its address space).
 * The root region stays the caller's. */
void address_space_destroy(AddressSpace *as);
/* Take/drop a reference on the current view of as (for callers that want to
 * do several lookups against one consistent view). */
FlatView *address_space_get_flatview(AddressSpace *as);
void flatview_unref(FlatView *view);

/* Creates the "system" (2^64) and "io" (64 KiB) roots and the address
 * spaces "memory" and "I/O". Idempotent. */
void memory_init(void);
extern AddressSpace address_space_memory;
extern AddressSpace address_space_io;
MemoryRegion *get_system_memory(void);
MemoryRegion *get_system_io(void);

/* ---- text dumps (monitor "info mtree") ---- */

/* Appends QEMU's "info mtree" text for every address space; with flatview,
 * the flat views ("FlatView #n" form) instead of the trees. */
void mtree_info(GString *out, bool flatview);

/* Number of FlatView rebuilds so far (tests check transactions). */
uint64_t memory_debug_rebuild_count(void);

/* Convenience wrappers in QEMU's style (attrs unspecified, result ignored). */
static inline uint32_t ldl_le_phys(AddressSpace *as, hwaddr addr)
{
    return address_space_ldl_le(as, addr, MEMTXATTRS_UNSPECIFIED, NULL);
}

static inline uint64_t ldq_le_phys(AddressSpace *as, hwaddr addr)
{
    return address_space_ldq_le(as, addr, MEMTXATTRS_UNSPECIFIED, NULL);
}

static inline void stl_le_phys(AddressSpace *as, hwaddr addr, uint32_t val)
{
    address_space_stl_le(as, addr, val, MEMTXATTRS_UNSPECIFIED, NULL);
}

static inline void stq_le_phys(AddressSpace *as, hwaddr addr, uint64_t val)
{
    address_space_stq_le(as, addr, val, MEMTXATTRS_UNSPECIFIED, NULL);
}

static inline void cpu_physical_memory_read(hwaddr addr, void *buf, hwaddr len)
{
    address_space_read(&address_space_memory, addr, MEMTXATTRS_UNSPECIFIED, buf,
                       len);
}

static inline void cpu_physical_memory_write(hwaddr addr, const void *buf,
                                             hwaddr len)
{
    address_space_write(&address_space_memory, addr, MEMTXATTRS_UNSPECIFIED,
                        buf, len);
}

#endif
