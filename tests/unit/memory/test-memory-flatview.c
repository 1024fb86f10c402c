/*
 * Flat views: overlap resolution by priority, aliases, enable/disable,
 * moves and resizes, transactions (one rebuild), ROM, mtree text.
 */
#include "memory/memory.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const MemoryRegionOps null_ops = {
    .valid = {.max_access_size = 8},
};

/* Which region (and offset in it) backs addr? */
static MemoryRegion *who(AddressSpace *as, hwaddr addr, hwaddr *off)
{
    hwaddr xlat = 0, len = 1;
    MemoryRegion *mr = address_space_translate(as, addr, &xlat, &len, false,
                                               MEMTXATTRS_UNSPECIFIED);
    if (off) {
        *off = xlat;
    }
    return mr;
}

static void expect(AddressSpace *as, hwaddr addr, MemoryRegion *want,
                   hwaddr want_off)
{
    hwaddr off = 0;
    MemoryRegion *got = who(as, addr, &off);

    if (got != want) {
        g_error("at 0x%" PRIx64 ": expected %s, got %s", addr,
                want ? want->name : "(unassigned)",
                got ? got->name : "(unassigned)");
    }
    if (want) {
        g_assert_cmphex(off, ==, want_off);
    }
}

static void test_priority_higher_wins(void)
{
    MemoryRegion root, lo, hi;
    AddressSpace as;

    memory_region_init(&root, NULL, "root", 0x10000);
    memory_region_init_io(&lo, NULL, &null_ops, NULL, "lo", 0x1000);
    memory_region_init_io(&hi, NULL, &null_ops, NULL, "hi", 0x100);
    memory_region_add_subregion_overlap(&root, 0x1000, &hi, 1);
    memory_region_add_subregion_overlap(&root, 0x1000, &lo, 0);
    address_space_init(&as, &root, "t");

    expect(&as, 0x0fff, NULL, 0);
    expect(&as, 0x1000, &hi, 0);
    expect(&as, 0x10ff, &hi, 0xff);
    expect(&as, 0x1100, &lo, 0x100);
    expect(&as, 0x1fff, &lo, 0xfff);
    expect(&as, 0x2000, NULL, 0);

    /* Lower the winner below: lo shows through everywhere. */
    memory_region_del_subregion(&root, &hi);
    memory_region_add_subregion_overlap(&root, 0x1000, &hi, -1);
    expect(&as, 0x1000, &lo, 0);

    address_space_destroy(&as);
    memory_region_del_subregion(&root, &hi);
    memory_region_del_subregion(&root, &lo);
    memory_region_finalize(&hi);
    memory_region_finalize(&lo);
    memory_region_finalize(&root);
}

static void test_equal_priority_later_added_wins(void)
{
    MemoryRegion root, a, b;
    AddressSpace as;

    memory_region_init(&root, NULL, "root", 0x10000);
    memory_region_init_io(&a, NULL, &null_ops, NULL, "a", 0x1000);
    memory_region_init_io(&b, NULL, &null_ops, NULL, "b", 0x1000);
    memory_region_add_subregion_overlap(&root, 0x0, &a, 0);
    memory_region_add_subregion_overlap(&root, 0x800, &b, 0);
    address_space_init(&as, &root, "t");

    expect(&as, 0x7ff, &a, 0x7ff);
    expect(&as, 0x800, &b, 0);
    expect(&as, 0xfff, &b, 0x7ff);
    expect(&as, 0x1000, &b, 0x800);

    /* Re-adding a puts it on top. */
    memory_region_del_subregion(&root, &a);
    memory_region_add_subregion_overlap(&root, 0x0, &a, 0);
    expect(&as, 0xfff, &a, 0xfff);
    expect(&as, 0x1000, &b, 0x800);

    address_space_destroy(&as);
    memory_region_del_subregion(&root, &a);
    memory_region_del_subregion(&root, &b);
    memory_region_finalize(&a);
    memory_region_finalize(&b);
    memory_region_finalize(&root);
}

/* A container's priority ranks the whole container among its siblings,
 * whatever the priorities inside it. */
