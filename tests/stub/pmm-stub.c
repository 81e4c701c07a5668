/*
 * pmm-stub.c - a small stand-in for the Percona PMM Server container, for
 * the pmmha test suite.
 *
 * One static binary (OpenSSL linked in) that runs as PID 1 of a FROM-scratch
 * image.  It imitates what the resource agents can observe of PMM Server:
 *
 * Ports
 *   Plain HTTP on $STUB_HTTP_PORT and HTTPS on $STUB_HTTPS_PORT.  Defaults
 *   follow the version: 80/443 for PMM 2, 8080/8443 for PMM 3 and later.
 *   The HTTPS certificate is /srv/nginx/certificate.crt|.key if both exist
 *   (or $STUB_CERT/$STUB_KEY), else a self-signed EC P-256 one made at start.
 *
 * URLs
 *   GET /v1/readyz        503 until $STUB_READY_DELAY seconds (default 3)
 *                         after start, then 200 "{}".
 *                         /srv/.stub-unhealthy present -> 503
 *                         /srv/.stub-hang present      -> never answers (the
 *                         connection is held $STUB_HANG_SECONDS, default 3600)
 *   GET /v1/server/readyz the same, PMM 3 only (404 on PMM 2, as the real one)
 *   GET /v1/version       200 {"version":"$STUB_VERSION",...}
 *   GET /v1/server/version the same, PMM 3 only
 *   GET /ping, /          200 text
 *
 * Data volume (/srv, or $STUB_SRV)
 *   At start: appends to stub-events.log, writes stub-env.txt (the
 *   environment, to check --env-file), checks and writes
 *   grafana/PERCONA_DASHBOARDS_VERSION like real PMM (refuses to start, exit
 *   1, on data newer than itself unless PMM_ALLOW_DOWNGRADE=1|true), writes
 *   pmm-distribution if absent, removes stub-clean-shutdown, then writes
 *   stub-started (timestamp, pid, version, hostname).
 *   On SIGTERM/SIGINT: keeps running $STUB_STOP_DELAY seconds (a slow flush),
 *   then writes stub-clean-shutdown and exits 0.  With /srv/.stub-ignore-term
 *   present, SIGTERM is logged and ignored (podman stop has to SIGKILL).
 *   $STUB_EXIT_AFTER seconds (default 0 = never): exit 1, a simulated crash.
 *
 * Sequence file (for the soak test)
 *   $STUB_SEQ_FILE set: every $STUB_SEQ_INTERVAL_MS (default 100) append
 *   "<seq> <hostname> <unix-time-ms>\n" and fdatasync, for as long as the
 *   process lives (also during the stop delay).  The sequence continues from
 *   the last complete line of the file.  A relative path is taken under /srv.
 *
 * Client modes
 *   pmm-stub --healthcheck   exit 0 iff http://127.0.0.1:<http port>/v1/readyz
 *                            answers 200 (no curl in a FROM-scratch image)
 *   pmm-stub --version       print the version
 *
 * Each connection is served by a forked child, so a hung readyz does not
 * block other requests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#ifndef STUB_BUILD_VERSION
#define STUB_BUILD_VERSION "0.0.0"
#endif

#define MAXKIDS 1024
#define VERSION_FILE "grafana/PERCONA_DASHBOARDS_VERSION"

extern char **environ;

static volatile sig_atomic_t g_term = 0;
static volatile sig_atomic_t g_chld = 0;
static const char *g_srv = "/srv";
static const char *g_version = STUB_BUILD_VERSION;
static int g_major = 0;
static double g_start;
static double g_ready_delay = 3.0;
static int g_hang_seconds = 3600;
static SSL_CTX *g_ctx;
static pid_t g_kids[MAXKIDS];

/* sequence writer state */
static int g_seq_fd = -1;
static unsigned long long g_seq;
static int g_seq_need_nl;
static double g_seq_interval = 0.1;
static double g_seq_next;
static char g_host[256] = "";

/* ---------- small helpers ---------- */

