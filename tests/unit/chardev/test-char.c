/* Chardevs: file output, ringbuf wraparound, mux Ctrl-a escapes through a
 * FIFO pipe backend, pty announcement and I/O, option error table,
 * legacy specs, registry (duplicate id, remove while busy). */
#include "char-test-util.h"
#include "system/runstate.h"

#include <errno.h>
#include <pty.h>
#include <stdlib.h>
#include <termios.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *tmpdir;

static Chardev *must_new(const char *spec)
{
    GError *err = NULL;
    Chardev *chr = chardev_new_from_string(spec, &err);
    g_assert_no_error(err);
    g_assert_nonnull(chr);
    return chr;
}

static void test_file_writes_and_append(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "out.txt", NULL);
    g_autofree char *spec = g_strdup_printf("file,id=f1,path=%s", path);
    Chardev *chr = must_new(spec);
    TestFe t;
    tfe_attach(&t, chr);
    g_assert_cmpint(chr_fe_write(&t.fe, (const uint8_t *)"hello ", 6), ==, 6);
    g_assert_true(chardev_frontend_open(chr));
    tfe_detach(&t);
    g_assert_true(chardev_remove("f1", NULL));

    spec =
        (g_free(spec), g_strdup_printf("file,id=f1,path=%s,append=on", path));
    chr = must_new(spec);
    chardev_write(chr, (const uint8_t *)"world", 5);
    g_assert_true(chardev_remove("f1", NULL));

    g_autofree char *data = NULL;
    g_assert_true(g_file_get_contents(path, &data, NULL, NULL));
    g_assert_cmpstr(data, ==, "hello world");
}

static void test_logfile_copies_output(void)
{
    g_autofree char *log = g_build_filename(tmpdir, "log.txt", NULL);
    g_autofree char *spec = g_strdup_printf("ringbuf,id=lg,logfile=%s", log);
    Chardev *chr = must_new(spec);
    chardev_write(chr, (const uint8_t *)"one ", 4);
    chardev_remove("lg", NULL);
    g_free(spec);
    spec = g_strdup_printf("null,id=lg,logfile=%s,logappend=on", log);
    chr = must_new(spec);
    chardev_write(chr, (const uint8_t *)"two", 3);
    chardev_remove("lg", NULL);
    g_autofree char *data = NULL;
    g_assert_true(g_file_get_contents(log, &data, NULL, NULL));
    g_assert_cmpstr(data, ==, "one two");
}

