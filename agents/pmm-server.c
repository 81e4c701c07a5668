/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pmm-server - OCF resource agent for the PMM Server container.
 *
 * start runs the container and returns when PMM answers readyz with 200;
 * stop is SIGTERM to the container's init through a pidfd, a graceful
 * window, SIGKILL, and the runtime's word that it no longer runs; a
 * recurring monitor reads only the kernel (the container's PID and start
 * time recorded at start) and, at depth 10, PMM's readyz over plain HTTP:
 * it spawns nothing and loads no library beyond libc.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "log.h"
#include "pmm-server-role.h"
#include "pmm-server.h"
#include "proc.h"
#include "state.h"
#include "version.h"

extern const struct ra_param_def pmm_server_params[];
extern const struct ra_action_timeout pmm_server_timeouts[];
extern const char pmm_server_meta_xml[];

#define SERVER_AGENT "pmm-server"

/* ---- helpers -------------------------------------------------------- */

/* The runtime's API, else its CLI; the CLI when run_opts needs it. */
const struct rt_ops *
server_open_runtime(const struct server_conf *c, struct rt *rt,
                    struct ra_result *res)
{
    const struct rt_ops *ops = c->needs_cli
                                   ? rt_open_cli(rt, c->kind, c->socket)
                                   : rt_open(rt, c->kind, c->socket, false);

    if (!ops)
        ra_result_set(res, RA_OCF_ERR_INSTALLED, "%s", rt->err);
    return ops;
}

void
server_close_runtime(const struct rt_ops *ops, struct rt *rt)
{
    if (ops && ops->close)
        ops->close(rt);
}

/* A failed runtime call as a reason: the fix first, in 128 characters. */
static void
runtime_failed(struct ra_result *res, const struct server_conf *c,
               const struct rt *rt, int r, const char *doing)
{
    const char *k = rt_kind_name(c->kind);

    if (r == -ECONNREFUSED)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "start the %s API (%s.socket): nobody answers on %.56s "
                      "(%s)",
                      k, k, rt->socket, doing);
    else if (r == -ETIMEDOUT && rt->transport != RT_CLI)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "restart the %s API (%s.socket): no answer on %.48s in "
                      "time (%s)",
                      k, k, rt->socket, doing);
    else
        ra_result_set(res, RA_OCF_ERR_GENERIC, "%s: %.90s", doing, rt->err);
}

int
server_state_file(const struct ra_ctx *ctx, char *buf, size_t len)
{
    return ra_state_path(ctx->rsctmp, SERVER_AGENT, ctx->instance, buf, len);
}

/* "sha256:abc..." and "abc..." name the same image. */
static bool
same_id(const char *a, const char *b)
{
    if (!strncmp(a, "sha256:", 7))
        a += 7;
    if (!strncmp(b, "sha256:", 7))
        b += 7;
    return *a && !strcmp(a, b);
}

/* The readiness URL: the parameter, else plain HTTP to the container. */
static void
derive_url(const struct server_conf *c, const struct rt_container *ct,
           char *buf, size_t len)
{
    bool host_net = c->spec.network && !strcmp(c->spec.network, "host");

    if (*c->readyz_url)
        snprintf(buf, len, "%s", c->readyz_url);
    else if (*ct->ip && !host_net)
        snprintf(buf, len, "http://%s%s%s:%d%s", strchr(ct->ip, ':') ? "[" : "",
                 ct->ip, strchr(ct->ip, ':') ? "]" : "", c->http_port,
                 c->readyz_path);
    else
        snprintf(buf, len, "http://127.0.0.1:%d%s", c->http_port,
                 c->readyz_path);
}

/* 0 when PMM answers 200; else -1 with what it said in @why. */
int
server_probe_ready(const struct server_conf *c, const char *url,
                   ra_deadline_t d, char *why, size_t len)
{
    struct ra_http_reply reply;
    ra_deadline_t rd = ra_deadline_min(
        d, ra_deadline_in_ms((uint64_t) c->readyz_timeout_ms));
    int r = ra_http_get(url, &c->tls, rd, &reply);

    if (r == 0 && reply.status == 200)
        return 0;
    if (r == 0)
        snprintf(why, len, "HTTP %ld %.48s", reply.status, reply.body);
    else
        snprintf(why, len, "%s", reply.error);
    for (char *s = why; *s; s++)
        if (*s == '\n' || *s == '\r')
            *s = ' ';
    return -1;
}

