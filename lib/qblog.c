/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qblog.c - the logging plugin: libqb to stderr and syslog, as
 * "agent(instance)[pid]: level: message".
 */
#include "config.h"

#include <qb/qblog.h>
#include <syslog.h>

#include "plugins.h"

static void
qblog_open(const char *ident, int debug)
{
    qb_log_init(ident, LOG_DAEMON, debug ? LOG_DEBUG : LOG_INFO);
    qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_ENABLED, QB_TRUE);
    qb_log_ctl(QB_LOG_STDERR, QB_LOG_CONF_ENABLED, QB_TRUE);
    qb_log_filter_ctl(QB_LOG_SYSLOG, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*",
                      debug ? LOG_DEBUG : LOG_INFO);
    qb_log_filter_ctl(QB_LOG_STDERR, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*",
                      debug ? LOG_DEBUG : LOG_INFO);
    qb_log_format_set(QB_LOG_STDERR, "%N[%P]: %p: %b");
    qb_log_format_set(QB_LOG_SYSLOG, "%N[%P]: %p: %b");
}

static void
qblog_emit(int prio, const char *msg)
{
    qb_log_from_external_source(__func__, __FILE__, "%s", (uint8_t) prio,
                                __LINE__, 0, msg);
}

static void
qblog_close(void)
{
    qb_log_fini();
}

/** The table ra_plugin_sym() finds. */
const struct ra_log_plugin ra_log_plugin
    = { qblog_open, qblog_emit, qblog_close };
