/*
 * Chardev core: the registry of chardevs by id, frontends and their
 * callbacks, event and input delivery, output entry points, and the
 * query helpers (query-chardev, query-chardev-backends).
 */
#include "char-internal.h"
#include "system/main-loop.h"
#include "system/timer.h"
#include "util/error.h"
#include "util/cutils.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static GList *chardevs; /* Chardev *, creation order; BQL */

/* ---- registry ---- */

Chardev *chardev_find(const char *id)
{
    for (GList *l = chardevs; l; l = l->next) {
        Chardev *chr = l->data;
        if (id && strcmp(chr->id, id) == 0) {
            return chr;
        }
    }
    return NULL;
}

GList *chardev_list(void)
{
    return g_list_copy(chardevs);
}

void chardev_register(Chardev *chr);
void chardev_register(Chardev *chr)
{
    chardevs = g_list_append(chardevs, chr);
}

void chardev_destroy(Chardev *chr);
void chardev_destroy(Chardev *chr)
{
    chardevs = g_list_remove(chardevs, chr);
    if (chr->be_ops->close) {
        chr->be_ops->close(chr);
    }
    chr_fd_free(chr);
    qemu_bh_delete(chr->mux_ready_bh);
    for (int i = 0; i < CHR_MAX_FRONTENDS; i++) {
        if (chr->inq[i]) {
            g_byte_array_free(chr->inq[i], TRUE);
        }
    }
    if (chr->log_fd >= 0) {
        close(chr->log_fd);
    }
    g_free(chr->be);
    g_free(chr->id);
    g_free(chr);
}

bool chardev_remove(const char *id, GError **errp)
{
    Chardev *chr = chardev_find(id);
    if (!chr) {
        error_setg(errp, "Chardev '%s' not found", id);
        return false;
    }
    if (chr->fe_cnt > 0) {
        error_setg(errp, "Chardev '%s' is busy", id);
        return false;
    }
    chardev_destroy(chr);
    return true;
}

void chardev_remove_all(void)
{
    while (chardevs) {
        Chardev *chr = chardevs->data;
        for (int i = 0; i < CHR_MAX_FRONTENDS; i++) {
            if (chr->fe[i]) {
                chr->fe[i]->chr = NULL;
                chr->fe[i] = NULL;
            }
        }
        chr->fe_cnt = 0;
        chardev_destroy(chr);
    }
}

const char *chardev_id(Chardev *chr)
{
    return chr->id;
}

const char *chardev_label(Chardev *chr)
{
    return chr->id;
}

const char *chardev_backend(Chardev *chr)
{
    return chr->be_ops->name;
}

char *chardev_filename(Chardev *chr)
{
    if (chr->be_ops->filename) {
        return chr->be_ops->filename(chr);
    }
    return g_strdup(chr->be_ops->name);
}

bool chardev_frontend_open(Chardev *chr)
{
    for (int i = 0; i < CHR_MAX_FRONTENDS; i++) {
        CharFrontend *fe = chr->fe[i];
        if (fe && (fe->read || fe->event || fe->can_read)) {
            return true;
        }
    }
    return false;
}

bool chardev_is_connected(Chardev *chr)
{
    return chr->be_open;
}

uint64_t chardev_dropped_bytes(Chardev *chr)
{
    return chr->dropped;
}

bool chardev_is_mux(Chardev *chr)
{
    return chr->is_mux;
}

int chardev_mux_focus(Chardev *chr)
{
    return chr->focus;
}

void chardev_mux_set_focus(Chardev *chr, int tag)
{
    chr_mux_set_focus(chr, tag);
}

/* ---- events and input ---- */

static void fe_event(CharFrontend *fe, ChardevEvent ev)
{
    if (fe && fe->event) {
        fe->event(fe->opaque, ev);
    }
}

