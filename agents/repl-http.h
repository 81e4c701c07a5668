/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repl-http.h - HTTP for pmmha-replicator (libcurl): requests to
 * VictoriaMetrics and ClickHouse, and a pipe that streams a source's answer
 * into a target's request body as it arrives, never holding the whole of
 * it. TLS to the source as pmm-server does it: verified with tls.ca_file,
 * pinned with tls.fingerprint, or (neither) not verified.
 */
#ifndef PMMHA_REPL_HTTP_H
#define PMMHA_REPL_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "deadline.h"
#include "repl.h"

struct repl_http_req {
    const struct repl_http_ep *ep; /* base URL and basic auth */
    const struct repl_tls *tls;    /* NULL: a local target */
    const char *path;              /* appended to ep->url, query included */
    const char *body;              /* POST body, or NULL for a GET */
    size_t body_len;
};

/* What a request found out, beside its answer */
struct repl_http_info {
    long status;     /* HTTP status, 0 when there was no answer */
    int64_t date_ms; /* the server's Date header, 0 when none */
    int64_t sent_ms; /* our wall clock when the request went out */
    int64_t recv_ms; /* ... and when the answer's headers came */
};

/**
 * One request; the answer's body (at most @max bytes, NUL-terminated) into
 * *@ret_body (the caller frees it; may be NULL when not wanted). 0 for a 2xx
 * answer. Errors: -EACCES (401/403: wrong credentials), -EPERM (TLS
 * certificate or pin refused), -ECONNREFUSED/-EHOSTUNREACH (nobody
 * answers), -ETIMEDOUT (@d passed, or no byte for @io_timeout_ms),
 * -ECONNRESET (the connection broke mid-answer), -EPROTO (another status:
 * @err holds it and the start of the answer; or not HTTP), -EFBIG (answer
 * over @max), -ECANCELED (repl_stopping()), -EINVAL (a bad URL), -ENOMEM.
 * @err always says what happened in one line, without credentials (a
 * server's echo of them is masked), naming the URL without its query.
 */
int repl_http_fetch(const struct repl_http_req *rq, ra_deadline_t d,
                    int64_t io_timeout_ms, char **ret_body, size_t max,
                    struct repl_http_info *info, char *err, size_t errlen);

/**
 * Streams the answer of @src into the body of @dst (a chunked POST) as it
 * arrives, through a 1 MiB buffer; both must answer 2xx. @dst is asked
 * only once @src answered 2xx with a first byte: an empty answer makes no
 * request to @dst (0, *@ret_bytes 0). *@ret_bytes: bytes moved. Errors as
 * repl_http_fetch(); @err starts with "source " or "target ": the side
 * that failed.
 */
int repl_http_pipe(const struct repl_http_req *src,
                   const struct repl_http_req *dst, ra_deadline_t d,
                   int64_t io_timeout_ms, uint64_t *ret_bytes,
                   struct repl_http_info *src_info, char *err, size_t errlen);

/** @s percent-encoded for a URL's query (caller frees); NULL: no memory. */
char *repl_http_escape(const char *s);

/* ---- what the transfers read of an answer themselves (for the fuzzer) */

/** A header line @p (@len bytes, as libcurl hands it over): when it is a
 * Date header, *@ret_ms gets its time (0 when unreadable) and true. */
bool repl_http_date(const char *p, size_t len, int64_t *ret_ms);

/** Masks in @s (an error message holding a server's answer) @ep's
 * password, user:password and its base64 (Basic auth) as "***". */
void repl_http_mask(char *s, const struct repl_http_ep *ep);

#endif
