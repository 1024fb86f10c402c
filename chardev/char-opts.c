/*
 * Creating chardevs: -chardev BACKEND,id=ID,... (chardev_new and
 * chardev_new_from_string), the -serial/-monitor/-qmp shorthands
 * (chardev_parse_legacy), the backend table and "-chardev help".
 */
#include "char-internal.h"
#include "util/error.h"
#include "util/keyval.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

void chardev_register(Chardev *chr);
void chardev_destroy(Chardev *chr);

/* clang-format off */
static const ChardevBackend *const backends[] = {
    &chardev_file,
    &chardev_mux,
    &chardev_null,
    &chardev_pipe,
    &chardev_pty,
    &chardev_ringbuf,
    &chardev_serial,
    &chardev_socket,
    &chardev_stdio,
};
/* clang-format on */

static const char *const common_opts[] = {
    "id", "backend", "mux", "logfile", "logappend", NULL,
};

static const ChardevBackend *backend_find(const char *name)
{
    if (name && strcmp(name, "tty") == 0) {
        name = "serial"; /* QEMU's alias */
    }
    for (size_t i = 0; i < G_N_ELEMENTS(backends); i++) {
        if (name && strcmp(backends[i]->name, name) == 0) {
            return backends[i];
        }
    }
    return NULL;
}

GList *chardev_backend_names(void)
{
    GList *l = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(backends); i++) {
        l = g_list_insert_sorted(l, (gpointer)backends[i]->name,
                                 (GCompareFunc)strcmp);
    }
    return l;
}

void chardev_print_help(FILE *out)
{
    GList *names = chardev_backend_names();
    fprintf(out, "Available chardev backend types: \n");
    for (GList *l = names; l; l = l->next) {
        fprintf(out, "  %s\n", (const char *)l->data);
    }
    g_list_free(names);
}

static bool str_in(const char *s, const char *const *list)
{
    for (; list && *list; list++) {
        if (strcmp(s, *list) == 0) {
            return true;
        }
    }
    return false;
}

static bool check_opts(const ChardevBackend *be, GHashTable *opts,
                       GError **errp)
{
    if (!opts) {
        return true;
    }
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, opts);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        if (!str_in(key, common_opts) && !str_in(key, be->opts)) {
            error_setg(errp, "Invalid parameter '%s'", (const char *)key);
            return false;
        }
    }
    return true;
}

Chardev *chardev_new(const char *id, const char *backend, GHashTable *opts,
                     GError **errp)
{
    if (!id || !*id) {
        error_setg(errp, "Parameter 'id' is missing");
        return NULL;
    }
    if (!g_ascii_isalpha(id[0]) ||
        strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                   "0123456789-._") != strlen(id)) {
        error_setg(errp, "Parameter 'id' expects an identifier");
        return NULL;
    }
    const ChardevBackend *be = backend_find(backend);
    if (!be) {
        error_setg(errp, "'%s' is not a valid char driver name",
                   backend ? backend : "");
        return NULL;
    }
    if (chardev_find(id)) {
        error_setg(errp, "Duplicate ID '%s' for chardev", id);
        return NULL;
    }
    if (!check_opts(be, opts, errp)) {
        return NULL;
    }
    bool mux;
    if (!chr_opt_bool(opts, "mux", false, &mux, errp)) {
        return NULL;
    }

    bool logappend;
    const char *logfile = chr_opt(opts, "logfile");
    int log_fd = -1;
    if (!chr_opt_bool(opts, "logappend", false, &logappend, errp)) {
        return NULL;
    }
    if (logfile) {
        log_fd = open(logfile,
                      O_WRONLY | O_CREAT | O_CLOEXEC |
                          (logappend ? O_APPEND : O_TRUNC),
                      0666);
        if (log_fd < 0) {
            error_setg_errno(errp, errno, "Unable to open logfile %s", logfile);
            return NULL;
        }
    }

    Chardev *chr = g_new0(Chardev, 1);
    chr->log_fd = log_fd;
    chr->id = g_strdup(id);
    chr->be_ops = be;
    chr->be = be->state_size ? g_malloc0(be->state_size) : NULL;
    chr->in_fd = chr->out_fd = -1;

    if (!be->open(chr, opts, errp)) {
        /* close() copes with a half-open state. */
        if (be->close) {
            be->close(chr);
        }
        chr_fd_free(chr);
        if (chr->log_fd >= 0) {
            close(chr->log_fd);
        }
        g_free(chr->be);
        g_free(chr->id);
        g_free(chr);
        return NULL;
    }
    if (mux) {
        chr_mux_init(chr);
    }
    chardev_register(chr);
    return chr;
}

Chardev *chardev_new_from_string(const char *optstr, GError **errp)
{
    g_autoptr(KeyvalList) kv =
        keyval_parse(optstr, "backend", KEYVAL_BARE_FLAGS, errp);
    if (!kv) {
        return NULL;
    }
    const char *backend = keyval_get(kv, "backend");
    if (!backend) {
        error_setg(errp, "Parameter 'backend' is missing");
        return NULL;
    }
    GHashTable *opts = keyval_to_hash(kv);
    Chardev *chr = chardev_new(keyval_get(kv, "id"), backend, opts, errp);
    g_hash_table_unref(opts);
    return chr;
}

