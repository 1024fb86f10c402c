/*
 * The x86 disassembler against GNU objdump (-D -z -b binary, -m
 * i386:x86-64 / i386 / i8086) over corpora: the .text of this test
 * binary (compiler-made 64-bit code) and random bytes in the three
 * modes. At every instruction start objdump reports, disas_x86 is asked
 * for the length (compared everywhere) and the text (whitespace
 * collapsed; compared wherever disas_x86 does not say "(bad)", or both
 * do: objdump's (bad) often spans more than the one byte ours does).
 * The agreement figures are printed; the test fails below the
 * thresholds. Skipped without objdump/objcopy.
 */
#include "disas/x86.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef struct Stats {
    unsigned insns, len_ok, covered, text_ok, shown;
} Stats;

static char *norm(const char *s)
{
    GString *o = g_string_new(NULL);
    bool sp = false;

    for (; *s; s++) {
        if (*s == ' ' || *s == '\t') {
            sp = o->len > 0;
            continue;
        }
        if (sp) {
            g_string_append_c(o, ' ');
            sp = false;
        }
        g_string_append_c(o, *s);
    }
    return g_string_free(o, FALSE);
}

static bool run(char **argv, char **out)
{
    GError *err = NULL;
    int status;

    if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH |
                      G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, out, NULL,
                      &status, &err)) {
        g_test_message("%s: %s", argv[0], err->message);
        g_error_free(err);
        return false;
    }
    return g_spawn_check_wait_status(status, NULL);
}