static void test_container_priority_is_local(void)
{
    MemoryRegion root, box, inner, outer;
    AddressSpace as;

    memory_region_init(&root, NULL, "root", 0x10000);
    memory_region_init(&box, NULL, "box", 0x1000);
    memory_region_init_io(&inner, NULL, &null_ops, NULL, "inner", 0x100);
    memory_region_init_io(&outer, NULL, &null_ops, NULL, "outer", 0x2000);
    memory_region_add_subregion_overlap(&box, 0, &inner, 100);
    memory_region_add_subregion_overlap(&root, 0, &box, 0);
    memory_region_add_subregion_overlap(&root, 0, &outer, 1);
    address_space_init(&as, &root, "t");

    expect(&as, 0x0, &outer, 0);
    memory_region_set_enabled(&outer, false);
    expect(&as, 0x0, &inner, 0);
    /* The container's holes are holes, not the sibling below. */
    expect(&as, 0x100, NULL, 0);

    address_space_destroy(&as);
    memory_region_del_subregion(&root, &outer);
    memory_region_del_subregion(&root, &box);
    memory_region_del_subregion(&box, &inner);
    memory_region_finalize(&inner);
    memory_region_finalize(&outer);
    memory_region_finalize(&box);
    memory_region_finalize(&root);
}

static void test_alias_of_alias_and_into_container(void)
{
    MemoryRegion root, ram, a1, a2, box, dev, abox;
    AddressSpace as;

    memory_region_init(&root, NULL, "root", UINT64_MAX);
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x10000, NULL));
    /* a1 = ram[0x4000, 0x8000), a2 = a1[0x1000, 0x2000) = ram[0x5000..] */
    memory_region_init_alias(&a1, NULL, "a1", &ram, 0x4000, 0x4000);
    memory_region_init_alias(&a2, NULL, "a2", &a1, 0x1000, 0x1000);
    memory_region_add_subregion(&root, 0x100000, &a2);
    /* An alias of a container that holds an MMIO region at 0x200. */
    memory_region_init(&box, NULL, "box", 0x1000);
    memory_region_init_io(&dev, NULL, &null_ops, NULL, "dev", 0x100);
    memory_region_add_subregion(&box, 0x200, &dev);
    memory_region_init_alias(&abox, NULL, "abox", &box, 0x100, 0x200);
    memory_region_add_subregion(&root, 0x200000, &abox);
    address_space_init(&as, &root, "t");

    expect(&as, 0x100000, &ram, 0x5000);
    expect(&as, 0x100fff, &ram, 0x5fff);
    expect(&as, 0x101000, NULL, 0);
    /* abox window: box[0x100, 0x300): hole then dev[0, 0x100). */
    expect(&as, 0x200000, NULL, 0);
    expect(&as, 0x200100, &dev, 0);
    expect(&as, 0x2001ff, &dev, 0xff);
    expect(&as, 0x200200, NULL, 0);

    /* Moving the window moves what shows through it. */
    memory_region_set_alias_offset(&a2, 0x2000);
    expect(&as, 0x100000, &ram, 0x6000);
    g_assert_true(memory_region_get_ram_ptr(&a2) ==
                  (uint8_t *)memory_region_get_ram_ptr(&ram) + 0x6000);

    /* Data written through the alias lands in the RAM. */
    uint32_t v = 0xcafef00d;
    g_assert_cmpuint(
        address_space_write(&as, 0x100010, MEMTXATTRS_UNSPECIFIED, &v, 4), ==,
        MEMTX_OK);
    g_assert_cmphex(
        *(uint32_t *)((uint8_t *)memory_region_get_ram_ptr(&ram) + 0x6010), ==,
        0xcafef00d);

    address_space_destroy(&as);
    memory_region_del_subregion(&root, &a2);
    memory_region_del_subregion(&root, &abox);
    memory_region_del_subregion(&box, &dev);
    memory_region_finalize(&abox);
    memory_region_finalize(&a2);
    memory_region_finalize(&a1);
    memory_region_finalize(&dev);
    memory_region_finalize(&box);
    memory_region_finalize(&ram);
    memory_region_finalize(&root);
}

