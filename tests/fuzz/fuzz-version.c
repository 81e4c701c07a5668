/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-version.c - lib/version.c: PMM versions (an image's label, the
 * data's marker) compared, and the tag read from an image reference.
 * The comparison must be an order: antisymmetric and reflexive.
 *
 * Input: A\n--\nB.
 */
#include "config.h"

#include "../../lib/version.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *part[2], tag[64], small[2];
    int ab, ba, ok;

    fz_split(data, size, part, 2);
    ab = ra_version_cmp(part[0], part[1], &ok);
    ba = ra_version_cmp(part[1], part[0], NULL);
    if (ab != -ba || ab < -1 || ab > 1
        || ra_version_cmp(part[0], part[0], NULL))
        abort();
    (void) ra_version_major(part[0]);
    if (strlen(ra_image_tag(part[0], tag, sizeof tag)) >= sizeof tag)
        abort();
    (void) ra_image_tag(part[1], small, sizeof small);
    free(part[0]);
    return 0;
}
