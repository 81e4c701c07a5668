/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spawn.c - run a program without a shell (see ra-spawn.h).
 *
 * The child is started with posix_spawn() in the caller's process group,
 * with an empty signal mask and default dispositions. Its exit is noticed
 * through a pidfd in the same poll() that drains its output pipes (or, on
 * kernels without pidfd_open, by polling waitpid() every few milliseconds),
 * so no SIGCHLD handler is needed and the caller's signal setup is left
 * alone. It is reaped with waitpid(pid) only.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "ra-spawn.h"

/* Upper bound of the SIGTERM-to-SIGKILL wait, whatever the caller asks. */
#define SPAWN_GRACE_MAX_MS 10000
/* After the child exited, how long a grandchild may keep its pipes open. */
#define SPAWN_LINGER_MS 200
/* After a kill, only what is already in the pipes is read. */
#define SPAWN_DRAIN_MS 5
/* Without a pidfd, how often waitpid(WNOHANG) looks for the exit. */
#define SPAWN_REAP_POLL_MS 10

static char env_path[]
    = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
static char env_lc_all[] = "LC_ALL=C";

static const char *const sys_dirs[] = {
    "/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
    "/usr/bin",        "/sbin",          "/bin",
};

/** One captured output stream. */
struct stream {
    int fd; /* read end, -1 once at EOF */
    char *buf;
    size_t len;
};

/** A running child and everything needed to finish it. */
struct child {
    pid_t pid; /* 0 before the spawn */
    int pidfd; /* -1 without pidfd_open() */
    bool reaped;
    int wstatus;  /* from waitpid() once reaped */
    int wait_err; /* -errno if waitpid() failed (ECHILD) */
    bool timed_out;
    bool term_sent;
    ra_deadline_t deadline;  /* the caller's: SIGTERM then */
    int grace_ms;            /* SIGTERM to SIGKILL */
    ra_deadline_t kill_at;   /* when SIGTERM was sent: SIGKILL time */
    ra_deadline_t finish_at; /* once reaped: stop waiting for EOF */
    struct stream io[2];     /* stdout, stderr */
};

static ra_deadline_t
later_ms(int ms)
{
    return ra_now_ns() + (uint64_t) ms * RA_NSEC_PER_MSEC;
}

static void
close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Moves *fd above stdio, so that the child's dup2()s cannot clobber it. */
static int
fd_above_stdio(int *fd)
{
    int nfd;

    if (*fd > STDERR_FILENO)
        return 0;
    nfd = fcntl(*fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
    if (nfd < 0)
        return -errno;
    close(*fd);
    *fd = nfd;
    return 0;
}

/* An O_CLOEXEC pipe with both ends above stdio. */
static int
make_pipe(int p[2])
{
    int r;

    if (pipe2(p, O_CLOEXEC) < 0)
        return -errno;
    r = fd_above_stdio(&p[0]);
    if (r == 0)
        r = fd_above_stdio(&p[1]);
    if (r < 0) {
        close_fd(&p[0]);
        close_fd(&p[1]);
    }
    return r;
}

static bool
env_has(char *const extra_env[], const char *prefix)
{
    size_t n = strlen(prefix);

    for (size_t i = 0; extra_env && extra_env[i]; i++)
        if (strncmp(extra_env[i], prefix, n) == 0)
            return true;
    return false;
}

/* PATH and LC_ALL=C (unless @extra_env sets them) followed by @extra_env. */
static int
build_env(char *const extra_env[], char ***ret)
{
    size_t n = 0, i = 0;
    char **env;

    while (extra_env && extra_env[n])
        n++;
    env = calloc(n + 3, sizeof *env);
    if (!env)
        return -ENOMEM;
    if (!env_has(extra_env, "PATH="))
        env[i++] = env_path;
    if (!env_has(extra_env, "LC_ALL="))
        env[i++] = env_lc_all;
    for (size_t j = 0; j < n; j++)
        env[i++] = extra_env[j];
    *ret = env;
    return 0;
}

static int
child_init(struct child *c, ra_deadline_t deadline, int grace_ms)
{
    memset(c, 0, sizeof *c);
    c->pidfd = -1;
    c->deadline = deadline;
    c->grace_ms = grace_ms;
    for (int i = 0; i < 2; i++) {
        c->io[i].fd = -1;
        c->io[i].buf = malloc(RA_SPAWN_OUT_MAX + 1);
        if (!c->io[i].buf)
            return -ENOMEM;
    }
    return 0;
}

/*
 * stdout and stderr to the pipes, nothing else (stdin opened last, once the
 * other fds are gone: it works even when the caller is out of fds).
 */
static int
file_actions(posix_spawn_file_actions_t *fa, const int out[2], const int err[2])
{
    int r;

    r = posix_spawn_file_actions_init(fa);
    if (r != 0)
        return -r;
    r = posix_spawn_file_actions_adddup2(fa, out[1], STDOUT_FILENO);
    if (r == 0)
        r = posix_spawn_file_actions_adddup2(fa, err[1], STDERR_FILENO);
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 34)
    /* Belt and braces: an fd someone opened without O_CLOEXEC. */
    if (r == 0)
        r = posix_spawn_file_actions_addclosefrom_np(fa, STDERR_FILENO + 1);
#endif
    if (r == 0)
        r = posix_spawn_file_actions_addopen(fa, STDIN_FILENO, "/dev/null",
                                             O_RDONLY, 0);
    if (r != 0)
        posix_spawn_file_actions_destroy(fa);
    return -r;
}

