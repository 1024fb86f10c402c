/*
 * Listeners: replay on register, callback order on add/del/modify with two
 * listeners of different priorities, dirty-log start/stop and sync; dirty
 * bitmaps; the RAM write notifier; the accelerator's RAM section list.
 */
#include "memory/memory.h"

#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

typedef struct Rec {
    MemoryListener l;
    const char *tag;
} Rec;

static GString *trace;

static void rec(MemoryListener *l, const char *what, MemoryRegionSection *s)
{
    Rec *r = (Rec *)l;

    if (s) {
        g_string_append_printf(
            trace, "%s:%s(%s@%" PRIx64 "+%" PRIx64 ",%" PRIx64 "%s) ", r->tag,
            what, s->mr->name, s->offset_within_address_space, s->size,
            s->offset_within_region, s->readonly ? ",ro" : "");
    } else {
        g_string_append_printf(trace, "%s:%s ", r->tag, what);
    }
}

static void l_begin(MemoryListener *l)
{
    rec(l, "begin", NULL);
}
static void l_commit(MemoryListener *l)
{
    rec(l, "commit", NULL);
}
static void l_add(MemoryListener *l, MemoryRegionSection *s)
{
    rec(l, "add", s);
}
static void l_del(MemoryListener *l, MemoryRegionSection *s)
{
    rec(l, "del", s);
}
static void l_log_start(MemoryListener *l, MemoryRegionSection *s, int o, int n)
{
    rec(l, "log_start", s);
}
static void l_log_stop(MemoryListener *l, MemoryRegionSection *s, int o, int n)
{
    rec(l, "log_stop", s);
}
static void l_ev_add(MemoryListener *l, MemoryRegionSection *s, bool match,
                     uint64_t data, int fd)
{
    rec(l, match ? "ev_add_match" : "ev_add", s);
}
static void l_ev_del(MemoryListener *l, MemoryRegionSection *s, bool match,
                     uint64_t data, int fd)
{
    rec(l, match ? "ev_del_match" : "ev_del", s);
}
static void l_global_start(MemoryListener *l)
{
    rec(l, "gstart", NULL);
}
static void l_global_stop(MemoryListener *l)
{
    rec(l, "gstop", NULL);
}

/* log_sync: pretend the accelerator saw page 1 of the section dirty. */
static void l_log_sync(MemoryListener *l, MemoryRegionSection *s)
{
    unsigned long bits = 1ul << 1;

    rec(l, "sync", s);
    memory_region_set_dirty_bits(s->mr, s->offset_within_region, &bits, 2);
}

static void rec_init(Rec *r, const char *tag, unsigned priority)
{
    memset(r, 0, sizeof(*r));
    r->tag = tag;
    r->l.begin = l_begin;
    r->l.commit = l_commit;
    r->l.region_add = l_add;
    r->l.region_del = l_del;
    r->l.log_start = l_log_start;
    r->l.log_stop = l_log_stop;
    r->l.log_sync = l_log_sync;
    r->l.log_global_start = l_global_start;
    r->l.log_global_stop = l_global_stop;
    r->l.eventfd_add = l_ev_add;
    r->l.eventfd_del = l_ev_del;
    r->l.name = tag;
    r->l.priority = priority;
}

static void expect_trace(const char *want)
{
    g_assert_cmpstr(trace->str, ==, want);
    g_string_truncate(trace, 0);
}

