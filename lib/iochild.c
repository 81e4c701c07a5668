/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iochild.c - device I/O in a forked child, waited for until a deadline
 * (see iochild.h).
 *
 * fork() without exec: the child is a copy of the agent, so it costs a
 * page-table copy and no program load. Right after the fork it puts stdin,
 * stdout and stderr on /dev/null (pacemaker-execd reads the agent's output
 * until EOF: a stuck child must not hold it) and closes every other fd but
 * the answer pipe. It leaves with _exit(): no atexit handlers, no stdio
 * flush of the parent's buffers, no sanitizer leak report. The parent polls
 * the pipe until it reads the whole answer and sees EOF, then waits on a
 * pidfd for the exit and reaps the child with waitpid(pid). No SIGCHLD
 * handler is needed, and the caller's signal setup is left alone.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "iochild.h"
#include "proc.h"

/* After SIGKILL, how long to look for a child that dies at once. */
#define IOCHILD_REAP_MS 10
/* Without a pidfd, how often waitpid(WNOHANG) looks for the exit. */
#define IOCHILD_POLL_MS 1
/* The child's answer pipe, once moved. */
#define IOCHILD_FD 3

/** The one message a child sends: its return value and its results. */
struct answer {
    int32_t rc;
    uint32_t len;
    unsigned char out[RA_IOCHILD_OUT_MAX];
};

_Static_assert(sizeof(struct answer) <= PIPE_BUF, "the answer is one write");

/* ---- the child ---------------------------------------------------------- */

/* Every fd from @from up, closed. */
static void
close_from(int from)
{
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned) from, ~0U, 0) == 0)
        return;
#endif
    for (long fd = from, max = sysconf(_SC_OPEN_MAX);
         fd < (max > 0 && max < 65536 ? max : 65536); fd++)
        (void) close((int) fd);
}

/* The answer pipe on IOCHILD_FD, stdio on /dev/null, nothing else. */
static int
child_fds(int wfd)
{
    int null;

    /* close-on-exec still: a program the function runs must not hold it */
    if (wfd != IOCHILD_FD && dup3(wfd, IOCHILD_FD, O_CLOEXEC) < 0)
        return -1;
    close_from(IOCHILD_FD + 1);
    null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0)
        return -1;
    for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++)
        if (fd != null && dup2(null, fd) < 0)
            return -1;
    if (null > STDERR_FILENO)
        close(null);
    return 0;
}

static void
write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        p += n;
        len -= (size_t) n;
    }
}

__attribute__((noreturn)) static void
child_main(pid_t parent, int wfd, ra_iochild_fn fn, void *arg, size_t len)
{
    static struct answer a; /* a copy of the parent's: no stack to spare */
    int rc;

    /* Pacemaker kills the whole process group; this covers the rest */
    (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent || child_fds(wfd) < 0)
        _exit(127);
    memset(&a, 0, sizeof a);
    rc = fn(arg, a.out, len);
    a.rc = rc == -ETIMEDOUT || rc == -ECHILD ? -EIO : rc;
    a.len = (uint32_t) len;
    write_all(IOCHILD_FD, &a, offsetof(struct answer, out) + len);
    _exit(0);
}

/* ---- the parent -----------------------------------------------------------
 */

/** A child being waited for. */
struct waiter {
    pid_t pid;
    int rfd;   /* the answer pipe, -1 at EOF */
    int pidfd; /* -1 without pidfd_open() */
    ra_deadline_t deadline;
    struct answer a;
    size_t got; /* bytes of @a read */
    bool reaped;
    int wstatus;
};

static void
close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Reads what the pipe holds; at EOF (or error) closes it. */
static void
read_answer(struct waiter *w)
{
    char scratch[64];
    ssize_t n;

    if (w->got < sizeof w->a)
        n = read(w->rfd, (char *) &w->a + w->got, sizeof w->a - w->got);
    else
        n = read(w->rfd, scratch, sizeof scratch);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0)
        close_fd(&w->rfd);
    else if (w->got < sizeof w->a)
        w->got += (size_t) n;
}

