/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rt-cli.c - the container runtime through its command line (podman or
 * docker), for when the API socket is absent. Every operation is one
 * ra_spawn() of rt->cli with Go templates (--format) instead of JSON, so
 * that nothing here needs a JSON parser. The templates use only fields both
 * podman (4.x) and docker have.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ra-spawn.h"
#include "runtime.h"

/* SIGTERM-to-SIGKILL grace for a CLI run out of time, at most. */
#define CLI_GRACE_MS 250
#define CLI_ENV_MAX 24

/*
 * {{.Config.Image}} is the reference the container was created from on
 * both (podman also has .ImageName); {{.Image}} is the image ID (bare hex on
 * podman, "sha256:..." on docker). The addresses come from the per-network
 * entries: docker API >= 1.44 deprecates the top-level
 * .NetworkSettings.IPAddress, and with --network host there are none.
 */
static const char ctr_format[]
    = "{{.State.Running}}|{{.State.Pid}}|{{.State.ExitCode}}|{{.State.Status}}"
      "|{{.Id}}|{{.Image}}|{{.Config.Image}}"
      "|{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}";
#define CTR_FIELDS 8

/* {{with}}: docker may have no .Config for an image. */
static const char img_format[]
    = "{{.Id}}|{{with .Config}}"
      "{{index .Labels \"org.opencontainers.image.version\"}}{{end}}";

/* The agent's environment that the CLI needs to find its configuration. */
static const char *const passthrough_env[] = {
    "CONTAINERS_CONF",
    "CONTAINERS_STORAGE_CONF",
    "CONTAINERS_REGISTRIES_CONF",
    "REGISTRY_AUTH_FILE",
    "CONTAINER_HOST",
    "CONTAINER_CONNECTION",
    "DOCKER_HOST",
    "DOCKER_CONTEXT",
    "DOCKER_CONFIG",
    "DOCKER_CERT_PATH",
    "DOCKER_TLS_VERIFY",
    "XDG_RUNTIME_DIR",
    "HOME",
};

static bool
is_docker(const struct rt *rt)
{
    return rt->kind == RT_DOCKER;
}

static const char *
cli_name(const struct rt *rt)
{
    return is_docker(rt) ? "docker" : "podman";
}

static bool
env_wanted(const char *kv)
{
    for (size_t i = 0; i < sizeof passthrough_env / sizeof *passthrough_env;
         i++) {
        size_t n = strlen(passthrough_env[i]);

        if (strncmp(kv, passthrough_env[i], n) == 0 && kv[n] == '=')
            return true;
    }
    return false;
}

/*
 * The entries of environ that passthrough_env names, NULL-terminated; for
 * docker with a configured socket, DOCKER_HOST is that socket (@host) and
 * the environment's DOCKER_HOST and DOCKER_CONTEXT do not count.
 */
static void
cli_env(char **env, size_t max, char *host)
{
    size_t n = 0;

    if (host && n + 1 < max)
        env[n++] = host;
    for (char **e = environ; e && *e && n + 1 < max; e++)
        if (env_wanted(*e)
            && !(host
                 && (strncmp(*e, "DOCKER_HOST=", 12) == 0
                     || strncmp(*e, "DOCKER_CONTEXT=", 15) == 0)))
            env[n++] = *e;
    env[n] = NULL;
}

/* Names and references go after the options: one starting with '-' would
 * be taken for an option. */
static int
check_word(struct rt *rt, const char *what, const char *s)
{
    if (s && *s && *s != '-' && !strpbrk(s, " \t\n"))
        return 0;
    snprintf(rt->err, sizeof rt->err, "%s %s: invalid name or reference '%s'",
             cli_name(rt), what, s ? s : "");
    return -EINVAL;
}

/* Is @line noise (a warning, a log line) rather than the error itself? */
static bool
noise_line(const char *line)
{
    return strncmp(line, "WARN[", 5) == 0 || strncmp(line, "time=", 5) == 0
           || strncasecmp(line, "warning", 7) == 0;
}

/*
 * The line of @err that says what went wrong: the first one starting with
 * "Error", else the first that is not noise, else the first one.
 */
