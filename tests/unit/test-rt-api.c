/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for lib/rt-api.c: the container runtime REST API client of the
 * net plugin, against a fake API on a unix socket (a thread answering
 * canned responses per request line). Both dialects' paths and bodies, 404
 * handling, API error messages, garbage, and a server that never answers.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "deadline.h"
#include "plugins.h"
#include "runtime.h"

extern const struct ra_net_plugin ra_net_plugin;

/* One canned answer: "METHOD TARGET" exactly; @times > 0 answers only that
 * many times, after which the next matching route answers. */
struct route {
    const char *request;
    long status;
    const char *body;
    long times;
};

/* A raw answer, as podman's attached exec start gives it: "200 OK", no
 * Content-Length, @len bytes of the multiplexed stream, then the
 * connection closed. */
struct raw {
    const char *request;
    const char *data;
    size_t len;
};

struct seen {
    char line[1200]; /* "METHOD TARGET" */
    char *body;
};

#define MAX_SEEN 32

static struct {
    char dir[64], path[108];
    int fd, stop[2];
    pthread_t thread;
    pthread_mutex_t lock;
    struct route *routes;
    size_t n_routes;
    const struct raw *raws;
    size_t n_raws;
    bool hang;
    struct seen seen[MAX_SEEN];
    size_t n_seen;
    int held[8];
    size_t n_held;
} fake;

/* ---- the fake API ------------------------------------------------------- */

static size_t
content_length(const char *head)
{
    const char *p = head;

    while ((p = strchr(p, '\n'))) {
        p++;
        if (strncasecmp(p, "Content-Length:", 15) == 0)
            return (size_t) strtoul(p + 15, NULL, 10);
    }
    return 0;
}

/* Reads one request into @buf (head and body); returns the head's end. */
static char *
read_request(int c, char *buf, size_t cap)
{
    size_t len = 0, want = 0;
    char *end = NULL;

    while (len < cap - 1) {
        ssize_t n = read(c, buf + len, cap - 1 - len);

        if (n <= 0)
            return NULL;
        len += (size_t) n;
        buf[len] = '\0';
        if (!end && (end = strstr(buf, "\r\n\r\n"))) {
            *end = '\0';
            want = (size_t) (end + 4 - buf) + content_length(buf);
        }
        if (end && len >= want)
            return end;
    }
    return NULL;
}

static const struct route *
find_route(const char *line)
{
    size_t i;

    for (i = 0; i < fake.n_routes; i++) {
        struct route *r = &fake.routes[i];

        if (strcmp(r->request, line) != 0 || r->times < 0)
            continue;
        if (r->times > 0 && --r->times == 0)
            r->times = -1; /* used up */
        return r;
    }
    return NULL;
}

static void
record(const char *line, const char *body)
{
    struct seen *s;

    if (fake.n_seen >= MAX_SEEN)
        return;
    s = &fake.seen[fake.n_seen];
    snprintf(s->line, sizeof s->line, "%s", line);
    s->body = strdup(body);
    fake.n_seen++;
}

static void
serve_one(int c)
{
    static char buf[65536];
    char line[1200], head[256], *end, *sp;
    const struct route *r;
    const char *body;
    long status;

    end = read_request(c, buf, sizeof buf);
    if (!end)
        return;
    /* "GET /path HTTP/1.1" -> "GET /path" */
    snprintf(line, sizeof line, "%.*s", (int) strcspn(buf, "\r\n"), buf);
    sp = strrchr(line, ' ');
    if (sp)
        *sp = '\0';
    pthread_mutex_lock(&fake.lock);
    record(line, end + 4);
    for (size_t i = 0; i < fake.n_raws; i++)
        if (strcmp(fake.raws[i].request, line) == 0) {
            const struct raw *w = &fake.raws[i];

            pthread_mutex_unlock(&fake.lock);
            snprintf(head, sizeof head,
                     "HTTP/1.1 200 OK\r\nContent-Type: application/"
                     "vnd.docker.raw-stream\r\n\r\n");
            (void) !write(c, head, strlen(head));
            (void) !write(c, w->data, w->len);
            return;
        }
    r = find_route(line);
    status = r ? r->status : 418;
    body = r ? (r->body ? r->body : "") : "{\"message\":\"unexpected\"}";
    pthread_mutex_unlock(&fake.lock);
    snprintf(head, sizeof head,
             "HTTP/1.1 %ld X\r\nContent-Type: application/json\r\n"
             "Content-Length: %zu\r\nConnection: close\r\n\r\n",
             status, strlen(body));
    (void) !write(c, head, strlen(head));
    (void) !write(c, body, strlen(body));
}

static void *
serve(void *arg)
{
    struct pollfd p[2] = { { .fd = fake.fd, .events = POLLIN },
                           { .fd = fake.stop[0], .events = POLLIN } };
    struct timeval tv = { .tv_sec = 3 };
    int c;

    (void) arg;
    while (poll(p, 2, -1) >= 0 && !(p[1].revents & POLLIN)) {
        if (!(p[0].revents & POLLIN))
            continue;
        c = accept4(fake.fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0)
            continue;
        if (fake.hang && fake.n_held < 8) {
            fake.held[fake.n_held++] = c;
            continue;
        }
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        serve_one(c);
        close(c);
    }
    return NULL;
}

static void
fake_start(struct route *routes, size_t n, bool hang)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };

    memset(&fake, 0, sizeof fake);
    pthread_mutex_init(&fake.lock, NULL);
    fake.routes = routes;
    fake.n_routes = n;
    fake.hang = hang;
    snprintf(fake.dir, sizeof fake.dir, "/tmp/test-rt-api-XXXXXX");
    assert_non_null(mkdtemp(fake.dir));
    snprintf(fake.path, sizeof fake.path, "%s/api.sock", fake.dir);
    memcpy(a.sun_path, fake.path, strlen(fake.path) + 1);
    fake.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fake.fd >= 0);
    assert_int_equal(bind(fake.fd, (struct sockaddr *) &a, sizeof a), 0);
    assert_int_equal(listen(fake.fd, 16), 0);
    assert_int_equal(pipe2(fake.stop, O_CLOEXEC), 0);
    assert_int_equal(pthread_create(&fake.thread, NULL, serve, NULL), 0);
}

static void
fake_stop(void)
{
    size_t i;

    (void) !write(fake.stop[1], "x", 1);
    pthread_join(fake.thread, NULL);
    for (i = 0; i < fake.n_held; i++)
        close(fake.held[i]);
    for (i = 0; i < fake.n_seen; i++)
        free(fake.seen[i].body);
    close(fake.stop[0]);
    close(fake.stop[1]);
    close(fake.fd);
    unlink(fake.path);
    rmdir(fake.dir);
    pthread_mutex_destroy(&fake.lock);
}

/* Raw answers too (after FAKE). */
static void
fake_raw(const struct raw *raws, size_t n)
{
    pthread_mutex_lock(&fake.lock);
    fake.raws = raws;
    fake.n_raws = n;
    pthread_mutex_unlock(&fake.lock);
}

#define FAKE(routes, hang)                                                     \
    fake_start((routes), sizeof(routes) / sizeof((routes)[0]), (hang))

