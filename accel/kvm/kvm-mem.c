/*
 * KVM memslots from the memory API: a MemoryListener on address_space_memory
 * turns each RAM section of the flat view into one memslot (page-aligned
 * inside the section; the unaligned edges stay MMIO and reach the memory
 * API through exits), read-only for ROM, with KVM_MEM_LOG_DIRTY_PAGES while
 * a dirty-log client (VGA, migration) wants it. View changes arrive as
 * region_del then region_add, so a split, merge, move or resize is a delete
 * of the old slots followed by new ones. log_sync pulls KVM_GET_DIRTY_LOG
 * into the region's dirty bitmaps (also right before a logged slot goes).
 *
 * ioeventfds of both address spaces become KVM_IOEVENTFD registrations, and
 * a RAM write notifier tells ukvm about VMM writes to guest RAM (it drops
 * decoded code; the kernel needs nothing).
 */
#include <errno.h>
#include <string.h>

#include "kvm-internal.h"
#include "util/error.h"

#define PAGE_SIZE_ 4096ULL

static bool section_readonly(MemoryRegionSection *sec)
{
    MemoryRegion *mr = sec->mr;
    return sec->readonly || memory_region_is_readonly(mr) ||
           memory_region_is_rom(mr) || memory_region_is_romd(mr);
}

static bool section_logged(MemoryRegionSection *sec)
{
    return memory_region_get_dirty_log_mask(sec->mr) &
           ~(1u << DIRTY_MEMORY_CODE);
}

/* Page-aligned part of a RAM section; false if none. */
static bool section_range(MemoryRegionSection *sec, uint64_t *gpa,
                          uint64_t *size, void **host, hwaddr *off_in_mr)
{
    if (!memory_region_is_ram(sec->mr) || sec->size == UINT64_MAX) {
        return false;
    }
    uint8_t *h = memory_region_section_get_host(sec);
    if (!h) {
        return false;
    }
    uint64_t start = sec->offset_within_address_space;
    uint64_t end = start + sec->size;
    uint64_t astart = (start + PAGE_SIZE_ - 1) & ~(PAGE_SIZE_ - 1);
    uint64_t aend = end & ~(PAGE_SIZE_ - 1);
    if (astart >= aend) {
        return false;
    }
    /* the host address must be page aligned at the same offsets */
    if (((uintptr_t)h + (astart - start)) & (PAGE_SIZE_ - 1)) {
        return false;
    }
    *gpa = astart;
    *size = aend - astart;
    *host = h + (astart - start);
    *off_in_mr = sec->offset_within_region + (astart - start);
    return true;
}

static int slot_set(KvmState *s, KvmSlot *sl, uint64_t size)
{
    struct kvm_userspace_memory_region m = {
        .slot = sl->id,
        .flags = sl->flags,
        .guest_phys_addr = sl->gpa,
        .memory_size = size,
        .userspace_addr = (uintptr_t)sl->host,
    };
    return kvm_vm_ioctl(s, KVM_SET_USER_MEMORY_REGION, &m);
}

static KvmSlot *slot_find(KvmState *s, uint64_t gpa, uint64_t size)
{
    for (int i = 0; i < s->max_user_slots; i++) {
        KvmSlot *sl = &s->slots[i];
        if (sl->used && sl->gpa == gpa && sl->size == size) {
            return sl;
        }
    }
    return NULL;
}

static void slot_sync_dirty(KvmState *s, KvmSlot *sl)
{
    if (!(sl->flags & KVM_MEM_LOG_DIRTY_PAGES)) {
        return;
    }
    uint64_t npages = sl->size / PAGE_SIZE_;
    size_t longs = (npages + 63) / 64;
    unsigned long *bm = g_new0(unsigned long, longs);
    struct kvm_dirty_log log = { .slot = sl->id, .dirty_bitmap = bm };
    int r = kvm_vm_ioctl(s, KVM_GET_DIRTY_LOG, &log);
    if (r == 0) {
        memory_region_set_dirty_bits(sl->mr, sl->offset_in_mr, bm, npages);
    } else {
        warn_report("KVM_GET_DIRTY_LOG on slot %u failed: %s", sl->id,
                    g_strerror(-r));
    }
    g_free(bm);
}

