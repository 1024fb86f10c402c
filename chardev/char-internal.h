/*
 * chardev/ internals: the Chardev object shared by the core (char.c),
 * the fd plumbing (char-fd.c), the mux (char-mux.c) and the backends.
 * Not for use outside chardev/. All of it is BQL-protected.
 */
#ifndef CHARDEV_CHAR_INTERNAL_H
#define CHARDEV_CHAR_INTERNAL_H

#include "chardev/char.h"

#define CHR_MAX_FRONTENDS 4
#define CHR_OUTQ_MAX (64 * 1024)
#define CHR_READ_BUF 4096
#define CHR_INQ_MAX 32 /* mux input held for a busy frontend */
#define CHR_OUTQ_NODROP_MAX (64 * 1024 * 1024) /* chr_fe_write_all() */
#define CHR_MAX_MSGFDS 16 /* SCM_RIGHTS descriptors kept per read */

typedef struct ChardevBackend {
    const char *name;
    size_t state_size; /* backend state, zeroed, chr->be */
    /* Allowed option keys besides id/backend/mux/logfile/logappend. */
    const char *const *opts;
    bool (*open)(Chardev *chr, GHashTable *opts, GError **errp);
    /* Custom output (ringbuf, null); NULL = write to chr->out_fd. */
    int (*write)(Chardev *chr, const uint8_t *buf, int len);
    /* The out fd failed (EPIPE...) or the in fd hit EOF/HUP. */
    void (*hangup)(Chardev *chr);
    void (*close)(Chardev *chr);
    char *(*filename)(Chardev *chr);
} ChardevBackend;

typedef struct ChardevSource ChardevSource;

struct Chardev {
    char *id;
    const ChardevBackend *be_ops;
    void *be;

    /* frontends (a non-mux chardev has at most one) */
    bool is_mux;
    CharFrontend *fe[CHR_MAX_FRONTENDS];
    int fe_cnt;
    int focus;       /* mux: tag with focus */
    bool mux_escape; /* mux: previous byte was Ctrl-a */
    bool mux_ready;  /* mux: startup events delivered */
    struct QEMUBH *mux_ready_bh;
    bool mux_timestamps; /* mux: C-a t prefixes output lines */
    bool mux_linestart;
    int64_t mux_ts_start; /* realtime ms when timestamps went on */
    GByteArray *inq[CHR_MAX_FRONTENDS]; /* per frontend: input it could
                                         * not take yet (mux slack) */

    /* fd plumbing (char-fd.c) */
    int in_fd, out_fd; /* -1 if none */
    bool out_is_socket;
    bool out_nonblock; /* out_fd has O_NONBLOCK (checked once) */
    bool be_open;      /* connected: OPENED sent, CLOSED not yet */
    ChardevSource *source;
    GByteArray *outq;
    uint64_t dropped;
    struct QEMUBH *hangup_bh; /* a write failed: hang up from the loop */
    int log_fd;               /* logfile=: a copy of all output, or -1 */
    bool nodrop;              /* chr_fe_write_all() in progress */
    bool in_is_unix;          /* in_fd is an AF_UNIX socket: recvmsg */
    int msgfds[CHR_MAX_MSGFDS]; /* SCM_RIGHTS fds of the current read */
    int n_msgfds;
};

/* char.c */
/* A mux delivers OPENED/MUX_IN once the main loop runs (see char.c). */
void chr_mux_init(Chardev *chr);
void chr_be_event(Chardev *chr, ChardevEvent event);
/* Deliver input to the focused frontend (mux escapes handled). */
void chr_be_write(Chardev *chr, const uint8_t *buf, int len);
/* How many bytes the focused frontend takes now. */
int chr_be_can_write(Chardev *chr);
const char *chr_opt(GHashTable *opts, const char *key);
bool chr_opt_bool(GHashTable *opts, const char *key, bool def, bool *out,
                  GError **errp);

/* char-fd.c: attach fds (either may be -1); input is read when the
 * focused frontend can take it, output queued when the fd is full.
 * chr_fd_set(chr, -1, -1) detaches (does not close). */
void chr_fd_set(Chardev *chr, int in_fd, int out_fd, bool is_socket);
int chr_fd_write(Chardev *chr, const uint8_t *buf, int len);
void chr_fd_wake(Chardev *chr);
void chr_fd_free(Chardev *chr);
/* Close the received descriptors nobody claimed. */
void chr_fd_drop_msgfds(Chardev *chr);
/* The output queue emptied: tell the frontends (write_ready). */
void chr_be_write_ready(Chardev *chr);
/* Set O_NONBLOCK and FD_CLOEXEC. */
void chr_fd_nonblock(int fd);

/* char-mux.c: one input byte on a mux; returns true if consumed. */
bool chr_mux_proc_byte(Chardev *chr, uint8_t ch);
void chr_mux_set_focus(Chardev *chr, int tag);

/* char-mux-backend.c: the chardev under a "mux" backend, else NULL. */
Chardev *chr_mux_be_under(Chardev *chr);

/* backends */
extern const ChardevBackend chardev_null;
extern const ChardevBackend chardev_file;
extern const ChardevBackend chardev_pipe;
extern const ChardevBackend chardev_serial;
extern const ChardevBackend chardev_stdio;
extern const ChardevBackend chardev_socket;
extern const ChardevBackend chardev_pty;
extern const ChardevBackend chardev_ringbuf;
extern const ChardevBackend chardev_mux;

#endif
