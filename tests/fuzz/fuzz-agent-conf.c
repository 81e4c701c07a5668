/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-agent-conf.c - the agents' own checks of their parameters (beyond
 * the metadata's types): every validator of pmm-server (image, name,
 * paths, publish, run_opts, URL, fingerprint) and pmm-storage (device,
 * directory, mount options, times), then pmm-server's run spec built from
 * publish, run_opts and an env_file (agents/pmm-server-conf.c), for the
 * API and for the CLI.
 *
 * Input: byte 0 picks the transport; VALUE\n--\nRUN_OPTS\n--\nENV_FILE.
 */
#include "../../agents/pmm-server-conf.c"

#include "../../agents/pmm-storage.h"
#include "fuzz.h"

static void
check_all(const struct ra_param_check *checks, const char *v)
{
    char why[RA_REASON_MAX];

    for (size_t i = 0; checks[i].name; i++) {
        why[0] = '\0';
        if (checks[i].check(v, why, sizeof why) < 0 && !why[0])
            abort(); /* a refusal says why */
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct server_conf c;
    static char env_path[128];
    struct ra_result res;
    char *part[3];

    if (size < 1)
        return 0;
    fz_split(data + 1, size - 1, part, 3);
    check_all(server_checks, part[0]);
    check_all(storage_checks, part[0]);

    if (!env_path[0])
        snprintf(env_path, sizeof env_path, "%s/env", fz_dir());
    fz_write(env_path, part[2], strlen(part[2]));
    memset(&c, 0, sizeof c);
    c.publish = part[0];
    c.run_opts = part[1];
    c.env_file = data[0] & 2 ? "" : env_path;
    memset(&res, 0, sizeof res);
    if (server_conf_run(&c, data[0] & 1 ? RT_CLI : RT_API_LIBPOD, &res) < 0
        && !res.reason[0])
        abort();
    if (c.spec.n_env > RT_MAX_ENV || c.spec.n_ports > RT_MAX_PORTS
        || c.spec.n_labels > RT_MAX_LABELS || c.spec.n_ulimits > RT_MAX_ULIMITS)
        abort();
    server_conf_free(&c);
    free(part[0]);
    return 0;
}
