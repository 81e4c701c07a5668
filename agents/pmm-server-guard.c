/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pmm-server-guard.c - image consistency across nodes. A failover onto a
 * node whose image differs from the one that last wrote /srv can corrupt
 * PMM's data, so:
 *   - each node publishes what the configured reference resolves to
 *     locally (image ID, or "absent") as the transient node attribute
 *     pmmha-image-<resource>, shown by crm_mon -A;
 *   - the data volume records the image that last ran on it
 *     (<volume>/.pmmha-image, beside PMM's own PERCONA_DASHBOARDS_VERSION);
 *   - start refuses the same reference resolving to another image than the
 *     one that wrote the data, and warns when nodes disagree;
 *   - validate-all at depth 10 reports every node that differs.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "pmm-server.h"
#include "ra-spawn.h"
#include "state.h"

#define MARKER ".pmmha-image"
#define ATTRD_TIMEOUT_MS 5000

/* "pmmha-image-pmm": the clone suffix (":0") is not part of the name. */
static void
attr_name(const struct ra_ctx *ctx, char *buf, size_t len)
{
    snprintf(buf, len, "pmmha-image-%.*s", (int) strcspn(ctx->instance, ":"),
             ctx->instance);
}

/* The last value this node published, cached so that a recurring monitor
 * reaches attrd only when something changed. */
static void
cache_path(const struct ra_ctx *ctx, char *buf, size_t len)
{
    snprintf(buf, len, "%s/pmm-server-%s.published", ctx->rsctmp,
             ctx->instance);
}

/* Starts attrd_updater ARGS... without waiting for it. */
static int
attrd_begin(const struct ra_ctx *ctx, const char *const *args,
            struct ra_spawn_job **job, char *why, size_t len)
{
    char prog[256], *argv[12];
    size_t n = 0;
    ra_deadline_t d
        = ra_deadline_min(ctx->deadline, ra_deadline_in_ms(ATTRD_TIMEOUT_MS));
    int r = ra_find_program("attrd_updater", prog, sizeof prog);

    *job = NULL;
    if (r < 0) {
        snprintf(why, len, "attrd_updater is not installed");
        return r;
    }
    argv[0] = prog;
    while (n < sizeof argv / sizeof argv[0] - 2 && args[n]) {
        argv[n + 1] = (char *) args[n];
        n++;
    }
    argv[n + 1] = NULL;
    r = ra_spawn_begin(argv, NULL, d, 200, job);
    if (r < 0)
        snprintf(why, len, "attrd_updater: %s", strerror(-r));
    return r;
}

/* Waits for attrd_updater; its output in @ret (free it). */
static int
attrd_finish(struct ra_spawn_job *job, struct ra_spawn_result *ret, char *why,
             size_t len)
{
    int r = ra_spawn_finish(job, ret);

    if (r < 0)
        snprintf(why, len, "attrd_updater: %s", strerror(-r));
    else if (ret->status != 0) {
        snprintf(why, len, "attrd_updater: %.*s",
                 (int) strcspn(ret->err ? ret->err : "", "\n"),
                 ret->err ? ret->err : "");
        r = -EIO;
    }
    return r;
}

/* Begins publishing @image_id unless (!@always) it is what was published
 * last; *@job stays NULL when nothing was started. */
static void
publish_begin(const struct ra_ctx *ctx, const char *image_id, bool always,
              struct ra_spawn_job **job)
{
    struct ra_state cached, now = { 0 };
    char name[160], path[4096], why[256];
    const char *value = image_id && *image_id ? image_id : "absent";
    const char *old;

    *job = NULL;
    if (!ctx->in_cluster)
        return; /* by hand or ocf-tester: no attrd to tell */
    cache_path(ctx, path, sizeof path);
    old = ra_state_load(path, &cached) == 0 ? ra_state_get(&cached, "value")
                                            : NULL;
    if (!always && old && strcmp(old, value) == 0)
        return;
    /* cache the attempt: a monitor must not retry every time attrd is
     * away; start and probes always publish anew */
    ra_state_set(&now, "value", value);
    (void) ra_state_save(path, &now);
    attr_name(ctx, name, sizeof name);
    const char *const args[]
        = { "-n", name, "-U", value, "-N", ctx->node, NULL };
    if (attrd_begin(ctx, args, job, why, sizeof why) < 0)
        ra_warn("image not published to the cluster: %s", why);
}

static void
publish_finish(struct ra_spawn_job *job)
{
    struct ra_spawn_result out = { 0 };
    char why[256];

    if (job && attrd_finish(job, &out, why, sizeof why) < 0)
        ra_warn("image not published to the cluster: %s", why);
    ra_spawn_result_free(&out);
}

void
server_publish_image(const struct ra_ctx *ctx, const char *image_id,
                     bool always)
{
    struct ra_spawn_job *job;

    publish_begin(ctx, image_id, always, &job);
    publish_finish(job);
}

int
server_marker_check(const struct server_conf *c, const struct rt_image *img,
                    struct ra_result *res)
{
    struct ra_state m;
    char path[4096];
    const char *ref, *id, *node;

    snprintf(path, sizeof path, "%s/" MARKER, c->volume);
    if (!*c->volume || ra_state_load(path, &m) < 0)
        return 0;
    ref = ra_state_get(&m, "image");
    id = ra_state_get(&m, "image_id");
    node = ra_state_get(&m, "node");
    /* another reference is an upgrade (the version check guards it) */
    if (!ref || !id || strcmp(ref, c->image) != 0 || strcmp(id, img->id) == 0)
        return 0;
    /* Pacemaker keeps about 128 characters of a reason: the fix first */
    ra_result_set(res, RA_OCF_ERR_INSTALLED,
                  "pull the same image on every node: here %.12s, but %s ran "
                  "%.12s on this data under that name",
                  img->id, node ? node : "another node", id);
    return -1;
}

int
server_marker_write(const struct ra_ctx *ctx, const struct server_conf *c,
                    const struct rt_image *img, struct ra_result *res)
{
    struct ra_state m = { 0 };
    char path[4096];
    int r;

    if (!*c->volume)
        return 0;
    snprintf(path, sizeof path, "%s/" MARKER, c->volume);
    ra_state_set(&m, "image", c->image);
    ra_state_set(&m, "image_id", img->id);
    ra_state_set(&m, "version", img->version);
    ra_state_set(&m, "node", ctx->node);
    r = ra_state_save(path, &m);
    /* without the record the guard cannot protect the data: a start that
     * cannot write it fails, saying what to do */
    if (r == -ENOSPC || r == -EDQUOT)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "free space on %.50s: " MARKER " cannot be written (%s)",
                      c->volume, strerror(-r));
    else if (r < 0)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "make %.50s writable: " MARKER " cannot be written (%s)",
                      c->volume, strerror(-r));
    return r < 0 ? -1 : 0;
}

