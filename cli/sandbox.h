/*
 * -sandbox: a seccomp system-call filter (libseccomp), following QEMU's
 * documented groups. Always denied when on: obsolete and dangerous
 * syscalls (reboot, swapon, mount, kexec_load, ...). Optional groups:
 * obsolete=allow lifts the obsolete-syscall group; elevateprivileges=
 * deny|children denies set*uid/set*gid (children also sets
 * no_new_privs, so exec'd children cannot gain privileges);
 * spawn=deny denies fork/vfork/execve; resourcecontrol=deny denies
 * scheduler and priority changes (the read-only scheduler queries fail
 * with EPERM instead, as GLib calls sched_getaffinity). A denied call
 * kills the process (SIGSYS), as QEMU does.
 *
 * Installed by main() after daemonizing, before the guest runs; applies
 * to every thread (TSYNC).
 */
#ifndef CLI_SANDBOX_H
#define CLI_SANDBOX_H

#include "util/keyval.h"

#include <stdbool.h>

enum {
    SANDBOX_ALLOW_OBSOLETE = 1 << 0,
    SANDBOX_DENY_ELEVATE = 1 << 1,
    SANDBOX_DENY_SPAWN = 1 << 2,
    SANDBOX_DENY_RESOURCECONTROL = 1 << 3,
    SANDBOX_ELEVATE_CHILDREN = 1 << 4,
};

/* Flags when only "on" is given: QEMU's defaults (obsolete=deny, the
 * other groups allowed); the always-denied group applies regardless. */
#define SANDBOX_DEFAULT_FLAGS 0

bool sandbox_parse_flags(const KeyvalList *kv, unsigned *flags,
                         GError **errp);
/* Install the filter; error if seccomp is unavailable. */
bool sandbox_install(unsigned flags, GError **errp);

#endif
