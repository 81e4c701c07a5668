/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for agents/repl-http.c against tiny HTTP servers on loopback
 * sockets (a thread each): answers 2xx, 401, 500, a server that stalls, a
 * port nobody listens on, the pipe (a source streaming more than its ring,
 * a target that fails mid-stream, a source cut off), the Date header, and
 * no credential in any message. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "loopback.h"

#include "leakcheck.h"
#include "repl-http.h"

static volatile bool stopping;

bool
repl_stopping(void)
{
    return stopping;
}

int64_t
repl_wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum mode {
    ANSWER, /* write @answer */
    STALL,  /* answer nothing for 1.5 s */
    STREAM, /* 200 and @size bytes of a pattern (only @cut of them if set) */
    SINK,   /* read a chunked body, 204 (close after @cut bytes if set) */
    ECHO,   /* 500 with the request's headers as the body */
};

struct server {
    int fd, port;
    enum mode mode;
    const char *answer;
    size_t size, cut;
    pthread_t thread;
    char request[4096];
    size_t got;    /* SINK: body bytes read */
    uint32_t hash; /* ... and their checksum */
};

/* A buffered reader over a socket */
struct conn {
    int fd;
    char buf[16384];
    size_t pos, len;
};

static int
conn_getc(struct conn *c)
{
    ssize_t n;

    if (c->pos == c->len) {
        n = read(c->fd, c->buf, sizeof c->buf);
        if (n <= 0)
            return -1;
        c->pos = 0;
        c->len = (size_t) n;
    }
    return (unsigned char) c->buf[c->pos++];
}

/* The request's head into s->request (until the empty line) */
static void
read_head(struct server *s, struct conn *c)
{
    size_t n = 0;
    int ch;

    while (n < sizeof s->request - 1 && (ch = conn_getc(c)) >= 0) {
        s->request[n++] = (char) ch;
        if (n >= 4 && !memcmp(s->request + n - 4, "\r\n\r\n", 4))
            break;
    }
    s->request[n] = '\0';
}

static uint32_t
fnv(uint32_t h, int ch)
{
    return (h ^ (uint32_t) ch) * 16777619u;
}

static int
pattern(size_t i)
{
    return (int) ((i * 7 + i / 4096) & 0xff);
}

/* A chunked body: its bytes counted and hashed; false when cut */
static bool
read_chunked(struct server *s, struct conn *c)
{
    char line[32];
    size_t n, i;
    int ch;

    s->hash = 2166136261u;
    for (;;) {
        for (n = 0;
             n < sizeof line - 1 && (ch = conn_getc(c)) >= 0 && ch != '\n';)
            line[n++] = (char) ch;
        line[n] = '\0';
        n = strtoul(line, NULL, 16);
        if (n == 0)
            return conn_getc(c) >= 0; /* the last CRLF */
        for (i = 0; i < n; i++) {
            if ((ch = conn_getc(c)) < 0)
                return false;
            s->hash = fnv(s->hash, ch);
            if (++s->got == s->cut && s->cut)
                return false;
        }
        conn_getc(c); /* CRLF */
        conn_getc(c);
    }
}

static void
stream(struct server *s, int fd)
{
    char head[128], buf[65536];
    size_t sent = 0, i, n, end = s->cut ? s->cut : s->size;

    snprintf(head, sizeof head,
             "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n"
             "Date: Sun, 06 Dec 2026 17:28:27 GMT\r\n\r\n",
             s->size);
    (void) !write(fd, head, strlen(head));
    while (sent < end) {
        n = end - sent < sizeof buf ? end - sent : sizeof buf;
        for (i = 0; i < n; i++)
            buf[i] = (char) pattern(sent + i);
        if (write(fd, buf, n) != (ssize_t) n)
            return;
        sent += n;
    }
}

static void
echo(struct server *s, int fd)
{
    char out[8192];

    snprintf(out, sizeof out,
             "HTTP/1.1 500 Internal Server Error\r\nContent-Length: %zu\r\n"
             "\r\n%s",
             strlen(s->request), s->request);
    (void) !write(fd, out, strlen(out));
}

/* Reads whatever comes for 1.5 s, answers nothing; over when the client
 * hangs up */
