/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-lvm-names.c - lib/lvm.c's names: VG and LV names checked (the
 * vgname/lvname parameters), device-mapper names built and split back
 * (what /sys/block/dm-N/dm/name holds), LVM ids undashed (vgs output,
 * metadata). A valid pair must survive lvm_dm_name + lvm_dm_split.
 *
 * Input: VG\n--\nLV.
 */
#include "config.h"

#include "../../lib/lvm.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[256], dm[512], vg[LVM_NAME_MAX + 1], lv[LVM_NAME_MAX + 1];
    char id[LVM_ID_LEN + 1], *part[2];
    int vg_ok, lv_ok;

    fz_split(data, size, part, 2);
    vg_ok = lvm_name_check(part[0], false, why, sizeof why) == 0;
    lv_ok = lvm_name_check(part[1], true, why, sizeof why) == 0;
    if (lvm_dm_name(part[0], part[1], dm, sizeof dm) == 0 && vg_ok && lv_ok) {
        if (lvm_dm_split(dm, vg, sizeof vg, lv, sizeof lv) != 0
            || strcmp(vg, part[0]) != 0 || strcmp(lv, part[1]) != 0)
            abort(); /* the name of another LV */
    }
    (void) lvm_dm_split(part[0], vg, sizeof vg, lv, sizeof lv);
    (void) lvm_dm_split(part[0], vg, 4, lv, 4);
    if (lvm_id_undash(part[1], id, sizeof id) == 0 && strlen(id) != LVM_ID_LEN)
        abort();
    free(part[0]);
    return 0;
}
