/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rt-api.c - the container runtime through its REST API on a unix socket
 * (runtime.h), in the "net" plugin. Two dialects, picked by rt->transport:
 *
 *   RT_API_LIBPOD  podman's own API,     /v4.0.0/libpod/...
 *   RT_API_DOCKER  Docker Engine API,    /v1.41/... (docker, or podman's
 *                                        Docker-compatible layer); an
 *                                        engine that refuses 1.41 (400
 *                                        "client version 1.41 is too old.
 *                                        Minimum supported API version is
 *                                        1.44", docker 29.0-29.2) is asked
 *                                        again in the version it names
 *
 * Facts relied on (checked against podman 4.3.1 here, and in
 * tests/stub/NOTES.md):
 *  - Image references go in the path escaped as one segment
 *    (docker.io%2Fpercona%2Fpmm-server%3A2.41.0); podman and docker decode
 *    the path before routing, so the escaped and raw forms both work, and
 *    the escaped one cannot be misread.
 *  - Errors come as {"cause": ..., "message": ..., "response": N} (podman)
 *    or {"message": ...} (docker). podman also answers 500 for ordinary
 *    outcomes, told apart by the cause: see cause_errno().
 *  - A pull answers 200 at once and reports failure inside the body: one
 *    JSON object per line with "error" (and "errorDetail") set.
 *  - libpod's stop takes ?timeout=N and silently ignores ?t=N (the
 *    compatible API takes ?t=N); the call returns once the container is
 *    down, and an auto-remove container is already gone by then. After a
 *    kill or a crash, removal runs in the background (~0.1 s).
 *  - A force-remove stops with SIGTERM and the container's stop timeout
 *    first (libpod takes ?timeout=0; the compatible API cannot, so we kill
 *    first); docker kills at once.
 *  - libpod's create takes "r_limits" types without the RLIMIT_ prefix, and
 *    an explicit ulimit list replaces containers.conf's default_ulimits
 *    (so give nproc along with nofile where the hard limits are low).
 *  - The Docker-compatible create of podman 4.3 creates a missing bind
 *    source directory (libpod's refuses): see check_volume().
 *
 * One curl easy handle per struct rt (rt->priv), reused so the connection
 * stays open across the calls of one action. Every call's timeout is the
 * time left before its deadline; none starts once the deadline passed.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "json.h"
#include "runtime.h"

#define LIBPOD_PREFIX "/v4.0.0/libpod"
#define API_MAX_RESPONSE (4u << 20) /* an inspect is ~10 KiB */
#define API_STOP_MARGIN_MS 5000     /* stop's HTTP time beyond the grace */
#define API_PATH_MAX 1024
#define API_EXEC_KEEP 4096 /* of an exec's raw answer, for an error message */

/*
 * An exec's output as the API streams it (Tty false): frames of an 8-byte
 * header {stream (0 stdin, 1 stdout, 2 stderr), 0, 0, 0, big-endian
 * uint32 size} and that many bytes. The payloads go to @out in arrival
 * order, truncated to @out_len - 1; the rest is read and dropped.
 */
struct demux {
    unsigned char hdr[8];
    size_t hdr_len; /* header bytes read of the current frame */
    uint32_t left;  /* payload bytes still to come of the current frame */
    char *out;      /* or NULL */
    size_t out_len; /* capacity of @out */
    size_t used;    /* bytes in @out */
    bool bad;       /* a header that is no frame header */
};

/** One request and what came back. */
struct api_call {
    const char *what; /* for messages: "inspect pmm-server" */
    const char *method;
    char path[API_PATH_MAX]; /* after the dialect prefix, escaped */
    const char *body;        /* JSON, or NULL */
    ra_deadline_t deadline;
    bool stream;         /* JSON lines: keep only errors (a pull) */
    struct demux *demux; /* an exec's output stream (see demux_feed) */
    long status;
    char *data; /* the response (not with stream) */
    size_t len, cap;
    bool too_big, no_memory;
    char stream_err[RT_ERR_MAX]; /* first error a stream reported */
};

/* rt->err = printf(@fmt, ...), truncated as needed. */
static void __attribute__((format(printf, 2, 3)))
set_err(struct rt *rt, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    /* clang 14's analyzer loses the va_start of a static function's list */
    /* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
    vsnprintf(rt->err, sizeof rt->err, fmt, ap);
    va_end(ap);
}

static bool
is_libpod(const struct rt *rt)
{
    return rt->transport == RT_API_LIBPOD;
}

static const char *
docker_version(const struct rt *rt)
{
    return rt->api_version[0] ? rt->api_version : RT_DOCKER_API_VERSION;
}

/* Percent-encodes @in as one path segment or query value (RFC 3986). */
static int
escape(const char *in, char *out, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    unsigned char c;

    for (; (c = (unsigned char) *in); in++) {
        if (o + 4 > len)
            return -ENAMETOOLONG;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9') || strchr("-._~", c)) {
            out[o++] = (char) c;
            continue;
        }
        out[o++] = '%';
        out[o++] = hex[c >> 4];
        out[o++] = hex[c & 15];
    }
    out[o] = '\0';
    return 0;
}

/*
 * call->path = @head escape(@a) @tail escape(@b), where @a and @b are names
 * (NULL for none) and @head, @tail literal path and query pieces.
 */
static int
set_path(struct rt *rt, struct api_call *call, const char *head, const char *a,
         const char *tail, const char *b)
{
    char ea[RT_REF_MAX * 3 + 1] = "", eb[RT_REF_MAX * 3 + 1] = "";
    int n;

    n = -1;
    if ((!a || escape(a, ea, sizeof ea) == 0)
        && (!b || escape(b, eb, sizeof eb) == 0))
        n = snprintf(call->path, sizeof call->path, "%s%s%s%s", head, ea,
                     tail ? tail : "", eb);
    if (n >= 0 && (size_t) n < sizeof call->path)
        return 0;
    set_err(rt, "%s: name too long", call->what);
    return -ENAMETOOLONG;
}

/* ---- receiving ---------------------------------------------------------- */

/* The error a pull reports in one JSON line, if any. */
static void
stream_line(struct api_call *call, const char *line, size_t n)
{
    struct json_object *o;
    char msg[RT_ERR_MAX];

    if (call->stream_err[0] || n == 0)
        return;
    o = ra_json_parse(line, n);
    if (!o)
        return;
    /* docker: errorDetail.message and error; podman: error; an HTTP error
     * answer (4xx, 5xx): message */
    if (ra_json_get_str(o, "errorDetail.message", msg, sizeof msg) == -ENOENT
        && ra_json_get_str(o, "error", msg, sizeof msg) == -ENOENT)
        ra_json_get_str(o, "message", msg, sizeof msg);
    if (msg[0])
        snprintf(call->stream_err, sizeof call->stream_err, "%s", msg);
    json_object_put(o);
}

/* Hands the complete lines buffered in @call to stream_line(). */
static void
stream_lines(struct api_call *call, bool flush)
{
    char *start = call->data, *nl;
    size_t left = call->len;

    while ((nl = memchr(start, '\n', left))) {
        stream_line(call, start, (size_t) (nl - start));
        left -= (size_t) (nl - start) + 1;
        start = nl + 1;
    }
    if (flush) {
        stream_line(call, start, left);
        left = 0;
    }
    memmove(call->data, start, left);
    call->len = left;
}

static int
buf_grow(struct api_call *call, size_t need)
{
    size_t cap = call->cap ? call->cap : 16384;
    char *p;

    while (cap < need)
        cap *= 2;
    if (cap == call->cap)
        return 0;
    p = realloc(call->data, cap);
    if (!p)
        return -ENOMEM;
    call->data = p;
    call->cap = cap;
    return 0;
}

/* The payload bytes of @data (@n long) that belong to the current frame. */
static size_t
demux_payload(struct demux *m, const char *data, size_t n)
{
    size_t take = n < m->left ? n : m->left, room = 0;

    if (m->out && m->out_len > m->used + 1)
        room = m->out_len - m->used - 1;
    if (room > take)
        room = take;
    if (room) {
        memcpy(m->out + m->used, data, room);
        m->used += room;
        m->out[m->used] = '\0';
    }
    m->left -= (uint32_t) take;
    return take;
}

/* Feeds @n bytes of the stream to @m; after a bad header, ignores all. */
static void
demux_feed(struct demux *m, const char *data, size_t n)
{
    while (n && !m->bad) {
        size_t k;

        if (m->left) {
            k = demux_payload(m, data, n);
        } else {
            k = sizeof m->hdr - m->hdr_len < n ? sizeof m->hdr - m->hdr_len : n;
            memcpy(m->hdr + m->hdr_len, data, k);
            m->hdr_len += k;
            if (m->hdr_len == sizeof m->hdr) {
                m->hdr_len = 0;
                m->bad = m->hdr[0] > 2 || m->hdr[1] || m->hdr[2] || m->hdr[3];
                m->left = (uint32_t) m->hdr[4] << 24
                          | (uint32_t) m->hdr[5] << 16
                          | (uint32_t) m->hdr[6] << 8 | m->hdr[7];
            }
        }
        data += k;
        n -= k;
    }
}

/* An exec's stream goes to its demux; its start stays in call->data, for
 * the error message of an answer that is no stream (404, 409). */
static size_t
on_exec_data(struct api_call *call, const char *data, size_t n)
{
    size_t keep = n;

    demux_feed(call->demux, data, n);
    if (call->len + keep + 1 > API_EXEC_KEEP)
        keep = API_EXEC_KEEP - 1 - call->len;
    if (keep && buf_grow(call, call->len + keep + 1) == 0) {
        memcpy(call->data + call->len, data, keep);
        call->len += keep;
        call->data[call->len] = '\0';
    }
    return n;
}

static size_t
on_data(char *data, size_t size, size_t nmemb, void *opaque)
{
    struct api_call *call = opaque;
    size_t n = size * nmemb;

    if (call->demux)
        return on_exec_data(call, data, n);
    if (call->len + n + 1 > API_MAX_RESPONSE) {
        if (!call->stream) {
            call->too_big = true;
            return 0; /* curl stops with CURLE_WRITE_ERROR */
        }
        call->len = 0; /* an absurd line in a stream: forget it */
        if (n + 1 > API_MAX_RESPONSE)
            return n;
    }
    if (buf_grow(call, call->len + n + 1) < 0) {
        call->no_memory = true;
        return 0;
    }
    memcpy(call->data + call->len, data, n);
    call->len += n;
    call->data[call->len] = '\0';
    if (call->stream)
        stream_lines(call, false);
    return n;
}

/* ---- sending ------------------------------------------------------------ */

static CURL *
api_handle(struct rt *rt)
{
    if (rt->priv)
        curl_easy_reset(rt->priv);
    else
        rt->priv = curl_easy_init();
    return rt->priv;
}

static CURLcode
setup_common(CURL *h, struct rt *rt, struct api_call *call, int left_ms,
             char *errbuf)
{
    char url[API_PATH_MAX + 64];
    CURLcode rc;

    if (is_libpod(rt))
        snprintf(url, sizeof url, "http://d%s%s", LIBPOD_PREFIX, call->path);
    else
        snprintf(url, sizeof url, "http://d/v%s%s", docker_version(rt),
                 call->path);
    rc = curl_easy_setopt(h, CURLOPT_URL, url);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, rt->socket);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long) left_ms);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_WRITEDATA, call);
    return rc;
}

