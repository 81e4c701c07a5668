/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "plugin.h"
#include "plugins.h"

static char ident[160] = "pmmha";
static const struct ra_log_plugin *qb;
static int qb_failed;
static int debug = -1;

void
ra_log_init(const char *agent, const char *instance)
{
    if (instance && *instance && strcmp(agent, instance) != 0)
        snprintf(ident, sizeof ident, "%s(%s)", agent, instance);
    else
        snprintf(ident, sizeof ident, "%s", agent);
}

int
ra_log_debug_enabled(void)
{
    if (debug < 0) {
        const char *v = getenv("HA_debug");

        debug = v && *v && strcmp(v, "0") != 0 && strcmp(v, "false") != 0;
    }
    return debug;
}

/* A variable's value, NULL when unset, empty or "none". */
static const char *
env_set(const char *name)
{
    const char *v = getenv(name);

    return v && *v && strcmp(v, "none") != 0 ? v : NULL;
}

/*
 * Where Pacemaker's executor says (resource-agents' ocf_log rules): syslog
 * with HA_LOGFACILITY, HA_LOGFILE appended to (pacemaker.log), debug lines
 * also to HA_DEBUGLOG when it is another file; stderr only when neither a
 * facility nor a file is given (ocf-tester, a shell) or stderr is a
 * terminal. Under Pacemaker, stderr then carries only the exit reason,
 * which the executor logs once: no line twice in pacemaker.log.
 */
static void
dest_read(struct ra_log_dest *d)
{
    d->facility = env_set("HA_LOGFACILITY");
    d->file = env_set("HA_LOGFILE");
    d->debug_file = env_set("HA_DEBUGLOG");
    if (d->debug_file && d->file && !strcmp(d->debug_file, d->file))
        d->debug_file = NULL;
    d->to_stderr = (!d->facility && !d->file) || isatty(STDERR_FILENO);
}

/* libqb is loaded on the first message, never on a quiet run. */
static const struct ra_log_plugin *
log_plugin(void)
{
    struct ra_log_dest dest;
    char why[256];

    if (qb || qb_failed)
        return qb;
    qb = ra_plugin_sym(RA_LOG_PLUGIN, RA_LOG_PLUGIN_SYM, why, sizeof why);
    if (!qb) {
        qb_failed = 1;
        fprintf(stderr, "%s[%d]: warning: %s; logging to stderr only\n", ident,
                (int) getpid(), why);
        return NULL;
    }
    dest_read(&dest);
    qb->open(ident, ra_log_debug_enabled(), &dest);
    return qb;
}

void
ra_log(int prio, const char *fmt, ...)
{
    static const char *const names[] = { "emerg",   "alert",  "crit", "error",
                                         "warning", "notice", "info", "debug" };
    const struct ra_log_plugin *p;
    char msg[1024];
    va_list ap;

    if (prio == LOG_DEBUG && !ra_log_debug_enabled())
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    p = log_plugin();
    if (p)
        p->emit(prio, msg);
    else
        fprintf(stderr, "%s[%d]: %s: %s\n", ident, (int) getpid(),
                names[prio & 7], msg);
}

void
ra_log_fini(void)
{
    if (qb)
        qb->close();
    qb = NULL;
}
