/*
 * Property test: for random region trees (containers, RAM, MMIO, aliases,
 * ROM, alias of alias, priorities, disabled and read-only regions,
 * terminal regions with subregions) and random changes, the
 * FlatView agrees with a naive per-address resolver that walks the tree
 * (highest priority first, newest first among equals; holes of a container
 * let lower siblings show through). Reproduce a failure with --seed.
 */
#include "memory/memory.h"

#include <string.h>

#define SPACE 0x10000
#define NREG 14

static const MemoryRegionOps ops = {
    .valid = {.max_access_size = 8},
};

/* The terminal region at addr (an offset into mr), or NULL; *ro collects
 * the readonly flags on the way down (containers and aliases pass theirs
 * on). */
static MemoryRegion *ref_lookup_ro(MemoryRegion *mr, hwaddr addr, hwaddr *off,
                                   bool *ro)
{
    bool here;

    if (!mr->enabled || addr >= memory_region_size(mr)) {
        return NULL;
    }
    here = *ro || mr->readonly;
    switch (mr->kind) {
    case MR_KIND_ALIAS:
        if (addr + mr->alias_offset < addr) {
            return NULL;
        }
        *ro = here;
        return ref_lookup_ro(mr->alias, addr + mr->alias_offset, off, ro);
    default:
        /* Subregions on top; a terminal region is their background. */
        for (MemoryRegion *c = mr->subregions; c; c = c->next_sibling) {
            if (addr >= c->addr) {
                bool cro = here;
                MemoryRegion *r = ref_lookup_ro(c, addr - c->addr, off, &cro);
                if (r) {
                    *ro = cro;
                    return r;
                }
            }
        }
        if (mr->kind == MR_KIND_CONTAINER) {
            return NULL;
        }
        *ro = here;
        *off = addr;
        return mr;
    }
}

static MemoryRegion *ref_lookup(MemoryRegion *mr, hwaddr addr, hwaddr *off)
{
    bool ro = false;

    return ref_lookup_ro(mr, addr, off, &ro);
}

typedef struct World {
    MemoryRegion root;
    MemoryRegion r[NREG];
    bool used[NREG];
    AddressSpace as;
    /* A device-style address space: a container with one alias of root;
     * it shares root's view and must agree with it. */
    MemoryRegion wrap, window;
    AddressSpace dev_as;
} World;

static uint64_t rnd(uint64_t n)
{
    return n ? (uint64_t)g_test_rand_int_range(0, (gint32)MIN(n, G_MAXINT32))
             : 0;
}

static void world_build(World *w)
{
    memset(w, 0, sizeof(*w));
    memory_region_init(&w->root, NULL, "root", SPACE);
    memory_region_transaction_begin();
    for (int i = 0; i < NREG; i++) {
        char name[8];
        uint64_t size = 1 + rnd(0x3000);
        int kind = rnd(5);
        MemoryRegion *parent = &w->root;

        g_snprintf(name, sizeof(name), "r%d", i);
        /* Aliases live in the root and target earlier regions, so there
         * are no cycles; other regions may go into earlier containers. */
        if (kind == 3 && i > 0) {
            MemoryRegion *target = &w->r[rnd(i)];
            memory_region_init_alias(&w->r[i], NULL, name, target,
                                     rnd(memory_region_size(target)), size);
        } else if (kind == 0) {
            memory_region_init(&w->r[i], NULL, name, size);
        } else if (kind == 1) {
            g_assert_true(
                memory_region_init_ram(&w->r[i], NULL, name, size, NULL));
        } else if (kind == 4) {
            g_assert_true(
                memory_region_init_rom(&w->r[i], NULL, name, size, NULL));
        } else {
            memory_region_init_io(&w->r[i], NULL, &ops, NULL, name, size);
        }
        if (w->r[i].kind != MR_KIND_ALIAS && i > 0 && rnd(2)) {
            int p = rnd(i);
            if (w->r[p].kind != MR_KIND_ALIAS) { /* MMIO/RAM too */
                parent = &w->r[p];
            }
        }
        memory_region_add_subregion_overlap(parent, rnd(SPACE), &w->r[i],
                                            (int)rnd(5) - 2);
        if (!rnd(6)) {
            memory_region_set_enabled(&w->r[i], false);
        }
    }
    memory_region_transaction_commit();
    address_space_init(&w->as, &w->root, "random");
    memory_region_init(&w->wrap, NULL, "wrap", SPACE);
    memory_region_init_alias(&w->window, NULL, "window", &w->root, 0, SPACE);
    memory_region_add_subregion(&w->wrap, 0, &w->window);
    address_space_init(&w->dev_as, &w->wrap, "random-dev");
}