static void test_ringbuf_wraparound(void)
{
    Chardev *chr = must_new("ringbuf,id=rb,size=8");
    GError *err = NULL;
    size_t n;

    chardev_write(chr, (const uint8_t *)"0123456789", 10);
    g_autofree uint8_t *a = ringbuf_read(chr, 100, &n, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(n, ==, 8);
    g_assert_cmpstr((char *)a, ==, "23456789"); /* oldest overwritten */

    g_assert_true(ringbuf_write(chr, (const uint8_t *)"abc", 3, NULL));
    g_autofree uint8_t *b = ringbuf_read(chr, 2, &n, NULL);
    g_assert_cmpstr((char *)b, ==, "ab");
    g_autofree uint8_t *c = ringbuf_read(chr, 10, &n, NULL);
    g_assert_cmpstr((char *)c, ==, "c");
    g_autofree uint8_t *d = ringbuf_read(chr, 10, &n, NULL);
    g_assert_cmpuint(n, ==, 0);
    g_assert_cmpstr((char *)d, ==, "");

    Chardev *nul = must_new("null,id=n0");
    g_assert_false(ringbuf_write(nul, (const uint8_t *)"x", 1, &err));
    g_assert_cmpstr(err->message, ==, "n0 is not a ringbuffer device");
    g_clear_error(&err);
    g_assert_null(ringbuf_read(nul, 1, &n, &err));
    g_clear_error(&err);
    chardev_remove("rb", NULL);
    chardev_remove("n0", NULL);
}

static const struct {
    const char *spec;
    const char *error;
} bad_opts[] = {
    {"bogus,id=x", "'bogus' is not a valid char driver name"},
    {"null", "Parameter 'id' is missing"},
    {"null,id=1abc", "Parameter 'id' expects an identifier"},
    {"null,id=x,bogus=1", "Invalid parameter 'bogus'"},
    {"file,id=x", "chardev: file: no filename given"},
    {"file,id=x,path=/nonexistent-dir/f",
     "Could not open "
     "'/nonexistent-dir/f': No such file or directory"},
    {"pipe,id=x", "chardev: pipe: no filename given"},
    {"socket,id=x", "chardev: socket: no host given"},
    {"socket,id=x,host=127.0.0.1", "chardev: socket: no port given"},
    {"socket,id=x,host=127.0.0.1,port=99999",
     "chardev: socket: port '99999' out of range"},
    {"socket,id=x,path=/tmp/x,server=maybe",
     "Parameter 'server' expects 'on' or 'off'"},
    {"socket,id=x,path=/tmp/x,telnet=on",
     "chardev: socket: telnet is not supported"},
    {"socket,id=x,path=/tmp/x,server=on,reconnect=1",
     "'reconnect' option is incompatible with 'server' option"},
    {"socket,id=x,path=/nonexistent-dir/sock",
     "Failed to connect to '/nonexistent-dir/sock': "
     "No such file or directory"},
    {"socket,id=x,host=127.0.0.1,port=1",
     "Failed to connect to '127.0.0.1:1': Connection refused"},
    {"serial,id=x", "chardev: serial/tty: no device path given"},
    {"tty,id=x,path=/nonexistent-tty", "Could not open '/nonexistent-tty': "
                                       "No such file or directory"},
    {"ringbuf,id=x,size=3", "size of ringbuf chardev must be power of two"},
    {"ringbuf,id=x,size=0", "size of ringbuf chardev must be power of two"},
    {"null,id=dup", "Duplicate ID 'dup' for chardev"},
    {"null,id=x,logfile=/nonexistent-dir/log",
     "Unable to open logfile /nonexistent-dir/log: No such file or "
     "directory"},
    {"null,id=x,logappend=sometimes",
     "Parameter 'logappend' expects 'on' or 'off'"},
    {"null,id=x,mux=perhaps", "Parameter 'mux' expects 'on' or 'off'"},
};

static void test_bad_options(void)
{
    must_new("null,id=dup");
    for (size_t i = 0; i < G_N_ELEMENTS(bad_opts); i++) {
        GError *err = NULL;
        Chardev *chr = chardev_new_from_string(bad_opts[i].spec, &err);
        if (chr || !err || strcmp(err->message, bad_opts[i].error) != 0) {
            g_test_message("spec '%s': expected error '%s', got '%s'",
                           bad_opts[i].spec, bad_opts[i].error,
                           err ? err->message : "(success)");
        }
        g_assert_null(chr);
        g_assert_nonnull(err);
        g_assert_cmpstr(err->message, ==, bad_opts[i].error);
        g_error_free(err);
        g_assert_null(chardev_find("x"));
    }
    chardev_remove("dup", NULL);
}

static const struct {
    const char *spec;
    const char *error; /* NULL: success, then backend name in "backend" */
    const char *backend;
} legacy[] = {
    {"null", NULL, "null"},
    {"ringbuf", "'ringbuf' is not a valid char driver name", NULL},
    {"vc", "vc: not supported yet", NULL},
    {"vc:800x600", "vc: not supported yet", NULL},
    {"telnet:localhost:4444", "telnet: not supported yet", NULL},
    {"foo:bar", "'foo' is not a valid char driver name", NULL},
    {"file:", "chardev: file: no filename given", NULL},
    {"none", "'none' is not a character device", NULL},
    {"tcp:localhost", "chardev: socket: no port given", NULL},
    {"chardev:nope", "chardev: chardev 'nope' not found", NULL},
    {"", "empty chardev specification", NULL},
};

static void test_legacy_specs(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(legacy); i++) {
        GError *err = NULL;
        Chardev *chr = chardev_parse_legacy(legacy[i].spec, "leg", &err);
        if (legacy[i].error) {
            g_assert_null(chr);
            g_assert_nonnull(err);
            g_assert_cmpstr(err->message, ==, legacy[i].error);
            g_error_free(err);
        } else {
            g_assert_no_error(err);
            g_assert_cmpstr(chardev_backend(chr), ==, legacy[i].backend);
            chardev_remove("leg", NULL);
        }
    }
    g_assert_true(chardev_legacy_is_none("none"));
    g_assert_true(chardev_legacy_is_mon("mon:stdio"));
    g_assert_false(chardev_legacy_is_mon("stdio"));

    /* file: and unix: with options */
    g_autofree char *f = g_build_filename(tmpdir, "leg.txt", NULL);
    g_autofree char *spec = g_strdup_printf("file:%s", f);
    Chardev *chr = chardev_parse_legacy(spec, "leg", NULL);
    g_assert_nonnull(chr);
    g_assert_cmpstr(chardev_backend(chr), ==, "file");
    chardev_remove("leg", NULL);

    g_autofree char *s = g_build_filename(tmpdir, "leg.sock", NULL);
    g_free(spec);
    spec = g_strdup_printf("unix:%s,server=on,wait=off", s);
    chr = chardev_parse_legacy(spec, "leg", NULL);
    g_assert_nonnull(chr);
    g_autofree char *fn = chardev_filename(chr);
    g_autofree char *want =
        g_strdup_printf("disconnected:unix:%s,server=on", s);
    g_assert_cmpstr(fn, ==, want);
    /* mon: makes it a mux */
    g_assert_false(chardev_is_mux(chr));
    chardev_remove("leg", NULL);
    g_free(spec);
    spec = g_strdup_printf("mon:unix:%s,server=on,wait=off", s);
    chr = chardev_parse_legacy(spec, "leg", NULL);
    g_assert_true(chardev_is_mux(chr));
    g_assert_true(chardev_parse_legacy("chardev:leg", NULL, NULL) == chr);
    chardev_remove("leg", NULL);
}

