/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * putfile.h - the unit tests' one way to write a file. Include after
 * <cmocka.h>.
 */
#ifndef PMMHA_PUTFILE_H
#define PMMHA_PUTFILE_H

#include <stdio.h>

/* Writes @text as the file @path. */
static inline void
put_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

#endif