static void world_mutate(World *w)
{
    MemoryRegion *mr = &w->r[rnd(NREG)];

    switch (rnd(5)) {
    case 0:
        memory_region_set_enabled(mr, !mr->enabled);
        break;
    case 4:
        memory_region_set_readonly(mr, !mr->readonly);
        break;
    case 1:
        memory_region_set_address(mr, rnd(SPACE));
        break;
    case 2:
        if (mr->kind == MR_KIND_ALIAS) {
            memory_region_set_alias_offset(mr, rnd(0x3000));
        } else if (mr->kind == MR_KIND_CONTAINER || mr->kind == MR_KIND_IO) {
            memory_region_set_size(mr, 1 + rnd(0x3000));
        }
        break;
    default: {
        MemoryRegion *parent = mr->container;
        hwaddr addr = mr->addr;
        memory_region_del_subregion(parent, mr);
        memory_region_add_subregion_overlap(parent, addr, mr, (int)rnd(5) - 2);
        break;
    }
    }
}

static void world_check(World *w)
{
    for (int k = 0; k < 400; k++) {
        hwaddr a = k < 16 ? (hwaddr)SPACE - 1 - k : rnd(SPACE + 0x100);
        hwaddr want_off = 0, got_off = 0, len = 1;
        MemoryRegion *want = ref_lookup(&w->root, a, &want_off);
        AddressSpace *as = k & 1 ? &w->dev_as : &w->as;
        MemoryRegion *got = address_space_translate(
            as, a, &got_off, &len, false, MEMTXATTRS_UNSPECIFIED);
        if (want != got || (want && want_off != got_off)) {
            GString *s = g_string_new("");
            mtree_info(s, false);
            g_test_message("%s", s->str);
            g_string_free(s, TRUE);
            g_error("at 0x%" PRIx64 ": expected %s+0x%" PRIx64
                    ", got %s+0x%" PRIx64,
                    a, want ? want->name : "-", want_off, got ? got->name : "-",
                    got_off);
        }
    }
}

/* DMA is allowed exactly when every byte is RAM (checked byte by byte). */
static void world_check_dma(World *w)
{
    for (int k = 0; k < 40; k++) {
        hwaddr a = rnd(SPACE), len = 1 + rnd(k < 20 ? 0x40 : 0x2000);
        bool want_read = true, want_write = true;

        for (hwaddr i = 0; i < len && want_read; i++) {
            hwaddr off;
            bool ro = false;
            MemoryRegion *mr = ref_lookup_ro(&w->root, a + i, &off, &ro);
            want_read = mr && mr->kind == MR_KIND_RAM;
            want_write &= want_read && !ro;
        }
        g_assert_cmpint(dma_memory_valid(&w->as, a, len, false), ==, want_read);
        g_assert_cmpint(dma_memory_valid(&w->dev_as, a, len, false), ==,
                        want_read);
        g_assert_cmpint(dma_memory_valid(&w->as, a, len, true), ==, want_write);
    }
}

static void world_free(World *w)
{
    address_space_destroy(&w->dev_as);
    memory_region_del_subregion(&w->wrap, &w->window);
    memory_region_finalize(&w->window);
    memory_region_finalize(&w->wrap);
    address_space_destroy(&w->as);
    memory_region_transaction_begin();
    /* Aliases first (they pin their targets), then children first. */
    for (int i = NREG - 1; i >= 0; i--) {
        if (w->r[i].container) {
            memory_region_del_subregion(w->r[i].container, &w->r[i]);
        }
    }
    memory_region_transaction_commit();
    for (int i = NREG - 1; i >= 0; i--) {
        memory_region_finalize(&w->r[i]);
    }
    memory_region_finalize(&w->root);
}

static void test_random_trees_match_reference(void)
{
    for (int round = 0; round < 150; round++) {
        World *w = g_new(World, 1);

        world_build(w);
        world_check(w);
        world_check_dma(w);
        for (int m = 0; m < 6; m++) {
            world_mutate(w);
            world_check(w);
            world_check_dma(w);
        }
        world_free(w);
        g_free(w);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/memory/random/trees-match-reference",
                    test_random_trees_match_reference);
    return g_test_run();
}
