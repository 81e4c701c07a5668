/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * version.h - PMM version strings ("2.42.0", "3.0.0-rc1") and image tags.
 */
#ifndef PMMHA_VERSION_H
#define PMMHA_VERSION_H

#include <stddef.h>

/**
 * Compares two dotted versions numerically, part by part ("2.9" < "2.10");
 * a suffix after the numbers ("-rc1") is ignored. Returns <0, 0, >0, or
 * -2/+2 never: an unparsable side compares as 0.0.0. @ok (may be NULL) is
 * set to 0 when either side has no leading number.
 */
int ra_version_cmp(const char *a, const char *b, int *ok);

/** Major number of @v, or -1. */
int ra_version_major(const char *v);

/**
 * The tag of an image reference ("reg:5000/percona/pmm-server:2.42.0" ->
 * "2.42.0"); "" when it has none or only a digest. Writes to @buf.
 */
const char *ra_image_tag(const char *ref, char *buf, size_t len);

#endif
