/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for agents/repl-order.c: the inventory's load order (parents
 * before children), cycles, and allocation failures (calloc wrapped). */
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

#include "repl-pg.h"

void *__wrap_calloc(size_t nmemb, size_t size);
void *__real_calloc(size_t nmemb, size_t size);

static int calloc_fail_at = -1; /* the Nth calloc from now fails (0: next) */

void *
__wrap_calloc(size_t nmemb, size_t size)
{
    if (calloc_fail_at >= 0 && calloc_fail_at-- == 0)
        return NULL;
    return __real_calloc(nmemb, size);
}

/* @order is a permutation of 0..n-1 with every parent before its child */
static void
assert_valid(size_t n, const struct repl_fk *fks, size_t n_fks,
             const size_t *order)
{
    size_t *pos = __real_calloc(n ? n : 1, sizeof *pos);
    bool *seen = __real_calloc(n ? n : 1, sizeof *seen);
    size_t i;

    assert_non_null(pos);
    assert_non_null(seen);
    for (i = 0; i < n; i++) {
        assert_true(order[i] < n);
        assert_false(seen[order[i]]);
        seen[order[i]] = true;
        pos[order[i]] = i;
    }
    for (i = 0; i < n_fks; i++)
        if (fks[i].child != fks[i].parent)
            assert_true(pos[fks[i].parent] < pos[fks[i].child]);
    free(pos);
    free(seen);
}

static void
test_no_keys(void **state)
{
    size_t order[4] = { 9, 9, 9, 9 };

    (void) state;
    assert_int_equal(repl_order_tables(4, NULL, 0, order), 0);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(order[i], i); /* the caller's order, unchanged */
    assert_int_equal(repl_order_tables(0, NULL, 0, order), 0);
}

static void
test_chain(void **state)
{
    /* 0 -> 1 -> 2 -> 3: agents -> services -> nodes, backwards by name */
    const struct repl_fk fks[] = { { 0, 1 }, { 1, 2 }, { 2, 3 } };
    const size_t want[] = { 3, 2, 1, 0 };
    size_t order[4];

    (void) state;
    assert_int_equal(repl_order_tables(4, fks, 3, order), 0);
    assert_memory_equal(order, want, sizeof want);
}

static void
test_diamond(void **state)
{
    /* 4 references 1 and 2, both reference 3; 0 stands alone */
    const struct repl_fk fks[]
        = { { 4, 1 }, { 4, 2 }, { 1, 3 }, { 2, 3 }, { 4, 2 } };
    const size_t want[] = { 0, 3, 1, 2, 4 };
    size_t order[5];

    (void) state;
    assert_int_equal(repl_order_tables(5, fks, 5, order), 0);
    assert_memory_equal(order, want, sizeof want);
    assert_valid(5, fks, 5, order);
}

static void
test_self_reference(void **state)
{
    /* agents.pmm_agent_id references agents: no cycle */
    const struct repl_fk fks[] = { { 1, 1 }, { 1, 0 }, { 2, 2 } };
    const size_t want[] = { 0, 1, 2 };
    size_t order[3];

    (void) state;
    assert_int_equal(repl_order_tables(3, fks, 3, order), 0);
    assert_memory_equal(order, want, sizeof want);
}

static void
test_cycles(void **state)
{
    const struct repl_fk two[] = { { 0, 1 }, { 1, 0 } };
    const struct repl_fk three[] = { { 4, 0 }, { 1, 2 }, { 2, 3 }, { 3, 1 } };
    size_t order[5] = { 7, 7, 7, 7, 7 };

    (void) state;
    assert_int_equal(repl_order_tables(2, two, 2, order), -ELOOP);
    assert_int_equal(repl_order_tables(5, three, 4, order), -ELOOP);
    assert_int_equal(order[0], 7); /* untouched on failure */
    assert_int_equal(order[4], 7);
}

static void
test_out_of_range(void **state)
{
    const struct repl_fk fks[] = { { 0, 3 } };
    size_t order[3] = { 7, 7, 7 };

    (void) state;
    assert_int_equal(repl_order_tables(3, fks, 1, order), -EINVAL);
    assert_int_equal(order[0], 7);
}

static void
test_many(void **state)
{
    const size_t n = 20000;
    struct repl_fk *fks = __real_calloc(2 * n, sizeof *fks);
    size_t *order = __real_calloc(n, sizeof *order);
    size_t i, k = 0;

    (void) state;
    assert_non_null(fks);
    assert_non_null(order);
    /* a long chain pointing to higher indices, a tree of fan-out 3 and
     * self-references: the worst case for a lowest-first scan */
    for (i = 0; i + 1 < n; i++)
        fks[k++] = (struct repl_fk){ i, i + 1 };
    for (i = 1; i < n / 2; i++)
        fks[k++] = (struct repl_fk){ i, (i - 1) / 3 + n / 2 };
    fks[k++] = (struct repl_fk){ 5, 5 };
    assert_int_equal(repl_order_tables(n, fks, k, order), 0);
    assert_valid(n, fks, k, order);
    assert_int_equal(order[0], n - 1);
    fks[k++] = (struct repl_fk){ n - 1, 0 }; /* closes the chain */
    assert_int_equal(repl_order_tables(n, fks, k, order), -ELOOP);
    free(fks);
    free(order);
}

static void
test_no_memory(void **state)
{
    const struct repl_fk fks[] = { { 0, 1 }, { 1, 2 } };
    size_t order[3] = { 7, 7, 7 };
    int at;

    (void) state;
    for (at = 0; at < 5; at++) { /* each of the five allocations fails */
        calloc_fail_at = at;
        assert_int_equal(repl_order_tables(3, fks, 2, order), -ENOMEM);
        assert_int_equal(order[0], 7);
    }
    calloc_fail_at = -1;
    assert_int_equal(repl_order_tables(3, fks, 2, order), 0);
    assert_int_equal(order[0], 2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_keys), cmocka_unit_test(test_chain),
        cmocka_unit_test(test_diamond), cmocka_unit_test(test_self_reference),
        cmocka_unit_test(test_cycles),  cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_many),    cmocka_unit_test(test_no_memory),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
