/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pmm-storage - OCF resource agent for PMM Server's /srv on a shared block
 * device, used by one node at a time.
 *
 * start checks with libblkid what is on the device, takes a disk lease
 * (pmm-storage-lease.c), checks the filesystem when its superblock asks
 * for it, mounts with mount(2) and verifies in mountinfo. stop stops the
 * processes using the filesystem, unmounts without a lazy detach, proves
 * it and releases the lease. A recurring monitor reads mountinfo and
 * renews the lease with two O_DIRECT I/Os in a forked child of its own
 * (lib/iochild.h), so that a hung device cannot hang the monitor: it
 * execs nothing.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cluster.h"
#include "iochild.h"
#include "log.h"
#include "pmm-storage.h"
#include "procuse.h"
#include "state.h"

extern const struct ra_param_def pmm_storage_params[];
extern const struct ra_action_timeout pmm_storage_timeouts[];
extern const char pmm_storage_meta_xml[];

#define USERS_MAX 256

/* ---- state: what start found, so a monitor asks nobody ---------------- */

static int
state_file(const struct ra_ctx *ctx, char *buf, size_t len)
{
    return ra_state_path(ctx->rsctmp, STORAGE_AGENT, ctx->instance, buf, len);
}

static int
state_load(const struct ra_ctx *ctx, struct ra_state *st)
{
    char path[4096];

    if (state_file(ctx, path, sizeof path) < 0)
        return -EINVAL;
    return ra_state_load(path, st);
}

static int
state_save(const struct ra_ctx *ctx, const struct storage_dev *dev,
           const struct storage_lease *l)
{
    struct ra_state st = { 0 };
    char path[4096], num[64];
    int r = state_file(ctx, path, sizeof path);

    if (r < 0)
        return r;
    ra_state_set(&st, "dev", dev->path);
    snprintf(num, sizeof num, "%u:%u", dev->major, dev->minor);
    ra_state_set(&st, "rdev", num);
    ra_state_set(&st, "uuid", dev->uuid);
    if (l && l->fd >= 0) {
        ra_state_set(&st, "lease_path", l->path);
        snprintf(num, sizeof num, "%llu", (unsigned long long) l->off);
        ra_state_set(&st, "lease_off", num);
        snprintf(num, sizeof num, "%llu", (unsigned long long) l->dev_size);
        ra_state_set(&st, "lease_size", num);
    }
    return ra_state_save(path, &st);
}

static void
state_remove(const struct ra_ctx *ctx)
{
    char path[4096];

    if (state_file(ctx, path, sizeof path) == 0)
        ra_state_remove(path);
}

/* The device the resource mounts: as start recorded it, else found now. */
static int
known_dev(const struct storage_conf *c, const struct ra_state *st,
          struct storage_dev *dev)
{
    const char *path = st ? ra_state_get(st, "dev") : NULL;
    const char *rdev = st ? ra_state_get(st, "rdev") : NULL;
    const char *uuid = st ? ra_state_get(st, "uuid") : NULL;
    struct ra_result ignored;

    if (path && rdev && sscanf(rdev, "%u:%u", &dev->major, &dev->minor) == 2) {
        snprintf(dev->path, sizeof dev->path, "%s", path);
        snprintf(dev->uuid, sizeof dev->uuid, "%s", uuid ? uuid : "");
        return 0;
    }
    return storage_dev_find(c, dev, &ignored);
}

/* The lease where start put it, else where it belongs now. */
static int
lease_from_state(const struct storage_conf *c, const struct ra_state *st,
                 const struct storage_dev *dev, struct storage_lease *l,
                 struct ra_result *res)
{
    const char *path = st ? ra_state_get(st, "lease_path") : NULL;
    const char *off = st ? ra_state_get(st, "lease_off") : NULL;
    const char *size = st ? ra_state_get(st, "lease_size") : NULL;
    long long o, s;

