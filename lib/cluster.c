/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cluster.c - the one place pmmha talks to Pacemaker (see cluster.h):
 * attrd_updater, crm_attribute, crm_node, crm_mon and stonith_admin, each
 * found in the system directories, spawned without a shell and bounded by
 * CL_CALL_MS; options with a value are passed as one "--opt=value" word,
 * so that no value can read as another option. crm_mon's and
 * stonith_admin's XML is read by crmxml.c. Library code: errors are
 * returned, only details are logged (at debug).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "log.h"
#include "ra-spawn.h"

#define CL_ARGS_MAX 16
#define CL_OPTS_MAX 4
#define CL_OPT_LEN (CL_VALUE_MAX + 32)
#define CL_KILL_GRACE_MS 200
/* Pacemaker's exit codes (crm_exit_t) that mean something here */
#define CRM_EX_DISCONNECT 102
#define CRM_EX_NOSUCH 105
/* Pacemaker's INFINITY score */
#define CL_SCORE_INFINITY 1000000

/* One command line: the tool's absolute path, its arguments (the
 * "--opt=value" ones formatted into opts[]) and its extra environment. */
struct cmd {
    char prog[PATH_MAX];
    const char *argv[CL_ARGS_MAX + 1];
    size_t n;
    char opts[CL_OPTS_MAX][CL_OPT_LEN];
    size_t n_opts;
    char env_buf[CL_OPT_LEN];
    char *env[2];
    bool overflow;
};

/* What the end of a job means. */
enum job_kind {
    JOB_SET,    /* "no such attribute" is a failure (-EIO) */
    JOB_DELETE, /* "no such attribute" is success */
    JOB_QUERY,  /* attrd_updater -Q -A: parse its output at the end */
};

/* A call started by a *_begin() function. */
struct cl_job {
    struct ra_spawn_job *spawn;
    enum job_kind kind;
    char tool[32]; /* for the log */
};

/* ---- running the tools ------------------------------------------------ */

/* The deadline of one call: the action's, or CL_CALL_MS from now. */
static ra_deadline_t
call_deadline(const struct ra_ctx *ctx)
{
    return ra_deadline_min(ctx->deadline, ra_deadline_in_ms(CL_CALL_MS));
}

/* 0 with @tool found for @c, -ENOTCONN when there is no cluster to ask
 * (not run by Pacemaker, or Pacemaker's tools not installed). */
static int
cmd_init(struct cmd *c, const struct ra_ctx *ctx, const char *tool)
{
    memset(c, 0, sizeof *c);
    if (!ctx->in_cluster)
        return -ENOTCONN;
    if (ra_find_program(tool, c->prog, sizeof c->prog) < 0) {
        ra_debug("%s is not installed: no cluster to ask", tool);
        return -ENOTCONN;
    }
    c->argv[c->n++] = c->prog;
    return 0;
}

/* Appends @arg (a string that outlives @c's run). */
static void
cmd_arg(struct cmd *c, const char *arg)
{
    if (c->n < CL_ARGS_MAX)
        c->argv[c->n++] = arg;
    else
        c->overflow = true;
}

/* Appends "--@opt=@value" as one word. */
static void
cmd_opt(struct cmd *c, const char *opt, const char *value)
{
    char *buf;
    int n;

    if (c->n_opts >= CL_OPTS_MAX) {
        c->overflow = true;
        return;
    }
    buf = c->opts[c->n_opts++];
    n = snprintf(buf, CL_OPT_LEN, "--%s=%s", opt, value);
    if (n < 0 || n >= CL_OPT_LEN)
        c->overflow = true;
    else
        cmd_arg(c, buf);
}

/* Gives the child OCF_RESOURCE_INSTANCE=@instance (crm_attribute
 * --promotion names the score after it). */