static int
record(const struct ra_ctx *ctx, const struct server_conf *c,
       const struct rt_container *ct, const char *url)
{
    struct ra_state st = { 0 };
    char path[4096], num[32];
    uint64_t start;
    int r = ra_proc_starttime(ct->pid, &start);

    if (r < 0)
        return r;
    r = server_state_file(ctx, path, sizeof path);
    if (r < 0)
        return r;
    ra_state_set(&st, "name", c->name);
    ra_state_set(&st, "image", c->image);
    ra_state_set(&st, "image_id", ct->image_id);
    ra_state_set(&st, "id", ct->id);
    snprintf(num, sizeof num, "%d", (int) ct->pid);
    ra_state_set(&st, "pid", num);
    snprintf(num, sizeof num, "%llu", (unsigned long long) start);
    ra_state_set(&st, "starttime", num);
    ra_state_set(&st, "url", url);
    return ra_state_save(path, &st);
}

/* 1: the recorded container process lives; 0: it does not; <0 unknown. */
int
server_state_alive(const struct ra_state *st)
{
    const char *pid = ra_state_get(st, "pid");
    const char *start = ra_state_get(st, "starttime");
    long long p, s;

    if (!pid || !start || ra_parse_ll(pid, &p) < 0
        || ra_parse_ll(start, &s) < 0)
        return -EINVAL;
    return ra_proc_is((pid_t) p, (uint64_t) s);
}

/* ---- start ------------------------------------------------------------ */

static int
check_image(const struct ra_ctx *ctx, const struct server_conf *c,
            const struct rt_ops *ops, struct rt *rt, struct rt_image *img,
            struct ra_result *res)
{
    int r = ops->image_inspect(rt, c->image, img, ctx->deadline);

    if (r == -ENOENT && c->allow_pull) {
        ra_info("image %s is not present: pulling it", c->image);
        r = ops->image_pull(rt, c->image, ctx->deadline);
        if (r == 0)
            r = ops->image_inspect(rt, c->image, img, ctx->deadline);
    }
    if (r == -ENOENT)
        ra_result_set(res, RA_OCF_ERR_INSTALLED,
                      "image not on this node: %s pull %.80s (or set "
                      "allow_pull)",
                      rt_kind_name(c->kind), c->image);
    else if (r < 0)
        runtime_failed(res, c, rt, r, "cannot inspect the image");
    return r;
}

/* check_image, and the cluster told what this node has. */
static int
check_image_published(const struct ra_ctx *ctx, const struct server_conf *c,
                      const struct rt_ops *ops, struct rt *rt,
                      struct rt_image *img, struct ra_result *res)
{
    int r = check_image(ctx, c, ops, rt, img, res);

    if (r == 0 || r == -ENOENT)
        server_publish_image(ctx, r == 0 ? img->id : "", true);
    return r;
}

/* The first line of @path into @buf ("" if none): a regular file only, not
 * followed through a symlink, never blocking on a FIFO (/srv is the
 * container's to write). -errno when there is no such file. */
static int
read_first_line(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    struct stat st;
    ssize_t n = -1;

    buf[0] = '\0';
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        n = read(fd, buf, len - 1);
    close(fd);
    if (n < 0)
        return -EINVAL;
    buf[n] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    return 0;
}

/* PMM refuses to run on data newer than itself; so do we, and say why. */
static int
check_downgrade(const struct server_conf *c, const struct rt_image *img,
                struct ra_result *res)
{
    char path[4096], data[64] = "", tag[128];
    const char *named = ra_image_tag(c->image, tag, sizeof tag);
    const char *mine = *img->version ? img->version : named;
    int ok, tag_ok;

