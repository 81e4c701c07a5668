/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repl-http.c - HTTP for pmmha-replicator (see repl-http.h). Every request
 * runs in a libcurl multi handle driven by one loop (drive()) that owns
 * the limits: the caller's absolute deadline, the link's silence
 * (@io_timeout_ms without a byte moving), and repl_stopping().
 *
 * The pipe: the source's answer goes into a ring of PIPE_RING bytes; the
 * target's chunked POST reads from it. A full ring pauses the source, an
 * empty one the target, so memory stays bounded whatever the window's
 * size. The target's request starts with the source's first byte of a 2xx
 * answer: an error page never reaches the target, and a source that
 * answers nothing (an empty window) costs no import at all.
 *
 * Trust as pmm-server's probes: lib/curl-tls.h (tls.ca_file verifies the
 * chain, tls.fingerprint pins the public key, neither verifies nothing).
 * Messages name the URL without its query and never a credential: a
 * server that echoes the Authorization header gets it masked.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "curl-tls.h"
#include "repl-http.h"

#define PIPE_RING ((size_t) 1 << 20)
#define ERR_HEAD 160 /* bytes of an error answer kept for the message */
#define POLL_MS 100  /* the loop looks at its limits this often */
#define NO_BYTE UINT64_MAX

/* The pipe's bounded buffer, shared by its two transfers */
struct ring {
    char *buf;
    size_t cap, start, len;
    bool src_done; /* the source's answer is complete (2xx) */
    bool src_bad;  /* the source failed: the target's body is aborted */
    uint64_t moved;
};

/* One request and what it found out */
struct xfer {
    CURL *h;
    const struct repl_http_req *rq;
    const char *side; /* "source", "target", or NULL: a plain fetch */
    struct repl_http_info info;
    struct curl_slist *hdrs;
    char *url;
    uint64_t last_ns; /* a byte moved, or the transfer (re)started */
    bool added, done, paused;
    CURLcode res;
    char errbuf[CURL_ERROR_SIZE];
    /* the answer: into the ring (pipe source), a buffer (fetch) or away */
    struct ring *ring;
    bool want_body, too_big;
    char *body;
    size_t len, cap, max;
    char head[ERR_HEAD + 1]; /* start of a non-2xx answer */
    size_t head_len;
};

static size_t
ring_room(const struct ring *rg)
{
    return rg->cap - rg->len;
}

static void
ring_put(struct ring *rg, const char *p, size_t n)
{
    size_t at = (rg->start + rg->len) % rg->cap;
    size_t first = rg->cap - at < n ? rg->cap - at : n;

    memcpy(rg->buf + at, p, first);
    memcpy(rg->buf, p + first, n - first);
    rg->len += n;
}

static size_t
ring_get(struct ring *rg, char *p, size_t max)
{
    size_t n = rg->len < max ? rg->len : max;
    size_t first = rg->cap - rg->start < n ? rg->cap - rg->start : n;

    memcpy(p, rg->buf + rg->start, first);
    memcpy(p + first, rg->buf, n - first);
    rg->start = (rg->start + n) % rg->cap;
    rg->len -= n;
    rg->moved += n;
    return n;
}

static bool
status_ok(long status)
{
    return status >= 200 && status < 300;
}

/* The answer's status, known once its headers are in */
static long
xfer_status(struct xfer *x)
{
    if (x->info.status == 0)
        curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &x->info.status);
    return x->info.status;
}

bool
repl_http_date(const char *p, size_t len, int64_t *ret_ms)
{
    char line[128];
    time_t t;

    if (!(len > 5 && len < sizeof line && strncasecmp(p, "Date:", 5) == 0))
        return false;
    memcpy(line, p + 5, len - 5);
    line[len - 5] = '\0';
    line[strcspn(line, "\r\n")] = '\0';
    t = curl_getdate(line + strspn(line, " \t"), NULL);
    /* a year past 292 million (libcurl takes any): unreadable */
    *ret_ms = t > 0 && t <= INT64_MAX / 1000 ? (int64_t) t * 1000 : 0;
    return true;
}

static size_t
on_header(char *p, size_t size, size_t n, void *opaque)
{
    struct xfer *x = opaque;
    size_t len = size * n;

    x->last_ns = ra_now_ns();
    if (x->info.recv_ms == 0)
        x->info.recv_ms = repl_wall_ms();
    repl_http_date(p, len, &x->info.date_ms);
    return len;
}