static const char *
pick_line(const char *err)
{
    const char *meaningful = NULL, *any = NULL, *end;

    for (const char *p = err; p && *p; p = *end ? end + 1 : end) {
        end = strchrnul(p, '\n');
        while (p < end && isspace((unsigned char) *p))
            p++;
        if (p == end)
            continue;
        if (strncasecmp(p, "error", 5) == 0)
            return p;
        if (!any)
            any = p;
        if (!meaningful && !noise_line(p))
            meaningful = p;
    }
    return meaningful ? meaningful : any;
}

/* That line into @buf, trimmed, without its "Error: ". */
static void
err_summary(const char *err, char *buf, size_t len)
{
    const char *line = pick_line(err), *end;
    size_t n;

    buf[0] = '\0';
    if (!line)
        return;
    end = strchrnul(line, '\n');
    if (strncasecmp(line, "error: ", 7) == 0)
        line += 7;
    while (end > line && isspace((unsigned char) end[-1]))
        end--;
    n = (size_t) (end - line) < len ? (size_t) (end - line) : len - 1;
    memcpy(buf, line, n);
    buf[n] = '\0';
}

/* rt->err = "podman WHAT: <stderr summary> (exit N)"; returns -EIO. */
static int
cli_fail(struct rt *rt, const char *what, const struct ra_spawn_result *res)
{
    char line[RT_ERR_MAX];

    err_summary(res->err, line, sizeof line);
    if (!line[0])
        snprintf(line, sizeof line, "no error message");
    snprintf(rt->err, sizeof rt->err, "%s %s: %.*s (exit %d)", cli_name(rt),
             what, RT_ERR_MAX - 64, line, res->status);
    return -EIO;
}

/* The spawn deadline: early enough that the kill grace ends by @d. */
static ra_deadline_t
cli_deadline(ra_deadline_t d, int *grace_ms)
{
    int left;

    *grace_ms = CLI_GRACE_MS;
    if (!d)
        return 0;
    left = ra_deadline_left_ms(d);
    if (*grace_ms > left / 4)
        *grace_ms = left / 4;
    return d - (uint64_t) *grace_ms * RA_NSEC_PER_MSEC;
}

/*
 * Runs rt->cli with @argv (argv[0] is set here) until @d. Returns 0 when it
 * ran to its end, whatever its status (@res tells), -ETIMEDOUT or -errno;
 * @res is always safe to free.
 */
static int
cli_exec(struct rt *rt, const char *what, const char **argv, ra_deadline_t d,
         struct ra_spawn_result *res)
{
    char *env[CLI_ENV_MAX], host[sizeof rt->socket + 32];
    ra_deadline_t sd;
    int r, grace;

    memset(res, 0, sizeof *res);
    rt->err[0] = '\0';
    argv[0] = rt->cli;
    snprintf(host, sizeof host, "DOCKER_HOST=unix://%s", rt->socket);
    cli_env(env, CLI_ENV_MAX, is_docker(rt) && rt->socket[0] ? host : NULL);
    sd = cli_deadline(d, &grace);
    r = ra_spawn((char *const *) argv, env, sd, grace, res);
    if (r == -ETIMEDOUT) {
        snprintf(rt->err, sizeof rt->err, "%s %s: no time left to run it",
                 cli_name(rt), what);
        return r;
    }
    if (r < 0) {
        snprintf(rt->err, sizeof rt->err, "%s %s: cannot run %.150s: %s",
                 cli_name(rt), what, rt->cli, strerror(-r));
        return r;
    }
    if (res->timed_out) {
        snprintf(rt->err, sizeof rt->err, "%s %s: timed out", cli_name(rt),
                 what);
        return -ETIMEDOUT;
    }
    return 0;
}

static bool
err_has(const struct ra_spawn_result *res, const char *const needles[])
{
    for (size_t i = 0; needles[i]; i++)
        if (strcasestr(res->err, needles[i]))
            return true;
    return false;
}

/* podman says it with 125, docker with 1. */
static bool
no_such_container(const struct ra_spawn_result *res)
{
    static const char *const msgs[]
        = { "no such container", "no such object", NULL };

    return (res->status == 125 || res->status == 1) && err_has(res, msgs);
}

static bool
no_such_image(const struct ra_spawn_result *res)
{
    static const char *const msgs[]
        = { "image not known", "no such image", "no such object", NULL };

    return (res->status == 125 || res->status == 1) && err_has(res, msgs);
}

