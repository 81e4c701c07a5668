/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-spawn.c - ra_spawn() (exit codes, output capture and cap, deadline
 * kill, signal reset, failure injection, no fd or zombie left behind),
 * ra_split_words(), ra_find_program(), rt_parse_port(), rt_open()'s choice
 * of transport, and the CLI transport against a fake podman/docker.
 *
 * Link with -Wl,--wrap=posix_spawn -Wl,--wrap=pipe2. Shells and perl are
 * fine here (only lib/ must not use them).
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "leakcheck.h"
#include "ra-spawn.h"
#include "runtime.h"

#define SH "/bin/sh"
#define PERL "/usr/bin/perl"
#define ENV_DEFAULT                                                            \
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"      \
    "LC_ALL=C\n"

/* ---- failure injection ------------------------------------------------ */

/*
 * The real prototypes need the C library's <spawn.h>, which lib/spawn.h
 * shadows on some include paths; pointers are pointers to the linker.
 * The names are the linker's (--wrap), reserved or not.
 */
/* NOLINTBEGIN(bugprone-reserved-identifier) */
int __real_posix_spawn(pid_t *pid, const char *path, const void *fa,
                       const void *attr, char *const argv[],
                       char *const envp[]);
int __wrap_posix_spawn(pid_t *pid, const char *path, const void *fa,
                       const void *attr, char *const argv[],
                       char *const envp[]);
int __real_pipe2(int fds[2], int flags);
int __wrap_pipe2(int fds[2], int flags);

static int spawn_error;        /* posix_spawn() returns this when set */
static int pipe2_fail_at = -1; /* pipe2() call number that fails */
static int pipe2_calls;

int
__wrap_posix_spawn(pid_t *pid, const char *path, const void *fa,
                   const void *attr, char *const argv[], char *const envp[])
{
    if (spawn_error)
        return spawn_error;
    return __real_posix_spawn(pid, path, fa, attr, argv, envp);
}

