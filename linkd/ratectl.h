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
 * Rate of a link's send direction: the capacity estimate that paces
 * the link and weights it in the scheduler, within the configured rate
 * if there is one (LTE and Wi-Fi change by the minute; a configured
 * rate is a ceiling, not a promise).  It compares what the peer
 * received with what we sent, and watches the standing queue at the
 * link's bottleneck: how far the smallest one-way delay of the last
 * probe interval sits above the smallest of the last seconds.  Random
 * loss says nothing about capacity and is ignored, unless heavy.  Pure
 * logic with the clock passed in microseconds; its inputs come from the
 * peer's probes, authenticated but not trusted: every value is clamped
 * and the estimate stays between RC_MIN_BPS and RC_MAX_BPS.
 *
 * A link that traffic uses only in bursts never fills its estimate and
 * so would never grow: earliest arrival gives a link that looks slow
 * only what the others cannot take.  When the core held traffic back
 * for the link's pace (the traffic wanted more than the estimate) and
 * no queue stands, the controller probes: linkd tops the link up with
 * padding to 5/4 of the estimate (ratectl_fill_bps) until the link
 * shows a queue or RC_PROBE_US passed, and what the peer received then
 * is what the link carries.  A probe that found nothing waits twice as
 * long for the next one, up to RC_PROBE_GAP_MAX: a link whose estimate
 * is right pays for a probe rarely, an idle one never.
 */

#ifndef RATECTL_H
#define RATECTL_H

#include <stdint.h>

#define RC_START_BPS	10000000ULL	/* first guess: 10 Mbit/s */
#define RC_STARTUP_GAIN	16		/* startup paces this far ahead */
#define RC_MIN_BPS	64000ULL	/* never below 64 kbit/s */
#define RC_MAX_BPS	100000000000ULL	/* 100 Gbit/s: no overflow */
#define RC_CYCLE_US	100000		/* at most one step per cycle */
#define RC_QUEUE_HIGH_US 10000		/* standing queue: over capacity */
#define RC_QUEUE_LOW_US	3000		/* below it: room to grow */
#define RC_QUEUE_NONE	UINT32_MAX	/* not measured */
#define RC_QUEUE_SLOTS	3		/* 3 x 100 ms: a standing queue */
#define RC_QUEUE_SLOT_US 100000
#define RC_JFLOOR_SLOTS	2		/* 2 x 5 s: the jitter floor's window */
#define RC_JFLOOR_SLOT_US 5000000
#define RC_JFLOOR_MAX_US	(RC_QUEUE_HIGH_US - RC_QUEUE_LOW_US)
#define RC_PEAK_SLOTS	3		/* 3 x 10 s: the floor's window */
#define RC_PEAK_SLOT_US	10000000
#define RC_HELD_MIN	16384		/* bytes held back: traffic wanted more */
#define RC_PROBE_US	1000000		/* longest probe */
#define RC_LOSS_HOLD_US	2000000		/* between cuts for heavy loss */
#define RC_PROBE_SETTLE_US 200000	/* before its own frames show */
#define RC_PROBE_QUIET_US 2000000	/* the estimate not filled this long */
#define RC_PROBE_GAP_MIN 2000000	/* after a probe that found more */
#define RC_PROBE_GAP_MAX 32000000	/* after probes that found nothing */

/* What linkd measured when it calls ratectl_update(). */
struct ratectl_sample {
	uint64_t	tx_bps;		/* we sent, last rate window */
	uint64_t	rx_bps;		/* the peer received from us */
	uint64_t	rx_gen;		/* changes with each new rx_bps */
	uint32_t	queue_us;	/* standing queue, or RC_QUEUE_NONE */
	uint32_t	loss_tx_ppm;	/* send loss, as the peer measured */
	uint64_t	held_bytes;	/* the core held back for our pace,
					   since the last call */
};

struct ratectl {
	uint64_t	est_bps;
	uint64_t	ceiling_bps;	/* configured rate, 0 = none */
	int		startup;	/* doubling until the first queue */
	int		short_prev;	/* the last measurement fell short */
	uint64_t	busy_us;	/* the last measurement that filled the
					   estimate, outside a probe */
	uint64_t	cycle_us;	/* last step */
	uint64_t	gen;		/* rx_gen judged last */
	int		have_gen;
	uint64_t	prev_tx_bps;	/* the window before the last */
	uint64_t	prev_est_bps;	/* the estimate before the last step */
	uint64_t	full_bps;	/* delivered when last full, 0 = not
					   known */
	uint64_t	loss_cut_us;	/* last cut for heavy loss */
	uint64_t	peak[RC_PEAK_SLOTS];	/* highest estimate per slot */
	int		peak_cur;
	uint64_t	peak_start_us;
	uint32_t	qslot[RC_QUEUE_SLOTS];	/* least queue per slot */
	int		qslot_cur;
	uint64_t	qslot_start_us;
	uint32_t	queue_us;	/* least of them: the standing queue */
	uint32_t	jfloor[RC_JFLOOR_SLOTS];	/* least reading, link filled */
	int		jfloor_cur;
	uint64_t	jfloor_start_us;
	uint64_t	ups, downs;	/* changes made, for tests and logs */
	uint64_t	held;		/* bytes held back, this cycle */
	int		probing;	/* linkd fills to ratectl_fill_bps */
	int		probe_hit;	/* it found the link's limit */
	uint64_t	probe_start_us;
	uint64_t	probe_from_bps;	/* the estimate it started at */
	uint64_t	probe_next_us;	/* no probe before */
	uint64_t	probe_gap_us;
	uint64_t	probes;		/* started, for tests and status */
};

/* ceiling_bps 0: none, start at RC_START_BPS and double until the
 * link shows a queue; else start at the ceiling. */
void	 ratectl_init(struct ratectl *, uint64_t now, uint64_t ceiling_bps);
/* The configured rate changed (a reload, or a server that learns the
 * client's down rate): where it starts if nothing was measured yet. */
void	 ratectl_set_ceiling(struct ratectl *, uint64_t ceiling_bps);
/* With each probe; 1 when the estimate changed. */
int	 ratectl_update(struct ratectl *, uint64_t now,
	    const struct ratectl_sample *);
uint64_t ratectl_floor(const struct ratectl *);
/* The rate to pace the link at: the estimate, but RC_STARTUP_GAIN
 * times it in startup, within the configured rate. */
uint64_t ratectl_pace_bps(const struct ratectl *);
/* While a probe runs, the rate linkd fills the link to with padding;
 * 0 else. */
uint64_t ratectl_fill_bps(const struct ratectl *);

#endif /* RATECTL_H */