    if (!*c->volume || c->allow_downgrade)
        return 0;
    snprintf(path, sizeof path, "%s/grafana/PERCONA_DASHBOARDS_VERSION",
             c->volume);
    if (read_first_line(path, data, sizeof data) == -ENOENT)
        return 0; /* a new /srv: nothing to protect yet */
    data[strcspn(data, " \t\r\n")] = '\0';
    if (ra_version_cmp(mine, data, &ok) >= 0 || !ok)
        return 0;
    /* the configured tag is fine, this node's image is not: ban the node,
     * not the resource */
    if (ra_version_cmp(named, data, &tag_ok) >= 0 && tag_ok) {
        ra_result_set(res, RA_OCF_ERR_INSTALLED,
                      "pull the right image here: it is PMM %s, older than "
                      "the data (PMM %s) though tagged %s",
                      mine, data, named);
        return -1;
    }
    ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                  "downgrade refused: the data is PMM %s, the image PMM %s; "
                  "use an image >= %s (or allow_downgrade=true)",
                  data, mine, data);
    return -1;
}

/* server_volume_check(), and the directory must be there. */
static int
check_volume_dir(struct server_conf *c, struct ra_result *res)
{
    struct stat st;

    if (server_volume_check(c, res) < 0)
        return -1;
    if (!*c->volume || (stat(c->volume, &st) == 0 && S_ISDIR(st.st_mode)))
        return 0;
    ra_result_set(res, RA_OCF_ERR_INSTALLED,
                  "volume %s is not a directory on this node: mount PMM's "
                  "data there or fix the parameter",
                  c->volume);
    return -1;
}

/* True when the filesystem under the volume has (almost) no room left: what
 * PMM needs before it can answer ready. */
static bool
volume_full(const struct server_conf *c)
{
    struct statvfs v;

    if (!*c->volume || statvfs(c->volume, &v) < 0)
        return false;
    return (unsigned long long) v.f_bavail * v.f_frsize < 1024ULL * 1024
           || (v.f_files > 0 && v.f_favail == 0);
}

/* Polls readyz until 200, death, or the deadline: every 10 ms for the
 * first seconds (a refused connection costs nothing; a failover waits on
 * this), then backing off to 500 ms for PMM's long first start. */
void
server_wait_ready(const struct ra_ctx *ctx, const struct server_conf *c,
                  const struct ra_state *st, const char *url,
                  struct ra_result *res)
{
    char why[200] = "no answer yet", now[200];
    uint64_t t0 = ra_now_ns();
    int delay = 10;

    for (;;) {
        if (server_probe_ready(c, url, ctx->deadline, now, sizeof now) == 0) {
            ra_info("PMM is ready at %s after %.2fs", url,
                    (double) (ra_now_ns() - t0) / 1e9);
            ra_result_ok(res);
            return;
        }
        if (server_state_alive(st) == 0) {
            ra_result_set(res, RA_OCF_ERR_GENERIC,
                          "container %s exited while PMM was starting: "
                          "see '%s logs %s'",
                          c->name, rt_kind_name(c->kind), c->name);
            return;
        }
        /* keep PMM's last word, not the deadline cutting a probe short */
        if (ra_deadline_passed(ctx->deadline))
            break;
        memcpy(why, now, sizeof why);
        ra_sleep_ms(delay, ctx->deadline);
        if (ra_now_ns() - t0 > 2 * RA_NSEC_PER_SEC)
            delay = delay * 3 / 2 > 500 ? 500 : delay * 3 / 2;
    }
    /* the fix first: Pacemaker keeps 128 characters of a reason */
    ra_warn("last readyz answer at %s: %s", url, why);
    if (volume_full(c))
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "free space on %.60s: it is full, and PMM was not "
                      "ready within %.1fs",
                      c->volume, (double) (ra_now_ns() - t0) / 1e9);
    else
        ra_result_set(
            res, RA_OCF_ERR_GENERIC,
            "raise the start timeout: PMM not ready within it (%.1fs); "
            "readyz said %.50s",
            (double) (ra_now_ns() - t0) / 1e9, why);
}

