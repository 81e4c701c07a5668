/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lvm-sysid - OCF resource agent for an LVM volume group owned by one node
 * at a time through its LVM system ID.
 *
 * start takes the VG only as the takeover policy allows, checks the
 * takeover's exit status and reads the owner back before activating, then
 * proves every LV active through device-mapper; stop deactivates and
 * proves none is left; monitor execs nothing: device-mapper state from
 * sysfs, and the VG's owner from the PV's on-disk metadata (O_DIRECT), so
 * a VG taken over underneath us is caught. The disk reads run in a forked
 * child of the agent (lib/iochild.h): a hung PV cannot hang the monitor.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dm.h"
#include "iochild.h"
#include "log.h"
#include "lvm-sysid.h"
#include "state.h"

extern const struct ra_param_def lvm_sysid_params[];
extern const struct ra_action_timeout lvm_sysid_timeouts[];
extern const char lvm_sysid_meta_xml[];

#define SYSID_AGENT "lvm-sysid"
#define SYSFS "/sys"
#define DM_MAX 1024
#define PV_READ_TRIES 3

/* ---- configuration ---------------------------------------------------- */

static int
check_vgname(const char *v, char *why, size_t len)
{
    return lvm_name_check(v, false, why, len);
}

static int
check_lvname(const char *v, char *why, size_t len)
{
    return lvm_name_check(v, true, why, len);
}

static const struct ra_param_check sysid_checks[] = {
    { "vgname", check_vgname, 0 },
    { "lvname", check_lvname, 0 },
    { NULL, NULL, 0 },
};

static void
conf_load(const struct ra_ctx *ctx, struct sysid_conf *c)
{
    const char *t = ra_param_str(&ctx->params, "takeover");
    const char *lv = ra_param_str(&ctx->params, "lvname");

    c->vg = ra_param_str(&ctx->params, "vgname");
    c->lv = lv && *lv ? lv : NULL;
    c->takeover = !t || !strcmp(t, "fenced") ? TAKEOVER_FENCED
                  : !strcmp(t, "never")      ? TAKEOVER_NEVER
                                             : TAKEOVER_FORCE;
    c->majority_pvs = ra_param_bool(&ctx->params, "majority_pvs");
}

/* "vg" or "vg/lv", for messages. */
static const char *
what(const struct sysid_conf *c, char *buf, size_t len)
{
    if (c->lv)
        snprintf(buf, len, "LV %s/%s", c->vg, c->lv);
    else
        snprintf(buf, len, "VG %s", c->vg);
    return buf;
}

/* ---- device-mapper state ------------------------------------------------ */

/* The dm devices of the VG: every one (with hidden layers) when @all,
 * else only the resource's LVs themselves. */
struct vg_devs {
    struct dm_dev *dev;
    size_t n_dev;
    size_t n; /* matching devices, indexes in idx[] */
    size_t *idx;
};

static bool
dev_matches(const struct sysid_conf *c, const struct dm_dev *d, bool all)
{
    char vg[LVM_NAME_MAX + 1], lv[DM_NAME_MAX], vgid[33], lvid[33];
    bool layer;
    size_t n = c->lv ? strlen(c->lv) : 0;

    if (dm_lvm_uuid(d->uuid, vgid, lvid, &layer) < 0
        || lvm_dm_split(d->name, vg, sizeof vg, lv, sizeof lv) < 0
        || strcmp(vg, c->vg) != 0 || (layer && !all))
        return false;
    if (!c->lv)
        return true;
    /* the LV, and with @all its hidden parts ("lv-tpool", "lv_rimage_0") */
    return !strcmp(lv, c->lv)
           || (all && !strncmp(lv, c->lv, n) && strchr("-_", lv[n]));
}

static void
vg_devs_free(struct vg_devs *v)
{
    free(v->dev);
    free(v->idx);
    v->dev = NULL;
    v->idx = NULL;
}