static CURLcode
setup_method(CURL *h, struct api_call *call, struct curl_slist *hdrs)
{
    CURLcode rc = CURLE_OK;

    if (strcmp(call->method, "GET") == 0)
        return curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    if (strcmp(call->method, "POST") != 0)
        return curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, call->method);
    rc = curl_easy_setopt(h, CURLOPT_POSTFIELDS, call->body ? call->body : "");
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    return rc;
}

static int
api_curl_fail(struct rt *rt, const struct api_call *call, CURLcode rc,
              const char *errbuf)
{
    if (call->too_big) {
        set_err(rt, "%s: answer larger than %u bytes", call->what,
                API_MAX_RESPONSE);
        return -EPROTO;
    }
    if (call->no_memory) {
        set_err(rt, "%s: out of memory", call->what);
        return -ENOMEM;
    }
    set_err(rt, "%s: %s: %s", call->what, rt->socket,
            errbuf[0] ? errbuf : curl_easy_strerror(rc));
    return ra_net_curl_errno((int) rc);
}

/* Sends @call once; see api_perform(). */
static int
api_send(struct rt *rt, struct api_call *call)
{
    char errbuf[CURL_ERROR_SIZE] = "";
    int left = ra_deadline_left_ms(call->deadline), r = 0;
    struct curl_slist *hdrs = NULL, *h2;
    CURLcode rc;
    CURL *h;

    if (left <= 0) {
        set_err(rt, "%s: no time left", call->what);
        return -ETIMEDOUT;
    }
    h = api_handle(rt);
    hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    h2 = hdrs ? curl_slist_append(hdrs, "Expect:") : NULL;
    if (!h || !h2) {
        set_err(rt, "%s: out of memory", call->what);
        r = -ENOMEM;
        goto done;
    }
    rc = setup_common(h, rt, call, left, errbuf);
    if (!rc)
        rc = setup_method(h, call, hdrs);
    if (!rc)
        rc = curl_easy_perform(h);
    if (call->stream && call->len)
        stream_lines(call, true);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &call->status);
    if (rc)
        r = api_curl_fail(rt, call, rc, errbuf);
