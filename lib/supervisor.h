/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * supervisor.h - supervisord's XML-RPC interface, spoken directly on its
 * unix socket inside a container, reached through the container's root
 * (/proc/PID/root, every path resolved inside it). A call costs a few
 * milliseconds where `podman exec NAME supervisorctl ...` costs a
 * container exec and a Python start (0.3-0.6 s), on every promote, demote
 * and stop of a switchover. Callers fall back to supervisorctl when
 * sv_open() fails (no such socket, a kernel without openat2, a policy
 * that refuses the connection).
 */
#ifndef PMMHA_SUPERVISOR_H
#define PMMHA_SUPERVISOR_H

#include <stddef.h>
#include <sys/types.h>

#include "deadline.h"

/** supervisord's fault codes (supervisor.xmlrpc.Faults) that callers test. */
enum sv_fault {
    SV_FAULT_BAD_NAME = 10,
    SV_FAULT_ALREADY_STARTED = 60,
    SV_FAULT_NOT_RUNNING = 70,
};

/** A supervisord reached through a container's root. */
struct sv {
    int sock_fd;   /**< O_PATH descriptor of its socket, or -1 */
    char auth[96]; /**< "Basic ..." credentials header value, or "" */
};

/**
 * Finds the supervisord of the container whose init is @pid: its
 * configuration (the -c of init's command line, else /etc/supervisord.conf
 * or /etc/supervisor/supervisord.conf), the socket and credentials of its
 * [unix_http_server]. 0; -ENOENT when there is none to use; -ENOSYS
 * without openat2(); or -errno. sv_close() releases it (also after a
 * failure).
 */
int sv_open(struct sv *sv, pid_t pid);

/** Releases @sv (safe twice, and on a zeroed or failed one). */
void sv_close(struct sv *sv);

/**
 * Calls @method with @params (the XML of its <param> elements, or "").
 * Returns 0, a fault code (> 0), or -errno (-EPROTO: not an XML-RPC
 * answer). The start of the answer's body in @out when given.
 */
int sv_call(const struct sv *sv, const char *method, const char *params,
            ra_deadline_t d, char *out, size_t out_len);

/** Starts program @name without waiting for it (already started: 0). */
int sv_start(const struct sv *sv, const char *name, ra_deadline_t d);

/** Signals program @name to stop without waiting (not running: 0). */
int sv_stop(const struct sv *sv, const char *name, ra_deadline_t d);

/** The state name of program @name ("RUNNING", "STOPPED", ...). */
int sv_state(const struct sv *sv, const char *name, ra_deadline_t d,
             char *state, size_t len);

/** Stops every program at once and waits until they have stopped. */
int sv_stop_all(const struct sv *sv, ra_deadline_t d);

/** Makes supervisord exit (what SIGTERM does, without waiting for its
 * next tick to notice). */
int sv_shutdown(const struct sv *sv, ra_deadline_t d);

/** A program name safe to send: [A-Za-z0-9_.:-], not empty. */
int sv_name_ok(const char *name);

/**
 * From a supervisord configuration's text, the [unix_http_server] values
 * @key ("file", "username", "password") into @buf; -ENOENT when absent or
 * not a plain value (an expansion). Exposed for the tests.
 */
int sv_conf_get(const char *text, const char *key, char *buf, size_t len);

/** supervisord's answer @body: 0, a fault code (> 0) or -EPROTO. Exposed
 * for the tests. */
int sv_parse_fault(const char *body);

#endif
