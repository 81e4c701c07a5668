/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-http.c - lib/http.c: the status line and headers of a readiness
 * probe's answer (parse_reply, as recv_some() leaves them: at most 2047
 * bytes, NUL-terminated) and the readyz URL (ra_http_parse_url).
 *
 * Input: the answer; its first line is also tried as a URL.
 */
#include "../../lib/http.c"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ra_http_reply reply;
    char buf[2048], host[256], *url;
    const char *path;
    int port, tls;
    size_t n = size < sizeof buf - 1 ? size : sizeof buf - 1;

    memcpy(buf, data, n);
    buf[n] = '\0';
    memset(&reply, 0, sizeof reply);
    if (parse_reply(buf, &reply) == 0
        && (reply.status < 100 || reply.status > 599))
        abort();

    url = fz_str(data, strcspn(buf, "\r\n"));
    if (ra_http_parse_url(url, host, sizeof host, &port, &path, &tls) == 0) {
        if (port < 1 || port > 65535 || !host[0] || path[0] != '/')
            abort(); /* what http_get_plain() relies on */
        for (const char *c = path; *c; c++)
            if ((unsigned char) *c <= ' ')
                abort(); /* would split the request line */
    }
    free(url);
    return 0;
}