static void test_registry(void)
{
    Chardev *a = must_new("null,id=ra");
    Chardev *b = must_new("ringbuf,id=rb2");
    g_assert_true(chardev_find("ra") == a);
    g_assert_cmpstr(chardev_label(b), ==, "rb2");
    GList *l = chardev_list();
    g_assert_true(g_list_find(l, a) && g_list_find(l, b));
    g_list_free(l);

    TestFe t, t2;
    tfe_attach(&t, a);
    chardev_send_break(a);
    g_assert_cmpstr(t.events->str, ==, "OB");
    GError *err = NULL;
    g_assert_false(chr_fe_init(&t2.fe, a, &err));
    g_assert_cmpstr(err->message, ==, "Device 'ra' is in use");
    g_clear_error(&err);
    g_assert_false(chardev_remove("ra", &err));
    g_assert_cmpstr(err->message, ==, "Chardev 'ra' is busy");
    g_clear_error(&err);
    tfe_detach(&t);
    g_assert_true(chardev_remove("ra", NULL));
    g_assert_false(chardev_remove("ra", &err));
    g_assert_cmpstr(err->message, ==, "Chardev 'ra' not found");
    g_clear_error(&err);
    chardev_remove("rb2", NULL);

    GList *names = chardev_backend_names();
    GString *all = g_string_new("");
    for (GList *n = names; n; n = n->next) {
        g_string_append_printf(all, "%s ", (char *)n->data);
    }
    g_assert_cmpstr(all->str, ==,
                    "file mux null pipe pty ringbuf serial socket stdio ");
    g_string_free(all, TRUE);
    g_list_free(names);
}

static bool got_len(void *p)
{
    TestFe *t = p;
    return t->got->len >= 3;
}

static bool shutdown_pending(void *unused)
{
    return qemu_system_shutdown_pending();
}

static bool focus_is_0(void *chr)
{
    return chardev_mux_focus(chr) == 0;
}

static bool got_2(void *p)
{
    return ((TestFe *)p)->got->len >= 2;
}

