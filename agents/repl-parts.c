/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repl-parts.c - the qan stream's partition planner (see repl-parts.h).
 * A few hundred daily partitions at most: linear look-ups are enough.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "repl-parts.h"

static const struct repl_part *
find_part(const struct repl_part *v, size_t n, const char *id)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(v[i].id, id) == 0)
            return &v[i];
    return NULL;
}

static bool
is_always(const char *const *always, size_t nalways, const char *id)
{
    size_t i;

    for (i = 0; i < nalways; i++)
        if (always[i] && strcmp(always[i], id) == 0)
            return true;
    return false;
}

/* What to do with source partition @s, given the standby's @t (or NULL) */
static enum repl_part_act
source_act(const struct repl_part *s, const struct repl_part *t, bool always,
           int64_t since_s)
{
    if (always || !t || t->rows != s->rows)
        return REPL_PART_COPY;
    if (since_s == 0 || s->mtime_s >= since_s)
        return REPL_PART_VERIFY;
    return REPL_PART_LEAVE;
}

static void
step_set(struct repl_part_step *st, const char *id, enum repl_part_act act,
         uint64_t rows)
{
    memcpy(st->id, id, REPL_PART_ID_LEN);
    st->id[REPL_PART_ID_LEN - 1] = '\0';
    st->act = act;
    st->rows = rows;
}

int
repl_parts_plan(const struct repl_part *src, size_t nsrc,
                const struct repl_part *dst, size_t ndst,
                const char *const *always, size_t nalways, int64_t since_s,
                struct repl_part_step **ret_steps, size_t *ret_n)
{
    struct repl_part_step *steps;
    size_t i, n = 0;

    steps = calloc(nsrc + ndst + 1, sizeof *steps);
    if (!steps)
        return -ENOMEM;
    for (i = 0; i < nsrc; i++)
        step_set(&steps[n++], src[i].id,
                 source_act(&src[i], find_part(dst, ndst, src[i].id),
                            is_always(always, nalways, src[i].id), since_s),
                 src[i].rows);
    for (i = 0; i < ndst; i++)
        if (!find_part(src, nsrc, dst[i].id))
            step_set(&steps[n++], dst[i].id,
                     nsrc ? REPL_PART_DROP : REPL_PART_LEAVE, 0);
    *ret_steps = steps;
    *ret_n = n;
    return 0;
}

const char *
repl_part_act_name(enum repl_part_act act)
{
    switch (act) {
    case REPL_PART_LEAVE:
        return "leave";
    case REPL_PART_COPY:
        return "copy";
    case REPL_PART_VERIFY:
        return "verify";
    case REPL_PART_DROP:
        return "drop";
    }
    return "?";
}