static int
vg_devs_scan(const struct sysid_conf *c, bool all, struct vg_devs *v)
{
    int r;

    memset(v, 0, sizeof *v);
    v->dev = calloc(DM_MAX, sizeof *v->dev);
    v->idx = calloc(DM_MAX, sizeof *v->idx);
    if (!v->dev || !v->idx) {
        vg_devs_free(v);
        return -ENOMEM;
    }
    r = dm_list(SYSFS, v->dev, DM_MAX, &v->n_dev);
    if (r == -ENOENT) /* no /sys/block: nothing can be active */
        r = 0;
    for (size_t i = 0; r == 0 && i < v->n_dev; i++)
        if (dev_matches(c, &v->dev[i], all))
            v->idx[v->n++] = i;
    if (r < 0)
        vg_devs_free(v);
    return r;
}

static const struct dm_dev *
vg_dev(const struct vg_devs *v, size_t i)
{
    return &v->dev[v->idx[i]];
}

/* Is the LV with id @lvid active among @v's devices? */
static bool
lv_active(const struct vg_devs *v, const char *lvid)
{
    char vgid[33], id[33];
    bool layer;

    for (size_t i = 0; i < v->n; i++)
        if (dm_lvm_uuid(vg_dev(v, i)->uuid, vgid, id, &layer) == 0
            && !strcmp(id, lvid))
            return true;
    return false;
}

/* ---- the VG's metadata from its PV ------------------------------------- */

/* Reads the VG's metadata from a PV under the active LVs (any that
 * reads, retried when torn by a concurrent write). */
static int
read_md(const struct vg_devs *v, struct lvm_md_vg *md, char *pv, size_t len)
{
    char lower[SYSID_PVS_MAX][DM_KNAME_MAX], vgid[33], lvid[33];
    size_t n = 0;
    bool layer;
    int r = dm_lower(SYSFS, vg_dev(v, 0)->kname, lower, SYSID_PVS_MAX, &n);

    if (r < 0 && r != -E2BIG)
        return r;
    (void) dm_lvm_uuid(vg_dev(v, 0)->uuid, vgid, lvid, &layer);
    r = -ENODEV;
    for (size_t i = 0; i < n; i++) {
        snprintf(pv, len, "/dev/%s", lower[i]);
        for (int t = 0; t < PV_READ_TRIES; t++) {
            r = lvm_pv_read_vg(pv, md);
            if (r != -EBADMSG)
                break;
        }
        if (r == 0 && strcmp(md->id, vgid) != 0)
            r = -EXDEV; /* a PV of another VG under our LV? */
        if (r == 0)
            return 0;
    }
    return r;
}

/* This node's system ID: recorded at start, else asked from LVM. */
static int
local_sysid(const struct ra_ctx *ctx, const struct sysid_conf *c, char *buf,
            size_t len, char *why, size_t wlen)
{
    struct ra_state st;
    char path[4096];
    const char *vg, *id;

    if (ra_state_path(ctx->rsctmp, SYSID_AGENT, ctx->instance, path,
                      sizeof path)
            == 0
        && ra_state_load(path, &st) == 0 && (vg = ra_state_get(&st, "vg"))
        && !strcmp(vg, c->vg) && (id = ra_state_get(&st, "sysid")) && *id) {
        snprintf(buf, len, "%s", id);
        return 0;
    }
    return sysid_local(ctx->deadline, buf, len, why, wlen);
}

/* Depth 10: one block from each active LV, past the page cache. */
static int
read_blocks(const struct vg_devs *v, char *failed, size_t len)
{
    void *buf;
    int r = 0;

    if (posix_memalign(&buf, 4096, 4096) != 0)
        return -ENOMEM;
    for (size_t i = 0; i < v->n && r == 0; i++) {
        char path[64];
        int fd;

        snprintf(path, sizeof path, "/dev/%s", vg_dev(v, i)->kname);
        fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC | O_NOCTTY);
        if (fd < 0 || pread(fd, buf, 4096, 0) != 4096)
            r = -EIO;
        if (fd >= 0)
            close(fd);
        if (r < 0)
            snprintf(failed, len, "%.40s (%.16s)", vg_dev(v, i)->name, path);
    }
    free(buf);
    return r;
}

