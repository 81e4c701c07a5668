/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for agents/repl-parts.c: the qan stream's partition planner
 * (copy, verify, leave, drop) and its allocation failure. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "repl-parts.h"

void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);

static bool fail_calloc;

void *
__wrap_calloc(size_t n, size_t size)
{
    if (fail_calloc)
        return NULL;
    return __real_calloc(n, size);
}

static const char *const always[] = { "20261206", "20261205" };

/* The action planned for @id in @steps, or -1 when it is not there */
static int
act_of(const struct repl_part_step *steps, size_t n, const char *id)
{
    size_t i;
    int found = -1;

    for (i = 0; i < n; i++)
        if (strcmp(steps[i].id, id) == 0) {
            assert_int_equal(found, -1); /* listed once */
            found = (int) steps[i].act;
        }
    return found;
}

static void
plan(const struct repl_part *src, size_t nsrc, const struct repl_part *dst,
     size_t ndst, int64_t since, struct repl_part_step **steps, size_t *n)
{
    assert_int_equal(
        repl_parts_plan(src, nsrc, dst, ndst, always, 2, since, steps, n), 0);
}

static void
test_empty_target_copies_all(void **state)
{
    const struct repl_part src[] = {
        { "20261201", 100, 1000 },
        { "20261205", 50, 2000 },
        { "20261206", 10, 3000 },
    };
    struct repl_part_step *s;
    size_t n;

    (void) state;
    plan(src, 3, NULL, 0, 5000, &s, &n);
    assert_int_equal(n, 3);
    assert_string_equal(s[0].id, "20261201"); /* the source's order */
    assert_int_equal(s[0].act, REPL_PART_COPY);
    assert_int_equal(s[0].rows, 100);
    assert_int_equal(s[1].act, REPL_PART_COPY);
    assert_int_equal(s[2].act, REPL_PART_COPY);
    free(s);
}

static void
test_empty_source_drops_nothing(void **state)
{
    const struct repl_part dst[] = {
        { "20261201", 100, 0 },
        { "20261206", 10, 0 },
    };
    struct repl_part_step *s;
    size_t n;

    (void) state;
    plan(NULL, 0, dst, 2, 0, &s, &n);
    assert_int_equal(n, 2);
    assert_int_equal(act_of(s, n, "20261201"), REPL_PART_LEAVE);
    assert_int_equal(act_of(s, n, "20261206"), REPL_PART_LEAVE);
    free(s);
}

static void
test_both_empty(void **state)
{
    struct repl_part_step *s = NULL;
    size_t n = 99;

    (void) state;
    plan(NULL, 0, NULL, 0, 0, &s, &n);
    assert_non_null(s);
    assert_int_equal(n, 0);
    free(s);
}

static void
test_today_yesterday_always(void **state)
{
    const struct repl_part src[] = {
        { "20261204", 100, 1000 },
        { "20261205", 50, 1000 },
        { "20261206", 10, 1000 },
    };
    const struct repl_part dst[] = {
        { "20261204", 100, 0 },
        { "20261205", 50, 0 },
        { "20261206", 10, 0 },
    };
    struct repl_part_step *s;
    size_t n;

    (void) state;
    plan(src, 3, dst, 3, 5000, &s, &n);
    assert_int_equal(n, 3);
    assert_int_equal(act_of(s, n, "20261204"), REPL_PART_LEAVE);
    assert_int_equal(act_of(s, n, "20261205"), REPL_PART_COPY);
    assert_int_equal(act_of(s, n, "20261206"), REPL_PART_COPY);
    free(s);
}

static void
test_rows_differ_copy(void **state)
{
    const struct repl_part src[] = { { "20261101", 100, 1000 } };
    const struct repl_part dst[] = { { "20261101", 99, 0 } };
    const struct repl_part more[] = { { "20261101", 101, 0 } };
    struct repl_part_step *s;
    size_t n;

    (void) state;
    plan(src, 1, dst, 1, 5000, &s, &n);
    assert_int_equal(act_of(s, n, "20261101"), REPL_PART_COPY);
    free(s);
    plan(src, 1, more, 1, 5000, &s, &n); /* the standby holds more */
    assert_int_equal(act_of(s, n, "20261101"), REPL_PART_COPY);
    free(s);
}