static void
cmd_instance(struct cmd *c, const char *instance)
{
    int n = snprintf(c->env_buf, sizeof c->env_buf, "OCF_RESOURCE_INSTANCE=%s",
                     instance);

    if (n < 0 || (size_t) n >= sizeof c->env_buf)
        c->overflow = true;
    c->env[0] = c->env_buf;
    c->env[1] = NULL;
}

/* True when a tool's output says it could not reach the cluster. */
static bool
says_not_connected(const char *s)
{
    return s
           && (strstr(s, "Could not connect") || strstr(s, "Not connected")
               || strstr(s, "Connection refused")
               || strstr(s, "Transport endpoint is not connected"));
}

/* What a tool's end means: 0 (exit 0), -ENOTCONN (it could not reach the
 * cluster), -ENOENT (no such attribute), -ETIMEDOUT or -EIO. */
static int
tool_status(const struct ra_spawn_result *res)
{
    if (res->timed_out)
        return -ETIMEDOUT;
    if (res->status == 0)
        return 0;
    if (res->status == CRM_EX_DISCONNECT || says_not_connected(res->err)
        || says_not_connected(res->out))
        return -ENOTCONN;
    /* crm_attribute: 105; attrd_updater -Q: 78, "attribute does not exist" */
    if (res->status == CRM_EX_NOSUCH
        || (res->err && strstr(res->err, "does not exist")))
        return -ENOENT;
    return -EIO;
}

/* Logs (at debug) why a call failed: the tool, its status, its stderr. */
static void
log_failure(const char *prog, const struct ra_spawn_result *res, int r)
{
    const char *err = res->err && *res->err ? res->err : "";

    ra_debug("%s: %s (exit %d): %.*s", prog, strerror(-r), res->status,
             (int) strcspn(err, "\n"), err);
}

/* Runs @c to its end: 0 or -errno as tool_status() says; the output in
 * @res either way (free it). */
static int
cmd_run(struct cmd *c, const struct ra_ctx *ctx, struct ra_spawn_result *res)
{
    int r;

    memset(res, 0, sizeof *res);
    if (c->overflow)
        return -EINVAL;
    c->argv[c->n] = NULL;
    r = ra_spawn((char *const *) c->argv, c->env[0] ? c->env : NULL,
                 call_deadline(ctx), CL_KILL_GRACE_MS, res);
    if (r < 0)
        return r;
    r = tool_status(res);
    if (r < 0 && r != -ENOENT)
        log_failure(c->prog, res, r);
    return r;
}

/* Starts @c as a job, its set-up (@setup: 0 or -errno) done; *@ret stays
 * NULL on failure. 0 or -errno. */
static int
cmd_begin(int setup, struct cmd *c, const struct ra_ctx *ctx,
          enum job_kind kind, struct cl_job **ret)
{
    struct cl_job *j;
    const char *base;
    int r;

    *ret = NULL;
    if (setup < 0)
        return setup;
    if (c->overflow)
        return -EINVAL;
    j = calloc(1, sizeof *j);
    if (!j)
        return -ENOMEM;
    c->argv[c->n] = NULL;
    r = ra_spawn_begin((char *const *) c->argv, c->env[0] ? c->env : NULL,
                       call_deadline(ctx), CL_KILL_GRACE_MS, &j->spawn);
    if (r < 0) {
        free(j);
        return r;
    }
    base = strrchr(c->prog, '/');
    snprintf(j->tool, sizeof j->tool, "%.31s", base ? base + 1 : c->prog);
    j->kind = kind;
    *ret = j;
    return 0;
}

/* Starts @c (set up: @setup) and waits for it: what cl_job_finish() says. */
static int
cmd_do(int setup, struct cmd *c, const struct ra_ctx *ctx, enum job_kind kind)
{
    struct cl_job *job;
    int r = cmd_begin(setup, c, ctx, kind, &job);

    return r < 0 ? r : cl_job_finish(job, NULL, 0);
}

/* ---- node attributes --------------------------------------------------- */

