/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for agents/repl-window.c: the metrics stream's window planner
 * (COPY, IN_SYNC, AHEAD; settle, overlap, the window cap, a source clock
 * that jumps) and where a first sync starts. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "repl-window.h"

#define NOW INT64_C(1796578107000) /* a source clock reading */

static const struct repl_window_conf conf = { 30000, 60000, 3600000 };

static void
test_in_sync(void **state)
{
    struct repl_window w = { 1, 2, 3 };

    (void) state;
    assert_int_equal(repl_window_plan(&conf, NOW - 30000, NOW, &w),
                     REPL_WINDOW_IN_SYNC);
    assert_int_equal(w.start_ms, 1); /* untouched */
    assert_int_equal(w.end_ms, 2);
    assert_int_equal(w.mark_ms, 3);
}

static void
test_copy_settle_overlap(void **state)
{
    struct repl_window w;
    int64_t mark = NOW - 45000;

    (void) state;
    assert_int_equal(repl_window_plan(&conf, mark, NOW, &w), REPL_WINDOW_COPY);
    assert_int_equal(w.start_ms, mark - 60000); /* the overlap */
    assert_int_equal(w.mark_ms, NOW - 30000);   /* the settle margin */
    assert_int_equal(w.end_ms, NOW - 30001);    /* end is inclusive */
}

static void
test_window_cap(void **state)
{
    struct repl_window w;
    int64_t mark = NOW - 86400000;

    (void) state;
    assert_int_equal(repl_window_plan(&conf, mark, NOW, &w), REPL_WINDOW_COPY);
    assert_int_equal(w.mark_ms, mark + 3600000);
    assert_int_equal(w.start_ms, mark - 60000);
    /* exactly one window behind the limit: one window, not two */
    mark = NOW - 30000 - 3600000;
    assert_int_equal(repl_window_plan(&conf, mark, NOW, &w), REPL_WINDOW_COPY);
    assert_int_equal(w.mark_ms, NOW - 30000);
}

static void
test_ahead(void **state)
{
    struct repl_window w = { 1, 2, 3 };

    (void) state;
    /* the source's clock went back 10 minutes: the watermark goes back to
     * its now - settle, and the next plan is in sync there */
    assert_int_equal(repl_window_plan(&conf, NOW, NOW - 600000, &w),
                     REPL_WINDOW_AHEAD);
    assert_int_equal(w.mark_ms, NOW - 630000);
    assert_int_equal(w.start_ms, 1);
    assert_int_equal(repl_window_plan(&conf, w.mark_ms, NOW - 600000, &w),
                     REPL_WINDOW_IN_SYNC);
    /* one millisecond ahead is ahead */
    assert_int_equal(repl_window_plan(&conf, NOW - 29999, NOW, &w),
                     REPL_WINDOW_AHEAD);
}

/* Our clock plays no part: a source whose clock is hours from ours is
 * planned on its own clock, and its clock moving forward moves the limit */
static void
test_skew(void **state)
{
    struct repl_window w;
    int64_t skew;

    (void) state;
    for (skew = -7200000; skew <= 7200000; skew += 3600000) {
        int64_t src_now = NOW + skew;

        assert_int_equal(repl_window_plan(&conf, src_now - 40000, src_now, &w),
                         REPL_WINDOW_COPY);
        assert_int_equal(w.mark_ms, src_now - 30000);
        assert_int_equal(repl_window_plan(&conf, w.mark_ms, src_now + 1, &w),
                         REPL_WINDOW_COPY);
        assert_int_equal(w.mark_ms, src_now - 29999);
    }
}

static void
test_degenerate_conf(void **state)
{
    const struct repl_window_conf c = { 0, 0, 0 };
    struct repl_window w;

    (void) state;
    /* no overlap, no settle, a window of 0: still one step forward */
    assert_int_equal(repl_window_plan(&c, NOW - 10, NOW, &w), REPL_WINDOW_COPY);
    assert_int_equal(w.start_ms, NOW - 10);
    assert_int_equal(w.mark_ms, NOW - 9);
}

/* Walks from @mark to in sync: windows chain without a gap, each within
 * the cap, the count is the least possible; returns the windows */
static int64_t
walk(const struct repl_window_conf *c, int64_t mark, int64_t now)
{
    struct repl_window w;
    int64_t n = 0, limit = now - c->settle_ms;
    enum repl_window_verdict v;

    while ((v = repl_window_plan(c, mark, now, &w)) == REPL_WINDOW_COPY) {
        assert_true(w.start_ms == mark - c->overlap_ms);
        assert_true(w.mark_ms > mark && w.mark_ms <= limit);
        assert_true(w.mark_ms - mark <= c->window_ms);
        assert_true(w.end_ms == w.mark_ms - 1);
        assert_true(w.start_ms <= mark); /* no gap behind the last one */
        mark = w.mark_ms;
        n++;
    }
    assert_int_equal(v, REPL_WINDOW_IN_SYNC);
    assert_true(mark == limit);
    return n;
}

static void
test_exhaustive(void **state)
{
    static const int64_t settles[] = { 0, 2000, 30000 };
    static const int64_t overlaps[] = { 0, 1000, 60000, 7200000 };
    static const int64_t windows[] = { 1000, 60000, 3600000 };
    static const int64_t behind[]
        = { 1,       999,      1000,
            1001,    59999,    3600000,
            3600001, 86400000, INT64_C(86400000) * 31 };
    size_t i, j, k, b;

    (void) state;
    for (i = 0; i < sizeof settles / sizeof settles[0]; i++)
        for (j = 0; j < sizeof overlaps / sizeof overlaps[0]; j++)
            for (k = 0; k < sizeof windows / sizeof windows[0]; k++)
                for (b = 0; b < sizeof behind / sizeof behind[0]; b++) {
                    const struct repl_window_conf c
                        = { settles[i], overlaps[j], windows[k] };
                    int64_t mark = NOW - settles[i] - behind[b];

                    if (behind[b] / windows[k] > 100000)
                        continue; /* too many steps for a unit test */
                    assert_int_equal(walk(&c, mark, NOW),
                                     (behind[b] + windows[k] - 1) / windows[k]);
                }
}

static void
test_first(void **state)
{
    const int64_t ret = 30LL * 86400000;

    (void) state;
    /* the oldest sample's day, whole seconds */
    assert_int_equal(repl_window_first(NOW - 3600000, NOW, ret), NOW - 3600000);
    assert_int_equal(repl_window_first(NOW - 3600123, NOW, ret), NOW - 3601000);
    /* never before the retention: that data is gone */
    assert_int_equal(repl_window_first(NOW - 40 * 86400000LL, NOW, ret),
                     NOW - ret);
    assert_int_equal(repl_window_first(0, NOW, ret), NOW - ret);
    /* never after now */
    assert_int_equal(repl_window_first(NOW + 5000, NOW, ret), NOW);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_sync),
        cmocka_unit_test(test_copy_settle_overlap),
        cmocka_unit_test(test_window_cap),
        cmocka_unit_test(test_ahead),
        cmocka_unit_test(test_skew),
        cmocka_unit_test(test_degenerate_conf),
        cmocka_unit_test(test_exhaustive),
        cmocka_unit_test(test_first),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
