/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ocf.c - ra_main(): what every agent does once. Exact action dispatch,
 * logging set up, the deadline taken from the operation's timeout,
 * parameters read and validated against the agent's metadata, and the one
 * ocf-exit-reason line written last.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "log.h"
#include "ra.h"
#include "state.h"

/* How long a monitor waits for another action of its instance. */
#define MONITOR_LOCK_WAIT_MS 1000

static struct utsname uts;

void
ra_result_set(struct ra_result *res, enum ra_ocf_rc rc, const char *fmt, ...)
{
    va_list ap;

    res->rc = rc;
    va_start(ap, fmt);
    vsnprintf(res->reason, sizeof res->reason, fmt, ap);
    va_end(ap);
    /* one line: words from the runtime, a disk or a file cannot end it
     * and forge another "ocf-exit-reason:" line after it */
    for (char *c = res->reason; *c; c++)
        if ((unsigned char) *c < ' ' || *c == 0x7f)
            *c = ' ';
}

void
ra_result_ok(struct ra_result *res)
{
    res->rc = RA_OCF_SUCCESS;
    res->reason[0] = '\0';
}

bool
ra_ctx_is_recurring(const struct ra_ctx *ctx)
{
    return ctx->interval_ms > 0;
}

const char *
ra_ctx_str(const struct ra_ctx *ctx, const char *name)
{
    const char *v = ra_param_str(&ctx->params, name);

    return v ? v : "";
}

unsigned long long
ra_ctx_time_ms(const struct ra_ctx *ctx, const char *name,
               unsigned long long fallback)
{
    unsigned long long ms;

    return ra_parse_time_ms(ra_ctx_str(ctx, name), &ms) == 0 ? ms : fallback;
}

const struct ra_action *
ra_action_find(const struct ra_action *actions, const char *name)
{
    for (; actions->name; actions++)
        if (!strcmp(actions->name, name))
            return actions;
    return NULL;
}

const char *
ra_ocf_rc_str(enum ra_ocf_rc rc)
{
    static const char *const names[] = {
        "success",           "generic error",     "invalid arguments",
        "unimplemented",     "permission denied", "not installed",
        "not configured",    "not running",       "running (promoted)",
        "failed (promoted)",
    };

    return (unsigned) rc < sizeof names / sizeof names[0] ? names[rc]
                                                          : "unknown";
}

static void
usage(const struct ra_agent *agent, FILE *f)
{
    fprintf(f, "usage: %s {", agent->name);
    for (const struct ra_action *a = agent->actions; a->name; a++)
        fprintf(f, "%s%s", a == agent->actions ? "" : "|", a->name);
    fprintf(f, "}\n");
}

static const char *
env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);

    return v && *v ? v : fallback;
}

/* The op's timeout: Pacemaker's, else the metadata's default for it. */
static uint64_t
op_timeout_ms(const struct ra_agent *agent, const char *action)
{
    const char *v = getenv("OCF_RESKEY_CRM_meta_timeout");
    long long ms;

    if (v && ra_parse_ll(v, &ms) == 0 && ms > 0)
        return (uint64_t) ms;
    for (const struct ra_action_timeout *t = agent->timeouts; t && t->action;
         t++)
        if (!strcmp(t->action, action))
            return t->timeout_ms;
    return 20000;
}

static void
ctx_init(struct ra_ctx *ctx, const struct ra_agent *agent, const char *action)
{
    uint64_t start = ra_now_ns();
    long long ll;

    memset(ctx, 0, sizeof *ctx);
    ctx->lock_fd = -1;
    ctx->agent = agent;
    ctx->action = action;
    ctx->instance = env_or("OCF_RESOURCE_INSTANCE", agent->name);
    ctx->deadline = ra_deadline_for_op(start, op_timeout_ms(agent, action));
    if (ra_parse_ll(env_or("OCF_RESKEY_CRM_meta_interval", "0"), &ll) == 0
        && ll > 0)
        ctx->interval_ms = (uint64_t) ll;
    if (ra_parse_ll(env_or("OCF_CHECK_LEVEL", "0"), &ll) == 0 && ll > 0)
        ctx->check_level = (int) ll;
    ctx->rsctmp = env_or("HA_RSCTMP", "/run/resource-agents");
    ctx->node = getenv("OCF_RESKEY_CRM_meta_on_node");
    ctx->in_cluster = ctx->node && *ctx->node;
    if (!ctx->in_cluster)
        ctx->node = uname(&uts) == 0 ? uts.nodename : "localhost";
}

