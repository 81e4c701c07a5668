/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for lib/dm.c on a fake sysfs tree: listing device-mapper
 * devices with their names and uuids, following slaves down to the PVs
 * (through a stacked dm device), and splitting LVM's dm uuids.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "dm.h"

#define VGID "2EZYgxvapQ3hyUlzcSBMVG47fPC2srxt"
#define LVID1 "cccccccccccccccccccccccccccccccc"
#define LVID2 "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"

static char root[64];

static void
put(const char *rel, const char *content)
{
    char path[256], cmd[300];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", root, rel);
    snprintf(cmd, sizeof cmd, "%s", path);
    for (char *s = strchr(cmd + strlen(root) + 1, '/'); s;
         s = strchr(s + 1, '/')) {
        *s = '\0';
        (void) mkdir(cmd, 0755);
        *s = '/';
    }
    if (!content) {
        (void) mkdir(path, 0755);
        return;
    }
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
}

static int
setup(void **state)
{
    (void) state;
    snprintf(root, sizeof root, "/tmp/test-dm.XXXXXX");
    assert_non_null(mkdtemp(root));
    put("block/vdb/size", "2097152\n");
    put("block/dm-0/dm/name", "my--vg-srv--data\n");
    put("block/dm-0/dm/uuid", "LVM-" VGID LVID1 "\n");
    put("block/dm-0/slaves/vdb", "");
    put("block/dm-0/slaves/vdc1", "");
    put("block/dm-1/dm/name", "my--vg-pool-tpool\n");
    put("block/dm-1/dm/uuid", "LVM-" VGID LVID2 "-tpool\n");
    put("block/dm-1/slaves/vdb", "");
    put("block/dm-10/dm/name", "my--vg-thin\n");
    put("block/dm-10/dm/uuid",
        "LVM-" VGID "ffffffffffffffffffffffffffffffff\n");
    put("block/dm-10/slaves/dm-1", "");
    put("block/dm-2/dm/name", "crypt0\n");
    put("block/dm-2/dm/uuid", "CRYPT-LUKS2-abc\n");
    put("block/dm-2/slaves", NULL);
    put("block/loop0/size", "0\n");
    return 0;
}

static int
teardown(void **state)
{
    char cmd[128];

    (void) state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static void
test_list(void **state)
{
    struct dm_dev devs[8];
    size_t n;

    (void) state;
    assert_int_equal(dm_list(root, devs, 8, &n), 0);
    assert_int_equal(n, 4);
    /* sorted as versions: dm-10 after dm-2 */
    assert_string_equal(devs[0].kname, "dm-0");
    assert_string_equal(devs[0].name, "my--vg-srv--data");
    assert_string_equal(devs[0].uuid, "LVM-" VGID LVID1);
    assert_string_equal(devs[2].kname, "dm-2");
    assert_string_equal(devs[3].kname, "dm-10");
    assert_int_equal(dm_list(root, devs, 2, &n), -E2BIG);
}

static void
test_list_none(void **state)
{
    char empty[96];
    struct dm_dev devs[2];
    size_t n = 9;

    (void) state;
    snprintf(empty, sizeof empty, "%s/nodm", root);
    put("nodm/block/vda/size", "1\n");
    assert_int_equal(dm_list(empty, devs, 2, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(dm_list("/nonexistent", devs, 2, &n), -ENOENT);
}

static void
test_lower(void **state)
{
    char out[8][DM_KNAME_MAX];
    size_t n;

    (void) state;
    assert_int_equal(dm_lower(root, "dm-0", out, 8, &n), 0);
    assert_int_equal(n, 2);
    assert_true((!strcmp(out[0], "vdb") && !strcmp(out[1], "vdc1"))
                || (!strcmp(out[1], "vdb") && !strcmp(out[0], "vdc1")));
    /* through the stacked device down to the disk */
    assert_int_equal(dm_lower(root, "dm-10", out, 8, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(out[0], "vdb");
    assert_int_equal(dm_lower(root, "dm-2", out, 8, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(dm_lower(root, "dm-0", out, 1, &n), -E2BIG);
    assert_int_equal(dm_lower(root, "dm-99", out, 8, &n), -ENOENT);
}

static void
test_lvm_uuid(void **state)
{
    char vgid[33], lvid[33];
    bool layer;

    (void) state;
    assert_int_equal(dm_lvm_uuid("LVM-" VGID LVID1, vgid, lvid, &layer), 0);
    assert_string_equal(vgid, VGID);
    assert_string_equal(lvid, LVID1);
    assert_false(layer);
    assert_int_equal(
        dm_lvm_uuid("LVM-" VGID LVID2 "-tpool", vgid, lvid, &layer), 0);
    assert_true(layer);
    assert_int_equal(dm_lvm_uuid("LVM-" VGID, vgid, lvid, &layer), -EINVAL);
    assert_int_equal(dm_lvm_uuid("CRYPT-LUKS2-abc", vgid, lvid, &layer),
                     -EINVAL);
    assert_int_equal(dm_lvm_uuid("LVM-" VGID LVID1 "x", vgid, lvid, &layer),
                     -EINVAL);
    assert_int_equal(dm_lvm_uuid("", vgid, lvid, &layer), -EINVAL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_list_none),
        cmocka_unit_test(test_lower),
        cmocka_unit_test(test_lvm_uuid),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
