/*
 * Text dumps of the region trees and flat views in the format of QEMU's
 * "info mtree" and "info mtree -f" (no -o/-d/-D options: owners and
 * disabled regions are not shown). Runs under the BQL.
 */
#include "memory-internal.h"

#define MTREE_INDENT "  "

static const char *mr_type(const MemoryRegion *mr)
{
    while (mr->kind == MR_KIND_ALIAS) {
        mr = mr->alias;
    }
    if (mr->ram_device) {
        return "ramd";
    }
    if (mr->kind == MR_KIND_ROM_DEVICE) {
        return mr->romd_mode ? "romd" : "ram";
    }
    if (memory_region_is_ram(mr)) {
        return mr->readonly ? "rom" : "ram";
    }
    return "i/o";
}

static hwaddr mr_last(hwaddr start, const MemoryRegion *mr)
{
    return mr->size == 0 ? start : (hwaddr)(start + mr_size128(mr) - 1);
}

static void queue_alias_target(GPtrArray *queue, MemoryRegion *target)
{
    for (guint i = 0; i < queue->len; i++) {
        if (g_ptr_array_index(queue, i) == target) {
            return;
        }
    }
    g_ptr_array_add(queue, target);
}

static gint cmp_print_order(gconstpointer a, gconstpointer b)
{
    const MemoryRegion *x = *(MemoryRegion *const *)a;
    const MemoryRegion *y = *(MemoryRegion *const *)b;

    if (x->addr != y->addr) {
        return x->addr < y->addr ? -1 : 1;
    }
    return x->priority > y->priority ? -1 : x->priority < y->priority;
}

static void print_mr(GString *out, MemoryRegion *mr, unsigned level,
                     hwaddr base, GPtrArray *alias_queue)
{
    hwaddr start = base + mr->addr;
    GPtrArray *children;

    /* A disabled region's line is hidden, its subregions are not (QEMU). */
    for (unsigned i = 0; mr->enabled && i < level; i++) {
        g_string_append(out, MTREE_INDENT);
    }
    if (!mr->enabled) {
        /* nothing */
    } else if (mr->kind == MR_KIND_ALIAS) {
        queue_alias_target(alias_queue, mr->alias);
        g_string_append_printf(
            out,
            "%016" PRIx64 "-%016" PRIx64
            " (prio %d, %s): alias %s @%s %016" PRIx64 "-%016" PRIx64 "\n",
            start, mr_last(start, mr), mr->priority, mr_type(mr), mr->name,
            mr->alias->name, mr->alias_offset, mr_last(mr->alias_offset, mr));
    } else {
        g_string_append_printf(
            out, "%016" PRIx64 "-%016" PRIx64 " (prio %d, %s): %s\n", start,
            mr_last(start, mr), mr->priority, mr_type(mr), mr->name);
    }
    /* Children by address, then higher priority first; the list order
     * (newest first among equals) breaks remaining ties (stable sort). */
    children = g_ptr_array_new();
    for (MemoryRegion *c = mr->subregions; c; c = c->next_sibling) {
        g_ptr_array_add(children, c);
    }
    g_ptr_array_sort(children, cmp_print_order);
    for (guint i = 0; i < children->len; i++) {
        print_mr(out, g_ptr_array_index(children, i), level + 1, start,
                 alias_queue);
    }
    g_ptr_array_free(children, TRUE);
}

/* Address spaces grouped by root, in creation order of the first one. */
static GPtrArray *roots_in_order(void)
{
    GPtrArray *spaces = memory_address_spaces();
    GPtrArray *roots = g_ptr_array_new();

    for (guint i = 0; i < spaces->len; i++) {
        AddressSpace *as = g_ptr_array_index(spaces, i);
        bool seen = false;
        for (guint j = 0; j < roots->len; j++) {
            seen |= g_ptr_array_index(roots, j) == as->root;
        }
        if (!seen) {
            g_ptr_array_add(roots, as->root);
        }
    }
    return roots;
}

static void print_trees(GString *out)
{
    GPtrArray *spaces = memory_address_spaces();
    GPtrArray *roots = roots_in_order();
    GPtrArray *alias_queue = g_ptr_array_new();

    for (guint r = 0; r < roots->len; r++) {
        MemoryRegion *root = g_ptr_array_index(roots, r);
        for (guint i = 0; i < spaces->len; i++) {
            AddressSpace *as = g_ptr_array_index(spaces, i);
            if (as->root == root) {
                g_string_append_printf(out, "address-space: %s\n", as->name);
            }
        }
        print_mr(out, root, 1, 0, alias_queue);
        g_string_append(out, "\n");
    }
    /* The queue grows while we print aliases of aliases. */
    for (guint i = 0; i < alias_queue->len; i++) {
        MemoryRegion *mr = g_ptr_array_index(alias_queue, i);

        g_string_append_printf(out, "memory-region: %s\n", mr->name);
        print_mr(out, mr, 1, 0, alias_queue);
        g_string_append(out, "\n");
    }
    g_ptr_array_free(alias_queue, TRUE);
    g_ptr_array_free(roots, TRUE);
}

/* Views grouped by effective root (address spaces sharing a view), in
 * creation order of their first address space. */
static void print_flatviews(GString *out)
{
    GPtrArray *spaces = memory_address_spaces();
    GPtrArray *done = g_ptr_array_new(); /* effective roots printed */
    unsigned n = 0;

    for (guint i = 0; i < spaces->len; i++) {
        AddressSpace *first = g_ptr_array_index(spaces, i);
        FlatView *v = flatview_ref_current(first);
        MemoryRegion *eroot = v->root;
        bool seen = false;

        for (guint k = 0; k < done->len; k++) {
            seen |= g_ptr_array_index(done, k) == (gpointer)eroot;
        }
        if (seen) {
            flatview_unref(v);
            continue;
        }
        g_ptr_array_add(done, eroot);
        g_string_append_printf(out, "FlatView #%u\n", n++);
        for (guint j = i; j < spaces->len; j++) {
            AddressSpace *as = g_ptr_array_index(spaces, j);
            if (as->current_map->root != eroot) {
                continue;
            }
            g_string_append_printf(out, " AS \"%s\", root: %s", as->name,
                                   as->root->name);
            if (as->root->kind == MR_KIND_ALIAS) {
                g_string_append_printf(out, ", alias %s",
                                       as->root->alias->name);
            }
            g_string_append(out, "\n");
        }
        g_string_append_printf(out, " Root memory region: %s\n",
                               eroot ? eroot->name : "(none)");
        if (v->nr == 0) {
            g_string_append(out, MTREE_INDENT "No rendered FlatView\n");
        }
        for (unsigned k = 0; k < v->nr; k++) {
            FlatRange *fr = &v->ranges[k];
            g_string_append_printf(
                out,
                MTREE_INDENT "%016" PRIx64 "-%016" PRIx64 " (prio %d, %s): %s",
                fr->start, fr->last, fr->priority,
                fr->type == FR_ROM ? "rom" : mr_type(fr->mr), fr->mr->name);
            if (fr->offset_in_region) {
                g_string_append_printf(out, " @%016" PRIx64,
                                       fr->offset_in_region);
            }
            g_string_append(out, "\n");
        }
        flatview_unref(v);
        g_string_append(out, "\n");
    }
    g_ptr_array_free(done, TRUE);
}

void mtree_info(GString *out, bool flatview)
{
    if (flatview) {
        print_flatviews(out);
    } else {
        print_trees(out);
    }
}
