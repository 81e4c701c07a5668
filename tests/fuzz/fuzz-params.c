/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-params.c - resource parameters (OCF_RESKEY_*, set by whoever edits
 * the CIB): lib/param.c's booleans, integers and Pacemaker times, each
 * agent's metadata table (generated from heartbeat/ *.xml) validated with
 * one value replaced, and run_opts split into words without a shell
 * (ra_split_words in lib/spawn.c).
 *
 * Input: byte 0 picks the agent, byte 1 the parameter; the rest is the
 * value.
 */
#include "config.h"

#include <stdbool.h>

#include "../../lib/param.h"
#include "../../lib/ra-spawn.h"
#include "fuzz.h"

extern const struct ra_param_def pmm_server_params[];
extern const struct ra_param_def pmm_storage_params[];
extern const struct ra_param_def lvm_sysid_params[];

static void
validate(const struct ra_param_def *defs, unsigned pick, const char *v)
{
    struct ra_params p;
    char why[256];

    memset(&p, 0, sizeof p);
    p.defs = defs;
    for (; defs[p.n].name && p.n < RA_PARAMS_MAX; p.n++)
        p.value[p.n] = defs[p.n].def ? defs[p.n].def : "x";
    if (p.n == 0)
        return;
    p.value[pick % p.n] = v;
    p.given[pick % p.n] = true;
    if (ra_params_validate(&p, why, sizeof why) < 0 && !why[0])
        abort(); /* a refusal says why */
    (void) ra_param_str(&p, defs[pick % p.n].name);
    (void) ra_param_bool(&p, defs[pick % p.n].name);
    (void) ra_param_int(&p, defs[pick % p.n].name, -1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct ra_param_def *const tables[]
        = { pmm_server_params, pmm_storage_params, lvm_sysid_params };
    unsigned long long ms;
    long long ll;
    char *v, **argv = NULL;
    bool b;
    int n;

    if (size < 2)
        return 0;
    v = fz_str(data + 2, size - 2);
    (void) ra_parse_bool(v, &b);
    (void) ra_parse_ll(v, &ll);
    (void) ra_parse_time_ms(v, &ms);
    validate(tables[data[0] % 3], data[1], v);

    n = ra_split_words(v, &argv);
    if (n >= 0) {
        size_t total = 0;

        for (int i = 0; i < n; i++) {
            if (!argv[i])
                abort();
            total += strlen(argv[i]);
        }
        if (argv[n] || total > strlen(v))
            abort(); /* unquoting only ever removes characters */
    }
    ra_argv_free(argv);
    free(v);
    return 0;
}
