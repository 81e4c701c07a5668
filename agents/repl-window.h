/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repl-window.h - the metrics stream's window planner, pure arithmetic on
 * the source's clock (milliseconds since the epoch), no I/O.
 *
 * The watermark W says: every sample older than W (timestamp < W) that
 * the source held once it had settled is on the standby. The next export
 * covers [W - overlap, end - 1 ms] (VictoriaMetrics' start and end are
 * both inclusive), with end = min(W + window, source_now - settle): the
 * newest samples, which may still arrive late, are left for a later
 * cycle, and the overlap re-sends what arrived late behind the watermark
 * (the standby deduplicates identical samples). Once imported, W = end.
 */
#ifndef PMMHA_REPL_WINDOW_H
#define PMMHA_REPL_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

enum repl_window_verdict {
    REPL_WINDOW_COPY,    /* export and import the window, then W = mark */
    REPL_WINDOW_IN_SYNC, /* W is at source_now - settle: nothing to do */
    REPL_WINDOW_AHEAD,   /* W is past source_now - settle: the source's
                            clock went back (or another source): W = mark,
                            then plan again */
};

/* The limits a plan obeys (struct repl_conf's, in milliseconds) */
struct repl_window_conf {
    int64_t settle_ms;  /* >= 0 */
    int64_t overlap_ms; /* >= 0 */
    int64_t window_ms;  /* > 0: how far one export moves W */
};

struct repl_window {
    int64_t start_ms; /* export from (inclusive) */
    int64_t end_ms;   /* export up to (inclusive): mark_ms - 1 */
    int64_t mark_ms;  /* the watermark once the window is imported */
};

/**
 * The next step from watermark @mark_ms when the source's clock reads
 * @source_now_ms. COPY fills @ret with a window (mark_ms - W <= window_ms,
 * W < mark_ms <= source_now - settle, start_ms = W - overlap); AHEAD fills
 * only @ret->mark_ms (source_now - settle, where W goes back to); IN_SYNC
 * leaves @ret untouched.
 */
enum repl_window_verdict repl_window_plan(const struct repl_window_conf *c,
                                          int64_t mark_ms,
                                          int64_t source_now_ms,
                                          struct repl_window *ret);

/**
 * Where the first sync starts: @oldest_ms (the source's oldest data found,
 * or 0 when unknown) but never before @source_now_ms - @retention_ms (the
 * source has dropped anything older); aligned down to a whole second.
 */
int64_t repl_window_first(int64_t oldest_ms, int64_t source_now_ms,
                          int64_t retention_ms);

/* ---- VictoriaMetrics' answers, as repl-vm.c reads them (defined there) */

/** The value of -@name in a VictoriaMetrics /metrics page (its flag{name=
 * "...", value="..."} series), or NULL; the caller frees it. */
char *repl_vm_flag(const char *page, const char *name);

/** -retentionPeriod's value @v in milliseconds: a number of months (31
 * days) or with a unit h, d, w or y; -1 when unreadable (or NULL). */
int64_t repl_vm_retention_ms(const char *v);

/** The start time in a /metrics @page (vm_app_start_timestamp, seconds),
 * 0 when absent. */
int64_t repl_vm_started(const char *page);

/** Whether an /api/v1/labels answer @body lists any label: some series
 * has a sample in the range asked. */
bool repl_vm_labels_any(const char *body);

#endif
