/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-agent-output.c - what the tools the agents run print, as the agents
 * read it: lvm-sysid's `vgs` report (name|systemid|uuid|#pv|#missing|pv
 * lines), `lvm systemid`, `lvmconfig` and the last line of an error
 * (agents/lvm-sysid-cmd.c); `attrd_updater -Q -A` lines as
 * lib/cluster.c reads them for pmm-server's image guard.
 *
 * Input: the output; all readers get the same text.
 */
#include "../../agents/lvm-sysid-cmd.c"

#include "cluster.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sysid_vg vg;
    char *s = fz_str(data, size), *copy, buf[LVM_SYSID_MAX], small[4];
    static struct cl_attr_value vals[8];
    int n;

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
    ra_last_line(s, buf, sizeof buf);
    ra_last_line(s, small, sizeof small);

    n = cl_attr_parse(s, vals, sizeof vals / sizeof vals[0]);
    if (n < 0 || n > (int) (sizeof vals / sizeof vals[0]))
        abort();
    for (int i = 0; i < n; i++)
        if (!*vals[i].value || !cl_node_name_ok(vals[i].node)
            || strchr(vals[i].node, '"'))
            abort();
    free(s);
    return 0;
}