static void test_listener_order(void)
{
    MemoryRegion root, ram, rom;
    AddressSpace as;
    Rec lo, hi;

    trace = g_string_new("");
    memory_region_init(&root, NULL, "root", 0x100000);
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x2000, NULL));
    g_assert_true(memory_region_init_rom(&rom, NULL, "rom", 0x1000, NULL));
    memory_region_add_subregion(&root, 0, &ram);
    address_space_init(&as, &root, "t");

    /* Register hi first: the list is kept in priority order anyway. */
    rec_init(&lo, "lo", 10);
    rec_init(&hi, "hi", 20);
    memory_listener_register(&hi.l, &as);
    expect_trace("hi:begin hi:add(ram@0+2000,0) hi:commit ");
    memory_listener_register(&lo.l, &as);
    expect_trace("lo:begin lo:add(ram@0+2000,0) lo:commit ");

    /* Add: ascending priority. */
    memory_region_add_subregion(&root, 0x10000, &rom);
    expect_trace("lo:begin hi:begin "
                 "lo:add(rom@10000+1000,0,ro) hi:add(rom@10000+1000,0,ro) "
                 "lo:commit hi:commit ");

    /* Del: descending priority. */
    memory_region_del_subregion(&root, &rom);
    expect_trace("lo:begin hi:begin "
                 "hi:del(rom@10000+1000,0,ro) lo:del(rom@10000+1000,0,ro) "
                 "lo:commit hi:commit ");

    /* Modify (move): all dels, then all adds. */
    memory_region_add_subregion(&root, 0x10000, &rom);
    g_string_truncate(trace, 0);
    memory_region_transaction_begin();
    memory_region_set_address(&rom, 0x20000);
    memory_region_set_size(&ram, 0x1000);
    memory_region_transaction_commit();
    expect_trace("lo:begin hi:begin "
                 "hi:del(ram@0+2000,0) lo:del(ram@0+2000,0) "
                 "hi:del(rom@10000+1000,0,ro) lo:del(rom@10000+1000,0,ro) "
                 "lo:add(ram@0+1000,0) hi:add(ram@0+1000,0) "
                 "lo:add(rom@20000+1000,0,ro) hi:add(rom@20000+1000,0,ro) "
                 "lo:commit hi:commit ");

    /* A change that leaves the view as it was calls nobody. */
    memory_region_set_enabled(&rom, true);
    memory_region_transaction_begin();
    memory_region_set_enabled(&rom, false);
    memory_region_set_enabled(&rom, true);
    memory_region_transaction_commit();
    expect_trace("");

    /* Readonly flip is a del + add. */
    memory_region_set_readonly(&ram, true);
    expect_trace("lo:begin hi:begin hi:del(ram@0+1000,0) lo:del(ram@0+1000,0) "
                 "lo:add(ram@0+1000,0,ro) hi:add(ram@0+1000,0,ro) "
                 "lo:commit hi:commit ");
    memory_region_set_readonly(&ram, false);
    g_string_truncate(trace, 0);

    /* Dirty logging of one region: log_start on the unchanged section. */
    memory_region_set_log(&ram, true, DIRTY_MEMORY_VGA);
    expect_trace("lo:begin hi:begin lo:log_start(ram@0+1000,0) "
                 "hi:log_start(ram@0+1000,0) lo:commit hi:commit ");
    g_assert_cmpuint(memory_region_get_dirty_log_mask(&ram), ==,
                     1u << DIRTY_MEMORY_VGA);
    memory_region_set_log(&ram, false, DIRTY_MEMORY_VGA);
    expect_trace("lo:begin hi:begin lo:log_stop(ram@0+1000,0) "
                 "hi:log_stop(ram@0+1000,0) lo:commit hi:commit ");

    /* Unregister replays dels. */
    memory_listener_unregister(&lo.l);
    expect_trace("lo:begin lo:del(ram@0+1000,0) "
                 "lo:del(rom@20000+1000,0,ro) lo:commit ");
    memory_listener_unregister(&hi.l);
    g_string_truncate(trace, 0);

    address_space_destroy(&as);
    memory_region_del_subregion(&root, &ram);
    memory_region_del_subregion(&root, &rom);
    memory_region_finalize(&ram);
    memory_region_finalize(&rom);
    memory_region_finalize(&root);
    g_string_free(trace, TRUE);
}

