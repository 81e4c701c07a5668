/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pmm-storage-dev.c - the device on this node: found by path or by
 * UUID=/LABEL= through libblkid, its filesystem identified by libblkid and
 * its superblock, and checked with e2fsck -p when the superblock asks for
 * it.
 */
#include "config.h"

#include <blkid/blkid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fsinfo.h"
#include "log.h"
#include "pmm-storage.h"
#include "ra-spawn.h"

static int
resolve(const char *spec, char *buf, size_t len)
{
    blkid_cache cache = NULL;
    char *p;

    if (spec[0] == '/') {
        snprintf(buf, len, "%s", spec);
        return 0;
    }
    p = blkid_evaluate_spec(spec, &cache);
    blkid_put_cache(cache);
    if (!p)
        return -ENOENT;
    snprintf(buf, len, "%s", p);
    free(p);
    return 0;
}

int
storage_dev_find(const struct storage_conf *c, struct storage_dev *dev,
                 struct ra_result *res)
{
    struct stat st;

    memset(dev, 0, sizeof *dev);
    if (resolve(c->device, dev->path, sizeof dev->path) < 0) {
        ra_result_set(res, RA_OCF_ERR_INSTALLED,
                      "no device on this node has %.48s: check the shared "
                      "storage is visible here (blkid)",
                      c->device);
        return -ENOENT;
    }
    if (stat(dev->path, &st) < 0 || !S_ISBLK(st.st_mode)) {
        ra_result_set(res, RA_OCF_ERR_INSTALLED,
                      "check the shared storage is visible here: %.64s is %s",
                      dev->path,
                      errno == ENOENT ? "missing" : "not a block device");
        return -ENODEV;
    }
    dev->major = major(st.st_rdev);
    dev->minor = minor(st.st_rdev);
    return 0;
}

/* libblkid's TYPE and UUID of @path; type "" for a blank device. */
static int
probe(const char *path, char *type, size_t tlen, char *uuid, size_t ulen)
{
    blkid_probe pr = blkid_new_probe_from_filename(path);
    const char *v;
    int r;

    type[0] = uuid[0] = '\0';
    if (!pr)
        return errno ? -errno : -EIO;
    blkid_probe_enable_superblocks(pr, 1);
    blkid_probe_set_superblocks_flags(pr,
                                      BLKID_SUBLKS_TYPE | BLKID_SUBLKS_UUID);
    r = blkid_do_safeprobe(pr);
    if (r == 0 && blkid_probe_lookup_value(pr, "TYPE", &v, NULL) == 0)
        snprintf(type, tlen, "%s", v);
    if (r == 0 && blkid_probe_lookup_value(pr, "UUID", &v, NULL) == 0)
        snprintf(uuid, ulen, "%s", v);
    blkid_free_probe(pr);
    if (r == -2)
        return -ENOTUNIQ;
    return r < 0 ? -EIO : 0;
}

int
storage_dev_check_type(const struct storage_conf *c, struct storage_dev *dev,
                       struct ra_result *res)
{
    char type[64];
    int r = probe(dev->path, type, sizeof type, dev->uuid, sizeof dev->uuid);

    if (r == -ENOTUNIQ)
        ra_result_set(res, RA_OCF_ERR_INSTALLED,
                      "wipefs %.64s shows several filesystem signatures: "
                      "remove stale ones",
                      dev->path);
    else if (r < 0)
        ra_result_set(res, RA_OCF_ERR_GENERIC, "cannot read %.64s: %s",
                      dev->path, strerror(-r));
    else if (!*type)
        ra_result_set(res, RA_OCF_ERR_INSTALLED,
                      "%.64s is blank, not %s: wrong device? (mkfs.%s it "
                      "only if new)",
                      dev->path, c->fstype, c->fstype);
    else if (strcmp(type, c->fstype) != 0)
        ra_result_set(res, RA_OCF_ERR_INSTALLED,
                      "%.64s holds %.16s, not %s: wrong device, or fix fstype",
                      dev->path, type, c->fstype);
    else if (!strncmp(c->device, "UUID=", 5)
             && strcmp(dev->uuid, c->device + 5) != 0)
        ra_result_set(res, RA_OCF_ERR_INSTALLED,
                      "%.40s has UUID %.36s, not %.36s", dev->path, dev->uuid,
                      c->device + 5);
    else
        return 0;
    return -1;
}

int
storage_dev_check_super(const struct storage_conf *c, const char *path,
                        struct ra_result *res)
{
    struct ra_fs_info info;
    int r = ra_fs_read(path, c->fstype, &info);

    if (r == -EMEDIUMTYPE)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "the device was overwritten or replaced: no %s "
                      "superblock on %.64s",
                      c->fstype, path);
    else if (r < 0)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "cannot read the superblock of %.64s: %s", path,
                      strerror(-r));
    return r;
}

/** The filesystem's size in bytes, from its superblock. */
int
storage_dev_fs_size(const struct storage_conf *c, const char *path,
                    uint64_t *ret)
{
    struct ra_fs_info info;
    int r = ra_fs_read(path, c->fstype, &info);

    if (r == 0)
        *ret = info.size;
    return r;
}

static void
fsck_result(const char *path, const struct ra_spawn_result *sr,
            struct ra_result *res)
{
    if (sr->timed_out)
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "e2fsck -p %.64s overran the start timeout: raise it, or "
                      "run it by hand",
                      path);
    else if (sr->status <= 2) {
        ra_info("e2fsck -p %s: exit %d", path, sr->status);
        ra_result_ok(res);
    } else
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "run e2fsck -f %.64s by hand: e2fsck -p could not "
                      "repair it (exit %d)",
                      path, sr->status);
}

int
storage_dev_fsck(const struct ra_ctx *ctx, const struct storage_conf *c,
                 const struct storage_dev *dev, struct ra_result *res)
{
    struct ra_spawn_result sr;
    struct ra_fs_info info;
    char prog[256];
    int r;

    if (!c->fsck || !strcmp(c->fstype, "xfs"))
        return 0;
    r = ra_fs_read(dev->path, c->fstype, &info);
    if (r < 0) {
        ra_result_set(res, RA_OCF_ERR_GENERIC,
                      "cannot read the superblock of %.64s: %s", dev->path,
                      strerror(-r));
        return r;
    }
    if (!info.errors && (info.has_journal || info.clean))
        return 0;
    if (ra_find_program("e2fsck", prog, sizeof prog) < 0) {
        ra_result_set(res, RA_OCF_ERR_INSTALLED,
                      "install e2fsprogs: %.64s needs a check by e2fsck",
                      dev->path);
        return -ENOENT;
    }
    ra_info("%s: the superblock says %s: running e2fsck -p", dev->path,
            info.errors ? "it has errors" : "it was not cleanly unmounted");
    {
        char *argv[] = { prog, (char *) "-p", (char *) dev->path, NULL };

        r = ra_spawn(argv, NULL, ctx->deadline, 1000, &sr);
    }
    if (r < 0) {
        ra_result_set(res, RA_OCF_ERR_GENERIC, "cannot run %s: %s", prog,
                      strerror(-r));
        return r;
    }
    fsck_result(dev->path, &sr, res);
    ra_spawn_result_free(&sr);
    return res->rc == RA_OCF_SUCCESS ? 0 : -1;
}
