/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-repl-vm.c - agents/repl-vm.c: what pmmha-replicator's metrics
 * stream reads of VictoriaMetrics' answers: a /metrics page's flags
 * (repl_vm_flag: retentionPeriod, dedup.minScrapeInterval) and start time
 * (repl_vm_started), -retentionPeriod's value (repl_vm_retention_ms) and
 * an /api/v1/labels answer (repl_vm_labels_any).
 *
 * Input: the page (also read as the labels answer); its first line is
 * also read as a -retentionPeriod value.
 */
#include "config.h"

#include <stdbool.h>

#include "../../agents/repl-window.h"
#include "fuzz.h"

bool repl_stopping(void);

bool
repl_stopping(void)
{
    return false;
}

static void
check_retention(const char *v)
{
    int64_t ms = repl_vm_retention_ms(v);

    /* the caller takes <= 0 for "use the default"; never past 100 years */
    if (ms < -1 || ms > INT64_C(100) * 365 * 86400000)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *page = fz_str(data, size), *v;

    v = repl_vm_flag(page, "retentionPeriod");
    if (v && strchr(v, '"'))
        abort();
    check_retention(v);
    free(v);
    v = repl_vm_flag(page, "dedup.minScrapeInterval");
    if (v)
        (void) strtod(v, NULL);
    free(v);
    (void) repl_vm_started(page);
    (void) repl_vm_labels_any(page);
    page[strcspn(page, "\n")] = '\0';
    check_retention(page);
    free(page);
    return 0;
}
