/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pmm-server-role.c - pmm-server as a promotable clone (mode=promotable).
 *
 * Every node runs the same image on its own volume. An unpromoted instance
 * is a standby: the container up with PMM's application programs stopped
 * (supervisorctl inside it, through the runtime's exec), and a supervised
 * pmmha-replicator copying the promoted node's metrics, inventory and query
 * analytics into its stores. Promote stops the replicator and starts the
 * programs; demote stops them (ingestion first) and follows the new
 * primary. What the monitor needs is on this node: the replicator's
 * process (PID and start time) and its status file; the cluster is told
 * only what changed.
 *
 * Files: HA_RSCTMP/pmm-server-role-RESOURCE.state (this boot's role, the
 * replicator's PID, the promoted peer, what was last published) and, on
 * the volume, .pmmha-role (this data's last role, kept across reboots) and
 * .pmmha-repl/ (the replicator's watermarks: they describe this data).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cluster.h"
#include "log.h"
#include "pmm-server-role.h"
#include "proc.h"
#include "state.h"
#include "supervisor.h"

#ifndef PMMHA_REPLICATOR
#define PMMHA_REPLICATOR "/usr/libexec/pmmha/pmmha-replicator"
#endif

#define ROLE_AGENT "pmm-server-role"
#define VOLUME_ROLE ".pmmha-role"
#define VOLUME_REPL ".pmmha-repl"
#define REPL_STOP_MS 10000
#define LAG_BUCKET_MS 5000
#define POSITION_REFRESH_MS 60000
/* a replicator that exits this many times in a row without writing a
 * cycle's status is broken */
#define REPL_MAX_RESTARTS 3
/* a status older than this many cycles: the replicator is stuck */
#define STATUS_STALE_CYCLES 6

static int64_t
wall_ms(void)
{
    return (int64_t) (ra_wallclock_ns() / RA_NSEC_PER_MSEC);
}

/* ---- files ------------------------------------------------------------ */

static int
role_file(const struct ra_ctx *ctx, char *buf, size_t len)
{
    return ra_state_path(ctx->rsctmp, ROLE_AGENT, ctx->instance, buf, len);
}

/* This boot's role record; an empty one when there is none. */
static void
role_load(const struct ra_ctx *ctx, struct ra_state *st)
{
    char path[4096];

    if (role_file(ctx, path, sizeof path) < 0 || ra_state_load(path, st) < 0)
        memset(st, 0, sizeof *st);
}

static void
role_save(const struct ra_ctx *ctx, const struct ra_state *st)
{
    char path[4096];
    int r = role_file(ctx, path, sizeof path);

    if (r == 0)
        r = ra_state_save(path, st);
    if (r < 0)
        ra_warn("cannot record the role in %s: %s", ctx->rsctmp, strerror(-r));
}

static const char *
role_get(const struct ra_state *st, const char *key)
{
    const char *v = ra_state_get(st, key);

    return v ? v : "";
}

static void
repl_dir(const struct server_conf *c, char *buf, size_t len)
{
    snprintf(buf, len, "%s/" VOLUME_REPL, c->volume);
}

/* The volume's own record (VOLUME_ROLE: what its data is, across restarts)
 * into @v (empty when there is none), its path in @path. */
static int
volume_load(const struct server_conf *c, struct ra_state *v, char *path,
            size_t len)
{
    snprintf(path, len, "%s/" VOLUME_ROLE, c->volume);
    return ra_state_load(path, v);
}

/* Records on the volume what this data is now (promoted or a standby). */
static void
volume_role_write(const struct ra_ctx *ctx, const struct server_conf *c,
                  const char *role)
{
    struct ra_state v;
    char path[4096], num[32];

    (void) volume_load(c, &v, path, sizeof path);
    ra_state_set(&v, "role", role);
    ra_state_set(&v, "node", ctx->node ? ctx->node : "");
    if (!strcmp(role, "promoted")) {
        snprintf(num, sizeof num, "%" PRId64, wall_ms());
        ra_state_set(&v, "promoted_at", num);
        ra_state_set(&v, "source_alive", ""); /* its own data now */
        ra_state_set(&v, "last_primary", "1");
    }
    if (ra_state_save(path, &v) < 0)
        ra_warn("cannot record the role on %s", c->volume);
}

/* True when the volume holds the data of the last primary: promoted
 * since it last followed another node (demoted or not since) */
static bool
volume_last_primary(const struct server_conf *c)
{
    struct ra_state v;
    char path[4096];

    return volume_load(c, &v, path, sizeof path) == 0
           && !strcmp(role_get(&v, "last_primary"), "1");
}

/* The volume follows another node: that one is the last primary now */
static void
volume_follows(const struct server_conf *c)
{
    struct ra_state v;
    char path[4096];

    if (volume_load(c, &v, path, sizeof path) == 0
        && !strcmp(role_get(&v, "last_primary"), "1")) {
        ra_state_set(&v, "last_primary", "");
        if (ra_state_save(path, &v) < 0)
            ra_warn("cannot record on %s that it follows", c->volume);
    }
}

/* pmmha-WHAT-RESOURCE: the clone suffix (":0") is not part of the name */
static void
attr_name(const struct ra_ctx *ctx, const char *what, char *buf, size_t len)
{
    snprintf(buf, len, "pmmha-%s-%.*s", what, (int) strcspn(ctx->instance, ":"),
             ctx->instance);
}

/*
 * This instance is now @role ("standby" or "promoted"): recorded for this
 * boot (following nobody yet) and on the volume, and told to the cluster
 * (pmmha-role-RESOURCE): at once, or started as *@job when @job is given
 * (cl_jobs_finish()). Returns cl_attr_set()'s result, or the start's.
 */
static int
record_role(const struct ra_ctx *ctx, const struct server_conf *c,
            struct ra_state *st, const char *role, struct cl_job **job)
{
    char name[160];

    ra_state_set(st, "role", role);
    ra_state_set(st, "source", "");
    ra_state_set(st, "following", "");
    role_save(ctx, st);
    volume_role_write(ctx, c, role);
    attr_name(ctx, "role", name, sizeof name);
    return job ? cl_attr_set_begin(ctx, name, role, 0, job)
               : cl_attr_set(ctx, name, role, 0);
}

/* ---- the replicator's process ----------------------------------------- */

/* 1 when the recorded replicator runs, 0 when not. */
static int
repl_alive(const struct ra_state *st)
{
    int64_t pid = role_num(st, "repl_pid"), start = role_num(st, "repl_start");

    return pid > 0 && ra_proc_is((pid_t) pid, (uint64_t) start) == 1;
}

/* The replicator's command line toward @src (@once: one cycle up to the
 * source's now, then exit: a switchover's final catch-up from a demoted,
 * flushed source). */
static size_t
repl_argv(const struct server_conf *c, const char *src, bool once,
          int timeout_s, char *bufs, size_t buflen, char **argv, size_t max)
{
    char addr[256], host[264], dir[4096], url[1024];
    size_t n = 0, used = 0;

#define ARG(...)                                                               \
    do {                                                                       \
        int w_ = snprintf(bufs + used, buflen - used, __VA_ARGS__);            \
        if (w_ < 0 || (size_t) w_ >= buflen - used || n + 1 >= max)            \
            return 0;                                                          \
        argv[n++] = bufs + used;                                               \
        used += (size_t) w_ + 1;                                               \
    } while (0)

    role_peer_address(c, src, addr, sizeof addr);
    role_expand("{peer}", addr, host, sizeof host); /* [v6] */
    repl_dir(c, dir, sizeof dir);
    ARG("%s", PMMHA_REPLICATOR);
    ARG("--state-dir");
    ARG("%s", dir);
    ARG("--source-vm");
    role_expand(c->repl_vm_url, addr, url, sizeof url);
    ARG("%s", url);
    if (*c->repl_vm_auth) {
        ARG("--vm-auth-file");
        ARG("%s", c->repl_vm_auth);
    }
    ARG("--source-ch");
    role_expand(c->repl_ch_url, addr, url, sizeof url);
    ARG("%s", url);
    ARG("--ch-auth-file");
    ARG("%s", c->repl_ch_auth);
    ARG("--source-pg");
    ARG("%s:%d", host, c->repl_pg_port);
    ARG("--pg-auth-file");
    ARG("%s", c->repl_pg_auth);
    if (*c->repl_tls_ca) {
        ARG("--tls-ca");
        ARG("%s", c->repl_tls_ca);
    }
    if (*c->repl_tls_pin) {
        ARG("--tls-fingerprint");
        ARG("%s", c->repl_tls_pin);
    }
    ARG("--interval");
    ARG("%llu", (c->repl_interval_ms + 999) / 1000);
    ARG("--inventory-interval");
    ARG("%llu", 4 * ((c->repl_interval_ms + 999) / 1000));
    ARG("--qan-interval");
    ARG("%llu", 4 * ((c->repl_interval_ms + 999) / 1000));
    if (once) {
        ARG("--once");
        ARG("--final");
        ARG("--timeout");
        ARG("%d", timeout_s > 1 ? timeout_s : 1);
    } else {
        ARG("--settle");
        ARG("%llu", (c->repl_settle_ms + 999) / 1000);
    }
    argv[n] = NULL;
#undef ARG
    return n;
}

/* "OCF_RESOURCE_INSTANCE=...": the replicator's log lines name the
 * resource */
static char *
instance_env(const struct ra_ctx *ctx, char *buf, size_t len)
{
    snprintf(buf, len, "OCF_RESOURCE_INSTANCE=%s", ctx->instance);
    return buf;
}

/*
 * The replicator logs where this agent does (its stderr is /dev/null): the
 * log variables Pacemaker gave this action, into @env (room for four and a
 * NULL), syslog's daemon facility when there are none (the agent run by
 * hand: the replicator outlives it).
 */
static void
log_env(char **env, char buf[4][300])
{
    static const char *const vars[]
        = { "HA_LOGFACILITY", "HA_LOGFILE", "HA_DEBUGLOG", "HA_debug" };
    size_t n = 0;

    for (size_t i = 0; i < 4; i++) {
        const char *v = getenv(vars[i]);

        if (!v && i == 0)
            v = getenv("HA_LOGFILE") ? "none" : "daemon";
        if (v && strlen(v) < 250 && !strpbrk(v, "\n")) {
            snprintf(buf[n], sizeof buf[n], "%s=%s", vars[i], v);
            env[n] = buf[n];
            n++;
        }
    }
    env[n] = NULL;
}

/* Starts the replicator toward @src in its own session, detached from this
 * action (it outlives it); records its PID and start time in @st. */
static int
repl_spawn(const struct ra_ctx *ctx, const struct server_conf *c,
           const char *src, struct ra_state *st)
{
    char bufs[8192], envbuf[300], logbuf[4][300], dir[4096], num_[32];
    char *argv[48];
    char *env[8]
        = { (char *) "PATH=/usr/sbin:/usr/bin:/sbin:/bin", (char *) "LC_ALL=C",
            instance_env(ctx, envbuf, sizeof envbuf), NULL };
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    uint64_t start = 0;
    pid_t pid;
    int r;

    if (!repl_argv(c, src, false, 0, bufs, sizeof bufs, argv,
                   sizeof argv / sizeof argv[0]))
        return -E2BIG;
    repl_dir(c, dir, sizeof dir);
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return -errno;
    log_env(env + 3, logbuf);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_init(&at);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID);
    r = posix_spawn(&pid, argv[0], &fa, &at, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (r != 0)
        return -r;
    (void) ra_proc_starttime(pid, &start);
    snprintf(num_, sizeof num_, "%" PRId64, wall_ms());
    ra_state_set(st, "repl_spawned_at", num_);
    snprintf(num_, sizeof num_, "%d", (int) pid);
    ra_state_set(st, "repl_pid", num_);
    snprintf(num_, sizeof num_, "%llu", (unsigned long long) start);
    ra_state_set(st, "repl_start", num_);
    ra_state_set(st, "source", src);
    ra_info("pmmha-replicator (pid %d) follows %s", (int) pid, src);
    return 0;
}

/* Stops the recorded replicator: SIGTERM, REPL_STOP_MS, SIGKILL. */
static void
repl_stop(const struct ra_ctx *ctx, struct ra_state *st)
{
    int64_t pid = role_num(st, "repl_pid"), start = role_num(st, "repl_start");
    int fd = pid > 0 ? ra_proc_open((pid_t) pid, (uint64_t) start) : -ESRCH;

    if (fd >= 0) {
        int r = ra_proc_signal(fd, SIGTERM);

        if (r == 0)
            r = ra_proc_wait(fd,
                             ra_deadline_min(ctx->deadline,
                                             ra_deadline_in_ms(REPL_STOP_MS)));
        if (r == -ETIMEDOUT) {
            ra_warn("pmmha-replicator (pid %" PRId64 ") ignored SIGTERM: "
                    "SIGKILL",
                    pid);
            (void) ra_proc_signal(fd, SIGKILL);
            (void) ra_proc_wait(fd, ctx->deadline);
        }
        close(fd);
    }
    ra_state_set(st, "repl_pid", "0");
    ra_state_set(st, "repl_start", "0");
}

/* Runs one synchronous cycle toward @src (a switchover's final catch-up).
 * 0 when every stream is in sync, else -1 with the reason in @why. */
static int
repl_once(const struct ra_ctx *ctx, const struct server_conf *c,
          const char *src, char *why, size_t len)
{
    char bufs[8192], envbuf[300], *argv[48];
    char *env[] = { instance_env(ctx, envbuf, sizeof envbuf), NULL };
    struct ra_spawn_result out = { 0 };
    int left_s = ra_deadline_left_ms(ctx->deadline) / 1000 - 5;
    int r;

    if (left_s < 5) {
        snprintf(why, len, "no time left in the notify timeout");
        return -1;
    }
    if (!repl_argv(c, src, true, left_s, bufs, sizeof bufs, argv,
                   sizeof argv / sizeof argv[0])) {
        snprintf(why, len, "the replicator's command line is too long");
        return -1;
    }
    r = ra_spawn(argv, env, ctx->deadline, 2000, &out); /* PATH, LC_ALL */
    if (r == 0 && out.status == 0) {
        ra_spawn_result_free(&out);
        return 0;
    }
    if (r < 0)
        snprintf(why, len, "pmmha-replicator: %s", strerror(-r));
    else {
        char last[200];

        ra_last_line(out.err, last, sizeof last); /* its last word: why */
        snprintf(why, len, "pmmha-replicator --once exit %d: %.120s",
                 out.status, last);
    }
    ra_spawn_result_free(&out);
    return -1;
}

/* ---- the container's mode --------------------------------------------- */

#define PROGRAMS_MAX 20

/* standby_programs split into @w (words of @buf); how many */
static size_t
programs(const struct server_conf *c, char *buf, size_t len, char **w)
{
    char *save = NULL;
    size_t k = 0;

    snprintf(buf, len, "%s", c->standby_programs);
    for (char *t = strtok_r(buf, " \t,", &save); t && k < PROGRAMS_MAX;
         t = strtok_r(NULL, " \t,", &save))
        w[k++] = t;
    return k;
}

/* Every word of standby_programs a program name. 0, or -1 with @res set. */
static int
programs_check(const struct server_conf *c, struct ra_result *res)
{
    char words[512], *w[PROGRAMS_MAX];
    size_t k = programs(c, words, sizeof words, w);

    for (size_t i = 0; i < k; i++)
        if (!sv_name_ok(w[i])) {
            ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                          "standby_programs: '%.40s' is not a supervisord "
                          "program name",
                          w[i]);
            return -1;
        }
    return 0;
}

/*
 * The supervisord override (ROLE_SUPERVISORD_OVERRIDE, bind-mounted read-only
 * from HA_RSCTMP): each of PMM's application programs autostart = false in
 * standby mode, true in full mode. Rewritten in place (the container sees
 * the inode it was started with); supervisorctl update applies it. 0, or
 * -errno.
 */
static int
write_override(const struct ra_ctx *ctx, const struct server_conf *c, bool full,
               char *path, size_t len)
{
    char words[512], *w[PROGRAMS_MAX];
    size_t k;
    FILE *f;
    int r;

    r = ra_state_path(ctx->rsctmp, ROLE_AGENT "-supervisord", ctx->instance,
                      path, len);
    if (r < 0)
        return r;
    f = fopen(path, "we");
    if (!f)
        return -errno;
    fprintf(f, "; written by ocf:pmmha:pmm-server (mode=promotable): PMM's\n"
               "; application programs run on the promoted node only\n");
    k = programs(c, words, sizeof words, w);
    for (size_t i = 0; i < k; i++)
        fprintf(f, "[program:%s]\nautostart = %s\n", w[i],
                full ? "true" : "false");
    r = fflush(f) == 0 && fsync(fileno(f)) == 0 ? 0 : -errno;
    if (fclose(f) != 0 && r == 0)
        r = -errno;
    return r;
}

/* supervisorctl VERB [the standby programs] in the container; its output
 * in @out (1024 bytes). 0, or -1 with @res set. */
static int
supervisorctl(struct ra_ctx *ctx, const struct server_conf *c,
              const struct rt_ops *ops, struct rt *rt, const char *verb,
              bool with_programs, char *out, struct ra_result *res)
{
    const char *argv[PROGRAMS_MAX + 3];
    char words[512], *w[PROGRAMS_MAX];
    size_t n = 0, k = 0;
    int status = -1, r;

    argv[n++] = "supervisorctl";
    argv[n++] = verb;
    if (with_programs)
        k = programs(c, words, sizeof words, w);
    for (size_t i = 0; i < k; i++)
        argv[n++] = w[i];
    argv[n] = NULL;
    *out = '\0';
    r = ops->container_exec(rt, c->name, argv, &status, out, 1024,
                            ctx->deadline);
    if (r == 0 && (status == 0 || role_supervisor_ok(out)))
        return 0;
    out[strcspn(out, "\n")] = '\0';
    if (r < 0)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "cannot run supervisorctl in %.40s: %.60s", c->name,
                      rt->err);
    else
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "supervisorctl %s in %.40s failed (%d): %.60s", verb,
                      c->name, status, out);
    return -1;
}

/* supervisord of the container started as @rec, on its own socket; false
 * (supervisorctl through the runtime then) when it cannot be reached so */
static bool
sv_reach(const struct ra_state *rec, struct sv *sv)
{
    long long pid = 0;
    int r;

    sv->sock_fd = -1;
    if (ra_parse_ll(ra_state_get(rec, "pid"), &pid) < 0 || pid <= 1)
        return false;
    r = sv_open(sv, (pid_t) pid);
    if (r == 0 && server_state_alive(rec) == 1)
        return true; /* and the PID still names that container */
    if (r < 0)
        ra_debug("supervisord's socket in pid %lld: %s (supervisorctl then)",
                 pid, strerror(-r));
    sv_close(sv);
    return false;
}

/* Until none of @w[@k] runs. 0, or the failure. */
static int
sv_wait_stopped(const struct sv *sv, char *const *w, size_t k, ra_deadline_t d,
                const char **which)
{
    char state[32];
    int delay = 10, r;

    for (size_t i = 0; i < k;) {
        r = sv_state(sv, w[i], d, state, sizeof state);
        if (r == SV_FAULT_BAD_NAME
            || (r == 0
                && (!strcmp(state, "STOPPED") || !strcmp(state, "EXITED")
                    || !strcmp(state, "FATAL")))) {
            i++;
            continue;
        }
        *which = w[i];
        if (r != 0)
            return r;
        if (ra_deadline_passed(d))
            return -ETIMEDOUT;
        ra_sleep_ms(delay, d);
        delay = delay * 2 > 100 ? 100 : delay * 2;
    }
    return 0;
}

/*
 * set_mode() through supervisord's socket: all the programs signalled at
 * once (standby: stopped, ingestion first, then waited for; full: started
 * without waiting, readyz says when PMM is up). 0; > 0 a fault or the
 * programs still running at the deadline, with @res set; < 0 the socket
 * failed (supervisorctl then: what it does again is done at once).
 */
static int
sv_set_mode(struct ra_ctx *ctx, const struct server_conf *c,
            const struct sv *sv, bool full, struct ra_result *res)
{
    char words[512], *w[PROGRAMS_MAX];
    const char *which = "";
    size_t k = programs(c, words, sizeof words, w);
    int r = 0;

    for (size_t i = 0; i < k && r == 0; i++) {
        which = w[full ? k - 1 - i : i];
        r = full ? sv_start(sv, which, ctx->deadline)
                 : sv_stop(sv, which, ctx->deadline);
        if (r == SV_FAULT_BAD_NAME)
            r = 0; /* a program this PMM does not have */
        if (r < 0)
            return r; /* supervisorctl does it all again */
    }
    if (r == 0 && !full)
        r = sv_wait_stopped(sv, w, k, ctx->deadline, &which);
    if (r == 0 || (r < 0 && r != -ETIMEDOUT))
        return r;
    if (r > 0)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "cannot %s %.40s in %.40s: supervisord refused (fault "
                      "%d, see its log)",
                      full ? "start" : "stop", which, c->name, r);
    else
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "%.40s in %.40s still runs at the deadline", which,
                      c->name);
    return 1;
}

