/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * supervisor.c - a few of supervisord's XML-RPC calls, on its unix socket
 * in a container's root. Every path inside the container is resolved by
 * openat2(RESOLVE_IN_ROOT): a symbolic link there cannot lead to the
 * host's files or sockets. The socket is connected through
 * /proc/self/fd/N of an O_PATH descriptor for the same reason.
 */
#include "config.h"

#include "supervisor.h"

#include "sock.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <linux/openat2.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define SV_CONF_MAX 65536
#define SV_REPLY_MAX 16384

static int
open_in_root(int root, const char *path, int flags)
{
#ifdef SYS_openat2
    struct open_how how = {
        .flags = (unsigned long long) (flags | O_CLOEXEC),
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    long fd;

    while (*path == '/')
        path++;
    fd = syscall(SYS_openat2, root, path, &how, sizeof how);
    return fd < 0 ? -errno : (int) fd;
#else
    (void) root, (void) path, (void) flags;
    return -ENOSYS;
#endif
}

/* Reads at most SV_CONF_MAX - 1 bytes of @fd into a new string. */
static int
read_text(int fd, char **ret)
{
    char *buf = malloc(SV_CONF_MAX);
    size_t got = 0;

    if (!buf)
        return -ENOMEM;
    while (got < SV_CONF_MAX - 1) {
        ssize_t n = read(fd, buf + got, SV_CONF_MAX - 1 - got);

        if (n == 0)
            break;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int r = -errno;

            free(buf);
            return r;
        }
        got += (size_t) n;
    }
    buf[got] = '\0';
    *ret = buf;
    return 0;
}

/* The configuration named by -c/--configuration on init's command line,
 * into @buf; "" when there is none. */
static void
conf_from_cmdline(pid_t pid, char *buf, size_t len)
{
    char path[64], args[4096];
    ssize_t n;
    int fd;

    *buf = '\0';
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int) pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    n = read(fd, args, sizeof args - 1);
    close(fd);
    if (n <= 0)
        return;
    args[n] = '\0';
    for (const char *a = args; a < args + n; a += strlen(a) + 1) {
        const char *next = a + strlen(a) + 1;

        if (!strncmp(a, "--configuration=", 16))
            snprintf(buf, len, "%s", a + 16);
        else if ((!strcmp(a, "-c") || !strcmp(a, "--configuration"))
                 && next < args + n)
            snprintf(buf, len, "%s", next);
    }
}

/* One line's "key = value" (or "key: value"), an inline comment (" ;",
 * " #") cut: 1 when @key matches, the value in @buf. */
static int
line_value(const char *l, size_t n, const char *key, char *buf, size_t len)
{
    size_t klen = strlen(key), i = 0, vlen;
    const char *v;

    while (i < n && (l[i] == ' ' || l[i] == '\t'))
        i++;
    if (n - i < klen || strncasecmp(l + i, key, klen) != 0)
        return 0;
    i += klen;
    while (i < n && (l[i] == ' ' || l[i] == '\t'))
        i++;
    if (i == n || (l[i] != '=' && l[i] != ':'))
        return 0;
    v = l + i + 1;
    vlen = n - i - 1;
    while (vlen && (*v == ' ' || *v == '\t'))
        v++, vlen--;
    for (size_t k = 1; k < vlen; k++)
        if ((v[k] == ';' || v[k] == '#') && isspace((unsigned char) v[k - 1])) {
            vlen = k;
            break;
        }
    while (vlen && isspace((unsigned char) v[vlen - 1]))
        vlen--;
    if (vlen >= len)
        return -ENOBUFS;
    memcpy(buf, v, vlen);
    buf[vlen] = '\0';
    return 1;
}

int
sv_conf_get(const char *text, const char *key, char *buf, size_t len)
{
    bool in = false;
    size_t n;

    for (const char *l = text; *l; l += n + (l[n] != 0)) {
        const char *s = l;

        n = strcspn(l, "\n");
        while (s < l + n && (*s == ' ' || *s == '\t'))
            s++;
        if (*s == '[') {
            in = !strncmp(s, "[unix_http_server]", 18);
            continue;
        }
        if (!in || *s == ';' || *s == '#')
            continue;
        int r = line_value(l, n, key, buf, len);

        if (r < 0)
            return r;
        if (r == 1)
            return strstr(buf, "%(") || !*buf ? -ENOENT : 0;
    }
    return -ENOENT;
}

