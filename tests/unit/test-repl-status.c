/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for agents/repl-status.c: watermarks, the status file, the
 * credentials files, the clock note; a disk that fails a flush or a
 * rename (injected). */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "repl.h"
#include "state.h"

bool
repl_stopping(void)
{
    return false;
}

/* Failure injection: the disk refuses a flush or a rename (-Wl,--wrap) */
static int fail_fsync, fail_rename;
int __real_fsync(int fd);
int __real_rename(const char *from, const char *to);
int __wrap_fsync(int fd);
int __wrap_rename(const char *from, const char *to);

int
__wrap_fsync(int fd)
{
    if (fail_fsync) {
        errno = EIO;
        return -1;
    }
    return __real_fsync(fd);
}

int
__wrap_rename(const char *from, const char *to)
{
    if (fail_rename) {
        errno = ENOSPC;
        return -1;
    }
    return __real_rename(from, to);
}

static char dir[64];

static int
setup(void **state)
{
    (void) state;
    snprintf(dir, sizeof dir, "/tmp/pmmha-repl-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
    char path[128];
    const char *names[] = { "marks", "status", "secret", "sub/x", "sub" };
    size_t i;

    (void) state;
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (unlink(path) < 0)
            rmdir(path);
    }
    return rmdir(dir);
}

static void
init_repl(struct repl *r)
{
    static const char *const names[] = { "metrics", "inventory", "qan" };
    int i;

    memset(r, 0, sizeof *r);
    r->conf.state_dir = dir;
    r->conf.max_skew_ms = 5000;
    for (i = 0; i < REPL_NSTREAMS; i++) {
        r->st[i].name = names[i];
        r->st[i].enabled = true;
    }
}

