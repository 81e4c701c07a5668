/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.h - logging as "agent(instance)[pid]" through libqb, where
 * Pacemaker's executor says (HA_LOGFACILITY, HA_LOGFILE, HA_DEBUGLOG: the
 * rules of resource-agents' ocf_log; stderr without them). libqb is loaded
 * the first time a message is actually emitted, so a quiet monitor never
 * pays for it. Debug messages appear with HA_debug=1.
 */
#ifndef PMMHA_LOG_H
#define PMMHA_LOG_H

#include <syslog.h>

/** Names the log: "@agent(@instance)". Call once, early. */
void ra_log_init(const char *agent, const char *instance);

/** Logs at syslog priority @prio (LOG_ERR ... LOG_DEBUG). */
void ra_log(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** True when debug messages are wanted (HA_debug set and not 0). */
int ra_log_debug_enabled(void);

/** Flushes and closes libqb if it was loaded. */
void ra_log_fini(void);

#define ra_err(...) ra_log(LOG_ERR, __VA_ARGS__)
#define ra_warn(...) ra_log(LOG_WARNING, __VA_ARGS__)
#define ra_info(...) ra_log(LOG_INFO, __VA_ARGS__)
#define ra_debug(...)                                                          \
    do {                                                                       \
        if (ra_log_debug_enabled())                                            \
            ra_log(LOG_DEBUG, __VA_ARGS__);                                    \
    } while (0)

#endif
