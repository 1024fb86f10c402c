/* socket chardev over real sockets: unix and TCP (127.0.0.1, ephemeral
 * port) servers with wait=off and wait=on, a client that reconnects after
 * its server restarts, a peer vanishing mid-write (no SIGPIPE death), a
 * listening socket passed as fd=N. */
#include "char-test-util.h"
#include "system/runstate.h"

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static char *tmpdir;

static int unix_connect(const char *path)
{
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    g_strlcpy(un.sun_path, path, sizeof(un.sun_path));
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(fd, >=, 0);
    if (connect(fd, (struct sockaddr *)&un, sizeof(un)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int unix_listen(const char *path)
{
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    g_strlcpy(un.sun_path, path, sizeof(un.sun_path));
    unlink(path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&un, sizeof(un)), ==, 0);
    g_assert_cmpint(listen(fd, 4), ==, 0);
    return fd;
}

static int tcp_connect(int port)
{
    struct sockaddr_in in = {.sin_family = AF_INET,
                             .sin_port = htons(port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&in, sizeof(in)), ==, 0);
    return fd;
}

static bool connected(void *chr)
{
    return chardev_is_connected(chr);
}

static bool disconnected(void *chr)
{
    return !chardev_is_connected(chr);
}

static bool got3(void *p)
{
    return ((TestFe *)p)->got->len >= 3;
}

static void read_exact(int fd, char *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = read(fd, buf + done, n - done);
        g_assert_cmpint(r, >, 0);
        done += r;
    }
    buf[n] = 0;
}

/* Exchange bytes both ways over a connected chardev/peer pair. */
static void check_traffic(TestFe *t, int peer)
{
    char buf[8];
    g_string_truncate(t->got, 0);
    g_assert_cmpint(write(peer, "abc", 3), ==, 3);
    g_assert_true(pump_until(got3, t, 10000));
    g_assert_cmpstr(t->got->str, ==, "abc");
    chr_fe_write(&t->fe, (const uint8_t *)"xyz", 3);
    read_exact(peer, buf, 3);
    g_assert_cmpstr(buf, ==, "xyz");
}

static void test_unix_server_wait_off_accepts_later(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "s1.sock", NULL);
    g_autofree char *spec =
        g_strdup_printf("socket,id=us,path=%s,server=on,wait=off", path);
    Chardev *chr = chardev_new_from_string(spec, NULL);
    g_assert_nonnull(chr);
    TestFe t;
    tfe_attach(&t, chr);
    g_assert_false(chardev_is_connected(chr));
    /* no peer: output is dropped and counted, never blocks */
    chr_fe_write(&t.fe, (const uint8_t *)"lost", 4);
    g_assert_cmpuint(chardev_dropped_bytes(chr), ==, 4);

    int c = unix_connect(path);
    g_assert_cmpint(c, >=, 0);
    g_assert_true(pump_until(connected, chr, 10000));
    g_assert_cmpstr(t.events->str, ==, "O");
    g_autofree char *fn = chardev_filename(chr);
    g_autofree char *want = g_strdup_printf("unix:%s,server=on", path);
    g_assert_cmpstr(fn, ==, want);
    check_traffic(&t, c);

    close(c);
    g_assert_true(pump_until(disconnected, chr, 10000));
    g_assert_cmpstr(t.events->str, ==, "OC");

    /* a second client is accepted after the first left */
    c = unix_connect(path);
    g_assert_true(pump_until(connected, chr, 10000));
    check_traffic(&t, c);
    close(c);
    tfe_detach(&t);
    chardev_remove("us", NULL);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
}

static void test_tcp_server_ephemeral_port(void)
{
    Chardev *chr = chardev_new_from_string(
        "socket,id=ts,host=127.0.0.1,port=0,server=on,wait=off,nodelay=on",
        NULL);
    g_assert_nonnull(chr);
    const char *local = chardev_socket_local_addr(chr);
    g_assert_true(g_str_has_prefix(local, "127.0.0.1:"));
    int port = atoi(strchr(local, ':') + 1);
    g_assert_cmpint(port, >, 0);
    TestFe t;
    tfe_attach(&t, chr);
    int c = tcp_connect(port);
    g_assert_true(pump_until(connected, chr, 10000));
    g_autofree char *fn = chardev_filename(chr);
    g_assert_true(g_str_has_prefix(fn, "tcp:127.0.0.1:"));
    g_assert_nonnull(strstr(fn, ",server=on <-> 127.0.0.1:"));
    check_traffic(&t, c);
    close(c);
    tfe_detach(&t);
    chardev_remove("ts", NULL);
}

