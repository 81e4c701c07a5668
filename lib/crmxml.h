/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crmxml.h - the few facts an agent needs from Pacemaker's XML output, read
 * by hand (no libxml2 in an agent): from `crm_mon -1 --output-as=xml`
 * whether fencing is enabled and each node's membership; from
 * `stonith_admin --history NODE --output-as=xml` whether NODE was fenced.
 */
#ifndef PMMHA_CRMXML_H
#define PMMHA_CRMXML_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define CRMXML_NODES_MAX 64
#define CRMXML_NAME_MAX 256

/** One node as crm_mon lists it. */
struct crmxml_node {
    char name[CRMXML_NAME_MAX];
    bool online;  /**< a member of the cluster now */
    bool unclean; /**< lost and not yet fenced */
};

/** The cluster as crm_mon sees it. */
struct crmxml_status {
    bool stonith_enabled;
    size_t n_nodes;
    struct crmxml_node nodes[CRMXML_NODES_MAX];
};

/**
 * Parses crm_mon's XML. Returns 0, -EBADMSG when it is not crm_mon output
 * (no <nodes> or no <cluster_options>), -E2BIG past CRMXML_NODES_MAX nodes.
 */
int crmxml_status_parse(const char *xml, struct crmxml_status *ret);

/** The node called @name in @st, or NULL. */
const struct crmxml_node *crmxml_status_node(const struct crmxml_status *st,
                                             const char *name);

/**
 * 1 when stonith_admin's history XML records a successful "off" or
 * "reboot" of @target, 0 when it does not, -EBADMSG when @xml is not a
 * fence history.
 */
int crmxml_fenced(const char *xml, const char *target);

/**
 * Like crmxml_fenced(), counting only a fencing that completed at or after
 * @since (seconds since the epoch; the history's "completed" is UTC).
 */
int crmxml_fenced_since(const char *xml, const char *target, time_t since);

/**
 * The newest successful "off" or "reboot" of @target in stonith_admin's
 * history XML: 1 with its completion in *@ret_completed (seconds since the
 * epoch; 0 when the event records none), 0 when there is none, -EBADMSG
 * when @xml is not a fence history.
 */
int crmxml_fence_last(const char *xml, const char *target,
                      time_t *ret_completed);

#endif
