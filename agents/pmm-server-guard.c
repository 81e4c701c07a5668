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
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "log.h"
#include "pmm-server.h"
#include "state.h"

#define MARKER ".pmmha-image"
#define GUARD_NODES_MAX CRMXML_NODES_MAX

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

/* Logs once why the image was not published: outside a cluster (by hand,
 * ocf-tester) there is nobody to tell. */
static void
publish_failed(int r)
{
    if (r == -ENOTCONN)
        ra_warn("image not published: no cluster to tell (run outside "
                "Pacemaker, or Pacemaker's attrd is not running)");
    else
        ra_warn("image not published to the cluster: attrd_updater: %s",
                strerror(-r));
}

/* Begins publishing @image_id unless (!@always) it is what was published
 * last; *@job stays NULL when nothing was started. */
static void
publish_begin(const struct ra_ctx *ctx, const char *image_id, bool always,
              struct cl_job **job)
{
    struct ra_state cached, now = { 0 };
    char name[160], path[4096];
    const char *value = image_id && *image_id ? image_id : "absent";
    const char *old;
    int r;

    *job = NULL;
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
    r = cl_attr_set_begin(ctx, name, value, 0, job);
    if (r < 0)
        publish_failed(r);
}

/* Waits for the publication begun (a NULL @job began nothing). */
static void
publish_finish(struct cl_job *job)
{
    int r;

    if (!job)
        return;
    r = cl_job_finish(job, NULL, 0);
    if (r < 0)
        publish_failed(r);
}

void
server_publish_image(const struct ra_ctx *ctx, const char *image_id,
                     bool always)
{
    struct cl_job *job;

    publish_begin(ctx, image_id, always, &job);
    publish_finish(job);
}

void
server_publish_forget(const struct ra_ctx *ctx)
{
    char path[4096];

    cache_path(ctx, path, sizeof path);
    ra_state_remove(path);
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

/* Begins asking every node's published image; *@job NULL when it cannot
 * (no cluster: nothing to compare with). */
static void
query_begin(const struct ra_ctx *ctx, struct cl_job **job)
{
    char name[160];
    int r;

    attr_name(ctx, name, sizeof name);
    r = cl_attr_all_begin(ctx, name, 0, job);
    if (r < 0)
        ra_debug("nodes not compared: %s", strerror(-r));
}

/* Reaps the query; lists the nodes whose image differs in @buf. */
static int
query_finish(const struct ra_ctx *ctx, struct cl_job *job, const char *local_id,
             char *buf, size_t len)
{
    struct cl_attr_value *v;
    const char *mine = local_id && *local_id ? local_id : "absent";
    size_t used = 0;
    int n = 0, got;

    buf[0] = '\0';
    if (!job)
        return 0;
    v = calloc(GUARD_NODES_MAX, sizeof *v);
    got = v ? cl_job_finish(job, v, GUARD_NODES_MAX) : -ENOMEM;
    if (!v)
        (void) cl_job_finish(job, NULL, 0);
    if (got < 0)
        ra_debug("nodes not compared: %s", strerror(-got));
    for (int i = 0; i < got && used < len; i++) {
        if (strcmp(v[i].node, ctx->node) == 0 || strcmp(v[i].value, mine) == 0)
            continue;
        used += (size_t) snprintf(buf + used, len - used, "%s%s has %.12s",
                                  n++ ? ", " : "", v[i].node, v[i].value);
    }
    free(v);
    return n;
}

int
server_nodes_differ(const struct ra_ctx *ctx, const char *local_id, char *buf,
                    size_t len)
{
    struct cl_job *job;

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
