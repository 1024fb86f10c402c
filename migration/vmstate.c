/*
 * VMState field tables: save and load (see include/migration/vmstate.h for
 * the wire format). Loading trusts nothing in the stream.
 */
#include "migration/vmstate.h"
#include "util/error.h"

#include <string.h>

#define VMS_SUBSECTION_MARK 0x05
#define VMS_MAX_NAME 255

void vmstream_init_save(VMStream *s)
{
    memset(s, 0, sizeof(*s));
    s->out = g_byte_array_new();
}

void vmstream_init_load(VMStream *s, const uint8_t *buf, size_t len)
{
    memset(s, 0, sizeof(*s));
    s->in = buf;
    s->in_len = len;
}

void vmstream_put_bytes(VMStream *s, const void *buf, size_t len)
{
    g_byte_array_append(s->out, buf, len);
}

void vmstream_put_u8(VMStream *s, uint8_t v)
{
    vmstream_put_bytes(s, &v, 1);
}

void vmstream_put_be16(VMStream *s, uint16_t v)
{
    v = GUINT16_TO_BE(v);
    vmstream_put_bytes(s, &v, 2);
}

void vmstream_put_be32(VMStream *s, uint32_t v)
{
    v = GUINT32_TO_BE(v);
    vmstream_put_bytes(s, &v, 4);
}

void vmstream_put_be64(VMStream *s, uint64_t v)
{
    v = GUINT64_TO_BE(v);
    vmstream_put_bytes(s, &v, 8);
}

bool vmstream_get_bytes(VMStream *s, void *buf, size_t len)
{
    if (len > s->in_len - s->pos) {
        return false;
    }
    memcpy(buf, s->in + s->pos, len);
    s->pos += len;
    return true;
}

bool vmstream_get_u8(VMStream *s, uint8_t *v)
{
    return vmstream_get_bytes(s, v, 1);
}

bool vmstream_get_be16(VMStream *s, uint16_t *v)
{
    if (!vmstream_get_bytes(s, v, 2)) {
        return false;
    }
    *v = GUINT16_FROM_BE(*v);
    return true;
}

bool vmstream_get_be32(VMStream *s, uint32_t *v)
{
    if (!vmstream_get_bytes(s, v, 4)) {
        return false;
    }
    *v = GUINT32_FROM_BE(*v);
    return true;
}

bool vmstream_get_be64(VMStream *s, uint64_t *v)
{
    if (!vmstream_get_bytes(s, v, 8)) {
        return false;
    }
    *v = GUINT64_FROM_BE(*v);
    return true;
}

static unsigned field_count(const VMStateField *f)
{
    return f->count ? f->count : 1;
}

/* Scalars are stored in host order in the struct, big-endian on the wire. */
static void save_scalar(VMStream *s, const VMStateField *f, const void *p)
{
    switch (f->type) {
    case VMS_U8:
        vmstream_put_u8(s, *(const uint8_t *)p);
        break;
    case VMS_BOOL:
        vmstream_put_u8(s, *(const bool *)p ? 1 : 0);
        break;
    case VMS_U16:
        vmstream_put_be16(s, *(const uint16_t *)p);
        break;
    case VMS_U32:
        vmstream_put_be32(s, *(const uint32_t *)p);
        break;
    case VMS_U64:
        vmstream_put_be64(s, *(const uint64_t *)p);
        break;
    default:
        g_assert_not_reached();
    }
}

static bool load_scalar(VMStream *s, const VMStateField *f, void *p)
{
    uint8_t b;
    uint16_t w;
    uint32_t l;
    uint64_t q;

    switch (f->type) {
    case VMS_U8:
        return vmstream_get_u8(s, p);
    case VMS_BOOL:
        if (!vmstream_get_u8(s, &b) || b > 1) {
            return false;
        }
        *(bool *)p = b;
        return true;
    case VMS_U16:
        if (!vmstream_get_be16(s, &w)) {
            return false;
        }
        memcpy(p, &w, 2);
        return true;
    case VMS_U32:
        if (!vmstream_get_be32(s, &l)) {
            return false;
        }
        memcpy(p, &l, 4);
        return true;
    case VMS_U64:
        if (!vmstream_get_be64(s, &q)) {
            return false;
        }
        memcpy(p, &q, 8);
        return true;
    default:
        g_assert_not_reached();
    }
}

static bool scalar_size_ok(const VMStateField *f)
{
    switch (f->type) {
    case VMS_U8:
        return f->size == 1;
    case VMS_BOOL:
        return f->size == sizeof(bool);
    case VMS_U16:
        return f->size == 2;
    case VMS_U32:
        return f->size == 4;
    case VMS_U64:
        return f->size == 8;
    default:
        return true;
    }
}