static void
test_marks(void **state)
{
    struct repl r;
    int64_t v = 0;
    char path[128];
    FILE *f;

    (void) state;
    init_repl(&r);
    assert_int_equal(repl_mark_get(&r, "metrics.watermark", &v), -ENOENT);
    assert_int_equal(repl_mark_set(&r, "metrics.watermark", 1733490000123), 0);
    assert_int_equal(repl_mark_set(&r, "qan.initial", 1), 0);
    assert_int_equal(repl_mark_set(&r, "metrics.watermark", 1733490001000), 0);
    assert_int_equal(repl_mark_get(&r, "metrics.watermark", &v), 0);
    assert_int_equal(v, 1733490001000);
    assert_int_equal(repl_mark_get(&r, "qan.initial", &v), 0);
    assert_int_equal(v, 1);
    /* a damaged marks file is no watermark (start over), never a crash */
    snprintf(path, sizeof path, "%s/marks", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("metrics.watermark=12x\n", f);
    fclose(f);
    assert_int_equal(repl_mark_get(&r, "metrics.watermark", &v), -ENOENT);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("garbage without equals\n", f);
    fclose(f);
    assert_int_equal(repl_mark_get(&r, "metrics.watermark", &v), -ENOENT);
    assert_int_equal(repl_mark_set(&r, "metrics.watermark", 5), 0);
    assert_int_equal(repl_mark_get(&r, "metrics.watermark", &v), 0);
    assert_int_equal(v, 5);
}

static void
test_status(void **state)
{
    struct repl r;
    struct ra_state s;
    char path[128];

    (void) state;
    init_repl(&r);
    r.st[REPL_METRICS].position_ms = repl_wall_ms() - 30000;
    r.st[REPL_METRICS].initial_done = true;
    r.st[REPL_INVENTORY].enabled = false;
    repl_fail(&r.st[REPL_QAN], -EIO, "source %s\nanswered %d", "x", 500);
    r.skew_ms = 0;
    r.skew_known = true;
    assert_int_equal(repl_status_write(&r), 0);
    snprintf(path, sizeof path, "%s/status", dir);
    assert_int_equal(ra_state_load(path, &s), 0);
    assert_string_equal(ra_state_get(&s, "metrics.initial_sync"), "1");
    assert_in_range(atoll(ra_state_get(&s, "metrics.lag_ms")), 29000, 40000);
    assert_string_equal(ra_state_get(&s, "inventory.enabled"), "0");
    assert_null(ra_state_get(&s, "inventory.position"));
    /* the error is kept on one line */
    assert_string_equal(ra_state_get(&s, "qan.last_error"),
                        "source x answered 500");
    assert_string_equal(ra_state_get(&s, "qan.lag_ms"), "-1");
    assert_non_null(ra_state_get(&s, "status.updated"));

    /* a skew read off a whole-second clock puts a position "ahead": 0 */
    r.skew_ms = -900;
    r.st[REPL_METRICS].position_ms = repl_wall_ms();
    assert_int_equal(repl_status_write(&r), 0);
    assert_int_equal(ra_state_load(path, &s), 0);
    assert_string_equal(ra_state_get(&s, "metrics.lag_ms"), "0");
}

static void
test_status_unwritable(void **state)
{
    struct repl r;
    char sub[128];

    (void) state;
    init_repl(&r);
    snprintf(sub, sizeof sub, "%s/sub/x", dir);
    r.conf.state_dir = sub; /* a directory that is not there */
    assert_true(repl_status_write(&r) < 0);
    assert_true(repl_mark_set(&r, "k", 1) < 0);
}

/* A watermark or status that cannot reach the disk is an error, and
 * leaves the last one that did, whole, with no temporary file behind */
static void
test_disk_fails(void **state)
{
    struct repl r;
    struct ra_state s;
    char path[128];
    int64_t v = 0;

    (void) state;
    init_repl(&r);
    assert_int_equal(repl_mark_set(&r, "metrics.watermark", 1000), 0);
    r.st[REPL_METRICS].position_ms = 1000;
    assert_int_equal(repl_status_write(&r), 0);

    fail_fsync = 1;
    assert_int_equal(repl_mark_set(&r, "metrics.watermark", 2000), -EIO);
    r.st[REPL_METRICS].position_ms = 2000;
    assert_int_equal(repl_status_write(&r), -EIO);
    fail_fsync = 0;
    fail_rename = 1;
    assert_int_equal(repl_mark_set(&r, "metrics.watermark", 3000), -ENOSPC);
    assert_int_equal(repl_status_write(&r), -ENOSPC);
    fail_rename = 0;

    assert_int_equal(repl_mark_get(&r, "metrics.watermark", &v), 0);
    assert_int_equal(v, 1000);
    snprintf(path, sizeof path, "%s/status", dir);
    assert_int_equal(ra_state_load(path, &s), 0);
    assert_string_equal(ra_state_get(&s, "metrics.position"), "1000");
    snprintf(path, sizeof path, "%s/marks.tmp", dir);
    assert_int_equal(access(path, F_OK), -1);
    snprintf(path, sizeof path, "%s/status.tmp", dir);
    assert_int_equal(access(path, F_OK), -1);
}

static void
write_secret(const char *text, mode_t mode)
{
    char path[128];
    FILE *f;

    snprintf(path, sizeof path, "%s/secret", dir);
    unlink(path);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

static void
test_secret(void **state)
{
    char path[128], link[128], why[256], *u = NULL, *p = NULL;

    (void) state;
    snprintf(path, sizeof path, "%s/secret", dir);
    write_secret("pmmha:s3cr:et\n", 0600);
    assert_int_equal(repl_secret_read(path, &u, &p, why, sizeof why), 0);
    assert_string_equal(u, "pmmha");
    assert_string_equal(p, "s3cr:et"); /* a colon in the password is kept */
    free(u);
    free(p);
    write_secret("pmmha:x\n", 0644);
    assert_int_equal(repl_secret_read(path, &u, &p, why, sizeof why), -EPERM);
    assert_non_null(strstr(why, "chmod 600"));
    write_secret("no colon here\n", 0600);
    assert_int_equal(repl_secret_read(path, &u, &p, why, sizeof why), -EINVAL);
    assert_non_null(strstr(why, "user:password"));
    assert_null(strstr(why, "no colon")); /* nothing of the secret shown */
    write_secret(":nouser\n", 0600);
    assert_int_equal(repl_secret_read(path, &u, &p, why, sizeof why), -EINVAL);
    snprintf(link, sizeof link, "%s/sub", dir);
    assert_int_equal(symlink(path, link), 0);
    assert_int_equal(repl_secret_read(link, &u, &p, why, sizeof why), -ELOOP);
    assert_non_null(strstr(why, "symlink"));
    unlink(link);
    assert_int_equal(
        repl_secret_read("/nonexistent/x", &u, &p, why, sizeof why), -ENOENT);
    assert_int_equal(repl_secret_read(dir, &u, &p, why, sizeof why), -EPERM);
}

static void
test_clock(void **state)
{
    struct repl r;

    (void) state;
    init_repl(&r);
    repl_clock_note(&r, 10500, 10000, 11000);
    assert_true(r.skew_known);
    assert_int_equal(r.skew_ms, 0);
    repl_clock_note(&r, 20000, 10000, 11000);
    assert_int_equal(r.skew_ms, 9500);
    repl_clock_note(&r, 0, 10000, 11000);
    assert_int_equal(r.skew_ms, -10500);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_marks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_unwritable, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_disk_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clock, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