/* The request line of the @i-th request the fake saw. */
static const char *
seen_line(size_t i)
{
    return i < fake.n_seen ? fake.seen[i].line : "(none)";
}

/* ---- helpers ------------------------------------------------------------ */

static const struct rt_ops *
open_rt(struct rt *rt, enum rt_transport t, const char *sock)
{
    const struct rt_ops *ops;

    memset(rt, 0, sizeof *rt);
    rt->kind = RT_PODMAN;
    rt->transport = t;
    snprintf(rt->socket, sizeof rt->socket, "%s", sock);
    ops = ra_net_plugin.rt_api_open(rt);
    assert_non_null(ops);
    return ops;
}

static ra_deadline_t
soon(void)
{
    return ra_deadline_in_ms(5000);
}

static const char *
jstr(struct json_object *o, const char *path)
{
    struct json_object *v = o;
    char key[64];
    const char *p = path;

    /* dotted path; "[N]" steps into arrays */
    while (v && *p) {
        const char *dot = strchr(p, '.');

        snprintf(key, sizeof key, "%.*s",
                 (int) (dot ? (size_t) (dot - p) : strlen(p)), p);
        if (key[0] == '[')
            v = json_object_array_get_idx(v, (size_t) atoi(key + 1));
        else if (!json_object_object_get_ex(v, key, &v))
            v = NULL;
        p += strlen(key) + (dot ? 1 : 0);
    }
    return v ? json_object_get_string(v) : "(missing)";
}

static char volume[64];

static int
setup_volume(void **state)
{
    (void) state;
    signal(SIGPIPE, SIG_IGN);
    snprintf(volume, sizeof volume, "/tmp/test-rt-api-vol-XXXXXX");
    assert_non_null(mkdtemp(volume));
    return 0;
}

static int
teardown_volume(void **state)
{
    (void) state;
    rmdir(volume);
    return 0;
}

static void
full_spec(struct rt_run_spec *s)
{
    memset(s, 0, sizeof *s);
    s->name = "pmm";
    s->image = "docker.io/percona/pmm-server:2.41.0";
    s->volume = volume;
    snprintf(s->ports[0].host_ip, sizeof s->ports[0].host_ip, "10.0.0.5");
    s->ports[0].host_port = 8443;
    s->ports[0].container_port = 443;
    snprintf(s->ports[0].proto, sizeof s->ports[0].proto, "tcp");
    s->ports[1].host_port = 8080;
    s->ports[1].container_port = 80;
    s->n_ports = 2;
    s->env[0] = "PMM_DEBUG=1";
    s->env[1] = "X=a=b";
    s->n_env = 2;
    s->hostname = "pmm-ha";
    snprintf(s->ulimits[0].name, sizeof s->ulimits[0].name, "RLIMIT_NOFILE");
    s->ulimits[0].soft = 1024;
    s->ulimits[0].hard = 4096;
    s->n_ulimits = 1;
    s->labels[0] = "org.pmmha.owner=pmm";
    s->n_labels = 1;
}

/* ---- ping, images ------------------------------------------------------- */

static void
test_ping_both(void **state)
{
    struct route routes[] = { { "GET /v4.0.0/libpod/_ping", 200, "OK", 0 },
                              { "GET /v1.41/_ping", 200, "OK", 0 } };
    const struct rt_ops *ops;
    struct rt rt;

    (void) state;
    FAKE(routes, false);
    ops = open_rt(&rt, RT_API_LIBPOD, fake.path);
    assert_int_equal(ops->ping(&rt, soon()), 0);
    ops->close(&rt);
    ops = open_rt(&rt, RT_API_DOCKER, fake.path);
    assert_int_equal(ops->ping(&rt, soon()), 0);
    ops->close(&rt);
    assert_null(rt.priv);
    fake_stop();
}

static void
test_image_inspect_libpod(void **state)
{
    struct route routes[] = {
        { "GET /v4.0.0/libpod/images/docker.io%2Fpercona%2Fpmm-server%3A2.41.0"
          "/json",
          200,
          "{\"Id\":\"b2c65d26\",\"Config\":{\"Labels\":{"
          "\"org.opencontainers.image.version\":\"2.41.0\"}}}",
          0 },
    };
    const struct rt_ops *ops;
    struct rt_image img;
    struct rt rt;

    (void) state;
    FAKE(routes, false);
    ops = open_rt(&rt, RT_API_LIBPOD, fake.path);
    assert_int_equal(ops->image_inspect(&rt,
                                        "docker.io/percona/pmm-server:2.41.0",
                                        &img, soon()),
                     0);
    assert_true(img.exists);
    assert_string_equal(img.id, "b2c65d26");
    assert_string_equal(img.version, "2.41.0");
    ops->close(&rt);
    fake_stop();
}

static void
test_image_inspect_docker_404(void **state)
{
    struct route routes[] = {
        { "GET /v1.41/images/percona%2Fpmm-server%3A2.41.0/json", 200,
          "{\"Id\":\"sha256:b2c6\",\"Config\":{\"Labels\":null},"
          "\"Labels\":{\"org.opencontainers.image.version\":\"2.41.0\"}}",
          0 },
        { "GET /v1.41/images/percona%2Fpmm-server%3A9.9.9/json", 404,
          "{\"message\":\"No such image: percona/pmm-server:9.9.9\"}", 0 },
    };
    const struct rt_ops *ops;
    struct rt_image img;
    struct rt rt;

    (void) state;
    FAKE(routes, false);
    ops = open_rt(&rt, RT_API_DOCKER, fake.path);
    assert_int_equal(
        ops->image_inspect(&rt, "percona/pmm-server:2.41.0", &img, soon()), 0);
    assert_string_equal(img.id, "b2c6"); /* bare hex, as libpod's */
    assert_string_equal(img.version, "2.41.0");
    assert_int_equal(
        ops->image_inspect(&rt, "percona/pmm-server:9.9.9", &img, soon()),
        -ENOENT);
    assert_false(img.exists);
    assert_non_null(strstr(rt.err, "No such image"));
    ops->close(&rt);
    fake_stop();
}

static void
test_image_pull_libpod(void **state)
{
    struct route routes[] = {
        { "POST /v4.0.0/libpod/images/pull?reference=docker.io%2Fpercona%2F"
          "pmm-server%3A2.42.0&quiet=true",
          200, "{\"images\":[\"b720\"],\"id\":\"b720\"}", 0 },
        { "POST /v4.0.0/libpod/images/pull?reference=docker.io%2Fpercona%2F"
          "pmm-server%3A9.9.9&quiet=true",
          200,
          "{\"error\":\"initializing source docker://percona/pmm-server:9.9.9:"
          " no such host\"}",
          0 },
    };
    const struct rt_ops *ops;
    struct rt rt;

    (void) state;
    FAKE(routes, false);
    ops = open_rt(&rt, RT_API_LIBPOD, fake.path);
    assert_int_equal(
        ops->image_pull(&rt, "docker.io/percona/pmm-server:2.42.0", soon()), 0);
    assert_int_equal(
        ops->image_pull(&rt, "docker.io/percona/pmm-server:9.9.9", soon()),
        -EIO);
    assert_non_null(strstr(rt.err, "no such host"));
    ops->close(&rt);
    fake_stop();
}