/*
 * Full PMM or standby. The override says which (autostart, for a start of
 * supervisord: the container's). Standby: the programs stopped; full: all
 * started at once. Through supervisord's socket when it can be reached,
 * else supervisorctl in the container: standby stops the programs (in the
 * order given) and applies autostart = false; full applies autostart =
 * true, which starts them all at once (supervisorctl start would wait
 * startsecs for each in turn), or, when supervisord already had it (a
 * container that did not run this agent's standby), supervisorctl start.
 * 0, or -1 with @res set.
 */
static int
set_mode(struct ra_ctx *ctx, const struct server_conf *c,
         const struct rt_ops *ops, struct rt *rt, const struct ra_state *rec,
         bool full, struct ra_result *res)
{
    char path[4096], out[1024];
    struct sv sv;
    int r;

    r = write_override(ctx, c, full, path, sizeof path);
    if (r < 0) {
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "cannot write the supervisord override %.80s: %s", path,
                      strerror(-r));
        return -1;
    }
    if (sv_reach(rec, &sv)) {
        r = sv_set_mode(ctx, c, &sv, full, res);
        sv_close(&sv);
        if (r >= 0)
            return r == 0 ? 0 : -1;
        ra_debug("supervisord's socket: %s (supervisorctl then)", strerror(-r));
    }
    if (!ops->container_exec) {
        ra_result_set(res, RA_OCF_ERR_INSTALLED,
                      "the %s cannot run a command in a container",
                      rt_transport_name(rt));
        return -1;
    }
    if (!full && supervisorctl(ctx, c, ops, rt, "stop", true, out, res) < 0)
        return -1;
    if (supervisorctl(ctx, c, ops, rt, "update", false, out, res) < 0)
        return -1;
    if (full && !strstr(out, "process group"))
        return supervisorctl(ctx, c, ops, rt, "start", true, out, res);
    return 0;
}

