/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * loopback.h - the unit tests' fake servers listen on 127.0.0.1, on a port
 * the kernel picks. Include after <cmocka.h>.
 */
#ifndef PMMHA_LOOPBACK_H
#define PMMHA_LOOPBACK_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* A listening socket into *@ret_fd; returns its port. */
static inline int
loopback_listen(int *ret_fd)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t len = sizeof a;
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    assert_true(s >= 0);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s, (struct sockaddr *) &a, sizeof a), 0);
    assert_int_equal(listen(s, 16), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *) &a, &len), 0);
    *ret_fd = s;
    return ntohs(a.sin_port);
}

#endif
