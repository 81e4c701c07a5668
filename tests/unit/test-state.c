/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/state.c and lib/proc.c. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "putfile.h"

#include "proc.h"
#include "state.h"

static void
test_roundtrip(void **state)
{
    char dir[] = "/tmp/pmmha-state-XXXXXX", sub[128], path[256];
    struct ra_state st = { 0 }, back;

    (void) state;
    assert_non_null(mkdtemp(dir));
    /* the directory (HA_RSCTMP) does not exist yet: it is made */
    snprintf(sub, sizeof sub, "%s/rsctmp", dir);
    assert_int_equal(ra_state_path(sub, "pmm-server", "pmm", path, sizeof path),
                     0);
    assert_int_equal(ra_state_set(&st, "pid", "42"), 0);
    assert_int_equal(ra_state_set(&st, "url", "http://10.88.0.2:80/v1/readyz"),
                     0);
    assert_int_equal(ra_state_set(&st, "pid", "43"), 0);
    assert_int_equal(st.n, 2);
    assert_int_equal(ra_state_save(path, &st), 0);
    assert_int_equal(ra_state_load(path, &back), 0);
    assert_string_equal(ra_state_get(&back, "pid"), "43");
    assert_string_equal(ra_state_get(&back, "url"),
                        "http://10.88.0.2:80/v1/readyz");
    assert_null(ra_state_get(&back, "nope"));
    assert_int_equal(ra_state_remove(path), 0);
    assert_int_equal(ra_state_remove(path), 0);
    assert_int_equal(ra_state_load(path, &back), -ENOENT);
    rmdir(sub);
    rmdir(dir);
}

static void
test_limits(void **state)
{
    struct ra_state st = { 0 };
    char path[64], big[600];

    (void) state;
    assert_int_equal(ra_state_path("/run", "a", "x/../y", path, sizeof path),
                     -EINVAL);
    assert_int_equal(ra_state_path("/run", "a",
                                   "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
                                   "bbbbbbbbbbbbbbbbbbbbbbbbbb",
                                   path, sizeof path),
                     -ENAMETOOLONG);
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(ra_state_set(&st, "k", big), -ENAMETOOLONG);
    assert_int_equal(ra_state_set(&st, "k", "a\nb=c"), -ENAMETOOLONG);
    for (int i = 0; i < RA_STATE_MAX; i++) {
        char k[8];

        snprintf(k, sizeof k, "k%d", i);
        assert_int_equal(ra_state_set(&st, k, "v"), 0);
    }
    assert_int_equal(ra_state_set(&st, "one-more", "v"), -E2BIG);
}

/* A damaged file is told apart from a valid one (callers treat it as
 * absent): text that is not KEY=VALUE lines, a last line cut short, NUL
 * bytes, or more than a state holds. */
static void
test_damaged(void **state)
{
    char dir[] = "/tmp/pmmha-state-XXXXXX", path[256], big[12000];
    struct ra_state st;

    (void) state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/s.state", dir);
    put_file(path, "name=pmm\nimage=x:1\n");
    assert_int_equal(ra_state_load(path, &st), 0);
    assert_int_equal(st.n, 2);
    put_file(path, "");
    assert_int_equal(ra_state_load(path, &st), 0);
    assert_int_equal(st.n, 0);
    put_file(path, "name=pmm\ngarbage\n");
    assert_int_equal(ra_state_load(path, &st), -EBADMSG);
    assert_int_equal(st.n, 0);
    put_file(path, "name=pmm\npid=12");
    assert_int_equal(ra_state_load(path, &st), -EBADMSG);
    put_file(path, "=x\n");
    assert_int_equal(ra_state_load(path, &st), -EBADMSG);
    memset(big, 'k', sizeof big);
    big[40] = '=';
    big[sizeof big - 2] = '\n';
    big[sizeof big - 1] = '\0';
    put_file(path, big);
    assert_int_equal(ra_state_load(path, &st), -EBADMSG);
    {
        FILE *f = fopen(path, "w");

        assert_non_null(f);
        fwrite("a=1\n\0b=2\n", 1, 9, f);
        fclose(f);
    }
    assert_int_equal(ra_state_load(path, &st), -EBADMSG);
    unlink(path);
    rmdir(dir);
}

/* A write killed between creating its temporary file and the rename left
 * PATH.tmp: the next write and the removal take it away, and a write
 * itself leaves none. */
