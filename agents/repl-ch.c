/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repl-ch.c - the qan stream: PMM's QAN table (ClickHouse, partitioned by
 * day) copied partition by partition over the HTTP interface of both
 * servers (port 8123; the native port 9000 need not be open to the peer).
 *
 * A cycle: the source's clock (the position), both sides' columns and
 * engine compared (a difference refuses the stream before anything is
 * written), both sides' partitions listed from system.parts, a plan
 * (repl-parts.c), checksums where the rows agree but the source wrote the
 * partition lately, then each copy: the source's rows streamed as Native
 * into a stage table on the standby (in pieces split by a hash of the sort
 * key, each piece one request), and ALTER TABLE ... REPLACE PARTITION FROM
 * the stage, atomic per partition. A cycle killed at any instant leaves
 * the standby's table with whole partitions only; the next cycle starts
 * from a new stage table and copies again what differs. Partitions the
 * source dropped are dropped, never when the source lists none.
 *
 * ClickHouse 18.16 (Debian's) is the oldest this must work with: no
 * _partition_id, no partition_key in system.tables, no position in
 * system.columns (its rows come in the table's order).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "repl-http.h"
#include "repl-parts.h"
#include "repl.h"

#define CH_META_MAX ((size_t) 4 << 20) /* one metadata answer at most */
#define CH_PIECE_ROWS 250000           /* rows in one Native request */
/* A source partition with the standby's row count is checksummed when a
 * part of it was written (directory mtime, taken while the part is being
 * written, before it is visible) this long before the last position, or
 * later. PMM writes old partitions only by late inserts and merges. */
#define CH_VERIFY_MARGIN_S 300
#define CH_SQL_MAX 2048

enum ch_side { CH_SOURCE, CH_TARGET };

/* One cycle's context */
struct qan {
    struct repl *r;
    struct repl_stream *st;
    ra_deadline_t d;
    char db[64], table[64];           /* conf.qan_table, checked identifiers */
    char stage[140];                  /* db.pmmha_stage_table on the standby */
    char *engine;                     /* the source's engine_full */
    struct repl_ch_key key;           /* partition column, its type, sort key */
    char always[2][REPL_PART_ID_LEN]; /* today, yesterday (source clock) */
    int64_t src_now_ms, src_recv_ms;
};

static const char *const side_name[] = { "source", "standby" };

static const struct repl_http_ep *
side_ep(const struct qan *q, enum ch_side s)
{
    return s == CH_SOURCE ? &q->r->conf.src_ch : &q->r->conf.dst_ch;
}

/* An error of a ClickHouse request into st->error; returns the -errno.
 * Authentication (ClickHouse 18.16 answers a wrong password or an unknown
 * user with a 500: codes 192-194) and TLS refusals need the operator. */
static int
ch_fail(struct qan *q, enum ch_side s, int rc, const char *what,
        const char *err)
{
    const char *url = side_ep(q, s)->url;

    if (rc == -EPERM) {
        q->st->refused = true;
        repl_fail(q->st, rc,
                  "%s ClickHouse %s: TLS certificate or pin refused (%s): "
                  "check --tls-ca or --tls-fingerprint",
                  side_name[s], url, what);
    } else if (rc == -EACCES
               || (rc == -EPROTO
                   && (strstr(err, "Code: 192,") || strstr(err, "Code: 193,")
                       || strstr(err, "Code: 194,")))) {
        rc = -EACCES;
        q->st->refused = true;
        repl_fail(q->st, rc,
                  "%s ClickHouse %s refused the credentials in "
                  "--ch-auth-file (%s): fix the file or the user on that "
                  "server",
                  side_name[s], url, what);
    } else {
        repl_fail(q->st, rc, "%s ClickHouse, %s: %s", side_name[s], what, err);
    }
    return rc;
}

static int
stopped(struct qan *q)
{
    repl_fail(q->st, -ECANCELED, "stopped by a signal");
    return -ECANCELED;
}

/* Runs @sql on side @s (POSTed: ClickHouse's GET is read-only); its answer
 * into *@ret (may be NULL). */
static int
ch_query(struct qan *q, enum ch_side s, const char *sql, const char *what,
         char **ret, struct repl_http_info *info)
{
    struct repl_http_req rq = {
        .ep = side_ep(q, s),
        .tls = s == CH_SOURCE ? &q->r->conf.tls : NULL,
        .path = "/",
        .body = sql,
        .body_len = strlen(sql),
    };
    char err[REPL_ERR_LEN];
    int rc;

    if (repl_stopping())
        return stopped(q);
    rc = repl_http_fetch(&rq, q->d, q->r->conf.io_timeout_ms, ret, CH_META_MAX,
                         info, err, sizeof err);
    return rc < 0 ? ch_fail(q, s, rc, what, err) : 0;
}

static int __attribute__((format(printf, 4, 5)))
ch_exec(struct qan *q, enum ch_side s, const char *what, const char *fmt, ...)
{
    char sql[CH_SQL_MAX];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t) n >= sizeof sql)
        return repl_fail(q->st, -ENAMETOOLONG, "%s: query too long", what);
    return ch_query(q, s, sql, what, NULL, NULL);
}

