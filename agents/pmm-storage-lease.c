/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pmm-storage-lease.c - the disk lease as the actions use it: where it
 * lives, taking it at start (refused while another node holds it live),
 * renewing it at every monitor, releasing it at stop.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cluster.h"
#include "log.h"
#include "pmm-storage.h"

#define MIB (UINT64_C(1) << 20)

/* "12:34:56Z" for a wall-clock time in ns. */
static const char *
clock_str(uint64_t ns, char *buf, size_t len)
{
    time_t t = (time_t) (ns / UINT64_C(1000000000));
    struct tm tm;

    if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%H:%M:%SZ", &tm))
        snprintf(buf, len, "?");
    return buf;
}

static int
open_dev(const char *path, struct storage_lease *l, struct ra_result *res)
{
    int r;

    snprintf(l->path, sizeof l->path, "%s", path);
    l->fd = open(path, O_RDWR | O_DIRECT | O_DSYNC | O_CLOEXEC);
    if (l->fd < 0) {
        r = -errno;
        ra_result_set(
            res, r == -ENOENT ? RA_OCF_ERR_INSTALLED : RA_OCF_ERR_GENERIC,
            "cannot open the lease device %.64s: %s", path, strerror(-r));
        return r;
    }
    r = ra_blockdev_size(l->fd, &l->dev_size);
    if (r < 0) {
        ra_result_set(res, RA_OCF_ERR_INSTALLED,
                      "%.64s is not a block device (%s)", path, strerror(-r));
        storage_lease_close(l);
    }
    return r;
}

/* The filesystem must end before the lease area; say how to make it so. */
static int
check_room(const struct storage_conf *c, const struct storage_dev *dev,
           const struct storage_lease *l, struct ra_result *res)
{
    uint64_t fs_size, mib = l->off / MIB;
    int r = storage_dev_fs_size(c, dev->path, &fs_size);

    if (r < 0) {
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "cannot read the superblock of %.64s: %s", dev->path,
                      strerror(-r));
        return r;
    }
    if (fs_size <= l->off)
        return 0;
    if (!strcmp(c->fstype, "xfs"))
        ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                      "grow the device 1 MiB, set lease_device, or (if new) "
                      "mkfs.xfs -d size=%llum: the xfs reaches the lease "
                      "area, the last MiB",
                      (unsigned long long) mib);
    else
        ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                      "resize2fs the %s to %lluM (mkfs.%s if new), or set "
                      "lease_device: it reaches into the lease area, the "
                      "last MiB",
                      c->fstype, (unsigned long long) mib, c->fstype);
    return -ENOSPC;
}

int
storage_lease_open(const struct storage_conf *c, const struct storage_dev *dev,
                   struct storage_lease *l, struct ra_result *res)
{
    int r = open_dev(*c->lease_device ? c->lease_device : dev->path, l, res);

    if (r < 0)
        return r;
    if (*c->lease_device) {
        l->off = 0;
        if (l->dev_size >= RA_LEASE_BLOCK)
            return 0;
        ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                      "lease_device %.64s is smaller than 4 KiB", l->path);
        r = -ENOSPC;
    } else if (ra_lease_offset(l->dev_size, &l->off) < 0) {
        ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                      "%.64s is too small: the filesystem and the lease need "
                      "2 MiB or more",
                      l->path);
        r = -ENOSPC;
    } else
        r = check_room(c, dev, l, res);
    if (r < 0)
        storage_lease_close(l);
    return r;
}

int
storage_lease_reopen(const char *path, uint64_t off, uint64_t dev_size,
                     struct storage_lease *l, struct ra_result *res)
{
    int r = open_dev(path, l, res);

    if (r < 0)
        return r;
    l->off = off;
    if (l->dev_size == dev_size)
        return 0;
    ra_result_set(res, RA_OCF_ERR_GENERIC,
                  "restart the resource to move the lease: its device "
                  "vanished or was resized (now %llu bytes, %llu at start)",
                  (unsigned long long) l->dev_size,
                  (unsigned long long) dev_size);
    storage_lease_close(l);
    return -ENXIO;
}

void
storage_lease_close(struct storage_lease *l)
{
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
}

static void
fill(struct ra_lease *l, const struct ra_ctx *ctx, uint64_t counter,
     uint64_t duration_ms, const char *fsid, uint32_t flags)
{
    memset(l, 0, sizeof *l);
    l->version = RA_LEASE_VERSION;
    l->flags = flags;
    l->counter = counter;
    l->renewed_ns = ra_wallclock_ns();
    l->duration_ms = (uint32_t) duration_ms;
    snprintf(l->holder, sizeof l->holder, "%s", ctx->node);
    snprintf(l->fsid, sizeof l->fsid, "%s", fsid);
}

