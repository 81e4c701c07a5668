/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for lib/ocf.c: ra_main's dispatch, exit codes, deadline and
 * the single ocf-exit-reason line, with a small test agent. */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ra.h"
#include "state.h"

static char rsctmp[] = "/tmp/pmmha-ocf-XXXXXX";

static const struct ra_param_def params[] = {
    { "image", RA_PARAM_STRING, true, NULL, NULL, 1, 0 },
    { "mode", RA_PARAM_STRING, false, "a", "a b", 1, 0 },
    { "run_opts", RA_PARAM_STRING, false, NULL, NULL, 1, 0 },
    { NULL, RA_PARAM_STRING, false, NULL, NULL, 1, 0 },
};
static const struct ra_action_timeout timeouts[] = {
    { "start", 60000 },
    { NULL, 0 },
};
static struct ra_ctx seen;

static void
act_ok(struct ra_ctx *ctx, struct ra_result *res)
{
    seen = *ctx;
    ra_result_ok(res);
}

static void
act_fail(struct ra_ctx *ctx, struct ra_result *res)
{
    seen = *ctx;
    ra_result_set(res, RA_OCF_ERR_INSTALLED, "image %s is not here",
                  ra_param_str(&ctx->params, "image"));
}

static void
act_forget(struct ra_ctx *ctx, struct ra_result *res)
{
    (void) ctx;
    (void) res;
}

static int
check_image(const char *v, char *why, size_t len)
{
    if (strchr(v, ':'))
        return 0;
    snprintf(why, len, "needs a tag");
    return -1;
}

static int
check_quotes(const char *v, char *why, size_t len)
{
    if (!strchr(v, '\''))
        return 0;
    snprintf(why, len, "unbalanced quotes");
    return -1;
}

static const struct ra_param_check checks[] = {
    { "image", check_image, 0 },
    { "run_opts", check_quotes, RA_CHECK_SECRET },
    { NULL, NULL, 0 },
};

static const struct ra_action actions[] = {
    { "start", act_ok, RA_NEEDS_PARAMS },
    { "stop", act_fail, 0 },
    { "monitor", act_forget, 0 },
    { "meta-data", NULL, 0 },
    { NULL, NULL, 0 },
};

static const struct ra_agent agent = {
    .name = "test-agent",
    .meta_xml = "<resource-agent name=\"test-agent\"/>\n",
    .params = params,
    .timeouts = timeouts,
    .actions = actions,
    .checks = checks,
};

static char out[4096], err[4096];

/* Runs ra_main(action) with stdout and stderr captured. */
static int
run(const char *action)
{
    char *argv[] = { (char *) "test-agent", (char *) action, NULL };
    FILE *fo = tmpfile(), *fe = tmpfile();
    int so = dup(1), se = dup(2), rc;
    size_t n;

    fflush(stdout);
    fflush(stderr);
    dup2(fileno(fo), 1);
    dup2(fileno(fe), 2);
    rc = ra_main(action ? 2 : 1, argv, &agent);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    rewind(fo);
    rewind(fe);
    n = fread(out, 1, sizeof out - 1, fo);
    out[n] = '\0';
    n = fread(err, 1, sizeof err - 1, fe);
    err[n] = '\0';
    fclose(fo);
    fclose(fe);
    return rc;
}

/* The last line of stderr. */
static const char *
last_line(void)
{
    size_t n = strlen(err);

    while (n > 0 && err[n - 1] == '\n')
        err[--n] = '\0';
    while (n > 0 && err[n - 1] != '\n')
        n--;
    return err + n;
}

static int
setup(void **state)
{
    (void) state;
    unsetenv("OCF_RESKEY_image");
    unsetenv("OCF_RESKEY_mode");
    unsetenv("OCF_RESKEY_run_opts");
    unsetenv("OCF_RESKEY_CRM_meta_timeout");
    unsetenv("OCF_RESKEY_CRM_meta_interval");
    unsetenv("OCF_EXIT_REASON_PREFIX");
    setenv("OCF_RESOURCE_INSTANCE", "pmm", 1);
    setenv("HA_LOGFACILITY", "none", 1);
    setenv("HA_RSCTMP", rsctmp, 1);
    memset(&seen, 0, sizeof seen);
    return 0;
}

