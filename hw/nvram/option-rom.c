/*
 * Reading and checking option ROM image files (include/hw/nvram/
 * option-rom.h). The size is checked before the file is read, so a huge
 * file is refused without reading it.
 */
#include "hw/nvram/option-rom.h"
#include "util/error.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROM_BLOCK 512

/* where a bare name (no '/') that is not in the current directory is
 * looked for, as QEMU looks in its data directory */
static const char *const rom_dirs[] = {
    "/usr/share/qemu",
    "/usr/share/seabios",
};

static char *rom_find(const char *name)
{
    if (strchr(name, '/') || g_file_test(name, G_FILE_TEST_EXISTS)) {
        return g_strdup(name);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(rom_dirs); i++) {
        char *p = g_build_filename(rom_dirs[i], name, NULL);
        if (g_file_test(p, G_FILE_TEST_IS_REGULAR)) {
            return p;
        }
        g_free(p);
    }
    return g_strdup(name);
}

static void rom_error(GError **errp, OptionRomStyle style, const char *path,
                      const char *what)
{
    if (style == OPTION_ROM_STYLE_PCI) {
        error_setg(errp, "romfile \"%s\" %s", path, what);
    } else {
        error_setg(errp, "option rom '%s' %s", path, what);
    }
}

bool option_rom_load(const char *path, size_t max, OptionRomStyle style,
                     uint8_t **data, size_t *len, GError **errp)
{
    GStatBuf st;

    *data = NULL;
    *len = 0;
    g_autofree char *found = rom_find(path);
    /* O_NONBLOCK: a FIFO must not block the open; checked below */
    int fd = g_open(found, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
    if (fd < 0) {
        int err = errno;
        if (style == OPTION_ROM_STYLE_PCI) {
            error_setg(errp, "failed to find romfile \"%s\"", path);
        } else {
            error_setg(errp, "Could not open option rom '%s': %s", path,
                       g_strerror(err));
        }
        return false;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        rom_error(errp, style, path, "is not a regular file");
        return false;
    }
    if (st.st_size == 0) {
        close(fd);
        rom_error(errp, style, path, "is empty");
        return false;
    }
    if ((uint64_t)st.st_size > max) {
        close(fd);
        g_autofree char *what = g_strdup_printf(
            "is too large (%lld bytes; at most %zu)",
            (long long)st.st_size, max);
        rom_error(errp, style, path, what);
        return false;
    }
    size_t size = st.st_size;
    uint8_t *buf = g_malloc(size);
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        got += n;
    }
    close(fd);
    if (got != size) {
        g_free(buf);
        if (style == OPTION_ROM_STYLE_PCI) {
            error_setg(errp, "failed to load romfile \"%s\"", path);
        } else {
            rom_error(errp, style, path, "could not be read");
        }
        return false;
    }
    if (size < 3 || buf[0] != 0x55 || buf[1] != 0xaa) {
        g_free(buf);
        rom_error(errp, style, path,
                  "is not an option ROM (no 0x55 0xAA signature)");
        return false;
    }
    if (!buf[2] || (size_t)buf[2] * ROM_BLOCK > size) {
        g_autofree char *what = g_strdup_printf(
            "is not an option ROM (header length %u x 512 bytes, file %zu "
            "bytes)", buf[2], size);
        g_free(buf);
        rom_error(errp, style, path, what);
        return false;
    }
    *data = buf;
    *len = size;
    return true;
}