static void
keep_head(struct xfer *x, const char *p, size_t len)
{
    size_t n = ERR_HEAD - x->head_len < len ? ERR_HEAD - x->head_len : len;

    memcpy(x->head + x->head_len, p, n);
    x->head_len += n;
    x->head[x->head_len] = '\0';
}

/* Into the fetch's buffer; false when past its limit */
static bool
keep_body(struct xfer *x, const char *p, size_t len)
{
    if (len > x->max - x->len) {
        x->too_big = true;
        return false;
    }
    if (x->len + len + 1 > x->cap) {
        size_t cap = x->cap ? x->cap : 4096;
        char *b;

        while (cap < x->len + len + 1)
            cap *= 2;
        b = realloc(x->body, cap);
        if (!b)
            return false;
        x->body = b;
        x->cap = cap;
    }
    memcpy(x->body + x->len, p, len);
    x->len += len;
    x->body[x->len] = '\0';
    return true;
}

static size_t
on_body(char *p, size_t size, size_t n, void *opaque)
{
    struct xfer *x = opaque;
    size_t len = size * n;

    x->last_ns = ra_now_ns();
    if (!status_ok(xfer_status(x))) {
        keep_head(x, p, len);
        return len;
    }
    if (x->ring) {
        if (ring_room(x->ring) < len) {
            x->paused = true;
            return CURL_WRITEFUNC_PAUSE;
        }
        ring_put(x->ring, p, len);
        return len;
    }
    if (!x->want_body)
        return len;
    return keep_body(x, p, len) ? len : 0;
}

/* The target's body: what the ring holds, then its end */
static size_t
on_read(char *p, size_t size, size_t n, void *opaque)
{
    struct xfer *x = opaque;
    struct ring *rg = x->ring;

    if (rg->len == 0) {
        if (rg->src_bad)
            return CURL_READFUNC_ABORT;
        if (rg->src_done)
            return 0;
        x->paused = true;
        return CURL_READFUNC_PAUSE;
    }
    x->last_ns = ra_now_ns();
    return ring_get(rg, p, size * n);
}

static CURLcode
tls_setup(CURL *h, const struct repl_tls *tls)
{
    return ra_curl_tls(h, tls ? tls->ca_file : NULL,
                       tls ? tls->fingerprint : NULL);
}

static CURLcode
auth_setup(CURL *h, const struct repl_http_ep *ep)
{
    CURLcode rc = CURLE_OK;

    if (!ep->user)
        return rc;
    rc = curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_USERNAME, ep->user);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_PASSWORD,
                              ep->password ? ep->password : "");
    return rc;
}

static CURLcode
body_setup(struct xfer *x)
{
    const struct repl_http_req *rq = x->rq;
    CURLcode rc = CURLE_OK;

    if (x->ring && x->side && strcmp(x->side, "target") == 0) {
        rc = curl_easy_setopt(x->h, CURLOPT_POST, 1L);
        if (!rc)
            rc = curl_easy_setopt(x->h, CURLOPT_READFUNCTION, on_read);
        if (!rc)
            rc = curl_easy_setopt(x->h, CURLOPT_READDATA, x);
    } else if (rq->body) {
        rc = curl_easy_setopt(x->h, CURLOPT_POSTFIELDSIZE, (long) rq->body_len);
        if (!rc)
            rc = curl_easy_setopt(x->h, CURLOPT_POSTFIELDS, rq->body);
    }
    return rc;
}

static CURLcode
xfer_setup(struct xfer *x, int64_t io_timeout_ms)
{
    CURL *h = x->h;
    CURLcode rc = curl_easy_setopt(h, CURLOPT_URL, x->url);

    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                              (long) io_timeout_ms);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_USERAGENT, "pmmha-replicator");
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->hdrs);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
    if (!rc)
        rc = auth_setup(h, x->rq->ep);
    if (!rc && x->rq->tls)
        rc = tls_setup(h, x->rq->tls);
    return rc ? rc : body_setup(x);
}

