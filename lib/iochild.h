/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iochild.h - device I/O that cannot hang the agent. A function that reads
 * or writes a block device runs in a forked copy of the agent (no exec),
 * sends a small fixed-size answer back through a pipe, and the agent waits
 * for it only until the operation's deadline. On a dead storage path the
 * child sits in uninterruptible sleep: the agent SIGKILLs it, leaves it to
 * the kernel, and still answers Pacemaker in time with a reason.
 */
#ifndef PMMHA_IOCHILD_H
#define PMMHA_IOCHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "deadline.h"

/** The largest answer a child sends: with its header, one atomic write. */
#define RA_IOCHILD_OUT_MAX 3072

/**
 * The work done in the child. It writes its results to @out (@len bytes,
 * zeroed before) and returns 0 or -errno. It runs in a copy of the agent
 * with stdin, stdout and stderr on /dev/null and every other inherited fd
 * closed: it opens what it uses, must not log, and whatever it changes in
 * memory stays in the copy. -ETIMEDOUT and -ECHILD come back as -EIO (they
 * mean the child's fate).
 */
typedef int (*ra_iochild_fn)(void *arg, void *out, size_t len);

/** What became of a child: whether it answered, and if not, why. */
struct ra_iochild_result {
    bool answered;    /**< it ran the function to its end */
    bool timed_out;   /**< the deadline came first: it was SIGKILLed */
    int signal;       /**< the signal that ended it without an answer */
    uint64_t wait_ms; /**< how long the agent waited for it */
};

/**
 * Runs @fn(@arg, @out, @len) in a forked child and waits for its answer
 * until @deadline (0: no deadline). Returns what @fn returned, with @out
 * filled; -ETIMEDOUT when the deadline came first (the child is killed but
 * not waited for: it may be stuck in the kernel); -ECHILD when the child
 * died without answering; -EINVAL when @len exceeds RA_IOCHILD_OUT_MAX;
 * or -errno when no child could be started. @out is left untouched unless
 * the child answered. @ret (may be NULL) tells which case it was. A child
 * that answered is reaped; so is one that dies at once when killed.
 */
int ra_iochild_run(ra_iochild_fn fn, void *arg, void *out, size_t len,
                   ra_deadline_t deadline, struct ra_iochild_result *ret);

#endif
