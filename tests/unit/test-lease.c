/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-lease.c - lib/lease.c (the record's encoding, checksum, versions,
 * expiry with clock skew, its place on the device, I/O with failures
 * injected through -Wl,--wrap=pread,--wrap=pwrite) and lib/fsinfo.c
 * (ext4 and XFS superblocks built by hand).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fsinfo.h"
#include "lease.h"

#define SEC UINT64_C(1000000000)

/* ---- failure injection ---------------------------------------------- */

ssize_t __real_pread(int fd, void *buf, size_t n, off_t off);
ssize_t __real_pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off);
ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off);

static int fail_read, fail_write; /* 0, an errno, or -1 for "short" */

ssize_t
__wrap_pread(int fd, void *buf, size_t n, off_t off)
{
    if (fail_read > 0) {
        errno = fail_read;
        return -1;
    }
    if (fail_read < 0)
        return __real_pread(fd, buf, 100, off);
    return __real_pread(fd, buf, n, off);
}

ssize_t
__wrap_pwrite(int fd, const void *buf, size_t n, off_t off)
{
    if (fail_write > 0) {
        errno = fail_write;
        return -1;
    }
    if (fail_write < 0)
        return __real_pwrite(fd, buf, n / 2, off);
    return __real_pwrite(fd, buf, n, off);
}

static struct ra_lease
sample(void)
{
    struct ra_lease l;

    memset(&l, 0, sizeof l);
    l.version = RA_LEASE_VERSION;
    l.counter = 41;
    l.renewed_ns = 1700000000 * SEC + 123;
    l.duration_ms = 30000;
    snprintf(l.holder, sizeof l.holder, "node1.example.com");
    snprintf(l.fsid, sizeof l.fsid, "43092a47-ad6e-4dd3-a578-cf1cbd1166e4");
    return l;
}

static void
test_roundtrip(void **state)
{
    unsigned char buf[RA_LEASE_BLOCK];
    struct ra_lease l = sample(), back;

    (void) state;
    ra_lease_encode(&l, buf);
    assert_memory_equal(buf, RA_LEASE_MAGIC, 8);
    assert_int_equal(ra_lease_decode(buf, sizeof buf, &back), 0);
    assert_int_equal(back.counter, 41);
    assert_true(back.renewed_ns == l.renewed_ns);
    assert_int_equal(back.duration_ms, 30000);
    assert_int_equal(back.flags, 0);
    assert_string_equal(back.holder, "node1.example.com");
    assert_string_equal(back.fsid, l.fsid);
    /* everything past the record is zero */
    for (size_t i = RA_LEASE_RECORD; i < sizeof buf; i++)
        assert_int_equal(buf[i], 0);
}

static void
test_decode_errors(void **state)
{
    unsigned char buf[RA_LEASE_BLOCK];
    struct ra_lease l = sample(), back;

    (void) state;
    memset(buf, 0, sizeof buf);
    assert_int_equal(ra_lease_decode(buf, sizeof buf, &back), -ENODATA);
    assert_int_equal(ra_lease_decode(buf, 100, &back), -EINVAL);
    memset(buf, 0xa5, sizeof buf); /* someone else's bytes */
    assert_int_equal(ra_lease_decode(buf, sizeof buf, &back), -EBADMSG);
    ra_lease_encode(&l, buf);
    buf[45] ^= 1; /* one bit flipped in the holder */
    assert_int_equal(ra_lease_decode(buf, sizeof buf, &back), -EBADMSG);
    l.version = 2;
    ra_lease_encode(&l, buf);
    assert_int_equal(ra_lease_decode(buf, sizeof buf, &back), -EPROTONOSUPPORT);
}

static void
test_long_names(void **state)
{
    unsigned char buf[RA_LEASE_BLOCK];
    struct ra_lease l = sample(), back;

    (void) state;
    memset(l.holder, 'h', sizeof l.holder - 1);
    l.holder[sizeof l.holder - 1] = '\0';
    ra_lease_encode(&l, buf);
    assert_int_equal(ra_lease_decode(buf, sizeof buf, &back), 0);
    assert_int_equal(strlen(back.holder), RA_LEASE_HOLDER_MAX - 1);
}

