/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pmm-server-conf.c - the pmm-server agent's parameters: their checks
 * beyond the metadata, and the run spec built from them.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "path.h"
#include "pmm-server.h"
#include "ra-spawn.h"
#include "version.h"

/* ---- checks (run by ra_main before start and validate-all) ---------- */

/* The repository path after the registry: lowercase components of
 * letters and digits joined by '.', '_' or '-' (the registries' grammar). */
static bool
repo_path_ok(const char *v, size_t n)
{
    const char *first_slash = memchr(v, '/', n);
    size_t start = 0;

    /* a first component with '.' or ':' (or localhost) is the registry */
    if (first_slash) {
        size_t d = (size_t) (first_slash - v);

        if (memchr(v, '.', d) || memchr(v, ':', d)
            || (d == 9 && !strncmp(v, "localhost", 9)))
            start = d + 1;
    }
    for (size_t i = start; i < n; i++) {
        char ch = v[i];
        bool edge
            = i == start || v[i - 1] == '/' || i + 1 == n || v[i + 1] == '/';

        if (islower((unsigned char) ch) || isdigit((unsigned char) ch))
            continue;
        if (ch == '/' && !edge)
            continue;
        if (strchr("._-", ch) && !edge)
            continue;
        return false;
    }
    return n > start;
}

static int
check_image(const char *v, char *why, size_t len)
{
    const char *at = strchr(v, '@'), *slash, *colon;
    size_t n = at ? (size_t) (at - v) : strlen(v), tag_n;

    if (strlen(v) >= RT_REF_MAX) {
        snprintf(why, len, "an image reference has at most %d characters",
                 RT_REF_MAX - 1);
        return -EINVAL;
    }
    for (const char *s = v; *s; s++)
        if (!isalnum((unsigned char) *s) && !strchr("._-/:@", *s)) {
            snprintf(why, len,
                     "invalid character '%c' in an image "
                     "reference",
                     *s);
            return -EINVAL;
        }
    slash = memrchr(v, '/', n);
    colon = memchr(slash ? slash : v, ':',
                   n - (size_t) ((slash ? slash : v) - v));
    if (!isalnum((unsigned char) v[0]) || !colon || colon + 1 == v + n) {
        snprintf(why, len,
                 "give a full image reference with its tag, "
                 "e.g. docker.io/percona/pmm-server:2.42.0");
        return -EINVAL;
    }
    tag_n = (size_t) (v + n - colon - 1);
    if (tag_n > 128 || colon[1] == '.' || colon[1] == '-'
        || memchr(colon + 1, ':', tag_n) || memchr(colon + 1, '/', tag_n)) {
        snprintf(why, len,
                 "a tag is up to 128 of A-Z a-z 0-9 _ . -, not "
                 "starting with . or -");
        return -EINVAL;
    }
    if (!repo_path_ok(v, (size_t) (colon - v))) {
        snprintf(why, len,
                 "a repository name is lowercase letters and digits joined "
                 "by '/', '.', '_' or '-'");
        return -EINVAL;
    }
    if (at
        && (strncmp(at + 1, "sha256:", 7) != 0 || strlen(at + 8) != 64
            || strspn(at + 8, "0123456789abcdef") != 64)) {
        snprintf(why, len, "a digest is @sha256: and 64 hex digits");
        return -EINVAL;
    }
    return 0;
}

static int
check_name(const char *v, char *why, size_t len)
{
    size_t n = strlen(v);

    if (n > 63 || !isalnum((unsigned char) v[0])
        || strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789_.-")
               != n) {
        snprintf(why, len,
                 "a container name is up to 63 letters, "
                 "digits, '_', '.' or '-', starting with a letter or digit");
        return -EINVAL;
    }
    return 0;
}

/* By its spelling, the same on every node: what it resolves to is
 * server_volume_check()'s (and the runtime's) business. */
static int
check_abs_path(const char *v, char *why, size_t len)
{
    return ra_path_check(v, false, ",\n", why, len);
}

