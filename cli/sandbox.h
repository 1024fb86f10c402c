/*
 * -sandbox: a seccomp system-call filter (libseccomp), following QEMU's
 * documented groups. Always denied when on: obsolete and dangerous
 * syscalls (reboot, swapon, mount, kexec_load, ...). Optional groups:
 * obsolete=allow lifts the obsolete-syscall group; elevateprivileges=
 * deny|children denies set*uid/set*gid (and, for deny, setns/unshare);
 * spawn=deny denies fork/vfork/execve; resourcecontrol=deny denies
 * scheduler and priority changes. A denied call kills the process
 * (SIGSYS), as QEMU does.
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

/* Default flags when only "on" is given: elevateprivileges deny (QEMU's
 * default), everything else allowed except the always-denied groups. */
#define SANDBOX_DEFAULT_FLAGS SANDBOX_DENY_ELEVATE

bool sandbox_parse_flags(const KeyvalList *kv, unsigned *flags,
                         GError **errp);
/* Install the filter; error if seccomp is unavailable. */
bool sandbox_install(unsigned flags, GError **errp);

#endif
