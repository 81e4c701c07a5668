/* SPDX-License-Identifier: GPL-2.0-or-later */
/* repl-vm.c - the metrics stream (being written) */
#include "config.h"

#include <errno.h>

#include "repl.h"

int
repl_metrics_cycle(struct repl *r, struct repl_stream *st, ra_deadline_t d)
{
    (void) r;
    (void) d;
    return repl_fail(st, -ENOSYS, "the metrics stream is not written yet");
}