bool chardev_legacy_is_none(const char *spec)
{
    return spec && strcmp(spec, "none") == 0;
}

bool chardev_legacy_is_mon(const char *spec)
{
    return spec && g_str_has_prefix(spec, "mon:");
}

static GHashTable *opts_new(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

static void opts_set(GHashTable *o, const char *k, const char *v)
{
    g_hash_table_insert(o, g_strdup(k), g_strdup(v));
}

/* ",server=on,wait=off" after unix:PATH / tcp:HOST:PORT */
static bool opts_merge(GHashTable *o, const char *rest, GError **errp)
{
    if (!rest || !*rest) {
        return true;
    }
    g_autoptr(KeyvalList) kv =
        keyval_parse(rest, NULL, KEYVAL_BARE_FLAGS, errp);
    if (!kv) {
        return false;
    }
    for (guint i = 0; i < kv->pairs->len; i++) {
        KeyvalPair *p = g_ptr_array_index(kv->pairs, i);
        opts_set(o, p->key, p->value);
    }
    return true;
}

/* Split "a,b" at the first single comma (",," is an escaped comma). */
static char *split_first(const char *s, const char **rest)
{
    GString *out = g_string_new("");
    const char *p = s;
    while (*p) {
        if (*p == ',') {
            if (p[1] == ',') {
                g_string_append_c(out, ',');
                p += 2;
                continue;
            }
            *rest = p + 1;
            return g_string_free(out, FALSE);
        }
        g_string_append_c(out, *p++);
    }
    *rest = NULL;
    return g_string_free(out, FALSE);
}

static const char *const simple_backends[] = {
    "null",
    "stdio",
    "pty",
    NULL,
};

Chardev *chardev_parse_legacy(const char *spec, const char *id, GError **errp)
{
    if (!spec || !*spec) {
        error_setg(errp, "empty chardev specification");
        return NULL;
    }
    if (chardev_legacy_is_none(spec)) {
        error_setg(errp, "'none' is not a character device");
        return NULL;
    }
    if (g_str_has_prefix(spec, "chardev:")) {
        Chardev *chr = chardev_find(spec + 8);
        if (!chr) {
            error_setg(errp, "chardev: chardev '%s' not found", spec + 8);
        }
        return chr;
    }

    g_autoptr(GHashTable) o = opts_new();
    bool mon = chardev_legacy_is_mon(spec);
    if (mon) {
        spec += 4;
        opts_set(o, "mux", "on");
        if (strcmp(spec, "stdio") == 0) {
            /* Monitor muxed on stdio: Ctrl-C goes to the guest. */
            opts_set(o, "signal", "off");
        }
    }

    const char *backend = NULL;
    const char *arg;
    g_autofree char *head = NULL;
    const char *rest = NULL;

    if (str_in(spec, simple_backends)) {
        backend = spec;
    } else if (strcmp(spec, "vc") == 0 || g_str_has_prefix(spec, "vc:")) {
        error_setg(errp, "vc: not supported yet");
        return NULL;
    } else if ((arg = strchr(spec, ':')) != NULL &&
               (g_str_has_prefix(spec, "file:") ||
                g_str_has_prefix(spec, "pipe:"))) {
        backend = g_str_has_prefix(spec, "file:") ? "file" : "pipe";
        if (!arg[1]) {
            error_setg(errp, "chardev: %s: no filename given", backend);
            return NULL;
        }
        opts_set(o, "path", arg + 1);
    } else if (g_str_has_prefix(spec, "unix:")) {
        backend = "socket";
        head = split_first(spec + 5, &rest);
        if (!*head) {
            error_setg(errp, "chardev: socket: no path given");
            return NULL;
        }
        opts_set(o, "path", head);
    } else if (g_str_has_prefix(spec, "tcp:")) {
        backend = "socket";
        head = split_first(spec + 4, &rest);
        char *colon = strrchr(head, ':');
        if (!colon) {
            error_setg(errp, "chardev: socket: no port given");
            return NULL;
        }
        *colon = '\0';
        opts_set(o, "host", head);
        opts_set(o, "port", colon + 1);
    } else if (g_str_has_prefix(spec, "/dev/")) {
        if (g_str_has_prefix(spec, "/dev/parport")) {
            error_setg(errp, "'parallel' is not a valid char driver name");
            return NULL;
        }
        backend = "serial";
        opts_set(o, "path", spec);
    } else if (g_str_has_prefix(spec, "telnet:")) {
        error_setg(errp, "telnet: not supported yet");
        return NULL;
    } else {
        g_autofree char *name = g_strndup(spec, strcspn(spec, ":,"));
        error_setg(errp, "'%s' is not a valid char driver name", name);
        return NULL;
    }
    if (!opts_merge(o, rest, errp)) {
        return NULL;
    }
    return chardev_new(id, backend, o, errp);
}