/* ---- publishing --------------------------------------------------------- */

/* the public attributes of a standby (pmmha-NAME-RESOURCE) */
static const char *const standby_attrs[]
    = { "repl", "lag", "position", "diverged" };
#define N_STANDBY_ATTRS (sizeof standby_attrs / sizeof standby_attrs[0])

/* Sets a public attribute when it differs from what @st says was
 * published last; records it. */
static void
publish(const struct ra_ctx *ctx, struct ra_state *st, const char *what,
        const char *value, bool *changed)
{
    char key[40], name[160];

    snprintf(key, sizeof key, "pub_%s", what);
    if (!strcmp(role_get(st, key), value))
        return;
    ra_state_set(st, key, value);
    *changed = true;
    attr_name(ctx, what, name, sizeof name);
    int r = cl_attr_set(ctx, name, value, 0);
    if (r < 0 && r != -ENOTCONN)
        ra_warn("cannot publish %s=%s: %s", name, value, strerror(-r));
}

static void
publish_score(const struct ra_ctx *ctx, struct ra_state *st, int score,
              bool *changed)
{
    char v[16];

    snprintf(v, sizeof v, "%d", score);
    if (!strcmp(role_get(st, "pub_score"), v))
        return;
    ra_state_set(st, "pub_score", v);
    *changed = true;
    int r = cl_promotion_set(ctx, NULL, score);
    if (r == -ENOTCONN)
        ra_debug("no cluster: promotion score %d not set", score);
    else if (r < 0)
        ra_warn("cannot set the promotion score %d: %s", score, strerror(-r));
}