static int
check_volume(const char *v, char *why, size_t len)
{
    char norm[4096];

    if (check_abs_path(v, why, len) < 0)
        return -EINVAL;
    (void) ra_path_normalize(v, norm, sizeof norm);
    if (!strcmp(norm, "/")) {
        snprintf(why, len, "the root directory cannot be PMM's /srv");
        return -EINVAL;
    }
    if (ra_path_is_system(norm)) {
        snprintf(why, len,
                 "give PMM a directory of its own: %.40s is the system's",
                 norm);
        return -EINVAL;
    }
    return 0;
}

static int
check_socket(const char *v, char *why, size_t len)
{
    if (check_abs_path(v, why, len) < 0)
        return -EINVAL;
    if (strlen(v) >= sizeof((struct rt *) 0)->socket) {
        snprintf(why, len, "a unix socket path is at most 107 bytes");
        return -EINVAL;
    }
    return 0;
}

static int
check_publish(const char *v, char *why, size_t len)
{
    char buf[512], *save = NULL;
    int n = 0;

    snprintf(buf, sizeof buf, "%s", v);
    for (char *w = strtok_r(buf, " ,\t", &save); w;
         w = strtok_r(NULL, " ,\t", &save)) {
        struct rt_port p;

        if (rt_parse_port(w, &p) < 0) {
            snprintf(why, len,
                     "'%s' is not [ip:]host_port:"
                     "container_port[/tcp|/udp]",
                     w);
            return -EINVAL;
        }
        if (++n > RT_MAX_PORTS) {
            snprintf(why, len, "at most %d ports", RT_MAX_PORTS);
            return -EINVAL;
        }
    }
    return 0;
}

static int
check_run_opts(const char *v, char *why, size_t len)
{
    char **w = NULL;
    int n = ra_split_words(v, &w);

    ra_argv_free(w);
    if (n < 0) {
        snprintf(why, len, "unbalanced quotes");
        return -EINVAL;
    }
    return 0;
}

static int
check_url(const char *v, char *why, size_t len)
{
    char host[256];
    const char *path;
    int port, tls;

    if (ra_http_parse_url(v, host, sizeof host, &port, &path, &tls) < 0) {
        snprintf(why, len,
                 "not an http:// or https:// URL with a host "
                 "name or address (no user:password@)");
        return -EINVAL;
    }
    if (!tls && strcmp(host, "localhost") != 0 && !strchr(host, ':')
        && strspn(host, "0123456789.") != strlen(host)) {
        snprintf(why, len,
                 "use an IP address for http:// (a name "
                 "lookup could hang a monitor)");
        return -EINVAL;
    }
    return 0;
}

static int
check_fingerprint(const char *v, char *why, size_t len)
{
    const char *b = v + 8;

    if (strncmp(v, "sha256//", 8) != 0 || strlen(b) != 44 || b[43] != '='
        || strspn(b, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                     "0123456789+/=")
               != 44) {
        snprintf(why, len,
                 "expected sha256// and 44 characters of "
                 "base64 (the SHA-256 of the public key)");
        return -EINVAL;
    }
    return 0;
}

static int
check_stop_timeout(const char *v, char *why, size_t len)
{
    return ra_check_time_range(v, 0, 86400000, why, len);
}

const struct ra_param_check server_checks[] = {
    { "image", check_image, 0 },
    { "name", check_name, 0 },
    { "runtime_socket", check_socket, 0 },
    { "volume", check_volume, 0 },
    { "publish", check_publish, 0 },
    { "env_file", check_abs_path, 0 },
    { "run_opts", check_run_opts, RA_CHECK_SECRET },
    { "readyz_url", check_url, RA_CHECK_SECRET },
    { "tls_ca", check_abs_path, 0 },
    { "tls_fingerprint", check_fingerprint, 0 },
    { "stop_timeout", check_stop_timeout, 0 },
    { NULL, NULL, 0 },
};

/* ---- configuration ---------------------------------------------------- */