static void
test_meta_data(void **state)
{
    (void) state;
    assert_int_equal(run("meta-data"), RA_OCF_SUCCESS);
    assert_string_equal(out, "<resource-agent name=\"test-agent\"/>\n");
    assert_string_equal(err, "");
}

static void
test_unknown_action(void **state)
{
    (void) state;
    assert_int_equal(run("migrate_to"), RA_OCF_ERR_UNIMPLEMENTED);
    assert_string_equal(last_line(), "ocf-exit-reason:action 'migrate_to' "
                                     "is not implemented by test-agent");
    assert_int_equal(run("Start"), RA_OCF_ERR_UNIMPLEMENTED);
    assert_int_equal(run("start "), RA_OCF_ERR_UNIMPLEMENTED);
    assert_int_equal(run(NULL), RA_OCF_ERR_ARGS);
    assert_non_null(
        strstr(err, "usage: test-agent {start|stop|monitor|meta-data}"));
}

static void
test_bad_params(void **state)
{
    (void) state;
    assert_int_equal(run("start"), RA_OCF_ERR_CONFIGURED);
    assert_string_equal(last_line(),
                        "ocf-exit-reason:required parameter image is not set");
    setenv("OCF_RESKEY_image", "pmm", 1);
    assert_int_equal(run("start"), RA_OCF_ERR_CONFIGURED);
    assert_string_equal(last_line(), "ocf-exit-reason:image=pmm: needs a tag");
    setenv("OCF_RESKEY_image", "pmm:2", 1);
    setenv("OCF_RESKEY_mode", "c", 1);
    assert_int_equal(run("start"), RA_OCF_ERR_CONFIGURED);
    assert_string_equal(last_line(),
                        "ocf-exit-reason:mode=c is not one of: a b");
    /* an action without RA_NEEDS_PARAMS still runs */
    assert_int_equal(run("stop"), RA_OCF_ERR_INSTALLED);
    assert_string_equal(last_line(), "ocf-exit-reason:image pmm:2 is not here");
}

/* A long value is quoted only in part: what to fix stays in the 128
 * characters Pacemaker keeps. */
static void
test_long_value(void **state)
{
    char v[201];
    const char *reason;

    (void) state;
    memset(v, 'x', sizeof v - 1);
    v[sizeof v - 1] = '\0';
    setenv("OCF_RESKEY_image", v, 1);
    assert_int_equal(run("start"), RA_OCF_ERR_CONFIGURED);
    reason = last_line() + strlen("ocf-exit-reason:");
    assert_true(strlen(reason) <= RA_REASON_KEPT);
    assert_non_null(strstr(reason, "xxx: needs a tag"));
    setenv("OCF_RESKEY_image", "pmm:2", 1);
    setenv("OCF_RESKEY_mode", v, 1);
    assert_int_equal(run("start"), RA_OCF_ERR_CONFIGURED);
    reason = last_line() + strlen("ocf-exit-reason:");
    assert_true(strlen(reason) <= RA_REASON_KEPT);
    assert_non_null(strstr(reason, "xxx is not one of: a b"));
}

/* A reason is one line whatever it quotes, and run_opts (which may hold
 * "-e NAME=VALUE") is never quoted. */
static void
test_reason_hygiene(void **state)
{
    (void) state;
    setenv("OCF_RESKEY_image", "pmm:2\nocf-exit-reason:all\tgood\r", 1);
    assert_int_equal(run("stop"), RA_OCF_ERR_INSTALLED);
    assert_string_equal(last_line(), "ocf-exit-reason:image pmm:2 "
                                     "ocf-exit-reason:all good  is not here");
    setenv("OCF_RESKEY_image", "pmm:2", 1);
    setenv("OCF_RESKEY_run_opts", "-e PASSWORD='s3cret", 1);
    assert_int_equal(run("start"), RA_OCF_ERR_CONFIGURED);
    assert_string_equal(last_line(),
                        "ocf-exit-reason:run_opts: unbalanced quotes");
    assert_null(strstr(err, "s3cret"));
}

