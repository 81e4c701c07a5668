/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cluster.h - the one place pmmha talks to Pacemaker: node attributes
 * (public and private), promotion scores, membership, fencing history,
 * the cluster's fencing setting, and a clone's meta-attributes and notify
 * environment.
 *
 * Everything goes through Pacemaker's command-line tools (attrd_updater,
 * crm_attribute, crm_node, crm_mon, stonith_admin), spawned without a
 * shell: their C libraries are no stable API for agents. Every call is
 * bounded by the sooner of the action's deadline and CL_CALL_MS, and every
 * call degrades the same way when there is no cluster (ocf-tester, a node
 * being set up, Pacemaker's tools not installed): it returns -ENOTCONN at
 * once, never waits, and the caller logs one clear warning.
 *
 * The one fencing rule (cl_fenced_since): node N "was fenced after T" when
 * N is not a member of the cluster now AND Pacemaker's fencing history
 * records a successful "off" or "reboot" of N completed at or after
 * T - CL_FENCE_SKEW_S. The allowance covers the nodes' clocks (T was read
 * on another node) and the history's whole seconds; a node that is a member
 * again was rebooted and rejoined: the fence no longer speaks for what it
 * does now.
 */
#ifndef PMMHA_CLUSTER_H
#define PMMHA_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "crmxml.h"
#include "ra.h"

/** No call into the cluster takes longer than this. */
#define CL_CALL_MS 5000
/** Clock allowance of the fencing rule, in seconds. */
#define CL_FENCE_SKEW_S 3
#define CL_VALUE_MAX 256

/** Attribute flags. */
enum cl_attr_flags {
    CL_ATTR_PRIVATE = 1 << 0, /**< attrd_updater -p: never in the CIB, never
                                   shown by crm_mon -A, never a constraint */
};

/* ---- node attributes (transient: they live until the node reboots) ---- */

/*
 * Errors, the same for every call: -ENOTCONN when there is no cluster to
 * ask (!ctx->in_cluster, the tool not installed, or it could not reach
 * Pacemaker's daemons), -ETIMEDOUT when it did not answer within
 * CL_CALL_MS (or the action's deadline), -EIO when it failed otherwise,
 * -EINVAL for a name or value no tool should be given.
 */

/** Sets @name = @value for this node (ctx->node). 0, -ENOTCONN, -EIO. */
int cl_attr_set(const struct ra_ctx *ctx, const char *name, const char *value,
                unsigned flags);

/** Deletes @name for this node; an absent attribute is success. */
int cl_attr_delete(const struct ra_ctx *ctx, const char *name, unsigned flags);

/**
 * Reads @name of @node (NULL: this node) into @buf. 0, -ENOENT when the
 * node has no value, -ENOTCONN, -EIO.
 */
int cl_attr_get(const struct ra_ctx *ctx, const char *name, const char *node,
                unsigned flags, char *buf, size_t len);

/** One node's value of an attribute. */
struct cl_attr_value {
    char node[CRMXML_NAME_MAX];
    char value[CL_VALUE_MAX];
};

/**
 * Every node's value of @name (attrd_updater -Q -A), at most @max of them
 * into @out. Returns how many, or -ENOTCONN, -EIO.
 */
int cl_attr_all(const struct ra_ctx *ctx, const char *name, unsigned flags,
                struct cl_attr_value *out, size_t max);

/**
 * Reads attrd_updater -Q's lines (name="N" host="H" value="V") from @text
 * into @out, at most @max; other lines, empty values (deleted attributes)
 * and invalid node names are skipped. Returns how many. (Exposed for the
 * tests and the fuzzer.)
 */
int cl_attr_parse(const char *text, struct cl_attr_value *out, size_t max);

/**
 * The same calls, started without waiting, so that an action can overlap
 * them with its own work (the image guard beside the container's start).
 * A begin that returns < 0 leaves *@job NULL; finishing a NULL job returns
 * -ENOTCONN. cl_job_finish() reaps the job in every case and returns what
 * the synchronous call would have (for a query: the count, values in @out).
 */
struct cl_job;
int cl_attr_set_begin(const struct ra_ctx *ctx, const char *name,
                      const char *value, unsigned flags, struct cl_job **job);
int cl_attr_delete_begin(const struct ra_ctx *ctx, const char *name,
                         unsigned flags, struct cl_job **job);
int cl_attr_all_begin(const struct ra_ctx *ctx, const char *name,
                      unsigned flags, struct cl_job **job);
int cl_promotion_set_begin(const struct ra_ctx *ctx, const char *node,
                           int score, struct cl_job **job);
int cl_promotion_delete_begin(const struct ra_ctx *ctx, const char *node,
                              struct cl_job **job);
