/*
 * Memory backends (see include/hw/hostmem.h). Properties are plain fields
 * that may be set until the object is complete; complete() allocates the
 * RAM (memfd for -ram and -memfd, the file for -file), applies merge/dump
 * advice and preallocates. What kvmu cannot honour (NUMA policies, host
 * nodes, hugetlb memfd, read-only files) is refused with a clear error
 * rather than ignored.
 */
#include "hw/hostmem.h"
#include "qom/user-creatable.h"
#include "util/error.h"

#include <string.h>
#include <sys/mman.h>

struct HostMemoryBackend {
    Object parent;
    uint64_t size;
    bool share, prealloc, merge, dump, reserve, canonical_id;
    uint32_t prealloc_threads;
    int policy;
    char *host_nodes;
    /* memory-backend-file */
    char *mem_path;
    uint64_t align;
    bool discard_data, readonly;
    /* memory-backend-memfd */
    bool hugetlb, seal;
    uint64_t hugetlbsize;

    bool complete;                  /* RAM allocated: properties fixed */
    bool claimed;
    MemoryRegion mr;
};

static const char *const policy_names[] = { "default", "preferred", "bind",
                                            "interleave", NULL };

static HostMemoryBackend *backend(Object *obj)
{
    return (HostMemoryBackend *)obj;
}

static bool allow_set(Object *obj, ObjectProperty *prop, GError **errp)
{
    if (backend(obj)->complete) {
        error_setg(errp, "cannot change property '%s' of %s '%s' after it "
                   "is created", prop->name, object_get_typename(obj),
                   object_get_canonical_path_component(obj));
        return false;
    }
    return true;
}

#define FIELD(name_, kind_, member, desc)                                     \
    { name_, desc, { .kind = kind_,                                           \
                     .offset = offsetof(HostMemoryBackend, member),           \
                     .allow_set = allow_set } }

typedef struct {
    const char *name, *desc;
    ObjectField f;
} BackendProp;

static const BackendProp common_props[] = {
    FIELD("size", OBJ_PROP_SIZE, size, "size of the memory region (bytes)"),
    FIELD("share", OBJ_PROP_BOOL, share, "mark the memory as private to "
          "QEMU or shared"),
    FIELD("prealloc", OBJ_PROP_BOOL, prealloc, "preallocate memory"),
    FIELD("merge", OBJ_PROP_BOOL, merge, "mark memory as mergeable"),
    FIELD("dump", OBJ_PROP_BOOL, dump, "include memory in a core dump"),
    FIELD("reserve", OBJ_PROP_BOOL, reserve, "reserve swap space (or huge "
          "pages) if applicable"),
    FIELD("prealloc-threads", OBJ_PROP_UINT32, prealloc_threads,
          "number of CPU threads to use for prealloc"),
    FIELD("host-nodes", OBJ_PROP_STRING, host_nodes,
          "binds memory to the list of NUMA host nodes"),
    FIELD("x-use-canonical-path-for-ramblock-id", OBJ_PROP_BOOL,
          canonical_id, "use the canonical path as the RAM block id"),
};

static const BackendProp file_props[] = {
    FIELD("mem-path", OBJ_PROP_STRING, mem_path, "file to use as the "
          "backing store"),
    FIELD("align", OBJ_PROP_SIZE, align, "alignment of the mapping"),
    FIELD("discard-data", OBJ_PROP_BOOL, discard_data, "discard the data "
          "in the file on exit"),
    FIELD("readonly", OBJ_PROP_BOOL, readonly, "map the file read-only"),
};

static const BackendProp memfd_props[] = {
    FIELD("hugetlb", OBJ_PROP_BOOL, hugetlb, "use huge pages"),
    FIELD("hugetlbsize", OBJ_PROP_SIZE, hugetlbsize, "huge page size"),
    FIELD("seal", OBJ_PROP_BOOL, seal, "seal growing and shrinking"),
};

static void add_props(ObjectClass *oc, const BackendProp *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        object_class_property_add_field(oc, p[i].name, &p[i].f);
        object_class_property_set_description(oc, p[i].name, p[i].desc);
    }
}

static bool refuse(GError **errp, const char *what, Object *obj)
{
    error_setg(errp, "%s '%s': %s is not supported by kvmu yet",
               object_get_typename(obj),
               object_get_canonical_path_component(obj), what);
    return false;
}

static bool backend_complete(Object *obj, GError **errp)
{
    HostMemoryBackend *b = backend(obj);
    const char *id = object_get_canonical_path_component(obj);
    bool is_file = object_dynamic_cast(obj, TYPE_MEMORY_BACKEND_FILE);
    bool ok;

    if (!b->size) {
        error_setg(errp, "can't create backend with size 0");
        return false;
    }
    if (b->policy) {
        return refuse(errp, "a NUMA policy other than 'default'", obj);
    }
    if (b->host_nodes && *b->host_nodes) {
        return refuse(errp, "host-nodes", obj);
    }
    if (b->hugetlb || b->hugetlbsize) {
        return refuse(errp, "hugetlb memfd (use memory-backend-file on a "
                      "hugetlbfs mount)", obj);
    }
    if (b->readonly) {
        return refuse(errp, "readonly", obj);
    }
    if (is_file && !b->mem_path) {
        error_setg(errp, "mem-path property not set");
        return false;
    }
    /* the RAM block's name is what migration matches on both sides:
     * the id, or the canonical path when asked (QEMU's compat switch) */
    g_autofree char *name = b->canonical_id ?
                            object_get_canonical_path(obj) : g_strdup(id);
    if (is_file) {
        ok = memory_region_init_ram_from_file(&b->mr, obj, name, b->size,
                                              b->mem_path, b->share, errp);
    } else {
        ok = memory_region_init_ram(&b->mr, obj, name, b->size, errp);
    }
    if (!ok) {
        return false;
    }
    b->complete = true;
    void *host = memory_region_get_ram_ptr(&b->mr);
    uint64_t len = (b->size + 4095) & ~4095ULL;
#ifdef MADV_MERGEABLE
    if (b->merge) {
        madvise(host, len, MADV_MERGEABLE);     /* advice: KSM may merge */
    }
#endif
#ifdef MADV_DONTDUMP
    if (!b->dump) {
        madvise(host, len, MADV_DONTDUMP);
    }
#endif
    if (b->prealloc && !memory_region_prealloc(&b->mr, errp)) {
        return false;           /* finalize releases the region */
    }
    return true;
}

