/*
 * pty: a pseudo-terminal pair; the guest side is the master, users attach
 * to the slave (/dev/pts/N), announced as QEMU does: "char device
 * redirected to /dev/pts/N (label ID)". While no one has the slave open
 * the master reports HUP: the chardev is then disconnected, output is
 * dropped, and the slave is re-checked once a second.
 */
#include "char-internal.h"
#include "system/timer.h"
#include "util/error.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

typedef struct {
    int master;
    char *path;
    QEMUTimer *poll_timer;
} PtyState;

static bool pty_slave_open(PtyState *s)
{
    struct pollfd pfd = {.fd = s->master, .events = POLLIN};
    return poll(&pfd, 1, 0) >= 0 && !(pfd.revents & POLLHUP);
}

static void pty_poll(void *opaque)
{
    Chardev *chr = opaque;
    PtyState *s = chr->be;

    if (pty_slave_open(s)) {
        chr_fd_set(chr, s->master, s->master, false);
        chr_be_event(chr, CHR_EVENT_OPENED);
    } else {
        timer_mod_ns(s->poll_timer, clock_get_ns(QEMU_CLOCK_REALTIME) +
                                        NANOSECONDS_PER_SECOND);
    }
}

static void pty_hangup(Chardev *chr)
{
    PtyState *s = chr->be;
    chr_fd_set(chr, -1, -1, false);
    if (chr->be_open) {
        chr_be_event(chr, CHR_EVENT_CLOSED);
    }
    timer_mod_ns(s->poll_timer,
                 clock_get_ns(QEMU_CLOCK_REALTIME) + NANOSECONDS_PER_SECOND);
}

static bool pty_open(Chardev *chr, GHashTable *opts, GError **errp)
{
    PtyState *s = chr->be;
    int slave;
    char name[256];

    s->master = -1;
    if (openpty(&s->master, &slave, name, NULL, NULL) < 0) {
        error_setg_errno(errp, errno, "Failed to create PTY");
        return false;
    }
    /* Raw on the slave side so bytes pass untouched. */
    struct termios tty;
    if (tcgetattr(slave, &tty) == 0) {
        cfmakeraw(&tty);
        tcsetattr(slave, TCSAFLUSH, &tty);
    }
    close(slave);
    chr_fd_nonblock(s->master);
    s->path = g_strdup(name);
    s->poll_timer = timer_new_ns(QEMU_CLOCK_REALTIME, pty_poll, chr);
    fprintf(stderr, "char device redirected to %s (label %s)\n", s->path,
            chr->id);
    pty_poll(chr);
    return true;
}

static void pty_close(Chardev *chr)
{
    PtyState *s = chr->be;
    chr_fd_set(chr, -1, -1, false);
    timer_free(s->poll_timer);
    if (s->master >= 0) {
        close(s->master);
    }
    g_free(s->path);
}

static char *pty_filename(Chardev *chr)
{
    PtyState *s = chr->be;
    return g_strdup_printf("pty:%s", s->path);
}

const ChardevBackend chardev_pty = {
    .name = "pty",
    .state_size = sizeof(PtyState),
    .open = pty_open,
    .hangup = pty_hangup,
    .close = pty_close,
    .filename = pty_filename,
};

const char *chardev_pty_path(Chardev *chr)
{
    if (!chr || chr->be_ops != &chardev_pty) {
        return NULL;
    }
    return ((PtyState *)chr->be)->path;
}