static void test_global_dirty_log_and_sync(void)
{
    MemoryRegion root, ram;
    AddressSpace as;
    Rec l;

    trace = g_string_new("");
    memory_region_init(&root, NULL, "root", 0x100000);
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x4000, NULL));
    memory_region_add_subregion(&root, 0x8000, &ram);
    address_space_init(&as, &root, "t");
    rec_init(&l, "l", 0);
    memory_listener_register(&l.l, &as);
    g_string_truncate(trace, 0);

    memory_region_reset_dirty(&ram, 0, 0x4000, DIRTY_MEMORY_MIGRATION);
    memory_global_dirty_log_start();
    g_assert_true(memory_global_dirty_log_enabled());
    expect_trace("l:gstart l:begin l:log_start(ram@8000+4000,0) l:commit ");
    /* Migration starts with every page dirty. */
    g_assert_true(memory_region_test_and_clear_dirty(&ram, 0, 0x4000,
                                                     DIRTY_MEMORY_MIGRATION));
    g_assert_false(
        memory_region_get_dirty(&ram, 0, 0x4000, DIRTY_MEMORY_MIGRATION));

    /* Sync asks the listener, which fills the bitmap (page 1). */
    memory_global_dirty_log_sync();
    expect_trace("l:sync(ram@8000+4000,0) ");
    g_assert_false(
        memory_region_get_dirty(&ram, 0, 0x1000, DIRTY_MEMORY_MIGRATION));
    g_assert_true(memory_region_test_and_clear_dirty(&ram, 0x1000, 1,
                                                     DIRTY_MEMORY_MIGRATION));
    memory_region_sync_dirty_bitmap(&ram);
    expect_trace("l:sync(ram@8000+4000,0) ");

    memory_global_dirty_log_stop();
    expect_trace("l:gstop l:begin l:log_stop(ram@8000+4000,0) l:commit ");
    /* Nothing logged: no sync. */
    memory_global_dirty_log_sync();
    expect_trace("");

    memory_listener_unregister(&l.l);
    address_space_destroy(&as);
    memory_region_del_subregion(&root, &ram);
    memory_region_finalize(&ram);
    memory_region_finalize(&root);
    g_string_free(trace, TRUE);
}

