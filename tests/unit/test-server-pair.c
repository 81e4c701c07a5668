/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for agents/pmm-server-pair.c: what the promotable mode reads
 * from the replicator's status file (positions, the lag at the last
 * success, initial sync, refusals), the promotion score it earns, the
 * peers' addresses and URL templates, supervisorctl's answers. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pmm-server-role.h"
#include "state.h"

static char dir[] = "/tmp/test-server-pair.XXXXXX";

/* A status file with the three streams at @pos (ms) last succeeding at
 * @ok (ms, our clock), skew 0; @initial and @refused for every stream. */
static void
write_status(int64_t pos, int64_t ok, int initial, int refused,
             const char *qan_error)
{
    static const char *const streams[] = { "metrics", "inventory", "qan" };
    struct ra_state st = { 0 };
    char path[256], k[48], v[64];

    snprintf(path, sizeof path, "%s/status", dir);
    ra_state_set(&st, "status.updated", "1");
    ra_state_set(&st, "status.skew_ms", "0");
    for (size_t i = 0; i < 3; i++) {
        snprintf(k, sizeof k, "%s.enabled", streams[i]);
        ra_state_set(&st, k, "1");
        snprintf(k, sizeof k, "%s.initial_sync", streams[i]);
        ra_state_set(&st, k, initial ? "1" : "0");
        snprintf(k, sizeof k, "%s.refused", streams[i]);
        ra_state_set(&st, k, refused ? "1" : "0");
        snprintf(k, sizeof k, "%s.position", streams[i]);
        /* inventory is the furthest behind */
        snprintf(v, sizeof v, "%" PRId64, i == 1 ? pos - 2000 : pos);
        ra_state_set(&st, k, v);
        snprintf(k, sizeof k, "%s.last_success", streams[i]);
        snprintf(v, sizeof v, "%" PRId64, ok);
        ra_state_set(&st, k, v);
    }
    if (qan_error)
        ra_state_set(&st, "qan.last_error", qan_error);
    assert_int_equal(ra_state_save(path, &st), 0);
}

static struct server_conf
conf(unsigned long long max_lag_ms, bool stale)
{
    struct server_conf c;

    memset(&c, 0, sizeof c);
    c.max_lag_ms = max_lag_ms;
    c.allow_stale = stale;
    c.peers = "pmm1=10.0.0.1 pmm2=fd00::2,pmm10=10.0.0.10";
    return c;
}

static void
test_view_position_and_lag(void **state)
{
    struct repl_view v;

    (void) state;
    write_status(1000000, 1010000, 1, 0, NULL);
    assert_int_equal(role_repl_view(dir, &v), 0);
    assert_true(v.have && v.initial_done && !v.refused);
    assert_int_equal(v.position_ms, 998000); /* the oldest stream */
    assert_int_equal(v.behind_ms, 12000);    /* at its last success */
    assert_int_equal(v.last_ok_ms, 1010000);
    assert_string_equal(v.error, "");
}

static void
test_cut_off(void **state)
{
    struct repl_view v;

    (void) state;
    write_status(1000000, 1010000, 1, 0, NULL);
    assert_int_equal(role_repl_view(dir, &v), 0);
    role_cut_off(&v, 0); /* the source never seen alive since */
    assert_int_equal(v.behind_ms, 12000);
    role_cut_off(&v, 1005000); /* seen alive before the last success */
    assert_int_equal(v.behind_ms, 12000);
    role_cut_off(&v, 1070000); /* alive a minute after it: a cut link */
    assert_int_equal(v.behind_ms, 72000);
    v.behind_ms = INT64_MAX; /* unknown stays unknown */
    role_cut_off(&v, 1070000);
    assert_int_equal(v.behind_ms, INT64_MAX);
}

static void
test_view_incomplete_and_refused(void **state)
{
    struct repl_view v;

    (void) state;
    write_status(1000000, 1000500, 0, 0, NULL);
    assert_int_equal(role_repl_view(dir, &v), 0);
    assert_false(v.initial_done);
    write_status(1000000, 1000500, 1, 1, "columns differ");
    assert_int_equal(role_repl_view(dir, &v), 0);
    assert_true(v.refused);
    assert_string_equal(v.error, "qan: columns differ");
}

