/* -d item parsing, -D files, and the guest-error rate limit. */
#include "util/log.h"

#include <glib/gstdio.h>
#include <string.h>

static void test_parse(void)
{
    int mask = 0;
    GError *err = NULL;
    g_assert_true(log_parse_items("int,guest_errors", &mask, &err));
    g_assert_cmpint(mask, ==, LOG_INT | LOG_GUEST_ERROR);
    g_assert_true(log_parse_items("all", &mask, &err));
    g_assert_true(mask & LOG_UNIMP);
    g_assert_true(log_parse_items("trace:foo*", &mask, &err));
    g_assert_cmpint(mask, ==, 0);
    static const char *const bad[] = { "bogus", "int,,cpu", "", "INT" };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_false(log_parse_items(bad[i], &mask, &err));
        g_assert_nonnull(strstr(err->message, "unknown log item"));
        g_clear_error(&err);
    }
}

static void test_file_and_rate_limit(void)
{
    g_autofree char *dir = g_dir_make_tmp("kvmu-log-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "log.txt", NULL);
    GError *err = NULL;

    g_assert_true(log_set_file(path, &err));
    log_set_mask(0);
    log_mask(LOG_INT, "not logged\n");
    log_guest_error("not logged either\n");
    log_set_mask(LOG_INT | LOG_GUEST_ERROR);
    log_mask(LOG_INT, "int %d\n", 1);
    gint64 t0 = g_get_monotonic_time();
    for (int i = 0; i < 1000; i++) {
        log_guest_error("bad register %d\n", i);
    }
    /* one window more per second the loop took (a loaded host can stall
     * it; normally it takes a few ms: at most two windows) */
    unsigned windows = 2 + (g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
    g_assert_true(log_set_file(NULL, &err));
    log_set_mask(0);

    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_null(strstr(text, "not logged"));
    g_assert_nonnull(strstr(text, "int 1\n"));
    unsigned lines = 0;
    for (const char *p = text; (p = strstr(p, "bad register")); p++) {
        lines++;
    }
    g_test_message("%u of 1000 guest errors logged", lines);
    g_assert_cmpuint(lines, <=, LOG_RATE_LIMIT * windows);
    g_assert_cmpuint(lines, >=, LOG_RATE_LIMIT);
    g_assert_false(log_set_file("/nonexistent/dir/log", &err));
    g_clear_error(&err);
    g_unlink(path);
    g_rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/log/parse", test_parse);
    g_test_add_func("/log/file-and-rate-limit", test_file_and_rate_limit);
    return g_test_run();
}
