/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-lease.c - lib/lease.c: the lease record read from the shared device
 * (ra_lease_decode), its state at some time, and a decoded record encoded
 * again, which must give the same record back.
 *
 * Input: byte 0, bit 0 set: the harness makes the checksum right first;
 * then the record (padded with zeros to RA_LEASE_RECORD bytes); 8 bytes
 * after it, if present, are "now".
 */
#include "config.h"

#include <stdbool.h>

#include "../../lib/bytes.h"
#include "../../lib/lease.h"
#include "fuzz.h"

/* CRC-32 (IEEE 802.3), as the record's checksum. */
static uint32_t
crc32(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;

    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return ~c;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char rec[RA_LEASE_BLOCK] = { 0 }, again[RA_LEASE_BLOCK];
    struct ra_lease l, l2;
    uint64_t now = 0;
    size_t n;

    if (size < 1)
        return 0;
    n = size - 1 < RA_LEASE_RECORD ? size - 1 : RA_LEASE_RECORD;
    memcpy(rec, data + 1, n);
    if (size - 1 >= RA_LEASE_RECORD + 8)
        now = ra_get_le(data + 1 + RA_LEASE_RECORD, 8);
    if (data[0] & 1)
        ra_put_le(rec + RA_LEASE_RECORD - 4, crc32(rec, RA_LEASE_RECORD - 4),
                  4);
    if (ra_lease_decode(rec, RA_LEASE_RECORD - 1, &l) != -EINVAL)
        abort();
    if (ra_lease_decode(rec, RA_LEASE_RECORD, &l) != 0)
        return 0;
    if (!memchr(l.holder, '\0', sizeof l.holder)
        || !memchr(l.fsid, '\0', sizeof l.fsid))
        abort();
    /* fail closed: a holder's renewal not yet past is live, whatever the
     * duration (no wrap-around into "expired") */
    if (!(l.flags & RA_LEASE_RELEASED) && now < l.renewed_ns
        && (ra_lease_state(&l, now, 0) != RA_LEASE_LIVE
            || ra_lease_state(&l, now, 30000) != RA_LEASE_LIVE))
        abort();
    ra_lease_encode(&l, again);
    if (ra_lease_decode(again, sizeof again, &l2) != 0 || l2.flags != l.flags
        || l2.counter != l.counter || l2.renewed_ns != l.renewed_ns
        || l2.duration_ms != l.duration_ms || strcmp(l2.holder, l.holder) != 0
        || strcmp(l2.fsid, l.fsid) != 0)
        abort();
    return 0;
}