static void
check_params(struct ra_ctx *ctx, struct ra_result *res)
{
    const struct ra_agent *agent = ctx->agent;
    char why[RA_REASON_MAX];

    if (ra_params_validate(&ctx->params, why, sizeof why) < 0) {
        ra_result_set(res, RA_OCF_ERR_CONFIGURED, "%s", why);
        return;
    }
    for (const struct ra_param_check *c = agent->checks; c && c->name; c++) {
        const char *v = ra_param_str(&ctx->params, c->name);

        if (v && *v && c->check(v, why, sizeof why) < 0) {
            if (c->flags & RA_CHECK_SECRET)
                ra_result_set(res, RA_OCF_ERR_CONFIGURED, "%s: %s", c->name,
                              why);
            else
                ra_result_set(res, RA_OCF_ERR_CONFIGURED, "%s=%.40s: %s",
                              c->name, v, why);
            return;
        }
    }
    ra_result_ok(res);
}

/* The action another agent process runs ("start"), from its argv[1]. */
static void
holder_action(pid_t pid, char *buf, size_t len)
{
    char path[64], cmd[512] = "";
    ssize_t n = -1;
    int fd;

    snprintf(buf, len, "action");
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int) pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        n = read(fd, cmd, sizeof cmd - 1);
        close(fd);
    }
    if (n > 0 && memchr(cmd, '\0', (size_t) n)
        && (size_t) n > strlen(cmd) + 1) {
        cmd[n] = '\0';
        snprintf(buf, len, "%.32s", cmd + strlen(cmd) + 1);
    }
}

/*
 * Pacemaker never runs two operations of one resource on a node at once,
 * but crm_resource --force-start (or a second terminal) can: two starts of
 * one container kill each other's. Every action that changes something
 * waits, up to its deadline, for the instance's lock; a monitor only
 * briefly, then looks without it (it changes nothing that matters, and
 * must not hang behind a long start); validate-all needs none. A lock file
 * that cannot be made (a read-only state directory) is not worth failing a
 * stop for: the action runs unlocked, with a warning.
 */
static void
lock_instance(struct ra_ctx *ctx, struct ra_result *res)
{
    bool monitor = !strcmp(ctx->action, "monitor");
    ra_deadline_t d
        = monitor ? ra_deadline_min(ctx->deadline,
                                    ra_deadline_in_ms(MONITOR_LOCK_WAIT_MS))
                  : ctx->deadline;
    char what[40];
    pid_t holder;
    int fd, r;

    if (!strcmp(ctx->action, "validate-all"))
        return;
    r = ra_state_lock(ctx->rsctmp, ctx->agent->name, ctx->instance, d, &fd,
                      &holder);
    if (r == 0) {
        ctx->lock_fd = fd; /* released by finish() */
        return;
    }
    if (r != -ETIMEDOUT) {
        ra_warn("running without the instance lock in %s: %s", ctx->rsctmp,
                strerror(-r));
        return;
    }
    holder_action(holder, what, sizeof what);
    if (monitor) {
        ra_info("%s (pid %d) of this resource still runs: monitoring "
                "without waiting for it",
                what, (int) holder);
        return;
    }
    ra_result_set(res, RA_OCF_ERR_GENERIC,
                  "wait for the %s of %.40s still running here (pid %d), "
                  "then retry: %s gave up waiting",
                  what, ctx->instance, (int) holder, ctx->action);
}

/*
 * The open files an action may need at once: plugins and their libraries,
 * pipes of spawned programs, pidfds, the lock, sockets, device I/O. A
 * lower soft limit is raised to the hard one; a lower hard limit fails the
 * action saying so, instead of a failure somewhere that names something
 * else (curl's "cannot connect", a file "not installed").
 */