static void
on_term(int s)
{
    (void) s;
    g_term = 1;
}
static void
on_chld(int s)
{
    (void) s;
    g_chld = 1;
}

static double
now_mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + (double) t.tv_nsec / 1e9;
}

static double
uptime_s(void)
{
    return now_mono() - g_start;
}

static void
tstamp(char *buf, size_t n)
{
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    size_t l = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + l, n - l, ".%03ldZ", (long) (tv.tv_usec / 1000));
}

static void
srv_path(char *buf, size_t n, const char *name)
{
    if (name[0] == '/')
        snprintf(buf, n, "%s", name);
    else
        snprintf(buf, n, "%s/%s", g_srv, name);
}

static int
write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        len -= (size_t) w;
    }
    return 0;
}

static void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void
logmsg(const char *fmt, ...)
{
    char ts[64], line[1024], path[512];
    va_list ap;
    tstamp(ts, sizeof ts);
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s pmm-stub[%d] %s\n", ts, (int) getpid(), line);
    fflush(stderr);

    srv_path(path, sizeof path, "stub-events.log");
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
        dprintf(fd, "%s pid=%d version=%s %s\n", ts, (int) getpid(), g_version,
                line);
        fsync(fd);
        close(fd);
    }
}

static int
srv_exists(const char *name)
{
    char path[512];
    struct stat st;
    srv_path(path, sizeof path, name);
    return stat(path, &st) == 0;
}

static void
fsync_parent(const char *path)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return;
    if (slash == dir)
        slash[1] = 0;
    else
        *slash = 0;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
}

/* Atomically replace <srv>/<name> with content (write tmp, fsync, rename). */
static int
write_file(const char *name, const char *content)
{
    char path[512], tmp[520];
    srv_path(path, sizeof path, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    if (write_all(fd, content, strlen(content)) < 0) {
        close(fd);
        unlink(tmp);
        return -1;
    }
    fsync(fd);
    close(fd);
    if (rename(tmp, path) < 0) {
        unlink(tmp);
        return -1;
    }
    fsync_parent(path);
    return 0;
}

/* Read up to n-1 bytes of <srv>/<name>; -1 if it cannot be opened. */
static int
read_file(const char *name, char *buf, size_t n)
{
    char path[512];
    srv_path(path, sizeof path, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t got = 0;
    while (got < n - 1) {
        ssize_t r = read(fd, buf + got, n - 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t) r;
    }
    close(fd);
    buf[got] = 0;
    return (int) got;
}

static int
env_int(const char *name, int def)
{
    const char *v = getenv(name);
    return (v && *v) ? atoi(v) : def;
}

static double
env_double(const char *name, double def)
{
    const char *v = getenv(name);
    return (v && *v) ? atof(v) : def;
}

static int
env_true(const char *name)
{
    const char *v = getenv(name);
    return v
           && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0
               || strcasecmp(v, "yes") == 0 || strcasecmp(v, "on") == 0);
}

static const char *
env_version(void)
{
    const char *v = getenv("STUB_VERSION");
    return (v && *v) ? v : STUB_BUILD_VERSION;
}

/* "2.41.0", "v3.0.0-rc1\n" -> {2,41,0}; returns the number of parts found. */
static int
parse_version(const char *s, long v[3])
{
    int n = 0;
    v[0] = v[1] = v[2] = 0;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == 'v' || *s == 'V')
        s++;
    while (n < 3 && *s >= '0' && *s <= '9') {
        char *end;
        v[n++] = strtol(s, &end, 10);
        s = end;
        if (*s != '.')
            break;
        s++;
    }
    return n;
}

