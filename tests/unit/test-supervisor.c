/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for lib/supervisor.c: reading [unix_http_server] (with an
 * include overriding the main file, as PMM's supervisord.d does), fault
 * codes, and the calls against a fake supervisord: this program started
 * again as "test-supervisor -c CONF", so that sv_open() finds its
 * configuration on the command line of the process it is given, as it
 * finds a container init's. The fake answers XML-RPC as supervisord does
 * (HTTP/1.0, 401 without the right credentials, faults by name).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "putfile.h"

#include "supervisor.h"

static char dir[] = "/tmp/test-supervisor.XXXXXX";
static char conf[PATH_MAX], sock[100];

/* ---- the fake supervisord ------------------------------------------------ */

static void
answer(int fd, const char *status, const char *body)
{
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.0 %s\r\nContent-Type: text/xml\r\n"
                     "Content-Length: %zu\r\n\r\n",
                     status, strlen(body));

    if (write(fd, head, (size_t) n) < 0 || write(fd, body, strlen(body)) < 0)
        _exit(3);
}

static const char *
fault(int code)
{
    static char buf[512];

    snprintf(buf, sizeof buf,
             "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>"
             "\n<member>\n<name>faultCode</name>\n<value><int>%d</int></value>"
             "\n</member>\n<member>\n<name>faultString</name>\n<value><string>"
             "X</string></value>\n</member>\n</struct></value>\n</fault>\n"
             "</methodResponse>\n",
             code);
    return buf;
}

#define OK_TRUE                                                                \
    "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n"             \
    "<value><boolean>1</boolean></value>\n</param>\n</params>\n"               \
    "</methodResponse>\n"
#define INFO_STOPPED                                                           \
    "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n"             \
    "<value><struct>\n<member>\n<name>name</name>\n<value><string>grafana"     \
    "</string></value>\n</member>\n<member>\n<name>statename</name>\n"         \
    "<value><string>STOPPED</string></value>\n</member>\n</struct></value>\n"  \
    "</param>\n</params>\n</methodResponse>\n"

/* One request: 1 to go on, 0 after shutdown. */
static int
serve_one(int fd)
{
    char req[8192] = "";
    size_t got = 0;
    ssize_t n;
    const char *body;

    while (got < sizeof req - 1
           && (n = read(fd, req + got, sizeof req - 1 - got)) > 0) {
        got += (size_t) n;
        req[got] = '\0';
        body = strstr(req, "\r\n\r\n");
        if (body && strstr(body, "</methodCall>"))
            break;
    }
    /* dummy:dummy */
    if (!strstr(req, "Authorization: Basic ZHVtbXk6ZHVtbXk=\r\n")) {
        answer(fd, "401 Unauthorized", "");
        return 1;
    }
    if (strstr(req, "supervisor.shutdown")) {
        answer(fd, "200 OK", OK_TRUE);
        return 0;
    }
    if (strstr(req, "<string>bad</string>"))
        answer(fd, "200 OK", fault(SV_FAULT_BAD_NAME));
    else if (strstr(req, "startProcess") && strstr(req, "<string>up</string>"))
        answer(fd, "200 OK", fault(SV_FAULT_ALREADY_STARTED));
    else if (strstr(req, "stopProcess") && strstr(req, "<string>down</string>"))
        answer(fd, "200 OK", fault(SV_FAULT_NOT_RUNNING));
    else if (strstr(req, "<string>spawnerr</string>"))
        answer(fd, "200 OK", fault(50));
    else if (strstr(req, "getProcessInfo"))
        answer(fd, "200 OK", INFO_STOPPED);
    else if (strstr(req, "not-xml"))
        answer(fd, "200 OK", "hello");
    else
        answer(fd, "200 OK", OK_TRUE);
    return 1;
}

