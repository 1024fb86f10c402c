/* socket chardev extras for self-throttling frontends (the monitors):
 * descriptors received as SCM_RIGHTS and claimed in read() with
 * chr_fe_get_msgfd(), unclaimed ones closed; chr_fe_write_all() queues
 * past the 64 KiB drop limit, chr_fe_output_pending() reports the
 * backlog and the write_ready callback fires once a slow peer drained. */
#include "char-test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static char *tmpdir;

typedef struct {
    TestFe t;
    int claimed[8];
    int nclaimed;
    int claim_per_read; /* how many fds read() takes */
    int ready_calls;
} FdFe;

static void fdfe_read(void *opaque, const uint8_t *buf, int size)
{
    FdFe *f = opaque;
    for (int i = 0; i < f->claim_per_read; i++) {
        int fd = chr_fe_get_msgfd(&f->t.fe);
        if (fd >= 0 && f->nclaimed < 8) {
            f->claimed[f->nclaimed++] = fd;
        }
    }
    g_string_append_len(f->t.got, (const char *)buf, size);
}

static int fdfe_can_read(void *opaque)
{
    return 4096;
}

static void fdfe_ready(void *opaque)
{
    ((FdFe *)opaque)->ready_calls++;
}

static bool is_connected(void *chr)
{
    return chardev_is_connected(chr);
}

static Chardev *server(const char *id, int *peer)
{
    g_autofree char *path = g_build_filename(tmpdir, id, NULL);
    g_autofree char *spec = g_strdup_printf(
        "socket,id=%s,path=%s,server=on,wait=off", id, path);
    Chardev *chr = chardev_new_from_string(spec, NULL);
    g_assert_nonnull(chr);
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    g_strlcpy(un.sun_path, path, sizeof(un.sun_path));
    *peer = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(connect(*peer, (struct sockaddr *)&un, sizeof(un)), ==,
                    0);
    g_assert_true(pump_until(is_connected, chr, 10000));
    return chr;
}

static void attach(FdFe *f, Chardev *chr)
{
    memset(f, 0, sizeof(*f));
    f->t.got = g_string_new("");
    f->t.events = g_string_new("");
    g_assert_true(chr_fe_init(&f->t.fe, chr, NULL));
    chr_fe_set_handlers(&f->t.fe, fdfe_can_read, fdfe_read, NULL, f);
    chr_fe_set_write_ready(&f->t.fe, fdfe_ready);
}

/* Send text with n descriptors as SCM_RIGHTS. */
static void send_fds(int sock, const char *text, const int *fds, int n)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * 4)];
    } ctl;
    struct iovec iov = {.iov_base = (void *)text, .iov_len = strlen(text)};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    memset(&ctl, 0, sizeof(ctl));
    if (n) {
        msg.msg_control = ctl.buf;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * n);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
    }
    g_assert_cmpint(sendmsg(sock, &msg, 0), ==, (ssize_t)strlen(text));
}

static bool got_len(void *p)
{
    FdFe *f = p;
    return f->t.got->len >= 4;
}

/* Only the read end's owner left: EOF means every write end is closed. */
static bool pipe_at_eof(int rfd)
{
    char c;
    fcntl(rfd, F_SETFL, O_NONBLOCK);
    for (int i = 0; i < 200; i++) {
        ssize_t n = read(rfd, &c, 1);
        if (n == 0) {
            return true;
        }
        main_loop_iteration(false);
        g_usleep(1000);
    }
    return false;
}

static void test_scm_rights_claimed_in_read(void)
{
    int peer, p[2];
    Chardev *chr = server("fd1.sock", &peer);
    FdFe f;
    attach(&f, chr);
    f.claim_per_read = 1;
    g_assert_cmpint(pipe(p), ==, 0);

    send_fds(peer, "getf", &p[1], 1);
    close(p[1]);
    g_assert_true(pump_until(got_len, &f, 10000));
    g_assert_cmpstr(f.t.got->str, ==, "getf");
    g_assert_cmpint(f.nclaimed, ==, 1);
    /* the frontend owns a working copy of the pipe's write end */
    g_assert_cmpint(fcntl(f.claimed[0], F_GETFD) & FD_CLOEXEC, !=, 0);
    g_assert_cmpint(write(f.claimed[0], "z", 1), ==, 1);
    char c = 0;
    g_assert_cmpint(read(p[0], &c, 1), ==, 1);
    g_assert_cmpint(c, ==, 'z');
    /* nothing more to claim: -1 */
    g_assert_cmpint(chr_fe_get_msgfd(&f.t.fe), ==, -1);
    close(f.claimed[0]);
    g_assert_true(pipe_at_eof(p[0]));
    close(p[0]);
    close(peer);
    chr_fe_deinit(&f.t.fe);
    chardev_remove("fd1.sock", NULL);
}