/* A name attrd takes: not empty, not an option, one line. */
static bool
attr_name_ok(const char *name)
{
    return name && *name && *name != '-' && !strpbrk(name, "\"\n\r")
           && strlen(name) < CRMXML_NAME_MAX;
}

/* Sets up @c as attrd_updater --name=@name for @node (NULL: this one). */
static int
attrd_cmd(struct cmd *c, const struct ra_ctx *ctx, const char *name,
          const char *node, unsigned flags)
{
    int r = cmd_init(c, ctx, "attrd_updater");

    if (r < 0)
        return r;
    if (!attr_name_ok(name) || !cl_node_name_ok(node ? node : ctx->node))
        return -EINVAL;
    cmd_opt(c, "name", name);
    cmd_opt(c, "node", node ? node : ctx->node);
    if (flags & CL_ATTR_PRIVATE)
        cmd_arg(c, "--private");
    return 0;
}

/* Sets up @c to set @name = @value on this node. */
static int
attr_set_cmd(struct cmd *c, const struct ra_ctx *ctx, const char *name,
             const char *value, unsigned flags)
{
    int r = attrd_cmd(c, ctx, name, NULL, flags);

    if (r < 0)
        return r;
    if (!value || strlen(value) >= CL_VALUE_MAX || strpbrk(value, "\n\r"))
        return -EINVAL;
    cmd_opt(c, "update", value);
    return 0;
}

int
cl_attr_set(const struct ra_ctx *ctx, const char *name, const char *value,
            unsigned flags)
{
    struct cmd c;

    return cmd_do(attr_set_cmd(&c, ctx, name, value, flags), &c, ctx, JOB_SET);
}

/* Sets up @c to delete @name on this node. */
static int
attr_delete_cmd(struct cmd *c, const struct ra_ctx *ctx, const char *name,
                unsigned flags)
{
    int r = attrd_cmd(c, ctx, name, NULL, flags);

    if (r == 0)
        cmd_arg(c, "--delete");
    return r;
}

int
cl_attr_delete(const struct ra_ctx *ctx, const char *name, unsigned flags)
{
    struct cmd c;

    return cmd_do(attr_delete_cmd(&c, ctx, name, flags), &c, ctx, JOB_DELETE);
}

/* Copies @n bytes of @s into @buf of @len; false when they do not fit. */
static bool
copy_field(const char *s, size_t n, char *buf, size_t len)
{
    if (n >= len)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return true;
}

/*
 * One line of attrd_updater -Q (@len bytes, no newline): name="N"
 * host="H" value="V"; V runs to the line's last quote, so that a value
 * holding quotes is read whole. 0, or -EBADMSG for another line.
 */
static int
parse_attr_line(const char *line, size_t len, struct cl_attr_value *ret)
{
    const char *end = line + len, *h, *he, *v, *ve;

    h = memmem(line, len, " host=\"", 7);
    if (!h)
        return -EBADMSG;
    h += 7;
    he = memchr(h, '"', (size_t) (end - h));
    if (!he)
        return -EBADMSG;
    v = memmem(he, (size_t) (end - he), " value=\"", 8);
    if (!v)
        return -EBADMSG;
    v += 8;
    ve = end;
    while (ve > v && ve[-1] != '"')
        ve--;
    if (ve == v)
        return -EBADMSG;
    if (!copy_field(h, (size_t) (he - h), ret->node, sizeof ret->node)
        || !copy_field(v, (size_t) (ve - 1 - v), ret->value, sizeof ret->value))
        return -EBADMSG;
    return 0;
}

int
cl_attr_parse(const char *text, struct cl_attr_value *out, size_t max)
{
    struct cl_attr_value v;
    size_t n = 0, len;

    for (const char *l = text; l && *l && n < max; l += len + (l[len] != 0)) {
        len = strcspn(l, "\n");
        if (parse_attr_line(l, len, &v) < 0 || !*v.value
            || !cl_node_name_ok(v.node))
            continue;
        out[n++] = v;
    }
    return (int) n;
}

