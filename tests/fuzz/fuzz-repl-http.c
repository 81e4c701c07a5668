/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-repl-http.c - agents/repl-http.c: what pmmha-replicator's HTTP
 * transfers read of an answer themselves: a header line as libcurl hands
 * it over, read for the Date (the source's clock: repl_http_date), and an
 * error answer's start masked of the credentials before it is logged
 * (repl_http_mask).
 *
 * Input: the header line (whole, as bytes); also user "\n--\n" password
 * "\n--\n" the error message to mask.
 */
#include "config.h"

#include <stdbool.h>

#include "../../agents/repl-http.h"
#include "fuzz.h"

bool repl_stopping(void);

bool
repl_stopping(void)
{
    return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct repl_http_ep ep = { "http://127.0.0.1:8123", NULL, NULL };
    char *part[3], *hdr = malloc(size ? size : 1);
    int64_t ms = -1;

    /* the line is not NUL-terminated: ASan sees a read past its end */
    if (!hdr)
        abort();
    memcpy(hdr, data, size);
    if (repl_http_date(hdr, size, &ms) && ms < 0)
        abort();
    free(hdr);

    fz_split(data, size, part, 3);
    ep.user = part[0][0] ? part[0] : NULL;
    ep.password = part[1];
    repl_http_mask(part[2], &ep);
    /* a password of 3 or more characters (without the mask's '*') is
     * never left in a message */
    if (ep.user && strlen(ep.password) >= 3 && !strchr(ep.password, '*')
        && strstr(part[2], ep.password))
        abort();
    free(part[0]);
    return 0;
}