static void test_enable_move_resize(void)
{
    MemoryRegion root, dev;
    AddressSpace as;

    memory_region_init(&root, NULL, "root", 0x10000);
    memory_region_init_io(&dev, NULL, &null_ops, NULL, "dev", 0x100);
    memory_region_add_subregion(&root, 0x1000, &dev);
    address_space_init(&as, &root, "t");

    expect(&as, 0x1000, &dev, 0);
    memory_region_set_enabled(&dev, false);
    expect(&as, 0x1000, NULL, 0);
    g_assert_false(memory_region_is_enabled(&dev));
    memory_region_set_enabled(&dev, true);
    expect(&as, 0x1000, &dev, 0);

    memory_region_set_address(&dev, 0x3000);
    expect(&as, 0x1000, NULL, 0);
    expect(&as, 0x3080, &dev, 0x80);

    memory_region_set_size(&dev, 0x200);
    expect(&as, 0x31ff, &dev, 0x1ff);
    g_assert_cmpuint(memory_region_size(&dev), ==, 0x200);

    /* A region running past the end of its container is clipped. */
    memory_region_set_address(&dev, 0xff80);
    expect(&as, 0xffff, &dev, 0x7f);

    address_space_destroy(&as);
    memory_region_del_subregion(&root, &dev);
    memory_region_finalize(&dev);
    memory_region_finalize(&root);
}

static void test_transaction_rebuilds_once(void)
{
    MemoryRegion root, r[4];
    AddressSpace as;
    uint64_t before;

    memory_region_init(&root, NULL, "root", 0x10000);
    address_space_init(&as, &root, "t");
    before = memory_debug_rebuild_count();

    memory_region_transaction_begin();
    for (int i = 0; i < 4; i++) {
        char name[8];
        g_snprintf(name, sizeof(name), "r%d", i);
        memory_region_init_io(&r[i], NULL, &null_ops, NULL, name, 0x100);
        memory_region_add_subregion(&root, 0x1000 * i, &r[i]);
    }
    memory_region_transaction_begin(); /* nested */
    memory_region_set_enabled(&r[0], false);
    memory_region_transaction_commit();
    g_assert_cmpuint(memory_debug_rebuild_count(), ==, before);
    /* The view is the old one until the outermost commit. */
    expect(&as, 0x1000, NULL, 0);
    memory_region_transaction_commit();
    g_assert_cmpuint(memory_debug_rebuild_count(), ==, before + 1);
    expect(&as, 0x0, NULL, 0);
    expect(&as, 0x1000, &r[1], 0);
    expect(&as, 0x3000, &r[3], 0);

    /* An unbatched change is one rebuild; a no-op change none. */
    memory_region_set_enabled(&r[0], true);
    g_assert_cmpuint(memory_debug_rebuild_count(), ==, before + 2);
    memory_region_set_enabled(&r[0], true);
    g_assert_cmpuint(memory_debug_rebuild_count(), ==, before + 2);

    address_space_destroy(&as);
    for (int i = 0; i < 4; i++) {
        memory_region_del_subregion(&root, &r[i]);
        memory_region_finalize(&r[i]);
    }
    memory_region_finalize(&root);
}

/* A terminal region with subregions is their background (QEMU's "io"). */
static void test_terminal_parent_is_background(void)
{
    MemoryRegion root, io, port, sub;
    AddressSpace as;
    GString *out = g_string_new("");

    memory_region_init(&root, NULL, "root", 0x10000);
    memory_region_init_io(&io, NULL, &null_ops, NULL, "io-bg", 0x100);
    memory_region_init_io(&port, NULL, &null_ops, NULL, "port", 8);
    memory_region_init(&sub, NULL, "sub", 4);
    memory_region_add_subregion(&io, 0x10, &port);
    memory_region_add_subregion(&io, 0x40, &sub); /* empty container */
    memory_region_add_subregion(&root, 0x1000, &io);
    address_space_init(&as, &root, "t");

    expect(&as, 0x1000, &io, 0);
    expect(&as, 0x1010, &port, 0);
    expect(&as, 0x1017, &port, 7);
    expect(&as, 0x1018, &io, 0x18);
    expect(&as, 0x1040, &io, 0x40); /* holes of sub show the parent */

    /* Disabled: the line is hidden, the subregions are still listed. */
    memory_region_set_enabled(&io, false);
    expect(&as, 0x1010, NULL, 0);
    mtree_info(out, false);
    g_assert_nonnull(strstr(
        out->str,
        "address-space: t\n"
        "  0000000000000000-000000000000ffff (prio 0, i/o): root\n"
        "      0000000000001010-0000000000001017 (prio 0, i/o): port\n"
        "      0000000000001040-0000000000001043 (prio 0, i/o): sub\n\n"));
    g_string_free(out, TRUE);

    address_space_destroy(&as);
    memory_region_del_subregion(&root, &io);
    memory_region_del_subregion(&io, &port);
    memory_region_del_subregion(&io, &sub);
    memory_region_finalize(&sub);
    memory_region_finalize(&port);
    memory_region_finalize(&io);
    memory_region_finalize(&root);
}