static void
base64(const unsigned char *in, size_t n, char *out)
{
    static const char t[]
        = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned) in[i] << 16;

        if (i + 1 < n)
            v |= (unsigned) in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        *out++ = t[v >> 18 & 63];
        *out++ = t[v >> 12 & 63];
        *out++ = i + 1 < n ? t[v >> 6 & 63] : '=';
        *out++ = i + 2 < n ? t[v & 63] : '=';
    }
    *out = '\0';
}

/* The file at @path inside @root, read whole (up to SV_CONF_MAX - 1). */
static int
read_in_root(int root, const char *path, char **ret)
{
    int fd = open_in_root(root, path, O_RDONLY), r;

    if (fd < 0)
        return fd;
    r = read_text(fd, ret);
    close(fd);
    return r;
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The value of [include] files (a plain one) into @buf; "" if none. */
static void
include_files(const char *text, char *buf, size_t len)
{
    bool in = false;
    size_t n;

    *buf = '\0';
    for (const char *l = text; *l; l += n + (l[n] != 0)) {
        const char *s = l + strspn(l, " \t");

        n = strcspn(l, "\n");
        if (*s == '[')
            in = !strncmp(s, "[include]", 9);
        else if (in && line_value(l, n, "files", buf, len) == 1)
            return;
    }
    *buf = '\0';
}

/*
 * Calls @fn on each file one include pattern names (a directory without
 * wildcards, absolute or relative to @base, then a name pattern such as
 * PMM's "*.ini"), in supervisord's order (sorted).
 */
static void
each_include(int root, const char *base, const char *pattern,
             void (*fn)(void *, const char *), void *arg)
{
    char dir[512], path[1024], *names[64];
    const char *slash, *glob;
    size_t k = 0;
    struct dirent *e;
    DIR *dp;
    int fd;

    if (pattern[0] == '/')
        snprintf(path, sizeof path, "%s", pattern);
    else
        snprintf(path, sizeof path, "%s/%s", base, pattern);
    slash = strrchr(path, '/');
    if (strstr(path, "%(") || strpbrk(path, "*?[") < slash)
        return; /* an expansion, or a wildcard in the directory */
    snprintf(dir, sizeof dir, "%.*s", (int) (slash - path), path);
    glob = slash + 1;
    fd = open_in_root(root, *dir ? dir : "/", O_RDONLY | O_DIRECTORY);
    dp = fd >= 0 ? fdopendir(fd) : NULL;
    if (!dp) {
        if (fd >= 0)
            close(fd);
        return;
    }
    while ((e = readdir(dp)) && k < sizeof names / sizeof names[0])
        if (e->d_name[0] != '.' && fnmatch(glob, e->d_name, FNM_PERIOD) == 0)
            names[k] = strdup(e->d_name), k += names[k] != NULL;
    closedir(dp);
    qsort(names, k, sizeof names[0], cmp_names);
    for (size_t i = 0; i < k; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        fn(arg, path);
        free(names[i]);
    }
}

/* What [unix_http_server] says, the later files overriding the earlier
 * (supervisord reads its includes into the same sections). */
struct sv_conf {
    int root;
    char file[256], user[64], pw[64];
};

static void
conf_take(struct sv_conf *cf, const char *text)
{
    char v[256];

    if (sv_conf_get(text, "file", v, sizeof v) == 0)
        snprintf(cf->file, sizeof cf->file, "%s", v);
    if (sv_conf_get(text, "username", v, sizeof v) == 0)
        snprintf(cf->user, sizeof cf->user, "%.63s", v);
    if (sv_conf_get(text, "password", v, sizeof v) == 0)
        snprintf(cf->pw, sizeof cf->pw, "%.63s", v);
    explicit_bzero(v, sizeof v);
}

static void
conf_take_file(void *arg, const char *path)
{
    struct sv_conf *cf = arg;
    char *text = NULL;

    if (read_in_root(cf->root, path, &text) == 0)
        conf_take(cf, text);
    free(text);
}

/* The socket and credentials from the configuration at @path. */
static int
use_conf(struct sv *sv, int root, const char *path, const char *text)
{
    struct sv_conf cf = { .root = root };
    char files[1024], base[512], cred[130];
    char *save = NULL;
    int r;

    conf_take(&cf, text);
    include_files(text, files, sizeof files);
    snprintf(base, sizeof base, "%.*s", (int) (strrchr(path, '/') - path),
             path);
    for (char *p = strtok_r(files, " \t", &save); p;
         p = strtok_r(NULL, " \t", &save))
        each_include(root, base, p, conf_take_file, &cf);
    r = cf.file[0] == '/' ? 0 : -ENOENT;
    if (r == 0 && cf.user[0]) {
        int n = snprintf(cred, sizeof cred, "%s:%s", cf.user, cf.pw);

        if (n < 0 || (size_t) n >= sizeof cred
            || ((size_t) n + 2) / 3 * 4 + 7 > sizeof sv->auth)
            r = -ENOBUFS;
        else {
            memcpy(sv->auth, "Basic ", 6);
            base64((const unsigned char *) cred, (size_t) n, sv->auth + 6);
        }
        explicit_bzero(cred, sizeof cred);
    }
    if (r == 0) {
        r = open_in_root(root, cf.file, O_PATH);
        if (r >= 0)
            sv->sock_fd = r, r = 0;
    }
    explicit_bzero(&cf, sizeof cf);
    return r;
}

int
sv_open(struct sv *sv, pid_t pid)
{
    static const char *const conf_paths[]
        = { "", "/etc/supervisord.conf", "/etc/supervisor/supervisord.conf" };
    char path[64], cmdline_conf[512];
    char *text = NULL;
    const char *conf = NULL;
    int root, r = -ENOENT;

    sv->sock_fd = -1;
    sv->auth[0] = '\0';
    snprintf(path, sizeof path, "/proc/%d/root", (int) pid);
    root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return -errno;
    conf_from_cmdline(pid, cmdline_conf, sizeof cmdline_conf);
    for (size_t i = 0; i < sizeof conf_paths / sizeof conf_paths[0]; i++) {
        conf = i ? conf_paths[i] : cmdline_conf;
        if (*conf != '/')
            continue;
        r = read_in_root(root, conf, &text);
        if (r >= 0 || r == -ENOSYS || i == 0)
            break; /* a -c that cannot be read: no guessing */
    }
    if (r == 0 && text)
        r = use_conf(sv, root, conf, text);
    free(text);
    close(root);
    if (r < 0)
        sv_close(sv);
    return r;
}

void
sv_close(struct sv *sv)
{
    if (sv->sock_fd >= 0)
        close(sv->sock_fd);
    sv->sock_fd = -1;
    explicit_bzero(sv->auth, sizeof sv->auth);
}

static int
connect_sv(const struct sv *sv, ra_deadline_t d)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };

    if (sv->sock_fd < 0)
        return -EBADF;
    snprintf(a.sun_path, sizeof a.sun_path, "/proc/self/fd/%d", sv->sock_fd);
    return ra_sock_connect((const struct sockaddr *) &a, sizeof a, d);
}