static void
test_equal_rows_verify_when_changed(void **state)
{
    const struct repl_part src[] = {
        { "20261101", 100, 4999 }, /* written before since: leave */
        { "20261102", 100, 5000 }, /* at since: verify */
        { "20261103", 100, 9000 }, /* after: verify */
    };
    const struct repl_part dst[] = {
        { "20261101", 100, 0 },
        { "20261102", 100, 0 },
        { "20261103", 100, 0 },
    };
    struct repl_part_step *s;
    size_t n;

    (void) state;
    plan(src, 3, dst, 3, 5000, &s, &n);
    assert_int_equal(act_of(s, n, "20261101"), REPL_PART_LEAVE);
    assert_int_equal(act_of(s, n, "20261102"), REPL_PART_VERIFY);
    assert_int_equal(act_of(s, n, "20261103"), REPL_PART_VERIFY);
    free(s);
    plan(src, 3, dst, 3, 0, &s, &n); /* no position yet: verify all */
    assert_int_equal(act_of(s, n, "20261101"), REPL_PART_VERIFY);
    assert_int_equal(act_of(s, n, "20261102"), REPL_PART_VERIFY);
    free(s);
}

static void
test_target_only_dropped_last(void **state)
{
    const struct repl_part src[] = { { "20261206", 10, 0 } };
    const struct repl_part dst[] = {
        { "20260901", 7, 0 }, /* retention on the source took it */
        { "20261206", 10, 0 },
        { "20260902", 8, 0 },
    };
    struct repl_part_step *s;
    size_t n;

    (void) state;
    plan(src, 1, dst, 3, 5000, &s, &n);
    assert_int_equal(n, 3);
    assert_string_equal(s[0].id, "20261206");
    assert_int_equal(s[0].act, REPL_PART_COPY);
    assert_string_equal(s[1].id, "20260901");
    assert_int_equal(s[1].act, REPL_PART_DROP);
    assert_int_equal(s[1].rows, 0);
    assert_string_equal(s[2].id, "20260902");
    assert_int_equal(s[2].act, REPL_PART_DROP);
    free(s);
}

static void
test_always_absent_on_source(void **state)
{
    /* today has no row on the source yet; the standby has one: drop it */
    const struct repl_part src[] = { { "20261205", 5, 0 } };
    const struct repl_part dst[] = {
        { "20261205", 5, 0 },
        { "20261206", 1, 0 },
    };
    struct repl_part_step *s;
    size_t n;

    (void) state;
    plan(src, 1, dst, 2, 5000, &s, &n);
    assert_int_equal(act_of(s, n, "20261205"), REPL_PART_COPY);
    assert_int_equal(act_of(s, n, "20261206"), REPL_PART_DROP);
    free(s);
}

static void
test_no_always_list(void **state)
{
    const struct repl_part src[] = { { "20261206", 10, 0 } };
    const struct repl_part dst[] = { { "20261206", 10, 0 } };
    struct repl_part_step *s;
    size_t n;

    (void) state;
    assert_int_equal(repl_parts_plan(src, 1, dst, 1, NULL, 0, 1, &s, &n), 0);
    assert_int_equal(act_of(s, n, "20261206"), REPL_PART_LEAVE);
    free(s);
}

static void
test_calloc_fails(void **state)
{
    const struct repl_part src[] = { { "20261206", 10, 0 } };
    struct repl_part_step *s = (struct repl_part_step *) 0x1;
    size_t n = 42;

    (void) state;
    fail_calloc = true;
    assert_int_equal(repl_parts_plan(src, 1, NULL, 0, always, 2, 0, &s, &n),
                     -ENOMEM);
    fail_calloc = false;
    assert_ptr_equal(s, (struct repl_part_step *) 0x1); /* untouched */
    assert_int_equal(n, 42);
}

static void
test_act_names(void **state)
{
    (void) state;
    assert_string_equal(repl_part_act_name(REPL_PART_LEAVE), "leave");
    assert_string_equal(repl_part_act_name(REPL_PART_COPY), "copy");
    assert_string_equal(repl_part_act_name(REPL_PART_VERIFY), "verify");
    assert_string_equal(repl_part_act_name(REPL_PART_DROP), "drop");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_target_copies_all),
        cmocka_unit_test(test_empty_source_drops_nothing),
        cmocka_unit_test(test_both_empty),
        cmocka_unit_test(test_today_yesterday_always),
        cmocka_unit_test(test_rows_differ_copy),
        cmocka_unit_test(test_equal_rows_verify_when_changed),
        cmocka_unit_test(test_target_only_dropped_last),
        cmocka_unit_test(test_always_absent_on_source),
        cmocka_unit_test(test_no_always_list),
        cmocka_unit_test(test_calloc_fails),
        cmocka_unit_test(test_act_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
