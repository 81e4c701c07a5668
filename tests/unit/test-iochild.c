/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-iochild.c - ra_iochild_run(): the answer comes back, a child that
 * blocks past the deadline is given up close to it, a child that dies
 * says so, the child's stdio is /dev/null and it holds no other fd of the
 * parent's, its memory is its own, SIGCHLD ignored by the caller is fine,
 * failure injection (fork, pipe2), and no fd or child left behind.
 *
 * Link with -Wl,--wrap=fork -Wl,--wrap=pipe2.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "iochild.h"
#include "leakcheck.h"

/* ---- failure injection ------------------------------------------------ */

/* NOLINTBEGIN(bugprone-reserved-identifier) */
pid_t __real_fork(void);
pid_t __wrap_fork(void);
int __real_pipe2(int fds[2], int flags);
int __wrap_pipe2(int fds[2], int flags);

static int fork_errno; /* fork() fails with this when set */
static int pipe2_errno;

pid_t
__wrap_fork(void)
{
    if (fork_errno) {
        errno = fork_errno;
        return -1;
    }
    return __real_fork();
}

int
__wrap_pipe2(int fds[2], int flags)
{
    if (pipe2_errno) {
        errno = pipe2_errno;
        return -1;
    }
    return __real_pipe2(fds, flags);
}
/* NOLINTEND(bugprone-reserved-identifier) */

/* ---- helpers ---------------------------------------------------------- */

static int fds_before;

static int
setup(void **state)
{
    (void) state;
    fork_errno = pipe2_errno = 0;
    fds_before = count_fds();
    return 0;
}

/* Every test: no fd leaked, no child left (running or zombie). */
static int
teardown(void **state)
{
    (void) state;
    assert_no_leaks(fds_before);
    return 0;
}

static uint64_t
now_ms(void)
{
    return ra_now_ns() / RA_NSEC_PER_MSEC;
}

/* ---- what the children do ------------------------------------------------ */

struct facts {
    int rc;
    char text[32];
    char stdio[3][32];  /* what fds 0-2 point to */
    int inherited_open; /* the parent's fd still open in the child */
    int pipe_cloexec;   /* the answer pipe is closed by an exec */
    int counter;        /* the child's copy of the global after changing it */
};

static int counter = 1;

static int
answer_quickly(void *arg, void *out, size_t len)
{
    struct facts *f = out;

    /* no cmocka assertion in a child: it would longjmp in the copy */
    if (len != sizeof *f)
        return -EINVAL;
    snprintf(f->text, sizeof f->text, "%s", (const char *) arg);
    return 0;
}

static int
fail_enoent(void *arg, void *out, size_t len)
{
    (void) arg;
    (void) out;
    (void) len;
    return -ENOENT;
}

static int
fail_etimedout(void *arg, void *out, size_t len)
{
    (void) arg;
    (void) out;
    (void) len;
    return -ETIMEDOUT;
}

static int
block(void *arg, void *out, size_t len)
{
    (void) out;
    (void) len;
    sleep(*(const unsigned *) arg); /* a hung read, as far as the parent sees */
    return 0;
}

static int
die_by_signal(void *arg, void *out, size_t len)
{
    (void) out;
    (void) len;
    raise(*(const int *) arg);
    return 0;
}

static int
exit_early(void *arg, void *out, size_t len)
{
    (void) arg;
    (void) out;
    (void) len;
    _exit(3);
}

static int
inspect(void *arg, void *out, size_t len)
{
    struct facts *f = out;
    int fd = *(const int *) arg;

    (void) len;
    for (int i = 0; i < 3; i++) {
        char link[32];
        ssize_t n;

        snprintf(link, sizeof link, "/proc/self/fd/%d", i);
        n = readlink(link, f->stdio[i], sizeof f->stdio[i] - 1);
        if (n > 0)
            f->stdio[i][n] = '\0';
    }
    f->inherited_open = fcntl(fd, F_GETFD) >= 0;
    f->pipe_cloexec = (fcntl(3, F_GETFD) & FD_CLOEXEC) != 0;
    counter = 42;
    f->counter = counter;
    return 0;
}

/* ---- the tests ------------------------------------------------------------
 */

static void
test_answer(void **state)
{
    struct ra_iochild_result io;
    struct facts f = { .rc = -1 };
    int r;

    (void) state;
    r = ra_iochild_run(answer_quickly, (void *) "hello", &f, sizeof f,
                       ra_deadline_in_ms(5000), &io);
    assert_int_equal(r, 0);
    assert_true(io.answered);
    assert_false(io.timed_out);
    assert_int_equal(io.signal, 0);
    assert_string_equal(f.text, "hello");
    assert_int_equal(f.rc, 0); /* the child's zeroed copy, not ours */
    assert_true(io.wait_ms < 2000);
}

static void
test_errno_passed_back(void **state)
{
    struct ra_iochild_result io;
    struct facts f = { .rc = 7 };

    (void) state;
    assert_int_equal(ra_iochild_run(fail_enoent, NULL, NULL, 0, 0, &io),
                     -ENOENT);
    assert_true(io.answered);
    /* the child's own -ETIMEDOUT must not read as the deadline's */
    assert_int_equal(ra_iochild_run(fail_etimedout, NULL, &f, sizeof f,
                                    ra_deadline_in_ms(5000), &io),
                     -EIO);
    assert_true(io.answered);
    assert_false(io.timed_out);
}