/* Reads the answer until EOF (HTTP/1.0: supervisord closes) or a full
 * buffer. */
static int
recv_all(int fd, char *buf, size_t cap, ra_deadline_t d)
{
    size_t got = 0;

    while (got < cap - 1) {
        ssize_t n;
        int r = ra_sock_wait(fd, POLLIN, d);

        if (r < 0)
            return r;
        n = recv(fd, buf + got, cap - 1 - got, 0);
        if (n == 0)
            break;
        if (n < 0 && errno != EINTR && errno != EAGAIN)
            return -errno;
        if (n > 0)
            got += (size_t) n;
    }
    buf[got] = '\0';
    return 0;
}

/* The integer after @name in an XML-RPC struct member; -1 if none. */
static long
member_int(const char *body, const char *name)
{
    const char *p = strstr(body, name), *v;

    if (!p)
        return -1;
    v = strstr(p, "<int>");
    if (!v)
        v = strstr(p, "<i4>");
    if (!v)
        return -1;
    v = strchr(v, '>') + 1;
    return strtol(v, NULL, 10);
}

int
sv_parse_fault(const char *body)
{
    long code;

    if (!strstr(body, "<methodResponse>"))
        return -EPROTO;
    if (!strstr(body, "<fault>"))
        return 0;
    code = member_int(body, "faultCode");
    return code > 0 && code < 1000 ? (int) code : -EPROTO;
}

