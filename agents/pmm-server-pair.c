/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pmm-server-pair.c - the pure parts of the promotable mode (no process,
 * no cluster, no runtime): what the replicator's status file says, the
 * score it earns, where a peer is reached, what supervisorctl answered.
 * The unit tests drive them directly (tests/unit/test-server-pair.c).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pmm-server-role.h"
#include "state.h"

/* ---- the replicator's status ---------------------------------------- */

int64_t
role_num(const struct ra_state *st, const char *key)
{
    const char *v = ra_state_get(st, key);
    long long n;

    return v && ra_parse_ll(v, &n) == 0 ? (int64_t) n : 0;
}

int
role_repl_view(const char *state_dir, struct repl_view *v)
{
    static const char *const streams[] = { "metrics", "inventory", "qan" };
    struct ra_state st;
    char path[4096], key[48];
    int r;

    memset(v, 0, sizeof *v);
    snprintf(path, sizeof path, "%s/status", state_dir);
    r = ra_state_load(path, &st);
    if (r < 0)
        return r;
    v->have = true;
    v->initial_done = true;
    v->updated_ms = role_num(&st, "status.updated");
    v->skew_ms = role_num(&st, "status.skew_ms");
    for (size_t i = 0; i < sizeof streams / sizeof streams[0]; i++) {
        int64_t pos, ok, behind;
        const char *err;

        snprintf(key, sizeof key, "%s.enabled", streams[i]);
        if (role_num(&st, key) != 1)
            continue;
        snprintf(key, sizeof key, "%s.initial_sync", streams[i]);
        v->initial_done &= role_num(&st, key) == 1;
        snprintf(key, sizeof key, "%s.refused", streams[i]);
        v->refused |= role_num(&st, key) != 0;
        snprintf(key, sizeof key, "%s.position", streams[i]);
        pos = role_num(&st, key);
        if (!v->position_ms || pos < v->position_ms)
            v->position_ms = pos;
        /* how far behind the source it was when the source last answered:
         * a dead source must not make the standby look ever further behind
         * (that would forbid the promote that replaces it); role_cut_off
         * adds the time a living source was not copied from */
        snprintf(key, sizeof key, "%s.last_success", streams[i]);
        ok = role_num(&st, key);
        if (!v->last_ok_ms || ok < v->last_ok_ms)
            v->last_ok_ms = ok;
        behind = ok && pos ? ok + v->skew_ms - pos : INT64_MAX;
        if (behind < 0)
            behind = 0;
        if (behind > v->behind_ms)
            v->behind_ms = behind;
        snprintf(key, sizeof key, "%s.last_error", streams[i]);
        err = ra_state_get(&st, key);
        if (err && *err && !*v->error)
            snprintf(v->error, sizeof v->error, "%s: %s", streams[i], err);
    }
    if (!v->position_ms)
        v->initial_done = false;
    return 0;
}

void
role_cut_off(struct repl_view *v, int64_t alive_ms)
{
    if (v->last_ok_ms > 0 && alive_ms > v->last_ok_ms
        && v->behind_ms < INT64_MAX / 2)
        v->behind_ms += alive_ms - v->last_ok_ms;
}

int
role_score(const struct server_conf *c, const struct repl_view *v)
{
    int64_t lag_s;

    if (!v->have || !v->initial_done || v->refused)
        return ROLE_SCORE_NEVER;
    if ((uint64_t) v->behind_ms > c->max_lag_ms)
        return c->allow_stale ? ROLE_SCORE_WORST : ROLE_SCORE_NEVER;
    lag_s = v->behind_ms / 1000;
    if (lag_s > ROLE_SCORE_BEST - ROLE_SCORE_WORST)
        lag_s = ROLE_SCORE_BEST - ROLE_SCORE_WORST;
    return ROLE_SCORE_BEST - (int) lag_s;
}

/* ---- the peers -------------------------------------------------------- */

/* The address of @node: its entry in peers, else its name. */
void
role_peer_address(const struct server_conf *c, const char *node, char *buf,
                  size_t len)
{
    size_t nl = strlen(node);

    for (const char *p = c->peers; *p;) {
        size_t w;

        p += strspn(p, " \t,");
        w = strcspn(p, " \t,");
        if (w > nl + 1 && !strncmp(p, node, nl) && p[nl] == '=') {
            snprintf(buf, len, "%.*s", (int) (w - nl - 1), p + nl + 1);
            return;
        }
        p += w;
    }
    snprintf(buf, len, "%s", node);
}

/* @tmpl with every {peer} replaced by @addr (IPv6 in brackets). */
void
role_expand(const char *tmpl, const char *addr, char *buf, size_t len)
{
    size_t o = 0;
    bool v6 = strchr(addr, ':') != NULL;

    for (const char *s = tmpl; *s && o + 1 < len;) {
        if (!strncmp(s, "{peer}", 6)) {
            int n = snprintf(buf + o, len - o, "%s%s%s", v6 ? "[" : "", addr,
                             v6 ? "]" : "");
            o += n > 0 ? (size_t) n : 0;
            s += 6;
        } else
            buf[o++] = *s++;
    }
    buf[o < len ? o : len - 1] = '\0';
}

/* ---- supervisorctl ---------------------------------------------------- */

/* supervisorctl's answer (stop, update, start) is fine when no line is an
 * error, or an error that means the same ("not running", "already
 * started") or a program this PMM does not have. */
bool
role_supervisor_ok(const char *out)
{
    char line[256];

    for (const char *p = out; *p;) {
        size_t n = strcspn(p, "\n");

        snprintf(line, sizeof line, "%.*s", (int) n, p);
        p += n + (p[n] == '\n');
        if (!*line || !strstr(line, "ERROR"))
            continue;
        if (strstr(line, "no such process") || strstr(line, "not running")
            || strstr(line, "already started"))
            continue;
        return false;
    }
    return true;
}
