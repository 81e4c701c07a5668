/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/deadline.c: margins and sleeping against deadlines. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "deadline.h"

static void
test_margin(void **state)
{
    (void) state;
    assert_int_equal(ra_deadline_margin_ms(20000), 2000);
    assert_int_equal(ra_deadline_margin_ms(5000), 500);    /* floor */
    assert_int_equal(ra_deadline_margin_ms(120000), 5000); /* cap */
    assert_int_equal(ra_deadline_margin_ms(600), 300);     /* half */
    assert_int_equal(ra_deadline_margin_ms(0), 0);
}

static void
test_for_op(void **state)
{
    uint64_t now = ra_now_ns();
    ra_deadline_t d = ra_deadline_for_op(now, 5000);

    (void) state;
    assert_true(d == now + 4500 * RA_NSEC_PER_MSEC);
    assert_in_range(ra_deadline_left_ms(d), 4000, 4500);
    assert_int_equal(ra_deadline_left_ms(now - 1), 0);
    assert_true(ra_deadline_passed(now));
    assert_true(ra_deadline_min(5, 7) == 5);
    /* 0 is "none": never passed, later than any deadline, poll forever */
    assert_false(ra_deadline_passed(0));
    assert_true(ra_deadline_min(0, d) == d);
    assert_true(ra_deadline_min(d, 0) == d);
    assert_true(ra_deadline_min(0, 0) == 0);
    assert_int_equal(ra_deadline_poll_ms(0), -1);
    assert_in_range(ra_deadline_poll_ms(d), 4000, 4500);
}

static void
test_sleep_bounded(void **state)
{
    uint64_t t0 = ra_now_ns();

    (void) state;
    /* asked for 2 s, the deadline allows 50 ms */
    ra_sleep_ms(2000, ra_deadline_in_ms(50));
    assert_in_range((ra_now_ns() - t0) / RA_NSEC_PER_MSEC, 45, 500);
    t0 = ra_now_ns();
    ra_sleep_ms(20, 0);
    assert_in_range((ra_now_ns() - t0) / RA_NSEC_PER_MSEC, 19, 500);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_margin),
        cmocka_unit_test(test_for_op),
        cmocka_unit_test(test_sleep_bounded),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
