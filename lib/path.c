/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * path.c - see path.h.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"

int
ra_path_normalize(const char *in, char *out, size_t len)
{
    size_t o = 0;

    if (!in || in[0] != '/' || len < 2)
        return -EINVAL;
    for (const char *s = in; *s;) {
        size_t n;

        s += strspn(s, "/");
        n = strcspn(s, "/");
        if (n == 0 || (n == 1 && s[0] == '.')) {
            s += n;
            continue;
        }
        if (n == 2 && s[0] == '.' && s[1] == '.')
            return -EINVAL;
        if (o + 1 + n + 1 > len)
            return -ENAMETOOLONG;
        out[o++] = '/';
        memcpy(out + o, s, n);
        o += n;
        s += n;
    }
    if (o == 0)
        out[o++] = '/';
    out[o] = '\0';
    return 0;
}

int
ra_path_check(const char *v, bool canonical, const char *forbid, char *why,
              size_t len)
{
    char norm[4096];

    if ((forbid && strpbrk(v, forbid))
        || ra_path_normalize(v, norm, sizeof norm) < 0) {
        snprintf(why, len, "must be an absolute path without '..'%s",
                 forbid && strchr(forbid, ',') ? " or ','" : "");
        return -EINVAL;
    }
    if (canonical && strcmp(v, norm) != 0) {
        snprintf(why, len,
                 "give it as a canonical path (%.64s: no '.', '//' or "
                 "trailing '/')",
                 norm);
        return -EINVAL;
    }
    return 0;
}

/* realpath() of @in's first @n bytes into @out (PATH_MAX). */
static int
real_prefix(const char *in, size_t n, char *out)
{
    char buf[PATH_MAX];

    if (n >= sizeof buf)
        return -ENAMETOOLONG;
    memcpy(buf, in, n);
    buf[n] = '\0';
    if (!realpath(n ? buf : "/", out))
        return -errno;
    return 0;
}

int
ra_path_resolve(const char *in, char *out, size_t len)
{
    char real[PATH_MAX], rest[PATH_MAX];
    size_t n;
    int r;

    if (!in || in[0] != '/')
        return -EINVAL;
    n = strlen(in);
    /* the longest prefix that exists, cut at a slash */
    for (;;) {
        r = real_prefix(in, n, real);
        if (r != -ENOENT)
            break;
        while (n > 0 && in[n - 1] == '/')
            n--;
        while (n > 0 && in[n - 1] != '/')
            n--;
    }
    if (r < 0)
        return r;
    if (!in[n]) {
        rest[0] = '\0';
    } else {
        char tail[PATH_MAX];

        if (snprintf(tail, sizeof tail, "/%s", in + n) >= (int) sizeof tail)
            return -ENAMETOOLONG;
        r = ra_path_normalize(tail, rest, sizeof rest);
        if (r == -EINVAL)
            return -ENOENT; /* ".." below a directory that is not there */
        if (r < 0)
            return r;
        if (!strcmp(rest, "/"))
            rest[0] = '\0';
    }
    if (snprintf(out, len, "%s%s",
                 strcmp(real, "/") != 0 || !rest[0] ? real : "", rest)
        >= (int) len)
        return -ENAMETOOLONG;
    return 0;
}

bool
ra_path_is_system(const char *p)
{
    /* not /srv, /mnt, /opt or /media: shared storage is mounted there */
    static const char *const dirs[] = {
        "/",          "/bin",      "/boot",    "/dev",     "/etc",
        "/home",      "/lib",      "/lib32",   "/lib64",   "/libx32",
        "/proc",      "/root",     "/run",     "/sbin",    "/sys",
        "/tmp",       "/usr",      "/var",     "/usr/bin", "/usr/lib",
        "/usr/local", "/usr/sbin", "/var/lib", "/var/log", "/var/run",
        "/var/tmp",   NULL,
    };
    static const char *const trees[] = {
        "/proc",
        "/sys",
        "/dev",
        "/boot",
        "/run",
        "/var/run",
        "/etc",
        "/root",
        "/var/lib/containers",
        "/var/lib/docker",
        NULL,
    };

    for (size_t i = 0; dirs[i]; i++)
        if (!strcmp(p, dirs[i]))
            return true;
    for (size_t i = 0; trees[i]; i++) {
        size_t n = strlen(trees[i]);

        if (!strncmp(p, trees[i], n) && (p[n] == '/' || !p[n]))
            return true;
    }
    return false;
}