    l->fd = -1;
    if (path && off && size && ra_parse_ll(off, &o) == 0
        && ra_parse_ll(size, &s) == 0 && o >= 0 && s > o)
        return storage_lease_reopen(path, (uint64_t) o, (uint64_t) s, l, res);
    return storage_lease_open(c, dev, l, res);
}

static bool
same_dev(const struct ra_mount *m, const struct storage_dev *dev)
{
    return m->major == dev->major && m->minor == dev->minor;
}

/* ---- device I/O in a child ------------------------------------------- */

/*
 * The device I/O of monitor, and start's first look at the device, runs in
 * forked children (lib/iochild.h): on a hung device the child sticks in
 * the kernel, not the agent, which answers in time with a reason. A child
 * only reads and writes, and sends its result back; the agent logs.
 */
struct dev_io {
    const struct ra_ctx *ctx;
    const struct storage_conf *c;
    const struct ra_state *st;
    const struct storage_dev *dev;
    const char *path; /* the status file (depth 20) */
    const char *line; /* what it gets */
};

/* What an I/O child sends back. */
struct io_answer {
    struct ra_result res;
    struct ra_lease cur;          /* the record the renewal found */
    char uuid[RA_LEASE_FSID_MAX]; /* the filesystem's, from libblkid */
};

/* The reason when an I/O child did not answer: hung, killed, or none. */
static void
io_failed(const char *what, int r, const struct ra_iochild_result *io,
          struct ra_result *res)
{
    if (io->timed_out)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "check the storage path (multipath -ll): I/O to %.60s "
                      "hung for %.1f s",
                      what, (double) io->wait_ms / 1000);
    else if (io->signal)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "see the system log: the I/O check of %.64s died of "
                      "signal %d",
                      what, io->signal);
    else
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "cannot start the I/O check of %.64s: %s", what,
                      strerror(-r));
}

/* Runs @fn in an I/O child; sets @res unless it succeeded. */
static int
io_run(ra_iochild_fn fn, const struct dev_io *io, const char *what,
       struct io_answer *a, struct ra_result *res)
{
    struct ra_iochild_result ior;
    int r = ra_iochild_run(fn, (void *) io, a, sizeof *a, io->ctx->deadline,
                           &ior);

    if (!ior.answered)
        io_failed(what, r, &ior, res);
    else if (r < 0)
        *res = a->res;
    return r;
}

/* In the child: libblkid finds the filesystem type (and UUID) wanted. */
static int
type_io(void *arg, void *out, size_t len)
{
    const struct dev_io *io = arg;
    struct io_answer *a = out;
    struct storage_dev dev = *io->dev;
    int r = storage_dev_check_type(io->c, &dev, &a->res);

    (void) len;
    snprintf(a->uuid, sizeof a->uuid, "%s", dev.uuid);
    return r;
}

/* storage_dev_check_type() in an I/O child: a dead device fails in time. */
static int
check_type(const struct ra_ctx *ctx, const struct storage_conf *c,
           struct storage_dev *dev, struct ra_result *res)
{
    struct dev_io io = { .ctx = ctx, .c = c, .dev = dev };
    struct io_answer a;
    int r = io_run(type_io, &io, dev->path, &a, res);

    if (r == 0)
        snprintf(dev->uuid, sizeof dev->uuid, "%s", a.uuid);
    return r;
}

/* ---- start ------------------------------------------------------------ */

/* 1 when ours is mounted there already, 0 when free, -1 with @res set. */
static int
check_mount_points(const struct storage_conf *c, const struct storage_dev *dev,
                   struct ra_result *res)
{
    struct ra_mount m;

    if (ra_mountinfo_by_target(NULL, c->directory, &m) == 0) {
        if (same_dev(&m, dev))
            return 1;
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "unmount %.48s from %.40s, or pick another directory",
                      m.source, c->directory);
        return -1;
    }
    if (ra_mountinfo_by_dev(NULL, dev->major, dev->minor, NULL, &m) == 0) {
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "unmount %.64s from %.40s first: it is mounted there",
                      dev->path, m.target);
        return -1;
    }
    return 0;
}

