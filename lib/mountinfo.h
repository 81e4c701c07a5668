/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mountinfo.h - what the kernel says is mounted (/proc/self/mountinfo),
 * parsed without a helper, with the kernel's octal escapes (\040 for a
 * blank) undone; and mount(8)-style option strings turned into mount(2)'s
 * flags and data.
 */
#ifndef PMMHA_MOUNTINFO_H
#define PMMHA_MOUNTINFO_H

#include <stddef.h>

#define RA_MOUNT_PATH_MAX 4096

/** One line of mountinfo. */
struct ra_mount {
    int id;                         /**< mount ID, unique in this namespace */
    unsigned major, minor;          /**< st_dev of the filesystem */
    char root[RA_MOUNT_PATH_MAX];   /**< path inside the filesystem */
    char target[RA_MOUNT_PATH_MAX]; /**< mount point, unescaped */
    char fstype[64];
    char source[RA_MOUNT_PATH_MAX]; /**< e.g. /dev/loop0, unescaped */
};

/**
 * Parses one mountinfo line into @ret. Returns 0, or -EINVAL when the line
 * is not in the kernel's format (@ret then undefined).
 */
int ra_mountinfo_parse(const char *line, struct ra_mount *ret);

/**
 * The topmost mount on @target (the last line naming it) in @file
 * (NULL: /proc/self/mountinfo). Returns 0, -ENOENT when nothing is
 * mounted there, or -errno when the file cannot be read.
 */
int ra_mountinfo_by_target(const char *file, const char *target,
                           struct ra_mount *ret);

/**
 * The first mount of device @major:@minor whose mount point is not
 * @except_target (may be NULL). Returns 0, -ENOENT or -errno.
 */
int ra_mountinfo_by_dev(const char *file, unsigned major, unsigned minor,
                        const char *except_target, struct ra_mount *ret);

/** mount(2)'s view of an option string. */
struct ra_mount_opts {
    unsigned long flags; /**< MS_RDONLY, MS_NOATIME, ... */
    char data[1024];     /**< the filesystem's own options, comma-joined */
};

/**
 * Splits @s ("noatime,nodev,data=ordered") into MS_* flags and the
 * filesystem's data string. Options that only mount(8) or fstab know
 * ("defaults", "auto", "nofail", "_netdev", "x-*") are dropped; options
 * that would change what mount(2) does ("remount", "bind", "move",
 * "loop", "user") are refused. Returns 0, or -EINVAL with the offending
 * word in @bad, or -E2BIG when the data does not fit.
 */
int ra_mount_opts_parse(const char *s, struct ra_mount_opts *ret, char *bad,
                        size_t badlen);

#endif