int
sv_call(const struct sv *sv, const char *method, const char *params,
        ra_deadline_t d, char *out, size_t out_len)
{
    char head[512], *body, *reply;
    int fd, n, r, status = 0;
    size_t blen;

    blen = strlen(params) + strlen(method) + 128;
    body = malloc(blen);
    reply = malloc(SV_REPLY_MAX);
    if (!body || !reply) {
        free(body);
        free(reply);
        return -ENOMEM;
    }
    n = snprintf(body, blen,
                 "<?xml version=\"1.0\"?><methodCall><methodName>%s"
                 "</methodName><params>%s</params></methodCall>",
                 method, params);
    r = snprintf(head, sizeof head,
                 "POST /RPC2 HTTP/1.0\r\nHost: localhost\r\n"
                 "User-Agent: pmmha\r\nContent-Type: text/xml\r\n"
                 "Content-Length: %d\r\n%s%s%s\r\n",
                 n, *sv->auth ? "Authorization: " : "", sv->auth,
                 *sv->auth ? "\r\n" : "");
    fd = r > 0 && (size_t) r < sizeof head ? connect_sv(sv, d) : -EINVAL;
    r = fd < 0 ? fd : ra_sock_send_all(fd, head, strlen(head), d);
    if (r == 0)
        r = ra_sock_send_all(fd, body, (size_t) n, d);
    explicit_bzero(head, sizeof head);
    if (r == 0)
        r = recv_all(fd, reply, SV_REPLY_MAX, d);
    if (fd >= 0)
        close(fd);
    if (r == 0 && sscanf(reply, "HTTP/%*d.%*d %3d", &status) != 1)
        status = 0;
    if (r == 0 && status != 200)
        r = status == 401 ? -EACCES : -EPROTO;
    if (r == 0) {
        const char *b = strstr(reply, "\r\n\r\n");

        r = b ? sv_parse_fault(b + 4) : -EPROTO;
        if (out && out_len)
            snprintf(out, out_len, "%s", b ? b + 4 : "");
    }
    free(body);
    free(reply);
    return r;
}

int
sv_name_ok(const char *name)
{
    if (!*name)
        return 0;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char) *p) && !strchr("_.:-", *p))
            return 0;
    return 1;
}

/* startProcess/stopProcess(@name, wait) */
static int
process_call(const struct sv *sv, const char *method, const char *name,
             bool wait, ra_deadline_t d)
{
    char params[256];

    if (!sv_name_ok(name) || strlen(name) > 128)
        return -EINVAL;
    snprintf(params, sizeof params,
             "<param><value><string>%s</string></value></param>"
             "<param><value><boolean>%d</boolean></value></param>",
             name, wait);
    return sv_call(sv, method, params, d, NULL, 0);
}

int
sv_start(const struct sv *sv, const char *name, ra_deadline_t d)
{
    int r = process_call(sv, "supervisor.startProcess", name, false, d);

    return r == SV_FAULT_ALREADY_STARTED ? 0 : r;
}

int
sv_stop(const struct sv *sv, const char *name, ra_deadline_t d)
{
    int r = process_call(sv, "supervisor.stopProcess", name, false, d);

    return r == SV_FAULT_NOT_RUNNING ? 0 : r;
}

int
sv_state(const struct sv *sv, const char *name, ra_deadline_t d, char *state,
         size_t len)
{
    char params[256], out[4096];
    const char *p, *e;
    int r;

    if (!sv_name_ok(name) || strlen(name) > 128)
        return -EINVAL;
    snprintf(params, sizeof params,
             "<param><value><string>%s</string></value></param>", name);
    r = sv_call(sv, "supervisor.getProcessInfo", params, d, out, sizeof out);
    if (r != 0)
        return r;
    p = strstr(out, "<name>statename</name>");
    p = p ? strstr(p, "<string>") : NULL;
    e = p ? strstr(p, "</string>") : NULL;
    if (!e)
        return -EPROTO;
    p += 8;
    if ((size_t) (e - p) >= len)
        return -ENOBUFS;
    memcpy(state, p, (size_t) (e - p));
    state[e - p] = '\0';
    return 0;
}

int
sv_stop_all(const struct sv *sv, ra_deadline_t d)
{
    return sv_call(sv, "supervisor.stopAllProcesses",
                   "<param><value><boolean>1</boolean></value></param>", d,
                   NULL, 0);
}

int
sv_shutdown(const struct sv *sv, ra_deadline_t d)
{
    return sv_call(sv, "supervisor.shutdown", "", d, NULL, 0);
}
