/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"

int
ra_state_path(const char *dir, const char *agent, const char *instance,
              char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s/%s-%s.state", dir, agent, instance);

    if (n < 0 || (size_t) n >= len)
        return -ENAMETOOLONG;
    /* an instance name is ours to trust only so far: no path inside it */
    if (strchr(instance, '/'))
        return -EINVAL;
    return 0;
}

int
ra_state_set(struct ra_state *st, const char *key, const char *val)
{
    size_t i;

    if (strlen(key) >= sizeof st->key[0] || strlen(val) >= sizeof st->val[0]
        || strpbrk(val, "\n") || strpbrk(key, "=\n"))
        return -ENAMETOOLONG;
    for (i = 0; i < st->n; i++)
        if (!strcmp(st->key[i], key))
            break;
    if (i == st->n) {
        if (st->n >= RA_STATE_MAX)
            return -E2BIG;
        st->n++;
    }
    snprintf(st->key[i], sizeof st->key[i], "%s", key);
    snprintf(st->val[i], sizeof st->val[i], "%s", val);
    return 0;
}

const char *
ra_state_get(const struct ra_state *st, const char *key)
{
    for (size_t i = 0; i < st->n; i++)
        if (!strcmp(st->key[i], key))
            return st->val[i];
    return NULL;
}

int
ra_state_load(const char *path, struct ra_state *st)
{
    char buf[RA_STATE_MAX * 560];
    struct stat sb;
    ssize_t n;
    int fd, r = 0;

    memset(st, 0, sizeof *st);
    /* a regular file only: a FIFO put there (the image record is in PMM's
     * /srv, which the container writes) must not block the agent */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return -errno;
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return -EINVAL;
    }
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n < 0)
        return -EIO;
    buf[n] = '\0';
    for (char *line = buf, *next; line && *line && r == 0; line = next) {
        char *eq;

        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        eq = strchr(line, '=');
        if (!eq)
            continue;
        *eq = '\0';
        r = ra_state_set(st, line, eq + 1);
    }
    return r;
}

int
ra_state_save(const char *path, const struct ra_state *st)
{
    char tmp[4200];
    int fd, r = 0;
    FILE *f;

    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int) sizeof tmp)
        return -ENAMETOOLONG;
    /* a new file, never one found there: a link or FIFO left in its place
     * (the image record is in /srv, which the container writes) is
     * removed, not written through */
    if (unlink(tmp) < 0 && errno != ENOENT)
        return -errno;
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno == ENOENT) {
        /* HA_RSCTMP is a tmpfs directory that may not exist yet */
        char dir[4200], *slash;

        snprintf(dir, sizeof dir, "%s", path);
        slash = strrchr(dir, '/');
        if (slash && slash != dir) {
            *slash = '\0';
            (void) mkdir(dir, 0755);
        }
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                  0600);
    }
    if (fd < 0)
        return -errno;
    f = fdopen(fd, "w");
    if (!f) {
        r = -errno;
        close(fd);
        goto fail;
    }
    for (size_t i = 0; i < st->n; i++)
        fprintf(f, "%s=%s\n", st->key[i], st->val[i]);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0)
        r = -errno;
    if (fclose(f) != 0 && r == 0)
        r = -errno;
    if (r == 0 && rename(tmp, path) != 0)
        r = -errno;
    if (r == 0)
        return 0;
fail:
    (void) unlink(tmp);
    return r;
}

int
ra_state_remove(const char *path)
{
    if (unlink(path) < 0 && errno != ENOENT)
        return -errno;
    return 0;
}