static void test_dirty_bitmap(void)
{
    MemoryRegion ram;
    unsigned long bits[2] = {0, 0};

    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 128 * 4096, NULL));
    /* New RAM is dirty for every client, to its last page. */
    for (unsigned c = 0; c < DIRTY_MEMORY_NUM; c++) {
        g_assert_true(memory_region_get_dirty(&ram, 127 * 4096, 1, c));
        memory_region_reset_dirty(&ram, 0, 128 * 4096, c);
        g_assert_false(memory_region_get_dirty(&ram, 0, 128 * 4096, c));
    }
    /* A byte range marks every page it touches, for all clients. */
    memory_region_set_dirty(&ram, 4095, 2);
    g_assert_true(memory_region_get_dirty(&ram, 0, 1, DIRTY_MEMORY_VGA));
    g_assert_true(memory_region_get_dirty(&ram, 4096, 1, DIRTY_MEMORY_VGA));
    g_assert_false(memory_region_get_dirty(&ram, 8192, 4096, DIRTY_MEMORY_VGA));
    g_assert_true(
        memory_region_test_and_clear_dirty(&ram, 0, 8192, DIRTY_MEMORY_VGA));
    g_assert_false(
        memory_region_test_and_clear_dirty(&ram, 0, 8192, DIRTY_MEMORY_VGA));
    /* Clearing one client leaves the others. */
    g_assert_true(
        memory_region_get_dirty(&ram, 0, 8192, DIRTY_MEMORY_MIGRATION));
    memory_region_reset_dirty(&ram, 0, 128 * 4096, DIRTY_MEMORY_MIGRATION);
    memory_region_reset_dirty(&ram, 0, 128 * 4096, DIRTY_MEMORY_CODE);

    /* A KVM-style bitmap across a word boundary, at a page offset. */
    bits[0] = (1ul << 63) | 1ul;
    bits[1] = 1ul << 2;
    memory_region_set_dirty_bits(&ram, 4 * 4096, bits, 128);
    g_assert_true(memory_region_get_dirty(&ram, 4 * 4096, 1, DIRTY_MEMORY_VGA));
    g_assert_false(
        memory_region_get_dirty(&ram, 5 * 4096, 58 * 4096, DIRTY_MEMORY_VGA));
    g_assert_true(
        memory_region_get_dirty(&ram, 67 * 4096, 1, DIRTY_MEMORY_VGA));
    g_assert_true(
        memory_region_get_dirty(&ram, 70 * 4096, 1, DIRTY_MEMORY_VGA));
    /* Bits past the end of the region are ignored, not written. */
    bits[1] = ~0ul;
    memory_region_set_dirty_bits(&ram, 100 * 4096, bits, 128);
    g_assert_true(memory_region_test_and_clear_dirty(&ram, 0, 128 * 4096,
                                                     DIRTY_MEMORY_VGA));
    /* Word-aligned offset (the fast path), partial last word. */
    for (unsigned c = 0; c < DIRTY_MEMORY_NUM; c++) {
        memory_region_reset_dirty(&ram, 0, 128 * 4096, c);
    }
    bits[0] = 1ul | (1ul << 40);
    bits[1] = ~0ul; /* only its first 6 bits are inside npages */
    memory_region_set_dirty_bits(&ram, 0, bits, 70);
    g_assert_true(memory_region_get_dirty(&ram, 0, 1, DIRTY_MEMORY_MIGRATION));
    g_assert_false(
        memory_region_get_dirty(&ram, 4096, 39 * 4096, DIRTY_MEMORY_MIGRATION));
    g_assert_true(
        memory_region_get_dirty(&ram, 40 * 4096, 1, DIRTY_MEMORY_CODE));
    g_assert_true(
        memory_region_get_dirty(&ram, 69 * 4096, 1, DIRTY_MEMORY_VGA));
    g_assert_false(
        memory_region_get_dirty(&ram, 70 * 4096, 58 * 4096, DIRTY_MEMORY_VGA));
    for (unsigned c = 0; c < DIRTY_MEMORY_NUM; c++) {
        memory_region_reset_dirty(&ram, 0, 128 * 4096, c);
    }

    /* Ranges outside the region are no-ops. */
    memory_region_set_dirty(&ram, 1ull << 40, 4096);
    g_assert_false(
        memory_region_get_dirty(&ram, 1ull << 40, 1, DIRTY_MEMORY_VGA));
    memory_region_finalize(&ram);
}

typedef struct Seen {
    RamWriteNotifier n;
    AddressSpace *as;
    hwaddr gpa;
    void *host;
    uint64_t len;
    unsigned calls;
} Seen;

static void seen_notify(RamWriteNotifier *n, AddressSpace *as, hwaddr gpa,
                        void *host, uint64_t len)
{
    Seen *s = (Seen *)n;

    s->as = as;
    s->gpa = gpa;
    s->host = host;
    s->len = len;
    s->calls++;
}

