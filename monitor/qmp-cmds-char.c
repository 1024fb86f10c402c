/* QMP commands for character devices (chardev/ does the work). */
#include "monitor-internal.h"
#include "qapi/qapi-commands.h"
#include "util/error.h"

#include <inttypes.h>
#include <string.h>

ChardevInfoList *qmp_query_chardev(GError **errp)
{
    ChardevInfoList *head = NULL, **tail = &head;
    GList *all = chardev_list();

    for (GList *l = all; l; l = l->next) {
        Chardev *chr = l->data;
        ChardevInfoList *e = g_new0(ChardevInfoList, 1);

        e->value = g_new0(ChardevInfo, 1);
        e->value->label = g_strdup(chardev_label(chr));
        e->value->filename = chardev_filename(chr);
        e->value->frontend_open = chardev_frontend_open(chr);
        *tail = e;
        tail = &e->next;
    }
    g_list_free(all);
    return head;
}

ChardevBackendInfoList *qmp_query_chardev_backends(GError **errp)
{
    ChardevBackendInfoList *head = NULL, **tail = &head;
    GList *names = chardev_backend_names();

    for (GList *l = names; l; l = l->next) {
        ChardevBackendInfoList *e = g_new0(ChardevBackendInfoList, 1);

        e->value = g_new0(ChardevBackendInfo, 1);
        e->value->name = g_strdup(l->data);
        *tail = e;
        tail = &e->next;
    }
    g_list_free(names);
    return head;
}

static void put_common(GHashTable *h, const ChardevCommon *c)
{
    if (c && c->logfile) {
        g_hash_table_insert(h, g_strdup("logfile"), g_strdup(c->logfile));
    }
}

static void put_bool(GHashTable *h, const char *key, bool has, bool val)
{
    if (has) {
        g_hash_table_insert(h, g_strdup(key), g_strdup(val ? "on" : "off"));
    }
}

static bool put_addr(GHashTable *h, const SocketAddressLegacy *a,
                     GError **errp)
{
    switch (a->type) {
    case SOCKET_ADDRESS_TYPE_INET:
        g_hash_table_insert(h, g_strdup("host"),
                            g_strdup(a->u.inet.data->host));
        g_hash_table_insert(h, g_strdup("port"),
                            g_strdup(a->u.inet.data->port));
        return true;
    case SOCKET_ADDRESS_TYPE_UNIX:
        g_hash_table_insert(h, g_strdup("path"),
                            g_strdup(a->u.q_unix.data->path));
        return true;
    case SOCKET_ADDRESS_TYPE_FD:
        g_hash_table_insert(h, g_strdup("fd"), g_strdup(a->u.fd.data->str));
        return true;
    default:
        error_setg(errp, "socket address type '%s' is not supported by kvmu",
                   SocketAddressType_str(a->type));
        return false;
    }
}

/* ChardevBackend (QAPI) -> the string options chardev_new() takes. */
static bool backend_to_opts(const ChardevBackend *b, GHashTable *h,
                            GError **errp)
{
    switch (b->type) {
    case CHARDEV_BACKEND_KIND_FILE: {
        const ChardevFile *f = b->u.file.data;
        put_common(h, (const ChardevCommon *)f);
        g_hash_table_insert(h, g_strdup("path"), g_strdup(f->out));
        put_bool(h, "append", f->has_append, f->append);
        return true;
    }
    case CHARDEV_BACKEND_KIND_SERIAL:
    case CHARDEV_BACKEND_KIND_PARALLEL:
    case CHARDEV_BACKEND_KIND_PIPE:
        g_hash_table_insert(h, g_strdup("path"),
                            g_strdup(b->u.pipe.data->device));
        return true;
    case CHARDEV_BACKEND_KIND_SOCKET: {
        const ChardevSocket *s = b->u.socket.data;
        put_bool(h, "server", s->has_server, s->server);
        /* QMP's default is wait=false (the command line's is on): a
         * chardev-add must not block the main loop waiting for a peer */
        put_bool(h, "wait", s->has_server && s->server,
                 s->has_wait && s->wait);
        put_bool(h, "nodelay", s->has_nodelay, s->nodelay);
        put_bool(h, "telnet", s->has_telnet, s->telnet);
        if (s->has_reconnect) {
            g_hash_table_insert(h, g_strdup("reconnect"),
                                g_strdup_printf("%" PRId64, s->reconnect));
        }
        return put_addr(h, s->addr, errp);
    }
    case CHARDEV_BACKEND_KIND_RINGBUF:
    case CHARDEV_BACKEND_KIND_MEMORY:
        if (b->u.ringbuf.data->has_size) {
            g_hash_table_insert(h, g_strdup("size"), g_strdup_printf(
                "%" PRId64, b->u.ringbuf.data->size));
        }
        return true;
    case CHARDEV_BACKEND_KIND_STDIO:
        put_bool(h, "signal", b->u.stdio.data->has_signal,
                 b->u.stdio.data->signal);
        return true;
    case CHARDEV_BACKEND_KIND_MUX:
        g_hash_table_insert(h, g_strdup("chardev"),
                            g_strdup(b->u.mux.data->chardev));
        return true;
    default:
        return true;
    }
}

ChardevReturn *qmp_chardev_add(const char *id, ChardevBackend *backend,
                               GError **errp)
{
    GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          g_free);
    const char *kind = ChardevBackendKind_str(backend->type);
    ChardevReturn *ret = NULL;
    Chardev *chr;

    if (backend->type == CHARDEV_BACKEND_KIND_MEMORY) {
        kind = "ringbuf";   /* QEMU's alias */
    }
    if (backend_to_opts(backend, h, errp) &&
        (chr = chardev_new(id, kind, h, errp))) {
        ret = g_new0(ChardevReturn, 1);
        ret->pty = g_strdup(chardev_pty_path(chr));
    }
    g_hash_table_destroy(h);
    return ret;
}

void qmp_chardev_remove(const char *id, GError **errp)
{
    if (!chardev_find(id)) {
        error_setg(errp, "Chardev '%s' not found", id);
        return;
    }
    chardev_remove(id, errp);
}

void qmp_ringbuf_write(const char *device, const char *data, bool has_format,
                       DataFormat format, GError **errp)
{
    Chardev *chr = chardev_find(device);
    guchar *raw = NULL;
    gsize len;

    if (!chr) {
        error_setg(errp, "Device '%s' not found", device);
        return;
    }
    if (has_format && format == DATA_FORMAT_BASE64) {
        raw = g_base64_decode(data, &len);
        ringbuf_write(chr, raw, len, errp);
        g_free(raw);
    } else {
        ringbuf_write(chr, (const uint8_t *)data, strlen(data), errp);
    }
}

char *qmp_ringbuf_read(const char *device, int64_t size, bool has_format,
                       DataFormat format, GError **errp)
{
    Chardev *chr = chardev_find(device);
    uint8_t *buf;
    size_t len;
    char *out;

    if (!chr) {
        error_setg(errp, "Device '%s' not found", device);
        return NULL;
    }
    if (size <= 0) {
        error_setg(errp, "size must be greater than zero");
        return NULL;
    }
    buf = ringbuf_read(chr, MIN((uint64_t)size, 1u << 24), &len, errp);
    if (!buf) {
        return NULL;
    }
    if (has_format && format == DATA_FORMAT_BASE64) {
        out = g_base64_encode(buf, len);
    } else {
        /* utf8: invalid bytes become U+FFFD, as QEMU */
        out = g_utf8_make_valid((const char *)buf, len);
    }
    g_free(buf);
    return out;
}
