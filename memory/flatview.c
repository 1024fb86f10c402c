/*
 * Flat views and address spaces: render a region tree into sorted,
 * non-overlapping ranges; publish views (atomic pointer + reference count);
 * tell listeners what changed; global dirty logging.
 *
 * Rendering visits a container's subregions from the highest priority (and,
 * among equals, the newest) down, and a terminal region only fills the holes
 * left by what was rendered before it: so higher priority wins and, among
 * equal priorities, the later-added region is on top.
 */
#include "memory-internal.h"

#include <string.h>

static GPtrArray *address_spaces;

AddressSpace address_space_memory;
AddressSpace address_space_io;
static MemoryRegion system_memory;
static MemoryRegion system_io;

/* ---- views ---- */

static FlatView *flatview_new(MemoryRegion *root)
{
    FlatView *v = g_new0(FlatView, 1);

    v->refcount = 1;
    v->root = root;
    return v;
}

void flatview_ref(FlatView *v)
{
    g_atomic_int_inc(&v->refcount);
}

void flatview_unref(FlatView *v)
{
    if (!v || !g_atomic_int_dec_and_test(&v->refcount)) {
        return;
    }
    for (unsigned i = 0; i < v->nr; i++) {
        ram_block_unref(v->ranges[i].ram);
    }
    g_free(v->ranges);
    g_free(v);
}

static void flatview_insert(FlatView *v, unsigned pos, const FlatRange *fr)
{
    if (v->nr == v->alloc) {
        v->alloc = v->alloc ? v->alloc * 2 : 16;
        v->ranges = g_renew(FlatRange, v->ranges, v->alloc);
    }
    memmove(&v->ranges[pos + 1], &v->ranges[pos],
            (v->nr - pos) * sizeof(FlatRange));
    v->ranges[pos] = *fr;
    v->nr++;
}