/* Nothing else on this node holds the device: no mount in another mount
 * namespace, no device-mapper or md claim. */
static int
check_exclusive(const struct storage_dev *dev, struct ra_result *res)
{
    int fd = open(dev->path, O_RDONLY | O_EXCL | O_CLOEXEC);

    if (fd >= 0) {
        close(fd);
        return 0;
    }
    ra_result_set(res, RA_OCF_ERR_GENERIC,
                  "%.64s is in use: mounted in another namespace, or held "
                  "by dm/md?",
                  dev->path);
    return -1;
}

static int
mkdir_p(const char *dir)
{
    char buf[RA_MOUNT_PATH_MAX];

    snprintf(buf, sizeof buf, "%s", dir);
    for (char *s = buf + 1;; s++) {
        char c = *s;

        if (c != '/' && c != '\0')
            continue;
        *s = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST)
            return -errno;
        *s = c;
        if (!c)
            break;
    }
    return 0;
}

static int
do_mount(const struct storage_conf *c, const struct storage_dev *dev,
         struct ra_result *res)
{
    struct ra_mount m;
    struct stat st;
    int r = mkdir_p(c->directory);

    if (r < 0 || stat(c->directory, &st) < 0 || !S_ISDIR(st.st_mode)) {
        ra_result_set(res, RA_OCF_ERR_INSTALLED,
                      "cannot make the mount point %.64s: %s", c->directory,
                      strerror(r < 0 ? -r : ENOTDIR));
        return -1;
    }
    if (mount(dev->path, c->directory, c->fstype, c->mopts.flags,
              *c->mopts.data ? c->mopts.data : NULL)
        < 0) {
        r = errno;
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "mount on %.40s failed (%s): dmesg says why; options "
                      "'%.24s'",
                      c->directory, strerror(r), c->options);
        return -1;
    }
    if (ra_mountinfo_by_target(NULL, c->directory, &m) == 0
        && same_dev(&m, dev))
        return 0;
    ra_result_set(res, RA_OCF_ERR_GENERIC,
                  "mount on %.40s succeeded but mountinfo does not show it",
                  c->directory);
    (void) umount2(c->directory, UMOUNT_NOFOLLOW);
    return -1;
}