static void test_ram_write_notifier_and_dirty(void)
{
    MemoryRegion root, ram;
    AddressSpace as;
    Seen seen = {.n.notify = seen_notify};
    uint8_t buf[16] = {0};

    memory_region_init(&root, NULL, "root", 0x100000);
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x10000, NULL));
    memory_region_add_subregion(&root, 0x10000, &ram);
    address_space_init(&as, &root, "t");
    memory_region_reset_dirty(&ram, 0, 0x10000, DIRTY_MEMORY_VGA);

    ram_write_notifier_add(&seen.n);
    address_space_write(&as, 0x12ff8, MEMTXATTRS_UNSPECIFIED, buf, 16);
    g_assert_cmpuint(seen.calls, ==, 1);
    g_assert_true(seen.as == &as);
    g_assert_cmphex(seen.gpa, ==, 0x12ff8);
    g_assert_true(seen.host ==
                  (uint8_t *)memory_region_get_ram_ptr(&ram) + 0x2ff8);
    g_assert_cmpuint(seen.len, ==, 16);
    /* The VMM's write dirtied both pages. */
    g_assert_true(memory_region_test_and_clear_dirty(&ram, 0x2000, 0x2000,
                                                     DIRTY_MEMORY_VGA));
    /* Reads do not notify; DMA writes do. */
    address_space_read(&as, 0x12ff8, MEMTXATTRS_UNSPECIFIED, buf, 16);
    g_assert_cmpuint(seen.calls, ==, 1);
    g_assert_cmpuint(dma_memory_set(&as, 0x10000, 0, 8), ==, MEMTX_OK);
    g_assert_cmpuint(seen.calls, ==, 2);
    g_assert_cmphex(seen.gpa, ==, 0x10000);
    /* A writable DMA mapping notifies at unmap, with the address. */
    dma_addr_t len = 0x100;
    uint8_t *p = dma_memory_map(&as, 0x14000, &len, true);
    g_assert_nonnull(p);
    dma_memory_unmap(&as, p, len, true, 0x20);
    g_assert_cmpuint(seen.calls, ==, 3);
    g_assert_cmphex(seen.gpa, ==, 0x14000);
    g_assert_cmpuint(seen.len, ==, 0x20);
    p = dma_memory_map(&as, 0x14000, &len, false);
    dma_memory_unmap(&as, p, len, false, len); /* reads: no notify */
    g_assert_cmpuint(seen.calls, ==, 3);
    /* The loader's region write has no address. */
    g_assert_true(memory_region_write_rom(&ram, 0x10, "z", 1));
    g_assert_cmpuint(seen.calls, ==, 4);
    g_assert_null(seen.as);
    g_assert_cmphex(seen.gpa, ==, HWADDR_MAX);
    ram_write_notifier_remove(&seen.n);
    address_space_write(&as, 0x12ff8, MEMTXATTRS_UNSPECIFIED, buf, 16);
    g_assert_cmpuint(seen.calls, ==, 4);

    address_space_destroy(&as);
    memory_region_del_subregion(&root, &ram);
    memory_region_finalize(&ram);
    memory_region_finalize(&root);
}

static void collect(const RamSection *s, void *opaque)
{
    g_array_append_val((GArray *)opaque, *s);
}

static void test_ram_sections_for_accelerator(void)
{
    MemoryRegion root, ram, rom, hole, alias;
    AddressSpace as;
    static const MemoryRegionOps ops;
    GArray *secs = g_array_new(FALSE, FALSE, sizeof(RamSection));

    memory_region_init(&root, NULL, "root", UINT64_MAX);
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x200000, NULL));
    g_assert_true(memory_region_init_rom(&rom, NULL, "rom", 0x10000, NULL));
    memory_region_init_io(&hole, NULL, &ops, NULL, "vga", 0x20000);
    memory_region_init_alias(&alias, NULL, "high", &ram, 0x100000, 0x100000);
    memory_region_add_subregion(&root, 0, &ram);
    memory_region_add_subregion_overlap(&root, 0xa0000, &hole, 1);
    memory_region_add_subregion_overlap(&root, 0xf0000, &rom, 1);
    memory_region_add_subregion(&root, 0x100000000ull, &alias);
    memory_region_set_log(&rom, true, DIRTY_MEMORY_VGA);
    address_space_init(&as, &root, "t");

    g_assert_cmpuint(address_space_foreach_ram_section(&as, collect, secs), ==,
                     5);
    uint8_t *host = memory_region_get_ram_ptr(&ram);
    static const struct {
        hwaddr gpa;
        uint64_t size;
        uint64_t host_off;
        bool ro;
        bool log;
    } want[] = {
        {0, 0xa0000, 0, false, false},
        {0xc0000, 0x30000, 0xc0000, false, false},
        {0xf0000, 0x10000, UINT64_MAX, true, true}, /* rom */
        {0x100000, 0x100000, 0x100000, false, false},
        {0x100000000ull, 0x100000, 0x100000, false, false},
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(want); i++) {
        RamSection *s = &g_array_index(secs, RamSection, i);
        g_assert_cmphex(s->gpa, ==, want[i].gpa);
        g_assert_cmphex(s->size, ==, want[i].size);
        if (want[i].host_off != UINT64_MAX) {
            g_assert_true(s->host == host + want[i].host_off);
        } else {
            g_assert_true(s->host == memory_region_get_ram_ptr(&rom));
        }
        g_assert_cmpint(s->readonly, ==, want[i].ro);
        g_assert_cmpint(s->dirty_log, ==, want[i].log);
    }
    g_array_free(secs, TRUE);

    address_space_destroy(&as);
    memory_region_del_subregion(&root, &ram);
    memory_region_del_subregion(&root, &hole);
    memory_region_del_subregion(&root, &rom);
    memory_region_del_subregion(&root, &alias);
    memory_region_finalize(&alias);
    memory_region_finalize(&ram);
    memory_region_finalize(&rom);
    memory_region_finalize(&hole);
    memory_region_finalize(&root);
}

