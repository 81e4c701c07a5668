/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/state.c and lib/proc.c. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
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

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_proc),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