static void
test_image_pull_docker(void **state)
{
    struct route routes[] = {
        { "POST /v1.41/images/create?fromImage=docker.io%2Fpercona%2F"
          "pmm-server&tag=2.42.0",
          200,
          "{\"status\":\"Pulling from percona/pmm-server\",\"id\":\"2.42.0\"}\n"
          "{\"status\":\"Downloading\",\"progressDetail\":{\"current\":1}}\n"
          "{\"status\":\"Status: Downloaded newer image\"}\n",
          0 },
        { "POST /v1.41/images/create?fromImage=reg.local%3A5000%2Fpmm&tag="
          "latest",
          200,
          "{\"status\":\"Pulling\"}\n{\"errorDetail\":{\"message\":"
          "\"manifest unknown\"},\"error\":\"manifest unknown\"}\n",
          0 },
        { "POST /v1.41/images/create?fromImage=pmm&tag=sha256%3Aabc", 500,
          "{\"message\":\"boom\"}", 0 },
    };
    const struct rt_ops *ops;
    struct rt rt;

    (void) state;
    FAKE(routes, false);
    ops = open_rt(&rt, RT_API_DOCKER, fake.path);
    assert_int_equal(
        ops->image_pull(&rt, "docker.io/percona/pmm-server:2.42.0", soon()), 0);
    /* a registry port is not a tag; no tag means latest, never "all" */
    assert_int_equal(ops->image_pull(&rt, "reg.local:5000/pmm", soon()), -EIO);
    assert_non_null(strstr(rt.err, "manifest unknown"));
    assert_int_equal(ops->image_pull(&rt, "pmm@sha256:abc", soon()), -EIO);
    assert_non_null(strstr(rt.err, "boom"));
    ops->close(&rt);
    fake_stop();
}

/* ---- containers: inspect ------------------------------------------------ */

static void
test_container_inspect_libpod(void **state)
{
    struct route routes[] = {
        { "GET /v4.0.0/libpod/containers/pmm/json", 200,
          "{\"Id\":\"c0ffee\",\"Image\":\"b2c65d26\",\"ImageName\":"
          "\"docker.io/percona/pmm-server:2.41.0\",\"State\":{\"Status\":"
          "\"running\",\"Running\":true,\"Pid\":4242,\"ExitCode\":0},"
          "\"Config\":{\"Image\":\"wrong\"},"
          "\"NetworkSettings\":{\"IPAddress\":\"10.88.0.7\"}}",
          0 },
        { "GET /v4.0.0/libpod/containers/gone/json", 404,
          "{\"cause\":\"no such container\",\"message\":\"no container with "
          "name or ID \\\"gone\\\" found\",\"response\":404}",
          0 },
    };
    const struct rt_ops *ops;
    struct rt_container c;
    struct rt rt;

    (void) state;
    FAKE(routes, false);
    ops = open_rt(&rt, RT_API_LIBPOD, fake.path);
    assert_int_equal(ops->container_inspect(&rt, "pmm", &c, soon()), 0);
    assert_true(c.exists);
    assert_true(c.running);
    assert_int_equal(c.pid, 4242);
    assert_int_equal(c.exit_code, 0);
    assert_string_equal(c.id, "c0ffee");
    assert_string_equal(c.image_id, "b2c65d26");
    assert_string_equal(c.image, "docker.io/percona/pmm-server:2.41.0");
    assert_string_equal(c.ip, "10.88.0.7");
    assert_string_equal(c.status, "running");
    assert_int_equal(ops->container_inspect(&rt, "gone", &c, soon()), 0);
    assert_false(c.exists);
    ops->close(&rt);
    fake_stop();
}

static void
test_container_inspect_docker(void **state)
{
    struct route routes[] = {
        { "GET /v1.41/containers/pmm/json", 200,
          "{\"Id\":\"c0ffee\",\"Image\":\"sha256:b2c6\",\"Config\":{\"Image\":"
          "\"percona/pmm-server:2.41.0\"},\"State\":{\"Status\":\"exited\","
          "\"Running\":false,\"Pid\":0,\"ExitCode\":137},\"NetworkSettings\":"
          "{\"IPAddress\":\"\",\"Networks\":{\"pmm-net\":{\"IPAddress\":"
          "\"172.20.0.3\"}}}}",
          0 },
    };
    const struct rt_ops *ops;
    struct rt_container c;
    struct rt rt;

    (void) state;
    FAKE(routes, false);
    ops = open_rt(&rt, RT_API_DOCKER, fake.path);
    assert_int_equal(ops->container_inspect(&rt, "pmm", &c, soon()), 0);
    assert_true(c.exists);
    assert_false(c.running);
    assert_int_equal(c.exit_code, 137);
    assert_string_equal(c.image_id, "b2c6");
    assert_string_equal(c.image, "percona/pmm-server:2.41.0");
    assert_string_equal(c.ip, "172.20.0.3"); /* from the named network */
    assert_string_equal(c.status, "exited");
    ops->close(&rt);
    fake_stop();
}

/*
 * docker 29.0-29.2 refuse API versions below 1.44 with a 400 that names the
 * version they take: the call is sent again in it, and so are the next
 * ones. An engine older than 1.41 ("too new") gets its maximum. Nothing
 * else that is a 400 is retried, nor is a version refused twice.
 */
static void
test_docker_version_negotiation(void **state)
{
    struct route routes[] = {
        { "GET /v1.41/containers/pmm/json", 400,
          "{\"message\":\"client version 1.41 is too old. Minimum supported "
          "API version is 1.44, please upgrade your client to a newer "
          "version\"}",
          0 },
        { "GET /v1.44/containers/pmm/json", 200,
          "{\"Id\":\"c0ffee\",\"Image\":\"sha256:b2c6\",\"State\":{"
          "\"Status\":\"running\",\"Running\":true,\"Pid\":42}}",
          0 },
        { "GET /v1.44/images/pmm%3A2/json", 200, "{\"Id\":\"sha256:b2c6\"}",
          0 },
        { "POST /v1.41/images/create?fromImage=pmm&tag=3", 400,
          "{\"message\":\"client version 1.41 is too old. Minimum supported "
          "API version is 1.44, please upgrade your client\"}",
          0 },
        { "POST /v1.44/images/create?fromImage=pmm&tag=3", 200,
          "{\"status\":\"Status: Downloaded newer image\"}\n", 0 },
        { "GET /v1.41/_ping", 400,
          "{\"message\":\"client version 1.41 is too new. Maximum supported "
          "API version is 1.40\"}",
          0 },
        { "GET /v1.40/_ping", 200, "OK", 0 },
        { "GET /v1.41/containers/bad/json", 400,
          "{\"message\":\"Minimum supported API version is 1.\"}", 0 },
        { "GET /v1.41/containers/twice/json", 400,
          "{\"message\":\"Minimum supported API version is 1.50\"}", 0 },
        { "GET /v1.50/containers/twice/json", 400,
          "{\"message\":\"Minimum supported API version is 1.50\"}", 0 },
    };
    const struct rt_ops *ops;
    struct rt_container c;
    struct rt_image img;
    struct rt rt;

    (void) state;
    FAKE(routes, false);
    ops = open_rt(&rt, RT_API_DOCKER, fake.path);
    assert_int_equal(ops->container_inspect(&rt, "pmm", &c, soon()), 0);
    assert_true(c.running);
    assert_int_equal(c.pid, 42);
    assert_string_equal(rt.api_version, "1.44");
    assert_int_equal(ops->image_inspect(&rt, "pmm:2", &img, soon()), 0);
    assert_string_equal(img.id, "b2c6");
    assert_int_equal(fake.n_seen, 3); /* the second call asked 1.44 at once */
    assert_string_equal(seen_line(1), "GET /v1.44/containers/pmm/json");
    ops->close(&rt);

    /* a pull reads its answer as a stream: the refusal is found there too */
    ops = open_rt(&rt, RT_API_DOCKER, fake.path);
    assert_int_equal(ops->image_pull(&rt, "pmm:3", soon()), 0);
    assert_string_equal(seen_line(4), "POST /v1.44/images/create?fromImage=pmm"
                                      "&tag=3");
    ops->close(&rt);

    ops = open_rt(&rt, RT_API_DOCKER, fake.path);
    assert_int_equal(ops->ping(&rt, soon()), 0);
    assert_string_equal(rt.api_version, "1.40");
    ops->close(&rt);

    ops = open_rt(&rt, RT_API_DOCKER, fake.path);
    assert_int_equal(ops->container_inspect(&rt, "bad", &c, soon()), -EINVAL);
    assert_string_equal(rt.api_version, "");
    assert_int_equal(ops->container_inspect(&rt, "twice", &c, soon()), -EINVAL);
    assert_non_null(strstr(rt.err, "HTTP 400"));
    assert_int_equal(fake.n_seen, 10);
    ops->close(&rt);
    fake_stop();
}