/* The values in a query's output, or its error (none: 0). */
static int
query_result(int r, const struct ra_spawn_result *res,
             struct cl_attr_value *out, size_t max)
{
    if (r == -ENOENT)
        return 0; /* no node has the attribute */
    if (r < 0)
        return r;
    return cl_attr_parse(res->out, out, max);
}

int
cl_attr_get(const struct ra_ctx *ctx, const char *name, const char *node,
            unsigned flags, char *buf, size_t len)
{
    struct ra_spawn_result res = { 0 };
    struct cl_attr_value v;
    struct cmd c;
    int r = attrd_cmd(&c, ctx, name, node, flags);

    if (r == 0) {
        cmd_arg(&c, "--query");
        r = query_result(cmd_run(&c, ctx, &res), &res, &v, 1);
    }
    ra_spawn_result_free(&res);
    if (r == 0)
        return -ENOENT; /* unset, or deleted (attrd keeps it empty) */
    if (r < 0)
        return r;
    if (strcmp(v.node, node ? node : ctx->node) != 0)
        return -EIO;
    return snprintf(buf, len, "%s", v.value) < (int) len ? 0 : -ENOBUFS;
}

/* Sets up @c as attrd_updater --query --all --name=@name. */
static int
attr_all_cmd(struct cmd *c, const struct ra_ctx *ctx, const char *name,
             unsigned flags)
{
    int r = cmd_init(c, ctx, "attrd_updater");

    if (r < 0)
        return r;
    if (!attr_name_ok(name))
        return -EINVAL;
    cmd_opt(c, "name", name);
    cmd_arg(c, "--query");
    cmd_arg(c, "--all");
    if (flags & CL_ATTR_PRIVATE)
        cmd_arg(c, "--private");
    return 0;
}

int
cl_attr_all(const struct ra_ctx *ctx, const char *name, unsigned flags,
            struct cl_attr_value *out, size_t max)
{
    struct ra_spawn_result res = { 0 };
    struct cmd c;
    int r = attr_all_cmd(&c, ctx, name, flags);

    if (r == 0)
        r = query_result(cmd_run(&c, ctx, &res), &res, out, max);
    ra_spawn_result_free(&res);
    return r;
}

int
cl_attr_set_begin(const struct ra_ctx *ctx, const char *name, const char *value,
                  unsigned flags, struct cl_job **job)
{
    struct cmd c;

    return cmd_begin(attr_set_cmd(&c, ctx, name, value, flags), &c, ctx,
                     JOB_SET, job);
}

int
cl_attr_delete_begin(const struct ra_ctx *ctx, const char *name, unsigned flags,
                     struct cl_job **job)
{
    struct cmd c;

    return cmd_begin(attr_delete_cmd(&c, ctx, name, flags), &c, ctx, JOB_DELETE,
                     job);
}

int
cl_attr_all_begin(const struct ra_ctx *ctx, const char *name, unsigned flags,
                  struct cl_job **job)
{
    struct cmd c;

    return cmd_begin(attr_all_cmd(&c, ctx, name, flags), &c, ctx, JOB_QUERY,
                     job);
}

int
cl_job_finish(struct cl_job *job, struct cl_attr_value *out, size_t max)
{
    struct ra_spawn_result res = { 0 };
    int r;

    if (!job)
        return -ENOTCONN;
    r = ra_spawn_finish(job->spawn, &res);
    if (r == 0) {
        r = tool_status(&res);
        if (r < 0 && r != -ENOENT)
            log_failure(job->tool, &res, r);
    }
    if (job->kind == JOB_QUERY)
        r = query_result(r, &res, out, max);
    else if (r == -ENOENT)
        r = job->kind == JOB_DELETE ? 0 : -EIO;
    ra_spawn_result_free(&res);
    free(job);
    return r;
}