static gpointer late_client(gpointer path)
{
    int fd = -1;
    for (int i = 0; i < 3000 && fd < 0; i++) {     /* up to 30 s */
        g_usleep(10000);
        fd = unix_connect(path);
    }
    return GINT_TO_POINTER(fd);
}

static void test_server_wait_on_blocks_until_client(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "wait.sock", NULL);
    g_autofree char *spec =
        g_strdup_printf("socket,id=sw,path=%s,server=on", path);
    GThread *th = g_thread_new("client", late_client, path);
    Chardev *chr = chardev_new_from_string(spec, NULL); /* blocks */
    int c = GPOINTER_TO_INT(g_thread_join(th));
    g_assert_nonnull(chr);
    g_assert_cmpint(c, >=, 0);
    g_assert_true(chardev_is_connected(chr));
    TestFe t;
    tfe_attach(&t, chr);
    g_assert_cmpstr(t.events->str, ==, "O"); /* open on attach */
    check_traffic(&t, c);
    close(c);
    tfe_detach(&t);
    chardev_remove("sw", NULL);
}

static void test_client_reconnects_after_server_restart(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "rc.sock", NULL);
    int lfd = unix_listen(path);
    g_autofree char *spec =
        g_strdup_printf("socket,id=rc,path=%s,reconnect=1", path);
    Chardev *chr = chardev_new_from_string(spec, NULL);
    g_assert_nonnull(chr);
    g_assert_true(chardev_is_connected(chr));
    int s = accept(lfd, NULL, NULL);
    TestFe t;
    tfe_attach(&t, chr);
    check_traffic(&t, s);

    /* server goes away */
    close(s);
    close(lfd);
    unlink(path);
    g_assert_true(pump_until(disconnected, chr, 10000));
    g_assert_cmpstr(t.events->str, ==, "OC");

    /* and comes back: the client retries every second */
    lfd = unix_listen(path);
    g_assert_true(pump_until(connected, chr, 10000));
    g_assert_cmpstr(t.events->str, ==, "OCO");
    s = accept(lfd, NULL, NULL);
    check_traffic(&t, s);
    close(s);
    close(lfd);
    tfe_detach(&t);
    chardev_remove("rc", NULL);
}

static void test_client_reconnect_tolerates_absent_server(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "late.sock", NULL);
    g_autofree char *spec =
        g_strdup_printf("socket,id=rl,path=%s,reconnect=1", path);
    GError *err = NULL;
    Chardev *chr = chardev_new_from_string(spec, &err);
    g_assert_no_error(err);
    g_assert_false(chardev_is_connected(chr));
    int lfd = unix_listen(path);
    g_assert_true(pump_until(connected, chr, 10000));
    close(lfd);
    chardev_remove("rl", NULL);
}

static void test_peer_disconnect_mid_write(void)
{
    /* Prove MSG_NOSIGNAL, not just the ignored SIGPIPE. */
    signal(SIGPIPE, SIG_DFL);
    g_autofree char *path = g_build_filename(tmpdir, "pipe.sock", NULL);
    g_autofree char *spec =
        g_strdup_printf("socket,id=pw,path=%s,server=on,wait=off", path);
    Chardev *chr = chardev_new_from_string(spec, NULL);
    TestFe t;
    tfe_attach(&t, chr);
    int c = unix_connect(path);
    g_assert_true(pump_until(connected, chr, 10000));

    static uint8_t big[2 * 1024 * 1024];
    memset(big, 'q', sizeof(big));
    /* Fill the socket and the 64 KiB queue: excess is dropped. */
    g_assert_cmpint(chr_fe_write(&t.fe, big, sizeof(big)), ==, sizeof(big));
    g_assert_cmpuint(chardev_dropped_bytes(chr), >, 0);
    close(c);
    for (int i = 0; i < 20; i++) {
        chr_fe_write(&t.fe, big, 4096);
        main_loop_iteration(false);
    }
    g_assert_true(pump_until(disconnected, chr, 10000));
    g_assert_true(g_str_has_suffix(t.events->str, "C"));
    tfe_detach(&t);
    chardev_remove("pw", NULL);
    signal(SIGPIPE, SIG_IGN);
}