/* What start learnt of another node's record while taking the lease. */
struct cleared {
    char fenced[RA_LEASE_HOLDER_MAX]; /* this holder was fenced since */
    bool silent;                      /* rec was watched unchanged a period */
    struct ra_lease rec;
};

static int
same(const struct ra_lease *a, const struct ra_lease *b)
{
    return a->counter == b->counter && a->renewed_ns == b->renewed_ns
           && !strcmp(a->holder, b->holder) && a->flags == b->flags;
}

/* Another node's record: may we take it? Sets @res when not. */
static int
may_take(const struct ra_ctx *ctx, const struct storage_dev *dev,
         const struct storage_lease *l, const struct ra_lease *cur,
         const struct cleared *cl, struct ra_result *res)
{
    uint64_t now = ra_wallclock_ns(),
             exp = ra_lease_expiry_ns(cur, STORAGE_SKEW_MS);
    enum ra_lease_state st = ra_lease_state(cur, now, STORAGE_SKEW_MS);
    char a[32], b[32];

    if (!strcmp(cur->holder, ctx->node) || st == RA_LEASE_FREE)
        return 0;
    if (cl->silent && same(&cl->rec, cur))
        return 0; /* silent a whole period: logged by the watch */
    if (*cl->fenced && !strcmp(cur->holder, cl->fenced)) {
        ra_warn("taking over the lease of %s on %s: it was fenced after its "
                "last renewal",
                cur->holder, l->path);
        return 0;
    }
    if (st == RA_LEASE_EXPIRED) {
        /* its clock may be behind (stepped back): expired by the wall
         * clock is not enough; a lease period of silence, watched on our
         * own clock, is (wait_out_silent_holder) */
        ra_result_set(
            res, RA_OCF_ERR_GENERIC,
            "raise the start timeout above %us, or wait: node %.24s's "
            "lease looks expired (renewed at %s), to be watched",
            cur->duration_ms / 1000 + 3, cur->holder,
            clock_str(cur->renewed_ns, a, sizeof a));
        return -EBUSY;
    }
    if (*cur->fsid && *dev->uuid && strcmp(cur->fsid, dev->uuid) != 0)
        ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                      "give each filesystem its own lease_device: the lease "
                      "there guards filesystem %.36s",
                      cur->fsid);
    else
        ra_result_set(
            res, RA_OCF_ERR_GENERIC,
            "node %.24s holds the lease, live until %s (in %.0fs, renewed "
            "at %s): stop it there, or wait",
            cur->holder, clock_str(exp, b, sizeof b),
            (double) (exp - now) / 1e9 + 0.5,
            clock_str(cur->renewed_ns, a, sizeof a));
    return -EBUSY;
}

/*
 * Watches an area that holds no valid lease for up to @ms: 1 as soon as it
 * holds a valid record (a live holder rewrote it: judge that instead), 0
 * when it stayed invalid the whole time, -ETIME when the deadline does not
 * leave the time for it.
 */
static int
watch_blank(const struct ra_ctx *ctx, const struct storage_lease *l,
            uint64_t ms)
{
    ra_deadline_t until = ra_deadline_in_ms((int) ms);
    struct ra_lease cur;

    if (ms + (uint64_t) STORAGE_RACE_PAUSE_MS * 2
        >= (uint64_t) ra_deadline_left_ms(ctx->deadline))
        return -ETIME;
    ra_info("the lease area of %s holds no valid lease: watching it %.1fs "
            "for a holder's renewal",
            l->path, (double) ms / 1000);
    while (!ra_deadline_passed(until)) {
        ra_sleep_ms(STORAGE_WATCH_MS, until);
        if (ra_lease_read(l->fd, l->off, &cur) == 0)
            return 1;
    }
    return 0;
}

/*
 * The area holds no valid lease (@r: -ENODATA for zeroes, -EBADMSG for
 * other bytes). The lease exists for the moment something is wrong, so
 * this fails closed: the area is initialised only when nobody can have
 * the filesystem mounted. The filesystem's own record proves it at once
 * (ra_fs_use(): a clean ext journal and MMP, a clean XFS log), or, where
 * it cannot tell, a whole lease period without a valid record does: a
 * holder writes its record again at its next renewal. A filesystem that
 * may be mounted, and other bytes on a lease_device (the wrong device?),
 * are refused. Returns 0 (take it), -EAGAIN (a valid record appeared:
 * read again) or -EBUSY with @res set.
 */
