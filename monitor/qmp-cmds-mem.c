/*
 * memsave / pmemsave (QMP and HMP): guest memory into a file, virtual
 * addresses through the chosen CPU's page tables (x86-paging.c) or
 * physical ones through the memory API. Unassigned physical memory reads
 * as ones; an unmapped virtual page is an error, as QEMU's. At most
 * 64 GiB per dump (the main loop writes it).
 */
#include "monitor-internal.h"
#include "hmp.h"
#include "memory/memory.h"
#include "qapi/qapi-commands.h"
#include "util/cutils.h"
#include "util/error.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#define SAVE_CHUNK 4096
/* The main loop is busy while a dump is written: refuse absurd sizes. */
#define SAVE_MAX (64ull << 30)

static int save_open(const char *filename, GError **errp)
{
    int fd = open(filename, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Could not open '%s'", filename);
    }
    return fd;
}

static bool save_write(int fd, const uint8_t *buf, size_t len,
                       const char *filename, GError **errp)
{
    while (len) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            error_setg_errno(errp, n < 0 ? errno : ENOSPC,
                             "Could not write to '%s'", filename);
            return false;
        }
        buf += n;
        len -= n;
    }
    return true;
}

/* pc: page tables for virtual addresses, NULL for physical. */
static void save(const PagingCtx *pc, int64_t val, int64_t size,
                 const char *filename, GError **errp)
{
    uint8_t buf[SAVE_CHUNK];
    uint64_t addr = (uint64_t)val;

    if (size < 0) {
        error_setg(errp, "Parameter 'size' expects a non-negative size");
        return;
    }
    if ((uint64_t)size > SAVE_MAX) {
        error_setg(errp, "Parameter 'size' expects at most 64 GiB");
        return;
    }
    int fd = save_open(filename, errp);
    if (fd < 0) {
        return;
    }
    memory_init();              /* idempotent; no-op once a board ran */
    for (uint64_t done = 0; done < (uint64_t)size;) {
        /* stop at page boundaries: each page translates separately */
        uint64_t a = addr + done;
        size_t n = MIN((uint64_t)size - done,
                       SAVE_CHUNK - (a & (SAVE_CHUNK - 1)));
        uint64_t pa = a;
        if (pc && !paging_translate(pc, a, &pa)) {
            error_setg(errp, "Invalid addr 0x%016" PRIx64 "/size %" PRId64
                       " specified", addr, size);
            break;
        }
        if (address_space_read(&address_space_memory, pa,
                               MEMTXATTRS_UNSPECIFIED, buf, n) != MEMTX_OK) {
            memset(buf, 0xff, n);
        }
        if (!save_write(fd, buf, n, filename, errp)) {
            break;
        }
        done += n;
    }
    close(fd);
}

void qmp_pmemsave(int64_t val, int64_t size, const char *filename,
                  GError **errp)
{
    save(NULL, val, size, filename, errp);
}

void qmp_memsave(int64_t val, int64_t size, const char *filename,
                 bool has_cpu_index, int64_t cpu_index, GError **errp)
{
    Monitor tmp = { .recv_fd = -1 };
    PagingCtx pc;

    if (has_cpu_index) {
        if (cpu_index < 0 || cpu_index >= monitor_cpu_total()) {
            error_setg(errp, "Parameter 'cpu-index' expects a CPU number");
            return;
        }
        tmp.cpu_index = (unsigned)cpu_index;
    } else if (cur_mon) {
        tmp.cpu_index = cur_mon->cpu_index;
    }
    if (!monitor_cpu_paging(&tmp, &pc)) {
        error_setg(errp, "No CPU available");
        return;
    }
    save(&pc, val, size, filename, errp);
}

/* "memsave addr size file", "pmemsave addr size file" */
static bool save_args(Monitor *mon, char **argv, const char *name,
                      uint64_t *addr, uint64_t *size)
{
    if (!argv[0] || !argv[1] || !argv[2] ||
        parse_uint64(argv[0], 0, addr) < 0 ||
        parse_uint64(argv[1], 0, size) < 0 || *size > INT64_MAX) {
        monitor_printf(mon, "%s: usage: %s addr size file\n", name, name);
        return false;
    }
    return true;
}

void hmp_memsave(Monitor *mon, char **argv)
{
    uint64_t addr, size;
    GError *err = NULL;

    if (save_args(mon, argv, "memsave", &addr, &size)) {
        /* the monitor's CPU ("cpu N"), when there is one */
        qmp_memsave((int64_t)addr, (int64_t)size, argv[2],
                    monitor_cpu_total() > 0, mon->cpu_index, &err);
        if (err) {
            monitor_printf(mon, "Error: %s\n", err->message);
            g_error_free(err);
        }
    }
}

void hmp_pmemsave(Monitor *mon, char **argv)
{
    uint64_t addr, size;
    GError *err = NULL;

    if (save_args(mon, argv, "pmemsave", &addr, &size)) {
        qmp_pmemsave((int64_t)addr, (int64_t)size, argv[2], &err);
        if (err) {
            monitor_printf(mon, "Error: %s\n", err->message);
            g_error_free(err);
        }
    }
}
