/*
 * Copyright (c) 2026 The bondd developers
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */


/*
 * Capacity estimate of a link's send direction (ratectl.h).  At most one
 * step per RC_CYCLE_US, and only on a new measurement from the peer:
 *
 *  - down, when the peer received less than 85 % of what we sent while
 *    we filled the estimate, in two measurements running (what it
 *    received is what the link carries: to 95 % of it, so that the
 *    queue drains), or when send loss is over 10 % (the same), or, on
 *    a link without a configured rate, when a standing queue over
 *    RC_QUEUE_HIGH_US builds (by 10 %);
 *  - up, when we sent at least 80 % of the estimate (else the traffic,
 *    not the link, set the pace), the peer received at least 90 % of
 *    it and no queue over RC_QUEUE_LOW_US stands: doubled while in
 *    startup, else by 10 %, and never above twice what was received;
 *  - else hold.
 *
 * What the peer received lags what we sent by the link's delay, so it
 * is compared with the smaller of our last two windows.  The estimate
 * never goes below 10 % of the highest one of the last 30 s, nor below
 * RC_MIN_BPS, nor above the configured rate.  Pure logic, no syscalls;
 * inputs come from the peer's probes and are clamped.
 */

#include <stdint.h>
#include <string.h>

#include "ratectl.h"

#define PPM		1000000U
#define CUT_LOSS_PPM	100000U		/* 10 %: cut to delivered */

static uint64_t
clamp(uint64_t v)
{
	return (v > RC_MAX_BPS ? RC_MAX_BPS : v);
}

/* Rotate the 10 s slots of the 30 s peak window. */
static void
peak_advance(struct ratectl *rc, uint64_t now)
{
	int	n;

	for (n = 0; now - rc->peak_start_us >= RC_PEAK_SLOT_US &&
	    n < RC_PEAK_SLOTS; n++) {
		rc->peak_cur = (rc->peak_cur + 1) % RC_PEAK_SLOTS;
		rc->peak[rc->peak_cur] = rc->est_bps;
		rc->peak_start_us += RC_PEAK_SLOT_US;
	}
	if (now - rc->peak_start_us >= RC_PEAK_SLOT_US)
		rc->peak_start_us = now;
}

uint64_t
ratectl_floor(const struct ratectl *rc)
{
	uint64_t	hi = 0;
	int		i;

	for (i = 0; i < RC_PEAK_SLOTS; i++)
		if (rc->peak[i] > hi)
			hi = rc->peak[i];
	return (hi / 10 > RC_MIN_BPS ? hi / 10 : RC_MIN_BPS);
}

static uint64_t
bound(const struct ratectl *rc, uint64_t v)
{
	v = clamp(v);
	if (rc->ceiling_bps != 0 && v > rc->ceiling_bps)
		v = rc->ceiling_bps;
	return (v < RC_MIN_BPS ? RC_MIN_BPS : v);
}

void
ratectl_init(struct ratectl *rc, uint64_t now, uint64_t ceiling_bps)
{
	int	i;

	memset(rc, 0, sizeof(*rc));
	rc->ceiling_bps = clamp(ceiling_bps);
	/* A configured rate is where it starts: nothing to double to. */
	rc->startup = ceiling_bps == 0;
	rc->est_bps = bound(rc, ceiling_bps != 0 ? ceiling_bps :
	    RC_START_BPS);
	for (i = 0; i < RC_PEAK_SLOTS; i++)
		rc->peak[i] = rc->est_bps;
	rc->peak_start_us = now;
	rc->cycle_us = now;
}

void
ratectl_set_ceiling(struct ratectl *rc, uint64_t ceiling_bps)
{
	/* A rate learnt after the start (a server hears the client's
	 * down rate in its first probe) is where it starts. */
	if (rc->ceiling_bps == 0 && ceiling_bps != 0 &&
	    rc->ups + rc->downs == 0) {
		rc->est_bps = ceiling_bps;
		rc->startup = 0;
	}
	rc->ceiling_bps = clamp(ceiling_bps);
	rc->est_bps = bound(rc, rc->est_bps);
}

static uint64_t
decide(struct ratectl *rc, const struct ratectl_sample *s)
{
	uint64_t	est = rc->est_bps, tx, rx, ref, target;
	uint32_t	loss = s->loss_tx_ppm > PPM ? PPM : s->loss_tx_ppm;
	int		busy, short_now, short_twice;
	int		known = s->queue_us != RC_QUEUE_NONE;

	tx = clamp(s->tx_bps);
	rx = clamp(s->rx_bps);
	ref = tx < rc->prev_tx_bps ? tx : rc->prev_tx_bps;
	busy = tx >= est / 10 * 8 && tx != 0;
	target = rx / 100 * 95;

	/* Delivered short of what we sent: the link carries less.  Once
	 * may be the windows' skew or a burst; twice in a row it is not. */
	short_now = busy && rx < ref / 100 * 85;
	short_twice = short_now && rc->short_prev;
	rc->short_prev = short_now;
	if (loss > CUT_LOSS_PPM || short_twice) {
		rc->startup = 0;
		return (target < est ? target : est);
	}
	/* A standing queue while we fill the estimate.  Below a configured
	 * rate it may be the receiver's own delay (a busy host); only the
	 * shortfall above lowers a configured link. */
	if (known && s->queue_us > RC_QUEUE_HIGH_US && busy &&
	    (rc->ceiling_bps == 0 || rc->startup)) {
		rc->startup = 0;
		return (est / 10 * 9);
	}
	/* A standing queue while we send a quarter of the estimate or
	 * more, not all of it: the link is full at what it delivers.  An
	 * estimate above keeps the scheduler from the other links, and we
	 * never fill it to find out.  Less than a quarter: another's
	 * queue, not ours to fix. */
	if (known && s->queue_us > RC_QUEUE_HIGH_US && rx < est &&
	    rx >= est / 4 && rc->ceiling_bps == 0) {
		rc->startup = 0;
		return (rx > est / 2 ? rx : est / 2);
	}
	if (busy && rx >= ref / 10 * 9 && (!known ||
	    s->queue_us < RC_QUEUE_LOW_US)) {
		target = rc->startup ? est * 2 : est + est / 10;
		if (target > 2 * rx)
			target = 2 * rx;
		return (target > est ? target : est);
	}
	return (est);
}

int
ratectl_update(struct ratectl *rc, uint64_t now,
    const struct ratectl_sample *s)
{
	uint64_t	next, floor;

	peak_advance(rc, now);
	if (!rc->have_gen) {
		rc->have_gen = 1;
		rc->gen = s->rx_gen;
		rc->prev_tx_bps = clamp(s->tx_bps);
		return (0);
	}
	if (s->rx_gen == rc->gen || now - rc->cycle_us < RC_CYCLE_US)
		return (0);
	rc->gen = s->rx_gen;
	rc->cycle_us = now;
	next = decide(rc, s);
	rc->prev_tx_bps = clamp(s->tx_bps);
	floor = ratectl_floor(rc);
	if (next < floor)
		next = floor;
	next = bound(rc, next);
	if (next == rc->est_bps)
		return (0);
	if (next > rc->est_bps)
		rc->ups++;
	else
		rc->downs++;
	rc->est_bps = next;
	if (next > rc->peak[rc->peak_cur])
		rc->peak[rc->peak_cur] = next;
	return (1);
}
