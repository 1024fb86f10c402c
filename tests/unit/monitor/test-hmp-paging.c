/* The monitor's x86 page-table walker (x, info mem, info tlb) over a fake
 * guest-physical memory: 4-level with 4 KiB / 2 MiB / 1 GiB leaves and
 * canonical high addresses, 5-level, PAE, 32-bit with and without PSE,
 * paging off, not-present entries, reads failing, and hostile tables
 * (self-referencing) that must be cut off. Also the sendkey scancode
 * encoder with a bad-input table. */
#include "monitor/hmp.h"

#include <string.h>

#define MEM_SIZE (4u << 20)
static uint8_t *mem;

static bool fake_read(void *opaque, uint64_t gpa, void *buf, unsigned len)
{
    if (gpa >= MEM_SIZE || len > MEM_SIZE - gpa) {
        return false;
    }
    memcpy(buf, mem + gpa, len);
    return true;
}

static void put64(uint64_t gpa, uint64_t v)
{
    memcpy(mem + gpa, &v, 8);
}

static void put32(uint64_t gpa, uint32_t v)
{
    memcpy(mem + gpa, &v, 4);
}

#define P PG_PRESENT
#define W PG_RW
#define U PG_USER

static PagingCtx ctx(uint64_t cr0, uint64_t cr3, uint64_t cr4, uint64_t efer)
{
    memset(mem, 0, MEM_SIZE);
    return (PagingCtx){ cr0, cr3, cr4, efer, fake_read, NULL };
}

#define CR0_PG (1ull << 31)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define EFER_LMA (1ull << 10)

typedef struct {
    int n;
    uint64_t va[8], pa[8], size[8], prot[8];
} Leaves;

static bool collect(void *opaque, uint64_t va, uint64_t pa, uint64_t size,
                    uint64_t pte, uint64_t prot)
{
    Leaves *l = opaque;
    if (l->n < 8) {
        l->va[l->n] = va;
        l->pa[l->n] = pa;
        l->size[l->n] = size;
        l->prot[l->n] = prot;
    }
    l->n++;
    return true;
}

static void test_long_mode_4_level(void)
{
    PagingCtx c = ctx(CR0_PG, 0x1000, CR4_PAE, EFER_LMA);
    uint64_t pa;

    /* PML4[0] -> PDPT 0x2000; PDPT[0] -> PD 0x3000; PD[0] -> PT 0x4000 */
    put64(0x1000, 0x2000 | P | W | U);
    put64(0x2000, 0x3000 | P | W | U);
    put64(0x3000, 0x4000 | P | W | U);
    put64(0x4000 + 5 * 8, 0x123000 | P | U);           /* 4 KiB, r/o */
    put64(0x3000 + 1 * 8, 0x200000 | P | W | PG_PSE); /* 2 MiB */
    put64(0x2000 + 1 * 8, 0x40000000 | P | W | PG_PSE | PG_NX); /* 1 GiB */
    /* PML4[511] -> PDPT 0x5000: the top of the address space */
    put64(0x1000 + 511 * 8, 0x5000 | P | W);
    put64(0x5000 + 511 * 8, 0x6000 | P | W);
    put64(0x6000 + 511 * 8, 0x7000 | P | W);
    put64(0x7000 + 511 * 8, 0x9000 | P | W);

    g_assert_true(paging_translate(&c, 0x5abc, &pa));
    g_assert_cmphex(pa, ==, 0x123abc);
    g_assert_true(paging_translate(&c, 0x212345, &pa));
    g_assert_cmphex(pa, ==, 0x212345);
    g_assert_true(paging_translate(&c, 0x40000000 + 0x1234567, &pa));
    g_assert_cmphex(pa, ==, 0x41234567);
    g_assert_true(paging_translate(&c, 0xfffffffffffff010ull, &pa));
    g_assert_cmphex(pa, ==, 0x9010);
    g_assert_false(paging_translate(&c, 0x6000, &pa));  /* PTE absent */
    g_assert_false(paging_translate(&c, 0x8000000000ull, &pa));

    Leaves l = { 0 };
    g_assert_true(paging_walk(&c, collect, &l));
    g_assert_cmpint(l.n, ==, 4);
    g_assert_cmphex(l.va[0], ==, 0x5000);
    g_assert_cmphex(l.prot[0], ==, P | U);              /* not writable */
    g_assert_cmphex(l.va[1], ==, 0x200000);
    g_assert_cmphex(l.size[1], ==, 2u << 20);
    g_assert_cmphex(l.prot[1], ==, P | W);              /* not user */
    g_assert_cmphex(l.size[2], ==, 1u << 30);
    g_assert_cmphex(l.prot[2] & PG_NX, ==, PG_NX);
    g_assert_cmphex(l.va[3], ==, 0xfffffffffffff000ull); /* canonical */
}