done:
    curl_slist_free_all(hdrs);
    return r;
}

/*
 * A Docker engine's refusal of our API version names the one it takes:
 * 400 "client version 1.41 is too old. Minimum supported API version is
 * 1.44, ..." (or "too new. Maximum supported API version is 1.40"). Sets
 * rt->api_version to it and returns true when it is a version not tried yet.
 */
static bool
engine_wants(struct rt *rt, const struct api_call *call)
{
    static const char key[] = "supported API version is ";
    const char *text = call->stream_err[0] ? call->stream_err : call->data;
    const char *v = text ? strstr(text, key) : NULL;
    size_t n;

    if (is_libpod(rt) || call->status != 400 || !v)
        return false;
    v += sizeof key - 1;
    /* "1.44": digits, a dot, digits */
    n = strspn(v, "0123456789");
    if (n == 0 || v[n] != '.' || v[n + 1] < '0' || v[n + 1] > '9')
        return false;
    n += 1 + strspn(v + n + 1, "0123456789");
    if (n >= sizeof rt->api_version)
        return false;
    if (strlen(docker_version(rt)) == n && !strncmp(docker_version(rt), v, n))
        return false;
    memcpy(rt->api_version, v, n);
    rt->api_version[n] = '\0';
    return true;
}

/*
 * Sends @call (again in the engine's API version when it refuses ours).
 * Returns 0 when an HTTP status came back (in call->status, whatever it
 * is), or -errno with the reason in rt->err.
 */
static int
api_perform(struct rt *rt, struct api_call *call)
{
    int r = api_send(rt, call);

    if (r == 0 && engine_wants(rt, call)) {
        call->len = 0;
        if (call->data)
            call->data[0] = '\0';
        call->status = 0;
        call->stream_err[0] = '\0';
        r = api_send(rt, call);
    }
    return r;
}

/* ---- answers ------------------------------------------------------------ */

static int
status_errno(long status)
{
    if (status >= 200 && status < 300)
        return 0;
    switch (status) {
    case 400:
        return -EINVAL;
    case 401:
    case 403:
        return -EACCES;
    case 404:
        return -ENOENT;
    case 409:
        return -EBUSY;
    case 500:
        return -EIO;
    default:
        return -EPROTO;
    }
}

/* The first line of a non-JSON answer, printable characters only. */
static void
raw_text(const struct api_call *call, char *buf, size_t len)
{
    size_t i, o = 0;

    for (i = 0; i < call->len && o + 1 < len; i++) {
        unsigned char c = (unsigned char) call->data[i];

        if (c == '\n' || c == '\r')
            break;
        if (c >= 0x20 && c < 0x7f)
            buf[o++] = call->data[i];
        else
            buf[o++] = '?';
    }
    buf[o] = '\0';
}

/*
 * podman answers 500 for ordinary outcomes too; its "cause" (or message)
 * tells which: a container removed while we asked (auto-remove runs in the
 * background after a kill or a crash), a missing image on create, a name
 * still taken.
 */
static int
cause_errno(long status, const char *cause, const char *msg)
{
    static const struct {
        const char *text;
        int err;
    } known[] = {
        { "no such container", -ENOENT },
        { "image not known", -ENOENT },
        { "already in use", -EBUSY },
    };
    size_t i;

    if (status != 500)
        return status_errno(status);
    for (i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strstr(cause, known[i].text) || strstr(msg, known[i].text))
            return known[i].err;
    return -EIO;
}

/*
 * Turns a failed status into -errno and rt->err, with the API's own words
 * ("message", else "cause") when the answer is JSON.
 */
static int
api_fail(struct rt *rt, const struct api_call *call)
{
    char msg[RT_ERR_MAX] = "", cause[RT_ERR_MAX] = "";
    struct json_object *o;

    if (call->stream_err[0])
        snprintf(msg, sizeof msg, "%s", call->stream_err);
    o = call->len ? ra_json_parse(call->data, call->len) : NULL;
    if (o) {
        ra_json_get_str(o, "cause", cause, sizeof cause);
        if (ra_json_get_str(o, "message", msg, sizeof msg) == -ENOENT)
            memcpy(msg, cause, sizeof msg);
    }
    json_object_put(o);
    if (!msg[0])
        raw_text(call, msg, sizeof msg);
    set_err(rt, "%s: %s (HTTP %ld)", call->what, msg[0] ? msg : "no detail",
            call->status);
    return cause_errno(call->status, cause, msg);
}

/* The answer as a JSON document, or NULL and -EPROTO in @r. */
static struct json_object *
api_json(struct rt *rt, const struct api_call *call, int *r)
{
    struct json_object *o
        = call->len ? ra_json_parse(call->data, call->len) : NULL;

    *r = 0;
    if (!o || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        set_err(rt, "%s: the answer is not JSON", call->what);
        *r = -EPROTO;
        return NULL;
    }
    return o;
}

static void
call_init(struct rt *rt, struct api_call *call, const char *what,
          const char *method, ra_deadline_t d)
{
    memset(call, 0, sizeof *call);
    call->what = what;
    call->method = method;
    call->deadline = d;
    rt->err[0] = '\0';
}

static void
call_free(struct api_call *call)
{
    free(call->data);
    call->data = NULL;
    call->len = call->cap = 0;
}

/*
 * The usual round trip: send, then 2xx (and any of the @ok statuses, 0
 * terminated) is success; anything else is api_fail(). The answer stays in
 * @call for the caller (call_free() it).
 */
