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

#include "deadline.h"

/** Bytes of the device's start that ra_fs_info() needs. */
#define RA_FSINFO_BYTES 4096

struct ra_fs_info {
    uint64_t size;    /**< bytes the filesystem spans from offset 0 */
    bool has_journal; /**< ext3/4 journal, or XFS (always) */
    bool errors;      /**< ext: the kernel recorded errors */
    bool clean;       /**< ext: cleanly unmounted (or journal will tell) */
    /**
     * ext: the superblock says a node may have it mounted read-write, or
     * crashed with it mounted: the journal needs recovery (set on disk at
     * every read-write mount, cleared at a clean unmount), or, without a
     * journal, the valid flag is cleared. Never set for XFS, which records
     * no mount: its log stays clean while an idle mount writes nothing.
     */
    bool maybe_mounted;
    uint64_t mmp_off; /**< ext4 multi-mount protection block, bytes; 0: none */
};

/** ra_fs_mmp_state(): what the ext4 MMP block says. */
enum ra_fs_mmp {
    RA_FS_MMP_CLEAN,  /**< cleanly unmounted: nobody holds it */
    RA_FS_MMP_IN_USE, /**< a node has it mounted (or died with it), or fsck */
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

/**
 * What the ext4 MMP block in @buf (@len bytes from ra_fs_info's mmp_off)
 * says: RA_FS_MMP_CLEAN or RA_FS_MMP_IN_USE; -EMEDIUMTYPE when it is not
 * an MMP block, -EINVAL when @len is too short.
 */
int ra_fs_mmp_state(const unsigned char *buf, size_t len);

/**
 * ra_fs_info() of the superblock of @path, read with O_DIRECT (the page
 * cache may be stale for shared storage another node wrote). -errno.
 */
int ra_fs_read(const char *path, const char *fstype, struct ra_fs_info *ret);

/** ra_fs_use(): what a filesystem's own on-disk record says of mounts. */
enum ra_fs_use {
    RA_FS_UNMOUNTED, /**< proof: no node has it mounted read-write */
    RA_FS_IN_USE,    /**< a node may have it mounted, or died with it */
    RA_FS_UNKNOWN,   /**< it cannot be told */
};

/**
 * What @path's @fstype records of its mounts: ext's needs_recovery flag
 * (set on disk by every read-write mount with a journal, cleared at a
 * clean unmount), its valid flag without a journal, and its MMP block,
 * read with O_DIRECT; for XFS, whether its log is clean (xfs_logprint, run
 * until @deadline). An XFS log stays clean while a mount writes nothing,
 * so a clean one proves no pmmha holder only because pmm-storage writes to
 * an XFS at every start. An unreadable superblock counts as in use. @why
 * gets a few words for a message.
 */
enum ra_fs_use ra_fs_use(const char *path, const char *fstype,
                         ra_deadline_t deadline, char *why, size_t len);

#endif