/* Empty signal mask and default dispositions; same process group. */
static int
spawn_attr(posix_spawnattr_t *attr)
{
    static const int sigs[] = { SIGTERM, SIGINT,  SIGCHLD, SIGPIPE, SIGHUP,
                                SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM };
    sigset_t mask, def;
    int r;

    sigemptyset(&mask);
    sigemptyset(&def);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&def, sigs[i]);
    r = posix_spawnattr_init(attr);
    if (r != 0)
        return -r;
    r = posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK
                                           | POSIX_SPAWN_SETSIGDEF);
    if (r == 0)
        r = posix_spawnattr_setsigmask(attr, &mask);
    if (r == 0)
        r = posix_spawnattr_setsigdefault(attr, &def);
    if (r != 0)
        posix_spawnattr_destroy(attr);
    return -r;
}

/* Spawns the child with its output on two new pipes. */
static int
child_start(struct child *c, char *const argv[], char *const envp[])
{
    int out[2] = { -1, -1 }, err[2] = { -1, -1 };
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int r;

    r = make_pipe(out);
    if (r == 0)
        r = make_pipe(err);
    if (r < 0)
        goto done;
    r = file_actions(&fa, out, err);
    if (r < 0)
        goto done;
    r = spawn_attr(&attr);
    if (r == 0) {
        r = -posix_spawn(&c->pid, argv[0], &fa, &attr, argv, envp);
        posix_spawnattr_destroy(&attr);
    }
    posix_spawn_file_actions_destroy(&fa);
    if (r < 0) {
        c->pid = 0;
        goto done;
    }
    c->pidfd = ra_pidfd_open(c->pid);
    c->io[0].fd = out[0];
    c->io[1].fd = err[0];
    out[0] = err[0] = -1;
done:
    close_fd(&out[0]);
    close_fd(&out[1]);
    close_fd(&err[0]);
    close_fd(&err[1]);
    return r;
}

/* Reads what is there; past the cap it is read and thrown away. */
static void
stream_read(struct stream *s)
{
    char scratch[4096];
    char *dst = scratch;
    size_t room = sizeof scratch;
    ssize_t n;

    if (s->len < RA_SPAWN_OUT_MAX) {
        dst = s->buf + s->len;
        room = RA_SPAWN_OUT_MAX - s->len;
    }
    n = read(s->fd, dst, room);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        close_fd(&s->fd);
        return;
    }
    if (dst != scratch)
        s->len += (size_t) n;
}

