/*
 * ukvm memslots and the dirty log: KVM_SET_USER_MEMORY_REGION and
 * KVM_GET_DIRTY_LOG with the kernel's validation (virt/kvm/kvm_main.c,
 * __kvm_set_memory_region and kvm_get_dirty_log_protect).
 *
 * Slots are kept sorted by guest frame in a GPtrArray under slots_lock (a
 * rwlock). The engine's TLB-miss path (ukvm_map_page inside x86_cpu_run)
 * takes no lock: it reads an immutable copy, vm->view, that every change
 * replaces and frees only after the flush-and-wait below, during which
 * every vCPU that was in the engine has left it once (the kernel's SRCU
 * grace period); dirty bitmaps a change drops are freed after it too. A
 * page's dirty bit is set when the engine first maps it for writing; a
 * GET_DIRTY_LOG clears the bits and flushes the engine's writable
 * mappings, so the next write to each page marks it again (the kernel's
 * write-protect-after-read). Memslot changes and dirty-log reads return
 * only after every running vCPU has dropped its cached translations.
 *
 * Left out: a second (SMM) address space; KVM_CLEAR_DIRTY_LOG and manual
 * dirty-log protection (not advertised); dirty rings.
 */
#include <string.h>
#include <time.h>

#include "ukvm-internal.h"

#define BITS_PER_ULONG (8 * sizeof(unsigned long))

__thread bool ukvm_in_engine;

static size_t dirty_bitmap_longs(uint64_t npages)
{
    return (npages + BITS_PER_ULONG - 1) / BITS_PER_ULONG;
}

/* Index of the slot containing gfn, or -1. Caller holds slots_lock. */
static int slot_find_gfn(UkvmVM *vm, uint64_t gfn)
{
    int lo = 0, hi = (int)vm->slots->len - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        UkvmSlot *s = g_ptr_array_index(vm->slots, mid);
        if (gfn < s->gfn) {
            hi = mid - 1;
        } else if (gfn >= s->gfn + s->npages) {
            lo = mid + 1;
        } else {
            return mid;
        }
    }
    return -1;
}

static UkvmSlot *slot_find_id(UkvmVM *vm, uint32_t id, guint *index)
{
    for (guint i = 0; i < vm->slots->len; i++) {
        UkvmSlot *s = g_ptr_array_index(vm->slots, i);
        if (s->id == id) {
            if (index) {
                *index = i;
            }
            return s;
        }
    }
    return NULL;
}

static gint slot_cmp(gconstpointer a, gconstpointer b)
{
    const UkvmSlot *x = *(UkvmSlot *const *)a, *y = *(UkvmSlot *const *)b;
    return x->gfn < y->gfn ? -1 : x->gfn > y->gfn;
}

static bool slot_overlaps(UkvmVM *vm, uint32_t id, uint64_t gfn,
                          uint64_t npages)
{
    for (guint i = 0; i < vm->slots->len; i++) {
        UkvmSlot *s = g_ptr_array_index(vm->slots, i);
        if (s->id != id && gfn < s->gfn + s->npages && s->gfn < gfn + npages) {
            return true;
        }
    }
    return false;
}

/* A copy of the slot table for lock-free readers. Caller holds slots_lock
 * for writing. */
static UkvmSlotView *view_build(UkvmVM *vm)
{
    UkvmSlotView *v = g_malloc0(sizeof(*v) +
                                vm->slots->len * sizeof(v->e[0]));
    v->n = vm->slots->len;
    for (guint i = 0; i < vm->slots->len; i++) {
        UkvmSlot *s = g_ptr_array_index(vm->slots, i);
        v->e[i] = (UkvmSlotViewEntry) {
            .gfn = s->gfn, .npages = s->npages, .uaddr = s->uaddr,
            .flags = s->flags, .dirty = s->dirty,
        };
    }
    return v;
}

/*
 * Make every vCPU drop cached translations before returning: post a flush,
 * kick the running vCPUs and wait until each has left the engine once.
 */
static void vm_flush_and_wait(UkvmVM *vm)
{
    x86_vm_flush(vm->engine);
    pthread_mutex_lock(&vm->lock);
    for (int i = 0; i < UKVM_MAX_VCPU_ID; i++) {
        UkvmVcpu *v = vm->vcpus[i];
        if (!v) {
            continue;
        }
        uint64_t gen = atomic_load(&v->run_gen);
        if (!atomic_load(&v->running)) {
            continue;
        }
        x86_cpu_kick(v->cpu);
        while (atomic_load(&v->running) && atomic_load(&v->run_gen) == gen) {
            struct timespec ts = { 0, 20000 };
            nanosleep(&ts, NULL);
        }
    }
    pthread_mutex_unlock(&vm->lock);
}

