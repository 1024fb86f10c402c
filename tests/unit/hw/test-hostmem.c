/*
 * Memory backends: creation through user_creatable_add (what -object and
 * object-add do), the errors for what is missing or refused, the region
 * they own (RAM, or the file's pages when shared), claiming once, the veto
 * on object-del while claimed, properties fixed after creation.
 */
#include "hw/hostmem.h"
#include "memory/memory.h"
#include "qom/user-creatable.h"
#include "util/error.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static Object *add(const char *type, const char *id, GError **errp, ...)
{
    GHashTable *h = g_hash_table_new(g_str_hash, g_str_equal);
    va_list ap;
    const char *k;

    g_hash_table_insert(h, (char *)"qom-type", (char *)type);
    g_hash_table_insert(h, (char *)"id", (char *)id);
    va_start(ap, errp);
    while ((k = va_arg(ap, const char *))) {
        g_hash_table_insert(h, (char *)k, va_arg(ap, char *));
    }
    va_end(ap);
    Object *obj = user_creatable_add(h, errp);
    g_hash_table_destroy(h);
    return obj;
}

static void expect_error(Object *obj, GError *err, const char *text)
{
    /* through EXPECT_ERROR: err is read after add() ran */
    g_assert_null(obj);
    g_assert_nonnull(err);
    if (!strstr(err->message, text)) {
        g_test_message("error was: %s", err->message);
    }
    g_assert_nonnull(strstr(err->message, text));
    g_error_free(err);
}

#define EXPECT_ERROR(call, text)                                              \
    do {                                                                      \
        GError *err = NULL;                                                   \
        Object *obj_ = call;                                                  \
        expect_error(obj_, err, text);                                        \
    } while (0)

static void test_errors(void)
{
    EXPECT_ERROR(add("memory-backend-ram", "a", &err, NULL), "size 0");
    EXPECT_ERROR(add("memory-backend-file", "a", &err, "size", "1M", NULL),
                 "mem-path property not set");
    EXPECT_ERROR(add("memory-backend-file", "a", &err, "size", "1M",
                     "mem-path", "/nonexistent/dir/file", NULL),
                 "cannot open memory backing file");
    EXPECT_ERROR(add("memory-backend-ram", "a", &err, "size", "1M",
                     "policy", "bind", NULL), "NUMA policy");
    EXPECT_ERROR(add("memory-backend-ram", "a", &err, "size", "1M",
                     "policy", "sideways", NULL), "policy");
    EXPECT_ERROR(add("memory-backend-ram", "a", &err, "size", "1M",
                     "host-nodes", "0", NULL), "host-nodes");
    EXPECT_ERROR(add("memory-backend-memfd", "a", &err, "size", "1M",
                     "hugetlb", "on", NULL), "hugetlb");
    EXPECT_ERROR(add("memory-backend-ram", "a", &err, "size", "1M",
                     "mem-path", "/tmp", NULL), "mem-path");
    EXPECT_ERROR(add("memory-backend", "a", &err, "size", "1M", NULL),
                 "abstract");
    /* none of the failed ones is left behind */
    g_assert_null(host_memory_backend_find("a", NULL));
}

static void test_ram_claim_delete(void)
{
    GError *err = NULL;
    Object *obj = add("memory-backend-memfd", "m", &err, "size", "2M",
                      "prealloc", "on", "merge", "off", "dump", "off", NULL);

    g_assert_no_error(err);
    g_assert_nonnull(obj);
    HostMemoryBackend *b = host_memory_backend_find("m", &err);
    g_assert_no_error(err);
    g_assert_cmpuint(host_memory_backend_size(b), ==, 2 << 20);
    /* fixed once created */
    g_assert_false(object_property_parse(obj, "size", "4M", &err));
    g_assert_nonnull(strstr(err->message, "after it is created"));
    g_clear_error(&err);
    g_assert_true(object_property_get_bool(obj, "share", NULL)); /* memfd */

    MemoryRegion *mr = host_memory_backend_claim(b, &err);
    g_assert_no_error(err);
    g_assert_true(memory_region_is_ram(mr));
    g_assert_cmpuint(memory_region_size(mr), ==, 2 << 20);
    uint8_t *p = memory_region_get_ram_ptr(mr);
    p[0] = 0x5a;
    p[(2 << 20) - 1] = 0xa5;
    g_assert_null(host_memory_backend_claim(b, &err));
    g_assert_nonnull(strstr(err->message, "can't be used multiple times"));
    g_clear_error(&err);
    g_assert_false(user_creatable_del("m", &err));
    g_assert_nonnull(err);
    g_clear_error(&err);

    /* an unclaimed one goes away */
    obj = add("memory-backend-ram", "r", &err, "size", "64K", NULL);
    g_assert_no_error(err);
    g_assert_false(object_property_get_bool(obj, "share", NULL));
    g_assert_true(user_creatable_del("r", &err));
    g_assert_null(host_memory_backend_find("r", NULL));
    g_assert_null(host_memory_backend_find("nope", &err));
    g_assert_nonnull(strstr(err->message, "Memory backend 'nope' not found"));
    g_clear_error(&err);
}

typedef struct {
    int n;
    char ids[4][16];
    uint64_t size[4];
    bool share[4], prealloc[4];
} Seen;

static void seen_one(const HostMemoryBackendInfo *i, void *opaque)
{
    Seen *s = opaque;

    if (s->n < 4) {
        g_strlcpy(s->ids[s->n], i->id, sizeof(s->ids[0]));
        s->size[s->n] = i->size;
        s->share[s->n] = i->share;
        s->prealloc[s->n] = i->prealloc;
    }
    s->n++;
}

/* a shared file backend: the guest's RAM is the file's pages */
static void test_file_shared(void)
{
    GError *err = NULL;
    g_autofree char *dir = g_dir_make_tmp("test-hostmem-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "ram", NULL);
    Object *obj = add("memory-backend-file", "f", &err, "size", "1M",
                      "mem-path", path, "share", "on", NULL);

    g_assert_no_error(err);
    g_assert_nonnull(obj);
    MemoryRegion *mr = host_memory_backend_claim(
        host_memory_backend_find("f", NULL), &err);
    g_assert_no_error(err);
    uint8_t *p = memory_region_get_ram_ptr(mr);
    memcpy(p + 4096, "kvmu-hostmem", 12);

    int fd = open(path, O_RDONLY);
    g_assert_cmpint(fd, >=, 0);
    struct stat st;
    g_assert_cmpint(fstat(fd, &st), ==, 0);
    g_assert_cmpint(st.st_size, ==, 1 << 20);
    char buf[12];
    g_assert_cmpint(pread(fd, buf, 12, 4096), ==, 12);
    g_assert_cmpmem(buf, 12, "kvmu-hostmem", 12);
    close(fd);
    unlink(path);
    rmdir(dir);

    Seen s = { 0 };
    host_memory_backend_foreach(seen_one, &s);
    g_assert_cmpint(s.n, ==, 2);            /* "m" from the test before */
    g_assert_cmpstr(s.ids[0], ==, "m");
    g_assert_cmpuint(s.size[0], ==, 2 << 20);
    g_assert_true(s.prealloc[0]);
    g_assert_cmpstr(s.ids[1], ==, "f");
    g_assert_true(s.share[1]);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    memory_init();
    g_test_add_func("/hostmem/errors", test_errors);
    g_test_add_func("/hostmem/ram-claim-delete", test_ram_claim_delete);
    g_test_add_func("/hostmem/file-shared", test_file_shared);
    return g_test_run();
}