/* Runs the container unless the right one already runs; fills @ct. */
static int
run_container(const struct ra_ctx *ctx, struct server_conf *c,
              const struct rt_ops *ops, struct rt *rt,
              const struct rt_image *img, struct rt_container *ct,
              bool *already, struct ra_result *res)
{
    int r = ops->container_inspect(rt, c->name, ct, ctx->deadline);

    *already = false;
    if (r == 0 && ct->exists && ct->running && same_id(ct->image_id, img->id)) {
        ra_info("container %s already runs %s", c->name, c->image);
        *already = true;
        return 0;
    }
    ra_info("starting container %s from %s through the %s", c->name, c->image,
            rt_transport_name(rt));
    r = ops->container_run(rt, &c->spec, ctx->deadline);
    if (r == 0)
        r = ops->container_inspect(rt, c->name, ct, ctx->deadline);
    if (r == 0 && !(ct->exists && ct->running))
        r = -ESRCH;
    if (r == -ESRCH)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "see '%s logs %.40s': the container exited at once",
                      rt_kind_name(c->kind), c->name);
    else if (r < 0)
        runtime_failed(res, c, rt, r, "cannot run the container");
    return r;
}

static void
server_start(struct ra_ctx *ctx, struct ra_result *res)
{
    struct server_conf c;
    struct rt rt;
    struct rt_image img = { 0 };
    struct rt_container ct = { 0 };
    struct server_guard guard = { 0 };
    struct ra_state st;
    char url[512], path[4096];
    const struct rt_ops *ops = NULL;
    bool already = false;
    int r;

    server_conf_basic(ctx, &c);
    if (server_conf_check(&c, res) < 0 || role_check_mode(ctx, &c, res) < 0)
        goto done;
    ops = server_open_runtime(&c, &rt, res);
    if (!ops || server_conf_run(&c, rt.transport, res) < 0
        || check_volume_dir(&c, res) < 0
        || (c.promotable && role_prepare(ctx, &c, res) < 0))
        goto done;
    r = check_image(ctx, &c, ops, &rt, &img, res);
    /* the cluster hears what this node has while the container starts */
    if (r == 0 || r == -ENOENT)
        server_guard_begin(ctx, r == 0 ? img.id : "", &guard);
    /* the record goes first: whatever runs on the data from now on, even a
     * start that fails, has touched it */
    if (r < 0 || server_marker_check(&c, &img, res) < 0
        || check_downgrade(&c, &img, res) < 0
        || server_marker_write(ctx, &c, &img, res) < 0)
        goto done;
    if (run_container(ctx, &c, ops, &rt, &img, &ct, &already, res) < 0)
        goto done;
    derive_url(&c, &ct, url, sizeof url);
    r = record(ctx, &c, &ct, url);
    if (r == 0
        && (server_state_file(ctx, path, sizeof path) < 0
            || ra_state_load(path, &st) < 0))
        r = -EIO;
    if (r == -ESRCH)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "container %s exited at once: see '%s logs %s'", c.name,
                      rt_kind_name(c.kind), c.name);
    else if (r < 0)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "cannot record the container's state in %s: %s",
                      ctx->rsctmp, strerror(-r));
    if (r < 0)
        goto done;
    if (c.promotable)
        role_start(ctx, &c, ops, &rt, &st, already, res);
    else
        server_wait_ready(ctx, &c, &st, url, res);
done:
    server_guard_finish(ctx, &guard);
    server_close_runtime(ops, &rt);
    server_conf_free(&c);
}

/* ---- stop ------------------------------------------------------------- */

/* The graceful window: the parameter, or what the op's timeout leaves. */
static int
grace_seconds(const struct ra_ctx *ctx, const struct server_conf *c)
{
    int left_s = ra_deadline_left_ms(ctx->deadline) / 1000;
    int margin = left_s / 10 > 3 ? left_s / 10 : 3;
    int fit = left_s - margin > 1 ? left_s - margin : 1;

    if (c->stop_timeout_s > 0 && c->stop_timeout_s <= fit)
        return (int) c->stop_timeout_s;
    if (c->stop_timeout_s > fit)
        ra_warn("stop_timeout=%lld does not fit in the stop timeout: "
                "using %ds",
                c->stop_timeout_s, fit);
    return fit;
}

/* How long the runtime gets to confirm what the kernel already saw (the
 * container's init exited): a frozen API must not turn a clean stop into a
 * fence. */
#define RUNTIME_CONFIRM_MS 5000

