/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * state.h - a small key=value file under HA_RSCTMP recording what an agent
 * started (container PID and start time, image, probe URL), so a recurring
 * monitor can answer from the kernel without asking anyone.
 */
#ifndef PMMHA_STATE_H
#define PMMHA_STATE_H

#include <stddef.h>
#include <sys/types.h>

#include "deadline.h"

#define RA_STATE_MAX 48

struct ra_state {
    size_t n;
    char key[RA_STATE_MAX][32];
    char val[RA_STATE_MAX][512];
};

/** Path of @agent/@instance's state file under @dir, into @buf. */
int ra_state_path(const char *dir, const char *agent, const char *instance,
                  char *buf, size_t len);

/**
 * Reads @path; -ENOENT when there is none, -EBADMSG when it is not what
 * ra_state_save() writes (damaged: treat it as absent, with a warning),
 * -ELOOP for a symlink, -EINVAL for anything but a regular file (a FIFO
 * never blocks the caller).
 */
int ra_state_load(const char *path, struct ra_state *st);

/**
 * Writes @st to @path atomically: an unnamed file (O_TMPFILE, else
 * @path.tmp created exclusively after removing whatever had its name;
 * mode 0600) written and fsynced, then renamed over @path.
 */
int ra_state_save(const char *path, const struct ra_state *st);

/** Sets (or replaces) @key; -E2BIG/-ENAMETOOLONG when it does not fit. */
int ra_state_set(struct ra_state *st, const char *key, const char *val);

/** Value of @key or NULL. */
const char *ra_state_get(const struct ra_state *st, const char *key);

/** Removes @path and any @path.tmp a killed write left; missing is
 * success. */
int ra_state_remove(const char *path);

/**
 * Serialises the actions of one resource instance on this node: a POSIX
 * record lock on @dir/@agent-@instance.lock, waited for until @d. On success
 * *@ret_fd holds it (closing it, or exiting, releases it). -ETIMEDOUT when
 * another process still holds it at @d (its PID in *@ret_holder); other
 * -errno when the lock file cannot be made.
 */
int ra_state_lock(const char *dir, const char *agent, const char *instance,
                  ra_deadline_t d, int *ret_fd, pid_t *ret_holder);

#endif
