/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-repl-ch.c - agents/repl-ch.c: what pmmha-replicator's qan stream
 * reads of ClickHouse's TSV answers: system.parts' partitions
 * (repl_ch_parse_parts), the QAN table's engine_full and columns
 * (repl_ch_parse_engine, repl_ch_first_diff), the clock with today and
 * yesterday (repl_ch_parse_clock), a checksum answer (repl_ch_sum_line).
 *
 * Input: parts "\n--\n" engine "\n--\n" columns "\n--\n" clock "\n--\n"
 * the standby's columns, also read as a checksum answer.
 */
#include "config.h"

#include <stdbool.h>

#include "../../agents/repl-parts.h"
#include "fuzz.h"

bool repl_stopping(void);

bool
repl_stopping(void)
{
    return false;
}

static void
check_id(const char *id)
{
    size_t n = strlen(id);

    if (n == 0 || n >= REPL_PART_ID_LEN || strspn(id, "0123456789") != n)
        abort(); /* spliced into SQL unquoted */
}

static void
check_key(const struct repl_ch_key *k)
{
    size_t n = strlen(k->sort);

    if (!k->col[0]
        || strspn(k->col, "_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
                          "KLMNOPQRSTUVWXYZ0123456789")
               != strlen(k->col))
        abort();
    if (strncmp(k->type, "Date", 4) != 0 || strchr(k->type, '\n'))
        abort();
    if (n == 0 || n >= sizeof k->sort || strchr(k->sort, ';'))
        abort();
}

/* The same lines, but for empty ones at the end (as TSV answers end) */
static bool
same_lines(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);

    while (la && a[la - 1] == '\n')
        la--;
    while (lb && b[lb - 1] == '\n')
        lb--;
    return la == lb && memcmp(a, b, la) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *part[5], days[2][REPL_PART_ID_LEN], diff[320];
    struct repl_part *parts = NULL;
    struct repl_ch_key key;
    const char *line, *id = "20261206";
    size_t n = 0, len;
    int64_t now_ms;

    fz_split(data, size, part, 5);
    if (repl_ch_parse_parts(part[0], &parts, &n) == 0) {
        for (size_t i = 0; i < n; i++)
            check_id(parts[i].id);
        if (n)
            id = parts[0].id;
    }
    memset(&key, 0, sizeof key);
    if (repl_ch_parse_engine(part[1], part[2], &key) == 0)
        check_key(&key);
    if (repl_ch_parse_clock(part[3], &now_ms, days) == 0) {
        if (now_ms < 0)
            abort();
        check_id(days[0]);
        check_id(days[1]);
    }
    diff[0] = '\0';
    if (repl_ch_first_diff(part[2], part[4], diff, sizeof diff)
        == same_lines(part[2], part[4]))
        abort();
    if (strlen(diff) >= sizeof diff)
        abort();
    len = repl_ch_sum_line(part[4], id, &line);
    if (len
        && (strncmp(line, id, strlen(id)) != 0 || line[strlen(id)] != '\t'
            || memchr(line, '\n', len) || len > strlen(line)))
        abort();
    free(parts);
    free(part[0]);
    return 0;
}
