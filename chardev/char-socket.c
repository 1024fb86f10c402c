/*
 * socket: a byte stream over a unix (path=) or TCP (host=, port=) socket.
 *   server=on   listen; wait=on (default) blocks at creation until the
 *               first client connects (QEMU prints "QEMU waiting for
 *               connection on: ..."); wait=off accepts clients later.
 *               One client at a time: the listener is not watched while
 *               a client is connected (others wait in the backlog).
 *   server=off  connect at creation; with reconnect=N (seconds) a failed
 *               or lost connection is retried every N seconds and the
 *               creation itself does not fail.
 *   fd=N        an inherited socket: listening if server=on, else
 *               already connected.
 *   nodelay     TCP_NODELAY.  telnet: only off.  ipv4/ipv6/to: accepted
 *               and ignored.
 * Leaves out: telnet negotiation, websocket, TLS, tn3270, abstract unix
 * sockets. A client's first connect without reconnect= blocks (its error
 * is the creation's error, as in QEMU); reconnect attempts are
 * non-blocking. Host names are resolved synchronously (getaddrinfo).
 * Writes use MSG_NOSIGNAL, so a vanished peer gives EPIPE, not SIGPIPE.
 */
#include "char-internal.h"
#include "system/main-loop.h"
#include "system/timer.h"
#include "util/cutils.h"
#include "util/error.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

typedef struct {
    bool is_unix, server, wait, nodelay, fd_passed;
    int64_t reconnect; /* seconds, 0 = off */
    char *path, *host, *port;
    int listen_fd, fd;
    int connecting_fd; /* non-blocking connect in progress, or -1 */
    QEMUTimer *reconnect_timer;
    char *local, *peer; /* printable addresses */
} SocketState;

static char *addr_str(const struct sockaddr_storage *ss, socklen_t len)
{
    char host[INET6_ADDRSTRLEN + 2], serv[16];

    if (ss->ss_family == AF_UNIX) {
        const struct sockaddr_un *un = (const struct sockaddr_un *)ss;
        return g_strndup(un->sun_path, sizeof(un->sun_path));
    }
    if (getnameinfo((const struct sockaddr *)ss, len, host, sizeof(host), serv,
                    sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV)) {
        return g_strdup("?");
    }
    if (ss->ss_family == AF_INET6) {
        return g_strdup_printf("[%s]:%s", host, serv);
    }
    return g_strdup_printf("%s:%s", host, serv);
}

static char *sock_name(int fd, bool peer)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    memset(&ss, 0, sizeof(ss));
    int r = peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
                 : getsockname(fd, (struct sockaddr *)&ss, &len);
    return r < 0 ? g_strdup("?") : addr_str(&ss, len);
}

static void socket_listen_handler(void *opaque);
static void socket_retry_later(Chardev *chr);
static void socket_reconnect(void *opaque);

static void socket_connected(Chardev *chr, int fd)
{
    SocketState *s = chr->be;
    int one = 1;

    chr_fd_nonblock(fd);
    if (!s->is_unix && s->nodelay) {
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    s->fd = fd;
    g_free(s->peer);
    s->peer = s->is_unix ? NULL : sock_name(fd, true);
    if (s->listen_fd >= 0) {
        qemu_set_fd_handler(s->listen_fd, NULL, NULL, NULL);
    }
    chr_fd_set(chr, fd, fd, true);
    chr_be_event(chr, CHR_EVENT_OPENED);
}

static void socket_hangup(Chardev *chr)
{
    SocketState *s = chr->be;

    chr_fd_set(chr, -1, -1, true);
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    if (chr->be_open) {
        chr_be_event(chr, CHR_EVENT_CLOSED);
    }
    if (s->server && s->listen_fd >= 0) {
        qemu_set_fd_handler(s->listen_fd, socket_listen_handler, NULL, chr);
    } else if (s->reconnect > 0) {
        socket_retry_later(chr);
    }
}

static void socket_listen_handler(void *opaque)
{
    Chardev *chr = opaque;
    SocketState *s = chr->be;

    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
        return; /* EAGAIN, ECONNABORTED...: wait for the next one */
    }
    if (s->fd >= 0) {
        close(fd); /* not reached: the listener is unwatched meanwhile */
        return;
    }
    socket_connected(chr, fd);
}

