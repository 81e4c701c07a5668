/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pmmha-replicator - keeps a standby PMM's stores in sync with a source
 * PMM: metrics (VictoriaMetrics), inventory and Grafana state
 * (PostgreSQL), query analytics (ClickHouse). See repl.h and --help.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "repl.h"
#include "state.h"

static volatile sig_atomic_t stop_signal;

static const char usage_text[]
    = "usage: pmmha-replicator --state-dir DIR [options]\n"
      "Keeps a standby PMM's stores in sync with a source PMM.\n"
      "\n"
      "  --state-dir DIR          watermarks and the status file (required)\n"
      "  --once                   one cycle of each stream, then exit\n"
      "  --final                  with --once: the source takes no more\n"
      "                           writes and VictoriaMetrics was flushed (a\n"
      "                           switchover's last copy): up to its now,\n"
      "                           no settle\n"
      "  --streams LIST           metrics,inventory,qan (default: all)\n"
      "  --source-vm URL          source VictoriaMetrics, e.g.\n"
      "                           https://pmm1/prometheus (through its nginx)\n"
      "  --target-vm URL          default http://127.0.0.1:9090/prometheus\n"
      "  --vm-auth-file FILE      user:password for the source's /prometheus\n"
      "  --source-ch URL          source ClickHouse HTTP, e.g. "
      "http://pmm1:8123\n"
      "  --target-ch URL          default http://127.0.0.1:8123\n"
      "  --ch-auth-file FILE      user:password for ClickHouse (both sides)\n"
      "  --source-pg HOST[:PORT]  source PostgreSQL\n"
      "  --target-pg HOST[:PORT]  default 127.0.0.1:5432\n"
      "  --pg-auth-file FILE      user:password for PostgreSQL (both sides)\n"
      "  --pg-databases LIST      default pmm-managed,grafana\n"
      "  --pg-sslmode MODE        libpq sslmode to the source (default "
      "prefer;\n"
      "                           verify-full with --tls-ca)\n"
      "  --qan-table DB.TABLE     default pmm.metrics\n"
      "  --tls-ca FILE            verify the source's certificates with it\n"
      "  --tls-fingerprint PIN    sha256//BASE64 of the source's public key\n"
      "  --interval SEC           metrics cycle (default 15)\n"
      "  --inventory-interval SEC default 60\n"
      "  --qan-interval SEC       default 60\n"
      "  --settle SEC             newest samples left for later (default 30)\n"
      "  --overlap SEC            re-read behind the watermark (default 60)\n"
      "  --window SEC             largest export window (default 3600)\n"
      "  --io-timeout SEC         a silent link is dead after (default 30)\n"
      "  --max-skew SEC           clock difference warned beyond (default 5)\n"
      "  --timeout SEC            --once: give up after (default 600)\n"
      "\n"
      "Secrets come from files (mode 0600), never from the command line.\n"
      "Exit status: 0 in sync (--once) or the loop stopped by SIGTERM,\n"
      "1 a stream failed (may pass) or --once cut short by SIGTERM, 2 usage,\n"
      "3 credentials file or state directory\n"
      "unusable, 4 refused: authentication, TLS pin, not a PMM or schema\n"
      "mismatch (needs the operator).\n";

enum opt {
    O_STATE = 256,
    O_ONCE,
    O_FINAL,
    O_STREAMS,
    O_SRC_VM,
    O_DST_VM,
    O_VM_AUTH,
    O_SRC_CH,
    O_DST_CH,
    O_CH_AUTH,
    O_SRC_PG,
    O_DST_PG,
    O_PG_AUTH,
    O_PG_DBS,
    O_PG_SSL,
    O_QAN_TABLE,
    O_TLS_CA,
    O_TLS_PIN,
    O_INTERVAL,
    O_INV_INTERVAL,
    O_QAN_INTERVAL,
    O_SETTLE,
    O_OVERLAP,
    O_WINDOW,
    O_IO_TIMEOUT,
    O_SKEW,
    O_TIMEOUT,
    O_HELP
};

