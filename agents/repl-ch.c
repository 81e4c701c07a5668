/* SPDX-License-Identifier: GPL-2.0-or-later */
/* repl-ch.c - the qan stream (being written) */
#include "config.h"

#include <errno.h>

#include "repl.h"

int
repl_qan_cycle(struct repl *r, struct repl_stream *st, ra_deadline_t d)
{
    (void) r;
    (void) d;
    return repl_fail(st, -ENOSYS, "the qan stream is not written yet");
}