/* Resolve host:port; returns a list to free with freeaddrinfo. */
static struct addrinfo *socket_resolve(SocketState *s, bool passive,
                                       GError **errp)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = passive ? AI_PASSIVE : 0,
    };
    struct addrinfo *res = NULL;
    const char *host = s->host && *s->host ? s->host : NULL;
    int r = getaddrinfo(host, s->port, &hints, &res);
    if (r) {
        error_setg(errp, "address resolution failed for %s:%s: %s", s->host,
                   s->port, gai_strerror(r));
        return NULL;
    }
    return res;
}

static bool unix_addr(SocketState *s, struct sockaddr_un *un, GError **errp)
{
    memset(un, 0, sizeof(*un));
    un->sun_family = AF_UNIX;
    if (strlen(s->path) >= sizeof(un->sun_path)) {
        error_setg(errp, "UNIX socket path '%s' is too long", s->path);
        return false;
    }
    strcpy(un->sun_path, s->path);
    return true;
}

/*
 * Connect to the configured address. Blocking for the first attempt
 * without reconnect (as QEMU: creation reports the error); non-blocking
 * for reconnect attempts from the main loop, where a TCP connect in
 * progress returns its fd with *in_progress set.
 */
static int socket_connect(SocketState *s, bool nonblock, bool *in_progress,
                          GError **errp)
{
    int fd = -1, err = 0;
    int flags = SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0);

    *in_progress = false;
    if (s->is_unix) {
        struct sockaddr_un un;
        if (!unix_addr(s, &un, errp)) {
            return -1;
        }
        fd = socket(AF_UNIX, SOCK_STREAM | flags, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&un, sizeof(un)) < 0) {
            err = errno;
            close(fd);
            fd = -1;
        }
        if (fd < 0) {
            error_setg_errno(errp, err ? err : errno,
                             "Failed to connect to '%s'", s->path);
        }
        return fd;
    }
    struct addrinfo *res = socket_resolve(s, false, errp);
    if (!res) {
        return -1;
    }
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | flags, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            break;
        }
        err = errno;
        if (nonblock && err == EINPROGRESS) {
            *in_progress = true;
            break;
        }
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        error_setg_errno(errp, err, "Failed to connect to '%s:%s'", s->host,
                         s->port);
    }
    return fd;
}

static int socket_listen(SocketState *s, GError **errp)
{
    int fd = -1, err = 0, one = 1;

    if (s->is_unix) {
        struct sockaddr_un un;
        if (!unix_addr(s, &un, errp)) {
            return -1;
        }
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            error_setg_errno(errp, errno, "Failed to create socket");
            return -1;
        }
        unlink(s->path); /* a stale socket from a previous run */
        if (bind(fd, (struct sockaddr *)&un, sizeof(un)) < 0 ||
            listen(fd, 1) < 0) {
            error_setg_errno(errp, errno, "Failed to bind socket to %s",
                             s->path);
            close(fd);
            return -1;
        }
        return fd;
    }
    struct addrinfo *res = socket_resolve(s, true, errp);
    if (!res) {
        return -1;
    }
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1) == 0) {
            break;
        }
        err = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        error_setg_errno(errp, err, "Failed to bind socket to %s:%s", s->host,
                         s->port);
    }
    return fd;
}

static void socket_retry_later(Chardev *chr)
{
    SocketState *s = chr->be;
    timer_mod_ns(s->reconnect_timer, clock_get_ns(QEMU_CLOCK_REALTIME) +
                                         s->reconnect * NANOSECONDS_PER_SECOND);
}

/* A non-blocking TCP connect finished (or failed). */
static void socket_connect_done(void *opaque)
{
    Chardev *chr = opaque;
    SocketState *s = chr->be;
    int fd = s->connecting_fd;
    int err = 0;
    socklen_t len = sizeof(err);

    qemu_set_fd_handler(fd, NULL, NULL, NULL);
    s->connecting_fd = -1;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
        close(fd);
        socket_retry_later(chr);
        return;
    }
    socket_connected(chr, fd);
}

