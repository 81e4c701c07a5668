/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-lvm-md.c - lib/lvm.c: a volume group's metadata text as LVM writes
 * it on a PV (sections, "key = value", [lists], "strings" with escapes,
 * comments), not NUL-terminated.
 */
#include "config.h"

#include "../../lib/lvm.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct lvm_md_vg vg;
    /* an exact-size copy: reading one byte past @size is caught */
    char *text = malloc(size ? size : 1);

    if (!text)
        abort();
    memcpy(text, data, size);
    if (lvm_md_parse(text, size, &vg) == 0) {
        if (!vg.name[0] || strlen(vg.id) != LVM_ID_LEN
            || vg.n_lvs > LVM_MD_MAX_LVS)
            abort();
        for (size_t i = 0; i < vg.n_lvs; i++)
            if (strlen(vg.lvs[i].id) != LVM_ID_LEN)
                abort();
    }
    free(text);
    return 0;
}
