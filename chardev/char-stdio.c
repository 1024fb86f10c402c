/*
 * stdio: input from fd 0, output to fd 1. On a terminal, stdin is put in
 * raw mode (no echo, no line editing, Ctrl-C still a signal unless
 * signal=off) and the saved settings are restored on every exit path:
 * close, atexit, and fatal signals (the handler only calls tcsetattr,
 * which is async-signal-safe, then re-raises). SIGTERM/INT/HUP arrive
 * through the main loop's signalfd and end in exit(), hence atexit. After
 * Ctrl-Z + fg, SIGCONT re-applies raw mode. A non-tty stdin (file,
 * pipe, /dev/null) is read until EOF; output keeps working after it.
 * Only one stdio chardev may exist, as in QEMU.
 */
#include "char-internal.h"
#include "util/error.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static Chardev *stdio_owner;
static bool tty_saved;
static struct termios tty_orig, tty_rawmode;
static volatile sig_atomic_t tty_raw;

static void tty_restore(void)
{
    if (tty_saved && tty_raw) {
        tcsetattr(0, TCSANOW, &tty_orig);
        tty_raw = 0;
    }
}

static void fatal_signal_handler(int sig)
{
    tty_restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Back in the foreground after Ctrl-Z: the shell put the terminal in
 * its own mode meanwhile. */
static void sigcont_handler(int sig)
{
    if (tty_raw) {
        tcsetattr(0, TCSANOW, &tty_rawmode);
    }
}

static void tty_install_exit_paths(void)
{
    static bool done;
    static const int fatal[] = {SIGSEGV, SIGBUS,  SIGILL,
                                SIGFPE,  SIGABRT, SIGQUIT};
    if (done) {
        return;
    }
    done = true;
    atexit(tty_restore);
    for (size_t i = 0; i < G_N_ELEMENTS(fatal); i++) {
        struct sigaction sa;
        sigaction(fatal[i], NULL, &sa);
        if (sa.sa_handler != SIG_DFL) {
            continue; /* somebody (a sanitizer) handles it already */
        }
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = fatal_signal_handler;
        sa.sa_flags = SA_RESETHAND;
        sigaction(fatal[i], &sa, NULL);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = sigcont_handler;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGCONT, &sa, NULL);
}

static void tty_set_raw(bool allow_signals)
{
    struct termios tty;

    if (!isatty(0) || tcgetattr(0, &tty_orig) < 0) {
        return;
    }
    tty_saved = true;
    tty_install_exit_paths();
    tty = tty_orig;
    tty.c_iflag &=
        ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    tty.c_oflag |= OPOST;
    tty.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
    if (!allow_signals) {
        tty.c_lflag &= ~ISIG;
    }
    tty.c_cflag &= ~(CSIZE | PARENB);
    tty.c_cflag |= CS8;
    tty.c_cc[VMIN] = 1;
    tty.c_cc[VTIME] = 0;
    tty_rawmode = tty;
    tcsetattr(0, TCSANOW, &tty);
    tty_raw = 1;
}

static bool stdio_open(Chardev *chr, GHashTable *opts, GError **errp)
{
    bool allow_signals;

    if (stdio_owner) {
        error_setg(errp, "cannot use stdio by multiple character devices");
        return false;
    }
    if (!chr_opt_bool(opts, "signal", true, &allow_signals, errp)) {
        return false;
    }
    stdio_owner = chr;
    tty_set_raw(allow_signals);
    chr_fd_set(chr, 0, 1, false);
    chr->be_open = true;
    return true;
}

/* stdin hit EOF (non-tty input): keep the output side. */
static void stdio_hangup(Chardev *chr)
{
    chr_fd_set(chr, -1, chr->out_fd, false);
}

static void stdio_close(Chardev *chr)
{
    if (stdio_owner != chr) {
        return; /* failed open: it never had stdio */
    }
    chr_fd_set(chr, -1, -1, false);
    tty_restore();
    stdio_owner = NULL;
}

static const char *const stdio_opts[] = {"signal", NULL};

const ChardevBackend chardev_stdio = {
    .name = "stdio",
    .opts = stdio_opts,
    .open = stdio_open,
    .hangup = stdio_hangup,
    .close = stdio_close,
};