static int
cmp_version(const long a[3], const long b[3])
{
    for (int i = 0; i < 3; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

static int
major_of(const char *version)
{
    long v[3];
    return parse_version(version, v) > 0 ? (int) v[0] : 0;
}

static int
default_http_port(int major)
{
    return major >= 3 ? 8080 : 80;
}
static int
default_https_port(int major)
{
    return major >= 3 ? 8443 : 443;
}

/* ---------- kids (connection handlers) ---------- */

static void
kid_add(pid_t p)
{
    for (int i = 0; i < MAXKIDS; i++)
        if (g_kids[i] == 0) {
            g_kids[i] = p;
            return;
        }
}

static void
kid_reap(void)
{
    pid_t p;
    while ((p = waitpid(-1, NULL, WNOHANG)) > 0)
        for (int i = 0; i < MAXKIDS; i++)
            if (g_kids[i] == p)
                g_kids[i] = 0;
}

static void
kid_kill_all(void)
{
    kid_reap();
    for (int i = 0; i < MAXKIDS; i++)
        if (g_kids[i] > 0) {
            kill(g_kids[i], SIGKILL);
            waitpid(g_kids[i], NULL, 0);
            g_kids[i] = 0;
        }
}

/* ---------- data volume version (like real PMM) ---------- */

/* 0: ok, 1: refuse to start (downgrade) */
static int
check_data_version(void)
{
    char buf[128], dir[512];
    long own[3], data[3];
    parse_version(g_version, own);
    srv_path(dir, sizeof dir, "grafana");
    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        logmsg("warning: mkdir %s: %s", dir, strerror(errno));
    int n = read_file(VERSION_FILE, buf, sizeof buf);
    if (n > 0) {
        char *nl = strpbrk(buf, "\r\n");
        if (nl)
            *nl = 0;
        if (parse_version(buf, data) > 0 && cmp_version(data, own) > 0) {
            if (!env_true("PMM_ALLOW_DOWNGRADE")) {
                logmsg("FATAL: data in %s/%s is version %s, newer than this "
                       "PMM Server %s: "
                       "refusing to downgrade (set PMM_ALLOW_DOWNGRADE=1 to "
                       "override)",
                       g_srv, VERSION_FILE, buf, g_version);
                return 1;
            }
            logmsg("downgrade from data version %s to %s allowed by "
                   "PMM_ALLOW_DOWNGRADE",
                   buf, g_version);
        } else if (strcmp(buf, g_version) != 0) {
            logmsg("data version %s -> %s", buf, g_version);
        }
    } else {
        logmsg("no %s/%s: fresh data volume", g_srv, VERSION_FILE);
    }
    char content[128];
    snprintf(content, sizeof content, "%s\n", g_version);
    if (write_file(VERSION_FILE, content) < 0)
        logmsg("warning: cannot write %s/%s: %s", g_srv, VERSION_FILE,
               strerror(errno));
    if (!srv_exists("pmm-distribution"))
        write_file("pmm-distribution", "docker\n");
    return 0;
}

/* ---------- sequence file ---------- */

static int
seq_open(const char *file)
{
    char path[512];
    srv_path(path, sizeof path, file);
    g_seq_fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (g_seq_fd < 0) {
        logmsg("seq: cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    /* find the last complete line "<seq> <host> <ms>" in the file's tail */
    struct stat st;
    char tail[8192];
    size_t len = 0;
    off_t off = 0;
    if (fstat(g_seq_fd, &st) == 0 && st.st_size > 0) {
        if (st.st_size > (off_t) sizeof tail - 1)
            off = st.st_size - (off_t) (sizeof tail - 1);
        ssize_t r = pread(g_seq_fd, tail, sizeof tail - 1, off);
        if (r > 0)
            len = (size_t) r;
    }
    tail[len] = 0;
    g_seq = 0;
    if (len > 0 && tail[len - 1] != '\n')
        g_seq_need_nl = 1; /* torn last line: start a fresh one */
    size_t end = len;      /* one past the '\n' of the line under test */
    while (end > 0 && tail[end - 1] != '\n')
        end--;
    while (end > 0) {
        size_t b = end - 1;
        while (b > 0 && tail[b - 1] != '\n')
            b--;
        if (b == 0 && off > 0)
            break; /* first line of the window may be cut: don't trust it */
        tail[end - 1] = 0;
        char *p = tail + b, *q;
        unsigned long long v = strtoull(p, &q, 10);
        if (q != p && *q == ' ') {
            g_seq = v;
            break;
        }
        end = b;
    }
    logmsg("seq: appending to %s every %.0f ms, continuing after %llu%s", path,
           g_seq_interval * 1000, g_seq,
           g_seq_need_nl ? " (torn last line)" : "");
    g_seq_next = now_mono();
    return 0;
}

/* Append a record if one is due; returns ms until the next one (or -1). */
static int
seq_tick(void)
{
    if (g_seq_fd < 0)
        return -1;
    double now = now_mono();
    if (now >= g_seq_next) {
        char line[400];
        struct timespec rt;
        clock_gettime(CLOCK_REALTIME, &rt);
        unsigned long long ms = (unsigned long long) rt.tv_sec * 1000ULL
                                + (unsigned long long) rt.tv_nsec / 1000000ULL;
        int l = snprintf(line, sizeof line, "%s%llu %s %llu\n",
                         g_seq_need_nl ? "\n" : "", g_seq + 1, g_host, ms);
        if (write_all(g_seq_fd, line, (size_t) l) == 0
            && fdatasync(g_seq_fd) == 0) {
            g_seq++;
            g_seq_need_nl = 0;
        } else {
            logmsg("seq: write failed: %s", strerror(errno));
        }
        g_seq_next += g_seq_interval;
        now = now_mono();
        if (g_seq_next < now) /* fell behind (slow disk): don't burst */
            g_seq_next = now + g_seq_interval;
    }
    int ms = (int) ((g_seq_next - now) * 1000.0 + 0.999);
    return ms < 0 ? 0 : ms;
}

/* ---------- TLS ---------- */

static int
gen_selfsigned(SSL_CTX *ctx)
{
    int rc = -1;
    EVP_PKEY *pkey = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    if (!pkey || !x)
        goto out;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), (long) time(NULL));
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 3650L * 24 * 3600);
    X509_set_pubkey(x, pkey);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               (const unsigned char *) "PMM stub", -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               (const unsigned char *) "pmm-server", -1, -1, 0);
    X509_set_issuer_name(x, name);
    if (!X509_sign(x, pkey, EVP_sha256()))
        goto out;
    if (SSL_CTX_use_certificate(ctx, x) != 1
        || SSL_CTX_use_PrivateKey(ctx, pkey) != 1)
        goto out;
    rc = 0;
out:
    X509_free(x);
    EVP_PKEY_free(pkey);
    return rc;
}