static void test_listening_fd_passed(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "fd.sock", NULL);
    int lfd = unix_listen(path);
    g_autofree char *spec =
        g_strdup_printf("socket,id=pf,fd=%d,server=on,wait=off", lfd);
    Chardev *chr = chardev_new_from_string(spec, NULL);
    g_assert_nonnull(chr);
    TestFe t;
    tfe_attach(&t, chr);
    int c = unix_connect(path);
    g_assert_true(pump_until(connected, chr, 10000));
    check_traffic(&t, c);
    close(c);
    tfe_detach(&t);
    chardev_remove("pf", NULL);

    GError *err = NULL;
    g_assert_null(chardev_new_from_string("socket,id=pf,fd=0,server=on", &err));
    g_assert_cmpstr(err->message, ==, "fd=0 is not a stream socket");
    g_clear_error(&err);
}

typedef struct {
    TestFe *t;
    int total;
    int done;
} WriterCtx;

static gpointer vcpu_writer(gpointer p)
{
    WriterCtx *w = p;
    static uint8_t chunk[4096];
    memset(chunk, 'w', sizeof(chunk));
    for (int i = 0; i < w->total / (int)sizeof(chunk); i++) {
        bql_lock();
        chr_fe_write(&w->t->fe, chunk, sizeof(chunk));
        bql_unlock();
        g_usleep(200);
    }
    __atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
    main_loop_wake();
    return NULL;
}

typedef struct {
    int fd;
    int64_t got;
} ReaderCtx;

static gpointer peer_reader(gpointer p)
{
    ReaderCtx *r = p;
    char buf[8192];
    ssize_t n;
    while ((n = read(r->fd, buf, sizeof(buf))) > 0) {
        __atomic_add_fetch(&r->got, n, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

typedef struct {
    ReaderCtx *r;
    Chardev *chr;
    int64_t total;
} DrainCtx;

static DrainCtx drain_ctx;

/* every byte delivered to the peer or counted as dropped */
static bool all_accounted(void *p)
{
    DrainCtx *d = p;
    int64_t got = __atomic_load_n(&d->r->got, __ATOMIC_SEQ_CST);
    return got + (int64_t)chardev_dropped_bytes(d->chr) == d->total;
}

/* Writes from a vCPU-like thread holding the BQL while the main loop
 * blocks in poll: queued output must still be drained (cross-thread
 * wake), and every byte is either delivered or counted as dropped. */
static void test_write_from_other_thread_with_bql(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "thr.sock", NULL);
    g_autofree char *spec =
        g_strdup_printf("socket,id=thr,path=%s,server=on,wait=off", path);
    Chardev *chr = chardev_new_from_string(spec, NULL);
    TestFe t;
    tfe_attach(&t, chr);
    int c = unix_connect(path);
    g_assert_true(pump_until(connected, chr, 10000));

    ReaderCtx r = {.fd = c};
    WriterCtx w = {.t = &t, .total = 1024 * 1024};
    GThread *rt = g_thread_new("peer", peer_reader, &r);
    GThread *wt = g_thread_new("vcpu", vcpu_writer, &w);
    while (!__atomic_load_n(&w.done, __ATOMIC_SEQ_CST)) {
        main_loop_iteration(true);
    }
    g_thread_join(wt);
    drain_ctx = (DrainCtx){.r = &r, .chr = chr, .total = w.total};
    g_assert_true(pump_until(all_accounted, &drain_ctx, 10000));
    shutdown(c, SHUT_RDWR);
    g_thread_join(rt);
    g_test_message("delivered %" G_GINT64_FORMAT ", dropped %" G_GUINT64_FORMAT,
                   r.got, chardev_dropped_bytes(chr));
    g_assert_cmpint(r.got, >, 0);
    g_assert_cmpint(r.got + (int64_t)chardev_dropped_bytes(chr), ==, w.total);
    close(c);
    tfe_detach(&t);
    chardev_remove("thr", NULL);
}

static gpointer send_sigterm(gpointer p)
{
    g_usleep(50000);
    kill(getpid(), SIGTERM);
    return NULL;
}

/* wait=on with no client: SIGTERM ends the wait with an error and a
 * host-signal shutdown request (the process would then exit). */
static void test_wait_on_interrupted_by_signal(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "never.sock", NULL);
    g_autofree char *spec =
        g_strdup_printf("socket,id=nv,path=%s,server=on,wait=on", path);
    GThread *th = g_thread_new("killer", send_sigterm, NULL);
    GError *err = NULL;
    g_assert_null(chardev_new_from_string(spec, &err));
    g_thread_join(th);
    g_assert_cmpstr(err->message, ==,
                    "interrupted by a signal while waiting for a connection");
    g_error_free(err);
    g_assert_true(qemu_system_shutdown_pending());
    runstate_reset_for_test();
    g_assert_null(chardev_find("nv"));
}

static int tcp_listen_any(int *port)
{
    struct sockaddr_in in = {.sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(in);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    in.sin_port = htons(*port);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&in, sizeof(in)), ==, 0);
    g_assert_cmpint(listen(fd, 4), ==, 0);
    getsockname(fd, (struct sockaddr *)&in, &len);
    *port = ntohs(in.sin_port);
    return fd;
}

