/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procuse.h"

struct dev {
    unsigned major, minor;
};

/* True when the object @path (a /proc magic link) lives on @d. */
static bool
link_on(const char *path, const struct dev *d)
{
    struct statx sx;

    if (statx(AT_FDCWD, path, AT_STATX_DONT_SYNC, STATX_TYPE, &sx) < 0)
        return false;
    return sx.stx_dev_major == d->major && sx.stx_dev_minor == d->minor;
}

static bool
fds_on(const char *pdir, const struct dev *d)
{
    char path[1024];
    struct dirent *e;
    bool hit = false;
    DIR *dir;

    snprintf(path, sizeof path, "%s/fd", pdir);
    dir = opendir(path);
    if (!dir)
        return false;
    while (!hit && (e = readdir(dir))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/fd/%s", pdir, e->d_name);
        hit = link_on(path, d);
    }
    closedir(dir);
    return hit;
}

static bool
maps_on(const char *pdir, const struct dev *d)
{
    char path[1024], *line = NULL;
    unsigned maj, min;
    unsigned long ino;
    size_t cap = 0;
    bool hit = false;
    FILE *f;

    snprintf(path, sizeof path, "%s/maps", pdir);
    f = fopen(path, "re");
    if (!f)
        return false;
    while (!hit && getline(&line, &cap, f) > 0)
        hit = sscanf(line, "%*s %*s %*s %x:%x %lu", &maj, &min, &ino) == 3
              && ino != 0 && maj == d->major && min == d->minor;
    free(line);
    fclose(f);
    return hit;
}

static bool
uses(const char *pdir, const struct dev *d)
{
    static const char *const links[] = { "cwd", "root", "exe" };
    char path[1024];

    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", pdir, links[i]);
        if (link_on(path, d))
            return true;
    }
    return fds_on(pdir, d) || maps_on(pdir, d);
}

int
ra_procs_using(const char *proc, unsigned major, unsigned minor, pid_t *pids,
               size_t max)
{
    struct dev d = { major, minor };
    const char *root = proc ? proc : "/proc";
    pid_t self = getpid();
    struct dirent *e;
    size_t n = 0;
    DIR *dir = opendir(root);

    if (!dir)
        return -errno;
    while ((e = readdir(dir))) {
        char pdir[300], *end;
        long pid = strtol(e->d_name, &end, 10);

        if (*end || pid <= 0 || (pid_t) pid == self)
            continue;
        snprintf(pdir, sizeof pdir, "%s/%ld", root, pid);
        if (!uses(pdir, &d))
            continue;
        if (n < max)
            pids[n] = (pid_t) pid;
        n++;
    }
    closedir(dir);
    return n > (size_t) 0x7fffffff ? 0x7fffffff : (int) n;
}
