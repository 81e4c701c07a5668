/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-state.c - lib/state.c: an agent's state file (key=value lines under
 * HA_RSCTMP, and the image marker in PMM's volume) as read back by a
 * monitor; what was read must survive a save and a load unchanged.
 *
 * Input: the file.
 */
#include "config.h"

#include "../../lib/state.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ra_state st, again;
    static char path[128], path2[128];

    if (!path[0]) {
        snprintf(path, sizeof path, "%s/pmm-server-pmm.state", fz_dir());
        snprintf(path2, sizeof path2, "%s/again.state", fz_dir());
    }
    fz_write(path, data, size);
    if (ra_state_load(path, &st) != 0)
        return 0;
    for (size_t i = 0; i < st.n; i++)
        if (ra_state_get(&st, st.key[i]) == NULL)
            abort();
    if (ra_state_save(path2, &st) != 0 || ra_state_load(path2, &again) != 0
        || again.n != st.n)
        abort();
    for (size_t i = 0; i < st.n; i++)
        if (strcmp(again.key[i], st.key[i]) || strcmp(again.val[i], st.val[i]))
            abort();
    return 0;
}