/* mux through a real pipe backend (FIFOs path.in / path.out) */
static void test_mux_escapes(void)
{
    g_autofree char *base = g_build_filename(tmpdir, "muxpipe", NULL);
    g_autofree char *in = g_strdup_printf("%s.in", base);
    g_autofree char *out = g_strdup_printf("%s.out", base);
    g_assert_cmpint(mkfifo(in, 0600), ==, 0);
    g_assert_cmpint(mkfifo(out, 0600), ==, 0);
    g_autofree char *spec =
        g_strdup_printf("pipe,id=mux0,path=%s,mux=on", base);
    Chardev *chr = must_new(spec);
    int win = open(in, O_RDWR | O_NONBLOCK);
    int rout = open(out, O_RDWR | O_NONBLOCK);
    g_assert_cmpint(win, >=, 0);
    g_assert_cmpint(rout, >=, 0);

    runstate_reset_for_test();
    TestFe serial, mon;
    tfe_attach(&serial, chr); /* tag 0 */
    tfe_attach(&mon, chr);    /* tag 1: newest has focus */
    g_assert_cmpint(chardev_mux_focus(chr), ==, 1);
    /* Startup: OPENED waits for the main loop (all frontends attached);
     * then every frontend is opened and the focused one gets MUX_IN. */
    g_assert_cmpstr(serial.events->str, ==, "U");
    g_assert_cmpstr(mon.events->str, ==, "");
    main_loop_iteration(false);
    g_assert_cmpstr(serial.events->str, ==, "UO");
    g_assert_cmpstr(mon.events->str, ==, "OI");
    /* a frontend attached later is opened at once */
    TestFe late;
    tfe_attach(&late, chr);
    g_assert_cmpstr(late.events->str, ==, "OI");
    tfe_detach(&late);
    chardev_mux_set_focus(chr, 1);
    g_string_truncate(serial.events, 0);
    g_string_truncate(mon.events, 0);

    /* m -> monitor; C-a c; y, C-a C-a, z, C-a b -> serial; C-a h */
    static const char feed[] = "m\001cy\001\001z\001b\001h";
    g_assert_cmpint(write(win, feed, sizeof(feed) - 1), ==, sizeof(feed) - 1);
    g_assert_true(pump_until(got_len, &serial, 10000));
    g_assert_cmpstr(mon.got->str, ==, "m");
    g_assert_cmpstr(serial.got->str, ==, "y\001z");
    g_assert_cmpstr(mon.events->str, ==, "U");
    g_assert_cmpstr(serial.events->str, ==, "IB");
    g_assert_cmpint(chardev_mux_focus(chr), ==, 0);

    /* Both frontends write to the one backend. */
    chr_fe_write(&serial.fe, (const uint8_t *)"S", 1);
    chr_fe_write(&mon.fe, (const uint8_t *)"M", 1);

    /* C-a x: "QEMU: Terminated" and a quit request */
    g_assert_false(qemu_system_shutdown_pending());
    g_assert_cmpint(write(win, "\001x", 2), ==, 2);
    g_assert_true(pump_until(shutdown_pending, NULL, 10000));

    char buf[2048];
    ssize_t n = read(rout, buf, sizeof(buf) - 1);
    g_assert_cmpint(n, >, 0);
    buf[n] = 0;
    g_assert_nonnull(strstr(buf, "C-a h    print this help\n\r"));
    g_assert_nonnull(strstr(buf, "C-a c    switch between console and "
                                 "monitor\n\r"));
    g_assert_nonnull(strstr(buf, "SM"));
    g_assert_true(g_str_has_suffix(buf, "QEMU: Terminated\n\r"));
    bql_lock();
    g_assert_true(runstate_service_requests());
    bql_unlock();
    g_assert_cmpstr(shutdown_cause_name(runstate_last_shutdown_cause()), ==,
                    "host-qmp-quit");

    /* can_read == 0 holds input back until accept_input */
    serial.can = 0;
    g_string_truncate(serial.got, 0);
    g_assert_cmpint(write(win, "abc", 3), ==, 3);
    pump_for(30);
    g_assert_cmpstr(serial.got->str, ==, "");
    serial.can = 4096;
    chr_fe_accept_input(&serial.fe);
    g_assert_true(pump_until(got_len, &serial, 10000));
    g_assert_cmpstr(serial.got->str, ==, "abc");

    /* A serial that stopped reading does not trap the user: C-a c still
     * reaches the mux, and what the serial could not take waits for it. */
    serial.can = 0;
    g_string_truncate(serial.got, 0);
    g_string_truncate(mon.got, 0);
    g_assert_cmpint(write(win, "pq\001cmon", 7), ==, 7);
    g_assert_true(pump_until(got_len, &mon, 10000));
    g_assert_cmpint(chardev_mux_focus(chr), ==, 1);
    g_assert_cmpstr(mon.got->str, ==, "mon");
    g_assert_cmpstr(serial.got->str, ==, "");
    g_assert_cmpint(write(win, "\001c", 2), ==, 2);
    g_assert_true(pump_until(focus_is_0, chr, 10000));
    serial.can = 1; /* a one-byte FIFO: never more than can_read */
    chr_fe_accept_input(&serial.fe);
    g_assert_true(pump_until(got_2, &serial, 10000));
    g_assert_cmpstr(serial.got->str, ==, "pq");

    tfe_detach(&serial);
    tfe_detach(&mon);
    chardev_remove("mux0", NULL);
    close(win);
    close(rout);
    unlink(in);
    unlink(out);
    runstate_reset_for_test();
}

