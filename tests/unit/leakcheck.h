/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * leakcheck.h - what the tests that start processes check after each test:
 * no file descriptor leaked, no child left behind (running or zombie).
 * Include after <cmocka.h>.
 */
#ifndef PMMHA_LEAKCHECK_H
#define PMMHA_LEAKCHECK_H

#include <dirent.h>
#include <errno.h>
#include <sys/wait.h>

/* How many file descriptors this process has open. */
static inline int
count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/* As many fds as @fds_before (count_fds() at setup), and no child. */
static inline void
assert_no_leaks(int fds_before)
{
    int st;

    assert_int_equal(count_fds(), fds_before);
    assert_int_equal(waitpid(-1, &st, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

#endif
