/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repl-order.c - the load order of the inventory's tables: a topological
 * sort of the foreign-key graph (Kahn's algorithm), parents first, ties in
 * the caller's order.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "repl-pg.h"

/* The graph as lists of children per parent (compressed rows) and the
 * number of parents each table still waits for. */
struct graph {
    size_t *first;   /* n + 1: children of p are child[first[p]..first[p+1]) */
    size_t *child;   /* n_fks */
    size_t *waiting; /* n */
};

static void
graph_free(struct graph *g)
{
    free(g->first);
    free(g->child);
    free(g->waiting);
}

static int
graph_build(struct graph *g, size_t n, const struct repl_fk *fks, size_t n_fks)
{
    size_t i, *fill;

    g->first = calloc(n + 1, sizeof *g->first);
    g->child = calloc(n_fks ? n_fks : 1, sizeof *g->child);
    g->waiting = calloc(n ? n : 1, sizeof *g->waiting);
    fill = calloc(n ? n : 1, sizeof *fill);
    if (!g->first || !g->child || !g->waiting || !fill) {
        free(fill);
        return -ENOMEM;
    }
    for (i = 0; i < n_fks; i++)
        if (fks[i].child != fks[i].parent)
            g->first[fks[i].parent + 1]++;
    for (i = 0; i < n; i++)
        g->first[i + 1] += g->first[i];
    for (i = 0; i < n_fks; i++) {
        size_t p = fks[i].parent;

        if (fks[i].child == p)
            continue;
        g->child[g->first[p] + fill[p]++] = fks[i].child;
        g->waiting[fks[i].child]++;
    }
    free(fill);
    return 0;
}

/* Kahn's algorithm, always taking the lowest ready table: @scan is kept
 * on it (every table below it is taken or waiting), and a table released
 * below it pulls it back. */
static int
graph_sort(struct graph *g, size_t n, size_t *out)
{
    size_t done = 0, scan = 0, i, low;

    while (done < n) {
        while (scan < n && g->waiting[scan] != 0)
            scan++;
        if (scan == n)
            return -ELOOP; /* every table left waits for another */
        out[done++] = scan;
        g->waiting[scan] = (size_t) -1; /* taken */
        low = scan + 1;
        for (i = g->first[scan]; i < g->first[scan + 1]; i++)
            if (--g->waiting[g->child[i]] == 0 && g->child[i] < low)
                low = g->child[i];
        scan = low;
    }
    return 0;
}

int
repl_order_tables(size_t n, const struct repl_fk *fks, size_t n_fks,
                  size_t *ret_order)
{
    struct graph g = { NULL, NULL, NULL };
    size_t *out, i;
    int rc;

    for (i = 0; i < n_fks; i++)
        if (fks[i].child >= n || fks[i].parent >= n)
            return -EINVAL;
    out = calloc(n ? n : 1, sizeof *out);
    rc = out ? graph_build(&g, n, fks, n_fks) : -ENOMEM;
    if (rc == 0)
        rc = graph_sort(&g, n, out);
    if (rc == 0)
        memcpy(ret_order, out, n * sizeof *out);
    graph_free(&g);
    free(out);
    return rc;
}