/*
 * The child is gone: give a grandchild that inherited its pipes a short
 * while to close them, but never past the deadline (the pipes are still read
 * until then: what the child wrote before it exited is already in them).
 */
static void
child_note_exit(struct child *c, int wstatus, int err)
{
    ra_deadline_t drain = later_ms(SPAWN_DRAIN_MS);

    c->reaped = true;
    c->wstatus = wstatus;
    c->wait_err = err;
    close_fd(&c->pidfd);
    c->finish_at = drain;
    if (!c->timed_out) {
        c->finish_at = later_ms(SPAWN_LINGER_MS);
        if (c->deadline && c->deadline < c->finish_at)
            c->finish_at = c->deadline > drain ? c->deadline : drain;
    }
}

/* waitpid(pid), without blocking unless @block. */
static void
child_reap(struct child *c, bool block)
{
    int st = 0;
    pid_t p;

    if (c->reaped)
        return;
    do
        p = waitpid(c->pid, &st, block ? 0 : WNOHANG);
    while (p < 0 && errno == EINTR);
    if (p == c->pid)
        child_note_exit(c, st, 0);
    else if (p < 0)
        child_note_exit(c, 0, -errno);
}

/* Last resort: SIGKILL and a blocking reap. A killed process dies at once. */
static void
child_kill_now(struct child *c)
{
    if (c->pid <= 0 || c->reaped)
        return;
    kill(c->pid, SIGKILL);
    child_reap(c, true);
}

/* Acts on the deadline: SIGTERM first, SIGKILL once the grace is over. */
static void
child_escalate(struct child *c)
{
    if (c->reaped)
        return;
    if (!c->term_sent && ra_deadline_passed(c->deadline)) {
        c->timed_out = true;
        c->term_sent = true;
        c->kill_at = later_ms(c->grace_ms);
        if (c->grace_ms > 0) {
            kill(c->pid, SIGTERM);
            return;
        }
    }
    if (c->term_sent && ra_deadline_passed(c->kill_at))
        child_kill_now(c);
}

/* How long the next poll() may sleep. */
static int
child_poll_ms(const struct child *c)
{
    int ms;

    if (c->reaped)
        return ra_deadline_poll_ms(c->finish_at);
    ms = ra_deadline_poll_ms(c->term_sent ? c->kill_at : c->deadline);
    if (c->pidfd < 0 && (ms < 0 || ms > SPAWN_REAP_POLL_MS))
        ms = SPAWN_REAP_POLL_MS;
    return ms;
}

static bool
child_done(const struct child *c)
{
    if (!c->reaped)
        return false;
    return (c->io[0].fd < 0 && c->io[1].fd < 0)
           || ra_deadline_passed(c->finish_at);
}

/* Drains the pipes until the child is reaped and both are at EOF. */
static int
child_wait(struct child *c)
{
    struct pollfd pfd[3];

    while (!child_done(c)) {
        pfd[0] = (struct pollfd){ .fd = c->io[0].fd, .events = POLLIN };
        pfd[1] = (struct pollfd){ .fd = c->io[1].fd, .events = POLLIN };
        pfd[2] = (struct pollfd){ .fd = c->reaped ? -1 : c->pidfd,
                                  .events = POLLIN };
        if (poll(pfd, 3, child_poll_ms(c)) < 0 && errno != EINTR) {
            int r = -errno;

            child_kill_now(c);
            return r;
        }
        for (int i = 0; i < 2; i++)
            if (pfd[i].fd >= 0 && pfd[i].revents)
                stream_read(&c->io[i]);
        child_reap(c, false);
        child_escalate(c);
    }
    return c->wait_err;
}

static int
exit_status(int wstatus)
{
    if (WIFSIGNALED(wstatus))
        return 128 + WTERMSIG(wstatus);
    return WEXITSTATUS(wstatus);
}