static void
test_garbage_is_eproto(void **state)
{
    struct route routes[] = {
        { "GET /v4.0.0/libpod/containers/pmm/json", 200, "{\"Id\": [1, 2", 0 },
        { "GET /v4.0.0/libpod/containers/arr/json", 200, "[]", 0 },
        { "GET /v4.0.0/libpod/containers/empty/json", 200, "", 0 },
        { "GET /v4.0.0/libpod/containers/noid/json", 200, "{\"x\":1}", 0 },
        { "GET /v4.0.0/libpod/images/img/json", 200, "\x01\xff garbage", 0 },
        { "GET /v4.0.0/libpod/_ping", 200, "NOPE", 0 },
    };
    const struct rt_ops *ops;
    struct rt_container c;
    struct rt_image img;
    struct rt rt;

    (void) state;
    FAKE(routes, false);
    ops = open_rt(&rt, RT_API_LIBPOD, fake.path);
    assert_int_equal(ops->container_inspect(&rt, "pmm", &c, soon()), -EPROTO);
    assert_int_equal(ops->container_inspect(&rt, "arr", &c, soon()), -EPROTO);
    assert_int_equal(ops->container_inspect(&rt, "empty", &c, soon()), -EPROTO);
    assert_int_equal(ops->container_inspect(&rt, "noid", &c, soon()), -EPROTO);
    assert_int_equal(ops->image_inspect(&rt, "img", &img, soon()), -EPROTO);
    assert_int_equal(ops->ping(&rt, soon()), -EPROTO);
    ops->close(&rt);
    fake_stop();
}

static void
test_error_messages(void **state)
{
    struct route routes[] = {
        { "GET /v4.0.0/libpod/containers/a/json", 500, "{\"message\":\"boom\"}",
          0 },
        { "GET /v4.0.0/libpod/containers/b/json", 500,
          "{\"cause\":\"only a cause\"}", 0 },
        { "GET /v4.0.0/libpod/containers/c/json", 502,
          "plain text failure\nsecond line", 0 },
    };
    const struct rt_ops *ops;
    struct rt_container c;
    struct rt rt;

    (void) state;
    FAKE(routes, false);
    ops = open_rt(&rt, RT_API_LIBPOD, fake.path);
    assert_int_equal(ops->container_inspect(&rt, "a", &c, soon()), -EIO);
    assert_non_null(strstr(rt.err, "boom"));
    assert_non_null(strstr(rt.err, "500"));
    assert_int_equal(ops->container_inspect(&rt, "b", &c, soon()), -EIO);
    assert_non_null(strstr(rt.err, "only a cause"));
    assert_int_equal(ops->container_inspect(&rt, "c", &c, soon()), -EPROTO);
    assert_non_null(strstr(rt.err, "plain text failure"));
    assert_null(strstr(rt.err, "second line"));
    ops->close(&rt);
    fake_stop();
}

/* ---- containers: run ---------------------------------------------------- */

static void
test_run_libpod(void **state)
{
    struct route routes[] = {
        { "DELETE /v4.0.0/libpod/containers/pmm?force=true&timeout=0", 404,
          "{\"message\":\"no such container\"}", 0 },
        { "POST /v4.0.0/libpod/containers/create", 201,
          "{\"Id\":\"c0ffee\",\"Warnings\":[]}", 0 },
        { "POST /v4.0.0/libpod/containers/pmm/start", 204, NULL, 0 },
    };
    const struct rt_ops *ops;
    struct rt_run_spec spec;
    struct json_object *o;
    struct rt rt;

    (void) state;
    FAKE(routes, false);
    ops = open_rt(&rt, RT_API_LIBPOD, fake.path);
    full_spec(&spec);
    spec.network = "host";
    assert_int_equal(ops->container_run(&rt, &spec, soon()), 0);
    /* no old container: nothing is removed first */
    assert_int_equal(fake.n_seen, 2);
    assert_string_equal(seen_line(0), "POST /v4.0.0/libpod/containers/create");
    assert_string_equal(seen_line(1),
                        "POST /v4.0.0/libpod/containers/pmm/start");
    o = json_tokener_parse(fake.seen[0].body);
    assert_non_null(o);
    assert_string_equal(jstr(o, "name"), "pmm");
    assert_string_equal(jstr(o, "image"),
                        "docker.io/percona/pmm-server:2.41.0");
    assert_string_equal(jstr(o, "remove"), "true");
    assert_string_equal(jstr(o, "healthconfig.Test.[0]"), "NONE");
    assert_string_equal(jstr(o, "portmappings.[0].host_ip"), "10.0.0.5");
    assert_string_equal(jstr(o, "portmappings.[0].host_port"), "8443");
    assert_string_equal(jstr(o, "portmappings.[0].container_port"), "443");
    assert_string_equal(jstr(o, "portmappings.[0].protocol"), "tcp");
    assert_string_equal(jstr(o, "portmappings.[1].host_ip"), "(missing)");
    assert_string_equal(jstr(o, "portmappings.[1].host_port"), "8080");
    assert_string_equal(jstr(o, "mounts.[0].source"), volume);
    assert_string_equal(jstr(o, "mounts.[0].destination"), "/srv");
    assert_string_equal(jstr(o, "mounts.[0].type"), "bind");
    assert_string_equal(jstr(o, "env.PMM_DEBUG"), "1");
    assert_string_equal(jstr(o, "env.X"), "a=b");
    assert_string_equal(jstr(o, "netns.nsmode"), "host");
    assert_string_equal(jstr(o, "hostname"), "pmm-ha");
    assert_string_equal(jstr(o, "r_limits.[0].type"), "nofile");
    assert_string_equal(jstr(o, "r_limits.[0].soft"), "1024");
    assert_string_equal(jstr(o, "r_limits.[0].hard"), "4096");
    assert_non_null(strstr(fake.seen[0].body, "\"org.pmmha.owner\":\"pmm\""));
    json_object_put(o);
    ops->close(&rt);
    fake_stop();
}

