/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repl-vm.c - the metrics stream: VictoriaMetrics' native export of time
 * windows streamed into the standby's native import (repl_http_pipe), the
 * watermark persisted after every window (repl-window.h says what it
 * means), so that a run killed at any instant resumes without a gap and a
 * link outage of any length is backfilled.
 *
 * Positions are on the source's clock: the Date header of its /health.
 * A window counts as copied once the standby answered its import and
 * flushed it (/internal/force_flush): only then does the watermark move.
 * A standby killed before what it took in reached its disk loses it: when
 * its start time changes, the watermark goes back to one reached at least
 * 60 s earlier (see checkpoint()). The overlap re-sends samples the
 * standby may already hold; only a standby that deduplicates
 * (-dedup.minScrapeInterval > 0) keeps one copy of each, so a standby
 * without it is refused. The source must be a VictoriaMetrics (its
 * /metrics has vm_app_version).
 *
 * Samples that reach the source later than overlap + settle behind their
 * own timestamps (e.g. a pmm-agent's buffered push after it lost its
 * server) land behind the watermark and are not copied: raise --overlap
 * where that matters.
 *
 * The first sync starts at the day of the source's oldest sample, found
 * with a handful of /api/v1/labels probes over [from, to]: the answer
 * comes from VictoriaMetrics' per-day index (it is empty exactly when no
 * series has a sample on those days), so a binary search over days costs
 * about log2(retention in days) cheap requests instead of walking every
 * empty hour of the retention. The per-day index answers ranges of up to
 * 40 days; longer retentions are probed 39 days at a time. Without an
 * answer the start is source_now - retention (-retentionPeriod from the
 * source's /metrics, 30 days when it says nothing).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "repl-http.h"
#include "repl-window.h"
#include "repl.h"

#define MARK_KEY "metrics.watermark"
#define SAFE_KEY "metrics.safe" /* see checkpoint() */
#define CAND_KEY "metrics.candidate"
#define CAND_AT_KEY "metrics.candidate_at"
#define START_KEY "metrics.standby_start"
#define SAFE_MS 60000
#define METRICS_MAX (16u << 20) /* a /metrics page, read whole */
#define PROBE_MAX (1u << 20)    /* /api/v1/labels */
#define DAY_MS INT64_C(86400000)
#define RETENTION_MAX_MS (DAY_MS * 36500) /* VictoriaMetrics' 100 years */
#define PROBE_SPAN_DAYS 39 /* VictoriaMetrics' per-day index: <= 40 days */
/* match[]={__name__!=""} (every series), percent-encoded */
#define MATCH_ALL "%7B__name__%21%3D%22%22%7D"

/* What is known of the source for the life of the process; forgotten
 * after a failed cycle (it may have been replaced) */
static struct {
    bool checked;
    int64_t retention_ms;
} pair;

/* A failed request into st->error: refused when the operator must act */
static int
vm_fail(struct repl_stream *st, int rc, const char *side, const char *err)
{
    bool source = strcmp(side, "source") == 0;

    if (rc == -EACCES || rc == -EPERM)
        st->refused = true;
    if (rc == -EACCES && source)
        return repl_fail(st, rc,
                         "the source refused the credentials in "
                         "--vm-auth-file (%s)",
                         err);
    if (rc == -EPERM)
        return repl_fail(st, rc,
                         "the source's TLS certificate does not match "
                         "--tls-ca or --tls-fingerprint (%s)",
                         err);
    if (rc == -EACCES)
        return repl_fail(st, rc,
                         "the standby's VictoriaMetrics refused the import "
                         "(%s)",
                         err);
    return repl_fail(st, rc, "%s", err);
}

/* GET @path of @side's VictoriaMetrics, the answer into *@ret_body */
static int
vm_get(struct repl *r, struct repl_stream *st, bool source, const char *path,
       ra_deadline_t d, char **ret_body, size_t max,
       struct repl_http_info *info)
{
    struct repl_http_req rq = {
        .ep = source ? &r->conf.src_vm : &r->conf.dst_vm,
        .tls = source ? &r->conf.tls : NULL,
        .path = path,
    };
    const char *side = source ? "source" : "target";
    char err[REPL_ERR_LEN], msg[REPL_ERR_LEN + 8];
    int rc = repl_http_fetch(&rq, d, r->conf.io_timeout_ms, ret_body, max, info,
                             err, sizeof err);

    if (rc == 0)
        return 0;
    snprintf(msg, sizeof msg, "%s %s", side, err); /* as the pipe's */
    return vm_fail(st, rc, side, msg);
}

char *
repl_vm_flag(const char *page, const char *name)
{
    char key[96];
    const char *p, *q;

    snprintf(key, sizeof key, "flag{name=\"%s\", value=\"", name);
    p = strstr(page, key);
    if (!p)
        return NULL;
    p += strlen(key);
    q = strchr(p, '"');
    return q ? strndup(p, (size_t) (q - p)) : NULL;
}

int64_t
repl_vm_retention_ms(const char *v)
{
    static const struct {
        char unit;
        int64_t ms;
    } units[] = { { 'h', 3600000 },
                  { 'd', DAY_MS },
                  { 'w', 7 * DAY_MS },
                  { 'y', 365 * DAY_MS },
                  { '\0', 31 * DAY_MS } };
    char *end;
    double n = v ? strtod(v, &end) : 0;
    size_t i;

    if (!v || end == v || !(n > 0)) /* NaN too */
        return -1;
    for (i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (*end != units[i].unit || (*end && end[1]))
            continue;
        n *= (double) units[i].ms;
        if (!(n < 0x1p63)) /* past int64 (e.g. "inf", "1e300"): unreadable */
            return -1;
        /* VictoriaMetrics keeps 100 years at most: a first sync never
         * looks further back */
        return n > (double) RETENTION_MAX_MS ? RETENTION_MAX_MS : (int64_t) n;
    }
    return -1;
}

/* The source is a VictoriaMetrics (and how long it keeps data) */
static int
check_source(struct repl *r, struct repl_stream *st, ra_deadline_t d)
{
    char *page = NULL, *ret;
    int rc = vm_get(r, st, true, "/metrics", d, &page, METRICS_MAX, NULL);

    if (rc == -EPROTO && strstr(st->error, "HTTP 404")) {
        st->refused = true;
        return repl_fail(st, -ENOTSUP,
                         "%s has no /metrics: not a PMM's VictoriaMetrics "
                         "(--source-vm is https://PMM-HOST/prometheus)",
                         r->conf.src_vm.url);
    }
    if (rc < 0)
        return rc;
    if (!strstr(page, "vm_app_version")) {
        free(page);
        st->refused = true;
        return repl_fail(st, -ENOTSUP,
                         "%s/metrics has no vm_app_version: not a PMM's "
                         "VictoriaMetrics (--source-vm is "
                         "https://PMM-HOST/prometheus)",
                         r->conf.src_vm.url);
    }
    ret = repl_vm_flag(page, "retentionPeriod");
    pair.retention_ms = repl_vm_retention_ms(ret);
    if (pair.retention_ms <= 0)
        pair.retention_ms = 30 * DAY_MS; /* PMM's default */
    free(ret);
    free(page);
    return 0;
}

int64_t
repl_vm_started(const char *page)
{
    static const char key[] = "\nvm_app_start_timestamp ";
    const char *p = strstr(page, key);

    return p ? strtoll(p + sizeof key - 1, NULL, 10) : 0;
}

/* The standby deduplicates identical samples, which the overlap sends;
 * *@ret_start: when it started (seconds), to see it restart */
static int
check_target(struct repl *r, struct repl_stream *st, ra_deadline_t d,
             int64_t *ret_start)
{
    char *page = NULL, *dedup;
    int rc = vm_get(r, st, false, "/metrics", d, &page, METRICS_MAX, NULL);

    if (rc < 0)
        return rc;
    dedup = repl_vm_flag(page, "dedup.minScrapeInterval");
    *ret_start = repl_vm_started(page);
    free(page);
    if (!dedup || strtod(dedup, NULL) <= 0) {
        free(dedup);
        st->refused = true;
        return repl_fail(st, -ENOTSUP,
                         "the standby's VictoriaMetrics (%s) runs without "
                         "-dedup.minScrapeInterval: the overlap would "
                         "duplicate samples; start it with "
                         "-dedup.minScrapeInterval=1ms (PMM: "
                         "VM_dedup_minScrapeInterval=1ms)",
                         r->conf.dst_vm.url);
    }
    free(dedup);
    return 0;
}

/* The source's clock, from the Date header of its /health */
static int
source_clock(struct repl *r, struct repl_stream *st, ra_deadline_t d,
             int64_t *ret_now)
{
    struct repl_http_info info;
    int rc = vm_get(r, st, true, "/health", d, NULL, 0, &info);

    if (rc < 0)
        return rc;
    if (info.date_ms <= 0)
        return repl_fail(st, -EPROTO,
                         "%s/health answered without a Date header: the "
                         "source's clock is unknown",
                         r->conf.src_vm.url);
    repl_clock_note(r, info.date_ms, info.sent_ms, info.recv_ms);
    /* Date has whole seconds: the source's clock was up to 999 ms past
     * it. A final copy (settle 0: the source demoted, flushed and no
     * longer written to) goes to the end of that second, or a sample
     * written in it would be left behind (a switchover right after the
     * demote lost one per series); with a settle, the next cycle takes
     * it anyway */
    *ret_now = info.date_ms + (r->conf.settle_ms == 0 ? 1000 : 0);
    return 0;
}

bool
repl_vm_labels_any(const char *body)
{
    return strstr(body, "\"data\":[]") == NULL;
}

/* Whether any series has a sample on the days of [@from, @to] */
static int
has_data(struct repl *r, struct repl_stream *st, int64_t from, int64_t to,
         ra_deadline_t d, bool *ret)
{
    char path[128], *body = NULL;
    int rc;

    snprintf(path, sizeof path, "/api/v1/labels?start=%" PRId64 "&end=%" PRId64,
             from / 1000, to / 1000);
    rc = vm_get(r, st, true, path, d, &body, PROBE_MAX, NULL);
    if (rc < 0)
        return rc;
    *ret = repl_vm_labels_any(body);
    free(body);
    return 0;
}

/* The first day in [@lo, @hi] (at most 40 days, @lo at a day's start) on
 * which a sample exists, given that one does */
static int
first_day(struct repl *r, struct repl_stream *st, int64_t lo, int64_t hi,
          ra_deadline_t d, int64_t *ret)
{
    int64_t a = 0, b = (hi - lo) / DAY_MS; /* in days from lo */
    bool yes;
    int rc;

    while (a < b) { /* a sample by day b; none before day a */
        int64_t mid = a + (b - a) / 2;

        rc = has_data(r, st, lo, lo + (mid + 1) * DAY_MS - 1, d, &yes);
        if (rc < 0)
            return rc;
        if (yes)
            b = mid;
        else
            a = mid + 1;
    }
    *ret = lo + a * DAY_MS;
    return 0;
}

/* Where the first sync starts (see the top of this file) */
static int
first_mark(struct repl *r, struct repl_stream *st, int64_t now, ra_deadline_t d,
           int64_t *ret)
{
    int64_t floor = now - pair.retention_ms, lo;
    int64_t oldest = now - r->conf.settle_ms; /* no data: from now on */
    bool yes = false;
    int rc = 0;

    floor -= floor % DAY_MS;
    for (lo = floor; lo < now && !yes; lo += PROBE_SPAN_DAYS * DAY_MS) {
        int64_t hi = lo + PROBE_SPAN_DAYS * DAY_MS - 1;

        rc = has_data(r, st, lo, hi < now ? hi : now, d, &yes);
        if (rc < 0)
            return rc;
        if (yes)
            rc = first_day(r, st, lo, hi < now ? hi : now, d, &oldest);
    }
    if (rc < 0)
        return rc;
    *ret = repl_window_first(oldest, now, pair.retention_ms);
    ra_info("metrics: first sync from %" PRId64 " (%" PRId64 " h of the "
            "source's history)",
            *ret, (now - *ret) / 3600000);
    return 0;
}

static int
mark_set(struct repl *r, struct repl_stream *st, const char *key, int64_t v)
{
    int rc = repl_mark_set(r, key, v);

    return rc < 0 ? repl_fail(st, rc, "cannot write the watermark in %s: %s",
                              r->conf.state_dir, strerror(-rc))
                  : 0;
}

static int64_t
mark_or(const struct repl *r, const char *key, int64_t dflt)
{
    int64_t v;

    return repl_mark_get(r, key, &v) == 0 ? v : dflt;
}

/* After each window: SAFE_KEY is a watermark reached at least SAFE_MS ago,
 * so that the standby has written all it covers to disk; CAND_KEY waits
 * its turn (reached at CAND_AT_KEY). Written in this order, a kill between
 * two writes leaves an older (safer) candidate, never a newer one. */
static int
checkpoint(struct repl *r, struct repl_stream *st)
{
    int64_t now = repl_wall_ms(), cand = mark_or(r, CAND_KEY, -1);
    int64_t at = mark_or(r, CAND_AT_KEY, -1);
    int rc = 0;

    if (cand >= 0 && at >= 0 && now - at < SAFE_MS)
        return 0;
    if (cand >= 0 && at >= 0)
        rc = mark_set(r, st, SAFE_KEY, cand);
    if (rc == 0)
        rc = mark_set(r, st, CAND_AT_KEY, now);
    return rc ? rc : mark_set(r, st, CAND_KEY, st->position_ms);
}

/* A standby that restarted since the last cycle may have lost what it
 * took in last (VictoriaMetrics keeps recent rows in memory for seconds:
 * -inmemoryDataFlushInterval, 5 s; 1.79 until its parts merge): the
 * watermark goes back to the last safe one, or to a first sync */
static int
standby_restart(struct repl *r, struct repl_stream *st, int64_t start)
{
    int64_t was = mark_or(r, START_KEY, -1), w = mark_or(r, MARK_KEY, -1);
    int64_t safe = mark_or(r, SAFE_KEY, 0);
    int rc = 0;

    if (start <= 0 || was == start)
        return 0;
    if (was > 0 && w > safe) {
        if (safe > 0)
            ra_warn("metrics: the standby's VictoriaMetrics restarted: "
                    "copying again the last %" PRId64 " s, from a watermark "
                    "reached at least %d s before, what it may have lost",
                    (w - safe) / 1000, SAFE_MS / 1000);
        else
            ra_warn("metrics: the standby's VictoriaMetrics restarted "
                    "within %d s of the first sync: starting it over",
                    SAFE_MS / 1000);
        rc = mark_set(r, st, MARK_KEY, safe);
        if (rc == 0)
            rc = mark_set(r, st, CAND_KEY, safe);
    }
    return rc ? rc : mark_set(r, st, START_KEY, start);
}

/* One window exported from the source and imported into the standby */
static int
copy_window(struct repl *r, struct repl_stream *st, const struct repl_window *w,
            ra_deadline_t d)
{
    char path[256], err[REPL_ERR_LEN];
    struct repl_http_req src = { &r->conf.src_vm, &r->conf.tls, path, NULL, 0 };
    struct repl_http_req dst
        = { &r->conf.dst_vm, NULL, "/api/v1/import/native", NULL, 0 };
    uint64_t bytes = 0;
    int rc;

    snprintf(path, sizeof path,
             "/api/v1/export/native?match[]=%s&start=%" PRId64 ".%03" PRId64
             "&end=%" PRId64 ".%03" PRId64,
             MATCH_ALL, w->start_ms / 1000, w->start_ms % 1000,
             w->end_ms / 1000, w->end_ms % 1000);
    rc = repl_http_pipe(&src, &dst, d, r->conf.io_timeout_ms, &bytes, NULL, err,
                        sizeof err);
    st->bytes += bytes;
    if (rc < 0)
        return vm_fail(st, rc, strncmp(err, "target", 6) ? "source" : "target",
                       err);
    /* searchable at once (and written to disk by VictoriaMetrics >= 1.86;
     * 1.79 keeps it in memory until its parts merge: standby_restart()
     * covers a standby that dies before) */
    if (bytes > 0)
        rc = vm_get(r, st, false, "/internal/force_flush", d, NULL, 0, NULL);
    if (rc < 0)
        return rc;
    rc = mark_set(r, st, MARK_KEY, w->mark_ms);
    if (rc < 0)
        return rc;
    st->copied++;
    st->position_ms = w->mark_ms;
    return checkpoint(r, st);
}

/* The source's identity once per process; the standby's deduplication
 * and start time every cycle (it may restart with other flags) */
static int
check_pair(struct repl *r, struct repl_stream *st, ra_deadline_t d,
           int64_t *ret_start)
{
    int rc = pair.checked ? 0 : check_source(r, st, d);

    if (rc == 0)
        rc = check_target(r, st, d, ret_start);
    pair.checked = rc == 0;
    return rc;
}

/* The watermark, or where the first sync starts */
static int
load_mark(struct repl *r, struct repl_stream *st, int64_t now, ra_deadline_t d,
          int64_t *ret)
{
    int rc = repl_mark_get(r, MARK_KEY, ret);

    if (rc == -ENOENT || (rc == 0 && *ret <= 0))
        return first_mark(r, st, now, d, ret);
    if (rc < 0)
        return repl_fail(st, rc, "cannot read the watermarks in %s: %s",
                         r->conf.state_dir, strerror(-rc));
    return 0;
}

/* Whether the cycle has time for another window like the last one */
static bool
time_for_one_more(ra_deadline_t d, uint64_t last_ns)
{
    uint64_t left = (uint64_t) ra_deadline_left_ms(d) * RA_NSEC_PER_MSEC;

    return left > 2 * last_ns + RA_NSEC_PER_SEC;
}

/* Windows until in sync with @now - settle, the deadline, or a signal */
static int
catch_up(struct repl *r, struct repl_stream *st, int64_t now, ra_deadline_t d)
{
    const struct repl_window_conf wc
        = { r->conf.settle_ms, r->conf.overlap_ms, r->conf.window_ms };
    struct repl_window w;
    uint64_t last_ns = 0, t0;
    int rc;

    for (;;) {
        switch (repl_window_plan(&wc, st->position_ms, now, &w)) {
        case REPL_WINDOW_IN_SYNC:
            return 0;
        case REPL_WINDOW_AHEAD:
            ra_warn("metrics: the watermark is %" PRId64 " ms past the "
                    "source's clock (it went back, or this is another "
                    "source): resuming from the source's now - settle",
                    st->position_ms - w.mark_ms);
            rc = mark_set(r, st, MARK_KEY, w.mark_ms);
            if (rc < 0)
                return rc;
            st->position_ms = w.mark_ms;
            continue;
        case REPL_WINDOW_COPY:
            break;
        }
        if (repl_stopping())
            return repl_fail(st, -ECANCELED, "stopped by a signal");
        if (!time_for_one_more(d, last_ns))
            return repl_fail(st, -ETIMEDOUT,
                             "catching up: the standby holds the source's "
                             "metrics up to %" PRId64 " s behind; the next "
                             "cycle goes on",
                             (now - st->position_ms) / 1000);
        t0 = ra_now_ns();
        rc = copy_window(r, st, &w, d);
        if (rc < 0)
            return rc;
        last_ns = ra_now_ns() - t0;
    }
}

int
repl_metrics_cycle(struct repl *r, struct repl_stream *st, ra_deadline_t d)
{
    int64_t now = 0, mark = 0, start = 0;
    int rc = check_pair(r, st, d, &start);

    if (rc == 0)
        rc = standby_restart(r, st, start);
    if (rc == 0)
        rc = source_clock(r, st, d, &now);
    if (rc == 0)
        rc = load_mark(r, st, now, d, &mark);
    if (rc == 0) {
        st->position_ms = mark;
        st->source_now_ms = now;
        rc = catch_up(r, st, now, d);
    }
    if (rc < 0)
        pair.checked = false;
    return rc;
}
