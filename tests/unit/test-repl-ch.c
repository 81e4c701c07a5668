/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for agents/repl-ch.c, the qan stream's cycle, against two fake
 * ClickHouse servers (repl_http_fetch and repl_http_pipe replaced here):
 * what it writes on the standby, in which order, and what it refuses. */
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

#include "repl-http.h"
#include "repl-parts.h"
#include "repl.h"

#define COLS "queryid\tString\nperiod_start\tDateTime\nnum\tFloat32\n"
#define ENGINE                                                                 \
    "MergeTree() PARTITION BY toYYYYMMDD(period_start) ORDER BY (queryid, "    \
    "period_start) SETTINGS index_granularity = 8192\n"

/* One fake server: its answers, and what it was told to do */
struct fake {
    const char *cols, *engine, *parts, *sums, *clock;
    const char *fail_on; /* a statement containing this fails */
    const char *fail_answer;
    char log[8192]; /* writes (and pipes into it), one a line */
};

static struct fake src, dst;
static struct repl r;
static int pipe_fail_at; /* the Nth pipe fails (1-based), 0: none */
static int npipes;

bool
repl_stopping(void)
{
    return false;
}

static struct fake *
fake_of(const struct repl_http_req *rq)
{
    return rq->ep == &r.conf.src_ch ? &src : &dst;
}

static void
log_add(struct fake *f, const char *what)
{
    size_t n = strlen(f->log);

    snprintf(f->log + n, sizeof f->log - n, "%s\n", what);
}

static const char *
answer(const struct fake *f, const char *sql)
{
    if (strstr(sql, "FROM system.columns"))
        return f->cols;
    if (strstr(sql, "SELECT engine_full"))
        return f->engine;
    if (strstr(sql, "toUnixTimestamp(now())"))
        return f->clock;
    if (strstr(sql, "FROM system.parts"))
        return f->parts;
    if (strstr(sql, "sum(cityHash64(*))"))
        return f->sums;
    return NULL;
}

int
repl_http_fetch(const struct repl_http_req *rq, ra_deadline_t d,
                int64_t io_timeout_ms, char **ret_body, size_t max,
                struct repl_http_info *info, char *err, size_t errlen)
{
    struct fake *f = fake_of(rq);
    const char *a;

    (void) d;
    (void) io_timeout_ms;
    (void) max;
    assert_non_null(rq->body);
    if (info)
        *info = (struct repl_http_info){ 200, 0, 1000, 1010 };
    if (f->fail_on && strstr(rq->body, f->fail_on)) {
        snprintf(err, errlen, "HTTP 500: %s", f->fail_answer);
        return -EPROTO;
    }
    a = answer(f, rq->body);
    if (!a) {
        log_add(f, rq->body);
        a = "";
    }
    if (ret_body)
        *ret_body = strdup(a);
    return 0;
}

int
repl_http_pipe(const struct repl_http_req *s, const struct repl_http_req *t,
               ra_deadline_t d, int64_t io_timeout_ms, uint64_t *ret_bytes,
               struct repl_http_info *src_info, char *err, size_t errlen)
{
    const char *where = strstr(s->body, "WHERE ");

    (void) d;
    (void) io_timeout_ms;
    (void) src_info;
    assert_ptr_equal(s->ep, &r.conf.src_ch);
    assert_ptr_equal(t->ep, &r.conf.dst_ch);
    assert_non_null(strstr(t->path, "INSERT%20INTO%20pmm.pmmha_stage_metrics"));
    assert_non_null(where);
    if (++npipes == pipe_fail_at) {
        snprintf(err, errlen, "the source's answer ended early");
        return -EPIPE;
    }
    log_add(&dst, where);
    *ret_bytes = 1000;
    return 0;
}

char *
repl_http_escape(const char *s)
{
    char *e = malloc(strlen(s) * 3 + 1), *o = e;

    assert_non_null(e);
    for (; *s; s++)
        o += *s == ' ' ? sprintf(o, "%%20") : sprintf(o, "%c", *s);
    *o = '\0';
    return e;
}