static bool
is_ident(const char *s, size_t len)
{
    size_t i;

    if (len == 0 || len >= 64)
        return false;
    for (i = 0; i < len; i++)
        if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z')
              || (s[i] >= 'A' && s[i] <= 'Z')
              || (i > 0 && s[i] >= '0' && s[i] <= '9')))
            return false;
    return true;
}

/* conf.qan_table "db.table" into q->db, q->table, q->stage */
static int
split_table(struct qan *q)
{
    const char *t = q->r->conf.qan_table, *dot = strchr(t, '.');

    if (!dot || !is_ident(t, (size_t) (dot - t))
        || !is_ident(dot + 1, strlen(dot + 1))) {
        q->st->refused = true;
        return repl_fail(q->st, -EINVAL,
                         "--qan-table takes DATABASE.TABLE (letters, digits, "
                         "_): '%s'",
                         t);
    }
    snprintf(q->db, sizeof q->db, "%.*s", (int) (dot - t), t);
    snprintf(q->table, sizeof q->table, "%s", dot + 1);
    snprintf(q->stage, sizeof q->stage, "%s.pmmha_stage_%s", q->db, q->table);
    return 0;
}

/* ---- the schema: columns and engine, compared before any write ---- */

/* Side @s's columns ("name\ttype\n" in order) and engine_full */
static int
read_schema(struct qan *q, enum ch_side s, char **ret_cols, char **ret_eng)
{
    char sql[512];
    int rc;

    snprintf(sql, sizeof sql,
             "SELECT name, type FROM system.columns WHERE database = '%s' "
             "AND table = '%s' FORMAT TSV",
             q->db, q->table);
    rc = ch_query(q, s, sql, "reading its columns", ret_cols, NULL);
    if (rc < 0)
        return rc;
    snprintf(sql, sizeof sql,
             "SELECT engine_full FROM system.tables WHERE database = '%s' "
             "AND name = '%s' FORMAT TSV",
             q->db, q->table);
    rc = ch_query(q, s, sql, "reading its engine", ret_eng, NULL);
    if (rc == 0 && !**ret_eng) {
        q->st->refused = true;
        rc = repl_fail(q->st, -ENOENT,
                       "%s ClickHouse has no table %s.%s: is it a PMM "
                       "server (or fix --qan-table)?",
                       side_name[s], q->db, q->table);
    }
    if (rc < 0) {
        free(*ret_cols);
        *ret_cols = NULL;
    }
    return rc;
}

/* Length of the line at @s (without its newline) */
static size_t
line_len(const char *s)
{
    const char *nl = strchr(s, '\n');

    return nl ? (size_t) (nl - s) : strlen(s);
}

/* Line @l (@n bytes, "name\ttype") for a message: the tab as a space,
 * at most 60 characters, "missing" when empty */
static void
show_line(const char *l, size_t n, char *out, size_t outlen)
{
    char *tab;

    snprintf(out, outlen, "%.*s", n ? (int) (n < 60 ? n : 60) : 7,
             n ? l : "missing");
    tab = strchr(out, '\t');
    if (tab)
        *tab = ' ';
}

