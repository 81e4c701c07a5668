/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/version.c. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "version.h"

static void
test_cmp(void **state)
{
    int ok;

    (void) state;
    assert_true(ra_version_cmp("2.41.0", "2.42.0", &ok) < 0 && ok);
    assert_true(ra_version_cmp("2.10.0", "2.9.9", &ok) > 0);
    assert_true(ra_version_cmp("3.0.0", "2.42.0", &ok) > 0);
    assert_int_equal(ra_version_cmp("2.42.0-rc1", "2.42.0", &ok), 0);
    assert_int_equal(ra_version_cmp("v2.42", "2.42.0", &ok), 0);
    assert_int_equal(ra_version_cmp("latest", "2.42.0", &ok), -1);
    assert_false(ok);
    assert_int_equal(ra_version_major("3.1.0"), 3);
    assert_int_equal(ra_version_major("dev"), -1);
}

static void
test_tag(void **state)
{
    char b[64];

    (void) state;
    assert_string_equal(
        ra_image_tag("docker.io/percona/pmm-server:2.42.0", b, sizeof b),
        "2.42.0");
    assert_string_equal(ra_image_tag("reg:5000/pmm-server:3.0.0", b, sizeof b),
                        "3.0.0");
    assert_string_equal(ra_image_tag("reg:5000/pmm-server", b, sizeof b), "");
    assert_string_equal(ra_image_tag("pmm:2@sha256:abc", b, sizeof b), "2");
    assert_string_equal(ra_image_tag("x:123456", b, 4), "123");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cmp),
        cmocka_unit_test(test_tag),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
