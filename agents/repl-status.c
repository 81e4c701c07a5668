/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repl-status.c - what pmmha-replicator keeps on disk: the watermarks
 * ("marks", persisted before a step counts as done) and the status file
 * the agent's monitor reads without talking to any store; the clocks; the
 * credentials files.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "repl.h"
#include "state.h"

int64_t
repl_wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
repl_clock_note(struct repl *r, int64_t source_ms, int64_t sent_ms,
                int64_t recv_ms)
{
    int64_t skew = source_ms - (sent_ms + (recv_ms - sent_ms) / 2);
    int64_t mag = skew < 0 ? -skew : skew;
    int64_t was = r->skew_ms < 0 ? -r->skew_ms : r->skew_ms;

    /* an HTTP Date header has whole seconds: allow for them */
    if (mag > r->conf.max_skew_ms
        && (!r->skew_known || was <= r->conf.max_skew_ms))
        ra_warn("the source's clock is %+" PRId64 " ms from ours (more than "
                "%" PRId64 " ms): check NTP on both nodes",
                skew, r->conf.max_skew_ms);
    r->skew_ms = skew;
    r->skew_known = true;
}

static int
state_file(const struct repl *r, const char *name, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s/%s", r->conf.state_dir, name);

    return n < 0 || (size_t) n >= len ? -ENAMETOOLONG : 0;
}

int
repl_mark_get(const struct repl *r, const char *key, int64_t *ret)
{
    char path[4096], *end;
    struct ra_state st = { 0 };
    const char *v;
    long long n;
    int rc = state_file(r, "marks", path, sizeof path);

    if (rc == 0)
        rc = ra_state_load(path, &st);
    if (rc < 0)
        return rc == -EBADMSG ? -ENOENT : rc;
    v = ra_state_get(&st, key);
    if (!v)
        return -ENOENT;
    errno = 0;
    n = strtoll(v, &end, 10);
    if (errno || end == v || *end)
        return -ENOENT;
    *ret = n;
    return 0;
}

int
repl_mark_set(struct repl *r, const char *key, int64_t val)
{
    char path[4096], v[32];
    struct ra_state st = { 0 };
    int rc = state_file(r, "marks", path, sizeof path);

    if (rc < 0)
        return rc;
    rc = ra_state_load(path, &st);
    if (rc < 0 && rc != -ENOENT && rc != -EBADMSG)
        return rc;
    if (rc == -EBADMSG)
        ra_warn("%s was damaged: starting its watermarks over", path);
    if (rc < 0)
        memset(&st, 0, sizeof st);
    snprintf(v, sizeof v, "%" PRId64, val);
    rc = ra_state_set(&st, key, v);
    return rc < 0 ? rc : ra_state_save(path, &st);
}

static int
set_num(struct ra_state *st, const char *stream, const char *key, int64_t v)
{
    char k[32], val[32];

    snprintf(k, sizeof k, "%s.%s", stream, key);
    snprintf(val, sizeof val, "%" PRId64, v);
    return ra_state_set(st, k, val);
}

static int
set_str(struct ra_state *st, const char *stream, const char *key, const char *v)
{
    char k[32], val[512];
    size_t i;

    snprintf(k, sizeof k, "%s.%s", stream, key);
    snprintf(val, sizeof val, "%s", v);
    for (i = 0; val[i]; i++) /* one line per key */
        if (val[i] == '\n' || val[i] == '\r')
            val[i] = ' ';
    return ra_state_set(st, k, val);
}