int
cl_jobs_finish(struct cl_job **jobs, size_t n)
{
    int first = 0;

    for (size_t i = 0; i < n; i++) {
        int r = jobs[i] ? cl_job_finish(jobs[i], NULL, 0) : 0;

        jobs[i] = NULL;
        if (r < 0 && r != -ENOTCONN && !first)
            first = r;
    }
    return first;
}

/* ---- promotion scores -------------------------------------------------- */

/* Sets up @c as crm_attribute --promotion for this resource on @node. */
static int
promotion_cmd(struct cmd *c, const struct ra_ctx *ctx, const char *node)
{
    int r = cmd_init(c, ctx, "crm_attribute");

    if (r < 0)
        return r;
    if (node && !cl_node_name_ok(node))
        return -EINVAL;
    cmd_arg(c, "--promotion");
    cmd_opt(c, "lifetime", "reboot");
    if (node)
        cmd_opt(c, "node", node);
    cmd_instance(c, ctx->instance);
    return 0;
}

/* Sets up @c to set the promotion score on @node. */
static int
promotion_set_cmd(struct cmd *c, const struct ra_ctx *ctx, const char *node,
                  int score)
{
    char value[16];
    int r = promotion_cmd(c, ctx, node);

    if (r == 0) {
        snprintf(value, sizeof value, "%d", score);
        cmd_opt(c, "update", value);
    }
    return r;
}

int
cl_promotion_set(const struct ra_ctx *ctx, const char *node, int score)
{
    struct cmd c;

    return cmd_do(promotion_set_cmd(&c, ctx, node, score), &c, ctx, JOB_SET);
}

int
cl_promotion_set_begin(const struct ra_ctx *ctx, const char *node, int score,
                       struct cl_job **job)
{
    struct cmd c;

    return cmd_begin(promotion_set_cmd(&c, ctx, node, score), &c, ctx, JOB_SET,
                     job);
}

/* A score as Pacemaker writes one ("INFINITY", "-INFINITY", "+INFINITY",
 * or an integer) into *@ret; -EBADMSG for anything else. */
static int
parse_score(const char *s, int *ret)
{
    char *end;
    long v;

    if (!strcmp(s, "INFINITY") || !strcmp(s, "+INFINITY")) {
        *ret = CL_SCORE_INFINITY;
        return 0;
    }
    if (!strcmp(s, "-INFINITY")) {
        *ret = -CL_SCORE_INFINITY;
        return 0;
    }
    errno = 0;
    v = strtol(s, &end, 10);
    if (end == s || *end || errno)
        return -EBADMSG;
    if (v > CL_SCORE_INFINITY)
        v = CL_SCORE_INFINITY;
    if (v < -CL_SCORE_INFINITY)
        v = -CL_SCORE_INFINITY;
    *ret = (int) v;
    return 0;
}

/* The first line of @s, blanks trimmed, into @buf. */
static void
first_line(const char *s, char *buf, size_t len)
{
    size_t n;

    s = s ? s + strspn(s, " \t") : "";
    n = strcspn(s, "\n");
    while (n && isspace((unsigned char) s[n - 1]))
        n--;
    snprintf(buf, len, "%.*s", (int) n, s);
}

int
cl_promotion_get(const struct ra_ctx *ctx, const char *node, int *score)
{
    struct ra_spawn_result res = { 0 };
    char line[64];
    struct cmd c;
    int r = promotion_cmd(&c, ctx, node);

    if (r == 0) {
        cmd_arg(&c, "--query");
        cmd_arg(&c, "--quiet");
        r = cmd_run(&c, ctx, &res);
    }
    if (r == 0) {
        first_line(res.out, line, sizeof line);
        if (!*line || !strcmp(line, "(null)"))
            r = -ENOENT;
        else
            r = parse_score(line, score);
    }
    ra_spawn_result_free(&res);
    return r;
}

int
cl_promotion_delete_begin(const struct ra_ctx *ctx, const char *node,
                          struct cl_job **job)
{
    struct cmd c;
    int r = promotion_cmd(&c, ctx, node);