static void test_rom_ignores_guest_writes(void)
{
    MemoryRegion root, rom;
    AddressSpace as;
    uint8_t data[4] = {1, 2, 3, 4}, back[4];

    memory_region_init(&root, NULL, "root", 0x100000);
    g_assert_true(memory_region_init_rom(&rom, NULL, "bios", 0x1000, NULL));
    g_assert_true(memory_region_is_rom(&rom));
    memory_region_add_subregion(&root, 0xf0000, &rom);
    address_space_init(&as, &root, "t");

    /* Loader API writes. */
    g_assert_true(memory_region_write_rom(&rom, 0x10, data, 4));
    g_assert_false(memory_region_write_rom(&rom, 0xffe, data, 4));
    address_space_read(&as, 0xf0010, MEMTXATTRS_UNSPECIFIED, back, 4);
    g_assert_cmpmem(back, 4, data, 4);

    /* Guest writes are dropped, without error. */
    uint32_t junk = 0xdeadbeef;
    g_assert_cmpuint(
        address_space_write(&as, 0xf0010, MEMTXATTRS_UNSPECIFIED, &junk, 4), ==,
        MEMTX_OK);
    address_space_read(&as, 0xf0010, MEMTXATTRS_UNSPECIFIED, back, 4);
    g_assert_cmpmem(back, 4, data, 4);

    /* address_space_write_rom is the loader's path through an AS. */
    g_assert_cmpuint(
        address_space_write_rom(&as, 0xf0010, MEMTXATTRS_UNSPECIFIED, &junk, 4),
        ==, MEMTX_OK);
    g_assert_cmphex(
        address_space_ldl_le(&as, 0xf0010, MEMTXATTRS_UNSPECIFIED, NULL), ==,
        0xdeadbeef);

    address_space_destroy(&as);
    memory_region_del_subregion(&root, &rom);
    memory_region_finalize(&rom);
    memory_region_finalize(&root);
}

