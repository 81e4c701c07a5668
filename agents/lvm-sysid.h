/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lvm-sysid.h - what the lvm-sysid agent's files share: its configuration,
 * and the LVM and Pacemaker commands it runs (lvm-sysid-cmd.c).
 */
#ifndef PMMHA_LVM_SYSID_H
#define PMMHA_LVM_SYSID_H

#include <stdbool.h>
#include <stddef.h>

#include "lvm.h"
#include "ra.h"

enum sysid_takeover {
    TAKEOVER_FENCED,
    TAKEOVER_NEVER,
    TAKEOVER_FORCE,
};

/** The resource's parameters, checked. */
struct sysid_conf {
    const char *vg;
    const char *lv; /**< NULL: every visible LV of the VG */
    enum sysid_takeover takeover;
    bool majority_pvs;
};

#define SYSID_PVS_MAX 16

/** The VG as `vgs --foreign` reports it. */
struct sysid_vg {
    char system_id[LVM_SYSID_MAX]; /**< "" when the VG has none */
    char uuid[LVM_ID_LEN + 1];     /**< without dashes */
    unsigned pv_count, missing;
    size_t n_pvs;
    char pvs[SYSID_PVS_MAX][256]; /**< PV paths ("[unknown]" if missing) */
};

/**
 * Runs `lvm ARGS...` (the lvm binary found in the system directories)
 * with LC_ALL=C until @d; @out gets its stdout (may be NULL). Returns the
 * exit status (0 success), or -errno when it could not run; @why gets the
 * last line LVM wrote on stderr.
 */
int sysid_lvm(const char *const args[], ra_deadline_t d, char **out, char *why,
              size_t len);

/** Runs tool @prog (dmsetup) as sysid_lvm() runs lvm. */
int sysid_tool(const char *prog, const char *const args[], ra_deadline_t d,
               char **out, char *why, size_t len);

/** This node's LVM system ID (`lvm systemid`), "" when it has none. */
int sysid_local(ra_deadline_t d, char *buf, size_t len, char *why, size_t wlen);

/** lvm.conf's global/system_id_source (`lvmconfig --typeconfig full`). */
int sysid_source(ra_deadline_t d, char *buf, size_t len, char *why,
                 size_t wlen);

/**
 * The VG @vg as `vgs --foreign` sees it (device hints off: another node
 * may have changed the disks). -ENOENT when no such VG is visible here.
 */
int sysid_vgs(const char *vg, ra_deadline_t d, struct sysid_vg *ret, char *why,
              size_t len);

/**
 * Whether the fenced policy lets this node take a VG from @owner: 1 yes
 * (Pacemaker shows it offline and not unclean with fencing enabled, i.e.
 * cleanly down, or its fencing history records a fencing of it and it is
 * not a member), 0 no (@why says briefly why, as the end of an exit
 * reason), -errno when Pacemaker could not be asked at all (@why says so;
 * -ENOTCONN outside a cluster, which means no).
 */
int sysid_owner_fenced(const struct ra_ctx *ctx, const char *owner, char *why,
                       size_t len);

#endif
