/*
 * Driver for the libFuzzer harnesses when libFuzzer is not available (gcc
 * builds, CI's unit suite): runs LLVMFuzzerTestOneInput on every file named
 * on the command line (directories are walked) and then on a fixed number
 * of deterministic mutations of them. Prints TAP.
 */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run_file(GPtrArray *seeds, const char *path)
{
    char *buf;
    gsize len;

    if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
        GDir *dir = g_dir_open(path, 0, NULL);
        const char *name;
        while (dir && (name = g_dir_read_name(dir))) {
            char *p = g_build_filename(path, name, NULL);
            run_file(seeds, p);
            g_free(p);
        }
        if (dir) {
            g_dir_close(dir);
        }
        return;
    }
    if (g_file_get_contents(path, &buf, &len, NULL)) {
        LLVMFuzzerTestOneInput((uint8_t *)buf, len);
        g_ptr_array_add(seeds, g_bytes_new_take(buf, len));
    }
}

int main(int argc, char **argv)
{
    GPtrArray *seeds = g_ptr_array_new_with_free_func(
        (GDestroyNotify)g_bytes_unref);
    GRand *rand = g_rand_new_with_seed(1234);
    int iterations = 20000;

    printf("1..1\n");
    for (int i = 1; i < argc; i++) {
        run_file(seeds, argv[i]);
    }
    for (int i = 0; i < iterations && seeds->len; i++) {
        GBytes *seed = g_ptr_array_index(seeds,
                                         g_rand_int_range(rand, 0, seeds->len));
        gsize len;
        const uint8_t *src = g_bytes_get_data(seed, &len);
        gsize n = len + g_rand_int_range(rand, 0, 8);
        uint8_t *buf = g_malloc(n + 1);
        memcpy(buf, src, len);
        for (gsize j = len; j < n; j++) {
            buf[j] = g_rand_int_range(rand, 0, 256);
        }
        int flips = g_rand_int_range(rand, 1, 4);
        for (int f = 0; f < flips && n; f++) {
            buf[g_rand_int_range(rand, 0, n)] = g_rand_int_range(rand, 0, 256);
        }
        LLVMFuzzerTestOneInput(buf, n);
        g_free(buf);
    }
    printf("ok 1 - %u seeds, %d mutations survived\n", seeds->len, iterations);
    g_rand_free(rand);
    g_ptr_array_free(seeds, TRUE);
    return 0;
}
