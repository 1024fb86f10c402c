/*
 * Simple backends: null (discards output, no input), file (path=,
 * append=; output only), pipe (path.in/path.out, or path opened for
 * both, e.g. a FIFO) and serial (alias tty: a host terminal device such
 * as /dev/ttyS0 in raw mode; line settings are not forwarded).
 */
#include "char-internal.h"
#include "util/error.h"

#include <errno.h>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

/* ---- null ---- */

static bool null_open(Chardev *chr, GHashTable *opts, GError **errp)
{
    chr->be_open = true;
    return true;
}

static int null_write(Chardev *chr, const uint8_t *buf, int len)
{
    return len;
}

const ChardevBackend chardev_null = {
    .name = "null",
    .open = null_open,
    .write = null_write,
};

/* ---- file ---- */

typedef struct {
    int fd;
    char *path;
} FileState;

static bool file_open(Chardev *chr, GHashTable *opts, GError **errp)
{
    FileState *s = chr->be;
    const char *path = chr_opt(opts, "path");
    bool append;

    s->fd = -1;
    if (!path || !*path) {
        error_setg(errp, "chardev: file: no filename given");
        return false;
    }
    if (!chr_opt_bool(opts, "append", false, &append, errp)) {
        return false;
    }
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
    s->fd = open(path, flags, 0666);
    if (s->fd < 0) {
        error_setg_errno(errp, errno, "Could not open '%s'", path);
        return false;
    }
    s->path = g_strdup(path);
    chr_fd_set(chr, -1, s->fd, false);
    chr->be_open = true;
    return true;
}

static void file_close(Chardev *chr)
{
    FileState *s = chr->be;
    chr_fd_set(chr, -1, -1, false);
    if (s->fd >= 0) {
        close(s->fd);
    }
    g_free(s->path);
}

static const char *const file_opts[] = {"path", "append", NULL};

const ChardevBackend chardev_file = {
    .name = "file",
    .state_size = sizeof(FileState),
    .opts = file_opts,
    .open = file_open,
    .close = file_close,
};

/* ---- pipe ---- */

typedef struct {
    int in_fd, out_fd;
    char *path;
} PipeState;

static bool pipe_open(Chardev *chr, GHashTable *opts, GError **errp)
{
    PipeState *s = chr->be;
    const char *path = chr_opt(opts, "path");

    s->in_fd = s->out_fd = -1;
    if (!path || !*path) {
        error_setg(errp, "chardev: pipe: no filename given");
        return false;
    }
    g_autofree char *in = g_strdup_printf("%s.in", path);
    g_autofree char *out = g_strdup_printf("%s.out", path);
    /* O_RDWR: opening a FIFO must not block waiting for the other end. */
    s->in_fd = open(in, O_RDWR | O_CLOEXEC);
    s->out_fd = open(out, O_RDWR | O_CLOEXEC);
    if (s->in_fd < 0 || s->out_fd < 0) {
        if (s->in_fd >= 0) {
            close(s->in_fd);
        }
        if (s->out_fd >= 0) {
            close(s->out_fd);
        }
        s->in_fd = s->out_fd = open(path, O_RDWR | O_CLOEXEC);
        if (s->in_fd < 0) {
            error_setg_errno(errp, errno, "Could not open '%s'", path);
            return false;
        }
    }
    chr_fd_nonblock(s->in_fd);
    chr_fd_nonblock(s->out_fd);
    s->path = g_strdup(path);
    chr_fd_set(chr, s->in_fd, s->out_fd, false);
    chr->be_open = true;
    return true;
}

static void pipe_close(Chardev *chr)
{
    PipeState *s = chr->be;
    chr_fd_set(chr, -1, -1, false);
    if (s->in_fd >= 0) {
        close(s->in_fd);
    }
    if (s->out_fd >= 0 && s->out_fd != s->in_fd) {
        close(s->out_fd);
    }
    g_free(s->path);
}

static const char *const pipe_opts[] = {"path", NULL};

const ChardevBackend chardev_pipe = {
    .name = "pipe",
    .state_size = sizeof(PipeState),
    .opts = pipe_opts,
    .open = pipe_open,
    .close = pipe_close,
};

/* ---- serial (host tty device) ---- */

static bool serial_open(Chardev *chr, GHashTable *opts, GError **errp)
{
    PipeState *s = chr->be;
    const char *path = chr_opt(opts, "path");

    s->in_fd = s->out_fd = -1;
    if (!path || !*path) {
        error_setg(errp, "chardev: serial/tty: no device path given");
        return false;
    }
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Could not open '%s'", path);
        return false;
    }
    struct termios tty;
    if (tcgetattr(fd, &tty) == 0) {
        cfmakeraw(&tty);
        tcsetattr(fd, TCSANOW, &tty);
    }
    s->in_fd = s->out_fd = fd;
    s->path = g_strdup(path);
    chr_fd_set(chr, fd, fd, false);
    chr->be_open = true;
    return true;
}

static char *serial_filename(Chardev *chr)
{
    PipeState *s = chr->be;
    return g_strdup(s->path);
}

const ChardevBackend chardev_serial = {
    .name = "serial",
    .state_size = sizeof(PipeState),
    .opts = pipe_opts,
    .open = serial_open,
    .close = pipe_close,
    .filename = serial_filename,
};