/* In the child: a timestamp change on the directory, forced to the log. */
static int
touch_io(void *arg, void *out, size_t len)
{
    const struct dev_io *io = arg;
    int fd = open(io->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

    (void) out;
    (void) len;
    if (fd < 0)
        return -errno;
    if (futimens(fd, NULL) < 0 || fsync(fd) < 0)
        r = -errno;
    close(fd);
    return r;
}

/*
 * An XFS log stays clean while a mount writes nothing, and a clean log is
 * what another node takes as proof that no pmmha holder has it mounted
 * when the lease area is damaged (ra_fs_use()): write to it now.
 */
static void
dirty_xfs_log(const struct ra_ctx *ctx, const struct storage_conf *c)
{
    struct dev_io io = { .ctx = ctx, .path = c->directory };
    struct ra_iochild_result ior;
    int r;

    if (strcmp(c->fstype, "xfs") != 0 || (c->mopts.flags & MS_RDONLY))
        return;
    r = ra_iochild_run(touch_io, &io, NULL, 0, ctx->deadline, &ior);
    if (!ior.answered || r < 0)
        ra_warn("cannot write to the xfs on %s (%s): its log stays clean",
                c->directory, ior.answered ? strerror(-r) : "no answer");
}

static void
release_quietly(const struct ra_ctx *ctx, struct storage_lease *l)
{
    char why[128];

    if (l->fd >= 0 && storage_lease_release(ctx, l, why, sizeof why) < 0)
        ra_warn("cannot release the lease on %s: %s", l->path, why);
}

/* pmmha-lease-RESOURCE (crm_mon -A): "held since" UTC on the node that
 * holds the lease, set by start and deleted by stop; a monitor spawns
 * nothing. */
static void
lease_attr(const struct ra_ctx *ctx, bool held)
{
    char name[160], val[64], ts[32];
    time_t now = time(NULL);
    struct tm tm;
    int r;

    snprintf(name, sizeof name, "pmmha-lease-%.*s",
             (int) strcspn(ctx->instance, ":"), ctx->instance);
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(val, sizeof val, "held since %s", ts);
    r = held ? cl_attr_set(ctx, name, val, 0) : cl_attr_delete(ctx, name, 0);
    if (r < 0 && r != -ENOTCONN)
        ra_warn("cannot %s %s: %s", held ? "publish" : "delete", name,
                strerror(-r));
}

static void
storage_start(struct ra_ctx *ctx, struct ra_result *res)
{
    struct storage_conf c;
    struct storage_dev dev;
    struct storage_lease l = { .fd = -1 };
    int here;

    storage_conf_read(ctx, &c);
    if (storage_dev_find(&c, &dev, res) < 0
        || check_type(ctx, &c, &dev, res) < 0)
        return;
    here = check_mount_points(&c, &dev, res);
    if (here < 0)
        return;
    if (c.lease
        && (storage_lease_open(&c, &dev, &l, res) < 0
            || storage_lease_acquire(ctx, &c, &dev, &l, res) < 0))
        goto done;
    if (!here
        && (check_exclusive(&dev, res) < 0
            || storage_dev_fsck(ctx, &c, &dev, res) < 0
            || do_mount(&c, &dev, res) < 0)) {
        release_quietly(ctx, &l);
        goto done;
    }
    if (!here)
        dirty_xfs_log(ctx, &c);
    if (state_save(ctx, &dev, &l) < 0)
        ra_warn("cannot record the mount in %s: monitors will look the "
                "device up",
                ctx->rsctmp);
    ra_info("%s (%s) %s on %s%s", dev.path, c.fstype,
            here ? "was already mounted" : "mounted", c.directory,
            c.lease ? ", lease taken" : "");
    if (c.lease)
        lease_attr(ctx, true);
    ra_result_ok(res);
done:
    storage_lease_close(&l);
}

/* ---- stop ------------------------------------------------------------- */

static void
signal_users(const struct ra_mount *m, int sig)
{
    pid_t pids[USERS_MAX];
    int n = ra_procs_using(NULL, m->major, m->minor, pids, USERS_MAX);

    for (int i = 0; i < n && i < USERS_MAX; i++) {
        char path[64], comm[64] = "?";
        FILE *f;

        snprintf(path, sizeof path, "/proc/%d/comm", (int) pids[i]);
        f = fopen(path, "re");
        if (f) {
            if (fgets(comm, sizeof comm, f))
                comm[strcspn(comm, "\n")] = '\0';
            fclose(f);
        }
        ra_info("%s: pid %d (%s) uses %s",
                sig == SIGKILL ? "SIGKILL" : "SIGTERM", (int) pids[i], comm,
                m->target);
        (void) kill(pids[i], sig);
    }
}

static void
busy_reason(const struct storage_conf *c, const struct ra_mount *m,
            const char *what, struct ra_result *res)
{
    pid_t pids[8];
    int n = ra_procs_using(NULL, m->major, m->minor, pids, 8);

    if (n > 0)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "%.40s is busy %s: %d process(es) use it (pid %d "
                      "first); stop them",
                      c->directory, what, n, (int) pids[0]);
    else
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "something mounted below %.40s? (findmnt -R): busy %s, "
                      "yet no process uses it",
                      c->directory, what);
}