static void
test_stale_tmp(void **state)
{
    char dir[] = "/tmp/pmmha-state-XXXXXX", path[256], tmp[300];
    struct ra_state st = { 0 }, back;

    (void) state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/pmm-server-pmm.state", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    put_file(tmp, "name=half");
    assert_int_equal(ra_state_set(&st, "name", "pmm"), 0);
    assert_int_equal(ra_state_save(path, &st), 0);
    assert_int_equal(access(tmp, F_OK), -1);
    assert_int_equal(ra_state_load(path, &back), 0);
    assert_string_equal(ra_state_get(&back, "name"), "pmm");
    put_file(tmp, "name=half");
    assert_int_equal(ra_state_remove(path), 0);
    assert_int_equal(access(tmp, F_OK), -1);
    assert_int_equal(access(path, F_OK), -1);
    put_file(tmp, "name=half");
    assert_int_equal(ra_state_remove(path), 0); /* no state, a stale tmp */
    assert_int_equal(access(tmp, F_OK), -1);
    rmdir(dir);
}

/* One instance's actions are serialised: a second process waits until its
 * deadline and learns who holds the lock; once that process is gone, the
 * lock is free. A forked child does not inherit it. */
static void
test_lock(void **state)
{
    char dir[] = "/tmp/pmmha-state-XXXXXX", sub[128], path[256];
    int fd, fd2, pipefd[2];
    pid_t holder, child;
    uint64_t t0;
    char c;

    (void) state;
    assert_non_null(mkdtemp(dir));
    snprintf(sub, sizeof sub, "%s/rsctmp", dir); /* made when missing */
    assert_int_equal(pipe(pipefd), 0);
    child = fork();
    if (child == 0) {
        close(pipefd[0]);
        if (ra_state_lock(sub, "pmm-server", "pmm", ra_deadline_in_ms(1000),
                          &fd, &holder)
            < 0)
            _exit(1);
        (void) write(pipefd[1], "L", 1);
        pause();
        _exit(0);
    }
    close(pipefd[1]);
    assert_int_equal(read(pipefd[0], &c, 1), 1);
    t0 = ra_now_ns();
    assert_int_equal(ra_state_lock(sub, "pmm-server", "pmm",
                                   ra_deadline_in_ms(200), &fd, &holder),
                     -ETIMEDOUT);
    assert_true(ra_now_ns() - t0 >= 190 * RA_NSEC_PER_MSEC);
    assert_int_equal(holder, child);
    /* another instance is not held up */
    assert_int_equal(ra_state_lock(sub, "pmm-server", "other",
                                   ra_deadline_in_ms(200), &fd2, &holder),
                     0);
    close(fd2);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    close(pipefd[0]);
    assert_int_equal(ra_state_lock(sub, "pmm-server", "pmm",
                                   ra_deadline_in_ms(200), &fd, &holder),
                     0);
    /* a child forked while we hold it (an I/O child stuck in the kernel)
     * does not keep it once we let go */
    child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    close(fd);
    {
        pid_t other = fork();
        int ws;

        if (other == 0) {
            int cfd;
            pid_t h;

            _exit(ra_state_lock(sub, "pmm-server", "pmm",
                                ra_deadline_in_ms(500), &cfd, &h));
        }
        assert_int_equal(waitpid(other, &ws, 0), other);
        assert_true(WIFEXITED(ws));
        assert_int_equal(WEXITSTATUS(ws), 0);
    }
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    snprintf(path, sizeof path, "%s/pmm-server-pmm.lock", sub);
    unlink(path);
    snprintf(path, sizeof path, "%s/pmm-server-other.lock", sub);
    unlink(path);
    rmdir(sub);
    rmdir(dir);
}

/* Whatever another writer of the directory (PMM's container, for the image
 * record in /srv) leaves in the way is not followed, blocked on, or written
 * through. */
