/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lease.h - a disk lease: one small record on a shared block device naming
 * the node that may use the filesystem, with the holder's wall-clock time
 * of its last renewal and the lease's duration. Another node treats the
 * lease as live while now < renewal + duration + skew, so it refuses to
 * mount while the holder keeps renewing (the idea of sfex, with O_DIRECT
 * I/O, a checksum and a version).
 *
 * Where it lives: at the start of the last MiB of the device (the
 * filesystem must end before it), or at offset 0 of a separate small
 * device. Never inside a filesystem's own area: XFS uses sector 0.
 */
#ifndef PMMHA_LEASE_H
#define PMMHA_LEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "deadline.h"

#define RA_LEASE_MAGIC "PMMHALSE"
#define RA_LEASE_VERSION 1
#define RA_LEASE_BLOCK 4096               /**< one I/O: fits 4Kn devices */
#define RA_LEASE_AREA (UINT64_C(1) << 20) /**< reserved at the device's end */
#define RA_LEASE_RECORD 512               /**< bytes the record uses */
#define RA_LEASE_HOLDER_MAX 64
#define RA_LEASE_FSID_MAX 40

/** The record released by its holder: anyone may take it at once. */
#define RA_LEASE_RELEASED 1u

struct ra_lease {
    uint32_t version;
    uint32_t flags;       /**< RA_LEASE_RELEASED */
    uint64_t counter;     /**< +1 at every write, by anyone */
    uint64_t renewed_ns;  /**< holder's CLOCK_REALTIME at the write */
    uint32_t duration_ms; /**< how long the renewal stays valid */
    char holder[RA_LEASE_HOLDER_MAX];
    char fsid[RA_LEASE_FSID_MAX]; /**< the filesystem it guards (UUID) */
};

enum ra_lease_state {
    RA_LEASE_FREE,    /**< blank or released */
    RA_LEASE_EXPIRED, /**< not renewed in time */
    RA_LEASE_LIVE,    /**< its holder owns the filesystem now */
};

/** Writes @l into @buf (RA_LEASE_BLOCK bytes; the rest zeroed). */
void ra_lease_encode(const struct ra_lease *l, unsigned char *buf);

/**
 * Reads a record from @buf (at least RA_LEASE_RECORD bytes). Returns 0,
 * -ENODATA when the bytes are all zero (never used), -EBADMSG when they
 * are not a lease record (or fail the checksum), -EPROTONOSUPPORT for a
 * newer version.
 */
int ra_lease_decode(const unsigned char *buf, size_t len, struct ra_lease *ret);

/**
 * The state of @l at wall-clock time @now_ns, for a reader whose clock may
 * be @skew_ms behind the holder's: live until renewal + duration + skew.
 */
enum ra_lease_state ra_lease_state(const struct ra_lease *l, uint64_t now_ns,
                                   uint64_t skew_ms);

/** When @l stops being live for a reader allowing @skew_ms (UINT64_MAX,
 * never, when that lies past 2^64 ns). */
uint64_t ra_lease_expiry_ns(const struct ra_lease *l, uint64_t skew_ms);

/**
 * Offset of the record in a device of @dev_size bytes that also holds the
 * filesystem: the start of the last MiB (aligned). -ENOSPC when the device
 * is too small to hold a filesystem and the lease area.
 */
int ra_lease_offset(uint64_t dev_size, uint64_t *ret);

/** Size in bytes of the block device open as @fd; -errno. */
int ra_blockdev_size(int fd, uint64_t *ret);

/**
 * Reads the record at @off of @fd (opened with O_DIRECT: the buffer is
 * aligned here). Returns what ra_lease_decode() returns, or -EIO/-errno
 * when the read fails or is short.
 */
int ra_lease_read(int fd, uint64_t off, struct ra_lease *ret);

/**
 * Writes @l at @off of @fd (opened with O_DIRECT|O_DSYNC, so the record is
 * on the device when this returns). Returns 0 or -errno (-EIO when short).
 */
int ra_lease_write(int fd, uint64_t off, const struct ra_lease *l);

#endif