static void mem_region_add(MemoryListener *l, MemoryRegionSection *sec)
{
    KvmState *s = container_of(l, KvmState, mem_listener);
    uint64_t gpa, size;
    void *host;
    hwaddr off;

    if (!section_range(sec, &gpa, &size, &host, &off)) {
        return;
    }
    pthread_mutex_lock(&s->slots_lock);
    KvmSlot *sl = NULL;
    for (int i = 0; i < s->max_user_slots; i++) {
        if (!s->slots[i].used) {
            sl = &s->slots[i];
            sl->id = i;
            break;
        }
    }
    if (!sl) {
        pthread_mutex_unlock(&s->slots_lock);
        error_report("kvm: no free memory slot for %s at 0x%" PRIx64,
                     memory_region_name(sec->mr), gpa);
        return;
    }
    sl->gpa = gpa;
    sl->size = size;
    sl->host = host;
    sl->mr = sec->mr;
    sl->offset_in_mr = off;
    sl->flags = (section_readonly(sec) ? KVM_MEM_READONLY : 0) |
                (section_logged(sec) ? KVM_MEM_LOG_DIRTY_PAGES : 0);
    int r = slot_set(s, sl, size);
    if (r == 0) {
        sl->used = true;
    }
    pthread_mutex_unlock(&s->slots_lock);
    if (r) {
        error_report("kvm: KVM_SET_USER_MEMORY_REGION(slot %u, 0x%" PRIx64
                     "+0x%" PRIx64 ") failed: %s", sl->id, gpa, size,
                     g_strerror(-r));
    }
}

static void mem_region_del(MemoryListener *l, MemoryRegionSection *sec)
{
    KvmState *s = container_of(l, KvmState, mem_listener);
    uint64_t gpa, size;
    void *host;
    hwaddr off;

    if (!section_range(sec, &gpa, &size, &host, &off)) {
        return;
    }
    pthread_mutex_lock(&s->slots_lock);
    KvmSlot *sl = slot_find(s, gpa, size);
    if (sl) {
        slot_sync_dirty(s, sl);     /* keep bits of a slot that goes away */
        int r = slot_set(s, sl, 0);
        if (r) {
            error_report("kvm: deleting slot %u failed: %s", sl->id,
                         g_strerror(-r));
        }
        sl->used = false;
    }
    pthread_mutex_unlock(&s->slots_lock);
}

static void mem_log_change(MemoryListener *l, MemoryRegionSection *sec,
                           bool on)
{
    KvmState *s = container_of(l, KvmState, mem_listener);
    uint64_t gpa, size;
    void *host;
    hwaddr off;

    if (!section_range(sec, &gpa, &size, &host, &off)) {
        return;
    }
    pthread_mutex_lock(&s->slots_lock);
    KvmSlot *sl = slot_find(s, gpa, size);
    if (sl) {
        if (!on) {
            slot_sync_dirty(s, sl);
        }
        uint32_t flags = on ? sl->flags | KVM_MEM_LOG_DIRTY_PAGES
                            : sl->flags & ~KVM_MEM_LOG_DIRTY_PAGES;
        if (flags != sl->flags) {
            sl->flags = flags;
            int r = slot_set(s, sl, sl->size);
            if (r) {
                warn_report("kvm: dirty logging change on slot %u failed: %s",
                            sl->id, g_strerror(-r));
            }
        }
    }
    pthread_mutex_unlock(&s->slots_lock);
}

static void mem_log_start(MemoryListener *l, MemoryRegionSection *sec,
                          int old_mask, int new_mask)
{
    mem_log_change(l, sec, section_logged(sec));
}

static void mem_log_stop(MemoryListener *l, MemoryRegionSection *sec,
                         int old_mask, int new_mask)
{
    mem_log_change(l, sec, section_logged(sec));
}

static void mem_log_sync(MemoryListener *l, MemoryRegionSection *sec)
{
    KvmState *s = container_of(l, KvmState, mem_listener);
    uint64_t start = sec->offset_within_address_space;
    uint64_t end = start + sec->size;

    pthread_mutex_lock(&s->slots_lock);
    for (int i = 0; i < s->max_user_slots; i++) {
        KvmSlot *sl = &s->slots[i];
        if (sl->used && sl->gpa >= start && sl->gpa + sl->size <= end) {
            slot_sync_dirty(s, sl);
        }
    }
    pthread_mutex_unlock(&s->slots_lock);
}

