/*
 * Memory backends: the user-creatable objects memory-backend-ram,
 * memory-backend-memfd and memory-backend-file (-object / object-add),
 * each one RAM region a board or device takes as its memory
 * (-machine memory-backend=ID). Properties follow QEMU's: size, share,
 * prealloc, merge, dump, reserve, policy, host-nodes, prealloc-threads,
 * x-use-canonical-path-for-ramblock-id; mem-path, align, discard-data and
 * readonly for files; hugetlb, hugetlbsize and seal for memfd.
 */
#ifndef HW_HOSTMEM_H
#define HW_HOSTMEM_H

#include "memory/memory.h"
#include "qom/object.h"

#define TYPE_MEMORY_BACKEND "memory-backend"
#define TYPE_MEMORY_BACKEND_RAM "memory-backend-ram"
#define TYPE_MEMORY_BACKEND_MEMFD "memory-backend-memfd"
#define TYPE_MEMORY_BACKEND_FILE "memory-backend-file"

typedef struct HostMemoryBackend HostMemoryBackend;

/* The backend with this id under /objects, or NULL with errp set. */
HostMemoryBackend *host_memory_backend_find(const char *id, GError **errp);
uint64_t host_memory_backend_size(HostMemoryBackend *b);
/* Its region, claimed for one user: a second claim fails, and the backend
 * cannot be deleted (object-del) from then on. */
MemoryRegion *host_memory_backend_claim(HostMemoryBackend *b, GError **errp);

/* Every backend, in creation order, for query-memdev. */
typedef struct HostMemoryBackendInfo {
    const char *id;
    uint64_t size;
    bool merge, dump, prealloc, share, reserve;
    int policy;                     /* 0 default, 1 preferred, 2 bind, ... */
} HostMemoryBackendInfo;
void host_memory_backend_foreach(void (*fn)(const HostMemoryBackendInfo *,
                                            void *),
                                 void *opaque);

#endif
