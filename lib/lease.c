/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "bytes.h"
#include "lease.h"

/*
 * Layout, little-endian:
 *   0 magic[8]  8 version u32  12 flags u32  16 counter u64
 *  24 renewed_ns u64  32 duration_ms u32  36 reserved u32
 *  40 holder[64]  104 fsid[40]  144..507 zero  508 crc32 of 0..507
 */
#define OFF_CRC (RA_LEASE_RECORD - 4)

static const unsigned char magic[8]
    = { 'P', 'M', 'M', 'H', 'A', 'L', 'S', 'E' };

/* CRC-32 (IEEE 802.3), bitwise: 508 bytes do not need a table. */
static uint32_t
crc32(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;

    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return ~c;
}

void
ra_lease_encode(const struct ra_lease *l, unsigned char *buf)
{
    memset(buf, 0, RA_LEASE_BLOCK);
    memcpy(buf, magic, sizeof magic);
    ra_put_le(buf + 8, l->version, 4);
    ra_put_le(buf + 12, l->flags, 4);
    ra_put_le(buf + 16, l->counter, 8);
    ra_put_le(buf + 24, l->renewed_ns, 8);
    ra_put_le(buf + 32, l->duration_ms, 4);
    memcpy(buf + 40, l->holder, strnlen(l->holder, RA_LEASE_HOLDER_MAX - 1));
    memcpy(buf + 104, l->fsid, strnlen(l->fsid, RA_LEASE_FSID_MAX - 1));
    ra_put_le(buf + OFF_CRC, crc32(buf, OFF_CRC), 4);
}

static bool
all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

int
ra_lease_decode(const unsigned char *buf, size_t len, struct ra_lease *ret)
{
    struct ra_lease l;

    if (len < RA_LEASE_RECORD)
        return -EINVAL;
    if (all_zero(buf, RA_LEASE_RECORD))
        return -ENODATA;
    if (memcmp(buf, magic, sizeof magic) != 0
        || ra_get_le(buf + OFF_CRC, 4) != crc32(buf, OFF_CRC))
        return -EBADMSG;
    memset(&l, 0, sizeof l);
    l.version = (uint32_t) ra_get_le(buf + 8, 4);
    if (l.version != RA_LEASE_VERSION)
        return -EPROTONOSUPPORT;
    l.flags = (uint32_t) ra_get_le(buf + 12, 4);
    l.counter = ra_get_le(buf + 16, 8);
    l.renewed_ns = ra_get_le(buf + 24, 8);
    l.duration_ms = (uint32_t) ra_get_le(buf + 32, 4);
    memcpy(l.holder, buf + 40, RA_LEASE_HOLDER_MAX - 1);
    memcpy(l.fsid, buf + 104, RA_LEASE_FSID_MAX - 1);
    *ret = l;
    return 0;
}

uint64_t
ra_lease_expiry_ns(const struct ra_lease *l, uint64_t skew_ms)
{
    uint64_t span, end;

    /* an end past 2^64 ns is never: wrapped, a live lease would look
     * expired (fail closed) */
    if (__builtin_mul_overflow((uint64_t) l->duration_ms + skew_ms,
                               UINT64_C(1000000), &span)
        || __builtin_add_overflow(l->renewed_ns, span, &end))
        return UINT64_MAX;
    return end;
}

enum ra_lease_state
ra_lease_state(const struct ra_lease *l, uint64_t now_ns, uint64_t skew_ms)
{
    if (l->flags & RA_LEASE_RELEASED)
        return RA_LEASE_FREE;
    return now_ns < ra_lease_expiry_ns(l, skew_ms) ? RA_LEASE_LIVE
                                                   : RA_LEASE_EXPIRED;
}

int
ra_lease_offset(uint64_t dev_size, uint64_t *ret)
{
    uint64_t end = dev_size & ~(uint64_t) (RA_LEASE_BLOCK - 1);

    if (end < 2 * RA_LEASE_AREA)
        return -ENOSPC;
    *ret = end - RA_LEASE_AREA;
    return 0;
}

int
ra_blockdev_size(int fd, uint64_t *ret)
{
    uint64_t size;

    if (ioctl(fd, BLKGETSIZE64, &size) < 0)
        return -errno;
    *ret = size;
    return 0;
}

int
ra_lease_read(int fd, uint64_t off, struct ra_lease *ret)
{
    void *buf = NULL;
    ssize_t n;
    int r;

    if (posix_memalign(&buf, RA_LEASE_BLOCK, RA_LEASE_BLOCK) != 0)
        return -ENOMEM;
    n = pread(fd, buf, RA_LEASE_BLOCK, (off_t) off);
    if (n < 0)
        r = -errno;
    else if (n < RA_LEASE_RECORD)
        r = -EIO;
    else
        r = ra_lease_decode(buf, (size_t) n, ret);
    free(buf);
    return r;
}

int
ra_lease_write(int fd, uint64_t off, const struct ra_lease *l)
{
    void *buf = NULL;
    ssize_t n;
    int r = 0;

    if (posix_memalign(&buf, RA_LEASE_BLOCK, RA_LEASE_BLOCK) != 0)
        return -ENOMEM;
    ra_lease_encode(l, buf);
    n = pwrite(fd, buf, RA_LEASE_BLOCK, (off_t) off);
    if (n < 0)
        r = -errno;
    else if (n != RA_LEASE_BLOCK)
        r = -EIO;
    free(buf);
    return r;
}