/*
 * A mux holds back OPENED/CLOSED (and the MUX_IN of set_handlers) until
 * the main loop first runs, i.e. until the board and the monitors have
 * all attached: then every frontend gets OPENED and the focused one (the
 * last attached, the guest's serial port) MUX_IN, as QEMU does once the
 * machine is ready. A monitor that is not focused then stays quiet until
 * C-a c gives it MUX_IN.
 */
static void mux_ready_cb(void *opaque)
{
    Chardev *chr = opaque;

    chr->mux_ready = true;
    if (chr->be_open) {
        for (int i = 0; i < CHR_MAX_FRONTENDS; i++) {
            fe_event(chr->fe[i], CHR_EVENT_OPENED);
        }
        fe_event(chr->fe[chr->focus], CHR_EVENT_MUX_IN);
    }
}

void chr_mux_init(Chardev *chr)
{
    chr->is_mux = true;
    if (!chr->mux_ready_bh) {
        chr->mux_ready_bh = qemu_bh_new(mux_ready_cb, chr);
        qemu_bh_schedule(chr->mux_ready_bh);
    }
}

void chr_be_event(Chardev *chr, ChardevEvent event)
{
    switch (event) {
    case CHR_EVENT_OPENED:
        chr->be_open = true;
        break;
    case CHR_EVENT_CLOSED:
        chr->be_open = false;
        break;
    default:
        break;
    }
    if (event == CHR_EVENT_BREAK) {
        fe_event(chr->fe[chr->focus], event);
        return;
    }
    if (chr->is_mux && !chr->mux_ready) {
        return; /* mux_ready_cb() reports the state then */
    }
    /* Open/close concern every frontend of a mux. */
    for (int i = 0; i < CHR_MAX_FRONTENDS; i++) {
        fe_event(chr->fe[i], event);
    }
}

static void inq_flush(Chardev *chr);

int chr_be_can_write(Chardev *chr)
{
    CharFrontend *fe = chr->fe[chr->focus];
    int held = 0;

    GByteArray *inq = chr->inq[chr->focus];
    if (inq && inq->len) {
        inq_flush(chr);
        held = inq->len;
    }
    if (!fe || !fe->read) {
        /* Nobody listens: read and discard, so the peer never stalls
         * (but a mux must still see its Ctrl-a escapes). */
        return chr->fe_cnt ? (chr->is_mux ? CHR_READ_BUF : 0) : CHR_READ_BUF;
    }
    int n = held ? 0 : fe->can_read ? fe->can_read(fe->opaque) : CHR_READ_BUF;
    if (chr->is_mux && n <= 0) {
        /* A few bytes of slack, so that C-a c still switches away from
         * a frontend that stopped reading (a guest not draining its UART). */
        return MAX(CHR_INQ_MAX - held, 0);
    }
    return MAX(n, 0);
}

/*
 * Hand bytes to the focused frontend, never more than its can_read():
 * what it cannot take now (a mux switched focus mid-buffer to a frontend
 * with a small FIFO) waits in chr->inq, bounded, delivered first later.
 */
static void deliver(Chardev *chr, const uint8_t *buf, int len)
{
    CharFrontend *fe = chr->fe[chr->focus];
    GByteArray **inq = &chr->inq[chr->focus];
    if (!fe || !fe->read || len <= 0) {
        return;
    }
    int n = len;
    if (*inq && (*inq)->len) {
        n = 0; /* keep the order: older bytes first */
    } else if (fe->can_read) {
        n = MIN(len, MAX(fe->can_read(fe->opaque), 0));
    }
    if (n > 0) {
        fe->read(fe->opaque, buf, n);
    }
    if (n < len) {
        if (!*inq) {
            *inq = g_byte_array_new();
        }
        int room = MAX(CHR_INQ_MAX - (int)(*inq)->len, 0);
        g_byte_array_append(*inq, buf + n, MIN(len - n, room));
    }
}

static void inq_flush(Chardev *chr)
{
    CharFrontend *fe = chr->fe[chr->focus];
    GByteArray *inq = chr->inq[chr->focus];
    if (!fe || !fe->read) {
        g_byte_array_set_size(inq, 0);
        return;
    }
    int n = fe->can_read ? MIN(fe->can_read(fe->opaque), (int)inq->len)
                         : (int)inq->len;
    if (n > 0) {
        fe->read(fe->opaque, inq->data, n);
        g_byte_array_remove_range(inq, 0, n);
    }
}

