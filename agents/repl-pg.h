/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repl-pg.h - the inventory stream's pure part: the order in which tables
 * are loaded on the standby so that every foreign key finds its parent
 * already there (repl-order.c). No I/O, no libpq: tested on its own.
 */
#ifndef PMMHA_REPL_PG_H
#define PMMHA_REPL_PG_H

#include <stddef.h>
#include <stdint.h>

/* A foreign key: table @child references table @parent (indices into the
 * caller's table list). */
struct repl_fk {
    size_t child;
    size_t parent;
};

/**
 * Orders tables 0..@n-1 so that a parent comes before its children, for
 * loading with foreign keys checked. Ties keep the caller's order, so the
 * result is the same at every cycle. A self-reference (a tree in one table)
 * is no constraint: one COPY checks it at its end. *@ret_order gets @n
 * indices. Errors (*@ret_order untouched): -ELOOP when tables reference
 * each other in a cycle (the caller then loads them with the checks
 * deferred), -EINVAL for an index out of range, -ENOMEM.
 */
int repl_order_tables(size_t n, const struct repl_fk *fks, size_t n_fks,
                      size_t *ret_order);

/** A number in a PostgreSQL answer's text (@s, whole): 0, or -EINVAL
 * (repl-pg.c). */
int repl_pg_parse_i64(const char *s, int64_t *ret);

#endif
