/*
 * VMState: how a device describes its state for migration and snapshots.
 *
 * Every device has a VMStateDescription: a name, a version, the oldest
 * version it can load, and a field table (offsets into the device struct,
 * widths, the version that introduced each field). Optional state goes in
 * subsections, sent only when their needed() says so, so that a stream
 * from an older kvmu still loads into a newer one.
 *
 * Wire format of one description (QEMU's device-section body): the fields
 * in table order, big-endian; then for each needed subsection the byte
 * 0x05, a length-prefixed name, a 32-bit big-endian version and the
 * subsection's own fields, recursively.
 *
 * Loading reads untrusted bytes (a stream from another host): every read
 * is bounds-checked, versions are checked against minimum_version_id, an
 * unknown subsection fails the load with a clear error, and nothing is
 * written outside the device struct's declared fields.
 *
 * Who calls it: devices declare tables; migration/ and the unit tests call
 * vmstate_save()/vmstate_load(). No locking of its own: callers hold the
 * big VMM lock with the VM stopped.
 */
#ifndef MIGRATION_VMSTATE_H
#define MIGRATION_VMSTATE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct VMStateDescription VMStateDescription;

typedef enum {
    VMS_END = 0,     /* terminates a field table */
    VMS_U8,
    VMS_U16,
    VMS_U32,
    VMS_U64,
    VMS_BOOL,        /* C bool, one byte on the wire */
    VMS_BUFFER,      /* size bytes, copied as they are */
    VMS_STRUCT,      /* a nested description at offset */
} VMStateType;

typedef struct VMStateField {
    const char *name;
    VMStateType type;
    size_t offset;
    size_t size;          /* element size (VMS_BUFFER: bytes) */
    unsigned count;       /* array elements; 0 or 1 = scalar */
    int version_id;       /* first stream version that carries it */
    const VMStateDescription *vmsd;   /* VMS_STRUCT */
} VMStateField;

struct VMStateDescription {
    const char *name;
    int version_id;
    int minimum_version_id;
    const VMStateField *fields;
    const VMStateDescription *const *subsections;   /* NULL-terminated */
    bool (*needed)(void *opaque);                   /* subsections only */
    int (*pre_save)(void *opaque);
    int (*post_load)(void *opaque, int version_id);
};

/* Field table helpers: one row each, no generated code behind them. */
#define VMSTATE_FIELD_(st, f, t, n, v)                                      \
    { .name = #f, .type = (t), .offset = offsetof(st, f),                  \
      .size = sizeof(((st *)0)->f) / ((n) ? (n) : 1), .count = (n),        \
      .version_id = (v) }
#define VMSTATE_UINT8(f, st)   VMSTATE_FIELD_(st, f, VMS_U8, 0, 0)
#define VMSTATE_UINT16(f, st)  VMSTATE_FIELD_(st, f, VMS_U16, 0, 0)
#define VMSTATE_UINT32(f, st)  VMSTATE_FIELD_(st, f, VMS_U32, 0, 0)
#define VMSTATE_UINT64(f, st)  VMSTATE_FIELD_(st, f, VMS_U64, 0, 0)
#define VMSTATE_INT32(f, st)   VMSTATE_FIELD_(st, f, VMS_U32, 0, 0)
#define VMSTATE_INT64(f, st)   VMSTATE_FIELD_(st, f, VMS_U64, 0, 0)
#define VMSTATE_BOOL(f, st)    VMSTATE_FIELD_(st, f, VMS_BOOL, 0, 0)
#define VMSTATE_UINT32_V(f, st, v) VMSTATE_FIELD_(st, f, VMS_U32, 0, v)
#define VMSTATE_UINT64_V(f, st, v) VMSTATE_FIELD_(st, f, VMS_U64, 0, v)
#define VMSTATE_UINT8_ARRAY(f, st, n)  VMSTATE_FIELD_(st, f, VMS_U8, n, 0)
#define VMSTATE_UINT16_ARRAY(f, st, n) VMSTATE_FIELD_(st, f, VMS_U16, n, 0)
#define VMSTATE_UINT32_ARRAY(f, st, n) VMSTATE_FIELD_(st, f, VMS_U32, n, 0)
#define VMSTATE_UINT64_ARRAY(f, st, n) VMSTATE_FIELD_(st, f, VMS_U64, n, 0)
#define VMSTATE_BUFFER(f, st)                                               \
    { .name = #f, .type = VMS_BUFFER, .offset = offsetof(st, f),           \
      .size = sizeof(((st *)0)->f) }
#define VMSTATE_STRUCT(f, st, desc, t)                                      \
    { .name = #f, .type = VMS_STRUCT, .offset = offsetof(st, f),           \
      .size = sizeof(t), .vmsd = &(desc) }
#define VMSTATE_STRUCT_ARRAY(f, st, n, desc, t)                             \
    { .name = #f, .type = VMS_STRUCT, .offset = offsetof(st, f),           \
      .size = sizeof(t), .count = (n), .vmsd = &(desc) }
#define VMSTATE_END_OF_LIST() { .name = NULL, .type = VMS_END }

/* A growable output buffer / bounded input cursor for vmstate streams. */
typedef struct VMStream {
    GByteArray *out;        /* saving: bytes are appended here */
    const uint8_t *in;      /* loading: the bytes ... */
    size_t in_len;          /* ... their length ... */
    size_t pos;             /* ... and the read position */
} VMStream;

void vmstream_init_save(VMStream *s);
void vmstream_init_load(VMStream *s, const uint8_t *buf, size_t len);
void vmstream_put_u8(VMStream *s, uint8_t v);
void vmstream_put_be16(VMStream *s, uint16_t v);
void vmstream_put_be32(VMStream *s, uint32_t v);
void vmstream_put_be64(VMStream *s, uint64_t v);
void vmstream_put_bytes(VMStream *s, const void *buf, size_t len);
/* Readers return false (and read nothing) when the stream is too short. */
bool vmstream_get_u8(VMStream *s, uint8_t *v);
bool vmstream_get_be16(VMStream *s, uint16_t *v);
bool vmstream_get_be32(VMStream *s, uint32_t *v);
bool vmstream_get_be64(VMStream *s, uint64_t *v);
bool vmstream_get_bytes(VMStream *s, void *buf, size_t len);

/* Append opaque's state described by vmsd to the stream. */
bool vmstate_save(VMStream *s, const VMStateDescription *vmsd, void *opaque,
                  GError **errp);
/* Load state written by a description of version version_id. */
bool vmstate_load(VMStream *s, const VMStateDescription *vmsd, void *opaque,
                  int version_id, GError **errp);

#endif
