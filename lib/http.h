/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * http.h - the readiness probe. Plain http:// URLs are fetched with a tiny
 * socket client that links nothing (the monitor path); https:// URLs go to
 * libcurl, loaded only when needed, with optional certificate pinning.
 */
#ifndef PMMHA_HTTP_H
#define PMMHA_HTTP_H

#include <stddef.h>

#include "deadline.h"

/** TLS trust for https:// probes. */
struct ra_tls {
    const char *ca_file;     /**< CA bundle to verify against, or NULL */
    const char *fingerprint; /**< "sha256//BASE64" public-key pin, or NULL */
};

/** Result of one GET. */
struct ra_http_reply {
    long status;     /**< HTTP status, 0 if none */
    char body[512];  /**< start of the body, NUL-terminated */
    char error[200]; /**< why there is no status, if so */
};

/**
 * GETs @url, giving up at @deadline. http:// is served in-process; https://
 * through the libcurl plugin (without @tls or with neither field set, the
 * certificate is not verified: PMM ships a self-signed one).
 * Returns 0 when a status line arrived, -ETIMEDOUT, -ECONNREFUSED, -EINVAL
 * (bad URL), -EPROTO (not HTTP) or another -errno; details in @reply->error.
 */
int ra_http_get(const char *url, const struct ra_tls *tls,
                ra_deadline_t deadline, struct ra_http_reply *reply);

/**
 * Splits an http:// or https:// URL; host may be an IPv4 literal, an IPv6
 * literal in brackets or a name ([A-Za-z0-9.-]); user information
 * ("user:password@") and any other scheme are refused with -EINVAL.
 */
int ra_http_parse_url(const char *url, char *host, size_t hostlen, int *port,
                      const char **path, int *tls);

#endif