/* What ensure_stopped() learnt from the runtime. */
struct confirm {
    bool answered; /**< the runtime answered at least once */
    bool other;    /**< it reported another process under the name */
    int last;      /**< the last call's failure, 0 if it answered */
};

/*
 * Until the runtime no longer runs the container, or @d. @exited is the
 * init the kernel saw exit after our SIGTERM (0: none): the runtime learns
 * of it from conmon a few milliseconds later, so it gets a second to.
 * Another process under that name (restarted outside the cluster) gets the
 * runtime's own graceful stop first (@asked: already done); whatever still
 * runs after that, a forced remove. A call that gets no answer is retried,
 * not followed by another. A stopped container goes by itself (it was
 * created to be removed on exit), or at the next start: waiting for the
 * removal would only hold up the failover.
 */
static int
ensure_stopped(const struct server_conf *c, const struct rt_ops *ops,
               struct rt *rt, pid_t exited, bool asked, int grace,
               ra_deadline_t d, struct confirm *cf)
{
    ra_deadline_t patience = ra_deadline_in_ms(1000);
    struct rt_container ct;
    int delay = 5, r;

    for (;;) {
        r = ops->container_inspect(rt, c->name, &ct, d);
        cf->last = r;
        if (r == 0)
            cf->answered = true;
        if (r == 0 && (!ct.exists || !ct.running))
            return 0;
        if (r == 0 && ct.pid != exited)
            cf->other = true;
        if (r < 0
            || (exited && ct.pid == exited && !ra_deadline_passed(patience))) {
            /* no answer, or the runtime has not heard yet */
        } else if (!asked) {
            ra_warn("container %s runs another process (pid %d): stopping "
                    "it through the runtime",
                    c->name, (int) ct.pid);
            asked = true;
            (void) ops->container_stop(rt, c->name, grace, d);
            continue;
        } else /* a forced remove kills what still runs */
            (void) ops->container_remove(rt, c->name, d);
        if (ra_deadline_passed(d))
            return r < 0 ? r : -ETIMEDOUT;
        ra_sleep_ms(delay, d);
        delay = delay * 2 > 200 ? 200 : delay * 2;
    }
}

/* ensure_stopped() failed: the reason, naming the runtime when it is the
 * one that did not answer. */
static void
stop_failed(struct ra_result *res, const struct server_conf *c,
            const struct rt *rt, int r, uint64_t t0)
{
    const char *k = rt_kind_name(c->kind);
    int secs
        = (int) ((ra_now_ns() - t0 + RA_NSEC_PER_SEC / 2) / RA_NSEC_PER_SEC);

    if (r == -ETIMEDOUT)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "restart the %s API (%s.socket): it did not answer "
                      "within %d s, so %.30s cannot be proven stopped",
                      k, k, secs, c->name);
    else
        runtime_failed(res, c, rt, r, "cannot prove the container stopped");
}

/*
 * The runtime may forget a container before its process is gone (podman
 * during a stop): the kernel has the last word. Waits for the recorded
 * process, then SIGKILLs it (same PID and start time) if it lingers.
 */
static int
ensure_process_gone(const struct ra_ctx *ctx, const struct ra_state *st)
{
    ra_deadline_t linger
        = ra_deadline_min(ctx->deadline, ra_deadline_in_ms(2000));
    long long pid = 0;
    int alive;

    while ((alive = server_state_alive(st)) == 1 && !ra_deadline_passed(linger))
        ra_sleep_ms(20, linger);
    if (alive != 1)
        return 0;
    (void) ra_parse_ll(ra_state_get(st, "pid"), &pid);
    ra_warn("the runtime no longer lists the container but its process %lld "
            "lives: killing it",
            pid);
    if (server_state_alive(st) == 1)
        (void) kill((pid_t) pid, SIGKILL);
    while ((alive = server_state_alive(st)) == 1
           && !ra_deadline_passed(ctx->deadline))
        ra_sleep_ms(20, ctx->deadline);
    return alive == 1 ? -EBUSY : 0;
}