static void
test_run_libpod_named_network(void **state)
{
    struct route routes[] = {
        { "DELETE /v4.0.0/libpod/containers/pmm?force=true&timeout=0", 200,
          "[]", 0 },
        { "POST /v4.0.0/libpod/containers/create", 201, "{}", 0 },
        { "POST /v4.0.0/libpod/containers/pmm/start", 304, NULL, 0 },
    };
    const struct rt_ops *ops;
    struct rt_run_spec spec;
    struct json_object *o;
    struct rt rt;

    (void) state;
    FAKE(routes, false);
    ops = open_rt(&rt, RT_API_LIBPOD, fake.path);
    memset(&spec, 0, sizeof spec);
    spec.name = "pmm";
    spec.image = "pmm:1";
    spec.network = "pmm-net";
    assert_int_equal(ops->container_run(&rt, &spec, soon()), 0);
    o = json_tokener_parse(fake.seen[0].body);
    assert_non_null(o);
    assert_string_equal(jstr(o, "netns.nsmode"), "bridge");
    assert_non_null(strstr(fake.seen[0].body, "\"Networks\":{\"pmm-net\":{}}"));
    assert_null(strstr(fake.seen[0].body, "mounts"));
    assert_null(strstr(fake.seen[0].body, "hostname"));
    json_object_put(o);
    ops->close(&rt);
    fake_stop();
}

static void
test_run_docker(void **state)
{
    struct route routes[] = {
        { "POST /v1.41/containers/pmm/kill?signal=KILL", 404,
          "{\"message\":\"No such container: pmm\"}", 0 },
        { "DELETE /v1.41/containers/pmm?force=true", 404,
          "{\"message\":\"No such container: pmm\"}", 0 },
        { "POST /v1.41/containers/create?name=pmm", 201,
          "{\"Id\":\"c0ffee\",\"Warnings\":[]}", 0 },
        { "POST /v1.41/containers/pmm/start", 204, NULL, 0 },
    };
    const struct rt_ops *ops;
    struct rt_run_spec spec;
    struct json_object *o;
    struct rt rt;

    (void) state;
    FAKE(routes, false);
    ops = open_rt(&rt, RT_API_DOCKER, fake.path);
    full_spec(&spec);
    spec.network = "pmm-net";
    assert_int_equal(ops->container_run(&rt, &spec, soon()), 0);
    assert_int_equal(fake.n_seen, 2);
    assert_string_equal(seen_line(0), "POST /v1.41/containers/create?name=pmm");
    assert_string_equal(seen_line(1), "POST /v1.41/containers/pmm/start");
    o = json_tokener_parse(fake.seen[0].body);
    assert_non_null(o);
    assert_string_equal(jstr(o, "name"), "(missing)");
    assert_string_equal(jstr(o, "Image"),
                        "docker.io/percona/pmm-server:2.41.0");
    assert_string_equal(jstr(o, "Hostname"), "pmm-ha");
    assert_string_equal(jstr(o, "Env.[0]"), "PMM_DEBUG=1");
    assert_string_equal(jstr(o, "Env.[1]"), "X=a=b");
    assert_string_equal(jstr(o, "Healthcheck.Test.[0]"), "NONE");
    assert_non_null(strstr(fake.seen[0].body, "\"org.pmmha.owner\":\"pmm\""));
    assert_non_null(strstr(fake.seen[0].body,
                           "\"ExposedPorts\":{\"443/tcp\":{},\"80/tcp\":{}}"));
    assert_string_equal(jstr(o, "HostConfig.AutoRemove"), "true");
    assert_string_equal(jstr(o, "HostConfig.NetworkMode"), "pmm-net");
    assert_string_equal(jstr(o, "HostConfig.Mounts.[0].Type"), "bind");
    assert_string_equal(jstr(o, "HostConfig.Mounts.[0].Source"), volume);
    assert_string_equal(jstr(o, "HostConfig.Mounts.[0].Target"), "/srv");
    assert_string_equal(jstr(o, "HostConfig.Ulimits.[0].Name"), "nofile");
    assert_string_equal(jstr(o, "HostConfig.Ulimits.[0].Hard"), "4096");
    assert_non_null(strstr(fake.seen[0].body,
                           "\"PortBindings\":{\"443/tcp\":[{\"HostIp\":"
                           "\"10.0.0.5\",\"HostPort\":\"8443\"}],\"80/tcp\":"
                           "[{\"HostIp\":\"\",\"HostPort\":\"8080\"}]}"));
    json_object_put(o);
    ops->close(&rt);
    fake_stop();
}

static void
test_run_start_fails(void **state)
{
    struct route routes[] = {
        { "DELETE /v4.0.0/libpod/containers/pmm?force=true&timeout=0", 404,
          "{}", 0 },
        { "POST /v4.0.0/libpod/containers/create", 201, "{}", 0 },
        { "POST /v4.0.0/libpod/containers/pmm/start", 500,
          "{\"cause\":\"OCI runtime error\",\"message\":\"boom\","
          "\"response\":500}",
          0 },
    };
    const struct rt_ops *ops;
    struct rt_run_spec spec;
    struct rt rt;

    (void) state;
    FAKE(routes, false);
    ops = open_rt(&rt, RT_API_LIBPOD, fake.path);
    full_spec(&spec);
    assert_int_equal(ops->container_run(&rt, &spec, soon()), -EIO);
    assert_non_null(strstr(rt.err, "boom"));
    /* no half-made container left behind */
    assert_int_equal(fake.n_seen, 3);
    assert_string_equal(seen_line(2),
                        "DELETE /v4.0.0/libpod/containers/pmm?force=true&"
                        "timeout=0");
    ops->close(&rt);
    fake_stop();
}

static void
test_run_name_busy_retries(void **state)
{
    struct route routes[] = {
        { "POST /v1.41/containers/pmm/kill?signal=KILL", 409,
          "{\"message\":\"Container pmm is not running\"}", 0 },
        { "DELETE /v1.41/containers/pmm?force=true", 409,
          "{\"message\":\"removal of container pmm is already in progress\"}",
          1 },
        { "DELETE /v1.41/containers/pmm?force=true", 404, "{}", 0 },
        { "POST /v1.41/containers/create?name=pmm", 409,
          "{\"message\":\"Conflict. The container name \\\"/pmm\\\" is "
          "already in use\"}",
          1 },
        { "POST /v1.41/containers/create?name=pmm", 201, "{}", 0 },
        { "POST /v1.41/containers/pmm/start", 204, NULL, 0 },
    };
    const struct rt_ops *ops;
    struct rt_run_spec spec;
    struct rt rt;

    (void) state;
    FAKE(routes, false);
    ops = open_rt(&rt, RT_API_DOCKER, fake.path);
    full_spec(&spec);
    assert_int_equal(ops->container_run(&rt, &spec, soon()), 0);
    /* create first; the name is taken, so the old one goes, then retries */
    assert_string_equal(seen_line(0), "POST /v1.41/containers/create?name=pmm");
    assert_string_equal(seen_line(1),
                        "POST /v1.41/containers/pmm/kill?signal=KILL");
    assert_string_equal(seen_line(fake.n_seen - 1),
                        "POST /v1.41/containers/pmm/start");
    ops->close(&rt);
    fake_stop();
}

