/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pmm-storage - placeholder: being written (issue 3). */
#include "config.h"

#include "ra.h"

extern const struct ra_param_def pmm_storage_params[];
extern const struct ra_action_timeout pmm_storage_timeouts[];
extern const char pmm_storage_meta_xml[];

static const struct ra_action actions[] = {
    { "meta-data", NULL, 0 },
    { NULL, NULL, 0 },
};

static const struct ra_agent agent = {
    .name = "pmm-storage",
    .meta_xml = pmm_storage_meta_xml,
    .params = pmm_storage_params,
    .timeouts = pmm_storage_timeouts,
    .actions = actions,
};

int
main(int argc, char **argv)
{
    return ra_main(argc, argv, &agent);
}