static void socket_reconnect(void *opaque)
{
    Chardev *chr = opaque;
    SocketState *s = chr->be;
    bool in_progress;

    if (s->fd >= 0 || s->connecting_fd >= 0) {
        return;
    }
    int fd = socket_connect(s, true, &in_progress, NULL);
    if (fd < 0) {
        socket_retry_later(chr);
    } else if (in_progress) {
        /* Never block the main loop on an unreachable peer. */
        s->connecting_fd = fd;
        qemu_set_fd_handler(fd, NULL, socket_connect_done, chr);
    } else {
        socket_connected(chr, fd);
    }
}

static char *socket_filename(Chardev *chr);

static bool socket_parse(Chardev *chr, SocketState *s, GHashTable *opts,
                         GError **errp)
{
    const char *path = chr_opt(opts, "path");
    const char *host = chr_opt(opts, "host");
    const char *port = chr_opt(opts, "port");
    const char *fdstr = chr_opt(opts, "fd");
    const char *rc = chr_opt(opts, "reconnect");
    bool telnet;

    if (!chr_opt_bool(opts, "server", false, &s->server, errp) ||
        !chr_opt_bool(opts, "wait", true, &s->wait, errp) ||
        !chr_opt_bool(opts, "nodelay", false, &s->nodelay, errp) ||
        !chr_opt_bool(opts, "telnet", false, &telnet, errp)) {
        return false;
    }
    if (telnet) {
        error_setg(errp, "chardev: socket: telnet is not supported");
        return false;
    }
    if (rc) {
        uint64_t v;
        if (parse_uint64(rc, 10, &v) < 0 || v > 86400 * 365) {
            error_setg(errp, "Parameter 'reconnect' expects uint64");
            return false;
        }
        s->reconnect = v;
    }
    if (s->server && s->reconnect) {
        error_setg(errp, "'reconnect' option is incompatible with "
                         "'server' option");
        return false;
    }
    if (fdstr) {
        uint64_t v;
        if (parse_uint64(fdstr, 10, &v) < 0 || v > G_MAXINT) {
            error_setg(errp, "Parameter 'fd' expects a file descriptor");
            return false;
        }
        int fd = (int)v;
        int type;
        socklen_t tl = sizeof(type);
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 ||
            type != SOCK_STREAM) {
            error_setg(errp, "fd=%d is not a stream socket", fd);
            return false;
        }
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        s->is_unix = getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
                     ss.ss_family == AF_UNIX;
        s->fd_passed = true;
        s->path = g_strdup_printf("fd:%d", fd);
        if (s->server) {
            s->listen_fd = fd;
        } else {
            s->fd = fd;
        }
        return true;
    }
    if (path) {
        if (!*path) {
            error_setg(errp, "chardev: socket: no path given");
            return false;
        }
        s->is_unix = true;
        s->path = g_strdup(path);
        return true;
    }
    if (!host) {
        error_setg(errp, "chardev: socket: no host given");
        return false;
    }
    if (!port || !*port) {
        error_setg(errp, "chardev: socket: no port given");
        return false;
    }
    uint64_t pn;
    if (g_ascii_isdigit(port[0]) &&
        (parse_uint64(port, 10, &pn) < 0 || pn > 65535)) {
        error_setg(errp, "chardev: socket: port '%s' out of range", port);
        return false;
    }
    s->host = g_strdup(host);
    s->port = g_strdup(port);
    return true;
}