/*
 * The graceful stop, straight through the kernel: SIGTERM to the container's
 * init through a pidfd (the PID and start time recorded at start name it,
 * and only it), its exit seen the moment it happens rather than at the
 * runtime's next look (podman's stop polls every 100 ms), SIGKILL after
 * @grace_s. When init is gone, so is every process of its PID namespace.
 * Returns the PID it saw exit, or 0 when the runtime's own stop has to do
 * the job (the recorded process was already gone: something else may run
 * under the name; no pidfd; damaged state; a kill refused).
 */
static pid_t
stop_by_pid(const struct ra_ctx *ctx, const struct server_conf *c,
            const struct ra_state *st, int grace_s, bool ask_exit)
{
    const char *pid = ra_state_get(st, "pid");
    const char *start = ra_state_get(st, "starttime");
    long long p, t;
    int fd, r;

    if (!pid || !start || ra_parse_ll(pid, &p) < 0
        || ra_parse_ll(start, &t) < 0)
        return 0;
    fd = ra_proc_open((pid_t) p, (uint64_t) t);
    if (fd < 0)
        return 0;
    if (ask_exit) /* a quiesced standby: nothing left to stop in order */
        role_supervisor_exit(st);
    r = ra_proc_signal(fd, SIGTERM);
    if (r == 0)
        r = ra_proc_wait(
            fd, ra_deadline_min(ctx->deadline,
                                ra_deadline_in_ms((uint64_t) grace_s * 1000)));
    if (r == -ETIMEDOUT) {
        ra_warn("container %s ignored SIGTERM for %ds: SIGKILL", c->name,
                grace_s);
        r = ra_proc_signal(fd, SIGKILL);
        if (r == 0)
            r = ra_proc_wait(fd, ctx->deadline);
    }
    close(fd);
    return r == 0 || r == -ESRCH ? (pid_t) p : 0;
}

static void
server_stop(struct ra_ctx *ctx, struct ra_result *res)
{
    struct server_conf c;
    struct rt rt;
    struct ra_state st;
    char path[4096];
    const struct rt_ops *ops;
    struct confirm cf = { 0 };
    bool have_state, quiesced;
    uint64_t t0;
    pid_t exited;
    int grace, r;

    server_conf_basic(ctx, &c);
    have_state = server_state_file(ctx, path, sizeof path) == 0
                 && ra_state_load(path, &st) == 0;
    quiesced = c.promotable && role_stop(ctx, &c, have_state ? &st : NULL);
    grace = grace_seconds(ctx, &c);
    ra_info("stopping container %s (SIGTERM, %ds, SIGKILL)", c.name, grace);
    exited = have_state ? stop_by_pid(ctx, &c, &st, grace, quiesced) : 0;
    ops = server_open_runtime(&c, &rt, res);
    if (!ops) {
        /* without a runtime, only the kernel can vouch for us: what we
         * started is gone, or nothing could ever have run here */
        if (exited || (have_state && server_state_alive(&st) == 0)
            || (!have_state && rt.absent)) {
            ra_warn("%s; nothing of %s runs here", rt.err, c.name);
            ra_state_remove(path);
            server_publish_forget(ctx);
            ra_result_ok(res);
        }
        return;
    }
    t0 = ra_now_ns();
    if (!exited) {
        r = ops->container_stop(&rt, c.name, grace, ctx->deadline);
        if (r < 0)
            ra_warn("stop of %s failed: %s; killing it", c.name, rt.err);
    }
    /* the kernel saw what we started exit: the runtime only confirms */
    r = ensure_stopped(&c, ops, &rt, exited, !exited, grace,
                       exited ? ra_deadline_min(
                           ctx->deadline, ra_deadline_in_ms(RUNTIME_CONFIRM_MS))
                              : ctx->deadline,
                       &cf);
    if (r < 0 && exited && !cf.other) {
        ra_warn("the %s did not confirm within %d s that %s stopped (%s); "
                "the kernel saw its init (pid %d) exit: stopped",
                rt_transport_name(&rt), RUNTIME_CONFIRM_MS / 1000, c.name,
                cf.answered ? "it still listed it" : "no answer", (int) exited);
        r = 0;
    }
    if (r == 0 && have_state)
        r = ensure_process_gone(ctx, &st);
    if (r == -EBUSY)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "container %.40s: its process survived SIGKILL (stuck "
                      "in the kernel?)",
                      c.name);
    else if (r < 0)
        stop_failed(res, &c, &rt, r, t0);
    else {
        ra_state_remove(path);
        server_publish_forget(ctx);
        ra_result_ok(res);
    }
    server_close_runtime(ops, &rt);
}

