/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runtime.c - choosing the transport to a container runtime (see runtime.h):
 * the REST API, in the net plugin, when the runtime's socket exists; the
 * CLI (rt-cli.c) when it does not. Also the pieces of a run spec that are
 * the same for both: the -p syntax and the default sockets.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "plugin.h"
#include "plugins.h"
#include "ra-spawn.h"
#include "runtime.h"

const char *
rt_kind_name(enum rt_kind kind)
{
    return kind == RT_DOCKER ? "docker" : "podman";
}

/** The socket a stock install of @kind listens on. */
const char *
rt_default_socket(enum rt_kind kind)
{
    return kind == RT_DOCKER ? "/var/run/docker.sock"
                             : "/run/podman/podman.sock";
}

/** A short name of the transport in use, for messages ("podman API"). */
const char *
rt_transport_name(const struct rt *rt)
{
    bool docker = rt->kind == RT_DOCKER;

    switch (rt->transport) {
    case RT_API_LIBPOD:
        return "podman API";
    case RT_API_DOCKER:
        return docker ? "docker API" : "podman Docker-compatible API";
    case RT_CLI:
        return docker ? "docker CLI" : "podman CLI";
    }
    return "unknown transport";
}

static const struct rt_ops *
open_api(struct rt *rt, const char *path, bool docker_api)
{
    const struct ra_net_plugin *net;
    const struct rt_ops *ops;
    char why[RT_ERR_MAX - 56] = "";

    rt->transport
        = rt->kind == RT_DOCKER || docker_api ? RT_API_DOCKER : RT_API_LIBPOD;
    memcpy(rt->socket, path, strlen(path) + 1);
    net = ra_plugin_sym(RA_NET_PLUGIN, RA_NET_PLUGIN_SYM, why, sizeof why);
    if (!net || !net->rt_api_open) {
        snprintf(rt->err, sizeof rt->err, "cannot load the %s plugin: %s",
                 RA_NET_PLUGIN, why[0] ? why : "no entry point");
        return NULL;
    }
    ops = net->rt_api_open(rt);
    if (!ops && !rt->err[0])
        snprintf(rt->err, sizeof rt->err, "cannot open the %s on %s",
                 rt_transport_name(rt), rt->socket);
    return ops;
}

static const struct rt_ops *
open_cli(struct rt *rt, const char *path, bool explicit)
{
    const char *name = rt_kind_name(rt->kind);

    if (ra_find_program(name, rt->cli, sizeof rt->cli) < 0) {
        snprintf(rt->err, sizeof rt->err,
                 "start the %s API service or install %s: %.60s does not "
                 "exist and %s is not installed",
                 name, name, path, name);
        rt->absent = true;
        return NULL;
    }
    rt->transport = RT_CLI;
    /* the docker CLI talks to a daemon too: the one configured, never the
     * default one or DOCKER_HOST's in its stead (podman's needs none) */
    if (explicit && rt->kind == RT_DOCKER)
        memcpy(rt->socket, path, strlen(path) + 1);
    return &rt_cli_ops;
}

/**
 * Picks the transport: the API when @socket_path (or the default) is a
 * socket, the CLI when nothing is there; see runtime.h.
 */
/*
 * What rt_open() and rt_open_cli() share: @rt reset for @kind, and the API
 * socket's path (@socket_path, or the runtime's default) checked. Returns
 * the path, or NULL with rt->err set.
 */
static const char *
open_begin(struct rt *rt, enum rt_kind kind, const char *socket_path)
{
    const char *path
        = socket_path && *socket_path ? socket_path : rt_default_socket(kind);

    memset(rt, 0, sizeof *rt);
    rt->kind = kind;
    if (kind != RT_PODMAN && kind != RT_DOCKER) {
        snprintf(rt->err, sizeof rt->err, "unknown container runtime %d",
                 (int) kind);
        return NULL;
    }
    if (path[0] != '/' || strlen(path) >= sizeof rt->socket) {
        snprintf(rt->err, sizeof rt->err,
                 "runtime %s: API socket path must be absolute and shorter "
                 "than %zu bytes",
                 rt_kind_name(kind), sizeof rt->socket);
        return NULL;
    }
    return path;
}

