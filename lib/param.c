/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "param.h"

int
ra_parse_bool(const char *s, bool *ret)
{
    static const char *const yes[] = { "1", "true", "yes", "on", "y", NULL };
    static const char *const no[] = { "0", "false", "no", "off", "n", NULL };

    for (size_t i = 0; yes[i]; i++) {
        if (!strcasecmp(s, yes[i])) {
            *ret = true;
            return 0;
        }
        if (!strcasecmp(s, no[i])) {
            *ret = false;
            return 0;
        }
    }
    return -EINVAL;
}

int
ra_parse_ll(const char *s, long long *ret)
{
    char *end;
    long long v;

    if (!s || !*s || isspace((unsigned char) *s))
        return -EINVAL;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno == ERANGE)
        return -ERANGE;
    if (*end)
        return -EINVAL;
    *ret = v;
    return 0;
}

int
ra_parse_time_ms(const char *s, unsigned long long *ret)
{
    static const struct {
        const char *unit;
        unsigned long long ms;
    } units[] = { { "", 1000 },     { "s", 1000 },    { "sec", 1000 },
                  { "ms", 1 },      { "msec", 1 },    { "m", 60000 },
                  { "min", 60000 }, { "h", 3600000 }, { "hr", 3600000 } };
    char *end;
    unsigned long long v;

    if (!s || !isdigit((unsigned char) *s))
        return -EINVAL;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno == ERANGE)
        return -ERANGE;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (!strcmp(end, units[i].unit)) {
            if (v > ULLONG_MAX / units[i].ms)
                return -ERANGE;
            *ret = v * units[i].ms;
            return 0;
        }
    return -EINVAL;
}

int
ra_check_time_range(const char *v, unsigned long long lo_ms,
                    unsigned long long hi_ms, char *why, size_t len)
{
    unsigned long long ms;

    if (ra_parse_time_ms(v, &ms) == 0 && (ms < lo_ms || ms > hi_ms)) {
        snprintf(why, len, "must be between %llus and %llus", lo_ms / 1000,
                 hi_ms / 1000);
        return -EINVAL;
    }
    return 0;
}

int
ra_params_load(struct ra_params *p, const struct ra_param_def *defs)
{
    char env[128];

    memset(p, 0, sizeof *p);
    p->defs = defs;
    for (; defs[p->n].name; p->n++) {
        const char *v;

        if (p->n >= RA_PARAMS_MAX)
            return -E2BIG;
        snprintf(env, sizeof env, "OCF_RESKEY_%s", defs[p->n].name);
        v = getenv(env);
        p->given[p->n] = v != NULL;
        p->value[p->n] = v ? v : defs[p->n].def;
    }
    return 0;
}

static bool
word_in(const char *word, const char *list)
{
    size_t n = strlen(word);

    for (const char *s = list; *s;) {
        size_t len = strcspn(s, " ");

        if (len == n && !strncmp(s, word, n))
            return true;
        s += len;
        s += strspn(s, " ");
    }
    return false;
}

static int
check_one(const struct ra_param_def *d, const char *v, char *why, size_t len)
{
    long long ll;
    unsigned long long ms;
    bool b;

    switch (d->type) {
    case RA_PARAM_INTEGER:
        if (ra_parse_ll(v, &ll) < 0) {
            snprintf(why, len, "%s=%.40s is not an integer", d->name, v);
            return -EINVAL;
        }
        if (d->min <= d->max && (ll < d->min || ll > d->max)) {
            snprintf(why, len, "%s=%.40s is out of range (%lld to %lld)",
                     d->name, v, d->min, d->max);
            return -EINVAL;
        }
        break;
    case RA_PARAM_BOOLEAN:
        if (ra_parse_bool(v, &b) < 0) {
            snprintf(why, len, "%s=%.40s is not a boolean (true or false)",
                     d->name, v);
            return -EINVAL;
        }
        break;
    case RA_PARAM_TIME:
        if (ra_parse_time_ms(v, &ms) < 0) {
            snprintf(why, len,
                     "%s=%.40s is not a time (e.g. 30s, 1500ms, 2min)", d->name,
                     v);
            return -EINVAL;
        }
        break;
    case RA_PARAM_STRING:
        break;
    }
    if (d->allowed && !word_in(v, d->allowed)) {
        snprintf(why, len, "%s=%.40s is not one of: %s", d->name, v,
                 d->allowed);
        return -EINVAL;
    }
    return 0;
}

int
ra_params_validate(const struct ra_params *p, char *why, size_t len)
{
    for (size_t i = 0; i < p->n; i++) {
        const struct ra_param_def *d = &p->defs[i];
        const char *v = p->value[i];

        if (d->required && (!v || !*v)) {
            snprintf(why, len, "required parameter %s is not set", d->name);
            return -EINVAL;
        }
        if (!v || (!*v && !p->given[i]))
            continue;
        if (!*v && d->type != RA_PARAM_STRING)
            continue; /* an empty value means "the default" */
        if (*v && check_one(d, v, why, len) < 0)
            return -EINVAL;
    }
    return 0;
}

static ssize_t
find(const struct ra_params *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->defs[i].name, name))
            return (ssize_t) i;
    return -1;
}

const char *
ra_param_str(const struct ra_params *p, const char *name)
{
    ssize_t i = find(p, name);

    if (i < 0)
        return NULL;
    /* "" given for a typed parameter falls back to the default */
    if (p->value[i] && !*p->value[i] && p->defs[i].type != RA_PARAM_STRING)
        return p->defs[i].def;
    return p->value[i];
}

bool
ra_param_given(const struct ra_params *p, const char *name)
{
    ssize_t i = find(p, name);

    return i >= 0 && p->given[i];
}

bool
ra_param_bool(const struct ra_params *p, const char *name)
{
    const char *v = ra_param_str(p, name);
    bool b = false;

    if (v)
        (void) ra_parse_bool(v, &b);
    return b;
}

long long
ra_param_int(const struct ra_params *p, const char *name, long long fallback)
{
    const char *v = ra_param_str(p, name);
    long long ll;

    if (!v || ra_parse_ll(v, &ll) < 0)
        return fallback;
    return ll;
}
