/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * http.c - GET over plain HTTP with nothing but sockets and poll(), bounded
 * by a deadline: the readiness probe of a depth-10 monitor. https:// goes
 * to the net plugin (libcurl), loaded only then.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"
#include "plugin.h"
#include "plugins.h"
#include "sock.h"

/*
 * A host is a name or an IPv4 literal ([A-Za-z0-9.-]), or an IPv6 literal
 * in brackets: no user name or password ("user:pw@host" would put a secret
 * in the CIB and the reasons that quote the URL), and nothing that libcurl
 * (https://) could read as another host than the one checked here.
 */
static bool
host_ok(const char *p, size_t n, bool bracketed)
{
    const char *set = bracketed ? "0123456789abcdefABCDEF:."
                                : "abcdefghijklmnopqrstuvwxyz"
                                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-";

    for (size_t i = 0; i < n; i++)
        if (!strchr(set, p[i]))
            return false;
    return true;
}

int
ra_http_parse_url(const char *url, char *host, size_t hostlen, int *port,
                  const char **path, int *tls)
{
    const char *p, *end;
    bool bracketed;
    size_t n;

    if (!strncmp(url, "http://", 7))
        *tls = 0, p = url + 7;
    else if (!strncmp(url, "https://", 8))
        *tls = 1, p = url + 8;
    else
        return -EINVAL;
    *port = *tls ? 443 : 80;
    bracketed = *p == '[';
    if (bracketed) {
        end = strchr(p, ']');
        if (!end)
            return -EINVAL;
        n = (size_t) (end - p - 1);
        p++;
        end++;
    } else {
        end = p + strcspn(p, ":/");
        n = (size_t) (end - p);
    }
    if (n == 0 || n >= hostlen || !host_ok(p, n, bracketed))
        return -EINVAL;
    memcpy(host, p, n);
    host[n] = '\0';
    if (*end == ':') {
        char *e;
        long v = strtol(end + 1, &e, 10);

        if (e == end + 1 || v < 1 || v > 65535 || (*e && *e != '/'))
            return -EINVAL;
        *port = (int) v;
        end = e;
    }
    if (*end && *end != '/')
        return -EINVAL;
    *path = *end ? end : "/";
    /* no blanks or control characters: they would split the request line */
    for (const char *c = *path; *c; c++)
        if ((unsigned char) *c <= ' ' || *c == 0x7f)
            return -EINVAL;
    return 0;
}

/* Fills @ss from an IP literal ("localhost" is 127.0.0.1): a name lookup
 * could block a monitor past its deadline, so there is none. */
static int
resolve(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len)
{
    struct sockaddr_in *in = (struct sockaddr_in *) ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) ss;

    memset(ss, 0, sizeof *ss);
    if (!strcmp(host, "localhost"))
        host = "127.0.0.1";
    if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t) port);
        *len = sizeof *in;
        return 0;
    }
    if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t) port);
        *len = sizeof *in6;
        return 0;
    }
    return -EINVAL;
}

/* Reads until EOF, a full buffer, or the deadline. */
static int
recv_some(int fd, char *buf, size_t cap, size_t *got, ra_deadline_t d)
{
    *got = 0;
    while (*got < cap - 1) {
        ssize_t n;
        int r = ra_sock_wait(fd, POLLIN, d);

        if (r < 0)
            return *got > 0 && strstr(buf, "\r\n\r\n") ? 0 : r;
        n = recv(fd, buf + *got, cap - 1 - *got, 0);
        if (n == 0)
            break;
        if (n < 0 && errno != EINTR && errno != EAGAIN)
            return -errno;
        if (n > 0) {
            *got += (size_t) n;
            buf[*got] = '\0';
        }
    }
    buf[*got] = '\0';
    return 0;
}

static int
parse_reply(const char *buf, struct ra_http_reply *reply)
{
    const char *body;
    int major, minor, status;

    if (sscanf(buf, "HTTP/%d.%d %3d", &major, &minor, &status) != 3
        || status < 100 || status > 599) {
        snprintf(reply->error, sizeof reply->error, "the answer is not HTTP");
        return -EPROTO;
    }
    reply->status = status;
    body = strstr(buf, "\r\n\r\n");
    if (body)
        snprintf(reply->body, sizeof reply->body, "%s", body + 4);
    return 0;
}

static int
http_get_plain(const char *host, int port, const char *path, ra_deadline_t d,
               struct ra_http_reply *reply)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    char req[1200], buf[2048];
    size_t got;
    int fd, r;

    if (resolve(host, port, &ss, &sslen) < 0) {
        snprintf(reply->error, sizeof reply->error, "%s is not an IP address",
                 host);
        return -EINVAL;
    }
    r = snprintf(req, sizeof req,
                 "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: pmmha\r\n"
                 "Accept: */*\r\nConnection: close\r\n\r\n",
                 path, host);
    if (r < 0 || (size_t) r >= sizeof req)
        return -EINVAL;
    fd = ra_sock_connect((const struct sockaddr *) &ss, sslen, d);
    if (fd < 0) {
        snprintf(reply->error, sizeof reply->error, "cannot connect: %s",
                 strerror(-fd));
        return fd;
    }
    r = ra_sock_send_all(fd, req, (size_t) r, d);
    if (r == 0)
        r = recv_some(fd, buf, sizeof buf, &got, d);
    close(fd);
    if (r < 0) {
        snprintf(reply->error, sizeof reply->error, "%s",
                 r == -ETIMEDOUT ? "no answer before the deadline"
                                 : strerror(-r));
        return r;
    }
    return parse_reply(buf, reply);
}

int
ra_http_get(const char *url, const struct ra_tls *tls, ra_deadline_t deadline,
            struct ra_http_reply *reply)
{
    const struct ra_net_plugin *net;
    char host[256];
    const char *path;
    int port, is_tls;

    memset(reply, 0, sizeof *reply);
    if (ra_http_parse_url(url, host, sizeof host, &port, &path, &is_tls) < 0) {
        snprintf(reply->error, sizeof reply->error, "bad URL");
        return -EINVAL;
    }
    if (ra_deadline_passed(deadline)) {
        snprintf(reply->error, sizeof reply->error,
                 "no time left before the deadline");
        return -ETIMEDOUT;
    }
    if (!is_tls)
        return http_get_plain(host, port, path, deadline, reply);
    net = ra_plugin_sym(RA_NET_PLUGIN, RA_NET_PLUGIN_SYM, reply->error,
                        sizeof reply->error);
    if (!net)
        return -ENOPKG;
    return net->https_get(url, tls, deadline, reply);
}
