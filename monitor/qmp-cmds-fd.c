/*
 * File descriptors passed to the monitor: getfd/closefd (named fds) and
 * fd sets (add-fd/remove-fd/query-fdsets), as QEMU's.
 *
 * A client passes a descriptor as SCM_RIGHTS ancillary data on a unix
 * socket together with the command; qmp.c takes it from the chardev
 * (chr_fe_get_msgfd) as the bytes arrive and hands it here through
 * monitor_set_received_fd(); the next getfd/add-fd claims it. Without
 * one they answer "No file descriptor supplied via SCM_RIGHTS".
 */
#include "monitor-internal.h"
#include "qapi/qapi-commands.h"
#include "util/error.h"

#include <inttypes.h>
#include <unistd.h>

typedef struct FdsetEntry {
    int fd;
    char *opaque;
} FdsetEntry;

typedef struct Fdset {
    int64_t id;
    GPtrArray *fds;             /* of FdsetEntry * */
} Fdset;

static GHashTable *named_fds;     /* name -> fd */
static GPtrArray *fdsets;         /* of Fdset *, ascending id */

void monitor_set_received_fd(Monitor *mon, int fd)
{
    if (mon->recv_fd >= 0) {
        close(mon->recv_fd);    /* an unclaimed one from an earlier read */
    }
    mon->recv_fd = fd;
}

static int monitor_take_received_fd(void)
{
    int fd = -1;

    if (cur_mon) {
        fd = cur_mon->recv_fd;
        cur_mon->recv_fd = -1;
    }
    return fd;
}

void qmp_getfd(const char *fdname, GError **errp)
{
    int fd = monitor_take_received_fd();
    gpointer old;

    if (fd < 0) {
        error_setg(errp, "No file descriptor supplied via SCM_RIGHTS");
        return;
    }
    if (g_ascii_isdigit(fdname[0])) {
        close(fd);
        error_setg(errp, "Parameter 'fdname' name of fd may not begin with "
                   "a digit");
        return;
    }
    if (!named_fds) {
        named_fds = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          NULL);
    }
    if (g_hash_table_lookup_extended(named_fds, fdname, NULL, &old)) {
        close(GPOINTER_TO_INT(old));
    }
    g_hash_table_insert(named_fds, g_strdup(fdname), GINT_TO_POINTER(fd));
}

int monitor_take_named_fd(const char *fdname, GError **errp)
{
    gpointer fd;

    if (!named_fds ||
        !g_hash_table_lookup_extended(named_fds, fdname, NULL, &fd)) {
        error_setg(errp, "File descriptor named '%s' has not been found",
                   fdname);
        return -1;
    }
    g_hash_table_remove(named_fds, fdname);
    return GPOINTER_TO_INT(fd);
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

static Fdset *fdset_find(int64_t id)
{
    for (guint i = 0; fdsets && i < fdsets->len; i++) {
        Fdset *s = g_ptr_array_index(fdsets, i);
        if (s->id == id) {
            return s;
        }
    }
    return NULL;
}

static void fdset_entry_free(gpointer p)
{
    FdsetEntry *e = p;

    close(e->fd);
    g_free(e->opaque);
    g_free(e);
}

static gint fdset_cmp(gconstpointer a, gconstpointer b)
{
    const Fdset *x = *(Fdset *const *)a, *y = *(Fdset *const *)b;

    return x->id < y->id ? -1 : x->id > y->id;
}

AddfdInfo *qmp_add_fd(bool has_fdset_id, int64_t fdset_id,
                      const char *opaque, GError **errp)
{
    int fd = monitor_take_received_fd();
    FdsetEntry *e;
    AddfdInfo *info;
    Fdset *set;

    if (fd < 0) {
        error_setg(errp, "No file descriptor supplied via SCM_RIGHTS");
        return NULL;
    }
    if (has_fdset_id && fdset_id < 0) {
        close(fd);
        error_setg(errp, "Parameter 'fdset-id' expects a non-negative value");
        return NULL;
    }
    if (!fdsets) {
        fdsets = g_ptr_array_new();
    }
    if (!has_fdset_id) {
        /* the lowest unused id, as QEMU */
        for (fdset_id = 0; fdset_find(fdset_id); fdset_id++) {
        }
    }
    set = fdset_find(fdset_id);
    if (!set) {
        set = g_new0(Fdset, 1);
        set->id = fdset_id;
        set->fds = g_ptr_array_new_with_free_func(fdset_entry_free);
        g_ptr_array_add(fdsets, set);
        g_ptr_array_sort(fdsets, fdset_cmp);
    }
    e = g_new0(FdsetEntry, 1);
    e->fd = fd;
    e->opaque = g_strdup(opaque);
    g_ptr_array_add(set->fds, e);
    info = g_new0(AddfdInfo, 1);
    info->fdset_id = fdset_id;
    info->fd = fd;
    return info;
}

void qmp_remove_fd(int64_t fdset_id, bool has_fd, int64_t fd, GError **errp)
{
    Fdset *set = fdset_find(fdset_id);

    if (set && has_fd) {
        for (guint i = 0; i < set->fds->len; i++) {
            FdsetEntry *e = g_ptr_array_index(set->fds, i);
            if (e->fd == fd) {
                g_ptr_array_remove_index(set->fds, i);
                goto done;
            }
        }
    } else if (set) {
        g_ptr_array_set_size(set->fds, 0);
        goto done;
    }
    if (has_fd) {
        error_setg(errp, "File descriptor named 'fdset-id:%" PRId64
                   ", fd:%" PRId64 "' not found", fdset_id, fd);
    } else {
        error_setg(errp, "File descriptor named 'fdset-id:%" PRId64
                   "' not found", fdset_id);
    }
    return;

done:
    if (!set->fds->len) {
        g_ptr_array_remove(fdsets, set);
        g_ptr_array_free(set->fds, TRUE);
        g_free(set);
    }
}

FdsetInfoList *qmp_query_fdsets(GError **errp)
{
    FdsetInfoList *head = NULL, **tail = &head;

    for (guint i = 0; fdsets && i < fdsets->len; i++) {
        Fdset *set = g_ptr_array_index(fdsets, i);
        FdsetInfoList *e = g_new0(FdsetInfoList, 1);
        FdsetFdInfoList **ftail;

        e->value = g_new0(FdsetInfo, 1);
        e->value->fdset_id = set->id;
        ftail = &e->value->fds;
        for (guint j = 0; j < set->fds->len; j++) {
            FdsetEntry *fe = g_ptr_array_index(set->fds, j);
            FdsetFdInfoList *fl = g_new0(FdsetFdInfoList, 1);
            fl->value = g_new0(FdsetFdInfo, 1);
            fl->value->fd = fe->fd;
            fl->value->opaque = g_strdup(fe->opaque);
            *ftail = fl;
            ftail = &fl->next;
        }
        *tail = e;
        tail = &e->next;
    }
    return head;
}
