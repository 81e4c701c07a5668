/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz.h - helpers shared by the libFuzzer harnesses: the input as C
 * strings, split into parts, and a scratch directory for the parsers that
 * read files.
 */
#ifndef PMMHA_FUZZ_H
#define PMMHA_FUZZ_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy of @size bytes of @data (free it). */
static inline char *
fz_str(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/*
 * Splits the input at each "\n--\n" into at most @max NUL-terminated parts
 * (in one allocation, free parts[0]); returns how many. A harness feeds
 * each part to a different argument of the parser.
 */
static inline size_t
fz_split(const uint8_t *data, size_t size, char **parts, size_t max)
{
    char *s = fz_str(data, size), *p = s;
    size_t n = 0;

    while (n + 1 < max) {
        char *sep = strstr(p, "\n--\n");

        if (!sep)
            break;
        *sep = '\0';
        parts[n++] = p;
        p = sep + 4;
    }
    parts[n++] = p;
    for (size_t i = n; i < max; i++)
        parts[i] = p + strlen(p); /* "" */
    return n;
}

/* Writes @size bytes to @path (created or truncated); aborts on failure. */
static inline void
fz_write(const char *path, const void *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    if (fd < 0 || (size && write(fd, data, size) != (ssize_t) size)) {
        perror(path);
        abort();
    }
    close(fd);
}

static char fz_dir_path[64];

static inline int
fz_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void) st, (void) flag, (void) ftw;
    remove(path);
    return 0;
}

static inline void
fz_rm_dir(void)
{
    nftw(fz_dir_path, fz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A private scratch directory (under /dev/shm when it exists), made once
 * and removed at exit. */
static inline const char *
fz_dir(void)
{
    char *dir = fz_dir_path;

    if (!dir[0]) {
        snprintf(dir, sizeof fz_dir_path, "%s/pmmha-fuzz.XXXXXX",
                 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
        if (!mkdtemp(dir)) {
            perror(dir);
            abort();
        }
        atexit(fz_rm_dir);
    }
    return dir;
}

#endif