static int
setup(void **state)
{
    const struct fake base = { .cols = COLS,
                               .engine = ENGINE,
                               .parts = "",
                               .sums = "",
                               .clock = "1796572800\t20261206\t20261205\n" };

    (void) state;
    memset(&r, 0, sizeof r);
    r.conf.qan_table = "pmm.metrics";
    r.conf.src_ch.url = "http://source:8123";
    r.conf.dst_ch.url = "http://127.0.0.1:8123";
    r.conf.io_timeout_ms = 1000;
    r.conf.max_skew_ms = 1000000000;
    r.st[REPL_QAN].name = "qan";
    src = base;
    dst = base;
    pipe_fail_at = npipes = 0;
    return 0;
}

static int
cycle(void)
{
    return repl_qan_cycle(&r, &r.st[REPL_QAN], 0);
}

static void
test_initial_copy(void **state)
{
    (void) state;
    src.parts = "20261201\t100\t1\n20261205\t50\t2\n20261206\t10\t3\n";
    assert_int_equal(cycle(), 0);
    assert_string_equal(
        dst.log, "DROP TABLE IF EXISTS pmm.pmmha_stage_metrics\n"
                 "CREATE TABLE pmm.pmmha_stage_metrics AS pmm.metrics\n"
                 "ALTER TABLE pmm.pmmha_stage_metrics DROP PARTITION 20261201\n"
                 "WHERE toYYYYMMDD(period_start) = 20261201 AND "
                 "cityHash64(queryid, period_start) % 1 = 0 FORMAT Native\n"
                 "ALTER TABLE pmm.metrics REPLACE PARTITION 20261201 FROM "
                 "pmm.pmmha_stage_metrics\n"
                 "ALTER TABLE pmm.pmmha_stage_metrics DROP PARTITION 20261201\n"
                 "ALTER TABLE pmm.pmmha_stage_metrics DROP PARTITION 20261205\n"
                 "WHERE toYYYYMMDD(period_start) = 20261205 AND "
                 "cityHash64(queryid, period_start) % 1 = 0 FORMAT Native\n"
                 "ALTER TABLE pmm.metrics REPLACE PARTITION 20261205 FROM "
                 "pmm.pmmha_stage_metrics\n"
                 "ALTER TABLE pmm.pmmha_stage_metrics DROP PARTITION 20261205\n"
                 "ALTER TABLE pmm.pmmha_stage_metrics DROP PARTITION 20261206\n"
                 "WHERE toYYYYMMDD(period_start) = 20261206 AND "
                 "cityHash64(queryid, period_start) % 1 = 0 FORMAT Native\n"
                 "ALTER TABLE pmm.metrics REPLACE PARTITION 20261206 FROM "
                 "pmm.pmmha_stage_metrics\n"
                 "ALTER TABLE pmm.pmmha_stage_metrics DROP PARTITION 20261206\n"
                 "DROP TABLE IF EXISTS pmm.pmmha_stage_metrics\n");
    assert_string_equal(src.log, ""); /* nothing written on the source */
    assert_int_equal(r.st[REPL_QAN].position_ms, 1796572800000);
    assert_int_equal(r.st[REPL_QAN].copied, 3);
    assert_int_equal(r.st[REPL_QAN].bytes, 3000);
    assert_string_equal(r.st[REPL_QAN].error, "");
}

static void
test_pieces(void **state)
{
    (void) state;
    src.parts = "20261201\t600000\t1\n";
    assert_int_equal(cycle(), 0);
    assert_int_equal(npipes, 3);
    assert_non_null(strstr(dst.log, "% 3 = 0 FORMAT"));
    assert_non_null(strstr(dst.log, "% 3 = 1 FORMAT"));
    assert_non_null(strstr(dst.log, "% 3 = 2 FORMAT"));
}

