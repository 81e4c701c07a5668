/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "bytes.h"
#include "fsinfo.h"

#define EXT_SB 1024
#define EXT_MAGIC 0xef53
#define EXT_STATE_VALID 0x1
#define EXT_STATE_ERROR 0x2
#define EXT_COMPAT_JOURNAL 0x4
#define EXT_INCOMPAT_64BIT 0x80

static int
ext_info(const unsigned char *sb, struct ra_fs_info *ret)
{
    uint64_t blocks = ra_get_le(sb + 4, 4);
    uint64_t log = ra_get_le(sb + 24, 4);
    uint64_t state = ra_get_le(sb + 58, 2);

    if (ra_get_le(sb + 56, 2) != EXT_MAGIC || log > 16)
        return -EMEDIUMTYPE;
    if (ra_get_le(sb + 96, 4) & EXT_INCOMPAT_64BIT)
        blocks |= ra_get_le(sb + 0x150, 4) << 32;
    /* a size past 2^64 is damage, and wrapped it would look small */
    if (__builtin_mul_overflow(blocks, UINT64_C(1024) << log, &ret->size))
        return -EMEDIUMTYPE;
    ret->has_journal = (ra_get_le(sb + 92, 4) & EXT_COMPAT_JOURNAL) != 0;
    ret->errors = (state & EXT_STATE_ERROR) != 0;
    ret->clean = (state & EXT_STATE_VALID) != 0;
    return 0;
}

static int
xfs_info(const unsigned char *sb, struct ra_fs_info *ret)
{
    uint64_t bsize = ra_get_be(sb + 4, 4);

    if (memcmp(sb, "XFSB", 4) != 0 || bsize < 512 || bsize > 65536)
        return -EMEDIUMTYPE;
    if (__builtin_mul_overflow(ra_get_be(sb + 8, 8), bsize, &ret->size))
        return -EMEDIUMTYPE;
    ret->has_journal = true;
    ret->errors = false;
    ret->clean = true; /* XFS replays its log at mount */
    return 0;
}

int
ra_fs_info(const unsigned char *buf, size_t len, const char *fstype,
           struct ra_fs_info *ret)
{
    if (len < RA_FSINFO_BYTES)
        return -EINVAL;
    memset(ret, 0, sizeof *ret);
    if (!strcmp(fstype, "ext2") || !strcmp(fstype, "ext3")
        || !strcmp(fstype, "ext4"))
        return ext_info(buf + EXT_SB, ret);
    if (!strcmp(fstype, "xfs"))
        return xfs_info(buf, ret);
    return -EOPNOTSUPP;
}
