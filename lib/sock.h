/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sock.h - a non-blocking stream socket driven against an absolute
 * deadline: the plain HTTP probe (http.c) and supervisord's socket
 * (supervisor.c) share it.
 */
#ifndef PMMHA_SOCK_H
#define PMMHA_SOCK_H

#include <stddef.h>
#include <sys/socket.h>

#include "deadline.h"

/** Until @fd is ready for @events (POLLIN, POLLOUT): 0, -ETIMEDOUT at @d,
 * or -errno. */
int ra_sock_wait(int fd, short events, ra_deadline_t d);

/** A non-blocking, close-on-exec socket of @addr's family connected to
 * @addr (waiting for an EINPROGRESS connect until @d): its descriptor, or
 * -errno. */
int ra_sock_connect(const struct sockaddr *addr, socklen_t len,
                    ra_deadline_t d);

/** Sends all of @buf (no SIGPIPE): 0 or -errno. */
int ra_sock_send_all(int fd, const char *buf, size_t len, ra_deadline_t d);

#endif
