/*
 * File descriptors passed to the monitor (getfd/closefd, fd sets with
 * add-fd/remove-fd/query-fdsets). A client passes an fd with SCM_RIGHTS
 * ancillary data on a unix socket; the chardev layer does not hand
 * received descriptors to frontends yet (no API in chardev/char.h), so
 * getfd and add-fd answer QEMU's "no descriptor supplied" error, while the
 * tables, lookups and their errors are complete for when it does.
 */
#include "monitor-internal.h"
#include "qapi/qapi-commands.h"
#include "util/error.h"

#include <inttypes.h>
#include <unistd.h>

typedef struct MonFdsetFd {
    int fd;
    char *opaque;
} MonFdsetFd;

static GHashTable *named_fds;     /* name -> fd */
static GPtrArray *fdsets;         /* of GPtrArray of MonFdsetFd, index = id */

/* The descriptor received with the current command, or -1. */
static int monitor_take_received_fd(void)
{
    return -1;
}

void qmp_getfd(const char *fdname, GError **errp)
{
    int fd = monitor_take_received_fd();

    if (fd < 0) {
        error_setg(errp, "No file descriptor supplied via SCM_RIGHTS");
        return;
    }
    if (g_ascii_isdigit(fdname[0])) {
        close(fd);
        error_setg(errp, "Parameter 'fdname' expects a name not starting "
                   "with a digit");
        return;
    }
    if (!named_fds) {
        named_fds = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          NULL);
    }
    gpointer old;
    if (g_hash_table_lookup_extended(named_fds, fdname, NULL, &old)) {
        close(GPOINTER_TO_INT(old));
    }
    g_hash_table_insert(named_fds, g_strdup(fdname), GINT_TO_POINTER(fd));
}

void qmp_closefd(const char *fdname, GError **errp)
{
    gpointer fd;

    if (!named_fds ||
        !g_hash_table_lookup_extended(named_fds, fdname, NULL, &fd)) {
        error_setg(errp, "File descriptor named '%s' not found", fdname);
        return;
    }
    close(GPOINTER_TO_INT(fd));
    g_hash_table_remove(named_fds, fdname);
}

AddfdInfo *qmp_add_fd(bool has_fdset_id, int64_t fdset_id,
                      const char *opaque, GError **errp)
{
    int fd = monitor_take_received_fd();

    if (fd < 0) {
        error_setg(errp, "No file descriptor supplied via SCM_RIGHTS");
        return NULL;
    }
    close(fd);
    error_setg(errp, "fd sets are not supported by kvmu yet");
    return NULL;
}

void qmp_remove_fd(int64_t fdset_id, bool has_fd, int64_t fd, GError **errp)
{
    GPtrArray *set = fdsets && fdset_id >= 0 && fdset_id < fdsets->len
                     ? g_ptr_array_index(fdsets, fdset_id) : NULL;

    if (!set) {
        if (has_fd) {
            error_setg(errp, "File descriptor named 'fdset-id:%" PRId64
                       ", fd:%" PRId64 "' not found", fdset_id, fd);
        } else {
            error_setg(errp, "File descriptor named 'fdset-id:%" PRId64
                       "' not found", fdset_id);
        }
        return;
    }
}

FdsetInfoList *qmp_query_fdsets(GError **errp)
{
    return NULL;
}
