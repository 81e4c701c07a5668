/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * path.h - paths checked by what they name, not by their spelling: a
 * lexical normal form (for checks that must not touch the filesystem, the
 * same on every node) and what a path resolves to on this node.
 */
#ifndef PMMHA_PATH_H
#define PMMHA_PATH_H

#include <stdbool.h>
#include <stddef.h>

/**
 * The lexical normal form of the absolute path @in into @out: "//" and "."
 * components dropped, no trailing slash ("/srv//pmm/." -> "/srv/pmm",
 * "/." -> "/"). -EINVAL for a relative path or a ".." component (what ".."
 * names depends on symlinks: only ra_path_resolve() can tell), -ENAMETOOLONG
 * when it does not fit.
 */
int ra_path_normalize(const char *in, char *out, size_t len);

/**
 * A parameter's path, checked by its spelling (the same verdict on every
 * node): absolute, no ".." component, none of the characters in @forbid,
 * and with @canonical spelled in its normal form (no "." or empty
 * component, no trailing '/': a path compared with the mount table).
 * 0, or -EINVAL with the reason in @why. The agents' one path checker.
 */
int ra_path_check(const char *v, bool canonical, const char *forbid, char *why,
                  size_t len);

/**
 * What the absolute path @in names on this node, into @out: every symlink
 * followed and "." and ".." taken as the kernel takes them (realpath). A
 * tail that does not exist yet is appended as spelled (normalised); a ".."
 * within it is -ENOENT. Other failures as -errno.
 */
int ra_path_resolve(const char *in, char *out, size_t len);

/**
 * True when the normalised path @p is "/" or a directory of the system
 * (/etc, /usr, /var, /proc, ...), or lies under a tree whose files give
 * control over the host (/proc, /sys, /dev, /boot, /run, /etc, /root, the
 * runtimes' storage): no place for PMM's data, nothing to bind into a
 * container without saying so.
 */
bool ra_path_is_system(const char *p);

#endif
