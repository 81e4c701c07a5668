/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pmm-server.h - what the pmm-server agent's two halves share: its
 * configuration, read from the parameters (pmm-server-conf.c), and the
 * actions (pmm-server.c).
 */
#ifndef PMMHA_PMM_SERVER_H
#define PMMHA_PMM_SERVER_H

#include <limits.h>
#include <stdbool.h>

#include "cluster.h"
#include "http.h"
#include "ra-spawn.h"
#include "ra.h"
#include "runtime.h"

#define SERVER_ENV_MAX 8192

/** The agent's view of its parameters. */
struct server_conf {
    const char *image;
    const char *name;
    const char *volume;
    const char *env_file;
    const char *publish;
    const char *run_opts;
    enum rt_kind kind;
    const char *socket; /**< "" means the runtime's default */
    int pmm_major;      /**< 2 or 3, from the image tag */
    int http_port;      /**< PMM's plain HTTP port inside the container */
    const char *readyz_path;
    const char *readyz_url; /**< the parameter; "" = derive */
    int readyz_timeout_ms;
    struct ra_tls tls;
    long long stop_timeout_s; /**< 0 = derive from the op timeout */
    bool allow_pull;
    bool allow_downgrade;
    bool allow_privileged;   /**< run_opts may break the isolation */
    bool needs_cli;          /**< run_opts has options only the CLI passes on */
    struct rt_run_spec spec; /**< filled by server_conf_run() */
    char **run_words;        /**< run_opts split, owns the spec's strings */
    char *cli_argv[64];      /**< what only the CLI gets: spec.cli_extra */
    char env_buf[SERVER_ENV_MAX];
    char volume_real[PATH_MAX]; /**< what volume names on this node */
    /* mode=promotable (pmm-server-role.c) */
    bool promotable;
    const char *peers;       /**< "node=address ..." */
    const char *repl_vm_url; /**< with {peer} */
    const char *repl_ch_url; /**< with {peer} */
    int repl_pg_port;
    const char *repl_vm_auth; /**< credentials files, "" = none */
    const char *repl_pg_auth;
    const char *repl_ch_auth;
    const char *repl_tls_ca;
    const char *repl_tls_pin;
    const char *standby_programs; /**< stopped on a standby, in order */
    char standby_conf[4096];      /**< the supervisord override, host side */
    unsigned long long repl_interval_ms, repl_settle_ms, max_lag_ms;
    bool allow_stale; /**< allow_stale_promote */
    bool require_fencing;
};

/** Reads what every action needs (cheap: no file is read). */
void server_conf_basic(const struct ra_ctx *ctx, struct server_conf *c);

/**
 * Checks run_opts the same way on every node, before a transport is chosen:
 * a bad value, or an option that breaks the container's isolation without
 * allow_privileged, sets @res (ERR_CONFIGURED) and returns -1; sets
 * c->needs_cli when an option is one only the runtime's CLI passes on.
 */
int server_conf_check(struct server_conf *c, struct ra_result *res);

/**
 * Builds the run spec for @transport: ports, run_opts, env_file. Failures
 * set @res (ERR_CONFIGURED for a bad value, ERR_INSTALLED for a missing
 * file) and return -1.
 */
int server_conf_run(struct server_conf *c, enum rt_transport transport,
                    struct ra_result *res);

/**
 * Resolves volume on this node (symlinks, "." and "..") and refuses one that
 * names the root or a system directory (ERR_INSTALLED: a symlink is this
 * node's); from then on c->volume and the spec's are the resolved path.
 * -1 with @res set, else 0.
 */
int server_volume_check(struct server_conf *c, struct ra_result *res);

/** Frees what server_conf_run() allocated; safe to call twice. */
void server_conf_free(struct server_conf *c);

/**
 * Publishes @image_id ("" = absent) as this node's pmmha-image-<resource>
 * attribute; unless @always, only when it changed since the last time.
 */
void server_publish_image(const struct ra_ctx *ctx, const char *image_id,
                          bool always);

/** Forgets what was published (the cache under HA_RSCTMP, and any
 * half-written copy a killed action left): stop's, so that it leaves
 * nothing behind; the next probe or start publishes anew. */
void server_publish_forget(const struct ra_ctx *ctx);

/** Refuses (ERR_INSTALLED) when the data was last written by another image
 * under the same reference; -1 then, else 0. */
int server_marker_check(const struct server_conf *c, const struct rt_image *img,
                        struct ra_result *res);

/** Records in the data volume which image runs on it now; -1 with @res set
 * when it cannot (a full or read-only volume), else 0. */
int server_marker_write(const struct ra_ctx *ctx, const struct server_conf *c,
                        const struct rt_image *img, struct ra_result *res);

/** Lists in @buf the online nodes whose published image differs from
 * @local_id; returns how many (0 also when there is no cluster). */
int server_nodes_differ(const struct ra_ctx *ctx, const char *local_id,
                        char *buf, size_t len);

/**
 * Start's share of the image guard, run beside the container's start:
 * publishes the local image and asks for every node's, without waiting.
 */
struct server_guard {
    struct cl_job *publish, *query;
    char image_id[RT_ID_MAX];
};

/** Begins publishing @image_id ("" = absent) and querying the others'. */
void server_guard_begin(const struct ra_ctx *ctx, const char *image_id,
                        struct server_guard *g);

/** Waits for both; warns when other nodes resolve the image differently.
 * Safe on a guard that began nothing. */
void server_guard_finish(const struct ra_ctx *ctx, struct server_guard *g);

/* ---- shared by pmm-server.c and pmm-server-role.c ---- */

struct ra_state;

/** The runtime's API, else its CLI (the CLI when run_opts needs it);
 * NULL with @res set (ERR_INSTALLED). */
const struct rt_ops *server_open_runtime(const struct server_conf *c,
                                         struct rt *rt, struct ra_result *res);
void server_close_runtime(const struct rt_ops *ops, struct rt *rt);

/** The path of this instance's state file (what start recorded). */
int server_state_file(const struct ra_ctx *ctx, char *buf, size_t len);

/** 1: the recorded container process lives; 0: it does not; <0 unknown. */
int server_state_alive(const struct ra_state *st);

/** 0 when PMM answers @url with 200; else -1 with what it said in @why. */
int server_probe_ready(const struct server_conf *c, const char *url,
                       ra_deadline_t d, char *why, size_t len);

/** Polls readyz until 200 (@res OK), the container's death or the
 * action's deadline (@res says which). */
void server_wait_ready(const struct ra_ctx *ctx, const struct server_conf *c,
                       const struct ra_state *st, const char *url,
                       struct ra_result *res);

/** The parameter checks ra_main() runs before start and validate-all. */
extern const struct ra_param_check server_checks[];

#endif
