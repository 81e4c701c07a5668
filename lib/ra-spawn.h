/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spawn.h - run a program without a shell: posix_spawn with an argv array,
 * a minimal environment, output captured on bounded pipes, and the child
 * killed (SIGTERM, then SIGKILL) before the deadline passes.
 */
#ifndef PMMHA_SPAWN_H
#define PMMHA_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

#include "deadline.h"

#define RA_SPAWN_OUT_MAX 65536

/** What a finished (or killed) child left behind. */
struct ra_spawn_result {
    int status;    /**< exit code, or 128 + signal */
    int timed_out; /**< killed because the deadline came */
    char *out;     /**< NUL-terminated stdout, truncated at OUT_MAX */
    size_t out_len;
    char *err; /**< NUL-terminated stderr, truncated at OUT_MAX */
    size_t err_len;
};

/**
 * Runs @argv (argv[0] an absolute path) with environment PATH and LC_ALL=C
 * plus @extra_env (NULL-terminated "K=V" strings, may be NULL), stdin from
 * /dev/null. Waits for it until @deadline; then sends SIGTERM, waits
 * @kill_grace_ms, sends SIGKILL and reaps it. Returns 0 when the child was
 * run and reaped (see @ret for its status), or -errno.
 */
int ra_spawn(char *const argv[], char *const extra_env[],
             ra_deadline_t deadline, int kill_grace_ms,
             struct ra_spawn_result *ret);

/** A child started and not yet waited for. */
struct ra_spawn_job;

/**
 * Like ra_spawn() but returns as soon as the child runs, so that the caller
 * can do other work meanwhile; @deadline is acted on only inside
 * ra_spawn_finish(), which must follow. Output beyond a pipe's capacity
 * (64 KiB) waits there until then. Returns 0 or -errno (nothing to finish).
 */
int ra_spawn_begin(char *const argv[], char *const extra_env[],
                   ra_deadline_t deadline, int kill_grace_ms,
                   struct ra_spawn_job **ret_job);

/**
 * Waits for @job's child as ra_spawn() does, fills @ret (may be NULL to
 * discard the output) and frees @job in every case. Returns 0 or -errno.
 */
int ra_spawn_finish(struct ra_spawn_job *job, struct ra_spawn_result *ret);

/** The last non-empty line of a tool's output @s (may be NULL), trimmed,
 * into @buf: what a failing tool says last is usually why. */
void ra_last_line(const char *s, char *buf, size_t len);

/** Frees the buffers of @r; accepts NULL. */
void ra_spawn_result_free(struct ra_spawn_result *r);

/**
 * Finds @name in the standard system directories (/usr/local/sbin,
 * /usr/local/bin, /usr/sbin, /usr/bin, /sbin, /bin); writes the absolute
 * path to @buf. Returns 0 or -ENOENT.
 */
int ra_find_program(const char *name, char *buf, size_t len);

/**
 * Splits @s into words on blanks without a shell: single and double quotes
 * group, backslash escapes; no expansion of any kind. Returns the number of
 * words (argv is NULL-terminated and owns one allocation, free with
 * ra_argv_free), or -EINVAL for unbalanced quotes, -ENOMEM.
 */
int ra_split_words(const char *s, char ***ret_argv);

/** Frees a vector returned by ra_split_words(); accepts NULL. */
void ra_argv_free(char **argv);

#endif