/* TCP client with reconnect=1: the server appears later, the background
 * (non-blocking) connect finds it. */
static void test_tcp_client_reconnect_nonblocking(void)
{
    int port = 0;
    int lfd = tcp_listen_any(&port);
    close(lfd); /* remember a free port, then nobody listens */
    g_autofree char *spec = g_strdup_printf(
        "socket,id=tr,host=127.0.0.1,port=%d,reconnect=1", port);
    int64_t t0 = clock_get_ns(QEMU_CLOCK_REALTIME);
    Chardev *chr = chardev_new_from_string(spec, NULL);
    g_assert_nonnull(chr);
    g_assert_cmpint(clock_get_ns(QEMU_CLOCK_REALTIME) - t0, <,
                    NANOSECONDS_PER_SECOND);
    g_assert_false(chardev_is_connected(chr));
    g_autofree char *fn = chardev_filename(chr);
    g_autofree char *want =
        g_strdup_printf("disconnected:tcp:127.0.0.1:%d", port);
    g_assert_cmpstr(fn, ==, want);
    lfd = tcp_listen_any(&port);
    g_assert_true(pump_until(connected, chr, 10000));
    int s = accept(lfd, NULL, NULL);
    TestFe t;
    tfe_attach(&t, chr);
    check_traffic(&t, s);
    close(s);
    close(lfd);
    tfe_detach(&t);
    chardev_remove("tr", NULL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    tmpdir = g_dir_make_tmp("kvmu-sock-XXXXXX", NULL);
    g_test_add_func("/chardev/socket/unix-server-wait-off-accepts-later",
                    test_unix_server_wait_off_accepts_later);
    g_test_add_func("/chardev/socket/tcp-server-ephemeral-port",
                    test_tcp_server_ephemeral_port);
    g_test_add_func("/chardev/socket/server-wait-on-blocks-until-client",
                    test_server_wait_on_blocks_until_client);
    g_test_add_func("/chardev/socket/client-reconnects-after-server-restart",
                    test_client_reconnects_after_server_restart);
    g_test_add_func("/chardev/socket/client-reconnect-absent-server",
                    test_client_reconnect_tolerates_absent_server);
    g_test_add_func("/chardev/socket/peer-disconnect-mid-write",
                    test_peer_disconnect_mid_write);
    g_test_add_func("/chardev/socket/write-from-other-thread-with-bql",
                    test_write_from_other_thread_with_bql);
    g_test_add_func("/chardev/socket/wait-on-interrupted-by-signal",
                    test_wait_on_interrupted_by_signal);
    g_test_add_func("/chardev/socket/tcp-client-reconnect-nonblocking",
                    test_tcp_client_reconnect_nonblocking);
    g_test_add_func("/chardev/socket/listening-fd-passed",
                    test_listening_fd_passed);
    int r = g_test_run();
    chardev_remove_all();
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) {
        g_printerr("could not remove %s\n", tmpdir);
    }
    return r;
}
