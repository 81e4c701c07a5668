/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bytes.h - fixed-width integers in on-disk byte order (superblocks, LVM
 * labels, our lease record), read and written without alignment concerns.
 */
#ifndef PMMHA_BYTES_H
#define PMMHA_BYTES_H

#include <stdint.h>

/** The @n-byte little-endian integer at @p. */
static inline uint64_t
ra_get_le(const unsigned char *p, int n)
{
    uint64_t v = 0;

    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/** The @n-byte big-endian integer at @p. */
static inline uint64_t
ra_get_be(const unsigned char *p, int n)
{
    uint64_t v = 0;

    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/** Writes @v at @p as @n little-endian bytes. */
static inline void
ra_put_le(unsigned char *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (unsigned char) (v >> (8 * i));
}

#endif
