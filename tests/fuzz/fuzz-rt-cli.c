/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-rt-cli.c - what podman's and docker's command lines print, as
 * rt-cli.c reads it: the --format lines of container and image inspect,
 * and the error output (stderr) summarised into a reason, with the "no
 * such container/image" tests. Also -p values (rt_parse_port).
 *
 * Input: byte 0 picks the exit status (bits 0-1) and runtime (bit 2); the
 * rest is STDOUT\n--\nSTDERR\n--\nPUBLISH.
 */
#include "../../lib/rt-cli.c"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int codes[4] = { 0, 1, 125, 137 };
    struct ra_spawn_result res;
    struct rt_container c;
    struct rt_image img;
    struct rt_port port;
    struct rt rt;
    char *part[3], *copy;

    if (size < 1)
        return 0;
    fz_split(data + 1, size - 1, part, 3);
    memset(&rt, 0, sizeof rt);
    rt.kind = data[0] & 4 ? RT_DOCKER : RT_PODMAN;
    rt.transport = RT_CLI;
    snprintf(rt.cli, sizeof rt.cli, "/usr/bin/podman");

    copy = strdup(part[0]);
    if (copy && parse_container(copy, &c) == 0 && c.running && c.pid < 0)
        abort(); /* a running container has a PID */
    free(copy);
    copy = strdup(part[0]);
    if (copy)
        (void) parse_image(copy, &img);
    free(copy);

    memset(&res, 0, sizeof res);
    res.status = codes[data[0] & 3];
    res.out = part[0];
    res.out_len = strlen(part[0]);
    res.err = part[1];
    res.err_len = strlen(part[1]);
    (void) no_such_container(&res);
    (void) no_such_image(&res);
    (void) kill_ok(&res);
    (void) cli_fail(&rt, "container inspect", &res);
    (void) check_word(&rt, "image inspect", part[1]);

    (void) rt_parse_port(part[2], &port);
    free(part[0]);
    return 0;
}
