/* -daemonize, -pidfile and the process name; see cli/daemon.h. */
#include "cli/daemon.h"
#include "util/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int ready_fd = -1; /* child's end of the status pipe */
static int pidfile_fd = -1;
static char *pidfile_path;

bool daemon_start(GError **errp)
{
    int fds[2];

    if (pipe2(fds, O_CLOEXEC) < 0) {
        error_setg_errno(errp, errno, "daemonize: pipe");
        return false;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        error_setg_errno(errp, errno, "daemonize: fork");
        return false;
    }
    if (pid > 0) {
        /* parent: wait for a status byte from the child */
        char status = 1;
        ssize_t n;
        close(fds[1]);
        do {
            n = read(fds[0], &status, 1);
        } while (n < 0 && errno == EINTR);
        if (n != 1) {
            int wstatus;
            waitpid(pid, &wstatus, WNOHANG);
            status = 1;
        }
        _exit(status ? 1 : 0);
    }
    close(fds[0]);
    ready_fd = fds[1];
    if (setsid() < 0) {
        error_setg_errno(errp, errno, "daemonize: setsid");
        return false;
    }
    return true;
}

static void daemon_report(char status)
{
    ssize_t n;

    if (ready_fd < 0) {
        return;
    }
    do {
        n = write(ready_fd, &status, 1);
    } while (n < 0 && errno == EINTR);
    close(ready_fd);
    ready_fd = -1;
}

void daemon_ready(void)
{
    if (ready_fd < 0) {
        return;
    }
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        if (null > STDERR_FILENO) {
            close(null);
        }
    }
    if (chdir("/") < 0) {
        /* nothing useful to do: stderr is gone already */
    }
    daemon_report(0);
}

void daemon_failed(void)
{
    daemon_report(1);
}

bool pidfile_create(const char *path, GError **errp)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET};

    if (fd < 0) {
        error_setg_errno(errp, errno,
                         "cannot create PID file: Cannot open "
                         "pid file");
        return false;
    }
    if (fcntl(fd, F_SETLK, &lock) < 0) {
        error_setg_errno(errp, errno,
                         "cannot create PID file: Cannot lock "
                         "pid file");
        close(fd);
        return false;
    }
    char buf[32];
    int len = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
    if (ftruncate(fd, 0) < 0 || write(fd, buf, len) != len) {
        error_setg_errno(errp, errno,
                         "cannot create PID file: Failed to "
                         "write pid file");
        close(fd);
        return false;
    }
    pidfile_fd = fd;
    /* keep an absolute path: -daemonize changes directory to / */
    pidfile_path = g_canonicalize_filename(path, NULL);
    return true;
}

void pidfile_remove(void)
{
    struct stat a, b;

    if (pidfile_fd < 0) {
        return;
    }
    /* only unlink the file if it is still the one we locked */
    if (fstat(pidfile_fd, &a) == 0 && stat(pidfile_path, &b) == 0 &&
        a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
        unlink(pidfile_path);
    }
    close(pidfile_fd);
    pidfile_fd = -1;
    g_free(pidfile_path);
    pidfile_path = NULL;
}

void process_set_name(const char *name)
{
    char comm[16];

    g_strlcpy(comm, name, sizeof(comm));
    prctl(PR_SET_NAME, comm);
}