static void
test_run_refuses_bad_spec(void **state)
{
    struct route routes[] = {
        { "DELETE /v4.0.0/libpod/containers/pmm?force=true&timeout=0", 404,
          "{}", 0 },
    };
    const struct rt_ops *ops;
    struct rt_run_spec spec;
    struct rt rt;

    (void) state;
    FAKE(routes, false);
    ops = open_rt(&rt, RT_API_LIBPOD, fake.path);
    full_spec(&spec);
    spec.volume = "/nonexistent/pmmha/srv"; /* never created by us */
    assert_int_equal(ops->container_run(&rt, &spec, soon()), -ENOENT);
    assert_non_null(strstr(rt.err, "/nonexistent/pmmha/srv"));
    assert_int_equal(fake.n_seen, 0);
    full_spec(&spec);
    spec.env[1] = "NOEQUALS";
    assert_int_equal(ops->container_run(&rt, &spec, soon()), -EINVAL);
    assert_int_equal(fake.n_seen, 0); /* the old container stays */
    ops->close(&rt);
    fake_stop();
}

static void
test_podman_500_outcomes(void **state)
{
    struct route routes[] = {
        /* auto-remove in progress: inspect and DELETE race with it */
        { "GET /v4.0.0/libpod/containers/pmm/json", 500,
          "{\"cause\":\"no such container\",\"message\":\"container c0 "
          "does not exist in database: no such container\",\"response\":500}",
          0 },
        { "POST /v4.0.0/libpod/containers/pmm/stop?timeout=10", 500,
          "{\"cause\":\"no such container\",\"message\":\"x\"}", 0 },
        { "DELETE /v4.0.0/libpod/containers/pmm?force=true&timeout=0", 500,
          "{\"cause\":\"no such container\",\"message\":\"x\"}", 0 },
        /* the name is still taken once, then free */
        { "POST /v4.0.0/libpod/containers/create", 500,
          "{\"cause\":\"that name is already in use\",\"message\":"
          "\"creating container storage: the container name \\\"pmm\\\" is "
          "already in use by c0\",\"response\":500}",
          1 },
        { "POST /v4.0.0/libpod/containers/create", 201, "{}", 1 },
        { "POST /v4.0.0/libpod/containers/pmm/start", 204, NULL, 0 },
        /* a missing image: 500 on libpod, 404 on the compatible API */
        { "POST /v4.0.0/libpod/containers/create", 500,
          "{\"cause\":\"image not known\",\"message\":\"pmm:9: image not "
          "known\",\"response\":500}",
          0 },
    };
    const struct rt_ops *ops;
    struct rt_run_spec spec;
    struct rt_container c;
    struct rt rt;

    (void) state;
    FAKE(routes, false);
    ops = open_rt(&rt, RT_API_LIBPOD, fake.path);
    assert_int_equal(ops->container_inspect(&rt, "pmm", &c, soon()), 0);
    assert_false(c.exists);
    assert_int_equal(ops->container_stop(&rt, "pmm", 10, soon()), 0);
    assert_int_equal(ops->container_remove(&rt, "pmm", soon()), 0);
    full_spec(&spec);
    assert_int_equal(ops->container_run(&rt, &spec, soon()), 0);
    assert_string_equal(seen_line(fake.n_seen - 1),
                        "POST /v4.0.0/libpod/containers/pmm/start");
    assert_int_equal(ops->container_run(&rt, &spec, soon()), -ENOENT);
    assert_non_null(strstr(rt.err, "image not known"));
    ops->close(&rt);
    fake_stop();
}

/* ---- containers: stop, kill, remove ------------------------------------- */

static void
test_stop_kill_remove(void **state)
{
    struct route routes[] = {
        { "POST /v4.0.0/libpod/containers/pmm/stop?timeout=30", 304, NULL, 0 },
        { "POST /v1.41/containers/pmm/stop?t=30", 404, "{}", 0 },
        { "POST /v1.41/containers/bad/stop?t=0", 500, "{\"message\":\"boom\"}",
          0 },
        { "POST /v4.0.0/libpod/containers/pmm/kill?signal=KILL", 204, NULL, 0 },
        { "POST /v4.0.0/libpod/containers/off/kill?signal=KILL", 500,
          "{\"cause\":\"container state improper\",\"message\":\"can only "
          "kill running containers: container state improper\"}",
          0 },
        { "POST /v4.0.0/libpod/containers/gone/kill?signal=KILL", 404, "{}",
          0 },
        { "DELETE /v4.0.0/libpod/containers/gone?force=true&timeout=0", 404,
          "{}", 0 },
        { "DELETE /v4.0.0/libpod/containers/bad?force=true&timeout=0", 500,
          "{\"message\":\"boom\"}", 0 },
    };
    const struct rt_ops *ops;
    struct rt rt;

    (void) state;
    FAKE(routes, false);
    ops = open_rt(&rt, RT_API_LIBPOD, fake.path);
    assert_int_equal(ops->container_stop(&rt, "pmm", 30, soon()), 0);
    assert_int_equal(ops->container_kill(&rt, "pmm", soon()), 0);
    assert_int_equal(ops->container_kill(&rt, "off", soon()), -ESRCH);
    assert_int_equal(ops->container_kill(&rt, "gone", soon()), -ENOENT);
    assert_int_equal(ops->container_remove(&rt, "gone", soon()), 0);
    assert_int_equal(ops->container_remove(&rt, "bad", soon()), -EIO);
    assert_non_null(strstr(rt.err, "boom"));
    ops->close(&rt);
    ops = open_rt(&rt, RT_API_DOCKER, fake.path);
    assert_int_equal(ops->container_stop(&rt, "pmm", 30, soon()), 0);
    assert_int_equal(ops->container_stop(&rt, "bad", -5, soon()), -EIO);
    ops->close(&rt);
    fake_stop();
}

/* ---- exec --------------------------------------------------------------- */

/* stdout "hello\n", stderr "oops\n", stdout "bye" */
static const char stream_ok[]
    = "\1\0\0\0\0\0\0\6hello\n\2\0\0\0\0\0\0\5oops\n\1\0\0\0\0\0\0\3bye";

