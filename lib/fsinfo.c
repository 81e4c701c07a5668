/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fsinfo.c - superblocks (ext2/3/4, XFS) and the ext4 MMP block: parsed
 * from bytes, and read from a device with O_DIRECT.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bytes.h"
#include "fsinfo.h"
#include "ra-spawn.h"

#define EXT_SB 1024
#define EXT_MAGIC 0xef53
#define EXT_STATE_VALID 0x1
#define EXT_STATE_ERROR 0x2
#define EXT_COMPAT_JOURNAL 0x4
#define EXT_INCOMPAT_RECOVER 0x4
#define EXT_INCOMPAT_64BIT 0x80
#define EXT_INCOMPAT_MMP 0x100
#define EXT_MMP_MAGIC 0x004d4d50
#define EXT_MMP_SEQ_CLEAN 0xff4d4d50

static int
ext_info(const unsigned char *sb, struct ra_fs_info *ret)
{
    uint64_t blocks = ra_get_le(sb + 4, 4);
    uint64_t log = ra_get_le(sb + 24, 4);
    uint64_t state = ra_get_le(sb + 58, 2);
    uint64_t incompat = ra_get_le(sb + 96, 4);

    if (ra_get_le(sb + 56, 2) != EXT_MAGIC || log > 16)
        return -EMEDIUMTYPE;
    if (incompat & EXT_INCOMPAT_64BIT)
        blocks |= ra_get_le(sb + 0x150, 4) << 32;
    /* a size past 2^64 is damage, and wrapped it would look small */
    if (__builtin_mul_overflow(blocks, UINT64_C(1024) << log, &ret->size))
        return -EMEDIUMTYPE;
    ret->has_journal = (ra_get_le(sb + 92, 4) & EXT_COMPAT_JOURNAL) != 0;
    ret->errors = (state & EXT_STATE_ERROR) != 0;
    ret->clean = (state & EXT_STATE_VALID) != 0;
    ret->maybe_mounted = ret->has_journal
                             ? (incompat & EXT_INCOMPAT_RECOVER) != 0
                             : !ret->clean;
    if (incompat & EXT_INCOMPAT_MMP)
        ret->mmp_off = ra_get_le(sb + 0x168, 8) * (UINT64_C(1024) << log);
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

int
ra_fs_mmp_state(const unsigned char *buf, size_t len)
{
    if (len < 8)
        return -EINVAL;
    if (ra_get_le(buf, 4) != EXT_MMP_MAGIC)
        return -EMEDIUMTYPE;
    return ra_get_le(buf + 4, 4) == EXT_MMP_SEQ_CLEAN ? RA_FS_MMP_CLEAN
                                                      : RA_FS_MMP_IN_USE;
}

/* @len bytes at @off of @path, read with O_DIRECT (the page cache may be
 * stale for shared storage another node wrote) into @buf, aligned. */
static int
read_direct(const char *path, uint64_t off, size_t len, unsigned char *buf)
{
    int fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
    ssize_t n;
    int r = 0;

    if (fd < 0)
        return -errno;
    n = pread(fd, buf, len, (off_t) off);
    if (n < 0)
        r = -errno;
    else if ((size_t) n < len)
        r = -EIO;
    close(fd);
    return r;
}

int
ra_fs_read(const char *path, const char *fstype, struct ra_fs_info *info)
{
    void *buf = NULL;
    int r;

    memset(info, 0, sizeof *info);
    if (posix_memalign(&buf, RA_FSINFO_BYTES, RA_FSINFO_BYTES) != 0)
        return -ENOMEM;
    r = read_direct(path, 0, RA_FSINFO_BYTES, buf);
    if (r == 0)
        r = ra_fs_info(buf, RA_FSINFO_BYTES, fstype, info);
    free(buf);
    return r;
}

/* What the ext4 MMP block at byte @off says (RA_FS_MMP_*), or -errno. */
static int
read_mmp(const char *path, uint64_t off)
{
    uint64_t base = off & ~(uint64_t) (RA_FSINFO_BYTES - 1);
    void *buf = NULL;
    int r;

    if (posix_memalign(&buf, RA_FSINFO_BYTES, RA_FSINFO_BYTES) != 0)
        return -ENOMEM;
    r = read_direct(path, base, RA_FSINFO_BYTES, buf);
    if (r == 0)
        r = ra_fs_mmp_state((unsigned char *) buf + (off - base),
                            RA_FSINFO_BYTES - (size_t) (off - base));
    free(buf);
    return r;
}

/*
 * What xfs_logprint says of the XFS log on @path: "<CLEAN>" (unmounted
 * cleanly, or mounted and not written since: pmm-storage writes at every
 * start, so not by a pmmha holder) or "<DIRTY>". The block device's cache
 * is dropped first: it may hold log blocks this node read before another
 * node wrote them.
 */
static enum ra_fs_use
xfs_use(const char *path, ra_deadline_t deadline, char *why, size_t len)
{
    char prog[256];
    char *argv[] = { prog, (char *) "-t", (char *) path, NULL };
    struct ra_spawn_result out = { 0 };
    enum ra_fs_use use = RA_FS_UNKNOWN;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd >= 0) {
        (void) ioctl(fd, BLKFLSBUF, 0);
        close(fd);
    }
    snprintf(why, len, "xfs_logprint cannot tell if the xfs is mounted");
    if (ra_find_program("xfs_logprint", prog, sizeof prog) < 0
        || ra_spawn(argv, NULL, deadline, 200, &out) < 0 || !out.out) {
        ra_spawn_result_free(&out);
        return use;
    }
    if (out.status == 0 && strstr(out.out, "state: <CLEAN>")) {
        snprintf(why, len, "its xfs log is clean");
        use = RA_FS_UNMOUNTED;
    } else if (strstr(out.out, "state: <DIRTY>")) {
        snprintf(why, len, "its xfs log is dirty");
        use = RA_FS_IN_USE;
    }
    ra_spawn_result_free(&out);
    return use;
}

enum ra_fs_use
ra_fs_use(const char *path, const char *fstype, ra_deadline_t deadline,
          char *why, size_t len)
{
    struct ra_fs_info info;
    int r = ra_fs_read(path, fstype, &info);

    if (r < 0) {
        snprintf(why, len, "its superblock cannot be read (%s)", strerror(-r));
        return RA_FS_IN_USE;
    }
    if (!strcmp(fstype, "xfs"))
        return xfs_use(path, deadline, why, len);
    if (info.maybe_mounted) {
        snprintf(why, len, "its %s %s", fstype,
                 info.has_journal ? "journal needs recovery"
                                  : "was not cleanly unmounted");
        return RA_FS_IN_USE;
    }
    if (info.mmp_off) {
        r = read_mmp(path, info.mmp_off);
        if (r != RA_FS_MMP_CLEAN) {
            snprintf(why, len, "its %s multi-mount protection %s", fstype,
                     r == RA_FS_MMP_IN_USE ? "says in use" : "is unreadable");
            return RA_FS_IN_USE;
        }
    }
    snprintf(why, len, "its %s was cleanly unmounted", fstype);
    return RA_FS_UNMOUNTED;
}
