/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lvm.h - LVM without the LVM tools: valid names, the names device-mapper
 * gives LVs, and the volume group's metadata read straight from a PV
 * (label, metadata area header, the current metadata text). A monitor
 * answers "is this VG still ours" from these, without spawning lvm.
 */
#ifndef PMMHA_LVM_H
#define PMMHA_LVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LVM_NAME_MAX 127   /**< longest VG or LV name LVM accepts */
#define LVM_ID_LEN 32      /**< an LVM id without its dashes */
#define LVM_MD_MAX_LVS 128 /**< visible LVs a VG may have for us */
#define LVM_SYSID_MAX 128

/**
 * Checks @name as a VG (@is_lv false) or LV name: 1 to 127 of
 * [A-Za-z0-9+_.-], not starting with '-', not "." or "..", and for LVs none
 * of the names and parts LVM reserves. Returns 0, or -EINVAL with the
 * reason in @why.
 */
int lvm_name_check(const char *name, bool is_lv, char *why, size_t len);

/**
 * The device-mapper name of @vg/@lv: each '-' doubled, joined by one '-'
 * ("my-vg"/"lv" -> "my--vg-lv"). Returns 0 or -ENAMETOOLONG.
 */
int lvm_dm_name(const char *vg, const char *lv, char *buf, size_t len);

/**
 * Splits a device-mapper name into VG and LV (and layer, e.g. "tpool",
 * left in @lv after a single '-'), undoing the escaping. Returns 0, or
 * -EINVAL when @dm is not an LVM name.
 */
int lvm_dm_split(const char *dm, char *vg, size_t vglen, char *lv,
                 size_t lvlen);

/** LVM's metadata checksum (CRC-32, LVM's initial value, no final xor). */
uint32_t lvm_crc(uint32_t initial, const void *buf, size_t len);

#define LVM_CRC_INITIAL 0xf597a6cfU

/** One visible LV in the metadata. */
struct lvm_md_lv {
    char name[LVM_NAME_MAX + 1];
    char id[LVM_ID_LEN + 1]; /**< without dashes, as device-mapper has it */
};

/** What the monitor needs from a VG's metadata text. */
struct lvm_md_vg {
    char name[LVM_NAME_MAX + 1];
    char id[LVM_ID_LEN + 1];
    char system_id[LVM_SYSID_MAX]; /**< "" when the VG has none */
    unsigned long long seqno;
    unsigned pv_count;
    size_t n_lvs;
    struct lvm_md_lv lvs[LVM_MD_MAX_LVS];
};

/**
 * Parses LVM2 metadata text (@text, @len bytes, need not be terminated)
 * into @ret. Returns 0, -EBADMSG for text that is not VG metadata, -E2BIG
 * past LVM_MD_MAX_LVS visible LVs.
 */
int lvm_md_parse(const char *text, size_t len, struct lvm_md_vg *ret);

/**
 * Reads the VG's current metadata from the PV @path with O_DIRECT (no
 * page cache: another node may have written the disk): label, PV header,
 * metadata area header and text, each checksum verified. Returns 0,
 * -ENODATA (no LVM label, or a PV in no VG), -EBADMSG (damaged or torn:
 * retry), or another -errno.
 */
int lvm_pv_read_vg(const char *path, struct lvm_md_vg *ret);

/** Copies LVM id @in ("abc-def-...") to @out without dashes; -EINVAL. */
int lvm_id_undash(const char *in, char *out, size_t len);

#endif
