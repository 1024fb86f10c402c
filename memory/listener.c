/*
 * Listeners: applying a new FlatView to an address space and telling its
 * listeners what changed (order documented in include/memory/memory.h),
 * replay on register/unregister, ioeventfd add/del, and global dirty
 * logging. Runs under the BQL.
 */
#include "memory-internal.h"

static uint64_t rebuild_count;

/* ---- listeners ---- */

#define FOR_LISTENERS_ASC(as, l)                                               \
    for (guint _i = 0; _i < (as)->listeners->len &&                            \
                       ((l) = g_ptr_array_index((as)->listeners, _i));         \
         _i++)
#define FOR_LISTENERS_DESC(as, l)                                              \
    for (guint _i = (as)->listeners->len;                                      \
         _i > 0 && ((l) = g_ptr_array_index((as)->listeners, _i - 1)); _i--)

static void topology_pass(AddressSpace *as, FlatView *old, FlatView *new,
                          bool adding)
{
    unsigned i = 0, j = 0;
    MemoryListener *l;
    MemoryRegionSection sec;

    while (i < old->nr || j < new->nr) {
        FlatRange *fo = i < old->nr ? &old->ranges[i] : NULL;
        FlatRange *fn = j < new->nr ? &new->ranges[j] : NULL;

        if (fo && (!fn || fo->start < fn->start ||
                   (fo->start == fn->start && !flatrange_same(fo, fn)))) {
            if (!adding) {
                flatrange_to_section(fo, as, &sec);
                FOR_LISTENERS_DESC(as, l)
                {
                    if (l->region_del) {
                        l->region_del(l, &sec);
                    }
                }
            }
            i++;
        } else if (fo && fn && flatrange_same(fo, fn)) {
            if (adding) {
                int om = fo->dirty_log_mask, nm = fn->dirty_log_mask;
                flatrange_to_section(fn, as, &sec);
                FOR_LISTENERS_ASC(as, l)
                {
                    if ((nm & ~om) && l->log_start) {
                        l->log_start(l, &sec, om, nm);
                    }
                    if ((om & ~nm) && l->log_stop) {
                        l->log_stop(l, &sec, om, nm);
                    }
                    if (l->region_nop) {
                        l->region_nop(l, &sec);
                    }
                }
            }
            i++;
            j++;
        } else {
            if (adding) {
                flatrange_to_section(fn, as, &sec);
                FOR_LISTENERS_ASC(as, l)
                {
                    if (l->region_add) {
                        l->region_add(l, &sec);
                    }
                }
            }
            j++;
        }
    }
}

/*
 * new: a reference for as, which takes it. A new view equal to the current
 * one is still published (so address spaces converge on one shared view)
 * but listeners hear nothing unless something changed.
 */
static void address_space_update(AddressSpace *as, FlatView *new)
{
    FlatView *old = as->current_map;
    GArray *new_ev, *old_ev = as->ioeventfds;
    bool same_view, same_ev;
    MemoryListener *l;

    if (new == old) {
        flatview_unref(new); /* as already holds one */
        return;
    }
    new_ev = ioeventfds_render(new);
    same_view = flatviews_equal(old, new);
    same_ev = ioeventfds_equal(old_ev, new_ev);
    pthread_mutex_lock(&as->map_lock);
    __atomic_store_n(&as->current_map, new, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&as->map_lock);
    as->ioeventfds = new_ev;

    if (as->listeners->len && !(same_view && same_ev)) {
        FOR_LISTENERS_ASC(as, l)
        {
            if (l->begin) {
                l->begin(l);
            }
        }
        if (!same_view) {
            topology_pass(as, old, new, false);
            topology_pass(as, old, new, true);
        }
        if (!same_ev) {
            ioeventfds_diff(as, old_ev, new_ev);
        }
        FOR_LISTENERS_ASC(as, l)
        {
            if (l->commit) {
                l->commit(l);
            }
        }
    }
    g_array_free(old_ev, TRUE);
    flatview_unref(old);
}

void memory_update_all_address_spaces(void)
{
    rebuild_count++;
    GPtrArray *spaces = memory_address_spaces();
    GPtrArray *views = g_ptr_array_new(); /* rendered in this pass */

    for (guint i = 0; i < spaces->len; i++) {
        AddressSpace *as = g_ptr_array_index(spaces, i);
        MemoryRegion *eroot = flatview_effective_root(as->root);
        FlatView *v = NULL;

        /* Address spaces with the same effective root share one view. */
        for (guint k = 0; k < views->len && !v; k++) {
            FlatView *cand = g_ptr_array_index(views, k);
            if (cand->root == eroot) {
                v = cand;
                flatview_ref(v);
            }
        }
        if (!v) {
            v = flatview_render(as->root); /* the array's reference */
            g_ptr_array_add(views, v);
            flatview_ref(v); /* and as's */
        }
        address_space_update(as, v);
    }
    for (guint k = 0; k < views->len; k++) {
        flatview_unref(g_ptr_array_index(views, k));
    }
    g_ptr_array_free(views, TRUE);
}

uint64_t memory_debug_rebuild_count(void)
{
    return rebuild_count;
}

