/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sock.c - a stream socket against a deadline (see sock.h) */
#include "config.h"

#include "sock.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

int
ra_sock_wait(int fd, short events, ra_deadline_t d)
{
    struct pollfd p = { .fd = fd, .events = events };

    for (;;) {
        int r = poll(&p, 1, ra_deadline_left_ms(d));

        if (r > 0)
            return 0;
        if (r == 0)
            return -ETIMEDOUT;
        if (errno != EINTR)
            return -errno;
    }
}

int
ra_sock_connect(const struct sockaddr *addr, socklen_t len, ra_deadline_t d)
{
    int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    0);
    int r = 0, err = 0;
    socklen_t elen = sizeof err;

    if (fd < 0)
        return -errno;
    if (connect(fd, addr, len) < 0) {
        r = errno == EINPROGRESS || errno == EAGAIN
                ? ra_sock_wait(fd, POLLOUT, d)
                : -errno;
        if (r == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0
            && err)
            r = -err;
    }
    if (r < 0) {
        close(fd);
        return r;
    }
    return fd;
}

int
ra_sock_send_all(int fd, const char *buf, size_t len, ra_deadline_t d)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EAGAIN) {
            int r = ra_sock_wait(fd, POLLOUT, d);

            if (r < 0)
                return r;
            continue;
        }
        if (n < 0 && errno != EINTR)
            return -errno;
        if (n > 0)
            buf += n, len -= (size_t) n;
    }
    return 0;
}
