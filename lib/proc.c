/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc.h"

int
ra_proc_stat_parse(const char *buf, uint64_t *ret_starttime)
{
    const char *p;
    int field;

    /* comm may hold blanks and parentheses: fields resume after the last ')' */
    p = strrchr(buf, ')');
    if (!p || p[1] != ' ')
        return -EIO;
    p += 2;
    if (*p == 'Z' || *p == 'X')
        return -ESRCH;
    for (field = 3; field < 22 && p; field++) {
        p = strchr(p, ' ');
        if (p)
            p++;
    }
    if (!p)
        return -EIO;
    *ret_starttime = strtoull(p, NULL, 10);
    return 0;
}

int
ra_proc_starttime(pid_t pid, uint64_t *ret_starttime)
{
    char path[64], buf[1024];
    ssize_t n;
    int fd;

    if (pid <= 0)
        return -ESRCH;
    snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT || errno == 0 ? -ESRCH : -errno;
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -ESRCH;
    buf[n] = '\0';
    return ra_proc_stat_parse(buf, ret_starttime);
}

int
ra_proc_is(pid_t pid, uint64_t starttime)
{
    uint64_t st = 0;
    int r = ra_proc_starttime(pid, &st);

    if (r == -ESRCH)
        return 0;
    if (r < 0)
        return r;
    return st == starttime;
}

int
ra_pidfd_open(pid_t pid)
{
#ifdef SYS_pidfd_open
    long fd = syscall(SYS_pidfd_open, pid, 0);

    return fd < 0 ? -1 : (int) fd;
#else
    (void) pid;
    errno = ENOSYS;
    return -1;
#endif
}

int
ra_proc_open(pid_t pid, uint64_t starttime)
{
    int fd, r;

    if (pid <= 0)
        return -ESRCH;
    fd = ra_pidfd_open(pid);
    if (fd < 0)
        return -errno;
    /* the fd holds whatever process had the PID: make sure it is ours */
    r = ra_proc_is(pid, starttime);
    if (r == 1)
        return fd;
    close(fd);
    return r == 0 ? -ESRCH : r;
}

int
ra_proc_signal(int pidfd, int sig)
{
#ifdef SYS_pidfd_send_signal
    if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
        return -errno;
    return 0;
#else
    (void) pidfd;
    (void) sig;
    return -ENOSYS;
#endif
}

int
ra_proc_wait(int pidfd, ra_deadline_t deadline)
{
    struct pollfd p = { .fd = pidfd, .events = POLLIN };

    for (;;) {
        int left = ra_deadline_poll_ms(deadline);
        int n;

        if (left == 0)
            return -ETIMEDOUT;
        n = poll(&p, 1, left);
        if (n > 0)
            return (p.revents & POLLNVAL) ? -EBADF : 0;
        if (n < 0 && errno != EINTR)
            return -errno;
    }
}
