/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-lvm-pv.c - lib/lvm.c's reading of a PV: the label in one of the
 * first four sectors, the PV header's lists of areas, each metadata area's
 * header and its (possibly wrapping) text, then the text itself.
 *
 * Input: byte 0, bit 0 set: the harness makes every checksum right first
 * (as LVM would have written them), so that the fuzzer reaches what lies
 * behind them; the rest is the PV's first bytes, written to a scratch file.
 */
#include "config.h"

#include "../../lib/bytes.h"
#include "../../lib/lvm.h"
#include "fuzz.h"

#define SECTOR 512
#define MDA_HEADER 512

/* The text checksum of the area at @h, reading as lib/lvm.c does. */
static void
fix_mda(unsigned char *img, size_t size, uint64_t at)
{
    unsigned char *h = img + at;
    uint64_t area = ra_get_le(h + 32, 8), ro = ra_get_le(h + 40, 8);
    uint64_t rs = ra_get_le(h + 48, 8), first;
    uint32_t crc;

    if (ro < MDA_HEADER || ro >= area || rs > area - MDA_HEADER)
        goto header;
    first = ro + rs > area ? area - ro : rs;
    if (ro > size - at || first > size - at - ro
        || rs - first > size - at - MDA_HEADER)
        goto header;
    crc = lvm_crc(LVM_CRC_INITIAL, h + ro, first);
    crc = lvm_crc(crc, h + MDA_HEADER, rs - first);
    ra_put_le(h + 56, crc, 4);
header:
    ra_put_le(h, lvm_crc(LVM_CRC_INITIAL, h + 4, MDA_HEADER - 4), 4);
}

static void
fix_checksums(unsigned char *img, size_t size)
{
    for (unsigned i = 0; i < 4 && (i + 1) * SECTOR <= size; i++) {
        unsigned char *lh = img + i * SECTOR;
        uint32_t off = (uint32_t) ra_get_le(lh + 20, 4);
        int list = 0;

        if (memcmp(lh, "LABELONE", 8) != 0 || ra_get_le(lh + 8, 8) != i)
            continue;
        ra_put_le(lh + 16, lvm_crc(LVM_CRC_INITIAL, lh + 20, SECTOR - 20), 4);
        if (off < 32 || off > SECTOR - 56)
            return;
        for (size_t at = off + 40; at + 16 <= SECTOR && list < 2; at += 16) {
            uint64_t mda = ra_get_le(lh + at, 8);

            if (mda == 0)
                list++;
            else if (list == 1 && mda <= size && size - mda >= MDA_HEADER)
                fix_mda(img, size, mda);
        }
        /* the label's own checksum covers the areas' list, fixed above */
        ra_put_le(lh + 16, lvm_crc(LVM_CRC_INITIAL, lh + 20, SECTOR - 20), 4);
        return;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct lvm_md_vg vg;
    static char path[128];
    unsigned char *img;

    if (size < 1)
        return 0;
    if (!path[0])
        snprintf(path, sizeof path, "%s/pv", fz_dir());
    img = malloc(size);
    if (!img)
        abort();
    memcpy(img, data + 1, size - 1);
    if (data[0] & 1)
        fix_checksums(img, size - 1);
    fz_write(path, img, size - 1);
    free(img);
    (void) lvm_pv_read_vg(path, &vg);
    return 0;
}