static void
test_exec_libpod(void **state)
{
    struct route routes[] = {
        { "POST /v4.0.0/libpod/containers/pmm/exec", 201, "{\"Id\":\"e1\"}",
          1 },
        { "POST /v4.0.0/libpod/containers/pmm/exec", 201, "{\"Id\":\"e2\"}",
          1 },
        { "POST /v4.0.0/libpod/containers/pmm/exec", 201, "{\"Id\":\"e3\"}",
          1 },
        { "GET /v4.0.0/libpod/exec/e1/json", 200,
          "{\"ExitCode\":0,\"Running\":false}", 0 },
        /* the stream can end before the exit code is recorded */
        { "GET /v4.0.0/libpod/exec/e2/json", 200,
          "{\"ExitCode\":0,\"Running\":true}", 2 },
        { "GET /v4.0.0/libpod/exec/e2/json", 200,
          "{\"ExitCode\":1,\"Running\":false}", 0 },
        { "GET /v4.0.0/libpod/exec/e3/json", 200, "{\"Running\":false}", 0 },
    };
    static const struct raw raws[] = {
        { "POST /v4.0.0/libpod/exec/e1/start", stream_ok,
          sizeof stream_ok - 1 },
        { "POST /v4.0.0/libpod/exec/e2/start", "", 0 },
        { "POST /v4.0.0/libpod/exec/e3/start", "", 0 },
    };
    const char *const argv[]
        = { "supervisorctl", "stop", "pmm-managed", "a\"b", NULL };
    const struct rt_ops *ops;
    struct json_object *o;
    char out[64] = "x";
    struct rt rt;
    int status = -1;

    (void) state;
    FAKE(routes, false);
    fake_raw(raws, sizeof raws / sizeof *raws);
    ops = open_rt(&rt, RT_API_LIBPOD, fake.path);
    assert_int_equal(
        ops->container_exec(&rt, "pmm", argv, &status, out, sizeof out, soon()),
        0);
    assert_int_equal(status, 0);
    assert_string_equal(out, "hello\noops\nbye");
    assert_string_equal(seen_line(1), "POST /v4.0.0/libpod/exec/e1/start");
    assert_string_equal(seen_line(2), "GET /v4.0.0/libpod/exec/e1/json");
    o = json_tokener_parse(fake.seen[0].body);
    assert_string_equal(jstr(o, "AttachStdout"), "true");
    assert_string_equal(jstr(o, "AttachStderr"), "true");
    assert_string_equal(jstr(o, "Cmd.[0]"), "supervisorctl");
    assert_string_equal(jstr(o, "Cmd.[3]"), "a\"b");
    assert_string_equal(jstr(o, "Cmd.[4]"), "(missing)");
    json_object_put(o);
    o = json_tokener_parse(fake.seen[1].body);
    assert_string_equal(jstr(o, "Detach"), "false");
    json_object_put(o);

    /* non-zero exit, no output, out NULL; asked again while running */
    assert_int_equal(
        ops->container_exec(&rt, "pmm", argv, &status, NULL, 0, soon()), 0);
    assert_int_equal(status, 1);
    assert_int_equal(fake.n_seen, 3 + 5);
    /* no ExitCode: status untouched */
    status = 42;
    assert_int_equal(
        ops->container_exec(&rt, "pmm", argv, &status, out, sizeof out, soon()),
        -EPROTO);
    assert_int_equal(status, 42);
    assert_string_equal(out, "");
    ops->close(&rt);
    fake_stop();
}

static void
test_exec_docker_truncates(void **state)
{
    struct route routes[] = {
        { "POST /v1.41/containers/pmm/exec", 201, "{\"Id\":\"abc\"}", 0 },
        { "GET /v1.41/exec/abc/json", 200, "{\"ExitCode\":3,\"Running\":false}",
          0 },
    };
    static const struct raw raws[] = {
        { "POST /v1.41/exec/abc/start", stream_ok, sizeof stream_ok - 1 },
    };
    const char *const argv[] = { "false", NULL };
    const struct rt_ops *ops;
    char out[8];
    struct rt rt;
    int status = -1;

    (void) state;
    FAKE(routes, false);
    fake_raw(raws, sizeof raws / sizeof *raws);
    ops = open_rt(&rt, RT_API_DOCKER, fake.path);
    assert_int_equal(
        ops->container_exec(&rt, "pmm", argv, &status, out, sizeof out, soon()),
        0);
    assert_int_equal(status, 3);
    assert_string_equal(out, "hello\no");
    ops->close(&rt);
    fake_stop();
}

static void
test_exec_errors(void **state)
{
    struct route routes[] = {
        { "POST /v4.0.0/libpod/containers/gone/exec", 404,
          "{\"cause\":\"no such container\",\"message\":\"no container with "
          "name or ID \\\"gone\\\" found: no such container\"}",
          0 },
        { "POST /v4.0.0/libpod/containers/off/exec", 500,
          "{\"cause\":\"container state improper\",\"message\":\"can only "
          "create exec sessions on running containers: container state "
          "improper\"}",
          0 },
        { "POST /v1.41/containers/off/exec", 409,
          "{\"message\":\"Container off is not running\"}", 0 },
        { "POST /v1.41/containers/stops/exec", 201, "{\"Id\":\"s1\"}", 0 },
        { "POST /v1.41/exec/s1/start", 409,
          "{\"message\":\"cannot exec in a container that is not "
          "running\"}",
          0 },
        { "POST /v1.41/containers/cut/exec", 201, "{\"Id\":\"c1\"}", 0 },
        { "POST /v1.41/containers/junk/exec", 201, "{\"Id\":\"j1\"}", 0 },
        { "POST /v1.41/containers/noid/exec", 201, "{}", 0 },
    };
    static const struct raw raws[] = {
        /* a frame of 16 bytes with 3 sent, then the connection closed */
        { "POST /v1.41/exec/c1/start", "\1\0\0\0\0\0\0\20abc", 11 },
        { "POST /v1.41/exec/j1/start", "hello, not a stream", 19 },
    };
    const char *const argv[] = { "true", NULL }, *const none[] = { NULL };
    const struct rt_ops *ops;
    char out[32];
    struct rt rt;
    int status = 7;

    (void) state;
    FAKE(routes, false);
    fake_raw(raws, sizeof raws / sizeof *raws);
    ops = open_rt(&rt, RT_API_LIBPOD, fake.path);
    assert_int_equal(ops->container_exec(&rt, "gone", argv, &status, out,
                                         sizeof out, soon()),
                     -ENOENT);
    assert_non_null(strstr(rt.err, "no such container"));
    assert_int_equal(
        ops->container_exec(&rt, "off", argv, &status, out, sizeof out, soon()),
        -ESRCH);
    assert_int_equal(
        ops->container_exec(&rt, "", argv, &status, out, sizeof out, soon()),
        -EINVAL);
    assert_int_equal(
        ops->container_exec(&rt, "pmm", none, &status, out, sizeof out, soon()),
        -EINVAL);
    ops->close(&rt);
    ops = open_rt(&rt, RT_API_DOCKER, fake.path);
    assert_int_equal(
        ops->container_exec(&rt, "off", argv, &status, out, sizeof out, soon()),
        -ESRCH);
    assert_non_null(strstr(rt.err, "is not running (HTTP 409)"));
    assert_int_equal(ops->container_exec(&rt, "stops", argv, &status, out,
                                         sizeof out, soon()),
                     -ESRCH);
    assert_int_equal(
        ops->container_exec(&rt, "cut", argv, &status, out, sizeof out, soon()),
        -EPROTO);
    assert_non_null(strstr(rt.err, "cut short"));
    assert_string_equal(out, "abc");
    assert_int_equal(ops->container_exec(&rt, "junk", argv, &status, out,
                                         sizeof out, soon()),
                     -EPROTO);
    assert_non_null(strstr(rt.err, "not multiplexed"));
    assert_int_equal(ops->container_exec(&rt, "noid", argv, &status, out,
                                         sizeof out, soon()),
                     -EPROTO);
    assert_int_equal(status, 7);
    ops->close(&rt);
    fake_stop();
}