    if (r == 0)
        cmd_arg(&c, "--delete");
    return cmd_begin(r, &c, ctx, JOB_DELETE, job);
}

int
cl_promotion_delete(const struct ra_ctx *ctx, const char *node)
{
    struct cl_job *job;
    int r = cl_promotion_delete_begin(ctx, node, &job);

    return r < 0 ? r : cl_job_finish(job, NULL, 0);
}

/* ---- membership and fencing -------------------------------------------- */

int
cl_status(const struct ra_ctx *ctx, struct crmxml_status *ret)
{
    struct ra_spawn_result res = { 0 };
    struct cmd c;
    int r = cmd_init(&c, ctx, "crm_mon");

    if (r == 0) {
        cmd_arg(&c, "-1");
        cmd_arg(&c, "--output-as=xml");
        r = cmd_run(&c, ctx, &res);
    }
    if (r == 0)
        r = crmxml_status_parse(res.out ? res.out : "", ret);
    else if (r == -ENOENT)
        r = -EIO;
    ra_spawn_result_free(&res);
    return r;
}

/* 1 when @node is a word of crm_node -p's output @s, else 0. */
static int
in_partition(const char *s, const char *node)
{
    size_t len = strlen(node), n;

    for (s = s ? s : ""; *s; s += n) {
        s += strspn(s, " \t\r\n");
        n = strcspn(s, " \t\r\n");
        if (n == len && !memcmp(s, node, n))
            return 1;
    }
    return 0;
}

int
cl_is_member(const struct ra_ctx *ctx, const char *node)
{
    struct ra_spawn_result res = { 0 };
    struct cmd c;
    int r = cmd_init(&c, ctx, "crm_node");

    if (r < 0)
        return r;
    if (!cl_node_name_ok(node))
        return 0;
    cmd_arg(&c, "--partition");
    r = cmd_run(&c, ctx, &res);
    if (r == 0)
        r = in_partition(res.out, node);
    else if (r == -ENOENT)
        r = -EIO;
    ra_spawn_result_free(&res);
    return r;
}

/* "12:34:56Z" (UTC) for @t. */
static const char *
utc_str(time_t t, char *buf, size_t len)
{
    struct tm tm;

    if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%SZ", &tm))
        snprintf(buf, len, "?");
    return buf;
}

int
cl_fence_decide(const struct cl_fence_facts *f, time_t since, char *why,
                size_t len)
{
    time_t from = since > 0 ? since - CL_FENCE_SKEW_S : 0;
    char a[32];

    if (f->member) {
        snprintf(why, len, "a member now");
        return 0;
    }
    if (!f->fenced) {
        snprintf(why, len, "no fencing in the history");
        return 0;
    }
    if (since <= 0 || (f->completed > 0 && f->completed >= from)) {
        if (f->completed > 0)
            snprintf(why, len, "fenced at %s",
                     utc_str(f->completed, a, sizeof a));
        else
            snprintf(why, len, "fenced");
        return 1;
    }
    snprintf(why, len, "no fencing in the history since %s",
             utc_str(from, a, sizeof a));
    return 0;
}

/* Reads @node's fencing history into @f. 0 or -errno. */
static int
fence_history(const struct ra_ctx *ctx, const char *node,
              struct cl_fence_facts *f)
{
    struct ra_spawn_result res = { 0 };
    struct cmd c;
    int r = cmd_init(&c, ctx, "stonith_admin");

    if (r < 0)
        return r;
    cmd_opt(&c, "history", node);
    /* without --verbose, stonith_admin lists one success per node, and
     * not the newest (Pacemaker 2.1.5: a node fenced twice looked fenced
     * only the first time) */
    cmd_arg(&c, "--verbose");
    cmd_arg(&c, "--output-as=xml");
    r = cmd_run(&c, ctx, &res);
    if (r == 0) {
        r = crmxml_fence_last(res.out ? res.out : "", node, &f->completed);
        f->fenced = r == 1;
    } else if (r == -ENOENT)
        r = -EIO;
    ra_spawn_result_free(&res);
    return r < 0 ? r : 0;
}