static int
fake_supervisord(const char *path)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    char *text = malloc(65536), file[256];
    FILE *f = fopen(path, "r");
    size_t n = f && text ? fread(text, 1, 65535, f) : 0;
    int lfd, fd, more = 1;

    if (f)
        fclose(f);
    if (!text)
        return 2;
    text[n] = '\0';
    n = sv_conf_get(text, "file", file, sizeof file) < 0;
    free(text);
    if (n)
        return 2;
    snprintf(a.sun_path, sizeof a.sun_path, "%.100s", file);
    lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (lfd < 0 || bind(lfd, (struct sockaddr *) &a, sizeof a) < 0
        || listen(lfd, 8) < 0)
        return 2;
    alarm(30);
    while (more && (fd = accept(lfd, NULL, NULL)) >= 0) {
        more = serve_one(fd);
        close(fd);
    }
    return 0;
}

/* ---- the parsers -----------------------------------------------------------
 */

static void
test_conf_get(void **state)
{
    char v[64];

    (void) state;
    assert_int_equal(sv_conf_get("[unix_http_server]\nfile = /run/s.sock\n",
                                 "file", v, sizeof v),
                     0);
    assert_string_equal(v, "/run/s.sock");
    /* inline comment, ':' separator, case of the key, other sections */
    assert_int_equal(
        sv_conf_get("[supervisorctl]\nfile=/no\n[unix_http_server]\n"
                    "; file = /commented\nFILE: /a/b.sock   ; the socket\n"
                    "[program:x]\nfile = /no\n",
                    "file", v, sizeof v),
        0);
    assert_string_equal(v, "/a/b.sock");
    /* a ';' without a space before it is part of the value */
    assert_int_equal(sv_conf_get("[unix_http_server]\npassword = a;b\n",
                                 "password", v, sizeof v),
                     0);
    assert_string_equal(v, "a;b");
    assert_int_equal(sv_conf_get("[unix_http_server]\nfile=%(here)s/s.sock\n",
                                 "file", v, sizeof v),
                     -ENOENT);
    assert_int_equal(
        sv_conf_get("[unix_http_server]\nfile =\n", "file", v, sizeof v),
        -ENOENT);
    assert_int_equal(
        sv_conf_get("[inet_http_server]\nport=9001\n", "file", v, sizeof v),
        -ENOENT);
    assert_int_equal(
        sv_conf_get("[unix_http_server]\nfile = /a/very/long\n", "file", v, 4),
        -ENOBUFS);
}

static void
test_parse_fault(void **state)
{
    (void) state;
    assert_int_equal(sv_parse_fault(OK_TRUE), 0);
    assert_int_equal(sv_parse_fault(fault(70)), 70);
    assert_int_equal(sv_parse_fault("<html>oops</html>"), -EPROTO);
    assert_int_equal(sv_parse_fault("<methodResponse><fault></fault>"),
                     -EPROTO);
}

static void
test_name_ok(void **state)
{
    (void) state;
    assert_true(sv_name_ok("pmm-managed"));
    assert_true(sv_name_ok("group:prog_1.x"));
    assert_false(sv_name_ok(""));
    assert_false(sv_name_ok("a</string>"));
    assert_false(sv_name_ok("a b"));
}

/* ---- against the fake -------------------------------------------------- */

static pid_t
start_fake(void)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    pid_t pid;
    struct stat sb;

    assert_true(n > 0);
    self[n] = '\0';
    unlink(sock);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl(self, self, "-c", conf, (char *) NULL);
        _exit(127);
    }
    for (int i = 0; i < 500 && stat(sock, &sb) < 0; i++)
        usleep(10000);
    assert_int_equal(stat(sock, &sb), 0);
    return pid;
}