static void test_unclaimed_fds_are_closed(void)
{
    int peer, p[2];
    Chardev *chr = server("fd2.sock", &peer);
    FdFe f;
    attach(&f, chr);
    f.claim_per_read = 1; /* takes the first of two */
    g_assert_cmpint(pipe(p), ==, 0);
    int two[2] = {p[1], p[1]};

    send_fds(peer, "abcd", two, 2);
    close(p[1]);
    g_assert_true(pump_until(got_len, &f, 10000));
    g_assert_cmpint(f.nclaimed, ==, 1);
    close(f.claimed[0]);
    /* the second copy was closed by the chardev after read() */
    g_assert_true(pipe_at_eof(p[0]));
    close(p[0]);

    /* a frontend that never claims: the descriptor does not leak */
    g_assert_cmpint(pipe(p), ==, 0);
    f.claim_per_read = 0;
    g_string_truncate(f.t.got, 0);
    send_fds(peer, "efgh", &p[1], 1);
    close(p[1]);
    g_assert_true(pump_until(got_len, &f, 10000));
    g_assert_true(pipe_at_eof(p[0]));
    close(p[0]);
    close(peer);
    chr_fe_deinit(&f.t.fe);
    chardev_remove("fd2.sock", NULL);
}

static bool drained(void *p)
{
    FdFe *f = p;
    return chr_fe_output_pending(&f->t.fe) == 0 && f->ready_calls > 0;
}

typedef struct {
    int fd;
    size_t total;
} Reader;

static gpointer slow_reader(gpointer p)
{
    Reader *r = p;
    char buf[4096];
    ssize_t n;
    g_usleep(100 * 1000); /* let the queue build up first */
    while ((n = read(r->fd, buf, sizeof(buf))) > 0) {
        r->total += n;
        g_usleep(200);
    }
    return NULL;
}

static void test_write_all_never_drops_for_slow_reader(void)
{
    int peer;
    Chardev *chr = server("fd3.sock", &peer);
    FdFe f;
    attach(&f, chr);
    int sz = 64 * 1024;
    setsockopt(peer, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));

    size_t len = 1024 * 1024; /* far beyond socket buffers + 64 KiB */
    g_autofree uint8_t *big = g_malloc(len);
    memset(big, 'q', len);
    g_assert_cmpint(chr_fe_write_all(&f.t.fe, big, (int)len), ==, (int)len);
    g_assert_cmpuint(chardev_dropped_bytes(chr), ==, 0);
    g_assert_cmpuint(chr_fe_output_pending(&f.t.fe), >, 64 * 1024);
    g_assert_cmpint(f.ready_calls, ==, 0);

    Reader r = {.fd = peer};
    GThread *th = g_thread_new("reader", slow_reader, &r);
    g_assert_true(pump_until(drained, &f, 20000));
    g_assert_cmpint(f.ready_calls, ==, 1);

    shutdown(peer, SHUT_RD);
    chr_fe_deinit(&f.t.fe);
    chardev_remove("fd3.sock", NULL);
    g_thread_join(th);
    g_assert_cmpuint(r.total, ==, len);
    close(peer);
}

static void test_plain_write_still_bounded(void)
{
    int peer;
    Chardev *chr = server("fd4.sock", &peer);
    FdFe f;
    attach(&f, chr);
    size_t len = 1024 * 1024;
    g_autofree uint8_t *big = g_malloc0(len);
    chr_fe_write(&f.t.fe, big, (int)len);
    g_assert_cmpuint(chardev_dropped_bytes(chr), >, 0);
    g_assert_cmpuint(chr_fe_output_pending(&f.t.fe), <=, 64 * 1024);
    close(peer);
    chr_fe_deinit(&f.t.fe);
    chardev_remove("fd4.sock", NULL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    tmpdir = g_dir_make_tmp("kvmu-fdp-XXXXXX", NULL);
    g_test_add_func("/chardev/socket/scm-rights-claimed-in-read",
                    test_scm_rights_claimed_in_read);
    g_test_add_func("/chardev/socket/unclaimed-fds-are-closed",
                    test_unclaimed_fds_are_closed);
    g_test_add_func("/chardev/socket/write-all-never-drops-for-slow-reader",
                    test_write_all_never_drops_for_slow_reader);
    g_test_add_func("/chardev/socket/plain-write-still-bounded",
                    test_plain_write_still_bounded);
    int r = g_test_run();
    chardev_remove_all();
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) {
        g_printerr("could not remove %s\n", tmpdir);
    }
    return r;
}