static int
xfer_init(struct xfer *x, const struct repl_http_req *rq, const char *side,
          struct ring *ring, int64_t io_timeout_ms)
{
    size_t n = strlen(rq->ep->url) + strlen(rq->path) + 1;

    memset(x, 0, sizeof *x);
    x->rq = rq;
    x->side = side;
    x->ring = ring;
    x->url = malloc(n);
    x->h = curl_easy_init();
    /* no "Expect: 100-continue": it costs a second on every POST */
    x->hdrs = curl_slist_append(NULL, "Expect:");
    if (!x->url || !x->h || !x->hdrs)
        return -ENOMEM;
    snprintf(x->url, n, "%s%s", rq->ep->url, rq->path);
    return xfer_setup(x, io_timeout_ms) ? -ENOMEM : 0;
}

static void
xfer_free(struct xfer *x, CURLM *m)
{
    if (x->added)
        curl_multi_remove_handle(m, x->h);
    curl_easy_cleanup(x->h);
    curl_slist_free_all(x->hdrs);
    free(x->url);
    free(x->body);
}

static int
xfer_add(struct xfer *x, CURLM *m)
{
    x->last_ns = ra_now_ns();
    x->info.sent_ms = repl_wall_ms();
    if (curl_multi_add_handle(m, x->h) != CURLM_OK)
        return -ENOMEM;
    x->added = true;
    return 0;
}

/* ---- messages: one line, the URL without its query, no credential ---- */

/* Every @secret in @s becomes "***"; the search goes on past each mask
 * (a secret "***" would find its own mask forever) */
static void
mask(char *s, const char *secret)
{
    size_t n = secret ? strlen(secret) : 0;
    char *p;

    if (n < 3)
        return;
    for (p = strstr(s, secret); p; p = strstr(p + 3, secret)) {
        p[0] = p[1] = p[2] = '*';
        memmove(p + 3, p + n, strlen(p + n) + 1);
    }
}

void
repl_http_mask(char *s, const struct repl_http_ep *ep)
{
    unsigned char b64[512];
    char both[256];
    int n;

    if (!ep->user)
        return;
    n = snprintf(both, sizeof both, "%s:%s", ep->user,
                 ep->password ? ep->password : "");
    if (n > 0 && (size_t) n < sizeof both) {
        EVP_EncodeBlock(b64, (const unsigned char *) both, n);
        mask(s, (const char *) b64);
        mask(s, both);
    }
    mask(s, ep->password);
}

static void
oneline(char *s)
{
    for (; *s; s++)
        if ((unsigned char) *s < ' ' || *s == 0x7f)
            *s = ' ';
}

static int __attribute__((format(printf, 5, 6)))
xfer_fail(const struct xfer *x, int rc, char *err, size_t errlen,
          const char *fmt, ...)
{
    char what[320];
    const char *url = x->url ? x->url : x->rq->ep->url;
    size_t q = strcspn(url, "?");
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "%s%s%.*s: %s", x->side ? x->side : "",
             x->side ? " " : "", (int) (q > 120 ? 120 : q), url, what);
    oneline(err);
    repl_http_mask(err, x->rq->ep);
    return rc;
}

static int
curl_errno(CURLcode c)
{
    switch (c) {
    case CURLE_OPERATION_TIMEDOUT:
        return -ETIMEDOUT;
    case CURLE_COULDNT_CONNECT:
        return -ECONNREFUSED;
    case CURLE_COULDNT_RESOLVE_HOST:
        return -EHOSTUNREACH;
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
        return -EPERM;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
        return -ECONNRESET;
    case CURLE_OUT_OF_MEMORY:
        return -ENOMEM;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return -EINVAL;
    default:
        return -EPROTO;
    }
}

/* A finished transfer's verdict: 0 for a complete 2xx answer */
static int
xfer_result(struct xfer *x, char *err, size_t errlen)
{
    long status = xfer_status(x);

    if (x->too_big)
        return xfer_fail(x, -EFBIG, err, errlen,
                         "the answer is larger than %zu bytes", x->max);
    if (x->res == CURLE_OK && status == 401)
        return xfer_fail(x, -EACCES, err, errlen,
                         "HTTP 401: the credentials were refused");
    if (x->res == CURLE_OK && status == 403)
        return xfer_fail(x, -EACCES, err, errlen, "HTTP 403: forbidden");
    if (x->res == CURLE_OK && !status_ok(status))
        return xfer_fail(x, -EPROTO, err, errlen, "HTTP %ld: %s", status,
                         x->head);
    if (x->res == CURLE_SSL_PINNEDPUBKEYNOTMATCH)
        return xfer_fail(x, -EPERM, err, errlen,
                         "its public key does not match --tls-fingerprint");
    if (x->res != CURLE_OK)
        return xfer_fail(x, curl_errno(x->res), err, errlen, "%s",
                         x->errbuf[0] ? x->errbuf : curl_easy_strerror(x->res));
    return 0;
}