/* The parameters of mode=promotable. */
static void
server_conf_role(const struct ra_ctx *ctx, struct server_conf *c)
{
    long long port = ra_param_int(&ctx->params, "repl_pg_port", 5432);

    c->promotable = !strcmp(ra_ctx_str(ctx, "mode"), "promotable");
    c->peers = ra_ctx_str(ctx, "peers");
    c->repl_vm_url = ra_ctx_str(ctx, "repl_vm_url");
    c->repl_ch_url = ra_ctx_str(ctx, "repl_ch_url");
    c->repl_pg_port = port > 0 && port < 65536 ? (int) port : 5432;
    c->repl_vm_auth = ra_ctx_str(ctx, "repl_vm_auth_file");
    c->repl_pg_auth = ra_ctx_str(ctx, "repl_pg_auth_file");
    c->repl_ch_auth = ra_ctx_str(ctx, "repl_ch_auth_file");
    c->repl_tls_ca = ra_ctx_str(ctx, "repl_tls_ca");
    c->repl_tls_pin = ra_ctx_str(ctx, "repl_tls_fingerprint");
    c->standby_programs = ra_ctx_str(ctx, "standby_programs");
    c->repl_interval_ms = ra_ctx_time_ms(ctx, "repl_interval", 5000);
    c->repl_settle_ms = ra_ctx_time_ms(ctx, "repl_settle", 10000);
    c->max_lag_ms = ra_ctx_time_ms(ctx, "max_lag", 300000);
    c->allow_stale = ra_param_bool(&ctx->params, "allow_stale_promote");
    c->require_fencing = ra_param_bool(&ctx->params, "require_fencing");
}

void
server_conf_basic(const struct ra_ctx *ctx, struct server_conf *c)
{
    unsigned long long ms;
    char tag[128];

    memset(c, 0, sizeof *c);
    c->image = ra_ctx_str(ctx, "image");
    c->name = ra_ctx_str(ctx, "name");
    if (!*c->name)
        c->name = "pmm-server";
    c->volume = ra_ctx_str(ctx, "volume");
    c->env_file = ra_ctx_str(ctx, "env_file");
    c->publish = ra_ctx_str(ctx, "publish");
    c->run_opts = ra_ctx_str(ctx, "run_opts");
    c->kind
        = strcmp(ra_ctx_str(ctx, "runtime"), "docker") ? RT_PODMAN : RT_DOCKER;
    c->socket = ra_ctx_str(ctx, "runtime_socket");
    c->pmm_major
        = ra_version_major(ra_image_tag(c->image, tag, sizeof tag)) >= 3 ? 3
                                                                         : 2;
    c->http_port = c->pmm_major >= 3 ? 8080 : 80;
    c->readyz_path = c->pmm_major >= 3 ? "/v1/server/readyz" : "/v1/readyz";
    c->readyz_url = ra_ctx_str(ctx, "readyz_url");
    ms = ra_ctx_time_ms(ctx, "readyz_timeout", 5000);
    c->readyz_timeout_ms = ms > 600000 ? 600000 : (int) ms;
    c->tls.ca_file
        = *ra_ctx_str(ctx, "tls_ca") ? ra_ctx_str(ctx, "tls_ca") : NULL;
    c->tls.fingerprint = *ra_ctx_str(ctx, "tls_fingerprint")
                             ? ra_ctx_str(ctx, "tls_fingerprint")
                             : NULL;
    /* whole seconds, rounded up: the runtime's stop counts in seconds */
    c->stop_timeout_s
        = (long long) ((ra_ctx_time_ms(ctx, "stop_timeout", 0) + 999) / 1000);
    c->allow_pull = ra_param_bool(&ctx->params, "allow_pull");
    c->allow_downgrade = ra_param_bool(&ctx->params, "allow_downgrade");
    c->allow_privileged = ra_param_bool(&ctx->params, "allow_privileged");
    server_conf_role(ctx, c);
    c->spec.name = c->name;
    c->spec.image = c->image;
    c->spec.volume = *c->volume ? c->volume : NULL;
}