/* Runs a command whose only result is its status; @ok_if tells which
 * failures count as success. */
static int
cli_simple(struct rt *rt, const char *what, const char **argv, ra_deadline_t d,
           bool (*ok_if)(const struct ra_spawn_result *))
{
    struct ra_spawn_result res;
    int r;

    r = cli_exec(rt, what, argv, d, &res);
    if (r == 0 && res.status != 0 && !(ok_if && ok_if(&res)))
        r = cli_fail(rt, what, &res);
    ra_spawn_result_free(&res);
    return r;
}

static int
cli_ping(struct rt *rt, ra_deadline_t d)
{
    /* podman without a service has no .Server; docker needs its daemon. */
    const char *argv[]
        = { NULL, "version", "--format",
            is_docker(rt) ? "{{.Server.Version}}" : "{{.Client.Version}}",
            NULL };

    return cli_simple(rt, "version", argv, d, NULL);
}

/* Splits @s in place on '|' into exactly @n fields (the last keeps the
 * rest); the trailing newline goes. */
static int
split_fields(char *s, char **f, size_t n)
{
    s[strcspn(s, "\n")] = '\0';
    for (size_t i = 0; i < n; i++) {
        f[i] = s;
        if (i + 1 == n)
            break;
        s = strchr(s, '|');
        if (!s)
            return -EPROTO;
        *s++ = '\0';
    }
    return 0;
}

static int
copy_field(char *dst, size_t len, const char *src)
{
    size_t n = strlen(src);

    if (strcmp(src, "<no value>") == 0)
        n = 0;
    if (n >= len)
        return -EPROTO;
    memcpy(dst, src, n);
    dst[n] = '\0';
    return 0;
}

static int
parse_int(const char *s, long long min, long long max, long long *ret)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -EPROTO;
    *ret = v;
    return 0;
}

/* The first non-empty address of the space-separated list. */
static int
first_ip(const char *list, char *buf, size_t len)
{
    size_t skip = strspn(list, " "), n = strcspn(list + skip, " ");

    if (n >= len)
        return -EPROTO;
    memcpy(buf, list + skip, n);
    buf[n] = '\0';
    return 0;
}

static int
parse_container(char *out, struct rt_container *c)
{
    char *f[CTR_FIELDS];
    long long pid, code;

    memset(c, 0, sizeof *c);
    c->exists = true;
    if (split_fields(out, f, CTR_FIELDS) < 0
        || (strcmp(f[0], "true") != 0 && strcmp(f[0], "false") != 0)
        || parse_int(f[1], 0, INT_MAX, &pid) < 0
        || parse_int(f[2], INT_MIN, INT_MAX, &code) < 0
        || copy_field(c->status, sizeof c->status, f[3]) < 0
        || copy_field(c->id, sizeof c->id, f[4]) < 0
        || copy_field(c->image_id, sizeof c->image_id, f[5]) < 0
        || copy_field(c->image, sizeof c->image, f[6]) < 0
        || first_ip(f[7], c->ip, sizeof c->ip) < 0)
        return -EPROTO;
    rt_id_normalize(c->image_id);
    c->running = strcmp(f[0], "true") == 0;
    c->pid = (pid_t) pid;
    c->exit_code = (int) code;
    return 0;
}

static int
cli_container_inspect(struct rt *rt, const char *name, struct rt_container *ret,
                      ra_deadline_t d)
{
    const char *argv[]
        = { NULL, "container", "inspect", "--format", ctr_format, name, NULL };
    const char *what = "container inspect";
    struct ra_spawn_result res;
    struct rt_container c;
    int r;

    r = check_word(rt, what, name);
    if (r < 0)
        return r;
    r = cli_exec(rt, what, argv, d, &res);
    if (r < 0)
        goto done;
    if (res.status != 0 && no_such_container(&res)) {
        memset(ret, 0, sizeof *ret);
        goto done;
    }
    if (res.status != 0) {
        r = cli_fail(rt, what, &res);
        goto done;
    }
    r = parse_container(res.out, &c);
    if (r < 0)
        snprintf(rt->err, sizeof rt->err, "%s %s: unexpected output",
                 cli_name(rt), what);
    else
        *ret = c;
done:
    ra_spawn_result_free(&res);
    return r;
}

