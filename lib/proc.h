/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * proc.h - what the kernel knows about a process: alive or not, and the
 * start time that tells it apart from a later process with the same PID.
 */
#ifndef PMMHA_PROC_H
#define PMMHA_PROC_H

#include <stdint.h>
#include <sys/types.h>

#include "deadline.h"

/**
 * Parses one /proc/PID/stat record @buf (NUL-terminated): the start time
 * (field 22) into @ret_starttime. Returns 0, -ESRCH for a zombie or dead
 * process, -EIO when @buf is not in the kernel's format.
 */
int ra_proc_stat_parse(const char *buf, uint64_t *ret_starttime);

/**
 * Reads the start time (field 22 of /proc/PID/stat, clock ticks since boot)
 * and state of @pid. Returns 0, -ESRCH when no such process (or a zombie).
 */
int ra_proc_starttime(pid_t pid, uint64_t *ret_starttime);

/** 1 when @pid lives and started at @starttime, 0 when not, or -errno. */
int ra_proc_is(pid_t pid, uint64_t starttime);

/** A pidfd on @pid (close-on-exec), or -1 (errno set; ENOSYS without
 * pidfd_open()): callers fall back to polling waitpid(). */
int ra_pidfd_open(pid_t pid);

/**
 * Opens a pidfd on @pid if it is still the process that started at
 * @starttime: it then names that process and no other, even after the PID
 * is reused. Returns the fd (O_CLOEXEC), -ESRCH when that process is gone,
 * -ENOSYS without pidfd_open(), or -errno.
 */
int ra_proc_open(pid_t pid, uint64_t starttime);

/** Sends @sig through @pidfd: 0, -ESRCH once it exited, or -errno. */
int ra_proc_signal(int pidfd, int sig);

/**
 * Waits until the process of @pidfd has exited (for a PID namespace's init:
 * with every other process of that namespace), or @deadline.
 * Returns 0, -ETIMEDOUT, or -errno.
 */
int ra_proc_wait(int pidfd, ra_deadline_t deadline);

#endif