static int
api_do(struct rt *rt, struct api_call *call, const long *ok)
{
    int r = api_perform(rt, call);

    if (r < 0)
        return r;
    if (call->status >= 200 && call->status < 300)
        return 0;
    for (; ok && *ok; ok++)
        if (call->status == *ok)
            return 0;
    return api_fail(rt, call);
}

/* ---- operations --------------------------------------------------------- */

static int
api_ping(struct rt *rt, ra_deadline_t d)
{
    struct api_call call;
    int r;

    call_init(rt, &call, "ping", "GET", d);
    snprintf(call.path, sizeof call.path, "/_ping");
    r = api_do(rt, &call, NULL);
    if (r == 0 && (call.len < 2 || memcmp(call.data, "OK", 2) != 0)) {
        set_err(rt, "ping: %s did not answer OK", rt->socket);
        r = -EPROTO;
    }
    call_free(&call);
    return r;
}

static void
image_fill(struct json_object *o, struct rt_image *ret)
{
    struct json_object *labels = ra_json_get(o, "Config.Labels"), *v;

    if (!labels || !json_object_is_type(labels, json_type_object))
        labels = ra_json_get(o, "Labels");
    ret->exists = true;
    ra_json_get_str(o, "Id", ret->id, sizeof ret->id);
    rt_id_normalize(ret->id);
    if (labels && json_object_is_type(labels, json_type_object)
        && json_object_object_get_ex(labels, "org.opencontainers.image.version",
                                     &v)
        && json_object_is_type(v, json_type_string))
        snprintf(ret->version, sizeof ret->version, "%s",
                 json_object_get_string(v));
}

static int
api_image_inspect(struct rt *rt, const char *ref, struct rt_image *ret,
                  ra_deadline_t d)
{
    struct json_object *o = NULL;
    struct api_call call;
    int r;

    memset(ret, 0, sizeof *ret);
    call_init(rt, &call, "image inspect", "GET", d);
    r = set_path(rt, &call, "/images/", ref, "/json", NULL);
    if (r < 0)
        goto done;
    r = api_do(rt, &call, NULL);
    if (r < 0)
        goto done;
    o = api_json(rt, &call, &r);
    if (o)
        image_fill(o, ret);
done:
    json_object_put(o);
    call_free(&call);
    return r;
}

/*
 * Splits @ref into repository and tag (or digest) for Docker's
 * images/create, which would pull every tag when given none.
 */
static int
split_ref(const char *ref, char *repo, size_t len, const char **tag)
{
    const char *at = strchr(ref, '@'), *slash = strrchr(ref, '/');
    const char *colon = strrchr(ref, ':');
    size_t n;

    if (at) {
        n = (size_t) (at - ref);
        *tag = at + 1;
    } else if (colon && (!slash || colon > slash)) {
        n = (size_t) (colon - ref);
        *tag = colon + 1;
    } else {
        n = strlen(ref);
        *tag = "latest";
    }
    if (n == 0 || n >= len || !**tag)
        return -EINVAL;
    memcpy(repo, ref, n);
    repo[n] = '\0';
    return 0;
}

static int
pull_path(struct rt *rt, struct api_call *call, const char *ref)
{
    char repo[RT_REF_MAX];
    const char *tag;

    if (is_libpod(rt))
        return set_path(rt, call, "/images/pull?reference=", ref, "&quiet=true",
                        NULL);
    if (split_ref(ref, repo, sizeof repo, &tag) < 0) {
        set_err(rt, "pull: bad image reference %s", ref);
        return -EINVAL;
    }
    return set_path(rt, call, "/images/create?fromImage=", repo, "&tag=", tag);
}

static int
api_image_pull(struct rt *rt, const char *ref, ra_deadline_t d)
{
    struct api_call call;
    int r;

    call_init(rt, &call, "pull", "POST", d);
    call.stream = true;
    r = pull_path(rt, &call, ref);
    if (r == 0)
        r = api_do(rt, &call, NULL);
    if (r == 0 && call.stream_err[0]) {
        set_err(rt, "pull %s: %s", ref, call.stream_err);
        r = -EIO;
    }
    call_free(&call);
    return r;
}

static void
container_ip(struct json_object *o, struct rt_container *ret)
{
    struct json_object *nets = ra_json_get(o, "NetworkSettings.Networks");

    ra_json_get_str(o, "NetworkSettings.IPAddress", ret->ip, sizeof ret->ip);
    if (ret->ip[0] || !nets || !json_object_is_type(nets, json_type_object))
        return;
    /* on a named network the address is only in Networks.<name> */
    json_object_object_foreach(nets, name, net)
    {
        (void) name;
        if (ra_json_get_str(net, "IPAddress", ret->ip, sizeof ret->ip) == 0
            && ret->ip[0])
            return;
    }
}

static int
container_fill(struct rt *rt, struct json_object *o, struct rt_container *ret)
{
    long long pid = 0, code = 0;
    bool running = false;

    if (ra_json_get_str(o, "Id", ret->id, sizeof ret->id) < 0
        || ra_json_get_str(o, "State.Status", ret->status, sizeof ret->status)
               == -ENOENT) {
        set_err(rt, "container inspect: no Id or State.Status in the answer");
        return -EPROTO;
    }
    ret->exists = true;
    if (ra_json_get_bool(o, "State.Running", &running) < 0)
        running = strcmp(ret->status, "running") == 0;
    ret->running = running;
    ra_json_get_int(o, "State.Pid", &pid);
    ra_json_get_int(o, "State.ExitCode", &code);
    ret->pid = (pid_t) pid;
    ret->exit_code = (int) code;
    ra_json_get_str(o, "Image", ret->image_id, sizeof ret->image_id);
    rt_id_normalize(ret->image_id);
    if (!is_libpod(rt)
        || ra_json_get_str(o, "ImageName", ret->image, sizeof ret->image) < 0)
        ra_json_get_str(o, "Config.Image", ret->image, sizeof ret->image);
    container_ip(o, ret);
    return 0;
}