void chr_be_write(Chardev *chr, const uint8_t *buf, int len)
{
    if (!chr->is_mux) {
        deliver(chr, buf, len);
        return;
    }
    int start = 0;
    for (int i = 0; i < len; i++) {
        /* Escapes split the run: bytes before go to the old focus. */
        if (chr->mux_escape || buf[i] == 0x01) {
            deliver(chr, buf + start, i - start);
            if (!chr_mux_proc_byte(chr, buf[i])) {
                deliver(chr, buf + i, 1);
            }
            start = i + 1;
        }
    }
    deliver(chr, buf + start, len - start);
}

void chardev_send_break(Chardev *chr)
{
    if (chr) {
        chr_be_event(chr, CHR_EVENT_BREAK);
    }
}

int chardev_be_feed(Chardev *chr, const uint8_t *buf, int len)
{
    int can = chr_be_can_write(chr);
    len = MIN(len, can);
    if (len > 0) {
        chr_be_write(chr, buf, len);
    }
    return MAX(len, 0);
}

/* ---- output ---- */

static int chardev_write_raw(Chardev *chr, const uint8_t *buf, int len)
{
    if (chr->log_fd >= 0) {
        /* A regular file: a short or failed write loses log, not output. */
        for (int done = 0; done < len;) {
            ssize_t n = write(chr->log_fd, buf + done, len - done);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                break;
            }
            done += n;
        }
    }
    if (chr->be_ops->write) {
        return chr->be_ops->write(chr, buf, len);
    }
    return chr_fd_write(chr, buf, len);
}

int chardev_write(Chardev *chr, const uint8_t *buf, int len)
{
    if (!chr || len <= 0) {
        return 0;
    }
    if (!chr->mux_timestamps) {
        return chardev_write_raw(chr, buf, len);
    }
    /* mux C-a t: "[hh:mm:ss.mmm] " before each line */
    int start = 0;
    for (int i = 0; i < len; i++) {
        if (chr->mux_linestart) {
            char ts[32];
            int64_t ms = clock_get_ms(QEMU_CLOCK_REALTIME) - chr->mux_ts_start;
            int64_t s = ms / 1000;
            int n = snprintf(ts, sizeof(ts), "[%02d:%02d:%02d.%03d] ",
                             (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60),
                             (int)(ms % 1000));
            chardev_write_raw(chr, (const uint8_t *)ts, n);
            chr->mux_linestart = false;
        }
        if (buf[i] == '\n') {
            chardev_write_raw(chr, buf + start, i + 1 - start);
            start = i + 1;
            chr->mux_linestart = true;
        }
    }
    if (start < len) {
        chardev_write_raw(chr, buf + start, len - start);
    }
    return len;
}

/* ---- frontends ---- */

bool chr_fe_init(CharFrontend *fe, Chardev *chr, GError **errp)
{
    memset(fe, 0, sizeof(*fe));
    if (!chr) {
        return true; /* a frontend without backend: writes go nowhere */
    }
    if (chr->fe_cnt >= (chr->is_mux ? CHR_MAX_FRONTENDS : 1)) {
        error_setg(errp, "Device '%s' is in use", chr->id);
        return false;
    }
    int tag = 0;
    while (chr->fe[tag]) {
        tag++;
    }
    chr->fe[tag] = fe;
    chr->fe_cnt++;
    fe->chr = chr;
    fe->tag = tag;
    if (chr->is_mux) {
        chr_mux_set_focus(chr, tag); /* the newest frontend gets focus */
    }
    return true;
}

