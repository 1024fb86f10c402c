/*
 * Process plumbing for main(): -daemonize (fork; the parent waits until
 * the child reports ready, then exits 0; the child calls setsid() and
 * points stdio at /dev/null once ready), -pidfile (written and locked,
 * removed at exit), -name process= (prctl). Main thread only.
 */
#ifndef CLI_DAEMON_H
#define CLI_DAEMON_H

#include <glib.h>
#include <stdbool.h>

/* Fork. Returns only in the child (or on error, false + errp, in the
 * original process). The parent exits with the child's status. */
bool daemon_start(GError **errp);
/* Child: initialisation done; release the parent (exit 0) and detach
 * stdio. No-op when not daemonized. */
void daemon_ready(void);
/* Child: initialisation failed; the parent exits 1 (the error was
 * already printed on the inherited stderr). */
void daemon_failed(void);

/* Create, lock and write the pid file; error if another process holds
 * the lock ("Cannot lock pid file ..."). */
bool pidfile_create(const char *path, GError **errp);
/* Remove the pid file we created (at exit). */
void pidfile_remove(void);

/* Set the process (comm) name. */
void process_set_name(const char *name);

#endif
