/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * param.h - resource parameters, described by the tables that
 * heartbeat/meta2c generates from the agent's metadata XML, read from
 * OCF_RESKEY_<name> and validated against that description.
 */
#ifndef PMMHA_PARAM_H
#define PMMHA_PARAM_H

#include <stdbool.h>
#include <stddef.h>

enum ra_param_type {
    RA_PARAM_STRING,
    RA_PARAM_INTEGER,
    RA_PARAM_BOOLEAN,
    RA_PARAM_TIME,
};

/** One parameter as the metadata XML declares it. */
struct ra_param_def {
    const char *name;
    enum ra_param_type type;
    bool required;
    const char *def;     /**< default, or NULL */
    const char *allowed; /**< space-separated allowed values, or NULL */
    long long min, max;  /**< integer range, when min <= max */
};

/** The default timeout of one action, as the metadata XML declares it. */
struct ra_action_timeout {
    const char *action;
    unsigned timeout_ms;
};

#define RA_PARAMS_MAX 40

/** Parameter values of one invocation, in the order of the definitions. */
struct ra_params {
    const struct ra_param_def *defs;
    size_t n;
    const char *value[RA_PARAMS_MAX]; /**< given value or default, or NULL */
    bool given[RA_PARAMS_MAX];        /**< set in the environment */
};

/** Reads each defined parameter from OCF_RESKEY_* (or its default). */
int ra_params_load(struct ra_params *p, const struct ra_param_def *defs);

/**
 * Checks every value against its definition (required, type, allowed values,
 * range). On failure returns -EINVAL and writes a one-line reason to @why.
 */
int ra_params_validate(const struct ra_params *p, char *why, size_t len);

/** The value of parameter @name (given or default), or NULL. */
const char *ra_param_str(const struct ra_params *p, const char *name);

/** True when parameter @name was set explicitly. */
bool ra_param_given(const struct ra_params *p, const char *name);

/** Boolean value of @name (1/true/yes/on); false when unset. */
bool ra_param_bool(const struct ra_params *p, const char *name);

/** Integer value of @name, or @fallback when unset or not a number. */
long long ra_param_int(const struct ra_params *p, const char *name,
                       long long fallback);

/** Parses an OCF boolean ("1", "true", "yes", "on" and their negatives). */
int ra_parse_bool(const char *s, bool *ret);

/** Parses a decimal integer that must fill the whole string. */
int ra_parse_ll(const char *s, long long *ret);

/** Parses a Pacemaker time ("90", "90s", "1500ms", "2min") in ms. */
int ra_parse_time_ms(const char *s, unsigned long long *ret);

/** For a parameter check (struct ra_param_check): a time @v (as
 * ra_parse_time_ms() reads it; a value that is no time is left to the
 * type check) between @lo_ms and @hi_ms, or -EINVAL with @why set. */
int ra_check_time_range(const char *v, unsigned long long lo_ms,
                        unsigned long long hi_ms, char *why, size_t len);

#endif
