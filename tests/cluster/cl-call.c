/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cl-call - calls one function of lib/cluster.c from the command line, for
 * tests/integration/71-cluster-module.sh (built, never installed). The
 * context is the agents': OCF_RESOURCE_INSTANCE, OCF_RESKEY_CRM_meta_on_node
 * (unset: no cluster), a 20 s deadline.
 *
 *   cl-call set NAME VALUE [private]    cl-call promo-set SCORE [NODE]
 *   cl-call get NAME [NODE] [private]   cl-call promo-get [NODE]
 *   cl-call del NAME [private]          cl-call promo-del [NODE]
 *   cl-call all NAME [private]          cl-call member NODE
 *   cl-call fenced NODE SINCE           cl-call stonith
 *   cl-call status
 *
 * Prints the result on stdout; an error as "cl-call: NAME: strerror" on
 * stderr, exit 2 for -ENOTCONN, 1 for any other.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cluster.h"
#include "log.h"

static unsigned
flags_of(int argc, char **argv, int i)
{
    return i < argc && !strcmp(argv[i], "private") ? CL_ATTR_PRIVATE : 0;
}

/* The optional NODE argument at @i: NULL (this node) when absent. */
static const char *
node_arg(int argc, char **argv, int i)
{
    return i < argc && strcmp(argv[i], "private") != 0 ? argv[i] : NULL;
}

static int
attr_cmd(const struct ra_ctx *ctx, const char *cmd, int argc, char **argv)
{
    static struct cl_attr_value v[CRMXML_NODES_MAX];
    char buf[CL_VALUE_MAX];
    int r = -EINVAL;

    if (!strcmp(cmd, "set") && argc >= 4)
        r = cl_attr_set(ctx, argv[2], argv[3], flags_of(argc, argv, 4));
    else if (!strcmp(cmd, "del") && argc >= 3)
        r = cl_attr_delete(ctx, argv[2], flags_of(argc, argv, 3));
    else if (!strcmp(cmd, "get") && argc >= 3) {
        const char *node = node_arg(argc, argv, 3);

        r = cl_attr_get(ctx, argv[2], node, flags_of(argc, argv, node ? 4 : 3),
                        buf, sizeof buf);
        if (r == 0)
            printf("%s\n", buf);
    } else if (!strcmp(cmd, "all") && argc >= 3) {
        r = cl_attr_all(ctx, argv[2], flags_of(argc, argv, 3), v,
                        CRMXML_NODES_MAX);
        for (int i = 0; i < r; i++)
            printf("%s=%s\n", v[i].node, v[i].value);
        r = r < 0 ? r : 0;
    }
    return r;
}

static int
promo_cmd(const struct ra_ctx *ctx, const char *cmd, int argc, char **argv)
{
    int r = -EINVAL, score;

    if (!strcmp(cmd, "promo-set") && argc >= 3)
        r = cl_promotion_set(ctx, argc > 3 ? argv[3] : NULL, atoi(argv[2]));
    else if (!strcmp(cmd, "promo-get")) {
        r = cl_promotion_get(ctx, argc > 2 ? argv[2] : NULL, &score);
        if (r == 0)
            printf("%d\n", score);
    } else if (!strcmp(cmd, "promo-del"))
        r = cl_promotion_delete(ctx, argc > 2 ? argv[2] : NULL);
    return r;
}

static int
status_cmd(const struct ra_ctx *ctx)
{
    struct crmxml_status *st = malloc(sizeof *st);
    int r = st ? cl_status(ctx, st) : -ENOMEM;

    for (size_t i = 0; r == 0 && i < st->n_nodes; i++)
        printf("%s online=%d unclean=%d\n", st->nodes[i].name,
               st->nodes[i].online, st->nodes[i].unclean);
    if (r == 0)
        printf("stonith-enabled=%d\n", st->stonith_enabled);
    free(st);
    return r;
}

static int
node_cmd(const struct ra_ctx *ctx, const char *cmd, int argc, char **argv)
{
    char why[160];
    int r = -EINVAL;

    if (!strcmp(cmd, "member") && argc >= 3)
        r = cl_is_member(ctx, argv[2]);
    else if (!strcmp(cmd, "fenced") && argc >= 4) {
        r = cl_fenced_since(ctx, argv[2], (time_t) atoll(argv[3]), why,
                            sizeof why);
        if (r >= 0)
            printf("%d %s\n", r, why);
        return r < 0 ? r : 0;
    } else if (!strcmp(cmd, "stonith"))
        r = cl_stonith_enabled(ctx);
    else if (!strcmp(cmd, "status"))
        return status_cmd(ctx);
    if (r >= 0)
        printf("%d\n", r);
    return r < 0 ? r : 0;
}

int
main(int argc, char **argv)
{
    static struct utsname uts;
    struct ra_ctx ctx = { .lock_fd = -1 };
    const char *cmd = argc > 1 ? argv[1] : "";
    int r;

    ctx.instance = getenv("OCF_RESOURCE_INSTANCE");
    ctx.instance = ctx.instance ? ctx.instance : "cl-call";
    ctx.node = getenv("OCF_RESKEY_CRM_meta_on_node");
    ctx.in_cluster = ctx.node && *ctx.node;
    if (!ctx.in_cluster)
        ctx.node = uname(&uts) == 0 ? uts.nodename : "localhost";
    ctx.deadline = ra_deadline_in_ms(20000);
    ra_log_init("cl-call", ctx.instance);
    if (!strncmp(cmd, "promo-", 6))
        r = promo_cmd(&ctx, cmd, argc, argv);
    else if (!strcmp(cmd, "set") || !strcmp(cmd, "get") || !strcmp(cmd, "del")
             || !strcmp(cmd, "all"))
        r = attr_cmd(&ctx, cmd, argc, argv);
    else
        r = node_cmd(&ctx, cmd, argc, argv);
    if (r < 0)
        fprintf(stderr, "cl-call: %s: %s\n", cmd, strerror(-r));
    ra_log_fini();
    return r == -ENOTCONN ? 2 : r < 0 ? 1 : 0;
}