static const struct option options[] = {
    { "state-dir", required_argument, NULL, O_STATE },
    { "once", no_argument, NULL, O_ONCE },
    { "final", no_argument, NULL, O_FINAL },
    { "streams", required_argument, NULL, O_STREAMS },
    { "source-vm", required_argument, NULL, O_SRC_VM },
    { "target-vm", required_argument, NULL, O_DST_VM },
    { "vm-auth-file", required_argument, NULL, O_VM_AUTH },
    { "source-ch", required_argument, NULL, O_SRC_CH },
    { "target-ch", required_argument, NULL, O_DST_CH },
    { "ch-auth-file", required_argument, NULL, O_CH_AUTH },
    { "source-pg", required_argument, NULL, O_SRC_PG },
    { "target-pg", required_argument, NULL, O_DST_PG },
    { "pg-auth-file", required_argument, NULL, O_PG_AUTH },
    { "pg-databases", required_argument, NULL, O_PG_DBS },
    { "pg-sslmode", required_argument, NULL, O_PG_SSL },
    { "qan-table", required_argument, NULL, O_QAN_TABLE },
    { "tls-ca", required_argument, NULL, O_TLS_CA },
    { "tls-fingerprint", required_argument, NULL, O_TLS_PIN },
    { "interval", required_argument, NULL, O_INTERVAL },
    { "inventory-interval", required_argument, NULL, O_INV_INTERVAL },
    { "qan-interval", required_argument, NULL, O_QAN_INTERVAL },
    { "settle", required_argument, NULL, O_SETTLE },
    { "overlap", required_argument, NULL, O_OVERLAP },
    { "window", required_argument, NULL, O_WINDOW },
    { "io-timeout", required_argument, NULL, O_IO_TIMEOUT },
    { "max-skew", required_argument, NULL, O_SKEW },
    { "timeout", required_argument, NULL, O_TIMEOUT },
    { "help", no_argument, NULL, O_HELP },
    { NULL, 0, NULL, 0 },
};

static const char *const stream_names[REPL_NSTREAMS] = {
    [REPL_METRICS] = "metrics",
    [REPL_INVENTORY] = "inventory",
    [REPL_QAN] = "qan",
};

/* Command-line settings that are not part of struct repl_conf */
struct args {
    bool once, final;
    int64_t timeout_ms;
    const char *auth_file[3]; /* vm, ch, pg */
    const char *src_pg, *dst_pg;
    char *dbs;
};

bool
repl_stopping(void)
{
    return stop_signal != 0;
}

static void
on_signal(int sig)
{
    stop_signal = sig;
}

static int __attribute__((format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "pmmha-replicator: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see pmmha-replicator --help)\n");
    return REPL_EXIT_USAGE;
}

/* Seconds (a whole number, 0..86400*366) into milliseconds */
static int
parse_seconds(const char *s, int64_t *ret)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < 0 || v > 86400LL * 366)
        return -EINVAL;
    *ret = v * 1000;
    return 0;
}

static bool
url_ok(const char *u)
{
    size_t i;

    if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
        return false;
    if (strlen(u) > 400 || u[strlen(u) - 1] == '/')
        return false;
    if (strchr(u, '@')) /* credentials come from a file, never argv */
        return false;
    for (i = 0; u[i]; i++) /* nothing a header or a shell could split */
        if ((unsigned char) u[i] <= ' ' || u[i] == '"' || u[i] == '\\')
            return false;
    return true;
}