static void
test_calls(void **state)
{
    ra_deadline_t d = ra_deadline_in_ms(5000);
    char text[1024], path[PATH_MAX], st[32];
    struct sv sv;
    int status;
    pid_t pid;

    (void) state;
    snprintf(text, sizeof text,
             "[unix_http_server]\nfile = %s\nchmod = 0700\n\n"
             "[include]\nfiles = conf.d/*.ini\n",
             sock);
    put_file(conf, text);
    snprintf(path, sizeof path, "%s/conf.d", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    /* sorted: b.ini overrides a.ini, as supervisord reads them */
    snprintf(path, sizeof path, "%s/conf.d/a.ini", dir);
    put_file(path, "[unix_http_server]\nusername = nobody\n"
                   "password = wrong\n");
    snprintf(path, sizeof path, "%s/conf.d/b.ini", dir);
    put_file(path, "[unix_http_server]\nusername = dummy\n"
                   "password = dummy\n[program:x]\nusername = other\n");
    snprintf(path, sizeof path, "%s/conf.d/c.txt", dir);
    put_file(path, "[unix_http_server]\nusername = ignored\n");
    pid = start_fake();

    assert_int_equal(sv_open(&sv, pid), 0);
    assert_int_equal(sv_start(&sv, "grafana", d), 0);
    assert_int_equal(sv_start(&sv, "up", d), 0);  /* already started */
    assert_int_equal(sv_stop(&sv, "down", d), 0); /* not running */
    assert_int_equal(sv_stop(&sv, "bad", d), SV_FAULT_BAD_NAME);
    assert_int_equal(sv_start(&sv, "spawnerr", d), 50);
    assert_int_equal(sv_start(&sv, "a<b", d), -EINVAL);
    assert_int_equal(sv_state(&sv, "grafana", d, st, sizeof st), 0);
    assert_string_equal(st, "STOPPED");
    assert_int_equal(sv_call(&sv, "not-xml", "", d, NULL, 0), -EPROTO);
    assert_int_equal(sv_stop_all(&sv, d), 0);
    /* wrong credentials: 401 */
    snprintf(sv.auth, sizeof sv.auth, "Basic eDp5");
    assert_int_equal(sv_start(&sv, "grafana", d), -EACCES);
    sv_close(&sv);
    assert_int_equal(sv_open(&sv, pid), 0);
    assert_int_equal(sv_shutdown(&sv, d), 0);
    sv_close(&sv);
    sv_close(&sv); /* twice is harmless */
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void
test_no_conf(void **state)
{
    struct sv sv;
    char text[512];
    pid_t pid;
    int status;

    (void) state;
    /* a -c that names a file without [unix_http_server] file: none */
    snprintf(text, sizeof text, "[unix_http_server]\nfile = %s\n", sock);
    put_file(conf, text);
    pid = start_fake();
    put_file(conf, "[supervisord]\nnodaemon = true\n");
    assert_int_equal(sv_open(&sv, pid), -ENOENT);
    assert_int_equal(sv.sock_fd, -1);
    sv_close(&sv);
    kill(pid, SIGTERM);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(sv_open(&sv, 999999999), -ENOENT);
}

static int
cleanup(void **state)
{
    char cmd[PATH_MAX];

    (void) state;
    snprintf(cmd, sizeof cmd, "%s/conf.d/a.ini", dir);
    unlink(cmd);
    snprintf(cmd, sizeof cmd, "%s/conf.d/b.ini", dir);
    unlink(cmd);
    snprintf(cmd, sizeof cmd, "%s/conf.d/c.txt", dir);
    unlink(cmd);
    snprintf(cmd, sizeof cmd, "%s/conf.d", dir);
    rmdir(cmd);
    unlink(conf);
    unlink(sock);
    rmdir(dir);
    return 0;
}

int
main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conf_get), cmocka_unit_test(test_parse_fault),
        cmocka_unit_test(test_name_ok),  cmocka_unit_test(test_calls),
        cmocka_unit_test(test_no_conf),
    };

    if (argc == 3 && !strcmp(argv[1], "-c"))
        return fake_supervisord(argv[2]);
    if (!mkdtemp(dir))
        return 1;
    snprintf(conf, sizeof conf, "%s/supervisord.conf", dir);
    snprintf(sock, sizeof sock, "%s/s.sock", dir);
    return cmocka_run_group_tests(tests, NULL, cleanup);
}