static void
test_deadline(void **state)
{
    struct ra_iochild_result io;
    struct facts f = { .rc = 7 };
    unsigned secs = 30;
    uint64_t t0 = now_ms(), dt;
    int r;

    (void) state;
    r = ra_iochild_run(block, &secs, &f, sizeof f, ra_deadline_in_ms(300), &io);
    dt = now_ms() - t0;
    assert_int_equal(r, -ETIMEDOUT);
    assert_true(io.timed_out);
    assert_false(io.answered);
    assert_int_equal(f.rc, 7); /* untouched */
    assert_true(dt >= 295);
    assert_true(dt < 600); /* the deadline, the kill and a quick reap */
    assert_true(io.wait_ms >= 295 && io.wait_ms < 600);
    /* sleep(3) dies at once of SIGKILL: it was reaped (teardown checks) */
}

static void
test_deadline_passed(void **state)
{
    struct ra_iochild_result io;
    unsigned secs = 30;

    (void) state;
    assert_int_equal(
        ra_iochild_run(block, &secs, NULL, 0, ra_now_ns() - 1, &io),
        -ETIMEDOUT);
    assert_true(io.timed_out);
}

static void
test_slow_but_in_time(void **state)
{
    struct ra_iochild_result io;
    unsigned secs = 1;

    (void) state;
    assert_int_equal(
        ra_iochild_run(block, &secs, NULL, 0, ra_deadline_in_ms(5000), &io), 0);
    assert_true(io.answered);
    assert_true(io.wait_ms >= 990 && io.wait_ms < 4000);
}

static void
test_killed(void **state)
{
    struct ra_iochild_result io;
    struct facts f = { .rc = 7 };
    int sig = SIGKILL;

    (void) state;
    assert_int_equal(ra_iochild_run(die_by_signal, &sig, &f, sizeof f,
                                    ra_deadline_in_ms(5000), &io),
                     -ECHILD);
    assert_false(io.answered);
    assert_false(io.timed_out);
    assert_int_equal(io.signal, SIGKILL);
    assert_int_equal(f.rc, 7);
    sig = SIGTERM;
    assert_int_equal(ra_iochild_run(die_by_signal, &sig, NULL, 0, 0, &io),
                     -ECHILD);
    assert_int_equal(io.signal, SIGTERM);
}

static void
test_exit_without_answer(void **state)
{
    struct ra_iochild_result io;

    (void) state;
    assert_int_equal(
        ra_iochild_run(exit_early, NULL, NULL, 0, ra_deadline_in_ms(5000), &io),
        -ECHILD);
    assert_false(io.answered);
    assert_int_equal(io.signal, 0);
}

static void
test_child_is_isolated(void **state)
{
    struct ra_iochild_result io;
    struct facts f;
    int fd0 = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    int fd = fcntl(fd0, F_DUPFD_CLOEXEC, 20); /* above the answer pipe */

    (void) state;
    assert_true(fd >= 20);
    close(fd0);
    assert_int_equal(ra_iochild_run(inspect, &fd, &f, sizeof f,
                                    ra_deadline_in_ms(5000), &io),
                     0);
    close(fd);
    for (int i = 0; i < 3; i++)
        assert_string_equal(f.stdio[i], "/dev/null");
    assert_int_equal(f.inherited_open, 0);
    assert_int_equal(f.pipe_cloexec, 1);
    assert_int_equal(f.counter, 42);
    assert_int_equal(counter, 1); /* the parent's memory is untouched */
}

static void
test_sigchld_ignored(void **state)
{
    struct sigaction ign = { .sa_handler = SIG_IGN }, old;
    struct facts f;

    (void) state;
    sigaction(SIGCHLD, &ign, &old);
    assert_int_equal(ra_iochild_run(answer_quickly, (void *) "x", &f, sizeof f,
                                    ra_deadline_in_ms(5000), NULL),
                     0);
    sigaction(SIGCHLD, &old, NULL);
    assert_string_equal(f.text, "x");
}

static void
test_bad_arguments(void **state)
{
    static char big[RA_IOCHILD_OUT_MAX + 1];

    (void) state;
    assert_int_equal(ra_iochild_run(NULL, NULL, NULL, 0, 0, NULL), -EINVAL);
    assert_int_equal(
        ra_iochild_run(fail_enoent, NULL, big, sizeof big, 0, NULL), -EINVAL);
    assert_int_equal(ra_iochild_run(fail_enoent, NULL, NULL, 8, 0, NULL),
                     -EINVAL);
}

static void
test_fork_fails(void **state)
{
    struct ra_iochild_result io;

    (void) state;
    fork_errno = EAGAIN;
    assert_int_equal(ra_iochild_run(fail_enoent, NULL, NULL, 0, 0, &io),
                     -EAGAIN);
    assert_false(io.answered);
    fork_errno = 0;
    pipe2_errno = EMFILE;
    assert_int_equal(ra_iochild_run(fail_enoent, NULL, NULL, 0, 0, &io),
                     -EMFILE);
    assert_false(io.answered);
    assert_false(io.timed_out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errno_passed_back, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deadline_passed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_but_in_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_killed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exit_without_answer, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_child_is_isolated, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sigchld_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fork_fails, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