bool
repl_ch_first_diff(const char *a, const char *b, char *out, size_t outlen)
{
    while (*a || *b) {
        size_t la = line_len(a), lb = line_len(b);

        if (la != lb || memcmp(a, b, la) != 0) {
            const char *l = la ? a : b;
            char sa[64], sb[64];

            show_line(a, la, sa, sizeof sa);
            show_line(b, lb, sb, sizeof sb);
            size_t name = strcspn(l, "\t\n");

            if (name > 60)
                name = 60;
            snprintf(out, outlen, "'%.*s' (source: %s; standby: %s)",
                     (int) name, l, sa, sb);
            return true;
        }
        a += la + (a[la] == '\n');
        b += lb + (b[lb] == '\n');
    }
    return false;
}

static int
refuse_schema(struct qan *q, const char *what, const char *diff)
{
    q->st->refused = true;
    return repl_fail(q->st, -EPROTO,
                     "%s.%s differs between source and standby, %s %s: "
                     "nothing copied; upgrade both PMM servers to the same "
                     "version",
                     q->db, q->table, what, diff);
}

/* The type of column @name in @cols, TSV-unescaped, into k->type */
static int
column_type(struct repl_ch_key *k, const char *cols, const char *name)
{
    size_t nl = strlen(name), i, o = 0;
    const char *l = cols;

    while (*l && !(strncmp(l, name, nl) == 0 && l[nl] == '\t'))
        l += line_len(l) + (l[line_len(l)] == '\n');
    if (!*l)
        return -ENOENT;
    for (i = nl + 1; l[i] && l[i] != '\n' && o + 1 < sizeof k->type; i++) {
        if (l[i] == '\\' && l[i + 1])
            i++;
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                    "0123456789_()'/+-, ",
                    l[i]))
            return -EINVAL;
        k->type[o++] = l[i];
    }
    k->type[o] = '\0';
    return strncmp(k->type, "Date", 4) == 0 ? 0 : -EINVAL;
}

int
repl_ch_parse_engine(const char *engine, const char *cols,
                     struct repl_ch_key *k)
{
    const char *p = strstr(engine, "PARTITION BY toYYYYMMDD(");
    const char *o = strstr(engine, " ORDER BY "), *end;
    static const char *const tails[] = { " SAMPLE BY ", " SETTINGS ", " TTL " };
    size_t n;

    if (!p || !o)
        return -EINVAL;
    p += strlen("PARTITION BY toYYYYMMDD(");
    n = strcspn(p, ")");
    if (!is_ident(p, n) || p[n] != ')')
        return -EINVAL;
    snprintf(k->col, sizeof k->col, "%.*s", (int) n, p);
    o += strlen(" ORDER BY ");
    end = o + strlen(o);
    for (n = 0; n < sizeof tails / sizeof tails[0]; n++) {
        const char *t = strstr(o, tails[n]);

        if (t && t < end)
            end = t;
    }
    while (end > o && end[-1] == ' ')
        end--;
    if (*o == '(' && end > o + 1 && end[-1] == ')') {
        o++;
        end--;
    }
    n = (size_t) (end - o);
    if (n == 0 || n >= sizeof k->sort || memchr(o, ';', n))
        return -EINVAL;
    snprintf(k->sort, sizeof k->sort, "%.*s", (int) n, o);
    return column_type(k, cols, k->col);
}

static int
check_schema(struct qan *q)
{
    char *cols[2] = { NULL, NULL }, *eng = NULL, diff[320];
    int rc;

    rc = read_schema(q, CH_SOURCE, &cols[0], &q->engine);
    if (rc == 0)
        rc = read_schema(q, CH_TARGET, &cols[1], &eng);
    if (rc == 0 && repl_ch_first_diff(cols[0], cols[1], diff, sizeof diff))
        rc = refuse_schema(q, "first at column", diff);
    if (rc == 0 && strcmp(q->engine, eng) != 0)
        rc = refuse_schema(q,
                           "in its engine, partition or sort key:", q->engine);
    if (rc == 0 && repl_ch_parse_engine(q->engine, cols[0], &q->key) < 0) {
        q->st->refused = true;
        rc = repl_fail(q->st, -EPROTO,
                       "%s.%s is not partitioned by toYYYYMMDD(a Date or "
                       "DateTime column) with an ORDER BY as PMM's QAN "
                       "table is: %.120s",
                       q->db, q->table, q->engine);
    }
    free(cols[0]);
    free(cols[1]);
    free(eng);
    return rc;
}

