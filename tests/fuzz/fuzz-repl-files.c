/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-repl-files.c - agents/repl-status.c: the files pmmha-replicator
 * reads: a credentials file (repl_secret_read: one user:password line, in
 * a 0600 file of ours) and its watermarks file read back (repl_mark_get,
 * through lib/state.c, which fuzz-state covers alone), and the numbers in
 * PostgreSQL's answers (repl_pg_parse_i64, agents/repl-pg.c).
 *
 * Input: the file's bytes, written as both files; as text, the number.
 */
#include "config.h"

#include <stdbool.h>

#include "../../agents/repl-pg.h"
#include "../../agents/repl.h"
#include "fuzz.h"

bool repl_stopping(void);

bool
repl_stopping(void)
{
    return false;
}

static void
secret(const uint8_t *data, size_t size, const char *path)
{
    char *user = NULL, *password = NULL, why[256];

    fz_write(path, data, size);
    if (repl_secret_read(path, &user, &password, why, sizeof why) < 0)
        return;
    if (!user[0] || strpbrk(user, ":\r\n") || strpbrk(password, "\r\n"))
        abort(); /* one line, a user before its first colon */
    free(user);
    free(password);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const keys[]
        = { "metrics.watermark", "metrics.safe", "qan.position", "" };
    static struct repl r;
    static char path[128], marks[128];
    char *s;
    int64_t v;

    if (!path[0]) {
        r.conf.state_dir = fz_dir();
        snprintf(path, sizeof path, "%s/auth", fz_dir());
        snprintf(marks, sizeof marks, "%s/marks", fz_dir());
    }
    secret(data, size, path);

    fz_write(marks, data, size);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        (void) repl_mark_get(&r, keys[i], &v);

    s = fz_str(data, size);
    if (repl_pg_parse_i64(s, &v) == 0 && strtoll(s, NULL, 10) != v)
        abort();
    free(s);
    return 0;
}