static int
parse_image(char *out, struct rt_image *img)
{
    char *f[2];

    memset(img, 0, sizeof *img);
    img->exists = true;
    if (split_fields(out, f, 2) < 0 || !f[0][0]
        || copy_field(img->id, sizeof img->id, f[0]) < 0
        || copy_field(img->version, sizeof img->version, f[1]) < 0)
        return -EPROTO;
    rt_id_normalize(img->id);
    return 0;
}

static int
cli_image_inspect(struct rt *rt, const char *ref, struct rt_image *ret,
                  ra_deadline_t d)
{
    const char *argv[]
        = { NULL, "image", "inspect", "--format", img_format, ref, NULL };
    const char *what = "image inspect";
    struct ra_spawn_result res;
    struct rt_image img;
    int r;

    r = check_word(rt, what, ref);
    if (r < 0)
        return r;
    r = cli_exec(rt, what, argv, d, &res);
    if (r < 0)
        goto done;
    if (res.status != 0) {
        r = cli_fail(rt, what, &res);
        if (no_such_image(&res)) {
            memset(ret, 0, sizeof *ret);
            r = -ENOENT;
        }
        goto done;
    }
    r = parse_image(res.out, &img);
    if (r < 0)
        snprintf(rt->err, sizeof rt->err, "%s %s: unexpected output",
                 cli_name(rt), what);
    else
        *ret = img;
done:
    ra_spawn_result_free(&res);
    return r;
}

static int
cli_image_pull(struct rt *rt, const char *ref, ra_deadline_t d)
{
    const char *argv[] = { NULL, "pull", "-q", ref, NULL };
    int r = check_word(rt, "pull", ref);

    return r < 0 ? r : cli_simple(rt, "pull", argv, d, NULL);
}

static int
cli_container_remove(struct rt *rt, const char *name, ra_deadline_t d)
{
    /* podman rm -f would first wait 10 s for a SIGTERM (docker kills). */
    const char *podman[] = { NULL, "rm", "-f", "-t", "0", name, NULL };
    const char *docker[] = { NULL, "rm", "-f", name, NULL };
    int r = check_word(rt, "rm", name);

    if (r < 0)
        return r;
    return cli_simple(rt, "rm", is_docker(rt) ? docker : podman, d,
                      no_such_container);
}

static int
cli_container_stop(struct rt *rt, const char *name, int grace_s,
                   ra_deadline_t d)
{
    char t[16];
    const char *argv[] = { NULL, "stop", "-t", t, name, NULL };
    int r = check_word(rt, "stop", name);

    if (r < 0)
        return r;
    snprintf(t, sizeof t, "%d", grace_s < 0 ? 0 : grace_s);
    return cli_simple(rt, "stop", argv, d, no_such_container);
}

/* Killing what is not running has reached the goal too. */
static bool
kill_ok(const struct ra_spawn_result *res)
{
    static const char *const msgs[]
        = { "container state improper", "is not running", NULL };

    return no_such_container(res)
           || ((res->status == 125 || res->status == 1) && err_has(res, msgs));
}

static int
cli_container_kill(struct rt *rt, const char *name, ra_deadline_t d)
{
    const char *argv[] = { NULL,   "kill", is_docker(rt) ? "-s" : "--signal",
                           "KILL", name,   NULL };
    int r = check_word(rt, "kill", name);

    return r < 0 ? r : cli_simple(rt, "kill", argv, d, kill_ok);
}

/* Formatted option values of one run: storage the argv points into. */
struct run_text {
    char ports[RT_MAX_PORTS][100];
    char ulimits[RT_MAX_ULIMITS][64];
    char mount[PATH_MAX + 32];
    char conf[2 * PATH_MAX + 40];
};