static int
check_nofile(struct ra_result *res)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= RA_MIN_NOFILE)
        return 0;
    if (rl.rlim_max >= RA_MIN_NOFILE) {
        rl.rlim_cur = RA_MIN_NOFILE;
        if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
            return 0;
    }
    ra_result_set(res, RA_OCF_ERR_GENERIC,
                  "raise the open files limit (ulimit -n) to %d or more: it "
                  "is %llu",
                  RA_MIN_NOFILE, (unsigned long long) rl.rlim_cur);
    return -EMFILE;
}

static void
run_action(struct ra_ctx *ctx, const struct ra_action *a, struct ra_result *res)
{
    if (check_nofile(res) < 0)
        return;
    if ((a->flags & RA_NEEDS_ROOT) && geteuid() != 0) {
        ra_result_set(res, RA_OCF_ERR_PERM, "%s %s must run as root",
                      ctx->agent->name, a->name);
        return;
    }
    if (ra_params_load(&ctx->params, ctx->agent->params) < 0) {
        ra_result_set(res, RA_OCF_ERR_GENERIC, "too many parameters");
        return;
    }
    if (a->flags & RA_NEEDS_PARAMS) {
        check_params(ctx, res);
        if (res->rc != RA_OCF_SUCCESS)
            return;
    }
    ra_result_ok(res);
    lock_instance(ctx, res);
    if (res->rc != RA_OCF_SUCCESS)
        return;
    ra_result_set(res, RA_OCF_ERR_GENERIC, "%s returned no result", a->name);
    a->fn(ctx, res);
}

static int
finish(const struct ra_ctx *ctx, const struct ra_result *res)
{
    if (res->rc != RA_OCF_SUCCESS && res->reason[0]) {
        size_t n = strlen(res->reason);

        ra_log(res->rc == RA_OCF_NOT_RUNNING ? LOG_INFO : LOG_ERR,
               "%s: %s (%s)", ctx->action, res->reason, ra_ocf_rc_str(res->rc));
        /* the whole reason is in the line above; crm_mon shows less */
        if (n > RA_REASON_KEPT)
            ra_debug("the exit reason has %zu characters: Pacemaker keeps %d",
                     n, RA_REASON_KEPT);
    } else
        ra_debug("%s: %s", ctx->action, ra_ocf_rc_str(res->rc));
    if (ctx->lock_fd >= 0)
        close(ctx->lock_fd);
    ra_log_fini();
    /* Pacemaker keeps only the last such line: it must come last */
    if (res->rc != RA_OCF_SUCCESS && res->reason[0])
        fprintf(stderr, "%s%s\n",
                env_or("OCF_EXIT_REASON_PREFIX", "ocf-exit-reason:"),
                res->reason);
    fflush(stdout);
    fflush(stderr);
    return (int) res->rc;
}

int
ra_main(int argc, char **argv, const struct ra_agent *agent)
{
    const struct ra_action *a;
    struct ra_result res;
    struct ra_ctx ctx;

    if (argc != 2) {
        usage(agent, stderr);
        return RA_OCF_ERR_ARGS;
    }
    if (!strcmp(argv[1], "meta-data")) {
        fputs(agent->meta_xml, stdout);
        return fflush(stdout) == 0 ? RA_OCF_SUCCESS : RA_OCF_ERR_GENERIC;
    }
    if (!strcmp(argv[1], "usage") || !strcmp(argv[1], "help")) {
        usage(agent, stdout);
        return RA_OCF_SUCCESS;
    }
    signal(SIGPIPE, SIG_IGN);
    ctx_init(&ctx, agent, argv[1]);
    ra_log_init(agent->name, ctx.instance);
    a = ra_action_find(agent->actions, argv[1]);
    if (!a || !a->fn)
        ra_result_set(&res, RA_OCF_ERR_UNIMPLEMENTED,
                      "action '%.64s' is not implemented by %s", argv[1],
                      agent->name);
    else
        run_action(&ctx, a, &res);
    return finish(&ctx, &res);
}