static int
api_container_inspect(struct rt *rt, const char *name, struct rt_container *ret,
                      ra_deadline_t d)
{
    struct json_object *o = NULL;
    struct api_call call;
    int r;

    memset(ret, 0, sizeof *ret);
    call_init(rt, &call, "container inspect", "GET", d);
    r = set_path(rt, &call, "/containers/", name, "/json", NULL);
    if (r == 0)
        r = api_perform(rt, &call);
    if (r < 0)
        goto done;
    if (call.status != 200) {
        r = api_fail(rt, &call);
        if (r == -ENOENT) { /* exists = false */
            r = 0;
            rt->err[0] = '\0';
        }
        goto done;
    }
    o = api_json(rt, &call, &r);
    if (o)
        r = container_fill(rt, o, ret);
done:
    json_object_put(o);
    call_free(&call);
    return r;
}

/* POST containers/NAME/VERB?QUERY with the @ok statuses also success. */
static int
container_post(struct rt *rt, const char *what, const char *name,
               const char *verb, const long *ok, ra_deadline_t d)
{
    struct api_call call;
    int r;

    call_init(rt, &call, what, "POST", d);
    r = set_path(rt, &call, "/containers/", name, verb, NULL);
    if (r == 0)
        r = api_do(rt, &call, ok);
    call_free(&call);
    return r;
}

static int
api_container_stop(struct rt *rt, const char *name, int grace_s,
                   ra_deadline_t d)
{
    static const long ok[] = { 304, 404, 0 };
    char verb[32];
    uint64_t http_ms;
    int r;

    if (grace_s < 0)
        grace_s = 0;
    /* podman answers after the grace and the SIGKILL; past that, give up
     * early enough for the caller to try something else */
    http_ms = (uint64_t) grace_s * 1000 + API_STOP_MARGIN_MS;
    d = ra_deadline_min(d, ra_deadline_in_ms(http_ms));
    /* libpod's parameter is "timeout" (it ignores "t" and waits 10 s) */
    snprintf(verb, sizeof verb,
             is_libpod(rt) ? "/stop?timeout=%d" : "/stop?t=%d", grace_s);
    r = container_post(rt, "container stop", name, verb, ok, d);
    return r == -ENOENT ? 0 : r; /* removed meanwhile: stopped */
}

static int
api_container_kill(struct rt *rt, const char *name, ra_deadline_t d)
{
    int r = container_post(rt, "container kill", name, "/kill?signal=KILL",
                           NULL, d);

    /* not running: docker says 409, podman 500 "container state improper" */
    if (r == -EBUSY || (r == -EIO && strstr(rt->err, "state improper")))
        r = -ESRCH;
    return r;
}

static int
api_container_remove(struct rt *rt, const char *name, ra_deadline_t d)
{
    static const long ok[] = { 404, 0 };
    struct api_call call;
    int r = 0;

    /* podman's force-remove waits the stop timeout after SIGTERM (docker's
     * kills): libpod takes timeout=0, the compatible API only a kill first */
    if (!is_libpod(rt))
        r = api_container_kill(rt, name, d);
    if (r == -ETIMEDOUT || r == -ECONNREFUSED)
        return r;
    /* a 500 "no such container" (removed while we asked) is fine too */
    call_init(rt, &call, "container remove", "DELETE", d);
    r = set_path(rt, &call, "/containers/", name,
                 is_libpod(rt) ? "?force=true&timeout=0" : "?force=true", NULL);
    if (r == 0)
        r = api_do(rt, &call, ok);
    call_free(&call);
    return r == -ENOENT ? 0 : r;
}

/* ---- create ------------------------------------------------------------- */

/* "RLIMIT_NOFILE", "NOFILE" -> "nofile" (what both APIs take). */
static void
ulimit_name(const char *in, char *out, size_t len)
{
    static const char lower[] = "abcdefghijklmnopqrstuvwxyz";
    size_t i;

    if (strncasecmp(in, "RLIMIT_", 7) == 0)
        in += 7;
    for (i = 0; in[i] && i + 1 < len; i++) {
        if (in[i] >= 'A' && in[i] <= 'Z')
            out[i] = lower[in[i] - 'A'];
        else
            out[i] = in[i];
    }
    out[i] = '\0';
}

static int
add_kv_object(struct json_object *parent, const char *key,
              const char *const *kv, size_t n)
{
    struct json_object *o;
    size_t i;
    int r = 0;

    if (n == 0)
        return 0;
    o = ra_json_add_new(parent, key, false);
    if (!o)
        return -ENOMEM;
    for (i = 0; i < n && r == 0; i++)
        r = ra_json_add_kv(o, kv[i]);
    return r;
}

static int
libpod_port(struct json_object *arr, const struct rt_port *p)
{
    struct json_object *o = json_object_new_object();
    int r = ra_json_append(arr, o);

    if (r == 0 && p->host_ip[0])
        r = ra_json_add_str(o, "host_ip", p->host_ip);
    if (r == 0)
        r = ra_json_add_int(o, "host_port", p->host_port);
    if (r == 0)
        r = ra_json_add_int(o, "container_port", p->container_port);
    if (r == 0)
        r = ra_json_add_str(o, "protocol", p->proto[0] ? p->proto : "tcp");
    return r;
}

static int
libpod_ulimit(struct json_object *arr, const struct rt_ulimit *u)
{
    struct json_object *o = json_object_new_object();
    char name[sizeof u->name];
    int r = ra_json_append(arr, o);

    ulimit_name(u->name, name, sizeof name);
    if (r == 0)
        r = ra_json_add_str(o, "type", name);
    if (r == 0)
        r = ra_json_add_int(o, "soft", u->soft);
    if (r == 0)
        r = ra_json_add_int(o, "hard", u->hard);
    return r;
}

/* A bind mount of @src on @dst (read-only: @ro) into "mounts". */
static int
libpod_mount(struct json_object *spec, const char *src, const char *dst,
             bool ro)
{
    struct json_object *arr = ra_json_add_new(spec, "mounts", true);
    struct json_object *o = json_object_new_object(), *opts;
    int r = arr ? ra_json_append(arr, o) : (json_object_put(o), -ENOMEM);

    if (r == 0)
        r = ra_json_add_str(o, "destination", dst);
    if (r == 0)
        r = ra_json_add_str(o, "source", src);
    if (r == 0)
        r = ra_json_add_str(o, "type", "bind");
    opts = r == 0 ? ra_json_add_new(o, "options", true) : NULL;
    if (r == 0)
        r = opts ? ra_json_append(opts, json_object_new_string("rbind"))
                 : -ENOMEM;
    if (r == 0 && ro)
        r = ra_json_append(opts, json_object_new_string("ro"));
    return r;
}