static void
test_view_missing(void **state)
{
    struct repl_view v;
    char path[256];

    (void) state;
    snprintf(path, sizeof path, "%s/status", dir);
    unlink(path);
    assert_int_equal(role_repl_view(dir, &v), -ENOENT);
    assert_false(v.have);
}

static void
test_score(void **state)
{
    struct server_conf c = conf(60000, false), s = conf(60000, true);
    struct repl_view v = { .have = true, .initial_done = true };

    (void) state;
    v.behind_ms = 0;
    assert_int_equal(role_score(&c, &v), ROLE_SCORE_BEST);
    v.behind_ms = 7999; /* whole seconds */
    assert_int_equal(role_score(&c, &v), ROLE_SCORE_BEST - 7);
    v.behind_ms = 60000;
    assert_int_equal(role_score(&c, &v), ROLE_SCORE_BEST - 60);
    v.behind_ms = 60001; /* beyond max_lag */
    assert_int_equal(role_score(&c, &v), ROLE_SCORE_NEVER);
    assert_int_equal(role_score(&s, &v), ROLE_SCORE_WORST);
    c.max_lag_ms = 1ULL << 40;
    v.behind_ms = INT64_C(1) << 39; /* never below the worst */
    assert_int_equal(role_score(&c, &v), ROLE_SCORE_WORST);
    v.behind_ms = 0;
    v.initial_done = false;
    assert_int_equal(role_score(&c, &v), ROLE_SCORE_NEVER);
    v.initial_done = true;
    v.refused = true;
    assert_int_equal(role_score(&c, &v), ROLE_SCORE_NEVER);
    v.refused = false;
    v.have = false;
    assert_int_equal(role_score(&c, &v), ROLE_SCORE_NEVER);
}

static void
test_peers(void **state)
{
    struct server_conf c = conf(1, false);
    char a[64], u[128];

    (void) state;
    role_peer_address(&c, "pmm1", a, sizeof a);
    assert_string_equal(a, "10.0.0.1");
    role_peer_address(&c, "pmm10", a, sizeof a); /* not pmm1's prefix */
    assert_string_equal(a, "10.0.0.10");
    role_peer_address(&c, "pmm2", a, sizeof a);
    assert_string_equal(a, "fd00::2");
    role_peer_address(&c, "pmm3", a, sizeof a); /* unlisted: its name */
    assert_string_equal(a, "pmm3");
    role_expand("https://{peer}/prometheus", "10.0.0.1", u, sizeof u);
    assert_string_equal(u, "https://10.0.0.1/prometheus");
    role_expand("http://{peer}:8123", "fd00::2", u, sizeof u);
    assert_string_equal(u, "http://[fd00::2]:8123");
    role_expand("{peer}{peer}", "abcdefgh", u, 10); /* truncated */
    assert_string_equal(u, "abcdefgha");
}

static void
test_supervisor(void **state)
{
    (void) state;
    assert_true(role_supervisor_ok("pmm-managed: stopped\ngrafana: stopped\n"));
    assert_true(role_supervisor_ok("pmm-agent: ERROR (not running)\n"
                                   "vmproxy: ERROR (no such process)\n"));
    assert_true(role_supervisor_ok("grafana: stopped\n"
                                   "grafana: updated process group\n"));
    assert_true(role_supervisor_ok("grafana: ERROR (already started)\n"
                                   "pmm-managed: started\n"));
    assert_false(role_supervisor_ok("pmm-managed: ERROR (spawn error)\n"));
    assert_false(role_supervisor_ok("ERROR: CANT_REREAD: File contains no "
                                    "section headers.\n"));
    assert_true(role_supervisor_ok(""));
}

static int
setup(void **state)
{
    (void) state;
    return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
    char path[256];

    (void) state;
    snprintf(path, sizeof path, "%s/status", dir);
    unlink(path);
    return rmdir(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_view_position_and_lag),
        cmocka_unit_test(test_cut_off),
        cmocka_unit_test(test_view_incomplete_and_refused),
        cmocka_unit_test(test_view_missing),
        cmocka_unit_test(test_score),
        cmocka_unit_test(test_peers),
        cmocka_unit_test(test_supervisor),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