/* umount2 until it works: SIGTERM the users, then SIGKILL after grace. */
static int
unmount_loop(const struct ra_ctx *ctx, const struct storage_conf *c,
             const struct ra_mount *m, struct ra_result *res)
{
    uint64_t grace = c->grace_ms, half;
    ra_deadline_t kill_at = 0;
    int delay = 20;

    half = (uint64_t) ra_deadline_left_ms(ctx->deadline) / 2;
    if (grace > half)
        grace = half;
    for (;;) {
        if (umount2(c->directory, UMOUNT_NOFOLLOW) == 0 || errno == EINVAL)
            return 0;
        if (errno != EBUSY) {
            ra_result_set(res, RA_OCF_ERR_GENERIC, "umount %.64s failed: %s",
                          c->directory, strerror(errno));
            return -1;
        }
        if (c->kill && !kill_at) {
            signal_users(m, SIGTERM);
            kill_at = ra_deadline_in_ms(grace);
        } else if (c->kill && ra_deadline_passed(kill_at))
            signal_users(m, SIGKILL);
        if (ra_deadline_passed(ctx->deadline) || (!c->kill && delay >= 200)) {
            busy_reason(
                c, m, c->kill ? "after SIGKILL" : "(force_unmount=false)", res);
            return -1;
        }
        ra_sleep_ms(delay, ctx->deadline);
        delay = delay * 2 > 200 ? 200 : delay * 2;
    }
}

/*
 * The devices that may be ours: what start recorded, and what the
 * parameters name now. They differ when the state file is stale or
 * damaged; what is mounted on the directory decides, not the state file.
 */
struct our_devs {
    struct storage_dev dev[2];
    int n;
    int unmounted[2]; /* how many mounts of each stop took off */
};

static int
our_dev(const struct our_devs *o, const struct ra_mount *m)
{
    for (int i = 0; i < o->n; i++)
        if (same_dev(m, &o->dev[i]))
            return i;
    return -1;
}

/* Unmounts every mount of ours stacked on the directory (any, when no
 * device is known); returns how many, or -1 with @res set. */
static int
unmount_ours(const struct ra_ctx *ctx, const struct storage_conf *c,
             struct our_devs *o, struct ra_result *res)
{
    struct ra_mount m;
    int r, i, n = 0;

    while ((r = ra_mountinfo_by_target(NULL, c->directory, &m)) == 0) {
        i = our_dev(o, &m);
        if (o->n && i < 0) {
            ra_warn("%s (%s) is mounted on %s, not %s: leaving it", m.source,
                    m.fstype, c->directory, o->dev[0].path);
            return n;
        }
        ra_info("unmounting %s from %s", m.source, c->directory);
        if (unmount_loop(ctx, c, &m, res) < 0)
            return -1;
        if (i >= 0)
            o->unmounted[i]++;
        n++;
    }
    if (r == -ENOENT)
        return n;
    ra_result_set(res, RA_OCF_ERR_GENERIC, "cannot read mountinfo: %s",
                  strerror(-r));
    return -1;
}

/* Proof: no mount of the device here, and no holder anywhere. */
static int
verify_gone(const struct ra_ctx *ctx, const struct storage_dev *dev,
            struct ra_result *res)
{
    /* a killed user's last references go a moment after umount returns */
    ra_deadline_t settle
        = ra_deadline_min(ctx->deadline, ra_deadline_in_ms(2000));
    struct ra_mount m;
    int fd;

    if (ra_mountinfo_by_dev(NULL, dev->major, dev->minor, NULL, &m) == 0) {
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "%.64s is still mounted on %.40s: unmount it", dev->path,
                      m.target);
        return -1;
    }
    while ((fd = open(dev->path, O_RDONLY | O_EXCL | O_CLOEXEC)) < 0
           && errno == EBUSY && !ra_deadline_passed(settle))
        ra_sleep_ms(10, settle);
    if (fd >= 0) {
        close(fd);
        return 0;
    }
    if (errno != EBUSY)
        return 0; /* the device itself is gone: so is its filesystem */
    ra_result_set(res, RA_OCF_ERR_GENERIC,
                  "the device is unmounted here but in use: another "
                  "namespace? grep %u:%u /proc/*/mountinfo",
                  dev->major, dev->minor);
    return -1;
}