/* @ms (since the epoch) as UTC "YYYY-MM-DDTHH:MM:SSZ", "none" for 0. */
static void
clock_str(int64_t ms, char *buf, size_t len)
{
    time_t t = (time_t) (ms / 1000);
    struct tm tm;

    if (ms <= 0 || !gmtime_r(&t, &tm))
        snprintf(buf, len, "none");
    else
        strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/*
 * A standby's lag counts the time its source was known alive after the
 * replicator's last success (role_cut_off): a link cut while the primary
 * writes on makes it fall behind, a primary that died does not. The cluster
 * is asked only when the replicator has not succeeded for three cycles (a
 * streaming standby's monitor spawns and reads nothing); the last time the
 * source was a member is kept on the volume (source_alive), for a promote once
 * the source is gone, after a restart too.
 */
static void
apply_cut_off(const struct ra_ctx *ctx, const struct server_conf *c,
              const struct ra_state *st, struct repl_view *v)
{
    const char *src = role_get(st, "following");
    struct ra_state vol;
    char path[4096], num_[32];
    int64_t now = wall_ms();
    bool stale = now - v->last_ok_ms > 3 * (int64_t) c->repl_interval_ms;

    if (*src && v->last_ok_ms && !stale)
        return; /* streaming: the monitor reads nothing more */
    (void) volume_load(c, &vol, path, sizeof path);
    if (*src && v->last_ok_ms && cl_is_member(ctx, src) == 1) {
        snprintf(num_, sizeof num_, "%" PRId64, now);
        ra_state_set(&vol, "source_alive", num_);
        if (ra_state_save(path, &vol) < 0)
            ra_warn("cannot record on %s when %s was last seen", c->volume,
                    src);
    }
    role_cut_off(v, role_num(&vol, "source_alive"));
}

/* beyond max_lag, and not allowed to be */
static bool
too_stale(const struct server_conf *c, const struct repl_view *v)
{
    return (uint64_t) v->behind_ms > c->max_lag_ms && !c->allow_stale;
}

/*
 * A standby's promotion score. Following a primary: from its position
 * (role_score). Following nobody (a new cluster, or every other node
 * down): the data that was promoted last is the one to bring back, so the
 * last primary's volume (promoted since it last followed another node)
 * scores 3, a complete copy 2 (unless too far behind), a new one 1
 * (Pacemaker picks one among equals); anything else never.
 */
static int
standby_score(const struct server_conf *c, const struct repl_view *v,
              const char *state)
{
    if (!strcmp(state, "streaming") || !strcmp(state, "lagging"))
        return role_score(c, v);
    if (strcmp(state, "no-source") != 0)
        return ROLE_SCORE_NEVER;
    if (volume_last_primary(c))
        return 3;
    if (v->have && v->initial_done && !v->refused && !too_stale(c, v))
        return 2;
    return v->have ? ROLE_SCORE_NEVER : 1;
}

/* What a standby publishes: state, lag (in LAG_BUCKET_MS steps, so that
 * the CIB changes only when it does), position (every minute at most),
 * and its promotion score. */
static void
publish_standby(const struct ra_ctx *ctx, const struct server_conf *c,
                struct ra_state *st, const struct repl_view *v,
                const char *state)
{
    char lag[32], pos[40];
    bool changed = false;
    int64_t now = wall_ms();

    publish(ctx, st, "repl", state, &changed);
    if (v->have && v->position_ms && v->behind_ms < INT64_MAX / 2)
        snprintf(lag, sizeof lag, "%" PRId64 "s",
                 (v->behind_ms + LAG_BUCKET_MS - 1) / LAG_BUCKET_MS
                     * (LAG_BUCKET_MS / 1000));
    else
        snprintf(lag, sizeof lag, "unknown");
    publish(ctx, st, "lag", lag, &changed);
    if (now - role_num(st, "pub_pos_at") >= POSITION_REFRESH_MS
        || (v->position_ms && !strcmp(role_get(st, "pub_position"), "none"))) {
        clock_str(v->position_ms, pos, sizeof pos);
        publish(ctx, st, "position", pos, &changed);
        snprintf(pos, sizeof pos, "%" PRId64, now);
        ra_state_set(st, "pub_pos_at", pos);
        changed = true;
    }
    publish_score(ctx, st, standby_score(c, v, state), &changed);
    if (changed)
        role_save(ctx, st);
}

/* ---- the promoted peer ------------------------------------------------ */

/* The node whose role attribute says promoted, other than us; "" when
 * none is known. */
static void
find_promoted(const struct ra_ctx *ctx, char *buf, size_t len)
{
    struct cl_attr_value vals[CL_NOTIFY_NODES];
    char name[160];
    int n;

    buf[0] = '\0';
    attr_name(ctx, "role", name, sizeof name);
    n = cl_attr_all(ctx, name, 0, vals, CL_NOTIFY_NODES);
    for (int i = 0; i < n; i++)
        if (!strcmp(vals[i].value, "promoted")
            && (!ctx->node || strcmp(vals[i].node, ctx->node) != 0)
            && cl_node_name_ok(vals[i].node)) {
            snprintf(buf, len, "%s", vals[i].node);
            return;
        }
}

/*
 * The image guard of the pair: the standby must run the image the promoted
 * node runs (binary copies, partitions and the schema assume it). Records
 * in @st the promoted node's image when it differs ("" when the same or
 * unknown: the replicator's schema check still stands guard).
 */
static void
check_pair_image(const struct ra_ctx *ctx, const char *src, struct ra_state *st)
{
    struct ra_state rec;
    char name[160], theirs[CL_VALUE_MAX], path[4096];
    const char *mine = NULL;

    ra_state_set(st, "image_differs", "");
    if (server_state_file(ctx, path, sizeof path) == 0
        && ra_state_load(path, &rec) == 0)
        mine = ra_state_get(&rec, "image_id");
    attr_name(ctx, "image", name, sizeof name);
    if (!mine || !*mine
        || cl_attr_get(ctx, name, src, 0, theirs, sizeof theirs) < 0 || !*theirs
        || !strcmp(theirs, "absent") || !strcmp(theirs, mine))
        return;
    ra_warn("not promotable: %s runs image %.12s, this node %.12s (pull the "
            "same image on every node)",
            src, theirs, mine);
    ra_state_set(st, "image_differs", theirs);
}

/* Makes the replicator follow @st's source (looked up when unknown);
 * restarts it when it died or follows another node. */
static void
follow(struct ra_ctx *ctx, const struct server_conf *c, struct ra_state *st)
{
    char src[CRMXML_NAME_MAX];
    int r;

    snprintf(src, sizeof src, "%s", role_get(st, "source"));
    if (!*src) {
        find_promoted(ctx, src, sizeof src);
        if (!*src)
            return; /* nothing to follow yet */
    }
    if (strcmp(role_get(st, "following"), src) != 0)
        check_pair_image(ctx, src, st);
    if (repl_alive(st) && !strcmp(role_get(st, "following"), src))
        return;
    if (repl_alive(st))
        repl_stop(ctx, st);
    r = repl_spawn(ctx, c, src, st);
    if (r < 0)
        ra_warn("cannot start pmmha-replicator: %s", strerror(-r));
    else {
        ra_state_set(st, "following", src);
        volume_follows(c);
    }
    role_save(ctx, st);
}

/* ---- start / stop ------------------------------------------------------ */

static void monitor_standby(struct ra_ctx *ctx, const struct server_conf *c,
                            struct ra_state *st, struct ra_result *res);

int
role_prepare(const struct ra_ctx *ctx, struct server_conf *c,
             struct ra_result *res)
{
    int r;

    /* the replicator reaches the standby's own stores on 127.0.0.1 */
    if (!c->spec.network || strcmp(c->spec.network, "host") != 0) {
        ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                      "mode=promotable needs run_opts=\"--network host\"");
        return -1;
    }
    r = write_override(ctx, c, false, c->standby_conf, sizeof c->standby_conf);
    if (r < 0) {
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "cannot write the standby's supervisord override in "
                      "%.60s: %s",
                      ctx->rsctmp, strerror(-r));
        return -1;
    }
    c->spec.conf_src = c->standby_conf;
    c->spec.conf_dst = ROLE_SUPERVISORD_OVERRIDE;
    return 0;
}