/* ---- monitor ---------------------------------------------------------- */

static void
check_ready(const struct ra_ctx *ctx, const struct server_conf *c,
            const char *url, struct ra_result *res)
{
    char why[200];

    if (ctx->check_level < 10
        || server_probe_ready(c, url, ctx->deadline, why, sizeof why) == 0)
        ra_result_ok(res);
    else
        ra_result_set(res, RA_OCF_ERR_GENERIC, "PMM not ready at %s: %s", url,
                      why);
}

/*
 * No usable state file: ask the runtime (a probe, after HA_RSCTMP was lost,
 * a damaged file, or a probe after the recorded process went). @started:
 * our record says we started it, so an exit with an error is a failure
 * rather than a clean stop.
 */
static void
monitor_runtime(struct ra_ctx *ctx, struct server_conf *c, bool started,
                struct ra_result *res)
{
    struct rt rt;
    struct rt_container ct;
    struct rt_image img = { 0 };
    const struct rt_ops *ops = rt_open(&rt, c->kind, c->socket, false);
    char url[512];
    int r;

    if (!ops) {
        /* no runtime here at all: nothing can be running */
        ra_result_set(res, rt.absent ? RA_OCF_NOT_RUNNING : RA_OCF_ERR_GENERIC,
                      "%s", rt.err);
        return;
    }
    /* every probe tells the cluster what this node would run */
    r = ops->image_inspect(&rt, c->image, &img, ctx->deadline);
    if (r == 0 || r == -ENOENT)
        server_publish_image(ctx, r == 0 ? img.id : "", true);
    r = ops->container_inspect(&rt, c->name, &ct, ctx->deadline);
    if (r < 0)
        runtime_failed(res, c, &rt, r, "cannot inspect the container");
    else if (started && ct.exists && !ct.running && ct.exit_code != 0
             && ct.exit_code != 128 + SIGTERM)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "see '%s logs %.40s': the container exited with code %d",
                      rt_kind_name(c->kind), c->name, ct.exit_code);
    else if (!ct.exists || !ct.running)
        ra_result_set(res, RA_OCF_NOT_RUNNING, "%s", "");
    else if (!same_id(ct.image_id, img.id))
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "container %s runs image %s, not the configured %s",
                      c->name, ct.image, c->image);
    else {
        derive_url(c, &ct, url, sizeof url);
        /* another action of this resource holds the lock: look, not write */
        if (ctx->lock_fd >= 0 && record(ctx, c, &ct, url) < 0)
            ra_warn("cannot record the container's state in %s", ctx->rsctmp);
        if (c->promotable)
            role_monitor(ctx, c, url, res);
        else
            check_ready(ctx, c, url, res);
    }
    server_close_runtime(ops, &rt);
}

/* The state file, or -errno: a damaged one (what a full disk or a hand
 * left) counts as missing, with a warning. @alive: server_state_alive() of it.
 */
static int
load_state(const struct ra_ctx *ctx, char *path, size_t len,
           struct ra_state *st, int *alive)
{
    int r = server_state_file(ctx, path, len);

    if (r == 0)
        r = ra_state_load(path, st);
    if (r == 0
        && (!ra_state_get(st, "name") || !ra_state_get(st, "image")
            || (*alive = server_state_alive(st)) < 0))
        r = -EBADMSG;
    if (r == -EBADMSG)
        ra_warn("state file %s is damaged: asking the runtime instead", path);
    return r;
}