int cl_job_finish(struct cl_job *job, struct cl_attr_value *out, size_t max);
/** Finishes @n jobs (NULL ones skipped; each set to NULL): the first
 * failure other than "no cluster", or 0. Several updates at once cost
 * one round trip: a promote's bookkeeping sits on the failover's path. */
int cl_jobs_finish(struct cl_job **jobs, size_t n);

/* ---- promotion scores (crm_attribute --promotion, lifetime reboot) ---- */

/** Sets the promotion score of this resource on @node (NULL: this node). */
int cl_promotion_set(const struct ra_ctx *ctx, const char *node, int score);
/** Reads it; -ENOENT when unset. */
int cl_promotion_get(const struct ra_ctx *ctx, const char *node, int *score);
/** Deletes it; an absent score is success. */
int cl_promotion_delete(const struct ra_ctx *ctx, const char *node);

/* ---- membership and fencing ---- */

/** The cluster as crm_mon sees it now. 0, -ENOTCONN, -EIO, -EBADMSG. */
int cl_status(const struct ra_ctx *ctx, struct crmxml_status *ret);

/** 1 when @node is a member of this node's partition now (crm_node -p),
 * 0 when not, -ENOTCONN / -EIO when the cluster cannot tell. */
int cl_is_member(const struct ra_ctx *ctx, const char *node);

/**
 * The fencing rule (see above): 1 when @node was fenced after @since
 * (seconds since the epoch; 0 = at any time), 0 when not (the reason in
 * @why: "a member now", "no fencing in the history since ..."), < 0 when
 * the cluster cannot tell. @node comes from disk or a peer: one that is not
 * a valid node name is "not fenced", never an option to a tool.
 */
int cl_fenced_since(const struct ra_ctx *ctx, const char *node, time_t since,
                    char *why, size_t len);

/** What the fencing rule decides on. */
struct cl_fence_facts {
    int member;       /**< 1 when the node is a member now */
    bool fenced;      /**< the history holds a successful off or reboot */
    time_t completed; /**< the newest one's completion (0: not recorded) */
};

/**
 * The fencing rule itself, on facts already gathered (pure: the tests feed
 * it): 1 when fenced after @since (0 = at any time), else 0 with @why.
 */
int cl_fence_decide(const struct cl_fence_facts *f, time_t since, char *why,
                    size_t len);

/** 1 when the cluster's stonith-enabled is true (its default), 0 when
 * false, < 0 when the cluster cannot tell. */
int cl_stonith_enabled(const struct ra_ctx *ctx);

/** A name Pacemaker accepts for a node: letters, digits, '.', '_', '-',
 * not first. */
bool cl_node_name_ok(const char *name);

/* ---- a clone's meta-attributes and notify environment ---- */

/** A clone's meta-attributes, as Pacemaker passes them to every action
 * (OCF_RESKEY_CRM_meta_*; the deprecated master_* names are read too). */
struct cl_clone_meta {
    bool is_clone;   /**< clone_max set */
    bool promotable; /**< promotable=true (or master_max set) */
    bool notify;     /**< notify=true */
    int clone_max, clone_node_max, promoted_max, promoted_node_max;
};

/** Reads the clone's meta-attributes from the environment. A number unset
 * or invalid reads as Pacemaker's default: 1, or 0 for clone_max (whose
 * default, the number of nodes, is not passed). */
void cl_clone_meta_read(struct cl_clone_meta *ret);

enum cl_notify_type { CL_NOTIFY_NONE, CL_NOTIFY_PRE, CL_NOTIFY_POST };
enum cl_notify_op {
    CL_OP_NONE,
    CL_OP_START,
    CL_OP_STOP,
    CL_OP_PROMOTE,
    CL_OP_DEMOTE,
};

#define CL_NOTIFY_NODES 32

/** A list of node names from one notify variable (deduplicated). */
struct cl_nodes {
    size_t n;
    char name[CL_NOTIFY_NODES][CRMXML_NAME_MAX];
};

/**
 * What a notify action is told (OCF_RESKEY_CRM_meta_notify_*): its type
 * and operation and the node lists; the promoted/unpromoted lists fall
 * back to the deprecated master/slave names.
 */
struct cl_notify {
    enum cl_notify_type type;
    enum cl_notify_op op;
    struct cl_nodes active, inactive, start, stop, promote, demote, promoted,
        unpromoted;
};

/** Reads the notify environment; type NONE when there is none (ocf-tester
 * calls notify without it). Allocation-free. */
void cl_notify_read(struct cl_notify *ret);

/** True when @node is in @list. */
bool cl_nodes_has(const struct cl_nodes *list, const char *node);

/** A switchover: exactly one node demoted and one other promoted. */
bool cl_notify_is_switchover(const struct cl_notify *n);

/** A recovery of the promoted instance in place: exactly one node is
 * promoted, and it is the one demoted in this transition or listed as
 * promoted already (no election needed). */
bool cl_notify_is_recovery(const struct cl_notify *n);

#endif