/* Hands the buffers over to @ret, trimmed to size. */
static void
child_result(struct child *c, struct ra_spawn_result *ret)
{
    char *bufs[2];

    for (int i = 0; i < 2; i++) {
        struct stream *s = &c->io[i];

        s->buf[s->len] = '\0';
        bufs[i] = realloc(s->buf, s->len + 1);
        if (!bufs[i])
            bufs[i] = s->buf;
        s->buf = NULL;
    }
    *ret = (struct ra_spawn_result){
        .status = exit_status(c->wstatus),
        .timed_out = c->timed_out,
        .out = bufs[0],
        .out_len = c->io[0].len,
        .err = bufs[1],
        .err_len = c->io[1].len,
    };
}

static void
child_cleanup(struct child *c)
{
    child_kill_now(c);
    close_fd(&c->pidfd);
    for (int i = 0; i < 2; i++) {
        close_fd(&c->io[i].fd);
        free(c->io[i].buf);
        c->io[i].buf = NULL;
    }
}

static int
clamp_grace(int ms)
{
    if (ms < 0)
        return 0;
    return ms > SPAWN_GRACE_MAX_MS ? SPAWN_GRACE_MAX_MS : ms;
}

/** A child started by ra_spawn_begin(), finished by ra_spawn_finish(). */
struct ra_spawn_job {
    struct child c;
    char **envp;
};

static void
job_free(struct ra_spawn_job *j)
{
    child_cleanup(&j->c);
    free(j->envp);
    free(j);
}

/**
 * Starts a program without a shell and returns at once: see ra-spawn.h. The
 * deadline is acted on only while ra_spawn_finish() waits.
 */
int
ra_spawn_begin(char *const argv[], char *const extra_env[],
               ra_deadline_t deadline, int kill_grace_ms,
               struct ra_spawn_job **ret_job)
{
    struct ra_spawn_job *j;
    int r;

    if (!argv || !argv[0] || argv[0][0] != '/' || !ret_job)
        return -EINVAL;
    if (ra_deadline_passed(deadline))
        return -ETIMEDOUT;
    j = calloc(1, sizeof *j);
    if (!j)
        return -ENOMEM;
    r = child_init(&j->c, deadline, clamp_grace(kill_grace_ms));
    if (r == 0)
        r = build_env(extra_env, &j->envp);
    if (r == 0)
        r = child_start(&j->c, argv, j->envp);
    if (r < 0) {
        job_free(j);
        return r;
    }
    *ret_job = j;
    return 0;
}

/**
 * Waits for the child of @job (killing it at its deadline), collects its
 * output and status in @ret and frees @job, whatever the outcome. Accepts a
 * NULL @job (returns -EINVAL).
 */
int
ra_spawn_finish(struct ra_spawn_job *job, struct ra_spawn_result *ret)
{
    int r;

    if (!job)
        return -EINVAL;
    r = child_wait(&job->c);
    if (r == 0 && ret)
        child_result(&job->c, ret);
    job_free(job);
    return r;
}

/**
 * Runs a program without a shell and collects its output and status,
 * killing it when @deadline comes: see ra-spawn.h. The child is always reaped
 * before this returns, whatever the outcome.
 */
int
ra_spawn(char *const argv[], char *const extra_env[], ra_deadline_t deadline,
         int kill_grace_ms, struct ra_spawn_result *ret)
{
    struct ra_spawn_job *job;
    int r;

    if (!ret)
        return -EINVAL;
    r = ra_spawn_begin(argv, extra_env, deadline, kill_grace_ms, &job);
    return r < 0 ? r : ra_spawn_finish(job, ret);
}

/** Frees the output buffers of @r and clears them; accepts NULL. */
void
ra_last_line(const char *s, char *buf, size_t len)
{
    const char *end, *start;

    buf[0] = '\0';
    if (!s)
        return;
    end = s + strlen(s);
    while (end > s && isspace((unsigned char) end[-1]))
        end--;
    start = end;
    while (start > s && start[-1] != '\n')
        start--;
    while (start < end && isspace((unsigned char) *start))
        start++;
    snprintf(buf, len, "%.*s", (int) (end - start), start);
}