static void test_five_level(void)
{
    PagingCtx c = ctx(CR0_PG, 0x1000, CR4_PAE | CR4_LA57, EFER_LMA);
    uint64_t pa;
    uint64_t va = 1ull << 48;   /* PML5 index 1 */

    put64(0x1000 + 8, 0x2000 | P | W);
    put64(0x2000, 0x3000 | P | W);
    put64(0x3000, 0x4000 | P | W);
    put64(0x4000, 0x5000 | P | W);
    put64(0x5000, 0x7000 | P | W);
    g_assert_true(paging_translate(&c, va + 0x10, &pa));
    g_assert_cmphex(pa, ==, 0x7010);
}

static void test_pae(void)
{
    PagingCtx c = ctx(CR0_PG, 0x1020, CR4_PAE, 0);  /* 32-byte aligned */
    uint64_t pa;

    put64(0x1020 + 3 * 8, 0x2000 | P);               /* PDPTE[3] */
    put64(0x2000 + 511 * 8, 0x3000 | P | W);         /* PD[511] */
    put64(0x3000 + 510 * 8, 0x88000 | P | W);
    put64(0x2000, 0x200000 | P | PG_PSE);            /* 2 MiB at 3 GiB */
    g_assert_true(paging_translate(&c, 0xffffe123, &pa));
    g_assert_cmphex(pa, ==, 0x88123);
    g_assert_true(paging_translate(&c, 0xc0001234, &pa));
    g_assert_cmphex(pa, ==, 0x201234);
    g_assert_false(paging_translate(&c, 0x1000, &pa));
    Leaves l = { 0 };
    g_assert_true(paging_walk(&c, collect, &l));
    g_assert_cmpint(l.n, ==, 2);
    g_assert_cmphex(l.va[0], ==, 0xc0000000);
    g_assert_cmphex(l.va[1], ==, 0xffffe000);
}

static void test_32bit(void)
{
    PagingCtx c = ctx(CR0_PG, 0x1000, 0, 0);
    uint64_t pa;

    put32(0x1000 + 0x300 * 4, 0x2000 | P | W);       /* 0xc0000000 */
    put32(0x2000 + 1 * 4, 0x55000 | P | W);
    put32(0x1000 + 1 * 4, 0x400000 | P | PG_PSE);    /* 4 MiB, no PSE */
    g_assert_true(paging_translate(&c, 0xc0001abc, &pa));
    g_assert_cmphex(pa, ==, 0x55abc);
    /* without CR4.PSE the PS bit is ignored: a table at 0x400000 */
    g_assert_false(paging_translate(&c, 0x400123, &pa));

    c.cr4 = CR4_PSE;
    g_assert_true(paging_translate(&c, 0x400123, &pa));
    g_assert_cmphex(pa, ==, 0x400123);
    /* PSE-36: PDE bits 13-20 are physical bits 32-39 */
    put32(0x1000 + 2 * 4, 0x800000 | (0x3 << 13) | P | PG_PSE);
    g_assert_true(paging_translate(&c, 0x800010, &pa));
    g_assert_cmphex(pa, ==, 0x300800010ull);
}

static void test_paging_off(void)
{
    PagingCtx c = ctx(0, 0x1000, 0, 0);
    uint64_t pa;

    g_assert_false(paging_enabled(&c));
    g_assert_true(paging_translate(&c, 0x12345678, &pa));
    g_assert_cmphex(pa, ==, 0x12345678);
}