static void test_ram_is_memfd_and_sparse(void)
{
    MemoryRegion big;
    GError *err = NULL;

    /* 64 GiB of MAP_NORESERVE costs nothing until touched. */
    g_assert_true(memory_region_init_ram(&big, NULL, "big", 64ull << 30, &err));
    g_assert_no_error(err);
    g_assert_cmpint(memory_region_get_fd(&big), >=, 0);
    uint8_t *p = memory_region_get_ram_ptr(&big);
    p[(64ull << 30) - 1] = 0x5a;
    g_assert_cmpuint(p[(64ull << 30) - 1], ==, 0x5a);
    g_assert_cmpuint(p[0], ==, 0);
    memory_region_finalize(&big);

    /* Preallocation populates memory and keeps its content. */
    MemoryRegion small, io;
    static const MemoryRegionOps ops;
    g_assert_true(memory_region_init_ram(&small, NULL, "small", 1 << 20, &err));
    ((uint8_t *)memory_region_get_ram_ptr(&small))[12345] = 7;
    g_assert_true(memory_region_prealloc(&small, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(((uint8_t *)memory_region_get_ram_ptr(&small))[12345], ==,
                     7);
    memory_region_finalize(&small);
    memory_region_init_io(&io, NULL, &ops, NULL, "io", 16);
    g_assert_false(memory_region_prealloc(&io, &err));
    g_clear_error(&err);
    memory_region_finalize(&io);
}

static void test_mtree_text(void)
{
    MemoryRegion root, ram, lowram, dev, pio_root, pio;
    AddressSpace as, as2, ios;
    GString *out = g_string_new("");

    memory_region_init(&root, NULL, "sys", UINT64_MAX);
    g_assert_true(memory_region_init_ram(&ram, NULL, "pc.ram", 0x200000, NULL));
    memory_region_init_alias(&lowram, NULL, "ram-below-4g", &ram, 0, 0x100000);
    memory_region_init_io(&dev, NULL, &null_ops, NULL, "vga", 0x20000);
    memory_region_add_subregion(&root, 0, &lowram);
    memory_region_add_subregion_overlap(&root, 0xa0000, &dev, 1);
    memory_region_init(&pio_root, NULL, "pio", 0x10000);
    memory_region_init_io(&pio, NULL, &null_ops, NULL, "serial", 8);
    memory_region_add_subregion(&pio_root, 0x3f8, &pio);
    address_space_init(&as, &root, "mem");
    address_space_init(&as2, &root, "cpu-mem");
    address_space_init(&ios, &pio_root, "pio");

    mtree_info(out, false);
    const char *tree =
        "address-space: mem\n"
        "address-space: cpu-mem\n"
        "  0000000000000000-ffffffffffffffff (prio 0, i/o): sys\n"
        "    0000000000000000-00000000000fffff (prio 0, ram): alias "
        "ram-below-4g @pc.ram 0000000000000000-00000000000fffff\n"
        "    00000000000a0000-00000000000bffff (prio 1, i/o): vga\n"
        "\n"
        "address-space: pio\n"
        "  0000000000000000-000000000000ffff (prio 0, i/o): pio\n"
        "    00000000000003f8-00000000000003ff (prio 0, i/o): serial\n"
        "\n"
        "memory-region: pc.ram\n"
        "  0000000000000000-00000000001fffff (prio 0, ram): pc.ram\n"
        "\n";
    /* Other tests' or memory_init's address spaces may precede ours. */
    const char *ours = strstr(out->str, "address-space: mem\n");
    g_assert_nonnull(ours);
    g_assert_cmpstr(ours, ==, tree);

    g_string_truncate(out, 0);
    mtree_info(out, true);
    const char *flat =
        " AS \"mem\", root: sys\n"
        " AS \"cpu-mem\", root: sys\n"
        " Root memory region: sys\n"
        "  0000000000000000-000000000009ffff (prio 0, ram): pc.ram\n"
        "  00000000000a0000-00000000000bffff (prio 1, i/o): vga\n"
        "  00000000000c0000-00000000000fffff (prio 0, ram): pc.ram "
        "@00000000000c0000\n"
        "\n"
        "FlatView #";
    g_assert_nonnull(strstr(out->str, flat));
    g_assert_nonnull(strstr(
        out->str,
        " AS \"pio\", root: pio\n"
        " Root memory region: pio\n"
        "  00000000000003f8-00000000000003ff (prio 0, i/o): serial\n\n"));

    g_string_free(out, TRUE);
    address_space_destroy(&ios);
    address_space_destroy(&as2);
    address_space_destroy(&as);
    memory_region_del_subregion(&pio_root, &pio);
    memory_region_del_subregion(&root, &dev);
    memory_region_del_subregion(&root, &lowram);
    memory_region_finalize(&pio);
    memory_region_finalize(&pio_root);
    memory_region_finalize(&dev);
    memory_region_finalize(&lowram);
    memory_region_finalize(&ram);
    memory_region_finalize(&root);
}

/* A PC-like layout whose dump is compared line for line with the output
 * of QEMU's "info mtree" / "info mtree -f" for the same regions. */
static void test_mtree_matches_qemu_pc_layout(void)
{
    MemoryRegion sys, ram, below4g, pci, pcrom, bios, isabios, ioapic, pam;
    AddressSpace as;
    GString *out = g_string_new("");

    memory_region_init(&sys, NULL, "system", UINT64_MAX);
    g_assert_true(
        memory_region_init_ram(&ram, NULL, "pc.ram", 0x10000000, NULL));
    memory_region_init_alias(&below4g, NULL, "ram-below-4g", &ram, 0,
                             0x10000000);
    memory_region_init(&pci, NULL, "pci", UINT64_MAX);
    g_assert_true(
        memory_region_init_rom(&pcrom, NULL, "pc.rom", 0x20000, NULL));
    g_assert_true(
        memory_region_init_rom(&bios, NULL, "pc.bios", 0x40000, NULL));
    memory_region_init_alias(&isabios, NULL, "isa-bios", &bios, 0x20000,
                             0x20000);
    memory_region_init_io(&ioapic, NULL, &null_ops, NULL, "ioapic", 0x1000);
    /* One PAM window (QEMU has 13) showing pci over RAM at c0000-fffff. */
    memory_region_init_alias(&pam, NULL, "pam-pci", &pci, 0xc0000, 0x40000);
    memory_region_transaction_begin();
    memory_region_add_subregion(&sys, 0, &below4g);
    memory_region_add_subregion_overlap(&sys, 0, &pci, -1);
    memory_region_add_subregion_overlap(&pci, 0xc0000, &pcrom, 1);
    memory_region_add_subregion_overlap(&pci, 0xe0000, &isabios, 1);
    memory_region_add_subregion(&pci, 0xfffc0000, &bios);
    memory_region_add_subregion(&sys, 0xfec00000, &ioapic);
    memory_region_add_subregion_overlap(&sys, 0xc0000, &pam, 1);
    memory_region_transaction_commit();
    address_space_init(&as, &sys, "memory");

    mtree_info(out, false);
    g_assert_nonnull(strstr(
        out->str,
        "address-space: memory\n"
        "  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n"
        "    0000000000000000-000000000fffffff (prio 0, ram): alias "
        "ram-below-4g @pc.ram 0000000000000000-000000000fffffff\n"
        "    0000000000000000-ffffffffffffffff (prio -1, i/o): pci\n"
        "      00000000000c0000-00000000000dffff (prio 1, rom): pc.rom\n"
        "      00000000000e0000-00000000000fffff (prio 1, rom): alias "
        "isa-bios @pc.bios 0000000000020000-000000000003ffff\n"
        "      00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios\n"
        "    00000000000c0000-00000000000fffff (prio 1, i/o): alias pam-pci "
        "@pci 00000000000c0000-00000000000fffff\n"
        "    00000000fec00000-00000000fec00fff (prio 0, i/o): ioapic\n"
        "\n"));
    g_assert_nonnull(strstr(
        out->str, "memory-region: pc.ram\n"
                  "  0000000000000000-000000000fffffff (prio 0, ram): pc.ram\n"
                  "\n"
                  "memory-region: pc.bios\n"
                  "  00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios\n"
                  "\n"
                  "memory-region: pci\n"
                  "  0000000000000000-ffffffffffffffff (prio -1, i/o): pci\n"));

    g_string_truncate(out, 0);
    mtree_info(out, true);
    g_assert_nonnull(strstr(
        out->str, " AS \"memory\", root: system\n"
                  " Root memory region: system\n"
                  "  0000000000000000-00000000000bffff (prio 0, ram): pc.ram\n"
                  "  00000000000c0000-00000000000dffff (prio 1, rom): pc.rom\n"
                  "  00000000000e0000-00000000000fffff (prio 0, rom): pc.bios "
                  "@0000000000020000\n"
                  "  0000000000100000-000000000fffffff (prio 0, ram): pc.ram "
                  "@0000000000100000\n"
                  "  00000000fec00000-00000000fec00fff (prio 0, i/o): ioapic\n"
                  "  00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios\n"
                  "\n"));
    g_string_free(out, TRUE);

    address_space_destroy(&as);
    memory_region_transaction_begin();
    memory_region_del_subregion(&sys, &below4g);
    memory_region_del_subregion(&sys, &pci);
    memory_region_del_subregion(&pci, &pcrom);
    memory_region_del_subregion(&pci, &isabios);
    memory_region_del_subregion(&pci, &bios);
    memory_region_del_subregion(&sys, &ioapic);
    memory_region_del_subregion(&sys, &pam);
    memory_region_transaction_commit();
    MemoryRegion *all[] = {&pam,  &below4g, &isabios, &ram, &pcrom,
                           &bios, &ioapic,  &pci,     &sys};
    for (unsigned i = 0; i < G_N_ELEMENTS(all); i++) {
        memory_region_finalize(all[i]);
    }
}

/* A PCI device's DMA address space: a container holding one alias of all
 * of system memory, enabled with bus mastering. It shares the system
 * view, and sees nothing while bus mastering is off. */
static void test_bus_master_address_space_shares_view(void)
{
    MemoryRegion sys, ram, bm_container, bm_alias;
    AddressSpace as, dev_as;
    GString *out = g_string_new("");
    uint8_t b = 0;

    memory_region_init(&sys, NULL, "sysmem", UINT64_MAX);
    g_assert_true(memory_region_init_ram(&ram, NULL, "ram", 0x10000, NULL));
    memory_region_add_subregion(&sys, 0, &ram);
    memory_region_init(&bm_container, NULL, "bus master container", UINT64_MAX);
    memory_region_init_alias(&bm_alias, NULL, "bus master", &sys, 0,
                             UINT64_MAX);
    memory_region_set_enabled(&bm_alias, false);
    memory_region_add_subregion(&bm_container, 0, &bm_alias);
    address_space_init(&as, &sys, "sys-as");
    address_space_init(&dev_as, &bm_container, "dev");

    g_assert_cmpuint(dma_memory_read(&dev_as, 0x100, &b, 1), ==,
                     MEMTX_ACCESS_ERROR);
    mtree_info(out, true);
    g_assert_nonnull(strstr(out->str, " AS \"dev\", root: bus master "
                                      "container\n"
                                      " Root memory region: (none)\n"
                                      "  No rendered FlatView\n\n"));

    memory_region_set_enabled(&bm_alias, true); /* bus mastering on */
    FlatView *v1 = address_space_get_flatview(&as);
    FlatView *v2 = address_space_get_flatview(&dev_as);
    g_assert_true(v1 == v2);
    flatview_unref(v1);
    flatview_unref(v2);
    g_assert_cmpuint(dma_memory_read(&dev_as, 0x100, &b, 1), ==, MEMTX_OK);
    g_string_truncate(out, 0);
    mtree_info(out, true);
    g_assert_nonnull(strstr(out->str, " AS \"sys-as\", root: sysmem\n"
                                      " AS \"dev\", root: bus master "
                                      "container\n"
                                      /* sysmem holds only ram at 0: */
                                      " Root memory region: ram\n"));

    /* A read-only window is not looked through (it changes the view). */
    memory_region_set_readonly(&bm_alias, true);
    v1 = address_space_get_flatview(&as);
    v2 = address_space_get_flatview(&dev_as);
    g_assert_true(v1 != v2);
    flatview_unref(v1);
    flatview_unref(v2);
    g_assert_false(dma_memory_valid(&dev_as, 0x100, 1, true));
    g_assert_true(dma_memory_valid(&as, 0x100, 1, true));
    g_string_free(out, TRUE);

    address_space_destroy(&dev_as);
    address_space_destroy(&as);
    memory_region_del_subregion(&bm_container, &bm_alias);
    memory_region_del_subregion(&sys, &ram);
    memory_region_finalize(&bm_alias);
    memory_region_finalize(&bm_container);
    memory_region_finalize(&ram);
    memory_region_finalize(&sys);
}

static void test_memory_init_globals(void)
{
    memory_init();
    memory_init(); /* idempotent */
    g_assert_cmpuint(memory_region_size(get_system_memory()), ==, UINT64_MAX);
    g_assert_cmpuint(memory_region_size(get_system_io()), ==, 0x10000);
    g_assert_true(memory_region_is_mapped(get_system_memory()));
    /* Nothing mapped: all-ones and a decode error. */
    MemTxResult r;
    g_assert_cmphex(address_space_ldl_le(&address_space_memory, 0x1234,
                                         MEMTXATTRS_UNSPECIFIED, &r),
                    ==, 0xffffffff);
    g_assert_cmpuint(r, ==, MEMTX_DECODE_ERROR);
    g_assert_cmphex(
        address_space_ldub(&address_space_io, 0x80, MEMTXATTRS_UNSPECIFIED, &r),
        ==, 0xff);
}

static void count_region(MemoryRegion *mr, void *opaque)
{
    GPtrArray *seen = opaque;

    g_ptr_array_add(seen, mr);
}

static void test_ram_from_fd_and_file(void)
{
    MemoryRegion a, b, c;
    GError *err = NULL;
    int fd = memfd_create("test", MFD_CLOEXEC);
    GPtrArray *seen = g_ptr_array_new();

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, 0x3000), ==, 0);
    g_assert_cmpint(pwrite(fd, "hello", 5, 0x1000), ==, 5);
    /* Shared mapping at an offset sees the file's contents. */
    g_assert_true(memory_region_init_ram_from_fd(&a, NULL, "a", 0x2000, fd,
                                                 0x1000, true, &err));
    g_assert_no_error(err);
    g_assert_cmpmem(memory_region_get_ram_ptr(&a), 5, "hello", 5);
    g_assert_cmpint(memory_region_get_fd(&a), >=, 0);
    g_assert_cmpint(memory_region_get_fd(&a), !=, fd);

    /* Bad input table: each fails with a message and leaves mr unused. */
    static const struct {
        uint64_t size, offset;
    } bad[] = {
        {0, 0},           /* empty */
        {0x4000, 0},      /* larger than the file */
        {0x1000, 0x2800}, /* unaligned offset */
        {0x1000, 0x3000}, /* past the end */
        {UINT64_MAX, 0},  /* absurd */
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_false(memory_region_init_ram_from_fd(
            &b, NULL, "b", bad[i].size, fd, bad[i].offset, true, &err));
        g_assert_nonnull(err);
        g_clear_error(&err);
    }
    g_assert_false(memory_region_init_ram_from_fd(&b, NULL, "b", 0x1000, -1, 0,
                                                  true, &err));
    g_clear_error(&err);

    /* A directory: an unlinked file in it. */
    g_autofree char *dir = g_dir_make_tmp("kvmu-mem-XXXXXX", NULL);
    g_assert_true(memory_region_init_ram_from_file(&b, NULL, "b", 0x10000, dir,
                                                   true, &err));
    g_assert_no_error(err);
    ((uint8_t *)memory_region_get_ram_ptr(&b))[0xffff] = 1;
    /* A file path: created and grown. */
    g_autofree char *path = g_build_filename(dir, "ram.img", NULL);
    g_assert_true(memory_region_init_ram_from_file(&c, NULL, "c", 0x10000, path,
                                                   false, &err));
    g_assert_no_error(err);
    MemoryRegion d;
    g_assert_false(memory_region_init_ram_from_file(
        &d, NULL, "x", 0x1000, "/nonexistent/dir/f", true, &err));
    g_assert_nonnull(strstr(err->message, "/nonexistent/dir/f"));
    g_clear_error(&err);

    memory_foreach_ram_region(count_region, seen);
    g_assert_true(g_ptr_array_find(seen, &a, NULL));
    g_assert_true(g_ptr_array_find(seen, &b, NULL));
    g_assert_true(g_ptr_array_find(seen, &c, NULL));
    memory_region_finalize(&a);
    memory_region_finalize(&b);
    memory_region_finalize(&c);
    g_ptr_array_set_size(seen, 0);
    memory_foreach_ram_region(count_region, seen);
    g_assert_false(g_ptr_array_find(seen, &a, NULL));
    g_ptr_array_free(seen, TRUE);
    unlink(path);
    rmdir(dir);
    close(fd);
}

