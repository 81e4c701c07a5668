/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plugins.h - the entry points our plugins export: one const table each,
 * found by ra_plugin_sym(). The plugins are built with the same headers as
 * the agents, so their layout always matches.
 */
#ifndef PMMHA_PLUGINS_H
#define PMMHA_PLUGINS_H

#include "deadline.h"
#include "http.h"
#include "runtime.h"

/** net.so (libcurl, json-c): https probes and the runtime REST API. */
struct ra_net_plugin {
    int (*https_get)(const char *url, const struct ra_tls *tls,
                     ra_deadline_t deadline, struct ra_http_reply *reply);
    /** Opens the API on rt->socket (rt->kind/transport already set). */
    const struct rt_ops *(*rt_api_open)(struct rt *rt);
};

#define RA_NET_PLUGIN "net"
#define RA_NET_PLUGIN_SYM "ra_net_plugin"

/** Where the log goes: what Pacemaker's executor tells an agent
 * (HA_LOGFACILITY, HA_LOGFILE, HA_DEBUGLOG), as resource-agents' ocf_log
 * reads it. */
struct ra_log_dest {
    const char *facility;   /**< syslog facility name, or NULL: none */
    const char *file;       /**< a file to append to, or NULL */
    const char *debug_file; /**< debug lines too, or NULL */
    int to_stderr;          /**< neither: stderr (ocf-tester, a shell) */
};

/** qblog.so (libqb): logging where struct ra_log_dest says. */
struct ra_log_plugin {
    void (*open)(const char *ident, int debug, const struct ra_log_dest *d);
    void (*emit)(int prio, const char *msg);
    void (*close)(void);
};

#define RA_LOG_PLUGIN "qblog"
#define RA_LOG_PLUGIN_SYM "ra_log_plugin"

#endif
