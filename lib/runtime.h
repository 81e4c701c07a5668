/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runtime.h - a container runtime client (podman or docker). The REST API
 * over the runtime's unix socket (libpod or Docker-compatible dialect, in
 * the "net" plugin: libcurl + json-c) is preferred; the CLI is the fallback
 * when the socket is absent.
 */
#ifndef PMMHA_RUNTIME_H
#define PMMHA_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>

#include "deadline.h"

enum rt_kind {
    RT_PODMAN,
    RT_DOCKER,
};

enum rt_transport {
    RT_API_LIBPOD, /**< podman's own API: /v4.0.0/libpod/... */
    RT_API_DOCKER, /**< Docker Engine API: /v1.41/... (docker, or podman) */
    RT_CLI,        /**< spawn the podman/docker binary */
};

#define RT_ERR_MAX 256
/** The Docker Engine API version spoken first (docker 20.10 and podman 4's
 * compatible layer serve it); an engine that refuses it names the one to
 * use instead (docker 29.0-29.2 refuse anything below 1.44). */
#define RT_DOCKER_API_VERSION "1.41"
#define RT_ID_MAX 80
#define RT_REF_MAX 256

/** A runtime connection. */
struct rt {
    enum rt_kind kind;
    enum rt_transport transport;
    char socket[108];     /**< unix socket path (API transports) */
    char cli[256];        /**< absolute path of the CLI (RT_CLI) */
    char err[RT_ERR_MAX]; /**< detail of the last failure */
    char api_version[16]; /**< Docker dialect: the version the engine asked
                               for ("" = RT_DOCKER_API_VERSION) */
    bool absent;          /**< rt_open found neither socket nor CLI */
    void *priv;           /**< transport-private (curl handle) */
};

/** What inspecting a container tells. */
struct rt_container {
    bool exists;
    bool running;
    pid_t pid; /**< host PID of the container's init */
    int exit_code;
    char id[RT_ID_MAX];
    char image_id[RT_ID_MAX]; /**< bare hex (see rt_id_normalize) */
    char image[RT_REF_MAX];   /**< the reference it was created from */
    char ip[64];              /**< bridge address, "" with host network */
    char status[32];          /**< "running", "exited", ... */
};

/** What inspecting an image tells. */
struct rt_image {
    bool exists;
    char id[RT_ID_MAX];
    char version[64]; /**< label org.opencontainers.image.version, or "" */
};

#define RT_MAX_PORTS 8
#define RT_MAX_ENV 64
#define RT_MAX_ULIMITS 8
#define RT_MAX_LABELS 8

/** One -p host_ip:host_port:container_port/proto mapping. */
struct rt_port {
    char host_ip[64]; /**< "" for all addresses */
    int host_port;
    int container_port;
    char proto[4]; /**< "tcp" or "udp" */
};

struct rt_ulimit {
    char name[16];
    long long soft, hard;
};

/**
 * What to run: the equivalent of
 * podman run -d --rm --replace --name NAME -p ... --mount type=bind,src=VOL,
 * dst=/srv --env-file ... --health-cmd=none --health-interval=disable IMAGE
 * plus the options of run_opts that the API can express.
 */
struct rt_run_spec {
    const char *name;
    const char *image;
    const char *volume; /**< host directory bound on /srv, or NULL */
    /** a host file bound read-only into the container (a configuration
     * override), or NULL; both absolute paths without ',' */
    const char *conf_src, *conf_dst;
    struct rt_port ports[RT_MAX_PORTS];
    size_t n_ports;
    const char *env[RT_MAX_ENV]; /**< "K=V" */
    size_t n_env;
    const char *network;  /**< "host", "none", a network name, or NULL */
    const char *hostname; /**< or NULL */
    struct rt_ulimit ulimits[RT_MAX_ULIMITS];
    size_t n_ulimits;
    const char *labels[RT_MAX_LABELS]; /**< "K=V" */
    size_t n_labels;
    char **cli_extra; /**< run_opts words, passed verbatim to the CLI only */
};

/** The operations a transport implements; all return 0 or -errno. */
struct rt_ops {
    int (*ping)(struct rt *rt, ra_deadline_t d);
    /** -ENOENT when the image is not on this node. */
    int (*image_inspect)(struct rt *rt, const char *ref, struct rt_image *ret,
                         ra_deadline_t d);
    int (*image_pull)(struct rt *rt, const char *ref, ra_deadline_t d);
    /** ret->exists = false (and return 0) when there is no such container. */
    int (*container_inspect)(struct rt *rt, const char *name,
                             struct rt_container *ret, ra_deadline_t d);
    /** Removes any container of that name, then creates and starts it. */
    int (*container_run)(struct rt *rt, const struct rt_run_spec *spec,
                         ra_deadline_t d);
    /** SIGTERM, @grace_s seconds, SIGKILL (the runtime's own stop). */
    int (*container_stop)(struct rt *rt, const char *name, int grace_s,
                          ra_deadline_t d);
    int (*container_kill)(struct rt *rt, const char *name, ra_deadline_t d);
    /** Force-removes; no such container is success. */
    int (*container_remove)(struct rt *rt, const char *name, ra_deadline_t d);
    /**
     * Runs @argv (argv[0] a program name inside the container, as
     * `podman exec NAME ARGV...` runs it, no shell) in the running
     * container @name and waits for it until @d. Its exit code in
     * *@ret_status (126/127: the runtime could not run it, as a shell
     * says); the start of its stdout and stderr (NUL-terminated,
     * truncated to @out_len - 1; the API in the order written, the CLI
     * stdout first) in @out, which may be NULL. -ENOENT when
     * there is no such container, -ESRCH when it does not run, -ETIMEDOUT
     * at @d (the exec'd process is left to the runtime).
     */
    int (*container_exec)(struct rt *rt, const char *name,
                          const char *const argv[], int *ret_status, char *out,
                          size_t out_len, ra_deadline_t d);
    void (*close)(struct rt *rt);
};

/**
 * Connects to @kind's runtime: through the API on @socket_path when that
 * socket exists (@docker_api picks the Docker-compatible dialect for podman;
 * docker always speaks it), else through the CLI when it is installed.
 * Returns the operations to use, or NULL with the reason in rt->err.
 */
const struct rt_ops *rt_open(struct rt *rt, enum rt_kind kind,
                             const char *socket_path, bool docker_api);

/**
 * The CLI transport even where the API socket exists (for a run spec with
 * options the API cannot express); NULL with the reason in rt->err when
 * the CLI is not installed. A docker CLI is told @socket_path when given.
 */
const struct rt_ops *rt_open_cli(struct rt *rt, enum rt_kind kind,
                                 const char *socket_path);

/** The CLI transport (always linked: it needs nothing but libc). */
extern const struct rt_ops rt_cli_ops;

/** The runtime's name, for messages and commands to run: "podman". */
const char *rt_kind_name(enum rt_kind kind);

/** Name of the transport in use, for messages ("podman API"). */
const char *rt_transport_name(const struct rt *rt);

/** Parses one -p/--publish value into @ret; -EINVAL with a bad one. */
int rt_parse_port(const char *s, struct rt_port *ret);

/**
 * Strips the "sha256:" the Docker API puts before image IDs (libpod and the
 * CLIs differ): every transport hands out bare hex, so IDs compare equal
 * whichever way they were read.
 */
static inline void
rt_id_normalize(char *id)
{
    if (strncmp(id, "sha256:", 7) == 0)
        memmove(id, id + 7, strlen(id + 7) + 1);
}

/** Default socket path for @kind. */
const char *rt_default_socket(enum rt_kind kind);

#endif