static void test_ram_too_big_fails_cleanly(void)
{
    MemoryRegion mr;
    GError *err = NULL;

    g_assert_false(
        memory_region_init_ram(&mr, NULL, "huge", UINT64_MAX - 5, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
    memory_region_finalize(&mr); /* harmless on a failed init */
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/memory/flatview/priority-higher-wins",
                    test_priority_higher_wins);
    g_test_add_func("/memory/flatview/equal-priority-later-added-wins",
                    test_equal_priority_later_added_wins);
    g_test_add_func("/memory/flatview/container-priority-is-local",
                    test_container_priority_is_local);
    g_test_add_func("/memory/flatview/alias-of-alias-and-into-container",
                    test_alias_of_alias_and_into_container);
    g_test_add_func("/memory/flatview/enable-move-resize",
                    test_enable_move_resize);
    g_test_add_func("/memory/flatview/transaction-rebuilds-once",
                    test_transaction_rebuilds_once);
    g_test_add_func("/memory/flatview/terminal-parent-is-background",
                    test_terminal_parent_is_background);
    g_test_add_func("/memory/flatview/rom-ignores-guest-writes",
                    test_rom_ignores_guest_writes);
    g_test_add_func("/memory/flatview/ram-is-memfd-and-sparse",
                    test_ram_is_memfd_and_sparse);
    g_test_add_func("/memory/flatview/ram-from-fd-and-file",
                    test_ram_from_fd_and_file);
    g_test_add_func("/memory/flatview/ram-too-big-fails-cleanly",
                    test_ram_too_big_fails_cleanly);
    g_test_add_func("/memory/flatview/mtree-text", test_mtree_text);
    g_test_add_func("/memory/flatview/bus-master-address-space-shares-view",
                    test_bus_master_address_space_shares_view);
    g_test_add_func("/memory/flatview/mtree-matches-qemu-pc-layout",
                    test_mtree_matches_qemu_pc_layout);
    g_test_add_func("/memory/flatview/memory-init-globals",
                    test_memory_init_globals);
    return g_test_run();
}
