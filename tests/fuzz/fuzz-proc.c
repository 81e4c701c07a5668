/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-proc.c - /proc records: a /proc/PID/stat line (lib/proc.c: the start
 * time after a comm that may hold blanks and parentheses) and
 * /proc/PID/maps lines (lib/procuse.c: which processes map a file of a
 * given device), read from a scratch proc tree.
 *
 * Input: STAT\n--\nMAPS; the device is the first two bytes.
 */
#include "config.h"

#include <sys/types.h>

#include "../../lib/proc.h"
#include "../../lib/procuse.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char proc[128], maps[160];
    char *part[2];
    uint64_t start;
    pid_t pids[4];
    int r;

    if (size < 2)
        return 0;
    fz_split(data + 2, size - 2, part, 2);
    r = ra_proc_stat_parse(part[0], &start);
    if (r != 0 && r != -EIO && r != -ESRCH)
        abort();

    if (!proc[0]) {
        snprintf(proc, sizeof proc, "%s/proc", fz_dir());
        snprintf(maps, sizeof maps, "%s/4242", proc);
        if (mkdir(proc, 0700) < 0 || mkdir(maps, 0700) < 0)
            abort();
        snprintf(maps, sizeof maps, "%s/4242/maps", proc);
    }
    fz_write(maps, part[1], strlen(part[1]));
    r = ra_procs_using(proc, data[0], data[1], pids, 4);
    if (r < 0 || r > 1)
        abort(); /* one process in this tree */
    free(part[0]);
    return 0;
}
