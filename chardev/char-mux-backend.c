/*
 * The "mux" backend (QMP chardev-add type "mux", data {"chardev": ID}):
 * a multiplexer chardev layered over an existing chardev, which it uses
 * as its single frontend. -chardev ...,mux=on builds the same behaviour
 * directly on the backend (char-mux.c holds the escapes).
 */
#include "char-internal.h"
#include "util/error.h"

typedef struct {
    CharFrontend fe; /* our handle on the underlying chardev */
} MuxBackendState;

static int mux_be_can_read(void *opaque)
{
    return chr_be_can_write(opaque);
}

static void mux_be_read(void *opaque, const uint8_t *buf, int size)
{
    chr_be_write(opaque, buf, size);
}

static void mux_be_event(void *opaque, ChardevEvent event)
{
    chr_be_event(opaque, event);
}

static void mux_be_write_ready(void *opaque)
{
    chr_be_write_ready(opaque);
}

Chardev *chr_mux_be_under(Chardev *chr)
{
    if (chr->be_ops != &chardev_mux) {
        return NULL;
    }
    MuxBackendState *s = chr->be;
    return s->fe.chr;
}

static bool mux_be_open(Chardev *chr, GHashTable *opts, GError **errp)
{
    MuxBackendState *s = chr->be;
    const char *id = chr_opt(opts, "chardev");

    if (!id) {
        error_setg(errp, "Parameter 'chardev' is missing");
        return false;
    }
    Chardev *under = chardev_find(id);
    if (!under) {
        error_setg(errp, "mux: base chardev %s not found", id);
        return false;
    }
    if (!chr_fe_init(&s->fe, under, errp)) {
        return false;
    }
    chr_mux_init(chr);
    chr->be_open = under->be_open;
    chr_fe_set_handlers(&s->fe, mux_be_can_read, mux_be_read, mux_be_event,
                        chr);
    chr_fe_set_write_ready(&s->fe, mux_be_write_ready);
    return true;
}

static int mux_be_write(Chardev *chr, const uint8_t *buf, int len)
{
    MuxBackendState *s = chr->be;
    return chr->nodrop ? chr_fe_write_all(&s->fe, buf, len)
                       : chr_fe_write(&s->fe, buf, len);
}

static void mux_be_close(Chardev *chr)
{
    MuxBackendState *s = chr->be;
    chr_fe_deinit(&s->fe);
}

static char *mux_be_filename(Chardev *chr)
{
    MuxBackendState *s = chr->be;
    return s->fe.chr ? chardev_filename(s->fe.chr) : g_strdup("mux");
}

static const char *const mux_be_opts[] = {"chardev", NULL};

const ChardevBackend chardev_mux = {
    .name = "mux",
    .state_size = sizeof(MuxBackendState),
    .opts = mux_be_opts,
    .open = mux_be_open,
    .write = mux_be_write,
    .close = mux_be_close,
    .filename = mux_be_filename,
};