static int
take_blank(const struct ra_ctx *ctx, const struct storage_conf *c,
           const struct storage_dev *dev, const struct storage_lease *l, int r,
           struct ra_result *res)
{
    bool foreign = r == -EBADMSG && *c->lease_device;
    char why[96];
    enum ra_fs_use use
        = ra_fs_use(dev->path, c->fstype, ctx->deadline, why, sizeof why);
    int w;

    if (!foreign && use == RA_FS_UNMOUNTED) {
        ra_info("the lease area of %s holds %s and %s: initialising it",
                l->path, r == -ENODATA ? "zeroes" : "no lease", why);
        return 0;
    }
    w = watch_blank(ctx, l, c->lease_ms + STORAGE_SKEW_MS);
    if (w == 1)
        return -EAGAIN;
    if (w == 0 && !foreign && use == RA_FS_UNKNOWN) {
        ra_info("nobody wrote a lease on %s for %.1fs and %s: initialising "
                "it",
                l->path, (double) (c->lease_ms + STORAGE_SKEW_MS) / 1000, why);
        return 0;
    }
    if (foreign)
        ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                      "check lease_device is the right device, then "
                      "pmmha-lease reset: %.40s holds no pmmha lease",
                      l->path);
    else if (w == -ETIME && use == RA_FS_UNKNOWN)
        ra_result_set(
            res, RA_OCF_ERR_GENERIC,
            "raise the start timeout above %llus, or pmmha-lease "
            "reset: no valid lease on %.40s",
            (unsigned long long) (c->lease_ms + STORAGE_SKEW_MS) / 1000 + 2,
            l->path);
    else
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "lease on %.32s damaged, %.40s: check no node mounts "
                      "it, then pmmha-lease reset",
                      l->path, why);
    return -EBUSY;
}

/* Reads the record before taking it: the next counter, or a refusal. */
static int
read_for_take(const struct ra_ctx *ctx, const struct storage_conf *c,
              const struct storage_dev *dev, const struct storage_lease *l,
              const struct cleared *cl, uint64_t *counter,
              struct ra_result *res)
{
    struct ra_lease cur;
    int r = ra_lease_read(l->fd, l->off, &cur);

    *counter = 1;
    if (r == 0) {
        *counter = cur.counter + 1;
        return may_take(ctx, dev, l, &cur, cl, res);
    }
    if (r == -ENODATA || r == -EBADMSG)
        return take_blank(ctx, c, dev, l, r, res);
    if (r == -EPROTONOSUPPORT)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "upgrade pmmha on this node: a newer one wrote the "
                      "lease on %.64s",
                      l->path);
    else
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "cannot read the lease on %.64s: %s", l->path,
                      strerror(-r));
    return r;
}

/* The cluster's fencing rule (cl_fenced_since) allows CL_FENCE_SKEW_S for
 * the clocks and the history's whole seconds: at least the lease's own
 * skew and a second, as holder_fenced() always did. */
_Static_assert(CL_FENCE_SKEW_S * 1000 >= STORAGE_SKEW_MS + 1000,
               "the fencing rule must allow the lease's clock skew");

/*
 * 1 when Pacemaker fenced @cur's holder after its last renewal and it has
 * not rejoined (cl_fenced_since): a fenced node writes nothing more. A
 * holder that kept renewing until the fence (a partitioned node: its
 * storage path still works) renewed within the skew of it, and which came
 * first is the clocks' call; but a renewal after the fence would need it
 * rebooted, back in the cluster and its start run, so a holder still out
 * of the cluster renewed before the fence. Outside a cluster, or when the
 * cluster cannot tell: 0 (the lease is then waited out).
 */
static int
holder_fenced(const struct ra_ctx *ctx, const struct ra_lease *cur)
{
    time_t renewed = (time_t) (cur->renewed_ns / RA_NSEC_PER_SEC);
    char why[128];
    int r = cl_fenced_since(ctx, cur->holder, renewed, why, sizeof why);

    if (r == 1)
        ra_info("%s was %s, at or after its last renewal (allowing %ds "
                "for the clocks), and is out of the cluster",
                cur->holder, why, CL_FENCE_SKEW_S);
    else if (r == -ENOTCONN)
        ra_warn("no cluster to ask whether %s was fenced: waiting its "
                "lease out",
                cur->holder);
    else if (r < 0)
        ra_warn("cannot tell whether %s was fenced (%s): waiting its lease "
                "out",
                cur->holder, why);
    else
        ra_info("%s not taken as fenced: %s", cur->holder, why);
    return r == 1;
}