/* ---- the check monitor and start share --------------------------------- */

/* Every LV the resource covers is active per device-mapper. */
static void
check_lvs(const struct sysid_conf *c, const struct lvm_md_vg *md,
          const struct vg_devs *v, struct ra_result *res)
{
    bool found = false;

    for (size_t i = 0; i < md->n_lvs; i++) {
        if (c->lv && strcmp(md->lvs[i].name, c->lv) != 0)
            continue;
        found = true;
        if (!lv_active(v, md->lvs[i].id)) {
            ra_result_set(res, RA_OCF_ERR_GENERIC,
                          "LV %.32s/%.32s is not active (device-mapper has no "
                          "device for it)",
                          c->vg, md->lvs[i].name);
            return;
        }
    }
    if (c->lv && !found)
        ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                      "VG %.32s has no LV %.32s: fix lvname", c->vg, c->lv);
    else
        ra_result_ok(res);
}

/* The VG is still ours on disk, and the LVs are active. */
static void
check_owned_io(const struct ra_ctx *ctx, const struct sysid_conf *c,
               const struct vg_devs *v, const char *local,
               struct ra_result *res)
{
    struct lvm_md_vg *md = calloc(1, sizeof *md);
    char pv[64], failed[300];
    int r;

    if (!md) {
        ra_result_set(res, RA_OCF_ERR_GENERIC, "out of memory");
        return;
    }
    r = read_md(v, md, pv, sizeof pv);
    if (r < 0)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "cannot read VG %.32s's metadata from its PV %s: %s",
                      c->vg, r == -ENODEV ? "(none found)" : pv,
                      r == -EXDEV ? "it belongs to another VG" : strerror(-r));
    else if (strcmp(md->system_id, local) != 0)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "stop VG %.32s here: %.24s took it over while its LVs "
                      "are active here; never let both write it",
                      c->vg,
                      *md->system_id ? md->system_id : "a node (none set)");
    else
        check_lvs(c, md, v, res);
    if (res->rc == RA_OCF_SUCCESS && ctx->check_level >= 10
        && read_blocks(v, failed, sizeof failed) < 0)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "the storage under VG %.32s fails: cannot read a block "
                      "of %s",
                      c->vg, failed);
    free(md);
}

/* What check_owned() hands its I/O child. */
struct owned_io {
    const struct ra_ctx *ctx;
    const struct sysid_conf *c;
    const struct vg_devs *v;
    const char *local;
};

/* In the child: the reads, and the result they lead to. */
static int
owned_io(void *arg, void *out, size_t len)
{
    const struct owned_io *io = arg;

    (void) len;
    check_owned_io(io->ctx, io->c, io->v, io->local, out);
    return 0;
}

/*
 * check_owned_io() in a forked child (lib/iochild.h): on a hung PV the
 * child sticks in the kernel, and the agent still answers in time.
 */
static void
check_owned(const struct ra_ctx *ctx, const struct sysid_conf *c,
            const struct vg_devs *v, const char *local, struct ra_result *res)
{
    struct owned_io io = { .ctx = ctx, .c = c, .v = v, .local = local };
    struct ra_iochild_result ior;
    struct ra_result a;
    int r = ra_iochild_run(owned_io, &io, &a, sizeof a, ctx->deadline, &ior);

    if (ior.answered)
        *res = a;
    else if (ior.timed_out)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "check the storage path (multipath -ll): I/O to VG "
                      "%.32s's PVs or LVs hung for %.1f s",
                      c->vg, (double) ior.wait_ms / 1000);
    else if (ior.signal)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "see the system log: the I/O check of VG %.32s died of "
                      "signal %d",
                      c->vg, ior.signal);
    else
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "cannot start the I/O check of VG %.32s: %s", c->vg,
                      strerror(-r));
}