void memory_listener_register(MemoryListener *listener, AddressSpace *as)
{
    FlatView *v = as->current_map;
    MemoryRegionSection sec;
    guint pos = 0;

    g_assert(as && as->initialized && !listener->registered);
    while (
        pos < as->listeners->len &&
        ((MemoryListener *)g_ptr_array_index(as->listeners, pos))->priority <=
            listener->priority) {
        pos++;
    }
    g_ptr_array_insert(as->listeners, pos, listener);
    listener->address_space = as;
    listener->registered = true;

    if (memory_global_dirty_log && listener->log_global_start) {
        listener->log_global_start(listener);
    }
    if (listener->begin) {
        listener->begin(listener);
    }
    for (unsigned i = 0; i < v->nr; i++) {
        flatrange_to_section(&v->ranges[i], as, &sec);
        if (listener->region_add) {
            listener->region_add(listener, &sec);
        }
        if (v->ranges[i].dirty_log_mask && listener->log_start) {
            listener->log_start(listener, &sec, 0, v->ranges[i].dirty_log_mask);
        }
    }
    for (guint i = 0; i < as->ioeventfds->len; i++) {
        ioeventfd_notify_one(
            listener, as,
            &g_array_index(as->ioeventfds, MemoryRegionIoeventfd, i), true);
    }
    if (listener->commit) {
        listener->commit(listener);
    }
}

void memory_listener_unregister(MemoryListener *listener)
{
    AddressSpace *as = listener->address_space;
    FlatView *v;
    MemoryRegionSection sec;

    if (!listener->registered) {
        return;
    }
    v = as->current_map;
    if (listener->begin) {
        listener->begin(listener);
    }
    if (memory_global_dirty_log && listener->log_global_stop) {
        listener->log_global_stop(listener);
    }
    for (unsigned i = 0; i < v->nr; i++) {
        flatrange_to_section(&v->ranges[i], as, &sec);
        if (listener->region_del) {
            listener->region_del(listener, &sec);
        }
    }
    for (guint i = 0; i < as->ioeventfds->len; i++) {
        ioeventfd_notify_one(
            listener, as,
            &g_array_index(as->ioeventfds, MemoryRegionIoeventfd, i), false);
    }
    if (listener->commit) {
        listener->commit(listener);
    }
    g_ptr_array_remove(as->listeners, listener);
    listener->registered = false;
    listener->address_space = NULL;
}

/* ---- global dirty log ---- */

static void for_all_listeners(void (*fn)(MemoryListener *l, void *opaque),
                              void *opaque)
{
    GPtrArray *spaces = memory_address_spaces();

    for (guint i = 0; i < spaces->len; i++) {
        AddressSpace *as = g_ptr_array_index(spaces, i);
        for (guint j = 0; j < as->listeners->len; j++) {
            fn(g_ptr_array_index(as->listeners, j), opaque);
        }
    }
}

static void call_global_start(MemoryListener *l, void *opaque)
{
    if (l->log_global_start) {
        l->log_global_start(l);
    }
}

static void call_global_stop(MemoryListener *l, void *opaque)
{
    if (l->log_global_stop) {
        l->log_global_stop(l);
    }
}

static void mark_view_blocks_dirty(void)
{
    GPtrArray *spaces = memory_address_spaces();

    for (guint i = 0; i < spaces->len; i++) {
        AddressSpace *as = g_ptr_array_index(spaces, i);
        FlatView *v = as->current_map;
        for (unsigned k = 0; k < v->nr; k++) {
            if (v->ranges[k].ram) {
                ram_block_set_all_dirty(v->ranges[k].ram,
                                        DIRTY_MEMORY_MIGRATION);
            }
        }
    }
}

void memory_global_dirty_log_start(void)
{
    if (memory_global_dirty_log) {
        return;
    }
    memory_global_dirty_log = true;
    mark_view_blocks_dirty();
    for_all_listeners(call_global_start, NULL);
    memory_update_pending();
}

void memory_global_dirty_log_stop(void)
{
    if (!memory_global_dirty_log) {
        return;
    }
    memory_global_dirty_log = false;
    for_all_listeners(call_global_stop, NULL);
    memory_update_pending();
}

static void sync_dirty(MemoryRegion *only)
{
    GPtrArray *spaces = memory_address_spaces();
    MemoryRegionSection sec;

    for (guint i = 0; i < spaces->len; i++) {
        AddressSpace *as = g_ptr_array_index(spaces, i);
        FlatView *v = as->current_map;
        for (guint j = 0; j < as->listeners->len; j++) {
            MemoryListener *l = g_ptr_array_index(as->listeners, j);
            if (!l->log_sync) {
                continue;
            }
            for (unsigned k = 0; k < v->nr; k++) {
                FlatRange *fr = &v->ranges[k];
                if (!fr->dirty_log_mask || (only && fr->mr != only)) {
                    continue;
                }
                flatrange_to_section(fr, as, &sec);
                l->log_sync(l, &sec);
            }
        }
    }
}

void memory_global_dirty_log_sync(void)
{
    sync_dirty(NULL);
}

void memory_region_sync_dirty_bitmap(MemoryRegion *mr)
{
    hwaddr offset = 0;

    sync_dirty(mr_resolve_alias(mr, &offset));
}
