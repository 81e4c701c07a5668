/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-dm.c - lib/dm.c: device-mapper names and uuids as sysfs shows them
 * (/sys/block/dm-N/dm/{name,uuid}), listed and followed down to the disks
 * in a scratch sysfs tree (dm-0 over dm-1 over vdb), each uuid split as
 * LVM's (dm_lvm_uuid) and each name as LVM's (lvm_dm_split).
 *
 * Input: NAME0\n--\nUUID0\n--\nNAME1\n--\nUUID1 (file contents, raw).
 */
#include "config.h"

#include <stdbool.h>

#include "../../lib/dm.h"
#include "../../lib/lvm.h"
#include "fuzz.h"

static char sysfs[96];

static void
mk(const char *fmt, const char *a)
{
    char path[256];

    snprintf(path, sizeof path, fmt, sysfs, a);
    if (mkdir(path, 0700) < 0 && errno != EEXIST)
        abort();
}

static void
put(const char *kname, const char *file, const char *text)
{
    char path[256];

    snprintf(path, sizeof path, "%s/block/%s/dm/%s", sysfs, kname, file);
    fz_write(path, text, strlen(text));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dm_dev devs[4];
    char lower[4][DM_KNAME_MAX], vgid[33], lvid[33];
    char vg[LVM_NAME_MAX + 1], lv[LVM_NAME_MAX + 1];
    char *part[4];
    size_t n;
    bool layer;

    if (!sysfs[0]) {
        snprintf(sysfs, sizeof sysfs, "%s/sys", fz_dir());
        mk("%s%s", "");
        mk("%s/block%s", "");
        mk("%s/block/%s", "dm-0");
        mk("%s/block/%s/dm", "dm-0");
        mk("%s/block/%s/slaves", "dm-0");
        mk("%s/block/%s/slaves/dm-1", "dm-0");
        mk("%s/block/%s", "dm-1");
        mk("%s/block/%s/dm", "dm-1");
        mk("%s/block/%s/slaves", "dm-1");
        mk("%s/block/%s/slaves/vdb", "dm-1");
    }
    fz_split(data, size, part, 4);
    put("dm-0", "name", part[0]);
    put("dm-0", "uuid", part[1]);
    put("dm-1", "name", part[2]);
    put("dm-1", "uuid", part[3]);

    if (dm_list(sysfs, devs, 4, &n) < 0 || n != 2)
        abort();
    for (size_t i = 0; i < n; i++) {
        if (!memchr(devs[i].name, '\0', sizeof devs[i].name)
            || !memchr(devs[i].uuid, '\0', sizeof devs[i].uuid))
            abort();
        if (dm_lvm_uuid(devs[i].uuid, vgid, lvid, &layer) == 0
            && (strlen(vgid) > 32 || strlen(lvid) > 32))
            abort();
        (void) lvm_dm_split(devs[i].name, vg, sizeof vg, lv, sizeof lv);
    }
    if (dm_lower(sysfs, "dm-0", lower, 4, &n) != 0 || n != 1
        || strcmp(lower[0], "vdb") != 0)
        abort();
    free(part[0]);
    return 0;
}