static void
test_context(void **state)
{
    uint64_t t0 = ra_now_ns();

    (void) state;
    setenv("OCF_RESKEY_image", "pmm:2", 1);
    setenv("OCF_RESKEY_CRM_meta_timeout", "5000", 1);
    setenv("OCF_RESKEY_CRM_meta_interval", "10000", 1);
    setenv("OCF_RESKEY_CRM_meta_on_node", "node7", 1);
    assert_int_equal(run("start"), RA_OCF_SUCCESS);
    assert_string_equal(err, "");
    assert_string_equal(seen.instance, "pmm");
    assert_string_equal(seen.node, "node7");
    assert_true(ra_ctx_is_recurring(&seen));
    /* 5 s op timeout keeps a 0.5 s margin */
    assert_in_range((seen.deadline - t0) / RA_NSEC_PER_MSEC, 4400, 4500);
    /* without Pacemaker's timeout: the metadata's (60 s, margin 5 s) */
    unsetenv("OCF_RESKEY_CRM_meta_timeout");
    t0 = ra_now_ns();
    assert_int_equal(run("start"), RA_OCF_SUCCESS);
    assert_in_range((seen.deadline - t0) / RA_NSEC_PER_MSEC, 54900, 55000);
    unsetenv("OCF_RESKEY_CRM_meta_on_node");
}

static void
test_forgotten_result(void **state)
{
    (void) state;
    /* an action that sets nothing fails, it never succeeds by accident */
    assert_int_equal(run("monitor"), RA_OCF_ERR_GENERIC);
    assert_string_equal(last_line(),
                        "ocf-exit-reason:monitor returned no result");
    setenv("OCF_EXIT_REASON_PREFIX", "reason=", 1);
    assert_int_equal(run("monitor"), RA_OCF_ERR_GENERIC);
    assert_string_equal(last_line(), "reason=monitor returned no result");
}

/* Two actions of one instance at once (crm_resource --force-start beside
 * the cluster's own): the second waits for the first until its deadline,
 * then fails naming it; a monitor waits only briefly, then looks anyway;
 * validate-all and meta-data do not wait. */
static void
test_instance_lock(void **state)
{
    int pipefd[2], fd;
    pid_t child, holder;
    uint64_t t0;
    char c;

    (void) state;
    setenv("OCF_RESKEY_image", "pmm:2", 1);
    assert_int_equal(pipe(pipefd), 0);
    child = fork();
    if (child == 0) {
        close(pipefd[0]);
        if (ra_state_lock(rsctmp, "test-agent", "pmm", ra_deadline_in_ms(2000),
                          &fd, &holder)
            < 0)
            _exit(1);
        (void) write(pipefd[1], "L", 1);
        pause();
        _exit(0);
    }
    close(pipefd[1]);
    assert_int_equal(read(pipefd[0], &c, 1), 1);
    close(pipefd[0]);
    setenv("OCF_RESKEY_CRM_meta_timeout", "1500", 1);
    t0 = ra_now_ns();
    assert_int_equal(run("start"), RA_OCF_ERR_GENERIC);
    assert_true(ra_now_ns() - t0 >= 500 * RA_NSEC_PER_MSEC);
    assert_non_null(strstr(last_line(), "still running here (pid "));
    assert_non_null(strstr(last_line(), "start gave up waiting"));
    assert_null(seen.action); /* the action itself never ran */
    t0 = ra_now_ns();
    assert_int_equal(run("monitor"), RA_OCF_ERR_GENERIC);
    assert_string_equal(last_line(),
                        "ocf-exit-reason:monitor returned no result");
    assert_true(ra_now_ns() - t0 < 1400 * RA_NSEC_PER_MSEC);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    assert_int_equal(run("start"), RA_OCF_SUCCESS);
    assert_string_equal(seen.action, "start");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_meta_data, setup),
        cmocka_unit_test_setup(test_unknown_action, setup),
        cmocka_unit_test_setup(test_bad_params, setup),
        cmocka_unit_test_setup(test_long_value, setup),
        cmocka_unit_test_setup(test_reason_hygiene, setup),
        cmocka_unit_test_setup(test_context, setup),
        cmocka_unit_test_setup(test_forgotten_result, setup),
        cmocka_unit_test_setup(test_instance_lock, setup),
    };
    char path[128];
    int rc;

    if (!mkdtemp(rsctmp))
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    snprintf(path, sizeof path, "%s/test-agent-pmm.lock", rsctmp);
    unlink(path);
    rmdir(rsctmp);
    return rc;
}