int
server_volume_check(struct server_conf *c, struct ra_result *res)
{
    int r;

    if (!*c->volume)
        return 0;
    r = ra_path_resolve(c->volume, c->volume_real, sizeof c->volume_real);
    if (r < 0) {
        ra_result_set(res, RA_OCF_ERR_INSTALLED,
                      "fix volume %.60s on this node: it cannot be resolved "
                      "(%s)",
                      c->volume, strerror(-r));
        return -1;
    }
    if (ra_path_is_system(c->volume_real)) {
        ra_result_set(res, RA_OCF_ERR_INSTALLED,
                      "fix volume %.40s on this node: it names %.40s, %s",
                      c->volume, c->volume_real,
                      strcmp(c->volume_real, "/") != 0 ? "a system directory"
                                                       : "the root directory");
        return -1;
    }
    /* what was checked is what the runtime binds (no symlink swapped in
     * between) and what the agent reads and writes */
    c->volume = c->volume_real;
    c->spec.volume = c->volume_real;
    return 0;
}

static int
add_ports(struct server_conf *c, const char *publish, struct ra_result *res)
{
    char buf[512], *save = NULL;

    if (!*publish)
        publish = c->pmm_major >= 3 ? "443:8443" : "443:443";
    snprintf(buf, sizeof buf, "%s", publish);
    for (char *w = strtok_r(buf, " ,\t", &save); w;
         w = strtok_r(NULL, " ,\t", &save)) {
        if (c->spec.n_ports >= RT_MAX_PORTS
            || rt_parse_port(w, &c->spec.ports[c->spec.n_ports]) < 0) {
            ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                          "publish: bad port mapping '%s'", w);
            return -1;
        }
        c->spec.n_ports++;
    }
    return 0;
}

static int
parse_ulimit(const char *v, struct rt_ulimit *u)
{
    char name[16];
    long long soft, hard;
    int n = 0;

    if (sscanf(v, "%15[a-z]=%lld:%lld%n", name, &soft, &hard, &n) == 3 && !v[n])
        ;
    else if (sscanf(v, "%15[a-z]=%lld%n", name, &soft, &n) == 2 && !v[n])
        hard = soft;
    else
        return -EINVAL;
    snprintf(u->name, sizeof u->name, "%s", name);
    u->soft = soft;
    u->hard = hard;
    return 0;
}

/* Takes one option the API understands; returns words used, 0 if unknown,
 * -1 on a bad value. "--opt=value" and "--opt value" both work. */
static int
take_option(struct rt_run_spec *s, char **w)
{
    static const char *const opts[][2] = {
        { "--network", "net" },   { "--net", "net" },       { "-e", "env" },
        { "--env", "env" },       { "--hostname", "host" }, { "-h", "host" },
        { "--ulimit", "ulimit" }, { "--label", "label" },   { "-l", "label" },
    };
    const char *val = NULL, *kind = NULL;
    int used = 0;

    for (size_t i = 0; i < sizeof opts / sizeof opts[0] && !kind; i++) {
        size_t n = strlen(opts[i][0]);

        if (!strcmp(w[0], opts[i][0]) && w[1])
            kind = opts[i][1], val = w[1], used = 2;
        else if (!strncmp(w[0], opts[i][0], n) && w[0][n] == '='
                 && opts[i][0][1] == '-')
            kind = opts[i][1], val = w[0] + n + 1, used = 1;
    }
    if (!kind)
        return 0;
    if (!strcmp(kind, "net"))
        s->network = val;
    else if (!strcmp(kind, "host"))
        s->hostname = val;
    else if (!strcmp(kind, "env") && strchr(val, '=') && s->n_env < RT_MAX_ENV)
        s->env[s->n_env++] = val;
    else if (!strcmp(kind, "label") && s->n_labels < RT_MAX_LABELS)
        s->labels[s->n_labels++] = val;
    else if (!strcmp(kind, "ulimit") && s->n_ulimits < RT_MAX_ULIMITS
             && parse_ulimit(val, &s->ulimits[s->n_ulimits]) == 0)
        s->n_ulimits++;
    else
        return -1;
    return used;
}

/* What a reason may quote of a run_opts word: an option's name, never its
 * value ("--env=NAME=SECRET" is "--env=...", "-eNAME=SECRET" is "-e..."),
 * and nothing of a word that is not an option. */
