/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repl-parts.h - the qan stream's partition planner: given the partitions
 * of the source's QAN table and of the standby's (rows, and when the
 * source last wrote each), which to copy, which to drop, which to leave
 * and which need a checksum to decide. Pure: no I/O, so it is tested
 * alone (tests/unit/test-repl-parts.c).
 */
#ifndef PMMHA_REPL_PARTS_H
#define PMMHA_REPL_PARTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A partition's literal as system.parts prints it ("20261206") */
#define REPL_PART_ID_LEN 16

struct repl_part {
    char id[REPL_PART_ID_LEN];
    uint64_t rows;   /* sum of the active parts' rows */
    int64_t mtime_s; /* newest active part written (source clock) */
};

enum repl_part_act {
    REPL_PART_LEAVE,  /* the same on both sides */
    REPL_PART_COPY,   /* replace the standby's with the source's */
    REPL_PART_VERIFY, /* same rows, changed lately: compare checksums */
    REPL_PART_DROP,   /* the source no longer has it (retention) */
};

struct repl_part_step {
    char id[REPL_PART_ID_LEN];
    enum repl_part_act act;
    uint64_t rows; /* the source's rows (0 for a drop) */
};

/**
 * Plans one cycle. @always (today's and yesterday's partitions on the
 * source's clock) are copied whenever the source has them, since QAN
 * buckets arrive late; any other source partition is copied when the
 * standby lacks it or holds another number of rows, verified when the
 * rows agree but the source wrote it at or after @since_s (0: verify
 * every one), left otherwise. Standby partitions the source lacks are
 * dropped, unless the source lists no partition at all (never empty a
 * standby on a source that looks blank). Copies come first, in the
 * source's order, then drops. *@ret_steps (caller frees) holds one step
 * per partition of either side; 0, or -ENOMEM (untouched outputs).
 */
int repl_parts_plan(const struct repl_part *src, size_t nsrc,
                    const struct repl_part *dst, size_t ndst,
                    const char *const *always, size_t nalways, int64_t since_s,
                    struct repl_part_step **ret_steps, size_t *ret_n);

/** Name of a step's action for logs: "copy", "drop", ... */
const char *repl_part_act_name(enum repl_part_act act);

/* ---- ClickHouse's answers, as repl-ch.c reads them (defined there) ---- */

/* The partition key of the QAN table, from its engine_full */
struct repl_ch_key {
    char col[64];   /* the partition column: toYYYYMMDD(col) */
    char type[64];  /* its type, TSV-unescaped */
    char sort[512]; /* the sort key's columns, "a, b, c" */
};

/**
 * system.parts' "partition\trows\tmtime" TSV lines (@txt, cut up) into a
 * vector (*@ret, caller frees); a partition whose literal is not a number
 * is refused (only toYYYYMMDD partitions are planned): -EPROTO, or -ENOMEM.
 */
int repl_ch_parse_parts(char *txt, struct repl_part **ret, size_t *ret_n);

/**
 * From @engine (system.tables' engine_full): the column of PARTITION BY
 * toYYYYMMDD(col), its type in @cols (system.columns' "name\ttype" TSV)
 * and the ORDER BY columns (outer parentheses removed); -EINVAL unless
 * PMM's QAN table's shape (a Date or DateTime partition column).
 */
int repl_ch_parse_engine(const char *engine, const char *cols,
                         struct repl_ch_key *ret);

/**
 * The answer to "SELECT toUnixTimestamp(now()), today, yesterday" (TSV):
 * the clock in milliseconds and both days' partition literals; -EPROTO.
 */
int repl_ch_parse_clock(const char *ans, int64_t *ret_now_ms,
                        char ret_days[2][REPL_PART_ID_LEN]);

/** The first column where the "name\ttype" lists @a (source) and @b
 * (standby) differ, described into @out; false when they agree. */
bool repl_ch_first_diff(const char *a, const char *b, char *out, size_t outlen);

/** The line of partition @id in a checksum answer ("id\tcount\tsum"
 * lines) into *@ret and its length; "" and 0 when absent. */
size_t repl_ch_sum_line(const char *sums, const char *id, const char **ret);

#endif
