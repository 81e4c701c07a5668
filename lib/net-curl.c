/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * net-curl.c - the https:// half of ra_http_get() (http.h), and the table
 * the "net" plugin exports (plugins.h). One libcurl easy handle per probe:
 * GET only, https only, no redirects, no proxy, no signals, the timeout taken
 * from the caller's absolute deadline.
 *
 * Trust (struct ra_tls): as curl-tls.h says; without ca_file or
 * fingerprint the certificate is not verified (the probe asks "is PMM
 * ready", not "is this PMM").
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "curl-tls.h"

#include "http.h"
#include "json.h"
#include "plugins.h"

/** Where the body goes: the first bytes only. */
struct body_sink {
    char *buf;
    size_t len, cap; /* cap includes the NUL */
    bool full;
};

static size_t
body_write(char *data, size_t size, size_t nmemb, void *opaque)
{
    struct body_sink *s = opaque;
    size_t n = size * nmemb, room = s->cap - 1 - s->len;

    if (n > room) {
        n = room;
        s->full = true;
    }
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    s->buf[s->len] = '\0';
    /* Enough seen: returning short makes curl stop with CURLE_WRITE_ERROR. */
    return s->full ? n : size * nmemb;
}

/** Maps a curl failure to -errno; the text goes to the caller's reply. */
int
ra_net_curl_errno(int curl_code)
{
    switch ((CURLcode) curl_code) {
    case CURLE_OK:
        return 0;
    case CURLE_OPERATION_TIMEDOUT:
        return -ETIMEDOUT;
    case CURLE_COULDNT_CONNECT:
        return -ECONNREFUSED;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return -EINVAL;
    case CURLE_OUT_OF_MEMORY:
        return -ENOMEM;
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
        return -EPERM;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP3:
        return -EPROTO;
    default:
        return -EIO;
    }
}

static CURLcode
tls_setup(CURL *h, const struct ra_tls *tls)
{
    return ra_curl_tls(h, tls ? tls->ca_file : NULL,
                       tls ? tls->fingerprint : NULL);
}

static CURLcode
get_setup(CURL *h, const char *url, int left_ms, struct body_sink *sink,
          char *errbuf)
{
    CURLcode rc = curl_easy_setopt(h, CURLOPT_URL, url);

    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    /* no redirect is followed; were one ever, https only */
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long) left_ms);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_USERAGENT, "pmmha");
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, body_write);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
    return rc;
}

static int
get_error(CURLcode rc, const char *errbuf, struct ra_http_reply *reply)
{
    const char *why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    size_t n;

    if (rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH)
        why = "certificate public key does not match tls_fingerprint";
    n = strlen(why);
    if (n >= sizeof reply->error)
        n = sizeof reply->error - 1;
    memcpy(reply->error, why, n);
    reply->error[n] = '\0';
    return ra_net_curl_errno(rc);
}

static int
net_https_get(const char *url, const struct ra_tls *tls, ra_deadline_t deadline,
              struct ra_http_reply *reply)
{
    char errbuf[CURL_ERROR_SIZE] = "";
    struct body_sink sink = { reply->body, 0, sizeof reply->body, false };
    int left = ra_deadline_left_ms(deadline), r;
    CURL *h = NULL;
    CURLcode rc;

    memset(reply, 0, sizeof *reply);
    if (strncasecmp(url, "https://", 8) != 0) {
        snprintf(reply->error, sizeof reply->error, "not an https:// URL");
        return -EINVAL;
    }
    if (left <= 0) {
        snprintf(reply->error, sizeof reply->error,
                 "no time left before the deadline");
        return -ETIMEDOUT;
    }
    h = curl_easy_init();
    if (!h) {
        snprintf(reply->error, sizeof reply->error, "curl_easy_init failed");
        return -ENOMEM;
    }
    rc = get_setup(h, url, left, &sink, errbuf);
    if (!rc)
        rc = tls_setup(h, tls);
    if (!rc)
        rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply->status);
    if (rc == CURLE_WRITE_ERROR && sink.full)
        rc = CURLE_OK; /* we stopped reading: the body was long enough */
    r = 0;
    if (rc) {
        r = get_error(rc, errbuf, reply);
        if (reply->status > 0)
            r = 0; /* a status line arrived; the body was cut short */
    }
    curl_easy_cleanup(h);
    return r;
}

/** The plugin's entry points, found by name with ra_plugin_sym(). */
const struct ra_net_plugin ra_net_plugin = {
    .https_get = net_https_get,
    .rt_api_open = ra_net_rt_api_open,
};
