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
 * Capacity estimate of a link's send direction when none is configured:
 * the core schedules the link by it in place of a configured rate
 * (LINK_INFO rate_est_bps), so it must follow the path's capacity
 * without building a queue, neither collapse on a short burst of loss
 * nor climb without bound.  One cycle every max(SRTT, 100 ms), at most
 * 2 s.  Rates are measured over 1 s windows (probe.c), so a cycle
 * judges the last measurement:
 *
 *  - raise by 10 % when the peer received at least 90 % of what we
 *    sent, send loss is under 1 %, SRTT is under min_srtt +
 *    max(10 ms, min_srtt / 2) (no queue building) and we sent at least
 *    80 % of the estimate (not limited by the application).  Several
 *    cycles may raise on one measurement, but never above 125 % of
 *    what we were measured sending;
 *  - lower, once per new measurement, when send loss is over 2 %, or
 *    SRTT is over min_srtt + max(20 ms, min_srtt) (a queue is
 *    building) while we send at least half the estimate (else the
 *    queue is not ours: the other direction's traffic also delays
 *    probes): to 95 % of the delivered rate, so that the queue drains,
 *    but by at most 10 %; over 10 % loss, cut to 95 % of the delivered
 *    rate at once;
 *  - else hold.
 *
 * Loss is judged only once RC_LOSS_PKTS datagrams were sent since the
 * last change, so that it measures the current estimate.  The estimate
 * never goes below 10 % of the highest one of the last 30 s, nor below
 * RC_MIN_BPS.  min_srtt follows a route change: every 10 s it moves
 * 1/16 of the way to the current SRTT.  Pure logic, no syscalls;
 * inputs come from the peer's probes and are clamped.
 */

#include <stdint.h>
#include <string.h>

#include "ratectl.h"

#define PPM		1000000U
#define UP_LOSS_PPM	10000U		/* 1 %: raise only below */
#define DOWN_LOSS_PPM	20000U		/* 2 %: lower above */
#define CUT_LOSS_PPM	100000U		/* 10 %: cut to delivered */
#define QLOW_US		10000U		/* queue building thresholds */
#define QHIGH_US	20000U

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

void
ratectl_init(struct ratectl *rc, uint64_t now, uint64_t start_bps)
{
	int	i;

	memset(rc, 0, sizeof(*rc));
	if (start_bps == 0)
		start_bps = RC_START_BPS;
	if (start_bps < RC_MIN_BPS)
		start_bps = RC_MIN_BPS;
	rc->est_bps = clamp(start_bps);
	for (i = 0; i < RC_PEAK_SLOTS; i++)
		rc->peak[i] = rc->est_bps;
	rc->peak_start_us = now;
	rc->cycle_us = now;
	rc->decay_us = now;
}

/* The smallest SRTT, slowly forgotten. */
static void
min_srtt_update(struct ratectl *rc, uint64_t now, uint32_t srtt_us)
{
	if (srtt_us == 0)
		return;
	if (rc->min_srtt_us == 0 || srtt_us < rc->min_srtt_us)
		rc->min_srtt_us = srtt_us;
	if (now - rc->decay_us >= RC_DECAY_US) {
		rc->min_srtt_us = (uint32_t)((15ULL * rc->min_srtt_us +
		    srtt_us) / 16);
		rc->decay_us = now;
	}
}

static uint64_t
decide(const struct ratectl *rc, const struct ratectl_sample *s,
    int judged, int fresh)
{
	uint64_t	est = rc->est_bps, tx, rx, target, lo;
	uint32_t	loss, min_us = rc->min_srtt_us, srtt_us = s->srtt_us;
	int		qlow, qhigh;

	tx = clamp(s->tx_bps);
	rx = clamp(s->rx_bps);
	loss = s->loss_tx_ppm > PPM ? PPM : s->loss_tx_ppm;
	qlow = srtt_us != 0 && min_us != 0 && srtt_us < (uint64_t)min_us +
	    (min_us / 2 > QLOW_US ? min_us / 2 : QLOW_US);
	qhigh = srtt_us != 0 && min_us != 0 && srtt_us > (uint64_t)min_us +
	    (min_us > QHIGH_US ? min_us : QHIGH_US);
	target = rx / 100 * 95;

	if (fresh && judged && loss > CUT_LOSS_PPM)
		return (target < est ? target : est);
	if (fresh && ((judged && loss > DOWN_LOSS_PPM) ||
	    (qhigh && tx >= est / 2))) {
		lo = est / 10 * 9;
		if (target < lo)
			target = lo;
		return (target < est ? target : est);
	}
	if (qlow && loss < UP_LOSS_PPM && rx >= tx / 10 * 9 &&
	    tx >= est / 10 * 8 && tx != 0) {
		target = clamp(est + est / 10);
		if (target > tx / 4 * 5)
			target = tx / 4 * 5;
		return (target > est ? target : est);
	}
	return (est);
}

int
ratectl_update(struct ratectl *rc, uint64_t now,
    const struct ratectl_sample *s)
{
	uint64_t	next, floor, period_us;
	int		fresh;

	peak_advance(rc, now);
	min_srtt_update(rc, now, s->srtt_us);
	if (!rc->have_gen || s->tx_packets < rc->change_pkts) {
		rc->have_gen = 1;
		rc->have_sample = 0;
		rc->gen = s->rx_gen;
		rc->change_pkts = s->tx_packets;
		return (0);
	}
	period_us = s->srtt_us > RC_CYCLE_US ? s->srtt_us : RC_CYCLE_US;
	if (period_us > RC_CYCLE_MAX_US)
		period_us = RC_CYCLE_MAX_US;
	fresh = s->rx_gen != rc->gen;
	if ((!fresh && !rc->have_sample) || now - rc->cycle_us < period_us)
		return (0);
	rc->gen = s->rx_gen;
	rc->have_sample = 1;
	rc->cycle_us = now;

	next = decide(rc, s, s->tx_packets - rc->change_pkts >= RC_LOSS_PKTS,
	    fresh);
	floor = ratectl_floor(rc);
	if (next < floor)
		next = floor;
	if (next == rc->est_bps)
		return (0);
	if (next > rc->est_bps)
		rc->ups++;
	else
		rc->downs++;
	rc->est_bps = next;
	rc->change_pkts = s->tx_packets;
	if (next > rc->peak[rc->peak_cur])
		rc->peak[rc->peak_cur] = next;
	return (1);
}
