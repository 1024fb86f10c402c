/*
 * fd plumbing shared by the fd-based backends (file, pipe, stdio, pty,
 * socket): one GSource per chardev watching its input fd (only while the
 * focused frontend can take bytes) and its output fd (only while output
 * is queued).
 *
 * Output never blocks the main loop or a vCPU: a write goes straight to
 * the fd when nothing is queued and the fd takes it; the rest is queued
 * up to CHR_OUTQ_MAX bytes and drained when the fd is writable; beyond
 * that bytes are dropped and counted in chr->dropped. fds we do not own
 * (stdout) keep their blocking mode: we poll them for POLLOUT first and
 * write at most PIPE_BUF bytes per ready check.
 */
#include "char-internal.h"
#include "system/main-loop.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct ChardevSource {
    GSource source;
    Chardev *chr;
    gpointer in_tag, out_tag;
    GIOCondition in_cond, out_cond; /* what the tags watch now */
};

/* g_source_modify_unix_fd() wakes the context: calling it from prepare()
 * on every iteration would turn the loop into a busy loop, so only call
 * it when the condition really changes. */
static void source_watch(ChardevSource *cs, gpointer tag, GIOCondition *cur,
                         GIOCondition want)
{
    if (*cur != want) {
        *cur = want;
        g_source_modify_unix_fd(&cs->source, tag, want);
    }
}

void chr_fd_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) {
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static bool fd_is_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl >= 0 && (fl & O_NONBLOCK);
}

/* Write without blocking; returns bytes written, 0 if the fd is full,
 * -errno on a real error. */
static ssize_t write_nonblock(Chardev *chr, const uint8_t *buf, size_t len)
{
    ssize_t n;

    if (chr->out_is_socket) {
        do {
            n = send(chr->out_fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        } while (n < 0 && errno == EINTR);
    } else {
        if (!chr->out_nonblock) {
            struct pollfd pfd = {.fd = chr->out_fd, .events = POLLOUT};
            if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & POLLOUT)) {
                return (pfd.revents & (POLLERR | POLLHUP)) ? -EPIPE : 0;
            }
            len = MIN(len, PIPE_BUF);
        }
        do {
            n = write(chr->out_fd, buf, len);
        } while (n < 0 && errno == EINTR);
    }
    if (n < 0) {
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
    }
    return n;
}

static void chr_fd_hangup(Chardev *chr)
{
    if (chr->be_ops->hangup) {
        chr->be_ops->hangup(chr);
    } else {
        /* No reconnection possible: stop watching the input side. */
        chr_fd_set(chr, -1, chr->out_fd, chr->out_is_socket);
    }
}

static void chr_fd_hangup_bh(void *opaque)
{
    Chardev *chr = opaque;
    if (chr->out_fd >= 0 || chr->in_fd >= 0) {
        chr_fd_hangup(chr);
    }
}

/* Queue what fits, count the rest as dropped. */
static void outq_append(Chardev *chr, const uint8_t *buf, int len)
{
    if (!chr->outq) {
        chr->outq = g_byte_array_new();
    }
    int max = chr->nodrop ? CHR_OUTQ_NODROP_MAX : CHR_OUTQ_MAX;
    int room = max - (int)chr->outq->len;
    int take = MIN(len, MAX(room, 0));
    bool was_empty = chr->outq->len == 0;
    g_byte_array_append(chr->outq, buf, take);
    chr->dropped += len - take;
    if (was_empty && take) {
        chr_fd_wake(chr);
    }
}

int chr_fd_write(Chardev *chr, const uint8_t *buf, int len)
{
    if (len <= 0) {
        return 0;
    }
    if (chr->out_fd < 0) {
        chr->dropped += len;
        return len;
    }
    int done = 0;
    if (!chr->outq || chr->outq->len == 0) {
        while (done < len) {
            ssize_t n = write_nonblock(chr, buf + done, len - done);
            if (n < 0) {
                /* Peer gone: drop, and let the backend tear down from the
                 * main loop (not inside the frontend's write call). */
                chr->dropped += len - done;
                if (!chr->hangup_bh) {
                    chr->hangup_bh = qemu_bh_new(chr_fd_hangup_bh, chr);
                }
                qemu_bh_schedule(chr->hangup_bh);
                return len;
            }
            if (n == 0) {
                break;
            }
            done += n;
        }
    }
    if (done < len) {
        outq_append(chr, buf + done, len - done);
    }
    return len;
}

static void outq_drain(Chardev *chr)
{
    while (chr->outq && chr->outq->len) {
        ssize_t n = write_nonblock(chr, chr->outq->data, chr->outq->len);
        if (n < 0) {
            chr->dropped += chr->outq->len;
            g_byte_array_set_size(chr->outq, 0);
            chr_fd_hangup(chr);
            return;
        }
        if (n == 0) {
            return;
        }
        g_byte_array_remove_range(chr->outq, 0, n);
    }
    chr_be_write_ready(chr);
}

void chr_fd_drop_msgfds(Chardev *chr)
{
    for (int i = 0; i < chr->n_msgfds; i++) {
        if (chr->msgfds[i] >= 0) {
            close(chr->msgfds[i]);
        }
    }
    chr->n_msgfds = 0;
}

