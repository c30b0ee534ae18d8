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
 *    queue drains), or when send loss is over 10 % (the same, but at
 *    most by half while traffic does not fill the estimate, and once
 *    per RC_LOSS_HOLD_US), or, on a link without a configured rate,
 *    when a standing queue over RC_QUEUE_HIGH_US builds (to 95 % of
 *    what the peer received, at most by half: with a queue in front
 *    of it the link is busy, and what it delivers is what it carries;
 *    a fixed cut would go on while the queue drains, far below); the
 *    first cut ends startup and may go up (cut_to());
 *  - to what the peer received, at most by half, when a standing queue
 *    over RC_QUEUE_HIGH_US shows while we send a quarter of the
 *    estimate or more but not all (on a link without a configured
 *    rate);
 *  - up, when we sent at least 80 % of the estimate (else the traffic,
 *    not the link, set the pace; in startup, of the estimate before
 *    the last doubling, under which the window began), the peer
 *    received at least 90 % of it, send loss is at most 10 % and no
 *    queue of ours stands (room_queue()): doubled while in startup
 *    (paced ahead meanwhile, ratectl_pace_bps()), else by 10 %, and
 *    never above twice what was received;
 *    but on a link whose full rate is known, at once to the estimate
 *    that sends that rate and no further than 1/PAST_FULL past it
 *    (full_step());
 *  - else hold.
 *
 * The full rate is what the peer received when a cut found the link
 * full (a standing queue, a shortfall, the end of a probe).  A link
 * delivers no more than it carries, so once it delivers 1/GREW more
 * than that, it grew and the full rate is forgotten.  Without it, 10 %
 * steps took the link a tenth past its capacity in every cycle and its
 * queue to 20-50 ms before the cut.
 *
 * A probe (ratectl.h) starts on a measurement that finds the core held
 * traffic back for the link while it sent less than 80 % of the
 * estimate, none in the last RC_PROBE_QUIET_US filled it (a link that
 * one flow's sawtooth fills now and then is known, and a probe would
 * only overflow its queue), and no queue over RC_QUEUE_HIGH_US stands
 * (the few frames of a link used in bursts see its jitter as a small
 * queue; the fill's many see the least delay).  It ends at a queue
 * over room_queue() once it ran RC_PROBE_SETTLE_US (over
 * RC_QUEUE_HIGH_US at once), at a shortfall, at a cut, or after
 * RC_PROBE_US.  While it runs the link is full (busy), startup does not
 * double, and the estimate rises to what the peer received, at most 5/4
 * of it per step: the fill offers no more.  The queue or shortfall that
 * ends it sets the estimate to what the peer received, not below where
 * it began, and ends the startup: the link's limit is found.
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
#include "slots.h"

#define PPM		1000000U
#define CUT_LOSS_PPM	100000U		/* 10 %: cut to delivered */
#define PAST_FULL	64		/* up past the full rate: by 1/64 */
#define GREW		128		/* delivered 1/128 more: it grew */

static uint64_t
clamp(uint64_t v)
{
	return (v > RC_MAX_BPS ? RC_MAX_BPS : v);
}

/* Rotate the 10 s slots of the 30 s peak window. */
static void
peak_advance(struct ratectl *rc, uint64_t now)
{
	int	k;

	k = slots_advance(&rc->peak_start_us, &rc->peak_cur, RC_PEAK_SLOTS,
	    RC_PEAK_SLOT_US, now);
	while (k-- > 0)
		rc->peak[slots_back(rc->peak_cur, RC_PEAK_SLOTS, k)] =
		    rc->est_bps;
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
	rc->prev_est_bps = rc->est_bps;
	for (i = 0; i < RC_PEAK_SLOTS; i++)
		rc->peak[i] = rc->est_bps;
	rc->peak_start_us = now;
	rc->cycle_us = now;
	rc->probe_next_us = now;
	rc->probe_gap_us = RC_PROBE_GAP_MIN;
	for (i = 0; i < RC_QUEUE_SLOTS; i++)
		rc->qslot[i] = RC_QUEUE_NONE;
	rc->queue_us = RC_QUEUE_NONE;
	rc->qslot_start_us = now;
	for (i = 0; i < RC_JFLOOR_SLOTS; i++)
		rc->jfloor[i] = RC_QUEUE_NONE;
	rc->jfloor_start_us = now;
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

/* The least of n readings, RC_QUEUE_NONE if none. */
static uint32_t
least_of(const uint32_t *slot, int n)
{
	uint32_t	m = RC_QUEUE_NONE;
	int		i;

	for (i = 0; i < n; i++)
		if (slot[i] < m)
			m = slot[i];
	return (m);
}

/*
 * A window of n slots of len_us, each holding the least queue reading
 * put in it: the ring moves to now (slots entered start empty) and q
 * is kept if it is less than the current slot's.
 */
static void
least_put(uint32_t *slot, int n, uint64_t *start_us, int *cur,
    uint64_t len_us, uint64_t now, uint32_t q)
{
	int	k;

	k = slots_advance(start_us, cur, n, len_us, now);
	while (k-- > 0)
		slot[slots_back(*cur, n, k)] = RC_QUEUE_NONE;
	if (q < slot[*cur])
		slot[*cur] = q;
}

/*
 * The least reading of the last RC_QUEUE_SLOTS slots of
 * RC_QUEUE_SLOT_US: no room to grow while it is not low.  One reading
 * is the least delay of the frames since the peer's previous probe; on
 * a jittery link with few of them it sits a few ms above the base now
 * and then, while a queue that stands shows in every one.  Cuts take
 * the last reading alone: one flow's sawtooth drains a queue now and
 * then, which would hide an estimate above the link.
 */
static void
queue_track(struct ratectl *rc, uint64_t now, uint32_t q)
{
	least_put(rc->qslot, RC_QUEUE_SLOTS, &rc->qslot_start_us,
	    &rc->qslot_cur, RC_QUEUE_SLOT_US, now, q);
	rc->queue_us = least_of(rc->qslot, RC_QUEUE_SLOTS);
}

/*
 * The jitter floor.  On a jittery link the least delay of many frames
 * sits a few ms above the base while traffic is dense, as a FIFO link
 * holds every frame behind a late one (5 ms on a link of 10 ms
 * jitter), and it stays there however fast we send.  A queue of ours
 * is what grows: while we send past the link's rate, by the excess
 * every second.  So the least reading of the last 5 to 10 s while we
 * filled the estimate, or a probe filled the link, is the floor, and a
 * reading up to RC_QUEUE_LOW_US / 2 above it leaves room to grow.  The
 * floor counts up to RC_JFLOOR_MAX_US only: a queue that stood that
 * long at the link's rate still meets RC_QUEUE_HIGH_US before the link
 * is flooded.  Without it, such a link stopped growing at the first
 * reading over RC_QUEUE_LOW_US (check_ratectl: at 20 of 60 Mbit/s).
 */
static void
jfloor_track(struct ratectl *rc, uint64_t now, uint32_t q)
{
	least_put(rc->jfloor, RC_JFLOOR_SLOTS, &rc->jfloor_start_us,
	    &rc->jfloor_cur, RC_JFLOOR_SLOT_US, now, q);
}

/* Under this reading no queue of ours stands (jfloor_track()). */
static uint32_t
room_queue(const struct ratectl *rc)
{
	uint32_t	f = least_of(rc->jfloor, RC_JFLOOR_SLOTS);

	if (f == RC_QUEUE_NONE || f > RC_JFLOOR_MAX_US)
		f = 0;
	f += RC_QUEUE_LOW_US / 2;
	return (f > RC_QUEUE_LOW_US ? f : RC_QUEUE_LOW_US);
}

/*
 * The queue that ends a probe: over RC_QUEUE_HIGH_US in the last
 * reading at once; else a queue of ours standing (room_queue(), in
 * every slot of the last ones) once the fill has run
 * RC_PROBE_SETTLE_US, so that the peer's least delay comes from its
 * frames, not from the few before it.  A fill past the link's rate
 * builds its queue by a quarter of the time it runs, so it meets
 * RC_QUEUE_HIGH_US within 50 ms, while one reading over the floor
 * alone may be jitter.
 */
static int
probe_queue(const struct ratectl *rc, uint64_t now,
    const struct ratectl_sample *s)
{
	if (s->queue_us == RC_QUEUE_NONE)
		return (0);
	if (s->queue_us > RC_QUEUE_HIGH_US)
		return (1);
	return (rc->queue_us >= room_queue(rc) &&
	    now - rc->probe_start_us >= RC_PROBE_SETTLE_US);
}

/*
 * A step up on a link whose full rate is known.  The full rate is what
 * the peer received; what we send falls short of the estimate by the
 * core's margin and the outer headers, by the ratio of the last window
 * (busy: it sent 80 % of the estimate or more).  So the step goes at
 * once to the estimate that sends the full rate, and at most to the one
 * that sends 1/PAST_FULL more: the link's queue grows by 15 ms a second
 * and is cut at RC_QUEUE_HIGH_US, while a link that grew delivers more
 * than its full rate and is free to rise by 10 % again.
 */
static uint64_t
full_step(uint64_t full, uint64_t target, uint64_t est, uint64_t tx)
{
	uint64_t	per_1024 = est * 1024 / tx;	/* est per sent */
	uint64_t	lo, hi;

	lo = full * per_1024 / 1024;
	hi = (full + full / PAST_FULL) * per_1024 / 1024;
	if (target < lo)
		target = lo;
	return (target > hi ? hi : target);
}

/*
 * A cut to target; it ends startup.  Startup paced ahead of
 * the estimate (ratectl_pace_bps()), so what the peer received then
 * may be above the estimate, and is what the link carries: the cut
 * goes there, up or down.  Later cuts only lower the estimate.
 */
static uint64_t
cut_to(struct ratectl *rc, uint64_t target, uint64_t est)
{
	int	was = rc->startup;

	rc->startup = 0;
	return (was || target < est ? target : est);
}

static uint64_t
decide(struct ratectl *rc, const struct ratectl_sample *s, uint64_t now)
{
	uint64_t	est = rc->est_bps, tx, rx, ref, target;
	uint32_t	loss = s->loss_tx_ppm > PPM ? PPM : s->loss_tx_ppm;
	int		busy, short_now, short_twice, heavy;
	uint32_t	q = s->queue_us;
	int		known = q != RC_QUEUE_NONE;

	tx = clamp(s->tx_bps);
	rx = clamp(s->rx_bps);
	ref = tx < rc->prev_tx_bps ? tx : rc->prev_tx_bps;
	/* In startup the window measured began under the estimate before
	 * the last doubling: judged by that one, a link that traffic
	 * fills doubles at every measurement, not at every other. */
	busy = tx >= (rc->startup && rc->prev_est_bps < est ?
	    rc->prev_est_bps : est) / 10 * 8 && tx != 0;
	if (busy && !rc->probing)
		rc->busy_us = now;
	target = rx / 100 * 95;
	/* A link delivers no more than it carries: more than when it was
	 * last full, and it grew. */
	if (rc->full_bps != 0 && rx > rc->full_bps + rc->full_bps / GREW)
		rc->full_bps = 0;

	/* Delivered short of what we sent: the link carries less.  Once
	 * may be the windows' skew or a burst; twice in a row it is not. */
	short_now = busy && rx < ref / 100 * 85;
	short_twice = short_now && rc->short_prev;
	rc->short_prev = short_now;
	/* A probe's fill that meets a queue or falls short found the
	 * link's limit: what the link delivered, never below where the
	 * probe began (the fill, not the estimate, made the queue). */
	rc->probe_hit = rc->probing && loss <= CUT_LOSS_PPM && (short_now ||
	    probe_queue(rc, now, s));
	if (rc->probe_hit) {
		rc->startup = 0;
		rc->full_bps = rx;
		target = rx < est ? rx : est;
		return (target > rc->probe_from_bps ? target :
		    rc->probe_from_bps);
	}
	/* The peer's loss is an average over seconds: one overflow (the
	 * end of startup) shows in many measurements, and cutting at each
	 * took a 30 Mbit/s link to 2.  Once per RC_LOSS_HOLD_US. */
	heavy = loss > CUT_LOSS_PPM && now - rc->loss_cut_us >= RC_LOSS_HOLD_US;
	/* Heavy loss while traffic used the link only in part: what the
	 * peer received is the traffic's, not the link's; halve. */
	if (heavy && !busy && target < est / 2)
		target = est / 2;
	if (heavy || short_twice) {
		if (heavy)
			rc->loss_cut_us = now;
		else
			rc->full_bps = rx;
		return (cut_to(rc, target, est));
	}
	/* A standing queue while we fill the estimate.  Below a configured
	 * rate it may be the receiver's own delay (a busy host); only the
	 * shortfall above lowers a configured link. */
	if (known && q > RC_QUEUE_HIGH_US && busy &&
	    (rc->ceiling_bps == 0 || rc->startup)) {
		rc->full_bps = rx;
		/* In startup what the peer received may be a window
		 * behind a doubling: at most halve. */
		if (target < est / 2)
			target = est / 2;
		return (cut_to(rc, target, est));
	}
	/* A standing queue while we send a quarter of the estimate or
	 * more, not all of it: the link is full at what it delivers.  An
	 * estimate above keeps the scheduler from the other links, and we
	 * never fill it to find out.  Less than a quarter: another's
	 * queue, not ours to fix. */
	if (known && q > RC_QUEUE_HIGH_US && rx < est &&
	    rx >= est / 4 && rc->ceiling_bps == 0) {
		rc->startup = 0;
		rc->full_bps = rx;
		return (rx > est / 2 ? rx : est / 2);
	}
	/* Up only without a queue: in one slot at least of the last ones
	 * (queue_track()), as jitter raises some of them. */
	if (busy && rx >= ref / 10 * 9 && loss <= CUT_LOSS_PPM && (!known ||
	    rc->queue_us < room_queue(rc))) {
		target = rc->startup && !rc->probing ? est * 2 :
		    est + est / 10;
		if (rc->probing && rx > target)
			target = rx < est / 4 * 5 ? rx : est / 4 * 5;
		if (target > 2 * rx)
			target = 2 * rx;
		if (rc->full_bps != 0 && !rc->startup && !rc->probing)
			target = full_step(rc->full_bps, target, est, tx);
		return (target > est ? target : est);
	}
	return (est);
}

/*
 * Start or end a probe, on a measurement that set the estimate to est
 * (from was).  Invariant: probing only while the estimate is below the
 * configured rate, if there is one, and for at most RC_PROBE_US.
 */
static void
probe_step(struct ratectl *rc, uint64_t now, const struct ratectl_sample *s,
    uint64_t was)
{
	int	queue = probe_queue(rc, now, s);
	int	capped = rc->ceiling_bps != 0 && rc->est_bps >= rc->ceiling_bps;

	if (rc->probing) {
		if (!rc->probe_hit && !queue && !capped && rc->est_bps >= was &&
		    now - rc->probe_start_us < RC_PROBE_US)
			return;
		rc->probing = 0;
		if (rc->est_bps > rc->probe_from_bps)
			rc->probe_gap_us = RC_PROBE_GAP_MIN;
		else if (rc->probe_gap_us < RC_PROBE_GAP_MAX / 2)
			rc->probe_gap_us *= 2;
		else
			rc->probe_gap_us = RC_PROBE_GAP_MAX;
		rc->probe_next_us = now + rc->probe_gap_us;
		return;
	}
	/* Nothing held back: the traffic, not the estimate, set the pace.
	 * Busy: the usual rule grows it.  A queue unknown or standing
	 * (RC_QUEUE_NONE is above any): no room to find.  Few frames (a
	 * link used in bursts) see jitter as a queue: only a standing one
	 * keeps a probe from starting. */
	if (now < rc->probe_next_us || rc->held < RC_HELD_MIN ||
	    now - rc->busy_us < RC_PROBE_QUIET_US ||
	    rc->queue_us > RC_QUEUE_HIGH_US || capped ||
	    s->loss_tx_ppm > CUT_LOSS_PPM)
		return;
	rc->probing = 1;
	rc->probe_start_us = now;
	rc->probe_from_bps = rc->est_bps;
	rc->probes++;
}

/*
 * Startup paces ahead of its estimate.  One TCP flow's slow start
 * doubles its rate every round trip, the estimate at every measurement
 * (200 ms and more): paced at the estimate, the flow overflows the
 * tunnel's entrance within a few round trips, leaves slow start on that
 * loss far below the link's rate and then grows by about a packet a
 * round trip (a 60 Mbit/s link of 50 ms RTT carried 17 Mbit/s after
 * 10 s).  Paced RC_STARTUP_GAIN times ahead, the flow meets the link's
 * own queue first, as it would without a tunnel, and what the peer
 * receives then is the link's rate: the shortfall or the queue that
 * ends startup finds it, and a link that delivers all we send doubles.
 */
uint64_t
ratectl_pace_bps(const struct ratectl *rc)
{
	uint64_t	pace = rc->est_bps;

	if (rc->startup && !rc->probing)
		pace = bound(rc, pace * RC_STARTUP_GAIN);
	return (pace);
}

uint64_t
ratectl_fill_bps(const struct ratectl *rc)
{
	uint64_t	fill = rc->est_bps / 4 * 5;

	if (!rc->probing)
		return (0);
	return (rc->ceiling_bps != 0 && fill > rc->ceiling_bps ?
	    rc->ceiling_bps : fill);
}

int
ratectl_update(struct ratectl *rc, uint64_t now,
    const struct ratectl_sample *s)
{
	uint64_t	next, floor, was = rc->est_bps;

	peak_advance(rc, now);
	queue_track(rc, now, s->queue_us);
	rc->held += clamp(s->held_bytes);
	if (rc->held > RC_MAX_BPS)
		rc->held = RC_MAX_BPS;
	if (!rc->have_gen) {
		rc->have_gen = 1;
		rc->gen = s->rx_gen;
		rc->prev_tx_bps = clamp(s->tx_bps);
		return (0);
	}
	/* The queue a probe's fill builds ends it at once: every
	 * millisecond more of it is a millisecond more of queue. */
	if ((s->rx_gen == rc->gen || now - rc->cycle_us < RC_CYCLE_US) &&
	    !(rc->probing && probe_queue(rc, now, s)))
		return (0);
	rc->gen = s->rx_gen;
	rc->cycle_us = now;
	next = decide(rc, s, now);
	/* After the decision: a reading is never judged by itself. */
	jfloor_track(rc, now, rc->busy_us == now || rc->probing ?
	    s->queue_us : RC_QUEUE_NONE);
	rc->prev_tx_bps = clamp(s->tx_bps);
	rc->prev_est_bps = was;
	floor = ratectl_floor(rc);
	if (next < floor)
		next = floor;
	next = bound(rc, next);
	if (next > rc->est_bps)
		rc->ups++;
	else if (next < rc->est_bps)
		rc->downs++;
	rc->est_bps = next;
	if (next > rc->peak[rc->peak_cur])
		rc->peak[rc->peak_cur] = next;
	probe_step(rc, now, s, was);
	rc->held = 0;
	return (next != was);
}