/* ---- monitor ---------------------------------------------------------- */

static void
sysid_monitor(struct ra_ctx *ctx, struct ra_result *res)
{
    struct sysid_conf c;
    struct vg_devs v;
    char local[LVM_SYSID_MAX], why[200];
    int r;

    conf_load(ctx, &c);
    r = vg_devs_scan(&c, false, &v);
    if (r < 0) {
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "cannot read device-mapper state from " SYSFS ": %s",
                      strerror(-r));
        return;
    }
    if (v.n == 0)
        ra_result_set(res, RA_OCF_NOT_RUNNING, "%s", "");
    else if (local_sysid(ctx, &c, local, sizeof local, why, sizeof why) < 0)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "cannot learn this node's LVM system ID: %.80s", why);
    else
        check_owned(ctx, &c, &v, local, res);
    vg_devs_free(&v);
}

/* ---- start ------------------------------------------------------------ */

static bool
sysid_safe(const char *s)
{
    return *s
           && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                        "0123456789._+-:@")
                  == strlen(s);
}

/* Whether the policy lets us take the VG from @owner; sets @res if not. */
static bool
may_take(const struct ra_ctx *ctx, const struct sysid_conf *c,
         const char *owner, struct ra_result *res)
{
    char why[200];
    int r;

    if (c->takeover == TAKEOVER_FORCE) {
        ra_warn("takeover=force: taking VG %s from %s without proof that "
                "%s is down",
                c->vg, owner, owner);
        return true;
    }
    if (c->takeover == TAKEOVER_NEVER) {
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "stop the resource on %.24s, or if it is down use "
                      "takeover=force once: it owns the VG (takeover=never)",
                      owner);
        return false;
    }
    r = sysid_owner_fenced(ctx, owner, why, sizeof why);
    if (r == 1) {
        ra_info("%s is out of the cluster and fenced: taking VG %s", owner,
                c->vg);
        return true;
    }
    ra_result_set(res, RA_OCF_ERR_GENERIC,
                  "fence %.24s, or if it is down use takeover=force once: "
                  "not proven down (%.40s)",
                  owner, r < 0 ? "no cluster to ask" : why);
    if (r < 0)
        ra_warn("asking the cluster failed: %s", why);
    return false;
}

/* vgchange --systemid: checked by its status and by reading back. */
static int
take_over(const struct ra_ctx *ctx, const struct sysid_conf *c,
          const char *owner, const char *local, bool degraded,
          struct ra_result *res)
{
    char cfg[400], why[200];
    const char *args[] = { "vgchange", "-y",  "--config", cfg, "--systemid",
                           local,      c->vg, NULL,       NULL };
    struct sysid_vg vg;
    int r;

    if (degraded) {
        args[6] = "--majoritypvs";
        args[7] = c->vg;
    }
    snprintf(cfg, sizeof cfg,
             "local/extra_system_ids=[\"%s\"] devices/hints=\"none\"", owner);
    ra_info("taking VG %s over from %s", c->vg, *owner ? owner : "nobody");
    r = sysid_lvm(args, ctx->deadline, NULL, why, sizeof why);
    if (r != 0) {
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "taking VG %.32s from %.24s failed (vgchange exit %d: "
                      "%.40s)",
                      c->vg, owner, r, why);
        return -EIO;
    }
    r = sysid_vgs(c->vg, ctx->deadline, &vg, why, sizeof why);
    if (r == 0 && strcmp(vg.system_id, local) != 0)
        r = -EPERM;
    if (r < 0)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "vgchange reported success but VG %.32s is %s: not "
                      "activating it",
                      c->vg,
                      r == -EPERM ? "still owned by another node"
                                  : "unreadable now");
    if (r == -EPERM)
        ra_info("VG %s's system ID after the takeover: %s", c->vg,
                vg.system_id);
    return r;
}

