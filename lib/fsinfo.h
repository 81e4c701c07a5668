/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fsinfo.h - what a filesystem's own superblock says about its size and
 * health (ext2/3/4 and XFS), read from the device's first bytes. libblkid
 * 2.38 names the type but not the size; the lease area at the device's end
 * must be outside the filesystem, so the size is read here.
 */
#ifndef PMMHA_FSINFO_H
#define PMMHA_FSINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Bytes of the device's start that ra_fs_info() needs. */
#define RA_FSINFO_BYTES 4096

struct ra_fs_info {
    uint64_t size;    /**< bytes the filesystem spans from offset 0 */
    bool has_journal; /**< ext3/4 journal, or XFS (always) */
    bool errors;      /**< ext: the kernel recorded errors */
    bool clean;       /**< ext: cleanly unmounted (or journal will tell) */
};

/**
 * Reads the superblock of a @fstype ("ext2", "ext3", "ext4", "xfs") from
 * @buf (the device's first @len bytes, at least RA_FSINFO_BYTES). Returns
 * 0, -EMEDIUMTYPE when the magic is not there or the superblock is
 * damaged (a block size out of range, a size past 2^64 bytes), -EOPNOTSUPP
 * for another type, -EINVAL when @len is too short.
 */
int ra_fs_info(const unsigned char *buf, size_t len, const char *fstype,
               struct ra_fs_info *ret);

#endif