/* netns {"nsmode": host|none|bridge} and, for a named network, Networks. */
static int
libpod_network(struct json_object *spec, const char *net)
{
    struct json_object *ns, *nets;
    bool named;
    int r;

    if (!net || !*net)
        return 0;
    named = strcmp(net, "host") != 0 && strcmp(net, "none") != 0
            && strcmp(net, "bridge") != 0;
    ns = ra_json_add_new(spec, "netns", false);
    if (!ns)
        return -ENOMEM;
    r = ra_json_add_str(ns, "nsmode", named ? "bridge" : net);
    if (r < 0 || !named)
        return r;
    nets = ra_json_add_new(spec, "Networks", false);
    return nets ? ra_json_add(nets, net, json_object_new_object()) : -ENOMEM;
}

/* {"Test": ["NONE"]}: no healthcheck, whatever the image declares. */
static int
add_no_healthcheck(struct json_object *o, const char *key)
{
    struct json_object *hc = ra_json_add_new(o, key, false), *test;

    test = hc ? ra_json_add_new(hc, "Test", true) : NULL;
    if (!test)
        return -ENOMEM;
    return ra_json_append(test, json_object_new_string("NONE"));
}

static int
libpod_lists(struct json_object *s, const struct rt_run_spec *spec)
{
    struct json_object *arr;
    size_t i;
    int r = 0;

    if (spec->n_ports) {
        arr = ra_json_add_new(s, "portmappings", true);
        for (i = 0, r = arr ? 0 : -ENOMEM; i < spec->n_ports && r == 0; i++)
            r = libpod_port(arr, &spec->ports[i]);
    }
    if (r == 0 && spec->n_ulimits) {
        arr = ra_json_add_new(s, "r_limits", true);
        for (i = 0, r = arr ? 0 : -ENOMEM; i < spec->n_ulimits && r == 0; i++)
            r = libpod_ulimit(arr, &spec->ulimits[i]);
    }
    if (r == 0)
        r = add_kv_object(s, "env", spec->env, spec->n_env);
    if (r == 0)
        r = add_kv_object(s, "labels", spec->labels, spec->n_labels);
    return r;
}

/* podman's SpecGenerator (POST /libpod/containers/create). */
static int
libpod_spec(struct json_object *s, const struct rt_run_spec *spec)
{
    int r = ra_json_add_str(s, "name", spec->name);

    if (r == 0)
        r = ra_json_add_str(s, "image", spec->image);
    if (r == 0)
        r = ra_json_add_bool(s, "remove", true);
    if (r == 0)
        r = add_no_healthcheck(s, "healthconfig");
    if (r == 0 && spec->hostname)
        r = ra_json_add_str(s, "hostname", spec->hostname);
    if (r == 0 && spec->volume)
        r = libpod_mount(s, spec->volume, "/srv", false);
    if (r == 0 && spec->conf_src)
        r = libpod_mount(s, spec->conf_src, spec->conf_dst, true);
    if (r == 0)
        r = libpod_network(s, spec->network);
    if (r == 0)
        r = libpod_lists(s, spec);
    return r;
}

/* "443/tcp" */
static void
port_key(const struct rt_port *p, char *buf, size_t len)
{
    snprintf(buf, len, "%d/%s", p->container_port,
             p->proto[0] ? p->proto : "tcp");
}

static int
docker_port(struct json_object *exposed, struct json_object *bindings,
            const struct rt_port *p)
{
    struct json_object *arr, *o;
    char key[32], hport[16];
    int r;

    port_key(p, key, sizeof key);
    r = ra_json_add(exposed, key, json_object_new_object());
    if (r < 0)
        return r;
    /* a second mapping of the same container port joins the first one */
    if (!json_object_object_get_ex(bindings, key, &arr))
        arr = ra_json_add_new(bindings, key, true);
    o = json_object_new_object();
    r = arr ? ra_json_append(arr, o) : (json_object_put(o), -ENOMEM);
    snprintf(hport, sizeof hport, "%d", p->host_port);
    if (r == 0)
        r = ra_json_add_str(o, "HostIp", p->host_ip);
    if (r == 0)
        r = ra_json_add_str(o, "HostPort", p->host_port > 0 ? hport : "");
    return r;
}

static int
docker_ports(struct json_object *c, struct json_object *hc,
             const struct rt_run_spec *spec)
{
    struct json_object *exposed, *bindings;
    size_t i;
    int r = 0;

    if (!spec->n_ports)
        return 0;
    exposed = ra_json_add_new(c, "ExposedPorts", false);
    bindings = exposed ? ra_json_add_new(hc, "PortBindings", false) : NULL;
    if (!bindings)
        return -ENOMEM;
    for (i = 0; i < spec->n_ports && r == 0; i++)
        r = docker_port(exposed, bindings, &spec->ports[i]);
    return r;
}

static int
docker_ulimit(struct json_object *arr, const struct rt_ulimit *u)
{
    struct json_object *o = json_object_new_object();
    char name[sizeof u->name];
    int r = ra_json_append(arr, o);

    ulimit_name(u->name, name, sizeof name);
    if (r == 0)
        r = ra_json_add_str(o, "Name", name);
    if (r == 0)
        r = ra_json_add_int(o, "Soft", u->soft);
    if (r == 0)
        r = ra_json_add_int(o, "Hard", u->hard);
    return r;
}

/* A bind mount of @src on @dst (read-only: @ro) into "Mounts". */
static int
docker_mount(struct json_object *hc, const char *src, const char *dst, bool ro)
{
    struct json_object *arr = ra_json_add_new(hc, "Mounts", true);
    struct json_object *o = json_object_new_object();
    int r = arr ? ra_json_append(arr, o) : (json_object_put(o), -ENOMEM);

    if (r == 0)
        r = ra_json_add_str(o, "Type", "bind");
    if (r == 0)
        r = ra_json_add_str(o, "Source", src);
    if (r == 0)
        r = ra_json_add_str(o, "Target", dst);
    if (r == 0 && ro)
        r = ra_json_add_bool(o, "ReadOnly", true);
    return r;
}