/* The owner, missing PVs and the policy: may start go on, and how? */
static int
decide(const struct ra_ctx *ctx, const struct sysid_conf *c,
       const struct sysid_vg *vg, const char *local, bool *degraded,
       struct ra_result *res)
{
    *degraded = false;
    if (vg->missing) {
        if (!c->majority_pvs
            || 2 * (vg->pv_count - vg->missing) <= vg->pv_count) {
            ra_result_set(res, RA_OCF_ERR_GENERIC,
                          "VG %.32s misses %u of its %u PVs: reconnect them%s",
                          c->vg, vg->missing, vg->pv_count,
                          c->majority_pvs ? " (no majority is present)"
                                          : ", or set majority_pvs=true to "
                                            "go on with a majority");
            return -ENODEV;
        }
        *degraded = true;
    }
    if (!strcmp(vg->system_id, local))
        return 0;
    if (!*vg->system_id && c->takeover != TAKEOVER_FORCE) {
        ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                      "vgchange --systemid %.24s %.32s here, or use "
                      "takeover=force once: the VG has no system ID",
                      local, c->vg);
        return -EPERM;
    }
    if (*vg->system_id && !sysid_safe(vg->system_id)) {
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "VG %.32s has an unexpected system ID '%.40s'", c->vg,
                      vg->system_id);
        return -EPERM;
    }
    if (*vg->system_id && !may_take(ctx, c, vg->system_id, res))
        return -EPERM;
    return take_over(ctx, c, vg->system_id, local, *degraded, res);
}

static int
activate(const struct ra_ctx *ctx, const struct sysid_conf *c, bool degraded,
         struct ra_result *res)
{
    char target[2 * LVM_NAME_MAX + 2], why[200];
    const char *args[] = { c->lv ? "lvchange" : "vgchange",
                           "-aey",
                           "--config",
                           "devices/hints=\"none\"",
                           target,
                           NULL,
                           NULL,
                           NULL };
    int r;

    if (c->lv)
        snprintf(target, sizeof target, "%s/%s", c->vg, c->lv);
    else
        snprintf(target, sizeof target, "%s", c->vg);
    if (degraded) {
        args[4] = "--activationmode";
        args[5] = "degraded";
        args[6] = target;
    }
    r = sysid_lvm(args, ctx->deadline, NULL, why, sizeof why);
    if (r != 0)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "activating %s failed (%s exit %d): %.48s", target,
                      args[0], r, why);
    return r == 0 ? 0 : -EIO;
}

static void
record(const struct ra_ctx *ctx, const struct sysid_conf *c, const char *local)
{
    struct ra_state st = { 0 };
    char path[4096];

    ra_state_set(&st, "vg", c->vg);
    ra_state_set(&st, "sysid", local);
    if (ra_state_path(ctx->rsctmp, SYSID_AGENT, ctx->instance, path,
                      sizeof path)
            < 0
        || ra_state_save(path, &st) < 0)
        ra_warn("cannot record this node's system ID in %s: monitors will "
                "ask LVM",
                ctx->rsctmp);
}

/* The node's system ID, or a result saying how to configure one. */
static int
need_local(const struct ra_ctx *ctx, char *local, size_t len,
           struct ra_result *res)
{
    char why[200];
    int r = sysid_local(ctx->deadline, local, len, why, sizeof why);

    if (r < 0)
        ra_result_set(res, RA_OCF_ERR_INSTALLED,
                      "cannot learn this node's LVM system ID: %.80s", why);
    else if (!*local)
        ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                      "set global/system_id_source in lvm.conf (\"uname\" as "
                      "in PMM's guide; not for localhost* names): this node "
                      "has no LVM system ID");
    return r < 0 || !*local ? -EINVAL : 0;
}

static int
need_vg(const struct ra_ctx *ctx, const struct sysid_conf *c,
        struct sysid_vg *vg, struct ra_result *res)
{
    char why[200];
    int r = sysid_vgs(c->vg, ctx->deadline, vg, why, sizeof why);

