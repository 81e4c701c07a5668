/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvm-sysid - placeholder: being written (issue 3). */
#include "config.h"

#include "ra.h"

extern const struct ra_param_def lvm_sysid_params[];
extern const struct ra_action_timeout lvm_sysid_timeouts[];
extern const char lvm_sysid_meta_xml[];

static const struct ra_action actions[] = {
    { "meta-data", NULL, 0 },
    { NULL, NULL, 0 },
};

static const struct ra_agent agent = {
    .name = "lvm-sysid",
    .meta_xml = lvm_sysid_meta_xml,
    .params = lvm_sysid_params,
    .timeouts = lvm_sysid_timeouts,
    .actions = actions,
};

int
main(int argc, char **argv)
{
    return ra_main(argc, argv, &agent);
}
