/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"

/* Reads up to three numeric parts; returns how many were found. */
static int
parse(const char *v, long part[3])
{
    int n = 0;

    part[0] = part[1] = part[2] = 0;
    if (v && (*v == 'v' || *v == 'V'))
        v++;
    while (v && n < 3 && isdigit((unsigned char) *v)) {
        char *end;

        part[n++] = strtol(v, &end, 10);
        v = *end == '.' ? end + 1 : NULL;
    }
    return n;
}

int
ra_version_cmp(const char *a, const char *b, int *ok)
{
    long pa[3], pb[3];
    int na = parse(a, pa), nb = parse(b, pb);

    if (ok)
        *ok = na > 0 && nb > 0;
    for (int i = 0; i < 3; i++)
        if (pa[i] != pb[i])
            return pa[i] < pb[i] ? -1 : 1;
    return 0;
}

int
ra_version_major(const char *v)
{
    long p[3];

    return parse(v, p) > 0 ? (int) p[0] : -1;
}

const char *
ra_image_tag(const char *ref, char *buf, size_t len)
{
    const char *slash = strrchr(ref, '/');
    const char *name = slash ? slash + 1 : ref;
    const char *colon = strchr(name, ':');
    size_t n;

    buf[0] = '\0';
    if (!colon)
        return buf;
    n = strcspn(colon + 1, "@");
    if (n >= len)
        n = len - 1;
    memcpy(buf, colon + 1, n);
    buf[n] = '\0';
    return buf;
}
