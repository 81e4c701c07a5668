/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-fsinfo.c - lib/fsinfo.c: an ext2/3/4 or XFS superblock at the start
 * of a device, read for the filesystem's size (the lease area must lie
 * beyond it) and health.
 *
 * Input: byte 0 picks the type; the rest is the device's first bytes
 * (short inputs are padded with zeros to RA_FSINFO_BYTES). The same bytes
 * are read as an ext4 MMP block too (ra_fs_mmp_state), whose verdict
 * must be "clean" only for the clean sequence under the MMP magic: a
 * damaged block reads as in use, never as clean (fail closed).
 */
#include "config.h"

#include <stdbool.h>

#include "../../lib/bytes.h"
#include "../../lib/fsinfo.h"
#include "fuzz.h"

/*
 * The size the superblock describes, computed without wrapping; false when
 * it does not fit in 64 bits (a wrapped size would put the lease area
 * inside the filesystem).
 */
static bool
true_size(const unsigned char *buf, const char *type, uint64_t *ret)
{
    const unsigned char *sb = buf + 1024;
    uint64_t blocks = ra_get_le(sb + 4, 4), log = ra_get_le(sb + 24, 4);

    if (!strcmp(type, "xfs"))
        return !__builtin_mul_overflow(ra_get_be(buf + 8, 8),
                                       ra_get_be(buf + 4, 4), ret);
    if (ra_get_le(sb + 96, 4) & 0x80) /* 64bit */
        blocks |= ra_get_le(sb + 0x150, 4) << 32;
    return log <= 16
           && !__builtin_mul_overflow(blocks, UINT64_C(1024) << log, ret);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const types[]
        = { "ext4", "xfs", "ext2", "ext3", "btrfs" };
    unsigned char *buf;
    size_t len;
    struct ra_fs_info info;
    const char *type;
    uint64_t want;

    if (size < 1)
        return 0;
    type = types[data[0] % 5];
    len = size - 1 < RA_FSINFO_BYTES ? RA_FSINFO_BYTES : size - 1;
    buf = calloc(1, len);
    if (!buf)
        abort();
    memcpy(buf, data + 1, size - 1);
    if (ra_fs_info(buf, len, type, &info) == 0
        && (!true_size(buf, type, &want) || want != info.size))
        abort();
    (void) ra_fs_info(buf, RA_FSINFO_BYTES - 1, type, &info);
    if (ra_fs_mmp_state(buf, len) == RA_FS_MMP_CLEAN
        && (ra_get_le(buf, 4) != 0x004d4d50
            || ra_get_le(buf + 4, 4) != 0xff4d4d50))
        abort();
    (void) ra_fs_mmp_state(buf, size - 1 < 8 ? size - 1 : 8);
    free(buf);
    return 0;
}
