/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "deadline.h"

uint64_t
ra_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * RA_NSEC_PER_SEC + (uint64_t) ts.tv_nsec;
}

uint64_t
ra_wallclock_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t) ts.tv_sec * RA_NSEC_PER_SEC + (uint64_t) ts.tv_nsec;
}

ra_deadline_t
ra_deadline_in_ms(uint64_t ms)
{
    return ra_now_ns() + ms * RA_NSEC_PER_MSEC;
}

int
ra_deadline_left_ms(ra_deadline_t d)
{
    uint64_t now = ra_now_ns(), left;

    if (d <= now)
        return 0;
    left = (d - now + RA_NSEC_PER_MSEC - 1) / RA_NSEC_PER_MSEC;
    return left > INT32_MAX ? INT32_MAX : (int) left;
}

int
ra_deadline_passed(ra_deadline_t d)
{
    return d && ra_now_ns() >= d;
}

ra_deadline_t
ra_deadline_min(ra_deadline_t a, ra_deadline_t b)
{
    if (!a || !b)
        return a ? a : b;
    return a < b ? a : b;
}

int
ra_deadline_poll_ms(ra_deadline_t d)
{
    return d ? ra_deadline_left_ms(d) : -1;
}

uint64_t
ra_deadline_margin_ms(uint64_t timeout_ms)
{
    uint64_t m = timeout_ms / 10;

    if (m < 500)
        m = 500;
    if (m > 5000)
        m = 5000;
    /* a timeout shorter than twice the margin keeps half of itself */
    if (m > timeout_ms / 2)
        m = timeout_ms / 2;
    return m;
}

ra_deadline_t
ra_deadline_for_op(uint64_t start_ns, uint64_t timeout_ms)
{
    return start_ns
           + (timeout_ms - ra_deadline_margin_ms(timeout_ms))
                 * RA_NSEC_PER_MSEC;
}

void
ra_sleep_ms(int ms, ra_deadline_t d)
{
    uint64_t until
        = ra_now_ns() + (uint64_t) (ms > 0 ? ms : 0) * RA_NSEC_PER_MSEC;
    struct timespec ts;

    if (d && until > d)
        until = d;
    ts.tv_sec = (time_t) (until / RA_NSEC_PER_SEC);
    ts.tv_nsec = (long) (until % RA_NSEC_PER_SEC);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}
