/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qblog.c - the logging plugin: libqb to syslog, Pacemaker's log file and
 * stderr as struct ra_log_dest says, as "agent(instance)[pid]: level:
 * message".
 */
#include "config.h"

#include <qb/qblog.h>
#include <syslog.h>

#include "plugins.h"

/* Lines as Pacemaker writes its own: "Dec 07 05:10:16.802 node ident[pid]:
 * level: message" */
#define FILE_FORMAT "%T %H %N[%P]: %p: %b"

static void
target_on(int32_t t, int level, const char *format)
{
    qb_log_ctl(t, QB_LOG_CONF_ENABLED, QB_TRUE);
    qb_log_filter_ctl(t, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*",
                      (uint8_t) level);
    qb_log_format_set(t, format);
}

static void
qblog_open(const char *ident, int debug, const struct ra_log_dest *d)
{
    int level = debug ? LOG_DEBUG : LOG_INFO;
    int facility = d->facility ? qb_log_facility2int(d->facility) : -1;
    int any = 0;
    int32_t t;

    qb_log_init(ident, facility >= 0 ? facility : LOG_DAEMON, level);
    qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_ENABLED, QB_FALSE);
    if (d->facility && facility >= 0)
        target_on(QB_LOG_SYSLOG, level, "%N[%P]: %p: %b"), any = 1;
    if (d->file && (t = qb_log_file_open(d->file)) >= 0)
        target_on(t, level, FILE_FORMAT), any = 1;
    if (d->debug_file && (t = qb_log_file_open(d->debug_file)) >= 0)
        target_on(t, LOG_DEBUG, FILE_FORMAT);
    /* nowhere else to go (a file we cannot open): stderr */
    if (d->to_stderr || !any)
        target_on(QB_LOG_STDERR, level, "%N[%P]: %p: %b");
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