/* ---- the loop ---- */

struct drive {
    CURLM *m;
    struct xfer *x[2];
    size_t n;
    ra_deadline_t d;
    uint64_t io_ns;
};

/* The pipe's flow control, between two rounds of curl_multi_perform() */
static int
pipe_step(struct drive *dv)
{
    struct xfer *src = dv->x[0], *dst = dv->x[1];
    struct ring *rg = src->ring;

    if (src->paused && ring_room(rg) >= rg->cap / 2) {
        src->paused = false;
        src->last_ns = ra_now_ns();
        curl_easy_pause(src->h, CURLPAUSE_CONT);
    }
    if (!dst->added && rg->len > 0)
        return xfer_add(dst, dv->m);
    if (dst->paused && (rg->len > 0 || rg->src_done || rg->src_bad)) {
        dst->paused = false;
        dst->last_ns = ra_now_ns();
        curl_easy_pause(dst->h, CURLPAUSE_CONT);
    }
    return 0;
}

/* Transfers that ended: their result, and for the pipe's source what the
 * target's body does next */
static void
collect(struct drive *dv)
{
    CURLMsg *msg;
    int left;
    size_t i;

    while ((msg = curl_multi_info_read(dv->m, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        for (i = 0; i < dv->n; i++) {
            struct xfer *x = dv->x[i];

            if (x->h != msg->easy_handle)
                continue;
            x->done = true;
            x->res = msg->data.result;
            if (x->ring && i == 0) {
                bool ok = x->res == CURLE_OK && status_ok(xfer_status(x));

                x->ring->src_done = ok;
                x->ring->src_bad = !ok;
            }
        }
    }
}

/* The transfer silent for too long, or NULL */
static struct xfer *
silent(const struct drive *dv, uint64_t now)
{
    size_t i;

    for (i = 0; i < dv->n; i++) {
        const struct xfer *x = dv->x[i];

        if (x->added && !x->done && !x->paused && now > x->last_ns
            && now - x->last_ns > dv->io_ns)
            return dv->x[i];
    }
    return NULL;
}

/* Runs the transfers until @until says they are over or a limit hits:
 * 0, or the limit's -errno with @err set */
static int
drive(struct drive *dv, bool (*until)(const struct drive *), char *err,
      size_t errlen)
{
    int running, rc;
    struct xfer *x;

    for (;;) {
        if (curl_multi_perform(dv->m, &running) != CURLM_OK)
            return xfer_fail(dv->x[0], -ENOMEM, err, errlen, "curl failed");
        collect(dv);
        if (dv->n == 2 && (rc = pipe_step(dv)) < 0)
            return xfer_fail(dv->x[1], rc, err, errlen, "curl failed");
        if (until(dv))
            return 0;
        if (repl_stopping())
            return xfer_fail(dv->x[0], -ECANCELED, err, errlen,
                             "stopped by a signal");
        if (ra_deadline_passed(dv->d))
            return xfer_fail(dv->x[0], -ETIMEDOUT, err, errlen,
                             "the cycle's deadline passed");
        x = silent(dv, ra_now_ns());
        if (x)
            return xfer_fail(
                x, -ETIMEDOUT, err, errlen, "no byte for %llu ms",
                (unsigned long long) (dv->io_ns / RA_NSEC_PER_MSEC));
        rc = ra_deadline_left_ms(dv->d);
        curl_multi_poll(dv->m, NULL, 0,
                        dv->d && rc < POLL_MS ? rc + 1 : POLL_MS, NULL);
    }
}

static bool
fetch_over(const struct drive *dv)
{
    return dv->x[0]->done;
}

int
repl_http_fetch(const struct repl_http_req *rq, ra_deadline_t d,
                int64_t io_timeout_ms, char **ret_body, size_t max,
                struct repl_http_info *info, char *err, size_t errlen)
{
    struct xfer x;
    struct drive dv = { curl_multi_init(),
                        { &x, NULL },
                        1,
                        d,
                        (uint64_t) io_timeout_ms * RA_NSEC_PER_MSEC };
    int rc = xfer_init(&x, rq, NULL, NULL, io_timeout_ms);

    err[0] = '\0';
    x.want_body = ret_body != NULL;
    x.max = max;
    if (rc == 0 && !dv.m)
        rc = -ENOMEM;
    if (rc < 0)
        xfer_fail(&x, rc, err, errlen, "out of memory");
    if (rc == 0)
        rc = xfer_add(&x, dv.m);
    if (rc == 0)
        rc = drive(&dv, fetch_over, err, errlen);
    if (rc == 0)
        rc = xfer_result(&x, err, errlen);
    if (rc == 0 && ret_body) {
        *ret_body = x.body ? x.body : strdup("");
        x.body = NULL;
        rc = *ret_body ? 0 : -ENOMEM;
    }
    if (info)
        *info = x.info;
    xfer_free(&x, dv.m);
    curl_multi_cleanup(dv.m);
    return rc;
}

/* Over when the target answered, or the source failed, or the source's
 * answer was empty (nothing to import) */
static bool
pipe_over(const struct drive *dv)
{
    const struct xfer *src = dv->x[0], *dst = dv->x[1];

    if (dst->done || src->ring->src_bad)
        return true;
    return src->done && !dst->added;
}

/* The pipe's verdict once it is over: the first side that failed */
static int
pipe_result(struct xfer *src, struct xfer *dst, char *err, size_t errlen)
{
    int rc = src->done ? xfer_result(src, err, errlen) : 0;

    if (rc < 0 && src->res == CURLE_PARTIAL_FILE)
        return xfer_fail(src, -ECONNRESET, err, errlen,
                         "the answer was cut off after %llu bytes",
                         (unsigned long long) src->ring->moved);
    if (rc < 0 || !dst->added)
        return rc;
    rc = xfer_result(dst, err, errlen);
    if (rc == 0 && !src->done)
        return xfer_fail(dst, -EPROTO, err, errlen,
                         "answered before the end of the data");
    return rc;
}

int
repl_http_pipe(const struct repl_http_req *src, const struct repl_http_req *dst,
               ra_deadline_t d, int64_t io_timeout_ms, uint64_t *ret_bytes,
               struct repl_http_info *src_info, char *err, size_t errlen)
{
    struct ring rg = { malloc(PIPE_RING), PIPE_RING, 0, 0, false, false, 0 };
    struct xfer xs, xd;
    struct drive dv = { curl_multi_init(),
                        { &xs, &xd },
                        2,
                        d,
                        (uint64_t) io_timeout_ms * RA_NSEC_PER_MSEC };
    int rc = xfer_init(&xs, src, "source", &rg, io_timeout_ms);

    err[0] = '\0';
    if (xfer_init(&xd, dst, "target", &rg, io_timeout_ms) < 0 && rc == 0)
        rc = -ENOMEM;
    if (rc == 0 && (!rg.buf || !dv.m))
        rc = -ENOMEM;
    if (rc < 0)
        xfer_fail(&xs, rc, err, errlen, "out of memory");
    if (rc == 0)
        rc = xfer_add(&xs, dv.m);
    if (rc == 0)
        rc = drive(&dv, pipe_over, err, errlen);
    if (rc == 0)
        rc = pipe_result(&xs, &xd, err, errlen);
    *ret_bytes = rg.moved;
    if (src_info)
        *src_info = xs.info;
    xfer_free(&xd, dv.m);
    xfer_free(&xs, dv.m);
    curl_multi_cleanup(dv.m);
    free(rg.buf);
    return rc;
}

char *
repl_http_escape(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = malloc(strlen(s) * 3 + 1), *o = out;

    if (!out)
        return NULL;
    for (; *s; s++) {
        unsigned char c = (unsigned char) *s;

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
            || (c >= '0' && c <= '9') || strchr("-._~", c)) {
            *o++ = (char) c;
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o = '\0';
    return out;
}
