/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pmm-storage.h - what the pmm-storage agent's parts share: its
 * configuration (pmm-storage-conf.c), the device and its filesystem
 * (pmm-storage-dev.c), the disk lease (pmm-storage-lease.c) and the
 * actions (pmm-storage.c).
 */
#ifndef PMMHA_PMM_STORAGE_H
#define PMMHA_PMM_STORAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "fsinfo.h"
#include "lease.h"
#include "mountinfo.h"
#include "ra.h"

#define STORAGE_AGENT "pmm-storage"
/** Clock skew between nodes a reader of another node's lease allows. */
#define STORAGE_SKEW_MS 2000
/**
 * start: how long to wait before reading our record back. A racer's write
 * lands before then because every taker's read-to-write stays under half
 * of it (a slower one starts over), so 50 ms keeps the proof and costs a
 * failover little: O_DIRECT 4 KiB I/O takes well under a millisecond on a
 * local disk and a few on a SAN, far from the 25 ms that would make a
 * taker start over (with a warning in the log).
 */
#define STORAGE_RACE_PAUSE_MS 50
/* how often start re-reads a lease whose holder may be dead */
#define STORAGE_WATCH_MS 500
#define STORAGE_STATUS_FILE ".pmmha-storage-status"
/* lease_timeout's largest value: the longest lease a renewal writes */
#define STORAGE_LEASE_MAX_MS 3600000

/** The agent's view of its parameters. */
struct storage_conf {
    const char *device;
    const char *directory;
    const char *fstype;
    const char *options;
    const char *lease_device; /**< "" = the last MiB of device */
    bool fsck;
    bool lease;
    bool kill;
    uint64_t lease_ms;     /**< what a renewal writes (see fit_lease()) */
    uint64_t lease_set_ms; /**< lease_timeout as configured */
    bool lease_keep;       /**< a renewal keeps a longer duration of ours */
    uint64_t grace_ms;
    struct ra_mount_opts mopts;
};

/** The device as found on this node. */
struct storage_dev {
    char path[4096];
    unsigned major, minor;
    char uuid[RA_LEASE_FSID_MAX]; /**< the filesystem's, from libblkid */
};

/** Where the lease record is, and the device it is on, open. */
struct storage_lease {
    int fd;
    char path[4096];
    uint64_t off;
    uint64_t dev_size;
};

/** Reads the parameters (already validated by ra_main). */
void storage_conf_read(const struct ra_ctx *ctx, struct storage_conf *c);

/** The parameter checks ra_main() runs before start and validate-all. */
extern const struct ra_param_check storage_checks[];

/**
 * Finds @c->device on this node (a path, or UUID=/LABEL= via libblkid) and
 * checks it is a block device. Sets @res (ERR_INSTALLED) on failure.
 */
int storage_dev_find(const struct storage_conf *c, struct storage_dev *dev,
                     struct ra_result *res);

/**
 * libblkid must find @c->fstype (and the UUID, when device is UUID=) on
 * @dev; fills @dev->uuid. Sets @res on failure.
 */
int storage_dev_check_type(const struct storage_conf *c,
                           struct storage_dev *dev, struct ra_result *res);

/** The filesystem's size in bytes, from its superblock (O_DIRECT). */
int storage_dev_fs_size(const struct storage_conf *c, const char *path,
                        uint64_t *ret);

/**
 * fsck=auto: runs e2fsck -p when the superblock asks for it. Sets @res on
 * failure.
 */
int storage_dev_fsck(const struct ra_ctx *ctx, const struct storage_conf *c,
                     const struct storage_dev *dev, struct ra_result *res);

/** 0 when @path's superblock still holds @c->fstype (O_DIRECT read). */
int storage_dev_check_super(const struct storage_conf *c, const char *path,
                            struct ra_result *res);

/**
 * Opens the lease's device and finds the record's place: lease_device at
 * 0, or the last MiB of @dev, which the filesystem must not reach (else
 * ERR_CONFIGURED with the mkfs to use). Sets @res on failure.
 */
int storage_lease_open(const struct storage_conf *c,
                       const struct storage_dev *dev, struct storage_lease *l,
                       struct ra_result *res);

/**
 * Opens the lease's device at a place recorded earlier (@path, @off), and
 * checks the device still has @dev_size bytes. Sets @res on failure.
 */
int storage_lease_reopen(const char *path, uint64_t off, uint64_t dev_size,
                         struct storage_lease *l, struct ra_result *res);

/** Closes what storage_lease_open() opened; accepts a closed one. */
void storage_lease_close(struct storage_lease *l);

/**
 * start: takes the lease unless another node holds it live; writes ours,
 * reads it back after a pause. Sets @res on failure.
 */
int storage_lease_acquire(const struct ra_ctx *ctx,
                          const struct storage_conf *c,
                          const struct storage_dev *dev,
                          struct storage_lease *l, struct ra_result *res);

/**
 * monitor: renews our lease; another node's record is an error. @ret_cur
 * gets the record it renewed (the caller warns when it had expired): this
 * runs in an I/O child (lib/iochild.h), which must not log.
 */
int storage_lease_renew(const struct ra_ctx *ctx, const struct storage_conf *c,
                        const struct storage_dev *dev, struct storage_lease *l,
                        struct ra_lease *ret_cur, struct ra_result *res);

/** stop: marks our lease released; -EPERM when it is not ours. */
int storage_lease_release(const struct ra_ctx *ctx, struct storage_lease *l,
                          char *why, size_t len);

#endif