static int
docker_host_config(struct json_object *hc, const struct rt_run_spec *spec)
{
    int r = ra_json_add_bool(hc, "AutoRemove", true);

    if (r == 0 && spec->volume)
        r = docker_mount(hc, spec->volume, "/srv", false);
    if (r == 0 && spec->conf_src)
        r = docker_mount(hc, spec->conf_src, spec->conf_dst, true);
    if (r == 0 && spec->network && *spec->network)
        r = ra_json_add_str(hc, "NetworkMode", spec->network);
    if (r == 0 && spec->n_ulimits) {
        struct json_object *arr = ra_json_add_new(hc, "Ulimits", true);
        size_t i;

        for (i = 0, r = arr ? 0 : -ENOMEM; i < spec->n_ulimits && r == 0; i++)
            r = docker_ulimit(arr, &spec->ulimits[i]);
    }
    return r;
}

static int
docker_env(struct json_object *c, const struct rt_run_spec *spec)
{
    struct json_object *arr;
    size_t i;
    int r = 0;

    if (!spec->n_env)
        return 0;
    arr = ra_json_add_new(c, "Env", true);
    if (!arr)
        return -ENOMEM;
    for (i = 0; i < spec->n_env && r == 0; i++)
        r = strchr(spec->env[i], '=') && spec->env[i][0] != '='
                ? ra_json_append(arr, json_object_new_string(spec->env[i]))
                : -EINVAL;
    return r;
}

/* Docker's ContainerConfig with HostConfig inside (POST /containers/create;
 * the name goes in the query). */
static int
docker_spec(struct json_object *c, const struct rt_run_spec *spec)
{
    struct json_object *hc;
    int r = ra_json_add_str(c, "Image", spec->image);

    if (r == 0 && spec->hostname)
        r = ra_json_add_str(c, "Hostname", spec->hostname);
    if (r == 0)
        r = docker_env(c, spec);
    if (r == 0)
        r = add_kv_object(c, "Labels", spec->labels, spec->n_labels);
    if (r == 0)
        r = add_no_healthcheck(c, "Healthcheck");
    hc = r == 0 ? ra_json_add_new(c, "HostConfig", false) : NULL;
    if (r == 0 && !hc)
        r = -ENOMEM;
    if (r == 0)
        r = docker_host_config(hc, spec);
    if (r == 0)
        r = docker_ports(c, hc, spec);
    return r;
}

