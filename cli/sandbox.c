/*
 * -sandbox with libseccomp. The groups follow QEMU's -sandbox
 * documentation (docs: qemu-options "-sandbox"); the syscall lists are
 * ours. Unknown names on this architecture are skipped.
 */
#include "config-host.h"
#include "cli/sandbox.h"
#include "util/error.h"

#include <errno.h>
#include <sched.h>
#include <sys/prctl.h>
#include <string.h>

#ifdef CONFIG_SECCOMP
#include <seccomp.h>
#endif

bool sandbox_parse_flags(const KeyvalList *kv, unsigned *flags, GError **errp)
{
    const char *v;

    *flags = SANDBOX_DEFAULT_FLAGS;
    if ((v = keyval_get(kv, "obsolete"))) {
        if (!strcmp(v, "allow")) {
            *flags |= SANDBOX_ALLOW_OBSOLETE;
        } else if (strcmp(v, "deny")) {
            error_setg(errp, "invalid argument for obsolete");
            return false;
        }
    }
    if ((v = keyval_get(kv, "elevateprivileges"))) {
        if (!strcmp(v, "allow")) {
            *flags &= ~SANDBOX_DENY_ELEVATE;
        } else if (!strcmp(v, "children")) {
            *flags |= SANDBOX_DENY_ELEVATE | SANDBOX_ELEVATE_CHILDREN;
        } else if (!strcmp(v, "deny")) {
            *flags |= SANDBOX_DENY_ELEVATE;
        } else {
            error_setg(errp, "invalid argument for elevateprivileges");
            return false;
        }
    }
    if ((v = keyval_get(kv, "spawn"))) {
        if (!strcmp(v, "deny")) {
            *flags |= SANDBOX_DENY_SPAWN;
        } else if (strcmp(v, "allow")) {
            error_setg(errp, "invalid argument for spawn");
            return false;
        }
    }
    if ((v = keyval_get(kv, "resourcecontrol"))) {
        if (!strcmp(v, "deny")) {
            *flags |= SANDBOX_DENY_RESOURCECONTROL;
        } else if (strcmp(v, "allow")) {
            error_setg(errp, "invalid argument for resourcecontrol");
            return false;
        }
    }
    return true;
}

#ifdef CONFIG_SECCOMP
static const char *const always_denied[] = {
    "reboot",      "swapon",       "swapoff",       "syslog",
    "mount",       "umount2",      "kexec_load",    "kexec_file_load",
    "init_module", "finit_module", "delete_module", "pivot_root",
    "acct",        "iopl",         "ioperm",        NULL};
static const char *const obsolete[] = {"readdir",
                                       "_sysctl",
                                       "bdflush",
                                       "create_module",
                                       "get_kernel_syms",
                                       "query_module",
                                       "sgetmask",
                                       "ssetmask",
                                       "sysfs",
                                       "uselib",
                                       "ustat",
                                       "vserver",
                                       "afs_syscall",
                                       "break",
                                       "ftime",
                                       "getpmsg",
                                       "gtty",
                                       "lock",
                                       "mpx",
                                       "prof",
                                       "profil",
                                       "putpmsg",
                                       "security",
                                       "stty",
                                       "tuxcall",
                                       "nfsservctl",
                                       NULL};
static const char *const elevate[] = {
    "setuid",    "setgid",    "setpgid",  "setsid",   "setreuid",  "setregid",
    "setresuid", "setresgid", "setfsuid", "setfsgid", "setgroups", NULL};
static const char *const spawn[] = {"fork", "vfork", "execve", "execveat",
                                    NULL};
static const char *const resource[] = {"setpriority",        "sched_setparam",
                                       "sched_setscheduler", "sched_setattr",
                                       "sched_setaffinity",  NULL};
static const char *const resource_queries[] = {"getpriority",
                                               "sched_getparam",
                                               "sched_getscheduler",
                                               "sched_getattr",
                                               "sched_getaffinity",
                                               "sched_get_priority_max",
                                               "sched_get_priority_min",
                                               NULL};

static bool deny_list_action(scmp_filter_ctx ctx, const char *const *names,
                             uint32_t action, GError **errp)
{
    for (int i = 0; names[i]; i++) {
        int nr = seccomp_syscall_resolve_name(names[i]);
        if (nr == __NR_SCMP_ERROR || nr < 0) {
            continue; /* not a syscall on this architecture */
        }
        int rc = seccomp_rule_add(ctx, action, nr, 0);
        if (rc < 0) {
            error_setg_errno(errp, -rc, "failed to add seccomp rule for %s",
                             names[i]);
            return false;
        }
    }
    return true;
}

static bool deny_list(scmp_filter_ctx ctx, const char *const *names,
                      GError **errp)
{
    return deny_list_action(ctx, names, SCMP_ACT_KILL_PROCESS, errp);
}

/*
 * glibc's fork() is clone() without CLONE_THREAD; threads use clone3
 * first (its flags live in memory seccomp cannot read), so clone3 fails
 * with ENOSYS and glibc falls back to clone(), which we can filter.
 */
static bool deny_spawn(scmp_filter_ctx ctx, GError **errp)
{
    int rc = seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(clone), 1,
                              SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
    if (rc == 0) {
        int nr = seccomp_syscall_resolve_name("clone3");
        if (nr >= 0) {
            rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
        }
    }
    if (rc < 0) {
        error_setg_errno(errp, -rc, "failed to add seccomp spawn rules");
        return false;
    }
    return deny_list(ctx, spawn, errp);
}

bool sandbox_install(unsigned flags, GError **errp)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    bool ok = false;
    int rc;

    if (!ctx) {
        error_setg(errp, "failed to initialize seccomp context");
        return false;
    }
    rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
    if (rc < 0) {
        error_setg_errno(errp, -rc,
                         "failed to set seccomp thread "
                         "synchronization");
        goto out;
    }
    if (!deny_list(ctx, always_denied, errp) ||
        (!(flags & SANDBOX_ALLOW_OBSOLETE) &&
         !deny_list(ctx, obsolete, errp)) ||
        ((flags & SANDBOX_DENY_ELEVATE) && !deny_list(ctx, elevate, errp)) ||
        ((flags & SANDBOX_DENY_SPAWN) && !deny_spawn(ctx, errp)) ||
        ((flags & SANDBOX_DENY_RESOURCECONTROL) &&
         (!deny_list(ctx, resource, errp) ||
          !deny_list_action(ctx, resource_queries, SCMP_ACT_ERRNO(EPERM),
                            errp)))) {
        goto out;
    }
    if ((flags & SANDBOX_ELEVATE_CHILDREN) &&
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        error_setg_errno(errp, errno, "failed to set no_new_privs");
        goto out;
    }
    rc = seccomp_load(ctx);
    if (rc < 0) {
        error_setg_errno(errp, -rc,
                         "failed to install seccomp syscall "
                         "filter in the kernel");
        goto out;
    }
    ok = true;
out:
    seccomp_release(ctx);
    return ok;
}
#else
bool sandbox_install(unsigned flags, GError **errp)
{
    error_setg(errp, "-sandbox on,... requires seccomp support, which this "
                     "kvmu was built without");
    return false;
}
#endif