static const char *
opt_name(const char *w, char *buf, size_t len)
{
    size_t n = w[0] != '-' ? 0 : w[1] == '-' ? strcspn(w, "=") : 2;

    if (n == 0)
        return "a word that is not an option";
    snprintf(buf, len, "%.*s%s", (int) (n > 40 ? 40 : n), w,
             strlen(w) > n ? "..." : "");
    return buf;
}

/* ---- run_opts: one verdict on every node -------------------------------- */

/*
 * How many words option @opt takes at @w (0: @w is not @opt), its value in
 * *@val (NULL for a bare flag). "--opt=v", "--opt v" (@has_value), and for
 * a short option "-vV" and "-v=V" as the runtimes' flag parser takes them.
 */
static int
opt_words(char **w, const char *opt, bool has_value, const char **val)
{
    size_t n = strlen(opt);

    *val = NULL;
    if (strncmp(w[0], opt, n) != 0)
        return 0;
    if (!w[0][n]) {
        if (has_value && w[1]) {
            *val = w[1];
            return 2;
        }
        return 1;
    }
    if (w[0][n] == '=') {
        *val = w[0] + n + 1;
        return 1;
    }
    if (n == 2 && has_value) { /* -v/srv:/x */
        *val = w[0] + n;
        return 1;
    }
    return 0;
}

/* True when a bind's host side @src is the root, a system directory or
 * a tree of the host's control files; or cannot be told ("..").  */
static bool
bind_breaks_out(const char *src, size_t n)
{
    char buf[4096], norm[4096];

    if (n == 0 || src[0] != '/')
        return false; /* a named volume */
    if (n >= sizeof buf)
        return true;
    memcpy(buf, src, n);
    buf[n] = '\0';
    return ra_path_normalize(buf, norm, sizeof norm) < 0
           || ra_path_is_system(norm);
}

/* --mount type=bind,source=/,target=/host: its source. */
static bool
mount_breaks_out(const char *v)
{
    static const char *const keys[] = { "source=", "src=", NULL };

    for (const char *f = v; f && *f;
         f = strchr(f, ',') ? strchr(f, ',') + 1 : NULL)
        for (size_t k = 0; keys[k]; k++)
            if (!strncmp(f, keys[k], strlen(keys[k]))) {
                const char *src = f + strlen(keys[k]);

                return bind_breaks_out(src, strcspn(src, ","));
            }
    return false;
}

/*
 * The words an option takes at @w; *@breaks set when it breaks the
 * container's isolation: the host's devices, capabilities, namespaces,
 * security profiles, or a bind of / or the system's directories.
 */
static int
classify(char **w, bool *breaks)
{
    static const char *const always[] = {
        "--cap-add",      "--device", "--device-cgroup-rule",
        "--volumes-from", "--rootfs", NULL,
    };
    static const char *const ns[] = {
        "--pid", "--ipc", "--userns", "--uts", "--cgroupns", NULL,
    };
    const char *v;
    int used;

    *breaks = false;
    if ((used = opt_words(w, "--privileged", false, &v)) > 0) {
        *breaks = !v || strcmp(v, "false") != 0;
        return used;
    }
    for (size_t i = 0; always[i]; i++)
        if ((used = opt_words(w, always[i], true, &v)) > 0) {
            *breaks = true;
            return used;
        }
    for (size_t i = 0; ns[i]; i++)
        if ((used = opt_words(w, ns[i], true, &v)) > 0) {
            *breaks = v && !strcmp(v, "host");
            return used;
        }
    if ((used = opt_words(w, "--security-opt", true, &v)) > 0) {
        *breaks = !v || strncmp(v, "no-new-privileges", 17) != 0;
        return used;
    }
    if ((used = opt_words(w, "-v", true, &v)) > 0
        || (used = opt_words(w, "--volume", true, &v)) > 0) {
        *breaks = v && bind_breaks_out(v, strcspn(v, ":"));
        return used;
    }
    if ((used = opt_words(w, "--mount", true, &v)) > 0) {
        *breaks = v && mount_breaks_out(v);
        return used;
    }
    return 1;
}