/*
 * A holder that stopped renewing may be dead, or alive with its clock
 * stepped back (its renewals then look old). Take its lease only after a
 * whole lease period of silence watched on our own monotonic clock, and
 * once it expired by the wall clock too; a renewal means the holder
 * lives (refuse at once). A holder the cluster fenced after its last
 * renewal is taken at once. Returns 0 to take it, else -EBUSY.
 */
static int
wait_out_silent_holder(const struct ra_ctx *ctx, const struct storage_lease *l,
                       struct cleared *cl, struct ra_result *res)
{
    struct ra_lease first, cur;
    uint64_t exp, now = ra_wallclock_ns(), wait_ms;
    ra_deadline_t quiet;

    if (ra_lease_read(l->fd, l->off, &first) < 0)
        return -EBUSY;
    if (holder_fenced(ctx, &first)) {
        snprintf(cl->fenced, sizeof cl->fenced, "%s", first.holder);
        return 0;
    }
    exp = ra_lease_expiry_ns(&first, STORAGE_SKEW_MS);
    wait_ms = exp > now ? (exp - now) / RA_NSEC_PER_MSEC : 0;
    if (wait_ms < first.duration_ms)
        wait_ms = first.duration_ms;
    if (wait_ms + STORAGE_RACE_PAUSE_MS
        >= (uint64_t) ra_deadline_left_ms(ctx->deadline))
        return -EBUSY;
    quiet = ra_deadline_in_ms(first.duration_ms);
    ra_info("node %s holds the lease on %s but may be dead: waiting %.1fs "
            "for it to renew or lapse",
            first.holder, l->path, (double) wait_ms / 1000);
    while (!ra_deadline_passed(ctx->deadline)) {
        ra_sleep_ms(STORAGE_WATCH_MS, ctx->deadline);
        if (ra_lease_read(l->fd, l->off, &cur) < 0 || !same(&first, &cur)) {
            if (!strcmp(cur.holder, first.holder)
                && ra_lease_state(&first, ra_wallclock_ns(), STORAGE_SKEW_MS)
                       == RA_LEASE_EXPIRED)
                ra_result_set(res, RA_OCF_ERR_GENERIC,
                              "check the clocks (NTP): node %.24s holds the "
                              "lease, renewing it with times that look old",
                              cur.holder);
            return -EBUSY; /* renewed, released or rewritten: not silent */
        }
        if (ra_deadline_passed(quiet)
            && ra_lease_state(&cur, ra_wallclock_ns(), STORAGE_SKEW_MS)
                   == RA_LEASE_EXPIRED) {
            ra_warn("taking over the lease of %s on %s: silent for %.1fs "
                    "(last renewed %.1fs ago by its clock)",
                    cur.holder, l->path, (double) first.duration_ms / 1000,
                    (double) (int64_t) (ra_wallclock_ns() - cur.renewed_ns)
                        / 1e9);
            cl->silent = true;
            cl->rec = cur;
            return 0;
        }
    }
    return -EBUSY;
}

int
storage_lease_acquire(const struct ra_ctx *ctx, const struct storage_conf *c,
                      const struct storage_dev *dev, struct storage_lease *l,
                      struct ra_result *res)
{
    struct ra_lease mine, back;
    uint64_t counter, t0;
    struct cleared cl = { .silent = false };
    int r;

    for (;;) {
        t0 = ra_now_ns();
        r = read_for_take(ctx, c, dev, l, &cl, &counter, res);
        if (r == -EAGAIN)
            continue; /* a holder wrote a valid record: judge it */
        if (r == -EBUSY && res->rc == RA_OCF_ERR_GENERIC
            && wait_out_silent_holder(ctx, l, &cl, res) == 0)
            continue; /* the holder was fenced, or its lease lapsed */
        if (r < 0)
            return r;
        fill(&mine, ctx, counter, c->lease_ms, dev->uuid, 0);
        r = ra_lease_write(l->fd, l->off, &mine);
        if (r < 0) {
            ra_result_set(res, RA_OCF_ERR_GENERIC,
                          "cannot write the lease on %.64s: %s", l->path,
                          strerror(-r));
            return r;
        }
        /* a slow read-to-write could let a racer's read slip in between */
        if (ra_now_ns() - t0 < STORAGE_RACE_PAUSE_MS / 2 * RA_NSEC_PER_MSEC)
            break;
        if (ra_deadline_passed(ctx->deadline)) {
            ra_result_set(res, RA_OCF_ERR_GENERIC,
                          "raise the start timeout or check the storage: "
                          "the lease I/O is too slow to be safe");
            return -ETIMEDOUT;
        }
        ra_warn("taking the lease took longer than %d ms: once more",
                STORAGE_RACE_PAUSE_MS / 2);
    }
    ra_sleep_ms(STORAGE_RACE_PAUSE_MS, ctx->deadline);
    r = ra_lease_read(l->fd, l->off, &back);
    if (r == 0 && same(&mine, &back))
        return 0;
    ra_result_set(res, RA_OCF_ERR_GENERIC,
                  "node %.24s took the lease at the same time: it goes on, "
                  "this node does not",
                  r == 0 ? back.holder : "?");
    return -EBUSY;
}

