/*
 * ringbuf: output goes into a power-of-two ring that overwrites its
 * oldest bytes; QMP ringbuf-read consumes it, ringbuf-write appends.
 */
#include "char-internal.h"
#include "util/cutils.h"
#include "util/error.h"

typedef struct {
    uint8_t *data;
    size_t size; /* power of two */
    uint64_t prod, cons;
} RingbufState;

static bool ringbuf_open(Chardev *chr, GHashTable *opts, GError **errp)
{
    RingbufState *s = chr->be;
    uint64_t size = 64 * 1024;
    const char *v = chr_opt(opts, "size");

    if (v && parse_size(v, 1, &size) < 0) {
        error_setg(errp, "Parameter 'size' expects a size");
        return false;
    }
    if (size == 0 || (size & (size - 1)) || size > (1ULL << 30)) {
        error_setg(errp, "size of ringbuf chardev must be power of two");
        return false;
    }
    s->size = size;
    s->data = g_malloc0(size);
    chr->be_open = true;
    return true;
}

static int ringbuf_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    RingbufState *s = chr->be;
    for (int i = 0; i < len; i++) {
        s->data[s->prod++ & (s->size - 1)] = buf[i];
        if (s->prod - s->cons > s->size) {
            s->cons = s->prod - s->size; /* overwrite the oldest */
        }
    }
    return len;
}

static void ringbuf_close(Chardev *chr)
{
    RingbufState *s = chr->be;
    g_free(s->data);
}

static const char *const ringbuf_opts[] = {"size", NULL};

const ChardevBackend chardev_ringbuf = {
    .name = "ringbuf",
    .state_size = sizeof(RingbufState),
    .opts = ringbuf_opts,
    .open = ringbuf_open,
    .write = ringbuf_chr_write,
    .close = ringbuf_close,
};

static bool check_ringbuf(Chardev *chr, GError **errp)
{
    if (!chr || chr->be_ops != &chardev_ringbuf) {
        error_setg(errp, "%s is not a ringbuffer device",
                   chr ? chr->id : "(null)");
        return false;
    }
    return true;
}

bool ringbuf_write(Chardev *chr, const uint8_t *data, size_t len, GError **errp)
{
    if (!check_ringbuf(chr, errp)) {
        return false;
    }
    while (len) {
        int n = (int)MIN(len, (size_t)G_MAXINT);
        ringbuf_chr_write(chr, data, n);
        data += n;
        len -= n;
    }
    return true;
}

uint8_t *ringbuf_read(Chardev *chr, size_t size, size_t *out_len, GError **errp)
{
    *out_len = 0;
    if (!check_ringbuf(chr, errp)) {
        return NULL;
    }
    RingbufState *s = chr->be;
    size_t avail = s->prod - s->cons;
    size_t n = MIN(size, avail);
    uint8_t *out = g_malloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        out[i] = s->data[s->cons++ & (s->size - 1)];
    }
    out[n] = 0;
    *out_len = n;
    return out;
}