/*
 * Read from a unix socket with its SCM_RIGHTS descriptors (kept in
 * chr->msgfds for the frontend's read callback). Anything but
 * SCM_RIGHTS in the control data is ignored; descriptors beyond
 * CHR_MAX_MSGFDS are closed at once.
 */
static ssize_t read_with_fds(Chardev *chr, uint8_t *buf, size_t len)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * CHR_MAX_MSGFDS)];
    } ctl;
    struct iovec iov = { .iov_base = buf, .iov_len = len };
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
    };
    ssize_t n;

    do {
        n = recvmsg(chr->in_fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return n;
    }
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
            c->cmsg_len < CMSG_LEN(0)) {
            continue;
        }
        size_t nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < nfds; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            if (fd < 0) {
                continue;
            }
            if (chr->n_msgfds < CHR_MAX_MSGFDS) {
                chr->msgfds[chr->n_msgfds++] = fd;
            } else {
                close(fd);
            }
        }
    }
    return n;
}

static gboolean chr_source_prepare(GSource *s, gint *timeout)
{
    ChardevSource *cs = (ChardevSource *)s;
    Chardev *chr = cs->chr;

    *timeout = -1;
    if (cs->in_tag) {
        source_watch(cs, cs->in_tag, &cs->in_cond,
                     chr_be_can_write(chr) > 0 ? G_IO_IN | G_IO_HUP | G_IO_ERR
                                               : 0);
    }
    if (cs->out_tag) {
        source_watch(cs, cs->out_tag, &cs->out_cond,
                     chr->outq && chr->outq->len ? G_IO_OUT | G_IO_ERR : 0);
    }
    return FALSE;
}

static gboolean chr_source_dispatch(GSource *s, GSourceFunc cb, gpointer d)
{
    ChardevSource *cs = (ChardevSource *)s;
    Chardev *chr = cs->chr;
    bool taken = !bql_locked();

    if (taken) {
        bql_lock();
    }
    if (cs->out_tag &&
        (g_source_query_unix_fd(s, cs->out_tag) & (G_IO_OUT | G_IO_ERR))) {
        outq_drain(chr);
    }
    /* The drain may have hung up and replaced the source. */
    if (!g_source_is_destroyed(s) && cs->in_tag &&
        (g_source_query_unix_fd(s, cs->in_tag) &
         (G_IO_IN | G_IO_HUP | G_IO_ERR))) {
        uint8_t buf[CHR_READ_BUF];
        int want = MIN(chr_be_can_write(chr), (int)sizeof(buf));
        if (want > 0) {
            ssize_t n;
            if (chr->in_is_unix) {
                n = read_with_fds(chr, buf, want);
            } else {
                do {
                    n = read(chr->in_fd, buf, want);
                } while (n < 0 && errno == EINTR);
            }
            if (n > 0) {
                chr_be_write(chr, buf, n);
            }
            /* descriptors the frontend did not claim in read() */
            chr_fd_drop_msgfds(chr);
            if (n > 0) {
                /* delivered */
            } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
                chr_fd_hangup(chr);
            }
        }
    }
    if (taken) {
        bql_unlock();
    }
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs chr_source_funcs = {
    .prepare = chr_source_prepare,
    .dispatch = chr_source_dispatch,
};

static void chr_source_drop(Chardev *chr)
{
    if (chr->source) {
        g_source_destroy(&chr->source->source);
        g_source_unref(&chr->source->source);
        chr->source = NULL;
    }
}

void chr_fd_set(Chardev *chr, int in_fd, int out_fd, bool is_socket)
{
    chr_source_drop(chr);
    chr->in_fd = in_fd;
    chr->out_fd = out_fd;
    chr->out_is_socket = is_socket;
    chr->in_is_unix = false;
    if (is_socket && in_fd >= 0) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        chr->in_is_unix = getsockname(in_fd, (struct sockaddr *)&ss, &sl) == 0 &&
                          ss.ss_family == AF_UNIX;
    }
    chr->out_nonblock = out_fd >= 0 && fd_is_nonblocking(out_fd);
    if (out_fd < 0 && chr->outq) {
        chr->dropped += chr->outq->len;
        g_byte_array_set_size(chr->outq, 0);
    }
    if (in_fd < 0 && out_fd < 0) {
        return;
    }
    ChardevSource *cs =
        (ChardevSource *)g_source_new(&chr_source_funcs, sizeof(*cs));
    g_source_set_name(&cs->source, "kvmu-chardev");
    cs->chr = chr;
    if (in_fd >= 0) {
        cs->in_tag = g_source_add_unix_fd(&cs->source, in_fd, 0);
    }
    if (out_fd >= 0) {
        cs->out_tag = g_source_add_unix_fd(&cs->source, out_fd, 0);
    }
    chr->source = cs;
    g_source_attach(&cs->source, main_loop_context());
}

void chr_fd_wake(Chardev *chr)
{
    /* prepare() re-evaluates the conditions on the next iteration; a
     * vCPU thread's write must interrupt a poll already sleeping. */
    if (!qemu_in_main_thread()) {
        main_loop_wake();
    }
}

void chr_fd_free(Chardev *chr)
{
    chr_source_drop(chr);
    chr_fd_drop_msgfds(chr);
    qemu_bh_delete(chr->hangup_bh);
    chr->hangup_bh = NULL;
    if (chr->outq) {
        g_byte_array_free(chr->outq, TRUE);
        chr->outq = NULL;
    }
}
