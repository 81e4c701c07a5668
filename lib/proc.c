/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

int
ra_proc_starttime(pid_t pid, uint64_t *ret_starttime)
{
    char path[64], buf[1024], *p;
    ssize_t n;
    int fd, field;

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