static int
renew_refusal(const struct ra_ctx *ctx, const struct storage_dev *dev,
              const struct storage_lease *l, int r, const struct ra_lease *cur,
              struct ra_result *res)
{
    char a[32];

    if (r < 0)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "lease lost: cannot read the record on %.64s: %s",
                      l->path, strerror(-r));
    else if (strcmp(cur->holder, ctx->node) != 0)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "node %.24s holds the lease now (written at %s): this "
                      "node must stop using the filesystem",
                      cur->holder, clock_str(cur->renewed_ns, a, sizeof a));
    else if (*cur->fsid && *dev->uuid && strcmp(cur->fsid, dev->uuid) != 0)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "lease lost: the lease_device now guards filesystem "
                      "%.36s; give each filesystem its own",
                      cur->fsid);
    else
        return 0;
    return -EBUSY;
}

/*
 * Our record on @l was damaged (zeroes or other bytes): we hold the lease
 * (the filesystem is mounted here), so we write it again, unless the
 * filesystem grew into the lease area, whose bytes are then its data.
 * A taker watching the area sees a valid record and goes by it.
 */
static int
rewrite_damaged(const struct ra_ctx *ctx, const struct storage_conf *c,
                const struct storage_dev *dev, struct storage_lease *l,
                struct ra_result *res)
{
    struct ra_lease mine;
    uint64_t fs_size;

    if (!*c->lease_device
        && (storage_dev_fs_size(c, dev->path, &fs_size) < 0
            || fs_size > l->off)) {
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "lease lost: the record on %.64s is gone and the "
                      "filesystem may reach its area",
                      l->path);
        return -EBUSY;
    }
    fill(&mine, ctx, 1, c->lease_ms, dev->uuid, 0);
    return ra_lease_write(l->fd, l->off, &mine);
}

int
storage_lease_renew(const struct ra_ctx *ctx, const struct storage_conf *c,
                    const struct storage_dev *dev, struct storage_lease *l,
                    struct ra_lease *ret_cur, struct ra_result *res)
{
    struct ra_lease cur, mine;
    int r = ra_lease_read(l->fd, l->off, &cur);

    if (r == -ENODATA || r == -EBADMSG) {
        memset(ret_cur, 0, sizeof *ret_cur); /* version 0: it was damaged */
        r = rewrite_damaged(ctx, c, dev, l, res);
        if (r < 0 && r != -EBUSY)
            ra_result_set(res, RA_OCF_ERR_GENERIC,
                          "cannot rewrite the damaged lease on %.64s: %s",
                          l->path, strerror(-r));
        return r;
    }
    if (renew_refusal(ctx, dev, l, r, &cur, res) < 0)
        return -EBUSY;
    *ret_cur = cur;
    fill(&mine, ctx, cur.counter + 1,
         c->lease_keep && cur.duration_ms > c->lease_ms ? cur.duration_ms
                                                        : c->lease_ms,
         *cur.fsid ? cur.fsid : dev->uuid, 0);
    r = ra_lease_write(l->fd, l->off, &mine);
    if (r < 0)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "cannot renew the lease on %.64s: %s", l->path,
                      strerror(-r));
    return r;
}

int
storage_lease_release(const struct ra_ctx *ctx, struct storage_lease *l,
                      char *why, size_t len)
{
    struct ra_lease cur, mine;
    int r = ra_lease_read(l->fd, l->off, &cur);

    if (r < 0) {
        snprintf(why, len, "cannot read it: %s", strerror(-r));
        return r;
    }
    if (strcmp(cur.holder, ctx->node) != 0) {
        snprintf(why, len, "node %s holds it", cur.holder);
        return -EPERM;
    }
    if (cur.flags & RA_LEASE_RELEASED)
        return 0;
    fill(&mine, ctx, cur.counter + 1, cur.duration_ms, cur.fsid,
         RA_LEASE_RELEASED);
    r = ra_lease_write(l->fd, l->off, &mine);
    if (r < 0)
        snprintf(why, len, "cannot write it: %s", strerror(-r));
    return r;
}