static void
server_monitor(struct ra_ctx *ctx, struct ra_result *res)
{
    struct server_conf c;
    struct ra_state st;
    char path[4096];
    const char *name, *image;
    int alive = -EINVAL;

    server_conf_basic(ctx, &c);
    if (load_state(ctx, path, sizeof path, &st, &alive) < 0) {
        monitor_runtime(ctx, &c, false, res);
        return;
    }
    name = ra_state_get(&st, "name");
    image = ra_state_get(&st, "image");
    if (strcmp(name, c.name) != 0 || strcmp(image, c.image) != 0)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "container %s runs %s, but the resource is now "
                      "configured as %s with %s",
                      name, image, c.name, c.image);
    else if (!alive && !ra_ctx_is_recurring(ctx)) {
        /* a probe: stopped outside the cluster (podman stop), or crashed?
         * The runtime knows how it ended, if it still lists it */
        monitor_runtime(ctx, &c, true, res);
        if (res->rc == RA_OCF_NOT_RUNNING && ctx->lock_fd >= 0)
            ra_state_remove(path);

    } else if (!alive)
        ra_result_set(res,
                      c.promotable ? role_gone_rc(ctx) : RA_OCF_ERR_GENERIC,
                      "container %s (pid %s) is gone: it crashed or was "
                      "stopped outside the cluster",
                      name, ra_state_get(&st, "pid"));
    else if (c.promotable) {
        server_publish_image(ctx, ra_state_get(&st, "image_id"), false);
        role_monitor(ctx, &c,
                     *c.readyz_url ? c.readyz_url : ra_state_get(&st, "url"),
                     res);
    } else {
        /* reaches attrd only if the value changed: normally never */
        server_publish_image(ctx, ra_state_get(&st, "image_id"), false);
        check_ready(ctx, &c,
                    *c.readyz_url ? c.readyz_url : ra_state_get(&st, "url"),
                    res);
    }
}

/* ---- validate-all ------------------------------------------------------- */

/* Every online node must resolve the reference to the same image. */
static void
check_nodes(const struct ra_ctx *ctx, const struct server_conf *c,
            const struct rt_image *img, struct ra_result *res)
{
    char list[RA_REASON_MAX];

    if (server_nodes_differ(ctx, img->id, list, sizeof list) > 0)
        ra_result_set(res, RA_OCF_ERR_INSTALLED,
                      "pull the same image on every node: here %.12s, but "
                      "%.80s",
                      img->id, list);
}

static void
server_validate(struct ra_ctx *ctx, struct ra_result *res)
{
    struct server_conf c;
    struct rt rt;
    struct rt_image img = { 0 };
    const struct rt_ops *ops = NULL;
    int r;

    server_conf_basic(ctx, &c);
    if (server_conf_check(&c, res) < 0)
        goto done;
    if (role_check_mode(ctx, &c, res) < 0)
        goto done;
    ops = server_open_runtime(&c, &rt, res);
    if (!ops || server_conf_run(&c, rt.transport, res) < 0
        || server_volume_check(&c, res) < 0)
        goto done;
    ra_result_ok(res);
    if (ctx->check_level < 10)
        goto done;
    r = ops->ping(&rt, ctx->deadline);
    if (r < 0)
        runtime_failed(res, &c, &rt, r, "the runtime's API does not answer");
    else if (check_volume_dir(&c, res) == 0
             && check_image_published(ctx, &c, ops, &rt, &img, res) == 0
             && check_downgrade(&c, &img, res) == 0)
        check_nodes(ctx, &c, &img, res);
done:
    server_close_runtime(ops, &rt);
    server_conf_free(&c);
}

/* ---- the agent ---------------------------------------------------------- */

static const struct ra_action server_actions[] = {
    { "start", server_start, RA_NEEDS_PARAMS | RA_NEEDS_ROOT },
    { "stop", server_stop, RA_NEEDS_ROOT },
    { "monitor", server_monitor, RA_NEEDS_ROOT },
    { "promote", server_promote, RA_NEEDS_PARAMS | RA_NEEDS_ROOT },
    { "demote", server_demote, RA_NEEDS_ROOT },
    { "notify", server_notify, 0 },
    { "validate-all", server_validate, RA_NEEDS_PARAMS },
    { "meta-data", NULL, 0 },
    { NULL, NULL, 0 },
};

static const struct ra_agent server_agent = {
    .name = SERVER_AGENT,
    .meta_xml = pmm_server_meta_xml,
    .params = pmm_server_params,
    .timeouts = pmm_server_timeouts,
    .actions = server_actions,
    .checks = server_checks,
};

int
main(int argc, char **argv)
{
    return ra_main(argc, argv, &server_agent);
}
