/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dm.c - device-mapper devices from sysfs (see dm.h).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dm.h"

/* Reads the one-line sysfs file @path into @buf, without its newline. */
static int
read_line(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return -errno;
    n = read(fd, buf, len - 1);
    close(fd);
    if (n < 0)
        return -EIO;
    buf[n] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    return 0;
}

static int
cmp_dev(const void *a, const void *b)
{
    const struct dm_dev *x = a, *y = b;

    return strverscmp(x->kname, y->kname);
}

static int
read_dev(const char *sysfs, const char *kname, struct dm_dev *d)
{
    char path[512];
    int r;

    size_t n = strlen(kname);

    if (n >= sizeof d->kname)
        return -ENAMETOOLONG;
    memcpy(d->kname, kname, n + 1);
    snprintf(path, sizeof path, "%s/block/%s/dm/name", sysfs, kname);
    r = read_line(path, d->name, sizeof d->name);
    if (r < 0)
        return r;
    snprintf(path, sizeof path, "%s/block/%s/dm/uuid", sysfs, kname);
    if (read_line(path, d->uuid, sizeof d->uuid) < 0)
        d->uuid[0] = '\0';
    return 0;
}

int
dm_list(const char *sysfs, struct dm_dev *devs, size_t max, size_t *n)
{
    char path[512];
    struct dirent *de;
    DIR *dir;
    int r = 0;

    *n = 0;
    snprintf(path, sizeof path, "%s/block", sysfs);
    dir = opendir(path);
    if (!dir)
        return -errno;
    while ((de = readdir(dir))) {
        if (strncmp(de->d_name, "dm-", 3) != 0)
            continue;
        if (*n >= max) {
            r = -E2BIG;
            break;
        }
        /* a device removed while we list it is simply not there */
        if (read_dev(sysfs, de->d_name, &devs[*n]) == 0)
            (*n)++;
    }
    closedir(dir);
    qsort(devs, *n, sizeof *devs, cmp_dev);
    return r;
}

static int
add_once(const char *kname, char (*out)[DM_KNAME_MAX], size_t max, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(out[i], kname))
            return 0;
    size_t len = strlen(kname);

    if (*n >= max || len >= DM_KNAME_MAX)
        return -E2BIG;
    memcpy(out[(*n)++], kname, len + 1);
    return 0;
}

static int
lower(const char *sysfs, const char *kname, char (*out)[DM_KNAME_MAX],
      size_t max, size_t *n, int depth)
{
    char path[512];
    struct dirent *de;
    DIR *dir;
    int r = 0;

    if (depth > 16)
        return -ELOOP;
    snprintf(path, sizeof path, "%s/block/%s/slaves", sysfs, kname);
    dir = opendir(path);
    if (!dir)
        return -errno;
    while (r == 0 && (de = readdir(dir))) {
        if (de->d_name[0] == '.')
            continue;
        if (!strncmp(de->d_name, "dm-", 3))
            r = lower(sysfs, de->d_name, out, max, n, depth + 1);
        else
            r = add_once(de->d_name, out, max, n);
    }
    closedir(dir);
    return r;
}

int
dm_lower(const char *sysfs, const char *kname, char (*out)[DM_KNAME_MAX],
         size_t max, size_t *n)
{
    *n = 0;
    return lower(sysfs, kname, out, max, n, 0);
}

int
dm_lvm_uuid(const char *uuid, char *vgid, char *lvid, bool *layer)
{
    size_t n = strlen(uuid);

    if (strncmp(uuid, "LVM-", 4) != 0 || n < 4 + 64
        || (n > 4 + 64 && uuid[4 + 64] != '-'))
        return -EINVAL;
    memcpy(vgid, uuid + 4, 32);
    vgid[32] = '\0';
    memcpy(lvid, uuid + 4 + 32, 32);
    lvid[32] = '\0';
    *layer = n > 4 + 64;
    return 0;
}
