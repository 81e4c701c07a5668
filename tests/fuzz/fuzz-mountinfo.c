/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-mountinfo.c - lib/mountinfo.c: /proc/self/mountinfo lines with the
 * kernel's octal escapes, read line by line from a file as the agents read
 * it (by target and by device), and mount option strings (the options
 * parameter) turned into mount(2) flags and data.
 *
 * Input: the mountinfo text; its first line is also an option string.
 */
#include "config.h"

#include "../../lib/mountinfo.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ra_mount m; /* 12 KiB: not on the stack */
    static struct ra_mount_opts o;
    static char path[128];
    char *s = fz_str(data, size), bad[64];

    if (ra_mountinfo_parse(s, &m) == 0
        && (memchr(m.target, '\0', sizeof m.target) == NULL
            || memchr(m.fstype, '\0', sizeof m.fstype) == NULL))
        abort();
    if (!path[0])
        snprintf(path, sizeof path, "%s/mountinfo", fz_dir());
    fz_write(path, data, size);
    (void) ra_mountinfo_by_target(path, "/srv", &m);
    (void) ra_mountinfo_by_dev(path, 253, 0, "/srv", &m);

    s[strcspn(s, "\n")] = '\0';
    if (ra_mount_opts_parse(s, &o, bad, sizeof bad) == 0
        && !memchr(o.data, '\0', sizeof o.data))
        abort();
    free(s);
    return 0;
}