static int
status_stream(struct ra_state *s, const struct repl_stream *st, int64_t now,
              int64_t skew)
{
    int64_t lag = st->position_ms ? now + skew - st->position_ms : -1;
    int rc = 0;

    /* the skew comes from whole-second clocks too (an HTTP Date header,
     * ClickHouse's now()): a position a fraction of a second "ahead" is
     * noise, not a standby ahead of its source */
    if (st->position_ms && lag < 0)
        lag = 0;

    if (!st->enabled)
        return set_num(s, st->name, "enabled", 0);
    rc |= set_num(s, st->name, "enabled", 1);
    rc |= set_num(s, st->name, "initial_sync", st->initial_done);
    rc |= set_num(s, st->name, "position", st->position_ms);
    rc |= set_num(s, st->name, "lag_ms", lag);
    rc |= set_num(s, st->name, "last_success", st->last_success_ms);
    rc |= set_num(s, st->name, "cycle_ms", st->cycle_ms);
    rc |= set_num(s, st->name, "copied", (int64_t) st->copied);
    rc |= set_num(s, st->name, "bytes", (int64_t) st->bytes);
    rc |= set_num(s, st->name, "refused", st->refused);
    rc |= set_str(s, st->name, "last_error", st->error);
    return rc;
}

int
repl_status_write(const struct repl *r)
{
    char path[4096];
    struct ra_state s = { 0 };
    int64_t now = repl_wall_ms();
    int rc = state_file(r, "status", path, sizeof path);
    size_t i;

    if (rc < 0)
        return rc;
    rc |= set_num(&s, "status", "version", 1);
    rc |= set_num(&s, "status", "updated", now);
    rc |= set_num(&s, "status", "pid", getpid());
    rc |= set_num(&s, "status", "skew_ms", r->skew_known ? r->skew_ms : 0);
    for (i = 0; i < REPL_NSTREAMS; i++)
        rc |= status_stream(&s, &r->st[i], now, r->skew_ms);
    if (rc < 0)
        return -E2BIG;
    return ra_state_save(path, &s);
}

int
repl_fail(struct repl_stream *st, int err, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(st->error, sizeof st->error, fmt, ap);
    va_end(ap);
    return err < 0 ? err : -EIO;
}

static int
check_secret_file(int fd, const char *path, char *why, size_t whylen)
{
    struct stat sb;

    if (fstat(fd, &sb) < 0)
        return -errno;
    if (!S_ISREG(sb.st_mode)) {
        snprintf(why, whylen, "%s is not a regular file", path);
        return -EPERM;
    }
    if (sb.st_uid != 0 && sb.st_uid != geteuid()) {
        snprintf(why, whylen, "%s is owned by uid %u: chown it to root", path,
                 (unsigned) sb.st_uid);
        return -EPERM;
    }
    if (sb.st_mode & 077) {
        snprintf(why, whylen, "%s is open to others (mode %03o): chmod 600",
                 path, (unsigned) (sb.st_mode & 0777));
        return -EPERM;
    }
    if (sb.st_size > 4096) {
        snprintf(why, whylen, "%s is too big for a user:password line", path);
        return -EPERM;
    }
    return 0;
}

int
repl_secret_read(const char *path, char **ret_user, char **ret_password,
                 char *why, size_t whylen)
{
    char buf[4097], *colon, *nl;
    ssize_t n;
    int rc, fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);

    if (fd < 0) {
        rc = -errno;
        snprintf(why, whylen, "cannot read %s: %s", path,
                 rc == -ELOOP ? "it is a symlink" : strerror(-rc));
        return rc;
    }
    rc = check_secret_file(fd, path, why, whylen);
    n = rc < 0 ? 0 : read(fd, buf, sizeof buf - 1);
    close(fd);
    if (rc < 0)
        return rc;
    if (n < 0) {
        snprintf(why, whylen, "cannot read %s: %s", path, strerror(errno));
        return -EIO;
    }
    buf[n] = '\0';
    nl = strpbrk(buf, "\r\n");
    if (nl)
        *nl = '\0';
    colon = strchr(buf, ':');
    if (!colon || colon == buf) {
        snprintf(why, whylen, "%s must hold one line user:password", path);
        explicit_bzero(buf, sizeof buf);
        return -EINVAL;
    }
    *colon = '\0';
    *ret_user = strdup(buf);
    *ret_password = strdup(colon + 1);
    explicit_bzero(buf, sizeof buf);
    if (!*ret_user || !*ret_password) {
        free(*ret_user);
        free(*ret_password);
        return -ENOMEM;
    }
    return 0;
}