static int
check_spec(struct rt *rt, const struct rt_run_spec *s)
{
    int r = check_word(rt, "run", s->name);

    if (r == 0)
        r = check_word(rt, "run", s->image);
    if (r < 0)
        return r;
    if (s->n_ports > RT_MAX_PORTS || s->n_env > RT_MAX_ENV
        || s->n_ulimits > RT_MAX_ULIMITS || s->n_labels > RT_MAX_LABELS) {
        snprintf(rt->err, sizeof rt->err, "run: too many options");
        return -EINVAL;
    }
    if (s->volume
        && (s->volume[0] != '/' || strchr(s->volume, ',')
            || strlen(s->volume) >= PATH_MAX)) {
        snprintf(rt->err, sizeof rt->err,
                 "run: volume '%s' must be an absolute path without ','",
                 s->volume);
        return -EINVAL;
    }
    if (s->conf_src
        && (!s->conf_dst || s->conf_src[0] != '/' || s->conf_dst[0] != '/'
            || strchr(s->conf_src, ',') || strchr(s->conf_dst, ',')
            || strlen(s->conf_src) >= PATH_MAX
            || strlen(s->conf_dst) >= PATH_MAX)) {
        snprintf(rt->err, sizeof rt->err,
                 "run: a file mount must name absolute paths without ','");
        return -EINVAL;
    }
    for (size_t i = 0; i < s->n_env; i++)
        if (!s->env[i] || !strchr(s->env[i], '=')) {
            snprintf(rt->err, sizeof rt->err,
                     "run: environment entry without '='");
            return -EINVAL;
        }
    return 0;
}

static void
format_port(char *buf, size_t len, const struct rt_port *p)
{
    const char *proto = p->proto[0] ? p->proto : "tcp";

    if (!p->host_ip[0])
        snprintf(buf, len, "%d:%d/%s", p->host_port, p->container_port, proto);
    else if (strchr(p->host_ip, ':'))
        snprintf(buf, len, "[%s]:%d:%d/%s", p->host_ip, p->host_port,
                 p->container_port, proto);
    else
        snprintf(buf, len, "%s:%d:%d/%s", p->host_ip, p->host_port,
                 p->container_port, proto);
}

static size_t
count_words(char **words)
{
    size_t n = 0;

    while (words && words[n])
        n++;
    return n;
}

/* Appends @flag @value pairs for @n values. */
static size_t
add_pairs(const char **argv, size_t i, const char *flag,
          const char *const *values, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        argv[i++] = flag;
        argv[i++] = values[j];
    }
    return i;
}

/* The options of the run, in text @t; argv[0] is left for cli_exec(). */
static void
run_argv(const struct rt *rt, const struct rt_run_spec *s, struct run_text *t,
         const char **argv)
{
    const char *ports[RT_MAX_PORTS] = { 0 }, *ulimits[RT_MAX_ULIMITS] = { 0 };
    size_t i = 1;

    for (size_t j = 0; j < s->n_ports; j++) {
        format_port(t->ports[j], sizeof t->ports[j], &s->ports[j]);
        ports[j] = t->ports[j];
    }
    for (size_t j = 0; j < s->n_ulimits; j++) {
        const struct rt_ulimit *u = &s->ulimits[j];

        snprintf(t->ulimits[j], sizeof t->ulimits[j], "%s=%lld:%lld", u->name,
                 u->soft, u->hard);
        ulimits[j] = t->ulimits[j];
    }
    argv[i++] = "run";
    argv[i++] = "-d";
    argv[i++] = "--rm";
    argv[i++] = "--name";
    argv[i++] = s->name;
    i = add_pairs(argv, i, "-p", ports, s->n_ports);
    if (s->volume) {
        snprintf(t->mount, sizeof t->mount, "type=bind,src=%s,dst=/srv",
                 s->volume);
        argv[i++] = "--mount";
        argv[i++] = t->mount;
    }
    if (s->conf_src) {
        snprintf(t->conf, sizeof t->conf, "type=bind,src=%s,dst=%s,ro",
                 s->conf_src, s->conf_dst);
        argv[i++] = "--mount";
        argv[i++] = t->conf;
    }
    if (s->network)
        i = add_pairs(argv, i, "--network", &s->network, 1);
    if (s->hostname)
        i = add_pairs(argv, i, "--hostname", &s->hostname, 1);
    i = add_pairs(argv, i, "-e", s->env, s->n_env);
    i = add_pairs(argv, i, "--ulimit", ulimits, s->n_ulimits);
    i = add_pairs(argv, i, "--label", s->labels, s->n_labels);
    if (is_docker(rt)) {
        argv[i++] = "--no-healthcheck";
    } else {
        argv[i++] = "--health-cmd=none";
        argv[i++] = "--health-interval=disable";
    }
    for (size_t j = 0; s->cli_extra && s->cli_extra[j]; j++)
        argv[i++] = s->cli_extra[j];
    argv[i++] = s->image;
    argv[i] = NULL;
}