/*
 * A volume that was promoted when its instance ended (a crash, a fence, a
 * partition) comes back as a standby: what it received after the standby
 * that replaced it had copied is not on the new primary. Its inventory and
 * query analytics are replaced by the new primary's; its metrics are kept
 * here. Say so, in the log and as pmmha-diverged-RESOURCE (the time it was
 * promoted), rather than keep that history silently.
 */
static void
report_divergence(const struct ra_ctx *ctx, const struct server_conf *c,
                  struct ra_state *st)
{
    struct ra_state vol;
    char path[4096], when[40];
    bool changed = false;

    if (volume_load(c, &vol, path, sizeof path) < 0
        || strcmp(role_get(&vol, "role"), "promoted") != 0)
        return;
    clock_str(role_num(&vol, "promoted_at"), when, sizeof when);
    ra_warn("this data was the promoted PMM (since %s) when it last ran: what "
            "it received after the new primary's promotion is not there; its "
            "metrics stay here, its inventory and QAN become the new "
            "primary's",
            when);
    publish(ctx, st, "diverged", when, &changed);
}

/* Until the standby's VictoriaMetrics and ClickHouse answer on this node
 * (PostgreSQL is the replicator's to reach: no libpq in an agent), the
 * death of the container start recorded in @rec, or the deadline. 0, or -1
 * with @res set. */
static int
wait_stores(struct ra_ctx *ctx, const struct server_conf *c,
            const struct ra_state *rec, struct ra_result *res)
{
    static const char *const urls[] = {
        "http://127.0.0.1:9090/prometheus/health",
        "http://127.0.0.1:8123/ping",
    };
    struct ra_http_reply reply;
    uint64_t t0 = ra_now_ns();
    size_t up = 0;

    while (up < sizeof urls / sizeof urls[0]) {
        int r = ra_http_get(
            urls[up], NULL,
            ra_deadline_min(ctx->deadline, ra_deadline_in_ms(2000)), &reply);

        if (r == 0 && reply.status == 200) {
            up++;
            continue;
        }
        if (server_state_alive(rec) == 0) {
            ra_result_set(res, RA_OCF_ERR_GENERIC,
                          "container %s exited while its stores were "
                          "starting: see '%s logs %s'",
                          c->name, rt_kind_name(c->kind), c->name);
            return -1;
        }
        if (ra_deadline_passed(ctx->deadline)) {
            ra_result_set(res, RA_OCF_ERR_GENERIC,
                          "raise the start timeout: the standby's stores did "
                          "not answer within it (%.1fs): %.40s",
                          (double) (ra_now_ns() - t0) / 1e9, urls[up]);
            return -1;
        }
        ra_sleep_ms(100, ctx->deadline);
    }
    ra_info("the standby's stores answer after %.2fs",
            (double) (ra_now_ns() - t0) / 1e9);
    return 0;
}

void
role_start(struct ra_ctx *ctx, struct server_conf *c, const struct rt_ops *ops,
           struct rt *rt, const struct ra_state *rec, bool already,
           struct ra_result *res)
{
    struct ra_state st;
    struct ra_result tmp;

    role_load(ctx, &st);
    /* the override kept PMM's programs down; stopping them (nothing to
     * stop, normally) is the proof, and covers a container that already
     * ran as a promoted PMM */
    if (wait_stores(ctx, c, rec, res) < 0
        || set_mode(ctx, c, ops, rt, rec, false, res) < 0)
        return;
    if (already)
        ra_info("container %s already ran: now a standby", c->name);
    report_divergence(ctx, c, &st);
    if (record_role(ctx, c, &st, "standby", NULL) == -ENOTCONN)
        ra_info("no cluster: running as a standby with nothing to follow");
    follow(ctx, c, &st);
    /* what a monitor would publish, now: a new cluster's first promotion
     * waits for a score */
    monitor_standby(ctx, c, &st, &tmp);
    ra_info("%s runs as a standby%s%s", c->name,
            *role_get(&st, "following") ? " of " : "",
            role_get(&st, "following"));
    ra_result_ok(res);
}

/*
 * A standby's stop: its stores (nothing of PMM's application runs) stopped
 * all at once, then the container's SIGTERM finds nothing left to stop;
 * supervisord alone stops its programs one at a time, a tick (1 s) each.
 * Best effort: the container's stop follows anyway. True when it was done
 * through supervisord's socket: supervisord can then be asked to exit
 * (role_supervisor_exit()) rather than wait for its next tick to see the
 * SIGTERM.
 */
static bool
quiesce_standby(struct ra_ctx *ctx, struct server_conf *c,
                const struct ra_state *st, const struct ra_state *rec)
{
    const char *argv[] = { "supervisorctl", "stop", "all", NULL };
    ra_deadline_t d
        = ra_deadline_in_ms((uint64_t) ra_deadline_left_ms(ctx->deadline) / 2);
    const struct rt_ops *ops;
    struct ra_result res;
    char out[1024] = "";
    struct rt rt;
    struct sv sv;
    int status = -1, r;

    if (strcmp(role_get(st, "role"), "standby") != 0)
        return false;
    if (rec && sv_reach(rec, &sv)) {
        r = sv_stop_all(&sv, d);
        sv_close(&sv);
        if (r == 0)
            return true;
        ra_debug("stopping the stores through supervisord's socket: %d", r);
    }
    ops = server_open_runtime(c, &rt, &res);
    if (!ops)
        return false;
    if (ops->container_exec
        && (ops->container_exec(&rt, c->name, argv, &status, out, sizeof out, d)
                < 0
            || (status != 0 && !role_supervisor_ok(out))))
        ra_debug("supervisorctl stop all in %s: %d %.80s", c->name, status,
                 out);
    server_close_runtime(ops, &rt);
    return false;
}