int ukvm_set_memory_region(UkvmVM *vm,
                           const struct kvm_userspace_memory_region *m)
{
    uint32_t as_id = m->slot >> 16, id = (uint16_t)m->slot;

    if (m->flags & ~(KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY)) {
        return -EINVAL;
    }
    if ((m->memory_size & (UKVM_PAGE_SIZE - 1)) ||
        (m->guest_phys_addr & (UKVM_PAGE_SIZE - 1)) ||
        (m->userspace_addr & (UKVM_PAGE_SIZE - 1)) ||
        m->userspace_addr > UKVM_TASK_SIZE_MAX ||
        m->memory_size > UKVM_TASK_SIZE_MAX - m->userspace_addr) {
        return -EINVAL;
    }
    if (as_id >= 1 || id >= UKVM_USER_MEM_SLOTS) {
        return -EINVAL;
    }
    if (m->guest_phys_addr + m->memory_size < m->guest_phys_addr) {
        return -EINVAL;
    }
    if ((m->memory_size >> UKVM_PAGE_SHIFT) > UKVM_MAX_NR_PAGES) {
        return -EINVAL;
    }

    uint64_t gfn = m->guest_phys_addr >> UKVM_PAGE_SHIFT;
    uint64_t npages = m->memory_size >> UKVM_PAGE_SHIFT;
    UkvmSlot *gone = NULL;
    int r = 0;

    pthread_rwlock_wrlock(&vm->slots_lock);
    guint index;
    UkvmSlot *old = slot_find_id(vm, id, &index);
    if (!npages) {
        if (!old) {
            r = -EINVAL;
        } else {
            g_ptr_array_remove_index(vm->slots, index);
            gone = old;
        }
    } else if (!old) {
        if (slot_overlaps(vm, id, gfn, npages)) {
            r = -EEXIST;
        } else {
            UkvmSlot *s = g_new0(UkvmSlot, 1);
            s->id = id;
            s->flags = m->flags;
            s->gfn = gfn;
            s->npages = npages;
            s->uaddr = m->userspace_addr;
            if (s->flags & KVM_MEM_LOG_DIRTY_PAGES) {
                s->dirty = g_new0(_Atomic unsigned long,
                                  dirty_bitmap_longs(npages));
            }
            g_ptr_array_add(vm->slots, s);
            g_ptr_array_sort(vm->slots, slot_cmp);
        }
    } else if (m->userspace_addr != old->uaddr || npages != old->npages ||
               ((m->flags ^ old->flags) & KVM_MEM_READONLY)) {
        r = -EINVAL;                /* resizing needs delete + create */
    } else if (gfn != old->gfn) {
        if (slot_overlaps(vm, id, gfn, npages)) {
            r = -EEXIST;
        } else {
            old->gfn = gfn;
            g_ptr_array_sort(vm->slots, slot_cmp);
        }
    }
    _Atomic unsigned long *dropped_dirty = NULL;
    if (!r && old && npages && m->flags != old->flags) {
        if ((m->flags & KVM_MEM_LOG_DIRTY_PAGES) && !old->dirty) {
            old->dirty = g_new0(_Atomic unsigned long,
                                dirty_bitmap_longs(npages));
        } else if (!(m->flags & KVM_MEM_LOG_DIRTY_PAGES) && old->dirty) {
            dropped_dirty = old->dirty;     /* the engine may still mark it */
            old->dirty = NULL;
        }
        old->flags = m->flags;
    }
    UkvmSlotView *old_view = NULL;
    if (!r) {
        old_view = atomic_exchange(&vm->view, view_build(vm));
    }
    pthread_rwlock_unlock(&vm->slots_lock);

    if (!r) {
        vm_flush_and_wait(vm);      /* also the grace period for old_view */
    }
    g_free(old_view);
    g_free((void *)dropped_dirty);
    if (gone) {
        g_free((void *)gone->dirty);
        g_free(gone);
    }
    return r;
}

int ukvm_get_dirty_log(UkvmVM *vm, struct kvm_dirty_log *log)
{
    uint32_t as_id = log->slot >> 16, id = (uint16_t)log->slot;
    if (as_id >= 1 || id >= UKVM_USER_MEM_SLOTS) {
        return -EINVAL;
    }

    pthread_rwlock_rdlock(&vm->slots_lock);
    UkvmSlot *s = slot_find_id(vm, id, NULL);
    if (!s || !s->dirty) {
        pthread_rwlock_unlock(&vm->slots_lock);
        return -ENOENT;
    }
    size_t n = dirty_bitmap_longs(s->npages);
    unsigned long *snap = g_new(unsigned long, n);
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        snap[i] = atomic_exchange(&s->dirty[i], 0);
        any |= snap[i] != 0;
    }
    pthread_rwlock_unlock(&vm->slots_lock);

    if (any) {
        vm_flush_and_wait(vm);      /* write-protect again */
    }
    int r = ukvm_copy_to_user(log->dirty_bitmap, snap, n * sizeof(long));
    g_free(snap);
    return r;
}

