/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/param.c: parsing and validation against a table. */
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

#include <cmocka.h>

#include "param.h"

static const struct ra_param_def defs[] = {
    { "image", RA_PARAM_STRING, true, NULL, NULL, 1, 0 },
    { "runtime", RA_PARAM_STRING, false, "podman", "podman docker", 1, 0 },
    { "count", RA_PARAM_INTEGER, false, "3", NULL, 0, 10 },
    { "flag", RA_PARAM_BOOLEAN, false, "false", NULL, 1, 0 },
    { "wait", RA_PARAM_TIME, false, "5s", NULL, 1, 0 },
    { NULL, RA_PARAM_STRING, false, NULL, NULL, 1, 0 },
};

static int
clear_env(void **state)
{
    (void) state;
    for (size_t i = 0; defs[i].name; i++) {
        char k[64];

        snprintf(k, sizeof k, "OCF_RESKEY_%s", defs[i].name);
        unsetenv(k);
    }
    return 0;
}

static int
validate(char *why)
{
    struct ra_params p;

    assert_int_equal(ra_params_load(&p, defs), 0);
    return ra_params_validate(&p, why, 256);
}

static void
test_required_missing(void **state)
{
    char why[256];

    (void) state;
    assert_int_equal(validate(why), -EINVAL);
    assert_string_equal(why, "required parameter image is not set");
    setenv("OCF_RESKEY_image", "", 1);
    assert_int_equal(validate(why), -EINVAL);
}

static void
test_defaults(void **state)
{
    struct ra_params p;
    char why[256];

    (void) state;
    setenv("OCF_RESKEY_image", "x:1", 1);
    assert_int_equal(validate(why), 0);
    ra_params_load(&p, defs);
    assert_string_equal(ra_param_str(&p, "runtime"), "podman");
    assert_false(ra_param_given(&p, "runtime"));
    assert_true(ra_param_given(&p, "image"));
    assert_int_equal(ra_param_int(&p, "count", -1), 3);
    assert_false(ra_param_bool(&p, "flag"));
    assert_null(ra_param_str(&p, "nope"));
    /* an empty typed value means its default */
    setenv("OCF_RESKEY_count", "", 1);
    assert_int_equal(validate(why), 0);
    ra_params_load(&p, defs);
    assert_string_equal(ra_param_str(&p, "count"), "3");
}

static void
test_bad_values(void **state)
{
    static const struct {
        const char *key, *val, *why;
    } cases[] = {
        { "runtime", "lxc", "runtime=lxc is not one of: podman docker" },
        { "runtime", "pod", "runtime=pod is not one of: podman docker" },
        { "count", "11", "count=11 is out of range (0 to 10)" },
        { "count", "-1", "count=-1 is out of range (0 to 10)" },
        { "count", "3x", "count=3x is not an integer" },
        { "count", " 3", "count= 3 is not an integer" },
        { "count", "99999999999999999999",
          "count=99999999999999999999 is not an integer" },
        { "flag", "maybe", "flag=maybe is not a boolean (true or false)" },
        { "wait", "5 s", "wait=5 s is not a time (e.g. 30s, 1500ms, 2min)" },
        { "wait", "-5", "wait=-5 is not a time (e.g. 30s, 1500ms, 2min)" },
    };
    char why[256];

    (void) state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clear_env(NULL);
        setenv("OCF_RESKEY_image", "x:1", 1);
        {
            char k[64];

            snprintf(k, sizeof k, "OCF_RESKEY_%s", cases[i].key);
            setenv(k, cases[i].val, 1);
        }
        assert_int_equal(validate(why), -EINVAL);
        assert_string_equal(why, cases[i].why);
    }
}

static void
test_parsers(void **state)
{
    unsigned long long ms;
    long long ll;
    bool b;

    (void) state;
    assert_int_equal(ra_parse_time_ms("90", &ms), 0);
    assert_int_equal(ms, 90000);
    assert_int_equal(ra_parse_time_ms("1500ms", &ms), 0);
    assert_int_equal(ms, 1500);
    assert_int_equal(ra_parse_time_ms("2min", &ms), 0);
    assert_int_equal(ms, 120000);
    assert_int_equal(ra_parse_time_ms("1h", &ms), 0);
    assert_int_equal(ms, 3600000);
    assert_int_equal(ra_parse_time_ms("1d", &ms), -EINVAL);
    assert_int_equal(ra_parse_time_ms("", &ms), -EINVAL);
    assert_int_equal(ra_parse_time_ms("99999999999999999999h", &ms), -ERANGE);
    assert_int_equal(ra_parse_bool("YES", &b), 0);
    assert_true(b);
    assert_int_equal(ra_parse_bool("off", &b), 0);
    assert_false(b);
    assert_int_equal(ra_parse_bool("", &b), -EINVAL);
    assert_int_equal(ra_parse_ll("-42", &ll), 0);
    assert_int_equal(ll, -42);
    assert_int_equal(ra_parse_ll("", &ll), -EINVAL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_required_missing, clear_env),
        cmocka_unit_test_setup(test_defaults, clear_env),
        cmocka_unit_test_setup(test_bad_values, clear_env),
        cmocka_unit_test(test_parsers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