/* ---- the source's clock, today and yesterday on it ---- */

int
repl_ch_parse_clock(const char *ans, int64_t *ret_now_ms,
                    char ret_days[2][REPL_PART_ID_LEN])
{
    long long now_s;

    if (sscanf(ans, "%lld\t%15[0-9]\t%15[0-9]", &now_s, ret_days[0],
               ret_days[1])
        != 3)
        return -EPROTO;
    if (now_s < 0 || now_s > INT64_MAX / 1000)
        return -EPROTO; /* toUnixTimestamp() is a UInt32: not a clock */
    *ret_now_ms = (int64_t) now_s * 1000;
    return 0;
}

static int
read_clock(struct qan *q)
{
    struct repl_http_info info = { 0 };
    char sql[512], *ans = NULL;
    int64_t now_ms = 0;
    int rc;

    snprintf(sql, sizeof sql,
             "SELECT toUnixTimestamp(now()), "
             "toYYYYMMDD(CAST(now() AS %s)), "
             "toYYYYMMDD(CAST(now() - 86400 AS %s)) FORMAT TSV",
             q->key.type, q->key.type);
    rc = ch_query(q, CH_SOURCE, sql, "reading its clock", &ans, &info);
    if (rc < 0)
        return rc;
    if (repl_ch_parse_clock(ans, &now_ms, q->always) < 0)
        rc = repl_fail(q->st, -EPROTO,
                       "source ClickHouse: unexpected answer to "
                       "now(): '%.40s'",
                       ans);
    free(ans);
    if (rc < 0)
        return rc;
    q->src_now_ms = now_ms;
    q->src_recv_ms = info.recv_ms;
    repl_clock_note(q->r, q->src_now_ms, info.sent_ms, info.recv_ms);
    return 0;
}

/* ---- partitions ---- */