static unsigned dev_writes;

static void dev_write(void *opaque, hwaddr addr, uint64_t v, unsigned size)
{
    dev_writes++;
}

static uint64_t eventfd_count(int fd)
{
    uint64_t n = 0;

    if (read(fd, &n, sizeof(n)) != sizeof(n)) {
        return 0;
    }
    return n;
}

static void test_ioeventfd(void)
{
    static const MemoryRegionOps ops = {.write = dev_write};
    MemoryRegion root, dev;
    AddressSpace as;
    Rec l;
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    int fd_any = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

    g_assert_cmpint(fd, >=, 0);
    trace = g_string_new("");
    memory_region_init(&root, NULL, "root", 0x100000);
    memory_region_init_io(&dev, NULL, &ops, NULL, "dev", 0x100);
    memory_region_add_subregion(&root, 0x1000, &dev);
    address_space_init(&as, &root, "t");
    rec_init(&l, "l", 0);
    memory_listener_register(&l.l, &as);
    expect_trace("l:begin l:add(dev@1000+100,0) l:commit ");

    memory_region_add_eventfd(&dev, 0x10, 2, true, 5, fd);
    expect_trace("l:begin l:ev_add_match(dev@1010+2,10) l:commit ");
    memory_region_add_eventfd(&dev, 0x20, 0, false, 0, fd_any);
    expect_trace("l:begin l:ev_add(dev@1020+0,20) l:commit ");

    /* Without an accelerator catching them, matching writes signal. */
    address_space_stw_le(&as, 0x1010, 5, MEMTXATTRS_UNSPECIFIED, NULL);
    g_assert_cmpuint(dev_writes, ==, 0);
    g_assert_cmpuint(eventfd_count(fd), ==, 1);
    address_space_stw_le(&as, 0x1010, 6, MEMTXATTRS_UNSPECIFIED, NULL);
    address_space_stl_le(&as, 0x1010, 5, MEMTXATTRS_UNSPECIFIED, NULL);
    g_assert_cmpuint(dev_writes, ==, 2);
    g_assert_cmpuint(eventfd_count(fd), ==, 0);
    address_space_stl_le(&as, 0x1020, 77, MEMTXATTRS_UNSPECIFIED, NULL);
    address_space_stb(&as, 0x1020, 1, MEMTXATTRS_UNSPECIFIED, NULL);
    g_assert_cmpuint(eventfd_count(fd_any), ==, 2);
    g_assert_cmpuint(dev_writes, ==, 2);

    /* Moving the region moves its ioeventfds, in the same transaction. */
    memory_region_set_address(&dev, 0x2000);
    expect_trace("l:begin l:del(dev@1000+100,0) l:add(dev@2000+100,0) "
                 "l:ev_del_match(dev@1010+2,10) l:ev_del(dev@1020+0,20) "
                 "l:ev_add_match(dev@2010+2,10) l:ev_add(dev@2020+0,20) "
                 "l:commit ");
    /* Covered by a higher-priority region: gone from the address space. */
    MemoryRegion cover;
    memory_region_init_io(&cover, NULL, &ops, NULL, "cover", 0x8);
    memory_region_add_subregion_overlap(&root, 0x2010, &cover, 1);
    g_assert_nonnull(strstr(trace->str, "l:ev_del_match(dev@2010+2,10)"));
    g_assert_null(strstr(trace->str, "ev_del(dev@2020"));
    memory_region_del_subregion(&root, &cover);
    memory_region_finalize(&cover);
    g_string_truncate(trace, 0);

    memory_region_del_eventfd(&dev, 0x10, 2, true, 5, fd);
    expect_trace("l:begin l:ev_del_match(dev@2010+2,10) l:commit ");
    memory_listener_unregister(&l.l);
    expect_trace("l:begin l:del(dev@2000+100,0) l:ev_del(dev@2020+0,20) "
                 "l:commit ");

    address_space_destroy(&as);
    memory_region_del_subregion(&root, &dev);
    memory_region_finalize(&dev);
    memory_region_finalize(&root);
    close(fd);
    close(fd_any);
    g_string_free(trace, TRUE);
}

