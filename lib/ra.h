/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ra.h - what every pmmha resource agent is built on: OCF exit codes, the
 * result an action returns, the agent's action table and ra_main().
 */
#ifndef PMMHA_RA_H
#define PMMHA_RA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "deadline.h"
#include "param.h"

/** OCF return codes (OCF resource agent API 1.1, section "Return codes"). */
enum ra_ocf_rc {
    RA_OCF_SUCCESS = 0,
    RA_OCF_ERR_GENERIC = 1,
    RA_OCF_ERR_ARGS = 2,
    RA_OCF_ERR_UNIMPLEMENTED = 3,
    RA_OCF_ERR_PERM = 4,
    RA_OCF_ERR_INSTALLED = 5,
    RA_OCF_ERR_CONFIGURED = 6,
    RA_OCF_NOT_RUNNING = 7,
    RA_OCF_RUNNING_PROMOTED = 8,
    RA_OCF_FAILED_PROMOTED = 9,
};

#define RA_REASON_MAX 256
/**
 * Pacemaker keeps this many characters of an exit reason (crm_mon shows no
 * more): a reason should fit, with what to do first. tests/lib/testlib.sh
 * fails a check whose reason is longer.
 */
#define RA_REASON_KEPT 128
/** Fewer open files than this fail every action (but meta-data) clearly. */
#define RA_MIN_NOFILE 16

/**
 * What an action hands back: the OCF code and, when it failed, one line that
 * tells the operator what to fix. Fixed size, so reporting needs no memory.
 */
struct ra_result {
    enum ra_ocf_rc rc;
    char reason[RA_REASON_MAX];
};

/** Everything an action needs: parameters, deadline, environment facts. */
struct ra_ctx {
    const struct ra_agent *agent;
    const char *action;
    const char *instance; /**< OCF_RESOURCE_INSTANCE, or the agent name */
    struct ra_params params;
    ra_deadline_t deadline; /**< absolute, CLOCK_MONOTONIC */
    uint64_t interval_ms;   /**< OCF_RESKEY_CRM_meta_interval, 0 = probe */
    int check_level;        /**< OCF_CHECK_LEVEL (0, 10, 20) */
    const char *node;       /**< our node's name as the cluster knows it */
    bool in_cluster;        /**< run by Pacemaker (CRM_meta_on_node set) */
    const char *rsctmp;     /**< HA_RSCTMP, where state files live */
    int lock_fd;            /**< the instance lock (ra_state_lock), or -1 */
};

typedef void (*ra_action_fn)(struct ra_ctx *ctx, struct ra_result *res);

enum ra_action_flags {
    RA_NEEDS_PARAMS = 1 << 0, /**< validate parameters before running */
    RA_NEEDS_ROOT = 1 << 1,
};

struct ra_action {
    const char *name;
    ra_action_fn fn;
    unsigned flags;
};

/** A per-parameter check beyond what the metadata can say (paths, refs). */
typedef int (*ra_param_check_fn)(const char *value, char *why, size_t len);

/** The value may hold a secret ("-e NAME=VALUE", "user:password@"): a
 * refusal names the parameter, never quotes it. */
#define RA_CHECK_SECRET 0x1u

struct ra_param_check {
    const char *name;
    ra_param_check_fn check;
    unsigned flags; /**< RA_CHECK_* */
};

/** One resource agent: its name, metadata, parameters and actions. */
struct ra_agent {
    const char *name;
    const char *meta_xml;              /**< printed verbatim by meta-data */
    const struct ra_param_def *params; /**< generated from the same XML */
    const struct ra_action_timeout *timeouts; /**< from the XML's actions */
    const struct ra_action *actions;
    const struct ra_param_check *checks; /**< may be NULL */
};

/** Runs one OCF action for @agent; returns the process exit status. */
int ra_main(int argc, char **argv, const struct ra_agent *agent);

/**
 * Sets @res to @rc with a printf-style reason (truncated to fit; control
 * characters become blanks, so that the reason stays one line).
 */
void ra_result_set(struct ra_result *res, enum ra_ocf_rc rc, const char *fmt,
                   ...) __attribute__((format(printf, 3, 4)));

/** Marks @res successful and clears its reason. */
void ra_result_ok(struct ra_result *res);

/** True when this monitor is a recurring one (interval > 0), not a probe. */
bool ra_ctx_is_recurring(const struct ra_ctx *ctx);

/** The value of parameter @name (given or default), "" when it has none. */
const char *ra_ctx_str(const struct ra_ctx *ctx, const char *name);

/** Parameter @name as a time in ms, or @fallback when unset or invalid. */
unsigned long long ra_ctx_time_ms(const struct ra_ctx *ctx, const char *name,
                                  unsigned long long fallback);

/** Looks up an action by exact name in @actions; NULL when unknown. */
const struct ra_action *ra_action_find(const struct ra_action *actions,
                                       const char *name);

/** Human name of an OCF code ("not running"). */
const char *ra_ocf_rc_str(enum ra_ocf_rc rc);

#endif