static void eventfd_change(KvmState *s, MemoryRegionSection *sec,
                           bool match_data, uint64_t data, int fd, bool pio,
                           bool add)
{
    struct kvm_ioeventfd a = {
        .addr = sec->offset_within_address_space,
        .len = sec->size,
        .fd = fd,
        .datamatch = match_data ? data : 0,
        .flags = (match_data ? KVM_IOEVENTFD_FLAG_DATAMATCH : 0) |
                 (pio ? KVM_IOEVENTFD_FLAG_PIO : 0) |
                 (add ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
    };
    int r = kvm_vm_ioctl(s, KVM_IOEVENTFD, &a);
    if (r && add) {
        /* still correct: the memory API signals fd on dispatch */
        warn_report("kvm: ioeventfd at %s 0x%" PRIx64 " not registered: %s",
                    pio ? "port" : "address", (uint64_t)a.addr,
                    g_strerror(-r));
    }
}

static void mem_eventfd_add(MemoryListener *l, MemoryRegionSection *sec,
                            bool match_data, uint64_t data, int fd)
{
    eventfd_change(container_of(l, KvmState, mem_listener), sec, match_data,
                   data, fd, false, true);
}

static void mem_eventfd_del(MemoryListener *l, MemoryRegionSection *sec,
                            bool match_data, uint64_t data, int fd)
{
    eventfd_change(container_of(l, KvmState, mem_listener), sec, match_data,
                   data, fd, false, false);
}

static void io_eventfd_add(MemoryListener *l, MemoryRegionSection *sec,
                           bool match_data, uint64_t data, int fd)
{
    eventfd_change(container_of(l, KvmState, io_listener), sec, match_data,
                   data, fd, true, true);
}

static void io_eventfd_del(MemoryListener *l, MemoryRegionSection *sec,
                           bool match_data, uint64_t data, int fd)
{
    eventfd_change(container_of(l, KvmState, io_listener), sec, match_data,
                   data, fd, true, false);
}

static void ram_written(RamWriteNotifier *n, AddressSpace *as, hwaddr gpa,
                        void *host, uint64_t len)
{
    KvmState *s = container_of(n, KvmState, ram_notifier);
    uintptr_t h = (uintptr_t)host;

    pthread_mutex_lock(&s->slots_lock);
    for (int i = 0; i < s->max_user_slots; i++) {
        KvmSlot *sl = &s->slots[i];
        uintptr_t sh = (uintptr_t)sl->host;
        if (sl->used && h < sh + sl->size && sh < h + len) {
            uintptr_t a = MAX(h, sh), b = MIN(h + len, sh + sl->size);
            s->p->notify_ram_write(s->vm_fd, sl->gpa + (a - sh), b - a);
        }
    }
    pthread_mutex_unlock(&s->slots_lock);
}

void kvm_mem_init(KvmState *s)
{
    s->mem_listener = (MemoryListener) {
        .region_add = mem_region_add,
        .region_del = mem_region_del,
        .log_start = mem_log_start,
        .log_stop = mem_log_stop,
        .log_sync = mem_log_sync,
        .eventfd_add = mem_eventfd_add,
        .eventfd_del = mem_eventfd_del,
        .name = "kvm-memory",
        .priority = 10,
    };
    s->io_listener = (MemoryListener) {
        .eventfd_add = io_eventfd_add,
        .eventfd_del = io_eventfd_del,
        .name = "kvm-io",
        .priority = 10,
    };
    memory_listener_register(&s->mem_listener, &address_space_memory);
    memory_listener_register(&s->io_listener, &address_space_io);
    if (s->p->notify_ram_write) {
        s->ram_notifier.notify = ram_written;
        ram_write_notifier_add(&s->ram_notifier);
    }
    s->listeners_registered = true;
}

void kvm_mem_cleanup(KvmState *s)
{
    if (!s->listeners_registered) {
        return;
    }
    if (s->p->notify_ram_write) {
        ram_write_notifier_remove(&s->ram_notifier);
    }
    memory_listener_unregister(&s->io_listener);
    memory_listener_unregister(&s->mem_listener);
    s->listeners_registered = false;
}