static void
test_exec_deadline(void **state)
{
    struct route routes[] = {
        { "POST /v4.0.0/libpod/containers/pmm/exec", 201, "{\"Id\":\"r\"}", 0 },
        { "GET /v4.0.0/libpod/exec/r/json", 200,
          "{\"ExitCode\":0,\"Running\":true}", 0 },
    };
    static const struct raw raws[] = {
        { "POST /v4.0.0/libpod/exec/r/start", "", 0 },
    };
    const char *const argv[] = { "sleep", "60", NULL };
    const struct rt_ops *ops;
    struct rt rt;
    uint64_t t0, ms;
    int status = 7;

    (void) state;
    /* a runtime that never answers */
    FAKE(routes, true);
    ops = open_rt(&rt, RT_API_LIBPOD, fake.path);
    t0 = ra_now_ns();
    assert_int_equal(ops->container_exec(&rt, "pmm", argv, &status, NULL, 0,
                                         ra_deadline_in_ms(300)),
                     -ETIMEDOUT);
    ms = (ra_now_ns() - t0) / RA_NSEC_PER_MSEC;
    assert_true(ms >= 250 && ms <= 300 + 200);
    ops->close(&rt);
    fake_stop();
    /* an exec that still runs when the deadline comes */
    FAKE(routes, false);
    fake_raw(raws, sizeof raws / sizeof *raws);
    ops = open_rt(&rt, RT_API_LIBPOD, fake.path);
    t0 = ra_now_ns();
    assert_int_equal(ops->container_exec(&rt, "pmm", argv, &status, NULL, 0,
                                         ra_deadline_in_ms(400)),
                     -ETIMEDOUT);
    ms = (ra_now_ns() - t0) / RA_NSEC_PER_MSEC;
    assert_true(ms <= 400 + 200);
    assert_int_equal(status, 7);
    ops->close(&rt);
    fake_stop();
}

/* ---- time and transport ------------------------------------------------- */

static void
test_hang_deadline(void **state)
{
    struct route routes[] = { { "GET /v1.41/_ping", 200, "OK", 0 } };
    const struct rt_ops *ops;
    struct rt_container c;
    struct rt rt;
    uint64_t t0, ms;

    (void) state;
    FAKE(routes, true);
    ops = open_rt(&rt, RT_API_DOCKER, fake.path);
    t0 = ra_now_ns();
    assert_int_equal(ops->ping(&rt, ra_deadline_in_ms(300)), -ETIMEDOUT);
    ms = (ra_now_ns() - t0) / RA_NSEC_PER_MSEC;
    assert_true(ms >= 250 && ms <= 300 + 200);
    /* stop: the grace allows more, the deadline does not */
    t0 = ra_now_ns();
    assert_int_equal(
        ops->container_stop(&rt, "pmm", 600, ra_deadline_in_ms(300)),
        -ETIMEDOUT);
    ms = (ra_now_ns() - t0) / RA_NSEC_PER_MSEC;
    assert_true(ms >= 250 && ms <= 300 + 200);
    /* a passed deadline sends nothing */
    t0 = ra_now_ns();
    assert_int_equal(ops->container_inspect(&rt, "pmm", &c, ra_now_ns() - 1),
                     -ETIMEDOUT);
    assert_true(ra_now_ns() - t0 < 50 * RA_NSEC_PER_MSEC);
    ops->close(&rt);
    fake_stop();
}

static void
test_no_socket(void **state)
{
    const struct rt_ops *ops;
    struct rt rt;

    (void) state;
    ops = open_rt(&rt, RT_API_LIBPOD, "/nonexistent/pmmha/api.sock");
    assert_int_equal(ops->ping(&rt, soon()), -ECONNREFUSED);
    assert_non_null(strstr(rt.err, "/nonexistent/pmmha/api.sock"));
    ops->close(&rt);
    ops->close(&rt); /* twice is harmless */
}

static void
test_open_rejects(void **state)
{
    struct rt rt;

    (void) state;
    memset(&rt, 0, sizeof rt);
    rt.transport = RT_CLI;
    snprintf(rt.socket, sizeof rt.socket, "/run/podman/podman.sock");
    assert_null(ra_net_plugin.rt_api_open(&rt));
    assert_true(rt.err[0] != '\0');
    rt.transport = RT_API_LIBPOD;
    snprintf(rt.socket, sizeof rt.socket, "relative.sock");
    assert_null(ra_net_plugin.rt_api_open(&rt));
}

static void
test_escaping(void **state)
{
    struct route routes[] = {
        { "GET /v4.0.0/libpod/images/a%20b%2Fc%40sha256%3A00%25/json", 404,
          "{}", 0 },
    };
    const struct rt_ops *ops;
    struct rt_image img;
    struct rt rt;
    char longname[900];

    (void) state;
    FAKE(routes, false);
    ops = open_rt(&rt, RT_API_LIBPOD, fake.path);
    assert_int_equal(ops->image_inspect(&rt, "a b/c@sha256:00%", &img, soon()),
                     -ENOENT);
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_int_equal(ops->image_inspect(&rt, longname, &img, soon()),
                     -ENAMETOOLONG);
    assert_int_equal(fake.n_seen, 1);
    ops->close(&rt);
    fake_stop();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ping_both),
        cmocka_unit_test(test_image_inspect_libpod),
        cmocka_unit_test(test_image_inspect_docker_404),
        cmocka_unit_test(test_image_pull_libpod),
        cmocka_unit_test(test_image_pull_docker),
        cmocka_unit_test(test_container_inspect_libpod),
        cmocka_unit_test(test_container_inspect_docker),
        cmocka_unit_test(test_docker_version_negotiation),
        cmocka_unit_test(test_garbage_is_eproto),
        cmocka_unit_test(test_error_messages),
        cmocka_unit_test(test_run_libpod),
        cmocka_unit_test(test_run_libpod_named_network),
        cmocka_unit_test(test_run_docker),
        cmocka_unit_test(test_run_start_fails),
        cmocka_unit_test(test_run_name_busy_retries),
        cmocka_unit_test(test_run_refuses_bad_spec),
        cmocka_unit_test(test_podman_500_outcomes),
        cmocka_unit_test(test_stop_kill_remove),
        cmocka_unit_test(test_exec_libpod),
        cmocka_unit_test(test_exec_docker_truncates),
        cmocka_unit_test(test_exec_errors),
        cmocka_unit_test(test_exec_deadline),
        cmocka_unit_test(test_hang_deadline),
        cmocka_unit_test(test_no_socket),
        cmocka_unit_test(test_open_rejects),
        cmocka_unit_test(test_escaping),
    };

    return cmocka_run_group_tests(tests, setup_volume, teardown_volume);
}