/* serial/tty backend on the slave side of a pty, and the /dev/ shorthand */
static void test_serial_host_tty(void)
{
    int master, slave;
    char name[256];
    g_assert_cmpint(openpty(&master, &slave, name, NULL, NULL), ==, 0);
    GError *err = NULL;
    Chardev *chr = chardev_parse_legacy(name, "tty0", &err);
    g_assert_no_error(err);
    g_assert_cmpstr(chardev_backend(chr), ==, "serial");
    TestFe t;
    tfe_attach(&t, chr);
    g_assert_cmpint(write(master, "abc", 3), ==, 3);
    g_assert_true(pump_until(got_len, &t, 10000));
    g_assert_cmpstr(t.got->str, ==, "abc");
    chr_fe_write(&t.fe, (const uint8_t *)"xyz", 3);
    char buf[8] = {0};
    for (int i = 0; i < 10000 && read(master, buf, 3) != 3; i++) {
        g_usleep(1000);
    }
    g_assert_cmpstr(buf, ==, "xyz");
    tfe_detach(&t);
    chardev_remove("tty0", NULL);
    close(slave);
    close(master);
}

static void test_pty_announces_path(void)
{
    if (g_test_subprocess()) {
        Chardev *chr = chardev_new_from_string("pty,id=pty0", NULL);
        g_assert_nonnull(chr);
        fprintf(stdout, "PATH=%s\n", chardev_pty_path(chr));
        chardev_remove("pty0", NULL);
        return;
    }
    g_test_trap_subprocess(NULL, 30 * G_USEC_PER_SEC, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr("char device redirected to /dev/pts/* "
                              "(label pty0)*");
    g_test_trap_assert_stdout("PATH=/dev/pts/*");
}

static bool is_open(void *p)
{
    return chardev_is_connected(p);
}

static void test_pty_io(void)
{
    Chardev *chr = must_new("pty,id=pty1");
    const char *path = chardev_pty_path(chr);
    g_assert_nonnull(path);
    g_autofree char *fn = chardev_filename(chr);
    g_assert_true(g_str_has_prefix(fn, "pty:/dev/pts/"));
    g_assert_false(chardev_is_connected(chr)); /* nobody on the slave */

    TestFe t;
    tfe_attach(&t, chr);
    int slave = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    g_assert_cmpint(slave, >=, 0);
    /* the 1 s slave poll notices the new user */
    g_assert_true(pump_until(is_open, chr, 10000));
    g_assert_cmpstr(t.events->str, ==, "O");
    g_assert_cmpint(write(slave, "abc", 3), ==, 3);
    g_assert_true(pump_until(got_len, &t, 10000));
    g_assert_cmpstr(t.got->str, ==, "abc");
    chr_fe_write(&t.fe, (const uint8_t *)"xyz", 3);
    char buf[8] = {0};
    for (int i = 0; i < 10000 && read(slave, buf, 3) != 3; i++) {
        g_usleep(1000);
    }
    g_assert_cmpstr(buf, ==, "xyz");
    close(slave);
    tfe_detach(&t);
    chardev_remove("pty1", NULL);
}

static void test_help(void)
{
    if (g_test_subprocess()) {
        chardev_print_help(stdout);
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stdout(
        "Available chardev backend types: \n"
        "  file\n  mux\n  null\n  pipe\n  pty\n  ringbuf\n"
        "  serial\n  socket\n  stdio\n");
}

static bool got_eof_data(void *p)
{
    return ((TestFe *)p)->got->len >= 5;
}

/* stdio with a non-tty stdin (a pipe): input until EOF, output after. */
static void test_stdio_non_tty(void)
{
    if (g_test_subprocess()) {
        int p[2];
        g_assert_cmpint(pipe(p), ==, 0);
        dup2(p[0], 0);
        close(p[0]);
        g_assert_cmpint(write(p[1], "hello", 5), ==, 5);
        close(p[1]);
        Chardev *chr = must_new("stdio,id=st0");
        TestFe t;
        tfe_attach(&t, chr);
        g_assert_true(pump_until(got_eof_data, &t, 10000));
        pump_for(20); /* EOF: input side dropped, no busy loop */
        g_assert_cmpstr(t.got->str, ==, "hello");
        chr_fe_write(&t.fe, (const uint8_t *)"out-after-eof\n", 14);
        GError *err = NULL;
        g_assert_null(chardev_new_from_string("stdio,id=st1", &err));
        g_assert_cmpstr(err->message, ==,
                        "cannot use stdio by multiple character devices");
        g_error_free(err);
        tfe_detach(&t);
        chardev_remove("st0", NULL);
        return;
    }
    g_test_trap_subprocess(NULL, 30 * G_USEC_PER_SEC, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stdout("*out-after-eof*");
}

/* Child: make the tty stdin raw, then leave by the way the path says. */
static void stdio_raw_child(const char *how)
{
    struct termios tio;
    /* GLib 2.74 gives the child /dev/null as stdin whatever the flags:
     * the parent names its pty in the environment instead. */
    int tty = open(g_getenv("KVMU_TEST_TTY"), O_RDWR | O_NOCTTY);
    g_assert_cmpint(tty, >=, 0);
    dup2(tty, 0);
    close(tty);
    Chardev *chr =
        must_new(strcmp(how, "signal-off") == 0 ? "stdio,id=st2,signal=off"
                                                : "stdio,id=st2");
    g_assert_cmpint(tcgetattr(0, &tio), ==, 0);
    g_assert_false(tio.c_lflag & (ICANON | ECHO));
    if (strcmp(how, "signal-off") == 0) {
        g_assert_false(tio.c_lflag & ISIG);
    } else {
        g_assert_true(tio.c_lflag & ISIG);
    }
    if (strcmp(how, "abort") == 0) {
        abort();
    }
    if (strcmp(how, "remove") == 0) {
        chardev_remove("st2", NULL);
        g_assert_cmpint(tcgetattr(0, &tio), ==, 0);
        g_assert_true(tio.c_lflag & ICANON);
    }
    (void)chr;
    exit(0); /* "exit" and "signal-off": the atexit path restores */
}

static void test_stdio_tty_restored(gconstpointer how)
{
    if (g_test_subprocess()) {
        stdio_raw_child(how);
        return;
    }
    int master, slave;
    struct termios tio;
    g_assert_cmpint(openpty(&master, &slave, NULL, NULL, NULL), ==, 0);
    g_assert_cmpint(tcgetattr(slave, &tio), ==, 0);
    g_assert_true(tio.c_lflag & ICANON);
    g_setenv("KVMU_TEST_TTY", ptsname(master), TRUE);
    g_autofree char *path =
        g_strdup_printf("/chardev/stdio-tty-restored/%s", (const char *)how);
    g_test_trap_subprocess(path, 30 * G_USEC_PER_SEC, 0);
    if (strcmp(how, "abort") == 0) {
        g_test_trap_assert_failed();
    } else {
        g_test_trap_assert_passed();
    }
    g_assert_cmpint(tcgetattr(slave, &tio), ==, 0);
    g_assert_true(tio.c_lflag & ICANON); /* restored by the child */
    g_assert_true(tio.c_lflag & ECHO);
    close(slave);
    close(master);
}

static int idle_fired;

static void idle_timer_cb(void *opaque)
{
    idle_fired = 1;
}

/* With chardevs watching fds, an idle loop must sleep, not spin. */
static void test_idle_loop_does_not_spin(void)
{
    g_autofree char *base = g_build_filename(tmpdir, "idlepipe", NULL);
    g_autofree char *spec = g_strdup_printf("pipe,id=idle0,path=%s", base);
    g_assert_cmpint(mkfifo(base, 0600), ==, 0);
    Chardev *chr = must_new(spec);
    TestFe t;
    tfe_attach(&t, chr);
    Chardev *sock = must_new("socket,id=idle1,host=127.0.0.1,port=0,"
                             "server=on,wait=off");
    QEMUTimer *timer = timer_new_ms(QEMU_CLOCK_REALTIME, idle_timer_cb, NULL);
    timer_mod(timer, clock_get_ms(QEMU_CLOCK_REALTIME) + 50);
    int iterations = 0;
    idle_fired = 0;
    while (!idle_fired && iterations < 100000) {
        main_loop_iteration(true);
        iterations++;
    }
    g_test_message("%d iterations in 50 ms of idle", iterations);
    g_assert_cmpint(iterations, <, 50);
    timer_free(timer);
    tfe_detach(&t);
    chardev_remove("idle0", NULL);
    chardev_remove("idle1", NULL);
    (void)sock;
}

/* Random -chardev/-serial strings never crash: an error or a chardev.
 * (No "server" token: server=on,wait=on would block by design.) */
static void test_random_specs(void)
{
    static const char *const tok[] = {
        "null",     "file",       "pipe",     "ringbuf",
        "socket",   "pty",        "serial",   "id=",
        "x",        "y",          "path=",    "/nonexistent/",
        "size=",    "8",          "3",        "port=",
        "host=",    "append=",    "on",       "off",
        ",",        ",,",         "=",        ":",
        "mux=",     "tcp:",       "unix:",    "mon:",
        "file:",    "pipe:",      "chardev:", "-",
        "logfile=", "reconnect=", "1",        "fd=",
        "99",       "nodelay",    "wait=",    "\001",
        "help",
    };
    g_autofree char *cwd = g_get_current_dir();
    g_assert_cmpint(chdir(tmpdir), ==, 0);
    GRand *r = g_rand_new_with_seed(1234);
    for (int i = 0; i < 3000; i++) {
        GString *spec = g_string_new("");
        int n = g_rand_int_range(r, 0, 8);
        for (int j = 0; j < n; j++) {
            g_string_append(spec,
                            tok[g_rand_int_range(r, 0, G_N_ELEMENTS(tok))]);
        }
        GError *err = NULL;
        Chardev *chr = (i & 1) ? chardev_new_from_string(spec->str, &err)
                               : chardev_parse_legacy(spec->str, "rnd", &err);
        g_assert_true((chr == NULL) == (err != NULL));
        if (chr) {
            chardev_write(chr, (const uint8_t *)"z", 1);
            chardev_remove(chardev_id(chr), NULL);
        }
        g_clear_error(&err);
        g_string_free(spec, TRUE);
    }
    g_rand_free(r);
    g_assert_cmpint(chdir(cwd), ==, 0);
}

/* QMP's "mux" backend layered over an existing chardev */
static void test_mux_backend_over_ringbuf(void)
{
    Chardev *rb = must_new("ringbuf,id=mbase");
    Chardev *mx = must_new("mux,id=mtop,chardev=mbase");
    g_assert_true(chardev_is_mux(mx));
    TestFe a, b;
    tfe_attach(&a, mx);
    tfe_attach(&b, mx);
    chr_fe_write(&a.fe, (const uint8_t *)"A", 1);
    chr_fe_write(&b.fe, (const uint8_t *)"B", 1);
    size_t n;
    g_autofree uint8_t *out = ringbuf_read(rb, 16, &n, NULL);
    g_assert_cmpstr((char *)out, ==, "AB");
    /* C-a t: timestamps at line starts (after the toggle) */
    chardev_be_feed(mx, (const uint8_t *)"\001t", 2);
    chr_fe_write(&a.fe, (const uint8_t *)"l1\nl2\n", 6);
    g_autofree uint8_t *ts = ringbuf_read(rb, 64, &n, NULL);
    g_assert_true(g_pattern_match_simple("l1\n[00:00:00.*] l2\n", (char *)ts));
    chardev_be_feed(mx, (const uint8_t *)"\001t", 2);
    chardev_be_feed(rb, (const uint8_t *)"x\001cy", 4);
    g_assert_cmpstr(b.got->str, ==, "x");
    g_assert_cmpstr(a.got->str, ==, "y");
    GError *err = NULL;
    g_assert_false(chardev_remove("mbase", &err));
    g_assert_cmpstr(err->message, ==, "Chardev 'mbase' is busy");
    g_clear_error(&err);
    g_assert_null(chardev_new_from_string("mux,id=m2,chardev=nope", &err));
    g_assert_cmpstr(err->message, ==, "mux: base chardev nope not found");
    g_clear_error(&err);
    g_assert_null(chardev_new_from_string("mux,id=m2,chardev=mbase", &err));
    g_assert_cmpstr(err->message, ==, "Device 'mbase' is in use");
    g_clear_error(&err);
    tfe_detach(&a);
    tfe_detach(&b);
    g_assert_true(chardev_remove("mtop", NULL));
    g_assert_true(chardev_remove("mbase", NULL));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    tmpdir = g_dir_make_tmp("kvmu-char-XXXXXX", NULL);
    g_test_add_func("/chardev/file-writes-and-append",
                    test_file_writes_and_append);
    g_test_add_func("/chardev/ringbuf-wraparound", test_ringbuf_wraparound);
    g_test_add_func("/chardev/logfile-copies-output",
                    test_logfile_copies_output);
    g_test_add_func("/chardev/bad-options", test_bad_options);
    g_test_add_func("/chardev/legacy-specs", test_legacy_specs);
    g_test_add_func("/chardev/registry", test_registry);
    g_test_add_func("/chardev/random-specs", test_random_specs);
    g_test_add_func("/chardev/mux-escapes", test_mux_escapes);
    g_test_add_func("/chardev/mux-backend-over-ringbuf",
                    test_mux_backend_over_ringbuf);
    g_test_add_func("/chardev/pty-announces-path", test_pty_announces_path);
    g_test_add_func("/chardev/pty-io", test_pty_io);
    g_test_add_func("/chardev/serial-host-tty", test_serial_host_tty);
    g_test_add_func("/chardev/help", test_help);
    g_test_add_func("/chardev/idle-loop-does-not-spin",
                    test_idle_loop_does_not_spin);
    g_test_add_func("/chardev/stdio-non-tty", test_stdio_non_tty);
    static const char *const ways[] = {"remove", "exit", "signal-off", "abort"};
    for (size_t i = 0; i < G_N_ELEMENTS(ways); i++) {
        g_autofree char *p =
            g_strdup_printf("/chardev/stdio-tty-restored/%s", ways[i]);
        g_test_add_data_func(p, ways[i], test_stdio_tty_restored);
    }
    int r = g_test_run();
    chardev_remove_all();
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) {
        g_printerr("could not remove %s\n", tmpdir);
    }
    return r;
}
