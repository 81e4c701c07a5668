/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pmm-storage-conf.c - the pmm-storage agent's parameters: their checks
 * beyond the metadata, and the agent's view of them.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "path.h"
#include "pmm-storage.h"

/* Compared with the mount table as spelled: canonical ("/mnt/.." named
 * the root directory, and passed the old spelling check) */
static int
check_abs_path(const char *v, char *why, size_t len)
{
    return ra_path_check(v, true, "\n", why, len);
}

static int
check_device(const char *v, char *why, size_t len)
{
    if ((!strncmp(v, "UUID=", 5) && v[5]) || (!strncmp(v, "LABEL=", 6) && v[6]))
        return 0;
    if (check_abs_path(v, why, len) < 0) {
        snprintf(why, len, "give a device path, UUID=... or LABEL=...");
        return -EINVAL;
    }
    return 0;
}

static int
check_directory(const char *v, char *why, size_t len)
{
    size_t n = strlen(v);

    if (!strcmp(v, "/") || (n > 1 && v[n - 1] == '/') || strstr(v, "//")) {
        snprintf(why, len,
                 "give the mount point as a canonical path, not "
                 "the root directory");
        return -EINVAL;
    }
    return check_abs_path(v, why, len);
}

static int
check_options(const char *v, char *why, size_t len)
{
    struct ra_mount_opts o;
    char bad[80] = "";
    int r = ra_mount_opts_parse(v, &o, bad, sizeof bad);

    if (r == -E2BIG)
        snprintf(why, len, "too long");
    else if (r < 0)
        snprintf(why, len,
                 "drop '%.24s': remount, bind, move, loop and user change "
                 "what mount does",
                 bad);
    return r;
}

static int
check_lease_timeout(const char *v, char *why, size_t len)
{
    return ra_check_time_range(v, 2000, STORAGE_LEASE_MAX_MS, why, len);
}

static int
check_grace(const char *v, char *why, size_t len)
{
    return ra_check_time_range(v, 0, 600000, why, len);
}

const struct ra_param_check storage_checks[] = {
    { "device", check_device, 0 },
    { "directory", check_directory, 0 },
    { "options", check_options, 0 },
    { "lease_device", check_abs_path, 0 },
    { "lease_timeout", check_lease_timeout, 0 },
    { "term_grace", check_grace, 0 },
    { NULL, NULL, 0 },
};

void
storage_conf_read(const struct ra_ctx *ctx, struct storage_conf *c)
{
    char bad[80];

    memset(c, 0, sizeof *c);
    c->device = ra_ctx_str(ctx, "device");
    c->directory = ra_ctx_str(ctx, "directory");
    c->fstype = ra_ctx_str(ctx, "fstype");
    c->options = ra_ctx_str(ctx, "options");
    c->lease_device = ra_ctx_str(ctx, "lease_device");
    c->fsck = strcmp(ra_ctx_str(ctx, "fsck"), "never") != 0;
    c->lease = ra_param_bool(&ctx->params, "lease");
    c->kill = strcmp(ra_ctx_str(ctx, "force_unmount"), "false") != 0;
    c->lease_ms = ra_ctx_time_ms(ctx, "lease_timeout", 30000);
    c->lease_set_ms = c->lease_ms;
    c->grace_ms = ra_ctx_time_ms(ctx, "term_grace", 5000);
    if (ra_mount_opts_parse(c->options, &c->mopts, bad, sizeof bad) < 0)
        memset(&c->mopts, 0, sizeof c->mopts);
}