static bool save_subsections(VMStream *s, const VMStateDescription *vmsd,
                             void *opaque, GError **errp)
{
    if (!vmsd->subsections) {
        return true;
    }
    for (const VMStateDescription *const *sub = vmsd->subsections; *sub;
         sub++) {
        if ((*sub)->needed && !(*sub)->needed(opaque)) {
            continue;
        }
        size_t len = strlen((*sub)->name);
        g_assert(len <= VMS_MAX_NAME);
        vmstream_put_u8(s, VMS_SUBSECTION_MARK);
        vmstream_put_u8(s, len);
        vmstream_put_bytes(s, (*sub)->name, len);
        vmstream_put_be32(s, (*sub)->version_id);
        if (!vmstate_save(s, *sub, opaque, errp)) {
            return false;
        }
    }
    return true;
}

bool vmstate_save(VMStream *s, const VMStateDescription *vmsd, void *opaque,
                  GError **errp)
{
    if (vmsd->pre_save && vmsd->pre_save(opaque) < 0) {
        error_setg(errp, "%s: pre_save failed", vmsd->name);
        return false;
    }
    for (const VMStateField *f = vmsd->fields; f && f->type != VMS_END; f++) {
        g_assert(scalar_size_ok(f));
        for (unsigned i = 0; i < field_count(f); i++) {
            uint8_t *p = (uint8_t *)opaque + f->offset + i * f->size;
            switch (f->type) {
            case VMS_BUFFER:
                vmstream_put_bytes(s, p, f->size);
                break;
            case VMS_STRUCT:
                if (!vmstate_save(s, f->vmsd, p, errp)) {
                    return false;
                }
                break;
            default:
                save_scalar(s, f, p);
            }
        }
    }
    return save_subsections(s, vmsd, opaque, errp);
}

static const VMStateDescription *find_subsection(
    const VMStateDescription *vmsd, const char *name)
{
    if (!vmsd->subsections) {
        return NULL;
    }
    for (const VMStateDescription *const *sub = vmsd->subsections; *sub;
         sub++) {
        if (!strcmp((*sub)->name, name)) {
            return *sub;
        }
    }
    return NULL;
}

static bool load_subsections(VMStream *s, const VMStateDescription *vmsd,
                             void *opaque, GError **errp)
{
    while (s->pos < s->in_len && s->in[s->pos] == VMS_SUBSECTION_MARK) {
        uint8_t len;
        char name[VMS_MAX_NAME + 1];
        uint32_t version;

        s->pos++;
        if (!vmstream_get_u8(s, &len) || !vmstream_get_bytes(s, name, len) ||
            !vmstream_get_be32(s, &version)) {
            error_setg(errp, "%s: truncated subsection header", vmsd->name);
            return false;
        }
        name[len] = '\0';
        const VMStateDescription *sub = find_subsection(vmsd, name);
        if (!sub) {
            error_setg(errp, "%s: unknown subsection '%s'", vmsd->name, name);
            return false;
        }
        if (!vmstate_load(s, sub, opaque, (int)version, errp)) {
            return false;
        }
    }
    return true;
}

bool vmstate_load(VMStream *s, const VMStateDescription *vmsd, void *opaque,
                  int version_id, GError **errp)
{
    if (version_id > vmsd->version_id) {
        error_setg(errp, "%s: stream version %d is newer than supported %d",
                   vmsd->name, version_id, vmsd->version_id);
        return false;
    }
    if (version_id < vmsd->minimum_version_id) {
        error_setg(errp, "%s: stream version %d is older than minimum %d",
                   vmsd->name, version_id, vmsd->minimum_version_id);
        return false;
    }
    for (const VMStateField *f = vmsd->fields; f && f->type != VMS_END; f++) {
        if (f->version_id > version_id) {
            continue;       /* not in streams this old */
        }
        for (unsigned i = 0; i < field_count(f); i++) {
            uint8_t *p = (uint8_t *)opaque + f->offset + i * f->size;
            bool ok;
            switch (f->type) {
            case VMS_BUFFER:
                ok = vmstream_get_bytes(s, p, f->size);
                break;
            case VMS_STRUCT:
                if (!vmstate_load(s, f->vmsd, p, f->vmsd->version_id, errp)) {
                    error_prepend(errp, "%s: ", vmsd->name);
                    return false;
                }
                ok = true;
                break;
            default:
                ok = load_scalar(s, f, p);
            }
            if (!ok) {
                error_setg(errp, "%s: field '%s': stream truncated or invalid",
                           vmsd->name, f->name);
                return false;
            }
        }
    }
    if (!load_subsections(s, vmsd, opaque, errp)) {
        return false;
    }
    if (vmsd->post_load && vmsd->post_load(opaque, version_id) < 0) {
        error_setg(errp, "%s: post_load rejected the loaded state", vmsd->name);
        return false;
    }
    return true;
}