const struct rt_ops *
rt_open(struct rt *rt, enum rt_kind kind, const char *socket_path,
        bool docker_api)
{
    const char *path = open_begin(rt, kind, socket_path);
    struct stat st;

    if (!path)
        return NULL;
    if (stat(path, &st) < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return open_cli(rt, path, socket_path && *socket_path);
        snprintf(rt->err, sizeof rt->err, "runtime %s: cannot stat %.60s: %s",
                 rt_kind_name(kind), path, strerror(errno));
        return NULL;
    }
    if (!S_ISSOCK(st.st_mode)) {
        snprintf(rt->err, sizeof rt->err,
                 "fix runtime_socket: %.60s exists but is not a socket", path);
        return NULL;
    }
    return open_api(rt, path, docker_api);
}

/**
 * The CLI, whether or not the API socket exists: what a run spec with
 * options only the CLI passes on needs (see runtime.h).
 */
const struct rt_ops *
rt_open_cli(struct rt *rt, enum rt_kind kind, const char *socket_path)
{
    const char *path = open_begin(rt, kind, socket_path);

    if (!path)
        return NULL;
    if (!open_cli(rt, path, socket_path && *socket_path)) {
        snprintf(rt->err, sizeof rt->err,
                 "install %s here: run_opts has options only its CLI passes "
                 "on",
                 rt_kind_name(kind));
        return NULL;
    }
    return &rt_cli_ops;
}

/* A port number 1..65535: digits only, no sign, no leading zero. */
static int
parse_port_num(const char *s, size_t len, int *ret)
{
    int v = 0;

    if (len == 0 || len > 5 || s[0] == '0')
        return -EINVAL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -EINVAL;
        v = v * 10 + (s[i] - '0');
    }
    if (v > 65535)
        return -EINVAL;
    *ret = v;
    return 0;
}

/* An IPv4 literal, or an IPv6 one in brackets (stored without them). */
static int
parse_host_ip(const char *s, size_t len, char *buf, size_t buflen)
{
    char tmp[INET6_ADDRSTRLEN];
    unsigned char bin[sizeof(struct in6_addr)];
    int af = AF_INET;

    if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
        s++;
        len -= 2;
        af = AF_INET6;
    }
    if (len == 0 || len >= sizeof tmp || len >= buflen)
        return -EINVAL;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    if (inet_pton(af, tmp, bin) != 1)
        return -EINVAL;
    memcpy(buf, tmp, len + 1);
    return 0;
}

/**
 * Parses "[host_ip:]host_port:container_port[/tcp|/udp]" (host_ip an IPv4
 * literal or a bracketed IPv6 one) into @ret; -EINVAL for anything else,
 * including port ranges and a missing host port.
 */
int
rt_parse_port(const char *s, struct rt_port *ret)
{
    struct rt_port p = { .proto = "tcp" };
    const char *slash, *c1, *c2, *hp;
    size_t n;

    if (!s || !ret)
        return -EINVAL;
    n = strlen(s);
    slash = strchr(s, '/');
    if (slash) {
        if (strcmp(slash + 1, "tcp") != 0 && strcmp(slash + 1, "udp") != 0)
            return -EINVAL;
        memcpy(p.proto, slash + 1, 4);
        n = (size_t) (slash - s);
    }
    c2 = memrchr(s, ':', n);
    if (!c2
        || parse_port_num(c2 + 1, n - (size_t) (c2 + 1 - s), &p.container_port)
               < 0)
        return -EINVAL;
    c1 = memrchr(s, ':', (size_t) (c2 - s));
    hp = c1 ? c1 + 1 : s;
    if (parse_port_num(hp, (size_t) (c2 - hp), &p.host_port) < 0)
        return -EINVAL;
    if (c1
        && parse_host_ip(s, (size_t) (c1 - s), p.host_ip, sizeof p.host_ip) < 0)
        return -EINVAL;
    *ret = p;
    return 0;
}