static void
stall(int fd)
{
    uint64_t end = ra_now_ns() + 1500 * RA_NSEC_PER_MSEC;
    struct pollfd p = { fd, POLLIN, 0 };
    char buf[4096];

    while (ra_now_ns() < end
           && poll(&p, 1, (int) ((end - ra_now_ns()) / RA_NSEC_PER_MSEC)) > 0)
        if (read(fd, buf, sizeof buf) <= 0)
            break;
}

static void *
serve(void *arg)
{
    static const char no_content[] = "HTTP/1.1 204 No Content\r\n\r\n";
    struct server *s = arg;
    struct conn *c = calloc(1, sizeof *c);

    c->fd = accept(s->fd, NULL, NULL);
    if (c->fd < 0) {
        free(c);
        return NULL;
    }
    read_head(s, c);
    if (s->mode == ANSWER)
        (void) !write(c->fd, s->answer, strlen(s->answer));
    else if (s->mode == STALL)
        stall(c->fd);
    else if (s->mode == STREAM)
        stream(s, c->fd);
    else if (s->mode == ECHO)
        echo(s, c->fd);
    else if (read_chunked(s, c))
        (void) !write(c->fd, no_content, strlen(no_content));
    close(c->fd);
    free(c);
    return NULL;
}

static void
server_start(struct server *s, enum mode mode, const char *answer)
{
    s->mode = mode;
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

/* A base URL for @port */
static void
ep_for(struct repl_http_ep *ep, char *url, size_t len, int port)
{
    snprintf(url, len, "http://127.0.0.1:%d/prometheus", port);
    ep->url = url;
}

static int fds_before;

static int
setup(void **state)
{
    (void) state;
    stopping = false;
    fds_before = count_fds();
    return 0;
}

static int
teardown(void **state)
{
    (void) state;
    assert_int_equal(count_fds(), fds_before);
    return 0;
}

static int
fetch(struct server *s, struct repl_http_ep *ep, int64_t io_ms, char **body,
      size_t max, struct repl_http_info *info, char *err)
{
    char url[64];
    struct repl_http_req rq = { ep, NULL, "/api/v1/labels?start=1", NULL, 0 };

    ep_for(ep, url, sizeof url, s->port);
    return repl_http_fetch(&rq, ra_deadline_in_ms(5000), io_ms, body, max, info,
                           err, REPL_ERR_LEN);
}

static void
test_2xx_and_date(void **state)
{
    struct server s = { 0 };
    struct repl_http_ep ep = { 0 };
    struct repl_http_info info;
    char err[REPL_ERR_LEN], *body = NULL;
    int64_t t0 = repl_wall_ms();

    (void) state;
    server_start(&s, ANSWER,
                 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                 "Date: Sun, 06 Dec 2026 17:28:27 GMT\r\n\r\nOK");
    assert_int_equal(fetch(&s, &ep, 2000, &body, 100, &info, err), 0);
    assert_string_equal(body, "OK");
    assert_int_equal(info.status, 200);
    assert_int_equal(info.date_ms, INT64_C(1796578107000));
    assert_true(info.sent_ms >= t0 && info.recv_ms >= info.sent_ms);
    free(body);
    server_stop(&s);
    assert_non_null(
        strstr(s.request, "GET /prometheus/api/v1/labels?start=1 "));
    assert_null(strstr(s.request, "Authorization"));
}

static void
test_no_date(void **state)
{
    struct server s = { 0 };
    struct repl_http_ep ep = { 0 };
    struct repl_http_info info;
    char err[REPL_ERR_LEN];

    (void) state;
    server_start(&s, ANSWER, "HTTP/1.1 204 No Content\r\n\r\n");
    assert_int_equal(fetch(&s, &ep, 2000, NULL, 0, &info, err), 0);
    assert_int_equal(info.status, 204);
    assert_int_equal(info.date_ms, 0);
    server_stop(&s);
}

static void
test_401_credentials(void **state)
{
    struct server s = { 0 };
    struct repl_http_ep ep = { NULL, (char *) "pmm", (char *) "s3cret-pw" };
    char err[REPL_ERR_LEN];

    (void) state;
    server_start(
        &s, ANSWER,
        "HTTP/1.1 401 Unauthorized\r\nContent-Length: 5\r\n\r\nno!\r\n");
    assert_int_equal(fetch(&s, &ep, 2000, NULL, 0, NULL, err), -EACCES);
    assert_non_null(strstr(err, "401"));
    server_stop(&s);
    /* basic auth was sent: "pmm:s3cret-pw" */
    assert_non_null(
        strstr(s.request, "Authorization: Basic cG1tOnMzY3JldC1wdw=="));
}

static void
test_500_body_in_err(void **state)
{
    struct server s = { 0 };
    struct repl_http_ep ep = { 0 };
    char err[REPL_ERR_LEN], *body = NULL;

    (void) state;
    server_start(&s, ANSWER,
                 "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 29\r\n"
                 "\r\ncannot parse\nmatch[]: bad one");
    assert_int_equal(fetch(&s, &ep, 2000, &body, 100, NULL, err), -EPROTO);
    assert_null(body);
    assert_non_null(strstr(err, "HTTP 500: cannot parse match[]: bad one"));
    /* the URL without its query */
    assert_non_null(strstr(err, "/prometheus/api/v1/labels:"));
    assert_null(strchr(err, '\n'));
    server_stop(&s);
}

static void
test_no_credentials_in_err(void **state)
{
    struct server s = { 0 };
    struct repl_http_ep ep = { NULL, (char *) "pmm", (char *) "s3cret-pw" };
    char err[1024];
    struct repl_http_req rq = { &ep, NULL, "/x?pw=s3cret-pw", NULL, 0 };
    char url[64];

    (void) state;
    /* a server that echoes the request, Authorization header included */
    server_start(&s, ECHO, NULL);
    ep_for(&ep, url, sizeof url, s.port);
    assert_int_equal(repl_http_fetch(&rq, ra_deadline_in_ms(5000), 2000, NULL,
                                     0, NULL, err, sizeof err),
                     -EPROTO);
    server_stop(&s);
    assert_non_null(strstr(err, "HTTP 500"));
    assert_null(strstr(err, "s3cret"));
    assert_null(strstr(err, "cG1tOnMzY3JldC1wdw=="));
}

static void
test_stall_io_timeout(void **state)
{
    struct server s = { 0 };
    struct repl_http_ep ep = { 0 };
    char err[REPL_ERR_LEN];
    uint64_t t0 = ra_now_ns();

    (void) state;
    server_start(&s, STALL, NULL);
    assert_int_equal(fetch(&s, &ep, 300, NULL, 0, NULL, err), -ETIMEDOUT);
    assert_in_range((ra_now_ns() - t0) / RA_NSEC_PER_MSEC, 250, 1200);
    assert_non_null(strstr(err, "no byte for 300 ms"));
    server_stop(&s);
}

static void
test_deadline_and_stopping(void **state)
{
    struct server s = { 0 };
    struct repl_http_ep ep = { 0 };
    struct repl_http_req rq = { &ep, NULL, "/health", NULL, 0 };
    char err[REPL_ERR_LEN], url[64];
    uint64_t t0 = ra_now_ns();

    (void) state;
    server_start(&s, STALL, NULL);
    ep_for(&ep, url, sizeof url, s.port);
    assert_int_equal(repl_http_fetch(&rq, ra_deadline_in_ms(200), 5000, NULL, 0,
                                     NULL, err, sizeof err),
                     -ETIMEDOUT);
    assert_in_range((ra_now_ns() - t0) / RA_NSEC_PER_MSEC, 150, 1000);
    server_stop(&s);
    server_start(&s, STALL, NULL);
    ep_for(&ep, url, sizeof url, s.port);
    stopping = true;
    assert_int_equal(repl_http_fetch(&rq, ra_deadline_in_ms(5000), 5000, NULL,
                                     0, NULL, err, sizeof err),
                     -ECANCELED);
    server_stop(&s);
}

static void
test_refused(void **state)
{
    struct server s = { 0 };
    struct repl_http_ep ep = { 0 };
    struct repl_http_info info;
    char err[REPL_ERR_LEN];

    (void) state;
    server_start(&s, ANSWER, "");
    /* nobody listens there any more */
    shutdown(s.fd, SHUT_RDWR);
    server_stop(&s);
    assert_int_equal(fetch(&s, &ep, 2000, NULL, 0, &info, err), -ECONNREFUSED);
    assert_int_equal(info.status, 0);
    assert_non_null(strstr(err, "127.0.0.1"));
}

static void
test_too_big(void **state)
{
    struct server s = { 0 };
    struct repl_http_ep ep = { 0 };
    char err[REPL_ERR_LEN], *body = NULL;

    (void) state;
    s.size = 100000;
    server_start(&s, STREAM, NULL);
    assert_int_equal(fetch(&s, &ep, 2000, &body, 4096, NULL, err), -EFBIG);
    assert_null(body);
    server_stop(&s);
}

static int
run_pipe(struct server *src, struct server *dst, uint64_t *bytes, char *err)
{
    struct repl_http_ep se = { 0 }, de = { 0 };
    char su[64], du[64];
    struct repl_http_req sr
        = { &se, NULL, "/api/v1/export/native?x=1", NULL, 0 };
    struct repl_http_req dr = { &de, NULL, "/api/v1/import/native", NULL, 0 };
    struct repl_http_info info;

    ep_for(&se, su, sizeof su, src->port);
    ep_for(&de, du, sizeof du, dst->port);
    return repl_http_pipe(&sr, &dr, ra_deadline_in_ms(10000), 2000, bytes,
                          &info, err, REPL_ERR_LEN);
}

static void
test_pipe(void **state)
{
    struct server src = { 0 }, dst = { 0 };
    uint64_t bytes = 0;
    uint32_t h = 2166136261u;
    char err[REPL_ERR_LEN];
    size_t i;

    (void) state;
    src.size = 5u << 20; /* five times the ring */
    server_start(&src, STREAM, NULL);
    server_start(&dst, SINK, NULL);
    assert_int_equal(run_pipe(&src, &dst, &bytes, err), 0);
    server_stop(&src);
    server_stop(&dst);
    assert_int_equal(bytes, 5u << 20);
    assert_int_equal(dst.got, 5u << 20);
    for (i = 0; i < src.size; i++)
        h = fnv(h, pattern(i));
    assert_int_equal(dst.hash, h);
    assert_non_null(
        strstr(dst.request, "POST /prometheus/api/v1/import/native "));
    assert_non_null(strstr(dst.request, "Transfer-Encoding: chunked"));
    assert_null(strstr(dst.request, "Expect:"));
}

static void
test_pipe_empty_source(void **state)
{
    struct server src = { 0 }, dst = { 0 };
    uint64_t bytes = 1;
    char err[REPL_ERR_LEN];

    (void) state;
    server_start(&src, ANSWER, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    server_start(&dst, SINK, NULL);
    assert_int_equal(run_pipe(&src, &dst, &bytes, err), 0);
    assert_int_equal(bytes, 0);
    server_stop(&src);
    /* the target was never asked: release its thread */
    shutdown(dst.fd, SHUT_RDWR);
    server_stop(&dst);
    assert_int_equal(dst.request[0], '\0');
}

static void
test_pipe_target_fails(void **state)
{
    struct server src = { 0 }, dst = { 0 };
    uint64_t bytes = 0;
    char err[REPL_ERR_LEN];
    int rc;

    (void) state;
    src.size = 5u << 20;
    dst.cut = 100000; /* the target closes mid-stream */
    server_start(&src, STREAM, NULL);
    server_start(&dst, SINK, NULL);
    rc = run_pipe(&src, &dst, &bytes, err);
    assert_true(rc == -ECONNRESET || rc == -EPROTO);
    assert_true(strncmp(err, "target http://127.0.0.1:", 24) == 0);
    assert_true(bytes < src.size);
    server_stop(&src);
    server_stop(&dst);
}

static void
test_pipe_source_cut(void **state)
{
    struct server src = { 0 }, dst = { 0 };
    uint64_t bytes = 0;
    char err[REPL_ERR_LEN];

    (void) state;
    src.size = 3u << 20;
    src.cut = 2u << 20; /* the source goes away after 2 MiB */
    server_start(&src, STREAM, NULL);
    server_start(&dst, SINK, NULL);
    assert_int_equal(run_pipe(&src, &dst, &bytes, err), -ECONNRESET);
    assert_true(strncmp(err, "source http://127.0.0.1:", 24) == 0);
    assert_non_null(strstr(err, "cut off"));
    server_stop(&src);
    server_stop(&dst);
    assert_true(dst.got < src.size); /* the target's body was aborted */
}

static void
test_pipe_source_401(void **state)
{
    struct server src = { 0 }, dst = { 0 };
    uint64_t bytes = 0;
    char err[REPL_ERR_LEN];

    (void) state;
    server_start(&src, ANSWER,
                 "HTTP/1.1 401 Unauthorized\r\nContent-Length: 12\r\n\r\n"
                 "Unauthorized");
    server_start(&dst, SINK, NULL);
    assert_int_equal(run_pipe(&src, &dst, &bytes, err), -EACCES);
    assert_true(strncmp(err, "source ", 7) == 0);
    assert_int_equal(bytes, 0);
    server_stop(&src);
    shutdown(dst.fd, SHUT_RDWR); /* the error page never reached it */
    server_stop(&dst);
    assert_int_equal(dst.request[0], '\0');
}

static void
test_pipe_target_stalls(void **state)
{
    struct server src = { 0 }, dst = { 0 };
    struct repl_http_ep se = { 0 }, de = { 0 };
    char su[64], du[64], err[REPL_ERR_LEN];
    struct repl_http_req sr = { &se, NULL, "/e", NULL, 0 };
    struct repl_http_req dr = { &de, NULL, "/i", NULL, 0 };
    uint64_t bytes = 0;

    (void) state;
    src.size = 1000;
    server_start(&src, STREAM, NULL);
    server_start(&dst, STALL, NULL); /* reads the head, never answers */
    ep_for(&se, su, sizeof su, src.port);
    ep_for(&de, du, sizeof du, dst.port);
    assert_int_equal(repl_http_pipe(&sr, &dr, ra_deadline_in_ms(5000), 300,
                                    &bytes, NULL, err, sizeof err),
                     -ETIMEDOUT);
    assert_true(strncmp(err, "target ", 7) == 0);
    server_stop(&src);
    server_stop(&dst);
}

static void
test_escape(void **state)
{
    char *e = repl_http_escape("{__name__!=\"\"} a/b~");

    (void) state;
    assert_string_equal(e, "%7B__name__%21%3D%22%22%7D%20a%2Fb~");
    free(e);
}

/* Found by fuzz-repl-http: a password "***" found its own mask forever;
 * a Date past the year 292 million overflowed its milliseconds */
static void
test_fuzzfound(void **state)
{
    struct repl_http_ep ep = { "http://x", (char *) "pmm", (char *) "***" };
    char msg[] = "HTTP 500: wrong password *** for pmm:***";
    static const char date[] = "Date: 6 Dec 2142279498\r\n"; /* 6.7e16 s */
    int64_t ms = -1;

    (void) state;
    repl_http_mask(msg, &ep);
    assert_string_equal(msg, "HTTP 500: wrong password *** for ***");
    assert_true(repl_http_date(date, sizeof date - 1, &ms));
    assert_int_equal(ms, 0);
    assert_true(
        repl_http_date("date: Sun, 06 Dec 2026 18:31:39 GMT\r\n", 37, &ms));
    assert_int_equal(ms, INT64_C(1796581899000));
    assert_false(repl_http_date("Server: x\r\n", 11, &ms));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_2xx_and_date, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_date, setup, teardown),
        cmocka_unit_test_setup_teardown(test_401_credentials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_500_body_in_err, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_credentials_in_err, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_stall_io_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deadline_and_stopping, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_big, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipe_empty_source, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pipe_target_fails, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pipe_source_cut, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipe_source_401, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipe_target_stalls, setup,
                                        teardown),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_fuzzfound),
    };

    signal(SIGPIPE, SIG_IGN); /* a server writing to a transfer cut short */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