void
ra_spawn_result_free(struct ra_spawn_result *r)
{
    if (!r)
        return;
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
    r->out_len = r->err_len = 0;
}

/**
 * Looks @name up in the fixed system directories, not in $PATH: agents run
 * with whatever environment Pacemaker gives them.
 */
int
ra_find_program(const char *name, char *buf, size_t len)
{
    char path[PATH_MAX];
    struct stat st;

    if (!name || !*name || strchr(name, '/'))
        return -ENOENT;
    for (size_t i = 0; i < sizeof sys_dirs / sizeof sys_dirs[0]; i++) {
        int n = snprintf(path, sizeof path, "%s/%s", sys_dirs[i], name);

        if (n < 0 || (size_t) n >= sizeof path)
            return -ENAMETOOLONG;
        if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)
            || access(path, X_OK) < 0)
            continue;
        if ((size_t) n >= len)
            return -ENAMETOOLONG;
        memcpy(buf, path, (size_t) n + 1);
        return 0;
    }
    return -ENOENT;
}

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

/* Inside double quotes a backslash escapes only these (as in sh). */
static bool
dq_escapable(char c)
{
    return c == '"' || c == '\\' || c == '$' || c == '`';
}

/* One character of a word: stored when there is a buffer, counted always. */
static void
put(char *buf, size_t *pos, char c)
{
    if (buf)
        buf[*pos] = c;
    (*pos)++;
}

/*
 * Splits @s. A first pass with @argv NULL counts words and bytes; a second
 * one stores the words in @argv and their text in @buf. Returns the number
 * of words or -EINVAL.
 */
static long
split_pass(const char *s, char **argv, char *buf, size_t *nbytes)
{
    size_t n = 0, pos = 0;
    bool in_word = false;
    char q = 0; /* the open quote, if any */

    for (const char *p = s; *p; p++) {
        if (!q && is_blank(*p)) {
            if (in_word) {
                put(buf, &pos, '\0');
                n++;
            }
            in_word = false;
            continue;
        }
        if (*p == '\\' && p[1] == '\n' && q != '\'') {
            p++; /* line continuation */
            continue;
        }
        if (!in_word && argv)
            argv[n] = buf + pos;
        in_word = true;
        if (q == '\'') {
            if (*p == '\'')
                q = 0;
            else
                put(buf, &pos, *p);
        } else if (q == '"') {
            if (*p == '"')
                q = 0;
            else if (*p == '\\' && dq_escapable(p[1]))
                put(buf, &pos, *++p);
            else
                put(buf, &pos, *p);
        } else if (*p == '\'' || *p == '"') {
            q = *p;
        } else if (*p == '\\') {
            if (!p[1])
                return -EINVAL; /* nothing to escape */
            put(buf, &pos, *++p);
        } else {
            put(buf, &pos, *p);
        }
    }
    if (q)
        return -EINVAL;
    if (in_word) {
        put(buf, &pos, '\0');
        n++;
    }
    *nbytes = pos;
    return n > INT_MAX ? -E2BIG : (long) n;
}

/**
 * Splits a parameter such as run_opts into words the way a shell would
 * quote them, but without any expansion; see ra-spawn.h.
 */
int
ra_split_words(const char *s, char ***ret_argv)
{
    size_t nbytes = 0, vec;
    char **argv;
    long n;

    if (!s || !ret_argv)
        return -EINVAL;
    n = split_pass(s, NULL, NULL, &nbytes);
    if (n < 0)
        return (int) n;
    vec = ((size_t) n + 1) * sizeof *argv;
    argv = malloc(vec + nbytes);
    if (!argv)
        return -ENOMEM;
    split_pass(s, argv, (char *) argv + vec, &nbytes);
    argv[n] = NULL;
    *ret_argv = argv;
    return (int) n;
}

/** Frees a vector from ra_split_words(); accepts NULL. */
void
ra_argv_free(char **argv)
{
    free(argv);
}