int
server_conf_check(struct server_conf *c, struct ra_result *res)
{
    struct rt_run_spec scratch = { 0 };
    char **w = NULL, name[48];
    int n = ra_split_words(c->run_opts, &w), r = 0;

    if (n < 0) {
        ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                      "run_opts: unbalanced quotes");
        return -1;
    }
    for (int i = 0; i < n && r == 0;) {
        int used = take_option(&scratch, &w[i]);
        bool breaks;

        if (used < 0) {
            ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                          "run_opts: bad value for %s",
                          opt_name(w[i], name, sizeof name));
            r = -1;
            break;
        }
        if (used > 0) {
            i += used;
            continue;
        }
        /* only the CLI passes it on: the CLI on every node, never a
         * refusal where the API socket happens to exist */
        c->needs_cli = true;
        used = classify(&w[i], &breaks);
        if (breaks && !c->allow_privileged) {
            ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                          "set allow_privileged=true, or drop %s from "
                          "run_opts: it breaks the container's isolation",
                          opt_name(w[i], name, sizeof name));
            r = -1;
        }
        i += used;
    }
    ra_argv_free(w);
    return r;
}

static int
add_run_opts(struct server_conf *c, enum rt_transport t, struct ra_result *res)
{
    size_t keep = 0, cap = sizeof c->cli_argv / sizeof c->cli_argv[0] - 3;
    int n = ra_split_words(c->run_opts, &c->run_words);
    char name[48];

    if (n < 0) {
        ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                      "run_opts: unbalanced quotes");
        return -1;
    }
    for (int i = 0; i < n;) {
        int used = take_option(&c->spec, &c->run_words[i]);

        if (used < 0) {
            ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                          "run_opts: bad value for %s",
                          opt_name(c->run_words[i], name, sizeof name));
            return -1;
        }
        /* server_conf_check() chose the CLI for what the API cannot say */
        if (used == 0 && (t != RT_CLI || keep >= cap)) {
            ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                          "run_opts: too many options, or %s through the "
                          "runtime's API",
                          opt_name(c->run_words[i], name, sizeof name));
            return -1;
        }
        if (used == 0) /* the CLI gets it verbatim, in order */
            c->cli_argv[keep++] = c->run_words[i++];
        else
            i += used;
    }
    /* the CLI reads env_file itself: its values never reach an argv */
    if (t == RT_CLI && *c->env_file) {
        c->cli_argv[keep++] = (char *) "--env-file";
        c->cli_argv[keep++] = (char *) c->env_file;
    }
    c->cli_argv[keep] = NULL;
    c->spec.cli_extra = c->cli_argv;
    return 0;
}

/* A file or directory another user could write (or own), as a reason. */
static bool
others_can_write(const struct stat *st, bool dir, const char *path,
                 struct ra_result *res)
{
    const char *what = dir ? "env_file's directory" : "env_file";

    if (st->st_uid != 0 && st->st_uid != geteuid()) {
        ra_result_set(res, RA_OCF_ERR_INSTALLED,
                      "chown root %.50s: %s belongs to uid %u, who could "
                      "change PMM's environment",
                      path, what, (unsigned) st->st_uid);
        return true;
    }
    if ((st->st_mode & (S_IWGRP | S_IWOTH))
        && !(dir && (st->st_mode & S_ISVTX))) {
        ra_result_set(res, RA_OCF_ERR_INSTALLED,
                      "chmod go-w %.50s: other users can write %s, which "
                      "goes into a root container",
                      path, what);
        return true;
    }
    return false;
}

/*
 * env_file holds PMM's secrets and goes into a container run as root: what
 * another user could write is refused (ERR_INSTALLED: this node's file is
 * wrong, another node's may be right), what another user could read is
 * warned about. The file is opened through its directory's descriptor,
 * without following a symlink, and checked with fstat: what is checked is
 * what is read. Returns the descriptor, or -1 with @res set.
 */