static int
parse_streams(struct repl_conf *c, char *list)
{
    char *save = NULL, *tok;
    int i;

    memset(c->enabled, 0, sizeof c->enabled);
    for (tok = strtok_r(list, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        for (i = 0; i < REPL_NSTREAMS; i++)
            if (!strcmp(tok, stream_names[i]))
                break;
        if (i == REPL_NSTREAMS)
            return -EINVAL;
        c->enabled[i] = true;
    }
    return 0;
}

/* HOST[:PORT] into a PostgreSQL endpoint (the host's own validation is
 * libpq's; no spaces or quotes reach its parameters) */
static int
parse_pg(const char *s, struct repl_pg_ep *ep)
{
    const char *colon = strrchr(s, ':');
    char *end;
    long port = 5432;
    size_t i;

    for (i = 0; s[i]; i++)
        if ((unsigned char) s[i] <= ' ' || s[i] == '\'' || s[i] == '\\'
            || s[i] == '=')
            return -EINVAL;
    if (colon && !strchr(colon, ']')) {
        port = strtol(colon + 1, &end, 10);
        if (end == colon + 1 || *end || port < 1 || port > 65535)
            return -EINVAL;
        ep->host = strndup(s, (size_t) (colon - s));
    } else {
        ep->host = strdup(s);
    }
    if (!ep->host || !*ep->host)
        return -EINVAL;
    snprintf(ep->port, sizeof ep->port, "%ld", port);
    return 0;
}

static int
parse_dbs(struct repl_conf *c, char *list)
{
    char *save = NULL, *tok;

    c->n_pg_dbs = 0;
    for (tok = strtok_r(list, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (c->n_pg_dbs == sizeof c->pg_dbs / sizeof c->pg_dbs[0]
            || strlen(tok) > 63 || strpbrk(tok, " '\"\\="))
            return -EINVAL;
        c->pg_dbs[c->n_pg_dbs++] = tok;
    }
    return c->n_pg_dbs ? 0 : -EINVAL;
}

static void
conf_defaults(struct repl_conf *c, struct args *a)
{
    int i;

    for (i = 0; i < REPL_NSTREAMS; i++)
        c->enabled[i] = true;
    c->dst_vm.url = "http://127.0.0.1:9090/prometheus";
    c->dst_ch.url = "http://127.0.0.1:8123";
    c->qan_table = "pmm.metrics";
    c->pg_sslmode = "prefer";
    c->settle_ms = 30000;
    c->overlap_ms = 60000;
    c->window_ms = 3600000;
    c->io_timeout_ms = 30000;
    c->max_skew_ms = 5000;
    c->interval_ms[REPL_METRICS] = 15000;
    c->interval_ms[REPL_INVENTORY] = 60000;
    c->interval_ms[REPL_QAN] = 60000;
    a->timeout_ms = 600000;
    a->dst_pg = "127.0.0.1:5432";
}

/* One option into @c/@a; REPL_EXIT_OK or the exit status */
static int
set_option(struct repl_conf *c, struct args *a, int opt, char *arg)
{
    static const int secs[][2] = {
        { O_SETTLE, 0 },     { O_OVERLAP, 1 },      { O_WINDOW, 2 },
        { O_IO_TIMEOUT, 3 }, { O_SKEW, 4 },         { O_TIMEOUT, 5 },
        { O_INTERVAL, 6 },   { O_INV_INTERVAL, 7 }, { O_QAN_INTERVAL, 8 },
    };
    int64_t *const dst[] = {
        &c->settle_ms,
        &c->overlap_ms,
        &c->window_ms,
        &c->io_timeout_ms,
        &c->max_skew_ms,
        &a->timeout_ms,
        &c->interval_ms[REPL_METRICS],
        &c->interval_ms[REPL_INVENTORY],
        &c->interval_ms[REPL_QAN],
    };
    size_t i;

    for (i = 0; i < sizeof secs / sizeof secs[0]; i++)
        if (secs[i][0] == opt)
            return parse_seconds(arg, dst[secs[i][1]]) < 0
                       ? usage_error("not a number of seconds: '%s'", arg)
                       : REPL_EXIT_OK;
    switch (opt) {
    case O_STATE:
        c->state_dir = arg;
        break;
    case O_ONCE:
        a->once = true;
        break;
    case O_FINAL:
        a->final = true;
        break;
    case O_STREAMS:
        if (parse_streams(c, arg) < 0)
            return usage_error("--streams takes metrics,inventory,qan: "
                               "'%s'",
                               arg);
        break;
    case O_SRC_VM:
        c->src_vm.url = arg;
        break;
    case O_DST_VM:
        c->dst_vm.url = arg;
        break;
    case O_SRC_CH:
        c->src_ch.url = arg;
        break;
    case O_DST_CH:
        c->dst_ch.url = arg;
        break;
    case O_VM_AUTH:
        a->auth_file[0] = arg;
        break;
    case O_CH_AUTH:
        a->auth_file[1] = arg;
        break;
    case O_PG_AUTH:
        a->auth_file[2] = arg;
        break;
    case O_SRC_PG:
        a->src_pg = arg;
        break;
    case O_DST_PG:
        a->dst_pg = arg;
        break;
    case O_PG_DBS:
        a->dbs = arg;
        break;
    case O_PG_SSL:
        c->pg_sslmode = arg;
        break;
    case O_QAN_TABLE:
        c->qan_table = arg;
        break;
    case O_TLS_CA:
        c->tls.ca_file = arg;
        break;
    case O_TLS_PIN:
        c->tls.fingerprint = arg;
        break;
    default:
        return usage_error("%s", "unknown option");
    }
    return REPL_EXIT_OK;
}

static int
check_urls(const struct repl_conf *c)
{
    const struct repl_http_ep *eps[]
        = { &c->src_vm, &c->dst_vm, &c->src_ch, &c->dst_ch };
    size_t i;

    for (i = 0; i < 4; i++)
        if (eps[i]->url && !url_ok(eps[i]->url))
            return usage_error("not an http:// or https:// URL without a "
                               "trailing slash nor credentials (they come "
                               "from --*-auth-file): '%s'",
                               eps[i]->url);
    return REPL_EXIT_OK;
}

static int
check_conf(struct repl_conf *c, struct args *a)
{
    static const char *const need[REPL_NSTREAMS]
        = { "--source-vm", "--source-pg", "--source-ch" };
    const bool have[REPL_NSTREAMS]
        = { c->src_vm.url, a->src_pg, c->src_ch.url };
    static char default_dbs[] = "pmm-managed,grafana";
    const char *pin = c->tls.fingerprint;
    int i, rc;

    if (!c->state_dir)
        return usage_error("%s is required", "--state-dir");
    for (i = 0; i < REPL_NSTREAMS; i++)
        if (c->enabled[i] && !have[i])
            return usage_error("%s is required (or leave its stream out "
                               "of --streams)",
                               need[i]);
    rc = check_urls(c);
    if (rc)
        return rc;
    if (pin && (strncmp(pin, "sha256//", 8) != 0 || strlen(pin) != 52))
        return usage_error("--tls-fingerprint takes sha256//BASE64 of the "
                           "public key (44 characters): '%s'",
                           pin);
    if (a->src_pg && parse_pg(a->src_pg, &c->src_pg) < 0)
        return usage_error("--source-pg takes HOST[:PORT]: '%s'", a->src_pg);
    if (parse_pg(a->dst_pg, &c->dst_pg) < 0)
        return usage_error("--target-pg takes HOST[:PORT]: '%s'", a->dst_pg);
    if (parse_dbs(c, a->dbs ? a->dbs : default_dbs) < 0)
        return usage_error("--pg-databases takes a list of database names: "
                           "'%s'",
                           a->dbs ? a->dbs : "");
    if (c->window_ms < 1000 || c->interval_ms[REPL_METRICS] < 1000)
        return usage_error("%s must be at least 1 second",
                           "--window and --interval");
    if (a->final && !a->once)
        return usage_error("%s needs --once", "--final");
    if (a->final)
        c->settle_ms = 0; /* flushed, and nothing more comes */
    else if (c->settle_ms < 2000)
        return usage_error("%s must be at least 2 seconds (VictoriaMetrics "
                           "makes new samples searchable within ~1 s)",
                           "--settle");
    return REPL_EXIT_OK;
}

static int
read_secrets(struct repl_conf *c, const struct args *a)
{
    char why[512];
    char **user[3] = { &c->src_vm.user, &c->src_ch.user, &c->src_pg.user };
    char **pass[3]
        = { &c->src_vm.password, &c->src_ch.password, &c->src_pg.password };
    int i, rc;

    for (i = 0; i < 3; i++) {
        if (!a->auth_file[i])
            continue;
        rc = repl_secret_read(a->auth_file[i], user[i], pass[i], why,
                              sizeof why);
        if (rc < 0) {
            fprintf(stderr, "pmmha-replicator: %s\n", why);
            return REPL_EXIT_CONFIG;
        }
    }
    /* ClickHouse and PostgreSQL: the same role on both sides, since the
     * two nodes swap roles at every failover */
    c->dst_ch.user = c->src_ch.user;
    c->dst_ch.password = c->src_ch.password;
    c->dst_pg.user = c->src_pg.user;
    c->dst_pg.password = c->src_pg.password;
    return REPL_EXIT_OK;
}

static int
parse_args(int argc, char **argv, struct repl_conf *c, struct args *a)
{
    int opt, rc;

    conf_defaults(c, a);
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (opt == O_HELP) {
            fputs(usage_text, stdout);
            exit(REPL_EXIT_OK);
        }
        if (opt == '?')
            return REPL_EXIT_USAGE;
        rc = set_option(c, a, opt, optarg);
        if (rc)
            return rc;
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    rc = check_conf(c, a);
    return rc ? rc : read_secrets(c, a);
}

static int
open_state_dir(struct repl *r, int *lock_fd)
{
    const char *dir = r->conf.state_dir;
    pid_t holder = 0;
    int rc;

    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        fprintf(stderr,
                "pmmha-replicator: cannot make the state directory "
                "%s: %s\n",
                dir, strerror(errno));
        return REPL_EXIT_CONFIG;
    }
    rc = ra_state_lock(dir, "pmmha-replicator", "run", ra_deadline_in_ms(500),
                       lock_fd, &holder);
    if (rc == -ETIMEDOUT) {
        fprintf(stderr,
                "pmmha-replicator: another replicator (pid %ld) "
                "uses %s\n",
                (long) holder, dir);
        return REPL_EXIT_CONFIG;
    }
    rc = rc < 0 ? rc : repl_status_write(r);
    if (rc < 0) {
        fprintf(stderr,
                "pmmha-replicator: the state directory %s is not "
                "writable: %s\n",
                dir, strerror(-rc));
        return REPL_EXIT_CONFIG;
    }
    return REPL_EXIT_OK;
}

static void
load_initial(struct repl *r)
{
    int64_t v;
    char key[32];
    int i;

    for (i = 0; i < REPL_NSTREAMS; i++) {
        r->st[i].name = stream_names[i];
        r->st[i].enabled = r->conf.enabled[i];
        snprintf(key, sizeof key, "%s.initial", stream_names[i]);
        r->st[i].initial_done = repl_mark_get(r, key, &v) == 0 && v == 1;
        snprintf(key, sizeof key, "%s.position", stream_names[i]);
        if (repl_mark_get(r, key, &v) == 0)
            r->st[i].position_ms = v;
    }
}

/* One cycle of stream @i, recorded in the status file */
static int
run_stream(struct repl *r, int i, ra_deadline_t d)
{
    typedef int (*cycle_fn)(struct repl *, struct repl_stream *, ra_deadline_t);
    static const cycle_fn cycle[REPL_NSTREAMS]
        = { repl_metrics_cycle, repl_inventory_cycle, repl_qan_cycle };
    struct repl_stream *st = &r->st[i];
    char key[32];
    int64_t t0 = repl_wall_ms();
    int rc;

    st->error[0] = '\0';
    st->refused = false;
    st->copied = st->bytes = 0;
    st->last_attempt_ms = t0;
    rc = cycle[i](r, st, d);
    st->cycle_ms = repl_wall_ms() - t0;
    if (rc == 0) {
        st->last_success_ms = repl_wall_ms();
        snprintf(key, sizeof key, "%s.position", st->name);
        rc = repl_mark_set(r, key, st->position_ms);
        if (rc == 0 && !st->initial_done) {
            snprintf(key, sizeof key, "%s.initial", st->name);
            rc = repl_mark_set(r, key, 1);
            st->initial_done = rc == 0;
        }
        if (rc < 0)
            repl_fail(st, rc, "cannot write the watermark in %s: %s",
                      r->conf.state_dir, strerror(-rc));
        else
            ra_info("%s: in sync up to %" PRId64 " (%" PRIu64 " copied in "
                    "%" PRId64 " ms)",
                    st->name, st->position_ms, st->copied, st->cycle_ms);
    }
    if (rc < 0)
        ra_err("%s: %s", st->name, st->error[0] ? st->error : strerror(-rc));
    if (repl_status_write(r) < 0)
        ra_err("cannot write the status file in %s", r->conf.state_dir);
    return rc;
}

static int
run_once(struct repl *r, int64_t timeout_ms)
{
    ra_deadline_t d = ra_deadline_in_ms((uint64_t) timeout_ms);
    int i, worst = REPL_EXIT_OK;

    for (i = 0; i < REPL_NSTREAMS && !repl_stopping(); i++) {
        if (!r->st[i].enabled)
            continue;
        if (run_stream(r, i, d) < 0)
            worst = r->st[i].refused             ? REPL_EXIT_REFUSED
                    : worst == REPL_EXIT_REFUSED ? worst
                                                 : REPL_EXIT_FAILED;
        printf("%s %s %" PRId64 "\n", r->st[i].name,
               r->st[i].error[0] ? "failed" : "in-sync", r->st[i].position_ms);
    }
    if (repl_stopping())
        worst = worst ? worst : REPL_EXIT_FAILED;
    return worst;
}

static int
run_loop(struct repl *r)
{
    int64_t next[REPL_NSTREAMS] = { 0 };
    int i;

    while (!repl_stopping()) {
        int64_t now = repl_wall_ms(), wake = now + 1000;

        for (i = 0; i < REPL_NSTREAMS && !repl_stopping(); i++) {
            if (!r->st[i].enabled || now < next[i])
                continue;
            /* a cycle may take up to its interval (at least 60 s) */
            run_stream(
                r, i,
                ra_deadline_in_ms((uint64_t) (r->conf.interval_ms[i] + 60000)));
            now = repl_wall_ms();
            next[i] = now + r->conf.interval_ms[i];
        }
        for (i = 0; i < REPL_NSTREAMS; i++)
            if (r->st[i].enabled && next[i] < wake)
                wake = next[i];
        if (wake > now) {
            struct timespec ts
                = { (wake - now) / 1000, (wake - now) % 1000 * 1000000 };
            nanosleep(&ts, NULL); /* a signal cuts it short */
        }
    }
    ra_info("stopped by signal %d", (int) stop_signal);
    return REPL_EXIT_OK;
}

int
main(int argc, char **argv)
{
    static struct repl r;
    struct args a = { 0 };
    struct sigaction sa = { .sa_handler = on_signal };
    int rc, lock_fd = -1;

    sigaction(SIGTERM, &sa, NULL); /* no SA_RESTART: sleeps end at once */
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    ra_log_init("pmmha-replicator", getenv("OCF_RESOURCE_INSTANCE")
                                        ? getenv("OCF_RESOURCE_INSTANCE")
                                        : "standalone");
    rc = parse_args(argc, argv, &r.conf, &a);
    if (rc)
        return rc;
    load_initial(&r); /* names the streams: the status file needs them */
    rc = open_state_dir(&r, &lock_fd);
    if (rc)
        return rc;
    load_initial(&r); /* the marks as they are now that the lock is ours */
    rc = a.once ? run_once(&r, a.timeout_ms) : run_loop(&r);
    ra_log_fini();
    return rc;
}
