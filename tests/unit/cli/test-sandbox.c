/*
 * -sandbox: a syscall in a denied group kills the process (SIGSYS); one in
 * an allowed group runs. Each case runs in a forked child.
 */
#include "config-host.h"
#include "cli/sandbox.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

typedef void SyscallFn(void);

static void do_setuid(void)
{
    if (setuid(getuid()) < 0) {
        _exit(3);
    }
}

static void do_fork(void)
{
    pid_t p = fork();
    if (p == 0) {
        _exit(0);
    }
    waitpid(p, NULL, 0);
}

static void do_setpriority(void)
{
    if (setpriority(PRIO_PROCESS, 0, getpriority(PRIO_PROCESS, 0)) < 0 &&
        errno != EACCES) {
        _exit(3);
    }
}

/* a resourcecontrol query fails with EPERM instead of killing */
static void do_getaffinity(void)
{
    cpu_set_t set;

    if (sched_getaffinity(0, sizeof(set), &set) == 0 || errno != EPERM) {
        _exit(3);
    }
}

static void do_nothing_special(void)
{
    if (getpid() <= 0) {
        _exit(3);
    }
}

/* Returns the signal that killed the child, or 0 if it exited 0. */
static int run_in_child(unsigned flags, SyscallFn *fn)
{
    pid_t pid = fork();

    if (pid == 0) {
        if (!sandbox_install(flags, NULL)) {
            _exit(2);
        }
        fn();
        _exit(0);
    }
    int status;
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    if (WIFSIGNALED(status)) {
        return WTERMSIG(status);
    }
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    return 0;
}

static void test_sandbox_denied_groups_kill(void)
{
#ifdef CONFIG_SECCOMP
    g_assert_cmpint(run_in_child(SANDBOX_DENY_ELEVATE, do_setuid), ==, SIGSYS);
    g_assert_cmpint(run_in_child(SANDBOX_DENY_SPAWN, do_fork), ==, SIGSYS);
    g_assert_cmpint(run_in_child(SANDBOX_DENY_RESOURCECONTROL,
                                 do_setpriority), ==, SIGSYS);
    g_assert_cmpint(run_in_child(SANDBOX_DENY_RESOURCECONTROL,
                                 do_getaffinity), ==, 0);
    g_assert_cmpint(run_in_child(SANDBOX_DENY_ELEVATE |
                                 SANDBOX_ELEVATE_CHILDREN, do_setuid), ==,
                    SIGSYS);
#else
    g_test_skip("built without seccomp");
#endif
}

static void test_sandbox_allowed_groups_run(void)
{
#ifdef CONFIG_SECCOMP
    g_assert_cmpint(run_in_child(0, do_setuid), ==, 0);
    g_assert_cmpint(run_in_child(SANDBOX_DEFAULT_FLAGS, do_setuid), ==, 0);
    g_assert_cmpint(run_in_child(SANDBOX_DENY_ELEVATE, do_fork), ==, 0);
    g_assert_cmpint(run_in_child(SANDBOX_DEFAULT_FLAGS, do_setpriority), ==, 0);
    g_assert_cmpint(run_in_child(SANDBOX_DEFAULT_FLAGS | SANDBOX_DENY_SPAWN |
                                 SANDBOX_DENY_RESOURCECONTROL,
                                 do_nothing_special), ==, 0);
#else
    g_test_skip("built without seccomp");
#endif
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sandbox/denied-groups-kill",
                    test_sandbox_denied_groups_kill);
    g_test_add_func("/sandbox/allowed-groups-run",
                    test_sandbox_allowed_groups_run);
    return g_test_run();
}