static bool socket_open(Chardev *chr, GHashTable *opts, GError **errp)
{
    SocketState *s = chr->be;

    s->listen_fd = s->fd = s->connecting_fd = -1;
    if (!socket_parse(chr, s, opts, errp)) {
        return false;
    }
    s->reconnect_timer =
        timer_new_ns(QEMU_CLOCK_REALTIME, socket_reconnect, chr);
    if (s->server) {
        if (s->listen_fd < 0) {
            s->listen_fd = socket_listen(s, errp);
            if (s->listen_fd < 0) {
                return false;
            }
        }
        chr_fd_nonblock(s->listen_fd);
        s->local = sock_name(s->listen_fd, false);
        if (s->wait) {
            g_autofree char *name = socket_filename(chr);
            info_report("QEMU waiting for connection on: %s", name);
            for (;;) {
                /* The termination signals arrive on the signalfd: watch
                 * it too, so Ctrl-C/SIGTERM still end a wait for a client
                 * that never comes. */
                struct pollfd pfd[2] = {
                    {.fd = s->listen_fd, .events = POLLIN},
                    {.fd = main_loop_signal_fd(), .events = POLLIN},
                };
                if (poll(pfd, pfd[1].fd >= 0 ? 2 : 1, -1) < 0 &&
                    errno != EINTR) {
                    error_setg_errno(errp, errno, "poll");
                    return false;
                }
                if (main_loop_take_signals()) {
                    error_setg(errp, "interrupted by a signal while waiting "
                                     "for a connection");
                    return false;
                }
                int fd = accept4(s->listen_fd, NULL, NULL,
                                 SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd >= 0) {
                    socket_connected(chr, fd);
                    break;
                }
            }
        } else {
            qemu_set_fd_handler(s->listen_fd, socket_listen_handler, NULL, chr);
        }
        return true;
    }
    if (s->fd >= 0) { /* fd= connected socket */
        int fd = s->fd;
        s->fd = -1;
        socket_connected(chr, fd);
        return true;
    }
    if (s->reconnect > 0) {
        /* Creation cannot fail: connect in the background, retry later. */
        socket_reconnect(chr);
        return true;
    }
    bool in_progress;
    int fd = socket_connect(s, false, &in_progress, errp);
    if (fd < 0) {
        return false;
    }
    socket_connected(chr, fd);
    return true;
}

static void socket_close(Chardev *chr)
{
    SocketState *s = chr->be;

    chr_fd_set(chr, -1, -1, true);
    timer_free(s->reconnect_timer);
    if (s->connecting_fd >= 0) {
        qemu_set_fd_handler(s->connecting_fd, NULL, NULL, NULL);
        close(s->connecting_fd);
    }
    if (s->fd >= 0) {
        close(s->fd);
    }
    if (s->listen_fd >= 0) {
        qemu_set_fd_handler(s->listen_fd, NULL, NULL, NULL);
        close(s->listen_fd);
        if (s->is_unix && !s->fd_passed && s->path) {
            unlink(s->path);
        }
    }
    g_free(s->path);
    g_free(s->host);
    g_free(s->port);
    g_free(s->local);
    g_free(s->peer);
}

static char *socket_filename(Chardev *chr)
{
    SocketState *s = chr->be;
    const char *disc = s->fd >= 0 ? "" : "disconnected:";
    const char *srv = s->server ? ",server=on" : "";

    if (s->is_unix) {
        return g_strdup_printf("%sunix:%s%s", disc, s->path, srv);
    }
    const char *local = s->local ? s->local : "";
    if (s->fd >= 0 && s->peer) {
        if (s->server) {
            return g_strdup_printf("tcp:%s%s <-> %s", local, srv, s->peer);
        }
        return g_strdup_printf("tcp:%s", s->peer);
    }
    if (s->server) {
        return g_strdup_printf("%stcp:%s%s", disc, local, srv);
    }
    return g_strdup_printf("%stcp:%s:%s", disc, s->host, s->port);
}

static const char *const socket_opts[] = {
    "path",   "host", "port", "server", "wait", "reconnect", "nodelay",
    "telnet", "fd",   "ipv4", "ipv6",   "to",   NULL,
};

const ChardevBackend chardev_socket = {
    .name = "socket",
    .state_size = sizeof(SocketState),
    .opts = socket_opts,
    .open = socket_open,
    .hangup = socket_hangup,
    .close = socket_close,
    .filename = socket_filename,
};

const char *chardev_socket_local_addr(Chardev *chr)
{
    if (!chr || chr->be_ops != &chardev_socket) {
        return NULL;
    }
    SocketState *s = chr->be;
    return s->is_unix ? s->path : s->local;
}