static SSL_CTX *
make_ctx(void)
{
    OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx)
        return NULL;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    const char *cert = getenv("STUB_CERT");
    const char *key = getenv("STUB_KEY");
    char cbuf[512], kbuf[512];
    if (!cert) {
        srv_path(cbuf, sizeof cbuf, "nginx/certificate.crt");
        cert = cbuf;
    }
    if (!key) {
        srv_path(kbuf, sizeof kbuf, "nginx/certificate.key");
        key = kbuf;
    }
    if (access(cert, R_OK) == 0 && access(key, R_OK) == 0
        && SSL_CTX_use_certificate_chain_file(ctx, cert) == 1
        && SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) == 1) {
        logmsg("tls: using certificate %s", cert);
        return ctx;
    }
    ERR_clear_error();
    if (gen_selfsigned(ctx) < 0) {
        ERR_print_errors_fp(stderr);
        SSL_CTX_free(ctx);
        return NULL;
    }
    logmsg("tls: generated self-signed EC P-256 certificate");
    return ctx;
}

/* ---------- listening ---------- */

static int
listen_on(int port)
{
    int one = 1, zero = 0;
    int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
        struct sockaddr_in6 a6;
        memset(&a6, 0, sizeof a6);
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((unsigned short) port);
        a6.sin6_addr = in6addr_any;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
        if (bind(fd, (struct sockaddr *) &a6, sizeof a6) == 0
            && listen(fd, 128) == 0)
            return fd;
        close(fd);
    }
    /* no IPv6 in this network namespace: IPv4 only */
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a4;
    memset(&a4, 0, sizeof a4);
    a4.sin_family = AF_INET;
    a4.sin_port = htons((unsigned short) port);
    a4.sin_addr.s_addr = htonl(INADDR_ANY);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *) &a4, sizeof a4) < 0
        || listen(fd, 128) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* ---------- HTTP ---------- */

