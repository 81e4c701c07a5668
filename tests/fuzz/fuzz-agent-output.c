/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-agent-output.c - what the tools the agents run print, as the agents
 * read it: lvm-sysid's `vgs` report (name|systemid|uuid|#pv|#missing|pv
 * lines), `lvm systemid`, `lvmconfig` and the last line of an error
 * (agents/lvm-sysid-cmd.c); pmm-server's `attrd_updater -Q -A` lines
 * (agents/pmm-server-guard.c).
 *
 * Input: the output; all readers get the same text.
 */
#include "../../agents/lvm-sysid-cmd.c"
#include "../../agents/pmm-server-guard.c"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sysid_vg vg;
    char *s = fz_str(data, size), *copy, buf[LVM_SYSID_MAX], small[4];
    char *save = NULL;

    memset(&vg, 0, sizeof vg);
    copy = strdup(s);
    if (copy && parse_vgs(copy, &vg) == 0
        && (vg.n_pvs == 0 || vg.n_pvs > SYSID_PVS_MAX
            || strlen(vg.uuid) != LVM_ID_LEN))
        abort();
    free(copy);
    (void) parse_systemid(s, buf, sizeof buf);
    (void) parse_systemid(s, small, sizeof small);
    (void) parse_source(s, buf, sizeof buf);
    last_line(s, buf, sizeof buf);
    last_line(s, small, sizeof small);

    for (char *l = strtok_r(s, "\n", &save); l;
         l = strtok_r(NULL, "\n", &save)) {
        const char *host, *value;

        if (parse_line(l, &host, &value) == 0
            && (strchr(host, '"') || strchr(value, '"')))
            abort();
    }
    free(s);
    return 0;
}