/* The devices that may be ours (see struct our_devs). */
static void
find_ours(const struct storage_conf *c, const struct ra_state *st,
          struct our_devs *o)
{
    struct ra_result ignored;

    memset(o, 0, sizeof *o);
    if (st && known_dev(c, st, &o->dev[0]) == 0)
        o->n++;
    if (storage_dev_find(c, &o->dev[o->n], &ignored) == 0
        && !(o->n && o->dev[1].major == o->dev[0].major
             && o->dev[1].minor == o->dev[0].minor))
        o->n++;
}

/* Proof for each device of ours that stop must answer for: start's (with
 * a state file) and any it unmounted. */
static int
verify_ours(const struct ra_ctx *ctx, const struct storage_conf *c,
            const struct our_devs *o, bool have_state, struct ra_result *res)
{
    struct ra_mount m;

    for (int i = 0; i < o->n; i++) {
        if (ra_mountinfo_by_dev(NULL, o->dev[i].major, o->dev[i].minor, NULL,
                                &m)
                == 0
            && !strcmp(m.target, c->directory)) {
            ra_result_set(res, RA_OCF_ERR_GENERIC,
                          "unmount what covers %.40s: %.40s is mounted there "
                          "below it",
                          c->directory, o->dev[i].path);
            return -1;
        }
        if (((i == 0 && have_state) || o->unmounted[i])
            && verify_gone(ctx, &o->dev[i], res) < 0)
            return -1;
    }
    return 0;
}

static void
storage_stop(struct ra_ctx *ctx, struct ra_result *res)
{
    struct storage_conf c;
    struct our_devs o;
    struct storage_lease l = { .fd = -1 };
    struct ra_state st;
    struct ra_result lres;
    bool have_state;

    storage_conf_read(ctx, &c);
    have_state = state_load(ctx, &st) == 0;
    find_ours(&c, have_state ? &st : NULL, &o);
    /* what we mounted (or just unmounted) must be gone everywhere; a
     * device we never mounted here may be another node's business */
    if (unmount_ours(ctx, &c, &o, res) < 0
        || verify_ours(ctx, &c, &o, have_state, res) < 0)
        return; /* the state stays: the lease is still ours */
    if (c.lease && o.n
        && lease_from_state(&c, have_state ? &st : NULL, &o.dev[0], &l, &lres)
               == 0)
        release_quietly(ctx, &l);
    else if (c.lease && o.n)
        ra_warn("the lease stays until it expires: %s", lres.reason);
    storage_lease_close(&l);
    state_remove(ctx);
    if (c.lease)
        lease_attr(ctx, false);
    ra_result_ok(res);
}

/* ---- monitor ---------------------------------------------------------- */

/*
 * Every monitor renews the lease, so it must outlive the gap between two
 * depth-0 monitors: lease_timeout when that is at least twice the interval,
 * else three intervals (ocf-tester monitors every 20 s, against the 30 s
 * default). A timing choice never stops PMM's storage: a longer lease only
 * makes a takeover without fencing wait longer, and the record tells the
 * taker how long. Deeper monitors (less often, beside a depth-0 one) keep
 * a longer duration the depth-0 monitor wrote.
 */
static void
fit_lease(const struct ra_ctx *ctx, struct storage_conf *c)
{
    uint64_t want = ctx->interval_ms * 3;

    if (!c->lease || !ctx->interval_ms)
        return;
    if (ctx->check_level > 0) {
        c->lease_keep = true;
        return;
    }
    if (ctx->interval_ms * 2 > c->lease_ms)
        c->lease_ms = want < STORAGE_LEASE_MAX_MS ? want : STORAGE_LEASE_MAX_MS;
}

