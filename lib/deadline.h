/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * deadline.h - absolute deadlines on CLOCK_MONOTONIC. Every blocking call in
 * pmmha takes one, so no operation outlives the timeout Pacemaker gave it.
 * And the wall clock, for what other nodes read (leases, positions).
 */
#ifndef PMMHA_DEADLINE_H
#define PMMHA_DEADLINE_H

#include <stdint.h>

/** Nanoseconds on CLOCK_MONOTONIC; 0 means "none". */
typedef uint64_t ra_deadline_t;

#define RA_NSEC_PER_MSEC UINT64_C(1000000)
#define RA_NSEC_PER_SEC UINT64_C(1000000000)

/** Now on CLOCK_MONOTONIC, in nanoseconds. */
uint64_t ra_now_ns(void);

/** The wall clock (CLOCK_REALTIME) in nanoseconds. */
uint64_t ra_wallclock_ns(void);

/** The absolute deadline @ms milliseconds from now. */
ra_deadline_t ra_deadline_in_ms(uint64_t ms);

/** Milliseconds left before @d (0 when passed); INT32_MAX-capped. */
int ra_deadline_left_ms(ra_deadline_t d);

/** True once @d has passed (never for "none"). */
int ra_deadline_passed(ra_deadline_t d);

/** The earlier of @a and @b ("none" is later than any deadline). */
ra_deadline_t ra_deadline_min(ra_deadline_t a, ra_deadline_t b);

/** A poll() timeout: the milliseconds left, or -1 (forever) for "none". */
int ra_deadline_poll_ms(ra_deadline_t d);

/**
 * The operation's own deadline: @timeout_ms from now minus a safety margin
 * (10 %, at least 500 ms, at most 5 s), so that the agent answers before
 * pacemaker-execd kills its process group.
 */
ra_deadline_t ra_deadline_for_op(uint64_t start_ns, uint64_t timeout_ms);

/** Margin ra_deadline_for_op() keeps for @timeout_ms, in milliseconds. */
uint64_t ra_deadline_margin_ms(uint64_t timeout_ms);

/** Sleeps until @ms passed or @d is reached, whichever is first. */
void ra_sleep_ms(int ms, ra_deadline_t d);

#endif