static bool backend_can_be_deleted(Object *obj)
{
    return !backend(obj)->claimed;
}

static void backend_init(Object *obj)
{
    HostMemoryBackend *b = backend(obj);

    b->merge = true;
    b->dump = true;
    b->reserve = true;
    b->prealloc_threads = 1;
    /* QEMU's memory-backend-memfd is shared by default */
    b->share = object_dynamic_cast(obj, TYPE_MEMORY_BACKEND_MEMFD) != NULL;
}

static void backend_finalize(Object *obj)
{
    HostMemoryBackend *b = backend(obj);

    /* a claimed region is the board's RAM, mapped until the process
     * exits (as the board's own RAM): only an unused one is released */
    if (b->complete && !b->claimed) {
        memory_region_finalize(&b->mr);
    }
}

static void backend_class_init(ObjectClass *oc, void *data)
{
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(oc);
    static const ObjectField policy = {
        .kind = OBJ_PROP_ENUM, .offset = offsetof(HostMemoryBackend, policy),
        .type_name = "HostMemPolicy", .enum_table = policy_names,
        .allow_set = allow_set,
    };

    ucc->complete = backend_complete;
    ucc->can_be_deleted = backend_can_be_deleted;
    add_props(oc, common_props, G_N_ELEMENTS(common_props));
    object_class_property_add_field(oc, "policy", &policy);
    object_class_property_set_description(oc, "policy", "set the NUMA "
                                          "policy");
}

static void file_class_init(ObjectClass *oc, void *data)
{
    add_props(oc, file_props, G_N_ELEMENTS(file_props));
}

static void memfd_class_init(ObjectClass *oc, void *data)
{
    add_props(oc, memfd_props, G_N_ELEMENTS(memfd_props));
}

static const InterfaceInfo backend_ifaces[] = {
    { TYPE_USER_CREATABLE }, { NULL }
};

static const TypeInfo backend_types[] = {
    {
        .name = TYPE_MEMORY_BACKEND,
        .parent = TYPE_OBJECT,
        .abstract = true,
        .instance_size = sizeof(HostMemoryBackend),
        .instance_init = backend_init,
        .instance_finalize = backend_finalize,
        .class_init = backend_class_init,
        .interfaces = backend_ifaces,
    },
    { .name = TYPE_MEMORY_BACKEND_RAM, .parent = TYPE_MEMORY_BACKEND },
    {
        .name = TYPE_MEMORY_BACKEND_MEMFD,
        .parent = TYPE_MEMORY_BACKEND,
        .class_init = memfd_class_init,
    },
    {
        .name = TYPE_MEMORY_BACKEND_FILE,
        .parent = TYPE_MEMORY_BACKEND,
        .class_init = file_class_init,
    },
};

static void hostmem_register_types(void)
{
    type_register_static_array(backend_types, G_N_ELEMENTS(backend_types));
}

type_init(hostmem_register_types)

HostMemoryBackend *host_memory_backend_find(const char *id, GError **errp)
{
    Object *obj = id ? object_resolve_path_component(object_get_objects_root(),
                                                     id) : NULL;

    if (!obj || !object_dynamic_cast(obj, TYPE_MEMORY_BACKEND)) {
        error_setg(errp, "Memory backend '%s' not found", id ? id : "");
        return NULL;
    }
    return backend(obj);
}

uint64_t host_memory_backend_size(HostMemoryBackend *b)
{
    return b->size;
}

MemoryRegion *host_memory_backend_claim(HostMemoryBackend *b, GError **errp)
{
    if (b->claimed) {
        error_setg(errp, "memory backend %s can't be used multiple times.",
                   object_get_canonical_path_component(OBJECT(b)));
        return NULL;
    }
    b->claimed = true;
    return &b->mr;
}

typedef struct {
    void (*fn)(const HostMemoryBackendInfo *, void *);
    void *opaque;
} ForeachCtx;

static int foreach_one(Object *obj, void *opaque)
{
    ForeachCtx *ctx = opaque;
    HostMemoryBackend *b;

    if (!object_dynamic_cast(obj, TYPE_MEMORY_BACKEND)) {
        return 0;
    }
    b = backend(obj);
    HostMemoryBackendInfo info = {
        .id = object_get_canonical_path_component(obj),
        .size = b->size, .merge = b->merge, .dump = b->dump,
        .prealloc = b->prealloc, .share = b->share, .reserve = b->reserve,
        .policy = b->policy,
    };
    ctx->fn(&info, ctx->opaque);
    return 0;
}

void host_memory_backend_foreach(void (*fn)(const HostMemoryBackendInfo *,
                                            void *),
                                 void *opaque)
{
    ForeachCtx ctx = { fn, opaque };

    object_child_foreach(object_get_objects_root(), foreach_one, &ctx);
}