typedef struct {
    int fd;
    SSL *ssl;
} conn_t;

static int
c_read(conn_t *c, char *buf, int n)
{
    if (c->ssl)
        return SSL_read(c->ssl, buf, n);
    ssize_t r;
    do {
        r = read(c->fd, buf, (size_t) n);
    } while (r < 0 && errno == EINTR);
    return (int) r;
}

static void
c_write(conn_t *c, const char *buf, int n)
{
    int off = 0;
    while (off < n) {
        int w = c->ssl ? SSL_write(c->ssl, buf + off, n - off)
                       : (int) write(c->fd, buf + off, (size_t) (n - off));
        if (w <= 0) {
            if (!c->ssl && w < 0 && errno == EINTR)
                continue;
            return;
        }
        off += w;
    }
}

static void
respond(conn_t *c, int code, const char *reason, const char *ctype,
        const char *body)
{
    char hdr[512];
    int bl = (int) strlen(body);
    int hl = snprintf(
        hdr, sizeof hdr,
        "HTTP/1.1 %d %s\r\nServer: pmm-stub/%s\r\nContent-Type: %s\r\n"
        "Content-Length: %d\r\nConnection: close\r\n\r\n",
        code, reason, g_version, ctype, bl);
    c_write(c, hdr, hl);
    c_write(c, body, bl);
}

static void
handle_readyz(conn_t *c)
{
    char body[256];
    if (srv_exists(".stub-hang")) {
        logmsg("readyz: hanging (.stub-hang present) for %ds", g_hang_seconds);
        sleep((unsigned) g_hang_seconds);
        return;
    }
    if (srv_exists(".stub-unhealthy")) {
        respond(c, 503, "Service Unavailable", "application/json",
                "{\"code\":14,\"error\":\"stub forced unhealthy\","
                "\"message\":\"stub forced unhealthy\"}\n");
        return;
    }
    double up = uptime_s();
    if (up < g_ready_delay) {
        snprintf(
            body, sizeof body,
            "{\"code\":14,\"error\":\"warming up\",\"message\":\"warming up\","
            "\"uptime\":%.3f,\"ready_delay\":%.3f}\n",
            up, g_ready_delay);
        respond(c, 503, "Service Unavailable", "application/json", body);
        return;
    }
    respond(c, 200, "OK", "application/json", "{}\n");
}

static void
handle(conn_t *c, int is_tls)
{
    char req[4096];
    int got = 0;
    /* read until the end of the headers (or a full buffer) */
    while (got < (int) sizeof req - 1) {
        int r = c_read(c, req + got, (int) sizeof req - 1 - got);
        if (r <= 0)
            break;
        got += r;
        req[got] = 0;
        if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
            break;
    }
    if (got <= 0)
        return;
    req[got] = 0;
    char method[16] = "", path[1024] = "", body[1024];
    if (sscanf(req, "%15s %1023s", method, path) != 2)
        path[0] = 0;
    char *q = strchr(path, '?');
    if (q)
        *q = 0;

    int pmm3 = g_major >= 3;
    if (strcmp(path, "/v1/readyz") == 0
        || (pmm3 && strcmp(path, "/v1/server/readyz") == 0)) {
        handle_readyz(c);
        return;
    }
    if (strcmp(path, "/v1/version") == 0
        || (pmm3 && strcmp(path, "/v1/server/version") == 0)) {
        snprintf(
            body, sizeof body,
            "{\"version\":\"%s\",\"server\":{\"version\":\"%s\",\"full_"
            "version\":\"%s-stub\"},"
            "\"managed\":{\"version\":\"%s\"},\"stub\":true,\"uptime\":%.3f}\n",
            g_version, g_version, g_version, g_version, uptime_s());
        respond(c, 200, "OK", "application/json", body);
        return;
    }
    if (strcmp(path, "/ping") == 0 || strcmp(path, "/v1/Settings/Ping") == 0
        || strcmp(path, "/") == 0) {
        snprintf(body, sizeof body, "pmm-stub %s %s uptime=%.3f\n", g_version,
                 is_tls ? "https" : "http", uptime_s());
        respond(c, 200, "OK", "text/plain", body);
        return;
    }
    respond(c, 404, "Not Found", "text/plain", "not found\n");
}