static int
cli_container_run(struct rt *rt, const struct rt_run_spec *spec,
                  ra_deadline_t d)
{
    struct run_text *t = NULL;
    const char **argv = NULL;
    size_t n;
    int r;

    r = check_spec(rt, spec);
    if (r < 0)
        return r;
    n = 20
        + 2 * (spec->n_ports + spec->n_env + spec->n_ulimits + spec->n_labels)
        + count_words(spec->cli_extra);
    t = malloc(sizeof *t);
    argv = calloc(n, sizeof *argv);
    if (!t || !argv) {
        r = -ENOMEM;
        goto done;
    }
    run_argv(rt, spec, t, argv);
    r = cli_container_remove(rt, spec->name, d);
    if (r == 0)
        r = cli_simple(rt, "run", argv, d, NULL);
done:
    free(argv);
    free(t);
    return r;
}

/* The exec'd program's stdout, then its stderr, into @out (truncated). */
static void
exec_output(const struct ra_spawn_result *res, char *out, size_t out_len)
{
    size_t n;

    if (!out || !out_len)
        return;
    snprintf(out, out_len, "%s", res->out ? res->out : "");
    n = strlen(out);
    snprintf(out + n, out_len - n, "%s", res->err ? res->err : "");
}

/*
 * Whether a failed `podman exec` failed itself rather than the program it
 * ran (whose status passes through, 126 and 127 included): podman says so
 * with 125 and a line "Error: ..." (podman 4.3 exits 255 for a container
 * that does not run: only those words count with 255), docker with 1 (or
 * 126) and "Error response from daemon: ...". Sets rt->err and returns
 * -errno then.
 */
static int
exec_own_error(struct rt *rt, const struct ra_spawn_result *res)
{
    static const char *const gone[] = { "no such container", NULL };
    static const char *const down[]
        = { "container state improper", "is not running", "is paused", NULL };
    const char *line = pick_line(res->err);
    bool own;

    if (is_docker(rt))
        own = (res->status == 1 || res->status == 126) && line
              && strncasecmp(line, "error response from daemon", 26) == 0;
    else
        own = (res->status == 125
               || (res->status == 255
                   && (err_has(res, gone) || err_has(res, down))))
              && line && strncasecmp(line, "error", 5) == 0;
    if (!own)
        return 0;
    cli_fail(rt, "exec", res);
    if (err_has(res, gone))
        return -ENOENT;
    return err_has(res, down) ? -ESRCH : -EIO;
}

static int
cli_container_exec(struct rt *rt, const char *name, const char *const argv[],
                   int *ret_status, char *out, size_t out_len, ra_deadline_t d)
{
    struct ra_spawn_result res = { 0 };
    const char **args = NULL;
    size_t n = 0;
    int r;

    if (out && out_len)
        out[0] = '\0';
    r = check_word(rt, "exec", name);
    if (r == 0 && (!argv || !argv[0] || !*argv[0])) {
        snprintf(rt->err, sizeof rt->err, "%s exec: no command", cli_name(rt));
        r = -EINVAL;
    }
    if (r < 0)
        return r;
    while (argv[n])
        n++;
    args = calloc(n + 4, sizeof *args);
    if (!args)
        return -ENOMEM;
    args[1] = "exec";
    args[2] = name;
    memcpy(args + 3, argv, n * sizeof *argv);
    r = cli_exec(rt, "exec", args, d, &res);
    if (r == 0)
        r = exec_own_error(rt, &res);
    if (r == 0) {
        exec_output(&res, out, out_len);
        *ret_status = res.status;
    }
    ra_spawn_result_free(&res);
    free(args);
    return r;
}

static void
cli_close(struct rt *rt)
{
    if (rt)
        rt->priv = NULL;
}

/** The CLI transport: see the top of this file. */
const struct rt_ops rt_cli_ops = {
    .ping = cli_ping,
    .image_inspect = cli_image_inspect,
    .image_pull = cli_image_pull,
    .container_inspect = cli_container_inspect,
    .container_run = cli_container_run,
    .container_stop = cli_container_stop,
    .container_kill = cli_container_kill,
    .container_remove = cli_container_remove,
    .container_exec = cli_container_exec,
    .close = cli_close,
};
