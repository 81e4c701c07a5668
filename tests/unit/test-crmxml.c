/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for lib/crmxml.c: crm_mon's and stonith_admin's XML as
 * Pacemaker 2.1 prints it, read without libxml2.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crmxml.h"

static const char crm_mon[]
    = "<?xml version=\"1.0\"?>\n"
      "<pacemaker-result api-version=\"2.25\" request=\"crm_mon -1 "
      "--output-as=xml\">\n"
      "  <summary>\n"
      "    <stack type=\"corosync\"/>\n"
      "    <current_dc present=\"true\" version=\"2.1.5\" name=\"vm2\" "
      "id=\"2\" with_quorum=\"true\"/>\n"
      "    <cluster_options stonith-enabled=\"true\" "
      "symmetric-cluster=\"true\" no-quorum-policy=\"stop\"/>\n"
      "  </summary>\n"
      "  <!-- a <node name=\"comment\"> is not a node -->\n"
      "  <nodes>\n"
      "    <node name=\"vm1\" id=\"1\" online=\"false\" standby=\"false\" "
      "pending=\"false\" unclean=\"false\" type=\"member\"/>\n"
      "    <node name=\"vm2\" id=\"2\" online=\"true\" unclean=\"false\" "
      "type=\"member\"/>\n"
      "    <node name='a&amp;b' id=\"3\" online=\"false\" "
      "unclean=\"true\"/>\n"
      "  </nodes>\n"
      "  <resources>\n"
      "    <resource id=\"vg\" role=\"Started\">\n"
      "      <node name=\"vm9\" id=\"9\" cached=\"true\"/>\n"
      "    </resource>\n"
      "  </resources>\n"
      "  <node_history>\n"
      "    <node name=\"vm8\">\n"
      "    </node>\n"
      "  </node_history>\n"
      "  <status code=\"0\" message=\"OK\"/>\n"
      "</pacemaker-result>\n";

static void
test_status(void **state)
{
    struct crmxml_status *st = malloc(sizeof *st);
    const struct crmxml_node *n;

    (void) state;
    assert_int_equal(crmxml_status_parse(crm_mon, st), 0);
    assert_true(st->stonith_enabled);
    assert_int_equal(st->n_nodes, 3); /* not the resource's, not history */
    n = crmxml_status_node(st, "vm1");
    assert_non_null(n);
    assert_false(n->online);
    assert_false(n->unclean);
    n = crmxml_status_node(st, "vm2");
    assert_non_null(n);
    assert_true(n->online);
    n = crmxml_status_node(st, "a&b");
    assert_non_null(n);
    assert_true(n->unclean);
    assert_null(crmxml_status_node(st, "vm9"));
    assert_null(crmxml_status_node(st, "comment"));
    free(st);
}

static void
test_status_bad(void **state)
{
    struct crmxml_status *st = malloc(sizeof *st);

    (void) state;
    assert_int_equal(crmxml_status_parse("", st), -EBADMSG);
    assert_int_equal(crmxml_status_parse("<pacemaker-result><nodes/>", st),
                     -EBADMSG);
    assert_int_equal(crmxml_status_parse("<x><cluster_options "
                                         "stonith-enabled=\"false\"/><nodes>"
                                         "<node id=\"1\"/></nodes></x>",
                                         st),
                     -EBADMSG); /* a node without a name */
    assert_int_equal(crmxml_status_parse("<x><cluster_options "
                                         "stonith-enabled=\"false\"/>"
                                         "<nodes></nodes></x>",
                                         st),
                     0);
    assert_false(st->stonith_enabled);
    assert_int_equal(crmxml_status_parse("<x><nodes><node name=\"a", st),
                     -EBADMSG); /* truncated */
    free(st);
}

