/* SPDX-License-Identifier: GPL-2.0-or-later */
/* repl-window.c - the metrics stream's window planner (see repl-window.h) */
#include "config.h"

#include "repl-window.h"

enum repl_window_verdict
repl_window_plan(const struct repl_window_conf *c, int64_t mark_ms,
                 int64_t source_now_ms, struct repl_window *ret)
{
    int64_t limit = source_now_ms - c->settle_ms;
    int64_t window = c->window_ms > 0 ? c->window_ms : 1;
    int64_t end;

    if (mark_ms > limit) {
        ret->mark_ms = limit;
        return REPL_WINDOW_AHEAD;
    }
    if (mark_ms == limit)
        return REPL_WINDOW_IN_SYNC;
    end = limit - mark_ms > window ? mark_ms + window : limit;
    ret->start_ms = mark_ms - (c->overlap_ms > 0 ? c->overlap_ms : 0);
    ret->end_ms = end - 1;
    ret->mark_ms = end;
    return REPL_WINDOW_COPY;
}

int64_t
repl_window_first(int64_t oldest_ms, int64_t source_now_ms,
                  int64_t retention_ms)
{
    int64_t floor = source_now_ms - retention_ms;
    int64_t start = oldest_ms > floor ? oldest_ms : floor;

    if (start > source_now_ms)
        start = source_now_ms;
    return start - (start % 1000 + 1000) % 1000;
}