void ukvm_slots_free(UkvmVM *vm)
{
    for (guint i = 0; i < vm->slots->len; i++) {
        UkvmSlot *s = g_ptr_array_index(vm->slots, i);
        g_free((void *)s->dirty);
        g_free(s);
    }
    g_ptr_array_set_size(vm->slots, 0);
    g_free(atomic_exchange(&vm->view, NULL));
}

static void mark_dirty(UkvmSlot *s, uint64_t gfn)
{
    if (s->dirty) {
        uint64_t bit = gfn - s->gfn;
        unsigned long mask = 1UL << (bit % BITS_PER_ULONG);
        if (!(atomic_load_explicit(&s->dirty[bit / BITS_PER_ULONG],
                                   memory_order_relaxed) & mask)) {
            atomic_fetch_or(&s->dirty[bit / BITS_PER_ULONG], mask);
        }
    }
}

/* The engine's TLB miss on a vCPU thread: no lock (see the top). */
static void *map_page_view(UkvmVM *vm, uint64_t gfn, bool write)
{
    const UkvmSlotView *v = atomic_load(&vm->view);
    int lo = 0, hi = v ? (int)v->n - 1 : -1;

    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        const UkvmSlotViewEntry *e = &v->e[mid];
        if (gfn < e->gfn) {
            hi = mid - 1;
        } else if (gfn >= e->gfn + e->npages) {
            lo = mid + 1;
        } else {
            if (write && (e->flags & KVM_MEM_READONLY)) {
                return NULL;
            }
            if (write && e->dirty) {
                uint64_t bit = gfn - e->gfn;
                unsigned long mask = 1UL << (bit % BITS_PER_ULONG);
                if (!(atomic_load_explicit(&e->dirty[bit / BITS_PER_ULONG],
                                           memory_order_relaxed) & mask)) {
                    atomic_fetch_or(&e->dirty[bit / BITS_PER_ULONG], mask);
                }
            }
            return (void *)(uintptr_t)(e->uaddr +
                                       ((gfn - e->gfn) << UKVM_PAGE_SHIFT));
        }
    }
    return NULL;
}

void *ukvm_map_page(void *opaque, uint64_t gpa, bool write)
{
    UkvmVM *vm = opaque;
    uint64_t gfn = gpa >> UKVM_PAGE_SHIFT;
    void *p = NULL;

    if (ukvm_in_engine) {
        return map_page_view(vm, gfn, write);
    }
    pthread_rwlock_rdlock(&vm->slots_lock);
    int i = slot_find_gfn(vm, gfn);
    if (i >= 0) {
        UkvmSlot *s = g_ptr_array_index(vm->slots, i);
        if (!(write && (s->flags & KVM_MEM_READONLY))) {
            if (write) {
                mark_dirty(s, gfn);
            }
            p = (void *)(uintptr_t)(s->uaddr +
                                    ((gfn - s->gfn) << UKVM_PAGE_SHIFT));
        }
    }
    pthread_rwlock_unlock(&vm->slots_lock);
    return p;
}

/* Copy to/from guest RAM on behalf of ukvm itself (kvmclock pages). */
bool ukvm_guest_rw(UkvmVM *vm, uint64_t gpa, void *buf, uint64_t len,
                   bool write)
{
    bool ok = true;
    uint64_t start = gpa, done = 0;
    pthread_rwlock_rdlock(&vm->slots_lock);
    while (len && ok) {
        uint64_t gfn = gpa >> UKVM_PAGE_SHIFT;
        uint64_t off = gpa & (UKVM_PAGE_SIZE - 1);
        uint64_t chunk = MIN(len, UKVM_PAGE_SIZE - off);
        int i = slot_find_gfn(vm, gfn);
        UkvmSlot *s = i >= 0 ? g_ptr_array_index(vm->slots, i) : NULL;
        if (!s || (write && (s->flags & KVM_MEM_READONLY))) {
            ok = false;
            break;
        }
        uint8_t *host = (uint8_t *)(uintptr_t)(s->uaddr +
                        ((gfn - s->gfn) << UKVM_PAGE_SHIFT) + off);
        if (write) {
            mark_dirty(s, gfn);
            memcpy(host, buf, chunk);
        } else {
            memcpy(buf, host, chunk);
        }
        buf = (uint8_t *)buf + chunk;
        gpa += chunk;
        len -= chunk;
        done += chunk;
    }
    pthread_rwlock_unlock(&vm->slots_lock);
    if (write && done) {
        x86_vm_notify_write(vm->engine, start, done);
    }
    return ok;
}
