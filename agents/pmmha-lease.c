/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pmmha-lease - shows or resets the disk lease of ocf:pmmha:pmm-storage by
 * hand. pmm-storage fails closed on a lease area that holds no valid lease
 * when the filesystem may be mounted somewhere; after checking that no
 * node mounts it, the operator resets the lease deliberately with this.
 *
 *   pmmha-lease show  DEVICE [LEASE_DEVICE]
 *   pmmha-lease reset DEVICE [LEASE_DEVICE] [--force]
 *
 * reset writes a released record (anyone may take it). It refuses while
 * the device is mounted on this node, while the filesystem reaches the
 * lease area, and, without --force, while a valid lease is live.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "pmm-storage.h"

struct where {
    const char *dev;  /* the filesystem's device */
    const char *ldev; /* the lease's device: dev, or a lease_device */
    const char *fstype;
    struct storage_lease l; /* where pmm-storage keeps it, open */
};

static int
usage(void)
{
    fprintf(stderr, "usage: pmmha-lease show DEVICE [LEASE_DEVICE]\n"
                    "       pmmha-lease reset DEVICE [LEASE_DEVICE] "
                    "[--force]\n");
    return 2;
}

/* The filesystem type on @dev, from its superblock. */
static const char *
fs_type(const char *dev)
{
    static const char *const types[] = { "ext4", "xfs" };
    struct ra_fs_info info;

    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (ra_fs_read(dev, types[i], &info) == 0)
            return types[i];
    return NULL;
}

/* Opens the lease where pmm-storage keeps it (storage_lease_open: at 0 of
 * a lease_device, else the last MiB, which the filesystem must not reach). */
static int
locate(struct where *w)
{
    struct storage_conf c
        = { .lease_device = w->ldev != w->dev ? w->ldev : "" };
    struct storage_dev d = { 0 };
    struct ra_result res;

    w->fstype = fs_type(w->dev);
    c.fstype = w->fstype ? w->fstype : "ext4";
    snprintf(d.path, sizeof d.path, "%s", w->dev);
    if (storage_lease_open(&c, &d, &w->l, &res) == 0)
        return 0;
    fprintf(stderr, "pmmha-lease: %s\n", res.reason);
    return -1;
}

static const char *
utc(uint64_t ns, char *buf, size_t len)
{
    time_t t = (time_t) (ns / UINT64_C(1000000000));
    struct tm tm;

    if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%F %TZ", &tm))
        snprintf(buf, len, "?");
    return buf;
}

/* Prints the record; returns its state, or -errno when it is not one. */
static int
show(const struct where *w)
{
    static const char *const names[] = { "free", "expired", "LIVE" };
    struct ra_lease l;
    char when[48], why[96];
    int r = ra_lease_read(w->l.fd, w->l.off, &l);
    uint64_t now = ra_wallclock_ns();
    enum ra_lease_state st;

    printf("lease:      %s at byte %llu\n", w->ldev,
           (unsigned long long) w->l.off);
    if (w->fstype) {
        (void) ra_fs_use(w->dev, w->fstype, ra_deadline_in_ms(10000), why,
                         sizeof why);
        printf("filesystem: %s: %s\n", w->dev, why);
    } else
        printf("filesystem: %s: no ext4 or xfs superblock\n", w->dev);
    if (r < 0) {
        printf("record:     none valid (%s)\n", r == -ENODATA   ? "all zeroes"
                                                : r == -EBADMSG ? "other bytes"
                                                : r == -EPROTONOSUPPORT
                                                    ? "a newer pmmha's"
                                                    : strerror(-r));
        return r;
    }
    st = ra_lease_state(&l, now, STORAGE_SKEW_MS);
    printf("holder:     %s\nrenewed:    %s (%.1fs ago)\n"
           "duration:   %u ms\nstate:      %s%s\nfilesystem id: %s\n",
           l.holder, utc(l.renewed_ns, when, sizeof when),
           (double) (int64_t) (now - l.renewed_ns) / 1e9, l.duration_ms,
           names[st], l.flags & RA_LEASE_RELEASED ? " (released)" : "",
           *l.fsid ? l.fsid : "-");
    return (int) st;
}

static bool
mounted_here(const char *dev)
{
    struct stat st;
    struct ra_mount m;

    return stat(dev, &st) == 0 && S_ISBLK(st.st_mode)
           && ra_mountinfo_by_dev(NULL, major(st.st_rdev), minor(st.st_rdev),
                                  NULL, &m)
                  == 0;
}

static int
reset(const struct where *w, bool force)
{
    struct ra_lease l = { .version = RA_LEASE_VERSION,
                          .flags = RA_LEASE_RELEASED,
                          .counter = 1 };
    struct ra_lease cur;
    struct utsname u;
    int st = show(w);

    if (st == RA_LEASE_LIVE && !force) {
        fprintf(stderr, "pmmha-lease: a node holds this lease live: stop "
                        "the resource there, or use --force if it is dead\n");
        return 1;
    }
    if (ra_lease_read(w->l.fd, w->l.off, &cur) == 0)
        l.counter = cur.counter + 1;
    l.renewed_ns = ra_wallclock_ns();
    uname(&u);
    snprintf(l.holder, sizeof l.holder, "reset on %.50s", u.nodename);
    if (ra_lease_write(w->l.fd, w->l.off, &l) < 0
        || ra_lease_read(w->l.fd, w->l.off, &cur) < 0
        || cur.counter != l.counter) {
        fprintf(stderr, "pmmha-lease: cannot write the lease on %s: %s\n",
                w->ldev, strerror(errno));
        return 1;
    }
    printf("reset:      written as released; any node may take it\n");
    return 0;
}

int
main(int argc, char **argv)
{
    struct where w = { .l.fd = -1 };
    bool force = argc > 1 && !strcmp(argv[argc - 1], "--force");
    int n = argc - force, rc;

    if (n < 3 || n > 4)
        return usage();
    w.dev = argv[2];
    w.ldev = n == 4 ? argv[3] : argv[2];
    if (!strcmp(argv[1], "show")) {
        if (locate(&w) < 0)
            return 1;
        rc = show(&w) < 0 ? 3 : 0;
    } else if (!strcmp(argv[1], "reset")) {
        if (mounted_here(w.dev)) {
            fprintf(stderr,
                    "pmmha-lease: %s is mounted on this node: its "
                    "monitor rewrites the lease; nothing to reset\n",
                    w.dev);
            return 1;
        }
        if (locate(&w) < 0)
            return 1;
        rc = reset(&w, force);
    } else
        return usage();
    storage_lease_close(&w.l);
    return rc;
}