int
cl_fenced_since(const struct ra_ctx *ctx, const char *node, time_t since,
                char *why, size_t len)
{
    struct cl_fence_facts f = { .member = 0 };
    int r;

    if (!cl_node_name_ok(node)) {
        snprintf(why, len, "not a node name");
        return 0;
    }
    r = cl_is_member(ctx, node);
    if (r == 0)
        r = fence_history(ctx, node, &f);
    else if (r == 1)
        f.member = 1;
    if (r < 0) {
        snprintf(why, len, "the cluster cannot tell: %s", strerror(-r));
        return r;
    }
    return cl_fence_decide(&f, since, why, len);
}

/* Pacemaker's booleans: 1 true, 0 false, -1 neither. */
static int
crm_bool(const char *s)
{
    static const char *const yes[] = { "true", "on", "yes", "y", "1" };
    static const char *const no[] = { "false", "off", "no", "n", "0" };

    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (!strcasecmp(s, yes[i]))
            return 1;
        if (!strcasecmp(s, no[i]))
            return 0;
    }
    return -1;
}

int
cl_stonith_enabled(const struct ra_ctx *ctx)
{
    struct ra_spawn_result res = { 0 };
    char line[64];
    struct cmd c;
    int r = cmd_init(&c, ctx, "crm_attribute");

    if (r < 0)
        return r;
    cmd_opt(&c, "type", "crm_config");
    cmd_opt(&c, "name", "stonith-enabled");
    cmd_arg(&c, "--query");
    cmd_arg(&c, "--quiet");
    r = cmd_run(&c, ctx, &res);
    first_line(res.out, line, sizeof line);
    ra_spawn_result_free(&res);
    if (r == -ENOENT || (r == 0 && (!*line || !strcmp(line, "(null)"))))
        return 1; /* unset: Pacemaker's default */
    if (r < 0)
        return r;
    /* Pacemaker reads a value it cannot parse as the default too */
    return crm_bool(line) != 0;
}

bool
cl_node_name_ok(const char *name)
{
    size_t n = 0;

    if (!name || !*name || *name == '-')
        return false;
    for (const char *s = name; *s; s++, n++)
        if (!isalnum((unsigned char) *s) && !strchr("._-", *s))
            return false;
    return n < CRMXML_NAME_MAX;
}

/* ---- a clone's meta-attributes and notify environment ------------------ */

#define META "OCF_RESKEY_CRM_meta_"

/* The value of OCF_RESKEY_CRM_meta_@name, or NULL. */
static const char *
meta_get(const char *name)
{
    char var[96];

    snprintf(var, sizeof var, META "%s", name);
    return getenv(var);
}

/* The first of meta @name and @old that is set, or NULL. */
static const char *
meta_get2(const char *name, const char *old)
{
    const char *v = meta_get(name);

    return v || !old ? v : meta_get(old);
}

/* A non-negative integer meta-attribute, or @fallback. */
static int
meta_int(const char *v, int fallback)
{
    char *end;
    long n;

    if (!v || !*v)
        return fallback;
    errno = 0;
    n = strtol(v, &end, 10);
    if (*end || errno || n < 0 || n > INT_MAX)
        return fallback;
    return (int) n;
}

void
cl_clone_meta_read(struct cl_clone_meta *ret)
{
    const char *max = meta_get("clone_max");
    const char *pmax = meta_get2("promoted_max", "master_max");
    const char *promotable = meta_get("promotable");
    const char *notify = meta_get("notify");

    memset(ret, 0, sizeof *ret);
    ret->is_clone = max && *max;
    ret->promotable = (promotable && crm_bool(promotable) == 1)
                      || (meta_get("master_max") != NULL);
    ret->notify = notify && crm_bool(notify) == 1;
    ret->clone_max = meta_int(max, 0);
    ret->clone_node_max = meta_int(meta_get("clone_node_max"), 1);
    ret->promoted_max = meta_int(pmax, 1);
    ret->promoted_node_max
        = meta_int(meta_get2("promoted_node_max", "master_node_max"), 1);
}

