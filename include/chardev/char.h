/*
 * Character devices: host-side byte streams (stdio, files, pipes, sockets,
 * ptys, ring buffers, null) that guest devices (serial, virtio-console,
 * debugcon) and the monitor attach to as "frontends".
 *
 * A Chardev has an id (-chardev id=), a label (== id), a backend name
 * ("socket", ...) and, normally, at most one frontend; a mux chardev
 * (mux=on, or mon:stdio) takes several and routes input to the one with
 * focus (Ctrl-a c switches).
 *
 * Output (chr_fe_write/chardev_write): all bytes are accepted. The backend
 * writes without blocking; what the host side cannot take now is queued
 * in a per-chardev buffer (64 KiB) drained from the main loop, and what
 * does not fit is DROPPED and counted (chardev_dropped_bytes()); the
 * monitors use chr_fe_write_all() and chr_fe_output_pending() instead,
 * so that their replies are never lost to a slow client. Output
 * to a socket with no peer is dropped (and counted) too, as a serial line
 * with nobody listening. A guest can therefore never block the VMM on a
 * slow or absent reader. Exception: ringbuf overwrites its oldest bytes.
 *
 * Input: the backend polls can_read() of the focused frontend (every
 * main-loop iteration) and passes at most that many bytes to read(); with
 * can_read() == 0 the backend stops reading (chr_fe_accept_input() makes
 * it look again at once). A mux keeps up to 32 bytes of slack per
 * frontend so that C-a escapes work while the focused guest device is not
 * reading.
 *
 * Events: chr_fe_set_handlers() on an open backend delivers OPENED, then
 * (mux, focused frontend) MUX_IN. Exception, as QEMU: a mux created at
 * startup holds OPENED back until the main loop first runs (all of the
 * board's and monitors' frontends attached), then opens every frontend
 * and gives MUX_IN to the focused one (the newest: the guest serial).
 * Focus changes send MUX_OUT to the old and MUX_IN to the new frontend;
 * connect/disconnect send OPENED/CLOSED to every frontend of a mux; BREAK
 * goes to the focused one. A monitor should hold its output while it is
 * MUX_OUT (QEMU prints nothing of the monitor until C-a c).
 *
 * Descriptors: a socket chardev on a unix socket receives SCM_RIGHTS
 * ancillary data; the frontend takes the descriptors with
 * chr_fe_get_msgfd() in its read() callback (QMP getfd/add-fd).
 *
 * Backends: null, file, pipe, serial (alias tty), stdio, pty, socket,
 * ringbuf, mux (QMP chardev-add over an existing chardev: chardev=ID).
 *
 * Locking: all chardev state is protected by the BQL. Frontend callbacks
 * run on the main loop with the BQL held; vCPU threads write while
 * holding the BQL.
 */
#ifndef CHARDEV_CHAR_H
#define CHARDEV_CHAR_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum {
    CHR_EVENT_BREAK,   /* serial break */
    CHR_EVENT_OPENED,  /* backend connected / opened */
    CHR_EVENT_MUX_IN,  /* mux: this frontend gained focus */
    CHR_EVENT_MUX_OUT, /* mux: this frontend lost focus */
    CHR_EVENT_CLOSED,  /* backend disconnected */
} ChardevEvent;

typedef int ChardevCanReadFn(void *opaque);
typedef void ChardevReadFn(void *opaque, const uint8_t *buf, int size);
typedef void ChardevEventFn(void *opaque, ChardevEvent event);
typedef void ChardevWriteReadyFn(void *opaque);

typedef struct Chardev Chardev;

/* A frontend's handle on a chardev; embed it in the device state. */
typedef struct CharFrontend {
    Chardev *chr;
    int tag; /* index in a mux, 0 otherwise */
    ChardevCanReadFn *can_read;
    ChardevReadFn *read;
    ChardevEventFn *event;
    ChardevWriteReadyFn *write_ready; /* chr_fe_set_write_ready() */
    void *opaque;
} CharFrontend;

/* ---- creation and lookup ---- */

/*
 * Create and open a chardev. opts maps QEMU's -chardev keys to strings
 * (path, host, port, server, wait, reconnect, nodelay, telnet, fd, append,
 * size, mux, signal, logfile, logappend). logfile= gets a copy of all
 * output. "id" and "backend" in opts are ignored. Errors use QEMU's texts:
 * "'bogus' is not a valid char driver name", "Duplicate ID 'x' for chardev",
 * "chardev: socket: ...". server=on,wait=on blocks until a client connects, as
 * in QEMU.
 */
Chardev *chardev_new(const char *id, const char *backend, GHashTable *opts,
                     GError **errp);

/* "-chardev socket,id=x,path=/p,server=on": parse then chardev_new. */
Chardev *chardev_new_from_string(const char *optstr, GError **errp);

/*
 * The -serial/-monitor/-qmp/-parallel shorthands: stdio, pty, null,
 * file:PATH, pipe:PATH, unix:PATH[,opts], tcp:HOST:PORT[,opts], /dev/TTY
 * (the "serial" backend, alias "tty"),
 * mon:<spec> (mux=on over <spec>; see chardev_legacy_is_mon), chardev:ID
 * (returns the existing one). "none" is not a chardev: callers test
 * chardev_legacy_is_none() first; passing it returns NULL with an error.
 * "vc" -> error "vc: not supported yet".
 */