    if (r == -ENOENT)
        ra_result_set(res, RA_OCF_ERR_INSTALLED,
                      "VG %.32s is not visible on this node: attach its disks "
                      "(or fix vgname)",
                      c->vg);
    else if (r < 0)
        ra_result_set(res, RA_OCF_ERR_GENERIC, "cannot read VG %.32s: %.80s",
                      c->vg, why);
    return r;
}

static void
sysid_start(struct ra_ctx *ctx, struct ra_result *res)
{
    struct sysid_conf c;
    struct sysid_vg vg;
    struct vg_devs v;
    char local[LVM_SYSID_MAX];
    bool degraded;

    conf_load(ctx, &c);
    if (need_local(ctx, local, sizeof local, res) < 0
        || need_vg(ctx, &c, &vg, res) < 0
        || decide(ctx, &c, &vg, local, &degraded, res) < 0
        || activate(ctx, &c, degraded, res) < 0)
        return;
    if (vg_devs_scan(&c, false, &v) < 0) {
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "cannot read device-mapper state from " SYSFS);
        return;
    }
    if (v.n == 0)
        ra_result_set(
            res, RA_OCF_ERR_GENERIC,
            "LVM reported %.32s/%.32s activated but device-mapper shows "
            "none of it",
            c.vg, c.lv ? c.lv : "*");
    else
        check_owned(ctx, &c, &v, local, res);
    vg_devs_free(&v);
    if (res->rc == RA_OCF_SUCCESS) {
        record(ctx, &c, local);
        ra_info("VG %s is ours (%s) and active", c.vg, local);
    }
}

/* ---- stop ------------------------------------------------------------- */

/* vgchange/lvchange -an; for a VG taken from us, with its owner allowed. */
static void
deactivate(const struct ra_ctx *ctx, const struct sysid_conf *c)
{
    char target[2 * LVM_NAME_MAX + 2], cfg[400], why[200];
    const char *args[] = {
        c->lv ? "lvchange" : "vgchange", "-an", "--config", cfg, target, NULL
    };
    struct sysid_vg vg;
    int r;

    snprintf(cfg, sizeof cfg, "devices/hints=\"none\"");
    if (sysid_vgs(c->vg, ctx->deadline, &vg, why, sizeof why) == 0
        && *vg.system_id && sysid_safe(vg.system_id))
        snprintf(cfg, sizeof cfg,
                 "local/extra_system_ids=[\"%s\"] devices/hints=\"none\"",
                 vg.system_id);
    if (c->lv)
        snprintf(target, sizeof target, "%s/%s", c->vg, c->lv);
    else
        snprintf(target, sizeof target, "%s", c->vg);
    r = sysid_lvm(args, ctx->deadline, NULL, why, sizeof why);
    if (r != 0)
        ra_warn("%s -an %s failed (exit %d): %s", args[0], target, r, why);
}

/* Last resort when LVM cannot: remove the devices with dmsetup. */
static void
dm_remove(const struct ra_ctx *ctx, const struct vg_devs *v)
{
    char why[200];

    for (size_t i = 0; i < v->n; i++) {
        const char *args[] = { "dmsetup", "remove", vg_dev(v, i)->name, NULL };

        ra_warn("removing device-mapper device %s directly",
                vg_dev(v, i)->name);
        if (sysid_tool("dmsetup", args + 1, ctx->deadline, NULL, why,
                       sizeof why)
            != 0)
            ra_warn("dmsetup remove %s: %s", vg_dev(v, i)->name, why);
    }
}

static void
sysid_stop(struct ra_ctx *ctx, struct ra_result *res)
{
    struct sysid_conf c;
    struct vg_devs v;
    char w[300];

    conf_load(ctx, &c);
    for (int pass = 0; pass < 4; pass++) {
        if (vg_devs_scan(&c, true, &v) < 0) {
            ra_result_set(res, RA_OCF_ERR_GENERIC,
                          "cannot read device-mapper state from " SYSFS);
            return;
        }
        if (v.n == 0) {
            char path[4096];

            vg_devs_free(&v);
            if (ra_state_path(ctx->rsctmp, SYSID_AGENT, ctx->instance, path,
                              sizeof path)
                == 0)
                ra_state_remove(path);
            ra_result_ok(res);
            return;
        }
        if (pass == 0)
            deactivate(ctx, &c);
        else if (pass < 3)
            dm_remove(ctx, &v);
        vg_devs_free(&v);
    }
    ra_result_set(res, RA_OCF_ERR_GENERIC,
                  "%s is still active after deactivation: in use? see "
                  "'dmsetup info -c'",
                  what(&c, w, sizeof w));
}