static void
test_expiry(void **state)
{
    struct ra_lease l = sample();
    uint64_t t = l.renewed_ns;

    (void) state;
    assert_int_equal(ra_lease_state(&l, t, 0), RA_LEASE_LIVE);
    assert_int_equal(ra_lease_state(&l, t + 29 * SEC, 0), RA_LEASE_LIVE);
    assert_int_equal(ra_lease_state(&l, t + 30 * SEC, 0), RA_LEASE_EXPIRED);
    /* a reader allowing 2 s of skew waits 2 s longer */
    assert_int_equal(ra_lease_state(&l, t + 31 * SEC, 2000), RA_LEASE_LIVE);
    assert_int_equal(ra_lease_state(&l, t + 32 * SEC, 2000), RA_LEASE_EXPIRED);
    assert_true(ra_lease_expiry_ns(&l, 2000) == t + 32 * SEC);
    /* a holder's clock ahead of ours: still live, never "negative" */
    assert_int_equal(ra_lease_state(&l, t - 100 * SEC, 0), RA_LEASE_LIVE);
    l.flags = RA_LEASE_RELEASED;
    assert_int_equal(ra_lease_state(&l, t, 2000), RA_LEASE_FREE);
}

static void
test_offset(void **state)
{
    uint64_t off;

    (void) state;
    assert_int_equal(ra_lease_offset(64 << 20, &off), 0);
    assert_true(off == (63 << 20));
    /* a size that is not a multiple of 4 KiB: aligned down */
    assert_int_equal(ra_lease_offset((64 << 20) + 1000, &off), 0);
    assert_true(off == (63 << 20));
    assert_int_equal(off % RA_LEASE_BLOCK, 0);
    assert_int_equal(ra_lease_offset(2 << 20, &off), 0);
    assert_int_equal(ra_lease_offset((2 << 20) - 4096, &off), -ENOSPC);
    assert_int_equal(ra_lease_offset(0, &off), -ENOSPC);
}

static void
test_io(void **state)
{
    char path[] = "/tmp/pmmha-lease-XXXXXX";
    int fd = mkstemp(path);
    struct ra_lease l = sample(), back;
    uint64_t size;

    (void) state;
    assert_true(fd >= 0);
    unlink(path);
    assert_int_equal(ftruncate(fd, 8 << 20), 0);
    assert_int_equal(ra_lease_read(fd, 4096, &back), -ENODATA);
    assert_int_equal(ra_lease_write(fd, 4096, &l), 0);
    assert_int_equal(ra_lease_read(fd, 4096, &back), 0);
    assert_string_equal(back.holder, l.holder);
    /* not a block device */
    assert_int_equal(ra_blockdev_size(fd, &size), -ENOTTY);
    fail_read = EIO;
    assert_int_equal(ra_lease_read(fd, 4096, &back), -EIO);
    fail_read = -1; /* a short read (past the device's end) */
    assert_int_equal(ra_lease_read(fd, 4096, &back), -EIO);
    fail_read = 0;
    fail_write = ENOSPC;
    assert_int_equal(ra_lease_write(fd, 4096, &l), -ENOSPC);
    fail_write = -1;
    assert_int_equal(ra_lease_write(fd, 4096, &l), -EIO);
    fail_write = 0;
    /* past the end of the file: nothing there */
    assert_int_equal(ra_lease_read(fd, 16 << 20, &back), -EIO);
    close(fd);
}

static void
test_wallclock(void **state)
{
    (void) state;
    assert_true(ra_wallclock_ns() > 1600000000 * SEC);
}

/* ---- fsinfo ------------------------------------------------------------- */

static void
put32(unsigned char *p, uint32_t v, int big)
{
    for (int i = 0; i < 4; i++)
        p[big ? 3 - i : i] = (unsigned char) (v >> (8 * i));
}

