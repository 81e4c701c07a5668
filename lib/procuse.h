/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procuse.h - which processes use a filesystem: their cwd, root or
 * executable, an open file or a memory mapping on it. Read from /proc
 * without fuser and without touching the files themselves (statx with
 * AT_STATX_DONT_SYNC, the device column of /proc/PID/maps), so a hung
 * filesystem elsewhere cannot hang the scan.
 */
#ifndef PMMHA_PROCUSE_H
#define PMMHA_PROCUSE_H

#include <stddef.h>
#include <sys/types.h>

/**
 * Fills @pids (up to @max) with the processes other than the caller that
 * use the filesystem whose st_dev is @major:@minor. Returns how many were
 * found (more than @max when they did not all fit), or -errno when /proc
 * cannot be read. @proc is the proc mount to read (NULL: /proc).
 */
int ra_procs_using(const char *proc, unsigned major, unsigned minor,
                   pid_t *pids, size_t max);

#endif