void
role_supervisor_exit(const struct ra_state *rec)
{
    struct sv sv;

    if (!sv_reach(rec, &sv))
        return;
    int r = sv_shutdown(&sv, ra_deadline_in_ms(2000));

    if (r != 0)
        ra_debug("asking supervisord to exit: %d", r);
    sv_close(&sv);
}

bool
role_stop(struct ra_ctx *ctx, struct server_conf *c, const struct ra_state *rec)
{
    struct ra_state st;
    struct cl_job *jobs[2] = { 0 };
    char path[4096], name[160];
    bool quiesced;

    role_load(ctx, &st);
    attr_name(ctx, "role", name, sizeof name);
    (void) cl_attr_delete_begin(ctx, name, 0, &jobs[0]);
    (void) cl_promotion_delete_begin(ctx, NULL, &jobs[1]);
    repl_stop(ctx, &st);
    quiesced = quiesce_standby(ctx, c, &st, rec);
    (void) cl_jobs_finish(jobs, 2);
    if (role_file(ctx, path, sizeof path) == 0)
        ra_state_remove(path);
    if (ra_state_path(ctx->rsctmp, ROLE_AGENT "-supervisord", ctx->instance,
                      path, sizeof path)
        == 0)
        ra_state_remove(path);
    return quiesced;
}

/* ---- monitor ----------------------------------------------------------- */

enum ra_ocf_rc
role_gone_rc(struct ra_ctx *ctx)
{
    struct ra_state st;

    role_load(ctx, &st);
    return ra_ctx_is_recurring(ctx)
                   && !strcmp(role_get(&st, "role"), "promoted")
               ? RA_OCF_FAILED_PROMOTED
               : RA_OCF_NOT_RUNNING;
}

static void
monitor_promoted(struct ra_ctx *ctx, const struct server_conf *c,
                 const char *url, struct ra_result *res)
{
    char why[200];

    if (server_probe_ready(c, url, ctx->deadline, why, sizeof why) == 0)
        ra_result_set(res, RA_OCF_RUNNING_PROMOTED, "%s", "");
    else
        ra_result_set(res, RA_OCF_FAILED_PROMOTED,
                      "promoted PMM not ready at %.60s: %.50s", url, why);
}

static void
monitor_standby(struct ra_ctx *ctx, const struct server_conf *c,
                struct ra_state *st, struct ra_result *res)
{
    char dir[4096];
    struct repl_view v;
    const char *state;
    int64_t stale_ms
        = (int64_t) c->repl_interval_ms * STATUS_STALE_CYCLES + 60000;

    repl_dir(c, dir, sizeof dir);
    (void) role_repl_view(dir, &v);
    apply_cut_off(ctx, c, st, &v);
    ra_result_ok(res);
    if (*role_get(st, "source") || *role_get(st, "following")) {
        if (!repl_alive(st)) {
            /* exits without a cycle written since it was started, again
             * and again: broken (Pacemaker restarts the standby) */
            int64_t restarts = v.updated_ms > role_num(st, "repl_spawned_at")
                                   ? 0
                                   : role_num(st, "restarts");
            char num_[32];

            if (restarts >= REPL_MAX_RESTARTS) {
                ra_result_set(res, RA_OCF_ERR_GENERIC,
                              "pmmha-replicator exits at once (%d times): "
                              "%.80s",
                              (int) restarts,
                              *v.error ? v.error : "see its log");
                publish_standby(ctx, c, st, &v, "broken");
                return;
            }
            if (ctx->lock_fd >= 0) {
                ra_warn("pmmha-replicator is not running: restarting it");
                ra_state_set(st, "repl_pid", "0");
                snprintf(num_, sizeof num_, "%" PRId64, restarts + 1);
                ra_state_set(st, "restarts", num_);
                follow(ctx, c, st);
            }
            if (!repl_alive(st)) {
                ra_result_set(res, RA_OCF_ERR_GENERIC,
                              "pmmha-replicator cannot run: see the log "
                              "(pmmha-replicator)");
                publish_standby(ctx, c, st, &v, "broken");
                return;
            }
        }
    } else if (ctx->lock_fd >= 0)
        follow(ctx, c, st); /* a primary may have appeared */
    if (*role_get(st, "image_differs"))
        state = "image-differs";
    else if (v.have && v.refused)
        state = "refused";
    else if (!*role_get(st, "following"))
        /* nobody to follow (a new cluster, the clone enabled again): its
         * status file, however old, only says what this copy holds */
        state = "no-source";
    else if (!v.have)
        state = "starting";
    else if (!v.initial_done)
        state = "initial-sync";
    else if (wall_ms() - v.updated_ms > stale_ms)
        state = "stuck";
    else if ((uint64_t) v.behind_ms > c->max_lag_ms)
        state = "lagging";
    else
        state = "streaming";
    if (v.refused && strcmp(role_get(st, "pub_repl"), "refused") != 0)
        ra_warn("not promotable: the replicator was refused (%s)", v.error);
    publish_standby(ctx, c, st, &v, state);
}

void
role_monitor(struct ra_ctx *ctx, struct server_conf *c, const char *url,
             struct ra_result *res)
{
    struct ra_state st;

    role_load(ctx, &st);
    if (!strcmp(role_get(&st, "role"), "promoted"))
        monitor_promoted(ctx, c, url, res);
    else if (!*role_get(&st, "role")) {
        /* a probe with no record of this boot: PMM answering ready is a
         * promoted instance, else a standby */
        char why[200];

        if (server_probe_ready(c, url, ctx->deadline, why, sizeof why) == 0)
            ra_result_set(res, RA_OCF_RUNNING_PROMOTED, "%s", "");
        else
            ra_result_ok(res);
    } else
        monitor_standby(ctx, c, &st, res);
}

/* ---- validate ------------------------------------------------------------ */

static int
check_secret(const char *param, const char *path, bool required,
             struct ra_result *res)
{
    struct stat sb;

    if (!*path) {
        if (!required)
            return 0;
        ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                      "set %s: mode=promotable needs it", param);
        return -1;
    }
    if (path[0] != '/') {
        ra_result_set(res, RA_OCF_ERR_CONFIGURED, "%s must be an absolute path",
                      param);
        return -1;
    }
    if (lstat(path, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        ra_result_set(res, RA_OCF_ERR_INSTALLED,
                      "create %.80s (%s, user:password, mode 0600)", path,
                      param);
        return -1;
    }
    if (sb.st_mode & 077) {
        ra_result_set(res, RA_OCF_ERR_INSTALLED, "chmod 600 %.80s (%s)", path,
                      param);
        return -1;
    }
    return 0;
}

int
role_check_mode(struct ra_ctx *ctx, const struct server_conf *c,
                struct ra_result *res)
{
    struct cl_clone_meta m;

    if (c->promotable)
        return role_validate(ctx, c, res);
    cl_clone_meta_read(&m);
    if (!m.is_clone)
        return 0;
    ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                  "a clone of pmm-server needs mode=promotable (each "
                  "node its own volume)");
    return -1;
}

int
role_validate(struct ra_ctx *ctx, const struct server_conf *c,
              struct ra_result *res)
{
    struct cl_clone_meta m;
    int fencing;

