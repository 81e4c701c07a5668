/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/http.c: the plain-HTTP probe against a local server
 * that answers 200, 503, garbage, or never. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "loopback.h"

#include "http.h"

struct server {
    int fd;
    int port;
    const char *answer; /* NULL: accept, read, never answer */
    pthread_t thread;
    char request[1024];
};

static void *
serve(void *arg)
{
    struct server *s = arg;
    int c = accept(s->fd, NULL, NULL);
    ssize_t n;

    if (c < 0)
        return NULL;
    n = read(c, s->request, sizeof s->request - 1);
    if (n > 0)
        s->request[n] = '\0';
    if (s->answer)
        (void) !write(c, s->answer, strlen(s->answer));
    else
        usleep(1500000);
    close(c);
    return NULL;
}

static void
server_start(struct server *s, const char *answer)
{
    memset(s, 0, sizeof *s);
    s->answer = answer;
    s->port = loopback_listen(&s->fd);
    pthread_create(&s->thread, NULL, serve, s);
}

static void
server_stop(struct server *s)
{
    pthread_join(s->thread, NULL);
    close(s->fd);
}

static int
get(struct server *s, int ms, struct ra_http_reply *r)
{
    char url[128];

    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/readyz", s->port);
    return ra_http_get(url, NULL, ra_deadline_in_ms((uint64_t) ms), r);
}

static void
test_200(void **state)
{
    struct server s;
    struct ra_http_reply r;

    (void) state;
    server_start(&s, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n{}\n");
    assert_int_equal(get(&s, 2000, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{}\n");
    server_stop(&s);
    assert_non_null(strstr(s.request, "GET /v1/readyz HTTP/1.0\r\n"));
    assert_non_null(strstr(s.request, "Host: 127.0.0.1\r\n"));
}

static void
test_503(void **state)
{
    struct server s;
    struct ra_http_reply r;

    (void) state;
    server_start(
        &s,
        "HTTP/1.1 503 Service Unavailable\r\n\r\n{\"error\":\"warming up\"}");
    assert_int_equal(get(&s, 2000, &r), 0);
    assert_int_equal(r.status, 503);
    assert_non_null(strstr(r.body, "warming up"));
    server_stop(&s);
}

static void
test_garbage(void **state)
{
    struct server s;
    struct ra_http_reply r;

    (void) state;
    server_start(&s, "SSH-2.0-OpenSSH\r\n");
    assert_int_equal(get(&s, 2000, &r), -EPROTO);
    assert_int_equal(r.status, 0);
    server_stop(&s);
}

static void
test_never_answers(void **state)
{
    struct server s;
    struct ra_http_reply r;
    uint64_t t0 = ra_now_ns();

    (void) state;
    server_start(&s, NULL);
    assert_int_equal(get(&s, 300, &r), -ETIMEDOUT);
    /* the deadline holds: 300 ms, not the server's 1.5 s (the upper bound
     * leaves room for a loaded machine under the sanitizers) */
    assert_in_range((ra_now_ns() - t0) / RA_NSEC_PER_MSEC, 250, 1000);
    server_stop(&s);
}

static void
test_refused(void **state)
{
    struct server s;
    struct ra_http_reply r;

    (void) state;
    server_start(&s, "HTTP/1.0 200 OK\r\n\r\n");
    /* connect once so the thread ends, then the port is closed */
    assert_int_equal(get(&s, 1000, &r), 0);
    server_stop(&s);
    assert_int_equal(get(&s, 1000, &r), -ECONNREFUSED);
    assert_non_null(strstr(r.error, "refused"));
}

static void
test_parse_url(void **state)
{
    char host[64];
    const char *path;
    int port, tls;
    struct ra_http_reply r;

    (void) state;
    assert_int_equal(ra_http_parse_url("http://10.88.0.2/v1/readyz", host,
                                       sizeof host, &port, &path, &tls),
                     0);
    assert_string_equal(host, "10.88.0.2");
    assert_int_equal(port, 80);
    assert_string_equal(path, "/v1/readyz");
    assert_int_equal(ra_http_parse_url("https://[::1]:8443", host, sizeof host,
                                       &port, &path, &tls),
                     0);
    assert_string_equal(host, "::1");
    assert_int_equal(port, 8443);
    assert_int_equal(tls, 1);
    assert_string_equal(path, "/");
    assert_int_equal(
        ra_http_parse_url("ftp://x/", host, sizeof host, &port, &path, &tls),
        -EINVAL);
    assert_int_equal(
        ra_http_parse_url("http://x:0/", host, sizeof host, &port, &path, &tls),
        -EINVAL);
    assert_int_equal(ra_http_parse_url("http://x:99999/", host, sizeof host,
                                       &port, &path, &tls),
                     -EINVAL);
    assert_int_equal(ra_http_parse_url("http://x/a b", host, sizeof host, &port,
                                       &path, &tls),
                     -EINVAL);
    assert_int_equal(ra_http_parse_url("http://x/a\r\nX: y", host, sizeof host,
                                       &port, &path, &tls),
                     -EINVAL);
    assert_int_equal(
        ra_http_parse_url("http:///", host, sizeof host, &port, &path, &tls),
        -EINVAL);
    /* no name lookups on the monitor path */
    assert_int_equal(
        ra_http_get("http://pmm.example/", NULL, ra_deadline_in_ms(100), &r),
        -EINVAL);
    assert_int_equal(ra_http_get("http://127.0.0.1:1/", NULL, ra_now_ns(), &r),
                     -ETIMEDOUT);
}

/* What libcurl could read as another host, or a password in the CIB. */
static void
test_parse_url_host(void **state)
{
    static const char *const bad[] = {
        "https://user:pw@10.0.0.1/", "https://user@pmm.example/",
        "http://user@127.0.0.1/",    "https://pmm.example#@10.0.0.1/",
        "https://pmm.example?x/",    "https://10.0.0.1\\@evil/",
        "https://pm%6d.example/",    "https://[::1@x]/",
        "https://[fe80::1%25eth0]/", "file:///etc/shadow",
        "HTTPS://10.0.0.1/",         "gopher://10.0.0.1/",
    };
    char host[64];
    const char *path;
    int port, tls;

    (void) state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int r
            = ra_http_parse_url(bad[i], host, sizeof host, &port, &path, &tls);

        if (r != -EINVAL)
            fail_msg("%s: %d", bad[i], r);
    }
    assert_int_equal(ra_http_parse_url("https://pmm-1.example.com:8443/x?a=b",
                                       host, sizeof host, &port, &path, &tls),
                     0);
    assert_string_equal(host, "pmm-1.example.com");
    assert_int_equal(port, 8443);
    assert_string_equal(path, "/x?a=b");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_200),
        cmocka_unit_test(test_503),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_never_answers),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_parse_url),
        cmocka_unit_test(test_parse_url_host),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