static int
open_env_file(const struct server_conf *c, struct ra_result *res)
{
    char dir[4096];
    const char *slash = strrchr(c->env_file, '/');
    struct stat st;
    int dfd, fd = -1;

    snprintf(dir, sizeof dir, "%.*s",
             slash == c->env_file ? 1 : (int) (slash - c->env_file),
             c->env_file);
    dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0 && fstat(dfd, &st) == 0
        && others_can_write(&st, true, dir, res))
        goto done;
    if (dfd >= 0)
        fd = openat(dfd, slash + 1,
                    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && errno == ELOOP) {
        ra_result_set(res, RA_OCF_ERR_INSTALLED,
                      "name the file itself in env_file: %.60s is a symlink",
                      c->env_file);
        goto done;
    }
    if (fd < 0) {
        ra_result_set(res, RA_OCF_ERR_INSTALLED,
                      "env_file %s cannot be read on this node: %s",
                      c->env_file, strerror(errno));
        goto done;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        ra_result_set(res, RA_OCF_ERR_INSTALLED,
                      "env_file %.60s is not a regular file", c->env_file);
    } else if (!others_can_write(&st, false, c->env_file, res)) {
        if (st.st_mode & (S_IRGRP | S_IROTH))
            ra_warn("other users can read env_file %s (PMM's secrets): "
                    "chmod 600 it",
                    c->env_file);
        close(dfd);
        return fd;
    }
done:
    if (fd >= 0)
        close(fd);
    if (dfd >= 0)
        close(dfd);
    return -1;
}

/* KEY=VALUE lines, '#' comments: into env_buf, pointers in the spec. */
static int
read_env_file(struct server_conf *c, struct ra_result *res)
{
    ssize_t n;
    int fd = open_env_file(c, res);

    if (fd < 0)
        return -1;
    n = read(fd, c->env_buf, sizeof c->env_buf - 1);
    close(fd);
    if (n < 0 || n == (ssize_t) sizeof c->env_buf - 1) {
        ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                      "env_file %s is unreadable or larger than %d bytes",
                      c->env_file, SERVER_ENV_MAX - 1);
        return -1;
    }
    c->env_buf[n] = '\0';
    for (char *line = c->env_buf, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        line += strspn(line, " \t");
        if (!*line || *line == '#')
            continue;
        if (!strchr(line, '=') || c->spec.n_env >= RT_MAX_ENV) {
            /* never echo the line: it may hold a secret */
            ra_result_set(res, RA_OCF_ERR_CONFIGURED,
                          "env_file %s: a line is not KEY=VALUE, or "
                          "there are more than %d",
                          c->env_file, RT_MAX_ENV);
            return -1;
        }
        c->spec.env[c->spec.n_env++] = line;
    }
    return 0;
}

int
server_conf_run(struct server_conf *c, enum rt_transport transport,
                struct ra_result *res)
{
    if (add_ports(c, c->publish, res) < 0
        || add_run_opts(c, transport, res) < 0)
        return -1;
    if (c->spec.network && !strcmp(c->spec.network, "host"))
        c->spec.n_ports = 0; /* nothing to publish on the host's network */
    /* the CLI reads the file itself: the same checks first (nobody but
     * root or us can change it between them and the CLI's read) */
    if (*c->env_file && transport == RT_CLI) {
        int fd = open_env_file(c, res);

        if (fd < 0)
            return -1;
        close(fd);
    }
    if (*c->env_file && transport != RT_CLI && read_env_file(c, res) < 0)
        return -1;
    /* one switch for the operator: PMM itself must be told too */
    if (c->allow_downgrade && c->spec.n_env < RT_MAX_ENV)
        c->spec.env[c->spec.n_env++] = "PMM_ALLOW_DOWNGRADE=true";
    /* a standby's VictoriaMetrics collapses the samples the replicator
     * imports twice (its overlap); harmless once promoted */
    if (c->promotable && c->spec.n_env < RT_MAX_ENV)
        c->spec.env[c->spec.n_env++] = "VM_dedup_minScrapeInterval=1ms";
    return 0;
}

void
server_conf_free(struct server_conf *c)
{
    ra_argv_free(c->run_words);
    c->run_words = NULL;
}