    cl_clone_meta_read(&m);
    if (ctx->in_cluster && !m.is_clone) {
        ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                      "mode=promotable needs a promotable clone (pcs resource "
                      "create ... promotable notify=true)");
        return -1;
    }
    if (m.is_clone
        && (!m.promotable || !m.notify || m.promoted_max != 1
            || m.promoted_node_max != 1 || m.clone_node_max != 1)) {
        ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                      "make the clone promotable with notify=true "
                      "promoted-max=1 promoted-node-max=1 clone-node-max=1");
        return -1;
    }
    if (check_secret("repl_pg_auth_file", c->repl_pg_auth, true, res) < 0
        || check_secret("repl_ch_auth_file", c->repl_ch_auth, true, res) < 0
        || check_secret("repl_vm_auth_file", c->repl_vm_auth, false, res) < 0)
        return -1;
    if (programs_check(c, res) < 0)
        return -1;
    if (c->repl_settle_ms < 2000) {
        ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                      "repl_settle must be at least 2s");
        return -1;
    }
    if (access(PMMHA_REPLICATOR, X_OK) < 0) {
        ra_result_set(res, RA_OCF_ERR_INSTALLED,
                      "install pmmha-replicator: %s is missing",
                      PMMHA_REPLICATOR);
        return -1;
    }
    fencing = ctx->in_cluster ? cl_stonith_enabled(ctx) : 1;
    if (fencing == 0 && c->require_fencing) {
        ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                      "enable fencing (stonith-enabled=true) or set "
                      "require_fencing=false: an old primary may write on");
        return -1;
    }
    if (fencing == 0)
        ra_warn("stonith-enabled=false: nothing stops an old primary cut off "
                "from the cluster from writing on");
    return 0;
}

/* ---- promote ------------------------------------------------------------ */

/*
 * promote and demote in mode=active-passive: Pacemaker never calls them on
 * a primitive, ocf-tester does (the meta-data lists them): nothing to do.
 * A promotable clone in that mode would run one PMM per node on shared
 * data: refused.
 */
static void
active_passive_role(struct ra_ctx *ctx, const struct server_conf *c,
                    struct ra_result *res)
{
    if (role_check_mode(ctx, c, res) == 0)
        ra_result_ok(res);
}

/* True when the container start recorded in @rec still runs. */
static bool
running(const struct ra_ctx *ctx, struct ra_state *rec)
{
    char path[4096];

    return server_state_file(ctx, path, sizeof path) == 0
           && ra_state_load(path, rec) == 0 && server_state_alive(rec) == 1;
}

/* The election (PAF's): a peer that published a position further ahead at
 * pre-promote gets the promotion. 0 to go on, -1 with @res set. */
static int
elect(struct ra_ctx *ctx, const struct repl_view *v, struct ra_result *res)
{
    struct cl_attr_value vals[CL_NOTIFY_NODES];
    char name[160];
    int n;

    attr_name(ctx, "elect", name, sizeof name);
    n = cl_attr_all(ctx, name, CL_ATTR_PRIVATE, vals, CL_NOTIFY_NODES);
    if (n < 0) {
        ra_info("no election data (%s): promoting", strerror(-n));
        return 0;
    }
    for (int i = 0; i < n; i++) {
        long long pos;

        if ((ctx->node && !strcmp(vals[i].node, ctx->node))
            || ra_parse_ll(vals[i].value, &pos) < 0)
            continue;
        if (pos > v->position_ms + ROLE_ELECTION_TOLERANCE_MS) {
            (void) cl_promotion_set(ctx, NULL, 1);
            (void) cl_promotion_set(ctx, vals[i].node, ROLE_SCORE_BEST);
            ra_result_set(res, RA_OCF_ERR_GENERIC,
                          "%.40s is %.1fs further ahead: handing the "
                          "promotion over",
                          vals[i].node,
                          (double) (pos - v->position_ms) / 1000.0);
            return -1;
        }
    }
    return 0;
}

/* Publishes and logs the promote's data-loss bound. */
static void
report_rpo(const struct ra_ctx *ctx, const struct repl_view *v,
           const struct ra_state *st, struct cl_job **job)
{
    char name[160], val[32];
    int64_t rpo;

    bool caught_up = !strcmp(role_get(st, "switchover"), "caught-up");

    if (caught_up)
        rpo = 0;
    else if (v->have && v->position_ms) {
        rpo = wall_ms() + v->skew_ms - v->position_ms;
        rpo = rpo > 0 ? rpo : 0; /* the clocks' noise */
    } else
        rpo = -1; /* nothing was ever copied: a first promotion */
    if (rpo < 0)
        snprintf(val, sizeof val, "unknown");
    else
        snprintf(val, sizeof val, "%.1fs", (double) rpo / 1000.0);
    attr_name(ctx, "rpo", name, sizeof name);
    (void) cl_attr_set_begin(ctx, name, val, 0, job);
    if (caught_up)
        ra_info("promoted after a switchover's final catch-up: RPO 0 (nothing "
                "written before the demote is missing)");
    else
        ra_info("promoted: RPO at most %s (data the old primary received "
                "after the standby's position may be missing)",
                val);
}

void
server_promote(struct ra_ctx *ctx, struct ra_result *res)
{
    struct server_conf c;
    struct rt rt;
    struct ra_state st, rec;
    struct repl_view v;
    char dir[4096], url[512], name[160];
    const struct rt_ops *ops = NULL;
    struct cl_job *jobs[N_STANDBY_ATTRS + 3] = { 0 };
    size_t nj = 0;

    server_conf_basic(ctx, &c);
    role_load(ctx, &st);
    if (!c.promotable) {
        active_passive_role(ctx, &c, res);
        return;
    }
    if (!running(ctx, &rec)) {
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "%s is not running here: nothing to promote", c.name);
        return;
    }
    snprintf(url, sizeof url, "%s",
             *c.readyz_url ? c.readyz_url : ra_state_get(&rec, "url"));
    if (!strcmp(role_get(&st, "role"), "promoted")) {
        ra_result_ok(res); /* already */
        return;
    }
    if (*role_get(&st, "cancel")) {
        ra_result_set(res, RA_OCF_ERR_GENERIC, "switchover cancelled: %.100s",
                      role_get(&st, "cancel"));
        ra_state_set(&st, "cancel", "");
        role_save(ctx, &st);
        return;
    }
    repl_dir(&c, dir, sizeof dir);
    (void) role_repl_view(dir, &v);
    apply_cut_off(ctx, &c, &st, &v);
    if (*role_get(&st, "following")
        && strcmp(role_get(&st, "switchover"), "caught-up") != 0) {
        if (!v.have || !v.initial_done) {
            ra_result_set(res, RA_OCF_ERR_GENERIC,
                          "not promotable: the initial sync from %.40s is not "
                          "complete",
                          role_get(&st, "following"));
            return;
        }
        if (v.refused) {
            ra_result_set(res, RA_OCF_ERR_GENERIC,
                          "not promotable: replication refused: %.80s",
                          v.error);
            return;
        }
        if (*role_get(&st, "image_differs")) {
            ra_result_set(res, RA_OCF_ERR_GENERIC,
                          "not promotable: %.40s runs image %.12s, pull it "
                          "here",
                          role_get(&st, "following"),
                          role_get(&st, "image_differs"));
            return;
        }
    }
    /* a copy too far behind, whether it follows a primary or is the best
     * that is left (the last primary's own data excepted) */
    if (strcmp(role_get(&st, "switchover"), "caught-up") != 0 && v.have
        && v.initial_done && !volume_last_primary(&c) && too_stale(&c, &v)) {
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "refusing to promote: %.0fs behind (max_lag %.0fs); "
                      "set allow_stale_promote=true to accept the loss",
                      (double) v.behind_ms / 1000.0,
                      (double) c.max_lag_ms / 1000.0);
        return;
    }
    if (*role_get(&st, "following")
        && strcmp(role_get(&st, "switchover"), "caught-up") != 0
        && elect(ctx, &v, res) < 0)
        return;
    repl_stop(ctx, &st);
    role_save(ctx, &st);
    ops = server_open_runtime(&c, &rt, res);
    if (!ops || set_mode(ctx, &c, ops, &rt, &rec, true, res) < 0)
        goto done;
    server_wait_ready(ctx, &c, &rec, url, res);
    if (res->rc != RA_OCF_SUCCESS)
        goto done;
    /* the cluster told all at once: the virtual IP waits for the end of
     * promote */
    (void) record_role(ctx, &c, &st, "promoted", &jobs[nj++]);
    (void) cl_promotion_set_begin(ctx, NULL, ROLE_SCORE_PROMOTED, &jobs[nj++]);
    /* what a standby published means nothing for the primary */
    for (size_t i = 0; i < N_STANDBY_ATTRS; i++) {
        char key[40];

        attr_name(ctx, standby_attrs[i], name, sizeof name);
        (void) cl_attr_delete_begin(ctx, name, 0, &jobs[nj++]);
        snprintf(key, sizeof key, "pub_%s", standby_attrs[i]);
        ra_state_set(&st, key, "");
    }
    ra_state_set(&st, "pub_score", "");
    ra_state_set(&st, "pub_pos_at", "0");
    report_rpo(ctx, &v, &st, &jobs[nj++]);
    ra_state_set(&st, "switchover", "");
    role_save(ctx, &st);
    (void) cl_jobs_finish(jobs, nj);