/* In the child: creates, writes and fsyncs the status file. */
static int
status_io(void *arg, void *out, size_t len)
{
    const struct dev_io *io = arg;
    size_t n = strlen(io->line);
    int fd, r = 0;

    (void) out;
    (void) len;
    /* a new file: a link or FIFO left there (/srv is the container's to
     * write) is removed, never written through */
    (void) unlink(io->path);
    errno = 0;
    fd = open(io->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
              0600);
    if (fd < 0 || write(fd, io->line, n) != (ssize_t) n || fsync(fd) < 0)
        r = errno ? -errno : -EIO;
    if (fd >= 0 && close(fd) < 0 && !r)
        r = -errno;
    return r;
}

static int
write_status(const struct ra_ctx *ctx, const struct storage_conf *c,
             struct ra_result *res)
{
    char path[RA_MOUNT_PATH_MAX + 64], line[160];
    struct dev_io io = { .path = path, .line = line };
    struct ra_iochild_result ior;
    int r;

    if (c->mopts.flags & MS_RDONLY)
        return 0;
    snprintf(path, sizeof path, "%s/%s", c->directory, STORAGE_STATUS_FILE);
    snprintf(line, sizeof line, "%s %llu\n", ctx->node,
             (unsigned long long) (ra_wallclock_ns() / 1000000000));
    r = ra_iochild_run(status_io, &io, NULL, 0, ctx->deadline, &ior);
    if (!ior.answered)
        io_failed(c->directory, r, &ior, res);
    else if (r < 0)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "%.40s is read-only, full or failing: cannot write and "
                      "fsync a file there (%s)",
                      c->directory, strerror(-r));
    return r;
}

/* In the child: the superblock still holds the filesystem (depth 10). */
static int
super_io(void *arg, void *out, size_t len)
{
    const struct dev_io *io = arg;
    struct io_answer *a = out;

    (void) len;
    return storage_dev_check_super(io->c, io->dev->path, &a->res);
}

/* In the child: opens the lease where start put it and renews it. */
static int
renew_io(void *arg, void *out, size_t len)
{
    const struct dev_io *io = arg;
    struct io_answer *a = out;
    struct storage_lease l = { .fd = -1 };
    int r = lease_from_state(io->c, io->st, io->dev, &l, &a->res);

    (void) len;
    if (r == 0)
        r = storage_lease_renew(io->ctx, io->c, io->dev, &l, &a->cur, &a->res);
    storage_lease_close(&l);
    return r;
}

/* Where the lease is, for messages: as start recorded it, else found. */
static const char *
lease_where(const struct storage_conf *c, const struct ra_state *st,
            const struct storage_dev *dev)
{
    const char *path = st ? ra_state_get(st, "lease_path") : NULL;

    if (path)
        return path;
    return *c->lease_device ? c->lease_device : dev->path;
}

static int
renew(const struct ra_ctx *ctx, const struct storage_conf *c,
      const struct ra_state *st, const struct storage_dev *dev,
      struct ra_result *res)
{
    struct dev_io io = { .ctx = ctx, .c = c, .st = st, .dev = dev };
    const char *where = lease_where(c, st, dev);
    struct io_answer a;
    uint64_t now;
    int r = io_run(renew_io, &io, where, &a, res);

    if (r < 0)
        return r;
    now = ra_wallclock_ns();
    if (!a.cur.version)
        ra_warn("the lease record on %s was damaged (no valid lease): "
                "written again by this node, its holder",
                where);
    else if (ra_lease_state(&a.cur, now, 0) == RA_LEASE_EXPIRED)
        ra_warn("our lease on %s had expired %.1fs before this renewal: the "
                "monitor interval is too long or this node stalled",
                where, (double) (now - ra_lease_expiry_ns(&a.cur, 0)) / 1e9);
    if (c->lease_ms != c->lease_set_ms && a.cur.duration_ms != c->lease_ms)
        ra_warn("a monitor every %.0fs needs a lease of %.0fs, not "
                "lease_timeout's %.0fs: a takeover without fencing waits "
                "that long (set lease_timeout to say so, or monitor more "
                "often)",
                (double) ctx->interval_ms / 1000, (double) c->lease_ms / 1000,
                (double) c->lease_set_ms / 1000);
    return 0;
}

