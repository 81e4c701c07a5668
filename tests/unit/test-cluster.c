/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for lib/cluster.c: the notify environment and the clone's
 * meta-attributes (from the environment), attrd_updater -Q's output, the
 * fencing rule's time arithmetic, and how each call runs its tool.
 *
 * Linked with -Wl,--wrap=ra_find_program -Wl,--wrap=posix_spawn: the tools
 * are "found" where the test says (absent, or this very program, which then
 * plays the tool: see fake_tool()), and every spawn is counted, so that the
 * no-cluster path is seen to spawn nothing.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <cmocka.h>

#include "cluster.h"

/* ---- failure injection and the fake tool ------------------------------ */

/* NOLINTBEGIN(bugprone-reserved-identifier) */
int __real_ra_find_program(const char *name, char *buf, size_t len);
int __wrap_ra_find_program(const char *name, char *buf, size_t len);
int __real_posix_spawn(pid_t *pid, const char *path, const void *fa,
                       const void *attr, char *const argv[],
                       char *const envp[]);
int __wrap_posix_spawn(pid_t *pid, const char *path, const void *fa,
                       const void *attr, char *const argv[],
                       char *const envp[]);

enum tools { TOOLS_ABSENT, TOOLS_FAKE };
static enum tools tools = TOOLS_ABSENT;
static char self[PATH_MAX];
static int spawns;

int
__wrap_ra_find_program(const char *name, char *buf, size_t len)
{
    (void) name;
    if (tools == TOOLS_ABSENT)
        return -ENOENT;
    snprintf(buf, len, "%s", self);
    return 0;
}

int
__wrap_posix_spawn(pid_t *pid, const char *path, const void *fa,
                   const void *attr, char *const argv[], char *const envp[])
{
    spawns++;
    return __real_posix_spawn(pid, path, fa, attr, argv, envp);
}
/* NOLINTEND(bugprone-reserved-identifier) */

/* The files the fake tool reads its part from and writes its argv to. */
static void
fake_path(pid_t test, const char *what, char *buf, size_t len)
{
    snprintf(buf, len, "/tmp/pmmha-test-cluster.%d.%s", (int) test, what);
}

/*
 * Plays the tool: records its arguments and OCF_RESOURCE_INSTANCE (one a
 * line) in .argv, then prints .out on stdout, .err on stderr and exits
 * with the number in .rc, as the test set them up.
 */
static int
fake_tool(int argc, char **argv)
{
    char path[128], buf[4096];
    const char *inst = getenv("OCF_RESOURCE_INSTANCE");
    FILE *f;
    int rc = 0;
    size_t n;

    fake_path(getppid(), "argv", path, sizeof path);
    f = fopen(path, "w");
    for (int i = 1; f && i < argc; i++)
        fprintf(f, "%s\n", argv[i]);
    if (f) {
        fprintf(f, "instance=%s\n", inst ? inst : "");
        fclose(f);
    }
    fake_path(getppid(), "out", path, sizeof path);
    f = fopen(path, "r");
    n = f ? fread(buf, 1, sizeof buf, f) : 0;
    fwrite(buf, 1, n, stdout);
    if (f)
        fclose(f);
    fake_path(getppid(), "err", path, sizeof path);
    f = fopen(path, "r");
    n = f ? fread(buf, 1, sizeof buf, f) : 0;
    fwrite(buf, 1, n, stderr);
    if (f)
        fclose(f);
    fake_path(getppid(), "rc", path, sizeof path);
    f = fopen(path, "r");
    if (f) {
        if (fscanf(f, "%d", &rc) != 1)
            rc = 99;
        fclose(f);
    }
    return rc;
}