/* ---- validate-all ------------------------------------------------------- */

/* Depth 10: what the monitor will read from disk agrees with LVM. */
static void
validate_disk(const struct sysid_conf *c, const struct sysid_vg *vg,
              struct ra_result *res)
{
    struct lvm_md_vg *md = calloc(1, sizeof *md);
    int r = -ENOMEM;
    bool lv_found = !c->lv;

    if (md)
        r = lvm_pv_read_vg(vg->pvs[0], md);
    if (r < 0)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "cannot read VG %.32s's metadata from PV %.40s: %s",
                      c->vg, vg->pvs[0], strerror(-r));
    else if (strcmp(md->id, vg->uuid) != 0)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "the on-disk metadata of PV %.48s is VG %.32s's, not "
                      "this one's",
                      vg->pvs[0], md->name);
    else if (strcmp(md->system_id, vg->system_id) != 0)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "on-disk system ID '%.24s' disagrees with LVM's '%.24s' "
                      "(PV %.32s)",
                      md->system_id, vg->system_id, vg->pvs[0]);
    for (size_t i = 0; r == 0 && c->lv && i < md->n_lvs; i++)
        lv_found |= !strcmp(md->lvs[i].name, c->lv);
    if (r == 0 && !lv_found)
        ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                      "VG %.32s has no LV %.32s: fix lvname", c->vg, c->lv);
    free(md);
}

static void
sysid_validate(struct ra_ctx *ctx, struct ra_result *res)
{
    struct sysid_conf c;
    struct sysid_vg vg;
    char source[64], local[LVM_SYSID_MAX], why[200];
    int r;

    conf_load(ctx, &c);
    r = sysid_source(ctx->deadline, source, sizeof source, why, sizeof why);
    if (r < 0) {
        ra_result_set(res, RA_OCF_ERR_INSTALLED,
                      "cannot read lvm.conf's system_id_source: %.80s", why);
        return;
    }
    if (!strcmp(source, "none") || !*source) {
        ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                      "lvm.conf sets no system ID source "
                      "(global/system_id_source=\"none\"): set it, e.g. to "
                      "\"uname\" as in PMM's guide, on every node");
        return;
    }
    if (need_local(ctx, local, sizeof local, res) < 0)
        return;
    ra_result_ok(res);
    if (ctx->check_level < 10 || need_vg(ctx, &c, &vg, res) < 0)
        return;
    validate_disk(&c, &vg, res);
}

/* ---- the agent ---------------------------------------------------------- */

static const struct ra_action sysid_actions[] = {
    { "start", sysid_start, RA_NEEDS_PARAMS | RA_NEEDS_ROOT },
    { "stop", sysid_stop, RA_NEEDS_PARAMS | RA_NEEDS_ROOT },
    { "monitor", sysid_monitor, RA_NEEDS_PARAMS | RA_NEEDS_ROOT },
    { "validate-all", sysid_validate, RA_NEEDS_PARAMS },
    { "meta-data", NULL, 0 },
    { NULL, NULL, 0 },
};

static const struct ra_agent sysid_agent = {
    .name = SYSID_AGENT,
    .meta_xml = lvm_sysid_meta_xml,
    .params = lvm_sysid_params,
    .timeouts = lvm_sysid_timeouts,
    .actions = sysid_actions,
    .checks = sysid_checks,
};

int
main(int argc, char **argv)
{
    return ra_main(argc, argv, &sysid_agent);
}