static const char history[]
    = "<pacemaker-result api-version=\"2.25\" request=\"stonith_admin "
      "--history vm1 --output-as=xml\">\n"
      "  <fence_history>\n"
      "    <fence_event action=\"reboot\" target=\"vm1\" client=\"x\" "
      "origin=\"vm2\" status=\"failed\" exit-reason=\"timeout\"/>\n"
      "    <fence_event action=\"on\" target=\"vm1\" status=\"success\"/>\n"
      "    <fence_event action=\"off\" target=\"vm3\" status=\"success\"/>\n"
      "  </fence_history>\n"
      "  <status code=\"0\" message=\"OK\"/>\n"
      "</pacemaker-result>\n";

static void
test_fenced(void **state)
{
    char ok[1024];

    (void) state;
    assert_int_equal(crmxml_fenced(history, "vm1"), 0);
    assert_int_equal(crmxml_fenced(history, "vm3"), 1);
    snprintf(ok, sizeof ok,
             "<pacemaker-result><fence_history><fence_event "
             "action=\"reboot\" target=\"vm1\" status=\"success\" "
             "completed=\"2026-11-22 01:00:00Z\"/></fence_history>"
             "</pacemaker-result>");
    assert_int_equal(crmxml_fenced(ok, "vm1"), 1);
    /* only a fencing after @since counts: 2026-11-22 01:00:00Z = 1795309200 */
    assert_int_equal(crmxml_fenced_since(ok, "vm1", 1795309200), 1);
    assert_int_equal(crmxml_fenced_since(ok, "vm1", 1795309201), 0);
    assert_int_equal(crmxml_fenced_since(history, "vm3", 1), 0); /* no time */
    assert_int_equal(crmxml_fenced("<pacemaker-result><status code=\"0\"/>"
                                   "</pacemaker-result>",
                                   "vm1"),
                     0);
    assert_int_equal(crmxml_fenced("not xml", "vm1"), -EBADMSG);
}

/* The newest successful fencing, as Pacemaker 2.1.5 lists the history. */
static void
test_fence_last(void **state)
{
    static const char xml[]
        = "<pacemaker-result api-version=\"2.25\" request=\"stonith_admin "
          "--history=pmm2 --output-as=xml\">\n"
          "  <list name=\"fencing history\" count=\"3\">\n"
          "    <fence_event action=\"reboot\" target=\"pmm2\" "
          "client=\"pacemaker-controld.81\" origin=\"pmm1\" "
          "status=\"success\" delegate=\"pmm1\" "
          "completed=\"2026-11-22 00:10:00Z\"/>\n"
          "    <fence_event action=\"off\" target=\"pmm2\" "
          "status=\"success\" completed=\"2026-11-22 01:00:00Z\"/>\n"
          "    <fence_event action=\"off\" target=\"pmm2\" "
          "status=\"success\" completed=\"garbage\"/>\n"
          "  </list>\n"
          "  <status code=\"0\" message=\"OK\"/>\n"
          "</pacemaker-result>\n";
    time_t t = 42;

    (void) state;
    assert_int_equal(crmxml_fence_last(xml, "pmm2", &t), 1);
    assert_int_equal(t, 1795309200);
    assert_int_equal(crmxml_fence_last(xml, "pmm1", &t), 0);
    assert_int_equal(t, 0);
    assert_int_equal(crmxml_fence_last(history, "vm3", &t), 1);
    assert_int_equal(t, 0); /* no completion recorded */
    t = 42;
    assert_int_equal(crmxml_fence_last("<x/>", "pmm2", &t), -EBADMSG);
    assert_int_equal(t, 42); /* untouched on failure */
    /* an empty history, as 2.1.5 prints it */
    assert_int_equal(
        crmxml_fence_last("<pacemaker-result><list name=\"fencing history\" "
                          "count=\"0\"/><status code=\"0\" message=\"OK\"/>"
                          "</pacemaker-result>",
                          "pmm2", &t),
        0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_status_bad),
        cmocka_unit_test(test_fenced),
        cmocka_unit_test(test_fence_last),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