/* objdump the file and compare at each instruction it prints. */
static Stats compare(const char *path, const uint8_t *data, size_t size,
                     int mode)
{
    const char *arch = mode == 64 ? "i386:x86-64" : mode == 32 ? "i386" :
                       "i8086";
    char *argv[] = { "objdump", "-D", "-z", "-b", "binary", "-m",
                     (char *)arch, (char *)path, NULL };
    g_autofree char *out = NULL;
    Stats st = { 0 };
    GArray *offs = g_array_new(FALSE, FALSE, sizeof(guint64));
    GPtrArray *texts = g_ptr_array_new_with_free_func(g_free);

    g_assert_true(run(argv, &out));
    char **lines = g_strsplit(out, "\n", -1);
    for (char **l = lines; *l; l++) {
        /* "   offs:\tbytes\ttext"; continuation lines have one tab */
        char *t1 = strchr(*l, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        guint64 off;
        if (!t2 || sscanf(*l, " %" G_GINT64_MODIFIER "x:", &off) != 1) {
            continue;
        }
        g_array_append_val(offs, off);
        g_ptr_array_add(texts, norm(t2 + 1));
    }
    g_strfreev(lines);

    for (guint i = 0; i < offs->len; i++) {
        guint64 off = g_array_index(offs, guint64, i);
        guint64 next = i + 1 < offs->len ? g_array_index(offs, guint64, i + 1)
                                         : size;
        const char *want = g_ptr_array_index(texts, i);
        char text[256];
        g_assert_cmpuint(off, <, size);
        int len = disas_x86(data + off, MIN(size - off, 15), off, mode, text,
                            sizeof(text));
        g_autofree char *got = norm(text);
        bool lok = (guint64)len == next - off;
        bool covered = strcmp(got, "(bad)") || !strcmp(want, "(bad)");

        st.insns++;
        st.len_ok += lok;
        if (!covered) {
            continue;
        }
        st.covered++;
        if (!strcmp(got, want)) {
            st.text_ok++;
            if (lok || !strcmp(got, "(bad)")) {
                continue;
            }
        }
        if (st.shown < 12) {    /* a disagreement on something covered */
            GString *hex = g_string_new(NULL);
            for (guint64 k = off; k < MIN(size, off + MAX(next - off, 1));
                 k++) {
                g_string_append_printf(hex, "%02x", data[k]);
            }
            g_test_message("  %d-bit %s: objdump %u '%s', disas %d '%s'",
                           mode, hex->str, (unsigned)(next - off), want, len,
                           got);
            g_string_free(hex, TRUE);
            st.shown++;
        }
    }
    g_array_free(offs, TRUE);
    g_ptr_array_free(texts, TRUE);
    return st;
}

static void report(const char *what, Stats st, double min_len,
                   double min_text)
{
    double l = 100.0 * st.len_ok / MAX(st.insns, 1);
    double t = 100.0 * st.text_ok / MAX(st.covered, 1);
    g_autofree char *msg = g_strdup_printf(
        "%s: %u instructions, lengths agree %.2f%%, %u not (bad), text "
        "agrees on %.2f%% of those", what, st.insns, l, st.covered, t);

    g_test_message("%s", msg);
    g_assert_cmpuint(st.insns, >, 1000);
    g_assert_cmpfloat(l, >=, min_len);
    g_assert_cmpfloat(t, >=, min_text);
}

static bool have_tools(void)
{
    g_autofree char *od = g_find_program_in_path("objdump");
    g_autofree char *oc = g_find_program_in_path("objcopy");

    if (!od || !oc) {
        g_test_skip("objdump/objcopy (binutils) not installed");
        return false;
    }
    return true;
}

static void test_own_text(void)
{
    g_autofree char *dir = NULL;
    g_autofree char *bin = NULL;
    g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
    gchar *data;
    gsize size;

    if (!have_tools() || !exe) {
        return;
    }
    dir = g_dir_make_tmp("disas-XXXXXX", NULL);
    g_assert_nonnull(dir);
    bin = g_build_filename(dir, "text.bin", NULL);
    char *argv[] = { "objcopy", "-O", "binary", "--only-section=.text", exe,
                     bin, NULL };
    g_assert_true(run(argv, NULL));
    g_assert_true(g_file_get_contents(bin, &data, &size, NULL));
    Stats st = compare(bin, (uint8_t *)data, size, 64);
    g_unlink(bin);
    g_rmdir(dir);
    g_free(data);
    /* compiler output: everything it emits here is covered */
    report("own .text, 64-bit", st, 99.9, 99.9);
}

static void test_random(gconstpointer p)
{
    int mode = GPOINTER_TO_INT(p);
    g_autofree char *dir = NULL;
    g_autofree char *bin = NULL;
#ifdef __SANITIZE_ADDRESS__
    size_t size = 16 * 1024;    /* ASan+UBSan builds are ~20x slower */
#else
    size_t size = 64 * 1024;
#endif
    uint8_t *data = g_malloc(size);
    GRand *r = g_rand_new_with_seed(0x64697361 + mode);

    if (!have_tools()) {
        g_free(data);
        g_rand_free(r);
        return;
    }
    for (size_t i = 0; i < size; i++) {
        data[i] = g_rand_int_range(r, 0, 256);
    }
    g_rand_free(r);
    dir = g_dir_make_tmp("disas-XXXXXX", NULL);
    bin = g_build_filename(dir, "rand.bin", NULL);
    g_assert_true(g_file_set_contents(bin, (char *)data, size, NULL));
    Stats st = compare(bin, data, size, mode);
    g_unlink(bin);
    g_rmdir(dir);
    g_free(data);
    /* random bytes reach VEX/EVEX, 0f 38/3a and rarer opcodes we print
     * as (bad) (length 1 where objdump decodes them) */
    g_autofree char *what = g_strdup_printf("random bytes, %d-bit", mode);
    report(what, st, 96.0, 99.5);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/disas/objdump/own-text", test_own_text);
    g_test_add_data_func("/disas/objdump/random-64", GINT_TO_POINTER(64),
                         test_random);
    g_test_add_data_func("/disas/objdump/random-32", GINT_TO_POINTER(32),
                         test_random);
    g_test_add_data_func("/disas/objdump/random-16", GINT_TO_POINTER(16),
                         test_random);
    return g_test_run();
}