done:
    server_close_runtime(ops, &rt);
}

/* ---- demote -------------------------------------------------------------- */

void
server_demote(struct ra_ctx *ctx, struct ra_result *res)
{
    struct server_conf c;
    struct rt rt;
    struct ra_state st, rec;
    struct ra_http_reply reply;
    const struct rt_ops *ops = NULL;
    struct cl_job *jobs[2] = { 0 };

    server_conf_basic(ctx, &c);
    role_load(ctx, &st);
    if (!c.promotable) {
        active_passive_role(ctx, &c, res);
        return;
    }
    if (!running(ctx, &rec)) {
        /* nothing runs: not an error (PAF's lesson: failing here would
         * loop demote, stop, start, promote) */
        ra_result_ok(res);
        return;
    }
    if (strcmp(role_get(&st, "role"), "promoted") != 0) {
        ra_result_ok(res); /* already a standby */
        return;
    }
    ops = server_open_runtime(&c, &rt, res);
    if (!ops || set_mode(ctx, &c, ops, &rt, &rec, false, res) < 0)
        goto done;
    /* what was ingested reaches the disk and the export (a switchover's
     * final copy reads up to now); VictoriaMetrics makes it searchable
     * within ~1 s anyway */
    if (ra_http_get(
            "http://127.0.0.1:9090/prometheus/internal/force_flush", NULL,
            ra_deadline_min(ctx->deadline, ra_deadline_in_ms(5000)), &reply)
            < 0
        || reply.status != 200) {
        ra_warn("VictoriaMetrics' force_flush failed: waiting 2s instead");
        ra_sleep_ms(2000, ctx->deadline);
    }
    ra_state_set(&st, "pub_score", "");
    (void) record_role(ctx, &c, &st, "standby", &jobs[0]);
    /* promotable again only after a cycle from the new primary */
    (void) cl_promotion_set_begin(ctx, NULL, ROLE_SCORE_NEVER, &jobs[1]);
    (void) cl_jobs_finish(jobs, 2);
    ra_info("%s demoted: ingestion stopped, a standby from now on", c.name);
    ra_result_ok(res);
done:
    server_close_runtime(ops, &rt);
}

/* ---- notify ---------------------------------------------------------------
 */

/* post-demote on a standby of a demoted primary that is still up (it
 * stops, if it is to, only after the notifications): copy what it holds,
 * up to now. The node to be promoted in a switchover (@target) must: when
 * it cannot, its promote is cancelled; any other standby tries, so that
 * whichever is promoted later loses nothing either. */
static void
final_catch_up(struct ra_ctx *ctx, const struct server_conf *c,
               struct ra_state *st, const char *from, bool target)
{
    char why[RA_REASON_MAX];
    uint64_t t0 = ra_now_ns();

    repl_stop(ctx, st);
    /* demote stopped the writers and flushed VictoriaMetrics: the copy goes
     * up to the source's now (--final) */
    if (repl_once(ctx, c, from, why, sizeof why) == 0) {
        ra_info("%s: caught up with %s in %.1fs",
                target ? "switchover" : "demote", from,
                (double) (ra_now_ns() - t0) / 1e9);
        ra_state_set(st, "switchover", target ? "caught-up" : "");
        ra_state_set(st, "cancel", "");
    } else if (target) {
        ra_warn("switchover cancelled: cannot copy %s's last data: %s", from,
                why);
        ra_state_set(st, "cancel", why);
        ra_state_set(st, "switchover", "");
    } else
        ra_warn("cannot copy the demoted %s's last data: %s", from, why);
    ra_state_set(st, "source", "");
    ra_state_set(st, "following", "");
    role_save(ctx, st);
}

void
server_notify(struct ra_ctx *ctx, struct ra_result *res)
{
    struct server_conf c;
    struct cl_notify n;
    struct ra_state st;
    struct repl_view v;
    char dir[4096], name[160], val[32];
    const char *demoted;
    bool me_promoted;

    ra_result_ok(res); /* notify never fails */
    server_conf_basic(ctx, &c);
    if (!c.promotable || !ctx->node)
        return;
    cl_notify_read(&n);
    role_load(ctx, &st);
    me_promoted = !strcmp(role_get(&st, "role"), "promoted");
    attr_name(ctx, "elect", name, sizeof name);
    demoted = n.demote.n == 1 ? n.demote.name[0] : "";
    if (n.type == CL_NOTIFY_POST && n.op == CL_OP_DEMOTE && !me_promoted
        && cl_nodes_has(&n.promote, ctx->node) && *demoted
        && strcmp(demoted, ctx->node) != 0 && cl_is_member(ctx, demoted) != 0) {
        /* a switchover: the old primary is demoted (nothing is written to
         * it any more) and still up until the notifications are over; a
         * fenced one is no member (a cluster that cannot tell: try, the
         * copy fails fast on a dead node) */
        final_catch_up(ctx, &c, &st, demoted, true);
    } else if (n.type == CL_NOTIFY_PRE && n.op == CL_OP_PROMOTE
               && !me_promoted) {
        /* every standby tells how far it got, for promote's election */
        repl_dir(&c, dir, sizeof dir);
        if (role_repl_view(dir, &v) == 0 && v.initial_done) {
            snprintf(val, sizeof val, "%" PRId64, v.position_ms);
            (void) cl_attr_set(ctx, name, val, CL_ATTR_PRIVATE);
        }
    } else if (n.type == CL_NOTIFY_POST && n.op == CL_OP_PROMOTE) {
        (void) cl_attr_delete(ctx, name, CL_ATTR_PRIVATE);
        if (!me_promoted && n.promote.n == 1
            && strcmp(n.promote.name[0], ctx->node) != 0) {
            ra_state_set(&st, "source", n.promote.name[0]);
            role_save(ctx, &st);
            follow(ctx, &c, &st);
        }
    } else if (n.type == CL_NOTIFY_POST && n.op == CL_OP_DEMOTE && !me_promoted
               && *demoted && !strcmp(role_get(&st, "following"), demoted)) {
        /* the primary we follow is one no longer: its last data, then wait
         * for the next */
        if (cl_is_member(ctx, demoted) != 0)
            final_catch_up(ctx, &c, &st, demoted, false);
        else {
            repl_stop(ctx, &st);
            ra_state_set(&st, "source", "");
            ra_state_set(&st, "following", "");
            role_save(ctx, &st);
        }
    }
}
