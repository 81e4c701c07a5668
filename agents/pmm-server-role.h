/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pmm-server-role.h - pmm-server as a promotable clone (mode=promotable):
 * the standby mode of the container, the supervised pmmha-replicator, what
 * the unpromoted monitor publishes, and promote, demote and notify.
 */
#ifndef PMMHA_PMM_SERVER_ROLE_H
#define PMMHA_PMM_SERVER_ROLE_H

#include <stdint.h>

#include "pmm-server.h"

/** Promotion scores (PAF's convention: the promoted instance keeps 1001,
 * which is also stickiness; a standby scores 1000 minus its lag in seconds,
 * never below 10; -1 never promotes). */
#define ROLE_SCORE_PROMOTED 1001
#define ROLE_SCORE_BEST 1000
#define ROLE_SCORE_WORST 10
#define ROLE_SCORE_NEVER (-1)
/** An election hands the promotion over to a peer further ahead than
 * this. */
#define ROLE_ELECTION_TOLERANCE_MS 5000

/** Where a standby's supervisord override goes inside the container:
 * PMM's supervisord reads the .ini files of /etc/supervisord.d in order, a
 * later section's options overriding an earlier one's (verify on each PMM
 * release). */
#define ROLE_SUPERVISORD_OVERRIDE "/etc/supervisord.d/zz-pmmha-standby.ini"

/** What the replicator's status file says, boiled down. */
struct repl_view {
    bool have;           /**< a status file was read */
    bool initial_done;   /**< every stream completed its first sync */
    bool refused;        /**< a stream needs the operator (schema, auth) */
    int64_t position_ms; /**< the oldest stream's position, source clock */
    int64_t behind_ms;   /**< how far behind at the last success */
    int64_t last_ok_ms;  /**< the oldest stream's last success, our clock */
    int64_t updated_ms;  /**< when the status was written, our clock */
    int64_t skew_ms;     /**< source clock minus ours */
    char error[200];     /**< the first stream error, "" if none */
};

/* ---- pmm-server-pair.c: the pure parts ---- */

/** Reads @state_dir/status into @v; -errno when there is none. */
int role_repl_view(const char *state_dir, struct repl_view *v);

/** @v's lag made to count the time its source was known alive (until
 * @alive_ms, our clock) after the last success: a standby cut off from a
 * primary that goes on writing falls behind; one whose primary died does
 * not. */
void role_cut_off(struct repl_view *v, int64_t alive_ms);

/** The score a standby with @v deserves under @c's max_lag. */
int role_score(const struct server_conf *c, const struct repl_view *v);

/** @key of @st as a number, 0 when absent or not one. */
int64_t role_num(const struct ra_state *st, const char *key);

/** The address of @node: its entry in @c's peers, else its name. */
void role_peer_address(const struct server_conf *c, const char *node, char *buf,
                       size_t len);

/** @tmpl with every {peer} replaced by @addr (an IPv6 one in brackets),
 * truncated to @len. */
void role_expand(const char *tmpl, const char *addr, char *buf, size_t len);

/** True when supervisorctl's output @out (stop, update, start) has no
 * error but "not running", "already started" and "no such process". */
bool role_supervisor_ok(const char *out);

/** True when @c is in promotable mode. */
static inline bool
role_promotable(const struct server_conf *c)
{
    return c->promotable;
}

/**
 * Before the container runs (promotable mode): writes the supervisord
 * override that keeps PMM's application programs from starting with the
 * container, and mounts it through the run spec: a standby never runs PMM
 * itself, not even for a moment, and a container restarted behind the
 * cluster's back comes up a standby. -1 with @res set.
 */
int role_prepare(const struct ra_ctx *ctx, struct server_conf *c,
                 struct ra_result *res);

/**
 * Start's part in promotable mode, once the container runs (@rec: what
 * start recorded of it; @already: it ran before this start): the stores waited
 * for, the standby mode (application programs stopped), the replicator
 * following the promoted peer when there is one, the score published.
 */
void role_start(struct ra_ctx *ctx, struct server_conf *c,
                const struct rt_ops *ops, struct rt *rt,
                const struct ra_state *rec, bool already,
                struct ra_result *res);

/** Stop's part, before the container's (started as @rec, or NULL): the
 * replicator stopped, and a standby's stores stopped all at once. True
 * when that went through supervisord's socket: the stop then asks
 * supervisord to exit (role_supervisor_exit()) before its SIGTERM. */
bool role_stop(struct ra_ctx *ctx, struct server_conf *c,
               const struct ra_state *rec);

/** Asks the supervisord of the container started as @rec to exit, through
 * its socket (best effort: the SIGTERM that follows does it anyway, at
 * supervisord's next tick). */
void role_supervisor_exit(const struct ra_state *rec);

/**
 * Monitor's part for a live container: 8 / 9 for the promoted instance
 * (readyz), 0 / 1 for a standby (replicator and its status), publishing
 * lag, state, position and the score.
 */
void role_monitor(struct ra_ctx *ctx, struct server_conf *c, const char *url,
                  struct ra_result *res);

/** Monitor's answer when the recorded container is gone: 9 when it was
 * promoted (a recurring monitor), else 7. */
enum ra_ocf_rc role_gone_rc(struct ra_ctx *ctx);

/** The checks of start and validate-all for the mode: role_validate() in
 * promotable mode; in active-passive mode, no clone. -1 with @res set. */
int role_check_mode(struct ra_ctx *ctx, const struct server_conf *c,
                    struct ra_result *res);

/** Clone meta-attributes, fencing, credentials files: the checks of start
 * and validate-all in promotable mode. -1 with @res set. */
int role_validate(struct ra_ctx *ctx, const struct server_conf *c,
                  struct ra_result *res);

void server_promote(struct ra_ctx *ctx, struct ra_result *res);
void server_demote(struct ra_ctx *ctx, struct ra_result *res);
void server_notify(struct ra_ctx *ctx, struct ra_result *res);

#endif