void chr_fe_set_handlers(CharFrontend *fe, ChardevCanReadFn *can_read,
                         ChardevReadFn *read, ChardevEventFn *event,
                         void *opaque)
{
    fe->can_read = can_read;
    fe->read = read;
    fe->event = event;
    fe->opaque = opaque;
    Chardev *chr = fe->chr;
    if (!chr) {
        return;
    }
    if (chr->be_open && (can_read || read || event) &&
        (!chr->is_mux || chr->mux_ready)) {
        fe_event(fe, CHR_EVENT_OPENED);
        if (chr->is_mux && fe->tag == chr->focus) {
            fe_event(fe, CHR_EVENT_MUX_IN);
        }
    }
    chr_fd_wake(chr);
}

int chr_fe_write(CharFrontend *fe, const uint8_t *buf, int len)
{
    return fe->chr ? chardev_write(fe->chr, buf, len) : len;
}

int chr_fe_write_all(CharFrontend *fe, const uint8_t *buf, int len)
{
    Chardev *chr = fe->chr;
    if (!chr) {
        return len;
    }
    bool saved = chr->nodrop;
    chr->nodrop = true;
    int r = chardev_write(chr, buf, len);
    chr->nodrop = saved;
    return r;
}

size_t chr_fe_output_pending(CharFrontend *fe)
{
    Chardev *chr = fe->chr;
    for (int depth = 0; chr && depth < 8; depth++) {
        Chardev *under = chr_mux_be_under(chr);
        if (!under) {
            return chr->outq ? chr->outq->len : 0;
        }
        chr = under;
    }
    return 0;
}

void chr_fe_set_write_ready(CharFrontend *fe, ChardevWriteReadyFn *fn)
{
    fe->write_ready = fn;
}

void chr_be_write_ready(Chardev *chr)
{
    for (int i = 0; i < CHR_MAX_FRONTENDS; i++) {
        CharFrontend *fe = chr->fe[i];
        if (fe && fe->write_ready) {
            fe->write_ready(fe->opaque);
        }
    }
}

int chr_fe_get_msgfd(CharFrontend *fe)
{
    Chardev *chr = fe->chr;
    for (int depth = 0; chr && depth < 8; depth++) {
        if (chr->n_msgfds > 0) {
            int fd = chr->msgfds[0];
            chr->n_msgfds--;
            memmove(chr->msgfds, chr->msgfds + 1,
                    chr->n_msgfds * sizeof(int));
            return fd;
        }
        chr = chr_mux_be_under(chr);
    }
    return -1;
}

void chr_fe_accept_input(CharFrontend *fe)
{
    if (fe->chr) {
        chr_fd_wake(fe->chr);
    }
}

void chr_fe_deinit(CharFrontend *fe)
{
    Chardev *chr = fe->chr;
    if (!chr) {
        return;
    }
    if (chr->fe[fe->tag] == fe) {
        chr->fe[fe->tag] = NULL;
        if (chr->inq[fe->tag]) {
            g_byte_array_set_size(chr->inq[fe->tag], 0);
        }
        chr->fe_cnt--;
        if (chr->is_mux && chr->focus == fe->tag) {
            for (int i = 0; i < CHR_MAX_FRONTENDS; i++) {
                if (chr->fe[i]) {
                    chr->focus = i;
                    break;
                }
            }
        }
    }
    memset(fe, 0, sizeof(*fe));
}

bool chr_fe_backend_connected(CharFrontend *fe)
{
    return fe->chr && fe->chr->be_open;
}

/* ---- option helpers for backends ---- */

const char *chr_opt(GHashTable *opts, const char *key)
{
    return opts ? g_hash_table_lookup(opts, key) : NULL;
}

bool chr_opt_bool(GHashTable *opts, const char *key, bool def, bool *out,
                  GError **errp)
{
    const char *v = chr_opt(opts, key);
    *out = def;
    if (!v) {
        return true;
    }
    if (!*v) {
        *out = true; /* "server" alone in QemuOpts style means on */
        return true;
    }
    if (!parse_bool(v, out)) {
        error_setg(errp, "Parameter '%s' expects 'on' or 'off'", key);
        return false;
    }
    return true;
}