static int
check_super(const struct ra_ctx *ctx, const struct storage_conf *c,
            const struct storage_dev *dev, struct ra_result *res)
{
    struct dev_io io = { .ctx = ctx, .c = c, .dev = dev };
    struct io_answer a;

    return io_run(super_io, &io, dev->path, &a, res);
}

static void
storage_monitor(struct ra_ctx *ctx, struct ra_result *res)
{
    struct storage_conf c;
    struct storage_dev dev;
    struct ra_state st;
    struct ra_mount m;
    bool have_state;
    int r;

    storage_conf_read(ctx, &c);
    fit_lease(ctx, &c);
    r = ra_mountinfo_by_target(NULL, c.directory, &m);
    if (r == -ENOENT) {
        ra_result_set(res, RA_OCF_NOT_RUNNING, "%.64s is not mounted%s",
                      c.directory, ra_ctx_is_recurring(ctx) ? "" : " here");
        if (!ra_ctx_is_recurring(ctx))
            res->reason[0] = '\0';
        return;
    }
    if (r < 0) {
        ra_result_set(res, RA_OCF_ERR_GENERIC, "cannot read mountinfo: %s",
                      strerror(-r));
        return;
    }
    have_state = state_load(ctx, &st) == 0;
    if (known_dev(&c, have_state ? &st : NULL, &dev) < 0) {
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "%.64s is not found here but %.40s is mounted", c.device,
                      c.directory);
        return;
    }
    if (!same_dev(&m, &dev)) {
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "%.64s, not our device, is mounted on %.40s", m.source,
                      c.directory);
        return;
    }
    if ((c.lease && renew(ctx, &c, have_state ? &st : NULL, &dev, res) < 0)
        || (ctx->check_level >= 10 && check_super(ctx, &c, &dev, res) < 0)
        || (ctx->check_level >= 20 && write_status(ctx, &c, res) < 0))
        return;
    ra_result_ok(res);
}

/* ---- validate-all ------------------------------------------------------- */

static void
storage_validate(struct ra_ctx *ctx, struct ra_result *res)
{
    struct storage_conf c;
    struct storage_dev dev;
    struct storage_lease l = { .fd = -1 };

    storage_conf_read(ctx, &c);
    if (ctx->check_level >= 10
        && (storage_dev_find(&c, &dev, res) < 0
            || check_type(ctx, &c, &dev, res) < 0
            || (c.lease && storage_lease_open(&c, &dev, &l, res) < 0)))
        return;
    storage_lease_close(&l);
    ra_result_ok(res);
}

/* ---- the agent ---------------------------------------------------------- */

static const struct ra_action storage_actions[] = {
    { "start", storage_start, RA_NEEDS_PARAMS | RA_NEEDS_ROOT },
    { "stop", storage_stop, RA_NEEDS_ROOT },
    { "monitor", storage_monitor, RA_NEEDS_ROOT },
    { "validate-all", storage_validate, RA_NEEDS_PARAMS },
    { "meta-data", NULL, 0 },
    { NULL, NULL, 0 },
};

static const struct ra_agent storage_agent = {
    .name = STORAGE_AGENT,
    .meta_xml = pmm_storage_meta_xml,
    .params = pmm_storage_params,
    .timeouts = pmm_storage_timeouts,
    .actions = storage_actions,
    .checks = storage_checks,
};

int
main(int argc, char **argv)
{
    return ra_main(argc, argv, &storage_agent);
}
