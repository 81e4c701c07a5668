/* SPDX-License-Identifier: GPL-2.0-or-later */
/* repl-pg.c - the inventory stream (being written) */
#include "config.h"

#include <errno.h>

#include "repl.h"

int
repl_inventory_cycle(struct repl *r, struct repl_stream *st, ra_deadline_t d)
{
    (void) r;
    (void) d;
    return repl_fail(st, -ENOSYS, "the inventory stream is not written yet");
}