bool
cl_nodes_has(const struct cl_nodes *list, const char *node)
{
    for (size_t i = 0; i < list->n; i++)
        if (!strcmp(list->name[i], node))
            return true;
    return false;
}

/* Adds the word @s (@n bytes) to @list unless it is there, is no node
 * name, or the list is full; false only when full. */
static bool
nodes_add(struct cl_nodes *list, const char *s, size_t n, const char *var)
{
    char name[CRMXML_NAME_MAX];

    if (!copy_field(s, n, name, sizeof name) || !cl_node_name_ok(name)) {
        ra_debug("%s: ignoring %.*s: not a node name", var,
                 (int) (n > 64 ? 64 : n), s);
        return true;
    }
    if (cl_nodes_has(list, name))
        return true;
    if (list->n >= CL_NOTIFY_NODES)
        return false;
    memcpy(list->name[list->n++], name, n + 1);
    return true;
}

/* Reads the node list of notify variable @name (falling back to @old). */
static void
nodes_read(struct cl_nodes *list, const char *name, const char *old)
{
    const char *s = meta_get2(name, old);
    size_t n;

    list->n = 0;
    for (; s && *s; s += n) {
        s += strspn(s, " \t\r\n");
        n = strcspn(s, " \t\r\n");
        if (n && !nodes_add(list, s, n, name)) {
            ra_debug("%s: more than %d nodes, the rest ignored", name,
                     CL_NOTIFY_NODES);
            return;
        }
    }
}

/* The notify operation named @s. */
static enum cl_notify_op
notify_op(const char *s)
{
    static const struct {
        const char *name;
        enum cl_notify_op op;
    } ops[] = { { "start", CL_OP_START },
                { "stop", CL_OP_STOP },
                { "promote", CL_OP_PROMOTE },
                { "demote", CL_OP_DEMOTE } };

    for (size_t i = 0; s && i < sizeof ops / sizeof ops[0]; i++)
        if (!strcmp(s, ops[i].name))
            return ops[i].op;
    return CL_OP_NONE;
}

void
cl_notify_read(struct cl_notify *ret)
{
    const char *type = meta_get("notify_type");

    memset(ret, 0, sizeof *ret);
    if (type && !strcmp(type, "pre"))
        ret->type = CL_NOTIFY_PRE;
    else if (type && !strcmp(type, "post"))
        ret->type = CL_NOTIFY_POST;
    else
        return;
    ret->op = notify_op(meta_get("notify_operation"));
    nodes_read(&ret->active, "notify_active_uname", NULL);
    nodes_read(&ret->inactive, "notify_inactive_uname", NULL);
    nodes_read(&ret->start, "notify_start_uname", NULL);
    nodes_read(&ret->stop, "notify_stop_uname", NULL);
    nodes_read(&ret->promote, "notify_promote_uname", NULL);
    nodes_read(&ret->demote, "notify_demote_uname", NULL);
    nodes_read(&ret->promoted, "notify_promoted_uname", "notify_master_uname");
    nodes_read(&ret->unpromoted, "notify_unpromoted_uname",
               "notify_slave_uname");
}

bool
cl_notify_is_switchover(const struct cl_notify *n)
{
    return n->demote.n == 1 && n->promote.n == 1
           && strcmp(n->demote.name[0], n->promote.name[0]) != 0;
}

bool
cl_notify_is_recovery(const struct cl_notify *n)
{
    if (n->promote.n != 1)
        return false;
    return cl_nodes_has(&n->demote, n->promote.name[0])
           || cl_nodes_has(&n->promoted, n->promote.name[0]);
}
