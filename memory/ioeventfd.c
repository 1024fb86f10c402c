/*
 * ioeventfds: guest writes that signal an eventfd instead of calling a
 * device (virtio queue notify). Regions hold their ioeventfds; each address
 * space derives the list visible through its FlatView, and listeners are
 * told the differences so the accelerator can register KVM_IOEVENTFD. When
 * such a write still reaches dispatch (no accelerator support, qtest), the
 * fd is signalled here. All under the BQL.
 */
#include "memory-internal.h"

#include <errno.h>
#include <unistd.h>

static bool ev_same(const MemoryRegionIoeventfd *a,
                    const MemoryRegionIoeventfd *b)
{
    return a->addr == b->addr && a->size == b->size &&
           a->match_data == b->match_data &&
           (!a->match_data || a->data == b->data) && a->fd == b->fd;
}

static gint ev_cmp(gconstpointer pa, gconstpointer pb)
{
    const MemoryRegionIoeventfd *a = pa, *b = pb;

    if (a->addr != b->addr) {
        return a->addr < b->addr ? -1 : 1;
    }
    if (a->size != b->size) {
        return a->size < b->size ? -1 : 1;
    }
    if (a->match_data != b->match_data) {
        return a->match_data < b->match_data ? -1 : 1;
    }
    if (a->match_data && a->data != b->data) {
        return a->data < b->data ? -1 : 1;
    }
    return a->fd < b->fd ? -1 : a->fd > b->fd;
}

void memory_region_add_eventfd(MemoryRegion *mr, hwaddr addr, unsigned size,
                               bool match_data, uint64_t data, int fd)
{
    MemoryRegionIoeventfd ev = {
        .addr = addr,
        .size = size,
        .match_data = match_data,
        .data = match_data ? data : 0,
        .fd = fd,
    };

    g_assert(mr->kind == MR_KIND_IO || mr->kind == MR_KIND_ROM_DEVICE);
    if (!mr->ioeventfds) {
        mr->ioeventfds = g_array_new(FALSE, FALSE, sizeof(ev));
    }
    g_array_append_val(mr->ioeventfds, ev);
    memory_update_pending();
}

void memory_region_del_eventfd(MemoryRegion *mr, hwaddr addr, unsigned size,
                               bool match_data, uint64_t data, int fd)
{
    MemoryRegionIoeventfd ev = {
        .addr = addr,
        .size = size,
        .match_data = match_data,
        .data = match_data ? data : 0,
        .fd = fd,
    };

    for (guint i = 0; mr->ioeventfds && i < mr->ioeventfds->len; i++) {
        if (ev_same(&g_array_index(mr->ioeventfds, MemoryRegionIoeventfd, i),
                    &ev)) {
            g_array_remove_index(mr->ioeventfds, i);
            memory_update_pending();
            return;
        }
    }
}

GArray *ioeventfds_render(FlatView *v)
{
    GArray *out = g_array_new(FALSE, FALSE, sizeof(MemoryRegionIoeventfd));

    for (unsigned i = 0; i < v->nr; i++) {
        FlatRange *fr = &v->ranges[i];
        GArray *evs = fr->mr->ioeventfds;
        hwaddr span = fr->last - fr->start; /* bytes - 1 */

        if (!evs || fr->type == FR_RAM || fr->type == FR_ROM) {
            continue;
        }
        for (guint k = 0; k < evs->len; k++) {
            MemoryRegionIoeventfd ev =
                g_array_index(evs, MemoryRegionIoeventfd, k);
            hwaddr last = ev.addr + (ev.size ? ev.size - 1 : 0);

            if (ev.addr < fr->offset_in_region || last < ev.addr ||
                last - fr->offset_in_region > span) {
                continue; /* not visible here */
            }
            ev.mr = fr->mr;
            ev.offset_in_region = ev.addr;
            ev.addr = fr->start + (ev.addr - fr->offset_in_region);
            g_array_append_val(out, ev);
        }
    }
    g_array_sort(out, ev_cmp);
    return out;
}

bool ioeventfds_equal(GArray *a, GArray *b)
{
    if (a->len != b->len) {
        return false;
    }
    for (guint i = 0; i < a->len; i++) {
        MemoryRegionIoeventfd *x = &g_array_index(a, MemoryRegionIoeventfd, i);
        MemoryRegionIoeventfd *y = &g_array_index(b, MemoryRegionIoeventfd, i);
        if (!ev_same(x, y) || x->mr != y->mr) {
            return false;
        }
    }
    return true;
}

static void ev_section(AddressSpace *as, const MemoryRegionIoeventfd *ev,
                       MemoryRegionSection *s)
{
    s->mr = ev->mr;
    s->address_space = as;
    s->offset_within_region = ev->offset_in_region;
    s->offset_within_address_space = ev->addr;
    s->size = ev->size;
    s->readonly = false;
}

void ioeventfd_notify_one(MemoryListener *l, AddressSpace *as,
                          const MemoryRegionIoeventfd *ev, bool add)
{
    MemoryRegionSection s;

    ev_section(as, ev, &s);
    if (add && l->eventfd_add) {
        l->eventfd_add(l, &s, ev->match_data, ev->data, ev->fd);
    } else if (!add && l->eventfd_del) {
        l->eventfd_del(l, &s, ev->match_data, ev->data, ev->fd);
    }
}

static bool ev_in(GArray *list, const MemoryRegionIoeventfd *ev)
{
    for (guint i = 0; i < list->len; i++) {
        MemoryRegionIoeventfd *x =
            &g_array_index(list, MemoryRegionIoeventfd, i);
        if (ev_same(x, ev) && x->mr == ev->mr) {
            return true;
        }
    }
    return false;
}

void ioeventfds_diff(AddressSpace *as, GArray *old, GArray *new)
{
    for (guint i = 0; i < old->len; i++) {
        MemoryRegionIoeventfd *ev =
            &g_array_index(old, MemoryRegionIoeventfd, i);
        if (ev_in(new, ev)) {
            continue;
        }
        for (guint j = as->listeners->len; j > 0; j--) {
            ioeventfd_notify_one(g_ptr_array_index(as->listeners, j - 1), as,
                                 ev, false);
        }
    }
    for (guint i = 0; i < new->len; i++) {
        MemoryRegionIoeventfd *ev =
            &g_array_index(new, MemoryRegionIoeventfd, i);
        if (ev_in(old, ev)) {
            continue;
        }
        for (guint j = 0; j < as->listeners->len; j++) {
            ioeventfd_notify_one(g_ptr_array_index(as->listeners, j), as, ev,
                                 true);
        }
    }
}

bool memory_region_ioeventfd_fire(MemoryRegion *mr, hwaddr addr, unsigned size,
                                  uint64_t data)
{
    GArray *evs = mr->ioeventfds;

    for (guint i = 0; i < evs->len; i++) {
        MemoryRegionIoeventfd *ev =
            &g_array_index(evs, MemoryRegionIoeventfd, i);
        if (ev->addr == addr && (ev->size == 0 || ev->size == size) &&
            (!ev->match_data || ev->data == data)) {
            uint64_t one = 1;
            /* EAGAIN means the counter is saturated: already signalled. */
            if (write(ev->fd, &one, sizeof(one)) < 0 && errno != EAGAIN) {
                return false;
            }
            return true;
        }
    }
    return false;
}
