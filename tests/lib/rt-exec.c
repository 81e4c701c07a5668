/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rt-exec.c - rt_ops.container_exec from the command line, for the
 * integration tests against a real runtime (tests/integration/45-shape.sh
 * builds it on the fly from lib/'s sources, as 55 builds hangfs):
 *
 *   rt-exec cli|libpod|docker SOCKET-OR-CLI NAME PROGRAM [ARG...]
 *
 * prints "rc=<0 or -errno name> status=<N> out=<output, \n as \\n>" and,
 * when rc is not 0, "err=<rt->err>". Exits 0 when the call returned 0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadline.h"
#include "plugins.h"
#include "runtime.h"

extern const struct ra_net_plugin ra_net_plugin;

static const char *
errname(int r)
{
    switch (-r) {
    case 0:
        return "0";
    case ENOENT:
        return "-ENOENT";
    case ESRCH:
        return "-ESRCH";
    case ETIMEDOUT:
        return "-ETIMEDOUT";
    case EPROTO:
        return "-EPROTO";
    case EIO:
        return "-EIO";
    case EINVAL:
        return "-EINVAL";
    default:
        return "-E?";
    }
}

int
main(int argc, char **argv)
{
    const struct rt_ops *ops;
    char out[4096];
    struct rt rt;
    int status = -1, r;

    if (argc < 5) {
        fprintf(stderr, "usage: rt-exec cli|libpod|docker SOCKET-OR-CLI "
                        "NAME PROGRAM [ARG...]\n");
        return 2;
    }
    memset(&rt, 0, sizeof rt);
    rt.kind = RT_PODMAN;
    if (strcmp(argv[1], "cli") == 0) {
        rt.transport = RT_CLI;
        snprintf(rt.cli, sizeof rt.cli, "%s", argv[2]);
        ops = &rt_cli_ops;
    } else {
        rt.transport
            = strcmp(argv[1], "docker") == 0 ? RT_API_DOCKER : RT_API_LIBPOD;
        snprintf(rt.socket, sizeof rt.socket, "%s", argv[2]);
        ops = ra_net_plugin.rt_api_open(&rt);
        if (!ops) {
            fprintf(stderr, "rt-exec: %s\n", rt.err);
            return 2;
        }
    }
    out[0] = '\0';
    r = ops->container_exec(&rt, argv[3], (const char *const *) argv + 4,
                            &status, out, sizeof out, ra_deadline_in_ms(30000));
    printf("rc=%s status=%d out=", errname(r), status);
    for (const char *p = out; *p; p++)
        fputs(*p == '\n' ? "\\n" : (char[]){ *p, 0 }, stdout);
    putchar('\n');
    if (r < 0)
        printf("err=%s\n", rt.err);
    ops->close(&rt);
    return r < 0;
}