Chardev *chardev_parse_legacy(const char *spec, const char *id, GError **errp);
bool chardev_legacy_is_none(const char *spec);
bool chardev_legacy_is_mon(const char *spec);

Chardev *chardev_find(const char *id);
/* Error if a frontend is attached: "Chardev 'x' is busy". */
bool chardev_remove(const char *id, GError **errp);
/* Close and free everything (exit path; restores the terminal). */
void chardev_remove_all(void);
/* Chardevs in creation order (list of Chardev *, free the list only). */
GList *chardev_list(void);
/* Backend names, sorted, for query-chardev-backends (free the list only). */
GList *chardev_backend_names(void);
/* "-chardev help": "Available chardev backend types: \n  file\n  ..." */
void chardev_print_help(FILE *out);

const char *chardev_id(Chardev *chr);
const char *chardev_label(Chardev *chr);
const char *chardev_backend(Chardev *chr);
/* QEMU's query-chardev "filename": "pty:/dev/pts/3", "unix:/p,server=on",
 * "disconnected:tcp:...", "stdio", "file", "null", "ringbuf", "mux"... */
char *chardev_filename(Chardev *chr);
/* query-chardev "frontend-open": a frontend is attached with handlers. */
bool chardev_frontend_open(Chardev *chr);
/* Backend connected (sockets: a peer is there). */
bool chardev_is_connected(Chardev *chr);
uint64_t chardev_dropped_bytes(Chardev *chr);
/* pty: the slave path (/dev/pts/N); NULL otherwise. */
const char *chardev_pty_path(Chardev *chr);
/* socket server: the bound address ("127.0.0.1:4321", "/tmp/s"), useful
 * with port=0. NULL otherwise. */
const char *chardev_socket_local_addr(Chardev *chr);

/* Write bytes as if from a frontend (see "Output" above). Returns len. */
int chardev_write(Chardev *chr, const uint8_t *buf, int len);
/* Feed bytes as if received by the backend (tests, QMP). Returns bytes
 * delivered to the focused frontend. */
int chardev_be_feed(Chardev *chr, const uint8_t *buf, int len);

/* QMP chardev-send-break: CHR_EVENT_BREAK to the (focused) frontend. */
void chardev_send_break(Chardev *chr);

/* ---- frontends ---- */

/* Attach; error "Device 'id' is in use" when a non-mux chardev already
 * has a frontend. A mux gives each frontend its own tag and focus to the
 * newest. */
bool chr_fe_init(CharFrontend *fe, Chardev *chr, GError **errp);
/* Set callbacks (all may be NULL). If the backend is already open the
 * frontend receives CHR_EVENT_OPENED immediately. */
void chr_fe_set_handlers(CharFrontend *fe, ChardevCanReadFn *can_read,
                         ChardevReadFn *read, ChardevEventFn *event,
                         void *opaque);
int chr_fe_write(CharFrontend *fe, const uint8_t *buf, int len);
/*
 * Write without the 64 KiB drop limit: for frontends that throttle
 * themselves on chr_fe_output_pending() (the monitors stop reading
 * requests while their replies wait), so that a slow reader loses
 * nothing. Still bounded (64 MiB queued) against a peer that never reads.
 */
int chr_fe_write_all(CharFrontend *fe, const uint8_t *buf, int len);
/* Bytes written but not yet taken by the host side (0 for backends
 * without a queue: null, ringbuf). */
size_t chr_fe_output_pending(CharFrontend *fe);
/* Call fn(opaque) from the main loop each time the output queue has
 * drained completely (NULL: stop). The opaque of set_handlers is used. */
void chr_fe_set_write_ready(CharFrontend *fe, ChardevWriteReadyFn *fn);
/*
 * A descriptor received (SCM_RIGHTS on a unix socket) with the bytes
 * being delivered: call from the read() callback. Returns the first
 * unclaimed one, now owned by the caller (close-on-exec set), or -1.
 * Descriptors not claimed before read() returns are closed.
 */
int chr_fe_get_msgfd(CharFrontend *fe);
/* can_read() may have become non-zero: resume reading input. */
void chr_fe_accept_input(CharFrontend *fe);
/* Detach (handlers cleared); fe->chr becomes NULL. */
void chr_fe_deinit(CharFrontend *fe);
bool chr_fe_backend_connected(CharFrontend *fe);
static inline Chardev *chr_fe_get_driver(CharFrontend *fe)
{
    return fe->chr;
}

/* ---- mux ---- */
bool chardev_is_mux(Chardev *chr);
void chardev_mux_set_focus(Chardev *chr, int tag);
int chardev_mux_focus(Chardev *chr);

/* ---- ringbuf (QMP ringbuf-write / ringbuf-read) ---- */
/* Error "'x' is not a ringbuffer device" for other backends. */
bool ringbuf_write(Chardev *chr, const uint8_t *data, size_t len,
                   GError **errp);
/* Read and consume up to size bytes; *out_len gets the count. */
uint8_t *ringbuf_read(Chardev *chr, size_t size, size_t *out_len,
                      GError **errp);

#endif