static void test_bad_tables(void)
{
    uint64_t pa;
    /* tables outside memory: reads fail, nothing mapped, no crash */
    PagingCtx c = ctx(CR0_PG, 0xfffff000ull << 12, CR4_PAE, EFER_LMA);
    g_assert_false(paging_translate(&c, 0, &pa));
    Leaves l = { 0 };
    g_assert_true(paging_walk(&c, collect, &l));
    g_assert_cmpint(l.n, ==, 0);

    /* every entry points back at the same table: 512^4 leaves */
    c = ctx(CR0_PG, 0x1000, CR4_PAE, EFER_LMA);
    for (int i = 0; i < 512; i++) {
        put64(0x1000 + i * 8, 0x1000 | P | W);
    }
    l.n = 0;
    g_assert_false(paging_walk(&c, collect, &l));
    g_assert_cmpint(l.n, <=, PAGING_MAX_LEAVES + 1);

    /* all intermediate levels present, no leaf: bounded by tables */
    c = ctx(CR0_PG, 0x1000, CR4_PAE, EFER_LMA);
    for (int i = 0; i < 512; i++) {
        put64(0x1000 + i * 8, 0x2000 | P | W);
        put64(0x2000 + i * 8, 0x3000 | P | W);
        put64(0x3000 + i * 8, 0x4000 | P | W);
    }
    l.n = 0;
    g_assert_false(paging_walk(&c, collect, &l));
    g_assert_cmpint(l.n, ==, 0);
}

static void test_sendkey_encode(void)
{
    static const struct {
        const char *combo;
        const char *press, *release; /* hex bytes */
    } good[] = {
        { "a", "1c", "f01c" },
        { "ctrl-alt-delete", "1411e071", "e0f071f011f014" },
        { "shift-F1", "1205", "f005f012" },
        { "ret", "5a", "f05a" },
        { "kp_enter", "e05a", "e0f05a" },
    };
    static const char *const bad[] = {
        "", "-", "ctrl-", "-a", "nosuchkey", "ctrl--alt",
        "a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q", /* 17 keys */
    };

    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        for (int rel = 0; rel < 2; rel++) {
            GByteArray *out = g_byte_array_new();
            char *badname = NULL;
            g_assert_cmpint(hmp_sendkey_encode(good[i].combo, rel, out,
                                               &badname), >, 0);
            GString *hex = g_string_new(NULL);
            for (guint b = 0; b < out->len; b++) {
                g_string_append_printf(hex, "%02x", out->data[b]);
            }
            g_assert_cmpstr(hex->str, ==,
                            rel ? good[i].release : good[i].press);
            g_string_free(hex, TRUE);
            g_byte_array_free(out, TRUE);
        }
    }
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        GByteArray *out = g_byte_array_new();
        char *badname = NULL;
        g_assert_cmpint(hmp_sendkey_encode(bad[i], false, out, &badname), ==,
                        -1);
        g_assert_nonnull(badname);
        g_assert_cmpuint(out->len, ==, 0);
        g_free(badname);
        g_byte_array_free(out, TRUE);
    }
}

static void test_key_numbers(void)
{
    static const struct {
        int64_t qnum;
        const char *name;
    } good[] = {
        { 0x01, "esc" }, { 0x1e, "a" }, { 0x1c, "ret" }, { 0x58, "f12" },
        { 0x9c, "kp_enter" }, { 0xd3, "delete" }, { 0xdd, "menu" },
    };
    static const int64_t bad[] = { 0, 0x54, 0x80, 0xff, 0x100, -1,
                                   INT64_MAX };

    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        g_assert_cmpstr(hmp_key_name_of_qnum(good[i].qnum), ==,
                        good[i].name);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_null(hmp_key_name_of_qnum(bad[i]));
    }
    /* every numbered key has a scancode */
    for (int64_t q = 0; q < 0x100; q++) {
        const char *name = hmp_key_name_of_qnum(q);
        if (name) {
            GByteArray *out = g_byte_array_new();
            char *badname = NULL;
            g_assert_cmpint(hmp_sendkey_encode(name, false, out, &badname),
                            ==, 1);
            g_byte_array_free(out, TRUE);
        }
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    mem = g_malloc0(MEM_SIZE);
    g_test_add_func("/monitor/paging/long-mode-4-level",
                    test_long_mode_4_level);
    g_test_add_func("/monitor/paging/five-level", test_five_level);
    g_test_add_func("/monitor/paging/pae", test_pae);
    g_test_add_func("/monitor/paging/32bit-pse", test_32bit);
    g_test_add_func("/monitor/paging/off", test_paging_off);
    g_test_add_func("/monitor/paging/bad-and-hostile-tables",
                    test_bad_tables);
    g_test_add_func("/monitor/hmp/sendkey-encode", test_sendkey_encode);
    g_test_add_func("/monitor/hmp/key-numbers", test_key_numbers);
    int r = g_test_run();
    g_free(mem);
    return r;
}
