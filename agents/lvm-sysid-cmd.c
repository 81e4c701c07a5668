/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lvm-sysid-cmd.c - the commands lvm-sysid runs: lvm (systemid, lvmconfig,
 * vgs, vgchange, lvchange), each spawned without a shell, bounded by the
 * operation's deadline, with its output parsed here; and what Pacemaker
 * says of a VG's owner, asked through lib/cluster.c. Only start, stop and
 * validate-all come here; the monitor spawns nothing.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "lvm-sysid.h"
#include "ra-spawn.h"

#define SYSID_ARGS_MAX 32
#define KILL_GRACE_MS 1000
#define VGS_FIELDS                                                             \
    "vg_name,vg_systemid,vg_uuid,pv_count,vg_missing_pv_count,pv_name"

/* Copies @s without leading and trailing blanks into @buf. */
static void
trim_copy(const char *s, size_t n, char *buf, size_t len)
{
    while (n && isspace((unsigned char) *s)) {
        s++;
        n--;
    }
    while (n && isspace((unsigned char) s[n - 1]))
        n--;
    snprintf(buf, len, "%.*s", (int) n, s);
}

/* Runs @argv (argv[0] a program name) with @env; fills @ret. */
static int
run(const char *prog, const char *const args[], char *const env[],
    ra_deadline_t d, struct ra_spawn_result *ret, char *why, size_t len)
{
    char path[256];
    const char *argv[SYSID_ARGS_MAX];
    size_t n = 0;
    int r = ra_find_program(prog, path, sizeof path);

    if (r < 0) {
        snprintf(why, len, "%s is not installed", prog);
        return r;
    }
    argv[n++] = path;
    for (; args[n - 1] && n < SYSID_ARGS_MAX - 1; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    r = ra_spawn((char *const *) argv, env, d, KILL_GRACE_MS, ret);
    if (r < 0)
        snprintf(why, len, "cannot run %s: %s", prog, strerror(-r));
    else if (ret->timed_out)
        snprintf(why, len, "%s did not finish in time", args[0]);
    return r;
}

int
sysid_lvm(const char *const args[], ra_deadline_t d, char **out, char *why,
          size_t len)
{
    return sysid_tool("lvm", args, d, out, why, len);
}

int
sysid_tool(const char *prog, const char *const args[], ra_deadline_t d,
           char **out, char *why, size_t len)
{
    static char sysdir[4096], quiet[] = "LVM_SUPPRESS_FD_WARNINGS=1";
    char *env[3] = { quiet, NULL, NULL };
    const char *dir = getenv("LVM_SYSTEM_DIR");
    struct ra_spawn_result res;
    int r;

    /* an administrator's (or a test's) LVM_SYSTEM_DIR reaches lvm */
    if (dir && *dir) {
        snprintf(sysdir, sizeof sysdir, "LVM_SYSTEM_DIR=%s", dir);
        env[1] = sysdir;
    }
    why[0] = '\0';
    r = run(prog, args, env, d, &res, why, len);
    if (r < 0)
        return r;
    if (res.timed_out)
        r = -ETIMEDOUT;
    else
        r = res.status;
    if (r != 0 && !res.timed_out)
        ra_last_line(res.err, why, len);
    if (out) {
        *out = res.out;
        res.out = NULL;
    }
    ra_spawn_result_free(&res);
    return r;
}

/* `lvm systemid`'s "  system ID: vm1" into @buf; -EBADMSG without it. */
static int
parse_systemid(const char *out, char *buf, size_t len)
{
    const char *s = out ? strstr(out, "system ID:") : NULL;

    if (!s)
        return -EBADMSG;
    s += strlen("system ID:");
    trim_copy(s, strcspn(s, "\n"), buf, len);
    return 0;
}

int
sysid_local(ra_deadline_t d, char *buf, size_t len, char *why, size_t wlen)
{
    const char *args[] = { "systemid", NULL };
    char *out = NULL;
    int r = sysid_lvm(args, d, &out, why, wlen);

    if (r == 0) {
        r = parse_systemid(out, buf, len);
        if (r < 0)
            snprintf(why, wlen, "unexpected output of lvm systemid");
    } else if (r > 0)
        r = -EIO;
    free(out);
    return r;
}

/* lvmconfig's system_id_source="uname" into @buf; -EBADMSG without '='. */
static int
parse_source(const char *out, char *buf, size_t len)
{
    const char *s = out ? strchr(out, '=') : NULL;

    if (!s)
        return -EBADMSG;
    s += strspn(s, "=\" ");
    trim_copy(s, strcspn(s, "\"\n"), buf, len);
    return 0;
}

int
sysid_source(ra_deadline_t d, char *buf, size_t len, char *why, size_t wlen)
{
    const char *args[] = { "lvmconfig", "--typeconfig", "full",
                           "global/system_id_source", NULL };
    char *out = NULL;
    int r = sysid_lvm(args, d, &out, why, wlen);

    if (r == 0) {
        r = parse_source(out, buf, len);
        if (r < 0)
            snprintf(why, wlen, "unexpected output of lvmconfig");
    } else if (r > 0)
        r = -EIO;
    free(out);
    return r;
}

/* One line of the vgs report: name|systemid|uuid|#pv|#missing|pv. */
static int
vgs_line(char *line, struct sysid_vg *vg)
{
    const char *f[6];
    char *save = NULL;
    size_t n = 0;

    for (char *t = strtok_r(line, "|", &save); t && n < 6;
         t = strtok_r(NULL, "|", &save))
        f[n++] = t;
    if (n < 5) /* an empty system ID makes an empty field: "a||b" */
        return -EBADMSG;
    if (n == 5) { /* the system ID was empty: shift */
        memmove(&f[2], &f[1], 4 * sizeof f[0]);
        f[1] = "";
    }
    trim_copy(f[1], strlen(f[1]), vg->system_id, sizeof vg->system_id);
    if (lvm_id_undash(f[2], vg->uuid, sizeof vg->uuid) < 0)
        return -EBADMSG;
    vg->pv_count = (unsigned) strtoul(f[3], NULL, 10);
    vg->missing = (unsigned) strtoul(f[4], NULL, 10);
    if (vg->n_pvs < SYSID_PVS_MAX)
        trim_copy(f[5], strlen(f[5]), vg->pvs[vg->n_pvs++], sizeof vg->pvs[0]);
    return 0;
}

/* vgs' report (@out, changed in place) into @ret; -EBADMSG. */
static int
parse_vgs(char *out, struct sysid_vg *ret)
{
    char *save = NULL;
    int r = 0;

    for (char *l = out ? strtok_r(out, "\n", &save) : NULL; l && r == 0;
         l = strtok_r(NULL, "\n", &save)) {
        /* a pipe-free line is a warning on stdout: skip it */
        if (strchr(l, '|'))
            r = vgs_line(l, ret);
    }
    if (r == 0 && ret->n_pvs == 0)
        r = -EBADMSG;
    return r;
}

int
sysid_vgs(const char *vgname, ra_deadline_t d, struct sysid_vg *ret, char *why,
          size_t len)
{
    const char *args[] = { "vgs",          "--foreign",
                           "--noheadings", "--nosuffix",
                           "--separator",  "|",
                           "-o",           VGS_FIELDS,
                           "--config",     "devices/hints=\"none\"",
                           vgname,         NULL };
    char *out = NULL;
    int r = sysid_lvm(args, d, &out, why, len);

    memset(ret, 0, sizeof *ret);
    /* "Volume group "x" not found", then "Cannot process volume group x" */
    if (r == 5
        && (strstr(why, "not found")
            || strstr(why, "Cannot process volume group")))
        r = -ENOENT;
    else if (r > 0)
        r = -EIO;
    if (r == 0)
        r = parse_vgs(out, ret);
    if (r == -EBADMSG)
        snprintf(why, len, "unexpected output of vgs");
    free(out);
    return r;
}

/* ---- Pacemaker -------------------------------------------------------- */

/*
 * lvm-sysid's own statement, not the cluster's fencing rule: with fencing
 * enabled, a node Pacemaker shows offline and not unclean is cleanly down
 * (it left, or it was lost and fencing completed), so its VG may be
 * taken. Otherwise only a fencing in the history (cl_fenced_since, at any
 * time) proves it down.
 */
static int
cleanly_down(const struct crmxml_status *st, const struct crmxml_node *nd)
{
    return st->stonith_enabled && !nd->online && !nd->unclean;
}

int
sysid_owner_fenced(const struct ra_ctx *ctx, const char *owner, char *why,
                   size_t len)
{
    struct crmxml_status *st = malloc(sizeof *st);
    const struct crmxml_node *nd;
    char hist[160];
    int r;

    if (!st)
        return -ENOMEM;
    r = cl_status(ctx, st);
    if (r < 0) {
        snprintf(why, len, "crm_mon: %s",
                 r == -EBADMSG ? "unexpected output" : strerror(-r));
        goto done;
    }
    nd = crmxml_status_node(st, owner);
    if (!nd) {
        snprintf(why, len, "not a node of this cluster");
        r = 0;
    } else if (nd->online) {
        snprintf(why, len, "it is a cluster member now");
        r = 0;
    } else if (cleanly_down(st, nd))
        r = 1;
    else {
        r = cl_fenced_since(ctx, owner, 0, hist, sizeof hist);
        if (r < 0)
            snprintf(why, len, "stonith_admin: %s", hist);
        else if (r == 0)
            snprintf(why, len, "offline%s, %s", nd->unclean ? ", unclean" : "",
                     st->stonith_enabled ? "not fenced yet"
                                         : "stonith-enabled=false");
    }
done:
    free(st);
    return r;
}