static void
serve_child(int cfd, int is_tls)
{
    conn_t c = { cfd, NULL };
    struct timeval tv = { 10, 0 };
    setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (is_tls) {
        c.ssl = SSL_new(g_ctx);
        if (!c.ssl)
            _exit(0);
        SSL_set_fd(c.ssl, cfd);
        if (SSL_accept(c.ssl) != 1) {
            SSL_free(c.ssl);
            close(cfd);
            _exit(0);
        }
    }
    handle(&c, is_tls);
    if (c.ssl) {
        SSL_shutdown(c.ssl);
        SSL_free(c.ssl);
    }
    shutdown(cfd, SHUT_WR);
    close(cfd);
    _exit(0);
}

/* ---------- client modes ---------- */

/* "pmm-stub --healthcheck": exit 0 iff readyz on loopback answers 200. */
static int
healthcheck(void)
{
    int port
        = env_int("STUB_HTTP_PORT", default_http_port(major_of(env_version())));
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a;
    struct timeval tv = { 2, 0 };
    char buf[256];
    if (fd < 0)
        return 1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short) port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *) &a, sizeof a) < 0) {
        close(fd);
        return 1;
    }
    const char *req = "GET /v1/readyz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (write_all(fd, req, strlen(req)) < 0) {
        close(fd);
        return 1;
    }
    ssize_t r = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (r <= 0)
        return 1;
    buf[r] = 0;
    return strncmp(buf, "HTTP/1.1 200", 12) == 0 ? 0 : 1;
}

/* ---------- main ---------- */

static void
write_env_file(void)
{
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        return;
    buf[0] = 0;
    for (char **e = environ; e && *e; e++) {
        size_t l = strlen(*e);
        if (len + l + 2 >= cap)
            break;
        memcpy(buf + len, *e, l);
        len += l;
        buf[len++] = '\n';
        buf[len] = 0;
    }
    write_file("stub-env.txt", buf);
    free(buf);
}

static void
accept_one(int lfd, int is_tls, int hfd, int sfd)
{
    int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (cfd < 0)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGCHLD, SIG_DFL);
        if (hfd >= 0)
            close(hfd);
        if (sfd >= 0)
            close(sfd);
        if (g_seq_fd >= 0)
            close(g_seq_fd);
        serve_child(cfd, is_tls);
    }
    if (pid > 0)
        kid_add(pid);
    close(cfd);
}

