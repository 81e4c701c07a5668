/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "mountinfo.h"

#define MOUNTINFO "/proc/self/mountinfo"

/* Copies the next blank-separated field of *@s, undoing \ooo escapes. */
static int
take_field(const char **s, char *buf, size_t len)
{
    const char *p = *s;
    size_t n = 0;

    p += strspn(p, " ");
    if (!*p || *p == '\n')
        return -EINVAL;
    for (; *p && *p != ' ' && *p != '\n'; p++) {
        char c = *p;

        if (c == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0'
            && p[2] <= '7' && p[3] >= '0' && p[3] <= '7') {
            c = (char) ((p[1] - '0') << 6 | (p[2] - '0') << 3 | (p[3] - '0'));
            p += 3;
        }
        if (n + 1 >= len)
            return -EINVAL;
        buf[n++] = c;
    }
    buf[n] = '\0';
    *s = p;
    return 0;
}

int
ra_mountinfo_parse(const char *line, struct ra_mount *ret)
{
    char num[32], opt[RA_MOUNT_PATH_MAX];
    const char *s = line;
    int parent;

    if (sscanf(s, "%d %d %u:%u", &ret->id, &parent, &ret->major, &ret->minor)
        != 4)
        return -EINVAL;
    for (int i = 0; i < 3; i++) /* the three numeric fields read above */
        if (take_field(&s, num, sizeof num) < 0)
            return -EINVAL;
    if (take_field(&s, ret->root, sizeof ret->root) < 0
        || take_field(&s, ret->target, sizeof ret->target) < 0
        || take_field(&s, opt, sizeof opt) < 0)
        return -EINVAL;
    /* optional fields, up to the lone "-" */
    do {
        if (take_field(&s, opt, sizeof opt) < 0)
            return -EINVAL;
    } while (strcmp(opt, "-") != 0);
    if (take_field(&s, ret->fstype, sizeof ret->fstype) < 0
        || take_field(&s, ret->source, sizeof ret->source) < 0)
        return -EINVAL;
    return 0;
}

/* Scans @file; @match picks lines; @last keeps the last match. */
static int
scan(const char *file, bool (*match)(const struct ra_mount *, const void *),
     const void *arg, bool last, struct ra_mount *ret)
{
    FILE *f = fopen(file ? file : MOUNTINFO, "re");
    struct ra_mount *m;
    char *line = NULL;
    size_t cap = 0;
    int r = -ENOENT;

    if (!f)
        return -errno;
    m = malloc(sizeof *m);
    if (!m) {
        fclose(f);
        return -ENOMEM;
    }
    while (getline(&line, &cap, f) > 0) {
        if (ra_mountinfo_parse(line, m) < 0 || !match(m, arg))
            continue;
        memcpy(ret, m, sizeof *m);
        r = 0;
        if (!last)
            break;
    }
    free(line);
    free(m);
    fclose(f);
    return r;
}

static bool
match_target(const struct ra_mount *m, const void *arg)
{
    return !strcmp(m->target, (const char *) arg);
}

int
ra_mountinfo_by_target(const char *file, const char *target,
                       struct ra_mount *ret)
{
    return scan(file, match_target, target, true, ret);
}

struct dev_match {
    unsigned major, minor;
    const char *except;
};

static bool
match_dev(const struct ra_mount *m, const void *arg)
{
    const struct dev_match *d = arg;

    return m->major == d->major && m->minor == d->minor
           && !(d->except && !strcmp(m->target, d->except));
}

int
ra_mountinfo_by_dev(const char *file, unsigned major, unsigned minor,
                    const char *except_target, struct ra_mount *ret)
{
    struct dev_match d = { major, minor, except_target };

    return scan(file, match_dev, &d, false, ret);
}

/* ---- options ------------------------------------------------------------ */

struct flag_word {
    const char *word;
    unsigned long set, clear;
};

static const struct flag_word flag_words[] = {
    { "ro", MS_RDONLY, 0 },
    { "rw", 0, MS_RDONLY },
    { "nosuid", MS_NOSUID, 0 },
    { "suid", 0, MS_NOSUID },
    { "nodev", MS_NODEV, 0 },
    { "dev", 0, MS_NODEV },
    { "noexec", MS_NOEXEC, 0 },
    { "exec", 0, MS_NOEXEC },
    { "sync", MS_SYNCHRONOUS, 0 },
    { "async", 0, MS_SYNCHRONOUS },
    { "dirsync", MS_DIRSYNC, 0 },
    { "noatime", MS_NOATIME, MS_RELATIME | MS_STRICTATIME },
    { "atime", 0, MS_NOATIME },
    { "nodiratime", MS_NODIRATIME, 0 },
    { "diratime", 0, MS_NODIRATIME },
    { "relatime", MS_RELATIME, MS_NOATIME | MS_STRICTATIME },
    { "norelatime", 0, MS_RELATIME },
    { "strictatime", MS_STRICTATIME, MS_NOATIME | MS_RELATIME },
    { "lazytime", MS_LAZYTIME, 0 },
    { "nolazytime", 0, MS_LAZYTIME },
    { "silent", MS_SILENT, 0 },
    { "loud", 0, MS_SILENT },
    { NULL, 0, 0 },
};

static const char *const dropped[]
    = { "defaults", "auto", "noauto", "nofail", "_netdev", "nouser", NULL };
static const char *const refused[]
    = { "remount", "bind",  "rbind", "move", "loop",   "user",
        "users",   "owner", "group", "mand", "nomand", NULL };

static bool
in_list(const char *w, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(w, *list))
            return true;
    return false;
}

/* Handles one word; 1 when it belongs in the data string. */
static int
opt_word(const char *w, struct ra_mount_opts *o)
{
    for (const struct flag_word *f = flag_words; f->word; f++)
        if (!strcmp(w, f->word)) {
            o->flags = (o->flags & ~f->clear) | f->set;
            return 0;
        }
    if (in_list(w, dropped) || !strncmp(w, "x-", 2)
        || !strncmp(w, "comment=", 8))
        return 0;
    if (in_list(w, refused) || !strncmp(w, "loop=", 5))
        return -EINVAL;
    return 1;
}

int
ra_mount_opts_parse(const char *s, struct ra_mount_opts *ret, char *bad,
                    size_t badlen)
{
    struct ra_mount_opts o = { 0, "" };
    size_t used = 0;

    while (s && *s) {
        size_t n = strcspn(s, ",");
        char w[256];
        int r;

        if (n >= sizeof w) {
            snprintf(bad, badlen, "%.*s", (int) (n > 64 ? 64 : n), s);
            return -EINVAL;
        }
        memcpy(w, s, n);
        w[n] = '\0';
        s += n + (s[n] == ',');
        if (!*w)
            continue;
        r = opt_word(w, &o);
        if (r < 0) {
            snprintf(bad, badlen, "%s", w);
            return r;
        }
        if (r == 0)
            continue;
        if (used + n + 2 > sizeof o.data)
            return -E2BIG;
        used += (size_t) snprintf(o.data + used, sizeof o.data - used, "%s%s",
                                  used ? "," : "", w);
    }
    *ret = o;
    return 0;
}
