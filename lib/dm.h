/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dm.h - device-mapper state as the kernel shows it in sysfs: every dm
 * device's name and uuid (/sys/block/dm-N/dm/{name,uuid}) and the devices
 * under it (/sys/block/dm-N/slaves/). Reading these costs no process and
 * no ioctl, and no library but libc.
 */
#ifndef PMMHA_DM_H
#define PMMHA_DM_H

#include <stdbool.h>
#include <stddef.h>

#define DM_KNAME_MAX 32
#define DM_NAME_MAX 256
#define DM_UUID_MAX 160

/** One device-mapper device. */
struct dm_dev {
    char kname[DM_KNAME_MAX]; /**< kernel name, "dm-3" */
    char name[DM_NAME_MAX];   /**< device-mapper name, "vg-lv" */
    char uuid[DM_UUID_MAX];   /**< "LVM-<vg id><lv id>[-layer]" or "" */
};

/**
 * Lists the device-mapper devices under @sysfs ("/sys", or a test tree)
 * into @devs (room for @max), sorted by kernel name; *@n is how many.
 * No device-mapper (no dm-* entry) is not an error. Returns 0, -E2BIG
 * when more than @max exist, or -errno.
 */
int dm_list(const char *sysfs, struct dm_dev *devs, size_t max, size_t *n);

/**
 * The devices under dm device @kname, following dm devices down to the
 * disks (the PVs of an LV): kernel names ("vdb", "sda2") into @out, each
 * once. Returns 0, -E2BIG, or -errno.
 */
int dm_lower(const char *sysfs, const char *kname, char (*out)[DM_KNAME_MAX],
             size_t max, size_t *n);

/**
 * Splits an LVM device-mapper uuid: @vgid and @lvid (32 characters each,
 * buffers of 33) and whether it carries a layer suffix ("-tpool", "-real":
 * an LV's hidden part, not the LV itself). Returns 0 or -EINVAL when
 * @uuid is not LVM's.
 */
int dm_lvm_uuid(const char *uuid, char *vgid, char *lvid, bool *layer);

#endif