static void
test_steady_leaves_old(void **state)
{
    (void) state;
    r.st[REPL_QAN].position_ms = 1796572000000;
    src.parts = "20261101\t100\t1000\n20261205\t50\t1796571999\n";
    dst.parts = "20261101\t100\t5\n20261205\t50\t6\n";
    assert_int_equal(cycle(), 0);
    assert_null(strstr(dst.log, "20261101"));
    assert_non_null(strstr(dst.log, "REPLACE PARTITION 20261205"));
    assert_int_equal(r.st[REPL_QAN].copied, 1);
}

static void
test_verify_by_checksum(void **state)
{
    (void) state;
    /* no position yet: equal rows are checksummed; 01 differs, 02 not */
    src.parts = "20261101\t100\t1\n20261102\t100\t1\n";
    dst.parts = "20261101\t100\t1\n20261102\t100\t1\n";
    src.sums = "20261101\t100\t111\n20261102\t100\t222\n";
    dst.sums = "20261101\t100\t112\n20261102\t100\t222\n";
    assert_int_equal(cycle(), 0);
    assert_non_null(strstr(dst.log, "REPLACE PARTITION 20261101"));
    assert_null(strstr(dst.log, "20261102"));
}

static void
test_retention_drop(void **state)
{
    (void) state;
    src.parts = "20261206\t10\t1\n";
    dst.parts = "20261001\t10\t1\n20261206\t10\t1\n";
    assert_int_equal(cycle(), 0);
    assert_non_null(
        strstr(dst.log, "ALTER TABLE pmm.metrics DROP PARTITION 20261001\n"));
}

static void
test_empty_source_drops_nothing(void **state)
{
    (void) state;
    dst.parts = "20261001\t10\t1\n20261206\t10\t1\n";
    assert_int_equal(cycle(), 0);
    assert_null(strstr(dst.log, "pmm.metrics DROP"));
    assert_null(strstr(dst.log, "REPLACE"));
}

static void
test_column_differs(void **state)
{
    (void) state;
    src.parts = "20261206\t10\t1\n";
    src.cols = "queryid\tString\nperiod_start\tDateTime\nm_new\tUInt8\n"
               "num\tFloat32\n";
    assert_int_equal(cycle(), -EPROTO);
    assert_true(r.st[REPL_QAN].refused);
    assert_non_null(strstr(r.st[REPL_QAN].error,
                           "first at column 'm_new' (source: m_new UInt8; "
                           "standby: num Float32)"));
    assert_string_equal(dst.log, ""); /* nothing written */
    assert_int_equal(r.st[REPL_QAN].position_ms, 0);
}

static void
test_column_missing_on_source(void **state)
{
    (void) state;
    dst.cols = COLS "extra\tString\n";
    assert_int_equal(cycle(), -EPROTO);
    assert_non_null(strstr(r.st[REPL_QAN].error,
                           "'extra' (source: missing; standby: extra "
                           "String)"));
    assert_string_equal(dst.log, "");
}

static void
test_engine_differs(void **state)
{
    (void) state;
    dst.engine = "MergeTree() PARTITION BY toYYYYMM(period_start) ORDER BY "
                 "queryid\n";
    assert_int_equal(cycle(), -EPROTO);
    assert_true(r.st[REPL_QAN].refused);
    assert_non_null(strstr(r.st[REPL_QAN].error, "engine, partition or sort"));
    assert_string_equal(dst.log, "");
}

static void
test_not_daily(void **state)
{
    (void) state;
    src.engine = dst.engine
        = "MergeTree() PARTITION BY toYYYYMM(period_start) ORDER BY x\n";
    assert_int_equal(cycle(), -EPROTO);
    assert_true(r.st[REPL_QAN].refused);
    assert_non_null(strstr(r.st[REPL_QAN].error, "toYYYYMMDD"));
}

static void
test_no_table(void **state)
{
    (void) state;
    src.cols = src.engine = "";
    assert_int_equal(cycle(), -ENOENT);
    assert_true(r.st[REPL_QAN].refused);
    assert_non_null(strstr(r.st[REPL_QAN].error, "has no table pmm.metrics"));
}