/* waitpid(pid) without blocking: true once reaped (or not ours). */
static bool
try_reap(struct waiter *w)
{
    pid_t p;

    do
        p = waitpid(w->pid, &w->wstatus, WNOHANG);
    while (p < 0 && errno == EINTR);
    if (p == w->pid || (p < 0 && errno == ECHILD))
        w->reaped = true;
    if (p < 0)
        w->wstatus = 0;
    return w->reaped;
}

/*
 * Waits until the child has exited (its pidfd readable, or waitpid polled)
 * or @until, and reaps it. Returns true when reaped.
 */
static bool
wait_exit(struct waiter *w, ra_deadline_t until)
{
    struct pollfd pfd = { .fd = w->pidfd, .events = POLLIN };

    while (!try_reap(w)) {
        int ms = ra_deadline_poll_ms(until);

        if (ra_deadline_passed(until))
            return false;
        if (w->pidfd < 0 && (ms < 0 || ms > IOCHILD_POLL_MS))
            ms = IOCHILD_POLL_MS;
        if (poll(&pfd, w->pidfd < 0 ? 0 : 1, ms) < 0 && errno != EINTR)
            return false;
    }
    return true;
}

/* Reads the answer until EOF or the deadline; true at EOF. */
static bool
wait_eof(struct waiter *w)
{
    struct pollfd pfd;

    while (w->rfd >= 0) {
        if (ra_deadline_passed(w->deadline))
            return false;
        pfd = (struct pollfd){ .fd = w->rfd, .events = POLLIN };
        if (poll(&pfd, 1, ra_deadline_poll_ms(w->deadline)) < 0
            && errno != EINTR)
            return false;
        if (pfd.revents)
            read_answer(w);
    }
    return true;
}

/* SIGKILL; reaped only if it dies at once (not when stuck in the kernel). */
static void
kill_child(struct waiter *w)
{
    (void) kill(w->pid, SIGKILL);
    (void) wait_exit(w, ra_deadline_in_ms(IOCHILD_REAP_MS));
}

static bool
complete(const struct waiter *w, size_t len)
{
    return w->got == offsetof(struct answer, out) + len && w->a.len == len;
}

/* Waits for the child; returns its answer's rc or the child's fate. */
static int
wait_child(struct waiter *w, size_t len, struct ra_iochild_result *res)
{
    bool eof = wait_eof(w);

    /* a child that answered and then stalls in exit is not waited for */
    if (!eof || !wait_exit(w, w->deadline))
        kill_child(w);
    res->answered = complete(w, len);
    if (res->answered)
        return w->a.rc;
    if (!eof) {
        res->timed_out = true;
        return -ETIMEDOUT;
    }
    if (w->reaped && WIFSIGNALED(w->wstatus))
        res->signal = WTERMSIG(w->wstatus);
    return -ECHILD;
}

/**
 * Runs @fn in a forked child until @deadline; see iochild.h. The child's
 * answer is the only thing that comes back from it.
 */
int
ra_iochild_run(ra_iochild_fn fn, void *arg, void *out, size_t len,
               ra_deadline_t deadline, struct ra_iochild_result *ret)
{
    struct ra_iochild_result res = { 0 };
    struct waiter w = { .rfd = -1, .pidfd = -1, .deadline = deadline };
    uint64_t t0 = ra_now_ns();
    pid_t self = getpid();
    int p[2], r;

    if (!fn || len > RA_IOCHILD_OUT_MAX || (len && !out))
        return -EINVAL;
    if (ra_deadline_passed(deadline)) {
        r = -ETIMEDOUT;
        res.timed_out = true;
        goto done;
    }
    if (pipe2(p, O_CLOEXEC) < 0) {
        r = -errno;
        goto done;
    }
    w.pid = fork();
    if (w.pid == 0)
        child_main(self, p[1], fn, arg, len);
    if (w.pid < 0) {
        r = -errno;
        close(p[0]);
        close(p[1]);
        goto done;
    }
    close(p[1]);
    w.rfd = p[0];
    w.pidfd = ra_pidfd_open(w.pid);
    r = wait_child(&w, len, &res);
    if (res.answered && len)
        memcpy(out, w.a.out, len);
    close_fd(&w.rfd);
    close_fd(&w.pidfd);
done:
    res.wait_ms = (ra_now_ns() - t0) / RA_NSEC_PER_MSEC;
    if (ret)
        *ret = res;
    return r;
}