static void
test_hostile_dir(void **state)
{
    char dir[] = "/tmp/pmmha-state-XXXXXX", path[128], tmp[160], other[128];
    char buf[64] = "";
    struct ra_state st = { 0 }, back;
    struct stat sb;
    FILE *f;

    (void) state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/.pmmha-image", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    snprintf(other, sizeof other, "%s/other", dir);
    assert_int_equal(ra_state_set(&st, "image", "x"), 0);
    /* a FIFO: load fails at once instead of waiting for a writer */
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(ra_state_load(path, &back), -EINVAL);
    assert_int_equal(unlink(path), 0);
    /* a symlink: not followed */
    assert_int_equal(symlink("/etc/hostname", path), 0);
    assert_int_equal(ra_state_load(path, &back), -ELOOP);
    assert_int_equal(unlink(path), 0);
    /* the temporary name taken by a FIFO: save neither blocks nor fails */
    assert_int_equal(mkfifo(tmp, 0600), 0);
    assert_int_equal(ra_state_save(path, &st), 0);
    /* ... by a hard link to another file: that file is left alone */
    f = fopen(other, "w");
    assert_non_null(f);
    fputs("keep\n", f);
    fclose(f);
    assert_int_equal(link(other, tmp), 0);
    assert_int_equal(ra_state_save(path, &st), 0);
    f = fopen(other, "r");
    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "keep\n");
    /* ... by a symlink: not followed, replaced */
    assert_int_equal(symlink(other, tmp), 0);
    assert_int_equal(ra_state_save(path, &st), 0);
    assert_int_equal(ra_state_load(path, &back), 0);
    assert_string_equal(ra_state_get(&back, "image"), "x");
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0600);
    assert_int_equal(sb.st_nlink, 1);
    assert_int_equal(access(tmp, F_OK), -1);
    unlink(path);
    unlink(other);
    rmdir(dir);
}

static void
test_proc(void **state)
{
    uint64_t st;
    pid_t pid;

    (void) state;
    assert_int_equal(ra_proc_starttime(getpid(), &st), 0);
    assert_int_equal(ra_proc_is(getpid(), st), 1);
    assert_int_equal(ra_proc_is(getpid(), st + 1), 0);
    assert_int_equal(ra_proc_starttime(0, &st), -ESRCH);
    pid = fork();
    if (pid == 0)
        _exit(0);
    /* a zombie is not alive */
    usleep(100000);
    assert_int_equal(ra_proc_starttime(pid, &st), -ESRCH);
    waitpid(pid, NULL, 0);
    assert_int_equal(ra_proc_starttime(pid, &st), -ESRCH);
}

/* A pidfd names the process that started at the recorded time, and only
 * it: SIGTERM through it, its exit seen at once, a wrong start time
 * refused; a process that ignores SIGTERM makes the wait time out. */
static void
test_proc_pidfd(void **state)
{
    uint64_t st, t0;
    pid_t pid;
    int fd, ws;

    (void) state;
    pid = fork();
    if (pid == 0) {
        pause();
        _exit(0);
    }
    usleep(20000);
    assert_int_equal(ra_proc_starttime(pid, &st), 0);
    assert_int_equal(ra_proc_open(pid, st + 1), -ESRCH);
    assert_int_equal(ra_proc_open(0, st), -ESRCH);
    fd = ra_proc_open(pid, st);
    assert_true(fd >= 0);
    assert_int_equal(ra_proc_wait(fd, ra_deadline_in_ms(50)), -ETIMEDOUT);
    t0 = ra_now_ns();
    assert_int_equal(ra_proc_signal(fd, SIGTERM), 0);
    assert_int_equal(ra_proc_wait(fd, ra_deadline_in_ms(5000)), 0);
    assert_true(ra_now_ns() - t0 < 1000 * RA_NSEC_PER_MSEC);
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    assert_true(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGTERM);
    assert_int_equal(ra_proc_signal(fd, SIGTERM), -ESRCH);
    close(fd);

    /* SIGTERM ignored: the wait ends at its deadline; SIGKILL ends it */
    pid = fork();
    if (pid == 0) {
        signal(SIGTERM, SIG_IGN);
        for (;;)
            pause();
    }
    usleep(20000);
    assert_int_equal(ra_proc_starttime(pid, &st), 0);
    fd = ra_proc_open(pid, st);
    assert_true(fd >= 0);
    assert_int_equal(ra_proc_signal(fd, SIGTERM), 0);
    assert_int_equal(ra_proc_wait(fd, ra_deadline_in_ms(100)), -ETIMEDOUT);
    assert_int_equal(ra_proc_signal(fd, SIGKILL), 0);
    assert_int_equal(ra_proc_wait(fd, ra_deadline_in_ms(5000)), 0);
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    assert_true(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
    close(fd);
    /* gone and reaped: nothing to open */
    assert_int_equal(ra_proc_open(pid, st), -ESRCH);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip), cmocka_unit_test(test_limits),
        cmocka_unit_test(test_damaged),   cmocka_unit_test(test_stale_tmp),
        cmocka_unit_test(test_lock),      cmocka_unit_test(test_hostile_dir),
        cmocka_unit_test(test_proc),      cmocka_unit_test(test_proc_pidfd),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