static void
test_bad_table_name(void **state)
{
    (void) state;
    r.conf.qan_table = "pmm.metrics; DROP";
    assert_int_equal(cycle(), -EINVAL);
    assert_true(r.st[REPL_QAN].refused);
    assert_string_equal(dst.log, "");
}

static void
test_wrong_password(void **state)
{
    (void) state;
    src.fail_on = "system.columns";
    src.fail_answer = "Code: 193, e.displayText() = DB::Exception: Wrong "
                      "password for user default";
    assert_int_equal(cycle(), -EACCES);
    assert_true(r.st[REPL_QAN].refused);
    assert_non_null(strstr(r.st[REPL_QAN].error, "--ch-auth-file"));
    assert_null(strstr(r.st[REPL_QAN].error, "Wrong password"));
}

static void
test_copy_fails_midway(void **state)
{
    (void) state;
    r.st[REPL_QAN].position_ms = 5000;
    src.parts = "20261201\t100\t1\n20261202\t100\t1\n";
    pipe_fail_at = 2;
    assert_int_equal(cycle(), -EPIPE);
    assert_false(r.st[REPL_QAN].refused); /* may pass */
    assert_int_equal(r.st[REPL_QAN].position_ms, 5000);
    assert_non_null(strstr(r.st[REPL_QAN].error, "partition 20261202"));
    assert_non_null(strstr(dst.log, "REPLACE PARTITION 20261201"));
    assert_null(strstr(dst.log, "REPLACE PARTITION 20261202"));
}

static void
test_replace_fails(void **state)
{
    (void) state;
    src.parts = "20261201\t100\t1\n";
    dst.fail_on = "REPLACE PARTITION";
    dst.fail_answer = "Code: 122, Tables have different structure";
    assert_int_equal(cycle(), -EPROTO);
    assert_false(r.st[REPL_QAN].refused);
    assert_non_null(strstr(r.st[REPL_QAN].error, "standby ClickHouse"));
    assert_int_equal(r.st[REPL_QAN].position_ms, 0);
}

static void
test_bad_partition_list(void **state)
{
    (void) state;
    src.parts = "tuple()\t100\t1\n";
    assert_int_equal(cycle(), -EPROTO);
    assert_non_null(strstr(r.st[REPL_QAN].error, "partitions"));
}

static void
test_bad_clock(void **state)
{
    (void) state;
    src.clock = "yesterday\n";
    assert_int_equal(cycle(), -EPROTO);
    assert_non_null(strstr(r.st[REPL_QAN].error, "now()"));
}

/* Found by fuzz-repl-ch: a clock past int64 milliseconds overflowed */
static void
test_clock_overflow(void **state)
{
    char days[2][REPL_PART_ID_LEN];
    int64_t ms = -1;

    (void) state;
    assert_int_equal(
        repl_ch_parse_clock("9223372036854775807\t20261206\t20261205\n", &ms,
                            days),
        -EPROTO);
    assert_int_equal(repl_ch_parse_clock("-1\t20261206\t20261205\n", &ms, days),
                     -EPROTO);
    assert_int_equal(
        repl_ch_parse_clock("1796581899\t20261206\t20261205\n", &ms, days), 0);
    assert_int_equal(ms, INT64_C(1796581899000));
    assert_string_equal(days[1], "20261205");
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
    const struct CMUnitTest tests[] = {
        T(test_initial_copy),      T(test_pieces),
        T(test_steady_leaves_old), T(test_verify_by_checksum),
        T(test_retention_drop),    T(test_empty_source_drops_nothing),
        T(test_column_differs),    T(test_column_missing_on_source),
        T(test_engine_differs),    T(test_not_daily),
        T(test_no_table),          T(test_bad_table_name),
        T(test_wrong_password),    T(test_copy_fails_midway),
        T(test_replace_fails),     T(test_bad_partition_list),
        T(test_bad_clock),         T(test_clock_overflow),
    };
#undef T

    return cmocka_run_group_tests(tests, NULL, NULL);
}