/* A listener that changes the tree from its callback: the change is applied
 * after the current update, and the final view is consistent. */
static MemoryRegion *reentrant_victim;

static void reentrant_add(MemoryListener *l, MemoryRegionSection *s)
{
    rec(l, "add", s);
    if (reentrant_victim && s->mr != reentrant_victim) {
        MemoryRegion *v = reentrant_victim;
        reentrant_victim = NULL;
        memory_region_set_enabled(v, false);
    }
}

static void test_listener_may_change_tree(void)
{
    static const MemoryRegionOps ops;
    MemoryRegion root, a, b;
    AddressSpace as;
    Rec l;
    hwaddr xlat, len = 1;

    trace = g_string_new("");
    memory_region_init(&root, NULL, "root", 0x10000);
    memory_region_init_io(&a, NULL, &ops, NULL, "a", 0x100);
    memory_region_init_io(&b, NULL, &ops, NULL, "b", 0x100);
    memory_region_add_subregion(&root, 0x1000, &b);
    address_space_init(&as, &root, "t");
    rec_init(&l, "l", 0);
    l.l.region_add = reentrant_add;
    memory_listener_register(&l.l, &as);
    g_string_truncate(trace, 0);

    reentrant_victim = &b;
    memory_region_add_subregion(&root, 0x2000, &a);
    expect_trace("l:begin l:add(a@2000+100,0) l:commit "
                 "l:begin l:del(b@1000+100,0) l:commit ");
    g_assert_null(address_space_translate(&as, 0x1000, &xlat, &len, false,
                                          MEMTXATTRS_UNSPECIFIED));
    g_assert_true(address_space_translate(&as, 0x2000, &xlat, &len, false,
                                          MEMTXATTRS_UNSPECIFIED) == &a);

    memory_listener_unregister(&l.l);
    address_space_destroy(&as);
    memory_region_del_subregion(&root, &a);
    memory_region_del_subregion(&root, &b);
    memory_region_finalize(&a);
    memory_region_finalize(&b);
    memory_region_finalize(&root);
    g_string_free(trace, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/memory/listener/order-add-del-modify",
                    test_listener_order);
    g_test_add_func("/memory/listener/global-dirty-log-and-sync",
                    test_global_dirty_log_and_sync);
    g_test_add_func("/memory/listener/dirty-bitmap", test_dirty_bitmap);
    g_test_add_func("/memory/listener/ram-write-notifier-and-dirty",
                    test_ram_write_notifier_and_dirty);
    g_test_add_func("/memory/listener/ram-sections-for-accelerator",
                    test_ram_sections_for_accelerator);
    g_test_add_func("/memory/listener/ioeventfd", test_ioeventfd);
    g_test_add_func("/memory/listener/listener-may-change-tree",
                    test_listener_may_change_tree);
    return g_test_run();
}