int
__wrap_pipe2(int fds[2], int flags)
{
    if (pipe2_calls++ == pipe2_fail_at) {
        errno = EMFILE;
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
    spawn_error = 0;
    pipe2_fail_at = -1;
    pipe2_calls = 0;
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

/* Runs @argv with a deadline @ms from now; returns the time it took. */
static uint64_t
run(const char *const argv[], const char *const env[], int ms, int grace,
    struct ra_spawn_result *res, int *rc)
{
    uint64_t t0 = now_ms();

    *rc = ra_spawn((char *const *) argv, (char *const *) env,
                   ms ? ra_deadline_in_ms((uint64_t) ms) : 0, grace, res);
    return now_ms() - t0;
}

static int
status_of(const char *const argv[])
{
    struct ra_spawn_result res;
    int rc;

    run(argv, NULL, 5000, 100, &res, &rc);
    assert_int_equal(rc, 0);
    assert_false(res.timed_out);
    ra_spawn_result_free(&res);
    return res.status;
}

/* ---- ra_spawn --------------------------------------------------------- */

static void
test_exit_codes(void **state)
{
    const char *t[] = { "/bin/true", NULL };
    const char *f[] = { "/bin/false", NULL };
    const char *e42[] = { SH, "-c", "exit 42", NULL };
    const char *sig[] = { SH, "-c", "kill -USR1 $$", NULL };

    assert_int_equal(status_of(t), 0);
    assert_int_equal(status_of(f), 1);
    assert_int_equal(status_of(e42), 42);
    assert_int_equal(status_of(sig), 128 + SIGUSR1);
}

static void
test_capture(void **state)
{
    const char *argv[]
        = { SH, "-c", "echo out; echo err >&2; echo more", NULL };
    struct ra_spawn_result res;
    int rc;

    run(argv, NULL, 5000, 100, &res, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(res.status, 0);
    assert_string_equal(res.out, "out\nmore\n");
    assert_int_equal(res.out_len, 9);
    assert_string_equal(res.err, "err\n");
    assert_int_equal(res.err_len, 4);
    ra_spawn_result_free(&res);
    assert_null(res.out);
    ra_spawn_result_free(&res);
    ra_spawn_result_free(NULL);
}

static void
test_environment(void **state)
{
    const char *argv[] = { "/usr/bin/env", NULL };
    const char *extra[] = { "FOO=bar baz", NULL };
    const char *lc[] = { "LC_ALL=C.UTF-8", NULL };
    struct ra_spawn_result res;
    int rc;

    setenv("PMMHA_TEST_LEAK", "1", 1);
    run(argv, NULL, 5000, 100, &res, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(res.out, ENV_DEFAULT);
    ra_spawn_result_free(&res);

    run(argv, extra, 5000, 100, &res, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(res.out, ENV_DEFAULT "FOO=bar baz\n");
    ra_spawn_result_free(&res);

    run(argv, lc, 5000, 100, &res, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(res.out, "PATH=/usr/local/sbin:/usr/local/bin:"
                                 "/usr/sbin:/usr/bin:/sbin:/bin\n"
                                 "LC_ALL=C.UTF-8\n");
    ra_spawn_result_free(&res);
    unsetenv("PMMHA_TEST_LEAK");
}

static void
test_stdin_is_dev_null(void **state)
{
    const char *argv[] = { "/bin/cat", NULL };
    const char *fds[] = { SH, "-c", "ls /proc/self/fd | wc -l", NULL };
    const char *null[] = { "/usr/bin/readlink", "/proc/self/fd/0", NULL };
    struct ra_spawn_result res;
    uint64_t ms;
    int rc, leak;

    ms = run(argv, NULL, 5000, 100, &res, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(res.status, 0);
    assert_int_equal(res.out_len, 0);
    assert_string_equal(res.out, "");
    assert_true(ms < 2000);
    ra_spawn_result_free(&res);

#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 34)
    /* 0, 1, 2 and the one ls opens to read the directory: nothing else,
     * even where the caller leaked an fd without O_CLOEXEC */
    leak = open("/dev/null", O_RDONLY);
    assert_true(leak >= 0);
    run(fds, NULL, 5000, 100, &res, &rc);
    close(leak);
    assert_int_equal(rc, 0);
    assert_string_equal(res.out, "4\n");
    ra_spawn_result_free(&res);
#else
    (void) fds;
    (void) leak;
#endif

    run(null, NULL, 5000, 100, &res, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(res.out, "/dev/null\n");
    ra_spawn_result_free(&res);
}

static void
test_output_cap(void **state)
{
    const char *argv[]
        = { PERL, "-e",
            "$| = 1; print 'a' x 200000; print STDERR 'b' x 100000;"
            " exit 3",
            NULL };
    struct ra_spawn_result res;
    int rc;

    run(argv, NULL, 10000, 100, &res, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(res.status, 3);
    assert_false(res.timed_out);
    assert_int_equal(res.out_len, RA_SPAWN_OUT_MAX);
    assert_int_equal(strlen(res.out), RA_SPAWN_OUT_MAX);
    assert_int_equal(strspn(res.out, "a"), RA_SPAWN_OUT_MAX);
    assert_int_equal(res.err_len, RA_SPAWN_OUT_MAX);
    assert_int_equal(strspn(res.err, "b"), RA_SPAWN_OUT_MAX);
    ra_spawn_result_free(&res);
}

static void
test_deadline_sigterm(void **state)
{
    const char *argv[] = { "/bin/sleep", "30", NULL };
    struct ra_spawn_result res;
    uint64_t ms;
    int rc;

    ms = run(argv, NULL, 200, 2000, &res, &rc);
    assert_int_equal(rc, 0);
    assert_true(res.timed_out);
    assert_int_equal(res.status, 128 + SIGTERM);
    assert_true(ms >= 195);
    assert_true(ms < 200 + 300);
    ra_spawn_result_free(&res);
}

static void
test_deadline_sigkill(void **state)
{
    const char *argv[] = { PERL, "-e",
                           "$SIG{TERM} = 'IGNORE'; $| = 1; print 'ready';"
                           " sleep 30",
                           NULL };
    struct ra_spawn_result res;
    uint64_t ms;
    int rc;

    ms = run(argv, NULL, 300, 300, &res, &rc);
    assert_int_equal(rc, 0);
    assert_true(res.timed_out);
    assert_int_equal(res.status, 128 + SIGKILL);
    assert_string_equal(res.out, "ready");
    assert_true(ms >= 595);
    assert_true(ms < 600 + 300);
    ra_spawn_result_free(&res);

    /* no grace at all: SIGKILL at the deadline */
    ms = run(argv, NULL, 300, -5, &res, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(res.status, 128 + SIGKILL);
    assert_true(ms < 300 + 300);
    ra_spawn_result_free(&res);
}

/* Two children run side by side while the caller works; each is finished
 * with its own output, and a deadline is still enforced in finish. */
static void
test_async(void **state)
{
    const char *a[] = { SH, "-c", "sleep 0.5; echo a; exit 3", NULL };
    const char *b[] = { SH, "-c", "sleep 0.5; echo b >&2", NULL };
    const char *slow[] = { "/bin/sleep", "30", NULL };
    struct ra_spawn_job *ja = NULL, *jb = NULL, *js = NULL;
    struct ra_spawn_result ra, rb, rs;
    uint64_t t0 = now_ms();

    assert_int_equal(ra_spawn_begin((char *const *) a, NULL,
                                    ra_deadline_in_ms(5000), 100, &ja),
                     0);
    assert_int_equal(ra_spawn_begin((char *const *) b, NULL,
                                    ra_deadline_in_ms(5000), 100, &jb),
                     0);
    assert_int_equal(ra_spawn_begin((char *const *) slow, NULL,
                                    ra_deadline_in_ms(250), 100, &js),
                     0);
    assert_true(now_ms() - t0 < 150); /* nothing waited yet */
    assert_int_equal(ra_spawn_finish(jb, &rb), 0);
    assert_int_equal(ra_spawn_finish(ja, &ra), 0);
    assert_true(now_ms() - t0 < 950); /* in parallel: one by one is 1 s */
    assert_int_equal(ra.status, 3);
    assert_string_equal(ra.out, "a\n");
    assert_int_equal(rb.status, 0);
    assert_string_equal(rb.err, "b\n");
    assert_int_equal(ra_spawn_finish(js, &rs), 0);
    assert_true(rs.timed_out);
    assert_int_equal(rs.status, 128 + SIGTERM);
    ra_spawn_result_free(&ra);
    ra_spawn_result_free(&rb);
    ra_spawn_result_free(&rs);

    /* output discarded; bad arguments start nothing */
    assert_int_equal(ra_spawn_begin((char *const *) a, NULL, 0, 100, &ja), 0);
    assert_int_equal(ra_spawn_finish(ja, NULL), 0);
    assert_int_equal(ra_spawn_finish(NULL, &ra), -EINVAL);
    assert_int_equal(ra_spawn_begin((char *const *) a, NULL, 0, 100, NULL),
                     -EINVAL);
    assert_int_equal(
        ra_spawn_begin((char *const *) a, NULL, ra_now_ns() - 1, 100, &ja),
        -ETIMEDOUT);
}

/* The caller blocks and ignores SIGTERM: the child must not inherit that. */
static void
test_signals_reset(void **state)
{
    const char *argv[] = { "/bin/sleep", "30", NULL };
    struct sigaction ign = { .sa_handler = SIG_IGN }, old_act;
    struct ra_spawn_result res;
    sigset_t block, old_mask;
    uint64_t ms;
    int rc;

    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, &old_mask);
    sigaction(SIGTERM, &ign, &old_act);

    ms = run(argv, NULL, 200, 5000, &res, &rc);

    sigaction(SIGTERM, &old_act, NULL);
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    assert_int_equal(rc, 0);
    assert_int_equal(res.status, 128 + SIGTERM);
    assert_true(ms < 200 + 300);
    ra_spawn_result_free(&res);
}

static void
test_same_process_group(void **state)
{
    const char *argv[] = { PERL, "-e", "print getpgrp()", NULL };
    struct ra_spawn_result res;
    char want[32];
    int rc;

    run(argv, NULL, 5000, 100, &res, &rc);
    assert_int_equal(rc, 0);
    snprintf(want, sizeof want, "%d", (int) getpgrp());
    assert_string_equal(res.out, want);
    ra_spawn_result_free(&res);
}

/* A daemonising grandchild keeps the pipes: do not wait for it. */
static void
test_grandchild_keeps_pipe(void **state)
{
    const char *argv[] = { SH, "-c", "sleep 3 & echo hi", NULL };
    struct ra_spawn_result res;
    uint64_t ms;
    int rc;

    ms = run(argv, NULL, 10000, 100, &res, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(res.status, 0);
    assert_false(res.timed_out);
    assert_string_equal(res.out, "hi\n");
    assert_true(ms < 1500);
    ra_spawn_result_free(&res);

    /* ... nor past the deadline, with the child already gone */
    ms = run(argv, NULL, 100, 100, &res, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(res.out, "hi\n");
    assert_true(ms < 100 + 100);
    ra_spawn_result_free(&res);
}

/* A caller that ignores SIGCHLD gets its children reaped by the kernel:
 * an error, but no hang and no stray process. */
static void
test_sigchld_ignored(void **state)
{
    const char *argv[] = { SH, "-c", "sleep 0.1", NULL };
    struct sigaction ign = { .sa_handler = SIG_IGN }, old;
    struct ra_spawn_result res;
    uint64_t ms;
    int rc;

    sigaction(SIGCHLD, &ign, &old);
    ms = run(argv, NULL, 2000, 100, &res, &rc);
    sigaction(SIGCHLD, &old, NULL);
    assert_int_equal(rc, -ECHILD);
    assert_true(ms < 1000);
}

static void
test_bad_arguments(void **state)
{
    const char *rel[] = { "sleep", "1", NULL };
    const char *empty[] = { NULL };
    const char *ok[] = { "/bin/true", NULL };
    struct ra_spawn_result res = { .status = 77 };
    int rc;

    run(rel, NULL, 1000, 100, &res, &rc);
    assert_int_equal(rc, -EINVAL);
    assert_int_equal(res.status, 77);
    assert_int_equal(ra_spawn(NULL, NULL, 0, 0, &res), -EINVAL);
    assert_int_equal(ra_spawn((char *const *) empty, NULL, 0, 0, &res),
                     -EINVAL);
    assert_int_equal(ra_spawn((char *const *) ok, NULL, 0, 0, NULL), -EINVAL);
    assert_int_equal(
        ra_spawn((char *const *) ok, NULL, ra_now_ns() - 1, 0, &res),
        -ETIMEDOUT);
    assert_int_equal(res.status, 77);
}

static void
test_no_deadline(void **state)
{
    const char *argv[] = { SH, "-c", "sleep 0.1; exit 5", NULL };
    struct ra_spawn_result res;
    int rc;

    run(argv, NULL, 0, 100, &res, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(res.status, 5);
    ra_spawn_result_free(&res);
}

static void
test_not_found(void **state)
{
    const char *argv[] = { "/nonexistent/program", NULL };
    const char *dir[] = { "/tmp", NULL };
    struct ra_spawn_result res = { .status = 77 };
    int rc;

    run(argv, NULL, 1000, 100, &res, &rc);
    assert_int_equal(rc, -ENOENT);
    assert_int_equal(res.status, 77);
    run(dir, NULL, 1000, 100, &res, &rc);
    assert_int_equal(rc, -EACCES);
}

static void
test_spawn_fails(void **state)
{
    const char *argv[] = { "/bin/true", NULL };
    struct ra_spawn_result res = { .status = 77 };
    int rc;

    spawn_error = ENOMEM;
    run(argv, NULL, 1000, 100, &res, &rc);
    assert_int_equal(rc, -ENOMEM);
    assert_int_equal(res.status, 77);
}

static void
test_pipe2_fails(void **state)
{
    const char *argv[] = { "/bin/true", NULL };
    struct ra_spawn_result res = { .status = 77 };
    int rc;

    for (int i = 0; i < 2; i++) {
        pipe2_calls = 0;
        pipe2_fail_at = i;
        run(argv, NULL, 1000, 100, &res, &rc);
        assert_int_equal(rc, -EMFILE);
        assert_int_equal(res.status, 77);
        assert_int_equal(count_fds(), fds_before);
    }
}

static int
highest_fd(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int max = -1;

    assert_non_null(d);
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' && atoi(e->d_name) > max)
            max = atoi(e->d_name);
    closedir(d);
    return max;
}

/*
 * No pidfd (old kernel): leave exactly the four fds the pipes need, so
 * that pidfd_open() fails with EMFILE; the exit is then found by polling.
 */
static void
test_without_pidfd(void **state)
{
    const char *quick[] = { SH, "-c", "sleep 0.2; echo done", NULL };
    const char *slow[] = { "/bin/sleep", "30", NULL };
    struct ra_spawn_result res;
    struct rlimit old, lim;
    int *fill, n = 0, rc[2];
    uint64_t ms[2];

    getrlimit(RLIMIT_NOFILE, &old);
    lim = old;
    lim.rlim_cur = (rlim_t) highest_fd() + 1 + 16;
    fill = calloc(lim.rlim_cur, sizeof *fill);
    assert_non_null(fill);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &lim), 0);
    while ((fill[n] = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
        n++;
    for (int i = 0; i < 4 && n > 0; i++)
        close(fill[--n]);

    ms[0] = run(quick, NULL, 5000, 100, &res, &rc[0]);
    if (rc[0] == 0) {
        assert_string_equal(res.out, "done\n");
        ra_spawn_result_free(&res);
    }
    ms[1] = run(slow, NULL, 200, 100, &res, &rc[1]);
    if (rc[1] == 0) {
        assert_int_equal(res.status, 128 + SIGTERM);
        ra_spawn_result_free(&res);
    }

    while (n > 0)
        close(fill[--n]);
    free(fill);
    setrlimit(RLIMIT_NOFILE, &old);
    assert_int_equal(rc[0], 0);
    assert_true(ms[0] >= 195 && ms[0] < 200 + 300);
    assert_int_equal(rc[1], 0);
    assert_true(ms[1] < 200 + 300);
}

/* ---- ra_find_program -------------------------------------------------- */

static void
test_find_program(void **state)
{
    char buf[PATH_MAX] = "untouched", tiny[4] = "abc";

    assert_int_equal(ra_find_program("sh", buf, sizeof buf), 0);
    assert_true(buf[0] == '/');
    assert_string_equal(strrchr(buf, '/'), "/sh");
    assert_int_equal(access(buf, X_OK), 0);
    strcpy(buf, "untouched");
    assert_int_equal(ra_find_program("no-such-program-pmmha", buf, sizeof buf),
                     -ENOENT);
    assert_int_equal(ra_find_program("bin/sh", buf, sizeof buf), -ENOENT);
    assert_int_equal(ra_find_program("", buf, sizeof buf), -ENOENT);
    /* a directory is not a program */
    assert_int_equal(ra_find_program("..", buf, sizeof buf), -ENOENT);
    assert_string_equal(buf, "untouched");
    assert_int_equal(ra_find_program("sh", tiny, sizeof tiny), -ENAMETOOLONG);
    assert_string_equal(tiny, "abc");
}

/* ---- ra_split_words --------------------------------------------------- */

/* @want: the words expected, NULL-terminated. */
static void
check_split(const char *s, const char *const *want)
{
    char **argv = NULL;
    int n = 0;

    while (want[n])
        n++;
    assert_int_equal(ra_split_words(s, &argv), n);
    assert_true(argv && !argv[n]);
    for (int i = 0; argv && i < n; i++)
        assert_string_equal(argv[i], want[i]);
    ra_argv_free(argv);
}

#define SPLIT(s, ...) check_split(s, (const char *const[]){ __VA_ARGS__ })

static void
test_split_words(void **state)
{
    SPLIT("", NULL);
    SPLIT(" \t\n ", NULL);
    SPLIT("a", "a", NULL);
    SPLIT("  a  b\tc\nd ", "a", "b", "c", "d", NULL);
    SPLIT("--ulimit nofile=1:2 --cap-add=NET_ADMIN", "--ulimit", "nofile=1:2",
          "--cap-add=NET_ADMIN", NULL);
    SPLIT("'a b' \"c d\" e\\ f", "a b", "c d", "e f", NULL);
    SPLIT("'it''s' x'y'\"z\"", "its", "xyz", NULL);
    SPLIT("''", "", NULL);
    SPLIT("a '' b \"\"", "a", "", "b", "", NULL);
    SPLIT("\"a\\\"b\\\\c\\d\\$e\\`f\"", "a\"b\\c\\d$e`f", NULL);
    SPLIT("'a\\'", "a\\", NULL);
    SPLIT("'\"' \"'\"", "\"", "'", NULL);
    SPLIT("a\\'b \\\"c \\\\", "a'b", "\"c", "\\", NULL);
    SPLIT("$HOME `id` * ~ ? $(x) ${y}", "$HOME", "`id`", "*", "~", "?", "$(x)",
          "${y}", NULL);
    SPLIT("'multi\nline'", "multi\nline", NULL);
    SPLIT("a\\\nb \\\n c", "ab", "c", NULL);
    SPLIT("\"x\\\ny\"", "xy", NULL);
    SPLIT("a;b|c&d>e<f", "a;b|c&d>e<f", NULL);
}

static void
test_split_words_errors(void **state)
{
    static const char *const bad[]
        = { "'abc", "\"abc", "abc\\", "a 'b", "\"a\\\"", "x \"'\" '" };
    char **argv = (char **) &argv;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(ra_split_words(bad[i], &argv), -EINVAL);
        assert_ptr_equal(argv, (char **) &argv);
    }
    assert_int_equal(ra_split_words(NULL, &argv), -EINVAL);
    assert_int_equal(ra_split_words("a", NULL), -EINVAL);
    ra_argv_free(NULL);
}

/* ---- rt_parse_port ---------------------------------------------------- */

static void
check_port(const char *s, const char *ip, int hp, int cp, const char *proto)
{
    struct rt_port p;

    memset(&p, 0x55, sizeof p);
    assert_int_equal(rt_parse_port(s, &p), 0);
    assert_string_equal(p.host_ip, ip);
    assert_int_equal(p.host_port, hp);
    assert_int_equal(p.container_port, cp);
    assert_string_equal(p.proto, proto);
}

static void
test_parse_port(void **state)
{
    static const char *const bad[] = {
        "",
        "443",
        "0:443",
        "443:0",
        "65536:443",
        "8443:65536",
        "8443:443/sctp",
        "8443:443/",
        "8443:443/tcp/tcp",
        "a:8443:443",
        "::1:80:80",
        "[::1]80:80",
        ":80:80",
        "1.2.3.4::80",
        "1.2.3.4:80:",
        "80-90:80",
        " 80:80",
        "80:80 ",
        "+80:80",
        "1.2.3.256:80:80",
        "[1.2.3.4]:80:80",
        "localhost:80:80",
        "080:80",
        "[::1:80:80",
        "[]:80:80",
        "1.2.3.4:5:80:80",
        "123456:80",
        "/tcp",
        "[fe80::1%eth0]:80:80",
    };
    struct rt_port p = { .host_port = 77 };

    check_port("8443:443", "", 8443, 443, "tcp");
    check_port("8443:443/udp", "", 8443, 443, "udp");
    check_port("127.0.0.1:8443:443/tcp", "127.0.0.1", 8443, 443, "tcp");
    check_port("[::1]:80:8080/udp", "::1", 80, 8080, "udp");
    check_port("[2001:db8::42]:65535:1", "2001:db8::42", 65535, 1, "tcp");
    check_port("0.0.0.0:1:65535", "0.0.0.0", 1, 65535, "tcp");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (rt_parse_port(bad[i], &p) != -EINVAL)
            fail_msg("accepted bad port '%s'", bad[i]);
        assert_int_equal(p.host_port, 77);
    }
    assert_int_equal(rt_parse_port(NULL, &p), -EINVAL);
    assert_int_equal(rt_parse_port("80:80", NULL), -EINVAL);
}

/* ---- rt_open ---------------------------------------------------------- */

static char tmpdir[64];

static int
setup_tmpdir(void **state)
{
    strcpy(tmpdir, "/tmp/test-spawn.XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    return setup(state);
}

static int
teardown_tmpdir(void **state)
{
    const char *argv[] = { "/bin/rm", "-rf", tmpdir, NULL };

    assert_int_equal(status_of(argv), 0);
    return teardown(state);
}

static void
path_in_tmp(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", tmpdir, name);
}

static void
test_default_socket(void **state)
{
    struct rt rt = { .transport = RT_CLI };

    assert_string_equal(rt_default_socket(RT_PODMAN),
                        "/run/podman/podman.sock");
    assert_string_equal(rt_default_socket(RT_DOCKER), "/var/run/docker.sock");
    assert_string_equal(rt_transport_name(&rt), "podman CLI");
    rt.transport = RT_API_LIBPOD;
    assert_string_equal(rt_transport_name(&rt), "podman API");
}

static void
check_cli_fallback(enum rt_kind kind, const char *sock)
{
    const char *name = kind == RT_DOCKER ? "docker" : "podman";
    char path[PATH_MAX];
    const struct rt_ops *ops;
    struct rt rt;

    memset(&rt, 0x55, sizeof rt);
    ops = rt_open(&rt, kind, sock, false);
    assert_null(rt.priv);
    assert_int_equal(rt.kind, kind);
    if (ra_find_program(name, path, sizeof path) == 0) {
        assert_ptr_equal(ops, &rt_cli_ops);
        assert_int_equal(rt.transport, RT_CLI);
        assert_string_equal(rt.cli, path);
        assert_string_equal(rt.err, "");
        /* docker's CLI is told the configured socket; podman's needs none */
        assert_string_equal(rt.socket, kind == RT_DOCKER ? sock : "");
        ops->close(&rt);
    } else {
        assert_null(ops);
        assert_non_null(strstr(rt.err, "is not installed"));
        assert_non_null(strstr(rt.err, sock));
    }
}

static void
test_open_cli_fallback(void **state)
{
    char sock[PATH_MAX];

    path_in_tmp(sock, sizeof sock, "absent.sock");
    check_cli_fallback(RT_PODMAN, sock);
    check_cli_fallback(RT_DOCKER, sock);
}

static void
test_open_not_a_socket(void **state)
{
    char file[PATH_MAX];
    struct rt rt;
    int fd;

    path_in_tmp(file, sizeof file, "file.sock");
    fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    close(fd);
    assert_null(rt_open(&rt, RT_PODMAN, file, false));
    assert_non_null(strstr(rt.err, "not a socket"));
    assert_null(rt_open(&rt, RT_PODMAN, "relative.sock", false));
    assert_non_null(strstr(rt.err, "absolute"));
    assert_null(rt_open(&rt, (enum rt_kind) 9, NULL, false));
    assert_non_null(strstr(rt.err, "unknown"));
}

/* A real socket: the API transport, through the net plugin if it loads. */
static void
test_open_api(void **state)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    const struct rt_ops *ops;
    struct rt rt;
    int fd;

    path_in_tmp(sa.sun_path, sizeof sa.sun_path, "api.sock");
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof sa), 0);
    for (int docker_api = 0; docker_api < 2; docker_api++) {
        ops = rt_open(&rt, RT_PODMAN, sa.sun_path, docker_api);
        assert_int_equal(rt.transport,
                         docker_api ? RT_API_DOCKER : RT_API_LIBPOD);
        assert_string_equal(rt.socket, sa.sun_path);
        if (ops)
            ops->close(&rt);
        else
            assert_true(rt.err[0] != '\0');
    }
    ops = rt_open(&rt, RT_DOCKER, sa.sun_path, false);
    assert_int_equal(rt.transport, RT_API_DOCKER);
    if (ops)
        ops->close(&rt);
    close(fd);
}

/* ---- the CLI transport, against a fake CLI ---------------------------- */

/* Logs its arguments (one per line, a blank line after) and answers with
 * the files stdout, stderr and status of its directory. */
static const char fake_cli[]
    = "#!" PERL "\n"
      "use File::Basename; my $d = dirname($0);\n"
      "open(my $l, '>>', \"$d/argv.log\"); print $l map(\"$_\\n\", @ARGV),"
      " \"\\n\"; close $l;\n"
      "sub slurp { open(my $h, '<', shift) or return ''; local $/;"
      " my $x = <$h>; return $x }\n"
      "open(my $e, '>', \"$d/env.log\"); print $e \"\\n\","
      " map(\"$_=$ENV{$_}\\n\", sort keys %ENV); close $e;\n"
      "sleep 30 if -e \"$d/hang\";\n"
      "print STDOUT slurp(\"$d/stdout\"); print STDERR slurp(\"$d/stderr\");\n"
      "exit(0 + (slurp(\"$d/status\") || 0));\n";

static void
write_file(const char *name, const char *text)
{
    char path[PATH_MAX];
    FILE *f;

    path_in_tmp(path, sizeof path, name);
    f = fopen(path, "we");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* The fake answers with @status, @out and @err from now on. */
static void
answer(int status, const char *out, const char *err)
{
    char s[16];

    snprintf(s, sizeof s, "%d", status);
    write_file("status", s);
    write_file("stdout", out);
    write_file("stderr", err);
    write_file("argv.log", "");
}

static void
fake_rt(struct rt *rt, enum rt_kind kind)
{
    memset(rt, 0, sizeof *rt);
    rt->kind = kind;
    rt->transport = RT_CLI;
    path_in_tmp(rt->cli, sizeof rt->cli, "cli");
    write_file("cli", fake_cli);
    assert_int_equal(chmod(rt->cli, 0755), 0);
}

/* The arguments the fake was called with, one per line. */
static char *
logged(void)
{
    static char buf[8192];
    char path[PATH_MAX];
    size_t n;
    FILE *f;

    path_in_tmp(path, sizeof path, "argv.log");
    f = fopen(path, "re");
    assert_non_null(f);
    n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static ra_deadline_t
soon(void)
{
    return ra_deadline_in_ms(10000);
}

static void
test_cli_inspect(void **state)
{
    struct rt_container c;
    struct rt rt;

    fake_rt(&rt, RT_PODMAN);
    answer(0,
           "true|1234|0|running|abc123|def456|docker.io/percona/"
           "pmm-server:2.42.0|10.88.0.7 \n",
           "");
    assert_int_equal(rt_cli_ops.container_inspect(&rt, "pmm", &c, soon()), 0);
    assert_true(c.exists);
    assert_true(c.running);
    assert_int_equal(c.pid, 1234);
    assert_int_equal(c.exit_code, 0);
    assert_string_equal(c.status, "running");
    assert_string_equal(c.id, "abc123");
    assert_string_equal(c.image_id, "def456");
    assert_string_equal(c.image, "docker.io/percona/pmm-server:2.42.0");
    assert_string_equal(c.ip, "10.88.0.7");
    assert_non_null(strstr(logged(), "container\ninspect\n--format\n"
                                     "{{.State.Running}}|"));
    assert_non_null(strstr(logged(), "\npmm\n\n"));

    /* host network: no address; a stopped one */
    answer(0, "false|0|137|exited|abc|sha256:def|img:1| \n", "");
    assert_int_equal(rt_cli_ops.container_inspect(&rt, "pmm", &c, soon()), 0);
    assert_true(c.exists);
    assert_false(c.running);
    assert_int_equal(c.exit_code, 137);
    assert_string_equal(c.ip, "");
    answer(0, "true|1|0|running|a|b|c|\n", "");
    assert_int_equal(rt_cli_ops.container_inspect(&rt, "pmm", &c, soon()), 0);
    assert_string_equal(c.ip, "");
    answer(0, "true|1|0|running|a|b|c| 10.1.0.2 10.2.0.3 \n", "");
    assert_int_equal(rt_cli_ops.container_inspect(&rt, "pmm", &c, soon()), 0);
    assert_string_equal(c.ip, "10.1.0.2");
}

static void
test_cli_inspect_missing(void **state)
{
    struct rt_container c = { .exists = true };
    struct rt rt;

    fake_rt(&rt, RT_PODMAN);
    answer(125, "", "Error: inspecting object: no such container pmm\n");
    assert_int_equal(rt_cli_ops.container_inspect(&rt, "pmm", &c, soon()), 0);
    assert_false(c.exists);

    fake_rt(&rt, RT_DOCKER);
    c.exists = true;
    answer(1, "", "Error response from daemon: No such container: pmm\n");
    assert_int_equal(rt_cli_ops.container_inspect(&rt, "pmm", &c, soon()), 0);
    assert_false(c.exists);
}

static void
test_cli_inspect_errors(void **state)
{
    struct rt_container c = { .pid = 77 };
    struct rt rt;

    fake_rt(&rt, RT_PODMAN);
    answer(125, "",
           "WARN[0000] something unrelated\n\n  Error: database is locked  \n"
           "more detail\n");
    assert_int_equal(rt_cli_ops.container_inspect(&rt, "pmm", &c, soon()),
                     -EIO);
    assert_string_equal(rt.err, "podman container inspect: database is locked "
                                "(exit 125)");
    assert_int_equal(c.pid, 77);

    fake_rt(&rt, RT_DOCKER);
    answer(1, "",
           "Cannot connect to the Docker daemon at unix:///var/run/docker.sock."
           " Is the docker daemon running?\n");
    assert_int_equal(rt_cli_ops.container_inspect(&rt, "pmm", &c, soon()),
                     -EIO);
    assert_non_null(strstr(rt.err, "docker container inspect: Cannot connect"));

    answer(1, "", "time=\"2026-01-01T00:00:00Z\" level=fatal msg=\"boom\"\n");
    assert_int_equal(rt_cli_ops.container_inspect(&rt, "pmm", &c, soon()),
                     -EIO);
    assert_string_equal(rt.err,
                        "docker container inspect: time=\"2026-01-01"
                        "T00:00:00Z\" level=fatal msg=\"boom\" (exit 1)");
    answer(3, "", "");
    assert_int_equal(rt_cli_ops.container_inspect(&rt, "pmm", &c, soon()),
                     -EIO);
    assert_string_equal(rt.err, "docker container inspect: no error message "
                                "(exit 3)");

    answer(0, "true|12x|0|running|a|b|c|\n", "");
    assert_int_equal(rt_cli_ops.container_inspect(&rt, "pmm", &c, soon()),
                     -EPROTO);
    answer(0, "true|12|0|running\n", "");
    assert_int_equal(rt_cli_ops.container_inspect(&rt, "pmm", &c, soon()),
                     -EPROTO);
    assert_int_equal(rt_cli_ops.container_inspect(&rt, "-pmm", &c, soon()),
                     -EINVAL);
    assert_int_equal(rt_cli_ops.container_inspect(&rt, "", &c, soon()),
                     -EINVAL);
    assert_int_equal(c.pid, 77);
}

static void
test_cli_timeout(void **state)
{
    struct rt_container c;
    struct rt rt;
    uint64_t t0 = now_ms();

    fake_rt(&rt, RT_PODMAN);
    answer(0, "", "");
    write_file("hang", "");
    assert_int_equal(
        rt_cli_ops.container_inspect(&rt, "pmm", &c, ra_deadline_in_ms(400)),
        -ETIMEDOUT);
    /* the whole op, kill grace included, ends by its deadline */
    assert_true(now_ms() - t0 < 400 + 50);
    assert_non_null(strstr(rt.err, "timed out"));
    assert_int_equal(rt_cli_ops.ping(&rt, ra_now_ns() - 1), -ETIMEDOUT);
}

static void
test_cli_image(void **state)
{
    struct rt_image img;
    struct rt rt;

    fake_rt(&rt, RT_PODMAN);
    answer(0, "b7203f4033f7|2.42.0\n", "");
    assert_int_equal(rt_cli_ops.image_inspect(&rt, "pmm:2", &img, soon()), 0);
    assert_true(img.exists);
    assert_string_equal(img.id, "b7203f4033f7");
    assert_string_equal(img.version, "2.42.0");
    assert_non_null(strstr(logged(), "image\ninspect\n--format\n{{.Id}}|"));

    answer(0, "sha256:b7203f4033f7|<no value>\n", "");
    assert_int_equal(rt_cli_ops.image_inspect(&rt, "pmm:2", &img, soon()), 0);
    assert_string_equal(img.version, "");

    answer(125, "", "Error: inspecting object: pmm:2: image not known\n");
    assert_int_equal(rt_cli_ops.image_inspect(&rt, "pmm:2", &img, soon()),
                     -ENOENT);
    assert_false(img.exists);
    fake_rt(&rt, RT_DOCKER);
    answer(1, "", "Error: No such image: pmm:2\n");
    assert_int_equal(rt_cli_ops.image_inspect(&rt, "pmm:2", &img, soon()),
                     -ENOENT);

    answer(0, "", "");
    assert_int_equal(rt_cli_ops.image_pull(&rt, "pmm:2", soon()), 0);
    assert_string_equal(logged(), "pull\n-q\npmm:2\n\n");
    answer(1, "", "Error response from daemon: pull access denied\n");
    assert_int_equal(rt_cli_ops.image_pull(&rt, "pmm:2", soon()), -EIO);
    assert_string_equal(rt.err, "docker pull: Error response from daemon: "
                                "pull access denied (exit 1)");
}

static void
test_cli_stop_kill_remove(void **state)
{
    struct rt rt;

    fake_rt(&rt, RT_PODMAN);
    answer(0, "pmm\n", "");
    assert_int_equal(rt_cli_ops.container_stop(&rt, "pmm", 30, soon()), 0);
    assert_string_equal(logged(), "stop\n-t\n30\npmm\n\n");
    answer(125, "",
           "Error: no container with name or ID \"pmm\" found: no such "
           "container\n");
    assert_int_equal(rt_cli_ops.container_stop(&rt, "pmm", 30, soon()), 0);
    assert_int_equal(rt_cli_ops.container_kill(&rt, "pmm", soon()), 0);
    assert_string_equal(logged(), "stop\n-t\n30\npmm\n\n"
                                  "kill\n--signal\nKILL\npmm\n\n");
    assert_int_equal(rt_cli_ops.container_remove(&rt, "pmm", soon()), 0);
    answer(125, "",
           "Error: can only kill running containers. 616c is in state "
           "exited: container state improper\n");
    assert_int_equal(rt_cli_ops.container_kill(&rt, "pmm", soon()), 0);
    answer(125, "", "Error: something else\n");
    assert_int_equal(rt_cli_ops.container_kill(&rt, "pmm", soon()), -EIO);
    assert_int_equal(rt_cli_ops.container_remove(&rt, "pmm", soon()), -EIO);
    assert_int_equal(rt_cli_ops.container_stop(&rt, "pmm", 3, soon()), -EIO);

    fake_rt(&rt, RT_DOCKER);
    answer(0, "", "");
    assert_int_equal(rt_cli_ops.container_kill(&rt, "pmm", soon()), 0);
    assert_int_equal(rt_cli_ops.container_remove(&rt, "pmm", soon()), 0);
    assert_string_equal(logged(), "kill\n-s\nKILL\npmm\n\nrm\n-f\npmm\n\n");
    answer(0, "", "");
    rt_cli_ops.ping(&rt, soon());
    assert_string_equal(logged(), "version\n--format\n{{.Server.Version}}\n\n");
    rt_cli_ops.close(&rt);
}

static void
test_cli_exec(void **state)
{
    const char *const argv[] = { "supervisorctl", "stop", "--all", NULL };
    char out[16] = "x";
    struct rt rt;
    int status = -1;

    fake_rt(&rt, RT_PODMAN);
    answer(0, "pmm-managed: stopped\n", "");
    assert_int_equal(rt_cli_ops.container_exec(&rt, "pmm", argv, &status, out,
                                               sizeof out, soon()),
                     0);
    assert_int_equal(status, 0);
    assert_string_equal(out, "pmm-managed: st");
    assert_string_equal(logged(), "exec\npmm\nsupervisorctl\nstop\n--all\n\n");
    /* the program's status passes through, 126 and 127 too; stdout first */
    answer(1, "out\n", "err\n");
    assert_int_equal(rt_cli_ops.container_exec(&rt, "pmm", argv, &status, out,
                                               sizeof out, soon()),
                     0);
    assert_int_equal(status, 1);
    assert_string_equal(out, "out\nerr\n");
    answer(127, "", "Error: runc: exec: \"nope\": executable file not found\n");
    assert_int_equal(
        rt_cli_ops.container_exec(&rt, "pmm", argv, &status, NULL, 0, soon()),
        0);
    assert_int_equal(status, 127);
    /* podman's own failures: 125 and "Error: ..." */
    status = 9;
    answer(125, "",
           "Error: no container with name or ID \"pmm\" found: no such "
           "container\n");
    assert_int_equal(rt_cli_ops.container_exec(&rt, "pmm", argv, &status, out,
                                               sizeof out, soon()),
                     -ENOENT);
    answer(125, "",
           "Error: can only create exec sessions on running containers: "
           "container state improper\n");
    assert_int_equal(rt_cli_ops.container_exec(&rt, "pmm", argv, &status, out,
                                               sizeof out, soon()),
                     -ESRCH);
    /* podman 4.3 says that one with 255 */
    answer(255, "",
           "Error: can only create exec sessions on running containers: "
           "container state improper\n");
    assert_int_equal(rt_cli_ops.container_exec(&rt, "pmm", argv, &status, out,
                                               sizeof out, soon()),
                     -ESRCH);
    answer(255, "", "Error: the program's own\n");
    assert_int_equal(rt_cli_ops.container_exec(&rt, "pmm", argv, &status, out,
                                               sizeof out, soon()),
                     0);
    assert_int_equal(status, 255);
    status = 9;
    answer(125, "", "Error: database is locked\n");
    assert_int_equal(rt_cli_ops.container_exec(&rt, "pmm", argv, &status, out,
                                               sizeof out, soon()),
                     -EIO);
    assert_string_equal(rt.err, "podman exec: database is locked (exit 125)");
    /* a program of its own exiting 125 */
    answer(125, "", "bad input\n");
    assert_int_equal(rt_cli_ops.container_exec(&rt, "pmm", argv, &status, out,
                                               sizeof out, soon()),
                     0);
    assert_int_equal(status, 125);
    status = 9;
    assert_int_equal(rt_cli_ops.container_exec(&rt, "-pmm", argv, &status, out,
                                               sizeof out, soon()),
                     -EINVAL);

    fake_rt(&rt, RT_DOCKER);
    answer(1, "", "Error response from daemon: No such container: pmm\n");
    assert_int_equal(rt_cli_ops.container_exec(&rt, "pmm", argv, &status, out,
                                               sizeof out, soon()),
                     -ENOENT);
    answer(1, "",
           "Error response from daemon: Container 616c is not running\n");
    assert_int_equal(rt_cli_ops.container_exec(&rt, "pmm", argv, &status, out,
                                               sizeof out, soon()),
                     -ESRCH);
    assert_int_equal(status, 9);
    write_file("hang", "");
    assert_int_equal(rt_cli_ops.container_exec(&rt, "pmm", argv, &status, out,
                                               sizeof out,
                                               ra_deadline_in_ms(300)),
                     -ETIMEDOUT);
    assert_int_equal(status, 9);
}

static void
test_cli_run(void **state)
{
    const char *extra[]
        = { "--cap-add=NET_ADMIN", "--stop-timeout", "60", NULL };
    struct rt_run_spec spec = {
        .name = "pmm",
        .image = "docker.io/percona/pmm-server:2.42.0",
        .volume = "/srv/pmm",
        .ports = { { "", 443, 8443, "tcp" },
                   { "::1", 80, 8080, "udp" },
                   { "10.0.0.1", 81, 80, "" } },
        .n_ports = 3,
        .env = { "A=b", "C=d e" },
        .n_env = 2,
        .network = "host",
        .hostname = "pmm1",
        .ulimits = { { "nofile", 1024, 2048 } },
        .n_ulimits = 1,
        .labels = { "x=y" },
        .n_labels = 1,
        .cli_extra = (char **) extra,
    };
    struct rt rt;

    fake_rt(&rt, RT_PODMAN);
    answer(0, "", "");
    assert_int_equal(rt_cli_ops.container_run(&rt, &spec, soon()), 0);
    assert_string_equal(logged(),
                        "rm\n-f\n-t\n0\npmm\n\n"
                        "run\n-d\n--rm\n--name\npmm\n"
                        "-p\n443:8443/tcp\n-p\n[::1]:80:8080/udp\n"
                        "-p\n10.0.0.1:81:80/tcp\n"
                        "--mount\ntype=bind,src=/srv/pmm,dst=/srv\n"
                        "--network\nhost\n--hostname\npmm1\n"
                        "-e\nA=b\n-e\nC=d e\n--ulimit\nnofile=1024:2048\n"
                        "--label\nx=y\n"
                        "--health-cmd=none\n--health-interval=disable\n"
                        "--cap-add=NET_ADMIN\n--stop-timeout\n60\n"
                        "docker.io/percona/pmm-server:2.42.0\n\n");

    fake_rt(&rt, RT_DOCKER);
    memset(&spec, 0, sizeof spec);
    spec.name = "pmm";
    spec.image = "pmm:2";
    answer(0, "", "");
    assert_int_equal(rt_cli_ops.container_run(&rt, &spec, soon()), 0);
    assert_string_equal(logged(), "rm\n-f\npmm\n\n"
                                  "run\n-d\n--rm\n--name\npmm\n"
                                  "--no-healthcheck\npmm:2\n\n");

    answer(126, "", "Error: runc: runc create failed: boom\n");
    assert_int_equal(rt_cli_ops.container_run(&rt, &spec, soon()), -EIO);
    spec.volume = "/a,b";
    assert_int_equal(rt_cli_ops.container_run(&rt, &spec, soon()), -EINVAL);
    spec.volume = NULL;
    spec.env[0] = "NOVALUE";
    spec.n_env = 1;
    assert_int_equal(rt_cli_ops.container_run(&rt, &spec, soon()), -EINVAL);
    spec.n_env = RT_MAX_ENV + 1;
    assert_int_equal(rt_cli_ops.container_run(&rt, &spec, soon()), -EINVAL);
}

/* The CLI gets the agent's container configuration variables, no others. */
static void
test_cli_environment(void **state)
{
    char path[PATH_MAX], env[4096];
    struct rt rt;
    size_t n;
    FILE *f;

    fake_rt(&rt, RT_PODMAN);
    answer(0, "4.3.1\n", "");
    setenv("CONTAINERS_CONF", "/etc/x.conf", 1);
    setenv("XDG_RUNTIME_DIR", "/run/user/0", 1);
    setenv("PMMHA_NOT_PASSED", "1", 1);
    assert_int_equal(rt_cli_ops.ping(&rt, soon()), 0);
    unsetenv("CONTAINERS_CONF");
    unsetenv("XDG_RUNTIME_DIR");
    unsetenv("PMMHA_NOT_PASSED");
    assert_string_equal(logged(), "version\n--format\n{{.Client.Version}}\n\n");
    path_in_tmp(path, sizeof path, "env.log");
    f = fopen(path, "re");
    assert_non_null(f);
    n = fread(env, 1, sizeof env - 1, f);
    env[n] = '\0';
    fclose(f);
    assert_non_null(strstr(env, "\nCONTAINERS_CONF=/etc/x.conf\n"));
    assert_non_null(strstr(env, "\nXDG_RUNTIME_DIR=/run/user/0\n"));
    assert_non_null(strstr(env, "\nLC_ALL=C\n"));
    assert_non_null(strstr(env, "\nPATH=/usr/local/sbin:"));
    assert_null(strstr(env, "PMMHA_NOT_PASSED"));
}

/* Reads the environment the fake CLI was run with. */
static void
cli_env_log(char *env, size_t len)
{
    char path[PATH_MAX];
    size_t n;
    FILE *f;

    path_in_tmp(path, sizeof path, "env.log");
    f = fopen(path, "re");
    assert_non_null(f);
    n = fread(env, 1, len - 1, f);
    env[n] = '\0';
    fclose(f);
}

/* The docker CLI talks to the configured engine, never to another one that
 * DOCKER_HOST (or the default socket) would name. */
static void
test_cli_docker_host(void **state)
{
    char env[4096];
    struct rt rt;

    fake_rt(&rt, RT_DOCKER);
    snprintf(rt.socket, sizeof rt.socket, "/run/pmm-docker/docker.sock");
    answer(0, "24.0.0\n", "");
    setenv("DOCKER_HOST", "unix:///var/run/docker.sock", 1);
    setenv("DOCKER_CONTEXT", "other", 1);
    assert_int_equal(rt_cli_ops.ping(&rt, soon()), 0);
    cli_env_log(env, sizeof env);
    assert_non_null(
        strstr(env, "\nDOCKER_HOST=unix:///run/pmm-docker/docker.sock\n"));
    assert_null(strstr(env, "/var/run/docker.sock"));
    assert_null(strstr(env, "DOCKER_CONTEXT"));

    /* no socket configured: the environment's DOCKER_HOST is the way */
    rt.socket[0] = '\0';
    assert_int_equal(rt_cli_ops.ping(&rt, soon()), 0);
    cli_env_log(env, sizeof env);
    assert_non_null(strstr(env, "\nDOCKER_HOST=unix:///var/run/docker.sock\n"));
    assert_non_null(strstr(env, "\nDOCKER_CONTEXT=other\n"));
    unsetenv("DOCKER_HOST");
    unsetenv("DOCKER_CONTEXT");
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
#define TT(f) cmocka_unit_test_setup_teardown(f, setup_tmpdir, teardown_tmpdir)
    const struct CMUnitTest tests[] = {
        T(test_exit_codes),
        T(test_capture),
        T(test_environment),
        T(test_stdin_is_dev_null),
        T(test_output_cap),
        T(test_deadline_sigterm),
        T(test_deadline_sigkill),
        T(test_async),
        T(test_signals_reset),
        T(test_same_process_group),
        T(test_grandchild_keeps_pipe),
        T(test_sigchld_ignored),
        T(test_bad_arguments),
        T(test_no_deadline),
        T(test_not_found),
        T(test_spawn_fails),
        T(test_pipe2_fails),
        T(test_without_pidfd),
        T(test_find_program),
        T(test_split_words),
        T(test_split_words_errors),
        T(test_parse_port),
        T(test_default_socket),
        TT(test_open_cli_fallback),
        TT(test_open_not_a_socket),
        TT(test_open_api),
        TT(test_cli_inspect),
        TT(test_cli_inspect_missing),
        TT(test_cli_inspect_errors),
        TT(test_cli_timeout),
        TT(test_cli_image),
        TT(test_cli_stop_kill_remove),
        TT(test_cli_exec),
        TT(test_cli_run),
        TT(test_cli_environment),
        TT(test_cli_docker_host),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
