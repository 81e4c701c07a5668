/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/path.c: a path checked by what it names. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "path.h"

static void
norm_is(const char *in, const char *want)
{
    char out[256];

    assert_int_equal(ra_path_normalize(in, out, sizeof out), 0);
    assert_string_equal(out, want);
}

/* The spellings that issue 8 found passing as "not the root directory". */
static void
test_normalize(void **state)
{
    char out[64], small[8];

    (void) state;
    norm_is("/srv/pmm", "/srv/pmm");
    norm_is("/srv//pmm/./", "/srv/pmm");
    norm_is("/.", "/");
    norm_is("//", "/");
    norm_is("/./.", "/");
    norm_is("/", "/");
    norm_is("/srv/..pmm", "/srv/..pmm");
    norm_is("/srv/pmm..", "/srv/pmm..");
    assert_int_equal(ra_path_normalize("/srv/pmm/..", out, sizeof out),
                     -EINVAL);
    assert_int_equal(ra_path_normalize("/..", out, sizeof out), -EINVAL);
    assert_int_equal(ra_path_normalize("/../srv", out, sizeof out), -EINVAL);
    assert_int_equal(ra_path_normalize("/a/../b", out, sizeof out), -EINVAL);
    assert_int_equal(ra_path_normalize("srv", out, sizeof out), -EINVAL);
    assert_int_equal(ra_path_normalize("", out, sizeof out), -EINVAL);
    assert_int_equal(ra_path_normalize("/abcdefgh", small, sizeof small),
                     -ENAMETOOLONG);
}

/* the agents' one path checker: absolute, no "..", forbidden characters,
 * and (for a path compared with the mount table) its canonical spelling */
static void
test_check(void **state)
{
    char why[160];

    (void) state;
    assert_int_equal(ra_path_check("/srv/pmm", true, "\n", why, sizeof why), 0);
    assert_int_equal(ra_path_check("/srv/./pmm", false, ",", why, sizeof why),
                     0);
    assert_int_equal(ra_path_check("/srv/./pmm", true, NULL, why, sizeof why),
                     -EINVAL);
    assert_non_null(strstr(why, "canonical path (/srv/pmm"));
    assert_int_equal(ra_path_check("/srv/", true, NULL, why, sizeof why),
                     -EINVAL);
    assert_int_equal(ra_path_check("/mnt/..", true, NULL, why, sizeof why),
                     -EINVAL);
    assert_non_null(strstr(why, "without '..'"));
    assert_int_equal(ra_path_check("srv", false, NULL, why, sizeof why),
                     -EINVAL);
    assert_int_equal(ra_path_check("/a,b", false, ",\n", why, sizeof why),
                     -EINVAL);
    assert_non_null(strstr(why, "or ','"));
    assert_int_equal(ra_path_check("/a\nb", true, "\n", why, sizeof why),
                     -EINVAL);
}

static void
test_system(void **state)
{
    (void) state;
    assert_true(ra_path_is_system("/"));
    assert_true(ra_path_is_system("/etc"));
    assert_true(ra_path_is_system("/usr"));
    assert_true(ra_path_is_system("/var"));
    assert_true(ra_path_is_system("/proc/1/root"));
    assert_true(ra_path_is_system("/run/podman/podman.sock"));
    assert_true(ra_path_is_system("/var/run/docker.sock"));
    assert_true(ra_path_is_system("/dev/sda"));
    assert_true(ra_path_is_system("/var/lib/containers/storage"));
    assert_false(ra_path_is_system("/srv"));
    assert_false(ra_path_is_system("/mnt/pmm-server/srv"));
    assert_false(ra_path_is_system("/var/lib/pmm"));
    assert_false(ra_path_is_system("/tmp/pmmha-it.x/srv"));
    assert_false(ra_path_is_system("/etcetera"));
    assert_false(ra_path_is_system("/devices"));
}

/* What a path names: "..", "." and symlinks as the kernel takes them; a
 * missing tail as spelled. */
static void
test_resolve(void **state)
{
    char dir[] = "/tmp/pmmha-path-XXXXXX", real[PATH_MAX], p[PATH_MAX],
         out[PATH_MAX], want[PATH_MAX + 16];

    (void) state;
    assert_non_null(mkdtemp(dir));
    assert_non_null(realpath(dir, real));
    snprintf(p, sizeof p, "%s/pmm", dir);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/root", dir);
    assert_int_equal(symlink("/", p), 0);
    snprintf(p, sizeof p, "%s/up", dir);
    assert_int_equal(symlink("pmm/..", p), 0);

    snprintf(p, sizeof p, "%s/pmm/..", dir);
    assert_int_equal(ra_path_resolve(p, out, sizeof out), 0);
    assert_string_equal(out, real);
    snprintf(p, sizeof p, "%s/root", dir);
    assert_int_equal(ra_path_resolve(p, out, sizeof out), 0);
    assert_string_equal(out, "/");
    snprintf(p, sizeof p, "%s/root/.", dir);
    assert_int_equal(ra_path_resolve(p, out, sizeof out), 0);
    assert_string_equal(out, "/");
    snprintf(p, sizeof p, "%s/root/etc", dir);
    assert_int_equal(ra_path_resolve(p, out, sizeof out), 0);
    assert_string_equal(out, "/etc");
    snprintf(p, sizeof p, "%s/up", dir);
    assert_int_equal(ra_path_resolve(p, out, sizeof out), 0);
    assert_string_equal(out, real);
    assert_int_equal(ra_path_resolve("/.", out, sizeof out), 0);
    assert_string_equal(out, "/");
    assert_int_equal(ra_path_resolve("//", out, sizeof out), 0);
    assert_string_equal(out, "/");
    assert_int_equal(ra_path_resolve("/..", out, sizeof out), 0);
    assert_string_equal(out, "/");
    /* not there yet: the missing part as spelled, below what exists */
    snprintf(p, sizeof p, "%s/root/nowhere-pmmha//srv/", dir);
    assert_int_equal(ra_path_resolve(p, out, sizeof out), 0);
    assert_string_equal(out, "/nowhere-pmmha/srv");
    snprintf(p, sizeof p, "%s/pmm/new", dir);
    assert_int_equal(ra_path_resolve(p, out, sizeof out), 0);
    snprintf(want, sizeof want, "%s/pmm/new", real);
    assert_string_equal(out, want);
    snprintf(p, sizeof p, "%s/gone/..", dir);
    assert_int_equal(ra_path_resolve(p, out, sizeof out), -ENOENT);
    assert_int_equal(ra_path_resolve("rel", out, sizeof out), -EINVAL);
    assert_int_equal(ra_path_resolve("/", out, 1), -ENAMETOOLONG);

    snprintf(p, sizeof p, "%s/root", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/up", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/pmm", dir);
    rmdir(p);
    rmdir(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_system),
        cmocka_unit_test(test_resolve),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
