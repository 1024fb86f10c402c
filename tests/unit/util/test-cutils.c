/* Number and size parsing: good values, and a table of bad input. */
#include "util/cutils.h"

#include <errno.h>

static void test_parse_size_good(void)
{
    static const struct {
        const char *in;
        uint64_t unit;
        uint64_t want;
    } cases[] = {
        { "0", 1, 0 },
        { "512", 1, 512 },
        { "512", 1 << 20, 512ull << 20 },
        { "4k", 1, 4096 },
        { "4K", 1, 4096 },
        { "1M", 1, 1 << 20 },
        { "2G", 1 << 20, 2ull << 30 },
        { "1.5G", 1, 3ull << 29 },
        { "1T", 1, 1ull << 40 },
        { "0x10", 1, 16 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        uint64_t v = 0;
        int r = parse_size(cases[i].in, cases[i].unit, &v);
        g_assert_cmpint(r, ==, 0);
        g_assert_cmpuint(v, ==, cases[i].want);
    }
}

static void test_parse_size_bad(void)
{
    static const struct {
        const char *in;
        int err;
    } cases[] = {
        { "", -EINVAL },
        { " 1", -EINVAL },
        { "-1", -EINVAL },
        { "1X", -EINVAL },
        { "1KK", -EINVAL },
        { "M", -EINVAL },
        { "1.5", -EINVAL },
        { "1.", -EINVAL },
        { "16E", -ERANGE },
        { "99999999999999999999", -ERANGE },
        { "17179869184G", -ERANGE },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        uint64_t v = 0;
        int r = parse_size(cases[i].in, 1, &v);
        if (r != cases[i].err) {
            g_test_message("input '%s': expected %d, got %d", cases[i].in,
                           cases[i].err, r);
        }
        g_assert_cmpint(r, ==, cases[i].err);
    }
}

static void test_parse_int(void)
{
    int64_t s;
    uint64_t u;

    g_assert_cmpint(parse_int64("-42", 0, &s), ==, 0);
    g_assert_cmpint(s, ==, -42);
    g_assert_cmpint(parse_int64("0x7fffffffffffffff", 0, &s), ==, 0);
    g_assert_cmpint(parse_int64("0x8000000000000000", 0, &s), ==, -ERANGE);
    g_assert_cmpint(parse_int64("12a", 0, &s), ==, -EINVAL);
    g_assert_cmpint(parse_int64("", 0, &s), ==, -EINVAL);
    g_assert_cmpint(parse_uint64("-1", 0, &u), ==, -EINVAL);
    g_assert_cmpint(parse_uint64("18446744073709551615", 0, &u), ==, 0);
    g_assert_cmpuint(u, ==, UINT64_MAX);
    g_assert_cmpint(parse_uint64("18446744073709551616", 0, &u), ==, -ERANGE);
}

static void test_parse_bool(void)
{
    bool b;
    g_assert_true(parse_bool("on", &b) && b);
    g_assert_true(parse_bool("off", &b) && !b);
    g_assert_true(parse_bool("yes", &b) && b);
    g_assert_false(parse_bool("maybe", &b));
    g_assert_false(parse_bool("", &b));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cutils/parse_size/good", test_parse_size_good);
    g_test_add_func("/cutils/parse_size/bad", test_parse_size_bad);
    g_test_add_func("/cutils/parse_int", test_parse_int);
    g_test_add_func("/cutils/parse_bool", test_parse_bool);
    return g_test_run();
}