int flatview_lookup(const FlatView *v, hwaddr addr, unsigned *next)
{
    unsigned lo = 0, hi = v->nr;

    /* First range with start > addr. */
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (v->ranges[mid].start <= addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *next = lo;
    if (lo > 0 && addr <= v->ranges[lo - 1].last) {
        return (int)lo - 1;
    }
    return -1;
}

/* Fill the holes of [s, l] with pieces of the terminal region mapped at
 * base (address of its offset 0, may lie below 0). */
static void render_terminal(FlatView *v, MemoryRegion *mr, __int128 base,
                            hwaddr s, hwaddr l, bool readonly)
{
    FlatRange tmpl = {.mr = mr, .priority = mr->priority};
    unsigned i;
    hwaddr cur = s;

    switch (mr->kind) {
    case MR_KIND_RAM:
    case MR_KIND_RAM_PTR:
        tmpl.type = readonly ? FR_ROM : FR_RAM;
        break;
    case MR_KIND_ROM_DEVICE:
        tmpl.type = mr->romd_mode ? FR_ROMD : FR_MMIO;
        break;
    default:
        tmpl.type = FR_MMIO;
        break;
    }
    tmpl.readonly = tmpl.type == FR_ROM || tmpl.type == FR_ROMD;
    if (tmpl.type != FR_MMIO) {
        tmpl.ram = mr->ram_block;
        tmpl.dirty_log_mask =
            mr->dirty_log_mask |
            (memory_global_dirty_log ? 1u << DIRTY_MEMORY_MIGRATION : 0);
    }

    flatview_lookup(v, s, &i);
    if (i > 0 && v->ranges[i - 1].last >= s) {
        i--;
    }
    for (;;) {
        if (i < v->nr && v->ranges[i].start <= cur) {
            if (v->ranges[i].last >= l) {
                return;
            }
            cur = v->ranges[i].last + 1;
            i++;
            continue;
        }
        hwaddr end =
            (i < v->nr && v->ranges[i].start <= l) ? v->ranges[i].start - 1 : l;
        FlatRange fr = tmpl;
        fr.start = cur;
        fr.last = end;
        fr.offset_in_region = (hwaddr)((__int128)cur - base);
        if (fr.ram) {
            if (fr.offset_in_region >= fr.ram->size) {
                /* Region larger than its RAM: nothing there. */
                goto next;
            }
            if (end - cur >= fr.ram->size - fr.offset_in_region) {
                fr.last = cur + (fr.ram->size - fr.offset_in_region) - 1;
            }
            fr.host = (uint8_t *)fr.ram->host + fr.offset_in_region;
            ram_block_ref(fr.ram);
        }
        flatview_insert(v, i, &fr);
        i++;
    next:
        if (end >= l) {
            return;
        }
        cur = end + 1;
    }
}

static void render(FlatView *v, MemoryRegion *mr, __int128 base, hwaddr cs,
                   hwaddr cl, bool readonly)
{
    __int128 span_last = base + (__int128)mr_size128(mr) - 1;
    __int128 s, l;

    if (!mr->enabled || mr->size == 0) {
        return;
    }
    s = MAX(base, (__int128)cs);
    l = MIN(span_last, (__int128)cl);
    if (s > l) {
        return;
    }
    readonly |= mr->readonly;
    if (mr->kind == MR_KIND_ALIAS) {
        render(v, mr->alias, base - (__int128)mr->alias_offset, (hwaddr)s,
               (hwaddr)l, readonly);
        return;
    }
    /* Subregions first; a terminal region with subregions (QEMU allows
     * them, e.g. an I/O region as background) then fills the holes. */
    for (MemoryRegion *c = mr->subregions; c; c = c->next_sibling) {
        render(v, c, base + (__int128)c->addr, (hwaddr)s, (hwaddr)l, readonly);
    }
    if (mr->kind != MR_KIND_CONTAINER) {
        render_terminal(v, mr, base, (hwaddr)s, (hwaddr)l, readonly);
    }
}

/* Merge neighbours that continue the same region. */
static void flatview_simplify(FlatView *v)
{
    unsigned out = 0;

    for (unsigned i = 0; i < v->nr; i++) {
        FlatRange *cur = &v->ranges[i];
        if (out > 0) {
            FlatRange *prev = &v->ranges[out - 1];
            if (prev->last != UINT64_MAX && prev->last + 1 == cur->start &&
                prev->mr == cur->mr && prev->type == cur->type &&
                prev->dirty_log_mask == cur->dirty_log_mask &&
                prev->offset_in_region + (prev->last - prev->start) + 1 ==
                    cur->offset_in_region) {
                prev->last = cur->last;
                ram_block_unref(cur->ram);
                continue;
            }
        }
        v->ranges[out++] = *cur;
    }
    v->nr = out;
}

/*
 * The region whose rendering equals root's: look through an enabled,
 * writable container holding a single enabled subregion at 0, and through
 * an alias at offset 0 covering all of its target (a PCI device's "bus
 * master" window onto system memory). NULL if the view is empty. Address
 * spaces with the same effective root share one FlatView.
 */
MemoryRegion *flatview_effective_root(MemoryRegion *mr)
{
    for (;;) {
        if (!mr->enabled || mr->size == 0) {
            return NULL;
        }
        if (mr->readonly) {
            return mr;
        }
        if (mr->kind == MR_KIND_ALIAS) {
            if (mr->alias_offset != 0 ||
                mr_size128(mr) < mr_size128(mr->alias)) {
                return mr;
            }
            mr = mr->alias;
            continue;
        }
        if (mr->kind != MR_KIND_CONTAINER) {
            return mr;
        }
        MemoryRegion *only = NULL;
        unsigned found = 0;
        for (MemoryRegion *c = mr->subregions; c; c = c->next_sibling) {
            if (c->enabled && ++found == 1 && c->addr == 0 &&
                mr_size128(mr) >= mr_size128(c)) {
                only = c;
            }
        }
        if (found == 0) {
            return NULL;
        }
        if (found > 1 || !only) {
            return mr;
        }
        mr = only;
    }
}

FlatView *flatview_render(MemoryRegion *root)
{
    MemoryRegion *eroot = flatview_effective_root(root);
    FlatView *v = flatview_new(eroot);

    if (eroot) {
        render(v, eroot, 0, 0, UINT64_MAX, false);
        flatview_simplify(v);
    }
    return v;
}

FlatView *flatview_ref_current(AddressSpace *as)
{
    FlatView *v;

    pthread_mutex_lock(&as->map_lock);
    v = as->current_map;
    flatview_ref(v);
    pthread_mutex_unlock(&as->map_lock);
    return v;
}

FlatView *address_space_get_flatview(AddressSpace *as)
{
    return flatview_ref_current(as);
}

bool flatrange_same(const FlatRange *a, const FlatRange *b)
{
    return a->start == b->start && a->last == b->last && a->mr == b->mr &&
           a->offset_in_region == b->offset_in_region && a->type == b->type &&
           a->ram == b->ram; /* a region re-created at the same address
                              * within one transaction is still new */
}

bool flatviews_equal(const FlatView *a, const FlatView *b)
{
    if (a->nr != b->nr) {
        return false;
    }
    for (unsigned i = 0; i < a->nr; i++) {
        if (!flatrange_same(&a->ranges[i], &b->ranges[i]) ||
            a->ranges[i].dirty_log_mask != b->ranges[i].dirty_log_mask) {
            return false;
        }
    }
    return true;
}

void flatrange_to_section(const FlatRange *fr, AddressSpace *as,
                          MemoryRegionSection *s)
{
    s->mr = fr->mr;
    s->address_space = as;
    s->offset_within_region = fr->offset_in_region;
    s->offset_within_address_space = fr->start;
    s->size = fr->last - fr->start + 1;
    if (s->size == 0) {
        s->size = UINT64_MAX; /* all 2^64 bytes */
    }
    s->readonly = fr->readonly;
}

/* ---- address spaces ---- */

GPtrArray *memory_address_spaces(void)
{
    if (!address_spaces) {
        address_spaces = g_ptr_array_new();
    }
    return address_spaces;
}

void address_space_init(AddressSpace *as, MemoryRegion *root, const char *name)
{
    memset(as, 0, sizeof(*as));
    pthread_mutex_init(&as->map_lock, NULL);
    as->name = g_strdup(name ? name : "anonymous");
    as->root = root;
    as->listeners = g_ptr_array_new();
    root->mapped_in_as++;
    as->current_map = flatview_render(root);
    as->ioeventfds = ioeventfds_render(as->current_map);
    as->initialized = true;
    g_ptr_array_add(memory_address_spaces(), as);
}

void address_space_destroy(AddressSpace *as)
{
    if (!as->initialized) {
        return;
    }
    g_assert(as->listeners->len == 0);
    g_ptr_array_remove(address_spaces, as);
    as->root->mapped_in_as--;
    flatview_unref(as->current_map);
    g_array_free(as->ioeventfds, TRUE);
    g_ptr_array_free(as->listeners, TRUE);
    g_free(as->name);
    pthread_mutex_destroy(&as->map_lock);
    memset(as, 0, sizeof(*as));
}

void memory_init(void)
{
    if (address_space_memory.initialized) {
        return;
    }
    memory_region_init(&system_memory, NULL, "system", UINT64_MAX);
    memory_region_init(&system_io, NULL, "io", 65536);
    address_space_init(&address_space_memory, &system_memory, "memory");
    address_space_init(&address_space_io, &system_io, "I/O");
}

MemoryRegion *get_system_memory(void)
{
    memory_init();
    return &system_memory;
}

MemoryRegion *get_system_io(void)
{
    memory_init();
    return &system_io;
}

/* ---- RAM sections ---- */

unsigned address_space_foreach_ram_section(AddressSpace *as, RamSectionFn fn,
                                           void *opaque)
{
    FlatView *v = flatview_ref_current(as);
    unsigned n = 0;

    for (unsigned i = 0; i < v->nr; i++) {
        FlatRange *fr = &v->ranges[i];
        RamSection s;

        if (!fr->host) {
            continue;
        }
        s.gpa = fr->start;
        s.size = fr->last - fr->start + 1;
        s.host = fr->host;
        s.readonly = fr->readonly;
        s.dirty_log = fr->dirty_log_mask != 0;
        s.mr = fr->mr;
        s.offset_within_region = fr->offset_in_region;
        fn(&s, opaque);
        n++;
    }
    flatview_unref(v);
    return n;
}

void *memory_region_section_get_host(const MemoryRegionSection *s)
{
    MemoryRegion *mr = s->mr;

    if (!mr->ram_block || (mr->kind == MR_KIND_ROM_DEVICE && !mr->romd_mode)) {
        return NULL;
    }
    return (uint8_t *)mr->ram_block->host + s->offset_within_region;
}