static void
put_file(const char *what, const char *text)
{
    char path[128];
    FILE *f;

    fake_path(getpid(), what, path, sizeof path);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* The next run of the fake tool exits @rc printing @out and @err. */
static void
fake(int rc, const char *out, const char *err)
{
    char s[16];

    snprintf(s, sizeof s, "%d\n", rc);
    put_file("rc", s);
    put_file("out", out);
    put_file("err", err);
    tools = TOOLS_FAKE;
}

/* The last fake tool's arguments, one a line, into @buf. */
static const char *
fake_argv(char *buf, size_t len)
{
    char path[128];
    FILE *f;
    size_t n;

    fake_path(getpid(), "argv", path, sizeof path);
    f = fopen(path, "r");
    assert_non_null(f);
    n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int
teardown_fake(void **state)
{
    static const char *const what[] = { "rc", "out", "err", "argv" };
    char path[128];

    (void) state;
    for (size_t i = 0; i < sizeof what / sizeof what[0]; i++) {
        fake_path(getpid(), what[i], path, sizeof path);
        unlink(path);
    }
    tools = TOOLS_ABSENT;
    return 0;
}

static struct ra_ctx
ctx_in_cluster(bool in)
{
    struct ra_ctx ctx = {
        .instance = "pmm", .node = "node1", .in_cluster = in, .lock_fd = -1
    };

    ctx.deadline = ra_deadline_in_ms(10000);
    return ctx;
}

/* ---- the notify environment ------------------------------------------- */

#define META "OCF_RESKEY_CRM_meta_"

static const char *const notify_vars[] = { "notify_type",
                                           "notify_operation",
                                           "notify_active_uname",
                                           "notify_inactive_uname",
                                           "notify_start_uname",
                                           "notify_stop_uname",
                                           "notify_promote_uname",
                                           "notify_demote_uname",
                                           "notify_promoted_uname",
                                           "notify_unpromoted_uname",
                                           "notify_master_uname",
                                           "notify_slave_uname",
                                           "clone_max",
                                           "clone_node_max",
                                           "promoted_max",
                                           "promoted_node_max",
                                           "master_max",
                                           "master_node_max",
                                           "promotable",
                                           "notify" };

static void
meta_set(const char *name, const char *value)
{
    char var[128];

    snprintf(var, sizeof var, META "%s", name);
    assert_int_equal(setenv(var, value, 1), 0);
}

static int
clear_env(void **state)
{
    char var[128];

    (void) state;
    for (size_t i = 0; i < sizeof notify_vars / sizeof notify_vars[0]; i++) {
        snprintf(var, sizeof var, META "%s", notify_vars[i]);
        unsetenv(var);
    }
    return 0;
}

static void
test_notify_none(void **state)
{
    struct cl_notify n;

    (void) state;
    cl_notify_read(&n); /* ocf-tester's notify: nothing set */
    assert_int_equal(n.type, CL_NOTIFY_NONE);
    assert_int_equal(n.op, CL_OP_NONE);
    assert_int_equal(n.active.n, 0);
    meta_set("notify_type", "sideways");
    meta_set("notify_start_uname", "node1");
    cl_notify_read(&n);
    assert_int_equal(n.type, CL_NOTIFY_NONE);
    assert_int_equal(n.start.n, 0);
}

static void
test_notify_switchover(void **state)
{
    struct cl_notify n;

    (void) state;
    meta_set("notify_type", "pre");
    meta_set("notify_operation", "promote");
    meta_set("notify_active_uname", "node1 node2 node3 ");
    meta_set("notify_inactive_uname", "");
    meta_set("notify_demote_uname", "node1");
    meta_set("notify_promote_uname", " node2");
    meta_set("notify_promoted_uname", "node1");
    meta_set("notify_unpromoted_uname", "node2\tnode3");
    cl_notify_read(&n);
    assert_int_equal(n.type, CL_NOTIFY_PRE);
    assert_int_equal(n.op, CL_OP_PROMOTE);
    assert_int_equal(n.active.n, 3);
    assert_string_equal(n.active.name[2], "node3");
    assert_int_equal(n.inactive.n, 0);
    assert_int_equal(n.unpromoted.n, 2);
    assert_true(cl_nodes_has(&n.promoted, "node1"));
    assert_false(cl_nodes_has(&n.promoted, "node2"));
    assert_true(cl_notify_is_switchover(&n));
    assert_false(cl_notify_is_recovery(&n));

    /* two promoted at once is no switchover */
    meta_set("notify_promote_uname", "node2 node3");
    meta_set("notify_type", "post");
    cl_notify_read(&n);
    assert_int_equal(n.type, CL_NOTIFY_POST);
    assert_false(cl_notify_is_switchover(&n));
}

static void
test_notify_recovery(void **state)
{
    struct cl_notify n;

    (void) state;
    /* the promoted instance failed on node1 and is recovered there */
    meta_set("notify_type", "pre");
    meta_set("notify_operation", "promote");
    meta_set("notify_stop_uname", "node1");
    meta_set("notify_start_uname", "node1");
    meta_set("notify_demote_uname", "node1");
    meta_set("notify_promote_uname", "node1");
    meta_set("notify_promoted_uname", "node1");
    cl_notify_read(&n);
    assert_int_equal(n.op, CL_OP_PROMOTE);
    assert_true(cl_notify_is_recovery(&n));
    assert_false(cl_notify_is_switchover(&n));

    /* a first promotion (nobody promoted, nobody demoted) is an election */
    meta_set("notify_demote_uname", "");
    meta_set("notify_promoted_uname", "");
    cl_notify_read(&n);
    assert_false(cl_notify_is_recovery(&n));
    meta_set("notify_operation", "demote");
    cl_notify_read(&n);
    assert_int_equal(n.op, CL_OP_DEMOTE);
    meta_set("notify_operation", "start");
    cl_notify_read(&n);
    assert_int_equal(n.op, CL_OP_START);
    meta_set("notify_operation", "stop");
    cl_notify_read(&n);
    assert_int_equal(n.op, CL_OP_STOP);
    meta_set("notify_operation", "migrate");
    cl_notify_read(&n);
    assert_int_equal(n.op, CL_OP_NONE);
}

static void
test_notify_deprecated(void **state)
{
    struct cl_notify n;

    (void) state;
    meta_set("notify_type", "post");
    meta_set("notify_operation", "demote");
    meta_set("notify_master_uname", "node1");
    meta_set("notify_slave_uname", "node2 node3");
    cl_notify_read(&n);
    assert_int_equal(n.promoted.n, 1);
    assert_string_equal(n.promoted.name[0], "node1");
    assert_int_equal(n.unpromoted.n, 2);
    /* the new name wins, even empty */
    meta_set("notify_promoted_uname", "node3");
    meta_set("notify_unpromoted_uname", "");
    cl_notify_read(&n);
    assert_int_equal(n.promoted.n, 1);
    assert_string_equal(n.promoted.name[0], "node3");
    assert_int_equal(n.unpromoted.n, 0);
}

static void
test_notify_bad_names(void **state)
{
    struct cl_notify n;

    (void) state;
    meta_set("notify_type", "pre");
    meta_set("notify_operation", "start");
    meta_set("notify_start_uname",
             "node1 -rf node1 a;b node2 \"x\" node_3 .dot node1 $(id)");
    cl_notify_read(&n);
    assert_int_equal(n.start.n, 4); /* node1 node2 node_3 .dot */
    assert_string_equal(n.start.name[0], "node1");
    assert_string_equal(n.start.name[1], "node2");
    assert_string_equal(n.start.name[2], "node_3");
    assert_string_equal(n.start.name[3], ".dot");
    assert_false(cl_nodes_has(&n.start, "-rf"));
    meta_set("notify_start_uname", "   \t ");
    cl_notify_read(&n);
    assert_int_equal(n.start.n, 0);
}

static void
test_notify_oversized(void **state)
{
    enum { BIG = 200000 };
    char *s = malloc(BIG + 1);
    size_t o = 0;
    struct cl_notify *n = malloc(sizeof *n);

    (void) state;
    assert_non_null(s);
    assert_non_null(n);
    /* a name longer than any node's is skipped, the rest is read */
    memset(s, 'a', CRMXML_NAME_MAX + 10);
    o = CRMXML_NAME_MAX + 10;
    for (int i = 0; i < 40; i++)
        o += (size_t) snprintf(s + o, BIG - o, " n%d n%d", i, i);
    s[o] = '\0';
    meta_set("notify_type", "pre");
    meta_set("notify_active_uname", s);
    cl_notify_read(n);
    assert_int_equal(n->active.n, CL_NOTIFY_NODES);
    assert_string_equal(n->active.name[0], "n0");
    assert_string_equal(n->active.name[CL_NOTIFY_NODES - 1], "n31");
    /* one huge word, then a huge list of one name */
    memset(s, 'b', BIG);
    s[BIG] = '\0';
    meta_set("notify_active_uname", s);
    cl_notify_read(n);
    assert_int_equal(n->active.n, 0);
    for (o = 0; o + 3 < BIG; o += 3)
        memcpy(s + o, "nd ", 3);
    s[o] = '\0';
    meta_set("notify_active_uname", s);
    cl_notify_read(n);
    assert_int_equal(n->active.n, 1);
    free(s);
    free(n);
}

static void
test_clone_meta(void **state)
{
    struct cl_clone_meta m;

    (void) state;
    cl_clone_meta_read(&m);
    assert_false(m.is_clone);
    assert_false(m.promotable);
    assert_false(m.notify);
    assert_int_equal(m.clone_max, 0);

    meta_set("clone_max", "3");
    meta_set("clone_node_max", "1");
    meta_set("promotable", "true");
    meta_set("promoted_max", "1");
    meta_set("promoted_node_max", "1");
    meta_set("notify", "true");
    cl_clone_meta_read(&m);
    assert_true(m.is_clone);
    assert_true(m.promotable);
    assert_true(m.notify);
    assert_int_equal(m.clone_max, 3);
    assert_int_equal(m.clone_node_max, 1);
    assert_int_equal(m.promoted_max, 1);
    assert_int_equal(m.promoted_node_max, 1);

    meta_set("promotable", "false");
    meta_set("notify", "no");
    meta_set("clone_node_max", "x2"); /* invalid: the default */
    meta_set("promoted_max", "-1");   /* invalid: the default */
    meta_set("promoted_node_max", "99999999999");
    cl_clone_meta_read(&m);
    assert_false(m.promotable);
    assert_false(m.notify);
    assert_int_equal(m.clone_node_max, 1);
    assert_int_equal(m.promoted_max, 1);
    assert_int_equal(m.promoted_node_max, 1);
}

static void
test_clone_meta_deprecated(void **state)
{
    struct cl_clone_meta m;

    (void) state;
    meta_set("clone_max", "2");
    meta_set("master_max", "2");
    meta_set("master_node_max", "1");
    cl_clone_meta_read(&m);
    assert_true(m.promotable); /* master_max implies a promotable clone */
    assert_int_equal(m.promoted_max, 2);
    assert_int_equal(m.promoted_node_max, 1);
    meta_set("promoted_max", "1"); /* the new name wins */
    cl_clone_meta_read(&m);
    assert_int_equal(m.promoted_max, 1);
}

/* ---- attrd_updater -Q output ------------------------------------------ */

static void
test_attr_parse(void **state)
{
    struct cl_attr_value v[4];

    (void) state;
    /* as attrd_updater -Q -A prints it (Pacemaker 2.1.5) */
    assert_int_equal(cl_attr_parse("name=\"pmmha-image-pmm\" host=\"pmm1\" "
                                   "value=\"sha256:abc\"\n"
                                   "name=\"pmmha-image-pmm\" host=\"pmm2\" "
                                   "value=\"absent\"\n",
                                   v, 4),
                     2);
    assert_string_equal(v[0].node, "pmm1");
    assert_string_equal(v[0].value, "sha256:abc");
    assert_string_equal(v[1].node, "pmm2");
    assert_string_equal(v[1].value, "absent");
    /* a value holding quotes runs to the line's last one; a deleted one
     * (attrd keeps it empty) is skipped; so is a host that is no node
     * name, a line that is not an attribute, and the max is kept */
    assert_int_equal(cl_attr_parse("warning: something\n"
                                   "name=\"a\" host=\"n1\" value=\"x\"y\"\n"
                                   "name=\"a\" host=\"n2\" value=\"\"\n"
                                   "name=\"a\" host=\"-n3\" value=\"v\"\n"
                                   "name=\"a\" host=\"n4\" value=\"v\n"
                                   "name=\"a\" host=\"n5\"\n"
                                   "name=\"a\" host=\"n6\" value=\"6\"",
                                   v, 4),
                     2);
    assert_string_equal(v[0].value, "x\"y");
    assert_string_equal(v[1].node, "n6");
    assert_string_equal(v[1].value, "6");
    assert_int_equal(cl_attr_parse("name=\"a\" host=\"n1\" value=\"1\"\n"
                                   "name=\"a\" host=\"n2\" value=\"2\"\n",
                                   v, 1),
                     1);
    assert_int_equal(cl_attr_parse("", v, 4), 0);
    assert_int_equal(cl_attr_parse(NULL, v, 4), 0);
    assert_int_equal(cl_attr_parse("\n\n\"\n host=\" value=\"", v, 4), 0);
}

static void
test_attr_parse_long(void **state)
{
    char line[CL_VALUE_MAX * 2 + 64];
    struct cl_attr_value v[1];
    int n;

    (void) state;
    /* a value longer than CL_VALUE_MAX is not truncated into another */
    n = snprintf(line, sizeof line, "name=\"a\" host=\"n1\" value=\"");
    memset(line + n, 'v', CL_VALUE_MAX);
    snprintf(line + n + CL_VALUE_MAX, sizeof line - (size_t) n - CL_VALUE_MAX,
             "\"\n");
    assert_int_equal(cl_attr_parse(line, v, 1), 0);
}

/* ---- the fencing rule -------------------------------------------------- */

static void
test_fence_decide(void **state)
{
    const time_t t = 1795309200; /* the holder's last renewal */
    struct cl_fence_facts f = { .member = 0, .fenced = true };
    char why[128];

    (void) state;
    /* what holder_fenced() took before: fenced >= renewed + skew (2 s) */
    f.completed = t + 2;
    assert_int_equal(cl_fence_decide(&f, t, why, sizeof why), 1);
    assert_non_null(strstr(why, "fenced at 2026-11-22 01:00:02Z"));
    /* ... and fenced >= renewed - skew - 1 while not a member */
    f.completed = t - 3;
    assert_int_equal(cl_fence_decide(&f, t, why, sizeof why), 1);
    /* the rule: at or after T - CL_FENCE_SKEW_S, and no earlier */
    f.completed = t - CL_FENCE_SKEW_S;
    assert_int_equal(cl_fence_decide(&f, t, why, sizeof why), 1);
    f.completed = t - CL_FENCE_SKEW_S - 1;
    assert_int_equal(cl_fence_decide(&f, t, why, sizeof why), 0);
    assert_non_null(strstr(why, "no fencing in the history since "
                                "2026-11-22 00:59:57Z"));
    /* a member now: the fence no longer speaks for it */
    f.completed = t + 60;
    f.member = 1;
    assert_int_equal(cl_fence_decide(&f, t, why, sizeof why), 0);
    assert_string_equal(why, "a member now");
    assert_int_equal(cl_fence_decide(&f, 0, why, sizeof why), 0);
    /* never fenced */
    f.member = 0;
    f.fenced = false;
    assert_int_equal(cl_fence_decide(&f, 0, why, sizeof why), 0);
    assert_string_equal(why, "no fencing in the history");
    /* a fencing with no time counts for "at any time" only */
    f.fenced = true;
    f.completed = 0;
    assert_int_equal(cl_fence_decide(&f, 0, why, sizeof why), 1);
    assert_int_equal(cl_fence_decide(&f, t, why, sizeof why), 0);
    assert_int_equal(cl_fence_decide(&f, 2, why, sizeof why), 0);
}

/* The rule fed with what crmxml reads from stonith_admin's history. */
static void
test_fence_decide_history(void **state)
{
    static const char xml[]
        = "<pacemaker-result api-version=\"2.25\" request=\"stonith_admin "
          "--history=pmm2 --output-as=xml\">\n"
          "  <list name=\"fencing history\" count=\"3\">\n"
          "    <fence_event action=\"reboot\" target=\"pmm2\" "
          "status=\"success\" completed=\"2026-11-22 01:00:00Z\"/>\n"
          "    <fence_event action=\"reboot\" target=\"pmm2\" "
          "status=\"success\" completed=\"2026-11-22 00:10:00Z\"/>\n"
          "    <fence_event action=\"reboot\" target=\"pmm2\" "
          "status=\"failed\" completed=\"2026-11-22 02:00:00Z\"/>\n"
          "  </list>\n"
          "  <status code=\"0\" message=\"OK\"/>\n"
          "</pacemaker-result>\n";
    struct cl_fence_facts f = { .member = 0 };
    char why[128];

    (void) state;
    assert_int_equal(crmxml_fence_last(xml, "pmm2", &f.completed), 1);
    f.fenced = true;
    assert_int_equal(f.completed, 1795309200); /* the newest success */
    assert_int_equal(cl_fence_decide(&f, 1795309203, why, sizeof why), 1);
    assert_int_equal(cl_fence_decide(&f, 1795309204, why, sizeof why), 0);
    assert_int_equal(crmxml_fence_last(xml, "pmm1", &f.completed), 0);
}

/* ---- running the tools ------------------------------------------------- */

/* Outside a cluster every call is -ENOTCONN at once, spawning nothing. */
static void
test_no_cluster(void **state)
{
    struct ra_ctx ctx = ctx_in_cluster(false);
    struct cl_attr_value v[2];
    struct crmxml_status *st = malloc(sizeof *st);
    struct cl_job *job = (struct cl_job *) &ctx;
    char buf[64];
    int score;

    (void) state;
    assert_non_null(st);
    tools = TOOLS_FAKE; /* the tools would be there */
    spawns = 0;
    assert_int_equal(cl_attr_set(&ctx, "a", "1", 0), -ENOTCONN);
    assert_int_equal(cl_attr_delete(&ctx, "a", CL_ATTR_PRIVATE), -ENOTCONN);
    assert_int_equal(cl_attr_get(&ctx, "a", NULL, 0, buf, sizeof buf),
                     -ENOTCONN);
    assert_int_equal(cl_attr_all(&ctx, "a", 0, v, 2), -ENOTCONN);
    assert_int_equal(cl_attr_set_begin(&ctx, "a", "1", 0, &job), -ENOTCONN);
    assert_null(job);
    job = (struct cl_job *) &ctx;
    assert_int_equal(cl_attr_all_begin(&ctx, "a", 0, &job), -ENOTCONN);
    assert_null(job);
    assert_int_equal(cl_job_finish(NULL, v, 2), -ENOTCONN);
    assert_int_equal(cl_promotion_set(&ctx, NULL, 5), -ENOTCONN);
    assert_int_equal(cl_promotion_get(&ctx, "node2", &score), -ENOTCONN);
    assert_int_equal(cl_promotion_delete(&ctx, NULL), -ENOTCONN);
    assert_int_equal(cl_status(&ctx, st), -ENOTCONN);
    assert_int_equal(cl_is_member(&ctx, "node2"), -ENOTCONN);
    assert_int_equal(cl_fenced_since(&ctx, "node2", 0, buf, sizeof buf),
                     -ENOTCONN);
    assert_int_equal(cl_stonith_enabled(&ctx), -ENOTCONN);
    assert_int_equal(spawns, 0);
    free(st);
}

/* In a cluster whose tools are not installed: the same. */
static void
test_tools_absent(void **state)
{
    struct ra_ctx ctx = ctx_in_cluster(true);
    char buf[64];

    (void) state;
    tools = TOOLS_ABSENT;
    spawns = 0;
    assert_int_equal(cl_attr_set(&ctx, "a", "1", 0), -ENOTCONN);
    assert_int_equal(cl_is_member(&ctx, "node2"), -ENOTCONN);
    assert_int_equal(cl_fenced_since(&ctx, "node2", 0, buf, sizeof buf),
                     -ENOTCONN);
    assert_int_equal(cl_stonith_enabled(&ctx), -ENOTCONN);
    assert_int_equal(spawns, 0);
}

/* A node name from disk or a peer is never an argument to a tool. */
static void
test_bad_node_names(void **state)
{
    struct ra_ctx ctx = ctx_in_cluster(true);
    char buf[64];

    (void) state;
    fake(0, "", "");
    spawns = 0;
    assert_int_equal(cl_fenced_since(&ctx, "--help", 0, buf, sizeof buf), 0);
    assert_string_equal(buf, "not a node name");
    assert_int_equal(cl_fenced_since(&ctx, "", 0, buf, sizeof buf), 0);
    assert_int_equal(cl_is_member(&ctx, "a b"), 0);
    assert_int_equal(cl_attr_get(&ctx, "a", "x;y", 0, buf, sizeof buf),
                     -EINVAL);
    assert_int_equal(cl_promotion_set(&ctx, "-N", 1), -EINVAL);
    assert_int_equal(cl_attr_set(&ctx, "-n", "1", 0), -EINVAL);
    assert_int_equal(cl_attr_set(&ctx, "a", "two\nlines", 0), -EINVAL);
    assert_int_equal(spawns, 0);
    assert_true(cl_node_name_ok("pmm-1.example_2"));
    assert_false(cl_node_name_ok("-x"));
    assert_false(cl_node_name_ok(NULL));
    assert_false(cl_node_name_ok("a/b"));
}

static void
test_attr_calls(void **state)
{
    struct ra_ctx ctx = ctx_in_cluster(true);
    struct cl_attr_value v[4];
    char buf[64], args[1024];

    (void) state;
    fake(0, "", "");
    assert_int_equal(cl_attr_set(&ctx, "pmmha-x", "-v 1", CL_ATTR_PRIVATE), 0);
    assert_string_equal(fake_argv(args, sizeof args),
                        "--name=pmmha-x\n--node=node1\n--private\n"
                        "--update=-v 1\ninstance=\n");
    assert_int_equal(cl_attr_delete(&ctx, "pmmha-x", 0), 0);
    assert_string_equal(fake_argv(args, sizeof args),
                        "--name=pmmha-x\n--node=node1\n--delete\ninstance=\n");

    fake(0, "name=\"pmmha-x\" host=\"node2\" value=\"abc\"\n", "");
    assert_int_equal(cl_attr_get(&ctx, "pmmha-x", "node2", 0, buf, sizeof buf),
                     0);
    assert_string_equal(buf, "abc");
    assert_string_equal(fake_argv(args, sizeof args),
                        "--name=pmmha-x\n--node=node2\n--query\ninstance=\n");
    assert_int_equal(cl_attr_get(&ctx, "pmmha-x", "node2", 0, buf, 3),
                     -ENOBUFS);
    assert_int_equal(cl_attr_get(&ctx, "pmmha-x", NULL, 0, buf, sizeof buf),
                     -EIO); /* another node's value */
    fake(0, "name=\"pmmha-x\" host=\"node1\" value=\"\"\n", "");
    assert_int_equal(cl_attr_get(&ctx, "pmmha-x", NULL, 0, buf, sizeof buf),
                     -ENOENT); /* deleted */
    fake(78, "",
         "attrd_updater: Could not query value of pmmha-x: attribute does "
         "not exist\n");
    assert_int_equal(cl_attr_get(&ctx, "pmmha-x", NULL, 0, buf, sizeof buf),
                     -ENOENT);
    assert_int_equal(cl_attr_all(&ctx, "pmmha-x", 0, v, 4), 0);
    assert_int_equal(cl_attr_delete(&ctx, "pmmha-x", 0), 0);
    fake(102, "",
         "attrd_updater: Could not connect to attrd: Connection "
         "refused\n");
    assert_int_equal(cl_attr_set(&ctx, "pmmha-x", "1", 0), -ENOTCONN);
    assert_int_equal(cl_attr_all(&ctx, "pmmha-x", 0, v, 4), -ENOTCONN);
    fake(1, "", "attrd_updater: something else\n");
    assert_int_equal(cl_attr_set(&ctx, "pmmha-x", "1", 0), -EIO);
}

static void
test_attr_jobs(void **state)
{
    struct ra_ctx ctx = ctx_in_cluster(true);
    struct cl_attr_value v[4];
    struct cl_job *set, *all;
    char args[1024];

    (void) state;
    fake(0,
         "name=\"img\" host=\"node1\" value=\"a\"\n"
         "name=\"img\" host=\"node2\" value=\"b\"\n",
         "");
    assert_int_equal(cl_attr_all_begin(&ctx, "img", 0, &all), 0);
    assert_int_equal(cl_job_finish(all, v, 4), 2);
    assert_string_equal(v[1].node, "node2");
    assert_string_equal(fake_argv(args, sizeof args),
                        "--name=img\n--query\n--all\ninstance=\n");
    assert_int_equal(cl_attr_set_begin(&ctx, "img", "a", 0, &set), 0);
    assert_int_equal(cl_job_finish(set, NULL, 0), 0);
    /* both at once, finished in either order */
    assert_int_equal(cl_attr_set_begin(&ctx, "img", "a", 0, &set), 0);
    assert_int_equal(cl_attr_all_begin(&ctx, "img", 0, &all), 0);
    assert_int_equal(cl_job_finish(all, v, 1), 1);
    assert_int_equal(cl_job_finish(set, NULL, 0), 0);
    /* a query whose output is not read still reaps its tool */
    assert_int_equal(cl_attr_all_begin(&ctx, "img", 0, &all), 0);
    assert_int_equal(cl_job_finish(all, NULL, 0), 0);
    fake(102, "", "Could not connect to attrd\n");
    assert_int_equal(cl_attr_set_begin(&ctx, "img", "a", 0, &set), 0);
    assert_int_equal(cl_job_finish(set, NULL, 0), -ENOTCONN);
}

static void
test_promotion_calls(void **state)
{
    struct ra_ctx ctx = ctx_in_cluster(true);
    char args[1024];
    int score = 0;

    (void) state;
    fake(0, "", "");
    assert_int_equal(cl_promotion_set(&ctx, NULL, 10), 0);
    assert_string_equal(fake_argv(args, sizeof args),
                        "--promotion\n--lifetime=reboot\n--update=10\n"
                        "instance=pmm\n");
    assert_int_equal(cl_promotion_delete(&ctx, "node2"), 0);
    assert_string_equal(fake_argv(args, sizeof args),
                        "--promotion\n--lifetime=reboot\n--node=node2\n"
                        "--delete\ninstance=pmm\n");
    fake(0, "INFINITY\n", "");
    assert_int_equal(cl_promotion_get(&ctx, "node2", &score), 0);
    assert_int_equal(score, 1000000);
    fake(0, "-INFINITY\n", "");
    assert_int_equal(cl_promotion_get(&ctx, NULL, &score), 0);
    assert_int_equal(score, -1000000);
    fake(0, "  -5 \n", "");
    assert_int_equal(cl_promotion_get(&ctx, NULL, &score), 0);
    assert_int_equal(score, -5);
    fake(0, "many\n", "");
    assert_int_equal(cl_promotion_get(&ctx, NULL, &score), -EBADMSG);
    fake(105, "",
         "crm_attribute: Error performing operation: No such "
         "device or address\n");
    assert_int_equal(cl_promotion_get(&ctx, NULL, &score), -ENOENT);
    assert_int_equal(cl_promotion_delete(&ctx, NULL), 0);
    assert_int_equal(cl_promotion_set(&ctx, NULL, 1), -EIO);
}

static void
test_cluster_calls(void **state)
{
    struct ra_ctx ctx = ctx_in_cluster(true);
    struct crmxml_status *st = malloc(sizeof *st);
    char why[128], args[1024];

    (void) state;
    assert_non_null(st);
    fake(0, "true\n", "");
    assert_int_equal(cl_stonith_enabled(&ctx), 1);
    assert_string_equal(fake_argv(args, sizeof args),
                        "--type=crm_config\n--name=stonith-enabled\n--query\n"
                        "--quiet\ninstance=\n");
    fake(0, "false\n", "");
    assert_int_equal(cl_stonith_enabled(&ctx), 0);
    fake(105, "", "No such device or address\n");
    assert_int_equal(cl_stonith_enabled(&ctx), 1); /* unset: the default */
    fake(0, "pmm1 pmm2 \n", "");
    assert_int_equal(cl_is_member(&ctx, "pmm2"), 1);
    assert_int_equal(cl_is_member(&ctx, "pmm"), 0);
    /* a member: not fenced, whatever the history says */
    assert_int_equal(cl_fenced_since(&ctx, "pmm2", 0, why, sizeof why), 0);
    assert_string_equal(why, "a member now");
    /* out of the partition (crm_node prints no pmm2), fenced twice: the
     * history asked with --verbose (else one success, not the newest) */
    fake(0,
         "<pacemaker-result><list name=\"fencing history\" count=\"2\">"
         "<fence_event action=\"reboot\" target=\"pmm2\" "
         "status=\"success\" completed=\"2026-11-22 01:00:00Z\"/>"
         "<fence_event action=\"reboot\" target=\"pmm2\" "
         "status=\"success\" completed=\"2026-11-22 00:10:00Z\"/>"
         "</list><status code=\"0\"/></pacemaker-result>\n",
         "");
    assert_int_equal(cl_fenced_since(&ctx, "pmm2", 1795309200, why, sizeof why),
                     1);
    assert_non_null(strstr(fake_argv(args, sizeof args),
                           "--history=pmm2\n--verbose\n--output-as=xml\n"));
    fake(102, "",
         "error: Could not connect to controller: Connection "
         "refused\n");
    assert_int_equal(cl_is_member(&ctx, "pmm2"), -ENOTCONN);
    assert_int_equal(cl_fenced_since(&ctx, "pmm2", 0, why, sizeof why),
                     -ENOTCONN);
    fake(0,
         "<pacemaker-result><summary><cluster_options "
         "stonith-enabled=\"true\"/></summary><nodes><node name=\"pmm1\" "
         "online=\"true\"/></nodes></pacemaker-result>",
         "");
    assert_int_equal(cl_status(&ctx, st), 0);
    assert_int_equal(st->n_nodes, 1);
    fake(0, "<pacemaker-result/>", "");
    assert_int_equal(cl_status(&ctx, st), -EBADMSG);
    free(st);
}

int
main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_notify_none, clear_env),
        cmocka_unit_test_teardown(test_notify_switchover, clear_env),
        cmocka_unit_test_teardown(test_notify_recovery, clear_env),
        cmocka_unit_test_teardown(test_notify_deprecated, clear_env),
        cmocka_unit_test_teardown(test_notify_bad_names, clear_env),
        cmocka_unit_test_teardown(test_notify_oversized, clear_env),
        cmocka_unit_test_teardown(test_clone_meta, clear_env),
        cmocka_unit_test_teardown(test_clone_meta_deprecated, clear_env),
        cmocka_unit_test(test_attr_parse),
        cmocka_unit_test(test_attr_parse_long),
        cmocka_unit_test(test_fence_decide),
        cmocka_unit_test(test_fence_decide_history),
        cmocka_unit_test_teardown(test_no_cluster, teardown_fake),
        cmocka_unit_test_teardown(test_tools_absent, teardown_fake),
        cmocka_unit_test_teardown(test_bad_node_names, teardown_fake),
        cmocka_unit_test_teardown(test_attr_calls, teardown_fake),
        cmocka_unit_test_teardown(test_attr_jobs, teardown_fake),
        cmocka_unit_test_teardown(test_promotion_calls, teardown_fake),
        cmocka_unit_test_teardown(test_cluster_calls, teardown_fake),
    };
    ssize_t n;

    /* run by cluster.c as one of Pacemaker's tools: play it */
    if (argc > 1)
        return fake_tool(argc, argv);
    n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return 1;
    self[n] = '\0';
    return cmocka_run_group_tests(tests, NULL, NULL);
}
