/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * state.c - the agents' state files (see state.h) and the lock that
 * serialises the actions of one resource instance on a node.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deadline.h"
#include "state.h"

static int
instance_path(const char *dir, const char *agent, const char *instance,
              const char *suffix, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s/%s-%s.%s", dir, agent, instance, suffix);

    if (n < 0 || (size_t) n >= len)
        return -ENAMETOOLONG;
    /* an instance name is ours to trust only so far: no path inside it */
    if (strchr(instance, '/'))
        return -EINVAL;
    return 0;
}

int
ra_state_path(const char *dir, const char *agent, const char *instance,
              char *buf, size_t len)
{
    return instance_path(dir, agent, instance, "state", buf, len);
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

/* The text as KEY=VALUE lines into @st; -EBADMSG for anything else. */
static int
parse(char *buf, size_t n, struct ra_state *st)
{
    if (memchr(buf, '\0', n))
        return -EBADMSG;
    for (char *line = buf, *next; line && *line; line = next) {
        char *eq;

        next = strchr(line, '\n');
        if (!next)
            return -EBADMSG; /* cut short: every line ends with \n */
        *next++ = '\0';
        eq = strchr(line, '=');
        if (!eq || eq == line)
            return -EBADMSG;
        *eq = '\0';
        if (ra_state_set(st, line, eq + 1) < 0)
            return -EBADMSG;
    }
    return 0;
}

int
ra_state_load(const char *path, struct ra_state *st)
{
    char buf[RA_STATE_MAX * 560];
    struct stat sb;
    ssize_t n;
    int fd;

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
    if (n == (ssize_t) sizeof buf - 1)
        return -EBADMSG; /* larger than any state we write */
    buf[n] = '\0';
    if (parse(buf, (size_t) n, st) < 0) {
        memset(st, 0, sizeof *st);
        return -EBADMSG;
    }
    return 0;
}

/*
 * open(@path), making @path's missing directory first (HA_RSCTMP is a tmpfs
 * directory that may not exist yet). With O_TMPFILE in @flags, @path is
 * the file to be, and an unnamed file is made in its directory: a write
 * killed half-way leaves nothing behind (-EOPNOTSUPP and friends where the
 * filesystem has none). Returns the descriptor or -errno.
 */
static int
open_in_dir(const char *path, int flags, mode_t mode)
{
    char dir[4200], *slash;
    bool unnamed = (flags & O_TMPFILE) == O_TMPFILE;
    int fd;

    snprintf(dir, sizeof dir, "%s", path);
    slash = strrchr(dir, '/');
    if (slash)
        slash[slash == dir] = '\0'; /* "/f" keeps "/" */
    else
        snprintf(dir, sizeof dir, ".");
    fd = open(unnamed ? dir : path, flags, mode);
    if (fd < 0 && errno == ENOENT && strcmp(dir, "/") != 0) {
        (void) mkdir(dir, 0755);
        fd = open(unnamed ? dir : path, flags, mode);
    }
    return fd < 0 ? -errno : fd;
}

static int
write_all(int fd, const struct ra_state *st)
{
    char buf[RA_STATE_MAX * 560];
    size_t used = 0;

    for (size_t i = 0; i < st->n; i++)
        used += (size_t) snprintf(buf + used, sizeof buf - used, "%s=%s\n",
                                  st->key[i], st->val[i]);
    for (size_t off = 0; off < used;) {
        ssize_t w = write(fd, buf + off, used - off);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -errno;
        off += (size_t) w;
    }
    return fsync(fd) < 0 ? -errno : 0;
}

/* Gives the unnamed file @fd the name @tmp (replacing a stale one). */
static int
link_unnamed(int fd, const char *tmp)
{
    char proc[64];

    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    (void) unlink(tmp);
    if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) < 0)
        return -errno;
    return 0;
}

int
ra_state_save(const char *path, const struct ra_state *st)
{
    char tmp[4200];
    int fd, r;

    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int) sizeof tmp)
        return -ENAMETOOLONG;
    /* written unnamed, named only once complete: only the instant between
     * the link and the rename can leave a .tmp, and the next write or
     * ra_state_remove() takes it away */
    fd = open_in_dir(path, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (fd >= 0) {
        r = write_all(fd, st);
        if (r == 0)
            r = link_unnamed(fd, tmp);
    } else {
        /* a new file, never one found there: a link or FIFO left in its
         * place (the image record is in /srv, which the container writes)
         * is removed, not written through */
        if (unlink(tmp) < 0 && errno != ENOENT)
            return -errno;
        fd = open_in_dir(
            tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
            return fd;
        r = write_all(fd, st);
    }
    if (close(fd) < 0 && r == 0)
        r = -errno;
    if (r == 0 && rename(tmp, path) != 0)
        r = -errno;
    if (r < 0)
        (void) unlink(tmp);
    return r;
}

int
ra_state_remove(const char *path)
{
    char tmp[4200];

    /* what a write killed half-way left behind goes with the state */
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) < (int) sizeof tmp)
        (void) unlink(tmp);
    if (unlink(path) < 0 && errno != ENOENT)
        return -errno;
    return 0;
}

/* ---- the instance lock ------------------------------------------------- */

/* The process holding the lock on @fd, 0 when none (or unknown). */
static pid_t
lock_holder(int fd)
{
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

    if (fcntl(fd, F_GETLK, &fl) < 0 || fl.l_type == F_UNLCK)
        return 0;
    return fl.l_pid;
}

int
ra_state_lock(const char *dir, const char *agent, const char *instance,
              ra_deadline_t d, int *ret_fd, pid_t *ret_holder)
{
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    char path[4200];
    int fd, delay = 5, r;

    *ret_holder = 0;
    r = instance_path(dir, agent, instance, "lock", path, sizeof path);
    if (r < 0)
        return r;
    fd = open_in_dir(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return fd;
    /* a POSIX record lock: held by this process only, so neither a forked
     * I/O child stuck in the kernel nor a spawned runtime (conmon) keeps it
     * past the action */
    while (fcntl(fd, F_SETLK, &fl) < 0) {
        r = -errno;
        if (r != -EAGAIN && r != -EACCES)
            goto fail;
        *ret_holder = lock_holder(fd);
        if (ra_deadline_passed(d)) {
            r = -ETIMEDOUT;
            goto fail;
        }
        ra_sleep_ms(delay, d);
        delay = delay * 2 > 100 ? 100 : delay * 2;
    }
    *ret_holder = 0;
    *ret_fd = fd;
    return 0;
fail:
    close(fd);
    return r;
}
