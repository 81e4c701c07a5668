/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * proc.h - what the kernel knows about a process: alive or not, and the
 * start time that tells it apart from a later process with the same PID.
 */
#ifndef PMMHA_PROC_H
#define PMMHA_PROC_H

#include <stdint.h>
#include <sys/types.h>

/**
 * Reads the start time (field 22 of /proc/PID/stat, clock ticks since boot)
 * and state of @pid. Returns 0, -ESRCH when no such process (or a zombie).
 */
int ra_proc_starttime(pid_t pid, uint64_t *ret_starttime);

/** 1 when @pid lives and started at @starttime, 0 when not, or -errno. */
int ra_proc_is(pid_t pid, uint64_t starttime);

#endif
