/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for lib/net-curl.c: the https:// probe of the net plugin
 * against an in-process TLS server (OpenSSL, a self-signed certificate made
 * at start) that answers 200, 503, a long body, or never; a closed port; a
 * CA file that matches and one that does not; a public-key pin that matches
 * and one that does not.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "loopback.h"
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "deadline.h"
#include "http.h"
#include "plugins.h"

extern const struct ra_net_plugin ra_net_plugin;

enum mode {
    ANSWER_200,
    ANSWER_503,
    ANSWER_LONG, /* 200 with a body far longer than reply->body */
    HANG,        /* accept the connection, never say a word */
};

struct cred {
    EVP_PKEY *key;
    X509 *cert;
    char pem_path[64]; /* the certificate, as a CA file */
    char pin[128];     /* "sha256//BASE64" of its public key */
};

static struct {
    int fd, port, stop[2];
    int mode; /* enum mode, read by the server thread */
    SSL_CTX *ctx;
    pthread_t thread;
    int held[16]; /* connections left hanging */
    size_t n_held;
    struct cred good, other;
    int closed_port;
} srv;

/* ---- credentials -------------------------------------------------------- */

static void
make_cred(struct cred *c, const char *cn)
{
    unsigned char *der = NULL, digest[SHA256_DIGEST_LENGTH];
    unsigned char b64[64];
    X509_NAME *name;
    FILE *f;
    int fd, n;

    c->key = EVP_EC_gen("P-256");
    assert_non_null(c->key);
    c->cert = X509_new();
    assert_non_null(c->cert);
    X509_set_version(c->cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c->cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(c->cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(c->cert), 86400);
    name = X509_get_subject_name(c->cert);
    /* a name that is not 127.0.0.1: the CA test shows the host name is not
     * checked */
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               (const unsigned char *) cn, -1, -1, 0);
    X509_set_issuer_name(c->cert, name);
    X509_set_pubkey(c->cert, c->key);
    assert_true(X509_sign(c->cert, c->key, EVP_sha256()) > 0);

    snprintf(c->pem_path, sizeof c->pem_path, "/tmp/test-https-XXXXXX");
    fd = mkstemp(c->pem_path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    assert_int_equal(PEM_write_X509(f, c->cert), 1);
    fclose(f);

    n = i2d_PUBKEY(c->key, &der);
    assert_true(n > 0);
    SHA256(der, (size_t) n, digest);
    OPENSSL_free(der);
    EVP_EncodeBlock(b64, digest, sizeof digest);
    snprintf(c->pin, sizeof c->pin, "sha256//%s", (const char *) b64);
}

static void
free_cred(struct cred *c)
{
    unlink(c->pem_path);
    X509_free(c->cert);
    EVP_PKEY_free(c->key);
}

/* ---- the server --------------------------------------------------------- */

/* Reads the request head (up to the empty line), or gives up. */
static void
read_request(SSL *ssl)
{
    char buf[2048];
    size_t len = 0;

    while (len < sizeof buf - 1) {
        int n = SSL_read(ssl, buf + len, (int) (sizeof buf - 1 - len));

        if (n <= 0)
            return;
        len += (size_t) n;
        buf[len] = '\0';
        if (strstr(buf, "\r\n\r\n"))
            return;
    }
}

static void
answer(SSL *ssl, int mode)
{
    static char long_body[4096];
    char head[256];
    const char *body = "{}";
    int status = 200;

    if (mode == ANSWER_503) {
        status = 503;
        body = "{\"error\":\"starting\"}";
    } else if (mode == ANSWER_LONG) {
        memset(long_body, 'x', sizeof long_body - 1);
        body = long_body;
    }
    snprintf(head, sizeof head,
             "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
             "Content-Length: %zu\r\nConnection: close\r\n\r\n",
             status, strlen(body));
    SSL_write(ssl, head, (int) strlen(head));
    SSL_write(ssl, body, (int) strlen(body));
}

static void
serve_one(int c)
{
    struct timeval tv = { .tv_sec = 3 };
    int mode = __atomic_load_n(&srv.mode, __ATOMIC_SEQ_CST);
    SSL *ssl;

    if (mode == HANG && srv.n_held < sizeof srv.held / sizeof srv.held[0]) {
        srv.held[srv.n_held++] = c;
        return;
    }
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ssl = SSL_new(srv.ctx);
    if (ssl && SSL_set_fd(ssl, c) == 1 && SSL_accept(ssl) == 1) {
        read_request(ssl);
        answer(ssl, mode);
        SSL_shutdown(ssl);
    }
    SSL_free(ssl);
    close(c);
}

static void *
serve(void *arg)
{
    struct pollfd p[2] = { { .fd = srv.fd, .events = POLLIN },
                           { .fd = srv.stop[0], .events = POLLIN } };
    int c;

    (void) arg;
    while (poll(p, 2, -1) >= 0 && !(p[1].revents & POLLIN)) {
        if (!(p[0].revents & POLLIN))
            continue;
        c = accept(srv.fd, NULL, NULL);
        if (c >= 0)
            serve_one(c);
    }
    return NULL;
}

/* A TCP port on 127.0.0.1 (bound to @fd, or closed again when !@keep). */
static int
listen_port(int *fd, int keep)
{
    int s, port = loopback_listen(&s);

    if (keep)
        *fd = s;
    else
        close(s);
    return port;
}

static int
setup(void **state)
{
    (void) state;
    signal(SIGPIPE, SIG_IGN); /* a client that gave up mid-answer */
    memset(&srv, 0, sizeof srv);
    make_cred(&srv.good, "pmm.example.test");
    make_cred(&srv.other, "someone.else.test");
    srv.ctx = SSL_CTX_new(TLS_server_method());
    assert_non_null(srv.ctx);
    assert_int_equal(SSL_CTX_use_certificate(srv.ctx, srv.good.cert), 1);
    assert_int_equal(SSL_CTX_use_PrivateKey(srv.ctx, srv.good.key), 1);
    srv.port = listen_port(&srv.fd, 1);
    srv.closed_port = listen_port(NULL, 0);
    assert_int_equal(pipe2(srv.stop, O_CLOEXEC), 0);
    assert_int_equal(pthread_create(&srv.thread, NULL, serve, NULL), 0);
    return 0;
}

static int
teardown(void **state)
{
    size_t i;

    (void) state;
    (void) !write(srv.stop[1], "x", 1);
    pthread_join(srv.thread, NULL);
    for (i = 0; i < srv.n_held; i++)
        close(srv.held[i]);
    close(srv.stop[0]);
    close(srv.stop[1]);
    close(srv.fd);
    SSL_CTX_free(srv.ctx);
    free_cred(&srv.good);
    free_cred(&srv.other);
    return 0;
}

/* ---- the tests ---------------------------------------------------------- */

static int
get(int mode, int port, const struct ra_tls *tls, int budget_ms,
    struct ra_http_reply *reply)
{
    char url[128];

    __atomic_store_n(&srv.mode, mode, __ATOMIC_SEQ_CST);
    snprintf(url, sizeof url, "https://127.0.0.1:%d/v1/readyz", port);
    return ra_net_plugin.https_get(url, tls, ra_deadline_in_ms(budget_ms),
                                   reply);
}

static void
test_200_unverified(void **state)
{
    struct ra_http_reply reply;

    (void) state;
    assert_int_equal(get(ANSWER_200, srv.port, NULL, 5000, &reply), 0);
    assert_int_equal(reply.status, 200);
    assert_string_equal(reply.body, "{}");
    assert_string_equal(reply.error, "");
}

static void
test_503(void **state)
{
    struct ra_tls tls = { NULL, NULL };
    struct ra_http_reply reply;

    (void) state;
    assert_int_equal(get(ANSWER_503, srv.port, &tls, 5000, &reply), 0);
    assert_int_equal(reply.status, 503);
    assert_string_equal(reply.body, "{\"error\":\"starting\"}");
}

static void
test_long_body_truncated(void **state)
{
    struct ra_http_reply reply;

    (void) state;
    assert_int_equal(get(ANSWER_LONG, srv.port, NULL, 5000, &reply), 0);
    assert_int_equal(reply.status, 200);
    assert_int_equal(strlen(reply.body), sizeof reply.body - 1);
    assert_int_equal(reply.body[0], 'x');
}

static void
test_hang_deadline(void **state)
{
    struct ra_http_reply reply;
    uint64_t t0 = ra_now_ns(), ms;

    (void) state;
    assert_int_equal(get(HANG, srv.port, NULL, 600, &reply), -ETIMEDOUT);
    ms = (ra_now_ns() - t0) / RA_NSEC_PER_MSEC;
    assert_true(ms >= 550);
    assert_true(ms <= 600 + 200);
    assert_int_equal(reply.status, 0);
    assert_true(reply.error[0] != '\0');
}

static void
test_deadline_passed(void **state)
{
    struct ra_http_reply reply;
    uint64_t t0 = ra_now_ns();

    (void) state;
    assert_int_equal(ra_net_plugin.https_get("https://127.0.0.1:1/", NULL,
                                             ra_now_ns() - 1, &reply),
                     -ETIMEDOUT);
    assert_true(ra_now_ns() - t0 < 50 * RA_NSEC_PER_MSEC);
}

static void
test_refused(void **state)
{
    struct ra_http_reply reply;

    (void) state;
    assert_int_equal(get(ANSWER_200, srv.closed_port, NULL, 5000, &reply),
                     -ECONNREFUSED);
    assert_int_equal(reply.status, 0);
    assert_true(reply.error[0] != '\0');
}

static void
test_not_https(void **state)
{
    struct ra_http_reply reply;

    (void) state;
    assert_int_equal(ra_net_plugin.https_get("http://127.0.0.1:1/", NULL,
                                             ra_deadline_in_ms(1000), &reply),
                     -EINVAL);
}

static void
test_ca_file_matches(void **state)
{
    struct ra_tls tls = { srv.good.pem_path, NULL };
    struct ra_http_reply reply;

    (void) state;
    /* the certificate says pmm.example.test, the URL 127.0.0.1: accepted */
    assert_int_equal(get(ANSWER_200, srv.port, &tls, 5000, &reply), 0);
    assert_int_equal(reply.status, 200);
}

static void
test_ca_file_wrong(void **state)
{
    struct ra_tls tls = { srv.other.pem_path, NULL };
    struct ra_http_reply reply;

    (void) state;
    assert_int_equal(get(ANSWER_200, srv.port, &tls, 5000, &reply), -EPERM);
    assert_int_equal(reply.status, 0);
    assert_true(reply.error[0] != '\0');
}

static void
test_pin_matches(void **state)
{
    struct ra_tls tls = { NULL, srv.good.pin };
    struct ra_http_reply reply;

    (void) state;
    assert_int_equal(get(ANSWER_200, srv.port, &tls, 5000, &reply), 0);
    assert_int_equal(reply.status, 200);
}

static void
test_pin_and_ca(void **state)
{
    struct ra_tls tls = { srv.good.pem_path, srv.good.pin };
    struct ra_http_reply reply;

    (void) state;
    assert_int_equal(get(ANSWER_200, srv.port, &tls, 5000, &reply), 0);
    assert_int_equal(reply.status, 200);
}

static void
test_pin_mismatch(void **state)
{
    struct ra_tls tls = { NULL, srv.other.pin };
    struct ra_http_reply reply;

    (void) state;
    assert_int_equal(get(ANSWER_200, srv.port, &tls, 5000, &reply), -EPERM);
    assert_int_equal(reply.status, 0);
    assert_string_equal(reply.error, "certificate public key does not match "
                                     "tls_fingerprint");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_200_unverified),
        cmocka_unit_test(test_503),
        cmocka_unit_test(test_long_body_truncated),
        cmocka_unit_test(test_hang_deadline),
        cmocka_unit_test(test_deadline_passed),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_not_https),
        cmocka_unit_test(test_ca_file_matches),
        cmocka_unit_test(test_ca_file_wrong),
        cmocka_unit_test(test_pin_matches),
        cmocka_unit_test(test_pin_and_ca),
        cmocka_unit_test(test_pin_mismatch),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