/* One line of attrd_updater -Q -A: name="N" host="H" value="V". */
static int
parse_line(char *line, const char **host, const char **value)
{
    char *h = strstr(line, " host=\""), *v = strstr(line, " value=\"");

    if (!h || !v)
        return -EINVAL;
    *host = h + 7;
    *value = v + 8;
    h[7 + strcspn(h + 7, "\"")] = '\0';
    v[8 + strcspn(v + 8, "\"")] = '\0';
    return 0;
}

static void
query_begin(const struct ra_ctx *ctx, struct ra_spawn_job **job)
{
    char name[160], why[256];

    *job = NULL;
    if (!ctx->in_cluster)
        return;
    attr_name(ctx, name, sizeof name);
    const char *const args[] = { "-Q", "-A", "-n", name, NULL };
    if (attrd_begin(ctx, args, job, why, sizeof why) < 0)
        ra_debug("nodes not compared: %s", why);
}

/* Reaps the query; lists the nodes whose image differs in @buf. */
static int
query_finish(const struct ra_ctx *ctx, struct ra_spawn_job *job,
             const char *local_id, char *buf, size_t len)
{
    struct ra_spawn_result out = { 0 };
    const char *mine = local_id && *local_id ? local_id : "absent";
    char why[256], *save = NULL;
    size_t used = 0;
    int n = 0;

    buf[0] = '\0';
    if (!job)
        return 0;
    if (attrd_finish(job, &out, why, sizeof why) < 0) {
        ra_debug("nodes not compared: %s", why);
        ra_spawn_result_free(&out);
        return 0;
    }
    for (char *l = strtok_r(out.out, "\n", &save); l && used < len;
         l = strtok_r(NULL, "\n", &save)) {
        const char *host, *value;

        if (parse_line(l, &host, &value) < 0 || strcmp(host, ctx->node) == 0
            || strcmp(value, mine) == 0)
            continue;
        used += (size_t) snprintf(buf + used, len - used, "%s%s has %.12s",
                                  n++ ? ", " : "", host, value);
    }
    ra_spawn_result_free(&out);
    return n;
}

int
server_nodes_differ(const struct ra_ctx *ctx, const char *local_id, char *buf,
                    size_t len)
{
    struct ra_spawn_job *job;

    query_begin(ctx, &job);
    return query_finish(ctx, job, local_id, buf, len);
}

void
server_guard_begin(const struct ra_ctx *ctx, const char *image_id,
                   struct server_guard *g)
{
    snprintf(g->image_id, sizeof g->image_id, "%s", image_id ? image_id : "");
    publish_begin(ctx, image_id, true, &g->publish);
    query_begin(ctx, &g->query);
}

void
server_guard_finish(const struct ra_ctx *ctx, struct server_guard *g)
{
    char list[RA_REASON_MAX];

    publish_finish(g->publish);
    if (query_finish(ctx, g->query, g->image_id, list, sizeof list) > 0)
        ra_warn("nodes disagree on the image: here %.12s, %s", g->image_id,
                list);
    g->publish = g->query = NULL;
}