static void
test_fsinfo_ext4(void **state)
{
    unsigned char buf[RA_FSINFO_BYTES];
    unsigned char *sb = buf + 1024;
    struct ra_fs_info info;

    (void) state;
    memset(buf, 0, sizeof buf);
    assert_int_equal(ra_fs_info(buf, sizeof buf, "ext4", &info), -EMEDIUMTYPE);
    put32(sb + 4, 16128, 0); /* blocks */
    put32(sb + 24, 2, 0);    /* 4 KiB blocks */
    sb[56] = 0x53;
    sb[57] = 0xef;
    sb[58] = 1;             /* clean */
    put32(sb + 92, 0x4, 0); /* has_journal */
    assert_int_equal(ra_fs_info(buf, sizeof buf, "ext4", &info), 0);
    assert_true(info.size == (uint64_t) 16128 * 4096);
    assert_true(info.has_journal && info.clean && !info.errors);
    assert_false(info.maybe_mounted);
    assert_true(info.mmp_off == 0);
    /* a read-write mount sets needs_recovery on disk: may be mounted */
    put32(sb + 96, 0x4, 0);
    assert_int_equal(ra_fs_info(buf, sizeof buf, "ext4", &info), 0);
    assert_true(info.maybe_mounted && info.clean);
    /* MMP: where its block is */
    put32(sb + 96, 0x100, 0);
    put32(sb + 0x168, 7986, 0);
    assert_int_equal(ra_fs_info(buf, sizeof buf, "ext4", &info), 0);
    assert_false(info.maybe_mounted);
    assert_true(info.mmp_off == (uint64_t) 7986 * 4096);
    put32(sb + 96, 0, 0);
    sb[58] = 0; /* no journal, valid flag cleared: mounted */
    put32(sb + 92, 0, 0);
    assert_int_equal(ra_fs_info(buf, sizeof buf, "ext2", &info), 0);
    assert_true(info.maybe_mounted);
    put32(sb + 92, 0x4, 0);
    sb[58] = 3; /* errors recorded */
    put32(sb + 92, 0, 0);
    assert_int_equal(ra_fs_info(buf, sizeof buf, "ext2", &info), 0);
    assert_true(info.errors && !info.has_journal);
    /* 64bit: the high word counts */
    put32(sb + 96, 0x80, 0);
    put32(sb + 0x150, 1, 0);
    assert_int_equal(ra_fs_info(buf, sizeof buf, "ext4", &info), 0);
    assert_true(info.size == ((UINT64_C(1) << 32) + 16128) * 4096);
    assert_int_equal(ra_fs_info(buf, 2048, "ext4", &info), -EINVAL);
    assert_int_equal(ra_fs_info(buf, sizeof buf, "btrfs", &info), -EOPNOTSUPP);
    /* an XFS is not an ext4 */
    assert_int_equal(ra_fs_info(buf, sizeof buf, "xfs", &info), -EMEDIUMTYPE);
}

static void
test_fsinfo_xfs(void **state)
{
    unsigned char buf[RA_FSINFO_BYTES];

    struct ra_fs_info info;

    (void) state;
    memset(buf, 0, sizeof buf);
    memcpy(buf, "XFSB", 4);
    put32(buf + 4, 4096, 1);
    put32(buf + 12, 16128, 1); /* sb_dblocks, low half of a be64 */
    assert_int_equal(ra_fs_info(buf, sizeof buf, "xfs", &info), 0);
    assert_true(info.size == (uint64_t) 16128 * 4096);
    assert_true(info.has_journal && info.clean);
    assert_false(info.maybe_mounted); /* XFS records no mount */
    put32(buf + 4, 100, 1);           /* nonsense block size */
    assert_int_equal(ra_fs_info(buf, sizeof buf, "xfs", &info), -EMEDIUMTYPE);
    assert_int_equal(ra_fs_info(buf, sizeof buf, "ext4", &info), -EMEDIUMTYPE);
}

static void
test_fsinfo_mmp(void **state)
{
    unsigned char mmp[1024] = { 0 };

    (void) state;
    assert_int_equal(ra_fs_mmp_state(mmp, sizeof mmp), -EMEDIUMTYPE);
    put32(mmp, 0x004d4d50, 0);
    put32(mmp + 4, 0xff4d4d50, 0);
    assert_int_equal(ra_fs_mmp_state(mmp, sizeof mmp), RA_FS_MMP_CLEAN);
    put32(mmp + 4, 1, 0); /* a mounted node's sequence */
    assert_int_equal(ra_fs_mmp_state(mmp, sizeof mmp), RA_FS_MMP_IN_USE);
    put32(mmp + 4, 0xe24d4d50, 0); /* fsck running */
    assert_int_equal(ra_fs_mmp_state(mmp, sizeof mmp), RA_FS_MMP_IN_USE);
    assert_int_equal(ra_fs_mmp_state(mmp, 4), -EINVAL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),  cmocka_unit_test(test_decode_errors),
        cmocka_unit_test(test_long_names), cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_offset),     cmocka_unit_test(test_io),
        cmocka_unit_test(test_wallclock),  cmocka_unit_test(test_fsinfo_ext4),
        cmocka_unit_test(test_fsinfo_xfs), cmocka_unit_test(test_fsinfo_mmp),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
