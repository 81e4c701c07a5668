/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repl.h - pmmha-replicator: keeps the stores of a standby PMM (stores
 * running, application programs stopped, nothing scraping) in sync with a
 * source PMM. Three streams, each its own module:
 *
 *   metrics    VictoriaMetrics native export -> native import (repl-vm.c)
 *   inventory  PostgreSQL snapshot -> atomic replace (repl-pg.c)
 *   qan        ClickHouse partitions -> REPLACE PARTITION (repl-ch.c)
 *
 * A stream's cycle brings the standby up to a position on the source's
 * clock (milliseconds since the epoch): everything the source held before
 * it is on the standby. Watermarks ("marks") persist in the state
 * directory after every step, so a run killed at any instant resumes
 * without a gap and without a duplicate; the status file, written
 * atomically after every cycle, is what the agent's monitor reads.
 */
#ifndef PMMHA_REPL_H
#define PMMHA_REPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "deadline.h"

#define REPL_ERR_LEN 256

/* Exit statuses of pmmha-replicator (documented in its --help and README) */
enum repl_exit {
    REPL_EXIT_OK = 0,      /* --once: every stream in sync */
    REPL_EXIT_FAILED = 1,  /* a stream failed; it may pass (link, source) */
    REPL_EXIT_USAGE = 2,   /* bad command line */
    REPL_EXIT_CONFIG = 3,  /* credentials file or state directory unusable */
    REPL_EXIT_REFUSED = 4, /* needs the operator: authentication, TLS pin,
                              not a PMM, schema mismatch */
};

enum repl_stream_id { REPL_METRICS, REPL_INVENTORY, REPL_QAN, REPL_NSTREAMS };

/* TLS for https:// endpoints (and PostgreSQL with sslmode verify-full) */
struct repl_tls {
    const char *ca_file;     /* verify against this CA bundle */
    const char *fingerprint; /* "sha256//BASE64" of the peer's public key */
};

/* An HTTP endpoint: VictoriaMetrics (with its /prometheus prefix) or
 * ClickHouse's HTTP interface. */
struct repl_http_ep {
    const char *url; /* base URL without a trailing slash */
    char *user;      /* basic auth from the credentials file, or NULL */
    char *password;
};

/* A PostgreSQL server: host and port, the role and its password. */
struct repl_pg_ep {
    const char *host;
    char port[8];
    char *user;
    char *password;
};

struct repl_conf {
    const char *state_dir;
    bool enabled[REPL_NSTREAMS];
    struct repl_http_ep src_vm, dst_vm, src_ch, dst_ch;
    struct repl_pg_ep src_pg, dst_pg;
    const char *pg_sslmode; /* libpq sslmode for the source */
    char *pg_dbs[8];        /* databases copied, e.g. pmm-managed, grafana */
    size_t n_pg_dbs;
    const char *qan_table; /* "pmm.metrics" */
    struct repl_tls tls;   /* applies to the source's endpoints */
    int64_t settle_ms;     /* newest samples left for the next cycle */
    int64_t overlap_ms;    /* re-exported behind the watermark */
    int64_t window_ms;     /* largest export window in one request */
    int64_t io_timeout_ms; /* no byte for this long: the link is dead */
    int64_t max_skew_ms;   /* clock difference reported beyond this */
    int64_t interval_ms[REPL_NSTREAMS]; /* cadence of each stream */
};

/* What the status file says of a stream */
struct repl_stream {
    const char *name;
    bool enabled;
    bool initial_done;       /* one full cycle completed, ever */
    bool refused;            /* last error needs the operator */
    int64_t position_ms;     /* source clock: the standby holds all before it */
    int64_t source_now_ms;   /* source clock when the cycle ended */
    int64_t last_success_ms; /* local wall clock */
    int64_t last_attempt_ms;
    int64_t cycle_ms;         /* duration of the last cycle */
    uint64_t copied;          /* samples, rows or partitions, last cycle */
    uint64_t bytes;           /* bytes moved, last cycle */
    char error[REPL_ERR_LEN]; /* "" when the last cycle succeeded */
};

struct repl {
    struct repl_conf conf;
    struct repl_stream st[REPL_NSTREAMS];
    int64_t skew_ms; /* source clock minus ours, last seen */
    bool skew_known;
};

/* ---- repl-status.c: marks, status file, clocks, credentials ---- */

/** Wall clock in milliseconds since the epoch. */
int64_t repl_wall_ms(void);

/** Records one reading of the source's clock (@source_ms) taken between
 * @sent_ms and @recv_ms on ours; logs a warning beyond max_skew_ms. */
void repl_clock_note(struct repl *r, int64_t source_ms, int64_t sent_ms,
                     int64_t recv_ms);

/** A persisted watermark; -ENOENT when never set. */
int repl_mark_get(const struct repl *r, const char *key, int64_t *ret);

/** Persists @key=@val in the state directory, atomically and durably,
 * before returning. */
int repl_mark_set(struct repl *r, const char *key, int64_t val);

/** Writes the status file (state_dir/status) atomically. */
int repl_status_write(const struct repl *r);

/** Fills @st->error from a printf format; returns @err (a -errno). */
int repl_fail(struct repl_stream *st, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/**
 * Reads "user:password" (one line) from @path: a regular file, not a
 * symlink, owned by root or by us, no access for group or others. The
 * strings are the caller's to free. -EPERM for a wrong owner or mode, with
 * @why saying which.
 */
int repl_secret_read(const char *path, char **ret_user, char **ret_password,
                     char *why, size_t whylen);

/** True once SIGTERM or SIGINT arrived: a stream stops between steps. */
bool repl_stopping(void);

/* ---- the streams: one cycle each ----
 * Bring the standby up to a position on the source's clock before @d.
 * 0 when in sync up to st->position_ms; a -errno with st->error set (and
 * st->refused when the operator must act) otherwise. Never leaves the
 * standby with a partial copy visible: a cycle cut off at any instant is
 * redone by the next. */
int repl_metrics_cycle(struct repl *r, struct repl_stream *st, ra_deadline_t d);
int repl_inventory_cycle(struct repl *r, struct repl_stream *st,
                         ra_deadline_t d);
int repl_qan_cycle(struct repl *r, struct repl_stream *st, ra_deadline_t d);

#endif