/* The create request's body for the dialect of @rt into *@ret (free()). */
static int
create_body(struct rt *rt, const struct rt_run_spec *spec, char **ret)
{
    struct json_object *o = json_object_new_object();
    int r = o ? 0 : -ENOMEM;

    *ret = NULL;
    if (r == 0)
        r = is_libpod(rt) ? libpod_spec(o, spec) : docker_spec(o, spec);
    if (r == 0) {
        *ret = strdup(json_object_to_json_string_ext(
            o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        r = *ret ? 0 : -ENOMEM;
    }
    if (r == -EINVAL)
        set_err(rt, "create %s: an environment variable or label is not K=V",
                spec->name);
    else if (r < 0)
        set_err(rt, "create %s: out of memory", spec->name);
    json_object_put(o);
    return r;
}

static int
container_create(struct rt *rt, const struct rt_run_spec *spec,
                 const char *body, ra_deadline_t d)
{
    struct api_call call;
    int r;

    call_init(rt, &call, "container create", "POST", d);
    call.body = body;
    if (is_libpod(rt))
        r = set_path(rt, &call, "/containers/create", NULL, NULL, NULL);
    else
        r = set_path(rt, &call, "/containers/create?name=", spec->name, NULL,
                     NULL);
    if (r == 0)
        r = api_do(rt, &call, NULL);
    call_free(&call);
    return r;
}

/*
 * The volume must be a directory already: podman's Docker-compatible create
 * (4.3) makes a missing bind source instead of failing, and PMM would then
 * initialise empty data on the root file system while the real /srv is not
 * mounted. The API socket is local, so the runtime sees our mounts.
 */
static int
check_volume(struct rt *rt, const char *volume)
{
    struct stat st;

    if (!volume)
        return 0;
    if (volume[0] != '/' || stat(volume, &st) < 0 || !S_ISDIR(st.st_mode)) {
        set_err(rt, "run: volume %s is not an existing directory", volume);
        return -ENOENT;
    }
    return 0;
}

/*
 * Removes any container of that name and creates the new one. Auto-remove
 * runs in the background (docker; podman after a kill), so the name can stay
 * taken for a moment (docker: 409, podman: 500 "already in use"): retry
 * with backoff until the deadline.
 */
static int
replace(struct rt *rt, const struct rt_run_spec *spec, const char *body,
        ra_deadline_t d)
{
    int ms = 50;

    for (;;) {
        int r = api_container_remove(rt, spec->name, d);

        if (r == 0)
            r = container_create(rt, spec, body, d);
        if (r != -EBUSY || ra_deadline_left_ms(d) <= ms)
            return r;
        ra_sleep_ms(ms, d);
        ms = ms < 800 ? ms * 2 : ms;
    }
}

static int
api_container_run(struct rt *rt, const struct rt_run_spec *spec,
                  ra_deadline_t d)
{
    static const long started[] = { 304, 0 };
    char *body = NULL;
    int r;

    if (!spec->name || !*spec->name || !spec->image || !*spec->image) {
        set_err(rt, "run: no container name or image");
        return -EINVAL;
    }
    /* everything that can be refused is, before the old container goes */
    r = check_volume(rt, spec->volume);
    if (r == 0)
        r = create_body(rt, spec, &body);
    /* the usual case has no old container: create at once (a name already
     * taken, podman 500 "already in use" or docker 409, means replace it) */
    if (r == 0)
        r = container_create(rt, spec, body, d);
    if (r == -EBUSY)
        r = replace(rt, spec, body, d);
    free(body);
    if (r < 0)
        return r;
    r = container_post(rt, "container start", spec->name, "/start", started, d);
    if (r < 0) {
        /* leave no half-made container behind; the start error is the news */
        char err[RT_ERR_MAX];

        memcpy(err, rt->err, sizeof err);
        api_container_remove(rt, spec->name, d);
        memcpy(rt->err, err, sizeof err);
    }
    return r;
}

/* ---- exec --------------------------------------------------------------- */

/* Not running: docker 409; podman 409 (paused, or on start) or 500
 * "container state improper" (create on a stopped container). */
static int
exec_errno(const struct rt *rt, int r)
{
    if (r == -EBUSY || (r == -EIO && strstr(rt->err, "state improper")))
        return -ESRCH;
    return r;
}

/* {"AttachStdout": true, "AttachStderr": true, "Cmd": [argv...]} */
static int
exec_body(const char *const argv[], char **ret)
{
    struct json_object *o = json_object_new_object(), *cmd;
    int r = o ? ra_json_add_bool(o, "AttachStdout", true) : -ENOMEM;

    *ret = NULL;
    if (r == 0)
        r = ra_json_add_bool(o, "AttachStderr", true);
    cmd = r == 0 ? ra_json_add_new(o, "Cmd", true) : NULL;
    if (r == 0 && !cmd)
        r = -ENOMEM;
    for (size_t i = 0; r == 0 && argv[i]; i++)
        r = ra_json_append(cmd, json_object_new_string(argv[i]));
    if (r == 0) {
        *ret = strdup(json_object_to_json_string_ext(
            o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        r = *ret ? 0 : -ENOMEM;
    }
    json_object_put(o);
    return r;
}

/* POST containers/NAME/exec: the exec session's id into @id. */
static int
exec_create(struct rt *rt, const char *name, const char *const argv[], char *id,
            size_t id_len, ra_deadline_t d)
{
    struct json_object *o = NULL;
    struct api_call call;
    char *body = NULL;
    int r;

    call_init(rt, &call, "exec create", "POST", d);
    r = exec_body(argv, &body);
    if (r < 0)
        set_err(rt, "exec %s: out of memory", name);
    call.body = body;
    if (r == 0)
        r = set_path(rt, &call, "/containers/", name, "/exec", NULL);
    if (r == 0)
        r = exec_errno(rt, api_do(rt, &call, NULL));
    if (r == 0)
        o = api_json(rt, &call, &r);
    if (o && (ra_json_get_str(o, "Id", id, id_len) < 0 || !id[0])) {
        set_err(rt, "exec create: no Id in the answer");
        r = -EPROTO;
    }
    json_object_put(o);
    call_free(&call);
    free(body);
    return r;
}

/* POST exec/ID/start, attached: the output stream into @m until it ends. */
static int
exec_start(struct rt *rt, const char *id, struct demux *m, ra_deadline_t d)
{
    struct api_call call;
    int r;

    call_init(rt, &call, "exec start", "POST", d);
    call.body = "{\"Detach\":false,\"Tty\":false}";
    call.demux = m;
    r = set_path(rt, &call, "/exec/", id, "/start", NULL);
    if (r == 0)
        r = exec_errno(rt, api_do(rt, &call, NULL));
    if (r == 0 && (m->bad || m->hdr_len || m->left)) {
        set_err(rt, "exec start: the output stream %s",
                m->bad ? "is not multiplexed" : "was cut short");
        r = -EPROTO;
    }
    call_free(&call);
    return r;
}

/* GET exec/ID/json once: 0 with *@ret_status once it ended, -EAGAIN while
 * it still runs. */
static int
exec_inspect(struct rt *rt, const char *id, int *ret_status, ra_deadline_t d)
{
    struct json_object *o = NULL;
    struct api_call call;
    long long code = 0;
    bool running = false;
    int r;

    call_init(rt, &call, "exec inspect", "GET", d);
    r = set_path(rt, &call, "/exec/", id, "/json", NULL);
    if (r == 0)
        r = api_do(rt, &call, NULL);
    if (r == 0)
        o = api_json(rt, &call, &r);
    if (o
        && (ra_json_get_int(o, "ExitCode", &code) < 0 || code < INT_MIN
            || code > INT_MAX)) {
        set_err(rt, "exec inspect: no ExitCode in the answer");
        r = -EPROTO;
    }
    if (o && r == 0 && ra_json_get_bool(o, "Running", &running) == 0 && running)
        r = -EAGAIN;
    if (r == 0)
        *ret_status = (int) code;
    json_object_put(o);
    call_free(&call);
    return r;
}

/* The exit code once the runtime has recorded it: the stream can end a
 * moment before (docker); asks again with backoff until @d. */
static int
exec_wait(struct rt *rt, const char *id, int *ret_status, ra_deadline_t d)
{
    int ms = 10;

    for (;;) {
        int r = exec_inspect(rt, id, ret_status, d);

        if (r != -EAGAIN)
            return r;
        if (ra_deadline_left_ms(d) <= ms) {
            set_err(rt, "exec inspect: still running at the deadline");
            return -ETIMEDOUT;
        }
        ra_sleep_ms(ms, d);
        ms = ms < 200 ? ms * 2 : ms;
    }
}

static int
api_container_exec(struct rt *rt, const char *name, const char *const argv[],
                   int *ret_status, char *out, size_t out_len, ra_deadline_t d)
{
    struct demux m = { .out = out, .out_len = out ? out_len : 0 };
    char id[RT_ID_MAX] = "";
    int status = 0, r;

    if (out && out_len)
        out[0] = '\0';
    if (!name || !*name || !argv || !argv[0] || !*argv[0]) {
        set_err(rt, "exec: no container name or command");
        return -EINVAL;
    }
    r = exec_create(rt, name, argv, id, sizeof id, d);
    if (r == 0)
        r = exec_start(rt, id, &m, d);
    if (r == 0)
        r = exec_wait(rt, id, &status, d);
    if (r == 0)
        *ret_status = status;
    return r;
}

static void
api_close(struct rt *rt)
{
    if (rt && rt->priv) {
        curl_easy_cleanup(rt->priv);
        rt->priv = NULL;
    }
}

static const struct rt_ops api_ops = {
    .ping = api_ping,
    .image_inspect = api_image_inspect,
    .image_pull = api_image_pull,
    .container_inspect = api_container_inspect,
    .container_run = api_container_run,
    .container_stop = api_container_stop,
    .container_kill = api_container_kill,
    .container_remove = api_container_remove,
    .container_exec = api_container_exec,
    .close = api_close,
};

/**
 * Opens the API of rt->socket in the dialect of rt->transport: nothing is
 * sent yet (no deadline here); the first operation connects.
 */
const struct rt_ops *
ra_net_rt_api_open(struct rt *rt)
{
    if (rt->transport != RT_API_LIBPOD && rt->transport != RT_API_DOCKER) {
        set_err(rt, "not an API transport");
        return NULL;
    }
    if (rt->socket[0] != '/') {
        set_err(rt, "API socket path must be absolute");
        return NULL;
    }
    rt->priv = curl_easy_init();
    if (!rt->priv) {
        set_err(rt, "cannot initialise libcurl");
        return NULL;
    }
    return &api_ops;
}