int
repl_ch_parse_parts(char *txt, struct repl_part **ret, size_t *ret_n)
{
    struct repl_part *v = NULL;
    size_t n = 0, cap = 0;
    char *save = NULL, *l;

    for (l = strtok_r(txt, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        struct repl_part p = { { 0 }, 0, 0 };
        unsigned long long rows;
        long long mt;
        int used = 0;

        if (sscanf(l, "%15[0-9]\t%llu\t%lld%n", p.id, &rows, &mt, &used) != 3
            || l[used]) {
            free(v);
            return -EPROTO;
        }
        p.rows = rows;
        p.mtime_s = mt;
        if (n == cap) {
            struct repl_part *nv;

            cap = cap ? cap * 2 : 64;
            nv = realloc(v, cap * sizeof *v);
            if (!nv) {
                free(v);
                return -ENOMEM;
            }
            v = nv;
        }
        v[n++] = p;
    }
    *ret = v;
    *ret_n = n;
    return 0;
}

static int
list_parts(struct qan *q, enum ch_side s, struct repl_part **ret, size_t *ret_n)
{
    char sql[512], *ans = NULL;
    int rc;

    snprintf(sql, sizeof sql,
             "SELECT partition, sum(rows), "
             "max(toUnixTimestamp(modification_time)) FROM system.parts "
             "WHERE database = '%s' AND table = '%s' AND active "
             "GROUP BY partition ORDER BY partition FORMAT TSV",
             q->db, q->table);
    rc = ch_query(q, s, sql, "listing its partitions", &ans, NULL);
    if (rc < 0)
        return rc;
    rc = repl_ch_parse_parts(ans, ret, ret_n);
    free(ans);
    if (rc < 0)
        return repl_fail(q->st, rc,
                         "%s ClickHouse: cannot read the partitions of "
                         "%s.%s (%s)",
                         side_name[s], q->db, q->table,
                         rc == -ENOMEM ? "out of memory"
                                       : "not toYYYYMMDD numbers");
    return 0;
}

/* Checksums of the partitions to verify on side @s: "id\tcount\tsum\n"
 * lines, compared as text */
static int
read_sums(struct qan *q, enum ch_side s, const char *in_list, char **ret)
{
    size_t len = strlen(in_list) + 512;
    char *sql = malloc(len);
    int rc;

    if (!sql)
        return repl_fail(q->st, -ENOMEM, "out of memory");
    snprintf(sql, len,
             "SELECT toYYYYMMDD(%s) AS p, count(), sum(cityHash64(*)) "
             "FROM %s.%s WHERE p IN (%s) GROUP BY p ORDER BY p FORMAT TSV",
             q->key.col, q->db, q->table, in_list);
    rc = ch_query(q, s, sql, "computing checksums", ret, NULL);
    free(sql);
    return rc;
}

size_t
repl_ch_sum_line(const char *sums, const char *id, const char **ret)
{
    size_t n = strlen(id);
    const char *l = sums;

    while (*l) {
        if (strncmp(l, id, n) == 0 && l[n] == '\t') {
            *ret = l;
            return line_len(l);
        }
        l += line_len(l) + (l[line_len(l)] == '\n');
    }
    *ret = "";
    return 0;
}

/* VERIFY steps become LEAVE (same count and checksum) or COPY */
static int
verify_steps(struct qan *q, struct repl_part_step *steps, size_t n)
{
    char *list, *sums[2] = { NULL, NULL };
    size_t i, len = 0;
    int rc;

    list = calloc(n + 1, REPL_PART_ID_LEN + 1);
    if (!list)
        return repl_fail(q->st, -ENOMEM, "out of memory");
    for (i = 0; i < n; i++)
        if (steps[i].act == REPL_PART_VERIFY)
            len += (size_t) sprintf(list + len, "%s%s", len ? "," : "",
                                    steps[i].id);
    rc = len ? read_sums(q, CH_SOURCE, list, &sums[0]) : 0;
    if (rc == 0 && len)
        rc = read_sums(q, CH_TARGET, list, &sums[1]);
    for (i = 0; rc == 0 && i < n; i++) {
        const char *a, *b;
        size_t la, lb;

        if (steps[i].act != REPL_PART_VERIFY)
            continue;
        la = repl_ch_sum_line(sums[0], steps[i].id, &a);
        lb = repl_ch_sum_line(sums[1], steps[i].id, &b);
        steps[i].act = la == lb && memcmp(a, b, la) == 0 ? REPL_PART_LEAVE
                                                         : REPL_PART_COPY;
    }
    free(list);
    free(sums[0]);
    free(sums[1]);
    return rc;
}

/* ---- the copy ---- */

/* Piece @i of @n of partition @id: the source's rows as Native into the
 * stage table */
static int
copy_piece(struct qan *q, const char *id, uint64_t i, uint64_t n)
{
    char sel[CH_SQL_MAX], ins[256], *esc;
    struct repl_http_req src = { .path = "/", .body = sel };
    struct repl_http_req dst = { .body = NULL };
    char path[512], err[REPL_ERR_LEN];
    uint64_t bytes = 0;
    int rc;

    snprintf(sel, sizeof sel,
             "SELECT * FROM %s.%s WHERE toYYYYMMDD(%s) = %s AND "
             "cityHash64(%s) %% %" PRIu64 " = %" PRIu64 " FORMAT Native",
             q->db, q->table, q->key.col, id, q->key.sort, n, i);
    snprintf(ins, sizeof ins, "INSERT INTO %s FORMAT Native", q->stage);
    esc = repl_http_escape(ins);
    if (!esc)
        return repl_fail(q->st, -ENOMEM, "out of memory");
    snprintf(path, sizeof path, "/?query=%s", esc);
    free(esc);
    src.ep = &q->r->conf.src_ch;
    src.tls = &q->r->conf.tls;
    src.body_len = strlen(sel);
    dst.ep = &q->r->conf.dst_ch;
    dst.path = path;
    if (repl_stopping())
        return stopped(q);
    rc = repl_http_pipe(&src, &dst, q->d, q->r->conf.io_timeout_ms, &bytes,
                        NULL, err, sizeof err);
    if (rc < 0) {
        /* @err names the side that failed */
        q->st->refused = rc == -EACCES || rc == -EPERM;
        repl_fail(q->st, rc, "copying partition %s of %s.%s: %s", id, q->db,
                  q->table, err);
        return rc;
    }
    q->st->bytes += bytes;
    return 0;
}

static int
copy_part(struct qan *q, const struct repl_part_step *s)
{
    uint64_t n = s->rows / CH_PIECE_ROWS + 1, i;
    int rc;

    rc = ch_exec(q, CH_TARGET, "emptying the stage table",
                 "ALTER TABLE %s DROP PARTITION %s", q->stage, s->id);
    for (i = 0; rc == 0 && i < n; i++)
        rc = copy_piece(q, s->id, i, n);
    if (rc == 0)
        rc = ch_exec(q, CH_TARGET, "replacing a partition",
                     "ALTER TABLE %s.%s REPLACE PARTITION %s FROM %s", q->db,
                     q->table, s->id, q->stage);
    if (rc == 0)
        rc = ch_exec(q, CH_TARGET, "emptying the stage table",
                     "ALTER TABLE %s DROP PARTITION %s", q->stage, s->id);
    return rc;
}

static int
run_steps(struct qan *q, const struct repl_part_step *steps, size_t n)
{
    size_t i;
    int rc = 0;

    for (i = 0; rc == 0 && i < n; i++) {
        if (steps[i].act == REPL_PART_COPY)
            rc = copy_part(q, &steps[i]);
        else if (steps[i].act == REPL_PART_DROP)
            rc = ch_exec(q, CH_TARGET, "dropping a partition",
                         "ALTER TABLE %s.%s DROP PARTITION %s", q->db, q->table,
                         steps[i].id);
        else
            continue;
        if (rc == 0) {
            q->st->copied++;
            ra_debug("qan: %s partition %s (%" PRIu64 " rows)",
                     repl_part_act_name(steps[i].act), steps[i].id,
                     steps[i].rows);
        }
    }
    return rc;
}

/* Lists both sides, plans, verifies and runs the plan */
static int
sync_parts(struct qan *q)
{
    struct repl_part *src = NULL, *dst = NULL;
    struct repl_part_step *steps = NULL;
    const char *const always[] = { q->always[0], q->always[1] };
    int64_t pos_s = q->st->position_ms / 1000;
    size_t nsrc = 0, ndst = 0, nsteps = 0;
    int rc;

    rc = list_parts(q, CH_SOURCE, &src, &nsrc);
    if (rc == 0)
        rc = list_parts(q, CH_TARGET, &dst, &ndst);
    if (rc == 0) {
        rc = repl_parts_plan(src, nsrc, dst, ndst, always, 2,
                             pos_s > 0 ? pos_s - CH_VERIFY_MARGIN_S : 0, &steps,
                             &nsteps);
        if (rc < 0)
            rc = repl_fail(q->st, rc, "out of memory");
    }
    if (rc == 0)
        rc = verify_steps(q, steps, nsteps);
    if (rc == 0)
        rc = run_steps(q, steps, nsteps);
    free(src);
    free(dst);
    free(steps);
    return rc;
}

/* A fresh stage table, made AS the standby's own table */
static int
make_stage(struct qan *q)
{
    int rc = ch_exec(q, CH_TARGET, "dropping the stage table",
                     "DROP TABLE IF EXISTS %s", q->stage);

    return rc < 0
               ? rc
               : ch_exec(q, CH_TARGET, "creating the stage table",
                         "CREATE TABLE %s AS %s.%s", q->stage, q->db, q->table);
}

int
repl_qan_cycle(struct repl *r, struct repl_stream *st, ra_deadline_t d)
{
    struct qan q = { .r = r, .st = st, .d = d };
    int rc;

    rc = split_table(&q);
    if (rc == 0)
        rc = check_schema(&q);
    if (rc == 0)
        rc = read_clock(&q);
    if (rc == 0)
        rc = make_stage(&q);
    if (rc == 0)
        rc = sync_parts(&q);
    if (rc == 0)
        rc = ch_exec(&q, CH_TARGET, "dropping the stage table",
                     "DROP TABLE IF EXISTS %s", q.stage);
    if (rc == 0) {
        st->position_ms = q.src_now_ms;
        st->source_now_ms = q.src_now_ms + (repl_wall_ms() - q.src_recv_ms);
    }
    free(q.engine);
    return rc;
}
