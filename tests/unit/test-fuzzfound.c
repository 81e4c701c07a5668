/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-fuzzfound.c - what the fuzzers (tests/fuzz) found, each kept as a
 * unit test beside its reproducer in tests/fuzz/corpus/NAME/regress-*.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fsinfo.h"
#include "lease.h"

static void
put_le(unsigned char *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (unsigned char) (v >> (8 * i));
}

static void
put_be(unsigned char *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[n - 1 - i] = (unsigned char) (v >> (8 * i));
}

/* fuzz-fsinfo: a block count whose size passes 2^64 wrapped to a small
 * size, which would put the lease area inside the filesystem */
static void
test_fsinfo_size_wraps(void **state)
{
    unsigned char buf[RA_FSINFO_BYTES] = { 0 }, *sb = buf + 1024;
    struct ra_fs_info info;

    (void) state;
    put_le(sb + 4, 0x20000, 4);    /* blocks, low */
    put_le(sb + 24, 16, 4);        /* 64 MiB blocks */
    put_le(sb + 56, 0xef53, 2);    /* magic */
    put_le(sb + 96, 0x80, 4);      /* 64bit */
    put_le(sb + 0x150, 0xffff, 4); /* blocks, high */
    assert_int_equal(ra_fs_info(buf, sizeof buf, "ext4", &info), -EMEDIUMTYPE);
    put_le(sb + 0x150, 0, 4);
    assert_int_equal(ra_fs_info(buf, sizeof buf, "ext4", &info), 0);
    assert_true(info.size == (UINT64_C(0x20000) << 26));

    memset(buf, 0, sizeof buf);
    memcpy(buf, "XFSB", 4);
    put_be(buf + 4, 65536, 4);
    put_be(buf + 8, UINT64_C(1) << 48, 8); /* dblocks */
    assert_int_equal(ra_fs_info(buf, sizeof buf, "xfs", &info), -EMEDIUMTYPE);
    put_be(buf + 8, UINT64_C(1) << 47, 8);
    assert_int_equal(ra_fs_info(buf, sizeof buf, "xfs", &info), 0);
    assert_true(info.size == UINT64_C(1) << 63);
}

/* fuzz-lease: a renewal whose end passed 2^64 ns wrapped into the past, so
 * a live lease read as expired and another node could take it */
static void
test_lease_expiry_wraps(void **state)
{
    struct ra_lease l = { .version = RA_LEASE_VERSION, .duration_ms = 20000 };

    (void) state;
    l.renewed_ns = UINT64_MAX - 1000;
    assert_true(ra_lease_expiry_ns(&l, 0) == UINT64_MAX);
    assert_int_equal(ra_lease_state(&l, UINT64_MAX - 500, 0), RA_LEASE_LIVE);
    assert_int_equal(ra_lease_state(&l, 0, 30000), RA_LEASE_LIVE);
    l.renewed_ns = UINT64_C(1796526180000000000);
    assert_true(ra_lease_expiry_ns(&l, 5000)
                == l.renewed_ns + 25 * UINT64_C(1000000000));
    assert_true(ra_lease_expiry_ns(&l, UINT64_MAX / 1000) == UINT64_MAX);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fsinfo_size_wraps),
        cmocka_unit_test(test_lease_expiry_wraps),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
