/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-crmxml.c - lib/crmxml.c: Pacemaker's XML as crm_mon and
 * stonith_admin print it (crm_mon -1 --output-as=xml; stonith_admin
 * --history NODE --output-as=xml), read by a hand-written tag scanner.
 *
 * Input: the XML; the target node is "node2".
 */
#include "config.h"

#include "../../lib/crmxml.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct crmxml_status st;
    char *xml = fz_str(data, size);
    time_t last;
    int r;

    if (crmxml_status_parse(xml, &st) == 0) {
        if (st.n_nodes > CRMXML_NODES_MAX)
            abort();
        for (size_t i = 0; i < st.n_nodes; i++)
            if (!memchr(st.nodes[i].name, '\0', sizeof st.nodes[i].name)
                || crmxml_status_node(&st, st.nodes[i].name) == NULL)
                abort();
    }
    r = crmxml_fenced(xml, "node2");
    if (r != 0 && r != 1 && r != -EBADMSG)
        abort();
    /* a fencing counted since some time is a fencing counted at all */
    if (crmxml_fenced_since(xml, "node2", 1700000000) == 1 && r != 1)
        abort();
    /* the newest fencing is one: counted since its own time, not after */
    if (crmxml_fence_last(xml, "node2", &last) != r)
        abort();
    if (r == 1 && last > 0
        && (crmxml_fenced_since(xml, "node2", last) != 1
            || crmxml_fenced_since(xml, "node2", last + 1) != 0))
        abort();
    free(xml);
    return 0;
}