int
main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--healthcheck") == 0)
        return healthcheck();
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("%s\n", env_version());
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "usage: %s [--healthcheck | --version]\n", argv[0]);
        return 2;
    }

    g_start = now_mono();
    if (getenv("STUB_SRV") && *getenv("STUB_SRV"))
        g_srv = getenv("STUB_SRV");
    g_version = env_version();
    g_major = major_of(g_version);
    g_ready_delay = env_double("STUB_READY_DELAY", 3.0);
    g_hang_seconds = env_int("STUB_HANG_SECONDS", 3600);
    int http_port = env_int("STUB_HTTP_PORT", default_http_port(g_major));
    int https_port = env_int("STUB_HTTPS_PORT", default_https_port(g_major));
    double stop_delay = env_double("STUB_STOP_DELAY", 0);
    double exit_after = env_double("STUB_EXIT_AFTER", 0);
    int seq_ms = env_int("STUB_SEQ_INTERVAL_MS", 100);
    g_seq_interval = (seq_ms > 0 ? seq_ms : 100) / 1000.0;
    gethostname(g_host, sizeof g_host - 1);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term; /* no SA_RESTART: poll() must return EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_chld;
    sigaction(SIGCHLD, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    mkdir(g_srv, 0755);
    logmsg("starting: version=%s http=%d https=%d ready_delay=%.3f", g_version,
           http_port, https_port, g_ready_delay);
    write_env_file();

    if (check_data_version() != 0)
        return 1;

    char path[512];
    srv_path(path, sizeof path, "stub-clean-shutdown");
    unlink(path);

    g_ctx = make_ctx();
    if (!g_ctx) {
        logmsg("FATAL: cannot create TLS context");
        return 2;
    }
    int hfd = http_port > 0 ? listen_on(http_port) : -1;
    if (http_port > 0 && hfd < 0) {
        logmsg("FATAL: cannot listen on %d: %s", http_port, strerror(errno));
        return 2;
    }
    int sfd = https_port > 0 ? listen_on(https_port) : -1;
    if (https_port > 0 && sfd < 0) {
        logmsg("FATAL: cannot listen on %d: %s", https_port, strerror(errno));
        return 2;
    }

    {
        char ts[64], content[512];
        tstamp(ts, sizeof ts);
        snprintf(content, sizeof content,
                 "started=%s\npid=%d\nversion=%s\nhostname=%s\n", ts,
                 (int) getpid(), g_version, g_host);
        write_file("stub-started", content);
    }
    const char *seq_file = getenv("STUB_SEQ_FILE");
    if (seq_file && *seq_file)
        seq_open(seq_file);
    logmsg("listening (http=%d https=%d)", http_port, https_port);

    while (!g_term) {
        if (g_chld) {
            g_chld = 0;
            kid_reap();
        }
        int timeout = 1000;
        if (exit_after > 0) {
            double left = exit_after - uptime_s();
            if (left <= 0) {
                logmsg("STUB_EXIT_AFTER=%.3f reached: exiting with status 1 "
                       "(simulated crash)",
                       exit_after);
                return 1;
            }
            if (left * 1000 < timeout)
                timeout = (int) (left * 1000) + 1;
        }
        int st = seq_tick();
        if (st >= 0 && st < timeout)
            timeout = st;
        struct pollfd p[2] = { { hfd, POLLIN, 0 }, { sfd, POLLIN, 0 } };
        int r = poll(p, 2, timeout);
        if (r < 0) {
            if (errno == EINTR) {
                if (g_term && srv_exists(".stub-ignore-term")) {
                    logmsg("SIGTERM received but .stub-ignore-term present: "
                           "ignoring");
                    g_term = 0;
                }
                continue;
            }
            logmsg("poll: %s", strerror(errno));
            break;
        }
        if (p[0].fd >= 0 && (p[0].revents & POLLIN))
            accept_one(hfd, 0, hfd, sfd);
        if (p[1].fd >= 0 && (p[1].revents & POLLIN))
            accept_one(sfd, 1, hfd, sfd);
    }

    /* graceful shutdown */
    logmsg("SIGTERM received: flushing (stop_delay=%.3fs)", stop_delay);
    if (hfd >= 0)
        close(hfd);
    if (sfd >= 0)
        close(sfd);
    double until = now_mono() + stop_delay;
    for (;;) {
        double left = until - now_mono();
        if (left <= 0)
            break;
        int timeout = (int) (left * 1000) + 1;
        int st = seq_tick();
        if (st >= 0 && st < timeout)
            timeout = st;
        poll(NULL, 0, timeout);
    }
    kid_kill_all(); /* e.g. a hung readyz */
    if (g_seq_fd >= 0) {
        fdatasync(g_seq_fd);
        close(g_seq_fd);
    }
    {
        char ts[64], content[256];
        tstamp(ts, sizeof ts);
        snprintf(content, sizeof content,
                 "clean_shutdown=%s\npid=%d\nversion=%s\nuptime=%.3f\n", ts,
                 (int) getpid(), g_version, uptime_s());
        write_file("stub-clean-shutdown", content);
    }
    logmsg("clean shutdown complete, exit 0");
    return 0;
}
